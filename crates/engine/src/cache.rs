//! The case cache: the state of recently changed open cases, so that a command does not read
//! and replay the case's whole event log before it decides.
//!
//! The cache is an optimisation, never the truth. A cached case is exactly what replaying its
//! stored events up to its version gives, because it is only ever filled with a state this
//! process read from the store or committed to it. It can be behind the store (another replica
//! committed since): the store's version check then refuses the commit, the entry is dropped,
//! and the command is decided again on the stored state (see `Engine::commit_with_retry`).
//! Closed cases are not kept: no command changes them, and the retention purge may redact them.

use domain::case::CaseStatus;
use domain::{Case, CaseId};
use hashlink::LruCache;
use std::sync::{Arc, Mutex};

/// How many open cases the engine keeps by default: the cases being worked on in the last minutes
/// of a busy replica (a clerk's steps on one case come in a row), at 2–10 KB each, so at most
/// some 10 MB whatever the number of open cases.
pub const DEFAULT_CAPACITY: usize = 1024;

pub(crate) struct CaseCache {
    /// `None`: the cache is off (capacity 0).
    cases: Option<Mutex<LruCache<CaseId, Arc<Case>>>>,
}

impl CaseCache {
    pub(crate) fn new(capacity: usize) -> CaseCache {
        CaseCache { cases: (capacity > 0).then(|| Mutex::new(LruCache::new(capacity))) }
    }

    pub(crate) fn get(&self, id: &CaseId) -> Option<Arc<Case>> {
        self.cases.as_ref().and_then(|m| lock(m).get(id).cloned())
    }

    /// Keeps `case` as the newest known state of its case, unless it is closed or older than
    /// what is kept already.
    pub(crate) fn put(&self, case: Arc<Case>) {
        let Some(m) = &self.cases else { return };
        let mut cases = lock(m);
        if case.status == CaseStatus::Closed {
            cases.remove(&case.id);
        } else if cases.peek(&case.id).is_none_or(|kept| kept.version <= case.version) {
            cases.insert(case.id.clone(), case);
        }
    }

    pub(crate) fn forget(&self, id: &CaseId) {
        if let Some(m) = &self.cases {
            lock(m).remove(id);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.cases.as_ref().map_or(0, |m| lock(m).len())
    }
}

/// The map stays consistent even if a holder panicked: every operation on it is one call.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
