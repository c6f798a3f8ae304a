//! pytest-json-report (`pytest --json-report`).
//!
//! One check per `tests[]` entry. `xfailed` (an expected failure) is a skip and `xpassed`
//! (non-strict) a pass, as pytest's JUnit output has them; a strict xpass is already
//! reported as `failed`. Collection errors become notes. A summary-only report (written
//! with `--json-report-summary`) has no per-test results: 0 checks and a note saying so.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::IngestError;
use super::common::{check_depth, json_error};
use super::text::{self, join_path};
use crate::model::{Check, ParsedReport, RunMeta, Status};

const FORMAT: &str = "pytest-json-report JSON";

#[derive(Deserialize)]
struct RawDoc {
    created: Option<f64>,
    duration: Option<f64>,
    exitcode: Option<Value>,
    summary: Option<Map<String, Value>>,
    tests: Option<Vec<Map<String, Value>>>,
    collectors: Option<Vec<Map<String, Value>>>,
}

/// Maps a pytest outcome to a check status.
pub fn map_outcome(outcome: &str) -> Status {
    match outcome.trim().to_ascii_lowercase().as_str() {
        "passed" | "xpassed" => Status::Pass,
        "failed" => Status::Fail,
        "error" => Status::Error,
        "skipped" | "xfailed" => Status::Skip,
        _ => Status::NotRun,
    }
}

/// Parses a pytest-json-report document into checks (one per test).
pub fn parse(input: &[u8]) -> Result<ParsedReport, IngestError> {
    check_depth(input)?;
    let doc: RawDoc = serde_json::from_slice(input).map_err(|e| json_error(FORMAT, e))?;
    if doc.tests.is_none() && doc.summary.is_none() {
        return Err(IngestError::NotAReport("pytest-json-report has neither `tests` nor `summary`".into()));
    }
    let mut notes = Vec::new();
    for c in doc.collectors.as_deref().unwrap_or(&[]) {
        let outcome = c.get("outcome").and_then(Value::as_str).unwrap_or("");
        if outcome == "failed" || outcome == "error" {
            let node = c.get("nodeid").and_then(Value::as_str).filter(|n| !n.is_empty()).unwrap_or("(session)");
            let msg = longrepr(c.get("longrepr")).map(|l| last_error_line(&l)).unwrap_or_default();
            notes.push(text::note(format!("collection error in {node}: {msg}")));
        }
    }
    let checks: Vec<Check> = match &doc.tests {
        Some(tests) => tests.iter().map(check).collect(),
        None => {
            let total = doc.summary.as_ref().and_then(|s| s.get("total")).and_then(Value::as_u64).unwrap_or(0);
            if total > 0 {
                notes.push(format!(
                    "summary-only report: {total} tests declared, no per-test results (drop --json-report-summary)"
                ));
            }
            Vec::new()
        }
    };
    if let Some(code) = doc.exitcode.as_ref().and_then(Value::as_i64)
        && (2..=4).contains(&code)
    {
        let why = match code {
            2 => "interrupted",
            3 => "internal error",
            _ => "usage error",
        };
        notes.push(format!("pytest exited with code {code} ({why})"));
    }
    let started = doc.created.map(|s| s * 1000.0);
    let finished = started.zip(doc.duration).map(|(s, d)| s + d * 1000.0);
    Ok(ParsedReport {
        format: super::Format::PytestJson.as_str().to_string(),
        run: RunMeta {
            started_at: started.and_then(text::rfc3339_from_ms),
            finished_at: finished.and_then(text::rfc3339_from_ms),
            ..RunMeta::default()
        },
        checks,
        notes,
        ..ParsedReport::default()
    })
}

fn check(t: &Map<String, Value>) -> Check {
    let nodeid = t.get("nodeid").and_then(Value::as_str).unwrap_or("").trim();
    let outcome = t.get("outcome").and_then(Value::as_str).unwrap_or("");
    let status = map_outcome(outcome);
    // "dir/test_x.py::TestClass::test_y[a::b]": parameters may contain "::".
    let bare = nodeid.find('[').map_or(nodeid, |i| &nodeid[..i]);
    let (scope, name) = match bare.rfind("::") {
        Some(i) => (&nodeid[..i], &nodeid[i + 2..]),
        None => ("", nodeid),
    };
    let name = if name.is_empty() { "(unnamed)".to_string() } else { name.to_string() };
    let suite_path = join_path(scope.split("::"));
    let stages: Vec<&Map<String, Value>> =
        ["setup", "call", "teardown"].iter().filter_map(|k| t.get(*k).and_then(Value::as_object)).collect();
    let durations: Vec<f64> = stages.iter().filter_map(|s| s.get("duration").and_then(Value::as_f64)).collect();
    let duration_ms = (!durations.is_empty()).then(|| durations.iter().sum::<f64>() * 1000.0);
    // The stage that decided the outcome: the first that did not pass, else the call.
    let deciding = stages
        .iter()
        .copied()
        .find(|s| s.get("outcome").and_then(Value::as_str).is_some_and(|o| o != "passed"))
        .or_else(|| t.get("call").and_then(Value::as_object));
    let failure = deciding.and_then(|s| longrepr(s.get("longrepr"))).unwrap_or_default();
    let crash =
        deciding.and_then(|s| s.get("crash")).and_then(|c| c.get("message")).and_then(Value::as_str).unwrap_or("");
    let message = match status {
        Status::Pass => String::new(),
        Status::Skip => skip_reason(&failure),
        _ if !crash.trim().is_empty() => text::message_of(crash),
        _ => last_error_line(&failure),
    };
    let mut output = String::new();
    for s in &stages {
        for key in ["stdout", "stderr", "log"] {
            if let Some(o) = s.get(key).and_then(Value::as_str) {
                output.push_str(o);
            }
        }
    }
    Check {
        id: if nodeid.is_empty() { name.clone() } else { nodeid.to_string() },
        name,
        suite_path,
        status,
        weight: 1.0,
        duration_ms: text::duration(duration_ms),
        message,
        details: if status == Status::Pass { String::new() } else { text::details_of(&failure, &output) },
        ..Check::default()
    }
}

/// `longrepr` is a string, or for skips a `[path, line, reason]` triple.
fn longrepr(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Array(a) => Some(
            a.iter().map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string)).collect::<Vec<_>>().join(" "),
        ),
        _ => None,
    }
}

/// The reason of a skip: "('test_x.py', 47, 'Skipped: testing skip')" → "testing skip".
fn skip_reason(longrepr: &str) -> String {
    let t = longrepr.trim().trim_end_matches(')');
    let reason = t.rsplit(", ").next().unwrap_or(t).trim_matches(['\'', '"']);
    text::message_of(reason.strip_prefix("Skipped: ").unwrap_or(reason))
}

/// pytest puts the error summary on the `E   …` lines near the end of a traceback.
fn last_error_line(longrepr: &str) -> String {
    let e = longrepr.lines().find_map(|l| l.strip_prefix("E ").map(str::trim)).filter(|l| !l.is_empty());
    match e {
        Some(l) => text::message_of(l),
        None => text::message_of(longrepr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{"created": 1652346151.0, "duration": 2.5, "exitcode": 1, "root": "/r",
      "summary": {"passed": 1, "failed": 1, "total": 6, "collected": 6},
      "collectors": [{"nodeid": "test_bad.py", "outcome": "failed", "longrepr": "ImportError while importing\nE   ModuleNotFoundError: No module named 'x'"}],
      "tests": [
        {"nodeid": "tests/test_a.py::TestMath::test_add[1-2]", "outcome": "passed",
         "setup": {"duration": 0.001, "outcome": "passed"}, "call": {"duration": 0.5, "outcome": "passed"}, "teardown": {"duration": 0.001, "outcome": "passed"}},
        {"nodeid": "tests/test_a.py::test_div", "outcome": "failed",
         "setup": {"duration": 0.0, "outcome": "passed"},
         "call": {"duration": 0.1, "outcome": "failed", "crash": {"path": "/r/tests/test_a.py", "lineno": 9, "message": "ZeroDivisionError: division by zero"},
                  "longrepr": "def test_div():\n>       1/0\nE       ZeroDivisionError: division by zero", "stdout": "printed\n"}},
        {"nodeid": "tests/test_a.py::test_setup", "outcome": "error",
         "setup": {"duration": 0.0, "outcome": "failed", "longrepr": "fixture broke\nE   RuntimeError: no db"}},
        {"nodeid": "tests/test_a.py::test_skip", "outcome": "skipped",
         "setup": {"duration": 0.0, "outcome": "skipped", "longrepr": "('tests/test_a.py', 47, 'Skipped: not today')"}},
        {"nodeid": "tests/test_a.py::test_xfail", "outcome": "xfailed", "call": {"outcome": "skipped"}},
        {"nodeid": "tests/test_a.py::test_xpass", "outcome": "xpassed", "call": {"outcome": "passed"}}
      ]}"#;

    #[test]
    fn parses_outcomes_stages_and_collectors() {
        let r = parse(SAMPLE.as_bytes()).unwrap();
        let st: Vec<Status> = r.checks.iter().map(|c| c.status).collect();
        assert_eq!(st, vec![Status::Pass, Status::Fail, Status::Error, Status::Skip, Status::Skip, Status::Pass]);
        let c = &r.checks[0];
        assert_eq!((c.name.as_str(), c.suite_path.as_str()), ("test_add[1-2]", "tests/test_a.py › TestMath"));
        assert_eq!(c.id, "tests/test_a.py::TestMath::test_add[1-2]");
        assert!((c.duration_ms.unwrap() - 502.0).abs() < 1e-9);
        assert_eq!(r.checks[1].message, "ZeroDivisionError: division by zero");
        assert!(r.checks[1].details.contains("1/0") && r.checks[1].details.contains("printed"));
        assert_eq!(r.checks[2].message, "RuntimeError: no db");
        assert_eq!(r.checks[3].message, "not today");
        assert_eq!(
            r.notes,
            vec!["collection error in test_bad.py: ModuleNotFoundError: No module named 'x'".to_string()]
        );
        assert_eq!(r.run.started_at.as_deref(), Some("2022-05-12T09:02:31Z"));
        assert_eq!(r.run.finished_at.as_deref(), Some("2022-05-12T09:02:33Z"));
    }

    #[test]
    fn summary_only_and_empty_reports() {
        let r = parse(br#"{"exitcode": 0, "summary": {"passed": 3, "total": 3}}"#).unwrap();
        assert!(r.checks.is_empty());
        assert!(r.notes[0].contains("summary-only"), "{:?}", r.notes);
        let r = parse(br#"{"exitcode": 4, "summary": {"total": 0, "collected": 0}, "tests": []}"#).unwrap();
        assert!(r.checks.is_empty());
        assert_eq!(r.notes, vec!["pytest exited with code 4 (usage error)".to_string()]);
    }

    #[test]
    fn parameters_may_contain_separators() {
        let r = parse(br#"{"tests": [{"nodeid": "t.py::test_x[a::b]", "outcome": "passed"}]}"#).unwrap();
        assert_eq!((r.checks[0].name.as_str(), r.checks[0].suite_path.as_str()), ("test_x[a::b]", "t.py"));
    }

    #[test]
    fn rejects_non_reports() {
        assert!(matches!(parse(br#"{"exitcode": 0}"#), Err(IngestError::NotAReport(_))));
        assert!(matches!(parse(br#"{"tests": 5}"#), Err(IngestError::NotAReport(_))));
    }
}
