//! Prometheus metrics at `GET /metrics`: every HTTP request counted and timed by route template,
//! method and status (a process-wide recorder, so other crates' `metrics` calls show here too),
//! and, read from the database at each scrape so that every replica on one database reports the
//! same, the open, at-risk and overdue tasks per step, the timer lag and the outbox backlog.
//!
//! No label carries a case id, a user or anything typed into a form: routes are templates
//! (`/api/cases/{case_id}`), never paths.

use crate::AppState;
use ::metrics::{counter, histogram};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use store::Monitoring;

const REQUESTS: &str = "shaqyru_http_requests_total";
const DURATION: &str = "shaqyru_http_request_duration_seconds";
/// Request durations in seconds: fine below the 25 ms the API aims at, coarse above.
const BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
/// How often histogram samples are folded into their buckets between scrapes, so that memory
/// stays flat however rarely the endpoint is scraped.
const UPKEEP: Duration = Duration::from_secs(5);

static RECORDER: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's recorder, installed on first use. When something else installed one first,
/// the HTTP figures go there and this endpoint shows only the database's.
fn recorder() -> &'static PrometheusHandle {
    RECORDER.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(DURATION.to_owned()), BUCKETS)
            .expect("the bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        if ::metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed; /metrics shows only the database's figures");
        }
        ::metrics::describe_counter!(REQUESTS, "HTTP requests answered, by route template, method and status");
        ::metrics::describe_histogram!(DURATION, ::metrics::Unit::Seconds, "Time to answer an HTTP request");
        let upkeep = handle.clone();
        let spawned = std::thread::Builder::new().name("metrics-upkeep".into()).spawn(move || {
            loop {
                std::thread::sleep(UPKEEP);
                upkeep.run_upkeep();
            }
        });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "cannot start the metrics upkeep thread; histograms are folded at scrapes only");
        }
        handle
    })
}

/// Middleware (`axum::middleware::from_fn`) that counts and times every request.
pub async fn track(request: Request, next: Next) -> Response {
    recorder();
    // Added with `Router::layer`, this runs after routing: the matched template is known.
    let route = request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let labels = [("route", route), ("method", method), ("status", response.status().as_u16().to_string())];
    counter!(REQUESTS, &labels).increment(1);
    histogram!(DURATION, &labels).record(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`: the Prometheus text format.
pub async fn scrape(State(s): State<AppState>) -> Response {
    let mut body = recorder().render();
    gauge(
        &mut body,
        "shaqyru_case_cache_entries",
        "Open cases whose state this process keeps in memory",
        &[],
        s.engine.cached_cases() as f64,
    );
    let now = s.engine.now();
    match s.engine.store().monitoring(now).await {
        Ok(m) => {
            let steps: Vec<String> =
                s.engine.regulations().editions().iter().flat_map(|d| d.steps.iter().map(|st| st.id.to_string())).collect();
            write_database(&mut body, &m, &steps, now);
            gauge(&mut body, "shaqyru_database_up", "Whether the database answered this scrape", &[], 1.0);
        }
        Err(e) => {
            tracing::warn!(error = %e, "metrics: the database's figures are unavailable");
            gauge(&mut body, "shaqyru_database_up", "Whether the database answered this scrape", &[], 0.0);
        }
    }
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response()
}

/// The database's figures; every step of the loaded editions appears, with 0 when it has no
/// open task, so that a series never vanishes when its count drops to nothing.
fn write_database(out: &mut String, m: &Monitoring, steps: &[String], now: Timestamp) {
    let mut by_step: BTreeMap<&str, (u64, u64, u64)> = steps.iter().map(|s| (s.as_str(), (0, 0, 0))).collect();
    for s in &m.steps {
        by_step.insert(&s.step, (s.open, s.at_risk, s.overdue));
    }
    let series = |pick: fn(&(u64, u64, u64)) -> u64| -> Vec<(String, f64)> {
        by_step.iter().map(|(step, v)| (format!("step=\"{}\"", escape(step)), pick(v) as f64)).collect()
    };
    gauges(out, "shaqyru_tasks_open", "Open tasks, by step", &series(|v| v.0));
    gauges(out, "shaqyru_tasks_at_risk", "Open tasks past their warning moment and not yet overdue, by step", &series(|v| v.1));
    gauges(out, "shaqyru_tasks_overdue", "Open tasks past their deadline, by step", &series(|v| v.2));
    let age = |t: Option<Timestamp>| t.map_or(0.0, |t| (now.as_millisecond() - t.as_millisecond()).max(0) as f64 / 1000.0);
    gauge(out, "shaqyru_timers_due", "Timers due and not fired yet", &[], m.timers_due as f64);
    gauge(
        out,
        "shaqyru_timer_lag_seconds",
        "Now minus the due time of the oldest timer not fired yet (0: none due)",
        &[],
        age(m.oldest_due_timer),
    );
    gauge(out, "shaqyru_outbox_pending", "Outbox messages not delivered yet", &[], m.outbox_pending as f64);
    gauge(
        out,
        "shaqyru_outbox_oldest_pending_age_seconds",
        "Age of the oldest outbox message not delivered yet (0: none)",
        &[],
        age(m.oldest_pending_message),
    );
}

fn gauge(out: &mut String, name: &str, help: &str, labels: &[(String, f64)], value: f64) {
    if labels.is_empty() {
        gauges(out, name, help, &[(String::new(), value)]);
    } else {
        gauges(out, name, help, labels);
    }
}

/// One gauge family: HELP, TYPE and a line per label set (`labels` without braces).
fn gauges(out: &mut String, name: &str, help: &str, series: &[(String, f64)]) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
    for (labels, value) in series {
        if labels.is_empty() {
            let _ = writeln!(out, "{name} {value}");
        } else {
            let _ = writeln!(out, "{name}{{{labels}}} {value}");
        }
    }
}

/// A label value as the text format wants it.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}
