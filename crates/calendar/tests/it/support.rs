//! Shared helpers for the integration tests.

use calendar::{Calendar, DayInfo, Reason};
use jiff::civil::Date;
use std::sync::LazyLock;

/// The builtin calendar, built once for the whole test binary.
pub static CAL: LazyLock<Calendar> = LazyLock::new(Calendar::builtin);

pub fn day(date: Date) -> DayInfo {
    CAL.day(date).unwrap()
}

/// Whether the day has a reason of the given kind (compared by variant only).
pub fn has(day: &DayInfo, pred: impl Fn(&Reason) -> bool) -> bool {
    day.reasons.iter().any(pred)
}
