//! The regulation's five statutory documents as PDFs, and signatures over their content.
//!
//! - [`render`]: a [`DocumentView`] → A4 PDF bytes, with the template set of the view's
//!   regulation edition (`templates/`), in Kazakh, Russian or both on one page where the form is
//!   bilingual ([`languages`]). Noto Sans (regular and bold) is embedded and subset; text is
//!   measured and wrapped, and long documents run onto more pages. The invitation carries a QR
//!   code pointing at its public verification page.
//! - [`canonical_bytes`] / [`content_hash`]: the deterministic bytes of a view's content (JSON
//!   with sorted keys, without the signature mark) and their SHA-256, which the case history
//!   records and signatures cover. The PDF is a rendering of that content, never what is signed.
//! - [`Signer`] / [`Verifier`], [`sign`] / [`verify`] and [`Signature`]: any scheme fits behind
//!   the traits; ours is [`Ed25519Signer`] with one PKCS#8 key per official. A national PKI's
//!   signer can replace it by implementing the same trait. [`VerificationStatus::assess`]
//!   decides the public answer for an invitation (valid, revoked, expired, unknown, bad
//!   signature).
//!
//! **Invariant:** a pure library. It knows neither cases, the store, the engine nor HTTP; it
//! reads no clock (signing times come in as arguments), writes no logs and touches no files;
//! the one thing it asks of the operating system is randomness for [`Ed25519Signer::generate`].
//! What a document says comes in through the view; which words surround it is the edition's
//! template set.

mod canonical;
mod fonts;
mod layout;
mod pdf;
mod qr;
mod signing;
mod templates;
mod view;

pub use canonical::{CANONICAL_FORMAT, canonical_bytes, content_hash, sha256_hex};
pub use fonts::{KAZAKH_LETTERS, missing_glyphs};
pub use signing::{
    ED25519, Ed25519PublicKey, Ed25519Signer, IssuedDocument, KeyError, Signature, Signer, SigningError, Verification, VerificationStatus,
    Verifier, sign, signed_message, verify,
};
pub use templates::{EDITIONS, languages};
pub use view::{
    AcceptanceReceipt, Body, DocumentKind, DocumentView, Entries, ExtensionNotice, Invitation, Invitee, Lang, Language, Localized,
    MotivatedRefusal, Official, Period, Person, PersonName, RefusalGround, RefusalToAcceptReceipt, Sex, SignatureMark, VerificationLink,
};

use std::fmt;

/// Why a document could not be rendered or serialised.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("there are no document templates for regulation edition {0:?} (known: {known})", known = EDITIONS.join(", "))]
    UnknownEdition(String),
    #[error("the {kind} is not offered in language {language}")]
    LanguageNotOffered { kind: DocumentKind, language: Language },
    #[error("the document is incomplete: {0}")]
    Incomplete(&'static str),
    #[error("the embedded font has no glyph for {0:?}")]
    MissingGlyphs(Vec<char>),
    #[error("the verification QR code could not be made: {0}")]
    Qr(String),
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
    #[error("the document could not be serialised: {0}")]
    Canonical(String),
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Renders `view` as an A4 PDF with the template set of `view.edition`.
///
/// The same view gives the same bytes. Fails on an unknown edition, a language the form is not
/// offered in, an incomplete view (an invitation without invitees, a refusal without grounds)
/// or text the embedded font cannot draw.
pub fn render(view: &DocumentView) -> Result<Vec<u8>, DocumentError> {
    let composition = templates::compose(view)?;
    let faces = fonts::faces();
    let pages = layout::lay_out(faces, &composition.blocks, &composition.frame);
    let mut missing = Vec::new();
    for page in &pages {
        for item in &page.items {
            if let layout::Placed::Text { text, .. } = item {
                for c in missing_glyphs(text) {
                    if !missing.contains(&c) {
                        missing.push(c);
                    }
                }
            }
        }
    }
    if !missing.is_empty() {
        return Err(DocumentError::MissingGlyphs(missing));
    }
    let language = match view.language {
        Language::Ru => "ru",
        Language::Kk | Language::KkRu => "kk",
    };
    pdf::write(&pages, pdf::PdfInfo { title: composition.title, language: language.to_owned() })
}
