//! The documents over HTTP: a case's PDFs for those who may read the case, revocation for
//! administrators, and the public verification of an invitation (an HTML page and JSON), which
//! needs no sign-in and is rate-limited per client address.

use crate::AppState;
use crate::auth::{Caller, ClientOrigin};
use crate::error::ApiError;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use documents::VerificationStatus;
use domain::CaseId;
use engine::Verified;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How many verification requests one client address may make at once, and how fast its
/// allowance comes back. Enough for a border post checking a queue of travellers; far too
/// little to walk through codes (which are 160 random bits anyway).
pub const VERIFY_BURST: u32 = 20;
pub const VERIFY_REFILL_PER_MINUTE: u32 = 30;

pub fn routes() -> Router<AppState> {
    let limiter = Arc::new(RateLimiter::new(VERIFY_BURST, VERIFY_REFILL_PER_MINUTE));
    let public = Router::new()
        .route("/verify/{code}", get(verify_page))
        .route("/api/verify/{code}", get(verify_json))
        .route_layer(axum::middleware::from_fn_with_state(limiter, rate_limit));
    Router::new()
        .route("/api/cases/{case_id}/documents/{document}", get(download))
        .route("/api/invitations/{number}/revoke", post(revoke))
        .merge(public)
}

#[derive(Deserialize)]
pub struct DownloadQuery {
    /// `kk`, `ru` or `kk-ru` (where the form is bilingual); default `kk`.
    lang: Option<String>,
}

/// A case's document as a printable A4 PDF, for whoever may read the case.
#[utoipa::path(get, path = "/api/cases/{case_id}/documents/{document}",
    params(("case_id" = String, Path), ("document" = String, Path, description = "e.g. invitation, acceptance_receipt"),
        ("lang" = Option<String>, Query, description = "kk (default), ru, or kk-ru where the form is bilingual")),
    responses((status = 200, content_type = "application/pdf", description = "the document; its content hash in X-Document-Hash"),
        (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody, description = "the KNB liaison, who reads only the coordination request"),
        (status = 404, body = crate::error::ErrorBody), (status = 410, body = crate::error::ErrorBody, description = "case_purged")),
    security(("bearer" = [])))]
pub async fn download(
    State(s): State<AppState>,
    Caller(actor): Caller,
    ClientOrigin(origin): ClientOrigin,
    Path((case_id, document)): Path<(String, String)>,
    crate::error::ApiQuery(q): crate::error::ApiQuery<DownloadQuery>,
) -> Result<Response, ApiError> {
    let rendered = s.engine.document_pdf(&actor, &CaseId(case_id), &document, q.lang.as_deref(), origin).await?;
    let disposition = format!("inline; filename=\"{}\"", rendered.file_name.replace(['"', '\\', '\r', '\n'], "_"));
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            // It carries personal data: never kept by shared caches.
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
            (header::HeaderName::from_static("x-document-hash"), rendered.hash),
        ],
        rendered.pdf,
    )
        .into_response())
}

/// Revokes an invitation by its registration number (administrators).
#[utoipa::path(post, path = "/api/invitations/{number}/revoke", params(("number" = String, Path)),
    responses((status = 204, description = "revoked; verification answers \"revoked\" from now on"),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn revoke(State(s): State<AppState>, Caller(actor): Caller, Path(number): Path<String>) -> Result<StatusCode, ApiError> {
    s.engine.revoke_invitation(&actor, &number).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The public answer about an invitation, as JSON.
#[derive(Serialize, utoipa::ToSchema)]
pub struct VerifyResponse {
    /// `valid`, `revoked`, `expired`, `unknown` or `bad_signature`.
    #[schema(value_type = String)]
    pub status: VerificationStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_number: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub invitees: Vec<VerifyInvitee>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_on: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct VerifyInvitee {
    pub initials: String,
    pub citizenship: String,
}

impl From<Verified> for VerifyResponse {
    fn from(v: Verified) -> Self {
        VerifyResponse {
            status: v.status,
            registration_number: v.registration_number,
            invitees: v.invitees.into_iter().map(|i| VerifyInvitee { initials: i.initials, citizenship: i.citizenship }).collect(),
            issued_on: v.issued_on.map(|d| d.to_string()),
            valid_until: v.valid_until.map(|d| d.to_string()),
            revoked_on: v.revoked_on.map(|d| d.to_string()),
        }
    }
}

/// Public, without sign-in: whether an invitation's verification code (from its QR code) belongs
/// to a valid, revoked or expired invitation, with only the data needed to compare the paper.
/// Rate-limited per client address.
#[utoipa::path(get, path = "/api/verify/{code}", params(("code" = String, Path)),
    responses((status = 200, body = VerifyResponse), (status = 429, description = "too many checks from this address")))]
pub async fn verify_json(State(s): State<AppState>, Path(code): Path<String>) -> Result<Response, ApiError> {
    let answer = VerifyResponse::from(s.engine.verify_invitation(&code).await?);
    let mut response = Json(answer).into_response();
    public_headers(&mut response);
    Ok(response)
}

/// The page the invitation's QR code opens. Every value is escaped as it is written.
pub async fn verify_page(State(s): State<AppState>, Path(code): Path<String>) -> Result<Response, ApiError> {
    let v = VerifyResponse::from(s.engine.verify_invitation(&code).await?);
    let mut page = Html::default();
    page.raw("<!doctype html><html lang=\"kk\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">");
    page.raw("<title>Шақыруды тексеру / Проверка приглашения</title>");
    page.raw("<style>body{font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em}.s{font-size:1.5em;font-weight:bold}");
    page.raw(".valid{color:#00703c}.other{color:#d4351c}dt{font-weight:bold}</style></head><body>");
    page.raw("<h1>Шақыруды тексеру / Проверка приглашения / Invitation check</h1>");
    let (class, kk, ru, en) = status_words(v.status);
    page.raw("<p class=\"s ");
    page.text(class);
    page.raw("\">");
    page.text(&format!("{kk} / {ru} / {en}"));
    page.raw("</p>");
    if let Some(number) = &v.registration_number {
        page.raw("<dl><dt>Тіркеу нөмірі / Регистрационный номер</dt><dd>");
        page.text(number);
        page.raw("</dd>");
        for i in &v.invitees {
            page.raw("<dt>Шақырылатын адам / Приглашённый</dt><dd>");
            page.text(&format!("{} ({})", i.initials, i.citizenship));
            page.raw("</dd>");
        }
        for (label, value) in [
            ("Берілген күні / Дата выдачи", &v.issued_on),
            ("Жарамды / Действительно до", &v.valid_until),
            ("Кері қайтарылды / Отозвано", &v.revoked_on),
        ] {
            if let Some(value) = value {
                page.raw("<dt>");
                page.text(label);
                page.raw("</dt><dd>");
                page.text(value);
                page.raw("</dd>");
            }
        }
        page.raw("</dl>");
    }
    page.raw("<p>Қағаздағы деректермен салыстырыңыз. / Сверьте с данными на бумаге. / Compare with the paper.</p></body></html>");
    let mut response = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page.0).into_response();
    public_headers(&mut response);
    response
        .headers_mut()
        .insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"));
    Ok(response)
}

fn status_words(status: VerificationStatus) -> (&'static str, &'static str, &'static str, &'static str) {
    match status {
        VerificationStatus::Valid => ("valid", "Жарамды", "Действительно", "Valid"),
        VerificationStatus::Revoked => ("other", "Кері қайтарылған", "Отозвано", "Revoked"),
        VerificationStatus::Expired => ("other", "Мерзімі өткен", "Срок истёк", "Expired"),
        VerificationStatus::Unknown => ("other", "Табылмады", "Не найдено", "Unknown"),
        VerificationStatus::BadSignature => ("other", "Қолтаңба жарамсыз", "Подпись недействительна", "Bad signature"),
    }
}

/// Answers about one invitation are not to be kept by caches or indexed.
fn public_headers(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::HeaderName::from_static("x-robots-tag"), HeaderValue::from_static("noindex"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
}

/// HTML built from fixed markup and escaped text: the only way text gets into the page.
#[derive(Default)]
struct Html(String);

impl Html {
    /// Markup written in this file, never data.
    fn raw(&mut self, markup: &'static str) {
        self.0.push_str(markup);
    }

    fn text(&mut self, text: &str) {
        for c in text.chars() {
            match c {
                '&' => self.0.push_str("&amp;"),
                '<' => self.0.push_str("&lt;"),
                '>' => self.0.push_str("&gt;"),
                '"' => self.0.push_str("&quot;"),
                '\'' => self.0.push_str("&#39;"),
                c => self.0.push(c),
            }
        }
    }
}

/// A token bucket per client address, in this process's memory. Several replicas each keep
/// their own, so a client spread over N replicas gets up to N times the allowance; that still
/// makes guessing 160-bit codes hopeless, and needs no shared state.
pub struct RateLimiter {
    burst: f64,
    per_second: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

/// Beyond this many remembered addresses, the full buckets are forgotten.
const MAX_TRACKED: usize = 10_000;

impl RateLimiter {
    pub fn new(burst: u32, per_minute: u32) -> RateLimiter {
        RateLimiter { burst: f64::from(burst), per_second: f64::from(per_minute) / 60.0, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one token for `ip` at `now`; the wait until the next one if there is none.
    fn take(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() >= MAX_TRACKED {
            let (burst, per_second) = (self.burst, self.per_second);
            buckets.retain(|_, (tokens, at)| *tokens + now.saturating_duration_since(*at).as_secs_f64() * per_second < burst);
        }
        let (tokens, at) = buckets.entry(ip).or_insert((self.burst, now));
        *tokens = (*tokens + now.saturating_duration_since(*at).as_secs_f64() * self.per_second).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / self.per_second))
        }
    }
}

async fn rate_limit(State(limiter): State<Arc<RateLimiter>>, request: Request, next: Next) -> Response {
    // Without the connection's address (a server not started with connect info) every client
    // shares one allowance: stricter, never looser.
    let ip = request.extensions().get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::from([0, 0, 0, 0]), |ConnectInfo(addr)| addr.ip());
    match limiter.take(ip, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            let mut response =
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many verification requests; try again shortly")
                    .into_response();
            let seconds = wait.as_secs().max(1).to_string();
            if let Ok(value) = HeaderValue::from_str(&seconds) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_burst_then_waits_for_the_refill_and_others_are_not_affected() {
        let limiter = RateLimiter::new(3, 60);
        let (a, b) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.take(a, t0).is_ok());
        }
        let wait = limiter.take(a, t0).unwrap_err();
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
        assert!(limiter.take(b, t0).is_ok(), "another address has its own bucket");
        assert!(limiter.take(a, t0 + Duration::from_secs(1)).is_ok(), "one token back after a second");
        assert!(limiter.take(a, t0 + Duration::from_secs(1)).is_err());
    }

    #[test]
    fn text_is_escaped_and_markup_is_not() {
        let mut page = Html::default();
        page.raw("<p>");
        page.text("<script>alert('x') & \"y\"</script>");
        assert_eq!(page.0, "<p>&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
    }
}
