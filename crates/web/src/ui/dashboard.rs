//! The supervisor's dashboard (compliance per step and per unit over a period, the overdue
//! list, the CSV download) and the business-process handbook of §11: the swimlane diagram of
//! the edition in force and its BPMN 2.0 file.

use super::case_page::{error_text, limit_text};
use super::chrome::{Chrome, unit_name};
use super::session::Viewer;
use super::worklist::step_title;
use crate::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use engine::compliance::ComplianceRow;
use jiff::civil::Date;
use serde::Deserialize;

pub struct Line {
    pub key: String,
    pub label: String,
    pub limit: String,
    pub count: u64,
    pub on_time: u64,
    pub late: u64,
    pub percent: String,
    /// Whether the share done on time is below 90 %: shown as a warning.
    pub poor: bool,
    pub median: String,
    pub p90: String,
    pub allowed: String,
}

pub struct Late {
    pub case_id: String,
    pub reference: String,
    pub step: String,
    pub title: String,
    pub unit: String,
    pub due: String,
    pub late_by: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    page: Chrome,
    from: String,
    to: String,
    done: u64,
    on_time: u64,
    late: u64,
    percent: String,
    by_step: Vec<Line>,
    by_unit: Vec<Line>,
    overdue: Vec<Late>,
    csv: String,
}

#[derive(Deserialize)]
pub struct Period {
    from: Option<String>,
    to: Option<String>,
}

/// The period asked for; by default the month so far.
fn period(s: &AppState, q: &Period) -> Result<(Date, Date), String> {
    let today = s.engine.today();
    let parse = |v: &Option<String>, default: Date| match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => v.parse::<Date>().map_err(|_| v.to_owned()),
    };
    Ok((parse(&q.from, today.first_of_month())?, parse(&q.to, today)?))
}

fn minutes(tr: &super::i18n::Tr, m: Option<i64>) -> String {
    m.map(|m| tr.span(jiff::SignedDuration::from_mins(m))).unwrap_or_else(|| "—".to_owned())
}

fn line(tr: &super::i18n::Tr, s: &AppState, r: &ComplianceRow) -> Line {
    let label = match r.group {
        engine::compliance::Group::Step => step_title(&s.engine, tr, &r.key),
        engine::compliance::Group::Unit => unit_name(&s.engine, tr.lang, &r.key),
        engine::compliance::Group::Employee => r.label.clone().unwrap_or_else(|| r.key.clone()),
    };
    Line {
        key: r.key.clone(),
        label,
        limit: r.limit.as_deref().map(|l| l.split(" / ").map(|l| limit_text(tr, l)).collect::<Vec<_>>().join(" / ")).unwrap_or_default(),
        count: r.count,
        on_time: r.on_time,
        late: r.late,
        percent: r.on_time_percent.map(|p| tr.percent(p)).unwrap_or_else(|| "—".to_owned()),
        poor: r.on_time_percent.is_some_and(|p| p < 90.0),
        median: minutes(tr, r.taken_median_minutes),
        p90: minutes(tr, r.taken_p90_minutes),
        allowed: minutes(tr, r.allowed_median_minutes),
    }
}

pub async fn page(State(s): State<AppState>, viewer: Viewer, Query(q): Query<Period>) -> Response {
    let tr = &viewer.tr;
    let chrome = || viewer.chrome(&s, tr.t("dashboard-title"), "/dashboard");
    let (from, to) = match period(&s, &q) {
        Ok(p) => p,
        Err(bad) => return super::problem(chrome(), StatusCode::BAD_REQUEST, tr.ta("error-date", &[("value", &bad)])),
    };
    let report = match s.engine.compliance(&viewer.actor, from, to).await {
        Ok(r) => r,
        Err(e) => {
            let (status, message) = error_text(tr, &e);
            return super::problem(chrome(), status, message);
        }
    };
    let now = s.engine.now();
    let overdue = match s.engine.overdue_tasks(&viewer.actor).await {
        Ok(tasks) => tasks
            .into_iter()
            .map(|t| Late {
                case_id: t.case_id.0.clone(),
                reference: t.reference.clone(),
                title: step_title(&s.engine, tr, &t.step),
                step: t.step,
                unit: unit_name(&s.engine, tr.lang, &t.unit),
                due: t.due_at.map(|d| tr.datetime(d)).unwrap_or_default(),
                late_by: t.due_at.map(|d| tr.span(now.duration_since(d))).unwrap_or_default(),
            })
            .collect(),
        Err(e) => {
            let (status, message) = error_text(tr, &e);
            return super::problem(chrome(), status, message);
        }
    };
    let measured = report.on_time + report.late;
    let percent = if measured == 0 { "—".to_owned() } else { tr.percent(report.on_time as f64 * 100.0 / measured as f64) };
    DashboardPage {
        page: chrome(),
        from: from.to_string(),
        to: to.to_string(),
        done: report.done,
        on_time: report.on_time,
        late: report.late,
        percent,
        by_step: report.by_step.iter().map(|r| line(tr, &s, r)).collect(),
        by_unit: report.by_unit.iter().map(|r| line(tr, &s, r)).collect(),
        overdue,
        csv: format!("/dashboard.csv?from={from}&to={to}"),
    }
    .into_response()
}

/// The same report as the API's CSV, for a spreadsheet.
pub async fn csv(State(s): State<AppState>, viewer: Viewer, Query(q): Query<Period>) -> Response {
    let tr = &viewer.tr;
    let chrome = || viewer.chrome(&s, tr.t("dashboard-title"), "/dashboard");
    let (from, to) = match period(&s, &q) {
        Ok(p) => p,
        Err(bad) => return super::problem(chrome(), StatusCode::BAD_REQUEST, tr.ta("error-date", &[("value", &bad)])),
    };
    match s.engine.compliance(&viewer.actor, from, to).await {
        Ok(report) => crate::api::compliance_csv(&(&report).into(), from, to),
        Err(e) => {
            let (status, message) = error_text(tr, &e);
            super::problem(chrome(), status, message)
        }
    }
}

pub struct HandbookStep {
    pub id: String,
    pub title: String,
    pub role: String,
    pub limit: String,
    pub citation: String,
    pub system: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "handbook.html")]
struct HandbookPage {
    page: Chrome,
    service: String,
    edition: String,
    act: String,
    diagram: String,
    /// The same steps as a table: for printing and for screen readers.
    steps: Vec<HandbookStep>,
}

/// The handbook of the edition in force today: its swimlane diagram and the BPMN download.
pub async fn handbook(State(s): State<AppState>, viewer: Viewer) -> Response {
    let tr = &viewer.tr;
    match s.engine.regulations().for_new_case(s.engine.today()) {
        Ok(def) => HandbookPage {
            page: viewer.chrome(&s, tr.t("handbook-title"), "/handbook"),
            service: tr.loc(&def.service).to_owned(),
            edition: def.edition().to_owned(),
            act: tr.ta("handbook-act", &[("number", &def.act.number), ("date", &tr.date(def.act.date))]),
            diagram: diagram::swimlane_svg(&def, tr.lang, None),
            steps: def
                .steps
                .iter()
                .map(|st| HandbookStep {
                    id: st.id.to_string(),
                    title: tr.loc(&st.title).to_owned(),
                    role: def.role(&st.role).map_or_else(|| st.role.clone(), |r| tr.loc(&r.title).to_owned().into()).to_string(),
                    limit: limit_text(tr, &st.limit.to_string()),
                    citation: st.citation(),
                    system: st
                        .system()
                        .and_then(|id| def.systems.iter().find(|x| x.id == id))
                        .map(|x| tr.loc(&x.title).to_owned())
                        .unwrap_or_default(),
                })
                .collect(),
        }
        .into_response(),
        Err(e) => {
            let (status, message) = error_text(tr, &e.into());
            super::problem(viewer.chrome(&s, tr.t("error-title"), "/handbook"), status, message)
        }
    }
}

/// The edition's process as BPMN 2.0 with its diagram, for BPMN tools.
pub async fn bpmn(State(s): State<AppState>, viewer: Viewer) -> Response {
    let tr = &viewer.tr;
    match s.engine.regulations().for_new_case(s.engine.today()) {
        Ok(def) => {
            let disposition = format!("attachment; filename=\"shaqyru-{}-{}.bpmn\"", def.edition(), tr.lang.code());
            (
                [(header::CONTENT_TYPE, "application/xml; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
                diagram::bpmn_xml(&def, tr.lang),
            )
                .into_response()
        }
        Err(e) => {
            let (status, message) = error_text(tr, &e.into());
            super::problem(viewer.chrome(&s, tr.t("error-title"), "/handbook"), status, message)
        }
    }
}
