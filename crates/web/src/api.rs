//! The JSON API handlers: each parses its input, calls one engine method and renders.

use crate::AppState;
use crate::auth::{Caller, ClientOrigin, IdempotencyKey};
use crate::error::{ApiError, ApiQuery, ErrorBody};
use crate::openapi::ApiDoc;
use crate::wire::*;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::case::{self, Case, CaseId, DeadlineStatus, EventKind};
use domain::definition::Definition;
use domain::{Actor, Event};
use engine::{CaseView, PerformRequest};
use integrations::{KnbAnswer, KnbVerdict};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/api/openapi.json", get(openapi))
        .route("/api/me", get(me))
        .route("/api/regulation", get(editions))
        .route("/api/regulation/{edition}", get(edition))
        .route("/api/cases", post(open_case).get(list_cases))
        .route("/api/cases/{case_id}", get(read_case))
        .route("/api/cases/{case_id}/steps/{step}", post(perform))
        .route("/api/tasks", get(tasks))
        .route("/api/inbound/knb", post(knb_answer))
        .route("/api/outbox", get(outbox))
        .route("/api/outbox/{id}/retry", post(retry_outbox))
        .route("/api/reports/compliance", get(compliance))
}

fn body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    payload.map(|Json(v)| v).map_err(|e| {
        let status = if e.status() == StatusCode::PAYLOAD_TOO_LARGE { e.status() } else { StatusCode::BAD_REQUEST };
        ApiError::new(status, "bad_json", e.body_text())
    })
}

async fn health() -> &'static str {
    "ok"
}

async fn ready(State(s): State<AppState>) -> impl IntoResponse {
    match s.engine.store().definitions().await {
        Ok(_) => (StatusCode::OK, "ready"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "storage unavailable"),
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[utoipa::path(get, path = "/api/me", responses((status = 200, body = Me), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn me(Caller(a): Caller) -> Json<Me> {
    Json(Me { user: a.user.0.to_string(), role: a.role.to_string(), unit: a.unit.to_string() })
}

#[utoipa::path(get, path = "/api/regulation", responses((status = 200, body = Vec<EditionItem>)), security(("bearer" = [])))]
pub async fn editions(State(s): State<AppState>, Caller(_caller): Caller) -> Json<Vec<EditionItem>> {
    let today = s.engine.today();
    let for_new = s.engine.regulations().for_new_case(today).ok().map(|d| d.edition_ref.hash.clone());
    Json(
        s.engine
            .regulations()
            .editions()
            .iter()
            .map(|d| EditionItem {
                edition: d.edition().to_owned(),
                hash: d.edition_ref.hash.clone(),
                act_number: d.act.number.clone(),
                act_date: d.act.date.to_string(),
                registration_number: d.act.registration_number.clone(),
                effective_from: d.act.effective_from.to_string(),
                effective_to: d.act.effective_to.map(|d| d.to_string()),
                dates_estimated: d.act.dates_estimated,
                for_new_cases: for_new.as_deref() == Some(d.edition_ref.hash.as_str()),
            })
            .collect(),
    )
}

/// The whole definition of an edition: roles, steps with § and limits, outcomes, documents.
#[utoipa::path(get, path = "/api/regulation/{edition}", params(("edition" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn edition(
    State(s): State<AppState>,
    Caller(_caller): Caller,
    Path(edition): Path<String>,
) -> Result<Json<Definition>, ApiError> {
    let def = s
        .engine
        .regulations()
        .current(&edition)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("edition {edition} not found")))?;
    Ok(Json(def.as_ref().clone()))
}

/// Accepts an application at the front office: opens a case at step SC1.
#[utoipa::path(post, path = "/api/cases", request_body = OpenCaseRequest,
    params(("Idempotency-Key" = String, Header, min_length = 1, max_length = 200, description = "the same key for a retry of the same request")),
    responses((status = 201, body = CommandResponse), (status = 422, body = ErrorBody, description = "invalid fields, each named"),
        (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn open_case(
    State(s): State<AppState>,
    Caller(actor): Caller,
    IdempotencyKey(key): IdempotencyKey,
    payload: Result<Json<OpenCaseRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<CommandResponse>), ApiError> {
    let req = body(payload)?;
    let draft = req.application.into();
    let r = s.engine.open_case(&actor, &draft, req.provider_unit.as_deref(), Some(&key)).await?;
    // A retry gets the answer the first request got, so a client whose connection dropped after
    // the commit sees the same 201; the body's `replayed` tells the two apart.
    Ok((StatusCode::CREATED, Json(r.into())))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseListQuery {
    /// `open` or `closed`.
    status: Option<String>,
    /// How many cases, newest first: 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/cases", params(CaseListQuery), responses((status = 200, body = Vec<CaseListItem>)), security(("bearer" = [])))]
pub async fn list_cases(
    State(s): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<CaseListQuery>,
) -> Result<Json<Vec<CaseListItem>>, ApiError> {
    let limit = match q.limit {
        None => 100,
        Some(n @ 1..=500) => n,
        Some(n) => return Err(ApiError::new(StatusCode::BAD_REQUEST, "bad_parameter", format!("limit: {n} is not between 1 and 500"))),
    };
    let rows = s.engine.cases(&actor, q.status, limit).await?;
    Ok(Json(
        rows.into_iter()
            .map(|c| CaseListItem {
                case_id: c.case_id.0,
                reference: c.reference,
                edition: c.edition.edition,
                status: c.status,
                result: c.result,
                sc_branch: c.sc_branch,
                provider: c.provider,
                open_steps: c.open_steps,
                version: c.version,
                opened_at: c.opened_at.to_string(),
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/cases/{case_id}", params(("case_id" = String, Path)),
    responses((status = 200, body = CaseDetail, description = "the case; for the KNB liaison only what a coordination request holds \
            (the persons, the visit, the KNB's own tasks and history). Each read is recorded in the access log."),
        (status = 404, body = ErrorBody),
        (status = 410, body = ErrorBody, description = "case_purged: its personal data was purged under the retention rule")),
    security(("bearer" = [])))]
pub async fn read_case(
    State(s): State<AppState>,
    Caller(actor): Caller,
    ClientOrigin(origin): ClientOrigin,
    Path(case_id): Path<String>,
) -> Result<Json<CaseDetail>, ApiError> {
    let view = s.engine.case(&actor, &CaseId(case_id), origin).await?;
    Ok(Json(case_detail(&view, &actor, s.engine.now())))
}

/// Performs the open task of a step: chooses its outcome (or lets its external system answer).
#[utoipa::path(post, path = "/api/cases/{case_id}/steps/{step}", request_body = PerformBody,
    params(("case_id" = String, Path), ("step" = String, Path, description = "e.g. SC1, P2"),
        ("Idempotency-Key" = String, Header, min_length = 1, max_length = 200, description = "the same key for a retry of the same request")),
    responses((status = 200, body = CommandResponse), (status = 403, body = ErrorBody, description = "wrong role, unit or person"),
        (status = 404, body = ErrorBody, description = "no such case, or not one of your units'"),
        (status = 409, body = ErrorBody, description = "step not open, case closed, or version conflict"),
        (status = 422, body = ErrorBody), (status = 503, body = ErrorBody, description = "an external system did not answer; nothing changed")),
    security(("bearer" = [])))]
pub async fn perform(
    State(s): State<AppState>,
    Caller(actor): Caller,
    IdempotencyKey(key): IdempotencyKey,
    Path((case_id, step)): Path<(String, String)>,
    payload: Result<Json<PerformBody>, JsonRejection>,
) -> Result<Json<CommandResponse>, ApiError> {
    let b = body(payload)?;
    let request = PerformRequest { step, outcome: b.outcome, input: b.input.map(Into::into), version: b.version };
    let r = s.engine.perform(&actor, &CaseId(case_id), &request, Some(&key)).await?;
    Ok(Json(r.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskListQuery {
    /// Only the tasks assigned to you (leave out the unassigned ones of your unit).
    mine: Option<bool>,
}

/// Your worklist: the open tasks of your role and unit, oldest first, each with its §.
#[utoipa::path(get, path = "/api/tasks", params(TaskListQuery), responses((status = 200, body = Vec<TaskItem>)), security(("bearer" = [])))]
pub async fn tasks(
    State(s): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<TaskListQuery>,
) -> Result<Json<Vec<TaskItem>>, ApiError> {
    let rows = s.engine.worklist(&actor, q.mine.unwrap_or(false)).await?;
    let now = s.engine.now();
    let mut items = Vec::new();
    for r in rows {
        let def = s.engine.regulations().editions().into_iter().find(|d| d.step(&r.step).is_some_and(|st| *st.cites == *r.cites));
        let title = def.as_ref().and_then(|d| d.step(&r.step)).map(|st| Text::from(&st.title));
        items.push(TaskItem {
            case_id: r.case_id.0,
            reference: r.reference,
            task_id: r.task_id,
            citation: r.cites.iter().map(|c| format!("§{c}")).collect::<Vec<_>>().join(", "),
            title: title.unwrap_or(Text { kk: r.step.clone(), ru: r.step.clone(), en: r.step.clone() }),
            step: r.step,
            cites: r.cites,
            role: r.role,
            unit: r.unit,
            assignee: r.assignee,
            limit: r.limit,
            opened_at: r.opened_at.to_string(),
            due_at: r.due_at.map(|t| t.to_string()),
            warn_at: r.warn_at.map(|t| t.to_string()),
            deadline_status: r.due_at.zip(r.warn_at).map(|(due, warn)| DeadlineStatus::at(due, warn, r.done_at, now).code().to_owned()),
            deadline_rule: None,
            deadline_explanation: Vec::new(),
            minutes_taken: None,
            time_basis: None,
            at_risk_since: None,
            overdue_since: None,
            escalated_to: r.escalated_to,
            done_at: r.done_at.map(|t| t.to_string()),
            outcome: r.outcome,
        });
    }
    Ok(Json(items))
}

/// An inbound message: the KNB's answer to a coordination request (§6.5). Only the KNB
/// liaison role may deliver it; a repeated message id has no second effect.
#[utoipa::path(post, path = "/api/inbound/knb", request_body = KnbAnswerBody,
    responses((status = 200, body = CommandResponse), (status = 409, body = ErrorBody, description = "the case is not waiting for the KNB"),
        (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn knb_answer(
    State(s): State<AppState>,
    Caller(actor): Caller,
    payload: Result<Json<KnbAnswerBody>, JsonRejection>,
) -> Result<Json<CommandResponse>, ApiError> {
    let answer = knb_answer_from(body(payload)?)?;
    Ok(Json(s.engine.knb_answer(&actor, &answer).await?.into()))
}

/// Checks an inbound KNB answer's fields and turns it into the engine's form.
pub(crate) fn knb_answer_from(b: KnbAnswerBody) -> Result<KnbAnswer, ApiError> {
    let verdict = match (b.answer.as_str(), b.days, b.reason) {
        ("agree", None, None) => KnbVerdict::Agree,
        ("object", None, None) => KnbVerdict::Object,
        ("extend", Some(days), Some(reason)) => KnbVerdict::Extend { days, reason },
        ("extend", _, _) => {
            return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_answer", "an extension states days and a reason"));
        }
        ("agree" | "object", _, _) => {
            return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_answer", "only an extension has days and a reason"));
        }
        (other, _, _) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "bad_answer",
                format!("\"{other}\" is not agree, object or extend"),
            ));
        }
    };
    if b.message_id.trim().is_empty() {
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_answer", "a message id is required"));
    }
    Ok(KnbAnswer { case_id: b.case_id, message_id: b.message_id, verdict })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// Only the messages in this state: `pending`, `delivered` or `dead` (the newest 500);
    /// every message when left out.
    #[param(pattern = "^(pending|delivered|dead)$")]
    state: Option<String>,
}

/// The outbox: calls to other agencies' systems, newest first, with their state, attempts,
/// last error and next due time. For supervisors and administrators.
#[utoipa::path(get, path = "/api/outbox", params(OutboxQuery),
    responses((status = 200, body = Vec<OutboxItem>), (status = 400, body = ErrorBody, description = "a state that does not exist"),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn outbox(
    State(s): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> Result<Json<Vec<OutboxItem>>, ApiError> {
    let state = match q.state.as_deref() {
        None => None,
        Some(code) => Some(store::OutboxState::parse(code).ok_or_else(|| {
            let allowed = store::OutboxState::ALL.map(store::OutboxState::code).join(", ");
            ApiError::new(StatusCode::BAD_REQUEST, "bad_parameter", format!("state \"{code}\" is not one of {allowed}"))
        })?),
    };
    Ok(Json(s.engine.outbox_list(&actor, state).await?.into_iter().map(outbox_item).collect()))
}

/// Sends a dead message again: it becomes pending, due at once, with a fresh count of
/// attempts. For administrators; a supervisor only reads the outbox.
#[utoipa::path(post, path = "/api/outbox/{id}/retry", params(("id" = String, Path, description = "the message's id")),
    responses((status = 200, body = OutboxItem, description = "the message, pending again"), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "no such message"),
        (status = 409, body = ErrorBody, description = "the message is not dead")),
    security(("bearer" = [])))]
pub async fn retry_outbox(State(s): State<AppState>, Caller(actor): Caller, Path(id): Path<String>) -> Result<Json<OutboxItem>, ApiError> {
    Ok(Json(outbox_item(s.engine.retry_outbox(&actor, &id).await?)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComplianceQuery {
    // Options, so that leaving one out is told in our own words; required in the document.
    /// The first day of the period, YYYY-MM-DD.
    #[param(required = true, format = Date)]
    from: Option<String>,
    /// The last day, included, YYYY-MM-DD; a period is at most 366 days.
    #[param(required = true, format = Date)]
    to: Option<String>,
    /// `json` (the default) or `csv`.
    format: Option<String>,
}

/// The compliance report of a period: per step, per unit and per employee, the tasks done on
/// time and late and the working time they took against their allowance. Supervisors and
/// administrators see every unit, a unit's head their own unit; `format=csv` downloads it.
#[utoipa::path(get, path = "/api/reports/compliance", params(ComplianceQuery),
    responses((status = 200, description = "the report; with format=csv a download with a header row",
            content((ComplianceReportResponse = "application/json"), (String = "text/csv"))),
        (status = 400, body = ErrorBody, description = "a missing or bad parameter, named; a period backwards or longer than 366 days"),
        (status = 403, body = ErrorBody, description = "not a supervisor, administrator or unit head")),
    security(("bearer" = [])))]
pub async fn compliance(
    State(s): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<ComplianceQuery>,
) -> Result<Response, ApiError> {
    let csv = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, "bad_parameter", format!("format: \"{other}\" is not json or csv")));
        }
    };
    let (from, to) = (date_param("from", q.from.as_deref())?, date_param("to", q.to.as_deref())?);
    let report = ComplianceReportResponse::from(&s.engine.compliance(&actor, from, to).await?);
    if !csv {
        return Ok(Json(report).into_response());
    }
    Ok(compliance_csv(&report, from, to))
}

/// The report as a CSV download, one row per step, unit and employee.
pub(crate) fn compliance_csv(report: &ComplianceReportResponse, from: jiff::civil::Date, to: jiff::civil::Date) -> Response {
    // A byte-order mark first: spreadsheet programs then read the file as UTF-8, and Kazakh and
    // Russian names come out right.
    let mut body = String::from('\u{feff}');
    body.push_str(&csv_line(COMPLIANCE_CSV_COLUMNS));
    for row in report.by_step.iter().chain(&report.by_unit).chain(&report.by_employee) {
        body.push_str(&csv_line(row.csv_fields()));
    }
    let disposition = format!("attachment; filename=\"compliance-{from}-{to}.csv\"");
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)], body).into_response()
}

/// A query parameter that must be a date.
fn date_param(name: &str, value: Option<&str>) -> Result<jiff::civil::Date, ApiError> {
    let bad = |message: String| ApiError::new(StatusCode::BAD_REQUEST, "bad_parameter", message);
    let value = value.ok_or_else(|| bad(format!("{name}: a date (YYYY-MM-DD) is required")))?;
    // Only the plain form: jiff would also read "20261124".
    let plain = value.len() == 10 && value.as_bytes()[4] == b'-' && value.as_bytes()[7] == b'-';
    match value.parse() {
        Ok(date) if plain => Ok(date),
        _ => Err(bad(format!("{name}: \"{value}\" is not a date (YYYY-MM-DD)"))),
    }
}

/// One CSV record (RFC 4180): fields separated by commas, ended by CRLF; a field with a comma,
/// a quote or a line break is quoted, its quotes doubled. A field a spreadsheet would run as a
/// formula (starting with `=`, `+`, `-`, `@`, except a plain number) gets a leading `'`.
fn csv_line<S: AsRef<str>>(fields: impl IntoIterator<Item = S>) -> String {
    let mut line = String::new();
    for (i, field) in fields.into_iter().enumerate() {
        let raw = field.as_ref();
        let formula = raw.starts_with(['=', '+', '-', '@']) && raw.parse::<f64>().is_err();
        let guarded = if formula { format!("'{raw}") } else { raw.to_owned() };
        let field = guarded.as_str();
        if i > 0 {
            line.push(',');
        }
        if field.contains([',', '"', '\r', '\n']) {
            line.push('"');
            line.push_str(&field.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(field);
        }
    }
    line.push_str("\r\n");
    line
}

fn outbox_item(m: store::OutboxMessage) -> OutboxItem {
    OutboxItem {
        id: m.id,
        case_id: m.case_id.0,
        kind: m.kind,
        state: m.state,
        attempts: m.attempts,
        due_at: m.due_at.to_string(),
        last_error: m.last_error,
        created_at: m.created_at.to_string(),
        delivered_at: m.delivered_at.map(|t| t.to_string()),
        dead_at: m.dead_at.map(|t| t.to_string()),
    }
}

fn case_detail(view: &CaseView, actor: &Actor, now: jiff::Timestamp) -> CaseDetail {
    let (c, def) = (&view.case, &view.definition);
    let json = |v: &dyn erased::Ser| v.to_json();
    CaseDetail {
        case_id: c.id.0.clone(),
        reference: c.reference.clone(),
        edition: c.edition.edition.clone(),
        edition_hash: c.edition.hash.clone(),
        version: c.version,
        status: if c.status == case::CaseStatus::Open { "open".into() } else { "closed".into() },
        result: c.result.map(|r| r.code().to_owned()),
        sc_branch: c.units.sc_branch.to_string(),
        provider: c.units.provider.to_string(),
        knb: c.units.knb.to_string(),
        application: json(&c.application),
        facts: c.facts.iter().map(|f| f.to_string()).collect(),
        tasks: c.tasks.iter().map(|t| task_item(c, def, t, now, view.taken.get(&t.id).copied())).collect(),
        actions: actions(c, def, actor),
        documents: c
            .documents
            .iter()
            .map(|d| {
                let title = def.document(&d.document).map(|k| Text::from(&k.title));
                let mut item = serde_json::json!({ "document": d.document, "title": json(&title), "task": d.task, "at": d.at.to_string() });
                // Issued documents: their content hash, languages and signature (issue 5).
                if let Some(issued) = &d.issued {
                    item["hash"] = issued.hash.clone().into();
                    item["languages"] = json(&issued.languages);
                    item["signed"] = json(&issued.signed);
                    item["download"] = format!("/api/cases/{}/documents/{}", c.id, d.document).into();
                }
                item
            })
            .collect(),
        invitation: c.invitation.as_ref().map(|i| json(i)),
        extension: c.extension.as_ref().map(|e| json(e)),
        refusal: c.refusal.as_ref().map(|(g, r)| serde_json::json!({ "grounds": g, "reasoning": r })),
        adb_records: c.adb_records.iter().map(|r| json(r)).collect(),
        missing_documents: c.missing_documents.clone(),
        term: c.term.as_ref().map(|t| json(t)),
        term_overrun: c.term_overrun,
        history: view.events.iter().enumerate().map(|(i, e)| history_item(i as u64 + 1, e, def)).collect(),
        outbox: view.outbox.iter().cloned().map(outbox_item).collect(),
    }
}

fn task_item(
    c: &Case,
    def: &Definition,
    t: &case::Task,
    now: jiff::Timestamp,
    taken: Option<(i64, engine::compliance::TimeBasis)>,
) -> TaskItem {
    let deadline = t.deadline.as_ref();
    let done_at = t.done.as_ref().map(|d| d.at);
    let step = def.step(&t.step);
    TaskItem {
        case_id: c.id.0.clone(),
        reference: c.reference.clone(),
        task_id: t.id,
        step: t.step.to_string(),
        title: step.map(|s| Text::from(&s.title)).unwrap_or(Text {
            kk: t.step.to_string(),
            ru: t.step.to_string(),
            en: t.step.to_string(),
        }),
        cites: t.cites.to_vec(),
        citation: t.cites.iter().map(|c| format!("§{c}")).collect::<Vec<_>>().join(", "),
        role: t.role.to_string(),
        unit: t.unit.to_string(),
        assignee: t.assignee.as_ref().map(|u| u.0.to_string()),
        limit: t.limit.to_string(),
        opened_at: t.opened_at.to_string(),
        due_at: deadline.map(|d| d.due.to_string()),
        warn_at: deadline.map(|d| d.warn_at.to_string()),
        deadline_status: deadline.map(|d| DeadlineStatus::at(d.due, d.warn_at, done_at, now).code().to_owned()),
        deadline_rule: deadline.map(|d| d.rule.clone()),
        deadline_explanation: deadline.map(|d| d.explanation.clone()).unwrap_or_default(),
        minutes_taken: taken.map(|(m, _)| m),
        time_basis: taken.map(|(_, b)| b.code().to_owned()),
        at_risk_since: t.at_risk_since.map(|t| t.to_string()),
        overdue_since: t.overdue_since.map(|t| t.to_string()),
        escalated_to: t.escalated_to.clone(),
        done_at: t.done.as_ref().map(|d| d.at.to_string()),
        outcome: t.done.as_ref().map(|d| d.outcome.to_string()),
    }
}

/// What the caller may do now: for each open task the caller may perform, the outcomes the
/// case's facts allow.
pub(crate) fn actions(c: &Case, def: &Definition, actor: &Actor) -> Vec<ActionItem> {
    c.open_tasks()
        .filter_map(|t| case::precheck(def, c, actor, &t.step).ok())
        .map(|(step, _)| ActionItem {
            step: step.id.to_string(),
            title: Text::from(&step.title),
            citation: step.citation(),
            outcomes: if step.call.is_some() {
                Vec::new()
            } else {
                case::available_outcomes(step, c)
                    .into_iter()
                    .map(|o| OutcomeItem { id: o.id.to_string(), title: Text::from(&o.title), input: o.input.map(|i| i.code().to_owned()) })
                    .collect()
            },
            system: step.system().map(str::to_owned),
        })
        .collect()
}

fn history_item(version: u64, e: &Event, def: &Definition) -> HistoryItem {
    let step = match &e.kind {
        EventKind::TaskOpened { step, .. } | EventKind::OutcomeRecorded { step, .. } => Some(step.to_string()),
        _ => None,
    };
    HistoryItem {
        version,
        at: e.at.to_string(),
        user: e.by.user.0.to_string(),
        role: e.by.role.to_string(),
        unit: e.by.unit.to_string(),
        kind: e.kind.name().to_owned(),
        citation: step.as_deref().and_then(|s| def.step(s)).map(|s| s.citation()),
        step,
        detail: serde_json::to_value(&e.kind).unwrap_or_default(),
    }
}

/// Serializing values of different types through one closure.
mod erased {
    pub trait Ser {
        fn to_json(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Ser for T {
        fn to_json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_with_commas_quotes_or_line_breaks_are_quoted_and_others_are_not() {
        assert_eq!(csv_line(["step", "P1", ""]), "step,P1,\r\n");
        assert_eq!(csv_line(["a,b", "say \"hi\"", "two\nlines", "cr\r"]), "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\"\r\n");
        assert_eq!(csv_line(["Сейтқали Ә."]), "Сейтқали Ә.\r\n", "text other than the separators is kept as is");
        assert_eq!(csv_line(["=HYPERLINK(1)", "-2", "+1.5", "@x"]), "'=HYPERLINK(1),-2,+1.5,'@x\r\n", "formulas are defused, numbers kept");
    }

    #[test]
    fn a_date_parameter_names_itself_when_missing_or_bad() {
        assert_eq!(date_param("from", Some("2026-11-24")).unwrap().to_string(), "2026-11-24");
        for bad in ["20261124", "2026-13-01", "24.11.2026", ""] {
            let e = date_param("from", Some(bad)).unwrap_err();
            assert_eq!((e.status, e.code.as_str()), (StatusCode::BAD_REQUEST, "bad_parameter"));
            assert!(e.message.starts_with("from: "), "{}", e.message);
        }
        assert!(date_param("to", None).unwrap_err().message.contains("to: a date (YYYY-MM-DD) is required"));
    }
}
