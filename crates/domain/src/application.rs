//! An application as the front-office operator types it (`ApplicationDraft`: plain text) and
//! as the engine keeps it once every field has been checked (`Application`: typed values).
//! Validation returns every bad field at once, each with a stable code and a message.

use crate::identity::{self, Iin, PassportNumber, Sex, Td3};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// What was typed, before any check. Every field is text so that nothing typed is lost when
/// the form comes back with errors.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicationDraft {
    pub applicant: ApplicantDraft,
    pub invitees: Vec<InviteeDraft>,
    pub purpose: String,
    pub stay_from: String,
    pub stay_to: String,
    pub entries: String,
    pub places: Vec<String>,
    pub documents_presented: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicantDraft {
    pub iin: String,
    pub surname: String,
    pub given_names: String,
    pub patronymic: String,
    pub address: String,
    pub phone: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InviteeDraft {
    pub surname: String,
    pub given_names: String,
    pub sex: String,
    pub birth_date: String,
    pub citizenship: String,
    pub passport_number: String,
    pub passport_expires_on: String,
    /// The passport's two-line machine-readable zone, optional; when given it must agree with
    /// the other fields.
    pub mrz: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub applicant: Applicant,
    pub invitees: Vec<Invitee>,
    pub purpose: String,
    pub stay: Period,
    pub entries: Entries,
    pub places: Vec<String>,
    pub documents_presented: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub iin: Iin,
    pub surname: String,
    pub given_names: String,
    pub patronymic: Option<String>,
    pub address: String,
    pub phone: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitee {
    pub surname: String,
    pub given_names: String,
    pub sex: Sex,
    pub birth_date: Date,
    /// ISO 3166-1 alpha-3, as in the passport's machine-readable zone.
    pub citizenship: String,
    pub passport_number: PassportNumber,
    pub passport_expires_on: Date,
}

impl Invitee {
    /// Initials and citizenship: enough to tell invitees apart without showing personal data.
    pub fn initials(&self) -> String {
        let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
        format!("{}. {}. ({})", first(&self.surname), first(&self.given_names), self.citizenship)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entries {
    Single,
    Double,
    Multiple,
}

/// One bad field: its path in the form (`invitees[0].passport_number`), a stable code for
/// translations and clients, and a message in English.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// The longest stay an invitation is asked for here; a longer one is almost always a typo.
pub const MAX_STAY_DAYS: i32 = 365;
pub const MAX_INVITEES: usize = 20;

struct Errors(Vec<FieldError>);

impl Errors {
    fn add(&mut self, field: impl Into<String>, code: &str, message: impl Into<String>) {
        self.0.push(FieldError { field: field.into(), code: code.to_owned(), message: message.into() });
    }

    fn required(&mut self, field: &str, value: &str) -> Option<String> {
        let v = value.trim();
        if v.is_empty() {
            self.add(field, "required", "this field is required");
            return None;
        }
        if v.chars().count() > 300 {
            self.add(field, "too_long", "at most 300 characters");
            return None;
        }
        Some(v.to_owned())
    }

    fn date(&mut self, field: &str, value: &str) -> Option<Date> {
        let v = value.trim();
        if v.is_empty() {
            self.add(field, "required", "this field is required");
            return None;
        }
        match v.parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                self.add(field, "date.invalid", format!("\"{v}\" is not a date that exists (YYYY-MM-DD)"));
                None
            }
        }
    }
}

impl InviteeDraft {
    /// Fills the fields left empty from a valid machine-readable zone, so that the operator
    /// types the two lines once; fields already typed are kept, and `validate` then checks them
    /// against the zone. The zone gives two-digit years: a date of birth is put in the latest
    /// century that does not make it later than today, an expiry date in this century.
    pub fn fill_from_mrz(&mut self, today: Date) {
        let Ok(z) = Td3::parse(&self.mrz) else { return };
        let fill = |field: &mut String, value: &str| {
            if field.trim().is_empty() {
                *field = value.to_owned();
            }
        };
        let date = |(yy, mm, dd): (u8, u8, u8), past: bool| {
            let century = today.year() / 100 * 100;
            let year = century + i16::from(yy);
            let day = Date::new(year, mm as i8, dd as i8).ok()?;
            // A date of birth later than today is from the century before.
            let day = if past && day > today { Date::new(year - 100, mm as i8, dd as i8).ok()? } else { day };
            Some(day.to_string())
        };
        fill(&mut self.surname, &z.surname);
        fill(&mut self.given_names, &z.given_names);
        fill(&mut self.passport_number, &z.number);
        fill(&mut self.citizenship, &z.nationality);
        match z.sex {
            Some(Sex::Male) => fill(&mut self.sex, "M"),
            Some(Sex::Female) => fill(&mut self.sex, "F"),
            None => {}
        }
        if let Some(d) = date(z.birth_date, true) {
            fill(&mut self.birth_date, &d);
        }
        if let Some(d) = date(z.expiry_date, false) {
            fill(&mut self.passport_expires_on, &d);
        }
    }
}

impl ApplicationDraft {
    /// Checks every field against the rules and `today` (the office's local date), and the
    /// presented documents against the edition's checklist ids.
    pub fn validate(&self, today: Date, checklist: &[&str]) -> Result<Application, Vec<FieldError>> {
        let mut e = Errors(Vec::new());
        let a = &self.applicant;
        let iin = match Iin::parse(&a.iin) {
            Ok(iin) if iin.birth_date() > today => {
                e.add("applicant.iin", "iin.future_birth_date", "the ИИН gives a date of birth in the future");
                None
            }
            Ok(iin) => Some(iin),
            Err(err) => {
                let code = if a.iin.trim().is_empty() { "required" } else { "iin.invalid" };
                e.add("applicant.iin", code, err.to_string());
                None
            }
        };
        let surname = e.required("applicant.surname", &a.surname);
        let given_names = e.required("applicant.given_names", &a.given_names);
        let address = e.required("applicant.address", &a.address);
        let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());

        let stay_from = e.date("stay_from", &self.stay_from);
        let stay_to = e.date("stay_to", &self.stay_to);
        let mut stay = None;
        if let (Some(from), Some(to)) = (stay_from, stay_to) {
            if from <= today {
                e.add("stay_from", "stay.not_future", "the stay must start after today");
            } else if to < from {
                e.add("stay_to", "stay.ends_before_start", "the stay ends before it starts");
            } else if (to - from).get_days() >= MAX_STAY_DAYS {
                e.add("stay_to", "stay.too_long", format!("a stay is at most {MAX_STAY_DAYS} days"));
            } else {
                stay = Some(Period { from, to });
            }
        }

        if self.invitees.is_empty() {
            e.add("invitees", "invitees.none", "name at least one invitee");
        }
        if self.invitees.len() > MAX_INVITEES {
            e.add("invitees", "invitees.too_many", format!("at most {MAX_INVITEES} invitees on one application"));
        }
        let mut invitees = Vec::new();
        for (i, inv) in self.invitees.iter().enumerate() {
            if let Some(inv) = validate_invitee(&mut e, i, inv, today, stay_to) {
                invitees.push(inv);
            }
        }

        let purpose = e.required("purpose", &self.purpose);
        let entries = match self.entries.trim() {
            "" | "single" => Some(Entries::Single),
            "double" => Some(Entries::Double),
            "multiple" => Some(Entries::Multiple),
            other => {
                e.add("entries", "entries.invalid", format!("\"{other}\" is not single, double or multiple"));
                None
            }
        };
        let places: Vec<String> = self.places.iter().map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect();
        if places.is_empty() {
            e.add("places", "places.none", "name at least one settlement the invitees will visit");
        }
        let mut documents = Vec::new();
        for (i, d) in self.documents_presented.iter().enumerate() {
            if !checklist.contains(&d.as_str()) {
                e.add(format!("documents_presented[{i}]"), "document.unknown", format!("\"{d}\" is not on this edition's checklist"));
            } else if !documents.contains(d) {
                documents.push(d.clone());
            }
        }

        if !e.0.is_empty() {
            return Err(e.0);
        }
        Ok(Application {
            applicant: Applicant {
                iin: iin.expect("no errors"),
                surname: surname.expect("no errors"),
                given_names: given_names.expect("no errors"),
                patronymic: opt(&a.patronymic),
                address: address.expect("no errors"),
                phone: opt(&a.phone),
            },
            invitees,
            purpose: purpose.expect("no errors"),
            stay: stay.expect("no errors"),
            entries: entries.expect("no errors"),
            places,
            documents_presented: documents,
        })
    }
}

fn validate_invitee(e: &mut Errors, i: usize, inv: &InviteeDraft, today: Date, stay_to: Option<Date>) -> Option<Invitee> {
    let f = |name: &str| format!("invitees[{i}].{name}");
    let mut latin = |field: &str, value: &str| -> Option<String> {
        let v = value.trim().to_uppercase();
        if v.is_empty() {
            e.add(f(field), "required", "this field is required");
            None
        } else if !identity::is_latin_name(&v) {
            e.add(f(field), "name.not_latin", "write the name in Latin letters as in the passport");
            None
        } else {
            Some(v)
        }
    };
    let surname = latin("surname", &inv.surname);
    let given_names = latin("given_names", &inv.given_names);
    let sex = match inv.sex.trim() {
        "M" | "m" => Some(Sex::Male),
        "F" | "f" => Some(Sex::Female),
        "" => {
            e.add(f("sex"), "required", "this field is required");
            None
        }
        _ => {
            e.add(f("sex"), "sex.invalid", "sex is M or F, as in the passport");
            None
        }
    };
    let birth_date = e.date(&f("birth_date"), &inv.birth_date);
    if birth_date.is_some_and(|d| d >= today) {
        e.add(f("birth_date"), "birth_date.future", "the date of birth must be in the past");
    }
    let citizenship = inv.citizenship.trim().to_uppercase();
    let citizenship_ok = citizenship.len() == 3 && citizenship.chars().all(|c| c.is_ascii_uppercase());
    if citizenship.is_empty() {
        e.add(f("citizenship"), "required", "this field is required");
    } else if !citizenship_ok {
        e.add(f("citizenship"), "citizenship.invalid", "citizenship is a three-letter code as in the passport (e.g. DEU)");
    } else if citizenship == "KAZ" {
        e.add(f("citizenship"), "citizenship.kazakhstan", "an invitee is a foreigner: a citizen of Kazakhstan needs no invitation");
    }
    let passport = match PassportNumber::parse(&inv.passport_number) {
        Ok(p) => Some(p),
        Err(err) => {
            let code = if inv.passport_number.trim().is_empty() { "required" } else { "passport.invalid" };
            e.add(f("passport_number"), code, err.to_string());
            None
        }
    };
    let expires = e.date(&f("passport_expires_on"), &inv.passport_expires_on);
    if let Some(exp) = expires {
        if exp <= today {
            e.add(f("passport_expires_on"), "passport.expired", "the passport has expired");
        } else if stay_to.is_some_and(|to| exp <= to) {
            e.add(f("passport_expires_on"), "passport.expires_during_stay", "the passport expires before the stay ends");
        }
    }
    if !inv.mrz.trim().is_empty() {
        match Td3::parse(&inv.mrz) {
            Err(err) => e.add(f("mrz"), "mrz.invalid", err.to_string()),
            Ok(z) => {
                let mut mismatch = |field: &str, ok: bool| {
                    if !ok {
                        e.add(f(field), "mrz.mismatch", "does not match the passport's machine-readable zone");
                    }
                };
                mismatch("passport_number", passport.as_ref().is_none_or(|p| p.as_str() == z.number));
                mismatch("citizenship", !citizenship_ok || citizenship == z.nationality);
                mismatch("surname", surname.as_ref().is_none_or(|s| s.replace(['-', '\''], " ") == z.surname));
                mismatch("birth_date", birth_date.is_none_or(|d| identity::same_mrz_date(d, z.birth_date)));
                mismatch("passport_expires_on", expires.is_none_or(|d| identity::same_mrz_date(d, z.expiry_date)));
                mismatch("sex", sex.is_none() || z.sex.is_none() || sex == z.sex);
            }
        }
    }
    Some(Invitee {
        surname: surname?,
        given_names: given_names?,
        sex: sex?,
        birth_date: birth_date?,
        citizenship: Some(citizenship).filter(|_| citizenship_ok)?,
        passport_number: passport?,
        passport_expires_on: expires?,
    })
}

/// A complete, valid draft (on 2026-11-24, with the 2018 checklist): one Swedish invitee with the
/// ICAO specimen passport, a stay in January 2027. For tests, fixtures and demonstrations.
pub fn example_draft() -> ApplicationDraft {
    ApplicationDraft {
        applicant: ApplicantDraft {
            iin: "061211600012".into(),
            surname: "Сейтқали".into(),
            given_names: "Әйгерім".into(),
            address: "Астана, Сарыарқа ауданы".into(),
            ..Default::default()
        },
        invitees: vec![InviteeDraft {
            surname: "Eriksson".into(),
            given_names: "Anna Maria".into(),
            sex: "F".into(),
            birth_date: "1974-08-12".into(),
            citizenship: "SWE".into(),
            passport_number: "L898902C3".into(),
            passport_expires_on: "2030-04-15".into(),
            mrz: String::new(),
        }],
        purpose: "visiting relatives".into(),
        stay_from: "2027-01-10".into(),
        stay_to: "2027-02-10".into(),
        entries: "single".into(),
        places: vec!["Astana".into()],
        documents_presented: vec!["identity_document".into()],
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 11, 24);
    const CHECKLIST: &[&str] = &["identity_document", "application_form", "passport_copy"];

    fn codes(d: &ApplicationDraft) -> Vec<(String, String)> {
        d.validate(TODAY, CHECKLIST).unwrap_err().into_iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn a_complete_draft_becomes_an_application_with_names_in_capitals() {
        let app = example_draft().validate(TODAY, CHECKLIST).unwrap();
        assert_eq!(app.invitees[0].surname, "ERIKSSON");
        assert_eq!(app.stay.from, date(2027, 1, 10));
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let mut d = example_draft();
        d.applicant.iin = "061211600013".into();
        d.invitees[0].surname = "Эриксон".into();
        d.invitees[0].citizenship = "KAZ".into();
        d.stay_from = "2026-11-01".into();
        d.places.clear();
        let got = codes(&d);
        for want in [
            ("applicant.iin", "iin.invalid"),
            ("invitees[0].surname", "name.not_latin"),
            ("invitees[0].citizenship", "citizenship.kazakhstan"),
            ("stay_from", "stay.not_future"),
            ("places", "places.none"),
        ] {
            assert!(got.contains(&(want.0.into(), want.1.into())), "{want:?} not in {got:?}");
        }
    }

    #[test]
    fn dates_that_do_not_exist_are_refused() {
        let mut d = example_draft();
        d.stay_to = "2027-02-30".into();
        assert_eq!(codes(&d), vec![("stay_to".into(), "date.invalid".into())]);
    }

    #[test]
    fn a_passport_expiring_during_the_stay_is_refused() {
        let mut d = example_draft();
        d.invitees[0].passport_expires_on = "2027-02-01".into();
        assert_eq!(codes(&d), vec![("invitees[0].passport_expires_on".into(), "passport.expires_during_stay".into())]);
    }

    #[test]
    fn a_machine_readable_zone_must_agree_with_the_typed_fields() {
        let mut d = example_draft();
        d.invitees[0].citizenship = "UTO".into();
        d.invitees[0].passport_expires_on = "2012-04-15".into();
        d.invitees[0].mrz = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10".into();
        // The specimen passport expired in 2012: that is reported, and nothing else disagrees.
        assert_eq!(codes(&d), vec![("invitees[0].passport_expires_on".into(), "passport.expired".into())]);
        d.invitees[0].passport_number = "L898902C4".into();
        assert!(codes(&d).contains(&("invitees[0].passport_number".into(), "mrz.mismatch".into())));
    }

    #[test]
    fn the_zone_fills_only_the_empty_fields_and_reads_two_digit_years() {
        let zone = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
        let today = jiff::civil::date(2026, 11, 24);
        let mut i = InviteeDraft { mrz: zone.into(), given_names: "ANNA".into(), ..InviteeDraft::default() };
        i.fill_from_mrz(today);
        assert_eq!((i.surname.as_str(), i.given_names.as_str()), ("ERIKSSON", "ANNA"), "a typed field is kept");
        assert_eq!((i.passport_number.as_str(), i.citizenship.as_str(), i.sex.as_str()), ("L898902C3", "UTO", "F"));
        assert_eq!(i.birth_date, "1974-08-12", "74 is in the past century: 2074 would be future");
        assert_eq!(i.passport_expires_on, "2012-04-15");
        let mut typed = InviteeDraft { mrz: zone.into(), surname: "SMITH".into(), ..InviteeDraft::default() };
        typed.fill_from_mrz(today);
        assert_eq!(typed.surname, "SMITH", "a disagreeing typed value stays for validate to report");
        // Found by fuzzing: a birthday later this year is from the century before, not in a month.
        let late = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO2612317F1204159ZE184226B<<<<<16";
        let mut i = InviteeDraft { mrz: late.into(), ..InviteeDraft::default() };
        i.fill_from_mrz(today);
        assert_eq!(i.birth_date, "1926-12-31");
        let mut bad = InviteeDraft { mrz: "P<UTO".into(), ..InviteeDraft::default() };
        bad.fill_from_mrz(today);
        assert_eq!(bad.surname, "", "an invalid zone fills nothing");
    }

    #[test]
    fn documents_not_on_the_checklist_are_refused() {
        let mut d = example_draft();
        d.documents_presented.push("birth_certificate".into());
        assert_eq!(codes(&d), vec![("documents_presented[1]".into(), "document.unknown".into())]);
    }
}
