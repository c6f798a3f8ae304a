//! The two seed reports (hand-written Markdown, one arriving as mojibake) and what
//! readyboard extracts from them.
//!
//! The seeds live outside the repository; when they are absent the test says so and passes.

use std::collections::BTreeMap;
use std::path::PathBuf;

use readyboard_domain::ingest::{Format, detect, parse};
use readyboard_domain::model::{ParsedReport, Severity, Status};

fn seed(name: &str) -> Option<ParsedReport> {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/seeds")).join(name);
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!("SKIP: seed not found at {}", path.display());
        return None;
    };
    assert_eq!(detect(&bytes), Some(Format::Markdown), "{name} is detected as Markdown");
    Some(parse(&bytes, None).unwrap_or_else(|e| panic!("{name}: {e}")))
}

fn by_status(r: &ParsedReport) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for c in &r.checks {
        *m.entry(c.status.as_str()).or_default() += 1;
    }
    m
}

fn categories(r: &ParsedReport) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for c in r.checks.iter().filter_map(|c| c.category.as_deref()) {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

fn severities(r: &ParsedReport) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for f in &r.findings {
        *m.entry(f.severity.as_str()).or_default() += 1;
    }
    m
}

#[test]
fn phase4_seed_yields_its_tables_lists_claims_and_issues() {
    let Some(r) = seed("phase4-test-report.md") else { return };
    assert_eq!(r.format, "markdown");
    assert_eq!(r.placement.phase_name.as_deref(), Some("Phase 4 — Production Deployment & Advanced Features"));
    assert_eq!(r.run.started_at.as_deref(), Some("2025-08-07T00:00:00Z"));
    assert_eq!(r.run.environment.as_deref(), Some("Production Build (Docker + Fly.io)"));

    // Headings are sections, never checks; the conclusion and the score breakdown restate
    // the tables (claims, not further evidence). The full reading is in tests/goldens.
    assert_eq!(r.checks.len(), 26);
    assert_eq!(by_status(&r), BTreeMap::from([("fail", 2), ("not_run", 4), ("partial", 2), ("pass", 14), ("warn", 4)]));
    assert_eq!(categories(&r), vec!["Test Results Overview", "Security Assessment", "Production Readiness Checklist"]);
    let load = r.checks.iter().find(|c| c.name == "Load Testing").unwrap();
    assert_eq!(load.status, Status::NotRun, "❌ NOT TESTED is not run, not a failure of the system");

    let claimed = r.claimed.clone().unwrap();
    assert_eq!(claimed.score, Some(65.0));
    assert_eq!(claimed.verdict.as_deref(), Some("conditional"));
    // The claim does not follow from the report's own breakdown (PRODUCT.md: 53.3).
    assert!(r.notes.iter().any(|n| n.contains("breakdown averages 53.3")), "{:?}", r.notes);

    assert_eq!(r.findings.len(), 9);
    assert_eq!(severities(&r), BTreeMap::from([("critical", 3), ("low", 3), ("medium", 3)]));
    assert_eq!(r.findings[0].title, "Redis Dependency: Container fails without Redis connection");
    assert_eq!(r.findings[0].severity, Severity::Critical);
}

#[test]
fn phase3_seed_arrives_as_mojibake_and_parses_to_clean_text() {
    let Some(r) = seed("phase3-hardening-review.md") else { return };
    assert!(r.notes.iter().any(|n| n.contains("mojibake") && n.contains("Windows-1252")), "{:?}", r.notes);
    for c in &r.checks {
        for text in [&c.name, &c.message, &c.details, c.category.as_deref().unwrap_or_default()] {
            assert!(!text.contains("âœ") && !text.contains("â€") && !text.contains("ðŸ"), "mojibake left: {text}");
        }
    }
    assert!(r.checks.iter().any(|c| c.details.contains('✅')), "the marks are restored, not dropped");
    assert_eq!(r.placement.phase_name.as_deref(), Some("Phase 3 Production Hardening"));
    assert_eq!(r.run.started_at.as_deref(), Some("2025-12-27T00:00:00Z"));

    // Notes that the Docker build and the cloud scripts were "not executed in this
    // environment" turn what those days mark ✅ into not run; so do "syntax checked" and
    // "ready for". Summaries and recommendations are not counted.
    assert_eq!(r.checks.len(), 99);
    assert_eq!(by_status(&r), BTreeMap::from([("not_run", 33), ("pass", 64), ("warn", 2)]));
    let cats = categories(&r);
    assert_eq!(cats[..2], ["Overall Test Coverage", "Day 15: Error Handling & Recovery"]);
    assert!(cats.contains(&"Security Coverage"));
    assert!(!cats.iter().any(|c| c.contains("Key Achievements") || c.contains("Conclusion")));
    // The totals row repeats the module rows: it is not a check of its own.
    assert!(!r.checks.iter().any(|c| c.name == "Total"));
    let security = r.checks.iter().find(|c| c.category.as_deref() == Some("Overall Test Coverage")).unwrap();
    assert_eq!((security.name.as_str(), security.duration_ms), ("Security", Some(66_200.0)));

    let claimed = r.claimed.clone().unwrap();
    assert_eq!(claimed.score, None, "the report claims a pass rate, not a readiness score");
    assert_eq!(claimed.verdict.as_deref(), Some("ready"));

    assert_eq!(r.findings.len(), 4, "Known Limitations");
    assert_eq!(severities(&r), BTreeMap::from([("low", 4)]));
    assert!(r.findings[0].details.starts_with("Mitigation:"));
}

#[test]
fn both_seeds_parse_to_the_same_kind_of_report() {
    let (Some(p3), Some(p4)) = (seed("phase3-hardening-review.md"), seed("phase4-test-report.md")) else { return };
    for r in [&p3, &p4] {
        assert!(!r.checks.is_empty() && !r.findings.is_empty() && r.claimed.is_some());
        assert!(r.checks.iter().all(|c| c.category.is_some() && !c.name.is_empty()));
    }
}
