//! Integration tests of the domain crate: the definition loader against the shipped 2018
//! edition and broken copies of it, the case state machine walked along every path of that
//! edition, and a property test of the state machine's invariants.

mod case;
mod definition;
mod property;
mod retention;
mod serialized;
mod support;
