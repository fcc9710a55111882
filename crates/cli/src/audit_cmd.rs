//! `shaqyru audit …`: verify the tamper-evident audit log, write checkpoints that anchor it and
//! read the access log of views (issue 8; see docs/decisions.md, 30 and 31).

use anyhow::Context;
use clap::Subcommand;
use shaqyru::anchor;
use shaqyru::app::Database;
use std::time::Instant;

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Recompute every case's hash chain and the access log's chain, and check the latest
    /// checkpoint against the cases' heads and the access log's head. Exits non-zero naming the
    /// first broken case and version, access log row, or checkpoint.
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
    /// Print the access log, newest first: who viewed which case's personal data, when, what
    /// (case, receipt, document, coordination) and from which address. Rows hold no personal
    /// data.
    Views {
        #[arg(long, env = "SHAQYRU_DATABASE", default_value = "shaqyru.sqlite")]
        database: String,
        /// Only views of this case, by its reference number (2026-000001) or its id.
        #[arg(long = "case")]
        case: Option<String>,
        /// Only views by this user id.
        #[arg(long)]
        user: Option<String>,
        /// At most this many rows.
        #[arg(long, default_value_t = 100)]
        limit: u32,
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
                "cases: {}, events: {} ({} unchained, before 0006), purged cases: {} ({} redacted events), views: {}, checkpoints: {}, in {} ms",
                report.cases,
                report.events,
                report.unchained,
                report.purged,
                report.redacted,
                report.views,
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
        AuditCmd::Views { database, case, user, limit } => {
            let db = Database::open(&database, store::Migrations::RequireCurrent, 2).await?;
            let rows = views(db.store().as_ref(), case.as_deref(), user, limit).await;
            db.close().await;
            let rows = rows?;
            println!("seq\tat\tuser\trole\tunit\tcase\twhat\tfrom");
            for r in &rows {
                let what = match (&r.document, &r.language) {
                    (Some(kind), Some(lang)) => format!("{} {kind} {lang}", r.what),
                    (Some(kind), None) => format!("{} {kind}", r.what),
                    _ => r.what.clone(),
                };
                let from = r.origin.as_deref().unwrap_or("-");
                println!("{}\t{}\t{}\t{}\t{}\t{}\t{what}\t{from}", r.seq, r.at, r.user, r.role, r.unit, r.case_id);
            }
            Ok(())
        }
    }
}

/// The rows `audit views` prints; `case` is a reference number or a case id.
async fn views(store: &dyn store::Store, case: Option<&str>, user: Option<String>, limit: u32) -> anyhow::Result<Vec<store::AccessRecord>> {
    if limit == 0 {
        anyhow::bail!("--limit must be at least 1");
    }
    let case_id = match case {
        None => None,
        Some(text) => match store.case_by_reference(text).await? {
            Some(summary) => Some(summary.case_id),
            // Not a reference: taken as an id (a deleted case's views are still listed).
            None => Some(domain::CaseId(text.to_owned())),
        },
    };
    let rows = store.access_log(&store::AccessQuery { case_id, user, limit }).await?;
    Ok(rows)
}
