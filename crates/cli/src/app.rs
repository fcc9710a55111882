//! Building and running the service.

use crate::settings::Settings;
use anyhow::Context;
use engine::{Clock, Engine, EngineConfig, Regulations};
use integrations::sim::{SimData, Simulators};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use store::{Store, User};
use store_postgres::PgStore;
use store_sqlite::SqliteStore;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// The system account through which the KNB's answers arrive.
pub const KNB_GATEWAY: &str = "knb-gateway";

/// A demo account and its token (shown once, at start-up).
#[derive(Clone, Debug)]
pub struct DemoAccount {
    pub user: String,
    pub role: String,
    pub unit: String,
    pub token: String,
}

pub struct App {
    pub addr: SocketAddr,
    pub engine: Arc<Engine>,
    pub simulators: Arc<Simulators>,
    pub demo_accounts: Vec<DemoAccount>,
    listener: TcpListener,
    settings: Settings,
}

/// Opens the store, loads the regulation, wires the simulators and binds the listener.
/// `simulators`: reuse running simulators (a test restarting our service while the other
/// agencies' systems stay up); `None` makes new ones from the settings' data.
pub async fn build(settings: Settings, clock: Arc<dyn Clock>, simulators: Option<Arc<Simulators>>) -> anyhow::Result<App> {
    let store: Arc<dyn Store> = if settings.database.starts_with("postgres://") || settings.database.starts_with("postgresql://") {
        // The URL may carry a password: name only the host part in errors.
        let shown = settings.database.rsplit('@').next().unwrap_or("the server");
        Arc::new(PgStore::connect(&settings.database).await.with_context(|| format!("failed to connect to PostgreSQL at {shown}"))?)
    } else {
        let path = std::path::Path::new(&settings.database);
        Arc::new(SqliteStore::open(path).await.with_context(|| format!("failed to open the database {}", path.display()))?)
    };
    let regulations = Regulations::load(&settings.regulations, settings.pinned_edition.clone())
        .map_err(|p| anyhow::anyhow!("the regulation does not load:\n{p}"))?;
    regulations.persist(store.as_ref(), &settings.regulations).await.context("failed to store the regulation's definitions")?;
    if let Some(pinned) = regulations.pinned() {
        anyhow::ensure!(regulations.current(pinned).is_some(), "the pinned edition {pinned} is not among the loaded definitions");
    }
    let simulators = match simulators {
        Some(s) => s,
        None => Arc::new(Simulators::new(SimData::parse(&settings.simulator_data).context("failed to read the simulator data")?)),
    };
    let config = EngineConfig {
        time_zone: calendar::almaty(),
        units: settings.units.clone(),
        calendar: Arc::new(calendar::Calendar::builtin()),
        schedules: settings
            .units
            .iter()
            .filter_map(|u| u.schedule().map(|s| s.map(|s| (u.id.clone(), s))).transpose())
            .collect::<Result<_, String>>()
            .map_err(|e| anyhow::anyhow!("the units' working hours: {e}"))?,
    };
    let engine = Arc::new(Engine::new(store.clone(), simulators.systems(), clock, Arc::new(regulations), config));
    let demo_accounts = seed_accounts(store.as_ref(), &settings).await?;
    let listener = TcpListener::bind(settings.listen).await.with_context(|| format!("failed to listen on {}", settings.listen))?;
    let addr = listener.local_addr()?;
    Ok(App { addr, engine, simulators, demo_accounts, listener, settings })
}

impl App {
    /// Serves until `shutdown` resolves, then stops the background work and returns.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut workers = Vec::new();
        if self.settings.background {
            workers.push(tokio::spawn(outbox_worker(self.engine.clone(), stop_rx.clone())));
            workers.push(tokio::spawn(timer_worker(self.engine.clone(), stop_rx.clone())));
            workers.push(tokio::spawn(knb_simulator(
                self.engine.clone(),
                self.simulators.clone(),
                self.settings.knb_delay,
                stop_rx.clone(),
            )));
        }
        let router = web::router(self.engine.clone());
        tracing::info!(addr = %self.addr, "serving");
        axum::serve(self.listener, router).with_graceful_shutdown(shutdown).await.context("the server failed")?;
        let _ = stop_tx.send(true);
        for w in workers {
            let _ = w.await;
        }
        Ok(())
    }
}

/// Sends the outbox's due messages, woken by commits or every second.
async fn outbox_worker(engine: Arc<Engine>, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        if let Err(e) = engine.dispatch_outbox(50).await {
            tracing::error!(error = %e, "outbox dispatch failed");
        }
        tokio::select! {
            _ = engine.outbox_wait(Duration::from_secs(1)) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Fires due timers every second: warnings, overdue escalations, the end of the term.
async fn timer_worker(engine: Arc<Engine>, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        if let Err(e) = engine.fire_timers(100).await {
            tracing::error!(error = %e, "firing timers failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Delivers the simulated KNB's answers as inbound messages, as its gateway would.
async fn knb_simulator(engine: Arc<Engine>, sims: Arc<Simulators>, delay: Duration, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = stop.changed() => return,
        }
        deliver_knb_answers(&engine, &sims, 1).await;
    }
}

/// Takes up to `max` of the simulated KNB's queued answers and delivers them. An answer the
/// case cannot take is dropped with a log line; one that failed for another reason waits.
pub async fn deliver_knb_answers(engine: &Engine, sims: &Simulators, max: usize) -> usize {
    let gateway = domain::Actor { user: domain::UserId(KNB_GATEWAY.into()), role: "knb_liaison".into(), unit: knb_unit(engine) };
    let mut delivered = 0;
    for answer in sims.knb.take_answers(max) {
        match engine.knb_answer(&gateway, &answer).await {
            Ok(_) => delivered += 1,
            Err(engine::EngineError::Refused(r)) => {
                tracing::warn!(case.id = %answer.case_id, refusal = %r, "KNB answer not taken");
            }
            Err(e) => {
                tracing::warn!(case.id = %answer.case_id, error = %e, "KNB answer delivery failed; will retry");
                sims.knb.put_back(vec![answer]);
                break;
            }
        }
    }
    delivered
}

fn knb_unit(engine: &Engine) -> String {
    engine.config().units.iter().find(|u| u.kind == domain::definition::UnitKind::Knb).map_or_else(|| "knb".into(), |u| u.id.clone())
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// One account per role of each unit (two executors per provider), a supervisor, an
/// administrator, and the KNB gateway's system account; each gets a fresh token.
async fn seed_accounts(store: &dyn Store, settings: &Settings) -> anyhow::Result<Vec<DemoAccount>> {
    use domain::definition::UnitKind;
    let mut wanted: Vec<(String, String, String)> = Vec::new();
    for u in &settings.units {
        let roles: &[&str] = match u.kind {
            UnitKind::ScBranch => &["sc_operator"],
            UnitKind::Provider => &["office", "management", "executor", "executor"],
            UnitKind::Knb => &["knb_liaison"],
        };
        let mut executors = 0;
        for role in roles {
            let id = if *role == "executor" {
                executors += 1;
                format!("executor{executors}@{}", u.id)
            } else {
                format!("{role}@{}", u.id)
            };
            wanted.push((id, role.to_string(), u.id.clone()));
        }
    }
    let knb = settings.units.iter().find(|u| u.kind == UnitKind::Knb).map_or("knb".to_owned(), |u| u.id.clone());
    wanted.push(("supervisor".into(), engine::SUPERVISOR.into(), "ministry".into()));
    wanted.push(("admin".into(), engine::ADMIN.into(), "ministry".into()));
    wanted.push((KNB_GATEWAY.into(), "knb_liaison".into(), knb));
    let mut out = Vec::new();
    if !settings.demo_accounts {
        return Ok(out);
    }
    for (id, role, unit) in wanted {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let user = User {
            id: id.clone(),
            display_name: id.clone(),
            role: role.clone(),
            unit: unit.clone(),
            token_hash: token_hash(&token),
            active: true,
        };
        store.upsert_user(&user).await.context("failed to create the demo accounts")?;
        out.push(DemoAccount { user: id, role, unit, token });
    }
    Ok(out)
}
