//! Optimistic concurrency and idempotency.

use crate::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_two_concurrent_conflicting_commands_exactly_one_wins() {
    let app = TestApp::spawn().await;
    for _ in 0..8 {
        let case = app.open_case(PASSPORT_CLEAR).await;
        let v = app.version(&case).await;
        let body = json!({ "version": v, "outcome": "complete" });
        let other = json!({ "version": v, "outcome": "incomplete", "input": { "missing_documents": ["passport_copy"] } });
        let path = format!("/api/cases/{case}/steps/SC1");
        let (a, b) = tokio::join!(app.post(OPERATOR, &path, &body), app.post(OPERATOR, &path, &other));
        let statuses = [a.0, b.0];
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{a:?} {b:?}");
        let loser = if a.0 == StatusCode::OK { &b } else { &a };
        assert_eq!(loser.0, StatusCode::CONFLICT, "{loser:?}");
        assert!(["version_conflict", "step_not_open"].contains(&loser.1["error"]["code"].as_str().unwrap()), "{loser:?}");
        let detail = app.case(&case).await;
        let sc1_outcomes = detail["history"].as_array().unwrap().iter().filter(|h| h["type"] == "outcome_recorded").count();
        assert_eq!(sc1_outcomes, 1);
    }
}

#[tokio::test]
async fn a_retried_command_with_the_same_key_has_one_effect() {
    let app = TestApp::spawn().await;
    let body = json!({ "application": application(PASSPORT_CLEAR) });
    let (s1, first) = app.post_with_key(OPERATOR, "/api/cases", &body, Some("open-1")).await;
    let (s2, second) = app.post_with_key(OPERATOR, "/api/cases", &body, Some("open-1")).await;
    assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::CREATED), "a replay answers as the original did");
    assert_eq!(first["case_id"], second["case_id"]);
    assert_eq!(second["replayed"], true);
    let (_, cases) = app.get(SUPERVISOR, "/api/cases").await;
    assert_eq!(cases.as_array().unwrap().len(), 1);

    let case = first["case_id"].as_str().unwrap();
    let step = json!({ "version": first["version"], "outcome": "complete" });
    let path = format!("/api/cases/{case}/steps/SC1");
    let (a, ra) = app.post_with_key(OPERATOR, &path, &step, Some("sc1-1")).await;
    let (b, rb) = app.post_with_key(OPERATOR, &path, &step, Some("sc1-1")).await;
    assert_eq!((a, b), (StatusCode::OK, StatusCode::OK));
    assert_eq!(ra["version"], rb["version"]);
    assert_eq!(rb["replayed"], true);
    assert_eq!(app.version(case).await, ra["version"].as_u64().unwrap());

    // The same key for a different request is an error, not a silent replay.
    let (s, body) = app.post_with_key(OPERATOR, &path, &json!({ "version": ra["version"], "outcome": "complete" }), Some("sc1-1")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "idempotency_key_reused");
}

#[tokio::test]
async fn a_duplicated_knb_message_is_taken_once() {
    let app = TestApp::spawn().await;
    let case = app.open_case(PASSPORT_CLEAR).await;
    app.through_front_office_and_checks(&case).await;
    let answer = json!({ "case_id": case, "message_id": "knb-777", "answer": "agree" });
    let (s1, r1) = app.post(KNB, "/api/inbound/knb", &answer).await;
    let (s2, r2) = app.post(KNB, "/api/inbound/knb", &answer).await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK), "{r1} {r2}");
    assert_eq!(r2["replayed"], true);
    assert_eq!(r1["open_steps"], json!(["P6"]));
    assert_eq!(app.version(&case).await, r1["version"].as_u64().unwrap());
}

#[tokio::test]
async fn the_knb_request_is_sent_once_however_often_the_outbox_runs() {
    let app = TestApp::spawn().await;
    let case = app.open_case(PASSPORT_CLEAR).await;
    app.through_front_office_and_checks(&case).await;
    assert_eq!(app.dispatch_outbox().await, 1);
    assert_eq!(app.dispatch_outbox().await, 0);
    assert_eq!(app.sims.knb.requests_for(&case), 1);
    let (_, outbox) = app.get(SUPERVISOR, "/api/outbox").await;
    assert_eq!(outbox[0]["state"], "delivered");
    assert_eq!(outbox[0]["kind"], "knb.request_coordination");
}
