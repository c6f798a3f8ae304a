//! Status words and marks: what a cell, an item or a line says about its outcome.

use super::blocks::squash;
use crate::model::Status;

/// The status a status emoji stands for.
pub(super) fn emoji_status(c: char) -> Option<Status> {
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
pub(super) fn emoji_in(s: &str) -> Option<Status> {
    s.chars().filter_map(emoji_status).min()
}

/// Status words, longest first so "NOT READY" wins over "READY".
pub(super) const KEYWORDS: &[(&str, Status)] = &[
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
pub(super) fn strip_marks(s: &str) -> String {
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
pub(super) fn find_word(hay: &str, word: &str) -> Option<usize> {
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
pub(super) fn cell_keyword(cell: &str) -> Option<Status> {
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
pub(super) fn line_keyword(line: &str) -> Option<Status> {
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

/// Phrases that state an intention or a check of form, not a result: whatever mark stands
/// beside them, what they describe has not been shown to work.
const INTENT_PHRASES: &[&str] = &[
    "syntax checked",
    "syntax check",
    "syntax validated",
    "syntax valid",
    "syntax validation",
    "not executed",
    "not tested",
    "not performed",
    "not run",
    "not yet run",
    "not yet tested",
    "never run",
    "never executed",
    "ready for",
    "planned",
    "tbd",
    "to be tested",
    "to be done",
    "to be verified",
    "will be",
    "scheduled",
];

/// The statement of intent in `text`, if any ("ready for", "syntax checked", "planned").
pub(super) fn intent_in(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    INTENT_PHRASES.iter().copied().find(|p| find_word(&lower, p).is_some())
}

/// Whether a note says the work around it was not executed here ("Scripts not executed
/// in this environment", "Docker build not tested in this environment").
pub(super) fn not_executed_note(line: &str) -> bool {
    let lower = strip_marks(line).to_lowercase();
    let label = lower.trim_start_matches(['*', '_', ' ']);
    let is_note = ["note", "nb", "caveat", "warning", "limitation", "disclaimer"].iter().any(|l| label.starts_with(l));
    let phrase = ["not executed", "not tested", "not run", "not performed", "never executed", "never run"]
        .iter()
        .any(|p| find_word(&lower, p).is_some());
    phrase && (is_note || lower.contains("in this environment"))
}
