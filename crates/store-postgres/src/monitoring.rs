//! The figures of the metrics endpoint ([`store::Store::monitoring`]) read from PostgreSQL.

use crate::error::backend;
use jiff::Timestamp;
use sqlx::PgPool;
use store::{Monitoring, Result};

pub(crate) async fn read(pool: &PgPool, now: Timestamp) -> Result<Monitoring> {
    let now = now.as_microsecond();
    // `done_at IS NULL` matches a partial index of open tasks, where there is one.
    let steps: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT step, COUNT(*)::BIGINT,
                (COUNT(*) FILTER (WHERE warn_at <= $1 AND due_at >= $1))::BIGINT,
                (COUNT(*) FILTER (WHERE due_at < $1))::BIGINT
         FROM tasks WHERE done_at IS NULL GROUP BY step ORDER BY step COLLATE \"C\"",
    )
    .bind(now)
    .fetch_all(pool)
    .await
    .map_err(backend("monitoring: open tasks"))?;
    let (timers_due, oldest_due_timer): (i64, Option<i64>) =
        sqlx::query_as("SELECT COUNT(*)::BIGINT, MIN(due_at) FROM timers WHERE state = 'pending' AND due_at <= $1")
            .bind(now)
            .fetch_one(pool)
            .await
            .map_err(backend("monitoring: due timers"))?;
    let (outbox_pending, oldest_pending_message): (i64, Option<i64>) =
        sqlx::query_as("SELECT COUNT(*)::BIGINT, MIN(created_at) FROM outbox WHERE state = 'pending'")
            .fetch_one(pool)
            .await
            .map_err(backend("monitoring: outbox backlog"))?;
    store_sql::monitoring(steps, (timers_due, oldest_due_timer), (outbox_pending, oldest_pending_message))
}
