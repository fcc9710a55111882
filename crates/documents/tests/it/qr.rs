//! The invitation's QR code decodes to its verification page's address.

use documents::{DocumentKind, Language};

use crate::fixtures::{self, VERIFY_URL};
use crate::support::{have_tool, pdf_to_png, run, write_pdf};

fn decode(language: Language, dpi: u32) {
    if !have_tool("pdftoppm", "poppler-utils") || !have_tool("zbarimg", "zbar-tools") {
        return;
    }
    let name = format!("qr-invitation-{}", language.code());
    let pdf = write_pdf(&fixtures::view(DocumentKind::Invitation, language), &name);
    let pngs = pdf_to_png(&pdf, dpi);
    // The code stands beside the invitation's number on its first page.
    let first = pngs.first().expect("at least one page");
    let decoded = run("zbarimg", &["--quiet", "--raw", first.to_str().unwrap()]);
    assert_eq!(decoded.trim(), VERIFY_URL);
}

#[test]
fn the_invitation_qr_code_decodes_to_the_verification_url() {
    decode(Language::Kk, 150);
}

#[test]
fn the_qr_code_still_decodes_from_a_coarse_render() {
    // 100 dpi is about what a phone gets from a quick photo of a printed page.
    decode(Language::KkRu, 100);
}
