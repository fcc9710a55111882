//! The figures of the metrics endpoint ([`store::Store::monitoring`]) read from SQLite.

use crate::error::backend;
use jiff::Timestamp;
use sqlx::SqlitePool;
use store::{Monitoring, Result};

pub(crate) async fn read(reader: &SqlitePool, now: Timestamp) -> Result<Monitoring> {
    let now = now.as_microsecond();
    // `done_at IS NULL` matches a partial index of open tasks, where there is one.
    let steps: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT step, COUNT(*),
                COALESCE(SUM(warn_at <= ? AND due_at >= ?), 0),
                COALESCE(SUM(due_at < ?), 0)
         FROM tasks WHERE done_at IS NULL GROUP BY step ORDER BY step",
    )
    .bind(now)
    .bind(now)
    .bind(now)
    .fetch_all(reader)
    .await
    .map_err(backend("monitoring: open tasks"))?;
    let (timers_due, oldest_due_timer): (i64, Option<i64>) =
        sqlx::query_as("SELECT COUNT(*), MIN(due_at) FROM timers WHERE state = 'pending' AND due_at <= ?")
            .bind(now)
            .fetch_one(reader)
            .await
            .map_err(backend("monitoring: due timers"))?;
    let (outbox_pending, oldest_pending_message): (i64, Option<i64>) =
        sqlx::query_as("SELECT COUNT(*), MIN(created_at) FROM outbox WHERE state = 'pending'")
            .fetch_one(reader)
            .await
            .map_err(backend("monitoring: outbox backlog"))?;
    store_sql::monitoring(steps, (timers_due, oldest_due_timer), (outbox_pending, oldest_pending_message))
}
