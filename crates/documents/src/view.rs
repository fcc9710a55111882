//! The document view model: everything a statutory document prints, already decided and
//! formatted by the caller's data, with no reference to cases, stores or the regulation file.

use jiff::civil::{Date, DateTime};
use serde::{Deserialize, Serialize};

/// One document to render: which edition's templates, in which language, and its content.
///
/// The `signature` mark is printed on the paper but is not part of the signed content (see
/// [`crate::canonical_bytes`]): the signature is made over the rest of the view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentView {
    /// The regulation edition whose template set renders this view (`"2018"`).
    pub edition: String,
    pub language: Language,
    /// The case's reference, printed on every page (`2026-000001`).
    pub reference: String,
    /// The date the document bears (for the invitation: its issue date).
    pub date: Date,
    /// The unit that issues the document: a State Corporation branch for the two receipts,
    /// the provider (migration unit) for the others.
    pub issuer: Localized,
    pub body: Body,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<SignatureMark>,
}

impl DocumentView {
    pub fn kind(&self) -> DocumentKind {
        self.body.kind()
    }
}

/// The five documents the regulation names (§4, §6.5, §9.1); the ids match the `[documents]`
/// table of the regulation's definition file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    AcceptanceReceipt,
    RefusalToAcceptReceipt,
    ExtensionNotice,
    Invitation,
    MotivatedRefusal,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 5] = [
        DocumentKind::AcceptanceReceipt,
        DocumentKind::RefusalToAcceptReceipt,
        DocumentKind::ExtensionNotice,
        DocumentKind::Invitation,
        DocumentKind::MotivatedRefusal,
    ];

    /// The id used in the regulation's definition file and in file names.
    pub fn id(self) -> &'static str {
        match self {
            DocumentKind::AcceptanceReceipt => "acceptance_receipt",
            DocumentKind::RefusalToAcceptReceipt => "refusal_to_accept_receipt",
            DocumentKind::ExtensionNotice => "extension_notice",
            DocumentKind::Invitation => "invitation",
            DocumentKind::MotivatedRefusal => "motivated_refusal",
        }
    }
}

/// The language a document is printed in. `KkRu` puts both on one page (Kazakh first), for the
/// forms that are bilingual; a template set says which those are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    Kk,
    Ru,
    KkRu,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::Kk, Language::Ru, Language::KkRu];

    pub fn code(self) -> &'static str {
        match self {
            Language::Kk => "kk",
            Language::Ru => "ru",
            Language::KkRu => "kk-ru",
        }
    }
}

/// Text the caller supplies that may differ by language (a unit's name, a refusal ground).
/// Either one text for every language or a Kazakh and a Russian text; in JSON a plain string
/// or `{"kk": …, "ru": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Localized {
    Same(String),
    Each { kk: String, ru: String },
}

impl Localized {
    pub fn each(kk: impl Into<String>, ru: impl Into<String>) -> Self {
        Localized::Each { kk: kk.into(), ru: ru.into() }
    }

    /// The text to print in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match (self, lang) {
            (Localized::Same(text), _) => text,
            (Localized::Each { kk, .. }, Lang::Kk) => kk,
            (Localized::Each { ru, .. }, Lang::Ru) => ru,
        }
    }
}

impl From<&str> for Localized {
    fn from(text: &str) -> Self {
        Localized::Same(text.to_owned())
    }
}

/// One of the two languages a template writes in (a bilingual document uses both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Kk,
    Ru,
}

/// The content that differs per document kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    AcceptanceReceipt(AcceptanceReceipt),
    RefusalToAcceptReceipt(RefusalToAcceptReceipt),
    ExtensionNotice(ExtensionNotice),
    Invitation(Invitation),
    MotivatedRefusal(MotivatedRefusal),
}

impl Body {
    pub fn kind(&self) -> DocumentKind {
        match self {
            Body::AcceptanceReceipt(_) => DocumentKind::AcceptanceReceipt,
            Body::RefusalToAcceptReceipt(_) => DocumentKind::RefusalToAcceptReceipt,
            Body::ExtensionNotice(_) => DocumentKind::ExtensionNotice,
            Body::Invitation(_) => DocumentKind::Invitation,
            Body::MotivatedRefusal(_) => DocumentKind::MotivatedRefusal,
        }
    }
}

/// The receipt the State Corporation hands over when it accepts an application (§9): what was
/// handed in and the date the result will be issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptanceReceipt {
    /// When the documents were accepted, in the branch's local time.
    pub accepted_at: DateTime,
    pub applicant: Person,
    pub invitees: Vec<PersonName>,
    /// The documents handed in, in the order of the edition's checklist.
    pub documents: Vec<Localized>,
    /// The date the result will be issued at the branch.
    pub result_on: Date,
    /// The operator who accepted the documents.
    pub operator: Official,
}

/// The receipt of refusal to accept documents (standard, appendix 4; regulation §9.1): the
/// package is incomplete and the case ends at the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusalToAcceptReceipt {
    pub applicant: Person,
    /// The documents of the checklist that were not presented.
    pub missing: Vec<Localized>,
    pub operator: Official,
}

/// The provider's written notice to the State Corporation that the term was extended at the
/// KNB's request (standard, appendix 1; regulation §6.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionNotice {
    /// The State Corporation branch the notice is addressed to.
    pub recipient: Localized,
    pub applicant: Person,
    /// The date the application was accepted.
    pub accepted_on: Date,
    /// Why the term is extended (e.g. the KNB's written request, with its number and date).
    pub reasons: Localized,
    /// By how many calendar days.
    pub extended_by_days: u32,
    /// The new date the result will be issued.
    pub result_on: Date,
    pub signer: Official,
}

/// The invitation (standard, appendix 2; regulation §4, §6.6–§6.8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    /// The registration number recorded in Бүркіт-ІІМ (step P8).
    pub registration_number: String,
    /// The last day the invitation is valid.
    pub valid_until: Date,
    /// The inviting person (the applicant).
    pub inviting: Person,
    pub invitees: Vec<Invitee>,
    pub purpose: Localized,
    pub stay: Period,
    pub entries: Entries,
    /// Settlements where the invitees will stay, as the caller prints them (with КАТО codes
    /// where known).
    pub places: Vec<String>,
    /// Where the visa will be collected (a consulate), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visa_at: Option<Localized>,
    /// The head of unit who signs (step P7).
    pub signer: Official,
    pub verification: VerificationLink,
}

/// The motivated refusal to provide the service, citing the ground(s) (regulation §4, §6.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MotivatedRefusal {
    /// The applicant, to whom the answer is addressed.
    pub applicant: Person,
    /// The invitees the application was for.
    pub invitees: Vec<PersonName>,
    /// The date the application was accepted.
    pub accepted_on: Date,
    pub grounds: Vec<RefusalGround>,
    /// The facts behind the grounds, when the provider states them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Localized>,
    pub signer: Official,
}

/// A citizen named on a document: full name, ИИН, and address where the document shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub full_name: String,
    pub iin: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// A foreigner's name in Latin letters, as in the passport.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName {
    pub surname: String,
    pub given_names: String,
}

impl PersonName {
    /// `SURNAME Given Names`, the usual order on visa documents.
    pub fn display(&self) -> String {
        format!("{} {}", self.surname.to_uppercase(), self.given_names)
    }
}

/// An invitee as the invitation lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitee {
    pub name: PersonName,
    pub sex: Sex,
    pub birth_date: Date,
    pub citizenship: Localized,
    pub passport_number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passport_expires_on: Option<Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sex {
    #[serde(rename = "M")]
    Male,
    #[serde(rename = "F")]
    Female,
}

/// The period of stay, both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

/// How many entries the invitation allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entries {
    Single,
    Double,
    Multiple,
}

/// An official named on a document: the operator, or the head of unit who signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Official {
    pub full_name: String,
    pub position: Localized,
}

/// One refusal ground of the edition (standard §10), with its id and its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusalGround {
    pub id: String,
    pub text: Localized,
}

/// Where the public can check an invitation: the page's address (also in the QR code) and the
/// unguessable code that identifies the invitation there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationLink {
    pub url: String,
    pub code: String,
}

/// What the paper shows about the electronic signature. Not signed itself: it is made from the
/// [`crate::Signature`] after signing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureMark {
    /// The signing official's name as printed.
    pub signer: String,
    pub algorithm: String,
    pub key_id: String,
    /// When it was signed, in the issuing unit's local time.
    pub signed_at: DateTime,
}
