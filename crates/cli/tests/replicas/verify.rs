//! What the shared database must hold after the load: each acknowledged action once, no case
//! created twice by a retried request, every due timer fired and its effect recorded once, and
//! every case's history one that the regulation's definition allows, step by step.

use crate::cluster::Cluster;
use crate::driver::Outcome;
use domain::{Case, CaseId, Definition, Event, EventKind};
use jiff::{SignedDuration, Timestamp};
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;
use store::{CaseQuery, Store};

#[derive(Debug, Default)]
pub struct Report {
    pub acknowledged: usize,
    pub cases: usize,
    pub closed_cases: usize,
    /// Cases still waiting for the KNB's answer (their simulated answer may have died with a
    /// killed replica, as an in-process simulator's queue does).
    pub waiting_for_knb: usize,
    pub fired_timers: usize,
    pub flags: usize,
    pub conflicts: u64,
    pub conflict_codes: std::collections::BTreeMap<String, u64>,
    pub interrupted: u64,
    pub replicas_serving: usize,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} acknowledged actions on {} cases ({} closed, {} waiting for the KNB); {} timers fired, {} tasks flagged; \
             {} conflicts {:?}, {} requests interrupted and resent; {} replica addresses served",
            self.acknowledged,
            self.cases,
            self.closed_cases,
            self.waiting_for_knb,
            self.fired_timers,
            self.flags,
            self.conflicts,
            self.conflict_codes,
            self.interrupted,
            self.replicas_serving
        )
    }
}

/// How late a due timer may still be pending when the check looks: the workers poll every
/// second (a minute of simulated time) and a killed replica's claim runs out after a minute.
const SETTLE: SignedDuration = SignedDuration::from_mins(5);

pub async fn settle_and_check(cluster: &Cluster, outcome: &Outcome) -> Report {
    let store = cluster.store().await;
    let def = domain::definition::load("regulation/2018.toml", shaqyru::settings::EDITION_2018).expect("the shipped definition loads");
    let cases = store.list_cases(&CaseQuery { limit: 1_000_000, ..CaseQuery::default() }).await.expect("list cases");

    // Wait (a bounded time) until no timer due well before now is still pending.
    // The checks below judge against the instant this wait last looked, not a later one: a timer
    // that fell due after it may not have fired yet.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let now = loop {
        let now = cluster.time_now();
        let late = late_timers(&store, &cases, now).await;
        if late.is_empty() {
            break now;
        }
        assert!(std::time::Instant::now() < deadline, "timers due long ago never fired: {late:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    };

    let mut report = Report {
        acknowledged: outcome.acks.len(),
        cases: cases.len(),
        conflicts: outcome.conflicts,
        conflict_codes: outcome.conflict_codes.clone(),
        interrupted: outcome.interrupted,
        replicas_serving: outcome.served_by.len(),
        ..Report::default()
    };
    let opened: BTreeSet<&str> = outcome.acks.iter().filter(|a| a.step == "open").map(|a| a.case_id.as_str()).collect();
    let stored: BTreeSet<&str> = cases.iter().map(|c| c.case_id.0.as_str()).collect();
    assert_eq!(stored, opened, "every stored case was acknowledged once to its client (no retry created a second one)");

    let mut acks: HashMap<&str, Vec<&crate::driver::Ack>> = HashMap::new();
    for a in &outcome.acks {
        acks.entry(a.case_id.as_str()).or_default().push(a);
    }
    for summary in &cases {
        let id = &summary.case_id;
        // Timers may still touch the case: read its events around its summary until they agree.
        let (events, summary) = loop {
            let before = store.load_events(id).await.expect("events");
            let summary = store.case_summary(id).await.expect("summary").expect("the listed case exists");
            let after = store.load_events(id).await.expect("events");
            if before.len() == after.len() {
                break (after, summary);
            }
        };
        let case = check_history(&def, id, &events).unwrap_or_else(|e| panic!("case {id}: {e}"));
        assert_eq!(summary.version, events.len() as u64, "case {id}: the summary's version matches its events");

        for a in acks.get(id.0.as_str()).into_iter().flatten() {
            assert!(events.len() as u64 >= a.version, "case {id}: acknowledged version {} of {} is missing", a.version, a.step);
            if a.step != "open" {
                let done = events.iter().filter(|e| matches!(&e.kind, EventKind::OutcomeRecorded { step, .. } if *step == a.step)).count();
                assert_eq!(done, 1, "case {id}: the acknowledged step {} is recorded once", a.step);
            }
        }

        let mut flags: HashMap<(u32, String), usize> = HashMap::new();
        for e in &events {
            if let EventKind::TaskFlagged { task, flag, .. } = &e.kind {
                *flags.entry((*task, format!("{flag:?}"))).or_default() += 1;
            }
        }
        assert!(flags.values().all(|n| *n == 1), "case {id}: a task flagged twice the same way: {flags:?}");
        report.flags += flags.len();

        // No timer lost: an open task whose warning or deadline passed long ago carries its flag.
        let long_ago = now.checked_sub(SETTLE).expect("in range");
        for t in case.tasks.iter().filter(|t| t.done.is_none()) {
            let Some(d) = &t.deadline else { continue };
            if d.warn_at < long_ago {
                assert!(t.at_risk_since.is_some(), "case {id}: task {} ({}) passed its warning at {} unflagged", t.id, t.step, d.warn_at);
            }
            if d.due < long_ago {
                assert!(t.overdue_since.is_some(), "case {id}: task {} ({}) passed its deadline at {} unflagged", t.id, t.step, d.due);
            }
        }
        let timers = store.timers(id).await.expect("timers");
        report.fired_timers += timers.iter().filter(|t| t.state == "fired").count();

        if case.status == domain::case::CaseStatus::Closed {
            report.closed_cases += 1;
        } else if case.open_tasks().all(|t| t.step == "P5") {
            report.waiting_for_knb += 1;
        }
    }
    store.close().await;
    report
}

/// Timers still pending whose due time is well past.
async fn late_timers(store: &impl Store, cases: &[store::CaseSummary], now: Timestamp) -> Vec<(String, String, Timestamp)> {
    let long_ago = now.checked_sub(SETTLE).expect("in range");
    let mut late = Vec::new();
    for c in cases {
        for t in store.timers(&c.case_id).await.expect("timers") {
            if t.state == "pending" && t.due_at < long_ago {
                late.push((c.case_id.0.clone(), t.kind, t.due_at));
            }
        }
    }
    late
}

/// Replays the history event by event, refusing any event the definition does not allow at that
/// point: a task of an unknown step or opened twice, an outcome the step does not have or on a
/// task that is not open, a flag on a closed task, anything after the case closed, or an end
/// state with open work in a closed case (or none in an open one).
fn check_history(def: &Definition, id: &CaseId, events: &[Event]) -> Result<Case, String> {
    let (first, rest) = events.split_first().ok_or("no events")?;
    let mut case = Case::replay(id.clone(), std::slice::from_ref(first)).ok_or("the first event does not open the case")?;
    for (i, e) in rest.iter().enumerate() {
        let at = i + 2;
        if case.status == domain::case::CaseStatus::Closed {
            return Err(format!("event {at} ({:?}) after the case closed", e.kind));
        }
        let open = |task: u32| case.tasks.iter().find(|t| t.id == task && t.done.is_none());
        match &e.kind {
            EventKind::CaseOpened { .. } => return Err(format!("event {at} opens the case again")),
            EventKind::TaskOpened { step, .. } => {
                if def.step(step).is_none() {
                    return Err(format!("event {at} opens a task of unknown step {step}"));
                }
                if case.open_task(step).is_some() {
                    return Err(format!("event {at} opens a second task of step {step}"));
                }
            }
            EventKind::OutcomeRecorded { task, step, outcome, .. } => {
                let t = open(*task).ok_or_else(|| format!("event {at} records {step}/{outcome} on task {task}, which is not open"))?;
                if t.step != *step {
                    return Err(format!("event {at} records step {step} on a task of step {}", t.step));
                }
                if def.step(step).and_then(|s| s.outcome(outcome)).is_none() {
                    return Err(format!("event {at}: step {step} has no outcome {outcome}"));
                }
            }
            EventKind::TaskFlagged { task, .. } if open(*task).is_none() => {
                return Err(format!("event {at} flags task {task}, which is not open"));
            }
            _ => {}
        }
        case.apply(e);
    }
    let open = case.open_tasks().count();
    match case.status {
        domain::case::CaseStatus::Closed if case.result.is_none() || open > 0 => {
            Err(format!("closed with result {:?} and {open} open tasks", case.result))
        }
        domain::case::CaseStatus::Open if open == 0 => Err("open with no open task: nobody can move it".into()),
        _ => Ok(case),
    }
}
