//! The compliance report: for a period, per step, per unit and per employee, how many tasks were
//! done on time and how many late, and how long they took against the time they were allowed.
//! Pure computation over task rows; [`crate::Engine::compliance`] reads the rows and decides who
//! may see what.
//!
//! How the figures are made:
//! - A task belongs to the period when it was *done* in it: from `from` 00:00 to the end of `to`
//!   in the service's time zone (`to` included).
//! - On time: done at or before its deadline (`done_at <= due_at`), as on the worklist. A task
//!   that never got a deadline is counted in `without_deadline`, not on time, not late.
//! - Time taken: from the task's opening to its completion; time allowed: from its opening to
//!   its deadline. Both in the office's working minutes (the task unit's hours on the working
//!   calendar), except for a limit in calendar days (the KNB's extension) whose minutes are
//!   elapsed ones: its deadline is not counted in office hours either. Each row says how many of
//!   its tasks were measured that way (`elapsed_time_tasks`).
//! - Median and 90th percentile by the nearest-rank method: the values sorted, the p-th
//!   percentile is the value at rank ⌈p·n/100⌉ (1-based). No interpolation: every figure is a
//!   time some task really took; the median of an even count is the lower middle value.

use calendar::{Calendar, CalendarError, ScheduleHistory};
use domain::case::{Case, Task};
use domain::definition::{Definition, Limit, LimitUnit};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use std::collections::BTreeMap;
use store::TaskRow;

/// The longest period a report covers: a year, leap or not.
pub const MAX_PERIOD_DAYS: i64 = 366;

/// Days of a report, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
    /// A period of 1 to [`MAX_PERIOD_DAYS`] days, or why not.
    pub fn new(from: Date, to: Date) -> Result<Period, String> {
        if from > to {
            return Err(format!("the period starts ({from}) after it ends ({to})"));
        }
        let days = i64::from(from.until(to).map_err(|_| "the period is out of range".to_owned())?.get_days()) + 1;
        if days > MAX_PERIOD_DAYS {
            return Err(format!("the period {from}..{to} is {days} days long; a report covers at most {MAX_PERIOD_DAYS} days"));
        }
        Ok(Period { from, to })
    }

    /// The instants the period runs between in `time_zone`: `[from 00:00, the day after to 00:00)`.
    pub fn bounds(&self, time_zone: &TimeZone) -> Result<(Timestamp, Timestamp), String> {
        let start = |d: Date| {
            d.to_datetime(jiff::civil::Time::midnight())
                .to_zoned_datetime(time_zone.clone())
                .map(|z| z.timestamp())
                .map_err(|_| format!("{d} is out of range"))
        };
        let after = self.to.tomorrow().map_err(|_| format!("{} is out of range", self.to))?;
        Ok((start(self.from)?, start(after)?))
    }
}

/// Which minutes a task's times are counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeBasis {
    /// Minutes inside the unit's office hours on working days.
    OfficeMinutes,
    /// Every minute: for limits in calendar days.
    ElapsedMinutes,
}

impl TimeBasis {
    pub fn code(self) -> &'static str {
        match self {
            TimeBasis::OfficeMinutes => "office_minutes",
            TimeBasis::ElapsedMinutes => "elapsed_minutes",
        }
    }

    /// The basis a [`TimeBasis::code`] names; `None` for any other text.
    pub fn from_code(code: &str) -> Option<TimeBasis> {
        match code {
            "office_minutes" => Some(TimeBasis::OfficeMinutes),
            "elapsed_minutes" => Some(TimeBasis::ElapsedMinutes),
            _ => None,
        }
    }

    /// The basis of a limit as written on the task ("10 working minutes", "5 calendar days").
    /// A text that does not read as a limit is measured in office minutes, like most limits.
    pub fn of_limit(text: &str) -> TimeBasis {
        Limit::parse(text).map_or(TimeBasis::OfficeMinutes, TimeBasis::of)
    }

    fn of(limit: Limit) -> TimeBasis {
        match limit {
            Limit::Within { unit: LimitUnit::CalendarDays, .. } => TimeBasis::ElapsedMinutes,
            _ => TimeBasis::OfficeMinutes,
        }
    }

    /// The basis `task`'s deadline is computed on in `case`: its own limit's, unless it is the
    /// task of the edition's extension step that was open when the KNB's extension was granted,
    /// whose deadline the extension moved to calendar days (the limit on the task does not
    /// change). This is what the engine records in the task row.
    pub fn of_task(def: &Definition, case: &Case, task: &Task) -> TimeBasis {
        let extended = case.extension.as_ref().zip(def.extension.as_ref()).is_some_and(|(ext, rule)| {
            task.step == rule.step && task.opened_at <= ext.at && task.done.as_ref().is_none_or(|d| d.at >= ext.at)
        });
        if extended { TimeBasis::ElapsedMinutes } else { TimeBasis::of(task.limit) }
    }
}

/// What a task's minutes are counted with.
pub struct OfficeTime<'a> {
    pub calendar: &'a Calendar,
    /// The hours of the task's unit.
    pub schedule: &'a ScheduleHistory,
    pub time_zone: &'a TimeZone,
}

impl OfficeTime<'_> {
    /// Whole minutes from `a` to `b` on `basis` (rounded down).
    pub fn minutes(&self, basis: TimeBasis, a: Timestamp, b: Timestamp) -> Result<i64, CalendarError> {
        match basis {
            TimeBasis::ElapsedMinutes => Ok(a.duration_until(b).as_secs() / 60),
            TimeBasis::OfficeMinutes => {
                let local = |t: Timestamp| t.to_zoned_datetime(self.time_zone.clone()).datetime();
                calendar::working_minutes_between(local(a), local(b), self.schedule, self.calendar)
            }
        }
    }
}

/// One done task, measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measured {
    /// The task never got a deadline (its calendar year was not covered when it opened).
    WithoutDeadline,
    Done {
        on_time: bool,
        /// `None` when the calendar cannot count the minutes (a year it does not cover).
        minutes: Option<Minutes>,
        basis: TimeBasis,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Minutes {
    pub taken: i64,
    pub allowed: i64,
}

/// Measures a done task (`done_at` set) on `basis`. An open task is measured as done never: the
/// caller passes done tasks only.
pub fn measure(task: &TaskRow, basis: TimeBasis, time: &OfficeTime<'_>) -> Measured {
    let (Some(due), Some(done)) = (task.due_at, task.done_at) else { return Measured::WithoutDeadline };
    let minutes = match (time.minutes(basis, task.opened_at, done), time.minutes(basis, task.opened_at, due)) {
        (Ok(taken), Ok(allowed)) => Some(Minutes { taken, allowed }),
        _ => None,
    };
    Measured::Done { on_time: done <= due, minutes, basis }
}

/// How the rows of a report are grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Step,
    Unit,
    /// The user who completed the task: a person, or a system account (timers, the KNB gateway).
    Employee,
}

impl Group {
    pub fn code(self) -> &'static str {
        match self {
            Group::Step => "step",
            Group::Unit => "unit",
            Group::Employee => "employee",
        }
    }
}

/// One row of the report: the tasks of one step, unit or employee done in the period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComplianceRow {
    pub group: Group,
    /// The step id, unit id or user id.
    pub key: String,
    /// The unit's name or the user's display name, when known.
    pub label: Option<String>,
    /// For a step: its regulated limit as written (distinct texts joined by " / ").
    pub limit: Option<String>,
    /// Tasks with a deadline: `on_time + late`.
    pub count: u64,
    pub on_time: u64,
    pub late: u64,
    /// `on_time / count` in percent, to one decimal; `None` when `count` is 0.
    pub on_time_percent: Option<f64>,
    pub taken_median_minutes: Option<i64>,
    pub taken_p90_minutes: Option<i64>,
    /// The median time allowed, to read the time taken against.
    pub allowed_median_minutes: Option<i64>,
    /// How many of `count` were measured in elapsed, not office, minutes (calendar-day limits).
    pub elapsed_time_tasks: u64,
    /// Tasks done without a deadline: in none of the figures above.
    pub without_deadline: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComplianceReport {
    pub period: Period,
    /// The zone the period's days are read in, e.g. `Asia/Almaty`.
    pub time_zone: String,
    /// Every task done in the period that the reader may see.
    pub done: u64,
    pub on_time: u64,
    pub late: u64,
    pub without_deadline: u64,
    /// Tasks with a deadline whose minutes the calendar could not count: in `on_time`/`late`
    /// and the rows' counts, not in their minutes.
    pub unmeasured: u64,
    /// In the order of the regulation's steps.
    pub by_step: Vec<ComplianceRow>,
    /// By unit id.
    pub by_unit: Vec<ComplianceRow>,
    /// By user id.
    pub by_employee: Vec<ComplianceRow>,
}

impl ComplianceReport {
    /// Every row: steps, then units, then employees.
    pub fn rows(&self) -> impl Iterator<Item = &ComplianceRow> {
        self.by_step.iter().chain(&self.by_unit).chain(&self.by_employee)
    }
}

/// Names to put on the rows.
#[derive(Clone, Debug, Default)]
pub struct Labels {
    /// Step ids in the regulation's order; other steps follow in id order.
    pub step_order: Vec<String>,
    pub units: BTreeMap<String, String>,
    pub users: BTreeMap<String, String>,
}

#[derive(Default)]
struct Tally {
    on_time: u64,
    late: u64,
    without_deadline: u64,
    elapsed: u64,
    taken: Vec<i64>,
    allowed: Vec<i64>,
    limits: Vec<String>,
}

impl Tally {
    fn add(&mut self, task: &TaskRow, m: Measured) {
        match m {
            Measured::WithoutDeadline => self.without_deadline += 1,
            Measured::Done { on_time, minutes, basis } => {
                if on_time {
                    self.on_time += 1;
                } else {
                    self.late += 1;
                }
                if basis == TimeBasis::ElapsedMinutes {
                    self.elapsed += 1;
                }
                if let Some(Minutes { taken, allowed }) = minutes {
                    self.taken.push(taken);
                    self.allowed.push(allowed);
                }
            }
        }
        if !self.limits.contains(&task.limit) {
            self.limits.push(task.limit.clone());
        }
    }

    fn row(mut self, group: Group, key: String, label: Option<String>) -> ComplianceRow {
        let count = self.on_time + self.late;
        self.taken.sort_unstable();
        self.allowed.sort_unstable();
        ComplianceRow {
            group,
            label,
            limit: (group == Group::Step).then(|| self.limits.join(" / ")),
            count,
            on_time: self.on_time,
            late: self.late,
            on_time_percent: percent(self.on_time, count),
            taken_median_minutes: nearest_rank(&self.taken, 50),
            taken_p90_minutes: nearest_rank(&self.taken, 90),
            allowed_median_minutes: nearest_rank(&self.allowed, 50),
            elapsed_time_tasks: self.elapsed,
            without_deadline: self.without_deadline,
            key,
        }
    }
}

/// Collects measured tasks into a report.
pub struct ReportBuilder {
    period: Period,
    time_zone: String,
    done: u64,
    unmeasured: u64,
    total: Tally,
    by_step: BTreeMap<String, Tally>,
    by_unit: BTreeMap<String, Tally>,
    by_employee: BTreeMap<String, Tally>,
}

impl ReportBuilder {
    pub fn new(period: Period, time_zone: &TimeZone) -> ReportBuilder {
        ReportBuilder {
            period,
            time_zone: time_zone.iana_name().unwrap_or("UTC").to_owned(),
            done: 0,
            unmeasured: 0,
            total: Tally::default(),
            by_step: BTreeMap::new(),
            by_unit: BTreeMap::new(),
            by_employee: BTreeMap::new(),
        }
    }

    pub fn add(&mut self, task: &TaskRow, measured: Measured) {
        self.done += 1;
        if let Measured::Done { minutes: None, .. } = measured {
            self.unmeasured += 1;
        }
        self.total.add(task, measured);
        self.by_step.entry(task.step.clone()).or_default().add(task, measured);
        self.by_unit.entry(task.unit.clone()).or_default().add(task, measured);
        // A done task always names who did it; an old row without it still counts.
        let by = task.done_by.clone().unwrap_or_else(|| "unknown".to_owned());
        self.by_employee.entry(by).or_default().add(task, measured);
    }

    pub fn finish(self, labels: &Labels) -> ComplianceReport {
        let position = |step: &str| labels.step_order.iter().position(|s| s == step).unwrap_or(usize::MAX);
        let mut steps: Vec<(String, Tally)> = self.by_step.into_iter().collect();
        // Stable: steps the regulation does not list keep their id order, after the others.
        steps.sort_by_key(|(step, _)| position(step));
        ComplianceReport {
            period: self.period,
            time_zone: self.time_zone,
            done: self.done,
            on_time: self.total.on_time,
            late: self.total.late,
            without_deadline: self.total.without_deadline,
            unmeasured: self.unmeasured,
            by_step: steps.into_iter().map(|(k, t)| t.row(Group::Step, k, None)).collect(),
            by_unit: self.by_unit.into_iter().map(|(k, t)| t.row(Group::Unit, k.clone(), labels.units.get(&k).cloned())).collect(),
            by_employee: self
                .by_employee
                .into_iter()
                .map(|(k, t)| t.row(Group::Employee, k.clone(), labels.users.get(&k).cloned()))
                .collect(),
        }
    }
}

/// The `p`-th percentile of ascending `sorted` values by the nearest-rank method: the value at
/// rank ⌈p·n/100⌉, counting from 1. `None` for no values.
pub fn nearest_rank(sorted: &[i64], p: u32) -> Option<i64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = (p as usize * n).div_ceil(100).max(1);
    sorted.get(rank.min(n) - 1).copied()
}

/// `part / whole` in percent, rounded half up to one decimal.
fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| ((part * 1000 + whole / 2) / whole) as f64 / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calendar::Schedule;
    use domain::CaseId;

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn row(step: &str, unit: &str, by: &str, limit: &str, opened: &str, due: Option<&str>, done: &str) -> TaskRow {
        TaskRow {
            case_id: CaseId("c".into()),
            task_id: 1,
            reference: "2026-000001".into(),
            step: step.into(),
            role: "office".into(),
            unit: unit.into(),
            assignee: None,
            cites: Vec::new(),
            limit: limit.into(),
            opened_at: ts(opened),
            due_at: due.map(ts),
            warn_at: None,
            escalated_to: None,
            done_at: Some(ts(done)),
            outcome: Some("done".into()),
            done_by: Some(by.into()),
            time_basis: None,
        }
    }

    #[test]
    fn nearest_rank_percentiles_are_values_of_the_data() {
        assert_eq!(nearest_rank(&[], 50), None);
        assert_eq!(nearest_rank(&[7], 50), Some(7));
        assert_eq!(nearest_rank(&[7], 90), Some(7));
        // n = 2: median rank ⌈1⌉ = 1 (the lower middle), p90 rank ⌈1.8⌉ = 2.
        assert_eq!(nearest_rank(&[3, 10], 50), Some(3));
        assert_eq!(nearest_rank(&[3, 10], 90), Some(10));
        // n = 10: p90 rank 9, median rank 5.
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&ten, 90), Some(9));
        assert_eq!(nearest_rank(&ten, 50), Some(5));
        // n = 11: p90 rank ⌈9.9⌉ = 10.
        let eleven: Vec<i64> = (1..=11).collect();
        assert_eq!(nearest_rank(&eleven, 90), Some(10));
        assert_eq!(nearest_rank(&eleven, 100), Some(11));
        assert_eq!(nearest_rank(&eleven, 0), Some(1));
    }

    #[test]
    fn a_period_runs_from_midnight_to_midnight_after_its_last_day_and_at_most_a_year() {
        let almaty = calendar::almaty();
        let p = Period::new(date("2026-11-24"), date("2026-11-24")).unwrap();
        // UTC+5 since March 2024.
        assert_eq!(p.bounds(&almaty).unwrap(), (ts("2026-11-23T19:00:00Z"), ts("2026-11-24T19:00:00Z")));
        assert!(Period::new(date("2026-11-25"), date("2026-11-24")).unwrap_err().contains("starts (2026-11-25) after it ends"));
        assert!(Period::new(date("2024-01-01"), date("2024-12-31")).is_ok(), "a leap year is 366 days");
        let e = Period::new(date("2025-01-01"), date("2026-01-02")).unwrap_err();
        assert!(e.contains("367 days") && e.contains("at most 366"), "{e}");
    }

    #[test]
    fn office_minutes_skip_lunch_and_the_weekend_and_calendar_days_do_not() {
        let (cal, schedule, tz) = (Calendar::builtin(), ScheduleHistory::new(Schedule::standard()), calendar::almaty());
        let time = OfficeTime { calendar: &cal, schedule: &schedule, time_zone: &tz };
        // Friday 27 November 2026, 12:50 to Monday 30 November 09:20 in Astana: 10 minutes before
        // lunch, 4 h after it (240), 20 on Monday = 270.
        let (a, b) = (ts("2026-11-27T07:50:00Z"), ts("2026-11-30T04:20:00Z"));
        assert_eq!(time.minutes(TimeBasis::OfficeMinutes, a, b).unwrap(), 270);
        assert_eq!(time.minutes(TimeBasis::ElapsedMinutes, a, b).unwrap(), 2 * 24 * 60 + 20 * 60 + 30);
        assert_eq!(TimeBasis::of_limit("20 calendar days"), TimeBasis::ElapsedMinutes);
        assert_eq!(TimeBasis::of_limit("3 working days"), TimeBasis::OfficeMinutes);
        assert_eq!(TimeBasis::of_limit("on the ready date"), TimeBasis::OfficeMinutes);
    }

    #[test]
    fn a_time_basis_reads_back_from_its_code_and_nothing_else_does() {
        for basis in [TimeBasis::OfficeMinutes, TimeBasis::ElapsedMinutes] {
            assert_eq!(TimeBasis::from_code(basis.code()), Some(basis));
        }
        assert_eq!(TimeBasis::from_code("calendar_days"), None);
        assert_eq!(TimeBasis::from_code(""), None);
    }

    #[test]
    fn tasks_are_counted_by_step_unit_and_employee_and_those_without_a_deadline_apart() {
        let (cal, schedule, tz) = (Calendar::builtin(), ScheduleHistory::new(Schedule::standard()), calendar::almaty());
        let time = OfficeTime { calendar: &cal, schedule: &schedule, time_zone: &tz };
        let tasks = [
            // 10:00 → due 10:10, done 10:04: on time, 4 of 10 minutes.
            row("P1", "mvd", "office", "10 working minutes", "2026-11-24T05:00:00Z", Some("2026-11-24T05:10:00Z"), "2026-11-24T05:04:00Z"),
            // done 10:25: late, 25 of 10.
            row("P1", "mvd", "office", "10 working minutes", "2026-11-24T05:00:00Z", Some("2026-11-24T05:10:00Z"), "2026-11-24T05:25:00Z"),
            // exactly at the deadline: on time.
            row("P1", "mvd", "clerk", "10 working minutes", "2026-11-24T05:00:00Z", Some("2026-11-24T05:10:00Z"), "2026-11-24T05:10:00Z"),
            row("SC1", "sc", "op", "10 working minutes", "2026-11-24T05:00:00Z", None, "2026-11-24T05:03:00Z"),
        ];
        let mut b = ReportBuilder::new(Period::new(date("2026-11-24"), date("2026-11-24")).unwrap(), &tz);
        for t in &tasks {
            b.add(t, measure(t, TimeBasis::of_limit(&t.limit), &time));
        }
        let labels = Labels { step_order: vec!["SC1".into(), "P1".into()], ..Labels::default() };
        let r = b.finish(&labels);
        assert_eq!((r.done, r.on_time, r.late, r.without_deadline, r.unmeasured), (4, 2, 1, 1, 0));
        assert_eq!(r.time_zone, "Asia/Almaty");
        let steps: Vec<&str> = r.by_step.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(steps, ["SC1", "P1"], "in the regulation's order");
        let sc1 = &r.by_step[0];
        assert_eq!((sc1.count, sc1.without_deadline, sc1.on_time_percent, sc1.taken_median_minutes), (0, 1, None, None));
        let p1 = &r.by_step[1];
        assert_eq!((p1.count, p1.on_time, p1.late), (3, 2, 1));
        assert_eq!(p1.on_time_percent, Some(66.7));
        // Taken 4, 10, 25: median rank 2 → 10, p90 rank 3 → 25; allowed 10 each.
        assert_eq!((p1.taken_median_minutes, p1.taken_p90_minutes, p1.allowed_median_minutes), (Some(10), Some(25), Some(10)));
        assert_eq!(p1.limit.as_deref(), Some("10 working minutes"));
        let office = r.by_employee.iter().find(|e| e.key == "office").unwrap();
        assert_eq!((office.count, office.on_time, office.late, office.limit.as_deref()), (2, 1, 1, None));
        let units: Vec<(&str, u64)> = r.by_unit.iter().map(|u| (u.key.as_str(), u.count)).collect();
        assert_eq!(units, [("mvd", 3), ("sc", 0)]);
    }
}
