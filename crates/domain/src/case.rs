//! The case state machine. `decide` turns a command into events or a refusal with its reason;
//! `Case::apply` folds events into state. Both are pure: the time and the answers of external
//! systems come in as arguments, so a case's event log always replays to the same state.

use crate::application::Application;
use crate::definition::{Call, CaseResult, Definition, EditionRef, InputKind, Limit, Outcome, Step, UnitKind};
use crate::shared::SharedStr;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CaseId(pub String);

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub SharedStr);

impl std::fmt::Display for CaseId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who performs a command: an authenticated user acting in one role for one unit. Every event
/// a command makes carries a copy, so its strings are shared.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user: UserId,
    pub role: SharedStr,
    pub unit: SharedStr,
}

/// The units a case belongs to: the branch that accepted it, the provider that decides it and
/// the KNB body that coordinates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseUnits {
    pub sc_branch: SharedStr,
    pub provider: SharedStr,
    pub knb: SharedStr,
}

impl CaseUnits {
    pub fn of(&self, kind: UnitKind) -> &SharedStr {
        match kind {
            UnitKind::ScBranch => &self.sc_branch,
            UnitKind::Provider => &self.provider,
            UnitKind::Knb => &self.knb,
        }
    }
}

/// What a person supplies with an outcome (see `InputKind`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeInput {
    MissingDocuments(Vec<String>),
    Assignee(UserId),
    RefusalGrounds { grounds: Vec<String>, reasoning: String },
    Extension { days: u32, reason: String },
}

impl OutcomeInput {
    pub fn kind(&self) -> InputKind {
        match self {
            OutcomeInput::MissingDocuments(_) => InputKind::MissingDocuments,
            OutcomeInput::Assignee(_) => InputKind::Assignee,
            OutcomeInput::RefusalGrounds { .. } => InputKind::RefusalGrounds,
            OutcomeInput::Extension { .. } => InputKind::Extension,
        }
    }
}

/// One record the ADB holds on a person of the application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdbRecord {
    /// `applicant`, or `invitee:N` (0-based).
    pub person: String,
    /// A refusal ground id of the edition that the record supports.
    pub ground: String,
    pub summary: String,
}

/// An external system's answer to a step's call; its tag selects the outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SystemAnswer {
    Ack { reference: String },
    AdbClear,
    AdbRecords { records: Vec<AdbRecord> },
    InvitationRecorded { registration_number: String, issued_on: Date, valid_until: Date },
}

impl SystemAnswer {
    /// Whether this is an answer the operation can give at all: an acknowledgement cannot
    /// stand for an invitation record, nor an invitation record for an АДБ answer.
    pub fn fits(&self, call: Call) -> bool {
        match self {
            SystemAnswer::Ack { .. } => !matches!(call, Call::BurkitRecordInvitation | Call::AdbCheckPersons),
            SystemAnswer::InvitationRecorded { .. } => call == Call::BurkitRecordInvitation,
            SystemAnswer::AdbClear | SystemAnswer::AdbRecords { .. } => call == Call::AdbCheckPersons,
        }
    }

    pub fn tag(&self) -> &'static str {
        match self {
            SystemAnswer::Ack { .. } | SystemAnswer::InvitationRecorded { .. } => "ok",
            SystemAnswer::AdbClear => "clear",
            SystemAnswer::AdbRecords { .. } => "records",
        }
    }
}

// A command is built once and moved a few times; boxing the application would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Open a case for an application taken at the front office.
    Open { reference: String, application: Application, units: CaseUnits },
    /// Finish (or, for an outcome that keeps it open, answer) the open task of a step.
    Perform { step: String, outcome: Option<String>, input: Option<OutcomeInput>, answer: Option<SystemAnswer> },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub at: Timestamp,
    pub by: Actor,
    #[serde(flatten)]
    pub kind: EventKind,
}

// The opening event carries the application; events are serialized, not kept in bulk. The
// strings that come from the definition, the actor or the case's units are shared (`SharedStr`,
// `Arc`), and so is the application with the case state, so that deciding and replaying copy
// references rather than text; they serialize exactly as owned strings would.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    CaseOpened {
        reference: String,
        edition: EditionRef,
        application: Arc<Application>,
        units: CaseUnits,
    },
    TaskOpened {
        task: u32,
        step: SharedStr,
        role: SharedStr,
        unit: SharedStr,
        assignee: Option<UserId>,
        cites: Arc<[String]>,
        limit: Limit,
    },
    OutcomeRecorded {
        task: u32,
        step: SharedStr,
        outcome: SharedStr,
        closes_task: bool,
        input: Option<OutcomeInput>,
        /// With an `Assignee` input: the role whose later tasks go to that person.
        assigns: Option<SharedStr>,
        answer: Option<SystemAnswer>,
        sets: Arc<[SharedStr]>,
    },
    /// The deadline of a task, computed on the working calendar when it opened.
    DeadlineSet {
        task: u32,
        deadline: Deadline,
    },
    /// The service term, set at acceptance and moved by an extension.
    TermSet {
        term: ServiceTerm,
    },
    /// A timer found the task at risk or overdue; an overdue task is escalated to a role.
    TaskFlagged {
        task: u32,
        flag: Flag,
        escalated_to: Option<String>,
    },
    /// The service term ended before the result was sent to the State Corporation.
    TermOverrun {
        ends_on: Date,
    },
    DocumentProduced {
        task: u32,
        document: SharedStr,
    },
    /// The runtime made the document a `DocumentProduced` calls for: its stored content has
    /// this hash and, for a document an official signs, this signature. Follows the
    /// `DocumentProduced` at once, or (the invitation) once its registration number is known.
    DocumentIssued {
        task: u32,
        document: SharedStr,
        /// The stored document's id.
        id: String,
        /// SHA-256 (hex) of the document's canonical content.
        hash: String,
        /// The languages it can be printed in (`kk`, `ru`, `kk-ru`).
        #[serde(default)]
        languages: Vec<String>,
        #[serde(default)]
        signed: Option<DocumentSignature>,
    },
    CaseClosed {
        result: CaseResult,
    },
}

/// When a task is due, when it counts as at risk, and how that was worked out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub due: Timestamp,
    pub warn_at: Timestamp,
    /// The rule applied, e.g. "10 working minutes, the same day as the arrival from the State
    /// Corporation".
    pub rule: String,
    /// Each non-working stretch skipped and why, and each policy applied.
    pub explanation: Vec<String>,
}

/// What a timer found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    AtRisk,
    Overdue,
}

/// What a timer row stands for; it fires at its instant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TimerKind {
    /// The task reaches its warning moment.
    Warn { task: u32 },
    /// The task reaches its deadline.
    Due { task: u32 },
    /// The service term ends (at the end of `ends_on`).
    TermEnd { ends_on: Date },
}

impl TimerKind {
    pub fn code(&self) -> &'static str {
        match self {
            TimerKind::Warn { .. } => "warn",
            TimerKind::Due { .. } => "due",
            TimerKind::TermEnd { .. } => "term_end",
        }
    }
}

/// Where a task stands against its deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineStatus {
    OnTime,
    AtRisk,
    Overdue,
    DoneOnTime,
    DoneLate,
}

impl DeadlineStatus {
    /// The status at `now` of a task due at `due`, at risk from `warn_at`, done at `done_at`.
    pub fn at(due: Timestamp, warn_at: Timestamp, done_at: Option<Timestamp>, now: Timestamp) -> DeadlineStatus {
        match done_at {
            Some(done) if done <= due => DeadlineStatus::DoneOnTime,
            Some(_) => DeadlineStatus::DoneLate,
            None if now > due => DeadlineStatus::Overdue,
            None if now >= warn_at => DeadlineStatus::AtRisk,
            None => DeadlineStatus::OnTime,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            DeadlineStatus::OnTime => "on_time",
            DeadlineStatus::AtRisk => "at_risk",
            DeadlineStatus::Overdue => "overdue",
            DeadlineStatus::DoneOnTime => "done_on_time",
            DeadlineStatus::DoneLate => "done_late",
        }
    }
}

/// The service term of a case: from acceptance, extended by the KNB's request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceTerm {
    pub starts_at: Timestamp,
    /// The last day of the term (the result is handed over on it at the latest).
    pub ends_on: Date,
    /// The day by which the provider must deliver the result to the State Corporation.
    pub deliver_by: Date,
    pub explanation: Vec<String>,
}

impl EventKind {
    /// The event's type as stored and shown in a case's history.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::CaseOpened { .. } => "case_opened",
            EventKind::TaskOpened { .. } => "task_opened",
            EventKind::OutcomeRecorded { .. } => "outcome_recorded",
            EventKind::DeadlineSet { .. } => "deadline_set",
            EventKind::TermSet { .. } => "term_set",
            EventKind::TaskFlagged { .. } => "task_flagged",
            EventKind::TermOverrun { .. } => "term_overrun",
            EventKind::DocumentProduced { .. } => "document_produced",
            EventKind::DocumentIssued { .. } => "document_issued",
            EventKind::CaseClosed { .. } => "case_closed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: u32,
    pub step: SharedStr,
    pub role: SharedStr,
    pub unit: SharedStr,
    pub assignee: Option<UserId>,
    pub cites: Arc<[String]>,
    pub limit: Limit,
    pub opened_at: Timestamp,
    pub deadline: Option<Deadline>,
    /// Set by timers: when the task was found at risk, and overdue.
    pub at_risk_since: Option<Timestamp>,
    pub overdue_since: Option<Timestamp>,
    /// The role an overdue task was escalated to.
    pub escalated_to: Option<String>,
    pub done: Option<TaskDone>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskDone {
    pub at: Timestamp,
    pub outcome: SharedStr,
    pub by: UserId,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationRecord {
    pub registration_number: String,
    pub issued_on: Date,
    pub valid_until: Date,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionGranted {
    pub days: u32,
    pub reason: String,
    pub at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProducedDocument {
    pub document: SharedStr,
    pub task: u32,
    pub at: Timestamp,
    /// Set once the document is issued (see `EventKind::DocumentIssued`).
    #[serde(default)]
    pub issued: Option<IssuedDocument>,
}

/// A document as issued: its stored id, content hash, languages and signature, if signed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedDocument {
    pub id: String,
    pub hash: String,
    pub languages: Vec<String>,
    pub signed: Option<DocumentSignature>,
    pub at: Timestamp,
}

/// Who signed a document, with which key and when; the signature's bytes stay with the
/// stored document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentSignature {
    pub signer: UserId,
    pub algorithm: String,
    pub key_id: String,
    pub signed_at: Timestamp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Open,
    Closed,
}

/// A case's state: everything its events say, nothing more.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub id: CaseId,
    pub reference: String,
    pub edition: EditionRef,
    /// The number of events applied; commands name it to detect a stale view.
    pub version: u64,
    /// Shared with the opening event.
    pub application: Arc<Application>,
    pub units: CaseUnits,
    pub opened_at: Timestamp,
    pub opened_by: UserId,
    pub tasks: Vec<Task>,
    pub facts: BTreeSet<SharedStr>,
    /// Who performs each role's steps once assigned (the executor chosen at P2), by role.
    pub assignments: BTreeMap<SharedStr, UserId>,
    pub missing_documents: Vec<String>,
    pub adb_records: Vec<AdbRecord>,
    pub refusal: Option<(Vec<String>, String)>,
    pub extension: Option<ExtensionGranted>,
    pub invitation: Option<InvitationRecord>,
    pub term: Option<ServiceTerm>,
    /// The term ended before the result was sent to the State Corporation.
    pub term_overrun: bool,
    pub documents: Vec<ProducedDocument>,
    pub result: Option<CaseResult>,
    pub status: CaseStatus,
    pub closed_at: Option<Timestamp>,
}

/// Why a command was refused. Each says what the person can do about it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Refusal {
    #[error("only the role \"{needs}\" opens a case")]
    NotAllowedToOpen { needs: String },
    #[error("a case is opened by a {needs} of the State Corporation branch named on it")]
    OpenForOtherUnit { needs: String },
    #[error("the case is already open")]
    AlreadyOpen,
    #[error("the case does not exist")]
    NoSuchCase,
    #[error("the case is closed")]
    CaseClosed,
    #[error("step {step} is not in this edition")]
    UnknownStep { step: String },
    #[error("step {step} is not open now; open: {}", open.join(", "))]
    StepNotOpen { step: String, open: Vec<String> },
    #[error("step {step} is performed by the role \"{needs}\", not \"{has}\"")]
    WrongRole { step: String, needs: String, has: String },
    #[error("step {step} belongs to unit {unit}, not yours")]
    WrongUnit { step: String, unit: String },
    #[error("step {step} is assigned to another person")]
    AssignedToSomeoneElse { step: String },
    #[error("step {step} has no outcome \"{outcome}\"; it has: {}", available.join(", "))]
    UnknownOutcome { step: String, outcome: String, available: Vec<String> },
    #[error("step {step} needs an outcome; allowed now: {}", available.join(", "))]
    OutcomeNeeded { step: String, available: Vec<String> },
    #[error("outcome {outcome} of step {step} is not allowed now: {reason}")]
    OutcomeNotAllowed { step: String, outcome: String, reason: String },
    #[error("the outcome of step {step} comes from the answer of {system}, not from a person")]
    ChosenBySystem { step: String, system: String },
    #[error("step {step} needs the answer of its external system")]
    AnswerNeeded { step: String },
    #[error("step {step} cannot take the answer \"{answer}\"")]
    UnexpectedAnswer { step: String, answer: String },
    #[error("outcome {outcome} needs input \"{kind}\"")]
    InputNeeded { outcome: String, kind: String },
    #[error("outcome {outcome} takes no input \"{kind}\"")]
    InputNotExpected { outcome: String, kind: String },
    #[error("{field}: {message}")]
    BadInput { field: String, message: String },
}

impl Case {
    /// Replays a whole log. `None` if the log does not start with `CaseOpened`.
    pub fn replay(id: CaseId, events: &[Event]) -> Option<Case> {
        let (first, rest) = events.split_first()?;
        let mut case = Case::opened(id, first)?;
        // Tasks are the bulk of the state: room for all of them at once instead of regrowing.
        case.tasks.reserve_exact(rest.iter().filter(|e| matches!(e.kind, EventKind::TaskOpened { .. })).count());
        for e in rest {
            case.apply(e);
        }
        Some(case)
    }

    fn opened(id: CaseId, event: &Event) -> Option<Case> {
        let EventKind::CaseOpened { reference, edition, application, units } = &event.kind else {
            return None;
        };
        Some(Case {
            id,
            reference: reference.clone(),
            edition: edition.clone(),
            version: 1,
            application: application.clone(),
            units: units.clone(),
            opened_at: event.at,
            opened_by: event.by.user.clone(),
            tasks: Vec::new(),
            facts: BTreeSet::new(),
            assignments: BTreeMap::new(),
            missing_documents: Vec::new(),
            adb_records: Vec::new(),
            refusal: None,
            extension: None,
            invitation: None,
            term: None,
            term_overrun: false,
            documents: Vec::new(),
            result: None,
            status: CaseStatus::Open,
            closed_at: None,
        })
    }

    pub fn apply(&mut self, event: &Event) {
        self.version += 1;
        match &event.kind {
            EventKind::CaseOpened { .. } => {}
            EventKind::TaskOpened { task, step, role, unit, assignee, cites, limit } => self.tasks.push(Task {
                id: *task,
                step: step.clone(),
                role: role.clone(),
                unit: unit.clone(),
                assignee: assignee.clone(),
                cites: cites.clone(),
                limit: *limit,
                opened_at: event.at,
                deadline: None,
                at_risk_since: None,
                overdue_since: None,
                escalated_to: None,
                done: None,
            }),
            EventKind::TaskFlagged { task, flag, escalated_to } => {
                if let Some(t) = self.tasks.iter_mut().find(|t| t.id == *task) {
                    match flag {
                        Flag::AtRisk => t.at_risk_since = Some(event.at),
                        Flag::Overdue => {
                            t.overdue_since = Some(event.at);
                            t.escalated_to = escalated_to.clone();
                        }
                    }
                }
            }
            EventKind::TermOverrun { .. } => self.term_overrun = true,
            EventKind::DeadlineSet { task, deadline } => {
                if let Some(t) = self.tasks.iter_mut().find(|t| t.id == *task) {
                    t.deadline = Some(deadline.clone());
                }
            }
            EventKind::TermSet { term } => self.term = Some(term.clone()),
            EventKind::OutcomeRecorded { task, outcome, closes_task, input, assigns, answer, sets, .. } => {
                if *closes_task && let Some(t) = self.tasks.iter_mut().find(|t| t.id == *task) {
                    t.done = Some(TaskDone { at: event.at, outcome: outcome.clone(), by: event.by.user.clone() });
                }
                self.facts.extend(sets.iter().cloned());
                match input {
                    Some(OutcomeInput::MissingDocuments(d)) => self.missing_documents = d.clone(),
                    Some(OutcomeInput::Assignee(user)) => {
                        if let Some(role) = assigns {
                            self.assignments.insert(role.clone(), user.clone());
                        }
                    }
                    Some(OutcomeInput::RefusalGrounds { grounds, reasoning }) => self.refusal = Some((grounds.clone(), reasoning.clone())),
                    Some(OutcomeInput::Extension { days, reason }) => {
                        self.extension = Some(ExtensionGranted { days: *days, reason: reason.clone(), at: event.at })
                    }
                    None => {}
                }
                match answer {
                    Some(SystemAnswer::AdbRecords { records }) => self.adb_records = records.clone(),
                    Some(SystemAnswer::InvitationRecorded { registration_number, issued_on, valid_until }) => {
                        self.invitation = Some(InvitationRecord {
                            registration_number: registration_number.clone(),
                            issued_on: *issued_on,
                            valid_until: *valid_until,
                        })
                    }
                    _ => {}
                }
            }
            EventKind::DocumentProduced { task, document } => {
                self.documents.push(ProducedDocument { document: document.clone(), task: *task, at: event.at, issued: None })
            }
            EventKind::DocumentIssued { task, document, id, hash, languages, signed } => {
                let issued = IssuedDocument {
                    id: id.clone(),
                    hash: hash.clone(),
                    languages: languages.clone(),
                    signed: signed.clone(),
                    at: event.at,
                };
                match self.documents.iter_mut().rev().find(|d| d.document == *document && d.issued.is_none()) {
                    Some(d) => d.issued = Some(issued),
                    None => self.documents.push(ProducedDocument {
                        document: document.clone(),
                        task: *task,
                        at: event.at,
                        issued: Some(issued),
                    }),
                }
            }
            EventKind::CaseClosed { result } => {
                self.result = Some(*result);
                self.status = CaseStatus::Closed;
                self.closed_at = Some(event.at);
            }
        }
    }

    pub fn open_tasks(&self) -> impl Iterator<Item = &Task> {
        self.tasks.iter().filter(|t| t.done.is_none())
    }

    pub fn open_task(&self, step: &str) -> Option<&Task> {
        self.open_tasks().find(|t| t.step == step)
    }

    /// The person assigned to perform a role's steps in this case, if chosen yet.
    pub fn assignee(&self, role: &str) -> Option<&UserId> {
        self.assignments.get(role)
    }
}

/// The outcomes of a step that the case's facts allow now.
pub fn available_outcomes<'d>(step: &'d Step, case: &Case) -> Vec<&'d Outcome> {
    step.outcomes.iter().filter(|o| o.allowed_by(&case.facts).is_ok()).collect()
}

/// Decides a command. `None` case: the command must open one.
pub fn decide(def: &Definition, case: Option<&Case>, actor: &Actor, command: &Command, now: Timestamp) -> Result<Vec<Event>, Refusal> {
    let event = |kind| Event { at: now, by: actor.clone(), kind };
    match (command, case) {
        (Command::Open { .. }, Some(_)) => Err(Refusal::AlreadyOpen),
        (Command::Perform { .. }, None) => Err(Refusal::NoSuchCase),
        (Command::Open { reference, application, units }, None) => {
            let start = def.start_step();
            if actor.role != start.role {
                return Err(Refusal::NotAllowedToOpen { needs: start.role.to_string() });
            }
            let unit = def.role(&start.role).map_or("", |r| units.of(r.unit));
            if actor.unit != unit {
                return Err(Refusal::OpenForOtherUnit { needs: start.role.to_string() });
            }
            Ok(vec![
                event(EventKind::CaseOpened {
                    reference: reference.clone(),
                    edition: def.edition_ref.clone(),
                    application: Arc::new(application.clone()),
                    units: units.clone(),
                }),
                event(task_opened(def, start, units, None, 1)),
            ])
        }
        (Command::Perform { step, outcome, input, answer }, Some(case)) => {
            perform(def, case, actor, step, outcome.as_deref(), input.as_ref(), answer.as_ref())
                .map(|kinds| kinds.into_iter().map(event).collect())
        }
    }
}

fn task_opened(def: &Definition, step: &Step, units: &CaseUnits, assignee: Option<&UserId>, id: u32) -> EventKind {
    let role = def.role(&step.role).expect("validated on load");
    EventKind::TaskOpened {
        task: id,
        step: step.id.clone(),
        role: step.role.clone(),
        unit: units.of(role.unit).clone(),
        assignee: assignee.cloned(),
        cites: step.cites.clone(),
        limit: step.limit,
    }
}

/// What a timer that has come due changes: nothing when the case moved on (the task is done,
/// its deadline was moved, the flag is already there, the result was sent), else one event.
/// Firing the same timer twice therefore has one effect.
pub fn fire(def: &Definition, case: &Case, timer: &TimerKind, due_at: Timestamp, actor: &Actor, now: Timestamp) -> Vec<Event> {
    let event = |kind| vec![Event { at: now, by: actor.clone(), kind }];
    let open = |task: u32| case.tasks.iter().find(|t| t.id == task && t.done.is_none());
    match *timer {
        TimerKind::Warn { task } => match open(task) {
            Some(t) if t.at_risk_since.is_none() && t.deadline.as_ref().is_some_and(|d| same_instant(d.warn_at, due_at)) => {
                event(EventKind::TaskFlagged { task, flag: Flag::AtRisk, escalated_to: None })
            }
            _ => Vec::new(),
        },
        TimerKind::Due { task } => match open(task) {
            Some(t) if t.overdue_since.is_none() && t.deadline.as_ref().is_some_and(|d| same_instant(d.due, due_at)) => {
                event(EventKind::TaskFlagged { task, flag: Flag::Overdue, escalated_to: escalation_role(def, &t.role) })
            }
            _ => Vec::new(),
        },
        TimerKind::TermEnd { ends_on } => {
            let current = case.term.as_ref().is_some_and(|t| t.ends_on == ends_on);
            let sent = case.tasks.iter().any(|t| t.done.is_some() && def.step(&t.step).is_some_and(|s| s.call == Some(Call::ScSendResult)));
            if current && !sent && !case.term_overrun && case.status == CaseStatus::Open {
                event(EventKind::TermOverrun { ends_on })
            } else {
                Vec::new()
            }
        }
    }
}

/// Whether a timer's instant is the deadline's: equal to the microsecond, the precision at which
/// instants are kept, so a timer read back from storage still matches the deadline it was set for.
fn same_instant(a: Timestamp, b: Timestamp) -> bool {
    a.as_microsecond() == b.as_microsecond()
}

/// The role an overdue task of `role` is escalated to: the policy's role, when it works in the
/// same kind of unit (a provider's head sees the provider's overdue tasks) and is another role.
fn escalation_role(def: &Definition, role: &str) -> Option<String> {
    let to = def.policy.escalate_overdue_to.as_deref()?;
    let same_kind = def.role(to).zip(def.role(role)).is_some_and(|(a, b)| a.unit == b.unit);
    (same_kind && to != role).then(|| to.to_owned())
}

/// The checks that do not depend on the outcome: the case is open, the step is open, and the
/// actor holds its role, its unit and (once assigned) is the assigned person. The runtime asks
/// this before calling an external system for the step.
pub fn precheck<'d, 'c>(def: &'d Definition, case: &'c Case, actor: &Actor, step_id: &str) -> Result<(&'d Step, &'c Task), Refusal> {
    if case.status == CaseStatus::Closed {
        return Err(Refusal::CaseClosed);
    }
    let step = def.step(step_id).ok_or_else(|| Refusal::UnknownStep { step: step_id.to_owned() })?;
    let task = case
        .open_task(step_id)
        .ok_or_else(|| Refusal::StepNotOpen { step: step_id.to_owned(), open: case.open_tasks().map(|t| t.step.to_string()).collect() })?;
    if actor.role != task.role {
        return Err(Refusal::WrongRole { step: step_id.to_owned(), needs: task.role.to_string(), has: actor.role.to_string() });
    }
    if actor.unit != task.unit {
        return Err(Refusal::WrongUnit { step: step_id.to_owned(), unit: task.unit.to_string() });
    }
    if task.assignee.as_ref().is_some_and(|a| *a != actor.user) {
        return Err(Refusal::AssignedToSomeoneElse { step: step_id.to_owned() });
    }
    Ok((step, task))
}

fn perform(
    def: &Definition,
    case: &Case,
    actor: &Actor,
    step_id: &str,
    outcome: Option<&str>,
    input: Option<&OutcomeInput>,
    answer: Option<&SystemAnswer>,
) -> Result<Vec<EventKind>, Refusal> {
    let (step, task) = precheck(def, case, actor, step_id)?;
    let chosen = choose_outcome(step, case, outcome, answer)?;
    check_input(def, chosen, input, answer)?;

    // The outcome, its documents, the next tasks and perhaps the closing: sized once.
    let mut events = Vec::with_capacity(2 + chosen.documents.len() + chosen.next.len());
    events.push(EventKind::OutcomeRecorded {
        task: task.id,
        step: step.id.clone(),
        outcome: chosen.id.clone(),
        closes_task: !chosen.keep_open,
        input: input.cloned(),
        assigns: chosen.assigns.clone(),
        answer: answer.cloned(),
        sets: chosen.sets.clone(),
    });
    for d in &chosen.documents {
        events.push(EventKind::DocumentProduced { task: task.id, document: d.clone() });
    }
    let mut next_id = case.tasks.iter().map(|t| t.id).max().unwrap_or(0) + 1;
    let mut still_open: Vec<&str> = case.open_tasks().filter(|t| chosen.keep_open || t.id != task.id).map(|t| t.step.as_str()).collect();
    for n in &chosen.next {
        if still_open.contains(&n.as_str()) {
            continue;
        }
        let next = def.step(n).expect("validated on load");
        let who = match (input, &chosen.assigns) {
            (Some(OutcomeInput::Assignee(user)), Some(role)) if *role == next.role => Some(user),
            _ => case.assignee(&next.role),
        };
        events.push(task_opened(def, next, &case.units, who, next_id));
        next_id += 1;
        still_open.push(&next.id);
    }
    // A case whose result is decided closes once no task is left open; a side task such as
    // the extension notice may keep it open a little longer. (Open tasks are checked first:
    // finding an earlier decision walks the whole history.)
    if still_open.is_empty()
        && let Some(result) = chosen.end.or_else(|| case_decided(def, case))
    {
        events.push(EventKind::CaseClosed { result });
    }
    Ok(events)
}

/// The result an earlier outcome of the case decided, if any.
fn case_decided(def: &Definition, case: &Case) -> Option<CaseResult> {
    case.tasks
        .iter()
        .filter_map(|t| t.done.as_ref().map(|d| (&t.step, &d.outcome)))
        .find_map(|(s, o)| def.step(s).and_then(|s| s.outcome(o)).and_then(|o| o.end))
}

fn choose_outcome<'d>(step: &'d Step, case: &Case, outcome: Option<&str>, answer: Option<&SystemAnswer>) -> Result<&'d Outcome, Refusal> {
    let available = || available_outcomes(step, case).iter().map(|o| o.id.to_string()).collect::<Vec<_>>();
    let chosen = if let Some(call) = step.call {
        if outcome.is_some() {
            return Err(Refusal::ChosenBySystem { step: step.id.to_string(), system: call.system().to_owned() });
        }
        let answer = answer.ok_or_else(|| Refusal::AnswerNeeded { step: step.id.to_string() })?;
        if !answer.fits(call) {
            return Err(Refusal::UnexpectedAnswer { step: step.id.to_string(), answer: answer_kind(answer).to_owned() });
        }
        step.outcomes
            .iter()
            .find(|o| o.system_result.as_deref() == Some(answer.tag()))
            .ok_or_else(|| Refusal::UnexpectedAnswer { step: step.id.to_string(), answer: answer.tag().to_owned() })?
    } else {
        if let Some(answer) = answer {
            return Err(Refusal::UnexpectedAnswer { step: step.id.to_string(), answer: answer_kind(answer).to_owned() });
        }
        let id = outcome.ok_or_else(|| Refusal::OutcomeNeeded { step: step.id.to_string(), available: available() })?;
        step.outcome(id).ok_or_else(|| Refusal::UnknownOutcome {
            step: step.id.to_string(),
            outcome: id.to_owned(),
            available: step.outcomes.iter().map(|o| o.id.to_string()).collect(),
        })?
    };
    chosen.allowed_by(&case.facts).map_err(|reason| Refusal::OutcomeNotAllowed {
        step: step.id.to_string(),
        outcome: chosen.id.to_string(),
        reason,
    })?;
    Ok(chosen)
}

fn answer_kind(answer: &SystemAnswer) -> &'static str {
    match answer {
        SystemAnswer::Ack { .. } => "ack",
        SystemAnswer::AdbClear => "adb_clear",
        SystemAnswer::AdbRecords { .. } => "adb_records",
        SystemAnswer::InvitationRecorded { .. } => "invitation_recorded",
    }
}

fn check_input(def: &Definition, outcome: &Outcome, input: Option<&OutcomeInput>, answer: Option<&SystemAnswer>) -> Result<(), Refusal> {
    let bad = |field: &str, message: String| Err(Refusal::BadInput { field: field.to_owned(), message });
    match (outcome.input, input) {
        (None, None) => {}
        (Some(kind), None) => return Err(Refusal::InputNeeded { outcome: outcome.id.to_string(), kind: kind.code().to_owned() }),
        (None, Some(given)) => {
            return Err(Refusal::InputNotExpected { outcome: outcome.id.to_string(), kind: given.kind().code().to_owned() });
        }
        (Some(kind), Some(given)) if kind != given.kind() => {
            return Err(Refusal::InputNeeded { outcome: outcome.id.to_string(), kind: kind.code().to_owned() });
        }
        (Some(_), Some(given)) => match given {
            OutcomeInput::MissingDocuments(docs) => {
                if docs.is_empty() {
                    return bad("input.missing_documents", "name at least one missing document".into());
                }
                if let Some(d) = docs.iter().find(|d| !def.checklist.iter().any(|c| &c.id == *d)) {
                    return bad("input.missing_documents", format!("\"{d}\" is not on the checklist"));
                }
            }
            OutcomeInput::Assignee(user) => {
                if user.0.trim().is_empty() {
                    return bad("input.assignee", "name the person to assign".into());
                }
            }
            OutcomeInput::RefusalGrounds { grounds, reasoning } => {
                if grounds.is_empty() {
                    return bad("input.refusal_grounds.grounds", "name at least one refusal ground".into());
                }
                if let Some(g) = grounds.iter().find(|g| !def.refusal_grounds.iter().any(|r| &r.id == *g)) {
                    return bad("input.refusal_grounds.grounds", format!("\"{g}\" is not a refusal ground of this edition"));
                }
                if reasoning.trim().is_empty() {
                    return bad("input.refusal_grounds.reasoning", "a motivated refusal states its reasoning".into());
                }
            }
            OutcomeInput::Extension { days, reason } => {
                let max = match def.extension.as_ref().map(|e| e.max) {
                    Some(Limit::Within { amount, .. }) => amount,
                    _ => 0,
                };
                if *days == 0 || *days > max {
                    return bad("input.extension.days", format!("an extension is 1 to {max} calendar days"));
                }
                if reason.trim().is_empty() {
                    return bad("input.extension.reason", "the KNB's written request states a reason".into());
                }
            }
        },
    }
    if let Some(SystemAnswer::AdbRecords { records }) = answer
        && records.is_empty()
    {
        return bad("answer.records", "a \"records\" answer lists at least one record".into());
    }
    Ok(())
}
