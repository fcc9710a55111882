//! Writing laid-out pages as a PDF with krilla: the embedded faces (subset by krilla), text,
//! rules and the QR code's squares, and the document's metadata.

use std::sync::OnceLock;

use krilla::Document;
use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

use crate::DocumentError;
use crate::fonts::{BOLD, REGULAR, Weight};
use crate::layout::{PAGE_HEIGHT, PAGE_WIDTH, PageLayout, Placed};

struct PdfFonts {
    regular: Font,
    bold: Font,
}

/// krilla's fonts, parsed and hashed once per process (hashing half a megabyte per document
/// would cost more than the rest of a render).
fn pdf_fonts() -> &'static PdfFonts {
    static FONTS: OnceLock<PdfFonts> = OnceLock::new();
    FONTS.get_or_init(|| PdfFonts {
        regular: Font::new(REGULAR.into(), 0).expect("the embedded regular font loads"),
        bold: Font::new(BOLD.into(), 0).expect("the embedded bold font loads"),
    })
}

/// Document-level facts written into the PDF's metadata.
pub(crate) struct PdfInfo {
    pub(crate) title: String,
    pub(crate) language: String,
}

pub(crate) fn write(pages: &[PageLayout], info: PdfInfo) -> Result<Vec<u8>, DocumentError> {
    let fonts = pdf_fonts();
    let mut document = Document::new();
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).expect("A4 is a valid page size");
    for layout in pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for item in &layout.items {
            draw(&mut surface, fonts, item);
        }
        surface.finish();
        page.finish();
    }
    // No creation date: the same view always gives the same bytes.
    document.set_metadata(Metadata::new().title(info.title).language(info.language).creator("Shaqyru".to_owned()));
    document.finish().map_err(|e| DocumentError::Pdf(e.to_string()))
}

fn fill(grey: f32) -> Fill {
    let level = (grey.clamp(0.0, 1.0) * 255.0).round() as u8;
    Fill { paint: luma::Color::new(level).into(), opacity: NormalizedF32::ONE, rule: FillRule::NonZero }
}

fn draw(surface: &mut Surface<'_>, fonts: &PdfFonts, item: &Placed) {
    match item {
        Placed::Text { x, y, text, weight, size, grey } => {
            let font = match weight {
                Weight::Regular => fonts.regular.clone(),
                Weight::Bold => fonts.bold.clone(),
            };
            surface.set_fill(Some(fill(*grey)));
            surface.draw_text(Point::from_xy(*x, *y), font, *size, text, false, TextDirection::Auto);
        }
        Placed::Rect { x, y, w, h } => fill_rects(surface, &[(*x, *y, *w, *h)]),
        Placed::Rects(rects) => fill_rects(surface, rects),
    }
}

/// Fills rectangles as one path, so abutting squares render without hairline seams.
fn fill_rects(surface: &mut Surface<'_>, rects: &[(f32, f32, f32, f32)]) {
    let mut builder = PathBuilder::new();
    for &(x, y, w, h) in rects {
        if let Some(rect) = Rect::from_xywh(x, y, w, h) {
            builder.push_rect(rect);
        }
    }
    if let Some(path) = builder.finish() {
        surface.set_fill(Some(fill(0.0)));
        surface.draw_path(&path);
    }
}
