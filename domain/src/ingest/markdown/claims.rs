//! Claims: verdicts, scores, confidence and pass ratios a report states about itself.

use super::words::{find_word, strip_marks};
use crate::model::Status;

pub(super) fn ratio_passed(s: &str) -> Option<(u64, u64)> {
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
                    // The next 24 bytes, cut back to a character boundary.
                    let mut end = lower.len().min(m_end + 24);
                    while !lower.is_char_boundary(end) {
                        end -= 1;
                    }
                    let tail = &lower[m_end..end];
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

pub(super) fn ratio_status(n: u64, m: u64) -> Status {
    if n == m {
        Status::Pass
    } else if n == 0 {
        Status::Fail
    } else {
        Status::Partial
    }
}

/// A verdict word in upper-cased text, normalised.
pub(super) fn verdict_value(upper: &str) -> Option<&'static str> {
    if find_word(upper, "NO-GO").is_some() || find_word(upper, "NO GO").is_some() {
        Some("no_go")
    } else if ["NOT READY", "NOT PRODUCTION READY", "NOT PRODUCTION-READY", "NOT APPROVED", "REJECTED"]
        .iter()
        .any(|w| find_word(upper, w).is_some())
    {
        Some("not_ready")
    } else if ["CONDITIONAL", "CONDITIONALLY", "WITH CONDITIONS", "PARTIALLY READY"]
        .iter()
        .any(|w| find_word(upper, w).is_some())
    {
        Some("conditional")
    } else if ["READY", "PRODUCTION-READY", "APPROVED", "GO"].iter().any(|w| find_word(upper, w).is_some()) {
        Some("ready")
    } else {
        None
    }
}

/// Whether a `Label:` names the report's go/no-go verdict ("Production Readiness Status",
/// "Final Verdict", "Go/No-Go", "Release Decision", "Recommendation").
fn is_verdict_label(label: &str) -> bool {
    if label.is_empty() || label.len() > 60 {
        return false;
    }
    let status_of = ["production", "release", "overall", "deployment", "review", "final", "readiness", "launch"];
    label.contains("readiness")
        || label.contains("verdict")
        || label.contains("go/no-go")
        || label.contains("go / no-go")
        || label.contains("go/no go")
        || label.ends_with("decision")
        || label == "recommendation"
        || label == "final recommendation"
        || (label.ends_with("status") && status_of.iter().any(|w| label.starts_with(w)))
}

/// A verdict stated by a line: `Label: value` with a verdict label, a short heading that
/// is a verdict ("Ready for Production", "NO-GO"), or an upper-case verdict in prose.
/// Returns the verdict and its weight (labelled and heading verdicts outrank prose).
pub(super) fn verdict_in(line: &str, is_heading: bool) -> Option<(&'static str, u8)> {
    let t = strip_marks(line);
    if let Some((label, value)) = t.split_once(':') {
        let label = label.trim().trim_matches('*').trim().to_lowercase();
        if is_verdict_label(&label) {
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
pub(super) fn score_in(line: &str) -> Option<f64> {
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

/// "Name: 30/100 (…)": a score out of 100, 10 or 5.
pub(super) fn breakdown_score(line: &str) -> Option<(f64, f64)> {
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

/// A claimed confidence ("Confidence: 0.92", "confidence 92%"), as a fraction 0–1.
pub(super) fn confidence_in(line: &str) -> Option<f64> {
    let lower = line.to_lowercase();
    let at = lower.find("confidence")? + "confidence".len();
    let rest = lower[at..].trim_start_matches(|c: char| c == ':' || c == '*' || c == '=' || c.is_whitespace());
    let len = rest.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
    let n: f64 = rest[..len].trim_end_matches('.').parse().ok()?;
    let percent = rest[len..].trim_start().starts_with('%') || n > 1.0;
    let v = if percent { n / 100.0 } else { n };
    (v.is_finite() && (0.0..=1.0).contains(&v)).then_some(v)
}

/// A name without the pass count its author wrote beside it ("Integration (3/5 passed)",
/// "Unit: 25/25 passed"): that count is a claim, compared with the items, never a name.
pub(super) fn strip_count_claim(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(open) = rest.find(['(', '[']) {
        let close_char = if rest[open..].starts_with('(') { ')' } else { ']' };
        let Some(len) = rest[open..].find(close_char) else { break };
        let inner = &rest[open + 1..open + len];
        out.push_str(&rest[..open]);
        if !(is_count(inner)) {
            out.push_str(&rest[open..=open + len]);
        }
        rest = &rest[open + len + 1..];
    }
    out.push_str(rest);
    let mut t = out.trim().to_string();
    for sep in [": ", " - ", " — ", " – "] {
        if let Some((head, tail)) = t.rsplit_once(sep)
            && is_count(tail)
            && !head.trim().is_empty()
        {
            t = head.trim().to_string();
        }
    }
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a fragment is only a count: "3/5 passed", "3/5", "25/25 tests passing (100%)".
fn is_count(s: &str) -> bool {
    let t = s.trim().to_lowercase();
    let has_ratio = t.split_whitespace().next().is_some_and(|w| {
        let w = w.trim_end_matches([',', ')']);
        w.split_once('/').is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        })
    });
    let words_ok = t.split_whitespace().skip(1).all(|w| {
        ["passed", "passing", "pass", "tests", "test", "checks", "ok", "complete", "done", "green"]
            .contains(&w.trim_matches(|c: char| !c.is_alphanumeric()))
            || w.trim_matches(|c: char| !c.is_alphanumeric()).chars().all(|c| c.is_ascii_digit())
    });
    has_ratio && words_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ratio_followed_by_multibyte_text_never_cuts_a_character() {
        // Found by the no-panic suite: 24 bytes after "1/0" ended inside U+FE0F.
        assert_eq!(ratio_passed("j31/0t→m%/ð/❜:️â#]9/️qk→ â"), None);
        assert_eq!(ratio_passed("3/5 ✅✅✅✅✅✅✅✅ passed"), None, "\"passed\" is beyond the 24 bytes looked at");
        assert_eq!(ratio_passed("3/5 ✅ passed"), Some((3, 5)));
    }
}
