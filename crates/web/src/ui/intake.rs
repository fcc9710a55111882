//! The intake wizard at the front-office window: the application form (applicant, invitees,
//! the trip, the documents handed in), a "check your answers" page, then acceptance with its
//! receipt and the date the result is ready, or refusal to accept with its receipt. Nothing
//! typed is lost: every page carries the whole draft, and errors stand next to their fields.

use super::case_page::{document_links, error_text, field};
use super::chrome::Chrome;
use super::i18n::Tr;
use super::session::Viewer;
use crate::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::CaseId;
use domain::application::{ApplicationDraft, FieldError, InviteeDraft};
use domain::definition::Definition;
use engine::{EngineError, PerformRequest, WireInput};
use std::sync::Arc;

/// One input of the form, with what was typed and what is wrong with it.
pub struct Field {
    pub name: String,
    pub id: String,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
    pub hint: String,
    /// text, date, tel, textarea or select.
    pub kind: &'static str,
    /// For a select: value, label, chosen.
    pub options: Vec<(String, String, bool)>,
    pub required: bool,
    pub autocomplete: &'static str,
}

impl Field {
    /// The ids of the hint and the error that describe the input, for screen readers.
    pub fn described_by(&self) -> String {
        let hint = (!self.hint.is_empty()).then(|| format!("{}-hint", self.id));
        let error = self.error.is_some().then(|| format!("{}-error", self.id));
        [hint, error].into_iter().flatten().collect::<Vec<_>>().join(" ")
    }
}

pub struct InviteeBlock {
    pub index: usize,
    pub number: usize,
    pub fields: Vec<Field>,
}

pub struct Check {
    pub id: String,
    pub title: String,
    pub checked: bool,
}

pub struct Problem {
    pub anchor: String,
    pub message: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "intake.html")]
struct FormPage {
    page: Chrome,
    problems: Vec<Problem>,
    applicant: Vec<Field>,
    invitees: Vec<InviteeBlock>,
    trip: Vec<Field>,
    checklist: Vec<Check>,
    key: String,
}

pub struct Answer {
    pub label: String,
    pub value: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "intake_review.html")]
struct ReviewPage {
    page: Chrome,
    hidden: Vec<(String, String)>,
    applicant: Vec<Answer>,
    invitees: Vec<Vec<Answer>>,
    trip: Vec<Answer>,
    presented: Vec<String>,
    missing: Vec<String>,
    error: Option<String>,
    key: String,
}

fn id_of(name: &str) -> String {
    name.replace(['[', '.'], "-").replace(']', "")
}

fn field_error(tr: &Tr, errors: &[FieldError], name: &str) -> Option<String> {
    errors.iter().find(|e| e.field == name).map(|e| error_words(tr, e))
}

fn error_words(tr: &Tr, e: &FieldError) -> String {
    tr.t(&format!("ferr-{}", e.code.replace(['.', '_'], "-")))
}

struct FieldSpec {
    name: String,
    label: &'static str,
    kind: &'static str,
    hint: &'static str,
    required: bool,
    autocomplete: &'static str,
}

fn spec(name: impl Into<String>, label: &'static str, kind: &'static str, required: bool) -> FieldSpec {
    FieldSpec { name: name.into(), label, kind, hint: "", required, autocomplete: "off" }
}

fn make(tr: &Tr, errors: &[FieldError], s: FieldSpec, value: &str, options: &[(&str, &str)]) -> Field {
    Field {
        id: id_of(&s.name),
        label: tr.t(s.label),
        value: value.to_owned(),
        error: field_error(tr, errors, &s.name),
        hint: if s.hint.is_empty() { String::new() } else { tr.t(s.hint) },
        kind: s.kind,
        options: options.iter().map(|(v, l)| ((*v).to_owned(), tr.t(l), *v == value)).collect(),
        required: s.required,
        autocomplete: s.autocomplete,
        name: s.name,
    }
}

const SEXES: [(&str, &str); 3] = [("", "choose"), ("M", "sex-m"), ("F", "sex-f")];
const ENTRIES: [(&str, &str); 3] = [("single", "entries-single"), ("double", "entries-double"), ("multiple", "entries-multiple")];

fn invitee_fields(tr: &Tr, errors: &[FieldError], i: usize, inv: &InviteeDraft) -> Vec<Field> {
    let n = |f: &str| format!("invitees[{i}].{f}");
    vec![
        make(tr, errors, FieldSpec { hint: "hint-mrz", ..spec(n("mrz"), "field-mrz", "textarea", false) }, &inv.mrz, &[]),
        make(tr, errors, FieldSpec { hint: "hint-latin", ..spec(n("surname"), "field-surname", "text", true) }, &inv.surname, &[]),
        make(
            tr,
            errors,
            FieldSpec { hint: "hint-latin", ..spec(n("given_names"), "field-given-names", "text", true) },
            &inv.given_names,
            &[],
        ),
        make(tr, errors, spec(n("sex"), "field-sex", "select", true), &inv.sex, &SEXES),
        make(tr, errors, spec(n("birth_date"), "field-birth-date", "date", true), &inv.birth_date, &[]),
        make(
            tr,
            errors,
            FieldSpec { hint: "hint-citizenship", ..spec(n("citizenship"), "field-citizenship", "text", true) },
            &inv.citizenship,
            &[],
        ),
        make(tr, errors, spec(n("passport_number"), "field-passport", "text", true), &inv.passport_number, &[]),
        make(tr, errors, spec(n("passport_expires_on"), "field-passport-expires", "date", true), &inv.passport_expires_on, &[]),
    ]
}

fn form_page(s: &AppState, viewer: &Viewer, def: &Definition, draft: &ApplicationDraft, errors: &[FieldError], key: &str) -> FormPage {
    let tr = &viewer.tr;
    let a = &draft.applicant;
    let applicant = vec![
        make(tr, errors, FieldSpec { hint: "hint-iin", ..spec("applicant.iin", "field-iin", "text", true) }, &a.iin, &[]),
        make(
            tr,
            errors,
            FieldSpec { autocomplete: "family-name", ..spec("applicant.surname", "field-surname", "text", true) },
            &a.surname,
            &[],
        ),
        make(
            tr,
            errors,
            FieldSpec { autocomplete: "given-name", ..spec("applicant.given_names", "field-given-names", "text", true) },
            &a.given_names,
            &[],
        ),
        make(
            tr,
            errors,
            FieldSpec { autocomplete: "additional-name", ..spec("applicant.patronymic", "field-patronymic", "text", false) },
            &a.patronymic,
            &[],
        ),
        make(
            tr,
            errors,
            FieldSpec { autocomplete: "street-address", ..spec("applicant.address", "field-address", "textarea", true) },
            &a.address,
            &[],
        ),
        make(tr, errors, FieldSpec { autocomplete: "tel", ..spec("applicant.phone", "field-phone", "tel", false) }, &a.phone, &[]),
    ];
    let invitees = draft
        .invitees
        .iter()
        .enumerate()
        .map(|(i, inv)| InviteeBlock { index: i, number: i + 1, fields: invitee_fields(tr, errors, i, inv) })
        .collect();
    let trip = vec![
        make(tr, errors, spec("purpose", "field-purpose", "textarea", true), &draft.purpose, &[]),
        make(tr, errors, spec("stay_from", "field-stay-from", "date", true), &draft.stay_from, &[]),
        make(tr, errors, spec("stay_to", "field-stay-to", "date", true), &draft.stay_to, &[]),
        make(
            tr,
            errors,
            spec("entries", "field-entries", "select", true),
            if draft.entries.is_empty() { "single" } else { &draft.entries },
            &ENTRIES,
        ),
        make(
            tr,
            errors,
            FieldSpec { hint: "hint-places", ..spec("places", "field-places", "textarea", true) },
            &draft.places.join("\n"),
            &[],
        ),
    ];
    let checklist = def
        .checklist
        .iter()
        .map(|c| Check { id: c.id.clone(), title: tr.loc(&c.title).to_owned(), checked: draft.documents_presented.contains(&c.id) })
        .collect();
    // Each problem once, in the order of the page, linking to its field.
    let problems = errors
        .iter()
        .map(|e| {
            let field = e.field.split_once("documents_presented").map_or(e.field.as_str(), |_| "documents_presented");
            let label = label_of(tr, field);
            Problem { anchor: id_of(field), message: format!("{label}: {}", error_words(tr, e)) }
        })
        .collect();
    FormPage {
        page: viewer.chrome(s, tr.t("intake-title"), "/intake"),
        problems,
        applicant,
        invitees,
        trip,
        checklist,
        key: key.to_owned(),
    }
}

/// The label of a field by its path, with the invitee's number where there is one.
fn label_of(tr: &Tr, path: &str) -> String {
    let key = |name: &str| match name {
        "iin" => "field-iin",
        "surname" => "field-surname",
        "given_names" => "field-given-names",
        "patronymic" => "field-patronymic",
        "address" => "field-address",
        "phone" => "field-phone",
        "mrz" => "field-mrz",
        "sex" => "field-sex",
        "birth_date" => "field-birth-date",
        "citizenship" => "field-citizenship",
        "passport_number" => "field-passport",
        "passport_expires_on" => "field-passport-expires",
        "purpose" => "field-purpose",
        "stay_from" => "field-stay-from",
        "stay_to" => "field-stay-to",
        "entries" => "field-entries",
        "places" => "field-places",
        "invitees" => "section-invitees",
        _ => "section-documents",
    };
    if let Some(rest) = path.strip_prefix("invitees[") {
        let (n, name) = rest.split_once("].").unwrap_or(("0", rest));
        let number = n.parse::<usize>().map_or(1, |n| n + 1).to_string();
        return format!("{} {number}, {}", tr.t("invitee"), tr.t(key(name)));
    }
    tr.t(key(path.strip_prefix("applicant.").unwrap_or(path)))
}

/// The draft the form's fields hold.
pub fn draft_from(form: &[(String, String)]) -> ApplicationDraft {
    let mut d = ApplicationDraft::default();
    for (k, v) in form {
        let v = v.clone();
        if let Some(name) = k.strip_prefix("applicant.") {
            let a = &mut d.applicant;
            match name {
                "iin" => a.iin = v,
                "surname" => a.surname = v,
                "given_names" => a.given_names = v,
                "patronymic" => a.patronymic = v,
                "address" => a.address = v,
                "phone" => a.phone = v,
                _ => {}
            }
        } else if let Some(rest) = k.strip_prefix("invitees[") {
            let Some((n, name)) = rest.split_once("].") else { continue };
            let Ok(n) = n.parse::<usize>() else { continue };
            if n >= domain::application::MAX_INVITEES {
                continue;
            }
            if d.invitees.len() <= n {
                d.invitees.resize_with(n + 1, InviteeDraft::default);
            }
            let i = &mut d.invitees[n];
            match name {
                "surname" => i.surname = v,
                "given_names" => i.given_names = v,
                "sex" => i.sex = v,
                "birth_date" => i.birth_date = v,
                "citizenship" => i.citizenship = v,
                "passport_number" => i.passport_number = v,
                "passport_expires_on" => i.passport_expires_on = v,
                "mrz" => i.mrz = v,
                _ => {}
            }
        } else {
            match k.as_str() {
                "purpose" => d.purpose = v,
                "stay_from" => d.stay_from = v,
                "stay_to" => d.stay_to = v,
                "entries" => d.entries = v,
                "places" => d.places = v.split(['\n', ';']).map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect(),
                "documents_presented" => d.documents_presented.push(v),
                _ => {}
            }
        }
    }
    d
}

/// The draft as hidden fields, for the review page to send it on unchanged.
fn hidden_fields(d: &ApplicationDraft) -> Vec<(String, String)> {
    let a = &d.applicant;
    let mut out: Vec<(String, String)> = [
        ("applicant.iin", &a.iin),
        ("applicant.surname", &a.surname),
        ("applicant.given_names", &a.given_names),
        ("applicant.patronymic", &a.patronymic),
        ("applicant.address", &a.address),
        ("applicant.phone", &a.phone),
        ("purpose", &d.purpose),
        ("stay_from", &d.stay_from),
        ("stay_to", &d.stay_to),
        ("entries", &d.entries),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.clone()))
    .collect();
    out.push(("places".into(), d.places.join("\n")));
    for (n, i) in d.invitees.iter().enumerate() {
        for (k, v) in [
            ("surname", &i.surname),
            ("given_names", &i.given_names),
            ("sex", &i.sex),
            ("birth_date", &i.birth_date),
            ("citizenship", &i.citizenship),
            ("passport_number", &i.passport_number),
            ("passport_expires_on", &i.passport_expires_on),
            ("mrz", &i.mrz),
        ] {
            out.push((format!("invitees[{n}].{k}"), v.clone()));
        }
    }
    out.extend(d.documents_presented.iter().map(|doc| ("documents_presented".to_owned(), doc.clone())));
    out
}

fn current_definition(s: &AppState) -> Result<Arc<Definition>, EngineError> {
    Ok(s.engine.regulations().for_new_case(s.engine.today())?)
}

fn unavailable(s: &AppState, viewer: &Viewer, e: &EngineError) -> Response {
    let (status, message) = error_text(&viewer.tr, e);
    super::problem(viewer.chrome(s, viewer.tr.t("error-title"), "/intake"), status, message)
}

/// Only the front office takes applications: the refusal for anyone else.
fn not_operator(s: &AppState, viewer: &Viewer) -> Option<Response> {
    (viewer.session.user.role != "sc_operator").then(|| {
        super::problem(viewer.chrome(s, viewer.tr.t("error-title"), "/intake"), StatusCode::FORBIDDEN, viewer.tr.t("error-forbidden"))
    })
}

pub async fn start(State(s): State<AppState>, viewer: Viewer) -> Response {
    if let Some(r) = not_operator(&s, &viewer) {
        return r;
    }
    let def = match current_definition(&s) {
        Ok(d) => d,
        Err(e) => return unavailable(&s, &viewer, &e),
    };
    let draft = ApplicationDraft { invitees: vec![InviteeDraft::default()], entries: "single".into(), ..ApplicationDraft::default() };
    form_page(&s, &viewer, &def, &draft, &[], &uuid::Uuid::new_v4().to_string()).into_response()
}

/// The form's buttons: add or remove an invitee, go back to edit, or check the answers.
pub async fn form(State(s): State<AppState>, viewer: Viewer, Form(form): Form<Vec<(String, String)>>) -> Response {
    if let Some(r) = viewer.refuse_form(&s, field(&form, "csrf")).or_else(|| not_operator(&s, &viewer)) {
        return r;
    }
    let def = match current_definition(&s) {
        Ok(d) => d,
        Err(e) => return unavailable(&s, &viewer, &e),
    };
    let key =
        field(&form, "key").filter(|k| !k.is_empty() && k.len() <= 64).map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
    let mut draft = draft_from(&form);
    let action = field(&form, "action").unwrap_or("review");
    if action == "add_invitee" {
        if draft.invitees.len() < domain::application::MAX_INVITEES {
            draft.invitees.push(InviteeDraft::default());
        }
        return form_page(&s, &viewer, &def, &draft, &[], &key).into_response();
    }
    if let Some(n) = action.strip_prefix("remove_invitee_").and_then(|n| n.parse::<usize>().ok()) {
        if n < draft.invitees.len() && draft.invitees.len() > 1 {
            draft.invitees.remove(n);
        }
        return form_page(&s, &viewer, &def, &draft, &[], &key).into_response();
    }
    if action == "edit" {
        return form_page(&s, &viewer, &def, &draft, &[], &key).into_response();
    }
    let today = s.engine.today();
    for i in &mut draft.invitees {
        i.fill_from_mrz(today);
    }
    let checklist: Vec<&str> = def.checklist.iter().map(|c| c.id.as_str()).collect();
    match draft.validate(today, &checklist) {
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, form_page(&s, &viewer, &def, &draft, &errors, &key)).into_response(),
        Ok(_) => review_page(&s, &viewer, &def, &draft, None, &key).into_response(),
    }
}

fn review_page(s: &AppState, viewer: &Viewer, def: &Definition, d: &ApplicationDraft, error: Option<String>, key: &str) -> ReviewPage {
    let tr = &viewer.tr;
    let ans = |label: &str, value: String| Answer { label: tr.t(label), value };
    let a = &d.applicant;
    let applicant = vec![
        ans("field-iin", a.iin.trim().to_owned()),
        ans("field-full-name", [a.surname.trim(), a.given_names.trim(), a.patronymic.trim()].join(" ").trim().to_owned()),
        ans("field-address", a.address.trim().to_owned()),
        ans("field-phone", a.phone.trim().to_owned()),
    ];
    let invitees = d
        .invitees
        .iter()
        .map(|i| {
            vec![
                ans("field-surname", i.surname.trim().to_uppercase()),
                ans("field-given-names", i.given_names.trim().to_uppercase()),
                ans("field-sex", tr.t(if i.sex.eq_ignore_ascii_case("m") { "sex-m" } else { "sex-f" })),
                ans("field-birth-date", i.birth_date.parse().map(|x| tr.date(x)).unwrap_or_default()),
                ans("field-citizenship", i.citizenship.trim().to_uppercase()),
                ans("field-passport", i.passport_number.trim().to_uppercase()),
                ans("field-passport-expires", i.passport_expires_on.parse().map(|x| tr.date(x)).unwrap_or_default()),
            ]
        })
        .collect();
    let date = |v: &str| v.parse().map(|x| tr.date(x)).unwrap_or_default();
    let trip = vec![
        ans("field-purpose", d.purpose.trim().to_owned()),
        ans("field-stay", format!("{} – {}", date(&d.stay_from), date(&d.stay_to))),
        ans("field-entries", tr.t(&format!("entries-{}", if d.entries.is_empty() { "single" } else { d.entries.as_str() }))),
        ans("field-places", d.places.join(", ")),
    ];
    let (presented, missing) = def.checklist.iter().partition::<Vec<_>, _>(|c| d.documents_presented.contains(&c.id));
    ReviewPage {
        page: viewer.chrome(s, tr.t("review-title"), "/intake"),
        hidden: hidden_fields(d),
        applicant,
        invitees,
        trip,
        presented: presented.iter().map(|c| tr.loc(&c.title).to_owned()).collect(),
        missing: missing.iter().map(|c| tr.loc(&c.title).to_owned()).collect(),
        error,
        key: key.to_owned(),
    }
}

/// Accepts the application (steps SC1–SC3 as the operator did them at the window) or refuses
/// to accept it for the missing documents (SC1). Each command's key comes from the form's, so
/// a second click replays instead of opening a second case.
pub async fn submit(State(s): State<AppState>, viewer: Viewer, Form(form): Form<Vec<(String, String)>>) -> Response {
    if let Some(r) = viewer.refuse_form(&s, field(&form, "csrf")).or_else(|| not_operator(&s, &viewer)) {
        return r;
    }
    let tr = &viewer.tr;
    let def = match current_definition(&s) {
        Ok(d) => d,
        Err(e) => return unavailable(&s, &viewer, &e),
    };
    let Some(key) = field(&form, "key").filter(|k| !k.is_empty() && k.len() <= 64).map(str::to_owned) else {
        return super::problem(viewer.chrome(&s, tr.t("error-title"), "/intake"), StatusCode::BAD_REQUEST, tr.t("error-bad-request"));
    };
    let draft = draft_from(&form);
    let missing: Vec<String> = def.checklist.iter().filter(|c| !draft.documents_presented.contains(&c.id)).map(|c| c.id.clone()).collect();
    let accepting = field(&form, "action") == Some("accept");
    if accepting && !missing.is_empty() {
        return (StatusCode::UNPROCESSABLE_ENTITY, review_page(&s, &viewer, &def, &draft, Some(tr.t("review-incomplete")), &key))
            .into_response();
    }
    if accepting && (field(&form, "identified").is_none() || field(&form, "residence").is_none()) {
        return (StatusCode::UNPROCESSABLE_ENTITY, review_page(&s, &viewer, &def, &draft, Some(tr.t("review-confirm-checks")), &key))
            .into_response();
    }
    let engine = &s.engine;
    let opened = match engine.open_case(&viewer.actor, &draft, None, Some(&format!("ui:{key}:open"))).await {
        Ok(r) => r,
        Err(EngineError::Invalid(errors)) => {
            return (StatusCode::UNPROCESSABLE_ENTITY, form_page(&s, &viewer, &def, &draft, &errors, &key)).into_response();
        }
        Err(e) => {
            let (status, message) = error_text(tr, &e);
            return (status, review_page(&s, &viewer, &def, &draft, Some(message), &key)).into_response();
        }
    };
    let case_id = CaseId(opened.case_id.clone());
    let steps: Vec<(&str, &str, Option<WireInput>)> = if accepting {
        vec![("SC1", "complete", None), ("SC2", "identified", None), ("SC3", "accepted", None)]
    } else {
        vec![("SC1", "incomplete", Some(WireInput::MissingDocuments(missing)))]
    };
    let mut version = opened.version;
    for (step, outcome, input) in steps {
        let request = PerformRequest { step: step.into(), outcome: Some(outcome.into()), input, version };
        match engine.perform(&viewer.actor, &case_id, &request, Some(&format!("ui:{key}:{step}"))).await {
            Ok(r) => version = r.version,
            // The case exists: its page shows where it stopped and what is left to do.
            Err(e) => {
                tracing::warn!(error = %e, step, "intake stopped after opening the case");
                return Redirect::to(&format!("/cases/{case_id}")).into_response();
            }
        }
    }
    Redirect::to(&format!("/cases/{case_id}/receipt")).into_response()
}

pub struct ReceiptDocument {
    pub title: String,
    pub links: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "receipt.html")]
struct ReceiptPage {
    page: Chrome,
    case_id: String,
    reference: String,
    accepted: bool,
    ready_on: Option<String>,
    missing: Vec<String>,
    documents: Vec<ReceiptDocument>,
}

/// The page the operator prints or hands over: the reference number and the ready date, or
/// the documents that were missing.
pub async fn receipt(State(s): State<AppState>, viewer: Viewer, Path(case_id): Path<String>) -> Response {
    let tr = &viewer.tr;
    let view = match s.engine.receipt(&viewer.actor, &CaseId(case_id), viewer.origin).await {
        Ok(v) => v,
        Err(e) => return unavailable(&s, &viewer, &e),
    };
    let (c, def) = (&view.case, &view.definition);
    let accepted = c.facts.contains("accepted");
    let documents = c
        .documents
        .iter()
        .filter(|d| d.document.ends_with("receipt"))
        .filter_map(|d| {
            let issued = d.issued.as_ref()?;
            Some(ReceiptDocument {
                title: def.document(&d.document).map(|k| tr.loc(&k.title).to_owned()).unwrap_or_else(|| d.document.to_string()),
                links: document_links(&c.id, &d.document, &issued.languages),
            })
        })
        .collect();
    let missing = c
        .missing_documents
        .iter()
        .map(|m| def.checklist.iter().find(|x| &x.id == m).map_or_else(|| m.clone(), |x| tr.loc(&x.title).to_owned()))
        .collect();
    let title = if accepted { tr.t("receipt-accepted-title") } else { tr.t("receipt-refused-title") };
    ReceiptPage {
        page: viewer.chrome(&s, title, "/intake"),
        case_id: c.id.0.clone(),
        reference: c.reference.clone(),
        accepted,
        ready_on: c.term.as_ref().map(|t| tr.long_date(t.ends_on)),
        missing,
        documents,
    }
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_review_page_sends_on_exactly_the_draft_it_was_given() {
        let mut d = domain::application::example_draft();
        d.invitees.push(InviteeDraft { surname: "O'NEIL".into(), mrz: "line one\nline two".into(), ..InviteeDraft::default() });
        d.places = vec!["Astana".into(), "Almaty".into()];
        assert_eq!(draft_from(&hidden_fields(&d)), d);
    }

    #[test]
    fn field_paths_become_ids_and_labels_name_the_invitee() {
        assert_eq!(id_of("invitees[2].passport_number"), "invitees-2-passport_number");
        let tr = Tr::new(domain::text::Lang::En, jiff::tz::TimeZone::UTC);
        assert_eq!(label_of(&tr, "invitees[1].surname"), "Invitee 2, Surname");
        assert_eq!(label_of(&tr, "applicant.iin"), "IIN");
    }

    #[test]
    fn an_invitee_index_past_the_limit_is_dropped_not_allocated() {
        let form = vec![("invitees[99999999].surname".to_owned(), "X".to_owned())];
        assert!(draft_from(&form).invitees.is_empty());
    }
}
