//! A server that plays the other agencies' systems (Бүркіт-ІІМ, the АДБ, the KNB, the State
//! Corporation) behind the HTTP/JSON contract of `integrations::contract`, so that the real HTTP
//! adapters are exercised over a real socket. Answers come from the simulators' data file; the
//! KNB's answers are sent back later as signed callbacks, as the gateway would.
//!
//! With `serve_with_idp` it also plays an OpenID Connect identity provider under `/idp`
//! (`idp.rs`), for signing in to the web UI through a provider.
//!
//! For fault drills it takes orders under `/_sim/`: fail the next calls of a system (HTTP 500 or
//! 422), answer slowly, or hold the KNB's callbacks; `/_sim/stats` counts what arrived.
//!
//! Invariant: knows the contract and the simulators; never our store, engine or API.

pub mod idp;

use axum::extract::{Json, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use integrations::contract::{self, AdbAnswer, ApplicationCall, ErrorBody, ExtensionNoticeCall, Receipt, RecordInvitationCall, ResultCall};
use integrations::signature::{self, Secret};
use integrations::sim::{Fault, SimData, Simulators};
use integrations::{AdapterError, Adb, Burkit, CallContext, KnbAnswer, StateCorporation};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where and how the KNB's answers are delivered.
#[derive(Clone, Debug)]
pub struct Callback {
    /// Our service's inbound endpoint, e.g. `http://127.0.0.1:8080/gateway/knb/answers`.
    pub url: String,
    pub secret: Secret,
    /// How long the KNB takes to answer.
    pub delay: Duration,
}

/// Everything the server holds: the simulators, the drill orders and the counts.
pub struct SimState {
    pub sims: Simulators,
    callback: Mutex<Option<Callback>>,
    slow: Mutex<BTreeMap<String, (Duration, usize)>>,
    hold_callbacks: Mutex<bool>,
    stats: Mutex<Stats>,
}

/// What arrived: calls per path, and callbacks sent and failed.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Stats {
    pub calls: BTreeMap<String, u64>,
    /// Distinct idempotency keys per path.
    pub keys: BTreeMap<String, u64>,
    /// Calls answered with success, per path.
    pub ok: BTreeMap<String, u64>,
    pub callbacks_sent: u64,
    pub callbacks_failed: u64,
    #[serde(skip)]
    seen: std::collections::BTreeSet<(String, String)>,
}

impl SimState {
    pub fn new(data: SimData, callback: Option<Callback>) -> Arc<SimState> {
        Arc::new(SimState {
            sims: Simulators::new(data),
            callback: Mutex::new(callback),
            slow: Mutex::default(),
            hold_callbacks: Mutex::new(false),
            stats: Mutex::default(),
        })
    }

    /// Points the KNB's callbacks somewhere else (a test learns its service's port late).
    pub fn set_callback(&self, callback: Option<Callback>) {
        *self.callback.lock().expect("not poisoned") = callback;
    }

    pub fn stats(&self) -> Stats {
        self.stats.lock().expect("not poisoned").clone()
    }

    /// The next `times` calls of `system` take `delay` before answering.
    pub fn slow_down(&self, system: &str, delay: Duration, times: usize) {
        self.slow.lock().expect("not poisoned").insert(system.to_owned(), (delay, times));
    }

    /// Keeps the KNB's answers queued (true) or lets them go (false).
    pub fn hold_callbacks(&self, hold: bool) {
        *self.hold_callbacks.lock().expect("not poisoned") = hold;
    }

    fn count(&self, path: &str, key: &str) {
        let mut s = self.stats.lock().expect("not poisoned");
        *s.calls.entry(path.to_owned()).or_default() += 1;
        if s.seen.insert((path.to_owned(), key.to_owned())) {
            *s.keys.entry(path.to_owned()).or_default() += 1;
        }
    }

    async fn delay(&self, system: &str) {
        let wait = {
            let mut slow = self.slow.lock().expect("not poisoned");
            match slow.get_mut(system) {
                Some((d, n)) if *n > 0 => {
                    *n -= 1;
                    Some(*d)
                }
                _ => None,
            }
        };
        if let Some(d) = wait {
            tokio::time::sleep(d).await;
        }
    }

    /// Sends the KNB's queued answers to the callback, signed; one that fails waits for the next
    /// round. Returns how many were delivered.
    pub async fn send_callbacks(&self, client: &reqwest::Client) -> usize {
        if *self.hold_callbacks.lock().expect("not poisoned") {
            return 0;
        }
        let Some(cb) = self.callback.lock().expect("not poisoned").clone() else { return 0 };
        let mut sent = 0;
        for answer in self.sims.knb.take_answers(50) {
            let body = serde_json::to_vec(&answer).expect("answers serialize");
            let now = unix_now();
            let sig = signature::sign(&cb.secret, now, &body);
            let r = client
                .post(&cb.url)
                .header("content-type", "application/json")
                .header(contract::SIGNATURE_HEADER, sig)
                .header(contract::TIMESTAMP_HEADER, now.to_string())
                .body(body)
                .send()
                .await;
            // 2xx: taken. 409: the case cannot take it (a duplicate or out of turn): the KNB's
            // side gives up on that one. Anything else: try again later.
            match r.map(|r| r.status()) {
                Ok(s) if s.is_success() || s == reqwest::StatusCode::CONFLICT => {
                    sent += 1;
                    self.stats.lock().expect("not poisoned").callbacks_sent += 1;
                }
                _ => {
                    self.stats.lock().expect("not poisoned").callbacks_failed += 1;
                    self.sims.knb.put_back(vec![answer]);
                    break;
                }
            }
        }
        sent
    }

    /// The callback delay, if callbacks are configured.
    fn callback_delay(&self) -> Option<Duration> {
        self.callback.lock().expect("not poisoned").as_ref().map(|c| c.delay)
    }
}

/// The wall clock in Unix seconds: the signing time of a callback, and the simulated identity
/// provider's clock when it serves beside the other systems (`shaqyru simulate`).
#[allow(clippy::disallowed_methods)]
pub fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// The contract's routes and the drill routes.
pub fn router(state: Arc<SimState>) -> axum::Router {
    axum::Router::new()
        .route(contract::BURKIT_PERSONS, post(burkit_persons))
        .route(contract::BURKIT_INVITATIONS, post(burkit_invitations))
        .route(contract::ADB_CHECKS, post(adb_checks))
        .route(contract::KNB_REQUESTS, post(knb_requests))
        .route(contract::SC_DOCUMENTS, post(sc_documents))
        .route(contract::SC_EXTENSION_NOTICES, post(sc_extension_notices))
        .route(contract::SC_RESULTS, post(sc_results))
        .route("/_sim/faults/{system}", post(inject_fault).delete(clear_faults))
        .route("/_sim/slow/{system}", post(slow_down))
        .route("/_sim/callbacks/hold", post(hold).delete(release))
        .route("/_sim/stats", get(stats))
        .route("/openapi.json", get(openapi))
        .with_state(state)
}

/// Serves until `shutdown` resolves, sending the KNB's callbacks beside.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<SimState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with_idp(listener, state, None, shutdown).await
}

/// [`serve`], with the simulated identity provider under `/idp` when one is given.
pub async fn serve_with_idp(
    listener: tokio::net::TcpListener,
    state: Arc<SimState>,
    idp: Option<Arc<idp::SimIdp>>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let sender = tokio::spawn(callback_loop(state.clone()));
    let mut app = router(state);
    if let Some(idp) = idp {
        app = app.merge(idp::router(idp));
    }
    let outcome = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    sender.abort();
    outcome
}

async fn callback_loop(state: Arc<SimState>) {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("an HTTP client");
    loop {
        tokio::time::sleep(state.callback_delay().unwrap_or(Duration::from_secs(1))).await;
        state.send_callbacks(&client).await;
    }
}

/// The call's context; `None` when the idempotency key is missing.
fn ctx(headers: &HeaderMap, case_id: &str, reference: &str) -> Option<CallContext> {
    let key = headers.get(contract::IDEMPOTENCY_HEADER).and_then(|v| v.to_str().ok()).filter(|k| !k.is_empty())?;
    Some(CallContext { case_id: case_id.to_owned(), reference: reference.to_owned(), idempotency_key: key.to_owned() })
}

fn no_key() -> Response {
    error(StatusCode::BAD_REQUEST, "the Idempotency-Key header is required")
}

fn error(status: StatusCode, text: &str) -> Response {
    (status, Json(ErrorBody { error: text.to_owned() })).into_response()
}

/// The drill's failure for this call, or the simulator's own answer mapped to HTTP.
async fn answer<T: Serialize>(
    state: &SimState,
    system: &'static str,
    path: &str,
    ctx: &CallContext,
    work: impl std::future::Future<Output = Result<T, AdapterError>>,
) -> Response {
    state.count(path, &ctx.idempotency_key);
    state.delay(system).await;
    if let Err(e) = state.sims.faults.take(system) {
        return match e {
            AdapterError::Unavailable { .. } => error(StatusCode::INTERNAL_SERVER_ERROR, "simulated outage"),
            AdapterError::Rejected { .. } => error(StatusCode::UNPROCESSABLE_ENTITY, "simulated refusal"),
        };
    }
    match work.await {
        Ok(v) => {
            *state.stats.lock().expect("not poisoned").ok.entry(path.to_owned()).or_default() += 1;
            Json(v).into_response()
        }
        Err(AdapterError::Rejected { detail, .. }) => error(StatusCode::UNPROCESSABLE_ENTITY, &detail),
        Err(AdapterError::Unavailable { detail, .. }) => error(StatusCode::SERVICE_UNAVAILABLE, &detail),
    }
}

/// Бүркіт-ІІМ: enter the applicant and the invitees (P3).
#[utoipa::path(post, path = "/burkit/persons", request_body = ApplicationCall,
    params(("Idempotency-Key" = String, Header, description = "the same key gets the first answer again")),
    responses((status = 200, body = Receipt), (status = 400, body = ErrorBody, description = "no Idempotency-Key"),
        (status = 422, body = ErrorBody, description = "refused: do not retry"), (status = 500, body = ErrorBody, description = "failed: retry later"),
        (status = 503, body = ErrorBody, description = "unavailable: retry later")), security(("bearer" = [])))]
async fn burkit_persons(State(s): State<Arc<SimState>>, headers: HeaderMap, Json(b): Json<ApplicationCall>) -> Response {
    let Some(ctx) = ctx(&headers, &b.case.case_id, &b.case.reference) else { return no_key() };
    let work = async { s.sims.burkit.enter_persons(&ctx, &b.application).await.map(|reference| Receipt { reference }) };
    answer(&s, "burkit", contract::BURKIT_PERSONS, &ctx, work).await
}

/// Бүркіт-ІІМ: record the signed invitation and give its number (P8).
#[utoipa::path(post, path = "/burkit/invitations", request_body = RecordInvitationCall,
    params(("Idempotency-Key" = String, Header, description = "the same key gets the first answer again")),
    responses((status = 200, body = contract::InvitationAnswer), (status = 400, body = ErrorBody, description = "no Idempotency-Key"),
        (status = 422, body = ErrorBody, description = "refused: do not retry"), (status = 500, body = ErrorBody, description = "failed: retry later"),
        (status = 503, body = ErrorBody, description = "unavailable: retry later")), security(("bearer" = [])))]
async fn burkit_invitations(State(s): State<Arc<SimState>>, headers: HeaderMap, Json(b): Json<RecordInvitationCall>) -> Response {
    let Some(ctx) = ctx(&headers, &b.case.case_id, &b.case.reference) else { return no_key() };
    let work = async { s.sims.burkit.record_invitation(&ctx, &b.application, b.issued_on).await.map(contract::InvitationAnswer::from) };
    answer(&s, "burkit", contract::BURKIT_INVITATIONS, &ctx, work).await
}

/// The АДБ database: records on both persons (P4).
#[utoipa::path(post, path = "/adb/checks", request_body = ApplicationCall,
    params(("Idempotency-Key" = String, Header, description = "the same key gets the first answer again")),
    responses((status = 200, body = AdbAnswer), (status = 400, body = ErrorBody, description = "no Idempotency-Key"),
        (status = 422, body = ErrorBody, description = "refused: do not retry"), (status = 500, body = ErrorBody, description = "failed: retry later"),
        (status = 503, body = ErrorBody, description = "unavailable: retry later")), security(("bearer" = [])))]
async fn adb_checks(State(s): State<Arc<SimState>>, headers: HeaderMap, Json(b): Json<ApplicationCall>) -> Response {
    let Some(ctx) = ctx(&headers, &b.case.case_id, &b.case.reference) else { return no_key() };
    let work = async { s.sims.adb.check_persons(&ctx, &b.application).await.map(|records| AdbAnswer { records }) };
    answer(&s, "adb", contract::ADB_CHECKS, &ctx, work).await
}

/// The KNB: a request for coordination (P5); the answer comes later as a signed callback.
#[utoipa::path(post, path = "/knb/coordination-requests", request_body = ApplicationCall,
    params(("Idempotency-Key" = String, Header, description = "the same key gets the first answer again")),
    responses((status = 200, body = Receipt), (status = 400, body = ErrorBody, description = "no Idempotency-Key"),
        (status = 422, body = ErrorBody, description = "refused: do not retry"), (status = 500, body = ErrorBody, description = "failed: retry later"),
        (status = 503, body = ErrorBody, description = "unavailable: retry later")), security(("bearer" = [])))]
async fn knb_requests(State(s): State<Arc<SimState>>, headers: HeaderMap, Json(b): Json<ApplicationCall>) -> Response {
    let Some(ctx) = ctx(&headers, &b.case.case_id, &b.case.reference) else { return no_key() };
    let work = async {
        integrations::Knb::request_coordination(s.sims.knb.as_ref(), &ctx, &b.application).await?;
        Ok(Receipt { reference: format!("KNB-{}", b.case.reference) })
    };
    answer(&s, "knb", contract::KNB_REQUESTS, &ctx, work).await
}

/// The State Corporation: the documents were forwarded to the provider (SC4).
#[utoipa::path(post, path = "/sc/forwarded-documents", request_body = contract::CaseRef,
    params(("Idempotency-Key" = String, Header, description = "the same key gets the first answer again")),
    responses((status = 200, body = Receipt), (status = 400, body = ErrorBody, description = "no Idempotency-Key"),
        (status = 422, body = ErrorBody, description = "refused: do not retry"), (status = 500, body = ErrorBody, description = "failed: retry later"),
        (status = 503, body = ErrorBody, description = "unavailable: retry later")), security(("bearer" = [])))]
async fn sc_documents(State(s): State<Arc<SimState>>, headers: HeaderMap, Json(b): Json<contract::CaseRef>) -> Response {
    let Some(ctx) = ctx(&headers, &b.case_id, &b.reference) else { return no_key() };
    let work = async { s.sims.sc.forward_documents(&ctx).await.map(|reference| Receipt { reference }) };
    answer(&s, "sc", contract::SC_DOCUMENTS, &ctx, work).await
}

/// The State Corporation: the applicant is told of the KNB extension (P5n).
#[utoipa::path(post, path = "/sc/extension-notices", request_body = ExtensionNoticeCall,
    params(("Idempotency-Key" = String, Header, description = "the same key gets the first answer again")),
    responses((status = 200, body = Receipt), (status = 400, body = ErrorBody, description = "no Idempotency-Key"),
        (status = 422, body = ErrorBody, description = "refused: do not retry"), (status = 500, body = ErrorBody, description = "failed: retry later"),
        (status = 503, body = ErrorBody, description = "unavailable: retry later")), security(("bearer" = [])))]
async fn sc_extension_notices(State(s): State<Arc<SimState>>, headers: HeaderMap, Json(b): Json<ExtensionNoticeCall>) -> Response {
    let Some(ctx) = ctx(&headers, &b.case.case_id, &b.case.reference) else { return no_key() };
    let work = async { s.sims.sc.send_extension_notice(&ctx, b.days, &b.reason).await.map(|reference| Receipt { reference }) };
    answer(&s, "sc", contract::SC_EXTENSION_NOTICES, &ctx, work).await
}

/// The State Corporation: the result is ready for the applicant (P9).
#[utoipa::path(post, path = "/sc/results", request_body = ResultCall,
    params(("Idempotency-Key" = String, Header, description = "the same key gets the first answer again")),
    responses((status = 200, body = Receipt), (status = 400, body = ErrorBody, description = "no Idempotency-Key"),
        (status = 422, body = ErrorBody, description = "refused: do not retry"), (status = 500, body = ErrorBody, description = "failed: retry later"),
        (status = 503, body = ErrorBody, description = "unavailable: retry later")), security(("bearer" = [])))]
async fn sc_results(State(s): State<Arc<SimState>>, headers: HeaderMap, Json(b): Json<ResultCall>) -> Response {
    let Some(ctx) = ctx(&headers, &b.case.case_id, &b.case.reference) else { return no_key() };
    let work = async { s.sims.sc.send_result(&ctx, &b.result).await.map(|reference| Receipt { reference }) };
    answer(&s, "sc", contract::SC_RESULTS, &ctx, work).await
}

/// The contract our HTTP adapters speak, as the other systems (through the gateway) must serve it.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "Shaqyru: the external systems' contract", description = "What Shaqyru calls at the e-government gateway for Бүркіт-ІІМ, the АДБ, the KNB and the State Corporation. The KNB's answers come back to Shaqyru's POST /gateway/knb/answers, signed (see Shaqyru's own API description)."),
    paths(burkit_persons, burkit_invitations, adb_checks, knb_requests, sc_documents, sc_extension_notices, sc_results),
    components(schemas(ApplicationCall, RecordInvitationCall, ExtensionNoticeCall, ResultCall, contract::CaseRef, Receipt, AdbAnswer, contract::InvitationAnswer, ErrorBody)),
    modifiers(&GatewayToken)
)]
pub struct ContractDoc;

struct GatewayToken;

impl utoipa::Modify for GatewayToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(<ContractDoc as utoipa::OpenApi>::openapi())
}

/// A drill order: fail the next `times` calls.
#[derive(Deserialize)]
struct FaultOrder {
    fault: Fault,
    times: usize,
}

const SYSTEMS: [&str; 4] = ["burkit", "adb", "knb", "sc"];

fn unknown(system: &str) -> Option<Response> {
    (!SYSTEMS.contains(&system)).then(|| error(StatusCode::NOT_FOUND, "systems are burkit, adb, knb and sc"))
}

async fn inject_fault(State(s): State<Arc<SimState>>, Path(system): Path<String>, Json(o): Json<FaultOrder>) -> Response {
    if let Some(r) = unknown(&system) {
        return r;
    }
    s.sims.faults.inject(&system, o.fault, o.times);
    StatusCode::NO_CONTENT.into_response()
}

async fn clear_faults(State(s): State<Arc<SimState>>, Path(system): Path<String>) -> Response {
    if let Some(r) = unknown(&system) {
        return r;
    }
    s.sims.faults.clear_system(&system);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct SlowOrder {
    millis: u64,
    times: usize,
}

async fn slow_down(State(s): State<Arc<SimState>>, Path(system): Path<String>, Json(o): Json<SlowOrder>) -> Response {
    if let Some(r) = unknown(&system) {
        return r;
    }
    s.slow_down(&system, Duration::from_millis(o.millis), o.times);
    StatusCode::NO_CONTENT.into_response()
}

async fn hold(State(s): State<Arc<SimState>>) -> StatusCode {
    s.hold_callbacks(true);
    StatusCode::NO_CONTENT
}

async fn release(State(s): State<Arc<SimState>>) -> StatusCode {
    s.hold_callbacks(false);
    StatusCode::NO_CONTENT
}

async fn stats(State(s): State<Arc<SimState>>) -> Json<Stats> {
    Json(s.stats())
}

/// Queued KNB answers, for tests that deliver them by hand.
pub fn take_knb_answers(state: &SimState, max: usize) -> Vec<KnbAnswer> {
    state.sims.knb.take_answers(max)
}
