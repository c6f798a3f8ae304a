//! The store's main story — users, tokens, projects, ingest, blockers, reads and audit —
//! run against SQLite always and against PostgreSQL when a server is reachable.
//!
//! PostgreSQL: `READYBOARD_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) names an admin connection; every run
//! creates a throwaway database on it and drops it afterwards.

use readyboard_domain::checklist::SignoffVerdict;
use std::collections::HashSet;
use std::io::Write;
use std::time::Duration;

use readyboard_domain::blockers::BlockerStatus;
use readyboard_domain::decisions::Decision;
use readyboard_domain::ingest;
use readyboard_domain::model::Severity;
use readyboard_domain::role::Role;
use readyboard_domain::scoring::Verdict;
use readyboard_store::{Actor, IngestOutcome, NewReport, Store, StoreError};
use sqlx::Connection;

const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

// ---------------------------------------------------------------------------------------
// Databases
// ---------------------------------------------------------------------------------------

/// A second connection to the store's database, for counting rows behind its back.
enum Probe {
    Sqlite(sqlx::SqlitePool, String),
    Postgres(sqlx::PgPool, String),
}

impl Probe {
    async fn open(url: &str) -> Probe {
        if url.starts_with("postgres") {
            Probe::Postgres(sqlx::PgPool::connect(url).await.expect("probe connects to postgres"), url.into())
        } else {
            Probe::Sqlite(sqlx::SqlitePool::connect(url).await.expect("probe connects to sqlite"), url.into())
        }
    }

    async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        match self {
            Probe::Sqlite(p, _) => sqlx::query_scalar::<_, i64>(&sql).fetch_one(p).await,
            Probe::Postgres(p, _) => sqlx::query_scalar::<_, i64>(&sql).fetch_one(p).await,
        }
        .expect("count rows")
    }

    /// Checks stored, over every report's check set.
    async fn stored_checks(&self) -> i64 {
        let sql = "SELECT CAST(COALESCE(SUM(checks), 0) AS BIGINT) FROM check_sets";
        match self {
            Probe::Sqlite(p, _) => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await,
            Probe::Postgres(p, _) => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await,
        }
        .expect("sum checks")
    }

    /// Row counts of every table an ingest writes.
    async fn snapshot(&self) -> Vec<(&'static str, i64)> {
        let mut out = Vec::new();
        for t in ["phases", "suites", "reports", "check_sets", "metrics", "findings", "blockers", "audit_log"] {
            out.push((t, self.count(t).await));
        }
        out
    }

    /// Runs one statement behind the store's back (to set up data older code wrote).
    async fn exec(&self, sql: &str) {
        match self {
            Probe::Sqlite(p, _) => sqlx::query(sql).execute(p).await.map(|_| ()),
            Probe::Postgres(p, _) => sqlx::query(sql).execute(p).await.map(|_| ()),
        }
        .expect("statement runs")
    }

    /// The database's URL, for a second store with caches of its own.
    fn url(&self) -> &str {
        match self {
            Probe::Sqlite(_, url) | Probe::Postgres(_, url) => url,
        }
    }

    async fn close(self) {
        match self {
            Probe::Sqlite(p, _) => p.close().await,
            Probe::Postgres(p, _) => p.close().await,
        }
    }
}

/// A SQLite database file in the temp directory, removed on drop.
struct SqliteFile {
    path: std::path::PathBuf,
}

impl SqliteFile {
    fn new() -> SqliteFile {
        let path = std::env::temp_dir().join(format!("rb_test_{}.db", uuid::Uuid::new_v4().simple()));
        SqliteFile { path }
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.path.display())
    }
}

impl Drop for SqliteFile {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
        }
    }
}

fn pg_admin_url() -> String {
    std::env::var("READYBOARD_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_PG.to_string())
}

/// `url` with its database name replaced by `db`.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    format!("{host_part}/{db}{query}")
}

/// Creates a throwaway PostgreSQL database; `None` (with a visible skip) when unreachable.
async fn create_pg_database() -> Option<(String, String)> {
    let admin = pg_admin_url();
    let conn = tokio::time::timeout(Duration::from_secs(5), sqlx::PgConnection::connect(&admin)).await;
    let mut conn = match conn {
        Ok(Ok(c)) => c,
        _ => {
            // Straight to stderr: the test harness would swallow `eprintln!` of a passing test.
            let _ = writeln!(std::io::stderr(), "SKIPPED: PostgreSQL not reachable at {admin}");
            return None;
        }
    };
    let name = format!("rb_test_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
    conn.close().await.ok();
    Some((name.clone(), with_database(&admin, &name)))
}

async fn drop_pg_database(name: &str) {
    let mut conn = sqlx::PgConnection::connect(&pg_admin_url()).await.expect("admin connection");
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .expect("drop test database");
    conn.close().await.ok();
}

/// Runs `scenario` on a fresh database at `url` in its own task, so that a failing
/// scenario still lets the caller clean up before the panic is re-raised.
async fn run_scenario<F, Fut>(url: String, scenario: F) -> Result<(), tokio::task::JoinError>
where
    F: FnOnce(Store, Probe) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        let store = Store::open(&url).await.expect("open and migrate");
        let probe = Probe::open(&url).await;
        scenario(store.clone(), probe).await;
        store.close().await;
    })
    .await
}

async fn on_sqlite<F, Fut>(scenario: F)
where
    F: FnOnce(Store, Probe) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let file = SqliteFile::new();
    let result = run_scenario(file.url(), scenario).await;
    drop(file);
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}

async fn on_postgres<F, Fut>(scenario: F)
where
    F: FnOnce(Store, Probe) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let Some((name, url)) = create_pg_database().await else { return };
    let result = run_scenario(url, scenario).await;
    drop_pg_database(&name).await;
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}

// ---------------------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------------------

/// A stable hex digest of `data` (FNV-1a 64), standing in for the server's SHA-256.
fn digest(data: &[u8]) -> String {
    let h = data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3));
    format!("{h:016x}")
}

fn report(project_id: i64, phase: &str, suite: &str, body: &[u8], create_phase: bool, key: Option<&str>) -> NewReport {
    let parsed = ingest::parse(body, None).expect("test artifact parses");
    NewReport {
        project_id,
        phase: phase.to_string(),
        phase_name: None,
        create_phase,
        suite: suite.to_string(),
        kind: parsed.placement.kind.clone(),
        run: parsed.run.clone(),
        started_at: None,
        finished_at: None,
        received_at: readyboard_store::now_ms(),
        // The store keeps the artifact bytes as handed over.
        raw_gzip: body.to_vec(),
        raw_size: body.len() as i64,
        content_hash: digest(body),
        idempotency_key: key.map(str::to_string),
        encoded_checks: None,
        parsed,
    }
}

const SECURITY_WITH_CRITICAL: &str = r#"{
  "schema": "readyboard/v1", "project": "shop", "phase": "release-1", "suite": "security", "kind": "security",
  "run": {"id": 1, "branch": "main"},
  "checks": [
    {"id": "rbac", "name": "RBAC", "status": "pass"},
    {"id": "tls", "name": "TLS", "status": "pass"},
    {"id": "csp", "name": "CSP", "status": "pass"},
    {"id": "headers", "name": "Headers", "status": "fail", "message": "missing HSTS"}
  ],
  "metrics": [
    {"name": "api_p95_ms", "value": 80, "unit": "ms", "target": {"op": "<", "value": 100}},
    {"name": "error_rate", "value": 3, "unit": "%", "target": {"op": "<=", "value": 1}}
  ],
  "findings": [
    {"id": "CVE-2025-0001", "severity": "critical", "title": "Remote code execution"},
    {"id": "old-1", "severity": "low", "status": "resolved", "title": "Old issue"}
  ]
}"#;

const SECURITY_CLEAN: &str = r#"{
  "schema": "readyboard/v1", "project": "shop", "phase": "release-1", "suite": "security", "kind": "security",
  "run": {"id": 2, "branch": "main"},
  "checks": [
    {"id": "rbac", "name": "RBAC", "status": "pass"},
    {"id": "tls", "name": "TLS", "status": "pass"},
    {"id": "csp", "name": "CSP", "status": "pass"},
    {"id": "headers", "name": "Headers", "status": "pass"}
  ],
  "findings": [
    {"id": "old-1", "severity": "low", "status": "resolved", "title": "Old issue"}
  ]
}"#;

const JUNIT_WITH_FAILURES: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="unit" tests="6">
    <testcase classname="cart" name="adds_item" time="0.010"/>
    <testcase classname="cart" name="removes_item" time="0.020"><failure message="expected 0, got 1">trace</failure></testcase>
    <testcase classname="cart" name="totals" time="0.030"><failure message="rounding">trace</failure></testcase>
    <testcase classname="cart" name="checkout" time="0.040"><error message="connection refused">trace</error></testcase>
    <testcase classname="cart" name="coupons"><skipped message="later"/></testcase>
    <testcase classname="cart" name="empties" time="0.001"/>
  </testsuite>
</testsuites>"#;

fn distinct_report(i: usize) -> String {
    format!(
        r#"{{"schema": "readyboard/v1", "project": "shop", "phase": "load", "suite": "s{}",
            "run": {{"id": {i}}},
            "checks": [{{"id": "c{i}-a", "status": "pass"}}, {{"id": "c{i}-b", "status": "{}"}}]}}"#,
        i % 4,
        if i.is_multiple_of(3) { "fail" } else { "pass" }
    )
}

// ---------------------------------------------------------------------------------------
// The story
// ---------------------------------------------------------------------------------------

async fn story(store: Store, probe: Probe) {
    let cli = Actor::system("cli");

    // Users: unique names, validated names, roles.
    let alice = store.create_user(&cli, "alice", "$argon2id$fake", Role::Admin).await.expect("create alice");
    assert_eq!(alice.role(), Role::Admin);
    assert!(!alice.disabled);
    match store.create_user(&cli, "alice", "$argon2id$other", Role::Viewer).await {
        Err(StoreError::Conflict(field)) => assert_eq!(field, "username"),
        other => panic!("duplicate username must be a conflict, got {other:?}"),
    }
    assert!(matches!(store.create_user(&cli, "bad name", "h", Role::Viewer).await, Err(StoreError::Invalid(_))));
    let bob = store.create_user(&cli, "bob", "$argon2id$fake", Role::Viewer).await.expect("create bob");
    store.set_role(&Actor::user(alice.id, "alice"), "bob", Role::Approver).await.expect("promote bob");
    let bob_now = store.user_by_name("bob").await.unwrap().expect("bob exists");
    assert_eq!(bob_now.id, bob.id);
    assert_eq!(bob_now.role(), Role::Approver);
    assert!(matches!(store.set_role(&cli, "nobody", Role::Admin).await, Err(StoreError::NotFound)));
    assert!(store.user_by_name("nobody").await.unwrap().is_none());
    assert_eq!(store.count_users().await.unwrap(), 2);

    // Projects and tokens: tokens resolve by hash until revoked.
    let admin = Actor::user(alice.id, "alice");
    let project = store.create_project(&admin, "shop", "Shop", "The web shop").await.expect("create project");
    assert!(matches!(store.create_project(&admin, "shop", "Shop 2", "").await, Err(StoreError::Conflict(_))));
    assert_eq!(store.project("shop").await.unwrap().id, project.id);
    assert!(matches!(store.project("nope").await, Err(StoreError::NotFound)));
    let old = store.create_token(&admin, project.id, "old-ci", "hash-old", "rbt_old").await.expect("token");
    let ci = store.create_token(&admin, project.id, "ci", "hash-ci", "rbt_ci").await.expect("token");
    let scope = store.token_scope("hash-old").await.unwrap().expect("active token resolves");
    assert_eq!(scope.token_id, old.id);
    assert_eq!(scope.project_id, project.id);
    assert_eq!(scope.project_slug, "shop");
    assert!(store.token_scope("no-such-hash").await.unwrap().is_none());
    store.revoke_token(&admin, old.id).await.expect("revoke");
    assert!(store.token_scope("hash-old").await.unwrap().is_none(), "a revoked token no longer resolves");
    assert!(matches!(store.revoke_token(&admin, old.id).await, Err(StoreError::NotFound)));
    let tokens = store.list_tokens().await.unwrap();
    assert_eq!(tokens.len(), 2);
    assert!(tokens.iter().any(|t| t.id == old.id && t.revoked_at.is_some()));
    assert!(tokens.iter().any(|t| t.id == ci.id && t.revoked_at.is_none()));
    let token = Actor::token(ci.id, "ci");

    // An unknown phase without permission to create it: NotFound, nothing written.
    let before = probe.snapshot().await;
    let refused = report(project.id, "release-1", "security", SECURITY_WITH_CRITICAL.as_bytes(), false, None);
    assert!(matches!(store.ingest(&token, &refused).await, Err(StoreError::NotFound)));
    assert_eq!(probe.snapshot().await, before, "a refused ingest writes nothing");
    assert!(store.phases(project.id).await.unwrap().is_empty());

    // First report: creates the phase; the open critical finding blocks the phase.
    let first = report(project.id, "release-1", "security", SECURITY_WITH_CRITICAL.as_bytes(), true, Some("run-1"));
    let r1 = store.ingest(&token, &first).await.expect("ingest first report");
    assert!(r1.created);
    assert_eq!(r1.stored.phase, "release-1");
    assert_eq!(r1.stored.suite, "security");
    assert_eq!(r1.stored.format, "readyboard");
    // Four checks plus two metric targets (one met, one missed) count as tests.
    assert_eq!((r1.stored.counts.tests, r1.stored.counts.passed, r1.stored.counts.failed), (6, 4, 2));
    assert_eq!(r1.stored.verdict, Verdict::NoGo, "an open critical finding means no-go");
    let phases = store.phases(project.id).await.unwrap();
    assert_eq!(phases.len(), 1, "the phase was created on first upload");
    let phase = store.phase(project.id, "release-1").await.unwrap();
    assert_eq!(phase.id, r1.phase_id);
    assert_eq!(phase.verdict, Verdict::NoGo, "the evaluation is stored on the phase");
    let suites = store.suites(phase.id).await.unwrap();
    assert_eq!(suites.len(), 1);
    assert_eq!(suites[0].latest_report_id, Some(r1.report_id));
    assert_eq!(suites[0].kind.as_deref(), Some("security"));

    let stored = store.report(r1.report_id).await.unwrap();
    assert_eq!(stored.project_slug, "shop");
    assert_eq!(stored.branch.as_deref(), Some("main"));
    assert_eq!(stored.run_id.as_deref(), Some("1"));
    assert_eq!(store.report_raw(r1.report_id).await.unwrap(), SECURITY_WITH_CRITICAL.as_bytes());
    let metrics = store.metrics(r1.report_id).await.unwrap();
    assert_eq!(metrics.len(), 2);
    assert_eq!(metrics[0].name, "api_p95_ms");
    assert_eq!(metrics[0].met, Some(true));
    assert_eq!(metrics[1].met, Some(false));
    let findings = store.findings(r1.report_id).await.unwrap();
    assert_eq!(findings.len(), 2);
    assert_eq!(findings[0].severity, Severity::Critical, "most severe finding first");
    assert_eq!(findings[0].finding_key, "CVE-2025-0001");
    let open = store.blockers(phase.id, true).await.unwrap();
    assert_eq!(open.len(), 1, "only the open critical finding blocks: {open:?}");
    assert_eq!(open[0].source.as_str(), "finding");
    assert_eq!(open[0].severity, Severity::Critical);
    assert_eq!(open[0].title, "Remote code execution");
    assert_eq!(open[0].occurrences, 1);
    assert_eq!(store.open_blocker_count(phase.id).await.unwrap(), 1);

    // The same content again: the same report, nothing new written.
    let before = probe.snapshot().await;
    let again = report(project.id, "release-1", "security", SECURITY_WITH_CRITICAL.as_bytes(), true, None);
    let dup = store.ingest(&token, &again).await.expect("re-ingest");
    assert!(!dup.created);
    assert_eq!(dup.report_id, r1.report_id);
    assert_eq!(dup.stored.counts, r1.stored.counts);
    assert_eq!(dup.stored.verdict, Verdict::NoGo);
    assert_eq!(probe.snapshot().await, before, "an exact re-upload writes no rows");
    assert_eq!(store.blockers(phase.id, true).await.unwrap()[0].occurrences, 1);

    // Different content with the same idempotency key in the phase: also the same report.
    let keyed = report(project.id, "release-1", "security", SECURITY_CLEAN.as_bytes(), true, Some("run-1"));
    let same_key = store.ingest(&token, &keyed).await.expect("ingest with a used key");
    assert!(!same_key.created);
    assert_eq!(same_key.report_id, r1.report_id);
    assert_eq!(probe.snapshot().await, before, "a replayed idempotency key writes no rows");

    // A clean run of the same suite resolves the blocker.
    let second = report(project.id, "release-1", "security", SECURITY_CLEAN.as_bytes(), true, Some("run-2"));
    let r2 = store.ingest(&token, &second).await.expect("ingest second report");
    assert!(r2.created);
    assert_ne!(r2.report_id, r1.report_id);
    assert_ne!(r2.stored.verdict, Verdict::NoGo, "the critical finding is gone");
    assert!(store.blockers(phase.id, true).await.unwrap().is_empty());
    let all = store.blockers(phase.id, false).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].status, BlockerStatus::Resolved);
    assert_eq!(all[0].resolved_report_id, Some(r2.report_id));
    let r2_row = store.report(r2.report_id).await.unwrap();
    let prev = store.previous_report(&r2_row).await.unwrap().expect("a previous run exists");
    assert_eq!(prev.id, r1.report_id);
    assert!(store.previous_report(&stored).await.unwrap().is_none());

    // JUnit with failures and errors: counts, and checks paged most severe first.
    let junit = report(project.id, "release-1", "unit", JUNIT_WITH_FAILURES.as_bytes(), true, None);
    let r3 = store.ingest(&token, &junit).await.expect("ingest junit");
    assert!(r3.created);
    assert_eq!(r3.stored.format, "junit");
    let c = r3.stored.counts;
    assert_eq!((c.tests, c.passed, c.failed, c.errors, c.skipped), (6, 2, 2, 1, 1));
    let (total, page1) = store.checks(r3.report_id, None, 0, 3).await.unwrap();
    assert_eq!(total, 6);
    let statuses: Vec<&str> = page1.iter().map(|c| c.status.as_str()).collect();
    assert_eq!(statuses, ["error", "fail", "fail"], "failures come first");
    assert_eq!(page1[0].name, "checkout");
    assert_eq!(page1[0].message, "connection refused");
    let (total, page2) = store.checks(r3.report_id, None, 3, 3).await.unwrap();
    assert_eq!(total, 6);
    let statuses: Vec<&str> = page2.iter().map(|c| c.status.as_str()).collect();
    assert_eq!(statuses, ["skip", "pass", "pass"]);
    let (_, beyond) = store.checks(r3.report_id, None, 6, 3).await.unwrap();
    assert!(beyond.is_empty());
    let (fail_total, fails) = store.checks(r3.report_id, Some("fail"), 0, 10).await.unwrap();
    assert_eq!(fail_total, 2);
    let names: Vec<&str> = fails.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["removes_item", "totals"], "a status filter keeps file order");
    let (one_total, one) = store.checks(r3.report_id, Some("fail"), 1, 1).await.unwrap();
    assert_eq!((one_total, one.len()), (2, 1));
    assert_eq!(one[0].name, "totals");
    let (none_total, _) = store.checks(r3.report_id, Some("partial"), 0, 10).await.unwrap();
    assert_eq!(none_total, 0);

    // Reads agree with the outcome of the last ingest.
    let latest = store.latest_reports(phase.id).await.unwrap();
    let latest_ids: Vec<i64> = latest.iter().map(|r| r.id).collect();
    assert_eq!(latest_ids, [r2.report_id, r3.report_id], "one latest report per suite, by suite name");
    let phase = store.phase_by_id(phase.id).await.unwrap();
    let card = store.evaluate_phase(&phase).await.unwrap();
    assert_eq!(card.verdict, r3.stored.verdict);
    assert_eq!(card.score.map(|s| (s * 10.0).round() / 10.0), r3.stored.score);
    assert_eq!(phase.verdict, r3.stored.verdict);
    assert_eq!(store.phase_reports(phase.id, 10).await.unwrap().len(), 3);

    // Every mutation left an audit entry; duplicates and refusals left none.
    let audit = store.audit_recent(1000).await.unwrap();
    let count = |action: &str| audit.iter().filter(|a| a.action == action).count();
    assert_eq!(count("user.create"), 2);
    assert_eq!(count("user.role"), 1);
    assert_eq!(count("project.create"), 1);
    assert_eq!(count("token.create"), 2);
    assert_eq!(count("token.revoke"), 1);
    assert_eq!(count("phase.create"), 1);
    assert_eq!(count("report.create"), 3);
    // Each report moved the phase's verdict, and each move is recorded with before and after.
    let moves: Vec<_> = audit
        .iter()
        .rev()
        .filter(|a| a.action == "phase.verdict")
        .map(|a| {
            let verdict = |j: &Option<String>| {
                serde_json::from_str::<serde_json::Value>(j.as_deref().unwrap()).unwrap()["verdict"]
                    .as_str()
                    .unwrap()
                    .to_string()
            };
            format!("{} → {}", verdict(&a.before_json), verdict(&a.after_json))
        })
        .collect();
    assert_eq!(moves, ["not_ready → no_go", "no_go → ready", "ready → conditional"]);
    assert_eq!(audit.len(), 14, "no other entries: {audit:?}");
    let role_change = audit.iter().find(|a| a.action == "user.role").unwrap();
    assert_eq!(role_change.actor_label, "alice");
    assert!(role_change.before_json.as_deref().unwrap().contains("viewer"));
    assert!(role_change.after_json.as_deref().unwrap().contains("approver"));
    let upload = audit.iter().find(|a| a.action == "report.create").unwrap();
    assert_eq!(upload.actor_label, "token ci");
    assert!(audit.windows(2).all(|w| w[0].id > w[1].id), "newest first");

    probe.close().await;
}

/// 20 distinct reports and 5 copies of one more, all at once, into a phase that does not
/// exist yet. Run twice: the second round starts with a warm connection pool, so the
/// transactions really overlap.
async fn concurrent_ingests(store: Store, probe: Probe) {
    let cli = Actor::system("cli");
    let project = store.create_project(&cli, "shop", "Shop", "").await.unwrap();
    let token = store.create_token(&cli, project.id, "ci", "hash-ci", "rbt_ci").await.unwrap();
    let actor = Actor::token(token.id, "ci");
    for (round, phase) in ["load", "soak"].into_iter().enumerate() {
        concurrent_round(&store, &actor, project.id, phase).await;
        let n = round as i64 + 1;
        assert_eq!(probe.count("reports").await, 21 * n);
        assert_eq!(probe.stored_checks().await, (20 * 2 + 1) * n);
        assert_eq!(probe.count("phases").await, n, "each phase was created once");
        assert_eq!(probe.count("suites").await, 5 * n);
        let audit = store.audit_recent(1000).await.unwrap();
        assert_eq!(audit.iter().filter(|a| a.action == "report.create").count() as i64, 21 * n);
        assert_eq!(audit.iter().filter(|a| a.action == "phase.create").count() as i64, n);
    }
    probe.close().await;
}

async fn concurrent_round(store: &Store, actor: &Actor, project_id: i64, phase: &str) {
    let dup_body = format!(
        r#"{{"schema": "readyboard/v1", "project": "shop", "phase": "{phase}", "suite": "dup",
            "checks": [{{"id": "only", "status": "pass"}}]}}"#
    );
    let mut tasks = Vec::new();
    for i in 0..25 {
        let store = store.clone();
        let actor = actor.clone();
        let (suite, body) = if i < 20 {
            (format!("s{}", i % 4), distinct_report(i).replace("\"load\"", &format!("\"{phase}\"")))
        } else {
            ("dup".to_string(), dup_body.clone())
        };
        let new = report(project_id, phase, &suite, body.as_bytes(), true, None);
        tasks.push(tokio::spawn(async move { (i, store.ingest(&actor, &new).await) }));
    }
    let mut outcomes: Vec<(usize, IngestOutcome)> = Vec::new();
    for t in tasks {
        let (i, res) = t.await.expect("task completes");
        outcomes.push((i, res.unwrap_or_else(|e| panic!("{phase}: ingest {i} failed: {e:?}"))));
    }

    let distinct: Vec<&IngestOutcome> = outcomes.iter().filter(|(i, _)| *i < 20).map(|(_, o)| o).collect();
    assert!(distinct.iter().all(|o| o.created), "every distinct report is stored");
    let ids: HashSet<i64> = distinct.iter().map(|o| o.report_id).collect();
    assert_eq!(ids.len(), 20, "each distinct report has its own id");

    let dups: Vec<&IngestOutcome> = outcomes.iter().filter(|(i, _)| *i >= 20).map(|(_, o)| o).collect();
    assert_eq!(dups.iter().filter(|o| o.created).count(), 1, "one copy is stored");
    let dup_ids: HashSet<i64> = dups.iter().map(|o| o.report_id).collect();
    assert_eq!(dup_ids.len(), 1, "every copy answers with the stored report");
    assert!(!ids.contains(dup_ids.iter().next().unwrap()));

    let phase_row = store.phase(project_id, phase).await.unwrap();
    assert!(outcomes.iter().all(|(_, o)| o.phase_id == phase_row.id));
    assert_eq!(store.phase_reports(phase_row.id, 100).await.unwrap().len(), 21);
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

/// Blockers people manage: waive, add by hand, assign, filter, resolve, reopen — each
/// step audited, each refusal clear, and evidence never reopening a waived blocker.
async fn blocker_lifecycle(store: Store, probe: Probe) {
    use readyboard_store::{BlockerAssignment, BlockerFilter, NewBlocker};
    let cli = Actor::system("cli");
    let project = store.create_project(&cli, "shop", "Shop", "").await.unwrap();
    let ann = store.create_user(&cli, "ann", "$argon2id$fake", Role::Approver).await.unwrap();
    let ann_actor = Actor::user(ann.id, "ann");
    let ci = Actor::system("ci");
    let first = report(project.id, "release-1", "security", SECURITY_WITH_CRITICAL.as_bytes(), true, None);
    let r1 = store.ingest(&ci, &first).await.expect("ingest");
    assert_eq!(r1.stored.verdict, Verdict::NoGo);
    let phase = store.phase(project.id, "release-1").await.unwrap();
    let derived = store.blockers(phase.id, true).await.unwrap();
    assert_eq!(derived.len(), 1);
    let derived_id = derived[0].id;

    // Refusals: a short rationale, resolving evidence by hand, bad input for new blockers.
    assert!(matches!(store.waive_blocker(&ann_actor, derived_id, "ok").await, Err(StoreError::Invalid(_))));
    assert!(matches!(store.resolve_blocker(&ann_actor, derived_id).await, Err(StoreError::Conflict(_))));
    let bad = NewBlocker { severity: "urgent".into(), title: "x".into(), ..Default::default() };
    assert!(matches!(store.add_blocker(&ann_actor, phase.id, &bad).await, Err(StoreError::Invalid(_))));
    assert!(matches!(
        store.waive_blocker(&ann_actor, 999_999, "a long enough reason").await,
        Err(StoreError::NotFound)
    ));
    let before = probe.snapshot().await;

    // Waiving the critical finding lifts the NO-GO and records who and why.
    let waived =
        store.waive_blocker(&ann_actor, derived_id, "Not reachable: the endpoint is disabled in prod").await.unwrap();
    assert_eq!(waived.row.status, BlockerStatus::Waived);
    assert_eq!(waived.waived_by.as_deref(), Some("ann"));
    let card = store.evaluate_phase(&phase).await.unwrap();
    assert_ne!(card.verdict.as_str(), "no_go", "a waived blocker no longer holds the verdict: {:?}", card.reasons);
    assert!(matches!(
        store.waive_blocker(&ann_actor, derived_id, "twice is refused here").await,
        Err(StoreError::Conflict(_))
    ));

    // The same finding in a later run stays waived, and is counted again.
    let mut again = report(project.id, "release-1", "security", SECURITY_WITH_CRITICAL.as_bytes(), true, Some("run-9"));
    again.content_hash = "another-run".into();
    store.ingest(&ci, &again).await.expect("ingest again");
    let b = store.blocker(derived_id).await.unwrap();
    assert_eq!((b.row.status.as_str(), b.row.occurrences), ("waived", 2));

    // A blocker written by hand holds the verdict back until resolved.
    let manual = NewBlocker {
        severity: "high".into(),
        title: "  Restore from backup never tested ".into(),
        details: "Last drill failed".into(),
        owner: Some("".into()),
        due_date: Some("2026-12-01".into()),
    };
    let m = store.add_blocker(&ann_actor, phase.id, &manual).await.unwrap();
    assert_eq!(
        (m.row.source.as_str(), m.row.status.as_str(), m.row.title.as_str()),
        ("manual", "open", "Restore from backup never tested")
    );
    assert_eq!(m.row.owner, None, "a blank owner is no owner");
    assert_eq!((m.project.as_str(), m.phase.as_str()), ("shop", "release-1"));
    let card = store.evaluate_phase(&phase).await.unwrap();
    assert!(card.reasons.iter().any(|r| r.contains("high blocker")), "{:?}", card.reasons);

    // Assign, then filter by owner, severity and status.
    store.create_user(&cli, "bob", "$argon2id$fake", Role::Editor).await.unwrap();
    let assigned = store
        .assign_blocker(
            &ann_actor,
            m.row.id,
            &BlockerAssignment { owner: Some("bob".into()), due_date: Some("2026-12-15".into()) },
        )
        .await
        .unwrap();
    assert_eq!((assigned.row.owner.as_deref(), assigned.row.due_date.as_deref()), (Some("bob"), Some("2026-12-15")));
    let bad_date = BlockerAssignment { owner: None, due_date: Some("15/12/2026".into()) };
    assert!(matches!(store.assign_blocker(&ann_actor, m.row.id, &bad_date).await, Err(StoreError::Invalid(_))));
    let by_owner =
        store.list_blockers(&BlockerFilter { owner: Some("bob".into()), ..Default::default() }, 100).await.unwrap();
    assert_eq!(by_owner.iter().map(|b| b.row.id).collect::<Vec<_>>(), [m.row.id]);
    let nobody =
        store.list_blockers(&BlockerFilter { owner: Some(String::new()), ..Default::default() }, 100).await.unwrap();
    assert_eq!(nobody.iter().map(|b| b.row.id).collect::<Vec<_>>(), [derived_id]);
    let waived_only =
        store.list_blockers(&BlockerFilter { status: Some("waived".into()), ..Default::default() }, 100).await.unwrap();
    assert_eq!(waived_only.iter().map(|b| b.row.id).collect::<Vec<_>>(), [derived_id]);
    let all =
        store.list_blockers(&BlockerFilter { phase_id: Some(phase.id), ..Default::default() }, 100).await.unwrap();
    assert_eq!(all.iter().map(|b| b.row.id).collect::<Vec<_>>(), [m.row.id, derived_id], "open before waived");
    let critical = store
        .list_blockers(&BlockerFilter { severity: Some("critical".into()), ..Default::default() }, 100)
        .await
        .unwrap();
    assert_eq!(critical.len(), 1);
    assert_eq!(store.blocker_owners().await.unwrap(), ["bob"]);

    // Resolve by hand, reopen, and the audit log tells the whole story.
    assert_eq!(store.resolve_blocker(&ann_actor, m.row.id).await.unwrap().row.status, BlockerStatus::Resolved);
    assert!(matches!(store.resolve_blocker(&ann_actor, m.row.id).await, Err(StoreError::Conflict(_))));
    let reopened = store.reopen_blocker(&ann_actor, derived_id).await.unwrap();
    assert_eq!((reopened.row.status.as_str(), reopened.waive_reason.as_deref()), ("open", None));
    assert_eq!(store.evaluate_phase(&phase).await.unwrap().verdict.as_str(), "no_go");
    let audit = store.audit_recent(100).await.unwrap();
    let actions: Vec<&str> = audit.iter().filter(|a| a.entity == "blocker").map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["blocker.reopen", "blocker.resolve", "blocker.assign", "blocker.create", "blocker.waive"]);
    assert!(audit.iter().filter(|a| a.entity == "blocker").all(|a| a.actor_label == "ann"));
    let waive = audit.iter().find(|a| a.action == "blocker.waive").unwrap();
    assert!(waive.before_json.as_deref().unwrap().contains("\"open\""));
    assert!(waive.after_json.as_deref().unwrap().contains("endpoint is disabled"));
    let after = probe.snapshot().await;
    assert!(after.iter().zip(&before).all(|(a, b)| a.1 >= b.1), "nothing was deleted");
}

/// The audit log names what each entry is about (in one query per page), keeps sign-ins
/// apart from changes and counts what it shows; something deleted keeps the name it had.
async fn audit_names_story(store: Store, _probe: Probe) {
    use readyboard_store::{AuditFilter, AuditKind, ItemInput, NewBlocker};
    let cli = Actor::system("cli");
    let shop = store.create_project(&cli, "shop", "Shop", "").await.unwrap();
    let ann = store.create_user(&cli, "ann", "$argon2id$fake", Role::Approver).await.unwrap();
    let ann_actor = Actor::user(ann.id, "ann");
    let ci = Actor::system("ci");
    let first = report(shop.id, "release-1", "security", SECURITY_CLEAN.as_bytes(), true, None);
    let r = store.ingest(&ci, &first).await.unwrap();
    let beta = store.create_phase(&cli, shop.id, "beta", "Beta").await.unwrap();
    store.create_token(&cli, shop.id, "ci-main", "hash-1", "rb_1").await.unwrap();
    let b = NewBlocker { severity: "high".into(), title: "Restore never rehearsed".into(), ..Default::default() };
    store.add_blocker(&ann_actor, beta.id, &b).await.unwrap();
    let item = ItemInput { title: "Runbook reviewed".into(), status: "todo".into(), ..Default::default() };
    let item = store.add_checklist_item(&ann_actor, &beta, &item).await.unwrap();
    store.delete_checklist_item(&ann_actor, item.id, item.version).await.unwrap();
    let outsider = Actor::system("login from 10.0.0.9");
    store.audit_event(&ann_actor, "auth.login", "user", Some(ann.id.to_string())).await.unwrap();
    store.audit_event(&outsider, "auth.login_failed", "user", Some("mallory".into())).await.unwrap();
    store.audit_event(&ann_actor, "auth.logout", "user", Some(ann.id.to_string())).await.unwrap();

    // Changes leave sign-ins out; each entry names its subject.
    let changes = AuditFilter { kind: AuditKind::Changes, ..Default::default() };
    let rows = store.audit_search(&changes, 100).await.unwrap();
    assert!(rows.iter().all(|r| !r.entry.action.starts_with("auth.")));
    assert_eq!(store.audit_count(&changes).await.unwrap(), rows.len() as i64);
    let named = |action: &str| {
        let row = rows.iter().find(|r| r.entry.action == action).unwrap_or_else(|| panic!("{action} listed"));
        row.subject.clone().unwrap_or_else(|| panic!("{action} names its subject"))
    };
    let report = named("report.create");
    assert_eq!(report.name, format!("#{} · security", r.report_id));
    let place = (report.project.as_deref(), report.phase.as_deref(), report.found);
    assert_eq!(place, (Some("shop"), Some("release-1"), true));
    assert_eq!(named("project.create").name, "Shop");
    assert_eq!(named("user.create").name, "ann");
    assert_eq!(named("token.create").name, "ci-main");
    assert_eq!(named("blocker.create").name, "Restore never rehearsed");
    let beta_id = Some(beta.id.to_string());
    let phase = rows.iter().find(|r| r.entry.action == "phase.create" && r.entry.entity_id == beta_id);
    assert_eq!(phase.unwrap().subject.as_ref().unwrap().name, "Shop · Beta");
    let created = named("checklist.create");
    assert_eq!((created.name.as_str(), created.found), ("Runbook reviewed", false), "deleted, named as it was");

    // Sign-ins on their own: logins, failed logins (named as typed) and logouts.
    let signins = AuditFilter { kind: AuditKind::SignIns, ..Default::default() };
    let rows = store.audit_search(&signins, 100).await.unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.entry.action.as_str()).collect();
    assert_eq!(actions, ["auth.logout", "auth.login_failed", "auth.login"]);
    let names: Vec<&str> = rows.iter().map(|r| r.subject.as_ref().unwrap().name.as_str()).collect();
    assert_eq!(names, ["ann", "mallory", "ann"]);
    assert_eq!(store.audit_count(&signins).await.unwrap(), 3);
    let all = store.audit_count(&AuditFilter::default()).await.unwrap();
    assert_eq!(all, store.audit_count(&changes).await.unwrap() + 3);

    // Filter menus offer what the chosen kind holds; the other filters still apply.
    let (actors, actions) = store.audit_facets(AuditKind::SignIns).await.unwrap();
    assert_eq!(actors, ["ann", "login from 10.0.0.9"]);
    assert!(actions.iter().all(|a| a.starts_with("auth.")));
    let (_, actions) = store.audit_facets(AuditKind::Changes).await.unwrap();
    assert!(actions.contains(&"report.create".to_string()) && !actions.iter().any(|a| a.starts_with("auth.")));
    let ann_changes = AuditFilter { actor: Some("ann".into()), ..changes.clone() };
    let mine = store.audit_search(&ann_changes, 100).await.unwrap();
    let actions: Vec<&str> = mine.iter().map(|r| r.entry.action.as_str()).collect();
    assert_eq!(actions, ["checklist.delete", "checklist.create", "blocker.create"]);
    let in_beta = AuditFilter { phase_id: Some(beta.id), ..changes.clone() };
    assert_eq!(store.audit_count(&in_beta).await.unwrap(), 4, "phase, blocker, item added and deleted");
    let older = AuditFilter { before_id: Some(mine[0].entry.id), ..ann_changes };
    assert_eq!(store.audit_search(&older, 100).await.unwrap().len(), 2);
    assert_eq!(store.audit_count(&older).await.unwrap(), 3, "the count is of every page");
}

/// Blockers filter by project and phase; an owner is a user, and an owner written by hand
/// before that rule stays until someone changes it.
async fn blocker_places_and_owners(store: Store, probe: Probe) {
    use readyboard_store::{BlockerAssignment, BlockerFilter, NewBlocker};
    let cli = Actor::system("cli");
    let shop = store.create_project(&cli, "shop", "Shop", "").await.unwrap();
    let web = store.create_project(&cli, "web", "Web", "").await.unwrap();
    store.create_user(&cli, "ann", "$argon2id$fake", Role::Editor).await.unwrap();
    let mut ids = Vec::new();
    for (project, phase) in [(shop.id, "release-1"), (shop.id, "release-2"), (web.id, "release-1")] {
        let ph = store.create_phase(&cli, project, phase, phase).await.unwrap();
        let b =
            NewBlocker { severity: "high".into(), title: format!("Held back {project}/{phase}"), ..Default::default() };
        ids.push((ph.id, store.add_blocker(&cli, ph.id, &b).await.unwrap().row.id));
    }
    let listed = |f: BlockerFilter| {
        let store = store.clone();
        async move {
            let mut v: Vec<i64> = store.list_blockers(&f, 100).await.unwrap().into_iter().map(|b| b.row.id).collect();
            v.sort();
            v
        }
    };
    assert_eq!(listed(BlockerFilter { project_id: Some(shop.id), ..Default::default() }).await, [ids[0].1, ids[1].1]);
    assert_eq!(listed(BlockerFilter { project_id: Some(web.id), ..Default::default() }).await, [ids[2].1]);
    assert_eq!(listed(BlockerFilter { phase_id: Some(ids[1].0), ..Default::default() }).await, [ids[1].1]);
    let crossed = BlockerFilter { project_id: Some(web.id), phase_id: Some(ids[0].0), ..Default::default() };
    assert!(listed(crossed).await.is_empty(), "both filters apply");

    // Owners: users only, refused in plain words otherwise.
    let typo =
        NewBlocker { severity: "low".into(), title: "x".into(), owner: Some("dana".into()), ..Default::default() };
    let refused = store.add_blocker(&cli, ids[0].0, &typo).await;
    assert!(matches!(&refused, Err(StoreError::Invalid(m)) if m.contains("no user named") && m.contains("dana")));
    let assign = |owner: &str, due: &str| BlockerAssignment { owner: Some(owner.into()), due_date: Some(due.into()) };
    let id = ids[0].1;
    assert!(matches!(store.assign_blocker(&cli, id, &assign("dana", "")).await, Err(StoreError::Invalid(_))));
    assert_eq!(store.assign_blocker(&cli, id, &assign("ann", "")).await.unwrap().row.owner.as_deref(), Some("ann"));
    probe.exec(&format!("UPDATE blockers SET owner = 'ops team' WHERE id = {id}")).await;
    let kept = store.assign_blocker(&cli, id, &assign("ops team", "2026-12-24")).await.unwrap();
    assert_eq!((kept.row.owner.as_deref(), kept.row.due_date.as_deref()), (Some("ops team"), Some("2026-12-24")));
    assert!(matches!(store.assign_blocker(&cli, id, &assign("ops crew", "")).await, Err(StoreError::Invalid(_))));
    assert_eq!(store.assign_blocker(&cli, id, &assign("", "")).await.unwrap().row.owner, None);
}

/// Decisions: a snapshot frozen at the time, GO against the verdict only with an override
/// reason, later decisions superseding earlier ones, and what changed since.
async fn decisions_story(store: Store, _probe: Probe) {
    use readyboard_store::{Condition, NewDecision};
    let cli = Actor::system("cli");
    let project = store.create_project(&cli, "shop", "Shop", "").await.unwrap();
    let rm = store.create_user(&cli, "rm", "$argon2id$fake", Role::Approver).await.unwrap();
    let rm_actor = Actor::user(rm.id, "rm");
    let ci = Actor::system("ci");
    let r1 = store
        .ingest(&ci, &report(project.id, "release-1", "security", SECURITY_WITH_CRITICAL.as_bytes(), true, None))
        .await
        .unwrap();
    let phase = store.phase(project.id, "release-1").await.unwrap();
    let decide = |kind: &str, why: &str, over: Option<&str>| NewDecision {
        decision: kind.into(),
        rationale: why.into(),
        conditions: vec![],
        override_reason: over.map(String::from),
    };

    // A GO while NO-GO needs an override reason; decisions are made by people.
    let err = store.record_decision(&rm_actor, &phase, &decide("go", "Ship it, we are confident.", None)).await;
    assert!(matches!(&err, Err(StoreError::Invalid(m)) if m.contains("NO-GO")), "{err:?}");
    let err = store.record_decision(&ci, &phase, &decide("no_go", "Tokens cannot decide this.", None)).await;
    assert!(matches!(err, Err(StoreError::Invalid(_))));
    assert!(store.decisions(phase.id, 10).await.unwrap().is_empty(), "refusals write nothing");

    let first = store
        .record_decision(&rm_actor, &phase, &decide("no_go", "Critical RCE is open.", Some("ignored for a NO-GO")))
        .await
        .unwrap();
    assert_eq!((first.decision.as_str(), first.decided_by.as_str()), ("no_go", "rm"));
    assert_eq!(first.override_reason, None, "only a GO against the verdict is an override");
    assert_eq!(first.snapshot.verdict, Verdict::NoGo);
    assert_eq!(first.snapshot.suites.len(), 1);
    assert_eq!(first.snapshot.suites[0].report_id, r1.report_id);
    assert_eq!(first.snapshot.blockers.len(), 1);
    assert_eq!(first.snapshot.blockers[0].title, "Remote code execution");
    assert!(!first.snapshot.reasons.is_empty());

    // Nothing changed yet.
    let c = store.changes_since(&phase, &first).await.unwrap();
    assert!(c.blockers_opened.is_empty() && c.blockers_closed.is_empty() && c.new_evidence.is_empty());
    assert_eq!((c.reports_since, c.verdict_then.as_str(), c.verdict_now.as_str()), (0, "no_go", "no_go"));

    // A clean run closes the blocker: the changes say so and link the new evidence.
    let r2 = store
        .ingest(&ci, &report(project.id, "release-1", "security", SECURITY_CLEAN.as_bytes(), true, None))
        .await
        .unwrap();
    let c = store.changes_since(&phase, &first).await.unwrap();
    assert_eq!(c.blockers_closed.iter().map(|b| b.title.as_str()).collect::<Vec<_>>(), ["Remote code execution"]);
    assert_eq!(c.new_evidence, [("security".to_string(), Some(r1.report_id), r2.report_id)]);
    assert_eq!(c.reports_since, 1);
    assert_ne!(c.verdict_now, Verdict::NoGo);
    assert_eq!(first.snapshot.blockers.len(), 1, "the snapshot stays as it was");

    // A conditional GO with conditions supersedes the NO-GO; a GO override is kept and shown.
    let mut cond = decide("conditional_go", "Ship behind the feature flag.", None);
    cond.conditions.push(Condition {
        text: "Rehearse restore".into(),
        owner: Some("dana".into()),
        due_date: Some("2026-12-01".into()),
    });
    let second = store.record_decision(&rm_actor, &phase, &cond).await.unwrap();
    assert_eq!(second.supersedes_id, Some(first.id));
    assert_eq!(second.conditions[0].owner.as_deref(), Some("dana"));
    assert_eq!(store.decision(first.id).await.unwrap().superseded_by, Some(second.id));
    store
        .ingest(&ci, &report(project.id, "release-1", "unit", JUNIT_WITH_FAILURES.as_bytes(), true, None))
        .await
        .unwrap();
    let card = store.evaluate_phase(&phase).await.unwrap();
    assert_ne!(card.verdict.as_str(), "ready", "failing unit tests hold the verdict back");
    let refused = store.record_decision(&rm_actor, &phase, &decide("go", "Launch date is fixed.", Some("short"))).await;
    assert!(matches!(refused, Err(StoreError::Invalid(_))), "a token override reason is refused");
    let third = store
        .record_decision(
            &rm_actor,
            &phase,
            &decide("go", "Launch date is fixed.", Some("Accepted by the CTO in writing")),
        )
        .await
        .unwrap();
    assert_eq!(third.override_reason.as_deref(), Some("Accepted by the CTO in writing"));
    let all = store.decisions(phase.id, 10).await.unwrap();
    assert_eq!(all.iter().map(|d| d.id).collect::<Vec<_>>(), [third.id, second.id, first.id], "newest first");
    let audit = store.audit_recent(50).await.unwrap();
    assert_eq!(audit.iter().filter(|a| a.action == "decision.create").count(), 3);
}

/// Trends: history after every report, suite runs, metrics against targets, blocker counts,
/// decisions on the axis and checks that flip.
async fn trends_story(store: Store, _probe: Probe) {
    use readyboard_store::NewDecision;
    let cli = Actor::system("cli");
    let project = store.create_project(&cli, "shop", "Shop", "").await.unwrap();
    let rm = store.create_user(&cli, "rm", "$argon2id$fake", Role::Approver).await.unwrap();
    let ci = Actor::system("ci");
    // Security with a critical finding (NO-GO), then clean; JUnit in between.
    store
        .ingest(&ci, &report(project.id, "release-1", "security", SECURITY_WITH_CRITICAL.as_bytes(), true, None))
        .await
        .unwrap();
    store
        .ingest(&ci, &report(project.id, "release-1", "unit", JUNIT_WITH_FAILURES.as_bytes(), true, None))
        .await
        .unwrap();
    let phase = store.phase(project.id, "release-1").await.unwrap();
    let decision = NewDecision {
        decision: "no_go".into(),
        rationale: "Critical finding open.".into(),
        conditions: vec![],
        override_reason: None,
    };
    store.record_decision(&Actor::user(rm.id, "rm"), &phase, &decision).await.unwrap();
    store
        .ingest(&ci, &report(project.id, "release-1", "security", SECURITY_CLEAN.as_bytes(), true, None))
        .await
        .unwrap();

    let t = store.trends(&phase, "30d").await.unwrap();
    assert_eq!(t.score.len(), 3, "one point per report");
    assert_eq!(t.blockers[0].name, "critical");
    let critical: Vec<f64> = t.blockers[0].points.iter().map(|p| p.value).collect();
    assert_eq!(critical, [1.0, 1.0, 0.0], "the clean scan resolved the critical blocker");
    assert_eq!(t.decisions.len(), 1);
    assert_eq!(t.decisions[0].decision, Decision::NoGo);
    // security: 3 of 4 checks and 1 of 2 metric targets met (4 of 6), then 4 of 4.
    let security = t.suites.iter().find(|s| s.name == "security").unwrap();
    let rates: Vec<f64> = security.pass_rate.iter().map(|p| p.value).collect();
    assert_eq!(rates, [4.0 * 100.0 / 6.0, 100.0]);
    let unit = t.suites.iter().find(|s| s.name == "unit").unwrap();
    // 2 passed of 5 executed (one skipped).
    assert_eq!(unit.pass_rate[0].value, 40.0);
    let error_rate = t.metrics.iter().find(|m| m.name == "error_rate").unwrap();
    assert_eq!((error_rate.points.len(), error_rate.misses.len()), (1, 1));
    assert_eq!(error_rate.target_value, Some(1.0));
    let p95 = t.metrics.iter().find(|m| m.name == "api_p95_ms").unwrap();
    assert!(p95.misses.is_empty());
    // `headers` failed then passed: one flip in two runs.
    let flaky = t.flaky.iter().find(|f| f.suite == "security").unwrap();
    assert_eq!(flaky.checks.len(), 1);
    assert_eq!((flaky.checks[0].runs, flaky.checks[0].flips, flaky.checks[0].flip_rate), (2, 1, 1.0));
    // Cached until new evidence arrives; the version moves with it.
    let again = store.trends(&phase, "30d").await.unwrap();
    assert_eq!(again.version, t.version);
    store
        .ingest(&ci, &report(project.id, "release-1", "unit", distinct_report(1).as_bytes(), true, None))
        .await
        .unwrap();
    let after = store.trends(&phase, "30d").await.unwrap();
    assert_ne!(after.version, t.version);
    assert_eq!(after.score.len(), 4);
    assert!(matches!(store.trends(&phase, "1y").await, Err(StoreError::Invalid(_))));
}

/// Checklist review: template, evidence links, concurrent edits, ordering, sign-offs that
/// lapse when the item or its evidence changes, and the verdict waiting for required items.
async fn checklist_story(store: Store, _probe: Probe) {
    use readyboard_domain::checklist::EvidenceState;
    use readyboard_store::ItemInput;
    let cli = Actor::system("cli");
    let project = store.create_project(&cli, "shop", "Shop", "").await.unwrap();
    let ed = store.create_user(&cli, "ed", "$argon2id$fake", Role::Editor).await.unwrap();
    let rm = store.create_user(&cli, "rm", "$argon2id$fake", Role::Approver).await.unwrap();
    let (ed, rm) = (Actor::user(ed.id, "ed"), Actor::user(rm.id, "rm"));
    let ci = Actor::system("ci");
    store
        .ingest(&ci, &report(project.id, "release-1", "security", SECURITY_CLEAN.as_bytes(), true, None))
        .await
        .unwrap();
    let phase = store.phase(project.id, "release-1").await.unwrap();

    // The built-in template fills the list once; applying it again adds nothing.
    assert_eq!(store.apply_checklist_template(&ed, &phase, "Production readiness").await.unwrap(), 17);
    assert_eq!(store.apply_checklist_template(&ed, &phase, "Production readiness").await.unwrap(), 0);
    let list = store.checklist(&phase).await.unwrap();
    assert_eq!(list.len(), 17);
    assert_eq!(list[0].item.title, "Health checks");
    let card = store.evaluate_phase(&phase).await.unwrap();
    assert!(card.reasons.iter().any(|r| r.contains("required checklist item")), "{:?}", card.reasons);

    // Link the security audit item to a check of the security suite, and finish it.
    let audit = list.iter().find(|e| e.item.title == "Security audit").unwrap().item.clone();
    let input = ItemInput {
        title: audit.title.clone(),
        description: audit.description.clone(),
        category: audit.category.clone(),
        owner: Some("ed".into()),
        required: true,
        status: "done".into(),
        due_date: Some("2026-12-01".into()),
        evidence_suite: Some("security".into()),
        evidence_check: Some("headers".into()),
    };
    let edited = store.update_checklist_item(&ed, audit.id, audit.version, &input).await.unwrap();
    assert_eq!((edited.version, edited.owner.as_deref()), (2, Some("ed")));
    // A second editor still holding version 1 is told, not silently overwritten.
    let stale =
        store.update_checklist_item(&rm, audit.id, 1, &ItemInput { title: "Mine".into(), ..input.clone() }).await;
    assert!(matches!(&stale, Err(StoreError::Conflict(m)) if m.contains("version 2")), "{stale:?}");
    let bad = store
        .update_checklist_item(&ed, audit.id, 2, &ItemInput { evidence_suite: Some("nope".into()), ..input.clone() })
        .await;
    assert!(matches!(&bad, Err(StoreError::Invalid(m)) if m.contains("no suite named")), "{bad:?}");

    // The link is picked from the checks and metrics of the suite's latest report; a name
    // that report lacks is refused, a link kept as it was is not checked again.
    let (names, total) = store.evidence_names(phase.id, 100).await.unwrap();
    assert_eq!(total, 4);
    assert_eq!(names.iter().map(|n| n.name.as_str()).collect::<Vec<_>>(), ["CSP", "Headers", "RBAC", "TLS"]);
    assert!(names.iter().all(|n| n.suite == "security" && n.kind.as_str() == "check"), "{names:?}");
    assert_eq!(store.evidence_names(phase.id, 2).await.unwrap(), (names[..2].to_vec(), 4));
    let unknown = store
        .update_checklist_item(&ed, audit.id, 2, &ItemInput { evidence_check: Some("nope".into()), ..input.clone() })
        .await;
    assert!(
        matches!(&unknown, Err(StoreError::Invalid(m)) if m.contains("no check or metric named `nope`")),
        "{unknown:?}"
    );
    let by_name = ItemInput { evidence_check: Some("Headers".into()), ..input.clone() };
    let edited = store.update_checklist_item(&ed, audit.id, 2, &by_name).await.unwrap();
    assert_eq!(edited.evidence_check.as_deref(), Some("Headers"));
    let edited = store.update_checklist_item(&ed, audit.id, 3, &input).await.unwrap();
    assert_eq!(edited.version, 4);

    // Approve: signed, live evidence passing.
    store.sign_checklist_item(&rm, audit.id, SignoffVerdict::Approve, "Scan is clean.").await.unwrap();
    let entry = |list: Vec<readyboard_store::ChecklistEntry>| list.into_iter().find(|e| e.item.id == audit.id).unwrap();
    let e = entry(store.checklist(&phase).await.unwrap());
    assert_eq!(e.evidence_state, Some(EvidenceState::Passing));
    assert!(e.signed);
    assert!(
        matches!(
            store.sign_checklist_item(&ci, audit.id, SignoffVerdict::Approve, "").await,
            Err(StoreError::Invalid(_))
        ),
        "tokens cannot sign"
    );
    assert!(
        matches!(
            store.sign_checklist_item(&rm, audit.id, SignoffVerdict::Reject, " ").await,
            Err(StoreError::Invalid(_))
        ),
        "a rejection says why"
    );

    // A failing upload of the linked suite lapses the sign-off: it needs re-signing.
    store
        .ingest(&ci, &report(project.id, "release-1", "security", SECURITY_WITH_CRITICAL.as_bytes(), true, None))
        .await
        .unwrap();
    let e = entry(store.checklist(&phase).await.unwrap());
    assert_eq!(e.evidence_state, Some(EvidenceState::Failing));
    assert!(!e.signed);
    assert!(e.signoffs.iter().all(|s| s.needs_resign), "kept in history, no longer counted");
    // Re-signing counts again; editing the item lapses it again.
    store.sign_checklist_item(&rm, audit.id, SignoffVerdict::Approve, "Accepted: fix scheduled.").await.unwrap();
    assert!(entry(store.checklist(&phase).await.unwrap()).signed);
    store
        .update_checklist_item(&ed, audit.id, 4, &ItemInput { description: "Scan twice.".into(), ..input.clone() })
        .await
        .unwrap();
    let e = entry(store.checklist(&phase).await.unwrap());
    assert!(!e.signed);
    assert_eq!(e.signoffs.len(), 2);

    // Ordering and deletion (with the version in hand).
    let second = store.checklist(&phase).await.unwrap()[1].item.clone();
    store.move_checklist_item(&ed, second.id, true).await.unwrap();
    assert_eq!(store.checklist(&phase).await.unwrap()[0].item.id, second.id);
    assert!(matches!(store.delete_checklist_item(&ed, second.id, 99).await, Err(StoreError::Conflict(_))));
    store.delete_checklist_item(&ed, second.id, second.version).await.unwrap();
    assert_eq!(store.checklist(&phase).await.unwrap().len(), 16);

    // Templates: save this list, copy it into another phase.
    let saved = store.save_checklist_template(&ed, &phase, "Shop release").await.unwrap();
    assert_eq!(saved.items, 16);
    assert!(matches!(store.save_checklist_template(&ed, &phase, "Shop release").await, Err(StoreError::Conflict(_))));
    store
        .ingest(&ci, &report(project.id, "release-2", "security", SECURITY_CLEAN.as_bytes(), true, None))
        .await
        .unwrap();
    let next = store.phase(project.id, "release-2").await.unwrap();
    assert_eq!(store.copy_checklist(&ed, &phase, &next).await.unwrap(), 16);
    assert!(
        store
            .checklist(&next)
            .await
            .unwrap()
            .iter()
            .all(|e| e.item.status == readyboard_domain::checklist::ItemStatus::Todo && e.signoffs.is_empty())
    );
    let names: Vec<String> = store.checklist_templates().await.unwrap().into_iter().map(|t| t.name).collect();
    assert_eq!(names, ["Production readiness", "Shop release"]);

    let audit_log = store.audit_recent(200).await.unwrap();
    for action in [
        "checklist.fill",
        "checklist.update",
        "checklist.move",
        "checklist.delete",
        "signoff.create",
        "signoff.lapse",
        "template.create",
    ] {
        assert!(audit_log.iter().any(|a| a.action == action), "{action} audited");
    }
    // The audit page filters by phase, person and action family, newest first.
    let filter = readyboard_store::AuditFilter {
        phase_id: Some(phase.id),
        actor: Some("ed".into()),
        action: Some("checklist".into()),
        ..Default::default()
    };
    let rows = store.audit_search(&filter, 100).await.unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r.entry.action.starts_with("checklist.") && r.entry.actor_label == "ed"));
    assert!(rows.iter().all(|r| r.phase.as_deref() == Some("release-1") && r.project.as_deref() == Some("shop")));
    assert!(rows.windows(2).all(|w| w[0].entry.id > w[1].entry.id));
    let signoffs = readyboard_store::AuditFilter { action: Some("signoff.create".into()), ..Default::default() };
    assert_eq!(store.audit_search(&signoffs, 100).await.unwrap().len(), 2);
    let older = readyboard_store::AuditFilter { before_id: Some(rows[0].entry.id), ..filter };
    assert_eq!(store.audit_search(&older, 100).await.unwrap().len(), rows.len() - 1);
}

/// Flaky checks are kept per suite under the reports they were read from: after uploads to
/// one suite, and after its window of runs moves past old failures, the cached rankings are
/// exactly what a store with empty caches reads from the same database.
async fn flaky_story(store: Store, probe: Probe) {
    let ci = Actor::system("ci");
    let project = store.create_project(&ci, "shop", "Shop", "").await.unwrap();
    let run = |suite: &str, i: usize, status: &str| {
        let body = format!(
            r#"{{"schema": "readyboard/v1", "project": "shop", "phase": "release-1", "suite": "{suite}",
                "run": {{"id": {i}}},
                "checks": [{{"id": "steady", "status": "pass"}}, {{"id": "toggle", "status": "{status}"}}]}}"#
        );
        report(project.id, "release-1", suite, body.as_bytes(), true, None)
    };
    let fresh = || async {
        let other = Store::open(probe.url()).await.unwrap();
        let phase = other.phase(project.id, "release-1").await.unwrap();
        let flaky = serde_json::to_value(other.flaky_checks(phase.id).await.unwrap()).unwrap();
        other.close().await;
        flaky
    };
    let mut n = 0;
    for (suite, status) in [("a", "pass"), ("a", "fail"), ("b", "fail"), ("b", "pass")] {
        n += 1;
        store.ingest(&ci, &run(suite, n, status)).await.unwrap();
    }
    let phase = store.phase(project.id, "release-1").await.unwrap();
    let first = store.flaky_checks(phase.id).await.unwrap();
    let a = first.iter().find(|s| s.suite == "a").expect("suite a flips");
    assert_eq!((a.checks[0].key.as_str(), a.checks[0].runs, a.checks[0].flips), ("toggle", 2, 1));
    assert_eq!(serde_json::to_value(&first).unwrap(), fresh().await);

    // A third run of `a` flips again; `b` is untouched.
    n += 1;
    store.ingest(&ci, &run("a", n, "pass")).await.unwrap();
    let second = store.flaky_checks(phase.id).await.unwrap();
    let a = second.iter().find(|s| s.suite == "a").unwrap();
    assert_eq!((a.checks[0].runs, a.checks[0].flips), (3, 2));
    let b = |f: &[readyboard_store::SuiteFlaky]| serde_json::to_value(f.iter().find(|s| s.suite == "b")).unwrap();
    assert_eq!(b(&second), b(&first));
    assert_eq!(serde_json::to_value(&second).unwrap(), fresh().await);

    // Once the last runs of `a` all pass, its old failure falls out of the window.
    for _ in 0..readyboard_store::FLAKY_WINDOW {
        n += 1;
        store.ingest(&ci, &run("a", n, "pass")).await.unwrap();
    }
    let third = store.flaky_checks(phase.id).await.unwrap();
    assert!(third.iter().all(|s| s.suite != "a"), "{third:?}");
    assert_eq!(serde_json::to_value(&third).unwrap(), fresh().await);

    // On a history longer than the window, a new failure is ranked over the last
    // FLAKY_WINDOW runs only: the window is the suite's latest reports, oldest first.
    n += 1;
    store.ingest(&ci, &run("a", n, "fail")).await.unwrap();
    let fourth = store.flaky_checks(phase.id).await.unwrap();
    let a = fourth.iter().find(|s| s.suite == "a").expect("suite a flips again");
    assert_eq!((a.checks[0].runs, a.checks[0].flips), (readyboard_store::FLAKY_WINDOW as u32, 1));
    assert_eq!(a.checks[0].last_status.as_str(), "fail");
    assert_eq!(serde_json::to_value(&fourth).unwrap(), fresh().await);
    probe.close().await;
}

/// People signing in through a provider: an account per (issuer, subject), made once under a
/// free name (never a local account's), its role set from each sign-in, disabled stays off.
async fn external_sign_in_story(store: Store, _probe: Probe) {
    use readyboard_store::{AuditFilter, AuditKind, ExternalPerson, ExternalSignIn, NO_PASSWORD};
    let cli = Actor::system("cli");
    let local = store.create_user(&cli, "grace", "$argon2id$fake", Role::Admin).await.unwrap();
    let issuer = "https://id.example.test";
    let person = |subject: &'static str, names: &[&str], role| ExternalPerson {
        issuer,
        subject,
        names: names.iter().map(|n| n.to_string()).collect(),
        role,
    };
    let account = |outcome| match outcome {
        ExternalSignIn::Account(user) => user,
        ExternalSignIn::Disabled(user) => panic!("{} is disabled", user.username),
    };

    // The local "grace" is not the provider's grace: she gets a name of her own.
    let grace = account(store.sign_in_external(&person("acc-grace", &["grace"], Role::Editor)).await.unwrap());
    assert_eq!((grace.username.as_str(), grace.role.as_str()), ("grace-2", "editor"));
    assert_ne!(grace.id, local.id);
    assert_eq!(grace.password_hash, NO_PASSWORD);
    assert_eq!(store.user_by_name("grace").await.unwrap().unwrap().role, Role::Admin);

    // The same subject signs in as the same account, with the role of this sign-in.
    let again = account(store.sign_in_external(&person("acc-grace", &["someone-else"], Role::Approver)).await.unwrap());
    assert_eq!((again.id, again.username.as_str(), again.role.as_str()), (grace.id, "grace-2", "approver"));
    assert_eq!(store.user_by_id(grace.id).await.unwrap().unwrap().role, Role::Approver);
    // Unchanged role: no audit entry for it.
    store.sign_in_external(&person("acc-grace", &[], Role::Approver)).await.unwrap();

    // Another issuer's subject of the same value is another person; unusable names fall back.
    let other =
        ExternalPerson { issuer: "https://other.example.test", ..person("acc-grace", &["日本"], Role::Viewer) };
    let other = account(store.sign_in_external(&other).await.unwrap());
    assert_eq!(other.username, "user-acc-grace");

    // A disabled account stays disabled whatever the provider says.
    store.set_disabled(&cli, grace.id, true).await.unwrap();
    match store.sign_in_external(&person("acc-grace", &[], Role::Admin)).await.unwrap() {
        ExternalSignIn::Disabled(user) => assert_eq!((user.id, user.role.as_str()), (grace.id, "approver")),
        ExternalSignIn::Account(_) => panic!("a disabled account signed in"),
    }

    let changes = AuditFilter { kind: AuditKind::Changes, ..Default::default() };
    let rows = store.audit_search(&changes, 100).await.unwrap();
    let by_provider: Vec<_> = rows
        .iter()
        .filter(|r| r.entry.actor_label == format!("sign-in through {issuer}"))
        .map(|r| r.entry.action.as_str())
        .collect();
    assert_eq!(by_provider, ["user.role", "user.create"], "newest first: one creation, one role change");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_sign_in_on_sqlite() {
    on_sqlite(external_sign_in_story).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_sign_in_on_postgres() {
    on_postgres(external_sign_in_story).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flaky_on_sqlite() {
    on_sqlite(flaky_story).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flaky_on_postgres() {
    on_postgres(flaky_story).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checklist_on_sqlite() {
    on_sqlite(checklist_story).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checklist_on_postgres() {
    on_postgres(checklist_story).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trends_on_sqlite() {
    on_sqlite(trends_story).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trends_on_postgres() {
    on_postgres(trends_story).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_on_sqlite() {
    on_sqlite(decisions_story).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_on_postgres() {
    on_postgres(decisions_story).await;
}

#[tokio::test]
async fn audit_names_subjects_and_keeps_sign_ins_apart_on_sqlite() {
    on_sqlite(audit_names_story).await;
}

#[tokio::test]
async fn audit_names_subjects_and_keeps_sign_ins_apart_on_postgres() {
    on_postgres(audit_names_story).await;
}

#[tokio::test]
async fn blockers_filter_by_place_and_owners_are_users_on_sqlite() {
    on_sqlite(blocker_places_and_owners).await;
}

#[tokio::test]
async fn blockers_filter_by_place_and_owners_are_users_on_postgres() {
    on_postgres(blocker_places_and_owners).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocker_lifecycle_on_sqlite() {
    on_sqlite(blocker_lifecycle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocker_lifecycle_on_postgres() {
    on_postgres(blocker_lifecycle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn story_users_tokens_ingest_blockers_reads_and_audit_on_sqlite() {
    on_sqlite(story).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn story_users_tokens_ingest_blockers_reads_and_audit_on_postgres() {
    on_postgres(story).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_ingests_store_distinct_reports_once_and_deduplicate_copies_on_sqlite() {
    on_sqlite(concurrent_ingests).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_ingests_store_distinct_reports_once_and_deduplicate_copies_on_postgres() {
    on_postgres(concurrent_ingests).await;
}

/// A person lists their own personal tokens only, and may revoke only theirs; the command
/// line may revoke anyone's. Every change is audited.
async fn personal_tokens_story(store: Store, _probe: Probe) {
    let cli = Actor::system("cli");
    let ann = store.create_user(&cli, "ann", "x", Role::Editor).await.unwrap();
    let ben = store.create_user(&cli, "ben", "x", Role::Viewer).await.unwrap();
    let as_ann = Actor::user(ann.id, "ann");
    let first = store.create_personal_token(&as_ann, "ann", "laptop", "h1", "rbp_1111").await.unwrap();
    let second = store.create_personal_token(&as_ann, "ann", "  pipeline  ", "h2", "rbp_2222").await.unwrap();
    let bens = store.create_personal_token(&cli, "ben", "bot", "h3", "rbp_3333").await.unwrap();
    assert_eq!(second.name, "pipeline", "names are trimmed");
    for name in ["", "   ", "é".repeat(101).as_str()] {
        let refused = store.create_personal_token(&as_ann, "ann", name, "h4", "rbp_4444").await;
        assert!(matches!(refused, Err(StoreError::Invalid(_))), "{name:?}: {refused:?}");
    }
    store.create_personal_token(&as_ann, "ann", &"é".repeat(100), "h5", "rbp_5555").await.expect("100 characters");

    let anns = store.personal_tokens_of(ann.id).await.unwrap();
    let names: Vec<&str> = anns.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, vec!["é".repeat(100).as_str(), "pipeline", "laptop"], "newest first");
    assert!(anns.iter().all(|t| t.username == "ann"));
    let only_bens = store.personal_tokens_of(ben.id).await.unwrap();
    assert_eq!(only_bens.iter().map(|t| t.id).collect::<Vec<_>>(), vec![bens.id]);

    // Ann cannot revoke Ben's token: not found, as an unknown id is, and nothing is written.
    let audited = store.audit_recent(1).await.unwrap()[0].id;
    let theirs = store.revoke_own_personal_token(&as_ann, ann.id, bens.id).await;
    assert!(matches!(theirs, Err(StoreError::NotFound)), "{theirs:?}");
    assert!(matches!(store.revoke_own_personal_token(&as_ann, ann.id, 999_999).await, Err(StoreError::NotFound)));
    assert_eq!(store.audit_recent(1).await.unwrap()[0].id, audited, "a refusal writes nothing");
    assert!(store.personal_token_user("h3").await.unwrap().is_some(), "Ben's token still works");

    // Her own she can, once; it stops working, and the audit log says who did it.
    store.revoke_own_personal_token(&as_ann, ann.id, first.id).await.unwrap();
    let again = store.revoke_own_personal_token(&as_ann, ann.id, first.id).await;
    assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");
    assert!(store.personal_token_user("h1").await.unwrap().is_none());
    assert!(store.personal_token_user("h2").await.unwrap().is_some());
    let revoked: Vec<_> =
        store.personal_tokens_of(ann.id).await.unwrap().into_iter().filter(|t| t.revoked_at.is_some()).collect();
    assert_eq!(revoked.iter().map(|t| t.id).collect::<Vec<_>>(), vec![first.id]);
    let entry = &store.audit_recent(1).await.unwrap()[0];
    assert_eq!((entry.action.as_str(), entry.actor_label.as_str()), ("personal_token.revoke", "ann"));
    assert_eq!(entry.entity_id.as_deref(), Some(ann.id.to_string().as_str()));

    // The command line revokes anyone's.
    store.revoke_personal_token(&cli, bens.id).await.unwrap();
    assert!(store.personal_token_user("h3").await.unwrap().is_none());
}

#[tokio::test]
async fn a_person_lists_and_revokes_only_their_own_personal_tokens_on_sqlite() {
    on_sqlite(personal_tokens_story).await;
}

#[tokio::test]
async fn a_person_lists_and_revokes_only_their_own_personal_tokens_on_postgres() {
    on_postgres(personal_tokens_story).await;
}

#[tokio::test]
async fn in_memory_sqlite_opens_migrated_and_answers_pings() {
    let store = Store::open("sqlite::memory:").await.expect("open in memory");
    store.ping().await.expect("ping");
    assert_eq!(store.count_users().await.unwrap(), 0);
    assert!(store.list_projects().await.unwrap().is_empty());
}

#[test]
fn database_name_is_replaced_in_postgres_urls() {
    assert_eq!(with_database("postgres://u@h:5432/postgres", "x"), "postgres://u@h:5432/x");
    assert_eq!(with_database("postgres://u:p@h/postgres?sslmode=disable", "x"), "postgres://u:p@h/x?sslmode=disable");
    assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
}

/// The limits hold the same on both backends: NUL in a text is stored replaced (PostgreSQL
/// cannot store it), unsafe names are refused before the database sees them.
async fn limits_story(store: Store, _probe: Probe) {
    let actor = Actor::system("test");
    let project = store.create_project(&actor, "shop", "Shop", "").await.unwrap();
    let body = br#"{"schema": "readyboard/v1", "project": "shop", "phase": "p1", "suite": "unit",
                    "checks": [{"id": "nul\u0000name", "status": "fail", "message": "bad\u0000byte"}]}"#;
    let outcome = store.ingest(&actor, &report(project.id, "p1", "unit", body, true, None)).await.expect("stored");
    let checks = store.checks(outcome.report_id, None, 0, 10).await.expect("checks");
    assert_eq!(checks.1[0].message, "bad\u{FFFD}byte");
    for suite in ["../../etc/passwd", "a\0b", "esc\u{1b}[0m"] {
        let r = report(project.id, "p1", suite, body, true, None);
        assert!(matches!(store.ingest(&actor, &r).await, Err(StoreError::Invalid(_))), "{suite:?}");
    }

    // A phase created with its settings has them; settings that break the rules create nothing.
    let settings = readyboard_store::PhaseSettingsUpdate {
        ready_threshold: 85.0,
        conditional_threshold: 60.0,
        freshness_days: 7,
        category_weights: Default::default(),
    };
    let ph = store.create_phase_with(&actor, project.id, "go-live", "Go-live", Some(&settings)).await.unwrap();
    assert_eq!((ph.ready_threshold, ph.conditional_threshold, ph.freshness_days), (85.0, 60.0, 7));
    let upside_down = readyboard_store::PhaseSettingsUpdate { conditional_threshold: 95.0, ..settings.clone() };
    let refused = store.create_phase_with(&actor, project.id, "later", "Later", Some(&upside_down)).await;
    assert!(matches!(refused, Err(StoreError::Invalid(_))), "{refused:?}");
    assert!(matches!(store.phase(project.id, "later").await, Err(StoreError::NotFound)));
    let taken = store.create_phase_with(&actor, project.id, "go-live", "Again", None).await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_on_sqlite() {
    on_sqlite(limits_story).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_on_postgres() {
    on_postgres(limits_story).await;
}

/// Retention prunes check rows and raw artifacts of reports past it, in batches, audited;
/// counts, category aggregates, history and the latest report of every suite stay.
async fn retention_story(store: Store, _probe: Probe) {
    use readyboard_store::AuditFilter;
    const DAY: i64 = 86_400_000;
    let (cli, ci) = (Actor::system("cli"), Actor::system("ci"));
    let shop = store.create_project(&cli, "shop", "Shop", "").await.unwrap();
    let now = readyboard_store::now_ms();
    let mut ids = Vec::new();
    for (i, age_days) in [(0, 40), (4, 35), (8, 1)] {
        let mut r = report(shop.id, "release-1", "unit", distinct_report(i).as_bytes(), true, None);
        r.received_at = now - age_days * DAY;
        ids.push(store.ingest(&ci, &r).await.unwrap().report_id);
    }
    // The only report of a suite stays however old it is: it is that suite's latest.
    let mut lone = report(shop.id, "release-1", "security", SECURITY_CLEAN.as_bytes(), true, None);
    lone.received_at = now - 90 * DAY;
    let lone = store.ingest(&ci, &lone).await.unwrap().report_id;
    let phase = store.phase(shop.id, "release-1").await.unwrap();
    let history = store.phase_history(phase.id, None).await.unwrap().len();
    let oldest = store.report(ids[0]).await.unwrap();
    let own_score = store.judge_report(&oldest, &phase, &[]).await.unwrap().score;
    let checks_due =
        store.checks(ids[0], None, 0, 100).await.unwrap().0 + store.checks(ids[1], None, 0, 100).await.unwrap().0;
    assert_eq!(checks_due, 4);

    // Forever by default; a retention out of range is refused.
    assert!(store.prune_plan(now).await.unwrap().is_empty());
    assert!(matches!(store.set_retention(&cli, shop.id, Some(0)).await, Err(StoreError::Invalid(_))));
    store.set_retention(&cli, shop.id, Some(30)).await.unwrap();
    assert_eq!(store.project("shop").await.unwrap().retention_days, Some(30));
    let plan = store.prune_plan(now).await.unwrap();
    assert_eq!(plan.len(), 1, "{plan:?}");
    assert_eq!((plan[0].project.as_str(), plan[0].retention_days, plan[0].reports, plan[0].checks), ("shop", 30, 2, 4));
    assert!(store.report(ids[0]).await.unwrap().pruned_at.is_none(), "a plan changes nothing");

    // One report per batch: two batches, two audit entries; what went is what was planned.
    assert_eq!(store.prune(&cli, now, 1).await.unwrap(), plan);
    for id in &ids[..2] {
        let r = store.report(*id).await.unwrap();
        assert!(r.pruned_at.is_some());
        assert_eq!(store.checks(*id, None, 0, 10).await.unwrap().0, 0);
        assert!(store.report_raw(*id).await.unwrap().is_empty());
    }
    let pruned = store.report(ids[0]).await.unwrap();
    assert_eq!(
        (pruned.counts.tests, pruned.counts.passed, pruned.counts.failed),
        (oldest.counts.tests, oldest.counts.passed, oldest.counts.failed)
    );
    assert_eq!(store.judge_report(&pruned, &phase, &[]).await.unwrap().score, own_score, "aggregates kept");
    for id in [ids[2], lone] {
        assert!(store.report(id).await.unwrap().pruned_at.is_none());
        assert!(!store.report_raw(id).await.unwrap().is_empty());
    }
    assert_eq!(store.phase_history(phase.id, None).await.unwrap().len(), history);
    let filter = AuditFilter { action: Some("retention.prune".into()), ..Default::default() };
    let audit = store.audit_search(&filter, 10).await.unwrap();
    assert_eq!(audit.len(), 2);
    assert!(audit.iter().all(|a| a.entry.after_json.as_deref().is_some_and(|j| j.contains("\"reports\":1"))));
    assert!(store.prune(&cli, now, 10).await.unwrap().is_empty(), "nothing is pruned twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_on_sqlite() {
    on_sqlite(retention_story).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_on_postgres() {
    on_postgres(retention_story).await;
}

// ---------------------------------------------------------------------------------------
// Changes live pages follow
// ---------------------------------------------------------------------------------------

/// Waits (at most five seconds) until `views` says views and pages were outdated.
async fn outdated(views: &mut tokio::sync::watch::Receiver<u64>) {
    tokio::time::timeout(Duration::from_secs(5), views.changed())
        .await
        .expect("views are outdated within five seconds")
        .expect("the store is open");
}

async fn changes_story(store: Store, _probe: Probe) {
    let cli = Actor::system("test");
    let mut views = store.watch_views();
    let before = store.last_change_id().await.unwrap();
    let shop = store.create_project(&cli, "shop", "Shop", "").await.unwrap();
    outdated(&mut views).await;
    store.create_phase(&cli, shop.id, "rc", "RC").await.unwrap();
    outdated(&mut views).await;
    // A sign-in is no change to a project: it is not in the feed.
    store.audit_event(&cli, "auth.login", "user", Some("1".into())).await.unwrap();
    let changes = store.changes_after(before, 10).await.unwrap();
    let seen: Vec<_> = changes.iter().map(|c| (c.action.as_str(), c.project.as_str(), c.phase.as_deref())).collect();
    assert_eq!(seen, [("project.create", "shop", None), ("phase.create", "shop", Some("rc"))]);
    assert!(changes.windows(2).all(|w| w[0].id < w[1].id), "oldest first");
    assert!(changes.iter().all(|c| c.project_id == shop.id));
    let newest = store.last_change_id().await.unwrap();
    assert!(newest > changes[1].id, "the sign-in has a later entry: {newest}");
    assert!(store.changes_after(newest, 10).await.unwrap().is_empty());
    assert_eq!(store.changes_after(before, 1).await.unwrap().len(), 1, "at most `limit`");
}

#[tokio::test]
async fn changes_are_numbered_and_announced_on_sqlite() {
    on_sqlite(changes_story).await;
}

#[tokio::test]
async fn changes_are_numbered_and_announced_on_postgres() {
    on_postgres(changes_story).await;
}

/// Two instances on one PostgreSQL database: a change committed through one outdates the
/// other's views and caches at once, instead of when its cached entries expire.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_instances_learn_of_changes_on_postgres() {
    let Some((name, url)) = create_pg_database().await else { return };
    let result = tokio::spawn(async move {
        let (a, b) = (Store::open(&url).await.unwrap(), Store::open(&url).await.unwrap());
        assert!(b.follow_other_instances().await, "b listens");
        let cli = Actor::system("test");
        let shop = a.create_project(&cli, "shop", "Shop", "").await.unwrap();
        let rc = a.create_phase(&cli, shop.id, "rc", "RC").await.unwrap();
        // b reads the phase, and keeps it in its cache.
        assert_eq!(b.phase(shop.id, "rc").await.unwrap().freshness_days, rc.freshness_days);
        let mut views = b.watch_views();
        let settings = readyboard_store::PhaseSettingsUpdate {
            ready_threshold: 90.0,
            conditional_threshold: 60.0,
            freshness_days: rc.freshness_days + 3,
            category_weights: Default::default(),
        };
        a.update_phase_settings(&cli, rc.id, &settings).await.unwrap();
        outdated(&mut views).await;
        let seen = b.phase(shop.id, "rc").await.unwrap();
        assert_eq!(seen.freshness_days, rc.freshness_days + 3, "b's cached phase was outdated");
        let last = b.changes_after(0, 10).await.unwrap().pop().expect("a change");
        assert_eq!((last.action.as_str(), last.phase.as_deref()), ("phase.settings", Some("rc")));
        a.close().await;
        b.close().await;
    })
    .await;
    drop_pg_database(&name).await;
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}
