//! Adapters to the external systems the regulation names: Бүркіт-ІІМ, the АДБ database, the
//! KNB and the State Corporation. Each is a trait with two implementations: `sim`, in-process
//! simulators whose answers are driven by a data file (the default), and the HTTP clients of the
//! contract in `contract` (crate `integrations-http`; served for tests by the simulator server).
//! `signature` signs and checks the inbound messages of the gateway.
//!
//! Invariant: knows domain types and the other systems' contract; never the store, the engine
//! or our own service's HTTP API.

pub mod contract;
pub mod signature;
pub mod sim;

use async_trait::async_trait;
use domain::application::Application;
use domain::case::{AdbRecord, InvitationRecord};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What every outgoing call carries: which case, and a key the remote side deduplicates on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallContext {
    pub case_id: String,
    pub reference: String,
    pub idempotency_key: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AdapterError {
    /// The system did not answer or answered with a failure; the call may be tried again.
    #[error("{system} is unavailable: {detail}")]
    Unavailable { system: &'static str, detail: String },
    /// The system refused the request; trying again will not help.
    #[error("{system} rejected the request: {detail}")]
    Rejected { system: &'static str, detail: String },
}

/// Бүркіт-ІІМ: data on the persons go in (P3); the invitation's number, issue date and
/// validity are recorded (P8).
#[async_trait]
pub trait Burkit: Send + Sync {
    /// Returns Бүркіт's record reference.
    async fn enter_persons(&self, ctx: &CallContext, application: &Application) -> Result<String, AdapterError>;
    async fn record_invitation(
        &self,
        ctx: &CallContext,
        application: &Application,
        issued_on: Date,
    ) -> Result<InvitationRecord, AdapterError>;
}

/// The АДБ database: records on both persons from the Committee on Legal Statistics (P4).
#[async_trait]
pub trait Adb: Send + Sync {
    /// An empty list means the persons are clear.
    async fn check_persons(&self, ctx: &CallContext, application: &Application) -> Result<Vec<AdbRecord>, AdapterError>;
}

/// The KNB: receives a request for coordination (P5); its answer arrives later, as an inbound
/// message, not as the answer to this call.
#[async_trait]
pub trait Knb: Send + Sync {
    async fn request_coordination(&self, ctx: &CallContext, application: &Application) -> Result<(), AdapterError>;
}

/// The State Corporation's system: documents forwarded to the provider (SC4), the extension
/// notice (P5n) and the result (P9) sent back. Each returns the State Corporation's reference.
#[async_trait]
pub trait StateCorporation: Send + Sync {
    async fn forward_documents(&self, ctx: &CallContext) -> Result<String, AdapterError>;
    async fn send_extension_notice(&self, ctx: &CallContext, days: u32, reason: &str) -> Result<String, AdapterError>;
    async fn send_result(&self, ctx: &CallContext, result: &str) -> Result<String, AdapterError>;
}

/// The KNB's answer to a coordination request, as it arrives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum KnbVerdict {
    Agree,
    Object,
    Extend { days: u32, reason: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnbAnswer {
    pub case_id: String,
    /// Unique per answer: the inbound side drops an answer it has already taken.
    pub message_id: String,
    #[serde(flatten)]
    pub verdict: KnbVerdict,
}

/// The set of adapters a server runs with.
#[derive(Clone)]
pub struct Systems {
    pub burkit: Arc<dyn Burkit>,
    pub adb: Arc<dyn Adb>,
    pub knb: Arc<dyn Knb>,
    pub sc: Arc<dyn StateCorporation>,
}
