//! A regulated duration as written in a definition: "10 working minutes", "3 working days",
//! "5 calendar days", "on the ready date".

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitUnit {
    WorkingMinutes,
    WorkingHours,
    WorkingDays,
    CalendarDays,
}

/// How long a step or the service may take. The deadline arithmetic on the working calendar
/// reads these; the domain only names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Limit {
    Within {
        amount: u32,
        unit: LimitUnit,
    },
    /// Done on the date the acceptance receipt names (the hand-over at the window, §10).
    OnReadyDate,
}

impl Limit {
    pub fn parse(text: &str) -> Result<Limit, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        if words == ["on", "the", "ready", "date"] {
            return Ok(Limit::OnReadyDate);
        }
        let (amount, rest) = match words.split_first() {
            Some((n, rest)) => (n, rest),
            None => return Err("a limit is empty".into()),
        };
        let amount: u32 =
            amount.parse().map_err(|_| format!("a limit starts with a whole number, e.g. \"3 working days\", not \"{amount}\""))?;
        if amount == 0 {
            return Err("a limit of zero cannot be met".into());
        }
        let unit = match rest {
            ["working", "minute" | "minutes"] => LimitUnit::WorkingMinutes,
            ["working", "hour" | "hours"] => LimitUnit::WorkingHours,
            ["working", "day" | "days"] => LimitUnit::WorkingDays,
            ["calendar", "day" | "days"] => LimitUnit::CalendarDays,
            _ => {
                return Err(format!(
                    "unknown unit \"{}\": use working minutes, working hours, working days or calendar days",
                    rest.join(" ")
                ));
            }
        };
        let plural_ok = (amount == 1) != rest[1].ends_with('s');
        if !plural_ok {
            return Err(format!("write \"{amount} {}\"", unit_words(amount, unit)));
        }
        Ok(Limit::Within { amount, unit })
    }
}

fn unit_words(amount: u32, unit: LimitUnit) -> String {
    let (kind, noun) = match unit {
        LimitUnit::WorkingMinutes => ("working", "minute"),
        LimitUnit::WorkingHours => ("working", "hour"),
        LimitUnit::WorkingDays => ("working", "day"),
        LimitUnit::CalendarDays => ("calendar", "day"),
    };
    format!("{kind} {noun}{}", if amount == 1 { "" } else { "s" })
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Within { amount, unit } => write!(f, "{amount} {}", unit_words(*amount, *unit)),
            Limit::OnReadyDate => f.write_str("on the ready date"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_as_written_and_print_back_the_same() {
        for text in ["10 working minutes", "1 working hour", "3 working days", "1 working day", "30 calendar days", "on the ready date"] {
            assert_eq!(Limit::parse(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn bad_limits_say_what_is_wrong() {
        assert!(Limit::parse("ten working minutes").unwrap_err().contains("whole number"));
        assert!(Limit::parse("3 fortnights").unwrap_err().contains("unknown unit"));
        assert!(Limit::parse("0 working days").unwrap_err().contains("zero"));
        assert!(Limit::parse("1 working days").unwrap_err().contains("1 working day"));
    }
}
