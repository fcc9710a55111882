//! The gateway's inbound door: messages other agencies' systems send us (the KNB's answers),
//! authenticated by an HMAC signature over the body with a shared secret instead of a person's
//! token. A message with a bad or missing signature, or signed outside the replay window, is
//! refused before its body is even parsed; a valid one is then checked like the liaison's own
//! entry, deduplicated by its message id, and taken only if it fits the case's state.

use crate::AppState;
use crate::api::knb_answer_from;
use crate::error::{ApiError, ErrorBody};
use crate::wire::{CommandResponse, KnbAnswerBody};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Json;
use integrations::contract::{SIGNATURE_HEADER, TIMESTAMP_HEADER};
use integrations::signature;

/// The KNB's answer to a coordination request, from the KNB's system through the gateway.
#[utoipa::path(post, path = "/gateway/knb/answers", request_body = KnbAnswerBody,
    params(("X-Shaqyru-Signature" = String, Header, description = "sha256=<hex HMAC-SHA256 of \"{timestamp}.{body}\">"),
        ("X-Shaqyru-Timestamp" = String, Header, description = "Unix seconds when signed")),
    responses((status = 200, body = CommandResponse), (status = 401, body = ErrorBody, description = "bad or missing signature"),
        (status = 404, body = ErrorBody, description = "not_configured: this server has no gateway secret, so it takes no answers here"),
        (status = 409, body = ErrorBody, description = "the case is not waiting for this answer"), (status = 422, body = ErrorBody)))]
pub async fn knb_answer(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Json<CommandResponse>, ApiError> {
    let Some(secret) = &s.gateway_secret else {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "not_configured", "this server takes no signed gateway messages"));
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    // Freshness is a matter of the transport, so it is judged by the real clock even when the
    // engine runs on simulated time.
    let now = engine::Clock::now(&engine::SystemClock).as_second();
    signature::verify(secret, header(SIGNATURE_HEADER), header(TIMESTAMP_HEADER), &body, now).map_err(|e| {
        tracing::warn!(reason = %e, "gateway message refused");
        ApiError::new(StatusCode::UNAUTHORIZED, "bad_signature", e.to_string())
    })?;
    let parsed: KnbAnswerBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_json",
            format!("the body is not a KNB answer (line {} column {})", e.line(), e.column()),
        )
    })?;
    let answer = knb_answer_from(parsed)?;
    Ok(Json(s.engine.knb_answer(&s.engine.knb_gateway(), &answer).await?.into()))
}
