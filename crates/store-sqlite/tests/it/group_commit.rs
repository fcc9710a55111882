//! Group commit on SQLite: units queued together share one transaction, each in its own
//! savepoint. The whole conformance suite also runs with group commit off, and these tests show
//! what only batching can: units of one case in one batch see each other, a failed transaction
//! fails every unit of its batch, and the event sequence stays gapless across batches.
//!
//! The tests that need units in one batch hold the store's write lock while they queue them, so
//! that the write thread's next batch takes them all (the default bound, 64, is larger than any
//! batch here).

use domain::CaseId;
use std::future::Future;
use store::conformance::{self as c, follow_up_unit, join_all, opening_unit};
use store::{Store, StoreError};
use store_sqlite::{GroupCommit, SqliteOptions, SqliteStore};
use tempfile::TempDir;

/// Commits `units` in one batch of the write thread: all are queued while the write lock is
/// held, then it is let go.
async fn in_one_batch(store: &SqliteStore, units: &[store::UnitOfWork]) -> Vec<store::Result<()>> {
    let held = store.hold_writes().await;
    let mut all = std::pin::pin!(join_all(units.iter().map(|u| store.commit(u.clone())).collect()));
    // One poll queues every unit (each waits for its answer after that).
    tokio::select! {
        biased;
        _ = &mut all => panic!("a unit was answered while the write lock was held"),
        () = std::future::ready(()) => {}
    }
    drop(held);
    all.await
}

async fn fresh_with(group_commit: GroupCommit) -> (TempDir, std::path::PathBuf, SqliteStore) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("shaqyru.db");
    let options = SqliteOptions { group_commit, ..SqliteOptions::default() };
    let store = SqliteStore::open_with_options(&path, &options).await.expect("open a new database");
    (dir, path, store)
}

/// The conformance suite with every commit in its own transaction, as before group commit.
mod without_group_commit {
    use super::*;

    async fn on_fresh_store<F, Fut>(check: F)
    where
        F: FnOnce(SqliteStore) -> Fut,
        Fut: Future<Output = ()>,
    {
        let (_dir, _path, store) = fresh_with(GroupCommit::Off).await;
        check(store).await;
    }

    store::conformance_tests!(on_fresh_store);
}

/// The suite's concurrent checks with a batch bound of 2, so that they span several batches.
mod with_small_batches {
    use super::*;

    async fn small() -> (TempDir, SqliteStore) {
        let (dir, _path, store) = fresh_with(GroupCommit::On { max_batch: 2 }).await;
        (dir, store)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_checks_pass_across_batches() {
        let (_a, store) = small().await;
        c::concurrent_commits_of_different_cases_all_land(&store).await;
        let (_b, store) = small().await;
        c::a_failing_unit_among_concurrent_ones_fails_alone(&store).await;
        let (_c, store) = small().await;
        c::concurrent_units_for_one_case_apply_in_version_order(&store).await;
        let (_d, store) = small().await;
        c::concurrent_commits_one_wins(&store).await;
    }
}

/// In one batch, a unit decided on the version an earlier unit of the batch produced lands; one
/// decided on the version before conflicts, naming the version the earlier unit made.
#[tokio::test]
async fn units_for_one_case_in_one_batch_see_each_other() {
    let (_dir, _path, store) = fresh_with(GroupCommit::default()).await;
    let units = [
        opening_unit("case-1", "2026-0001"),
        follow_up_unit("case-1", "2026-0001", 2, "first"),
        follow_up_unit("case-1", "2026-0001", 2, "decided on the old version"),
        follow_up_unit("case-1", "2026-0001", 3, "second"),
    ];
    let results = in_one_batch(&store, &units).await;
    let [open, first, stale, second] = <[_; 4]>::try_from(results).expect("four answers");
    open.expect("the opening lands");
    first.expect("the unit at the opening's version lands");
    match stale {
        Err(StoreError::Conflict { expected: 2, actual: 3, .. }) => {}
        other => panic!("the unit decided on version 2 after another one took it: expected Conflict 2/3, got {other:?}"),
    }
    second.expect("the unit at the first follow-up's version lands");
    let expected: Vec<_> = [&units[0], &units[1], &units[3]].iter().flat_map(|u| u.events.clone()).collect();
    assert_eq!(store.load_events(&CaseId("case-1".into())).await.expect("events"), expected, "the three landed units, in order");
}

/// A unit whose write makes SQLite roll back the whole transaction (as a disk error can) fails
/// every unit of its batch: none is stored, each caller gets an error, and the store goes on
/// committing afterwards. Without group commit only that unit fails.
#[tokio::test]
async fn a_failed_transaction_fails_every_unit_of_its_batch() {
    for group_commit in [GroupCommit::Off, GroupCommit::default()] {
        let (_dir, path, store) = fresh_with(group_commit).await;
        // A second connection plants the failure: writing the poisoned case's events rolls the
        // transaction back, as SQLite does after some I/O errors.
        let mut conn =
            <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!("sqlite://{}", path.display())).await.expect("connect");
        sqlx::query(
            "CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.case_id = 'case-poison'
             BEGIN SELECT RAISE(ROLLBACK, 'injected failure'); END",
        )
        .execute(&mut conn)
        .await
        .expect("create the trigger");
        sqlx::Connection::close(conn).await.expect("close");

        let units = [opening_unit("case-a", "2026-0001"), opening_unit("case-poison", "2026-0002"), opening_unit("case-b", "2026-0003")];
        let results = in_one_batch(&store, &units).await;
        let landed: Vec<bool> = results.iter().map(Result::is_ok).collect();
        for r in &results {
            if let Err(e) = r {
                assert!(matches!(e, StoreError::Backend(_)), "{group_commit:?}: a failed transaction is a backend error, got {e:?}");
            }
        }
        let stored_a = !store.load_events(&CaseId("case-a".into())).await.expect("events").is_empty();
        let stored_b = !store.load_events(&CaseId("case-b".into())).await.expect("events").is_empty();
        assert!(store.load_events(&CaseId("case-poison".into())).await.expect("events").is_empty(), "the poisoned case is not stored");
        assert_eq!((landed[0], landed[2]), (stored_a, stored_b), "{group_commit:?}: a unit is stored exactly when it was acknowledged");
        match group_commit {
            GroupCommit::Off => assert_eq!(landed, [true, false, true], "without group commit only the poisoned unit fails"),
            GroupCommit::On { .. } => assert_eq!(landed, [false, false, false], "in one batch every unit fails with the transaction"),
        }
        // The store goes on: the units that failed with the batch commit alone.
        if !stored_a {
            store.commit(units[0].clone()).await.expect("case a commits after the failed batch");
            store.commit(units[2].clone()).await.expect("case b commits after the failed batch");
        }
        store.commit(follow_up_unit("case-a", "2026-0001", 2, "after")).await.expect("a later commit");
        store.close().await;
    }
}

/// Across batches with failed units in them, the events' commit sequence has no gap: 1, 2, … in
/// the order the batches committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_event_sequence_stays_gapless_across_batches() {
    let (_dir, _path, store) = fresh_with(GroupCommit::On { max_batch: 3 }).await;
    c::a_failing_unit_among_concurrent_ones_fails_alone(&store).await;
    c::concurrent_commits_of_different_cases_all_land(&store).await;
    let mut seqs = Vec::new();
    for case in store.audit_cases(None, 1_000).await.expect("cases") {
        seqs.extend(store.event_chain(&case).await.expect("chain").into_iter().map(|l| l.seq.expect("a sequence number")));
    }
    seqs.sort_unstable();
    let expected: Vec<u64> = (1..=seqs.len() as u64).collect();
    assert_eq!(seqs, expected, "every number from 1 to the count, once");
    assert_eq!(store.audit_mark().await.expect("mark"), seqs.len() as u64, "the mark is the last number");
}

/// Under writes that never pause, with reads alongside, the WAL stays near the restart length
/// instead of growing with everything written: the checkpoint thread starts it over.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_wal_stays_bounded_under_steady_writes() {
    const RESTART_FRAMES: u32 = 256;
    const WRITERS: usize = 8;
    const CASES_EACH: usize = 800;
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("shaqyru.db");
    let options = SqliteOptions { wal_restart_frames: RESTART_FRAMES, ..SqliteOptions::default() };
    let store = SqliteStore::open_with_options(&path, &options).await.expect("open a new database");
    let wal = dir.path().join("shaqyru.db-wal");
    let wal_size = move || std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);

    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let largest = {
        let (done, wal_size) = (done.clone(), wal_size.clone());
        tokio::spawn(async move {
            let mut largest = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                largest = largest.max(wal_size());
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            largest
        })
    };
    let reader = {
        let (done, store) = (done.clone(), store.clone());
        tokio::spawn(async move {
            let mut reads = 0u64;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                store.list_tasks(&store::TaskQuery::default()).await.expect("read tasks");
                reads += 1;
            }
            reads
        })
    };
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                for i in 0..CASES_EACH {
                    store.commit(opening_unit(&format!("case-{w}-{i}"), &format!("REF-{w}-{i}"))).await.expect("commit");
                }
            })
        })
        .collect();
    for w in writers {
        w.await.expect("writer");
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let (largest, reads) = (largest.await.expect("sampler"), reader.await.expect("reader"));
    // The WAL header's checkpoint sequence number counts the times it was started over.
    let header = std::fs::read(dir.path().join("shaqyru.db-wal")).expect("the WAL")[..16].to_vec();
    let restarts = u32::from_be_bytes(header[12..16].try_into().expect("four bytes"));
    eprintln!("largest WAL {largest} B, {restarts} restarts, {reads} reads");
    assert!(reads > 0, "reads ran alongside the writes");
    // 6,400 openings write about 270 MB of frames (measured with restarts off: the WAL reached
    // 138 MB at half as many); a restart every 256 frames, checked every 100 ms, keeps it to
    // what a few hundred milliseconds of writes add, even when a slow read delays a restart.
    assert!(restarts >= 3, "the WAL was started over under the load: {restarts} times");
    assert!(largest < 96 * 1024 * 1024, "the WAL stayed small: at most {largest} bytes");
    store.close().await;
    assert_eq!(std::fs::metadata(dir.path().join("shaqyru.db-wal")).map_or(0, |m| m.len()), 0, "closing the store empties the WAL");
}

/// A read that holds its snapshot through many commits keeps the WAL from starting over, but
/// does not stop the writes; once it ends, the WAL starts over again.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_long_read_holds_the_wal_back_without_stopping_writes() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("shaqyru.db");
    let options = SqliteOptions { wal_restart_frames: 256, ..SqliteOptions::default() };
    let store = SqliteStore::open_with_options(&path, &options).await.expect("open a new database");
    let restarts = || {
        let header = std::fs::read(dir.path().join("shaqyru.db-wal")).expect("the WAL");
        u32::from_be_bytes(header[12..16].try_into().expect("four bytes"))
    };
    let write = |round: usize| {
        let store = store.clone();
        async move {
            let writers: Vec<_> = (0..8)
                .map(|w| {
                    let store = store.clone();
                    tokio::spawn(async move {
                        for i in 0..100 {
                            let id = format!("case-{round}-{w}-{i}");
                            store.commit(opening_unit(&id, &format!("REF-{round}-{w}-{i}"))).await.expect("commit");
                        }
                    })
                })
                .collect();
            for w in writers {
                w.await.expect("writer");
            }
        }
    };
    write(0).await;

    // A reader in a transaction keeps the snapshot it took at its first read.
    let mut reader = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.expect("open a reader");
    let mut snapshot = reader.begin().await.expect("begin");
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM cases").fetch_one(&mut *snapshot).await.expect("read");
    let held = restarts();
    write(1).await;
    assert_eq!(restarts(), held, "the WAL is not started over under a reader still using it");
    let during: i64 = sqlx::query_scalar("SELECT count(*) FROM cases").fetch_one(&mut *snapshot).await.expect("read again");
    assert_eq!(during, before, "the reader still sees its snapshot");
    let mut fresh = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.expect("open another reader");
    let now: i64 = sqlx::query_scalar("SELECT count(*) FROM cases").fetch_one(&mut fresh).await.expect("read");
    assert_eq!((before, now), (800, 1_600), "every write landed meanwhile");
    fresh.close().await.expect("close");

    snapshot.rollback().await.expect("end the read");
    reader.close().await.expect("close the reader");
    // After a restart a reader kept from finishing, the next try comes about a second later.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut round = 2;
    while restarts() == held && std::time::Instant::now() < deadline {
        write(round).await;
        round += 1;
    }
    assert!(restarts() > held, "after the read, the WAL starts over again: {} > {held}", restarts());
    store.close().await;
}
