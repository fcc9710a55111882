//! Retention: the edition's rule read from the definition (and refused with the field named
//! when wrong), when a closed case becomes due, and what redaction leaves of its events.

use crate::support::*;
use domain::case::SystemAnswer;
use domain::definition::load;
use domain::retention::{Retention, redact};
use jiff::Timestamp;

fn with_retention(table: &str) -> String {
    let shipped = "[retention]\nyears_after_closing = 5\n";
    assert!(SRC.contains(shipped), "the shipped file no longer has its retention table");
    SRC.replacen(shipped, table, 1)
}

#[test]
fn the_shipped_edition_keeps_closed_cases_five_years() {
    assert_eq!(def().retention, Some(Retention { years_after_closing: 5 }));
}

#[test]
fn an_edition_without_a_retention_table_keeps_cases_for_ever() {
    let d = load(FILE, &with_retention("")).expect("retention is optional");
    assert_eq!(d.retention, None);
}

#[test]
fn a_bad_retention_rule_is_reported_naming_the_field() {
    for (table, fragment) in [
        ("[retention]\nyears_after_closing = 0\n", "\"retention.years_after_closing\" is a number of years from 1 to 100, not 0"),
        ("[retention]\nyears_after_closing = 101\n", "not 101"),
        ("[retention]\nyears_after_closing = \"five\"\n", "\"retention.years_after_closing\" must be a positive whole number"),
        ("[retention]\nyears_after_closing = -3\n", "\"retention.years_after_closing\" must be a positive whole number"),
        ("[retention]\n", "missing \"retention.years_after_closing\""),
        ("[retention]\nyears_after_closing = 5\nmonths = 2\n", "unknown key \"retention.months\""),
    ] {
        let problems = load(FILE, &with_retention(table)).expect_err(table).to_string();
        assert!(problems.contains(fragment), "{table:?} gave:\n{problems}");
        let line = SRC[..SRC.find("[retention]").unwrap()].matches('\n').count() + 1;
        assert!((line..line + 3).any(|l| problems.contains(&format!("{FILE}:{l}:"))), "not at the retention table: {problems}");
    }
}

#[test]
fn a_case_is_due_once_its_closing_is_the_rule_s_years_old() {
    let rule = Retention { years_after_closing: 5 };
    let closed: Timestamp = "2026-03-10T09:30:00Z".parse().unwrap();
    let from = rule.purge_from(closed);
    assert_eq!(from, "2031-03-10T09:30:00Z".parse::<Timestamp>().unwrap());
    assert!(!rule.is_due(closed, from - jiff::SignedDuration::from_micros(1)));
    assert!(rule.is_due(closed, from));
    let leap: Timestamp = "2028-02-29T12:00:00Z".parse().unwrap();
    assert_eq!(Retention { years_after_closing: 1 }.purge_from(leap), "2029-02-28T12:00:00Z".parse::<Timestamp>().unwrap());
    assert_eq!(rule.describe("2018"), "2018: 5 years after closing");
}

#[test]
fn redaction_keeps_who_when_and_which_step_and_drops_every_personal_detail() {
    let mut w = Walk::opened();
    w.walk_to_adb_check();
    w.ok(&executor(), answer("P4", SystemAnswer::AdbRecords { records: vec![adb_record()] }));
    w.ok(&executor(), choose_with("P6", "draft_refusal", grounds_input()));
    let application = serde_json::to_string(&w.case().application).unwrap();
    let personal = ["061211600012", "Сейтқали", "ERIKSSON", "L898902C3", "banned for 5 years", "Астана, Сарыарқа", "held in 2019"];
    let before = serde_json::to_string(&w.events).unwrap();
    assert!(application.contains("L898902C3"));
    let missing: Vec<_> = personal.iter().filter(|p| !before.contains(*p)).collect();
    assert!(missing.is_empty(), "the walk's events should hold every personal detail, not {missing:?}");
    let redacted: Vec<_> = w.events.iter().map(redact).collect();
    let text = serde_json::to_string(&redacted).unwrap();
    for p in &personal {
        assert!(!text.contains(p), "{p:?} survived redaction: {text}");
    }
    for (event, r) in w.events.iter().zip(&redacted) {
        assert_eq!((r.at, &r.by, r.kind.as_str()), (event.at, &event.by, event.kind.name()));
    }
    let outcome = redacted.iter().find(|r| r.kind == "outcome_recorded" && r.step.as_deref() == Some("P6")).expect("P6's outcome");
    assert_eq!(outcome.outcome.as_deref(), Some("draft_refusal"));
    assert!(outcome.task.is_some());
    assert_eq!(redacted[0].kind, "case_opened");
    assert_eq!((redacted[0].task, &redacted[0].step), (None, &None));
}

fn adb_record() -> domain::case::AdbRecord {
    domain::case::AdbRecord { person: "applicant".into(), ground: "entry_ban".into(), summary: "deportation held in 2019".into() }
}

fn grounds_input() -> domain::case::OutcomeInput {
    domain::case::OutcomeInput::RefusalGrounds {
        grounds: vec!["entry_ban".into()],
        reasoning: "expelled in 2024, banned for 5 years".into(),
    }
}
