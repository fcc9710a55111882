//! Fuzz target: `ApplicationDraft::validate(today, checklist)` on drafts built from the fuzzer's
//! bytes. The draft starts as the domain's valid example and each field is kept, or replaced by
//! any text, or by one of a few meaningful values (valid, nearly valid, edge), so that the
//! fuzzer reaches both `Ok` and the checks behind the first error; up to a few invitees (or a
//! copy of one past the limit), "today" near the example's day or anywhere in jiff's range. Properties: it never panics and is deterministic; `Err`
//! holds at least one error, each naming a field path that exists in the draft (as its JSON
//! has it) with a code and a message; `Ok` holds an application that meets every rule it was
//! checked against; filling invitees from their zones and validating again never panics.
#![no_main]

use arbitrary::Arbitrary;
use domain::application::{
    ApplicantDraft, Application, ApplicationDraft, FieldError, InviteeDraft, MAX_INVITEES, MAX_STAY_DAYS, example_draft,
};
use domain::identity::is_latin_name;
use jiff::Span;
use jiff::civil::{Date, date};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// A field: the example's value, anything, or one of the values worth trying for that field.
#[derive(Arbitrary, Debug)]
enum Text {
    Keep,
    Typed(String),
    Known(u8),
}

impl Text {
    fn pick(&self, example: &str, known: &[&str]) -> String {
        match self {
            Text::Keep => example.to_owned(),
            Text::Typed(s) => s.clone(),
            Text::Known(i) => known[usize::from(*i) % known.len()].to_owned(),
        }
    }
}

/// The office's date: near the example's 2026-11-24, or any offset in days.
#[derive(Arbitrary, Debug)]
enum Today {
    Near(i8),
    Any(i32),
}

const IINS: &[&str] =
    &["061211600012", " 061211600012 ", "061211600013", "270101500006", "991231300003", "000229500008", "", "06121160001"];
const NAMES: &[&str] = &["Eriksson", "ANNA MARIA", "O'Neil-Smith", "Сейтқали", "ANNA  MARIA", "", " ", "ſmith"];
const SEXES: &[&str] = &["F", "M", "m", "f", "", "X"];
const DATES: &[&str] = &[
    "1974-08-12",
    "2027-01-10",
    "2027-02-10",
    "2030-04-15",
    "2026-11-24",
    "2026-11-25",
    "2027-11-24",
    "2028-01-10",
    "2012-04-15",
    "2027-02-30",
    "",
    "9999-12-31",
    "-009999-01-01",
];
const CITIZENSHIPS: &[&str] = &["SWE", "UTO", "swe", "KAZ", "DEUT", "D1U", ""];
const PASSPORTS: &[&str] = &["L898902C3", "l898902c3", "L898 902C3", "AB12", "L898902C4", ""];
const ZONES: &[&str] = &["", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10", "P<UTO"];
const ENTRIES: &[&str] = &["single", "double", "multiple", "", " double ", "triple"];
const PLACES: &[&str] = &["Astana", "", "  "];
const CHECKLIST: &[&str] = &["identity_document", "application_form", "passport_copy", "birth_certificate"];

#[derive(Arbitrary, Debug)]
struct Invitee {
    surname: Text,
    given_names: Text,
    sex: Text,
    birth_date: Text,
    citizenship: Text,
    passport_number: Text,
    passport_expires_on: Text,
    mrz: Text,
}

#[derive(Arbitrary, Debug)]
struct Input {
    today: Today,
    /// `None`: the 2018 edition's checklist.
    checklist: Option<Vec<Text>>,
    iin: Text,
    surname: Text,
    given_names: Text,
    patronymic: Text,
    address: Text,
    phone: Text,
    invitees: Vec<Invitee>,
    /// Add this many copies of the first invitee, to pass the limit on invitees.
    copies: u8,
    purpose: Text,
    stay_from: Text,
    stay_to: Text,
    entries: Text,
    /// `None`: the example's.
    places: Option<Vec<Text>>,
    documents: Option<Vec<Text>>,
}

fn draft(input: &Input) -> ApplicationDraft {
    let example = example_draft();
    let ei = &example.invitees[0];
    let ea = &example.applicant;
    let mut invitees: Vec<InviteeDraft> = input
        .invitees
        .iter()
        .take(4)
        .map(|i| InviteeDraft {
            surname: i.surname.pick(&ei.surname, NAMES),
            given_names: i.given_names.pick(&ei.given_names, NAMES),
            sex: i.sex.pick(&ei.sex, SEXES),
            birth_date: i.birth_date.pick(&ei.birth_date, DATES),
            citizenship: i.citizenship.pick(&ei.citizenship, CITIZENSHIPS),
            passport_number: i.passport_number.pick(&ei.passport_number, PASSPORTS),
            passport_expires_on: i.passport_expires_on.pick(&ei.passport_expires_on, DATES),
            mrz: i.mrz.pick(&ei.mrz, ZONES),
        })
        .collect();
    if let Some(first) = invitees.first().cloned() {
        invitees.extend(std::iter::repeat_n(first, usize::from(input.copies % 24)));
    }
    let list = |texts: &Option<Vec<Text>>, example: &[String], known: &[&str]| match texts {
        None => example.to_vec(),
        Some(texts) => texts.iter().take(5).map(|t| t.pick(example.first().map_or("", String::as_str), known)).collect(),
    };
    ApplicationDraft {
        applicant: ApplicantDraft {
            iin: input.iin.pick(&ea.iin, IINS),
            surname: input.surname.pick(&ea.surname, NAMES),
            given_names: input.given_names.pick(&ea.given_names, NAMES),
            patronymic: input.patronymic.pick(&ea.patronymic, NAMES),
            address: input.address.pick(&ea.address, PLACES),
            phone: input.phone.pick(&ea.phone, &["+7 701 000 00 00", ""]),
        },
        invitees,
        purpose: input.purpose.pick(&example.purpose, &["visiting relatives", "", "   "]),
        stay_from: input.stay_from.pick(&example.stay_from, DATES),
        stay_to: input.stay_to.pick(&example.stay_to, DATES),
        entries: input.entries.pick(&example.entries, ENTRIES),
        places: list(&input.places, &example.places, PLACES),
        documents_presented: list(&input.documents, &example.documents_presented, CHECKLIST),
    }
}

fn today(today: &Today) -> Date {
    let offset = match *today {
        Today::Near(days) => i32::from(days),
        Today::Any(days) => days,
    };
    let shifted = Span::new().try_days(i64::from(offset)).ok().and_then(|span| date(2026, 11, 24).checked_add(span).ok());
    shifted.unwrap_or(if offset < 0 { Date::MIN } else { Date::MAX })
}

/// Whether a path like `invitees[2].surname` names a value in the draft's JSON.
fn path_exists(root: &Value, path: &str) -> bool {
    let mut at = root;
    for part in path.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((key, rest)) => match rest.strip_suffix(']').and_then(|i| i.parse::<usize>().ok()) {
                Some(i) => (key, Some(i)),
                None => return false,
            },
            None => (part, None),
        };
        let Some(next) = at.get(key) else { return false };
        at = next;
        if let Some(i) = index {
            let Some(next) = at.get(i) else { return false };
            at = next;
        }
    }
    true
}

fn check_errors(draft: &ApplicationDraft, errors: &[FieldError]) {
    assert!(!errors.is_empty(), "Err with no errors");
    let json = serde_json::to_value(draft).expect("a draft serializes");
    for e in errors {
        assert!(path_exists(&json, &e.field), "error on a field that does not exist: {e:?}");
        assert!(!e.code.is_empty() && !e.message.is_empty(), "an error without a code or message: {e:?}");
    }
}

fn check_application(draft: &ApplicationDraft, app: &Application, today: Date, checklist: &[&str]) {
    assert_eq!(app.invitees.len(), draft.invitees.len(), "every invitee is kept");
    assert!((1..=MAX_INVITEES).contains(&app.invitees.len()));
    assert!(app.applicant.iin.birth_date() <= today);
    for text in [&app.applicant.surname, &app.applicant.given_names, &app.applicant.address, &app.purpose] {
        assert!(!text.trim().is_empty() && text.trim() == text && text.chars().count() <= 300, "{text:?}");
    }
    assert!(app.stay.from > today && app.stay.to >= app.stay.from);
    assert!((app.stay.to - app.stay.from).get_days() < MAX_STAY_DAYS);
    for inv in &app.invitees {
        assert!(is_latin_name(&inv.surname) && is_latin_name(&inv.given_names), "{inv:?}");
        assert!(inv.birth_date < today);
        assert!(inv.citizenship.len() == 3 && inv.citizenship.bytes().all(|b| b.is_ascii_uppercase()) && inv.citizenship != "KAZ");
        assert!(inv.passport_expires_on > today && inv.passport_expires_on > app.stay.to);
    }
    assert!(!app.places.is_empty() && app.places.iter().all(|p| !p.is_empty()));
    for (i, d) in app.documents_presented.iter().enumerate() {
        assert!(checklist.contains(&d.as_str()) && !app.documents_presented[..i].contains(d), "{d:?}");
    }
    let json = serde_json::to_string(app).expect("an application serializes");
    let back: Application = serde_json::from_str(&json).expect("and reads back");
    assert_eq!(&back, app);
}

fuzz_target!(|input: Input| {
    let draft = draft(&input);
    let today = today(&input.today);
    let checklist: Vec<String> = match &input.checklist {
        None => CHECKLIST[..3].iter().map(|c| c.to_string()).collect(),
        Some(texts) => texts.iter().take(4).map(|c| c.pick(CHECKLIST[0], CHECKLIST)).collect(),
    };
    let checklist: Vec<&str> = checklist.iter().map(String::as_str).collect();

    let result = draft.validate(today, &checklist);
    assert_eq!(draft.validate(today, &checklist), result, "validation is deterministic");
    match &result {
        Err(errors) => check_errors(&draft, errors),
        Ok(app) => check_application(&draft, app, today, &checklist),
    }

    let mut filled = draft.clone();
    for invitee in &mut filled.invitees {
        invitee.fill_from_mrz(today);
    }
    if let Err(errors) = filled.validate(today, &checklist) {
        check_errors(&filled, &errors);
    }
});
