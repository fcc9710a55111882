//! The audit chain in SQLite (issue 8): events are appended with their hash and commit
//! sequence, and the verifier reads the chains back. Hashing, the rows' conversions and the next
//! checkpoint are `store_sql`'s, shared with PostgreSQL; this module has the SQL and driver calls.

use crate::error::backend;
use domain::CaseId;
use sqlx::{SqliteConnection, SqlitePool};
use store::chain::GENESIS;
use store::{ChainLink, Checkpoint, NewCheckpoint, Result};
use store_sql::{ChainLinkRow, CheckpointRow, PreparedEvent, event_rows, next_checkpoint, to_i64, to_u64, unchained_head};

/// Appends a unit's events as versions `expected_version + 1 ..`, each with its chain hash and
/// the next commit sequence. Runs under the write lock, after the version check.
pub(crate) async fn append_events(tx: &mut SqliteConnection, case: &CaseId, expected_version: u64, events: &[PreparedEvent]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let prev = head_hash(tx, case, expected_version).await?;
    let rows = event_rows(&prev, case, expected_version, events)?;
    // One writer at a time: the sequence is the commit order, without gaps.
    let last: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM events").fetch_one(&mut *tx).await.map_err(backend("read event sequence"))?;
    for (seq, row) in (last + 1..).zip(rows) {
        sqlx::query("INSERT INTO events (case_id, version, at, body, hash, seq) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(&case.0)
            .bind(row.version)
            .bind(row.at)
            .bind(row.text)
            .bind(row.hash)
            .bind(seq)
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
    unchained_head(case, &bodies)
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

pub(crate) async fn event_chain(pool: &SqlitePool, case: &CaseId) -> Result<Vec<ChainLink>> {
    let rows: Vec<ChainLinkRow> = sqlx::query_as("SELECT version, body, hash, seq FROM events WHERE case_id = ? ORDER BY version")
        .bind(&case.0)
        .fetch_all(pool)
        .await
        .map_err(backend("read event chain"))?;
    rows.into_iter().map(ChainLink::try_from).collect()
}

macro_rules! checkpoint_columns {
    () => {
        "seq, at, cases, events, through, root, prev, hash, access_through, access_head"
    };
}

pub(crate) async fn append_checkpoint(tx: &mut SqliteConnection, new: &NewCheckpoint) -> Result<Checkpoint> {
    let last: Option<CheckpointRow> =
        sqlx::query_as(concat!("SELECT ", checkpoint_columns!(), " FROM audit_checkpoints ORDER BY seq DESC LIMIT 1"))
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend("read last checkpoint"))?;
    let next = next_checkpoint(last, new)?;
    let row = CheckpointRow::try_from(&next)?;
    sqlx::query(concat!("INSERT INTO audit_checkpoints (", checkpoint_columns!(), ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"))
        .bind(row.seq)
        .bind(row.at)
        .bind(row.cases)
        .bind(row.events)
        .bind(row.through)
        .bind(row.root)
        .bind(row.prev)
        .bind(row.hash)
        .bind(row.access_through)
        .bind(row.access_head)
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
    rows.into_iter().map(Checkpoint::try_from).collect()
}
