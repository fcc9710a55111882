//! Deadlines on Kazakhstan's working calendar, seen through the API with a manual clock.

use crate::*;
use jiff::SignedDuration;

fn task<'a>(detail: &'a Value, step: &str) -> &'a Value {
    detail["tasks"].as_array().unwrap().iter().rev().find(|t| t["step"] == step).unwrap_or_else(|| panic!("no task {step}"))
}

#[tokio::test]
async fn a_task_is_due_at_its_limit_in_office_hours_then_at_risk_then_overdue() {
    let app = TestApp::spawn().await; // Tuesday 24 November 2026, 10:00 in Astana (UTC+5)
    let case = app.open_case(PASSPORT_CLEAR).await;
    let detail = app.case(&case).await;
    let sc1 = task(&detail, "SC1");
    assert_eq!(sc1["due_at"], "2026-11-24T05:10:00Z", "10 working minutes");
    assert_eq!(sc1["warn_at"], "2026-11-24T05:07:00Z", "at risk after 75 % of the allowance");
    assert_eq!(sc1["deadline_status"], "on_time");

    app.clock.advance(SignedDuration::from_mins(8));
    let (_, list) = app.get(OPERATOR, "/api/tasks").await;
    assert_eq!(list[0]["deadline_status"], "at_risk");
    app.clock.advance(SignedDuration::from_mins(3));
    let (_, list) = app.get(OPERATOR, "/api/tasks").await;
    assert_eq!(list[0]["deadline_status"], "overdue");
    app.ok(OPERATOR, &case, "SC1", Some("complete"), None).await;
    let detail = app.case(&case).await;
    assert_eq!(task(&detail, "SC1")["deadline_status"], "done_late");
    assert_eq!(task(&detail, "SC1")["minutes_taken"], 11, "the working time taken, shown with the status");
    assert_eq!(task(&detail, "SC1")["time_basis"], "office_minutes");
    let detail = app.case(&case).await;
    let sc2 = task(&detail, "SC2");
    assert_eq!(sc2["due_at"], "2026-11-24T05:13:00Z", "2 working minutes from 10:11");
}

#[tokio::test]
async fn the_service_term_is_five_calendar_days_after_acceptance_rolled_past_the_weekend() {
    let app = TestApp::spawn().await;
    let case = app.open_case(PASSPORT_CLEAR).await;
    app.ok(OPERATOR, &case, "SC1", Some("complete"), None).await;
    app.ok(OPERATOR, &case, "SC2", Some("identified"), None).await;
    app.ok(OPERATOR, &case, "SC3", Some("accepted"), None).await;
    let term = app.case(&case).await["term"].clone();
    // Accepted on Tuesday 24 November: day 5 is Sunday 29, so the term ends on Monday 30; the
    // result must reach the State Corporation a day before, i.e. by Friday 27 November.
    assert_eq!(term["ends_on"], "2026-11-30", "{term}");
    assert_eq!(term["deliver_by"], "2026-11-27", "{term}");
    let detail = app.case(&case).await;
    let sc4 = task(&detail, "SC4");
    assert_eq!(sc4["due_at"], "2026-11-25T13:30:00Z", "1 working day: Wednesday's closing at 18:30");
    let sc5_due_text = term["explanation"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect::<Vec<_>>().join(" | ");
    assert!(sc5_due_text.contains("2026-11-29 is a day off"), "{sc5_due_text}");
}

#[tokio::test]
async fn a_working_day_limit_skips_nauryz_and_says_why() {
    let app = TestApp::spawn().await;
    // Thursday 20 March 2025, 12:00 in Astana (UTC+5 since March 2024).
    app.clock.set("2025-03-20T07:00:00Z".parse().unwrap());
    let case = app.open_case(PASSPORT_CLEAR).await;
    app.ok(OPERATOR, &case, "SC1", Some("complete"), None).await;
    app.ok(OPERATOR, &case, "SC2", Some("identified"), None).await;
    app.ok(OPERATOR, &case, "SC3", Some("accepted"), None).await;
    let detail = app.case(&case).await;
    let sc4 = task(&detail, "SC4");
    // 21 March (Friday) is Nauryz, 22–23 fall on the weekend and move to 24–25: the next
    // working day is Wednesday 26 March, closing at 18:30 (13:30 UTC).
    assert_eq!(sc4["due_at"], "2025-03-26T13:30:00Z", "{sc4}");
    let explanation = sc4["deadline_explanation"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect::<Vec<_>>().join(" | ");
    assert!(explanation.contains("skipped 2025-03-21..2025-03-25"), "{explanation}");
    assert!(explanation.contains("Nauryz"), "{explanation}");
}

#[tokio::test]
async fn the_knb_extension_moves_the_term_and_the_coordination_deadline() {
    let app = TestApp::spawn().await;
    let case = app.open_case(PASSPORT_KNB_EXTENDS).await;
    app.through_front_office_and_checks(&case).await;
    let p5 = task(&app.case(&case).await, "P5").clone();
    // 3 working days from Tuesday 24 November: Friday 27, closing at 18:30.
    assert_eq!(p5["due_at"], "2026-11-27T13:30:00Z", "{p5}");
    app.dispatch_outbox().await;
    assert_eq!(app.deliver_knb(1).await, 1);
    let detail = app.case(&case).await;
    // 20 more calendar days: the term's fifth day (Sunday 29 November) becomes Saturday
    // 19 December, a day off, so the term ends on Monday 21 December.
    assert_eq!(detail["term"]["ends_on"], "2026-12-21", "{}", detail["term"]);
    let p5 = task(&detail, "P5");
    assert_eq!(p5["due_at"], "2026-12-14T18:59:59Z", "20 calendar days from the start of coordination, to the end of Monday 14 December");
    assert!(p5["deadline_explanation"][0].as_str().unwrap().contains("extended at the KNB's written request"));
    let p5n = task(&detail, "P5n");
    assert_eq!(p5n["limit"], "5 working days");
    assert_eq!(p5n["due_at"], "2026-12-01T13:30:00Z", "5 working days from Tuesday 24 November: Tuesday 1 December");
}

#[tokio::test]
async fn an_office_with_its_own_hours_gets_deadlines_in_those_hours() {
    // The Astana migration unit works 08:30–12:30 only (from 2026 on).
    let app = TestApp::spawn_with(|s| {
        let unit = s.units.iter_mut().find(|u| u.id == "mvd-astana").unwrap();
        unit.hours =
            vec![engine::HoursConfig { from: "2026-01-01".parse().unwrap(), weekdays: vec!["08:30-12:30".into()], saturday: vec![] }];
    })
    .await;
    // The documents arrive at 12:25 local (07:25 UTC): P1's 10 working minutes are 5 today and
    // 5 tomorrow from 08:30, and the same day cannot hold them (policy: carry).
    app.clock.set("2026-11-24T07:25:00Z".parse().unwrap());
    let case = app.open_case(PASSPORT_CLEAR).await;
    app.ok(OPERATOR, &case, "SC1", Some("complete"), None).await;
    app.ok(OPERATOR, &case, "SC2", Some("identified"), None).await;
    app.ok(OPERATOR, &case, "SC3", Some("accepted"), None).await;
    app.ok(OPERATOR, &case, "SC4", None, None).await;
    let detail = app.case(&case).await;
    let p1 = task(&detail, "P1");
    assert_eq!(p1["due_at"], "2026-11-25T03:35:00Z", "Wednesday 08:35 local: {p1}");
    let explanation = p1["deadline_explanation"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect::<Vec<_>>().join(" | ");
    assert!(explanation.contains("policy: carry"), "{explanation}");
    // The State Corporation branch keeps the standard hours: SC4 was due at Wednesday's 18:30.
    assert_eq!(task(&detail, "SC4")["due_at"], "2026-11-25T13:30:00Z");
}

#[tokio::test]
async fn bad_office_hours_stop_the_server_from_starting_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings {
        database: dir.path().join("x.sqlite").display().to_string(),
        listen: "127.0.0.1:0".parse().unwrap(),
        background: false,
        ..Settings::default()
    };
    settings.units[2].hours =
        vec![engine::HoursConfig { from: "2026-01-01".parse().unwrap(), weekdays: vec!["9-13".into()], saturday: vec![] }];
    let clock = Arc::new(engine::ManualClock::new("2026-11-24T05:00:00Z".parse().unwrap()));
    let err = shaqyru::build(settings, clock, None).await.err().expect("refused");
    let message = format!("{err:#}");
    assert!(message.contains("mvd-astana") && message.contains("\"9\" is not a time"), "{message}");
}
