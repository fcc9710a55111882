//! Shaqyru's pure domain: the regulation as a validated definition, the case state machine
//! (command → events, or a refusal), and the value types of an application (ИИН, passports,
//! Latin names, dates).
//!
//! Invariant: no I/O, no clock, no async. Time comes in as arguments; files come in as text.

pub mod application;
pub mod case;
pub mod definition;
pub mod identity;
pub mod retention;
pub mod shared;
pub mod text;

pub use case::{Actor, Case, CaseId, Command, Event, EventKind, Refusal, UserId};
pub use definition::{Definition, EditionRef};
pub use shared::SharedStr;
