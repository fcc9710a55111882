//! The `shaqyru` binary: `serve` runs the service; `regulation check|show` validates and prints
//! a definition of the regulation; `calendar days|explain` shows the working calendar.

mod calendar_cmd;
mod deadlines_cmd;
mod regulation_cmd;

use anyhow::Context;
use clap::{Parser, Subcommand};
use domain::text::Lang;
use shaqyru::{Settings, build, settings};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser)]
#[command(name = "shaqyru", version, about = "Case management for invitations to Kazakhstan on private matters")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

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
    /// Seconds the simulated KNB takes to answer.
    #[arg(long, env = "SHAQYRU_KNB_DELAY", default_value_t = 5)]
    knb_delay: u64,
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
        Cmd::Serve(args) => match serve(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
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

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()))
        .init();
    let mut settings =
        Settings { database: args.database, listen: args.listen, knb_delay: Duration::from_secs(args.knb_delay), ..Settings::default() };
    for path in &args.regulations {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the definition {}", path.display()))?;
        settings.regulations.push((path.display().to_string(), text));
    }
    settings.pinned_edition = (args.edition != "none").then_some(args.edition);
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
        let app = build(settings, Arc::new(engine::SystemClock), None).await?;
        println!("Shaqyru is serving on http://{}  (API description: /api/openapi.json)", app.addr);
        println!("Demo accounts (send \"Authorization: Bearer <token>\"; new tokens at every start):");
        println!("  {:<28} {:<14} {:<14} token", "user", "role", "unit");
        for a in &app.demo_accounts {
            println!("  {:<28} {:<14} {:<14} {}", a.user, a.role, a.unit, a.token);
        }
        app.run(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
    })
}
