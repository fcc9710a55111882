//! A simulated OpenID Connect identity provider, standing in for a ministry's, so that the
//! sign-in through a provider runs in the demo and the tests on one machine with no network:
//! a discovery document, its key set (one Ed25519 key made at start), an authorization
//! endpoint that shows a small page to pick a test person and sends the browser back with a
//! code, and a token endpoint that trades the code (once, with the PKCE verifier and the
//! client's secret) for an EdDSA-signed ID token.
//!
//! For drills, `spoil` (or `POST {issuer}/_sim/spoil`) makes the next ID token wrong in one
//! way: another nonce, audience or issuer, already expired, or signed with another key.
//!
//! It is a simulator: one client, the test persons below, codes valid a minute, no consent,
//! no sessions of its own, and any redirect URI unless the client lists its own.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ed25519_dalek::{Signer, SigningKey};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The test persons the authorization page offers: (subject, label). The labels are roles,
/// not names: the provider proves a subject; the account it is linked to says who that is.
pub const TEST_PERSONS: [(&str, &str); 4] = [
    ("sim-person-1", "Test person 1"),
    ("sim-person-2", "Test person 2"),
    ("sim-person-3", "Test person 3"),
    ("sim-person-4", "Test person 4"),
];

/// The one client (relying party) the provider knows.
#[derive(Clone)]
pub struct Client {
    pub id: String,
    pub secret: String,
    /// The redirect URIs allowed; empty: any (a simulator's leniency, for a demo whose address
    /// is not known in advance).
    pub redirect_uris: Vec<String>,
}

/// A way to make the next ID token unacceptable, for the relying party's refusal tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Spoil {
    Nonce,
    Audience,
    Issuer,
    Expired,
    Signature,
}

/// The source of the time the provider stamps tokens with (seconds since 1970).
pub type Now = Arc<dyn Fn() -> i64 + Send + Sync>;

/// An authorization request waiting for the person to be picked.
struct Request {
    redirect_uri: String,
    state: Option<String>,
    nonce: Option<String>,
    challenge: String,
}

/// A code handed out: to whom, for which request, and whether it was used.
struct Grant {
    subject: String,
    redirect_uri: String,
    nonce: Option<String>,
    challenge: String,
    issued_at: i64,
    used: bool,
}

/// How long a code can be traded (seconds).
const CODE_LIFETIME: i64 = 60;
/// How long an ID token is valid (seconds).
const TOKEN_LIFETIME: i64 = 300;

pub struct SimIdp {
    issuer: String,
    client: Mutex<Client>,
    key: SigningKey,
    kid: String,
    now: Now,
    requests: Mutex<HashMap<String, Request>>,
    grants: Mutex<HashMap<String, Grant>>,
    spoil: Mutex<Option<Spoil>>,
}

impl SimIdp {
    /// A provider whose issuer is `issuer` (its address plus `/idp`, see [`router`]), with a
    /// fresh signing key.
    pub fn new(issuer: &str, client: Client, now: Now) -> Result<Arc<SimIdp>, String> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| format!("no random bytes for the provider's key: {e}"))?;
        let key = SigningKey::from_bytes(&seed);
        let kid = B64.encode(&Sha256::digest(key.verifying_key().as_bytes())[..8]);
        Ok(Arc::new(SimIdp {
            issuer: issuer.trim_end_matches('/').to_owned(),
            client: Mutex::new(client),
            key,
            kid,
            now,
            requests: Mutex::default(),
            grants: Mutex::default(),
            spoil: Mutex::default(),
        }))
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Replaces the client (a test learns its service's address late).
    pub fn set_client(&self, client: Client) {
        *self.client.lock().expect("not poisoned") = client;
    }

    /// Makes the next ID token wrong in one way.
    pub fn spoil_next(&self, spoil: Spoil) {
        *self.spoil.lock().expect("not poisoned") = Some(spoil);
    }

    fn client(&self) -> Client {
        self.client.lock().expect("not poisoned").clone()
    }

    /// A signed ID token (compact JWS, EdDSA) for `subject`, as spoiled for this drill.
    fn id_token(&self, subject: &str, nonce: Option<&str>, client_id: &str) -> String {
        let now = (self.now)();
        let spoil = self.spoil.lock().expect("not poisoned").take();
        let mut claims = json!({
            "iss": if spoil == Some(Spoil::Issuer) { format!("{}-other", self.issuer) } else { self.issuer.clone() },
            "sub": subject,
            "aud": if spoil == Some(Spoil::Audience) { format!("{client_id}-other") } else { client_id.to_owned() },
            "iat": now,
            "exp": if spoil == Some(Spoil::Expired) { now - 60 } else { now + TOKEN_LIFETIME },
        });
        if let Some(n) = nonce {
            claims["nonce"] = json!(if spoil == Some(Spoil::Nonce) { format!("{n}-other") } else { n.to_owned() });
        }
        let header = json!({ "alg": "EdDSA", "typ": "JWT", "kid": self.kid });
        let input = format!("{}.{}", B64.encode(header.to_string()), B64.encode(claims.to_string()));
        let signature = if spoil == Some(Spoil::Signature) {
            SigningKey::from_bytes(&[7u8; 32]).sign(input.as_bytes())
        } else {
            self.key.sign(input.as_bytes())
        };
        format!("{input}.{}", B64.encode(signature.to_bytes()))
    }
}

/// The provider's routes, under `/idp` (so its issuer is `http://HOST:PORT/idp`).
pub fn router(idp: Arc<SimIdp>) -> axum::Router {
    axum::Router::new()
        .route("/idp/.well-known/openid-configuration", get(discovery))
        .route("/idp/jwks", get(jwks))
        .route("/idp/authorize", get(authorize_page).post(authorize))
        .route("/idp/token", post(token))
        .route("/idp/_sim/spoil", post(spoil))
        .with_state(idp)
}

async fn discovery(State(idp): State<Arc<SimIdp>>) -> Response {
    let i = &idp.issuer;
    axum::Json(json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/authorize"),
        "token_endpoint": format!("{i}/token"),
        "jwks_uri": format!("{i}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["EdDSA"],
        "scopes_supported": ["openid"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "grant_types_supported": ["authorization_code"],
    }))
    .into_response()
}

async fn jwks(State(idp): State<Arc<SimIdp>>) -> Response {
    axum::Json(json!({ "keys": [{
        "kty": "OKP", "crv": "Ed25519", "use": "sig", "alg": "EdDSA", "kid": idp.kid,
        "x": B64.encode(idp.key.verifying_key().as_bytes()),
    }]}))
    .into_response()
}

#[derive(Deserialize)]
struct AuthorizeQuery {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    nonce: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

fn bad_request(text: &str) -> Response {
    (StatusCode::BAD_REQUEST, text.to_owned()).into_response()
}

/// Checks the authorization request and shows the page to pick a test person.
async fn authorize_page(State(idp): State<Arc<SimIdp>>, Query(q): Query<AuthorizeQuery>) -> Response {
    let client = idp.client();
    if q.client_id.as_deref() != Some(client.id.as_str()) {
        return bad_request("unknown client_id");
    }
    let Some(redirect_uri) = q.redirect_uri.filter(|r| client.redirect_uris.is_empty() || client.redirect_uris.contains(r)) else {
        return bad_request("redirect_uri missing or not registered for this client");
    };
    if q.response_type.as_deref() != Some("code") || !q.scope.unwrap_or_default().split(' ').any(|s| s == "openid") {
        return bad_request("only response_type=code with the openid scope is supported");
    }
    let (Some(challenge), Some("S256")) = (q.code_challenge, q.code_challenge_method.as_deref()) else {
        return bad_request("a PKCE code_challenge with method S256 is required");
    };
    let id = random();
    idp.requests.lock().expect("not poisoned").insert(id.clone(), Request { redirect_uri, state: q.state, nonce: q.nonce, challenge });
    // Every value on the page is ours: the request id is base64url, the persons are constants.
    let mut page = String::from(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Simulated identity provider</title>\
         <h1>Simulated identity provider</h1><p>Sign in as:</p><form method=\"post\" action=\"authorize\">",
    );
    page.push_str(&format!("<input type=\"hidden\" name=\"request\" value=\"{id}\">"));
    for (sub, label) in TEST_PERSONS {
        page.push_str(&format!("<p><button type=\"submit\" name=\"sub\" value=\"{sub}\">{label} ({sub})</button></p>"));
    }
    page.push_str("</form></html>");
    Html(page).into_response()
}

#[derive(Deserialize)]
struct PickForm {
    request: String,
    sub: String,
}

/// The person picked: a code for them, and the browser back to the client with it.
async fn authorize(State(idp): State<Arc<SimIdp>>, Form(f): Form<PickForm>) -> Response {
    let Some(request) = idp.requests.lock().expect("not poisoned").remove(&f.request) else {
        return bad_request("unknown or used authorization request");
    };
    if !TEST_PERSONS.iter().any(|(sub, _)| *sub == f.sub) {
        return bad_request("unknown test person");
    }
    let code = random();
    let mut query = vec![("code", code.clone())];
    if let Some(state) = &request.state {
        query.push(("state", state.clone()));
    }
    let grant = Grant {
        subject: f.sub,
        redirect_uri: request.redirect_uri.clone(),
        nonce: request.nonce,
        challenge: request.challenge,
        issued_at: (idp.now)(),
        used: false,
    };
    idp.grants.lock().expect("not poisoned").insert(code, grant);
    let sep = if request.redirect_uri.contains('?') { '&' } else { '?' };
    let query = serde_urlencoded::to_string(&query).unwrap_or_default();
    Redirect::to(&format!("{}{sep}{query}", request.redirect_uri)).into_response()
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// An OAuth error answer of the token endpoint.
fn token_error(status: StatusCode, error: &str, description: &str) -> Response {
    (status, axum::Json(json!({ "error": error, "error_description": description }))).into_response()
}

/// The client's credentials from HTTP Basic authentication, else from the form.
fn client_credentials(headers: &HeaderMap, f: &TokenForm) -> Option<(String, String)> {
    let basic = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Basic "));
    if let Some(b) = basic {
        let decoded = base64::engine::general_purpose::STANDARD.decode(b.trim()).ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (id, secret) = text.split_once(':')?;
        // RFC 6749 §2.3.1: both parts are form-urlencoded before joining.
        let decode = |s: &str| serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={s}")).ok()?.pop().map(|(_, v)| v);
        return Some((decode(id)?, decode(secret)?));
    }
    Some((f.client_id.clone()?, f.client_secret.clone()?))
}

/// Trades a code for an ID token: the client authenticated, the code fresh, unused, issued for
/// this redirect URI, and the PKCE verifier matching the challenge.
async fn token(State(idp): State<Arc<SimIdp>>, headers: HeaderMap, Form(f): Form<TokenForm>) -> Response {
    let client = idp.client();
    match client_credentials(&headers, &f) {
        Some((id, secret)) if id == client.id && secret == client.secret => {}
        _ => return token_error(StatusCode::UNAUTHORIZED, "invalid_client", "unknown client or wrong secret"),
    }
    if f.grant_type.as_deref() != Some("authorization_code") {
        return token_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "only authorization_code");
    }
    let now = (idp.now)();
    let (subject, nonce) = {
        let mut grants = idp.grants.lock().expect("not poisoned");
        let Some(grant) = f.code.as_deref().and_then(|c| grants.get_mut(c)) else {
            return token_error(StatusCode::BAD_REQUEST, "invalid_grant", "unknown code");
        };
        if grant.used {
            return token_error(StatusCode::BAD_REQUEST, "invalid_grant", "the code was already used");
        }
        // Used from here on, whatever follows: a code is tried once.
        grant.used = true;
        if now - grant.issued_at > CODE_LIFETIME {
            return token_error(StatusCode::BAD_REQUEST, "invalid_grant", "the code has expired");
        }
        if f.redirect_uri.as_deref() != Some(grant.redirect_uri.as_str()) {
            return token_error(StatusCode::BAD_REQUEST, "invalid_grant", "redirect_uri differs from the authorization request");
        }
        let verified = f.code_verifier.as_deref().is_some_and(|v| B64.encode(Sha256::digest(v.as_bytes())) == grant.challenge);
        if !verified {
            return token_error(StatusCode::BAD_REQUEST, "invalid_grant", "the PKCE code_verifier does not match");
        }
        (grant.subject.clone(), grant.nonce.clone())
    };
    let id_token = idp.id_token(&subject, nonce.as_deref(), &client.id);
    axum::Json(json!({
        "access_token": random(),
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME,
        "id_token": id_token,
    }))
    .into_response()
}

#[derive(Deserialize)]
struct SpoilBody {
    spoil: Spoil,
}

async fn spoil(State(idp): State<Arc<SimIdp>>, axum::Json(b): axum::Json<SpoilBody>) -> StatusCode {
    idp.spoil_next(b.spoil);
    StatusCode::NO_CONTENT
}

/// 24 random bytes, base64url (codes, request ids, access tokens).
fn random() -> String {
    let mut bytes = [0u8; 24];
    // The operating system's randomness does not fail in practice; a zeroed id still works
    // for a simulator.
    let _ = getrandom::fill(&mut bytes);
    B64.encode(bytes)
}
