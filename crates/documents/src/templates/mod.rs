//! Template sets, one per regulation edition: each turns a view into the blocks of its pages.
//! A case's documents are always drawn with the templates of the edition it runs under.

mod edition_2018;

use jiff::civil::{Date, DateTime};

use crate::layout::{Block, Frame};
use crate::view::{Lang, Language, Localized};
use crate::{DocumentError, DocumentKind, DocumentView};

/// The editions this crate has templates for.
pub const EDITIONS: &[&str] = &["2018"];

/// A document ready for layout.
pub(crate) struct Composition {
    /// The document's title, for the PDF's metadata.
    pub(crate) title: String,
    pub(crate) frame: Frame,
    pub(crate) blocks: Vec<Block>,
}

/// The languages `kind` is offered in under `edition`: every form in Kazakh and in Russian, and
/// the bilingual forms also in both on one page.
pub fn languages(edition: &str, kind: DocumentKind) -> Result<&'static [Language], DocumentError> {
    match edition {
        "2018" => Ok(edition_2018::languages(kind)),
        other => Err(DocumentError::UnknownEdition(other.to_owned())),
    }
}

pub(crate) fn compose(view: &DocumentView) -> Result<Composition, DocumentError> {
    let offered = languages(&view.edition, view.kind())?;
    if !offered.contains(&view.language) {
        return Err(DocumentError::LanguageNotOffered { kind: view.kind(), language: view.language });
    }
    match view.edition.as_str() {
        "2018" => edition_2018::compose(view),
        other => Err(DocumentError::UnknownEdition(other.to_owned())),
    }
}

/// Writes blocks in one language or in both: each piece of wording is given in Kazakh and in
/// Russian, and the writer keeps what the document's language needs.
pub(crate) struct Writer {
    langs: &'static [Lang],
    pub(crate) blocks: Vec<Block>,
}

impl Writer {
    pub(crate) fn new(language: Language) -> Writer {
        let langs: &'static [Lang] = match language {
            Language::Kk => &[Lang::Kk],
            Language::Ru => &[Lang::Ru],
            Language::KkRu => &[Lang::Kk, Lang::Ru],
        };
        Writer { langs, blocks: Vec::new() }
    }

    /// The wording in the document's language(s), joined by `separator` when bilingual.
    pub(crate) fn pick(&self, kk: &str, ru: &str, separator: &str) -> String {
        self.langs.iter().map(|lang| if *lang == Lang::Kk { kk } else { ru }).collect::<Vec<_>>().join(separator)
    }

    /// A caller's localized value, each language on its own line when bilingual and different.
    pub(crate) fn value(&self, text: &Localized) -> String {
        let mut parts: Vec<&str> = self.langs.iter().map(|lang| text.get(*lang)).collect();
        parts.dedup();
        parts.join("\n")
    }

    /// A field's label or a column's header: the Kazakh and the Russian part when bilingual,
    /// which the layout puts on one line or two.
    pub(crate) fn label(&self, kk: &str, ru: &str) -> Vec<String> {
        self.langs.iter().map(|lang| if *lang == Lang::Kk { kk } else { ru }.to_owned()).collect()
    }

    pub(crate) fn title(&mut self, kk: &str, ru: &str) {
        for lang in self.langs {
            self.blocks.push(Block::Title(if *lang == Lang::Kk { kk } else { ru }.to_owned()));
        }
    }

    pub(crate) fn subtitle(&mut self, kk: &str, ru: &str) {
        let text = self.pick(kk, ru, "\n");
        self.blocks.push(Block::Subtitle(text));
    }

    pub(crate) fn heading(&mut self, kk: &str, ru: &str) {
        let text = self.pick(kk, ru, " / ");
        self.blocks.push(Block::Heading(text));
    }

    /// A paragraph per language, each written by `text` for that language.
    pub(crate) fn paragraph(&mut self, text: impl Fn(Lang) -> String) {
        for lang in self.langs {
            self.blocks.push(Block::Paragraph(text(*lang)));
        }
    }

    pub(crate) fn note(&mut self, text: impl Fn(Lang) -> String) {
        for lang in self.langs {
            self.blocks.push(Block::Note(text(*lang)));
        }
    }

    pub(crate) fn field(&mut self, kk: &str, ru: &str, value: impl Into<String>) {
        let label = self.label(kk, ru);
        self.blocks.push(Block::Field { label, value: value.into(), strong: false });
    }

    /// A field whose value is printed bold (the numbers and dates a reader looks for).
    pub(crate) fn strong_field(&mut self, kk: &str, ru: &str, value: impl Into<String>) {
        let label = self.label(kk, ru);
        self.blocks.push(Block::Field { label, value: value.into(), strong: true });
    }

    pub(crate) fn numbered(&mut self, items: impl IntoIterator<Item = String>) {
        for (i, text) in items.into_iter().enumerate() {
            self.blocks.push(Block::Item { marker: format!("{}.", i + 1), text });
        }
    }

    pub(crate) fn push(&mut self, block: Block) {
        self.blocks.push(block);
    }
}

/// `dd.mm.yyyy`, the way dates are written on Kazakhstan's official papers in both languages.
pub(crate) fn date(date: Date) -> String {
    format!("{:02}.{:02}.{:04}", date.day(), date.month(), date.year())
}

/// `dd.mm.yyyy HH:MM`.
pub(crate) fn date_time(at: DateTime) -> String {
    format!("{} {:02}:{:02}", date(at.date()), at.hour(), at.minute())
}
