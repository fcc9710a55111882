//! Durable throughput: whole cases of the mix driven through `Engine` with every command
//! committed before it is acknowledged, on SQLite (a file on disk, WAL, `synchronous = FULL` as
//! shipped) and on PostgreSQL, with N cases in flight; the outbox dispatcher runs alongside as it
//! does in the server.

use crate::report::{Figure, Report};
use crate::scenario::{self, Action, Input, Knb, Path, Who};
use anyhow::Context;
use domain::{Actor, CaseId, UserId};
use engine::{Engine, ManualClock, PerformRequest, WireInput};
use integrations::{KnbAnswer, KnbVerdict};
use shaqyru::{Settings, build};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use store_sqlite::GroupCommit;

/// The people of one branch and the provider it sends to, and the KNB's gateway.
#[derive(Clone)]
pub struct Team {
    pub operator: Actor,
    pub office: Actor,
    pub head: Actor,
    pub executor: Actor,
    pub gateway: Actor,
}

impl Team {
    /// The person who performs a scripted step.
    pub fn actor(&self, who: Who) -> &Actor {
        match who {
            Who::Operator => &self.operator,
            Who::Office => &self.office,
            Who::Head => &self.head,
            Who::Executor => &self.executor,
        }
    }

    /// A scripted step's input as the engine takes it.
    pub fn input(&self, input: Input) -> WireInput {
        match input {
            Input::MissingDocument(d) => WireInput::MissingDocuments(vec![d.into()]),
            Input::Assignee => WireInput::Assignee(self.executor.user.0.to_string()),
            Input::RefusalGround(g) => WireInput::RefusalGrounds { grounds: vec![g.into()], reasoning: "see the checks".into() },
        }
    }
}

fn actor(user: &str, role: &str, unit: &str) -> Actor {
    Actor { user: UserId(user.into()), role: role.into(), unit: unit.into() }
}

/// Team `i` of the demo units: even ones in Astana, odd ones in Almaty.
pub fn team(i: usize) -> Team {
    let (branch, provider) = if i.is_multiple_of(2) { ("sc-astana-1", "mvd-astana") } else { ("sc-almaty-1", "mvd-almaty") };
    Team {
        operator: actor(&format!("sc_operator@{branch}"), "sc_operator", branch),
        office: actor(&format!("office@{provider}"), "office", provider),
        head: actor(&format!("management@{provider}"), "management", provider),
        executor: actor(&format!("executor1@{provider}"), "executor", provider),
        gateway: actor(shaqyru::app::KNB_GATEWAY, "knb_liaison", "knb"),
    }
}

/// An application of the mix's `path` that passes validation on the benchmark's date.
pub fn draft(path: Path) -> domain::application::ApplicationDraft {
    let mut d = domain::application::example_draft();
    d.invitees[0].passport_number = path.passport().into();
    d.documents_presented = vec!["identity_document".into(), "application_form".into(), "passport_copy".into()];
    d
}

/// Drives one case of `path` to its end; returns the number of commands.
async fn drive(engine: &Engine, team: &Team, path: Path, keys: &AtomicU64) -> anyhow::Result<u64> {
    let key = || format!("bench-{}", keys.fetch_add(1, Ordering::Relaxed));
    let mut case: Option<(CaseId, u64)> = None;
    let mut commands = 0;
    for action in scenario::script(path) {
        let r = match (action, &case) {
            (Action::Open, _) => engine.open_case(&team.operator, &draft(path), None, Some(&key())).await,
            (Action::Step { who, step, outcome, input }, Some((id, version))) => {
                let (actor, input) = (team.actor(who), input.map(|i| team.input(i)));
                let request = PerformRequest { step: step.into(), outcome: outcome.map(str::to_owned), input, version: *version };
                engine.perform(actor, id, &request, Some(&key())).await
            }
            (Action::Knb(verdict), Some((id, _))) => {
                let verdict = match verdict {
                    Knb::Agree => KnbVerdict::Agree,
                    Knb::Object => KnbVerdict::Object,
                    Knb::Extend => KnbVerdict::Extend { days: scenario::EXTENSION_DAYS, reason: "additional checks".into() },
                };
                engine.knb_answer(&team.gateway, &KnbAnswer { case_id: id.0.clone(), message_id: key(), verdict }).await
            }
            (_, None) => anyhow::bail!("the script acts on a case before opening it"),
        }
        .with_context(|| format!("{action:?} on a case {}", path.name()))?;
        case = Some((CaseId(r.case_id), r.version));
        commands += 1;
    }
    Ok(commands)
}

pub struct Run {
    pub cases: u64,
    pub commands: u64,
    pub secs: f64,
    /// SQLite: the WAL file's size when the load ended.
    pub wal_bytes: Option<u64>,
}

/// Runs `cases` cases with `in_flight` of them at a time against an engine on `database` (for
/// SQLite, with `group_commit` as given).
pub async fn run_once(database: String, group_commit: GroupCommit, case_cache: usize, cases: u64, in_flight: usize) -> anyhow::Result<Run> {
    // 10:00 on a working Tuesday in Astana, standing still: every deadline is computed, none falls due.
    let clock = Arc::new(ManualClock::new("2026-11-24T05:00:00Z".parse().expect("valid")));
    let database_path = database.clone();
    let settings = Settings {
        database,
        listen: "127.0.0.1:0".parse().expect("valid"),
        background: false,
        sqlite_group_commit: group_commit,
        case_cache,
        ..Settings::default()
    };
    let app = build(settings, clock, None).await.context("the service builds")?;
    let engine = app.engine.clone();
    let next = Arc::new(AtomicU64::new(0));
    let keys = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // The outbox dispatcher, as the server runs it: woken by commits that queue messages.
    let dispatcher = {
        let (engine, stop) = (engine.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                if let Err(e) = engine.dispatch_outbox(100).await {
                    eprintln!("outbox dispatch failed: {e}");
                }
                engine.outbox_wait(Duration::from_millis(200)).await;
            }
        })
    };
    let t = Instant::now();
    let workers: Vec<_> = (0..in_flight)
        .map(|w| {
            let (engine, next, keys) = (engine.clone(), next.clone(), keys.clone());
            let team = team(w);
            tokio::spawn(async move {
                let mut commands = 0;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= cases {
                        return Ok::<u64, anyhow::Error>(commands);
                    }
                    commands += drive(&engine, &team, Path::of(i), &keys).await?;
                }
            })
        })
        .collect();
    let mut commands = 0;
    for w in workers {
        commands += w.await??;
    }
    let secs = t.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    dispatcher.abort();
    let _ = dispatcher.await;
    // An SQLite database's WAL as the load left it (bounded by the checkpoint thread), before
    // closing empties it.
    let wal_bytes = std::fs::metadata(format!("{database_path}-wal")).ok().map(|m| m.len());
    app.close().await;
    Ok(Run { cases, commands, secs, wal_bytes })
}

/// fsyncs per second of the disk under `dir`: 4 KiB appended then `fdatasync`, as a commit's
/// WAL write is.
pub fn fsyncs_per_second(dir: &std::path::Path) -> anyhow::Result<f64> {
    use std::io::Write;
    let path = dir.join("fsync-probe");
    let mut f = std::fs::File::create(&path)?;
    let block = [7u8; 4096];
    let n = 500;
    let t = Instant::now();
    for _ in 0..n {
        f.write_all(&block)?;
        f.sync_data()?;
    }
    let secs = t.elapsed().as_secs_f64();
    drop(f);
    std::fs::remove_file(&path)?;
    Ok(n as f64 / secs)
}

/// The bytes on disk of an SQLite database: the file, its WAL and shared-memory index.
pub fn sqlite_bytes(db: &std::path::Path) -> u64 {
    ["", "-wal", "-shm"].iter().filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", db.display())).ok()).map(|m| m.len()).sum()
}

pub struct Options {
    pub cases: u64,
    pub in_flight: Vec<usize>,
    pub postgres: Option<String>,
    pub data_dir: std::path::PathBuf,
}

pub async fn run(report: &mut Report, o: &Options) -> anyhow::Result<()> {
    report.section("durable throughput through Engine (every command committed before it is acknowledged)");
    report.note(&format!(
        "{} cases per run, the mix: {:.1} commands per case (+1 reference-number transaction per case, +2 outbox transactions per case that reaches the KNB)",
        o.cases,
        scenario::actions_per_case()
    ));
    let fsyncs = fsyncs_per_second(&o.data_dir)?;
    report.figure(Figure::new("disk: 4 KiB write + fdatasync", fsyncs, "fsync/s"));
    // The variants alternate at each level, so that all meet the same moment of a shared,
    // noisy machine and their ratios mean something: group commit off and on without the case
    // cache, then both on (as shipped).
    let cache = engine::DEFAULT_CASE_CACHE;
    let variants = [
        ("group commit off, case cache off", GroupCommit::Off, 0),
        ("group commit on, case cache off", GroupCommit::default(), 0),
        ("group commit on, case cache on", GroupCommit::default(), cache),
    ];
    for &n in &o.in_flight {
        for (name, group_commit, case_cache) in variants {
            let dir = tempfile::tempdir_in(&o.data_dir)?;
            let db = dir.path().join("durable.sqlite");
            let r = run_once(db.display().to_string(), group_commit, case_cache, o.cases, n).await?;
            let bytes = sqlite_bytes(&db);
            let label = format!("SQLite, {name}, {n} in flight");
            report.figure(Figure::new(&format!("{label}: complete cases/s"), r.cases as f64 / r.secs, "cases/s").target(2_000.0, true));
            report.figure(Figure::new(&format!("{label}: steps/s"), r.commands as f64 / r.secs, "steps/s"));
            report.figure(Figure::new(&format!("{label}: database bytes per closed case"), bytes as f64 / r.cases as f64, "B/case"));
            if let Some(wal) = r.wal_bytes {
                report.figure(Figure::new(&format!("{label}: WAL when the load ended"), wal as f64 / 1_048_576.0, "MiB"));
            }
        }
    }
    if let Some(base) = &o.postgres {
        report.note(&format!("PostgreSQL settings: {}", crate::pg::durability_settings(base).unwrap_or_else(|| "?".into())));
        for &n in &o.in_flight {
            for (name, case_cache) in [("case cache off", 0), ("case cache on", cache)] {
                let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
                store_postgres::create_schema(base, &schema).await.map_err(|e| anyhow::anyhow!("create schema {schema}: {e}"))?;
                let url = format!("{base}?options=-c%20search_path%3D{schema}");
                // Group commit is SQLite's; PostgreSQL ignores the setting.
                let r = run_once(url, GroupCommit::default(), case_cache, o.cases, n).await;
                let bytes = crate::pg::schema_bytes(base, &schema);
                crate::pg::drop_schema(base, &schema);
                let r = r?;
                let label = format!("PostgreSQL, {name}, {n} in flight");
                report.figure(Figure::new(&format!("{label}: complete cases/s"), r.cases as f64 / r.secs, "cases/s").target(2_000.0, true));
                report.figure(Figure::new(&format!("{label}: steps/s"), r.commands as f64 / r.secs, "steps/s"));
                if let Some(bytes) = bytes {
                    report.figure(Figure::new(
                        &format!("{label}: database bytes per closed case"),
                        bytes as f64 / r.cases as f64,
                        "B/case",
                    ));
                }
            }
        }
    }
    Ok(())
}
