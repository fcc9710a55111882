//! Working-day and working-minute arithmetic on the builtin calendar and office schedules.

use crate::support::CAL;
use calendar::{
    CalendarError, Schedule, ScheduleHistory, add_working_minutes, add_working_minutes_explained, is_office_time, working_minutes_between,
};
use jiff::civil::{Weekday, date, datetime, time};

fn standard() -> ScheduleHistory {
    ScheduleHistory::new(Schedule::standard())
}

#[test]
fn adding_working_days_skips_nauryz_2025_and_explains_it() {
    let (end, why) = CAL.add_working_days_explained(date(2025, 3, 20), 1).unwrap();
    assert_eq!(end, date(2025, 3, 26));
    let skipped: Vec<_> = why.skipped.iter().map(|d| d.date).collect();
    assert_eq!(skipped, [date(2025, 3, 21), date(2025, 3, 22), date(2025, 3, 23), date(2025, 3, 24), date(2025, 3, 25)]);
    assert_eq!(why.runs().len(), 1);
    let text = why.to_string();
    assert!(text.starts_with("2025-03-21..2025-03-25:\n"), "{text}");
    assert!(text.contains("  Monday 24 March: Nauryz moved from Saturday 22 March\n"), "{text}");
}

#[test]
fn a_plain_weekend_is_one_line_of_explanation() {
    let (end, why) = CAL.add_working_days_explained(date(2025, 4, 4), 1).unwrap();
    assert_eq!(end, date(2025, 4, 7));
    assert_eq!(why.to_string(), "2025-04-05..2025-04-06: weekend\n");
}

#[test]
fn zero_working_days_is_the_start_itself() {
    assert_eq!(CAL.add_working_days(date(2025, 3, 22), 0).unwrap(), date(2025, 3, 22));
}

#[test]
fn working_days_between_counts_after_a_up_to_and_including_b() {
    assert_eq!(CAL.working_days_between(date(2025, 3, 20), date(2025, 3, 26)).unwrap(), 1);
    assert_eq!(CAL.working_days_between(date(2025, 3, 26), date(2025, 3, 20)).unwrap(), -1);
    assert_eq!(CAL.working_days_between(date(2025, 1, 1), date(2025, 1, 1)).unwrap(), 0);
}

#[test]
fn next_working_day_is_strictly_after_and_on_or_after_keeps_a_working_day() {
    assert_eq!(CAL.next_working_day(date(2024, 5, 3)).unwrap(), date(2024, 5, 4)); // the Saturday worked in 2024
    assert_eq!(CAL.next_working_day(date(2024, 5, 6)).unwrap(), date(2024, 5, 10));
    assert_eq!(CAL.working_day_on_or_after(date(2024, 5, 6)).unwrap(), date(2024, 5, 6));
    assert_eq!(CAL.working_day_on_or_after(date(2024, 5, 7)).unwrap(), date(2024, 5, 10));
}

#[test]
fn a_term_that_uses_the_last_minute_of_the_day_ends_at_closing_time() {
    let start = datetime(2025, 3, 20, 17, 0, 0, 0);
    assert_eq!(add_working_minutes(start, 90, &standard(), &CAL).unwrap(), datetime(2025, 3, 20, 18, 30, 0, 0));
    // One minute more goes on at the next opening, past Nauryz.
    let (end, why) = add_working_minutes_explained(start, 91, &standard(), &CAL).unwrap();
    assert_eq!(end, datetime(2025, 3, 26, 9, 1, 0, 0));
    assert_eq!(why.skipped.len(), 5);
}

#[test]
fn the_morning_ends_at_lunch_and_counting_resumes_after_it() {
    let s = standard();
    assert_eq!(add_working_minutes(datetime(2025, 4, 1, 12, 30, 0, 0), 30, &s, &CAL).unwrap(), datetime(2025, 4, 1, 13, 0, 0, 0));
    assert_eq!(add_working_minutes(datetime(2025, 4, 1, 12, 30, 0, 0), 31, &s, &CAL).unwrap(), datetime(2025, 4, 1, 14, 31, 0, 0));
    assert_eq!(add_working_minutes(datetime(2025, 4, 1, 13, 30, 0, 0), 10, &s, &CAL).unwrap(), datetime(2025, 4, 1, 14, 40, 0, 0));
}

#[test]
fn a_start_outside_office_hours_counts_from_the_next_opening() {
    let s = standard();
    assert_eq!(add_working_minutes(datetime(2025, 4, 1, 20, 0, 0, 0), 60, &s, &CAL).unwrap(), datetime(2025, 4, 2, 10, 0, 0, 0));
    assert_eq!(add_working_minutes(datetime(2025, 4, 1, 7, 0, 0, 0), 0, &s, &CAL).unwrap(), datetime(2025, 4, 1, 9, 0, 0, 0));
    // A Saturday start counts from Monday morning.
    assert_eq!(add_working_minutes(datetime(2025, 4, 5, 11, 0, 0, 0), 60, &s, &CAL).unwrap(), datetime(2025, 4, 7, 10, 0, 0, 0));
}

#[test]
fn seconds_in_the_start_are_kept() {
    let end = add_working_minutes(datetime(2025, 4, 1, 9, 0, 30, 0), 1, &standard(), &CAL).unwrap();
    assert_eq!(end, datetime(2025, 4, 1, 9, 1, 30, 0));
}

#[test]
fn a_saturday_worked_by_decree_works_the_hours_of_the_day_it_replaces() {
    // Saturday 4 May 2024 is worked for Wednesday 8 May: Wednesday's hours apply.
    let start = datetime(2024, 5, 3, 18, 0, 0, 0);
    assert_eq!(add_working_minutes(start, 60, &standard(), &CAL).unwrap(), datetime(2024, 5, 4, 9, 30, 0, 0));
    // An office with its own Saturday hours keeps them.
    let saturday = Schedule::standard().with_hours(Weekday::Saturday, &[(time(10, 0, 0, 0), time(14, 0, 0, 0))]).unwrap();
    let end = add_working_minutes(start, 60, &ScheduleHistory::new(saturday), &CAL).unwrap();
    assert_eq!(end, datetime(2024, 5, 4, 10, 30, 0, 0));
}

#[test]
fn saturday_hours_do_not_make_an_ordinary_saturday_working() {
    let saturday = Schedule::standard().with_hours(Weekday::Saturday, &[(time(10, 0, 0, 0), time(14, 0, 0, 0))]).unwrap();
    // Friday 18:00-18:30, then nothing on Saturday 5 April, then Monday from 09:00.
    let end = add_working_minutes(datetime(2025, 4, 4, 18, 0, 0, 0), 60, &ScheduleHistory::new(saturday), &CAL).unwrap();
    assert_eq!(end, datetime(2025, 4, 7, 9, 30, 0, 0));
}

#[test]
fn a_schedule_change_applies_from_its_date_on() {
    let later = Schedule::closed()
        .with_hours(Weekday::Tuesday, &[(time(8, 30, 0, 0), time(12, 30, 0, 0)), (time(13, 30, 0, 0), time(17, 30, 0, 0))])
        .unwrap();
    let history = standard().with_change(date(2025, 4, 8), later).unwrap();
    // Tuesday 1 April: old hours, opening at 09:00.
    assert_eq!(add_working_minutes(datetime(2025, 4, 1, 7, 0, 0, 0), 0, &history, &CAL).unwrap(), datetime(2025, 4, 1, 9, 0, 0, 0));
    // From Monday 7 April 18:30 on: Monday 7 still old; Tuesday 8 opens at 08:30 under the new one.
    assert_eq!(add_working_minutes(datetime(2025, 4, 7, 18, 30, 0, 0), 1, &history, &CAL).unwrap(), datetime(2025, 4, 8, 8, 31, 0, 0));
    // The new schedule has only Tuesdays: Wednesday 9 April has no hours.
    assert_eq!(add_working_minutes(datetime(2025, 4, 8, 17, 30, 0, 0), 1, &history, &CAL).unwrap(), datetime(2025, 4, 15, 8, 31, 0, 0));
}

#[test]
fn working_minutes_between_counts_only_office_minutes_on_working_days() {
    let s = standard();
    let a = datetime(2025, 3, 20, 17, 0, 0, 0);
    assert_eq!(working_minutes_between(a, datetime(2025, 3, 26, 9, 1, 0, 0), &s, &CAL).unwrap(), 91);
    assert_eq!(working_minutes_between(datetime(2025, 3, 26, 9, 1, 0, 0), a, &s, &CAL).unwrap(), -91);
    // A full standard day is 8 hours: 09:00-13:00 and 14:30-18:30.
    let monday = datetime(2025, 4, 7, 0, 0, 0, 0);
    assert_eq!(working_minutes_between(monday, datetime(2025, 4, 8, 0, 0, 0, 0), &s, &CAL).unwrap(), 480);
}

#[test]
fn office_time_includes_opening_and_closing_and_excludes_lunch_and_days_off() {
    let s = standard();
    assert!(is_office_time(datetime(2025, 4, 1, 9, 0, 0, 0), &s, &CAL).unwrap());
    assert!(is_office_time(datetime(2025, 4, 1, 18, 30, 0, 0), &s, &CAL).unwrap());
    assert!(!is_office_time(datetime(2025, 4, 1, 13, 30, 0, 0), &s, &CAL).unwrap());
    assert!(!is_office_time(datetime(2025, 3, 24, 10, 0, 0, 0), &s, &CAL).unwrap());
}

#[test]
fn bad_schedules_are_refused() {
    let overlapping =
        Schedule::closed().with_hours(Weekday::Monday, &[(time(9, 0, 0, 0), time(13, 0, 0, 0)), (time(12, 0, 0, 0), time(18, 0, 0, 0))]);
    assert!(matches!(overlapping, Err(CalendarError::InvalidSchedule(_))));
    let empty = Schedule::closed().with_hours(Weekday::Monday, &[(time(9, 0, 0, 0), time(9, 0, 0, 0))]);
    assert!(matches!(empty, Err(CalendarError::InvalidSchedule(_))));
    let out_of_order =
        standard().with_change(date(2025, 5, 1), Schedule::standard()).unwrap().with_change(date(2025, 4, 1), Schedule::standard());
    assert!(matches!(out_of_order, Err(CalendarError::InvalidSchedule(_))));
}

#[test]
fn minute_arithmetic_past_the_covered_years_is_an_error() {
    let never_open = ScheduleHistory::new(Schedule::closed());
    assert_eq!(add_working_minutes(datetime(2026, 12, 1, 9, 0, 0, 0), 1, &never_open, &CAL), Err(CalendarError::YearNotCovered(2027)));
}
