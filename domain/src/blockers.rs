//! Blockers derived from reports: fingerprints, derivation and reconciliation across runs.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::model::{FindingStatus, ParsedReport, Severity};

/// A blocker's severities, the most serious first.
pub const BLOCKER_SEVERITIES: [&str; 4] = ["critical", "high", "medium", "low"];

/// Stable identity of a blocker across runs: FNV-1a 64 over the normalised parts, 16 hex digits.
///
/// A hash rather than the joined string keeps the key short and fixed-length however long a
/// test id is, and FNV-1a needs no dependency. It is not collision-proof, but collisions
/// only matter within one phase and suite, where ids number in the thousands, not billions.
/// Phase, suite and kind are case-insensitive names; the id is kept as written (test names
/// are case-sensitive) apart from surrounding whitespace.
pub fn fingerprint(phase: &str, suite: &str, kind: &str, id: &str) -> String {
    let parts =
        [phase.trim().to_lowercase(), suite.trim().to_lowercase(), kind.trim().to_lowercase(), id.trim().to_string()];
    // A separator byte that cannot occur in UTF-8 keeps ("ab","c") apart from ("a","bc").
    let bytes = parts.iter().enumerate().flat_map(|(i, part)| {
        let sep: &[u8] = if i == 0 { &[] } else { &[0xff] };
        sep.iter().chain(part.as_bytes()).copied()
    });
    let hash = fnv1a64(bytes);
    format!("{hash:016x}")
}

fn fnv1a64(bytes: impl IntoIterator<Item = u8>) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.into_iter().fold(OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

/// What a blocker comes from: evidence (a finding or a check), or a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BlockerSource {
    /// An open critical or high finding.
    Finding,
    /// A failing check marked blocking.
    Check,
    /// Written by hand; evidence neither opens nor resolves it.
    Manual,
}

impl BlockerSource {
    /// Every source.
    pub const ALL: [BlockerSource; 3] = [BlockerSource::Finding, BlockerSource::Check, BlockerSource::Manual];

    /// The stable name used in storage and the API, also the `kind` part of a fingerprint.
    pub fn as_str(self) -> &'static str {
        match self {
            BlockerSource::Finding => "finding",
            BlockerSource::Check => "check",
            BlockerSource::Manual => "manual",
        }
    }

    /// Parses the stable name back.
    pub fn parse(s: &str) -> Option<BlockerSource> {
        BlockerSource::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

/// Where a blocker stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BlockerStatus {
    /// Still blocks.
    Open,
    /// Accepted for now by an approver, with a reason.
    Waived,
    /// Gone: fixed, or no longer shown by the evidence.
    Resolved,
}

impl BlockerStatus {
    /// Every status, in the order lists show them.
    pub const ALL: [BlockerStatus; 3] = [BlockerStatus::Open, BlockerStatus::Waived, BlockerStatus::Resolved];

    /// The stable name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            BlockerStatus::Open => "open",
            BlockerStatus::Waived => "waived",
            BlockerStatus::Resolved => "resolved",
        }
    }

    /// Parses the stable name back.
    pub fn parse(s: &str) -> Option<BlockerStatus> {
        BlockerStatus::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

/// A blocker a report shows, before it is matched with stored blockers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockerCandidate {
    /// Stable identity (see [`fingerprint`]).
    pub fingerprint: String,
    /// Finding or check.
    pub source: BlockerSource,
    /// Severity: the finding's, or high for a blocking check.
    pub severity: Severity,
    /// One-line title.
    pub title: String,
    /// Id of the finding or check within the suite.
    pub key: String,
}

/// Blockers one report shows: open critical/high findings and failing blocking checks.
///
/// The same key seen twice (a scanner reporting one rule at several locations) is one
/// blocker, at the highest severity seen; order is first appearance.
pub fn derive(phase: &str, suite: &str, report: &ParsedReport) -> Vec<BlockerCandidate> {
    let mut out: Vec<BlockerCandidate> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut push = |source: BlockerSource, key: &str, title: &str, severity: Severity| {
        let fp = fingerprint(phase, suite, source.as_str(), key);
        match index.get(&fp) {
            // Severity orders most severe first.
            Some(&i) => out[i].severity = out[i].severity.min(severity),
            None => {
                index.insert(fp.clone(), out.len());
                out.push(BlockerCandidate {
                    fingerprint: fp,
                    source,
                    severity,
                    title: title.to_string(),
                    key: key.to_string(),
                });
            }
        }
    };
    for f in &report.findings {
        let gating = matches!(f.severity, Severity::Critical | Severity::High);
        if f.status == FindingStatus::Open && gating {
            // Without an id the title is the only thing stable across runs.
            let key = if f.id.trim().is_empty() { &f.title } else { &f.id };
            push(BlockerSource::Finding, key, &f.title, f.severity);
        }
    }
    for c in &report.checks {
        if c.blocking && c.status.is_failure() {
            let key = if c.id.trim().is_empty() { &c.name } else { &c.id };
            let title = if c.name.trim().is_empty() { &c.id } else { &c.name };
            push(BlockerSource::Check, key, title, Severity::High);
        }
    }
    out
}

/// How one suite's new report changes its derived blockers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Reconciliation {
    /// Shown by the report and not currently open: open them (or reopen a resolved one
    /// with the same fingerprint).
    pub new: Vec<BlockerCandidate>,
    /// Open and shown again: bump last-seen and occurrences.
    pub still_open: Vec<String>,
    /// Open but no longer shown: resolve them.
    pub resolved: Vec<String>,
}

/// Matches a suite's new report against that suite's open derived blockers, by fingerprint.
///
/// `existing_open` must hold only blockers derived from this suite: hand-added blockers
/// never resolve themselves. Waived blockers may be passed; whether one seen again stays
/// waived is the caller's call.
pub fn reconcile<S: AsRef<str>>(existing_open: &[S], candidates: &[BlockerCandidate]) -> Reconciliation {
    let existing: HashSet<&str> = existing_open.iter().map(AsRef::as_ref).collect();
    let seen: HashSet<&str> = candidates.iter().map(|c| c.fingerprint.as_str()).collect();
    let mut r = Reconciliation::default();
    let mut emitted: HashSet<&str> = HashSet::new();
    for c in candidates {
        if !emitted.insert(c.fingerprint.as_str()) {
            continue;
        }
        if existing.contains(c.fingerprint.as_str()) {
            r.still_open.push(c.fingerprint.clone());
        } else {
            r.new.push(c.clone());
        }
    }
    let mut gone: HashSet<&str> = HashSet::new();
    for fp in existing_open.iter().map(AsRef::as_ref) {
        if !seen.contains(fp) && gone.insert(fp) {
            r.resolved.push(fp.to_string());
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Check, Finding, Status};

    fn finding(id: &str, severity: Severity, status: FindingStatus) -> Finding {
        Finding {
            id: id.into(),
            severity,
            status,
            category: None,
            title: format!("title {id}"),
            details: String::new(),
        }
    }

    fn check(id: &str, status: Status, blocking: bool) -> Check {
        Check { id: id.into(), name: format!("name {id}"), status, blocking, weight: 1.0, ..Check::default() }
    }

    #[test]
    fn fingerprint_is_stable_and_normalised() {
        let fp = fingerprint("phase-4", "security-audit", "finding", "ws-1011");
        assert_eq!(fp.len(), 16);
        assert!(fp.chars().all(|c| c.is_ascii_hexdigit()));
        // Pinned: stored fingerprints must not change between releases.
        assert_eq!(fp, "3aa0e2ee8b367d7d");
        assert_eq!(fingerprint("", "", "", ""), fingerprint(" ", "", "", ""));
        assert_eq!(fp, fingerprint(" Phase-4 ", "Security-Audit", "FINDING", " ws-1011 "));
        assert_ne!(fp, fingerprint("phase-4", "security-audit", "finding", "WS-1011"));
        assert_ne!(fp, fingerprint("phase-4", "security-audit", "check", "ws-1011"));
        assert_ne!(fp, fingerprint("phase-5", "security-audit", "finding", "ws-1011"));
        assert_ne!(fingerprint("p", "ab", "c", "x"), fingerprint("p", "a", "bc", "x"));
    }

    #[test]
    fn fnv1a64_matches_published_vectors() {
        assert_eq!(fnv1a64(*b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(*b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(*b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn derive_takes_open_critical_high_findings_and_failing_blocking_checks() {
        let report = ParsedReport {
            findings: vec![
                finding("crit", Severity::Critical, FindingStatus::Open),
                finding("high", Severity::High, FindingStatus::Open),
                finding("med", Severity::Medium, FindingStatus::Open),
                finding("fixed", Severity::Critical, FindingStatus::Resolved),
                finding("muted", Severity::Critical, FindingStatus::Suppressed),
                // Same rule at a second location, now critical: one blocker, critical.
                finding("high", Severity::Critical, FindingStatus::Open),
            ],
            checks: vec![
                check("fail-blocking", Status::Fail, true),
                check("error-blocking", Status::Error, true),
                check("fail-plain", Status::Fail, false),
                check("pass-blocking", Status::Pass, true),
                check("warn-blocking", Status::Warn, true),
                check("notrun-blocking", Status::NotRun, true),
            ],
            ..ParsedReport::default()
        };
        let got = derive("phase-4", "audit", &report);
        let summary: Vec<(BlockerSource, &str, Severity)> =
            got.iter().map(|b| (b.source, b.key.as_str(), b.severity)).collect();
        assert_eq!(
            summary,
            [
                (BlockerSource::Finding, "crit", Severity::Critical),
                (BlockerSource::Finding, "high", Severity::Critical),
                (BlockerSource::Check, "fail-blocking", Severity::High),
                (BlockerSource::Check, "error-blocking", Severity::High),
            ]
        );
        assert_eq!(got[0].title, "title crit");
        assert_eq!(got[2].title, "name fail-blocking");
        assert_eq!(got[0].fingerprint, fingerprint("phase-4", "audit", "finding", "crit"));
        assert_eq!(got[2].fingerprint, fingerprint("phase-4", "audit", "check", "fail-blocking"));
    }

    #[test]
    fn derive_falls_back_to_title_without_id() {
        let mut f = finding("", Severity::High, FindingStatus::Open);
        f.title = "TLS disabled".into();
        let report = ParsedReport { findings: vec![f], ..ParsedReport::default() };
        let got = derive("p", "s", &report);
        assert_eq!(got[0].key, "TLS disabled");
        assert_eq!(got[0].fingerprint, fingerprint("p", "s", "finding", "TLS disabled"));
    }

    #[test]
    fn reconcile_splits_new_still_open_and_resolved() {
        let report = ParsedReport {
            findings: vec![
                finding("a", Severity::Critical, FindingStatus::Open),
                finding("b", Severity::High, FindingStatus::Open),
            ],
            ..ParsedReport::default()
        };
        let candidates = derive("ph", "s", &report);
        let fp = |id: &str| fingerprint("ph", "s", "finding", id);
        let existing = vec![fp("b"), fp("gone"), fp("gone")];
        let r = reconcile(&existing, &candidates);
        assert_eq!(r.new.len(), 1);
        assert_eq!(r.new[0].key, "a");
        assert_eq!(r.still_open, [fp("b")]);
        assert_eq!(r.resolved, [fp("gone")]);

        // A clean report resolves everything; a first report opens everything.
        let r = reconcile(&existing, &[]);
        assert!(r.new.is_empty() && r.still_open.is_empty());
        assert_eq!(r.resolved, [fp("b"), fp("gone")]);
        let r = reconcile::<&str>(&[], &candidates);
        assert_eq!(r.new, candidates);
    }
}
