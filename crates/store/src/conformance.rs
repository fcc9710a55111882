//! The conformance suite: the behaviour every [`Store`] backend must show, written once against
//! the trait. A backend's tests run each check on a fresh, empty store, one check per test, with
//! [`conformance_tests!`](crate::conformance_tests) (one `#[tokio::test]` per check, through the
//! backend's own way of making and cleaning up a store):
//!
//! ```ignore
//! async fn on_fresh_store<F, Fut>(check: F) where F: FnOnce(MyStore) -> Fut, Fut: Future<Output = ()> {
//!     let (_dir, store) = fresh().await;
//!     check(store).await;
//! }
//! store::conformance_tests!(on_fresh_store);
//! ```
//!
//! or all of them at once with [`run_all`]. A check panics, naming what went wrong, on the first
//! deviation. Fixed times are used throughout, never the wall clock; they have whole
//! microseconds, the precision every backend must keep.

use crate::{
    CaseQuery, CaseSummary, IdempotencyRecord, NewOutboxMessage, NewTimer, OutboxMessage, Store, StoreError, TaskQuery, TaskRow,
    UnitOfWork, User,
};
use domain::application::Application;
use domain::case::{CaseUnits, OutcomeInput};
use domain::definition::{CaseResult, Limit, LimitUnit};
use domain::{Actor, CaseId, EditionRef, Event, EventKind, UserId};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

/// Defines one `#[tokio::test]` per check of this suite, in the module where it is invoked. Each
/// test calls `$run(|store| async move { check(&store).await })`: `$run` is the backend's async
/// function that makes a fresh, empty store, hands it to the closure, awaits the check and
/// cleans up. The racing checks run on several worker threads, so that the racers overlap.
#[macro_export]
macro_rules! conformance_tests {
    ($run:ident) => {
        $crate::conformance_tests! { @tests $run;
            #[tokio::test]
            commits_a_new_case_and_loads_it_back,
            #[tokio::test]
            appends_events_in_order,
            #[tokio::test]
            stale_version_conflicts_and_writes_nothing,
            // Several worker threads, so that the racing commits really overlap.
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            concurrent_commits_one_wins,
            #[tokio::test]
            idempotency_records_are_kept_and_unique,
            #[tokio::test]
            tasks_are_listed_soonest_due_first,
            #[tokio::test]
            timers_are_claimed_by_lease_and_fired_once,
            #[tokio::test]
            duplicate_reference_is_refused,
            #[tokio::test]
            tasks_are_upserted_and_filtered,
            #[tokio::test]
            tasks_are_filtered_by_the_period_they_were_done_in,
            #[tokio::test]
            tasks_keep_the_time_basis_of_their_deadline,
            #[tokio::test]
            cases_are_listed_by_unit_and_status,
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            counters_count_from_one,
            #[tokio::test]
            definitions_are_kept_once,
            #[tokio::test]
            outbox_claims_lease_and_retry,
            #[tokio::test]
            users_are_upserted_and_found,
            #[tokio::test]
            monitoring_counts_open_tasks_timers_and_outbox,
            #[tokio::test]
            outbox_dead_letter_and_retry,
            #[tokio::test]
            documents_are_stored_with_their_events_and_found_by_code,
            #[tokio::test]
            invitations_are_revoked_by_number_once,
            #[tokio::test]
            official_keys_are_kept_newest_first,
            #[tokio::test]
            passwords_are_set_and_reset,
            // Several worker threads, so that the racing failures really overlap.
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            login_failures_lock_exactly_at_the_threshold,
            #[tokio::test]
            sessions_are_created_touched_and_ended,
            #[tokio::test]
            oidc_subjects_link_one_user_each,
            #[tokio::test]
            events_are_stored_in_per_case_hash_chains,
            #[tokio::test]
            checkpoints_are_numbered_and_chained,
            // Several worker threads, so that the racing appends really overlap.
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            access_log_is_one_hash_chain_read_newest_first,
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            concurrent_commits_of_different_cases_all_land,
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            a_failing_unit_among_concurrent_ones_fails_alone,
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            concurrent_units_for_one_case_apply_in_version_order,
            #[tokio::test]
            a_purge_redacts_the_case_and_leaves_a_tombstone,
        }
    };
    (@tests $run:ident; $($(#[$attr:meta])* $check:ident),* $(,)?) => {
        $(
            $(#[$attr])*
            async fn $check() {
                $run(|store| async move { $crate::conformance::$check(&store).await }).await;
            }
        )*
    };
}

/// Runs every check, each on a store of its own from `make`.
pub async fn run_all<S, F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = S>,
    S: Store,
{
    commits_a_new_case_and_loads_it_back(&make().await).await;
    appends_events_in_order(&make().await).await;
    stale_version_conflicts_and_writes_nothing(&make().await).await;
    concurrent_commits_one_wins(&make().await).await;
    idempotency_records_are_kept_and_unique(&make().await).await;
    duplicate_reference_is_refused(&make().await).await;
    tasks_are_upserted_and_filtered(&make().await).await;
    tasks_are_listed_soonest_due_first(&make().await).await;
    tasks_are_filtered_by_the_period_they_were_done_in(&make().await).await;
    tasks_keep_the_time_basis_of_their_deadline(&make().await).await;
    timers_are_claimed_by_lease_and_fired_once(&make().await).await;
    cases_are_listed_by_unit_and_status(&make().await).await;
    counters_count_from_one(&make().await).await;
    definitions_are_kept_once(&make().await).await;
    outbox_claims_lease_and_retry(&make().await).await;
    users_are_upserted_and_found(&make().await).await;
    monitoring_counts_open_tasks_timers_and_outbox(&make().await).await;
    outbox_dead_letter_and_retry(&make().await).await;
    documents_are_stored_with_their_events_and_found_by_code(&make().await).await;
    invitations_are_revoked_by_number_once(&make().await).await;
    official_keys_are_kept_newest_first(&make().await).await;
    passwords_are_set_and_reset(&make().await).await;
    login_failures_lock_exactly_at_the_threshold(&make().await).await;
    sessions_are_created_touched_and_ended(&make().await).await;
    events_are_stored_in_per_case_hash_chains(&make().await).await;
    checkpoints_are_numbered_and_chained(&make().await).await;
    access_log_is_one_hash_chain_read_newest_first(&make().await).await;
    concurrent_commits_of_different_cases_all_land(&make().await).await;
    a_failing_unit_among_concurrent_ones_fails_alone(&make().await).await;
    concurrent_units_for_one_case_apply_in_version_order(&make().await).await;
    a_purge_redacts_the_case_and_leaves_a_tombstone(&make().await).await;
}

// ---------------------------------------------------------------------------------------------
// Fixtures

/// 2026-11-24T… UTC with a microsecond fraction, so that a backend dropping it is caught.
const T0_MICROS: i64 = 1_795_500_000_123_456;

/// `T0` plus whole seconds.
fn at(seconds: i64) -> Timestamp {
    Timestamp::from_microsecond(T0_MICROS + seconds * 1_000_000).expect("fixture time in range")
}

fn edition() -> EditionRef {
    EditionRef { edition: "2018-2".into(), hash: "a".repeat(64) }
}

fn application() -> Application {
    let draft = domain::application::example_draft();
    draft.validate(jiff::civil::date(2026, 11, 24), &["identity_document"]).expect("the fixture application is valid")
}

fn operator(unit: &str) -> Actor {
    Actor { user: UserId("operator-1".into()), role: "sc_operator".into(), unit: unit.into() }
}

fn event(t: Timestamp, unit: &str, kind: EventKind) -> Event {
    Event { at: t, by: operator(unit), kind }
}

fn ten_minutes() -> Limit {
    Limit::Within { amount: 10, unit: LimitUnit::WorkingMinutes }
}

/// A case as the tests see it: its id, reference and units.
#[derive(Clone)]
struct Fixture {
    id: CaseId,
    reference: String,
    sc_branch: String,
    provider: String,
    opened_at: Timestamp,
}

impl Fixture {
    fn new(id: &str, reference: &str, sc_branch: &str, provider: &str, opened_at: Timestamp) -> Fixture {
        Fixture { id: CaseId(id.into()), reference: reference.into(), sc_branch: sc_branch.into(), provider: provider.into(), opened_at }
    }

    fn summary(&self, version: u64, status: &str, open_steps: &[&str], updated_at: Timestamp) -> CaseSummary {
        CaseSummary {
            case_id: self.id.clone(),
            reference: self.reference.clone(),
            edition: edition(),
            status: status.into(),
            result: (status == "closed").then(|| "refused".to_owned()),
            sc_branch: self.sc_branch.clone(),
            provider: self.provider.clone(),
            open_steps: open_steps.iter().map(|s| s.to_string()).collect(),
            version,
            opened_at: self.opened_at,
            updated_at,
        }
    }

    fn task(&self, task_id: u32, step: &str, role: &str, unit: &str, assignee: Option<&str>, opened_at: Timestamp) -> TaskRow {
        TaskRow {
            case_id: self.id.clone(),
            task_id,
            reference: self.reference.clone(),
            step: step.into(),
            role: role.into(),
            unit: unit.into(),
            assignee: assignee.map(str::to_owned),
            cites: vec!["standard.9".into()],
            limit: "10 working minutes".into(),
            opened_at,
            due_at: None,
            warn_at: None,
            escalated_to: None,
            done_at: None,
            outcome: None,
            done_by: None,
            time_basis: Some("office_minutes".into()),
        }
    }

    /// The unit of work that opens the case: `CaseOpened` and the first task (P1), version 2.
    fn open(&self) -> UnitOfWork {
        let t = self.opened_at;
        let events = vec![
            event(
                t,
                &self.sc_branch,
                EventKind::CaseOpened {
                    reference: self.reference.clone(),
                    edition: edition(),
                    application: application().into(),
                    units: CaseUnits {
                        sc_branch: self.sc_branch.as_str().into(),
                        provider: self.provider.as_str().into(),
                        knb: "knb-1".into(),
                    },
                },
            ),
            event(
                t,
                &self.sc_branch,
                EventKind::TaskOpened {
                    task: 1,
                    step: "P1".into(),
                    role: "sc_operator".into(),
                    unit: self.sc_branch.as_str().into(),
                    assignee: None,
                    cites: vec!["standard.9".into()].into(),
                    limit: ten_minutes(),
                },
            ),
        ];
        UnitOfWork {
            case_id: self.id.clone(),
            expected_version: 0,
            events,
            summary: self.summary(2, "open", &["P1"], t),
            tasks: vec![self.task(1, "P1", "sc_operator", &self.sc_branch, None, t)],
            idempotency: None,
            outbox: Vec::new(),
            timers: Vec::new(),
            fired_timers: Vec::new(),
            documents: Vec::new(),
        }
    }

    /// A follow-up unit of work at `expected` with one `DocumentProduced` event per name.
    fn produce(&self, expected: u64, documents: &[&str], t: Timestamp) -> UnitOfWork {
        let events = documents
            .iter()
            .map(|d| event(t, &self.sc_branch, EventKind::DocumentProduced { task: 1, document: (*d).into() }))
            .collect::<Vec<_>>();
        UnitOfWork {
            case_id: self.id.clone(),
            expected_version: expected,
            summary: self.summary(expected + events.len() as u64, "open", &["P1"], t),
            events,
            tasks: Vec::new(),
            idempotency: None,
            outbox: Vec::new(),
            timers: Vec::new(),
            fired_timers: Vec::new(),
            documents: Vec::new(),
        }
    }

    fn idempotency(&self, user: &str, key: &str, request_hash: &str, t: Timestamp) -> IdempotencyRecord {
        IdempotencyRecord {
            user: user.into(),
            key: key.into(),
            request_hash: request_hash.into(),
            case_id: self.id.clone(),
            response: json!({ "case_id": self.id.0, "reference": self.reference, "nested": { "list": [1, 2, 3] } }),
            created_at: t,
        }
    }

    fn message(&self, id: &str, kind: &str, due_at: Timestamp) -> NewOutboxMessage {
        NewOutboxMessage {
            id: id.into(),
            case_id: self.id.clone(),
            kind: kind.into(),
            payload: json!({ "reference": self.reference, "message": id }),
            idempotency_key: format!("idem-{id}"),
            due_at,
        }
    }
}

fn ok<T>(what: &str, r: crate::Result<T>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{what}: unexpected error {e:?}"),
    }
}

/// Everything a store shows about one case, to prove a failed commit left no trace.
#[derive(Debug, PartialEq)]
struct Trace {
    events: Vec<Event>,
    summary: Option<CaseSummary>,
    tasks: Vec<TaskRow>,
    outbox: Vec<OutboxMessage>,
}

async fn trace(store: &impl Store, case: &CaseId) -> Trace {
    Trace {
        events: ok("load events", store.load_events(case).await),
        summary: ok("case summary", store.case_summary(case).await),
        tasks: ok("list tasks", store.list_tasks(&TaskQuery { case_id: Some(case.clone()), ..Default::default() }).await),
        outbox: ok("outbox", store.outbox(Some(case)).await),
    }
}

fn assert_conflict(what: &str, r: crate::Result<()>, case: &CaseId, expected: u64, actual: u64) {
    match r {
        Err(StoreError::Conflict { case: c, expected: e, actual: a }) => {
            assert_eq!((&c, e, a), (case, expected, actual), "{what}: Conflict names the case, the expected and the actual version")
        }
        other => panic!("{what}: expected Conflict {{ expected: {expected}, actual: {actual} }}, got {other:?}"),
    }
}

/// Awaits every future at once, polled in turn on the calling task, and returns their outputs in
/// order: concurrent callers of one store, as the engine's requests are (a backend that batches
/// commits sees them queued together).
pub async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut waiting = false;
        for (f, out) in futures.iter_mut().zip(outputs.iter_mut()) {
            if out.is_none() {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => *out = Some(v),
                    Poll::Pending => waiting = true,
                }
            }
        }
        if waiting { Poll::Pending } else { Poll::Ready(()) }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("every future finished")).collect()
}

/// The unit of work that opens a case `id` with `reference` at version 2 (`CaseOpened` and its
/// first task), for a backend's own tests of how it commits units.
pub fn opening_unit(id: &str, reference: &str) -> UnitOfWork {
    Fixture::new(id, reference, "sc-1", "prov-1", at(0)).open()
}

/// A unit of work on case `id` (opened by [`opening_unit`]) decided at version `expected`: one
/// `DocumentProduced` event named `document`.
pub fn follow_up_unit(id: &str, reference: &str, expected: u64, document: &str) -> UnitOfWork {
    Fixture::new(id, reference, "sc-1", "prov-1", at(0)).produce(expected, &[document], at(60))
}

/// The commit sequence numbers of every event of `cases`, each case's in version order; checks
/// that every event has one and that they grow with the version.
async fn sequences(store: &impl Store, cases: &[CaseId]) -> Vec<u64> {
    let mut all = Vec::new();
    for case in cases {
        let links = ok("event chain", store.event_chain(case).await);
        let seqs: Vec<u64> = links.iter().map(|l| l.seq.expect("a commit sequence")).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "case {case}: the commit sequence grows with the version: {seqs:?}");
        all.extend(seqs);
    }
    all
}

fn task_ids(rows: &[TaskRow]) -> Vec<(String, u32)> {
    rows.iter().map(|t| (t.case_id.0.clone(), t.task_id)).collect()
}

fn case_ids(rows: &[CaseSummary]) -> Vec<String> {
    rows.iter().map(|c| c.case_id.0.clone()).collect()
}

fn message_ids(rows: &[OutboxMessage]) -> Vec<String> {
    rows.iter().map(|m| m.id.clone()).collect()
}

// ---------------------------------------------------------------------------------------------
// Checks

/// A new case (expected version 0) is committed; its events, summary and tasks read back equal,
/// and it is found by reference. An unknown case has no events and no summary.
pub async fn commits_a_new_case_and_loads_it_back(store: &impl Store) {
    let case = Fixture::new("case-1", "2026-0001", "sc-1", "prov-1", at(0));
    let unit = case.open();
    ok("commit a new case", store.commit(unit.clone()).await);

    let events = ok("load events", store.load_events(&case.id).await);
    assert_eq!(events, unit.events, "the events read back equal the committed ones");
    let replayed = domain::Case::replay(case.id.clone(), &events).expect("the stored log starts with CaseOpened");
    assert_eq!(replayed.version, 2, "the stored log replays to version 2");

    let summary = ok("case summary", store.case_summary(&case.id).await);
    assert_eq!(summary.as_ref(), Some(&unit.summary), "the summary reads back equal");
    let by_reference = ok("case by reference", store.case_by_reference(&case.reference).await);
    assert_eq!(by_reference.as_ref(), Some(&unit.summary), "the case is found by its reference");
    assert_eq!(ok("case by reference", store.case_by_reference("2026-9999").await), None, "an unknown reference finds nothing");

    let tasks = ok("list tasks", store.list_tasks(&TaskQuery { case_id: Some(case.id.clone()), ..Default::default() }).await);
    assert_eq!(tasks, unit.tasks, "the task rows read back equal");

    let unknown = CaseId("no-such-case".into());
    assert!(ok("load events", store.load_events(&unknown).await).is_empty(), "an unknown case has no events");
    assert_eq!(ok("case summary", store.case_summary(&unknown).await), None, "an unknown case has no summary");
}

/// Later commits append as versions `expected + 1 ..`; the log reads back in order, and the
/// summary is replaced by the latest one.
pub async fn appends_events_in_order(store: &impl Store) {
    let case = Fixture::new("case-1", "2026-0001", "sc-1", "prov-1", at(0));
    let open = case.open();
    ok("commit a new case", store.commit(open.clone()).await);
    let second = case.produce(2, &["receipt", "inventory"], at(60));
    ok("commit at version 2", store.commit(second.clone()).await);

    let mut third = case.produce(4, &[], at(120));
    third.events = vec![
        event(
            at(120),
            "sc-1",
            EventKind::OutcomeRecorded {
                task: 1,
                step: "P1".into(),
                outcome: "refuse_to_accept".into(),
                closes_task: true,
                input: Some(OutcomeInput::MissingDocuments(vec!["identity_document".into()])),
                assigns: None,
                answer: None,
                sets: vec!["refused_to_accept".into()].into(),
            },
        ),
        event(at(120), "sc-1", EventKind::CaseClosed { result: CaseResult::Refused }),
    ];
    third.summary = case.summary(6, "closed", &[], at(120));
    ok("commit at version 4", store.commit(third.clone()).await);

    let expected: Vec<Event> = [open.events, second.events, third.events.clone()].concat();
    let events = ok("load events", store.load_events(&case.id).await);
    assert_eq!(events.len(), 6, "three commits of 2 events each make 6 versions");
    assert_eq!(events, expected, "events come back in version order, across commits");

    let summary = ok("case summary", store.case_summary(&case.id).await);
    assert_eq!(summary, Some(third.summary), "the summary is the one of the last commit");
}

/// A commit at a stale (or future) version fails with `Conflict` naming the actual version, and
/// nothing of it is visible: events, summary, tasks, idempotency record, outbox.
pub async fn stale_version_conflicts_and_writes_nothing(store: &impl Store) {
    let case = Fixture::new("case-1", "2026-0001", "sc-1", "prov-1", at(0));
    ok("commit a new case", store.commit(case.open()).await);
    let before = trace(store, &case.id).await;

    let mut stale = case.produce(1, &["receipt"], at(60));
    let mut done = case.task(1, "P1", "sc_operator", "sc-1", None, at(0));
    done.done_at = Some(at(60));
    done.outcome = Some("accepted".into());
    done.done_by = Some("operator-1".into());
    stale.tasks = vec![done, case.task(2, "P2", "head", "prov-1", None, at(60))];
    stale.summary = case.summary(2, "closed", &[], at(60));
    stale.idempotency = Some(case.idempotency("operator-1", "key-1", "hash-1", at(60)));
    stale.outbox = vec![case.message("m-1", "sc.forward_documents", at(60))];
    assert_conflict("a commit at version 1 of a case at 2", store.commit(stale.clone()).await, &case.id, 1, 2);

    let after = trace(store, &case.id).await;
    assert_eq!(after, before, "a conflicting commit leaves events, summary, tasks and outbox as they were");
    assert_eq!(
        ok("find idempotent", store.find_idempotent("operator-1", "key-1").await),
        None,
        "a conflicting commit stores no idempotency record"
    );

    let mut reopen = case.open();
    reopen.summary.updated_at = at(90);
    assert_conflict("opening a case that exists", store.commit(reopen).await, &case.id, 0, 2);
    stale.expected_version = 5;
    assert_conflict("a commit at a version the case never had", store.commit(stale).await, &case.id, 5, 2);
    assert_eq!(trace(store, &case.id).await, before, "conflicting commits leave no trace");
    assert!(ok("outbox", store.outbox(None).await).is_empty(), "conflicting commits queue no message");
}

/// Commits racing at the same version: exactly one succeeds, the others fail with `Conflict`,
/// and only the winner's events, idempotency record and messages are stored.
pub async fn concurrent_commits_one_wins(store: &impl Store) {
    let case = Fixture::new("case-1", "2026-0001", "sc-1", "prov-1", at(0));
    ok("commit a new case", store.commit(case.open()).await);

    let racer = |version: u64, round: u32, n: u32| {
        let name = format!("doc-{round}-{n}");
        let mut unit = case.produce(version, &[name.as_str()], at(60 + i64::from(round)));
        unit.idempotency = Some(case.idempotency(&format!("user-{n}"), &format!("key-{round}"), "hash", at(60)));
        unit.outbox = vec![case.message(&format!("m-{round}-{n}"), "sc.forward_documents", at(60))];
        unit
    };
    let mut version = 2;
    for round in 0..8 {
        let results = {
            let (a, b, c, d) = tokio::join!(
                store.commit(racer(version, round, 0)),
                store.commit(racer(version, round, 1)),
                store.commit(racer(version, round, 2)),
                store.commit(racer(version, round, 3)),
            );
            [a, b, c, d]
        };
        let winners: Vec<usize> = results.iter().enumerate().filter(|(_, r)| r.is_ok()).map(|(i, _)| i).collect();
        assert_eq!(winners.len(), 1, "round {round}: exactly one of four racing commits succeeds, got {results:?}");
        let winner = winners[0] as u32;
        for (i, r) in results.into_iter().enumerate() {
            if i as u32 != winner {
                assert_conflict(&format!("round {round}: a losing racer"), r, &case.id, version, version + 1);
            }
        }
        version += 1;

        let events = ok("load events", store.load_events(&case.id).await);
        assert_eq!(events.len() as u64, version, "round {round}: only the winner's event is appended");
        let EventKind::DocumentProduced { document, .. } = &events.last().expect("events").kind else {
            panic!("round {round}: the last event is the winner's DocumentProduced");
        };
        assert_eq!(document, &format!("doc-{round}-{winner}"), "round {round}: the stored event is the winner's");
        for n in 0..4 {
            let record = ok("find idempotent", store.find_idempotent(&format!("user-{n}"), &format!("key-{round}")).await);
            assert_eq!(record.is_some(), n == winner, "round {round}: only the winner's idempotency record is stored");
        }
        let outbox = ok("outbox", store.outbox(Some(&case.id)).await);
        assert_eq!(
            message_ids(&outbox).last().map(String::as_str),
            Some(format!("m-{round}-{winner}").as_str()),
            "round {round}: only the winner's message is queued"
        );
        assert_eq!(outbox.len(), round as usize + 1, "round {round}: one message per round");
    }
    let summary = ok("case summary", store.case_summary(&case.id).await).expect("summary");
    assert_eq!(summary.version, version, "the summary is the last winner's");
}

/// The idempotency record of a command is stored with it and found by (user, key); a second
/// commit with the same pair fails with `DuplicateKey` and writes nothing, even for another
/// case; keys of different users are independent.
pub async fn idempotency_records_are_kept_and_unique(store: &impl Store) {
    let case = Fixture::new("case-1", "2026-0001", "sc-1", "prov-1", at(0));
    let record = case.idempotency("operator-1", "key-1", "hash-1", at(0));
    let mut open = case.open();
    open.idempotency = Some(record.clone());
    ok("commit with an idempotency record", store.commit(open).await);

    assert_eq!(
        ok("find idempotent", store.find_idempotent("operator-1", "key-1").await),
        Some(record.clone()),
        "the record reads back equal"
    );
    assert_eq!(ok("find idempotent", store.find_idempotent("operator-2", "key-1").await), None, "keys are per user");
    assert_eq!(ok("find idempotent", store.find_idempotent("operator-1", "key-2").await), None, "an unused key finds nothing");

    let before = trace(store, &case.id).await;
    let mut again = case.produce(2, &["receipt"], at(60));
    again.idempotency = Some(case.idempotency("operator-1", "key-1", "hash-2", at(60)));
    again.tasks = vec![case.task(2, "P2", "head", "prov-1", None, at(60))];
    again.outbox = vec![case.message("m-1", "sc.forward_documents", at(60))];
    match store.commit(again.clone()).await {
        Err(StoreError::DuplicateKey) => {}
        other => panic!("a second commit with a used (user, key): expected DuplicateKey, got {other:?}"),
    }
    assert_eq!(trace(store, &case.id).await, before, "a DuplicateKey commit leaves no trace");
    assert_eq!(ok("find idempotent", store.find_idempotent("operator-1", "key-1").await), Some(record.clone()), "the first record is kept");

    let other = Fixture::new("case-2", "2026-0002", "sc-1", "prov-1", at(30));
    let mut open_other = other.open();
    open_other.idempotency = Some(other.idempotency("operator-1", "key-1", "hash-3", at(30)));
    match store.commit(open_other).await {
        Err(StoreError::DuplicateKey) => {}
        other => panic!("a new case with a used (user, key): expected DuplicateKey, got {other:?}"),
    }
    assert_eq!(
        trace(store, &other.id).await,
        Trace { events: vec![], summary: None, tasks: vec![], outbox: vec![] },
        "a new case refused for its key does not exist"
    );

    again.idempotency = Some(case.idempotency("operator-2", "key-1", "hash-2", at(60)));
    ok("the same key of another user", store.commit(again).await);
    assert!(ok("find idempotent", store.find_idempotent("operator-2", "key-1").await).is_some(), "the other user's record is kept");
}

/// A second case with a reference already used fails with `DuplicateReference` and leaves no
/// trace.
pub async fn duplicate_reference_is_refused(store: &impl Store) {
    let first = Fixture::new("case-1", "2026-0001", "sc-1", "prov-1", at(0));
    ok("commit the first case", store.commit(first.open()).await);

    let second = Fixture::new("case-2", "2026-0001", "sc-2", "prov-2", at(60));
    let mut open = second.open();
    open.idempotency = Some(second.idempotency("operator-1", "key-9", "hash", at(60)));
    open.outbox = vec![second.message("m-9", "sc.forward_documents", at(60))];
    match store.commit(open).await {
        Err(StoreError::DuplicateReference(r)) => assert_eq!(r, "2026-0001", "DuplicateReference names the reference"),
        other => panic!("a second case with a used reference: expected DuplicateReference, got {other:?}"),
    }
    assert_eq!(
        trace(store, &second.id).await,
        Trace { events: vec![], summary: None, tasks: vec![], outbox: vec![] },
        "the refused case does not exist"
    );
    assert_eq!(ok("find idempotent", store.find_idempotent("operator-1", "key-9").await), None, "nor its idempotency record");
    let found = ok("case by reference", store.case_by_reference("2026-0001").await).expect("the first case");
    assert_eq!(found.case_id, first.id, "the reference still finds the first case");
}

/// Timers are written with a unit of work, claimed when due (their due time unchanged), not
/// claimed again while leased, claimed again when the lease runs out, and never again once a
/// committed unit of work (or `timer_fired`) marks them fired. A stale unit leaves them pending.
pub async fn timers_are_claimed_by_lease_and_fired_once(store: &impl Store) {
    let a = Fixture::new("case-a", "2026-0001", "sc-1", "prov-1", at(0));
    let mut open = a.open();
    let timer = |id: &str, due: Timestamp| NewTimer {
        id: id.into(),
        case_id: a.id.clone(),
        kind: "due".into(),
        payload: json!({ "kind": "due", "task": 1 }),
        due_at: due,
    };
    open.timers = vec![timer("t-late", at(500)), timer("t-soon", at(100))];
    ok("open with timers", store.commit(open).await);
    let lease = SignedDuration::from_secs(60);
    assert!(ok("claim early", store.claim_timers(at(50), 10, lease).await).is_empty(), "nothing is due yet");
    let claimed = ok("claim", store.claim_timers(at(100), 10, lease).await);
    assert_eq!(claimed.len(), 1);
    assert_eq!((claimed[0].id.as_str(), claimed[0].attempts, claimed[0].due_at), ("t-soon", 1, at(100)), "due time stays as written");
    assert_eq!(claimed[0].payload, json!({ "kind": "due", "task": 1 }));
    assert!(ok("claim leased", store.claim_timers(at(120), 10, lease).await).is_empty(), "leased: not claimed twice");
    let again = ok("claim after lease", store.claim_timers(at(161), 10, lease).await);
    assert_eq!((again.len(), again[0].attempts), (1, 2), "a lapsed lease lets another worker claim it");

    let mut stale = a.produce(1, &["late"], at(170));
    stale.fired_timers = vec!["t-soon".into()];
    assert!(matches!(store.commit(stale).await, Err(StoreError::Conflict { .. })));
    let mut fire = a.produce(2, &["flagged"], at(170));
    fire.fired_timers = vec!["t-soon".into()];
    ok("fire in a unit of work", store.commit(fire).await);
    assert!(
        ok("claim fired", store.claim_timers(at(1_000), 10, lease).await).iter().all(|t| t.id != "t-soon"),
        "a fired timer is never claimed"
    );
    ok("no-op fire", store.timer_fired("t-late", at(1_001)).await);
    assert!(ok("claim all fired", store.claim_timers(at(10_000), 10, lease).await).is_empty());
    let all = ok("timers of the case", store.timers(&a.id).await);
    assert_eq!(all.iter().map(|t| (t.id.as_str(), t.state.as_str())).collect::<Vec<_>>(), vec![("t-soon", "fired"), ("t-late", "fired")]);
    assert_eq!(all[0].fired_at, Some(at(170)), "fired at the unit's time");
}

/// Deadlines are kept to the microsecond and order the worklist: the soonest due first, tasks
/// without a deadline after them, oldest opened first among equals.
pub async fn tasks_are_listed_soonest_due_first(store: &impl Store) {
    let a = Fixture::new("case-a", "2026-0001", "sc-1", "prov-1", at(0));
    ok("open case a", store.commit(a.open()).await);
    let mut next = a.produce(2, &["receipt"], at(100));
    let mut late = a.task(2, "P2", "head", "prov-1", None, at(100));
    late.due_at = Some(at(5_000));
    late.warn_at = Some(at(4_000));
    let mut soon = a.task(3, "P3", "head", "prov-1", None, at(200));
    soon.due_at = Some(at(1_000));
    soon.warn_at = Some(at(900));
    let mut none = a.task(4, "P4", "head", "prov-1", None, at(50));
    none.escalated_to = Some("boss".into());
    next.tasks = vec![late.clone(), soon.clone(), none.clone()];
    ok("commit tasks with deadlines", store.commit(next).await);
    let escalated = ok(
        "list escalated",
        store.list_tasks(&TaskQuery { escalated_to: Some("boss".into()), unit: Some("prov-1".into()), ..Default::default() }).await,
    );
    assert_eq!(escalated, vec![none], "only the task escalated to that role");
    let listed = ok("list tasks", store.list_tasks(&TaskQuery { role: Some("head".into()), ..Default::default() }).await);
    let ids: Vec<u32> = listed.iter().map(|t| t.task_id).collect();
    assert_eq!(ids, vec![3, 2, 4], "soonest due first, then tasks without a deadline");
    assert_eq!(listed[0], soon, "due and warn times read back exactly");
    assert_eq!(listed[1], late);
}

/// Task rows are inserted, then replaced by (case, task id) when done; `list_tasks` filters by
/// role, unit, case, assignee (with or without unassigned tasks) and open tasks only, orders by
/// opening time and respects the limit.
pub async fn tasks_are_upserted_and_filtered(store: &impl Store) {
    let a = Fixture::new("case-a", "2026-0001", "sc-1", "prov-1", at(0));
    let b = Fixture::new("case-b", "2026-0002", "sc-2", "prov-1", at(10));
    ok("open case a", store.commit(a.open()).await);
    ok("open case b", store.commit(b.open()).await);

    // Case a: P1 done, P2 (head) opened unassigned, P3 (executor) opened for ex-1.
    let mut next = a.produce(2, &["receipt"], at(100));
    let mut p1 = a.task(1, "P1", "sc_operator", "sc-1", None, at(0));
    p1.done_at = Some(at(100));
    p1.outcome = Some("accepted".into());
    p1.done_by = Some("operator-1".into());
    next.tasks =
        vec![p1.clone(), a.task(2, "P2", "head", "prov-1", None, at(100)), a.task(3, "P3", "executor", "prov-1", Some("ex-1"), at(200))];
    next.summary = a.summary(3, "open", &["P2", "P3"], at(100));
    ok("commit case a at version 2", store.commit(next).await);
    // Case b: P1 still open; executor tasks for ex-2 and unassigned.
    let mut more = b.produce(2, &["receipt"], at(150));
    more.tasks = vec![b.task(2, "P3", "executor", "prov-1", Some("ex-2"), at(150)), b.task(3, "P4", "executor", "prov-1", None, at(300))];
    ok("commit case b at version 2", store.commit(more).await);

    let list = |q: TaskQuery| async move { ok("list tasks", store.list_tasks(&q).await) };
    let all = list(TaskQuery::default()).await;
    assert_eq!(
        task_ids(&all),
        vec![
            ("case-a".into(), 1),
            ("case-b".into(), 1),
            ("case-a".into(), 2),
            ("case-b".into(), 2),
            ("case-a".into(), 3),
            ("case-b".into(), 3)
        ],
        "all tasks, oldest opened first"
    );
    assert_eq!(all[0], p1, "a task replaced by a later commit reads back as replaced (done)");
    assert_eq!(all.len(), 6, "a replaced task is still one row");

    let open = list(TaskQuery { open_only: true, ..Default::default() }).await;
    assert!(!task_ids(&open).contains(&("case-a".into(), 1)), "open_only leaves out done tasks");
    assert_eq!(open.len(), 5, "open_only keeps every open task");

    let by_role = list(TaskQuery { role: Some("executor".into()), ..Default::default() }).await;
    assert_eq!(task_ids(&by_role), vec![("case-b".into(), 2), ("case-a".into(), 3), ("case-b".into(), 3)], "filter by role, oldest first");
    let by_unit = list(TaskQuery { unit: Some("sc-1".into()), ..Default::default() }).await;
    assert_eq!(task_ids(&by_unit), vec![("case-a".into(), 1)], "filter by unit");
    let by_case = list(TaskQuery { case_id: Some(b.id.clone()), ..Default::default() }).await;
    assert_eq!(task_ids(&by_case), vec![("case-b".into(), 1), ("case-b".into(), 2), ("case-b".into(), 3)], "filter by case");

    let mine =
        TaskQuery { role: Some("executor".into()), unit: Some("prov-1".into()), assignee: Some("ex-1".into()), ..Default::default() };
    assert_eq!(task_ids(&list(mine.clone()).await), vec![("case-a".into(), 3)], "filter by assignee");
    let mine_and_free = TaskQuery { include_unassigned: true, ..mine };
    assert_eq!(
        task_ids(&list(mine_and_free).await),
        vec![("case-a".into(), 3), ("case-b".into(), 3)],
        "filter by assignee, with unassigned tasks"
    );
    let free_heads = TaskQuery {
        role: Some("head".into()),
        assignee: Some("head-1".into()),
        include_unassigned: true,
        open_only: true,
        ..Default::default()
    };
    assert_eq!(task_ids(&list(free_heads).await), vec![("case-a".into(), 2)], "unassigned open tasks of a role");

    let limited = list(TaskQuery { limit: 2, ..Default::default() }).await;
    assert_eq!(task_ids(&limited), vec![("case-a".into(), 1), ("case-b".into(), 1)], "the limit keeps the oldest");
}

/// `done_from`/`done_to` select the tasks done in the half-open period `[from, to)` to the
/// microsecond, never an open task, together with the other filters; `TaskQuery::ALL` is a
/// limit every backend accepts and means every row.
pub async fn tasks_are_filtered_by_the_period_they_were_done_in(store: &impl Store) {
    let a = Fixture::new("case-a", "2026-0001", "sc-1", "prov-1", at(0));
    ok("open case a", store.commit(a.open()).await);
    let done = |task_id: u32, step: &str, unit: &str, done_at: Timestamp| {
        let mut t = a.task(task_id, step, "office", unit, None, at(0));
        t.done_at = Some(done_at);
        t.outcome = Some("done".into());
        t.done_by = Some("office-1".into());
        t
    };
    let just_before = Timestamp::from_microsecond(at(300).as_microsecond() - 1).expect("in range");
    let mut next = a.produce(2, &["receipt"], at(400));
    next.tasks = vec![
        done(1, "P1", "sc-1", at(100)),
        done(2, "P2", "prov-1", at(200)),
        done(3, "P3", "prov-1", just_before),
        done(4, "P4", "prov-1", at(300)),
        a.task(5, "P5", "office", "prov-1", None, at(250)),
    ];
    ok("commit done and open tasks", store.commit(next).await);

    let list = |q: TaskQuery| async move {
        let mut ids: Vec<u32> = ok("list tasks", store.list_tasks(&q).await).iter().map(|t| t.task_id).collect();
        ids.sort_unstable();
        ids
    };
    let period = |from: Option<Timestamp>, to: Option<Timestamp>| TaskQuery { done_from: from, done_to: to, ..Default::default() };
    assert_eq!(list(period(Some(at(100)), Some(at(300)))).await, vec![1, 2, 3], "from is inclusive, to exclusive, to the microsecond");
    assert_eq!(list(period(Some(at(300)), None)).await, vec![4], "a task done at the end of one period starts the next");
    assert_eq!(list(period(None, Some(at(200)))).await, vec![1], "to alone");
    assert_eq!(list(period(Some(at(0)), Some(at(1_000)))).await, vec![1, 2, 3, 4], "an open task is never in a period");
    assert_eq!(list(period(Some(at(201)), Some(at(299)))).await, Vec::<u32>::new(), "a period with nothing done");
    let of_unit = TaskQuery { unit: Some("prov-1".into()), ..period(Some(at(0)), Some(at(1_000))) };
    assert_eq!(list(of_unit).await, vec![2, 3, 4], "with the unit filter");
    let all = TaskQuery { limit: TaskQuery::ALL, ..Default::default() };
    assert_eq!(list(all).await, vec![1, 2, 3, 4, 5], "TaskQuery::ALL: every row");
}

/// A task's time basis is stored as written, read back by every query, replaced when the task
/// row is replaced (the KNB's extension moves a deadline to calendar days), and may be absent
/// (rows written before it was recorded).
pub async fn tasks_keep_the_time_basis_of_their_deadline(store: &impl Store) {
    let a = Fixture::new("case-a", "2026-0001", "sc-1", "prov-1", at(0));
    ok("open case a", store.commit(a.open()).await);
    let mut coordination = a.task(2, "P5", "knb_liaison", "knb", None, at(100));
    let mut old = a.task(3, "P6", "office", "prov-1", None, at(100));
    old.time_basis = None;
    let mut next = a.produce(2, &["receipt"], at(100));
    next.tasks = vec![coordination.clone(), old.clone()];
    ok("commit the tasks", store.commit(next).await);
    let read = |q: TaskQuery| async move {
        let rows = ok("list tasks", store.list_tasks(&q).await);
        rows.into_iter().map(|t| (t.task_id, t.time_basis)).collect::<Vec<_>>()
    };
    let of_case = TaskQuery { case_id: Some(a.id.clone()), ..Default::default() };
    assert_eq!(
        read(of_case.clone()).await,
        vec![(1, Some("office_minutes".into())), (2, Some("office_minutes".into())), (3, None)],
        "the basis round-trips, and a missing one stays missing"
    );

    coordination.time_basis = Some("elapsed_minutes".into());
    coordination.done_at = Some(at(200));
    coordination.outcome = Some("agreed".into());
    coordination.done_by = Some("knb-gateway".into());
    let mut extended = a.produce(3, &["receipt"], at(200));
    extended.tasks = vec![coordination.clone()];
    ok("commit the extended task", store.commit(extended).await);
    assert_eq!(
        read(of_case).await,
        vec![(1, Some("office_minutes".into())), (2, Some("elapsed_minutes".into())), (3, None)],
        "a replaced row takes the new basis"
    );
    let done = TaskQuery { done_from: Some(at(0)), done_to: Some(at(1_000)), limit: TaskQuery::ALL, ..Default::default() };
    let rows = ok("list done tasks", store.list_tasks(&done).await);
    assert_eq!(rows, vec![coordination], "the period query reads the basis too");
}

/// `list_cases` gives the newest opened first, filters by unit (branch or provider) and status,
/// and respects the limit.
pub async fn cases_are_listed_by_unit_and_status(store: &impl Store) {
    let a = Fixture::new("case-a", "2026-0001", "sc-1", "prov-1", at(0));
    let b = Fixture::new("case-b", "2026-0002", "sc-2", "prov-1", at(3600));
    let c = Fixture::new("case-c", "2026-0003", "sc-2", "prov-2", at(7200));
    for f in [&a, &b, &c] {
        ok("open a case", store.commit(f.open()).await);
    }
    let mut close = c.produce(2, &[], at(7300));
    close.events = vec![event(at(7300), "sc-2", EventKind::CaseClosed { result: CaseResult::Refused })];
    close.summary = c.summary(3, "closed", &[], at(7300));
    ok("close case c", store.commit(close).await);

    let list = |q: CaseQuery| async move { ok("list cases", store.list_cases(&q).await) };
    assert_eq!(case_ids(&list(CaseQuery::default()).await), vec!["case-c", "case-b", "case-a"], "all cases, newest first");
    assert_eq!(
        case_ids(&list(CaseQuery { unit: Some("prov-1".into()), ..Default::default() }).await),
        vec!["case-b", "case-a"],
        "the cases of a provider"
    );
    assert_eq!(
        case_ids(&list(CaseQuery { unit: Some("sc-2".into()), ..Default::default() }).await),
        vec!["case-c", "case-b"],
        "the cases of a branch"
    );
    assert!(list(CaseQuery { unit: Some("knb-1".into()), ..Default::default() }).await.is_empty(), "no case names that unit");
    let closed = list(CaseQuery { status: Some("closed".into()), ..Default::default() }).await;
    assert_eq!(case_ids(&closed), vec!["case-c"], "filter by status");
    assert_eq!(closed[0].result.as_deref(), Some("refused"), "the listed summary is the latest");
    assert_eq!(
        case_ids(&list(CaseQuery { unit: Some("sc-2".into()), status: Some("open".into()), limit: 0 }).await),
        vec!["case-b"],
        "unit and status together"
    );
    assert_eq!(case_ids(&list(CaseQuery { limit: 2, ..Default::default() }).await), vec!["case-c", "case-b"], "the limit keeps the newest");
}

/// Each counter counts 1, 2, 3, … on its own, and concurrent calls never get the same number.
pub async fn counters_count_from_one(store: &impl Store) {
    for want in 1..=3 {
        assert_eq!(ok("next number", store.next_number("2026").await), want, "counter 2026 counts from 1");
    }
    assert_eq!(ok("next number", store.next_number("2027").await), 1, "another counter starts at 1");
    assert_eq!(ok("next number", store.next_number("2026").await), 4, "the first counter goes on");

    let (a, b, c, d) =
        tokio::join!(store.next_number("race"), store.next_number("race"), store.next_number("race"), store.next_number("race"));
    let mut got = [a, b, c, d].map(|r| r.expect("next number"));
    got.sort_unstable();
    assert_eq!(got, [1, 2, 3, 4], "concurrent calls get distinct numbers");
}

/// A definition is kept under its hash; saving the same hash again changes nothing; the list
/// names every stored edition and hash.
pub async fn definitions_are_kept_once(store: &impl Store) {
    let first = EditionRef { edition: "2018-2".into(), hash: "1".repeat(64) };
    let second = EditionRef { edition: "2020-1".into(), hash: "2".repeat(64) };
    let text = "[act]\nnumber = \"№ 123\"\n# «Шақыру» — exact bytes matter\n";
    ok("save definition", store.save_definition(&first, text).await);
    ok("save definition again", store.save_definition(&first, "something else").await);
    ok("save another definition", store.save_definition(&second, "second").await);

    assert_eq!(ok("load definition", store.load_definition(&first.hash).await).as_deref(), Some(text), "the first text is kept exactly");
    assert_eq!(ok("load definition", store.load_definition(&second.hash).await).as_deref(), Some("second"));
    assert_eq!(ok("load definition", store.load_definition(&"3".repeat(64)).await), None, "an unknown hash finds nothing");

    let mut listed = ok("definitions", store.definitions().await);
    listed.sort_by(|x, y| x.hash.cmp(&y.hash));
    assert_eq!(listed, vec![first, second], "every stored definition is listed once");
}

/// The outbox: messages are queued pending with no attempts; a claim takes the due ones (oldest
/// due first, up to the limit), counts an attempt and hides them until the lease ends; a failure
/// keeps a message pending with its error and a new due time; a delivered message is never
/// claimed again. Listing per case is in creation order, all messages newest first.
pub async fn outbox_claims_lease_and_retry(store: &impl Store) {
    let a = Fixture::new("case-a", "2026-0001", "sc-1", "prov-1", at(0));
    let b = Fixture::new("case-b", "2026-0002", "sc-1", "prov-1", at(5));
    let mut open_a = a.open();
    open_a.outbox = vec![
        a.message("m-1", "sc.forward_documents", at(0)),
        a.message("m-2", "adb.check_persons", at(10)),
        a.message("m-3", "knb.request_coordination", at(3600)),
    ];
    ok("open case a with messages", store.commit(open_a.clone()).await);
    let mut open_b = b.open();
    open_b.outbox = vec![b.message("m-4", "sc.forward_documents", at(5000))];
    ok("open case b with a message", store.commit(open_b).await);

    let queued = ok("outbox", store.outbox(Some(&a.id)).await);
    assert_eq!(message_ids(&queued), vec!["m-1", "m-2", "m-3"], "a case's messages in creation order");
    for (m, new) in queued.iter().zip(&open_a.outbox) {
        assert_eq!(
            (&m.case_id, &m.kind, &m.payload, &m.idempotency_key, m.due_at),
            (&new.case_id, &new.kind, &new.payload, &new.idempotency_key, new.due_at),
            "a queued message keeps what was committed"
        );
        assert_eq!((m.state.as_str(), m.attempts, &m.last_error, m.delivered_at), ("pending", 0, &None, None), "a new message is pending");
    }
    assert_eq!(message_ids(&ok("outbox", store.outbox(None).await)), vec!["m-4", "m-3", "m-2", "m-1"], "all messages, newest first");

    let lease = SignedDuration::from_secs(60);
    let claim = |now: Timestamp, limit: u32| async move { ok("claim outbox", store.claim_outbox(now, limit, lease).await) };

    let first = claim(at(20), 10).await;
    assert_eq!(message_ids(&first), vec!["m-1", "m-2"], "the due messages, oldest due first");
    for m in &first {
        assert_eq!(
            (m.attempts, m.due_at, m.state.as_str()),
            (1, at(80), "pending"),
            "a claim counts an attempt and leases until now + lease"
        );
    }
    assert!(claim(at(30), 10).await.is_empty(), "leased messages are not claimed again before the lease ends");
    assert!(claim(at(79), 10).await.is_empty(), "not even a moment before the lease ends");

    let second = claim(at(80), 1).await;
    assert_eq!(message_ids(&second), vec!["m-1"], "after the lease a message is claimable again, up to the limit");
    assert_eq!(second[0].attempts, 2, "attempts count every claim");
    ok("delivered", store.outbox_delivered("m-1", at(85)).await);

    let third = claim(at(90), 10).await;
    assert_eq!(message_ids(&third), vec!["m-2"], "the message left out by the limit is claimed next");
    assert_eq!(third[0].attempts, 2);
    ok("failed", store.outbox_failed("m-2", "connection refused", at(500)).await);

    let listed = ok("outbox", store.outbox(Some(&a.id)).await);
    let (m1, m2) = (&listed[0], &listed[1]);
    assert_eq!((m1.state.as_str(), m1.delivered_at, m1.attempts), ("delivered", Some(at(85)), 2), "a delivered message");
    assert_eq!(
        (m2.state.as_str(), m2.last_error.as_deref(), m2.due_at, m2.attempts),
        ("pending", Some("connection refused"), at(500), 2),
        "a failed message stays pending with its error and retry time"
    );

    assert!(claim(at(499), 10).await.is_empty(), "a failed message waits for its retry time");
    let fourth = claim(at(4000), 10).await;
    assert_eq!(message_ids(&fourth), vec!["m-2", "m-3"], "retried and newly due messages, by due time; delivered never");
    assert_eq!(fourth.iter().map(|m| m.attempts).collect::<Vec<_>>(), vec![3, 1], "attempts per message");

    assert!(claim(at(1_000_000), 0).await.is_empty(), "a limit of 0 claims nothing");
    let far = claim(at(1_000_000), 10).await;
    assert_eq!(message_ids(&far), vec!["m-2", "m-3", "m-4"], "a delivered message is never claimed");
}

/// Users are inserted or replaced by id and found by id and by token hash; a replaced token no
/// longer finds the user.
pub async fn users_are_upserted_and_found(store: &impl Store) {
    let user = |id: &str, token: &str, active: bool| User {
        id: id.into(),
        display_name: format!("Пайдаланушы {id}"),
        role: "sc_operator".into(),
        unit: "sc-1".into(),
        token_hash: token.repeat(64),
        active,
    };
    let alice = user("alice", "a", true);
    let bob = user("bob", "b", false);
    ok("upsert user", store.upsert_user(&bob).await);
    ok("upsert user", store.upsert_user(&alice).await);

    assert_eq!(ok("user", store.user("alice").await), Some(alice.clone()), "found by id");
    assert_eq!(ok("user", store.user("bob").await), Some(bob.clone()), "an inactive user is kept as inactive");
    assert_eq!(ok("user", store.user("carol").await), None, "an unknown id finds nothing");
    assert_eq!(ok("user by token", store.user_by_token_hash(&"a".repeat(64)).await), Some(alice.clone()), "found by token hash");
    assert_eq!(ok("user by token", store.user_by_token_hash(&"c".repeat(64)).await), None, "an unknown token finds nothing");

    let mut renewed = user("alice", "d", true);
    renewed.role = "head".into();
    renewed.unit = "prov-1".into();
    ok("replace user", store.upsert_user(&renewed).await);
    assert_eq!(ok("user", store.user("alice").await), Some(renewed.clone()), "a second upsert replaces the user");
    assert_eq!(ok("user by token", store.user_by_token_hash(&"a".repeat(64)).await), None, "the old token no longer finds the user");
    assert_eq!(ok("user by token", store.user_by_token_hash(&"d".repeat(64)).await), Some(renewed.clone()), "the new token does");

    let mut all = ok("users", store.users().await);
    all.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(all, vec![renewed, bob], "every user once");
}

// ---------------------------------------------------------------------------------------------
// Monitoring (issue 9)

/// `monitoring` counts open tasks per step (a done task never), those at risk (`warn_at <= now
/// <= due_at`, both ends included) and overdue (`due_at < now`), the pending timers due at
/// `now` with the oldest due time (fired and later ones left out), and the undelivered outbox
/// messages with the oldest creation time. An empty store shows nothing.
pub async fn monitoring_counts_open_tasks_timers_and_outbox(store: &impl Store) {
    use crate::{Monitoring, StepLoad};
    let now = at(150);
    assert_eq!(ok("monitoring an empty store", store.monitoring(now).await), Monitoring::default());

    let a = Fixture::new("case-a", "2026-0001", "sc-1", "prov-1", at(10));
    let b = Fixture::new("case-b", "2026-0002", "sc-1", "prov-1", at(20));
    let deadline = |mut t: TaskRow, warn: i64, due: i64| {
        t.warn_at = Some(at(warn));
        t.due_at = Some(at(due));
        t
    };
    let timer = |case: &Fixture, id: &str, due: i64| NewTimer {
        id: id.into(),
        case_id: case.id.clone(),
        kind: "due".into(),
        payload: json!({ "kind": "due", "task": 1 }),
        due_at: at(due),
    };
    let mut open_a = a.open();
    let mut done = a.task(3, "P1", "office", "prov-1", None, at(10));
    done.done_at = Some(at(30));
    open_a.tasks = vec![
        deadline(a.task(1, "P1", "office", "prov-1", None, at(10)), 100, 200), // at risk
        a.task(2, "P2", "management", "prov-1", None, at(10)),                 // no deadline: open only
        done,
    ];
    open_a.timers = vec![timer(&a, "t-fired", 100), timer(&a, "t-due", 120), timer(&a, "t-later", 500)];
    open_a.outbox = vec![a.message("m-pending", "knb.request_coordination", at(10)), a.message("m-delivered", "sc.send_result", at(10))];
    ok("commit case a", store.commit(open_a).await);
    let mut open_b = b.open();
    open_b.tasks = vec![
        deadline(b.task(1, "P1", "office", "prov-1", None, at(20)), 40, 50), // overdue
        deadline(b.task(2, "P3", "executor", "prov-1", None, at(20)), 150, 150), // at risk: both bounds are `now`
    ];
    ok("commit case b", store.commit(open_b).await);
    ok("fire a timer", store.timer_fired("t-fired", at(140)).await);
    ok("deliver a message", store.outbox_delivered("m-delivered", at(140)).await);

    let m = ok("monitoring", store.monitoring(now).await);
    let step = |step: &str, open, at_risk, overdue| StepLoad { step: step.into(), open, at_risk, overdue };
    assert_eq!(m.steps, vec![step("P1", 2, 1, 1), step("P2", 1, 0, 0), step("P3", 1, 1, 0)], "open tasks per step, by step id");
    assert_eq!((m.timers_due, m.oldest_due_timer), (1, Some(at(120))), "pending timers due now, the oldest first");
    assert_eq!((m.outbox_pending, m.oldest_pending_message), (1, Some(at(10))), "undelivered messages, created at their commit");
}

// ---------------------------------------------------------------------------------------------
// The outbox's dead letters (issue 6)

/// A pending message given up on becomes `dead` with its error and time and is never claimed;
/// giving up on a delivered message changes nothing. Messages are listed by state, newest
/// first, and found by id. A retry brings a dead message back pending, due at once, with a
/// fresh count of attempts and its last error kept, so it is claimed once more (and then
/// leased as any other); a retry of a message that is not dead, or of no message, returns
/// false and changes nothing.
pub async fn outbox_dead_letter_and_retry(store: &impl Store) {
    use crate::OutboxState::{Dead, Delivered, Pending};
    let a = Fixture::new("case-a", "2026-0001", "sc-1", "prov-1", at(0));
    let mut open = a.open();
    open.outbox = vec![
        a.message("m-1", "sc.forward_documents", at(0)),
        a.message("m-2", "knb.request_coordination", at(0)),
        a.message("m-3", "sc.send_result", at(0)),
    ];
    ok("open a case with messages", store.commit(open).await);
    let lease = SignedDuration::from_secs(60);
    let claim = |now: Timestamp| async move { ok("claim outbox", store.claim_outbox(now, 10, lease).await) };

    assert_eq!(message_ids(&claim(at(10)).await), vec!["m-1", "m-2", "m-3"]);
    ok("delivered", store.outbox_delivered("m-1", at(11)).await);
    ok("dead", store.outbox_dead("m-2", "the KNB rejected the request", at(12)).await);
    ok("failed", store.outbox_failed("m-3", "connection refused", at(10_000)).await);
    ok("dead after delivery", store.outbox_dead("m-1", "a late report", at(13)).await);

    let dead = ok("outbox message", store.outbox_message("m-2").await).expect("the dead message is found by id");
    assert_eq!(
        (dead.state.as_str(), dead.last_error.as_deref(), dead.dead_at, dead.attempts, dead.delivered_at),
        ("dead", Some("the KNB rejected the request"), Some(at(12)), 1, None),
        "a dead message keeps its error, its attempts and when it was given up on"
    );
    let delivered = ok("outbox message", store.outbox_message("m-1").await).expect("found by id");
    assert_eq!((delivered.state.as_str(), delivered.dead_at), ("delivered", None), "a delivered message is never made dead");
    assert_eq!(ok("outbox message", store.outbox_message("m-9").await), None, "an unknown id finds nothing");

    let by_state = |state, limit| async move { message_ids(&ok("outbox by state", store.outbox_by_state(state, limit).await)) };
    assert_eq!(by_state(Some(Dead), 10).await, vec!["m-2"], "dead messages");
    assert_eq!(by_state(Some(Pending), 10).await, vec!["m-3"], "pending messages");
    assert_eq!(by_state(Some(Delivered), 10).await, vec!["m-1"], "delivered messages");
    assert_eq!(by_state(None, 10).await, vec!["m-3", "m-2", "m-1"], "any state, newest first");
    assert_eq!(by_state(None, 2).await, vec!["m-3", "m-2"], "up to the limit");

    assert!(claim(at(5_000)).await.is_empty(), "a dead message is never claimed");
    assert_eq!(message_ids(&claim(at(1_000_000)).await), vec!["m-3"], "not even long after");
    ok("delivered", store.outbox_delivered("m-3", at(1_000_001)).await);

    let before = trace(store, &a.id).await;
    for id in ["m-1", "m-3", "m-9"] {
        assert!(!ok("retry", store.outbox_retry(id, at(2_000_000)).await), "a retry of {id}, which is not dead, returns false");
    }
    assert_eq!(trace(store, &a.id).await, before, "a refused retry changes nothing");

    assert!(ok("retry", store.outbox_retry("m-2", at(2_000_000)).await), "a dead message is retried");
    let retried = ok("outbox message", store.outbox_message("m-2").await).expect("found by id");
    assert_eq!(
        (retried.state.as_str(), retried.attempts, retried.due_at, retried.dead_at, retried.last_error.as_deref()),
        ("pending", 0, at(2_000_000), None, Some("the KNB rejected the request")),
        "a retried message is pending, due at once, with fresh attempts and its last error kept"
    );
    assert!(!ok("retry", store.outbox_retry("m-2", at(2_000_000)).await), "a second retry finds it no longer dead");
    assert_eq!(by_state(Some(Dead), 10).await, Vec::<String>::new(), "no dead message is left");

    let again = claim(at(2_000_000)).await;
    assert_eq!(message_ids(&again), vec!["m-2"], "the retried message is claimed");
    assert_eq!(again[0].attempts, 1, "its first attempt since the retry");
    assert!(claim(at(2_000_001)).await.is_empty(), "and leased like any other: claimed once");
}

// ---------------------------------------------------------------------------------------------
// Documents and signing keys (issue 5)

fn document(f: &Fixture, id: &str, kind: &str, code: Option<&str>, number: Option<&str>, t: Timestamp) -> crate::StoredDocument {
    crate::StoredDocument {
        id: id.into(),
        case_id: f.id.clone(),
        task: 1,
        kind: kind.into(),
        hash: "c".repeat(64),
        // Kazakh letters and key order that JSONB would change: the text must come back as written.
        view: format!(r#"{{"z":1,"a":"Әбілқайыров Ғалым {id}","nested":{{"b":[1,2],"a":null}}}}"#),
        signature: code.map(|_| r#"{"algorithm":"Ed25519","bytes":"AAEC"}"#.to_owned()),
        verification_code: code.map(str::to_owned),
        registration_number: number.map(str::to_owned),
        issued_at: t,
        revoked_at: None,
    }
}

/// Documents are written with the unit of work that issues them, read back byte for byte in
/// the order they were committed, and found by their verification code; a unit that fails writes none; a
/// verification code is never given to two documents.
pub async fn documents_are_stored_with_their_events_and_found_by_code(store: &impl Store) {
    let f = Fixture::new("case-doc", "2026-000070", "sc-1", "prov-1", at(0));
    ok("open", store.commit(f.open()).await);
    let mut unit = f.produce(2, &["acceptance_receipt"], at(10));
    let receipt = document(&f, "doc-1", "acceptance_receipt", None, None, at(10));
    unit.documents = vec![receipt.clone()];
    ok("commit with a document", store.commit(unit).await);
    let mut unit = f.produce(3, &["invitation"], at(20));
    // Issued at an earlier instant (another replica's clock): the order is still the commits'.
    let invitation = document(&f, "doc-2", "invitation", Some("CODE-1"), Some("7110000001"), at(5));
    unit.documents = vec![invitation.clone()];
    ok("commit with an invitation", store.commit(unit).await);

    assert_eq!(ok("documents", store.documents(&f.id).await), vec![receipt.clone(), invitation.clone()], "in commit order, as written");
    assert_eq!(ok("by code", store.document_by_code("CODE-1").await), Some(invitation.clone()), "found by its code");
    assert_eq!(ok("by code", store.document_by_code("code-1").await), None, "codes are compared exactly");
    assert_eq!(ok("by code", store.document_by_code("CODE-2").await), None, "an unknown code finds nothing");

    // A stale unit writes neither its events nor its documents.
    let mut stale = f.produce(3, &["motivated_refusal"], at(30));
    stale.documents = vec![document(&f, "doc-3", "motivated_refusal", None, None, at(30))];
    assert_conflict("stale unit with a document", store.commit(stale).await, &f.id, 3, 4);
    assert_eq!(ok("documents", store.documents(&f.id).await).len(), 2, "the stale unit's document was not written");

    // A second document with the same code is refused, with the unit's events.
    let mut twice = f.produce(4, &["invitation"], at(40));
    twice.documents = vec![document(&f, "doc-4", "invitation", Some("CODE-1"), Some("7110000002"), at(40))];
    assert!(store.commit(twice).await.is_err(), "a verification code is unique");
    assert_eq!(ok("events", store.load_events(&f.id).await).len(), 4, "nothing of the refused unit was written");
    assert_eq!(ok("documents", store.documents(&f.id).await).len(), 2);
    assert!(ok("documents", store.documents(&CaseId("case-none".into())).await).is_empty(), "another case has none");
}

/// Revoking by registration number marks the invitation once: a second revocation keeps the
/// first time; an unknown number changes nothing; a receipt is never revoked by a number.
pub async fn invitations_are_revoked_by_number_once(store: &impl Store) {
    let f = Fixture::new("case-rev", "2026-000071", "sc-1", "prov-1", at(0));
    ok("open", store.commit(f.open()).await);
    let mut unit = f.produce(2, &["invitation"], at(10));
    unit.documents = vec![document(&f, "doc-r", "invitation", Some("CODE-R"), Some("7110000009"), at(10))];
    ok("commit", store.commit(unit).await);

    assert!(!ok("revoke unknown", store.revoke_invitation("0000000000", at(20)).await), "an unknown number is not found");
    assert!(ok("revoke", store.revoke_invitation("7110000009", at(30)).await), "the invitation is found");
    assert!(ok("revoke again", store.revoke_invitation("7110000009", at(40)).await), "found again");
    let found = ok("by code", store.document_by_code("CODE-R").await).expect("still found");
    assert_eq!(found.revoked_at, Some(at(30)), "the first revocation's time stays");
}

/// Public keys are stored once per key id and listed per official, newest first.
pub async fn official_keys_are_kept_newest_first(store: &impl Store) {
    let key = |id: &str, user: &str, t: Timestamp| crate::OfficialKey {
        key_id: id.into(),
        user_id: user.into(),
        algorithm: "Ed25519".into(),
        public_key: format!("-----BEGIN PUBLIC KEY-----\n{id}\n-----END PUBLIC KEY-----\n"),
        created_at: t,
    };
    let (old, new, other) =
        (key("ed25519:old", "head@prov-1", at(0)), key("ed25519:new", "head@prov-1", at(60)), key("ed25519:x", "head@prov-2", at(30)));
    for k in [&old, &new, &other] {
        ok("save key", store.save_official_key(k).await);
    }
    assert!(store.save_official_key(&key("ed25519:old", "head@prov-3", at(90))).await.is_err(), "a key id is stored once");
    assert_eq!(ok("keys", store.official_keys("head@prov-1").await), vec![new.clone(), old.clone()], "newest first");
    assert_eq!(ok("key", store.official_key("ed25519:old").await), Some(old), "found by id, unchanged by the refused save");
    assert_eq!(ok("key", store.official_key("ed25519:none").await), None);
    assert!(ok("keys", store.official_keys("nobody").await).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Accounts (issue 8)

/// A staff account for the account checks, with a token hash of its own.
async fn account(store: &impl Store, id: &str) -> User {
    let user = User {
        id: id.into(),
        display_name: id.into(),
        role: "executor".into(),
        unit: "prov-1".into(),
        token_hash: format!("token-hash-of-{id}"),
        active: true,
    };
    ok("upsert user", store.upsert_user(&user).await);
    user
}

fn assert_not_found<T: std::fmt::Debug>(what: &str, r: crate::Result<T>) {
    assert!(matches!(r, Err(StoreError::NotFound(_))), "{what}: expected NotFound, got {r:?}");
}

const PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";

/// A password hash is stored as given and removed with `None`; a new user has none; replacing
/// the user (`upsert_user`, as every start-up does for the demo accounts) keeps it; setting it
/// clears the failed-login count and the lock. An unknown user is `NotFound`.
pub async fn passwords_are_set_and_reset(store: &impl Store) {
    let alice = account(store, "alice").await;
    assert_eq!(ok("credentials", store.credentials("alice").await), Some(crate::Credentials::default()), "a new user has no password");
    assert_eq!(ok("credentials", store.credentials("nobody").await), None, "an unknown user has no credentials");

    ok("set password", store.set_password("alice", Some(PHC)).await);
    let c = ok("credentials", store.credentials("alice").await).expect("alice exists");
    assert_eq!(c.password_hash.as_deref(), Some(PHC), "the PHC string is kept exactly");
    assert!(!format!("{c:?}").contains("argon2"), "Debug never shows the hash: {c:?}");

    ok("replace user", store.upsert_user(&User { display_name: "Alice A.".into(), ..alice }).await);
    assert_eq!(
        ok("credentials", store.credentials("alice").await).and_then(|c| c.password_hash),
        Some(PHC.to_owned()),
        "an upsert keeps the password"
    );

    // Two failures and a lock, then a new password: both cleared.
    ok("fail", store.record_login_failure("alice", at(0), 2, SignedDuration::from_mins(15)).await);
    let locked = ok("fail", store.record_login_failure("alice", at(1), 2, SignedDuration::from_mins(15)).await);
    assert!(locked.locked_until.is_some(), "locked at the threshold");
    ok("set password", store.set_password("alice", Some("$argon2id$v=19$other")).await);
    let c = ok("credentials", store.credentials("alice").await).expect("alice exists");
    assert_eq!(
        (c.password_hash.as_deref(), c.failed_logins, c.locked_until),
        (Some("$argon2id$v=19$other"), 0, None),
        "a new password unlocks"
    );

    ok("remove password", store.set_password("alice", None).await);
    assert_eq!(ok("credentials", store.credentials("alice").await), Some(crate::Credentials::default()), "the password is removed");

    assert_not_found("set password of an unknown user", store.set_password("nobody", Some(PHC)).await);
    assert_eq!(ok("credentials", store.credentials("nobody").await), None, "no user was created by it");
}

/// Each failure counts one; the failure that reaches `lock_after` locks until `now + lock_for`
/// and starts the count again; a success clears both. Failures racing each other all count.
/// An unknown user is `NotFound`.
pub async fn login_failures_lock_exactly_at_the_threshold(store: &impl Store) {
    account(store, "bob").await;
    ok("set password", store.set_password("bob", Some(PHC)).await);
    let lock_for = SignedDuration::from_mins(15);
    for n in 1..=4u32 {
        let c = ok("fail", store.record_login_failure("bob", at(i64::from(n)), 5, lock_for).await);
        assert_eq!((c.failed_logins, c.locked_until), (n, None), "failure {n} of 5 only counts");
        assert_eq!(c.password_hash.as_deref(), Some(PHC), "the returned credentials are the user's");
    }
    let c = ok("fail", store.record_login_failure("bob", at(5), 5, lock_for).await);
    let until = at(5).checked_add(lock_for).expect("in range");
    assert_eq!((c.failed_logins, c.locked_until), (0, Some(until)), "the fifth failure locks for 15 minutes and resets the count");
    assert_eq!(ok("credentials", store.credentials("bob").await), Some(c.clone()), "as stored");

    // After the lock: counting starts from 0, and the old lock stays until a new one or a success.
    let c = ok("fail", store.record_login_failure("bob", at(2000), 5, lock_for).await);
    assert_eq!((c.failed_logins, c.locked_until), (1, Some(until)), "a failure after the lock counts from 1 and keeps the past lock");
    ok("success", store.record_login_success("bob").await);
    let c = ok("credentials", store.credentials("bob").await).expect("bob exists");
    assert_eq!((c.failed_logins, c.locked_until, c.password_hash.as_deref()), (0, None, Some(PHC)), "a success clears count and lock only");

    // A threshold of 1 locks at the first failure; 0 counts as 1.
    for threshold in [1, 0] {
        let c = ok("fail", store.record_login_failure("bob", at(3000), threshold, lock_for).await);
        assert_eq!((c.failed_logins, c.locked_until.is_some()), (0, true), "threshold {threshold} locks at once");
        ok("success", store.record_login_success("bob").await);
    }

    // Concurrent failures are not lost (backends run the tests on several worker threads).
    for round in 0..2 {
        let fail = |i: i64| store.record_login_failure("bob", at(4000 + i), 100, lock_for);
        let (a, b, c, d) = tokio::join!(fail(0), fail(1), fail(2), fail(3));
        for r in [a, b, c, d] {
            ok(&format!("concurrent failure, round {round}"), r);
        }
    }
    assert_eq!(ok("credentials", store.credentials("bob").await).map(|c| c.failed_logins), Some(8), "every concurrent failure counts");

    assert_not_found("failure of an unknown user", store.record_login_failure("nobody", at(0), 5, lock_for).await);
    assert_not_found("success of an unknown user", store.record_login_success("nobody").await);
}

/// A user is found by the provider subject linked to it; a subject links at most one user (a
/// second link is refused and changes nothing); an upsert keeps the link; `None` unlinks.
/// An unknown user is `NotFound`.
pub async fn oidc_subjects_link_one_user_each(store: &impl Store) {
    let alice = account(store, "alice").await;
    account(store, "bob").await;
    assert_eq!(ok("oidc subject", store.oidc_subject("alice").await), None, "a new user is unlinked");
    assert!(ok("by subject", store.user_by_oidc_subject("sub-1").await).is_none(), "nobody holds an unused subject");

    ok("link", store.set_oidc_subject("alice", Some("sub-1")).await);
    let found = ok("by subject", store.user_by_oidc_subject("sub-1").await).expect("alice is linked");
    assert_eq!(found.id, "alice");
    assert_eq!(ok("oidc subject", store.oidc_subject("alice").await).as_deref(), Some("sub-1"));
    assert!(ok("by subject", store.user_by_oidc_subject("SUB-1").await).is_none(), "subjects are compared exactly");

    let taken = store.set_oidc_subject("bob", Some("sub-1")).await;
    assert!(matches!(taken, Err(StoreError::Backend(_))), "a subject held by another user is refused: {taken:?}");
    assert_eq!(ok("oidc subject", store.oidc_subject("bob").await), None, "the refused link changed nothing");
    assert_eq!(ok("by subject", store.user_by_oidc_subject("sub-1").await).map(|u| u.id).as_deref(), Some("alice"));

    ok("replace user", store.upsert_user(&User { active: false, ..alice }).await);
    let found = ok("by subject", store.user_by_oidc_subject("sub-1").await).expect("the upsert kept the link");
    assert!(!found.active, "a disabled user is still found; the caller refuses it");

    ok("relink", store.set_oidc_subject("alice", Some("sub-2")).await);
    assert!(ok("by subject", store.user_by_oidc_subject("sub-1").await).is_none(), "the old subject is free again");
    ok("link the freed subject", store.set_oidc_subject("bob", Some("sub-1")).await);
    ok("unlink", store.set_oidc_subject("alice", None).await);
    assert_eq!(ok("oidc subject", store.oidc_subject("alice").await), None);
    assert!(ok("by subject", store.user_by_oidc_subject("sub-2").await).is_none());

    assert_not_found("link an unknown user", store.set_oidc_subject("nobody", Some("sub-3")).await);
    assert!(ok("by subject", store.user_by_oidc_subject("sub-3").await).is_none(), "no user was created by it");
    assert_eq!(ok("oidc subject", store.oidc_subject("nobody").await), None);
}

fn session(id: &str, user: &str, created: Timestamp) -> crate::Session {
    crate::Session {
        id_hash: id.repeat(64),
        user_id: user.into(),
        csrf_token: format!("csrf-{id}"),
        created_at: created,
        last_seen_at: created,
        expires_at: created.checked_add(SignedDuration::from_hours(12)).expect("in range"),
    }
}

/// Sessions are stored and found by their id hash; a touch moves `last_seen_at` forward only;
/// one session, all of a user's, or those past their absolute expiry are deleted, with counts.
/// A session of an unknown user is refused (`NotFound`), and so is a second one with the same
/// id hash; deleting or touching an unknown session is no error.
pub async fn sessions_are_created_touched_and_ended(store: &impl Store) {
    account(store, "carol").await;
    account(store, "dave").await;
    let (c1, c2, d1) = (session("a", "carol", at(0)), session("b", "carol", at(3600)), session("c", "dave", at(7200)));
    for s in [&c1, &c2, &d1] {
        ok("create session", store.create_session(s).await);
    }
    assert_eq!(ok("session", store.session(&c1.id_hash).await), Some(c1.clone()), "found by id hash, every field kept");
    assert_eq!(ok("session", store.session(&"e".repeat(64)).await), None, "an unknown hash finds nothing");
    assert!(!format!("{c1:?}").contains("csrf-a") && !format!("{c1:?}").contains("aaaa"), "Debug shows no secret: {c1:?}");

    assert_not_found("session of an unknown user", store.create_session(&session("f", "nobody", at(0))).await);
    assert_eq!(ok("session", store.session(&"f".repeat(64)).await), None, "nothing stored for it");
    assert!(store.create_session(&session("a", "dave", at(10))).await.is_err(), "an id hash is used once");
    assert_eq!(ok("session", store.session(&c1.id_hash).await), Some(c1.clone()), "the first session is unchanged");

    ok("touch", store.touch_session(&c1.id_hash, at(600)).await);
    ok("touch back", store.touch_session(&c1.id_hash, at(300)).await);
    let touched = ok("session", store.session(&c1.id_hash).await).expect("still there");
    assert_eq!(touched, crate::Session { last_seen_at: at(600), ..c1.clone() }, "last_seen_at moves forward only, nothing else changes");
    ok("touch unknown", store.touch_session(&"e".repeat(64), at(600)).await);

    ok("delete", store.delete_session(&c1.id_hash).await);
    assert_eq!(ok("session", store.session(&c1.id_hash).await), None, "deleted");
    ok("delete again", store.delete_session(&c1.id_hash).await);

    ok("create session", store.create_session(&session("g", "carol", at(3700))).await);
    assert_eq!(ok("delete sessions of carol", store.delete_sessions_of("carol").await), 2, "both of carol's remaining sessions");
    assert_eq!(ok("session", store.session(&c2.id_hash).await), None);
    assert_eq!(ok("session", store.session(&d1.id_hash).await), Some(d1.clone()), "another user's session stays");
    assert_eq!(ok("delete sessions of nobody", store.delete_sessions_of("nobody").await), 0);

    // Purge: expiry strictly before the instant. d1 expires at 7200 s + 12 h.
    let d1_end = d1.expires_at;
    ok("create session", store.create_session(&session("h", "dave", at(0))).await);
    assert_eq!(ok("purge", store.purge_sessions(d1_end).await), 1, "only the session that expired before");
    assert_eq!(ok("session", store.session(&"h".repeat(64)).await), None);
    assert_eq!(ok("session", store.session(&d1.id_hash).await), Some(d1.clone()), "a session expiring exactly then stays");
    assert_eq!(ok("purge", store.purge_sessions(d1_end.checked_add(SignedDuration::from_micros(1)).expect("in range")).await), 1);
    assert_eq!(ok("purge", store.purge_sessions(at(1_000_000)).await), 0, "nothing left");
}

// ---------------------------------------------------------------------------------------------
// The audit chain (issue 8).

/// Every event is stored with the hash `chain::event_hash` gives over its predecessor's hash
/// (the genesis hash for version 1), its case, version and content, across commits, and with
/// a commit sequence that grows; the verifier's pages list the cases in byte order.
pub async fn events_are_stored_in_per_case_hash_chains(store: &impl Store) {
    use crate::chain::{self, GENESIS};
    let b = Fixture::new("case-b", "2026-0002", "sc-1", "prov-1", at(0));
    let a = Fixture::new("case-a", "2026-0001", "sc-1", "prov-1", at(0));
    ok("commit case b", store.commit(b.open()).await);
    ok("commit case a", store.commit(a.open()).await);
    ok("commit case a at version 2", store.commit(a.produce(2, &["receipt", "inventory"], at(60))).await);
    let mark = ok("audit mark", store.audit_mark().await);

    let links = ok("event chain", store.event_chain(&a.id).await);
    let events = ok("load events", store.load_events(&a.id).await);
    let bodies: Vec<serde_json::Value> = events.iter().map(|e| serde_json::to_value(e).expect("event as JSON")).collect();
    let expected = chain::extend(GENESIS, &a.id.0, 1, &bodies);
    assert_eq!(links.iter().map(|l| l.version).collect::<Vec<_>>(), vec![1, 2, 3, 4], "the chain has every version in order");
    assert_eq!(
        links.iter().map(|l| l.hash.clone()).collect::<Vec<_>>(),
        expected.into_iter().map(Some).collect::<Vec<_>>(),
        "stored hashes chain across commits and match the events' content"
    );
    for link in &links {
        let again = chain::event_hash(
            if link.version == 1 { GENESIS } else { links[link.version as usize - 2].hash.as_deref().expect("hash") },
            &a.id.0,
            link.version,
            &link.body,
        );
        assert_eq!(link.hash.as_deref(), Some(again.as_str()), "the stored body gives the stored hash again (version {})", link.version);
    }
    let seqs: Vec<u64> = links.iter().map(|l| l.seq.expect("a commit sequence")).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "a case's commit sequence grows: {seqs:?}");
    assert!(seqs.iter().all(|s| *s <= mark), "the mark covers every committed event");
    let b_links = ok("event chain of b", store.event_chain(&b.id).await);
    assert_ne!(b_links[0].hash, links[0].hash, "the case id is part of the hash");

    assert_eq!(ok("audit cases", store.audit_cases(None, 10).await), vec![a.id.clone(), b.id.clone()], "cases in byte order");
    assert_eq!(ok("first page", store.audit_cases(None, 1).await), vec![a.id.clone()], "a page holds at most `limit` cases");
    assert_eq!(ok("next page", store.audit_cases(Some(&a.id), 1).await), vec![b.id.clone()], "the next page starts after `after`");
    assert!(ok("last page", store.audit_cases(Some(&b.id), 1).await).is_empty(), "no case after the last");
    assert!(ok("unknown case", store.event_chain(&CaseId("nobody".into())).await).is_empty(), "an unknown case has no chain");
}

/// Checkpoints are numbered 1, 2, …, each linked to the previous one's hash (the genesis hash
/// for the first) and hashed over its fields.
pub async fn checkpoints_are_numbered_and_chained(store: &impl Store) {
    use crate::chain::GENESIS;
    assert!(ok("no checkpoints", store.checkpoints().await).is_empty(), "a new store has no checkpoints");
    let new = |t, events, access| crate::NewCheckpoint { at: at(t), cases: 1, events, through: events, root: "ab".repeat(32), access };
    // The first as written before the access log existed; the second anchors the log's head.
    let head = crate::AccessHead { seq: 7, hash: "cd".repeat(32) };
    let first = ok("first checkpoint", store.append_checkpoint(&new(10, 2, None)).await);
    let second = ok("second checkpoint", store.append_checkpoint(&new(20, 5, Some(head.clone()))).await);
    assert_eq!((first.access.as_ref(), second.access.as_ref()), (None, Some(&head)), "the access log's head is kept, or its absence");
    assert_eq!((first.seq, first.prev.as_str()), (1, GENESIS), "the first checkpoint links to the genesis hash");
    assert_eq!((second.seq, second.prev.as_str()), (2, first.hash.as_str()), "the second links to the first");
    assert_eq!(first.hash, first.recompute(), "a checkpoint's hash is over its fields");
    assert_eq!(second.hash, second.recompute(), "a checkpoint's hash is over its fields");
    assert_ne!(first.hash, second.hash);
    assert_eq!((second.at, second.events, second.through), (at(20), 5, 5), "the fields are kept");
    assert_eq!(ok("checkpoints", store.checkpoints().await), vec![first, second], "checkpoints read back oldest first, as written");
}

// ---------------------------------------------------------------------------------------------
// The access log (issue 8).

/// Views are numbered 1, 2, … without gaps, each hashed over its predecessor's hash and its
/// fields (`chain::access_hash`), also when appended concurrently; read back newest first,
/// filtered by case and user, and oldest first in the verifier's pages.
pub async fn access_log_is_one_hash_chain_read_newest_first(store: &impl Store) {
    use crate::chain::GENESIS;
    use crate::{AccessQuery, NewAccess, Viewed};
    let view = |i: i64, user: &str, case: &str, what: Viewed| NewAccess {
        at: at(i * 60),
        user: user.into(),
        role: "sc_operator".into(),
        unit: "sc-1".into(),
        case_id: CaseId(case.into()),
        what,
        document: (what == Viewed::Document).then(|| "invitation".to_owned()),
        language: (what == Viewed::Document).then(|| "kk-ru".to_owned()),
        origin: (i % 2 == 0).then(|| format!("10.0.0.{i}")),
    };
    assert!(ok("empty log", store.access_log(&AccessQuery::default()).await).is_empty(), "a new store has no views");
    let first = ok("first view", store.record_access(&view(1, "u1", "case-a", Viewed::Case)).await);
    assert_eq!((first.seq, first.hash.clone()), (1, first.recompute(GENESIS)), "row 1 chains to the genesis hash");
    assert_eq!((first.what.as_str(), first.origin.as_deref(), first.at), ("case", None, at(60)), "the fields are kept");
    ok("second view", store.record_access(&view(2, "u2", "case-a", Viewed::Document)).await);
    ok("third view", store.record_access(&view(3, "u1", "case-b", Viewed::Receipt)).await);

    // Racing appends, as from several replicas: each gets its own number, none is lost.
    let racers: Vec<NewAccess> = (4..12).map(|i| view(i, "u3", "case-c", Viewed::Coordination)).collect();
    let mut numbers = Vec::new();
    for pair in racers.chunks(4) {
        let (a, b, c, d) = tokio::join!(
            store.record_access(&pair[0]),
            store.record_access(&pair[1]),
            store.record_access(&pair[2]),
            store.record_access(&pair[3])
        );
        numbers.extend([a, b, c, d].into_iter().map(|r| ok("racing view", r).seq));
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (4..12).collect::<Vec<u64>>(), "concurrent appends get consecutive numbers");

    let chain = ok("access chain", store.access_chain(0, 100).await);
    assert_eq!(chain.iter().map(|r| r.seq).collect::<Vec<_>>(), (1..12).collect::<Vec<u64>>(), "oldest first, without gaps");
    let mut prev = GENESIS.to_owned();
    for row in &chain {
        assert_eq!(row.hash, row.recompute(&prev), "row {} is chained to the one before it", row.seq);
        prev = row.hash.clone();
    }
    assert_eq!(chain[1].document.as_deref(), Some("invitation"));
    assert_eq!(chain[1].language.as_deref(), Some("kk-ru"));
    assert_eq!(chain[1].origin.as_deref(), Some("10.0.0.2"));
    let page = ok("a page", store.access_chain(2, 3).await);
    assert_eq!(page.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![3, 4, 5], "a page starts after `after` and holds `limit` rows");

    let newest = ok("newest", store.access_log(&AccessQuery { limit: 2, ..Default::default() }).await);
    assert_eq!(newest.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![11, 10], "newest first, at most `limit`");
    let of_a = ok("of case a", store.access_log(&AccessQuery { case_id: Some(CaseId("case-a".into())), ..Default::default() }).await);
    assert_eq!(of_a.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![2, 1], "filtered by case");
    let of_u1 = ok("of u1", store.access_log(&AccessQuery { user: Some("u1".into()), ..Default::default() }).await);
    assert_eq!(of_u1.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![3, 1], "filtered by user");
    let both = AccessQuery { case_id: Some(CaseId("case-a".into())), user: Some("u1".into()), limit: 0 };
    assert_eq!(ok("of u1 on case a", store.access_log(&both).await).iter().map(|r| r.seq).collect::<Vec<_>>(), vec![1], "both filters");
}

/// Many commits of different cases at once (as many requests in flight): every one lands whole,
/// each case reads back as committed, and every event has its own commit sequence number, within
/// the audit mark.
pub async fn concurrent_commits_of_different_cases_all_land(store: &impl Store) {
    const CASES: usize = 24;
    let cases: Vec<Fixture> =
        (0..CASES).map(|i| Fixture::new(&format!("case-{i:02}"), &format!("2026-{i:04}"), "sc-1", "prov-1", at(0))).collect();
    let opened = join_all(cases.iter().map(|c| store.commit(c.open())).collect()).await;
    for (c, r) in cases.iter().zip(opened) {
        ok(&format!("open {} among {CASES} at once", c.id), r);
    }
    let followed = join_all(cases.iter().map(|c| store.commit(c.produce(2, &["receipt"], at(60)))).collect()).await;
    for (c, r) in cases.iter().zip(followed) {
        ok(&format!("follow up {} among {CASES} at once", c.id), r);
    }
    for c in &cases {
        let events = ok("load events", store.load_events(&c.id).await);
        let expected: Vec<Event> = [c.open().events, c.produce(2, &["receipt"], at(60)).events].concat();
        assert_eq!(events, expected, "case {}: both commits' events, in order", c.id);
        let summary = ok("case summary", store.case_summary(&c.id).await).expect("the case exists");
        assert_eq!(summary.version, 3, "case {}: the summary of the second commit", c.id);
    }
    let ids: Vec<CaseId> = cases.iter().map(|c| c.id.clone()).collect();
    let mut seqs = sequences(store, &ids).await;
    seqs.sort_unstable();
    let total = seqs.len();
    seqs.dedup();
    assert_eq!(seqs.len(), total, "no two events share a commit sequence number");
    assert_eq!(total, CASES * 3, "three events per case");
    let mark = ok("audit mark", store.audit_mark().await);
    assert!(seqs.last().is_some_and(|s| *s <= mark), "the audit mark covers every committed event");
}

/// Among commits in flight at once, the ones that fail on their own (a stale version, a used
/// idempotency key, a used reference) fail with their own error and leave no trace; the others
/// land.
pub async fn a_failing_unit_among_concurrent_ones_fails_alone(store: &impl Store) {
    let old = Fixture::new("case-old", "2026-0100", "sc-1", "prov-1", at(0));
    let mut open_old = old.open();
    open_old.idempotency = Some(old.idempotency("operator-1", "used-key", "hash", at(0)));
    ok("open the existing case", store.commit(open_old).await);

    let good: Vec<Fixture> =
        (0..6).map(|i| Fixture::new(&format!("case-{i}"), &format!("2026-1{i:03}"), "sc-1", "prov-1", at(10))).collect();
    let stale = old.produce(1, &["stale"], at(60));
    let same_reference = Fixture::new("case-same-ref", "2026-0100", "sc-1", "prov-1", at(10));
    let same_key = Fixture::new("case-same-key", "2026-0200", "sc-1", "prov-1", at(10));
    let mut same_key_open = same_key.open();
    same_key_open.idempotency = Some(same_key.idempotency("operator-1", "used-key", "other-hash", at(10)));

    // The failing units sit between good ones, so that a batching backend has them mid-batch.
    let mut units = Vec::new();
    for (i, c) in good.iter().enumerate() {
        units.push(c.open());
        match i {
            1 => units.push(stale.clone()),
            3 => units.push(same_reference.open()),
            4 => units.push(same_key_open.clone()),
            _ => {}
        }
    }
    let results = join_all(units.iter().map(|u| store.commit(u.clone())).collect()).await;
    for (u, r) in units.iter().zip(results) {
        match u.case_id.0.as_str() {
            "case-old" => assert_conflict("the stale unit among others", r, &old.id, 1, 2),
            "case-same-ref" => match r {
                Err(StoreError::DuplicateReference(reference)) => assert_eq!(reference, "2026-0100"),
                other => panic!("a used reference among others: expected DuplicateReference, got {other:?}"),
            },
            "case-same-key" => match r {
                Err(StoreError::DuplicateKey) => {}
                other => panic!("a used idempotency key among others: expected DuplicateKey, got {other:?}"),
            },
            id => ok(&format!("the good unit {id} among failing ones"), r),
        }
    }
    for c in &good {
        assert_eq!(ok("load events", store.load_events(&c.id).await), c.open().events, "case {}: its unit landed whole", c.id);
    }
    let nothing = Trace { events: vec![], summary: None, tasks: vec![], outbox: vec![] };
    assert_eq!(trace(store, &same_reference.id).await, nothing, "the case refused for its reference does not exist");
    assert_eq!(trace(store, &same_key.id).await, nothing, "the case refused for its key does not exist");
    assert_eq!(ok("load events", store.load_events(&old.id).await), old.open().events, "the stale unit appended nothing");
    let record = ok("find idempotent", store.find_idempotent("operator-1", "used-key").await).expect("the first record");
    assert_eq!(record.case_id, old.id, "the used key still names the first case");
}

/// Units for one case in flight at once, each decided on the version the one before it
/// produces: each lands only if the case is at its version when it is applied, as if they were
/// committed one after another; a unit decided on a version already taken conflicts.
pub async fn concurrent_units_for_one_case_apply_in_version_order(store: &impl Store) {
    let case = Fixture::new("case-1", "2026-0001", "sc-1", "prov-1", at(0));
    ok("open the case", store.commit(case.open()).await);
    // Decided on versions 2, 3, 4, 5 (a chain), and one more on 2 (stale once the first lands).
    let mut units: Vec<UnitOfWork> = (0..4u64).map(|i| case.produce(2 + i, &[format!("doc-{i}").as_str()], at(60 + i as i64))).collect();
    units.push(case.produce(2, &["late"], at(70)));
    let results = join_all(units.iter().map(|u| store.commit(u.clone())).collect()).await;

    let events = ok("load events", store.load_events(&case.id).await);
    let version = events.len() as u64;
    let stored: Vec<String> = events[2..]
        .iter()
        .map(|e| match &e.kind {
            EventKind::DocumentProduced { document, .. } => document.to_string(),
            other => panic!("only DocumentProduced events follow the opening, got {other:?}"),
        })
        .collect();
    // Each success appended exactly its own event at its own version.
    let mut landed: Vec<(u64, String)> = Vec::new();
    for (u, r) in units.iter().zip(results) {
        let EventKind::DocumentProduced { document, .. } = &u.events[0].kind else { unreachable!("fixture units produce documents") };
        match r {
            Ok(()) => landed.push((u.expected_version, document.to_string())),
            Err(StoreError::Conflict { expected, actual, .. }) => {
                assert_eq!(expected, u.expected_version, "{document}: the conflict names the unit's version");
                assert_ne!(actual, expected, "{document}: a conflict means the case was at another version");
            }
            Err(e) => panic!("{document}: expected success or Conflict, got {e:?}"),
        }
    }
    landed.sort();
    assert!(!landed.is_empty(), "the unit at the case's version lands, whichever runs first");
    assert_eq!(
        landed.iter().map(|(_, d)| d.clone()).collect::<Vec<_>>(),
        stored,
        "the stored events are exactly the successful units', in version order"
    );
    for (i, (expected, _)) in landed.iter().enumerate() {
        assert_eq!(*expected, 2 + i as u64, "successes are decided on consecutive versions from the case's: {landed:?}");
    }
    let summary = ok("case summary", store.case_summary(&case.id).await).expect("the case exists");
    assert_eq!(summary.version, version, "the summary is the last success's");
}

/// The purge of a case built from its chain as the engine builds it: each body replaced by a
/// redacted stand-in carrying the original hash, the redaction chain over them.
async fn purge_of(store: &impl Store, case: &CaseId, t: Timestamp) -> crate::Purge {
    use crate::chain::{self, GENESIS};
    let links = ok("event chain", store.event_chain(case).await);
    let mut bodies = Vec::new();
    let mut redacted_head = GENESIS.to_owned();
    for link in &links {
        let stub = json!({ "type": link.body["type"], "at": link.body["at"] });
        let body = chain::redacted_body(stub, link.hash.as_deref().expect("a chained event"));
        redacted_head = chain::redaction_hash(&redacted_head, &case.0, link.version, &body);
        bodies.push(body);
    }
    let last = links.last().expect("the case has events");
    crate::Purge {
        tombstone: crate::Tombstone {
            case_id: case.clone(),
            head_version: last.version,
            head_hash: last.hash.clone().expect("a chained event"),
            redacted_head,
            purged_at: t,
            purged_by: "retention-officer".into(),
            rule: "2018-2: 5 years after closing".into(),
        },
        bodies,
    }
}

/// Closed cases without a tombstone are the purge's candidates. A purge replaces the bodies of
/// the case's events (versions, hashes and commit sequence stay), writes the tombstone and
/// deletes the case's documents, outbox messages and idempotency records, and nothing of any
/// other case; the summary and task rows stay for reports. A purge at a stale version, or of a
/// case purged already, is a conflict that writes nothing.
pub async fn a_purge_redacts_the_case_and_leaves_a_tombstone(store: &impl Store) {
    let closed = Fixture::new("case-p", "2026-000090", "sc-1", "prov-1", at(0));
    let open = Fixture::new("case-o", "2026-000091", "sc-1", "prov-1", at(0));
    let closed_too = Fixture::new("case-q", "2026-000092", "sc-1", "prov-1", at(0));
    for (f, key) in [(&closed, "k-p"), (&open, "k-o"), (&closed_too, "k-q")] {
        let mut unit = f.open();
        unit.idempotency = Some(f.idempotency("operator-1", key, "h", at(0)));
        unit.outbox = vec![f.message(&format!("m-{key}"), "knb.request_coordination", at(0))];
        ok("open", store.commit(unit).await);
        let mut unit = f.produce(2, &["acceptance_receipt"], at(10));
        unit.documents = vec![document(f, &format!("doc-{key}"), "acceptance_receipt", None, None, at(10))];
        if f.id != open.id {
            unit.summary = f.summary(3, "closed", &[], at(10));
        }
        ok("close", store.commit(unit).await);
    }
    let candidates = ok("candidates", store.purge_candidates(None, 10).await);
    assert_eq!(case_ids(&candidates), ["case-p", "case-q"], "closed cases, by id; never an open one");
    assert_eq!(case_ids(&ok("next page", store.purge_candidates(Some(&closed.id), 1).await)), ["case-q"], "paged after `after`");
    assert_eq!(ok("tombstone", store.tombstone(&closed.id).await), None, "no tombstone before a purge");

    let before = ok("event chain", store.event_chain(&closed.id).await);
    let other_before = trace(store, &closed_too.id).await;
    let mut stale = purge_of(store, &closed.id, at(100)).await;
    stale.tombstone.head_version = 2;
    stale.bodies.pop();
    match store.purge_case(&stale).await {
        Err(StoreError::Conflict { expected: 2, actual: 3, .. }) => {}
        other => panic!("a purge at a stale version: expected Conflict, got {other:?}"),
    }
    assert_eq!(ok("event chain", store.event_chain(&closed.id).await), before, "a refused purge changes no event");
    assert_eq!(ok("tombstone", store.tombstone(&closed.id).await), None, "a refused purge writes no tombstone");
    assert_eq!(ok("documents", store.documents(&closed.id).await).len(), 1, "a refused purge deletes nothing");

    let purge = purge_of(store, &closed.id, at(100)).await;
    let counts = ok("purge", store.purge_case(&purge).await);
    assert_eq!(counts, crate::PurgeCounts { events: 3, documents: 1, outbox: 1, idempotency: 1 }, "what the purge changed");
    let after = ok("event chain", store.event_chain(&closed.id).await);
    assert_eq!(after.iter().map(|l| &l.body).collect::<Vec<_>>(), purge.bodies.iter().collect::<Vec<_>>(), "bodies are the redacted ones");
    assert_eq!(
        after.iter().map(|l| (l.version, l.hash.clone(), l.seq)).collect::<Vec<_>>(),
        before.iter().map(|l| (l.version, l.hash.clone(), l.seq)).collect::<Vec<_>>(),
        "versions, hashes and commit sequence stay"
    );
    assert_eq!(ok("tombstone", store.tombstone(&closed.id).await), Some(purge.tombstone.clone()), "the tombstone reads back");
    assert!(ok("documents", store.documents(&closed.id).await).is_empty(), "documents are deleted");
    assert!(ok("outbox", store.outbox(Some(&closed.id)).await).is_empty(), "outbox messages are deleted");
    assert_eq!(ok("idempotency", store.find_idempotent("operator-1", "k-p").await), None, "idempotency records are deleted");
    let summary = ok("summary", store.case_summary(&closed.id).await).expect("the summary stays");
    assert_eq!((summary.status.as_str(), summary.version), ("closed", 3), "the summary stays for reports");
    let tasks = ok("tasks", store.list_tasks(&TaskQuery { case_id: Some(closed.id.clone()), ..Default::default() }).await);
    assert_eq!(tasks.len(), 1, "task rows stay for reports");
    assert_eq!(case_ids(&ok("candidates", store.purge_candidates(None, 10).await)), ["case-q"], "a purged case is no candidate");

    match store.purge_case(&purge).await {
        Err(StoreError::Conflict { .. }) => {}
        other => panic!("a second purge of the case: expected Conflict, got {other:?}"),
    }
    assert_eq!(ok("event chain", store.event_chain(&closed.id).await), after, "a second purge changes nothing");
    assert_eq!(trace(store, &closed_too.id).await, other_before, "another case is untouched");
    assert_eq!(ok("documents", store.documents(&closed_too.id).await).len(), 1, "another case keeps its documents");
    assert!(ok("idempotency", store.find_idempotent("operator-1", "k-q").await).is_some(), "and its idempotency records");
    assert_eq!(ok("tombstone", store.tombstone(&open.id).await), None);
}
