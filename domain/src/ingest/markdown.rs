//! Hand-written Markdown readiness reports ("Phase N Production Readiness Report").
//!
//! The genre: a title and `**Key:** value` metadata, status tables and lists marked with
//! ✅ ❌ ⚠️ ❓ or PASS/FAIL words, a claimed score ("Overall Score: 65/100") and verdict
//! ("Production Readiness: ⚠️ CONDITIONAL"), and issue lists under "Outstanding issues".
//! Every status-bearing table row, list item or heading becomes a check in the category of
//! its section; claims are kept apart from results so they can be compared with them.

use std::borrow::Cow;
use std::collections::HashMap;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::{IngestError, MAX_DETAILS_BYTES, MAX_MESSAGE_BYTES, bounded, push_bounded};
use crate::model::{Check, Claimed, Finding, FindingStatus, ParsedReport, Severity, Status};
use crate::slug::slugify;

/// Longest check name kept, in bytes.
const MAX_NAME_BYTES: usize = 200;
/// Heading "n/m passed" claims compared with their items, at most.
const MAX_RATIO_CLAIMS: usize = 256;
/// Bytes of the head of a document looked at by detection.
const DETECT_BYTES: usize = 64 * 1024;

/// Whether content that is neither JSON nor XML looks like a Markdown report: it opens with
/// an ATX heading, or it holds a pipe table with status marks.
pub fn looks_like_markdown(body: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&body[..body.len().min(DETECT_BYTES)]);
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if let Some(rest) = head.strip_prefix('#') {
        let rest = rest.trim_start_matches('#');
        let hashes = head.len() - rest.len();
        if hashes <= 6 && (rest.starts_with(' ') || rest.starts_with('\t')) {
            return true;
        }
    }
    let has_table =
        head.lines().any(|l| l.trim_start().starts_with('|') && l.contains("---") && l.trim_end().ends_with('|'));
    has_table && (head.chars().any(|c| emoji_status(c).is_some()) || head.contains("PASS") || head.contains("FAIL"))
}

/// Parses a Markdown readiness report into checks, findings, claims and notes.
pub fn parse(input: &[u8]) -> Result<ParsedReport, IngestError> {
    let text = decode(input);
    let mut notes = Vec::new();
    let repaired = repair_mojibake(&text);
    if let Cow::Owned(_) = repaired.text {
        notes.push(format!(
            "The text was mojibake (UTF-8 read as {}); it was repaired before parsing",
            repaired.code_page.unwrap_or("a legacy code page")
        ));
    }
    let blocks = blocks(&repaired.text);
    let mut b = Builder::new(&blocks);
    b.report.notes = notes;
    for block in &blocks {
        b.block(block);
    }
    b.finish()
}

/// UTF-8 (BOM dropped), else Windows-1252: a Markdown file saved by an old editor.
fn decode(input: &[u8]) -> Cow<'_, str> {
    let input = super::skip_bom(input);
    match std::str::from_utf8(input) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(input).0,
    }
}

// ---------------------------------------------------------------------------------------
// Mojibake repair
// ---------------------------------------------------------------------------------------

/// Text after mojibake repair, and the code page it had been misread through.
pub struct Repaired<'a> {
    /// The repaired text (borrowed when nothing needed repair).
    pub text: Cow<'a, str>,
    /// Name of the code page undone, when a repair was made.
    pub code_page: Option<&'static str>,
}

/// The characters a code page gives bytes 0x80–0xFF, and back.
struct CodePage {
    name: &'static str,
    to_byte: HashMap<char, u8>,
    /// Bytes the code page leaves undefined, which converters often drop.
    undefined: Vec<u8>,
}

impl CodePage {
    fn new(name: &'static str, encoding: &'static encoding_rs::Encoding) -> CodePage {
        let mut to_byte = HashMap::new();
        let mut undefined = Vec::new();
        for b in 0x80u8..=0xFF {
            let one = [b];
            let (s, had_errors) = encoding.decode_without_bom_handling(&one);
            let c = s.chars().next().unwrap_or('\u{fffd}');
            // WHATWG's windows-1252 maps its five undefined bytes to C1 controls.
            if had_errors || c == '\u{fffd}' || ('\u{80}'..='\u{9f}').contains(&c) {
                undefined.push(b);
            }
            if !had_errors && c != '\u{fffd}' {
                to_byte.insert(c, b);
            }
        }
        CodePage { name, to_byte, undefined }
    }

    /// Mojibake marks: a UTF-8 lead byte's character followed by a continuation byte's.
    fn markers(&self, s: &str) -> usize {
        let mut n = 0;
        let mut prev_lead = false;
        for c in s.chars() {
            let byte = self.to_byte.get(&c).copied();
            if prev_lead && byte.is_some_and(|b| (0x80..=0xBF).contains(&b)) {
                n += 1;
            }
            prev_lead = byte.is_some_and(|b| (0xC2..=0xF4).contains(&b));
        }
        n
    }

    /// Re-encodes each run of this code page's high characters and decodes it as UTF-8,
    /// restoring a byte the misreading dropped where exactly one is missing.
    fn repair(&self, s: &str) -> String {
        let chars: Vec<char> = s.chars().collect();
        let mut out = String::with_capacity(s.len());
        let mut i = 0;
        while i < chars.len() {
            let Some(&first) = self.to_byte.get(&chars[i]) else {
                out.push(chars[i]);
                i += 1;
                continue;
            };
            let mut bytes = vec![first];
            let mut j = i + 1;
            while let Some(&b) = chars.get(j).and_then(|c| self.to_byte.get(c)) {
                bytes.push(b);
                j += 1;
            }
            let run: String = chars[i..j].iter().collect();
            let plain = self.decode_utf8(bytes.clone()).filter(|f| f.chars().count() < run.chars().count());
            // A no-break space (0xA0) ending a sequence is often saved as a plain space:
            // consume it when that restores a likelier character.
            let with_space = (chars.get(j) == Some(&' ') && ends_incomplete(&bytes))
                .then(|| {
                    bytes.push(0xA0);
                    self.decode_utf8(bytes)
                })
                .flatten();
            let score =
                |s: &Option<String>| s.as_ref().map(|s| s.chars().map(likely_symbol).map(u32::from).sum::<u32>());
            match (plain, with_space) {
                (p, Some(w)) if score(&p).is_none_or(|ps| score(&Some(w.clone())).unwrap_or(0) > ps) => {
                    out.push_str(&w);
                    j += 1;
                }
                (Some(p), _) => out.push_str(&p),
                _ => out.push_str(&run),
            }
            i = j;
        }
        out
    }

    fn decode_utf8(&self, bytes: Vec<u8>) -> Option<String> {
        let mut out = String::with_capacity(bytes.len());
        let mut pos = 0;
        // One pass: each invalid sequence is repaired once, so the work stays linear.
        loop {
            let err = match std::str::from_utf8(&bytes[pos..]) {
                Ok(s) => {
                    out.push_str(s);
                    return Some(out);
                }
                Err(e) => e,
            };
            let start = pos + err.valid_up_to();
            out.push_str(std::str::from_utf8(&bytes[pos..start]).ok()?);
            let want = match bytes[start] {
                0xC2..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF4 => 4,
                _ => return None,
            };
            let present = bytes[start + 1..].iter().take(want - 1).take_while(|b| (0x80..=0xBF).contains(*b)).count();
            if present + 2 != want {
                // Complete but invalid, or more than one byte missing: not a repairable misreading.
                return None;
            }
            let end = start + 1 + present;
            // The dropped byte may have been any continuation byte of the sequence.
            let (_, ch) = (start + 1..=end)
                .flat_map(|at| self.undefined.iter().map(move |&cand| (at, cand)))
                .filter_map(|(at, cand)| {
                    let mut seq = bytes[start..at].to_vec();
                    seq.push(cand);
                    seq.extend_from_slice(&bytes[at..end]);
                    let ch = std::str::from_utf8(&seq).ok()?.chars().next()?;
                    Some(((likely_symbol(ch), std::cmp::Reverse(at), std::cmp::Reverse(cand)), ch))
                })
                .max_by_key(|(key, _)| *key)?;
            out.push(ch);
            pos = end;
        }
    }
}

/// Whether `bytes` end inside a UTF-8 sequence that still needs continuation bytes.
fn ends_incomplete(bytes: &[u8]) -> bool {
    matches!(std::str::from_utf8(bytes), Err(e) if e.error_len().is_none())
}

/// How likely a restored character is in a report: emoji and symbols above letters.
fn likely_symbol(c: char) -> u8 {
    if emoji_status(c).is_some() || matches!(c, '🚨' | '🎉' | '🚀') {
        return 4;
    }
    match c as u32 {
        0xFE0F => 3,
        0x2600..=0x27BF | 0x1F300..=0x1FAFF | 0x2190..=0x21FF | 0x2B00..=0x2BFF => 2,
        0x2000..=0x206F => 1,
        _ => 0,
    }
}

/// Undoes UTF-8 text that was decoded as Windows-1252 or Mac Roman and saved again
/// (`âœ…`, `‚ùå`, `ðŸš¨`). Applied only when it leaves fewer mojibake marks.
pub fn repair_mojibake(s: &str) -> Repaired<'_> {
    let pages =
        [CodePage::new("Windows-1252", encoding_rs::WINDOWS_1252), CodePage::new("Mac Roman", encoding_rs::MACINTOSH)];
    let mut best: Option<(usize, String, &'static str)> = None;
    for page in &pages {
        let before = page.markers(s);
        if before == 0 {
            continue;
        }
        let fixed = page.repair(s);
        let after = page.markers(&fixed);
        if after < before && best.as_ref().is_none_or(|(gain, _, _)| before - after > *gain) {
            best = Some((before - after, fixed, page.name));
        }
    }
    match best {
        Some((_, fixed, name)) => Repaired { text: Cow::Owned(fixed), code_page: Some(name) },
        None => Repaired { text: Cow::Borrowed(s), code_page: None },
    }
}

// ---------------------------------------------------------------------------------------
// Blocks
// ---------------------------------------------------------------------------------------

/// The parts of a document that matter here, in order.
#[derive(Debug, Clone, PartialEq)]
enum Block {
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

fn blocks(text: &str) -> Vec<Block> {
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
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------------------
// Status, verdict and score recognition
// ---------------------------------------------------------------------------------------

/// The status a status emoji stands for.
fn emoji_status(c: char) -> Option<Status> {
    match c {
        '✅' | '✔' | '☑' | '✓' | '🟢' => Some(Status::Pass),
        '❌' | '✖' | '✗' | '✘' | '⛔' | '🔴' | '🛑' | '❎' => Some(Status::Fail),
        '⚠' | '🟡' | '🟠' => Some(Status::Warn),
        '❓' | '❔' | '⏳' | '🚧' | '⏸' => Some(Status::NotRun),
        '⏭' => Some(Status::Skip),
        _ => None,
    }
}

/// The worst status emoji in `s`.
fn emoji_in(s: &str) -> Option<Status> {
    s.chars().filter_map(emoji_status).min()
}

/// Status words, longest first so "NOT READY" wins over "READY".
const KEYWORDS: &[(&str, Status)] = &[
    ("NOT TESTED", Status::NotRun),
    ("NOT RUN", Status::NotRun),
    ("NOT EXECUTED", Status::NotRun),
    ("NOT STARTED", Status::NotRun),
    ("NOT PERFORMED", Status::NotRun),
    ("NOT READY", Status::Fail),
    ("NOT IMPLEMENTED", Status::Fail),
    ("NOT MET", Status::Fail),
    ("IN PROGRESS", Status::Partial),
    ("PASSED", Status::Pass),
    ("PASSING", Status::Pass),
    ("PASS", Status::Pass),
    ("READY", Status::Pass),
    ("DONE", Status::Pass),
    ("COMPLETED", Status::Pass),
    ("COMPLETE", Status::Pass),
    ("OK", Status::Pass),
    ("FAILED", Status::Fail),
    ("FAILING", Status::Fail),
    ("FAIL", Status::Fail),
    ("BLOCKED", Status::Fail),
    ("MISSING", Status::Fail),
    ("BROKEN", Status::Fail),
    ("ERROR", Status::Error),
    ("WARNING", Status::Warn),
    ("WARN", Status::Warn),
    ("CONDITIONAL", Status::Warn),
    ("DEGRADED", Status::Warn),
    ("PARTIALLY", Status::Partial),
    ("PARTIAL", Status::Partial),
    ("SKIPPED", Status::Skip),
    ("SKIP", Status::Skip),
    ("PENDING", Status::NotRun),
    ("TODO", Status::NotRun),
    ("TBD", Status::NotRun),
    ("UNTESTED", Status::NotRun),
];

/// `s` without status emoji, variation selectors and joiners, trimmed.
fn strip_marks(s: &str) -> String {
    let kept: String = s
        .chars()
        .filter(|&c| {
            emoji_status(c).is_none()
                && !matches!(c, '\u{fe0f}' | '\u{fe0e}' | '\u{200d}' | '🚨' | '🎉' | '🚀' | '✨' | '📊' | '📋' | '🔍')
        })
        .collect();
    squash(&kept)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Byte offset of `word` in `hay` as a whole word, case-sensitive.
fn find_word(hay: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = hay[from..].find(word).map(|i| i + from) {
        let before = hay[..i].chars().next_back();
        let after = hay[i + word.len()..].chars().next();
        if !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char) {
            return Some(i);
        }
        from = i + word.len();
    }
    None
}

/// A status word in a table cell: the whole cell (any case), or upper case at its start.
fn cell_keyword(cell: &str) -> Option<Status> {
    let t = strip_marks(cell);
    let t = t.trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace());
    let upper = t.to_uppercase();
    KEYWORDS
        .iter()
        .find(|(k, _)| upper == *k)
        .map(|(_, s)| *s)
        .or_else(|| KEYWORDS.iter().find(|(k, _)| t.starts_with(k) && find_word(t, k) == Some(0)).map(|(_, s)| *s))
}

/// A status word in a line of prose (list item, heading): upper case, as its first word(s)
/// followed by a separator, as its last word(s), or in brackets — never mid-sentence, where
/// "ERROR messages" is a feature, not a result.
fn line_keyword(line: &str) -> Option<Status> {
    let t = strip_marks(line);
    let t = t.trim();
    for (k, s) in KEYWORDS {
        if let Some(rest) = t.strip_prefix(k)
            && (rest.is_empty()
                || rest.starts_with([':', ')', ']'])
                || rest.starts_with(" -")
                || rest.starts_with(" —"))
        {
            return Some(*s);
        }
        let tail = t.trim_end_matches(['.', '!', ')', ']', '*']);
        if let Some(head) = tail.strip_suffix(k)
            && (head.ends_with(" - ")
                || head.ends_with(" — ")
                || head.ends_with(": ")
                || head.ends_with('(')
                || head.ends_with('['))
        {
            return Some(*s);
        }
        if t.contains(&format!("[{k}]")) {
            return Some(*s);
        }
    }
    None
}

/// "n/m passed", "n/m tests passing": passed and total.
fn ratio_passed(s: &str) -> Option<(u64, u64)> {
    let lower = s.to_lowercase();
    let b = lower.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_digit()) {
            let n_end = i + b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            if b.get(n_end) == Some(&b'/') {
                let m_start = n_end + 1;
                let m_end = m_start + b[m_start..].iter().take_while(|c| c.is_ascii_digit()).count();
                if m_end > m_start {
                    let tail = &lower[m_end..lower.len().min(m_end + 24)];
                    let n: Option<u64> = lower[i..n_end].parse().ok();
                    let m: Option<u64> = lower[m_start..m_end].parse().ok();
                    if let (Some(n), Some(m)) = (n, m)
                        && tail.contains("pass")
                        && m > 0
                        && n <= m
                    {
                        return Some((n, m));
                    }
                }
                i = m_end.max(i + 1);
                continue;
            }
            i = n_end;
            continue;
        }
        i += 1;
    }
    None
}

fn ratio_status(n: u64, m: u64) -> Status {
    if n == m {
        Status::Pass
    } else if n == 0 {
        Status::Fail
    } else {
        Status::Partial
    }
}

/// A verdict word in upper-cased text, normalised.
fn verdict_value(upper: &str) -> Option<&'static str> {
    if find_word(upper, "NO-GO").is_some() || find_word(upper, "NO GO").is_some() {
        Some("no_go")
    } else if ["NOT READY", "NOT PRODUCTION READY", "NOT PRODUCTION-READY", "NOT APPROVED", "REJECTED"]
        .iter()
        .any(|w| find_word(upper, w).is_some())
    {
        Some("not_ready")
    } else if find_word(upper, "CONDITIONAL").is_some() || find_word(upper, "CONDITIONALLY").is_some() {
        Some("conditional")
    } else if ["READY", "PRODUCTION-READY", "APPROVED", "GO"].iter().any(|w| find_word(upper, w).is_some()) {
        Some("ready")
    } else {
        None
    }
}

/// Labels whose value is the report's go/no-go verdict.
const VERDICT_LABELS: &[&str] = &[
    "production readiness",
    "readiness",
    "overall readiness",
    "readiness status",
    "verdict",
    "final verdict",
    "go/no-go",
    "go / no-go",
    "go/no go",
    "decision",
    "release decision",
    "recommendation",
    "review status",
    "release status",
    "deployment readiness",
    "overall status",
];

/// A verdict stated by a line: `Label: value` with a verdict label, a short heading that
/// is a verdict ("Ready for Production", "NO-GO"), or an upper-case verdict in prose.
/// Returns the verdict and its weight (labelled and heading verdicts outrank prose).
fn verdict_in(line: &str, is_heading: bool) -> Option<(&'static str, u8)> {
    let t = strip_marks(line);
    if let Some((label, value)) = t.split_once(':') {
        let label = label.trim().trim_matches('*').trim().to_lowercase();
        if VERDICT_LABELS.contains(&label.as_str()) {
            return verdict_value(&value.to_uppercase()).map(|v| (v, if is_heading { 3 } else { 2 }));
        }
    }
    let upper = t.to_uppercase();
    if is_heading && t.split_whitespace().count() <= 6 {
        let starts =
            ["READY", "NOT READY", "GO", "NO-GO", "NO GO", "CONDITIONAL GO", "CONDITIONALLY READY", "APPROVED"];
        if starts.iter().any(|w| upper.starts_with(w) && find_word(&upper, w) == Some(0)) {
            return verdict_value(&upper).map(|v| (v, 3));
        }
    }
    for phrase in ["NOT READY", "NO-GO", "NO GO", "CONDITIONAL GO"] {
        if find_word(&t, phrase).is_some() {
            return verdict_value(phrase).map(|v| (v, 1));
        }
    }
    None
}

/// A claimed score in a line that speaks of a score or readiness: the last `n/m` or `n%`
/// ("60% → 50%" means it is now 50), normalised to 0–100.
fn score_in(line: &str) -> Option<f64> {
    let lower = line.to_lowercase();
    if !lower.contains("score") && !lower.contains("readiness") {
        return None;
    }
    let b = lower.as_bytes();
    let mut found = None;
    let mut i = 0;
    while i < b.len() {
        let starts_number = b[i].is_ascii_digit() && (i == 0 || !(b[i - 1].is_ascii_digit() || b[i - 1] == b'.'));
        if !starts_number {
            i += 1;
            continue;
        }
        let end = i + b[i..].iter().take_while(|c| c.is_ascii_digit() || **c == b'.').count();
        let n: Option<f64> = lower[i..end].trim_end_matches('.').parse().ok();
        let rest = lower[end..].trim_start();
        if let Some(n) = n {
            if rest.starts_with('%') {
                found = Some(n);
            } else if let Some(after) = rest.strip_prefix('/') {
                let after = after.trim_start();
                let m_len = after.bytes().take_while(|c| c.is_ascii_digit() || *c == b'.').count();
                if let Ok(m) = after[..m_len].trim_end_matches('.').parse::<f64>()
                    && m > 0.0
                {
                    found = Some(n / m * 100.0);
                }
            }
        }
        i = end.max(i + 1);
    }
    found.filter(|s| s.is_finite() && (0.0..=100.0).contains(s))
}

/// A severity named by a heading or an item.
fn severity_in(s: &str) -> Option<Severity> {
    if s.contains('🚨') || s.contains('🔴') {
        return Some(Severity::Critical);
    }
    if s.contains('🟠') {
        return Some(Severity::High);
    }
    if s.contains('🟡') {
        return Some(Severity::Medium);
    }
    if s.contains('🟢') {
        return Some(Severity::Low);
    }
    let lower = s.to_lowercase();
    for (word, sev) in [
        ("critical", Severity::Critical),
        ("blocker", Severity::High),
        ("high", Severity::High),
        ("major", Severity::High),
        ("medium", Severity::Medium),
        ("moderate", Severity::Medium),
        ("minor", Severity::Low),
        ("low", Severity::Low),
    ] {
        if find_word(&lower, word).is_some() {
            return Some(sev);
        }
    }
    None
}

/// Headings whose items are issues, with the severity their items get by default.
fn issue_heading(text: &str) -> Option<Severity> {
    let lower = text.to_lowercase();
    let issue_words =
        ["issues", "issue", "blockers", "blocker", "risks", "limitations", "known problems", "defects", "bugs"];
    if !issue_words.iter().any(|w| find_word(&lower, w).is_some()) {
        return None;
    }
    if lower.contains("limitation") {
        return Some(severity_in(text).unwrap_or(Severity::Low));
    }
    if lower.contains("blocker") {
        return Some(severity_in(&lower.replace("blocker", "")).unwrap_or(Severity::High));
    }
    Some(severity_in(text).unwrap_or(Severity::Medium))
}

/// A heading as a category name: numbering, marks and a trailing `: value` claim dropped.
fn clean_heading(text: &str) -> String {
    let mut t = strip_marks(text);
    if let Some((head, value)) = t.split_once(": ")
        && (value.chars().any(|c| c.is_ascii_digit())
            || cell_keyword(value).is_some()
            || verdict_value(&value.to_uppercase()).is_some())
        && !head.trim().is_empty()
    {
        t = head.to_string();
    }
    let trimmed = t.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.').trim_start();
    let t = if trimmed.is_empty() || trimmed.len() == t.len() { t.clone() } else { trimmed.to_string() };
    let t = t.trim_end_matches(|c: char| c == ':' || c.is_whitespace());
    // A trailing status word ("Load test — FAILED") is the heading's status, not its name.
    let words: Vec<&str> = t.split_whitespace().collect();
    let name = match words.split_last() {
        Some((last, rest)) if !rest.is_empty() && KEYWORDS.iter().any(|(k, _)| last == k) => {
            rest.join(" ").trim_end_matches([' ', '-', '—', ':']).to_string()
        }
        _ => t.to_string(),
    };
    bounded(&name, MAX_NAME_BYTES)
}

/// A date in metadata as RFC 3339 midnight UTC: `2025-08-07`, `2025/08/07`,
/// `December 27, 2025`, `27 Dec 2025`; a full timestamp is kept as written.
fn parse_date(s: &str) -> Option<String> {
    let s = s.trim();
    let ymd = |y: i64, m: u32, d: u32| {
        ((1..=12).contains(&m) && (1..=31).contains(&d) && (1900..=9999).contains(&y))
            .then(|| format!("{y:04}-{m:02}-{d:02}T00:00:00Z"))
    };
    let head: String = s.chars().take(10).collect();
    let parts: Vec<&str> = head.split(['-', '/']).collect();
    if parts.len() == 3
        && parts[0].len() == 4
        && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        let (y, m, d) = (parts[0].parse().ok()?, parts[1].parse().ok()?, parts[2].parse().ok()?);
        let rest = &s[head.len()..];
        if rest.starts_with('T') && rest.len() >= 9 {
            return Some(s.split_whitespace().next().unwrap_or(s).to_string());
        }
        return ymd(y, m, d);
    }
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let words: Vec<String> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.trim_end_matches(|c: char| {
                c.is_ascii_alphabetic() && w.chars().next().is_some_and(|f| f.is_ascii_digit())
            })
            .to_lowercase()
        })
        .take(4)
        .collect();
    let month = |w: &str| MONTHS.iter().position(|m| w.len() >= 3 && w.starts_with(m)).map(|p| p as u32 + 1);
    let num = |w: &str| w.parse::<i64>().ok();
    match words.as_slice() {
        [m, d, y, ..] if month(m).is_some() => ymd(num(y)?, month(m)?, u32::try_from(num(d)?).ok()?),
        [d, m, y, ..] if month(m).is_some() => ymd(num(y)?, month(m)?, u32::try_from(num(d)?).ok()?),
        _ => None,
    }
}

/// Phase name from the title: parts that only name the document ("Test Report", "Review &
/// Testing Report") are dropped, and report words trailing the phase ("Phase 4 Test Report").
fn phase_from_title(title: &str) -> Option<String> {
    const DOC_WORDS: &[&str] =
        &["report", "review", "test", "tests", "testing", "results", "assessment", "summary", "&", "and", "-", "—"];
    let is_doc_word = |w: &str| DOC_WORDS.contains(&w.to_lowercase().as_str());
    let title = strip_marks(title);
    let parts: Vec<String> = title
        .split([':', '|'])
        .flat_map(|p| p.split(" - "))
        .flat_map(|p| p.split(" — "))
        .filter_map(|part| {
            let words: Vec<&str> = part.split_whitespace().collect();
            let keep = words.len() - words.iter().rev().take_while(|w| is_doc_word(w)).count();
            let kept = words[..keep].join(" ");
            (!kept.is_empty()).then_some(kept)
        })
        .collect();
    if parts.is_empty() || !parts[0].to_lowercase().contains("phase") && !parts[0].to_lowercase().contains("sprint") {
        return None;
    }
    Some(parts.join(" — "))
}

// ---------------------------------------------------------------------------------------
// Building the report
// ---------------------------------------------------------------------------------------

/// A heading that claims "n/m passed" for the items of its section.
struct RatioClaim {
    heading: String,
    level: usize,
    passed: u64,
    total: u64,
    first_check: usize,
    own_check: Option<usize>,
}

struct Builder {
    report: ParsedReport,
    /// Open headings: level, category name.
    stack: Vec<(usize, String)>,
    heading_counts: HashMap<String, usize>,
    title: Option<String>,
    phase_meta: Option<String>,
    /// Inside an issues section: its level, the current default severity.
    issues: Option<(usize, Severity)>,
    issue_depth: Option<usize>,
    /// Statuses in this section are expectations, not results.
    expected_section: bool,
    expected_label: bool,
    verdict: Option<(&'static str, u8)>,
    score: Option<(f64, u8)>,
    ratio_claims: Vec<RatioClaim>,
    open_claims: Vec<RatioClaim>,
    ids: HashMap<String, usize>,
    unsupported: Vec<String>,
    breakdown: Vec<f64>,
}

impl Builder {
    fn new(blocks: &[Block]) -> Builder {
        let mut heading_counts = HashMap::new();
        for b in blocks {
            if let Block::Heading { text, .. } = b {
                *heading_counts.entry(clean_heading(text)).or_default() += 1;
            }
        }
        Builder {
            report: ParsedReport { format: super::Format::Markdown.as_str().to_string(), ..ParsedReport::default() },
            stack: Vec::new(),
            heading_counts,
            title: None,
            phase_meta: None,
            issues: None,
            issue_depth: None,
            expected_section: false,
            expected_label: false,
            verdict: None,
            score: None,
            ratio_claims: Vec::new(),
            open_claims: Vec::new(),
            ids: HashMap::new(),
            unsupported: Vec::new(),
            breakdown: Vec::new(),
        }
    }

    fn category(&self) -> Option<String> {
        self.stack.last().map(|(_, c)| c.clone())
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Heading { level, text } => self.heading(*level, text),
            Block::Paragraph(text) => self.paragraph(text),
            Block::Item { depth, text, checked } => self.item(*depth, text, *checked),
            Block::Table { header, rows } => self.table(header, rows),
        }
    }

    fn claim_verdict(&mut self, found: Option<(&'static str, u8)>) {
        if let Some((v, w)) = found
            && self.verdict.is_none_or(|(_, best)| w >= best)
        {
            self.verdict = Some((v, w));
        }
    }

    fn claim_score(&mut self, line: &str, weight: u8) {
        if let Some(s) = score_in(line) {
            let lower = line.to_lowercase();
            let w = weight + u8::from(["overall", "total", "final"].iter().any(|k| lower.contains(k)));
            if self.score.is_none_or(|(_, best)| w >= best) {
                self.score = Some((s, w));
            }
        }
    }

    fn close_claims(&mut self, level: usize) {
        let (closing, open): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.open_claims).into_iter().partition(|c| c.level >= level);
        self.open_claims = open;
        self.ratio_claims.extend(closing);
    }

    fn heading(&mut self, level: usize, text: &str) {
        if level == 1 && self.title.is_none() {
            self.title = Some(text.to_string());
        }
        self.close_claims(level);
        while self.stack.last().is_some_and(|(l, _)| *l >= level) {
            self.stack.pop();
        }
        let parent = self.category();
        let verdict = verdict_in(text, true);
        self.claim_verdict(verdict);
        self.claim_score(text, 2);
        let is_claim = verdict.is_some() || score_in(text).is_some();

        // The heading itself carries a status ("### 1. Docker build ✅", "Unit: 25/25 passed").
        let ratio = ratio_passed(text);
        let status = if is_claim || level == 1 {
            None
        } else {
            line_keyword(text).or_else(|| emoji_in(text)).or_else(|| ratio.map(|(n, m)| ratio_status(n, m)))
        };
        let own_check = status.map(|st| {
            let name = clean_heading(text);
            let (score, max) = ratio.map_or((None, None), |(n, m)| (Some(n as f64), Some(m as f64)));
            self.add_check(name, parent.clone(), st, String::new(), text.to_string(), score, max)
        });

        let name = clean_heading(text);
        let category = match &parent {
            Some(p) if self.heading_counts.get(&name).copied().unwrap_or(0) > 1 && level > 1 => format!("{p} › {name}"),
            _ => name.clone(),
        };
        if level > 1 {
            self.stack.push((level, category));
        }
        if let Some((n, m)) = ratio {
            self.open_claims.push(RatioClaim {
                heading: name.clone(),
                level,
                passed: n,
                total: m,
                first_check: self.report.checks.len(),
                own_check,
            });
        }

        match self.issues {
            Some((issues_level, _)) if level > issues_level => {
                let base = issue_heading(&self.stack[..].iter().map(|(_, c)| c.as_str()).collect::<Vec<_>>().join(" "));
                let sev = severity_in(text).or(base).unwrap_or(Severity::Medium);
                self.issues = Some((issues_level, sev));
            }
            _ => self.issues = issue_heading(text).map(|sev| (level, sev)),
        }
        self.issue_depth = None;
        let lower = name.to_lowercase();
        self.expected_section = ["expected", "target", "planned", "estimated"].iter().any(|w| lower.starts_with(w));
        self.expected_label = false;
    }

    fn paragraph(&mut self, text: &str) {
        let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        for line in &lines {
            if let Some((key, value)) = line.split_once(':') {
                let key = key.trim().to_lowercase();
                let value = value.trim();
                if key.len() <= 40 && !value.is_empty() {
                    if key.contains("date") && self.report.run.started_at.is_none() {
                        self.report.run.started_at = parse_date(value);
                    } else if key.contains("environment") && self.report.run.environment.is_none() {
                        self.report.run.environment = Some(bounded(value, MAX_MESSAGE_BYTES));
                    } else if key == "phase" && self.phase_meta.is_none() {
                        let v = strip_marks(value).replace(" - ", " — ");
                        self.phase_meta =
                            Some(if v.starts_with(|c: char| c.is_ascii_digit()) { format!("Phase {v}") } else { v });
                    }
                }
            }
            self.claim_verdict(verdict_in(line, false));
            self.claim_score(line, 1);
        }
        // A bold label such as "**Expected Results:**" heads what follows it.
        let label = lines.len() == 1 && lines[0].ends_with(':') && lines[0].len() < 80;
        if label {
            let lower = lines[0].to_lowercase();
            self.expected_label = ["expected", "target", "planned", "estimated"].iter().any(|w| lower.starts_with(w));
        } else {
            self.expected_label = false;
        }
    }

    fn item(&mut self, depth: usize, text: &str, checked: Option<bool>) {
        let first = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
        if first.is_empty() {
            return;
        }
        if let Some((_, sev)) = self.issues {
            let base = *self.issue_depth.get_or_insert(depth);
            if depth > base {
                // A sub-item (mitigation, detail) belongs to the issue above it.
                if let Some(f) = self.report.findings.last_mut() {
                    if !f.details.is_empty() {
                        push_bounded(&mut f.details, "\n", MAX_DETAILS_BYTES);
                    }
                    push_bounded(&mut f.details, &strip_marks(text), MAX_DETAILS_BYTES);
                }
                return;
            }
            self.add_finding(text, first, severity_in(first).unwrap_or(sev));
            return;
        }
        let lower = first.to_lowercase();
        if ["overall", "total score", "final score", "readiness score"].iter().any(|k| lower.contains(k))
            && score_in(first).is_some()
        {
            self.claim_score(first, 1);
            return;
        }
        if let Some(v) = verdict_in(first, false).filter(|(_, w)| *w >= 2) {
            self.claim_verdict(Some(v));
            return;
        }
        let (name, message) = split_name(first);
        // "SAML/SSO: 30/100": a breakdown score.
        if let Some((score, max)) = breakdown_score(first) {
            self.breakdown.push(score / max * 100.0);
            let status = if score >= max {
                Status::Pass
            } else if score <= 0.0 {
                Status::Fail
            } else {
                Status::Partial
            };
            self.add_check(name, self.category(), status, message, text.to_string(), Some(score), Some(max));
            return;
        }
        let ratio = ratio_passed(first);
        let status = line_keyword(first)
            .or_else(|| emoji_in(first))
            .or(checked.map(|done| if done { Status::Pass } else { Status::NotRun }))
            .or_else(|| ratio.map(|(n, m)| ratio_status(n, m)));
        let Some(mut status) = status else { return };
        if self.expected_section || self.expected_label {
            self.unsupported.push(format!("{name} ({})", status.as_str()));
            status = Status::NotRun;
        }
        let (score, max) = ratio.map_or((None, None), |(n, m)| (Some(n as f64), Some(m as f64)));
        self.add_check(name, self.category(), status, message, text.to_string(), score, max);
    }

    fn table(&mut self, header: &[String], rows: &[Vec<String>]) {
        let heads: Vec<String> = header.iter().map(|h| strip_marks(h).to_lowercase()).collect();
        let is_expected = |i: usize| {
            heads
                .get(i)
                .is_some_and(|h| h.starts_with("expected") || h.starts_with("target") || h.starts_with("planned"))
        };
        let is_text = |i: usize| {
            heads.get(i).is_some_and(|h| {
                [
                    "note",
                    "detail",
                    "description",
                    "comment",
                    "mitigation",
                    "evidence",
                    "reason",
                    "cost",
                    "duration",
                    "owner",
                ]
                .iter()
                .any(|w| h.starts_with(w))
            })
        };
        let status_cols: Vec<usize> = (1..header.len().max(1))
            .filter(|&i| {
                heads.get(i).is_some_and(|h| {
                    ["status", "result", "ready", "state", "outcome", "verdict"].iter().any(|w| h.starts_with(w))
                })
            })
            .collect();
        let table_claims = self.unsupported.len();
        for row in rows {
            let Some(first) = row.first() else { continue };
            let name = strip_marks(first);
            let lower = name.to_lowercase();
            let joined = row.join(" | ");
            if score_in(&joined).is_some() && ["overall", "total", "final"].iter().any(|k| lower.contains(k)) {
                self.claim_score(&joined, 1);
                continue;
            }
            if let Some(v) = verdict_in(&format!("{name}: {}", row[1..].join(" ")), false).filter(|(_, w)| *w >= 2) {
                self.claim_verdict(Some(v));
                continue;
            }
            // Totals repeat the rows above them: counting them again would double-count.
            if name.is_empty() || matches!(lower.as_str(), "total" | "totals" | "overall" | "sum" | "all") {
                continue;
            }
            if let Some(sev) = self.issues.map(|(_, s)| s) {
                self.add_finding(
                    &joined,
                    &row.iter().skip(1).fold(name.clone(), |acc, c| format!("{acc}: {c}")),
                    severity_in(&joined).unwrap_or(sev),
                );
                continue;
            }
            let cell_status = |i: usize| {
                let cell = row.get(i)?;
                cell_keyword(cell)
                    .or_else(|| emoji_in(cell))
                    .or_else(|| ratio_passed(cell).map(|(n, m)| ratio_status(n, m)))
            };
            let candidates: Vec<usize> = if status_cols.is_empty() {
                (1..row.len()).filter(|&i| !is_text(i)).collect()
            } else {
                status_cols.iter().copied().chain((1..row.len()).filter(|&i| is_expected(i))).collect()
            };
            let actual = candidates.iter().filter(|&&i| !is_expected(i)).filter_map(|&i| cell_status(i)).min();
            let expected = candidates.iter().filter(|&&i| is_expected(i)).filter_map(|&i| cell_status(i)).min();
            let status = match (actual, expected) {
                (Some(s), _) => s,
                (None, Some(s)) => {
                    self.unsupported.push(format!("{name} ({})", s.as_str()));
                    Status::NotRun
                }
                // The name cell itself may carry the mark ("✅ Docker build").
                (None, None) => match emoji_in(first) {
                    Some(s) => s,
                    None => continue,
                },
            };
            let ratio = candidates.iter().find_map(|&i| ratio_passed(row.get(i)?));
            let (score, max) = ratio.map_or((None, None), |(n, m)| (Some(n as f64), Some(m as f64)));
            let message = (1..row.len())
                .find(|&i| is_text(i) && !row[i].trim().is_empty())
                .map(|i| strip_marks(&row[i]))
                .unwrap_or_default();
            let duration_ms = (1..row.len())
                .find(|&i| heads.get(i).is_some_and(|h| h.starts_with("duration") || h == "time"))
                .and_then(|i| duration_ms(&strip_marks(&row[i])));
            let details = header
                .iter()
                .zip(row.iter())
                .map(|(h, c)| format!("{}: {}", strip_marks(h), c))
                .collect::<Vec<_>>()
                .join("\n");
            let at =
                self.add_check(bounded(&name, MAX_NAME_BYTES), self.category(), status, message, details, score, max);
            self.report.checks[at].duration_ms = duration_ms;
        }
        if self.unsupported.len() > table_claims {
            let col = (0..header.len()).find(|&i| is_expected(i)).map(|i| strip_marks(&header[i])).unwrap_or_default();
            let n = self.unsupported.len() - table_claims;
            let names = self.unsupported[table_claims..].join(", ");
            self.unsupported.truncate(table_claims);
            self.report.notes.push(format!(
                "{n} row(s) in {} carry a status only under \"{col}\": a claim, not a result, so counted as not run (claim unsupported): {}",
                self.category().map_or_else(|| "a table".to_string(), |c| format!("\"{c}\"")),
                bounded(&names, MAX_MESSAGE_BYTES)
            ));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn add_check(
        &mut self,
        name: String,
        category: Option<String>,
        status: Status,
        message: String,
        details: String,
        score: Option<f64>,
        max: Option<f64>,
    ) -> usize {
        let base = format!("{}/{}", category.as_deref().map_or_else(|| "report".to_string(), slugify), slugify(&name));
        let n = self.ids.entry(base.clone()).or_default();
        *n += 1;
        let id = if *n > 1 { format!("{base}~{n}") } else { base };
        let name = if name.is_empty() { "(unnamed)".to_string() } else { name };
        self.report.checks.push(Check {
            id,
            name,
            suite_path: category.clone().unwrap_or_default(),
            category,
            status,
            score,
            max,
            weight: 1.0,
            message: bounded(&message, MAX_MESSAGE_BYTES),
            details: bounded(&details, MAX_DETAILS_BYTES),
            ..Check::default()
        });
        self.report.checks.len() - 1
    }

    fn add_finding(&mut self, text: &str, first: &str, severity: Severity) {
        let title = bounded(&strip_marks(first), MAX_MESSAGE_BYTES);
        if title.is_empty() {
            return;
        }
        let (lead, _) = split_name(&title);
        let base = format!("issue:{}", slugify(&lead));
        let n = self.ids.entry(base.clone()).or_default();
        *n += 1;
        let id = if *n > 1 { format!("{base}~{n}") } else { base };
        let rest: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).skip(1).collect();
        self.report.findings.push(Finding {
            id,
            severity,
            status: FindingStatus::Open,
            category: self.category(),
            title,
            details: bounded(&strip_marks(&rest.join("\n")), MAX_DETAILS_BYTES),
        });
    }

    fn finish(mut self) -> Result<ParsedReport, IngestError> {
        self.close_claims(0);
        let checks = &self.report.checks;
        // Comparing claims is quadratic in their number; real reports have a handful.
        self.ratio_claims.truncate(MAX_RATIO_CLAIMS);
        for claim in &self.ratio_claims {
            let end = self
                .ratio_claims
                .iter()
                .chain(self.open_claims.iter())
                .filter(|c| c.first_check > claim.first_check && c.level <= claim.level)
                .map(|c| c.first_check)
                .min()
                .unwrap_or(checks.len());
            let items: Vec<&Check> = (claim.first_check..end)
                .filter(|i| Some(*i) != claim.own_check)
                .filter_map(|i| checks.get(i))
                .collect();
            if items.is_empty() {
                continue;
            }
            let passed = items.iter().filter(|c| c.status == Status::Pass).count() as u64;
            if passed != claim.passed || items.len() as u64 != claim.total {
                self.report.notes.push(format!(
                    "\"{}\" claims {}/{} passed, but its items show {passed}/{} passed",
                    claim.heading,
                    claim.passed,
                    claim.total,
                    items.len()
                ));
            }
        }
        if !self.unsupported.is_empty() {
            self.report.notes.push(format!(
                "{} item(s) listed under an expectation carry a status that is a claim, not a result, so counted as not run (claim unsupported): {}",
                self.unsupported.len(),
                bounded(&self.unsupported.join(", "), MAX_MESSAGE_BYTES)
            ));
        }
        let score = self.score.map(|(s, _)| (s * 10.0).round() / 10.0);
        if let Some(claimed) = score
            && !self.breakdown.is_empty()
        {
            let mean = self.breakdown.iter().sum::<f64>() / self.breakdown.len() as f64;
            if (mean - claimed).abs() > 5.0 {
                self.report
                    .notes
                    .push(format!("The report claims a score of {claimed} but its own breakdown averages {:.1}", mean));
            }
        }
        let verdict = self.verdict.map(|(v, _)| v.to_string());
        if score.is_some() || verdict.is_some() {
            self.report.claimed = Some(Claimed { score, verdict, confidence: None });
        }
        self.report.placement.phase_name = self.phase_meta.or_else(|| self.title.as_deref().and_then(phase_from_title));
        if self.report.checks.is_empty() && self.report.findings.is_empty() && self.report.claimed.is_none() {
            return Err(IngestError::NotAReport(
                "Markdown report has no status table or list (✅ ❌ ⚠️, PASS/FAIL), no issues list and no claimed score or verdict"
                    .into(),
            ));
        }
        Ok(self.report)
    }
}

/// "Name: message" split at the first colon of a line, when the name part is short.
fn split_name(line: &str) -> (String, String) {
    let t = strip_marks(line);
    let t = t.trim_start_matches(['[', ']', ' ']);
    let t = KEYWORDS
        .iter()
        .find_map(|(k, _)| {
            t.strip_prefix(k).filter(|r| r.starts_with([':', ' '])).map(|r| r.trim_start_matches([':', ' ', '-', '—']))
        })
        .unwrap_or(t);
    match t.split_once(": ") {
        Some((name, msg)) if !name.trim().is_empty() && name.len() <= 100 => {
            (bounded(name.trim(), MAX_NAME_BYTES), bounded(msg.trim(), MAX_MESSAGE_BYTES))
        }
        _ => (bounded(t.trim(), MAX_NAME_BYTES), String::new()),
    }
}

/// "66.2s", "350 ms", "1.5 min" as milliseconds.
fn duration_ms(s: &str) -> Option<f64> {
    let t = s.trim().to_lowercase();
    let num_len = t.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
    let n: f64 = t[..num_len].parse().ok()?;
    let factor = match t[num_len..].trim() {
        "ms" => 1.0,
        "s" | "sec" | "secs" | "seconds" => 1000.0,
        "m" | "min" | "mins" | "minutes" => 60_000.0,
        _ => return None,
    };
    Some(n * factor).filter(|d| d.is_finite())
}

/// "Name: 30/100 (…)": a score out of 100, 10 or 5.
fn breakdown_score(line: &str) -> Option<(f64, f64)> {
    let (_, value) = line.split_once(':')?;
    let value = value.trim();
    let (n, rest) = value.split_once('/')?;
    let n: f64 = n.trim().parse().ok()?;
    let m_str: String = rest.trim_start().chars().take_while(|c| c.is_ascii_digit()).collect();
    let m: f64 = m_str.parse().ok()?;
    let lower = line.to_lowercase();
    (matches!(m_str.as_str(), "100" | "10" | "5") && (0.0..=m).contains(&n) && !lower.contains("pass"))
        .then_some((n, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> ParsedReport {
        parse(s.as_bytes()).unwrap()
    }

    fn statuses(r: &ParsedReport) -> Vec<(&str, Status)> {
        r.checks.iter().map(|c| (c.name.as_str(), c.status)).collect()
    }

    const REPORT: &str = "# Sprint 7 Readiness Report - Payments API\n\n\
**Date:** 2024-03-05\n**Environment:** staging\n\n\
## Results\n\n\
| Area | Status | Notes |\n|---|---|---|\n\
| Unit tests | ✅ PASSED | all green |\n| Load test | ❌ NOT TESTED | no env |\n\
| Failover | ⚠️ PARTIAL | one region |\n| **Total** | ✅ | |\n\n\
## Security\n\n- ✅ TLS everywhere\n- ❌ Secrets rotation: not automated\n- [x] Pen test booked\n- [ ] Pen test done\n\
- ERROR messages are logged\n\n\
### Integration: 3/4 passed\n\n- ✅ a\n- ✅ b\n- ❌ c\n\n\
## Critical Issues\n\n1. 🚨 **DB failover**: loses writes\n   - Mitigation: manual\n2. **Slow start**: 30s\n\n\
## Verdict\n\n**Overall Readiness Score:** 60% → 50%\n\n**Production Readiness:** ❌ NOT READY\n";

    #[test]
    fn status_tables_and_lists_become_checks_by_section() {
        let r = parse_str(REPORT);
        assert_eq!(r.format, "markdown");
        let results: Vec<_> = r.checks.iter().filter(|c| c.category.as_deref() == Some("Results")).collect();
        let st: Vec<(&str, Status)> = results.iter().map(|c| (c.name.as_str(), c.status)).collect();
        assert_eq!(
            st,
            vec![("Unit tests", Status::Pass), ("Load test", Status::NotRun), ("Failover", Status::Partial)]
        );
        assert_eq!(results[0].message, "all green");
        assert_eq!(results[0].id, "results/unit-tests");
        let sec: Vec<(&str, Status)> = r
            .checks
            .iter()
            .filter(|c| c.category.as_deref() == Some("Security"))
            .map(|c| (c.name.as_str(), c.status))
            .collect();
        assert_eq!(
            sec,
            vec![
                ("TLS everywhere", Status::Pass),
                ("Secrets rotation", Status::Fail),
                ("Pen test booked", Status::Pass),
                ("Pen test done", Status::NotRun),
                ("Integration", Status::Partial),
            ],
            "a mid-sentence ERROR is not a status"
        );
    }

    #[test]
    fn metadata_claims_and_issues() {
        let r = parse_str(REPORT);
        assert_eq!(r.placement.phase_name.as_deref(), Some("Sprint 7 Readiness — Payments API"));
        assert_eq!(r.run.started_at.as_deref(), Some("2024-03-05T00:00:00Z"));
        assert_eq!(r.run.environment.as_deref(), Some("staging"));
        let claimed = r.claimed.clone().unwrap();
        assert_eq!(claimed.score, Some(50.0), "the latest of 60% → 50%");
        assert_eq!(claimed.verdict.as_deref(), Some("not_ready"));
        let f: Vec<(&str, Severity)> = r.findings.iter().map(|f| (f.title.as_str(), f.severity)).collect();
        assert_eq!(f, vec![("DB failover: loses writes", Severity::Critical), ("Slow start: 30s", Severity::Critical)]);
        assert_eq!(r.findings[0].details, "Mitigation: manual");
        assert_eq!(r.findings[0].id, "issue:db-failover");
    }

    #[test]
    fn a_heading_ratio_is_a_claim_checked_against_its_items() {
        let r = parse_str(REPORT);
        let h = r.checks.iter().find(|c| c.name == "Integration").unwrap();
        assert_eq!((h.status, h.score, h.max), (Status::Partial, Some(3.0), Some(4.0)));
        assert!(r.notes.iter().any(|n| n.contains("claims 3/4 passed, but its items show 2/3")), "{:?}", r.notes);
    }

    #[test]
    fn expected_columns_are_claims_not_results() {
        let r = parse_str(
            "# Phase 2 Report\n\n## Load\n\n| Scenario | Expected Result | Notes |\n|---|---|---|\n| 1k users | ✅ PASS | not run yet |\n\
             | Actual | ✅ | |\n\n| Check | Target | Actual |\n|---|---|---|\n| p95 | ✅ | ❌ FAIL |\n",
        );
        assert_eq!(statuses(&r), vec![("1k users", Status::NotRun), ("Actual", Status::NotRun), ("p95", Status::Fail)]);
        assert!(
            r.notes.iter().any(|n| n.contains("Expected Result") && n.contains("claim unsupported")),
            "{:?}",
            r.notes
        );
    }

    #[test]
    fn breakdown_scores_are_checks_and_disagreement_is_noted() {
        let r = parse_str(
            "# Phase 4 Test Report\n\n### Overall Phase 4 Score: 65/100\n\n**Breakdown:**\n- Docker: 100/100\n- SAML: 30/100 (mock)\n- Load: 0/100\n\n\
             ### Production Readiness: ⚠️ CONDITIONAL\n",
        );
        assert_eq!(statuses(&r), vec![("Docker", Status::Pass), ("SAML", Status::Partial), ("Load", Status::Fail)]);
        assert_eq!(r.checks[1].score, Some(30.0));
        let c = r.claimed.unwrap();
        assert_eq!((c.score, c.verdict.as_deref()), (Some(65.0), Some("conditional")));
        assert!(r.notes.iter().any(|n| n.contains("breakdown averages 43.3")), "{:?}", r.notes);
        assert_eq!(r.placement.phase_name.as_deref(), Some("Phase 4"));
    }

    #[test]
    fn verdicts_are_normalised() {
        let v = |s: &str| parse_str(s).claimed.and_then(|c| c.verdict);
        assert_eq!(v("# R\n\n## ✅ Ready for Production\n\n- ✅ x\n").as_deref(), Some("ready"));
        assert_eq!(v("# R\n\n**Go/No-Go:** NO-GO\n").as_deref(), Some("no_go"));
        assert_eq!(v("# R\n\n**Decision:** GO\n").as_deref(), Some("ready"));
        assert_eq!(v("# R\n\nThe system is NOT READY for production.\n").as_deref(), Some("not_ready"));
        assert_eq!(v("# R\n\n35.2% Production Readiness\n").as_deref(), None);
        assert_eq!(parse_str("# R\n\n35.2% Production Readiness\n").claimed.unwrap().score, Some(35.2));
    }

    #[test]
    fn mojibake_is_repaired_before_parsing() {
        // UTF-8 read as Windows-1252 (with the undefined 0x8F of U+FE0F dropped) and as Mac Roman.
        let cp1252 = "# Report\n\n- âœ… works\n- âŒ broken\n- âš\u{a0}ï¸ shaky\n- âš ï¸ shaky too\n- â“ unknown\n\n## Known Issues\n\n- ðŸš¨ leak\n";
        let r = parse_str(cp1252);
        assert_eq!(
            statuses(&r),
            vec![
                ("works", Status::Pass),
                ("broken", Status::Fail),
                ("shaky", Status::Warn),
                ("shaky too", Status::Warn),
                ("unknown", Status::NotRun)
            ]
        );
        assert_eq!(r.findings[0].severity, Severity::Critical);
        assert!(r.notes[0].contains("Windows-1252"), "{:?}", r.notes);
        let mac = "# Report\n\n- ‚úÖ works\n- ‚ùå broken\n";
        let r = parse_str(mac);
        assert_eq!(statuses(&r), vec![("works", Status::Pass), ("broken", Status::Fail)]);
        assert!(r.notes[0].contains("Mac Roman"));
        // Real accented text is left alone.
        assert!(matches!(repair_mojibake("café naïve — ✅").text, Cow::Borrowed(_)));
        assert_eq!(repair_mojibake("Ã©tÃ© â†’ done").text, "été → done");
    }

    #[test]
    fn detection_needs_a_heading_or_a_status_table() {
        assert!(looks_like_markdown(b"# Phase 3 Review\n"));
        assert!(looks_like_markdown(b"\xEF\xBB\xBF\n## Results\n"));
        assert!(looks_like_markdown(b"Report\n\n| a | b |\n|---|---|\n| x | \xE2\x9C\x85 |\n"));
        assert!(!looks_like_markdown(b"#hashtag"));
        assert!(!looks_like_markdown(b"plain text"));
        assert!(!looks_like_markdown(b"| a | b |\n|---|---|\n| 1 | 2 |\n"));
    }

    #[test]
    fn documents_without_evidence_are_rejected() {
        assert!(matches!(parse(b"# Notes\n\nJust prose.\n"), Err(IngestError::NotAReport(_))));
        assert!(matches!(parse(b""), Err(IngestError::NotAReport(_))));
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("December 27, 2025").as_deref(), Some("2025-12-27T00:00:00Z"));
        assert_eq!(parse_date("7 Aug 2025").as_deref(), Some("2025-08-07T00:00:00Z"));
        assert_eq!(parse_date("2025/08/07").as_deref(), Some("2025-08-07T00:00:00Z"));
        assert_eq!(parse_date("2025-08-07T10:00:00Z (CI)").as_deref(), Some("2025-08-07T10:00:00Z"));
        assert_eq!(parse_date("soon"), None);
        assert_eq!(parse_date("2025-13-01"), None);
    }
}
