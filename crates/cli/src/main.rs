//! The `shaqyru` binary: `serve` runs the service; `migrate` brings the database's schema up to
//! date; `users` manages accounts (API tokens, web UI passwords); `regulation check|show` validates and prints a definition
//! of the regulation; `calendar days|explain` and `deadlines` show the working calendar.

mod audit_cmd;
mod calendar_cmd;
mod deadlines_cmd;
mod keys_cmd;
mod purge_cmd;
mod regulation_cmd;

use anyhow::Context;
use clap::{Parser, Subcommand};
use domain::text::Lang;
use shaqyru::app::Database;
use shaqyru::{Settings, build, settings};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// mimalloc: the request handlers spent a quarter of their time in the system's `malloc` and
/// `free` (decision 40).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "shaqyru", version, about = "Case management for invitations to Kazakhstan on private matters")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

// Parsed once at start-up; boxing the serve arguments would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Cmd {
    /// Run the service (SQLite file in the working directory by default).
    Serve(ServeArgs),
    /// Check or print a definition of the regulation.
    Regulation {
        #[command(subcommand)]
        command: RegulationCmd,
    },
    /// Kazakhstan's working calendar: the days of a year, and deadline arithmetic explained.
    Calendar {
        #[command(subcommand)]
        command: CalendarCmd,
    },
    /// Each step's latest finish for an application accepted at a moment (or every acceptance hour
    /// of a year), and whether the regulation's limits fit inside its term.
    Deadlines(deadlines_cmd::Args),
    /// Serve the other agencies' systems (simulated) behind their HTTP contract, for drills and
    /// tests of the HTTP adapters. The KNB's answers go to --callback, signed with the secret in
    /// SHAQYRU_GATEWAY_SECRET.
    Simulate(SimulateArgs),
    /// Apply the database's pending schema migrations (or, with --status, only show them).
    Migrate(MigrateArgs),
    /// Accounts: people (API tokens, web UI passwords) and the other agencies' systems.
    Users {
        #[command(subcommand)]
        command: UsersCmd,
    },
    /// Officials' signing keys for the documents they sign.
    Keys {
        #[command(subcommand)]
        command: keys_cmd::KeysCmd,
    },
    /// Issued invitations: revoke one.
    Invitations {
        #[command(subcommand)]
        command: keys_cmd::InvitationsCmd,
    },
    /// The tamper-evident audit log: verify every case's hash chain, write a checkpoint.
    Audit {
        #[command(subcommand)]
        command: audit_cmd::AuditCmd,
    },
    /// Redact the personal data of closed cases past their edition's retention period, leaving
    /// a tombstone each so that the audit log still verifies (--dry-run: only count).
    Purge(purge_cmd::PurgeArgs),
}

#[derive(clap::Args)]
struct DatabaseArg {
    /// The SQLite database file, or a postgres:// URL.
    #[arg(long, env = "SHAQYRU_DATABASE", default_value = "shaqyru.sqlite")]
    database: String,
}

#[derive(clap::Args)]
struct SimulateArgs {
    #[arg(long, env = "SHAQYRU_SIMULATE_LISTEN", default_value = "127.0.0.1:8090")]
    listen: SocketAddr,
    /// The simulators' data file; default: the shipped demo data.
    #[arg(long, env = "SHAQYRU_SIMULATOR_DATA")]
    data: Option<PathBuf>,
    /// Where the KNB's answers are sent, e.g. http://127.0.0.1:8080/gateway/knb/answers.
    #[arg(long, env = "SHAQYRU_KNB_CALLBACK")]
    callback: Option<String>,
    /// How long the KNB takes to answer: seconds, or a duration such as 200ms.
    #[arg(long, default_value = "5", value_parser = parse_delay)]
    knb_delay: Duration,
    /// The client id the simulated identity provider (at http://LISTEN/idp) knows.
    #[arg(long, env = "SHAQYRU_OIDC_CLIENT_ID", default_value = "shaqyru")]
    oidc_client_id: String,
    /// A file with the client's secret; default: the demo secret `demo-oidc-secret`.
    #[arg(long, env = "SHAQYRU_OIDC_CLIENT_SECRET_FILE")]
    oidc_client_secret_file: Option<PathBuf>,
    /// The redirect URIs the simulated provider accepts (comma-separated); default: any.
    #[arg(long, value_delimiter = ',')]
    oidc_redirect_uri: Vec<String>,
}

#[derive(clap::Args)]
struct MigrateArgs {
    #[command(flatten)]
    db: DatabaseArg,
    /// Show the applied and pending versions without changing anything.
    #[arg(long)]
    status: bool,
}

#[derive(Subcommand)]
enum UsersCmd {
    /// Create an account, or replace one with the same id, and print its new API token once.
    Add {
        #[command(flatten)]
        db: DatabaseArg,
        /// The sign-in id, e.g. executor1@mvd-astana.
        #[arg(long)]
        id: String,
        /// The name shown to colleagues; default: the id.
        #[arg(long)]
        name: Option<String>,
        /// sc_operator, office, management, executor, knb_liaison, supervisor or admin.
        #[arg(long)]
        role: String,
        /// The unit from the units file (for supervisors and admins: ministry).
        #[arg(long)]
        unit: String,
        /// Also set a password for the web UI, read from standard input as with `users password`.
        #[arg(long)]
        password_stdin: bool,
        /// Also link the account to this subject (`sub`) of the identity provider, as with
        /// `users link`.
        #[arg(long)]
        oidc_subject: Option<String>,
    },
    /// Link an account to the subject (`sub`) the OpenID Connect provider knows the person by,
    /// so that they can sign in through it. The account's role and unit stay as they are.
    Link {
        #[command(flatten)]
        db: DatabaseArg,
        user_id: String,
        subject: String,
    },
    /// Remove an account's link to the identity provider.
    Unlink {
        #[command(flatten)]
        db: DatabaseArg,
        user_id: String,
    },
    /// List the accounts: id, role, unit, active.
    List {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Set the password a person signs in to the web UI with, and end their sessions. The
    /// password is read from standard input: one line, or, at a terminal, typed twice without
    /// echo. At least 12 characters, and not the user id.
    Password {
        #[command(flatten)]
        db: DatabaseArg,
        /// The account's id, e.g. executor1@mvd-astana.
        user_id: String,
    },
    /// Disable an account: its password, token and sessions open nothing from now on (the
    /// account and its history stay).
    Disable {
        #[command(flatten)]
        db: DatabaseArg,
        user_id: String,
    },
    /// Enable a disabled account again.
    Enable {
        #[command(flatten)]
        db: DatabaseArg,
        user_id: String,
    },
}

#[derive(Subcommand)]
enum CalendarCmd {
    /// One line per date: `YYYY-MM-DD<TAB>working` or `YYYY-MM-DD<TAB>non-working<TAB>reason`.
    Days { year: i16 },
    /// Adds a limit to a local date and time in standard office hours and explains the result.
    Explain {
        /// Local time in Kazakhstan, e.g. 2025-03-20T17:30.
        #[arg(long)]
        from: String,
        /// e.g. "3 working days", "10 working minutes", "1 working hour", "5 calendar days".
        #[arg(long)]
        add: String,
    },
}

#[derive(clap::Args)]
struct ServeArgs {
    /// The SQLite database file, or a postgres:// URL.
    #[arg(long, env = "SHAQYRU_DATABASE", default_value = "shaqyru.sqlite")]
    database: String,
    /// Address to listen on.
    #[arg(long, env = "SHAQYRU_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Extra definition files of the regulation (the 2018 edition is built in).
    #[arg(long = "regulation", env = "SHAQYRU_REGULATION", value_delimiter = ',')]
    regulations: Vec<PathBuf>,
    /// The edition new cases use whatever the date; "none" to choose by date.
    #[arg(long, env = "SHAQYRU_EDITION", default_value = "2018")]
    edition: String,
    /// A units file ([[units]] with id, kind, name, provider); default: the demo units.
    #[arg(long, env = "SHAQYRU_UNITS")]
    units: Option<PathBuf>,
    /// The simulators' data file; default: the shipped demo data.
    #[arg(long, env = "SHAQYRU_SIMULATOR_DATA")]
    simulator_data: Option<PathBuf>,
    /// How long the simulated KNB takes to answer: seconds, or a duration such as 200ms or 1m.
    #[arg(long, env = "SHAQYRU_KNB_DELAY", default_value = "5", value_parser = parse_delay)]
    knb_delay: Duration,
    /// Do not apply pending schema migrations: refuse to start until `shaqyru migrate` has.
    /// (A schema newer than this build is always refused.)
    #[arg(long, env = "SHAQYRU_NO_MIGRATE")]
    no_migrate: bool,
    /// PostgreSQL connections this process keeps at most.
    #[arg(long, env = "SHAQYRU_POOL_SIZE", default_value_t = store_postgres::DEFAULT_POOL_SIZE)]
    pool_size: u32,
    /// SQLite: commits in flight at once share one transaction and one fsync ("on"), or each
    /// commit is its own ("off").
    #[arg(long, env = "SHAQYRU_SQLITE_GROUP_COMMIT", default_value = "on", value_parser = parse_group_commit)]
    sqlite_group_commit: store_sqlite::GroupCommit,
    /// Open cases whose state is kept in memory between commands, so that a command does not
    /// read and replay the case's events (0: none). Each takes a few kilobytes.
    #[arg(long, env = "SHAQYRU_CASE_CACHE", default_value_t = engine::DEFAULT_CASE_CACHE)]
    case_cache: usize,
    /// Do not create the demo accounts (create real ones with `shaqyru users add`).
    #[arg(long, env = "SHAQYRU_NO_DEMO_ACCOUNTS")]
    no_demo_accounts: bool,
    /// Reach all four external systems at this base URL (the e-government gateway), unless one
    /// is set on its own below. Default: every system simulated in this process.
    #[arg(long, env = "SHAQYRU_SYSTEMS")]
    systems: Option<String>,
    /// Бүркіт-ІІМ: "sim" or a base URL.
    #[arg(long, env = "SHAQYRU_BURKIT")]
    burkit: Option<String>,
    /// The АДБ database: "sim" or a base URL.
    #[arg(long, env = "SHAQYRU_ADB")]
    adb: Option<String>,
    /// The KNB: "sim" or a base URL (its answers then arrive at /gateway/knb/answers).
    #[arg(long, env = "SHAQYRU_KNB")]
    knb: Option<String>,
    /// The State Corporation's system: "sim" or a base URL.
    #[arg(long, env = "SHAQYRU_SC")]
    sc: Option<String>,
    /// How long a call to an external system may take before it counts as failed.
    #[arg(long, env = "SHAQYRU_SYSTEM_TIMEOUT", default_value = "10", value_parser = parse_delay)]
    system_timeout: Duration,
    /// Simulated time for training and tests: `start=INSTANT,speed=N[,anchor=INSTANT]` shows
    /// START at the wall-clock ANCHOR (default: now) and runs N times faster. Replicas given the
    /// same value agree on the time.
    #[arg(long, env = "SHAQYRU_CLOCK")]
    clock: Option<String>,
    /// The directory of the officials' private signing keys (`shaqyru keys create`); without
    /// it, demo heads get a key in memory at start-up.
    #[arg(long, env = "SHAQYRU_KEYS_DIR")]
    keys_dir: Option<PathBuf>,
    /// The address the public reaches this service at, printed in invitations' QR codes;
    /// default http://LISTEN.
    #[arg(long, env = "SHAQYRU_PUBLIC_URL")]
    public_url: Option<String>,
    /// Write an audit checkpoint when the latest is this old (a duration such as 24h or 30m);
    /// "off": only `shaqyru audit checkpoint` writes them.
    #[arg(long, env = "SHAQYRU_AUDIT_CHECKPOINT_EVERY", default_value = "24h", value_parser = parse_every)]
    audit_checkpoint_every: Every,
    /// Also append each checkpoint written to this file, kept out of the database's reach;
    /// `shaqyru audit verify --anchors FILE` checks it.
    #[arg(long, env = "SHAQYRU_AUDIT_ANCHOR_FILE")]
    audit_anchor_file: Option<PathBuf>,
    /// Offer sign-in through this OpenID Connect provider (its issuer URL) beside passwords.
    /// Needs --oidc-client-id and --oidc-client-secret-file; register
    /// PUBLIC_URL/login/oidc/callback at the provider as the redirect URI.
    #[arg(long, env = "SHAQYRU_OIDC_ISSUER")]
    oidc_issuer: Option<String>,
    /// This service's client id at the provider.
    #[arg(long, env = "SHAQYRU_OIDC_CLIENT_ID")]
    oidc_client_id: Option<String>,
    /// A file holding this service's client secret (one line).
    #[arg(long, env = "SHAQYRU_OIDC_CLIENT_SECRET_FILE")]
    oidc_client_secret_file: Option<PathBuf>,
    /// The provider's name on the sign-in button ("Sign in with NAME").
    #[arg(long, env = "SHAQYRU_OIDC_NAME", default_value = "OpenID Connect")]
    oidc_name: String,
}

/// A period that may be switched off.
#[derive(Clone, Copy, Debug)]
struct Every(Option<Duration>);

fn parse_every(text: &str) -> Result<Every, String> {
    if text == "off" {
        return Ok(Every(None));
    }
    match parse_delay(text)? {
        d if d.is_zero() => Err("the period is zero; say \"off\" to switch it off".into()),
        d => Ok(Every(Some(d))),
    }
}

#[derive(Subcommand)]
enum RegulationCmd {
    /// Validate a definition file; prints every problem with file:line:column.
    Check { file: PathBuf },
    /// Print the steps of an edition as a table.
    Show {
        /// A definition file; default: the built-in 2018 edition.
        file: Option<PathBuf>,
        /// kk, ru or en.
        #[arg(long, default_value = "en")]
        lang: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Cmd::Regulation { command: RegulationCmd::Check { file } } => regulation_cmd::check(&file),
        Cmd::Regulation { command: RegulationCmd::Show { file, lang } } => show(file, &lang),
        Cmd::Calendar { command } => calendar(command),
        Cmd::Deadlines(args) => deadlines_cmd::run(args),
        Cmd::Serve(args) => report(serve(args)),
        Cmd::Migrate(args) => report(with_runtime(migrate(args))),
        Cmd::Simulate(args) => report(simulate(args)),
        Cmd::Users { command } => report(with_runtime(users(command))),
        Cmd::Keys { command } => report(with_runtime(keys_cmd::keys(command))),
        Cmd::Invitations { command } => report(with_runtime(keys_cmd::invitations(command))),
        Cmd::Audit { command } => report(with_runtime(audit_cmd::audit(command))),
        Cmd::Purge(args) => report(with_runtime(purge_cmd::purge(args))),
    }
}

/// Prints an operational command's error with its causes; exit code 1.
fn report(outcome: anyhow::Result<()>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn with_runtime(work: impl std::future::Future<Output = anyhow::Result<()>>) -> anyhow::Result<()> {
    tokio::runtime::Runtime::new().context("failed to start the async runtime")?.block_on(work)
}

/// Resolves on Ctrl-C or SIGTERM (what service managers and container runtimes send).
async fn shutdown_signal() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for SIGTERM; stop with Ctrl-C");
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    tracing::info!("shutting down");
}

/// Whole seconds, or a duration in jiff's friendly format (`200ms`, `1m 30s`).
fn parse_delay(text: &str) -> Result<Duration, String> {
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    let d: jiff::SignedDuration = text.parse().map_err(|_| format!("\"{text}\" is not a number of seconds or a duration like 200ms"))?;
    Duration::try_from(d).map_err(|_| format!("\"{text}\" is negative"))
}

fn parse_group_commit(text: &str) -> Result<store_sqlite::GroupCommit, String> {
    match text {
        "on" => Ok(store_sqlite::GroupCommit::default()),
        "off" => Ok(store_sqlite::GroupCommit::Off),
        _ => Err(format!("\"{text}\" is neither \"on\" nor \"off\"")),
    }
}

fn versions(v: &[i64]) -> String {
    if v.is_empty() { "none".to_owned() } else { v.iter().map(i64::to_string).collect::<Vec<_>>().join(", ") }
}

async fn migrate(args: MigrateArgs) -> anyhow::Result<()> {
    let db = Database::open(&args.db.database, store::Migrations::Inspect, 2).await?;
    let status = db.schema().await?;
    println!("applied: {}", versions(&status.applied));
    println!("known to this build: {}", versions(&status.known));
    let outcome = if args.status {
        println!("pending: {}", versions(&status.pending()));
        status.check(store::Migrations::Apply).map_err(anyhow::Error::from)
    } else {
        db.migrate().await.map(|applied| println!("applied now: {}", versions(&applied)))
    };
    db.close().await;
    outcome
}

async fn users(command: UsersCmd) -> anyhow::Result<()> {
    let active = matches!(command, UsersCmd::Enable { .. });
    match command {
        UsersCmd::Add { db, id, name, role, unit, password_stdin, oidc_subject } => {
            let known = [engine::SUPERVISOR, engine::ADMIN, "sc_operator", "office", "management", "executor", "knb_liaison"];
            anyhow::ensure!(known.contains(&role.as_str()), "--role \"{role}\" is not one of {}", known.join(", "));
            // Read and checked first, so that a refused password leaves no account behind.
            let password = if password_stdin { Some(read_new_password(&id)?) } else { None };
            let db = Database::open(&db.database, store::Migrations::RequireCurrent, 2).await?;
            let store = db.store();
            if let Some(sub) = oidc_subject.as_deref()
                && let Err(e) = shaqyru::app::check_subject(store.as_ref(), &id, sub).await
            {
                db.close().await;
                return Err(e);
            }
            let token = shaqyru::app::add_user(store.as_ref(), &id, name.as_deref().unwrap_or(&id), &role, &unit).await;
            let mut outcome = match (&token, &password) {
                (Ok(_), Some(password)) => set_password(store.as_ref(), &id, password).await,
                _ => Ok(()),
            };
            if let (Ok(_), Ok(()), Some(sub)) = (&token, &outcome, oidc_subject.as_deref()) {
                outcome = shaqyru::app::link_subject(store.as_ref(), &id, Some(sub)).await;
            }
            db.close().await;
            outcome?;
            println!("{id}\t{}", token?);
        }
        UsersCmd::Password { db, user_id } => {
            let password = read_new_password(&user_id)?;
            let db = Database::open(&db.database, store::Migrations::RequireCurrent, 2).await?;
            let outcome = set_password(db.store().as_ref(), &user_id, &password).await;
            db.close().await;
            outcome?;
            println!("password set for {user_id}");
        }
        UsersCmd::Disable { db, user_id } | UsersCmd::Enable { db, user_id } => {
            let db = Database::open(&db.database, store::Migrations::RequireCurrent, 2).await?;
            let outcome = set_active(db.store().as_ref(), &user_id, active).await;
            db.close().await;
            let ended = outcome?;
            match active {
                true => println!("{user_id} enabled"),
                false => println!("{user_id} disabled; {ended} session(s) ended"),
            }
        }
        UsersCmd::Link { db, user_id, subject } => {
            let db = Database::open(&db.database, store::Migrations::RequireCurrent, 2).await?;
            let outcome = shaqyru::app::link_subject(db.store().as_ref(), &user_id, Some(&subject)).await;
            db.close().await;
            outcome?;
            println!("{user_id} linked to the identity provider's subject");
        }
        UsersCmd::Unlink { db, user_id } => {
            // The sessions end too: one opened through the provider must not outlive the link.
            let db = Database::open(&db.database, store::Migrations::RequireCurrent, 2).await?;
            let store = db.store();
            let outcome = match shaqyru::app::link_subject(store.as_ref(), &user_id, None).await {
                Ok(()) => store.delete_sessions_of(&user_id).await.context("failed to end the account's sessions"),
                Err(e) => Err(e),
            };
            db.close().await;
            let ended = outcome?;
            println!("{user_id} unlinked from the identity provider; {ended} session(s) ended");
        }
        UsersCmd::List { db } => {
            let db = Database::open(&db.database, store::Migrations::RequireCurrent, 2).await?;
            let store = db.store();
            let listed = async {
                let mut rows = Vec::new();
                for u in store.users().await? {
                    // Whether the account signs in through the provider; the subject itself is
                    // the provider's identifier of a person, so it is not printed.
                    let linked = store.oidc_subject(&u.id).await?.is_some();
                    rows.push((u, linked));
                }
                Ok::<_, store::StoreError>(rows)
            }
            .await;
            db.close().await;
            for (u, linked) in listed? {
                let active = if u.active { "active" } else { "disabled" };
                println!("{}\t{}\t{}\t{active}\t{}", u.id, u.role, u.unit, if linked { "linked" } else { "-" });
            }
        }
    }
    Ok(())
}

/// Enables or disables an account; disabling also ends its sessions. Returns how many ended.
async fn set_active(store: &dyn store::Store, user_id: &str, active: bool) -> anyhow::Result<u64> {
    let Some(mut user) = store.user(user_id).await.context("failed to read the account")? else {
        anyhow::bail!("there is no account {user_id} (see `shaqyru users list`)");
    };
    user.active = active;
    store.upsert_user(&user).await.context("failed to store the account")?;
    if active { Ok(0) } else { store.delete_sessions_of(user_id).await.context("failed to end the account's sessions") }
}

/// Sets a password through the engine's policy (the same one the web UI applies).
async fn set_password(store: &dyn store::Store, user_id: &str, password: &str) -> anyhow::Result<()> {
    match engine::set_password_with(store, &engine::AccountPolicy::default(), user_id, password).await {
        Ok(_) => Ok(()),
        Err(engine::EngineError::NotFound(_)) => anyhow::bail!("there is no account {user_id} (create it with `shaqyru users add`)"),
        Err(engine::EngineError::BadRequest(why)) => anyhow::bail!("password not set: {why}"),
        Err(e) => Err(anyhow::Error::new(e).context(format!("failed to set the password of {user_id}"))),
    }
}

/// A new password from standard input: typed twice without echo at a terminal, otherwise the
/// first line (without its line ending; other spaces count). Checked against the policy here,
/// before the database is touched.
fn read_new_password(user_id: &str) -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("New password for {user_id}: ")).context("failed to read the password")?;
        let again = rpassword::prompt_password("The same password again: ").context("failed to read the password")?;
        anyhow::ensure!(first == again, "the two passwords differ; nothing changed");
        first
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("failed to read the password from standard input")?;
        let line = line.strip_suffix('\n').unwrap_or(&line);
        line.strip_suffix('\r').unwrap_or(line).to_owned()
    };
    engine::AccountPolicy::default().check_password(user_id, &password).map_err(|why| anyhow::anyhow!("password not set: {why}"))?;
    Ok(password)
}

fn calendar(command: CalendarCmd) -> ExitCode {
    let cal = calendar::Calendar::builtin();
    let out = match command {
        CalendarCmd::Days { year } => calendar_cmd::days(&cal, year),
        CalendarCmd::Explain { from, add } => match from.parse::<jiff::civil::DateTime>() {
            Err(_) => Err(format!("--from \"{from}\" is not a local date and time like 2025-03-20T17:30")),
            Ok(from) => {
                let schedule = calendar::ScheduleHistory::new(calendar::Schedule::standard());
                calendar_cmd::explain_add(&cal, from, &add, &schedule)
            }
        },
    };
    print_result(out)
}

/// Prints a command's text, or its error with exit code 2 (a bad argument or file).
fn print_result(out: Result<String, String>) -> ExitCode {
    match out {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The definition in `file`, or the built-in 2018 edition; an unreadable file or an invalid
/// definition is reported and gives the exit code to return (2 and 1).
fn read_definition(file: Option<&std::path::Path>) -> Result<domain::Definition, ExitCode> {
    let (name, text) = match file {
        None => ("regulation/2018.toml (built in)".to_owned(), settings::EDITION_2018.to_owned()),
        Some(path) => match std::fs::read_to_string(path) {
            Ok(t) => (path.display().to_string(), t),
            Err(e) => {
                eprintln!("error: cannot read the definition file {}: {e}", path.display());
                return Err(ExitCode::from(2));
            }
        },
    };
    domain::definition::load(&name, &text).map_err(|problems| {
        eprint!("{problems}");
        ExitCode::from(1)
    })
}

fn show(file: Option<PathBuf>, lang: &str) -> ExitCode {
    let Some(lang) = Lang::parse(lang) else {
        eprintln!("error: --lang is kk, ru or en, not \"{lang}\"");
        return ExitCode::from(2);
    };
    match read_definition(file.as_deref()) {
        Ok(def) => {
            print!("{}", regulation_cmd::show(&def, lang));
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

/// The shared secret of the gateway's signed messages, from the environment only.
fn gateway_secret() -> anyhow::Result<Option<integrations::signature::Secret>> {
    match std::env::var("SHAQYRU_GATEWAY_SECRET") {
        Ok(s) if !s.is_empty() => {
            Ok(Some(integrations::signature::Secret::new(s).map_err(|e| anyhow::anyhow!("SHAQYRU_GATEWAY_SECRET: {e}"))?))
        }
        _ => Ok(None),
    }
}

fn system_choice(
    name: &str,
    own: Option<&str>,
    all: Option<&str>,
    timeout: Duration,
    token: &Option<String>,
) -> anyhow::Result<shaqyru::settings::SystemChoice> {
    use shaqyru::settings::SystemChoice;
    match own.or(all) {
        None | Some("sim") => Ok(SystemChoice::Simulated),
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
            Ok(SystemChoice::Http(integrations_http::Endpoint { base_url: url.to_owned(), token: token.clone(), timeout }))
        }
        Some(other) => anyhow::bail!("--{name}: \"{other}\" is neither \"sim\" nor an http(s) URL"),
    }
}

fn simulate(args: SimulateArgs) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let data = match &args.data {
        Some(path) => std::fs::read_to_string(path).with_context(|| format!("cannot read the simulator data {}", path.display()))?,
        None => integrations::sim::DEMO_DATA.to_owned(),
    };
    let data = integrations::sim::SimData::parse(&data)?;
    let callback = match (args.callback, gateway_secret()?) {
        (Some(url), Some(secret)) => Some(sim_server::Callback { url, secret, delay: args.knb_delay }),
        (Some(_), None) => anyhow::bail!("--callback needs the shared secret in SHAQYRU_GATEWAY_SECRET to sign the KNB's answers"),
        (None, _) => None,
    };
    let secret = match &args.oidc_client_secret_file {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("--oidc-client-secret-file: cannot read {}", path.display()))?
            .trim()
            .to_owned(),
        None => "demo-oidc-secret".to_owned(),
    };
    let oidc_client = sim_server::idp::Client { id: args.oidc_client_id.clone(), secret, redirect_uris: args.oidc_redirect_uri.clone() };
    with_runtime(async move {
        let listener = tokio::net::TcpListener::bind(args.listen).await.with_context(|| format!("failed to listen on {}", args.listen))?;
        let addr = listener.local_addr()?;
        println!("Simulated systems are serving on http://{addr}");
        let idp = sim_server::idp::SimIdp::new(&format!("http://{addr}/idp"), oidc_client, Arc::new(sim_server::unix_now))
            .map_err(anyhow::Error::msg)?;
        println!("Simulated identity provider: issuer http://{addr}/idp, client id {}", args.oidc_client_id);
        sim_server::serve_with_idp(listener, sim_server::SimState::new(data, callback), Some(idp), shutdown_signal())
            .await
            .context("the simulator server failed")
    })
}

/// The identity provider's settings: none without an issuer; with one, the client id and the
/// secret's file are required, and the file must hold a secret.
fn oidc_settings(
    issuer: Option<String>,
    client_id: Option<String>,
    secret_file: Option<&std::path::Path>,
    name: String,
) -> anyhow::Result<Option<shaqyru::settings::OidcSettings>> {
    let Some(issuer) = issuer else {
        anyhow::ensure!(client_id.is_none() && secret_file.is_none(), "--oidc-client-id and --oidc-client-secret-file need --oidc-issuer");
        return Ok(None);
    };
    let client_id = client_id.filter(|c| !c.trim().is_empty()).context("--oidc-issuer needs --oidc-client-id")?;
    let path = secret_file.context("--oidc-issuer needs --oidc-client-secret-file")?;
    let secret = std::fs::read_to_string(path)
        .with_context(|| format!("--oidc-client-secret-file: cannot read {}", path.display()))?
        .trim()
        .to_owned();
    anyhow::ensure!(!secret.is_empty(), "--oidc-client-secret-file: {} is empty", path.display());
    Ok(Some(shaqyru::settings::OidcSettings { issuer, client_id, client_secret: secret, name }))
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()))
        .init();
    let mut settings = Settings {
        database: args.database,
        listen: args.listen,
        knb_delay: args.knb_delay,
        demo_accounts: !args.no_demo_accounts,
        migrations: if args.no_migrate { store::Migrations::RequireCurrent } else { store::Migrations::Apply },
        pool_size: args.pool_size,
        sqlite_group_commit: args.sqlite_group_commit,
        case_cache: args.case_cache,
        ..Settings::default()
    };
    let token = std::env::var("SHAQYRU_GATEWAY_TOKEN").ok().filter(|t| !t.is_empty());
    let all = args.systems.as_deref();
    settings.systems = shaqyru::settings::SystemsConfig {
        burkit: system_choice("burkit", args.burkit.as_deref(), all, args.system_timeout, &token)?,
        adb: system_choice("adb", args.adb.as_deref(), all, args.system_timeout, &token)?,
        knb: system_choice("knb", args.knb.as_deref(), all, args.system_timeout, &token)?,
        sc: system_choice("sc", args.sc.as_deref(), all, args.system_timeout, &token)?,
    };
    settings.gateway_secret = gateway_secret()?;
    let clock: Arc<dyn engine::Clock> = match &args.clock {
        None => Arc::new(engine::SystemClock),
        Some(spec) => Arc::new(engine::ScaledClock::parse(spec).map_err(|e| anyhow::anyhow!("--clock: {e}"))?),
    };
    for path in &args.regulations {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the definition {}", path.display()))?;
        settings.regulations.push((path.display().to_string(), text));
    }
    settings.pinned_edition = (args.edition != "none").then_some(args.edition);
    settings.keys_dir = args.keys_dir;
    settings.public_url = args.public_url;
    settings.audit_checkpoint_every = args.audit_checkpoint_every.0;
    settings.audit_anchor_file = args.audit_anchor_file;
    settings.oidc = oidc_settings(args.oidc_issuer, args.oidc_client_id, args.oidc_client_secret_file.as_deref(), args.oidc_name)?;
    if let Some(path) = &args.units {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the units file {}", path.display()))?;
        settings.units = settings::parse_units(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    }
    if let Some(path) = &args.simulator_data {
        settings.simulator_data =
            std::fs::read_to_string(path).with_context(|| format!("cannot read the simulator data {}", path.display()))?;
    }
    let runtime = tokio::runtime::Runtime::new().context("failed to start the async runtime")?;
    runtime.block_on(async move {
        let app = build(settings, clock, None).await?;
        println!("Shaqyru is serving on http://{}  (API description: /api/openapi.json)", app.addr);
        if !app.demo_accounts.is_empty() {
            println!("Demo accounts (send \"Authorization: Bearer <token>\"; new tokens at every start):");
            println!("  {:<28} {:<14} {:<14} token", "user", "role", "unit");
            for a in &app.demo_accounts {
                println!("  {:<28} {:<14} {:<14} {}", a.user, a.role, a.unit, a.token);
            }
            println!("Demo password for every account: {}", shaqyru::app::DEMO_PASSWORD);
        }
        app.run(shutdown_signal()).await
    })
}
