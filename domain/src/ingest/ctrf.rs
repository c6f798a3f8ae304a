//! CTRF JSON (Common Test Report Format), 1.0 and the pre-1.0 shapes found in the wild.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::common::{check_depth, json_error, test_check};
use super::text::{append_output, rfc3339_utc};
use super::{IngestError, MAX_DETAILS_BYTES, MAX_MESSAGE_BYTES, bounded, push_bounded};
use crate::model::{Check, ParsedReport, RunMeta, Status};

const FORMAT: &str = "CTRF JSON";
const SUITE_SEPARATOR: &str = " › ";

#[derive(Deserialize)]
struct RawDoc {
    results: Option<RawResults>,
}

#[derive(Deserialize)]
struct RawResults {
    tests: Option<Vec<Value>>,
    environment: Option<Map<String, Value>>,
    summary: Option<Map<String, Value>>,
}

/// Parses a CTRF document into checks (one per `results.tests[]` entry).
pub fn parse(input: &[u8]) -> Result<ParsedReport, IngestError> {
    check_depth(input)?;
    let doc: RawDoc = serde_json::from_slice(input).map_err(|e| json_error(FORMAT, e))?;
    let results = doc.results.ok_or_else(|| IngestError::NotAReport("CTRF report has no `results` object".into()))?;
    let tests =
        results.tests.ok_or_else(|| IngestError::NotAReport("CTRF report has no `results.tests` array".into()))?;
    let checks = tests.iter().enumerate().map(|(i, t)| test(i, t)).collect::<Result<Vec<_>, _>>()?;
    Ok(ParsedReport {
        format: super::Format::Ctrf.as_str().to_string(),
        run: run_meta(results.environment.as_ref(), results.summary.as_ref()),
        checks,
        ..ParsedReport::default()
    })
}

/// CTRF status to a check status. `pending` is a deliberate skip; `other` (and anything
/// unrecognised) says the test did not produce a result.
pub fn map_status(s: &str) -> Status {
    match s.trim().to_ascii_lowercase().as_str() {
        "passed" | "pass" => Status::Pass,
        "failed" | "fail" => Status::Fail,
        "skipped" | "skip" | "pending" | "todo" => Status::Skip,
        _ => Status::NotRun,
    }
}

fn str_field<'v>(t: &'v Map<String, Value>, key: &str) -> Option<&'v str> {
    t.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

fn count_field(t: &Map<String, Value>, key: &str) -> Option<u32> {
    match t.get(key)? {
        Value::Number(n) => n.as_u64().map(|v| v.min(u64::from(u32::MAX)) as u32),
        Value::Array(a) => Some(a.len().min(u32::MAX as usize) as u32),
        _ => None,
    }
}

/// Text from a string or an array of strings (`stdout`/`stderr` are arrays in 1.0).
fn text_field(t: &Map<String, Value>, key: &str, out: &mut String, max: usize) {
    let mut push = |s: &str| {
        if !s.trim().is_empty() {
            if !out.is_empty() {
                push_bounded(out, "\n", max);
            }
            push_bounded(out, s.trim_end(), max);
        }
    };
    match t.get(key) {
        Some(Value::String(s)) => push(s),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).for_each(push),
        _ => {}
    }
}

fn test(i: usize, v: &Value) -> Result<Check, IngestError> {
    let t = v.as_object().ok_or_else(|| IngestError::NotAReport(format!("results.tests[{i}] is not an object")))?;
    let name = str_field(t, "name").unwrap_or("(unnamed)").to_string();
    let status = match t.get("status") {
        Some(Value::String(s)) => map_status(s),
        _ => {
            return Err(IngestError::NotAReport(format!("results.tests[{i}] ({name}) has no `status`")));
        }
    };
    let suite_path = match t.get("suite") {
        // Pre-1.0 writes the path as one string, "outer > inner".
        Some(Value::String(s)) => {
            s.split(" > ").map(str::trim).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(SUITE_SEPARATOR)
        }
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(SUITE_SEPARATOR),
        _ => String::new(),
    };
    let id = if !suite_path.is_empty() {
        format!("{suite_path}::{name}")
    } else if let Some(file) = str_field(t, "filePath") {
        format!("{file}::{name}")
    } else {
        name.clone()
    };
    let retries = count_field(t, "retries")
        .or_else(|| count_field(t, "retry"))
        .or_else(|| count_field(t, "retryAttempts"))
        // `attempts` counts the first run too.
        .or_else(|| count_field(t, "attempts").map(|a| a.saturating_sub(1)))
        .unwrap_or(0);
    let flagged = t.get("flaky").or_else(|| t.get("flake")).and_then(Value::as_bool);
    // As in CTRF 1.0: flaky means it finally passed after failed attempts.
    let flaky = status == Status::Pass && flagged.unwrap_or(retries > 0);
    let duration_ms = t.get("duration").and_then(Value::as_f64).filter(|d| d.is_finite() && *d >= 0.0);
    let message = bounded(str_field(t, "message").unwrap_or(""), MAX_MESSAGE_BYTES);
    let mut details = String::new();
    text_field(t, "trace", &mut details, MAX_DETAILS_BYTES);
    let mut output = String::new();
    text_field(t, "stdout", &mut output, MAX_DETAILS_BYTES / 2);
    text_field(t, "stderr", &mut output, MAX_DETAILS_BYTES / 2);
    append_output(&mut details, &output);
    Ok(Check { duration_ms, message, details, flaky, retries, ..test_check(id, name, suite_path, status) })
}

fn scalar(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn run_meta(env: Option<&Map<String, Value>>, summary: Option<&Map<String, Value>>) -> RunMeta {
    let get = |k: &str| env.and_then(|e| scalar(e.get(k)));
    let time = |k: &str| summary.and_then(|s| s.get(k)).and_then(Value::as_i64).filter(|ms| *ms > 0).map(rfc3339_utc);
    RunMeta {
        id: get("buildId").or_else(|| get("buildNumber")),
        started_at: time("start"),
        finished_at: time("stop"),
        environment: get("testEnvironment"),
        commit: get("commit"),
        branch: get("branchName"),
        url: get("buildUrl"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pre_1_0_and_1_0_shapes() {
        let json = r#"{"results": {
            "tool": {"name": "jest"},
            "summary": {"tests": 6, "start": 1722945600000, "stop": 1722945601000},
            "environment": {"branchName": "main", "buildNumber": 12},
            "tests": [
              {"name": "a", "status": "passed", "duration": 12, "suite": "outer > inner"},
              {"name": "b", "status": "failed", "duration": 3, "message": "boom", "trace": "at x", "stdout": ["hi"], "suite": ["s1", "s2"]},
              {"name": "c", "status": "skipped"},
              {"name": "d", "status": "pending"},
              {"name": "e", "status": "other"},
              {"name": "f", "status": "passed", "flaky": true, "retries": 2},
              {"name": "g", "status": "failed", "flake": true, "retry": 1},
              {"name": "h", "status": "passed", "attempts": 3, "filePath": "t.js"}
            ]}}"#;
        let r = parse(json.as_bytes()).unwrap();
        let st: Vec<Status> = r.checks.iter().map(|c| c.status).collect();
        assert_eq!(
            st,
            vec![
                Status::Pass,
                Status::Fail,
                Status::Skip,
                Status::Skip,
                Status::NotRun,
                Status::Pass,
                Status::Fail,
                Status::Pass
            ]
        );
        assert_eq!(r.checks[0].suite_path, "outer › inner");
        assert_eq!(r.checks[0].id, "outer › inner::a");
        assert_eq!(r.checks[0].duration_ms, Some(12.0));
        assert_eq!(r.checks[1].suite_path, "s1 › s2");
        assert_eq!(r.checks[1].message, "boom");
        assert!(r.checks[1].details.contains("at x") && r.checks[1].details.contains("hi"));
        assert!(r.checks[5].flaky);
        assert_eq!(r.checks[5].retries, 2);
        assert!(!r.checks[6].flaky, "a failed test is never flaky");
        assert_eq!(r.checks[6].retries, 1);
        assert!(r.checks[7].flaky);
        assert_eq!(r.checks[7].retries, 2);
        assert_eq!(r.checks[7].id, "t.js::h");
        assert_eq!(r.run.branch.as_deref(), Some("main"));
        assert_eq!(r.run.id.as_deref(), Some("12"));
        assert_eq!(r.run.started_at.as_deref(), Some("2024-08-06T12:00:00Z"));
    }

    #[test]
    fn rejects_non_reports() {
        assert!(matches!(parse(br#"{"results": {}}"#), Err(IngestError::NotAReport(_))));
        assert!(matches!(parse(br#"{"x": 1}"#), Err(IngestError::NotAReport(_))));
        assert!(matches!(parse(br#"{"results": {"tests": [{"name": "a"}]}}"#), Err(IngestError::NotAReport(_))));
        assert!(matches!(
            parse(b"{\"results\": {\"tests\": [\n{\"name\": "),
            Err(IngestError::Malformed { line: Some(2), .. })
        ));
    }

    #[test]
    fn timestamps() {
        let at = |ms: i64| parse(format!(r#"{{"results": {{"tests": [], "summary": {{"start": {ms}}}}}}}"#).as_bytes());
        assert_eq!(at(951_782_400_000).unwrap().run.started_at.as_deref(), Some("2000-02-29T00:00:00Z"));
        assert_eq!(at(0).unwrap().run.started_at, None, "0 is no time");
    }
}
