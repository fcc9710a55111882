//! Verifying the audit log and anchoring it (issue 8): walks every case's hash chain page by
//! page, recomputes each event's hash with `store::chain`, walks the access log's one chain the
//! same way, checks the checkpoint chain and the latest checkpoint's root and access log head
//! against the current ones, and writes new checkpoints.
//!
//! Reports name cases by id and versions by number, never an event's content: an event holds
//! personal data.

use crate::Clock;
use domain::CaseId;
use store::chain::{self, GENESIS, RootHasher};
use store::{AccessHead, AccessQuery, ChainLink, Checkpoint, NewCheckpoint, Store, StoreError, Tombstone};

/// Cases read per page: one page of ids in memory at a time, and one case's events.
const PAGE: u32 = 500;

/// The first thing found wrong with the audit log.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Broken {
    /// The stored hash is not the one the event's content and its predecessor give: the event
    /// (or one before it) was changed after it was written.
    #[error("case {case} version {version}: the stored hash does not match the event")]
    HashMismatch { case: CaseId, version: u64 },
    /// The case's versions have a gap or do not start at 1: an event was deleted.
    #[error("case {case}: version {version} is missing")]
    MissingVersion { case: CaseId, version: u64 },
    /// An event without a hash after one with a hash: only events written before migration
    /// 0006 may lack one, and they all come first.
    #[error("case {case} version {version}: the hash was removed")]
    HashRemoved { case: CaseId, version: u64 },
    /// A checkpoint's hash, number or link to its predecessor is not what its fields give.
    #[error("checkpoint {seq}: {what}")]
    CheckpointChain { seq: u64, what: &'static str },
    /// The cases covered by the latest checkpoint no longer give its root or counts: a case
    /// was deleted, or its events rewritten (with their hashes), after it.
    #[error(
        "checkpoint {seq}: the current chains give {cases} cases, {events} events and another root than the checkpoint ({expected_cases} cases, {expected_events} events)"
    )]
    CheckpointMismatch { seq: u64, cases: u64, events: u64, expected_cases: u64, expected_events: u64 },
    /// An access log row's stored hash is not the one its fields and its predecessor give: the
    /// row was changed, swapped with another, or inserted (or the row before it was changed).
    #[error("access log row {seq}: the stored hash does not match the row")]
    AccessMismatch { seq: u64 },
    /// The access log's numbers have a gap: row `seq` was deleted.
    #[error("access log row {seq} is missing")]
    AccessMissing { seq: u64 },
    /// The access log's row the latest checkpoint anchored is gone or no longer has the
    /// anchored hash: the newest rows were deleted (or rewritten with fresh hashes) after it.
    #[error("checkpoint {seq}: the access log row {row} it anchors is missing or changed")]
    AccessCheckpoint { seq: u64, row: u64 },
    /// A purged case holds an event that is not in redacted form.
    #[error("case {case} version {version}: the case is purged but this event is not redacted")]
    NotRedacted { case: CaseId, version: u64 },
    /// A purged case's events no longer give its tombstone's head (version, original hash) or
    /// redaction chain: a redacted event, its stored hash or the tombstone was changed.
    #[error("case {case}: the redacted events do not match the tombstone ({what})")]
    TombstoneMismatch { case: CaseId, what: &'static str },
    /// `--expect`: the published hash is not the hash of any checkpoint.
    #[error("no checkpoint has the hash {0}")]
    ExpectedMissing(String),
}

/// What a verification walked, and the first problem it found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditReport {
    pub cases: u64,
    pub events: u64,
    /// Events written before the chain existed (migration 0006): hashed by the verifier, but
    /// with no stored hash to compare.
    pub unchained: u64,
    /// Purged cases, each checked against its tombstone.
    pub purged: u64,
    /// Their events, redacted: checked through the redaction chain and the hashes they carry.
    pub redacted: u64,
    pub checkpoints: u64,
    /// Rows of the access log.
    pub views: u64,
    pub problem: Option<Broken>,
}

impl AuditReport {
    pub fn is_intact(&self) -> bool {
        self.problem.is_none()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A checkpoint is refused over a broken log: anchoring it would vouch for the tampering.
    #[error("the audit log is broken, so no checkpoint was written: {0}")]
    Broken(Broken),
}

/// One case's chain as checked (see [`check_case`]).
pub(crate) struct CaseCheck {
    /// Each event's hash in the case's chain, by version, up to the first problem.
    pub hashes: Vec<String>,
    /// Events without a stored hash (written before migration 0006).
    pub unchained: u64,
    /// Redacted events of a purged case.
    pub redacted: u64,
    pub problem: Option<Broken>,
}

/// Recomputes one case's chain from its stored events: versions 1, 2, … without gaps, each
/// stored hash the one its body and predecessor give (a purged case's events carry their
/// original hashes, and their redaction chain must end at the tombstone's), and no hash
/// removed after a stored one. The verifier walks every case with it; a purge checks the case
/// it is about to redact with it.
pub(crate) fn check_case(case: &CaseId, links: &[ChainLink], tombstone: Option<&Tombstone>) -> CaseCheck {
    let mut check = CaseCheck { hashes: Vec::with_capacity(links.len()), unchained: 0, redacted: 0, problem: None };
    let mut prev = GENESIS.to_owned();
    let mut redacted_prev = GENESIS.to_owned();
    let mut hashed = false;
    for (i, link) in links.iter().enumerate() {
        let version = i as u64 + 1;
        if link.version != version {
            check.problem = Some(Broken::MissingVersion { case: case.clone(), version });
            return check;
        }
        // A purged case's event carries its original hash in its redacted body; the redaction
        // chain over those bodies is checked against the tombstone below.
        let hash = if tombstone.is_some() {
            let Some(original) = chain::redacted_hash(&link.body) else {
                check.problem = Some(Broken::NotRedacted { case: case.clone(), version });
                return check;
            };
            redacted_prev = chain::redaction_hash(&redacted_prev, &case.0, version, &link.body);
            check.redacted += 1;
            original.to_owned()
        } else {
            chain::event_hash(&prev, &case.0, version, &link.body)
        };
        match &link.hash {
            Some(stored) if *stored != hash => {
                check.problem = Some(Broken::HashMismatch { case: case.clone(), version });
                return check;
            }
            Some(_) => hashed = true,
            None if hashed => {
                check.problem = Some(Broken::HashRemoved { case: case.clone(), version });
                return check;
            }
            None => check.unchained += 1,
        }
        check.hashes.push(hash.clone());
        prev = hash;
    }
    if let Some(t) = tombstone {
        let what = if links.len() as u64 != t.head_version {
            Some("its number of events is not the tombstone's head version")
        } else if prev != t.head_hash {
            Some("the last event's original hash is not the tombstone's head hash")
        } else if redacted_prev != t.redacted_head {
            Some("the redaction chain does not end at the tombstone's")
        } else {
            None
        };
        check.problem = what.map(|what| Broken::TombstoneMismatch { case: case.clone(), what });
    }
    check
}

/// The walk's result: counts, one root per mark asked for, the first problem.
struct Walk {
    report: AuditReport,
    roots: Vec<RootHasher>,
}

/// Walks every case's chain once; for each mark in `marks`, the heads at or below it feed that
/// mark's root (the latest checkpoint's, and a new checkpoint's).
async fn walk(store: &dyn Store, marks: &[u64]) -> Result<Walk, StoreError> {
    let mut report = AuditReport::default();
    let mut roots = vec![RootHasher::new(); marks.len()];
    let mut after: Option<CaseId> = None;
    loop {
        let page = store.audit_cases(after.as_ref(), PAGE).await?;
        for case in &page {
            let links = store.event_chain(case).await?;
            let tombstone = store.tombstone(case).await?;
            report.cases += 1;
            report.events += links.len() as u64;
            let checked = check_case(case, &links, tombstone.as_ref());
            report.unchained += checked.unchained;
            report.redacted += checked.redacted;
            report.purged +=
                u64::from(tombstone.is_some() && checked.problem.as_ref().is_none_or(|p| matches!(p, Broken::TombstoneMismatch { .. })));
            if let Some(b) = checked.problem {
                report.problem.get_or_insert(b);
            }
            // Each mark's root takes the case's head among the events checked at or below it.
            let mut covered: Vec<Option<(u64, String)>> = vec![None; marks.len()];
            for (link, hash) in links.iter().zip(&checked.hashes) {
                for (mark, head) in marks.iter().zip(&mut covered) {
                    if link.seq.is_none_or(|s| s <= *mark) {
                        *head = Some((link.version, hash.clone()));
                    }
                }
            }
            for (root, head) in roots.iter_mut().zip(covered) {
                if let Some((version, head)) = head {
                    root.push(&case.0, version, &head);
                }
            }
        }
        match page.last() {
            Some(last) if page.len() == PAGE as usize => after = Some(last.clone()),
            _ => break,
        }
    }
    Ok(Walk { report, roots })
}

/// Walks the access log's chain page by page: rows numbered 1, 2, … without gaps, each hash
/// what its row and its predecessor give. Returns the hash of row `anchor` (if the walk got that
/// far) for the checkpoint check; counts the rows and records the first problem in `report`.
async fn walk_access(store: &dyn Store, report: &mut AuditReport, anchor: u64) -> Result<Option<String>, StoreError> {
    let mut prev = GENESIS.to_owned();
    let mut expected = 1;
    let mut anchored = (anchor == 0).then(|| GENESIS.to_owned());
    loop {
        let page = store.access_chain(expected - 1, PAGE).await?;
        for row in &page {
            if row.seq != expected {
                report.problem.get_or_insert(Broken::AccessMissing { seq: expected });
                return Ok(anchored);
            }
            if row.recompute(&prev) != row.hash {
                report.problem.get_or_insert(Broken::AccessMismatch { seq: row.seq });
                return Ok(anchored);
            }
            report.views += 1;
            if row.seq == anchor {
                anchored = Some(row.hash.clone());
            }
            prev = row.hash.clone();
            expected += 1;
        }
        if page.len() < PAGE as usize {
            return Ok(anchored);
        }
    }
}

/// The latest checkpoint's access log head against the log: the anchored row must still be
/// there with the anchored hash.
fn check_access_anchor(latest: Option<&Checkpoint>, anchored: Option<&str>) -> Option<Broken> {
    let latest = latest?;
    let head = latest.access.as_ref()?;
    (anchored != Some(head.hash.as_str())).then_some(Broken::AccessCheckpoint { seq: latest.seq, row: head.seq })
}

/// The checkpoints' own chain: numbered 1, 2, …, each linked to the one before, each hash what
/// its fields give.
fn check_checkpoints(checkpoints: &[Checkpoint]) -> Option<Broken> {
    let mut prev = GENESIS;
    for (i, c) in checkpoints.iter().enumerate() {
        let what = if c.seq != i as u64 + 1 {
            Some("its number is out of sequence")
        } else if c.prev != prev {
            Some("it does not link to the checkpoint before it")
        } else if c.recompute() != c.hash {
            Some("its hash does not match its fields")
        } else {
            None
        };
        if let Some(what) = what {
            return Some(Broken::CheckpointChain { seq: c.seq, what });
        }
        prev = &c.hash;
    }
    None
}

/// Verifies the whole audit log (see the module docs); `expect` is a published checkpoint
/// hash that must be in the checkpoint chain. A problem is a value in the report; only a
/// failure to read is an error.
pub async fn verify(store: &dyn Store, expect: Option<&str>) -> Result<AuditReport, StoreError> {
    let checkpoints = store.checkpoints().await?;
    let latest = checkpoints.last();
    let Walk { mut report, mut roots } = walk(store, &[latest.map_or(0, |c| c.through)]).await?;
    let anchored = walk_access(store, &mut report, access_anchor(latest)).await?;
    if report.problem.is_none() {
        report.problem = check_access_anchor(latest, anchored.as_deref());
    }
    Ok(judge(report, roots.remove(0), &checkpoints, expect))
}

/// The access log row a checkpoint anchors (0: none).
fn access_anchor(checkpoint: Option<&Checkpoint>) -> u64 {
    checkpoint.and_then(|c| c.access.as_ref()).map_or(0, |a| a.seq)
}

/// Adds to a walk's report what the checkpoints say: their own chain, the latest one's root
/// against `root` (the heads at its mark), and the expected hash.
fn judge(mut report: AuditReport, root: RootHasher, checkpoints: &[Checkpoint], expect: Option<&str>) -> AuditReport {
    let latest = checkpoints.last();
    report.checkpoints = checkpoints.len() as u64;
    if report.problem.is_none() {
        report.problem = check_checkpoints(checkpoints);
    }
    if let (None, Some(latest)) = (&report.problem, latest) {
        let (cases, events) = root.counts();
        if (cases, events) != (latest.cases, latest.events) || root.finish() != latest.root {
            report.problem = Some(Broken::CheckpointMismatch {
                seq: latest.seq,
                cases,
                events,
                expected_cases: latest.cases,
                expected_events: latest.events,
            });
        }
    }
    if let (None, Some(expect)) = (&report.problem, expect) {
        let expect = expect.trim().to_ascii_lowercase();
        if !checkpoints.iter().any(|c| c.hash == expect) {
            report.problem = Some(Broken::ExpectedMissing(expect));
        }
    }
    report
}

/// Writes a checkpoint over every case's head as of now, after verifying the chains and the
/// checkpoints before it (in the same walk); returns it (its `hash` is the line to publish).
pub async fn checkpoint(store: &dyn Store, clock: &dyn Clock) -> Result<Checkpoint, AuditError> {
    // The mark first: every event a checkpoint read below covers is committed already. The
    // access log's head likewise: the walk below reaches at least that row.
    let through = store.audit_mark().await?;
    let head = match store.access_log(&AccessQuery { limit: 1, ..Default::default() }).await?.pop() {
        Some(row) => AccessHead { seq: row.seq, hash: row.hash },
        None => AccessHead { seq: 0, hash: GENESIS.to_owned() },
    };
    let checkpoints = store.checkpoints().await?;
    let previous = checkpoints.last().map_or(0, |c| c.through);
    let Walk { mut report, mut roots } = walk(store, &[previous, through]).await?;
    let anchored = walk_access(store, &mut report, access_anchor(checkpoints.last())).await?;
    if report.problem.is_none() {
        report.problem = check_access_anchor(checkpoints.last(), anchored.as_deref());
    }
    let root = roots.pop().expect("a root per mark");
    let report = judge(report, roots.pop().expect("a root per mark"), &checkpoints, None);
    if let Some(problem) = report.problem {
        return Err(AuditError::Broken(problem));
    }
    let (cases, events) = root.counts();
    let new = NewCheckpoint { at: clock.now(), cases, events, through, root: root.finish(), access: Some(head) };
    let written = store.append_checkpoint(&new).await?;
    tracing::info!(checkpoint.seq = written.seq, checkpoint.cases = cases, checkpoint.events = events, "audit checkpoint written");
    Ok(written)
}

/// What [`checkpoint_if_due`] did: the checkpoint it wrote, if it was due, and when the next
/// one falls due.
#[derive(Clone, Debug)]
pub struct Periodic {
    pub written: Option<Checkpoint>,
    pub next_due: jiff::Timestamp,
}

/// Writes a checkpoint (see [`checkpoint`]) when the latest one is at least `every` old by
/// `clock`, or there is none yet. The serve process calls it when the time it was last told
/// comes, so the chains are anchored without a cron job. Several replicas may call it: one that
/// reads the latest checkpoint just before another replica appends one writes a second
/// checkpoint soon after, which is harmless (the checkpoints' chain stays linked).
pub async fn checkpoint_if_due(store: &dyn Store, clock: &dyn Clock, every: jiff::SignedDuration) -> Result<Periodic, AuditError> {
    let next = |c: &Checkpoint| c.at.saturating_add(every).unwrap_or(jiff::Timestamp::MAX);
    if let Some(latest) = store.checkpoints().await?.pop()
        && next(&latest) > clock.now()
    {
        return Ok(Periodic { next_due: next(&latest), written: None });
    }
    let written = checkpoint(store, clock).await?;
    Ok(Periodic { next_due: next(&written), written: Some(written) })
}
