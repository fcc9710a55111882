//! Page layout: the blocks a template produces (titles, paragraphs, label–value fields, lists,
//! signature lines, the QR code) are broken into lines with measured text and placed on A4
//! pages, with a header and a page-numbered footer on each.

use crate::fonts::{Faces, Weight};
use crate::qr::{QUIET_ZONE, QrMatrix};

pub(crate) const PAGE_WIDTH: f32 = 595.28;
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
const MARGIN_LEFT: f32 = 62.0;
const MARGIN_RIGHT: f32 = 50.0;
const MARGIN_TOP: f32 = 64.0;
const MARGIN_BOTTOM: f32 = 60.0;
const TEXT_WIDTH: f32 = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
/// The label column of a field takes this share of the text width.
const LABEL_SHARE: f32 = 0.38;
const COLUMN_GAP: f32 = 10.0;

const TITLE_SIZE: f32 = 13.5;
const HEADING_SIZE: f32 = 11.0;
const BODY_SIZE: f32 = 10.5;
const SMALL_SIZE: f32 = 8.5;
const LABEL_SIZE: f32 = 8.5;
const CELL_SIZE: f32 = 9.0;
const LINE_FACTOR: f32 = 1.32;
/// Where the baseline sits below a line's top, as a share of the font size (Noto Sans's
/// ascender is 1.069 em).
const BASELINE_FACTOR: f32 = 1.07;

const BLACK: f32 = 0.0;
const GREY: f32 = 0.35;
/// The QR code's side including its quiet zone.
const QR_SIZE: f32 = 100.0;

/// What a template asks for, top to bottom.
#[derive(Debug, Clone)]
pub(crate) enum Block {
    /// Bold, centred, larger; may wrap.
    Title(String),
    /// Centred, regular, grey (e.g. the service's name under the title).
    Subtitle(String),
    /// A bold section heading, kept with what follows.
    Heading(String),
    Paragraph(String),
    /// Small grey text (notes, the electronic signature mark).
    Note(String),
    /// A label in the left column, the value beside it; `\n` in a value starts a new line. The
    /// label's parts (Kazakh, Russian) share a line as `kk / ru` when that fits, else each
    /// starts a line of its own.
    Field {
        label: Vec<String>,
        value: String,
        strong: bool,
    },
    /// A table with a header row; each column's header has the same parts as a field's label,
    /// and its width is a share of the text width.
    Table {
        columns: Vec<Column>,
        rows: Vec<Vec<String>>,
    },
    /// A list item: the marker hangs in the margin of the text.
    Item {
        marker: String,
        text: String,
    },
    /// A signature line: the position on the left, a line to sign on, the name on the right,
    /// and an optional note under the line (the seal's place).
    Signature {
        position: String,
        name: String,
        note: Option<String>,
    },
    /// Fields on the left and a QR code at the right edge beside them (the invitation's
    /// opening: its number and dates next to the code that verifies them).
    FieldsWithQr {
        fields: Vec<Block>,
        matrix: QrMatrix,
    },
    Space(f32),
}

#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub(crate) header: Vec<String>,
    pub(crate) share: f32,
}

/// What goes on every page.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    pub(crate) header_left: String,
    pub(crate) header_right: String,
    pub(crate) footer_left: String,
}

/// One thing placed on a page, in points from the page's top-left corner.
#[derive(Debug, Clone)]
pub(crate) enum Placed {
    /// `y` is the baseline.
    Text { x: f32, y: f32, text: String, weight: Weight, size: f32, grey: f32 },
    /// A filled rectangle.
    Rect { x: f32, y: f32, w: f32, h: f32 },
    /// Many filled rectangles drawn as one path (the QR code's modules).
    Rects(Vec<(f32, f32, f32, f32)>),
}

#[derive(Debug, Clone, Default)]
pub(crate) struct PageLayout {
    pub(crate) items: Vec<Placed>,
}

/// A slice of a block that is never split across pages; `y` of its items is relative to its top.
struct Chunk {
    height: f32,
    items: Vec<Placed>,
    /// Keep on the same page as the next chunk (headings, a paragraph's first line).
    keep_with_next: bool,
    /// Vertical space that disappears at the top of a page.
    space: bool,
}

impl Chunk {
    fn new(height: f32, items: Vec<Placed>) -> Chunk {
        Chunk { height, items, keep_with_next: false, space: false }
    }
}

fn line_height(size: f32) -> f32 {
    size * LINE_FACTOR
}

/// Lays `blocks` out on as many A4 pages as they need and adds the frame.
pub(crate) fn lay_out(faces: &Faces, blocks: &[Block], frame: &Frame) -> Vec<PageLayout> {
    let chunks: Vec<Chunk> = blocks.iter().flat_map(|block| chunks_of(faces, block)).collect();
    let mut pages = paginate(chunks);
    let count = pages.len();
    for (index, page) in pages.iter_mut().enumerate() {
        add_frame(faces, page, frame, index + 1, count);
    }
    pages
}

fn paginate(chunks: Vec<Chunk>) -> Vec<PageLayout> {
    let usable = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM;
    let mut pages = vec![PageLayout::default()];
    let mut y = 0.0f32;
    let mut i = 0;
    while i < chunks.len() {
        // The run of chunks that should stay together with chunk i.
        let mut end = i;
        while end + 1 < chunks.len() && chunks[end].keep_with_next {
            end += 1;
        }
        let run_height: f32 = chunks[i..=end].iter().map(|c| c.height).sum();
        if y > 0.0 && y + run_height > usable && run_height <= usable {
            pages.push(PageLayout::default());
            y = 0.0;
        }
        // Place the run; a run taller than a whole page breaks wherever it must.
        for chunk in &chunks[i..=end] {
            if chunk.space && y == 0.0 {
                continue;
            }
            if y > 0.0 && y + chunk.height > usable {
                pages.push(PageLayout::default());
                y = 0.0;
                if chunk.space {
                    continue;
                }
            }
            let page = pages.last_mut().expect("there is always a page");
            let top = MARGIN_TOP + y;
            page.items.extend(chunk.items.iter().cloned().map(|item| shift(item, top)));
            y += chunk.height;
        }
        i = end + 1;
    }
    pages
}

fn shift(item: Placed, dy: f32) -> Placed {
    match item {
        Placed::Text { x, y, text, weight, size, grey } => Placed::Text { x, y: y + dy, text, weight, size, grey },
        Placed::Rect { x, y, w, h } => Placed::Rect { x, y: y + dy, w, h },
        Placed::Rects(rects) => Placed::Rects(rects.into_iter().map(|(x, y, w, h)| (x, y + dy, w, h)).collect()),
    }
}

fn text(x: f32, line_top: f32, text: String, weight: Weight, size: f32, grey: f32) -> Placed {
    Placed::Text { x, y: line_top + size * BASELINE_FACTOR, text, weight, size, grey }
}

fn space(height: f32) -> Chunk {
    Chunk { height, items: Vec::new(), keep_with_next: false, space: true }
}

fn chunks_of(faces: &Faces, block: &Block) -> Vec<Chunk> {
    match block {
        Block::Title(title) => centred(faces, title, Weight::Bold, TITLE_SIZE, BLACK, 2.0),
        Block::Subtitle(subtitle) => centred(faces, subtitle, Weight::Regular, BODY_SIZE, GREY, 6.0),
        Block::Heading(heading) => {
            let mut chunks = vec![space(8.0)];
            let lines = wrap(faces, heading, Weight::Bold, HEADING_SIZE, TEXT_WIDTH);
            for line in lines {
                let mut chunk =
                    Chunk::new(line_height(HEADING_SIZE), vec![text(MARGIN_LEFT, 0.0, line, Weight::Bold, HEADING_SIZE, BLACK)]);
                chunk.keep_with_next = true;
                chunks.push(chunk);
            }
            chunks.push(space(2.0));
            chunks
        }
        Block::Paragraph(paragraph) => flowing(faces, paragraph, Weight::Regular, BODY_SIZE, BLACK, 5.0),
        Block::Note(note) => flowing(faces, note, Weight::Regular, SMALL_SIZE, GREY, 3.0),
        Block::Field { label, value, strong } => field(faces, label, value, *strong, TEXT_WIDTH),
        Block::Table { columns, rows } => table(faces, columns, rows),
        Block::Item { marker, text: item } => list_item(faces, marker, item),
        Block::Signature { position, name, note } => vec![space(14.0), signature(faces, position, name, note.as_deref())],
        Block::FieldsWithQr { fields, matrix } => vec![fields_with_qr(faces, fields, matrix)],
        Block::Space(height) => vec![space(*height)],
    }
}

fn centred(faces: &Faces, content: &str, weight: Weight, size: f32, grey: f32, after: f32) -> Vec<Chunk> {
    let mut chunks: Vec<Chunk> = wrap(faces, content, weight, size, TEXT_WIDTH)
        .into_iter()
        .map(|line| {
            let x = MARGIN_LEFT + (TEXT_WIDTH - faces.width(&line, weight, size)) / 2.0;
            let mut chunk = Chunk::new(line_height(size), vec![text(x, 0.0, line, weight, size, grey)]);
            chunk.keep_with_next = true;
            chunk
        })
        .collect();
    let mut gap = space(after);
    gap.keep_with_next = true;
    chunks.push(gap);
    chunks
}

/// Lines of running text; the first line stays with the second, so a paragraph never leaves a
/// single line at the bottom of a page.
fn flowing(faces: &Faces, content: &str, weight: Weight, size: f32, grey: f32, after: f32) -> Vec<Chunk> {
    let lines = wrap(faces, content, weight, size, TEXT_WIDTH);
    let count = lines.len();
    let mut chunks: Vec<Chunk> = lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let mut chunk = Chunk::new(line_height(size), vec![text(MARGIN_LEFT, 0.0, line, weight, size, grey)]);
            chunk.keep_with_next = i == 0 && count > 1;
            chunk
        })
        .collect();
    chunks.push(space(after));
    chunks
}

/// The lines of a bilingual label or header in `width`: `kk / ru` on one line when it fits.
fn label_lines(faces: &Faces, parts: &[String], weight: Weight, size: f32, width: f32) -> Vec<String> {
    let joined = parts.join(" / ");
    if parts.len() > 1 && faces.width(&joined, weight, size) > width {
        parts.iter().flat_map(|part| wrap(faces, part, weight, size, width)).collect()
    } else {
        wrap(faces, &joined, weight, size, width)
    }
}

/// A field in a column `width` wide from the left margin.
fn field(faces: &Faces, label: &[String], value: &str, strong: bool, width: f32) -> Vec<Chunk> {
    let label_width = width * LABEL_SHARE;
    let value_x = MARGIN_LEFT + label_width + COLUMN_GAP;
    let value_width = width - label_width - COLUMN_GAP;
    let value_weight = if strong { Weight::Bold } else { Weight::Regular };
    let label_lines = label_lines(faces, label, Weight::Regular, LABEL_SIZE, label_width);
    let value_lines = wrap(faces, value, value_weight, BODY_SIZE, value_width);
    let value_row = line_height(BODY_SIZE);
    let label_row = line_height(LABEL_SIZE);
    // The label's first line sits on the value's first baseline; its further lines are closer
    // together than the value's, so label and value are laid out side by side, not row by row.
    let label_top = (BODY_SIZE - LABEL_SIZE) * BASELINE_FACTOR;
    let label_height = label_top + label_lines.len() as f32 * label_row;
    let value_height = value_lines.len() as f32 * value_row;
    let height = label_height.max(value_height);
    let mut chunks = Vec::new();
    if height <= 10.0 * value_row {
        let mut items = Vec::new();
        for (i, line) in label_lines.into_iter().enumerate() {
            items.push(text(MARGIN_LEFT, label_top + i as f32 * label_row, line, Weight::Regular, LABEL_SIZE, GREY));
        }
        for (i, line) in value_lines.into_iter().enumerate() {
            items.push(text(value_x, i as f32 * value_row, line, value_weight, BODY_SIZE, BLACK));
        }
        chunks.push(Chunk::new(height, items));
    } else {
        // A value too long to keep whole runs on line by line, the label with its first lines.
        let label_chunk = label_lines.len().min(value_lines.len());
        for (i, line) in value_lines.into_iter().enumerate() {
            let mut items = vec![text(value_x, 0.0, line, value_weight, BODY_SIZE, BLACK)];
            if i == 0 {
                for (j, label) in label_lines.iter().enumerate() {
                    items.push(text(MARGIN_LEFT, label_top + j as f32 * label_row, label.clone(), Weight::Regular, LABEL_SIZE, GREY));
                }
            }
            let mut chunk = Chunk::new(value_row, items);
            chunk.keep_with_next = i + 1 < label_chunk.max(2);
            chunks.push(chunk);
        }
    }
    chunks.push(space(3.0));
    chunks
}

fn table(faces: &Faces, columns: &[Column], rows: &[Vec<String>]) -> Vec<Chunk> {
    const PAD: f32 = 3.0;
    let total: f32 = columns.iter().map(|c| c.share).sum();
    let mut xs = Vec::with_capacity(columns.len());
    let mut widths = Vec::with_capacity(columns.len());
    let mut x = MARGIN_LEFT;
    for column in columns {
        let width = TEXT_WIDTH * column.share / total;
        xs.push(x + PAD);
        widths.push(width - 2.0 * PAD);
        x += width;
    }
    let row_chunk = |cells: Vec<Vec<String>>, weight: Weight, size: f32, grey: f32| -> Chunk {
        let row = line_height(size);
        let lines = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let height = lines as f32 * row + 2.0 * PAD;
        let mut items = Vec::new();
        for (i, cell) in cells.into_iter().enumerate() {
            for (j, line) in cell.into_iter().enumerate() {
                items.push(text(xs[i], PAD + j as f32 * row, line, weight, size, grey));
            }
        }
        items.push(Placed::Rect { x: MARGIN_LEFT, y: height - 0.4, w: TEXT_WIDTH, h: 0.4 });
        Chunk::new(height, items)
    };
    let header: Vec<Vec<String>> = columns
        .iter()
        .zip(&widths)
        .map(|(column, width)| label_lines(faces, &column.header, Weight::Regular, LABEL_SIZE, *width))
        .collect();
    let mut header = row_chunk(header, Weight::Regular, LABEL_SIZE, GREY);
    header.items.push(Placed::Rect { x: MARGIN_LEFT, y: 0.0, w: TEXT_WIDTH, h: 0.4 });
    header.keep_with_next = true;
    let mut chunks = vec![space(2.0), header];
    for row in rows {
        let cells = row.iter().zip(&widths).map(|(cell, width)| wrap(faces, cell, Weight::Regular, CELL_SIZE, *width)).collect();
        chunks.push(row_chunk(cells, Weight::Regular, CELL_SIZE, BLACK));
    }
    chunks.push(space(4.0));
    chunks
}

fn list_item(faces: &Faces, marker: &str, content: &str) -> Vec<Chunk> {
    let indent = 22.0;
    let lines = wrap(faces, content, Weight::Regular, BODY_SIZE, TEXT_WIDTH - indent);
    let count = lines.len();
    let mut chunks: Vec<Chunk> = lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let mut items = vec![text(MARGIN_LEFT + indent, 0.0, line, Weight::Regular, BODY_SIZE, BLACK)];
            if i == 0 {
                items.push(text(MARGIN_LEFT + 4.0, 0.0, marker.to_owned(), Weight::Regular, BODY_SIZE, BLACK));
            }
            let mut chunk = Chunk::new(line_height(BODY_SIZE), items);
            chunk.keep_with_next = i + 1 < count && count <= 4;
            chunk
        })
        .collect();
    chunks.push(space(2.0));
    chunks
}

fn signature(faces: &Faces, position: &str, name: &str, note: Option<&str>) -> Chunk {
    let left_width = TEXT_WIDTH * 0.34;
    let line_x = MARGIN_LEFT + left_width + COLUMN_GAP;
    let line_width = 85.0;
    let name_x = line_x + line_width + COLUMN_GAP;
    let name_width = MARGIN_LEFT + TEXT_WIDTH - name_x;
    let row = line_height(BODY_SIZE);
    let position_lines = wrap(faces, position, Weight::Regular, BODY_SIZE, left_width);
    let name_lines = wrap(faces, name, Weight::Bold, BODY_SIZE, name_width);
    let rows = position_lines.len().max(name_lines.len()).max(1);
    let mut items = Vec::new();
    for (i, line) in position_lines.into_iter().enumerate() {
        items.push(text(MARGIN_LEFT, i as f32 * row, line, Weight::Regular, BODY_SIZE, BLACK));
    }
    // The name and the line to sign on sit on the last row of the position.
    let last_top = (rows - 1) as f32 * row;
    let name_top = last_top - (name_lines.len() - 1) as f32 * row;
    for (i, line) in name_lines.into_iter().enumerate() {
        items.push(text(name_x, name_top + i as f32 * row, line, Weight::Bold, BODY_SIZE, BLACK));
    }
    let baseline = last_top + BODY_SIZE * BASELINE_FACTOR;
    items.push(Placed::Rect { x: line_x, y: baseline + 1.5, w: line_width, h: 0.6 });
    let mut height = rows as f32 * row + 4.0;
    if let Some(note) = note {
        let size = SMALL_SIZE;
        let x = line_x + (line_width - faces.width(note, Weight::Regular, size)) / 2.0;
        items.push(text(x, baseline + 4.0, note.to_owned(), Weight::Regular, size, GREY));
        height += line_height(size);
    }
    Chunk::new(height, items)
}

fn fields_with_qr(faces: &Faces, fields: &[Block], matrix: &QrMatrix) -> Chunk {
    let width = TEXT_WIDTH - QR_SIZE - COLUMN_GAP;
    let mut items = Vec::new();
    let mut y = 0.0;
    for block in fields {
        let Block::Field { label, value, strong } = block else { continue };
        for chunk in field(faces, label, value, *strong, width) {
            items.extend(chunk.items.into_iter().map(|item| shift(item, y)));
            y += chunk.height;
        }
    }
    // The code's quiet zone is part of QR_SIZE, so its dark modules line up a little inside the
    // right margin and the top of the first field.
    let modules = (matrix.width + 2 * QUIET_ZONE) as f32;
    let module = QR_SIZE / modules;
    let left = MARGIN_LEFT + TEXT_WIDTH - QR_SIZE + QUIET_ZONE as f32 * module;
    let top = -(QUIET_ZONE as f32 - 1.0) * module;
    let rects = matrix
        .dark_runs()
        .into_iter()
        .map(|(row, col, len)| (left + col as f32 * module, top + (QUIET_ZONE + row) as f32 * module, len as f32 * module, module))
        .collect();
    items.push(Placed::Rects(rects));
    Chunk::new(y.max(QR_SIZE - (QUIET_ZONE as f32 - 1.0) * module), items)
}

fn add_frame(faces: &Faces, page: &mut PageLayout, frame: &Frame, number: usize, count: usize) {
    let header_y = 34.0;
    let footer_y = PAGE_HEIGHT - 34.0;
    let right_edge = MARGIN_LEFT + TEXT_WIDTH;
    let right = &frame.header_right;
    let right_width = faces.width(right, Weight::Regular, SMALL_SIZE);
    let left = fit(faces, &frame.header_left, Weight::Regular, SMALL_SIZE, TEXT_WIDTH - right_width - 2.0 * COLUMN_GAP);
    page.items.push(Placed::Text { x: MARGIN_LEFT, y: header_y, text: left, weight: Weight::Regular, size: SMALL_SIZE, grey: GREY });
    page.items.push(Placed::Text {
        x: right_edge - right_width,
        y: header_y,
        text: right.clone(),
        weight: Weight::Regular,
        size: SMALL_SIZE,
        grey: GREY,
    });
    page.items.push(Placed::Rect { x: MARGIN_LEFT, y: header_y + 5.0, w: TEXT_WIDTH, h: 0.4 });
    let pages = format!("{number} / {count}");
    let pages_width = faces.width(&pages, Weight::Regular, SMALL_SIZE);
    let left = fit(faces, &frame.footer_left, Weight::Regular, SMALL_SIZE, TEXT_WIDTH - pages_width - 2.0 * COLUMN_GAP);
    page.items.push(Placed::Text { x: MARGIN_LEFT, y: footer_y, text: left, weight: Weight::Regular, size: SMALL_SIZE, grey: GREY });
    page.items.push(Placed::Text {
        x: right_edge - pages_width,
        y: footer_y,
        text: pages,
        weight: Weight::Regular,
        size: SMALL_SIZE,
        grey: GREY,
    });
}

/// `content` cut to fit `width` on one line, with an ellipsis when cut.
fn fit(faces: &Faces, content: &str, weight: Weight, size: f32, width: f32) -> String {
    let content = content.replace('\n', " ");
    if faces.width(&content, weight, size) <= width {
        return content;
    }
    let mut cut: String = content.clone();
    while !cut.is_empty() {
        cut.pop();
        let candidate = format!("{}…", cut.trim_end());
        if faces.width(&candidate, weight, size) <= width {
            return candidate;
        }
    }
    String::new()
}

/// Breaks `content` into lines no wider than `width`: at spaces where possible, inside a word
/// only when the word alone is too wide (a long URL or number). `\n` forces a break.
pub(crate) fn wrap(faces: &Faces, content: &str, weight: Weight, size: f32, width: f32) -> Vec<String> {
    let space_width = faces.width(" ", weight, size);
    let mut lines = Vec::new();
    for hard_line in content.split('\n') {
        let mut line = String::new();
        let mut line_width = 0.0;
        for word in hard_line.split_whitespace() {
            let word_width = faces.width(word, weight, size);
            if !line.is_empty() && line_width + space_width + word_width <= width {
                line.push(' ');
                line.push_str(word);
                line_width += space_width + word_width;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if word_width <= width {
                line.push_str(word);
                line_width = word_width;
            } else {
                let mut pieces = break_word(faces, word, weight, size, width);
                let last = pieces.pop().unwrap_or_default();
                lines.extend(pieces);
                line_width = faces.width(&last, weight, size);
                line = last;
            }
        }
        lines.push(line);
    }
    lines
}

/// Splits a word too wide for a line into pieces that fit, preferring to break after `/`, `-`
/// or `.` when one is near the end of a piece.
fn break_word(faces: &Faces, word: &str, weight: Weight, size: f32, width: f32) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = word;
    while !rest.is_empty() {
        let mut end = 0;
        for (i, c) in rest.char_indices() {
            let next = i + c.len_utf8();
            if faces.width(&rest[..next], weight, size) > width {
                break;
            }
            end = next;
        }
        if end == 0 {
            // Not even one character fits: put it alone rather than loop.
            end = rest.chars().next().map_or(rest.len(), char::len_utf8);
        } else if end < rest.len()
            && let Some(cut) = rest[..end].rfind(['/', '-', '.'])
            && cut + 1 >= end * 2 / 3
        {
            end = cut + 1;
        }
        pieces.push(rest[..end].to_owned());
        rest = &rest[end..];
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::faces;

    #[test]
    fn wrapped_lines_never_exceed_the_width_and_keep_every_word() {
        let faces = faces();
        let text = "Қазақстан Республикасы Ішкі істер министрлігінің аумақтық бөлінісі өтінішті қабылдап, тіркеді және орындаушыға жолдады";
        for width in [60.0, 120.0, 250.0] {
            let lines = wrap(faces, text, Weight::Regular, BODY_SIZE, width);
            assert!(lines.len() > 1);
            for line in &lines {
                assert!(faces.width(line, Weight::Regular, BODY_SIZE) <= width + 0.01, "{line:?} wider than {width}");
            }
            assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""), "nothing lost at {width}");
            if width > 100.0 {
                assert_eq!(lines.join(" "), text, "every word fits whole at {width}");
            }
        }
    }

    #[test]
    fn a_newline_forces_a_break_and_an_empty_text_is_one_empty_line() {
        let faces = faces();
        assert_eq!(wrap(faces, "бір\nекі", Weight::Regular, BODY_SIZE, 400.0), vec!["бір", "екі"]);
        assert_eq!(wrap(faces, "", Weight::Regular, BODY_SIZE, 400.0), vec![""]);
    }

    #[test]
    fn a_word_too_long_for_the_line_breaks_after_a_slash_where_it_can() {
        let faces = faces();
        let url = "https://shaqyru.example.kz/verify/7QK4-M2XD-9TPA-R6WF";
        let width = faces.width("https://shaqyru.example.kz/veri", Weight::Regular, BODY_SIZE);
        let lines = wrap(faces, url, Weight::Regular, BODY_SIZE, width);
        assert_eq!(lines[0], "https://shaqyru.example.kz/");
        assert_eq!(lines.concat(), url);
        assert!(lines.iter().all(|line| faces.width(line, Weight::Regular, BODY_SIZE) <= width + 0.01));
    }

    #[test]
    fn a_page_holds_what_fits_and_the_rest_runs_onto_the_next() {
        let faces = faces();
        let frame = Frame { header_left: "H".to_owned(), header_right: "№ 1".to_owned(), footer_left: "F".to_owned() };
        let blocks: Vec<Block> = (0..120).map(|i| Block::Paragraph(format!("Жол {i}"))).collect();
        let pages = lay_out(faces, &blocks, &frame);
        assert!(pages.len() >= 2);
        for page in &pages {
            for item in &page.items {
                if let Placed::Text { y, .. } = item {
                    assert!(*y > 0.0 && *y < PAGE_HEIGHT - 20.0);
                }
            }
        }
    }
}
