//! The access log (issue 8) end to end: every allowed read of a case's personal data — the
//! API's case, the case page, the receipt page, a PDF — adds one row naming the user, what was
//! viewed and the client's address, and a refused read adds none; `audit verify` names a
//! changed, deleted or swapped row, and after a checkpoint the newest rows deleted; `audit
//! views` lists the rows.

use crate::documents::{database, raw_sql};
use crate::ui::Browser;
use crate::{ALMATY_OFFICE, OPERATOR, PASSPORT_CLEAR, SUPERVISOR, TestApp};
use domain::CaseId;
use engine::audit::{self, Broken};
use reqwest::StatusCode;
use std::process::Command;
use store::{AccessQuery, AccessRecord};

fn shaqyru(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_shaqyru")).args(args).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn postgres(app: &TestApp) -> bool {
    database(app).starts_with("postgres://")
}

/// The case's views, newest first.
async fn views_of(app: &TestApp, case: &str) -> Vec<AccessRecord> {
    let query = AccessQuery { case_id: Some(CaseId(case.to_owned())), user: None, limit: 1000 };
    app.engine.store().access_log(&query).await.unwrap()
}

/// Runs `read` and returns the one row it added to the case's views (failing if it added
/// another number of rows).
async fn one_new_view<F: std::future::Future<Output = ()>>(app: &TestApp, case: &str, read: F) -> AccessRecord {
    let before = views_of(app, case).await.len();
    read.await;
    let mut after = views_of(app, case).await;
    assert_eq!(after.len(), before + 1, "one read, one row: {:?}", &after[..after.len() - before]);
    after.remove(0)
}

async fn get_status(app: &TestApp, user: &str, path: &str) -> StatusCode {
    let r = reqwest::Client::new().get(format!("http://{}{path}", app.addr)).bearer_auth(app.token(user)).send().await.unwrap();
    r.status()
}

#[tokio::test]
async fn each_allowed_read_adds_one_row_with_its_user_what_and_origin_and_a_refused_read_none() {
    let app = TestApp::spawn().await;
    let case = app.open_case(PASSPORT_CLEAR).await;
    // Past acceptance: the acceptance receipt is issued.
    app.through_front_office_and_checks(&case).await;
    let user = app.engine.store().user(OPERATOR).await.unwrap().unwrap();

    let api = one_new_view(&app, &case, async {
        assert_eq!(get_status(&app, OPERATOR, &format!("/api/cases/{case}")).await, StatusCode::OK);
    })
    .await;
    assert_eq!((api.user.as_str(), api.role.as_str(), api.unit.as_str()), (OPERATOR, user.role.as_str(), user.unit.as_str()));
    assert_eq!((api.what.as_str(), api.document.as_deref(), api.origin.as_deref()), ("case", None, Some("127.0.0.1")));
    assert_eq!(api.at, app.engine.now(), "recorded at the engine's time");

    let pdf = one_new_view(&app, &case, async {
        let path = format!("/api/cases/{case}/documents/acceptance_receipt?lang=kk-ru");
        assert_eq!(get_status(&app, OPERATOR, &path).await, StatusCode::OK);
    })
    .await;
    assert_eq!(
        (pdf.what.as_str(), pdf.document.as_deref(), pdf.language.as_deref(), pdf.origin.as_deref()),
        ("document", Some("acceptance_receipt"), Some("kk-ru"), Some("127.0.0.1"))
    );

    let mut browser = Browser::new(&app);
    browser.sign_in(SUPERVISOR).await;
    let page = one_new_view(&app, &case, async {
        assert_eq!(browser.get(&format!("/cases/{case}")).await.status, StatusCode::OK);
    })
    .await;
    assert_eq!((page.user.as_str(), page.what.as_str(), page.origin.as_deref()), (SUPERVISOR, "case", Some("127.0.0.1")));
    let receipt = one_new_view(&app, &case, async {
        assert_eq!(browser.get(&format!("/cases/{case}/receipt")).await.status, StatusCode::OK);
    })
    .await;
    assert_eq!((receipt.user.as_str(), receipt.what.as_str()), (SUPERVISOR, "receipt"));
    let page_pdf = one_new_view(&app, &case, async {
        assert_eq!(browser.get(&format!("/cases/{case}/documents/acceptance_receipt?lang=kk")).await.status, StatusCode::OK);
    })
    .await;
    assert_eq!((page_pdf.what.as_str(), page_pdf.language.as_deref()), ("document", Some("kk")));

    // Another city's office: the case does not exist for it, and nothing is recorded.
    let before = views_of(&app, &case).await.len();
    assert_eq!(get_status(&app, ALMATY_OFFICE, &format!("/api/cases/{case}")).await, StatusCode::NOT_FOUND);
    let pdf_path = format!("/api/cases/{case}/documents/acceptance_receipt?lang=kk");
    assert_eq!(get_status(&app, ALMATY_OFFICE, &pdf_path).await, StatusCode::NOT_FOUND);
    assert_eq!(views_of(&app, &case).await.len(), before, "a refused read records nothing");

    let rows = views_of(&app, &case).await;
    assert!(rows.windows(2).all(|w| w[0].seq == w[1].seq + 1), "one chain, numbered without gaps");
    let report = audit::verify(app.engine.store().as_ref(), None).await.unwrap();
    assert_eq!((report.problem, report.views), (None, rows.len() as u64), "the log verifies");
}

/// A test app with a case read `n` times through the API: rows 1..=n of the access log.
async fn app_with_views(n: usize) -> (TestApp, String) {
    let app = TestApp::spawn().await;
    let case = app.open_case(PASSPORT_CLEAR).await;
    while views_of(&app, &case).await.len() < n {
        assert_eq!(get_status(&app, OPERATOR, &format!("/api/cases/{case}")).await, StatusCode::OK);
    }
    assert_eq!(views_of(&app, &case).await.len(), n);
    (app, case)
}

/// Raw SQL as an intruder with database access would run it, with the append-only triggers off.
async fn intrude(app: &TestApp, sql: &str) {
    let off = if postgres(app) {
        "ALTER TABLE access_log DISABLE TRIGGER access_log_no_update_or_delete;"
    } else {
        "DROP TRIGGER access_log_no_update; DROP TRIGGER access_log_no_delete;"
    };
    raw_sql(app, &format!("{off} {sql}")).await;
}

async fn problem(app: &TestApp) -> Option<Broken> {
    audit::verify(app.engine.store().as_ref(), None).await.unwrap().problem
}

#[tokio::test]
async fn verify_names_a_changed_a_deleted_and_a_swapped_row_by_its_number() {
    let (app, _) = app_with_views(5).await;
    assert_eq!(problem(&app).await, None);
    intrude(&app, "UPDATE access_log SET user_id = 'someone-else' WHERE seq = 3;").await;
    assert_eq!(problem(&app).await, Some(Broken::AccessMismatch { seq: 3 }), "a changed row");

    let (app, _) = app_with_views(5).await;
    intrude(&app, "DELETE FROM access_log WHERE seq = 3;").await;
    assert_eq!(problem(&app).await, Some(Broken::AccessMissing { seq: 3 }), "a row deleted from the middle");

    let (app, _) = app_with_views(5).await;
    // Rows 2 and 4 trade places (row 3 of another time in between would be too easy).
    intrude(&app, "UPDATE access_log SET seq = 100 WHERE seq = 2; UPDATE access_log SET seq = 2 WHERE seq = 4; UPDATE access_log SET seq = 4 WHERE seq = 100;")
        .await;
    assert_eq!(problem(&app).await, Some(Broken::AccessMismatch { seq: 2 }), "swapped rows");
}

#[tokio::test]
async fn after_a_checkpoint_deleting_the_newest_rows_is_found_and_named() {
    let (app, case) = app_with_views(4).await;
    let store = app.engine.store().clone();
    let checkpoint = audit::checkpoint(store.as_ref(), app.clock.as_ref()).await.unwrap();
    assert_eq!(checkpoint.access.as_ref().map(|a| a.seq), Some(4), "the checkpoint anchors the newest row");

    // Views after the checkpoint are not covered by it, and verify.
    get_status(&app, OPERATOR, &format!("/api/cases/{case}")).await;
    let report = audit::verify(store.as_ref(), Some(&checkpoint.hash)).await.unwrap();
    assert_eq!((report.problem, report.views), (None, 5));

    intrude(&app, "DELETE FROM access_log WHERE seq >= 4;").await;
    assert_eq!(problem(&app).await, Some(Broken::AccessCheckpoint { seq: 1, row: 4 }), "the anchored row is gone");
    assert!(audit::checkpoint(store.as_ref(), app.clock.as_ref()).await.is_err(), "no checkpoint vouches for a cut log");
}

#[tokio::test]
async fn audit_views_lists_a_cases_rows_and_audit_verify_names_a_changed_row() {
    let (app, case) = app_with_views(3).await;
    let db = database(&app);
    let reference = app.engine.store().case_summary(&CaseId(case.clone())).await.unwrap().unwrap().reference;
    let (ok, out, err) = shaqyru(&["audit", "views", "--database", &db, "--case", &reference, "--user", OPERATOR, "--limit", "2"]);
    assert!(ok, "{out}{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "a header and two rows: {out}");
    assert!(lines[1].starts_with("3\t") && lines[2].starts_with("2\t"), "newest first: {out}");
    assert!(lines[1].contains(&format!("\t{OPERATOR}\t")) && lines[1].contains(&format!("\t{case}\tcase\t127.0.0.1")), "{out}");

    let (ok, _, err) = shaqyru(&["audit", "views", "--database", &db, "--limit", "0"]);
    assert!(!ok && err.contains("--limit"), "{err}");

    intrude(&app, "UPDATE access_log SET origin = '10.9.9.9' WHERE seq = 2;").await;
    let (ok, out, err) = shaqyru(&["audit", "verify", "--database", &db]);
    assert!(!ok, "{out}");
    assert!(err.contains("access log row 2: the stored hash does not match"), "{err}");
}

#[tokio::test]
async fn a_supervisor_sees_who_viewed_the_case_and_the_knb_liaison_sees_only_the_coordination_request() {
    let app = TestApp::spawn().await;
    let case = app.open_case(PASSPORT_CLEAR).await;
    app.through_front_office_and_checks(&case).await;

    let mut liaison = Browser::new(&app);
    liaison.sign_in(crate::KNB).await;
    let page = liaison.get(&format!("/cases/{case}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"coordination-only\""), "the page says what it shows");
    assert!(page.body.contains(&format!("action=\"/cases/{case}/steps/P5\"")), "the liaison answers P5 from the page");
    assert!(!page.body.contains("id=\"h-docs\"") && !page.body.contains("/documents/"), "no documents: {}", page.body);
    assert!(!page.body.contains("id=\"h-views\""), "the liaison does not see who viewed the case");
    let pdf = liaison.get(&format!("/cases/{case}/documents/acceptance_receipt?lang=kk")).await;
    assert_eq!(pdf.status, StatusCode::FORBIDDEN);

    let mut supervisor = Browser::new(&app);
    supervisor.sign_in(SUPERVISOR).await;
    let page = supervisor.get(&format!("/cases/{case}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let at = page.body.find("id=\"h-views\"").unwrap_or_else(|| panic!("a \"who viewed\" section: {}", page.body));
    let section = &page.body[at..];
    assert!(section.contains(crate::KNB) && section.contains("127.0.0.1"), "the liaison's view is listed with its address");
    assert!(!page.body.contains("id=\"coordination-only\""), "the supervisor sees the whole case");
}
