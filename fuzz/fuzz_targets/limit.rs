//! Fuzz target: `Limit::parse` (a regulated duration, "3 working days") on any text.
//! Properties: it never panics; a parsed limit is never zero, prints in the canonical form, and
//! that form parses back to the same limit and prints the same.
#![no_main]

use domain::definition::Limit;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(limit) = Limit::parse(text) else { return };

    if let Limit::Within { amount, .. } = limit {
        assert!(amount > 0, "a zero limit was accepted from {text:?}");
    }
    let printed = limit.to_string();
    assert_eq!(Limit::parse(&printed), Ok(limit), "{text:?} printed as {printed:?} does not read back");
    assert_eq!(Limit::parse(&printed).map(|l| l.to_string()), Ok(printed));
});
