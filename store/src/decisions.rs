//! Go/no-go decisions: recorded once with a frozen snapshot of the evidence, never edited,
//! superseded by later ones; and what changed since a decision.

use readyboard_domain::blockers::BlockerStatus;
use readyboard_domain::scoring::{CategoryScore, Scorecard, Verdict};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{Actor, AuditWrite, write_audit};
use crate::db::{Store, now_ms, on_pool, write_tx};
use crate::error::{StoreError, StoreResult};
use crate::evaluation::evaluate_tx;
use crate::projects::PhaseRow;

pub use readyboard_domain::decisions::DECISION_KINDS;

/// One condition attached to a decision.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Condition {
    /// What must happen.
    pub text: String,
    /// Who sees to it.
    pub owner: Option<String>,
    /// By when, `YYYY-MM-DD`.
    pub due_date: Option<String>,
}

/// A decision to record.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewDecision {
    /// go, conditional_go or no_go.
    pub decision: String,
    /// Why.
    pub rationale: String,
    /// Conditions (mostly for a conditional GO).
    pub conditions: Vec<Condition>,
    /// Why a GO is given although the verdict is not READY.
    pub override_reason: Option<String>,
}

/// A suite's evidence as it stood at the decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotSuite {
    /// Suite name.
    pub suite: String,
    /// Report used.
    pub report_id: i64,
    /// Evidence age in whole days.
    pub age_days: i64,
    /// Stale at the time.
    pub stale: bool,
    /// Score the report supports.
    pub score: Option<f64>,
}

/// A blocker as it stood at the decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotBlocker {
    /// Blocker id.
    pub id: i64,
    /// Severity.
    pub severity: readyboard_domain::model::Severity,
    /// Title.
    pub title: String,
    /// open or waived.
    pub status: readyboard_domain::blockers::BlockerStatus,
    /// Owner.
    pub owner: Option<String>,
    /// Why it was waived.
    pub waive_reason: Option<String>,
}

/// A checklist item as it stood at the decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotItem {
    /// Item id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Required for READY.
    pub required: bool,
    /// Item status.
    pub status: readyboard_domain::checklist::ItemStatus,
    /// Approvers whose sign-off counted, with the time (unix ms).
    pub signed_by: Vec<(String, i64)>,
    /// Of those, approvers who signed although the linked evidence was failing, stale or
    /// missing, with that state.
    #[serde(default)]
    pub signed_despite: Vec<(String, String)>,
}

/// The evidence frozen with a decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Snapshot {
    /// Phase score, one decimal.
    pub score: Option<f64>,
    /// Verdict.
    pub verdict: readyboard_domain::scoring::Verdict,
    /// Reasons for the verdict.
    pub reasons: Vec<String>,
    /// Category scores.
    pub categories: Vec<CategoryScore>,
    /// Suites and the reports used.
    pub suites: Vec<SnapshotSuite>,
    /// Open and waived blockers.
    pub blockers: Vec<SnapshotBlocker>,
    /// Checklist with sign-offs.
    pub checklist: Vec<SnapshotItem>,
    /// Ready threshold then.
    pub ready_threshold: f64,
    /// Conditional threshold then.
    pub conditional_threshold: f64,
}

/// A recorded decision.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionRecord {
    /// Row id.
    pub id: i64,
    /// Phase id.
    pub phase_id: i64,
    /// The decision.
    pub decision: readyboard_domain::decisions::Decision,
    /// Why.
    pub rationale: String,
    /// Conditions.
    pub conditions: Vec<Condition>,
    /// Set when a GO overrode a verdict that was not READY.
    pub override_reason: Option<String>,
    /// Who decided.
    pub decided_by: String,
    /// When, unix ms.
    pub decided_at: i64,
    /// The evidence then.
    pub snapshot: Snapshot,
    /// The decision this one superseded.
    pub supersedes_id: Option<i64>,
    /// The later decision that superseded this one.
    pub superseded_by: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct DecisionDbRow {
    id: i64,
    phase_id: i64,
    decision: readyboard_domain::decisions::Decision,
    rationale: String,
    conditions: String,
    override_reason: Option<String>,
    decided_by: String,
    decided_at: i64,
    snapshot: String,
    supersedes_id: Option<i64>,
    superseded_by: Option<i64>,
}

impl DecisionDbRow {
    fn into_record(self) -> StoreResult<DecisionRecord> {
        let snapshot = serde_json::from_str(&self.snapshot)
            .map_err(|e| StoreError::Invalid(format!("decision {} has an unreadable snapshot: {e}", self.id)))?;
        Ok(DecisionRecord {
            id: self.id,
            phase_id: self.phase_id,
            decision: self.decision,
            rationale: self.rationale,
            conditions: serde_json::from_str(&self.conditions).unwrap_or_default(),
            override_reason: self.override_reason,
            decided_by: self.decided_by,
            decided_at: self.decided_at,
            snapshot,
            supersedes_id: self.supersedes_id,
            superseded_by: self.superseded_by,
        })
    }
}

/// What moved between a decision and now.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangesSince {
    /// Score at the decision.
    pub score_then: Option<f64>,
    /// Score now.
    pub score_now: Option<f64>,
    /// Verdict at the decision.
    pub verdict_then: Verdict,
    /// Verdict now.
    pub verdict_now: Verdict,
    /// Blockers open now that were not open then.
    pub blockers_opened: Vec<SnapshotBlocker>,
    /// Blockers open then that are no longer open.
    pub blockers_closed: Vec<SnapshotBlocker>,
    /// Suites whose evidence is newer now: (suite, report then, report now).
    pub new_evidence: Vec<(String, Option<i64>, i64)>,
    /// Reports received since the decision.
    pub reports_since: i64,
}

/// Trims; empty becomes `None`.
fn clean(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

impl NewDecision {
    /// Checks the fields that do not depend on the phase's state.
    pub fn validate(&self) -> Result<(), String> {
        if !DECISION_KINDS.contains(&self.decision.as_str()) {
            return Err("decision: one of go, conditional_go, no_go".into());
        }
        let n = self.rationale.trim().chars().count();
        if !(10..=10_000).contains(&n) {
            return Err("rationale: between 10 and 10,000 characters".into());
        }
        if self.conditions.len() > 50 {
            return Err("conditions: at most 50".into());
        }
        for c in &self.conditions {
            if c.text.trim().is_empty() || c.text.chars().count() > 500 {
                return Err("conditions: each between 1 and 500 characters".into());
            }
            let assignment =
                crate::blockers::BlockerAssignment { owner: c.owner.clone(), due_date: c.due_date.clone() };
            assignment.validate().map_err(|e| format!("conditions: {e}"))?;
        }
        if self.decision == "conditional_go" && self.conditions.is_empty() {
            return Err("conditions: a conditional GO names at least one condition".into());
        }
        Ok(())
    }
}

const DECISION_SELECT: &str = "SELECT d.id, d.phase_id, d.decision, d.rationale, d.conditions, d.override_reason, \
     u.username AS decided_by, d.decided_at, d.snapshot, d.supersedes_id, \
     (SELECT MIN(n.id) FROM decisions n WHERE n.supersedes_id = d.id) AS superseded_by \
     FROM decisions d JOIN users u ON u.id = d.decided_by";

/// The open and waived blockers of a phase, as a decision's snapshot lists them.
const SNAPSHOT_BLOCKERS: &str = "SELECT id, severity, title, status, owner, waive_reason FROM blockers \
     WHERE phase_id = $1 AND status IN ('open', 'waived') ORDER BY status, \
     CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, id";

/// The checklist items of a phase in their order.
const SNAPSHOT_ITEMS: &str =
    "SELECT id, title, required, status FROM checklist_items WHERE phase_id = $1 ORDER BY position, id";

/// The approvals that count on a phase's checklist items.
const SNAPSHOT_APPROVALS: &str = "SELECT s.item_id, u.username, s.created_at, s.despite FROM signoffs s \
     JOIN users u ON u.id = s.user_id JOIN checklist_items i ON i.id = s.item_id \
     WHERE i.phase_id = $1 AND s.verdict = 'approve' AND s.needs_resign = FALSE ORDER BY s.id";

/// A checklist item as read for a snapshot: id, title, required, status.
type ItemRow = (i64, String, bool, readyboard_domain::checklist::ItemStatus);

/// An approval as read for a snapshot: item id, approver, when, the evidence state it overrode.
type ApprovalRow = (i64, String, i64, Option<String>);

/// The conditions as recorded: text trimmed, blank owners and due dates left out.
fn cleaned_conditions(conditions: &[Condition]) -> Vec<Condition> {
    conditions
        .iter()
        .map(|c| Condition { text: c.text.trim().to_string(), owner: clean(&c.owner), due_date: clean(&c.due_date) })
        .collect()
}

/// Refuses a GO against a verdict that is not READY unless it gives an override reason.
fn check_override(d: &NewDecision, card: &Scorecard, override_reason: Option<&str>) -> StoreResult<()> {
    let ready = card.verdict.as_str() == "ready";
    if d.decision == "go" && !ready && override_reason.is_none_or(|r| r.chars().count() < 10) {
        return Err(StoreError::Invalid(format!(
            "override_reason: the verdict is {}, so a GO needs an override reason (at least 10 characters)",
            card.verdict.label()
        )));
    }
    Ok(())
}

/// The override reason kept with a decision: only a GO against the verdict is an override.
fn kept_override(d: &NewDecision, card: &Scorecard, override_reason: Option<String>) -> Option<String> {
    if d.decision == "go" && card.verdict != Verdict::Ready { override_reason } else { None }
}

/// The checklist items with who signed each off, and who did so despite its evidence.
fn snapshot_items(items: Vec<ItemRow>, approvals: &[ApprovalRow]) -> Vec<SnapshotItem> {
    items
        .into_iter()
        .map(|(id, title, required, status)| SnapshotItem {
            id,
            title,
            required,
            status,
            signed_by: approvals.iter().filter(|s| s.0 == id).map(|s| (s.1.clone(), s.2)).collect(),
            signed_despite: approvals
                .iter()
                .filter(|s| s.0 == id)
                .filter_map(|s| Some((s.1.clone(), s.3.clone()?)))
                .collect(),
        })
        .collect()
}

/// The evidence frozen with a decision: the evaluation, blockers and checklist.
fn snapshot_of(
    card: &Scorecard,
    phase: &PhaseRow,
    blockers: Vec<SnapshotBlocker>,
    checklist: Vec<SnapshotItem>,
) -> Snapshot {
    Snapshot {
        score: card.display_score(),
        verdict: card.verdict,
        reasons: card.reasons.clone(),
        categories: card.categories.clone(),
        suites: card
            .suites
            .iter()
            .map(|s| SnapshotSuite {
                suite: s.suite.clone(),
                report_id: s.report_id,
                age_days: s.age_days(),
                stale: s.stale,
                score: s.score,
            })
            .collect(),
        blockers,
        checklist,
        ready_threshold: phase.ready_threshold,
        conditional_threshold: phase.conditional_threshold,
    }
}

/// Reads the phase's blockers and checklist in the decision's transaction and freezes them with its evaluation.
async fn read_snapshot<DB>(
    tx: &mut sqlx::Transaction<'_, DB>,
    phase: &PhaseRow,
    card: &Scorecard,
) -> StoreResult<Snapshot>
where
    DB: sqlx::Database,
    for<'e> &'e mut DB::Connection: sqlx::Executor<'e, Database = DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'r> SnapshotBlocker: sqlx::FromRow<'r, DB::Row>,
    for<'r> ItemRow: sqlx::FromRow<'r, DB::Row>,
    for<'r> ApprovalRow: sqlx::FromRow<'r, DB::Row>,
{
    let blockers: Vec<SnapshotBlocker> = sqlx::query_as(SNAPSHOT_BLOCKERS).bind(phase.id).fetch_all(&mut **tx).await?;
    let items: Vec<ItemRow> = sqlx::query_as(SNAPSHOT_ITEMS).bind(phase.id).fetch_all(&mut **tx).await?;
    let approvals: Vec<ApprovalRow> = sqlx::query_as(SNAPSHOT_APPROVALS).bind(phase.id).fetch_all(&mut **tx).await?;
    Ok(snapshot_of(card, phase, blockers, snapshot_items(items, &approvals)))
}

impl Store {
    /// Records a decision with a snapshot of the phase as it is now; audited. A GO while
    /// the verdict is not READY needs an override reason.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, phase = phase.id))]
    pub async fn record_decision(
        &self,
        actor: &Actor,
        phase: &PhaseRow,
        d: &NewDecision,
    ) -> StoreResult<DecisionRecord> {
        d.validate().map_err(StoreError::Invalid)?;
        let user_id = actor.user_id.ok_or_else(|| StoreError::Invalid("decisions are made by people".into()))?;
        let conditions = cleaned_conditions(&d.conditions);
        let override_reason = clean(&d.override_reason);
        let now = now_ms();
        let id = write_tx!(self, tx => {
            let card: Scorecard = evaluate_tx!(&mut *tx, phase, now);
            check_override(d, &card, override_reason.as_deref())?;
            let snapshot = read_snapshot(&mut tx, phase, &card).await?;
            let previous: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM decisions WHERE phase_id = $1 ORDER BY decided_at DESC, id DESC LIMIT 1",
            )
            .bind(phase.id)
            .fetch_optional(&mut *tx)
            .await?;
            let snapshot_json = serde_json::to_string(&snapshot).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let conditions_json = serde_json::to_string(&conditions).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let override_kept = kept_override(d, &card, override_reason);
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO decisions (phase_id, decision, rationale, conditions, override_reason, decided_by, \
                 decided_at, snapshot, supersedes_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(phase.id)
            .bind(&d.decision)
            .bind(d.rationale.trim())
            .bind(&conditions_json)
            .bind(&override_kept)
            .bind(user_id)
            .bind(now)
            .bind(&snapshot_json)
            .bind(previous)
            .fetch_one(&mut *tx)
            .await?;
            write_audit!(&mut *tx, actor, AuditWrite {
                action: "decision.create", entity: "decision", entity_id: Some(id.to_string()),
                project_id: Some(phase.project_id), phase_id: Some(phase.id), before: None,
                after: Some(json!({"decision": d.decision, "verdict": snapshot.verdict, "score": snapshot.score,
                    "override": override_kept.is_some(), "supersedes": previous})),
            })?;
            id
        });
        self.decision(id).await
    }

    /// One decision.
    pub async fn decision(&self, id: i64) -> StoreResult<DecisionRecord> {
        let sql = format!("{DECISION_SELECT} WHERE d.id = $1");
        let row = on_pool!(self, pool => sqlx::query_as::<_, DecisionDbRow>(&sql).bind(id).fetch_optional(pool).await)?
            .ok_or(StoreError::NotFound)?;
        row.into_record()
    }

    /// Decisions of a phase, newest first.
    pub async fn decisions(&self, phase_id: i64, limit: i64) -> StoreResult<Vec<DecisionRecord>> {
        let sql = format!("{DECISION_SELECT} WHERE d.phase_id = $1 ORDER BY d.decided_at DESC, d.id DESC LIMIT $2");
        let rows = on_pool!(self, pool => sqlx::query_as::<_, DecisionDbRow>(&sql)
            .bind(phase_id).bind(limit).fetch_all(pool).await)?;
        rows.into_iter().map(DecisionDbRow::into_record).collect()
    }

    /// What changed in a phase between a decision and now.
    pub async fn changes_since(&self, phase: &PhaseRow, d: &DecisionRecord) -> StoreResult<ChangesSince> {
        let card = self.evaluate_phase(phase).await?;
        let open_now: Vec<SnapshotBlocker> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id, severity, title, status, owner, waive_reason FROM blockers \
             WHERE phase_id = $1 AND status = 'open' ORDER BY id"
        ).bind(phase.id).fetch_all(pool).await)?;
        let open_then: Vec<&SnapshotBlocker> =
            d.snapshot.blockers.iter().filter(|b| b.status == BlockerStatus::Open).collect();
        let blockers_opened =
            open_now.iter().filter(|b| !open_then.iter().any(|t| t.id == b.id)).cloned().collect::<Vec<_>>();
        let blockers_closed =
            open_then.iter().filter(|t| !open_now.iter().any(|b| b.id == t.id)).map(|t| (*t).clone()).collect();
        let new_evidence = card
            .suites
            .iter()
            .filter_map(|s| {
                let then = d.snapshot.suites.iter().find(|t| t.suite == s.suite).map(|t| t.report_id);
                (then != Some(s.report_id)).then(|| (s.suite.clone(), then, s.report_id))
            })
            .collect();
        let reports_since: i64 = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM reports WHERE phase_id = $1 AND received_at > $2"
        ).bind(phase.id).bind(d.decided_at).fetch_one(pool).await)?;
        Ok(ChangesSince {
            score_then: d.snapshot.score,
            score_now: card.display_score(),
            verdict_then: d.snapshot.verdict,
            verdict_now: card.verdict,
            blockers_opened,
            blockers_closed,
            new_evidence,
            reports_since,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(kind: &str, rationale: &str) -> NewDecision {
        NewDecision { decision: kind.into(), rationale: rationale.into(), ..Default::default() }
    }

    #[test]
    fn decisions_are_validated() {
        assert!(decision("go", "Everything checks out.").validate().is_ok());
        assert!(decision("ship", "Everything checks out.").validate().unwrap_err().starts_with("decision"));
        assert!(decision("no_go", "short").validate().unwrap_err().starts_with("rationale"));
        let err = decision("conditional_go", "Ship behind a flag.").validate().unwrap_err();
        assert!(err.contains("at least one condition"), "{err}");
        let mut d = decision("conditional_go", "Ship behind a flag.");
        d.conditions.push(Condition { text: "Rehearse restore".into(), owner: None, due_date: Some("soon".into()) });
        assert!(d.validate().unwrap_err().contains("due_date"));
        d.conditions[0].due_date = Some("2026-12-01".into());
        assert!(d.validate().is_ok());
    }
}
