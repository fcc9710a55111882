//! `shaqyru audit …`: verify the tamper-evident audit log and write checkpoints that anchor it
//! (issue 8; see docs/decisions.md).

use clap::Subcommand;
use shaqyru::app::Database;
use std::time::Instant;

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Recompute every case's hash chain and check the latest checkpoint against the cases'
    /// heads. Exits non-zero naming the first broken case and version, or checkpoint.
    Verify {
        #[arg(long, env = "SHAQYRU_DATABASE", default_value = "shaqyru.sqlite")]
        database: String,
        /// A checkpoint hash published earlier: it must be in the checkpoint chain.
        #[arg(long)]
        expect: Option<String>,
    },
    /// Verify, then write a checkpoint over every case's head and print its hash: the line to
    /// publish or hand to a notary, so that a later rewrite of the whole database shows.
    Checkpoint {
        #[arg(long, env = "SHAQYRU_DATABASE", default_value = "shaqyru.sqlite")]
        database: String,
    },
}

pub async fn audit(command: AuditCmd) -> anyhow::Result<()> {
    match command {
        AuditCmd::Verify { database, expect } => {
            let db = Database::open(&database, store::Migrations::RequireCurrent, 2).await?;
            let started = Instant::now();
            let report = engine::audit::verify(db.store().as_ref(), expect.as_deref()).await;
            db.close().await;
            let report = report.map_err(|e| anyhow::anyhow!("failed to read the audit log: {e}"))?;
            println!(
                "cases: {}, events: {} ({} unchained, before 0006), purged cases: {} ({} redacted events), checkpoints: {}, in {} ms",
                report.cases,
                report.events,
                report.unchained,
                report.purged,
                report.redacted,
                report.checkpoints,
                started.elapsed().as_millis()
            );
            match report.problem {
                None => {
                    println!("audit log intact");
                    Ok(())
                }
                Some(problem) => Err(anyhow::anyhow!("audit log broken: {problem}")),
            }
        }
        AuditCmd::Checkpoint { database } => {
            let db = Database::open(&database, store::Migrations::RequireCurrent, 2).await?;
            let written = engine::audit::checkpoint(db.store().as_ref(), &engine::SystemClock).await;
            db.close().await;
            let c = written?;
            println!("checkpoint {} at {}: {} cases, {} events", c.seq, c.at, c.cases, c.events);
            println!("{}", c.hash);
            Ok(())
        }
    }
}
