//! Tokenizing: the parts of a Markdown document that matter here, in order.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::ingest::{MAX_DETAILS_BYTES, push_bounded};

/// The parts of a document that matter here, in order.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Block {
    Heading { level: usize, text: String },
    Paragraph(String),
    Item { depth: usize, text: String, checked: Option<bool> },
    Table { header: Vec<String>, rows: Vec<Vec<String>> },
}

struct ItemState {
    depth: usize,
    text: String,
    checked: Option<bool>,
    emitted: bool,
}

/// The blocks of a Markdown document, in order.
pub(super) fn blocks(text: &str) -> Vec<Block> {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH;
    let mut t = Tokenizer::default();
    for ev in Parser::new_ext(text, opts) {
        match ev {
            Event::Start(tag) => t.start(tag),
            Event::End(end) => t.end(end),
            Event::Text(s) | Event::Code(s) if !t.in_code => t.text(&s),
            Event::SoftBreak | Event::HardBreak => t.line_break(),
            Event::TaskListMarker(done) => {
                if let Some(top) = t.items.last_mut() {
                    top.checked = Some(done);
                }
            }
            _ => {}
        }
    }
    t.out
}

/// The blocks found so far and the ones still open.
#[derive(Default)]
struct Tokenizer {
    out: Vec<Block>,
    heading: Option<(usize, String)>,
    para: Option<String>,
    items: Vec<ItemState>,
    list_depth: usize,
    table: Option<(Vec<String>, Vec<Vec<String>>)>,
    row: Vec<String>,
    cell: Option<String>,
    in_code: bool,
}

impl Tokenizer {
    /// An opening tag: a block begins.
    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Heading { level, .. } => self.heading = Some((level as usize, String::new())),
            Tag::Paragraph if self.items.is_empty() && self.cell.is_none() => self.para = Some(String::new()),
            Tag::List(_) => {
                if let Some(top) = self.items.last_mut() {
                    emit_item(&mut self.out, top);
                }
                self.list_depth += 1;
            }
            Tag::Item => {
                self.items.push(ItemState {
                    depth: self.list_depth,
                    text: String::new(),
                    checked: None,
                    emitted: false,
                });
            }
            Tag::Table(_) => self.table = Some((Vec::new(), Vec::new())),
            Tag::TableHead | Tag::TableRow => self.row.clear(),
            Tag::TableCell => self.cell = Some(String::new()),
            Tag::CodeBlock(_) => self.in_code = true,
            _ => {}
        }
    }

    /// A closing tag: a block ends, and is emitted when complete.
    fn end(&mut self, end: TagEnd) {
        match end {
            TagEnd::Heading(_) => {
                if let Some((level, t)) = self.heading.take() {
                    self.out.push(Block::Heading { level, text: squash(&t) });
                }
            }
            TagEnd::Paragraph => {
                if let Some(p) = self.para.take() {
                    self.out.push(Block::Paragraph(p.trim().to_string()));
                } else if let Some(top) = self.items.last_mut()
                    && !top.emitted
                {
                    top.text.push('\n');
                }
            }
            TagEnd::List(_) => self.list_depth = self.list_depth.saturating_sub(1),
            TagEnd::Item => {
                if let Some(mut top) = self.items.pop() {
                    emit_item(&mut self.out, &mut top);
                }
            }
            TagEnd::TableHead => {
                if let Some(t) = self.table.as_mut() {
                    t.0 = std::mem::take(&mut self.row);
                }
            }
            TagEnd::TableRow => {
                if let Some(t) = self.table.as_mut() {
                    t.1.push(std::mem::take(&mut self.row));
                }
            }
            TagEnd::TableCell => self.row.push(squash(&self.cell.take().unwrap_or_default())),
            TagEnd::Table => {
                if let Some((header, rows)) = self.table.take() {
                    self.out.push(Block::Table { header, rows });
                }
            }
            TagEnd::CodeBlock => self.in_code = false,
            _ => {}
        }
    }

    /// Text or inline code outside code blocks, added to the innermost open block.
    fn text(&mut self, t: &str) {
        let target = if let Some(c) = self.cell.as_mut() {
            Some(c)
        } else if let Some((_, h)) = self.heading.as_mut() {
            Some(h)
        } else if let Some(top) = self.items.last_mut().filter(|i| !i.emitted) {
            Some(&mut top.text)
        } else {
            self.para.as_mut()
        };
        if let Some(target) = target {
            push_bounded(target, t, MAX_DETAILS_BYTES);
        }
    }

    /// A soft or hard line break: a new line in a paragraph or item, a space in a cell.
    fn line_break(&mut self) {
        if let Some(p) = self.para.as_mut().filter(|_| self.cell.is_none() && self.heading.is_none()) {
            p.push('\n');
        } else if let Some(top) = self.items.last_mut().filter(|i| !i.emitted && self.cell.is_none()) {
            top.text.push('\n');
        } else if let Some(c) = self.cell.as_mut() {
            c.push(' ');
        }
    }
}

/// Emits a list item once, with the text read so far.
fn emit_item(out: &mut Vec<Block>, it: &mut ItemState) {
    if !it.emitted {
        it.emitted = true;
        out.push(Block::Item { depth: it.depth, text: it.text.trim().to_string(), checked: it.checked });
    }
}

/// Whitespace collapsed to single spaces.
pub(super) fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
