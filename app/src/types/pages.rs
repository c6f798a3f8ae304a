//! The overview, project and phase scorecard pages.

use super::admin::WebhooksView;
use super::decisions::{ChangesView, DecisionSummary};
use super::trends::{FlakyLine, TrendChart};
use readyboard_domain::blockers::BlockerStatus;
use readyboard_domain::decisions::Decision;
use readyboard_domain::model::Severity;
use readyboard_domain::role::Role;
use readyboard_domain::scoring::Verdict;
use serde::{Deserialize, Serialize};

/// The logged-in user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    /// Login name.
    pub username: String,
    /// Role.
    pub role: Role,
}

/// A phase's current evaluation in brief.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseSummary {
    /// Slug.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Score 0–100.
    pub score: Option<f64>,
    /// Verdict.
    pub verdict: Verdict,
    /// Why.
    pub reasons: Vec<String>,
    /// Open blockers.
    pub open_blockers: i64,
    /// Open blockers by severity: critical, high, medium, low.
    pub blockers_by_severity: [i64; 4],
    /// Suites with evidence.
    pub suites: usize,
    /// Age of the freshest evidence, formatted ("3 hours ago").
    pub freshest: Option<String>,
}

/// The latest go/no-go decision recorded in a project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionBrief {
    /// The decision.
    pub decision: Decision,
    /// A GO given although the evidence was not READY.
    pub is_override: bool,
    /// Phase it was recorded for (slug, name).
    pub phase: (String, String),
    /// Decision id.
    pub id: i64,
    /// Age, formatted.
    pub ago: String,
}

/// A project on the overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectCard {
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Every phase, in order.
    pub phases: Vec<PhaseSummary>,
    /// Index in `phases` of the phase that most needs attention.
    pub attention: Option<usize>,
    /// Open blockers across the project's phases: critical, high, medium, low.
    pub blockers_by_severity: [i64; 4],
    /// The latest decision recorded in any phase.
    pub latest_decision: Option<DecisionBrief>,
}

/// A project page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectView {
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Phases in order.
    pub phases: Vec<PhaseSummary>,
    /// Newest reports across phases.
    pub recent: Vec<ReportLine>,
    /// Every phase's score over `range`, when the project has phases.
    pub chart: Option<TrendChart>,
    /// Whether the caller may create phases (editors).
    pub can_edit: bool,
    /// Whether the caller may set the retention (admins).
    pub can_admin: bool,
    /// Days check rows and raw files are kept (`None`: forever).
    pub retention_days: Option<i64>,
    /// Time range of the chart (`7d`, `30d`, `90d`, `all`).
    pub range: String,
    /// The webhooks section, for admins.
    pub webhooks: Option<WebhooksView>,
}

/// One report in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportLine {
    /// Report id.
    pub id: i64,
    /// Suite.
    pub suite: String,
    /// Phase slug.
    pub phase: String,
    /// Format.
    pub format: String,
    /// Received, formatted.
    pub received: String,
    /// Tests.
    pub tests: i64,
    /// Passed.
    pub passed: i64,
    /// Failed + errors.
    pub failed: i64,
    /// Skipped.
    pub skipped: i64,
    /// Suite score.
    pub score: Option<f64>,
}

/// A category of the scorecard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryLine {
    /// Name.
    pub name: String,
    /// Score.
    pub score: Option<f64>,
    /// Weight.
    pub weight: f64,
    /// Checks.
    pub checks: u64,
    /// Counts as the score uses them.
    pub counts: readyboard_domain::model::Counts,
    /// Some of its evidence was measured by a tool (false: self-reported only).
    pub measured: bool,
}

/// A suite of the scorecard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuiteLine {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: Option<String>,
    /// Latest report.
    pub report_id: i64,
    /// Age, formatted.
    pub age: String,
    /// Older than the freshness window.
    pub stale: bool,
    /// Counts of the latest report.
    pub tests: i64,
    /// Passed.
    pub passed: i64,
    /// Failed + errors.
    pub failed: i64,
    /// Score of the report on its own.
    pub score: Option<f64>,
    /// Claimed score, if the artifact claims one.
    pub claimed: Option<f64>,
    /// Whether the report is self-reported (a hand-written report).
    pub self_reported: bool,
}

/// A blocker line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockerLine {
    /// Id.
    pub id: i64,
    /// Severity.
    pub severity: Severity,
    /// Title.
    pub title: String,
    /// Suite.
    pub suite: Option<String>,
    /// Status.
    pub status: BlockerStatus,
    /// Owner.
    pub owner: Option<String>,
    /// First seen, formatted.
    pub first_seen: String,
    /// Occurrences.
    pub occurrences: i64,
    /// Latest report showing it.
    pub report_id: Option<i64>,
}

/// The phase scorecard page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseView {
    /// Project slug.
    pub project: String,
    /// Project name.
    pub project_name: String,
    /// The phase.
    pub phase: PhaseSummary,
    /// Ready threshold.
    pub ready_threshold: f64,
    /// Conditional threshold.
    pub conditional_threshold: f64,
    /// Freshness window.
    pub freshness_days: i64,
    /// Categories.
    pub categories: Vec<CategoryLine>,
    /// "How is this computed" lines.
    pub explanation: Vec<String>,
    /// Suites.
    pub suites: Vec<SuiteLine>,
    /// The most severe open blockers (a few; `phase.open_blockers` counts them all).
    pub blockers: Vec<BlockerLine>,
    /// Newest reports.
    pub recent: Vec<ReportLine>,
    /// Whether the viewer may edit the phase settings.
    pub can_admin: bool,
    /// Category weights.
    pub weights: Vec<(String, f64)>,
    /// The caller may record decisions.
    pub can_decide: bool,
    /// The caller may edit (import reports, manage blockers).
    pub can_edit: bool,
    /// Expected kinds of evidence and whether the phase has each: (label, present).
    pub coverage: Vec<(String, bool)>,
    /// Decisions, newest first.
    pub decisions: Vec<DecisionSummary>,
    /// What changed since the newest decision.
    pub changes: Option<ChangesView>,
    /// Checklist: (items, required, required done and signed).
    pub checklist: (usize, usize, usize),
    /// The most flaky checks, worst first.
    pub flaky: Vec<FlakyLine>,
}

/// A new phase as its form sends it: numbers as typed, read by the server function.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PhaseForm {
    /// Project slug.
    pub project: String,
    /// Display name.
    pub name: String,
    /// Slug (empty: made from the name).
    pub slug: String,
    /// Minimum score for READY.
    pub ready: String,
    /// Minimum score for CONDITIONAL.
    pub conditional: String,
    /// Evidence older than this many days is stale.
    pub freshness_days: String,
}

/// A go/no-go decision as its form sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DecisionForm {
    /// Project slug.
    pub project: String,
    /// Phase slug.
    pub phase: String,
    /// go, conditional_go or no_go.
    pub decision: String,
    /// Why.
    pub rationale: String,
    /// Conditions, one per line (`text | owner | due date`).
    pub conditions: String,
    /// Why the decision goes against the evidence, when it does.
    pub override_reason: String,
}

/// A phase's thresholds, freshness window and category weights as the settings form sends
/// them: numbers as typed, read by the server function.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PhaseSettingsForm {
    /// Project slug.
    pub project: String,
    /// Phase slug.
    pub phase: String,
    /// Minimum score for READY.
    pub ready: String,
    /// Minimum score for CONDITIONAL.
    pub conditional: String,
    /// Evidence older than this many days is stale.
    pub freshness_days: String,
    /// Category weights, `name = weight` per line.
    pub weights: String,
}

/// Which audit entries the log shows (empty or missing: no narrowing).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// `changes` (the default), `signins` or `all`.
    #[serde(default)]
    pub kind: Option<String>,
    /// `project/phase`.
    #[serde(default)]
    pub phase: Option<String>,
    /// Who.
    #[serde(default)]
    pub actor: Option<String>,
    /// What.
    #[serde(default)]
    pub action: Option<String>,
    /// Entries older than this id (the next page).
    #[serde(default)]
    pub before: Option<String>,
}
