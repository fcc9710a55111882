//! The stored form of events, pinned byte for byte: the event log is kept as this JSON and the
//! audit chain hashes it, so a change of the Rust types must never change these bytes.
//!
//! `serialized.jsonl` was written by the code before events shared their strings with the
//! definition (issue 9). A failure here means stored logs would no longer match their hashes.

use crate::support::*;
use domain::case::{AdbRecord, Deadline, DocumentSignature, Flag, OutcomeInput, ServiceTerm, SystemAnswer};
use domain::{Case, Event, EventKind, UserId};
use jiff::civil::date;

const GOLDEN: &str = include_str!("serialized.jsonl");

fn missing(docs: &[&str]) -> OutcomeInput {
    OutcomeInput::MissingDocuments(docs.iter().map(|d| (*d).to_owned()).collect())
}

fn grounds(ids: &[&str], reasoning: &str) -> OutcomeInput {
    OutcomeInput::RefusalGrounds { grounds: ids.iter().map(|g| (*g).to_owned()).collect(), reasoning: reasoning.into() }
}

/// Three walks that between them give every event kind `decide` makes and every input and
/// answer, followed by the events only the runtime makes, written out by hand.
fn walks() -> Vec<Walk> {
    let mut issued = Walk::opened();
    issued.walk_to_knb();
    issued.ok(&knb(), choose_with("P5", "extend", OutcomeInput::Extension { days: 12, reason: "more checks".into() }));
    issued.ok(&office(), answer("P5n", ack("SC-NOTICE-1")));
    issued.ok(&knb(), choose("P5", "agree"));
    issued.ok(&executor(), choose("P6", "draft_invitation"));
    issued.ok(&management(), choose("P7", "invitation_signed"));
    issued.ok(&executor(), answer("P8", invitation_recorded()));
    issued.ok(&office(), answer("P9", ack("SC-RESULT-1")));
    issued.ok(&operator(), choose("SC5", "invitation_handed_over"));

    let mut refused = Walk::opened();
    refused.walk_to_adb_check();
    let records = vec![AdbRecord { person: "invitee:0".into(), ground: "entry_ban".into(), summary: "expelled".into() }];
    refused.ok(&executor(), answer("P4", SystemAnswer::AdbRecords { records }));
    refused.ok(&executor(), choose_with("P6", "draft_refusal", grounds(&["entry_ban"], "banned until 2029")));

    let mut incomplete = Walk::opened();
    incomplete.ok(&operator(), choose_with("SC1", "incomplete", missing(&["passport_copy", "application_form"])));
    vec![issued, refused, incomplete]
}

fn runtime_events() -> Vec<Event> {
    let at: jiff::Timestamp = "2026-11-24T05:00:00.123456Z".parse().unwrap();
    let by = actor("system:timers", "system", "system");
    let event = |kind| Event { at, by: by.clone(), kind };
    vec![
        event(EventKind::DeadlineSet {
            task: 2,
            deadline: Deadline { due: at, warn_at: at, rule: "10 working minutes".into(), explanation: vec!["skipped Sunday".into()] },
        }),
        event(EventKind::TermSet {
            term: ServiceTerm { starts_at: at, ends_on: date(2026, 12, 14), deliver_by: date(2026, 12, 11), explanation: vec![] },
        }),
        event(EventKind::TaskFlagged { task: 2, flag: Flag::AtRisk, escalated_to: None }),
        event(EventKind::TaskFlagged { task: 2, flag: Flag::Overdue, escalated_to: Some("management".into()) }),
        event(EventKind::TermOverrun { ends_on: date(2026, 12, 14) }),
        event(EventKind::DocumentIssued {
            task: 3,
            document: "acceptance_receipt".into(),
            id: "doc-1".into(),
            hash: "ab".repeat(32),
            languages: vec!["kk".into(), "kk-ru".into()],
            signed: Some(DocumentSignature {
                signer: UserId("boss1".into()),
                algorithm: "ed25519".into(),
                key_id: "key-1".into(),
                signed_at: at,
            }),
        }),
    ]
}

/// One line per event, then one line per case replayed from its walk.
fn serialized() -> String {
    let mut lines = Vec::new();
    for w in walks() {
        for e in &w.events {
            lines.push(serde_json::to_string(e).unwrap());
        }
        let case = Case::replay(w.id.clone(), &w.events).unwrap();
        lines.push(serde_json::to_string(&case).unwrap());
    }
    for e in runtime_events() {
        lines.push(serde_json::to_string(&e).unwrap());
    }
    lines.join("\n") + "\n"
}

#[test]
fn events_and_cases_serialize_to_the_same_bytes_as_before() {
    let now = serialized();
    for (i, (was, is)) in GOLDEN.lines().zip(now.lines()).enumerate() {
        assert_eq!(is, was, "line {} of serialized.jsonl differs", i + 1);
    }
    assert_eq!(now.lines().count(), GOLDEN.lines().count(), "a different number of lines");
}

#[test]
fn the_pinned_lines_read_back_and_serialize_again_unchanged() {
    for line in GOLDEN.lines() {
        let again = if line.starts_with("{\"at\":") {
            serde_json::to_string(&serde_json::from_str::<Event>(line).unwrap()).unwrap()
        } else {
            serde_json::to_string(&serde_json::from_str::<Case>(line).unwrap()).unwrap()
        };
        assert_eq!(again, line);
    }
}
