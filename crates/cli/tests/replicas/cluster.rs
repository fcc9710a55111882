//! A fresh PostgreSQL schema, migrated with `shaqyru migrate`, its accounts created with
//! `shaqyru users add`, and N `shaqyru serve` processes on it sharing one fast simulated clock.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const OPERATOR: &str = "sc_operator@sc-astana-1";
pub const OFFICE: &str = "office@mvd-astana";
pub const HEAD: &str = "management@mvd-astana";
pub const EXECUTOR: &str = "executor1@mvd-astana";
pub const SUPERVISOR: &str = "supervisor";

/// A quarter to ten on a Wednesday morning in Astana: a full working day ahead.
const START: &str = "2026-11-25T04:45:00Z";
/// One wall-clock second is one minute: a two-minute step falls due within seconds.
pub const SPEED: i32 = 60;

/// The gateway secret the simulator signs the KNB's callbacks with.
const SECRET: &str = "the replicas test's gateway secret";

pub struct Cluster {
    pub url: String,
    /// The simulated external systems: one process all replicas share, as real ones would be.
    sim: Child,
    pub sim_addr: String,
    /// Each replica's port, kept across restarts.
    ports: Vec<u16>,
    /// The head of unit's private signing key, which every replica loads.
    keys: tempfile::TempDir,
    schema: String,
    clock: String,
    pub tokens: std::collections::HashMap<String, String>,
    replicas: Vec<Replica>,
    /// The shared simulated time, as the replicas compute it.
    pub time: engine::ScaledClock,
}

struct Replica {
    child: Child,
    addr: String,
}

/// A port free now (the OS picks it; it is very unlikely to be reused at once).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port()
}

/// Reads a child's standard output until the line saying where it serves; keeps draining it.
fn address_from(child: &mut Child, marker: &str) -> String {
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(rest) = line.split(marker).nth(1) {
                    break rest.split_whitespace().next().expect("an address").to_owned();
                }
            }
            _ => panic!("the process exited before serving: {:?}", child.wait()),
        }
    };
    // Keep draining the pipe so the child never blocks on a full one.
    std::thread::spawn(move || for _ in lines {});
    addr
}

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_shaqyru")
}

fn base_url() -> String {
    std::env::var("SHAQYRU_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// Runs a `shaqyru` subcommand to completion and returns its standard output.
fn run(args: &[&str]) -> String {
    let out = Command::new(binary()).args(args).output().expect("run shaqyru");
    assert!(out.status.success(), "shaqyru {} failed: {}", args[0], String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

impl Cluster {
    pub async fn start(replicas: usize) -> Cluster {
        let schema = format!("app_{}", uuid::Uuid::new_v4().simple());
        let base = base_url();
        store_postgres::create_schema(&base, &schema)
            .await
            .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {base} to create a schema: {e}"));
        let url = format!("{base}?options=-c%20search_path%3D{schema}");

        let migrated = run(&["migrate", "--database", &url]);
        assert!(
            migrated.contains("applied: none") && migrated.contains("applied now: 1, 2, 3, 4, 5, 6"),
            "the first migrate applies the schema: {migrated}"
        );
        let again = run(&["migrate", "--database", &url]);
        assert!(again.contains("applied now: none"), "a second migrate has nothing to do: {again}");

        let mut tokens = std::collections::HashMap::new();
        for (id, role, unit) in [
            (OPERATOR, "sc_operator", "sc-astana-1"),
            (OFFICE, "office", "mvd-astana"),
            (HEAD, "management", "mvd-astana"),
            (EXECUTOR, "executor", "mvd-astana"),
            (SUPERVISOR, "supervisor", "ministry"),
        ] {
            let line = run(&["users", "add", "--database", &url, "--id", id, "--role", role, "--unit", unit]);
            let token = line.trim().rsplit('\t').next().expect("id<TAB>token").to_owned();
            tokens.insert(id.to_owned(), token);
        }

        let keys = tempfile::tempdir().expect("a keys directory");
        let keys_dir = keys.path().display().to_string();
        run(&["keys", "create", "--database", &url, "--user", HEAD, "--keys-dir", &keys_dir]);

        let ports: Vec<u16> = (0..replicas).map(|_| free_port()).collect();
        // The KNB answers through the first replica's gateway door; while it is down the
        // simulated gateway keeps the answers and tries again.
        let callback = format!("http://127.0.0.1:{}/gateway/knb/answers", ports[0]);
        let mut sim = Command::new(binary())
            .args(["simulate", "--listen", "127.0.0.1:0", "--callback", &callback, "--knb-delay", "300ms"])
            .env("SHAQYRU_GATEWAY_SECRET", SECRET)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start shaqyru simulate");
        let sim_addr = address_from(&mut sim, "serving on http://");

        let anchor = engine::Clock::now(&engine::SystemClock);
        let clock = format!("start={START},speed={SPEED},anchor={anchor}");
        let time = engine::ScaledClock::parse(&clock).expect("a valid clock");
        let mut cluster = Cluster { url, sim, sim_addr, ports, keys, schema, clock, tokens, replicas: Vec::new(), time };
        for i in 0..replicas {
            let r = cluster.spawn(i);
            cluster.replicas.push(r);
        }
        cluster
    }

    /// Orders the simulated systems about (`/_sim/…`), e.g. to fail the KNB's next calls.
    pub async fn sim_order(&self, method: reqwest::Method, path: &str, body: Option<serde_json::Value>) -> serde_json::Value {
        let mut req = reqwest::Client::new().request(method, format!("http://{}{path}", self.sim_addr));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.expect("the simulator answers");
        assert!(r.status().is_success(), "simulator order {path}: {}", r.status());
        r.json().await.unwrap_or(serde_json::Value::Null)
    }

    /// Starts replica `i` on its port, never migrating (the schema is current), every external
    /// system reached over HTTP at the shared simulator; waits until it serves.
    fn spawn(&self, i: usize) -> Replica {
        let listen = format!("127.0.0.1:{}", self.ports[i]);
        let systems = format!("http://{}", self.sim_addr);
        let mut child = Command::new(binary())
            .args(["serve", "--database", &self.url, "--listen", &listen, "--no-migrate", "--no-demo-accounts"])
            .args(["--clock", &self.clock, "--systems", &systems, "--pool-size", "8"])
            .args(["--keys-dir", &self.keys.path().display().to_string()])
            .env("SHAQYRU_GATEWAY_SECRET", SECRET)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start shaqyru serve");
        let addr = address_from(&mut child, "serving on http://");
        Replica { child, addr }
    }

    pub fn addresses(&self) -> Vec<String> {
        self.replicas.iter().map(|r| r.addr.clone()).collect()
    }

    /// SIGKILL: no shutdown, no flushing, connections cut mid-transaction.
    pub fn kill(&mut self, i: usize) {
        let r = &mut self.replicas[i];
        r.child.kill().expect("kill the replica");
        r.child.wait().expect("reap the replica");
    }

    pub async fn restart(&mut self, i: usize) {
        self.replicas[i] = self.spawn(i);
    }

    /// Stops every replica with SIGTERM (a graceful shutdown) and drops the schema.
    pub async fn stop(mut self) {
        for r in &mut self.replicas {
            let _ = Command::new("kill").args(["-TERM", &r.child.id().to_string()]).status();
        }
        for r in &mut self.replicas {
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            loop {
                match r.child.try_wait().expect("wait") {
                    Some(status) => {
                        assert!(status.success(), "a replica stopped by SIGTERM exits cleanly: {status}");
                        break;
                    }
                    None if std::time::Instant::now() > deadline => panic!("a replica ignored SIGTERM for 10 s"),
                    None => tokio::time::sleep(Duration::from_millis(50)).await,
                }
            }
        }
        let _ = self.sim.kill();
        let _ = self.sim.wait();
        drop_schema(&self.schema);
    }

    /// The simulated time the replicas show now.
    pub fn time_now(&self) -> jiff::Timestamp {
        engine::Clock::now(&self.time)
    }

    /// A direct connection to the shared database, for checking what it holds.
    pub async fn store(&self) -> store_postgres::PgStore {
        store_postgres::PgStore::connect_with(
            &self.url,
            &store_postgres::PgOptions { pool_size: 4, migrations: store::Migrations::RequireCurrent },
        )
        .await
        .expect("connect to the cluster's schema")
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // A failed test must not leave servers running.
        for r in &mut self.replicas {
            let _ = r.child.kill();
            let _ = r.child.wait();
        }
        let _ = self.sim.kill();
        let _ = self.sim.wait();
    }
}

fn drop_schema(schema: &str) {
    let out = Command::new("psql")
        .args([&base_url(), "-q", "-c", &format!("DROP SCHEMA IF EXISTS {schema} CASCADE")])
        .output()
        .expect("run psql");
    assert!(out.status.success(), "drop the test schema: {}", String::from_utf8_lossy(&out.stderr));
}
