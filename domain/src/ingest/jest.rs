//! Jest JSON: the `--json` output (`testResults[].assertionResults[]`) and the raw
//! aggregated result some tools save (`testResults[].testResults[]`).
//!
//! One check per assertion result. A test file that failed to run (syntax error, failing
//! import) has no assertions: it becomes a note.

use serde::Deserialize;
use serde_json::Value;

use super::IngestError;
use super::common::{check_depth, json_error};
use super::text::{self, join_path};
use crate::model::{Check, ParsedReport, RunMeta, Status};

const FORMAT: &str = "Jest JSON";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDoc {
    test_results: Option<Vec<RawFile>>,
    start_time: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawFile {
    /// `--json` names the file `name`; the aggregated result calls it `testFilePath`.
    name: Option<String>,
    test_file_path: Option<String>,
    assertion_results: Option<Vec<RawAssertion>>,
    test_results: Option<Vec<RawAssertion>>,
    /// `--json`: the file's failure text; aggregated: `failureMessage`.
    message: Option<String>,
    failure_message: Option<String>,
    test_exec_error: Option<Value>,
    status: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawAssertion {
    ancestor_titles: Option<Vec<Value>>,
    title: Option<String>,
    full_name: Option<String>,
    status: Option<String>,
    duration: Option<f64>,
    failure_messages: Option<Vec<Value>>,
    invocations: Option<f64>,
    retry_reasons: Option<Vec<Value>>,
}

/// Maps a Jest assertion status to a check status (`pending`, `skipped`, `disabled` and
/// `todo` are skips, as in CTRF).
pub fn map_status(s: &str) -> Status {
    match s.trim().to_ascii_lowercase().as_str() {
        "passed" | "focused" => Status::Pass,
        "failed" => Status::Fail,
        "pending" | "skipped" | "disabled" | "todo" => Status::Skip,
        _ => Status::NotRun,
    }
}

/// Parses Jest JSON into checks (one per assertion result).
pub fn parse(input: &[u8]) -> Result<ParsedReport, IngestError> {
    check_depth(input)?;
    let doc: RawDoc = serde_json::from_slice(input).map_err(|e| json_error(FORMAT, e))?;
    let files =
        doc.test_results.ok_or_else(|| IngestError::NotAReport("Jest report has no `testResults` array".into()))?;
    let dir = text::common_dir(files.iter().filter_map(|f| f.name.as_deref().or(f.test_file_path.as_deref())));
    let mut checks = Vec::new();
    let mut notes = Vec::new();
    for f in &files {
        let path = f.name.as_deref().or(f.test_file_path.as_deref()).unwrap_or("");
        let file = text::relative(path, &dir);
        let assertions = f.assertion_results.as_deref().or(f.test_results.as_deref()).unwrap_or(&[]);
        for a in assertions {
            checks.push(check(file, a));
        }
        let failure = f
            .message
            .as_deref()
            .or(f.failure_message.as_deref())
            .filter(|m| !m.trim().is_empty())
            .map(str::to_string)
            .or_else(|| match &f.test_exec_error {
                Some(Value::Object(o)) => o.get("message").and_then(Value::as_str).map(str::to_string),
                Some(Value::String(s)) => Some(s.clone()),
                _ => None,
            });
        let failed = f.status.as_deref() == Some("failed") || f.test_exec_error.as_ref().is_some_and(|v| !v.is_null());
        if assertions.is_empty() && (failed || failure.is_some()) {
            let msg = failure.as_deref().map(text::message_of).unwrap_or_default();
            let name = if file.is_empty() { "(unnamed file)" } else { file };
            notes.push(text::note(format!("test file {name} failed to run: {msg}")));
        }
    }
    Ok(ParsedReport {
        format: super::Format::Jest.as_str().to_string(),
        run: RunMeta { started_at: doc.start_time.and_then(text::rfc3339_from_ms), ..RunMeta::default() },
        checks,
        notes,
        ..ParsedReport::default()
    })
}

fn check(file: &str, a: &RawAssertion) -> Check {
    let ancestors: Vec<&str> = a.ancestor_titles.as_deref().unwrap_or(&[]).iter().filter_map(Value::as_str).collect();
    let title = a.title.as_deref().or(a.full_name.as_deref()).unwrap_or("").trim();
    let name = if title.is_empty() { "(unnamed)".to_string() } else { title.to_string() };
    let suite_path = join_path(std::iter::once(file).chain(ancestors.iter().copied()));
    let status = a.status.as_deref().map_or(Status::NotRun, map_status);
    let failures: Vec<&str> = a.failure_messages.as_deref().unwrap_or(&[]).iter().filter_map(Value::as_str).collect();
    let failure = failures.join("\n\n");
    // Jest 29 counts `invocations` (first run included) when `jest.retryTimes` is on.
    let retries = a
        .invocations
        .filter(|n| n.is_finite() && *n >= 1.0)
        .map(|n| (n as u64 - 1).min(u64::from(u32::MAX)) as u32)
        .or_else(|| a.retry_reasons.as_ref().map(|r| r.len().min(u32::MAX as usize) as u32))
        .unwrap_or(0);
    Check {
        id: text::check_id(&suite_path, &name),
        name,
        suite_path,
        status,
        weight: 1.0,
        duration_ms: text::duration(a.duration),
        message: text::message_of(&failure),
        details: text::details_of(&failure, ""),
        flaky: status == Status::Pass && retries > 0,
        retries,
        ..Check::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cli_json_shape() {
        let json = r#"{"numTotalTests": 5, "startTime": 1610634223445, "testResults": [
          {"name": "/ci/app/src/a.test.js", "status": "failed", "message": "", "assertionResults": [
            {"ancestorTitles": ["math", "add"], "title": "adds", "fullName": "math add adds", "status": "passed", "duration": 3},
            {"ancestorTitles": ["math"], "title": "divides", "status": "failed", "duration": null,
             "failureMessages": ["\u001b[31mError: expected 1\u001b[39m\n    at a.test.js:9"]},
            {"ancestorTitles": [], "title": "later", "status": "todo"},
            {"ancestorTitles": [], "title": "retried", "status": "passed", "invocations": 3}
          ]},
          {"name": "/ci/app/src/deep/b.test.js", "status": "failed", "message": "  ● Test suite failed to run\n\n    SyntaxError: x", "assertionResults": []}
        ]}"#;
        let r = parse(json.as_bytes()).unwrap();
        let st: Vec<Status> = r.checks.iter().map(|c| c.status).collect();
        assert_eq!(st, vec![Status::Pass, Status::Fail, Status::Skip, Status::Pass]);
        assert_eq!(r.checks[0].suite_path, "a.test.js › math › add");
        assert_eq!(r.checks[0].id, "a.test.js › math › add::adds");
        assert_eq!(r.checks[0].duration_ms, Some(3.0));
        assert_eq!(r.checks[1].message, "Error: expected 1");
        assert!(r.checks[1].details.contains("a.test.js:9"));
        assert!(r.checks[3].flaky);
        assert_eq!(r.checks[3].retries, 2);
        assert_eq!(r.notes, vec!["test file deep/b.test.js failed to run: ● Test suite failed to run".to_string()]);
        assert_eq!(r.run.started_at.as_deref(), Some("2021-01-14T14:23:43Z"));
    }

    #[test]
    fn parses_aggregated_shape() {
        let json = r#"{"numTotalTests": 1, "testResults": [{"testFilePath": "/x/t.test.js", "failureMessage": null,
            "testResults": [{"ancestorTitles": ["s"], "title": "t", "status": "pending", "failureMessages": []}]}]}"#;
        let r = parse(json.as_bytes()).unwrap();
        assert_eq!(r.checks.len(), 1);
        assert_eq!(r.checks[0].status, Status::Skip);
        assert_eq!(r.checks[0].suite_path, "t.test.js › s");
        assert!(r.notes.is_empty());
    }

    #[test]
    fn rejects_non_reports() {
        assert!(matches!(parse(br#"{"x": 1}"#), Err(IngestError::NotAReport(_))));
        assert!(matches!(parse(b"{\"testResults\": [\n{"), Err(IngestError::Malformed { line: Some(2), .. })));
        assert!(matches!(parse(br#"{"testResults": [1]}"#), Err(IngestError::NotAReport(_))));
    }
}
