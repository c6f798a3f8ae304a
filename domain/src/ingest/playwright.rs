//! Playwright JSON reporter (`--reporter=json`).
//!
//! One check per test, i.e. per spec × project: the same spec run in three browser projects
//! is three checks. `results[]` are attempts: more than one means retries, and a test that
//! passed after failing attempts is flaky (Playwright's own `flaky` outcome). Top-level
//! `errors[]` (global set-up failures, "stopped early") become notes.

use serde::Deserialize;
use serde_json::Value;

use super::IngestError;
use super::common::{check_depth, json_error, test_check};
use super::text::{self, join_path};
use crate::model::{Check, ParsedReport, RunMeta, Status};

const FORMAT: &str = "Playwright JSON";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDoc {
    suites: Option<Vec<RawSuite>>,
    errors: Option<Vec<Value>>,
    stats: Option<RawStats>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawStats {
    start_time: Option<String>,
}

#[derive(Deserialize)]
struct RawSuite {
    title: Option<String>,
    file: Option<String>,
    specs: Option<Vec<RawSpec>>,
    suites: Option<Vec<RawSuite>>,
}

#[derive(Deserialize)]
struct RawSpec {
    title: Option<String>,
    tests: Option<Vec<RawTest>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTest {
    project_name: Option<String>,
    project_id: Option<String>,
    expected_status: Option<String>,
    status: Option<String>,
    results: Option<Vec<RawResult>>,
    annotations: Option<Vec<Value>>,
}

#[derive(Deserialize)]
struct RawResult {
    status: Option<String>,
    duration: Option<f64>,
    error: Option<Value>,
    errors: Option<Vec<Value>>,
    stdout: Option<Vec<Value>>,
    stderr: Option<Vec<Value>>,
}

/// Deepest suite nesting followed; describe blocks rarely nest more than a few levels.
const MAX_SUITE_DEPTH: usize = 32;

/// Parses a Playwright JSON report into checks (one per spec × project).
pub fn parse(input: &[u8]) -> Result<ParsedReport, IngestError> {
    check_depth(input)?;
    let doc: RawDoc = serde_json::from_slice(input).map_err(|e| json_error(FORMAT, e))?;
    let suites = doc.suites.ok_or_else(|| IngestError::NotAReport("Playwright report has no `suites` array".into()))?;
    let mut checks = Vec::new();
    let mut path = Vec::new();
    for s in &suites {
        walk(s, &mut path, &mut checks, 0);
    }
    let notes = doc
        .errors
        .unwrap_or_default()
        .iter()
        .filter_map(error_text)
        .map(|e| text::note(format!("run error: {}", text::message_of(&e))))
        .collect();
    let started_at = doc.stats.and_then(|s| s.start_time).and_then(|t| text::rfc3339(&t));
    Ok(ParsedReport {
        format: super::Format::Playwright.as_str().to_string(),
        run: RunMeta { started_at, ..RunMeta::default() },
        checks,
        notes,
        ..ParsedReport::default()
    })
}

fn walk<'s>(suite: &'s RawSuite, path: &mut Vec<&'s str>, checks: &mut Vec<Check>, depth: usize) {
    if depth >= MAX_SUITE_DEPTH {
        return;
    }
    let title = suite.title.as_deref().or(suite.file.as_deref()).unwrap_or("");
    path.push(title);
    for spec in suite.specs.as_deref().unwrap_or(&[]) {
        for test in spec.tests.as_deref().unwrap_or(&[]) {
            checks.push(check(path, spec, test));
        }
    }
    for child in suite.suites.as_deref().unwrap_or(&[]) {
        walk(child, path, checks, depth + 1);
    }
    path.pop();
}

/// Playwright's outcome of a test from its attempts, for reports without `status`.
/// Interrupted attempts do not count; only skipped attempts → skipped.
fn outcome(test: &RawTest) -> &'static str {
    let expected = test.expected_status.as_deref().unwrap_or("passed");
    let results: Vec<&str> = test
        .results
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .map(|r| r.status.as_deref().unwrap_or(""))
        .filter(|s| *s != "interrupted")
        .collect();
    if results.iter().all(|s| *s == "skipped") {
        return "skipped";
    }
    let failures = results.iter().filter(|s| **s != expected).count();
    if failures == 0 {
        "expected"
    } else if failures == results.len() {
        "unexpected"
    } else {
        "flaky"
    }
}

fn check(path: &[&str], spec: &RawSpec, test: &RawTest) -> Check {
    let results = test.results.as_deref().unwrap_or(&[]);
    let outcome = test.status.as_deref().unwrap_or_else(|| outcome(test));
    let last = results.iter().rev().find(|r| r.status.as_deref() != Some("interrupted")).or(results.last());
    let last_status = last.and_then(|r| r.status.as_deref()).unwrap_or("");
    let status = match outcome {
        "expected" | "flaky" => Status::Pass,
        "skipped" => Status::Skip,
        "unexpected" => match last_status {
            // Ran out of time, or was torn down: not an assertion that failed.
            "timedOut" | "interrupted" => Status::Error,
            _ => Status::Fail,
        },
        _ => Status::NotRun,
    };
    let project = test.project_name.as_deref().filter(|p| !p.is_empty()).or(test.project_id.as_deref()).unwrap_or("");
    // Like Playwright's own list reporter: "[project] › file › describe › title".
    let mut parts: Vec<&str> = vec![project];
    parts.extend(path.iter().copied());
    let suite_path = join_path(parts);
    let title = spec.title.as_deref().unwrap_or("").trim();
    let name = if title.is_empty() { "(unnamed)".to_string() } else { title.to_string() };
    let id = text::check_id(&suite_path, &name);
    let failing = results.iter().rev().find(|r| result_error(r).is_some());
    let failure = failing.and_then(result_error).unwrap_or_default();
    let mut output = String::new();
    if let Some(r) = last {
        for v in r.stdout.iter().chain(r.stderr.iter()).flatten() {
            if let Some(t) = output_text(v) {
                output.push_str(&t);
            }
        }
    }
    let skip_reason = test
        .annotations
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .filter(|a| a.get("type").and_then(Value::as_str) == Some("skip"))
        .find_map(|a| a.get("description").and_then(Value::as_str))
        .unwrap_or("");
    let message = match status {
        Status::Pass => String::new(),
        Status::Skip => text::message_of(skip_reason),
        _ => text::message_of(&failure),
    };
    let duration: f64 = results.iter().filter_map(|r| text::duration(r.duration)).sum();
    let retries = results.len().saturating_sub(1).min(u32::MAX as usize) as u32;
    Check {
        duration_ms: (!results.is_empty()).then_some(duration),
        message,
        details: if status == Status::Pass && outcome != "flaky" {
            String::new()
        } else {
            text::details_of(&failure, &output)
        },
        flaky: outcome == "flaky",
        retries,
        ..test_check(id, name, suite_path, status)
    }
}

/// The error text of one attempt: `error.stack` or `error.message`, else `errors[]`.
fn result_error(r: &RawResult) -> Option<String> {
    r.error.as_ref().and_then(error_text).or_else(|| {
        let all: Vec<String> = r.errors.as_deref().unwrap_or(&[]).iter().filter_map(error_text).collect();
        (!all.is_empty()).then(|| all.join("\n\n"))
    })
}

fn error_text(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.as_str(),
        Value::Object(o) => o
            .get("stack")
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .or_else(|| o.get("message").and_then(Value::as_str))
            .or_else(|| o.get("value").and_then(Value::as_str))?,
        _ => return None,
    };
    (!s.trim().is_empty()).then(|| s.to_string())
}

/// Captured output entries are `{"text": …}` or `{"buffer": base64}`; buffers are skipped.
fn output_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("text").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{"config": {}, "stats": {"startTime": "2025-01-15T17:55:13.138Z", "expected": 2, "unexpected": 2, "flaky": 1, "skipped": 1},
      "errors": [{"message": "\u001b[31mTesting stopped early after 1 maximum allowed failures.\u001b[39m"}],
      "suites": [{"title": "login.spec.ts", "file": "login.spec.ts", "specs": [], "suites": [
        {"title": "Login", "file": "login.spec.ts", "specs": [
          {"title": "works", "file": "login.spec.ts", "line": 3, "tests": [
            {"projectName": "chromium", "expectedStatus": "passed", "status": "expected", "results": [{"status": "passed", "duration": 100}]},
            {"projectName": "firefox", "expectedStatus": "passed", "status": "flaky", "results": [
              {"status": "failed", "duration": 50, "error": {"message": "Error: flake", "stack": "Error: flake\n    at login.spec.ts:5"}},
              {"status": "passed", "duration": 60}]}
          ]},
          {"title": "fails", "file": "login.spec.ts", "line": 9, "tests": [
            {"projectName": "chromium", "expectedStatus": "passed", "status": "unexpected", "results": [
              {"status": "failed", "duration": 10, "error": {"message": "\u001b[31mError: expect(received).toBe(expected)\u001b[39m"}, "stdout": [{"text": "log\n"}]}]}
          ]},
          {"title": "slow", "file": "login.spec.ts", "line": 12, "tests": [
            {"projectName": "chromium", "expectedStatus": "passed", "results": [{"status": "timedOut", "duration": 30000, "errors": [{"message": "Test timeout of 30000ms exceeded."}]}]}
          ]},
          {"title": "later", "file": "login.spec.ts", "line": 15, "tests": [
            {"projectName": "", "expectedStatus": "skipped", "status": "skipped", "annotations": [{"type": "skip", "description": "not on CI"}], "results": [{"status": "skipped", "duration": 0}]}
          ]},
          {"title": "known bug", "file": "login.spec.ts", "line": 18, "tests": [
            {"projectName": "chromium", "expectedStatus": "failed", "results": [{"status": "failed", "duration": 5}]}
          ]}
        ]}]}]}"#;

    #[test]
    fn one_check_per_spec_and_project() {
        let r = parse(SAMPLE.as_bytes()).unwrap();
        let st: Vec<(String, Status)> = r.checks.iter().map(|c| (c.id.clone(), c.status)).collect();
        assert_eq!(
            st,
            vec![
                ("chromium › login.spec.ts › Login::works".to_string(), Status::Pass),
                ("firefox › login.spec.ts › Login::works".to_string(), Status::Pass),
                ("chromium › login.spec.ts › Login::fails".to_string(), Status::Fail),
                ("chromium › login.spec.ts › Login::slow".to_string(), Status::Error),
                ("login.spec.ts › Login::later".to_string(), Status::Skip),
                ("chromium › login.spec.ts › Login::known bug".to_string(), Status::Pass),
            ]
        );
        let flaky = &r.checks[1];
        assert!(flaky.flaky);
        assert_eq!(flaky.retries, 1);
        assert_eq!(flaky.duration_ms, Some(110.0));
        assert!(flaky.details.contains("login.spec.ts:5"));
        assert!(!r.checks[0].flaky);
        assert_eq!(r.checks[2].message, "Error: expect(received).toBe(expected)");
        assert!(r.checks[2].details.contains("--- output ---\nlog"));
        assert_eq!(r.checks[3].message, "Test timeout of 30000ms exceeded.");
        assert_eq!(r.checks[4].message, "not on CI");
        assert_eq!(r.notes, vec!["run error: Testing stopped early after 1 maximum allowed failures.".to_string()]);
        assert_eq!(r.run.started_at.as_deref(), Some("2025-01-15T17:55:13.138Z"));
    }

    #[test]
    fn rejects_non_reports() {
        assert!(matches!(parse(br#"{"config": {}}"#), Err(IngestError::NotAReport(_))));
        assert!(matches!(parse(b"{\"suites\": [\n{"), Err(IngestError::Malformed { line: Some(2), .. })));
    }
}
