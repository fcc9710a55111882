//! Purging closed cases' personal data under their edition's retention rule (issue 8): finds
//! the cases due, redacts each one's events with `domain::retention`, and has the store write
//! the tombstone, the redacted bodies and the deletions in one transaction per case, so that
//! `audit::verify` still verifies the case against its tombstone.
//!
//! A case whose chain does not verify is never purged: redacting it would hide the tampering.
//! Logs and reports name cases by id, never their content.

use crate::EngineError;
use crate::regulations::Regulations;
use domain::retention::{Retention, redact};
use domain::{Case, CaseId, Event};
use jiff::Timestamp;
use store::chain::{self, GENESIS};
use store::{CaseSummary, Purge, PurgeCounts, Store, StoreError, Tombstone};

/// Candidates read per page.
const PAGE: u32 = 200;

/// What a purge run is asked to do.
#[derive(Clone, Debug)]
pub struct PurgeOptions {
    /// The moment the rule is applied at (the clock's now, or `--as-of`).
    pub as_of: Timestamp,
    /// Who runs it, recorded on each tombstone.
    pub by: String,
    /// Count what would be purged, change nothing.
    pub dry_run: bool,
}

/// A case the run left alone for a reason someone should look at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub case: CaseId,
    pub reason: String,
}

/// What a purge run found and did. In a dry run the counts are what a purge would change,
/// except idempotency records, which are counted only when deleted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PurgeReport {
    /// Closed cases not purged yet that were looked at.
    pub closed: u64,
    /// Of those, cases whose edition keeps personal data for ever (no `[retention]`).
    pub kept_by_edition: u64,
    /// Of those, cases whose retention has not run out at `as_of`.
    pub not_due: u64,
    /// Cases purged (or, in a dry run, due).
    pub purged: u64,
    pub counts: PurgeCounts,
    pub skipped: Vec<Skipped>,
    pub dry_run: bool,
}

/// Purges every closed case due under its edition's rule at `options.as_of` (see the module
/// docs). A case that changed meanwhile or whose chain does not verify is skipped and listed;
/// only a failure to read or write is an error.
pub async fn purge(store: &dyn Store, regulations: &Regulations, options: &PurgeOptions) -> Result<PurgeReport, EngineError> {
    let mut report = PurgeReport { dry_run: options.dry_run, ..PurgeReport::default() };
    let mut after: Option<CaseId> = None;
    loop {
        let page = store.purge_candidates(after.as_ref(), PAGE).await?;
        for summary in &page {
            report.closed += 1;
            let Some(rule) = rule_for(store, regulations, summary).await? else {
                report.kept_by_edition += 1;
                continue;
            };
            match prepare(store, summary, rule, options).await? {
                Prepared::NotDue => report.not_due += 1,
                Prepared::Skip(reason) => report.skipped.push(Skipped { case: summary.case_id.clone(), reason }),
                Prepared::Due(purge) if options.dry_run => {
                    report.purged += 1;
                    report.counts.events += purge.bodies.len() as u64;
                    report.counts.documents += store.documents(&summary.case_id).await?.len() as u64;
                    report.counts.outbox += store.outbox(Some(&summary.case_id)).await?.len() as u64;
                }
                Prepared::Due(purge) => match store.purge_case(&purge).await {
                    Ok(counts) => {
                        report.purged += 1;
                        report.counts.events += counts.events;
                        report.counts.documents += counts.documents;
                        report.counts.outbox += counts.outbox;
                        report.counts.idempotency += counts.idempotency;
                        tracing::info!(case.id = %summary.case_id, purge.events = counts.events, "case purged");
                    }
                    Err(StoreError::Conflict { .. }) => report
                        .skipped
                        .push(Skipped { case: summary.case_id.clone(), reason: "the case changed during the purge; run it again".into() }),
                    Err(e) => return Err(e.into()),
                },
            }
        }
        match page.last() {
            Some(last) if page.len() == PAGE as usize => after = Some(last.case_id.clone()),
            _ => break,
        }
    }
    Ok(report)
}

/// The case's edition's rule. Retention is our configuration, not the regulation's text, so
/// the definition loaded now for the edition decides (a changed period reaches older cases);
/// an edition no longer loaded falls back to the text the case was started under.
async fn rule_for(store: &dyn Store, regulations: &Regulations, summary: &CaseSummary) -> Result<Option<Retention>, EngineError> {
    if let Some(current) = regulations.current(&summary.edition.edition) {
        return Ok(current.retention);
    }
    Ok(regulations.get(&summary.edition, store).await?.retention)
}

enum Prepared {
    NotDue,
    Skip(String),
    Due(Purge),
}

async fn prepare(store: &dyn Store, summary: &CaseSummary, rule: Retention, options: &PurgeOptions) -> Result<Prepared, EngineError> {
    let case = &summary.case_id;
    let links = store.event_chain(case).await?;
    // The verifier's own check: a purge never redacts a chain `audit verify` would reject.
    let checked = crate::audit::check_case(case, &links, None);
    if checked.problem.is_some() {
        return Ok(Prepared::Skip("its hash chain does not verify; run `shaqyru audit verify`".into()));
    }
    let hashes = checked.hashes;
    let events: Vec<Event> = match links.iter().map(|l| serde_json::from_value(l.body.clone())).collect() {
        Ok(events) => events,
        Err(_) => return Ok(Prepared::Skip("an event does not read as an event".into())),
    };
    let Some(closed_at) = Case::replay(case.clone(), &events).and_then(|c| c.closed_at) else {
        return Ok(Prepared::Skip("its summary says closed but its events do not close it".into()));
    };
    if !rule.is_due(closed_at, options.as_of) {
        return Ok(Prepared::NotDue);
    }
    let mut bodies = Vec::with_capacity(events.len());
    let mut redacted_head = GENESIS.to_owned();
    for ((event, hash), link) in events.iter().zip(&hashes).zip(&links) {
        let stub = serde_json::to_value(redact(event)).map_err(|e| EngineError::BadRequest(format!("redact case {case}: {e}")))?;
        let body = chain::redacted_body(stub, hash);
        redacted_head = chain::redaction_hash(&redacted_head, &case.0, link.version, &body);
        bodies.push(body);
    }
    let (head_version, head_hash) = match (links.last(), hashes.last()) {
        (Some(link), Some(hash)) => (link.version, hash.clone()),
        _ => return Ok(Prepared::Skip("it has no events".into())),
    };
    let tombstone = Tombstone {
        case_id: case.clone(),
        head_version,
        head_hash,
        redacted_head,
        purged_at: options.as_of,
        purged_by: options.by.clone(),
        rule: rule.describe(&summary.edition.edition),
    };
    Ok(Prepared::Due(Purge { tombstone, bodies }))
}
