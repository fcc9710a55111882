//! The one place that reads the wall clock. Everything else is given a `Clock`, so tests can
//! stop and move time.

use jiff::{SignedDuration, Timestamp};
use std::sync::Mutex;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// The real time of this machine.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that stands still until told to move: for tests and simulations.
#[derive(Debug)]
pub struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    pub fn new(at: Timestamp) -> ManualClock {
        ManualClock(Mutex::new(at))
    }

    pub fn advance(&self, by: SignedDuration) {
        let mut t = self.0.lock().expect("not poisoned");
        *t = t.checked_add(by).expect("time stays in range");
    }

    pub fn set(&self, at: Timestamp) {
        *self.0.lock().expect("not poisoned") = at;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().expect("not poisoned")
    }
}
