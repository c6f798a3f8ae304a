//! JUnit XML in all its dialects (surefire, pytest, jest-junit, go-junit-report, gotestsum,
//! nextest, PHPUnit, googletest, Playwright, Cypress, …), read as a stream.
//!
//! Only `<testcase>` elements are counted: declared totals are wrong too often to use.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::common::{parse_seconds, test_check};
use super::text::append_output;
use super::{IngestError, MAX_DETAILS_BYTES, MAX_MESSAGE_BYTES, bounded, first_line, push_bounded, truncate_on_char};
use crate::model::{Check, ParsedReport, Status};

const FORMAT: &str = "JUnit XML";
/// Deepest element nesting accepted; real files stay under ten levels.
pub const MAX_DEPTH: usize = 64;
/// Share of `details` reserved for captured stdout/stderr.
const MAX_OUTPUT_BYTES: usize = 4 * 1024;
const SUITE_SEPARATOR: &str = " › ";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Suites,
    Suite,
    Case,
    Result(ResultKind),
    Output,
    SuiteError,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResultKind {
    Failure,
    Error,
    Skipped,
    /// flakyFailure / rerunFailure / flakyError / rerunError: an earlier attempt, not the result.
    Attempt,
}

#[derive(Default)]
struct CaseState {
    name: String,
    classname: String,
    duration_ms: Option<f64>,
    /// Skipped by attribute (`status="disabled"`, googletest `result="skipped"`), whatever
    /// the children say.
    attr_skip: bool,
    has_error: bool,
    has_failure: bool,
    has_skipped: bool,
    message: String,
    message_rank: u8,
    details: String,
    output: String,
    attempts: u32,
}

impl CaseState {
    fn reset(&mut self) {
        self.name.clear();
        self.classname.clear();
        self.duration_ms = None;
        self.attr_skip = false;
        self.has_error = false;
        self.has_failure = false;
        self.has_skipped = false;
        self.message.clear();
        self.message_rank = 0;
        self.details.clear();
        self.output.clear();
        self.attempts = 0;
    }
}

struct Parser<'a> {
    input: &'a [u8],
    stack: Vec<Kind>,
    suites: Vec<String>,
    /// Open suite names joined, rebuilt only when a suite opens or closes.
    suite_prefix: String,
    case: Option<CaseState>,
    /// A finished case kept so its buffers are reused by the next one.
    spare: CaseState,
    /// Text of the result/output element being read; reused to avoid per-event allocation.
    text: String,
    /// `message` attribute of the result element being read.
    pending_message: String,
    roots: usize,
    report: ParsedReport,
}

/// Parses JUnit XML into checks (one per `<testcase>`).
pub fn parse(input: &[u8]) -> Result<ParsedReport, IngestError> {
    if let Err(e) = std::str::from_utf8(input) {
        return Err(IngestError::malformed_at(FORMAT, "document is not valid UTF-8", input, e.valid_up_to()));
    }
    // `contains` is memchr-backed; the position is only needed on the error path.
    if input.contains(&0)
        && let Some(p) = input.iter().position(|&b| b == 0)
    {
        return Err(IngestError::malformed_at(FORMAT, "NUL character is not allowed in XML", input, p));
    }
    let start = if input.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    if super::skip_bom_and_space(input).is_empty() {
        return Err(IngestError::malformed_at(FORMAT, "empty document", input, 0));
    }
    let mut p = Parser {
        input,
        stack: Vec::with_capacity(16),
        suites: Vec::new(),
        suite_prefix: String::new(),
        case: None,
        spare: CaseState::default(),
        text: String::new(),
        pending_message: String::new(),
        roots: 0,
        report: ParsedReport { format: super::Format::Junit.as_str().to_string(), ..ParsedReport::default() },
    };
    // One check per few hundred bytes is typical; reserving up front avoids repeatedly
    // copying a large vector of checks as it grows.
    p.report.checks.reserve(input.len() / 512);
    p.run(start)?;
    Ok(p.report)
}

impl<'a> Parser<'a> {
    fn err(&self, message: impl Into<String>, offset: usize) -> IngestError {
        IngestError::malformed_at(FORMAT, message, self.input, offset)
    }

    fn run(&mut self, start: usize) -> Result<(), IngestError> {
        let mut reader = Reader::from_reader(&self.input[start..]);
        reader.config_mut().check_end_names = true;
        loop {
            let pos = reader.buffer_position() as usize + start;
            let event = match reader.read_event() {
                Ok(ev) => ev,
                Err(e) => {
                    let at = reader.error_position() as usize + start;
                    return Err(self.err(e.to_string(), at));
                }
            };
            match event {
                Event::Start(e) => {
                    let kind = self.open(&e, pos)?;
                    self.stack.push(kind);
                }
                Event::Empty(e) => {
                    let kind = self.open(&e, pos)?;
                    self.close(kind);
                }
                Event::End(_) => {
                    if let Some(kind) = self.stack.pop() {
                        self.close(kind);
                    }
                }
                Event::Text(t) => {
                    if self.stack.is_empty() {
                        if let Some(i) = t.iter().position(|c| !c.is_ascii_whitespace()) {
                            return Err(self.err("text outside the root element (is this XML?)", pos + i));
                        }
                    } else if self.capturing() {
                        let s = t.unescape().map_err(|e| self.err(super::xml::unescape_message(&e), pos))?;
                        push_bounded(&mut self.text, &s, MAX_DETAILS_BYTES);
                    }
                }
                Event::CData(c) => {
                    if self.stack.is_empty() {
                        return Err(self.err("CDATA outside the root element", pos));
                    }
                    if self.capturing() {
                        // Validated as UTF-8 up front, so this cannot fail in practice.
                        let s = String::from_utf8_lossy(&c);
                        push_bounded(&mut self.text, &s, MAX_DETAILS_BYTES);
                    }
                }
                // The DTD rule shared by every XML format (see `xml::doctype_rule`).
                Event::DocType(d) => {
                    if self.roots > 0 {
                        return Err(self.err("a DOCTYPE can only come before the root element", pos));
                    }
                    if let Err(message) = super::xml::doctype_rule(&d) {
                        return Err(self.err(message, pos));
                    }
                }
                Event::Eof => break,
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            }
        }
        if let Some(open) = self.stack.last() {
            let what = match open {
                Kind::Suites => "<testsuites>",
                Kind::Suite => "<testsuite>",
                Kind::Case => "<testcase>",
                _ => "an element",
            };
            return Err(self.err(format!("unexpected end of document: {what} is not closed"), self.input.len()));
        }
        if self.roots == 0 {
            return Err(self.err("no root element", self.input.len()));
        }
        Ok(())
    }

    fn capturing(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(
                Kind::Result(ResultKind::Failure | ResultKind::Error | ResultKind::Skipped)
                    | Kind::Output
                    | Kind::SuiteError
            )
        )
    }

    /// Handles an opening (or empty) tag and returns what it is.
    fn open(&mut self, e: &BytesStart<'_>, pos: usize) -> Result<Kind, IngestError> {
        // quick-xml tolerates `<` inside attribute values; XML does not.
        if e.contains(&b'<')
            && let Some(i) = e.iter().position(|&c| c == b'<')
        {
            return Err(self.err("'<' is not allowed inside a tag or attribute value", pos + 1 + i));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(IngestError::TooDeep);
        }
        let local = e.local_name();
        let name = local.as_ref();
        let parent = self.stack.last().copied();
        if parent.is_none() {
            self.roots += 1;
            if !matches!(name, b"testsuites" | b"testsuite") {
                return Err(IngestError::NotAReport(format!(
                    "root element <{}> is not a JUnit <testsuites> or <testsuite>",
                    String::from_utf8_lossy(name)
                )));
            }
        }
        let kind = match (parent, name) {
            (None | Some(Kind::Suites | Kind::Suite), b"testsuites") => Kind::Suites,
            (None | Some(Kind::Suites | Kind::Suite), b"testsuite") => {
                let suite = self.attr(e, b"name", pos)?.unwrap_or_default();
                self.suites.push(suite.trim().to_string());
                self.rebuild_prefix();
                Kind::Suite
            }
            (Some(Kind::Suites | Kind::Suite), b"testcase") if self.case.is_none() => {
                self.open_case(e, pos)?;
                Kind::Case
            }
            (Some(Kind::Case), _) => {
                let kind = match name {
                    b"failure" => Kind::Result(ResultKind::Failure),
                    b"error" => Kind::Result(ResultKind::Error),
                    b"skipped" => Kind::Result(ResultKind::Skipped),
                    b"flakyFailure" | b"flakyError" | b"rerunFailure" | b"rerunError" => {
                        Kind::Result(ResultKind::Attempt)
                    }
                    b"system-out" | b"system-err" => Kind::Output,
                    _ => Kind::Other,
                };
                if matches!(kind, Kind::Result(_)) {
                    self.text.clear();
                    self.pending_message.clear();
                    if let Some(m) = self.attr(e, b"message", pos)? {
                        push_bounded(&mut self.pending_message, m.trim(), MAX_MESSAGE_BYTES);
                    }
                } else if kind == Kind::Output {
                    self.text.clear();
                }
                kind
            }
            // A build or setup failure reported on the suite itself: not a test.
            (Some(Kind::Suite), b"error" | b"failure") => {
                self.text.clear();
                self.pending_message.clear();
                if let Some(m) = self.attr(e, b"message", pos)? {
                    push_bounded(&mut self.pending_message, m.trim(), MAX_MESSAGE_BYTES);
                }
                Kind::SuiteError
            }
            _ => Kind::Other,
        };
        Ok(kind)
    }

    fn attr<'e>(&self, e: &'e BytesStart<'_>, key: &[u8], pos: usize) -> Result<Option<Cow<'e, str>>, IngestError> {
        // Duplicate-attribute checks allocate per tag; a duplicate changes nothing here.
        for a in e.attributes().with_checks(false) {
            let a = a.map_err(|err| self.err(err.to_string(), pos))?;
            if a.key.local_name().as_ref() == key {
                let v = a.unescape_value().map_err(|err| self.err(super::xml::unescape_message(&err), pos))?;
                return Ok(Some(v));
            }
        }
        Ok(None)
    }

    fn open_case(&mut self, e: &BytesStart<'_>, pos: usize) -> Result<(), IngestError> {
        let mut case = std::mem::take(&mut self.spare);
        case.reset();
        let mut status_attr_skip = false;
        for a in e.attributes().with_checks(false) {
            let a = a.map_err(|err| self.err(err.to_string(), pos))?;
            let key = a.key.local_name();
            let key = key.as_ref();
            if !matches!(key, b"name" | b"classname" | b"class" | b"time" | b"status" | b"result") {
                continue;
            }
            let v = a.unescape_value().map_err(|err| self.err(super::xml::unescape_message(&err), pos))?;
            let v = v.trim();
            match key {
                b"name" => v.clone_into(&mut case.name),
                b"classname" => v.clone_into(&mut case.classname),
                b"class" if case.classname.is_empty() => v.clone_into(&mut case.classname),
                b"time" => case.duration_ms = parse_seconds(v),
                // `status="disabled"` (surefire, xunit), googletest `status="notrun"` and
                // `result="skipped"`/`"suppressed"`: not executed whatever the children say.
                b"status" | b"result"
                    if ["disabled", "notrun", "skipped", "ignored", "suppressed"]
                        .iter()
                        .any(|s| v.eq_ignore_ascii_case(s)) =>
                {
                    status_attr_skip = true;
                }
                _ => {}
            }
        }
        case.attr_skip = status_attr_skip;
        self.case = Some(case);
        Ok(())
    }

    fn rebuild_prefix(&mut self) {
        self.suite_prefix.clear();
        for s in self.suites.iter().filter(|s| !s.is_empty()) {
            if !self.suite_prefix.is_empty() {
                self.suite_prefix.push_str(SUITE_SEPARATOR);
            }
            self.suite_prefix.push_str(s);
        }
    }

    fn close(&mut self, kind: Kind) {
        match kind {
            Kind::Suite => {
                self.suites.pop();
                self.rebuild_prefix();
            }
            Kind::Case => {
                if let Some(mut case) = self.case.take() {
                    let check = self.finish_case(&mut case);
                    self.report.checks.push(check);
                    self.spare = case;
                }
            }
            Kind::Result(rk) => self.close_result(rk),
            Kind::Output => {
                if let Some(case) = self.case.as_mut() {
                    let out = self.text.trim();
                    if !out.is_empty() {
                        if !case.output.is_empty() {
                            push_bounded(&mut case.output, "\n", MAX_OUTPUT_BYTES);
                        }
                        push_bounded(&mut case.output, out, MAX_OUTPUT_BYTES);
                    }
                }
                self.text.clear();
            }
            Kind::SuiteError => {
                let message = if self.pending_message.is_empty() {
                    first_line(&self.text)
                } else {
                    std::mem::take(&mut self.pending_message)
                };
                let suite = self.suite_prefix.as_str();
                let mut note = if suite.is_empty() {
                    format!("suite-level error: {message}")
                } else {
                    format!("suite-level error in {suite}: {message}")
                };
                truncate_on_char(&mut note, MAX_MESSAGE_BYTES + 256);
                self.report.notes.push(note);
                self.text.clear();
            }
            Kind::Suites | Kind::Other => {}
        }
    }

    fn close_result(&mut self, rk: ResultKind) {
        let Some(case) = self.case.as_mut() else {
            return;
        };
        let rank = match rk {
            ResultKind::Attempt => {
                case.attempts += 1;
                return;
            }
            ResultKind::Skipped => {
                case.has_skipped = true;
                1
            }
            ResultKind::Failure => {
                case.has_failure = true;
                2
            }
            ResultKind::Error => {
                case.has_error = true;
                3
            }
        };
        if rank > case.message_rank {
            case.message_rank = rank;
            if self.pending_message.is_empty() {
                case.message = first_line(&self.text);
            } else {
                self.pending_message.clone_into(&mut case.message);
            }
        }
        let text = self.text.trim();
        if !text.is_empty() {
            if !case.details.is_empty() {
                push_bounded(&mut case.details, "\n\n", MAX_DETAILS_BYTES);
            }
            push_bounded(&mut case.details, text, MAX_DETAILS_BYTES);
        }
        self.text.clear();
        self.pending_message.clear();
    }

    fn finish_case(&self, case: &mut CaseState) -> Check {
        let status = if case.attr_skip {
            Status::Skip
        } else if case.has_error {
            Status::Error
        } else if case.has_failure {
            Status::Fail
        } else if case.has_skipped {
            Status::Skip
        } else {
            Status::Pass
        };
        // Strings are built at their final size: at 100k cases, growth and `format!`
        // reallocation showed up as a large share of the parse time.
        let last_suite = self.suites.iter().rev().find(|s| !s.is_empty());
        let add_class = !case.classname.is_empty() && last_suite != Some(&case.classname);
        let mut suite_path =
            String::with_capacity(self.suite_prefix.len() + SUITE_SEPARATOR.len() + case.classname.len());
        suite_path.push_str(&self.suite_prefix);
        if add_class {
            if !suite_path.is_empty() {
                suite_path.push_str(SUITE_SEPARATOR);
            }
            suite_path.push_str(&case.classname);
        }
        let name = if case.name.is_empty() { "(unnamed)".to_string() } else { std::mem::take(&mut case.name) };
        let scope = if !case.classname.is_empty() { case.classname.as_str() } else { suite_path.as_str() };
        let mut id = String::with_capacity(scope.len() + 2 + name.len());
        if !scope.is_empty() {
            id.push_str(scope);
            id.push_str("::");
        }
        id.push_str(&name);
        let mut details = String::new();
        if !case.details.is_empty() || !case.output.is_empty() {
            push_bounded(&mut details, &case.details, MAX_DETAILS_BYTES);
            append_output(&mut details, &case.output);
        }
        Check {
            duration_ms: case.duration_ms,
            message: bounded(&case.message, MAX_MESSAGE_BYTES),
            details,
            flaky: status == Status::Pass && case.attempts > 0,
            retries: case.attempts,
            ..test_check(id, name, suite_path, status)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(xml: &str) -> ParsedReport {
        parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn statuses(r: &ParsedReport) -> Vec<Status> {
        r.checks.iter().map(|c| c.status).collect()
    }

    #[test]
    fn counts_testcases_not_declared_totals() {
        let r = ok(r#"<testsuites tests="40"><testsuite name="a" tests="7" failures="3">
              <testcase classname="A" name="one" time="0.5"/>
              <testcase classname="A" name="two"><failure message="boom">trace</failure></testcase>
            </testsuite></testsuites>"#);
        assert_eq!(statuses(&r), vec![Status::Pass, Status::Fail]);
        assert_eq!(r.checks[0].id, "A::one");
        assert_eq!(r.checks[0].duration_ms, Some(500.0));
        assert_eq!(r.checks[1].message, "boom");
        assert_eq!(r.checks[1].details, "trace");
        assert_eq!(r.checks[1].suite_path, "a › A");
    }

    #[test]
    fn nested_suites_build_the_path() {
        let r = ok(r#"<testsuite name="root"><testsuite name="mid"><testsuite name="leaf">
              <testcase name="t"/></testsuite></testsuite></testsuite>"#);
        assert_eq!(r.checks[0].suite_path, "root › mid › leaf");
        assert_eq!(r.checks[0].id, "root › mid › leaf::t");
    }

    #[test]
    fn most_severe_result_wins() {
        let r = ok(r#"<testsuite name="s">
              <testcase name="a"><skipped/><failure message="f"/><error message="e"/></testcase>
              <testcase name="b"><failure/><failure/></testcase>
              <testcase name="c"><skipped message="later"/></testcase>
              <testcase name="d" status="disabled"><failure/></testcase>
              <testcase name="e" status="notrun"/>
              <testcase name="f" status="run" result="completed"/>
              <testcase name="g" result="skipped"><skipped/></testcase>
            </testsuite>"#);
        assert_eq!(
            statuses(&r),
            vec![Status::Error, Status::Fail, Status::Skip, Status::Skip, Status::Skip, Status::Pass, Status::Skip]
        );
        assert_eq!(r.checks[0].message, "e");
        assert_eq!(r.checks[2].message, "later");
    }

    #[test]
    fn flaky_attempts_do_not_fail_a_passing_test() {
        let r = ok(r#"<testsuite name="s">
              <testcase classname="C" name="flaky"><flakyFailure message="x"><system-out>o</system-out></flakyFailure><flakyError/></testcase>
              <testcase classname="C" name="broken"><failure/><rerunFailure/><rerunFailure/></testcase>
            </testsuite>"#);
        assert_eq!(statuses(&r), vec![Status::Pass, Status::Fail]);
        assert!(r.checks[0].flaky);
        assert_eq!(r.checks[0].retries, 2);
        assert!(!r.checks[1].flaky);
        assert_eq!(r.checks[1].retries, 2);
    }

    #[test]
    fn duplicates_are_kept() {
        let r = ok(
            r#"<testsuite name="s"><testcase classname="C" name="x"/><testcase classname="C" name="x"/></testsuite>"#,
        );
        assert_eq!(r.checks.len(), 2);
        assert_eq!(r.checks[0].id, r.checks[1].id);
    }

    #[test]
    fn encodings_entities_and_cdata() {
        let xml = "\u{FEFF}<?xml version=\"1.0\"?>\r\n<testsuite name=\"s\">\r\n<testcase name=\"a &amp; b &#x1F600; &#65;\"><failure><![CDATA[line1 <x>\r\n]]>tail &lt;</failure><system-out>hello</system-out></testcase></testsuite>";
        let r = ok(xml);
        assert_eq!(r.checks[0].name, "a & b 😀 A");
        assert_eq!(r.checks[0].message, "line1 <x>");
        assert!(r.checks[0].details.starts_with("line1 <x>"));
        assert!(r.checks[0].details.contains("tail <"));
        assert!(r.checks[0].details.contains("hello"));
    }

    #[test]
    fn suite_level_error_is_a_note() {
        let r = ok(
            r#"<testsuites><testsuite name="pkg" tests="1" errors="1"><error message="build failed"/></testsuite></testsuites>"#,
        );
        assert!(r.checks.is_empty());
        assert_eq!(r.notes.len(), 1);
        assert!(r.notes[0].contains("build failed"), "{:?}", r.notes);
    }

    #[test]
    fn rejects_doctype() {
        let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<testsuite><testcase name=\"&xxe;\"/></testsuite>";
        let e = parse(xml.as_bytes()).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("DOCTYPE"), "{msg}");
        assert!(matches!(e, IngestError::Malformed { line: Some(2), .. }), "{e:?}");
    }

    #[test]
    fn unknown_entities_are_errors() {
        assert!(parse(b"<testsuite><testcase name=\"&foo;\"/></testsuite>").is_err());
    }

    #[test]
    fn broken_inputs_are_malformed_with_position() {
        for bad in [
            "<testsuite name=\"s\"><testcase name=\"a\">",
            "<testsuite><testcase name=\"a\"><failure><![CDATA[oops</failure></testcase></testsuite>",
            "<testsuite><testcase time=\"<<x>>\" name=\"a\"/></testsuite>",
            "<testsuite>\0</testsuite>",
            "just some text\n",
            "<testsuite></testcase>",
            "\u{FEFF}  \r\n",
        ] {
            match parse(bad.as_bytes()) {
                Err(IngestError::Malformed { line: Some(_), column: Some(_), .. }) => {}
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
        let e = parse(b"<testsuite>\n  <testcase name=\"a\">\n").unwrap_err();
        assert!(e.to_string().contains("not closed"), "{e}");
    }

    #[test]
    fn other_roots_are_not_reports() {
        assert!(matches!(parse(b"<html/>"), Err(IngestError::NotAReport(_))));
    }

    #[test]
    fn depth_is_bounded() {
        let mut xml = String::from("<testsuites>");
        for _ in 0..100 {
            xml.push_str("<testsuite>");
        }
        assert!(matches!(parse(xml.as_bytes()), Err(IngestError::TooDeep)));
    }

    #[test]
    fn messages_and_details_are_bounded() {
        let long = "é".repeat(10_000);
        let xml = format!(
            "<testsuite><testcase name=\"a\"><failure message=\"{long}\">{long}</failure><system-err>{long}</system-err></testcase></testsuite>"
        );
        let r = ok(&xml);
        assert!(r.checks[0].message.len() <= MAX_MESSAGE_BYTES);
        assert!(r.checks[0].details.len() <= MAX_DETAILS_BYTES);
    }

    #[test]
    fn empty_root_has_no_checks() {
        let r = ok(r#"<testsuites tests="3"/>"#);
        assert!(r.checks.is_empty());
    }
}
