//! The calendar crate's one integration-test binary: the builtin data against known dates and
//! official figures, the data-file checks, working-time arithmetic, and property tests.

mod data_errors;
mod known_dates;
mod properties;
mod support;
mod working_time;
mod year_counts;
