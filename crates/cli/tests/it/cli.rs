//! The `shaqyru regulation` subcommands, run as a user would run the binary.

use std::process::Command;

const SHIPPED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../regulation/2018.toml");

fn shaqyru(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_shaqyru")).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn the_shipped_regulation_passes_the_check() {
    let (code, out, err) = shaqyru(&["regulation", "check", SHIPPED]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("edition 2018, 15 steps"), "{out}");
}

#[test]
fn a_broken_copy_fails_the_check_naming_the_line() {
    let text = std::fs::read_to_string(SHIPPED).unwrap();
    let broken = text.replacen("role = \"office\"", "role = \"janitor\"", 1);
    let line = broken.lines().position(|l| l.contains("janitor")).unwrap() + 1;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.toml");
    std::fs::write(&path, broken).unwrap();
    let (code, _, err) = shaqyru(&["regulation", "check", path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains(&format!("broken.toml:{line}:")), "{err}");
    assert!(err.contains("unknown role \"janitor\""), "{err}");
}

#[test]
fn a_missing_file_is_named() {
    let (code, _, err) = shaqyru(&["regulation", "check", "/nonexistent/definition.toml"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/definition.toml"), "{err}");
}

#[test]
fn show_prints_every_step_in_the_chosen_language() {
    let (code, out, err) = shaqyru(&["regulation", "show", "--lang", "kk"]);
    assert_eq!(code, 0, "{err}");
    for step in ["SC1", "SC5", "P1", "P5", "P5n", "P9"] {
        assert!(out.contains(step), "{step} missing:\n{out}");
    }
    assert!(out.contains("Көрсетілетін қызметті берушінің кеңсесі"), "role titles in Kazakh:\n{out}");
}

#[test]
fn calendar_days_prints_one_line_per_date_with_the_reason_for_each_day_off() {
    let (code, out, err) = shaqyru(&["calendar", "days", "2025"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 365);
    assert!(out.contains("2025-03-24\tnon-working\tNauryz moved from Saturday 22 March\n"), "{out}");
    assert!(out.contains("2025-01-05\tworking\n"), "the Sunday worked for 3 January");
    assert!(out.contains("2025-01-03\tnon-working\t"), "the Friday given off");
    let (code, _, err) = shaqyru(&["calendar", "days", "2031"]);
    assert_eq!(code, 2);
    assert!(err.contains("2031"), "{err}");
}

#[test]
fn calendar_explain_shows_the_result_and_the_days_skipped() {
    let (code, out, err) = shaqyru(&["calendar", "explain", "--from", "2025-03-20T17:30", "--add", "3 working days"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("2025-03-28"), "{out}");
    assert!(out.contains("Nauryz"), "{out}");
}

#[test]
fn deadlines_for_an_ordinary_tuesday_print_every_step_the_term_and_the_verdict() {
    let (code, out, err) = shaqyru(&["deadlines", "--accepted", "2026-11-24T10:00"]);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<&str> =
        out.lines().filter_map(|l| l.split_whitespace().next()).filter(|w| w.starts_with("SC") || w.starts_with('P')).collect();
    assert_eq!(rows, ["SC4", "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "SC5"], "{out}");
    assert!(out.contains("2026-11-24 10:00 Tue  2026-11-25 18:30 Wed"), "SC4: the next working day's closing\n{out}");
    assert!(out.contains("2026-11-26 11:20 Thu  2026-12-01 18:30 Tue"), "P5: 3 working days after Thursday\n{out}");
    assert!(out.contains("term ends on:  2026-11-30 Mon"), "Sunday 29 November moves to Monday\n{out}");
    assert!(out.contains("deliver by:    2026-11-27 18:30 Fri"), "{out}");
    // Under the shipped policy ("same day" limits carry into the next morning) an ordinary week
    // does not fit either: 1 + 3 working days and two carried same-day stretches need until
    // Wednesday 2 December, the term allows until Friday 27 November.
    assert!(
        out.contains("verdict:       does not fit: the limits need until 2026-12-02 15:40 Wed, the term allows until 2026-11-27 18:30 Fri"),
        "{out}"
    );
}

#[test]
fn deadlines_on_the_eve_of_nauryz_2025_put_the_deliver_by_day_on_the_acceptance_day() {
    // 20 March 2025 + 5 calendar days = Tue 25 March, a moved Nauryz day off → Wed 26 March.
    // Deliver by: 25 March, and back over 24, 23, 22, 21 March (all days off) → Thu 20 March.
    let (code, out, err) = shaqyru(&["deadlines", "--accepted", "2025-03-20T17:30"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("skipped 2025-03-21..2025-03-25 (5 days): Nauryz"), "{out}");
    assert!(out.contains("term ends on:  2025-03-26 Wed"), "{out}");
    assert!(out.contains("deliver by:    2025-03-20 18:30 Thu"), "{out}");
    assert!(out.contains("does not fit: the limits need until 2025-04-02 15:40 Wed, the term allows until 2025-03-20 18:30 Thu"), "{out}");
}

#[test]
fn deadlines_over_a_year_list_the_acceptance_hours_that_cannot_meet_the_regulation() {
    // 246 working days in 2025, 8 acceptance hours each (09–12, 15–18).
    let (code, out, err) = shaqyru(&["deadlines", "--year", "2025"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("1968 of 1968 acceptance hours cannot meet the regulation\n"), "{out}");
    assert!(
        out.contains(
            "2025-03-20 09:00 .. 2025-03-20 18:00: needs until 2025-04-02 15:40 Wed, term allows until 2025-03-20 18:30 Thu (deliver by; 6 working days late)"
        ),
        "{out}"
    );
    // With "same day" limits ending at closing time instead, Mondays fit — except around the
    // holidays.
    let text = std::fs::read_to_string(SHIPPED).unwrap();
    let end_of_day = text.replacen("same_day_when_late = \"carry\"", "same_day_when_late = \"end_of_day\"", 1);
    assert_ne!(text, end_of_day);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("end-of-day.toml");
    std::fs::write(&path, end_of_day).unwrap();
    let (code, out, err) = shaqyru(&["deadlines", "--year", "2025", "--definition", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("1648 of 1968 acceptance hours cannot meet the regulation\n"), "{out}");
    assert!(out.contains("2025-03-17 09:00 .. 2025-03-17 18:00: needs until 2025-03-26 18:30 Wed"), "the Monday before Nauryz\n{out}");
    assert!(!out.contains("2025-03-10 09:00"), "an ordinary Monday fits\n{out}");
}

#[test]
fn deadlines_reject_a_bad_moment_or_year_naming_it() {
    let (code, _, err) = shaqyru(&["deadlines", "--accepted", "2025-02-30T10:00"]);
    assert_eq!(code, 2);
    assert!(err.contains("2025-02-30T10:00"), "{err}");
    let (code, _, err) = shaqyru(&["deadlines", "--year", "2031"]);
    assert_eq!(code, 2);
    assert!(err.contains("2031"), "{err}");
    let (code, _, err) = shaqyru(&["deadlines", "--accepted", "2031-01-05T10:00"]);
    assert_eq!(code, 2);
    assert!(err.contains("2031"), "{err}");
    let (code, _, _) = shaqyru(&["deadlines", "--accepted", "2025-03-20T17:30", "--year", "2025"]);
    assert_eq!(code, 2, "exactly one of --accepted and --year");
    let (code, _, _) = shaqyru(&["deadlines"]);
    assert_eq!(code, 2);
}
