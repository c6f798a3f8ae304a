//! NUnit XML: NUnit 2 (`<test-results>`) and NUnit 3 (`<test-run>`), read as a stream.
//!
//! One check per `<test-case>`; declared totals are ignored (NUnit 2's `total` leaves out
//! tests that did not run). Suite-level set-up/tear-down failures and invalid fixtures are
//! kept as notes: they are not tests, but they must stay visible.

use super::junit::parse_seconds;
use super::text::{self, basename, join_path};
use super::xml::{XmlEvent, XmlStream, get, local_name};
use super::{IngestError, MAX_DETAILS_BYTES, push_bounded};
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
}

#[derive(Default)]
struct CaseState {
    name: String,
    fullname: String,
    result: String,
    label: String,
    executed: Option<bool>,
    success: Option<bool>,
    runstate: String,
    duration_ms: Option<f64>,
    message: String,
    stack: String,
    output: String,
}

/// Maps NUnit's result attributes to a check status.
///
/// NUnit 3: `result` with `label` (`Failed`+`Error` → error, `Skipped`+`Invalid` → not run).
/// NUnit 2: `result` (`Success`, `Failure`, `Error`, `Ignored`, `Skipped`, `NotRunnable`, …),
/// else `executed`/`success`. Inconclusive, invalid, not-runnable and cancelled tests gave
/// no verdict: not run (no credit, counted with the skipped).
pub fn map_result(result: &str, label: &str, executed: Option<bool>, success: Option<bool>) -> Status {
    let label = label.to_ascii_lowercase();
    match result.trim().to_ascii_lowercase().as_str() {
        "passed" | "success" => Status::Pass,
        "failed" | "failure" => match label.as_str() {
            "error" => Status::Error,
            "cancelled" | "invalid" => Status::NotRun,
            _ => Status::Fail,
        },
        "error" => Status::Error,
        "skipped" | "ignored" | "explicit" => match label.as_str() {
            "invalid" => Status::NotRun,
            _ => Status::Skip,
        },
        "warning" => Status::Warn,
        "inconclusive" | "notrunnable" | "not runnable" | "cancelled" => Status::NotRun,
        _ => match (executed, success) {
            (Some(false), _) => Status::Skip,
            (_, Some(true)) => Status::Pass,
            (_, Some(false)) => Status::Fail,
            _ => Status::NotRun,
        },
    }
}

fn boolean(v: Option<&str>) -> Option<bool> {
    match v?.to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// Parses NUnit 2 or NUnit 3 XML into checks (one per `<test-case>`).
pub fn parse(input: &[u8]) -> Result<ParsedReport, IngestError> {
    let mut xml = XmlStream::new(input, FORMAT)?;
    let mut stack: Vec<Kind> = Vec::with_capacity(16);
    let mut suites: Vec<SuiteState> = Vec::new();
    let mut case: Option<CaseState> = None;
    let mut checks = Vec::new();
    let mut notes = Vec::new();
    let mut run = RunMeta::default();

    while let Some(event) = xml.next_event()? {
        match event {
            XmlEvent::Start(e, pos) => {
                let name = local_name(&e);
                let parent = stack.last().copied();
                let kind = match (parent, name.as_slice()) {
                    (None, b"test-run" | b"test-results") => {
                        let a = xml.attrs(&e, pos)?;
                        run.started_at = get(&a, "start-time").and_then(text::rfc3339);
                        run.finished_at = get(&a, "end-time").and_then(text::rfc3339);
                        Kind::Root
                    }
                    (None, other) => {
                        return Err(IngestError::NotAReport(format!(
                            "root element <{}> is not an NUnit <test-run> or <test-results>",
                            String::from_utf8_lossy(other)
                        )));
                    }
                    (Some(_), b"test-suite") if case.is_none() => {
                        let a = xml.attrs(&e, pos)?;
                        let name = get(&a, "name").unwrap_or("").to_string();
                        let kind = get(&a, "type").unwrap_or("");
                        let path_name = match kind {
                            // NUnit 2 names the assembly by its full path on the build machine.
                            "Assembly" => basename(&name).to_string(),
                            // The case name repeats the method: "Is_Even(2)".
                            "ParameterizedMethod" | "Theory" | "GenericMethod" => String::new(),
                            _ => name.clone(),
                        };
                        suites.push(SuiteState {
                            path_name,
                            name,
                            result: get(&a, "result").unwrap_or("").to_string(),
                            label: get(&a, "label").unwrap_or("").to_string(),
                            site: get(&a, "site").unwrap_or("").to_string(),
                            message: String::new(),
                        });
                        Kind::Suite
                    }
                    (Some(_), b"test-case") if case.is_none() => {
                        let a = xml.attrs(&e, pos)?;
                        case = Some(CaseState {
                            name: get(&a, "name").unwrap_or("").to_string(),
                            fullname: get(&a, "fullname").unwrap_or("").to_string(),
                            result: get(&a, "result").unwrap_or("").to_string(),
                            label: get(&a, "label").unwrap_or("").to_string(),
                            executed: boolean(get(&a, "executed")),
                            success: boolean(get(&a, "success")),
                            runstate: get(&a, "runstate").unwrap_or("").to_string(),
                            duration_ms: get(&a, "duration").or_else(|| get(&a, "time")).and_then(parse_seconds),
                            ..CaseState::default()
                        });
                        Kind::Case
                    }
                    (Some(Kind::Case | Kind::Suite), b"failure" | b"reason") => Kind::Result,
                    (Some(Kind::Result), b"message") => Kind::Message,
                    (Some(Kind::Result), b"stack-trace") => Kind::StackTrace,
                    (Some(Kind::Case), b"output") => Kind::Output,
                    _ => Kind::Other,
                };
                stack.push(kind);
            }
            XmlEvent::Text(t) => {
                let in_case = stack.contains(&Kind::Case);
                let target = match (stack.last(), in_case) {
                    (Some(Kind::Message), true) => case.as_mut().map(|c| &mut c.message),
                    (Some(Kind::StackTrace), true) => case.as_mut().map(|c| &mut c.stack),
                    (Some(Kind::Output), true) => case.as_mut().map(|c| &mut c.output),
                    (Some(Kind::Message), false) => suites.last_mut().map(|s| &mut s.message),
                    _ => None,
                };
                if let Some(buf) = target {
                    push_bounded(buf, &t, MAX_DETAILS_BYTES);
                }
            }
            XmlEvent::End => match stack.pop() {
                Some(Kind::Case) => {
                    if let Some(c) = case.take() {
                        checks.push(check(c, &suites));
                    }
                }
                Some(Kind::Suite) => {
                    if let Some(s) = suites.pop()
                        && let Some(n) = suite_note(&s)
                    {
                        notes.push(n);
                    }
                }
                _ => {}
            },
        }
    }
    Ok(ParsedReport {
        format: super::Format::Nunit.as_str().to_string(),
        run,
        checks,
        notes,
        ..ParsedReport::default()
    })
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

fn check(c: CaseState, suites: &[SuiteState]) -> Check {
    let mut status = map_result(&c.result, &c.label, c.executed, c.success);
    if c.result.is_empty() && c.executed.is_none() && c.success.is_none() {
        // Not run at all: `runstate` tells why.
        status = match c.runstate.to_ascii_lowercase().as_str() {
            "ignored" | "explicit" | "skipped" => Status::Skip,
            _ => Status::NotRun,
        };
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
        id,
        name,
        suite_path,
        status,
        weight: 1.0,
        duration_ms: c.duration_ms,
        message: text::message_of(&c.message),
        details: text::details_of(&failure, &c.output),
        ..Check::default()
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
            vec![Status::Pass, Status::Error, Status::Fail, Status::Skip, Status::NotRun, Status::NotRun, Status::Pass]
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
    fn rejects_other_roots_and_broken_xml() {
        assert!(matches!(parse(b"<TestRun/>"), Err(IngestError::NotAReport(_))));
        assert!(matches!(parse(b"<test-run><test-case name=\"a\">"), Err(IngestError::Malformed { .. })));
        assert!(parse(b"<test-run/>").unwrap().checks.is_empty());
    }
}
