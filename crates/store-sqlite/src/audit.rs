//! The audit chain in SQLite (issue 8): events are appended with their hash and commit
//! sequence, and the verifier reads the chains back. The hashing itself is `store::chain`'s,
//! shared with PostgreSQL.

use crate::error::backend;
use domain::CaseId;
use sqlx::{SqliteConnection, SqlitePool};
use store::chain::{self, GENESIS};
use store::{ChainLink, Checkpoint, NewCheckpoint, Result};
use store_sql::{json, timestamp, to_i64, to_u64};

/// An event ready to append: its time, its JSON text as stored, and the same as a value (what
/// is hashed).
pub(crate) struct PreparedEvent {
    pub at: i64,
    pub text: String,
    pub value: serde_json::Value,
}

/// Appends a unit's events as versions `expected_version + 1 ..`, each with its chain hash and
/// the next commit sequence. Runs under the write lock, after the version check.
pub(crate) async fn append_events(tx: &mut SqliteConnection, case: &CaseId, expected_version: u64, events: &[PreparedEvent]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let prev = head_hash(tx, case, expected_version).await?;
    let values: Vec<serde_json::Value> = events.iter().map(|e| e.value.clone()).collect();
    let hashes = chain::extend(&prev, &case.0, expected_version + 1, &values);
    // One writer at a time: the sequence is the commit order, without gaps.
    let last: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM events").fetch_one(&mut *tx).await.map_err(backend("read event sequence"))?;
    for (i, (event, hash)) in events.iter().zip(&hashes).enumerate() {
        let version = expected_version + 1 + i as u64;
        sqlx::query("INSERT INTO events (case_id, version, at, body, hash, seq) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(&case.0)
            .bind(to_i64(version, "event version")?)
            .bind(event.at)
            .bind(&event.text)
            .bind(hash)
            .bind(last + 1 + i as i64)
            .execute(&mut *tx)
            .await
            .map_err(backend("append event"))?;
    }
    Ok(())
}

/// The hash of the case's event `version` (GENESIS for 0). An event written before the chain
/// existed has none stored: then the chain is computed over the case's events up to it.
async fn head_hash(tx: &mut SqliteConnection, case: &CaseId, version: u64) -> Result<String> {
    if version == 0 {
        return Ok(GENESIS.to_owned());
    }
    let stored: Option<Option<String>> = sqlx::query_scalar("SELECT hash FROM events WHERE case_id = ? AND version = ?")
        .bind(&case.0)
        .bind(to_i64(version, "event version")?)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend("read chain head"))?;
    if let Some(Some(hash)) = stored {
        return Ok(hash);
    }
    let bodies: Vec<String> = sqlx::query_scalar("SELECT body FROM events WHERE case_id = ? AND version <= ? ORDER BY version")
        .bind(&case.0)
        .bind(to_i64(version, "event version")?)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend("read unchained events"))?;
    let values = bodies.iter().map(|b| serde_json::from_str(b).map_err(json("events.body"))).collect::<Result<Vec<_>>>()?;
    Ok(chain::extend(GENESIS, &case.0, 1, &values).pop().unwrap_or_else(|| GENESIS.to_owned()))
}

pub(crate) async fn mark(pool: &SqlitePool) -> Result<u64> {
    // Commits are serialized and numbered in order: everything committed is at or below the
    // largest number, and a later commit gets a larger one.
    let last: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM events").fetch_one(pool).await.map_err(backend("read audit mark"))?;
    to_u64(last, "events.seq")
}

pub(crate) async fn cases(pool: &SqlitePool, after: Option<&CaseId>, limit: u32) -> Result<Vec<CaseId>> {
    // TEXT compares by bytes (BINARY collation), the order the root is fed in.
    let ids: Vec<String> = sqlx::query_scalar("SELECT DISTINCT case_id FROM events WHERE case_id > ? ORDER BY case_id LIMIT ?")
        .bind(after.map(|c| c.0.as_str()).unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(backend("list audited cases"))?;
    Ok(ids.into_iter().map(CaseId).collect())
}

type LinkRow = (i64, String, Option<String>, Option<i64>);

pub(crate) async fn event_chain(pool: &SqlitePool, case: &CaseId) -> Result<Vec<ChainLink>> {
    let rows: Vec<LinkRow> = sqlx::query_as("SELECT version, body, hash, seq FROM events WHERE case_id = ? ORDER BY version")
        .bind(&case.0)
        .fetch_all(pool)
        .await
        .map_err(backend("read event chain"))?;
    rows.into_iter()
        .map(|(version, body, hash, seq)| {
            Ok(ChainLink {
                version: to_u64(version, "events.version")?,
                // A body that is not JSON any more is a tampered event: the verifier reports
                // it, so keep it as a string rather than fail the whole read.
                body: serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body)),
                hash,
                seq: seq.map(|s| to_u64(s, "events.seq")).transpose()?,
            })
        })
        .collect()
}

type CheckpointRow = (i64, i64, i64, i64, i64, String, String, String);

macro_rules! checkpoint_columns {
    () => {
        "seq, at, cases, events, through, root, prev, hash"
    };
}

fn checkpoint(row: CheckpointRow) -> Result<Checkpoint> {
    let (seq, at, cases, events, through, root, prev, hash) = row;
    Ok(Checkpoint {
        seq: to_u64(seq, "audit_checkpoints.seq")?,
        at: timestamp(at)?,
        cases: to_u64(cases, "audit_checkpoints.cases")?,
        events: to_u64(events, "audit_checkpoints.events")?,
        through: to_u64(through, "audit_checkpoints.through")?,
        root,
        prev,
        hash,
    })
}

pub(crate) async fn append_checkpoint(tx: &mut SqliteConnection, new: &NewCheckpoint) -> Result<Checkpoint> {
    let last: Option<CheckpointRow> =
        sqlx::query_as(concat!("SELECT ", checkpoint_columns!(), " FROM audit_checkpoints ORDER BY seq DESC LIMIT 1"))
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend("read last checkpoint"))?;
    let last = last.map(checkpoint).transpose()?;
    let mut next = Checkpoint {
        seq: last.as_ref().map_or(1, |c| c.seq + 1),
        at: new.at,
        cases: new.cases,
        events: new.events,
        through: new.through,
        root: new.root.clone(),
        prev: last.map_or_else(|| GENESIS.to_owned(), |c| c.hash),
        hash: String::new(),
    };
    next.hash = next.recompute();
    sqlx::query(concat!("INSERT INTO audit_checkpoints (", checkpoint_columns!(), ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)"))
        .bind(to_i64(next.seq, "checkpoint seq")?)
        .bind(next.at.as_microsecond())
        .bind(to_i64(next.cases, "checkpoint cases")?)
        .bind(to_i64(next.events, "checkpoint events")?)
        .bind(to_i64(next.through, "checkpoint through")?)
        .bind(&next.root)
        .bind(&next.prev)
        .bind(&next.hash)
        .execute(&mut *tx)
        .await
        .map_err(backend("append checkpoint"))?;
    Ok(next)
}

pub(crate) async fn checkpoints(pool: &SqlitePool) -> Result<Vec<Checkpoint>> {
    let rows: Vec<CheckpointRow> = sqlx::query_as(concat!("SELECT ", checkpoint_columns!(), " FROM audit_checkpoints ORDER BY seq"))
        .fetch_all(pool)
        .await
        .map_err(backend("list checkpoints"))?;
    rows.into_iter().map(checkpoint).collect()
}
