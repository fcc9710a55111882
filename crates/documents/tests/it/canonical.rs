//! The canonical content: stable bytes, independent of the signature mark, sensitive to every
//! field, and a view survives a JSON round trip unchanged.

use documents::{Body, CANONICAL_FORMAT, DocumentKind, DocumentView, Language, canonical_bytes, content_hash, sha256_hex};

use crate::fixtures;

#[test]
fn canonical_bytes_are_compact_json_with_sorted_keys() {
    let view = fixtures::view(DocumentKind::Invitation, Language::Kk);
    let bytes = canonical_bytes(&view).unwrap();
    let text = std::str::from_utf8(&bytes).unwrap();
    assert!(text.starts_with("{\"document\":{\"body\":{\"entries\":\"single\","), "{text}");
    assert!(text.ends_with(&format!("}},\"format\":\"{CANONICAL_FORMAT}\"}}")), "{text}");
    assert!(!text.contains(": ") && !text.contains('\n'));
    // Parsing and re-serialising in any key order gives the same bytes.
    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let reparsed: DocumentView = serde_json::from_value(value["document"].clone()).unwrap();
    assert_eq!(canonical_bytes(&reparsed).unwrap(), bytes);
}

#[test]
fn the_signature_mark_is_not_part_of_the_content() {
    let signed = fixtures::view(DocumentKind::Invitation, Language::Kk);
    let mut unsigned = signed.clone();
    unsigned.signature = None;
    assert_eq!(canonical_bytes(&signed).unwrap(), canonical_bytes(&unsigned).unwrap());
    assert!(!String::from_utf8(canonical_bytes(&signed).unwrap()).unwrap().contains("signature"));
}

#[test]
fn the_content_hash_is_the_sha256_of_the_canonical_bytes() {
    let view = fixtures::view(DocumentKind::AcceptanceReceipt, Language::Ru);
    let hash = content_hash(&view).unwrap();
    assert_eq!(hash.len(), 64);
    assert!(hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    assert_eq!(hash, sha256_hex(&canonical_bytes(&view).unwrap()));
    assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

#[test]
fn any_change_of_content_changes_the_hash() {
    let view = fixtures::view(DocumentKind::Invitation, Language::Kk);
    let original = content_hash(&view).unwrap();
    let mut other_language = view.clone();
    other_language.language = Language::Ru;
    let mut other_passport = view.clone();
    let Body::Invitation(invitation) = &mut other_passport.body else { unreachable!() };
    invitation.invitees[1].passport_number = "C4J8RZ2L2".to_owned();
    let mut other_edition = view.clone();
    other_edition.edition = "2019".to_owned();
    for changed in [other_language, other_passport, other_edition] {
        assert_ne!(content_hash(&changed).unwrap(), original);
    }
}

#[test]
fn every_view_survives_a_json_round_trip() {
    for (name, view) in fixtures::all_views() {
        let json = serde_json::to_string(&view).unwrap();
        let back: DocumentView = serde_json::from_str(&json).unwrap();
        assert_eq!(back, view, "{name}");
    }
}

#[test]
fn localized_text_reads_from_a_plain_string_or_both_languages() {
    let json = r#"{"edition":"2018","language":"kk_ru","reference":"2026-000001","date":"2026-01-12","issuer":"ЦОН",
        "body":{"kind":"refusal_to_accept_receipt","applicant":{"full_name":"A","iin":"061211600012"},
        "missing":[{"kk":"Паспорт көшірмесі","ru":"Копия паспорта"}],"operator":{"full_name":"B","position":"Оператор"}}}"#;
    let view: DocumentView = serde_json::from_str(json).unwrap();
    assert_eq!(view.kind(), DocumentKind::RefusalToAcceptReceipt);
    assert_eq!(view.language, Language::KkRu);
    assert!(documents::render(&view).is_ok());
}
