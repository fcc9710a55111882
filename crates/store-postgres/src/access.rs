//! The access log in PostgreSQL (issue 8): views appended in one hash chain, read back for
//! auditors and the verifier. The next row and its hash are `store_sql`'s, shared with SQLite.
//!
//! One global chain needs one writer at a time: an append locks the table against other
//! appends (SHARE ROW EXCLUSIVE conflicts with itself, not with readers) until it commits, so
//! rows are numbered without gaps in the order they are chained. The lock is held for one read
//! and one insert; case commits never take it.

use crate::error::backend;
use sqlx::{PgConnection, PgPool};
use store::{AccessQuery, AccessRecord, NewAccess, Result};
use store_sql::{AccessRow, access_limit, next_access};

macro_rules! access_columns {
    () => {
        "seq, at, user_id, role, unit, case_id, what, document, language, origin, hash"
    };
}

/// Appends a view after the newest row. The table lock orders appends across replicas (one at
/// a time, so the number read here is still the newest at the insert); readers are not blocked.
pub(crate) async fn record(tx: &mut PgConnection, new: &NewAccess) -> Result<AccessRecord> {
    sqlx::query("LOCK TABLE access_log IN SHARE ROW EXCLUSIVE MODE").execute(&mut *tx).await.map_err(backend("lock access log"))?;
    let last: Option<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend("read access log head"))?;
    let next = next_access(last, new)?;
    let row = AccessRow::try_from(&next)?;
    sqlx::query(concat!("INSERT INTO access_log (", access_columns!(), ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"))
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

pub(crate) async fn log(pool: &PgPool, query: &AccessQuery) -> Result<Vec<AccessRecord>> {
    let case = query.case_id.as_ref().map(|c| c.0.as_str());
    let rows: Vec<AccessRow> = sqlx::query_as(concat!(
        "SELECT ",
        access_columns!(),
        " FROM access_log WHERE ($1::text IS NULL OR case_id = $1) AND ($2::text IS NULL OR user_id = $2) ORDER BY seq DESC LIMIT $3"
    ))
    .bind(case)
    .bind(query.user.as_deref())
    .bind(access_limit(query.limit))
    .fetch_all(pool)
    .await
    .map_err(backend("read access log"))?;
    rows.into_iter().map(AccessRecord::try_from).collect()
}

pub(crate) async fn chain(pool: &PgPool, after: u64, limit: u32) -> Result<Vec<AccessRecord>> {
    let rows: Vec<AccessRow> =
        sqlx::query_as(concat!("SELECT ", access_columns!(), " FROM access_log WHERE seq > $1 ORDER BY seq LIMIT $2"))
            .bind(store_sql::to_i64(after, "access seq")?)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
            .map_err(backend("read access chain"))?;
    rows.into_iter().map(AccessRecord::try_from).collect()
}
