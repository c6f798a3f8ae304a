//! Visual Studio TRX (`<TestRun>`), as written by `dotnet test --logger trx`, vstest and
//! MSTest, read as a stream.
//!
//! One check per top-level `<UnitTestResult>` (or other `*TestResult`) in `<Results>`; the
//! `<Counters>` summary is not trusted, as it can disagree with the results. Class names come
//! from `<TestDefinitions>`, which follow the results, so results are resolved at the end.

use std::collections::HashMap;

use super::text::{self, check_id};
use super::xml::{self, Tag, XmlReader, get};
use super::{IngestError, MAX_DETAILS_BYTES, push_bounded};
use crate::model::{Check, ParsedReport, RunMeta, Status};

const FORMAT: &str = "TRX";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Root,
    Results,
    /// A top-level result.
    Result,
    /// `<InnerResults>` of a data-driven or ordered test: its rows are part of the parent.
    Inner,
    ErrorInfo,
    Message,
    StackTrace,
    StdOut,
    StdErr,
    Definitions,
    Definition,
    Summary,
    RunInfo,
    RunInfoText,
    Other,
}

#[derive(Default)]
struct RawResult {
    test_id: String,
    name: String,
    outcome: String,
    duration_ms: Option<f64>,
    message: String,
    stack: String,
    output: String,
}

/// Maps a TRX outcome to a check status.
///
/// The outcomes are the TRX schema's `TestOutcome` states (each has its own `<Counters>`
/// attribute), read with their documented meaning:
/// - `Passed`, `Completed` (an aggregate that finished), `PassedButRunAborted` (the test
///   itself passed; the run was stopped later) → pass;
/// - `Failed` → fail;
/// - `Error` (a system error while running it), `Timeout`, `Aborted` (stopped by the
///   framework, not by a person), `Disconnected` (the run lost its test host) → error:
///   failures outside the test's assertions;
/// - `NotExecuted` → skip: vstest's TRX logger writes it for every skipped test
///   (`[Ignore]`, `Skip =`), and the test reporters count it as skipped;
/// - `Warning` → warn;
/// - `Inconclusive` (ran, no verdict), `NotRunnable`, `Pending`, `InProgress`, and anything
///   unknown or missing → not run: no verdict, no credit.
pub fn map_outcome(outcome: &str) -> Status {
    match outcome.trim().to_ascii_lowercase().as_str() {
        "passed" | "passedbutrunaborted" | "completed" => Status::Pass,
        "failed" => Status::Fail,
        "error" | "timeout" | "aborted" | "disconnected" => Status::Error,
        "notexecuted" => Status::Skip,
        "warning" => Status::Warn,
        _ => Status::NotRun,
    }
}

/// Parses a TRX document into checks (one per test result).
pub fn parse(input: &[u8]) -> Result<ParsedReport, IngestError> {
    xml::drive(input, FORMAT, TrxReader::new())
}

/// What has been read of a TRX document so far.
struct TrxReader {
    results: Vec<RawResult>,
    current: Option<RawResult>,
    /// testId → (class name, test name)
    definitions: HashMap<String, (String, String)>,
    definition_id: Option<String>,
    run: RunMeta,
    notes: Vec<String>,
    declared_total: Option<u64>,
    run_info_outcome: String,
    run_info_text: String,
}

impl TrxReader {
    /// An empty reader, before the root element.
    fn new() -> TrxReader {
        TrxReader {
            results: Vec::new(),
            current: None,
            definitions: HashMap::new(),
            definition_id: None,
            run: RunMeta::default(),
            notes: Vec::new(),
            declared_total: None,
            run_info_outcome: String::new(),
            run_info_text: String::new(),
        }
    }

    /// A `<UnitTest>` (or other) definition: its id and test name.
    fn open_definition(&mut self, a: &[(Vec<u8>, String)]) {
        self.definition_id = get(a, "id").map(str::to_string);
        if let Some(id) = &self.definition_id {
            let test_name = get(a, "name").unwrap_or("").to_string();
            self.definitions.insert(id.clone(), (String::new(), test_name));
        }
    }

    /// The `<TestMethod>` of a definition: its class, and its name if the definition had none.
    fn read_test_method(&mut self, tag: &Tag<'_, '_>) -> Result<(), IngestError> {
        if let Some(entry) = self.definition_id.as_ref().and_then(|id| self.definitions.get_mut(id)) {
            let a = tag.attrs()?;
            // MSTest writes assembly-qualified names: "Ns.Class, Assembly, Version=…".
            let class = get(&a, "className").unwrap_or("");
            entry.0 = class.split(',').next().unwrap_or("").trim().to_string();
            if entry.1.is_empty() {
                entry.1 = get(&a, "name").unwrap_or("").to_string();
            }
        }
        Ok(())
    }
}

impl XmlReader for TrxReader {
    type Kind = Kind;

    fn open(&mut self, stack: &[Kind], tag: &Tag<'_, '_>) -> Result<Kind, IngestError> {
        let name = tag.name();
        Ok(match (stack.last().copied(), name.as_slice()) {
            (None, b"TestRun") => Kind::Root,
            (None, other) => {
                return Err(IngestError::NotAReport(format!(
                    "root element <{}> is not a TRX <TestRun>",
                    String::from_utf8_lossy(other)
                )));
            }
            (Some(Kind::Root), b"Times") => {
                let a = tag.attrs()?;
                self.run.started_at = get(&a, "start").and_then(text::rfc3339);
                self.run.finished_at = get(&a, "finish").and_then(text::rfc3339);
                Kind::Other
            }
            (Some(Kind::Root), b"Results") => Kind::Results,
            (Some(Kind::Results), n) if n.ends_with(b"TestResult") || n == b"TestResultAggregation" => {
                self.current = Some(raw_result(&tag.attrs()?));
                Kind::Result
            }
            (Some(Kind::Result), b"InnerResults") => Kind::Inner,
            (Some(Kind::Result | Kind::Other), b"ErrorInfo") if in_result(stack) => Kind::ErrorInfo,
            (Some(Kind::ErrorInfo), b"Message") => Kind::Message,
            (Some(Kind::ErrorInfo), b"StackTrace") => Kind::StackTrace,
            (Some(Kind::Result | Kind::Other), b"StdOut") if in_result(stack) => Kind::StdOut,
            // Debug trace lines (`TestContext.WriteLine`) are output, not the failure.
            (Some(Kind::Other), b"Message") if in_result(stack) => Kind::StdOut,
            (Some(Kind::Result | Kind::Other), b"StdErr") if in_result(stack) => Kind::StdErr,
            (Some(Kind::Root), b"TestDefinitions") => Kind::Definitions,
            (Some(Kind::Definitions), _) => {
                self.open_definition(&tag.attrs()?);
                Kind::Definition
            }
            (Some(Kind::Definition), b"TestMethod") => {
                self.read_test_method(tag)?;
                Kind::Other
            }
            (Some(Kind::Root), b"ResultSummary") => Kind::Summary,
            (Some(Kind::Summary), b"Counters") => {
                self.declared_total = tag.attr(b"total")?.and_then(|t| t.parse().ok());
                Kind::Other
            }
            (Some(Kind::Summary | Kind::Other), b"RunInfo") if stack.contains(&Kind::Summary) => {
                self.run_info_outcome = tag.attr(b"outcome")?.unwrap_or_default();
                self.run_info_text.clear();
                Kind::RunInfo
            }
            (Some(Kind::RunInfo), b"Text") => Kind::RunInfoText,
            _ => Kind::Other,
        })
    }

    /// Text is kept when it belongs to a result or to a run info.
    fn text_target(&mut self, stack: &[Kind]) -> Option<&mut String> {
        match (stack.last(), self.current.as_mut()) {
            (Some(Kind::Message), Some(r)) => Some(&mut r.message),
            (Some(Kind::StackTrace), Some(r)) => Some(&mut r.stack),
            (Some(Kind::StdOut | Kind::StdErr), Some(r)) => Some(&mut r.output),
            (Some(Kind::RunInfoText), _) => Some(&mut self.run_info_text),
            _ => None,
        }
    }

    /// A closing element: a result is complete, output ends its line, a run info may be a note.
    fn close(&mut self, kind: Kind) {
        match kind {
            Kind::Result => self.results.extend(self.current.take()),
            Kind::StdOut | Kind::StdErr => {
                if let Some(r) = self.current.as_mut()
                    && !r.output.ends_with('\n')
                    && !r.output.is_empty()
                {
                    push_bounded(&mut r.output, "\n", MAX_DETAILS_BYTES);
                }
            }
            Kind::Definition => self.definition_id = None,
            Kind::RunInfo => {
                let outcome = self.run_info_outcome.to_ascii_lowercase();
                if matches!(outcome.as_str(), "error" | "failed" | "warning" | "aborted") {
                    let msg = text::message_of(&self.run_info_text);
                    self.notes.push(text::note(format!("run info ({}): {msg}", self.run_info_outcome)));
                }
            }
            _ => {}
        }
    }

    /// The report: results resolved against the definitions, the declared total compared.
    fn finish(mut self) -> ParsedReport {
        let checks: Vec<Check> = self.results.into_iter().map(|r| check(r, &self.definitions)).collect();
        if let Some(total) = self.declared_total
            && total != checks.len() as u64
        {
            self.notes.push(format!("<Counters> declares {total} tests; the file holds {} results", checks.len()));
        }
        ParsedReport {
            format: super::Format::Trx.as_str().to_string(),
            run: self.run,
            checks,
            notes: self.notes,
            ..ParsedReport::default()
        }
    }
}

/// A top-level result as its opening tag describes it.
fn raw_result(a: &[(Vec<u8>, String)]) -> RawResult {
    RawResult {
        test_id: get(a, "testId").unwrap_or("").to_string(),
        name: get(a, "testName").unwrap_or("").to_string(),
        outcome: get(a, "outcome").unwrap_or("").to_string(),
        duration_ms: get(a, "duration").and_then(parse_timespan),
        ..RawResult::default()
    }
}

/// Whether the innermost result-ish element open is a top-level result (not an inner row).
fn in_result(stack: &[Kind]) -> bool {
    stack.iter().rev().find(|k| matches!(k, Kind::Result | Kind::Inner)) == Some(&Kind::Result)
}

fn check(r: RawResult, definitions: &HashMap<String, (String, String)>) -> Check {
    let (class, def_name) = definitions.get(&r.test_id).map(|(c, n)| (c.as_str(), n.as_str())).unwrap_or(("", ""));
    let full = if r.name.is_empty() { def_name } else { r.name.as_str() };
    // xUnit and NUnit adapters write "Ns.Class.Method"; MSTest writes "Method".
    let name = full
        .strip_prefix(class)
        .and_then(|rest| rest.strip_prefix('.'))
        .filter(|rest| !class.is_empty() && !rest.is_empty())
        .unwrap_or(full);
    let name = if name.is_empty() { "(unnamed)".to_string() } else { name.to_string() };
    let status = map_outcome(&r.outcome);
    let message = text::message_of(&r.message);
    let failure = if r.stack.trim().is_empty() {
        r.message.clone()
    } else if r.message.trim().is_empty() {
        r.stack.clone()
    } else {
        format!("{}\n{}", r.message.trim_end(), r.stack)
    };
    Check {
        id: check_id(class, &name),
        name,
        suite_path: class.to_string(),
        status,
        weight: 1.0,
        duration_ms: r.duration_ms,
        message,
        details: text::details_of(&failure, &r.output),
        ..Check::default()
    }
}

/// A .NET `TimeSpan` as TRX writes it (`[d.]hh:mm:ss[.fffffff]`) to milliseconds.
pub fn parse_timespan(raw: &str) -> Option<f64> {
    let s = raw.trim();
    if s.contains(['-', '+']) {
        return None;
    }
    let (days, rest) = match s.split_once('.') {
        // "1.02:03:04.5": a day count comes before the first ':'.
        Some((d, r)) if !d.contains(':') && r.contains(':') => (d.parse::<f64>().ok()?, r),
        _ => (0.0, s),
    };
    let mut parts = rest.split(':');
    let h: f64 = parts.next()?.trim().parse().ok()?;
    let m: f64 = parts.next()?.trim().parse().ok()?;
    let sec: f64 = parts.next()?.trim().parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    let ms = (((days * 24.0 + h) * 60.0 + m) * 60.0 + sec) * 1000.0;
    text::duration(Some(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<TestRun id="r1" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
  <Times creation="2025-06-22T14:17:11.75Z" start="2025-06-22T14:17:11.756535Z" finish="2025-06-22T14:17:12.023063Z" />
  <Results>
    <UnitTestResult testId="t1" testName="Ns.Calc.Adds" outcome="Passed" duration="00:00:00.0170545" />
    <UnitTestResult testId="t2" testName="Ns.Calc.Divides" outcome="Failed" duration="00:00:01.5">
      <Output>
        <StdOut>hello</StdOut>
        <ErrorInfo><Message>Assert.Equal() Failure
Expected: 1</Message><StackTrace>   at Ns.Calc.Divides() in Calc.cs:line 9</StackTrace></ErrorInfo>
      </Output>
    </UnitTestResult>
    <UnitTestResult testId="t3" testName="Ignored" outcome="NotExecuted" />
    <UnitTestResult testId="t4" testName="Maybe" outcome="Inconclusive" />
    <UnitTestResult testId="t5" testName="Slow" outcome="Timeout" />
    <UnitTestResult testId="t6" testName="Rows" outcome="Failed">
      <InnerResults>
        <UnitTestResult testId="t6" testName="Rows (1)" outcome="Failed"><Output><ErrorInfo><Message>row</Message></ErrorInfo></Output></UnitTestResult>
      </InnerResults>
    </UnitTestResult>
  </Results>
  <TestDefinitions>
    <UnitTest name="Ns.Calc.Adds" id="t1"><TestMethod className="Ns.Calc" name="Adds" /></UnitTest>
    <UnitTest name="Ns.Calc.Divides" id="t2"><TestMethod className="Ns.Calc" name="Divides" /></UnitTest>
    <UnitTest name="Ignored" id="t3"><TestMethod className="Ns.Other, Ns.Tests, Version=1.0.0.0" name="Ignored" /></UnitTest>
  </TestDefinitions>
  <ResultSummary outcome="Failed">
    <Counters total="7" executed="6" passed="1" failed="2" />
    <RunInfos><RunInfo outcome="Error"><Text>Exit code indicates failure: '2'.</Text></RunInfo></RunInfos>
  </ResultSummary>
</TestRun>"#;

    #[test]
    fn parses_results_definitions_and_summary() {
        let r = parse(SAMPLE.as_bytes()).unwrap();
        let st: Vec<Status> = r.checks.iter().map(|c| c.status).collect();
        assert_eq!(st, vec![Status::Pass, Status::Fail, Status::Skip, Status::NotRun, Status::Error, Status::Fail]);
        let c = &r.checks[1];
        assert_eq!((c.id.as_str(), c.name.as_str(), c.suite_path.as_str()), ("Ns.Calc::Divides", "Divides", "Ns.Calc"));
        assert_eq!(c.duration_ms, Some(1500.0));
        assert_eq!(c.message, "Assert.Equal() Failure");
        assert!(c.details.contains("Calc.cs:line 9") && c.details.contains("--- output ---\nhello"), "{}", c.details);
        assert_eq!(r.checks[2].suite_path, "Ns.Other");
        assert_eq!(r.checks[3].id, "Maybe");
        assert_eq!(r.checks[5].message, "", "inner rows do not leak into the parent");
        assert_eq!(r.run.started_at.as_deref(), Some("2025-06-22T14:17:11.756535Z"));
        assert_eq!(r.run.finished_at.as_deref(), Some("2025-06-22T14:17:12.023063Z"));
        assert!(r.notes.iter().any(|n| n.contains("Exit code indicates failure")), "{:?}", r.notes);
        assert!(r.notes.iter().any(|n| n.contains("declares 7 tests")), "{:?}", r.notes);
        assert!((r.checks[0].duration_ms.unwrap() - 17.0545).abs() < 1e-9);
    }

    #[test]
    fn empty_runs_have_no_checks() {
        let r = parse(br#"<TestRun><Results/><TestDefinitions/></TestRun>"#).unwrap();
        assert!(r.checks.is_empty());
        let r = parse(br#"<TestRun><ResultSummary outcome="Completed"/></TestRun>"#).unwrap();
        assert!(r.checks.is_empty());
    }

    #[test]
    fn rejects_other_roots_and_hostile_xml() {
        assert!(matches!(parse(b"<testsuites/>"), Err(IngestError::NotAReport(_))));
        assert!(matches!(
            parse(b"<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><TestRun/>"),
            Err(IngestError::Malformed { .. })
        ));
        assert!(matches!(parse(b"<TestRun><Results>"), Err(IngestError::Malformed { line: Some(1), .. })));
    }

    #[test]
    fn timespans() {
        assert_eq!(parse_timespan("00:00:01.5"), Some(1500.0));
        assert_eq!(parse_timespan("01:02:03"), Some(3_723_000.0));
        assert_eq!(parse_timespan("1.00:00:00"), Some(86_400_000.0));
        assert_eq!(parse_timespan("00:00:00"), Some(0.0));
        assert_eq!(parse_timespan("abc"), None);
        assert_eq!(parse_timespan("-00:00:01"), None);
        assert_eq!(parse_timespan("1:2:3:4"), None);
    }

    #[test]
    fn every_trx_outcome_maps_as_the_trx_schema_counts_it() {
        let cases = [
            ("Passed", Status::Pass),
            ("Completed", Status::Pass),
            ("PassedButRunAborted", Status::Pass),
            ("Failed", Status::Fail),
            ("Error", Status::Error),
            ("Timeout", Status::Error),
            ("Aborted", Status::Error),
            ("Disconnected", Status::Error),
            ("NotExecuted", Status::Skip),
            ("Warning", Status::Warn),
            ("Inconclusive", Status::NotRun),
            ("NotRunnable", Status::NotRun),
            ("Pending", Status::NotRun),
            ("InProgress", Status::NotRun),
        ];
        let results: String = cases
            .iter()
            .enumerate()
            .map(|(i, (o, _))| format!(r#"<UnitTestResult testId="t{i}" testName="T{i}" outcome="{o}"/>"#))
            .collect();
        let r = parse(
            format!("<TestRun><Results>{results}<UnitTestResult testName=\"NoOutcome\"/></Results></TestRun>")
                .as_bytes(),
        )
        .unwrap();
        let want: Vec<Status> = cases.iter().map(|(_, s)| *s).chain([Status::NotRun]).collect();
        assert_eq!(r.checks.iter().map(|c| c.status).collect::<Vec<_>>(), want);
    }

    #[test]
    fn a_doctype_is_skipped_like_in_every_xml_format() {
        let r = parse(b"<!DOCTYPE TestRun>\n<TestRun><Results><UnitTestResult testName=\"A\" outcome=\"Passed\"/></Results></TestRun>")
            .unwrap();
        assert_eq!(r.checks.len(), 1);
    }

    #[test]
    fn outcomes() {
        assert_eq!(map_outcome("PassedButRunAborted"), Status::Pass);
        assert_eq!(map_outcome("Aborted"), Status::Error);
        assert_eq!(map_outcome("NotRunnable"), Status::NotRun);
        assert_eq!(map_outcome("Warning"), Status::Warn);
        assert_eq!(map_outcome(""), Status::NotRun);
    }
}
