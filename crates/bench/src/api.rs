//! The JSON API under load: a real `shaqyru serve` (release build) on a fresh SQLite file, driven
//! over loopback by concurrent clients in this process, each walking cases of the mix action by
//! action; the KNB's answers come in through the inbound API as its gateway sends them.

use crate::report::{Figure, Report};
use crate::scenario::{self, Action, Input, Knb, Path, Who};
use crate::server::Server;
use anyhow::{Context, bail};
use serde_json::{Value, json};
use std::path::Path as FsPath;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The tokens of one branch's and its provider's people.
#[derive(Clone)]
pub struct HttpTeam {
    operator: String,
    office: String,
    head: String,
    executor: String,
    executor_id: String,
    knb: String,
}

impl HttpTeam {
    /// Team `i`: even ones in Astana, odd ones in Almaty (the demo units).
    pub fn new(server: &Server, i: usize) -> anyhow::Result<HttpTeam> {
        let (branch, provider) = if i.is_multiple_of(2) { ("sc-astana-1", "mvd-astana") } else { ("sc-almaty-1", "mvd-almaty") };
        let executor_id = format!("executor1@{provider}");
        Ok(HttpTeam {
            operator: server.token(&format!("sc_operator@{branch}"))?.to_owned(),
            office: server.token(&format!("office@{provider}"))?.to_owned(),
            head: server.token(&format!("management@{provider}"))?.to_owned(),
            executor: server.token(&executor_id)?.to_owned(),
            executor_id,
            knb: server.token("knb_liaison@knb")?.to_owned(),
        })
    }
}

/// An application of `path` as the front office posts it.
pub fn application(path: Path) -> Value {
    json!({
        "application": {
            "applicant": { "iin": "061211600012", "surname": "Сейтқали", "given_names": "Әйгерім", "address": "Астана, Сарыарқа ауданы" },
            "invitees": [{
                "surname": "Eriksson", "given_names": "Anna Maria", "sex": "F", "birth_date": "1974-08-12", "citizenship": "SWE",
                "passport_number": path.passport(), "passport_expires_on": "2030-04-15"
            }],
            "purpose": "visiting relatives",
            "stay_from": "2027-01-10",
            "stay_to": "2027-02-10",
            "places": ["Astana"],
            "documents_presented": ["identity_document", "application_form", "passport_copy"]
        }
    })
}

/// One client: a connection pool shared by all, its own team and key sequence.
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub team: HttpTeam,
    pub keys: Arc<AtomicU64>,
}

impl Client {
    /// Sends one action on the case (`None` before it is opened); returns the case id and version.
    pub async fn act(&self, path: Path, action: Action, case: Option<&(String, u64)>) -> anyhow::Result<(String, u64)> {
        let key = format!("load-{}", self.keys.fetch_add(1, Ordering::Relaxed));
        let t = &self.team;
        let (token, url, body) = match (action, case) {
            (Action::Open, _) => (&t.operator, format!("{}/api/cases", self.base), application(path)),
            (Action::Step { who, step, outcome, input }, Some((id, version))) => {
                let token = match who {
                    Who::Operator => &t.operator,
                    Who::Office => &t.office,
                    Who::Head => &t.head,
                    Who::Executor => &t.executor,
                };
                let mut body = json!({ "version": version });
                if let Some(o) = outcome {
                    body["outcome"] = json!(o);
                }
                if let Some(i) = input {
                    body["input"] = match i {
                        Input::MissingDocument(d) => json!({ "missing_documents": [d] }),
                        Input::Assignee => json!({ "assignee": t.executor_id }),
                        Input::RefusalGround(g) => json!({ "refusal_grounds": { "grounds": [g], "reasoning": "see the checks" } }),
                    };
                }
                (token, format!("{}/api/cases/{id}/steps/{step}", self.base), body)
            }
            (Action::Knb(verdict), Some((id, _))) => {
                let mut body = json!({ "case_id": id, "message_id": key });
                match verdict {
                    Knb::Agree => body["answer"] = json!("agree"),
                    Knb::Object => body["answer"] = json!("object"),
                    Knb::Extend => {
                        body["answer"] = json!("extend");
                        body["days"] = json!(scenario::EXTENSION_DAYS);
                        body["reason"] = json!("additional checks");
                    }
                }
                (&t.knb, format!("{}/api/inbound/knb", self.base), body)
            }
            (_, None) => bail!("the script acts on a case before opening it"),
        };
        let r = self.http.post(url).bearer_auth(token).header("Idempotency-Key", key).json(&body).send().await?;
        let status = r.status();
        let answer: Value = r.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("{action:?}: {status}: {answer}");
        }
        let id = answer["case_id"].as_str().context("no case_id in the answer")?.to_owned();
        let version = answer["version"].as_u64().context("no version in the answer")?;
        Ok((id, version))
    }
}

pub fn http_client(clients: usize) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder().pool_max_idle_per_host(clients).timeout(Duration::from_secs(30)).build()?)
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    f64::from(sorted[rank.min(sorted.len()) - 1])
}

pub async fn run(report: &mut Report, binary: &FsPath, data_dir: &FsPath, clients: usize, seconds: u64) -> anyhow::Result<()> {
    report.section(&format!("JSON API: `shaqyru serve` (release) on a fresh SQLite file, {clients} clients on loopback, {seconds} s"));
    // One after the other in the same run: SQLite's group commit off, then on (the default),
    // then also without the case cache (which is on by default).
    let variants: [(&str, &[&str]); 3] = [
        ("group commit off", &["--sqlite-group-commit", "off"]),
        ("group commit on", &["--sqlite-group-commit", "on"]),
        ("group commit on, case cache off", &["--sqlite-group-commit", "on", "--case-cache", "0"]),
    ];
    for (name, args) in variants {
        run_one(report, binary, data_dir, clients, seconds, name, args).await?;
    }
    Ok(())
}

async fn run_one(
    report: &mut Report,
    binary: &FsPath,
    data_dir: &FsPath,
    clients: usize,
    seconds: u64,
    name: &str,
    args: &[&str],
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir_in(data_dir)?;
    let server = Server::start(binary, &dir.path().join("api.sqlite"), args).await?;
    let http = http_client(clients)?;
    let keys = Arc::new(AtomicU64::new(0));
    let next_case = Arc::new(AtomicU64::new(0));
    let end = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|i| {
            let client = Client {
                http: http.clone(),
                base: format!("http://{}", server.addr),
                team: HttpTeam::new(&server, i)?,
                keys: keys.clone(),
            };
            let next_case = next_case.clone();
            Ok(tokio::spawn(async move {
                let mut latencies: Vec<u32> = Vec::with_capacity(1 << 16);
                let (mut complete, mut errors) = (0u64, 0u64);
                'cases: while Instant::now() < end {
                    let path = Path::of(next_case.fetch_add(1, Ordering::Relaxed));
                    let script = scenario::script(path);
                    let last = script.len() - 1;
                    let mut case = None;
                    for (n, action) in script.into_iter().enumerate() {
                        if Instant::now() >= end {
                            break 'cases;
                        }
                        let t = Instant::now();
                        match client.act(path, action, case.as_ref()).await {
                            Ok(c) => case = Some(c),
                            Err(e) => {
                                errors += 1;
                                if errors <= 3 {
                                    eprintln!("action failed: {e:#}");
                                }
                                continue 'cases;
                            }
                        }
                        latencies.push(u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX));
                        if n == last {
                            complete += 1;
                        }
                    }
                }
                (latencies, complete, errors)
            }))
        })
        .collect::<anyhow::Result<_>>()?;
    let (mut all, mut complete, mut errors) = (Vec::new(), 0u64, 0u64);
    for w in workers {
        let (l, c, e) = w.await?;
        all.extend(l);
        complete += c;
        errors += e;
    }
    let secs = started.elapsed().as_secs_f64();
    all.sort_unstable();
    let ms = |us: f64| us / 1000.0;
    let api = format!("API, {name}");
    report.figure(Figure::new(&format!("{api}: actions/s"), all.len() as f64 / secs, "actions/s").target(5_000.0, true));
    report.figure(Figure::new(&format!("{api}: complete cases/s"), complete as f64 / secs, "cases/s"));
    report.figure(Figure::new(&format!("{api}: latency p50"), ms(percentile(&all, 50.0)), "ms"));
    report.figure(Figure::new(&format!("{api}: latency p99"), ms(percentile(&all, 99.0)), "ms").target(25.0, false));
    report.figure(Figure::new(&format!("{api}: latency p99.9"), ms(percentile(&all, 99.9)), "ms"));
    report.figure(Figure::new(&format!("{api}: failed actions"), errors as f64, "actions"));
    report.figure(Figure::new(&format!("{api}: server RSS after the run"), server.rss_bytes()? as f64 / 1048576.0, "MiB"));
    let (lines, personal) = server.log_lines();
    report.figure(
        Figure::new(&format!("{api}: server log lines naming a person (of {lines} lines)"), personal as f64, "lines").target(0.0, false),
    );
    Ok(())
}
