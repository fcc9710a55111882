//! The HTTP/JSON contract between our service and the other agencies' systems (through the
//! e-government gateway): paths, request and answer bodies, and headers. The HTTP client and the
//! simulator server both use these types, so they cannot drift apart. docs/integrations.md
//! describes the contract for the other side.

use domain::application::Application;
use domain::case::{AdbRecord, InvitationRecord};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Carries the caller's idempotency key: a repeated call with the same key gets the first answer.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";
/// Carries the HMAC-SHA256 of a callback (see [`crate::signature`]).
pub const SIGNATURE_HEADER: &str = "X-Shaqyru-Signature";
/// Carries the Unix time (seconds) a callback was signed at.
pub const TIMESTAMP_HEADER: &str = "X-Shaqyru-Timestamp";

pub const BURKIT_PERSONS: &str = "/burkit/persons";
pub const BURKIT_INVITATIONS: &str = "/burkit/invitations";
pub const ADB_CHECKS: &str = "/adb/checks";
pub const KNB_REQUESTS: &str = "/knb/coordination-requests";
pub const SC_DOCUMENTS: &str = "/sc/forwarded-documents";
pub const SC_EXTENSION_NOTICES: &str = "/sc/extension-notices";
pub const SC_RESULTS: &str = "/sc/results";

/// Which case a call concerns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CaseRef {
    pub case_id: String,
    pub reference: String,
}

/// A call that carries the application (Бүркіт data entry, АДБ check, KNB request).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ApplicationCall {
    #[serde(flatten)]
    pub case: CaseRef,
    /// The application as our API takes it (`ApplicationForm` in /api/openapi.json).
    #[schema(value_type = Object)]
    pub application: Application,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecordInvitationCall {
    #[serde(flatten)]
    pub case: CaseRef,
    /// The application as our API takes it (`ApplicationForm` in /api/openapi.json).
    #[schema(value_type = Object)]
    pub application: Application,
    #[schema(value_type = String, format = Date)]
    pub issued_on: Date,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ExtensionNoticeCall {
    #[serde(flatten)]
    pub case: CaseRef,
    pub days: u32,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ResultCall {
    #[serde(flatten)]
    pub case: CaseRef,
    /// `invitation` or `motivated_refusal`.
    pub result: String,
}

/// The other system's reference for what it recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Receipt {
    pub reference: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AdbAnswer {
    /// Each `{ person, ground, summary }`; empty: both persons are clear.
    #[schema(value_type = Vec<Object>)]
    pub records: Vec<AdbRecord>,
}

/// Бүркіт's record of an invitation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InvitationAnswer {
    /// Ten digits.
    pub registration_number: String,
    #[schema(value_type = String, format = Date)]
    pub issued_on: Date,
    #[schema(value_type = String, format = Date)]
    pub valid_until: Date,
}

impl From<InvitationRecord> for InvitationAnswer {
    fn from(r: InvitationRecord) -> Self {
        InvitationAnswer { registration_number: r.registration_number, issued_on: r.issued_on, valid_until: r.valid_until }
    }
}

impl From<InvitationAnswer> for InvitationRecord {
    fn from(a: InvitationAnswer) -> Self {
        InvitationRecord { registration_number: a.registration_number, issued_on: a.issued_on, valid_until: a.valid_until }
    }
}

/// The body of every error answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: String,
}
