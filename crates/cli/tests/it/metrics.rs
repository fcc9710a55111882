//! The Prometheus endpoint over HTTP: requests counted by route template, and the database's
//! figures (tasks per step, at risk and overdue, timer lag, outbox backlog) following a case as
//! the manual clock moves.

use crate::*;
use domain::CaseId;
use jiff::SignedDuration;

async fn scrape(app: &TestApp) -> String {
    let r = reqwest::get(format!("http://{}/metrics", app.addr)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let kind = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    r.text().await.unwrap()
}

/// The value of the one sample whose name and labels are exactly `series`.
fn sample(text: &str, series: &str) -> f64 {
    let found: Vec<f64> = text.lines().filter_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok()).collect();
    assert_eq!(found.len(), 1, "one sample {series} in:\n{text}");
    found[0]
}

/// The value of the sample of `name` whose labels include every one of `labels`.
fn labelled(text: &str, name: &str, labels: &[&str]) -> f64 {
    let found: Vec<f64> = text
        .lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) && labels.iter().all(|x| l.contains(x)))
        .filter_map(|l| l.rsplit(' ').next()?.parse().ok())
        .collect();
    assert_eq!(found.len(), 1, "one sample {name} with {labels:?} in:\n{text}");
    found[0]
}

/// (open, at risk, overdue) of a step.
fn step(text: &str, step: &str) -> (f64, f64, f64) {
    let s = format!("{{step=\"{step}\"}}");
    (
        sample(text, &format!("shaqyru_tasks_open{s}")),
        sample(text, &format!("shaqyru_tasks_at_risk{s}")),
        sample(text, &format!("shaqyru_tasks_overdue{s}")),
    )
}

#[tokio::test]
async fn metrics_follow_a_case_its_deadline_its_timers_and_its_outbox_and_count_requests_by_route() {
    let app = TestApp::spawn().await; // 10:00 in Astana
    let case = app.case_at_p1(PASSPORT_CLEAR).await;

    let m = scrape(&app).await;
    assert_eq!(sample(&m, "shaqyru_database_up"), 1.0);
    assert_eq!(step(&m, "P1"), (1.0, 0.0, 0.0), "P1 is open, on time");
    assert_eq!(step(&m, "SC1"), (0.0, 0.0, 0.0), "every step of the edition is shown, done ones at 0");
    assert_eq!(sample(&m, "shaqyru_timers_due"), 0.0);
    assert_eq!(sample(&m, "shaqyru_timer_lag_seconds"), 0.0);
    assert_eq!(sample(&m, "shaqyru_outbox_pending"), 0.0);

    // Past P1's warning moment, before its deadline; its warning timer has not been fired.
    app.clock.advance(SignedDuration::from_mins(8));
    let now = app.engine.now();
    let timers = app.engine.store().timers(&CaseId(case.clone())).await.unwrap();
    let due: Vec<_> = timers.iter().filter(|t| t.state == "pending" && t.due_at <= now).map(|t| t.due_at).collect();
    let oldest_due = *due.iter().min().unwrap();
    let m = scrape(&app).await;
    assert_eq!(step(&m, "P1"), (1.0, 1.0, 0.0), "at risk");
    // P1's warning and the timers of the front office's steps, which nobody has fired.
    assert_eq!(sample(&m, "shaqyru_timers_due"), due.len() as f64);
    assert_eq!(sample(&m, "shaqyru_timer_lag_seconds"), (now - oldest_due).as_secs_f64());

    // Past the deadline: overdue (no longer counted at risk); the worker catches up.
    app.clock.advance(SignedDuration::from_mins(3));
    assert_eq!(step(&scrape(&app).await, "P1"), (1.0, 0.0, 1.0), "overdue");
    assert!(app.fire_timers().await > 0);
    let m = scrape(&app).await;
    assert_eq!((sample(&m, "shaqyru_timers_due"), sample(&m, "shaqyru_timer_lag_seconds")), (0.0, 0.0), "no timer waits");

    // P5 opens: the KNB request waits in the outbox until it is dispatched.
    app.ok(OFFICE, &case, "P1", Some("registered"), None).await;
    app.ok(HEAD, &case, "P2", Some("assigned"), Some(json!({ "assignee": EXECUTOR }))).await;
    app.ok(EXECUTOR, &case, "P3", None, None).await;
    app.ok(EXECUTOR, &case, "P4", None, None).await;
    app.clock.advance(SignedDuration::from_secs(30));
    let m = scrape(&app).await;
    assert_eq!(step(&m, "P1"), (0.0, 0.0, 0.0), "done tasks are not counted");
    assert_eq!(step(&m, "P5").0, 1.0);
    assert_eq!(sample(&m, "shaqyru_outbox_pending"), 1.0);
    assert_eq!(sample(&m, "shaqyru_outbox_oldest_pending_age_seconds"), 30.0);
    assert_eq!(sample(&m, "shaqyru_case_cache_entries"), 1.0, "the one open case is kept in memory");
    assert_eq!(app.dispatch_outbox().await, 1);
    let m = scrape(&app).await;
    assert_eq!((sample(&m, "shaqyru_outbox_pending"), sample(&m, "shaqyru_outbox_oldest_pending_age_seconds")), (0.0, 0.0));

    // Requests by route template, method and status; an unknown path is one series, not many.
    let (status, _) = app.get(OFFICE, "/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let m = scrape(&app).await;
    let steps = ["route=\"/api/cases/{case_id}/steps/{step}\"", "method=\"POST\"", "status=\"200\""];
    assert!(labelled(&m, "shaqyru_http_requests_total", &steps) >= 8.0, "SC1–SC4 and P1–P4 at least");
    assert!(labelled(&m, "shaqyru_http_request_duration_seconds_count", &steps) >= 8.0);
    assert!(labelled(&m, "shaqyru_http_requests_total", &["route=\"/api/cases\"", "method=\"POST\"", "status=\"201\""]) >= 1.0);
    assert!(labelled(&m, "shaqyru_http_requests_total", &["route=\"unmatched\"", "status=\"404\""]) >= 1.0);
    assert!(m.contains("shaqyru_http_request_duration_seconds_bucket{"), "latencies are histograms");

    // Nothing personal, nor any case, is named.
    for private in ["Eriksson", "Сейтқали", "061211600012", PASSPORT_CLEAR, case.as_str()] {
        assert!(!m.contains(private), "{private} appears in the metrics");
    }
}
