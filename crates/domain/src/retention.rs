//! How long a case's personal data is kept, and what of a case's history is left once it is
//! purged (issue 8). Both are rules about data, so they live here, pure: the engine applies
//! them and the store writes what they give.
//!
//! The regulation sets no retention period; an edition's `[retention]` table is our
//! configuration (see docs/retention.md).

use crate::case::{Event, EventKind};
use jiff::{Timestamp, ToSpan, tz::TimeZone};
use serde::{Deserialize, Serialize};

/// An edition's retention rule: a closed case's personal data is purged once its closing is
/// `years_after_closing` whole calendar years old.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    /// 1 to 100.
    pub years_after_closing: u32,
}

impl Retention {
    /// The accepted range of `years_after_closing`: at least a year, at most a century.
    pub const YEARS: std::ops::RangeInclusive<u32> = 1..=100;

    /// The first instant at which a case closed at `closed_at` may be purged: the same moment
    /// (in UTC) `years_after_closing` years later; 29 February falls back to 28 February.
    pub fn purge_from(&self, closed_at: Timestamp) -> Timestamp {
        let years = i64::from(self.years_after_closing);
        closed_at
            .to_zoned_datetime(TimeZone::UTC)
            .checked_add(years.years())
            .map(|z| z.timestamp())
            // Past the year 9999: never in practice, and then never eligible.
            .unwrap_or(Timestamp::MAX)
    }

    /// Whether a case closed at `closed_at` is eligible for purging at `as_of`.
    pub fn is_due(&self, closed_at: Timestamp, as_of: Timestamp) -> bool {
        as_of >= self.purge_from(closed_at)
    }

    /// The rule as recorded on a purged case's tombstone, e.g. `2018: 5 years after closing`.
    pub fn describe(&self, edition: &str) -> String {
        format!("{edition}: {} years after closing", self.years_after_closing)
    }
}

/// What is kept of an event once its case is purged: who, when, which kind of event, and which
/// task, step and outcome it concerned. Nothing a person wrote or an application held: no
/// application, no free-text reasoning, no answers of other systems, no document content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedactedEvent {
    pub at: Timestamp,
    /// The staff member's (or system account's) user id, role and unit.
    pub by: crate::case::Actor,
    /// The event's type, as [`EventKind::name`] gives it.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// The outcome's id (an `outcome_recorded` event), or the case's result (`case_closed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

/// Redacts an event down to [`RedactedEvent`].
pub fn redact(event: &Event) -> RedactedEvent {
    let (task, step, outcome) = match &event.kind {
        EventKind::CaseOpened { .. } | EventKind::TermSet { .. } | EventKind::TermOverrun { .. } => (None, None, None),
        EventKind::TaskOpened { task, step, .. } => (Some(*task), Some(step.to_string()), None),
        EventKind::OutcomeRecorded { task, step, outcome, .. } => (Some(*task), Some(step.to_string()), Some(outcome.to_string())),
        EventKind::DeadlineSet { task, .. }
        | EventKind::TaskFlagged { task, .. }
        | EventKind::DocumentProduced { task, .. }
        | EventKind::DocumentIssued { task, .. } => (Some(*task), None, None),
        EventKind::CaseClosed { result } => (None, None, Some(result.code().to_owned())),
    };
    RedactedEvent { at: event.at, by: event.by.clone(), kind: event.kind.name().to_owned(), task, step, outcome }
}
