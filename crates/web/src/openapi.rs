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
    modifiers(&Bearer, &CommonAnswers)
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

/// Answers every operation can give that the handlers' own annotations would each have to
/// repeat: `401` wherever a bearer token is required (none, unknown, or of a disabled account),
/// and `400` for a request whose query, path or body does not parse. Both have the API's error
/// shape. An operation that documents its own `400` keeps its description.
struct CommonAnswers;

impl Modify for CommonAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let answer = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build())
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for operation in operations.into_iter().flatten() {
                let answers = &mut operation.responses.responses;
                answers
                    .entry("400".into())
                    .or_insert_with(|| answer("a malformed request: a query parameter, path or body that does not parse, named").into());
                if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    answers.entry("401".into()).or_insert_with(|| answer("no bearer token, or one no active account has").into());
                }
            }
        }
    }
}
