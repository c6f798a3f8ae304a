//! Sections: what a heading names — a category of checks, a list of issues, a summary of
//! claims, a list of things still to do, or criteria that must hold — and the category name
//! a heading gives.

use super::claims::{strip_count_claim, verdict_value};
use super::words::{KEYWORDS, cell_keyword, find_word, strip_marks};
use crate::ingest::bounded;
use crate::model::Severity;

/// Longest category name kept, in bytes.
const MAX_NAME_BYTES: usize = 200;

/// What the items and rows under a heading are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Results: status-bearing rows and items are checks.
    Results,
    /// Issues: each item (or sub-heading) is one finding of this default severity.
    Issues(Severity),
    /// A summary of what the rest says ("Executive Summary", "Conclusion"): its items are
    /// claims, not further evidence.
    Summary,
    /// Things to do ("Recommendations", "Next Steps", "Immediate Actions"): never results.
    Actions,
    /// What must hold ("Acceptance Criteria", "Definition of Done"): a tick there is a
    /// statement of intent, counted as not run.
    Criteria,
    /// Expectations ("Expected Results", "Targets", "Planned"): statuses are not results.
    Expected,
}

/// The kind a heading gives its section, given the kind of the section it is nested in.
pub(super) fn kind_of(heading: &str, parent: Option<Kind>) -> Kind {
    let lower = strip_marks(heading).to_lowercase();
    let lower = lower.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ' ');
    let has = |w: &str| find_word(lower, w).is_some();
    if let Some(sev) = issue_severity(heading) {
        return Kind::Issues(sev);
    }
    if let Some(Kind::Issues(parent_sev)) = parent {
        // "### Critical", "### Medium Priority", "### P1" under an issues section.
        return Kind::Issues(severity_heading(heading).unwrap_or(parent_sev));
    }
    if [
        "recommendation",
        "recommendations",
        "next steps",
        "next step",
        "action items",
        "actions",
        "action plan",
        "todo",
        "to do",
        "to-do",
        "follow-up",
        "follow up",
        "future work",
        "roadmap",
        "remediation plan",
    ]
    .iter()
    .any(|w| has(w))
        || lower.starts_with("immediate")
        || lower.starts_with("before production")
        || lower.starts_with("short-term")
        || lower.starts_with("long-term")
    {
        return Kind::Actions;
    }
    if ["acceptance criteria", "success criteria", "exit criteria", "definition of done", "completion criteria"]
        .iter()
        .any(|w| has(w))
    {
        return Kind::Criteria;
    }
    if ["expected", "target", "targets", "planned", "estimated"].iter().any(|w| lower.starts_with(w)) {
        return Kind::Expected;
    }
    if [
        "executive summary",
        "summary",
        "conclusion",
        "conclusions",
        "key achievements",
        "achievements",
        "highlights",
        "tl;dr",
        "tldr",
    ]
    .iter()
    .any(|w| lower == *w || lower.trim_end_matches(':') == *w)
    {
        return Kind::Summary;
    }
    match parent {
        Some(k @ (Kind::Summary | Kind::Actions | Kind::Criteria | Kind::Expected)) => k,
        _ => Kind::Results,
    }
}

/// A severity a heading names on its own ("Critical", "🔴 High priority", "P1", "Must fix").
pub(super) fn severity_heading(s: &str) -> Option<Severity> {
    severity_mark(s).or_else(|| {
        let lower = strip_marks(s).to_lowercase();
        if lower.contains("must fix") || lower.contains("must-fix") || find_word(&lower, "p0").is_some() {
            return Some(Severity::Critical);
        }
        if find_word(&lower, "p1").is_some() {
            return Some(Severity::High);
        }
        if find_word(&lower, "p2").is_some() {
            return Some(Severity::Medium);
        }
        if find_word(&lower, "p3").is_some() {
            return Some(Severity::Low);
        }
        severity_word(&lower)
    })
}

/// A severity stated by an issue itself: a coloured mark, an upper-case or bracketed
/// severity word, or a "Severity:"/"Priority:" label — never a word in passing, where
/// "High availability" is a topic, not a rating.
pub(super) fn severity_stated(s: &str) -> Option<Severity> {
    if let Some(sev) = severity_mark(s) {
        return Some(sev);
    }
    let t = strip_marks(s);
    for (word, sev) in SEVERITY_WORDS {
        let upper = word.to_uppercase();
        if find_word(&t, &upper).is_some() && upper.len() > 2 {
            return Some(*sev);
        }
    }
    let lower = t.to_lowercase();
    for (word, sev) in SEVERITY_WORDS {
        for form in [format!("({word})"), format!("[{word}]"), format!("severity: {word}"), format!("priority: {word}")]
        {
            if lower.contains(&form) {
                return Some(*sev);
            }
        }
    }
    None
}

const SEVERITY_WORDS: &[(&str, Severity)] = &[
    ("critical", Severity::Critical),
    ("blocker", Severity::High),
    ("high", Severity::High),
    ("major", Severity::High),
    ("medium", Severity::Medium),
    ("moderate", Severity::Medium),
    ("minor", Severity::Low),
    ("low", Severity::Low),
];

fn severity_mark(s: &str) -> Option<Severity> {
    if s.contains('🚨') || s.contains('🔴') {
        Some(Severity::Critical)
    } else if s.contains('🟠') {
        Some(Severity::High)
    } else if s.contains('🟡') {
        Some(Severity::Medium)
    } else if s.contains('🟢') {
        Some(Severity::Low)
    } else {
        None
    }
}

fn severity_word(lower: &str) -> Option<Severity> {
    SEVERITY_WORDS.iter().find(|(w, _)| find_word(lower, w).is_some()).map(|(_, s)| *s)
}

/// Headings whose items are issues, with the severity their items get by default.
fn issue_severity(text: &str) -> Option<Severity> {
    let lower = strip_marks(text).to_lowercase();
    let issue_words = [
        "issues",
        "issue",
        "blockers",
        "blocker",
        "risks",
        "limitations",
        "known problems",
        "problems",
        "defects",
        "bugs",
        "must fix",
        "must-fix",
        "showstoppers",
    ];
    if !issue_words.iter().any(|w| find_word(&lower, w).is_some()) {
        return None;
    }
    if lower.contains("limitation") {
        return Some(severity_heading(text).unwrap_or(Severity::Low));
    }
    if lower.contains("must fix") || lower.contains("must-fix") || lower.contains("showstopper") {
        return Some(Severity::Critical);
    }
    if lower.contains("blocker") {
        return Some(severity_heading(&lower.replace("blockers", "").replace("blocker", "")).unwrap_or(Severity::High));
    }
    Some(severity_heading(text).unwrap_or(Severity::Medium))
}

/// A heading as a category name: numbering, marks, a trailing `: value` claim, a trailing
/// status word and a count claim such as "(3/5 passed)" dropped.
pub(super) fn clean_heading(text: &str) -> String {
    let mut t = strip_count_claim(&strip_marks(text));
    if let Some((head, value)) = t.split_once(": ")
        && (value.chars().any(|c| c.is_ascii_digit())
            || cell_keyword(value).is_some()
            || verdict_value(&value.to_uppercase()).is_some())
        && !head.trim().is_empty()
        && !head.trim().to_lowercase().starts_with("day ")
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
