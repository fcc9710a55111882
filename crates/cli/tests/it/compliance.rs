//! The compliance report over the API: tasks done on time and late per step, unit and employee,
//! with nearest-rank medians and 90th percentiles of the working minutes taken, as JSON and CSV,
//! and who may see which units.

use crate::audit::behind_the_triggers;
use crate::documents::raw_sql;
use crate::*;
use jiff::SignedDuration;

const DAY: &str = "/api/reports/compliance?from=2026-11-24&to=2026-11-24";

fn row<'a>(report: &'a Value, group: &str, key: &str) -> &'a Value {
    report[format!("by_{group}")]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no {group} row {key} in {report}"))
}

/// count, on time, late, median taken, p90 taken, median allowed.
fn figures(r: &Value) -> (u64, u64, u64, Option<i64>, Option<i64>, Option<i64>) {
    (
        r["count"].as_u64().unwrap(),
        r["on_time"].as_u64().unwrap(),
        r["late"].as_u64().unwrap(),
        r["taken_median_minutes"].as_i64(),
        r["taken_p90_minutes"].as_i64(),
        r["allowed_median_minutes"].as_i64(),
    )
}

fn keys(report: &Value, group: &str) -> Vec<String> {
    report[format!("by_{group}")].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap().to_owned()).collect()
}

/// Through the front office at the current time, `sc1_after` minutes spent on SC1, then P1
/// done `p1_after` minutes after it opened. Nothing else moves the clock.
async fn through_p1(app: &TestApp, sc1_after: i64, p1_after: i64) -> String {
    let case = app.open_case(PASSPORT_CLEAR).await;
    app.clock.advance(SignedDuration::from_mins(sc1_after));
    app.ok(OPERATOR, &case, "SC1", Some("complete"), None).await;
    app.ok(OPERATOR, &case, "SC2", Some("identified"), None).await;
    app.ok(OPERATOR, &case, "SC3", Some("accepted"), None).await;
    app.ok(OPERATOR, &case, "SC4", None, None).await;
    app.clock.advance(SignedDuration::from_mins(p1_after));
    app.ok(OFFICE, &case, "P1", Some("registered"), None).await;
    case
}

/// Three cases on Tuesday 24 November 2026 from 10:00 in Astana (UTC+5), all before lunch:
///
/// | case | SC1 (10 min)         | SC2–SC4 | P1 (10 min)           | P2 (10 min)      |
/// |------|----------------------|---------|-----------------------|------------------|
/// | A    | 10:00–10:04, 4, ok   | 10:04   | 10:04–10:07, 3, ok    | 10:07, 0, ok     |
/// | B    | 10:07–10:07, 0, ok   | 10:07   | 10:07–10:22, 15, late | —                |
/// | C    | 10:22–10:34, 12, late| 10:34   | 10:34–10:40, 6, ok    | —                |
///
/// SC2–SC4 are done the moment they open (0 minutes). 16 tasks done, 2 late.
async fn three_cases() -> TestApp {
    let app = TestApp::spawn().await;
    let a = through_p1(&app, 4, 3).await;
    app.ok(HEAD, &a, "P2", Some("assigned"), Some(json!({ "assignee": EXECUTOR }))).await;
    through_p1(&app, 0, 15).await;
    through_p1(&app, 12, 6).await;
    app
}

#[tokio::test]
async fn the_report_counts_on_time_and_late_per_step_unit_and_employee_with_nearest_rank_percentiles() {
    let app = three_cases().await;
    let (status, report) = app.get(SUPERVISOR, DAY).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        (report["from"].as_str(), report["to"].as_str(), report["time_zone"].as_str()),
        (Some("2026-11-24"), Some("2026-11-24"), Some("Asia/Almaty"))
    );
    // 4 steps × 3 cases at the front office, P1 × 3 and P2 once at the provider.
    assert_eq!((report["done"].as_u64(), report["on_time"].as_u64(), report["late"].as_u64()), (Some(16), Some(14), Some(2)));
    assert_eq!((report["without_deadline"].as_u64(), report["unmeasured"].as_u64()), (Some(0), Some(0)));
    assert_eq!(keys(&report, "step"), ["SC1", "SC2", "SC3", "SC4", "P1", "P2"], "in the regulation's order");

    // P1 took 3, 15 and 6 minutes of 10: sorted [3, 6, 15]; the median is rank ⌈3·50/100⌉ = 2 → 6,
    // the 90th percentile rank ⌈3·90/100⌉ = ⌈2.7⌉ = 3 → 15. Case B's 15 minutes were late.
    let p1 = row(&report, "step", "P1");
    assert_eq!(figures(p1), (3, 2, 1, Some(6), Some(15), Some(10)), "{p1}");
    assert_eq!(p1["on_time_percent"], 66.7);
    assert_eq!(p1["limit"], "10 working minutes");
    assert_eq!((p1["elapsed_time_tasks"].as_u64(), p1["without_deadline"].as_u64()), (Some(0), Some(0)));
    // SC1 took 4, 0 and 12 minutes: sorted [0, 4, 12] → median 4, p90 12 (late, case C).
    assert_eq!(figures(row(&report, "step", "SC1")), (3, 2, 1, Some(4), Some(12), Some(10)));
    assert_eq!(figures(row(&report, "step", "SC2")), (3, 3, 0, Some(0), Some(0), Some(2)));
    // SC4 (1 working day) runs to Wednesday's closing: from 10:04 that is 176 + 240 minutes on
    // Tuesday and 480 on Wednesday = 896; from 10:07, 893; from 10:34, 866. Median: 893.
    assert_eq!(figures(row(&report, "step", "SC4")), (3, 3, 0, Some(0), Some(0), Some(893)));
    assert_eq!(figures(row(&report, "step", "P2")), (1, 1, 0, Some(0), Some(0), Some(10)));

    // The provider: P1 × 3 and P2, taken [0, 3, 6, 15] → median rank 2 → 3, p90 rank ⌈3.6⌉ = 4 → 15.
    assert_eq!(keys(&report, "unit"), ["mvd-astana", "sc-astana-1"]);
    assert_eq!(figures(row(&report, "unit", "mvd-astana")), (4, 3, 1, Some(3), Some(15), Some(10)));
    let branch = row(&report, "unit", "sc-astana-1");
    assert_eq!((branch["count"].as_u64(), branch["late"].as_u64()), (Some(12), Some(1)));
    assert!(branch["label"].is_string(), "a unit row carries the unit's name: {branch}");

    // The operator: ten 0s, then 4 and 12 → median rank 6 → 0, p90 rank ⌈10.8⌉ = 11 → 4.
    let operator = row(&report, "employee", OPERATOR);
    assert_eq!((figures(operator).0, figures(operator).2, figures(operator).3, figures(operator).4), (12, 1, Some(0), Some(4)));
    assert_eq!(figures(row(&report, "employee", OFFICE)), (3, 2, 1, Some(6), Some(15), Some(10)));
    assert_eq!(figures(row(&report, "employee", HEAD)), (1, 1, 0, Some(0), Some(0), Some(10)));
    assert_eq!(row(&report, "employee", OFFICE)["label"], OFFICE, "the demo accounts' display name is their id");
    assert_eq!(row(&report, "employee", OFFICE)["limit"], Value::Null, "only step rows name a limit");

    // Another day has nothing done.
    let (_, next) = app.get(SUPERVISOR, "/api/reports/compliance?from=2026-11-25&to=2026-12-31").await;
    assert_eq!((next["done"].as_u64(), next["by_step"].as_array().map(Vec::len)), (Some(0), Some(0)), "{next}");
}

#[tokio::test]
async fn the_csv_download_has_a_header_and_the_same_rows() {
    let app = three_cases().await;
    let (_, json) = app.get(SUPERVISOR, DAY).await;
    let r =
        reqwest::Client::new().get(format!("http://{}{DAY}&format=csv", app.addr)).bearer_auth(app.token(SUPERVISOR)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(r.headers()["content-disposition"], "attachment; filename=\"compliance-2026-11-24-2026-11-24.csv\"");
    let text = r.text().await.unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a UTF-8 byte-order mark for spreadsheets");
    let lines: Vec<&str> = text.split_terminator("\r\n").collect();
    assert_eq!(
        lines[0],
        "group,key,label,limit,count,on_time,late,on_time_percent,taken_median_minutes,taken_p90_minutes,allowed_median_minutes,elapsed_time_tasks,without_deadline"
    );
    // 6 steps, 2 units, 3 employees, in the JSON's order.
    let rows = ["step", "unit", "employee"].map(|g| keys(&json, g).len()).iter().sum::<usize>();
    assert_eq!((rows, lines.len()), (11, 12), "{text}");
    assert_eq!(lines[5], "step,P1,,10 working minutes,3,2,1,66.7,6,15,10,0,0");
    assert_eq!(lines[1], "step,SC1,,10 working minutes,3,2,1,66.7,4,12,10,0,0");
    assert!(lines.contains(&"employee,office@mvd-astana,office@mvd-astana,,3,2,1,66.7,6,15,10,0,0"), "{text}");
    assert!(lines.iter().any(|l| l.starts_with("unit,mvd-astana,") && l.ends_with(",4,3,1,75.0,3,15,10,0,0")), "{text}");
}

#[tokio::test]
async fn a_unit_head_sees_their_own_unit_only_and_other_roles_are_refused() {
    let app = three_cases().await;
    let (status, own) = app.get(HEAD, DAY).await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert_eq!(keys(&own, "unit"), ["mvd-astana"], "the head of the Astana provider sees its tasks only");
    assert_eq!(keys(&own, "step"), ["P1", "P2"]);
    assert_eq!((own["done"].as_u64(), own["late"].as_u64()), (Some(4), Some(1)));
    assert_eq!(figures(row(&own, "step", "P1")), (3, 2, 1, Some(6), Some(15), Some(10)));

    let (status, other) = app.get("management@mvd-almaty", DAY).await;
    assert_eq!(status, StatusCode::OK, "{other}");
    assert_eq!(other["done"], 0, "another unit's head sees nothing of this unit: {other}");
    assert!(["step", "unit", "employee"].iter().all(|g| keys(&other, g).is_empty()), "{other}");

    for user in [OPERATOR, OFFICE, EXECUTOR] {
        let (status, body) = app.get(user, DAY).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user}: {body}");
        assert_eq!(body["error"]["code"], "forbidden");
        assert!(body["error"]["message"].as_str().unwrap().contains("supervisors, administrators and a unit's head"), "{body}");
    }
    let (status, _) = app.get("admin", DAY).await;
    assert_eq!(status, StatusCode::OK, "an administrator sees every unit");
}

#[tokio::test]
async fn a_bad_period_is_refused_naming_what_is_wrong() {
    let app = TestApp::spawn().await;
    let bad = |path: &'static str| {
        let app = &app;
        async move {
            let (status, body) = app.get(SUPERVISOR, path).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
            body["error"]["message"].as_str().unwrap().to_owned()
        }
    };
    let backwards = bad("/api/reports/compliance?from=2026-11-25&to=2026-11-24").await;
    assert!(backwards.contains("starts (2026-11-25) after it ends (2026-11-24)"), "{backwards}");
    let long = bad("/api/reports/compliance?from=2025-01-01&to=2026-01-02").await;
    assert!(long.contains("367 days") && long.contains("at most 366"), "{long}");
    assert!(bad("/api/reports/compliance?from=2026-11-31&to=2026-12-01").await.starts_with("from: \"2026-11-31\" is not a date"));
    assert!(bad("/api/reports/compliance?from=2026-11-01").await.starts_with("to: a date (YYYY-MM-DD) is required"));
    assert!(bad("/api/reports/compliance?from=2026-11-01&to=2026-11-02&format=xlsx").await.starts_with("format: \"xlsx\""));
    let (status, _) = app.get(SUPERVISOR, "/api/reports/compliance?from=2024-01-01&to=2024-12-31").await;
    assert_eq!(status, StatusCode::OK, "a leap year is 366 days");
}

const EXTENDED_DAY: &str = "/api/reports/compliance?from=2026-11-30&to=2026-11-30";

/// A case whose coordination the KNB extends by 20 calendar days on Tuesday 24 November 2026,
/// then agrees to on Monday 30 November at 10:00 in Astana: six days after P5 opened.
async fn coordination_extended_then_agreed(app: &TestApp) -> String {
    let case = app.open_case(PASSPORT_KNB_EXTENDS).await;
    app.through_front_office_and_checks(&case).await;
    app.dispatch_outbox().await;
    assert_eq!(app.deliver_knb(1).await, 1, "the KNB asks for 20 more calendar days");
    app.clock.set("2026-11-30T05:00:00Z".parse().unwrap());
    assert_eq!(app.deliver_knb(1).await, 1, "then agrees");
    case
}

#[tokio::test]
async fn a_coordination_extended_in_calendar_days_is_measured_in_elapsed_minutes_and_system_accounts_count() {
    let app = TestApp::spawn().await; // Tuesday 24 November 2026, 10:00 in Astana
    coordination_extended_then_agreed(&app).await;

    let (status, report) = app.get(SUPERVISOR, EXTENDED_DAY).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(keys(&report, "step"), ["P5"], "only the coordination was done that day: {report}");
    let p5 = row(&report, "step", "P5");
    // Taken: 6 × 1440 = 8640 elapsed minutes. Allowed: to the end of Monday 14 December
    // (18:59:59 UTC), 20 days and 13 h 59 min 59 s after 05:00 UTC → 28 800 + 839 minutes.
    assert_eq!(figures(p5), (1, 1, 0, Some(8640), Some(8640), Some(29_639)), "{p5}");
    assert_eq!(p5["elapsed_time_tasks"], 1);
    assert_eq!(p5["limit"], "3 working days", "the step's own limit, as on the task");
    let gateway = row(&report, "employee", shaqyru::app::KNB_GATEWAY);
    assert_eq!((gateway["count"].as_u64(), gateway["on_time"].as_u64()), (Some(1), Some(1)), "a system account's work counts");
}

#[tokio::test]
async fn the_extended_coordination_is_counted_in_calendar_days_from_its_task_row_alone() {
    let app = TestApp::spawn().await;
    let case = coordination_extended_then_agreed(&app).await;
    let (_, before) = app.get(SUPERVISOR, EXTENDED_DAY).await;
    assert_eq!(row(&before, "step", "P5")["elapsed_time_tasks"], 1, "{before}");

    // Without its event log, the case can no longer be replayed: a report that needed the log
    // to tell the extension would fail or count the task in office minutes.
    behind_the_triggers(&app, &format!("DELETE FROM events WHERE case_id = '{case}';")).await;
    let (status, after) = app.get(SUPERVISOR, EXTENDED_DAY).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after, before, "the task row's time basis is enough");
    let (status, _) = app.get(SUPERVISOR, &format!("/api/cases/{case}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the case itself is really unreadable");
}

#[tokio::test]
async fn task_rows_written_before_the_time_basis_was_recorded_are_measured_from_the_event_log() {
    let app = TestApp::spawn().await;
    coordination_extended_then_agreed(&app).await;
    let (_, recorded) = app.get(SUPERVISOR, EXTENDED_DAY).await;

    raw_sql(&app, "UPDATE tasks SET time_basis = NULL").await;
    let (status, replayed) = app.get(SUPERVISOR, EXTENDED_DAY).await;
    assert_eq!(status, StatusCode::OK, "{replayed}");
    assert_eq!(replayed, recorded, "the same report, the extension told by the case's events");
    assert_eq!(row(&replayed, "step", "P5")["elapsed_time_tasks"], 1);
}
