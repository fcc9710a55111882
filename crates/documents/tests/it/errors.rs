//! What rendering refuses: an edition without templates, a language the form is not offered
//! in, an incomplete view, and text the font cannot draw.

use documents::{Body, DocumentError, DocumentKind, Language, render};

use crate::fixtures;

#[test]
fn an_unknown_edition_is_a_clear_error() {
    let mut view = fixtures::view(DocumentKind::Invitation, Language::Kk);
    view.edition = "2015".to_owned();
    let error = render(&view).unwrap_err();
    assert!(matches!(&error, DocumentError::UnknownEdition(edition) if edition == "2015"), "{error:?}");
    assert_eq!(error.to_string(), "there are no document templates for regulation edition \"2015\" (known: 2018)");
}

#[test]
fn letters_are_not_offered_bilingual() {
    for kind in [DocumentKind::ExtensionNotice, DocumentKind::MotivatedRefusal] {
        let view = fixtures::view(kind, Language::KkRu);
        let error = render(&view).unwrap_err();
        assert!(matches!(error, DocumentError::LanguageNotOffered { kind: k, language: Language::KkRu } if k == kind), "{error:?}");
    }
    assert_eq!(documents::languages("2018", DocumentKind::Invitation).unwrap(), &Language::ALL);
}

#[test]
fn an_invitation_without_invitees_is_refused() {
    let mut view = fixtures::view(DocumentKind::Invitation, Language::Ru);
    let Body::Invitation(invitation) = &mut view.body else { unreachable!() };
    invitation.invitees.clear();
    assert!(matches!(render(&view), Err(DocumentError::Incomplete(_))));
}

#[test]
fn a_refusal_without_grounds_is_refused() {
    let mut view = fixtures::view(DocumentKind::MotivatedRefusal, Language::Ru);
    let Body::MotivatedRefusal(refusal) = &mut view.body else { unreachable!() };
    refusal.grounds.clear();
    assert!(matches!(render(&view), Err(DocumentError::Incomplete(_))));
}

#[test]
fn text_the_font_cannot_draw_is_refused_rather_than_printed_as_boxes() {
    let mut view = fixtures::view(DocumentKind::AcceptanceReceipt, Language::Kk);
    let Body::AcceptanceReceipt(receipt) = &mut view.body else { unreachable!() };
    receipt.invitees[0].given_names = "王".to_owned();
    let error = render(&view).unwrap_err();
    assert!(matches!(&error, DocumentError::MissingGlyphs(chars) if chars == &vec!['王']), "{error:?}");
}
