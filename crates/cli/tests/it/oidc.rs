//! Signing in through an OpenID Connect provider, over HTTP against the simulated provider
//! (`sim_server::idp`), redirects followed by hand: a linked account gets the same session as a
//! password sign-in; an unlinked or disabled one, a forged state, a replayed code and ID tokens
//! with another nonce, audience or issuer, expired or badly signed are refused with nothing
//! created; a provider that is down leaves the password sign-in working.

use crate::{EXECUTOR, EXECUTOR2, OFFICE, PASSPORT_CLEAR, TestApp};
use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE};
use shaqyru::settings::OidcSettings;
use sim_server::idp::{Client, SimIdp, Spoil};
use std::collections::BTreeMap;
use std::sync::Arc;

const CLIENT_ID: &str = "shaqyru-test";
const SECRET: &str = "test-client-secret";
const SESSION: &str = "shaqyru_session";

/// The simulated provider on a port of its own, stamping tokens with the wall clock.
async fn provider() -> Arc<SimIdp> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}/idp", listener.local_addr().unwrap());
    #[allow(clippy::disallowed_methods)]
    let now: sim_server::idp::Now = Arc::new(|| jiff::Timestamp::now().as_second());
    let client = Client { id: CLIENT_ID.into(), secret: SECRET.into(), redirect_uris: vec![] };
    let idp = SimIdp::new(&issuer, client, now).unwrap();
    let router = sim_server::idp::router(idp.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    idp
}

/// Our service, configured with the provider at `issuer`.
async fn service(issuer: &str) -> TestApp {
    let issuer = issuer.to_owned();
    TestApp::spawn_with(move |s| {
        s.oidc = Some(OidcSettings {
            issuer: issuer.clone(),
            client_id: CLIENT_ID.into(),
            client_secret: SECRET.into(),
            name: "Test IdP".into(),
        })
    })
    .await
}

async fn link(app: &TestApp, user: &str, subject: &str) {
    shaqyru::app::link_subject(app.engine.store().as_ref(), user, Some(subject)).await.unwrap();
}

/// A browser of our own: no redirects followed, cookies kept by name (paths ignored).
struct Browser {
    client: reqwest::Client,
    base: String,
    cookies: BTreeMap<String, String>,
}

struct Page {
    status: StatusCode,
    location: String,
    set_cookies: Vec<String>,
    body: String,
}

impl Browser {
    fn new(app: &TestApp) -> Browser {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { client, base: format!("http://{}", app.addr), cookies: BTreeMap::new() }
    }

    fn url(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http") { path_or_url.to_owned() } else { format!("{}{path_or_url}", self.base) }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let req = if cookie.is_empty() { req } else { req.header("cookie", cookie) };
        let r = req.send().await.expect("the server answers");
        let mut set_cookies = Vec::new();
        for set in r.headers().get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()) {
            let pair = set.split(';').next().unwrap_or("");
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            set_cookies.push(name.to_owned());
            if value.is_empty() || set.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let location = r.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        Page { status: r.status(), location, set_cookies, body: r.text().await.unwrap() }
    }

    async fn get(&mut self, path_or_url: &str) -> Page {
        let req = self.client.get(self.url(path_or_url)).header("accept-language", "en");
        self.send(req).await
    }

    async fn post(&mut self, path_or_url: &str, form: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(form).unwrap();
        let req = self.client.post(self.url(path_or_url)).header("content-type", "application/x-www-form-urlencoded").body(body);
        self.send(req).await
    }

    /// From our "Sign in with …" link to the provider's answer: the callback URL it sends the
    /// browser back to (not yet followed), having picked `subject` on its page.
    async fn via_provider(&mut self, idp: &SimIdp, subject: &str) -> String {
        let start = self.get("/login/oidc?next=%2Fwork").await;
        assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
        assert!(start.location.starts_with(&format!("{}/authorize?", idp.issuer())), "to the provider: {}", start.location);
        for part in ["code_challenge_method=S256", "state=", "nonce=", "scope=openid", &format!("client_id={CLIENT_ID}")] {
            assert!(start.location.contains(part), "the authorization request has {part}: {}", start.location);
        }
        let pick = self.get(&start.location).await;
        assert_eq!(pick.status, StatusCode::OK, "{}", pick.body);
        let at = pick.body.find("name=\"request\" value=\"").expect("the provider's page has a request id") + 22;
        let request = pick.body[at..].split('"').next().unwrap().to_owned();
        let back = self.post(&format!("{}/authorize", idp.issuer()), &[("request", &request), ("sub", subject)]).await;
        assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
        assert!(back.location.starts_with(&format!("{}/login/oidc/callback?code=", self.base)), "{}", back.location);
        back.location
    }
}

#[tokio::test]
async fn a_linked_account_signs_in_through_the_provider_and_sees_its_worklist() {
    let idp = provider().await;
    let app = service(idp.issuer()).await;
    link(&app, OFFICE, "sim-person-1").await;
    let case = app.case_at_p1(PASSPORT_CLEAR).await;
    let reference = app.case(&case).await["reference"].as_str().unwrap().to_owned();

    let mut b = Browser::new(&app);
    let login = b.get("/login?next=%2Fwork").await;
    assert!(login.body.contains("Sign in with Test IdP"), "the button: {}", login.body);
    assert!(login.body.contains("href=\"/login/oidc?next=%2Fwork\""), "{}", login.body);
    assert!(login.body.contains("name=\"password\""), "the password sign-in stays");

    let callback = b.via_provider(&idp, "sim-person-1").await;
    assert!(b.cookies.contains_key("shaqyru_oidc"), "the pending sign-in is kept by the browser");
    let done = b.get(&callback).await;
    assert_eq!((done.status, done.location.as_str()), (StatusCode::SEE_OTHER, "/work"), "{}", done.body);
    assert!(b.cookies.contains_key(SESSION), "a session cookie: {:?}", done.set_cookies);
    assert!(!b.cookies.contains_key("shaqyru_oidc"), "the pending sign-in is gone");

    let work = b.get("/work").await;
    assert_eq!(work.status, StatusCode::OK, "{}", work.body);
    assert!(work.body.contains(OFFICE), "signed in as the linked account");
    assert!(work.body.contains(&reference), "the office's worklist shows the case at P1: {}", work.body);

    // The same session as a password sign-in: it ends on sign-out.
    let token = b.cookies[SESSION].clone();
    assert_eq!(app.engine.session(&token).await.unwrap().map(|s| s.user.id).as_deref(), Some(OFFICE));
    let csrf_at = work.body.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = work.body[csrf_at..].split('"').next().unwrap().to_owned();
    let out = b.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(app.engine.session(&token).await.unwrap().is_none(), "signed out");
}

#[tokio::test]
async fn an_unlinked_subject_and_a_disabled_account_are_refused_and_nothing_is_created() {
    let idp = provider().await;
    let app = service(idp.issuer()).await;
    link(&app, EXECUTOR2, "sim-person-3").await;
    shaqyru::app::add_user(app.engine.store().as_ref(), EXECUTOR2, EXECUTOR2, "executor", "mvd-astana").await.unwrap();
    let mut user = app.engine.store().user(EXECUTOR2).await.unwrap().unwrap();
    user.active = false;
    app.engine.store().upsert_user(&user).await.unwrap();
    let users_before = app.engine.store().users().await.unwrap().len();

    for subject in ["sim-person-2", "sim-person-3"] {
        let mut b = Browser::new(&app);
        let callback = b.via_provider(&idp, subject).await;
        let refused = b.get(&callback).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{subject}: {}", refused.body);
        assert!(refused.body.contains("no active account of this service is linked to you"), "{subject}: {}", refused.body);
        assert!(!b.cookies.contains_key(SESSION), "{subject}: no session");
    }
    assert_eq!(app.engine.store().users().await.unwrap().len(), users_before, "no account was created");
}

#[tokio::test]
async fn a_forged_state_and_a_replayed_code_are_refused() {
    let idp = provider().await;
    let app = service(idp.issuer()).await;
    link(&app, EXECUTOR, "sim-person-1").await;

    // Another state than the one this browser's sign-in started with.
    let mut b = Browser::new(&app);
    let callback = b.via_provider(&idp, "sim-person-1").await;
    let forged = callback.replace("state=", "state=x");
    let refused = b.get(&forged).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(!b.cookies.contains_key(SESSION));
    // The pending sign-in went with the refusal: the genuine answer is no good either now.
    assert_eq!(b.get(&callback).await.status, StatusCode::FORBIDDEN, "a pending sign-in is used once");

    // A callback with no sign-in started in this browser at all.
    let mut stranger = Browser::new(&app);
    assert_eq!(stranger.get(&callback).await.status, StatusCode::FORBIDDEN);

    // A code used once, then sent again with the same pending sign-in (cookies replayed by hand).
    let mut b = Browser::new(&app);
    let callback = b.via_provider(&idp, "sim-person-1").await;
    let pending = b.cookies.clone();
    assert_eq!(b.get(&callback).await.status, StatusCode::SEE_OTHER, "the first use signs in");
    let mut replay = Browser::new(&app);
    replay.cookies = pending;
    let refused = replay.get(&callback).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "the provider refuses a used code: {}", refused.body);
    assert!(!replay.cookies.contains_key(SESSION));
}

#[tokio::test]
async fn id_tokens_with_another_nonce_audience_or_issuer_expired_or_badly_signed_are_refused() {
    let idp = provider().await;
    let app = service(idp.issuer()).await;
    link(&app, EXECUTOR, "sim-person-1").await;
    for spoil in [Spoil::Nonce, Spoil::Audience, Spoil::Issuer, Spoil::Expired, Spoil::Signature] {
        let mut b = Browser::new(&app);
        let callback = b.via_provider(&idp, "sim-person-1").await;
        idp.spoil_next(spoil);
        let refused = b.get(&callback).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{spoil:?}: {}", refused.body);
        assert!(refused.body.contains("did not succeed"), "{spoil:?}: {}", refused.body);
        assert!(!b.cookies.contains_key(SESSION), "{spoil:?}: no session");
    }
    // And an unspoiled token still passes: the refusals above were the spoils'.
    let mut b = Browser::new(&app);
    let callback = b.via_provider(&idp, "sim-person-1").await;
    assert_eq!(b.get(&callback).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_provider_that_is_down_is_named_and_the_password_sign_in_still_works() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = service(&format!("http://127.0.0.1:{port}/idp")).await;
    let mut b = Browser::new(&app);
    let start = b.get("/login/oidc").await;
    assert_eq!(start.status, StatusCode::SERVICE_UNAVAILABLE, "{}", start.body);
    assert!(start.body.contains("cannot be reached"), "{}", start.body);
    let page = b.post("/login", &[("user", EXECUTOR), ("password", shaqyru::app::DEMO_PASSWORD), ("next", "/work")]).await;
    assert_eq!((page.status, page.location.as_str()), (StatusCode::SEE_OTHER, "/work"));
}

#[tokio::test]
async fn without_a_provider_the_sign_in_page_has_no_button_and_the_routes_say_so() {
    let app = TestApp::spawn().await;
    let mut b = Browser::new(&app);
    assert!(!b.get("/login").await.body.contains("login-oidc"));
    assert_eq!(b.get("/login/oidc").await.status, StatusCode::NOT_FOUND);
    assert_eq!(b.get("/login/oidc/callback?code=x&state=y").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_subject_links_one_account_and_bad_subjects_are_named() {
    let app = TestApp::spawn().await;
    let store = app.engine.store().clone();
    link(&app, EXECUTOR, "sim-person-1").await;
    let taken = shaqyru::app::link_subject(store.as_ref(), EXECUTOR2, Some("sim-person-1")).await.unwrap_err();
    assert!(taken.to_string().contains(EXECUTOR), "names the holder: {taken}");
    let bad = shaqyru::app::link_subject(store.as_ref(), EXECUTOR2, Some("has space")).await.unwrap_err();
    assert!(bad.to_string().contains("subject"), "{bad}");
    let nobody = shaqyru::app::link_subject(store.as_ref(), "nobody", Some("sim-person-9")).await.unwrap_err();
    assert!(nobody.to_string().contains("no account nobody"), "{nobody}");
    shaqyru::app::link_subject(store.as_ref(), EXECUTOR, None).await.unwrap();
    shaqyru::app::link_subject(store.as_ref(), EXECUTOR2, Some("sim-person-1")).await.unwrap();
    assert_eq!(store.user_by_oidc_subject("sim-person-1").await.unwrap().map(|u| u.id).as_deref(), Some(EXECUTOR2));
}
