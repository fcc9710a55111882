//! The OpenID Connect relying party for signing in to the web UI through an identity provider
//! (issue 8): discovery, the authorization code flow with PKCE, state and nonce, and the ID
//! token's checks (signature against the provider's published keys, issuer, audience, expiry,
//! nonce), all by the `openidconnect` crate over our own reqwest client.
//!
//! It answers one question: which subject (`sub`) did the provider sign in? Whether that
//! subject may use the service, and as whom, is the engine's business (a local account linked
//! to the subject); the pages, cookies and redirects are the web crate's.
//!
//! Invariant: knows the OpenID Connect protocol and an HTTP client; not our store, engine or
//! pages. Nothing here logs a code, a token, a state, a nonce or a subject.

mod http;

use jiff::Timestamp;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreJwsSigningAlgorithm, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope, SignatureVerificationError,
    TokenResponse,
};
use std::fmt;
use std::time::Duration;
use tokio::sync::RwLock;

/// What the service is registered at the provider as.
#[derive(Clone)]
pub struct Config {
    /// The provider's issuer identifier; its discovery document is at
    /// `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    /// The client secret (a confidential client: the token request authenticates with it).
    pub client_secret: String,
    /// Where the provider sends the browser back: `{public_url}/login/oidc/callback`.
    pub redirect_url: String,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("redirect_url", &self.redirect_url)
            .finish_non_exhaustive()
    }
}

/// Why a sign-in through the provider did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OidcError {
    /// The settings cannot work (a URL that does not parse, a provider without a token endpoint).
    #[error("the OpenID Connect settings are wrong: {0}")]
    Misconfigured(String),
    /// The provider could not be reached or answered nonsense (discovery, keys, token endpoint).
    #[error("the identity provider is unreachable: {0}")]
    Unreachable(String),
    /// The browser came back without the sign-in this browser started (no pending sign-in, or
    /// another `state`): a forged or stale link.
    #[error("the sign-in response does not belong to a sign-in started here")]
    StateMismatch,
    /// The provider reported an error instead of a code (the person cancelled, say).
    #[error("the identity provider refused the sign-in: {0}")]
    Denied(String),
    /// The token endpoint refused the code (already used, expired, or not ours).
    #[error("the identity provider refused the authorization code: {0}")]
    CodeRefused(String),
    /// The ID token failed a check (signature, issuer, audience, expiry, nonce) or was missing.
    #[error("the ID token is not acceptable: {0}")]
    BadIdToken(String),
}

/// The secrets of one sign-in in progress, kept by the browser (in a cookie) between leaving
/// for the provider and coming back. `Debug` shows none of them.
#[derive(Clone)]
pub struct Pending {
    state: String,
    nonce: String,
    pkce_verifier: String,
}

impl fmt::Debug for Pending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pending { .. }")
    }
}

impl Pending {
    /// The pending sign-in as one cookie value (three base64url parts joined by `.`).
    pub fn encode(&self) -> String {
        format!("{}.{}.{}", self.state, self.nonce, self.pkce_verifier)
    }

    /// The pending sign-in from a cookie value; `None` when it is not one.
    pub fn decode(value: &str) -> Option<Pending> {
        let mut parts = value.split('.');
        let (state, nonce, pkce_verifier) = (parts.next()?, parts.next()?, parts.next()?);
        let ok = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        (parts.next().is_none() && ok(state) && ok(nonce) && ok(pkce_verifier)).then(|| Pending {
            state: state.to_owned(),
            nonce: nonce.to_owned(),
            pkce_verifier: pkce_verifier.to_owned(),
        })
    }

    /// Whether `returned` is this sign-in's state, compared in constant time.
    fn state_matches(&self, returned: &str) -> bool {
        let (a, b) = (self.state.as_bytes(), returned.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// Where to send the browser, and what it must bring back.
#[derive(Debug)]
pub struct Start {
    /// The provider's authorization URL with our client id, redirect URI, state, nonce and
    /// PKCE challenge.
    pub url: String,
    pub pending: Pending,
}

/// What the browser brings back to the redirect URI.
#[derive(Clone, Default)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    /// The provider's error code (`access_denied`…), when it sends one instead of a code.
    pub error: Option<String>,
}

/// The client as the crate's typestate makes it from discovery: the authorization endpoint is
/// set, the token and user-info endpoints may be.
type Client = CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

/// Signing algorithms accepted on ID tokens: public-key ones only, so that a token can only
/// come from whoever holds the provider's private key (not from anyone who knows our secret).
const ALGORITHMS: [CoreJwsSigningAlgorithm; 7] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// The relying party: the settings, an HTTP client, and the provider's metadata and keys once
/// discovered (fetched again when a token names a key we do not have: the provider rotated).
pub struct RelyingParty {
    config: Config,
    issuer: IssuerUrl,
    redirect: RedirectUrl,
    http: http::Http,
    provider: RwLock<Option<CoreProviderMetadata>>,
}

impl fmt::Debug for RelyingParty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RelyingParty").field("config", &self.config).finish_non_exhaustive()
    }
}

impl RelyingParty {
    /// Checks the settings' URLs; nothing is fetched yet (see [`RelyingParty::discover`]).
    pub fn new(config: Config) -> Result<RelyingParty, OidcError> {
        let issuer = IssuerUrl::new(config.issuer.clone()).map_err(|e| OidcError::Misconfigured(format!("the issuer URL: {e}")))?;
        let redirect =
            RedirectUrl::new(config.redirect_url.clone()).map_err(|e| OidcError::Misconfigured(format!("the redirect URL: {e}")))?;
        if config.client_id.trim().is_empty() {
            return Err(OidcError::Misconfigured("the client id is empty".into()));
        }
        let http = http::Http::new(Duration::from_secs(10)).map_err(OidcError::Misconfigured)?;
        Ok(RelyingParty { config, issuer, redirect, http, provider: RwLock::new(None) })
    }

    /// The issuer this party trusts.
    pub fn issuer(&self) -> &str {
        &self.config.issuer
    }

    /// Fetches the provider's discovery document and keys now (at start-up, or again after a
    /// key rotation). The document must name the configured issuer exactly.
    pub async fn discover(&self) -> Result<(), OidcError> {
        let metadata = CoreProviderMetadata::discover_async(self.issuer.clone(), &self.http)
            .await
            .map_err(|e| OidcError::Unreachable(format!("discovery at {}: {}", self.config.issuer, error_chain(&e))))?;
        if metadata.token_endpoint().is_none() {
            return Err(OidcError::Misconfigured("the provider's discovery document names no token endpoint".into()));
        }
        *self.provider.write().await = Some(metadata);
        tracing::info!(oidc.issuer = %self.config.issuer, "identity provider discovered");
        Ok(())
    }

    /// The client, discovering the provider first if that has not been done.
    async fn client(&self) -> Result<Client, OidcError> {
        if self.provider.read().await.is_none() {
            self.discover().await?;
        }
        let metadata = self.provider.read().await.clone().ok_or_else(|| OidcError::Unreachable("no discovery document".into()))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.clone())),
        )
        .set_redirect_uri(self.redirect.clone()))
    }

    /// Starts a sign-in: fresh state, nonce and PKCE verifier (S256), and the URL to send the
    /// browser to with the `openid` scope.
    pub async fn start(&self) -> Result<Start, OidcError> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scope(Scope::new("openid".into()))
            .set_pkce_challenge(challenge)
            .url();
        let pending = Pending { state: state.secret().clone(), nonce: nonce.secret().clone(), pkce_verifier: verifier.secret().clone() };
        Ok(Start { url: url.to_string(), pending })
    }

    /// Finishes a sign-in: the state must be the pending one; the code is exchanged (with the
    /// PKCE verifier and our secret) for an ID token, whose signature, issuer, audience, expiry
    /// (against `now`) and nonce are checked. Returns the subject the provider signed in.
    pub async fn finish(&self, pending: Option<&Pending>, back: &Callback, now: Timestamp) -> Result<String, OidcError> {
        let Some(pending) = pending.filter(|p| back.state.as_deref().is_some_and(|s| p.state_matches(s))) else {
            return Err(OidcError::StateMismatch);
        };
        if let Some(error) = &back.error {
            return Err(OidcError::Denied(error.chars().filter(|c| c.is_ascii_graphic()).take(64).collect()));
        }
        let code = back.code.clone().filter(|c| !c.is_empty()).ok_or_else(|| OidcError::CodeRefused("no code came back".into()))?;
        let client = self.client().await?;
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| OidcError::Misconfigured(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => OidcError::CodeRefused(r.error().to_string()),
                RequestTokenError::Request(e) => OidcError::Unreachable(format!("the token endpoint: {e}")),
                other => OidcError::Unreachable(format!("the token endpoint: {}", error_chain(&other))),
            })?;
        let token = response.id_token().ok_or_else(|| OidcError::BadIdToken("the token response has no ID token".into()))?;
        let nonce = Nonce::new(pending.nonce.clone());
        let at = chrono::DateTime::from_timestamp(now.as_second(), 0).ok_or_else(|| OidcError::BadIdToken("the time".into()))?;
        let verify = |client: &Client| {
            let verifier = client.id_token_verifier().set_allowed_algs(ALGORITHMS).set_time_fn(move || at);
            token.claims(&verifier, &nonce).map(|c| c.subject().to_string())
        };
        match verify(&client) {
            Ok(subject) => Ok(subject),
            // A key we do not know: the provider may have rotated its keys since discovery.
            Err(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey)) => {
                self.discover().await?;
                verify(&self.client().await?).map_err(refusal)
            }
            Err(e) => Err(refusal(e)),
        }
    }
}

/// A failed ID token check, in words that name the check and never the token's content.
fn refusal(e: ClaimsVerificationError) -> OidcError {
    let what = match e {
        ClaimsVerificationError::Expired(_) => "it has expired",
        ClaimsVerificationError::InvalidAudience(_) => "it was issued for another client (audience)",
        ClaimsVerificationError::InvalidIssuer(_) => "it was issued by another issuer",
        ClaimsVerificationError::InvalidNonce(_) => "its nonce is not this sign-in's",
        ClaimsVerificationError::SignatureVerification(_) => "its signature does not verify against the provider's keys",
        ClaimsVerificationError::InvalidSubject(_) => "its subject is invalid",
        _ => "a claim does not verify",
    };
    OidcError::BadIdToken(what.to_owned())
}

/// An error with its sources, one after the other.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending() -> Pending {
        Pending { state: "st-1_A".into(), nonce: "no-2".into(), pkce_verifier: "ver_3".into() }
    }

    #[test]
    fn a_pending_sign_in_survives_its_cookie_and_nothing_else_passes_for_one() {
        let p = Pending::decode(&pending().encode()).expect("it decodes");
        assert_eq!((p.state.as_str(), p.nonce.as_str(), p.pkce_verifier.as_str()), ("st-1_A", "no-2", "ver_3"));
        for bad in ["", "a.b", "a.b.c.d", "a..c", "a.b.c d", "a.b.c;x", "é.b.c"] {
            assert!(Pending::decode(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn the_pending_secrets_never_show_in_debug() {
        let shown = format!("{:?}", pending());
        assert!(!shown.contains("st-1") && !shown.contains("no-2") && !shown.contains("ver_3"), "{shown}");
        let config =
            Config { issuer: "http://idp".into(), client_id: "c".into(), client_secret: "s3cret".into(), redirect_url: "x".into() };
        assert!(!format!("{config:?}").contains("s3cret"));
    }

    #[tokio::test]
    async fn a_callback_without_the_pending_state_is_refused_before_anything_is_fetched() {
        // The issuer is unreachable: a fetch would answer `Unreachable`, not `StateMismatch`.
        let config = Config {
            issuer: "http://127.0.0.1:9".into(),
            client_id: "shaqyru".into(),
            client_secret: "secret".into(),
            redirect_url: "http://127.0.0.1:1/login/oidc/callback".into(),
        };
        let rp = RelyingParty::new(config).unwrap();
        let back = |state: &str| Callback { code: Some("code".into()), state: Some(state.into()), error: None };
        let now = Timestamp::UNIX_EPOCH;
        assert_eq!(rp.finish(None, &back("st-1_A"), now).await, Err(OidcError::StateMismatch), "no pending sign-in");
        assert_eq!(rp.finish(Some(&pending()), &back("st-1_B"), now).await, Err(OidcError::StateMismatch), "another state");
        assert_eq!(rp.finish(Some(&pending()), &Callback::default(), now).await, Err(OidcError::StateMismatch), "no state");
        assert!(matches!(rp.finish(Some(&pending()), &back("st-1_A"), now).await, Err(OidcError::Unreachable(_))), "the right state");
    }

    #[test]
    fn bad_settings_are_named() {
        let config = |issuer: &str, redirect: &str| Config {
            issuer: issuer.into(),
            client_id: "c".into(),
            client_secret: "s".into(),
            redirect_url: redirect.into(),
        };
        let e = RelyingParty::new(config("not a url", "http://x/cb")).unwrap_err();
        assert!(e.to_string().contains("issuer"), "{e}");
        let e = RelyingParty::new(config("http://idp", "nope")).unwrap_err();
        assert!(e.to_string().contains("redirect"), "{e}");
    }
}
