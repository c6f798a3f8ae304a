//! Ingest parsers: one module per evidence format, all pure.

pub mod common;
pub mod ctrf;
pub mod error;
pub mod gotest;
pub mod jest;
pub mod junit;
pub mod k6;
pub mod markdown;
pub mod mocha;
pub mod nunit;
pub mod playwright;
pub mod pytest_json;
pub mod readyboard_json;
pub mod sarif;
mod text;
pub mod trx;
mod xml;
pub mod xunit;

pub use error::IngestError;

use crate::model::ParsedReport;

/// JSON Schema (draft 2020-12) of readyboard JSON v1.
pub const REPORT_SCHEMA: &str = include_str!("../../schema/report.json");

/// Longest `message` kept per check, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 1024;
/// Longest `details` kept per check, in bytes.
pub const MAX_DETAILS_BYTES: usize = 8 * 1024;

/// An evidence format the ingest layer understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// readyboard JSON v1.
    ReadyboardJson,
    /// JUnit XML, any dialect.
    Junit,
    /// Common Test Report Format JSON.
    Ctrf,
    /// Visual Studio TRX XML.
    Trx,
    /// NUnit 2 and NUnit 3 XML.
    Nunit,
    /// xUnit.net v2 XML.
    Xunit,
    /// go test2json NDJSON (`go test -json`).
    Gotest,
    /// Jest JSON (`jest --json`).
    Jest,
    /// Playwright JSON reporter.
    Playwright,
    /// pytest-json-report JSON.
    PytestJson,
    /// mocha JSON reporter.
    Mocha,
    /// SARIF 2.1 (security scanners, linters).
    Sarif,
    /// k6 end-of-test summary JSON.
    K6,
    /// Hand-written Markdown readiness report.
    Markdown,
}

impl Format {
    /// Every supported format.
    pub const SUPPORTED: &'static [Format] = &[
        Format::ReadyboardJson,
        Format::Junit,
        Format::Ctrf,
        Format::Trx,
        Format::Nunit,
        Format::Xunit,
        Format::Gotest,
        Format::Jest,
        Format::Playwright,
        Format::PytestJson,
        Format::Mocha,
        Format::Sarif,
        Format::K6,
        Format::Markdown,
    ];

    /// The stable name used in `format=` and in stored reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::ReadyboardJson => "readyboard",
            Format::Junit => "junit",
            Format::Ctrf => "ctrf",
            Format::Trx => "trx",
            Format::Nunit => "nunit",
            Format::Xunit => "xunit",
            Format::Gotest => "gotest",
            Format::Jest => "jest",
            Format::Playwright => "playwright",
            Format::PytestJson => "pytest-json",
            Format::Mocha => "mocha",
            Format::Sarif => "sarif",
            Format::K6 => "k6",
            Format::Markdown => "markdown",
        }
    }

    /// Parses a `format=` value (case-insensitive; a few common aliases accepted).
    pub fn parse_name(name: &str) -> Option<Format> {
        match name.trim().to_ascii_lowercase().as_str() {
            "readyboard" | "readyboard-json" | "readyboard_json" | "readyboard/v1" => Some(Format::ReadyboardJson),
            "junit" | "junit-xml" | "junit_xml" => Some(Format::Junit),
            "ctrf" | "ctrf-json" | "ctrf_json" => Some(Format::Ctrf),
            "trx" | "vstest" | "mstest" => Some(Format::Trx),
            "nunit" | "nunit2" | "nunit3" | "nunit-xml" => Some(Format::Nunit),
            "xunit" | "xunit-xml" | "xunit.net" | "xunit2" | "xunit-v2" => Some(Format::Xunit),
            "gotest" | "go-test2json" | "test2json" | "go-test-json" | "go-json" => Some(Format::Gotest),
            "jest" | "jest-json" => Some(Format::Jest),
            "playwright" | "playwright-json" => Some(Format::Playwright),
            "pytest-json" | "pytest-json-report" | "pytest_json" => Some(Format::PytestJson),
            "mocha" | "mocha-json" => Some(Format::Mocha),
            "sarif" | "sarif-json" | "sarif_json" | "sarif-2.1" => Some(Format::Sarif),
            "k6" | "k6-json" | "k6_json" | "k6-summary" | "k6_summary" => Some(Format::K6),
            "markdown" | "md" | "markdown-report" | "markdown_report" => Some(Format::Markdown),
            _ => None,
        }
    }

    /// Human name used in error messages.
    pub fn display_name(self) -> &'static str {
        match self {
            Format::ReadyboardJson => "readyboard JSON",
            Format::Junit => "JUnit XML",
            Format::Ctrf => "CTRF JSON",
            Format::Trx => "TRX",
            Format::Nunit => "NUnit XML",
            Format::Xunit => "xUnit.net XML",
            Format::Gotest => "go test2json",
            Format::Jest => "Jest JSON",
            Format::Playwright => "Playwright JSON",
            Format::PytestJson => "pytest-json-report JSON",
            Format::Mocha => "mocha JSON",
            Format::Sarif => "SARIF",
            Format::K6 => "k6 summary JSON",
            Format::Markdown => "Markdown report",
        }
    }
}

/// Guesses the format from the content alone.
pub fn detect(bytes: &[u8]) -> Option<Format> {
    if let Some(utf8) = utf16_to_utf8(bytes) {
        return detect_utf8(&utf8);
    }
    detect_utf8(bytes)
}

fn detect_utf8(bytes: &[u8]) -> Option<Format> {
    let body = skip_bom_and_space(bytes);
    match body.first()? {
        b'<' => detect_xml(body),
        b'{' => gotest::detect(body).or_else(|| detect_json(body)).or_else(|| detect_runner_json(body)),
        _ => gotest::detect(body).or_else(|| markdown::looks_like_markdown(body).then_some(Format::Markdown)),
    }
}

/// Parses an artifact; `format` `None` means detect it from the content.
pub fn parse(bytes: &[u8], format: Option<Format>) -> Result<ParsedReport, IngestError> {
    if skip_bom_and_space(bytes).is_empty() {
        return Err(IngestError::Malformed {
            format: format.map_or("report", Format::display_name),
            message: "empty document".into(),
            line: Some(1),
            column: Some(1),
        });
    }
    // .NET tools and Windows PowerShell redirection write UTF-16; every parser reads UTF-8.
    let utf8 = utf16_to_utf8(bytes);
    let bytes = utf8.as_deref().unwrap_or(bytes);
    let format = match format {
        Some(f) => f,
        None => detect_utf8(bytes).ok_or(IngestError::UnknownFormat)?,
    };
    let mut report = match format {
        Format::ReadyboardJson => readyboard_json::parse(bytes)?,
        Format::Junit => junit::parse(bytes)?,
        Format::Ctrf => ctrf::parse(bytes)?,
        Format::Trx => trx::parse(bytes)?,
        Format::Nunit => nunit::parse(bytes)?,
        Format::Xunit => xunit::parse(bytes)?,
        Format::Gotest => gotest::parse(bytes)?,
        Format::Jest => jest::parse(bytes)?,
        Format::Playwright => playwright::parse(bytes)?,
        Format::PytestJson => pytest_json::parse(bytes)?,
        Format::Mocha => mocha::parse(bytes)?,
        Format::Sarif => sarif::parse(bytes)?,
        Format::K6 => k6::parse(bytes)?,
        Format::Markdown => markdown::parse(bytes)?,
    };
    report.format = format.as_str().to_string();
    crate::limits::enforce(&mut report)?;
    Ok(report)
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A UTF-16 document (byte order mark, or an XML document starting `<` `\0`) re-encoded
/// as UTF-8, its declared `encoding` left as written (the XML readers ignore it); `None`
/// for anything else. Unpaired surrogates become U+FFFD, as a text editor would show them.
fn utf16_to_utf8(bytes: &[u8]) -> Option<Vec<u8>> {
    let (encoding, body) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (encoding_rs::UTF_16LE, rest),
        [0xFE, 0xFF, rest @ ..] => (encoding_rs::UTF_16BE, rest),
        [b'<', 0, c, 0, ..] if *c != 0 => (encoding_rs::UTF_16LE, bytes),
        [0, b'<', 0, c, ..] if *c != 0 => (encoding_rs::UTF_16BE, bytes),
        _ => return None,
    };
    let (text, _) = encoding.decode_without_bom_handling(body);
    Some(text.into_owned().into_bytes())
}

/// `bytes` without a leading UTF-8 byte order mark.
pub(crate) fn skip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

pub(crate) fn skip_bom_and_space(bytes: &[u8]) -> &[u8] {
    let b = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    &b[start..]
}

/// Walks the XML prolog (declaration, comments, processing instructions, DOCTYPE) and
/// looks at the root element's name alone: attributes vary by producer (converters write
/// NUnit's `<test-results>` with MSTest names and few attributes) and never decide the
/// format. A DOCTYPE is skipped here; the parser applies the DTD rule with a clear message.
fn detect_xml(mut s: &[u8]) -> Option<Format> {
    // Real prologs are short; a bound keeps detection cheap on hostile input.
    for _ in 0..64 {
        s = skip_bom_and_space(s);
        if s.starts_with(b"<?") {
            s = &s[find(s, b"?>")? + 2..];
        } else if s.starts_with(b"<!--") {
            s = &s[find(s, b"-->")? + 3..];
        } else if s.starts_with(b"<!") {
            s = skip_doctype(s)?;
        } else if let Some(rest) = s.strip_prefix(b"<") {
            let end =
                rest.iter().position(|c| c.is_ascii_whitespace() || matches!(c, b'>' | b'/')).unwrap_or(rest.len());
            let name = &rest[..end];
            let local = name.iter().rposition(|&c| c == b':').map_or(name, |p| &name[p + 1..]);
            return match local {
                b"testsuites" | b"testsuite" => Some(Format::Junit),
                b"TestRun" => Some(Format::Trx),
                b"test-results" | b"test-run" => Some(Format::Nunit),
                b"assemblies" | b"assembly" => Some(Format::Xunit),
                _ => None,
            };
        } else {
            return None;
        }
    }
    None
}

fn skip_doctype(s: &[u8]) -> Option<&[u8]> {
    let mut depth = 0usize;
    for (i, &c) in s.iter().enumerate() {
        match c {
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'>' if depth == 0 => return Some(&s[i + 1..]),
            _ => {}
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn detect_json(body: &[u8]) -> Option<Format> {
    use serde::Deserialize;
    use serde::de::IgnoredAny;

    #[derive(Deserialize)]
    struct Probe {
        schema: Option<serde_json::Value>,
        results: Option<ResultsProbe>,
        #[serde(rename = "$schema")]
        dollar_schema: Option<serde_json::Value>,
        version: Option<serde_json::Value>,
        runs: Option<IgnoredAny>,
        metrics: Option<IgnoredAny>,
        root_group: Option<IgnoredAny>,
        state: Option<IgnoredAny>,
    }
    #[derive(Deserialize)]
    struct ResultsProbe {
        tests: Option<IgnoredAny>,
    }

    match serde_json::from_slice::<Probe>(body) {
        Ok(p) => {
            if p.schema.as_ref().and_then(|v| v.as_str()) == Some(readyboard_json::SCHEMA_ID) {
                Some(Format::ReadyboardJson)
            } else if p.results.is_some_and(|r| r.tests.is_some()) {
                Some(Format::Ctrf)
            } else if p.runs.is_some()
                && (p
                    .dollar_schema
                    .as_ref()
                    .and_then(|v| v.as_str())
                    .is_some_and(|s| s.to_ascii_lowercase().contains("sarif"))
                    || p.version.as_ref().and_then(|v| v.as_str()) == Some("2.1.0"))
            {
                Some(Format::Sarif)
            } else if p.metrics.is_some()
                && (p.root_group.is_some() || p.state.is_some() || find(body, b"\"thresholds\"").is_some())
            {
                Some(Format::K6)
            } else {
                None
            }
        }
        // Broken JSON still deserves the right parser's error message with a position,
        // so fall back to a textual guess.
        Err(_) => {
            let head = &body[..body.len().min(64 * 1024)];
            if find(head, b"\"schema\"").is_some() && find(head, b"readyboard/v1").is_some() {
                Some(Format::ReadyboardJson)
            } else if find(head, b"\"results\"").is_some() && find(head, b"\"tests\"").is_some() {
                Some(Format::Ctrf)
            } else if find(head, b"\"runs\"").is_some()
                && (find(head, b"sarif").is_some() || find(head, b"\"2.1.0\"").is_some())
            {
                Some(Format::Sarif)
            } else if k6::is_output_stream(body)
                || (find(head, b"\"metrics\"").is_some()
                    && (find(head, b"\"root_group\"").is_some() || find(head, b"\"thresholds\"").is_some()))
            {
                Some(Format::K6)
            } else {
                None
            }
        }
    }
}

/// Recognises the test runners' JSON reports by their top-level keys.
fn detect_runner_json(body: &[u8]) -> Option<Format> {
    use serde::Deserialize;
    use serde::de::IgnoredAny;

    #[derive(Deserialize)]
    #[allow(non_snake_case)]
    struct Probe {
        testResults: Option<IgnoredAny>,
        numTotalTests: Option<IgnoredAny>,
        numTotalTestSuites: Option<IgnoredAny>,
        suites: Option<IgnoredAny>,
        config: Option<IgnoredAny>,
        stats: Option<IgnoredAny>,
        passes: Option<IgnoredAny>,
        failures: Option<IgnoredAny>,
        pending: Option<IgnoredAny>,
        exitcode: Option<IgnoredAny>,
        summary: Option<IgnoredAny>,
        created: Option<IgnoredAny>,
        collectors: Option<IgnoredAny>,
    }

    let p = match serde_json::from_slice::<Probe>(body) {
        Ok(p) => p,
        // A textual guess for broken JSON, so the right parser reports the position.
        Err(_) => {
            let head = &body[..body.len().min(64 * 1024)];
            let has = |k: &[u8]| find(head, k).is_some();
            return if has(b"\"numTotalTests\"") || (has(b"\"testResults\"") && has(b"\"assertionResults\"")) {
                Some(Format::Jest)
            } else if has(b"\"suites\"") && has(b"\"specs\"") {
                Some(Format::Playwright)
            } else if has(b"\"exitcode\"") && (has(b"\"summary\"") || has(b"\"nodeid\"")) {
                Some(Format::PytestJson)
            } else if has(b"\"stats\"") && has(b"\"passes\"") {
                Some(Format::Mocha)
            } else {
                None
            };
        }
    };
    if p.testResults.is_some() && (p.numTotalTests.is_some() || p.numTotalTestSuites.is_some()) {
        Some(Format::Jest)
    } else if p.suites.is_some() && (p.config.is_some() || p.stats.is_some()) {
        Some(Format::Playwright)
    } else if p.exitcode.is_some() && (p.summary.is_some() || p.created.is_some() || p.collectors.is_some()) {
        Some(Format::PytestJson)
    } else if p.stats.is_some() && (p.passes.is_some() || p.failures.is_some() || p.pending.is_some()) {
        Some(Format::Mocha)
    } else if p.testResults.is_some() {
        // A bare array of per-file results without the aggregate counters is still Jest.
        Some(Format::Jest)
    } else {
        None
    }
}

/// Cuts `s` to at most `max` bytes, on a character boundary.
pub(crate) fn truncate_on_char(s: &mut String, max: usize) {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}

/// Appends as much of `src` as fits within `max` bytes in total, on a character boundary.
pub(crate) fn push_bounded(dst: &mut String, src: &str, max: usize) {
    let room = max.saturating_sub(dst.len());
    if room == 0 {
        return;
    }
    if src.len() <= room {
        dst.push_str(src);
    } else {
        let mut end = room;
        while !src.is_char_boundary(end) {
            end -= 1;
        }
        dst.push_str(&src[..end]);
    }
}

/// A bounded copy of `s`.
pub(crate) fn bounded(s: &str, max: usize) -> String {
    let mut out = String::new();
    push_bounded(&mut out, s, max);
    out
}

/// First non-blank line of `s`, trimmed and bounded to a message.
pub(crate) fn first_line(s: &str) -> String {
    let line = s.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    bounded(line, MAX_MESSAGE_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in Format::SUPPORTED {
            assert_eq!(Format::parse_name(f.as_str()), Some(*f));
        }
        assert_eq!(Format::parse_name("JUnit"), Some(Format::Junit));
        assert_eq!(Format::parse_name("no-such-format"), None);
    }

    #[test]
    fn detects_junit_roots() {
        assert_eq!(detect(b"<testsuites/>"), Some(Format::Junit));
        assert_eq!(
            detect(b"\xEF\xBB\xBF\r\n<?xml version=\"1.0\"?>\n<!-- c -->\n<testsuite name=\"x\">"),
            Some(Format::Junit)
        );
        assert_eq!(
            detect(b"<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><testsuites>"),
            Some(Format::Junit)
        );
        assert_eq!(detect(b"<html><body/></html>"), None);
        assert_eq!(detect(b"<testsuitesX/>"), None);
    }

    #[test]
    fn detects_json_formats() {
        assert_eq!(detect(br#"{"schema":"readyboard/v1","project":"p"}"#), Some(Format::ReadyboardJson));
        assert_eq!(detect(br#" {"results":{"tests":[]}}"#), Some(Format::Ctrf));
        assert_eq!(detect(br#"{"results":{}}"#), None);
        assert_eq!(detect(br#"{"schema":"readyboard/v1", "checks": ["#), Some(Format::ReadyboardJson));
        assert_eq!(detect(b"plain text"), None);
        assert_eq!(detect(b""), None);
    }

    #[test]
    fn detects_runner_formats() {
        assert_eq!(detect(b"<?xml version=\"1.0\"?><TestRun xmlns=\"x\">"), Some(Format::Trx));
        assert_eq!(detect(b"<test-run id=\"0\">"), Some(Format::Nunit));
        assert_eq!(detect(b"<test-results total=\"0\">"), Some(Format::Nunit));
        assert_eq!(detect(b"<assemblies>"), Some(Format::Xunit));
        assert_eq!(detect(b"<assembly name=\"a.dll\">"), Some(Format::Xunit));
        assert_eq!(
            detect(b"{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"T\"}\n{\"Action\":\"pass\"}\n"),
            Some(Format::Gotest)
        );
        assert_eq!(detect(br#"{"numTotalTests": 0, "testResults": []}"#), Some(Format::Jest));
        assert_eq!(detect(br#"{"config": {}, "suites": [], "stats": {}}"#), Some(Format::Playwright));
        assert_eq!(detect(br#"{"exitcode": 0, "summary": {"total": 0}}"#), Some(Format::PytestJson));
        assert_eq!(detect(br#"{"stats": {}, "tests": [], "passes": []}"#), Some(Format::Mocha));
        // Broken documents still go to the parser that can point at the problem.
        assert_eq!(detect(b"{\"numTotalTests\": 1, \"testResults\": ["), Some(Format::Jest));
        assert_eq!(detect(b"{\"stats\": {}, \"passes\": ["), Some(Format::Mocha));
        // Existing formats keep their detection.
        assert_eq!(detect(br#"{"results":{"tests":[]}}"#), Some(Format::Ctrf));
        assert_eq!(detect(b"<testsuite/>"), Some(Format::Junit));
    }

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        out.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        out
    }

    #[test]
    fn nunit_is_detected_by_its_root_whatever_its_attributes() {
        // A converter's NUnit 2 file with MSTest names, no declaration of totals, a DOCTYPE.
        let xml = "<?xml version=\"1.0\" encoding=\"utf-16\"?>\r\n<!DOCTYPE test-results>\r\n<test-results>\r\n  <test-suite name=\"MyTests.UnitTest1\"><results>\r\n    <test-case name=\"MyTests.UnitTest1.TestMethod1\" executed=\"True\"/>\r\n  </results></test-suite>\r\n</test-results>";
        assert_eq!(detect(xml.as_bytes()), Some(Format::Nunit));
        assert_eq!(detect(b"<ns:test-run xmlns:ns=\"urn:x\"/>"), Some(Format::Nunit));
        // Written as UTF-16 (Windows PowerShell redirection, .NET writers), with or without BOM.
        for bytes in [utf16le(xml, true), utf16le(xml, false)] {
            assert_eq!(detect(&bytes), Some(Format::Nunit));
            let r = parse(&bytes, None).unwrap();
            assert_eq!(r.format, "nunit");
            assert_eq!(r.checks.len(), 1);
            assert_eq!(r.checks[0].status, crate::model::Status::Pass);
        }
        let mut be = vec![0xFE, 0xFF];
        be.extend("<TestRun/>".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(detect(&be), Some(Format::Trx));
    }

    #[test]
    fn runner_aliases() {
        assert_eq!(Format::parse_name("go-test2json"), Some(Format::Gotest));
        assert_eq!(Format::parse_name("test2json"), Some(Format::Gotest));
        assert_eq!(Format::parse_name("pytest-json-report"), Some(Format::PytestJson));
        assert_eq!(Format::parse_name("xunit"), Some(Format::Xunit));
        assert_eq!(Format::parse_name("NUnit"), Some(Format::Nunit));
    }

    #[test]
    fn detects_sarif_k6_and_markdown() {
        assert_eq!(detect(br#"{"$schema": "https://x/sarif-schema-2.1.0.json", "runs": []}"#), Some(Format::Sarif));
        assert_eq!(detect(br#"{"version": "2.1.0", "runs": [{"results": []}]}"#), Some(Format::Sarif));
        assert_eq!(detect(br#"{"version": "2.1.0"}"#), None);
        assert_eq!(detect(br#"{"metrics": {}, "root_group": {}}"#), Some(Format::K6));
        assert_eq!(detect(br#"{"state": {}, "metrics": {}}"#), Some(Format::K6));
        assert_eq!(detect(br#"{"metrics": {"x": {"thresholds": {"p(95)<1": true}}}}"#), Some(Format::K6));
        assert_eq!(detect(br#"{"metrics": {}}"#), None);
        assert_eq!(
            detect(b"{\"type\":\"Metric\",\"data\":{},\"metric\":\"vus\"}\n{\"type\":\"Point\",\"data\":{},\"metric\":\"vus\"}\n"),
            Some(Format::K6)
        );
        assert_eq!(detect(b"# Phase 4 Report\n"), Some(Format::Markdown));
        // Markdown never takes JSON or XML, even when they mention headings.
        assert_eq!(detect(br##"{"schema":"readyboard/v1","title":"# x"}"##), Some(Format::ReadyboardJson));
        assert_eq!(detect(b"<testsuites><!-- # x --></testsuites>"), Some(Format::Junit));
    }

    #[test]
    fn empty_input_is_malformed() {
        let e = parse(b"  \n", None).unwrap_err();
        assert!(e.to_string().contains("empty document"), "{e}");
        let e = parse(b"", Some(Format::Junit)).unwrap_err();
        assert!(matches!(e, IngestError::Malformed { format: "JUnit XML", .. }));
    }

    #[test]
    fn unknown_content_is_unknown_format() {
        assert!(matches!(parse(b"hello", None), Err(IngestError::UnknownFormat)));
    }

    #[test]
    fn bounds_cut_on_char_boundaries() {
        let mut s = String::from("aé");
        truncate_on_char(&mut s, 2);
        assert_eq!(s, "a");
        let mut d = String::from("x");
        push_bounded(&mut d, "éé", 4);
        assert_eq!(d, "xé");
        assert_eq!(first_line("\n  hello \nworld"), "hello");
    }

    #[test]
    fn schema_is_json() {
        let v: serde_json::Value = serde_json::from_str(REPORT_SCHEMA).unwrap();
        assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
    }
}
