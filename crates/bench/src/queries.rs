//! Worklist and compliance queries on a database filled with generated cases: real cases of
//! each path, walked once through `Engine` with realistic pauses between steps, are copied with
//! new ids, references, units and dates (whole weeks apart, so office hours still fit) into a
//! fresh SQLite file by `store_sqlite::bulk`. Most cases are closed with every task done; the
//! newest 2 % are still open, at every step of the issued path.

use crate::durable::{Team, draft, sqlite_bytes, team};
use crate::report::{Figure, Report};
use crate::scenario::{self, Action, Knb, Path};
use anyhow::Context;
use domain::case::EventKind;
use domain::{Actor, CaseId, Event, UserId};
use engine::{Engine, ManualClock, PerformRequest};
use integrations::{KnbAnswer, KnbVerdict};
use jiff::{SignedDuration, Timestamp};
use shaqyru::{Settings, build};
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use store::{CaseSummary, NewTimer, TaskQuery, TaskRow};
use store_sqlite::bulk::{BulkLoader, GeneratedCase};

/// Provider units of the generated country; each has two State Corporation branches. The first
/// two are the demo units, so the demo accounts can act on them.
const PROVIDERS: usize = 20;
/// Share of cases still open (the newest ones).
const OPEN_SHARE: f64 = 0.02;
/// The generated years: 2016 to 2025.
const FIRST_WEEK: &str = "2016-01-05T04:00:00Z";
const WEEKS: i64 = 521;
/// Cases per bulk transaction.
const BATCH: usize = 5_000;

/// How long the people take before each action, by step: the pauses of a case at normal speed.
fn pause(action: Action) -> SignedDuration {
    let mins = match action {
        Action::Open => 0,
        Action::Step { step: "SC1" | "SC2" | "SC3", .. } => 3,
        Action::Step { step: "SC4", .. } => 5,
        Action::Step { step: "P1", .. } => 60,
        Action::Step { step: "P2" | "P4" | "P9" | "P5n", .. } => 90,
        Action::Step { step: "P3" | "P6" | "P7", .. } => 24 * 60,
        Action::Step { step: "P8", .. } => 120,
        Action::Step { step: "SC5", .. } => 2 * 24 * 60,
        Action::Step { .. } => 60,
        Action::Knb(Knb::Extend) => 2 * 24 * 60,
        Action::Knb(_) => 12 * 24 * 60,
    };
    SignedDuration::from_mins(mins)
}

/// A case as a template: everything stored about it after some of its actions.
#[derive(Clone)]
struct Template {
    summary: CaseSummary,
    events: Vec<Event>,
    tasks: Vec<TaskRow>,
    timers: Vec<NewTimer>,
}

async fn snapshot(engine: &Engine, id: &CaseId, pending_timers: bool) -> anyhow::Result<Template> {
    let store = engine.store();
    let summary = store.case_summary(id).await?.context("the template case exists")?;
    let events = store.load_events(id).await?;
    let tasks = store.list_tasks(&TaskQuery { case_id: Some(id.clone()), limit: TaskQuery::ALL, ..TaskQuery::default() }).await?;
    let timers = if pending_timers {
        store
            .timers(id)
            .await?
            .into_iter()
            .filter(|t| t.state == "pending")
            .map(|t| NewTimer { id: t.id, case_id: t.case_id, kind: t.kind, payload: t.payload, due_at: t.due_at })
            .collect()
    } else {
        Vec::new()
    };
    Ok(Template { summary, events, tasks, timers })
}

/// Walks one case of `path` through a real engine, at `speed` times the normal pauses; returns a
/// snapshot after every action (the last one is the closed case).
async fn walk(engine: &Engine, clock: &ManualClock, team: &Team, path: Path, speed: i32) -> anyhow::Result<Vec<Template>> {
    let mut case: Option<(CaseId, u64)> = None;
    let mut out = Vec::new();
    for (n, action) in scenario::script(path).into_iter().enumerate() {
        clock.advance(pause(action) * speed);
        let key = format!("template-{}-{n}", uuid::Uuid::new_v4().simple());
        let r = match (action, &case) {
            (Action::Open, _) => engine.open_case(&team.operator, &draft(path), None, Some(&key)).await?,
            (Action::Step { who, step, outcome, input }, Some((id, version))) => {
                let (actor, input) = (team.actor(who), input.map(|i| team.input(i)));
                engine
                    .perform(
                        actor,
                        id,
                        &PerformRequest { step: step.into(), outcome: outcome.map(str::to_owned), input, version: *version },
                        Some(&key),
                    )
                    .await?
            }
            (Action::Knb(v), Some((id, _))) => {
                let verdict = match v {
                    Knb::Agree => KnbVerdict::Agree,
                    Knb::Object => KnbVerdict::Object,
                    Knb::Extend => KnbVerdict::Extend { days: scenario::EXTENSION_DAYS, reason: "additional checks".into() },
                };
                engine.knb_answer(&team.gateway, &KnbAnswer { case_id: id.0.clone(), message_id: key, verdict }).await?
            }
            (_, None) => anyhow::bail!("acting before opening"),
        };
        let id = CaseId(r.case_id);
        engine.dispatch_outbox(10).await?;
        out.push(snapshot(engine, &id, r.status == "open").await?);
        case = Some((id, r.version));
    }
    Ok(out)
}

struct Templates {
    /// Closed cases: the ten paths of the mix at three speeds.
    closed: Vec<Template>,
    /// Open cases: the issued path stopped after each of its actions but the last.
    open: Vec<Template>,
}

async fn templates(dir: &FsPath) -> anyhow::Result<Templates> {
    let start: Timestamp = FIRST_WEEK.parse()?;
    let clock = Arc::new(ManualClock::new(start));
    let settings = Settings {
        database: dir.join("templates.sqlite").display().to_string(),
        listen: "127.0.0.1:0".parse()?,
        background: false,
        ..Settings::default()
    };
    let app = build(settings, clock.clone(), None).await?;
    let t = team(0);
    let mut closed = Vec::new();
    for speed in [1, 2, 4] {
        for i in 0..10 {
            clock.set(start);
            let mut snaps = walk(&app.engine, &clock, &t, Path::of(i), speed).await?;
            closed.push(snaps.pop().context("a walk has actions")?);
        }
    }
    clock.set(start);
    let mut open = walk(&app.engine, &clock, &t, Path::IssuedAfterExtension, 1).await?;
    open.pop();
    Ok(Templates { closed, open })
}

/// Unit names of provider `p`: (provider, its two branches).
fn units(p: usize) -> (String, [String; 2]) {
    match p {
        0 => ("mvd-astana".into(), ["sc-astana-1".into(), "sc-astana-2".into()]),
        1 => ("mvd-almaty".into(), ["sc-almaty-1".into(), "sc-almaty-2".into()]),
        _ => (format!("mvd-r{p:02}"), [format!("sc-r{p:02}-1"), format!("sc-r{p:02}-2")]),
    }
}

/// The template's text with its units (and the user ids that name them) replaced.
struct Restamp<'a> {
    provider: &'a str,
    branch: &'a str,
    shift: SignedDuration,
    case_id: &'a CaseId,
    reference: &'a str,
}

impl Restamp<'_> {
    fn text(&self, s: &str) -> String {
        s.replace("mvd-astana", self.provider).replace("sc-astana-1", self.branch)
    }
    fn at(&self, t: Timestamp) -> Timestamp {
        t + self.shift
    }
    fn actor(&self, a: &Actor) -> Actor {
        Actor { user: UserId(self.text(&a.user.0).into()), role: a.role.clone(), unit: self.text(&a.unit).into() }
    }
    fn days(&self) -> i64 {
        self.shift.as_secs() / 86_400
    }

    fn event(&self, e: &Event) -> Event {
        let mut kind = e.kind.clone();
        match &mut kind {
            EventKind::CaseOpened { reference, units, .. } => {
                *reference = self.reference.to_owned();
                units.sc_branch = self.branch.into();
                units.provider = self.provider.into();
            }
            EventKind::TaskOpened { unit, assignee, .. } => {
                *unit = self.text(unit).into();
                if let Some(a) = assignee {
                    a.0 = self.text(&a.0).into();
                }
            }
            EventKind::OutcomeRecorded { input: Some(domain::case::OutcomeInput::Assignee(a)), .. } => a.0 = self.text(&a.0).into(),
            EventKind::DeadlineSet { deadline, .. } => {
                deadline.due = self.at(deadline.due);
                deadline.warn_at = self.at(deadline.warn_at);
            }
            EventKind::TermSet { term } => {
                term.starts_at = self.at(term.starts_at);
                let days = jiff::Span::new().days(self.days());
                term.ends_on = term.ends_on.checked_add(days).unwrap_or(term.ends_on);
                term.deliver_by = term.deliver_by.checked_add(days).unwrap_or(term.deliver_by);
            }
            _ => {}
        }
        Event { at: self.at(e.at), by: self.actor(&e.by), kind }
    }

    fn case(&self, t: &Template) -> GeneratedCase {
        let s = &t.summary;
        let summary = CaseSummary {
            case_id: self.case_id.clone(),
            reference: self.reference.to_owned(),
            sc_branch: self.branch.to_owned(),
            provider: self.provider.to_owned(),
            opened_at: self.at(s.opened_at),
            updated_at: self.at(s.updated_at),
            ..s.clone()
        };
        let tasks = t
            .tasks
            .iter()
            .map(|r| TaskRow {
                case_id: self.case_id.clone(),
                reference: self.reference.to_owned(),
                unit: self.text(&r.unit),
                assignee: r.assignee.as_deref().map(|a| self.text(a)),
                opened_at: self.at(r.opened_at),
                due_at: r.due_at.map(|x| self.at(x)),
                warn_at: r.warn_at.map(|x| self.at(x)),
                done_at: r.done_at.map(|x| self.at(x)),
                done_by: r.done_by.as_deref().map(|a| self.text(a)),
                ..r.clone()
            })
            .collect();
        let timers = t
            .timers
            .iter()
            .map(|x| NewTimer {
                // The engine names a timer when the command that sets it runs; the template kept
                // only when it falls due, which is near enough to place it.
                id: engine::ids::new_id(self.at(x.due_at)),
                case_id: self.case_id.clone(),
                due_at: self.at(x.due_at),
                ..x.clone()
            })
            .collect();
        GeneratedCase { summary, events: t.events.iter().map(|e| self.event(e)).collect(), tasks, timers }
    }
}

/// Case `i` of `n`: closed ones spread evenly over the years, the newest `OPEN_SHARE` open.
fn generate(t: &Templates, i: u64, n: u64) -> GeneratedCase {
    let open_from = n - (n as f64 * OPEN_SHARE) as u64;
    let (template, week) = if i < open_from {
        (&t.closed[(i % t.closed.len() as u64) as usize], (i * (WEEKS as u64 - 10) / open_from.max(1)) as i64)
    } else {
        // Open cases: the last weeks, at every step the issued path passes.
        (&t.open[(i % t.open.len() as u64) as usize], WEEKS - 10 + (i % 10) as i64)
    };
    let shift = SignedDuration::from_hours(24 * 7 * week) + SignedDuration::from_mins((i % 180) as i64);
    let p = (i as usize / 7) % PROVIDERS;
    let (provider, branches) = units(p);
    let branch = &branches[i as usize % 2];
    let year = (template.summary.opened_at + shift).to_zoned_datetime(jiff::tz::TimeZone::UTC).year();
    let reference = format!("{year}-{i:08}");
    // Named as the engine names a case opened at that time.
    let case_id = CaseId(engine::ids::new_id(template.summary.opened_at + shift));
    Restamp { provider: &provider, branch, shift, case_id: &case_id, reference: &reference }.case(template)
}

/// Fills `db` with `n` generated cases; prints progress.
pub async fn fill(db: &FsPath, n: u64) -> anyhow::Result<()> {
    let dir = tempfile::tempdir_in(db.parent().unwrap_or(FsPath::new(".")))?;
    let t = templates(dir.path()).await?;
    let mut loader = BulkLoader::open(db).await?;
    let started = Instant::now();
    let mut i = 0;
    while i < n {
        let end = (i + BATCH as u64).min(n);
        let batch: Vec<GeneratedCase> = (i..end).map(|k| generate(&t, k, n)).collect();
        loader.insert(&batch).await?;
        i = end;
        if i % 100_000 == 0 || i == n {
            let secs = started.elapsed().as_secs_f64();
            println!("  generated {i} cases in {secs:.0} s ({:.0} cases/s), {:.1} GB", i as f64 / secs, sqlite_bytes(db) as f64 / 1e9);
        }
    }
    loader.finish().await?;
    Ok(())
}

/// Times `f` over `rounds` calls after one warm-up call: (median ms, rows of the last call).
async fn time<F, Fut>(rounds: usize, mut f: F) -> anyhow::Result<(f64, usize)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<usize>>,
{
    let mut rows = f().await?;
    let mut ms = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        rows = f().await?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    Ok((ms[ms.len() / 2], rows))
}

pub async fn run(report: &mut Report, data_dir: &FsPath, database: Option<PathBuf>, cases: u64) -> anyhow::Result<()> {
    let db = database.unwrap_or_else(|| data_dir.join(format!("cases-{cases}.sqlite")));
    let marker = db.with_extension("complete");
    report.section(&format!("queries on {} generated cases ({})", crate::report::group(cases as f64), db.display()));
    if !marker.exists() {
        let _ = std::fs::remove_file(&db);
        report.note("generating (kept for later runs; delete the file to generate again)");
        let t = Instant::now();
        fill(&db, cases).await?;
        std::fs::write(&marker, "complete\n")?;
        report.figure(Figure::new("generator: cases/s", cases as f64 / t.elapsed().as_secs_f64(), "cases/s"));
    }
    let bytes = sqlite_bytes(&db);
    report.figure(Figure::new("generated database: bytes per case", bytes as f64 / cases as f64, "B/case"));
    report.figure(Figure::new("generated database: size", bytes as f64 / 1e9, "GB"));

    // The real service on the generated file, its clock in the last generated week.
    let now: Timestamp = "2025-12-23T06:00:00Z".parse()?;
    let clock = Arc::new(ManualClock::new(now));
    let settings =
        Settings { database: db.display().to_string(), listen: "127.0.0.1:0".parse()?, background: false, ..Settings::default() };
    let app = build(settings, clock, None).await?;
    let engine = app.engine.clone();
    let store = engine.store().clone();
    let office = Actor { user: UserId("office@mvd-astana".into()), role: "office".into(), unit: "mvd-astana".into() };
    let head = Actor { user: UserId("management@mvd-astana".into()), role: "management".into(), unit: "mvd-astana".into() };
    let supervisor = Actor { user: UserId("supervisor".into()), role: engine::SUPERVISOR.into(), unit: "ministry".into() };

    let query = TaskQuery {
        role: Some(office.role.to_string()),
        unit: Some(office.unit.to_string()),
        assignee: Some(office.user.0.to_string()),
        include_unassigned: true,
        open_only: true,
        limit: 500,
        ..TaskQuery::default()
    };
    let (ms, rows) = time(50, || async { Ok(store.list_tasks(&query).await?.len()) }).await?;
    report.figure(Figure::new(&format!("worklist page: Store::list_tasks (office of a unit, {rows} rows)"), ms, "ms").target(20.0, false));
    let (ms, rows) = time(50, || async { Ok(engine.worklist(&office, false).await?.len()) }).await?;
    report.figure(Figure::new(&format!("worklist page: Engine::worklist (office, {rows} rows)"), ms, "ms").target(20.0, false));
    let (ms, rows) = time(50, || async { Ok(engine.worklist(&head, false).await?.len()) }).await?;
    report.figure(
        Figure::new(&format!("worklist page: Engine::worklist (head, with escalations, {rows} rows)"), ms, "ms").target(20.0, false),
    );

    let month = (jiff::civil::date(2025, 11, 1), jiff::civil::date(2025, 11, 30));
    let year = (jiff::civil::date(2024, 1, 1), jiff::civil::date(2024, 12, 31));
    // The extension steps, whose rows the report used to learn the time basis of from the log.
    let mut extension_steps: Vec<String> =
        engine.regulations().editions().iter().filter_map(|d| d.extension.as_ref().map(|e| e.step.clone())).collect();
    extension_steps.sort();
    extension_steps.dedup();
    for (label, (from, to), rounds) in [("a month", month, 5), ("a year", year, 1)] {
        let last = std::sync::Mutex::new(None);
        let (ms, rows) = time(rounds, || async {
            let r = engine.compliance(&supervisor, from, to).await?;
            let done = r.done as usize;
            *last.lock().expect("not poisoned") = Some(r);
            Ok(done)
        })
        .await?;
        report.figure(Figure::new(&format!("compliance report, every unit, {label} ({rows} tasks): Engine::compliance"), ms, "ms"));
        // The same report as it ran before task rows recorded their time basis (migration
        // 0010): the coordination rows of the period without it, so that each one's case is
        // loaded and replayed, as every one was before. Put back afterwards.
        let tz = calendar::almaty();
        let (start, end) = (from.to_zoned_datetime(tz.clone())?.timestamp(), to.tomorrow()?.to_zoned_datetime(tz)?.timestamp());
        let mut hidden = 0;
        for step in &extension_steps {
            hidden += store_sqlite::bulk::hide_time_basis(&db, step, start, end).await?;
        }
        let replayed = std::sync::Mutex::new(None);
        let timed = time(rounds, || async {
            let r = engine.compliance(&supervisor, from, to).await?;
            let done = r.done as usize;
            *replayed.lock().expect("not poisoned") = Some(r);
            Ok(done)
        })
        .await;
        if hidden > 0 {
            store_sqlite::bulk::restore_time_basis(&db).await?;
        }
        let (ms, _) = timed?;
        report.figure(Figure::new(
            &format!("compliance report, every unit, {label}, {hidden} coordination rows without a time basis (from the event log)"),
            ms,
            "ms",
        ));
        let same = *last.lock().expect("not poisoned") == *replayed.lock().expect("not poisoned");
        report.note(&format!("  the two reports of {label} are {}", if same { "identical" } else { "DIFFERENT" }));
        let (ms, rows) = time(rounds, || async { Ok(engine.compliance(&head, from, to).await?.done as usize) }).await?;
        report.figure(Figure::new(&format!("compliance report, one unit, {label} ({rows} tasks): Engine::compliance"), ms, "ms"));
        let tz = calendar::almaty();
        let (start, end) = (from.to_zoned_datetime(tz.clone())?.timestamp(), to.tomorrow()?.to_zoned_datetime(tz)?.timestamp());
        let q = TaskQuery { done_from: Some(start), done_to: Some(end), limit: TaskQuery::ALL, ..TaskQuery::default() };
        let (ms, rows) = time(rounds, || async { Ok(store.list_tasks(&q).await?.len()) }).await?;
        report.figure(Figure::new(&format!("compliance rows, every unit, {label}: Store::list_tasks ({rows} tasks)"), ms, "ms"));
    }
    let (ms, rows) = time(5, || async { Ok(store.monitoring(now).await?.steps.len()) }).await?;
    report.figure(Figure::new(&format!("metrics scrape: Store::monitoring ({rows} steps with open tasks)"), ms, "ms"));
    drop(app);
    engine_dropped(engine);
    report.note("query plans (EXPLAIN QUERY PLAN):");
    for (what, plan) in store_sqlite::bulk::explain_hot_queries(&db).await? {
        report.note(&format!("  {what}: {plan}"));
    }
    Ok(())
}

/// The engine (and its store's connections) are dropped before the plans are read.
fn engine_dropped(engine: Arc<Engine>) {
    drop(engine);
}
