//! go test2json NDJSON (`go test -json`), read line by line.
//!
//! Counted as `gotestsum` counts a run:
//! - one check per (Package, Test), with the last `pass`/`fail`/`skip` (or `bench`) action
//!   as its result; a parent test and each of its subtests (`TestA/case`) are separate
//!   checks, the parent failing on its own `fail` action when a subtest failed;
//! - a package that fails without a failing test (build failure, panic in `TestMain` or after
//!   the tests, `FAIL pkg [build failed]` printed by `go` itself) is one **error** check for
//!   that package, as gotestsum lists it among failed packages (and its JUnit output adds a
//!   failing test case for it).
//!
//! Events of parallel tests interleave freely, so output is routed by (Package, Test).
//! Lines that are not JSON (build errors printed by `go`) are tolerated. Benchmark result
//! lines become metrics.

use std::collections::HashMap;

use serde::Deserialize;

use super::text::{self, SUITE_SEPARATOR};
use super::{IngestError, MAX_DETAILS_BYTES, MAX_MESSAGE_BYTES, bounded, push_bounded};
use crate::model::{Check, Metric, ParsedReport, RunMeta, Status};

const FORMAT: &str = "go test2json";
/// Longest line read as an event; longer lines are output nobody reads in a dashboard.
const MAX_LINE_BYTES: usize = 1024 * 1024;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Event {
    time: Option<String>,
    action: Option<String>,
    package: Option<String>,
    import_path: Option<String>,
    test: Option<String>,
    output: Option<String>,
    elapsed: Option<f64>,
    failed_build: Option<String>,
}

struct TestState {
    index: usize,
    finished: bool,
}

#[derive(Default)]
struct PackageState {
    result: Option<String>,
    failed_build: bool,
    failed_setup: bool,
    output: String,
    any_test_failed: bool,
}

/// Whether the content starts like a test2json stream: the first JSON line is an object
/// with an `Action` (leading non-JSON lines, such as `go: downloading …`, are allowed).
pub fn detect(body: &[u8]) -> Option<super::Format> {
    let head = &body[..body.len().min(64 * 1024)];
    for line in head.split(|&b| b == b'\n').take(50) {
        let line = line.trim_ascii();
        if !line.starts_with(b"{") {
            continue;
        }
        let v: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(line).ok()?;
        let action = v.get("Action").and_then(serde_json::Value::as_str)?;
        let known =
            ["start", "run", "pause", "cont", "pass", "bench", "fail", "output", "skip", "build-output", "build-fail"];
        return known.contains(&action).then_some(super::Format::Gotest);
    }
    None
}

/// Maps a final test2json action to a check status.
pub fn map_action(action: &str) -> Option<Status> {
    match action {
        "pass" | "bench" => Some(Status::Pass),
        "fail" => Some(Status::Fail),
        "skip" => Some(Status::Skip),
        _ => None,
    }
}

/// Parses a test2json stream into checks (one per test and subtest).
pub fn parse(input: &[u8]) -> Result<ParsedReport, IngestError> {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let mut stream = Stream::default();
    let mut offset = 0usize;
    for raw in input.split(|&b| b == b'\n') {
        let line_start = offset;
        offset += raw.len() + 1;
        let line = raw.trim_ascii();
        if line.is_empty() {
            continue;
        }
        if !line.starts_with(b"{") || line.len() > MAX_LINE_BYTES {
            stream.go_line(line);
            continue;
        }
        let ev: Event = match serde_json::from_slice(line) {
            Ok(ev) => ev,
            // A JSON-looking line that does not parse: a truncated stream is the usual
            // cause. Report it when nothing else was readable, else tolerate it.
            Err(e) if stream.read_nothing() => {
                let col = e.column().max(1);
                let at = line_start + (raw.len() - raw.trim_ascii_start().len()) + col - 1;
                return Err(IngestError::malformed_at(FORMAT, strip_position(&e.to_string()), input, at));
            }
            Err(_) => continue,
        };
        stream.event(ev);
    }
    if stream.read_nothing() {
        return Err(IngestError::NotAReport("no go test2json events (lines with an \"Action\") found".into()));
    }
    Ok(stream.finish())
}

/// What has been read of a test2json stream so far.
#[derive(Default)]
struct Stream {
    checks: Vec<Check>,
    outputs: Vec<String>,
    tests: HashMap<(String, String), TestState>,
    packages: HashMap<String, PackageState>,
    package_order: Vec<String>,
    build_output: HashMap<String, String>,
    metrics: Vec<Metric>,
    run: RunMeta,
    events: usize,
    go_lines: usize,
    text_lines: String,
}

impl Stream {
    /// Whether neither an event nor a line printed by `go` has been read.
    fn read_nothing(&self) -> bool {
        self.events == 0 && self.go_lines == 0
    }

    /// The state of a package, registered in order of first appearance.
    fn package(&mut self, pkg: &str) -> &mut PackageState {
        if !self.packages.contains_key(pkg) {
            self.package_order.push(pkg.to_string());
        }
        self.packages.entry(pkg.to_string()).or_default()
    }

    /// Text printed by `go` around the events: build errors, `FAIL pkg [build failed]`.
    fn go_line(&mut self, line: &[u8]) {
        let s = String::from_utf8_lossy(line);
        let failed_setup = s.strip_prefix("FAIL").map(str::trim).and_then(|r| {
            r.strip_suffix("[build failed]")
                .map(|p| (p, "build"))
                .or_else(|| r.strip_suffix("[setup failed]").map(|p| (p, "set up")))
        });
        if let Some((pkg, what)) = failed_setup {
            self.go_lines += 1;
            let output = std::mem::take(&mut self.text_lines);
            let p = self.package(pkg.trim());
            p.result = Some("fail".into());
            p.failed_build = what == "build";
            p.failed_setup = what == "set up";
            p.output = output;
        } else if s.starts_with("# ") {
            // `# pkg` heads the compiler errors of one package.
            self.go_lines += 1;
            self.text_lines.clear();
        } else {
            if s.starts_with("ok  \t") || s.starts_with("FAIL\t") {
                self.go_lines += 1;
            }
            push_bounded(&mut self.text_lines, &s, MAX_DETAILS_BYTES);
            push_bounded(&mut self.text_lines, "\n", MAX_DETAILS_BYTES);
        }
    }

    /// One test2json event, routed to its package or test.
    fn event(&mut self, ev: Event) {
        let Some(action) = ev.action.as_deref() else {
            return;
        };
        self.events += 1;
        if let Some(t) = ev.time.as_deref().and_then(text::rfc3339) {
            if self.run.started_at.is_none() {
                self.run.started_at = Some(t.clone());
            }
            self.run.finished_at = Some(t);
        }
        // Go 1.24+: build output arrives as events keyed by import path.
        if action == "build-output" || action == "build-fail" {
            if let (Some(path), Some(out)) = (ev.import_path.as_deref(), ev.output.as_deref()) {
                push_bounded(self.build_output.entry(path.to_string()).or_default(), out, MAX_DETAILS_BYTES);
            }
            return;
        }
        let pkg = ev.package.as_deref().unwrap_or_default();
        self.package(pkg);
        match ev.test.as_deref().filter(|t| !t.is_empty()) {
            Some(test) => self.test_event(pkg, test, action, &ev),
            None => self.package_event(pkg, action, &ev),
        }
    }

    /// An event of a package as a whole: its output, or its result.
    fn package_event(&mut self, pkg: &str, action: &str, ev: &Event) {
        let Some(pstate) = self.packages.get_mut(pkg) else { return };
        match action {
            "output" => {
                if let Some(out) = ev.output.as_deref() {
                    collect_benchmark(out, pkg, &mut self.metrics);
                    push_bounded(&mut pstate.output, out, MAX_DETAILS_BYTES);
                }
            }
            "pass" | "fail" | "skip" => {
                pstate.result = Some(action.to_string());
                if let Some(fb) = &ev.failed_build {
                    pstate.failed_build = true;
                    if let Some(out) = self.build_output.get(fb) {
                        pstate.output.clone_from(out);
                    }
                }
            }
            _ => {}
        }
    }

    /// An event of one test: its output, or its result.
    fn test_event(&mut self, pkg: &str, test: &str, action: &str, ev: &Event) {
        let key = (pkg.to_string(), test.to_string());
        if !self.tests.contains_key(&key) {
            let index = self.checks.len();
            self.checks.push(new_check(pkg, test));
            self.outputs.push(String::new());
            self.tests.insert(key.clone(), TestState { index, finished: false });
        }
        let Some(state) = self.tests.get_mut(&key) else { return };
        let check = &mut self.checks[state.index];
        match action {
            "output" => {
                if let Some(out) = ev.output.as_deref() {
                    collect_benchmark(out, pkg, &mut self.metrics);
                    if !is_framing(out) {
                        push_bounded(&mut self.outputs[state.index], out, MAX_DETAILS_BYTES);
                    }
                }
            }
            other => {
                if let Some(status) = map_action(other) {
                    state.finished = true;
                    check.status = status;
                    check.duration_ms = text::duration(ev.elapsed.map(|s| s * 1000.0));
                    if status == Status::Fail
                        && let Some(p) = self.packages.get_mut(pkg)
                    {
                        p.any_test_failed = true;
                    }
                }
            }
        }
    }

    /// The report: unfinished tests settled, messages filled in, failed packages added.
    fn finish(mut self) -> ParsedReport {
        self.settle_unfinished();
        for (check, out) in self.checks.iter_mut().zip(&self.outputs) {
            if check.status != Status::Pass && check.message.is_empty() {
                check.message = bounded(&test_message(out), MAX_MESSAGE_BYTES);
            }
            check.details = text::details_of("", out);
        }
        parents_name_failed_subtests(&mut self.checks, &self.tests);
        self.push_failed_packages();
        ParsedReport {
            format: super::Format::Gotest.as_str().to_string(),
            run: self.run,
            checks: self.checks,
            metrics: self.metrics,
            notes: Vec::new(),
            ..ParsedReport::default()
        }
    }

    /// Tests started (or only printed) but never reported: the binary died under them.
    fn settle_unfinished(&mut self) {
        for ((pkg, _), state) in &self.tests {
            if state.finished {
                continue;
            }
            let check = &mut self.checks[state.index];
            let failed = self.packages.get(pkg).and_then(|p| p.result.as_deref()) == Some("fail");
            check.status = if failed { Status::Error } else { Status::NotRun };
            check.message = if failed {
                "no result: the test binary failed while this test was running".into()
            } else {
                "no result reported for this test".into()
            };
            if failed && let Some(p) = self.packages.get_mut(pkg) {
                p.any_test_failed = true;
            }
        }
    }

    /// One error check per package that failed without a failing test.
    fn push_failed_packages(&mut self) {
        for pkg in &self.package_order {
            let Some(p) = self.packages.get(pkg) else { continue };
            if p.result.as_deref() != Some("fail") || p.any_test_failed {
                continue;
            }
            let (name, what) = if p.failed_build {
                ("[build failed]", "package failed to build")
            } else if p.failed_setup {
                ("[setup failed]", "package failed to set up")
            } else {
                ("[package failed]", "package failed outside any test")
            };
            let detail = package_message(&p.output);
            self.checks.push(Check {
                id: text::check_id(pkg, name),
                name: name.to_string(),
                suite_path: pkg.clone(),
                status: Status::Error,
                weight: 1.0,
                message: if detail.is_empty() {
                    what.to_string()
                } else {
                    bounded(&format!("{what}: {detail}"), MAX_MESSAGE_BYTES)
                },
                details: text::details_of("", &p.output),
                ..Check::default()
            });
        }
    }
}

/// A parent that failed only because subtests failed prints nothing of its own: say how many.
fn parents_name_failed_subtests(checks: &mut [Check], tests: &HashMap<(String, String), TestState>) {
    let mut failed_children: HashMap<usize, usize> = HashMap::new();
    for ((pkg, test), state) in tests {
        if !checks[state.index].status.is_failure() {
            continue;
        }
        if let Some((parent, _)) = test.rsplit_once('/')
            && let Some(p) = tests.get(&(pkg.clone(), parent.to_string()))
        {
            *failed_children.entry(p.index).or_default() += 1;
        }
    }
    for (index, n) in failed_children {
        let c = &mut checks[index];
        if c.status == Status::Fail && c.message.is_empty() {
            c.message = if n == 1 { "1 subtest failed".into() } else { format!("{n} subtests failed") };
        }
    }
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn new_check(pkg: &str, test: &str) -> Check {
    // Subtests: "TestA/case/sub" → path "pkg › TestA › case", name "sub".
    let mut parts: Vec<&str> = test.split('/').collect();
    let name = parts.pop().filter(|n| !n.is_empty()).unwrap_or(test);
    let mut suite_path = pkg.to_string();
    for p in parts {
        if !suite_path.is_empty() {
            suite_path.push_str(SUITE_SEPARATOR);
        }
        suite_path.push_str(p);
    }
    Check {
        id: text::check_id(pkg, test),
        name: name.to_string(),
        suite_path,
        status: Status::NotRun,
        weight: 1.0,
        ..Check::default()
    }
}

/// The runner's own framing lines, which say nothing the status does not.
fn is_framing(out: &str) -> bool {
    let t = out.trim_start();
    ["=== RUN", "=== PAUSE", "=== CONT", "=== NAME", "--- PASS", "--- FAIL", "--- SKIP", "--- BENCH"]
        .iter()
        .any(|p| t.starts_with(p))
}

/// First line a test logged (`file_test.go:12: message`), the usual failure or skip reason.
fn test_message(out: &str) -> String {
    let line = out.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    text::message_of(line)
}

/// The line of a failed package's output that says why (panic, TestMain message…).
fn package_message(out: &str) -> String {
    let skip = |l: &str| {
        l.is_empty()
            || l == "FAIL"
            || l == "PASS"
            || l.starts_with("FAIL\t")
            || l.starts_with("ok  ")
            || l.starts_with("exit status")
    };
    let line = out.lines().map(str::trim).find(|l| !skip(l)).unwrap_or("");
    text::message_of(line)
}

/// `BenchmarkX-8   1000   123 ns/op   16 B/op   1 allocs/op` → one metric per value.
fn collect_benchmark(out: &str, pkg: &str, metrics: &mut Vec<Metric>) {
    // Bounded: a stream of millions of benchmark lines should not grow without limit.
    if metrics.len() >= 10_000 {
        return;
    }
    let line = out.trim();
    if !line.starts_with("Benchmark") {
        return;
    }
    let mut fields = line.split_whitespace();
    let Some(name) = fields.next() else { return };
    let Some(iterations) = fields.next() else { return };
    if iterations.parse::<u64>().is_err() {
        return;
    }
    let rest: Vec<&str> = fields.collect();
    for pair in rest.chunks(2) {
        if let [value, unit] = pair
            && let Ok(v) = value.parse::<f64>()
            && v.is_finite()
        {
            metrics.push(Metric {
                name: text::check_id(pkg, name),
                category: Some("Performance".into()),
                value: v,
                unit: (*unit).to_string(),
                target: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> ParsedReport {
        parse(s.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn last_action_wins_and_subtests_count() {
        let r = ok(r#"{"Time":"2019-10-09T00:00:00.1+00:00","Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"run","Package":"p","Test":"TestA/one"}
{"Action":"run","Package":"p","Test":"TestB"}
{"Action":"output","Package":"p","Test":"TestB","Output":"=== PAUSE TestB\n"}
{"Action":"pause","Package":"p","Test":"TestB"}
{"Action":"output","Package":"p","Test":"TestA/one","Output":"    a_test.go:9: got 1, want 2\n"}
{"Action":"fail","Package":"p","Test":"TestA/one","Elapsed":0.25}
not json: go vet says hello
{"Action":"cont","Package":"p","Test":"TestB"}
{"Action":"output","Package":"p","Test":"TestB","Output":"    b_test.go:3: not on this OS\n"}
{"Action":"skip","Package":"p","Test":"TestB"}
{"Action":"fail","Package":"p","Test":"TestA","Elapsed":0.3}
{"Action":"output","Package":"p","Output":"FAIL\n"}
{"Time":"2019-10-09T00:00:01+00:00","Action":"fail","Package":"p","Elapsed":0.4}
"#);
        let st: Vec<(&str, Status)> = r.checks.iter().map(|c| (c.id.as_str(), c.status)).collect();
        assert_eq!(st, vec![("p::TestA", Status::Fail), ("p::TestA/one", Status::Fail), ("p::TestB", Status::Skip)]);
        let sub = &r.checks[1];
        assert_eq!((sub.name.as_str(), sub.suite_path.as_str()), ("one", "p › TestA"));
        assert_eq!(sub.message, "a_test.go:9: got 1, want 2");
        assert_eq!(sub.duration_ms, Some(250.0));
        assert!(!sub.details.contains("=== RUN"));
        assert_eq!(r.checks[2].message, "b_test.go:3: not on this OS");
        assert!(r.notes.is_empty(), "{:?}", r.notes);
        assert_eq!(r.run.started_at.as_deref(), Some("2019-10-09T00:00:00.1+00:00"));
        assert_eq!(r.run.finished_at.as_deref(), Some("2019-10-09T00:00:01+00:00"));
    }

    #[test]
    fn package_failures_without_a_test_are_one_error_check_each() {
        let r = ok(r#"{"Action":"run","Package":"a","Test":"TestOk"}
{"Action":"pass","Package":"a","Test":"TestOk"}
{"Action":"output","Package":"a","Output":"PASS\n"}
{"Action":"output","Package":"a","Output":"panic: late\n"}
{"Action":"fail","Package":"a","Elapsed":0.003}
{"ImportPath":"b [b.test]","Action":"build-output","Output":"./b.go:4:6: undefined: x\n"}
{"ImportPath":"b [b.test]","Action":"build-fail"}
{"Action":"start","Package":"b"}
{"Action":"fail","Package":"b","Elapsed":0,"FailedBuild":"b [b.test]"}
{"Action":"output","Package":"c","Output":"TestMain: no database\n"}
{"Action":"fail","Package":"c","Elapsed":0.01}
"#);
        let st: Vec<(&str, Status)> = r.checks.iter().map(|c| (c.id.as_str(), c.status)).collect();
        assert_eq!(
            st,
            vec![
                ("a::TestOk", Status::Pass),
                ("a::[package failed]", Status::Error),
                ("b::[build failed]", Status::Error),
                ("c::[package failed]", Status::Error),
            ]
        );
        assert_eq!(r.checks[1].message, "package failed outside any test: panic: late");
        assert_eq!(r.checks[2].message, "package failed to build: ./b.go:4:6: undefined: x");
        assert_eq!(r.checks[3].message, "package failed outside any test: TestMain: no database");
        assert_eq!(r.checks[2].suite_path, "b");
        assert!(r.notes.is_empty(), "{:?}", r.notes);
        let c = r.counts();
        assert_eq!((c.tests, c.passed, c.errors), (4, 1, 3));
    }

    #[test]
    fn a_parent_of_failed_subtests_is_a_failed_test_of_its_own() {
        let r = ok(r#"{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"run","Package":"p","Test":"TestA/one"}
{"Action":"run","Package":"p","Test":"TestA/one/deep"}
{"Action":"fail","Package":"p","Test":"TestA/one/deep"}
{"Action":"fail","Package":"p","Test":"TestA/one"}
{"Action":"run","Package":"p","Test":"TestA/two"}
{"Action":"pass","Package":"p","Test":"TestA/two"}
{"Action":"run","Package":"p","Test":"TestA/three"}
{"Action":"fail","Package":"p","Test":"TestA/three"}
{"Action":"fail","Package":"p","Test":"TestA"}
{"Action":"fail","Package":"p"}
"#);
        let st: Vec<(&str, Status)> = r.checks.iter().map(|c| (c.id.as_str(), c.status)).collect();
        assert_eq!(
            st,
            vec![
                ("p::TestA", Status::Fail),
                ("p::TestA/one", Status::Fail),
                ("p::TestA/one/deep", Status::Fail),
                ("p::TestA/two", Status::Pass),
                ("p::TestA/three", Status::Fail),
            ]
        );
        assert_eq!(r.checks[0].message, "2 subtests failed");
        assert_eq!(r.checks[1].message, "1 subtest failed");
        let c = r.counts();
        assert_eq!((c.tests, c.passed, c.failed, c.errors), (5, 1, 4, 0), "no package check: its tests failed");
    }

    #[test]
    fn text_build_failure_and_unfinished_tests() {
        let r = ok("# pkg/x [pkg/x.test]\n./x.go:1: undefined: y\nFAIL\tpkg/x [build failed]\n");
        assert_eq!(r.checks.len(), 1);
        let c = &r.checks[0];
        assert_eq!((c.id.as_str(), c.status), ("pkg/x::[build failed]", Status::Error));
        assert_eq!(c.message, "package failed to build: ./x.go:1: undefined: y");
        assert!(r.notes.is_empty(), "{:?}", r.notes);

        let r = ok(r#"{"Action":"run","Package":"p","Test":"TestDies"}
{"Action":"output","Package":"p","Test":"TestDies","Output":"panic: boom\n"}
{"Action":"fail","Package":"p","Elapsed":0.1}
"#);
        assert_eq!(r.checks[0].status, Status::Error);
        assert!(r.notes.is_empty(), "the dead test already carries the failure: {:?}", r.notes);
    }

    #[test]
    fn benchmarks_become_metrics() {
        let r = ok(
            r#"{"Action":"output","Package":"p","Test":"TestZ","Output":"BenchmarkX-8   \t1000000000\t 0.44 ns/op\t 16 B/op\n"}
{"Action":"pass","Package":"p","Test":"TestZ"}
"#,
        );
        assert_eq!(r.metrics.len(), 2);
        assert_eq!(r.metrics[0].name, "p::BenchmarkX-8");
        assert_eq!((r.metrics[0].value, r.metrics[0].unit.as_str()), (0.44, "ns/op"));
    }

    #[test]
    fn rejects_non_streams() {
        assert!(matches!(parse(b"hello\nworld\n"), Err(IngestError::NotAReport(_))));
        assert!(matches!(parse(b"{\"Action\": \"run\", \"Test\":"), Err(IngestError::Malformed { line: Some(1), .. })));
        assert!(matches!(parse(br#"{"a":1}"#), Err(IngestError::NotAReport(_))));
    }

    #[test]
    fn detection() {
        assert_eq!(
            detect(b"{\"Time\":\"x\",\"Action\":\"run\",\"Package\":\"p\"}\n"),
            Some(super::super::Format::Gotest)
        );
        assert_eq!(
            detect(b"go: downloading x\n{\"Action\":\"output\",\"Output\":\"x\"}\n"),
            Some(super::super::Format::Gotest)
        );
        assert_eq!(detect(b"{\"results\":{\"tests\":[]}}"), None);
        assert_eq!(detect(b"{\"Action\":\"deploy\"}"), None);
    }
}
