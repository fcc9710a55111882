//! The statutory documents at run time: building each document's view from the case when the
//! regulation says it is produced, signing the invitation and the motivated refusal with the
//! head of unit's key, keeping the view so the PDF renders again byte for byte, and answering
//! the public verification of an invitation.
//!
//! A child module of `engine`, so that it works on the engine's own store, clock and
//! configuration; `engine.rs` only calls [`Engine::issue_documents`] from its commit.

use super::{Engine, EngineError, Origin, Result};
use documents::{DocumentKind, DocumentView, Language, Localized, Signer, VerificationStatus};
use domain::case::{Case, DocumentSignature, EventKind, SystemAnswer};
use domain::definition::Definition;
use domain::{Actor, CaseId, Event, UserId};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use store::StoredDocument;

/// The private keys a server signs with, by key id. Ours are Ed25519 keys read from the keys
/// directory; a national PKI's signer (a device or a remote service) would implement
/// [`documents::Signer`] and be offered here the same way.
pub trait KeyRing: Send + Sync {
    fn signer(&self, key_id: &str) -> Option<Arc<dyn Signer + Send + Sync>>;
}

/// Keys held in memory.
#[derive(Default)]
pub struct MemoryKeyRing {
    keys: HashMap<String, Arc<dyn Signer + Send + Sync>>,
}

impl MemoryKeyRing {
    pub fn add(&mut self, signer: Arc<dyn Signer + Send + Sync>) {
        self.keys.insert(signer.key_id().to_owned(), signer);
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl KeyRing for MemoryKeyRing {
    fn signer(&self, key_id: &str) -> Option<Arc<dyn Signer + Send + Sync>> {
        self.keys.get(key_id).cloned()
    }
}

/// What the engine needs to issue documents.
#[derive(Clone)]
pub struct DocumentsConfig {
    /// The public address of this service; an invitation's QR code points at
    /// `{public_url}/verify/{code}`.
    pub public_url: String,
    pub keys: Arc<dyn KeyRing>,
}

impl Default for DocumentsConfig {
    fn default() -> Self {
        DocumentsConfig { public_url: "http://127.0.0.1:8080".into(), keys: Arc::new(MemoryKeyRing::default()) }
    }
}

impl fmt::Debug for DocumentsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DocumentsConfig").field("public_url", &self.public_url).finish_non_exhaustive()
    }
}

/// A document rendered for download.
#[derive(Debug)]
pub struct RenderedDocument {
    pub pdf: Vec<u8>,
    /// `{reference}-{kind}-{language}.pdf`.
    pub file_name: String,
    /// The content hash the case history records.
    pub hash: String,
}

/// The public answer about an invitation: its status and, when the signature holds, the few
/// fields a border guard compares with the paper.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verified {
    pub status: VerificationStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_number: Option<String>,
    /// Per invitee: initials and citizenship (ISO 3166-1 alpha-3).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub invitees: Vec<VerifiedInvitee>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_on: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_on: Option<Date>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifiedInvitee {
    pub initials: String,
    pub citizenship: String,
}

impl Verified {
    fn bare(status: VerificationStatus) -> Verified {
        Verified { status, registration_number: None, invitees: Vec::new(), issued_on: None, valid_until: None, revoked_on: None }
    }
}

/// The documents an official signs: the result of the service, at step P7.
fn is_signed(kind: DocumentKind) -> bool {
    matches!(kind, DocumentKind::Invitation | DocumentKind::MotivatedRefusal)
}

fn kind_of(id: &str) -> Option<DocumentKind> {
    DocumentKind::ALL.into_iter().find(|k| k.id() == id)
}

/// The language a document's content is recorded, hashed and signed in: the state language.
/// Its Russian and bilingual printings carry the same content (every text in the view holds
/// both languages), so they are renderings of the one signed record.
const RECORD_LANGUAGE: Language = Language::Kk;

/// An unguessable verification code: 160 random bits as 32 base32 letters (RFC 4648 alphabet,
/// no padding), so it reads unambiguously from paper and fits a URL.
fn verification_code() -> Result<String> {
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| EngineError::Document(format!("no random bytes for a verification code: {e}")))?;
    Ok(base32(&bytes))
}

fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Whether `code` could be one of ours at all; anything else is unknown without a lookup.
fn plausible_code(code: &str) -> bool {
    code.len() == 32 && code.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
}

fn localized(text: &domain::text::Localized) -> Localized {
    Localized::each(text.kk.clone(), text.ru.clone())
}

/// One document to issue: which, for which task, made by whom, when.
struct Wanted {
    task: u32,
    kind: DocumentKind,
    /// The official who signs or is named on it.
    by: Actor,
    at: Timestamp,
}

impl Engine {
    /// Replaces the documents configuration (public address and signing keys).
    pub fn with_documents(mut self, config: DocumentsConfig) -> Engine {
        self.documents = config;
        self
    }

    pub fn documents_config(&self) -> &DocumentsConfig {
        &self.documents
    }

    /// Issues the documents that `events` (already applied to `case`) call for, appending a
    /// `DocumentIssued` event per document to `events` and `case`, and returns the documents to
    /// store in the same commit. The invitation waits for its registration number: at P7 only
    /// the signer's key is checked (so P7 is refused without one), and it is issued, signed with
    /// the key of the head who signed at P7, when P8 records the number in Бүркіт-ІІМ.
    pub(super) async fn issue_documents(&self, def: &Definition, case: &mut Case, events: &mut Vec<Event>) -> Result<Vec<StoredDocument>> {
        let mut wanted = Vec::new();
        for e in events.iter() {
            match &e.kind {
                EventKind::DocumentProduced { task, document } => {
                    let Some(kind) = kind_of(document) else { continue };
                    if documents::languages(def.edition(), kind).is_err() {
                        tracing::warn!(case.id = %case.id, document = %document, edition = def.edition(), "no document templates for this edition; not issued");
                        continue;
                    }
                    if kind == DocumentKind::Invitation {
                        self.signing_key(&e.by.user).await?;
                    } else {
                        wanted.push(Wanted { task: *task, kind, by: e.by.clone(), at: e.at });
                    }
                }
                EventKind::OutcomeRecorded { answer: Some(SystemAnswer::InvitationRecorded { .. }), .. } => {
                    let produced = case.documents.iter().rev().find(|d| d.document == DocumentKind::Invitation.id() && d.issued.is_none());
                    let Some(produced) = produced else { continue };
                    let signer = case.tasks.iter().find(|t| t.id == produced.task).and_then(|t| t.done.as_ref().map(|d| (t, d)));
                    let Some((task, done)) = signer else { continue };
                    let by = Actor { user: done.by.clone(), role: task.role.clone(), unit: task.unit.clone() };
                    wanted.push(Wanted { task: produced.task, kind: DocumentKind::Invitation, by, at: e.at });
                }
                _ => {}
            }
        }
        let mut stored = Vec::new();
        for w in wanted {
            // Recorded as done by whoever performed the command, like its other events.
            let by_event = events.first().map_or_else(|| w.by.clone(), |e| e.by.clone());
            match self.issue(def, case, &w).await {
                Ok((document, signed)) => {
                    let event = Event {
                        at: w.at,
                        by: by_event,
                        kind: EventKind::DocumentIssued {
                            task: w.task,
                            document: w.kind.id().into(),
                            id: document.id.clone(),
                            hash: document.hash.clone(),
                            languages: documents::languages(def.edition(), w.kind)
                                .map(|l| l.iter().map(|l| l.code().to_owned()).collect())
                                .unwrap_or_default(),
                            signed,
                        },
                    };
                    case.apply(&event);
                    events.push(event);
                    stored.push(document);
                }
                // A receipt or notice that cannot be made must not stop the case at the window;
                // the result of the service is never issued unsigned.
                Err(e) if !is_signed(w.kind) => {
                    tracing::warn!(case.id = %case.id, document = w.kind.id(), error = %e, "document not issued");
                }
                Err(e) => return Err(e),
            }
        }
        Ok(stored)
    }

    /// Builds, signs where the regulation wants a signature, and hashes one document.
    async fn issue(&self, def: &Definition, case: &Case, w: &Wanted) -> Result<(StoredDocument, Option<DocumentSignature>)> {
        let code = if w.kind == DocumentKind::Invitation { Some(verification_code()?) } else { None };
        let mut view = self.view(def, case, w, code.as_deref()).await?;
        let content = documents::canonical_bytes(&view).map_err(|e| EngineError::Document(e.to_string()))?;
        let mut signature = None;
        let mut signed = None;
        if is_signed(w.kind) {
            let signer = self.signing_key(&w.by.user).await?;
            let s = documents::sign(&content, signer.as_ref(), &w.by.user.0, w.at)
                .map_err(|e| EngineError::Document(format!("signing failed: {e}")))?;
            let official = self.official(def, &w.by).await?;
            view.signature = Some(documents::SignatureMark {
                signer: official.full_name,
                algorithm: s.algorithm.clone(),
                key_id: s.key_id.clone(),
                signed_at: self.local(s.signed_at),
            });
            signed = Some(DocumentSignature {
                signer: w.by.user.clone(),
                algorithm: s.algorithm.clone(),
                key_id: s.key_id.clone(),
                signed_at: s.signed_at,
            });
            signature = Some(serde_json::to_string(&s).map_err(|e| EngineError::Document(e.to_string()))?);
        }
        let hash = documents::sha256_hex(&content);
        let document = StoredDocument {
            id: crate::ids::new_id(w.at),
            case_id: case.id.clone(),
            task: w.task,
            kind: w.kind.id().to_owned(),
            hash,
            view: serde_json::to_string(&view).map_err(|e| EngineError::Document(e.to_string()))?,
            signature,
            verification_code: code,
            registration_number: case
                .invitation
                .as_ref()
                .filter(|_| w.kind == DocumentKind::Invitation)
                .map(|i| i.registration_number.clone()),
            issued_at: w.at,
            revoked_at: None,
        };
        Ok((document, signed))
    }

    /// The key `user` signs with: the newest of their registered public keys whose private key
    /// this server holds. Read from the store each time, so a key created while the server runs
    /// counts once the server holds its private half.
    async fn signing_key(&self, user: &UserId) -> Result<Arc<dyn Signer + Send + Sync>> {
        let registered: Vec<String> = self.store.official_keys(&user.0).await?.into_iter().map(|k| k.key_id).collect();
        registered.iter().find_map(|key_id| self.documents.keys.signer(key_id)).ok_or_else(|| no_key(user, registered.first()))
    }

    async fn official(&self, def: &Definition, actor: &Actor) -> Result<documents::Official> {
        let name = self.store.user(&actor.user.0).await?.map(|u| u.display_name).unwrap_or_else(|| actor.user.0.to_string());
        let position = def.role(&actor.role).map(|r| localized(&r.title)).unwrap_or_else(|| Localized::Same(actor.role.to_string()));
        Ok(documents::Official { full_name: name, position })
    }

    fn local(&self, t: Timestamp) -> DateTime {
        t.to_zoned_datetime(self.config.time_zone.clone()).datetime()
    }

    fn local_date(&self, t: Timestamp) -> Date {
        t.to_zoned_datetime(self.config.time_zone.clone()).date()
    }

    /// A unit's name in Kazakh and Russian (its plain name where the units file gives no
    /// translation).
    fn unit_name(&self, id: &str) -> Localized {
        match self.config.units.iter().find(|u| u.id == id) {
            Some(u) => {
                Localized::each(u.name_kk.clone().unwrap_or_else(|| u.name.clone()), u.name_ru.clone().unwrap_or_else(|| u.name.clone()))
            }
            None => Localized::Same(id.to_owned()),
        }
    }

    /// The view of one document, from the case as it stands after the command.
    async fn view(&self, def: &Definition, case: &Case, w: &Wanted, code: Option<&str>) -> Result<DocumentView> {
        use documents::{Body, Person, PersonName};
        let incomplete = |what: &str| EngineError::Document(format!("the {} cannot be made: {what}", w.kind.id()));
        let app = &case.application;
        let a = &app.applicant;
        let full_name = [Some(a.surname.as_str()), Some(a.given_names.as_str()), a.patronymic.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let applicant = Person { full_name, iin: a.iin.as_str().to_owned(), address: Some(a.address.clone()) };
        let names: Vec<PersonName> =
            app.invitees.iter().map(|i| PersonName { surname: i.surname.clone(), given_names: i.given_names.clone() }).collect();
        let checklist = |id: &String| {
            def.checklist.iter().find(|c| &c.id == id).map(|c| localized(&c.title)).unwrap_or_else(|| Localized::Same(id.clone()))
        };
        let term = case.term.as_ref();
        let accepted_on = term.map(|t| self.local_date(t.starts_at)).unwrap_or_else(|| self.local_date(case.opened_at));
        let official = self.official(def, &w.by).await?;
        let provider = self.unit_name(&case.units.provider);
        let branch = self.unit_name(&case.units.sc_branch);
        let mut date = self.local_date(w.at);
        let (issuer, body) = match w.kind {
            DocumentKind::AcceptanceReceipt => (
                branch,
                Body::AcceptanceReceipt(documents::AcceptanceReceipt {
                    accepted_at: self.local(w.at),
                    applicant,
                    invitees: names,
                    documents: app.documents_presented.iter().map(checklist).collect(),
                    result_on: term.map(|t| t.ends_on).ok_or_else(|| incomplete("the service term is not known"))?,
                    operator: official,
                }),
            ),
            DocumentKind::RefusalToAcceptReceipt => (
                branch,
                Body::RefusalToAcceptReceipt(documents::RefusalToAcceptReceipt {
                    applicant,
                    missing: case.missing_documents.iter().map(checklist).collect(),
                    operator: official,
                }),
            ),
            DocumentKind::ExtensionNotice => {
                let ext = case.extension.as_ref().ok_or_else(|| incomplete("no extension was granted"))?;
                (
                    provider,
                    Body::ExtensionNotice(documents::ExtensionNotice {
                        recipient: branch,
                        applicant,
                        accepted_on,
                        reasons: Localized::Same(ext.reason.clone()),
                        extended_by_days: ext.days,
                        result_on: term.map(|t| t.ends_on).ok_or_else(|| incomplete("the service term is not known"))?,
                        signer: official,
                    }),
                )
            }
            DocumentKind::MotivatedRefusal => {
                let (grounds, reasoning) = case.refusal.as_ref().ok_or_else(|| incomplete("no refusal grounds were given"))?;
                let grounds = grounds
                    .iter()
                    .map(|g| documents::RefusalGround {
                        id: g.clone(),
                        text: def
                            .refusal_grounds
                            .iter()
                            .find(|r| &r.id == g)
                            .map(|r| localized(&r.title))
                            .unwrap_or_else(|| Localized::Same(g.clone())),
                    })
                    .collect();
                (
                    provider,
                    Body::MotivatedRefusal(documents::MotivatedRefusal {
                        applicant,
                        invitees: names,
                        accepted_on,
                        grounds,
                        explanation: Some(Localized::Same(reasoning.clone())).filter(|_| !reasoning.trim().is_empty()),
                        signer: official,
                    }),
                )
            }
            DocumentKind::Invitation => {
                let record = case.invitation.as_ref().ok_or_else(|| incomplete("no registration number yet"))?;
                let code = code.ok_or_else(|| incomplete("no verification code"))?;
                date = record.issued_on;
                let invitees = app
                    .invitees
                    .iter()
                    .map(|i| documents::Invitee {
                        name: PersonName { surname: i.surname.clone(), given_names: i.given_names.clone() },
                        sex: match i.sex {
                            domain::identity::Sex::Male => documents::Sex::Male,
                            domain::identity::Sex::Female => documents::Sex::Female,
                        },
                        birth_date: i.birth_date,
                        citizenship: Localized::Same(i.citizenship.clone()),
                        passport_number: i.passport_number.as_str().to_owned(),
                        passport_expires_on: Some(i.passport_expires_on),
                    })
                    .collect();
                let url = format!("{}/verify/{code}", self.documents.public_url.trim_end_matches('/'));
                (
                    provider,
                    Body::Invitation(documents::Invitation {
                        registration_number: record.registration_number.clone(),
                        valid_until: record.valid_until,
                        inviting: applicant,
                        invitees,
                        purpose: Localized::Same(app.purpose.clone()),
                        stay: documents::Period { from: app.stay.from, to: app.stay.to },
                        entries: match app.entries {
                            domain::application::Entries::Single => documents::Entries::Single,
                            domain::application::Entries::Double => documents::Entries::Double,
                            domain::application::Entries::Multiple => documents::Entries::Multiple,
                        },
                        places: app.places.clone(),
                        visa_at: None,
                        signer: official,
                        verification: documents::VerificationLink { url, code: code.to_owned() },
                    }),
                )
            }
        };
        Ok(DocumentView {
            edition: def.edition().to_owned(),
            language: RECORD_LANGUAGE,
            reference: case.reference.clone(),
            date,
            issuer,
            body,
            signature: None,
        })
    }

    /// A case's document as a PDF in `language` (`kk`, `ru`, `kk-ru`; default: the language of
    /// record), for anyone who may read the case. The newest document of that kind is given.
    /// The download is recorded in the access log (kind and language) before it is returned.
    pub async fn document_pdf(
        &self,
        actor: &Actor,
        case_id: &CaseId,
        document: &str,
        language: Option<&str>,
        origin: Origin,
    ) -> Result<RenderedDocument> {
        let (case, _) = self.load_for(actor, case_id).await?;
        self.authorize_read(actor, &case)?;
        if self.coordination_only(actor) {
            return Err(EngineError::Forbidden("the KNB liaison sees coordination requests, not the case's documents".into()));
        }
        let not_found = || EngineError::NotFound(format!("document {document} of case {case_id}"));
        let kind = kind_of(document).ok_or_else(not_found)?;
        let stored = self.store.documents(case_id).await?.into_iter().rev().find(|d| d.kind == document).ok_or_else(not_found)?;
        let mut view: DocumentView = serde_json::from_str(&stored.view)
            .map_err(|e| EngineError::Document(format!("the stored {document} is unreadable ({:?})", e.classify())))?;
        let offered = documents::languages(&view.edition, kind).map_err(|e| EngineError::Document(e.to_string()))?;
        if let Some(code) = language {
            let wanted = Language::ALL.into_iter().find(|l| l.code() == code).filter(|l| offered.contains(l)).ok_or_else(|| {
                let codes: Vec<&str> = offered.iter().map(|l| l.code()).collect();
                EngineError::BadRequest(format!("lang: the {document} is printed in {}, not \"{code}\"", codes.join(", ")))
            })?;
            view.language = wanted;
        }
        let pdf = documents::render(&view).map_err(|e| EngineError::Document(e.to_string()))?;
        let file_name = format!("{}-{}-{}.pdf", case.reference, document, view.language.code());
        self.record_view(actor, case_id, origin, store::Viewed::Document, Some((document, view.language.code()))).await?;
        Ok(RenderedDocument { pdf, file_name, hash: stored.hash })
    }

    /// The public check of an invitation by its verification code. Unknown codes, revoked,
    /// expired and tampered records each get their own answer; only a record whose signature
    /// holds shows any data, and then only initials, citizenship, number and dates.
    pub async fn verify_invitation(&self, code: &str) -> Result<Verified> {
        let code = code.trim().to_ascii_uppercase();
        if !plausible_code(&code) {
            return Ok(Verified::bare(VerificationStatus::Unknown));
        }
        let Some(stored) = self.store.document_by_code(&code).await? else { return Ok(Verified::bare(VerificationStatus::Unknown)) };
        let bad = || Ok(Verified::bare(VerificationStatus::BadSignature));
        let Ok(view) = serde_json::from_str::<DocumentView>(&stored.view) else { return bad() };
        let documents::Body::Invitation(invitation) = &view.body else { return bad() };
        if invitation.verification.code != code {
            return bad();
        }
        let Some(signature) = stored.signature.as_deref().and_then(|s| serde_json::from_str::<documents::Signature>(s).ok()) else {
            return bad();
        };
        let Ok(content) = documents::canonical_bytes(&view) else { return bad() };
        let key = self
            .store
            .official_key(&signature.key_id)
            .await?
            .filter(|k| k.algorithm == documents::ED25519)
            .and_then(|k| documents::Ed25519PublicKey::from_public_key_pem(&k.public_key).ok());
        let revoked_on = stored.revoked_at.map(|t| self.local_date(t));
        let found = documents::IssuedDocument { content: &content, signature: &signature, valid_until: invitation.valid_until, revoked_on };
        let status = VerificationStatus::assess(Some(found), key.as_ref().map(|k| k as &dyn documents::Verifier), self.today());
        if status == VerificationStatus::BadSignature {
            return bad();
        }
        Ok(Verified {
            status,
            registration_number: Some(invitation.registration_number.clone()),
            invitees: invitation
                .invitees
                .iter()
                .map(|i| VerifiedInvitee { initials: initials(&i.name), citizenship: i.citizenship.get(documents::Lang::Ru).to_owned() })
                .collect(),
            issued_on: Some(view.date),
            valid_until: Some(invitation.valid_until),
            revoked_on,
        })
    }

    /// Revokes an invitation by its registration number (administrators only).
    pub async fn revoke_invitation(&self, actor: &Actor, registration_number: &str) -> Result<()> {
        if actor.role != super::ADMIN {
            return Err(EngineError::Forbidden("only administrators revoke invitations".into()));
        }
        if self.store.revoke_invitation(registration_number.trim(), self.now()).await? {
            tracing::info!(actor.user = %actor.user.0, "invitation revoked");
            Ok(())
        } else {
            Err(EngineError::NotFound("an invitation with this registration number".into()))
        }
    }
}

/// `E. A. M.`: the first letter of the surname and of each given name.
fn initials(name: &documents::PersonName) -> String {
    std::iter::once(name.surname.as_str())
        .chain(name.given_names.split_whitespace())
        .filter_map(|part| part.chars().next())
        .map(|c| format!("{}.", c.to_uppercase()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn no_key(user: &UserId, registered: Option<&String>) -> EngineError {
    let user = &user.0;
    EngineError::NoSigningKey(match registered {
        None => format!(
            "{user} has no signing key; an administrator creates one with `shaqyru keys create --user {user}` and restarts the server with that keys directory (--keys-dir)"
        ),
        Some(key_id) => format!(
            "the private key {key_id} of {user} is not in this server's keys directory; start the server with --keys-dir (SHAQYRU_KEYS_DIR) pointing at it"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_matches_rfc_4648_test_vectors() {
        for (input, output) in
            [("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI")]
        {
            assert_eq!(base32(input.as_bytes()), output);
        }
    }

    #[test]
    fn verification_codes_are_32_letters_of_160_random_bits_and_differ() {
        let a = verification_code().unwrap();
        let b = verification_code().unwrap();
        assert!(plausible_code(&a) && plausible_code(&b), "{a} {b}");
        assert_ne!(a, b);
        assert!(!plausible_code("abc") && !plausible_code(&a.to_lowercase()) && !plausible_code(&format!("{}1", &a[..31])));
    }

    #[test]
    fn initials_take_the_first_letter_of_each_name() {
        let name = documents::PersonName { surname: "eriksson".into(), given_names: "Anna  Maria".into() };
        assert_eq!(initials(&name), "E. A. M.");
    }
}
