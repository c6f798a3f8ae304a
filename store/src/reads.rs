//! Read models for pages and the read API.

use readyboard_domain::model::{Counts, FindingStatus, Provenance, Severity};
use readyboard_domain::scoring::{self, CategoryTally, ClaimCheck};
use serde::Serialize;

use crate::db::{Store, on_pool};
use crate::error::{StoreError, StoreResult};
use crate::projects::PhaseRow;

/// A report's metadata and counts (not its raw artifact).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ReportRow {
    /// Report id.
    pub id: i64,
    /// Suite id.
    pub suite_id: i64,
    /// Suite name.
    pub suite: String,
    /// Suite kind.
    pub kind: Option<String>,
    /// Phase id.
    pub phase_id: i64,
    /// Phase slug.
    pub phase_slug: String,
    /// Phase name.
    pub phase_name: String,
    /// Project slug.
    pub project_slug: String,
    /// Project name.
    pub project_name: String,
    /// Format name.
    pub format: String,
    /// SHA-256 of the artifact.
    pub content_hash: String,
    /// CI run id.
    pub run_id: Option<String>,
    /// Environment.
    pub environment: Option<String>,
    /// Commit.
    pub commit_sha: Option<String>,
    /// Branch.
    pub branch: Option<String>,
    /// CI URL.
    pub ci_url: Option<String>,
    /// Start, unix ms.
    pub started_at: Option<i64>,
    /// Finish, unix ms.
    pub finished_at: Option<i64>,
    /// Receipt, unix ms.
    pub received_at: i64,
    /// Its checks, each in exactly one bucket.
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub counts: Counts,
    /// `measured` or `self_reported`.
    pub provenance: String,
    /// Suite-level score of this report.
    pub score: Option<f64>,
    /// Claimed score.
    pub claimed_score: Option<f64>,
    /// Claimed verdict.
    pub claimed_verdict: Option<String>,
    /// Notes (JSON array).
    pub notes: String,
    /// Artifact size.
    pub raw_size: i64,
    /// When its check rows and raw artifact were pruned under the project's retention.
    pub pruned_at: Option<i64>,
}

/// A report measured against its own evidence (see [`Store::judge_report`]).
#[derive(Debug, Clone)]
pub struct ReportJudgement {
    /// Its categories, with counts.
    pub categories: Vec<CategoryTally>,
    /// Its own score: the phase formula applied to it alone.
    pub score: Option<f64>,
    /// Its claims checked against its own score, findings and provenance.
    pub claims: ClaimCheck,
}

impl ReportRow {
    /// Whether the report's evidence was measured or self-reported.
    pub fn provenance(&self) -> Provenance {
        Provenance::parse(&self.provenance).unwrap_or_default()
    }
}

const REPORT_SELECT: &str = "SELECT r.id, r.suite_id, s.name AS suite, s.kind, r.phase_id, ph.slug AS phase_slug, \
     ph.name AS phase_name, p.slug AS project_slug, p.name AS project_name, r.format, r.content_hash, r.run_id, \
     r.environment, r.commit_sha, r.branch, r.ci_url, r.started_at, r.finished_at, r.received_at, r.tests, \
     r.passed, r.failed, r.errors, r.skipped, r.partial, r.not_run, r.provenance, r.score, r.claimed_score, \
     r.claimed_verdict, r.notes, r.raw_size, r.pruned_at \
     FROM reports r JOIN suites s ON s.id = r.suite_id JOIN phases ph ON ph.id = r.phase_id \
     JOIN projects p ON p.id = ph.project_id";

/// One check of a report.
#[derive(Debug, Clone, Serialize)]
pub struct CheckRow {
    /// Position in the report (file order, from 0).
    pub id: i64,
    /// Stable key within the suite.
    pub check_key: String,
    /// Name.
    pub name: String,
    /// Suite path.
    pub suite_path: String,
    /// Category.
    pub category: Option<String>,
    /// Status.
    pub status: readyboard_domain::model::Status,
    /// Score.
    pub score: Option<f64>,
    /// Max score.
    pub max_score: Option<f64>,
    /// Duration.
    pub duration_ms: Option<f64>,
    /// Message.
    pub message: String,
    /// Details / trace excerpt.
    pub details: String,
    /// Flaky.
    pub flaky: bool,
    /// Retries.
    pub retries: i64,
}

/// One metric of a report.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MetricRow {
    /// Name.
    pub name: String,
    /// Category.
    pub category: Option<String>,
    /// Value.
    pub value: f64,
    /// Unit.
    pub unit: String,
    /// Target operator.
    pub target_op: Option<String>,
    /// Target value.
    pub target_value: Option<f64>,
    /// Whether the target is met.
    pub met: Option<bool>,
}

/// One finding of a report.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct FindingRow {
    /// Stable key.
    pub finding_key: String,
    /// Severity.
    pub severity: readyboard_domain::model::Severity,
    /// Status.
    pub status: readyboard_domain::model::FindingStatus,
    /// Category.
    pub category: Option<String>,
    /// Title.
    pub title: String,
    /// Details.
    pub details: String,
}

/// A blocker of a phase.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlockerRow {
    /// Row id.
    pub id: i64,
    /// Suite name, when derived from evidence.
    pub suite: Option<String>,
    /// Source: finding, check or manual.
    pub source: readyboard_domain::blockers::BlockerSource,
    /// Severity.
    pub severity: readyboard_domain::model::Severity,
    /// Title.
    pub title: String,
    /// open, resolved or waived.
    pub status: readyboard_domain::blockers::BlockerStatus,
    /// Owner.
    pub owner: Option<String>,
    /// Due date.
    pub due_date: Option<String>,
    /// First seen, unix ms.
    pub first_seen_at: i64,
    /// Last seen, unix ms.
    pub last_seen_at: i64,
    /// Reports that showed it.
    pub occurrences: i64,
    /// Latest report showing it.
    pub last_report_id: Option<i64>,
    /// Report that no longer showed it.
    pub resolved_report_id: Option<i64>,
}

impl Store {
    /// A report by id.
    pub async fn report(&self, id: i64) -> StoreResult<ReportRow> {
        let sql = format!("{REPORT_SELECT} WHERE r.id = $1");
        on_pool!(self, pool => sqlx::query_as::<_, ReportRow>(&sql).bind(id).fetch_optional(pool).await)?
            .ok_or(StoreError::NotFound)
    }

    /// The gzip-compressed artifact of a report.
    pub async fn report_raw(&self, id: i64) -> StoreResult<Vec<u8>> {
        on_pool!(self, pool => sqlx::query_scalar::<_, Vec<u8>>("SELECT raw_gzip FROM reports WHERE id = $1")
            .bind(id).fetch_optional(pool).await)?
        .ok_or(StoreError::NotFound)
    }

    /// The newest reports of a phase.
    pub async fn phase_reports(&self, phase_id: i64, limit: i64) -> StoreResult<Vec<ReportRow>> {
        let sql = format!("{REPORT_SELECT} WHERE r.phase_id = $1 ORDER BY r.received_at DESC, r.id DESC LIMIT $2");
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, ReportRow>(&sql).bind(phase_id).bind(limit).fetch_all(pool).await)?,
        )
    }

    /// The latest report of each suite of a phase.
    pub async fn latest_reports(&self, phase_id: i64) -> StoreResult<Vec<ReportRow>> {
        let sql = format!("{REPORT_SELECT} WHERE s.phase_id = $1 AND r.id = s.latest_report_id ORDER BY s.name");
        Ok(on_pool!(self, pool => sqlx::query_as::<_, ReportRow>(&sql).bind(phase_id).fetch_all(pool).await)?)
    }

    /// The report of the same suite received just before `report`.
    pub async fn previous_report(&self, report: &ReportRow) -> StoreResult<Option<ReportRow>> {
        let sql = format!(
            "{REPORT_SELECT} WHERE r.suite_id = $1 AND (r.received_at < $2 OR (r.received_at = $2 AND r.id < $3)) \
             ORDER BY r.received_at DESC, r.id DESC LIMIT 1"
        );
        Ok(on_pool!(self, pool => sqlx::query_as::<_, ReportRow>(&sql)
            .bind(report.suite_id).bind(report.received_at).bind(report.id).fetch_optional(pool).await)?)
    }

    /// A report's metrics.
    pub async fn metrics(&self, report_id: i64) -> StoreResult<Vec<MetricRow>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, MetricRow>(
            "SELECT name, category, value, unit, target_op, target_value, met FROM metrics WHERE report_id = $1 ORDER BY id"
        ).bind(report_id).fetch_all(pool).await)?)
    }

    /// A report's findings, most severe first.
    pub async fn findings(&self, report_id: i64) -> StoreResult<Vec<FindingRow>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, FindingRow>(
            "SELECT finding_key, severity, status, category, title, details FROM findings WHERE report_id = $1 \
             ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 \
             WHEN 'low' THEN 3 ELSE 4 END, id"
        ).bind(report_id).fetch_all(pool).await)?)
    }

    /// Blockers of a phase; open ones first, most severe first.
    pub async fn blockers(&self, phase_id: i64, only_open: bool) -> StoreResult<Vec<BlockerRow>> {
        let sql = format!(
            "SELECT b.id, s.name AS suite, b.source, b.severity, b.title, b.status, b.owner, b.due_date, \
             b.first_seen_at, b.last_seen_at, b.occurrences, b.last_report_id, b.resolved_report_id \
             FROM blockers b LEFT JOIN suites s ON s.id = b.suite_id WHERE b.phase_id = $1 {} \
             ORDER BY CASE b.status WHEN 'open' THEN 0 WHEN 'waived' THEN 1 ELSE 2 END, \
             CASE b.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 ELSE 2 END, b.last_seen_at DESC",
            if only_open { "AND b.status = 'open'" } else { "" }
        );
        Ok(on_pool!(self, pool => sqlx::query_as::<_, BlockerRow>(&sql).bind(phase_id).fetch_all(pool).await)?)
    }

    /// Phase score history: (report received, phase score is not stored per report, so the
    /// suite-level report scores) — newest `limit` reports of the phase as (time, score).
    pub async fn report_scores(&self, phase_id: i64, limit: i64) -> StoreResult<Vec<(i64, Option<f64>)>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, (i64, Option<f64>)>(
            "SELECT received_at, score FROM reports WHERE phase_id = $1 ORDER BY received_at DESC LIMIT $2"
        ).bind(phase_id).bind(limit).fetch_all(pool).await)?)
    }

    /// A report's per-category aggregates, with their counts.
    pub async fn report_tallies(&self, report_id: i64) -> StoreResult<Vec<CategoryTally>> {
        type Row = (String, f64, f64, i64, i64, i64, i64, i64, i64, i64);
        let rows = on_pool!(self, pool => sqlx::query_as::<_, Row>(
            "SELECT category, weighted_credit, weight, checks, passed, failed, errors, skipped, partial, not_run \
             FROM report_categories WHERE report_id = $1 ORDER BY category"
        ).bind(report_id).fetch_all(pool).await)?;
        let n = |v: i64| v.max(0) as u64;
        Ok(rows
            .into_iter()
            .map(|(category, weighted_credit, weight, tests, passed, failed, errors, skipped, partial, not_run)| {
                let counts = Counts {
                    tests: n(tests),
                    passed: n(passed),
                    failed: n(failed),
                    errors: n(errors),
                    skipped: n(skipped),
                    partial: n(partial),
                    not_run: n(not_run),
                };
                CategoryTally { category, weighted_credit, weight, checks: counts.tests, counts }
            })
            .collect())
    }

    /// What a report's own evidence supports — its categories, its own score with the
    /// phase's current weights (the figure the scorecard shows of it) — and its claims
    /// checked against that. `findings` are the report's own.
    pub async fn judge_report(
        &self,
        r: &ReportRow,
        phase: &PhaseRow,
        findings: &[FindingRow],
    ) -> StoreResult<ReportJudgement> {
        let categories = self.report_tallies(r.id).await?;
        let settings = phase.settings();
        let score = scoring::report_score(&settings, &categories);
        let open = |sev: Severity| {
            findings.iter().filter(|f| f.severity == sev && f.status == FindingStatus::Open).count() as u32
        };
        let report = scoring::ReportClaims {
            own_score: score,
            provenance: r.provenance(),
            open_critical: open(Severity::Critical),
            open_high: open(Severity::High),
            claimed_score: r.claimed_score,
            claimed_verdict: r.claimed_verdict.as_deref(),
        };
        let claims = scoring::check_claims(&settings, &report);
        Ok(ReportJudgement { categories, score, claims })
    }

    /// Open blockers of a phase by severity: critical, high, medium, low.
    pub async fn open_blockers_by_severity(&self, phase_id: i64) -> StoreResult<[i64; 4]> {
        let rows = on_pool!(self, pool => sqlx::query_as::<_, (String, i64)>(
            "SELECT severity, COUNT(*) FROM blockers WHERE phase_id = $1 AND status = 'open' GROUP BY severity"
        ).bind(phase_id).fetch_all(pool).await)?;
        let mut out = [0; 4];
        for (severity, n) in rows {
            if let Some(i) = ["critical", "high", "medium", "low"].iter().position(|s| *s == severity) {
                out[i] += n;
            }
        }
        Ok(out)
    }

    /// Number of open blockers of a phase.
    pub async fn open_blocker_count(&self, phase_id: i64) -> StoreResult<i64> {
        Ok(on_pool!(self, pool => sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM blockers WHERE phase_id = $1 AND status = 'open'"
        ).bind(phase_id).fetch_one(pool).await)?)
    }
}
