//! Signatures over canonical content: a good one verifies; changed content, a changed byte of
//! the signature or its metadata, and a wrong key do not; keys round-trip through PEM; and the
//! public verification answer for each state of an invitation.

use documents::{DocumentKind, Language};
use documents::{
    ED25519, Ed25519PublicKey, Ed25519Signer, IssuedDocument, Signature, Signer, Verification, VerificationStatus, Verifier,
    canonical_bytes, sign, verify,
};
use jiff::Timestamp;
use jiff::civil::date;

use crate::fixtures;

fn content() -> Vec<u8> {
    canonical_bytes(&fixtures::view(DocumentKind::Invitation, Language::KkRu)).unwrap()
}

fn signed_at() -> Timestamp {
    "2026-01-17T06:05:00Z".parse().unwrap()
}

fn key(seed: u8) -> Ed25519Signer {
    Ed25519Signer::from_seed(&[seed; 32])
}

#[test]
fn a_signed_invitation_verifies_with_the_signers_public_key() {
    let signer = Ed25519Signer::generate().unwrap();
    let content = content();
    let signature = sign(&content, &signer, "head.astana", signed_at()).unwrap();
    assert_eq!(signature.algorithm, ED25519);
    assert_eq!(signature.key_id, signer.key_id());
    assert_eq!(signature.bytes.len(), 64);
    assert_eq!(verify(&content, &signature, &signer.public_key()), Verification::Valid);
}

#[test]
fn one_changed_byte_of_content_fails() {
    let signer = key(1);
    let content = content();
    let signature = sign(&content, &signer, "head.astana", signed_at()).unwrap();
    for i in [0, content.len() / 2, content.len() - 1] {
        let mut changed = content.clone();
        changed[i] ^= 0x01;
        assert_eq!(verify(&changed, &signature, &signer.public_key()), Verification::BadSignature, "byte {i}");
    }
}

#[test]
fn one_changed_byte_of_the_signature_fails() {
    let signer = key(1);
    let content = content();
    let mut signature = sign(&content, &signer, "head.astana", signed_at()).unwrap();
    signature.bytes[10] ^= 0x80;
    assert_eq!(verify(&content, &signature, &signer.public_key()), Verification::BadSignature);
}

#[test]
fn a_changed_signer_or_time_fails() {
    let signer = key(1);
    let content = content();
    let signature = sign(&content, &signer, "head.astana", signed_at()).unwrap();
    let mut other_signer = signature.clone();
    other_signer.signer = "someone.else".to_owned();
    let mut other_time = signature.clone();
    other_time.signed_at = "2026-01-18T06:05:00Z".parse().unwrap();
    for forged in [other_signer, other_time] {
        assert_eq!(verify(&content, &forged, &signer.public_key()), Verification::BadSignature);
    }
}

#[test]
fn a_wrong_key_fails() {
    let content = content();
    let signature = sign(&content, &key(1), "head.astana", signed_at()).unwrap();
    let other = key(2).public_key();
    assert_eq!(verify(&content, &signature, &other), Verification::KeyMismatch);
    // Even when the signature is relabelled with the other key's id, the bytes do not verify.
    let mut relabelled = signature.clone();
    relabelled.key_id = other.key_id().to_owned();
    assert_eq!(verify(&content, &relabelled, &other), Verification::BadSignature);
}

#[test]
fn another_algorithm_is_reported_as_such() {
    let content = content();
    let mut signature = sign(&content, &key(1), "head.astana", signed_at()).unwrap();
    signature.algorithm = "ECGOST3410-2012".to_owned();
    assert_eq!(verify(&content, &signature, &key(1).public_key()), Verification::AlgorithmMismatch);
}

#[test]
fn keys_round_trip_through_pkcs8_and_spki_pem() {
    let signer = Ed25519Signer::generate().unwrap();
    let private_pem = signer.to_pkcs8_pem().unwrap();
    assert!(private_pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{}", &private_pem[..30]);
    let public_pem = signer.public_key().to_public_key_pem().unwrap();
    assert!(public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));

    let reloaded = Ed25519Signer::from_pkcs8_pem(&private_pem).unwrap();
    assert_eq!(reloaded.key_id(), signer.key_id());
    let public = Ed25519PublicKey::from_public_key_pem(&public_pem).unwrap();
    assert_eq!(public, signer.public_key());

    let content = content();
    let signature = sign(&content, &reloaded, "head.astana", signed_at()).unwrap();
    assert_eq!(verify(&content, &signature, &public), Verification::Valid);
    assert!(Ed25519Signer::from_pkcs8_pem(&public_pem).is_err());
    assert!(Ed25519PublicKey::from_public_key_pem("not a key").is_err());
}

#[test]
fn key_ids_differ_per_key_and_debug_output_hides_the_secret() {
    let (a, b) = (key(1), key(2));
    assert_ne!(a.key_id(), b.key_id());
    assert!(a.key_id().starts_with("ed25519:") && a.key_id().len() == "ed25519:".len() + 16);
    let debug = format!("{a:?}");
    assert!(debug.contains(a.key_id()));
    let pem = a.to_pkcs8_pem().unwrap();
    let secret_line = pem.lines().nth(1).unwrap();
    assert!(!debug.contains(secret_line));
}

#[test]
fn the_signing_time_is_kept_to_whole_seconds() {
    let precise: Timestamp = "2026-01-17T06:05:00.123456789Z".parse().unwrap();
    let signature = sign(&content(), &key(1), "head.astana", precise).unwrap();
    assert_eq!(signature.signed_at, signed_at());
    assert_eq!(verify(&content(), &signature, &key(1).public_key()), Verification::Valid);
}

#[test]
fn the_signed_message_keeps_its_fields_apart() {
    let a = documents::signed_message(b"x", "Ed25519", "k", "a\"", signed_at());
    let text = String::from_utf8(a).unwrap();
    assert!(text.starts_with(r#"["shaqyru.signature.v1","Ed25519","k","a\"","2026-01-17T06:05:00Z",""#), "{text}");
}

#[test]
fn a_signature_round_trips_through_json_with_base64_bytes() {
    let signature = sign(&content(), &key(3), "head.astana", signed_at()).unwrap();
    let json = serde_json::to_value(&signature).unwrap();
    assert_eq!(json["algorithm"], "Ed25519");
    assert_eq!(json["signed_at"], "2026-01-17T06:05:00Z");
    assert_eq!(json["bytes"].as_str().unwrap().len(), 88);
    let back: Signature = serde_json::from_value(json).unwrap();
    assert_eq!(back, signature);
}

/// A signer standing in for a national PKI client, to show the trait fits another scheme.
struct FakePki;

impl Signer for FakePki {
    fn algorithm(&self) -> &str {
        "TEST-PKI"
    }
    fn key_id(&self) -> &str {
        "cert:0001"
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, documents::SigningError> {
        Ok(documents::sha256_hex(message).into_bytes())
    }
}

impl Verifier for FakePki {
    fn algorithm(&self) -> &str {
        "TEST-PKI"
    }
    fn key_id(&self) -> &str {
        "cert:0001"
    }
    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        documents::sha256_hex(message).as_bytes() == signature
    }
}

#[test]
fn another_signature_scheme_plugs_into_the_same_traits() {
    let content = content();
    let signature = sign(&content, &FakePki, "head.astana", signed_at()).unwrap();
    assert_eq!(verify(&content, &signature, &FakePki), Verification::Valid);
    assert_eq!(verify(&content, &signature, &key(1).public_key()), Verification::AlgorithmMismatch);
}

#[test]
fn the_public_answer_covers_valid_revoked_expired_unknown_and_bad_signature() {
    let signer = key(4);
    let public = signer.public_key();
    let content = content();
    let signature = sign(&content, &signer, "head.astana", signed_at()).unwrap();
    let issued = IssuedDocument { content: &content, signature: &signature, valid_until: date(2026, 4, 17), revoked_on: None };
    let today = date(2026, 2, 1);
    let assess = |found: Option<IssuedDocument<'_>>, key: Option<&dyn Verifier>, today| VerificationStatus::assess(found, key, today);

    assert_eq!(assess(Some(issued), Some(&public), today), VerificationStatus::Valid);
    assert_eq!(assess(Some(issued), Some(&public), date(2026, 4, 17)), VerificationStatus::Valid, "valid through its last day");
    assert_eq!(assess(Some(issued), Some(&public), date(2026, 4, 18)), VerificationStatus::Expired);
    let revoked = IssuedDocument { revoked_on: Some(date(2026, 1, 20)), ..issued };
    assert_eq!(assess(Some(revoked), Some(&public), today), VerificationStatus::Revoked);
    assert_eq!(
        assess(Some(revoked), Some(&public), date(2026, 1, 19)),
        VerificationStatus::Revoked,
        "revoked as soon as recorded, even if the checker's clock shows an earlier day"
    );
    assert_eq!(assess(None, Some(&public), today), VerificationStatus::Unknown);
    assert_eq!(assess(Some(issued), None, today), VerificationStatus::BadSignature, "no key for the signature");

    let mut tampered = content.clone();
    tampered[20] ^= 1;
    let tampered = IssuedDocument { content: &tampered, ..issued };
    assert_eq!(assess(Some(tampered), Some(&public), today), VerificationStatus::BadSignature);
    let other = key(5).public_key();
    assert_eq!(assess(Some(issued), Some(&other), today), VerificationStatus::BadSignature);
}
