//! The regulation's business-process handbook (§11) drawn from a definition: a swimlane diagram
//! as SVG for the web pages, and BPMN 2.0 XML with its diagram for process modellers. Both come
//! from one layout (`layout`), so they show the same picture.
//!
//! Invariant: pure functions of a `Definition` and a language; no I/O, no HTTP, no storage, no
//! clock. All text goes through an XML writer that escapes it.

mod bpmn;
mod layout;
mod svg;
mod text;
mod xml;

pub use bpmn::bpmn_xml;
pub use svg::{step_anchor, swimlane_svg};

#[cfg(test)]
mod tests;
