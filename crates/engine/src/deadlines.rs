//! Deadline rules: from a step's regulated limit, the moment its task opened, the office's
//! working hours and Kazakhstan's working calendar, the instant the task is due, the instant it
//! counts as at risk, and an explanation a supervisor can read. Also the service term. Pure
//! functions: the calendar and the schedule are data passed in.

use calendar::{Calendar, CalendarError, Explanation, ScheduleHistory};
use domain::case::{Deadline, ServiceTerm};
use domain::definition::{CalendarDaysOnDayOff, DeadlinePolicy, Limit, LimitUnit, SameDayWhenLate, Term};
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

/// What a deadline is computed with.
pub struct WorkingTime<'a> {
    pub calendar: &'a Calendar,
    pub schedule: &'a ScheduleHistory,
    pub time_zone: &'a TimeZone,
    pub policy: &'a DeadlinePolicy,
}

#[derive(Debug, thiserror::Error)]
pub enum DeadlineError {
    #[error("the working calendar cannot tell: {0}")]
    Calendar(#[from] CalendarError),
    #[error("the date is out of range")]
    OutOfRange,
    #[error("a service term is counted in working or calendar days")]
    TermUnit,
}

/// "1st", "2nd", "3rd", "4th", "11th", "21st"…
fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

type Result<T> = std::result::Result<T, DeadlineError>;

/// The end of a civil day: the last instant before midnight.
const END_OF_DAY: Time = Time::constant(23, 59, 59, 0);

impl WorkingTime<'_> {
    fn local(&self, at: Timestamp) -> DateTime {
        at.to_zoned_datetime(self.time_zone.clone()).datetime()
    }

    fn instant(&self, at: DateTime) -> Result<Timestamp> {
        Ok(at.to_zoned_datetime(self.time_zone.clone()).map_err(|_| DeadlineError::OutOfRange)?.timestamp())
    }

    /// The office's closing time on a working day; `None` on a day off or a day without hours.
    fn closing(&self, date: Date) -> Result<Option<DateTime>> {
        Ok(calendar::closing_time(date, self.schedule, self.calendar)?)
    }

    fn skipped(explanation: &Explanation, out: &mut Vec<String>) {
        for run in explanation.runs() {
            let reasons: Vec<String> = run.days.iter().map(|d| d.summary()).filter(|s| !s.is_empty()).collect();
            let mut uniq: Vec<String> = Vec::new();
            for r in reasons {
                if !uniq.contains(&r) {
                    uniq.push(r);
                }
            }
            let span = if run.first == run.last { run.first.to_string() } else { format!("{}..{}", run.first, run.last) };
            out.push(format!("skipped {span}: {}", uniq.join("; ")));
        }
    }

    /// The deadline of a task opened at `opened_at`. `same_day_anchor`: the moment whose day a
    /// "same day" limit is counted on (None: the limit has no such condition). `term`: the case's
    /// service term, for limits tied to it.
    pub fn task_deadline(
        &self,
        limit: Limit,
        opened_at: Timestamp,
        same_day_anchor: Option<Timestamp>,
        term: Option<&ServiceTerm>,
        deliver_before_term_end: bool,
    ) -> Result<Deadline> {
        let start = self.local(opened_at);
        let mut explanation = Vec::new();
        let (mut due, rule) = match limit {
            Limit::Within { amount, unit: LimitUnit::WorkingMinutes | LimitUnit::WorkingHours } => {
                let minutes = match limit {
                    Limit::Within { unit: LimitUnit::WorkingHours, .. } => amount * 60,
                    _ => amount,
                };
                let (end, skipped) = calendar::add_working_minutes_explained(start, minutes, self.schedule, self.calendar)?;
                Self::skipped(&skipped, &mut explanation);
                (end, format!("{limit} of office hours from {start}"))
            }
            Limit::Within { amount, unit: LimitUnit::WorkingDays } => {
                let (date, skipped) = self.calendar.add_working_days_explained(start.date(), amount)?;
                Self::skipped(&skipped, &mut explanation);
                let end = self.closing(date)?.unwrap_or_else(|| date.to_datetime(END_OF_DAY));
                explanation.push(format!("the {} working day after {} ends at closing time", ordinal(amount), start.date()));
                (end, format!("{limit} after {}", start.date()))
            }
            Limit::Within { amount, unit: LimitUnit::CalendarDays } => {
                let date = self.calendar_days(start.date(), amount, &mut explanation)?;
                (date.to_datetime(END_OF_DAY), format!("{limit} after {}", start.date()))
            }
            Limit::OnReadyDate => match term {
                Some(t) => {
                    let end = self.closing(t.ends_on)?.unwrap_or_else(|| t.ends_on.to_datetime(END_OF_DAY));
                    (end, format!("on the ready date {}", t.ends_on))
                }
                None => (start.date().to_datetime(END_OF_DAY), "on the ready date (no term yet: the same day)".into()),
            },
        };
        if let Some(anchor) = same_day_anchor {
            let day = self.local(anchor).date();
            let closing = self.working_day_closing_on_or_after(day)?;
            if due > closing {
                match self.policy.same_day_when_late {
                    SameDayWhenLate::Carry => explanation.push(format!(
                        "the limit could not fit in the same day as its input ({day}): it runs on into the next working hours (policy: carry)"
                    )),
                    SameDayWhenLate::EndOfDay => {
                        explanation.push(format!("the same day as its input: due at closing time {closing} (policy: end of day)"));
                        due = closing;
                    }
                }
            } else {
                explanation.push(format!("within the same day as its input ({})", closing.date()));
            }
        }
        if let (true, Some(t)) = (deliver_before_term_end, term) {
            let cap = self.closing(t.deliver_by)?.unwrap_or_else(|| t.deliver_by.to_datetime(END_OF_DAY));
            if cap < due {
                explanation.push(format!("the result must reach the State Corporation by {} (a day before the term ends)", t.deliver_by));
                due = cap;
            }
        }
        let warn = self.warn_at(limit, start, due)?;
        Ok(Deadline { due: self.instant(due)?, warn_at: self.instant(warn)?, rule, explanation })
    }

    /// The closing time of `day`, or of the next working day when `day` is a day off (an input
    /// that arrives on a day off is handled on the next working day).
    fn working_day_closing_on_or_after(&self, day: Date) -> Result<DateTime> {
        let mut d = day;
        for _ in 0..60 {
            if let Some(c) = self.closing(d)? {
                return Ok(c);
            }
            d = d.tomorrow().map_err(|_| DeadlineError::OutOfRange)?;
        }
        Err(DeadlineError::OutOfRange)
    }

    /// `amount` calendar days after `from`, rolled to the next working day when the policy says.
    fn calendar_days(&self, from: Date, amount: u32, explanation: &mut Vec<String>) -> Result<Date> {
        let date = from.checked_add(SignedDuration::from_hours(24 * i64::from(amount))).map_err(|_| DeadlineError::OutOfRange)?;
        if self.policy.calendar_days_on_day_off == CalendarDaysOnDayOff::NextWorkingDay && !self.calendar.is_working_day(date)? {
            let next = self.calendar.working_day_on_or_after(date)?;
            let (_, skipped) = self.calendar.add_working_days_explained(date.yesterday().map_err(|_| DeadlineError::OutOfRange)?, 1)?;
            Self::skipped(&skipped, explanation);
            explanation.push(format!("{date} is a day off: the limit ends on the next working day {next} (policy)"));
            return Ok(next);
        }
        Ok(date)
    }

    /// At risk once the policy's share of the allowance is used: of office time for working
    /// limits, of elapsed time for calendar limits.
    fn warn_at(&self, limit: Limit, start: DateTime, due: DateTime) -> Result<DateTime> {
        let share = i64::from(self.policy.warn_at_percent);
        if due <= start {
            return Ok(due);
        }
        match limit {
            Limit::Within { unit: LimitUnit::CalendarDays, .. } | Limit::OnReadyDate => {
                let total = start.duration_until(due);
                Ok(start.checked_add(total * share as i32 / 100).map_err(|_| DeadlineError::OutOfRange)?)
            }
            Limit::Within { .. } => {
                let minutes = calendar::working_minutes_between(start, due, self.schedule, self.calendar)?;
                let at =
                    calendar::add_working_minutes(start, u32::try_from(minutes * share / 100).unwrap_or(0), self.schedule, self.calendar)?;
                Ok(at.min(due))
            }
        }
    }

    /// The service term of a case accepted at `accepted_at`, extended by `extension_days`.
    pub fn service_term(&self, term: &Term, accepted_at: Timestamp, extension_days: u32) -> Result<ServiceTerm> {
        let accepted = self.local(accepted_at).date();
        let mut explanation = Vec::new();
        let Limit::Within { amount, unit } = term.limit else {
            return Err(DeadlineError::TermUnit);
        };
        // "The day of acceptance is not counted": day 1 is the next day.
        let counted = if term.count_start_day { amount.saturating_sub(1) } else { amount };
        explanation.push(format!(
            "{} from acceptance on {accepted}{}",
            term.limit,
            if term.count_start_day { ", counting that day" } else { ", not counting that day" }
        ));
        let mut ends_on = match unit {
            LimitUnit::WorkingMinutes | LimitUnit::WorkingHours => return Err(DeadlineError::TermUnit),
            LimitUnit::WorkingDays => {
                let (d, skipped) = self.calendar.add_working_days_explained(accepted, counted)?;
                Self::skipped(&skipped, &mut explanation);
                d
            }
            _ => accepted.checked_add(SignedDuration::from_hours(24 * i64::from(counted))).map_err(|_| DeadlineError::OutOfRange)?,
        };
        if extension_days > 0 {
            ends_on =
                ends_on.checked_add(SignedDuration::from_hours(24 * i64::from(extension_days))).map_err(|_| DeadlineError::OutOfRange)?;
            explanation.push(format!("extended by {extension_days} calendar days at the KNB's written request"));
        }
        if self.policy.calendar_days_on_day_off == CalendarDaysOnDayOff::NextWorkingDay && !self.calendar.is_working_day(ends_on)? {
            let next = self.calendar.working_day_on_or_after(ends_on)?;
            explanation.push(format!("{ends_on} is a day off: the term ends on the next working day {next} (policy)"));
            ends_on = next;
        }
        let mut deliver_by = ends_on;
        if let Some(Limit::Within { amount, unit }) = term.deliver_before_end {
            deliver_by = match unit {
                // N working days before: step back over N working days.
                LimitUnit::WorkingDays => {
                    let mut d = ends_on;
                    for _ in 0..amount {
                        d = d.yesterday().map_err(|_| DeadlineError::OutOfRange)?;
                        while !self.calendar.is_working_day(d)? {
                            d = d.yesterday().map_err(|_| DeadlineError::OutOfRange)?;
                        }
                    }
                    d
                }
                _ => ends_on.checked_sub(SignedDuration::from_hours(24 * i64::from(amount))).map_err(|_| DeadlineError::OutOfRange)?,
            };
            while !self.calendar.is_working_day(deliver_by)? {
                deliver_by = deliver_by.yesterday().map_err(|_| DeadlineError::OutOfRange)?;
            }
            if deliver_by <= accepted {
                explanation.push(format!(
                    "the delivery day falls on or before the day of acceptance: the term cannot be met with these holidays (deliver_by {deliver_by})"
                ));
            }
            explanation.push(format!(
                "the result reaches the State Corporation by {deliver_by}, the last working day at least {} before",
                term.deliver_before_end.expect("matched")
            ));
        }
        Ok(ServiceTerm { starts_at: accepted_at, ends_on, deliver_by, explanation })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calendar::{Schedule, ScheduleHistory};
    use domain::definition::load;

    const DEFINITION: &str = include_str!("../../../regulation/2018.toml");

    fn with<T>(f: impl FnOnce(&WorkingTime) -> T) -> T {
        let def = load("2018.toml", DEFINITION).unwrap();
        let calendar = Calendar::builtin();
        let schedule = ScheduleHistory::new(Schedule::standard());
        let tz = calendar::almaty();
        f(&WorkingTime { calendar: &calendar, schedule: &schedule, time_zone: &tz, policy: &def.policy })
    }

    #[test]
    fn ordinals_read_as_english() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 103].into_iter().map(ordinal).collect();
        assert_eq!(got, ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "103rd"]);
    }

    #[test]
    fn a_working_day_limit_ending_on_a_decree_worked_sunday_ends_at_that_days_closing_time() {
        // Tuesday 31 December 2024, 10:00 local (UTC+5). 1–2 January are New Year and Friday
        // 3 January is a day off by decree, so one working day later is Sunday 5 January, worked
        // in its place with Friday's hours: closing at 18:30 local.
        let due =
            with(|wt| wt.task_deadline(Limit::parse("1 working day").unwrap(), "2024-12-31T05:00:00Z".parse().unwrap(), None, None, false))
                .unwrap();
        assert_eq!(due.due.to_string(), "2025-01-05T13:30:00Z", "{:?}", due.explanation);
    }

    #[test]
    fn the_explanation_names_the_nth_working_day_in_english() {
        let due = with(|wt| {
            wt.task_deadline(Limit::parse("3 working days").unwrap(), "2026-11-24T05:00:00Z".parse().unwrap(), None, None, false)
        })
        .unwrap();
        assert!(due.explanation.iter().any(|e| e.contains("the 3rd working day after 2026-11-24")), "{:?}", due.explanation);
    }
}
