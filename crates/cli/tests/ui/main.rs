//! The web UI in a real browser: starts `shaqyru serve` on a fresh SQLite file with the demo
//! accounts, a clock fixed to a working morning in Astana and the simulated systems, then runs
//! the browser tests in `e2e/` (Node's test runner driving Debian's Chromium through
//! playwright-core) against it. Screenshots land in `target/ui-screenshots/`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the repository")
}

/// What the browser tests need and `scripts/test.sh` installs; a clear failure, never a skip.
fn require_tools(repo: &Path) {
    let missing: Vec<&str> = [
        ("node", Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success())),
        ("chromium (/usr/bin/chromium)", Path::new("/usr/bin/chromium").exists()),
        ("e2e/node_modules (npm ci --prefix e2e)", repo.join("e2e/node_modules/playwright-core").exists()),
    ]
    .into_iter()
    .filter(|(_, ok)| !ok)
    .map(|(name, _)| name)
    .collect();
    assert!(missing.is_empty(), "the browser tests need {missing:?}: run scripts/test.sh, which installs them");
}

struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_web_ui_walks_cases_from_intake_to_result_in_a_real_browser() {
    let repo = repo();
    require_tools(&repo);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("ui.db");
    let shots = repo.join("target/ui-screenshots");
    std::fs::create_dir_all(&shots).expect("the screenshot directory");
    // 10:00 in Astana on a working Tuesday, running at real speed; the KNB answers after an hour
    // of simulated time, so that the KNB liaison answers in the browser first.
    let mut child = Command::new(env!("CARGO_BIN_EXE_shaqyru"))
        .args(["serve", "--database", &db.display().to_string(), "--listen", "127.0.0.1:0"])
        .args(["--clock", "start=2026-11-24T05:00:00Z,speed=1", "--knb-delay", "3600"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start shaqyru serve");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(rest) = line.split("serving on http://").nth(1) {
                    break rest.split_whitespace().next().expect("an address").to_owned();
                }
            }
            _ => panic!("shaqyru serve exited before serving"),
        }
    };
    std::thread::spawn(move || for _ in lines {});

    let status = Command::new("node")
        .args(["--test", "--test-concurrency=1"])
        .arg(repo.join("e2e/ui.test.mjs"))
        .env("SHAQYRU_URL", format!("http://{addr}"))
        .env("SHAQYRU_SCREENSHOTS", &shots)
        .current_dir(repo.join("e2e"))
        .status()
        .expect("run node");
    drop(server);
    assert!(status.success(), "the browser tests failed (their output is above): {status}");
}
