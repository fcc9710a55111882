//! Identifiers of persons: the Kazakh individual identification number (ИИН), passport numbers
//! with ICAO 9303 check digits and machine-readable zones, and names in Latin letters.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a string is not a valid ИИН.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IinError {
    #[error("an ИИН has exactly 12 digits")]
    Length,
    #[error("an ИИН has only digits")]
    NotDigits,
    #[error("the 7th digit of an ИИН (century and sex) must be 1 to 6")]
    Century,
    #[error("the first six digits of an ИИН must be a date of birth that exists")]
    BirthDate,
    #[error("the check digit of the ИИН does not match")]
    CheckDigit,
}

/// Sex as written in identity documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sex {
    #[serde(rename = "M")]
    Male,
    #[serde(rename = "F")]
    Female,
}

/// A valid ИИН: 12 digits, a real date of birth, a century-and-sex digit and a matching check
/// digit.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Iin(String);

impl Iin {
    pub fn parse(text: &str) -> Result<Iin, IinError> {
        let text = text.trim();
        if text.chars().count() != 12 {
            return Err(IinError::Length);
        }
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IinError::NotDigits);
        }
        let d: Vec<u32> = text.bytes().map(|b| u32::from(b - b'0')).collect();
        let century = match d[6] {
            1 | 2 => 1800,
            3 | 4 => 1900,
            5 | 6 => 2000,
            _ => return Err(IinError::Century),
        };
        let year = century + d[0] * 10 + d[1];
        let month = d[2] * 10 + d[3];
        let day = d[4] * 10 + d[5];
        if Date::new(year as i16, month as i8, day as i8).is_err() {
            return Err(IinError::BirthDate);
        }
        if Some(d[11]) != iin_check_digit(&d[..11]) {
            return Err(IinError::CheckDigit);
        }
        Ok(Iin(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> Date {
        let d: Vec<i16> = self.0.bytes().map(|b| i16::from(b - b'0')).collect();
        let century = match d[6] {
            1 | 2 => 1800,
            3 | 4 => 1900,
            _ => 2000,
        };
        Date::new(century + d[0] * 10 + d[1], (d[2] * 10 + d[3]) as i8, (d[4] * 10 + d[5]) as i8).expect("checked in parse")
    }

    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[6] - b'0') % 2 == 1 { Sex::Male } else { Sex::Female }
    }

    /// The form shown in lists: the birth date part and the check digit are hidden.
    pub fn masked(&self) -> String {
        format!("{}******{}", &self.0[..4], &self.0[10..])
    }
}

impl TryFrom<String> for Iin {
    type Error = IinError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Iin::parse(&value)
    }
}

impl From<Iin> for String {
    fn from(value: Iin) -> String {
        value.0
    }
}

/// Personal data: a `Debug` print never shows the number.
impl fmt::Debug for Iin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Iin({})", self.masked())
    }
}

/// The ИИН check digit for the first eleven digits, or `None` when the number cannot have one.
fn iin_check_digit(first11: &[u32]) -> Option<u32> {
    let weighted = |weights: [u32; 11]| -> u32 { first11.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 11 };
    let first = weighted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    if first != 10 {
        return Some(first);
    }
    let second = weighted([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]);
    (second != 10).then_some(second)
}

/// The ICAO 9303 check digit of a machine-readable zone field: character values 0–9, A–Z as
/// 10–35, `<` as 0, weights 7, 3, 1 repeating, sum modulo 10. `None` for a character the zone
/// cannot hold.
pub fn mrz_check_digit(field: &str) -> Option<u32> {
    let mut sum = 0;
    for (i, c) in field.chars().enumerate() {
        let value = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            '<' => 0,
            _ => return None,
        };
        sum += value * [7, 3, 1][i % 3];
    }
    Some(sum % 10)
}

/// A passport number as printed in the passport: Latin capitals and digits, 5 to 9 characters
/// (the ICAO document-number field).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PassportNumber(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PassportNumberError {
    #[error("a passport number has 5 to 9 characters")]
    Length,
    #[error("a passport number has only Latin capital letters and digits")]
    Characters,
}

impl PassportNumber {
    pub fn parse(text: &str) -> Result<PassportNumber, PassportNumberError> {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if !text.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
            return Err(PassportNumberError::Characters);
        }
        if !(5..=9).contains(&text.len()) {
            return Err(PassportNumberError::Length);
        }
        Ok(PassportNumber(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn masked(&self) -> String {
        let keep = 3.min(self.0.len());
        format!("{}{}", "*".repeat(self.0.len() - keep), &self.0[self.0.len() - keep..])
    }
}

impl TryFrom<String> for PassportNumber {
    type Error = PassportNumberError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        PassportNumber::parse(&value)
    }
}

impl From<PassportNumber> for String {
    fn from(value: PassportNumber) -> String {
        value.0
    }
}

impl fmt::Debug for PassportNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PassportNumber({})", self.masked())
    }
}

/// A name as written in the passport's Latin transcription: capital Latin letters, with single
/// spaces, hyphens or apostrophes between parts.
pub fn is_latin_name(text: &str) -> bool {
    let mut prev_sep = true;
    for c in text.chars() {
        let sep = matches!(c, ' ' | '-' | '\'');
        if sep && prev_sep {
            return false;
        }
        if !sep && !c.is_ascii_uppercase() {
            return false;
        }
        prev_sep = sep;
    }
    !prev_sep
}

/// The fields read from the two-line machine-readable zone of a passport (ICAO 9303, TD3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Td3 {
    pub issuing_state: String,
    pub surname: String,
    pub given_names: String,
    pub number: String,
    pub nationality: String,
    /// Two-digit year, month, day: the century is not in the zone.
    pub birth_date: (u8, u8, u8),
    pub sex: Option<Sex>,
    pub expiry_date: (u8, u8, u8),
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MrzError {
    #[error("a passport machine-readable zone has two lines of 44 characters")]
    Shape,
    #[error("the machine-readable zone has a character other than A–Z, 0–9 and <")]
    Characters,
    #[error("the first line of the zone must start with P")]
    NotPassport,
    #[error("the check digit of the {0} does not match")]
    CheckDigit(&'static str),
    #[error("the {0} in the zone is not a date")]
    Date(&'static str),
}

impl Td3 {
    /// Reads both lines (separated by a line break, or given as one run of 88 characters).
    pub fn parse(text: &str) -> Result<Td3, MrzError> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.len() != 88 {
            return Err(MrzError::Shape);
        }
        if !compact.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '<') {
            return Err(MrzError::Characters);
        }
        let (l1, l2) = compact.split_at(44);
        if !l1.starts_with('P') {
            return Err(MrzError::NotPassport);
        }
        let check = |field: &str, digit: &str, what: &'static str| -> Result<(), MrzError> {
            let expected = mrz_check_digit(field).ok_or(MrzError::Characters)?;
            let given = if digit == "<" { Some(0) } else { digit.parse::<u32>().ok() };
            if given == Some(expected) { Ok(()) } else { Err(MrzError::CheckDigit(what)) }
        };
        check(&l2[0..9], &l2[9..10], "passport number")?;
        check(&l2[13..19], &l2[19..20], "date of birth")?;
        check(&l2[21..27], &l2[27..28], "expiry date")?;
        check(&l2[28..42], &l2[42..43], "personal number")?;
        let composite = format!("{}{}{}", &l2[0..10], &l2[13..20], &l2[21..43]);
        check(&composite, &l2[43..44], "whole zone")?;
        let date = |s: &str, what: &'static str| -> Result<(u8, u8, u8), MrzError> {
            let n = |r: std::ops::Range<usize>| s[r].parse::<u8>().map_err(|_| MrzError::Date(what));
            let (y, m, d) = (n(0..2)?, n(2..4)?, n(4..6)?);
            if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
                return Err(MrzError::Date(what));
            }
            Ok((y, m, d))
        };
        // A filler inside a code or the number (`AB<CD1234`, `D<U`) is not a shorter value: the
        // zone is malformed, whatever its check digits say.
        let code = |field: &str| -> Result<String, MrzError> {
            let value = field.trim_end_matches('<');
            if value.contains('<') { Err(MrzError::Characters) } else { Ok(value.to_owned()) }
        };
        let names = &l1[5..];
        let (surname, given) = names.split_once("<<").unwrap_or((names, ""));
        let clean = |s: &str| s.split('<').filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ");
        Ok(Td3 {
            issuing_state: code(&l1[2..5])?,
            surname: clean(surname),
            given_names: clean(given),
            number: code(&l2[0..9])?,
            nationality: code(&l2[10..13])?,
            birth_date: date(&l2[13..19], "date of birth")?,
            sex: match &l2[20..21] {
                "M" => Some(Sex::Male),
                "F" => Some(Sex::Female),
                _ => None,
            },
            expiry_date: date(&l2[21..27], "expiry date")?,
        })
    }
}

/// Whether a full date agrees with the zone's two-digit-year date.
pub fn same_mrz_date(date: Date, mrz: (u8, u8, u8)) -> bool {
    (date.year() % 100) as u8 == mrz.0 && date.month() as u8 == mrz.1 && date.day() as u8 == mrz.2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_iin_is_valid_and_reads_as_a_girl_born_in_2006() {
        let iin = Iin::parse("061211600012").unwrap();
        assert_eq!(iin.birth_date(), jiff::civil::date(2006, 12, 11));
        assert_eq!(iin.sex(), Sex::Female);
    }

    #[test]
    fn an_iin_with_a_wrong_check_digit_is_refused() {
        assert_eq!(Iin::parse("061211600013"), Err(IinError::CheckDigit));
    }

    #[test]
    fn an_iin_with_an_impossible_date_or_century_is_refused() {
        assert_eq!(Iin::parse("061311600012"), Err(IinError::BirthDate));
        assert_eq!(Iin::parse("061211700012"), Err(IinError::Century));
        assert_eq!(Iin::parse("06121160001"), Err(IinError::Length));
        assert_eq!(Iin::parse("06121160001A"), Err(IinError::NotDigits));
    }

    #[test]
    fn the_second_weight_series_is_used_when_the_first_gives_ten() {
        // Find a number whose first sum gives 10 and check both branches agree with parse.
        let mut found = false;
        for serial in 0..10_000u32 {
            let body = format!("900101300{:02}", serial % 100);
            let digits: Vec<u32> = body.bytes().map(|b| u32::from(b - b'0')).collect();
            let first: u32 = digits.iter().zip(1..=11).map(|(d, w)| d * w).sum::<u32>() % 11;
            if first == 10 {
                found = true;
                match iin_check_digit(&digits) {
                    Some(c) => assert!(Iin::parse(&format!("{body}{c}")).is_ok()),
                    None => {
                        for c in 0..10 {
                            assert!(Iin::parse(&format!("{body}{c}")).is_err());
                        }
                    }
                }
            }
        }
        assert!(found);
    }

    #[test]
    fn the_icao_example_document_number_has_check_digit_six() {
        assert_eq!(mrz_check_digit("L898902C3"), Some(6));
    }

    #[test]
    fn the_icao_specimen_zone_is_read_and_checked() {
        let zone = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
        let td3 = Td3::parse(zone).unwrap();
        assert_eq!(td3.surname, "ERIKSSON");
        assert_eq!(td3.given_names, "ANNA MARIA");
        assert_eq!(td3.number, "L898902C3");
        assert_eq!(td3.nationality, "UTO");
        assert_eq!(td3.birth_date, (74, 8, 12));
        assert_eq!(td3.expiry_date, (12, 4, 15));
        assert_eq!(td3.sex, Some(Sex::Female));
        let broken = zone.replace("7408122F", "7408132F");
        assert_eq!(Td3::parse(&broken), Err(MrzError::CheckDigit("date of birth")));
        // Found by fuzzing: a filler inside a code is malformed, not a shorter code.
        let filler = zone.replace("P<UTO", "P<U<O");
        assert_eq!(Td3::parse(&filler), Err(MrzError::Characters));
    }

    #[test]
    fn latin_names_allow_only_capitals_and_single_separators() {
        assert!(is_latin_name("ERIKSSON"));
        assert!(is_latin_name("ANNA MARIA"));
        assert!(is_latin_name("O'NEIL-SMITH"));
        assert!(!is_latin_name("Anna"));
        assert!(!is_latin_name("АННА"));
        assert!(!is_latin_name("ANNA  MARIA"));
        assert!(!is_latin_name(""));
        assert!(!is_latin_name("ANNA "));
    }

    #[test]
    fn passport_numbers_are_checked_and_masked() {
        assert_eq!(PassportNumber::parse("L898902C3").unwrap().masked(), "******2C3");
        assert_eq!(PassportNumber::parse("l898"), Err(PassportNumberError::Characters));
        assert_eq!(PassportNumber::parse("AB12"), Err(PassportNumberError::Length));
    }

    #[test]
    fn debug_output_never_shows_a_whole_iin() {
        let iin = Iin::parse("061211600012").unwrap();
        assert!(!format!("{iin:?}").contains("061211600012"));
    }
}
