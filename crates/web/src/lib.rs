//! The HTTP layer: the staff's web pages, the JSON API of every role's actions, the worklists
//! and case reads, the inbound KNB messages, the OpenAPI document, and the mapping of engine
//! errors to HTTP.
//!
//! Invariant: the only crate that knows HTTP. Handlers parse, call one `Engine` method and
//! render; they decide nothing about the regulation themselves.

mod api;
mod auth;
mod documents;
mod error;
pub mod gateway;
mod metrics;
mod openapi;
mod ui;
mod wire;

use axum::Router;
use axum::http::{HeaderValue, header};
use engine::Engine;
use std::sync::Arc;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use openapi::ApiDoc;

#[derive(Clone)]
pub struct AppState {
    pub engine: Arc<Engine>,
    /// The secret signing the gateway's inbound messages; none: that door is closed.
    pub gateway_secret: Option<Arc<integrations::signature::Secret>>,
    /// How the web pages' session cookie is sent.
    pub cookies: ui::SessionCookies,
    /// Signing in through an OpenID Connect provider, when configured.
    pub oidc: Option<Arc<OidcSignIn>>,
}

/// Signing in through an OpenID Connect provider: the relying party and the name its button
/// shows ("Sign in with {name}").
#[derive(Debug)]
pub struct OidcSignIn {
    pub party: oidc::RelyingParty,
    pub name: String,
}

/// What the HTTP layer is configured with beyond the engine.
#[derive(Clone, Debug, Default)]
pub struct WebOptions {
    pub gateway_secret: Option<integrations::signature::Secret>,
    /// Send the session cookie over HTTPS only (the service is reached at an `https://` address).
    pub secure_cookies: bool,
    /// Signing in through an OpenID Connect provider beside passwords; none: passwords only.
    pub oidc: Option<Arc<OidcSignIn>>,
}

/// Adds the headers every answer carries unless its handler set its own: nothing from us runs in a frame
/// of another site, no type is guessed from content, no script or style comes from anywhere but
/// this server (and none inline), and no address leaks to other sites through the referrer.
/// (`same-origin`, not `no-referrer`: under `no-referrer` a browser sends `Origin: null` with
/// every form, and the sign-in form's same-origin check could not tell our pages from others.)
fn with_security_headers(router: Router) -> Router {
    let csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; \
               base-uri 'none'; form-action 'self'";
    router
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp)))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
}

/// The whole HTTP application with default options.
pub fn router(engine: Arc<Engine>) -> Router {
    router_with(engine, WebOptions::default())
}

/// The whole HTTP application.
pub fn router_with(engine: Arc<Engine>, options: WebOptions) -> Router {
    let app = api::routes()
        .merge(documents::routes())
        .merge(ui::routes())
        .route("/metrics", axum::routing::get(metrics::scrape))
        .route("/gateway/knb/answers", axum::routing::post(gateway::knb_answer))
        .with_state(AppState {
            engine,
            gateway_secret: options.gateway_secret.map(Arc::new),
            cookies: ui::SessionCookies { secure: options.secure_cookies },
            oidc: options.oidc,
        })
        .layer(RequestBodyLimitLayer::new(256 * 1024))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)));
    with_security_headers(app).layer(TraceLayer::new_for_http()).layer(axum::middleware::from_fn(metrics::track))
}
