//! Small formatting helpers shared by pages.

/// A score with one decimal, or an em dash.
pub fn score(s: Option<f64>) -> String {
    s.map(|v| format!("{v:.1}")).unwrap_or_else(|| "—".to_string())
}

/// The display label of a verdict named in words from outside (a report's claim, a webhook
/// payload); an unknown name reads as not ready, the cautious reading.
pub fn verdict_label(v: &str) -> &'static str {
    Verdict::parse(v).unwrap_or(Verdict::NotReady).label()
}

/// Counts as the score uses them: "8 passed · 1 partial · 2 failed · 1 not run · 3 skipped
/// (left out of the score)"; buckets that are zero are not named.
pub fn counts_text(c: &readyboard_domain::model::Counts) -> String {
    let mut parts = vec![format!("{} passed", c.passed)];
    for (n, what) in [(c.partial, "partial"), (c.failed, "failed"), (c.errors, "errors"), (c.not_run, "not run")] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    let mut text = parts.join(" · ");
    if c.skipped > 0 {
        text.push_str(&format!(" · {} skipped (left out of the score)", c.skipped));
    }
    text
}

/// A flip count as people read it: "4 of 9 changes".
pub fn flips(flips: u64, runs: u64) -> String {
    let changes = runs.saturating_sub(1);
    format!("{flips} of {changes} {}", if changes == 1 { "change" } else { "changes" })
}

use readyboard_domain::decisions::Decision;
use readyboard_domain::scoring::Verdict;

/// "Decision: GO (override)": a recorded decision, never to be read as the computed verdict
/// ("Evidence: …").
pub fn decision_text(kind: Decision, is_override: bool) -> String {
    format!("Decision: {}{}", kind.label(), if is_override { " (override)" } else { "" })
}

/// CSS class for a verdict.
pub fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Ready => "verdict verdict-ready",
        Verdict::Conditional => "verdict verdict-conditional",
        Verdict::NoGo => "verdict verdict-nogo",
        Verdict::NotReady => "verdict verdict-notready",
    }
}

/// Human age of `then` relative to `now` (both unix ms).
pub fn ago(now: i64, then: i64) -> String {
    let s = ((now - then) / 1000).max(0);
    match s {
        0..60 => "just now".to_string(),
        60..3600 => plural(s / 60, "minute"),
        3600..86_400 => plural(s / 3600, "hour"),
        _ => plural(s / 86_400, "day"),
    }
}

/// How long from `now` until `then` (unix ms), in words: "in 30 seconds", "in 2 hours".
pub fn until(now: i64, then: i64) -> String {
    let s = ((then - now) / 1000).max(0);
    let (n, unit) = match s {
        0..60 => (s, "second"),
        60..3600 => (s / 60, "minute"),
        3600..86_400 => (s / 3600, "hour"),
        _ => (s / 86_400, "day"),
    };
    if n == 1 { format!("in 1 {unit}") } else { format!("in {n} {unit}s") }
}

fn plural(n: i64, unit: &str) -> String {
    if n == 1 { format!("1 {unit} ago") } else { format!("{n} {unit}s ago") }
}

/// Bytes as KB/MB.
pub fn bytes(n: i64) -> String {
    match n {
        ..1024 => format!("{n} B"),
        1024..1_048_576 => format!("{:.1} KB", n as f64 / 1024.0),
        _ => format!("{:.1} MB", n as f64 / 1_048_576.0),
    }
}

/// A duration in ms, compact.
pub fn duration_ms(ms: f64) -> String {
    if ms < 1.0 {
        format!("{ms:.2} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else if ms < 60_000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        format!("{:.1} min", ms / 60_000.0)
    }
}

/// Characters a query value keeps as they are: RFC 3986's unreserved ones and `/` (legal in
/// a query, and it keeps `next=/p/shop` readable).
const QUERY_KEEPS: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'/');

/// Percent-encodes a query parameter value (UTF-8, everything but [`QUERY_KEEPS`]).
pub fn query_value(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, QUERY_KEEPS).to_string()
}

/// `s` with the characters that are markup in HTML text and attributes escaped.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_naturally() {
        assert_eq!(ago(10_000, 9_000), "just now");
        assert_eq!(ago(3_600_000, 0), "1 hour ago");
        assert_eq!(ago(3 * 86_400_000, 0), "3 days ago");
    }

    #[test]
    fn scores_have_one_decimal() {
        assert_eq!(score(Some(53.333)), "53.3");
        assert_eq!(score(None), "—");
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(query_value("api tests & more/ü?#"), "api%20tests%20%26%20more/%C3%BC%3F%23");
        assert_eq!(query_value("a\r\nb"), "a%0D%0Ab");
        assert_eq!(query_value("p95_latency-ms.v2~"), "p95_latency-ms.v2~");
    }
}
