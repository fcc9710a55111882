//! Layout, read back from the PDF: long values wrap inside the margins, many invitees run onto
//! more pages, and every page carries its header and page number.

use documents::{Body, DocumentKind, Invitee, Language, Localized, PersonName, render};

use crate::fixtures::{self, VERIFY_URL};
use crate::support::{have_tool, page_count, pdf_text, run, write_pdf};

const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;

/// Every word's box on every page, as pdftotext -bbox reports it: (xMin, yMin, xMax, yMax, word).
fn word_boxes(pdf: &std::path::Path) -> Vec<(f32, f32, f32, f32, String)> {
    let html = run("pdftotext", &["-bbox", pdf.to_str().unwrap(), "-"]);
    let attr = |line: &str, name: &str| -> f32 {
        let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        let end = start + line[start..].find('"').unwrap();
        line[start..end].parse().unwrap()
    };
    html.lines()
        .filter(|line| line.trim_start().starts_with("<word "))
        .map(|line| {
            let word = line[line.find('>').unwrap() + 1..line.rfind("</word>").unwrap()].to_owned();
            (attr(line, "xMin"), attr(line, "yMin"), attr(line, "xMax"), attr(line, "yMax"), word)
        })
        .collect()
}

fn long_invitation() -> documents::DocumentView {
    let mut view = fixtures::view(DocumentKind::Invitation, Language::KkRu);
    let Body::Invitation(invitation) = &mut view.body else { unreachable!() };
    let template = invitation.invitees[0].clone();
    invitation.invitees = (1..=9)
        .map(|i| Invitee {
            name: PersonName {
                surname: format!("Wolfeschlegelsteinhausenbergerdorff{i}"),
                given_names: "Hubert Blaine Maximilian Alexander Friedrich".to_owned(),
            },
            citizenship: Localized::each("Германия Федеративтік Республикасы", "Федеративная Республика Германия"),
            ..template.clone()
        })
        .collect();
    invitation.inviting.address = Some(
        "Қазақстан Республикасы, Алматы облысы, Талғар ауданы, Бесағаш ауылдық округі, Ұлытау көшесі, 118-үй, \
         бұл мекенжай жолдың шетінен шықпай, бірнеше жолға бөлінуі тиіс өте ұзын мекенжай"
            .to_owned(),
    );
    invitation.places = (1..=6).map(|i| format!("Елді мекен №{i} (КАТО 19{i}0000000), Қонақүй «Көкжиек-{i}»")).collect();
    invitation.purpose = Localized::Same("x".repeat(140));
    view
}

#[test]
fn long_values_wrap_inside_the_margins() {
    if !have_tool("pdftotext", "poppler-utils") {
        return;
    }
    let pdf = write_pdf(&long_invitation(), "layout-long-invitation");
    let boxes = word_boxes(&pdf);
    assert!(boxes.len() > 200, "the bbox output was read");
    for (x_min, y_min, x_max, y_max, word) in &boxes {
        assert!(*x_min >= 50.0 && *x_max <= PAGE_WIDTH - 45.0, "{word:?} runs past the side margins: {x_min}..{x_max}");
        assert!(*y_min >= 20.0 && *y_max <= PAGE_HEIGHT - 20.0, "{word:?} runs off the page: {y_min}..{y_max}");
    }
    // The 140-letter purpose was broken inside the word, and nothing was lost.
    let text = pdf_text(&pdf);
    let xs: usize = text.split_whitespace().filter(|w| w.chars().all(|c| c == 'x')).map(str::len).sum();
    assert_eq!(xs, 140);
}

#[test]
fn many_invitees_run_onto_more_pages_with_a_header_and_page_number_on_each() {
    if !have_tool("pdfinfo", "poppler-utils") {
        return;
    }
    let pdf = write_pdf(&long_invitation(), "layout-pages");
    let pages = page_count(&pdf);
    assert!(pages >= 2, "nine invitees need more than one page, got {pages}");
    for page in 1..=pages {
        let page_text = run("pdftotext", &["-f", &page.to_string(), "-l", &page.to_string(), pdf.to_str().unwrap(), "-"]);
        // pdftotext drops the thin spaces around the slash.
        assert!(page_text.replace(' ', "").contains(&format!("{page}/{pages}")), "page {page} lacks its number:\n{page_text}");
        assert!(page_text.contains(&format!("№ {}", fixtures::REGISTRATION_NUMBER)), "page {page} lacks the header");
    }
    let last = run("pdftotext", &["-f", &pages.to_string(), "-l", &pages.to_string(), pdf.to_str().unwrap(), "-"]);
    assert!(last.contains(VERIFY_URL), "the QR caption is on the last page");
}

#[test]
fn every_document_fits_on_one_page_for_an_ordinary_case() {
    if !have_tool("pdfinfo", "poppler-utils") {
        return;
    }
    for (name, view) in fixtures::all_views() {
        let pdf = write_pdf(&view, &format!("layout-{name}"));
        assert_eq!(page_count(&pdf), 1, "{name}");
    }
}

#[test]
fn the_same_view_always_gives_the_same_bytes() {
    let view = fixtures::view(DocumentKind::Invitation, Language::KkRu);
    assert_eq!(render(&view).unwrap(), render(&view).unwrap());
}
