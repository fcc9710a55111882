//! PNG renders of every document in every language, written to target/document-renders/ for
//! a person to look at (the tests check only that each page rendered and is not blank).

use crate::fixtures;
use crate::support::{have_tool, pdf_to_png, write_pdf};

#[test]
fn every_document_renders_to_png_pages() {
    if !have_tool("pdftoppm", "poppler-utils") {
        return;
    }
    for (name, view) in fixtures::all_views() {
        let pdf = write_pdf(&view, &format!("render-{name}"));
        let pngs = pdf_to_png(&pdf, 60);
        assert!(!pngs.is_empty(), "{name}: no PNG pages");
        for png in pngs {
            let size = std::fs::metadata(&png).unwrap().len();
            // A blank 60 dpi A4 page compresses to well under 2 KB; a page of text does not.
            assert!(size > 8_000, "{}: {size} bytes, the page looks blank", png.display());
        }
    }
}
