//! The rows as PostgreSQL returns them (JSONB columns read as text), and their conversion into
//! the store's types. Private to this crate: callers only ever see `store` types.

use crate::error::{corrupt, json};
use domain::{CaseId, EditionRef};
use jiff::Timestamp;
use store::{CaseSummary, IdempotencyRecord, OutboxMessage, Result, StoreError, TaskRow, Timer, User};

/// A timestamp as stored: microseconds since the Unix epoch. Sub-microsecond digits are
/// dropped, which no regulated time limit can notice.
pub(crate) fn micros(t: Timestamp) -> i64 {
    t.as_microsecond()
}

pub(crate) fn timestamp(us: i64) -> Result<Timestamp> {
    Timestamp::from_microsecond(us).map_err(|_| corrupt("timestamp"))
}

fn opt_timestamp(us: Option<i64>) -> Result<Option<Timestamp>> {
    us.map(timestamp).transpose()
}

/// BIGINT is signed 64-bit; versions and counters never come near the limit.
pub(crate) fn to_i64(v: u64, what: &'static str) -> Result<i64> {
    i64::try_from(v).map_err(|_| StoreError::Backend(format!("{what} too large to store")))
}

pub(crate) fn to_u64(v: i64, what: &'static str) -> Result<u64> {
    u64::try_from(v).map_err(|_| corrupt(what))
}

fn to_u32(v: i64, what: &'static str) -> Result<u32> {
    u32::try_from(v).map_err(|_| corrupt(what))
}

#[derive(sqlx::FromRow)]
pub(crate) struct CaseRow {
    case_id: String,
    reference: String,
    edition: String,
    edition_hash: String,
    status: String,
    result: Option<String>,
    sc_branch: String,
    provider: String,
    open_steps: String,
    version: i64,
    opened_at: i64,
    updated_at: i64,
}

/// The columns of the row struct above, in a macro so that `concat!` can build static SQL.
macro_rules! case_columns {
    () => {
        "case_id, reference, edition, edition_hash, status, result, sc_branch, provider, open_steps::text AS open_steps, version, opened_at, updated_at"
    };
}

impl TryFrom<CaseRow> for CaseSummary {
    type Error = StoreError;
    fn try_from(r: CaseRow) -> Result<CaseSummary> {
        Ok(CaseSummary {
            case_id: CaseId(r.case_id),
            reference: r.reference,
            edition: EditionRef { edition: r.edition, hash: r.edition_hash },
            status: r.status,
            result: r.result,
            sc_branch: r.sc_branch,
            provider: r.provider,
            open_steps: serde_json::from_str(&r.open_steps).map_err(json("cases.open_steps"))?,
            version: to_u64(r.version, "cases.version")?,
            opened_at: timestamp(r.opened_at)?,
            updated_at: timestamp(r.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TaskDbRow {
    case_id: String,
    task_id: i64,
    reference: String,
    step: String,
    role: String,
    unit: String,
    assignee: Option<String>,
    cites: String,
    time_limit: String,
    opened_at: i64,
    due_at: Option<i64>,
    warn_at: Option<i64>,
    escalated_to: Option<String>,
    done_at: Option<i64>,
    outcome: Option<String>,
    done_by: Option<String>,
}

/// The columns of the row struct above, in a macro so that `concat!` can build static SQL.
macro_rules! task_columns {
    () => {
        "case_id, task_id, reference, step, role, unit, assignee, cites::text AS cites, time_limit, opened_at, due_at, warn_at, escalated_to, done_at, outcome, done_by"
    };
}

impl TryFrom<TaskDbRow> for TaskRow {
    type Error = StoreError;
    fn try_from(r: TaskDbRow) -> Result<TaskRow> {
        Ok(TaskRow {
            case_id: CaseId(r.case_id),
            task_id: to_u32(r.task_id, "tasks.task_id")?,
            reference: r.reference,
            step: r.step,
            role: r.role,
            unit: r.unit,
            assignee: r.assignee,
            cites: serde_json::from_str(&r.cites).map_err(json("tasks.cites"))?,
            limit: r.time_limit,
            opened_at: timestamp(r.opened_at)?,
            due_at: opt_timestamp(r.due_at)?,
            warn_at: opt_timestamp(r.warn_at)?,
            escalated_to: r.escalated_to,
            done_at: opt_timestamp(r.done_at)?,
            outcome: r.outcome,
            done_by: r.done_by,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct IdempotencyRow {
    user_id: String,
    idem_key: String,
    request_hash: String,
    case_id: String,
    response: String,
    created_at: i64,
}

impl TryFrom<IdempotencyRow> for IdempotencyRecord {
    type Error = StoreError;
    fn try_from(r: IdempotencyRow) -> Result<IdempotencyRecord> {
        Ok(IdempotencyRecord {
            user: r.user_id,
            key: r.idem_key,
            request_hash: r.request_hash,
            case_id: CaseId(r.case_id),
            response: serde_json::from_str(&r.response).map_err(json("idempotency.response"))?,
            created_at: timestamp(r.created_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct OutboxRow {
    id: String,
    case_id: String,
    kind: String,
    payload: String,
    idempotency_key: String,
    state: String,
    attempts: i64,
    due_at: i64,
    last_error: Option<String>,
    created_at: i64,
    delivered_at: Option<i64>,
}

/// The columns of the row struct above, in a macro so that `concat!` can build static SQL.
macro_rules! outbox_columns {
    () => {
        "id, case_id, kind, payload::text AS payload, idempotency_key, state, attempts, due_at, last_error, created_at, delivered_at"
    };
}

impl TryFrom<OutboxRow> for OutboxMessage {
    type Error = StoreError;
    fn try_from(r: OutboxRow) -> Result<OutboxMessage> {
        Ok(OutboxMessage {
            id: r.id,
            case_id: CaseId(r.case_id),
            kind: r.kind,
            payload: serde_json::from_str(&r.payload).map_err(json("outbox.payload"))?,
            idempotency_key: r.idempotency_key,
            state: r.state,
            attempts: to_u32(r.attempts, "outbox.attempts")?,
            due_at: timestamp(r.due_at)?,
            last_error: r.last_error,
            created_at: timestamp(r.created_at)?,
            delivered_at: opt_timestamp(r.delivered_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: String,
    display_name: String,
    role: String,
    unit: String,
    token_hash: String,
    active: bool,
}

/// The columns of the row struct above, in a macro so that `concat!` can build static SQL.
macro_rules! user_columns {
    () => {
        "id, display_name, role, unit, token_hash, active"
    };
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> User {
        User { id: r.id, display_name: r.display_name, role: r.role, unit: r.unit, token_hash: r.token_hash, active: r.active }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct DefinitionRow {
    pub(crate) edition: String,
    pub(crate) hash: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct TimerRow {
    id: String,
    case_id: String,
    kind: String,
    payload: String,
    due_at: i64,
    state: String,
    attempts: i64,
    fired_at: Option<i64>,
}

/// The columns of `TimerRow`, for `concat!`.
macro_rules! timer_columns {
    () => {
        "id, case_id, kind, payload::text AS payload, due_at, state, attempts, fired_at"
    };
}

impl TryFrom<TimerRow> for Timer {
    type Error = StoreError;
    fn try_from(r: TimerRow) -> Result<Timer> {
        Ok(Timer {
            id: r.id,
            case_id: CaseId(r.case_id),
            kind: r.kind,
            payload: serde_json::from_str(&r.payload).map_err(json("timers.payload"))?,
            due_at: timestamp(r.due_at)?,
            state: r.state,
            attempts: u32::try_from(r.attempts).map_err(|_| StoreError::Backend("timers.attempts out of range".into()))?,
            fired_at: opt_timestamp(r.fired_at)?,
        })
    }
}
