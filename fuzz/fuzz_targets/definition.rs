//! Fuzz target: the regulation definition loader, `domain::definition::load`, on any text
//! (seeded with the shipped regulation/2018.toml). Properties: it never panics; a refusal lists
//! at least one problem, each at a line and column inside the file, in order; a loaded
//! definition loads again to the same value (it re-validates), carries the SHA-256 of its text,
//! and its references hold (the start step, every step's role, every outcome's next step, the
//! extension's steps, the policy's escalation role), and a retention rule is within its range.
#![no_main]

use domain::definition::{Definition, load};
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

fn check_references(d: &Definition) {
    let _ = d.start_step();
    for step in &d.steps {
        assert!(d.role(&step.role).is_some(), "step {} has an unknown role {:?}", step.id, step.role);
        assert!(!step.outcomes.is_empty(), "step {} has no outcomes", step.id);
        for o in &step.outcomes {
            for next in &o.next {
                assert!(d.step(next).is_some(), "{}.{} leads to an unknown step {next:?}", step.id, o.id);
            }
            for doc in &o.documents {
                assert!(d.document(doc).is_some(), "{}.{} issues an unknown document {doc:?}", step.id, o.id);
            }
        }
    }
    if let Some(ext) = &d.extension {
        assert!(d.step(&ext.step).is_some_and(|s| s.outcome(&ext.outcome).is_some()), "extension outcome {ext:?}");
        assert!(d.step(&ext.notice_step).is_some(), "extension notice step {ext:?}");
    }
    if let Some(role) = &d.policy.escalate_overdue_to {
        assert!(d.role(role).is_some(), "escalation to an unknown role {role:?}");
    }
    assert!((1..=99).contains(&d.policy.warn_at_percent));
    if let Some(r) = &d.retention {
        assert!(domain::retention::Retention::YEARS.contains(&r.years_after_closing), "retention out of range: {r:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else { return };
    match load("fuzz.toml", source) {
        Ok(d) => {
            assert_eq!(d.edition_ref.hash, hex::encode(Sha256::digest(source.as_bytes())));
            check_references(&d);
            assert_eq!(load("again.toml", source).as_ref(), Ok(&d), "a loaded definition re-validates to itself");
        }
        Err(problems) => {
            assert!(!problems.items.is_empty(), "a refusal without a problem");
            let lines = source.split('\n').count();
            for p in &problems.items {
                assert!(p.line >= 1 && p.line <= lines, "problem at line {} of {lines}: {p:?}", p.line);
                let line_text = source.split('\n').nth(p.line - 1).unwrap_or("");
                assert!(
                    p.column >= 1 && p.column <= line_text.chars().count() + 1,
                    "problem at column {} of {line_text:?}: {p:?}",
                    p.column
                );
            }
            assert!(problems.items.is_sorted_by_key(|p| (p.line, p.column)));
        }
    }
});
