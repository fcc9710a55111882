//! Kazakhstan's working calendar as data, and working-time arithmetic on it. Pure: no I/O, no
//! clock; the year files are embedded at compile time and parsed from text.
//!
//! # The data
//!
//! One file per year, `data/YYYY.toml`, holds that year's facts: the public holidays on their
//! own dates, the days off that never move (Orthodox Christmas, the first day of Kurban Ait),
//! and the transfers decided for the year (a working day made a day off in exchange for a day
//! off made working, by a named decree or order). Each file's header says where its facts come
//! from. Adding a year is adding its file and one line in `data.rs`.
//!
//! ```toml
//! year = 2025
//! holidays = [
//!   { date = "2025-01-01", name = "New Year", name_kk = "Жаңа жыл", name_ru = "Новый год" },
//! ]
//! fixed_days_off = [ { date = "2025-06-06", name = "Kurban Ait", name_kk = "Құрбан айт", name_ru = "Курбан айт" } ]
//! transfers = [ { day_off = "2025-01-03", working = "2025-01-05", decree = "Order of …" } ]
//! ```
//!
//! # The rules, and the policy choices
//!
//! - **Five-day week.** Saturday and Sunday are days off. A six-day week is not modelled.
//! - **One general rule in code: a public holiday on a Saturday or Sunday gives a day off on the
//!   next working day** (Law No. 267 "On holidays", art. 5: "the next working day after the
//!   holiday"). Holidays move in date order, each to the next day that is not off already —
//!   not a weekend, not a holiday, not a fixed day off, not an earlier holiday's moved day off —
//!   so 22–23 March 2025 (Saturday, Sunday) land on Monday 24 and Tuesday 25 March.
//! - **Fixed days off never move** (Labour Code: religious holidays on a weekend are not
//!   carried over; the Ministry said so for Kurban Ait on Sunday 16 June 2024). They count as
//!   days off when a holiday looks for its next working day. A fixed day off that falls on a
//!   weekday holiday gives no extra day.
//! - **Moves first, transfers second.** The law fixes holidays and moves; the yearly decree is
//!   made afterwards, on the calendar the law produced. So moves are computed ignoring the
//!   transfers, and each transfer must then swap a plain working day (`day_off`) for a day off
//!   (`working`) that is a weekend day or a holiday's moved day off — never the holiday itself
//!   or a fixed day off. 2020 needs the second case: Victory Day fell on Saturday 9 May, its day
//!   off moved to Monday 11 May by law, and the decree moved it on to Friday 8 May.
//! - **No guessing.** A date in a year no file covers is [`CalendarError::YearNotCovered`].
//! - **Office hours are the office's, working days are the calendar's.** A [`Schedule`] gives an
//!   office's hours per weekday; they apply only on the calendar's working days. A Saturday made
//!   working by a decree works its own hours if the office has Saturday hours, otherwise the
//!   hours of the weekday it was swapped with.
//! - **Times are civil (local).** Working-time arithmetic takes and returns
//!   [`jiff::civil::DateTime`]s in the office's local time; converting instants is the caller's
//!   business ([`almaty`] gives the zone). A result may fall on a closing time (18:30, or 13:00
//!   before lunch) but never outside the hours.
//!
//! Open points left to the caller (see the domain README): whether a calendar-day term ending on
//! a non-working day moves ([`Calendar::working_day_on_or_after`] gives the moved date), and
//! whether same-day limits carry to the next morning.

mod calendar;
mod data;
mod day;
mod error;
mod schedule;
mod working_days;

pub use calendar::Calendar;
pub use data::HolidayName;
pub use day::{DayInfo, Reason, long_date};
pub use error::{CalendarError, Problem, Problems};
pub use schedule::{
    Interval, Schedule, ScheduleHistory, add_working_minutes, add_working_minutes_explained, closing_time, is_office_time,
    working_minutes_between,
};
pub use working_days::{Explanation, SkippedRun};

/// Kazakhstan's time zone for the offices this service runs in, from the tz database bundled
/// into the binary (no `/usr/share/zoneinfo` needed). Asia/Almaty was UTC+6 until the whole
/// country moved to UTC+5 on 1 March 2024.
pub fn almaty() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Asia/Almaty").expect("Asia/Almaty is in the bundled tz database")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_calendar_covers_2015_to_2026() {
        let years: Vec<i16> = Calendar::builtin().years().collect();
        assert_eq!(years, (2015..=2026).collect::<Vec<_>>());
    }
}
