//! The case page: the application, the open steps with their deadlines and §, the actions the
//! reader may take now (and only those), the documents, the timeline and the process diagram
//! with the current step marked; and the forms that perform a step.

use super::chrome::{Chrome, role_title, unit_name};
use super::i18n::Tr;
use super::session::Viewer;
use crate::AppState;
use crate::api::actions;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::case::{self, DeadlineStatus, EventKind};
use domain::definition::Definition;
use domain::definition::{Limit, LimitUnit};
use domain::{CaseId, Refusal};
use engine::{CaseView, EngineError, PerformRequest, WireInput};
use serde::Deserialize;

/// A regulated limit in the reader's words: "10 жұмыс минуты", "5 календарных дней".
pub fn limit_text(tr: &Tr, limit: &str) -> String {
    match Limit::parse(limit) {
        Ok(Limit::Within { amount, unit }) => {
            let key = match unit {
                LimitUnit::WorkingMinutes => "limit-working-minutes",
                LimitUnit::WorkingHours => "limit-working-hours",
                LimitUnit::WorkingDays => "limit-working-days",
                LimitUnit::CalendarDays => "limit-calendar-days",
            };
            tr.tn(key, i64::from(amount))
        }
        Ok(Limit::OnReadyDate) => tr.t("limit-on-ready-date"),
        Err(_) => limit.to_owned(),
    }
}

pub struct Person {
    pub label: String,
    pub value: String,
}

pub struct InviteeRow {
    pub name: String,
    pub sex: String,
    pub birth_date: String,
    pub citizenship: String,
    pub passport: String,
    pub expires: String,
}

pub struct OpenStep {
    pub step: String,
    pub title: String,
    pub citation: String,
    pub role: String,
    pub unit: String,
    pub limit: String,
    pub due: String,
    pub left: String,
    pub status: &'static str,
    pub status_label: String,
    pub explanation: Vec<String>,
    /// The id of the step's box in the diagram below.
    pub anchor: String,
}

pub struct Choice {
    pub id: String,
    pub title: String,
    /// missing_documents, assignee, refusal_grounds or extension; empty for none.
    pub input: String,
}

pub struct Action {
    pub step: String,
    pub title: String,
    pub citation: String,
    pub choices: Vec<Choice>,
    /// The external system the step works through: one button, the system answers.
    pub system: Option<String>,
    /// A fresh key per form shown: a double-click or a resend is taken once.
    pub key: String,
}

pub struct Item {
    pub id: String,
    pub title: String,
}

pub struct Moment {
    pub at: String,
    pub who: String,
    pub role: String,
    pub what: String,
    pub citation: String,
}

/// A row of "who viewed this case" (supervisors and administrators).
pub struct ViewRow {
    pub at: String,
    pub who: String,
    pub role: String,
    pub what: String,
    pub from: String,
}

pub struct DocumentRow {
    pub title: String,
    pub at: String,
    pub signed: bool,
    /// Language code and its link.
    pub links: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "case.html")]
pub struct CasePage {
    page: Chrome,
    case_id: String,
    version: u64,
    state: String,
    term: Option<String>,
    applicant: Vec<Person>,
    invitees: Vec<InviteeRow>,
    details: Vec<Person>,
    open_steps: Vec<OpenStep>,
    actions: Vec<Action>,
    checklist: Vec<Item>,
    grounds: Vec<Item>,
    executors: Vec<Item>,
    documents: Vec<DocumentRow>,
    timeline: Vec<Moment>,
    diagram: String,
    error: Option<String>,
    /// The KNB liaison's reduced view: says so above the page.
    coordination: bool,
    /// Who viewed the case, newest first (supervisors and administrators; empty otherwise).
    views: Vec<ViewRow>,
}

/// The localized words for a refusal, by its stable code.
fn refusal_text(tr: &Tr, r: &Refusal) -> String {
    let code = serde_json::to_value(r).ok().and_then(|v| v["code"].as_str().map(str::to_owned)).unwrap_or_default();
    let text = tr.t(&format!("refusal-{code}"));
    match r {
        Refusal::BadInput { message, .. } => format!("{text} ({message})"),
        _ => text,
    }
}

/// An engine error as the reader should see it, with the page's status.
pub fn error_text(tr: &Tr, e: &EngineError) -> (StatusCode, String) {
    match e {
        EngineError::Refused(r) => (StatusCode::CONFLICT, refusal_text(tr, r)),
        EngineError::Conflict { .. } => (StatusCode::CONFLICT, tr.t("error-conflict")),
        EngineError::NotFound(_) => (StatusCode::NOT_FOUND, tr.t("error-not-found")),
        EngineError::Purged { purged_at, rule, .. } => {
            (StatusCode::GONE, tr.ta("error-purged", &[("date", &tr.datetime(*purged_at)), ("rule", rule)]))
        }
        EngineError::Forbidden(_) => (StatusCode::FORBIDDEN, tr.t("error-forbidden")),
        EngineError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, tr.t("error-system-unavailable")),
        EngineError::Invalid(_) | EngineError::BadRequest(_) | EngineError::KeyReused => {
            (StatusCode::UNPROCESSABLE_ENTITY, tr.t("error-bad-request"))
        }
        EngineError::NoSigningKey(_) => (StatusCode::CONFLICT, tr.t("error-no-signing-key")),
        _ => {
            tracing::error!(error = %e, "a page's command failed");
            (StatusCode::SERVICE_UNAVAILABLE, tr.t("error-unavailable"))
        }
    }
}

fn title_of_event(tr: &Tr, def: &Definition, kind: &EventKind) -> (String, Option<String>) {
    let step_title = |s: &str| def.step(s).map(|st| format!("{s} · {}", tr.loc(&st.title))).unwrap_or_else(|| s.to_owned());
    let cite = |s: &str| def.step(s).map(|st| st.citation());
    match kind {
        EventKind::CaseOpened { reference, .. } => (tr.ta("event-case-opened", &[("reference", reference)]), None),
        EventKind::TaskOpened { step, .. } => (tr.ta("event-task-opened", &[("step", &step_title(step))]), cite(step)),
        EventKind::OutcomeRecorded { step, outcome, .. } => {
            let o =
                def.step(step).and_then(|s| s.outcome(outcome)).map(|o| tr.loc(&o.title).to_owned()).unwrap_or_else(|| outcome.to_string());
            (tr.ta("event-outcome", &[("step", step), ("outcome", &o)]), cite(step))
        }
        EventKind::DeadlineSet { deadline, .. } => (tr.ta("event-deadline", &[("due", &tr.datetime(deadline.due))]), None),
        EventKind::TermSet { term } => (tr.ta("event-term", &[("date", &tr.date(term.ends_on))]), None),
        EventKind::TaskFlagged { flag, .. } => {
            let key = if matches!(flag, case::Flag::Overdue) { "event-flag-overdue" } else { "event-flag-at-risk" };
            (tr.t(key), None)
        }
        EventKind::TermOverrun { .. } => (tr.t("event-term-overrun"), None),
        EventKind::DocumentProduced { document, .. } | EventKind::DocumentIssued { document, .. } => {
            let title = def.document(document).map(|d| tr.loc(&d.title).to_owned()).unwrap_or_else(|| document.to_string());
            let key = if matches!(kind, EventKind::DocumentIssued { .. }) { "event-document-issued" } else { "event-document" };
            (tr.ta(key, &[("document", &title)]), None)
        }
        EventKind::CaseClosed { result } => (tr.ta("event-closed", &[("result", &tr.t(&format!("result-{}", result.code())))]), None),
    }
}

/// Each language a document can be printed in, with its download link.
pub(super) fn document_links(case: &CaseId, document: &str, languages: &[String]) -> Vec<(String, String)> {
    languages.iter().map(|l| (l.clone(), format!("/cases/{case}/documents/{document}?lang={l}"))).collect()
}

/// Builds the page of a case as this viewer sees it; `error` shows above the actions.
pub async fn render(s: &AppState, viewer: &Viewer, view: &CaseView, error: Option<String>) -> CasePage {
    let tr = &viewer.tr;
    let (c, def) = (&view.case, &view.definition);
    let now = s.engine.now();
    let a = &c.application;
    let applicant = vec![
        Person { label: tr.t("field-iin"), value: a.applicant.iin.as_str().to_owned() },
        Person {
            label: tr.t("field-full-name"),
            value: [a.applicant.surname.as_str(), a.applicant.given_names.as_str(), a.applicant.patronymic.as_deref().unwrap_or("")]
                .join(" ")
                .trim()
                .to_owned(),
        },
        Person { label: tr.t("field-address"), value: a.applicant.address.clone() },
        Person { label: tr.t("field-phone"), value: a.applicant.phone.clone().unwrap_or_default() },
    ];
    let invitees = a
        .invitees
        .iter()
        .map(|i| InviteeRow {
            name: format!("{} {}", i.surname, i.given_names),
            sex: tr.t(if matches!(i.sex, domain::identity::Sex::Male) { "sex-m" } else { "sex-f" }),
            birth_date: tr.date(i.birth_date),
            citizenship: i.citizenship.clone(),
            passport: i.passport_number.as_str().to_owned(),
            expires: tr.date(i.passport_expires_on),
        })
        .collect();
    let details = vec![
        Person { label: tr.t("field-purpose"), value: a.purpose.clone() },
        Person { label: tr.t("field-stay"), value: format!("{} – {}", tr.date(a.stay.from), tr.date(a.stay.to)) },
        Person {
            label: tr.t("field-entries"),
            value: tr.t(&format!(
                "entries-{}",
                serde_json::to_value(a.entries).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
            )),
        },
        Person { label: tr.t("field-places"), value: a.places.join(", ") },
        Person { label: tr.t("field-branch"), value: unit_name(&s.engine, tr.lang, &c.units.sc_branch) },
        Person { label: tr.t("field-provider"), value: unit_name(&s.engine, tr.lang, &c.units.provider) },
        Person { label: tr.t("field-edition"), value: format!("{} ({})", def.edition(), tr.loc(&def.service)) },
    ];
    let open_steps = c
        .open_tasks()
        .map(|t| {
            let step = def.step(&t.step);
            let d = t.deadline.as_ref();
            let status = d.map(|d| DeadlineStatus::at(d.due, d.warn_at, None, now));
            let status = match status {
                Some(DeadlineStatus::Overdue) => "overdue",
                Some(DeadlineStatus::AtRisk) => "at_risk",
                _ => "on_time",
            };
            OpenStep {
                step: t.step.to_string(),
                title: step.map(|s| tr.loc(&s.title).to_owned()).unwrap_or_default(),
                citation: step.map(|s| s.citation()).unwrap_or_default(),
                role: role_title(&s.engine, tr, &t.role),
                unit: unit_name(&s.engine, tr.lang, &t.unit),
                limit: limit_text(tr, &t.limit.to_string()),
                due: d.map(|d| tr.datetime(d.due)).unwrap_or_else(|| tr.t("due-not-set")),
                left: d.map(|d| tr.time_left(d.due, now)).unwrap_or_default(),
                status,
                status_label: tr.t(&format!("status-{status}")),
                explanation: d.map(|d| d.explanation.clone()).unwrap_or_default(),
                anchor: diagram::step_anchor(def, tr.lang, &t.step),
            }
        })
        .collect();
    let actions = actions(c, def, &viewer.actor)
        .into_iter()
        .map(|a| Action {
            title: a.title.get(tr.lang).to_owned(),
            citation: a.citation,
            choices: a
                .outcomes
                .into_iter()
                .map(|o| Choice { title: o.title.get(tr.lang).to_owned(), id: o.id, input: o.input.unwrap_or_default() })
                .collect(),
            system: a.system.map(|id| def.systems.iter().find(|x| x.id == id).map(|x| tr.loc(&x.title).to_owned()).unwrap_or(id)),
            step: a.step,
            key: uuid::Uuid::new_v4().to_string(),
        })
        .collect();
    let executors = match s.engine.store().users().await {
        Ok(users) => users
            .into_iter()
            .filter(|u| u.active && u.role == "executor" && u.unit == c.units.provider)
            .map(|u| Item { title: format!("{} ({})", u.display_name, u.id), id: u.id })
            .collect(),
        Err(e) => {
            tracing::error!(error = %e, "the executors could not be read");
            Vec::new()
        }
    };
    let documents = c
        .documents
        .iter()
        .filter_map(|d| {
            let issued = d.issued.as_ref()?;
            let title = def.document(&d.document).map(|k| tr.loc(&k.title).to_owned()).unwrap_or_else(|| d.document.to_string());
            let links = document_links(&c.id, &d.document, &issued.languages);
            Some(DocumentRow { title, at: tr.datetime(d.at), signed: issued.signed.is_some(), links })
        })
        .collect();
    let timeline = view
        .events
        .iter()
        .filter(|e| !matches!(e.kind, EventKind::DeadlineSet { .. } | EventKind::DocumentProduced { .. }))
        .map(|e| {
            let (what, citation) = title_of_event(tr, def, &e.kind);
            Moment {
                at: tr.datetime(e.at),
                who: e.by.user.0.to_string(),
                role: role_title(&s.engine, tr, &e.by.role),
                what,
                citation: citation.unwrap_or_default(),
            }
        })
        .collect();
    let views = if [engine::SUPERVISOR, engine::ADMIN].contains(&viewer.actor.role.as_str()) {
        match s.engine.case_views(&viewer.actor, &c.id, 50).await {
            Ok(rows) => rows
                .into_iter()
                .map(|r| ViewRow {
                    at: tr.datetime(r.at),
                    who: r.user,
                    role: role_title(&s.engine, tr, &r.role),
                    what: match (r.document, r.language) {
                        (Some(kind), Some(lang)) => {
                            let title = def.document(&kind).map(|k| tr.loc(&k.title).to_owned()).unwrap_or(kind);
                            format!("{} · {title} ({lang})", tr.t(&format!("view-{}", r.what)))
                        }
                        _ => tr.t(&format!("view-{}", r.what)),
                    },
                    from: r.origin.unwrap_or_default(),
                })
                .collect(),
            Err(e) => {
                tracing::error!(error = %e, case.id = %c.id, "the case's views could not be read");
                Vec::new()
            }
        }
    } else {
        Vec::new()
    };
    let current = c.open_tasks().next().map(|t| t.step.clone());
    let state = match c.result {
        Some(r) => tr.t(&format!("result-{}", r.code())),
        None => tr.t("case-open"),
    };
    CasePage {
        page: viewer.chrome(s, tr.ta("case-title", &[("reference", &c.reference)]), ""),
        case_id: c.id.0.clone(),
        version: c.version,
        state,
        term: c.term.as_ref().map(|t| tr.long_date(t.ends_on)),
        applicant,
        invitees,
        details,
        open_steps,
        actions,
        checklist: def.checklist.iter().map(|i| Item { id: i.id.clone(), title: tr.loc(&i.title).to_owned() }).collect(),
        grounds: def.refusal_grounds.iter().map(|g| Item { id: g.id.clone(), title: tr.loc(&g.title).to_owned() }).collect(),
        executors,
        documents,
        timeline,
        diagram: diagram::swimlane_svg(def, tr.lang, current.as_deref()),
        error,
        coordination: view.coordination,
        views,
    }
}

pub async fn page(State(s): State<AppState>, viewer: Viewer, Path(case_id): Path<String>) -> Response {
    match s.engine.case(&viewer.actor, &CaseId(case_id), viewer.origin).await {
        Ok(view) => render(&s, &viewer, &view, None).await.into_response(),
        Err(e) => {
            let (status, message) = error_text(&viewer.tr, &e);
            super::problem(viewer.chrome(&s, viewer.tr.t("error-title"), ""), status, message)
        }
    }
}

/// The first value of a form field.
pub(super) fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn fields(form: &[(String, String)], name: &str) -> Vec<String> {
    form.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
}

/// The outcome's input from the form's fields.
fn input_of(form: &[(String, String)], kind: &str) -> Result<Option<WireInput>, &'static str> {
    Ok(match kind {
        "missing_documents" => Some(WireInput::MissingDocuments(fields(form, "missing"))),
        "assignee" => Some(WireInput::Assignee(field(form, "assignee").unwrap_or("").to_owned())),
        "refusal_grounds" => Some(WireInput::RefusalGrounds {
            grounds: fields(form, "grounds"),
            reasoning: field(form, "reasoning").unwrap_or("").trim().to_owned(),
        }),
        "extension" => {
            let days = field(form, "days").unwrap_or("").trim().parse::<u32>().map_err(|_| "error-days")?;
            Some(WireInput::Extension { days, reason: field(form, "reason").unwrap_or("").trim().to_owned() })
        }
        _ => None,
    })
}

/// Performs a step from the case page's form, then shows the case again (or the page with
/// the reason it was refused, the form's choices kept).
pub async fn perform(
    State(s): State<AppState>,
    viewer: Viewer,
    Path((case_id, step)): Path<(String, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(r) = viewer.refuse_form(&s, field(&form, "csrf")) {
        return r;
    }
    let tr = &viewer.tr;
    let case_id = CaseId(case_id);
    let version = field(&form, "version").and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let outcome = field(&form, "outcome").filter(|o| !o.is_empty()).map(str::to_owned);
    let key = field(&form, "key").filter(|k| !k.is_empty() && k.len() <= 100).map(|k| format!("ui:{k}"));
    let kind = field(&form, "input").unwrap_or("");
    let result = match input_of(&form, kind) {
        Ok(input) => {
            let request = PerformRequest { step: step.clone(), outcome, input, version };
            s.engine.perform(&viewer.actor, &case_id, &request, key.as_deref()).await.map_err(|e| error_text(tr, &e))
        }
        Err(message) => Err((StatusCode::UNPROCESSABLE_ENTITY, tr.t(message))),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/cases/{case_id}")).into_response(),
        Err((status, message)) => match s.engine.case(&viewer.actor, &case_id, viewer.origin).await {
            Ok(view) => (status, render(&s, &viewer, &view, Some(message)).await).into_response(),
            Err(e) => {
                let (status, message) = error_text(tr, &e);
                super::problem(viewer.chrome(&s, tr.t("error-title"), ""), status, message)
            }
        },
    }
}

#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

/// A document of the case as a PDF, in the language asked for.
pub async fn document(
    State(s): State<AppState>,
    viewer: Viewer,
    Path((case_id, document)): Path<(String, String)>,
    Query(q): Query<LangQuery>,
) -> Response {
    match s.engine.document_pdf(&viewer.actor, &CaseId(case_id), &document, q.lang.as_deref(), viewer.origin).await {
        Ok(rendered) => {
            let disposition = format!("inline; filename=\"{}\"", rendered.file_name.replace(['"', '\\', '\r', '\n'], "_"));
            (
                [
                    (header::CONTENT_TYPE, "application/pdf".to_owned()),
                    (header::CONTENT_DISPOSITION, disposition),
                    (header::CACHE_CONTROL, "private, no-store".to_owned()),
                ],
                rendered.pdf,
            )
                .into_response()
        }
        Err(e) => {
            let (status, message) = error_text(&viewer.tr, &e);
            super::problem(viewer.chrome(&s, viewer.tr.t("error-title"), ""), status, message)
        }
    }
}
