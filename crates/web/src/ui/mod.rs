//! The staff's web pages: sign-in (with a password, or through an OpenID Connect provider), each role's worklist, the intake wizard at the front-office
//! window, the case page with its diagram, the supervisor's dashboard, the handbook and the
//! administrator's outbox. Pages
//! are rendered on the server and work without JavaScript.
//!
//! Invariant: a page handler reads the session, calls the engine and renders; every rule of
//! the regulation stays in the engine and the domain, every word in `locales/`.

mod admin;
mod case_page;
mod chrome;
mod dashboard;
pub(crate) mod i18n;
mod intake;
mod oidc_login;
mod session;
mod worklist;

use crate::AppState;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

pub use session::SessionCookies;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/work") }))
        .route("/login", get(session::login_page).post(session::login))
        .route("/login/oidc", get(oidc_login::start))
        .route("/login/oidc/callback", get(oidc_login::callback))
        .route("/logout", post(session::logout))
        .route("/lang", get(session::switch_language))
        .route("/work", get(worklist::page))
        .route("/intake", get(intake::start).post(intake::form))
        .route("/intake/submit", post(intake::submit))
        .route("/cases/{case_id}", get(case_page::page))
        .route("/cases/{case_id}/receipt", get(intake::receipt))
        .route("/cases/{case_id}/steps/{step}", post(case_page::perform))
        .route("/cases/{case_id}/documents/{document}", get(case_page::document))
        .route("/dashboard", get(dashboard::page))
        .route("/dashboard.csv", get(dashboard::csv))
        .route("/admin/outbox", get(admin::page))
        .route("/admin/outbox/{id}/retry", post(admin::retry))
        .route("/handbook", get(dashboard::handbook))
        .route("/handbook.bpmn", get(dashboard::bpmn))
        .route("/static/app.css", get(stylesheet))
        .route("/favicon.ico", get(icon))
        .route("/static/icon.svg", get(icon))
}

/// The one stylesheet, compiled into the binary.
async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        include_str!("../../static/app.css"),
    )
        .into_response()
}

/// The tab's icon: the shaqyru (the crown of the yurt) in a circle.
async fn icon() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400")),
        ],
        include_str!("../../static/icon.svg"),
    )
        .into_response()
}

/// A page that cannot be shown, as a page in the reader's language.
pub(crate) fn problem(chrome: chrome::Chrome, status: StatusCode, message: String) -> Response {
    use askama::Template;
    #[derive(Template)]
    #[template(path = "problem.html")]
    struct Problem {
        page: chrome::Chrome,
        message: String,
    }
    let html = Problem { page: chrome, message }.render().unwrap_or_else(|_| "error".to_owned());
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}
