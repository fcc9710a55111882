//! The PostgreSQL backend of the [`Store`] trait: a connection pool, the schema in embedded
//! migrations, runtime-checked SQL, and row types that never leave this crate.
//!
//! Unlike SQLite, PostgreSQL has many concurrent writers, possibly in several replicas of the
//! service. Every write runs in its own READ COMMITTED transaction and takes row locks:
//! a commit locks its case row (`SELECT … FOR UPDATE`) before checking the version, so two
//! commits of one case are serialized and the second sees the first's events; creators of one
//! new case, which has no row to lock yet, queue on a transaction-scoped advisory lock on the
//! case id instead, so exactly one wins and the others see its row. Claims of outbox messages and timers use
//! `FOR UPDATE SKIP LOCKED`, so dispatchers in several replicas never claim the same row.

#[macro_use]
mod columns;
mod access;
mod accounts;
mod audit;
mod documents;
mod error;
mod monitoring;
mod retention;

use async_trait::async_trait;
use domain::{CaseId, EditionRef, Event};
use error::{backend, unique_violation};
use jiff::{SignedDuration, Timestamp};
use sqlx::postgres::PgListener;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{PgConnection, Postgres, QueryBuilder};
use std::sync::Arc;
use std::time::Duration;
use store::{
    CaseQuery, CaseSummary, IdempotencyRecord, Migrations, OutboxMessage, OutboxState, Result, SchemaStatus, Store, StoreError, TaskQuery,
    TaskRow, Timer, UnitOfWork, User,
};
use store_sql::{CaseRow, DefinitionRow, IdempotencyRow, OutboxRow, TaskDbRow, TimerRow, UserRow, json, micros, to_i64, to_u64};
use tokio::sync::Notify;

/// The page size of a list query that names no limit (as in SQLite).
const DEFAULT_LIMIT: u32 = 500;
/// Connections per process by default: enough for a busy web front end plus the dispatchers,
/// few enough that several replicas stay under PostgreSQL's default `max_connections` (100).
pub const DEFAULT_POOL_SIZE: u32 = 16;
/// How long a caller waits for a free connection before the call fails.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// The constraint names fixed in the migrations that commits map to their own errors.
const CASES_REFERENCE: &str = "cases_reference_key";
const IDEMPOTENCY_PKEY: &str = "idempotency_pkey";

/// How to connect.
#[derive(Clone, Debug)]
pub struct PgOptions {
    /// Connections this process keeps at most.
    pub pool_size: u32,
    pub migrations: Migrations,
}

impl Default for PgOptions {
    fn default() -> Self {
        PgOptions { pool_size: DEFAULT_POOL_SIZE, migrations: Migrations::Apply }
    }
}

/// The store in one PostgreSQL database (or schema). Cheap to clone: clones share the pool.
#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
    /// The NOTIFY channel of this schema: commits that queue outbox work signal it.
    channel: String,
    /// Woken by the listener task when any process signals the channel.
    work: Arc<Notify>,
    /// The listener task, stopped when the last clone of the store is dropped.
    _listener: Arc<AbortOnDrop>,
}

#[derive(Debug)]
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Applies pending migrations; also checks that applied ones were not edited since.
async fn run_migrations(pool: &PgPool) -> Result<()> {
    MIGRATOR.run(pool).await.map_err(|e| StoreError::Backend(format!("migrate database: {e}")))
}

/// Reads the applied migrations (none in a new schema) against the embedded ones.
async fn schema_status(pool: &PgPool) -> Result<SchemaStatus> {
    // `to_regclass` resolves through the search path, so a schema per deployment or test works.
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(pool)
        .await
        .map_err(backend("read schema version"))?;
    let applied = if exists {
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(pool)
            .await
            .map_err(backend("read schema version"))?
    } else {
        Vec::new()
    };
    Ok(SchemaStatus { applied, known: MIGRATOR.iter().map(|m| m.version).collect() })
}

/// The NOTIFY channel for the schema the connection uses: channels are per database, so one
/// per schema keeps deployments (and tests) sharing a database from waking each other.
async fn work_channel(pool: &PgPool) -> Result<String> {
    let schema: String = sqlx::query_scalar("SELECT current_schema()").fetch_one(pool).await.map_err(backend("read current schema"))?;
    Ok(format!("shaqyru_work_{schema}"))
}

/// Listens on the work channel until the pool closes, waking local waiters on each signal.
/// PgListener reconnects by itself after a lost connection; signals sent meanwhile are lost,
/// which the waiters' polling covers.
async fn listen_for_work(pool: PgPool, channel: String, work: Arc<Notify>) {
    let mut listener = match PgListener::connect_with(&pool).await {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for work notifications; dispatchers poll");
            return;
        }
    };
    if let Err(e) = listener.listen(&channel).await {
        tracing::warn!(error = %e, "cannot listen for work notifications; dispatchers poll");
        return;
    }
    loop {
        match listener.try_recv().await {
            Ok(Some(_)) => work.notify_waiters(),
            // The connection dropped; the next call reconnects. Wake waiters: work may have
            // been signalled while nobody listened.
            Ok(None) => work.notify_waiters(),
            Err(_) if pool.is_closed() => return,
            Err(e) => {
                tracing::warn!(error = %e, "work notifications failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

impl PgStore {
    /// Connects to the database at `url` (a `postgres://` URL; a schema can be chosen with
    /// `options=-c search_path=…`) and brings its schema up to date.
    pub async fn connect(url: &str) -> Result<PgStore> {
        PgStore::connect_with(url, &PgOptions::default()).await
    }

    /// Connects with explicit options. Refuses a schema newer than this build; pending
    /// migrations are applied or refused as `options.migrations` says.
    pub async fn connect_with(url: &str, options: &PgOptions) -> Result<PgStore> {
        if options.pool_size == 0 {
            return Err(StoreError::Backend("the connection pool size must be at least 1".into()));
        }
        let pool = PgPoolOptions::new()
            .max_connections(options.pool_size)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect(url)
            .await
            .map_err(backend("connect to database"))?;
        schema_status(&pool).await?.check(options.migrations)?;
        if options.migrations != Migrations::Inspect {
            // sqlx takes an advisory lock while migrating, so replicas starting together are safe.
            run_migrations(&pool).await?;
        }
        let channel = work_channel(&pool).await?;
        let work = Arc::new(Notify::new());
        let listener = tokio::spawn(listen_for_work(pool.clone(), channel.clone(), work.clone()));
        Ok(PgStore { pool, channel, work, _listener: Arc::new(AbortOnDrop(listener)) })
    }

    /// The schema versions this database has applied against those this build knows.
    pub async fn schema(&self) -> Result<SchemaStatus> {
        schema_status(&self.pool).await
    }

    /// Applies the migrations the database lacks (refusing a newer schema) and returns their
    /// versions.
    pub async fn migrate(&self) -> Result<Vec<i64>> {
        let before = schema_status(&self.pool).await?;
        before.check(Migrations::Apply)?;
        run_migrations(&self.pool).await?;
        Ok(before.pending())
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Creates an empty schema `name` (lowercase letters, digits and `_`) in the database at `url` if
/// it is not there: a deployment or a test then connects with `options=-c search_path=name`.
pub async fn create_schema(url: &str, name: &str) -> Result<()> {
    let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        return Err(StoreError::Backend(format!("create schema: \"{name}\" is not a plain schema name")));
    }
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect(url)
        .await
        .map_err(backend("connect to database"))?;
    // The name was checked above, so putting it into the statement is safe.
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA IF NOT EXISTS {name}")))
        .execute(&pool)
        .await
        .map_err(backend("create schema"))?;
    pool.close().await;
    Ok(())
}

/// Runs `work` in a transaction: commits if it succeeds, rolls back if it fails.
macro_rules! in_tx {
    ($self:ident, $op:literal, |$tx:ident| $work:expr) => {{
        let mut tx = $self.pool.begin().await.map_err(backend($op))?;
        let outcome = {
            let $tx: &mut PgConnection = &mut tx;
            $work
        };
        match outcome {
            Ok(value) => {
                tx.commit().await.map_err(backend(concat!($op, " (commit)")))?;
                Ok(value)
            }
            Err(e) => {
                // The rollback's own failure would hide the reason the work failed; dropping the
                // transaction rolls it back in any case.
                let _ = tx.rollback().await;
                Err(e)
            }
        }
    }};
}

/// A unique violation of a case row: its reference is taken; anything else is a failure.
fn case_write_error(op: &'static str, reference: &str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match unique_violation(&e) {
        Some(CASES_REFERENCE) => StoreError::DuplicateReference(reference.to_owned()),
        _ => backend(op)(e),
    }
}

/// Locks the case row, if there is one, until the end of the transaction.
async fn lock_case(tx: &mut PgConnection, case: &CaseId) -> Result<bool> {
    let row: Option<i32> = sqlx::query_scalar("SELECT 1 FROM cases WHERE case_id = $1 FOR UPDATE")
        .bind(&case.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend("lock case"))?;
    Ok(row.is_some())
}

/// The case's version: its number of events. Read after the case row is locked; in READ
/// COMMITTED each statement sees what was committed before it started, so this includes the
/// events of a commit that held the lock before us.
async fn case_version(tx: &mut PgConnection, case: &CaseId) -> Result<u64> {
    let actual: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0)::BIGINT FROM events WHERE case_id = $1")
        .bind(&case.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(backend("read case version"))?;
    to_u64(actual, "events.version")
}

/// Writes a unit of work inside an open transaction (see [`Store::commit`]).
async fn commit_in(tx: &mut PgConnection, unit: &UnitOfWork, events: &[store_sql::PreparedEvent]) -> Result<()> {
    let case = &unit.case_id;
    let s = &unit.summary;
    let open_steps = serde_json::to_string(&s.open_steps).map_err(json("cases.open_steps"))?;
    let summary_values = |q: sqlx::query::Query<'static, Postgres, sqlx::postgres::PgArguments>| -> Result<_> {
        Ok(q.bind(case.0.clone())
            .bind(s.reference.clone())
            .bind(s.edition.edition.clone())
            .bind(s.edition.hash.clone())
            .bind(s.status.clone())
            .bind(s.result.clone())
            .bind(s.sc_branch.clone())
            .bind(s.provider.clone())
            .bind(open_steps.clone())
            .bind(to_i64(s.version, "case version")?)
            .bind(micros(s.opened_at))
            .bind(micros(s.updated_at)))
    };

    let mut created = false;
    if unit.expected_version == 0 {
        // Creators of one new case id queue here until the first one's transaction ends. Without
        // this, a loser with the same reference would trip over the reference's unique index
        // (which `ON CONFLICT` on the primary key does not cover) and report DuplicateReference
        // instead of Conflict. A hash collision between two ids only serializes their creation.
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(&case.0)
            .execute(&mut *tx)
            .await
            .map_err(backend("lock new case id"))?;
    }
    let mut exists = lock_case(tx, case).await?;
    if !exists && unit.expected_version == 0 {
        // A new case, and no other creator of it is in progress (see the lock above). The
        // `ON CONFLICT` is a second guard: if the row appears anyway, nothing is inserted and the
        // case is then locked and checked like any existing one (the loser gets `Conflict`).
        let inserted = summary_values(sqlx::query(
            "INSERT INTO cases (case_id, reference, edition, edition_hash, status, result, sc_branch, provider,
                                open_steps, version, opened_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12)
             ON CONFLICT ON CONSTRAINT cases_pkey DO NOTHING",
        ))?
        .execute(&mut *tx)
        .await
        .map_err(case_write_error("write case summary", &s.reference))?
        .rows_affected();
        created = inserted == 1;
        if !created {
            exists = lock_case(tx, case).await?;
        }
    }
    if !created {
        let actual = case_version(tx, case).await?;
        if actual != unit.expected_version || !exists {
            return Err(StoreError::Conflict { case: case.clone(), expected: unit.expected_version, actual });
        }
        summary_values(sqlx::query(
            "UPDATE cases SET reference = $2, edition = $3, edition_hash = $4, status = $5, result = $6,
                sc_branch = $7, provider = $8, open_steps = $9::jsonb, version = $10, opened_at = $11, updated_at = $12
             WHERE case_id = $1",
        ))?
        .execute(&mut *tx)
        .await
        .map_err(case_write_error("write case summary", &s.reference))?;
    }

    audit::append_events(tx, case, unit.expected_version, events).await?;

    if !unit.tasks.is_empty() {
        let mut rows = Vec::with_capacity(unit.tasks.len());
        for t in &unit.tasks {
            rows.push((t, serde_json::to_string(&t.cites).map_err(json("tasks.cites"))?));
        }
        // One statement for the unit's tasks (they are distinct, as one upsert needs them to be).
        let mut insert = QueryBuilder::<Postgres>::new(
            "INSERT INTO tasks (case_id, task_id, reference, step, role, unit, assignee, cites, time_limit, opened_at,
                                due_at, warn_at, escalated_to, done_at, outcome, done_by, time_basis) ",
        );
        insert.push_values(rows, |mut b, (t, cites)| {
            b.push_bind(&case.0)
                .push_bind(i64::from(t.task_id))
                .push_bind(&t.reference)
                .push_bind(&t.step)
                .push_bind(&t.role)
                .push_bind(&t.unit)
                .push_bind(&t.assignee)
                .push_bind(cites);
            b.push_unseparated("::jsonb")
                .push_bind(&t.limit)
                .push_bind(micros(t.opened_at))
                .push_bind(t.due_at.map(micros))
                .push_bind(t.warn_at.map(micros))
                .push_bind(&t.escalated_to)
                .push_bind(t.done_at.map(micros))
                .push_bind(&t.outcome)
                .push_bind(&t.done_by)
                .push_bind(&t.time_basis);
        });
        insert.push(
            " ON CONFLICT ON CONSTRAINT tasks_pkey DO UPDATE SET
                reference = excluded.reference, step = excluded.step, role = excluded.role,
                unit = excluded.unit, assignee = excluded.assignee, cites = excluded.cites,
                time_limit = excluded.time_limit, opened_at = excluded.opened_at,
                due_at = excluded.due_at, warn_at = excluded.warn_at, escalated_to = excluded.escalated_to,
                done_at = excluded.done_at, outcome = excluded.outcome, done_by = excluded.done_by,
                time_basis = excluded.time_basis",
        );
        insert.build().execute(&mut *tx).await.map_err(backend("write tasks"))?;
    }

    if let Some(r) = &unit.idempotency {
        let response = serde_json::to_string(&r.response).map_err(json("idempotency.response"))?;
        sqlx::query(
            "INSERT INTO idempotency (user_id, idem_key, request_hash, case_id, response, created_at)
             VALUES ($1, $2, $3, $4, $5::jsonb, $6)",
        )
        .bind(&r.user)
        .bind(&r.key)
        .bind(&r.request_hash)
        .bind(&case.0)
        .bind(response)
        .bind(micros(r.created_at))
        .execute(&mut *tx)
        .await
        .map_err(|e| match unique_violation(&e) {
            Some(IDEMPOTENCY_PKEY) => StoreError::DuplicateKey,
            _ => backend("write idempotency record")(e),
        })?;
    }

    for m in &unit.outbox {
        let payload = serde_json::to_string(&m.payload).map_err(json("outbox.payload"))?;
        // A message is created by the command that commits it, at the command's time.
        sqlx::query(
            "INSERT INTO outbox (id, case_id, kind, payload, idempotency_key, state, attempts, due_at, created_at)
             VALUES ($1, $2, $3, $4::jsonb, $5, 'pending', 0, $6, $7)",
        )
        .bind(&m.id)
        .bind(&case.0)
        .bind(&m.kind)
        .bind(payload)
        .bind(&m.idempotency_key)
        .bind(micros(m.due_at))
        .bind(micros(s.updated_at))
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            if unique_violation(&e).is_some() {
                StoreError::Backend("write outbox message: the message id is already used".to_owned())
            } else {
                backend("write outbox message")(e)
            }
        })?;
    }
    if !unit.timers.is_empty() {
        let mut rows = Vec::with_capacity(unit.timers.len());
        for t in &unit.timers {
            rows.push((t, serde_json::to_string(&t.payload).map_err(json("timers.payload"))?));
        }
        // One statement for all of them: each is a round trip to the server.
        let mut insert = QueryBuilder::<Postgres>::new("INSERT INTO timers (id, case_id, kind, payload, due_at, state) ");
        insert.push_values(rows, |mut b, (t, payload)| {
            b.push_bind(&t.id).push_bind(&case.0).push_bind(&t.kind).push_bind(payload);
            b.push_unseparated("::jsonb").push_bind(micros(t.due_at)).push_bind("pending");
        });
        insert.build().execute(&mut *tx).await.map_err(backend("write timers"))?;
    }
    for id in &unit.fired_timers {
        sqlx::query("UPDATE timers SET state = 'fired', fired_at = $1 WHERE id = $2 AND case_id = $3")
            .bind(micros(s.updated_at))
            .bind(id)
            .bind(&case.0)
            .execute(&mut *tx)
            .await
            .map_err(backend("mark timer fired"))?;
    }
    documents::write(tx, unit).await?;
    Ok(())
}

fn limit_or_default(limit: u32) -> i64 {
    i64::from(if limit == 0 { DEFAULT_LIMIT } else { limit })
}

fn collect<R, T: TryFrom<R, Error = StoreError>>(rows: Vec<R>) -> Result<Vec<T>> {
    rows.into_iter().map(T::try_from).collect()
}

fn lease_end(op: &'static str, now: Timestamp, lease: SignedDuration) -> Result<Timestamp> {
    now.checked_add(lease).map_err(|_| StoreError::Backend(format!("{op}: the lease ends out of range")))
}

#[async_trait]
impl Store for PgStore {
    async fn save_definition(&self, edition: &EditionRef, source: &str) -> Result<()> {
        // `stored_at` takes the database's default (see the migration).
        sqlx::query("INSERT INTO definitions (hash, edition, source) VALUES ($1, $2, $3) ON CONFLICT (hash) DO NOTHING")
            .bind(&edition.hash)
            .bind(&edition.edition)
            .bind(source)
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(backend("save definition"))
    }

    async fn load_definition(&self, hash: &str) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT source FROM definitions WHERE hash = $1")
            .bind(hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend("load definition"))
    }

    async fn definitions(&self) -> Result<Vec<EditionRef>> {
        let rows: Vec<DefinitionRow> = sqlx::query_as("SELECT edition, hash FROM definitions ORDER BY edition, hash")
            .fetch_all(&self.pool)
            .await
            .map_err(backend("list definitions"))?;
        Ok(rows.into_iter().map(|r| EditionRef { edition: r.edition, hash: r.hash }).collect())
    }

    async fn next_number(&self, counter: &str) -> Result<u64> {
        // One statement: the upsert locks the counter row, so concurrent callers (of any
        // replica) queue on it and each gets the value its own update produced.
        let value: i64 = sqlx::query_scalar(
            "INSERT INTO counters (name, value) VALUES ($1, 1)
             ON CONFLICT (name) DO UPDATE SET value = counters.value + 1
             RETURNING value",
        )
        .bind(counter)
        .fetch_one(&self.pool)
        .await
        .map_err(backend("next number"))?;
        to_u64(value, "counters.value")
    }

    async fn commit(&self, unit: UnitOfWork) -> Result<()> {
        store_sql::check_unit(&unit)?;
        // Serialized before the transaction so that the case lock is held only for SQL.
        let events = store_sql::prepare_events(&unit.events)?;
        let channel = &self.channel;
        in_tx!(self, "commit", |tx| async {
            commit_in(tx, &unit, &events).await?;
            if !unit.outbox.is_empty() {
                // Delivered at commit, to every process listening on this schema's channel.
                sqlx::query("SELECT pg_notify($1, '')").bind(channel).execute(&mut *tx).await.map_err(backend("signal work"))?;
            }
            Ok::<_, StoreError>(())
        }
        .await)
    }

    async fn load_events(&self, case: &CaseId) -> Result<Vec<Event>> {
        let bodies: Vec<String> = sqlx::query_scalar("SELECT body::text FROM events WHERE case_id = $1 ORDER BY version")
            .bind(&case.0)
            .fetch_all(&self.pool)
            .await
            .map_err(backend("load events"))?;
        bodies.iter().map(|b| serde_json::from_str(b).map_err(json("events.body"))).collect()
    }

    async fn find_idempotent(&self, user: &str, key: &str) -> Result<Option<IdempotencyRecord>> {
        let row: Option<IdempotencyRow> = sqlx::query_as(
            "SELECT user_id, idem_key, request_hash, case_id, response::text AS response, created_at
             FROM idempotency WHERE user_id = $1 AND idem_key = $2",
        )
        .bind(user)
        .bind(key)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend("find idempotency record"))?;
        row.map(IdempotencyRecord::try_from).transpose()
    }

    async fn case_summary(&self, case: &CaseId) -> Result<Option<CaseSummary>> {
        let row: Option<CaseRow> = sqlx::query_as(concat!("SELECT ", case_columns!(), " FROM cases WHERE case_id = $1"))
            .bind(&case.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend("read case summary"))?;
        row.map(CaseSummary::try_from).transpose()
    }

    async fn case_by_reference(&self, reference: &str) -> Result<Option<CaseSummary>> {
        let row: Option<CaseRow> = sqlx::query_as(concat!("SELECT ", case_columns!(), " FROM cases WHERE reference = $1"))
            .bind(reference)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend("find case by reference"))?;
        row.map(CaseSummary::try_from).transpose()
    }

    async fn list_cases(&self, query: &CaseQuery) -> Result<Vec<CaseSummary>> {
        // Only the filters given become SQL, so that the planner can pick the matching index.
        let mut q = QueryBuilder::<Postgres>::new(concat!("SELECT ", case_columns!(), " FROM cases WHERE TRUE"));
        if let Some(unit) = &query.unit {
            q.push(" AND (sc_branch = ").push_bind(unit.clone()).push(" OR provider = ").push_bind(unit.clone()).push(")");
        }
        if let Some(status) = &query.status {
            q.push(" AND status = ").push_bind(status.clone());
        }
        q.push(" ORDER BY opened_at DESC, case_id DESC LIMIT ").push_bind(limit_or_default(query.limit));
        let rows: Vec<CaseRow> = q.build_query_as().fetch_all(&self.pool).await.map_err(backend("list cases"))?;
        collect(rows)
    }

    async fn list_tasks(&self, query: &TaskQuery) -> Result<Vec<TaskRow>> {
        let mut q = QueryBuilder::<Postgres>::new(concat!("SELECT ", task_columns!(), " FROM tasks WHERE TRUE"));
        if let Some(role) = &query.role {
            q.push(" AND role = ").push_bind(role.clone());
        }
        if let Some(unit) = &query.unit {
            q.push(" AND unit = ").push_bind(unit.clone());
        }
        if let Some(case) = &query.case_id {
            q.push(" AND case_id = ").push_bind(case.0.clone());
        }
        if query.open_only {
            q.push(" AND done_at IS NULL");
        }
        if let Some(role) = &query.escalated_to {
            q.push(" AND escalated_to = ").push_bind(role.clone());
        }
        // `done_at IS NOT NULL` is implied: a comparison with NULL is never true.
        if let Some(from) = query.done_from {
            q.push(" AND done_at >= ").push_bind(micros(from));
        }
        if let Some(to) = query.done_to {
            q.push(" AND done_at < ").push_bind(micros(to));
        }
        if let Some(assignee) = &query.assignee {
            q.push(" AND (assignee = ").push_bind(assignee.clone());
            if query.include_unassigned {
                q.push(" OR assignee IS NULL");
            }
            q.push(")");
        }
        q.push(" ORDER BY due_at ASC NULLS LAST, opened_at, case_id, task_id LIMIT ").push_bind(limit_or_default(query.limit));
        let rows: Vec<TaskDbRow> = q.build_query_as().fetch_all(&self.pool).await.map_err(backend("list tasks"))?;
        collect(rows)
    }

    async fn claim_outbox(&self, now: Timestamp, limit: u32, lease: SignedDuration) -> Result<Vec<OutboxMessage>> {
        let until = lease_end("claim outbox", now, lease)?;
        // One statement: rows another dispatcher is claiming right now are skipped, not waited
        // for; the lease is the new due time, so a crashed dispatcher's claim runs out.
        let rows: Vec<OutboxRow> = sqlx::query_as(concat!(
            "WITH picked AS (
                SELECT seq, due_at AS old_due FROM outbox
                WHERE state = 'pending' AND due_at <= $1
                ORDER BY due_at, seq LIMIT $2
                FOR UPDATE SKIP LOCKED
             ), claimed AS (
                UPDATE outbox o SET attempts = o.attempts + 1, due_at = $3
                FROM picked p WHERE o.seq = p.seq
                RETURNING o.*, p.old_due
             )
             SELECT ",
            outbox_columns!(),
            " FROM claimed ORDER BY old_due, seq"
        ))
        .bind(micros(now))
        .bind(i64::from(limit))
        .bind(micros(until))
        .fetch_all(&self.pool)
        .await
        .map_err(backend("claim outbox"))?;
        collect(rows)
    }

    async fn outbox_delivered(&self, id: &str, at: Timestamp) -> Result<()> {
        sqlx::query("UPDATE outbox SET state = 'delivered', delivered_at = $1 WHERE id = $2")
            .bind(micros(at))
            .bind(id)
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(backend("mark outbox message delivered"))
    }

    async fn outbox_failed(&self, id: &str, error: &str, retry_at: Timestamp) -> Result<()> {
        // A late failure report must not reopen a message another attempt delivered.
        sqlx::query("UPDATE outbox SET last_error = $1, due_at = $2 WHERE id = $3 AND state = 'pending'")
            .bind(error)
            .bind(micros(retry_at))
            .bind(id)
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(backend("mark outbox message failed"))
    }

    async fn outbox(&self, case: Option<&CaseId>) -> Result<Vec<OutboxMessage>> {
        let rows: Vec<OutboxRow> = match case {
            Some(case) => {
                sqlx::query_as(concat!("SELECT ", outbox_columns!(), " FROM outbox WHERE case_id = $1 ORDER BY seq"))
                    .bind(&case.0)
                    .fetch_all(&self.pool)
                    .await
            }
            None => sqlx::query_as(concat!("SELECT ", outbox_columns!(), " FROM outbox ORDER BY seq DESC")).fetch_all(&self.pool).await,
        }
        .map_err(backend("list outbox"))?;
        collect(rows)
    }

    async fn outbox_dead(&self, id: &str, error: &str, at: Timestamp) -> Result<()> {
        sqlx::query("UPDATE outbox SET state = 'dead', last_error = $1, dead_at = $2 WHERE id = $3 AND state = 'pending'")
            .bind(error)
            .bind(micros(at))
            .bind(id)
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(backend("mark outbox message dead"))
    }

    async fn outbox_retry(&self, id: &str, now: Timestamp) -> Result<bool> {
        let channel = &self.channel;
        in_tx!(self, "retry outbox message", |tx| async {
            let retried = sqlx::query(
                "UPDATE outbox SET state = 'pending', attempts = 0, due_at = $1, dead_at = NULL WHERE id = $2 AND state = 'dead'",
            )
            .bind(micros(now))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(backend("retry outbox message"))?
            .rows_affected()
                == 1;
            if retried {
                // Wakes the dispatchers of every process on this schema, as a commit does.
                sqlx::query("SELECT pg_notify($1, '')").bind(channel).execute(&mut *tx).await.map_err(backend("signal work"))?;
            }
            Ok::<_, StoreError>(retried)
        }
        .await)
    }

    async fn outbox_message(&self, id: &str) -> Result<Option<OutboxMessage>> {
        let row: Option<OutboxRow> = sqlx::query_as(concat!("SELECT ", outbox_columns!(), " FROM outbox WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend("read outbox message"))?;
        row.map(TryInto::try_into).transpose()
    }

    async fn outbox_by_state(&self, state: Option<OutboxState>, limit: u32) -> Result<Vec<OutboxMessage>> {
        let rows: Vec<OutboxRow> = sqlx::query_as(concat!(
            "SELECT ",
            outbox_columns!(),
            " FROM outbox WHERE ($1::text IS NULL OR state = $1) ORDER BY seq DESC LIMIT $2"
        ))
        .bind(state.map(OutboxState::code))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend("list outbox by state"))?;
        collect(rows)
    }

    async fn claim_timers(&self, now: Timestamp, limit: u32, lease: SignedDuration) -> Result<Vec<Timer>> {
        let until = lease_end("claim timers", now, lease)?;
        // As for the outbox, but the lease is kept apart: a timer's due time stays as written.
        let rows: Vec<TimerRow> = sqlx::query_as(concat!(
            "WITH picked AS (
                SELECT id FROM timers
                WHERE state = 'pending' AND due_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1)
                ORDER BY due_at, id LIMIT $2
                FOR UPDATE SKIP LOCKED
             ), claimed AS (
                UPDATE timers t SET attempts = t.attempts + 1, claimed_until = $3
                FROM picked p WHERE t.id = p.id
                RETURNING t.*
             )
             SELECT ",
            timer_columns!(),
            " FROM claimed ORDER BY due_at, id"
        ))
        .bind(micros(now))
        .bind(i64::from(limit))
        .bind(micros(until))
        .fetch_all(&self.pool)
        .await
        .map_err(backend("claim timers"))?;
        collect(rows)
    }

    async fn timer_fired(&self, id: &str, at: Timestamp) -> Result<()> {
        sqlx::query("UPDATE timers SET state = 'fired', fired_at = $1 WHERE id = $2 AND state = 'pending'")
            .bind(micros(at))
            .bind(id)
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(backend("mark timer fired"))
    }

    async fn timers(&self, case: &CaseId) -> Result<Vec<Timer>> {
        let rows: Vec<TimerRow> =
            sqlx::query_as(concat!("SELECT ", timer_columns!(), " FROM timers WHERE case_id = $1 ORDER BY due_at, id"))
                .bind(&case.0)
                .fetch_all(&self.pool)
                .await
                .map_err(backend("list timers"))?;
        collect(rows)
    }

    async fn upsert_user(&self, user: &User) -> Result<()> {
        sqlx::query(concat!(
            "INSERT INTO users (",
            user_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (id) DO UPDATE SET
                display_name = excluded.display_name, role = excluded.role, unit = excluded.unit,
                token_hash = excluded.token_hash, active = excluded.active"
        ))
        .bind(&user.id)
        .bind(&user.display_name)
        .bind(&user.role)
        .bind(&user.unit)
        .bind(&user.token_hash)
        .bind(user.active)
        .execute(&self.pool)
        .await
        .map(|_| ())
        .map_err(|e| {
            if unique_violation(&e).is_some() {
                StoreError::Backend("save user: the token hash belongs to another user".to_owned())
            } else {
                backend("save user")(e)
            }
        })
    }

    async fn user(&self, id: &str) -> Result<Option<User>> {
        let row: Option<UserRow> = sqlx::query_as(concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend("read user"))?;
        Ok(row.map(User::from))
    }

    async fn user_by_token_hash(&self, token_hash: &str) -> Result<Option<User>> {
        let row: Option<UserRow> = sqlx::query_as(concat!("SELECT ", user_columns!(), " FROM users WHERE token_hash = $1"))
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend("find user by token"))?;
        Ok(row.map(User::from))
    }

    async fn users(&self) -> Result<Vec<User>> {
        let rows: Vec<UserRow> = sqlx::query_as(concat!("SELECT ", user_columns!(), " FROM users ORDER BY id"))
            .fetch_all(&self.pool)
            .await
            .map_err(backend("list users"))?;
        Ok(rows.into_iter().map(User::from).collect())
    }

    // Monitoring (issue 9): the metrics endpoint's figures, in their own module.
    async fn monitoring(&self, now: Timestamp) -> Result<store::Monitoring> {
        monitoring::read(&self.pool, now).await
    }

    // Documents and signing keys (issue 5), in their own module.
    async fn documents(&self, case: &CaseId) -> Result<Vec<store::StoredDocument>> {
        documents::by_case(&self.pool, case).await
    }

    async fn document_by_code(&self, code: &str) -> Result<Option<store::StoredDocument>> {
        documents::by_code(&self.pool, code).await
    }

    async fn revoke_invitation(&self, registration_number: &str, at: Timestamp) -> Result<bool> {
        let mut conn = self.pool.acquire().await.map_err(backend("revoke invitation"))?;
        documents::revoke(&mut conn, registration_number, at).await
    }

    async fn save_official_key(&self, key: &store::OfficialKey) -> Result<()> {
        let mut conn = self.pool.acquire().await.map_err(backend("save signing key"))?;
        documents::save_key(&mut conn, key).await
    }

    async fn official_key(&self, key_id: &str) -> Result<Option<store::OfficialKey>> {
        documents::key(&self.pool, key_id).await
    }

    async fn official_keys(&self, user: &str) -> Result<Vec<store::OfficialKey>> {
        documents::keys_of(&self.pool, user).await
    }

    // Accounts (issue 8): passwords, the login lockout and sessions, in their own module.
    async fn set_password(&self, user_id: &str, password_hash: Option<&str>) -> Result<()> {
        accounts::set_password(&self.pool, user_id, password_hash).await
    }

    async fn credentials(&self, user_id: &str) -> Result<Option<store::Credentials>> {
        accounts::credentials(&self.pool, user_id).await
    }

    async fn record_login_failure(
        &self,
        user_id: &str,
        now: Timestamp,
        lock_after: u32,
        lock_for: SignedDuration,
    ) -> Result<store::Credentials> {
        accounts::record_login_failure(&self.pool, user_id, now, lock_after, lock_for).await
    }

    async fn record_login_success(&self, user_id: &str) -> Result<()> {
        accounts::record_login_success(&self.pool, user_id).await
    }

    async fn create_session(&self, session: &store::Session) -> Result<()> {
        accounts::create_session(&self.pool, session).await
    }

    async fn session(&self, id_hash: &str) -> Result<Option<store::Session>> {
        accounts::session(&self.pool, id_hash).await
    }

    async fn touch_session(&self, id_hash: &str, last_seen_at: Timestamp) -> Result<()> {
        accounts::touch_session(&self.pool, id_hash, last_seen_at).await
    }

    async fn delete_session(&self, id_hash: &str) -> Result<()> {
        accounts::delete_session(&self.pool, id_hash).await
    }

    async fn delete_sessions_of(&self, user_id: &str) -> Result<u64> {
        accounts::delete_sessions_of(&self.pool, user_id).await
    }

    async fn purge_sessions(&self, expired_before: Timestamp) -> Result<u64> {
        accounts::purge_sessions(&self.pool, expired_before).await
    }

    async fn set_oidc_subject(&self, user_id: &str, subject: Option<&str>) -> Result<()> {
        accounts::set_oidc_subject(&self.pool, user_id, subject).await
    }

    async fn user_by_oidc_subject(&self, subject: &str) -> Result<Option<User>> {
        accounts::user_by_oidc_subject(&self.pool, subject).await
    }

    async fn oidc_subject(&self, user_id: &str) -> Result<Option<String>> {
        accounts::oidc_subject(&self.pool, user_id).await
    }

    // The audit chain (issue 8), in its own module.
    async fn audit_mark(&self) -> Result<u64> {
        audit::mark(&self.pool).await
    }

    async fn audit_cases(&self, after: Option<&CaseId>, limit: u32) -> Result<Vec<CaseId>> {
        audit::cases(&self.pool, after, limit).await
    }

    async fn event_chain(&self, case: &CaseId) -> Result<Vec<store::ChainLink>> {
        audit::event_chain(&self.pool, case).await
    }

    async fn append_checkpoint(&self, checkpoint: &store::NewCheckpoint) -> Result<store::Checkpoint> {
        in_tx!(self, "append checkpoint", |tx| audit::append_checkpoint(tx, checkpoint).await)
    }

    async fn checkpoints(&self) -> Result<Vec<store::Checkpoint>> {
        audit::checkpoints(&self.pool).await
    }

    // The access log (issue 8), in its own module.
    async fn record_access(&self, access: &store::NewAccess) -> Result<store::AccessRecord> {
        in_tx!(self, "record access", |tx| access::record(tx, access).await)
    }

    async fn access_log(&self, query: &store::AccessQuery) -> Result<Vec<store::AccessRecord>> {
        access::log(&self.pool, query).await
    }

    async fn access_chain(&self, after: u64, limit: u32) -> Result<Vec<store::AccessRecord>> {
        access::chain(&self.pool, after, limit).await
    }

    async fn purge_candidates(&self, after: Option<&CaseId>, limit: u32) -> Result<Vec<CaseSummary>> {
        retention::candidates(&self.pool, after, limit).await
    }

    async fn purge_case(&self, purge: &store::Purge) -> Result<store::PurgeCounts> {
        in_tx!(self, "purge case", |tx| retention::purge(tx, purge).await)
    }

    async fn tombstone(&self, case: &CaseId) -> Result<Option<store::Tombstone>> {
        retention::tombstone(&self.pool, case).await
    }

    async fn wait_for_work(&self, timeout: Duration) {
        let _ = tokio::time::timeout(timeout, self.work.notified()).await;
    }
}
