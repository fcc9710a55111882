//! Building and running the service.

use crate::settings::{Settings, SystemChoice, SystemsConfig};
use anyhow::Context;
use engine::{Clock, Engine, EngineConfig, Regulations};
use integrations::sim::{SimData, Simulators};
use integrations_http::HttpSystem;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use store::{Migrations, SchemaStatus, Store, User};
use store_postgres::{PgOptions, PgStore};
use store_sqlite::SqliteStore;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// The system account through which the KNB's answers arrive.
pub use engine::KNB_GATEWAY;

/// The password of every demo account but the KNB gateway's (a system account that never signs
/// in to the web UI). Printed at start-up: the demo accounts are for trying the service out.
pub const DEMO_PASSWORD: &str = "demo-password";

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
    oidc: Option<Arc<web::OidcSignIn>>,
    /// The store's connections, closed when the server stops.
    database: Database,
}

/// Opens the store, loads the regulation, wires the simulators and binds the listener.
/// `simulators`: reuse running simulators (a test restarting our service while the other
/// agencies' systems stay up); `None` makes new ones from the settings' data.
pub async fn build(settings: Settings, clock: Arc<dyn Clock>, simulators: Option<Arc<Simulators>>) -> anyhow::Result<App> {
    let database = Database::open_with(&settings.database, settings.migrations, settings.pool_size, settings.sqlite_group_commit).await?;
    let store = database.store();
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
        outbox: engine::OutboxPolicy::default(),
    };
    let systems = wire_systems(&settings.systems, &simulators)?;
    let listener = TcpListener::bind(settings.listen).await.with_context(|| format!("failed to listen on {}", settings.listen))?;
    let addr = listener.local_addr()?;
    let documents = crate::keys::documents_config(store.as_ref(), &settings, addr, clock.as_ref()).await?;
    let engine = Arc::new(
        Engine::new(store.clone(), systems, clock, Arc::new(regulations), config)
            .with_documents(documents)
            .with_case_cache(settings.case_cache),
    );
    let demo_accounts = seed_accounts(store.as_ref(), &settings).await?;
    let oidc = oidc_sign_in(&settings, addr).await?;
    Ok(App { addr, engine, simulators, demo_accounts, listener, settings, oidc, database })
}

/// The relying party of the configured identity provider, its redirect URI below the public
/// address. Discovery is tried now; a provider that is down does not stop the service (the
/// password sign-in still works): the sign-in button tries again and says so if it fails.
async fn oidc_sign_in(settings: &Settings, addr: SocketAddr) -> anyhow::Result<Option<Arc<web::OidcSignIn>>> {
    let Some(o) = &settings.oidc else { return Ok(None) };
    let public = settings.public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
    let config = oidc::Config {
        issuer: o.issuer.clone(),
        client_id: o.client_id.clone(),
        client_secret: o.client_secret.clone(),
        redirect_url: format!("{}/login/oidc/callback", public.trim_end_matches('/')),
    };
    let party = oidc::RelyingParty::new(config).context("--oidc-issuer / --public-url")?;
    if let Err(e) = party.discover().await {
        tracing::warn!(error = %e, "the identity provider is not reachable at start-up; sign-in through it will retry");
    }
    Ok(Some(Arc::new(web::OidcSignIn { party, name: o.name.clone() })))
}

/// Links an account to the subject an identity provider knows the person by (`Some`), or
/// unlinks it (`None`). The subject must be 1–255 visible ASCII characters (OpenID Connect's
/// limit), and not linked to another account.
pub async fn link_subject(store: &dyn Store, user_id: &str, subject: Option<&str>) -> anyhow::Result<()> {
    if let Some(sub) = subject {
        check_subject(store, user_id, sub).await?;
    }
    match store.set_oidc_subject(user_id, subject).await {
        Ok(()) => Ok(()),
        Err(store::StoreError::NotFound(_)) => anyhow::bail!("there is no account {user_id} (see `shaqyru users list`)"),
        Err(e) => Err(anyhow::Error::new(e).context("failed to link the subject")),
    }
}

/// Whether `user_id` may be linked to the provider's subject `sub`: a well-formed subject that
/// no other account holds. `users add --oidc-subject` asks before it creates the account, so a
/// refused link leaves no account behind.
pub async fn check_subject(store: &dyn Store, user_id: &str, sub: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        !sub.is_empty() && sub.len() <= 255 && sub.bytes().all(|b| b.is_ascii_graphic()),
        "the subject must be 1 to 255 visible ASCII characters without spaces"
    );
    if let Some(holder) = store.user_by_oidc_subject(sub).await.context("failed to look the subject up")?
        && holder.id != user_id
    {
        anyhow::bail!("the subject is already linked to the account {}; unlink it first (`shaqyru users unlink`)", holder.id);
    }
    Ok(())
}

/// The adapters the engine calls: each system's simulator or its HTTP client.
fn wire_systems(config: &SystemsConfig, sims: &Simulators) -> anyhow::Result<integrations::Systems> {
    let mut systems = sims.systems();
    let http = |name: &'static str, choice: &SystemChoice| -> anyhow::Result<Option<Arc<HttpSystem>>> {
        match choice {
            SystemChoice::Simulated => Ok(None),
            SystemChoice::Http(endpoint) => Ok(Some(Arc::new(HttpSystem::new(name, endpoint.clone()).map_err(anyhow::Error::msg)?))),
        }
    };
    if let Some(h) = http("burkit", &config.burkit)? {
        systems.burkit = h;
    }
    if let Some(h) = http("adb", &config.adb)? {
        systems.adb = h;
    }
    if let Some(h) = http("knb", &config.knb)? {
        systems.knb = h;
    }
    if let Some(h) = http("sc", &config.sc)? {
        systems.sc = h;
    }
    Ok(systems)
}

/// The store of either backend, with what only the concrete backends offer (the schema).
#[derive(Clone)]
pub enum Database {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

impl Database {
    /// Opens `database`: a `postgres://` URL, or else the path of an SQLite file.
    pub async fn open(database: &str, migrations: Migrations, pool_size: u32) -> anyhow::Result<Database> {
        Database::open_with(database, migrations, pool_size, store_sqlite::GroupCommit::default()).await
    }

    /// As [`Database::open`], choosing whether an SQLite store batches concurrent commits.
    pub async fn open_with(
        database: &str,
        migrations: Migrations,
        pool_size: u32,
        group_commit: store_sqlite::GroupCommit,
    ) -> anyhow::Result<Database> {
        if database.starts_with("postgres://") || database.starts_with("postgresql://") {
            // The URL may carry a password: name only the host part in errors.
            let shown = database.rsplit('@').next().unwrap_or("the server");
            let options = PgOptions { pool_size, migrations };
            let store = PgStore::connect_with(database, &options).await.with_context(|| format!("failed to open PostgreSQL at {shown}"))?;
            Ok(Database::Postgres(store))
        } else {
            let path = std::path::Path::new(database);
            let options = store_sqlite::SqliteOptions { migrations, group_commit, ..store_sqlite::SqliteOptions::default() };
            let store = SqliteStore::open_with_options(path, &options)
                .await
                .with_context(|| format!("failed to open the database {}", path.display()))?;
            Ok(Database::Sqlite(store))
        }
    }

    pub fn store(&self) -> Arc<dyn Store> {
        match self {
            Database::Sqlite(s) => Arc::new(s.clone()),
            Database::Postgres(s) => Arc::new(s.clone()),
        }
    }

    pub async fn schema(&self) -> anyhow::Result<SchemaStatus> {
        Ok(match self {
            Database::Sqlite(s) => s.schema().await?,
            Database::Postgres(s) => s.schema().await?,
        })
    }

    /// Applies pending migrations and returns their versions.
    pub async fn migrate(&self) -> anyhow::Result<Vec<i64>> {
        Ok(match self {
            Database::Sqlite(s) => s.migrate().await?,
            Database::Postgres(s) => s.migrate().await?,
        })
    }

    pub async fn close(&self) {
        match self {
            Database::Sqlite(s) => s.close().await,
            Database::Postgres(s) => s.close().await,
        }
    }
}

/// Creates (or replaces) an account and returns its new API token, which is stored only as a
/// hash: the caller shows it once.
pub async fn add_user(store: &dyn Store, id: &str, name: &str, role: &str, unit: &str) -> anyhow::Result<String> {
    anyhow::ensure!(!id.trim().is_empty(), "the user id is empty");
    let token = uuid::Uuid::new_v4().simple().to_string();
    let user = User {
        id: id.to_owned(),
        display_name: name.to_owned(),
        role: role.to_owned(),
        unit: unit.to_owned(),
        token_hash: token_hash(&token),
        active: true,
    };
    store.upsert_user(&user).await.with_context(|| format!("failed to store the account {id}"))?;
    Ok(token)
}

impl App {
    /// Serves until `shutdown` resolves, then stops the background work and returns.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut workers = Vec::new();
        if self.settings.background {
            workers.push(tokio::spawn(outbox_worker(self.engine.clone(), stop_rx.clone())));
            workers.push(tokio::spawn(timer_worker(self.engine.clone(), stop_rx.clone())));
            // A simulated KNB answers through this process; a real one calls the gateway door.
            if matches!(self.settings.systems.knb, SystemChoice::Simulated) {
                workers.push(tokio::spawn(knb_simulator(
                    self.engine.clone(),
                    self.simulators.clone(),
                    self.settings.knb_delay,
                    stop_rx.clone(),
                )));
            }
            if let Some(every) = self.settings.audit_checkpoint_every {
                let anchor = self.settings.audit_anchor_file.clone();
                workers.push(tokio::spawn(audit_worker(self.engine.clone(), every, anchor, stop_rx.clone())));
            }
        }
        // Behind an https:// public address the session cookie never travels in clear text.
        let secure_cookies = self.settings.public_url.as_deref().is_some_and(|u| u.starts_with("https://"));
        let options = web::WebOptions { gateway_secret: self.settings.gateway_secret.clone(), secure_cookies, oidc: self.oidc.clone() };
        let router = web::router_with(self.engine.clone(), options);
        tracing::info!(addr = %self.addr, "serving");
        axum::serve(self.listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await
            .context("the server failed")?;
        let _ = stop_tx.send(true);
        for w in workers {
            let _ = w.await;
        }
        // The listener has moved into the server above, so `self.close()` cannot be called.
        self.database.close().await;
        Ok(())
    }

    /// Closes the store's connections after the writes in progress (for a caller that drives the
    /// engine without [`App::run`]); later writes fail.
    pub async fn close(&self) {
        self.database.close().await;
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

/// How often the timer worker deletes sessions past their absolute end (issue 8).
const SESSION_PURGE_EVERY: Duration = Duration::from_secs(600);

/// Fires due timers every second: warnings, overdue escalations, the end of the term. Every ten
/// minutes it also deletes the web UI's sessions that have reached their end.
async fn timer_worker(engine: Arc<Engine>, mut stop: watch::Receiver<bool>) {
    let mut purged_at: Option<std::time::Instant> = None;
    while !*stop.borrow() {
        if let Err(e) = engine.fire_timers(100).await {
            tracing::error!(error = %e, "firing timers failed");
        }
        if purged_at.is_none_or(|t| t.elapsed() >= SESSION_PURGE_EVERY) {
            match engine.purge_sessions().await {
                Ok(n) => tracing::debug!(sessions.purged = n, "expired sessions deleted"),
                Err(e) => tracing::warn!(error = %e, "deleting expired sessions failed; will retry"),
            }
            purged_at = Some(std::time::Instant::now());
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => {}
        }
    }
}

/// After a failure to read the database, the next try of a checkpoint.
const AUDIT_RETRY: Duration = Duration::from_secs(60);

/// Writes an audit checkpoint whenever the latest is `every` old by the service's clock (the
/// first at start-up when there is none), and appends each to the anchor file if one is set.
/// Looks at the clock every second but reads the database only when a checkpoint falls due. A
/// broken log gets no checkpoint: that is logged as an error, set in the
/// `shaqyru_audit_broken` gauge, and tried again after `every` (at most an hour).
async fn audit_worker(engine: Arc<Engine>, every: Duration, anchor: Option<std::path::PathBuf>, mut stop: watch::Receiver<bool>) {
    let later = |d: Duration| {
        let d = jiff::SignedDuration::try_from(d).unwrap_or(jiff::SignedDuration::MAX);
        engine.now().saturating_add(d).unwrap_or(jiff::Timestamp::MAX)
    };
    let retry_broken = every.min(Duration::from_secs(3600));
    let every = jiff::SignedDuration::try_from(every).unwrap_or(jiff::SignedDuration::MAX);
    let mut next_due = engine.now();
    while !*stop.borrow() {
        if engine.now() >= next_due {
            match engine::audit::checkpoint_if_due(engine.store().as_ref(), engine.clock(), every).await {
                Ok(periodic) => {
                    metrics::gauge!("shaqyru_audit_broken").set(0.0);
                    if let Some(c) = &periodic.written {
                        metrics::gauge!("shaqyru_audit_checkpoint_seq").set(c.seq as f64);
                        if let Some(path) = &anchor
                            && let Err(e) = crate::anchor::append(path, c)
                        {
                            tracing::error!(error = %e, path = %path.display(), checkpoint.seq = c.seq, "cannot append the checkpoint to the anchor file");
                        }
                    }
                    next_due = periodic.next_due;
                }
                Err(engine::audit::AuditError::Broken(problem)) => {
                    // Names a case id and a version at most, never an event's content.
                    tracing::error!(problem = %problem, "the audit log does not verify: no checkpoint written");
                    metrics::gauge!("shaqyru_audit_broken").set(1.0);
                    next_due = later(retry_broken);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "writing the audit checkpoint failed; will retry");
                    next_due = later(AUDIT_RETRY);
                }
            }
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
    let gateway = engine.knb_gateway();
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
    let password_hash = demo_password_hash().await?;
    for (id, role, unit) in wanted {
        let token = add_user(store, &id, &id, &role, &unit).await.context("failed to create the demo accounts")?;
        if id != KNB_GATEWAY {
            // The store's own call: the hash is made once, not per account (argon2 is slow by
            // design). This also clears the account's failed logins and lock at every start.
            store.set_password(&id, Some(password_hash)).await.with_context(|| format!("failed to set the password of {id}"))?;
        }
        out.push(DemoAccount { user: id, role, unit, token });
    }
    Ok(out)
}

/// The argon2id hash of [`DEMO_PASSWORD`], made once per process (tests start many apps).
async fn demo_password_hash() -> anyhow::Result<&'static str> {
    static HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    let hash = HASH.get_or_try_init(|| engine::hash_password(DEMO_PASSWORD)).await.context("failed to hash the demo password")?;
    Ok(hash.as_str())
}
