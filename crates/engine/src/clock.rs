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

/// Time that runs `speed` times faster than the wall clock from `start`, which it shows at the
/// wall-clock instant `anchor`: for training rooms and tests that need a working day to pass in
/// minutes. Processes given the same three values agree on the time, so several replicas can
/// share it.
#[derive(Clone, Debug)]
pub struct ScaledClock {
    start: Timestamp,
    anchor: Timestamp,
    speed: i32,
}

impl ScaledClock {
    pub fn new(start: Timestamp, anchor: Timestamp, speed: i32) -> Result<ScaledClock, String> {
        if !(1..=100_000).contains(&speed) {
            return Err(format!("the clock's speed must be between 1 and 100000, not {speed}"));
        }
        Ok(ScaledClock { start, anchor, speed })
    }

    /// Reads `start=INSTANT,speed=N[,anchor=INSTANT]` (instants in RFC 3339, e.g.
    /// `2026-11-25T04:00:00Z`); without an anchor, the clock starts now.
    pub fn parse(spec: &str) -> Result<ScaledClock, String> {
        let (mut start, mut speed, mut anchor) = (None, None, None);
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').ok_or_else(|| format!("\"{part}\" is not key=value"))?;
            let instant =
                || value.parse::<Timestamp>().map_err(|e| format!("{key}: \"{value}\" is not an instant like 2026-11-25T04:00:00Z: {e}"));
            match key {
                "start" => start = Some(instant()?),
                "anchor" => anchor = Some(instant()?),
                "speed" => speed = Some(value.parse::<i32>().map_err(|_| format!("speed: \"{value}\" is not a whole number"))?),
                other => return Err(format!("unknown key \"{other}\" (start, speed, anchor)")),
            }
        }
        let start = start.ok_or("start= is missing")?;
        let speed = speed.ok_or("speed= is missing")?;
        ScaledClock::new(start, anchor.unwrap_or_else(|| SystemClock.now()), speed)
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> Timestamp {
        let real = SystemClock.now().duration_since(self.anchor);
        let scaled = real.checked_mul(self.speed).unwrap_or(SignedDuration::MAX);
        self.start.checked_add(scaled).unwrap_or(Timestamp::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scaled_clock_runs_speed_times_faster_from_its_start() {
        let start: Timestamp = "2026-11-25T04:00:00Z".parse().unwrap();
        let anchor = SystemClock.now().checked_sub(SignedDuration::from_secs(10)).unwrap();
        let clock = ScaledClock::new(start, anchor, 60).unwrap();
        let shown = clock.now().duration_since(start);
        // Ten wall seconds ago at speed 60: ten minutes (and a little for the test's own time).
        assert!(shown >= SignedDuration::from_mins(10) && shown < SignedDuration::from_mins(11), "{shown:?}");
    }

    #[test]
    fn a_bad_clock_spec_is_named() {
        assert!(ScaledClock::parse("start=2026-11-25T04:00:00Z").unwrap_err().contains("speed"));
        assert!(ScaledClock::parse("start=tomorrow,speed=60").unwrap_err().contains("start: \"tomorrow\""));
        assert!(ScaledClock::parse("start=2026-11-25T04:00:00Z,speed=0").unwrap_err().contains("between 1 and 100000"));
        assert!(ScaledClock::parse("start=2026-11-25T04:00:00Z,speed=60,pace=2").unwrap_err().contains("unknown key \"pace\""));
    }
}
