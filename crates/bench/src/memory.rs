//! Server memory per open case: the resident memory of a `shaqyru serve` child process before
//! and after N cases are opened through the API, and the database bytes those cases take (pages
//! times page size, so that the WAL's length at the moment does not count).

use crate::api::{Client, HttpTeam, http_client};
use crate::report::{Figure, Report};
use crate::scenario::{self, Path};
use crate::server::Server;
use std::path::Path as FsPath;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Concurrent clients opening cases.
const CLIENTS: usize = 32;
/// Actions that take a case of the issued path to P5, waiting for the KNB (open + SC1–SC4 + P1–P4).
const TO_KNB: usize = 9;

/// Opens `cases` cases with `CLIENTS` clients, each case taken through its first `actions`
/// actions of the happy path.
async fn open_cases(server: &Server, cases: u64, actions: usize) -> anyhow::Result<()> {
    let http = http_client(CLIENTS)?;
    let keys = Arc::new(AtomicU64::new(u64::from(rand_prefix())));
    let next = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for i in 0..CLIENTS {
        let client =
            Client { http: http.clone(), base: format!("http://{}", server.addr), team: HttpTeam::new(server, i)?, keys: keys.clone() };
        let next = next.clone();
        workers.push(tokio::spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < cases {
                let path = Path::IssuedAfterExtension;
                let mut case = None;
                for action in scenario::script(path).into_iter().take(actions) {
                    case = Some(client.act(path, action, case.as_ref()).await?);
                }
            }
            anyhow::Ok(())
        }));
    }
    for w in workers {
        w.await??;
    }
    Ok(())
}

/// Keys of different phases must not collide: each phase starts its own range.
fn rand_prefix() -> u32 {
    uuid::Uuid::new_v4().as_u128() as u32
}

/// Resident memory once the server has settled (allocator caches returned, background ticks done).
async fn settled_rss(server: &Server) -> anyhow::Result<u64> {
    tokio::time::sleep(Duration::from_secs(2)).await;
    server.rss_bytes()
}

pub async fn run(report: &mut Report, binary: &FsPath, data_dir: &FsPath, cases: u64) -> anyhow::Result<()> {
    report.section(&format!("memory: `shaqyru serve` RSS with open cases (from /proc/PID/status), {cases} cases per population"));
    // The case cache (on by default) keeps up to its capacity of open cases in memory; the
    // last population shows the server without it.
    let populations: [(&str, usize, &[&str]); 3] = [
        ("opened (at SC1)", 1, &[]),
        ("waiting for the KNB (at P5)", TO_KNB, &[]),
        ("waiting for the KNB (at P5), case cache off", TO_KNB, &["--case-cache", "0"]),
    ];
    for (label, actions, args) in populations {
        let dir = tempfile::tempdir_in(data_dir)?;
        let db = dir.path().join("memory.sqlite");
        let server = Server::start(binary, &db, args).await?;
        // Warm up every code path and connection first, so the baseline is a running server's.
        open_cases(&server, 200, scenario::script(Path::IssuedAfterExtension).len()).await?;
        let before = settled_rss(&server).await?;
        let bytes_before = store_sqlite::bulk::database_bytes(&db).await?;
        open_cases(&server, cases, actions).await?;
        let after = settled_rss(&server).await?;
        let bytes_after = store_sqlite::bulk::database_bytes(&db).await?;
        let per_case = (after as f64 - before as f64) / cases as f64;
        report.note(&format!("{label}: RSS {} KiB before, {} KiB after", before / 1024, after / 1024));
        report.figure(Figure::new(&format!("memory: server bytes per open case, {label}"), per_case, "B/case").target(2048.0, false));
        report.figure(Figure::new(
            &format!("memory: database bytes per open case, {label}"),
            (bytes_after as f64 - bytes_before as f64) / cases as f64,
            "B/case",
        ));
    }
    Ok(())
}
