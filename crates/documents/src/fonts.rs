//! The embedded typeface (Noto Sans regular and bold, SIL OFL 1.1, see fonts/OFL.txt): the font
//! data for the PDF writer, text measurement for line breaking, and glyph coverage checks.

use std::sync::OnceLock;

use rustybuzz::{Face, UnicodeBuffer};

pub(crate) static REGULAR: &[u8] = include_bytes!("../fonts/NotoSans-Regular.ttf");
pub(crate) static BOLD: &[u8] = include_bytes!("../fonts/NotoSans-Bold.ttf");

/// The Kazakh letters of the Cyrillic alphabet that Russian does not have, small and capital.
pub const KAZAKH_LETTERS: &str = "әғқңөұүһіӘҒҚҢӨҰҮҺІ";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

pub(crate) struct Faces {
    regular: Face<'static>,
    bold: Face<'static>,
}

/// The parsed faces, made once per process.
pub(crate) fn faces() -> &'static Faces {
    static FACES: OnceLock<Faces> = OnceLock::new();
    FACES.get_or_init(|| Faces {
        regular: Face::from_slice(REGULAR, 0).expect("the embedded regular font parses"),
        bold: Face::from_slice(BOLD, 0).expect("the embedded bold font parses"),
    })
}

impl Faces {
    fn face(&self, weight: Weight) -> &Face<'static> {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// The advance width of `text` set on one line at `size` points, shaped the way the PDF
    /// writer shapes it (kerning included).
    pub(crate) fn width(&self, text: &str, weight: Weight, size: f32) -> f32 {
        if text.is_empty() {
            return 0.0;
        }
        let face = self.face(weight);
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let shaped = rustybuzz::shape(face, &[], buffer);
        let units: i32 = shaped.glyph_positions().iter().map(|p| p.x_advance).sum();
        units as f32 * size / face.units_per_em() as f32
    }

    /// The characters of `text` that `weight`'s face has no glyph for (whitespace and control
    /// characters aside), each once, in order of appearance.
    pub(crate) fn missing(&self, text: &str, weight: Weight) -> Vec<char> {
        let face = self.face(weight);
        let mut missing = Vec::new();
        for c in text.chars() {
            if c.is_whitespace() || c.is_control() || missing.contains(&c) {
                continue;
            }
            if face.glyph_index(c).is_none() {
                missing.push(c);
            }
        }
        missing
    }
}

/// The characters of `text` that the embedded regular or bold face cannot draw. Rendering
/// refuses a document with such characters rather than print empty boxes.
pub fn missing_glyphs(text: &str) -> Vec<char> {
    let faces = faces();
    let mut missing = faces.missing(text, Weight::Regular);
    for c in faces.missing(text, Weight::Bold) {
        if !missing.contains(&c) {
            missing.push(c);
        }
    }
    missing
}
