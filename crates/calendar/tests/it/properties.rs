//! Property tests: working-day and working-minute arithmetic keep their promises on any start in
//! the covered years.

use crate::support::CAL;
use calendar::{Schedule, ScheduleHistory, add_working_minutes, is_office_time, working_minutes_between};
use jiff::civil::{Date, DateTime, Time, Weekday, date, time};
use proptest::prelude::*;

/// A date from 2015-01-01 on, early enough that adding up to a year of working days stays
/// inside 2026, the last covered year.
fn a_date() -> impl Strategy<Value = Date> {
    (0i32..3_800).prop_map(|n| date(2015, 1, 1).checked_add(jiff::Span::new().days(n)).unwrap())
}

/// Any minute of such a date.
fn a_datetime() -> impl Strategy<Value = DateTime> {
    (a_date(), 0i32..24 * 60).prop_map(|(d, m)| d.to_datetime(Time::midnight().checked_add(jiff::Span::new().minutes(m)).unwrap()))
}

/// The standard schedule, or one of an office with other hours and a change of hours in 2020.
fn a_schedule() -> impl Strategy<Value = ScheduleHistory> {
    prop_oneof![Just(ScheduleHistory::new(Schedule::standard())), Just(changing_office()),]
}

fn changing_office() -> ScheduleHistory {
    let early = Schedule::closed()
        .with_hours(Weekday::Monday, &[(time(7, 30, 0, 0), time(12, 30, 0, 0)), (time(13, 30, 0, 0), time(16, 30, 0, 0))])
        .unwrap()
        .with_hours(Weekday::Wednesday, &[(time(8, 30, 0, 0), time(17, 30, 0, 0))])
        .unwrap()
        .with_hours(Weekday::Saturday, &[(time(10, 0, 0, 0), time(13, 0, 0, 0))])
        .unwrap();
    ScheduleHistory::new(Schedule::standard()).with_change(date(2020, 6, 1), early).unwrap()
}

proptest! {
    #[test]
    fn adding_then_counting_back_n_working_days_gives_n(start in a_date(), n in 0u32..260) {
        let end = CAL.add_working_days(start, n).unwrap();
        prop_assert_eq!(CAL.working_days_between(start, end).unwrap(), n as i32);
        prop_assert_eq!(CAL.working_days_between(end, start).unwrap(), -(n as i32));
        if n > 0 {
            prop_assert!(CAL.is_working_day(end).unwrap());
        }
    }

    #[test]
    fn adding_working_days_is_monotonic_in_the_start(a in a_date(), b in a_date(), n in 0u32..260) {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(CAL.add_working_days(a, n).unwrap() <= CAL.add_working_days(b, n).unwrap());
    }

    #[test]
    fn the_explanation_lists_exactly_the_non_working_days_stepped_over(start in a_date(), n in 1u32..40) {
        let (end, why) = CAL.add_working_days_explained(start, n).unwrap();
        let days = CAL.working_days_between(start, end).unwrap() as usize;
        let calendar_days = start.until(end).unwrap().get_days() as usize;
        prop_assert_eq!(days + why.skipped.len(), calendar_days);
        prop_assert!(why.skipped.iter().all(|d| !d.working && d.date > start && d.date < end));
    }

    #[test]
    fn added_working_minutes_land_in_office_hours_on_a_working_day(
        start in a_datetime(), minutes in 0u32..6_000, schedule in a_schedule()
    ) {
        let end = add_working_minutes(start, minutes, &schedule, &CAL).unwrap();
        prop_assert!(end >= start);
        prop_assert!(CAL.is_working_day(end.date()).unwrap());
        prop_assert!(is_office_time(end, &schedule, &CAL).unwrap(), "{} + {} min = {}", start, minutes, end);
    }

    #[test]
    fn adding_minutes_then_measuring_gives_the_minutes_back(start in a_datetime(), minutes in 0u32..6_000, schedule in a_schedule()) {
        let end = add_working_minutes(start, minutes, &schedule, &CAL).unwrap();
        prop_assert_eq!(working_minutes_between(start, end, &schedule, &CAL).unwrap(), i64::from(minutes));
    }

    #[test]
    fn adding_minutes_is_monotonic_in_the_start_and_in_the_minutes(
        a in a_datetime(), b in a_datetime(), m in 0u32..6_000, k in 0u32..600, schedule in a_schedule()
    ) {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        let at_a = add_working_minutes(a, m, &schedule, &CAL).unwrap();
        prop_assert!(at_a <= add_working_minutes(b, m, &schedule, &CAL).unwrap());
        prop_assert!(at_a <= add_working_minutes(a, m + k, &schedule, &CAL).unwrap());
    }
}
