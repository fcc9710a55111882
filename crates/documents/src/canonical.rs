//! The canonical content of a document: the bytes that are hashed into the case history and
//! signed. Deterministic JSON of the view without its signature mark.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{DocumentError, DocumentView};

/// Names the canonical form, so a later change of it can never verify as the old one.
pub const CANONICAL_FORMAT: &str = "shaqyru.document.v1";

/// The canonical bytes of `view`'s content: `{"document": <view>, "format": "shaqyru.document.v1"}`
/// as compact JSON with every object's keys sorted (by UTF-8 bytes), no insignificant
/// whitespace, and the `signature` mark left out. Two equal views give equal bytes whatever
/// order their fields were built in or which serde_json features are on.
pub fn canonical_bytes(view: &DocumentView) -> Result<Vec<u8>, DocumentError> {
    let mut document = serde_json::to_value(view).map_err(|e| DocumentError::Canonical(e.to_string()))?;
    if let Value::Object(map) = &mut document {
        map.remove("signature");
    }
    let mut wrapper = serde_json::Map::new();
    wrapper.insert("document".to_owned(), document);
    wrapper.insert("format".to_owned(), Value::String(CANONICAL_FORMAT.to_owned()));
    let mut out = Vec::with_capacity(2048);
    write_sorted(&Value::Object(wrapper), &mut out);
    Ok(out)
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The hash the case history records for a generated document: SHA-256 of its canonical bytes.
pub fn content_hash(view: &DocumentView) -> Result<String, DocumentError> {
    Ok(sha256_hex(&canonical_bytes(view)?))
}

fn write_sorted(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_scalar(&Value::String(key.clone()), out);
                out.push(b':');
                write_sorted(value, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_sorted(item, out);
            }
            out.push(b']');
        }
        scalar => write_scalar(scalar, out),
    }
}

fn write_scalar(value: &Value, out: &mut Vec<u8>) {
    // serde_json writes strings with minimal escaping and integers in plain decimal, which is
    // all the view model contains (it has no floating-point fields).
    serde_json::to_writer(out, value).expect("writing JSON to a Vec cannot fail");
}
