//! The OpenAPI document of the JSON API, served at /api/openapi.json.

use crate::api;
use crate::error::{ErrorBody, ErrorDetail};
use crate::wire::*;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Shaqyru API", description = "Case management for issuing invitations for entry into Kazakhstan on private matters (regulation of MVD Order No. 178, 2018). Every call is made as a user with a role and a unit (bearer token); every command carries an Idempotency-Key."),
    paths(api::me, api::editions, api::edition, api::open_case, api::list_cases, api::read_case, api::perform, api::tasks, api::knb_answer, crate::gateway::knb_answer, crate::documents::download, crate::documents::revoke, crate::documents::verify_json, api::outbox, api::retry_outbox, api::compliance),
    components(schemas(ErrorBody, ErrorDetail, ApplicationForm, ApplicantForm, InviteeForm, OpenCaseRequest, InputBody, PerformBody,
        KnbAnswerBody, CommandResponse, Text, TaskItem, CaseListItem, ActionItem, OutcomeItem, HistoryItem, OutboxItem, CaseDetail, Me, EditionItem,
        ComplianceReportResponse, ComplianceRowItem, crate::documents::VerifyResponse, crate::documents::VerifyInvitee)),
    modifiers(&Bearer)
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
        }
    }
}
