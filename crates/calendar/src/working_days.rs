//! Working-day arithmetic on the calendar, and the explanation of each result: the non-working
//! days it stepped over, with their reasons.

use crate::calendar::Calendar;
use crate::day::{DayInfo, month_name, weekday_name};
use crate::error::CalendarError;
use jiff::civil::Date;
use std::fmt;

/// The non-working days an arithmetic result stepped over, in date order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Explanation {
    pub skipped: Vec<DayInfo>,
}

/// A run of consecutive skipped days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedRun<'a> {
    pub first: Date,
    pub last: Date,
    pub days: &'a [DayInfo],
}

impl Explanation {
    /// The skipped days grouped into runs of consecutive dates (a long weekend is one run).
    pub fn runs(&self) -> Vec<SkippedRun<'_>> {
        let mut runs = Vec::new();
        let mut start = 0;
        for i in 1..=self.skipped.len() {
            let ends_run = i == self.skipped.len() || self.skipped[i - 1].date.tomorrow().ok() != Some(self.skipped[i].date);
            if ends_run {
                let days = &self.skipped[start..i];
                runs.push(SkippedRun { first: days[0].date, last: days[days.len() - 1].date, days });
                start = i;
            }
        }
        runs
    }
}

/// One line per run: `2025-03-29..2025-03-30: weekend` when every day of the run has the same
/// reasons; otherwise the run's range, then one indented line per day (consecutive days with the
/// same reasons share a line).
impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for run in self.runs() {
            let range = if run.first == run.last { run.first.to_string() } else { format!("{}..{}", run.first, run.last) };
            let summaries: Vec<String> = run.days.iter().map(DayInfo::summary).collect();
            if summaries.iter().all(|s| *s == summaries[0]) {
                writeln!(f, "{range}: {}", summaries[0])?;
                continue;
            }
            writeln!(f, "{range}:")?;
            let mut i = 0;
            while i < run.days.len() {
                let mut j = i;
                while j + 1 < run.days.len() && summaries[j + 1] == summaries[i] {
                    j += 1;
                }
                writeln!(f, "  {}: {}", day_span(run.days[i].date, run.days[j].date), summaries[i])?;
                i = j + 1;
            }
        }
        Ok(())
    }
}

/// `Saturday 22 March` or `22–23 March`.
fn day_span(first: Date, last: Date) -> String {
    if first == last {
        format!("{} {} {}", weekday_name(first.weekday()), first.day(), month_name(first.month()))
    } else if first.month() == last.month() {
        format!("{}–{} {}", first.day(), last.day(), month_name(first.month()))
    } else {
        format!("{} {}–{} {}", first.day(), month_name(first.month()), last.day(), month_name(last.month()))
    }
}

impl Calendar {
    /// The `n`-th working day after `start` (`start` itself is not counted; `n = 0` gives
    /// `start`).
    pub fn add_working_days(&self, start: Date, n: u32) -> Result<Date, CalendarError> {
        self.add_working_days_explained(start, n).map(|(date, _)| date)
    }

    /// Like [`Calendar::add_working_days`], with the non-working days stepped over.
    pub fn add_working_days_explained(&self, start: Date, n: u32) -> Result<(Date, Explanation), CalendarError> {
        let mut explanation = Explanation::default();
        let mut date = start;
        let mut left = n;
        while left > 0 {
            date = date.tomorrow().map_err(|_| CalendarError::OutOfRange(start))?;
            let info = self.info(date)?;
            if info.working {
                left -= 1;
            } else {
                explanation.skipped.push(info.clone());
            }
        }
        Ok((date, explanation))
    }

    /// The number of working days in `(a, b]`: after `a`, up to and including `b`. Negative
    /// when `b` is before `a`, so that `working_days_between(a, add_working_days(a, n)) == n`
    /// and the function is antisymmetric.
    pub fn working_days_between(&self, a: Date, b: Date) -> Result<i32, CalendarError> {
        if b < a {
            return self.working_days_between(b, a).map(|n| -n);
        }
        let mut count = 0;
        let mut date = a;
        while date < b {
            date = date.tomorrow().map_err(|_| CalendarError::OutOfRange(a))?;
            if self.info(date)?.working {
                count += 1;
            }
        }
        Ok(count)
    }

    /// The first working day strictly after `date`.
    pub fn next_working_day(&self, date: Date) -> Result<Date, CalendarError> {
        self.add_working_days(date, 1)
    }

    /// `date` itself when it is a working day, otherwise the first working day after it: where a
    /// term that ends on a non-working day lands, under the policy that such terms move.
    pub fn working_day_on_or_after(&self, date: Date) -> Result<Date, CalendarError> {
        if self.info(date)?.working { Ok(date) } else { self.next_working_day(date) }
    }
}
