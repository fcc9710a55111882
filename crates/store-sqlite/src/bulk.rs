//! Bulk loading of generated cases, and the query plans of the hot queries, for the benchmark
//! suite (`crates/bench`). Not a way to write production data: the loader skips the version
//! checks of [`crate::Store::commit`], and while it runs the file has no journal and is not
//! synced, so a crash leaves it unusable (a generated database is simply generated again).

use crate::SqliteStore;
use crate::error::backend;
use domain::Event;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection, QueryBuilder, Sqlite};
use std::path::Path;
use store::{CaseSummary, NewTimer, Result, StoreError, TaskRow};

/// One case as a commit of it would leave it: its summary, its whole event log, its task rows
/// and its pending timers.
#[derive(Clone, Debug)]
pub struct GeneratedCase {
    pub summary: CaseSummary,
    pub events: Vec<Event>,
    pub tasks: Vec<TaskRow>,
    pub timers: Vec<NewTimer>,
}

/// Rows per multi-row INSERT: few statements, well under SQLite's limit of bound parameters.
const ROWS_PER_STATEMENT: usize = 500;

/// A database being filled with generated cases (see the module's warning).
pub struct BulkLoader {
    conn: SqliteConnection,
}

fn json(what: &'static str) -> impl FnOnce(serde_json::Error) -> StoreError {
    move |e| StoreError::Backend(format!("{what}: {e}"))
}

fn micros(t: jiff::Timestamp) -> i64 {
    t.as_microsecond()
}

impl BulkLoader {
    /// Opens (creating and migrating) the database at `path` for loading. Nothing else may use
    /// the file until [`BulkLoader::finish`].
    pub async fn open(path: &Path) -> Result<BulkLoader> {
        let store = SqliteStore::open(path).await?;
        store.close().await;
        let mut conn = SqliteConnectOptions::new().filename(path).connect().await.map_err(backend("bulk: open"))?;
        for pragma in [
            "PRAGMA journal_mode = OFF",
            "PRAGMA synchronous = OFF",
            // 2 GiB of page cache: the indexes on random case ids are then updated in memory.
            "PRAGMA cache_size = -2000000",
            "PRAGMA temp_store = MEMORY",
        ] {
            sqlx::query(pragma).execute(&mut conn).await.map_err(backend("bulk: set up"))?;
        }
        Ok(BulkLoader { conn })
    }

    /// Inserts the cases in one transaction.
    pub async fn insert(&mut self, cases: &[GeneratedCase]) -> Result<()> {
        let mut events = Vec::new();
        for c in cases {
            for (i, e) in c.events.iter().enumerate() {
                events.push((&c.summary.case_id.0, i as i64 + 1, micros(e.at), serde_json::to_string(e).map_err(json("events.body"))?));
            }
        }
        let mut tx = self.conn.begin().await.map_err(backend("bulk: begin"))?;
        for chunk in cases.chunks(ROWS_PER_STATEMENT) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO cases (case_id, reference, edition, edition_hash, status, result, sc_branch, provider, open_steps, version, opened_at, updated_at) ",
            );
            let mut failed = None;
            q.push_values(chunk, |mut b, c| {
                let s = &c.summary;
                let open_steps = serde_json::to_string(&s.open_steps).unwrap_or_else(|e| {
                    failed = Some(e);
                    String::new()
                });
                b.push_bind(s.case_id.0.clone())
                    .push_bind(s.reference.clone())
                    .push_bind(s.edition.edition.clone())
                    .push_bind(s.edition.hash.clone())
                    .push_bind(s.status.clone())
                    .push_bind(s.result.clone())
                    .push_bind(s.sc_branch.clone())
                    .push_bind(s.provider.clone())
                    .push_bind(open_steps)
                    .push_bind(s.version as i64)
                    .push_bind(micros(s.opened_at))
                    .push_bind(micros(s.updated_at));
            });
            if let Some(e) = failed {
                return Err(json("cases.open_steps")(e));
            }
            q.build().execute(&mut *tx).await.map_err(backend("bulk: insert cases"))?;
        }
        for chunk in events.chunks(ROWS_PER_STATEMENT) {
            let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO events (case_id, version, at, body) ");
            q.push_values(chunk, |mut b, (case, version, at, body)| {
                b.push_bind((*case).clone()).push_bind(*version).push_bind(*at).push_bind(body.clone());
            });
            q.build().execute(&mut *tx).await.map_err(backend("bulk: insert events"))?;
        }
        let tasks: Vec<&TaskRow> = cases.iter().flat_map(|c| &c.tasks).collect();
        for chunk in tasks.chunks(ROWS_PER_STATEMENT) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO tasks (case_id, task_id, reference, step, role, unit, assignee, cites, time_limit, opened_at, due_at, warn_at, escalated_to, done_at, outcome, done_by, time_basis) ",
            );
            q.push_values(chunk, |mut b, t| {
                b.push_bind(t.case_id.0.clone())
                    .push_bind(i64::from(t.task_id))
                    .push_bind(t.reference.clone())
                    .push_bind(t.step.clone())
                    .push_bind(t.role.clone())
                    .push_bind(t.unit.clone())
                    .push_bind(t.assignee.clone())
                    .push_bind(serde_json::to_string(&t.cites).unwrap_or_else(|_| "[]".into()))
                    .push_bind(t.limit.clone())
                    .push_bind(micros(t.opened_at))
                    .push_bind(t.due_at.map(micros))
                    .push_bind(t.warn_at.map(micros))
                    .push_bind(t.escalated_to.clone())
                    .push_bind(t.done_at.map(micros))
                    .push_bind(t.outcome.clone())
                    .push_bind(t.done_by.clone())
                    .push_bind(t.time_basis.clone());
            });
            q.build().execute(&mut *tx).await.map_err(backend("bulk: insert tasks"))?;
        }
        let timers: Vec<&NewTimer> = cases.iter().flat_map(|c| &c.timers).collect();
        for chunk in timers.chunks(ROWS_PER_STATEMENT) {
            let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO timers (id, case_id, kind, payload, due_at, state) ");
            q.push_values(chunk, |mut b, t| {
                b.push_bind(t.id.clone())
                    .push_bind(t.case_id.0.clone())
                    .push_bind(t.kind.clone())
                    .push_bind(t.payload.to_string())
                    .push_bind(micros(t.due_at))
                    .push_bind("pending");
            });
            q.build().execute(&mut *tx).await.map_err(backend("bulk: insert timers"))?;
        }
        tx.commit().await.map_err(backend("bulk: commit"))?;
        Ok(())
    }

    /// Puts the file back the way the store runs it (WAL journal) and closes it.
    pub async fn finish(mut self) -> Result<()> {
        sqlx::query("PRAGMA journal_mode = WAL").execute(&mut self.conn).await.map_err(backend("bulk: restore the journal"))?;
        self.conn.close().await.map_err(backend("bulk: close"))
    }
}

/// Sets `tasks.time_basis` to NULL on the rows of `step` done in `[from, to)`, as rows written
/// before migration 0010 have it, and keeps the values in a table of their own
/// (`bench_hidden_time_basis`); returns how many rows. Calls for several steps add up until
/// [`restore_time_basis`] puts them all back. For timing the compliance report's fallback to
/// the event log on the same database.
pub async fn hide_time_basis(path: &Path, step: &str, from: jiff::Timestamp, to: jiff::Timestamp) -> Result<u64> {
    let mut conn = SqliteConnectOptions::new().filename(path).connect().await.map_err(backend("hide time basis: open"))?;
    let mut tx = conn.begin().await.map_err(backend("hide time basis: begin"))?;
    sqlx::query("CREATE TABLE IF NOT EXISTS bench_hidden_time_basis (case_id TEXT NOT NULL, task_id INTEGER NOT NULL, time_basis TEXT)")
        .execute(&mut *tx)
        .await
        .map_err(backend("hide time basis: create"))?;
    sqlx::query(
        "INSERT INTO bench_hidden_time_basis SELECT case_id, task_id, time_basis FROM tasks
         WHERE step = ? AND done_at >= ? AND done_at < ? AND time_basis IS NOT NULL",
    )
    .bind(step)
    .bind(micros(from))
    .bind(micros(to))
    .execute(&mut *tx)
    .await
    .map_err(backend("hide time basis: keep"))?;
    let hidden = sqlx::query(
        "UPDATE tasks SET time_basis = NULL
         WHERE time_basis IS NOT NULL AND (case_id, task_id) IN (SELECT case_id, task_id FROM bench_hidden_time_basis)",
    )
    .execute(&mut *tx)
    .await
    .map_err(backend("hide time basis: clear"))?
    .rows_affected();
    tx.commit().await.map_err(backend("hide time basis: commit"))?;
    conn.close().await.map_err(backend("hide time basis: close"))?;
    Ok(hidden)
}

/// Puts back what [`hide_time_basis`] hid.
pub async fn restore_time_basis(path: &Path) -> Result<()> {
    let mut conn = SqliteConnectOptions::new().filename(path).connect().await.map_err(backend("restore time basis: open"))?;
    let mut tx = conn.begin().await.map_err(backend("restore time basis: begin"))?;
    sqlx::query(
        "UPDATE tasks SET time_basis = h.time_basis FROM bench_hidden_time_basis h
         WHERE tasks.case_id = h.case_id AND tasks.task_id = h.task_id",
    )
    .execute(&mut *tx)
    .await
    .map_err(backend("restore time basis: put back"))?;
    sqlx::query("DROP TABLE bench_hidden_time_basis").execute(&mut *tx).await.map_err(backend("restore time basis: drop"))?;
    tx.commit().await.map_err(backend("restore time basis: commit"))?;
    conn.close().await.map_err(backend("restore time basis: close"))
}

/// The bytes the database holds, as its file will be once every WAL frame is copied back: page
/// count times page size, read in a snapshot taken now (commits still in the WAL included).
/// Unlike the files' lengths, it does not move with how far the WAL has grown or been restarted
/// while a server writes to it.
pub async fn database_bytes(path: &Path) -> Result<u64> {
    let mut conn = SqliteConnectOptions::new().filename(path).read_only(true).connect().await.map_err(backend("bulk: open to measure"))?;
    let pages: i64 = sqlx::query_scalar("PRAGMA page_count").fetch_one(&mut conn).await.map_err(backend("bulk: count pages"))?;
    let size: i64 = sqlx::query_scalar("PRAGMA page_size").fetch_one(&mut conn).await.map_err(backend("bulk: read page size"))?;
    conn.close().await.map_err(backend("bulk: close"))?;
    Ok(u64::try_from(pages * size).unwrap_or(0))
}

/// The plan SQLite picks (`EXPLAIN QUERY PLAN`) for each hot query, with sample values bound:
/// (what, plan lines). The statements are written as [`crate::SqliteStore`] builds them for
/// these calls; keep them in step.
pub async fn explain_hot_queries(path: &Path) -> Result<Vec<(String, String)>> {
    let queries: [(&str, &str, &[&str]); 8] = [
        (
            "worklist: open tasks of a role in a unit, mine or unassigned",
            "SELECT * FROM tasks WHERE role = ? AND unit = ? AND done_at IS NULL AND (assignee = ? OR assignee IS NULL)
             ORDER BY due_at IS NULL, due_at, opened_at, case_id, task_id LIMIT 500",
            &["office", "mvd-astana", "office@mvd-astana"],
        ),
        (
            "worklist: open tasks escalated to a role in a unit",
            "SELECT * FROM tasks WHERE unit = ? AND done_at IS NULL AND escalated_to = ?
             ORDER BY due_at IS NULL, due_at, opened_at, case_id, task_id LIMIT 500",
            &["mvd-astana", "management"],
        ),
        (
            "compliance: tasks done in a period, every unit",
            "SELECT * FROM tasks WHERE done_at >= ? AND done_at < ? ORDER BY due_at IS NULL, due_at, opened_at, case_id, task_id",
            &["1735671600000000", "1738350000000000"],
        ),
        (
            "compliance: tasks done in a period, one unit",
            "SELECT * FROM tasks WHERE unit = ? AND done_at >= ? AND done_at < ? ORDER BY due_at IS NULL, due_at, opened_at, case_id, task_id",
            &["mvd-astana", "1735671600000000", "1738350000000000"],
        ),
        (
            "compliance: a case's events (coordination tasks written without a time basis only)",
            "SELECT body FROM events WHERE case_id = ? ORDER BY version",
            &["some-case"],
        ),
        (
            "metrics: open, at-risk and overdue tasks per step",
            "SELECT step, COUNT(*), COALESCE(SUM(warn_at <= ? AND due_at >= ?), 0), COALESCE(SUM(due_at < ?), 0)
             FROM tasks WHERE done_at IS NULL GROUP BY step ORDER BY step",
            &["1764000000000000", "1764000000000000", "1764000000000000"],
        ),
        (
            "metrics: timers due and not fired",
            "SELECT COUNT(*), MIN(due_at) FROM timers WHERE state = 'pending' AND due_at <= ?",
            &["1764000000000000"],
        ),
        ("metrics: outbox backlog", "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE state = 'pending'", &[]),
    ];
    let mut conn = SqliteConnectOptions::new().filename(path).read_only(true).connect().await.map_err(backend("explain: open"))?;
    let mut out = Vec::new();
    for (what, sql, binds) in queries {
        let mut q = sqlx::query_as::<_, (i64, i64, i64, String)>(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")));
        for b in binds {
            q = match b.parse::<i64>() {
                Ok(n) => q.bind(n),
                Err(_) => q.bind(*b),
            };
        }
        let rows = q.fetch_all(&mut conn).await.map_err(backend("explain"))?;
        out.push((what.to_owned(), rows.into_iter().map(|r| r.3).collect::<Vec<_>>().join("; ")));
    }
    conn.close().await.map_err(backend("explain: close"))?;
    Ok(out)
}
