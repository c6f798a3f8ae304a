//! Data the server functions send to the pages (serialised for hydration).

use serde::{Deserialize, Serialize};

/// The logged-in user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    /// Login name.
    pub username: String,
    /// Role name.
    pub role: String,
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
    /// Verdict name (`ready`, `conditional`, `not_ready`, `no_go`).
    pub verdict: String,
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
    /// `go`, `conditional_go` or `no_go`.
    pub decision: String,
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
    pub severity: String,
    /// Title.
    pub title: String,
    /// Suite.
    pub suite: Option<String>,
    /// Status.
    pub status: String,
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
    /// Open blockers.
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

/// A check row on the report page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckLine {
    /// Name.
    pub name: String,
    /// Suite path.
    pub suite_path: String,
    /// Category.
    pub category: Option<String>,
    /// Status.
    pub status: String,
    /// Duration.
    pub duration: Option<String>,
    /// Message.
    pub message: String,
    /// Details.
    pub details: String,
    /// Flaky.
    pub flaky: bool,
}

/// A metric row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricLine {
    /// Name.
    pub name: String,
    /// Value with unit.
    pub value: String,
    /// Target ("< 100 ms").
    pub target: Option<String>,
    /// Met.
    pub met: Option<bool>,
}

/// A finding row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingLine {
    /// Key.
    pub id: String,
    /// Severity.
    pub severity: String,
    /// Status.
    pub status: String,
    /// Title.
    pub title: String,
    /// Details.
    pub details: String,
}

/// The report page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportView {
    /// Id.
    pub id: i64,
    /// Project slug.
    pub project: String,
    /// Project name.
    pub project_name: String,
    /// Phase slug.
    pub phase: String,
    /// Phase name.
    pub phase_name: String,
    /// Suite.
    pub suite: String,
    /// Format.
    pub format: String,
    /// Received, formatted.
    pub received: String,
    /// Run metadata lines (label, value).
    pub run: Vec<(String, String)>,
    /// Counts as the score uses them.
    pub counts: readyboard_domain::model::Counts,
    /// `measured` or `self_reported`.
    pub provenance: String,
    /// This report's own score (its checks alone).
    pub score: Option<f64>,
    /// Claimed score.
    pub claimed_score: Option<f64>,
    /// Claimed verdict.
    pub claimed_verdict: Option<String>,
    /// The verdict this report's own evidence supports.
    pub own_verdict: String,
    /// Whether its claims hold (`None` without claims).
    pub claim_supported: Option<bool>,
    /// Why a claim does not hold, in words.
    pub claim_reasons: Vec<String>,
    /// Notes from the parser.
    pub notes: Vec<String>,
    /// Metrics.
    pub metrics: Vec<MetricLine>,
    /// Findings.
    pub findings: Vec<FindingLine>,
    /// Per category: (name, this report's score in it, counts).
    pub categories: Vec<(String, Option<f64>, readyboard_domain::model::Counts)>,
    /// Artifact size, formatted.
    pub raw_size: String,
    /// When retention pruned its check rows and raw file, if it did.
    pub pruned: Option<String>,
}

/// A page of checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckPage {
    /// Matching checks.
    pub total: i64,
    /// Page number, from 1.
    pub page: i64,
    /// Page size.
    pub per_page: i64,
    /// Rows.
    pub items: Vec<CheckLine>,
}

/// A user on the admin page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserLine {
    /// Id.
    pub id: i64,
    /// Name.
    pub username: String,
    /// Role.
    pub role: String,
    /// Disabled.
    pub disabled: bool,
    /// Last login, formatted.
    pub last_login: Option<String>,
}

/// A token on the admin page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenLine {
    /// Id.
    pub id: i64,
    /// Project slug.
    pub project: String,
    /// Name.
    pub name: String,
    /// Prefix.
    pub prefix: String,
    /// Created, formatted.
    pub created: String,
    /// Last used, formatted.
    pub last_used: Option<String>,
    /// Revoked.
    pub revoked: bool,
}

/// Everything the admin page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminView {
    /// Users.
    pub users: Vec<UserLine>,
    /// Tokens.
    pub tokens: Vec<TokenLine>,
    /// Project slugs and names.
    pub projects: Vec<(String, String)>,
}

/// A metric's move between two runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricDelta {
    /// Name.
    pub name: String,
    /// Previous value with unit.
    pub before: Option<String>,
    /// Current value with unit.
    pub after: Option<String>,
    /// Target.
    pub target: Option<String>,
    /// Met before.
    pub met_before: Option<bool>,
    /// Met now.
    pub met_after: Option<bool>,
}

/// The report page's "compared with the previous run" section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiffView {
    /// Previous report of the suite.
    pub previous_id: Option<i64>,
    /// Check changes (lists capped for display; totals kept).
    pub checks: readyboard_domain::diff::RunDiff,
    /// Totals before capping: new failures, fixed, still failing, added, removed.
    pub totals: [usize; 5],
    /// Metric changes.
    pub metrics: Vec<MetricDelta>,
    /// Whether either report's check rows were pruned under the project's retention.
    pub checks_pruned: bool,
}

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
    /// finding, check or manual.
    pub source: String,
    /// Severity.
    pub severity: String,
    /// Title.
    pub title: String,
    /// Details.
    pub details: String,
    /// open, waived or resolved.
    pub status: String,
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
    /// go, conditional_go or no_go.
    pub decision: String,
    /// Who decided.
    pub decided_by: String,
    /// When, "2026-11-20 14:03 UTC".
    pub decided_at: String,
    /// How long ago.
    pub ago: String,
    /// A GO given against the verdict.
    pub is_override: bool,
    /// Verdict at the time.
    pub verdict_then: String,
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
    pub severity: String,
    /// Title.
    pub title: String,
    /// open or waived.
    pub status: String,
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
    pub verdict_then: String,
    /// Verdict now.
    pub verdict_now: String,
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
    pub status: String,
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

/// One row of a trend's data table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendRow {
    /// When, formatted.
    pub at: String,
    /// The values, formatted, one per column.
    pub cells: Vec<String>,
    /// Whether the row marks a miss or a failure.
    pub bad: bool,
    /// The report the row comes from.
    pub report_id: Option<i64>,
}

/// A point of a chart that can be hovered, focused and followed to its report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartPoint {
    /// Left, in percent of the wide picture's width.
    pub x: f32,
    /// Top, in percent of the wide picture's height.
    pub y: f32,
    /// Left in the narrow (phone) picture.
    pub nx: f32,
    /// Top in the narrow picture.
    pub ny: f32,
    /// Time, line and value.
    pub label: String,
    /// The report behind the point.
    pub report_id: Option<i64>,
}

/// Names a phase chart: `score`, `categories`, `blockers`, `suite` or `metric`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChartRef {
    /// Chart name.
    pub name: String,
    /// Suite of a suite or metric chart.
    pub suite: Option<String>,
    /// Metric of a metric chart.
    pub metric: Option<String>,
}

/// Width in pixels of the chart pictures drawn for wide screens.
pub const CHART_WIDE: u32 = 900;

/// Width in pixels of the chart pictures drawn for phones: about the width a 390 px wide
/// screen shows them at, so their text is read at the size it is drawn.
pub const CHART_NARROW: u32 = 340;

/// One chart with its text alternative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendChart {
    /// Heading.
    pub title: String,
    /// One sentence a screen reader reads instead of the picture.
    pub summary: String,
    /// Chart URL without `range`/`width` parameters (they are added by the page).
    pub src: String,
    /// Height in pixels at 900 wide.
    pub height: u32,
    /// Height in pixels of the picture shown on phones ([`CHART_NARROW`] wide).
    pub narrow_height: u32,
    /// Which chart it is.
    pub chart: ChartRef,
    /// Points to hover, focus and follow.
    pub points: Vec<ChartPoint>,
    /// Column headings of the data table (after the time column).
    pub columns: Vec<String>,
    /// The latest rows, newest first.
    pub rows: Vec<TrendRow>,
    /// Rows in the full series.
    pub total: usize,
}

/// A flaky check on the trends page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlakyLine {
    /// Suite.
    pub suite: String,
    /// Check name.
    pub name: String,
    /// Flip rate in percent.
    pub flip_rate: f64,
    /// Runs with a pass/fail result.
    pub runs: u32,
    /// Flips between passing and failing.
    pub flips: u32,
    /// Runs flagged flaky or retried by the tool.
    pub signals: u32,
    /// Latest result.
    pub last_status: String,
    /// Report of the latest run.
    pub report_id: i64,
}

/// `/p/{project}/{phase}/trends`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendsView {
    /// Project slug.
    pub project: String,
    /// Project name.
    pub project_name: String,
    /// Phase slug.
    pub phase: String,
    /// Phase name.
    pub phase_name: String,
    /// Range shown.
    pub range: String,
    /// Reports in the range.
    pub reports: usize,
    /// Charts, in page order.
    pub charts: Vec<TrendChart>,
    /// Flaky checks, worst first.
    pub flaky: Vec<FlakyLine>,
    /// Runs per suite the flip rates look at.
    pub flaky_window: i64,
}

/// A sign-off as the checklist shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignoffView {
    /// Who.
    pub username: String,
    /// `approve` or `reject`.
    pub verdict: String,
    /// Why.
    pub comment: String,
    /// When, formatted.
    pub at: String,
    /// No longer counted (item or evidence changed, or signed again).
    pub lapsed: bool,
    /// Approved although the linked evidence was `failing`, `stale` or `missing`.
    pub despite: Option<String>,
}

/// A checklist item with its live state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistItemView {
    /// Row id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Category.
    pub category: String,
    /// Owner's username (empty: nobody).
    pub owner: String,
    /// Required for READY.
    pub required: bool,
    /// Status name.
    pub status: String,
    /// Due date (empty: none).
    pub due_date: String,
    /// Linked suite (empty: none).
    pub evidence_suite: String,
    /// Linked check or metric (empty: the whole suite).
    pub evidence_check: String,
    /// passing, failing, stale or missing.
    pub evidence_state: Option<String>,
    /// Report the state was read from.
    pub evidence_report_id: Option<i64>,
    /// Version the edit form starts from.
    pub version: i64,
    /// Counted approval and no counted rejection.
    pub signed: bool,
    /// Sign-offs, newest first.
    pub signoffs: Vec<SignoffView>,
}

/// `/p/{project}/{phase}/checklist`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistView {
    /// Project slug.
    pub project: String,
    /// Project name.
    pub project_name: String,
    /// Phase slug.
    pub phase: String,
    /// Phase name.
    pub phase_name: String,
    /// Items in order.
    pub items: Vec<ChecklistItemView>,
    /// Required items.
    pub required: usize,
    /// Required items done and signed.
    pub required_done_and_signed: usize,
    /// Templates (name, items).
    pub templates: Vec<(String, usize)>,
    /// Other phases of the project (slug, name).
    pub other_phases: Vec<(String, String)>,
    /// Suites of the phase, for evidence links.
    pub suites: Vec<String>,
    /// Checks and metrics of the suites' latest reports an item can link to, as (suite,
    /// name, kind), up to a limit.
    pub evidence_names: Vec<(String, String, String)>,
    /// How many such names there are in all.
    pub evidence_total: i64,
    /// Users, for owners.
    pub users: Vec<String>,
    /// Editors and up.
    pub can_edit: bool,
    /// Approvers and up.
    pub can_sign: bool,
    /// Admins.
    pub can_admin: bool,
}

/// One audit entry on the audit log page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditLine {
    /// Row id.
    pub id: i64,
    /// When, formatted.
    pub at: String,
    /// Who.
    pub actor: String,
    /// What was done.
    pub action: String,
    /// What kind of thing ("report", "checklist item").
    pub entity: String,
    /// Which one, by name ("#96 · unit", "alice"), if the entry names one.
    pub subject: Option<String>,
    /// Where that thing is shown, if it still exists and has a page.
    pub href: Option<String>,
    /// The phase the change belongs to: (link, "Project · Phase").
    pub place: Option<(String, String)>,
    /// State before (JSON), if any.
    pub before: Option<String>,
    /// State after (JSON), if any.
    pub after: Option<String>,
}

/// `/audit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditView {
    /// Entries, newest first.
    pub entries: Vec<AuditLine>,
    /// Actors to filter by.
    pub actors: Vec<String>,
    /// Actions to filter by.
    pub actions: Vec<String>,
    /// Phases to filter by: (`project/phase`, label).
    pub phases: Vec<(String, String)>,
    /// Which entries: `changes`, `signins` or `all`.
    pub kind: String,
    /// Entries matching the filters, all pages together.
    pub total: i64,
    /// Id to continue from for older entries.
    pub older: Option<i64>,
}

/// An endpoint as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HookLine {
    /// Id.
    pub id: i64,
    /// Where deliveries go.
    pub url: String,
    /// `json` or `slack`.
    pub format: String,
    /// The events it is told of.
    pub events: Vec<String>,
}

/// A delivery as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryLine {
    /// Id.
    pub id: i64,
    /// The endpoint's URL.
    pub url: String,
    /// The event.
    pub event: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    /// Attempts so far.
    pub attempts: i64,
    /// The last answer's HTTP status.
    pub code: Option<i64>,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// When it was queued, relative.
    pub queued: String,
    /// When it is tried next (pending only), relative.
    pub next: Option<String>,
}

/// The webhooks section's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhooksView {
    /// The endpoints.
    pub hooks: Vec<HookLine>,
    /// The newest deliveries.
    pub deliveries: Vec<DeliveryLine>,
    /// Every event an endpoint can ask for, with what it tells of.
    pub events: Vec<(String, String)>,
}
