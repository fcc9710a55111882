//! Office schedules (working hours per weekday, changing over time) and working-time arithmetic
//! in civil (local) time: minutes count only inside an office's hours on working days.

use crate::calendar::Calendar;
use crate::day::{DayInfo, Reason};
use crate::error::CalendarError;
use crate::working_days::Explanation;
use jiff::SignedDuration;
use jiff::civil::{Date, DateTime, Time, Weekday, time};

/// A stretch of office hours within one day, from `start` to `end`. A deadline may fall on
/// `end` itself (the closing time), never after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interval {
    start: Time,
    end: Time,
}

impl Interval {
    /// An interval; `start` must be before `end` (an office open until midnight ends at
    /// 23:59:59.999999999, the last time a day has).
    pub fn new(start: Time, end: Time) -> Result<Interval, CalendarError> {
        if start >= end {
            return Err(CalendarError::InvalidSchedule(format!("an interval must start before it ends: {start}–{end}")));
        }
        Ok(Interval { start, end })
    }

    pub fn start(&self) -> Time {
        self.start
    }

    pub fn end(&self) -> Time {
        self.end
    }
}

/// One office's working hours for each weekday. Whether a day is worked at all is the
/// calendar's business: the hours of Saturday apply only on a Saturday the calendar makes
/// working, and a holiday has no hours whatever the schedule says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// Indexed by weekday, Monday first.
    week: [Vec<Interval>; 7],
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule::standard()
    }
}

impl Schedule {
    /// No hours on any day; add them with [`Schedule::with_hours`].
    pub fn closed() -> Schedule {
        Schedule { week: Default::default() }
    }

    /// The usual hours of a state body: Monday to Friday 09:00–18:30 with lunch 13:00–14:30.
    pub fn standard() -> Schedule {
        let day = vec![
            Interval { start: time(9, 0, 0, 0), end: time(13, 0, 0, 0) },
            Interval { start: time(14, 30, 0, 0), end: time(18, 30, 0, 0) },
        ];
        let mut week: [Vec<Interval>; 7] = Default::default();
        for slot in week.iter_mut().take(5) {
            *slot = day.clone();
        }
        Schedule { week }
    }

    /// Sets the hours of `weekday` (replacing what it had). The intervals must be in order and
    /// must not overlap; an empty list closes the office that day.
    pub fn with_hours(mut self, weekday: Weekday, intervals: &[(Time, Time)]) -> Result<Schedule, CalendarError> {
        let mut out: Vec<Interval> = Vec::with_capacity(intervals.len());
        for &(start, end) in intervals {
            let interval = Interval::new(start, end)?;
            if let Some(prev) = out.last()
                && prev.end > start
            {
                return Err(CalendarError::InvalidSchedule(format!(
                    "{weekday:?}: {start}–{end} starts before the previous interval ends at {}",
                    prev.end
                )));
            }
            out.push(interval);
        }
        self.week[index(weekday)] = out;
        Ok(self)
    }

    /// The hours of `weekday`, in order.
    pub fn hours(&self, weekday: Weekday) -> &[Interval] {
        &self.week[index(weekday)]
    }

    /// The hours that apply on a working day. A day that is working only by a decree (a Saturday
    /// worked in exchange for a weekday off) keeps its own weekday's hours when the office has
    /// any, and otherwise works the hours of the weekday it was swapped with: the office works
    /// that Saturday as it would have worked the Friday it gets off.
    fn hours_on(&self, day: &DayInfo) -> &[Interval] {
        let own = self.hours(day.date.weekday());
        if !own.is_empty() {
            return own;
        }
        day.reasons
            .iter()
            .find_map(|r| match r {
                Reason::TransferredWorkingDay { day_off, .. } => Some(self.hours(day_off.weekday())),
                _ => None,
            })
            .unwrap_or(own)
    }
}

fn index(weekday: Weekday) -> usize {
    weekday.to_monday_zero_offset() as usize
}

/// An office's schedules over time: the schedule in force from the beginning, then each change
/// from its `valid_from` date on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleHistory {
    initial: Schedule,
    changes: Vec<(Date, Schedule)>,
}

impl Default for ScheduleHistory {
    fn default() -> Self {
        ScheduleHistory::new(Schedule::standard())
    }
}

impl From<Schedule> for ScheduleHistory {
    fn from(schedule: Schedule) -> Self {
        ScheduleHistory::new(schedule)
    }
}

impl ScheduleHistory {
    /// A history in which `initial` is in force on every date (until a change is added).
    pub fn new(initial: Schedule) -> ScheduleHistory {
        ScheduleHistory { initial, changes: Vec::new() }
    }

    /// Adds a change: `schedule` is in force from `valid_from` on. Changes must be added in date
    /// order, so that the history reads like the office's orders.
    pub fn with_change(mut self, valid_from: Date, schedule: Schedule) -> Result<ScheduleHistory, CalendarError> {
        if let Some((last, _)) = self.changes.last()
            && *last >= valid_from
        {
            return Err(CalendarError::InvalidSchedule(format!("a change from {valid_from} must come after the change from {last}")));
        }
        self.changes.push((valid_from, schedule));
        Ok(self)
    }

    /// The schedule in force on `date`.
    pub fn on(&self, date: Date) -> &Schedule {
        let n = self.changes.partition_point(|(from, _)| *from <= date);
        if n == 0 { &self.initial } else { &self.changes[n - 1].1 }
    }

    /// The changes, in date order.
    pub fn changes(&self) -> &[(Date, Schedule)] {
        &self.changes
    }
}

/// `start` plus `minutes` of the office's working time: only minutes inside its hours on the
/// calendar's working days count.
///
/// A start outside the hours begins counting at the next opening. The result is always inside
/// the hours, ends included: a term that uses up the last minute of a day ends at that day's
/// closing time (18:30), not at the next opening, and one that uses up the morning ends at
/// 13:00. `minutes = 0` gives `start` when it is inside the hours, else the next opening.
pub fn add_working_minutes(
    start: DateTime,
    minutes: u32,
    schedule: &ScheduleHistory,
    calendar: &Calendar,
) -> Result<DateTime, CalendarError> {
    add_working_minutes_explained(start, minutes, schedule, calendar).map(|(end, _)| end)
}

/// Like [`add_working_minutes`], with the non-working days stepped over. (Working days on which
/// the office has no hours are stepped over silently: they are the office's, not the calendar's.)
pub fn add_working_minutes_explained(
    start: DateTime,
    minutes: u32,
    schedule: &ScheduleHistory,
    calendar: &Calendar,
) -> Result<(DateTime, Explanation), CalendarError> {
    let mut left = SignedDuration::from_mins(i64::from(minutes));
    let mut explanation = Explanation::default();
    let mut date = start.date();
    let mut from = start.time();
    loop {
        let day = calendar.info(date)?;
        if day.working {
            for interval in schedule.on(date).hours_on(day) {
                if from > interval.end {
                    continue;
                }
                let begin = from.max(interval.start);
                let available = interval.end.duration_since(begin);
                if left <= available {
                    let end = begin.checked_add(left).map_err(|_| CalendarError::OutOfRange(date))?;
                    return Ok((date.to_datetime(end), explanation));
                }
                left -= available;
            }
        } else {
            explanation.skipped.push(day.clone());
        }
        date = date.tomorrow().map_err(|_| CalendarError::OutOfRange(start.date()))?;
        from = Time::midnight();
    }
}

/// The office's working minutes from `a` to `b` (whole minutes, rounded down); negative when `b`
/// is before `a`. `working_minutes_between(s, add_working_minutes(s, m)) == m`.
pub fn working_minutes_between(a: DateTime, b: DateTime, schedule: &ScheduleHistory, calendar: &Calendar) -> Result<i64, CalendarError> {
    if b < a {
        return working_minutes_between(b, a, schedule, calendar).map(|m| -m);
    }
    let mut total = SignedDuration::ZERO;
    let mut date = a.date();
    loop {
        let day = calendar.info(date)?;
        if day.working {
            let lo = if date == a.date() { a.time() } else { Time::midnight() };
            let hi = if date == b.date() { Some(b.time()) } else { None };
            for interval in schedule.on(date).hours_on(day) {
                let begin = lo.max(interval.start);
                let end = hi.map_or(interval.end, |hi| hi.min(interval.end));
                if begin < end {
                    total += end.duration_since(begin);
                }
            }
        }
        if date >= b.date() {
            break;
        }
        date = date.tomorrow().map_err(|_| CalendarError::OutOfRange(a.date()))?;
    }
    Ok(total.as_secs() / 60)
}

/// The office's closing time on `date`: the end of its last interval of the day, with the hours a
/// decree-worked Saturday or Sunday takes from the weekday it was swapped with. `None` on a day
/// off or a working day without hours.
pub fn closing_time(date: Date, schedule: &ScheduleHistory, calendar: &Calendar) -> Result<Option<DateTime>, CalendarError> {
    let day = calendar.info(date)?;
    if !day.working {
        return Ok(None);
    }
    Ok(schedule.on(date).hours_on(day).last().map(|i| date.to_datetime(i.end)))
}

/// Whether `at` is inside the office's hours on a working day (opening and closing times
/// included).
pub fn is_office_time(at: DateTime, schedule: &ScheduleHistory, calendar: &Calendar) -> Result<bool, CalendarError> {
    let day = calendar.info(at.date())?;
    Ok(day.working && schedule.on(at.date()).hours_on(day).iter().any(|i| i.start <= at.time() && at.time() <= i.end))
}
