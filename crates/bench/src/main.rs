//! The benchmark suite: `bench all` (or one of `pure`, `durable`, `api`, `queries`, `memory`)
//! measures what issue 9 asks for and prints each figure, then a summary against the targets.
//! Measurements, never tests: run it with `scripts/bench.sh` (see docs/benchmarks.md).

mod api;
mod durable;
mod memory;
mod pg;
mod pure;
mod queries;
mod report;
mod scenario;
mod server;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use report::Report;
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "bench", about = "Shaqyru's benchmark suite (measurements, not tests)")]
struct Cli {
    #[command(subcommand)]
    what: What,
    /// Where databases are created: a directory on the disk being measured.
    #[arg(long, global = true, default_value = "target/bench-data")]
    data_dir: PathBuf,
    /// PostgreSQL server for the durable run (a fresh schema per run); "none" to skip it.
    #[arg(long, global = true, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    postgres: String,
    /// The `shaqyru` binary the HTTP and memory runs start (a release build).
    #[arg(long, global = true, default_value = "target/release/shaqyru")]
    server: PathBuf,
}

#[derive(Subcommand)]
enum What {
    /// Everything below, with the default sizes.
    All,
    /// The pure engine: decide + apply.
    Pure {
        #[arg(long, default_value_t = 200_000)]
        cases: u64,
    },
    /// Durable throughput through Engine on SQLite and PostgreSQL.
    Durable {
        #[arg(long, default_value_t = 1_000)]
        cases: u64,
        /// Cases in flight at once; one run per value.
        #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
        in_flight: Vec<usize>,
    },
    /// The JSON API of a `shaqyru serve` child process under load from this one.
    Api {
        #[arg(long, default_value_t = 64)]
        clients: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
    },
    /// Worklist and compliance queries on a generated database.
    Queries {
        /// Cases to generate (skipped when the database already has them).
        #[arg(long, default_value_t = 1_000_000)]
        cases: u64,
        /// The database file; default: `<data-dir>/cases-<N>.sqlite`, kept for later runs.
        #[arg(long)]
        database: Option<PathBuf>,
    },
    /// Server memory per open case, and database bytes per open case.
    Memory {
        #[arg(long, default_value_t = 10_000)]
        cases: u64,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    std::fs::create_dir_all(&cli.data_dir)?;
    let postgres = (cli.postgres != "none").then(|| cli.postgres.clone());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let mut report = Report::default();
    machine(&mut report);
    let durable = |cases, in_flight| durable::Options { cases, in_flight, postgres: postgres.clone(), data_dir: cli.data_dir.clone() };
    runtime.block_on(async {
        match cli.what {
            What::All => {
                pure::run(&mut report, 200_000);
                durable::run(&mut report, &durable(1_000, vec![1, 16, 64])).await?;
                api::run(&mut report, &cli.server, &cli.data_dir, 64, 20).await?;
                memory::run(&mut report, &cli.server, &cli.data_dir, 10_000).await?;
                queries::run(&mut report, &cli.data_dir, None, 1_000_000).await?;
            }
            What::Pure { cases } => pure::run(&mut report, cases),
            What::Durable { cases, in_flight } => durable::run(&mut report, &durable(cases, in_flight)).await?,
            What::Api { clients, seconds } => api::run(&mut report, &cli.server, &cli.data_dir, clients, seconds).await?,
            What::Queries { cases, database } => queries::run(&mut report, &cli.data_dir, database, cases).await?,
            What::Memory { cases } => memory::run(&mut report, &cli.server, &cli.data_dir, cases).await?,
        }
        anyhow::Ok(())
    })?;
    report.summary();
    Ok(())
}

/// What the figures were measured on.
fn machine(report: &mut Report) {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo.lines().find_map(|l| l.strip_prefix("model name").map(|m| m.trim_start_matches([' ', '\t', ':']))).unwrap_or("?");
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kib: u64 =
        meminfo.lines().find_map(|l| l.strip_prefix("MemTotal:")).and_then(|v| v.split_whitespace().next()?.parse().ok()).unwrap_or(0);
    report.section("machine");
    report.note(&format!("{cores} cores, {model}, {:.1} GiB RAM", mem_kib as f64 / 1024.0 / 1024.0));
}
