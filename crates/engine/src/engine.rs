//! `Engine`: one method per thing a user or a system can do, each a unit of work on the store.

use crate::cache::CaseCache;
use crate::clock::Clock;
use crate::compliance::{self, ComplianceReport, Labels, OfficeTime, Period, ReportBuilder, TimeBasis};
use crate::deadlines::WorkingTime;
use crate::outbox::OutboxPolicy;
use crate::regulations::{RegulationError, Regulations};
use calendar::{Calendar, Schedule, ScheduleHistory};
use domain::application::{ApplicationDraft, FieldError};
use domain::case::{self, Case, CaseId, CaseUnits, Command, Event, EventKind, OutcomeInput, Refusal, SystemAnswer, UserId};
use domain::definition::{Call, Definition, UnitKind};
use domain::{Actor, EditionRef};
use integrations::{AdapterError, CallContext, KnbAnswer, KnbVerdict, Systems};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use store::{
    AccessQuery, AccessRecord, CaseQuery, CaseSummary, IdempotencyRecord, NewAccess, NewOutboxMessage, NewTimer, OutboxMessage,
    OutboxState, Store, StoreError, TaskQuery, TaskRow, UnitOfWork, User, Viewed,
};
use tokio::sync::Notify;

/// The system account timers act as.
pub const TIMERS: &str = "system:timers";

/// The system account through which the KNB's answers arrive (its gateway, or the in-process
/// simulator's deliveries).
pub const KNB_GATEWAY: &str = "knb-gateway";

/// The KNB's liaison role: reads only coordination requests (decision 31).
pub const KNB_LIAISON: &str = "knb_liaison";

/// Roles that exist beside the regulation's own: they act on no step.
pub const SUPERVISOR: &str = "supervisor";
pub const ADMIN: &str = "admin";

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitConfig {
    pub id: String,
    pub kind: UnitKind,
    pub name: String,
    /// The name printed on documents in Kazakh and in Russian; `name` where not given.
    #[serde(default)]
    pub name_kk: Option<String>,
    #[serde(default)]
    pub name_ru: Option<String>,
    /// For a State Corporation branch: the provider its applications go to.
    #[serde(default)]
    pub provider: Option<String>,
    /// The office's working hours, each set in force from its date on; none: the standard
    /// hours (Monday to Friday 09:00–13:00 and 14:30–18:30).
    #[serde(default)]
    pub hours: Vec<HoursConfig>,
}

/// Working hours from a date on, e.g. `weekdays = ["08:30-12:30", "13:30-17:30"]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoursConfig {
    pub from: jiff::civil::Date,
    /// Monday to Friday.
    pub weekdays: Vec<String>,
    /// Used on a Saturday made working by decree, if the office opens on Saturdays.
    #[serde(default)]
    pub saturday: Vec<String>,
}

impl UnitConfig {
    /// The unit's schedule history, or `None` for the standard hours. Errors name the unit and
    /// the bad interval.
    pub fn schedule(&self) -> std::result::Result<Option<ScheduleHistory>, String> {
        let mut sorted = self.hours.clone();
        sorted.sort_by_key(|h| h.from);
        let mut history: Option<ScheduleHistory> = None;
        for h in &sorted {
            let schedule = hours_schedule(h).map_err(|e| format!("unit {}: hours from {}: {e}", self.id, h.from))?;
            history = Some(match history {
                None => ScheduleHistory::new(schedule),
                Some(hist) => hist.with_change(h.from, schedule).map_err(|e| format!("unit {}: {e}", self.id))?,
            });
        }
        Ok(history)
    }
}

fn hours_schedule(h: &HoursConfig) -> std::result::Result<Schedule, String> {
    use jiff::civil::{Time, Weekday};
    let parse = |list: &[String]| -> std::result::Result<Vec<(Time, Time)>, String> {
        list.iter()
            .map(|s| {
                let (a, b) = s.split_once('-').ok_or_else(|| format!("\"{s}\" is not an interval like 09:00-13:00"))?;
                let t = |x: &str| x.trim().parse::<Time>().map_err(|_| format!("\"{x}\" is not a time like 09:00"));
                Ok((t(a)?, t(b)?))
            })
            .collect()
    };
    let weekdays = parse(&h.weekdays)?;
    let saturday = parse(&h.saturday)?;
    let mut schedule = Schedule::closed();
    for day in [Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday, Weekday::Friday] {
        schedule = schedule.with_hours(day, &weekdays).map_err(|e| e.to_string())?;
    }
    if !saturday.is_empty() {
        schedule = schedule.with_hours(Weekday::Saturday, &saturday).map_err(|e| e.to_string())?;
    }
    Ok(schedule)
}

#[derive(Clone, Debug)]
pub struct EngineConfig {
    pub time_zone: TimeZone,
    pub units: Vec<UnitConfig>,
    pub calendar: Arc<Calendar>,
    /// Working hours by unit; a unit not listed keeps the standard hours.
    pub schedules: BTreeMap<String, ScheduleHistory>,
    /// How the outbox dispatcher retries and when it gives up.
    pub outbox: OutboxPolicy,
}

impl EngineConfig {
    fn schedule(&self, unit: &str) -> &ScheduleHistory {
        static STANDARD: std::sync::OnceLock<ScheduleHistory> = std::sync::OnceLock::new();
        self.schedules.get(unit).unwrap_or_else(|| STANDARD.get_or_init(|| ScheduleHistory::new(Schedule::standard())))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("{0}")]
    Refused(#[from] Refusal),
    #[error("the application has {} invalid field(s)", .0.len())]
    Invalid(Vec<FieldError>),
    #[error("{0} not found")]
    NotFound(String),
    /// The case's personal data was purged under its edition's retention rule: only its
    /// tombstone, its redacted history, its summary and its task rows remain.
    #[error("case {case} was purged on {purged_at} under the retention rule \"{rule}\"")]
    Purged { case: CaseId, purged_at: Timestamp, rule: String },
    #[error("{0}")]
    Forbidden(String),
    #[error("the case changed meanwhile: it is at version {actual}, your view is of version {expected}; reload and try again")]
    Conflict { expected: u64, actual: u64 },
    #[error("this idempotency key was already used for a different request")]
    KeyReused,
    #[error("{0}")]
    BadRequest(String),
    /// An operator's retry of an outbox message that is not dead.
    #[error("outbox message {id} is {state}, not dead: only a dead message can be retried")]
    OutboxNotDead { id: String, state: String },
    #[error(transparent)]
    Unavailable(#[from] AdapterError),
    #[error(transparent)]
    Regulation(#[from] RegulationError),
    #[error("storage failure")]
    Store(#[source] StoreError),
    /// The official who must sign has no key this server can sign with; says what to do.
    #[error("{0}")]
    NoSigningKey(String),
    /// A document could not be made, signed or rendered (a server-side failure).
    #[error("document failure: {0}")]
    Document(String),
}

impl From<StoreError> for EngineError {
    fn from(e: StoreError) -> Self {
        EngineError::Store(e)
    }
}

pub type Result<T, E = EngineError> = std::result::Result<T, E>;

/// An outcome's input as a client sends it; checked against the definition and the users.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireInput {
    MissingDocuments(Vec<String>),
    Assignee(String),
    RefusalGrounds { grounds: Vec<String>, reasoning: String },
    Extension { days: u32, reason: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerformRequest {
    pub step: String,
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub input: Option<WireInput>,
    /// The case version the user saw; a stale one is refused.
    pub version: u64,
}

/// What a command did; the same value is returned again for a retry with the same key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandResult {
    pub case_id: String,
    pub reference: String,
    pub version: u64,
    pub status: String,
    pub result: Option<String>,
    pub open_steps: Vec<String>,
    /// The types of the events the command appended, in order.
    pub events: Vec<String>,
    /// True when this is the stored answer to an earlier request with the same key.
    #[serde(default)]
    pub replayed: bool,
}

/// Where a read came from, for the access log: the client's IP address as the web layer saw
/// it, or `None` for a read that did not come over the network.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Origin(pub Option<std::net::IpAddr>);

impl Origin {
    /// A read from inside the process (a test, a command-line tool).
    pub const LOCAL: Origin = Origin(None);
}

/// A case as its reader sees it: the state, its definition and the full history.
#[derive(Clone, Debug)]
pub struct CaseView {
    pub case: Case,
    pub definition: Arc<Definition>,
    pub events: Vec<Event>,
    pub outbox: Vec<OutboxMessage>,
    /// For each done task: the minutes it took, and on which basis (office minutes, or elapsed
    /// minutes for a limit in calendar days).
    pub taken: BTreeMap<u32, (i64, crate::compliance::TimeBasis)>,
    /// True when the reader is the KNB liaison: the view holds only what a coordination request
    /// holds (see `coordination_view`).
    pub coordination: bool,
}

pub struct Engine {
    store: Arc<dyn Store>,
    systems: Systems,
    clock: Arc<dyn Clock>,
    regulations: Arc<Regulations>,
    config: EngineConfig,
    outbox_wakeup: Notify,
    /// Public address and signing keys for the documents (see `documents.rs`).
    documents: documents::DocumentsConfig,
    /// Session lifetimes, the login lockout and the password rules (see `accounts.rs`).
    accounts: accounts::AccountPolicy,
    /// Open cases' state as last read or committed here (see `cache.rs`).
    cases: CaseCache,
}

// Issuing, signing, rendering and verifying documents (issue 5); a child module so that it
// works on the engine's own parts.
#[path = "documents.rs"]
pub(crate) mod documents;

// Passwords, the login lockout and the web UI's sessions (issue 8); a child module like
// `documents`.
#[path = "accounts.rs"]
pub(crate) mod accounts;

// The overdue list of supervisors and heads of units (issue 4).
#[path = "oversight.rs"]
mod oversight;

impl Engine {
    pub fn new(
        store: Arc<dyn Store>,
        systems: Systems,
        clock: Arc<dyn Clock>,
        regulations: Arc<Regulations>,
        config: EngineConfig,
    ) -> Engine {
        Engine {
            store,
            systems,
            clock,
            regulations,
            config,
            outbox_wakeup: Notify::new(),
            documents: Default::default(),
            accounts: Default::default(),
            cases: CaseCache::new(crate::cache::DEFAULT_CAPACITY),
        }
    }

    /// Keeps up to `capacity` open cases' state in memory between commands (0: none, every
    /// command reads and replays its case's events).
    pub fn with_case_cache(mut self, capacity: usize) -> Engine {
        self.cases = CaseCache::new(capacity);
        self
    }

    /// How many cases the case cache holds now.
    pub fn cached_cases(&self) -> usize {
        self.cases.len()
    }

    /// The cached state of a case, if the cache holds it (for tests and diagnostics: the
    /// cache must always equal a replay of the stored events).
    pub fn cached_case(&self, case_id: &CaseId) -> Option<Arc<Case>> {
        self.cases.get(case_id)
    }

    /// The actor the KNB's gateway acts as: the KNB liaison role of the configured KNB unit.
    pub fn knb_gateway(&self) -> Actor {
        let unit = self.config.units.iter().find(|u| u.kind == UnitKind::Knb).map_or_else(|| "knb".to_owned(), |u| u.id.clone());
        Actor { user: UserId(KNB_GATEWAY.into()), role: KNB_LIAISON.into(), unit: unit.into() }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }
    pub fn regulations(&self) -> &Regulations {
        &self.regulations
    }
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }
    /// The injected clock, for work outside a command that stamps times (audit checkpoints).
    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }
    /// The clock's time cut to whole microseconds: the precision both stores keep, so an
    /// instant written into an event and into a timer row reads back equal from either.
    pub fn now(&self) -> Timestamp {
        let t = self.clock.now();
        Timestamp::from_microsecond(t.as_microsecond()).unwrap_or(t)
    }
    /// The date in the service's time zone now.
    pub fn today(&self) -> jiff::civil::Date {
        self.now().to_zoned_datetime(self.config.time_zone.clone()).date()
    }

    /// The user a token belongs to, if active.
    pub async fn authenticate(&self, token: &str) -> Result<Option<User>> {
        let hash = hex::encode(Sha256::digest(token.as_bytes()));
        Ok(self.store.user_by_token_hash(&hash).await?.filter(|u| u.active))
    }

    /// Opens a case for an application accepted at the window. `provider`: the migration unit
    /// the application goes to (default: the one serving the operator's branch).
    pub async fn open_case(
        &self,
        actor: &Actor,
        draft: &ApplicationDraft,
        provider: Option<&str>,
        key: Option<&str>,
    ) -> Result<CommandResult> {
        let request_hash = hash_of(&("open", draft, provider));
        if let Some(done) = self.replay(actor, key, &request_hash).await? {
            return Ok(done);
        }
        let now = self.now();
        let today = self.today();
        let def = self.regulations.for_new_case(today)?;
        let checklist: Vec<&str> = def.checklist.iter().map(|c| c.id.as_str()).collect();
        let application = draft.validate(today, &checklist).map_err(EngineError::Invalid)?;
        let branch = self.unit(&actor.unit).filter(|u| u.kind == UnitKind::ScBranch);
        let provider = match (provider, branch.and_then(|b| b.provider.clone())) {
            (Some(p), _) => p.to_owned(),
            (None, Some(p)) => p,
            (None, None) => return Err(EngineError::BadRequest("name the provider unit the application goes to".into())),
        };
        if self.unit(&provider).is_none_or(|u| u.kind != UnitKind::Provider) {
            return Err(EngineError::BadRequest(format!("\"{provider}\" is not a provider unit")));
        }
        let knb = self.config.units.iter().find(|u| u.kind == UnitKind::Knb).map(|u| u.id.clone()).unwrap_or_else(|| "knb".into());
        let units = CaseUnits { sc_branch: actor.unit.clone(), provider: provider.into(), knb: knb.into() };
        let case_id = CaseId(crate::ids::new_id(now));
        let year = now.to_zoned_datetime(self.config.time_zone.clone()).year();
        // A reference is only taken once the command is known to be acceptable.
        case::decide(
            &def,
            None,
            actor,
            &Command::Open { reference: String::new(), application: application.clone(), units: units.clone() },
            now,
        )?;
        let number = self.store.next_number(&format!("case-{year}")).await?;
        let reference = format!("{year}-{number:06}");
        let command = Command::Open { reference, application, units };
        let events = case::decide(&def, None, actor, &command, now)?;
        self.commit(&def, None, case_id, events, actor, key, request_hash, Vec::new()).await
    }

    /// Performs the open task of a step.
    pub async fn perform(&self, actor: &Actor, case_id: &CaseId, request: &PerformRequest, key: Option<&str>) -> Result<CommandResult> {
        let request_hash = hash_of(&("perform", case_id, request));
        if let Some(done) = self.replay(actor, key, &request_hash).await? {
            return Ok(done);
        }
        let mut use_cache = true;
        loop {
            let (case, def, cached) = self.current(Some(actor), case_id, use_cache).await?;
            match self.perform_on(actor, &case, &def, request, key, &request_hash).await {
                // A refusal or a stale version said on a cached state, which may be behind a
                // commit of another replica: the stored state decides.
                Err(EngineError::Conflict { .. } | EngineError::Refused(_)) if cached => use_cache = false,
                done => return done,
            }
        }
    }

    /// [`Engine::perform`] on the case's state as loaded.
    async fn perform_on(
        &self,
        actor: &Actor,
        case: &Case,
        def: &Definition,
        request: &PerformRequest,
        key: Option<&str>,
        request_hash: &str,
    ) -> Result<CommandResult> {
        let case_id = &case.id;
        self.authorize_read(actor, case)?;
        if request.version != case.version {
            return Err(EngineError::Conflict { expected: request.version, actual: case.version });
        }
        let (step, task) = case::precheck(def, case, actor, &request.step)?;
        let input = match &request.input {
            None => None,
            Some(input) => Some(self.resolve_input(def, case, &request.step, request.outcome.as_deref(), input).await?),
        };
        let answer = match step.call {
            Some(call) => Some(self.call_system(call, case, task.id).await?),
            None => None,
        };
        let command = Command::Perform { step: request.step.clone(), outcome: request.outcome.clone(), input, answer };
        let events = case::decide(def, Some(case), actor, &command, self.now())?;
        self.commit(def, Some(case), case_id.clone(), events, actor, key, request_hash.to_owned(), Vec::new()).await
    }

    /// Takes the KNB's answer to a coordination request, as an inbound message. The message id
    /// is its idempotency key: a duplicate gets the first answer again.
    pub async fn knb_answer(&self, actor: &Actor, answer: &KnbAnswer) -> Result<CommandResult> {
        let case_id = CaseId(answer.case_id.clone());
        let request_hash = hash_of(&("knb", answer));
        if let Some(done) = self.replay(actor, Some(&answer.message_id), &request_hash).await? {
            return Ok(done);
        }
        let mut use_cache = true;
        loop {
            let (case, def, cached) = self.current(None, &case_id, use_cache).await?;
            let command = knb_command(actor, answer, &def)?;
            let key = Some(answer.message_id.as_str());
            let done = match case::decide(&def, Some(&case), actor, &command, self.now()) {
                Ok(events) => self.commit(&def, Some(&case), case_id.clone(), events, actor, key, request_hash.clone(), Vec::new()).await,
                Err(refusal) => Err(refusal.into()),
            };
            match done {
                // Said on a cached state, which may be behind a commit of another replica: once
                // more, on the stored state.
                Err(EngineError::Conflict { .. } | EngineError::Refused(_)) if cached => use_cache = false,
                done => return done,
            }
        }
    }

    /// A case with its persons and history, for anyone who may read it. The view is recorded in
    /// the access log before it is returned: if it cannot be recorded, the read fails.
    pub async fn case(&self, actor: &Actor, case_id: &CaseId, origin: Origin) -> Result<CaseView> {
        self.read_case(actor, case_id, origin, Viewed::Case).await
    }

    /// The case as the acceptance receipt page shows it; recorded as a view of the receipt.
    pub async fn receipt(&self, actor: &Actor, case_id: &CaseId, origin: Origin) -> Result<CaseView> {
        self.read_case(actor, case_id, origin, Viewed::Receipt).await
    }

    async fn read_case(&self, actor: &Actor, case_id: &CaseId, origin: Origin, what: Viewed) -> Result<CaseView> {
        let events = match self.events(case_id).await {
            Ok(events) => events,
            Err(e) => return Err(self.hide_purged(actor, e).await),
        };
        let case = Case::replay(case_id.clone(), &events).ok_or_else(|| EngineError::NotFound(format!("case {case_id}")))?;
        self.authorize_read(actor, &case)?;
        let definition = self.regulations.get(&case.edition, self.store.as_ref()).await?;
        if self.coordination_only(actor) {
            let view = coordination_view(case, definition, events, &actor.unit);
            let taken = self.time_taken(&view.case, &view.definition);
            self.record_view(actor, case_id, origin, Viewed::Coordination, None).await?;
            return Ok(CaseView { taken, coordination: true, ..view });
        }
        let outbox = self.store.outbox(Some(case_id)).await?;
        let taken = self.time_taken(&case, &definition);
        self.record_view(actor, case_id, origin, what, None).await?;
        Ok(CaseView { case, definition, events, outbox, taken, coordination: false })
    }

    /// The KNB liaison reads only what a coordination request holds (see [`coordination_view`]).
    pub(crate) fn coordination_only(&self, actor: &Actor) -> bool {
        actor.role == KNB_LIAISON && !self.sees_all(actor)
    }

    /// Appends an allowed read of a case's personal data to the access log (refused reads are
    /// not recorded: they showed nothing). `document`: the kind and language of a PDF.
    pub(crate) async fn record_view(
        &self,
        actor: &Actor,
        case_id: &CaseId,
        origin: Origin,
        what: Viewed,
        document: Option<(&str, &str)>,
    ) -> Result<AccessRecord> {
        let access = NewAccess {
            at: self.now(),
            user: actor.user.0.to_string(),
            role: actor.role.to_string(),
            unit: actor.unit.to_string(),
            case_id: case_id.clone(),
            what,
            document: document.map(|(kind, _)| kind.to_owned()),
            language: document.map(|(_, language)| language.to_owned()),
            origin: origin.0.map(|ip| ip.to_string()),
        };
        self.store.record_access(&access).await.map_err(|e| {
            // Someone must act: reads fail until the access log can be written again.
            tracing::error!(case.id = %case_id, view.what = what.code(), error = %e, "a view could not be recorded, so it was refused");
            EngineError::Store(e)
        })
    }

    /// Who viewed a case (newest first, at most `limit`): for supervisors and administrators,
    /// who oversee every unit. Rows hold ids and codes, no personal data.
    pub async fn case_views(&self, actor: &Actor, case_id: &CaseId, limit: u32) -> Result<Vec<AccessRecord>> {
        if !self.sees_all(actor) {
            return Err(EngineError::Forbidden("only supervisors and administrators see who viewed a case".into()));
        }
        Ok(self.store.access_log(&AccessQuery { case_id: Some(case_id.clone()), user: None, limit }).await?)
    }

    /// The working time each done task took, measured as the compliance report measures it.
    fn time_taken(&self, case: &Case, def: &Definition) -> BTreeMap<u32, (i64, crate::compliance::TimeBasis)> {
        case.tasks
            .iter()
            .filter_map(|t| {
                let done = t.done.as_ref()?;
                let basis = TimeBasis::of_task(def, case, t);
                let time = OfficeTime {
                    calendar: &self.config.calendar,
                    schedule: self.config.schedule(&t.unit),
                    time_zone: &self.config.time_zone,
                };
                time.minutes(basis, t.opened_at, done.at).ok().map(|m| (t.id, (m, basis)))
            })
            .collect()
    }

    /// The cases a user may see, newest first.
    pub async fn cases(&self, actor: &Actor, status: Option<String>, limit: u32) -> Result<Vec<CaseSummary>> {
        let unit = (!self.sees_all(actor)).then(|| actor.unit.to_string());
        if actor.role == KNB_LIAISON {
            return Err(EngineError::Forbidden("the KNB liaison sees coordination tasks, not case lists".into()));
        }
        Ok(self.store.list_cases(&CaseQuery { unit, status, limit }).await?)
    }

    /// The user's worklist: open tasks of their role and unit, those assigned to them or to
    /// nobody; `mine_only` leaves out the unassigned ones.
    pub async fn worklist(&self, actor: &Actor, mine_only: bool) -> Result<Vec<TaskRow>> {
        let query = TaskQuery {
            role: Some(actor.role.to_string()),
            unit: Some(actor.unit.to_string()),
            assignee: Some(actor.user.0.to_string()),
            include_unassigned: !mine_only,
            open_only: true,
            case_id: None,
            escalated_to: None,
            limit: 500,
            ..TaskQuery::default()
        };
        let mut tasks = self.store.list_tasks(&query).await?;
        if !mine_only {
            // Overdue tasks escalated to this role in this unit: the head sees what is late.
            let escalated = TaskQuery {
                unit: Some(actor.unit.to_string()),
                escalated_to: Some(actor.role.to_string()),
                open_only: true,
                limit: 500,
                ..TaskQuery::default()
            };
            tasks.extend(self.store.list_tasks(&escalated).await?);
            tasks.sort_by_key(|t| (t.due_at.is_none(), t.due_at, t.opened_at));
        }
        Ok(tasks)
    }

    /// The compliance report of the days `from..=to` in the service's time zone (see
    /// [`crate::compliance`] for how it counts). Supervisors and administrators see every unit;
    /// a unit's head (the role overdue tasks are escalated to) sees the tasks of their own unit;
    /// nobody else sees it.
    pub async fn compliance(&self, actor: &Actor, from: jiff::civil::Date, to: jiff::civil::Date) -> Result<ComplianceReport> {
        let editions = self.regulations.editions();
        let unit = if self.sees_all(actor) {
            None
        } else if editions.iter().any(|d| d.policy.escalate_overdue_to.as_deref() == Some(actor.role.as_str())) {
            Some(actor.unit.to_string())
        } else {
            return Err(EngineError::Forbidden(format!(
                "the compliance report is for supervisors, administrators and a unit's head, not for the role {}",
                actor.role
            )));
        };
        let period = Period::new(from, to).map_err(EngineError::BadRequest)?;
        let (start, end) = period.bounds(&self.config.time_zone).map_err(EngineError::BadRequest)?;
        // Every task of the period in one read, however many: the percentiles need them all.
        let query = TaskQuery { unit, done_from: Some(start), done_to: Some(end), limit: TaskQuery::ALL, ..TaskQuery::default() };
        let rows = self.store.list_tasks(&query).await?;
        let extended = self.extended_tasks(&editions, &rows).await?;
        let mut report = ReportBuilder::new(period, &self.config.time_zone);
        for row in &rows {
            // The basis recorded with the row; rows written before it was recorded have none.
            let basis = match row.time_basis.as_deref().and_then(TimeBasis::from_code) {
                Some(basis) => basis,
                None if extended.contains(&(row.case_id.0.as_str(), row.task_id)) => TimeBasis::ElapsedMinutes,
                None => TimeBasis::of_limit(&row.limit),
            };
            let time = OfficeTime {
                calendar: &self.config.calendar,
                schedule: self.config.schedule(&row.unit),
                time_zone: &self.config.time_zone,
            };
            report.add(row, compliance::measure(row, basis, &time));
        }
        let mut labels = Labels {
            units: self.config.units.iter().map(|u| (u.id.clone(), u.name.clone())).collect(),
            users: self.store.users().await?.into_iter().map(|u| (u.id, u.display_name)).collect(),
            ..Labels::default()
        };
        for def in &editions {
            for step in &def.steps {
                if !labels.step_order.iter().any(|s| step.id == *s) {
                    labels.step_order.push(step.id.to_string());
                }
            }
        }
        Ok(report.finish(&labels))
    }

    /// The tasks among `rows` whose deadline the KNB's extension moved to calendar days, for
    /// rows that do not record their time basis (written before migration 0010): their limit is
    /// the step's own, so the case's events tell. Only cases with such a row of an extension step
    /// are read; a row that records its basis never costs a read of the event log.
    async fn extended_tasks<'r>(&self, editions: &[Arc<Definition>], rows: &'r [TaskRow]) -> Result<HashSet<(&'r str, u32)>> {
        let steps: Vec<&str> = editions.iter().filter_map(|d| d.extension.as_ref().map(|e| e.step.as_str())).collect();
        let mut out = HashSet::new();
        let unrecorded = |r: &&TaskRow| r.time_basis.as_deref().and_then(TimeBasis::from_code).is_none();
        for row in rows.iter().filter(unrecorded).filter(|r| steps.contains(&r.step.as_str())) {
            let (case, def) = match self.load(&row.case_id).await {
                Ok(loaded) => loaded,
                Err(EngineError::Purged { .. }) => {
                    if self.purged_task_extended(editions, row).await? {
                        out.insert((row.case_id.0.as_str(), row.task_id));
                    }
                    continue;
                }
                Err(e) => return Err(e),
            };
            // The same rule the engine now records in the row (see `TimeBasis::of_task`).
            let task = case.tasks.iter().find(|t| t.id == row.task_id);
            if task.is_some_and(|t| TimeBasis::of_task(&def, &case, t) == TimeBasis::ElapsedMinutes) {
                out.insert((row.case_id.0.as_str(), row.task_id));
            }
        }
        Ok(out)
    }

    /// `extended_tasks` for a purged case: its redacted events still say which outcome was
    /// recorded at which step and when, which is all the extension's test needs.
    async fn purged_task_extended(&self, editions: &[Arc<Definition>], row: &TaskRow) -> Result<bool> {
        let Some(rule) = editions.iter().filter_map(|d| d.extension.as_ref()).find(|e| e.step == row.step) else { return Ok(false) };
        let links = self.store.event_chain(&row.case_id).await?;
        let granted = links
            .iter()
            .filter_map(|l| serde_json::from_value::<domain::retention::RedactedEvent>(l.body.get("redacted")?.clone()).ok())
            .find(|r| r.kind == "outcome_recorded" && r.step.as_deref() == Some(&rule.step) && r.outcome.as_deref() == Some(&rule.outcome))
            .map(|r| r.at);
        Ok(granted.is_some_and(|at| row.opened_at <= at && row.done_at.is_none_or(|d| d >= at)))
    }

    /// Fires the timers that are due: each one's effect (a flag, an escalation, a term overrun)
    /// is committed with the timer marked fired, in one transaction, so it happens once however
    /// often or on however many servers this runs. Returns how many changed a case.
    pub async fn fire_timers(&self, limit: u32) -> Result<usize> {
        let now = self.now();
        let claimed = self.store.claim_timers(now, limit, SignedDuration::from_secs(60)).await?;
        let system = Actor { user: UserId(TIMERS.into()), role: "system".into(), unit: "system".into() };
        let mut changed = 0;
        for timer in claimed {
            let kind: domain::case::TimerKind = match serde_json::from_value(timer.payload.clone()) {
                Ok(k) => k,
                Err(e) => {
                    tracing::error!(timer.id = %timer.id, error = %e, "unreadable timer; marked fired");
                    self.store.timer_fired(&timer.id, now).await?;
                    continue;
                }
            };
            let mut use_cache = true;
            loop {
                let (case, def, cached) = self.current(None, &timer.case_id, use_cache).await?;
                let events = case::fire(&def, &case, &kind, timer.due_at, &system, now);
                if events.is_empty() && cached {
                    // "Nothing to do" on a cached state may only mean the cache is behind
                    // (another replica opened the task): the stored state decides.
                    use_cache = false;
                    continue;
                }
                if events.is_empty() {
                    self.store.timer_fired(&timer.id, now).await?;
                    break;
                }
                match self.commit(&def, Some(&case), case.id.clone(), events, &system, None, String::new(), vec![timer.id.clone()]).await {
                    Ok(_) => {
                        changed += 1;
                        tracing::info!(case.id = %case.id, timer.kind = %timer.kind, "timer fired");
                    }
                    // The cached state was behind the store: once more, on the stored state.
                    Err(EngineError::Conflict { .. }) if cached => {
                        use_cache = false;
                        continue;
                    }
                    // Someone changed the case meanwhile: the lease runs out and the timer is
                    // looked at again against the new state.
                    Err(EngineError::Conflict { .. }) => {}
                    Err(e) => return Err(e),
                }
                break;
            }
        }
        Ok(changed)
    }

    /// Outbox messages (all, newest first), for supervisors and administrators.
    pub async fn outbox(&self, actor: &Actor) -> Result<Vec<OutboxMessage>> {
        if !self.sees_all(actor) {
            return Err(EngineError::Forbidden("only supervisors and administrators see the outbox".into()));
        }
        Ok(self.store.outbox(None).await?)
    }

    /// Outbox messages in one state, newest first (the newest 500), or all of them as
    /// [`Engine::outbox`] when `state` is `None`; for supervisors and administrators.
    pub async fn outbox_list(&self, actor: &Actor, state: Option<OutboxState>) -> Result<Vec<OutboxMessage>> {
        match state {
            None => self.outbox(actor).await,
            Some(state) => {
                if !self.sees_all(actor) {
                    return Err(EngineError::Forbidden("only supervisors and administrators see the outbox".into()));
                }
                Ok(self.store.outbox_by_state(Some(state), 500).await?)
            }
        }
    }

    /// An administrator's retry of a dead message: pending again, due now, with a fresh count
    /// of attempts. A supervisor only reads. An unknown id is `NotFound`; a message that is not
    /// dead is `OutboxNotDead`, and nothing changes.
    pub async fn retry_outbox(&self, actor: &Actor, id: &str) -> Result<OutboxMessage> {
        if actor.role != ADMIN {
            return Err(EngineError::Forbidden("only administrators retry outbox messages".into()));
        }
        if !self.store.outbox_retry(id, self.now()).await? {
            return Err(match self.store.outbox_message(id).await? {
                None => EngineError::NotFound(format!("outbox message {id}")),
                Some(m) => EngineError::OutboxNotDead { id: m.id, state: m.state },
            });
        }
        tracing::info!(outbox.id = %id, actor.role = %actor.role, "dead outbox message retried by an operator");
        self.outbox_wakeup.notify_one();
        self.store.outbox_message(id).await?.ok_or_else(|| EngineError::NotFound(format!("outbox message {id}")))
    }

    /// Waits until a commit of this process or (where the store can tell) of another process on
    /// the same database queues outbox work, or `timeout` passes.
    pub async fn outbox_wait(&self, timeout: std::time::Duration) {
        let local = self.outbox_wakeup.notified();
        tokio::select! {
            _ = tokio::time::timeout(timeout, local) => {}
            _ = self.store.wait_for_work(timeout) => {}
        }
    }

    /// Sends due outbox messages to their systems. A failure leaves the message pending until a
    /// retry time after a growing, jittered delay; a rejection, or a failure of the last attempt
    /// the policy allows, makes it dead. Returns how many were delivered.
    pub async fn dispatch_outbox(&self, limit: u32) -> Result<usize> {
        let now = self.now();
        let claimed = self.store.claim_outbox(now, limit, SignedDuration::from_secs(60)).await?;
        let mut delivered = 0;
        for msg in claimed {
            match self.deliver(&msg).await {
                Ok(()) => {
                    self.store.outbox_delivered(&msg.id, self.now()).await?;
                    delivered += 1;
                }
                Err(e) => self.outbox_failure(&msg, &e).await?,
            }
        }
        Ok(delivered)
    }

    /// Records a failed delivery. A rejection cannot be cured by trying again and the last
    /// allowed attempt ends the trying: either makes the message dead, for an operator to look
    /// at. Anything else (the system down, a timeout) waits for the policy's backoff.
    async fn outbox_failure(&self, msg: &OutboxMessage, e: &EngineError) -> Result<()> {
        let policy = &self.config.outbox;
        let now = self.now();
        let rejected = matches!(e, EngineError::Unavailable(AdapterError::Rejected { .. }));
        if rejected || msg.attempts >= policy.max_attempts {
            let reason = if rejected { "rejected" } else { "attempts_exhausted" };
            tracing::warn!(outbox.id = %msg.id, outbox.kind = %msg.kind, case.id = %msg.case_id, attempts = msg.attempts, reason,
                error = %e, "outbox message is dead, waiting for an operator's retry");
            self.store.outbox_dead(&msg.id, &e.to_string(), now).await?;
        } else {
            let wait = policy.backoff(&msg.id, msg.attempts);
            let retry_at = now.checked_add(wait).unwrap_or(now);
            tracing::warn!(outbox.id = %msg.id, outbox.kind = %msg.kind, attempts = msg.attempts, retry_in_ms = wait.as_millis() as i64,
                error = %e, "outbox delivery failed, will retry");
            self.store.outbox_failed(&msg.id, &e.to_string(), retry_at).await?;
        }
        Ok(())
    }

    async fn deliver(&self, msg: &OutboxMessage) -> Result<()> {
        // What is read here (the application, the reference) never changes: any state will do.
        let (case, _, _) = self.current(None, &msg.case_id, true).await?;
        let ctx =
            CallContext { case_id: case.id.0.clone(), reference: case.reference.clone(), idempotency_key: msg.idempotency_key.clone() };
        match Call::parse(&msg.kind) {
            Some(Call::KnbRequestCoordination) => self.systems.knb.request_coordination(&ctx, &case.application).await?,
            _ => return Err(EngineError::BadRequest(format!("unknown outbox message kind {}", msg.kind))),
        }
        tracing::info!(case.id = %case.id, outbox.kind = %msg.kind, "outbox message delivered");
        Ok(())
    }

    /// A case's events; a purged case's redacted events do not read as events, so a failure
    /// to read is `Purged` when the case has a tombstone (the common path pays nothing extra).
    async fn events(&self, case_id: &CaseId) -> Result<Vec<Event>> {
        match self.store.load_events(case_id).await {
            Ok(events) => Ok(events),
            Err(e) => match self.store.tombstone(case_id).await? {
                Some(t) => Err(EngineError::Purged { case: t.case_id, purged_at: t.purged_at, rule: t.rule }),
                None => Err(e.into()),
            },
        }
    }

    /// Purges the personal data of every closed case due under its edition's retention rule
    /// (see [`crate::retention`]).
    pub async fn purge(&self, options: &crate::retention::PurgeOptions) -> Result<crate::retention::PurgeReport> {
        crate::retention::purge(self.store.as_ref(), &self.regulations, options).await
    }

    /// [`Engine::load`] for a reader: a purged case is told as purged only to those who could
    /// read it (see [`Engine::hide_purged`]).
    pub(crate) async fn load_for(&self, actor: &Actor, case_id: &CaseId) -> Result<(Case, Arc<Definition>)> {
        match self.load(case_id).await {
            Ok(loaded) => Ok(loaded),
            Err(e) => Err(self.hide_purged(actor, e).await),
        }
    }

    /// `Purged` as `actor` may learn it. The events, and with them the case's units, are
    /// redacted, but the case summary keeps its branch and provider: staff of those units and
    /// those who see every unit are told that the case was purged; to anyone else it does not
    /// exist, as an unpurged case of another unit does not (decision 9).
    async fn hide_purged(&self, actor: &Actor, e: EngineError) -> EngineError {
        if let EngineError::Purged { case, .. } = &e {
            let ours = match self.store.case_summary(case).await {
                Ok(Some(s)) => s.sc_branch == actor.unit || s.provider == actor.unit,
                _ => false,
            };
            if !(ours || self.sees_all(actor)) {
                return EngineError::NotFound(format!("case {case}"));
            }
        }
        e
    }

    /// A case's state for a command, and whether it came from the case cache: from the cache
    /// when `use_cache` and it holds the case, else read and replayed from the store (and
    /// kept). `actor`: the reader, for [`Engine::load_for`]; `None` for the system's own work.
    async fn current(&self, actor: Option<&Actor>, case_id: &CaseId, use_cache: bool) -> Result<(Arc<Case>, Arc<Definition>, bool)> {
        if let Some(case) = self.cases.get(case_id).filter(|_| use_cache) {
            let def = self.regulations.get(&case.edition, self.store.as_ref()).await?;
            return Ok((case, def, true));
        }
        let (case, def) = match actor {
            Some(actor) => self.load_for(actor, case_id).await?,
            None => self.load(case_id).await?,
        };
        let case = Arc::new(case);
        self.cases.put(case.clone());
        Ok((case, def, false))
    }

    async fn load(&self, case_id: &CaseId) -> Result<(Case, Arc<Definition>)> {
        let events = self.events(case_id).await?;
        let case = Case::replay(case_id.clone(), &events).ok_or_else(|| EngineError::NotFound(format!("case {case_id}")))?;
        let def = self.regulations.get(&case.edition, self.store.as_ref()).await?;
        Ok((case, def))
    }

    fn unit(&self, id: &str) -> Option<&UnitConfig> {
        self.config.units.iter().find(|u| u.id == id)
    }

    fn sees_all(&self, actor: &Actor) -> bool {
        actor.role == SUPERVISOR || actor.role == ADMIN
    }

    fn authorize_read(&self, actor: &Actor, case: &Case) -> Result<()> {
        let u = &case.units;
        if self.sees_all(actor) || [&u.sc_branch, &u.provider, &u.knb].contains(&&actor.unit) {
            Ok(())
        } else {
            // Said as "not found" so that other units cannot probe which cases exist.
            Err(EngineError::NotFound(format!("case {}", case.id)))
        }
    }

    async fn replay(&self, actor: &Actor, key: Option<&str>, request_hash: &str) -> Result<Option<CommandResult>> {
        let Some(key) = key else { return Ok(None) };
        match self.store.find_idempotent(&actor.user.0, key).await? {
            None => Ok(None),
            Some(rec) if rec.request_hash != request_hash => Err(EngineError::KeyReused),
            Some(rec) => {
                let mut result: CommandResult =
                    serde_json::from_value(rec.response).map_err(|e| EngineError::Store(StoreError::Backend(e.to_string())))?;
                result.replayed = true;
                Ok(Some(result))
            }
        }
    }

    async fn resolve_input(
        &self,
        def: &Definition,
        case: &Case,
        step: &str,
        outcome: Option<&str>,
        input: &WireInput,
    ) -> Result<OutcomeInput> {
        Ok(match input {
            WireInput::MissingDocuments(d) => OutcomeInput::MissingDocuments(d.clone()),
            WireInput::RefusalGrounds { grounds, reasoning } => {
                OutcomeInput::RefusalGrounds { grounds: grounds.clone(), reasoning: reasoning.clone() }
            }
            WireInput::Extension { days, reason } => OutcomeInput::Extension { days: *days, reason: reason.clone() },
            WireInput::Assignee(user) => {
                let role = def.step(step).and_then(|s| outcome.and_then(|o| s.outcome(o))).and_then(|o| o.assigns.clone());
                let bad = |message: String| Refusal::BadInput { field: "input.assignee".into(), message };
                let found = self.store.user(user).await?;
                match (found, role) {
                    (Some(u), Some(role)) if u.active && u.role == role && u.unit == case.units.provider => {}
                    (_, Some(role)) => {
                        return Err(bad(format!("\"{user}\" is not an active {role} of unit {}", case.units.provider)).into());
                    }
                    (_, None) => return Err(bad("this outcome assigns nobody".into()).into()),
                }
                OutcomeInput::Assignee(UserId(user.as_str().into()))
            }
        })
    }

    /// Asks the step's external system. The key is the task's, so a retried command asks the
    /// remote side with the same key and gets the same answer.
    async fn call_system(&self, call: Call, case: &Case, task: u32) -> Result<SystemAnswer> {
        let ctx = CallContext {
            case_id: case.id.0.clone(),
            reference: case.reference.clone(),
            idempotency_key: format!("{}:{}:{}", case.id, task, call.code()),
        };
        let s = &self.systems;
        let ack = |reference| SystemAnswer::Ack { reference };
        Ok(match call {
            Call::ScForwardDocuments => ack(s.sc.forward_documents(&ctx).await?),
            Call::ScSendExtensionNotice => {
                let ext = case.extension.as_ref().ok_or_else(|| EngineError::BadRequest("no extension was granted".into()))?;
                ack(s.sc.send_extension_notice(&ctx, ext.days, &ext.reason).await?)
            }
            Call::ScSendResult => {
                let what = if case.facts.contains("draft.invitation") { "invitation" } else { "motivated_refusal" };
                ack(s.sc.send_result(&ctx, what).await?)
            }
            Call::BurkitEnterPersons => ack(s.burkit.enter_persons(&ctx, &case.application).await?),
            Call::BurkitRecordInvitation => {
                // The invitation is dated the day it was signed.
                let signed = case.documents.iter().rev().find(|d| d.document == "invitation").map(|d| d.at).unwrap_or(self.now());
                let issued_on = signed.to_zoned_datetime(self.config.time_zone.clone()).date();
                let r = s.burkit.record_invitation(&ctx, &case.application, issued_on).await?;
                SystemAnswer::InvitationRecorded {
                    registration_number: r.registration_number,
                    issued_on: r.issued_on,
                    valid_until: r.valid_until,
                }
            }
            Call::AdbCheckPersons => {
                let records = s.adb.check_persons(&ctx, &case.application).await?;
                if records.is_empty() { SystemAnswer::AdbClear } else { SystemAnswer::AdbRecords { records } }
            }
            Call::KnbRequestCoordination => {
                return Err(EngineError::BadRequest("the KNB request is sent when the step opens, not by a person".into()));
            }
        })
    }

    /// Commits a command's events with what follows from them (deadlines, terms, timers,
    /// outbox messages, projections); `fired_timers` are marked fired in the same transaction.
    #[allow(clippy::too_many_arguments)]
    async fn commit(
        &self,
        def: &Definition,
        before: Option<&Case>,
        case_id: CaseId,
        events: Vec<Event>,
        actor: &Actor,
        key: Option<&str>,
        request_hash: String,
        fired_timers: Vec<String>,
    ) -> Result<CommandResult> {
        let expected_version = before.map_or(0, |c| c.version);
        let mut after = match before {
            Some(c) => c.clone(),
            None => Case::replay(case_id.clone(), &events[..1]).expect("decide opens with CaseOpened"),
        };
        let mut timed = Vec::with_capacity(events.len() * 2);
        for e in events.into_iter() {
            if before.is_some() || !timed.is_empty() {
                after.apply(&e);
            }
            let follow = self.deadline_events(def, &after, &e);
            timed.push(e);
            for f in follow {
                after.apply(&f);
                timed.push(f);
            }
        }
        let mut events = timed;
        let documents = self.issue_documents(def, &mut after, &mut events).await?;
        let now = self.now();
        let mut touched: Vec<u32> = Vec::new();
        let mut outbox = Vec::new();
        let mut timers = Vec::new();
        let timer = |kind: domain::case::TimerKind, due_at: Timestamp| NewTimer {
            id: crate::ids::new_id(now),
            case_id: case_id.clone(),
            kind: kind.code().to_owned(),
            payload: serde_json::to_value(&kind).expect("plain data"),
            due_at,
        };
        for e in &events {
            match &e.kind {
                EventKind::DeadlineSet { task, deadline } => {
                    touched.push(*task);
                    timers.push(timer(domain::case::TimerKind::Warn { task: *task }, deadline.warn_at));
                    timers.push(timer(domain::case::TimerKind::Due { task: *task }, deadline.due));
                }
                EventKind::TaskFlagged { task, .. } => touched.push(*task),
                EventKind::TermSet { term } => {
                    // The term runs to the end of its last day in Kazakhstan.
                    let end = term.ends_on.to_datetime(jiff::civil::Time::constant(23, 59, 59, 0));
                    if let Ok(at) = end.to_zoned_datetime(self.config.time_zone.clone()) {
                        timers.push(timer(domain::case::TimerKind::TermEnd { ends_on: term.ends_on }, at.timestamp()));
                    }
                }
                EventKind::TaskOpened { task, step, .. } => {
                    touched.push(*task);
                    if let Some(call) = def.step(step).and_then(|s| s.on_enter) {
                        outbox.push(NewOutboxMessage {
                            id: crate::ids::new_id(now),
                            case_id: case_id.clone(),
                            kind: call.code().to_owned(),
                            payload: serde_json::json!({ "task": task, "step": step }),
                            idempotency_key: format!("{}:{}:{}", case_id, task, call.code()),
                            due_at: now,
                        });
                    }
                }
                EventKind::OutcomeRecorded { task, .. } => touched.push(*task),
                _ => {}
            }
        }
        let tasks = after.tasks.iter().filter(|t| touched.contains(&t.id)).map(|t| task_row(def, &after, t)).collect();
        let result = CommandResult {
            case_id: case_id.0.clone(),
            reference: after.reference.clone(),
            version: after.version,
            status: status_code(&after).to_owned(),
            result: after.result.map(|r| r.code().to_owned()),
            open_steps: after.open_tasks().map(|t| t.step.to_string()).collect(),
            events: events.iter().map(|e| e.kind.name().to_owned()).collect(),
            replayed: false,
        };
        let idempotency = key.map(|key| IdempotencyRecord {
            user: actor.user.0.to_string(),
            key: key.to_owned(),
            request_hash: request_hash.clone(),
            case_id: case_id.clone(),
            response: serde_json::to_value(&result).expect("plain data"),
            created_at: now,
        });
        let has_outbox = !outbox.is_empty();
        let unit = UnitOfWork {
            case_id: case_id.clone(),
            expected_version,
            events,
            summary: summary(&after, now),
            tasks,
            idempotency,
            outbox,
            timers,
            fired_timers,
            documents,
        };
        match self.store.commit(unit).await {
            Ok(()) => self.cases.put(Arc::new(after)),
            Err(StoreError::Conflict { expected, actual, .. }) => {
                self.cases.forget(&case_id);
                return Err(EngineError::Conflict { expected, actual });
            }
            Err(StoreError::DuplicateKey) => {
                return self.replay(actor, key, &request_hash).await?.ok_or(EngineError::KeyReused);
            }
            Err(e) => return Err(e.into()),
        }
        tracing::info!(case.id = %case_id, case.version = result.version, events = ?result.events, actor.role = %actor.role, "command committed");
        if has_outbox {
            self.outbox_wakeup.notify_one();
        }
        Ok(result)
    }
}

impl Engine {
    /// The deadline and term events that follow `event` (already applied to `case`): a
    /// deadline for each task opened, the service term at acceptance, and both moved by a KNB
    /// extension. A deadline the calendar cannot compute (a year it does not cover) is left
    /// unset and logged, never guessed; the command itself goes through.
    fn deadline_events(&self, def: &Definition, case: &Case, event: &Event) -> Vec<Event> {
        let follow = |kind| Event { at: event.at, by: event.by.clone(), kind };
        let time = |unit: &str| WorkingTime {
            calendar: &self.config.calendar,
            schedule: self.config.schedule(unit),
            time_zone: &self.config.time_zone,
            policy: &def.policy,
        };
        let mut out = Vec::new();
        let fail = |what: &str, e: crate::deadlines::DeadlineError| {
            tracing::warn!(case.id = %case.id, what, error = %e, "deadline not computed");
        };
        match &event.kind {
            EventKind::TaskOpened { task, step, unit, limit, .. } => {
                let Some(s) = def.step(step) else { return out };
                let anchor = s.same_day_as.map(|a| anchor_time(def, case, a).unwrap_or(event.at));
                let delivers = s.call == Some(Call::ScSendResult);
                match time(unit).task_deadline(*limit, event.at, anchor, case.term.as_ref(), delivers) {
                    Ok(deadline) => out.push(follow(EventKind::DeadlineSet { task: *task, deadline })),
                    Err(e) => fail("task", e),
                }
            }
            EventKind::OutcomeRecorded { sets, input, .. } => {
                let extension = match input {
                    Some(OutcomeInput::Extension { days, .. }) => Some(*days),
                    _ => None,
                };
                let starts = sets.iter().any(|f| *f == def.term.starts);
                if starts || extension.is_some() {
                    let accepted_at = case.term.as_ref().map_or(event.at, |t| t.starts_at);
                    match time(&case.units.provider).service_term(&def.term, accepted_at, extension.unwrap_or(0)) {
                        Ok(term) => out.push(follow(EventKind::TermSet { term })),
                        Err(e) => fail("term", e),
                    }
                }
                // The extended coordination runs its calendar days from when it started.
                if let (Some(days), Some(ext)) = (extension, def.extension.as_ref())
                    && let Some(t) = case.open_task(&ext.step)
                {
                    {
                        let limit = domain::definition::Limit::Within { amount: days, unit: domain::definition::LimitUnit::CalendarDays };
                        match time(&t.unit).task_deadline(limit, t.opened_at, None, None, false) {
                            Ok(mut deadline) => {
                                deadline.explanation.insert(
                                    0,
                                    format!("extended at the KNB's written request: {days} calendar days from the start of coordination"),
                                );
                                out.push(follow(EventKind::DeadlineSet { task: t.id, deadline }));
                            }
                            Err(e) => fail("extension", e),
                        }
                    }
                }
            }
            _ => {}
        }
        out
    }
}

/// The moment a "same day" limit counts from, if it has happened yet in this case.
fn anchor_time(def: &Definition, case: &Case, anchor: domain::definition::SameDayAnchor) -> Option<Timestamp> {
    use domain::definition::SameDayAnchor;
    let done_at = |pick: &dyn Fn(&domain::definition::Step) -> bool| {
        case.tasks.iter().filter(|t| def.step(&t.step).is_some_and(pick)).filter_map(|t| t.done.as_ref().map(|d| d.at)).next_back()
    };
    match anchor {
        SameDayAnchor::ArrivalFromSc => done_at(&|s| s.call == Some(Call::ScForwardDocuments)),
        SameDayAnchor::KnbAnswer => done_at(&|s| s.on_enter == Some(Call::KnbRequestCoordination)),
    }
}

fn hash_of<T: Serialize>(value: &T) -> String {
    hex::encode(Sha256::digest(serde_json::to_vec(value).expect("plain data")))
}

fn status_code(case: &Case) -> &'static str {
    match case.status {
        case::CaseStatus::Open => "open",
        case::CaseStatus::Closed => "closed",
    }
}

fn summary(case: &Case, now: Timestamp) -> CaseSummary {
    CaseSummary {
        case_id: case.id.clone(),
        reference: case.reference.clone(),
        edition: EditionRef { edition: case.edition.edition.clone(), hash: case.edition.hash.clone() },
        status: status_code(case).to_owned(),
        result: case.result.map(|r| r.code().to_owned()),
        sc_branch: case.units.sc_branch.to_string(),
        provider: case.units.provider.to_string(),
        open_steps: case.open_tasks().map(|t| t.step.to_string()).collect(),
        version: case.version,
        opened_at: case.opened_at,
        updated_at: now,
    }
}

/// The task's row as the worklist and the reports read it, with the time basis its deadline is
/// computed on, so that the compliance report need not replay the case to learn it.
fn task_row(def: &Definition, case: &Case, t: &case::Task) -> TaskRow {
    TaskRow {
        case_id: case.id.clone(),
        task_id: t.id,
        reference: case.reference.clone(),
        step: t.step.to_string(),
        role: t.role.to_string(),
        unit: t.unit.to_string(),
        assignee: t.assignee.as_ref().map(|u| u.0.to_string()),
        cites: t.cites.to_vec(),
        limit: t.limit.to_string(),
        opened_at: t.opened_at,
        due_at: t.deadline.as_ref().map(|d| d.due),
        warn_at: t.deadline.as_ref().map(|d| d.warn_at),
        escalated_to: t.escalated_to.clone(),
        done_at: t.done.as_ref().map(|d| d.at),
        outcome: t.done.as_ref().map(|d| d.outcome.to_string()),
        done_by: t.done.as_ref().map(|d| d.by.0.to_string()),
        time_basis: Some(TimeBasis::of_task(def, case, t).code().to_owned()),
    }
}

/// What a coordination request holds, as the KNB liaison of `unit` sees a case: the persons to
/// check and the visit (the application without the documents presented at the window), the
/// tasks of the liaison's own unit with their deadlines, and its own answers (the events of its
/// unit and of its tasks). Not the other units' tasks and timeline, the documents, the АДБ
/// records, the refusal or invitation, the outbox, nor the intake's checklist. The case's
/// version is kept: the liaison's answer names it.
fn coordination_view(mut case: Case, definition: Arc<Definition>, events: Vec<Event>, unit: &str) -> CaseView {
    case.tasks.retain(|t| t.unit == unit);
    let tasks: HashSet<u32> = case.tasks.iter().map(|t| t.id).collect();
    let own_task = |kind: &EventKind| match kind {
        EventKind::TaskOpened { task, .. }
        | EventKind::OutcomeRecorded { task, .. }
        | EventKind::DeadlineSet { task, .. }
        | EventKind::TaskFlagged { task, .. } => tasks.contains(task),
        _ => false,
    };
    let events = events.into_iter().filter(|e| e.by.unit == unit || own_task(&e.kind)).collect();
    Arc::make_mut(&mut case.application).documents_presented.clear();
    case.facts.retain(|f| f.starts_with("knb."));
    case.assignments.clear();
    case.missing_documents.clear();
    case.adb_records.clear();
    case.refusal = None;
    case.invitation = None;
    case.documents.clear();
    CaseView { case, definition, events, outbox: Vec::new(), taken: BTreeMap::new(), coordination: true }
}

/// The command the KNB's answer stands for.
fn knb_command(actor: &Actor, answer: &KnbAnswer, def: &Definition) -> Result<Command> {
    let step = def
        .steps
        .iter()
        .find(|s| s.on_enter == Some(Call::KnbRequestCoordination))
        .ok_or_else(|| EngineError::BadRequest(format!("edition {} has no KNB coordination step", def.edition())))?;
    // Only the KNB speaks for the KNB, whatever state the case is in.
    if actor.role != step.role {
        return Err(Refusal::WrongRole { step: step.id.to_string(), needs: step.role.to_string(), has: actor.role.to_string() }.into());
    }
    let (outcome, input) = match &answer.verdict {
        KnbVerdict::Agree => ("agree".to_owned(), None),
        KnbVerdict::Object => ("object".to_owned(), None),
        KnbVerdict::Extend { days, reason } => {
            let outcome = def
                .extension
                .as_ref()
                .map(|e| e.outcome.clone())
                .ok_or_else(|| EngineError::BadRequest(format!("edition {} has no extension rule", def.edition())))?;
            (outcome, Some(OutcomeInput::Extension { days: *days, reason: reason.clone() }))
        }
    };
    Ok(Command::Perform { step: step.id.to_string(), outcome: Some(outcome), input, answer: None })
}
