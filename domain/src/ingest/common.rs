//! Helpers the parsers share: JSON error mapping and nesting bound, JUnit-style seconds,
//! and the check a test case starts from.

use std::borrow::Cow;

use super::IngestError;
use crate::model::{Check, Status};

/// Maps a serde_json error to the ingest error of the right class.
pub(crate) fn json_error(format: &'static str, e: serde_json::Error) -> IngestError {
    use serde_json::error::Category;
    let msg = e.to_string();
    if msg.starts_with("recursion limit exceeded") {
        return IngestError::TooDeep;
    }
    match e.classify() {
        Category::Data => IngestError::NotAReport(msg),
        Category::Syntax | Category::Eof | Category::Io => {
            // serde_json appends " at line L column C"; the variant carries them apart.
            let message = match msg.rfind(" at line ") {
                Some(i) => msg[..i].to_string(),
                None => msg,
            };
            IngestError::Malformed {
                format,
                message,
                line: (e.line() > 0).then_some(e.line() as u64),
                column: (e.column() > 0).then_some(e.column() as u64),
            }
        }
    }
}

/// Deepest JSON nesting accepted, checked before deserialising: ignored fields are skipped
/// without serde_json's recursion limit, and real reports nest a few levels only.
pub const MAX_JSON_DEPTH: usize = 64;

/// Rejects documents nesting arrays/objects deeper than [`MAX_JSON_DEPTH`].
pub(crate) fn check_depth(input: &[u8]) -> Result<(), IngestError> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in input {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_JSON_DEPTH {
                    return Err(IngestError::TooDeep);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Seconds as JUnit writers print them, to milliseconds. Handles `0,010` (decimal comma),
/// `2,503.1` (thousands separator) and exponents; empty, negative or non-finite → `None`.
pub fn parse_seconds(raw: &str) -> Option<f64> {
    let t = raw.trim();
    if t.is_empty() {
        return None;
    }
    let cleaned: Cow<'_, str> = if t.contains(',') {
        if t.contains('.') || t.matches(',').count() > 1 {
            Cow::Owned(t.replace(',', ""))
        } else {
            Cow::Owned(t.replace(',', "."))
        }
    } else {
        Cow::Borrowed(t)
    };
    let secs: f64 = cleaned.parse().ok()?;
    if !secs.is_finite() || secs < 0.0 {
        return None;
    }
    Some(secs * 1000.0)
}

/// A test case's check (weight 1, nothing else set yet), for the parsers to complete.
pub(crate) fn test_check(id: String, name: String, suite_path: String, status: Status) -> Check {
    Check { id, name, suite_path, status, weight: 1.0, ..Check::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_seconds("0,010"), Some(10.0));
        assert_eq!(parse_seconds("2,503.1"), Some(2_503_100.0));
        assert!((parse_seconds("1.7e-05").unwrap() - 0.017).abs() < 1e-9);
        assert_eq!(parse_seconds(""), None);
        assert_eq!(parse_seconds("-1"), None);
        assert_eq!(parse_seconds("NaN"), None);
        assert_eq!(parse_seconds("abc"), None);
    }
}
