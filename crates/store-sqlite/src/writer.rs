//! The write thread: one OS thread owns the store's write connection (a synchronous `rusqlite`
//! connection) and runs the writes queued to it, so that a unit of work's statements run back to
//! back instead of each being handed to a driver thread and back.
//!
//! Group commit: the thread takes every write queued at the moment (at most `max_batch`), runs
//! each in a `SAVEPOINT` of one `BEGIN IMMEDIATE` transaction, commits once (one WAL `fsync`)
//! and only then answers each caller. A write that fails on its own (a version conflict, a used
//! idempotency key or reference) is rolled back to its savepoint and gets its own error, exactly
//! as it would alone; the writes after it still see the ones before it, so two units for one
//! case in one batch behave as if committed one after the other. When the transaction itself
//! fails (its commit, or SQLite rolling the whole transaction back after a disk error), nothing
//! of the batch is stored and every write that had applied gets that failure. Nothing is
//! acknowledged before the commit is on disk. With group commit off, every batch is one write.
//!
//! Checkpoints (copying the WAL's pages into the database file, with their own `fsync`s) run on
//! a second thread with its own connection, woken after commits, instead of inside whichever
//! commit crosses SQLite's automatic threshold: a commit then costs its WAL write and `fsync`
//! only. A passive checkpoint never waits, but under steady writes it never catches up either
//! (new frames arrive while it copies), and SQLite starts the WAL over only once every frame is
//! copied: left alone, the WAL grows for as long as the load lasts (half a gigabyte in a
//! minute of the durable benchmark). So once the WAL holds [`DEFAULT_WAL_RESTART_FRAMES`] frames, the
//! checkpoint thread takes the write lock, copies the few frames the passive pass left, waits
//! briefly for readers still on old frames, and lets the next commit write the WAL from its start.
//! A long read keeps its frames whatever anyone does; the thread then tries less and less often
//! (up to a second apart) until it ends.
//! Closing the store leaves an empty WAL.
//!
//! The writes not yet moved to this thread still run through sqlx's write connection; `lock`
//! keeps the two from ever holding SQLite's write lock at once (they would otherwise wait on
//! each other through the busy handler's sleeps).

use crate::error::sync_backend;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::Arc;
use store::{Result, StoreError};
use tokio::sync::{Mutex, mpsc, oneshot};

/// The number of writes one transaction takes at most when group commit is on by default:
/// enough for every command of a busy office in flight at once, small enough that one batch's
/// transaction holds the write lock for milliseconds.
pub const DEFAULT_MAX_BATCH: usize = 64;

/// How long the connection waits for another process's write lock before giving up.
pub(crate) const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The least time between two checkpoints: commits in between are copied together.
const CHECKPOINT_INTERVAL: std::time::Duration = std::time::Duration::from_millis(100);

/// The WAL's length, in frames (pages), at which the checkpoint thread briefly stops writes to
/// start it over, unless told otherwise: 16 MiB with 4 KiB pages.
pub const DEFAULT_WAL_RESTART_FRAMES: u32 = 4096;

/// The WAL's size SQLite trims it back to when it starts over after a surge.
const WAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

/// How long the checkpoint thread, holding the write lock, waits for readers on old frames
/// before it gives up and lets writes go on. Reads of a page take a millisecond or two; a long
/// one (a year's compliance report) keeps its frames however long anyone waits.
const READERS_WAIT: std::time::Duration = std::time::Duration::from_millis(20);

/// After restarts that readers kept from finishing, the checkpoint rounds skipped before the
/// next try double from one up to this many, so that a long read stops writes for
/// [`READERS_WAIT`] about once a second rather than every round, while a reader that was merely
/// slow costs one round.
const MOST_ROUNDS_SKIPPED: u32 = 8;

/// Statements each connection keeps prepared: every statement the thread runs, with room.
const STATEMENT_CACHE: usize = 64;

/// Whether concurrent commits share a transaction (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupCommit {
    /// Every write is its own transaction and its own `fsync`.
    Off,
    /// Writes queued at the same moment share one transaction of at most `max_batch` writes.
    On { max_batch: usize },
}

impl Default for GroupCommit {
    fn default() -> Self {
        GroupCommit::On { max_batch: DEFAULT_MAX_BATCH }
    }
}

impl GroupCommit {
    fn max_batch(self) -> usize {
        match self {
            GroupCommit::Off => 1,
            GroupCommit::On { max_batch } => max_batch.max(1),
        }
    }
}

/// A write queued to the thread: run inside the batch's transaction, then answered.
trait Write: Send {
    /// Runs the write on the connection, inside an open transaction.
    fn apply(&mut self, conn: &Connection) -> Result<()>;
    /// Tells the caller the outcome: its own error, or the batch's, or success with its value.
    fn answer(self: Box<Self>, outcome: Result<()>);
}

/// A closure and the channel its value goes back on.
struct Call<T, F> {
    work: Option<F>,
    value: Option<T>,
    reply: oneshot::Sender<Result<T>>,
}

impl<T: Send, F: FnOnce(&Connection) -> Result<T> + Send> Write for Call<T, F> {
    fn apply(&mut self, conn: &Connection) -> Result<()> {
        let work = self.work.take().ok_or_else(|| StoreError::Backend("a write was applied twice".to_owned()))?;
        self.value = Some(work(conn)?);
        Ok(())
    }

    fn answer(self: Box<Self>, outcome: Result<()>) {
        let Call { value, reply, .. } = *self;
        let answer = outcome.and_then(|()| value.ok_or_else(|| StoreError::Backend("a write was answered before it ran".to_owned())));
        // A caller that gave up waiting no longer needs its answer.
        let _ = reply.send(answer);
    }
}

enum Message {
    Write(Box<dyn Write>),
    /// Finish what is queued before, close the connection and stop.
    Close(oneshot::Sender<()>),
}

/// The handle callers queue their writes on. Cheap to clone; the thread ends when the last
/// handle is dropped or [`Writer::close`] is called.
#[derive(Clone)]
pub(crate) struct Writer {
    queue: mpsc::Sender<Message>,
    /// Held by the thread for each batch, and by the sqlx writes for each transaction.
    pub(crate) lock: Arc<Mutex<()>>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

impl Writer {
    /// Opens the write connection to the (existing, migrated) database at `path` and starts the
    /// thread. Every acknowledged write is durable (`synchronous = FULL`).
    pub(crate) fn start(path: &Path, group_commit: GroupCommit, restart_frames: u32) -> Result<Writer> {
        let conn = open(path)?;
        let lock = Arc::new(Mutex::new(()));
        let checkpoints = Checkpointer::start(path, lock.clone(), restart_frames)?;
        let max_batch = group_commit.max_batch();
        // Callers beyond a few batches wait to queue: the queue's bound is the back pressure.
        let (queue, messages) = mpsc::channel(max_batch * 4);
        let thread_lock = lock.clone();
        std::thread::Builder::new()
            .name("sqlite-writer".to_owned())
            .spawn(move || run(conn, messages, max_batch, &thread_lock, checkpoints))
            .map_err(|e| StoreError::Backend(format!("start the write thread: {e}")))?;
        Ok(Writer { queue, lock })
    }

    /// Queues `work` and waits until its batch is durable (or has failed). `op` names the write
    /// in errors.
    pub(crate) async fn run<T, F>(&self, op: &'static str, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let call = Call { work: Some(work), value: None, reply };
        self.queue
            .send(Message::Write(Box::new(call)))
            .await
            .map_err(|_| StoreError::Backend(format!("{op}: the write thread has stopped; nothing was written")))?;
        // The thread drops a reply unanswered only if it panicked, possibly after the commit.
        answer
            .await
            .map_err(|_| StoreError::Backend(format!("{op}: the write thread stopped before answering; it may or may not be stored")))?
    }

    /// Holds the write lock until the guard is dropped: writes queue meanwhile, and the next
    /// batch takes all of them (for tests of batching).
    pub(crate) async fn hold(&self) -> tokio::sync::OwnedMutexGuard<()> {
        self.lock.clone().lock_owned().await
    }

    /// Lets the writes queued so far finish, then closes the connection; later writes fail.
    pub(crate) async fn close(&self) {
        let (done, closed) = oneshot::channel();
        if self.queue.send(Message::Close(done)).await.is_ok() {
            let _ = closed.await;
        }
    }
}

/// The write connection, set up as the sqlx pools' connections are.
fn open(path: &Path) -> Result<Connection> {
    let failed = |e| sync_backend("open the write connection")(e);
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX).map_err(failed)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(failed)?;
    conn.pragma_update(None, "journal_mode", "WAL").map_err(failed)?;
    conn.pragma_update(None, "synchronous", "FULL").map_err(failed)?;
    conn.pragma_update(None, "foreign_keys", "ON").map_err(failed)?;
    // The checkpointer's thread copies the WAL back (see the module docs).
    conn.pragma_update(None, "wal_autocheckpoint", 0).map_err(failed)?;
    conn.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT).map_err(failed)?;
    // Group commit runs each write in a savepoint, and SQLite keeps the pages a savepoint may
    // have to restore in a sub-journal: a temporary file once it outgrows 64 KiB, which a batch's
    // sub-journal always does, created, written page by page and deleted in every transaction
    // (three times as many `pwrite`s as the WAL itself). In memory instead (decision 41); it
    // holds at most the pages one batch changes and is freed at its commit.
    conn.pragma_update(None, "temp_store", "MEMORY").map_err(failed)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

/// The thread: one batch at a time, until closed or every handle is gone.
fn run(mut conn: Connection, mut messages: mpsc::Receiver<Message>, max_batch: usize, lock: &Mutex<()>, checkpoints: Checkpointer) {
    let mut batch: Vec<Box<dyn Write>> = Vec::with_capacity(max_batch);
    while let Some(first) = messages.blocking_recv() {
        let mut close = None;
        match first {
            Message::Write(w) => batch.push(w),
            Message::Close(done) => close = Some(done),
        }
        // The lock first: the writes queued while another write holds it join this batch too.
        let guard = if batch.is_empty() { None } else { Some(lock.blocking_lock()) };
        while close.is_none() && batch.len() < max_batch {
            match messages.try_recv() {
                Ok(Message::Write(w)) => batch.push(w),
                Ok(Message::Close(done)) => close = Some(done),
                Err(_) => break,
            }
        }
        if !batch.is_empty() {
            let answers = commit_batch(&conn, &mut batch);
            if !conn.is_autocommit() {
                // The transaction could not be ended: go on with a fresh connection.
                conn = reopen(conn);
            }
            drop(guard);
            checkpoints.wake();
            for (write, answer) in batch.drain(..).zip(answers) {
                write.answer(answer);
            }
        }
        if let Some(done) = close {
            drop(conn);
            checkpoints.stop();
            let _ = done.send(());
            return;
        }
    }
}

/// The checkpoint thread's handle: woken after commits, stopped with the write thread.
struct Checkpointer {
    wake: std::sync::mpsc::SyncSender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl Checkpointer {
    fn start(path: &Path, lock: Arc<Mutex<()>>, restart_frames: u32) -> Result<Checkpointer> {
        let conn = open(path)?;
        // Short sleeps while waiting for readers: writes are stopped meanwhile.
        conn.busy_handler(Some(wait_for_readers)).map_err(sync_backend("open the checkpoint connection"))?;
        // One pending wake-up is enough: commits while a checkpoint runs are copied by the next.
        let (wake, woken) = std::sync::mpsc::sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".to_owned())
            .spawn(move || {
                // Rounds to skip before the next restart, and how many the next failure skips.
                let (mut skip, mut next_skip) = (0u32, 1u32);
                while woken.recv().is_ok() {
                    // PASSIVE: copies what no reader still needs, without waiting for anyone.
                    let long = checkpoint(&conn, "PASSIVE").is_some_and(|wal| wal.frames >= i64::from(restart_frames));
                    if long && skip == 0 {
                        let _writes = lock.blocking_lock();
                        if checkpoint(&conn, "RESTART").is_some_and(|wal| wal.busy) {
                            skip = next_skip;
                            next_skip = (next_skip * 2).min(MOST_ROUNDS_SKIPPED);
                        } else {
                            next_skip = 1;
                        }
                    } else {
                        skip = skip.saturating_sub(1);
                    }
                    std::thread::sleep(CHECKPOINT_INTERVAL);
                }
                // Closing: copy everything and empty the WAL, so the file stands alone.
                let _writes = lock.blocking_lock();
                checkpoint(&conn, "TRUNCATE");
            })
            .map_err(|e| StoreError::Backend(format!("start the checkpoint thread: {e}")))?;
        Ok(Checkpointer { wake, thread })
    }

    /// Asks for a checkpoint soon.
    fn wake(&self) {
        let _ = self.wake.try_send(());
    }

    /// Ends the thread (after a last checkpoint if one is pending) and closes its connection.
    fn stop(self) {
        drop(self.wake);
        let _ = self.thread.join();
    }
}

/// What a checkpoint reports of the WAL.
struct Wal {
    /// A reader still needed frames, so the checkpoint could not do all it was asked.
    busy: bool,
    /// Frames in the WAL (its length since it last started over).
    frames: i64,
}

/// Runs a checkpoint of `mode`; `None` if it failed (logged; the next one retries). A checkpoint
/// that could not copy everything (a reader still on old frames) is not a failure.
fn checkpoint(conn: &Connection, mode: &str) -> Option<Wal> {
    let outcome = conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)));
    match outcome {
        Ok((busy, frames)) => {
            if busy != 0 {
                tracing::debug!(mode, frames, "WAL checkpoint left frames that a reader still needs");
            }
            Some(Wal { busy: busy != 0, frames })
        }
        Err(e) => {
            tracing::warn!(mode, error = %crate::error::describe_sync(&e), "WAL checkpoint failed; the next one retries");
            None
        }
    }
}

/// The checkpoint connection's busy handler: 200 µs sleeps for up to [`READERS_WAIT`].
fn wait_for_readers(attempt: i32) -> bool {
    const SLEEP: std::time::Duration = std::time::Duration::from_micros(200);
    std::thread::sleep(SLEEP);
    u128::try_from(attempt).unwrap_or(0) * SLEEP.as_micros() < READERS_WAIT.as_micros()
}

/// A fresh connection to the file of `conn`, or `conn` itself if none can be opened (its next
/// batch then fails with the reason).
fn reopen(conn: Connection) -> Connection {
    let Some(path) = conn.path().map(std::path::PathBuf::from) else {
        tracing::error!("the write connection has no file to reopen");
        return conn;
    };
    match open(&path) {
        Ok(fresh) => fresh,
        Err(e) => {
            tracing::error!(error = %e, "the write connection could not be reopened");
            conn
        }
    }
}

/// Runs `batch` in one transaction, each write in its own savepoint (none when it is alone), and
/// returns each write's outcome in order once the transaction is committed (or has failed).
fn commit_batch(conn: &Connection, batch: &mut [Box<dyn Write>]) -> Vec<Result<()>> {
    let n = batch.len();
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        return fail_all(n, &sync_backend("commit (begin)")(e));
    }
    let alone = n == 1;
    let mut answers = Vec::with_capacity(n);
    for write in batch.iter_mut() {
        let outcome = if alone { Ok(write.apply(conn)) } else { in_savepoint(conn, write.as_mut()) };
        match outcome {
            Ok(answer) => answers.push(answer),
            Err(broken) => {
                // The rollback's own failure would hide why.
                let _ = conn.execute_batch("ROLLBACK");
                return fail_all(n, &broken);
            }
        }
    }
    if !answers.iter().any(Result::is_ok) {
        // Nothing to make durable: every write failed. The transaction, if SQLite has not ended it, goes.
        if !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        return answers;
    }
    match conn.execute_batch("COMMIT") {
        Ok(()) => answers,
        Err(e) => {
            let failure = sync_backend("commit (commit)")(e);
            if !conn.is_autocommit() {
                let _ = conn.execute_batch("ROLLBACK");
            }
            // The writes that had failed keep their own reason; the others were not stored.
            answers.into_iter().map(|a| a.and_then(|()| Err(copy(&failure)))).collect()
        }
    }
}

/// Applies one write inside its own savepoint. `Ok(outcome)`: the write applied, or failed and
/// was rolled back alone; `Err`: the transaction itself is broken and the batch must fail.
fn in_savepoint(conn: &Connection, write: &mut dyn Write) -> std::result::Result<Result<()>, StoreError> {
    conn.execute_batch("SAVEPOINT unit").map_err(sync_backend("commit (savepoint)"))?;
    match write.apply(conn) {
        Ok(()) => {
            conn.execute_batch("RELEASE unit").map_err(sync_backend("commit (release savepoint)"))?;
            Ok(Ok(()))
        }
        Err(e) => {
            // After a disk error SQLite may have rolled back the whole transaction; then the
            // savepoint is gone, and later writes would run outside any transaction: stop here.
            if conn.is_autocommit() {
                return Err(e);
            }
            conn.execute_batch("ROLLBACK TO unit; RELEASE unit").map_err(sync_backend("commit (roll back a failed write)"))?;
            Ok(Err(e))
        }
    }
}

/// The failure of the whole batch, for each of its `n` writes.
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
