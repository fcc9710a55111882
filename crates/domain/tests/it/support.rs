//! What the tests share: the shipped 2018 edition, a valid application, the people of a case
//! and a small driver that decides commands and applies their events.

use domain::application::{Application, ApplicationDraft};
use domain::case::{CaseUnits, OutcomeInput, SystemAnswer};
use domain::{Actor, Case, CaseId, Command, Definition, Event, Refusal, UserId};
use jiff::civil::{Date, date};
use jiff::{SignedDuration, Timestamp};

/// The shipped definition file of the 2018 edition.
pub const SRC: &str = include_str!("../../../../regulation/2018.toml");
/// The name problems are reported under.
pub const FILE: &str = "regulation/2018.toml";

pub const TODAY: Date = date(2026, 11, 24);
pub const SC_BRANCH: &str = "sc-astana-1";
pub const PROVIDER: &str = "mvd-astana";
pub const KNB: &str = "knb";

pub fn def() -> Definition {
    domain::definition::load(FILE, SRC).unwrap_or_else(|p| panic!("the shipped 2018 edition does not load:\n{p}"))
}

/// A draft that passes on [`TODAY`] against the 2018 checklist (the same as the crate's own
/// unit-test draft).
pub fn draft() -> ApplicationDraft {
    domain::application::example_draft()
}

pub fn application(def: &Definition) -> Application {
    let checklist: Vec<&str> = def.checklist.iter().map(|c| c.id.as_str()).collect();
    draft().validate(TODAY, &checklist).unwrap_or_else(|e| panic!("the test draft is invalid: {e:?}"))
}

pub fn units() -> CaseUnits {
    CaseUnits { sc_branch: SC_BRANCH.into(), provider: PROVIDER.into(), knb: KNB.into() }
}

pub fn actor(user: &str, role: &str, unit: &str) -> Actor {
    Actor { user: UserId(user.into()), role: role.into(), unit: unit.into() }
}

pub fn operator() -> Actor {
    actor("op1", "sc_operator", SC_BRANCH)
}
pub fn office() -> Actor {
    actor("clerk1", "office", PROVIDER)
}
pub fn management() -> Actor {
    actor("boss1", "management", PROVIDER)
}
/// The executor whom management chooses in the walks.
pub fn executor() -> Actor {
    actor("exec1", "executor", PROVIDER)
}
/// Another executor of the same provider.
pub fn executor2() -> Actor {
    actor("exec2", "executor", PROVIDER)
}
pub fn knb() -> Actor {
    actor("knb1", "knb_liaison", KNB)
}

/// 9:00 in Astana (UTC+5) on the day the application is taken.
pub fn start_time() -> Timestamp {
    "2026-11-24T04:00:00Z".parse().expect("a valid timestamp")
}

pub fn open_command(def: &Definition) -> Command {
    Command::Open { reference: "SC-2026-000001".into(), application: application(def), units: units() }
}

/// A person's choice of outcome.
pub fn choose(step: &str, outcome: &str) -> Command {
    Command::Perform { step: step.into(), outcome: Some(outcome.into()), input: None, answer: None }
}

/// A person's choice of outcome with the input it takes.
pub fn choose_with(step: &str, outcome: &str, input: OutcomeInput) -> Command {
    Command::Perform { step: step.into(), outcome: Some(outcome.into()), input: Some(input), answer: None }
}

/// The answer of the step's external system.
pub fn answer(step: &str, answer: SystemAnswer) -> Command {
    Command::Perform { step: step.into(), outcome: None, input: None, answer: Some(answer) }
}

pub fn ack(reference: &str) -> SystemAnswer {
    SystemAnswer::Ack { reference: reference.into() }
}

pub fn invitation_recorded() -> SystemAnswer {
    SystemAnswer::InvitationRecorded {
        registration_number: "0000012345".into(),
        issued_on: date(2026, 11, 25),
        valid_until: date(2027, 2, 25),
    }
}

pub fn assignee(user: &str) -> OutcomeInput {
    OutcomeInput::Assignee(UserId(user.into()))
}

/// One case driven through `decide` and `Case::apply`, one minute per command.
pub struct Walk {
    pub def: Definition,
    pub id: CaseId,
    pub case: Option<Case>,
    pub events: Vec<Event>,
    pub now: Timestamp,
}

impl Walk {
    pub fn new() -> Walk {
        Walk { def: def(), id: CaseId("case-1".into()), case: None, events: Vec::new(), now: start_time() }
    }

    /// A walk whose case the operator has opened.
    pub fn opened() -> Walk {
        let mut w = Walk::new();
        let open = open_command(&w.def);
        w.ok(&operator(), open);
        w
    }

    pub fn case(&self) -> &Case {
        self.case.as_ref().expect("the case is open")
    }

    /// Decides the command; applies its events when accepted.
    pub fn run(&mut self, actor: &Actor, command: Command) -> Result<Vec<Event>, Refusal> {
        self.now += SignedDuration::from_mins(1);
        let events = domain::case::decide(&self.def, self.case.as_ref(), actor, &command, self.now)?;
        for e in &events {
            match &mut self.case {
                Some(c) => c.apply(e),
                None => self.case = Some(Case::replay(self.id.clone(), std::slice::from_ref(e)).expect("a log starts with CaseOpened")),
            }
            self.events.push(e.clone());
        }
        Ok(events)
    }

    /// The command must be accepted.
    #[track_caller]
    pub fn ok(&mut self, actor: &Actor, command: Command) -> Vec<Event> {
        let shown = format!("{command:?}");
        self.run(actor, command).unwrap_or_else(|r| panic!("{} refused {shown}: {r}", actor.role))
    }

    /// The command must be refused, and must change nothing.
    #[track_caller]
    pub fn refused(&mut self, actor: &Actor, command: Command) -> Refusal {
        let before = (self.case.clone(), self.events.len());
        let shown = format!("{command:?}");
        let refusal = match self.run(actor, command) {
            Ok(events) => panic!("{} was allowed {shown}: {events:?}", actor.role),
            Err(r) => r,
        };
        assert_eq!((self.case.clone(), self.events.len()), before, "a refused command changed the case");
        refusal
    }

    /// The steps whose tasks are open, in the order they opened.
    pub fn open_steps(&self) -> Vec<String> {
        self.case.as_ref().map(|c| c.open_tasks().map(|t| t.step.to_string()).collect()).unwrap_or_default()
    }

    /// The log replays to exactly the state built event by event.
    #[track_caller]
    pub fn assert_replays(&self) {
        let replayed = Case::replay(self.id.clone(), &self.events).expect("the log starts with CaseOpened");
        assert_eq!(Some(&replayed), self.case.as_ref());
    }

    /// SC1 → SC4: the front office accepts the application and forwards it.
    pub fn accept_at_front_office(&mut self) {
        self.ok(&operator(), choose("SC1", "complete"));
        self.ok(&operator(), choose("SC2", "identified"));
        self.ok(&operator(), choose("SC3", "accepted"));
        self.ok(&operator(), answer("SC4", ack("SC-FWD-1")));
    }

    /// SC1 → P3: up to the ADB check, with exec1 as the executor.
    pub fn walk_to_adb_check(&mut self) {
        self.accept_at_front_office();
        self.ok(&office(), choose("P1", "registered"));
        self.ok(&management(), choose_with("P2", "assigned", assignee("exec1")));
        self.ok(&executor(), answer("P3", ack("BURKIT-1")));
    }

    /// SC1 → P4 clear: up to the KNB coordination.
    pub fn walk_to_knb(&mut self) {
        self.walk_to_adb_check();
        self.ok(&executor(), answer("P4", SystemAnswer::AdbClear));
    }
}
