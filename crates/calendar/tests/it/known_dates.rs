//! The builtin calendar against dates whose status is known from the law, the decrees and the
//! press (see each year file's header for the sources).

use crate::support::{CAL, day, has};
use calendar::{CalendarError, Reason, almaty};
use jiff::civil::date;

/// `(date, working?)` for the dates the brief and the sources single out.
const TABLE: &[((i16, i8, i8), bool, &str)] = &[
    // Nauryz 2025: Friday 21 March, then 22-23 (Saturday, Sunday) move to Monday 24, Tuesday 25.
    ((2025, 3, 20), true, "the Thursday before Nauryz"),
    ((2025, 3, 21), false, "Nauryz on a Friday"),
    ((2025, 3, 22), false, "Nauryz on a Saturday"),
    ((2025, 3, 23), false, "Nauryz on a Sunday"),
    ((2025, 3, 24), false, "Nauryz moved from Saturday"),
    ((2025, 3, 25), false, "Nauryz moved from Sunday"),
    ((2025, 3, 26), true, "the Wednesday after"),
    // May 2024: Saturday 4 May worked, Wednesday 8 May off.
    ((2024, 5, 4), true, "Saturday made working"),
    ((2024, 5, 7), false, "Defender of the Fatherland Day"),
    ((2024, 5, 8), false, "Wednesday made a day off"),
    ((2024, 5, 9), false, "Victory Day"),
    ((2024, 5, 10), true, "the Friday after"),
    // January 2025: Sunday 5 January worked, Friday 3 January off.
    ((2025, 1, 3), false, "Friday made a day off"),
    ((2025, 1, 5), true, "Sunday made working"),
    ((2025, 1, 6), true, "Monday"),
    ((2025, 1, 7), false, "Orthodox Christmas"),
    // 2026 has no Constitution Day: Sunday 30 August is only a Sunday, Monday 31 a working day.
    ((2026, 8, 31), true, "no Constitution Day to move"),
    // Kurban Ait 2024 on Sunday 16 June does not move: Monday 17 June is working.
    ((2024, 6, 16), false, "Kurban Ait on a Sunday"),
    ((2024, 6, 17), true, "Kurban Ait does not move"),
    // 2020: Victory Day (Saturday) moved to Monday 11 May by law, then to Friday 8 May by decree.
    ((2020, 5, 8), false, "Victory Day's day off, by decree"),
    ((2020, 5, 11), true, "Victory Day's moved day off, given back"),
    // 2022: Defender of the Fatherland Day (Saturday 7 May) jumps over Victory Day (Monday 9).
    ((2022, 5, 10), false, "moved past another holiday"),
    ((2022, 12, 1), true, "no First President's Day from 2022"),
    ((2022, 12, 19), true, "no second day of Independence Day from 2022"),
    // 2017: Kurban Ait on Friday 1 September (xmlcalendar's 2 September is wrong).
    ((2017, 9, 1), false, "Kurban Ait 2017"),
    // 2018: the five decree transfers.
    ((2018, 3, 3), true, "Saturday worked for 9 March"),
    ((2018, 3, 9), false, "Friday off"),
    ((2018, 12, 29), true, "Saturday worked for 31 December"),
    ((2018, 12, 31), false, "Monday off"),
];

#[test]
fn known_dates_have_the_status_the_sources_give() {
    for &((y, m, d), working, what) in TABLE {
        let info = day(date(y, m, d));
        assert_eq!(info.working, working, "{info}: expected {} ({what})", if working { "working" } else { "non-working" });
    }
}

#[test]
fn nauryz_2025_moves_each_weekend_day_to_its_own_weekday_in_order() {
    let d24 = day(date(2025, 3, 24));
    assert!(has(&d24, |r| matches!(r, Reason::MovedHoliday { name, from } if name.en == "Nauryz" && *from == date(2025, 3, 22))));
    let d25 = day(date(2025, 3, 25));
    assert!(has(&d25, |r| matches!(r, Reason::MovedHoliday { from, .. } if *from == date(2025, 3, 23))));
    assert_eq!(d24.summary(), "Nauryz moved from Saturday 22 March");
    let d22 = day(date(2025, 3, 22));
    assert_eq!(d22.summary(), "weekend; Nauryz (its day off moves to Monday 24 March)");
}

#[test]
fn a_decree_transfer_explains_both_of_its_days() {
    let off = day(date(2025, 1, 3));
    assert!(off.summary().starts_with("day off moved from Sunday 5 January by Order of the Minister"), "{off}");
    let worked = day(date(2025, 1, 5));
    assert!(worked.summary().contains("working day: its day off moved to Friday 3 January"), "{worked}");
}

#[test]
fn kurban_ait_on_a_sunday_is_a_fixed_day_off_that_does_not_move() {
    let sunday = day(date(2024, 6, 16));
    assert!(has(&sunday, |r| matches!(r, Reason::FixedDayOff { name } if name.en == "Kurban Ait")));
    assert!(!has(&sunday, |r| matches!(r, Reason::PublicHoliday { .. })));
    assert!(day(date(2024, 6, 17)).reasons.is_empty());
}

#[test]
fn constitution_day_is_a_holiday_until_2025_and_not_in_2026() {
    assert!(has(&day(date(2025, 8, 30)), |r| matches!(r, Reason::PublicHoliday { name, .. } if name.en == "Constitution Day")));
    assert!(has(&day(date(2025, 9, 1)), |r| matches!(r, Reason::MovedHoliday { name, .. } if name.en == "Constitution Day")));
    assert_eq!(day(date(2026, 8, 30)).reasons, vec![Reason::Weekend]);
}

#[test]
fn holiday_names_carry_kazakh_and_russian() {
    let info = day(date(2025, 3, 21));
    let Some(Reason::PublicHoliday { name, .. }) = info.reasons.first() else { panic!("{info}") };
    assert_eq!(name.kk.as_deref(), Some("Наурыз мейрамы"));
    assert_eq!(name.ru.as_deref(), Some("Наурыз мейрамы"));
}

#[test]
fn a_date_in_a_year_without_data_is_an_error_not_a_guess() {
    assert_eq!(CAL.day(date(2014, 12, 31)), Err(CalendarError::YearNotCovered(2014)));
    assert_eq!(CAL.day(date(2027, 1, 4)), Err(CalendarError::YearNotCovered(2027)));
    assert_eq!(CAL.add_working_days(date(2026, 12, 30), 5), Err(CalendarError::YearNotCovered(2027)));
}

#[test]
fn asia_almaty_is_utc_plus_6_before_1_march_2024_and_utc_plus_5_from_then() {
    let tz = almaty();
    let before = date(2024, 2, 29).at(12, 0, 0, 0).to_zoned_datetime(tz.clone()).unwrap();
    let after = date(2024, 3, 1).at(12, 0, 0, 0).to_zoned_datetime(tz).unwrap();
    assert_eq!(before.offset().seconds(), 6 * 3600);
    assert_eq!(after.offset().seconds(), 5 * 3600);
    // The same, from instants (what the engine holds): 06:00 UTC is noon before, 07:00 UTC after.
    let noon_before: jiff::Timestamp = "2024-02-29T06:00:00Z".parse().unwrap();
    let noon_after: jiff::Timestamp = "2024-03-01T07:00:00Z".parse().unwrap();
    assert_eq!(noon_before.to_zoned_datetime(almaty()).datetime(), date(2024, 2, 29).at(12, 0, 0, 0));
    assert_eq!(noon_after.to_zoned_datetime(almaty()).datetime(), date(2024, 3, 1).at(12, 0, 0, 0));
}
