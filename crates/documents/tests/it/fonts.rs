//! The embedded font draws every Kazakh letter, and they survive into the PDF's text.

use documents::{Body, DocumentKind, KAZAKH_LETTERS, Language, Localized, missing_glyphs};

use crate::fixtures;
use crate::support::{have_tool, pdf_text, run, write_pdf};

#[test]
fn the_embedded_font_has_every_kazakh_and_russian_letter() {
    let russian = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ";
    let marks = "№«»–—…·«»()0123456789";
    assert_eq!(missing_glyphs(KAZAKH_LETTERS), Vec::<char>::new());
    assert_eq!(missing_glyphs(russian), Vec::<char>::new());
    assert_eq!(missing_glyphs(marks), Vec::<char>::new());
    assert_eq!(KAZAKH_LETTERS.chars().count(), 18, "nine letters, small and capital");
}

#[test]
fn every_letter_of_the_test_cases_has_a_glyph() {
    // The templates' own wording is checked by every render: `render` refuses undrawable text.
    for (name, view) in fixtures::all_views() {
        let json = serde_json::to_string(&view).unwrap();
        assert_eq!(missing_glyphs(&json), Vec::<char>::new(), "{name}");
    }
}

#[test]
fn the_font_lacks_some_scripts_and_says_so() {
    assert_eq!(missing_glyphs("王 a"), vec!['王']);
}

#[test]
fn all_kazakh_letters_come_back_out_of_the_pdf_text() {
    if !have_tool("pdftotext", "poppler-utils") {
        return;
    }
    let mut view = fixtures::view(DocumentKind::MotivatedRefusal, Language::Kk);
    let Body::MotivatedRefusal(refusal) = &mut view.body else { unreachable!() };
    refusal.explanation = Some(Localized::Same(format!("Әріптер: {KAZAKH_LETTERS}")));
    let pdf = write_pdf(&view, "fonts-kazakh-letters");
    let text = pdf_text(&pdf);
    assert!(text.contains(&format!("Әріптер: {KAZAKH_LETTERS}")), "{text}");
}

#[test]
fn the_pdf_embeds_noto_sans_regular_and_bold_as_subsets() {
    if !have_tool("pdffonts", "poppler-utils") {
        return;
    }
    let pdf = write_pdf(&fixtures::view(DocumentKind::Invitation, Language::KkRu), "fonts-embedded");
    let fonts = run("pdffonts", &[pdf.to_str().unwrap()]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(rows.iter().any(|r| r.contains("NotoSans-Regular")), "{fonts}");
    assert!(rows.iter().any(|r| r.contains("NotoSans-Bold")), "{fonts}");
    for row in rows {
        // Columns: name type encoding emb sub uni object-id; every font embedded, subset, with
        // a Unicode map (so text can be copied and searched).
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert_eq!(&cols[n - 5..n - 2], &["yes", "yes", "yes"], "{row}");
    }
}
