//! Tests of the scoring rules.

use super::*;
use crate::model::{Finding, FindingStatus, ParsedReport, Severity, Target, TargetOp};

const DAY: i64 = MS_PER_DAY;
const NOW: i64 = 1_754_560_000_000;

fn check(id: &str, category: Option<&str>, status: Status) -> Check {
    Check {
        id: id.into(),
        name: id.into(),
        category: category.map(Into::into),
        status,
        weight: 1.0,
        ..Check::default()
    }
}

fn scored(id: &str, status: Status, score: f64, max: f64) -> Check {
    Check { score: Some(score), max: Some(max), ..check(id, None, status) }
}

fn suite(name: &str, age_days: i64, tallies: Vec<CategoryTally>) -> SuiteEvidence {
    SuiteEvidence {
        suite: name.into(),
        kind: None,
        report_id: 1,
        received_at_ms: NOW - age_days * DAY,
        finished_at_ms: None,
        tallies,
        claimed_score: None,
        provenance: Provenance::Measured,
    }
}

/// A suite whose only category earns `passed` out of `total` pass/fail checks.
fn simple(name: &str, category: &str, passed: usize, total: usize) -> SuiteEvidence {
    let checks: Vec<Check> = (0..total)
        .map(|i| {
            let st = if i < passed { Status::Pass } else { Status::Fail };
            check(&format!("c{i}"), Some(category), st)
        })
        .collect();
    suite(name, 0, tally_checks(&checks, &[], name))
}

fn eval(suites: &[SuiteEvidence]) -> Scorecard {
    evaluate(&PhaseSettings::default(), NOW, suites, &OpenBlockerSummary::default(), &ChecklistSummary::default())
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn a_category_with_only_self_reported_evidence_caps_ready_unless_vouched() {
    let mut hand = simple("readiness-report", "Deployment", 10, 10);
    hand.provenance = Provenance::SelfReported;
    let suites = [simple("unit", "Tests", 10, 10), hand];
    let card = eval(&suites);
    assert_eq!(card.verdict, Verdict::Conditional, "{:?}", card.reasons);
    assert!(card.reasons.iter().any(|r| r == "Deployment: self-reported only"), "{:?}", card.reasons);
    assert!(card.categories.iter().any(|c| c.name == "Tests" && c.measured));

    let vouched = ChecklistSummary {
        vouched: vec![Vouch { category: "deployment".into(), by: "alice".into() }],
        ..ChecklistSummary::default()
    };
    let card = evaluate(&PhaseSettings::default(), NOW, &suites, &OpenBlockerSummary::default(), &vouched);
    assert_eq!(card.verdict, Verdict::Ready, "{:?}", card.reasons);
    assert!(card.reasons.iter().any(|r| r == "Deployment: self-reported, vouched for by alice"), "{:?}", card.reasons);
}

#[test]
fn claims_beyond_the_reports_own_evidence_are_not_supported() {
    let check_claims = |own_score, provenance, open_critical, open_high, claimed_score, claimed_verdict| {
        let report = ReportClaims { own_score, provenance, open_critical, open_high, claimed_score, claimed_verdict };
        check_claims(&PhaseSettings::default(), &report)
    };
    let c = check_claims(Some(99.3), Provenance::SelfReported, 0, 0, None, Some("ready"));
    assert_eq!((c.verdict, c.supported), (Verdict::Conditional, Some(false)));
    assert_eq!(
        c.reasons,
        vec!["claims READY, its own evidence supports CONDITIONAL: its evidence is self-reported only"]
    );
    let c = check_claims(Some(53.3), Provenance::SelfReported, 3, 0, Some(65.0), Some("conditional"));
    assert_eq!(c.verdict, Verdict::NoGo);
    assert_eq!(c.reasons.len(), 2, "{:?}", c.reasons);
    assert!(c.reasons[0].starts_with("claims a score of 65, its own checks support 53.3"));
    let c = check_claims(Some(95.0), Provenance::Measured, 0, 0, Some(96.0), Some("ready"));
    assert_eq!((c.supported, c.reasons.len()), (Some(true), 0));
    assert_eq!(check_claims(Some(95.0), Provenance::Measured, 0, 0, None, None).supported, None);
}

#[test]
fn credit_per_status() {
    assert_eq!(credit(Status::Pass, None, None), Some(1.0));
    assert_eq!(credit(Status::Warn, None, None), Some(0.5));
    assert_eq!(credit(Status::Partial, None, None), Some(0.5));
    assert_eq!(credit(Status::Fail, None, None), Some(0.0));
    assert_eq!(credit(Status::Error, None, None), Some(0.0));
    assert_eq!(credit(Status::NotRun, None, None), Some(0.0));
    assert_eq!(credit(Status::Skip, None, None), None);
    assert_eq!(credit(Status::Skip, Some(5.0), Some(10.0)), None);
}

#[test]
fn partial_credit_uses_score_over_max_clamped() {
    assert_eq!(credit(Status::Partial, Some(30.0), Some(100.0)), Some(0.3));
    assert_eq!(credit(Status::Warn, Some(3.0), Some(4.0)), Some(0.75));
    assert_eq!(credit(Status::Partial, Some(150.0), Some(100.0)), Some(1.0));
    assert_eq!(credit(Status::Partial, Some(-5.0), Some(100.0)), Some(0.0));
    // Incomplete or unusable score/max falls back to the flat half credit.
    assert_eq!(credit(Status::Partial, Some(30.0), None), Some(0.5));
    assert_eq!(credit(Status::Partial, Some(30.0), Some(0.0)), Some(0.5));
    assert_eq!(credit(Status::Partial, Some(f64::NAN), Some(10.0)), Some(0.5));
    // The status decides for pass and fail; score/max only refines partial results.
    assert_eq!(credit(Status::Pass, Some(10.0), Some(100.0)), Some(1.0));
    assert_eq!(credit(Status::Fail, Some(90.0), Some(100.0)), Some(0.0));
}

#[test]
fn tally_groups_by_category_with_suite_fallback_and_metrics() {
    let checks = vec![
        check("a", Some("Security"), Status::Pass),
        check("b", None, Status::Fail),
        check("c", Some("  "), Status::Pass),
        check("d", Some("Security"), Status::Skip),
        scored("e", Status::Partial, 1.0, 4.0),
    ];
    let metrics = vec![
        Metric {
            name: "p95_ms".into(),
            category: Some("Performance".into()),
            value: 120.0,
            unit: "ms".into(),
            target: Some(Target { op: TargetOp::Lt, value: 100.0 }),
        },
        Metric {
            name: "rps".into(),
            category: None,
            value: 500.0,
            unit: "1/s".into(),
            target: Some(Target { op: TargetOp::Ge, value: 400.0 }),
        },
        // No target: a measurement, not a check.
        Metric { name: "cpu".into(), category: Some("Performance".into()), value: 0.4, unit: "".into(), target: None },
    ];
    let t = tally_checks(&checks, &metrics, "load");
    let names: Vec<&str> = t.iter().map(|t| t.category.as_str()).collect();
    assert_eq!(names, ["Performance", "Security", "load"]);

    // Performance: the missed p95 target is one failing check.
    assert_eq!(t[0].checks, 1);
    assert_eq!((t[0].weighted_credit, t[0].weight), (0.0, 1.0));
    assert_eq!(t[0].counts.failed, 1);

    // Security: the skipped check counts as a check but not in the denominator.
    assert_eq!(t[1].checks, 2);
    assert_eq!((t[1].weighted_credit, t[1].weight), (1.0, 1.0));
    assert_eq!(t[1].counts.skipped, 1);

    // load: b fail 0 + c pass 1 + e partial 0.25 + rps met 1 = 2.25 of 4.
    assert_eq!(t[2].checks, 4);
    assert!(close(t[2].weighted_credit, 2.25));
    assert_eq!(t[2].weight, 4.0);
    assert_eq!(t[2].counts.tests, 4);
    assert_eq!(t[2].counts.passed, 2);
}

#[test]
fn check_weights_weight_the_category_mean() {
    let checks = vec![
        Check { weight: 3.0, ..check("a", Some("Reliability"), Status::Pass) },
        check("b", Some("Reliability"), Status::Fail),
        // Weight 0 means "not given" (the model's default): counts as 1.
        Check { weight: 0.0, ..check("c", Some("Reliability"), Status::Fail) },
    ];
    let t = tally_checks(&checks, &[], "unit");
    assert_eq!(t.len(), 1);
    assert_eq!((t[0].weighted_credit, t[0].weight), (3.0, 5.0));
    let card = eval(&[suite("unit", 0, t)]);
    // 3 / 5 = 60.0
    assert_eq!(card.display_score(), Some(60.0));
    assert_eq!(card.categories[0].score, Some(60.0));
}

#[test]
fn category_weights_weight_the_phase_mean() {
    // Security 3/4 = 75, Reliability 1/2 = 50, Docs 0/1 = 0 (weight 0, excluded).
    let suites =
        [simple("audit", "Security", 3, 4), simple("drills", "Reliability", 1, 2), simple("docs", "Docs", 0, 1)];
    let settings = PhaseSettings {
        category_weights: BTreeMap::from([("reliability".to_string(), 2.0), ("Docs".to_string(), 0.0)]),
        ..PhaseSettings::default()
    };
    let card = evaluate(&settings, NOW, &suites, &OpenBlockerSummary::default(), &ChecklistSummary::default());
    // (75×1 + 50×2) / 3 = 58.333…
    assert!(close(card.score.unwrap(), 175.0 / 3.0));
    assert_eq!(card.display_score(), Some(58.3));
    let docs = card.categories.iter().find(|c| c.name == "Docs").unwrap();
    assert_eq!((docs.score, docs.weight, docs.included()), (Some(0.0), 0.0, false));

    // Equal weights without settings: (75 + 50 + 0) / 3 = 41.7
    let card = eval(&suites);
    assert_eq!(card.display_score(), Some(41.7));
}

#[test]
fn categories_merge_across_suites_and_skip_only_categories_are_excluded() {
    let a = simple("unit", "Security", 1, 2);
    let b = simple("audit", "security", 2, 2);
    let c = suite("e2e", 0, tally_checks(&[check("x", Some("UI"), Status::Skip)], &[], "e2e"));
    let card = eval(&[a, b, c]);
    assert_eq!(card.categories.len(), 2);
    let sec = &card.categories[0];
    assert_eq!(sec.name, "Security");
    // 3 of 4 across both suites.
    assert_eq!((sec.credit, sec.credit_max, sec.checks), (3.0, 4.0, 4));
    assert_eq!(sec.score, Some(75.0));
    let ui = &card.categories[1];
    assert_eq!((ui.name.as_str(), ui.score, ui.checks), ("UI", None, 1));
    assert_eq!(card.score, Some(75.0));
}

#[test]
fn stale_suite_counts_as_not_run_and_is_named() {
    let fresh = simple("unit", "Quality", 4, 4);
    let mut load = suite(
        "load",
        17,
        tally_checks(
            &[
                check("p95", Some("Performance"), Status::Pass),
                check("rps", Some("Performance"), Status::Pass),
                check("soak", Some("Performance"), Status::Skip),
            ],
            &[],
            "load",
        ),
    );
    load.report_id = 7;
    let card = eval(&[fresh, load.clone()]);
    let perf = card.categories.iter().find(|c| c.name == "Performance").unwrap();
    // Credit 0 over the same denominator: 2 (the skipped check stays out).
    assert_eq!((perf.credit, perf.credit_max), (0.0, 2.0));
    assert_eq!(perf.score, Some(0.0));
    // The counts say so too: the passes of a stale suite are shown as not run.
    assert_eq!((perf.counts.passed, perf.counts.not_run, perf.counts.skipped, perf.counts.tests), (0, 2, 1, 3));
    // (100 + 0) / 2
    assert_eq!(card.score, Some(50.0));
    let st = card.suites.iter().find(|s| s.suite == "load").unwrap();
    assert!(st.stale);
    assert_eq!((st.report_id, st.age_ms, st.age_days()), (7, 17 * DAY, 17));
    assert!(!card.suites.iter().find(|s| s.suite == "unit").unwrap().stale);
    assert_eq!(card.verdict, Verdict::NotReady);
    assert_eq!(card.reasons, ["load suite stale (17 days old)", "score 50.0 below conditional threshold 70"]);

    // The finish time, when known, is what ages the evidence; exactly 14 days is fresh.
    load.finished_at_ms = Some(NOW - 14 * DAY);
    let card = eval(&[load]);
    assert!(!card.suites[0].stale);
    assert_eq!(card.score, Some(100.0));
}

#[test]
fn latest_report_per_suite_wins_if_several_are_given() {
    let mut old = simple("unit", "Quality", 0, 2);
    old.report_id = 1;
    old.received_at_ms = NOW - 2 * DAY;
    let mut new = simple("unit", "Quality", 2, 2);
    new.report_id = 2;
    let card = eval(&[new, old]);
    assert_eq!(card.suites.len(), 1);
    assert_eq!(card.suites[0].report_id, 2);
    assert_eq!(card.score, Some(100.0));
}

#[test]
fn no_evidence_is_not_ready() {
    let card = eval(&[]);
    assert_eq!(card.score, None);
    assert_eq!(card.verdict, Verdict::NotReady);
    assert_eq!(card.reasons, ["no evidence yet"]);
    assert!(card.categories.is_empty() && card.suites.is_empty());

    // A critical blocker still makes it NO-GO.
    let blockers = OpenBlockerSummary { critical: 1, high: 0 };
    let card = evaluate(&PhaseSettings::default(), NOW, &[], &blockers, &ChecklistSummary::default());
    assert_eq!(card.verdict, Verdict::NoGo);
    assert_eq!(card.reasons, ["1 critical blocker open", "no evidence yet"]);
}

#[test]
fn verdict_branches_and_reasons() {
    let settings = PhaseSettings::default();
    let run = |suites: &[SuiteEvidence], critical, high, required, done| {
        evaluate(
            &settings,
            NOW,
            suites,
            &OpenBlockerSummary { critical, high },
            &ChecklistSummary { required, required_done_and_signed: done, vouched: Vec::new() },
        )
    };
    let s95 = [simple("unit", "Quality", 19, 20)]; // 95.0
    let s80 = [simple("unit", "Quality", 16, 20)]; // 80.0
    let s60 = [simple("unit", "Quality", 12, 20)]; // 60.0

    let card = run(&s95, 0, 0, 4, 4);
    assert_eq!(card.verdict, Verdict::Ready);
    assert_eq!(card.reasons, ["score 95.0 ≥ 90, no open blockers, checklist complete"]);

    let card = run(&s95, 2, 1, 5, 2);
    assert_eq!(card.verdict, Verdict::NoGo);
    assert_eq!(
        card.reasons,
        ["2 critical blockers open", "1 high blocker open", "3 required checklist items not done and signed"]
    );

    // A high blocker or an unsigned required item keeps a high score CONDITIONAL.
    let card = run(&s95, 0, 1, 0, 0);
    assert_eq!(card.verdict, Verdict::Conditional);
    assert_eq!(card.reasons, ["1 high blocker open"]);
    let card = run(&s95, 0, 0, 3, 2);
    assert_eq!(card.verdict, Verdict::Conditional);
    assert_eq!(card.reasons, ["1 required checklist item not done and signed"]);

    let card = run(&s80, 0, 0, 0, 0);
    assert_eq!(card.verdict, Verdict::Conditional);
    assert_eq!(card.reasons, ["score 80.0 below ready threshold 90"]);

    let card = run(&s60, 0, 2, 0, 0);
    assert_eq!(card.verdict, Verdict::NotReady);
    assert_eq!(card.reasons, ["2 high blockers open", "score 60.0 below conditional threshold 70"]);
}

#[test]
fn thresholds_are_inclusive() {
    // 9 of 10 = 90.0 exactly (0.9 × 100 is not exact in binary).
    let card = eval(&[simple("unit", "Quality", 9, 10)]);
    assert_eq!(card.display_score(), Some(90.0));
    assert_eq!(card.verdict, Verdict::Ready);
    assert_eq!(card.reasons, ["score 90.0 ≥ 90, no open blockers, no required checklist items"]);

    // 7 of 10 = 70.0 is CONDITIONAL; 699 of 1000 = 69.9 is NOT READY.
    assert_eq!(eval(&[simple("unit", "Q", 7, 10)]).verdict, Verdict::Conditional);
    let card = eval(&[simple("unit", "Q", 699, 1000)]);
    assert_eq!(card.verdict, Verdict::NotReady);
    assert_eq!(card.reasons, ["score 69.9 below conditional threshold 70"]);

    // 899 of 1000 = 89.9 is not READY.
    let card = eval(&[simple("unit", "Q", 899, 1000)]);
    assert_eq!(card.verdict, Verdict::Conditional);
    assert_eq!(card.reasons, ["score 89.9 below ready threshold 90"]);

    // Custom thresholds with decimals are printed as set.
    let settings = PhaseSettings { ready_threshold: 92.5, ..PhaseSettings::default() };
    let card = evaluate(
        &settings,
        NOW,
        &[simple("unit", "Q", 9, 10)],
        &OpenBlockerSummary::default(),
        &ChecklistSummary::default(),
    );
    assert_eq!(card.reasons, ["score 90.0 below ready threshold 92.5"]);
}

#[test]
fn claim_tolerance_is_five_points() {
    assert_eq!(claim_differs(Some(70.0), Some(65.0)), Some(false));
    assert_eq!(claim_differs(Some(58.3), Some(53.3)), Some(false));
    assert_eq!(claim_differs(Some(60.0), Some(65.0)), Some(false));
    assert_eq!(claim_differs(Some(70.1), Some(65.0)), Some(true));
    assert_eq!(claim_differs(Some(59.9), Some(65.0)), Some(true));
    assert_eq!(claim_differs(None, Some(65.0)), None);
    assert_eq!(claim_differs(Some(65.0), None), None);
}

#[test]
fn verdict_names() {
    let all = [Verdict::Ready, Verdict::Conditional, Verdict::NotReady, Verdict::NoGo];
    let names: Vec<_> = all.iter().map(|v| v.as_str()).collect();
    assert_eq!(names, ["ready", "conditional", "not_ready", "no_go"]);
    let labels: Vec<_> = all.iter().map(|v| v.label()).collect();
    assert_eq!(labels, ["READY", "CONDITIONAL", "NOT READY", "NO-GO"]);
    for v in all {
        assert_eq!(Verdict::parse(v.as_str()), Some(v));
        assert_eq!(serde_json::to_string(&v).unwrap(), format!("\"{}\"", v.as_str()));
    }
    assert_eq!(Verdict::parse("READY"), None);
}

#[test]
fn settings_default_and_partial_json() {
    let d = PhaseSettings::default();
    assert_eq!((d.ready_threshold, d.conditional_threshold, d.freshness_days), (90.0, 70.0, 14));
    assert!(d.category_weights.is_empty());
    let s: PhaseSettings = serde_json::from_str(r#"{"freshness_days": 7}"#).unwrap();
    assert_eq!(s, PhaseSettings { freshness_days: 7, ..d });
}

#[test]
fn explain_shows_the_arithmetic() {
    // Security: 7.5 of 10 (6 pass, 3 partial at 0.5, 1 fail); Reliability: 1 of 2, weight 2.
    let mut sec: Vec<Check> = (0..6).map(|i| check(&format!("p{i}"), None, Status::Pass)).collect();
    sec.extend((0..3).map(|i| check(&format!("w{i}"), None, Status::Partial)));
    sec.push(check("f", None, Status::Fail));
    let suites = [
        suite("audit", 0, tally_checks(&sec, &[], "Security")),
        simple("drills", "Reliability", 1, 2),
        suite("e2e", 20, tally_checks(&[check("x", Some("UI"), Status::Skip)], &[], "e2e")),
    ];
    let settings = PhaseSettings {
        category_weights: BTreeMap::from([("Reliability".to_string(), 2.0)]),
        ..PhaseSettings::default()
    };
    let card = evaluate(&settings, NOW, &suites, &OpenBlockerSummary::default(), &ChecklistSummary::default());
    let lines = explain(&card, &settings);
    assert_eq!(
        lines[1..],
        [
            "e2e: stale (20 days old, window 14 days), its checks count as not run",
            "Reliability: 1 / 2 credit = 50.0 (weight 2)",
            "Security: 7.5 / 10 credit = 75.0 (weight 1)",
            "UI: no scorable checks (excluded)",
            "phase: (50.0×2 + 75.0×1) / 3 = 58.3",
            "verdict NOT READY: NO-GO on any open critical blocker; READY at ≥ 90 with no \
             open high blocker and the required checklist done and signed; CONDITIONAL at ≥ 70",
        ]
    );
}

/// The Phase 4 seed report's own "Overall Phase 4 Score" breakdown, row by row.
fn phase4_seed_report() -> ParsedReport {
    let row = |id: &str, status, score| scored(id, status, score, 100.0);
    let critical = |id: &str, title: &str| Finding {
        id: id.into(),
        severity: Severity::Critical,
        status: FindingStatus::Open,
        category: None,
        title: title.into(),
        details: String::new(),
    };
    ParsedReport {
        format: "markdown".into(),
        checks: vec![
            row("docker-containerization", Status::Pass, 100.0),
            row("rbac-implementation", Status::Pass, 100.0),
            row("caching-system", Status::Pass, 100.0),
            row("websocket-support", Status::Pass, 100.0),
            row("saml-sso", Status::Partial, 30.0),
            row("load-testing", Status::NotRun, 0.0),
            row("production-deployment", Status::NotRun, 0.0),
            row("security-audit", Status::Partial, 50.0),
            row("performance-testing", Status::NotRun, 0.0),
        ],
        // "Outstanding Issues → Critical".
        findings: vec![
            critical("redis-dependency", "Container fails without Redis connection"),
            critical("port-configuration", "Port mismatch between Dockerfile and app"),
            critical("saml-implementation", "SAML mock only, not production-ready"),
        ],
        claimed: Some(crate::model::Claimed {
            score: Some(65.0),
            verdict: Some("conditional".into()),
            confidence: None,
        }),
        ..ParsedReport::default()
    }
}

#[test]
fn phase4_seed_breakdown_averages_53_3_not_the_claimed_65() {
    let report = phase4_seed_report();
    let tallies = tally_checks(&report.checks, &report.metrics, "readiness-report");
    // 4 × 1 + 0.3 + 0.5 = 4.8 credit of 9.
    assert_eq!(tallies.len(), 1);
    assert!(close(tallies[0].weighted_credit, 4.8));
    assert_eq!(tallies[0].weight, 9.0);

    let blockers = crate::blockers::derive("phase-4", "readiness-report", &report);
    let critical = blockers.iter().filter(|b| b.severity == Severity::Critical).count();
    assert_eq!(critical, 3);

    let claimed = report.claimed.as_ref().and_then(|c| c.score);
    let mut evidence = suite("readiness-report", 0, tallies);
    evidence.claimed_score = claimed;
    let settings = PhaseSettings::default();
    let card = evaluate(
        &settings,
        NOW,
        &[evidence],
        &OpenBlockerSummary { critical: critical as u32, high: 0 },
        &ChecklistSummary::default(),
    );
    assert!(close(card.score.unwrap(), 480.0 / 9.0));
    assert_eq!(card.display_score(), Some(53.3));
    assert_eq!(claim_differs(claimed, card.score), Some(true));
    assert_eq!(card.suites[0].claim_differs, Some(true));
    assert_eq!(card.verdict, Verdict::NoGo);
    assert_eq!(
        card.reasons,
        [
            "3 critical blockers open",
            "score 53.3 below conditional threshold 70",
            "readiness-report report claims 65; its own checks support 53.3",
        ]
    );
    assert_eq!(
        explain(&card, &settings)[1..3],
        ["readiness-report: 4.8 / 9 credit = 53.3 (weight 1)", "phase: (53.3×1) / 1 = 53.3",]
    );
}
