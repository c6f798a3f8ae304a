//! Which kinds of evidence a phase has, and which a production-readiness review expects
//! but are missing ("no load test evidence").

use serde::{Deserialize, Serialize};

/// A kind of evidence a readiness review expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EvidenceKind {
    /// Functional test results (unit, integration, end-to-end).
    Tests,
    /// Security audits and scans.
    Security,
    /// Load and performance tests.
    Load,
    /// Failover, chaos and recovery drills.
    Failover,
}

impl EvidenceKind {
    /// Every expected kind, in display order.
    pub const ALL: [EvidenceKind; 4] =
        [EvidenceKind::Tests, EvidenceKind::Security, EvidenceKind::Load, EvidenceKind::Failover];

    /// Short label.
    pub fn label(self) -> &'static str {
        match self {
            EvidenceKind::Tests => "tests",
            EvidenceKind::Security => "security",
            EvidenceKind::Load => "load test",
            EvidenceKind::Failover => "failover drill",
        }
    }
}

/// Classifies a suite by its declared kind, then its format, then its name.
pub fn classify(kind: Option<&str>, format: &str, suite: &str) -> Option<EvidenceKind> {
    let has = |text: &str, words: &[&str]| {
        let t = text.to_ascii_lowercase();
        words.iter().any(|w| t.contains(w))
    };
    const SECURITY: &[&str] = &["security", "audit", "sast", "dast", "scan", "vuln", "pentest"];
    const LOAD: &[&str] = &["load", "perf", "stress", "soak", "k6", "benchmark", "latency"];
    const FAILOVER: &[&str] = &["failover", "reliability", "resilience", "chaos", "recovery", "disaster", "backup"];
    const TESTS: &[&str] = &["test", "unit", "integration", "e2e", "end-to-end", "functional", "api", "smoke"];
    let by_words = |text: &str| {
        if has(text, SECURITY) {
            Some(EvidenceKind::Security)
        } else if has(text, LOAD) {
            Some(EvidenceKind::Load)
        } else if has(text, FAILOVER) {
            Some(EvidenceKind::Failover)
        } else if has(text, TESTS) {
            Some(EvidenceKind::Tests)
        } else {
            None
        }
    };
    if let Some(k) = kind.and_then(by_words) {
        return Some(k);
    }
    match format {
        "sarif" => return Some(EvidenceKind::Security),
        "k6" => return Some(EvidenceKind::Load),
        "markdown" | "readyboard" => {}
        _ => return by_words(suite).or(Some(EvidenceKind::Tests)),
    }
    by_words(suite)
}

/// For every expected kind, whether one of the suites provides it.
pub fn coverage(suites: &[(Option<String>, String, String)]) -> Vec<(EvidenceKind, bool)> {
    let present: Vec<EvidenceKind> =
        suites.iter().filter_map(|(kind, format, name)| classify(kind.as_deref(), format, name)).collect();
    EvidenceKind::ALL.iter().map(|k| (*k, present.contains(k))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suites_are_classified_by_kind_then_format_then_name() {
        assert_eq!(classify(Some("security"), "readyboard", "audit"), Some(EvidenceKind::Security));
        assert_eq!(classify(Some("performance"), "readyboard", "x"), Some(EvidenceKind::Load));
        assert_eq!(classify(Some("reliability"), "readyboard", "x"), Some(EvidenceKind::Failover));
        assert_eq!(classify(None, "sarif", "trivy"), Some(EvidenceKind::Security));
        assert_eq!(classify(None, "k6", "checkout"), Some(EvidenceKind::Load));
        assert_eq!(classify(None, "junit", "backend"), Some(EvidenceKind::Tests), "test runners are tests");
        assert_eq!(classify(None, "junit", "load-50-workers"), Some(EvidenceKind::Load));
        assert_eq!(classify(None, "markdown", "phase-review"), None, "a prose report proves no kind by itself");
    }

    #[test]
    fn missing_kinds_are_reported() {
        let suites = vec![
            (Some("testing".to_string()), "junit".to_string(), "unit".to_string()),
            (None, "sarif".to_string(), "trivy".to_string()),
        ];
        let c = coverage(&suites);
        assert_eq!(
            c,
            [
                (EvidenceKind::Tests, true),
                (EvidenceKind::Security, true),
                (EvidenceKind::Load, false),
                (EvidenceKind::Failover, false)
            ]
        );
        assert!(coverage(&[]).iter().all(|(_, present)| !present));
    }
}
