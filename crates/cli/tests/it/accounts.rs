//! Accounts for the web UI (issue 8): logins with the demo password, the lockout, session
//! timeouts on the manual clock, logout, password changes, and `shaqyru users password`.

use crate::{EXECUTOR, EXECUTOR2, KNB, OPERATOR, TestApp};
use engine::{EngineError, LoginRefused, NewSession};
use jiff::SignedDuration;
use sha2::{Digest, Sha256};
use shaqyru::app::{DEMO_PASSWORD, KNB_GATEWAY};
use std::io::Write;
use std::process::{Command, Stdio};

fn minutes(m: i64) -> SignedDuration {
    SignedDuration::from_mins(m)
}

async fn login(app: &TestApp, user: &str, password: &str) -> Result<NewSession, LoginRefused> {
    app.engine.login(user, password).await.expect("the login is answered")
}

async fn signed_in(app: &TestApp, user: &str, password: &str) -> NewSession {
    login(app, user, password).await.unwrap_or_else(|r| panic!("{user} signs in, but was refused: {r:?}"))
}

async fn session_user(app: &TestApp, token: &str) -> Option<String> {
    app.engine.session(token).await.expect("the session is looked up").map(|s| s.user.id)
}

/// The stored row of a session, found as the engine finds it.
async fn stored_session(app: &TestApp, token: &str) -> Option<store::Session> {
    app.engine.store().session(&hex::encode(Sha256::digest(token.as_bytes()))).await.unwrap()
}

#[tokio::test]
async fn a_demo_account_signs_in_with_the_demo_password_and_gets_a_session() {
    let app = TestApp::spawn().await;
    let now = app.engine.now();
    let new = signed_in(&app, EXECUTOR, DEMO_PASSWORD).await;
    assert_eq!(new.user.id, EXECUTOR);
    assert_eq!(new.expires_at, now.checked_add(SignedDuration::from_hours(12)).unwrap(), "12 hours from the login, on the engine's clock");
    assert_eq!(new.token.len(), 43, "32 random bytes, base64url");
    assert_ne!(new.token, new.csrf_token);
    let debug = format!("{new:?}");
    assert!(!debug.contains(&new.token) && !debug.contains(&new.csrf_token), "Debug shows no secret: {debug}");

    let info = app.engine.session(&new.token).await.unwrap().expect("the token opens the session");
    assert_eq!((info.user.id.as_str(), info.expires_at), (EXECUTOR, new.expires_at));
    assert!(info.csrf_matches(&new.csrf_token) && !info.csrf_matches("forged"), "the CSRF token is the session's");
    let row = stored_session(&app, &new.token).await.expect("stored under the token's hash");
    assert_eq!((row.user_id.as_str(), row.created_at, row.last_seen_at), (EXECUTOR, now, now));

    let other = signed_in(&app, EXECUTOR, DEMO_PASSWORD).await;
    assert_ne!(other.token, new.token, "every login gets a session of its own");
    assert_eq!(session_user(&app, "not-a-token").await, None, "an unknown token opens nothing");
}

#[tokio::test]
async fn a_wrong_password_an_unknown_user_a_system_account_and_a_disabled_account_get_the_same_refusal() {
    let app = TestApp::spawn().await;
    assert_eq!(login(&app, EXECUTOR, "wrong-password").await.err(), Some(LoginRefused::BadCredentials));
    assert_eq!(login(&app, "nobody@nowhere", DEMO_PASSWORD).await.err(), Some(LoginRefused::BadCredentials), "unknown user");
    assert_eq!(login(&app, KNB_GATEWAY, DEMO_PASSWORD).await.err(), Some(LoginRefused::BadCredentials), "no password set");
    assert_eq!(login(&app, KNB, DEMO_PASSWORD).await.map(|s| s.user.id).ok().as_deref(), Some(KNB), "the KNB's liaison is a person");

    let store = app.engine.store();
    let mut user = store.user(EXECUTOR2).await.unwrap().unwrap();
    user.active = false;
    store.upsert_user(&user).await.unwrap();
    assert_eq!(login(&app, EXECUTOR2, DEMO_PASSWORD).await.err(), Some(LoginRefused::BadCredentials), "a disabled account");

    // Only the wrong password of a real account counts towards the lock.
    assert_eq!(store.credentials(EXECUTOR).await.unwrap().unwrap().failed_logins, 1);
    assert_eq!(store.credentials(EXECUTOR2).await.unwrap().unwrap().failed_logins, 0);
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_for_fifteen_minutes() {
    let app = TestApp::spawn().await;
    let start = app.engine.now();
    for n in 1..=5 {
        assert_eq!(login(&app, EXECUTOR, "wrong-password").await.err(), Some(LoginRefused::BadCredentials), "wrong password {n}");
    }
    let until = start.checked_add(minutes(15)).unwrap();
    assert_eq!(login(&app, EXECUTOR, DEMO_PASSWORD).await.err(), Some(LoginRefused::Locked { until }), "even the right password");
    assert!(login(&app, EXECUTOR2, DEMO_PASSWORD).await.is_ok(), "another account is not affected");

    app.clock.advance(minutes(14));
    assert_eq!(login(&app, EXECUTOR, DEMO_PASSWORD).await.err(), Some(LoginRefused::Locked { until }), "still locked after 14 minutes");
    app.clock.advance(minutes(1));
    signed_in(&app, EXECUTOR, DEMO_PASSWORD).await;

    // A success starts the count again: four more wrong passwords do not lock.
    for _ in 0..4 {
        assert_eq!(login(&app, EXECUTOR, "wrong-password").await.err(), Some(LoginRefused::BadCredentials));
    }
    signed_in(&app, EXECUTOR, DEMO_PASSWORD).await;
    for _ in 0..4 {
        assert_eq!(login(&app, EXECUTOR, "wrong-password").await.err(), Some(LoginRefused::BadCredentials));
    }
    signed_in(&app, EXECUTOR, DEMO_PASSWORD).await;
}

#[tokio::test]
async fn a_session_left_idle_for_an_hour_ends_and_activity_is_recorded_at_most_once_a_minute() {
    let app = TestApp::spawn().await;
    let start = app.engine.now();
    let new = signed_in(&app, OPERATOR, DEMO_PASSWORD).await;

    app.clock.advance(SignedDuration::from_secs(30));
    assert_eq!(session_user(&app, &new.token).await.as_deref(), Some(OPERATOR));
    assert_eq!(stored_session(&app, &new.token).await.unwrap().last_seen_at, start, "not written again within a minute");
    app.clock.advance(SignedDuration::from_secs(31));
    assert_eq!(session_user(&app, &new.token).await.as_deref(), Some(OPERATOR));
    let seen = start.checked_add(SignedDuration::from_secs(61)).unwrap();
    assert_eq!(stored_session(&app, &new.token).await.unwrap().last_seen_at, seen, "written after a minute");

    app.clock.advance(minutes(59));
    assert_eq!(session_user(&app, &new.token).await.as_deref(), Some(OPERATOR), "59 minutes idle: still open, and now touched");
    app.clock.advance(minutes(60));
    assert_eq!(session_user(&app, &new.token).await, None, "60 minutes idle: ended");
    assert!(stored_session(&app, &new.token).await.is_none(), "and deleted");
}

#[tokio::test]
async fn a_session_ends_twelve_hours_after_the_login_however_active() {
    let app = TestApp::spawn().await;
    let new = signed_in(&app, OPERATOR, DEMO_PASSWORD).await;
    for _ in 0..(12 * 60 / 50) {
        app.clock.advance(minutes(50));
        assert_eq!(session_user(&app, &new.token).await.as_deref(), Some(OPERATOR), "used every 50 minutes");
    }
    // 14 × 50 minutes = 11 h 40 min.
    app.clock.advance(minutes(19));
    assert_eq!(session_user(&app, &new.token).await.as_deref(), Some(OPERATOR), "11 h 59 min");
    app.clock.advance(minutes(1));
    assert_eq!(session_user(&app, &new.token).await, None, "12 h: ended");
    assert!(stored_session(&app, &new.token).await.is_none());

    // The periodic clean-up removes sessions past their end that nobody presented.
    let left = signed_in(&app, OPERATOR, DEMO_PASSWORD).await;
    app.clock.advance(SignedDuration::from_hours(13));
    assert_eq!(app.engine.purge_sessions().await.unwrap(), 1);
    assert!(stored_session(&app, &left.token).await.is_none());
}

#[tokio::test]
async fn logout_ends_only_that_session() {
    let app = TestApp::spawn().await;
    let (a, b) = (signed_in(&app, EXECUTOR, DEMO_PASSWORD).await, signed_in(&app, EXECUTOR, DEMO_PASSWORD).await);
    app.engine.logout(&a.token).await.unwrap();
    assert_eq!(session_user(&app, &a.token).await, None);
    assert_eq!(session_user(&app, &b.token).await.as_deref(), Some(EXECUTOR), "the other session stays");
    app.engine.logout(&a.token).await.unwrap();
    app.engine.logout("never-issued").await.unwrap();
}

#[tokio::test]
async fn a_new_password_ends_every_session_of_the_user_and_replaces_the_old_one() {
    let app = TestApp::spawn().await;
    let (a, b) = (signed_in(&app, EXECUTOR, DEMO_PASSWORD).await, signed_in(&app, EXECUTOR, DEMO_PASSWORD).await);
    let other = signed_in(&app, EXECUTOR2, DEMO_PASSWORD).await;
    for _ in 0..3 {
        let _ = login(&app, EXECUTOR, "wrong-password").await;
    }

    app.engine.set_password(EXECUTOR, "a much better passphrase").await.unwrap();
    assert_eq!(session_user(&app, &a.token).await, None);
    assert_eq!(session_user(&app, &b.token).await, None);
    assert_eq!(session_user(&app, &other.token).await.as_deref(), Some(EXECUTOR2), "another user's session stays");
    assert_eq!(app.engine.store().credentials(EXECUTOR).await.unwrap().unwrap().failed_logins, 0, "the count starts again");
    assert_eq!(login(&app, EXECUTOR, DEMO_PASSWORD).await.err(), Some(LoginRefused::BadCredentials), "the old password is gone");
    signed_in(&app, EXECUTOR, "a much better passphrase").await;
}

#[tokio::test]
async fn the_policy_refuses_a_short_password_or_the_user_id_and_an_unknown_user() {
    let app = TestApp::spawn().await;
    let refusal = |r: Result<(), EngineError>| match r {
        Err(EngineError::BadRequest(m)) => m,
        other => panic!("expected BadRequest, got {other:?}"),
    };
    let m = refusal(app.engine.set_password(EXECUTOR, "short").await);
    assert!(m.contains("at least 12 characters"), "{m}");
    // Characters, not bytes: 11 Cyrillic letters are 22 bytes and still too short.
    let m = refusal(app.engine.set_password(EXECUTOR, "құпиясөзқұп").await);
    assert!(m.contains("this one has 11"), "{m}");
    app.engine.set_password(EXECUTOR, "құпиясөзқұпи").await.expect("12 letters are enough");
    let m = refusal(app.engine.set_password(EXECUTOR, EXECUTOR).await);
    assert!(m.contains("user id"), "{m}");
    let m = refusal(app.engine.set_password(EXECUTOR, &"x".repeat(1025)).await);
    assert!(m.contains("at most 1024"), "{m}");
    signed_in(&app, EXECUTOR, "құпиясөзқұпи").await;

    match app.engine.set_password("nobody@nowhere", "long enough password").await {
        Err(EngineError::NotFound(what)) => assert!(what.contains("nobody@nowhere"), "{what}"),
        other => panic!("expected NotFound, got {other:?}"),
    }
}

/// The service on a database the CLI prepared, without demo accounts or background workers.
async fn service_on(db: &str) -> shaqyru::App {
    let settings = shaqyru::Settings {
        database: db.to_owned(),
        listen: "127.0.0.1:0".parse().unwrap(),
        background: false,
        demo_accounts: false,
        ..shaqyru::Settings::default()
    };
    let clock = std::sync::Arc::new(engine::ManualClock::new("2026-11-24T05:00:00Z".parse().unwrap()));
    shaqyru::build(settings, clock, None).await.expect("the app builds")
}

/// Runs the binary with `stdin` as its standard input; returns the exit code, stdout, stderr.
fn shaqyru_with_stdin(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shaqyru"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[tokio::test]
async fn users_password_reads_the_new_password_from_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("accounts.sqlite").display().to_string();
    let (code, _, err) = shaqyru_with_stdin(&["migrate", "--database", &db], "");
    assert_eq!(code, 0, "{err}");
    let add = ["users", "add", "--database", &db, "--id", "head@mvd-astana", "--role", "management", "--unit", "mvd-astana"];
    let (code, out, err) = shaqyru_with_stdin(&add, "");
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("head@mvd-astana\t"), "the token is printed: {out}");

    let (code, out, err) = shaqyru_with_stdin(&["users", "password", "--database", &db, "head@mvd-astana"], "correct horse battery\n");
    assert_eq!((code, out.trim()), (0, "password set for head@mvd-astana"), "{err}");
    let (code, _, err) = shaqyru_with_stdin(&["users", "password", "--database", &db, "head@mvd-astana"], "too short\n");
    assert_eq!(code, 1);
    assert!(err.contains("password not set") && err.contains("at least 12 characters"), "{err}");
    let (code, _, err) = shaqyru_with_stdin(&["users", "password", "--database", &db, "nobody"], "correct horse battery\n");
    assert_eq!(code, 1);
    assert!(err.contains("there is no account nobody"), "{err}");

    // `users add --password-stdin`, with a Windows line ending that is not part of the password.
    let add =
        ["users", "add", "--database", &db, "--id", "office@mvd-astana", "--role", "office", "--unit", "mvd-astana", "--password-stdin"];
    let (code, _, err) = shaqyru_with_stdin(&add, "an office passphrase\r\n");
    assert_eq!(code, 0, "{err}");
    let add =
        ["users", "add", "--database", &db, "--id", "exec@mvd-astana", "--role", "executor", "--unit", "mvd-astana", "--password-stdin"];
    let (code, _, err) = shaqyru_with_stdin(&add, "short\n");
    assert_eq!(code, 1, "a refused password creates no account");
    assert!(err.contains("at least 12"), "{err}");

    // The service on that database takes the passwords.
    let app = service_on(&db).await;
    assert!(app.engine.login("head@mvd-astana", "correct horse battery").await.unwrap().is_ok());
    assert!(app.engine.login("office@mvd-astana", "an office passphrase").await.unwrap().is_ok());
    assert!(app.engine.store().user("exec@mvd-astana").await.unwrap().is_none());
}

#[tokio::test]
async fn a_disabled_account_opens_nothing_until_enabled_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("accounts.sqlite").display().to_string();
    assert_eq!(shaqyru_with_stdin(&["migrate", "--database", &db], "").0, 0);
    let add =
        ["users", "add", "--database", &db, "--id", "head@mvd-astana", "--role", "management", "--unit", "mvd-astana", "--password-stdin"];
    let (code, out, err) = shaqyru_with_stdin(&add, "correct horse battery\n");
    assert_eq!(code, 0, "{err}");
    let token = out.trim().rsplit('\t').next().unwrap().to_owned();

    let app = service_on(&db).await;
    let session = app.engine.login("head@mvd-astana", "correct horse battery").await.unwrap().expect("signed in");

    let (code, out, err) = shaqyru_with_stdin(&["users", "disable", "--database", &db, "head@mvd-astana"], "");
    assert_eq!((code, out.trim()), (0, "head@mvd-astana disabled; 1 session(s) ended"), "{err}");
    assert!(app.engine.session(&session.token).await.unwrap().is_none(), "the open session ended");
    assert_eq!(app.engine.login("head@mvd-astana", "correct horse battery").await.unwrap().err(), Some(LoginRefused::BadCredentials));
    assert!(app.engine.authenticate(&token).await.unwrap().is_none(), "the API token opens nothing either");
    let (_, listed, _) = shaqyru_with_stdin(&["users", "list", "--database", &db], "");
    assert!(listed.contains("head@mvd-astana\tmanagement\tmvd-astana\tdisabled"), "{listed}");

    let (code, out, _) = shaqyru_with_stdin(&["users", "enable", "--database", &db, "head@mvd-astana"], "");
    assert_eq!((code, out.trim()), (0, "head@mvd-astana enabled"));
    assert!(app.engine.login("head@mvd-astana", "correct horse battery").await.unwrap().is_ok(), "the same password works again");
    let (code, _, err) = shaqyru_with_stdin(&["users", "disable", "--database", &db, "nobody"], "");
    assert_eq!(code, 1);
    assert!(err.contains("there is no account nobody"), "{err}");
}

#[tokio::test]
async fn users_add_with_a_subject_another_account_holds_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("accounts.sqlite").display().to_string();
    let (code, _, err) = shaqyru_with_stdin(&["migrate", "--database", &db], "");
    assert_eq!(code, 0, "{err}");
    let add = |id: &'static str| {
        ["users", "add", "--database", &db, "--id", id, "--role", "office", "--unit", "mvd-astana", "--oidc-subject", "person-7"]
    };
    let (code, _, err) = shaqyru_with_stdin(&add("first@mvd-astana"), "");
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = shaqyru_with_stdin(&add("second@mvd-astana"), "");
    assert_eq!(code, 1);
    assert!(err.contains("already linked to the account first@mvd-astana"), "{err}");
    let (_, list, _) = shaqyru_with_stdin(&["users", "list", "--database", &db], "");
    assert!(list.contains("first@mvd-astana\toffice\tmvd-astana\tactive\tlinked"), "{list}");
    assert!(!list.contains("second@mvd-astana"), "the refused account was not created: {list}");
    assert!(!list.contains("person-7"), "the provider's subject is not printed: {list}");
}

#[tokio::test]
async fn unlinking_an_account_from_the_provider_ends_its_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("accounts.sqlite").display().to_string();
    assert_eq!(shaqyru_with_stdin(&["migrate", "--database", &db], "").0, 0);
    let add = [
        "users",
        "add",
        "--database",
        &db,
        "--id",
        "head@mvd-astana",
        "--role",
        "management",
        "--unit",
        "mvd-astana",
        "--password-stdin",
        "--oidc-subject",
        "person-8",
    ];
    let (code, _, err) = shaqyru_with_stdin(&add, "correct horse battery\n");
    assert_eq!(code, 0, "{err}");
    let app = service_on(&db).await;
    let session = app.engine.login("head@mvd-astana", "correct horse battery").await.unwrap().expect("signed in");

    let (code, out, err) = shaqyru_with_stdin(&["users", "unlink", "--database", &db, "head@mvd-astana"], "");
    assert_eq!((code, out.trim()), (0, "head@mvd-astana unlinked from the identity provider; 1 session(s) ended"), "{err}");
    assert!(app.engine.session(&session.token).await.unwrap().is_none(), "the open session ended");
    let (_, list, _) = shaqyru_with_stdin(&["users", "list", "--database", &db], "");
    assert!(list.contains("head@mvd-astana\tmanagement\tmvd-astana\tactive\t-"), "{list}");
}
