//! The outbox under failures: an unavailable system is retried after growing, jittered delays;
//! a rejection or too many failures leave the message dead for an operator; an administrator's
//! retry sends it again and the case goes on.

use crate::*;
use integrations::sim::Fault;
use jiff::{SignedDuration, Timestamp};

const ADMIN: &str = "admin";

/// The case's one outbox message (the KNB request), as the case view shows it.
async fn message(app: &TestApp, case: &str) -> Value {
    let detail = app.case(case).await;
    let outbox = detail["outbox"].as_array().expect("the case view lists its outbox");
    assert_eq!(outbox.len(), 1, "one message: the KNB request: {outbox:?}");
    outbox[0].clone()
}

fn time(v: &Value) -> Timestamp {
    v.as_str().unwrap_or_else(|| panic!("a time, not {v}")).parse().unwrap()
}

/// The ids of the messages `GET /api/outbox{query}` lists, as a supervisor.
async fn listed(app: &TestApp, query: &str) -> Vec<String> {
    let (status, body) = app.get(SUPERVISOR, &format!("/api/outbox{query}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_owned()).collect()
}

/// The step of the case's latest task.
async fn last_step(app: &TestApp, case: &str) -> String {
    app.case(case).await["tasks"].as_array().unwrap().last().unwrap()["step"].as_str().unwrap().to_owned()
}

/// A case waiting at P5 whose KNB request is queued and not yet sent.
async fn case_at_p5(app: &TestApp) -> String {
    let case = app.open_case(PASSPORT_CLEAR).await;
    let r = app.through_front_office_and_checks(&case).await;
    assert_eq!(r["open_steps"], json!(["P5"]));
    case
}

#[tokio::test]
async fn an_unavailable_knb_is_retried_after_growing_delays_and_sent_once_when_it_is_back() {
    let app = TestApp::spawn().await;
    let case = case_at_p5(&app).await;
    app.sims.faults.inject("knb", Fault::Unavailable, 3);

    let policy = app.engine.config().outbox.clone();
    for attempt in 1..=3 {
        assert_eq!(app.dispatch_outbox().await, 0, "attempt {attempt} fails");
        let m = message(&app, &case).await;
        assert_eq!((m["state"].as_str(), m["attempts"].as_u64()), (Some("pending"), Some(attempt)), "{m}");
        assert!(m["last_error"].as_str().unwrap().contains("unavailable"), "{m}");
        // Full jitter: the wait is anywhere up to 2 s doubled per failure, never more.
        let (now, due) = (app.engine.now(), time(&m["due_at"]));
        let wait = due.duration_since(now);
        let ceiling = SignedDuration::from_secs(1 << attempt);
        assert!(wait >= SignedDuration::ZERO && wait <= ceiling, "attempt {attempt}: waits {wait:?}, at most {ceiling:?}");
        assert_eq!(policy.ceiling(attempt as u32), ceiling, "the allowed wait doubles");
        if wait > SignedDuration::ZERO {
            assert_eq!(app.dispatch_outbox().await, 0, "not tried again before its time");
            assert_eq!(message(&app, &case).await["attempts"], attempt, "not even claimed");
        }
        app.clock.set(due);
    }

    assert_eq!(app.dispatch_outbox().await, 1, "the fourth attempt goes through");
    assert_eq!(app.sims.knb.requests_for(&case), 1, "the KNB has the request once");
    let m = message(&app, &case).await;
    assert_eq!((m["state"].as_str(), m["attempts"].as_u64()), (Some("delivered"), Some(4)), "{m}");
    assert!(m["delivered_at"].is_string() && m["dead_at"].is_null(), "{m}");

    app.clock.advance(SignedDuration::from_hours(1));
    assert_eq!(app.dispatch_outbox().await, 0, "a delivered message is not sent again");
    assert_eq!(app.deliver_knb(10).await, 1);
    assert_eq!(last_step(&app, &case).await, "P6");
}

#[tokio::test]
async fn a_rejected_request_is_dead_at_once_and_an_administrators_retry_sends_it() {
    let app = TestApp::spawn().await;
    let case = case_at_p5(&app).await;
    app.sims.faults.inject("knb", Fault::Rejected, 1);

    assert_eq!(app.dispatch_outbox().await, 0);
    let m = message(&app, &case).await;
    let id = m["id"].as_str().unwrap().to_owned();
    assert_eq!((m["state"].as_str(), m["attempts"].as_u64()), (Some("dead"), Some(1)), "a rejection is not retried: {m}");
    assert!(m["last_error"].as_str().unwrap().contains("rejected"), "{m}");
    assert_eq!(time(&m["dead_at"]), app.engine.now());
    assert_eq!(listed(&app, "?state=dead").await, vec![id.clone()], "the operator sees it among the dead");
    assert!(listed(&app, "?state=pending").await.is_empty());
    assert_eq!(listed(&app, "").await, vec![id.clone()], "without a state: every message, as before");

    app.clock.advance(SignedDuration::from_hours(2));
    assert_eq!(app.dispatch_outbox().await, 0, "a dead message is not dispatched");
    assert_eq!(app.sims.knb.requests_for(&case), 0);
    assert_eq!(message(&app, &case).await["attempts"], 1, "nor even claimed");

    // Reading is for supervisors and administrators; retrying for administrators only.
    let (status, body) = app.get(EXECUTOR, "/api/outbox?state=dead").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = app.post(SUPERVISOR, &format!("/api/outbox/{id}/retry"), &json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a supervisor only reads: {body}");
    assert_eq!(message(&app, &case).await["state"], "dead", "the refused retry changed nothing");
    let (status, body) = app.post(ADMIN, "/api/outbox/no-such-message/retry", &json!({})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{body}");
    let (status, body) = app.get(SUPERVISOR, "/api/outbox?state=lost").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("pending, delivered, dead"), "names the allowed values: {body}");

    let (status, retried) = app.post(ADMIN, &format!("/api/outbox/{id}/retry"), &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{retried}");
    assert_eq!((retried["state"].as_str(), retried["attempts"].as_u64()), (Some("pending"), Some(0)), "{retried}");
    assert_eq!(time(&retried["due_at"]), app.engine.now(), "due at once");
    assert!(retried["dead_at"].is_null(), "{retried}");
    let (status, body) = app.post(ADMIN, &format!("/api/outbox/{id}/retry"), &json!({})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("outbox_not_dead")), "{body}");
    assert!(listed(&app, "?state=dead").await.is_empty());

    assert_eq!(app.dispatch_outbox().await, 1, "the retried request goes out");
    assert_eq!(app.sims.knb.requests_for(&case), 1);
    assert_eq!(message(&app, &case).await["state"], "delivered");
    assert_eq!(app.deliver_knb(10).await, 1);
    assert_eq!(last_step(&app, &case).await, "P6", "the case goes on after the KNB's answer");
}

#[tokio::test]
async fn a_request_failing_every_time_is_dead_after_the_last_allowed_attempt() {
    let app = TestApp::spawn().await;
    let case = case_at_p5(&app).await;
    let max = app.engine.config().outbox.max_attempts;
    let cap = app.engine.config().outbox.max_delay;
    app.sims.faults.inject("knb", Fault::Unavailable, max as usize);

    for attempt in 1..=max {
        assert_eq!(app.dispatch_outbox().await, 0, "attempt {attempt} fails");
        let m = message(&app, &case).await;
        let expected = if attempt < max { "pending" } else { "dead" };
        assert_eq!((m["state"].as_str(), m["attempts"].as_u64()), (Some(expected), Some(u64::from(attempt))), "{m}");
        // No wait is longer than the cap.
        app.clock.advance(cap);
    }
    let m = message(&app, &case).await;
    assert!(m["dead_at"].is_string() && m["last_error"].as_str().unwrap().contains("unavailable"), "{m}");
    assert_eq!(app.dispatch_outbox().await, 0, "a dead message waits for an operator");
    assert_eq!(app.sims.knb.requests_for(&case), 0);

    let (status, body) = app.post(ADMIN, &format!("/api/outbox/{}/retry", m["id"].as_str().unwrap()), &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.dispatch_outbox().await, 1, "the KNB is back: the retry goes through");
    assert_eq!(app.sims.knb.requests_for(&case), 1);
}

#[tokio::test]
async fn the_outbox_endpoints_are_in_the_api_description() {
    let app = TestApp::spawn().await;
    let doc: Value = reqwest::get(format!("http://{}/api/openapi.json", app.addr)).await.unwrap().json().await.unwrap();
    let list = &doc["paths"]["/api/outbox"]["get"];
    let params: Vec<&str> = list["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(params, ["state"], "{list}");
    let retry = &doc["paths"]["/api/outbox/{id}/retry"]["post"];
    for status in ["200", "403", "404", "409"] {
        assert!(retry["responses"].get(status).is_some(), "the retry documents {status}: {retry}");
    }
}
