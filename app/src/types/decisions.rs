//! The blockers page and the decision records.

use readyboard_domain::blockers::BlockerStatus;
use readyboard_domain::decisions::Decision;
use readyboard_domain::model::Severity;
use readyboard_domain::scoring::Verdict;
use serde::{Deserialize, Serialize};

/// One blocker as the blockers page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockerEntry {
    /// Id.
    pub id: i64,
    /// Project slug.
    pub project: String,
    /// Phase slug.
    pub phase: String,
    /// "Project · Phase".
    pub place: String,
    /// Suite, or `None` for blockers written by hand.
    pub suite: Option<String>,
    /// A finding, a check, or written by hand.
    pub source: readyboard_domain::blockers::BlockerSource,
    /// Severity.
    pub severity: Severity,
    /// Title.
    pub title: String,
    /// Details.
    pub details: String,
    /// open, waived or resolved.
    pub status: BlockerStatus,
    /// Owner.
    pub owner: Option<String>,
    /// Due date `YYYY-MM-DD`.
    pub due_date: Option<String>,
    /// The due date has passed while the blocker is open.
    pub overdue: bool,
    /// First seen, formatted.
    pub first_seen: String,
    /// Last seen, formatted.
    pub last_seen: String,
    /// Reports that showed it.
    pub occurrences: i64,
    /// First report showing it.
    pub first_report_id: Option<i64>,
    /// Latest report showing it.
    pub last_report_id: Option<i64>,
    /// Report that no longer showed it.
    pub resolved_report_id: Option<i64>,
    /// When it was resolved, formatted.
    pub resolved: Option<String>,
    /// Who waived it.
    pub waived_by: Option<String>,
    /// Why it was waived.
    pub waive_reason: Option<String>,
}

/// The blockers page: one phase or every phase, filtered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockersView {
    /// Set when the page shows one phase: (project slug, project name, phase slug, phase name).
    pub scope: Option<(String, String, String, String)>,
    /// The blockers matching the filter.
    pub items: Vec<BlockerEntry>,
    /// Open blockers per severity among `items` (critical, high, medium, low).
    pub open_by_severity: [i64; 4],
    /// Owners to filter by.
    pub owners: Vec<String>,
    /// Users a blocker may be given to.
    pub users: Vec<String>,
    /// Projects to filter by (slug, name); empty on a phase's own page.
    pub projects: Vec<(String, String)>,
    /// Phases to filter by (`project/phase`, "Project · Phase"); empty on a phase's own page.
    pub phases: Vec<(String, String)>,
    /// The caller may add and assign blockers.
    pub can_edit: bool,
    /// The caller may waive and reopen blockers.
    pub can_approve: bool,
}

/// A decision in lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionSummary {
    /// Id.
    pub id: i64,
    /// The decision.
    pub decision: Decision,
    /// Who decided.
    pub decided_by: String,
    /// When, "2026-11-20 14:03 UTC".
    pub decided_at: String,
    /// How long ago.
    pub ago: String,
    /// A GO given against the verdict.
    pub is_override: bool,
    /// Verdict at the time.
    pub verdict_then: Verdict,
    /// Score at the time.
    pub score_then: Option<f64>,
    /// Rationale.
    pub rationale: String,
}

/// A blocker in a decision snapshot or a change list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockerBrief {
    /// Id.
    pub id: i64,
    /// Severity.
    pub severity: Severity,
    /// Title.
    pub title: String,
    /// open or waived.
    pub status: BlockerStatus,
    /// Owner.
    pub owner: Option<String>,
    /// Why it was waived.
    pub waive_reason: Option<String>,
}

/// What moved between a decision and now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangesView {
    /// Decision compared with.
    pub decision_id: i64,
    /// Score then.
    pub score_then: Option<f64>,
    /// Score now.
    pub score_now: Option<f64>,
    /// Verdict then.
    pub verdict_then: Verdict,
    /// Verdict now.
    pub verdict_now: Verdict,
    /// Blockers opened since.
    pub opened: Vec<BlockerBrief>,
    /// Blockers closed since.
    pub closed: Vec<BlockerBrief>,
    /// Suites with newer evidence: (suite, report then, report now).
    pub new_evidence: Vec<(String, Option<i64>, i64)>,
    /// Reports received since.
    pub reports_since: i64,
}

/// A checklist item in a decision snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotItemView {
    /// Title.
    pub title: String,
    /// Required.
    pub required: bool,
    /// Status.
    pub status: readyboard_domain::checklist::ItemStatus,
    /// Who had signed.
    pub signed_by: Vec<String>,
    /// "alice approved despite failing evidence", one line per such approval.
    pub signed_despite: Vec<String>,
}

/// A suite in a decision snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotSuiteView {
    /// Suite name.
    pub suite: String,
    /// Report used.
    pub report_id: i64,
    /// Age in days then.
    pub age_days: i64,
    /// Stale then.
    pub stale: bool,
    /// Score the report supported.
    pub score: Option<f64>,
}

/// The decision record page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionView {
    /// Project slug.
    pub project: String,
    /// Project name.
    pub project_name: String,
    /// Phase slug.
    pub phase: String,
    /// Phase name.
    pub phase_name: String,
    /// The decision.
    pub summary: DecisionSummary,
    /// Conditions: (text, owner, due date).
    pub conditions: Vec<(String, Option<String>, Option<String>)>,
    /// Override reason, for a GO against the verdict.
    pub override_reason: Option<String>,
    /// The decision it superseded.
    pub supersedes_id: Option<i64>,
    /// The decision that superseded it.
    pub superseded_by: Option<i64>,
    /// Reasons for the verdict then.
    pub reasons: Vec<String>,
    /// Thresholds then: (ready, conditional).
    pub thresholds: (f64, f64),
    /// Category scores then: (name, score, weight).
    pub categories: Vec<(String, Option<f64>, f64)>,
    /// Suites then.
    pub suites: Vec<SnapshotSuiteView>,
    /// Open and waived blockers then.
    pub blockers: Vec<BlockerBrief>,
    /// Checklist then.
    pub checklist: Vec<SnapshotItemView>,
    /// What changed since.
    pub changes: ChangesView,
}

/// Which blockers a list shows: one phase's (`project` and `phase`), or every phase's, there
/// narrowed to `in_project` and `in_phase` (`project/phase`); then by severity, owner (`-`:
/// nobody) and status. Empty or missing: no narrowing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BlockerQuery {
    /// Project of the phase shown.
    #[serde(default)]
    pub project: Option<String>,
    /// Phase shown.
    #[serde(default)]
    pub phase: Option<String>,
    /// Project filter of the list of every phase.
    #[serde(default)]
    pub in_project: Option<String>,
    /// Phase filter (`project/phase`) of the list of every phase.
    #[serde(default)]
    pub in_phase: Option<String>,
    /// Severity.
    #[serde(default)]
    pub severity: Option<String>,
    /// Owner, `-` for nobody.
    #[serde(default)]
    pub owner: Option<String>,
    /// Status.
    #[serde(default)]
    pub status: Option<String>,
}

/// A blocker written by hand, as its form sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BlockerForm {
    /// Project slug.
    pub project: String,
    /// Phase slug.
    pub phase: String,
    /// critical, high, medium or low.
    pub severity: String,
    /// One-line title.
    pub title: String,
    /// Details.
    pub details: String,
    /// Owner's username (empty: nobody).
    pub owner: String,
    /// Due date `YYYY-MM-DD` (empty: none).
    pub due_date: String,
}
