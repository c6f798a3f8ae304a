//! Hand-written Markdown readiness reports ("Phase N Production Readiness Report").
//!
//! The genre: a title and `**Key:** value` metadata, status tables and lists marked with
//! ✅ ❌ ⚠️ ❓ or PASS/FAIL words, a claimed score ("Overall Score: 65/100") and verdict
//! ("Production Readiness: ⚠️ CONDITIONAL"), and issue lists under "Critical Issues".
//! Read as a careful person reads it: headings are sections (categories), never checks;
//! status-bearing rows and items are checks; issues are findings, one per issue; claims
//! (scores, verdicts, counts written in headings) are kept apart from results so they can
//! be compared with them; statements of intent are not results.
//!
//! The pipeline: [`encoding`] (bytes to text, mojibake repaired) → [`blocks`] (tokenizing)
//! → [`builder`] (sections, with [`words`], [`claims`], [`sections`], [`tables`] and [`findings`]).

mod blocks;
mod builder;
mod claims;
mod encoding;
mod findings;
mod meta;
pub mod reading;
mod sections;
mod tables;
mod words;

use std::borrow::Cow;

pub use encoding::{Repaired, repair_mojibake};

use super::IngestError;
use crate::model::ParsedReport;

/// Bytes of the head of a document looked at by detection.
const DETECT_BYTES: usize = 64 * 1024;

/// Whether content that is neither JSON nor XML looks like a Markdown report: it opens with
/// an ATX heading, or it holds a pipe table with status marks.
pub fn looks_like_markdown(body: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&body[..body.len().min(DETECT_BYTES)]);
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if let Some(rest) = head.strip_prefix('#') {
        let rest = rest.trim_start_matches('#');
        let hashes = head.len() - rest.len();
        if hashes <= 6 && (rest.starts_with(' ') || rest.starts_with('\t')) {
            return true;
        }
    }
    let has_table =
        head.lines().any(|l| l.trim_start().starts_with('|') && l.contains("---") && l.trim_end().ends_with('|'));
    has_table
        && (head.chars().any(|c| words::emoji_status(c).is_some()) || head.contains("PASS") || head.contains("FAIL"))
}

/// Parses a Markdown readiness report into checks, findings, claims and notes.
pub fn parse(input: &[u8]) -> Result<ParsedReport, IngestError> {
    let text = encoding::decode(input);
    let repaired = repair_mojibake(&text);
    let blocks = blocks::blocks(&repaired.text);
    let mut b = builder::Builder::new(&blocks, super::Format::Markdown.as_str());
    if let Cow::Owned(_) = repaired.text {
        b.note(format!(
            "The text was mojibake (UTF-8 read as {}); it was repaired before parsing",
            repaired.code_page.unwrap_or("a legacy code page")
        ));
    }
    for block in &blocks {
        b.block(block);
    }
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::meta::parse_date;
    use super::*;
    use crate::model::{Severity, Status};

    fn parse_str(s: &str) -> ParsedReport {
        parse(s.as_bytes()).unwrap()
    }

    fn statuses(r: &ParsedReport) -> Vec<(&str, Status)> {
        r.checks.iter().map(|c| (c.name.as_str(), c.status)).collect()
    }

    const REPORT: &str = "# Sprint 7 Readiness Report - Payments API\n\n\
**Date:** 2024-03-05\n**Environment:** staging\n\n\
## Results\n\n\
| Area | Status | Notes |\n|---|---|---|\n\
| Unit tests | ✅ PASSED | all green |\n| Load test | ❌ NOT TESTED | no env |\n\
| Failover | ⚠️ PARTIAL | one region |\n| **Total** | ✅ | |\n\n\
## Security\n\n- ✅ TLS everywhere\n- ❌ Secrets rotation: not automated\n- [x] Pen test booked\n- [ ] Pen test done\n\
- ERROR messages are logged\n\n\
### Integration: 3/4 passed\n\n- ✅ a\n- ✅ b\n- ❌ c\n\n\
## Critical Issues\n\n1. 🚨 **DB failover**: loses writes\n   - Mitigation: manual\n2. **Slow start**: 30s\n\n\
## Verdict\n\n**Overall Readiness Score:** 60% → 50%\n\n**Production Readiness:** ❌ NOT READY\n";

    #[test]
    fn status_tables_and_lists_become_checks_by_section() {
        let r = parse_str(REPORT);
        assert_eq!(r.format, "markdown");
        let results: Vec<_> = r.checks.iter().filter(|c| c.category.as_deref() == Some("Results")).collect();
        let st: Vec<(&str, Status)> = results.iter().map(|c| (c.name.as_str(), c.status)).collect();
        assert_eq!(
            st,
            vec![("Unit tests", Status::Pass), ("Load test", Status::NotRun), ("Failover", Status::Partial)]
        );
        assert_eq!(results[0].message, "all green");
        assert_eq!(results[0].id, "results/unit-tests");
        let sec: Vec<(&str, Status)> = r
            .checks
            .iter()
            .filter(|c| c.category.as_deref() == Some("Security"))
            .map(|c| (c.name.as_str(), c.status))
            .collect();
        assert_eq!(
            sec,
            vec![
                ("TLS everywhere", Status::Pass),
                ("Secrets rotation", Status::Fail),
                ("Pen test booked", Status::Pass),
                ("Pen test done", Status::NotRun),
            ],
            "a mid-sentence ERROR is not a status"
        );
        let integration: Vec<(&str, Status)> = r
            .checks
            .iter()
            .filter(|c| c.category.as_deref() == Some("Integration"))
            .map(|c| (c.name.as_str(), c.status))
            .collect();
        assert_eq!(integration, vec![("a", Status::Pass), ("b", Status::Pass), ("c", Status::Fail)]);
    }

    #[test]
    fn metadata_claims_and_issues() {
        let r = parse_str(REPORT);
        assert_eq!(r.placement.phase_name.as_deref(), Some("Sprint 7 Readiness — Payments API"));
        assert_eq!(r.run.started_at.as_deref(), Some("2024-03-05T00:00:00Z"));
        assert_eq!(r.run.environment.as_deref(), Some("staging"));
        let claimed = r.claimed.clone().unwrap();
        assert_eq!(claimed.score, Some(50.0), "the latest of 60% → 50%");
        assert_eq!(claimed.verdict.as_deref(), Some("not_ready"));
        let f: Vec<(&str, Severity)> = r.findings.iter().map(|f| (f.title.as_str(), f.severity)).collect();
        assert_eq!(f, vec![("DB failover: loses writes", Severity::Critical), ("Slow start: 30s", Severity::Critical)]);
        assert_eq!(r.findings[0].details, "Mitigation: manual");
        assert_eq!(r.findings[0].id, "issue:db-failover");
    }

    #[test]
    fn a_heading_ratio_is_a_claim_checked_against_its_items() {
        let r = parse_str(REPORT);
        assert!(!r.checks.iter().any(|c| c.name.contains("Integration")), "a heading is a section, never a check");
        assert!(r.notes.iter().any(|n| n.contains("claims 3/4 passed, but its items show 2/3")), "{:?}", r.notes);
        // The count is stripped from the name, and compared only with the section's own items.
        let r = parse_str("# R\n\n## Checks (3/5 passed)\n\n### One\n\n- ✅ a\n\n### Two\n\n- ✅ b\n");
        assert_eq!(r.checks[0].category.as_deref(), Some("One"));
        assert!(r.notes.iter().all(|n| !n.contains("claims")), "{:?}", r.notes);
    }

    #[test]
    fn expected_columns_are_claims_not_results() {
        let r = parse_str(
            "# Phase 2 Report\n\n## Load\n\n| Scenario | Expected Result | Notes |\n|---|---|---|\n| 1k users | ✅ PASS | not run yet |\n\
             | Actual | ✅ | |\n\n| Check | Target | Actual |\n|---|---|---|\n| p95 | ✅ | ❌ FAIL |\n",
        );
        assert_eq!(statuses(&r), vec![("1k users", Status::NotRun), ("Actual", Status::NotRun), ("p95", Status::Fail)]);
        assert!(
            r.notes.iter().any(|n| n.contains("Expected Result") && n.contains("claim unsupported")),
            "{:?}",
            r.notes
        );
    }

    #[test]
    fn breakdown_scores_are_claims_and_disagreement_is_noted() {
        let r = parse_str(
            "# Phase 4 Test Report\n\n### Overall Phase 4 Score: 65/100\n\n**Breakdown:**\n- Docker: 100/100\n- SAML: 30/100 (mock)\n- Load: 0/100\n\n\
             ### Production Readiness: ⚠️ CONDITIONAL\n",
        );
        assert!(r.checks.is_empty(), "a breakdown of a claimed score restates the evidence: {:?}", statuses(&r));
        let c = r.claimed.unwrap();
        assert_eq!((c.score, c.verdict.as_deref()), (Some(65.0), Some("conditional")));
        assert!(r.notes.iter().any(|n| n.contains("breakdown averages 43.3")), "{:?}", r.notes);
        assert_eq!(r.placement.phase_name.as_deref(), Some("Phase 4"));
    }

    #[test]
    fn verdicts_are_normalised() {
        let v = |s: &str| parse_str(s).claimed.and_then(|c| c.verdict);
        assert_eq!(v("# R\n\n## ✅ Ready for Production\n\n- ✅ x\n").as_deref(), Some("ready"));
        assert_eq!(v("# R\n\n**Go/No-Go:** NO-GO\n").as_deref(), Some("no_go"));
        assert_eq!(v("# R\n\n**Decision:** GO\n").as_deref(), Some("ready"));
        assert_eq!(v("# R\n\nThe system is NOT READY for production.\n").as_deref(), Some("not_ready"));
        assert_eq!(v("# R\n\n35.2% Production Readiness\n").as_deref(), None);
        assert_eq!(parse_str("# R\n\n35.2% Production Readiness\n").claimed.unwrap().score, Some(35.2));
    }

    #[test]
    fn mojibake_is_repaired_before_parsing() {
        // UTF-8 read as Windows-1252 (with the undefined 0x8F of U+FE0F dropped) and as Mac Roman.
        let cp1252 = "# Report\n\n- âœ… works\n- âŒ broken\n- âš\u{a0}ï¸ shaky\n- âš ï¸ shaky too\n- â“ unknown\n\n## Known Issues\n\n- ðŸš¨ leak\n";
        let r = parse_str(cp1252);
        assert_eq!(
            statuses(&r),
            vec![
                ("works", Status::Pass),
                ("broken", Status::Fail),
                ("shaky", Status::Warn),
                ("shaky too", Status::Warn),
                ("unknown", Status::NotRun)
            ]
        );
        assert_eq!(r.findings[0].severity, Severity::Critical);
        assert!(r.notes[0].contains("Windows-1252"), "{:?}", r.notes);
        let mac = "# Report\n\n- ‚úÖ works\n- ‚ùå broken\n";
        let r = parse_str(mac);
        assert_eq!(statuses(&r), vec![("works", Status::Pass), ("broken", Status::Fail)]);
        assert!(r.notes[0].contains("Mac Roman"));
        // Real accented text is left alone.
        assert!(matches!(repair_mojibake("café naïve — ✅").text, Cow::Borrowed(_)));
        assert_eq!(repair_mojibake("Ã©tÃ© â†’ done").text, "été → done");
    }

    #[test]
    fn detection_needs_a_heading_or_a_status_table() {
        assert!(looks_like_markdown(b"# Phase 3 Review\n"));
        assert!(looks_like_markdown(b"\xEF\xBB\xBF\n## Results\n"));
        assert!(looks_like_markdown(b"Report\n\n| a | b |\n|---|---|\n| x | \xE2\x9C\x85 |\n"));
        assert!(!looks_like_markdown(b"#hashtag"));
        assert!(!looks_like_markdown(b"plain text"));
        assert!(!looks_like_markdown(b"| a | b |\n|---|---|\n| 1 | 2 |\n"));
    }

    #[test]
    fn documents_without_evidence_are_rejected() {
        assert!(matches!(parse(b"# Notes\n\nJust prose.\n"), Err(IngestError::NotAReport(_))));
        assert!(matches!(parse(b""), Err(IngestError::NotAReport(_))));
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("December 27, 2025").as_deref(), Some("2025-12-27T00:00:00Z"));
        assert_eq!(parse_date("7 Aug 2025").as_deref(), Some("2025-08-07T00:00:00Z"));
        assert_eq!(parse_date("2025/08/07").as_deref(), Some("2025-08-07T00:00:00Z"));
        assert_eq!(parse_date("2025-08-07T10:00:00Z (CI)").as_deref(), Some("2025-08-07T10:00:00Z"));
        assert_eq!(parse_date("soon"), None);
        assert_eq!(parse_date("2025-13-01"), None);
    }
}
