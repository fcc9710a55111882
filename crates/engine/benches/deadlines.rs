//! Deadline computations per second: every limit form of the 2018 edition, from start moments
//! spread over 2025 (so holidays, transfers and weekends are all crossed). A measurement, not a
//! test: `cargo bench -p engine --bench deadlines`. Prints one line per form and a total.

use calendar::{Calendar, Schedule, ScheduleHistory};
use domain::definition::{Limit, load};
use engine::deadlines::WorkingTime;
use jiff::{SignedDuration, Timestamp};
use std::hint::black_box;
use std::time::Instant;

const DEFINITION: &str = include_str!("../../../regulation/2018.toml");

fn main() {
    let def = load("regulation/2018.toml", DEFINITION).expect("the shipped definition loads");
    let calendar = Calendar::builtin();
    let schedule = ScheduleHistory::new(Schedule::standard());
    let tz = calendar::almaty();
    let wt = WorkingTime { calendar: &calendar, schedule: &schedule, time_zone: &tz, policy: &def.policy };
    // Start moments: every 37 minutes through 2025, day and night.
    let first: Timestamp = "2025-01-01T00:00:00Z".parse().expect("valid");
    let starts: Vec<Timestamp> = (0..14_000).map(|i| first + SignedDuration::from_mins(37 * i)).collect();
    let forms = [
        "10 working minutes",
        "1 working hour",
        "3 working hours",
        "1 working day",
        "3 working days",
        "5 working days",
        "30 calendar days",
    ];
    let mut total = 0u64;
    let mut total_secs = 0f64;
    println!("deadline computations on the 2025 calendar, {} start moments per form", starts.len());
    for form in forms {
        let limit = Limit::parse(form).expect("valid limit");
        // Warm up, then measure.
        for s in starts.iter().take(500) {
            black_box(wt.task_deadline(limit, *s, None, None, false).ok());
        }
        let t = Instant::now();
        let mut ok = 0u64;
        for s in &starts {
            if black_box(wt.task_deadline(limit, *s, Some(*s), None, false)).is_ok() {
                ok += 1;
            }
        }
        let secs = t.elapsed().as_secs_f64();
        total += ok;
        total_secs += secs;
        println!("  {form:<20} {:>10.0} per second ({ok} computed)", ok as f64 / secs);
    }
    println!("  {:<20} {:>10.0} per second ({total} computed)", "all forms", total as f64 / total_secs);
}
