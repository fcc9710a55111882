//! The web pages over plain HTTP: sign-in and its cookie, the form token on every form, the
//! language, who may open the intake wizard, and an application taken through the wizard's
//! forms once however often it is sent. (The browser tests in `tests/ui` walk the same pages in
//! Chromium.)

use crate::{EXECUTOR, OPERATOR, SUPERVISOR, TestApp};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use shaqyru::app::DEMO_PASSWORD;

/// A browser of our own: no redirects followed, the session cookie kept by hand.
pub(crate) struct Browser {
    client: reqwest::Client,
    base: String,
    cookie: Option<String>,
}

pub(crate) struct Page {
    pub(crate) status: StatusCode,
    headers: HeaderMap,
    pub(crate) body: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// The form token the page's forms carry.
    fn csrf(&self) -> String {
        let at = self.body.find("name=\"csrf\" value=\"").unwrap_or_else(|| panic!("no form token on the page: {}", self.body));
        let rest = &self.body[at + 19..];
        rest[..rest.find('"').unwrap()].to_owned()
    }
}

impl Browser {
    pub(crate) fn new(app: &TestApp) -> Browser {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { client, base: format!("http://{}", app.addr), cookie: None }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let req = match &self.cookie {
            Some(c) => req.header("cookie", c),
            None => req,
        };
        let r = req.send().await.expect("the server answers");
        let headers = r.headers().clone();
        if let Some(set) = headers.get(SET_COOKIE).and_then(|v| v.to_str().ok()) {
            let pair = set.split(';').next().unwrap_or("").to_owned();
            self.cookie = if pair.ends_with('=') { None } else { Some(pair) };
        }
        Page { status: r.status(), headers, body: r.text().await.unwrap() }
    }

    pub(crate) async fn get(&mut self, path: &str) -> Page {
        let req = self.client.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(form).unwrap();
        let req = self.client.post(format!("{}{path}", self.base)).header("content-type", "application/x-www-form-urlencoded").body(body);
        self.send(req).await
    }

    pub(crate) async fn sign_in(&mut self, user: &str) {
        let page = self.post("/login", &[("user", user), ("password", DEMO_PASSWORD), ("next", "/work")]).await;
        assert_eq!((page.status, page.location()), (StatusCode::SEE_OTHER, "/work"), "{user} signs in: {}", page.body);
    }
}

#[tokio::test]
async fn a_page_asks_for_sign_in_and_the_session_cookie_is_kept_from_scripts() {
    let app = TestApp::spawn().await;
    let mut b = Browser::new(&app);
    let page = b.get("/cases/x?y=1").await;
    assert_eq!(
        (page.status, page.location()),
        (StatusCode::SEE_OTHER, "/login?next=%2Fcases%2Fx%3Fy%3D1"),
        "back to the page after sign-in"
    );

    let refused = b.post("/login", &[("user", OPERATOR), ("password", "not the password")]).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(refused.body.contains("Пайдаланушы аты немесе құпиясөз қате."), "refused in Kazakh by default");
    assert!(refused.body.contains(&format!("value=\"{OPERATOR}\"")), "the user name typed is kept");
    assert!(b.cookie.is_none());

    let ok = b.post("/login", &[("user", OPERATOR), ("password", DEMO_PASSWORD), ("next", "/handbook")]).await;
    assert_eq!((ok.status, ok.location()), (StatusCode::SEE_OTHER, "/handbook"));
    let cookie = ok.headers[SET_COOKIE].to_str().unwrap();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http here: a Secure cookie would never come back");
    let work = b.get("/work").await;
    assert_eq!(work.status, StatusCode::OK);
    assert!(work.body.contains("<html lang=\"kk\">") && work.body.contains("Жұмыс тізімі"));

    // Signing out ends the session on the server, not just in this browser.
    let stolen = b.cookie.clone();
    let csrf = work.csrf();
    let out = b.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!((out.status, out.location()), (StatusCode::SEE_OTHER, "/login"));
    b.cookie = stolen;
    assert_eq!(b.get("/work").await.status, StatusCode::SEE_OTHER, "the old cookie opens nothing");
}

#[tokio::test]
async fn a_form_without_the_session_token_or_from_another_site_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let mut b = Browser::new(&app);
    let foreign = b
        .client
        .post(format!("{}/login", b.base))
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string([("user", OPERATOR), ("password", DEMO_PASSWORD)]).unwrap());
    assert_eq!(b.send(foreign).await.status, StatusCode::FORBIDDEN, "a sign-in posted from another site");
    assert!(b.cookie.is_none());

    b.sign_in(OPERATOR).await;
    let draft = application_form();
    let mut form: Vec<(&str, &str)> = draft.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    form.extend([("action", "accept"), ("key", "k-1"), ("identified", "yes"), ("residence", "yes")]);
    assert_eq!(b.post("/intake/submit", &form).await.status, StatusCode::FORBIDDEN, "no token");
    form.push(("csrf", "forged"));
    let page = b.post("/intake/submit", &form).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "a wrong token");
    assert!(page.body.contains("Пішін ескірген"), "the refusal says what to do: {}", page.body);
    let (_, cases) = app.get(SUPERVISOR, "/api/cases").await;
    assert_eq!(cases.as_array().unwrap().len(), 0, "nothing was stored");
}

/// An application as the wizard's fields hold it.
fn application_form() -> Vec<(String, String)> {
    [
        ("applicant.iin", "061211600012"),
        ("applicant.surname", "Сейтқали"),
        ("applicant.given_names", "Әсел"),
        ("applicant.address", "Астана, Жеңіс даңғылы 15"),
        ("invitees[0].surname", "ERIKSSON"),
        ("invitees[0].given_names", "ANNA MARIA"),
        ("invitees[0].sex", "F"),
        ("invitees[0].birth_date", "1974-08-12"),
        ("invitees[0].citizenship", "SWE"),
        ("invitees[0].passport_number", crate::PASSPORT_CLEAR),
        ("invitees[0].passport_expires_on", "2031-01-01"),
        ("purpose", "Visiting relatives"),
        ("stay_from", "2026-12-10"),
        ("stay_to", "2026-12-20"),
        ("entries", "single"),
        ("places", "Астана\nАлматы"),
        ("documents_presented", "identity_document"),
        ("documents_presented", "application_form"),
        ("documents_presented", "passport_copy"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

#[tokio::test]
async fn the_wizard_shows_errors_by_their_fields_then_accepts_once_however_often_it_is_sent() {
    let app = TestApp::spawn().await;
    let mut b = Browser::new(&app);
    b.sign_in(OPERATOR).await;
    let start = b.get("/intake").await;
    assert_eq!(start.status, StatusCode::OK);
    let csrf = start.csrf();

    let mut draft = application_form();
    draft.iter_mut().find(|(k, _)| k == "applicant.iin").unwrap().1 = "061211600013".into();
    let mut form: Vec<(&str, &str)> = draft.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    form.extend([("csrf", csrf.as_str()), ("key", "wizard-1"), ("action", "review")]);
    let errors = b.post("/intake", &form).await;
    assert_eq!(errors.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(errors.body.contains("id=\"applicant-iin-error\""), "the error stands by the IIN field");
    assert!(errors.body.contains("value=\"Сейтқали\""), "what was typed comes back");
    assert_eq!(errors.body.matches("class=\"field-error\"").count(), 1, "only the IIN is wrong");

    let draft = application_form();
    let mut form: Vec<(&str, &str)> = draft.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    form.extend([("csrf", csrf.as_str()), ("key", "wizard-1"), ("action", "review")]);
    let review = b.post("/intake", &form).await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    assert!(review.body.contains("action=\"/intake/submit\"") && review.body.contains("value=\"accept\""));

    form.retain(|(k, _)| *k != "action");
    form.extend([("action", "accept"), ("identified", "yes"), ("residence", "yes")]);
    let first = b.post("/intake/submit", &form).await;
    let second = b.post("/intake/submit", &form).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    assert!(first.location().ends_with("/receipt"));
    assert_eq!(first.location(), second.location(), "the second click replays the first");
    let (_, cases) = app.get(SUPERVISOR, "/api/cases").await;
    assert_eq!(cases.as_array().unwrap().len(), 1, "one case");
    assert_eq!(cases[0]["open_steps"], serde_json::json!(["SC4"]), "checked, identified and accepted at the window");

    let receipt = b.get(first.location()).await;
    assert!(receipt.body.contains(cases[0]["reference"].as_str().unwrap()), "the receipt names the reference");
    assert!(receipt.body.contains("acceptance_receipt?lang=kk"), "with the statutory receipt to print");
}

#[tokio::test]
async fn only_the_front_office_takes_applications_and_the_language_follows_the_reader() {
    let app = TestApp::spawn().await;
    let mut b = Browser::new(&app);
    b.sign_in(EXECUTOR).await;
    assert_eq!(b.get("/intake").await.status, StatusCode::FORBIDDEN);
    let work = b.get("/work").await;
    assert!(!work.body.contains("href=\"/intake\""), "the menu offers no intake to an executor");

    let ru = b.client.get(format!("{}/login", b.base)).header("accept-language", "ru-RU,ru;q=0.9");
    assert!(b.send(ru).await.body.contains("Вход в систему"), "the browser's Russian");
    let switch = b.get("/lang?to=en&back=//evil.example/").await;
    assert_eq!((switch.status, switch.location()), (StatusCode::SEE_OTHER, "/work"), "never back to another site");
    let cookie = switch.headers[SET_COOKIE].to_str().unwrap().to_owned();
    let req = b.client.get(format!("{}/login", b.base)).header("cookie", cookie.split(';').next().unwrap());
    assert!(b.send(req).await.body.contains("<html lang=\"en\">"), "the chosen language wins");
}

#[tokio::test]
async fn an_administrator_sends_a_stopped_call_again_from_the_outbox_page() {
    let app = TestApp::spawn().await;
    let case = app.open_case(crate::PASSPORT_CLEAR).await;
    app.through_front_office_and_checks(&case).await;
    app.sims.faults.inject("knb", integrations::sim::Fault::Rejected, 1);
    assert_eq!(app.dispatch_outbox().await, 0, "the KNB refuses the request: it is stopped");

    let mut b = Browser::new(&app);
    b.sign_in(EXECUTOR).await;
    assert_eq!(b.get("/admin/outbox").await.status, StatusCode::FORBIDDEN, "not for an executor");

    let mut b = Browser::new(&app);
    b.sign_in("admin").await;
    let page = b.get("/admin/outbox").await;
    assert_eq!(page.status, StatusCode::OK);
    let at = page.body.find("action=\"/admin/outbox/").expect("a retry button for the stopped call");
    let rest = &page.body[at + 8..];
    let action = rest[..rest.find('"').unwrap()].to_owned();
    let csrf = page.csrf();
    let retried = b.post(&action, &[("csrf", &csrf)]).await;
    assert_eq!((retried.status, retried.location()), (StatusCode::SEE_OTHER, "/admin/outbox"));
    assert_eq!(app.dispatch_outbox().await, 1, "sent again, and this time taken");
    let after = b.get("/admin/outbox").await;
    assert!(!after.body.contains("action=\"/admin/outbox/"), "nothing is stopped any more");
}
