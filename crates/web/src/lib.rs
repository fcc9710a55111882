//! The HTTP layer: the JSON API of every role's actions, the worklists and case reads, the
//! inbound KNB messages, the OpenAPI document, and the mapping of engine errors to HTTP.
//!
//! Invariant: the only crate that knows HTTP. Handlers parse, call one `Engine` method and
//! render; they decide nothing about the regulation themselves.

mod api;
mod auth;
mod error;
mod openapi;
mod wire;

use axum::Router;
use engine::Engine;
use std::sync::Arc;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use openapi::ApiDoc;

#[derive(Clone)]
pub struct AppState {
    pub engine: Arc<Engine>,
}

/// The whole HTTP application.
pub fn router(engine: Arc<Engine>) -> Router {
    api::routes()
        .with_state(AppState { engine })
        .layer(RequestBodyLimitLayer::new(256 * 1024))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(TraceLayer::new_for_http())
}
