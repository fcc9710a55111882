//! placeholder: the conformance suite
