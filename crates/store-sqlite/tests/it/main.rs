//! The SQLite store against the conformance suite, each check on a fresh database file, plus
//! what only a file-backed store can show: data survives closing and reopening the file.

use domain::CaseId;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use store::conformance as c;
use store::{CaseQuery, CaseSummary, NewOutboxMessage, Store, StoreError, TaskQuery, UnitOfWork, User};
use store_sqlite::SqliteStore;
use tempfile::TempDir;

/// A store in a new file of its own directory; the directory lives as long as the test holds it.
async fn fresh() -> (TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = SqliteStore::open(&dir.path().join("shaqyru.db")).await.expect("open a new database");
    (dir, store)
}

/// Runs `check` on a store in a new file of its own directory, removed afterwards.
async fn on_fresh_store<F, Fut>(check: F)
where
    F: FnOnce(SqliteStore) -> Fut,
    Fut: Future<Output = ()>,
{
    let (_dir, store) = fresh().await;
    check(store).await;
}

store::conformance_tests!(on_fresh_store);

mod group_commit;

/// `run_all` works with a factory, each store in its own file of one directory.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn run_all_on_fresh_files() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let n = AtomicUsize::new(0);
    c::run_all(|| async {
        let path = dir.path().join(format!("store-{}.db", n.fetch_add(1, Ordering::Relaxed)));
        SqliteStore::open(&path).await.expect("open a new database")
    })
    .await;
}

/// Commits racing from separately opened stores on one file (as two processes would) are
/// still serialized by SQLite's lock: one wins, the other sees a conflict, none fails as "busy".
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn commits_from_two_handles_on_one_file_are_serialized() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("shared.db");
    let first = SqliteStore::open(&path).await.expect("open");
    let second = SqliteStore::open(&path).await.expect("open the same file again");

    // A case committed through the first handle, made by the suite's own fixture.
    c::commits_a_new_case_and_loads_it_back(&first).await;
    let case = CaseId("case-1".into());
    let events = first.load_events(&case).await.expect("events");
    let summary = first.case_summary(&case).await.expect("summary").expect("the case exists");
    for round in 0..20u64 {
        let version = 2 + round;
        let unit = |by: &str| UnitOfWork {
            case_id: case.clone(),
            expected_version: version,
            events: vec![events[1].clone()],
            summary: CaseSummary { version: version + 1, ..summary.clone() },
            tasks: vec![],
            idempotency: None,
            outbox: vec![NewOutboxMessage {
                id: format!("m-{round}-{by}"),
                case_id: case.clone(),
                kind: "sc.forward_documents".into(),
                payload: serde_json::json!({}),
                idempotency_key: format!("k-{round}-{by}"),
                due_at: summary.updated_at,
            }],
            timers: vec![],
            fired_timers: vec![],
            documents: vec![],
        };
        let (a, b) = tokio::join!(first.commit(unit("first")), second.commit(unit("second")));
        match (&a, &b) {
            (Ok(()), Err(StoreError::Conflict { actual, .. })) | (Err(StoreError::Conflict { actual, .. }), Ok(())) => {
                assert_eq!(*actual, version + 1, "round {round}: the loser sees the winner's version")
            }
            _ => panic!("round {round}: expected one Ok and one Conflict, got {a:?} and {b:?}"),
        }
    }
    assert_eq!(second.load_events(&case).await.expect("events").len(), 22, "one event per round");
    assert_eq!(first.outbox(Some(&case)).await.expect("outbox").len(), 20, "one message per round");
    first.close().await;
    second.close().await;
}

/// Every committed thing is still there after the store is closed and the file reopened, and
/// reopening does not run the migrations again.
#[tokio::test]
async fn data_survives_closing_and_reopening() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("shaqyru.db");

    let store = SqliteStore::open(&path).await.expect("open");
    c::outbox_claims_lease_and_retry(&store).await;
    let user = User {
        id: "alice".into(),
        display_name: "Alice".into(),
        role: "head".into(),
        unit: "prov-1".into(),
        token_hash: "f".repeat(64),
        active: true,
    };
    store.upsert_user(&user).await.expect("upsert user");
    assert_eq!(store.next_number("2026").await.expect("next number"), 1);
    let case = CaseId("case-a".into());
    let before = (
        store.load_events(&case).await.expect("events"),
        store.list_cases(&CaseQuery::default()).await.expect("cases"),
        store.list_tasks(&TaskQuery::default()).await.expect("tasks"),
        store.outbox(None).await.expect("outbox"),
    );
    assert!(!before.0.is_empty() && !before.1.is_empty() && !before.2.is_empty() && !before.3.is_empty());
    store.close().await;
    drop(store);

    let store = SqliteStore::open(&path).await.expect("reopen");
    let after = (
        store.load_events(&case).await.expect("events"),
        store.list_cases(&CaseQuery::default()).await.expect("cases"),
        store.list_tasks(&TaskQuery::default()).await.expect("tasks"),
        store.outbox(None).await.expect("outbox"),
    );
    assert_eq!(after, before, "events, summaries, tasks and outbox survive reopening");
    assert_eq!(store.user_by_token_hash(&user.token_hash).await.expect("user"), Some(user));
    assert_eq!(store.next_number("2026").await.expect("next number"), 2, "a counter goes on after reopening");
    store.close().await;
}

/// A file that is not a database is refused with a backend error, not a panic.
#[tokio::test]
async fn a_file_that_is_not_a_database_is_refused() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("not-a.db");
    std::fs::write(&path, b"this is not an SQLite database, just some text that is long enough").expect("write");
    match SqliteStore::open(&path).await {
        Err(StoreError::Backend(_)) => {}
        other => panic!("expected a backend error, got {:?}", other.map(|_| ())),
    }
}

/// A new file is refused under `RequireCurrent`, migrated once by `migrate`, and a file that a
/// newer build migrated is refused naming the version.
#[tokio::test]
async fn the_schema_is_migrated_explicitly_and_a_newer_one_is_refused() {
    use store::Migrations;
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("shaqyru.db");
    match SqliteStore::open_with(&path, Migrations::RequireCurrent).await {
        Err(StoreError::Schema(m)) => assert!(m.contains("shaqyru migrate"), "{m}"),
        other => panic!("a new file must be refused under RequireCurrent, got {:?}", other.map(|_| ())),
    }
    let inspect = SqliteStore::open_with(&path, Migrations::Inspect).await.expect("inspect");
    let before = inspect.schema().await.expect("status");
    assert!(before.applied.is_empty() && !before.known.is_empty(), "{before:?}");
    assert_eq!(inspect.migrate().await.expect("migrate"), before.known, "every known version is applied");
    assert_eq!(inspect.migrate().await.expect("migrate again"), Vec::<i64>::new(), "a second run has nothing to do");
    inspect.close().await;
    SqliteStore::open_with(&path, Migrations::RequireCurrent).await.expect("a current file opens").close().await;

    let raw = SqliteStore::open_with(&path, Migrations::Inspect).await.expect("open");
    raw.close().await;
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!("sqlite://{}", path.display())).await.expect("connect");
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (99990101000000, 'from the future', 1, x'00', 0)",
    )
    .execute(&mut conn)
    .await
    .expect("pretend a newer build migrated");
    sqlx::Connection::close(conn).await.expect("close");
    for policy in [Migrations::Apply, Migrations::RequireCurrent] {
        match SqliteStore::open_with(&path, policy).await {
            Err(StoreError::Schema(m)) => assert!(m.contains("99990101000000") && m.contains("newer"), "{m}"),
            other => panic!("a newer schema must be refused under {policy:?}, got {:?}", other.map(|_| ())),
        }
    }
}

/// The append-only triggers after migration 0008: only the body of an event whose case has a
/// tombstone may change, once; every other change to events, and any to a tombstone, is refused.
#[tokio::test]
async fn the_triggers_let_only_a_tombstoned_case_s_bodies_be_redacted_once() {
    use sqlx::Connection;
    let (dir, store) = fresh().await;
    c::a_purge_redacts_the_case_and_leaves_a_tombstone(&store).await;
    store.close().await;
    let mut db =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}", dir.path().join("shaqyru.db").display())).await.expect("open the file");
    // case-p is purged, case-q closed but not purged, case-o open.
    let refused = [
        "UPDATE events SET body = '{\"redacted\":{},\"hash\":\"x\"}' WHERE case_id = 'case-q'",
        "UPDATE events SET body = '{}' WHERE case_id = 'case-o'",
        "DELETE FROM events WHERE case_id = 'case-q'",
        "DELETE FROM events WHERE case_id = 'case-p'",
        "UPDATE events SET body = '{}' WHERE case_id = 'case-p'",
        "UPDATE case_tombstones SET head_hash = 'x'",
        "DELETE FROM case_tombstones",
    ];
    for sql in refused {
        let e = sqlx::query(sql).execute(&mut db).await.expect_err(sql).to_string();
        assert!(e.contains("append-only"), "{sql}: {e}");
    }
    // Under a tombstone (written by hand here), only the body changes, and only once.
    sqlx::query("INSERT INTO case_tombstones VALUES ('case-q', 3, 'h', 'r', 0, 'tester', 'rule')")
        .execute(&mut db)
        .await
        .expect("tombstone");
    for sql in [
        "UPDATE events SET hash = 'x' WHERE case_id = 'case-q' AND version = 1",
        "UPDATE events SET seq = 999 WHERE case_id = 'case-q' AND version = 1",
        "UPDATE events SET body = '{\"redacted\":{},\"hash\":\"x\"}', at = 0 WHERE case_id = 'case-q' AND version = 1",
        "DELETE FROM events WHERE case_id = 'case-q' AND version = 1",
    ] {
        let e = sqlx::query(sql).execute(&mut db).await.expect_err(sql).to_string();
        assert!(e.contains("append-only"), "{sql}: {e}");
    }
    let redact = "UPDATE events SET body = '{\"redacted\":{},\"hash\":\"x\"}' WHERE case_id = 'case-q' AND version = 1";
    sqlx::query(redact).execute(&mut db).await.expect("a tombstoned case's body is redacted");
    let e = sqlx::query(redact).execute(&mut db).await.expect_err("a second redaction").to_string();
    assert!(e.contains("append-only"), "{e}");
}
