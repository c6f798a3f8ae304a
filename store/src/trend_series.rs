//! The series a phase's trend charts are drawn from.

use crate::flaky_cache::SuiteFlaky;
use readyboard_domain::trends::Point;
use serde::Serialize;

/// A named series.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NamedSeries {
    /// Name (category, severity).
    pub name: String,
    /// Points in time order.
    pub points: Vec<Point>,
}

/// One suite over time.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SuiteTrend {
    /// Suite name.
    pub name: String,
    /// Pass rate in percent of executed checks, per run.
    pub pass_rate: Vec<Point>,
    /// Wall time per run, where the report gives it.
    pub duration_ms: Vec<Point>,
    /// Counts per run.
    pub runs: Vec<SuiteRunRow>,
}

/// One metric over time, with its target.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MetricTrend {
    /// Suite the metric comes from.
    pub suite: String,
    /// Metric name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Target operator of the latest run, when there is a target.
    pub target_op: Option<String>,
    /// Target value of the latest run.
    pub target_value: Option<f64>,
    /// Values per run.
    pub points: Vec<Point>,
    /// The runs that missed the target.
    pub misses: Vec<Point>,
}

/// Every series of a phase over a time range.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Trends {
    /// Range name (`7d`, `30d`, `90d`, `all`).
    pub range: String,
    /// Start of the range (unix ms), `None` for all time.
    pub since: Option<i64>,
    /// Score at or above which the phase can be ready.
    pub ready_threshold: f64,
    /// Score at or above which the phase is conditional.
    pub conditional_threshold: f64,
    /// Phase score after each report.
    pub score: Vec<Point>,
    /// Category scores after each report.
    pub categories: Vec<NamedSeries>,
    /// Open blockers by severity after each report.
    pub blockers: Vec<NamedSeries>,
    /// Suites.
    pub suites: Vec<SuiteTrend>,
    /// Metrics.
    pub metrics: Vec<MetricTrend>,
    /// Decisions in the range.
    pub decisions: Vec<DecisionMark>,
    /// Flaky checks over the last runs of each suite (not limited by the range).
    pub flaky: Vec<SuiteFlaky>,
    /// Changes whenever any series changes: an entity tag for everything drawn from these.
    pub version: String,
}

/// The phase's evaluation right after one stored report.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct HistoryRow {
    /// When the report arrived (unix ms).
    pub at: i64,
    /// The report that triggered the evaluation.
    pub report_id: Option<i64>,
    /// Phase score, one decimal.
    pub score: Option<f64>,
    /// Verdict.
    pub verdict: readyboard_domain::scoring::Verdict,
    /// Category scores as JSON `[{"name", "score"}]`.
    #[serde(skip)]
    pub categories: String,
    /// Open critical blockers.
    pub blockers_critical: i64,
    /// Open high blockers.
    pub blockers_high: i64,
    /// Open medium blockers.
    pub blockers_medium: i64,
    /// Open low blockers.
    pub blockers_low: i64,
}

/// One report of a suite, in brief.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SuiteRunRow {
    /// Suite name.
    pub suite: String,
    /// Report id.
    pub report_id: i64,
    /// When it arrived (unix ms).
    pub at: i64,
    /// Its checks, each in exactly one bucket.
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub counts: readyboard_domain::model::Counts,
    /// Wall time of the run when the report says when it started and finished.
    pub duration_ms: Option<i64>,
}

/// One metric in one report.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MetricRunRow {
    /// Suite name.
    pub suite: String,
    /// Metric name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Report id.
    pub report_id: i64,
    /// When the report arrived (unix ms).
    pub at: i64,
    /// Measured value.
    pub value: f64,
    /// Target operator (`<`, `<=`, …), when there is a target.
    pub target_op: Option<String>,
    /// Target value.
    pub target_value: Option<f64>,
    /// Whether the target was met.
    pub met: Option<bool>,
}

/// A decision as a marker on a time axis.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionMark {
    /// Decision id.
    pub id: i64,
    /// The decision.
    pub decision: readyboard_domain::decisions::Decision,
    /// When (unix ms).
    pub at: i64,
}
