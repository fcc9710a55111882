//! Fuzz target: the passport's machine-readable zone. `Td3::parse` on any text, then
//! `InviteeDraft::fill_from_mrz` with that text on several "today"s (ordinary and extreme).
//! Properties: neither panics; a parsed zone's fields hold only A–Z, 0–9 and single spaces, its
//! dates have a real month and day, and parsing is a function of the zone's characters (line
//! breaks and spaces do not matter); filling only fills empty fields, only from a valid zone,
//! with dates that exist, and a second fill changes nothing.
//!
//! Two findings of this target were fixed in the domain (docs/fuzzing.md); their inputs stay in
//! fuzz/regressions/mrz/ and are replayed on every run.
#![no_main]

use domain::application::InviteeDraft;
use domain::identity::Td3;
use jiff::civil::{Date, date};
use libfuzzer_sys::fuzz_target;

fn zone_text(field: &str, value: &str) {
    assert!(
        value.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' '),
        "{field} {value:?} has a character other than A–Z, 0–9 and space"
    );
    assert!(!value.starts_with(' ') && !value.ends_with(' ') && !value.contains("  "), "{field} {value:?} has stray spaces");
}

fn zone_date(field: &str, (_, m, d): (u8, u8, u8)) {
    assert!((1..=12).contains(&m) && (1..=31).contains(&d), "{field} month {m} day {d}");
}

const TODAYS: [Date; 5] = [date(2026, 11, 24), date(2000, 1, 1), date(1999, 12, 31), Date::MIN, Date::MAX];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = Td3::parse(text);
    if let Ok(z) = &parsed {
        for (field, value) in [
            ("issuing_state", &z.issuing_state),
            ("surname", &z.surname),
            ("given_names", &z.given_names),
            ("number", &z.number),
            ("nationality", &z.nationality),
        ] {
            zone_text(field, value);
        }
        assert!(z.issuing_state.len() <= 3 && z.nationality.len() <= 3 && z.number.len() <= 9);
        zone_date("birth_date", z.birth_date);
        zone_date("expiry_date", z.expiry_date);
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let (l1, l2) = compact.split_at(44);
        assert_eq!(Td3::parse(&format!("{l1}\n{l2}")).as_ref(), Ok(z), "the same zone on two lines reads the same");
    }

    for today in TODAYS {
        // An empty draft: every field the zone has is filled.
        let mut empty = InviteeDraft { mrz: text.to_owned(), ..InviteeDraft::default() };
        empty.fill_from_mrz(today);
        match &parsed {
            Err(_) => assert_eq!(empty, InviteeDraft { mrz: text.to_owned(), ..InviteeDraft::default() }, "an invalid zone fills nothing"),
            Ok(z) => {
                assert_eq!(empty.surname, z.surname);
                assert_eq!(empty.passport_number, z.number);
                assert_eq!(empty.citizenship, z.nationality);
                for (field, value) in [("birth_date", &empty.birth_date), ("passport_expires_on", &empty.passport_expires_on)] {
                    if !value.is_empty() {
                        let d: Date = value.parse().unwrap_or_else(|e| panic!("filled {field} {value:?} is not a date: {e}"));
                        assert_eq!(d.to_string(), *value);
                    }
                }
                // For a "today" in the common era; before it the century arithmetic means nothing.
                if let Ok(born) = empty.birth_date.parse::<Date>()
                    && today.year() >= 1
                {
                    assert!(born <= today, "the zone's date of birth was put in the future: {born} after {today}");
                }
            }
        }
        let mut again = empty.clone();
        again.fill_from_mrz(today);
        assert_eq!(again, empty, "a second fill changes nothing");

        // A typed draft: nothing typed is overwritten.
        let typed = InviteeDraft {
            surname: "SMITH".into(),
            given_names: "JOHN".into(),
            sex: "M".into(),
            birth_date: "1980-01-01".into(),
            citizenship: "GBR".into(),
            passport_number: "123456789".into(),
            passport_expires_on: "2030-01-01".into(),
            mrz: text.to_owned(),
        };
        let mut filled = typed.clone();
        filled.fill_from_mrz(today);
        assert_eq!(filled, typed, "a typed field was overwritten");
    }
});
