//! mocha JSON reporter (`--reporter json`): `stats`, `tests`, `passes`, `failures`, `pending`.
//!
//! One check per entry of `tests`, its status found by matching `failures` and `pending`
//! (mocha's entries carry no status of their own).
//!
//! A failing hook (`"before each" hook for "x"`, `"after all" hook`, `"before all" hook in
//! "{root}"`) is how mocha's JSON reporter lists an error outside any test: the runner emits
//! `fail` for the hook itself, so it is in `failures` (and in `stats.failures`) but never in
//! `tests`, and the tests it guarded did not run. It is one **error** check named after the
//! hook — never a failure of the test it names, which keeps its own result (an `after each`
//! hook can fail after its test passed) — and it is counted once even when a reporter also
//! lists it in `tests`. A second `fail` for a test already counted (mocha's "done() called
//! multiple times") adds nothing; any other failure outside `tests` ("Uncaught error outside
//! test suite") is an error check too.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::IngestError;
use super::common::{check_depth, json_error};
use super::text::{self, basename};
use crate::model::{Check, ParsedReport, RunMeta, Status};

const FORMAT: &str = "mocha JSON";

#[derive(Deserialize)]
struct RawDoc {
    stats: Option<Map<String, Value>>,
    tests: Option<Vec<Map<String, Value>>>,
    passes: Option<Vec<Map<String, Value>>>,
    failures: Option<Vec<Map<String, Value>>>,
    pending: Option<Vec<Map<String, Value>>>,
}

fn s<'v>(t: &'v Map<String, Value>, key: &str) -> &'v str {
    t.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Identity of an entry across the lists: full title and file.
fn key(t: &Map<String, Value>) -> (String, String) {
    (s(t, "fullTitle").to_string(), s(t, "file").to_string())
}

fn has_error(t: &Map<String, Value>) -> bool {
    t.get("err").and_then(Value::as_object).is_some_and(|e| !e.is_empty())
}

/// Parses a mocha JSON report into checks (one per test, plus failed hooks).
pub fn parse(input: &[u8]) -> Result<ParsedReport, IngestError> {
    check_depth(input)?;
    let doc: RawDoc = serde_json::from_slice(input).map_err(|e| json_error(FORMAT, e))?;
    if doc.stats.is_none() && doc.tests.is_none() {
        return Err(IngestError::NotAReport("mocha report has neither `stats` nor `tests`".into()));
    }
    let failures = doc.failures.unwrap_or_default();
    let pending = doc.pending.unwrap_or_default();
    let passes = doc.passes.unwrap_or_default();
    // Counted multisets: two tests may share a title in one file.
    let mut failed: HashMap<(String, String), usize> = HashMap::new();
    for f in &failures {
        *failed.entry(key(f)).or_default() += 1;
    }
    let mut skipped: HashMap<(String, String), usize> = HashMap::new();
    for p in &pending {
        *skipped.entry(key(p)).or_default() += 1;
    }
    let take = |m: &mut HashMap<(String, String), usize>, k: &(String, String)| match m.get_mut(k) {
        Some(n) if *n > 0 => {
            *n -= 1;
            true
        }
        _ => false,
    };

    let mut checks = Vec::new();
    match &doc.tests {
        Some(tests) => {
            let failure_entries: HashMap<(String, String), &Map<String, Value>> =
                failures.iter().map(|f| (key(f), f)).collect();
            for t in tests {
                let k = key(t);
                let status = if is_hook(t) {
                    // Some reporters list the failed hook in `tests` too: one error, once.
                    take(&mut failed, &k);
                    Status::Error
                } else if take(&mut failed, &k) || has_error(t) {
                    Status::Fail
                } else if take(&mut skipped, &k) || t.get("pending").and_then(Value::as_bool) == Some(true) {
                    Status::Skip
                } else {
                    Status::Pass
                };
                // `tests` entries usually carry `err` too; fall back to the failure entry.
                let source =
                    if status == Status::Fail && !has_error(t) { failure_entries.get(&k).copied() } else { None };
                checks.push(check(source.unwrap_or(t), status));
            }
            // What is left in `failures` did not appear in `tests`: failed hooks, errors outside
            // any test, and repeated failures of a test already counted.
            let in_tests: std::collections::HashSet<(String, String)> = tests.iter().map(key).collect();
            for f in &failures {
                let k = key(f);
                if take(&mut failed, &k) && (is_hook(f) || !in_tests.contains(&k)) {
                    checks.push(check(f, Status::Error));
                }
            }
        }
        None => {
            checks.extend(passes.iter().map(|t| check(t, Status::Pass)));
            checks.extend(failures.iter().map(|t| check(t, if is_hook(t) { Status::Error } else { Status::Fail })));
            checks.extend(pending.iter().map(|t| check(t, Status::Skip)));
        }
    }
    let stats = doc.stats.as_ref();
    let time = |k: &str| stats.and_then(|st| st.get(k)).and_then(Value::as_str).and_then(text::rfc3339);
    Ok(ParsedReport {
        format: super::Format::Mocha.as_str().to_string(),
        run: RunMeta { started_at: time("start"), finished_at: time("end"), ..RunMeta::default() },
        checks,
        ..ParsedReport::default()
    })
}

/// mocha titles a hook `"before each" hook`, `"after all" hook: name`, `… for "test"` or
/// `… in "{root}"`.
fn is_hook(t: &Map<String, Value>) -> bool {
    let title = s(t, "title");
    ["\"before all\" hook", "\"before each\" hook", "\"after all\" hook", "\"after each\" hook"]
        .iter()
        .any(|h| title.starts_with(h))
}

fn check(t: &Map<String, Value>, status: Status) -> Check {
    let title = s(t, "title").trim();
    let full = s(t, "fullTitle").trim();
    let name = if title.is_empty() { "(unnamed)".to_string() } else { title.to_string() };
    // mocha joins suite titles with spaces: the path is the full title minus the title.
    let prefix = full.strip_suffix(title).map(str::trim).unwrap_or("");
    let suite_path = if prefix.is_empty() { basename(s(t, "file")).to_string() } else { prefix.to_string() };
    let err = t.get("err").and_then(Value::as_object);
    let err_message = err.map(|e| s(e, "message")).unwrap_or("");
    let stack = err.map(|e| s(e, "stack")).unwrap_or("");
    let failure = if stack.is_empty() { err_message } else { stack };
    let retries = t.get("currentRetry").and_then(Value::as_u64).unwrap_or(0).min(u64::from(u32::MAX)) as u32;
    Check {
        id: if full.is_empty() { name.clone() } else { full.to_string() },
        name,
        suite_path,
        status,
        weight: 1.0,
        duration_ms: text::duration(t.get("duration").and_then(Value::as_f64)),
        message: if status.is_failure() {
            text::message_of(if err_message.is_empty() { stack } else { err_message })
        } else {
            String::new()
        },
        details: if status.is_failure() { text::details_of(failure, "") } else { String::new() },
        flaky: status == Status::Pass && retries > 0,
        retries,
        ..Check::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{
      "stats": {"suites": 2, "tests": 5, "passes": 2, "pending": 1, "failures": 3, "start": "2021-02-24T20:26:09.297Z", "end": "2021-02-24T20:26:09.309Z", "duration": 12},
      "tests": [
        {"title": "adds", "fullTitle": "Math add adds", "file": "/ci/test/math.js", "duration": 2, "currentRetry": 0, "err": {}},
        {"title": "divides", "fullTitle": "Math divides", "file": "/ci/test/math.js", "duration": 1, "currentRetry": 0,
         "err": {"message": "expected 1 to equal 2", "stack": "AssertionError: expected 1 to equal 2\n    at math.js:9"}},
        {"title": "later", "fullTitle": "Math later", "file": "/ci/test/math.js", "currentRetry": 0, "err": {}},
        {"title": "retried", "fullTitle": "retried", "file": "/ci/test/other.js", "duration": 5, "currentRetry": 2, "err": {}},
        {"title": "dup", "fullTitle": "Math dup", "file": "/ci/test/math.js", "duration": 1, "err": {}}
      ],
      "passes": [{"title": "adds", "fullTitle": "Math add adds"}],
      "failures": [
        {"title": "divides", "fullTitle": "Math divides", "file": "/ci/test/math.js", "err": {"message": "expected 1 to equal 2"}},
        {"title": "dup", "fullTitle": "Math dup", "file": "/ci/test/math.js", "err": {"message": "dup failed"}},
        {"title": "\"before all\" hook for \"x\"", "fullTitle": "Db \"before all\" hook for \"x\"", "file": "/ci/test/db.js", "err": {"message": "connect ECONNREFUSED"}}
      ],
      "pending": [{"title": "later", "fullTitle": "Math later", "file": "/ci/test/math.js", "err": {}}]
    }"#;

    #[test]
    fn statuses_come_from_the_lists() {
        let r = parse(SAMPLE.as_bytes()).unwrap();
        let st: Vec<Status> = r.checks.iter().map(|c| c.status).collect();
        assert_eq!(st, vec![Status::Pass, Status::Fail, Status::Skip, Status::Pass, Status::Fail, Status::Error]);
        assert_eq!(r.checks[0].suite_path, "Math add");
        assert_eq!(r.checks[0].id, "Math add adds");
        assert_eq!(r.checks[1].message, "expected 1 to equal 2");
        assert!(r.checks[1].details.contains("math.js:9"));
        assert_eq!(r.checks[3].suite_path, "other.js");
        assert!(r.checks[3].flaky);
        assert_eq!(r.checks[3].retries, 2);
        assert_eq!(r.checks[4].message, "dup failed");
        assert_eq!(r.checks[5].message, "connect ECONNREFUSED");
        assert_eq!(r.run.started_at.as_deref(), Some("2021-02-24T20:26:09.297Z"));
    }

    #[test]
    fn failed_hooks_are_errors_counted_once_not_failures_of_the_test_they_name() {
        let r = parse(
            br#"{
          "stats": {"tests": 2, "passes": 2, "failures": 4},
          "tests": [
            {"title": "reads", "fullTitle": "Db reads", "file": "db.js", "err": {}},
            {"title": "writes", "fullTitle": "Db writes", "file": "db.js", "err": {}},
            {"title": "\"before each\" hook for \"lists\"", "fullTitle": "Api \"before each\" hook for \"lists\"", "file": "api.js",
             "err": {"message": "listen EADDRINUSE"}}
          ],
          "passes": [{"title": "reads", "fullTitle": "Db reads", "file": "db.js"}, {"title": "writes", "fullTitle": "Db writes", "file": "db.js"}],
          "failures": [
            {"title": "\"after each\" hook for \"writes\"", "fullTitle": "Db \"after each\" hook for \"writes\"", "file": "db.js", "err": {"message": "cleanup failed"}},
            {"title": "\"before each\" hook for \"lists\"", "fullTitle": "Api \"before each\" hook for \"lists\"", "file": "api.js", "err": {"message": "listen EADDRINUSE"}},
            {"title": "\"after all\" hook", "fullTitle": "Db \"after all\" hook", "file": "db.js", "err": {"message": "pool still open"}},
            {"title": "writes", "fullTitle": "Db writes", "file": "db.js", "err": {"message": "done() called multiple times"}}
          ],
          "pending": []
        }"#,
        )
        .unwrap();
        let st: Vec<(&str, Status)> = r.checks.iter().map(|c| (c.name.as_str(), c.status)).collect();
        assert_eq!(
            st,
            vec![
                ("reads", Status::Pass),
                ("writes", Status::Fail),
                (r#""before each" hook for "lists""#, Status::Error),
                (r#""after each" hook for "writes""#, Status::Error),
                (r#""after all" hook"#, Status::Error),
            ]
        );
        assert_eq!(r.checks[3].message, "cleanup failed");
        assert_eq!(r.checks[3].suite_path, "Db");
        // Without `tests`, the hooks in `failures` are errors as well.
        let r = parse(
            br#"{"stats": {}, "passes": [{"title": "a", "fullTitle": "S a"}],
              "failures": [{"title": "\"before all\" hook in \"{root}\"", "fullTitle": "\"before all\" hook in \"{root}\"", "err": {"message": "x"}},
                           {"title": "b", "fullTitle": "S b", "err": {"message": "y"}}]}"#,
        )
        .unwrap();
        let st: Vec<Status> = r.checks.iter().map(|c| c.status).collect();
        assert_eq!(st, vec![Status::Pass, Status::Error, Status::Fail]);
    }

    #[test]
    fn lists_without_tests_and_empty_reports() {
        let r = parse(br#"{"stats": {}, "passes": [{"title": "a", "fullTitle": "a"}], "pending": [{"title": "b"}]}"#)
            .unwrap();
        let st: Vec<Status> = r.checks.iter().map(|c| c.status).collect();
        assert_eq!(st, vec![Status::Pass, Status::Skip]);
        let r = parse(br#"{"stats": {"tests": 0}, "tests": [], "pending": [], "failures": [], "passes": []}"#).unwrap();
        assert!(r.checks.is_empty());
    }

    #[test]
    fn rejects_non_reports() {
        assert!(matches!(parse(br#"{"x": 1}"#), Err(IngestError::NotAReport(_))));
        assert!(matches!(parse(br#"{"stats": {}, "tests": [1]}"#), Err(IngestError::NotAReport(_))));
    }
}
