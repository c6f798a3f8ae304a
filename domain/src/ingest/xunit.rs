//! xUnit.net XML (v2 `<assemblies><assembly><collection><test>`, and the v1 layout with
//! `<class>` in place of `<collection>`), read as a stream.
//!
//! One check per `<test>`. Assembly-level `<errors>` (fixture or collection clean-up
//! failures) are not tests; they become notes.

use super::IngestError;
use super::common::parse_seconds;
use super::text::{self, basename, join_path};
use super::xml::{self, Tag, XmlReader, get};
use crate::model::{Check, ParsedReport, Status};

const FORMAT: &str = "xUnit.net XML";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Assemblies,
    Assembly,
    Test,
    Failure,
    Message,
    StackTrace,
    Reason,
    Output,
    Errors,
    Error,
    Other,
}

#[derive(Default)]
struct TestState {
    name: String,
    class: String,
    result: String,
    duration_ms: Option<f64>,
    exception: String,
    message: String,
    stack: String,
    reason: String,
    output: String,
}

/// Maps an xUnit.net `result` to a check status: `Pass`, `Fail`, `Skip` as xUnit.net counts
/// them; `NotRun` (xUnit.net v3, a test left out of the run, e.g. an explicit one) and
/// anything unknown → not run.
pub fn map_result(result: &str) -> Status {
    match result.trim().to_ascii_lowercase().as_str() {
        "pass" | "passed" => Status::Pass,
        "fail" | "failed" => Status::Fail,
        "skip" | "skipped" => Status::Skip,
        _ => Status::NotRun,
    }
}

/// Parses xUnit.net XML into checks (one per `<test>`).
pub fn parse(input: &[u8]) -> Result<ParsedReport, IngestError> {
    xml::drive(input, FORMAT, XunitReader::new())
}

/// What has been read of an xUnit.net document so far.
struct XunitReader {
    assembly: String,
    test: Option<TestState>,
    checks: Vec<Check>,
    notes: Vec<String>,
    error_name: String,
    error_text: String,
}

impl XunitReader {
    /// An empty reader, before the root element.
    fn new() -> XunitReader {
        XunitReader {
            assembly: String::new(),
            test: None,
            checks: Vec::new(),
            notes: Vec::new(),
            error_name: String::new(),
            error_text: String::new(),
        }
    }
}

impl XmlReader for XunitReader {
    type Kind = Kind;

    fn open(&mut self, stack: &[Kind], tag: &Tag<'_, '_>) -> Result<Kind, IngestError> {
        let name = tag.name();
        Ok(match (stack.last().copied(), name.as_slice()) {
            (None, b"assemblies") => Kind::Assemblies,
            (None | Some(Kind::Assemblies), b"assembly") => {
                let n = tag.attr(b"name")?.unwrap_or_default();
                // The assembly is named by its path on the build machine.
                self.assembly = basename(&n).to_string();
                Kind::Assembly
            }
            (None, other) => {
                return Err(IngestError::NotAReport(format!(
                    "root element <{}> is not an xUnit.net <assemblies> or <assembly>",
                    String::from_utf8_lossy(other)
                )));
            }
            (Some(_), b"test") if self.test.is_none() && stack.contains(&Kind::Assembly) => {
                self.test = Some(test_state(&tag.attrs()?));
                Kind::Test
            }
            (Some(Kind::Test), b"failure") => {
                if let Some(t) = self.test.as_mut() {
                    t.exception = tag.attr(b"exception-type")?.unwrap_or_default();
                }
                Kind::Failure
            }
            (Some(Kind::Failure), b"message") if self.test.is_some() => Kind::Message,
            (Some(Kind::Failure), b"stack-trace") if self.test.is_some() => Kind::StackTrace,
            (Some(Kind::Test), b"reason") => Kind::Reason,
            (Some(Kind::Test), b"output") => Kind::Output,
            (Some(Kind::Assembly), b"errors") => Kind::Errors,
            (Some(Kind::Errors), b"error") => {
                let a = tag.attrs()?;
                let ty = get(&a, "type").unwrap_or("error");
                self.error_name = match get(&a, "name") {
                    Some(n) => format!("{ty} {n}"),
                    None => ty.to_string(),
                };
                self.error_text.clear();
                Kind::Error
            }
            _ => Kind::Other,
        })
    }

    /// Text is kept when it belongs to a test or to an assembly error.
    fn text_target(&mut self, stack: &[Kind]) -> Option<&mut String> {
        match (stack.last(), self.test.as_mut()) {
            (Some(Kind::Message), Some(t)) => Some(&mut t.message),
            (Some(Kind::StackTrace), Some(t)) => Some(&mut t.stack),
            (Some(Kind::Reason), Some(t)) => Some(&mut t.reason),
            (Some(Kind::Output), Some(t)) => Some(&mut t.output),
            (Some(Kind::Other), None) if stack.contains(&Kind::Error) => Some(&mut self.error_text),
            _ => None,
        }
    }

    /// A closing element: a test becomes a check, an assembly error a note.
    fn close(&mut self, kind: Kind) {
        match kind {
            Kind::Test => {
                if let Some(t) = self.test.take() {
                    self.checks.push(check(t, &self.assembly));
                }
            }
            Kind::Error => {
                let msg = text::message_of(&self.error_text);
                self.notes.push(text::note(format!("{}: {} failed: {msg}", self.assembly, self.error_name)));
            }
            _ => {}
        }
    }

    /// The report: the checks and the assembly errors' notes.
    fn finish(self) -> ParsedReport {
        ParsedReport {
            format: super::Format::Xunit.as_str().to_string(),
            checks: self.checks,
            notes: self.notes,
            ..ParsedReport::default()
        }
    }
}

/// A `<test>` as its opening tag describes it.
fn test_state(a: &[(Vec<u8>, String)]) -> TestState {
    TestState {
        name: get(a, "name").unwrap_or("").to_string(),
        class: get(a, "type").unwrap_or("").to_string(),
        result: get(a, "result").unwrap_or("").to_string(),
        duration_ms: get(a, "time").and_then(parse_seconds),
        ..TestState::default()
    }
}

fn check(t: TestState, assembly: &str) -> Check {
    let status = map_result(&t.result);
    // Names are "Ns.Class.Method(args)" unless a display name was set.
    let name = t
        .name
        .strip_prefix(t.class.as_str())
        .and_then(|r| r.strip_prefix('.'))
        .filter(|r| !t.class.is_empty() && !r.is_empty())
        .unwrap_or(&t.name);
    let name = if name.is_empty() { "(unnamed)".to_string() } else { name.to_string() };
    let message = match status {
        Status::Skip => text::message_of(&t.reason),
        _ if !t.message.trim().is_empty() => text::message_of(&t.message),
        _ => text::short(&t.exception),
    };
    let failure =
        if t.stack.trim().is_empty() { t.message.clone() } else { format!("{}\n{}", t.message.trim_end(), t.stack) };
    Check {
        id: text::check_id(&t.class, &name),
        name,
        suite_path: join_path([assembly, t.class.as_str()]),
        status,
        weight: 1.0,
        duration_ms: t.duration_ms,
        message,
        details: text::details_of(&failure, &t.output),
        ..Check::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_v2_assemblies() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?>
<assemblies timestamp="06/28/2021 20:23:41">
  <assembly name="/home/ci/Calc.Tests.dll" total="4" passed="1" failed="1" skipped="1" time="0.5">
    <errors>
      <error type="class-cleanup" name="Calc.Fixture"><failure exception-type="System.Exception"><message>dispose failed</message></failure></error>
    </errors>
    <collection name="Test collection for Calc.CalcTests" total="4">
      <test name="Calc.CalcTests.Adds" type="Calc.CalcTests" method="Adds" time="0.0100" result="Pass"/>
      <test name="Calc.CalcTests.Divides(x: 0)" type="Calc.CalcTests" method="Divides" time="0.2" result="Fail">
        <failure exception-type="System.DivideByZeroException"><message><![CDATA[Attempted to divide by zero.]]></message><stack-trace><![CDATA[at Calc.cs:line 9]]></stack-trace></failure>
        <output>log</output>
      </test>
      <test name="Later" type="Calc.CalcTests" method="Later" time="0" result="Skip"><reason><![CDATA[not today]]></reason></test>
      <test name="Calc.CalcTests.Odd" type="Calc.CalcTests" method="Odd" result="NotRun"/>
    </collection>
  </assembly>
</assemblies>"#;
        let r = parse(xml.as_bytes()).unwrap();
        let st: Vec<Status> = r.checks.iter().map(|c| c.status).collect();
        assert_eq!(st, vec![Status::Pass, Status::Fail, Status::Skip, Status::NotRun]);
        let c = &r.checks[1];
        assert_eq!(c.name, "Divides(x: 0)");
        assert_eq!(c.id, "Calc.CalcTests::Divides(x: 0)");
        assert_eq!(c.suite_path, "Calc.Tests.dll › Calc.CalcTests");
        assert_eq!(c.message, "Attempted to divide by zero.");
        assert!(c.details.contains("line 9") && c.details.contains("log"));
        assert_eq!(r.checks[0].duration_ms, Some(10.0));
        assert_eq!(r.checks[2].message, "not today");
        assert_eq!(r.notes.len(), 1);
        assert!(r.notes[0].contains("class-cleanup Calc.Fixture failed: dispose failed"), "{:?}", r.notes);
    }

    #[test]
    fn parses_v1_and_bare_assembly() {
        let xml = r#"<assembly name="C:\w\T.dll"><class name="T.A"><test name="T.A.B" type="T.A" method="B" result="Pass" time="1"/></class></assembly>"#;
        let r = parse(xml.as_bytes()).unwrap();
        assert_eq!(r.checks.len(), 1);
        assert_eq!(r.checks[0].suite_path, "T.dll › T.A");
        assert_eq!(r.checks[0].duration_ms, Some(1000.0));
    }

    #[test]
    fn v3_not_run_and_a_doctype() {
        let xml = "<!DOCTYPE assemblies>\n<assemblies><assembly name=\"/ci/T.dll\"><collection>\
            <test name=\"T.A\" type=\"T\" result=\"Pass\"/><test name=\"T.B\" type=\"T\" result=\"NotRun\"/>\
            <test name=\"T.C\" type=\"T\" result=\"Skip\"><reason>later</reason></test></collection></assembly></assemblies>";
        let r = parse(xml.as_bytes()).unwrap();
        let st: Vec<Status> = r.checks.iter().map(|c| c.status).collect();
        assert_eq!(st, vec![Status::Pass, Status::NotRun, Status::Skip]);
    }

    #[test]
    fn rejects_other_roots() {
        assert!(matches!(parse(b"<testsuites/>"), Err(IngestError::NotAReport(_))));
        assert!(matches!(parse(b"<assemblies><assembly>"), Err(IngestError::Malformed { .. })));
    }
}
