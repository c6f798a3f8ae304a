//! Storing a parsed report atomically, with its aggregates, blockers and the phase's
//! re-evaluated score.

use readyboard_domain::blockers;
use readyboard_domain::checklist::EvidenceState;
use readyboard_domain::model::{Counts, ParsedReport, RunMeta};
use readyboard_domain::scoring::{self, CategoryTally, Scorecard};
use serde::Serialize;
use serde_json::json;
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;

use crate::audit::{Actor, AuditWrite, write_audit};
use crate::db::BeginWrite;
use crate::db::{Db, Store, now_ms};
use crate::error::{StoreError, StoreResult};
use crate::projects::{PHASE_COLUMNS, PhaseRow};

/// Rows per multi-row INSERT: well under SQLite's 32,766 and PostgreSQL's 65,535 bind limits.
const CHUNK: usize = 1_000;

/// A report ready to be stored.
#[derive(Debug, Clone)]
pub struct NewReport {
    /// Project id (already authorised).
    pub project_id: i64,
    /// Phase slug.
    pub phase: String,
    /// Phase display name, when creating it.
    pub phase_name: Option<String>,
    /// Whether a missing phase may be created.
    pub create_phase: bool,
    /// Suite name.
    pub suite: String,
    /// Suite kind.
    pub kind: Option<String>,
    /// What the parser extracted.
    pub parsed: ParsedReport,
    /// Run metadata (request parameters over artifact values).
    pub run: RunMeta,
    /// Start, unix ms.
    pub started_at: Option<i64>,
    /// Finish, unix ms.
    pub finished_at: Option<i64>,
    /// Receipt time, unix ms (the demo back-dates history).
    pub received_at: i64,
    /// The artifact, gzip-compressed.
    pub raw_gzip: Vec<u8>,
    /// Decompressed artifact size.
    pub raw_size: i64,
    /// SHA-256 of the decompressed artifact, hex.
    pub content_hash: String,
    /// Client-chosen idempotency key.
    pub idempotency_key: Option<String>,
    /// `parsed.checks` already encoded, or `None` to encode them while storing.
    pub encoded_checks: Option<crate::check_sets::EncodedChecks>,
}

/// What storing a report produced.
#[derive(Debug, Clone, Serialize)]
pub struct IngestOutcome {
    /// Report id.
    pub report_id: i64,
    /// False when an identical upload already existed (nothing was written).
    pub created: bool,
    /// Phase id.
    pub phase_id: i64,
    /// The report's phase, suite, format and counts, and the phase's score and verdict.
    #[serde(flatten)]
    pub stored: StoredReport,
    /// Milliseconds spent encoding the checks before the write, and writing.
    #[serde(skip)]
    pub timing: IngestTiming,
}

/// Where an ingest's time went, in milliseconds (for `Server-Timing`).
#[derive(Debug, Clone, Copy, Default)]
pub struct IngestTiming {
    /// Tallying the checks (and encoding them, unless the caller did), before the transaction.
    pub encode_ms: f64,
    /// The transaction, from its first statement to its commit (waiting for the write lock included).
    pub write_ms: f64,
}

/// A stored report's phase, suite, format and counts, with its phase's score and verdict
/// after it (or, for a report read later, now).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredReport {
    /// Phase slug.
    pub phase: String,
    /// Suite name.
    pub suite: String,
    /// Format the report was read as.
    pub format: String,
    /// The report's checks, each in exactly one bucket.
    pub counts: Counts,
    /// Phase score, one decimal; `null` without scorable evidence.
    pub score: Option<f64>,
    /// Phase verdict.
    pub verdict: readyboard_domain::scoring::Verdict,
}

impl StoredReport {
    /// The report `suite`, `format`, `counts` in `phase`, with the phase's scorecard.
    pub fn new(phase: String, suite: String, format: String, counts: Counts, card: &Scorecard) -> StoredReport {
        StoredReport { phase, suite, format, counts, score: card.display_score(), verdict: card.verdict }
    }
}

/// A report's checks as stored: as the caller encoded them ahead, or encoded now. Encoding
/// 100,000 checks takes a few hundred milliseconds of CPU: on a multi-threaded runtime the
/// worker hands its other tasks to the rest first.
fn encode_checks(r: &NewReport) -> std::borrow::Cow<'_, [u8]> {
    let checks = &r.parsed.checks;
    if let Some(body) = r.encoded_checks.as_ref().and_then(|e| e.body_for(checks)) {
        return body.into();
    }
    let multi = tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    if checks.len() >= 10_000 && multi {
        tokio::task::block_in_place(|| crate::check_sets::encode(checks)).into()
    } else {
        crate::check_sets::encode(checks).into()
    }
}

/// What the ingest computes from a report before its transaction.
struct Derived<'a> {
    /// The report's counts.
    counts: Counts,
    /// Per-category aggregates.
    tallies: Vec<CategoryTally>,
    /// The checks as stored (see [`crate::check_sets`]).
    check_set: std::borrow::Cow<'a, [u8]>,
}

/// A stored report's id, phase and evaluation after it; or the id of the identical report stored earlier.
type Stored = Result<(i64, PhaseRow, Scorecard), i64>;

/// Where a stored report landed: its phase, suite and id, and when it arrived.
struct Landing {
    phase_id: i64,
    suite_id: i64,
    report_id: i64,
    /// When the report arrived (unix ms).
    at: i64,
}

/// A value either backend binds as a query parameter (`Encode + Type`, in the ingest steps' bounds).
trait Param<'q, DB: sqlx::Database>: sqlx::Encode<'q, DB> + sqlx::Type<DB> {}

impl<'q, DB: sqlx::Database, T: sqlx::Encode<'q, DB> + sqlx::Type<DB>> Param<'q, DB> for T {}

/// How many rows a statement changed, on either backend.
trait RowsAffected {
    /// The rows the statement inserted, updated or deleted.
    fn rows_affected(&self) -> u64;
}

impl RowsAffected for sqlx::sqlite::SqliteQueryResult {
    fn rows_affected(&self) -> u64 {
        sqlx::sqlite::SqliteQueryResult::rows_affected(self)
    }
}

impl RowsAffected for sqlx::postgres::PgQueryResult {
    fn rows_affected(&self) -> u64 {
        sqlx::postgres::PgQueryResult::rows_affected(self)
    }
}

/// Stores a report row; its parameters in the order [`Steps::insert_report`] binds them.
const INSERT_REPORT: &str = "INSERT INTO reports (suite_id, phase_id, format, content_hash, idempotency_key, run_id, \
     environment, commit_sha, branch, ci_url, started_at, finished_at, received_at, tests, passed, failed, errors, \
     skipped, score, claimed_score, claimed_verdict, claimed_confidence, notes, raw_size, raw_gzip, token_id, \
     uploaded_by, partial, not_run, provenance) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
     $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30) RETURNING id";

/// Opens a derived blocker, or bumps the one with its fingerprint (a waived one stays waived).
const UPSERT_BLOCKER: &str = "INSERT INTO blockers (phase_id, suite_id, fingerprint, source, severity, title, status, \
     first_seen_at, last_seen_at, occurrences, first_report_id, last_report_id) \
     VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $7, 1, $8, $8) \
     ON CONFLICT (phase_id, fingerprint) DO UPDATE SET \
     last_seen_at = excluded.last_seen_at, last_report_id = excluded.last_report_id, \
     occurrences = blockers.occurrences + 1, severity = excluded.severity, title = excluded.title, \
     status = CASE WHEN blockers.status = 'waived' THEN 'waived' ELSE 'open' END, \
     resolved_report_id = NULL, resolved_at = NULL";

/// Records where the phase stood when a report arrived.
const INSERT_HISTORY: &str = "INSERT INTO phase_history (phase_id, report_id, at, score, verdict, categories, \
     blockers_critical, blockers_high, blockers_medium, blockers_low) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

/// The audit entry of a phase created by its first upload.
fn phase_created(r: &NewReport, phase: &PhaseRow, name: &str) -> AuditWrite<'static> {
    AuditWrite {
        action: "phase.create",
        entity: "phase",
        entity_id: Some(phase.id.to_string()),
        project_id: Some(r.project_id),
        phase_id: Some(phase.id),
        before: None,
        after: Some(json!({"slug": r.phase, "name": name})),
    }
}

/// The audit entry of a stored report.
fn report_created(r: &NewReport, phase_id: i64, report_id: i64, tests: u64) -> AuditWrite<'static> {
    AuditWrite {
        action: "report.create",
        entity: "report",
        entity_id: Some(report_id.to_string()),
        project_id: Some(r.project_id),
        phase_id: Some(phase_id),
        before: None,
        after: Some(json!({"suite": r.suite, "format": r.parsed.format, "tests": tests})),
    }
}

/// The audit entry of sign-offs lapsed because a report's evidence for their item fails.
fn signoffs_lapsed(r: &NewReport, at: &Landing, item_id: i64, state: EvidenceState, n: u64) -> AuditWrite<'static> {
    AuditWrite {
        action: "signoff.lapse",
        entity: "checklist_item",
        entity_id: Some(item_id.to_string()),
        project_id: Some(r.project_id),
        phase_id: Some(at.phase_id),
        before: None,
        after: Some(
            json!({"reason": format!("evidence {} in report {}", state.as_str(), at.report_id), "signoffs": n}),
        ),
    }
}

/// The report's notes as stored (a JSON array).
fn notes_json(parsed: &ParsedReport) -> String {
    serde_json::to_string(&parsed.notes).unwrap_or_else(|_| "[]".into())
}

/// The open derived blockers of a suite that the new report no longer shows: resolved by it.
fn gone_blockers(open: &[(i64, String)], candidates: &[blockers::BlockerCandidate]) -> Vec<i64> {
    let seen: std::collections::HashSet<&str> = candidates.iter().map(|c| c.fingerprint.as_str()).collect();
    open.iter().filter(|(_, fp)| !seen.contains(fp.as_str())).map(|(id, _)| *id).collect()
}

/// The suite's linked checklist items (id, check) whose evidence in the report voids their sign-offs.
fn lapsing_items(parsed: &ParsedReport, linked: &[(i64, Option<String>)]) -> Vec<(i64, EvidenceState)> {
    linked
        .iter()
        .filter_map(|(item_id, check)| {
            let result = crate::checklist::linked_in_report(parsed, check.as_deref());
            let state = readyboard_domain::checklist::evidence_state(result, None, 0, 0);
            state.voids_signoffs().then_some((*item_id, state))
        })
        .collect()
}

/// The category scores of an evaluation as the phase history stores them (JSON).
fn history_categories(card: &Scorecard) -> String {
    let categories: Vec<serde_json::Value> =
        card.categories.iter().map(|c| json!({"name": c.name, "score": c.score.map(scoring::round1)})).collect();
    serde_json::Value::Array(categories).to_string()
}

/// Open blockers of a severity, from (severity, count) rows.
fn open_of(by_severity: &[(String, i64)], severity: &str) -> i64 {
    by_severity.iter().find(|(s, _)| s == severity).map_or(0, |(_, n)| *n)
}

/// The ingest's steps in its open transaction, on either backend: the bounds below, stated
/// once, are what both backends meet.
struct Steps<'t, 'c, DB: sqlx::Database>(&'t mut sqlx::Transaction<'c, DB>);

impl<DB> Steps<'_, '_, DB>
where
    DB: sqlx::Database,
    for<'e> &'e mut DB::Connection: sqlx::Executor<'e, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> i64: Param<'q, DB>,
    for<'q> Option<i64>: Param<'q, DB>,
    for<'q> Option<String>: Param<'q, DB>,
    for<'q> &'q str: Param<'q, DB>,
    for<'q> &'q String: Param<'q, DB>,
    DB::QueryResult: RowsAffected,
    for<'r> PhaseRow: sqlx::FromRow<'r, DB::Row>,
    for<'r> (i64,): sqlx::FromRow<'r, DB::Row>,
    for<'q> Option<&'q str>: Param<'q, DB>,
    for<'q> Option<f64>: Param<'q, DB>,
    for<'q> &'q [u8]: Param<'q, DB>,
    for<'q> f64: Param<'q, DB>,
    for<'r> (i64, String): sqlx::FromRow<'r, DB::Row>,
    for<'r> (i64, Option<String>): sqlx::FromRow<'r, DB::Row>,
    for<'r> (String, i64): sqlx::FromRow<'r, DB::Row>,
{
    /// The phase a report goes to, in the ingest's transaction; created (audited) when missing and allowed.
    async fn phase_for_report(&mut self, actor: &Actor, r: &NewReport) -> StoreResult<PhaseRow> {
        let phase_sql = format!("SELECT {PHASE_COLUMNS} FROM phases WHERE project_id = $1 AND slug = $2");
        let existing = sqlx::query_as::<_, PhaseRow>(&phase_sql)
            .bind(r.project_id)
            .bind(r.phase.as_str())
            .fetch_optional(&mut **self.0)
            .await?;
        if let Some(p) = existing {
            return Ok(p);
        }
        if !r.create_phase {
            return Err(StoreError::NotFound);
        }
        let position =
            sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(position), 0) + 1 FROM phases WHERE project_id = $1")
                .bind(r.project_id)
                .fetch_one(&mut **self.0)
                .await?;
        let name = r.phase_name.clone().unwrap_or_else(|| r.phase.clone());
        // Two first uploads to a new phase may race (PostgreSQL): one inserts, both read.
        let inserted = sqlx::query(
            "INSERT INTO phases (project_id, slug, name, position, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (project_id, slug) DO NOTHING",
        )
        .bind(r.project_id)
        .bind(r.phase.as_str())
        .bind(name.as_str())
        .bind(position)
        .bind(r.received_at)
        .execute(&mut **self.0)
        .await?
        .rows_affected();
        let p = sqlx::query_as::<_, PhaseRow>(&phase_sql)
            .bind(r.project_id)
            .bind(r.phase.as_str())
            .fetch_one(&mut **self.0)
            .await?;
        if inserted > 0 {
            write_audit!(&mut **self.0, actor, phase_created(r, &p, &name))?;
        }
        Ok(p)
    }

    /// The id of the suite a report goes to, in the ingest's transaction; created when missing.
    async fn suite_for_report(&mut self, phase_id: i64, r: &NewReport) -> StoreResult<i64> {
        sqlx::query(
            "INSERT INTO suites (phase_id, name, kind, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (phase_id, name) DO NOTHING",
        )
        .bind(phase_id)
        .bind(r.suite.as_str())
        .bind(r.kind.as_deref())
        .bind(r.received_at)
        .execute(&mut **self.0)
        .await?;
        Ok(sqlx::query_scalar::<_, i64>("SELECT id FROM suites WHERE phase_id = $1 AND name = $2")
            .bind(phase_id)
            .bind(r.suite.as_str())
            .fetch_one(&mut **self.0)
            .await?)
    }

    /// The report stored earlier with the same content in the suite or the same idempotency key in the phase.
    async fn stored_before(&mut self, phase_id: i64, suite_id: i64, r: &NewReport) -> StoreResult<Option<i64>> {
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT id FROM reports WHERE (suite_id = $1 AND content_hash = $2) \
             OR (phase_id = $3 AND idempotency_key IS NOT NULL AND idempotency_key = $4) ORDER BY id LIMIT 1",
        )
        .bind(suite_id)
        .bind(r.content_hash.as_str())
        .bind(phase_id)
        .bind(r.idempotency_key.as_deref())
        .fetch_optional(&mut **self.0)
        .await?)
    }

    /// Stores the report's row (run, counts, its own score, the artifact) in the ingest's transaction; its id.
    async fn insert_report(
        &mut self,
        actor: &Actor,
        r: &NewReport,
        phase: &PhaseRow,
        suite_id: i64,
        counts: Counts,
        tallies: &[CategoryTally],
    ) -> StoreResult<i64> {
        let claimed = r.parsed.claimed.clone().unwrap_or_default();
        let notes = notes_json(&r.parsed);
        let run = &r.run;
        sqlx::query_scalar::<_, i64>(INSERT_REPORT)
            .bind(suite_id)
            .bind(phase.id)
            .bind(r.parsed.format.as_str())
            .bind(r.content_hash.as_str())
            .bind(r.idempotency_key.as_deref())
            .bind(run.id.as_deref())
            .bind(run.environment.as_deref())
            .bind(run.commit.as_deref())
            .bind(run.branch.as_deref())
            .bind(run.url.as_deref())
            .bind(r.started_at)
            .bind(r.finished_at)
            .bind(r.received_at)
            .bind(counts.tests as i64)
            .bind(counts.passed as i64)
            .bind(counts.failed as i64)
            .bind(counts.errors as i64)
            .bind(counts.skipped as i64)
            // The report's own score: the phase formula (category means, phase weights) applied
            // to this report alone, so it matches what the scorecard says of it.
            .bind(scoring::report_score(&phase.settings(), tallies))
            .bind(claimed.score)
            .bind(claimed.verdict.as_deref())
            .bind(claimed.confidence)
            .bind(notes.as_str())
            .bind(r.raw_size)
            .bind(r.raw_gzip.as_slice())
            .bind(actor.token_id)
            .bind(actor.user_id)
            .bind(counts.partial as i64)
            .bind(counts.not_run as i64)
            .bind(r.parsed.provenance.as_str())
            .fetch_one(&mut **self.0)
            .await
            .map_err(|e| StoreError::unique(e, "report"))
    }

    /// Stores a report's per-category aggregates (what evaluations read) in the ingest's transaction.
    async fn insert_tallies(&mut self, report_id: i64, tallies: &[CategoryTally]) -> StoreResult<()> {
        for t in tallies {
            sqlx::query(
                "INSERT INTO report_categories (report_id, category, weighted_credit, weight, checks, passed, \
                 failed, errors, skipped, partial, not_run) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(report_id)
            .bind(t.category.as_str())
            .bind(t.weighted_credit)
            .bind(t.weight)
            .bind(t.checks as i64)
            .bind(t.counts.passed as i64)
            .bind(t.counts.failed as i64)
            .bind(t.counts.errors as i64)
            .bind(t.counts.skipped as i64)
            .bind(t.counts.partial as i64)
            .bind(t.counts.not_run as i64)
            .execute(&mut **self.0)
            .await?;
        }
        Ok(())
    }

    /// Reconciles the suite's derived blockers with a new report in the ingest's transaction.
    async fn track_blockers(&mut self, at: &Landing, candidates: &[blockers::BlockerCandidate]) -> StoreResult<()> {
        // One row per fingerprint; seen again → bumped, gone → resolved.
        let open: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, fingerprint FROM blockers WHERE phase_id = $1 AND suite_id = $2 AND status = 'open' \
             AND source <> 'manual'",
        )
        .bind(at.phase_id)
        .bind(at.suite_id)
        .fetch_all(&mut **self.0)
        .await?;
        for id in gone_blockers(&open, candidates) {
            sqlx::query(
                "UPDATE blockers SET status = 'resolved', resolved_report_id = $1, resolved_at = $2 WHERE id = $3",
            )
            .bind(at.report_id)
            .bind(at.at)
            .bind(id)
            .execute(&mut **self.0)
            .await?;
        }
        for c in candidates {
            sqlx::query(UPSERT_BLOCKER)
                .bind(at.phase_id)
                .bind(at.suite_id)
                .bind(c.fingerprint.as_str())
                .bind(c.source.as_str())
                .bind(c.severity.as_str())
                .bind(c.title.as_str())
                .bind(at.at)
                .bind(at.report_id)
                .execute(&mut **self.0)
                .await?;
        }
        Ok(())
    }

    /// Lapses in the ingest's transaction the sign-offs of linked items the new report fails; audited.
    async fn lapse_linked_signoffs(&mut self, actor: &Actor, r: &NewReport, at: &Landing) -> StoreResult<()> {
        let linked: Vec<(i64, Option<String>)> =
            sqlx::query_as("SELECT id, evidence_check FROM checklist_items WHERE evidence_suite_id = $1")
                .bind(at.suite_id)
                .fetch_all(&mut **self.0)
                .await?;
        for (item_id, state) in lapsing_items(&r.parsed, &linked) {
            let n = crate::checklist::lapse_signoffs!(&mut **self.0, item_id);
            if n > 0 {
                write_audit!(&mut **self.0, actor, signoffs_lapsed(r, at, item_id, state, n))?;
            }
        }
        Ok(())
    }

    /// Records in the ingest's transaction where the phase stood (`then`) when a report arrived.
    async fn record_history(&mut self, at: &Landing, then: &Scorecard) -> StoreResult<()> {
        let open_by_severity: Vec<(String, i64)> = sqlx::query_as(
            "SELECT severity, COUNT(*) FROM blockers WHERE phase_id = $1 AND status = 'open' GROUP BY severity",
        )
        .bind(at.phase_id)
        .fetch_all(&mut **self.0)
        .await?;
        sqlx::query(INSERT_HISTORY)
            .bind(at.phase_id)
            .bind(at.report_id)
            .bind(at.at)
            .bind(then.score.map(scoring::round1))
            .bind(then.verdict.as_str())
            .bind(history_categories(then).as_str())
            .bind(open_of(&open_by_severity, "critical"))
            .bind(open_of(&open_by_severity, "high"))
            .bind(open_of(&open_by_severity, "medium"))
            .bind(open_of(&open_by_severity, "low"))
            .execute(&mut **self.0)
            .await?;
        Ok(())
    }
}

/// The body of [`Store::ingest`], written once and run on either pool.
macro_rules! ingest_tx {
    ($pool:expr, $actor:expr, $r:expr, $derived:expr) => {{
        let r: &NewReport = $r;
        let derived: &Derived = $derived;
        let actor: &Actor = $actor;
        let mut tx = $pool.begin_write().await?;
        let phase = Steps(&mut tx).phase_for_report(actor, r).await?;
        let suite_id = Steps(&mut tx).suite_for_report(phase.id, r).await?;
        if let Some(id) = Steps(&mut tx).stored_before(phase.id, suite_id, r).await? {
            tx.rollback().await?;
            return Ok(Err(id));
        }

        let counts: Counts = derived.counts;
        let report_id = Steps(&mut tx).insert_report(actor, r, &phase, suite_id, counts, &derived.tallies).await?;
        if !r.parsed.checks.is_empty() {
            sqlx::query("INSERT INTO check_sets (report_id, checks, body) VALUES ($1, $2, $3)")
                .bind(report_id)
                .bind(r.parsed.checks.len() as i64)
                .bind(derived.check_set.as_ref())
                .execute(&mut *tx)
                .await?;
        }
        for chunk in r.parsed.metrics.chunks(CHUNK) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO metrics (report_id, name, category, value, unit, target_op, target_value, met) ",
            );
            qb.push_values(chunk.iter(), |mut b, m| {
                b.push_bind(report_id)
                    .push_bind(&m.name)
                    .push_bind(&m.category)
                    .push_bind(m.value)
                    .push_bind(&m.unit)
                    .push_bind(m.target.map(|t| t.op.as_str()))
                    .push_bind(m.target.map(|t| t.value))
                    .push_bind(m.met());
            });
            // One-off statements: keeping a prepared 1,000-row insert per connection costs megabytes.
            qb.build().persistent(false).execute(&mut *tx).await?;
        }
        for chunk in r.parsed.findings.chunks(CHUNK) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO findings (report_id, finding_key, severity, status, category, title, details) ",
            );
            qb.push_values(chunk.iter(), |mut b, f| {
                b.push_bind(report_id)
                    .push_bind(&f.id)
                    .push_bind(f.severity.as_str())
                    .push_bind(f.status.as_str())
                    .push_bind(&f.category)
                    .push_bind(&f.title)
                    .push_bind(&f.details);
            });
            // One-off statements: keeping a prepared 1,000-row insert per connection costs megabytes.
            qb.build().persistent(false).execute(&mut *tx).await?;
        }
        Steps(&mut tx).insert_tallies(report_id, &derived.tallies).await?;
        sqlx::query("UPDATE suites SET latest_report_id = $1, kind = COALESCE($2, kind) WHERE id = $3")
            .bind(report_id)
            .bind(&r.kind)
            .bind(suite_id)
            .execute(&mut *tx)
            .await?;

        let landing = Landing { phase_id: phase.id, suite_id, report_id, at: r.received_at };
        Steps(&mut tx).track_blockers(&landing, &blockers::derive(&r.phase, &r.suite, &r.parsed)).await?;
        // Sign-offs of checklist items linked to this suite lapse when the new evidence fails.
        Steps(&mut tx).lapse_linked_signoffs(actor, r, &landing).await?;
        write_audit!(&mut *tx, actor, report_created(r, phase.id, report_id, counts.tests))?;
        let now = now_ms();
        let card = crate::evaluation::record_verdict!(tx, actor, &phase, now);
        // History records the phase as it stood when the report arrived (a back-dated
        // import must not count its own evidence as stale).
        let then = if r.received_at < now - 60_000 {
            crate::evaluation::evaluate_tx!(&mut *tx, &phase, r.received_at)
        } else {
            card.clone()
        };
        Steps(&mut tx).record_history(&landing, &then).await?;
        tx.commit().await?;
        Ok(Ok((report_id, phase, card)))
    }};
}

impl Store {
    /// Stores a report whole, or nothing. An identical earlier upload (same content in the
    /// suite, or same idempotency key in the phase) is returned with `created: false`.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, project = r.project_id, phase = %r.phase, suite = %r.suite))]
    pub async fn ingest(&self, actor: &Actor, r: &NewReport) -> StoreResult<IngestOutcome> {
        // Where the report goes may come from request parameters rather than the artifact
        // (whose content the parser already checked): the same limits apply to both.
        readyboard_domain::limits::placement(&r.phase, r.phase_name.as_deref(), &r.suite, r.kind.as_deref(), &r.run)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let suite_category = r.kind.clone().unwrap_or_else(|| r.suite.clone());
        // Computed before the transaction, so the write lock is not held while encoding.
        let encoding = std::time::Instant::now();
        let derived = Derived {
            counts: r.parsed.counts(),
            tallies: scoring::tally_checks(&r.parsed.checks, &r.parsed.metrics, &suite_category),
            check_set: encode_checks(r),
        };
        let counts = derived.counts;
        let writing = std::time::Instant::now();
        let ms = |from: std::time::Instant, to: std::time::Instant| (to - from).as_secs_f64() * 1000.0;
        // Changes this instance commits while the transaction runs show in the generation.
        let before = self.caches.evidence.current();
        let stored = match &self.db {
            Db::Sqlite(pool) => self.ingest_on_sqlite(pool, actor, r, &derived).await?,
            Db::Postgres(pool) => self.ingest_on_postgres(pool, actor, r, &derived).await?,
        };
        match stored {
            Ok((report_id, phase, card)) => {
                let timing =
                    IngestTiming { encode_ms: ms(encoding, writing), write_ms: ms(writing, std::time::Instant::now()) };
                self.file_evaluation(before, &phase, &card);
                Ok(IngestOutcome { timing, ..created_outcome(r, report_id, phase, &card, counts) })
            }
            Err(existing) => self.existing_outcome(existing).await,
        }
    }

    /// Runs the ingest transaction on SQLite's ingest connection, under the write lock.
    async fn ingest_on_sqlite(
        &self,
        pool: &SqlitePool,
        actor: &Actor,
        r: &NewReport,
        derived: &Derived<'_>,
    ) -> StoreResult<Stored> {
        let _guard = self.write_lock.lock().await;
        let mut conn = self.ingest_pool.as_ref().unwrap_or(pool).acquire().await?;
        let db = &mut *conn;
        let res: StoreResult<Stored> = async { ingest_tx!(db, actor, r, derived) }.await;
        match &res {
            Ok(_) => self.schedule_checkpoint(),
            // A failed statement or commit (a full disk) can leave the connection in a
            // transaction SQLite already rolled back; sqlx then refuses every later
            // BEGIN on it. A fresh connection is cheap: never reuse this one.
            Err(StoreError::Database(_)) => conn.close_on_drop(),
            Err(_) => {}
        }
        // Give back the page cache a big report filled.
        if r.parsed.checks.len() >= 10_000
            && let Err(e) = sqlx::query("PRAGMA shrink_memory").execute(&mut *conn).await
        {
            tracing::warn!(error = %e, "could not shrink the ingest connection's memory");
        }
        res
    }

    /// Runs the ingest transaction on PostgreSQL; when an identical upload raced it and won, gives that report.
    async fn ingest_on_postgres(
        &self,
        pool: &PgPool,
        actor: &Actor,
        r: &NewReport,
        derived: &Derived<'_>,
    ) -> StoreResult<Stored> {
        let res: StoreResult<Stored> = async { ingest_tx!(pool, actor, r, derived) }.await;
        match res {
            // Two identical uploads raced: the loser reads the winner's report.
            Err(StoreError::Conflict(_)) => {
                let id = self.find_duplicate(r).await?.ok_or(StoreError::Conflict("report".into()))?;
                Ok(Err(id))
            }
            other => other,
        }
    }

    /// Bumps the evidence generation for a stored report and files its evaluation when nothing else committed.
    fn file_evaluation(&self, before: u64, phase: &PhaseRow, card: &Scorecard) {
        let evidence = self.report_stored();
        // When nothing else committed here while the transaction ran, the evaluation it
        // ended with is the phase's evaluation as of this report: filed at once, the status
        // gate CI asks next need not compute it again (a later change bumps the generation
        // past it). Otherwise another transaction may have overlapped it unseen (on
        // PostgreSQL), and the gate computes it afresh.
        if evidence == before + 1 {
            self.caches.evaluations.put(phase.id, evidence, now_ms(), card.clone());
        }
    }

    /// What an upload identical to an earlier one gives: that report and the phase now.
    async fn existing_outcome(&self, existing: i64) -> StoreResult<IngestOutcome> {
        let report = self.report(existing).await?;
        let phase = self.phase_by_id(report.phase_id).await?;
        let card = self.evaluate_phase(&phase).await?;
        Ok(IngestOutcome {
            report_id: existing,
            created: false,
            phase_id: phase.id,
            stored: StoredReport::new(phase.slug, report.suite, report.format, report.counts, &card),
            timing: IngestTiming::default(),
        })
    }

    async fn find_duplicate(&self, r: &NewReport) -> StoreResult<Option<i64>> {
        Ok(crate::db::on_pool!(self, pool => sqlx::query_scalar::<_, i64>(
            "SELECT r.id FROM reports r JOIN suites s ON s.id = r.suite_id JOIN phases p ON p.id = r.phase_id \
             WHERE p.project_id = $1 AND p.slug = $2 AND ((s.name = $3 AND r.content_hash = $4) \
             OR (r.idempotency_key IS NOT NULL AND r.idempotency_key = $5)) ORDER BY r.id LIMIT 1",
        )
        .bind(r.project_id).bind(&r.phase).bind(&r.suite).bind(&r.content_hash).bind(&r.idempotency_key)
        .fetch_optional(pool).await)?)
    }

    /// Evaluates a phase now from stored aggregates (cheap: one row per suite and category).
    #[tracing::instrument(skip_all, fields(phase = phase.id))]
    pub async fn evaluate_phase(&self, phase: &PhaseRow) -> StoreResult<Scorecard> {
        // One caller evaluates; the status pollers arriving meanwhile wait and take its card
        // (never an older one: the status gate is exact).
        let generation = self.caches.evidence.current();
        let flights = (&self.caches.evaluation_flights, &phase.id);
        let _flight = match self.caches.evaluations.lookup(&phase.id, generation, now_ms, flights, false).await {
            crate::cache::Lookup::Ready(card) => return Ok(card),
            crate::cache::Lookup::Compute(guard) => guard,
        };
        let now = now_ms();
        let card = crate::db::on_pool!(self, pool => {
            let card: StoreResult<Scorecard> = async { Ok(crate::evaluation::evaluate_tx!(pool, phase, now)) }.await;
            card
        })?;
        // Filed as of now, like the view memo (see `Store::memo_put`): under a stream of
        // uploads an evaluation filed under the generation it began at is stale on arrival.
        self.caches.evaluations.put(phase.id, self.caches.evidence.current(), now, card.clone());
        Ok(card)
    }
}

/// What storing a new report produced.
fn created_outcome(r: &NewReport, report_id: i64, phase: PhaseRow, card: &Scorecard, counts: Counts) -> IngestOutcome {
    IngestOutcome {
        report_id,
        created: true,
        phase_id: phase.id,
        stored: StoredReport::new(phase.slug, r.suite.clone(), r.parsed.format.clone(), counts, card),
        timing: IngestTiming::default(),
    }
}
