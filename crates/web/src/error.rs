//! One error type for the API: client errors carry a stable code, a message and, for forms,
//! the bad fields; server errors say nothing of their cause and are logged once.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::Refusal;
use domain::application::FieldError;
use engine::EngineError;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub fields: Vec<FieldError>,
}

/// The body of every error answer.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, for programs and translations, e.g. `wrong_role`, `version_conflict`.
    pub code: String,
    pub message: String,
    /// For an invalid form: each bad field with its own code and message.
    #[schema(value_type = Vec<Object>)]
    pub fields: Vec<FieldError>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError { status, code: code.to_owned(), message: message.into(), fields: Vec::new() }
    }
}

fn refusal_status(r: &Refusal) -> StatusCode {
    use Refusal::*;
    match r {
        NotAllowedToOpen { .. } | OpenForOtherUnit { .. } | WrongRole { .. } | WrongUnit { .. } | AssignedToSomeoneElse { .. } => {
            StatusCode::FORBIDDEN
        }
        NoSuchCase => StatusCode::NOT_FOUND,
        AlreadyOpen | CaseClosed | StepNotOpen { .. } | OutcomeNotAllowed { .. } => StatusCode::CONFLICT,
        UnknownStep { .. }
        | UnknownOutcome { .. }
        | OutcomeNeeded { .. }
        | ChosenBySystem { .. }
        | AnswerNeeded { .. }
        | UnexpectedAnswer { .. }
        | InputNeeded { .. }
        | InputNotExpected { .. }
        | BadInput { .. } => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> ApiError {
        match e {
            EngineError::Refused(r) => {
                let code = serde_json::to_value(&r)
                    .ok()
                    .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_owned))
                    .unwrap_or_else(|| "refused".into());
                ApiError::new(refusal_status(&r), &code, r.to_string())
            }
            EngineError::Invalid(fields) => ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "invalid_application".into(),
                message: format!("the application has {} invalid field(s)", fields.len()),
                fields,
            },
            EngineError::NotFound(what) => ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("{what} not found")),
            e @ EngineError::Purged { .. } => ApiError::new(StatusCode::GONE, "case_purged", e.to_string()),
            EngineError::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", m),
            e @ EngineError::Conflict { .. } => ApiError::new(StatusCode::CONFLICT, "version_conflict", e.to_string()),
            e @ EngineError::KeyReused => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused", e.to_string()),
            EngineError::BadRequest(m) => ApiError::new(StatusCode::BAD_REQUEST, "bad_request", m),
            e @ EngineError::OutboxNotDead { .. } => ApiError::new(StatusCode::CONFLICT, "outbox_not_dead", e.to_string()),
            EngineError::Unavailable(e) => {
                tracing::warn!(error = %e, "external system unavailable");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "system_unavailable", format!("{e}; nothing was changed, try again"))
            }
            EngineError::NoSigningKey(m) => ApiError::new(StatusCode::CONFLICT, "no_signing_key", m),
            e @ (EngineError::Regulation(_) | EngineError::Store(_) | EngineError::Document(_)) => {
                tracing::error!(error = ?e, "request failed");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the server failed; nothing was changed")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody { error: ErrorDetail { code: self.code, message: self.message, fields: self.fields } };
        (self.status, Json(body)).into_response()
    }
}

/// `Query<T>` whose rejection (a parameter missing or of the wrong type) is the API's JSON
/// error, `400 bad_parameter`, naming the parameter, instead of axum's plain text.
pub struct ApiQuery<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(ApiError::new(StatusCode::BAD_REQUEST, "bad_parameter", rejection.body_text())),
        }
    }
}
