//! The engine's case cache: it always equals a replay of the stored events, and a second
//! server on the same database that commits behind its back never makes it decide on a stale
//! state.

use crate::*;
use domain::{Actor, Case, CaseId, UserId};
use engine::{Engine, PerformRequest};

/// The cached state of `case`, which must be there and equal a replay of its stored events.
async fn assert_cache_is_the_stored_state(engine: &Engine, case: &str) {
    let id = CaseId(case.to_owned());
    let events = engine.store().load_events(&id).await.unwrap();
    let stored = Case::replay(id.clone(), &events).unwrap();
    match engine.cached_case(&id) {
        Some(cached) => assert_eq!(*cached, stored, "the cached case differs from its stored events"),
        None => assert_eq!(stored.status, domain::case::CaseStatus::Closed, "an open case is not cached after its command"),
    }
}

#[tokio::test]
async fn the_cached_case_equals_its_stored_events_after_every_command_and_is_dropped_when_closed() {
    let app = TestApp::spawn().await;
    let case = app.open_case(PASSPORT_KNB_EXTENDS).await;
    assert_cache_is_the_stored_state(&app.engine, &case).await;
    let steps: [(&str, &str, Option<&str>, Option<Value>); 8] = [
        (OPERATOR, "SC1", Some("complete"), None),
        (OPERATOR, "SC2", Some("identified"), None),
        (OPERATOR, "SC3", Some("accepted"), None),
        (OPERATOR, "SC4", None, None),
        (OFFICE, "P1", Some("registered"), None),
        (HEAD, "P2", Some("assigned"), Some(json!({ "assignee": EXECUTOR }))),
        (EXECUTOR, "P3", None, None),
        (EXECUTOR, "P4", None, None),
    ];
    for (user, step, outcome, input) in steps {
        app.ok(user, &case, step, outcome, input).await;
        assert_cache_is_the_stored_state(&app.engine, &case).await;
    }
    // The KNB asks for more time (a term moved, a notice to send), timers flag the tasks.
    app.dispatch_outbox().await;
    assert_eq!(app.deliver_knb(1).await, 1);
    assert_cache_is_the_stored_state(&app.engine, &case).await;
    app.clock.advance(jiff::SignedDuration::from_hours(24 * 8));
    assert!(app.fire_timers().await > 0);
    assert_cache_is_the_stored_state(&app.engine, &case).await;
    app.ok(OFFICE, &case, "P5n", None, None).await;
    assert_eq!(app.deliver_knb(1).await, 1);
    // Documents are issued and signed on the way: their events are in the cached state too.
    for (user, step, outcome) in
        [(EXECUTOR, "P6", Some("draft_invitation")), (HEAD, "P7", Some("invitation_signed")), (EXECUTOR, "P8", None), (OFFICE, "P9", None)]
    {
        app.ok(user, &case, step, outcome, None).await;
        assert_cache_is_the_stored_state(&app.engine, &case).await;
    }
    let end = app.ok(OPERATOR, &case, "SC5", Some("invitation_handed_over"), None).await;
    assert_eq!(end["status"], "closed");
    assert!(app.engine.cached_case(&CaseId(case.clone())).is_none(), "a closed case is not kept");
}

/// A second engine on the same database and clock, as another replica would be (no demo
/// accounts: the first server's tokens stay valid).
async fn replica(app: &TestApp) -> std::sync::Arc<Engine> {
    let settings = Settings {
        database: test_database(&app.dir).await,
        listen: "127.0.0.1:0".parse().unwrap(),
        background: false,
        demo_accounts: false,
        ..Settings::default()
    };
    build(settings, app.clock.clone(), Some(app.sims.clone())).await.expect("the replica builds").engine
}

fn actor(user: &str, role: &str, unit: &str) -> Actor {
    Actor { user: UserId(user.into()), role: role.into(), unit: unit.into() }
}

#[tokio::test]
async fn a_command_after_another_replicas_commit_is_decided_on_the_stored_state() {
    let app = TestApp::spawn().await;
    let other = replica(&app).await;
    let case = app.case_at_p1(PASSPORT_CLEAR).await;
    let id = CaseId(case.clone());
    let cached = app.engine.cached_case(&id).expect("the first server keeps the case");

    // The other replica registers the application (P1): the first server's cache is now behind.
    let office = actor(OFFICE, "office", "mvd-astana");
    let request = PerformRequest { step: "P1".into(), outcome: Some("registered".into()), input: None, version: cached.version };
    let done = other.perform(&office, &id, &request, None).await.expect("the other replica performs P1");
    assert!(done.version > cached.version);
    assert_eq!(app.engine.cached_case(&id).unwrap().version, cached.version, "the first server did not see it");

    let app = &app;
    let assign = |version: u64| {
        let body = json!({ "version": version, "outcome": "assigned", "input": { "assignee": EXECUTOR } });
        let path = format!("/api/cases/{case}/steps/P2");
        async move { app.post(HEAD, &path, &body).await }
    };
    // A user who saw the old version is refused, though the first server's cache agrees with them.
    let (status, body) = assign(cached.version).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // A user who saw the new version goes through on the first server.
    let (status, body) = assign(done.version).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_cache_is_the_stored_state(&app.engine, &case).await;
    let detail = app.case(&case).await;
    let p1 = detail["history"].as_array().unwrap().iter().filter(|h| h["type"] == "outcome_recorded" && h["step"] == "P1").count();
    assert_eq!(p1, 1, "P1 is recorded once");
}

#[tokio::test]
async fn a_knb_answer_after_another_replicas_commit_is_taken_on_the_stored_state() {
    let app = TestApp::spawn().await;
    let other = replica(&app).await;
    let case = app.open_case(PASSPORT_CLEAR).await;
    app.through_front_office_and_checks(&case).await;
    let id = CaseId(case.clone());
    let before = app.engine.cached_case(&id).expect("the first server keeps the case").version;

    // The other replica's timers flag the coordination task: the first server's cache is behind.
    app.clock.advance(jiff::SignedDuration::from_hours(24 * 4));
    assert!(other.fire_timers(100).await.unwrap() > 0);
    assert_eq!(app.engine.cached_case(&id).unwrap().version, before);

    let (status, body) = app.post(KNB, "/api/inbound/knb", &json!({ "case_id": case, "message_id": "knb-1", "answer": "agree" })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["version"].as_u64().unwrap() > before + 1, "decided after the other replica's events: {body}");
    assert_cache_is_the_stored_state(&app.engine, &case).await;
}

#[tokio::test]
async fn a_timer_of_a_task_another_replica_opened_fires_on_the_stored_state() {
    let app = TestApp::spawn().await;
    let other = replica(&app).await;
    let case = app.case_at_p1(PASSPORT_CLEAR).await;
    let id = CaseId(case.clone());
    let cached = app.engine.cached_case(&id).expect("the first server keeps the case");
    assert!(cached.open_task("P2").is_none());

    // The other replica registers the application: P2 opens there, with its timers.
    let office = actor(OFFICE, "office", "mvd-astana");
    let request = PerformRequest { step: "P1".into(), outcome: Some("registered".into()), input: None, version: cached.version };
    other.perform(&office, &id, &request, None).await.expect("the other replica performs P1");

    // Long past P2's deadline, the first server's timer worker finds the timers; its cached
    // state has no P2, but the stored one does.
    app.clock.advance(jiff::SignedDuration::from_hours(24 * 10));
    assert!(app.fire_timers().await > 0);
    let events = app.engine.store().load_events(&id).await.unwrap();
    let stored = Case::replay(id.clone(), &events).unwrap();
    let p2 = stored.open_task("P2").expect("P2 is open");
    assert!(p2.at_risk_since.is_some() && p2.overdue_since.is_some(), "P2 is flagged at risk and overdue: {p2:?}");
}
