//! HTTP/JSON adapters to the external systems, speaking `integrations::contract`. Every call carries
//! the idempotency key and the gateway's credentials and has a timeout. A refused connection, a
//! timeout, 408, 429 and any 5xx answer are `Unavailable` (trying again may help); other 4xx
//! answers are `Rejected`. Error details name the system and the status, never a body field
//! that could hold personal data.
//!
//! Invariant: an HTTP client only; the engine sees these adapters through the integrations
//! traits and never links this crate.

use async_trait::async_trait;
use domain::application::Application;
use domain::case::{AdbRecord, InvitationRecord};
use integrations::contract::{
    self, AdbAnswer, ApplicationCall, CaseRef, ErrorBody, ExtensionNoticeCall, Receipt, RecordInvitationCall, ResultCall,
};
use integrations::{AdapterError, Adb, Burkit, CallContext, Knb, StateCorporation};
use jiff::civil::Date;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Where one system is reached and how.
#[derive(Clone)]
pub struct Endpoint {
    /// e.g. `https://gateway.example.kz/shaqyru` (the contract's paths are appended).
    pub base_url: String,
    /// Sent as `Authorization: Bearer …`; from the environment, never logged.
    pub token: Option<String>,
    pub timeout: Duration,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint").field("base_url", &self.base_url).field("timeout", &self.timeout).finish_non_exhaustive()
    }
}

/// One system's HTTP adapter.
pub struct HttpSystem {
    system: &'static str,
    endpoint: Endpoint,
    client: reqwest::Client,
}

impl HttpSystem {
    pub fn new(system: &'static str, endpoint: Endpoint) -> Result<HttpSystem, String> {
        let client = reqwest::Client::builder()
            .timeout(endpoint.timeout)
            .connect_timeout(endpoint.timeout.min(Duration::from_secs(5)))
            .build()
            .map_err(|e| format!("{system}: cannot build an HTTP client: {e}"))?;
        if !(endpoint.base_url.starts_with("http://") || endpoint.base_url.starts_with("https://")) {
            return Err(format!("{system}: \"{}\" is not an http(s) URL", endpoint.base_url));
        }
        Ok(HttpSystem { system, endpoint, client })
    }

    async fn call<B: Serialize, A: DeserializeOwned>(&self, path: &str, ctx: &CallContext, body: &B) -> Result<A, AdapterError> {
        let url = format!("{}{path}", self.endpoint.base_url.trim_end_matches('/'));
        let mut req = self.client.post(&url).header(contract::IDEMPOTENCY_HEADER, &ctx.idempotency_key).json(body);
        if let Some(token) = &self.endpoint.token {
            req = req.bearer_auth(token);
        }
        let unavailable = |detail: String| AdapterError::Unavailable { system: self.system, detail };
        let answer = req.send().await.map_err(|e| {
            unavailable(if e.is_timeout() {
                format!("no answer within {:?}", self.endpoint.timeout)
            } else if e.is_connect() {
                "cannot connect".to_owned()
            } else {
                "the request failed in transit".to_owned()
            })
        })?;
        let status = answer.status();
        if status.is_success() {
            return answer
                .json::<A>()
                .await
                .map_err(|_| unavailable(format!("answered {status} with a body that does not fit the contract")));
        }
        // The error text is the other system's own; it is shown to staff, so keep it short.
        let text = answer.json::<ErrorBody>().await.map(|b| b.error.chars().take(200).collect::<String>()).unwrap_or_default();
        let detail = if text.is_empty() { format!("answered {status}") } else { format!("answered {status}: {text}") };
        if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
            Err(unavailable(detail))
        } else {
            Err(AdapterError::Rejected { system: self.system, detail })
        }
    }
}

fn case(ctx: &CallContext) -> CaseRef {
    CaseRef { case_id: ctx.case_id.clone(), reference: ctx.reference.clone() }
}

fn with_application(ctx: &CallContext, application: &Application) -> ApplicationCall {
    ApplicationCall { case: case(ctx), application: application.clone() }
}

#[async_trait]
impl Burkit for HttpSystem {
    async fn enter_persons(&self, ctx: &CallContext, application: &Application) -> Result<String, AdapterError> {
        let r: Receipt = self.call(contract::BURKIT_PERSONS, ctx, &with_application(ctx, application)).await?;
        Ok(r.reference)
    }

    async fn record_invitation(
        &self,
        ctx: &CallContext,
        application: &Application,
        issued_on: Date,
    ) -> Result<InvitationRecord, AdapterError> {
        let body = RecordInvitationCall { case: case(ctx), application: application.clone(), issued_on };
        let answer: contract::InvitationAnswer = self.call(contract::BURKIT_INVITATIONS, ctx, &body).await?;
        Ok(answer.into())
    }
}

#[async_trait]
impl Adb for HttpSystem {
    async fn check_persons(&self, ctx: &CallContext, application: &Application) -> Result<Vec<AdbRecord>, AdapterError> {
        let a: AdbAnswer = self.call(contract::ADB_CHECKS, ctx, &with_application(ctx, application)).await?;
        Ok(a.records)
    }
}

#[async_trait]
impl Knb for HttpSystem {
    async fn request_coordination(&self, ctx: &CallContext, application: &Application) -> Result<(), AdapterError> {
        let _: Receipt = self.call(contract::KNB_REQUESTS, ctx, &with_application(ctx, application)).await?;
        Ok(())
    }
}

#[async_trait]
impl StateCorporation for HttpSystem {
    async fn forward_documents(&self, ctx: &CallContext) -> Result<String, AdapterError> {
        let r: Receipt = self.call(contract::SC_DOCUMENTS, ctx, &case(ctx)).await?;
        Ok(r.reference)
    }

    async fn send_extension_notice(&self, ctx: &CallContext, days: u32, reason: &str) -> Result<String, AdapterError> {
        let body = ExtensionNoticeCall { case: case(ctx), days, reason: reason.to_owned() };
        let r: Receipt = self.call(contract::SC_EXTENSION_NOTICES, ctx, &body).await?;
        Ok(r.reference)
    }

    async fn send_result(&self, ctx: &CallContext, result: &str) -> Result<String, AdapterError> {
        let body = ResultCall { case: case(ctx), result: result.to_owned() };
        let r: Receipt = self.call(contract::SC_RESULTS, ctx, &body).await?;
        Ok(r.reference)
    }
}
