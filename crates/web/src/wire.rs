//! The API's request and response bodies. They mirror domain and engine types so that the
//! OpenAPI document describes exactly what goes over the wire, and convert at the edge.

use domain::application::{ApplicantDraft, ApplicationDraft, InviteeDraft};
use domain::text::Localized;
use engine::{CommandResult, WireInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An application as typed at the front office. Every field is text; the server checks them
/// all and answers with every bad field at once.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ApplicationForm {
    pub applicant: ApplicantForm,
    pub invitees: Vec<InviteeForm>,
    /// Why the invitees come (visiting relatives, rest…).
    pub purpose: String,
    /// First day of the stay, YYYY-MM-DD; must be after today.
    pub stay_from: String,
    pub stay_to: String,
    /// `single` (default), `double` or `multiple`.
    pub entries: String,
    /// Settlements the invitees will visit.
    pub places: Vec<String>,
    /// Checklist ids of the edition (standard §9) the applicant handed in.
    pub documents_presented: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ApplicantForm {
    /// 12 digits with a valid check digit.
    pub iin: String,
    pub surname: String,
    pub given_names: String,
    pub patronymic: String,
    pub address: String,
    pub phone: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct InviteeForm {
    /// In Latin letters, as in the passport.
    pub surname: String,
    pub given_names: String,
    /// `M` or `F`.
    pub sex: String,
    pub birth_date: String,
    /// Three letters as in the passport, e.g. DEU; not KAZ.
    pub citizenship: String,
    pub passport_number: String,
    pub passport_expires_on: String,
    /// Optional: the passport's two machine-readable lines; they must agree with the fields.
    pub mrz: String,
}

impl From<ApplicationForm> for ApplicationDraft {
    fn from(f: ApplicationForm) -> Self {
        ApplicationDraft {
            applicant: ApplicantDraft {
                iin: f.applicant.iin,
                surname: f.applicant.surname,
                given_names: f.applicant.given_names,
                patronymic: f.applicant.patronymic,
                address: f.applicant.address,
                phone: f.applicant.phone,
            },
            invitees: f
                .invitees
                .into_iter()
                .map(|i| InviteeDraft {
                    surname: i.surname,
                    given_names: i.given_names,
                    sex: i.sex,
                    birth_date: i.birth_date,
                    citizenship: i.citizenship,
                    passport_number: i.passport_number,
                    passport_expires_on: i.passport_expires_on,
                    mrz: i.mrz,
                })
                .collect(),
            purpose: f.purpose,
            stay_from: f.stay_from,
            stay_to: f.stay_to,
            entries: f.entries,
            places: f.places,
            documents_presented: f.documents_presented,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenCaseRequest {
    pub application: ApplicationForm,
    /// The migration unit the application goes to; default: the one serving your branch.
    #[serde(default)]
    pub provider_unit: Option<String>,
}

/// What a person supplies with an outcome, when the outcome asks for it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InputBody {
    /// Checklist ids that were missing (refusal to accept).
    MissingDocuments(Vec<String>),
    /// The user id of the executor to assign.
    Assignee(String),
    RefusalGrounds {
        grounds: Vec<String>,
        reasoning: String,
    },
    Extension {
        days: u32,
        reason: String,
    },
}

impl From<InputBody> for WireInput {
    fn from(i: InputBody) -> Self {
        match i {
            InputBody::MissingDocuments(d) => WireInput::MissingDocuments(d),
            InputBody::Assignee(a) => WireInput::Assignee(a),
            InputBody::RefusalGrounds { grounds, reasoning } => WireInput::RefusalGrounds { grounds, reasoning },
            InputBody::Extension { days, reason } => WireInput::Extension { days, reason },
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PerformBody {
    /// The outcome chosen; leave out for a step whose outcome comes from its external system.
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub input: Option<InputBody>,
    /// The case version you saw; if the case changed since, the command is refused.
    pub version: u64,
}

/// The KNB's answer, delivered by the KNB liaison or its gateway.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KnbAnswerBody {
    pub case_id: String,
    /// Unique per message: a repeated message id is not taken twice.
    pub message_id: String,
    /// `agree`, `object` or `extend`.
    #[schema(pattern = "^(agree|object|extend)$")]
    pub answer: String,
    /// With `extend`: calendar days (1–30).
    #[serde(default)]
    pub days: Option<u32>,
    /// With `extend`: the reason of the written request.
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CommandResponse {
    pub case_id: String,
    /// The case reference printed on receipts, e.g. 2026-000001.
    pub reference: String,
    pub version: u64,
    /// `open` or `closed`.
    pub status: String,
    pub result: Option<String>,
    pub open_steps: Vec<String>,
    pub events: Vec<String>,
    /// True when this answers a retry: the command had already been done.
    pub replayed: bool,
}

impl From<CommandResult> for CommandResponse {
    fn from(r: CommandResult) -> Self {
        CommandResponse {
            case_id: r.case_id,
            reference: r.reference,
            version: r.version,
            status: r.status,
            result: r.result,
            open_steps: r.open_steps,
            events: r.events,
            replayed: r.replayed,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Text {
    pub kk: String,
    pub ru: String,
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: domain::text::Lang) -> &str {
        match lang {
            domain::text::Lang::Kk => &self.kk,
            domain::text::Lang::Ru => &self.ru,
            domain::text::Lang::En => &self.en,
        }
    }
}

impl From<&Localized> for Text {
    fn from(l: &Localized) -> Self {
        Text { kk: l.kk.clone(), ru: l.ru.clone(), en: l.en.clone() }
    }
}

/// A task on a worklist, with the paragraph of the regulation it comes from.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TaskItem {
    pub case_id: String,
    pub reference: String,
    pub task_id: u32,
    pub step: String,
    pub title: Text,
    /// Paragraph numbers of the regulation, e.g. ["6.1", "8.1"].
    pub cites: Vec<String>,
    /// The same, for display: "§6.1, §8.1".
    pub citation: String,
    pub role: String,
    pub unit: String,
    pub assignee: Option<String>,
    /// The regulated limit, e.g. "10 working minutes".
    pub limit: String,
    pub opened_at: String,
    /// The deadline on Kazakhstan's working calendar and the office's hours.
    pub due_at: Option<String>,
    /// From then on the task is at risk.
    pub warn_at: Option<String>,
    /// on_time, at_risk, overdue, done_on_time or done_late.
    pub deadline_status: Option<String>,
    /// How the deadline was worked out (on the case page only).
    pub deadline_rule: Option<String>,
    pub deadline_explanation: Vec<String>,
    /// For a done task: the minutes it took, in office working minutes (or elapsed minutes for a
    /// limit in calendar days, see `time_basis`).
    pub minutes_taken: Option<i64>,
    /// `office_minutes` or `elapsed_minutes`.
    pub time_basis: Option<String>,
    /// When a timer found the task at risk, and overdue.
    pub at_risk_since: Option<String>,
    pub overdue_since: Option<String>,
    /// The role an overdue task was escalated to.
    pub escalated_to: Option<String>,
    pub done_at: Option<String>,
    pub outcome: Option<String>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CaseListItem {
    pub case_id: String,
    pub reference: String,
    pub edition: String,
    pub status: String,
    pub result: Option<String>,
    pub sc_branch: String,
    pub provider: String,
    pub open_steps: Vec<String>,
    pub version: u64,
    pub opened_at: String,
}

/// An outcome the caller may choose now.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ActionItem {
    pub step: String,
    pub title: Text,
    pub citation: String,
    /// Empty when the step's external system chooses the outcome: send no outcome then.
    pub outcomes: Vec<OutcomeItem>,
    /// The external system the step works through, if any.
    pub system: Option<String>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OutcomeItem {
    pub id: String,
    pub title: Text,
    /// The input the outcome needs, if any: missing_documents, assignee, refusal_grounds, extension.
    pub input: Option<String>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct HistoryItem {
    pub version: u64,
    pub at: String,
    pub user: String,
    pub role: String,
    pub unit: String,
    /// case_opened, task_opened, outcome_recorded, document_produced, case_closed.
    #[serde(rename = "type")]
    pub kind: String,
    pub step: Option<String>,
    pub citation: Option<String>,
    /// The event as stored.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OutboxItem {
    pub id: String,
    pub case_id: String,
    pub kind: String,
    /// `pending`, `delivered` or `dead` (given up on: waits for an administrator's retry).
    pub state: String,
    /// Attempts since the message was queued or last retried by an administrator.
    pub attempts: u32,
    /// When a pending message is tried next.
    pub due_at: String,
    pub last_error: Option<String>,
    pub created_at: String,
    pub delivered_at: Option<String>,
    pub dead_at: Option<String>,
}

/// A whole case: its state, what the caller may do, and its full history.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CaseDetail {
    pub case_id: String,
    pub reference: String,
    pub edition: String,
    /// SHA-256 of the definition the case runs on, kept for life.
    pub edition_hash: String,
    pub version: u64,
    pub status: String,
    pub result: Option<String>,
    pub sc_branch: String,
    pub provider: String,
    pub knb: String,
    #[schema(value_type = Object)]
    pub application: serde_json::Value,
    pub facts: Vec<String>,
    pub tasks: Vec<TaskItem>,
    pub actions: Vec<ActionItem>,
    #[schema(value_type = Vec<Object>)]
    pub documents: Vec<serde_json::Value>,
    #[schema(value_type = Object)]
    pub invitation: Option<serde_json::Value>,
    #[schema(value_type = Object)]
    pub extension: Option<serde_json::Value>,
    #[schema(value_type = Object)]
    pub refusal: Option<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub adb_records: Vec<serde_json::Value>,
    pub missing_documents: Vec<String>,
    /// The service term: when it ends and by when the result must reach the State Corporation.
    #[schema(value_type = Object)]
    pub term: Option<serde_json::Value>,
    /// The term ended before the result was sent to the State Corporation.
    pub term_overrun: bool,
    pub history: Vec<HistoryItem>,
    pub outbox: Vec<OutboxItem>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Me {
    pub user: String,
    pub role: String,
    pub unit: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EditionItem {
    pub edition: String,
    pub hash: String,
    pub act_number: String,
    pub act_date: String,
    pub registration_number: String,
    pub effective_from: String,
    pub effective_to: Option<String>,
    pub dates_estimated: bool,
    /// True for the edition new cases start under.
    pub for_new_cases: bool,
}

/// The compliance report of a period: how many tasks were done on time and late, and how long
/// they took against the time allowed. Minutes are the office's working minutes (the unit's
/// hours on working days), except for tasks under a limit in calendar days (the KNB's
/// extension), counted in elapsed minutes (`elapsed_time_tasks` says how many). Medians and
/// 90th percentiles are nearest-rank: the value at rank ⌈p·n/100⌉ of the sorted times.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ComplianceReportResponse {
    /// The first day, YYYY-MM-DD.
    pub from: String,
    /// The last day, included.
    pub to: String,
    /// The zone the days are read in, e.g. `Asia/Almaty`.
    pub time_zone: String,
    /// Tasks done in the period that you may see.
    pub done: u64,
    pub on_time: u64,
    pub late: u64,
    /// Tasks done without a deadline: in no other figure.
    pub without_deadline: u64,
    /// Tasks whose minutes the working calendar could not count: in the counts, not the minutes.
    pub unmeasured: u64,
    /// In the order of the regulation's steps.
    pub by_step: Vec<ComplianceRowItem>,
    pub by_unit: Vec<ComplianceRowItem>,
    /// By the user who completed the task (a person or a system account).
    pub by_employee: Vec<ComplianceRowItem>,
}

/// One step, unit or employee of a compliance report.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ComplianceRowItem {
    /// `step`, `unit` or `employee`.
    pub group: String,
    /// The step id, unit id or user id.
    pub key: String,
    /// The unit's name or the user's display name.
    pub label: Option<String>,
    /// For a step: its regulated limit as written, e.g. "10 working minutes".
    pub limit: Option<String>,
    /// Tasks with a deadline done in the period: `on_time + late`.
    pub count: u64,
    pub on_time: u64,
    pub late: u64,
    /// To one decimal; absent when `count` is 0.
    pub on_time_percent: Option<f64>,
    pub taken_median_minutes: Option<i64>,
    pub taken_p90_minutes: Option<i64>,
    /// The median time allowed by the deadlines, to read the time taken against.
    pub allowed_median_minutes: Option<i64>,
    /// How many of `count` were measured in elapsed rather than office minutes.
    pub elapsed_time_tasks: u64,
    /// Tasks done without a deadline.
    pub without_deadline: u64,
}

impl From<&engine::compliance::ComplianceRow> for ComplianceRowItem {
    fn from(r: &engine::compliance::ComplianceRow) -> Self {
        ComplianceRowItem {
            group: r.group.code().to_owned(),
            key: r.key.clone(),
            label: r.label.clone(),
            limit: r.limit.clone(),
            count: r.count,
            on_time: r.on_time,
            late: r.late,
            on_time_percent: r.on_time_percent,
            taken_median_minutes: r.taken_median_minutes,
            taken_p90_minutes: r.taken_p90_minutes,
            allowed_median_minutes: r.allowed_median_minutes,
            elapsed_time_tasks: r.elapsed_time_tasks,
            without_deadline: r.without_deadline,
        }
    }
}

impl From<&engine::compliance::ComplianceReport> for ComplianceReportResponse {
    fn from(r: &engine::compliance::ComplianceReport) -> Self {
        let rows = |rows: &[engine::compliance::ComplianceRow]| rows.iter().map(ComplianceRowItem::from).collect();
        ComplianceReportResponse {
            from: r.period.from.to_string(),
            to: r.period.to.to_string(),
            time_zone: r.time_zone.clone(),
            done: r.done,
            on_time: r.on_time,
            late: r.late,
            without_deadline: r.without_deadline,
            unmeasured: r.unmeasured,
            by_step: rows(&r.by_step),
            by_unit: rows(&r.by_unit),
            by_employee: rows(&r.by_employee),
        }
    }
}

/// The columns of the compliance report's CSV download, in order; one line per row of
/// `by_step`, `by_unit` and `by_employee`, in that order.
pub const COMPLIANCE_CSV_COLUMNS: [&str; 13] = [
    "group",
    "key",
    "label",
    "limit",
    "count",
    "on_time",
    "late",
    "on_time_percent",
    "taken_median_minutes",
    "taken_p90_minutes",
    "allowed_median_minutes",
    "elapsed_time_tasks",
    "without_deadline",
];

impl ComplianceRowItem {
    /// The row's fields as text, in [`COMPLIANCE_CSV_COLUMNS`] order; absent values are empty.
    pub fn csv_fields(&self) -> [String; 13] {
        let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        [
            self.group.clone(),
            self.key.clone(),
            self.label.clone().unwrap_or_default(),
            self.limit.clone().unwrap_or_default(),
            self.count.to_string(),
            self.on_time.to_string(),
            self.late.to_string(),
            self.on_time_percent.map(|p| format!("{p:.1}")).unwrap_or_default(),
            opt(self.taken_median_minutes),
            opt(self.taken_p90_minutes),
            opt(self.allowed_median_minutes),
            self.elapsed_time_tasks.to_string(),
            self.without_deadline.to_string(),
        ]
    }
}
