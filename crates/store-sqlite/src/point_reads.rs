//! Point reads on the caller's own thread: the lookups every request makes before it reaches
//! the engine (the caller's token or browser session, the user, the idempotency key it sent)
//! read one row by its key from a page already in memory, in a few microseconds. Through sqlx
//! each would be handed to a driver thread and back, a sleep and a wake-up on both sides that
//! cost more than the read (decision 42). Here a synchronous `rusqlite` connection runs the
//! statement where the request is, and goes back to a small free list for the next caller.
//!
//! Only reads of one row by a unique key belong here: a long read would hold up the async
//! worker it runs on. In WAL mode a reader does not wait for the writer; it only retries, briefly,
//! while the WAL is being started over.

use crate::error::sync_backend;
use crate::writer::BUSY_TIMEOUT;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use store::Result;

/// Idle connections kept: one per thread that reads at once (the async workers) is enough; a
/// burst beyond it opens more and closes them after use.
const KEEP_IDLE: usize = 8;

/// Statements each connection keeps prepared.
const STATEMENT_CACHE: usize = 8;

/// Read-only connections handed out one per read.
#[derive(Debug)]
pub(crate) struct PointReads {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl PointReads {
    pub(crate) fn new(path: &Path) -> PointReads {
        PointReads { path: path.to_owned(), idle: Mutex::new(Vec::new()) }
    }

    /// Runs `read` on an idle connection (or a new one). `op` names the read in errors.
    fn read<T>(&self, op: &'static str, read: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        let idle = self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.open().map_err(sync_backend(op))?,
        };
        let value = read(&conn).map_err(sync_backend(op))?;
        let mut idle = self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if idle.len() < KEEP_IDLE {
            idle.push(conn);
        }
        Ok(value)
    }

    /// The row `sql` selects with `params`, if any, turned into a `T` by `row`; on a cached
    /// statement.
    pub(crate) fn row<T>(
        &self,
        op: &'static str,
        sql: &str,
        params: impl rusqlite::Params,
        row: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Option<T>> {
        self.read(op, |c| c.prepare_cached(sql)?.query_row(params, row).optional())
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(conn)
    }

    /// Closes the idle connections; later reads open new ones.
    pub(crate) fn close(&self) {
        self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }
}
