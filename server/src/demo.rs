//! `readyboard demo`: a realistic dataset — two projects, three phases, five kinds of
//! evidence and three weeks of history — ingested through the same parsers and store
//! path as real uploads.

use readyboard_store::{Actor, NewReport, Store, StoreError};
use serde_json::json;

const DAY: i64 = 86_400_000;

/// Deterministic pseudo-random numbers, so every demo looks the same.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const MODULES: [&str; 8] = ["auth", "billing", "catalog", "checkout", "gateway", "search", "sessions", "webhooks"];
const VERBS: [&str; 10] =
    ["creates", "rejects", "updates", "expires", "retries", "validates", "caches", "paginates", "signs", "refreshes"];
const OBJECTS: [&str; 8] = ["token", "invoice", "session", "order", "payload", "cursor", "webhook", "refund"];

/// A JUnit document with `n` cases; `fail_rate` of them fail (stable identities).
fn junit(rng: &mut Lcg, suite: &str, n: usize, broken: &[usize], fail_rate: f64) -> String {
    let mut cases = String::new();
    let (mut failures, mut skipped) = (0, 0);
    for i in 0..n {
        let module = MODULES[i % MODULES.len()];
        let name = format!("{}_{}_{}", VERBS[(i / 3) % VERBS.len()], OBJECTS[(i / 7) % OBJECTS.len()], i);
        let time = 0.002 + rng.next() * 0.08;
        let class = format!("{suite}.{module}.{}Test", capital(module));
        if broken.contains(&i) || rng.next() < fail_rate {
            failures += 1;
            cases.push_str(&format!(
                "<testcase classname=\"{}\" name=\"{}\" time=\"{time:.3}\"><failure message=\"{}\" type=\"AssertionError\">{}</failure></testcase>\n",
                esc(&class),
                esc(&name),
                esc(&format!("expected status 200 but was 503 ({module} upstream timeout)")),
                esc(&format!(
                    "AssertionError: expected status 200 but was 503\n    at {class}.{name}({module}_test.rs:{})\n    at harness::run(harness.rs:88)",
                    40 + i % 200
                ))
            ));
        } else if i % 41 == 40 {
            skipped += 1;
            cases.push_str(&format!(
                "<testcase classname=\"{}\" name=\"{}\" time=\"0\"><skipped message=\"needs sandbox credentials\"/></testcase>\n",
                esc(&class),
                esc(&name)
            ));
        } else {
            cases.push_str(&format!(
                "<testcase classname=\"{}\" name=\"{}\" time=\"{time:.3}\"/>\n",
                esc(&class),
                esc(&name)
            ));
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"{suite}\" tests=\"{n}\" failures=\"{failures}\" skipped=\"{skipped}\">\n<testsuite name=\"{suite}\" tests=\"{n}\" failures=\"{failures}\" skipped=\"{skipped}\">\n{cases}</testsuite>\n</testsuites>\n"
    )
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

struct PhaseSpec {
    project: &'static str,
    phase: &'static str,
    phase_name: &'static str,
    /// 0 = poor at the start of history, 1 = healthy at the end.
    maturity: f64,
    /// Whether the open critical WebSocket issue is still present at the end.
    critical_open: bool,
    /// Days since the load suite last ran (stale when > 14).
    load_age_days: i64,
}

/// The demo's projects: slug, name, description.
const PROJECTS: [(&str, &str, &str); 2] = [
    ("prompt-studio", "Prompt Studio", "LLM prompt authoring and evaluation platform."),
    ("payments-api", "Payments API", "Card and wallet payments service behind the checkout."),
];

/// The demo's phases and how healthy each is.
const PHASES: [PhaseSpec; 3] = [
    PhaseSpec {
        project: "prompt-studio",
        phase: "phase-3",
        phase_name: "Phase 3 — Production hardening",
        maturity: 0.9,
        critical_open: false,
        load_age_days: 30,
    },
    PhaseSpec {
        project: "prompt-studio",
        phase: "phase-4",
        phase_name: "Phase 4 — Production deployment",
        maturity: 0.55,
        critical_open: true,
        load_age_days: 2,
    },
    PhaseSpec {
        project: "payments-api",
        phase: "sprint-4-1",
        phase_name: "Sprint 4.1 — Launch readiness",
        maturity: 1.0,
        critical_open: false,
        load_age_days: 1,
    },
];

/// CI runs of history per phase, two days apart.
const RUNS: usize = 10;

/// One document of a run: suite, kind, the document, when it was received (unix ms).
type Doc = (String, Option<&'static str>, String, i64);

/// Loads the demo dataset; returns the number of reports stored. Running it twice adds
/// nothing new (uploads are idempotent).
pub async fn load(store: &Store) -> Result<usize, StoreError> {
    let actor = Actor::system("demo");
    create_projects(store, &actor).await?;
    let now = readyboard_store::now_ms();
    let mut stored = 0;
    let mut rng = Lcg(42);
    for (pi, spec) in PHASES.iter().enumerate() {
        stored += load_phase(store, &actor, pi, spec, now, &mut rng).await?;
    }
    Ok(stored)
}

/// Creates the demo's projects, leaving those that already exist.
async fn create_projects(store: &Store, actor: &Actor) -> Result<(), StoreError> {
    for (slug, name, desc) in PROJECTS {
        match store.create_project(actor, slug, name, desc).await {
            Ok(_) | Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Ingests the history of the `pi`th phase, run by run; returns the number of reports stored.
async fn load_phase(
    store: &Store,
    actor: &Actor,
    pi: usize,
    spec: &PhaseSpec,
    now: i64,
    rng: &mut Lcg,
) -> Result<usize, StoreError> {
    let project = store.project(spec.project).await?;
    // Phase 3 ended three weeks before phase 4 began.
    let end = if spec.phase == "phase-3" { now - 24 * DAY } else { now - 3_600_000 };
    let mut stored = 0;
    for run in 0..RUNS {
        let t = end - (RUNS - 1 - run) as i64 * 2 * DAY - (pi as i64) * 3_600_000;
        for doc in run_docs(spec, run, t, now, rng) {
            let new = demo_report(project.id, spec, 4000 + pi * 100 + run, doc, rng)?;
            if store.ingest(actor, &new).await?.created {
                stored += 1;
            }
        }
    }
    Ok(stored)
}

/// The documents of one run of a phase's CI at time `t`, healthier as history goes on.
fn run_docs(spec: &PhaseSpec, run: usize, t: i64, now: i64, rng: &mut Lcg) -> Vec<Doc> {
    let progress = (run as f64 + 1.0) / RUNS as f64;
    let health = (spec.maturity * (0.55 + 0.45 * progress)).min(1.0);
    let last = run == RUNS - 1;
    let mut docs: Vec<Doc> = Vec::new();
    let fail_rate = (1.0 - health) * 0.08;
    let broken: Vec<usize> = if health > 0.97 { vec![] } else { vec![17, 88] };
    docs.push(("unit".into(), Some("testing"), junit(rng, "unit", 160, &broken, fail_rate), t));
    docs.push((
        "integration".into(),
        Some("testing"),
        junit(rng, "integration", 48, &broken[..broken.len().min(1)], fail_rate * 2.0),
        t + 600_000,
    ));
    if run % 2 == 1 || last {
        let lt = if last { now - spec.load_age_days * DAY } else { t };
        if lt <= now {
            docs.push(("load-50-workers".into(), Some("performance"), load_doc(spec, health, run, rng), lt));
        }
    }
    if run % 3 == 2 || last {
        docs.push(("security-audit".into(), Some("security"), security_doc(spec, health, last), t + 1_200_000));
    }
    if run >= RUNS - 4 {
        docs.push(("failover".into(), Some("reliability"), failover_doc(spec, health), t + 1_800_000));
    }
    // The team's own hand-written review: self-reported, so it cannot make the phase
    // READY on its own, and its READY claim is checked against what it shows.
    if spec.phase == "phase-4" && last {
        docs.push(("runbook-review".into(), None, RUNBOOK_REVIEW.to_string(), t + 2_400_000));
    }
    docs
}

/// A document read as an upload would be, placed in the phase with CI run `ci_run`'s metadata.
fn demo_report(
    project_id: i64,
    spec: &PhaseSpec,
    ci_run: usize,
    doc: Doc,
    rng: &mut Lcg,
) -> Result<NewReport, StoreError> {
    let (suite, kind, doc, at) = doc;
    let prepared =
        crate::intake::prepare(doc.as_bytes(), None).map_err(|e| StoreError::Invalid(format!("demo {suite}: {e}")))?;
    Ok(NewReport {
        phase_name: Some(spec.phase_name.to_string()),
        create_phase: true,
        kind: kind.map(str::to_string),
        run: readyboard_domain::model::RunMeta {
            id: Some(format!("ci-{ci_run}")),
            environment: Some("staging".into()),
            commit: Some(format!("{:07x}", (rng.next() * 2f64.powi(28)) as u64)),
            branch: Some("main".into()),
            url: Some(format!("https://ci.example.com/runs/{ci_run}")),
            ..Default::default()
        },
        started_at: Some(at - 240_000),
        finished_at: Some(at),
        received_at: at,
        ..prepared.into_report(project_id, spec.phase.to_string(), suite)
    })
}

/// A hand-written review as teams write them: a status table, a list, a claimed verdict.
const RUNBOOK_REVIEW: &str = "# Phase 4 — Deployment Runbook Review

## Deployment

| Step | Status | Notes |
|---|---|---|
| Blue/green switch | ✅ PASS | rehearsed on staging |
| Database migration | ✅ PASS | |
| Rollback | ⚠️ PARTIAL | two manual steps remain |
| Canary analysis | ✅ Ready for the first release | |

## Operations

- ✅ On-call rota published
- ✅ Runbook reviewed by the SRE team
- ❓ Disaster-recovery drill: date TBD

## Production Readiness Status: ✅ READY
";

fn base(spec: &PhaseSpec, suite: &str, kind: &str) -> serde_json::Value {
    json!({
        "schema": "readyboard/v1",
        "project": spec.project,
        "phase": spec.phase,
        "phase_name": spec.phase_name,
        "suite": suite,
        "kind": kind,
    })
}

fn load_doc(spec: &PhaseSpec, health: f64, run: usize, rng: &mut Lcg) -> String {
    let p95 = 60.0 + (1.0 - health) * 160.0 + rng.next() * 12.0;
    let p99 = p95 * 1.9;
    let err = (1.0 - health) * 2.4 + rng.next() * 0.05;
    let rps = 900.0 + health * 700.0 + rng.next() * 40.0;
    let mut d = base(spec, "load-50-workers", "performance");
    d["run"] = json!({"id": format!("k6-{run}")});
    d["metrics"] = json!([
        {"name": "http_req_duration_p95", "category": "Performance", "value": (p95 * 10.0).round() / 10.0, "unit": "ms", "target": {"op": "<", "value": 100}},
        {"name": "http_req_duration_p99", "category": "Performance", "value": (p99 * 10.0).round() / 10.0, "unit": "ms", "target": {"op": "<", "value": 250}},
        {"name": "http_req_failed_rate", "category": "Performance", "value": (err * 100.0).round() / 100.0, "unit": "%", "target": {"op": "<", "value": 1}},
        {"name": "throughput", "category": "Performance", "value": rps.round(), "unit": "req/s", "target": {"op": ">=", "value": 1200}},
        {"name": "workers", "category": "Performance", "value": 50, "unit": ""}
    ]);
    d.to_string()
}

fn security_doc(spec: &PhaseSpec, health: f64, last: bool) -> String {
    let checks = [
        ("rbac", "RBAC enforced on every mutation", health > 0.3),
        ("tls", "TLS 1.2+ only, HSTS enabled", health > 0.4),
        ("headers", "Security headers (CSP, X-Frame-Options)", health > 0.6),
        ("secrets", "No secrets in images or repository", true),
        ("deps", "No known-vulnerable dependencies (cargo audit / npm audit)", health > 0.8),
        ("ratelimit", "Rate limiting on auth endpoints", health > 0.7),
        ("pentest", "External penetration test", health > 0.95),
    ];
    let mut d = base(spec, "security-audit", "security");
    d["checks"] = json!(
        checks
            .iter()
            .map(|(id, name, ok)| json!({"id": id, "name": name, "category": "Security", "status": if *ok { "pass" } else if *id == "pentest" { "not_run" } else { "fail" }, "blocking": *id == "rbac" }))
            .collect::<Vec<_>>()
    );
    let mut findings = vec![];
    if health < 0.8 {
        findings.push(json!({"id": "dep-openssl", "severity": "high", "status": "open", "category": "Security", "title": "openssl 3.0.7: CVE-2023-0286 (X.400 type confusion)", "details": "Upgrade the base image to pick up openssl ≥ 3.0.8."}));
    }
    if health < 0.95 {
        findings.push(json!({"id": "csp-inline", "severity": "medium", "status": "open", "category": "Security", "title": "CSP allows 'unsafe-inline' scripts on /editor"}));
    }
    if spec.critical_open && last {
        findings.push(json!({"id": "ws-1011", "severity": "critical", "status": "open", "category": "Reliability", "title": "WebSocket internal error 1011 under concurrent sessions", "details": "Handler crashes while sending to a closed socket; 3% of sessions drop at 50 workers."}));
    }
    d["findings"] = json!(findings);
    if last && spec.phase == "phase-4" {
        d["claimed"] = json!({"score": 85, "max": 100, "verdict": "ready"});
    }
    d.to_string()
}

fn failover_doc(spec: &PhaseSpec, health: f64) -> String {
    let mut d = base(spec, "failover", "reliability");
    d["checks"] = json!([
        {"id": "db-primary-kill", "name": "Primary database killed: replica promoted", "category": "Reliability", "status": if health > 0.5 { "pass" } else { "fail" }, "duration_ms": 41000},
        {"id": "az-outage", "name": "One availability zone down: traffic drained", "category": "Reliability", "status": if health > 0.7 { "pass" } else { "partial" }, "score": 60, "max": 100},
        {"id": "redis-flush", "name": "Cache flushed: cold start within SLO", "category": "Reliability", "status": "pass"},
        {"id": "backup-restore", "name": "Backup restored into a clean environment", "category": "Reliability", "status": if health > 0.85 { "pass" } else { "not_run" }}
    ]);
    d["metrics"] = json!([
        {"name": "failover_time", "category": "Reliability", "value": (70.0 - health * 40.0).round(), "unit": "s", "target": {"op": "<=", "value": 45}}
    ]);
    d.to_string()
}
