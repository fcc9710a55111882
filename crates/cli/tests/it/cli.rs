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
