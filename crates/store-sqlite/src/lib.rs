//! The SQLite backend of the [`Store`] trait: one database file in WAL mode, the schema in
//! embedded migrations, runtime-checked SQL, and row types that never leave this crate.
//!
//! SQLite has a single writer. Every write runs in a `BEGIN IMMEDIATE` transaction, so the write
//! lock is taken before the first read of a transaction (a version check can never be overtaken
//! by another writer, even of another process). Reads use a separate pool of read-only
//! connections, which WAL lets run alongside the writer; the one-row lookups every request
//! makes (token, session, user, idempotency key) run on the caller's thread instead
//! (`point_reads`).
//!
//! Units of work and the frequent small writes (reference numbers, the outbox's delivery marks,
//! timers marked fired, the access log) run on the write thread (`writer`), whose own
//! connection runs their statements back to back; by default the writes queued at one moment
//! share one transaction and one `fsync` (group commit). The other writes run on a sqlx pool of
//! one connection, taking the write thread's lock so that the two never wait on each other's
//! file lock.

#[macro_use]
mod columns;
mod access;
mod accounts;
mod audit;
pub mod bulk;
mod commit;
mod documents;
mod error;
mod monitoring;
mod point_reads;
mod retention;
mod writer;

use async_trait::async_trait;
use domain::{CaseId, EditionRef, Event};
use error::{backend, is_unique_violation};
use jiff::{SignedDuration, Timestamp};
use point_reads::PointReads;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use std::path::Path;
use std::sync::Arc;
use store::{
    CaseQuery, CaseSummary, IdempotencyRecord, Migrations, OutboxMessage, OutboxState, Result, SchemaStatus, Store, StoreError, TaskQuery,
    TaskRow, Timer, UnitOfWork, User,
};
use store_sql::{CaseRow, DefinitionRow, IdempotencyRow, OutboxRow, TaskDbRow, TimerRow, UserRow, json, micros};
use writer::{BUSY_TIMEOUT, Writer};
pub use writer::{DEFAULT_MAX_BATCH, DEFAULT_WAL_RESTART_FRAMES, GroupCommit};

/// The page size of a list query that names no limit.
const DEFAULT_LIMIT: u32 = 500;
/// Read connections: enough for a busy web front end; SQLite reads are short.
const READERS: u32 = 8;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// The store in one SQLite file. Cheap to clone: clones share the connection pools.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    /// The sqlx write connection, for migrations and the writes not on the write thread.
    writer: SqlitePool,
    /// Read-only connections.
    reader: SqlitePool,
    /// Read-only connections for the per-request lookups of one row, run on the caller's thread.
    point: Arc<PointReads>,
    /// The write thread that units of work and the frequent writes queue on.
    thread: Writer,
}

/// How to open an SQLite store.
#[derive(Clone, Copy, Debug)]
pub struct SqliteOptions {
    /// Apply pending migrations, refuse to open until they are applied, or only inspect.
    pub migrations: Migrations,
    /// Whether concurrent writes share a transaction (on by default).
    pub group_commit: GroupCommit,
    /// The WAL's length, in frames (pages), at which the checkpoint thread briefly stops writes
    /// to start the WAL over ([`DEFAULT_WAL_RESTART_FRAMES`] by default; see `writer`).
    pub wal_restart_frames: u32,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            migrations: Migrations::default(),
            group_commit: GroupCommit::default(),
            wal_restart_frames: DEFAULT_WAL_RESTART_FRAMES,
        }
    }
}

impl SqliteStore {
    /// Opens the database at `path`, creating the file if it is missing, and brings its schema
    /// up to date. Every acknowledged commit is durable (`synchronous = FULL`).
    pub async fn open(path: &Path) -> Result<SqliteStore> {
        SqliteStore::open_with(path, Migrations::Apply).await
    }

    /// Opens the database at `path`, creating the file if it is missing. Refuses a schema newer
    /// than this build; pending migrations are applied or refused as `migrations` says.
    pub async fn open_with(path: &Path, migrations: Migrations) -> Result<SqliteStore> {
        SqliteStore::open_with_options(path, &SqliteOptions { migrations, ..SqliteOptions::default() }).await
    }

    /// Opens the database at `path` as `options` say (see [`SqliteStore::open_with`]), and
    /// starts the write and checkpoint threads.
    pub async fn open_with_options(path: &Path, options: &SqliteOptions) -> Result<SqliteStore> {
        let migrations = options.migrations;
        let connect = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let writer = SqlitePoolOptions::new().max_connections(1).connect_with(connect.clone()).await.map_err(backend("open database"))?;
        schema_status(&writer).await?.check(migrations)?;
        if migrations != Migrations::Inspect {
            run_migrations(&writer).await?;
        }
        // Opened after the writer so that the file, and its WAL mode, exist already.
        let reader = SqlitePoolOptions::new()
            .max_connections(READERS)
            .connect_with(connect.read_only(true))
            .await
            .map_err(backend("open database for reading"))?;
        let thread = Writer::start(path, options.group_commit, options.wal_restart_frames)?;
        Ok(SqliteStore { writer, reader, point: Arc::new(PointReads::new(path)), thread })
    }

    /// Holds the store's write lock until the guard is dropped: writes queue meanwhile, and the
    /// write thread's next batch takes all of them. For tests of group commit.
    #[doc(hidden)]
    pub async fn hold_writes(&self) -> tokio::sync::OwnedMutexGuard<()> {
        self.thread.hold().await
    }

    /// Runs one single-statement update on the write thread (joining its batch).
    async fn update<P: rusqlite::Params + Send + 'static>(&self, op: &'static str, sql: &'static str, params: P) -> Result<()> {
        self.thread
            .run(op, move |c| c.prepare_cached(sql).and_then(|mut s| s.execute(params)).map(|_| ()).map_err(error::sync_backend(op)))
            .await
    }

    /// The schema versions this database has applied against those this build knows.
    pub async fn schema(&self) -> Result<SchemaStatus> {
        schema_status(&self.writer).await
    }

    /// Applies the migrations the database lacks (refusing a newer schema) and returns their
    /// versions.
    pub async fn migrate(&self) -> Result<Vec<i64>> {
        let before = schema_status(&self.writer).await?;
        before.check(Migrations::Apply)?;
        run_migrations(&self.writer).await?;
        Ok(before.pending())
    }

    /// Closes every connection, waiting for those in use to be returned. Not needed for
    /// durability (each commit is already on disk), but lets a test or a shutdown reopen or
    /// move the file cleanly.
    pub async fn close(&self) {
        self.thread.close().await;
        self.point.close();
        self.reader.close().await;
        self.writer.close().await;
    }
}

/// A `users` row as [`user_columns`] lists its columns, read by a point read.
fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UserRow> {
    Ok(UserRow { id: r.get(0)?, display_name: r.get(1)?, role: r.get(2)?, unit: r.get(3)?, token_hash: r.get(4)?, active: r.get(5)? })
}

/// Applies pending migrations; also checks that applied ones were not edited since.
async fn run_migrations(pool: &SqlitePool) -> Result<()> {
    MIGRATOR.run(pool).await.map_err(|e| StoreError::Backend(format!("migrate database: {e}")))
}

/// Reads the applied migrations (none in a new file) against the embedded ones.
async fn schema_status(pool: &SqlitePool) -> Result<SchemaStatus> {
    let table: Option<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'")
        .fetch_optional(pool)
        .await
        .map_err(backend("read schema version"))?;
    let applied = match table {
        Some(_) => sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(pool)
            .await
            .map_err(backend("read schema version"))?,
        None => Vec::new(),
    };
    Ok(SchemaStatus { applied, known: MIGRATOR.iter().map(|m| m.version).collect() })
}

/// Runs `work` in a write transaction: commits if it succeeds, rolls back if it fails.
///
/// When the commit or the rollback itself fails (SQLite may already have rolled the whole
/// transaction back after a disk error), the connection's transaction state is unknown, and the
/// driver would refuse every later `BEGIN` on it: it is closed instead of going back to the
/// pool, which opens a fresh one.
macro_rules! in_write_tx {
    ($self:ident, $op:literal, |$tx:ident| $work:expr) => {{
        let _lock = $self.thread.lock.lock().await;
        let mut conn = $self.writer.acquire().await.map_err(backend($op))?;
        let mut tx = sqlx::Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE").await.map_err(backend($op))?;
        let outcome = {
            let $tx: &mut SqliteConnection = &mut tx;
            $work
        };
        match outcome {
            Ok(value) => match tx.commit().await {
                Ok(()) => Ok(value),
                Err(e) => {
                    conn.close_on_drop();
                    Err(backend(concat!($op, " (commit)"))(e))
                }
            },
            Err(e) => {
                // The rollback's own failure would hide the reason the work failed.
                if tx.rollback().await.is_err() {
                    conn.close_on_drop();
                }
                Err(e)
            }
        }
    }};
}

fn limit_or_default(limit: u32) -> i64 {
    i64::from(if limit == 0 { DEFAULT_LIMIT } else { limit })
}

fn collect<R, T: TryFrom<R, Error = StoreError>>(rows: Vec<R>) -> Result<Vec<T>> {
    rows.into_iter().map(T::try_from).collect()
}

#[async_trait]
impl Store for SqliteStore {
    async fn save_definition(&self, edition: &EditionRef, source: &str) -> Result<()> {
        // `stored_at` takes the database's default (see the migration).
        in_write_tx!(self, "save definition", |tx| {
            sqlx::query(
                "INSERT INTO definitions (hash, edition, source) VALUES (?, ?, ?)
                 ON CONFLICT (hash) DO NOTHING",
            )
            .bind(&edition.hash)
            .bind(&edition.edition)
            .bind(source)
            .execute(tx)
            .await
            .map(|_| ())
            .map_err(backend("save definition"))
        })
    }

    async fn load_definition(&self, hash: &str) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT source FROM definitions WHERE hash = ?")
            .bind(hash)
            .fetch_optional(&self.reader)
            .await
            .map_err(backend("load definition"))
    }

    async fn definitions(&self) -> Result<Vec<EditionRef>> {
        let rows: Vec<DefinitionRow> = sqlx::query_as("SELECT edition, hash FROM definitions ORDER BY edition, hash")
            .fetch_all(&self.reader)
            .await
            .map_err(backend("list definitions"))?;
        Ok(rows.into_iter().map(|r| EditionRef { edition: r.edition, hash: r.hash }).collect())
    }

    async fn next_number(&self, counter: &str) -> Result<u64> {
        let counter = counter.to_owned();
        self.thread.run("next number", move |c| commit::next_number(c, &counter)).await
    }

    async fn commit(&self, unit: UnitOfWork) -> Result<()> {
        store_sql::check_unit(&unit)?;
        // Serialized before it is queued, so that the write thread does only SQL.
        let events = store_sql::prepare_events(&unit.events)?;
        self.thread.run("commit", move |c| commit::write(c, &unit, &events)).await
    }

    async fn load_events(&self, case: &CaseId) -> Result<Vec<Event>> {
        let bodies: Vec<String> = sqlx::query_scalar("SELECT body FROM events WHERE case_id = ? ORDER BY version")
            .bind(&case.0)
            .fetch_all(&self.reader)
            .await
            .map_err(backend("load events"))?;
        bodies.iter().map(|b| serde_json::from_str(b).map_err(json("events.body"))).collect()
    }

    async fn find_idempotent(&self, user: &str, key: &str) -> Result<Option<IdempotencyRecord>> {
        let sql =
            "SELECT user_id, idem_key, request_hash, case_id, response, created_at FROM idempotency WHERE user_id = ? AND idem_key = ?";
        let row = self.point.row("find idempotency record", sql, (user, key), |r| {
            Ok(IdempotencyRow {
                user_id: r.get(0)?,
                idem_key: r.get(1)?,
                request_hash: r.get(2)?,
                case_id: r.get(3)?,
                response: r.get(4)?,
                created_at: r.get(5)?,
            })
        })?;
        row.map(IdempotencyRecord::try_from).transpose()
    }

    async fn case_summary(&self, case: &CaseId) -> Result<Option<CaseSummary>> {
        let row: Option<CaseRow> = sqlx::query_as(concat!("SELECT ", case_columns!(), " FROM cases WHERE case_id = ?"))
            .bind(&case.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(backend("read case summary"))?;
        row.map(CaseSummary::try_from).transpose()
    }

    async fn case_by_reference(&self, reference: &str) -> Result<Option<CaseSummary>> {
        let row: Option<CaseRow> = sqlx::query_as(concat!("SELECT ", case_columns!(), " FROM cases WHERE reference = ?"))
            .bind(reference)
            .fetch_optional(&self.reader)
            .await
            .map_err(backend("find case by reference"))?;
        row.map(CaseSummary::try_from).transpose()
    }

    async fn list_cases(&self, query: &CaseQuery) -> Result<Vec<CaseSummary>> {
        // Only the filters given become SQL, so that SQLite can pick the matching index.
        let mut q = QueryBuilder::<Sqlite>::new(concat!("SELECT ", case_columns!(), " FROM cases WHERE 1 = 1"));
        if let Some(unit) = &query.unit {
            q.push(" AND (sc_branch = ").push_bind(unit.clone()).push(" OR provider = ").push_bind(unit.clone()).push(")");
        }
        if let Some(status) = &query.status {
            q.push(" AND status = ").push_bind(status.clone());
        }
        q.push(" ORDER BY opened_at DESC, case_id DESC LIMIT ").push_bind(limit_or_default(query.limit));
        let rows: Vec<CaseRow> = q.build_query_as().fetch_all(&self.reader).await.map_err(backend("list cases"))?;
        collect(rows)
    }

    async fn list_tasks(&self, query: &TaskQuery) -> Result<Vec<TaskRow>> {
        let mut q = QueryBuilder::<Sqlite>::new(concat!("SELECT ", task_columns!(), " FROM tasks WHERE 1 = 1"));
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
        q.push(" ORDER BY due_at IS NULL, due_at, opened_at, case_id, task_id LIMIT ").push_bind(limit_or_default(query.limit));
        let rows: Vec<TaskDbRow> = q.build_query_as().fetch_all(&self.reader).await.map_err(backend("list tasks"))?;
        collect(rows)
    }

    async fn claim_outbox(&self, now: Timestamp, limit: u32, lease: SignedDuration) -> Result<Vec<OutboxMessage>> {
        let until = now.checked_add(lease).map_err(|_| StoreError::Backend("claim outbox: the lease ends out of range".to_owned()))?;
        let rows: Vec<OutboxRow> = in_write_tx!(self, "claim outbox", |tx| {
            async {
                // Selected and updated under the write lock: no other dispatcher can claim the
                // same rows in between.
                let mut rows: Vec<OutboxRow> = sqlx::query_as(concat!(
                    "SELECT ",
                    outbox_columns!(),
                    " FROM outbox WHERE state = 'pending' AND due_at <= ? ORDER BY due_at, seq LIMIT ?"
                ))
                .bind(micros(now))
                .bind(i64::from(limit))
                .fetch_all(&mut *tx)
                .await
                .map_err(backend("claim outbox"))?;
                for r in &mut rows {
                    sqlx::query("UPDATE outbox SET attempts = attempts + 1, due_at = ? WHERE id = ?")
                        .bind(micros(until))
                        .bind(&r.id)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend("claim outbox"))?;
                    r.attempts += 1;
                    r.due_at = micros(until);
                }
                Ok::<_, StoreError>(rows)
            }
            .await
        })?;
        collect(rows)
    }

    async fn claim_timers(&self, now: Timestamp, limit: u32, lease: SignedDuration) -> Result<Vec<Timer>> {
        let until = now.checked_add(lease).map_err(|_| StoreError::Backend("claim timers: the lease ends out of range".to_owned()))?;
        let rows: Vec<TimerRow> = in_write_tx!(self, "claim timers", |tx| {
            async {
                let mut rows: Vec<TimerRow> = sqlx::query_as(concat!(
                    "SELECT ",
                    timer_columns!(),
                    " FROM timers WHERE state = 'pending' AND due_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)
                      ORDER BY due_at, id LIMIT ?"
                ))
                .bind(micros(now))
                .bind(micros(now))
                .bind(i64::from(limit))
                .fetch_all(&mut *tx)
                .await
                .map_err(backend("claim timers"))?;
                for r in &mut rows {
                    sqlx::query("UPDATE timers SET attempts = attempts + 1, claimed_until = ? WHERE id = ?")
                        .bind(micros(until))
                        .bind(&r.id)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend("claim timers"))?;
                    r.attempts += 1;
                }
                Ok::<_, StoreError>(rows)
            }
            .await
        })?;
        collect(rows)
    }

    async fn timer_fired(&self, id: &str, at: Timestamp) -> Result<()> {
        let sql = "UPDATE timers SET state = 'fired', fired_at = ?1 WHERE id = ?2 AND state = 'pending'";
        self.update("mark timer fired", sql, (micros(at), id.to_owned())).await
    }

    async fn timers(&self, case: &CaseId) -> Result<Vec<Timer>> {
        let rows: Vec<TimerRow> =
            sqlx::query_as(concat!("SELECT ", timer_columns!(), " FROM timers WHERE case_id = ? ORDER BY due_at, id"))
                .bind(&case.0)
                .fetch_all(&self.reader)
                .await
                .map_err(backend("list timers"))?;
        collect(rows)
    }

    async fn outbox_delivered(&self, id: &str, at: Timestamp) -> Result<()> {
        let sql = "UPDATE outbox SET state = 'delivered', delivered_at = ?1 WHERE id = ?2";
        self.update("mark outbox message delivered", sql, (micros(at), id.to_owned())).await
    }

    async fn outbox_failed(&self, id: &str, error: &str, retry_at: Timestamp) -> Result<()> {
        // A late failure report must not reopen a message another attempt delivered.
        let sql = "UPDATE outbox SET last_error = ?1, due_at = ?2 WHERE id = ?3 AND state = 'pending'";
        self.update("mark outbox message failed", sql, (error.to_owned(), micros(retry_at), id.to_owned())).await
    }

    async fn outbox(&self, case: Option<&CaseId>) -> Result<Vec<OutboxMessage>> {
        let rows: Vec<OutboxRow> = match case {
            Some(case) => {
                sqlx::query_as(concat!("SELECT ", outbox_columns!(), " FROM outbox WHERE case_id = ? ORDER BY seq"))
                    .bind(&case.0)
                    .fetch_all(&self.reader)
                    .await
            }
            None => sqlx::query_as(concat!("SELECT ", outbox_columns!(), " FROM outbox ORDER BY seq DESC")).fetch_all(&self.reader).await,
        }
        .map_err(backend("list outbox"))?;
        collect(rows)
    }

    async fn outbox_dead(&self, id: &str, error: &str, at: Timestamp) -> Result<()> {
        let sql = "UPDATE outbox SET state = 'dead', last_error = ?1, dead_at = ?2 WHERE id = ?3 AND state = 'pending'";
        self.update("mark outbox message dead", sql, (error.to_owned(), micros(at), id.to_owned())).await
    }

    async fn outbox_retry(&self, id: &str, now: Timestamp) -> Result<bool> {
        in_write_tx!(self, "retry outbox message", |tx| {
            sqlx::query("UPDATE outbox SET state = 'pending', attempts = 0, due_at = ?, dead_at = NULL WHERE id = ? AND state = 'dead'")
                .bind(micros(now))
                .bind(id)
                .execute(tx)
                .await
                .map(|r| r.rows_affected() == 1)
                .map_err(backend("retry outbox message"))
        })
    }

    async fn outbox_message(&self, id: &str) -> Result<Option<OutboxMessage>> {
        let row: Option<OutboxRow> = sqlx::query_as(concat!("SELECT ", outbox_columns!(), " FROM outbox WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.reader)
            .await
            .map_err(backend("read outbox message"))?;
        row.map(TryInto::try_into).transpose()
    }

    async fn outbox_by_state(&self, state: Option<OutboxState>, limit: u32) -> Result<Vec<OutboxMessage>> {
        let rows: Vec<OutboxRow> = sqlx::query_as(concat!(
            "SELECT ",
            outbox_columns!(),
            " FROM outbox WHERE (?1 IS NULL OR state = ?1) ORDER BY seq DESC LIMIT ?2"
        ))
        .bind(state.map(OutboxState::code))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await
        .map_err(backend("list outbox by state"))?;
        collect(rows)
    }

    async fn upsert_user(&self, user: &User) -> Result<()> {
        in_write_tx!(self, "save user", |tx| {
            sqlx::query(concat!(
                "INSERT INTO users (",
                user_columns!(),
                ") VALUES (?, ?, ?, ?, ?, ?)
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
            .execute(tx)
            .await
            .map(|_| ())
            .map_err(|e| {
                if is_unique_violation(&e) {
                    StoreError::Backend("save user: the token hash belongs to another user".to_owned())
                } else {
                    backend("save user")(e)
                }
            })
        })
    }

    async fn user(&self, id: &str) -> Result<Option<User>> {
        let row = self.point.row("read user", concat!("SELECT ", user_columns!(), " FROM users WHERE id = ?"), [id], user_row)?;
        Ok(row.map(User::from))
    }

    async fn user_by_token_hash(&self, token_hash: &str) -> Result<Option<User>> {
        let sql = concat!("SELECT ", user_columns!(), " FROM users WHERE token_hash = ?");
        let row = self.point.row("find user by token", sql, [token_hash], user_row)?;
        Ok(row.map(User::from))
    }

    async fn users(&self) -> Result<Vec<User>> {
        let rows: Vec<UserRow> = sqlx::query_as(concat!("SELECT ", user_columns!(), " FROM users ORDER BY id"))
            .fetch_all(&self.reader)
            .await
            .map_err(backend("list users"))?;
        Ok(rows.into_iter().map(User::from).collect())
    }

    // Monitoring (issue 9): the metrics endpoint's figures, in their own module.
    async fn monitoring(&self, now: Timestamp) -> Result<store::Monitoring> {
        monitoring::read(&self.reader, now).await
    }

    // Documents and signing keys (issue 5), in their own module.
    async fn documents(&self, case: &CaseId) -> Result<Vec<store::StoredDocument>> {
        documents::by_case(&self.reader, case).await
    }

    async fn document_by_code(&self, code: &str) -> Result<Option<store::StoredDocument>> {
        documents::by_code(&self.reader, code).await
    }

    async fn revoke_invitation(&self, registration_number: &str, at: Timestamp) -> Result<bool> {
        in_write_tx!(self, "revoke invitation", |tx| documents::revoke(tx, registration_number, at).await)
    }

    async fn save_official_key(&self, key: &store::OfficialKey) -> Result<()> {
        in_write_tx!(self, "save signing key", |tx| documents::save_key(tx, key).await)
    }

    async fn official_key(&self, key_id: &str) -> Result<Option<store::OfficialKey>> {
        documents::key(&self.reader, key_id).await
    }

    async fn official_keys(&self, user: &str) -> Result<Vec<store::OfficialKey>> {
        documents::keys_of(&self.reader, user).await
    }

    // Accounts (issue 8): passwords, the login lockout and sessions, in their own module.
    async fn set_password(&self, user_id: &str, password_hash: Option<&str>) -> Result<()> {
        in_write_tx!(self, "set password", |tx| accounts::set_password(tx, user_id, password_hash).await)
    }

    async fn credentials(&self, user_id: &str) -> Result<Option<store::Credentials>> {
        accounts::credentials(&self.reader, user_id).await
    }

    async fn record_login_failure(
        &self,
        user_id: &str,
        now: Timestamp,
        lock_after: u32,
        lock_for: SignedDuration,
    ) -> Result<store::Credentials> {
        in_write_tx!(self, "record login failure", |tx| accounts::record_login_failure(tx, user_id, now, lock_after, lock_for).await)
    }

    async fn record_login_success(&self, user_id: &str) -> Result<()> {
        in_write_tx!(self, "record login success", |tx| accounts::record_login_success(tx, user_id).await)
    }

    async fn create_session(&self, session: &store::Session) -> Result<()> {
        in_write_tx!(self, "create session", |tx| accounts::create_session(tx, session).await)
    }

    async fn session(&self, id_hash: &str) -> Result<Option<store::Session>> {
        accounts::session(&self.point, id_hash)
    }

    async fn touch_session(&self, id_hash: &str, last_seen_at: Timestamp) -> Result<()> {
        in_write_tx!(self, "touch session", |tx| accounts::touch_session(tx, id_hash, last_seen_at).await)
    }

    async fn delete_session(&self, id_hash: &str) -> Result<()> {
        in_write_tx!(self, "delete session", |tx| accounts::delete_session(tx, id_hash).await)
    }

    async fn delete_sessions_of(&self, user_id: &str) -> Result<u64> {
        in_write_tx!(self, "delete sessions of user", |tx| accounts::delete_sessions_of(tx, user_id).await)
    }

    async fn purge_sessions(&self, expired_before: Timestamp) -> Result<u64> {
        in_write_tx!(self, "purge sessions", |tx| accounts::purge_sessions(tx, expired_before).await)
    }

    async fn set_oidc_subject(&self, user_id: &str, subject: Option<&str>) -> Result<()> {
        in_write_tx!(self, "link OIDC subject", |tx| accounts::set_oidc_subject(tx, user_id, subject).await)
    }

    async fn user_by_oidc_subject(&self, subject: &str) -> Result<Option<User>> {
        accounts::user_by_oidc_subject(&self.reader, subject).await
    }

    async fn oidc_subject(&self, user_id: &str) -> Result<Option<String>> {
        accounts::oidc_subject(&self.reader, user_id).await
    }

    // The audit chain (issue 8), in its own module.
    async fn audit_mark(&self) -> Result<u64> {
        audit::mark(&self.reader).await
    }

    async fn audit_cases(&self, after: Option<&CaseId>, limit: u32) -> Result<Vec<CaseId>> {
        audit::cases(&self.reader, after, limit).await
    }

    async fn event_chain(&self, case: &CaseId) -> Result<Vec<store::ChainLink>> {
        audit::event_chain(&self.reader, case).await
    }

    async fn append_checkpoint(&self, checkpoint: &store::NewCheckpoint) -> Result<store::Checkpoint> {
        in_write_tx!(self, "append checkpoint", |tx| audit::append_checkpoint(tx, checkpoint).await)
    }

    async fn checkpoints(&self) -> Result<Vec<store::Checkpoint>> {
        audit::checkpoints(&self.reader).await
    }

    // The access log (issue 8), in its own module.
    async fn record_access(&self, access: &store::NewAccess) -> Result<store::AccessRecord> {
        let access = access.clone();
        self.thread.run("record access", move |c| access::record(c, &access)).await
    }

    async fn access_log(&self, query: &store::AccessQuery) -> Result<Vec<store::AccessRecord>> {
        access::log(&self.reader, query).await
    }

    async fn access_chain(&self, after: u64, limit: u32) -> Result<Vec<store::AccessRecord>> {
        access::chain(&self.reader, after, limit).await
    }

    async fn purge_candidates(&self, after: Option<&CaseId>, limit: u32) -> Result<Vec<CaseSummary>> {
        retention::candidates(&self.reader, after, limit).await
    }

    async fn purge_case(&self, purge: &store::Purge) -> Result<store::PurgeCounts> {
        in_write_tx!(self, "purge case", |tx| retention::purge(tx, purge).await)
    }

    async fn tombstone(&self, case: &CaseId) -> Result<Option<store::Tombstone>> {
        retention::tombstone(&self.reader, case).await
    }
}
