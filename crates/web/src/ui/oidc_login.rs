//! Signing in through an OpenID Connect provider (issue 8): `/login/oidc` sends the browser to
//! the provider with a fresh state, nonce and PKCE challenge, kept in a short-lived cookie;
//! `/login/oidc/callback` checks what comes back (the `oidc` crate), opens the session of the
//! local account linked to the proved subject (the engine), and sets the same session cookie
//! as a password sign-in. Anything else ends on a page that says what to do; nothing is
//! created.

use super::chrome::Chrome;
use super::i18n::Tr;
use super::session::{Reader, local_path, session_cookie};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use engine::LoginRefused;
use oidc::{Callback, OidcError, Pending};
use serde::Deserialize;

/// The pending sign-in (state, nonce, PKCE verifier) while the browser is at the provider.
const PENDING: &str = "shaqyru_oidc";
/// The page to return to after it.
const NEXT: &str = "shaqyru_oidc_next";
/// Both are sent only below this path. They last the browser's session at most and go at
/// the callback; the provider's code itself lives a minute or so.
const COOKIE_PATH: &str = "/login/oidc";

#[derive(Deserialize)]
pub struct StartQuery {
    next: Option<String>,
}

fn page(tr: &Tr) -> Chrome {
    Chrome::anonymous(tr.clone(), "/login", tr.t("login-title"))
}

fn pending_cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value)).http_only(true).same_site(SameSite::Lax).path(COOKIE_PATH).secure(state.cookies.secure).build()
}

/// Sends the browser to the provider. A GET (a link on the sign-in page), because the strict
/// `form-action 'self'` would stop a form that redirects to another site.
pub async fn start(State(s): State<AppState>, Reader(tr): Reader, jar: CookieJar, Query(q): Query<StartQuery>) -> Response {
    let Some(o) = s.oidc.clone() else {
        return super::problem(page(&tr), StatusCode::NOT_FOUND, tr.t("login-oidc-off"));
    };
    match o.party.start().await {
        Ok(start) => {
            let next = local_path(q.next.as_deref());
            let jar = jar.add(pending_cookie(&s, PENDING, start.pending.encode())).add(pending_cookie(&s, NEXT, next));
            (jar, Redirect::to(&start.url)).into_response()
        }
        Err(e) => {
            tracing::warn!(error = %e, "sign-in through the identity provider could not start");
            super::problem(page(&tr), StatusCode::SERVICE_UNAVAILABLE, tr.t("login-oidc-unavailable"))
        }
    }
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// The provider's answer: the session of the linked account, or a page saying why not. The
/// pending sign-in's cookies are removed whatever happens, so an answer is taken once.
pub async fn callback(State(s): State<AppState>, Reader(tr): Reader, jar: CookieJar, Query(q): Query<CallbackQuery>) -> Response {
    let Some(o) = s.oidc.clone() else {
        return super::problem(page(&tr), StatusCode::NOT_FOUND, tr.t("login-oidc-off"));
    };
    let pending = jar.get(PENDING).and_then(|c| Pending::decode(c.value()));
    let next = local_path(jar.get(NEXT).map(|c| c.value()));
    let jar = jar.remove(Cookie::build(PENDING).path(COOKIE_PATH)).remove(Cookie::build(NEXT).path(COOKIE_PATH));
    let back = Callback { code: q.code, state: q.state, error: q.error };
    let refused = |jar: CookieJar, status: StatusCode, key: &str| (jar, super::problem(page(&tr), status, tr.t(key))).into_response();
    // The provider's clock is the real one: its token's times are checked against the wall
    // clock, even when the service runs on a simulated clock for training.
    let now = engine::Clock::now(&engine::SystemClock);
    let subject = match o.party.finish(pending.as_ref(), &back, now).await {
        Ok(subject) => subject,
        Err(e @ (OidcError::Unreachable(_) | OidcError::Misconfigured(_))) => {
            tracing::warn!(error = %e, "sign-in through the identity provider failed");
            return refused(jar, StatusCode::SERVICE_UNAVAILABLE, "login-oidc-unavailable");
        }
        Err(e) => {
            // The kind of failure only: never the code, the token or the subject.
            tracing::info!(error = %e, "sign-in through the identity provider refused");
            return refused(jar, StatusCode::FORBIDDEN, "login-oidc-refused");
        }
    };
    match s.engine.login_linked(&subject).await {
        Ok(Ok(session)) => (jar.add(session_cookie(&s, session.token)), Redirect::to(&next)).into_response(),
        Ok(Err(LoginRefused::NotLinked | LoginRefused::BadCredentials | LoginRefused::Locked { .. })) => {
            refused(jar, StatusCode::FORBIDDEN, "login-oidc-not-linked")
        }
        Err(e) => {
            tracing::error!(error = %e, "sign-in through the identity provider failed");
            refused(jar, StatusCode::SERVICE_UNAVAILABLE, "error-unavailable")
        }
    }
}
