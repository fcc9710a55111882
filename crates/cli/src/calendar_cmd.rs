//! `shaqyru calendar days|explain`: print a year of Kazakhstan's working calendar one date per
//! line, and explain a deadline computation (the result and the non-working days it stepped over).

use calendar::{Calendar, DayInfo, Explanation, ScheduleHistory, add_working_minutes_explained};
use jiff::civil::{Date, DateTime};
use std::fmt::Write as _;

/// One line per date of `year`: `YYYY-MM-DD<TAB>working`, or
/// `YYYY-MM-DD<TAB>non-working<TAB>reasons` (reasons separated by `; `).
pub fn days(calendar: &Calendar, year: i16) -> Result<String, String> {
    let days = calendar.year_days(year).map_err(|e| e.to_string())?;
    let mut out = String::new();
    for day in days {
        if day.working {
            let _ = writeln!(out, "{}\tworking", day.date);
        } else {
            let _ = writeln!(out, "{}\tnon-working\t{}", day.date, day.summary());
        }
    }
    Ok(out)
}

/// A term to add, as written on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Amount {
    WorkingDays(u32),
    WorkingMinutes(u32),
    CalendarDays(u32),
}

impl Amount {
    /// Reads `3 working days`, `1 working day`, `10 working minutes`, `2 working hours`,
    /// `5 calendar days` (singular or plural, any spacing and case).
    fn parse(text: &str) -> Result<Amount, String> {
        let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
        let usage = || {
            format!(
                "cannot read \"{text}\": write e.g. \"3 working days\", \"10 working minutes\", \"2 working hours\" or \"5 calendar days\""
            )
        };
        let [n, kind, unit] = words.as_slice() else { return Err(usage()) };
        let n: u32 = n.parse().map_err(|_| usage())?;
        let unit = unit.strip_suffix('s').unwrap_or(unit);
        match (kind.as_str(), unit) {
            ("working", "day") => Ok(Amount::WorkingDays(n)),
            ("working", "minute") => Ok(Amount::WorkingMinutes(n)),
            ("working", "hour") => n.checked_mul(60).map(Amount::WorkingMinutes).ok_or_else(|| format!("{n} hours is too long")),
            ("calendar", "day") => Ok(Amount::CalendarDays(n)),
            _ => Err(usage()),
        }
    }
}

/// Adds `amount` to `from` and explains the result: the term, the result, and the non-working
/// days stepped over (or, for calendar days, the non-working days inside the term), grouped
/// into runs of consecutive days.
///
/// Working days count whole days: the result is a date, and the time of `from` plays no part.
/// Working minutes and hours count inside `schedule`'s office hours. A calendar-day term that
/// ends on a non-working day is shown as is, with a note of where it would end if such terms
/// move to the next working day (an open point the edition decides).
pub fn explain_add(calendar: &Calendar, from: DateTime, amount: &str, schedule: &ScheduleHistory) -> Result<String, String> {
    let amount = Amount::parse(amount)?;
    let mut out = String::new();
    let _ = writeln!(out, "from:    {}", stamp(from));
    let (result, explanation, heading, note) = match amount {
        Amount::WorkingDays(n) => {
            let (end, why) = calendar.add_working_days_explained(from.date(), n).map_err(|e| e.to_string())?;
            let _ = writeln!(out, "add:     {n} working {}", plural(n, "day"));
            (day_stamp(end), why, "skipped", None)
        }
        Amount::WorkingMinutes(n) => {
            let (end, why) = add_working_minutes_explained(from, n, schedule, calendar).map_err(|e| e.to_string())?;
            let _ = writeln!(out, "add:     {n} working {}", plural(n, "minute"));
            (stamp(end), why, "skipped", None)
        }
        Amount::CalendarDays(n) => {
            let end = from.date().checked_add(jiff::Span::new().days(i64::from(n))).map_err(|e| e.to_string())?;
            let why = non_working_days(calendar, from.date(), end)?;
            let _ = writeln!(out, "add:     {n} calendar {}", plural(n, "day"));
            let last = calendar.day(end).map_err(|e| e.to_string())?;
            let note = if last.working {
                None
            } else {
                let moved = calendar.working_day_on_or_after(end).map_err(|e| e.to_string())?;
                Some(format!(
                    "note:    the term ends on a non-working day ({}); where such terms move to the next working day, it ends on {}",
                    last.summary(),
                    day_stamp(moved)
                ))
            };
            (day_stamp(end), why, "non-working days within the term", note)
        }
    };
    let _ = writeln!(out, "result:  {result}");
    if let Some(note) = note {
        let _ = writeln!(out, "{note}");
    }
    let n = explanation.skipped.len();
    if n == 0 {
        let _ = writeln!(out, "{heading}: none");
    } else {
        let _ = writeln!(out, "{heading}: {n} {}", plural(n as u32, "day"));
        for line in explanation.to_string().lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    Ok(out)
}

/// The non-working days in `(from, to]`, as an explanation.
fn non_working_days(calendar: &Calendar, from: Date, to: Date) -> Result<Explanation, String> {
    let mut skipped: Vec<DayInfo> = Vec::new();
    let mut date = from;
    while date < to {
        date = date.tomorrow().map_err(|e| e.to_string())?;
        let day = calendar.day(date).map_err(|e| e.to_string())?;
        if !day.working {
            skipped.push(day);
        }
    }
    Ok(Explanation { skipped })
}

fn plural(n: u32, word: &str) -> String {
    if n == 1 { word.to_owned() } else { format!("{word}s") }
}

/// `2025-03-26 09:01 (Wednesday)`, with seconds only when there are some.
fn stamp(at: DateTime) -> String {
    let format = if at.second() == 0 && at.subsec_nanosecond() == 0 { "%Y-%m-%d %H:%M (%A)" } else { "%Y-%m-%d %H:%M:%S (%A)" };
    at.strftime(format).to_string()
}

/// `2025-03-26 (Wednesday)`.
fn day_stamp(date: Date) -> String {
    date.strftime("%Y-%m-%d (%A)").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::datetime;

    fn standard() -> ScheduleHistory {
        ScheduleHistory::new(calendar::Schedule::standard())
    }

    #[test]
    fn days_prints_every_date_of_the_year_with_its_status_and_reasons() {
        let text = days(&Calendar::builtin(), 2025).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 365);
        assert_eq!(lines[0], "2025-01-01\tnon-working\tNew Year");
        assert!(lines.contains(&"2025-01-05\tworking"), "Sunday 5 January 2025 is worked");
        assert!(lines.contains(&"2025-03-24\tnon-working\tNauryz moved from Saturday 22 March"));
        assert!(lines.contains(&"2025-04-05\tnon-working\tweekend"));
        assert!(text.lines().all(|l| l.split('\t').count() == if l.ends_with("\tworking") { 2 } else { 3 }));
    }

    #[test]
    fn days_refuses_a_year_the_calendar_does_not_cover() {
        assert_eq!(days(&Calendar::builtin(), 2014), Err("the working calendar does not cover the year 2014".to_owned()));
    }

    #[test]
    fn explaining_working_days_groups_the_skipped_days_of_nauryz() {
        let text = explain_add(&Calendar::builtin(), datetime(2025, 3, 20, 10, 0, 0, 0), "3 working days", &standard()).unwrap();
        assert_eq!(
            text,
            "from:    2025-03-20 10:00 (Thursday)\n\
             add:     3 working days\n\
             result:  2025-03-28 (Friday)\n\
             skipped: 5 days\n\
             \x20 2025-03-21..2025-03-25:\n\
             \x20   Friday 21 March: Nauryz\n\
             \x20   Saturday 22 March: weekend; Nauryz (its day off moves to Monday 24 March)\n\
             \x20   Sunday 23 March: weekend; Nauryz (its day off moves to Tuesday 25 March)\n\
             \x20   Monday 24 March: Nauryz moved from Saturday 22 March\n\
             \x20   Tuesday 25 March: Nauryz moved from Sunday 23 March\n"
        );
    }

    #[test]
    fn explaining_working_minutes_and_hours_counts_office_time() {
        let cal = Calendar::builtin();
        let text = explain_add(&cal, datetime(2025, 3, 20, 17, 0, 0, 0), "90 working minutes", &standard()).unwrap();
        assert!(text.contains("result:  2025-03-20 18:30 (Thursday)\nskipped: none\n"), "{text}");
        let text = explain_add(&cal, datetime(2025, 4, 4, 17, 30, 0, 0), "2 working hours", &standard()).unwrap();
        assert!(text.contains("add:     120 working minutes\nresult:  2025-04-07 10:00 (Monday)\n"), "{text}");
        assert!(text.contains("skipped: 2 days\n  2025-04-05..2025-04-06: weekend\n"), "{text}");
    }

    #[test]
    fn explaining_calendar_days_notes_an_end_on_a_non_working_day() {
        let text = explain_add(&Calendar::builtin(), datetime(2025, 3, 17, 9, 0, 0, 0), "5 calendar days", &standard()).unwrap();
        assert!(text.contains("result:  2025-03-22 (Saturday)\n"), "{text}");
        assert!(text.contains("it ends on 2025-03-26 (Wednesday)"), "{text}");
        assert!(text.contains("non-working days within the term: 2 days\n"), "{text}");
    }

    #[test]
    fn amounts_are_read_in_singular_or_plural_and_others_refused() {
        assert_eq!(Amount::parse("1 working day"), Ok(Amount::WorkingDays(1)));
        assert_eq!(Amount::parse(" 2  Working  Hours "), Ok(Amount::WorkingMinutes(120)));
        assert_eq!(Amount::parse("5 calendar days"), Ok(Amount::CalendarDays(5)));
        assert!(Amount::parse("5 days").is_err());
        assert!(Amount::parse("-1 working days").is_err());
        assert!(Amount::parse("3 working weeks").is_err());
    }

    #[test]
    fn explaining_past_the_covered_years_is_an_error() {
        let err = explain_add(&Calendar::builtin(), datetime(2026, 12, 30, 9, 0, 0, 0), "5 working days", &standard()).unwrap_err();
        assert_eq!(err, "the working calendar does not cover the year 2027");
    }
}
