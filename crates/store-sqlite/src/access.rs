//! The access log in SQLite (issue 8): views appended in one hash chain, read back for auditors
//! and the verifier. The next row and its hash are `store_sql`'s, shared with PostgreSQL.

use crate::error::backend;
use sqlx::SqlitePool;
use store::{AccessQuery, AccessRecord, NewAccess, Result};
use store_sql::{AccessRow, access_limit, next_access};

macro_rules! access_columns {
    () => {
        "seq, at, user_id, role, unit, case_id, what, document, language, origin, hash"
    };
}

/// Appends a view after the newest row, on the write thread: one writer at a time, so the
/// number read here is still the newest when the row is inserted.
pub(crate) fn record(conn: &rusqlite::Connection, new: &NewAccess) -> Result<AccessRecord> {
    let last: Option<(i64, String)> = conn
        .prepare_cached("SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1")
        .and_then(|mut s| rusqlite::OptionalExtension::optional(s.query_row([], |r| Ok((r.get(0)?, r.get(1)?)))))
        .map_err(crate::error::sync_backend("read access log head"))?;
    let next = next_access(last, new)?;
    let row = AccessRow::try_from(&next)?;
    conn.prepare_cached(concat!("INSERT INTO access_log (", access_columns!(), ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"))
        .and_then(|mut s| {
            s.execute(rusqlite::params![
                row.seq,
                row.at,
                row.user_id,
                row.role,
                row.unit,
                row.case_id,
                row.what,
                row.document,
                row.language,
                row.origin,
                row.hash
            ])
        })
        .map_err(crate::error::sync_backend("append access log"))?;
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
