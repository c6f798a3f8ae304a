//! The report page: summary, checks, metrics, findings and the comparison with the previous run.

use readyboard_domain::model::{FindingStatus, Severity, Status};
use serde::{Deserialize, Serialize};

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
    pub status: Status,
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
    pub severity: Severity,
    /// Status.
    pub status: FindingStatus,
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
