//! The PostgreSQL store against the conformance suite, each check in a fresh schema of its own
//! (created, migrated, dropped), plus what only a shared server can show: commits racing from
//! two separately connected stores are serialized, and data survives reconnecting.
//!
//! The server comes from `SHAQYRU_TEST_POSTGRES` (default: the local server's `test`
//! database). If it cannot be reached the tests fail: a skipped backend would look green in CI.

use domain::CaseId;
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use std::future::Future;
use store::conformance as c;
use store::{CaseQuery, CaseSummary, NewOutboxMessage, Store, StoreError, TaskQuery, UnitOfWork};
use store_postgres::PgStore;

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

fn base_url() -> String {
    std::env::var("SHAQYRU_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

/// A connection for creating and dropping schemas; panics with advice when there is no server.
async fn admin() -> PgConnection {
    let url = base_url();
    match PgConnection::connect(&url).await {
        Ok(conn) => conn,
        Err(e) => panic!(
            "cannot reach PostgreSQL at {url} ({e}). Start it (e.g. `pg_ctlcluster --skip-systemctl-redirect \
             $(ls /etc/postgresql) main start`) or point SHAQYRU_TEST_POSTGRES at a server"
        ),
    }
}

/// A new, empty schema in the test database, dropped by [`Schema::drop`].
struct Schema {
    name: String,
}

impl Schema {
    async fn create() -> Schema {
        // A generated name of letters, digits and `_`: safe to splice into DDL.
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA {name}"))).execute(&mut admin().await).await.expect("create a test schema");
        Schema { name }
    }

    /// The base URL with this schema first on the search path of every connection.
    fn url(&self) -> String {
        let base = base_url();
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}options=-c%20search_path%3D{}", self.name)
    }

    async fn store(&self) -> PgStore {
        PgStore::connect(&self.url()).await.expect("connect to the test schema and migrate it")
    }

    async fn drop(self) {
        sqlx::query(AssertSqlSafe(format!("DROP SCHEMA {} CASCADE", self.name)))
            .execute(&mut admin().await)
            .await
            .expect("drop the test schema");
    }
}

/// Runs `test` with the URL of a fresh, empty schema, then drops the schema even if the test
/// panicked (the panic is re-raised afterwards). The test opens and closes its own stores.
async fn in_empty_schema<F, Fut>(test: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let schema = Schema::create().await;
    let outcome = tokio::spawn(test(schema.url())).await;
    schema.drop().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Runs `test` on a store in a fresh schema, then drops the schema even if the test panicked
/// (the panic is re-raised afterwards).
async fn in_fresh_schema<F, Fut>(test: F)
where
    F: FnOnce(PgStore) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let schema = Schema::create().await;
    let store = schema.store().await;
    let outcome = tokio::spawn(test(store.clone())).await;
    store.close().await;
    schema.drop().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

store::conformance_tests!(in_fresh_schema);

/// `run_all` works with a factory, each store in a schema of its own. `run_all` runs its checks
/// one after another, so asking for the next store means the last check is done: its store is
/// closed and its schema dropped then. (Keeping all 25 open held up to the server's 100
/// connections under load, and a later check timed out waiting for one.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn run_all_on_fresh_schemas() {
    let last: tokio::sync::Mutex<Option<(Schema, PgStore)>> = tokio::sync::Mutex::new(None);
    c::run_all(|| async {
        let mut last = last.lock().await;
        if let Some((schema, store)) = last.take() {
            store.close().await;
            schema.drop().await;
        }
        let schema = Schema::create().await;
        let store = schema.store().await;
        *last = Some((schema, store.clone()));
        store
    })
    .await;
    if let Some((schema, store)) = last.into_inner() {
        store.close().await;
        schema.drop().await;
    }
}

/// Commits racing from two separately connected stores on one schema (as two replicas would)
/// are serialized by the case row lock: one wins, the other sees a conflict naming the winner's
/// version, never a driver error.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn commits_from_two_stores_on_one_schema_are_serialized() {
    let schema = Schema::create().await;
    let first = schema.store().await;
    let second = schema.store().await;
    let outcome = tokio::spawn({
        let (first, second) = (first.clone(), second.clone());
        async move {
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
        }
    })
    .await;
    first.close().await;
    second.close().await;
    schema.drop().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Two stores creating the same new case at once: exactly one wins, the other gets `Conflict`
/// from version 0 to the winner's version (the primary key decides, not a driver error).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_creators_of_one_case_one_wins() {
    let schema = Schema::create().await;
    let first = schema.store().await;
    let second = schema.store().await;
    let outcome = tokio::spawn({
        let (first, second) = (first.clone(), second.clone());
        async move {
            // The suite's own fixture makes the case; a copy of its unit is raced below.
            let template_schema = Schema::create().await;
            let template = template_schema.store().await;
            c::commits_a_new_case_and_loads_it_back(&template).await;
            let case = CaseId("case-1".into());
            let events = template.load_events(&case).await.expect("events");
            let summary = template.case_summary(&case).await.expect("summary").expect("the case exists");
            let tasks = template.list_tasks(&TaskQuery { case_id: Some(case.clone()), ..Default::default() }).await.expect("tasks");
            template.close().await;
            template_schema.drop().await;
            for round in 0..10 {
                let unit = |n: u32| UnitOfWork {
                    case_id: CaseId(format!("race-{round}")),
                    expected_version: 0,
                    events: events.clone(),
                    summary: CaseSummary { case_id: CaseId(format!("race-{round}")), reference: format!("R-{round}"), ..summary.clone() },
                    tasks: tasks
                        .iter()
                        .map(|t| store::TaskRow { case_id: CaseId(format!("race-{round}")), reference: format!("R-{round}"), ..t.clone() })
                        .collect(),
                    idempotency: None,
                    outbox: vec![NewOutboxMessage {
                        id: format!("m-{round}-{n}"),
                        case_id: CaseId(format!("race-{round}")),
                        kind: "sc.forward_documents".into(),
                        payload: serde_json::json!({}),
                        idempotency_key: format!("k-{round}-{n}"),
                        due_at: summary.updated_at,
                    }],
                    timers: vec![],
                    fired_timers: vec![],
                    documents: vec![],
                };
                let (a, b) = tokio::join!(first.commit(unit(0)), second.commit(unit(1)));
                match (&a, &b) {
                    (Ok(()), Err(StoreError::Conflict { expected: 0, actual: 2, .. }))
                    | (Err(StoreError::Conflict { expected: 0, actual: 2, .. }), Ok(())) => {}
                    _ => panic!("round {round}: expected one Ok and one Conflict from 0 to 2, got {a:?} and {b:?}"),
                }
            }
            assert_eq!(first.list_cases(&CaseQuery { limit: 100, ..Default::default() }).await.expect("cases").len(), 10);
            assert_eq!(second.outbox(None).await.expect("outbox").len(), 10, "only the winners' messages");
        }
    })
    .await;
    first.close().await;
    second.close().await;
    schema.drop().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Data survives closing the pool and connecting again, and connecting again does not run the
/// migrations a second time.
#[tokio::test]
async fn data_survives_reconnecting() {
    let schema = Schema::create().await;
    let store = schema.store().await;
    c::outbox_claims_lease_and_retry(&store).await;
    assert_eq!(store.next_number("2026").await.expect("next number"), 1);
    let before = (store.list_cases(&CaseQuery::default()).await.expect("cases"), store.outbox(None).await.expect("outbox"));
    store.close().await;

    let store = schema.store().await;
    let after = (store.list_cases(&CaseQuery::default()).await.expect("cases"), store.outbox(None).await.expect("outbox"));
    assert_eq!(after, before, "summaries and outbox survive reconnecting");
    assert_eq!(store.next_number("2026").await.expect("next number"), 2, "a counter goes on");
    store.close().await;
    schema.drop().await;
}

/// An unreachable server is a backend error naming the operation, not a panic.
#[tokio::test]
async fn an_unreachable_server_is_a_backend_error() {
    // Port 1 on localhost: nothing listens there.
    match PgStore::connect("postgres://postgres@127.0.0.1:1/test?connect_timeout=2").await {
        Err(StoreError::Backend(m)) => assert!(m.starts_with("connect to database"), "{m}"),
        other => panic!("expected a backend error, got {:?}", other.map(|_| ())),
    }
}

/// Dispatchers of two replicas claiming at once never get the same message (`SKIP LOCKED`),
/// and together they claim every due message exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn claims_from_two_stores_never_overlap() {
    let schema = Schema::create().await;
    let first = schema.store().await;
    let second = schema.store().await;
    let outcome = tokio::spawn({
        let (first, second) = (first.clone(), second.clone());
        async move {
            // The suite's fixture makes case-a with messages m-1…m-4; more are added below.
            c::outbox_claims_lease_and_retry(&first).await;
            let case = CaseId("case-a".into());
            let summary = first.case_summary(&case).await.expect("summary").expect("the case exists");
            let events = first.load_events(&case).await.expect("events");
            let at = summary.updated_at;
            let unit = UnitOfWork {
                case_id: case.clone(),
                expected_version: events.len() as u64,
                events: vec![events[1].clone()],
                summary: CaseSummary { version: events.len() as u64 + 1, ..summary.clone() },
                tasks: vec![],
                idempotency: None,
                outbox: (0..40)
                    .map(|n| NewOutboxMessage {
                        id: format!("bulk-{n}"),
                        case_id: case.clone(),
                        kind: "sc.forward_documents".into(),
                        payload: serde_json::json!({ "n": n }),
                        idempotency_key: format!("bulk-key-{n}"),
                        due_at: at,
                    })
                    .collect(),
                timers: vec![],
                fired_timers: vec![],
                documents: vec![],
            };
            first.commit(unit).await.expect("commit 40 messages");

            let lease = jiff::SignedDuration::from_secs(3600);
            let mut claimed = Vec::new();
            for _ in 0..10 {
                let (a, b) = tokio::join!(first.claim_outbox(at, 3, lease), second.claim_outbox(at, 3, lease));
                claimed.extend(a.expect("claim").into_iter().chain(b.expect("claim")).filter(|m| m.id.starts_with("bulk-")));
            }
            let mut ids: Vec<String> = claimed.iter().map(|m| m.id.clone()).collect();
            ids.sort();
            let before = ids.len();
            ids.dedup();
            assert_eq!(ids.len(), before, "no message is claimed by both stores");
            assert!(claimed.iter().all(|m| m.attempts == 1), "each claimed once");
            let rest = first.claim_outbox(at, 100, lease).await.expect("claim the rest");
            assert_eq!(before + rest.iter().filter(|m| m.id.starts_with("bulk-")).count(), 40, "every due message is claimed once");
        }
    })
    .await;
    first.close().await;
    second.close().await;
    schema.drop().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// A schema that is missing, current, or newer than this build: `RequireCurrent` refuses the
/// first, `migrate` brings it up once, and any open refuses the last naming its version.
#[tokio::test]
async fn the_schema_is_migrated_explicitly_and_a_newer_one_is_refused() {
    use store::Migrations;
    use store_postgres::PgOptions;
    let with = |migrations| PgOptions { migrations, ..PgOptions::default() };
    in_empty_schema(|url| async move {
        match PgStore::connect_with(&url, &with(Migrations::RequireCurrent)).await {
            Err(StoreError::Schema(m)) => assert!(m.contains("shaqyru migrate"), "{m}"),
            other => panic!("an empty schema must be refused under RequireCurrent, got {:?}", other.map(|_| ())),
        }
        let inspect = PgStore::connect_with(&url, &with(Migrations::Inspect)).await.expect("inspect an empty schema");
        let before = inspect.schema().await.expect("status");
        assert!(before.applied.is_empty() && !before.known.is_empty(), "{before:?}");
        assert_eq!(inspect.migrate().await.expect("migrate"), before.known, "every known version is applied");
        assert_eq!(inspect.migrate().await.expect("migrate again"), Vec::<i64>::new(), "a second run has nothing to do");
        inspect.close().await;
        let current = PgStore::connect_with(&url, &with(Migrations::RequireCurrent)).await.expect("a current schema opens");
        current.close().await;

        let mut conn = PgConnection::connect(&url).await.expect("connect");
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (99990101000000, 'from the future', true, '\\x00', 0)",
        )
        .execute(&mut conn)
        .await
        .expect("pretend a newer build migrated");
        for policy in [Migrations::Apply, Migrations::RequireCurrent] {
            match PgStore::connect_with(&url, &with(policy)).await {
                Err(StoreError::Schema(m)) => assert!(m.contains("99990101000000") && m.contains("newer"), "{m}"),
                other => panic!("a newer schema must be refused under {policy:?}, got {:?}", other.map(|_| ())),
            }
        }
    })
    .await;
}

/// A commit that queues outbox work in one process wakes a dispatcher waiting in another
/// (LISTEN/NOTIFY on the schema's channel) long before its polling timeout.
#[tokio::test]
async fn a_commit_with_outbox_work_wakes_waiters_on_other_connections() {
    in_empty_schema(|url| async move {
        let committer = PgStore::connect(&url).await.expect("connect");
        let waiter = PgStore::connect(&url).await.expect("connect");
        // Give the waiter's listener time to subscribe before anything is signalled.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let wait = tokio::spawn({
            let waiter = waiter.clone();
            async move { waiter.wait_for_work(std::time::Duration::from_secs(600)).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        c::outbox_claims_lease_and_retry(&committer).await;
        tokio::time::timeout(std::time::Duration::from_secs(30), wait)
            .await
            .expect("the waiter is woken by the commit, not by its ten-minute timeout")
            .expect("the waiter ran");
        committer.close().await;
        waiter.close().await;
    })
    .await;
}

/// The append-only trigger after migration 0008: only the body of an event whose case has a
/// tombstone may change, once; every other change to events, and any to a tombstone, is refused.
#[tokio::test]
async fn the_triggers_let_only_a_tombstoned_case_s_bodies_be_redacted_once() {
    in_empty_schema(|url| async move {
        let store = PgStore::connect(&url).await.expect("connect");
        c::a_purge_redacts_the_case_and_leaves_a_tombstone(&store).await;
        store.close().await;
        let mut db = PgConnection::connect(&url).await.expect("connect");
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
    })
    .await;
}
