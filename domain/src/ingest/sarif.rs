//! SARIF 2.1 (security scanners and linters): every result becomes a finding.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::common::{check_depth, json_error};
use super::{IngestError, MAX_DETAILS_BYTES, MAX_MESSAGE_BYTES, bounded, push_bounded, skip_bom};
use crate::model::{Finding, FindingStatus, ParsedReport, RunMeta, Severity};

const FORMAT: &str = "SARIF";
/// Longest finding id kept, in bytes (fingerprints can be long hashes).
const MAX_ID_BYTES: usize = 512;

/// Parses a SARIF log: one finding per result, over every run.
pub fn parse(input: &[u8]) -> Result<ParsedReport, IngestError> {
    let input = skip_bom(input);
    check_depth(input)?;
    let doc: Value = serde_json::from_slice(input).map_err(|e| json_error(FORMAT, e))?;
    let doc = doc.as_object().ok_or_else(|| IngestError::NotAReport("a SARIF log is a JSON object".into()))?;
    if let Some(v) = doc.get("version").and_then(Value::as_str)
        && !v.starts_with("2.")
    {
        return Err(IngestError::NotAReport(format!("unsupported SARIF version {v:?}: expected 2.1.0")));
    }
    let runs = doc
        .get("runs")
        .and_then(Value::as_array)
        .ok_or_else(|| IngestError::NotAReport("SARIF log has no `runs` array".into()))?;

    let mut report = ParsedReport { format: super::Format::Sarif.as_str().to_string(), ..ParsedReport::default() };
    let mut drafts = Vec::new();
    for (ri, run) in runs.iter().enumerate() {
        let Some(run) = run.as_object() else {
            return Err(IngestError::NotAReport(format!("runs[{ri}] is not an object")));
        };
        let ctx = RunContext::new(run);
        run_meta(run, &mut report.run);
        invocation_notes(run, &ctx.tool, &mut report.notes);
        if let Some(results) = run.get("results").and_then(Value::as_array) {
            for (i, result) in results.iter().enumerate() {
                let Some(result) = result.as_object() else {
                    return Err(IngestError::NotAReport(format!("runs[{ri}].results[{i}] is not an object")));
                };
                drafts.push(ctx.draft(result));
            }
        }
    }
    report.findings = assign_ids(drafts);
    Ok(report)
}

/// A finding before its id is chosen: ids depend on which fingerprints are unique in the file.
struct Draft {
    finding: Finding,
    rule: String,
    fingerprint: Option<String>,
    location: String,
    message: String,
}

/// Rules of one run, found by index (driver or extension) or by id.
struct RunContext<'a> {
    tool: String,
    driver_rules: &'a [Value],
    extension_rules: Vec<&'a [Value]>,
    by_id: HashMap<&'a str, &'a Map<String, Value>>,
}

fn rules_of(component: Option<&Value>) -> &[Value] {
    component.and_then(|c| c.get("rules")).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

impl<'a> RunContext<'a> {
    fn new(run: &'a Map<String, Value>) -> Self {
        let tool_obj = run.get("tool");
        let driver = tool_obj.and_then(|t| t.get("driver"));
        let tool = driver.and_then(|d| d.get("name")).and_then(Value::as_str).unwrap_or("").trim().to_string();
        let driver_rules = rules_of(driver);
        let extension_rules: Vec<&[Value]> = tool_obj
            .and_then(|t| t.get("extensions"))
            .and_then(Value::as_array)
            .map(|exts| exts.iter().map(|e| rules_of(Some(e))).collect())
            .unwrap_or_default();
        let mut by_id = HashMap::new();
        for rule in extension_rules.iter().rev().flat_map(|r| r.iter()).chain(driver_rules.iter()) {
            if let Some(obj) = rule.as_object()
                && let Some(id) = obj.get("id").and_then(Value::as_str)
            {
                // The driver's rules are inserted last so they win over extensions' on a clash.
                by_id.insert(id, obj);
            }
        }
        RunContext { tool, driver_rules, extension_rules, by_id }
    }

    /// Resolves the rule a result refers to: `rule.toolComponent.index` + `rule.index`, then
    /// `ruleIndex`/`rule.index` against the driver, then the rule id.
    fn rule_for(&self, result: &Map<String, Value>, rule_id: Option<&str>) -> Option<&'a Map<String, Value>> {
        let rule_ref = result.get("rule").and_then(Value::as_object);
        let index = rule_ref
            .and_then(|r| r.get("index"))
            .or_else(|| result.get("ruleIndex"))
            .and_then(Value::as_u64)
            .and_then(|i| usize::try_from(i).ok());
        let component =
            rule_ref.and_then(|r| r.get("toolComponent")).and_then(|c| c.get("index")).and_then(Value::as_u64);
        let by_index = match (component, index) {
            (Some(c), Some(i)) => usize::try_from(c)
                .ok()
                .and_then(|c| self.extension_rules.get(c))
                .and_then(|rules| rules.get(i))
                .and_then(Value::as_object),
            (None, Some(i)) => self.driver_rules.get(i).and_then(Value::as_object),
            _ => None,
        };
        let id_matches = |r: &&Map<String, Value>| match (rule_id, r.get("id").and_then(Value::as_str)) {
            (Some(want), Some(have)) => want == have || want.starts_with(&format!("{have}/")),
            _ => true,
        };
        by_index.filter(id_matches).or_else(|| {
            let id = rule_id?;
            self.by_id.get(id).or_else(|| id.split_once('/').and_then(|(head, _)| self.by_id.get(head))).copied()
        })
    }

    fn draft(&self, result: &Map<String, Value>) -> Draft {
        let rule_ref_id = result.get("rule").and_then(|r| r.get("id")).and_then(Value::as_str);
        let result_rule_id = text(result.get("ruleId")).or(rule_ref_id.map(str::to_string));
        let rule = self.rule_for(result, result_rule_id.as_deref());
        let rule_id =
            result_rule_id.or_else(|| rule.and_then(|r| text(r.get("id")))).unwrap_or_else(|| "(no rule)".to_string());

        let kind = result.get("kind").and_then(Value::as_str).unwrap_or("fail");
        let level = text(result.get("level"))
            .or_else(|| {
                rule.and_then(|r| r.get("defaultConfiguration"))
                    .and_then(|c| c.get("level"))
                    .and_then(|l| text(Some(l)))
            })
            // SARIF §3.27.10: without a level, a result whose kind is not `fail` has level `none`.
            .unwrap_or_else(|| if kind == "fail" { "warning".into() } else { "none".into() })
            .to_ascii_lowercase();
        let (severity, source) = severity(result, rule, &level);
        let status = if is_suppressed(result) {
            FindingStatus::Suppressed
        } else if matches!(kind, "pass" | "notApplicable")
            || result.get("baselineState").and_then(Value::as_str) == Some("absent")
        {
            FindingStatus::Resolved
        } else {
            FindingStatus::Open
        };
        let severity =
            if matches!(kind, "pass" | "notApplicable" | "informational") { Severity::Info } else { severity };

        let message = message_text(result, rule);
        let location = location(result);
        let title = title(&message, rule, &rule_id);

        let mut details = String::new();
        let mut line = |s: &str| {
            push_bounded(&mut details, s, MAX_DETAILS_BYTES);
            push_bounded(&mut details, "\n", MAX_DETAILS_BYTES);
        };
        let rule_name = rule.and_then(|r| text(r.get("name"))).filter(|n| *n != rule_id);
        line(&match rule_name {
            Some(n) => format!("Rule: {rule_id} ({n})"),
            None => format!("Rule: {rule_id}"),
        });
        if !self.tool.is_empty() {
            line(&format!("Tool: {}", self.tool));
        }
        if !location.is_empty() {
            line(&format!("Location: {location}"));
        }
        line(&format!("Level: {level}"));
        line(&format!("Severity source: {source}"));
        if kind != "fail" {
            line(&format!("Kind: {kind}"));
        }
        if let Some(b) = result.get("baselineState").and_then(Value::as_str) {
            line(&format!("Baseline state: {b}"));
        }
        if status == FindingStatus::Suppressed {
            let why = suppression_justification(result);
            line(&format!("Suppressed{}", why.map(|j| format!(": {j}")).unwrap_or_default()));
        }
        if let Some(help) = rule.and_then(|r| text(r.get("helpUri"))) {
            line(&format!("Help: {help}"));
        }
        if !message.is_empty() {
            line("");
            line(&message);
        }
        let details = details.trim_end().to_string();

        Draft {
            finding: Finding { id: String::new(), severity, status, category: None, title, details },
            rule: rule_id,
            fingerprint: fingerprint(result),
            location,
            message,
        }
    }
}

/// A trimmed non-empty string value.
fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// CVSS-like number (number or numeric string) to a severity.
fn cvss(v: Option<&Value>) -> Option<(Severity, f64)> {
    let score = match v? {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    if !score.is_finite() {
        return None;
    }
    let sev = if score >= 9.0 {
        Severity::Critical
    } else if score >= 7.0 {
        Severity::High
    } else if score >= 4.0 {
        Severity::Medium
    } else if score > 0.0 {
        Severity::Low
    } else {
        Severity::Info
    };
    Some((sev, score))
}

/// A severity word, including SARIF levels and CodeQL's `problem.severity` values.
fn severity_word(s: &str) -> Option<Severity> {
    match s.trim().to_ascii_lowercase().as_str() {
        "error" => Some(Severity::High),
        "warning" | "warn" => Some(Severity::Medium),
        "recommendation" => Some(Severity::Low),
        "" => None,
        other => Severity::parse(other),
    }
}

fn level_severity(level: &str) -> Severity {
    match level {
        "error" => Severity::High,
        "note" => Severity::Low,
        "none" => Severity::Info,
        _ => Severity::Medium,
    }
}

/// Severity and where it came from, most specific source first: `security-severity` on the
/// result then the rule, a severity property on the result then the rule, a severity tag on
/// the rule (gosec, Trivy), and last the level.
fn severity(result: &Map<String, Value>, rule: Option<&Map<String, Value>>, level: &str) -> (Severity, String) {
    let result_props = result.get("properties").and_then(Value::as_object);
    let rule_props = rule.and_then(|r| r.get("properties")).and_then(Value::as_object);
    for (props, whose) in [(result_props, "result"), (rule_props, "rule")] {
        if let Some((sev, score)) = cvss(props.and_then(|p| p.get("security-severity"))) {
            return (sev, format!("{whose} security-severity {score}"));
        }
    }
    const KEYS: [&str; 4] = ["severity", "issue_severity", "problem.severity", "Severity"];
    for (props, whose) in [(result_props, "result"), (rule_props, "rule")] {
        for key in KEYS {
            if let Some(word) = props.and_then(|p| p.get(key)).and_then(Value::as_str)
                && let Some(sev) = severity_word(word)
            {
                return (sev, format!("{whose} property {key} {word}"));
            }
        }
    }
    if let Some(tags) = rule_props.and_then(|p| p.get("tags")).and_then(Value::as_array) {
        // Only a tag that is exactly a severity word: Semgrep tags "MEDIUM CONFIDENCE".
        for tag in tags.iter().filter_map(Value::as_str) {
            if let Some(sev) = Severity::parse(tag).filter(|s| *s != Severity::Info) {
                return (sev, format!("rule tag {tag}"));
            }
        }
    }
    (level_severity(level), format!("level {level}"))
}

fn is_suppressed(result: &Map<String, Value>) -> bool {
    result.get("suppressions").and_then(Value::as_array).is_some_and(|s| {
        // A suppression whose status is `rejected` does not suppress (SARIF §3.35.3).
        s.iter().any(|sup| sup.get("status").and_then(Value::as_str) != Some("rejected"))
    })
}

fn suppression_justification(result: &Map<String, Value>) -> Option<String> {
    let sups = result.get("suppressions")?.as_array()?;
    sups.iter()
        .find_map(|s| text(s.get("justification")).or_else(|| text(s.get("kind")).map(|k| format!("{k} suppression"))))
}

/// The message: `text`, else `markdown`, else the rule's message string named by `id`, with
/// `{n}` placeholders filled from `arguments`.
fn message_text(result: &Map<String, Value>, rule: Option<&Map<String, Value>>) -> String {
    let msg = result.get("message");
    let template = text(msg.and_then(|m| m.get("text")))
        .or_else(|| text(msg.and_then(|m| m.get("markdown"))))
        .or_else(|| {
            let id = msg.and_then(|m| m.get("id")).and_then(Value::as_str)?;
            let s = rule?.get("messageStrings")?.get(id)?;
            text(s.get("text")).or_else(|| text(s.get("markdown")))
        })
        .unwrap_or_default();
    let template = bounded(&template, MAX_DETAILS_BYTES);
    let args: Vec<String> = msg
        .and_then(|m| m.get("arguments"))
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)).collect())
        .unwrap_or_default();
    if args.is_empty() {
        return template;
    }
    let mut out = String::new();
    let mut rest = template.as_str();
    while let Some(open) = rest.find('{') {
        push_bounded(&mut out, &rest[..open], MAX_DETAILS_BYTES);
        let after = &rest[open + 1..];
        match after.find('}').and_then(|close| after[..close].parse::<usize>().ok().map(|n| (n, close))) {
            Some((n, close)) if n < args.len() => {
                push_bounded(&mut out, &args[n], MAX_DETAILS_BYTES);
                rest = &after[close + 1..];
            }
            _ => {
                push_bounded(&mut out, "{", MAX_DETAILS_BYTES);
                rest = after;
            }
        }
    }
    push_bounded(&mut out, rest, MAX_DETAILS_BYTES);
    out
}

fn title(message: &str, rule: Option<&Map<String, Value>>, rule_id: &str) -> String {
    let first = message.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    let multi_line = message.lines().filter(|l| !l.trim().is_empty()).nth(1).is_some();
    let short = rule.and_then(|r| r.get("shortDescription")).and_then(|d| text(d.get("text")));
    // Multi-line messages (Trivy's package report) open with a field, not a sentence.
    let headline = match short {
        Some(s) if first.is_empty() || multi_line => s,
        _ if !first.is_empty() => first.to_string(),
        _ => String::new(),
    };
    let title = if headline.is_empty() {
        rule_id.to_string()
    } else if headline.contains(rule_id) {
        headline
    } else {
        format!("{rule_id}: {headline}")
    };
    bounded(&title, MAX_MESSAGE_BYTES)
}

/// `path:line` of the first location: a physical one, else a logical name.
fn location(result: &Map<String, Value>) -> String {
    let Some(first) = result.get("locations").and_then(Value::as_array).and_then(|l| l.first()) else {
        return String::new();
    };
    if let Some(phys) = first.get("physicalLocation") {
        let uri = text(phys.get("artifactLocation").and_then(|a| a.get("uri"))).map(|u| normalise_uri(&u));
        let line = phys.get("region").and_then(|r| r.get("startLine")).and_then(Value::as_u64);
        match (uri, line) {
            (Some(u), Some(l)) => return bounded(&format!("{u}:{l}"), MAX_MESSAGE_BYTES),
            (Some(u), None) => return bounded(&u, MAX_MESSAGE_BYTES),
            _ => {}
        }
    }
    first
        .get("logicalLocations")
        .and_then(Value::as_array)
        .and_then(|l| l.first())
        .and_then(|l| text(l.get("fullyQualifiedName")).or_else(|| text(l.get("name"))))
        .map(|s| bounded(&s, MAX_MESSAGE_BYTES))
        .unwrap_or_default()
}

/// A URI as a readable, stable path: `file://` and percent-escapes undone, backslashes made
/// forward slashes, so the same file scanned on Windows and Linux gets the same id.
fn normalise_uri(uri: &str) -> String {
    let mut s = uri.trim();
    for prefix in ["file:///", "file://"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest;
            break;
        }
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(v) = u8::from_str_radix(hex, 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(if b == b'\\' { b'/' } else { b });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `partialFingerprints` when present, else `fingerprints`, as `key=value` pairs.
fn fingerprint(result: &Map<String, Value>) -> Option<String> {
    for key in ["partialFingerprints", "fingerprints"] {
        if let Some(map) = result.get(key).and_then(Value::as_object) {
            let mut pairs: Vec<String> = map
                .iter()
                .filter_map(|(k, v)| {
                    let v = v.as_str().map(str::trim).filter(|v| !v.is_empty())?;
                    Some(format!("{k}={v}"))
                })
                .collect();
            if !pairs.is_empty() {
                pairs.sort();
                return Some(pairs.join(";"));
            }
        }
    }
    None
}

/// 64-bit FNV-1a: a short stable digest for ids (not for security).
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Chooses each finding's id. A fingerprint is used only when it is unique within the file
/// (one Semgrep version writes the same value for every result); otherwise rule + location,
/// then rule + location + message digest, then an occurrence number, so distinct results are
/// never merged.
fn assign_ids(drafts: Vec<Draft>) -> Vec<Finding> {
    let mut fp_count: HashMap<String, usize> = HashMap::new();
    for d in &drafts {
        if let Some(fp) = &d.fingerprint {
            *fp_count.entry(fp.clone()).or_default() += 1;
        }
    }
    let by_location = |d: &Draft| {
        if d.location.is_empty() { d.rule.clone() } else { format!("{}@{}", d.rule, d.location) }
    };
    let mut loc_count: HashMap<String, usize> = HashMap::new();
    for d in &drafts {
        *loc_count.entry(by_location(d)).or_default() += 1;
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    drafts
        .into_iter()
        .map(|mut d| {
            let unique_fp = d.fingerprint.as_ref().filter(|fp| fp_count.get(*fp) == Some(&1));
            let mut id = match unique_fp {
                Some(fp) => format!("{}#{fp}", d.rule),
                None => {
                    let loc = by_location(&d);
                    if loc_count.get(&loc).copied().unwrap_or(0) > 1 {
                        format!("{loc}#{:016x}", fnv1a(&d.message))
                    } else {
                        loc
                    }
                }
            };
            id = bounded(&id, MAX_ID_BYTES);
            let n = seen.entry(id.clone()).or_default();
            *n += 1;
            if *n > 1 {
                id = format!("{id}~{n}");
            }
            d.finding.id = id;
            d.finding
        })
        .collect()
}

fn run_meta(run: &Map<String, Value>, meta: &mut RunMeta) {
    if let Some(inv) = run.get("invocations").and_then(Value::as_array).and_then(|i| i.first()) {
        meta.started_at = meta.started_at.take().or_else(|| text(inv.get("startTimeUtc")));
        meta.finished_at = meta.finished_at.take().or_else(|| text(inv.get("endTimeUtc")));
    }
    if let Some(vcs) = run.get("versionControlProvenance").and_then(Value::as_array).and_then(|v| v.first()) {
        meta.commit = meta.commit.take().or_else(|| text(vcs.get("revisionId")));
        meta.branch = meta.branch.take().or_else(|| text(vcs.get("branch")));
    }
    if let Some(id) = run.get("automationDetails").and_then(|a| a.get("id")) {
        meta.id = meta.id.take().or_else(|| text(Some(id)));
    }
}

/// A scanner run that did not complete is not a clean scan: say so.
fn invocation_notes(run: &Map<String, Value>, tool: &str, notes: &mut Vec<String>) {
    let Some(invocations) = run.get("invocations").and_then(Value::as_array) else { return };
    for inv in invocations {
        if inv.get("executionSuccessful").and_then(Value::as_bool) == Some(false) {
            let why = inv
                .get("toolExecutionNotifications")
                .and_then(Value::as_array)
                .and_then(|n| n.iter().find_map(|n| n.get("message").and_then(|m| text(m.get("text")))))
                .map(|m| format!(": {}", bounded(&m, MAX_MESSAGE_BYTES)))
                .unwrap_or_default();
            let tool = if tool.is_empty() { "the scanner" } else { tool };
            notes.push(format!("SARIF run of {tool} did not complete successfully{why}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> ParsedReport {
        parse(s.as_bytes()).unwrap()
    }

    const TWO_RUNS: &str = r#"{
      "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
      "runs": [
        {"tool": {"driver": {"name": "Trivy", "rules": [
            {"id": "CVE-1", "shortDescription": {"text": "openssl: bad"}, "defaultConfiguration": {"level": "warning"},
             "properties": {"security-severity": "9.8", "tags": ["security", "CRITICAL"]}},
            {"id": "CVE-2", "properties": {"security-severity": 5.3}}]}},
         "results": [
           {"ruleId": "CVE-1", "ruleIndex": 0, "message": {"text": "Package: libssl\nInstalled: 1.0"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": "file:///C:/src/app%20x/lock.json"}, "region": {"startLine": 3}}}]},
           {"ruleId": "CVE-2", "level": "error", "message": {"text": "medium one"},
            "partialFingerprints": {"primaryLocationLineHash": "abc:1"},
            "suppressions": [{"kind": "inSource", "justification": "false positive"}]}
         ]},
        {"tool": {"driver": {"name": "gosec", "rules": [
            {"id": "G115", "defaultConfiguration": {"level": "error"}, "properties": {"tags": ["security", "MEDIUM"]}}]},
                  "extensions": [{"name": "ext", "rules": [{"id": "ext/r", "defaultConfiguration": {"level": "note"}}]}]},
         "results": [
           {"ruleId": "G115", "message": {"text": "overflow"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a\\b.go"}, "region": {"startLine": 9}}}]},
           {"rule": {"id": "ext/r", "index": 0, "toolComponent": {"index": 0}}, "message": {"id": "m", "arguments": ["x"]}},
           {"ruleId": "plain", "message": {"text": "no rule anywhere"}, "baselineState": "absent"}
         ]}
      ]}"#;

    #[test]
    fn every_result_of_every_run_is_a_finding() {
        let r = parse_str(TWO_RUNS);
        assert_eq!(r.format, "sarif");
        assert_eq!(r.findings.len(), 5);
        let sev: Vec<Severity> = r.findings.iter().map(|f| f.severity).collect();
        assert_eq!(sev, vec![Severity::Critical, Severity::Medium, Severity::Medium, Severity::Low, Severity::Medium]);
        assert!(r.checks.is_empty());
    }

    #[test]
    fn security_severity_wins_over_level_and_tags() {
        let r = parse_str(TWO_RUNS);
        let f = &r.findings[0];
        assert!(f.details.contains("Severity source: rule security-severity 9.8"), "{}", f.details);
        assert!(f.details.contains("Level: warning"), "level from the rule's default: {}", f.details);
        assert!(f.details.contains("Location: C:/src/app x/lock.json:3"), "{}", f.details);
        // A multi-line message opens with a field: the rule's short description reads better.
        assert_eq!(f.title, "CVE-1: openssl: bad");
        assert_eq!(
            r.findings[2].details.lines().find(|l| l.starts_with("Severity source")),
            Some("Severity source: rule tag MEDIUM")
        );
    }

    #[test]
    fn suppressed_and_absent_results_are_kept_with_their_status() {
        let r = parse_str(TWO_RUNS);
        assert_eq!(r.findings[1].status, FindingStatus::Suppressed);
        assert!(r.findings[1].details.contains("Suppressed: false positive"));
        assert_eq!(r.findings[4].status, FindingStatus::Resolved);
        assert_eq!(r.findings[0].status, FindingStatus::Open);
    }

    #[test]
    fn rules_resolve_through_extensions_and_message_strings() {
        let r = parse_str(&TWO_RUNS.replace(
            r#"{"id": "ext/r", "defaultConfiguration": {"level": "note"}}"#,
            r#"{"id": "ext/r", "defaultConfiguration": {"level": "note"}, "messageStrings": {"m": {"text": "bad {0} here"}}}"#,
        ));
        let f = &r.findings[3];
        assert_eq!(f.title, "ext/r: bad x here");
        assert!(f.details.contains("Level: note"));
    }

    #[test]
    fn ids_use_fingerprints_else_rule_and_location() {
        let r = parse_str(TWO_RUNS);
        assert_eq!(r.findings[1].id, "CVE-2#primaryLocationLineHash=abc:1");
        assert_eq!(r.findings[0].id, "CVE-1@C:/src/app x/lock.json:3");
        assert_eq!(r.findings[2].id, "G115@a/b.go:9");
        // Stable across scans: the same input gives the same ids.
        assert_eq!(parse_str(TWO_RUNS).findings, r.findings);
    }

    #[test]
    fn a_fingerprint_shared_by_every_result_is_not_used() {
        let doc = r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "Semgrep"}}, "results": [
            {"ruleId": "r", "fingerprints": {"matchBasedId/v1": "requires login"}, "message": {"text": "one"},
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.py"}, "region": {"startLine": 1}}}]},
            {"ruleId": "r", "fingerprints": {"matchBasedId/v1": "requires login"}, "message": {"text": "two"},
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.py"}, "region": {"startLine": 1}}}]},
            {"ruleId": "r", "fingerprints": {"matchBasedId/v1": "requires login"}, "message": {"text": "two"},
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.py"}, "region": {"startLine": 1}}}]}
        ]}]}"#;
        let r = parse_str(doc);
        let ids: Vec<&str> = r.findings.iter().map(|f| f.id.as_str()).collect();
        assert!(ids.iter().all(|id| !id.contains("requires login")), "{ids:?}");
        assert_ne!(ids[0], ids[1]);
        assert_ne!(ids[1], ids[2], "identical results are still two findings");
        assert!(ids[2].ends_with("~2"));
    }

    #[test]
    fn zero_results_and_failed_invocations() {
        let r = parse_str(
            r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "hadolint"}}, "results": [],
                "invocations": [{"executionSuccessful": false, "toolExecutionNotifications": [{"message": {"text": "crashed"}}]}]}]}"#,
        );
        assert!(r.findings.is_empty());
        assert_eq!(r.notes, vec!["SARIF run of hadolint did not complete successfully: crashed".to_string()]);
    }

    #[test]
    fn rejects_what_is_not_sarif() {
        assert!(matches!(parse(b"{}"), Err(IngestError::NotAReport(_))));
        assert!(matches!(parse(b"[]"), Err(IngestError::NotAReport(_))));
        assert!(matches!(parse(br#"{"version": "1.0.0", "runs": []}"#), Err(IngestError::NotAReport(_))));
        assert!(matches!(parse(b"{\"runs\": [\n{"), Err(IngestError::Malformed { line: Some(2), .. })));
    }

    #[test]
    fn cvss_buckets() {
        let b = |v: f64| cvss(Some(&Value::from(v))).map(|(s, _)| s);
        assert_eq!(b(9.0), Some(Severity::Critical));
        assert_eq!(b(7.0), Some(Severity::High));
        assert_eq!(b(6.9), Some(Severity::Medium));
        assert_eq!(b(0.1), Some(Severity::Low));
        assert_eq!(b(0.0), Some(Severity::Info));
        assert_eq!(cvss(Some(&Value::from("n/a"))), None);
    }
}
