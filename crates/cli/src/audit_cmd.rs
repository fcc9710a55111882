//! `shaqyru audit …`: verify the tamper-evident audit log and write checkpoints that anchor it
//! (issue 8; see docs/decisions.md).

use anyhow::Context;
use clap::Subcommand;
use shaqyru::anchor;
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
        /// An anchor file (see `serve --audit-anchor-file`): every hash in it must be in the
        /// checkpoint chain.
        #[arg(long)]
        anchors: Option<std::path::PathBuf>,
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
        AuditCmd::Verify { database, expect, anchors } => {
            // The file first: a typo in its path is told before a long walk.
            let anchors = match &anchors {
                None => None,
                Some(path) => {
                    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the anchor file {}", path.display()))?;
                    Some(anchor::read(&text).map_err(|e| anyhow::anyhow!("the anchor file {}: {e}", path.display()))?)
                }
            };
            let db = Database::open(&database, store::Migrations::RequireCurrent, 2).await?;
            let started = Instant::now();
            let report = engine::audit::verify(db.store().as_ref(), expect.as_deref()).await;
            let checkpoints = db.store().checkpoints().await;
            db.close().await;
            let report = report.map_err(|e| anyhow::anyhow!("failed to read the audit log: {e}"))?;
            if let Some(anchors) = &anchors {
                let checkpoints = checkpoints.map_err(|e| anyhow::anyhow!("failed to read the checkpoints: {e}"))?;
                if let Some(missing) = anchor::first_missing(anchors, &checkpoints) {
                    anyhow::bail!(
                        "audit log broken: the anchor file's line {} names the hash {}, which no checkpoint has",
                        missing.line,
                        missing.hash
                    );
                }
                println!("anchor file: {} hashes, all in the checkpoint chain", anchors.len());
            }
            println!(
                "cases: {}, events: {} ({} unchained, before 0006), checkpoints: {}, in {} ms",
                report.cases,
                report.events,
                report.unchained,
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
