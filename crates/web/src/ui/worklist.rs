//! A role's worklist: the open tasks of the user's unit (and those escalated to their role),
//! the soonest due first, with filters for overdue, at risk, due today and the user's own.

use super::chrome::Chrome;
use super::session::Viewer;
use crate::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::case::DeadlineStatus;
use engine::Engine;
use serde::Deserialize;
use store::TaskRow;

pub struct Row {
    pub case_id: String,
    pub reference: String,
    pub step: String,
    pub title: String,
    pub citation: String,
    pub limit: String,
    pub due: String,
    pub left: String,
    /// on_time, at_risk or overdue: the row's colour and its word.
    pub status: &'static str,
    pub status_label: String,
    pub assignee: String,
    pub escalated: bool,
}

pub struct Filter {
    pub id: &'static str,
    pub label: String,
    pub count: usize,
    pub current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "worklist.html")]
struct WorklistPage {
    page: Chrome,
    filters: Vec<Filter>,
    rows: Vec<Row>,
    can_open: bool,
}

#[derive(Deserialize)]
pub struct WorklistQuery {
    filter: Option<String>,
}

const FILTERS: [&str; 5] = ["all", "overdue", "at_risk", "today", "mine"];

/// A step's title in the reader's language, from the newest edition that has the step.
pub fn step_title(engine: &Engine, tr: &super::i18n::Tr, step: &str) -> String {
    engine
        .regulations()
        .editions()
        .iter()
        .rev()
        .find_map(|d| d.step(step).map(|s| tr.loc(&s.title).to_owned()))
        .unwrap_or_else(|| step.to_owned())
}

fn keeps(filter: &str, t: &TaskRow, status: Option<DeadlineStatus>, today: jiff::civil::Date, viewer: &Viewer) -> bool {
    match filter {
        "overdue" => status == Some(DeadlineStatus::Overdue),
        "at_risk" => status == Some(DeadlineStatus::AtRisk),
        "today" => t.due_at.is_some_and(|d| d.to_zoned_datetime(viewer.tr.tz.clone()).date() == today),
        "mine" => t.assignee.as_deref() == Some(viewer.session.user.id.as_str()),
        _ => true,
    }
}

pub async fn page(State(s): State<AppState>, viewer: Viewer, Query(q): Query<WorklistQuery>) -> Response {
    let tr = &viewer.tr;
    let filter = q.filter.as_deref().filter(|f| FILTERS.contains(f)).unwrap_or("all");
    let tasks = match s.engine.worklist(&viewer.actor, false).await {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "worklist failed");
            return super::problem(
                viewer.chrome(&s, tr.t("error-title"), "/work"),
                StatusCode::SERVICE_UNAVAILABLE,
                tr.t("error-unavailable"),
            );
        }
    };
    let now = s.engine.now();
    let today = s.engine.today();
    let status_of = |t: &TaskRow| t.due_at.zip(t.warn_at).map(|(due, warn)| DeadlineStatus::at(due, warn, None, now));
    let filters = FILTERS
        .iter()
        .map(|f| Filter {
            id: f,
            label: tr.t(&format!("filter-{f}")),
            count: tasks.iter().filter(|t| keeps(f, t, status_of(t), today, &viewer)).count(),
            current: *f == filter,
        })
        .collect();
    let rows = tasks
        .iter()
        .filter(|t| keeps(filter, t, status_of(t), today, &viewer))
        .map(|t| {
            let status = match status_of(t) {
                Some(DeadlineStatus::Overdue) => "overdue",
                Some(DeadlineStatus::AtRisk) => "at_risk",
                _ => "on_time",
            };
            Row {
                case_id: t.case_id.0.clone(),
                reference: t.reference.clone(),
                step: t.step.clone(),
                title: step_title(&s.engine, tr, &t.step),
                citation: t.cites.iter().map(|c| format!("§{c}")).collect::<Vec<_>>().join(", "),
                limit: super::case_page::limit_text(tr, &t.limit),
                due: t.due_at.map(|d| tr.datetime(d)).unwrap_or_else(|| tr.t("due-not-set")),
                left: t.due_at.map(|d| tr.time_left(d, now)).unwrap_or_default(),
                status,
                status_label: tr.t(&format!("status-{status}")),
                assignee: t.assignee.clone().unwrap_or_default(),
                escalated: t.escalated_to.as_deref() == Some(viewer.session.user.role.as_str()) && t.role != viewer.session.user.role,
            }
        })
        .collect();
    let page = viewer.chrome(&s, tr.t("work-title"), "/work");
    WorklistPage { page, filters, rows, can_open: viewer.session.user.role == "sc_operator" }.into_response()
}
