//! k6 end-of-test summary JSON: the `handleSummary` data and the legacy `--summary-export`.
//!
//! The two shapes give thresholds opposite polarity: `handleSummary` writes
//! `thresholds.{expr}.ok` (false = crossed), `--summary-export` writes `thresholds.{expr}`
//! as a bool that is true when the threshold FAILED. The value's type tells them apart.

use serde_json::{Map, Value};

use super::common::{check_depth, json_error};
use super::{IngestError, MAX_MESSAGE_BYTES, bounded, skip_bom};
use crate::model::{Check, Metric, ParsedReport, Status, Target, TargetOp};

const FORMAT: &str = "k6 summary JSON";
/// Id prefix of checks that stand for a k6 threshold.
pub const THRESHOLD_ID_PREFIX: &str = "threshold:";
/// Id prefix of checks that stand for a k6 `check()`.
pub const CHECK_ID_PREFIX: &str = "check:";
/// Deepest `root_group` nesting followed.
const MAX_GROUP_DEPTH: usize = 32;

/// Parses a k6 summary: metrics (with threshold targets), thresholds k6 could not express as
/// a target as checks, and the `root_group` checks.
pub fn parse(input: &[u8]) -> Result<ParsedReport, IngestError> {
    let input = skip_bom(input);
    if is_output_stream(input) {
        return Err(IngestError::NotAReport(
            "this is a k6 `--out json` stream of metric samples, not an end-of-test summary: \
             export the summary with `k6 run --summary-export=summary.json` or a `handleSummary` function"
                .into(),
        ));
    }
    check_depth(input)?;
    let doc: Value = serde_json::from_slice(input).map_err(|e| json_error(FORMAT, e))?;
    let metrics = doc
        .get("metrics")
        .and_then(Value::as_object)
        .ok_or_else(|| IngestError::NotAReport("k6 summary has no `metrics` object".into()))?;

    let mut report = ParsedReport { format: super::Format::K6.as_str().to_string(), ..ParsedReport::default() };
    let mut names: Vec<&String> = metrics.keys().collect();
    names.sort();
    for name in names {
        if let Some(m) = metrics[name].as_object() {
            metric(name, m, &mut report);
        }
    }
    if let Some(root) = doc.get("root_group") {
        group(root, &[], 0, &mut report.checks);
    }
    Ok(report)
}

/// Whether the bytes are k6's `--out json` NDJSON stream (`{"type":"Metric"…}` /
/// `{"type":"Point"…}` lines) rather than a summary.
pub fn is_output_stream(input: &[u8]) -> bool {
    let body = super::skip_bom_and_space(input);
    let first_line = body.split(|&b| b == b'\n').next().unwrap_or(&[]);
    if first_line.len() == body.len() || first_line.len() > 64 * 1024 {
        return false;
    }
    serde_json::from_slice::<Value>(first_line).ok().is_some_and(|v| {
        matches!(v.get("type").and_then(Value::as_str), Some("Metric" | "Point"))
            && (v.get("metric").is_some() || v.get("data").is_some())
    })
}

/// The kind of a k6 metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Trend,
    Rate,
    Counter,
    Gauge,
}

fn kind_of(m: &Map<String, Value>, values: &Map<String, Value>) -> Kind {
    match m.get("type").and_then(Value::as_str) {
        Some("trend") => return Kind::Trend,
        Some("rate") => return Kind::Rate,
        Some("counter") => return Kind::Counter,
        Some("gauge") => return Kind::Gauge,
        _ => {}
    }
    // Legacy export: no `type`, guess from the stats present.
    if values.contains_key("passes") || values.contains_key("fails") {
        Kind::Rate
    } else if values.contains_key("avg") || values.contains_key("med") {
        Kind::Trend
    } else if values.contains_key("count") {
        Kind::Counter
    } else {
        Kind::Gauge
    }
}

/// Built-in k6 metrics measured in milliseconds (the legacy export has no `contains`).
const TIME_METRICS: &[&str] = &[
    "http_req_duration",
    "http_req_blocked",
    "http_req_connecting",
    "http_req_tls_handshaking",
    "http_req_sending",
    "http_req_waiting",
    "http_req_receiving",
    "iteration_duration",
    "group_duration",
    "ws_connecting",
    "ws_session_duration",
    "ws_ping",
    "grpc_req_duration",
    "browser_http_req_duration",
];

fn base_unit(name: &str, m: &Map<String, Value>) -> &'static str {
    match m.get("contains").and_then(Value::as_str) {
        Some("time") => return "ms",
        Some("data") => return "B",
        Some(_) => return "",
        None => {}
    }
    let base = name.split('{').next().unwrap_or(name);
    if TIME_METRICS.contains(&base) {
        "ms"
    } else if matches!(base, "data_sent" | "data_received") {
        "B"
    } else {
        ""
    }
}

/// One k6 metric: its stats as metrics, its thresholds as targets or checks.
fn metric(name: &str, m: &Map<String, Value>, report: &mut ParsedReport) {
    // handleSummary nests stats under `values`; the legacy export hoists them.
    let values = m.get("values").and_then(Value::as_object).unwrap_or(m);
    let kind = kind_of(m, values);
    let read = MetricRead {
        name,
        kind,
        unit: base_unit(name, m),
        first_metric: report.metrics.len(),
        stats: stats_of(kind, values),
        no_samples: has_no_samples(kind, values),
    };
    for (stat, value) in &read.stats {
        report.metrics.push(Metric {
            name: format!("{name} {stat}"),
            category: None,
            value: *value,
            unit: stat_unit(kind, stat, read.unit),
            target: None,
        });
    }
    let Some(thresholds) = m.get("thresholds").and_then(Value::as_object) else { return };
    let mut exprs: Vec<(&String, &Value)> = thresholds.iter().collect();
    exprs.sort_by(|a, b| a.0.cmp(b.0));
    for (expr, verdict) in exprs {
        read.threshold(expr, verdict, report);
    }
}

/// The finite stats of a metric worth keeping, sorted by name, one per name.
fn stats_of(kind: Kind, values: &Map<String, Value>) -> Vec<(&str, f64)> {
    let mut stats: Vec<(&str, f64)> =
        values.iter().filter_map(|(k, v)| Some((stat_name(kind, k)?, v.as_f64().filter(|x| x.is_finite())?))).collect();
    stats.sort_by(|a, b| a.0.cmp(b.0));
    stats.dedup_by(|a, b| a.0 == b.0);
    stats
}

/// Whether the metric recorded no samples at all.
fn has_no_samples(kind: Kind, values: &Map<String, Value>) -> bool {
    match kind {
        Kind::Rate => {
            let n = |k: &str| values.get(k).and_then(Value::as_f64).unwrap_or(0.0);
            values.contains_key("passes") && n("passes") + n("fails") == 0.0
        }
        Kind::Trend | Kind::Counter => values.get("count").and_then(Value::as_f64) == Some(0.0),
        Kind::Gauge => false,
    }
}

/// A metric as read, for placing its thresholds.
struct MetricRead<'a> {
    name: &'a str,
    kind: Kind,
    unit: &'static str,
    /// Index of the metric's first stat in the report's metrics.
    first_metric: usize,
    stats: Vec<(&'a str, f64)>,
    no_samples: bool,
}

impl MetricRead<'_> {
    /// One threshold: a target on its stat where that gives k6's own verdict, else a check.
    fn threshold(&self, expr: &str, verdict: &Value, report: &mut ParsedReport) {
        let failed = threshold_failed(verdict);
        let expressible = parse_threshold(expr).and_then(|(stat, op, bound)| {
            let stat = stat_name(self.kind, stat)?;
            let value = self.stats.iter().find(|(s, _)| *s == stat)?.1;
            Some((stat, op, bound, value))
        });
        match expressible {
            // A target is used only where our comparison gives k6's own verdict: k6 reports
            // thresholds on metrics with no samples as passed, whatever the stat says.
            Some((stat, op, bound, value)) if failed.is_none_or(|f| op.holds(value, bound) != f) => {
                self.set_target(stat, Target { op, value: bound }, value, report);
            }
            other => report.checks.push(self.threshold_check(expr, other.map(|(s, _, _, v)| (s, v)), failed)),
        }
    }

    /// Sets the target on the stat's metric, or adds the metric with it.
    fn set_target(&self, stat: &str, target: Target, value: f64, report: &mut ParsedReport) {
        let target = Some(target);
        let metric_name = format!("{} {stat}", self.name);
        let slot = report.metrics[self.first_metric..].iter_mut().find(|x| x.name == metric_name && x.target.is_none());
        match slot {
            Some(x) => x.target = target,
            None => report.metrics.push(Metric {
                name: metric_name,
                category: None,
                value,
                unit: stat_unit(self.kind, stat, self.unit),
                target,
            }),
        }
    }

    /// A check for a threshold with k6's verdict; `stat` is its stat and value, when known.
    fn threshold_check(&self, expr: &str, stat: Option<(&str, f64)>, failed: Option<bool>) -> Check {
        let status = match failed {
            Some(true) => Status::Fail,
            Some(false) => Status::Pass,
            None => Status::NotRun,
        };
        let message = match (stat, failed) {
            (_, None) => "the summary gives no verdict for this threshold".to_string(),
            (Some((stat, value)), Some(f)) => {
                let why = if self.no_samples { " (the metric has no samples)" } else { "" };
                format!(
                    "k6 reports the threshold as {} with {stat} = {value}{why}",
                    if f { "crossed" } else { "passed" }
                )
            }
            (None, Some(f)) => format!("k6 reports the threshold as {}", if f { "crossed" } else { "passed" }),
        };
        let name = self.name;
        Check {
            id: format!("{THRESHOLD_ID_PREFIX}{name}:{expr}"),
            name: format!("{name}: {expr}"),
            suite_path: "thresholds".into(),
            status,
            weight: 1.0,
            message: bounded(&message, MAX_MESSAGE_BYTES),
            ..Check::default()
        }
    }
}

/// The stat a summary key or threshold aggregation names; `None` for keys that are not stats
/// worth keeping (a rate metric's `passes`/`fails` say less than its rate).
fn stat_name(kind: Kind, key: &str) -> Option<&str> {
    match (kind, key) {
        (Kind::Rate, "value" | "rate") => Some("rate"),
        (Kind::Rate, _) => None,
        (_, "thresholds" | "type" | "contains" | "values") => None,
        (_, k) => Some(k),
    }
}

fn stat_unit(kind: Kind, stat: &str, unit: &str) -> String {
    match (kind, stat) {
        (Kind::Rate, _) => String::new(),
        (Kind::Counter, "rate") => format!("{unit}/s"),
        (Kind::Trend, "count") => String::new(),
        _ => unit.to_string(),
    }
}

/// `Some(true)` when the threshold was crossed, by the polarity of the shape it came in.
fn threshold_failed(v: &Value) -> Option<bool> {
    match v {
        // Legacy --summary-export: true means FAILED.
        Value::Bool(b) => Some(*b),
        // handleSummary: ok == false means failed.
        Value::Object(o) => o.get("ok").and_then(Value::as_bool).map(|ok| !ok),
        _ => None,
    }
}

/// Parses `p(95)<500`, `rate < 0.01`, `count>=100`: aggregation, operator, bound.
pub fn parse_threshold(expr: &str) -> Option<(&str, TargetOp, f64)> {
    let expr = expr.trim();
    let at = expr.find(['<', '>', '=', '!'])?;
    let stat = expr[..at].trim();
    let rest = &expr[at..];
    let (op, len) = if rest.starts_with("===") {
        (TargetOp::Eq, 3)
    } else if rest.starts_with("==") {
        (TargetOp::Eq, 2)
    } else if rest.starts_with("<=") {
        (TargetOp::Le, 2)
    } else if rest.starts_with(">=") {
        (TargetOp::Ge, 2)
    } else if rest.starts_with('<') {
        (TargetOp::Lt, 1)
    } else if rest.starts_with('>') {
        (TargetOp::Gt, 1)
    } else {
        // `!=` and anything else has no target operator.
        return None;
    };
    let bound: f64 = rest[len..].trim().parse().ok()?;
    let valid_stat =
        !stat.is_empty() && stat.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '(' | ')' | '.' | '_'));
    (valid_stat && bound.is_finite()).then_some((stat, op, bound))
}

/// Items of a `groups`/`checks` field: an array (handleSummary) or a name-keyed object (legacy).
fn items(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(Value::Object(o)) => o.values().collect(),
        _ => Vec::new(),
    }
}

fn group(g: &Value, path: &[String], depth: usize, checks: &mut Vec<Check>) {
    if depth > MAX_GROUP_DEPTH {
        return;
    }
    let mut path = path.to_vec();
    if let Some(name) = g.get("name").and_then(Value::as_str).map(str::trim).filter(|n| !n.is_empty()) {
        path.push(name.to_string());
    }
    for c in items(g.get("checks")) {
        let count = |k: &str| c.get(k).and_then(Value::as_f64).filter(|x| x.is_finite() && *x >= 0.0).unwrap_or(0.0);
        let (passes, fails) = (count("passes"), count("fails"));
        let name = c.get("name").and_then(Value::as_str).unwrap_or("(unnamed check)").trim().to_string();
        let id_path = c
            .get("path")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}::{name}", path.iter().map(|p| format!("::{p}")).collect::<String>()));
        let total = passes + fails;
        let status = if total == 0.0 {
            Status::NotRun
        } else if fails == 0.0 {
            Status::Pass
        } else if passes == 0.0 {
            Status::Fail
        } else {
            Status::Partial
        };
        checks.push(Check {
            id: format!("{CHECK_ID_PREFIX}{id_path}"),
            name,
            suite_path: path.join(" › "),
            status,
            // A check runs once per iteration: its pass ratio is its credit.
            score: (total > 0.0).then_some(passes),
            max: (total > 0.0).then_some(total),
            weight: 1.0,
            message: format!("{passes} passed, {fails} failed"),
            ..Check::default()
        });
    }
    for sub in items(g.get("groups")) {
        group(sub, &path, depth + 1, checks);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HANDLE_SUMMARY: &str = r#"{
      "root_group": {"name": "", "path": "", "groups": [
          {"name": "login", "path": "::login", "groups": [], "checks": [
             {"name": "status 200", "path": "::login::status 200", "passes": 9, "fails": 1}]}],
        "checks": [{"name": "ok", "path": "::ok", "passes": 10, "fails": 0},
                   {"name": "never", "path": "::never", "passes": 0, "fails": 4}]},
      "options": {}, "state": {"testRunDurationMs": 1000}, "my_key": 1,
      "metrics": {
        "http_req_duration": {"type": "trend", "contains": "time",
           "values": {"avg": 120.5, "p(95)": 480, "max": 900},
           "thresholds": {"p(95)<500": {"ok": true}, "max<800": {"ok": false}, "avg!=0": {"ok": true}}},
        "http_req_failed": {"type": "rate", "contains": "default", "values": {"rate": 0.02, "passes": 2, "fails": 98},
           "thresholds": {"rate<0.01": {"ok": false}}},
        "checks{step:x}": {"type": "rate", "values": {"rate": 0, "passes": 0, "fails": 0},
           "thresholds": {"rate>0.95": {"ok": true}}},
        "http_reqs": {"type": "counter", "values": {"count": 100, "rate": 10}, "thresholds": {"count>50": {"ok": true}}}
      }}"#;

    const LEGACY: &str = r#"{
      "root_group": {"name": "", "path": "", "groups": {}, "checks": {
          "is 200": {"name": "is 200", "path": "::is 200", "passes": 5, "fails": 0}}},
      "metrics": {
        "http_req_duration": {"avg": 10, "p(95)": 700, "thresholds": {"p(95)<500": true}},
        "http_req_failed": {"passes": 0, "fails": 50, "value": 0, "thresholds": {"rate<0.01": false}},
        "data_sent": {"count": 2048, "rate": 20},
        "vus": {"value": 3, "min": 1, "max": 5}
      }}"#;

    fn metric<'a>(r: &'a ParsedReport, name: &str) -> &'a Metric {
        r.metrics.iter().find(|m| m.name == name).unwrap_or_else(|| panic!("no metric {name}: {:?}", r.metrics))
    }

    #[test]
    fn handle_summary_thresholds_become_targets() {
        let r = parse(HANDLE_SUMMARY.as_bytes()).unwrap();
        let p95 = metric(&r, "http_req_duration p(95)");
        assert_eq!((p95.value, p95.unit.as_str()), (480.0, "ms"));
        assert_eq!(p95.target, Some(Target { op: TargetOp::Lt, value: 500.0 }));
        assert_eq!(p95.met(), Some(true));
        assert_eq!(metric(&r, "http_req_duration max").met(), Some(false));
        assert_eq!(metric(&r, "http_req_failed rate").met(), Some(false));
        assert_eq!(metric(&r, "http_reqs count").met(), Some(true));
        assert_eq!(metric(&r, "http_reqs rate").unit, "/s");
    }

    #[test]
    fn thresholds_without_a_target_become_checks_with_k6s_verdict() {
        let r = parse(HANDLE_SUMMARY.as_bytes()).unwrap();
        let t: Vec<(&str, Status)> = r
            .checks
            .iter()
            .filter(|c| c.id.starts_with(THRESHOLD_ID_PREFIX))
            .map(|c| (c.name.as_str(), c.status))
            .collect();
        // `!=` has no target operator; a metric with no samples passes in k6 whatever its rate.
        assert_eq!(t, vec![("checks{step:x}: rate>0.95", Status::Pass), ("http_req_duration: avg!=0", Status::Pass)]);
        let no_samples = r.checks.iter().find(|c| c.name.starts_with("checks{")).unwrap();
        assert!(no_samples.message.contains("no samples"), "{}", no_samples.message);
    }

    #[test]
    fn root_group_checks_become_checks_with_their_pass_ratio() {
        let r = parse(HANDLE_SUMMARY.as_bytes()).unwrap();
        let checks: Vec<&Check> = r.checks.iter().filter(|c| c.id.starts_with(CHECK_ID_PREFIX)).collect();
        let st: Vec<(&str, Status)> = checks.iter().map(|c| (c.name.as_str(), c.status)).collect();
        assert_eq!(st, vec![("ok", Status::Pass), ("never", Status::Fail), ("status 200", Status::Partial)]);
        assert_eq!(checks[2].suite_path, "login");
        assert_eq!(checks[2].id, "check:::login::status 200");
        assert_eq!((checks[2].score, checks[2].max), (Some(9.0), Some(10.0)));
    }

    #[test]
    fn legacy_export_has_opposite_threshold_polarity() {
        let r = parse(LEGACY.as_bytes()).unwrap();
        // `true` means the threshold FAILED.
        assert_eq!(metric(&r, "http_req_duration p(95)").met(), Some(false));
        // Rate metrics carry their rate in `value`.
        let failed = metric(&r, "http_req_failed rate");
        assert_eq!((failed.value, failed.met()), (0.0, Some(true)));
        assert_eq!(metric(&r, "data_sent count").unit, "B");
        assert_eq!(metric(&r, "data_sent rate").unit, "B/s");
        assert_eq!(metric(&r, "vus max").value, 5.0);
        let c = r.counts();
        assert_eq!((c.tests, c.passed, c.failed), (3, 2, 1));
        assert_eq!(r.checks[0].id, "check:::is 200");
    }

    #[test]
    fn output_stream_is_rejected_with_advice() {
        let ndjson = concat!(
            r#"{"type":"Metric","data":{"name":"vus","type":"gauge"},"metric":"vus"}"#,
            "\n",
            r#"{"metric":"vus","type":"Point","data":{"time":"2024-01-01T00:00:00Z","value":1}}"#,
            "\n"
        );
        assert!(is_output_stream(ndjson.as_bytes()));
        let e = parse(ndjson.as_bytes()).unwrap_err().to_string();
        assert!(e.contains("--summary-export") && e.contains("handleSummary"), "{e}");
        assert!(!is_output_stream(LEGACY.as_bytes()));
    }

    #[test]
    fn threshold_expressions() {
        assert_eq!(parse_threshold("p(95)<500"), Some(("p(95)", TargetOp::Lt, 500.0)));
        assert_eq!(parse_threshold(" rate <= 0.01 "), Some(("rate", TargetOp::Le, 0.01)));
        assert_eq!(parse_threshold("count>=100"), Some(("count", TargetOp::Ge, 100.0)));
        assert_eq!(parse_threshold("value===3"), Some(("value", TargetOp::Eq, 3.0)));
        assert_eq!(parse_threshold("p(99.9)>1e3"), Some(("p(99.9)", TargetOp::Gt, 1000.0)));
        assert_eq!(parse_threshold("avg!=0"), None);
        assert_eq!(parse_threshold("p(95)<abc"), None);
        assert_eq!(parse_threshold("<5"), None);
    }

    #[test]
    fn rejects_what_is_not_a_summary() {
        assert!(matches!(parse(br#"{"root_group": {}}"#), Err(IngestError::NotAReport(_))));
        assert!(matches!(parse(b"{\"metrics\": {\n"), Err(IngestError::Malformed { .. })));
    }
}
