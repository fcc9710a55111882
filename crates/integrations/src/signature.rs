//! Signatures on inbound messages (the KNB's answers, through the gateway): HMAC-SHA256 with a
//! shared secret over `"{timestamp}.{body}"`, sent as `sha256=<hex>` with the timestamp beside
//! it. The timestamp bounds replays to a window; the message id deduplicates within it.

use hmac::{KeyInit, Mac};
use sha2_011::Sha256;

type HmacSha256 = hmac::Hmac<Sha256>;

/// How far a signed timestamp may lie from our clock.
pub const WINDOW_SECONDS: i64 = 300;

/// A shared secret. Its `Debug` never shows it.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Secret, String> {
        let bytes = bytes.into();
        if bytes.len() < 16 {
            return Err("a shared secret needs at least 16 bytes".into());
        }
        Ok(Secret(bytes))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

fn mac(secret: &Secret, timestamp: i64, body: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(&secret.0).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The signature header's value for `body` signed at `timestamp` (Unix seconds).
pub fn sign(secret: &Secret, timestamp: i64, body: &[u8]) -> String {
    format!("sha256={}", hex::encode(mac(secret, timestamp, body).finalize().into_bytes()))
}

/// Why an inbound message's signature was not accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature or timestamp header is missing")]
    Missing,
    #[error("the timestamp header is not a whole number of seconds")]
    BadTimestamp,
    #[error("the message was signed more than {WINDOW_SECONDS} seconds from now")]
    OutsideWindow,
    #[error("the signature does not match the message")]
    Mismatch,
}

/// Checks a message's signature (in constant time) and its timestamp against `now` (Unix seconds).
pub fn verify(secret: &Secret, signature: Option<&str>, timestamp: Option<&str>, body: &[u8], now: i64) -> Result<(), SignatureError> {
    let (Some(signature), Some(timestamp)) = (signature, timestamp) else { return Err(SignatureError::Missing) };
    let timestamp: i64 = timestamp.trim().parse().map_err(|_| SignatureError::BadTimestamp)?;
    if (now - timestamp).abs() > WINDOW_SECONDS {
        return Err(SignatureError::OutsideWindow);
    }
    let given = signature.trim().strip_prefix("sha256=").and_then(|h| hex::decode(h).ok()).ok_or(SignatureError::Mismatch)?;
    mac(secret, timestamp, body).verify_slice(&given).map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> Secret {
        Secret::new(*b"a test secret of 32 bytes length").unwrap()
    }

    #[test]
    fn a_signed_message_verifies_and_any_change_does_not() {
        let body = br#"{"case_id":"c","message_id":"m","answer":"agree"}"#;
        let sig = sign(&secret(), 1_000, body);
        assert_eq!(verify(&secret(), Some(&sig), Some("1000"), body, 1_010), Ok(()));
        assert_eq!(
            verify(&secret(), Some(&sig), Some("1000"), br#"{"case_id":"c","message_id":"m","answer":"object"}"#, 1_010),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(verify(&secret(), Some(&sig), Some("1001"), body, 1_010), Err(SignatureError::Mismatch));
        let other = Secret::new(*b"another secret, also long enough").unwrap();
        assert_eq!(verify(&other, Some(&sig), Some("1000"), body, 1_010), Err(SignatureError::Mismatch));
    }

    #[test]
    fn old_missing_and_malformed_signatures_are_refused() {
        let body = b"{}";
        let sig = sign(&secret(), 1_000, body);
        assert_eq!(verify(&secret(), Some(&sig), Some("1000"), body, 1_000 + WINDOW_SECONDS + 1), Err(SignatureError::OutsideWindow));
        assert_eq!(verify(&secret(), None, Some("1000"), body, 1_000), Err(SignatureError::Missing));
        assert_eq!(verify(&secret(), Some("sha256=zz"), Some("1000"), body, 1_000), Err(SignatureError::Mismatch));
        assert_eq!(verify(&secret(), Some(&sig), Some("soon"), body, 1_000), Err(SignatureError::BadTimestamp));
        assert!(Secret::new(*b"short").is_err());
        assert_eq!(format!("{:?}", secret()), "Secret(..)");
    }
}
