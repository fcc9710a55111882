//! A real `shaqyru serve` as a child process: started on a database file, its address and the
//! demo accounts' tokens read from what it prints at start-up, its memory read from /proc.

use anyhow::{Context, bail};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Server {
    child: Child,
    /// Lines printed so far, and how many of them named a person of the benchmark's applications.
    log: Arc<LogCount>,
    pub addr: SocketAddr,
    /// Token by demo user id.
    pub tokens: HashMap<String, String>,
}

/// Lines the server prints before it serves: the address and the accounts table. Log lines
/// after them are read and dropped so that the pipe never fills and blocks the server.
const KEPT_LINES: usize = 100;

/// What the benchmark's applications contain that a log must never show: names, the ИИН and
/// every passport number of the mix.
const PERSONAL: &[&str] =
    &["Сейтқали", "Әйгерім", "061211600012", "Eriksson", "Anna Maria", "E2222222", "K1111111", "B7654321", "L898902C3"];

#[derive(Default)]
pub struct LogCount {
    pub lines: std::sync::atomic::AtomicU64,
    pub personal: std::sync::atomic::AtomicU64,
}

impl Server {
    /// Starts `binary serve` on `database`, listening on a free loopback port. The simulated KNB
    /// is told never to answer: the load generator delivers the KNB's answers itself, through the
    /// inbound API, as the KNB's gateway would.
    /// `extra`: more arguments for `serve` (e.g. `--sqlite-group-commit off`).
    pub async fn start(binary: &Path, database: &Path, extra: &[&str]) -> anyhow::Result<Server> {
        if !binary.exists() {
            bail!("{} is missing: build it first (cargo build --release -p shaqyru), or pass --server", binary.display());
        }
        let mut child = Command::new(binary)
            .args(["serve", "--listen", "127.0.0.1:0", "--knb-delay", "100000000", "--database"])
            .arg(database)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let stdout = child.stdout.take().expect("piped");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::new(LogCount::default());
        {
            let (lines, log) = (lines.clone(), log.clone());
            std::thread::spawn(move || {
                use std::sync::atomic::Ordering::Relaxed;
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { return };
                    log.lines.fetch_add(1, Relaxed);
                    if PERSONAL.iter().any(|p| line.contains(p)) {
                        log.personal.fetch_add(1, Relaxed);
                    }
                    let mut kept = lines.lock().expect("not poisoned");
                    if kept.len() < KEPT_LINES {
                        kept.push(line);
                    }
                }
            });
        }
        let started = Instant::now();
        let addr = loop {
            let found = lines.lock().expect("not poisoned").iter().find_map(|l| {
                let rest = l.split("serving on http://").nth(1)?;
                rest.split_whitespace().next()?.parse::<SocketAddr>().ok()
            });
            if let Some(a) = found {
                break a;
            }
            if let Some(status) = child.try_wait()? {
                bail!("the server exited at start-up: {status}");
            }
            if started.elapsed() > Duration::from_secs(30) {
                bail!("the server did not print its address within 30 s");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let client = reqwest::Client::new();
        while !client.get(format!("http://{addr}/ready")).send().await.is_ok_and(|r| r.status().is_success()) {
            if started.elapsed() > Duration::from_secs(30) {
                bail!("the server was not ready within 30 s");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // The accounts are printed before the server starts serving, so they are all there now.
        let tokens = lines
            .lock()
            .expect("not poisoned")
            .iter()
            .filter_map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                (f.len() == 4 && f[3].len() == 32 && f[3].chars().all(|c| c.is_ascii_hexdigit()))
                    .then(|| (f[0].to_owned(), f[3].to_owned()))
            })
            .collect::<HashMap<_, _>>();
        if tokens.is_empty() {
            bail!("the server printed no demo accounts");
        }
        Ok(Server { child, log, addr, tokens })
    }

    pub fn token(&self, user: &str) -> anyhow::Result<&str> {
        self.tokens.get(user).map(String::as_str).with_context(|| format!("no demo account {user}"))
    }

    /// (lines the server printed, lines naming a person of the benchmark's applications).
    pub fn log_lines(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.log.lines.load(Relaxed), self.log.personal.load(Relaxed))
    }

    /// The server's resident memory now, in bytes (VmRSS of /proc/PID/status).
    pub fn rss_bytes(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .context("no VmRSS in /proc/PID/status")?;
        Ok(kib * 1024)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Our own child, by its handle.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
