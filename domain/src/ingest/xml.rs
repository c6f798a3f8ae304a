//! A hardened XML event stream shared by the XML formats other than JUnit (TRX, NUnit,
//! xUnit.net): the same rules as the JUnit parser — UTF-8 only, no NUL, no `<` inside a
//! tag, bounded nesting, one root, nothing but whitespace outside it — with errors that
//! carry a line and column. Each format reads it through an [`XmlReader`] run by [`drive`].
//!
//! One rule for DTDs, shared with the JUnit parser ([`doctype_rule`]): a DOCTYPE is skipped,
//! never read, fetched or expanded. Only the five predefined entities (`&amp;` …) and
//! character references are ever replaced; any other `&name;` is an error naming it. A
//! DOCTYPE that declares entities is rejected outright: the file's text depends on
//! expansions readyboard will never make, and that is what XXE probes look like.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::escape::EscapeError;
use quick_xml::events::{BytesStart, Event};

use super::{IngestError, MAX_DETAILS_BYTES, push_bounded};
use crate::model::ParsedReport;

/// Deepest element nesting accepted; real reports stay well under twenty levels.
pub const MAX_DEPTH: usize = 64;

/// One event of the stream. An empty element `<a/>` arrives as `Start` then `End`.
pub(crate) enum XmlEvent<'a> {
    /// An opening tag, with its byte offset in the input.
    Start(BytesStart<'a>, usize),
    /// A closing tag (or the end of an empty element).
    End,
    /// Text or CDATA inside an element, unescaped.
    Text(Cow<'a, str>),
}

/// Reads `input` as a stream of [`XmlEvent`]s.
pub(crate) struct XmlStream<'a> {
    input: &'a [u8],
    start: usize,
    reader: Reader<&'a [u8]>,
    format: &'static str,
    depth: usize,
    roots: usize,
    pending_end: bool,
    done: bool,
}

impl<'a> XmlStream<'a> {
    /// Checks the bytes up front (UTF-8, NUL, empty) and opens the stream.
    pub(crate) fn new(input: &'a [u8], format: &'static str) -> Result<XmlStream<'a>, IngestError> {
        if let Err(e) = std::str::from_utf8(input) {
            return Err(IngestError::malformed_at(format, "document is not valid UTF-8", input, e.valid_up_to()));
        }
        if input.contains(&0)
            && let Some(p) = input.iter().position(|&b| b == 0)
        {
            return Err(IngestError::malformed_at(format, "NUL character is not allowed in XML", input, p));
        }
        if super::skip_bom_and_space(input).is_empty() {
            return Err(IngestError::malformed_at(format, "empty document", input, 0));
        }
        let start = if input.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
        let mut reader = Reader::from_reader(&input[start..]);
        reader.config_mut().check_end_names = true;
        Ok(XmlStream { input, start, reader, format, depth: 0, roots: 0, pending_end: false, done: false })
    }

    /// A syntax error at a byte offset of the whole input.
    pub(crate) fn err(&self, message: impl Into<String>, offset: usize) -> IngestError {
        IngestError::malformed_at(self.format, message, self.input, offset)
    }

    /// The next event, or `None` at a well-formed end of document.
    pub(crate) fn next_event(&mut self) -> Result<Option<XmlEvent<'a>>, IngestError> {
        if self.pending_end {
            self.pending_end = false;
            self.depth -= 1;
            return Ok(Some(XmlEvent::End));
        }
        if self.done {
            return Ok(None);
        }
        loop {
            let pos = self.reader.buffer_position() as usize + self.start;
            let event = match self.reader.read_event() {
                Ok(ev) => ev,
                Err(e) => {
                    let at = self.reader.error_position() as usize + self.start;
                    return Err(self.err(e.to_string(), at));
                }
            };
            match event {
                Event::Start(e) => {
                    self.open(&e, pos)?;
                    self.depth += 1;
                    return Ok(Some(XmlEvent::Start(e, pos)));
                }
                Event::Empty(e) => {
                    self.open(&e, pos)?;
                    self.depth += 1;
                    self.pending_end = true;
                    return Ok(Some(XmlEvent::Start(e, pos)));
                }
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(Some(XmlEvent::End));
                }
                Event::Text(t) => {
                    if self.depth == 0 {
                        if let Some(i) = t.iter().position(|c| !c.is_ascii_whitespace()) {
                            return Err(self.err("text outside the root element (is this XML?)", pos + i));
                        }
                        continue;
                    }
                    let s = t.unescape().map_err(|e| self.err(unescape_message(&e), pos + unescape_offset(&e)))?;
                    return Ok(Some(XmlEvent::Text(s)));
                }
                Event::CData(c) => {
                    if self.depth == 0 {
                        return Err(self.err("CDATA outside the root element", pos));
                    }
                    // Validated as UTF-8 up front, so this borrows in practice.
                    let s = match c.into_inner() {
                        Cow::Borrowed(b) => String::from_utf8_lossy(b),
                        Cow::Owned(b) => Cow::Owned(String::from_utf8_lossy(&b).into_owned()),
                    };
                    return Ok(Some(XmlEvent::Text(s)));
                }
                Event::DocType(d) => {
                    if self.roots > 0 {
                        return Err(self.err("a DOCTYPE can only come before the root element", pos));
                    }
                    if let Err(message) = doctype_rule(&d) {
                        return Err(self.err(message, pos));
                    }
                }
                Event::Eof => {
                    self.done = true;
                    if self.depth > 0 {
                        return Err(self.err("unexpected end of document: an element is not closed", self.input.len()));
                    }
                    if self.roots == 0 {
                        return Err(self.err("no root element", self.input.len()));
                    }
                    return Ok(None);
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            }
        }
    }

    fn open(&mut self, e: &BytesStart<'_>, pos: usize) -> Result<(), IngestError> {
        // quick-xml tolerates `<` inside attribute values; XML does not.
        if e.contains(&b'<')
            && let Some(i) = e.iter().position(|&c| c == b'<')
        {
            return Err(self.err("'<' is not allowed inside a tag or attribute value", pos + 1 + i));
        }
        if self.depth >= MAX_DEPTH {
            return Err(IngestError::TooDeep);
        }
        if self.depth == 0 {
            self.roots += 1;
            if self.roots > 1 {
                return Err(self.err("more than one root element", pos));
            }
        }
        Ok(())
    }

    /// The value of attribute `key` (local name), unescaped and trimmed.
    pub(crate) fn attr(&self, e: &BytesStart<'_>, key: &[u8], pos: usize) -> Result<Option<String>, IngestError> {
        for a in e.attributes().with_checks(false) {
            let a = a.map_err(|err| self.err(err.to_string(), pos))?;
            if a.key.local_name().as_ref() == key {
                let v = a.unescape_value().map_err(|err| self.err(unescape_message(&err), pos))?;
                return Ok(Some(v.trim().to_string()));
            }
        }
        Ok(None)
    }

    /// Every attribute as (local name, unescaped trimmed value), for elements read whole.
    pub(crate) fn attrs(&self, e: &BytesStart<'_>, pos: usize) -> Result<Vec<(Vec<u8>, String)>, IngestError> {
        let mut out = Vec::new();
        for a in e.attributes().with_checks(false) {
            let a = a.map_err(|err| self.err(err.to_string(), pos))?;
            let v = a.unescape_value().map_err(|err| self.err(unescape_message(&err), pos))?;
            out.push((a.key.local_name().as_ref().to_vec(), v.trim().to_string()));
        }
        Ok(out)
    }
}

/// An opening tag as [`drive`] hands it to a reader: the tag, its offset, and its stream.
pub(crate) struct Tag<'t, 'a> {
    xml: &'t XmlStream<'a>,
    e: &'t BytesStart<'a>,
    pos: usize,
}

impl Tag<'_, '_> {
    /// The local name of the tag.
    pub(crate) fn name(&self) -> Vec<u8> {
        local_name(self.e)
    }

    /// The value of attribute `key`, as [`XmlStream::attr`] reads it.
    pub(crate) fn attr(&self, key: &[u8]) -> Result<Option<String>, IngestError> {
        self.xml.attr(self.e, key, self.pos)
    }

    /// Every attribute, as [`XmlStream::attrs`] reads them.
    pub(crate) fn attrs(&self) -> Result<Vec<(Vec<u8>, String)>, IngestError> {
        self.xml.attrs(self.e, self.pos)
    }
}

/// A format's reader of an [`XmlStream`], fed event by event by [`drive`]. `stack` holds
/// the kinds of the elements open around the event, innermost last.
pub(crate) trait XmlReader {
    /// What the reader tells the elements apart by.
    type Kind;

    /// The kind of an opening element, reading the attributes that matter on the way.
    fn open(&mut self, stack: &[Self::Kind], tag: &Tag<'_, '_>) -> Result<Self::Kind, IngestError>;

    /// Where text inside the innermost element is kept, if it is kept at all.
    fn text_target(&mut self, stack: &[Self::Kind]) -> Option<&mut String>;

    /// Text inside an element: appended to its target, bounded.
    fn text(&mut self, stack: &[Self::Kind], t: &str) {
        if let Some(buf) = self.text_target(stack) {
            push_bounded(buf, t, MAX_DETAILS_BYTES);
        }
    }

    /// A closing element, already taken off the stack.
    fn close(&mut self, kind: Self::Kind);

    /// The report, once the document has been read.
    fn finish(self) -> ParsedReport;
}

/// Reads `input` as `format` XML through `reader`, keeping the stack of open elements: an
/// opening element's kind is pushed, text goes to the reader, a closing element is popped.
pub(crate) fn drive<R: XmlReader>(
    input: &[u8],
    format: &'static str,
    mut reader: R,
) -> Result<ParsedReport, IngestError> {
    let mut xml = XmlStream::new(input, format)?;
    let mut stack = Vec::with_capacity(16);
    while let Some(event) = xml.next_event()? {
        match event {
            XmlEvent::Start(e, pos) => {
                let kind = reader.open(&stack, &Tag { xml: &xml, e: &e, pos })?;
                stack.push(kind);
            }
            XmlEvent::Text(t) => reader.text(&stack, &t),
            XmlEvent::End => {
                if let Some(kind) = stack.pop() {
                    reader.close(kind);
                }
            }
        }
    }
    Ok(reader.finish())
}

/// The shared DOCTYPE rule: `Ok` means skip it; `Err` carries the reason to reject the file.
pub(crate) fn doctype_rule(content: &[u8]) -> Result<(), &'static str> {
    if content.windows(8).any(|w| w.eq_ignore_ascii_case(b"<!ENTITY")) {
        return Err(
            "the DOCTYPE declares entities; readyboard never expands DTD entities (nor fetches external ones), so it cannot read this file as written",
        );
    }
    Ok(())
}

/// A reader's error message, with the DTD rule spelt out for an entity it does not know.
pub(crate) fn unescape_message(e: &quick_xml::Error) -> String {
    match e {
        quick_xml::Error::Escape(EscapeError::UnrecognizedEntity(_, name)) => format!(
            "entity `&{name};` is not defined: only the five predefined XML entities and character references are read (a DOCTYPE's entities are never expanded)"
        ),
        other => other.to_string(),
    }
}

/// Where in the text an unescape error lies, relative to the start of the text.
fn unescape_offset(e: &quick_xml::Error) -> usize {
    match e {
        quick_xml::Error::Escape(EscapeError::UnrecognizedEntity(r, _) | EscapeError::UnterminatedEntity(r)) => r.start,
        _ => 0,
    }
}

/// Looks up `key` in attributes read by [`XmlStream::attrs`].
pub(crate) fn get<'v>(attrs: &'v [(Vec<u8>, String)], key: &str) -> Option<&'v str> {
    attrs.iter().find(|(k, _)| k.as_slice() == key.as_bytes()).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
}

/// The local name of a start tag.
pub(crate) fn local_name(e: &BytesStart<'_>) -> Vec<u8> {
    e.local_name().as_ref().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(xml: &str) -> Result<usize, IngestError> {
        let mut s = XmlStream::new(xml.as_bytes(), "test XML")?;
        let mut n = 0;
        while s.next_event()?.is_some() {
            n += 1;
        }
        Ok(n)
    }

    #[test]
    fn rejects_hostile_and_broken_input() {
        for bad in [
            "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><a>&e;</a>",
            "<a><b></a>",
            "<a>",
            "<a x=\"<\"/>",
            "<a>\0</a>",
            "text",
            "<a/><b/>",
            "<a>&unknown;</a>",
            "<a><![CDATA[x</a>",
        ] {
            match drain(bad) {
                Err(IngestError::Malformed { line: Some(_), .. }) => {}
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn empty_elements_open_and_close() {
        assert_eq!(drain("\u{FEFF}<?xml version=\"1.0\"?><a><b/>t<![CDATA[c]]></a>").unwrap(), 6);
    }

    #[test]
    fn depth_is_bounded() {
        let xml = "<a>".repeat(100);
        assert!(matches!(drain(&xml), Err(IngestError::TooDeep)));
    }
}
