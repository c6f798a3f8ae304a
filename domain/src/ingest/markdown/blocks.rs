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

pub(super) fn blocks(text: &str) -> Vec<Block> {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH;
    let mut out = Vec::new();
    let mut heading: Option<(usize, String)> = None;
    let mut para: Option<String> = None;
    let mut items: Vec<ItemState> = Vec::new();
    let mut list_depth = 0usize;
    let mut table: Option<(Vec<String>, Vec<Vec<String>>)> = None;
    let mut row: Vec<String> = Vec::new();
    let mut cell: Option<String> = None;
    let mut in_code = false;

    fn emit_item(out: &mut Vec<Block>, it: &mut ItemState) {
        if !it.emitted {
            it.emitted = true;
            out.push(Block::Item { depth: it.depth, text: it.text.trim().to_string(), checked: it.checked });
        }
    }

    for ev in Parser::new_ext(text, opts) {
        match ev {
            Event::Start(Tag::Heading { level, .. }) => heading = Some((level as usize, String::new())),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, t)) = heading.take() {
                    out.push(Block::Heading { level, text: squash(&t) });
                }
            }
            Event::Start(Tag::Paragraph) if items.is_empty() && cell.is_none() => para = Some(String::new()),
            Event::End(TagEnd::Paragraph) => {
                if let Some(p) = para.take() {
                    out.push(Block::Paragraph(p.trim().to_string()));
                } else if let Some(top) = items.last_mut()
                    && !top.emitted
                {
                    top.text.push('\n');
                }
            }
            Event::Start(Tag::List(_)) => {
                if let Some(top) = items.last_mut() {
                    emit_item(&mut out, top);
                }
                list_depth += 1;
            }
            Event::End(TagEnd::List(_)) => list_depth = list_depth.saturating_sub(1),
            Event::Start(Tag::Item) => {
                items.push(ItemState { depth: list_depth, text: String::new(), checked: None, emitted: false });
            }
            Event::End(TagEnd::Item) => {
                if let Some(mut top) = items.pop() {
                    emit_item(&mut out, &mut top);
                }
            }
            Event::TaskListMarker(done) => {
                if let Some(top) = items.last_mut() {
                    top.checked = Some(done);
                }
            }
            Event::Start(Tag::Table(_)) => table = Some((Vec::new(), Vec::new())),
            Event::Start(Tag::TableHead | Tag::TableRow) => row.clear(),
            Event::End(TagEnd::TableHead) => {
                if let Some(t) = table.as_mut() {
                    t.0 = std::mem::take(&mut row);
                }
            }
            Event::End(TagEnd::TableRow) => {
                if let Some(t) = table.as_mut() {
                    t.1.push(std::mem::take(&mut row));
                }
            }
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => row.push(squash(&cell.take().unwrap_or_default())),
            Event::End(TagEnd::Table) => {
                if let Some((header, rows)) = table.take() {
                    out.push(Block::Table { header, rows });
                }
            }
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Text(t) | Event::Code(t) if !in_code => {
                let target = if let Some(c) = cell.as_mut() {
                    Some(c)
                } else if let Some((_, h)) = heading.as_mut() {
                    Some(h)
                } else if let Some(top) = items.last_mut().filter(|i| !i.emitted) {
                    Some(&mut top.text)
                } else {
                    para.as_mut()
                };
                if let Some(target) = target {
                    push_bounded(target, &t, MAX_DETAILS_BYTES);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(p) = para.as_mut().filter(|_| cell.is_none() && heading.is_none()) {
                    p.push('\n');
                } else if let Some(top) = items.last_mut().filter(|i| !i.emitted && cell.is_none()) {
                    top.text.push('\n');
                } else if let Some(c) = cell.as_mut() {
                    c.push(' ');
                }
            }
            _ => {}
        }
    }
    out
}

/// Whitespace collapsed to single spaces.
pub(super) fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
