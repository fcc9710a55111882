//! The audit chain in SQLite (issue 8): events are appended with their hash and commit
//! sequence, and the verifier reads the chains back. Hashing, the rows' conversions and the next
//! checkpoint are `store_sql`'s, shared with PostgreSQL; this module has the SQL and driver calls.

use crate::error::backend;
use domain::CaseId;
use sqlx::{SqliteConnection, SqlitePool};
use store::{ChainLink, Checkpoint, NewCheckpoint, Result};
use store_sql::{ChainLinkRow, CheckpointRow, next_checkpoint, to_u64};

/// A case's newest version and its stored chain hash (`None` when the case has no events, or
/// its newest event was written before the chain existed), for the purge's checks. Units of
/// work read theirs on the write thread (`commit`).
pub(crate) async fn read_head(tx: &mut SqliteConnection, case: &CaseId) -> Result<(u64, Option<String>)> {
    let (version, hash): (i64, Option<String>) = sqlx::query_as(
        "SELECT v.version, (SELECT hash FROM events WHERE case_id = ? AND version = v.version)
         FROM (SELECT COALESCE(MAX(version), 0) AS version FROM events WHERE case_id = ?) AS v",
    )
    .bind(&case.0)
    .bind(&case.0)
    .fetch_one(&mut *tx)
    .await
    .map_err(backend("read case version"))?;
    Ok((to_u64(version, "events.version")?, hash))
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
