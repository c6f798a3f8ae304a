//! How a phase is evaluated from what is stored (its suites' latest reports, open blockers
//! and checklist), inside any transaction, and how the evaluation and a change of verdict are
//! written back: shared by ingest, blockers, sign-offs and decisions.

use std::collections::BTreeMap;

use readyboard_domain::model::{Counts, Provenance};
use readyboard_domain::scoring::{self, ChecklistSummary, OpenBlockerSummary, PhaseSettings, Scorecard, SuiteEvidence};

use crate::projects::PhaseRow;

/// Loads the aggregates of a phase and evaluates it (on a pool or a transaction).
macro_rules! evaluate_tx {
    ($exec:expr, $phase:expr, $now:expr) => {{
        let phase: &crate::projects::PhaseRow = $phase;
        let rows: Vec<crate::evaluation::EvidenceRow> = sqlx::query_as(
            "SELECT s.name, s.kind, r.id AS report_id, r.received_at, r.finished_at, r.claimed_score, r.provenance, \
             c.category, c.weighted_credit, c.weight, c.checks, c.passed, c.failed, c.errors, c.skipped, c.partial, \
             c.not_run FROM suites s JOIN reports r ON r.id = s.latest_report_id \
             LEFT JOIN report_categories c ON c.report_id = r.id \
             WHERE s.phase_id = $1 ORDER BY s.name, c.category",
        )
        .bind(phase.id)
        .fetch_all($exec)
        .await?;
        let (critical, high): (i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(CASE WHEN severity = 'critical' THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN severity = 'high' THEN 1 ELSE 0 END), 0) \
             FROM blockers WHERE phase_id = $1 AND status = 'open'",
        )
        .bind(phase.id)
        .fetch_one($exec)
        .await?;
        // Done (or waived), approved and not rejected; an approval does not count when the
        // linked evidence went stale after it was given.
        let window = phase.freshness_days.clamp(0, 3650) * 86_400_000;
        let (required, signed): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN i.status IN ('done', 'waived') \
             AND EXISTS (SELECT 1 FROM signoffs s WHERE s.item_id = i.id AND s.verdict = 'approve' AND s.needs_resign = FALSE \
               AND NOT EXISTS (SELECT 1 FROM suites su JOIN reports r ON r.id = su.latest_report_id \
                 WHERE su.id = i.evidence_suite_id AND COALESCE(r.finished_at, r.received_at) < $2 \
                 AND s.created_at < COALESCE(r.finished_at, r.received_at) + $3)) \
             AND NOT EXISTS (SELECT 1 FROM signoffs s WHERE s.item_id = i.id AND s.verdict = 'reject' AND s.needs_resign = FALSE) \
             THEN 1 ELSE 0 END), 0) FROM checklist_items i WHERE i.phase_id = $1 AND i.required = TRUE",
        )
        .bind(phase.id)
        .bind($now - window)
        .bind(window)
        .fetch_one($exec)
        .await?;
        // Rule 7: an approver vouches for a category by approving a required item of it.
        let vouched: Vec<(String, String)> = sqlx::query_as(
            "SELECT i.category, u.username FROM checklist_items i \
             JOIN signoffs s ON s.item_id = i.id AND s.verdict = 'approve' AND s.needs_resign = FALSE \
             JOIN users u ON u.id = s.user_id \
             WHERE i.phase_id = $1 AND i.required = TRUE AND i.status = 'done' AND i.category IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM signoffs x WHERE x.item_id = i.id AND x.verdict = 'reject' \
               AND x.needs_resign = FALSE) ORDER BY s.created_at",
        )
        .bind(phase.id)
        .fetch_all($exec)
        .await?;
        let checklist = readyboard_domain::scoring::ChecklistSummary {
            required: required as u32,
            required_done_and_signed: signed as u32,
            vouched: vouched.into_iter().map(|(category, by)| readyboard_domain::scoring::Vouch { category, by }).collect(),
        };
        crate::evaluation::evaluate_rows(phase, $now, rows, critical, high, &checklist)
    }};
}

pub(crate) use evaluate_tx;

/// Writes an evaluation onto the phase row.
macro_rules! store_evaluation {
    ($exec:expr, $phase_id:expr, $card:expr) => {{
        let card: &readyboard_domain::scoring::Scorecard = $card;
        sqlx::query("UPDATE phases SET score = $1, verdict = $2, reasons = $3, evaluated_at = $4 WHERE id = $5")
            .bind(card.score)
            .bind(card.verdict.as_str())
            .bind(serde_json::to_string(&card.reasons).unwrap_or_else(|_| "[]".into()))
            .bind(crate::db::now_ms())
            .bind($phase_id)
            .execute($exec)
            .await?;
    }};
}

pub(crate) use store_evaluation;

/// Evaluates phase `$phase` as of `$now` in transaction `$tx` and stores the evaluation on
/// its row; when the verdict differs from the one stored before, writes a `phase.verdict`
/// audit entry (which webhooks tell as `verdict.changed`). Gives the evaluation.
macro_rules! record_verdict {
    ($tx:expr, $actor:expr, $phase:expr, $now:expr) => {{
        let phase: &crate::projects::PhaseRow = $phase;
        let (verdict, score): (String, Option<f64>) =
            sqlx::query_as("SELECT verdict, score FROM phases WHERE id = $1").bind(phase.id).fetch_one(&mut *$tx).await?;
        let card: readyboard_domain::scoring::Scorecard = crate::evaluation::evaluate_tx!(&mut *$tx, phase, $now);
        crate::evaluation::store_evaluation!(&mut *$tx, phase.id, &card);
        if verdict != card.verdict.as_str() {
            crate::audit::write_audit!(&mut *$tx, $actor, crate::audit::AuditWrite {
                action: "phase.verdict", entity: "phase", entity_id: Some(phase.id.to_string()),
                project_id: Some(phase.project_id), phase_id: Some(phase.id),
                before: Some(serde_json::json!({"verdict": verdict, "score": score})),
                after: Some(serde_json::json!({"verdict": card.verdict.as_str(), "score": card.score, "reasons": card.reasons})),
            })?;
        }
        card
    }};
}

pub(crate) use record_verdict;

/// One suite's latest report joined with one of its category aggregates.
#[derive(sqlx::FromRow)]
pub(crate) struct EvidenceRow {
    name: String,
    kind: Option<String>,
    report_id: i64,
    received_at: i64,
    finished_at: Option<i64>,
    claimed_score: Option<f64>,
    provenance: String,
    category: Option<String>,
    weighted_credit: Option<f64>,
    weight: Option<f64>,
    checks: Option<i64>,
    passed: Option<i64>,
    failed: Option<i64>,
    errors: Option<i64>,
    skipped: Option<i64>,
    partial: Option<i64>,
    not_run: Option<i64>,
}

impl PhaseRow {
    /// The phase's settings as the scoring rules take them.
    pub fn settings(&self) -> PhaseSettings {
        PhaseSettings {
            ready_threshold: self.ready_threshold,
            conditional_threshold: self.conditional_threshold,
            freshness_days: self.freshness_days.clamp(0, 3650) as u32,
            category_weights: serde_json::from_str::<BTreeMap<String, f64>>(&self.category_weights).unwrap_or_default(),
        }
    }
}

pub(crate) fn evaluate_rows(
    phase: &PhaseRow,
    now: i64,
    rows: Vec<EvidenceRow>,
    critical: i64,
    high: i64,
    checklist: &ChecklistSummary,
) -> Scorecard {
    let mut suites: Vec<SuiteEvidence> = Vec::new();
    for row in rows {
        if suites.last().is_none_or(|s| s.report_id != row.report_id) {
            suites.push(SuiteEvidence {
                suite: row.name,
                kind: row.kind,
                report_id: row.report_id,
                received_at_ms: row.received_at,
                finished_at_ms: row.finished_at,
                tallies: Vec::new(),
                claimed_score: row.claimed_score,
                provenance: Provenance::parse(&row.provenance).unwrap_or_default(),
            });
        }
        if let (Some(category), Some(credit), Some(weight)) = (row.category, row.weighted_credit, row.weight) {
            let n = |v: Option<i64>| v.unwrap_or(0).max(0) as u64;
            let counts = Counts {
                tests: n(row.checks),
                passed: n(row.passed),
                failed: n(row.failed),
                errors: n(row.errors),
                skipped: n(row.skipped),
                partial: n(row.partial),
                not_run: n(row.not_run),
            };
            if let Some(s) = suites.last_mut() {
                s.tallies.push(scoring::CategoryTally {
                    category,
                    weighted_credit: credit,
                    weight,
                    checks: counts.tests,
                    counts,
                });
            }
        }
    }
    scoring::evaluate(
        &phase.settings(),
        now,
        &suites,
        &OpenBlockerSummary { critical: critical as u32, high: high as u32 },
        checklist,
    )
}
