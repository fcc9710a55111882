//! `shaqyru deadlines`: can the regulation's own limits be met inside its own term?
//!
//! # What is computed
//!
//! **Acceptance.** "Accepted at T" means that step SC3 (the outcome that sets the fact the term
//! starts from, `[term] starts`) finished at T, a local civil time in Asia/Almaty. The service
//! term starts at T: [`WorkingTime::service_term`]`(&def.term, T, 0)` gives the day it ends on
//! (`ends_on`) and the day by which the provider must deliver the result to the State
//! Corporation (`deliver_by`). No KNB extension is assumed.
//!
//! **The walk.** From the step the acceptance opens (SC4), follow the main path of the happy
//! case: from each step, the first outcome whose `next` is non-empty and which is neither the
//! KNB extension (`[extension] step/outcome`), nor `keep_open`, nor `branch_end`; take its first
//! `next`. The walk stops at a step with no such outcome (SC5). For the 2018 edition that is
//! SC4 → P1 → P2 → P3 → P4 → P5 → P6 → P7 → P8 → P9 → SC5.
//!
//! Every step uses its whole allowance: it opens at the moment the previous step finished, and
//! finishes at its deadline from [`WorkingTime::task_deadline`], exactly as the running service
//! computes it (`engine::Engine::deadline_events`):
//! - "same day" anchors come from the walk itself: `arrival_from_sc` is the moment the step
//!   calling `sc.forward_documents` (SC4) finished, `knb_answer` the moment the step sending
//!   `knb.request_coordination` on entry (P5) finished; the edition's `[policy]` decides what a
//!   same-day limit that cannot fit before closing does (the 2018 edition: it carries into the
//!   next working hours);
//! - the step calling `sc.send_result` (P9) is also capped by the term: it must finish by the
//!   office's closing time on `deliver_by`. Its deadline is computed twice, with the cap (the
//!   *latest allowed* finish, what the service would show) and without it (when the limits
//!   *need* the result to be sent). The walk goes on from the uncapped finish: a cap cannot
//!   make the work before it shorter;
//! - the step "on the ready date" (SC5) is due at closing time on the term's last day.
//!
//! **The verdict.** The regulation *fits* for that acceptance when P9's uncapped finish is on or
//! before the closing time of `deliver_by` (23:59:59 if that day has no office hours, as in
//! `task_deadline`): if every step uses its whole allowance, the result still reaches the State
//! Corporation in time. Otherwise it *does not fit*: "the limits need until X, the term allows
//! until Y".
//!
//! **A year** (`--year`): every acceptance hour of the year is walked — each full hour (09:00,
//! 10:00, …, 18:00) of each working day at which the front office is open, i.e. inside its
//! hours and not at a closing time (so 13:00 and 14:00, lunch, are not acceptance hours under
//! the standard schedule). The acceptance hours that do not fit are listed in runs: consecutive
//! acceptance hours (no fitting hour between) that need the same moment and are allowed the same
//! `deliver_by`; the count line says how many of all the hours cannot meet the regulation.
//! An hour whose walk leaves the years the working calendar covers (late December of its last
//! year) is not counted, and is reported apart.
//!
//! **Office and edition.** The office keeps the standard hours (Monday–Friday 09:00–18:30,
//! lunch 13:00–14:30; [`calendar::Schedule::standard`]); there is no `--office` option. The
//! edition is the built-in 2018 one, or a definition file given with `--definition` (which is
//! how to try another `[policy]`). The edition's dates in force are not enforced: a date
//! outside them is computed as if the edition applied, with a note.
//!
//! **What it finds for the 2018 edition.** SC4 (1 working day) and P5 (3 working days) alone
//! take 4 working days, and a step opening at closing time cannot keep a "same day" limit; the
//! term leaves 4 calendar days (5, less the day before the end), rolled back over days off. With
//! the shipped policy (same-day limits carry into the next morning) no acceptance hour of 2024
//! or 2025 fits: the walk needs 6 working days. With same-day limits ending at closing time
//! (`same_day_when_late = "end_of_day"` in a copy of the file), Monday acceptances fit, except
//! before holidays. Around a long holiday (Nauryz, New Year) `deliver_by` can fall on the
//! acceptance day itself. The year listing also counts the misfits by how many working days
//! late they are.
//!
//! The computation is pure ([`walk`], [`scan_year`] return data); [`print_walk`] and
//! [`print_scan`] only format.

use calendar::{Calendar, ScheduleHistory};
use domain::Definition;
use domain::case::ServiceTerm;
use domain::definition::{CalendarDaysOnDayOff, Call, Limit, SameDayAnchor, SameDayWhenLate, Step};
use engine::deadlines::WorkingTime;
use jiff::civil::{Date, DateTime, Time};
use jiff::{SignedDuration, Timestamp};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// The command line of `shaqyru deadlines`.
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("when").required(true).args(["accepted", "year"])))]
pub struct Args {
    /// Local time in Kazakhstan (Asia/Almaty) at which SC3 accepted the application, e.g.
    /// 2025-03-20T17:30.
    #[arg(long)]
    pub accepted: Option<String>,
    /// Walk every acceptance hour of this year's working days and list those that cannot meet
    /// the regulation.
    #[arg(long)]
    pub year: Option<i16>,
    /// A definition file of the regulation; default: the built-in 2018 edition.
    #[arg(long)]
    pub definition: Option<PathBuf>,
}

/// The last instant of a civil day, as `task_deadline` uses for a day without office hours.
const END_OF_DAY: Time = Time::constant(23, 59, 59, 0);

/// One step of the walk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalkStep {
    pub id: String,
    /// "§6.1, §8.1".
    pub cites: String,
    pub limit: Limit,
    /// When the step opens: the moment the previous step finished.
    pub starts: DateTime,
    /// Its latest allowed finish (for the delivering step, with the term's cap).
    pub latest: DateTime,
    /// When it finishes if it uses its whole allowance, cap or not; the next step opens then.
    /// Differs from `latest` only for the delivering step when the cap bites.
    pub needed: DateTime,
    /// Whether this is the step that sends the result to the State Corporation (`sc.send_result`).
    pub delivers: bool,
    /// The deadline's explanation: non-working days skipped, policies applied.
    pub explanation: Vec<String>,
}

/// An application accepted at one moment, walked with every step using its whole allowance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walk {
    pub accepted: DateTime,
    pub steps: Vec<WalkStep>,
    pub term: ServiceTerm,
    /// The closing time on the term's `deliver_by` day: the latest the result may reach the State
    /// Corporation.
    pub allows_until: DateTime,
    /// When the result reaches the State Corporation if every step uses its whole allowance (the
    /// delivering step's uncapped finish).
    pub needs_until: DateTime,
    pub fits: bool,
    /// Working days from `deliver_by` to the day `needs_until` falls on (0 when it fits).
    pub late_working_days: i32,
}

/// A run of consecutive acceptance hours that do not fit, all needing the same moment and
/// allowed the same day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub first: DateTime,
    pub last: DateTime,
    pub hours: usize,
    pub needs_until: DateTime,
    pub allows_until: DateTime,
    pub late_working_days: i32,
}

/// A run of consecutive acceptance hours that could not be computed, for the same reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown {
    pub first: DateTime,
    pub last: DateTime,
    pub hours: usize,
    pub reason: String,
}

/// Every acceptance hour of a year, walked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scan {
    pub year: i16,
    /// Acceptance hours walked to the end.
    pub computed: usize,
    /// Of those, the hours that do not fit.
    pub misfits: usize,
    pub runs: Vec<Run>,
    /// How many misfit hours are late by how many working days.
    pub by_lateness: std::collections::BTreeMap<i32, usize>,
    pub unknown: Vec<Unknown>,
}

/// The steps of the happy case's main path, from the step the acceptance opens to the last one.
pub fn main_path(def: &Definition) -> Result<Vec<&Step>, String> {
    let accepting = def
        .steps
        .iter()
        .flat_map(|s| s.outcomes.iter())
        .find(|o| o.sets.iter().any(|f| *f == def.term.starts) && !o.next.is_empty())
        .ok_or_else(|| format!("no outcome sets \"{}\", the fact the term starts from", def.term.starts))?;
    let mut id = &accepting.next[0];
    let mut path: Vec<&Step> = Vec::new();
    loop {
        let step = def.step(id).ok_or_else(|| format!("unknown step \"{id}\""))?;
        if path.iter().any(|s| s.id == step.id) {
            return Err(format!("the main path returns to step {}", step.id));
        }
        path.push(step);
        let is_extension = |o: &domain::definition::Outcome| def.extension.as_ref().is_some_and(|e| e.step == step.id && e.outcome == o.id);
        match step.outcomes.iter().find(|o| !o.next.is_empty() && !o.keep_open && !o.branch_end && !is_extension(o)) {
            Some(o) => id = &o.next[0],
            None => return Ok(path),
        }
    }
}

fn local(wt: &WorkingTime<'_>, at: Timestamp) -> DateTime {
    at.to_zoned_datetime(wt.time_zone.clone()).datetime()
}

fn instant(wt: &WorkingTime<'_>, at: DateTime) -> Result<Timestamp, String> {
    Ok(at.to_zoned_datetime(wt.time_zone.clone()).map_err(|e| format!("{at} has no instant in the time zone: {e}"))?.timestamp())
}

/// The office's closing time on `date`, as `task_deadline` computes it for the term's cap: the
/// end of the weekday's last interval on a working day, else the end of the day.
fn closing(wt: &WorkingTime<'_>, date: Date) -> Result<DateTime, String> {
    if wt.calendar.is_working_day(date).map_err(|e| e.to_string())?
        && let Some(last) = wt.schedule.on(date).hours(date.weekday()).last()
    {
        return Ok(date.to_datetime(last.end()));
    }
    Ok(date.to_datetime(END_OF_DAY))
}

/// Walks an application accepted at `accepted` (local time) through the main path, every step
/// using its whole allowance. See the module's documentation for the rules.
pub fn walk(def: &Definition, wt: &WorkingTime<'_>, accepted: DateTime) -> Result<Walk, String> {
    let path = main_path(def)?;
    let accepted_at = instant(wt, accepted)?;
    let term = wt.service_term(&def.term, accepted_at, 0).map_err(|e| e.to_string())?;
    let allows_until = closing(wt, term.deliver_by)?;
    let (mut arrival, mut knb_answer): (Option<Timestamp>, Option<Timestamp>) = (None, None);
    let mut at = accepted_at;
    let mut steps = Vec::with_capacity(path.len());
    let mut delivered: Option<DateTime> = None;
    for step in path {
        let anchor = step.same_day_as.map(|a| match a {
            SameDayAnchor::ArrivalFromSc => arrival.unwrap_or(at),
            SameDayAnchor::KnbAnswer => knb_answer.unwrap_or(at),
        });
        let delivers = step.call == Some(Call::ScSendResult);
        let capped = wt.task_deadline(step.limit, at, anchor, Some(&term), delivers).map_err(|e| e.to_string())?;
        let needed = if delivers {
            wt.task_deadline(step.limit, at, anchor, Some(&term), false).map_err(|e| e.to_string())?.due
        } else {
            capped.due
        };
        steps.push(WalkStep {
            id: step.id.to_string(),
            cites: step.citation(),
            limit: step.limit,
            starts: local(wt, at),
            latest: local(wt, capped.due),
            needed: local(wt, needed),
            delivers,
            explanation: capped.explanation,
        });
        if delivers {
            delivered = Some(local(wt, needed));
        }
        if step.call == Some(Call::ScForwardDocuments) {
            arrival = Some(needed);
        }
        if step.on_enter == Some(Call::KnbRequestCoordination) {
            knb_answer = Some(needed);
        }
        at = needed;
    }
    // Without a delivering step, the result is ready when the last step before the hand-over
    // on the ready date finishes.
    let needs_until = match delivered {
        Some(d) => d,
        None => steps.iter().rev().find(|s| s.limit != Limit::OnReadyDate).map_or(accepted, |s| s.needed),
    };
    let fits = needs_until <= allows_until;
    let late_working_days =
        if fits { 0 } else { wt.calendar.working_days_between(term.deliver_by, needs_until.date()).map_err(|e| e.to_string())?.max(0) };
    Ok(Walk { accepted, steps, term, allows_until, needs_until, fits, late_working_days })
}

/// Whether the front office takes applications at `at`: inside its hours, not at a closing time.
fn open_at(wt: &WorkingTime<'_>, at: DateTime) -> Result<bool, String> {
    let next = at.checked_add(SignedDuration::from_mins(1)).map_err(|e| e.to_string())?;
    let inside = |t| calendar::is_office_time(t, wt.schedule, wt.calendar).map_err(|e| e.to_string());
    Ok(inside(at)? && inside(next)?)
}

/// Walks every acceptance hour of `year` (each full hour at which the front office is open, on
/// each working day) and gathers the ones that do not fit into runs.
pub fn scan_year(def: &Definition, wt: &WorkingTime<'_>, year: i16) -> Result<Scan, String> {
    if !wt.calendar.covers(year) {
        return Err(not_covered(wt.calendar, year));
    }
    main_path(def)?;
    let days = wt.calendar.year_days(year).map_err(|e| e.to_string())?;
    let mut scan = Scan { year, computed: 0, misfits: 0, runs: Vec::new(), by_lateness: Default::default(), unknown: Vec::new() };
    // Whether the previous acceptance hour walked was a misfit (so a run may go on).
    let mut in_run = false;
    for day in days.iter().filter(|d| d.working) {
        for hour in 0..24 {
            let accepted = day.date.to_datetime(Time::constant(hour, 0, 0, 0));
            if !open_at(wt, accepted)? {
                continue;
            }
            let w = match walk(def, wt, accepted) {
                Ok(w) => w,
                Err(reason) => {
                    match scan.unknown.last_mut() {
                        Some(u) if u.reason == reason => {
                            u.last = accepted;
                            u.hours += 1;
                        }
                        _ => scan.unknown.push(Unknown { first: accepted, last: accepted, hours: 1, reason }),
                    }
                    continue;
                }
            };
            scan.computed += 1;
            if w.fits {
                in_run = false;
                continue;
            }
            scan.misfits += 1;
            *scan.by_lateness.entry(w.late_working_days).or_default() += 1;
            match scan.runs.last_mut() {
                Some(r) if in_run && r.needs_until == w.needs_until && r.allows_until == w.allows_until => {
                    r.last = accepted;
                    r.hours += 1;
                }
                _ => scan.runs.push(Run {
                    first: accepted,
                    last: accepted,
                    hours: 1,
                    needs_until: w.needs_until,
                    allows_until: w.allows_until,
                    late_working_days: w.late_working_days,
                }),
            }
            in_run = true;
        }
    }
    Ok(scan)
}

fn not_covered(calendar: &Calendar, year: i16) -> String {
    let years: Vec<i16> = calendar.years().collect();
    match (years.first(), years.last()) {
        (Some(a), Some(b)) => format!("the working calendar does not cover the year {year} (it covers {a}–{b})"),
        _ => format!("the working calendar does not cover the year {year}"),
    }
}

/// `2025-03-26 18:30 Wed`.
fn stamp(at: DateTime) -> String {
    let format = if at.second() == 0 { "%Y-%m-%d %H:%M %a" } else { "%Y-%m-%d %H:%M:%S %a" };
    at.strftime(format).to_string()
}

/// `2025-03-26 18:30` (the run lines, where the weekday would be noise).
fn short(at: DateTime) -> String {
    let format = if at.second() == 0 { "%Y-%m-%d %H:%M" } else { "%Y-%m-%d %H:%M:%S" };
    at.strftime(format).to_string()
}

fn policy_line(def: &Definition) -> String {
    let days = match def.policy.calendar_days_on_day_off {
        CalendarDaysOnDayOff::NextWorkingDay => "a calendar-day term ending on a day off moves to the next working day",
        CalendarDaysOnDayOff::AsIs => "a calendar-day term ending on a day off stays there",
    };
    let same = match def.policy.same_day_when_late {
        SameDayWhenLate::Carry => "a same-day limit that cannot fit before closing carries into the next working hours",
        SameDayWhenLate::EndOfDay => "a same-day limit that cannot fit before closing ends at closing time",
    };
    format!("policy: {days}; {same}")
}

fn heading(def: &Definition) -> String {
    format!(
        "edition {}; standard office hours (Mon–Fri 09:00–13:00, 14:30–18:30); local time Asia/Almaty\n{}\n",
        def.edition(),
        policy_line(def)
    )
}

fn in_force_note(def: &Definition, from: Date, to: Date) -> Option<String> {
    let (a, b) = (def.act.effective_from, def.act.effective_to);
    if def.in_force_on(from) && def.in_force_on(to) {
        return None;
    }
    let until = b.map_or_else(|| "on".to_owned(), |b| format!("{b}"));
    Some(format!("note: the {} edition is in force {a}..{until}; computed as if it applied\n", def.edition()))
}

/// A short name for why a day is off.
fn reason_label(reason: &calendar::Reason) -> String {
    use calendar::Reason;
    match reason {
        Reason::Weekend => "weekend".to_owned(),
        Reason::PublicHoliday { name, .. } | Reason::FixedDayOff { name } => name.to_string(),
        Reason::MovedHoliday { name, .. } => format!("{name} (moved)"),
        Reason::TransferredDayOff { .. } => "transferred day off".to_owned(),
        Reason::TransferredWorkingDay { .. } => "transferred working day".to_owned(),
    }
}

/// One line per run of non-working days after `from` up to `to`:
/// `skipped 2025-03-21..2025-03-25 (5 days): Nauryz, weekend, Nauryz (moved)`.
fn skipped_lines(calendar: &Calendar, from: Date, to: Date) -> Vec<String> {
    let mut days = Vec::new();
    let mut d = from;
    while d < to {
        let Ok(next) = d.tomorrow() else { break };
        d = next;
        match calendar.day(d) {
            Ok(info) if !info.working => days.push(info),
            _ => {}
        }
    }
    let explanation = calendar::Explanation { skipped: days };
    explanation
        .runs()
        .iter()
        .map(|run| {
            let mut labels: Vec<String> = Vec::new();
            for label in run.days.iter().flat_map(|d| d.reasons.iter().map(reason_label)) {
                if !labels.contains(&label) {
                    labels.push(label);
                }
            }
            let n = run.days.len();
            let span = if n == 1 { run.first.to_string() } else { format!("{}..{} ({n} days)", run.first, run.last) };
            format!("skipped {span}: {}", labels.join(", "))
        })
        .collect()
}

/// The notes printed under a step: the days off its allowance stepped over, and the policies
/// and caps its deadline applied (shortened from the deadline's explanation).
fn step_notes(calendar: &Calendar, s: &WalkStep) -> Vec<String> {
    let mut notes = if s.needed > s.starts { skipped_lines(calendar, s.starts.date(), s.needed.date()) } else { Vec::new() };
    for line in &s.explanation {
        let day = line.split_once('(').and_then(|(_, rest)| rest.split_once(')')).map_or("", |(d, _)| d);
        if line.contains("(policy: carry)") {
            notes.push(format!("same day as its input ({day}) no longer possible: carries into the next working hours (policy)"));
        } else if line.contains("(policy: end of day)") {
            notes.push("same day as its input: due at that day's closing time (policy)".to_owned());
        } else if line.starts_with("the result must reach the State Corporation") {
            notes.push(format!("capped: {line}"));
        }
    }
    if s.delivers && s.needed != s.latest {
        notes.push(format!("without the term's cap: {}", stamp(s.needed)));
    }
    notes
}

/// The walk as text: a table of the steps, the term, and the verdict.
pub fn print_walk(def: &Definition, wt: &WorkingTime<'_>, w: &Walk) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Accepted {} (SC3 finished); every step uses its whole allowance", stamp(w.accepted));
    out.push_str(&heading(def));
    if let Some(note) = in_force_note(def, w.accepted.date(), w.accepted.date()) {
        out.push_str(&note);
    }
    if let Ok(false) = open_at(wt, w.accepted) {
        let _ = writeln!(out, "note: the front office is not open at {}", stamp(w.accepted));
    }
    let _ = writeln!(out);
    // Columns as wide as their widest cell (a stamp with seconds is wider).
    let width = |cells: &mut dyn Iterator<Item = usize>, min: usize| cells.max().unwrap_or(0).max(min) + 1;
    let (id_w, cites_w, limit_w) = (
        width(&mut w.steps.iter().map(|s| s.id.chars().count()), 4),
        width(&mut w.steps.iter().map(|s| s.cites.chars().count()), 1),
        width(&mut w.steps.iter().map(|s| s.limit.to_string().len()), 5),
    );
    let starts_w = width(&mut w.steps.iter().map(|s| stamp(s.starts).len()), 6);
    let _ = writeln!(out, "{:<id_w$}{:<cites_w$}{:<limit_w$}{:<starts_w$} latest finish", "step", "§", "limit", "starts");
    for s in &w.steps {
        let mut latest = stamp(s.latest);
        if s.latest < s.starts {
            latest.push_str("  (before it starts)");
        }
        let _ =
            writeln!(out, "{:<id_w$}{:<cites_w$}{:<limit_w$}{:<starts_w$} {latest}", s.id, s.cites, s.limit.to_string(), stamp(s.starts));
        for line in step_notes(wt.calendar, s) {
            let _ = writeln!(out, "{:6}{line}", "");
        }
    }
    let _ = writeln!(out);
    for (i, line) in w.term.explanation.iter().enumerate() {
        let _ = writeln!(out, "{:15}{line}", if i == 0 { "term:" } else { "" });
    }
    let _ = writeln!(out, "term ends on:  {}", w.term.ends_on.strftime("%Y-%m-%d %a"));
    let _ = writeln!(out, "deliver by:    {} (closing time)", stamp(w.allows_until));
    let _ = writeln!(out, "result sent:   {} (P9 without the cap)", stamp(w.needs_until));
    if w.fits {
        let _ = writeln!(out, "verdict:       fits");
    } else {
        let _ = writeln!(
            out,
            "verdict:       does not fit: the limits need until {}, the term allows until {} ({} working {} late)",
            stamp(w.needs_until),
            stamp(w.allows_until),
            w.late_working_days,
            if w.late_working_days == 1 { "day" } else { "days" }
        );
    }
    out
}

/// The year's scan as text: the runs that do not fit, then the count line.
pub fn print_scan(def: &Definition, s: &Scan) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Acceptance hours of {}: each full hour the front office is open, on each working day", s.year);
    out.push_str(&heading(def));
    let (first, last) = (jiff::civil::date(s.year, 1, 1), jiff::civil::date(s.year, 12, 31));
    if let Some(note) = in_force_note(def, first, last) {
        out.push_str(&note);
    }
    let _ = writeln!(out);
    for r in &s.runs {
        let span = if r.first == r.last { short(r.first) } else { format!("{} .. {}", short(r.first), short(r.last)) };
        let _ = writeln!(
            out,
            "{span}: needs until {}, term allows until {} (deliver by; {} working {} late)",
            stamp(r.needs_until),
            stamp(r.allows_until),
            r.late_working_days,
            if r.late_working_days == 1 { "day" } else { "days" }
        );
    }
    for u in &s.unknown {
        let span = if u.first == u.last { short(u.first) } else { format!("{} .. {}", short(u.first), short(u.last)) };
        let _ = writeln!(out, "{span}: not computed ({} acceptance hours): {}", u.hours, u.reason);
    }
    if !s.runs.is_empty() || !s.unknown.is_empty() {
        let _ = writeln!(out);
    }
    if !s.by_lateness.is_empty() {
        let parts: Vec<String> = s.by_lateness.iter().map(|(days, n)| format!("{days}: {n}")).collect();
        let _ = writeln!(out, "hours late by N working days: {}", parts.join(", "));
    }
    let _ = writeln!(out, "{} of {} acceptance hours cannot meet the regulation", s.misfits, s.computed);
    let unknown: usize = s.unknown.iter().map(|u| u.hours).sum();
    if unknown > 0 {
        let _ = writeln!(out, "{unknown} acceptance hours not computed (their walk leaves the working calendar)");
    }
    out
}

/// Runs the command; exit code 2 for a bad date, year or file, 1 for an invalid definition.
pub fn run(args: Args) -> ExitCode {
    let def = match crate::read_definition(args.definition.as_deref()) {
        Ok(def) => def,
        Err(code) => return code,
    };
    let cal = Calendar::builtin();
    let schedule = ScheduleHistory::new(calendar::Schedule::standard());
    let zone = calendar::almaty();
    let wt = WorkingTime { calendar: &cal, schedule: &schedule, time_zone: &zone, policy: &def.policy };
    let out = match (&args.accepted, args.year) {
        (Some(text), _) => parse_accepted(&cal, text).and_then(|at| walk(&def, &wt, at)).map(|w| print_walk(&def, &wt, &w)),
        (None, Some(year)) => scan_year(&def, &wt, year).map(|s| print_scan(&def, &s)),
        (None, None) => Err("give --accepted YYYY-MM-DDTHH:MM or --year YYYY".to_owned()),
    };
    crate::print_result(out)
}

/// Reads `--accepted`: a local date and time the working calendar covers.
pub fn parse_accepted(calendar: &Calendar, text: &str) -> Result<DateTime, String> {
    let at: DateTime =
        text.trim().parse().map_err(|_| format!("--accepted \"{text}\" is not a local date and time like 2025-03-20T17:30"))?;
    if !calendar.covers(at.year()) {
        return Err(format!("--accepted \"{text}\": {}", not_covered(calendar, at.year())));
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, datetime};

    struct Fixture {
        def: Definition,
        cal: Calendar,
        schedule: ScheduleHistory,
        zone: jiff::tz::TimeZone,
    }

    impl Fixture {
        fn new() -> Fixture {
            Fixture {
                def: domain::definition::load("2018.toml", shaqyru::settings::EDITION_2018).expect("the shipped edition loads"),
                cal: Calendar::builtin(),
                schedule: ScheduleHistory::new(calendar::Schedule::standard()),
                zone: calendar::almaty(),
            }
        }

        /// The same edition with "same day" limits ending at closing time.
        fn end_of_day() -> Fixture {
            let mut f = Fixture::new();
            f.def.policy.same_day_when_late = SameDayWhenLate::EndOfDay;
            f
        }

        fn wt(&self) -> WorkingTime<'_> {
            WorkingTime { calendar: &self.cal, schedule: &self.schedule, time_zone: &self.zone, policy: &self.def.policy }
        }

        fn walk(&self, at: DateTime) -> Walk {
            walk(&self.def, &self.wt(), at).unwrap()
        }
    }

    fn finish(w: &Walk, id: &str) -> DateTime {
        w.steps.iter().find(|s| s.id == id).unwrap_or_else(|| panic!("no {id}")).latest
    }

    #[test]
    fn the_main_path_of_the_2018_edition_runs_from_sc4_to_sc5() {
        let f = Fixture::new();
        let ids: Vec<&str> = main_path(&f.def).unwrap().iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["SC4", "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "SC5"]);
    }

    /// Tuesday 24 November 2026, 10:00 — an ordinary week, no holiday near.
    /// - SC4, 1 working day: the next working day's closing, Wed 25 Nov 18:30.
    /// - P1 opens at 18:30, the office is closed: 10 working minutes run to Thu 26 Nov 09:10 (the
    ///   same day as the arrival cannot be kept; policy: carry). P2 09:20, P3 10:20, P4 11:20.
    /// - P5, 3 working days after Thu 26 Nov: Fri 27, Mon 30 Nov, Tue 1 Dec (not a holiday since
    ///   2022) → Tue 1 Dec 18:30.
    /// - P6 (1 h) carries to Wed 2 Dec 10:00, P7 10:10, P8 11:10, P9 (3 h) 11:10–13:00 and
    ///   14:30–15:40 → Wed 2 Dec 15:40.
    /// - Term: 5 calendar days not counting 24 Nov → Sun 29 Nov, a day off → Mon 30 Nov (policy);
    ///   deliver by: 29 Nov, back over the weekend to Fri 27 Nov, closing 18:30.
    ///
    /// So even an ordinary week does not fit under the shipped policy: 1 + 3 working days plus two
    /// carried "same day" stretches need 6 working days, the term gives 4 calendar days.
    #[test]
    fn an_ordinary_week_does_not_fit_under_the_carry_policy() {
        let f = Fixture::new();
        let w = f.walk(datetime(2026, 11, 24, 10, 0, 0, 0));
        let ids: Vec<&str> = w.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["SC4", "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "SC5"]);
        assert_eq!(finish(&w, "SC4"), datetime(2026, 11, 25, 18, 30, 0, 0));
        assert_eq!(finish(&w, "P1"), datetime(2026, 11, 26, 9, 10, 0, 0));
        assert_eq!(finish(&w, "P4"), datetime(2026, 11, 26, 11, 20, 0, 0));
        assert_eq!(finish(&w, "P5"), datetime(2026, 12, 1, 18, 30, 0, 0));
        assert_eq!(finish(&w, "P6"), datetime(2026, 12, 2, 10, 0, 0, 0));
        assert_eq!(w.needs_until, datetime(2026, 12, 2, 15, 40, 0, 0));
        assert_eq!(w.term.ends_on, date(2026, 11, 30));
        assert_eq!(w.term.deliver_by, date(2026, 11, 27));
        assert_eq!(w.allows_until, datetime(2026, 11, 27, 18, 30, 0, 0));
        assert_eq!(finish(&w, "P9"), w.allows_until, "P9 is capped at the deliver-by closing");
        assert_eq!(finish(&w, "SC5"), datetime(2026, 11, 30, 18, 30, 0, 0));
        assert!(!w.fits);
        assert_eq!(w.late_working_days, 3, "Mon 30 Nov, Tue 1 Dec, Wed 2 Dec");
        // Each step opens when the one before finished.
        for pair in w.steps.windows(2) {
            assert_eq!(pair[1].starts, pair[0].needed, "{} after {}", pair[1].id, pair[0].id);
        }
    }

    /// With same-day limits ending at closing time, a Monday acceptance fits exactly: SC4 Tue
    /// 24 Nov 18:30; P1–P4 at that closing; P5, 3 working days after Tue → Fri 27 Nov 18:30;
    /// P6–P9 at Friday's closing. Term: Mon 23 + 5 = Sat 28 → Mon 30 Nov; deliver by Sun 29 → Fri
    /// 27 Nov 18:30. A Tuesday acceptance (P5 → Mon 30 Nov) does not.
    #[test]
    fn with_end_of_day_same_day_limits_a_monday_acceptance_fits_exactly() {
        let f = Fixture::end_of_day();
        let w = f.walk(datetime(2026, 11, 23, 10, 0, 0, 0));
        assert_eq!(finish(&w, "P4"), datetime(2026, 11, 24, 18, 30, 0, 0));
        assert_eq!(w.needs_until, datetime(2026, 11, 27, 18, 30, 0, 0));
        assert_eq!(w.allows_until, datetime(2026, 11, 27, 18, 30, 0, 0));
        assert!(w.fits);
        assert_eq!(w.late_working_days, 0);
        let tuesday = f.walk(datetime(2026, 11, 24, 10, 0, 0, 0));
        assert_eq!(tuesday.needs_until, datetime(2026, 11, 30, 18, 30, 0, 0));
        assert!(!tuesday.fits);
        assert_eq!(tuesday.late_working_days, 1);
    }

    /// Thursday 20 March 2025, 17:30, the eve of Nauryz. Days off: Fri 21 (Nauryz), Sat 22 and
    /// Sun 23 (weekend, Nauryz), Mon 24 and Tue 25 (the moved Nauryz days off).
    /// - SC4, 1 working day after 20 Mar → Wed 26 Mar 18:30.
    /// - P1–P4 carry to Thu 27 Mar 09:10 … 11:20; P5 → Fri 28, Mon 31, Tue 1 Apr 18:30; P6–P9 carry
    ///   to Wed 2 Apr, P9 at 15:40.
    /// - Term: 5 calendar days not counting 20 Mar → Tue 25 Mar, a day off → Wed 26 Mar (policy).
    ///   Deliver by: 25 Mar, not working, and back over 24, 23, 22, 21 Mar to Thu 20 Mar itself —
    ///   the acceptance day — at 18:30, an hour after acceptance and before SC4 may even end.
    #[test]
    fn the_eve_of_nauryz_2025_does_not_fit_and_deliver_by_falls_on_the_acceptance_day() {
        let f = Fixture::new();
        let w = f.walk(datetime(2025, 3, 20, 17, 30, 0, 0));
        assert_eq!(finish(&w, "SC4"), datetime(2025, 3, 26, 18, 30, 0, 0));
        assert_eq!(finish(&w, "P4"), datetime(2025, 3, 27, 11, 20, 0, 0));
        assert_eq!(finish(&w, "P5"), datetime(2025, 4, 1, 18, 30, 0, 0));
        assert_eq!(w.needs_until, datetime(2025, 4, 2, 15, 40, 0, 0));
        assert_eq!(w.term.ends_on, date(2025, 3, 26));
        assert_eq!(w.term.deliver_by, date(2025, 3, 20));
        assert_eq!(w.allows_until, datetime(2025, 3, 20, 18, 30, 0, 0));
        assert!(!w.fits);
        let sc4 = &w.steps[0];
        assert!(sc4.explanation.iter().any(|l| l.starts_with("skipped 2025-03-21..2025-03-25")), "{:?}", sc4.explanation);
        let p9 = w.steps.iter().find(|s| s.delivers).unwrap();
        assert!(p9.latest < p9.starts, "the cap falls before P9 can even open");
        let text = print_walk(&f.def, &f.wt(), &w);
        assert!(
            text.contains("does not fit: the limits need until 2025-04-02 15:40 Wed, the term allows until 2025-03-20 18:30 Thu"),
            "{text}"
        );
    }

    #[test]
    fn the_walk_fails_with_the_year_named_when_it_leaves_the_calendar() {
        let f = Fixture::new();
        let e = walk(&f.def, &f.wt(), datetime(2026, 12, 29, 10, 0, 0, 0)).unwrap_err();
        assert!(e.contains("2027"), "{e}");
    }

    #[test]
    fn acceptance_hours_are_the_full_hours_the_office_is_open() {
        let f = Fixture::new();
        let wt = f.wt();
        let hours: Vec<i8> =
            (0..24).filter(|h| open_at(&wt, date(2026, 11, 24).to_datetime(Time::constant(*h, 0, 0, 0))).unwrap()).collect();
        assert_eq!(hours, [9, 10, 11, 12, 15, 16, 17, 18]);
        assert!(!open_at(&wt, datetime(2026, 11, 28, 10, 0, 0, 0)).unwrap(), "Saturday");
    }

    #[test]
    fn a_year_scan_counts_every_acceptance_hour_and_groups_the_misfits() {
        let f = Fixture::end_of_day();
        let wt = f.wt();
        let scan = scan_year(&f.def, &wt, 2025).unwrap();
        assert_eq!(scan.computed, f.cal.working_days_in_year(2025).unwrap() as usize * 8);
        assert!(scan.unknown.is_empty());
        assert_eq!(scan.misfits, scan.runs.iter().map(|r| r.hours).sum::<usize>());
        assert_eq!(scan.misfits, scan.by_lateness.values().sum::<usize>());
        assert!(scan.misfits > 0 && scan.misfits < scan.computed, "{} of {}", scan.misfits, scan.computed);
        // The eve of Nauryz is in a run of its own day.
        let eve = datetime(2025, 3, 20, 17, 0, 0, 0);
        let run = scan.runs.iter().find(|r| r.first <= eve && eve <= r.last).expect("20 March does not fit");
        assert_eq!(run.allows_until, datetime(2025, 3, 20, 18, 30, 0, 0));
        // Runs never hold a fitting hour: each starts and ends on a misfit.
        for r in &scan.runs {
            assert!(!walk(&f.def, &wt, r.first).unwrap().fits && !walk(&f.def, &wt, r.last).unwrap().fits);
        }
        let text = print_scan(&f.def, &scan);
        assert!(text.ends_with(&format!("{} of {} acceptance hours cannot meet the regulation\n", scan.misfits, scan.computed)), "{text}");
    }

    #[test]
    fn the_last_covered_year_reports_the_hours_it_cannot_walk() {
        let f = Fixture::new();
        let scan = scan_year(&f.def, &f.wt(), 2026).unwrap();
        assert!(!scan.unknown.is_empty());
        assert!(scan.unknown.iter().all(|u| u.reason.contains("2027")), "{:?}", scan.unknown);
        assert!(scan.unknown[0].first.date() >= date(2026, 12, 1));
    }

    #[test]
    fn bad_input_is_named() {
        let cal = Calendar::builtin();
        let e = parse_accepted(&cal, "2025-13-20T17:30").unwrap_err();
        assert!(e.contains("2025-13-20T17:30"), "{e}");
        let e = parse_accepted(&cal, "2031-03-20T17:30").unwrap_err();
        assert!(e.contains("2031") && e.contains("2015–2026"), "{e}");
        let f = Fixture::new();
        let e = scan_year(&f.def, &f.wt(), 2031).unwrap_err();
        assert!(e.contains("2031"), "{e}");
        assert_eq!(parse_accepted(&cal, "2025-03-20T17:30").unwrap(), datetime(2025, 3, 20, 17, 30, 0, 0));
    }
}
