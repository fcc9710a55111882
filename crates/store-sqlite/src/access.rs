//! The access log in SQLite (issue 8): views appended in one hash chain, read back for auditors
//! and the verifier. The next row and its hash are `store_sql`'s, shared with PostgreSQL.

use crate::error::backend;
use sqlx::{SqliteConnection, SqlitePool};
use store::{AccessQuery, AccessRecord, NewAccess, Result};
use store_sql::{AccessRow, access_limit, next_access};

macro_rules! access_columns {
    () => {
        "seq, at, user_id, role, unit, case_id, what, document, language, origin, hash"
    };
}

/// Appends a view after the newest row. Runs under the write lock: one writer at a time, so
/// the number read here is still the newest when the row is inserted.
pub(crate) async fn record(tx: &mut SqliteConnection, new: &NewAccess) -> Result<AccessRecord> {
    let last: Option<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend("read access log head"))?;
    let next = next_access(last, new)?;
    let row = AccessRow::try_from(&next)?;
    sqlx::query(concat!("INSERT INTO access_log (", access_columns!(), ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"))
        .bind(row.seq)
        .bind(row.at)
        .bind(row.user_id)
        .bind(row.role)
        .bind(row.unit)
        .bind(row.case_id)
        .bind(row.what)
        .bind(row.document)
        .bind(row.language)
        .bind(row.origin)
        .bind(row.hash)
        .execute(&mut *tx)
        .await
        .map_err(backend("append access log"))?;
    Ok(next)
}

pub(crate) async fn log(pool: &SqlitePool, query: &AccessQuery) -> Result<Vec<AccessRecord>> {
    let case = query.case_id.as_ref().map(|c| c.0.as_str());
    let rows: Vec<AccessRow> = sqlx::query_as(concat!(
        "SELECT ",
        access_columns!(),
        " FROM access_log WHERE (?1 IS NULL OR case_id = ?1) AND (?2 IS NULL OR user_id = ?2) ORDER BY seq DESC LIMIT ?3"
    ))
    .bind(case)
    .bind(query.user.as_deref())
    .bind(access_limit(query.limit))
    .fetch_all(pool)
    .await
    .map_err(backend("read access log"))?;
    rows.into_iter().map(AccessRecord::try_from).collect()
}

pub(crate) async fn chain(pool: &SqlitePool, after: u64, limit: u32) -> Result<Vec<AccessRecord>> {
    let rows: Vec<AccessRow> = sqlx::query_as(concat!("SELECT ", access_columns!(), " FROM access_log WHERE seq > ? ORDER BY seq LIMIT ?"))
        .bind(store_sql::to_i64(after, "access seq")?)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(backend("read access chain"))?;
    rows.into_iter().map(AccessRecord::try_from).collect()
}
