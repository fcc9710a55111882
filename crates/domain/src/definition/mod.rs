//! The regulation as data: the validated definition of one edition (act, roles, systems,
//! documents, checklist, refusal grounds, term, extension rule and the step graph).
//!
//! A `Definition` can only be made by [`load`], which checks the whole file and reports every
//! problem with its line and column.

mod limit;
mod load;

pub use limit::{Limit, LimitUnit};
pub use load::{Problem, Problems, load};

use crate::shared::SharedStr;
use crate::text::Localized;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Which edition, and exactly which content of it. A case keeps this for life.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EditionRef {
    pub edition: String,
    /// SHA-256 of the definition file's bytes, in lowercase hex.
    pub hash: String,
}

impl EditionRef {
    pub fn short(&self) -> String {
        format!("{}@{}", self.edition, &self.hash[..12.min(self.hash.len())])
    }
}

/// The organisational unit a role's tasks belong to, within one case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// The State Corporation branch that accepted the application.
    ScBranch,
    /// The territorial migration unit that provides the service.
    Provider,
    /// The National Security Committee.
    Knb,
}

impl UnitKind {
    pub const ALL: [UnitKind; 3] = [UnitKind::ScBranch, UnitKind::Provider, UnitKind::Knb];
    pub fn code(self) -> &'static str {
        match self {
            UnitKind::ScBranch => "sc_branch",
            UnitKind::Provider => "provider",
            UnitKind::Knb => "knb",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Act {
    pub number: String,
    pub date: Date,
    pub registration_number: String,
    pub registration_date: Date,
    pub amends: Option<String>,
    pub standard: Option<String>,
    pub repealed_by: Option<String>,
    pub effective_from: Date,
    pub effective_to: Option<Date>,
    pub dates_estimated: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub id: String,
    pub unit: UnitKind,
    pub title: Localized,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct System {
    pub id: String,
    pub title: Localized,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentKind {
    pub id: String,
    pub cites: Vec<String>,
    pub standard_appendix: Option<u32>,
    pub title: Localized,
}

/// Whether a checklist document is handed in once per application or once per invitee.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Per {
    Application,
    Invitee,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    pub id: String,
    pub per: Per,
    pub title: Localized,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusalGround {
    pub id: String,
    pub title: Localized,
}

/// The service term: how long the whole service may take.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub limit: Limit,
    /// The fact whose moment starts the term (`accepted`: acceptance at the State Corporation).
    pub starts: String,
    pub count_start_day: bool,
    /// The result must reach the State Corporation at least this long before the term ends.
    pub deliver_before_end: Option<Limit>,
    pub cites: Vec<String>,
}

/// What a calendar-day limit does when its last day is not a working day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalendarDaysOnDayOff {
    /// The limit ends on the next working day (the usual rule for legal terms).
    NextWorkingDay,
    /// The limit ends on that day, working or not.
    AsIs,
}

/// What a "same day" limit does when its input arrives too late for the limit to fit before the
/// office closes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SameDayWhenLate {
    /// The limit runs on into the next working day's hours.
    Carry,
    /// The limit ends at closing time all the same (it may be impossible to meet).
    EndOfDay,
}

/// How deadlines fall where the regulation's text is silent; edition data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlinePolicy {
    pub calendar_days_on_day_off: CalendarDaysOnDayOff,
    pub same_day_when_late: SameDayWhenLate,
    /// The share of a task's allowance after which it counts as at risk.
    pub warn_at_percent: u8,
    /// The role an overdue task is escalated to (within the same unit).
    pub escalate_overdue_to: Option<String>,
}

/// The KNB's written request to extend coordination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub step: String,
    pub outcome: String,
    pub max: Limit,
    pub notice_step: String,
    pub cites: Vec<String>,
}

/// The moment a "same day" limit is counted from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SameDayAnchor {
    /// The day the documents arrived from the State Corporation.
    ArrivalFromSc,
    /// The day the KNB's answer arrived.
    KnbAnswer,
}

impl SameDayAnchor {
    pub const ALL: [SameDayAnchor; 2] = [SameDayAnchor::ArrivalFromSc, SameDayAnchor::KnbAnswer];
    pub fn code(self) -> &'static str {
        match self {
            SameDayAnchor::ArrivalFromSc => "arrival_from_sc",
            SameDayAnchor::KnbAnswer => "knb_answer",
        }
    }
}

/// The operations on external systems that the engine knows how to perform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Call {
    #[serde(rename = "sc.forward_documents")]
    ScForwardDocuments,
    #[serde(rename = "sc.send_extension_notice")]
    ScSendExtensionNotice,
    #[serde(rename = "sc.send_result")]
    ScSendResult,
    #[serde(rename = "burkit.enter_persons")]
    BurkitEnterPersons,
    #[serde(rename = "burkit.record_invitation")]
    BurkitRecordInvitation,
    #[serde(rename = "adb.check_persons")]
    AdbCheckPersons,
    #[serde(rename = "knb.request_coordination")]
    KnbRequestCoordination,
}

impl Call {
    pub const ALL: [Call; 7] = [
        Call::ScForwardDocuments,
        Call::ScSendExtensionNotice,
        Call::ScSendResult,
        Call::BurkitEnterPersons,
        Call::BurkitRecordInvitation,
        Call::AdbCheckPersons,
        Call::KnbRequestCoordination,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Call::ScForwardDocuments => "sc.forward_documents",
            Call::ScSendExtensionNotice => "sc.send_extension_notice",
            Call::ScSendResult => "sc.send_result",
            Call::BurkitEnterPersons => "burkit.enter_persons",
            Call::BurkitRecordInvitation => "burkit.record_invitation",
            Call::AdbCheckPersons => "adb.check_persons",
            Call::KnbRequestCoordination => "knb.request_coordination",
        }
    }

    pub fn system(self) -> &'static str {
        self.code().split('.').next().expect("codes have a dot")
    }

    /// The answer tags this operation can give, which select a step's outcome.
    pub fn results(self) -> &'static [&'static str] {
        match self {
            Call::AdbCheckPersons => &["clear", "records"],
            Call::KnbRequestCoordination => &["ok"],
            _ => &["ok"],
        }
    }

    pub fn parse(code: &str) -> Option<Call> {
        Call::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// What a person must supply with an outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// The checklist documents that were missing (refusal to accept).
    MissingDocuments,
    /// The person who will perform the steps of the role the outcome `assigns`.
    Assignee,
    /// The refusal grounds of the edition and the reasoning.
    RefusalGrounds,
    /// The KNB's request: how many calendar days and why.
    Extension,
}

impl InputKind {
    pub const ALL: [InputKind; 4] = [InputKind::MissingDocuments, InputKind::Assignee, InputKind::RefusalGrounds, InputKind::Extension];
    pub fn code(self) -> &'static str {
        match self {
            InputKind::MissingDocuments => "missing_documents",
            InputKind::Assignee => "assignee",
            InputKind::RefusalGrounds => "refusal_grounds",
            InputKind::Extension => "extension",
        }
    }
}

/// How a case ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseResult {
    /// The documents were not accepted at the front office (standard, appendix 4).
    RefusedToAccept,
    /// The invitation was issued to the applicant.
    InvitationIssued,
    /// A motivated refusal was issued to the applicant.
    Refused,
}

impl CaseResult {
    pub const ALL: [CaseResult; 3] = [CaseResult::RefusedToAccept, CaseResult::InvitationIssued, CaseResult::Refused];
    pub fn code(self) -> &'static str {
        match self {
            CaseResult::RefusedToAccept => "refused_to_accept",
            CaseResult::InvitationIssued => "invitation_issued",
            CaseResult::Refused => "refused",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
// The fields that events and case state copy (ids, facts set, role assigned, documents) are
// shared rather than owned: each event holds a reference to the definition's text.
pub struct Outcome {
    pub id: SharedStr,
    pub title: Localized,
    pub next: Vec<String>,
    pub end: Option<CaseResult>,
    pub branch_end: bool,
    pub keep_open: bool,
    pub sets: Arc<[SharedStr]>,
    pub when: Vec<String>,
    pub when_any: Vec<String>,
    pub unless: Vec<String>,
    pub input: Option<InputKind>,
    pub assigns: Option<SharedStr>,
    pub documents: Vec<SharedStr>,
    pub system_result: Option<String>,
}

impl Outcome {
    /// Whether the case's facts allow this outcome; `Err` says which condition fails.
    pub fn allowed_by(&self, facts: &BTreeSet<SharedStr>) -> Result<(), String> {
        if let Some(missing) = self.when.iter().find(|f| !facts.contains(f.as_str())) {
            return Err(format!("needs \"{missing}\""));
        }
        if !self.when_any.is_empty() && !self.when_any.iter().any(|f| facts.contains(f.as_str())) {
            return Err(format!("needs one of {:?}", self.when_any));
        }
        if let Some(present) = self.unless.iter().find(|f| facts.contains(f.as_str())) {
            return Err(format!("not allowed once \"{present}\""));
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
// As in `Outcome`, what every task of the step copies is shared.
pub struct Step {
    pub id: SharedStr,
    pub cites: Arc<[String]>,
    pub role: SharedStr,
    pub title: Localized,
    pub limit: Limit,
    pub same_day_as: Option<SameDayAnchor>,
    pub call: Option<Call>,
    pub on_enter: Option<Call>,
    pub outcomes: Vec<Outcome>,
}

impl Step {
    pub fn outcome(&self, id: &str) -> Option<&Outcome> {
        self.outcomes.iter().find(|o| o.id == id)
    }

    /// The § citations joined for display, e.g. "§6.1, §8.1".
    pub fn citation(&self) -> String {
        self.cites.iter().map(|c| format!("§{c}")).collect::<Vec<_>>().join(", ")
    }

    /// The external system the step works through, if any.
    pub fn system(&self) -> Option<&'static str> {
        self.call.or(self.on_enter).map(Call::system)
    }
}

/// One validated edition of the regulation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Definition {
    pub edition_ref: EditionRef,
    pub service: Localized,
    pub act: Act,
    pub roles: Vec<Role>,
    pub systems: Vec<System>,
    pub documents: Vec<DocumentKind>,
    pub checklist: Vec<ChecklistItem>,
    pub refusal_grounds: Vec<RefusalGround>,
    pub term: Term,
    pub extension: Option<Extension>,
    pub policy: DeadlinePolicy,
    /// How long a closed case's personal data is kept (`[retention]`); `None`: for ever.
    pub retention: Option<crate::retention::Retention>,
    pub start: String,
    /// In file order.
    pub steps: Vec<Step>,
}

impl Definition {
    pub fn edition(&self) -> &str {
        &self.edition_ref.edition
    }
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }
    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == id)
    }
    pub fn document(&self, id: &str) -> Option<&DocumentKind> {
        self.documents.iter().find(|d| d.id == id)
    }
    pub fn start_step(&self) -> &Step {
        self.step(&self.start).expect("validated on load")
    }
    /// Whether the edition was in force on that day.
    pub fn in_force_on(&self, day: Date) -> bool {
        day >= self.act.effective_from && self.act.effective_to.is_none_or(|to| day <= to)
    }
}
