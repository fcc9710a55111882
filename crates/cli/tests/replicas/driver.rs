//! The load: clients that each take a case from the window to its end through whichever replica
//! they pick at random, as staff behind a load balancer would. A request that fails in transit
//! (its replica was killed) is sent again with the same Idempotency-Key to another replica; only
//! answers 200/201 count as acknowledged, and each is remembered for the check.

use crate::cluster::{Cluster, EXECUTOR, HEAD, OFFICE, OPERATOR, SUPERVISOR};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// An action the service acknowledged: the step done on the case, and the version it answered.
#[derive(Clone, Debug)]
pub struct Ack {
    pub case_id: String,
    /// `open` for opening the case, else the step.
    pub step: String,
    pub version: u64,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub acks: Vec<Ack>,
    /// Requests cut off in transit (connection refused or reset) and sent again.
    pub interrupted: u64,
    /// Requests refused because a timer or another command had moved the case on.
    pub conflicts: u64,
    /// Conflicts by step and error code, to tell a stale version from a refusal.
    pub conflict_codes: std::collections::BTreeMap<String, u64>,
    /// Steps refused because an external system failed (nothing was changed; tried again).
    pub unavailable: u64,
    /// Replica addresses that answered at least one request.
    pub served_by: HashMap<String, u64>,
    /// Cases the clients left waiting on purpose, so their timers come due.
    pub idle_cases: Vec<String>,
}

struct Shared {
    addresses: RwLock<Vec<String>>,
    tokens: HashMap<String, String>,
    stop: AtomicBool,
    keys: AtomicU64,
    outcome: std::sync::Mutex<Outcome>,
    client: reqwest::Client,
}

pub struct Load {
    shared: Arc<Shared>,
    clients: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    pub fn start(cluster: &Cluster, clients: usize) -> Load {
        let shared = Arc::new(Shared {
            addresses: RwLock::new(cluster.addresses()),
            tokens: cluster.tokens.clone(),
            stop: AtomicBool::new(false),
            keys: AtomicU64::new(0),
            outcome: Default::default(),
            client: reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("client"),
        });
        let clients = (0..clients).map(|i| tokio::spawn(client(shared.clone(), i as u64))).collect();
        Load { shared, clients }
    }

    pub fn set_addresses(&self, addresses: Vec<String>) {
        *self.shared.addresses.write().expect("not poisoned") = addresses;
    }

    /// Lets each client finish the request in hand, then returns what they saw.
    pub async fn stop(self) -> Outcome {
        self.shared.stop.store(true, Ordering::SeqCst);
        for c in self.clients {
            c.await.expect("a client panicked");
        }
        std::mem::take(&mut *self.shared.outcome.lock().expect("not poisoned"))
    }
}

/// The kinds of case a client takes, in proportions near a real office's.
fn pick_passport(rng: &mut fastrand::Rng) -> (&'static str, bool) {
    match rng.u32(0..100) {
        0..=59 => ("L898902C3", false),
        60..=74 => ("E2222222", false),
        75..=84 => ("K1111111", false),
        85..=92 => ("B7654321", false),
        // Left at the window after the first step: its timers fall due.
        _ => ("L898902C3", true),
    }
}

async fn client(shared: Arc<Shared>, seed: u64) {
    let mut rng = fastrand::Rng::with_seed(seed);
    while !shared.stop.load(Ordering::SeqCst) {
        let (passport, idle) = pick_passport(&mut rng);
        let Some(case) = open_case(&shared, &mut rng, passport).await else { continue };
        if idle {
            perform(&shared, &mut rng, &case, OPERATOR, "SC1", json!({ "outcome": "complete" })).await;
            shared.outcome.lock().expect("not poisoned").idle_cases.push(case);
            continue;
        }
        drive(&shared, &mut rng, &case).await;
    }
}

/// Takes the case through every step open to the clients' roles until it closes, the load
/// stops, or it waits on the KNB for too long (its simulated answer died with a killed replica).
async fn drive(shared: &Shared, rng: &mut fastrand::Rng, case: &str) {
    let mut waiting_since = None;
    while !shared.stop.load(Ordering::SeqCst) {
        let Some(detail) = get(shared, rng, &format!("/api/cases/{case}")).await else { continue };
        if detail["status"] == "closed" {
            return;
        }
        let open: Vec<String> = detail["tasks"]
            .as_array()
            .expect("tasks")
            .iter()
            .filter(|t| t["done_at"].is_null())
            .map(|t| t["step"].as_str().expect("step").to_owned())
            .collect();
        let Some(step) = open.iter().find(|s| s.as_str() != "P5") else {
            // Only the KNB's answer can move the case on.
            let since = *waiting_since.get_or_insert_with(std::time::Instant::now);
            if since.elapsed() > Duration::from_secs(15) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        waiting_since = None;
        let (user, body) = step_request(step, &detail);
        let mut body = body;
        body["version"] = detail["version"].clone();
        perform(shared, rng, case, user, step, body).await;
    }
}

/// Who performs `step` of the case as it stands, and with what outcome and input.
fn step_request(step: &str, detail: &Value) -> (&'static str, Value) {
    let refusing = !detail["refusal"].is_null();
    let facts: Vec<&str> = detail["facts"].as_array().map(|f| f.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    match step {
        "SC1" => (OPERATOR, json!({ "outcome": "complete" })),
        "SC2" => (OPERATOR, json!({ "outcome": "identified" })),
        "SC3" => (OPERATOR, json!({ "outcome": "accepted" })),
        "SC4" => (OPERATOR, json!({})),
        "P1" => (OFFICE, json!({ "outcome": "registered" })),
        "P2" => (HEAD, json!({ "outcome": "assigned", "input": { "assignee": EXECUTOR } })),
        "P3" | "P4" | "P8" => (EXECUTOR, json!({})),
        "P5n" | "P9" => (OFFICE, json!({})),
        "P6" if facts.contains(&"adb.grounds") || facts.contains(&"knb.objected") => {
            let ground = if facts.contains(&"adb.grounds") { "entry_ban" } else { "knb_objection" };
            (
                EXECUTOR,
                json!({ "outcome": "draft_refusal", "input": { "refusal_grounds": { "grounds": [ground], "reasoning": "See the checks." } } }),
            )
        }
        "P6" => (EXECUTOR, json!({ "outcome": "draft_invitation" })),
        "P7" if refusing => (HEAD, json!({ "outcome": "refusal_signed" })),
        "P7" => (HEAD, json!({ "outcome": "invitation_signed" })),
        "SC5" if refusing => (OPERATOR, json!({ "outcome": "refusal_handed_over" })),
        "SC5" => (OPERATOR, json!({ "outcome": "invitation_handed_over" })),
        other => panic!("the load does not know step {other}"),
    }
}

fn address(shared: &Shared, rng: &mut fastrand::Rng) -> String {
    let addresses = shared.addresses.read().expect("not poisoned");
    addresses[rng.usize(0..addresses.len())].clone()
}

fn new_key(shared: &Shared) -> String {
    format!("load-{}-{}", std::process::id(), shared.keys.fetch_add(1, Ordering::SeqCst))
}

/// Sends a request until some replica answers it; a transport failure is retried elsewhere
/// with the same key. Returns the status and body, or `None` once the load stops.
async fn send(
    shared: &Shared,
    rng: &mut fastrand::Rng,
    user: &str,
    path: &str,
    body: Option<&Value>,
    key: Option<&str>,
) -> Option<(StatusCode, Value)> {
    loop {
        let addr = address(shared, rng);
        let url = format!("http://{addr}{path}");
        let mut req = match body {
            Some(b) => shared.client.post(&url).json(b),
            None => shared.client.get(&url),
        };
        req = req.bearer_auth(&shared.tokens[user]);
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        match req.send().await {
            Ok(r) => {
                let status = r.status();
                match r.json::<Value>().await {
                    Ok(v) => {
                        *shared.outcome.lock().expect("not poisoned").served_by.entry(addr).or_default() += 1;
                        return Some((status, v));
                    }
                    // The replica died while answering.
                    Err(_) => shared.outcome.lock().expect("not poisoned").interrupted += 1,
                }
            }
            Err(_) => shared.outcome.lock().expect("not poisoned").interrupted += 1,
        }
        if shared.stop.load(Ordering::SeqCst) && key.is_none() {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn get(shared: &Shared, rng: &mut fastrand::Rng, path: &str) -> Option<Value> {
    match send(shared, rng, SUPERVISOR, path, None, None).await? {
        (StatusCode::OK, v) => Some(v),
        (status, v) => panic!("GET {path}: {status} {v}"),
    }
}

async fn open_case(shared: &Shared, rng: &mut fastrand::Rng, passport: &str) -> Option<String> {
    let key = new_key(shared);
    let body = json!({ "application": application(passport) });
    let (status, v) = send(shared, rng, OPERATOR, "/api/cases", Some(&body), Some(&key)).await?;
    assert_eq!(status, StatusCode::CREATED, "open a case: {v}");
    let case = v["case_id"].as_str().expect("case_id").to_owned();
    let version = v["version"].as_u64().expect("version");
    shared.outcome.lock().expect("not poisoned").acks.push(Ack { case_id: case.clone(), step: "open".into(), version });
    Some(case)
}

/// Performs a step; a conflict (the case moved on meanwhile) is counted and left to the caller's
/// next look at the case.
async fn perform(shared: &Shared, rng: &mut fastrand::Rng, case: &str, user: &str, step: &str, mut body: Value) {
    if body.get("version").is_none() {
        let Some(detail) = get(shared, rng, &format!("/api/cases/{case}")).await else { return };
        body["version"] = detail["version"].clone();
    }
    let key = new_key(shared);
    let Some((status, v)) = send(shared, rng, user, &format!("/api/cases/{case}/steps/{step}"), Some(&body), Some(&key)).await else {
        return;
    };
    match status {
        StatusCode::OK => {
            let version = v["version"].as_u64().expect("version");
            shared.outcome.lock().expect("not poisoned").acks.push(Ack { case_id: case.to_owned(), step: step.to_owned(), version });
        }
        StatusCode::CONFLICT => {
            let mut o = shared.outcome.lock().expect("not poisoned");
            o.conflicts += 1;
            let code = format!("{step}:{}", v["error"]["code"].as_str().unwrap_or("?"));
            *o.conflict_codes.entry(code).or_default() += 1;
        }
        // An external system refused or failed; nothing was changed. The next look retries.
        StatusCode::SERVICE_UNAVAILABLE => {
            shared.outcome.lock().expect("not poisoned").unavailable += 1;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        other => panic!("{step} by {user}: {other} {v}"),
    }
}

fn application(passport: &str) -> Value {
    json!({
        "applicant": { "iin": "061211600012", "surname": "Сейтқали", "given_names": "Әйгерім", "address": "Астана, Бейбітшілік 10" },
        "invitees": [{
            "surname": "Eriksson", "given_names": "Anna Maria", "sex": "F", "birth_date": "1974-08-12", "citizenship": "SWE",
            "passport_number": passport, "passport_expires_on": "2030-04-15"
        }],
        "purpose": "visiting relatives",
        "stay_from": "2027-01-10",
        "stay_to": "2027-02-10",
        "places": ["Astana"],
        "documents_presented": ["identity_document", "application_form", "passport_copy"]
    })
}

fn one_client(cluster: &Cluster) -> Shared {
    Shared {
        addresses: RwLock::new(cluster.addresses()),
        tokens: cluster.tokens.clone(),
        stop: AtomicBool::new(false),
        keys: AtomicU64::new(0),
        outcome: Default::default(),
        client: reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("client"),
    }
}

/// Opens a clear case and takes it to P5 (the KNB request committed); returns its id.
pub async fn to_coordination(cluster: &Cluster) -> String {
    let shared = one_client(cluster);
    let mut rng = fastrand::Rng::with_seed(7);
    let case = open_case(&shared, &mut rng, "L898902C3").await.expect("opened");
    loop {
        let detail = get(&shared, &mut rng, &format!("/api/cases/{case}")).await.expect("read");
        let open: Vec<&str> = detail["tasks"]
            .as_array()
            .expect("tasks")
            .iter()
            .filter(|t| t["done_at"].is_null())
            .filter_map(|t| t["step"].as_str())
            .collect();
        if open == ["P5"] {
            return case;
        }
        let step = *open.first().expect("an open case has an open step");
        let (user, body) = step_request(step, &detail);
        let mut body = body;
        body["version"] = detail["version"].clone();
        perform(&shared, &mut rng, &case, user, step, body).await;
    }
}

/// The case as the supervisor sees it, through any replica.
pub async fn read_case(cluster: &Cluster, case: &str) -> Value {
    let shared = one_client(cluster);
    get(&shared, &mut fastrand::Rng::with_seed(1), &format!("/api/cases/{case}")).await.expect("read")
}
