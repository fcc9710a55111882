//! Fuzz target: `Iin::parse` on any text. Properties: it never panics; a parsed ИИН is the
//! trimmed input, parses again to itself, reads back its own digits as a real date of birth,
//! and never shows itself whole in `Debug`.
#![no_main]

use domain::identity::{Iin, Sex};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(iin) = Iin::parse(text) else { return };

    let s = iin.as_str();
    assert_eq!(s, text.trim(), "a parsed ИИН is the input without surrounding space");
    assert!(s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()), "twelve ASCII digits: {s:?}");
    assert_eq!(Iin::parse(s).as_ref(), Ok(&iin), "round trip through as_str");

    // `birth_date` builds a `Date` and would panic if it were not real.
    let born = iin.birth_date();
    let yymmdd = format!("{:02}{:02}{:02}", born.year() % 100, born.month(), born.day());
    assert_eq!(yymmdd, s[..6], "the date of birth is the first six digits");
    let century = match s.as_bytes()[6] {
        b'1' | b'2' => 1800,
        b'3' | b'4' => 1900,
        _ => 2000,
    };
    assert_eq!(born.year() / 100 * 100, century, "the 7th digit gives the century");
    let male = (s.as_bytes()[6] - b'0') % 2 == 1;
    assert_eq!(iin.sex(), if male { Sex::Male } else { Sex::Female });

    assert!(!format!("{iin:?}").contains(s), "Debug must mask the ИИН");
    assert_eq!(iin.masked().chars().count(), 12);

    let json = serde_json::to_string(&iin).expect("serializes");
    let back: Iin = serde_json::from_str(&json).expect("deserializes what it serialized");
    assert_eq!(back, iin);
});
