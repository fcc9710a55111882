//! Group commit: the units of work that concurrent `Store::commit` calls queue share one SQLite
//! transaction, and so one WAL `fsync`, each inside its own savepoint.
//!
//! One writer task takes every unit queued at the moment (at most `max_batch`), applies each in
//! a `SAVEPOINT` of one `BEGIN IMMEDIATE` transaction, commits once and only then answers each
//! caller. A unit that fails on its own (a version conflict, a used idempotency key or
//! reference) is rolled back to its savepoint and gets its own error, exactly as it would alone;
//! the units after it still see the ones before it, so two units for one case in one batch
//! behave as if committed one after the other. When the transaction itself fails (its commit, or
//! SQLite rolling the whole transaction back after a disk error), no unit of the batch is stored
//! and every unit that had applied gets that failure. Nothing is acknowledged before the commit
//! is on disk.

use crate::error::backend;
use sqlx::{SqliteConnection, SqlitePool};
use store::{Result, StoreError, UnitOfWork};
use store_sql::PreparedEvent;
use tokio::sync::{mpsc, oneshot};

/// The number of units one transaction takes at most when group commit is on by default: enough
/// for every command of a busy office in flight at once, small enough that one batch's
/// transaction holds the write lock for milliseconds.
pub const DEFAULT_MAX_BATCH: usize = 64;

/// Whether concurrent commits share a transaction (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupCommit {
    /// Every commit is its own transaction and its own `fsync`.
    Off,
    /// Commits queued at the same moment share one transaction of at most `max_batch` units.
    On { max_batch: usize },
}

impl Default for GroupCommit {
    fn default() -> Self {
        GroupCommit::On { max_batch: DEFAULT_MAX_BATCH }
    }
}

/// A unit of work ready to be written: its events are already serialized, outside the lock.
pub(crate) struct Pending {
    pub(crate) unit: UnitOfWork,
    pub(crate) events: Vec<PreparedEvent>,
}

struct Job {
    work: Pending,
    reply: oneshot::Sender<Result<()>>,
}

/// The handle callers queue their units on. Cheap to clone; the writer task ends when the last
/// handle is dropped.
#[derive(Clone, Debug)]
pub(crate) struct GroupWriter {
    queue: mpsc::Sender<Job>,
}

impl GroupWriter {
    /// Starts the writer task on the current Tokio runtime, writing through `pool` (the store's
    /// one write connection, shared with its other writes, which interleave between batches).
    pub(crate) fn start(pool: SqlitePool, max_batch: usize) -> GroupWriter {
        let max_batch = max_batch.max(1);
        // Callers beyond a few batches wait to queue: the queue's bound is the back pressure.
        let (queue, jobs) = mpsc::channel(max_batch * 4);
        tokio::spawn(run(pool, jobs, max_batch));
        GroupWriter { queue }
    }

    /// Queues `work` and waits until its batch is durable (or has failed).
    pub(crate) async fn commit(&self, work: Pending) -> Result<()> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Job { work, reply })
            .await
            .map_err(|_| StoreError::Backend("commit: the group-commit writer has stopped; nothing was written".to_owned()))?;
        // The writer drops a reply unanswered only if it panicked, possibly after the commit.
        answer.await.map_err(|_| {
            StoreError::Backend("commit: the group-commit writer stopped before answering; the unit may or may not be stored".to_owned())
        })?
    }
}

/// The writer task: one batch at a time, for as long as a handle exists.
async fn run(pool: SqlitePool, mut jobs: mpsc::Receiver<Job>, max_batch: usize) {
    let mut batch = Vec::with_capacity(max_batch);
    // `recv_many` waits for one job, then takes whatever else is queued, up to the bound.
    while jobs.recv_many(&mut batch, max_batch).await > 0 {
        let work: Vec<&Pending> = batch.iter().map(|j| &j.work).collect();
        let answers = commit_batch(&pool, &work).await;
        for (job, answer) in batch.drain(..).zip(answers) {
            // A caller that gave up waiting no longer needs its answer.
            let _ = job.reply.send(answer);
        }
    }
}

/// Writes `work` in one transaction, each unit in its own savepoint, and returns each unit's
/// outcome in order once the transaction is committed (or has failed).
pub(crate) async fn commit_batch(pool: &SqlitePool, work: &[&Pending]) -> Vec<Result<()>> {
    let mut conn = match pool.acquire().await {
        Ok(conn) => conn,
        Err(e) => return fail_all(work.len(), &backend("commit (connect)")(e)),
    };
    let (answers, clean) = batch_on(&mut conn, work).await;
    if !clean {
        // The transaction failed in a way that leaves the connection's state unknown (SQLite may
        // have rolled it back already, and the driver would refuse the next BEGIN): the pool
        // opens a fresh connection instead.
        conn.close_on_drop();
    }
    answers
}

/// The batch on one connection; the flag says whether the connection ended outside any
/// transaction, as it must before it is used again.
async fn batch_on(conn: &mut SqliteConnection, work: &[&Pending]) -> (Vec<Result<()>>, bool) {
    let mut tx = match sqlx::Connection::begin_with(conn, "BEGIN IMMEDIATE").await {
        Ok(tx) => tx,
        Err(e) => return (fail_all(work.len(), &backend("commit (begin)")(e)), false),
    };
    let mut answers = Vec::with_capacity(work.len());
    // A unit alone needs no savepoint: if it fails, the whole transaction is rolled back below.
    let alone = work.len() == 1;
    for p in work {
        let applied = if alone { Ok(crate::commit_in(&mut tx, &p.unit, &p.events).await) } else { apply(&mut tx, p).await };
        match applied {
            Ok(answer) => answers.push(answer),
            Err(broken) => {
                // The rollback's own failure would hide why.
                let _ = tx.rollback().await;
                return (fail_all(work.len(), &broken), false);
            }
        }
    }
    if !answers.iter().any(Result::is_ok) {
        // Nothing to make durable: every unit failed and was rolled back to its savepoint.
        let clean = tx.rollback().await.is_ok();
        return (answers, clean);
    }
    match tx.commit().await {
        Ok(()) => (answers, true),
        Err(e) => {
            let failure = backend("commit (commit)")(e);
            // The units that had failed keep their own reason; the others were not stored.
            (answers.into_iter().map(|a| a.and_then(|()| Err(copy(&failure)))).collect(), false)
        }
    }
}

/// Applies one unit inside its own savepoint. `Ok(outcome)`: the unit applied, or failed and was
/// rolled back alone; `Err`: the transaction itself is broken and the batch must fail.
async fn apply(tx: &mut SqliteConnection, p: &Pending) -> std::result::Result<Result<()>, StoreError> {
    sqlx::query("SAVEPOINT unit").execute(&mut *tx).await.map_err(backend("commit (savepoint)"))?;
    match crate::commit_in(tx, &p.unit, &p.events).await {
        Ok(()) => {
            sqlx::query("RELEASE unit").execute(&mut *tx).await.map_err(backend("commit (release savepoint)"))?;
            Ok(Ok(()))
        }
        Err(e) => {
            // After a disk error SQLite may have rolled back the whole transaction; then the
            // savepoint is gone, and later units would run outside any transaction: stop here.
            sqlx::query("ROLLBACK TO unit").execute(&mut *tx).await.map_err(backend("commit (roll back a failed unit)"))?;
            sqlx::query("RELEASE unit").execute(&mut *tx).await.map_err(backend("commit (release savepoint)"))?;
            Ok(Err(e))
        }
    }
}

/// The failure of the whole batch, for each of its `n` units.
fn fail_all(n: usize, failure: &StoreError) -> Vec<Result<()>> {
    (0..n).map(|_| Err(copy(failure))).collect()
}

/// `StoreError` is not `Clone` (it is the trait's public type); a batch failure is always
/// `Backend`, whose text is all there is to copy.
fn copy(failure: &StoreError) -> StoreError {
    match failure {
        StoreError::Backend(text) => StoreError::Backend(text.clone()),
        other => StoreError::Backend(other.to_string()),
    }
}
