//! Signing a document's canonical content and checking such a signature: the `Signer` and
//! `Verifier` traits any signature scheme fits (ours is Ed25519, one key per official; the
//! national PKI's could replace it), the `Signature` value stored with the case, and the
//! outcomes a public verification can give.

use std::fmt;

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{SigningKey, VerifyingKey};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The algorithm name our own keys sign with.
pub const ED25519: &str = "Ed25519";

/// Something that signs bytes with one key: our Ed25519 key of an official today, a national
/// PKI client (an NCALayer-style signer with a qualified certificate) later.
pub trait Signer {
    /// The algorithm's name as recorded in [`Signature::algorithm`] (`"Ed25519"`).
    fn algorithm(&self) -> &str;
    /// Identifies the key, so a verifier can find the matching public key or certificate.
    fn key_id(&self) -> &str;
    /// Signs `message` (the bytes [`signed_message`] builds) and returns the raw signature.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SigningError>;
}

/// Checks signatures made by one key.
pub trait Verifier {
    fn algorithm(&self) -> &str;
    fn key_id(&self) -> &str;
    /// Whether `signature` is a valid signature of `message` by this key.
    fn verify(&self, message: &[u8], signature: &[u8]) -> bool;
}

/// A signature over a document's canonical content, as stored with the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    pub algorithm: String,
    pub key_id: String,
    /// Who signed: the official's user id as the caller names it.
    pub signer: String,
    pub signed_at: Timestamp,
    /// The raw signature, base64 in JSON.
    #[serde(with = "base64_bytes")]
    pub bytes: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error("the signing device or service failed: {0}")]
    Device(String),
}

/// The bytes a signature is made over: a JSON array of a fixed label, the algorithm, key id,
/// signer, signing time and the SHA-256 of the canonical content. Binding the metadata means a
/// stored signature's signer or time cannot be changed without breaking it; JSON's quoting
/// keeps the fields apart whatever characters they hold.
pub fn signed_message(content: &[u8], algorithm: &str, key_id: &str, signer: &str, signed_at: Timestamp) -> Vec<u8> {
    let digest = hex::encode(Sha256::digest(content));
    let fields = ["shaqyru.signature.v1", algorithm, key_id, signer, &signed_at.to_string(), &digest];
    serde_json::to_vec(&fields).expect("an array of strings always serialises")
}

/// Signs canonical `content` (see [`crate::canonical_bytes`]) as `signer` at `signed_at`; the
/// time comes from the caller's clock and is kept to whole seconds, so it survives any storage
/// that drops fractions.
pub fn sign(content: &[u8], key: &dyn Signer, signer: &str, signed_at: Timestamp) -> Result<Signature, SigningError> {
    let signed_at = Timestamp::from_second(signed_at.as_second()).expect("a whole second of a valid timestamp is valid");
    let message = signed_message(content, key.algorithm(), key.key_id(), signer, signed_at);
    let bytes = key.sign(&message)?;
    Ok(Signature { algorithm: key.algorithm().to_owned(), key_id: key.key_id().to_owned(), signer: signer.to_owned(), signed_at, bytes })
}

/// The result of checking one signature against content and a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    Valid,
    /// The signature names another algorithm than the key's.
    AlgorithmMismatch,
    /// The signature names another key than the one given.
    KeyMismatch,
    /// The content, the signature's metadata or its bytes were changed, or another key signed.
    BadSignature,
}

impl Verification {
    pub fn is_valid(self) -> bool {
        self == Verification::Valid
    }
}

/// Checks that `signature` was made over `content` by `key`.
pub fn verify(content: &[u8], signature: &Signature, key: &dyn Verifier) -> Verification {
    if signature.algorithm != key.algorithm() {
        return Verification::AlgorithmMismatch;
    }
    if signature.key_id != key.key_id() {
        return Verification::KeyMismatch;
    }
    let message = signed_message(content, &signature.algorithm, &signature.key_id, &signature.signer, signature.signed_at);
    if key.verify(&message, &signature.bytes) { Verification::Valid } else { Verification::BadSignature }
}

/// What a public verification of an invitation answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    /// Issued by us, signature good, not revoked, still within its validity.
    Valid,
    Revoked,
    Expired,
    /// No invitation has this code (or it was never signed).
    Unknown,
    /// The stored content does not match its signature, or the signing key is unknown.
    BadSignature,
}

/// What the caller found for a verification code: the stored canonical content, its signature,
/// and the invitation's state.
#[derive(Debug, Clone, Copy)]
pub struct IssuedDocument<'a> {
    pub content: &'a [u8],
    pub signature: &'a Signature,
    pub valid_until: Date,
    pub revoked_on: Option<Date>,
}

impl VerificationStatus {
    /// Decides the public answer. A record that fails its signature check is never reported
    /// as valid, revoked or expired; `key` is the public key `signature.key_id` names, if known.
    pub fn assess(found: Option<IssuedDocument<'_>>, key: Option<&dyn Verifier>, today: Date) -> VerificationStatus {
        let Some(document) = found else { return VerificationStatus::Unknown };
        let Some(key) = key else { return VerificationStatus::BadSignature };
        if !verify(document.content, document.signature, key).is_valid() {
            return VerificationStatus::BadSignature;
        }
        // A revocation takes effect when it is recorded, whatever date it carries: the clock of
        // the command that revoked may run ahead of the one that checks.
        match document.revoked_on {
            Some(_) => VerificationStatus::Revoked,
            _ if today > document.valid_until => VerificationStatus::Expired,
            _ => VerificationStatus::Valid,
        }
    }
}

/// An official's Ed25519 key pair. Stored as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`); its
/// public half as SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
pub struct Ed25519Signer {
    key: SigningKey,
    key_id: String,
}

impl Ed25519Signer {
    /// A new key from the operating system's random source.
    pub fn generate() -> Result<Self, KeyError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
        let signer = Self::from_seed(&seed);
        seed.fill(0);
        Ok(signer)
    }

    /// The key whose 32-byte secret is `seed` (for tests and for keys kept elsewhere).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        let key = SigningKey::from_bytes(seed);
        let key_id = key_id_of(&key.verifying_key());
        Ed25519Signer { key, key_id }
    }

    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, KeyError> {
        let key = SigningKey::from_pkcs8_pem(pem).map_err(|e| KeyError::Format(e.to_string()))?;
        let key_id = key_id_of(&key.verifying_key());
        Ok(Ed25519Signer { key, key_id })
    }

    /// The PKCS#8 PEM text of the private key; the buffer is wiped when dropped.
    pub fn to_pkcs8_pem(&self) -> Result<ed25519_dalek::pkcs8::spki::der::zeroize::Zeroizing<String>, KeyError> {
        self.key.to_pkcs8_pem(LineEnding::LF).map_err(|e| KeyError::Format(e.to_string()))
    }

    pub fn public_key(&self) -> Ed25519PublicKey {
        Ed25519PublicKey { key: self.key.verifying_key(), key_id: self.key_id.clone() }
    }
}

impl fmt::Debug for Ed25519Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the secret.
        f.debug_struct("Ed25519Signer").field("key_id", &self.key_id).finish_non_exhaustive()
    }
}

impl Signer for Ed25519Signer {
    fn algorithm(&self) -> &str {
        ED25519
    }

    fn key_id(&self) -> &str {
        &self.key_id
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SigningError> {
        use ed25519_dalek::Signer as _;
        Ok(self.key.sign(message).to_bytes().to_vec())
    }
}

/// The public half of an official's key, which verification pages use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ed25519PublicKey {
    key: VerifyingKey,
    key_id: String,
}

impl Ed25519PublicKey {
    pub fn from_public_key_pem(pem: &str) -> Result<Self, KeyError> {
        let key = VerifyingKey::from_public_key_pem(pem).map_err(|e| KeyError::Format(e.to_string()))?;
        let key_id = key_id_of(&key);
        Ok(Ed25519PublicKey { key, key_id })
    }

    pub fn to_public_key_pem(&self) -> Result<String, KeyError> {
        self.key.to_public_key_pem(LineEnding::LF).map_err(|e| KeyError::Format(e.to_string()))
    }
}

impl Verifier for Ed25519PublicKey {
    fn algorithm(&self) -> &str {
        ED25519
    }

    fn key_id(&self) -> &str {
        &self.key_id
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(signature) = ed25519_dalek::Signature::from_slice(signature) else { return false };
        self.key.verify_strict(message, &signature).is_ok()
    }
}

/// A key's id is derived from the public key itself (`ed25519:` and the first 16 hex digits of
/// SHA-256 of its 32 bytes), so an id can never point at the wrong key.
fn key_id_of(key: &VerifyingKey) -> String {
    let digest = Sha256::digest(key.as_bytes());
    format!("ed25519:{}", &hex::encode(digest)[..16])
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("no random bytes from the operating system: {0}")]
    Random(String),
    #[error("the key file is not a valid Ed25519 key: {0}")]
    Format(String),
}

mod base64_bytes {
    //! Signature bytes as standard base64 text in JSON.

    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        STANDARD.decode(text).map_err(|_| serde::de::Error::custom("signature bytes are not valid base64"))
    }
}
