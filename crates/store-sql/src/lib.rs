//! The rows the SQL backends read and write, their conversion to and from the store's types, and
//! the rest of the backends' logic that does not depend on the driver (preparing and hashing
//! events for the audit chain, the next checkpoint, the outcome of an account update). The
//! structs derive `sqlx::FromRow` generically, so SQLite and PostgreSQL decode into the same
//! ones; each backend keeps its own SQL, column lists and driver calls. JSON columns arrive as
//! text (PostgreSQL casts its JSONB with `::text`).
//!
//! Invariant: no database driver and no SQL text. Nothing here is seen outside the backends.

use domain::{CaseId, EditionRef, Event};
use jiff::Timestamp;
use store::chain::{self, GENESIS};
use store::{
    AccessHead, AccessRecord, CaseSummary, ChainLink, Checkpoint, IdempotencyRecord, NewAccess, NewCheckpoint, OutboxMessage, Result,
    StoreError, TaskRow, Timer, User,
};

/// A stored JSON column that does not parse, or a value that does not serialize. serde_json's
/// message can quote the offending input, so only its category and position are kept.
pub fn json(what: &'static str) -> impl FnOnce(serde_json::Error) -> StoreError {
    move |e| StoreError::Backend(format!("{what}: unreadable JSON ({:?} error at line {} column {})", e.classify(), e.line(), e.column()))
}

/// A stored value outside the range this version can represent.
pub fn corrupt(what: &'static str) -> StoreError {
    StoreError::Backend(format!("{what}: stored value out of range"))
}

/// A timestamp as stored: microseconds since the Unix epoch. Sub-microsecond digits are
/// dropped, which no regulated time limit can notice.
pub fn micros(t: Timestamp) -> i64 {
    t.as_microsecond()
}

pub fn timestamp(us: i64) -> Result<Timestamp> {
    Timestamp::from_microsecond(us).map_err(|_| corrupt("timestamp"))
}

fn opt_timestamp(us: Option<i64>) -> Result<Option<Timestamp>> {
    us.map(timestamp).transpose()
}

/// Both databases store signed 64-bit integers; versions and counters never come near the limit.
pub fn to_i64(v: u64, what: &'static str) -> Result<i64> {
    i64::try_from(v).map_err(|_| StoreError::Backend(format!("{what} too large to store")))
}

pub fn to_u64(v: i64, what: &'static str) -> Result<u64> {
    u64::try_from(v).map_err(|_| corrupt(what))
}

fn to_u32(v: i64, what: &'static str) -> Result<u32> {
    u32::try_from(v).map_err(|_| corrupt(what))
}

#[derive(sqlx::FromRow)]
pub struct CaseRow {
    pub case_id: String,
    pub reference: String,
    pub edition: String,
    pub edition_hash: String,
    pub status: String,
    pub result: Option<String>,
    pub sc_branch: String,
    pub provider: String,
    pub open_steps: String,
    pub version: i64,
    pub opened_at: i64,
    pub updated_at: i64,
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
pub struct TaskDbRow {
    pub case_id: String,
    pub task_id: i64,
    pub reference: String,
    pub step: String,
    pub role: String,
    pub unit: String,
    pub assignee: Option<String>,
    pub cites: String,
    pub time_limit: String,
    pub opened_at: i64,
    pub due_at: Option<i64>,
    pub warn_at: Option<i64>,
    pub escalated_to: Option<String>,
    pub done_at: Option<i64>,
    pub outcome: Option<String>,
    pub done_by: Option<String>,
    pub time_basis: Option<String>,
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
            time_basis: r.time_basis,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct IdempotencyRow {
    pub user_id: String,
    pub idem_key: String,
    pub request_hash: String,
    pub case_id: String,
    pub response: String,
    pub created_at: i64,
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
pub struct OutboxRow {
    pub id: String,
    pub case_id: String,
    pub kind: String,
    pub payload: String,
    pub idempotency_key: String,
    pub state: String,
    pub attempts: i64,
    pub due_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
    pub dead_at: Option<i64>,
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
            dead_at: opt_timestamp(r.dead_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub display_name: String,
    pub role: String,
    pub unit: String,
    pub token_hash: String,
    pub active: bool,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> User {
        User { id: r.id, display_name: r.display_name, role: r.role, unit: r.unit, token_hash: r.token_hash, active: r.active }
    }
}

#[derive(sqlx::FromRow)]
pub struct DefinitionRow {
    pub edition: String,
    pub hash: String,
}

#[derive(sqlx::FromRow)]
pub struct TimerRow {
    pub id: String,
    pub case_id: String,
    pub kind: String,
    pub payload: String,
    pub due_at: i64,
    pub state: String,
    pub attempts: i64,
    pub fired_at: Option<i64>,
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

// ---------------------------------------------------------------------------------------------
// Documents and signing keys (issue 5).

#[derive(sqlx::FromRow)]
pub struct DocumentRow {
    pub id: String,
    pub case_id: String,
    pub task_id: i64,
    pub kind: String,
    pub hash: String,
    pub view: String,
    pub signature: Option<String>,
    pub verification_code: Option<String>,
    pub registration_number: Option<String>,
    pub issued_at: i64,
    pub revoked_at: Option<i64>,
}

impl TryFrom<DocumentRow> for store::StoredDocument {
    type Error = StoreError;
    fn try_from(r: DocumentRow) -> Result<store::StoredDocument> {
        Ok(store::StoredDocument {
            id: r.id,
            case_id: CaseId(r.case_id),
            task: to_u32(r.task_id, "documents.task_id")?,
            kind: r.kind,
            hash: r.hash,
            view: r.view,
            signature: r.signature,
            verification_code: r.verification_code,
            registration_number: r.registration_number,
            issued_at: timestamp(r.issued_at)?,
            revoked_at: opt_timestamp(r.revoked_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct OfficialKeyRow {
    pub key_id: String,
    pub user_id: String,
    pub algorithm: String,
    pub public_key: String,
    pub created_at: i64,
}

impl TryFrom<OfficialKeyRow> for store::OfficialKey {
    type Error = StoreError;
    fn try_from(r: OfficialKeyRow) -> Result<store::OfficialKey> {
        Ok(store::OfficialKey {
            key_id: r.key_id,
            user_id: r.user_id,
            algorithm: r.algorithm,
            public_key: r.public_key,
            created_at: timestamp(r.created_at)?,
        })
    }
}

/// The metrics figures as both backends count them: per step (open, at risk, overdue), due
/// timers (count, oldest due instant), pending outbox messages (count, oldest creation instant).
pub fn monitoring(
    steps: Vec<(String, i64, i64, i64)>,
    timers: (i64, Option<i64>),
    outbox: (i64, Option<i64>),
) -> Result<store::Monitoring> {
    let count = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok(store::Monitoring {
        steps: steps
            .into_iter()
            .map(|(step, open, at_risk, overdue)| store::StepLoad {
                step,
                open: count(open),
                at_risk: count(at_risk),
                overdue: count(overdue),
            })
            .collect(),
        timers_due: count(timers.0),
        oldest_due_timer: opt_timestamp(timers.1)?,
        outbox_pending: count(outbox.0),
        oldest_pending_message: opt_timestamp(outbox.1)?,
    })
}

// ---------------------------------------------------------------------------------------------
// Accounts (issue 8).

#[derive(sqlx::FromRow)]
pub struct CredentialsRow {
    pub password_hash: Option<String>,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
}

impl TryFrom<CredentialsRow> for store::Credentials {
    type Error = StoreError;
    fn try_from(r: CredentialsRow) -> Result<store::Credentials> {
        Ok(store::Credentials {
            password_hash: r.password_hash,
            failed_logins: to_u32(r.failed_logins, "users.failed_logins")?,
            locked_until: opt_timestamp(r.locked_until)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct SessionRow {
    pub id_hash: String,
    pub user_id: String,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

impl TryFrom<SessionRow> for store::Session {
    type Error = StoreError;
    fn try_from(r: SessionRow) -> Result<store::Session> {
        Ok(store::Session {
            id_hash: r.id_hash,
            user_id: r.user_id,
            csrf_token: r.csrf_token,
            created_at: timestamp(r.created_at)?,
            last_seen_at: timestamp(r.last_seen_at)?,
            expires_at: timestamp(r.expires_at)?,
        })
    }
}

/// The end of a lock that starts `now` and lasts `lock_for`, as stored.
pub fn lock_end(now: Timestamp, lock_for: jiff::SignedDuration) -> Result<i64> {
    now.checked_add(lock_for).map(micros).map_err(|_| StoreError::Backend("record login failure: the lock ends out of range".to_owned()))
}

/// `lock_after` as both backends compare it: a threshold of 0 would never be "reached" by a
/// count that starts at 1, so it counts as 1.
pub fn lock_threshold(lock_after: u32) -> i64 {
    i64::from(lock_after.max(1))
}

/// No user has the id a write named.
pub fn no_user(user_id: &str) -> StoreError {
    StoreError::NotFound(format!("user {user_id}"))
}

/// The outcome of a one-statement update of a user's row: `NotFound` when no row matched.
pub fn user_updated(rows_affected: u64, user_id: &str) -> Result<()> {
    if rows_affected == 0 { Err(no_user(user_id)) } else { Ok(()) }
}

/// The credentials a login failure left (the `RETURNING` row), or `NotFound` without a row.
pub fn login_failure(row: Option<CredentialsRow>, user_id: &str) -> Result<store::Credentials> {
    row.map(store::Credentials::try_from).transpose()?.ok_or_else(|| no_user(user_id))
}

impl From<&store::Session> for SessionRow {
    fn from(s: &store::Session) -> SessionRow {
        SessionRow {
            id_hash: s.id_hash.clone(),
            user_id: s.user_id.clone(),
            csrf_token: s.csrf_token.clone(),
            created_at: micros(s.created_at),
            last_seen_at: micros(s.last_seen_at),
            expires_at: micros(s.expires_at),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The audit chain (issue 8). The hashing itself is `store::chain`'s.

/// An event ready to append: its time, its JSON text as stored, and the same as a value (what
/// is hashed).
pub struct PreparedEvent {
    pub at: i64,
    pub text: String,
    pub value: serde_json::Value,
}

/// A unit of work's parts must all concern its case: a mismatch is the caller's bug, and
/// storing it would attach rows to the wrong case. Checked before anything is written.
pub fn check_unit(unit: &store::UnitOfWork) -> Result<()> {
    let case = &unit.case_id;
    let foreign = unit.summary.case_id != *case
        || unit.tasks.iter().any(|t| t.case_id != *case)
        || unit.idempotency.as_ref().is_some_and(|i| i.case_id != *case)
        || unit.outbox.iter().any(|m| m.case_id != *case)
        || unit.timers.iter().any(|t| t.case_id != *case)
        || unit.documents.iter().any(|d| d.case_id != *case);
    if foreign {
        return Err(StoreError::Backend(format!("the unit of work for case {case} carries rows of another case")));
    }
    Ok(())
}

/// Serializes a unit's events for [`PreparedEvent`]s: the text as before the chain; the value
/// is what is hashed.
pub fn prepare_events(events: &[Event]) -> Result<Vec<PreparedEvent>> {
    events
        .iter()
        .map(|e| {
            let text = serde_json::to_string(e).map_err(json("events.body"))?;
            let value = serde_json::to_value(e).map_err(json("events.body"))?;
            Ok(PreparedEvent { at: micros(e.at), text, value })
        })
        .collect()
}

/// An event row to insert: its version, time, JSON text and chain hash.
pub struct NewEventRow<'a> {
    pub version: i64,
    pub at: i64,
    pub text: &'a str,
    pub hash: String,
}

/// The rows of `events` appended to the case as versions `expected_version + 1 ..`, chained
/// after the event whose hash is `prev`, in order.
pub fn event_rows<'a>(prev: &str, case: &CaseId, expected_version: u64, events: &'a [PreparedEvent]) -> Result<Vec<NewEventRow<'a>>> {
    let values: Vec<serde_json::Value> = events.iter().map(|e| e.value.clone()).collect();
    let hashes = chain::extend(prev, &case.0, expected_version + 1, &values);
    events
        .iter()
        .zip(hashes)
        .enumerate()
        .map(|(i, (event, hash))| {
            let version = expected_version + 1 + i as u64;
            Ok(NewEventRow { version: to_i64(version, "event version")?, at: event.at, text: &event.text, hash })
        })
        .collect()
}

/// The hash of the last of `bodies`, the case's events from version 1 on as stored, computed
/// afresh: for an event written before the chain existed, which has none stored.
pub fn unchained_head(case: &CaseId, bodies: &[String]) -> Result<String> {
    let values = bodies.iter().map(|b| serde_json::from_str(b).map_err(json("events.body"))).collect::<Result<Vec<_>>>()?;
    Ok(chain::extend(GENESIS, &case.0, 1, &values).pop().unwrap_or_else(|| GENESIS.to_owned()))
}

#[derive(sqlx::FromRow)]
pub struct ChainLinkRow {
    pub version: i64,
    pub body: String,
    pub hash: Option<String>,
    pub seq: Option<i64>,
}

impl TryFrom<ChainLinkRow> for ChainLink {
    type Error = StoreError;
    fn try_from(r: ChainLinkRow) -> Result<ChainLink> {
        Ok(ChainLink {
            version: to_u64(r.version, "events.version")?,
            // A body that is not JSON any more is a tampered event: the verifier reports it,
            // so keep it as a string rather than fail the whole read.
            body: serde_json::from_str(&r.body).unwrap_or(serde_json::Value::String(r.body)),
            hash: r.hash,
            seq: r.seq.map(|s| to_u64(s, "events.seq")).transpose()?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct CheckpointRow {
    pub seq: i64,
    pub at: i64,
    pub cases: i64,
    pub events: i64,
    pub through: i64,
    pub root: String,
    pub prev: String,
    pub hash: String,
    /// NULL in checkpoints written before migration 0007.
    pub access_through: Option<i64>,
    pub access_head: Option<String>,
}

impl TryFrom<CheckpointRow> for Checkpoint {
    type Error = StoreError;
    fn try_from(r: CheckpointRow) -> Result<Checkpoint> {
        Ok(Checkpoint {
            seq: to_u64(r.seq, "audit_checkpoints.seq")?,
            at: timestamp(r.at)?,
            cases: to_u64(r.cases, "audit_checkpoints.cases")?,
            events: to_u64(r.events, "audit_checkpoints.events")?,
            through: to_u64(r.through, "audit_checkpoints.through")?,
            root: r.root,
            prev: r.prev,
            hash: r.hash,
            access: match (r.access_through, r.access_head) {
                (Some(seq), Some(hash)) => Some(AccessHead { seq: to_u64(seq, "audit_checkpoints.access_through")?, hash }),
                (None, None) => None,
                _ => return Err(corrupt("audit_checkpoints.access_head")),
            },
        })
    }
}

impl TryFrom<&Checkpoint> for CheckpointRow {
    type Error = StoreError;
    fn try_from(c: &Checkpoint) -> Result<CheckpointRow> {
        Ok(CheckpointRow {
            seq: to_i64(c.seq, "checkpoint seq")?,
            at: micros(c.at),
            cases: to_i64(c.cases, "checkpoint cases")?,
            events: to_i64(c.events, "checkpoint events")?,
            through: to_i64(c.through, "checkpoint through")?,
            root: c.root.clone(),
            prev: c.prev.clone(),
            hash: c.hash.clone(),
            access_through: c.access.as_ref().map(|a| to_i64(a.seq, "checkpoint access_through")).transpose()?,
            access_head: c.access.as_ref().map(|a| a.hash.clone()),
        })
    }
}

/// The checkpoint that follows `last` (the newest stored, if any): numbered one after it,
/// chained to its hash (or to [`GENESIS`]), with its own hash computed.
pub fn next_checkpoint(last: Option<CheckpointRow>, new: &NewCheckpoint) -> Result<Checkpoint> {
    let last = last.map(Checkpoint::try_from).transpose()?;
    let mut next = Checkpoint {
        seq: last.as_ref().map_or(1, |c| c.seq + 1),
        at: new.at,
        cases: new.cases,
        events: new.events,
        through: new.through,
        root: new.root.clone(),
        prev: last.map_or_else(|| GENESIS.to_owned(), |c| c.hash),
        hash: String::new(),
        access: new.access.clone(),
    };
    next.hash = next.recompute();
    Ok(next)
}

// ---------------------------------------------------------------------------------------------
// The access log (issue 8). The hashing is `store::chain`'s.

#[derive(sqlx::FromRow)]
pub struct AccessRow {
    pub seq: i64,
    pub at: i64,
    pub user_id: String,
    pub role: String,
    pub unit: String,
    pub case_id: String,
    pub what: String,
    pub document: Option<String>,
    pub language: Option<String>,
    pub origin: Option<String>,
    pub hash: String,
}

impl TryFrom<AccessRow> for AccessRecord {
    type Error = StoreError;
    fn try_from(r: AccessRow) -> Result<AccessRecord> {
        Ok(AccessRecord {
            seq: to_u64(r.seq, "access_log.seq")?,
            at: timestamp(r.at)?,
            user: r.user_id,
            role: r.role,
            unit: r.unit,
            case_id: CaseId(r.case_id),
            what: r.what,
            document: r.document,
            language: r.language,
            origin: r.origin,
            hash: r.hash,
        })
    }
}

impl TryFrom<&AccessRecord> for AccessRow {
    type Error = StoreError;
    fn try_from(a: &AccessRecord) -> Result<AccessRow> {
        Ok(AccessRow {
            seq: to_i64(a.seq, "access seq")?,
            at: micros(a.at),
            user_id: a.user.clone(),
            role: a.role.clone(),
            unit: a.unit.clone(),
            case_id: a.case_id.0.clone(),
            what: a.what.clone(),
            document: a.document.clone(),
            language: a.language.clone(),
            origin: a.origin.clone(),
            hash: a.hash.clone(),
        })
    }
}

/// The access row that follows `last` (the newest stored, if any): numbered one after it and
/// chained to its hash (or to [`GENESIS`]), with its own hash computed.
pub fn next_access(last: Option<(i64, String)>, new: &NewAccess) -> Result<AccessRecord> {
    let (seq, prev) = match last {
        Some((seq, hash)) => (to_u64(seq, "access_log.seq")? + 1, hash),
        None => (1, GENESIS.to_owned()),
    };
    let mut row = AccessRecord {
        seq,
        // Cut to the microseconds both databases keep, so that the hash reads back the same.
        at: timestamp(micros(new.at))?,
        user: new.user.clone(),
        role: new.role.clone(),
        unit: new.unit.clone(),
        case_id: new.case_id.clone(),
        what: new.what.code().to_owned(),
        document: new.document.clone(),
        language: new.language.clone(),
        origin: new.origin.clone(),
        hash: String::new(),
    };
    row.hash = row.recompute(&prev);
    Ok(row)
}

/// The page size of an access log query: 100 unless the caller asked for a limit.
pub fn access_limit(limit: u32) -> i64 {
    if limit == 0 { 100 } else { i64::from(limit) }
}

// ---------------------------------------------------------------------------------------------
// Retention (issue 8).

#[derive(sqlx::FromRow)]
pub struct TombstoneRow {
    pub case_id: String,
    pub head_version: i64,
    pub head_hash: String,
    pub redacted_head: String,
    pub purged_at: i64,
    pub purged_by: String,
    pub rule: String,
}

impl TryFrom<TombstoneRow> for store::Tombstone {
    type Error = StoreError;
    fn try_from(r: TombstoneRow) -> Result<store::Tombstone> {
        Ok(store::Tombstone {
            case_id: CaseId(r.case_id),
            head_version: to_u64(r.head_version, "case_tombstones.head_version")?,
            head_hash: r.head_hash,
            redacted_head: r.redacted_head,
            purged_at: timestamp(r.purged_at)?,
            purged_by: r.purged_by,
            rule: r.rule,
        })
    }
}

impl TryFrom<&store::Tombstone> for TombstoneRow {
    type Error = StoreError;
    fn try_from(t: &store::Tombstone) -> Result<TombstoneRow> {
        Ok(TombstoneRow {
            case_id: t.case_id.0.clone(),
            head_version: to_i64(t.head_version, "tombstone head version")?,
            head_hash: t.head_hash.clone(),
            redacted_head: t.redacted_head.clone(),
            purged_at: micros(t.purged_at),
            purged_by: t.purged_by.clone(),
            rule: t.rule.clone(),
        })
    }
}

/// A purge's redacted bodies as (version, JSON text), after checking that there is one per
/// version up to the tombstone's head: a mismatch is the caller's bug, and storing it would
/// leave events unredacted or the tombstone wrong.
pub fn purge_bodies(purge: &store::Purge) -> Result<Vec<(i64, String)>> {
    let head = purge.tombstone.head_version;
    if purge.bodies.len() as u64 != head {
        return Err(StoreError::Backend(format!(
            "purge of case {}: {} redacted bodies for a head at version {head}",
            purge.tombstone.case_id,
            purge.bodies.len()
        )));
    }
    purge
        .bodies
        .iter()
        .enumerate()
        .map(|(i, body)| Ok((to_i64(i as u64 + 1, "event version")?, serde_json::to_string(body).map_err(json("events.body"))?)))
        .collect()
}

/// What a purge finds before it writes: the case's current version (0: no events), whether it
/// has a tombstone, and the stored hash of the tombstone's head event. `Ok` when the purge may
/// go ahead; `Conflict` when the case moved on or is purged already; `Backend` when the stored
/// head hash is not the tombstone's (the chain was changed since the purge was prepared).
pub fn check_purge(t: &store::Tombstone, version: i64, purged: bool, stored_head: Option<String>) -> Result<()> {
    let actual = to_u64(version, "events.version")?;
    if purged || actual != t.head_version {
        return Err(StoreError::Conflict { case: t.case_id.clone(), expected: t.head_version, actual });
    }
    match stored_head {
        Some(h) if h != t.head_hash => {
            Err(StoreError::Backend(format!("purge of case {}: the stored head hash is not the one the purge was prepared on", t.case_id)))
        }
        _ => Ok(()),
    }
}
