//! Who is calling: every API call is made as a user with a role and a unit, named by a bearer
//! token. (Sessions and sign-in pages come with the web UI.)

use crate::AppState;
use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use domain::{Actor, UserId};

/// The authenticated caller.
pub struct Caller(pub Actor);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let unauthorized =
            || ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "send \"Authorization: Bearer <token>\" with a valid token");
        let header = parts.headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or_else(unauthorized)?;
        let token = header.strip_prefix("Bearer ").ok_or_else(unauthorized)?.trim();
        let user = state.engine.authenticate(token).await?.ok_or_else(unauthorized)?;
        Ok(Caller(Actor { user: UserId(user.id.into()), role: user.role.into(), unit: user.unit.into() }))
    }
}

/// Where the request came from, for the access log: the connection's address as this server
/// sees it (a proxy in front shows as the proxy). Never refuses: a server started without
/// connect info gives an unknown origin.
pub struct ClientOrigin(pub engine::Origin);

impl ClientOrigin {
    pub fn of(parts: &Parts) -> engine::Origin {
        engine::Origin(parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|info| info.0.ip()))
    }
}

impl<S: Sync> FromRequestParts<S> for ClientOrigin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientOrigin(ClientOrigin::of(parts)))
    }
}

/// The `Idempotency-Key` header every command must carry.
pub struct IdempotencyKey(pub String);

impl<S: Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let key = parts.headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::trim).unwrap_or("");
        if key.is_empty() || key.len() > 200 {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "idempotency_key_required",
                "send an \"Idempotency-Key\" header (1 to 200 characters) with every command, and the same one when you retry it",
            ));
        }
        Ok(IdempotencyKey(key.to_owned()))
    }
}
