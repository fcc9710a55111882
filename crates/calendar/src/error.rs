//! The crate's one error type, and the problems found in calendar data files.

use jiff::civil::Date;
use std::fmt;

/// Everything that can go wrong when building a calendar or doing arithmetic on it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A date in a year that no data file covers. The calendar never guesses: a missing year is
    /// a missing decision (transfers are announced every year), so the caller must hear of it.
    #[error("the working calendar does not cover the year {0}")]
    YearNotCovered(i16),
    /// One or more problems in the data files, each with its file, line and column.
    #[error("invalid calendar data:\n{0}")]
    InvalidData(Problems),
    /// An office schedule that cannot be right (overlapping or empty intervals, changes out of
    /// order).
    #[error("invalid office schedule: {0}")]
    InvalidSchedule(String),
    /// Arithmetic that would leave the range of dates `jiff` can represent.
    #[error("date arithmetic out of range from {0}")]
    OutOfRange(Date),
}

/// One problem in a data file, at a 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
    }
}

/// Every problem found in a set of data files, in file and position order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}
