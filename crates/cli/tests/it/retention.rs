//! Retention end to end (issue 8): two closed cases and an open one; once the clock passes the
//! edition's five years, a dry run counts and changes nothing, a purge leaves no personal data
//! of the closed cases in any table, the audit log (and the checkpoints before and after) still
//! verify, the compliance report is unchanged, a second run purges nothing, the API answers
//! 410 for a purged case, and tampering with a purged case is still named.

use crate::documents::{database, raw_sql};
use crate::{ALMATY_OFFICE, OFFICE, OPERATOR, PASSPORT_CLEAR, SUPERVISOR, TestApp};
use engine::audit::{self, Broken};
use engine::retention::PurgeOptions;
use jiff::SignedDuration;
use serde_json::json;

fn shaqyru(args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shaqyru")).args(args).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

const IIN: &str = "061211600012";
const PERSONAL: [&str; 4] = [IIN, "Сейтқали", "ERIKSSON", PASSPORT_CLEAR];
const REPORT: &str = "/api/reports/compliance?from=2026-11-24&to=2026-11-24";

/// Every row of every table as text, with the table's name: what a person with the database
/// file would see.
async fn every_row(app: &TestApp) -> Vec<(String, String)> {
    use sqlx::{Connection, Row};
    let url = database(app);
    let mut rows = Vec::new();
    if url.starts_with("postgres://") {
        let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
        let tables: Vec<String> = sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()")
            .fetch_all(&mut db)
            .await
            .unwrap();
        for t in tables {
            let sql = format!("SELECT t::text FROM \"{t}\" t");
            for r in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut db).await.unwrap() {
                rows.push((t.clone(), r.get::<String, _>(0)));
            }
        }
    } else {
        let mut db = sqlx::SqliteConnection::connect(&format!("sqlite://{url}")).await.unwrap();
        let tables: Vec<String> =
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'").fetch_all(&mut db).await.unwrap();
        for t in tables {
            let columns: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT name FROM pragma_table_info('{t}')")))
                .fetch_all(&mut db)
                .await
                .unwrap();
            let text = columns.iter().map(|c| format!("COALESCE(CAST(\"{c}\" AS TEXT), '')")).collect::<Vec<_>>().join(" || '|' || ");
            // As bytes: a column may hold binary data that is not UTF-8.
            let sql = format!("SELECT CAST(({text}) AS BLOB) FROM \"{t}\"");
            for r in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut db).await.unwrap() {
                rows.push((t.clone(), String::from_utf8_lossy(&r.get::<Vec<u8>, _>(0)).into_owned()));
            }
        }
    }
    rows
}

/// The rows holding any personal datum of the test application.
async fn personal_rows(app: &TestApp) -> Vec<(String, String)> {
    every_row(app).await.into_iter().filter(|(_, text)| PERSONAL.iter().any(|p| text.to_uppercase().contains(&p.to_uppercase()))).collect()
}

#[tokio::test]
async fn a_purge_leaves_no_personal_data_of_closed_cases_and_the_audit_log_still_verifies() {
    let app = TestApp::spawn().await;
    let store = app.engine.store().clone();
    // One case closed at the window (with its receipt), one closed with an issued invitation
    // (documents, the KNB's outbox message), one still open.
    let refused = app.open_case(PASSPORT_CLEAR).await;
    let r = app.ok(OPERATOR, &refused, "SC1", Some("incomplete"), Some(json!({ "missing_documents": ["passport_copy"] }))).await;
    assert_eq!(r["status"], "closed");
    let issued = app.open_case(PASSPORT_CLEAR).await;
    app.through_front_office_and_checks(&issued).await;
    assert_eq!(app.dispatch_outbox().await, 1);
    assert_eq!(app.deliver_knb(10).await, 1);
    app.ok(crate::EXECUTOR, &issued, "P6", Some("draft_invitation"), None).await;
    app.ok(crate::HEAD, &issued, "P7", Some("invitation_signed"), None).await;
    app.ok(crate::EXECUTOR, &issued, "P8", None, None).await;
    app.ok(crate::OFFICE, &issued, "P9", None, None).await;
    assert_eq!(app.ok(OPERATOR, &issued, "SC5", Some("invitation_handed_over"), None).await["status"], "closed");
    let open = app.open_case(PASSPORT_CLEAR).await;
    let events_of_closed = app.version(&refused).await + app.version(&issued).await;

    let (status, report_before) = app.get(SUPERVISOR, REPORT).await;
    assert_eq!(status, 200, "{report_before}");
    let before = audit::checkpoint(store.as_ref(), app.clock.as_ref()).await.unwrap();
    assert!(personal_rows(&app).await.iter().any(|(_, row)| row.contains(&issued)), "the closed cases hold personal data before");

    let run = |dry_run: bool| {
        let engine = app.engine.clone();
        let as_of = app.engine.now();
        async move { engine.purge(&PurgeOptions { as_of, by: "dpo@test".into(), dry_run }).await.unwrap() }
    };
    let early = run(false).await;
    assert_eq!((early.closed, early.not_due, early.purged), (2, 2, 0), "nothing is due on the day of closing: {early:?}");

    // Five years and a day later.
    app.clock.advance(SignedDuration::from_hours(24 * (5 * 365 + 2)));
    let rows_before = every_row(&app).await;
    let dry = run(true).await;
    assert_eq!((dry.purged, dry.counts.events), (2, events_of_closed), "{dry:?}");
    assert!(dry.counts.documents >= 3 && dry.counts.outbox >= 1, "{dry:?}");
    assert_eq!(every_row(&app).await, rows_before, "a dry run changes nothing");

    let done = run(false).await;
    assert_eq!((done.purged, done.counts.events, done.skipped.len()), (2, events_of_closed, 0), "{done:?}");
    assert_eq!((done.counts.documents, done.counts.outbox), (dry.counts.documents, dry.counts.outbox));
    let again = run(false).await;
    assert_eq!((again.closed, again.purged), (0, 0), "a second run purges nothing more: {again:?}");

    // Personal data is left only in the open case's rows.
    for (table, row) in personal_rows(&app).await {
        assert!(row.contains(&open), "personal data of a purged case left in {table}: {row}");
        assert!(!row.contains(&refused) && !row.contains(&issued), "{table}: {row}");
    }

    let report = audit::verify(store.as_ref(), Some(&before.hash)).await.unwrap();
    assert_eq!(report.problem, None, "{report:?}");
    assert_eq!((report.purged, report.redacted, report.cases), (2, events_of_closed, 3), "{report:?}");
    let after = audit::checkpoint(store.as_ref(), app.clock.as_ref()).await.unwrap();
    assert_eq!(after.root, before.root, "the purged heads feed the root as before (nothing else changed)");
    let report = audit::verify(store.as_ref(), Some(&after.hash)).await.unwrap();
    assert_eq!(report.problem, None, "{report:?}");

    let (_, report_after) = app.get(SUPERVISOR, REPORT).await;
    assert_eq!(report_after, report_before, "the compliance report still counts the purged cases' tasks");
    let (status, body) = app.get(SUPERVISOR, &format!("/api/cases/{issued}")).await;
    assert_eq!((status.as_u16(), body["error"]["code"].as_str()), (410, Some("case_purged")), "{body}");
    assert_eq!(app.get(SUPERVISOR, &format!("/api/cases/{open}")).await.0, 200);
    // Its own units are told it was purged; another city's office is told nothing exists.
    assert_eq!(app.get(OFFICE, &format!("/api/cases/{issued}")).await.0.as_u16(), 410);
    let (status, body) = app.get(ALMATY_OFFICE, &format!("/api/cases/{issued}")).await;
    assert_eq!((status.as_u16(), body["error"]["code"].as_str()), (404, Some("not_found")), "{body}");

    // An intruder rewrites a redacted event: the tombstone names the case.
    let sql = if database(&app).starts_with("postgres://") {
        format!(
            "ALTER TABLE events DISABLE TRIGGER events_no_update_or_delete;
             UPDATE events SET body = jsonb_set(body, '{{redacted,by,user}}', '\"someone-else\"') WHERE case_id = '{issued}' AND version = 2;"
        )
    } else {
        format!(
            "DROP TRIGGER events_no_update;
             UPDATE events SET body = json_set(body, '$.redacted.by.user', 'someone-else') WHERE case_id = '{issued}' AND version = 2;"
        )
    };
    raw_sql(&app, &sql).await;
    let report = audit::verify(store.as_ref(), None).await.unwrap();
    assert!(
        matches!(&report.problem, Some(Broken::TombstoneMismatch { case, .. }) if case.0 == issued),
        "tampering with a purged case is named: {report:?}"
    );
}

#[test]
fn the_purge_command_refuses_a_future_day_unless_it_is_a_dry_run() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("empty.sqlite").display().to_string();
    let (ok, _, err) = shaqyru(&["migrate", "--database", &db]);
    assert!(ok, "{err}");
    let (ok, _, err) = shaqyru(&["purge", "--database", &db, "--as-of", "2999-01-01"]);
    assert!(!ok && err.contains("--as-of") && err.contains("future"), "{err}");
    let (ok, _, err) = shaqyru(&["purge", "--database", &db, "--as-of", "31.12.2030", "--dry-run"]);
    assert!(!ok && err.contains("--as-of") && err.contains("not a date"), "{err}");
    let (ok, out, err) = shaqyru(&["purge", "--database", &db, "--as-of", "2999-01-01", "--dry-run"]);
    assert!(ok && out.contains("dry run") && out.contains("0 case(s) due"), "{out}{err}");
    let (ok, out, err) = shaqyru(&["purge", "--database", &db]);
    assert!(ok && out.contains("purged as of") && out.contains("0 case(s)"), "{out}{err}");
}
