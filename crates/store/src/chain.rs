//! The audit log's hash chains (issue 8): pure functions that every backend and the verifier
//! call, so that SQLite and PostgreSQL store, and `shaqyru audit verify` recomputes, the same
//! hashes byte for byte.
//!
//! Each case's events form a chain: an event's hash is SHA-256 over the previous event's hash
//! (or [`GENESIS`] for version 1), the case id, the version and the event's canonical JSON.
//! Checkpoints form one more chain over the whole database, each committing to the root of
//! every case's head (see `docs/decisions.md`, "the audit log is tamper-evident").
//!
//! The access log (who viewed which case's personal data) is one global chain: a row's hash is
//! SHA-256 over the previous row's hash (or [`GENESIS`] for row 1), its number and its fields
//! (see [`access_hash`]); checkpoints also anchor its newest row.

use sha2::{Digest, Sha256};

/// The "previous hash" of a case's first event, and of the first checkpoint.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An event's bytes as hashed: compact JSON with every object's keys sorted by their bytes.
///
/// Not the text a backend stores: PostgreSQL keeps events as JSONB, which reorders keys and
/// drops whitespace, so the hash is taken over a form that both backends' stored values give
/// back identically.
pub fn canonical_json(value: &serde_json::Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(value, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        // Scalars: serde_json's own compact form (strings escaped, numbers shortest).
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// The hash of event `version` of `case`, chained to `prev` (the hash of version − 1, or
/// [`GENESIS`]). Lower-case hex.
pub fn event_hash(prev: &str, case: &str, version: u64, body: &serde_json::Value) -> String {
    let mut h = Sha256::new();
    // Newline-separated: neither a hex hash, a case id nor a number contains one, so no two
    // different inputs give the same bytes.
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(case.as_bytes());
    h.update(b"\n");
    h.update(version.to_string().as_bytes());
    h.update(b"\n");
    h.update(canonical_json(body).as_bytes());
    hex::encode(h.finalize())
}

/// The hashes of events appended after `prev` as versions `first_version ..`, in order.
pub fn extend(prev: &str, case: &str, first_version: u64, bodies: &[serde_json::Value]) -> Vec<String> {
    let mut prev = prev.to_owned();
    let mut hashes = Vec::with_capacity(bodies.len());
    for (i, body) in bodies.iter().enumerate() {
        prev = event_hash(&prev, case, first_version + i as u64, body);
        hashes.push(prev.clone());
    }
    hashes
}

/// The root of a checkpoint: SHA-256 over each case's head, fed in ascending order of case id
/// (byte order), one `case_id\nversion\nhash\n` line per case. Fed incrementally so that the
/// verifier can page through millions of cases.
#[derive(Clone, Debug, Default)]
pub struct RootHasher {
    hasher: Sha256,
    cases: u64,
    events: u64,
}

impl RootHasher {
    pub fn new() -> RootHasher {
        RootHasher::default()
    }

    /// Adds one case's head: its version (= its number of events) and the hash of that event.
    /// Callers feed cases in ascending byte order of their id.
    pub fn push(&mut self, case: &str, version: u64, head: &str) {
        self.hasher.update(format!("{case}\n{version}\n{head}\n").as_bytes());
        self.cases += 1;
        self.events += version;
    }

    /// The cases and events fed so far.
    pub fn counts(&self) -> (u64, u64) {
        (self.cases, self.events)
    }

    /// The root (lower-case hex).
    pub fn finish(self) -> String {
        hex::encode(self.hasher.finalize())
    }
}

/// What a checkpoint's hash commits to (see [`checkpoint_hash`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckpointFields<'a> {
    pub prev: &'a str,
    pub seq: u64,
    /// Microseconds since the Unix epoch.
    pub at_micros: i64,
    pub cases: u64,
    pub events: u64,
    /// The events' commit sequence the checkpoint covers (see `Store::audit_mark`).
    pub through: u64,
    pub root: &'a str,
    /// The access log's newest row when the checkpoint was written: its number (0 for an empty
    /// log) and hash ([`GENESIS`] for an empty log). `None` in checkpoints written before the
    /// access log existed (migration 0007): their hash is over the other fields only.
    pub access: Option<(u64, &'a str)>,
}

/// A checkpoint's hash: SHA-256 over the previous checkpoint's hash (or [`GENESIS`]) and the
/// checkpoint's fields, newline-separated. This is the line to publish.
pub fn checkpoint_hash(f: &CheckpointFields<'_>) -> String {
    let mut text = format!("{}\n{}\n{}\n{}\n{}\n{}\n{}", f.prev, f.seq, f.at_micros, f.cases, f.events, f.through, f.root);
    // Appended only when present, so that a checkpoint written before 0007 hashes as it did.
    if let Some((rows, head)) = f.access {
        text.push_str(&format!("\n{rows}\n{head}"));
    }
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// What an access log row's hash commits to (see [`access_hash`]): everything stored in the
/// row but the hash itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessFields<'a> {
    /// The row's number: 1, 2, … without gaps.
    pub seq: u64,
    /// Microseconds since the Unix epoch.
    pub at_micros: i64,
    pub user: &'a str,
    pub role: &'a str,
    pub unit: &'a str,
    pub case: &'a str,
    /// A `store::Viewed` code.
    pub what: &'a str,
    pub document: Option<&'a str>,
    pub language: Option<&'a str>,
    pub origin: Option<&'a str>,
}

/// An access log row's hash, chained to `prev` (the hash of row `seq − 1`, or [`GENESIS`]):
/// SHA-256 over `prev`, the number and the fields as canonical JSON (user ids and document
/// kinds are free text, so a separator could not be trusted to be absent from them).
pub fn access_hash(prev: &str, f: &AccessFields<'_>) -> String {
    let fields = serde_json::json!({
        "at": f.at_micros,
        "user": f.user,
        "role": f.role,
        "unit": f.unit,
        "case": f.case,
        "what": f.what,
        "document": f.document,
        "language": f.language,
        "origin": f.origin,
    });
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(f.seq.to_string().as_bytes());
    h.update(b"\n");
    h.update(canonical_json(&fields).as_bytes());
    hex::encode(h.finalize())
}

/// The body a purged event is stored with: the redacted event (what the domain keeps of it)
/// and the event's hash in the chain before redaction, so that the chain's heads, and with them
/// the checkpoints, can still be fed after the content is gone.
pub fn redacted_body(redacted: serde_json::Value, hash: &str) -> serde_json::Value {
    serde_json::json!({ "redacted": redacted, "hash": hash })
}

/// The original chain hash a redacted body carries, or `None` when `body` is not one.
pub fn redacted_hash(body: &serde_json::Value) -> Option<&str> {
    let object = body.as_object()?;
    if object.len() != 2 || !object.get("redacted").is_some_and(serde_json::Value::is_object) {
        return None;
    }
    object.get("hash")?.as_str()
}

/// The redaction chain of a purged case: like [`event_hash`] over the redacted bodies (which
/// carry the original hashes), so that the tombstone's `redacted_head` commits to every
/// redacted body and to every original hash.
pub fn redaction_hash(prev: &str, case: &str, version: u64, redacted_body: &serde_json::Value) -> String {
    event_hash(&format!("redacted:{prev}"), case, version, redacted_body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_json_sorts_keys_at_every_level_and_drops_whitespace() {
        let a: serde_json::Value = serde_json::from_str(r#"{"b": 1, "a": {"y": [1, {"d": null, "c": "é\""}], "x": true}}"#).unwrap();
        assert_eq!(canonical_json(&a), r#"{"a":{"x":true,"y":[1,{"c":"é\"","d":null}]},"b":1}"#);
    }

    #[test]
    fn the_same_event_gives_the_same_hash_whatever_its_key_order() {
        let a = json!({"kind": "case_opened", "at": "2026-01-01T00:00:00Z"});
        let b: serde_json::Value = serde_json::from_str(r#"{"at":"2026-01-01T00:00:00Z","kind":"case_opened"}"#).unwrap();
        assert_eq!(event_hash(GENESIS, "c1", 1, &a), event_hash(GENESIS, "c1", 1, &b));
    }

    #[test]
    fn a_hash_depends_on_the_previous_hash_the_case_the_version_and_the_body() {
        let body = json!({"k": 1});
        let base = event_hash(GENESIS, "c1", 1, &body);
        assert_eq!(base.len(), 64);
        assert_ne!(base, event_hash(&base, "c1", 1, &body));
        assert_ne!(base, event_hash(GENESIS, "c2", 1, &body));
        assert_ne!(base, event_hash(GENESIS, "c1", 2, &body));
        assert_ne!(base, event_hash(GENESIS, "c1", 1, &json!({"k": 2})));
    }

    #[test]
    fn extend_chains_each_hash_to_the_one_before() {
        let bodies = [json!(1), json!(2), json!(3)];
        let hashes = extend(GENESIS, "c", 1, &bodies);
        assert_eq!(hashes[0], event_hash(GENESIS, "c", 1, &bodies[0]));
        assert_eq!(hashes[2], event_hash(&hashes[1], "c", 3, &bodies[2]));
        assert_eq!(extend(&hashes[0], "c", 2, &bodies[1..]), hashes[1..]);
    }

    #[test]
    fn the_root_counts_cases_and_events_and_depends_on_every_head() {
        let mut a = RootHasher::new();
        a.push("c1", 3, GENESIS);
        a.push("c2", 2, GENESIS);
        assert_eq!(a.counts(), (2, 5));
        let mut b = RootHasher::new();
        b.push("c1", 3, GENESIS);
        b.push("c2", 1, GENESIS);
        assert_ne!(a.finish(), b.finish());
    }

    fn fields(seq: u64) -> AccessFields<'static> {
        AccessFields {
            seq,
            at_micros: 1,
            user: "u1",
            role: "supervisor",
            unit: "sc-1",
            case: "c1",
            what: "document",
            document: Some("invitation"),
            language: Some("kk"),
            origin: Some("10.0.0.1"),
        }
    }

    #[test]
    fn an_access_hash_depends_on_the_previous_hash_the_number_and_every_field() {
        let base = access_hash(GENESIS, &fields(1));
        assert_eq!(base.len(), 64);
        assert_ne!(base, access_hash(&base, &fields(1)));
        assert_ne!(base, access_hash(GENESIS, &fields(2)));
        let changed = [
            AccessFields { at_micros: 2, ..fields(1) },
            AccessFields { user: "u2", ..fields(1) },
            AccessFields { role: "head", ..fields(1) },
            AccessFields { unit: "sc-2", ..fields(1) },
            AccessFields { case: "c2", ..fields(1) },
            AccessFields { what: "case", ..fields(1) },
            AccessFields { document: None, ..fields(1) },
            AccessFields { language: Some("ru"), ..fields(1) },
            AccessFields { origin: None, ..fields(1) },
        ];
        for f in &changed {
            assert_ne!(base, access_hash(GENESIS, f), "{f:?}");
        }
    }

    #[test]
    fn a_checkpoint_without_the_access_log_hashes_as_before_and_with_it_commits_to_its_head() {
        let old = CheckpointFields { prev: GENESIS, seq: 1, at_micros: 5, cases: 1, events: 2, through: 2, root: GENESIS, access: None };
        let text = format!("{GENESIS}\n1\n5\n1\n2\n2\n{GENESIS}");
        assert_eq!(checkpoint_hash(&old), hex::encode(Sha256::digest(text.as_bytes())), "the hash of checkpoints before 0007");
        let with = |rows, head| checkpoint_hash(&CheckpointFields { access: Some((rows, head)), ..old.clone() });
        assert_ne!(with(0, GENESIS), checkpoint_hash(&old));
        assert_ne!(with(3, GENESIS), with(4, GENESIS));
        assert_ne!(with(3, GENESIS), with(3, &"a".repeat(64)));
    }

    #[test]
    fn a_redacted_body_carries_its_original_hash_and_nothing_else_passes_for_one() {
        let body = redacted_body(json!({"type": "case_opened"}), "ab");
        assert_eq!(redacted_hash(&body), Some("ab"));
        assert_eq!(redacted_hash(&json!({"type": "case_opened", "hash": "ab"})), None);
        assert_eq!(redacted_hash(&json!({"redacted": "x", "hash": "ab"})), None);
        let chained = redaction_hash(GENESIS, "c1", 1, &body);
        assert_ne!(chained, event_hash(GENESIS, "c1", 1, &body), "the redaction chain is its own");
        assert_ne!(chained, redaction_hash(GENESIS, "c1", 1, &redacted_body(json!({"type": "case_opened"}), "ac")));
    }
}
