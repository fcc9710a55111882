//! The administrator's view of the external systems: the calls waiting in the outbox and the
//! ones given up on, each dead one with a button that tries it again.

use super::case_page::error_text;
use super::chrome::Chrome;
use super::session::Viewer;
use crate::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use store::OutboxState;

pub struct Call {
    pub id: String,
    pub case_id: String,
    pub kind: String,
    pub attempts: u32,
    pub when: String,
    pub error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "outbox.html")]
struct OutboxPage {
    page: Chrome,
    dead: Vec<Call>,
    pending: Vec<Call>,
}

async fn calls(s: &AppState, viewer: &Viewer, state: OutboxState) -> Result<Vec<Call>, Response> {
    let tr = &viewer.tr;
    match s.engine.outbox_list(&viewer.actor, Some(state)).await {
        Ok(messages) => Ok(messages
            .into_iter()
            .map(|m| Call {
                id: m.id,
                case_id: m.case_id.0,
                kind: m.kind,
                attempts: m.attempts,
                when: tr.datetime(m.dead_at.unwrap_or(m.due_at)),
                error: m.last_error.unwrap_or_default(),
            })
            .collect()),
        Err(e) => {
            let (status, message) = error_text(tr, &e);
            Err(super::problem(viewer.chrome(s, tr.t("error-title"), "/admin/outbox"), status, message))
        }
    }
}

pub async fn page(State(s): State<AppState>, viewer: Viewer) -> Response {
    let dead = match calls(&s, &viewer, OutboxState::Dead).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let pending = match calls(&s, &viewer, OutboxState::Pending).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    OutboxPage { page: viewer.chrome(&s, viewer.tr.t("outbox-title"), "/admin/outbox"), dead, pending }.into_response()
}

#[derive(Deserialize)]
pub struct RetryForm {
    csrf: Option<String>,
}

/// Tries a dead call again (administrators), then shows the list.
pub async fn retry(State(s): State<AppState>, viewer: Viewer, Path(id): Path<String>, Form(f): Form<RetryForm>) -> Response {
    if let Some(r) = viewer.refuse_form(&s, f.csrf.as_deref()) {
        return r;
    }
    match s.engine.retry_outbox(&viewer.actor, &id).await {
        Ok(_) => Redirect::to("/admin/outbox").into_response(),
        Err(e) => {
            let (status, message) = error_text(&viewer.tr, &e);
            super::problem(viewer.chrome(&s, viewer.tr.t("error-title"), "/admin/outbox"), status, message)
        }
    }
}
