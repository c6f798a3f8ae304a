//! readyboard JSON v1: the native format, for scripts that compute their own checks.

use serde::Deserialize;
use serde_json::Value;

use super::common::{check_depth, json_error};
use super::{IngestError, MAX_DETAILS_BYTES, MAX_MESSAGE_BYTES, bounded};
use crate::model::{
    Check, Claimed, Finding, FindingStatus, Metric, ParsedReport, Placement, Provenance, RunMeta, Severity, Status,
    Target, TargetOp,
};

const FORMAT: &str = "readyboard JSON";
/// Value of the `schema` field that identifies the format.
pub const SCHEMA_ID: &str = "readyboard/v1";

#[derive(Deserialize)]
struct RawReport {
    schema: Option<Value>,
    project: Option<String>,
    phase: Option<String>,
    phase_name: Option<String>,
    suite: Option<String>,
    kind: Option<String>,
    run: Option<RawRun>,
    claimed: Option<RawClaimed>,
    provenance: Option<String>,
    checks: Option<Vec<RawCheck>>,
    metrics: Option<Vec<RawMetric>>,
    findings: Option<Vec<RawFinding>>,
}

#[derive(Deserialize, Default)]
struct RawRun {
    id: Option<Value>,
    started_at: Option<String>,
    finished_at: Option<String>,
    environment: Option<String>,
    commit: Option<String>,
    branch: Option<String>,
    url: Option<String>,
}

#[derive(Deserialize)]
struct RawClaimed {
    score: Option<f64>,
    max: Option<f64>,
    verdict: Option<String>,
    confidence: Option<f64>,
}

#[derive(Deserialize)]
struct RawCheck {
    id: Option<Value>,
    name: Option<String>,
    suite_path: Option<String>,
    category: Option<String>,
    status: Option<String>,
    score: Option<f64>,
    max: Option<f64>,
    weight: Option<f64>,
    blocking: Option<bool>,
    duration_ms: Option<f64>,
    message: Option<String>,
    details: Option<String>,
    evidence_url: Option<String>,
    flaky: Option<bool>,
    retries: Option<u32>,
}

#[derive(Deserialize)]
struct RawMetric {
    name: Option<String>,
    category: Option<String>,
    value: Option<f64>,
    unit: Option<String>,
    target: Option<RawTarget>,
}

#[derive(Deserialize)]
struct RawTarget {
    op: String,
    value: f64,
}

#[derive(Deserialize)]
struct RawFinding {
    id: Option<Value>,
    severity: Option<String>,
    status: Option<String>,
    category: Option<String>,
    title: Option<String>,
    details: Option<String>,
}

fn missing(field: &str) -> IngestError {
    IngestError::NotAReport(format!("readyboard/v1 report is missing the required field `{field}`"))
}

fn required(v: Option<String>, field: &str) -> Result<String, IngestError> {
    match v {
        Some(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        _ => Err(missing(field)),
    }
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// A string from a JSON string or number (CI run ids are often numbers).
fn scalar_string(v: Option<Value>) -> Option<String> {
    match v? {
        Value::String(s) => non_empty(Some(s)),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Parses a check status name, upper case and a few common spellings included.
pub fn parse_status(s: &str) -> Option<Status> {
    let lower = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    Status::parse(&lower).or(match lower.as_str() {
        "passed" | "ok" | "success" => Some(Status::Pass),
        "failed" | "failure" => Some(Status::Fail),
        "errored" => Some(Status::Error),
        "warning" => Some(Status::Warn),
        "skipped" => Some(Status::Skip),
        "notrun" | "not_executed" => Some(Status::NotRun),
        _ => None,
    })
}

/// Normalises a verdict as written to a verdict name when recognised.
pub fn normalise_verdict(v: &str) -> String {
    let key: String = v.trim().to_ascii_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    match key.as_str() {
        "ready" | "go" => "ready".into(),
        "conditional" | "conditionalgo" => "conditional".into(),
        "notready" => "not_ready".into(),
        "nogo" => "no_go".into(),
        _ => v.trim().to_string(),
    }
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

/// Parses a readyboard JSON v1 document.
pub fn parse(input: &[u8]) -> Result<ParsedReport, IngestError> {
    check_depth(input)?;
    let raw: RawReport = serde_json::from_slice(input).map_err(|e| json_error(FORMAT, e))?;
    match raw.schema {
        None => return Err(missing("schema")),
        Some(Value::String(ref s)) if s == SCHEMA_ID => {}
        Some(other) => {
            return Err(IngestError::NotAReport(format!("unsupported schema {other}: expected \"{SCHEMA_ID}\"")));
        }
    }
    let project = required(raw.project, "project")?;
    let phase = required(raw.phase, "phase")?;
    let suite = required(raw.suite, "suite")?;
    if raw.checks.is_none() && raw.metrics.is_none() && raw.findings.is_none() {
        return Err(IngestError::NotAReport(
            "readyboard/v1 report needs at least one of `checks`, `metrics` or `findings`".into(),
        ));
    }

    let checks = raw
        .checks
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, c)| check(i, c))
        .collect::<Result<Vec<_>, _>>()?;
    let metrics = raw
        .metrics
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, m)| metric(i, m))
        .collect::<Result<Vec<_>, _>>()?;
    let findings = raw
        .findings
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, f)| finding(i, f))
        .collect::<Result<Vec<_>, _>>()?;
    let claimed = raw.claimed.map(claimed).transpose()?;
    let run = raw.run.unwrap_or_default();
    let provenance = match raw.provenance.as_deref() {
        None => Provenance::Measured,
        Some(p) => Provenance::parse(p).ok_or_else(|| {
            IngestError::NotAReport(format!("provenance must be \"measured\" or \"self_reported\", not {p:?}"))
        })?,
    };

    Ok(ParsedReport {
        format: super::Format::ReadyboardJson.as_str().to_string(),
        placement: Placement {
            project: Some(project),
            phase: Some(phase),
            phase_name: non_empty(raw.phase_name),
            suite: Some(suite),
            kind: non_empty(raw.kind),
        },
        run: RunMeta {
            id: scalar_string(run.id),
            started_at: non_empty(run.started_at),
            finished_at: non_empty(run.finished_at),
            environment: non_empty(run.environment),
            commit: non_empty(run.commit),
            branch: non_empty(run.branch),
            url: non_empty(run.url),
        },
        checks,
        metrics,
        findings,
        claimed,
        notes: Vec::new(),
        provenance,
    })
}

fn check(i: usize, c: RawCheck) -> Result<Check, IngestError> {
    let id = scalar_string(c.id);
    let name = non_empty(c.name);
    let (id, name) = match (id, name) {
        (Some(id), Some(name)) => (id, name),
        (Some(id), None) => (id.clone(), id),
        (None, Some(name)) => (name.clone(), name),
        (None, None) => {
            return Err(IngestError::NotAReport(format!("checks[{i}] needs an `id` or a `name`")));
        }
    };
    let raw_status = c.status.ok_or_else(|| IngestError::NotAReport(format!("checks[{i}] ({id}) has no `status`")))?;
    let status = parse_status(&raw_status).ok_or_else(|| {
        IngestError::NotAReport(format!(
            "checks[{i}] ({id}): unknown status {raw_status:?} (expected one of pass, fail, error, warn, partial, skip, not_run)"
        ))
    })?;
    let weight = finite(c.weight).unwrap_or(1.0);
    if weight < 0.0 {
        return Err(IngestError::NotAReport(format!("checks[{i}] ({id}): `weight` must not be negative")));
    }
    // The schema says `max` > 0: a zero or negative one is refused, not silently dropped.
    let max = c.max;
    Ok(Check {
        id,
        name,
        suite_path: c.suite_path.unwrap_or_default(),
        category: non_empty(c.category),
        status,
        score: finite(c.score),
        max,
        weight,
        blocking: c.blocking.unwrap_or(false),
        duration_ms: finite(c.duration_ms).filter(|d| *d >= 0.0),
        message: bounded(c.message.as_deref().unwrap_or(""), MAX_MESSAGE_BYTES),
        details: bounded(c.details.as_deref().unwrap_or(""), MAX_DETAILS_BYTES),
        evidence_url: c.evidence_url.unwrap_or_default(),
        flaky: c.flaky.unwrap_or(false),
        retries: c.retries.unwrap_or(0),
    })
}

fn metric(i: usize, m: RawMetric) -> Result<Metric, IngestError> {
    let name = non_empty(m.name).ok_or_else(|| IngestError::NotAReport(format!("metrics[{i}] has no `name`")))?;
    let value = finite(m.value)
        .ok_or_else(|| IngestError::NotAReport(format!("metrics[{i}] ({name}) has no numeric `value`")))?;
    let target = match m.target {
        None => None,
        Some(t) => {
            let op = TargetOp::parse(&t.op).ok_or_else(|| {
                IngestError::NotAReport(format!(
                    "metrics[{i}] ({name}): unknown target op {:?} (expected <, <=, >, >= or ==)",
                    t.op
                ))
            })?;
            if !t.value.is_finite() {
                return Err(IngestError::NotAReport(format!(
                    "metrics[{i}] ({name}): target value must be a finite number"
                )));
            }
            Some(Target { op, value: t.value })
        }
    };
    Ok(Metric { name, category: non_empty(m.category), value, unit: m.unit.unwrap_or_default(), target })
}

fn finding(i: usize, f: RawFinding) -> Result<Finding, IngestError> {
    let title = non_empty(f.title);
    let id = scalar_string(f.id)
        .or_else(|| title.clone())
        .ok_or_else(|| IngestError::NotAReport(format!("findings[{i}] needs an `id` or a `title`")))?;
    let raw_sev =
        f.severity.ok_or_else(|| IngestError::NotAReport(format!("findings[{i}] ({id}) has no `severity`")))?;
    let severity = Severity::parse(&raw_sev).ok_or_else(|| {
        IngestError::NotAReport(format!(
            "findings[{i}] ({id}): unknown severity {raw_sev:?} (expected critical, high, medium, low or info)"
        ))
    })?;
    let status = match f.status.as_deref().map(|s| s.trim().to_ascii_lowercase()) {
        None => FindingStatus::Open,
        Some(s) => match s.as_str() {
            "" | "open" => FindingStatus::Open,
            "resolved" | "fixed" | "closed" => FindingStatus::Resolved,
            "suppressed" | "ignored" | "waived" => FindingStatus::Suppressed,
            _ => {
                return Err(IngestError::NotAReport(format!(
                    "findings[{i}] ({id}): unknown status {s:?} (expected open, resolved or suppressed)"
                )));
            }
        },
    };
    Ok(Finding {
        title: title.unwrap_or_else(|| id.clone()),
        id,
        severity,
        status,
        category: non_empty(f.category),
        details: bounded(f.details.as_deref().unwrap_or(""), MAX_DETAILS_BYTES),
    })
}

fn claimed(c: RawClaimed) -> Result<Claimed, IngestError> {
    let score = match (finite(c.score), finite(c.max)) {
        (Some(s), Some(m)) if m > 0.0 => Some(s / m * 100.0),
        (Some(_), Some(_)) => {
            return Err(IngestError::NotAReport("claimed.max must be greater than 0".into()));
        }
        (Some(s), None) => Some(s),
        (None, _) => None,
    };
    let confidence = finite(c.confidence).map(|v| if v > 1.0 && v <= 100.0 { v / 100.0 } else { v });
    Ok(Claimed {
        score: score.map(|s| s.clamp(0.0, 100.0)),
        verdict: non_empty(c.verdict).map(|v| normalise_verdict(&v)),
        confidence: confidence.map(|v| v.clamp(0.0, 1.0)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"{
      "schema": "readyboard/v1",
      "project": "prompt-studio", "phase": "phase-4", "phase_name": "Phase 4",
      "suite": "security-audit", "kind": "security", "extra_field": {"ignored": true},
      "run": {"id": 4711, "started_at": "2025-08-07T10:00:00Z", "branch": "main"},
      "claimed": {"score": 13, "max": 20, "verdict": "Conditional GO", "confidence": 0.92},
      "checks": [
        {"id": "rbac", "name": "RBAC", "category": "Security", "status": "pass", "score": 100, "max": 100},
        {"name": "tls", "status": "FAIL", "blocking": true, "duration_ms": -3},
        {"id": "x", "status": "Not_Run"}
      ],
      "metrics": [{"name": "api_ms", "value": 6, "unit": "ms", "target": {"op": "<", "value": 100}},
                  {"name": "mem", "value": 3}],
      "findings": [{"id": "ws-1011", "severity": "critical", "title": "WebSocket 1011"},
                   {"title": "old", "severity": "LOW", "status": "resolved"}]
    }"#;

    #[test]
    fn parses_the_documented_example() {
        let r = parse(FULL.as_bytes()).unwrap();
        assert_eq!(r.placement.project.as_deref(), Some("prompt-studio"));
        assert_eq!(r.placement.kind.as_deref(), Some("security"));
        assert_eq!(r.run.id.as_deref(), Some("4711"));
        assert_eq!(r.checks.len(), 3);
        assert_eq!(r.checks[1].id, "tls");
        assert_eq!(r.checks[1].status, Status::Fail);
        assert!(r.checks[1].blocking);
        assert_eq!(r.checks[1].duration_ms, None);
        assert_eq!(r.checks[2].status, Status::NotRun);
        assert_eq!(r.metrics[0].met(), Some(true));
        assert_eq!(r.findings[1].status, FindingStatus::Resolved);
        assert_eq!(r.findings[1].id, "old");
        let c = r.claimed.unwrap();
        assert_eq!(c.score, Some(65.0));
        assert_eq!(c.verdict.as_deref(), Some("conditional"));
        let counts = r.checks.len() + 1;
        assert_eq!(parse(FULL.as_bytes()).unwrap().counts().tests, counts as u64);
    }

    fn not_a_report(json: &str) -> String {
        match parse(json.as_bytes()) {
            Err(IngestError::NotAReport(m)) => m,
            other => panic!("{json} gave {other:?}"),
        }
    }

    #[test]
    fn names_the_missing_field() {
        assert!(not_a_report(r#"{"project":"p","phase":"x","suite":"s","checks":[]}"#).contains("`schema`"));
        assert!(
            not_a_report(r#"{"schema":"readyboard/v1","phase":"x","suite":"s","checks":[]}"#).contains("`project`")
        );
        assert!(
            not_a_report(r#"{"schema":"readyboard/v1","project":"p","suite":"s","checks":[]}"#).contains("`phase`")
        );
        assert!(
            not_a_report(r#"{"schema":"readyboard/v1","project":"p","phase":"x","checks":[]}"#).contains("`suite`")
        );
        assert!(
            not_a_report(r#"{"schema":"readyboard/v1","project":"p","phase":"x","suite":"s"}"#).contains("`checks`")
        );
        assert!(
            not_a_report(r#"{"schema":"readyboard/v2","project":"p","phase":"x","suite":"s","checks":[]}"#)
                .contains("unsupported schema")
        );
    }

    #[test]
    fn validates_values() {
        let base = r#"{"schema":"readyboard/v1","project":"p","phase":"x","suite":"s","#;
        assert!(
            not_a_report(&format!(r#"{base}"checks":[{{"id":"a","status":"great"}}]}}"#)).contains("unknown status")
        );
        assert!(
            not_a_report(&format!(r#"{base}"metrics":[{{"name":"m","value":1,"target":{{"op":"~","value":2}}}}]}}"#))
                .contains("target op")
        );
        assert!(not_a_report(&format!(r#"{base}"findings":[{{"id":"f","severity":"huge"}}]}}"#)).contains("severity"));
        assert!(not_a_report(&format!(r#"{base}"checks":[{{"id":"a","status":1}}]}}"#)).contains("invalid type"));
    }

    #[test]
    fn syntax_errors_carry_position() {
        match parse(b"{\"schema\": \"readyboard/v1\",\n  \"checks\": [,]}") {
            Err(IngestError::Malformed { line: Some(2), column: Some(_), message, .. }) => {
                assert!(!message.contains(" at line "), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(parse(b"{\"schema\":"), Err(IngestError::Malformed { .. })));
    }

    #[test]
    fn deep_nesting_is_too_deep() {
        let json = format!(r#"{{"schema":"readyboard/v1","x":{}{}}}"#, "[".repeat(500), "]".repeat(500));
        assert!(matches!(parse(json.as_bytes()), Err(IngestError::TooDeep)));
    }
}
