//! Errors an ingest parser can return, each mapping to one HTTP status.

use std::fmt;

/// Why an artifact could not be ingested.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The bytes are not well-formed for the format (HTTP 400).
    #[error("malformed {format}{}: {message}", position(.line, .column))]
    Malformed {
        /// Human name of the format, e.g. "JUnit XML".
        format: &'static str,
        /// What is wrong.
        message: String,
        /// 1-based line of the problem, when known.
        line: Option<u64>,
        /// 1-based column (in characters) of the problem, when known.
        column: Option<u64>,
    },
    /// Well-formed, but not a report of that format (HTTP 422).
    #[error("not a valid report: {0}")]
    NotAReport(String),
    /// The format could not be recognised from the content (HTTP 415).
    #[error(
        "unrecognised report format: expected readyboard JSON v1, JUnit XML, CTRF JSON, SARIF, k6 summary JSON, a Markdown report, TRX, NUnit XML, xUnit.net XML, go test2json, Jest JSON, Playwright JSON, pytest-json-report or mocha JSON (pass format= to force one)"
    )]
    UnknownFormat,
    /// Nesting goes deeper than the parser accepts (HTTP 400).
    #[error("document nesting is too deep")]
    TooDeep,
    /// A name, text or number breaks the limits of [`crate::limits`] (HTTP 422).
    #[error(transparent)]
    Limit(#[from] crate::limits::LimitError),
}

/// Renders " at line L, column C" for whatever part of a position is known.
struct Position(Option<u64>, Option<u64>);

fn position(line: &Option<u64>, column: &Option<u64>) -> Position {
    Position(*line, *column)
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0, self.1) {
            (Some(l), Some(c)) => write!(f, " at line {l}, column {c}"),
            (Some(l), None) => write!(f, " at line {l}"),
            _ => Ok(()),
        }
    }
}

impl IngestError {
    /// A syntax error at a byte offset of `input`, with line and column computed from it.
    pub fn malformed_at(format: &'static str, message: impl Into<String>, input: &[u8], offset: usize) -> IngestError {
        let (line, column) = line_col(input, offset);
        IngestError::Malformed { format, message: message.into(), line: Some(line), column: Some(column) }
    }
}

/// 1-based line and column (counted in characters) of a byte offset.
pub(crate) fn line_col(input: &[u8], offset: usize) -> (u64, u64) {
    let offset = offset.min(input.len());
    let before = &input[..offset];
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    // Count UTF-8 leading bytes so a multi-byte character is one column.
    let column = before[line_start..].iter().filter(|&&b| (b & 0xC0) != 0x80).count() as u64 + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let s = "ab\ncé<x".as_bytes();
        assert_eq!(line_col(s, 0), (1, 1));
        assert_eq!(line_col(s, 3), (2, 1));
        let lt = s.iter().position(|&b| b == b'<').unwrap();
        assert_eq!(line_col(s, lt), (2, 3));
    }

    #[test]
    fn display_mentions_position() {
        let e = IngestError::Malformed {
            format: "JUnit XML",
            message: "unexpected end".into(),
            line: Some(3),
            column: Some(17),
        };
        assert_eq!(e.to_string(), "malformed JUnit XML at line 3, column 17: unexpected end");
    }
}
