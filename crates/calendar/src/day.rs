//! What the calendar says about one date: working or not, and every reason why.

use crate::data::HolidayName;
use jiff::civil::{Date, Weekday};
use std::fmt;

/// One date of the calendar: whether it is a working day, and the reasons, in the order the
/// rules apply (weekend, holiday, fixed day off, moved holiday, transfer).
///
/// A working day usually has no reasons. It has some when a rule was overridden: a Saturday made
/// working by a decree lists `Weekend` and then `TransferredWorkingDay`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayInfo {
    pub date: Date,
    pub working: bool,
    pub reasons: Vec<Reason>,
}

/// Why a day is (or, for transfers, is no longer) a day off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Saturday or Sunday under the five-day week.
    Weekend,
    /// A public holiday on its own date. `moved_to` is set when it falls on a weekend: its day
    /// off is then the given later date.
    PublicHoliday { name: HolidayName, moved_to: Option<Date> },
    /// A day off that never moves: Orthodox Christmas, the first day of Kurban Ait.
    FixedDayOff { name: HolidayName },
    /// The day off of a public holiday that fell on a weekend (`from`).
    MovedHoliday { name: HolidayName, from: Date },
    /// A working day made a day off by a decree, in exchange for `working_day`.
    TransferredDayOff { working_day: Date, decree: String },
    /// A day off made a working day by a decree; the day off moved to `day_off`.
    TransferredWorkingDay { day_off: Date, decree: String },
}

impl DayInfo {
    /// The reasons as one line, e.g. `weekend; Nauryz (its day off moves to Monday 24 March)`.
    /// Empty for an ordinary working day.
    pub fn summary(&self) -> String {
        self.reasons.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
    }
}

impl fmt::Display for DayInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.working { "working" } else { "non-working" };
        write!(f, "{} {}: {kind}", self.date, weekday_name(self.date.weekday()))?;
        if !self.reasons.is_empty() {
            write!(f, " ({})", self.summary())?;
        }
        Ok(())
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Weekend => f.write_str("weekend"),
            Reason::PublicHoliday { name, moved_to: None } => write!(f, "{name}"),
            Reason::PublicHoliday { name, moved_to: Some(to) } => write!(f, "{name} (its day off moves to {})", long_date(*to)),
            Reason::FixedDayOff { name } => write!(f, "{name}"),
            Reason::MovedHoliday { name, from } => write!(f, "{name} moved from {}", long_date(*from)),
            Reason::TransferredDayOff { working_day, decree } => {
                write!(f, "day off moved from {} by {decree}", long_date(*working_day))
            }
            Reason::TransferredWorkingDay { day_off, decree } => {
                write!(f, "working day: its day off moved to {} by {decree}", long_date(*day_off))
            }
        }
    }
}

/// `Saturday 22 March`: the form people use, without the year (the context has it).
pub fn long_date(date: Date) -> String {
    format!("{} {} {}", weekday_name(date.weekday()), date.day(), month_name(date.month()))
}

pub(crate) fn weekday_name(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

pub(crate) fn month_name(month: i8) -> &'static str {
    const NAMES: [&str; 12] =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    NAMES[(month - 1) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_long_date_names_the_weekday_day_and_month() {
        assert_eq!(long_date(date(2025, 3, 22)), "Saturday 22 March");
    }
}
