//! The state machine's invariants under random sequences of commands by random people.
//!
//! A command is built from ten random numbers ("dice") read against the case as it stands:
//! about three in four commands are well formed (an open step, its role, its unit, its
//! assignee, an allowed outcome), so that real paths are walked to their end; the rest pick
//! role, unit, person, step, outcome, input and answer at random, known or not. The same
//! builder drives a deterministic run that checks every result is reached.

use crate::support::{def, open_command, operator, start_time};
use domain::case::{AdbRecord, CaseStatus, OutcomeInput, SystemAnswer, available_outcomes, decide};
use domain::definition::{Call, CaseResult, Definition, InputKind};
use domain::{Actor, Case, CaseId, Command, Event, Refusal, UserId};
use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::collections::BTreeMap;

type Dice = [u32; 10];

const USERS: [&str; 7] = ["exec1", "exec2", "op1", "clerk1", "boss1", "knb1", "mallory"];
const FOREIGN_UNIT: &str = "mvd-almaty";
const UNKNOWN: &str = "nonsense";

fn pick<T>(items: &[T], die: u32) -> &T {
    &items[die as usize % items.len()]
}

/// Whether a die of 0..100 falls under `percent`.
fn chance(die: u32, percent: u32) -> bool {
    die % 100 < percent
}

/// An input of `kind` that the edition accepts.
fn fitting_input(def: &Definition, kind: InputKind, d: u32) -> OutcomeInput {
    match kind {
        InputKind::MissingDocuments => {
            let n = def.checklist.len();
            let docs = (0..n).filter(|i| (d >> i) & 1 == 1 || *i == d as usize % n);
            OutcomeInput::MissingDocuments(docs.map(|i| def.checklist[i].id.clone()).collect())
        }
        InputKind::Assignee => OutcomeInput::Assignee(UserId((*pick(&["exec1", "exec2"], d)).into())),
        InputKind::RefusalGrounds => {
            OutcomeInput::RefusalGrounds { grounds: vec![pick(&def.refusal_grounds, d).id.clone()], reasoning: "stated reasons".into() }
        }
        InputKind::Extension => OutcomeInput::Extension { days: 1 + d % 30, reason: "a written request".into() },
    }
}

/// Any input, fitting or not.
fn random_input(def: &Definition, d: u32, e: u32) -> Option<OutcomeInput> {
    Some(match d % 10 {
        0 => return None,
        1 => OutcomeInput::MissingDocuments(vec![]),
        2 => OutcomeInput::MissingDocuments(vec![UNKNOWN.into()]),
        3 => OutcomeInput::Assignee(UserId("".into())),
        4 => OutcomeInput::RefusalGrounds { grounds: vec![], reasoning: "why".into() },
        5 => OutcomeInput::RefusalGrounds { grounds: vec![UNKNOWN.into()], reasoning: "".into() },
        6 => OutcomeInput::Extension { days: *pick(&[0, 31, 1000], e), reason: "late".into() },
        7 => OutcomeInput::Extension { days: 10, reason: " ".into() },
        _ => fitting_input(def, *pick(&InputKind::ALL, e), e / 4),
    })
}

fn random_answer(d: u32, e: u32) -> Option<SystemAnswer> {
    Some(match d % 6 {
        0 => return None,
        1 => SystemAnswer::Ack { reference: format!("REF-{e}") },
        2 => SystemAnswer::AdbClear,
        3 => SystemAnswer::AdbRecords { records: vec![] },
        4 => SystemAnswer::AdbRecords {
            records: vec![AdbRecord { person: "applicant".into(), ground: "prior_violations".into(), summary: "fined".into() }],
        },
        _ => SystemAnswer::InvitationRecorded {
            registration_number: format!("{:010}", e),
            issued_on: date(2026, 11, 30),
            valid_until: date(2027, 3, 1),
        },
    })
}

/// The answer a step's external system gives when things go as designed.
fn right_answer(call: Call, d: u32) -> SystemAnswer {
    match call {
        Call::AdbCheckPersons if d.is_multiple_of(2) => SystemAnswer::AdbClear,
        Call::AdbCheckPersons => random_answer(4, d).expect("records"),
        Call::BurkitRecordInvitation => random_answer(5, d).expect("recorded"),
        _ => SystemAnswer::Ack { reference: format!("ACK-{d}") },
    }
}

/// Builds one command from the dice, against the case as it stands.
fn command(def: &Definition, case: &Case, d: &Dice) -> (Actor, Command) {
    if d[9].is_multiple_of(50) {
        return (operator(), open_command(def));
    }
    let open: Vec<_> = case.open_tasks().collect();
    if chance(d[0], 75) && !open.is_empty() {
        let task = *pick(&open, d[1]);
        let step = def.step(&task.step).expect("open steps are in the edition");
        let user = task.assignee.clone().unwrap_or_else(|| UserId((*pick(&USERS, d[4])).into()));
        let actor = Actor { user, role: task.role.clone(), unit: task.unit.clone() };
        let command = match step.call {
            Some(call) => {
                // Now and then a system answers out of turn, with an answer of any kind.
                let answer = if chance(d[7], 75) { Some(right_answer(call, d[8])) } else { random_answer(1 + d[8] % 5, d[6]) };
                Command::Perform { step: step.id.to_string(), outcome: None, input: None, answer }
            }
            None => {
                let allowed = available_outcomes(step, case);
                let outcome = if allowed.is_empty() { pick(&step.outcomes, d[5]) } else { *pick(&allowed, d[5]) };
                let input = match (outcome.input, chance(d[6], 85)) {
                    (Some(kind), true) => Some(fitting_input(def, kind, d[8])),
                    (None, true) => None,
                    (_, false) => random_input(def, d[8], d[6]),
                };
                let answer = if chance(d[7], 95) { None } else { random_answer(d[8], d[6]) };
                Command::Perform { step: step.id.to_string(), outcome: Some(outcome.id.to_string()), input, answer }
            }
        };
        return (actor, command);
    }
    let mut roles: Vec<&str> = def.roles.iter().map(|r| r.id.as_str()).collect();
    roles.push("stranger");
    let unit_choices = [case.units.sc_branch.as_str(), case.units.provider.as_str(), case.units.knb.as_str(), FOREIGN_UNIT];
    let actor =
        Actor { user: UserId((*pick(&USERS, d[4])).into()), role: (*pick(&roles, d[2])).into(), unit: (*pick(&unit_choices, d[3])).into() };
    let mut step_ids: Vec<&str> = def.steps.iter().map(|s| s.id.as_str()).collect();
    step_ids.push("P99");
    let step_id = *pick(&step_ids, d[1]);
    let outcome = match def.step(step_id) {
        _ if d[5].is_multiple_of(7) => None,
        Some(step) if d[5] % 7 != 1 => Some(pick(&step.outcomes, d[5] / 7).id.to_string()),
        _ => Some(UNKNOWN.to_owned()),
    };
    let command =
        Command::Perform { step: step_id.into(), outcome, input: random_input(def, d[6], d[8]), answer: random_answer(d[7], d[8]) };
    (actor, command)
}

/// The invariants every state of a case keeps.
fn check_invariants(def: &Definition, case: &Case) -> Result<(), String> {
    let mut per_step: BTreeMap<&str, usize> = BTreeMap::new();
    for t in case.open_tasks() {
        let step = def.step(&t.step).ok_or_else(|| format!("open task of unknown step {}", t.step))?;
        if t.role != step.role {
            return Err(format!("task {} of {} has role {}, the edition says {}", t.id, t.step, t.role, step.role));
        }
        let role = def.role(&step.role).ok_or_else(|| format!("unknown role {}", step.role))?;
        if t.unit != *case.units.of(role.unit) {
            return Err(format!("task {} of {} belongs to {}, not {}", t.id, t.step, t.unit, case.units.of(role.unit)));
        }
        *per_step.entry(t.step.as_str()).or_default() += 1;
    }
    if let Some((step, n)) = per_step.iter().find(|(_, n)| **n > 1) {
        return Err(format!("{n} open tasks of step {step}"));
    }
    let open = case.open_tasks().count();
    match case.status {
        CaseStatus::Closed if open > 0 => return Err(format!("closed with {open} open tasks")),
        CaseStatus::Closed if case.result.is_none() => return Err("closed without a result".into()),
        CaseStatus::Open if open == 0 => return Err("open with no open task".into()),
        CaseStatus::Open if case.result.is_some() => return Err("open with a result".into()),
        _ => {}
    }
    let has = |f: &str| case.facts.contains(f);
    match case.result {
        Some(CaseResult::InvitationIssued) => {
            for f in ["adb.clear", "knb.agreed", "draft.invitation"] {
                if !has(f) {
                    return Err(format!("invitation issued without fact {f}"));
                }
            }
            if case.invitation.is_none() {
                return Err("invitation issued without an invitation record".into());
            }
        }
        Some(CaseResult::Refused) if !has("draft.refusal") => {
            return Err("refused without a drafted refusal".into());
        }
        Some(CaseResult::RefusedToAccept) if case.missing_documents.is_empty() => {
            return Err("refused to accept without missing documents".into());
        }
        _ => {}
    }
    Ok(())
}

/// The outcome of one run of commands.
struct Run {
    result: Option<CaseResult>,
}

/// Opens a case and applies the commands the dice build, checking everything after each.
fn run(def: &Definition, dice: &[Dice], check: bool) -> Result<Run, String> {
    let id = CaseId("case-prop".into());
    let mut now: Timestamp = start_time();
    let mut events: Vec<Event> =
        decide(def, None, &operator(), &open_command(def), now).map_err(|r| format!("the case does not open: {r}"))?;
    let mut case = Case::replay(id.clone(), &events).ok_or("no CaseOpened")?;
    if check {
        check_invariants(def, &case)?;
    }
    // The accepted commands so far, to show how a failing state was reached.
    let mut trail: Vec<String> = Vec::new();
    for (i, d) in dice.iter().enumerate() {
        now += SignedDuration::from_mins(7);
        let (actor, command) = command(def, &case, d);
        let before = case.clone();
        match decide(def, Some(&case), &actor, &command, now) {
            Ok(new) => {
                if case.status == CaseStatus::Closed {
                    return Err(format!("command {i} accepted on a closed case: {command:?}"));
                }
                for e in &new {
                    case.apply(e);
                }
                if let Command::Perform { step, outcome, answer, .. } = &command {
                    let by = match answer {
                        Some(SystemAnswer::Ack { .. }) => "Ack".to_owned(),
                        Some(SystemAnswer::AdbClear) => "AdbClear".to_owned(),
                        Some(SystemAnswer::AdbRecords { .. }) => "AdbRecords".to_owned(),
                        Some(SystemAnswer::InvitationRecorded { .. }) => "InvitationRecorded".to_owned(),
                        None => outcome.clone().unwrap_or_default(),
                    };
                    trail.push(format!("{step}: {by}"));
                }
                events.extend(new);
                if !check {
                    continue;
                }
                check_invariants(def, &case)
                    .map_err(|m| format!("after command {i} {command:?} by {actor:?}: {m}\naccepted so far: {}", trail.join(", ")))?;
                let replayed = Case::replay(id.clone(), &events).ok_or("the log does not replay")?;
                if replayed != case {
                    return Err(format!("after command {i}: the replayed case differs from the applied one"));
                }
            }
            Err(refusal) => {
                if case != before {
                    return Err(format!("refused command {i} changed the case"));
                }
                let closed_refusal = matches!(command, Command::Perform { .. }) && case.status == CaseStatus::Closed;
                if closed_refusal && refusal != Refusal::CaseClosed {
                    return Err(format!("command {i} on a closed case refused with {refusal:?}, not CaseClosed"));
                }
                if matches!(command, Command::Open { .. }) && refusal != Refusal::AlreadyOpen {
                    return Err(format!("opening an open case refused with {refusal:?}"));
                }
            }
        }
    }
    Ok(Run { result: case.result })
}

fn config() -> Config {
    Config { cases: 2048, failure_persistence: None, ..Config::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_commands_keep_every_invariant_of_a_case(dice in prop::collection::vec(any::<Dice>(), 1..=40)) {
        let def = def();
        if let Err(message) = run(&def, &dice, true) {
            prop_assert!(false, "{}", message);
        }
    }
}

/// The generator walks real paths: with a fixed seed, runs of the same length as the property
/// test reach each of the three results, and often enough.
#[test]
fn random_runs_reach_every_result() {
    let def = def();
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]));
    let strategy = prop::collection::vec(any::<Dice>(), 40);
    let mut reached: BTreeMap<&str, usize> = BTreeMap::new();
    let runs = 400;
    for _ in 0..runs {
        let dice = strategy.new_tree(&mut runner).expect("dice").current();
        let run = run(&def, &dice, false).unwrap_or_else(|m| panic!("{m}"));
        let key = run.result.map_or("still open", CaseResult::code);
        *reached.entry(key).or_default() += 1;
    }
    for result in CaseResult::ALL {
        let n = reached.get(result.code()).copied().unwrap_or(0);
        assert!(n >= runs / 50, "only {n} of {runs} runs reached {}: {reached:?}", result.code());
    }
}

/// The same invariants over many fixed-seed runs, so that a failure repeats exactly.
#[test]
fn many_fixed_seed_runs_keep_every_invariant_of_a_case() {
    let def = def();
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &[11; 32]));
    let strategy = prop::collection::vec(any::<Dice>(), 1..=40);
    for n in 0..2000 {
        let dice = strategy.new_tree(&mut runner).expect("dice").current();
        if let Err(m) = run(&def, &dice, true) {
            panic!("run {n}: {m}");
        }
    }
}
