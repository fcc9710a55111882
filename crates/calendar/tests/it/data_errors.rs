//! Year files with mistakes: every problem is reported with its file, line and column.

use calendar::{Calendar, CalendarError, Problem};

/// A small, valid year file for 2025 to break in each test.
const GOOD: &str = r#"year = 2025
holidays = [
  { date = "2025-03-22", name = "Nauryz" },
]
fixed_days_off = [
  { date = "2025-06-06", name = "Kurban Ait" },
]
transfers = [
  { day_off = "2025-01-03", working = "2025-01-05", decree = "Order No. 1" },
]
"#;

fn problems(files: &[(&str, &str)]) -> Vec<Problem> {
    match Calendar::from_files(files) {
        Err(CalendarError::InvalidData(p)) => p.0,
        other => panic!("expected invalid data, got {other:?}"),
    }
}

fn one_problem(text: &str) -> Problem {
    let mut all = problems(&[("2025.toml", text)]);
    assert_eq!(all.len(), 1, "{all:?}");
    all.remove(0)
}

#[test]
fn a_good_file_loads_and_applies_its_move_and_transfer() {
    let cal = Calendar::from_files(&[("2025.toml", GOOD)]).unwrap();
    assert!(!cal.is_working_day(jiff::civil::date(2025, 3, 24)).unwrap());
    assert!(cal.is_working_day(jiff::civil::date(2025, 1, 5)).unwrap());
}

#[test]
fn a_date_outside_its_year_is_reported_at_its_position() {
    let p = one_problem(&GOOD.replace("2025-03-22", "2024-03-22"));
    assert_eq!((p.file.as_str(), p.line, p.column), ("2025.toml", 3, 12));
    assert_eq!(p.message, "2024-03-22 is not in 2025");
}

#[test]
fn a_transfer_whose_working_day_is_already_working_is_refused() {
    let p = one_problem(&GOOD.replace("2025-01-05", "2025-01-06"));
    assert_eq!((p.line, p.column), (9, 39));
    assert!(p.message.contains("is already a working day"), "{}", p.message);
}

#[test]
fn a_transfer_cannot_make_a_holiday_itself_a_working_day() {
    let text = GOOD.replace(r#"day_off = "2025-01-03", working = "2025-01-05""#, r#"day_off = "2025-01-03", working = "2025-03-22""#);
    let p = one_problem(&text);
    assert!(p.message.contains("is Nauryz (its day off moves to Monday 24 March), which cannot be made a working day"), "{}", p.message);
}

#[test]
fn a_transfer_whose_day_off_is_already_off_is_refused() {
    let p = one_problem(&GOOD.replace("2025-01-03", "2025-01-04"));
    assert_eq!((p.line, p.column), (9, 15));
    assert_eq!(p.message, "day_off 2025-01-04 is already a day off (weekend)");
}

#[test]
fn a_duplicate_date_is_reported_at_its_second_occurrence() {
    let text = GOOD.replace(
        "  { date = \"2025-03-22\", name = \"Nauryz\" },\n",
        "  { date = \"2025-03-22\", name = \"Nauryz\" },\n  { date = \"2025-03-22\", name = \"Nauryz\" },\n",
    );
    let p = one_problem(&text);
    assert_eq!((p.line, p.message.as_str()), (4, "2025-03-22 appears twice in \"holidays\""));
}

#[test]
fn a_date_used_by_two_transfers_is_refused() {
    let text = GOOD
        .replace("transfers = [\n", "transfers = [\n  { day_off = \"2025-01-03\", working = \"2025-01-11\", decree = \"Order No. 2\" },\n");
    let all = problems(&[("2025.toml", &text)]);
    assert!(all.iter().any(|p| p.message == "2025-01-03 is part of another transfer already"), "{all:?}");
}

#[test]
fn syntax_errors_unknown_keys_and_missing_lists_are_reported() {
    let p = one_problem(&GOOD.replace("year = 2025", "year = = 2025"));
    assert_eq!(p.line, 1);
    let p = one_problem(&GOOD.replace("name = \"Kurban Ait\"", "name = \"Kurban Ait\", nmae_kk = \"x\""));
    assert!(p.message.contains("nmae_kk"), "{}", p.message);
    let p = one_problem(&GOOD.replace("transfers = [", "not_transfers = ["));
    assert!(p.message.contains("not_transfers") || p.message.contains("transfers"), "{}", p.message);
}

#[test]
fn a_date_that_is_not_iso_is_reported() {
    let p = one_problem(&GOOD.replace("2025-06-06", "6 June 2025"));
    assert_eq!(p.message, "\"6 June 2025\" is not a date written as YYYY-MM-DD");
}

#[test]
fn problems_from_several_files_are_all_reported_in_file_order() {
    let bad_2024 = GOOD.replace("2025", "2024").replace("2024-03-22", "2023-03-22");
    let bad_2025 = GOOD.replace("2025-06-06", "2026-06-06");
    let all = problems(&[("2025.toml", &bad_2025), ("2024.toml", &bad_2024)]);
    let mut files: Vec<&str> = all.iter().map(|p| p.file.as_str()).collect();
    files.dedup();
    assert_eq!(files, ["2025.toml", "2024.toml"]);
    assert!(all.iter().any(|p| p.file == "2024.toml" && p.message == "2023-03-22 is not in 2024"), "{all:?}");
}

#[test]
fn a_file_named_for_another_year_and_two_files_for_one_year_are_refused() {
    let p = one_problem("year = 2026\nholidays = []\nfixed_days_off = []\ntransfers = []\n");
    assert_eq!(p.message, "the file is named for 2025 but says year = 2026");
    let all = problems(&[("a.toml", GOOD), ("b.toml", GOOD)]);
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!((all[0].file.as_str(), all[0].message.as_str()), ("b.toml", "2025 is covered by another file too"));
}

#[test]
fn a_transfer_into_a_year_that_no_file_covers_is_refused() {
    let text = GOOD.replace(r#"working = "2025-01-05""#, r#"working = "2024-12-28""#);
    let p = one_problem(&text);
    assert_eq!(p.message, "working 2024-12-28 is in 2024, which no file covers");
}

#[test]
fn the_error_message_lists_every_problem_as_file_line_column() {
    let text = GOOD.replace("2025-03-22", "2024-03-22").replace("2025-06-06", "2025-13-06");
    let err = Calendar::from_files(&[("2025.toml", &text)]).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("2025.toml:3:12: 2024-03-22 is not in 2025"), "{message}");
    assert!(message.contains("2025.toml:6:12: \"2025-13-06\" is not a date"), "{message}");
}
