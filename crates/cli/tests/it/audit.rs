//! The tamper-evident audit log (issue 8) end to end: cases advanced through the API verify
//! clean; an event changed with raw SQL behind the store's back is found and named, by the
//! engine's verifier and by `shaqyru audit verify`; a checkpoint catches a case cut short, whose
//! remaining hashes all still match.

use crate::documents::{database, raw_sql};
use crate::{PASSPORT_CLEAR, TestApp};
use engine::audit::{self, Broken};
use std::process::Command;

fn shaqyru(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_shaqyru")).args(args).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn postgres(app: &TestApp) -> bool {
    database(app).starts_with("postgres://")
}

/// Changes one stored event's JSON as an intruder with database access would.
async fn tamper(app: &TestApp, case: &str, version: u64) {
    let sql = if postgres(app) {
        format!("UPDATE events SET body = body || '{{\"tampered\": true}}'::jsonb WHERE case_id = '{case}' AND version = {version};")
    } else {
        format!("UPDATE events SET body = json_set(body, '$.tampered', json('true')) WHERE case_id = '{case}' AND version = {version};")
    };
    behind_the_triggers(app, &sql).await;
}

/// Two cases: one at P5 (waiting for the KNB), one just opened.
async fn two_cases(app: &TestApp) -> (String, String) {
    let first = app.open_case(PASSPORT_CLEAR).await;
    app.through_front_office_and_checks(&first).await;
    let second = app.open_case(PASSPORT_CLEAR).await;
    (first, second)
}

#[tokio::test]
async fn a_changed_event_is_found_and_named_by_case_and_version() {
    let app = TestApp::spawn().await;
    let (first, second) = two_cases(&app).await;
    let store = app.engine.store().clone();

    let clean = audit::verify(store.as_ref(), None).await.unwrap();
    assert_eq!(clean.problem, None, "{clean:?}");
    assert_eq!(clean.cases, 2);
    assert_eq!(clean.events, app.version(&first).await + app.version(&second).await, "every event is walked");
    assert_eq!(clean.unchained, 0, "every event written since 0006 has a hash");

    tamper(&app, &first, 3).await;
    let report = audit::verify(store.as_ref(), None).await.unwrap();
    assert_eq!(report.problem, Some(Broken::HashMismatch { case: domain::CaseId(first.clone()), version: 3 }), "{report:?}");
    let text = report.problem.unwrap().to_string();
    assert!(text.contains(&first) && text.contains("version 3"), "{text}");
}

#[tokio::test]
async fn a_case_cut_short_after_a_checkpoint_is_found_by_the_checkpoint() {
    let app = TestApp::spawn().await;
    let (first, _second) = two_cases(&app).await;
    let store = app.engine.store().clone();
    let checkpoint = audit::checkpoint(store.as_ref(), app.clock.as_ref()).await.unwrap();
    assert_eq!((checkpoint.seq, checkpoint.cases), (1, 2));

    // Work after the checkpoint is not covered by it and verifies.
    app.open_case(PASSPORT_CLEAR).await;
    let report = audit::verify(store.as_ref(), Some(&checkpoint.hash)).await.unwrap();
    assert_eq!(report.problem, None, "{report:?}");
    assert_eq!((report.cases, report.checkpoints), (3, 1));

    // The intruder deletes the first case's last event: each remaining hash still matches.
    let last = app.version(&first).await;
    behind_the_triggers(&app, &format!("DELETE FROM events WHERE case_id = '{first}' AND version = {last};")).await;
    let report = audit::verify(store.as_ref(), None).await.unwrap();
    assert!(matches!(report.problem, Some(Broken::CheckpointMismatch { seq: 1, .. })), "{report:?}");
    let refused = audit::checkpoint(store.as_ref(), app.clock.as_ref()).await;
    assert!(refused.is_err(), "no checkpoint vouches for a changed log");
}

#[tokio::test]
async fn audit_verify_exits_zero_on_a_clean_database_and_non_zero_naming_the_event_after_tampering() {
    let app = TestApp::spawn().await;
    let (first, _) = two_cases(&app).await;
    let db = database(&app);

    let (ok, out, err) = shaqyru(&["audit", "checkpoint", "--database", &db]);
    assert!(ok, "{out}{err}");
    let published = out.lines().last().unwrap().to_owned();
    assert_eq!(published.len(), 64, "the last line is the hash to publish: {out}");

    let (ok, out, err) = shaqyru(&["audit", "verify", "--database", &db, "--expect", &published]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("cases: 2,") && out.contains("checkpoints: 1") && out.contains("intact"), "{out}");

    let (ok, _, err) = shaqyru(&["audit", "verify", "--database", &db, "--expect", &"0".repeat(64)]);
    assert!(!ok && err.contains("no checkpoint has the hash"), "{err}");

    tamper(&app, &first, 2).await;
    let (ok, out, err) = shaqyru(&["audit", "verify", "--database", &db]);
    assert!(!ok, "a tampered log fails verification: {out}");
    assert!(err.contains(&format!("case {first} version 2: the stored hash does not match")), "{err}");
    assert!(!err.contains("tampered"), "the report names no event content: {err}");
}

/// Runs `sql` with the events table's append-only trigger switched off, as an intruder with
/// database access would.
pub(crate) async fn behind_the_triggers(app: &TestApp, sql: &str) {
    let off = if postgres(app) {
        "ALTER TABLE events DISABLE TRIGGER events_no_update_or_delete;"
    } else {
        "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;"
    };
    raw_sql(app, &format!("{off} {sql}")).await;
}

#[tokio::test]
async fn an_event_deleted_from_the_middle_is_named_by_the_missing_version() {
    let app = TestApp::spawn().await;
    let (first, _) = two_cases(&app).await;
    assert!(app.version(&first).await >= 3, "the first case has an event in the middle");
    behind_the_triggers(&app, &format!("DELETE FROM events WHERE case_id = '{first}' AND version = 2;")).await;
    let report = audit::verify(app.engine.store().as_ref(), None).await.unwrap();
    assert_eq!(report.problem, Some(Broken::MissingVersion { case: domain::CaseId(first), version: 2 }), "{report:?}");
}

#[tokio::test]
async fn two_events_swapped_with_their_hashes_are_named_at_the_first_of_them() {
    let app = TestApp::spawn().await;
    let (first, _) = two_cases(&app).await;
    assert!(app.version(&first).await >= 4, "the first case has two events to swap after its first");
    // The rows stay as written, hashes included; only their places in the case's order change.
    behind_the_triggers(
        &app,
        &format!(
            "UPDATE events SET version = 1000000 WHERE case_id = '{first}' AND version = 3;
             UPDATE events SET version = 3 WHERE case_id = '{first}' AND version = 4;
             UPDATE events SET version = 4 WHERE case_id = '{first}' AND version = 1000000;"
        ),
    )
    .await;
    let report = audit::verify(app.engine.store().as_ref(), None).await.unwrap();
    assert_eq!(report.problem, Some(Broken::HashMismatch { case: domain::CaseId(first), version: 3 }), "{report:?}");
    assert_eq!(report.cases, 2, "the walk goes on past the broken case: {report:?}");
}

/// Waits (up to 15 s) until the anchor file has `lines` lines, and returns its text.
async fn anchor_lines(path: &std::path::Path, lines: usize) -> String {
    for _ in 0..150 {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if text.lines().count() >= lines {
            return text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the anchor file did not reach {lines} lines: {:?}", std::fs::read_to_string(path));
}

#[tokio::test]
async fn the_service_writes_a_checkpoint_each_day_to_the_database_and_the_anchor_file() {
    let anchors_dir = tempfile::tempdir().unwrap();
    let anchors = anchors_dir.path().join("anchors.tsv");
    let path = anchors.clone();
    let app = TestApp::spawn_with(move |s| {
        s.background = true;
        s.knb_delay = std::time::Duration::from_secs(3600);
        s.audit_anchor_file = Some(path.clone());
    })
    .await;
    let (first, _) = two_cases(&app).await;

    // None yet: the first one comes at start-up; the next only when a day has passed on the
    // service's clock.
    let text = anchor_lines(&anchors, 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(std::fs::read_to_string(&anchors).unwrap().lines().count(), 1, "not due again within the day");
    app.clock.advance(jiff::SignedDuration::from_hours(24));
    let text2 = anchor_lines(&anchors, 2).await;
    assert!(text2.starts_with(&text));
    let checkpoints = app.engine.store().checkpoints().await.unwrap();
    assert_eq!(checkpoints.len(), 2);
    let last_line = text2.lines().last().unwrap();
    assert!(last_line.starts_with("2\t") && last_line.ends_with(&checkpoints[1].hash), "{last_line}");

    let db = database(&app);
    let file = anchors.display().to_string();
    let (ok, out, err) = shaqyru(&["audit", "verify", "--database", &db, "--anchors", &file]);
    assert!(ok && out.contains("anchor file: 2 hashes, all in the checkpoint chain"), "{out}{err}");

    // A hash published earlier that the database no longer has: named by its line.
    std::fs::write(&anchors, format!("{text2}# pasted from the gazette\n{}\n", "e".repeat(64))).unwrap();
    let (ok, _, err) = shaqyru(&["audit", "verify", "--database", &db, "--anchors", &file]);
    assert!(!ok && err.contains("line 4") && err.contains(&"e".repeat(64)), "{err}");
    std::fs::write(&anchors, "1\tdamaged\n").unwrap();
    let (ok, _, err) = shaqyru(&["audit", "verify", "--database", &db, "--anchors", &file]);
    assert!(!ok && err.contains("line 1: the last field is not a checkpoint hash"), "{err}");

    // A broken log gets no checkpoint, however long the wait.
    tamper(&app, &first, 2).await;
    app.clock.advance(jiff::SignedDuration::from_hours(24));
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(app.engine.store().checkpoints().await.unwrap().len(), 2, "no checkpoint vouches for a tampered log");
}
