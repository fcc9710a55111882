//! The documents crate's one integration-test binary: every document in every language
//! rendered and read back with poppler (text, fonts, page count, word positions), PNG renders
//! to look at, the QR code decoded, canonical content, signatures and the verification answer.

mod canonical;
mod errors;
mod fixtures;
mod fonts;
mod layout;
mod qr;
mod renders;
mod signing;
mod support;
mod text;
