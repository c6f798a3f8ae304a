//! NUnit XML: NUnit 2 (`<test-results>`) and NUnit 3 (`<test-run>`), read as a stream.
//!
//! One check per `<test-case>`; declared totals are ignored (NUnit 2's `total` leaves out
//! tests that did not run). Suite-level set-up/tear-down failures and invalid fixtures are
//! kept as notes: they are not tests, but they must stay visible.

use super::IngestError;
use super::common::{self, parse_seconds};
use super::text::{self, basename, join_path};
use super::xml::{self, Tag, XmlReader, get};
use crate::model::{Check, ParsedReport, RunMeta, Status};

const FORMAT: &str = "NUnit XML";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Root,
    Suite,
    Case,
    /// `<failure>` or `<reason>` of a case or a suite.
    Result,
    Message,
    StackTrace,
    Output,
    Other,
}

struct SuiteState {
    /// Name shown in the path; empty for levels left out of it.
    path_name: String,
    /// Name used for notes.
    name: String,
    result: String,
    label: String,
    site: String,
    message: String,
    /// NUnit's console counts every test below a fixture whose one-time tear-down threw
    /// (`Failed`, `Error`, site `TearDown`) as an error, whatever its own result.
    teardown_error: bool,
}

#[derive(Default)]
struct CaseState {
    name: String,
    fullname: String,
    result: String,
    label: String,
    executed: Flag,
    success: Flag,
    runstate: String,
    /// A `<failure>` element inside the case.
    has_failure: bool,
    /// A `<reason>` element (why it did not run) inside the case.
    has_reason: bool,
    duration_ms: Option<f64>,
    message: String,
    stack: String,
    output: String,
}

/// Maps NUnit's result attributes to a check status, the way NUnit's own runners count a
/// test case (nunit-console's `ResultSummary` for NUnit 3, `ResultSummarizer` for NUnit 2):
///
/// - NUnit 3 `result`+`label`: `Passed` → pass; `Failed` → fail, but with any label
///   (`Error`, `Cancelled`, `Invalid`) → error (the console counts those as errors and
///   invalid tests, never as plain failures); `Warning` → warn (`Warning`+`Ignored`, as early
///   NUnit 3 wrote an ignored test, → skip); `Skipped` with any label (`Ignored`,
///   `Explicit`, …) → skip; `Inconclusive` → not run (NUnit counts it apart from passed,
///   failed and skipped: it ran and gave no verdict, so no credit, but not left out of the
///   score as a skip is).
/// - NUnit 2 `result`: `Success` → pass; `Failure` → fail; `Error` and `Cancelled` → error
///   (NUnit 2 counts both as errors); `Ignored`, `Skipped` → skip; `NotRunnable` and
///   `Inconclusive` → not run (NUnit 2 lists them under "Not run: Invalid" and
///   "Inconclusive").
///
/// `None` when `result` is absent or not an NUnit result: the caller decides from
/// `executed`/`success` and the failure element (see [`fallback`]).
pub fn map_result(result: &str, label: &str) -> Option<Status> {
    let label = label.trim().to_ascii_lowercase();
    Some(match result.trim().to_ascii_lowercase().as_str() {
        "passed" | "success" => Status::Pass,
        "failed" | "failure" => {
            if label.is_empty() {
                Status::Fail
            } else {
                Status::Error
            }
        }
        "error" | "cancelled" => Status::Error,
        "warning" => match label.as_str() {
            "ignored" | "explicit" => Status::Skip,
            _ => Status::Warn,
        },
        "skipped" | "ignored" | "explicit" => Status::Skip,
        "inconclusive" | "notrunnable" | "not runnable" | "invalid" => Status::NotRun,
        _ => return None,
    })
}

/// The status of a test case whose `result` says nothing usable (NUnit 2.0–2.4 wrote only
/// `executed` and `success`, converters sometimes only `executed`).
///
/// `executed="False"` → skip (NUnit 2 counts an unexecuted test among "not run", ignored
/// unless it says otherwise); a readable `success` decides; otherwise a `<failure>` element
/// inside means fail, a `<reason>` alone (why it did not run) skip, and an executed test
/// with neither passed. A test that says nothing at all falls back to its `runstate`.
pub fn fallback(executed: &Flag, success: &Flag, failure: bool, reason: bool, runstate: &str) -> Status {
    match (executed, success) {
        (Flag::Yes(false), _) => Status::Skip,
        (_, Flag::Yes(true)) => Status::Pass,
        (_, Flag::Yes(false)) => Status::Fail,
        _ if failure => Status::Fail,
        _ if reason => Status::Skip,
        (Flag::Absent, Flag::Absent) => match runstate.to_ascii_lowercase().as_str() {
            "ignored" | "explicit" | "skipped" => Status::Skip,
            _ => Status::NotRun,
        },
        _ => Status::Pass,
    }
}

/// A `True`/`False` attribute as written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Flag {
    /// Not written.
    #[default]
    Absent,
    /// `True` or `False` (any case).
    Yes(bool),
    /// Something else (`Ture`, `Fasle`, `1`…), kept to be reported.
    Unreadable(String),
}

impl Flag {
    fn of(v: Option<&str>) -> Flag {
        match v.map(str::to_ascii_lowercase).as_deref() {
            None => Flag::Absent,
            Some("true") => Flag::Yes(true),
            Some("false") => Flag::Yes(false),
            Some(_) => Flag::Unreadable(v.unwrap_or("").to_string()),
        }
    }
}

/// Parses NUnit 2 or NUnit 3 XML into checks (one per `<test-case>`).
pub fn parse(input: &[u8]) -> Result<ParsedReport, IngestError> {
    xml::drive(input, FORMAT, NunitReader::new())
}

/// What has been read of an NUnit document so far.
struct NunitReader {
    suites: Vec<SuiteState>,
    case: Option<CaseState>,
    checks: Vec<Check>,
    notes: Vec<String>,
    run: RunMeta,
    unreadable: Unreadable,
}

impl NunitReader {
    /// An empty reader, before the root element.
    fn new() -> NunitReader {
        NunitReader {
            suites: Vec::new(),
            case: None,
            checks: Vec::new(),
            notes: Vec::new(),
            run: RunMeta::default(),
            unreadable: Unreadable::default(),
        }
    }
}

impl XmlReader for NunitReader {
    type Kind = Kind;

    fn open(&mut self, stack: &[Kind], tag: &Tag<'_, '_>) -> Result<Kind, IngestError> {
        let name = tag.name();
        Ok(match (stack.last().copied(), name.as_slice()) {
            (None, b"test-run" | b"test-results") => {
                let a = tag.attrs()?;
                self.run.started_at = get(&a, "start-time").and_then(text::rfc3339);
                self.run.finished_at = get(&a, "end-time").and_then(text::rfc3339);
                Kind::Root
            }
            (None, other) => {
                return Err(IngestError::NotAReport(format!(
                    "root element <{}> is not an NUnit <test-run> or <test-results>",
                    String::from_utf8_lossy(other)
                )));
            }
            (Some(_), b"test-suite") if self.case.is_none() => {
                self.suites.push(suite_state(&tag.attrs()?));
                Kind::Suite
            }
            (Some(_), b"test-case") if self.case.is_none() => {
                self.case = Some(case_state(&tag.attrs()?));
                Kind::Case
            }
            (Some(Kind::Case), b"failure") => {
                if let Some(c) = self.case.as_mut() {
                    c.has_failure = true;
                }
                Kind::Result
            }
            (Some(Kind::Case), b"reason") => {
                if let Some(c) = self.case.as_mut() {
                    c.has_reason = true;
                }
                Kind::Result
            }
            (Some(Kind::Suite), b"failure" | b"reason") => Kind::Result,
            (Some(Kind::Result), b"message") => Kind::Message,
            (Some(Kind::Result), b"stack-trace") => Kind::StackTrace,
            (Some(Kind::Case), b"output") => Kind::Output,
            _ => Kind::Other,
        })
    }

    /// Text is kept when it is a case's message, stack or output, or a suite's message.
    fn text_target(&mut self, stack: &[Kind]) -> Option<&mut String> {
        let in_case = stack.contains(&Kind::Case);
        match (stack.last(), in_case) {
            (Some(Kind::Message), true) => self.case.as_mut().map(|c| &mut c.message),
            (Some(Kind::StackTrace), true) => self.case.as_mut().map(|c| &mut c.stack),
            (Some(Kind::Output), true) => self.case.as_mut().map(|c| &mut c.output),
            (Some(Kind::Message), false) => self.suites.last_mut().map(|s| &mut s.message),
            _ => None,
        }
    }

    /// A closing element: a case becomes a check, a suite may leave a note.
    fn close(&mut self, kind: Kind) {
        match kind {
            Kind::Case => {
                if let Some(c) = self.case.take() {
                    self.checks.push(check(c, &self.suites, &mut self.unreadable));
                }
            }
            Kind::Suite => {
                if let Some(s) = self.suites.pop()
                    && let Some(n) = suite_note(&s)
                {
                    self.notes.push(n);
                }
            }
            _ => {}
        }
    }

    /// The report, with a note per unreadable attribute value.
    fn finish(mut self) -> ParsedReport {
        self.notes.extend(self.unreadable.notes());
        ParsedReport {
            format: super::Format::Nunit.as_str().to_string(),
            run: self.run,
            checks: self.checks,
            notes: self.notes,
            ..ParsedReport::default()
        }
    }
}

/// A `<test-suite>` as its opening tag describes it.
fn suite_state(a: &[(Vec<u8>, String)]) -> SuiteState {
    let name = get(a, "name").unwrap_or("").to_string();
    let kind = get(a, "type").unwrap_or("");
    let path_name = match kind {
        // NUnit 2 names the assembly by its full path on the build machine.
        "Assembly" => basename(&name).to_string(),
        // The case name repeats the method: "Is_Even(2)".
        "ParameterizedMethod" | "Theory" | "GenericMethod" => String::new(),
        _ => name.clone(),
    };
    let result = get(a, "result").unwrap_or("").to_string();
    let label = get(a, "label").unwrap_or("").to_string();
    let site = get(a, "site").unwrap_or("").to_string();
    let teardown_error = matches!(kind, "SetUpFixture" | "TestFixture")
        && result.eq_ignore_ascii_case("failed")
        && label.eq_ignore_ascii_case("error")
        && site.eq_ignore_ascii_case("teardown");
    SuiteState { path_name, name, result, label, site, message: String::new(), teardown_error }
}

/// A `<test-case>` as its opening tag describes it.
fn case_state(a: &[(Vec<u8>, String)]) -> CaseState {
    CaseState {
        name: get(a, "name").unwrap_or("").to_string(),
        fullname: get(a, "fullname").unwrap_or("").to_string(),
        result: get(a, "result").unwrap_or("").to_string(),
        label: get(a, "label").unwrap_or("").to_string(),
        executed: Flag::of(get(a, "executed")),
        success: Flag::of(get(a, "success")),
        runstate: get(a, "runstate").unwrap_or("").to_string(),
        duration_ms: get(a, "duration").or_else(|| get(a, "time")).and_then(parse_seconds),
        ..CaseState::default()
    }
}

/// A note for a suite that failed on its own (set-up, tear-down) or could not run at all.
fn suite_note(s: &SuiteState) -> Option<String> {
    let result = s.result.to_ascii_lowercase();
    let label = s.label.to_ascii_lowercase();
    let site = s.site.to_ascii_lowercase();
    let failed = matches!(result.as_str(), "failed" | "failure" | "error");
    let what = if failed && matches!(site.as_str(), "setup" | "teardown") {
        format!("{} failure", s.site)
    } else if label == "invalid" || result == "notrunnable" {
        "not runnable".to_string()
    } else if failed && site.is_empty() && !s.message.trim().is_empty() && !is_child_summary(&s.message) {
        "failure".to_string()
    } else {
        return None;
    };
    let msg = text::message_of(&s.message);
    let name = if s.name.is_empty() { "(unnamed suite)" } else { basename(&s.name) };
    Some(text::note(if msg.is_empty() {
        format!("suite {name}: {what}")
    } else {
        format!("suite {name}: {what}: {msg}")
    }))
}

/// NUnit's roll-up message on parents of failed tests, which adds nothing.
fn is_child_summary(message: &str) -> bool {
    let m = message.trim().to_ascii_lowercase();
    m.starts_with("one or more child tests had") || m.starts_with("child test failed")
}

/// Attribute values NUnit never writes, counted per (attribute, value) for one note each.
#[derive(Default)]
struct Unreadable(Vec<(&'static str, String, usize)>);

impl Unreadable {
    fn add(&mut self, attribute: &'static str, value: &str) {
        if let Some((_, _, n)) = self.0.iter_mut().find(|(a, v, _)| *a == attribute && v == value) {
            *n += 1;
        } else if self.0.len() < 20 {
            // Bounded: a generated file could misspell a thousand different ways.
            self.0.push((attribute, value.to_string(), 1));
        }
    }

    fn notes(self) -> impl Iterator<Item = String> {
        self.0.into_iter().map(|(attribute, value, n)| {
            let cases = if n == 1 { "1 test case has".to_string() } else { format!("{n} test cases have") };
            let decided = if attribute == "result" {
                "its status was read from executed/success and its failure element"
            } else {
                "its status was read from result and its failure element"
            };
            text::note(format!("{cases} {attribute}=\"{value}\", which is not an NUnit value: {decided}"))
        })
    }
}

fn check(c: CaseState, suites: &[SuiteState], unreadable: &mut Unreadable) -> Check {
    for (attribute, flag) in [("executed", &c.executed), ("success", &c.success)] {
        if let Flag::Unreadable(v) = flag {
            unreadable.add(attribute, v);
        }
    }
    let mut status = match map_result(&c.result, &c.label) {
        Some(status) => status,
        None => {
            if !c.result.is_empty() {
                unreadable.add("result", &c.result);
            }
            fallback(&c.executed, &c.success, c.has_failure, c.has_reason, &c.runstate)
        }
    };
    let teardown = suites.iter().rev().find(|s| s.teardown_error);
    let mut message = text::message_of(&c.message);
    if let Some(fixture) = teardown
        && status != Status::Skip
    {
        status = Status::Error;
        if message.is_empty() {
            let why = text::message_of(&fixture.message);
            message = if why.is_empty() {
                format!("one-time tear-down of {} failed", basename(&fixture.name))
            } else {
                format!("one-time tear-down of {} failed: {why}", basename(&fixture.name))
            };
        }
    }
    let suite_path = join_path(suites.iter().map(|s| s.path_name.as_str()));
    // NUnit 2 names a case by its full name; show it relative to the innermost suite whose
    // name it contains ("Ns.Fixture.Method(1)" → "Method(1)").
    let short = if c.fullname.is_empty() {
        suites
            .iter()
            .rev()
            .filter(|s| !s.name.is_empty())
            .find_map(|s| {
                let marker = format!("{}.", s.name);
                c.name.find(&marker).map(|i| &c.name[i + marker.len()..])
            })
            .filter(|r| !r.is_empty())
            .unwrap_or(&c.name)
    } else {
        c.name.as_str()
    };
    let name = if short.is_empty() { "(unnamed)".to_string() } else { short.to_string() };
    let id = if !c.fullname.is_empty() {
        c.fullname.clone()
    } else if c.name.contains('.') {
        c.name.clone()
    } else {
        text::check_id(&suite_path, &name)
    };
    let failure =
        if c.stack.trim().is_empty() { c.message.clone() } else { format!("{}\n{}", c.message.trim_end(), c.stack) };
    Check {
        duration_ms: c.duration_ms,
        message,
        details: text::details_of(&failure, &c.output),
        ..common::test_check(id, name, suite_path, status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statuses(r: &ParsedReport) -> Vec<Status> {
        r.checks.iter().map(|c| c.status).collect()
    }

    #[test]
    fn nunit3_results_labels_and_paths() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?>
<test-run id="0" testcasecount="7" result="Failed" total="7" start-time="2021-06-28 20:23:41Z" end-time="2021-06-28 20:23:42Z">
  <test-suite type="Assembly" name="Calc.Tests.dll" fullname="C:/w/Calc.Tests.dll" result="Failed">
    <failure><message><![CDATA[One or more child tests had errors]]></message></failure>
    <test-suite type="TestFixture" name="CalcTests" fullname="Calc.CalcTests" result="Failed">
      <test-case name="Adds" fullname="Calc.CalcTests.Adds" result="Passed" duration="0.25"/>
      <test-case name="Throws" fullname="Calc.CalcTests.Throws" result="Failed" label="Error">
        <failure><message><![CDATA[System.Exception : boom]]></message><stack-trace><![CDATA[at Calc.cs:line 9]]></stack-trace></failure>
        <output><![CDATA[log line]]></output>
        <assertions><assertion result="Failed"><message>dup</message></assertion></assertions>
      </test-case>
      <test-case name="Wrong" fullname="Calc.CalcTests.Wrong" result="Failed"><failure><message>Expected: 3</message></failure></test-case>
      <test-case name="Later" fullname="Calc.CalcTests.Later" result="Skipped" label="Ignored"><reason><message>not today</message></reason></test-case>
      <test-case name="Bad" fullname="Calc.CalcTests.Bad" result="Skipped" label="Invalid"/>
      <test-case name="Maybe" fullname="Calc.CalcTests.Maybe" result="Inconclusive"/>
      <test-suite type="Theory" name="Even" fullname="Calc.CalcTests.Even" result="Passed">
        <test-case name="Even(2)" fullname="Calc.CalcTests.Even(2)" result="Passed"/>
      </test-suite>
    </test-suite>
    <test-suite type="TestFixture" name="Broken" fullname="Calc.Broken" result="Failed" site="TearDown">
      <failure><message>cleanup exploded</message></failure>
    </test-suite>
    <test-suite type="TestFixture" name="NoCtor" result="Skipped" label="Invalid"><reason><message>No suitable constructor was found</message></reason></test-suite>
  </test-suite>
</test-run>"#;
        let r = parse(xml.as_bytes()).unwrap();
        assert_eq!(
            statuses(&r),
            vec![Status::Pass, Status::Error, Status::Fail, Status::Skip, Status::Skip, Status::NotRun, Status::Pass]
        );
        let c = &r.checks[1];
        assert_eq!(c.id, "Calc.CalcTests.Throws");
        assert_eq!(c.suite_path, "Calc.Tests.dll › CalcTests");
        assert_eq!(c.message, "System.Exception : boom");
        assert!(c.details.contains("line 9") && c.details.contains("log line") && !c.details.contains("dup"));
        assert_eq!(r.checks[0].duration_ms, Some(250.0));
        assert_eq!(r.checks[3].message, "not today");
        assert_eq!(r.checks[6].suite_path, "Calc.Tests.dll › CalcTests");
        assert_eq!(r.run.started_at.as_deref(), Some("2021-06-28T20:23:41Z"));
        assert_eq!(r.notes.len(), 2, "{:?}", r.notes);
        assert!(r.notes[0].contains("TearDown failure: cleanup exploded"), "{:?}", r.notes);
        assert!(r.notes[1].contains("No suitable constructor"), "{:?}", r.notes);
    }

    #[test]
    fn nunit2_results_and_flags() {
        let xml = r#"<test-results name="C:\w\Calc.Tests.dll" total="3" errors="1" failures="1" not-run="2" date="2011-07-26" time="11:34:27">
  <test-suite type="Assembly" name="C:\w\Calc.Tests.dll" executed="True" result="Failure" success="False">
    <results><test-suite type="Namespace" name="Calc"><results><test-suite type="TestFixture" name="CalcTests"><results>
      <test-case name="Calc.CalcTests.Adds" executed="True" result="Success" success="True" time="0.010"/>
      <test-case name="Calc.CalcTests.Fails" executed="True" result="Failure" success="False"><failure><message><![CDATA[Expected 1]]></message><stack-trace>at x</stack-trace></failure></test-case>
      <test-case name="Calc.CalcTests.Errors" executed="True" result="Error" success="False"/>
      <test-case name="Calc.CalcTests.Ignored" executed="False" result="Ignored"><reason><message>later</message></reason></test-case>
      <test-case name="Calc.CalcTests.Cannot" executed="False" result="NotRunnable"/>
      <test-case name="Calc.CalcTests.Old" executed="True" success="False"/>
      <test-case name="Calc.CalcTests.Skip" executed="False"/>
    </results></test-suite></results></test-suite></results>
  </test-suite>
</test-results>"#;
        let r = parse(xml.as_bytes()).unwrap();
        assert_eq!(
            statuses(&r),
            vec![Status::Pass, Status::Fail, Status::Error, Status::Skip, Status::NotRun, Status::Fail, Status::Skip]
        );
        assert_eq!(r.checks[0].name, "Adds");
        assert_eq!(r.checks[0].id, "Calc.CalcTests.Adds");
        assert_eq!(r.checks[0].suite_path, "Calc.Tests.dll › Calc › CalcTests");
        assert_eq!(r.checks[0].duration_ms, Some(10.0));
        assert_eq!(r.checks[1].message, "Expected 1");
        assert_eq!(r.run.started_at, None, "local times without a zone are not guessed");
    }

    #[test]
    fn nunit2_executed_tests_without_a_result_passed_unless_a_failure_is_inside() {
        let xml = r#"<test-results name="Conv.Tests" total="4">
  <test-suite name="Conv.Tests"><results>
    <test-case name="Conv.Tests.Ok" executed="True"/>
    <test-case name="Conv.Tests.Broken" executed="True"><failure><message>Expected 2</message></failure></test-case>
    <test-case name="Conv.Tests.Later" executed="False"><reason><message>not today</message></reason></test-case>
    <test-case name="Conv.Tests.Quiet" executed="False"/>
  </results></test-suite>
</test-results>"#;
        let r = parse(xml.as_bytes()).unwrap();
        assert_eq!(statuses(&r), vec![Status::Pass, Status::Fail, Status::Skip, Status::Skip]);
        assert_eq!(r.checks[1].message, "Expected 2");
        assert!(r.notes.is_empty(), "{:?}", r.notes);
    }

    #[test]
    fn misspelt_success_is_decided_by_result_or_failure_element_and_reported() {
        let xml = r#"<test-results name="T" total="5">
  <test-suite name="T"><results>
    <test-case name="T.A" executed="True" success="Ture"/>
    <test-case name="T.B" executed="True" success="Fasle"><failure><message>boom</message></failure></test-case>
    <test-case name="T.C" executed="True" result="Failure" success="treu"/>
    <test-case name="T.D" executed="Ture" success="Ture"/>
    <test-case name="T.E" result="Sucess" success="True"/>
  </results></test-suite>
</test-results>"#;
        let r = parse(xml.as_bytes()).unwrap();
        assert_eq!(statuses(&r), vec![Status::Pass, Status::Fail, Status::Fail, Status::Pass, Status::Pass]);
        let notes = r.notes.join("\n");
        assert!(notes.contains(r#"2 test cases have success="Ture""#), "{notes}");
        assert!(notes.contains(r#"1 test case has success="Fasle""#), "{notes}");
        assert!(notes.contains(r#"success="treu""#), "{notes}");
        assert!(notes.contains(r#"executed="Ture""#), "{notes}");
        assert!(notes.contains(r#"result="Sucess""#), "{notes}");
    }

    #[test]
    fn nunit3_labels_count_as_the_nunit_console_counts_them() {
        let cases = [
            (r#"result="Passed""#, Status::Pass),
            (r#"result="Failed""#, Status::Fail),
            (r#"result="Failed" label="Error""#, Status::Error),
            (r#"result="Failed" label="Invalid""#, Status::Error),
            (r#"result="Failed" label="Cancelled""#, Status::Error),
            (r#"result="Failed" label="Test exceeded Timeout value 1ms.""#, Status::Error),
            (r#"result="Skipped" label="Ignored""#, Status::Skip),
            (r#"result="Skipped" label="Explicit""#, Status::Skip),
            (r#"result="Skipped""#, Status::Skip),
            (r#"result="Inconclusive""#, Status::NotRun),
            (r#"result="Warning""#, Status::Warn),
            (r#"result="Warning" label="Ignored""#, Status::Skip),
        ];
        let body: String =
            cases.iter().enumerate().map(|(i, (attrs, _))| format!(r#"<test-case name="t{i}" {attrs}/>"#)).collect();
        let xml = format!(r#"<test-run><test-suite type="TestFixture" name="F">{body}</test-suite></test-run>"#);
        let r = parse(xml.as_bytes()).unwrap();
        assert_eq!(statuses(&r), cases.iter().map(|(_, s)| *s).collect::<Vec<_>>());
    }

    #[test]
    fn nunit2_results_count_as_nunit2_counts_them() {
        for (result, want) in [
            ("Success", Status::Pass),
            ("Failure", Status::Fail),
            ("Error", Status::Error),
            ("Cancelled", Status::Error),
            ("Ignored", Status::Skip),
            ("Skipped", Status::Skip),
            ("NotRunnable", Status::NotRun),
            ("Inconclusive", Status::NotRun),
        ] {
            let xml = format!(r#"<test-results><test-case name="A.b" result="{result}"/></test-results>"#);
            assert_eq!(statuses(&parse(xml.as_bytes()).unwrap()), vec![want], "{result}");
        }
    }

    #[test]
    fn tests_under_a_fixture_whose_teardown_threw_are_errors() {
        let xml = r#"<test-run>
  <test-suite type="TestFixture" name="Db" result="Failed" label="Error" site="TearDown">
    <failure><message>connection leak</message></failure>
    <test-case name="Reads" result="Passed"/>
    <test-case name="Writes" result="Failed"><failure><message>Expected 1</message></failure></test-case>
    <test-case name="Later" result="Skipped" label="Ignored"/>
  </test-suite>
  <test-suite type="TestFixture" name="Ok" result="Passed"><test-case name="Fine" result="Passed"/></test-suite>
</test-run>"#;
        let r = parse(xml.as_bytes()).unwrap();
        assert_eq!(statuses(&r), vec![Status::Error, Status::Error, Status::Skip, Status::Pass]);
        assert_eq!(r.checks[0].message, "one-time tear-down of Db failed: connection leak");
        assert_eq!(r.checks[1].message, "Expected 1");
        assert!(r.notes.iter().any(|n| n.contains("TearDown failure")), "{:?}", r.notes);
    }

    #[test]
    fn a_doctype_is_skipped_and_its_entities_never_expanded() {
        let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE test-results SYSTEM \"http://example.invalid/nunit.dtd\">\n<test-results><test-case name=\"A.b\" executed=\"True\" success=\"True\"/></test-results>";
        assert_eq!(statuses(&parse(xml.as_bytes()).unwrap()), vec![Status::Pass]);
        let xml = "<!DOCTYPE test-results [<!ELEMENT test-results ANY>]><test-results><test-case name=\"A.b\" result=\"Success\"/></test-results>";
        assert_eq!(statuses(&parse(xml.as_bytes()).unwrap()), vec![Status::Pass]);

        let xxe = "<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<test-results><test-case name=\"&xxe;\"/></test-results>";
        let e = parse(xxe.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("declares entities"), "{e}");
        assert!(matches!(e, IngestError::Malformed { line: Some(1), .. }), "{e:?}");

        let undefined = "<!DOCTYPE test-results>\n<test-results><test-case name=\"&nbsp;\"/></test-results>";
        let e = parse(undefined.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("entity `&nbsp;` is not defined"), "{e}");
        assert!(matches!(e, IngestError::Malformed { line: Some(2), .. }), "{e:?}");
    }

    #[test]
    fn rejects_other_roots_and_broken_xml() {
        assert!(matches!(parse(b"<TestRun/>"), Err(IngestError::NotAReport(_))));
        assert!(matches!(parse(b"<test-run><test-case name=\"a\">"), Err(IngestError::Malformed { .. })));
        assert!(parse(b"<test-run/>").unwrap().checks.is_empty());
    }
}
