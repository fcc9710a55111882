//! Integration tests over the HTTP API against a real SQLite file: the `TestApp` boots the real
//! service on port 0 with a manual clock, acts as each role, and drives the outbox and the
//! simulated KNB step by step.

mod accounts;
mod api;
mod audit;
mod authz;
mod cache;
mod cli;
mod compliance;
mod concurrency;
mod deadlines;
mod documents;
mod faults;
mod metrics;
mod oidc;
mod outbox;
mod paths;
mod restart;
mod retention;
mod timers;
mod ui;
mod views;

use engine::ManualClock;
use integrations::sim::Simulators;
use reqwest::StatusCode;
use serde_json::{Value, json};
use shaqyru::{App, Settings, build};
use std::collections::HashMap;
use std::sync::Arc;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const OPERATOR: &str = "sc_operator@sc-astana-1";
pub const OFFICE: &str = "office@mvd-astana";
pub const HEAD: &str = "management@mvd-astana";
pub const EXECUTOR: &str = "executor1@mvd-astana";
pub const EXECUTOR2: &str = "executor2@mvd-astana";
pub const KNB: &str = "knb_liaison@knb";
pub const SUPERVISOR: &str = "supervisor";
pub const ALMATY_OFFICE: &str = "office@mvd-almaty";
pub const ALMATY_OPERATOR: &str = "sc_operator@sc-almaty-1";

/// Passport numbers the shipped simulator data treats specially.
pub const PASSPORT_CLEAR: &str = "L898902C3";
pub const PASSPORT_ADB_BAN: &str = "B7654321";
pub const PASSPORT_KNB_OBJECTS: &str = "K1111111";
pub const PASSPORT_KNB_EXTENDS: &str = "E2222222";

pub struct TestApp {
    pub addr: std::net::SocketAddr,
    pub engine: Arc<engine::Engine>,
    pub sims: Arc<Simulators>,
    pub clock: Arc<ManualClock>,
    pub dir: TempDir,
    tokens: HashMap<String, String>,
    client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<anyhow::Result<()>>>,
    keys: std::sync::atomic::AtomicU64,
    key_prefix: String,
    change: Arc<dyn Fn(&mut Settings) + Send + Sync>,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// A test app with changed settings (units, hours…).
    pub async fn spawn_with(change: impl Fn(&mut Settings) + Send + Sync + 'static) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        // 10:00 in Astana on a Tuesday.
        let clock = Arc::new(ManualClock::new("2026-11-24T05:00:00Z".parse().unwrap()));
        Self::start(dir, clock, None, Arc::new(change)).await
    }

    async fn start(
        dir: TempDir,
        clock: Arc<ManualClock>,
        sims: Option<Arc<Simulators>>,
        change: Arc<dyn Fn(&mut Settings) + Send + Sync>,
    ) -> TestApp {
        let mut settings = Settings {
            database: test_database(&dir).await,
            listen: "127.0.0.1:0".parse().unwrap(),
            background: false,
            ..Settings::default()
        };
        change(&mut settings);
        let app: App = build(settings, clock.clone(), sims).await.expect("the app builds");
        let tokens = app.demo_accounts.iter().map(|a| (a.user.clone(), a.token.clone())).collect();
        let (addr, engine, sims) = (app.addr, app.engine.clone(), app.simulators.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run(async {
            let _ = rx.await;
        }));
        TestApp {
            addr,
            engine,
            sims,
            clock,
            dir,
            tokens,
            client: reqwest::Client::new(),
            stop: Some(tx),
            server: Some(server),
            keys: Default::default(),
            key_prefix: uuid::Uuid::new_v4().simple().to_string(),
            change,
        }
    }

    /// Stops the server and starts a new one on the same database file; the other agencies'
    /// simulated systems keep running, as they would in life.
    pub async fn restart(mut self) -> TestApp {
        self.stop.take().unwrap().send(()).unwrap();
        self.server.take().unwrap().await.unwrap().unwrap();
        let (dir, clock, sims, change) = (self.dir, self.clock, self.sims, self.change);
        drop(self.engine);
        Self::start(dir, clock, Some(sims), change).await
    }

    pub fn token(&self, user: &str) -> &str {
        self.tokens.get(user).unwrap_or_else(|| panic!("no demo account {user}"))
    }

    pub fn new_key(&self) -> String {
        // Unique across restarts too: a key is never reused for another request by accident.
        format!("key-{}-{}", self.key_prefix, self.keys.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
    }

    pub async fn get(&self, user: &str, path: &str) -> (StatusCode, Value) {
        let r = self.client.get(format!("http://{}{path}", self.addr)).bearer_auth(self.token(user)).send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post_with_key(&self, user: &str, path: &str, body: &Value, key: Option<&str>) -> (StatusCode, Value) {
        let mut req = self.client.post(format!("http://{}{path}", self.addr)).bearer_auth(self.token(user)).json(body);
        if let Some(key) = key {
            req = req.header("Idempotency-Key", key);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, user: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        self.post_with_key(user, path, body, Some(&self.new_key())).await
    }

    pub async fn case(&self, case_id: &str) -> Value {
        let (status, body) = self.get(SUPERVISOR, &format!("/api/cases/{case_id}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    pub async fn version(&self, case_id: &str) -> u64 {
        self.case(case_id).await["version"].as_u64().unwrap()
    }

    /// Opens a case at the Astana front office for one invitee with this passport.
    pub async fn open_case(&self, passport: &str) -> String {
        let (status, body) = self.post(OPERATOR, "/api/cases", &json!({ "application": application(passport) })).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["open_steps"], json!(["SC1"]));
        body["case_id"].as_str().unwrap().to_owned()
    }

    /// Performs a step as `user` at the case's current version.
    pub async fn act(&self, user: &str, case_id: &str, step: &str, outcome: Option<&str>, input: Option<Value>) -> (StatusCode, Value) {
        let version = self.version(case_id).await;
        let mut body = json!({ "version": version });
        if let Some(o) = outcome {
            body["outcome"] = json!(o);
        }
        if let Some(i) = input {
            body["input"] = i;
        }
        self.post(user, &format!("/api/cases/{case_id}/steps/{step}"), &body).await
    }

    /// Like `act`, and the step must be accepted.
    pub async fn ok(&self, user: &str, case_id: &str, step: &str, outcome: Option<&str>, input: Option<Value>) -> Value {
        let (status, body) = self.act(user, case_id, step, outcome, input).await;
        assert_eq!(status, StatusCode::OK, "{step} by {user}: {body}");
        body
    }

    /// Sends the due outbox messages (the KNB coordination requests).
    pub async fn dispatch_outbox(&self) -> usize {
        self.engine.dispatch_outbox(100).await.unwrap()
    }

    /// Fires the timers due at the clock's time.
    pub async fn fire_timers(&self) -> usize {
        self.engine.fire_timers(1000).await.unwrap()
    }

    /// Delivers up to `max` of the simulated KNB's queued answers.
    pub async fn deliver_knb(&self, max: usize) -> usize {
        shaqyru::app::deliver_knb_answers(&self.engine, &self.sims, max).await
    }

    /// A new case whose documents have reached the provider: SC1–SC4 done, P1 open.
    pub async fn case_at_p1(&self, passport: &str) -> String {
        let case = self.open_case(passport).await;
        self.front_office(&case).await;
        case
    }

    /// The front office's steps: SC1–SC3 accepted, SC4 forwarded.
    async fn front_office(&self, case_id: &str) {
        self.ok(OPERATOR, case_id, "SC1", Some("complete"), None).await;
        self.ok(OPERATOR, case_id, "SC2", Some("identified"), None).await;
        self.ok(OPERATOR, case_id, "SC3", Some("accepted"), None).await;
        self.ok(OPERATOR, case_id, "SC4", None, None).await;
    }

    /// From a new application to step P5 (waiting for the KNB): SC1–SC4, P1–P4.
    pub async fn through_front_office_and_checks(&self, case_id: &str) -> Value {
        self.front_office(case_id).await;
        self.ok(OFFICE, case_id, "P1", Some("registered"), None).await;
        self.ok(HEAD, case_id, "P2", Some("assigned"), Some(json!({ "assignee": EXECUTOR }))).await;
        self.ok(EXECUTOR, case_id, "P3", None, None).await;
        self.ok(EXECUTOR, case_id, "P4", None, None).await
    }
}

/// The database a test app runs on: a fresh SQLite file, or, with
/// `SHAQYRU_TEST_BACKEND=postgres`, a fresh schema on the PostgreSQL server named by
/// `SHAQYRU_TEST_POSTGRES` (default: the machine's server, database `test`). The schema's name
/// is kept in the temporary directory, so a restarted app finds the same one.
pub async fn test_database(dir: &TempDir) -> String {
    if std::env::var("SHAQYRU_TEST_BACKEND").as_deref() != Ok("postgres") {
        return dir.path().join("shaqyru.sqlite").display().to_string();
    }
    let marker = dir.path().join("postgres-schema");
    let schema = match std::fs::read_to_string(&marker) {
        Ok(s) => s,
        Err(_) => {
            let s = format!("app_{}", uuid::Uuid::new_v4().simple());
            std::fs::write(&marker, &s).unwrap();
            s
        }
    };
    let base = std::env::var("SHAQYRU_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    store_postgres::create_schema(&base, &schema)
        .await
        .unwrap_or_else(|e| panic!("cannot prepare the PostgreSQL schema {schema} at {base}: {e}"));
    format!("{base}?options=-c%20search_path%3D{schema}")
}

/// A valid application with one invitee; the passport number selects the simulators' answers.
pub fn application(passport: &str) -> Value {
    json!({
        "applicant": {
            "iin": "061211600012",
            "surname": "Сейтқали",
            "given_names": "Әйгерім",
            "address": "Астана, Сарыарқа ауданы, Бейбітшілік 10"
        },
        "invitees": [{
            "surname": "Eriksson",
            "given_names": "Anna Maria",
            "sex": "F",
            "birth_date": "1974-08-12",
            "citizenship": "SWE",
            "passport_number": passport,
            "passport_expires_on": "2030-04-15"
        }],
        "purpose": "visiting relatives",
        "stay_from": "2027-01-10",
        "stay_to": "2027-02-10",
        "places": ["Astana", "Almaty"],
        "documents_presented": ["identity_document", "application_form", "passport_copy"]
    })
}
