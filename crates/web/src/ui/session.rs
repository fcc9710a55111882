//! Signing in and out, the session cookie, the form token that guards every form of a
//! session, and the reader's language (a cookie, else the browser's preference, else Kazakh).

use super::chrome::Chrome;
use super::i18n::Tr;
use crate::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use domain::text::Lang;
use domain::{Actor, UserId};
use engine::{LoginRefused, SessionInfo};
use serde::Deserialize;

pub(super) const SESSION: &str = "shaqyru_session";
const LANG: &str = "shaqyru_lang";

/// How the session cookie is sent.
#[derive(Clone, Copy, Debug, Default)]
pub struct SessionCookies {
    /// Only over HTTPS: set when the service is reached at an `https://` address.
    pub secure: bool,
}

/// The reader's language, from the cookie, else the browser's first known preference.
pub fn language(headers: &HeaderMap, jar: &CookieJar) -> Lang {
    if let Some(l) = jar.get(LANG).and_then(|c| Lang::parse(c.value())) {
        return l;
    }
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    accept
        .split(',')
        .filter_map(|part| part.split(';').next())
        .find_map(|tag| Lang::parse(tag.trim().split('-').next().unwrap_or("").to_ascii_lowercase().as_str()))
        .unwrap_or(Lang::Kk)
}

/// A path of this site to go back to; anything else (another site, a scheme) becomes `/work`.
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains(['\\', '\r', '\n']) => p.to_owned(),
        _ => "/work".to_owned(),
    }
}

/// The signed-in user of a page request, with their form token and language. A request
/// without a live session is sent to the sign-in page, and comes back here afterwards.
pub struct Viewer {
    /// The user and the session's form token.
    pub session: SessionInfo,
    pub actor: Actor,
    pub tr: Tr,
    pub path: String,
    /// Where the request came from, for the access log.
    pub origin: engine::Origin,
}

impl Viewer {
    /// The frame of a page this viewer sees.
    pub fn chrome(&self, state: &AppState, title: String, here: &str) -> Chrome {
        Chrome::signed(&state.engine, self.tr.clone(), &self.session.user, &self.session.csrf_token, &self.path, title, here)
    }

    /// The refusal of a form that does not carry this session's token (it was not sent by our
    /// page); `None` when the token is right.
    pub fn refuse_form(&self, state: &AppState, token: Option<&str>) -> Option<Response> {
        (!self.session.csrf_matches(token.unwrap_or(""))).then(|| {
            let chrome = self.chrome(state, self.tr.t("error-title"), "");
            super::problem(chrome, StatusCode::FORBIDDEN, self.tr.t("error-form-token"))
        })
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let tr = Tr::new(language(&parts.headers, &jar), state.engine.config().time_zone.clone());
        let path = parts.uri.path_and_query().map_or("/work".to_owned(), |p| p.as_str().to_owned());
        let to_login = || {
            let query = serde_urlencoded::to_string([("next", path.as_str())]).unwrap_or_default();
            Redirect::to(&format!("/login?{query}")).into_response()
        };
        let Some(token) = jar.get(SESSION).map(|c| c.value().to_owned()) else {
            return Err(to_login());
        };
        match state.engine.session(&token).await {
            Ok(Some(info)) => {
                let actor = Actor {
                    user: UserId(info.user.id.clone().into()),
                    role: info.user.role.clone().into(),
                    unit: info.user.unit.clone().into(),
                };
                Ok(Viewer { session: info, actor, tr, path, origin: crate::auth::ClientOrigin::of(parts) })
            }
            Ok(None) => Err(to_login()),
            Err(e) => {
                tracing::error!(error = %e, "the session could not be read");
                let chrome = Chrome::anonymous(tr.clone(), &path, tr.t("error-title"));
                Err(super::problem(chrome, StatusCode::SERVICE_UNAVAILABLE, tr.t("error-unavailable")))
            }
        }
    }
}

/// The reader's language on a page that needs no session.
pub struct Reader(pub Tr);

impl FromRequestParts<AppState> for Reader {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        Ok(Reader(Tr::new(language(&parts.headers, &jar), state.engine.config().time_zone.clone())))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    page: Chrome,
    user: String,
    next: String,
    error: Option<String>,
    /// The "Sign in with …" button's text and link, when a provider is configured.
    oidc: Option<(String, String)>,
}

/// The provider's button: its text and its link (which keeps the page to return to).
fn oidc_button(state: &AppState, tr: &Tr, next: &str) -> Option<(String, String)> {
    let o = state.oidc.as_ref()?;
    let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
    Some((tr.ta("login-oidc", &[("provider", &o.name)]), format!("/login/oidc?{query}")))
}

/// The session cookie of a new session (the same for both ways of signing in).
pub(super) fn session_cookie(state: &AppState, token: String) -> Cookie<'static> {
    Cookie::build((SESSION, token)).http_only(true).same_site(SameSite::Lax).path("/").secure(state.cookies.secure).build()
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_page(State(s): State<AppState>, Reader(tr): Reader, Query(q): Query<NextQuery>) -> impl IntoResponse {
    let page = Chrome::anonymous(tr.clone(), "/login", tr.t("login-title"));
    let next = local_path(q.next.as_deref());
    let oidc = oidc_button(&s, &tr, &next);
    LoginPage { page, user: String::new(), next, error: None, oidc }
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    user: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// Whether a form was posted from this site: a browser names the page's origin, which must be
/// the address the form was sent to. (A client that sends no `Origin` is not a browser.)
fn same_origin(headers: &HeaderMap) -> bool {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (origin, host) {
        (None, _) => true,
        (Some(o), Some(h)) => o.split_once("://").is_some_and(|(_, rest)| rest == h),
        (Some(_), None) => false,
    }
}

pub async fn login(
    State(s): State<AppState>,
    Reader(tr): Reader,
    jar: CookieJar,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = local_path(f.next.as_deref());
    let page = |tr: &Tr| Chrome::anonymous(tr.clone(), "/login", tr.t("login-title"));
    if !same_origin(&headers) {
        return super::problem(page(&tr), StatusCode::FORBIDDEN, tr.t("error-form-token"));
    }
    let refuse = |status: StatusCode, error: String| {
        let oidc = oidc_button(&s, &tr, &next);
        (status, LoginPage { page: page(&tr), user: f.user.trim().to_owned(), next: next.clone(), error: Some(error), oidc })
            .into_response()
    };
    match s.engine.login(f.user.trim(), &f.password).await {
        Ok(Ok(session)) => (jar.add(session_cookie(&s, session.token)), Redirect::to(&next)).into_response(),
        // Only the provider's sign-in answers so; a password sign-in never does.
        Ok(Err(LoginRefused::BadCredentials | LoginRefused::NotLinked)) => refuse(StatusCode::UNAUTHORIZED, tr.t("login-bad-credentials")),
        Ok(Err(LoginRefused::Locked { until })) => {
            refuse(StatusCode::TOO_MANY_REQUESTS, tr.ta("login-locked", &[("until", &tr.datetime(until))]))
        }
        Err(e) => {
            tracing::error!(error = %e, "sign-in failed");
            refuse(StatusCode::SERVICE_UNAVAILABLE, tr.t("error-unavailable"))
        }
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    csrf: Option<String>,
}

pub async fn logout(State(s): State<AppState>, viewer: Viewer, jar: CookieJar, Form(f): Form<TokenForm>) -> Response {
    if let Some(r) = viewer.refuse_form(&s, f.csrf.as_deref()) {
        return r;
    }
    if let Some(token) = jar.get(SESSION).map(|c| c.value().to_owned())
        && let Err(e) = s.engine.logout(&token).await
    {
        tracing::error!(error = %e, "sign-out failed");
    }
    (jar.remove(Cookie::build(SESSION).path("/")), Redirect::to("/login")).into_response()
}

#[derive(Deserialize)]
pub struct LanguageQuery {
    to: String,
    back: Option<String>,
}

/// Keeps the chosen language in a lasting cookie and returns to the page.
pub async fn switch_language(jar: CookieJar, Query(q): Query<LanguageQuery>) -> Response {
    let back = local_path(q.back.as_deref());
    match Lang::parse(&q.to) {
        Some(lang) => {
            let cookie = Cookie::build((LANG, lang.code())).path("/").same_site(SameSite::Lax).permanent();
            (jar.add(cookie), Redirect::to(&back)).into_response()
        }
        None => (StatusCode::BAD_REQUEST, "the language is kk, ru or en").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_path_of_this_site_is_followed_after_sign_in() {
        assert_eq!(local_path(Some("/cases/abc?x=1")), "/cases/abc?x=1");
        for bad in ["//evil.example/", "https://evil.example/", "/\\evil.example", "work", ""] {
            assert_eq!(local_path(Some(bad)), "/work", "{bad}");
        }
        assert_eq!(local_path(None), "/work");
    }

    #[test]
    fn the_language_comes_from_the_cookie_then_the_browser_then_kazakh() {
        let mut headers = HeaderMap::new();
        assert_eq!(language(&headers, &CookieJar::new()), Lang::Kk);
        headers.insert(header::ACCEPT_LANGUAGE, "de-DE,ru-RU;q=0.8,en;q=0.5".parse().unwrap());
        assert_eq!(language(&headers, &CookieJar::new()), Lang::Ru);
        let jar = CookieJar::new().add(Cookie::new(LANG, "en"));
        assert_eq!(language(&headers, &jar), Lang::En);
    }

    #[test]
    fn a_form_from_another_site_is_told_apart() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "office.example:8080".parse().unwrap());
        assert!(same_origin(&h), "no Origin: not a browser's cross-site form");
        h.insert(header::ORIGIN, "http://office.example:8080".parse().unwrap());
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, "https://evil.example".parse().unwrap());
        assert!(!same_origin(&h));
    }
}
