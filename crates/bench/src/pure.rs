//! The pure engine: commands decided by `domain::case::decide` and folded in by `Case::apply`
//! on the shipped 2018 definition, with no storage, clock or external system in the way.

use crate::report::{Figure, Report};
use crate::scenario::{self, Action, Input, Knb, Path, Who};
use domain::case::{CaseUnits, OutcomeInput, SystemAnswer};
use domain::{Actor, Case, CaseId, Command, Definition, Event, UserId};
use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};
use std::hint::black_box;
use std::time::Instant;

const DEFINITION: &str = include_str!("../../../regulation/2018.toml");

struct People {
    operator: Actor,
    office: Actor,
    head: Actor,
    executor: Actor,
    knb: Actor,
}

fn actor(user: &str, role: &str, unit: &str) -> Actor {
    Actor { user: UserId(user.into()), role: role.into(), unit: unit.into() }
}

fn people() -> People {
    People {
        operator: actor("sc_operator@sc-astana-1", "sc_operator", "sc-astana-1"),
        office: actor("office@mvd-astana", "office", "mvd-astana"),
        head: actor("management@mvd-astana", "management", "mvd-astana"),
        executor: actor("executor1@mvd-astana", "executor", "mvd-astana"),
        knb: actor("knb-gateway", "knb_liaison", "knb"),
    }
}

/// The answer the step's external system gives on `path` (the engine would ask it).
fn answer(step: &str, path: Path) -> Option<SystemAnswer> {
    let ack = || Some(SystemAnswer::Ack { reference: format!("{step}-ack") });
    match step {
        "SC4" | "P3" | "P5n" | "P9" => ack(),
        "P4" if path == Path::AdbRefusal => Some(SystemAnswer::AdbRecords {
            records: vec![domain::case::AdbRecord {
                person: "invitee:0".into(),
                ground: "entry_ban".into(),
                summary: "entry banned".into(),
            }],
        }),
        "P4" => Some(SystemAnswer::AdbClear),
        "P8" => Some(SystemAnswer::InvitationRecorded {
            registration_number: "0000012345".into(),
            issued_on: date(2026, 11, 25),
            valid_until: date(2027, 2, 10),
        }),
        _ => None,
    }
}

/// The command and its actor for one scripted action.
fn command<'p>(def: &Definition, people: &'p People, path: Path, action: Action, reference: &str) -> (&'p Actor, Command) {
    match action {
        Action::Open => {
            let mut draft = domain::application::example_draft();
            draft.invitees[0].passport_number = path.passport().into();
            draft.documents_presented = def.checklist.iter().map(|c| c.id.clone()).collect();
            let checklist: Vec<&str> = def.checklist.iter().map(|c| c.id.as_str()).collect();
            let application = draft.validate(date(2026, 11, 24), &checklist).expect("the example application is valid");
            let units = CaseUnits { sc_branch: "sc-astana-1".into(), provider: "mvd-astana".into(), knb: "knb".into() };
            (&people.operator, Command::Open { reference: reference.into(), application, units })
        }
        Action::Step { who, step, outcome, input } => {
            let actor = match who {
                Who::Operator => &people.operator,
                Who::Office => &people.office,
                Who::Head => &people.head,
                Who::Executor => &people.executor,
            };
            let input = input.map(|i| match i {
                Input::MissingDocument(d) => OutcomeInput::MissingDocuments(vec![d.into()]),
                Input::Assignee => OutcomeInput::Assignee(people.executor.user.clone()),
                Input::RefusalGround(g) => OutcomeInput::RefusalGrounds { grounds: vec![g.into()], reasoning: "see the checks".into() },
            });
            let command = Command::Perform { step: step.into(), outcome: outcome.map(str::to_owned), input, answer: answer(step, path) };
            (actor, command)
        }
        Action::Knb(verdict) => {
            let (outcome, input) = match verdict {
                Knb::Agree => ("agree", None),
                Knb::Object => ("object", None),
                Knb::Extend => {
                    ("extend", Some(OutcomeInput::Extension { days: scenario::EXTENSION_DAYS, reason: "additional checks".into() }))
                }
            };
            (&people.knb, Command::Perform { step: "P5".into(), outcome: Some(outcome.into()), input, answer: None })
        }
    }
}

/// How a case is rebuilt before each command.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fold {
    /// Keep the state and apply each new event (a process that holds cases in memory).
    Incremental,
    /// Replay the whole log before every command, as `Engine` does after loading the events.
    ReplayEachCommand,
}

/// Walks `cases` cases of the mix; returns (commands decided, events applied).
fn walk(def: &Definition, people: &People, scripts: &[(Path, Vec<(usize, Command)>)], cases: u64, fold: Fold) -> (u64, u64) {
    let start: Timestamp = "2026-11-24T04:00:00Z".parse().expect("valid");
    let actors = [&people.operator, &people.office, &people.head, &people.executor, &people.knb];
    let (mut commands, mut applied) = (0u64, 0u64);
    for i in 0..cases {
        let (_, script) = &scripts[(i % 10) as usize];
        let id = CaseId(format!("case-{i}"));
        let mut now = start;
        let mut case: Option<Case> = None;
        let mut log: Vec<Event> = Vec::with_capacity(64);
        for (who, cmd) in script {
            now += SignedDuration::from_mins(1);
            if fold == Fold::ReplayEachCommand && !log.is_empty() {
                case = Case::replay(id.clone(), &log);
                applied += log.len() as u64;
            }
            let events = domain::case::decide(def, case.as_ref(), actors[*who], cmd, now).expect("the scripted command is accepted");
            commands += 1;
            for e in &events {
                match &mut case {
                    Some(c) => c.apply(e),
                    None => case = Case::replay(id.clone(), std::slice::from_ref(e)),
                }
                applied += 1;
            }
            log.extend(events);
        }
        black_box(&case);
    }
    (commands, applied)
}

pub fn run(report: &mut Report, cases: u64) {
    let def = domain::definition::load("regulation/2018.toml", DEFINITION).expect("the shipped definition loads");
    let people = people();
    let actor_index = |a: &Actor| match a.role.as_str() {
        "sc_operator" => 0,
        "office" => 1,
        "management" => 2,
        "executor" => 3,
        _ => 4,
    };
    // Commands are built once per path: the measurement is of deciding and applying them.
    let scripts: Vec<(Path, Vec<(usize, Command)>)> = (0..10)
        .map(|i| {
            let path = Path::of(i);
            let commands = scenario::script(path)
                .into_iter()
                .map(|a| {
                    let (actor, cmd) = command(&def, &people, path, a, "2026-000001");
                    (actor_index(actor), cmd)
                })
                .collect();
            (path, commands)
        })
        .collect();
    report.section("pure engine (domain::case::decide + Case::apply, 2018 definition, the mix)");
    report.note(&format!("{cases} cases, {:.1} commands per case on average", scenario::actions_per_case()));
    for (fold, name) in [(Fold::Incremental, "decide + apply"), (Fold::ReplayEachCommand, "replay the log + decide + apply")] {
        walk(&def, &people, &scripts, cases / 20, fold); // warm-up
        let t = Instant::now();
        let (commands, applied) = walk(&def, &people, &scripts, cases, fold);
        let secs = t.elapsed().as_secs_f64();
        report.figure(Figure::new(&format!("pure: {name}: steps/s"), commands as f64 / secs, "steps/s").target(1_000_000.0, true));
        report.figure(Figure::new(&format!("pure: {name}: events applied/s"), applied as f64 / secs, "events/s"));
        report.figure(Figure::new(&format!("pure: {name}: complete cases/s"), cases as f64 / secs, "cases/s"));
    }
}
