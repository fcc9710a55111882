//! Fuzz target: `PassportNumber::parse` on any text. Properties: it never panics; a parsed
//! number is the input without white space, 5–9 Latin capitals or digits, parses again to
//! itself, and `Debug` shows at most its last three characters.
#![no_main]

use domain::identity::PassportNumber;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(number) = PassportNumber::parse(text) else { return };

    let s = number.as_str();
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert_eq!(s, compact, "a parsed number is the input without white space");
    assert!((5..=9).contains(&s.len()), "5 to 9 characters: {s:?}");
    assert!(s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()), "A–Z and 0–9 only: {s:?}");
    assert_eq!(PassportNumber::parse(s).as_ref(), Ok(&number), "round trip through as_str");

    let masked = number.masked();
    assert_eq!(masked.len(), s.len());
    assert!(masked.ends_with(&s[s.len() - 3..]));
    assert!(!format!("{number:?}").contains(s), "Debug must mask the number");

    let json = serde_json::to_string(&number).expect("serializes");
    let back: PassportNumber = serde_json::from_str(&json).expect("deserializes what it serialized");
    assert_eq!(back, number);
});
