//! The statutory documents end to end: produced and hashed as the case moves, signed by the
//! head at P7, downloaded as PDFs in Kazakh and Russian, and verified in public by the code in
//! the invitation's QR code — valid, revoked, unknown, tampered, rate-limited.

use crate::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A case walked along the happy path to the window: the invitation is issued.
async fn issued_invitation(app: &TestApp) -> String {
    let case = app.open_case(PASSPORT_CLEAR).await;
    app.through_front_office_and_checks(&case).await;
    app.dispatch_outbox().await;
    assert_eq!(app.deliver_knb(10).await, 1);
    app.ok(EXECUTOR, &case, "P6", Some("draft_invitation"), None).await;
    app.ok(HEAD, &case, "P7", Some("invitation_signed"), None).await;
    app.ok(EXECUTOR, &case, "P8", None, None).await;
    case
}

/// GETs `path` as `user` (or without sign-in) and returns the status, content type and body.
async fn fetch(app: &TestApp, user: Option<&str>, path: &str) -> (StatusCode, String, Vec<u8>) {
    let mut request = reqwest::Client::new().get(format!("http://{}{path}", app.addr));
    if let Some(user) = user {
        request = request.bearer_auth(app.token(user));
    }
    let r = request.send().await.unwrap();
    let status = r.status();
    let content_type = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, content_type, r.bytes().await.unwrap().to_vec())
}

/// Downloads a document and returns the PDF's text (pdftotext, poppler-utils).
async fn pdf_text(app: &TestApp, user: &str, case: &str, document: &str, lang: &str) -> (PathBuf, String) {
    let (status, content_type, body) = fetch(app, Some(user), &format!("/api/cases/{case}/documents/{document}?lang={lang}")).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(content_type, "application/pdf");
    assert!(body.starts_with(b"%PDF-"));
    let path = app.dir.path().join(format!("{document}-{lang}.pdf"));
    std::fs::write(&path, &body).unwrap();
    let out =
        Command::new("pdftotext").args(["-layout", path.to_str().unwrap(), "-"]).output().expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success());
    (path, String::from_utf8(out.stdout).unwrap())
}

/// The text of the QR code on the PDF's first page (pdftoppm, and zbarimg of zbar-tools).
fn qr_text(pdf: &Path) -> String {
    let png = pdf.with_extension("");
    let out = Command::new("pdftoppm").args(["-r", "150", "-png", "-singlefile", "-f", "1"]).arg(pdf).arg(&png).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out =
        Command::new("zbarimg").args(["--raw", "-q"]).arg(png.with_extension("png")).output().expect("zbarimg (zbar-tools) is installed");
    assert!(out.status.success(), "no QR code found on the invitation");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// The stored invitation's verification code, as the engine kept it.
async fn verification_code(app: &TestApp, case: &str) -> String {
    let documents = app.engine.store().documents(&domain::CaseId(case.to_owned())).await.unwrap();
    let invitation = documents.iter().find(|d| d.kind == "invitation").expect("the invitation is stored");
    invitation.verification_code.clone().expect("an invitation has a verification code")
}

async fn verify(app: &TestApp, code: &str) -> Value {
    let (status, content_type, body) = fetch(app, None, &format!("/api/verify/{code}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("application/json"));
    serde_json::from_slice(&body).unwrap()
}

/// The database string the test app runs on (see `test_database`), for the command line and
/// for raw SQL.
pub(crate) fn database(app: &TestApp) -> String {
    match std::fs::read_to_string(app.dir.path().join("postgres-schema")) {
        Err(_) => app.dir.path().join("shaqyru.sqlite").display().to_string(),
        Ok(schema) => {
            let base = std::env::var("SHAQYRU_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
            format!("{base}?options=-c%20search_path%3D{schema}")
        }
    }
}

fn shaqyru(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_shaqyru")).args(args).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Runs one statement of raw SQL on the test app's database, as an intruder with database
/// access would.
pub(crate) async fn raw_sql(app: &TestApp, sql: &str) {
    let url = database(app);
    if url.starts_with("postgres://") {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(&mut conn).await.unwrap();
    } else {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{url}")).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(&mut conn).await.unwrap();
    }
}

#[tokio::test]
async fn an_issued_invitation_prints_in_kazakh_and_russian_and_its_qr_code_verifies_as_valid() {
    let app = TestApp::spawn().await;
    let case = issued_invitation(&app).await;
    let detail = app.case(&case).await;
    let number = detail["invitation"]["registration_number"].as_str().unwrap().to_owned();

    // Each document is listed with its content hash; the invitation with its signer.
    let documents = detail["documents"].as_array().unwrap();
    let kinds: Vec<&str> = documents.iter().map(|d| d["document"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["acceptance_receipt", "invitation"]);
    for d in documents {
        assert_eq!(d["hash"].as_str().map(str::len), Some(64), "{d}");
    }
    let invitation = &documents[1];
    assert_eq!(invitation["signed"]["signer"], HEAD);
    assert_eq!(invitation["signed"]["algorithm"], "Ed25519");
    assert_eq!(invitation["languages"], json!(["kk", "ru", "kk-ru"]));
    assert!(documents[0]["signed"].is_null(), "a receipt is not signed");
    let history = detail["history"].as_array().unwrap();
    let issued: Vec<&Value> = history.iter().filter(|h| h["type"] == "document_issued").collect();
    assert_eq!(issued.len(), 2);
    assert_eq!(issued[1]["step"], Value::Null);
    assert_eq!(issued[1]["detail"]["hash"], invitation["hash"]);

    let (kk_pdf, kk) = pdf_text(&app, HEAD, &case, "invitation", "kk").await;
    let (_, ru) = pdf_text(&app, OPERATOR, &case, "invitation", "ru").await;
    for text in [&kk, &ru] {
        assert!(text.contains(&number), "the registration number is printed:\n{text}");
        assert!(text.to_uppercase().contains("ERIKSSON ANNA MARIA"), "the invitee's name is printed:\n{text}");
        assert!(text.contains(&detail["reference"].as_str().unwrap().to_owned()));
    }
    assert!(kk.contains("ШАҚЫРУ") || kk.contains("Шақыру"), "Kazakh wording:\n{kk}");
    assert!(ru.contains("ПРИГЛАШЕНИЕ") || ru.contains("Приглашение"), "Russian wording:\n{ru}");
    let (_, both) = pdf_text(&app, HEAD, &case, "invitation", "kk-ru").await;
    assert!(both.contains(&number));
    // The same stored view renders the same bytes again.
    let again = fetch(&app, Some(HEAD), &format!("/api/cases/{case}/documents/invitation?lang=kk")).await.2;
    assert_eq!(again, std::fs::read(&kk_pdf).unwrap(), "a re-rendered invitation is byte-identical");

    // The QR code carries the public verification address with the unguessable code.
    let code = verification_code(&app, &case).await;
    assert_eq!(code.len(), 32);
    assert_eq!(qr_text(&kk_pdf), format!("http://{}/verify/{code}", app.addr));

    let answer = verify(&app, &code).await;
    assert_eq!(answer["status"], "valid", "{answer}");
    assert_eq!(answer["registration_number"], number.as_str());
    assert_eq!(answer["invitees"], json!([{ "initials": "E. A. M.", "citizenship": "SWE" }]));
    assert_eq!(answer["valid_until"], "2027-02-10");
    assert_eq!(answer["issued_on"], "2026-11-24");
    let text = answer.to_string();
    assert!(!text.contains("Eriksson") && !text.contains(PASSPORT_CLEAR) && !text.contains("061211600012"), "no personal data: {text}");

    let (status, content_type, page) = fetch(&app, None, &format!("/verify/{code}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/html"));
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("Жарамды") && page.contains(&number) && page.contains("E. A. M. (SWE)"), "{page}");

    // Other units cannot fetch the case's documents; unknown documents and languages are named.
    let (status, _, _) = fetch(&app, Some(ALMATY_OFFICE), &format!("/api/cases/{case}/documents/invitation?lang=kk")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = fetch(&app, Some(HEAD), &format!("/api/cases/{case}/documents/motivated_refusal")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, body) = fetch(&app, Some(HEAD), &format!("/api/cases/{case}/documents/invitation?lang=en")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{}", String::from_utf8_lossy(&body));
    let (_, receipt) = pdf_text(&app, OPERATOR, &case, "acceptance_receipt", "kk-ru").await;
    assert!(receipt.contains("ERIKSSON"), "{receipt}");
}

#[tokio::test]
async fn revoked_unknown_and_tampered_invitations_each_get_their_own_answer() {
    let app = TestApp::spawn().await;
    let case = issued_invitation(&app).await;
    let number = app.case(&case).await["invitation"]["registration_number"].as_str().unwrap().to_owned();
    let code = verification_code(&app, &case).await;
    assert_eq!(verify(&app, &code).await["status"], "valid");

    // Unknown: a well-formed code nobody was given, garbage, a lower-cased real one still works.
    assert_eq!(verify(&app, &"A".repeat(32)).await, json!({ "status": "unknown" }));
    assert_eq!(verify(&app, "not-a-code").await, json!({ "status": "unknown" }));
    assert_eq!(verify(&app, &code.to_lowercase()).await["status"], "valid");

    // Only an administrator revokes over the API.
    let (status, body) = app.post(HEAD, &format!("/api/invitations/{number}/revoke"), &json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = app.post("admin", "/api/invitations/0000000000/revoke", &json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The command line revokes by number, on the same database as the running server. It runs on
    // the real clock, not the test's, so it dates the revocation by the real day in Kazakhstan.
    let real_day = || engine::Clock::now(&engine::SystemClock).to_zoned_datetime(calendar::almaty()).date().to_string();
    let day_before = real_day();
    let (ok, out, err) = shaqyru(&["invitations", "revoke", "--database", &database(&app), "--number", &number]);
    let day_after = real_day();
    assert!(ok, "{err}");
    assert!(out.contains(&number));
    let answer = verify(&app, &code).await;
    assert_eq!(answer["status"], "revoked", "{answer}");
    let revoked_on = answer["revoked_on"].as_str().unwrap_or_default().to_owned();
    assert!(revoked_on == day_before || revoked_on == day_after, "{answer}");
    let (status, _) = app.post("admin", &format!("/api/invitations/{number}/revoke"), &json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "revoking again is harmless");

    // Changing one date of the stored content breaks its signature; nothing of it is shown.
    raw_sql(
        &app,
        &format!("UPDATE documents SET view = replace(view, '\"2027-02-10\"', '\"2028-02-10\"') WHERE verification_code = '{code}'"),
    )
    .await;
    assert_eq!(verify(&app, &code).await, json!({ "status": "bad_signature" }));
    let (_, _, page) = fetch(&app, None, &format!("/verify/{code}")).await;
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("Bad signature") && !page.contains(&number), "{page}");
}

#[tokio::test]
async fn a_forged_signature_gives_bad_signature() {
    let app = TestApp::spawn().await;
    let case = issued_invitation(&app).await;
    let code = verification_code(&app, &case).await;
    // The signature's bytes replaced by others of the right length, as if made with another key.
    let documents = app.engine.store().documents(&domain::CaseId(case.clone())).await.unwrap();
    let invitation = documents.iter().find(|d| d.kind == "invitation").unwrap();
    let mut signature: Value = serde_json::from_str(invitation.signature.as_deref().unwrap()).unwrap();
    assert_eq!(signature["bytes"].as_str().unwrap().len(), 88);
    signature["bytes"] = json!("A".repeat(86) + "==");
    raw_sql(&app, &format!("UPDATE documents SET signature = '{signature}' WHERE verification_code = '{code}'")).await;
    assert_eq!(verify(&app, &code).await, json!({ "status": "bad_signature" }));
}

#[tokio::test]
async fn a_motivated_refusal_is_signed_at_p7_and_prints_its_ground() {
    let app = TestApp::spawn().await;
    let case = app.open_case(PASSPORT_ADB_BAN).await;
    app.through_front_office_and_checks(&case).await;
    let grounds = json!({ "refusal_grounds": { "grounds": ["entry_ban"], "reasoning": "Ранее выдворен." } });
    app.ok(EXECUTOR, &case, "P6", Some("draft_refusal"), Some(grounds)).await;
    app.ok(HEAD, &case, "P7", Some("refusal_signed"), None).await;

    let detail = app.case(&case).await;
    let refusal = detail["documents"].as_array().unwrap().iter().find(|d| d["document"] == "motivated_refusal").unwrap().clone();
    assert_eq!(refusal["signed"]["signer"], HEAD);
    assert_eq!(refusal["languages"], json!(["kk", "ru"]));
    let (_, ru) = pdf_text(&app, EXECUTOR, &case, "motivated_refusal", "ru").await;
    assert!(ru.contains("Запрет въезда"), "the ground is cited:\n{ru}");
    assert!(ru.contains("Ранее выдворен."), "with the reasoning:\n{ru}");
    assert!(ru.contains("Сейтқали"), "addressed to the applicant:\n{ru}");
    let (_, kk) = pdf_text(&app, EXECUTOR, &case, "motivated_refusal", "kk").await;
    assert!(kk.contains("Қазақстан Республикасынан шығарып жіберілгеннен"), "{kk}");
    let (status, _, _) = fetch(&app, Some(EXECUTOR), &format!("/api/cases/{case}/documents/motivated_refusal?lang=kk-ru")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the refusal is not a bilingual form");
}

#[tokio::test]
async fn p7_is_refused_until_the_head_has_a_key_and_the_server_holds_it() {
    let keys = tempfile::tempdir().unwrap();
    let dir = keys.path().to_owned();
    let app = TestApp::spawn_with(move |s| s.keys_dir = Some(dir.clone())).await;
    let case = app.open_case(PASSPORT_CLEAR).await;
    app.through_front_office_and_checks(&case).await;
    app.dispatch_outbox().await;
    app.deliver_knb(10).await;
    app.ok(EXECUTOR, &case, "P6", Some("draft_invitation"), None).await;
    let (status, body) = app.act(HEAD, &case, "P7", Some("invitation_signed"), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "no_signing_key");
    assert!(body["error"]["message"].as_str().unwrap().contains("shaqyru keys create --user management@mvd-astana"), "{body}");

    // The administrator makes a key: the private half to a file only its owner reads.
    let (ok, out, err) =
        shaqyru(&["keys", "create", "--database", &database(&app), "--user", HEAD, "--keys-dir", keys.path().to_str().unwrap()]);
    assert!(ok, "{err}");
    let file = PathBuf::from(out.trim().split('\t').nth(2).unwrap());
    assert!(file.starts_with(keys.path()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert!(std::fs::read_to_string(&file).unwrap().starts_with("-----BEGIN PRIVATE KEY-----"));
    let (ok, listed, _) = shaqyru(&["keys", "list", "--database", &database(&app), "--user", HEAD]);
    assert!(ok && listed.contains("ed25519:"), "{listed}");

    // Until the server reads the directory again it still cannot sign; after a restart it can.
    let (status, body) = app.act(HEAD, &case, "P7", Some("invitation_signed"), None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["error"]["message"].as_str().unwrap().contains("keys directory"), "{body}");
    let app = app.restart().await;
    app.ok(HEAD, &case, "P7", Some("invitation_signed"), None).await;
    app.ok(EXECUTOR, &case, "P8", None, None).await;
    let code = verification_code(&app, &case).await;
    assert_eq!(verify(&app, &code).await["status"], "valid");
    drop(keys);
}

#[tokio::test]
async fn verification_answers_429_after_a_burst_from_one_address() {
    let app = TestApp::spawn().await;
    let mut statuses = Vec::new();
    for _ in 0..30 {
        statuses.push(fetch(&app, None, &format!("/api/verify/{}", "B".repeat(32))).await.0);
    }
    assert!(statuses[..20].iter().all(|s| *s == StatusCode::OK), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    let r = reqwest::get(format!("http://{}/verify/{}", app.addr, "B".repeat(32))).await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "the page shares the allowance");
    assert!(r.headers().get("retry-after").is_some());
    // Signed-in work is not limited.
    assert_eq!(app.get(HEAD, "/api/me").await.0, StatusCode::OK);
}
