//! A thin wrapper over quick-xml's writer for the two drawings: elements with attributes and
//! text, escaped by the writer, and numbers written short.
//!
//! Invariant: writes into memory only.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

pub(crate) struct Xml {
    w: Writer<Vec<u8>>,
}

const INFALLIBLE: &str = "writing XML into memory cannot fail";

impl Xml {
    /// A document with the XML declaration, indented by two spaces.
    pub fn new() -> Xml {
        let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None))).expect(INFALLIBLE);
        Xml { w }
    }

    /// A fragment without the declaration (an SVG to embed in a page).
    pub fn fragment() -> Xml {
        Xml { w: Writer::new_with_indent(Vec::new(), b' ', 2) }
    }

    pub fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let el = BytesStart::new(name).with_attributes(attrs.iter().copied());
        self.w.write_event(Event::Start(el)).expect(INFALLIBLE);
    }

    pub fn end(&mut self, name: &str) {
        self.w.write_event(Event::End(BytesEnd::new(name))).expect(INFALLIBLE);
    }

    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let el = BytesStart::new(name).with_attributes(attrs.iter().copied());
        self.w.write_event(Event::Empty(el)).expect(INFALLIBLE);
    }

    /// An element holding only text.
    pub fn text(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.w.create_element(name).with_attributes(attrs.iter().copied()).write_text_content(BytesText::new(text)).expect(INFALLIBLE);
    }

    pub fn finish(self) -> String {
        let mut s = String::from_utf8(self.w.into_inner()).expect("the writer was given only UTF-8");
        s.push('\n');
        s
    }
}

/// A coordinate, to a tenth of a pixel, without a trailing ".0".
pub(crate) fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    let r = if r == 0.0 { 0.0 } else { r };
    if r.fract() == 0.0 { format!("{r:.0}") } else { format!("{r:.1}") }
}
