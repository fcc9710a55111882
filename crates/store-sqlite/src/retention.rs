//! Retention in SQLite (issue 8): the purge's candidates, the purge itself in one write
//! transaction (tombstone, redacted bodies, deletions), and tombstones read back. The checks
//! and row conversions are `store_sql`'s, shared with PostgreSQL.

use crate::error::backend;
use domain::CaseId;
use sqlx::{SqliteConnection, SqlitePool};
use store::{CaseSummary, Purge, PurgeCounts, Result, Tombstone};
use store_sql::{CaseRow, TombstoneRow, check_purge, purge_bodies, to_i64};

macro_rules! tombstone_columns {
    () => {
        "case_id, head_version, head_hash, redacted_head, purged_at, purged_by, rule"
    };
}

pub(crate) async fn candidates(pool: &SqlitePool, after: Option<&CaseId>, limit: u32) -> Result<Vec<CaseSummary>> {
    let rows: Vec<CaseRow> = sqlx::query_as(concat!(
        "SELECT ",
        case_columns!(),
        " FROM cases c WHERE c.status = 'closed' AND c.case_id > ?
           AND NOT EXISTS (SELECT 1 FROM case_tombstones t WHERE t.case_id = c.case_id)
         ORDER BY c.case_id LIMIT ?"
    ))
    .bind(after.map(|c| c.0.as_str()).unwrap_or(""))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(backend("list purge candidates"))?;
    rows.into_iter().map(CaseSummary::try_from).collect()
}

/// Runs under the write lock: nothing can commit to the case between the checks and the writes.
pub(crate) async fn purge(tx: &mut SqliteConnection, purge: &Purge) -> Result<PurgeCounts> {
    let t = &purge.tombstone;
    let bodies = purge_bodies(purge)?;
    let case = &t.case_id.0;
    let (version, hash) = crate::audit::read_head(tx, &t.case_id).await?;
    let purged: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM case_tombstones WHERE case_id = ?)")
        .bind(case)
        .fetch_one(&mut *tx)
        .await
        .map_err(backend("read tombstone"))?;
    check_purge(t, to_i64(version, "event version")?, purged, hash)?;

    // The tombstone first: the events' trigger lets a body change only under one.
    let row = TombstoneRow::try_from(t)?;
    sqlx::query(concat!("INSERT INTO case_tombstones (", tombstone_columns!(), ") VALUES (?, ?, ?, ?, ?, ?, ?)"))
        .bind(row.case_id)
        .bind(row.head_version)
        .bind(row.head_hash)
        .bind(row.redacted_head)
        .bind(row.purged_at)
        .bind(row.purged_by)
        .bind(row.rule)
        .execute(&mut *tx)
        .await
        .map_err(backend("write tombstone"))?;
    let mut counts = PurgeCounts::default();
    for (version, body) in bodies {
        let done = sqlx::query("UPDATE events SET body = ? WHERE case_id = ? AND version = ?")
            .bind(body)
            .bind(case)
            .bind(version)
            .execute(&mut *tx)
            .await
            .map_err(backend("redact event"))?;
        counts.events += done.rows_affected();
    }
    let delete = |sql: &'static str| sqlx::query(sql).bind(case);
    counts.documents =
        delete("DELETE FROM documents WHERE case_id = ?").execute(&mut *tx).await.map_err(backend("delete documents"))?.rows_affected();
    counts.outbox =
        delete("DELETE FROM outbox WHERE case_id = ?").execute(&mut *tx).await.map_err(backend("delete outbox messages"))?.rows_affected();
    counts.idempotency = delete("DELETE FROM idempotency WHERE case_id = ?")
        .execute(&mut *tx)
        .await
        .map_err(backend("delete idempotency records"))?
        .rows_affected();
    Ok(counts)
}

pub(crate) async fn tombstone(pool: &SqlitePool, case: &CaseId) -> Result<Option<Tombstone>> {
    let row: Option<TombstoneRow> = sqlx::query_as(concat!("SELECT ", tombstone_columns!(), " FROM case_tombstones WHERE case_id = ?"))
        .bind(&case.0)
        .fetch_optional(pool)
        .await
        .map_err(backend("read tombstone"))?;
    row.map(Tombstone::try_from).transpose()
}
