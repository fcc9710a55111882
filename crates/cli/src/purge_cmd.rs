//! `shaqyru purge`: redact the personal data of closed cases whose edition's retention period
//! has run out, leaving a tombstone per case so that `shaqyru audit verify` still verifies
//! (issue 8; see docs/retention.md).

use anyhow::Context;
use engine::retention::{PurgeOptions, PurgeReport};
use jiff::Timestamp;
use jiff::civil::Date;
use shaqyru::app::Database;
use shaqyru::settings::Settings;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct PurgeArgs {
    /// The SQLite database file, or a postgres:// URL.
    #[arg(long, env = "SHAQYRU_DATABASE", default_value = "shaqyru.sqlite")]
    database: String,
    /// Count what would be purged and change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Apply the rules as at the start of this day in Astana (YYYY-MM-DD) instead of now. A
    /// real purge refuses a future day; a dry run accepts one, to see what will fall due.
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// Who runs the purge, recorded on every tombstone.
    #[arg(long, env = "SHAQYRU_OPERATOR", default_value = "shaqyru-purge")]
    by: String,
    /// Extra definition files of the regulation (the 2018 edition is built in); their
    /// `[retention]` rules apply to cases of their edition.
    #[arg(long = "regulation", env = "SHAQYRU_REGULATION", value_delimiter = ',')]
    regulations: Vec<PathBuf>,
}

/// The instant `--as-of` names: the start of the day in the service's time zone.
fn as_of(arg: Option<&str>, now: Timestamp, dry_run: bool) -> anyhow::Result<Timestamp> {
    let Some(text) = arg else { return Ok(now) };
    let day: Date = text.trim().parse().map_err(|_| anyhow::anyhow!("--as-of: {text:?} is not a date (YYYY-MM-DD)"))?;
    let at = day.to_zoned_datetime(calendar::almaty()).map_err(|e| anyhow::anyhow!("--as-of: {e}"))?.timestamp();
    anyhow::ensure!(
        dry_run || at <= now,
        "--as-of: {day} is in the future; a purge applies the rules at a past or present moment (add --dry-run to see what will fall due then)"
    );
    Ok(at)
}

pub async fn purge(args: PurgeArgs) -> anyhow::Result<()> {
    let now = engine::Clock::now(&engine::SystemClock);
    let at = as_of(args.as_of.as_deref(), now, args.dry_run)?;
    let by = args.by.trim().to_owned();
    anyhow::ensure!(!by.is_empty(), "--by: name who runs the purge");
    let mut files = Settings::default().regulations;
    for path in &args.regulations {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the definition {}", path.display()))?;
        files.push((path.display().to_string(), text));
    }
    let regulations = engine::Regulations::load(&files, None).map_err(|p| anyhow::anyhow!("the regulation does not load:\n{p}"))?;
    let db = Database::open(&args.database, store::Migrations::RequireCurrent, 2).await?;
    let options = PurgeOptions { as_of: at, by, dry_run: args.dry_run };
    let report = engine::retention::purge(db.store().as_ref(), &regulations, &options).await;
    db.close().await;
    let report = report.context("the purge failed (each case purged so far is complete)")?;
    print(&report, at);
    anyhow::ensure!(report.skipped.is_empty(), "{} case(s) were skipped, see above", report.skipped.len());
    Ok(())
}

fn print(r: &PurgeReport, at: Timestamp) {
    let c = &r.counts;
    if r.dry_run {
        println!(
            "dry run as of {at}: {} case(s) due, {} events to redact, {} documents and {} outbox messages to delete (and their idempotency records); nothing was changed",
            r.purged, c.events, c.documents, c.outbox
        );
    } else {
        println!(
            "purged as of {at}: {} case(s), {} events redacted, {} documents, {} outbox messages and {} idempotency records deleted",
            r.purged, c.events, c.documents, c.outbox, c.idempotency
        );
    }
    println!(
        "closed cases not purged before: {}; kept (edition without a retention rule): {}; not yet due: {}",
        r.closed, r.kept_by_edition, r.not_due
    );
    for s in &r.skipped {
        println!("skipped case {}: {}", s.case, s.reason);
    }
}
