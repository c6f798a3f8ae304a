//! Findings: the issues a report lists, one finding per issue however many lines and
//! sections it spans.

use super::sections::severity_stated;
use super::words::strip_marks;
use crate::ingest::{MAX_DETAILS_BYTES, MAX_MESSAGE_BYTES, bounded, push_bounded};
use crate::model::{Finding, FindingStatus, Severity};
use crate::slug::slugify;

/// Labels of lines that describe an issue rather than name a new one.
const DETAIL_LABELS: &[&str] = &[
    "impact",
    "root cause",
    "cause",
    "status",
    "fix",
    "fixes",
    "solution",
    "mitigation",
    "workaround",
    "location",
    "file",
    "files",
    "details",
    "detail",
    "owner",
    "eta",
    "priority",
    "severity",
    "error",
    "symptom",
    "symptoms",
    "resolution",
    "next step",
    "next steps",
    "recommendation",
    "effort",
    "affected",
    "evidence",
    "reproduction",
    "steps to reproduce",
    "expected",
    "actual",
    "notes",
    "note",
    "action",
    "required action",
    "risk",
    "description",
];

/// Words left out when telling whether two titles name the same issue.
const STOP_WORDS: &[&str] = &[
    "the",
    "a",
    "an",
    "of",
    "in",
    "on",
    "for",
    "to",
    "and",
    "with",
    "fix",
    "fixed",
    "issue",
    "issues",
    "problem",
    "is",
    "are",
    "be",
    "needs",
    "need",
    "add",
    "implement",
    "real",
    "only",
    "not",
];

/// Whether a line is a detail of the issue above it ("**Impact:** users see …").
pub(super) fn is_detail_line(line: &str) -> bool {
    let t = strip_marks(line);
    let t = t.trim_start_matches(['*', '_', ' ', '-']);
    t.split_once(':').is_some_and(|(label, _)| {
        let label = label.trim().trim_matches(['*', '_']).trim().to_lowercase();
        DETAIL_LABELS.contains(&label.as_str())
    })
}

/// The issues of a report, merged by what they name.
#[derive(Default)]
pub(super) struct Findings {
    list: Vec<Finding>,
    keys: Vec<Vec<String>>,
    current: Option<usize>,
    last_opened: Option<usize>,
}

impl Findings {
    /// Opens the issue titled `first_line` (or merges it into the same issue seen before)
    /// and makes it the one that detail lines go to.
    pub(super) fn open(&mut self, first_line: &str, category: Option<String>, severity: Severity) {
        let title = bounded(&title_of(first_line), MAX_MESSAGE_BYTES);
        if title.is_empty() {
            self.current = None;
            return;
        }
        let lead = lead_of(&title);
        let key = key_of(&lead);
        let id = format!("issue:{}", slugify(&lead));
        if let Some(at) = self.list.iter().position(|f| f.id == id).or_else(|| self.same_issue(&key)) {
            let f = &mut self.list[at];
            f.severity = f.severity.min(severity);
            self.current = Some(at);
            self.last_opened = self.current;
            return;
        }
        self.list.push(Finding { id, severity, status: FindingStatus::Open, category, title, details: String::new() });
        self.keys.push(key);
        self.current = Some(self.list.len() - 1);
        self.last_opened = self.current;
    }

    /// Adds a line to the current issue's details; a "Status: fixed" line resolves it and a
    /// "Severity: high" line rates it.
    pub(super) fn detail(&mut self, line: &str) {
        let Some(f) = self.current.and_then(|at| self.list.get_mut(at)) else { return };
        let text = strip_marks(line);
        let text = text.trim_start_matches(['*', '_', ' ']).replace("**", "");
        if text.is_empty() {
            return;
        }
        let lower = text.to_lowercase();
        if let Some(value) = lower.strip_prefix("status:") {
            let resolved = ["resolved", "fixed", "done", "closed"].iter().any(|w| value.trim_start().starts_with(w))
                || line.contains('✅');
            if resolved {
                f.status = FindingStatus::Resolved;
            }
        }
        if (lower.starts_with("severity:") || lower.starts_with("priority:"))
            && let Some(sev) = severity_stated(&lower)
        {
            f.severity = sev;
        }
        if !f.details.split('\n').any(|l| l == text) {
            if !f.details.is_empty() {
                push_bounded(&mut f.details, "\n", MAX_DETAILS_BYTES);
            }
            push_bounded(&mut f.details, &text, MAX_DETAILS_BYTES);
        }
    }

    /// Ends the current issue: later detail lines belong to nothing.
    pub(super) fn close(&mut self) {
        self.current = None;
    }

    /// Makes the issue opened last the current one again.
    pub(super) fn reopen_last(&mut self) {
        if self.current.is_none() {
            self.current = self.last_opened;
        }
    }

    /// Whether an issue is open to take details.
    pub(super) fn has_current(&self) -> bool {
        self.current.is_some()
    }

    /// The findings in the order first seen.
    pub(super) fn into_vec(self) -> Vec<Finding> {
        self.list
    }

    fn same_issue(&self, key: &[String]) -> Option<usize> {
        self.keys.iter().position(|k| {
            let (small, big) = if k.len() <= key.len() { (k.as_slice(), key) } else { (key, k.as_slice()) };
            small.len() >= 2 && small.iter().all(|w| big.contains(w))
        })
    }
}

/// An issue's title: its first line without marks, numbering or an "Issue 3:" prefix.
fn title_of(line: &str) -> String {
    let t = strip_marks(line).replace("**", "").replace("__", "");
    let t = t.trim();
    let t = t.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == '#').trim_start();
    // "Issue 3: …" (any case): the prefix is ASCII, so cutting after it keeps characters whole.
    let t = match t.get(..5).filter(|p| p.eq_ignore_ascii_case("issue")).map(|_| &t[5..]) {
        Some(rest) if rest.trim_start().starts_with(|c: char| c.is_ascii_digit()) => rest
            .trim_start()
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start_matches([':', '.', ' ', '-', '—']),
        _ => t,
    };
    t.trim().to_string()
}

/// The part of a title that names the issue: before its first ": ", " - " or " (".
fn lead_of(title: &str) -> String {
    let mut lead = title;
    for sep in [": ", " - ", " — ", " (", " – "] {
        if let Some((head, _)) = lead.split_once(sep)
            && !head.trim().is_empty()
        {
            lead = head;
        }
    }
    lead.trim().to_string()
}

fn key_of(lead: &str) -> Vec<String> {
    let mut words: Vec<String> = lead
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !STOP_WORDS.contains(w))
        .map(str::to_string)
        .collect();
    words.sort();
    words.dedup();
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_drop_numbering_and_issue_prefixes_whatever_the_case_and_script() {
        assert_eq!(title_of("3. **Issue 12: Redis** down"), "Redis down");
        assert_eq!(title_of("ISSUE 4 - Port mismatch"), "Port mismatch");
        assert_eq!(title_of("İssue 1: dotted capital"), "İssue 1: dotted capital");
        assert_eq!(title_of("Issues with logging"), "Issues with logging");
    }

    #[test]
    fn the_same_issue_named_twice_is_one_finding_with_the_worse_severity() {
        let mut f = Findings::default();
        f.open("WebSocket Internal Error (Priority 1)", None, Severity::Critical);
        f.detail("**Impact:** clients drop");
        f.open("**WebSocket internal error** — see above", None, Severity::High);
        f.open("Session store leak", None, Severity::High);
        f.detail("Status: ✅ Fixed in 2.3.1");
        let list = f.into_vec();
        assert_eq!(list.len(), 2);
        assert_eq!((list[0].severity, list[0].details.as_str()), (Severity::Critical, "Impact: clients drop"));
        assert_eq!(list[1].status, FindingStatus::Resolved);
    }
}
