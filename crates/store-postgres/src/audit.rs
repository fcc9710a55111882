//! The audit chain in PostgreSQL (issue 8): events are appended with their hash and commit
//! sequence, and the verifier reads the chains back. Hashing, the rows' conversions and the next
//! checkpoint are `store_sql`'s, shared with SQLite; this module has the SQL and driver calls.
//!
//! Commits of different cases run in parallel, so event sequence numbers (from a sequence) are
//! not in commit order by themselves. Every commit holds [`AUDIT_LOCK`] shared; a checkpoint's
//! mark takes it exclusively for one statement, so when it reads the sequence no commit is in
//! flight and every number at or below the mark belongs to a committed event or to none.
//! Commits never wait for one another on it: only a mark waits for them, and they for a mark.

use crate::error::backend;
use domain::CaseId;
use sqlx::{PgConnection, PgPool};
use store::chain::GENESIS;
use store::{ChainLink, Checkpoint, NewCheckpoint, Result};
use store_sql::{ChainLinkRow, CheckpointRow, PreparedEvent, event_rows, next_checkpoint, to_i64, to_u64, unchained_head};

/// The advisory lock key of the audit mark ("shaqyru audit" in ASCII, truncated).
const AUDIT_LOCK: i64 = 0x5348_4151_5955_4155;

/// Appends a unit's events as versions `expected_version + 1 ..`, each with its chain hash and
/// a commit sequence number. Runs under the case lock, after the version check.
pub(crate) async fn append_events(tx: &mut PgConnection, case: &CaseId, expected_version: u64, events: &[PreparedEvent]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let prev = head_hash(tx, case, expected_version).await?;
    let rows = event_rows(&prev, case, expected_version, events)?;
    // Held to the end of the transaction (see the module docs).
    sqlx::query("SELECT pg_advisory_xact_lock_shared($1)").bind(AUDIT_LOCK).execute(&mut *tx).await.map_err(backend("take audit lock"))?;
    for row in rows {
        sqlx::query("INSERT INTO events (case_id, version, at, body, hash, seq) VALUES ($1, $2, $3, $4::jsonb, $5, nextval('events_seq'))")
            .bind(&case.0)
            .bind(row.version)
            .bind(row.at)
            .bind(row.text)
            .bind(row.hash)
            .execute(&mut *tx)
            .await
            .map_err(backend("append event"))?;
    }
    Ok(())
}

/// The hash of the case's event `version` (GENESIS for 0). An event written before the chain
/// existed has none stored: then the chain is computed over the case's events up to it.
async fn head_hash(tx: &mut PgConnection, case: &CaseId, version: u64) -> Result<String> {
    if version == 0 {
        return Ok(GENESIS.to_owned());
    }
    let stored: Option<Option<String>> = sqlx::query_scalar("SELECT hash FROM events WHERE case_id = $1 AND version = $2")
        .bind(&case.0)
        .bind(to_i64(version, "event version")?)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend("read chain head"))?;
    if let Some(Some(hash)) = stored {
        return Ok(hash);
    }
    let bodies: Vec<String> = sqlx::query_scalar("SELECT body::text FROM events WHERE case_id = $1 AND version <= $2 ORDER BY version")
        .bind(&case.0)
        .bind(to_i64(version, "event version")?)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend("read unchained events"))?;
    unchained_head(case, &bodies)
}

pub(crate) async fn mark(pool: &PgPool) -> Result<u64> {
    let mut tx = pool.begin().await.map_err(backend("read audit mark"))?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(AUDIT_LOCK).execute(&mut *tx).await.map_err(backend("take audit lock"))?;
    // No commit is in flight now; a later one draws a larger number.
    let (last, called): (i64, bool) =
        sqlx::query_as("SELECT last_value, is_called FROM events_seq").fetch_one(&mut *tx).await.map_err(backend("read audit mark"))?;
    tx.commit().await.map_err(backend("read audit mark (commit)"))?;
    to_u64(if called { last } else { 0 }, "events_seq")
}

pub(crate) async fn cases(pool: &PgPool, after: Option<&CaseId>, limit: u32) -> Result<Vec<CaseId>> {
    // case_id has the "C" collation: byte order, the order the root is fed in.
    let ids: Vec<String> = sqlx::query_scalar("SELECT DISTINCT case_id FROM events WHERE case_id > $1 ORDER BY case_id LIMIT $2")
        .bind(after.map(|c| c.0.as_str()).unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(backend("list audited cases"))?;
    Ok(ids.into_iter().map(CaseId).collect())
}

pub(crate) async fn event_chain(pool: &PgPool, case: &CaseId) -> Result<Vec<ChainLink>> {
    let rows: Vec<ChainLinkRow> =
        sqlx::query_as("SELECT version, body::text AS body, hash, seq FROM events WHERE case_id = $1 ORDER BY version")
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

pub(crate) async fn append_checkpoint(tx: &mut PgConnection, new: &NewCheckpoint) -> Result<Checkpoint> {
    // Two replicas checkpointing at once: the second waits and chains to the first.
    sqlx::query("LOCK TABLE audit_checkpoints IN SHARE ROW EXCLUSIVE MODE").execute(&mut *tx).await.map_err(backend("lock checkpoints"))?;
    let last: Option<CheckpointRow> =
        sqlx::query_as(concat!("SELECT ", checkpoint_columns!(), " FROM audit_checkpoints ORDER BY seq DESC LIMIT 1"))
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend("read last checkpoint"))?;
    let next = next_checkpoint(last, new)?;
    let row = CheckpointRow::try_from(&next)?;
    sqlx::query(concat!("INSERT INTO audit_checkpoints (", checkpoint_columns!(), ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"))
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

pub(crate) async fn checkpoints(pool: &PgPool) -> Result<Vec<Checkpoint>> {
    let rows: Vec<CheckpointRow> = sqlx::query_as(concat!("SELECT ", checkpoint_columns!(), " FROM audit_checkpoints ORDER BY seq"))
        .fetch_all(pool)
        .await
        .map_err(backend("list checkpoints"))?;
    rows.into_iter().map(Checkpoint::try_from).collect()
}
