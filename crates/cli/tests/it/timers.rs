//! Durable timers: warnings, overdue escalations and the end of the term fire once, at their
//! time on the manual clock, also across a restart.

use crate::*;
use jiff::SignedDuration;

fn count(detail: &Value, kind: &str) -> usize {
    detail["history"].as_array().unwrap().iter().filter(|h| h["type"] == kind).count()
}

#[tokio::test]
async fn a_task_left_alone_becomes_at_risk_then_overdue_and_is_escalated_once_also_across_a_restart() {
    let app = TestApp::spawn().await; // 10:00 in Astana
    let case = app.case_at_p1(PASSPORT_CLEAR).await;
    let p1 = app.case(&case).await["tasks"][4].clone();
    assert_eq!((p1["step"].as_str(), p1["due_at"].as_str()), (Some("P1"), Some("2026-11-24T05:10:00Z")));
    assert_eq!(app.fire_timers().await, 0, "nothing is due at 10:00");

    app.clock.advance(SignedDuration::from_mins(8));
    assert_eq!(app.fire_timers().await, 1, "P1 is at risk at 10:07");
    let (_, head) = app.get(HEAD, "/api/tasks").await;
    assert_eq!(head, json!([]), "not escalated while only at risk");

    app.clock.advance(SignedDuration::from_mins(3));
    assert_eq!(app.fire_timers().await, 1, "P1 is overdue after 10:10");
    assert_eq!(app.fire_timers().await, 0, "and only once");
    let (_, head) = app.get(HEAD, "/api/tasks").await;
    assert_eq!(head.as_array().unwrap().len(), 1, "{head}");
    assert_eq!(head[0]["step"], "P1");
    assert_eq!(head[0]["escalated_to"], "management");
    assert_eq!(head[0]["deadline_status"], "overdue");
    let (_, other_head) = app.get("management@mvd-almaty", "/api/tasks").await;
    assert_eq!(other_head, json!([]), "another unit's head does not see it");

    let app = app.restart().await;
    app.clock.advance(SignedDuration::from_mins(5));
    assert_eq!(app.fire_timers().await, 0, "nothing fires twice after a restart");
    let detail = app.case(&case).await;
    assert_eq!(count(&detail, "task_flagged"), 2, "one warning and one escalation");
    let p1 = &detail["tasks"][4];
    assert_eq!(p1["escalated_to"], "management");
    assert!(p1["at_risk_since"].is_string() && p1["overdue_since"].is_string());

    app.ok(OFFICE, &case, "P1", Some("registered"), None).await;
    let (_, head) = app.get(HEAD, "/api/tasks").await;
    assert_eq!(head.as_array().unwrap().len(), 1, "the head now has P2 of their own");
    assert_eq!(head[0]["step"], "P2");
    assert_eq!(task_status(&app, &case, "P1").await, "done_late");
}

async fn task_status(app: &TestApp, case: &str, step: &str) -> String {
    let detail = app.case(case).await;
    let t = detail["tasks"].as_array().unwrap().iter().find(|t| t["step"] == step).unwrap().clone();
    t["deadline_status"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_term_moved_by_the_knb_is_not_overrun_early_and_its_real_end_fires_once() {
    let app = TestApp::spawn().await;
    let case = app.open_case(PASSPORT_KNB_EXTENDS).await;
    app.through_front_office_and_checks(&case).await;
    app.dispatch_outbox().await;
    assert_eq!(app.deliver_knb(1).await, 1, "the KNB asks for 20 more days");
    app.ok(OFFICE, &case, "P5n", None, None).await;

    // Past the first term's end (Monday 30 November): the term has moved, nothing is overrun.
    app.clock.set("2026-12-01T12:00:00Z".parse().unwrap());
    app.fire_timers().await;
    let detail = app.case(&case).await;
    assert_eq!(count(&detail, "term_overrun"), 0, "{}", detail["term"]);
    assert!(!detail["term_overrun"].as_bool().unwrap());

    // Past the extended coordination (Monday 14 December): the KNB's task is overdue.
    app.clock.set("2026-12-15T04:00:00Z".parse().unwrap());
    app.fire_timers().await;
    let p5 = app.case(&case).await["tasks"].as_array().unwrap().iter().find(|t| t["step"] == "P5").unwrap().clone();
    assert!(p5["overdue_since"].is_string(), "{p5}");
    assert!(p5["escalated_to"].is_null(), "the KNB's task is not escalated to the provider's head");

    // Past the extended term (Monday 21 December) with no result sent: one overrun.
    app.clock.set("2026-12-22T04:00:00Z".parse().unwrap());
    app.fire_timers().await;
    app.fire_timers().await;
    let detail = app.case(&case).await;
    assert_eq!(count(&detail, "term_overrun"), 1);
    assert!(detail["term_overrun"].as_bool().unwrap());
}

/// A real clock reads nanoseconds, the stores keep microseconds: a timer read back from its row
/// must still match the deadline written into the case's events, or it would fire to no effect.
#[tokio::test]
async fn timers_set_at_a_nanosecond_instant_still_fire() {
    let app = TestApp::spawn().await;
    app.clock.set("2026-11-24T05:00:00.123456789Z".parse().unwrap());
    let case = app.case_at_p1(PASSPORT_CLEAR).await;
    app.clock.advance(SignedDuration::from_mins(11));
    assert_eq!(app.fire_timers().await, 2, "P1's warning and its deadline both take effect");
    let detail = app.case(&case).await;
    assert_eq!(count(&detail, "task_flagged"), 2, "{detail}");
}
