//! A unit of work written on the write thread (see `writer`): the version check, the case
//! summary, the chained events, tasks, idempotency record, outbox messages, timers and
//! documents, as one write of a batch. Statements are prepared once per connection and reused.

use crate::error::{is_unique_violation_sync, sync_backend};
use domain::CaseId;
use rusqlite::{Connection, params};
use store::chain::GENESIS;
use store::{Result, StoreError, UnitOfWork};
use store_sql::{PreparedEvent, event_rows, json, micros, to_i64, to_u64, unchained_head};

/// Where a unit's events are appended.
struct Head {
    /// The case's newest version.
    version: u64,
    /// The stored chain hash of that version: `None` when the case has no events, or its newest
    /// event was written before the chain existed.
    hash: Option<String>,
    /// The newest commit sequence number of all events.
    last_seq: i64,
}

fn read_head(conn: &Connection, case: &CaseId) -> Result<Head> {
    let (version, hash, last_seq): (i64, Option<String>, i64) = conn
        .prepare_cached(
            "SELECT v.version,
                    (SELECT hash FROM events WHERE case_id = ?1 AND version = v.version),
                    (SELECT COALESCE(MAX(seq), 0) FROM events)
             FROM (SELECT COALESCE(MAX(version), 0) AS version FROM events WHERE case_id = ?1) AS v",
        )
        .and_then(|mut s| s.query_row(params![case.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))))
        .map_err(sync_backend("read case version"))?;
    Ok(Head { version: to_u64(version, "events.version")?, hash, last_seq })
}

/// Writes `unit` (whose events `events` are already serialized) inside the open transaction.
pub(crate) fn write(conn: &Connection, unit: &UnitOfWork, events: &[PreparedEvent]) -> Result<()> {
    let case = &unit.case_id;
    let head = read_head(conn, case)?;
    if head.version != unit.expected_version {
        return Err(StoreError::Conflict { case: case.clone(), expected: unit.expected_version, actual: head.version });
    }

    // The summary first: events, tasks and the rest refer to the case row. The columns that
    // never change after the opening (reference, units, edition, opening time) are not updated,
    // so that their indexes are not rewritten by every command.
    let s = &unit.summary;
    let open_steps = serde_json::to_string(&s.open_steps).map_err(json("cases.open_steps"))?;
    let version = to_i64(s.version, "case version")?;
    conn.prepare_cached(concat!(
        "INSERT INTO cases (",
        case_columns!(),
        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (case_id) DO UPDATE SET
            status = excluded.status, result = excluded.result, open_steps = excluded.open_steps,
            version = excluded.version, updated_at = excluded.updated_at"
    ))
    .and_then(|mut st| {
        st.execute(params![
            case.0,
            s.reference,
            s.edition.edition,
            s.edition.hash,
            s.status,
            s.result,
            s.sc_branch,
            s.provider,
            open_steps,
            version,
            micros(s.opened_at),
            micros(s.updated_at),
        ])
    })
    .map_err(|e| {
        // The conflict on case_id is the upsert itself; the only other unique key is the reference.
        if is_unique_violation_sync(&e) {
            StoreError::DuplicateReference(s.reference.clone())
        } else {
            sync_backend("write case summary")(e)
        }
    })?;

    append_events(conn, case, &head, events)?;

    if !unit.tasks.is_empty() {
        let mut insert = conn
            .prepare_cached(concat!(
                "INSERT INTO tasks (",
                task_columns!(),
                ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
                 ON CONFLICT (case_id, task_id) DO UPDATE SET
                    reference = excluded.reference, step = excluded.step, role = excluded.role,
                    unit = excluded.unit, assignee = excluded.assignee, cites = excluded.cites,
                    time_limit = excluded.time_limit, opened_at = excluded.opened_at,
                    due_at = excluded.due_at, warn_at = excluded.warn_at, escalated_to = excluded.escalated_to,
                    done_at = excluded.done_at, outcome = excluded.outcome, done_by = excluded.done_by,
                    time_basis = excluded.time_basis"
            ))
            .map_err(sync_backend("write tasks"))?;
        for t in &unit.tasks {
            let cites = serde_json::to_string(&t.cites).map_err(json("tasks.cites"))?;
            insert
                .execute(params![
                    case.0,
                    i64::from(t.task_id),
                    t.reference,
                    t.step,
                    t.role,
                    t.unit,
                    t.assignee,
                    cites,
                    t.limit,
                    micros(t.opened_at),
                    t.due_at.map(micros),
                    t.warn_at.map(micros),
                    t.escalated_to,
                    t.done_at.map(micros),
                    t.outcome,
                    t.done_by,
                    t.time_basis,
                ])
                .map_err(sync_backend("write tasks"))?;
        }
    }

    if let Some(r) = &unit.idempotency {
        let response = serde_json::to_string(&r.response).map_err(json("idempotency.response"))?;
        conn.prepare_cached(
            "INSERT INTO idempotency (user_id, idem_key, request_hash, case_id, response, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .and_then(|mut st| st.execute(params![r.user, r.key, r.request_hash, case.0, response, micros(r.created_at)]))
        .map_err(|e| if is_unique_violation_sync(&e) { StoreError::DuplicateKey } else { sync_backend("write idempotency record")(e) })?;
    }

    if !unit.outbox.is_empty() {
        // A message is created by the command that commits it, at the command's time.
        let mut insert = conn
            .prepare_cached(
                "INSERT INTO outbox (id, case_id, kind, payload, idempotency_key, state, attempts, due_at, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?6, ?7)",
            )
            .map_err(sync_backend("write outbox message"))?;
        for m in &unit.outbox {
            let payload = serde_json::to_string(&m.payload).map_err(json("outbox.payload"))?;
            insert.execute(params![m.id, case.0, m.kind, payload, m.idempotency_key, micros(m.due_at), micros(s.updated_at)]).map_err(
                |e| {
                    if is_unique_violation_sync(&e) {
                        StoreError::Backend("write outbox message: the message id is already used".to_owned())
                    } else {
                        sync_backend("write outbox message")(e)
                    }
                },
            )?;
        }
    }

    if !unit.timers.is_empty() {
        let mut insert = conn
            .prepare_cached("INSERT INTO timers (id, case_id, kind, payload, due_at, state) VALUES (?1, ?2, ?3, ?4, ?5, 'pending')")
            .map_err(sync_backend("write timers"))?;
        for t in &unit.timers {
            let payload = serde_json::to_string(&t.payload).map_err(json("timers.payload"))?;
            insert.execute(params![t.id, case.0, t.kind, payload, micros(t.due_at)]).map_err(sync_backend("write timers"))?;
        }
    }

    if !unit.fired_timers.is_empty() {
        let mut update = conn
            .prepare_cached("UPDATE timers SET state = 'fired', fired_at = ?1 WHERE id = ?2 AND case_id = ?3")
            .map_err(sync_backend("mark timer fired"))?;
        for id in &unit.fired_timers {
            update.execute(params![micros(s.updated_at), id, case.0]).map_err(sync_backend("mark timer fired"))?;
        }
    }

    if !unit.documents.is_empty() {
        let mut insert = conn
            .prepare_cached(concat!(
                "INSERT INTO documents (",
                document_columns!(),
                ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
            ))
            .map_err(sync_backend("write document"))?;
        for d in &unit.documents {
            insert
                .execute(params![
                    d.id,
                    d.case_id.0,
                    i64::from(d.task),
                    d.kind,
                    d.hash,
                    d.view,
                    d.signature,
                    d.verification_code,
                    d.registration_number,
                    micros(d.issued_at),
                    d.revoked_at.map(micros),
                ])
                .map_err(|e| {
                    if is_unique_violation_sync(&e) {
                        StoreError::Backend("write document: its id or verification code is already used".to_owned())
                    } else {
                        sync_backend("write document")(e)
                    }
                })?;
        }
    }
    Ok(())
}

/// Appends a unit's events as versions `head.version + 1 ..`, each with its chain hash and the
/// next commit sequence. Runs under the write lock, after the version check: one writer at a
/// time, so the sequence is the commit order, without gaps.
fn append_events(conn: &Connection, case: &CaseId, head: &Head, events: &[PreparedEvent]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let prev = match (&head.hash, head.version) {
        (_, 0) => GENESIS.to_owned(),
        (Some(hash), _) => hash.clone(),
        (None, version) => unchained_head_of(conn, case, version)?,
    };
    let rows = event_rows(&prev, case, head.version, events)?;
    let mut insert = conn
        .prepare_cached("INSERT INTO events (case_id, version, at, body, hash, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .map_err(sync_backend("append event"))?;
    for (seq, row) in (head.last_seq + 1..).zip(rows) {
        insert.execute(params![case.0, row.version, row.at, row.text, row.hash, seq]).map_err(sync_backend("append event"))?;
    }
    Ok(())
}

/// The chain head at `version` for a case whose event there was written before the chain
/// existed, and so has no stored hash: computed over its events up to it.
fn unchained_head_of(conn: &Connection, case: &CaseId, version: u64) -> Result<String> {
    let version = to_i64(version, "event version")?;
    let mut select = conn
        .prepare_cached("SELECT body FROM events WHERE case_id = ?1 AND version <= ?2 ORDER BY version")
        .map_err(sync_backend("read unchained events"))?;
    let bodies = select
        .query_map(params![case.0, version], |r| r.get::<_, String>(0))
        .and_then(Iterator::collect::<rusqlite::Result<Vec<String>>>)
        .map_err(sync_backend("read unchained events"))?;
    unchained_head(case, &bodies)
}

/// Adds one to the named counter and returns its new value.
pub(crate) fn next_number(conn: &Connection, counter: &str) -> Result<u64> {
    let value: i64 = conn
        .prepare_cached(
            "INSERT INTO counters (name, value) VALUES (?1, 1)
             ON CONFLICT (name) DO UPDATE SET value = value + 1
             RETURNING value",
        )
        .and_then(|mut s| s.query_row(params![counter], |r| r.get(0)))
        .map_err(sync_backend("next number"))?;
    to_u64(value, "counters.value")
}
