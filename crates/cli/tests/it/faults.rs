//! The real HTTP adapters against the simulator server over a real socket, under the faults the
//! network brings: a system down at the time of the call and back later, one slower than the
//! timeout, server errors, and KNB callbacks that come twice, out of order or badly signed. In
//! each the case ends right, no step runs twice, and the bad input gets a clear refusal.

use crate::*;
use integrations::contract::{KNB_REQUESTS, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use integrations::signature::{self, Secret};
use integrations::sim::{Fault, SimData};
use integrations_http::Endpoint;
use shaqyru::settings::{SystemChoice, SystemsConfig};
use sim_server::{Callback, SimState};
use std::net::SocketAddr;
use std::time::Duration;

fn secret() -> Secret {
    Secret::new(*b"the gateway secret used in tests").unwrap()
}

/// The simulator server on a real port; it can be stopped and started again on the same port
/// with the same state, as a system going down and coming back.
struct SimServer {
    state: Arc<SimState>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl SimServer {
    async fn start() -> SimServer {
        let state = SimState::new(SimData::parse(integrations::sim::DEMO_DATA).unwrap(), None);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut s = SimServer { state, addr, stop: None, task: None };
        s.run(listener);
        s
    }

    fn run(&mut self, listener: tokio::net::TcpListener) {
        let (tx, rx) = oneshot::channel::<()>();
        self.stop = Some(tx);
        self.task = Some(tokio::spawn(sim_server::serve(listener, self.state.clone(), async {
            let _ = rx.await;
        })));
    }

    async fn down(&mut self) {
        self.stop.take().unwrap().send(()).unwrap();
        self.task.take().unwrap().await.unwrap().unwrap();
    }

    async fn up(&mut self) {
        let listener = tokio::net::TcpListener::bind(self.addr).await.expect("the port is free again");
        self.run(listener);
    }

    fn ok_calls(&self, path: &str) -> u64 {
        self.state.stats().ok.get(path).copied().unwrap_or(0)
    }

    fn calls(&self, path: &str) -> u64 {
        self.state.stats().calls.get(path).copied().unwrap_or(0)
    }
}

/// Our service with every system reached over HTTP at `sim`, answering within a second, and
/// the KNB's callbacks pointed at its gateway door (sent when a test says so).
async fn app_over_http() -> (TestApp, SimServer) {
    let sim = SimServer::start().await;
    let endpoint =
        Endpoint { base_url: format!("http://{}", sim.addr), token: Some("gateway-token".into()), timeout: Duration::from_secs(1) };
    let app = TestApp::spawn_with(move |s| {
        let http = SystemChoice::Http(endpoint.clone());
        s.systems = SystemsConfig { burkit: http.clone(), adb: http.clone(), knb: http.clone(), sc: http };
        s.gateway_secret = Some(secret());
    })
    .await;
    let url = format!("http://{}/gateway/knb/answers", app.addr);
    sim.state.set_callback(Some(Callback { url, secret: secret(), delay: Duration::from_secs(3600) }));
    (app, sim)
}

/// Sends the KNB's queued answers to our gateway door now.
async fn callbacks(sim: &SimServer) -> usize {
    sim.state.send_callbacks(&reqwest::Client::new()).await
}

fn outcomes_of(detail: &Value, step: &str) -> usize {
    detail["history"].as_array().unwrap().iter().filter(|h| h["step"] == step && h["type"] == "outcome_recorded").count()
}

#[tokio::test]
async fn a_system_down_at_the_call_refuses_the_step_cleanly_and_after_it_is_back_each_call_counts_once() {
    let (app, mut sim) = app_over_http().await;
    let case = app.case_at_p1(PASSPORT_CLEAR).await;
    app.ok(OFFICE, &case, "P1", Some("registered"), None).await;
    app.ok(HEAD, &case, "P2", Some("assigned"), Some(json!({ "assignee": EXECUTOR }))).await;
    app.ok(EXECUTOR, &case, "P3", None, None).await;

    sim.down().await;
    let before = app.version(&case).await;
    let (status, body) = app.act(EXECUTOR, &case, "P4", None, None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "system_unavailable");
    assert!(body["error"]["message"].as_str().unwrap().contains("adb"), "names the system: {body}");
    assert_eq!(app.version(&case).await, before, "nothing was recorded");

    sim.up().await;
    let r = app.ok(EXECUTOR, &case, "P4", None, None).await;
    assert_eq!(r["open_steps"], json!(["P5"]));

    // The KNB request waits in the outbox while the KNB is down, and goes once it is back.
    sim.down().await;
    assert_eq!(app.dispatch_outbox().await, 0);
    let (_, outbox) = app.get(SUPERVISOR, "/api/outbox").await;
    let msg = &outbox.as_array().unwrap()[0];
    assert_eq!((msg["state"].as_str(), msg["attempts"].as_u64()), (Some("pending"), Some(1)), "{msg}");
    assert!(msg["last_error"].as_str().unwrap().contains("knb"), "{msg}");
    sim.up().await;
    app.clock.advance(jiff::SignedDuration::from_mins(15));
    assert_eq!(app.dispatch_outbox().await, 1);
    app.clock.advance(jiff::SignedDuration::from_mins(15));
    assert_eq!(app.dispatch_outbox().await, 0, "a delivered message is not sent again");
    assert_eq!(sim.ok_calls(KNB_REQUESTS), 1, "the KNB got the request once");

    assert_eq!(callbacks(&sim).await, 1);
    let detail = app.case(&case).await;
    assert_eq!(outcomes_of(&detail, "P5"), 1);
    assert_eq!(detail["tasks"].as_array().unwrap().last().unwrap()["step"], "P6");
}

#[tokio::test]
async fn a_system_slower_than_the_timeout_changes_nothing_and_the_retry_is_answered_from_the_first_call() {
    let (app, sim) = app_over_http().await;
    let case = app.case_at_p1(PASSPORT_CLEAR).await;
    app.ok(OFFICE, &case, "P1", Some("registered"), None).await;
    app.ok(HEAD, &case, "P2", Some("assigned"), Some(json!({ "assignee": EXECUTOR }))).await;

    sim.state.slow_down("burkit", Duration::from_millis(2500), 1);
    let before = app.version(&case).await;
    let (status, body) = app.act(EXECUTOR, &case, "P3", None, None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("no answer within"), "{body}");
    assert_eq!(app.version(&case).await, before, "nothing was recorded");

    // The slow call still arrives at Бүркіт; the retry carries the same key.
    tokio::time::sleep(Duration::from_millis(2000)).await;
    app.ok(EXECUTOR, &case, "P3", None, None).await;
    let stats = sim.state.stats();
    assert_eq!(stats.calls["/burkit/persons"], 2, "{stats:?}");
    assert_eq!(stats.keys["/burkit/persons"], 1, "both calls carried one idempotency key: {stats:?}");
    assert_eq!(sim.state.sims.burkit.entry(&case).unwrap().persons, 2, "entered once: the applicant and one invitee");
    assert_eq!(outcomes_of(&app.case(&case).await, "P3"), 1);
}

#[tokio::test]
async fn server_errors_refuse_the_step_until_the_system_answers_and_a_refusal_says_so() {
    let (app, sim) = app_over_http().await;
    let case = app.open_case(PASSPORT_CLEAR).await;
    app.ok(OPERATOR, &case, "SC1", Some("complete"), None).await;
    app.ok(OPERATOR, &case, "SC2", Some("identified"), None).await;
    app.ok(OPERATOR, &case, "SC3", Some("accepted"), None).await;

    sim.state.sims.faults.inject("sc", Fault::Unavailable, 2);
    for _ in 0..2 {
        let (status, body) = app.act(OPERATOR, &case, "SC4", None, None).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("500"), "{body}");
    }
    app.ok(OPERATOR, &case, "SC4", None, None).await;
    assert_eq!(sim.calls("/sc/forwarded-documents"), 3);
    assert_eq!(sim.ok_calls("/sc/forwarded-documents"), 1);

    // A refusal (4xx) is not "try again": it is shown as the system's refusal.
    app.ok(OFFICE, &case, "P1", Some("registered"), None).await;
    app.ok(HEAD, &case, "P2", Some("assigned"), Some(json!({ "assignee": EXECUTOR }))).await;
    sim.state.sims.faults.inject("burkit", Fault::Rejected, 1);
    let (status, body) = app.act(EXECUTOR, &case, "P3", None, None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("rejected"), "{body}");
    app.ok(EXECUTOR, &case, "P3", None, None).await;
}

/// Drives a case to P5 and sends the KNB request.
async fn waiting_for_the_knb(app: &TestApp, passport: &str) -> String {
    let case = app.open_case(passport).await;
    app.through_front_office_and_checks(&case).await;
    assert_eq!(app.dispatch_outbox().await, 1);
    case
}

/// Posts a KNB answer to the gateway door, signed with `secret` at `at` (Unix seconds).
async fn post_signed(app: &TestApp, body: &Value, secret: &Secret, at: i64) -> (StatusCode, Value) {
    let bytes = serde_json::to_vec(body).unwrap();
    let r = reqwest::Client::new()
        .post(format!("http://{}/gateway/knb/answers", app.addr))
        .header("content-type", "application/json")
        .header(SIGNATURE_HEADER, signature::sign(secret, at, &bytes))
        .header(TIMESTAMP_HEADER, at.to_string())
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn unix_now() -> i64 {
    engine::Clock::now(&engine::SystemClock).as_second()
}

#[tokio::test]
async fn a_duplicate_callback_is_taken_once() {
    let (app, sim) = app_over_http().await;
    let case = waiting_for_the_knb(&app, PASSPORT_CLEAR).await;
    let answer = sim_server::take_knb_answers(&sim.state, 10).pop().unwrap();
    let body = serde_json::to_value(&answer).unwrap();
    let (first, r1) = post_signed(&app, &body, &secret(), unix_now()).await;
    let (second, r2) = post_signed(&app, &body, &secret(), unix_now()).await;
    assert_eq!((first, second), (StatusCode::OK, StatusCode::OK), "{r1} {r2}");
    assert_eq!(r1["version"], r2["version"], "the second is answered from the first");
    let detail = app.case(&case).await;
    assert_eq!(outcomes_of(&detail, "P5"), 1, "taken once");
}

#[tokio::test]
async fn an_out_of_order_callback_is_refused_and_the_case_follows_the_answer_it_took() {
    let (app, sim) = app_over_http().await;
    let case = waiting_for_the_knb(&app, PASSPORT_KNB_EXTENDS).await;
    let answers = sim_server::take_knb_answers(&sim.state, 10);
    assert_eq!(answers.len(), 2, "first the request for more time, then the agreement");
    // The agreement overtakes the request for more time.
    let (status, body) = post_signed(&app, &serde_json::to_value(&answers[1]).unwrap(), &secret(), unix_now()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = post_signed(&app, &serde_json::to_value(&answers[0]).unwrap(), &secret(), unix_now()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "step_not_open", "{body}");
    let detail = app.case(&case).await;
    assert!(detail["extension"].is_null(), "no extension after the agreement: {detail}");
    let open: Vec<&str> =
        detail["tasks"].as_array().unwrap().iter().filter(|t| t["done_at"].is_null()).map(|t| t["step"].as_str().unwrap()).collect();
    assert_eq!(open, ["P6"]);
}

#[tokio::test]
async fn a_callback_with_a_bad_signature_is_refused_and_changes_nothing() {
    let (app, sim) = app_over_http().await;
    let case = waiting_for_the_knb(&app, PASSPORT_CLEAR).await;
    let answer = sim_server::take_knb_answers(&sim.state, 10).pop().unwrap();
    let body = serde_json::to_value(&answer).unwrap();
    let before = app.version(&case).await;

    let wrong = Secret::new(*b"somebody else's secret, 32 bytes").unwrap();
    let (status, r) = post_signed(&app, &body, &wrong, unix_now()).await;
    assert_eq!((status, r["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("bad_signature")), "{r}");
    let (status, r) = post_signed(&app, &body, &secret(), unix_now() - 3600).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "an old signature is a replay: {r}");
    assert!(r["error"]["message"].as_str().unwrap().contains("seconds"), "{r}");
    let unsigned = reqwest::Client::new().post(format!("http://{}/gateway/knb/answers", app.addr)).json(&body).send().await.unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.version(&case).await, before, "nothing was recorded");

    // The genuine message still goes through.
    let (status, r) = post_signed(&app, &body, &secret(), unix_now()).await;
    assert_eq!(status, StatusCode::OK, "{r}");
}

#[tokio::test]
async fn the_contract_is_served_as_an_openapi_document_naming_every_call() {
    let sim = SimServer::start().await;
    let doc: Value = reqwest::get(format!("http://{}/openapi.json", sim.addr)).await.unwrap().json().await.unwrap();
    let paths: Vec<&str> = doc["paths"].as_object().unwrap().keys().map(String::as_str).collect();
    for path in [
        "/burkit/persons",
        "/burkit/invitations",
        "/adb/checks",
        "/knb/coordination-requests",
        "/sc/forwarded-documents",
        "/sc/extension-notices",
        "/sc/results",
    ] {
        assert!(paths.contains(&path), "{path} missing from {paths:?}");
        let params = doc["paths"][path]["post"]["parameters"].to_string();
        assert!(params.contains("Idempotency-Key"), "{path}: {params}");
    }
    assert!(doc["components"]["schemas"]["ApplicationCall"].is_object());
}
