//! A report compared with the previous one, and the cache that keeps comparisons.

use readyboard_domain::diff::RunDiff;
use serde::Serialize;
use std::sync::Arc;

/// How a metric moved between two runs of a suite.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MetricChange {
    /// Metric name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Value in the previous run.
    pub before: Option<f64>,
    /// Value in this run.
    pub after: Option<f64>,
    /// Target as written ("< 100").
    pub target: Option<String>,
    /// Whether the previous value met the target.
    pub met_before: Option<bool>,
    /// Whether this value meets the target.
    pub met_after: Option<bool>,
}

/// A report compared with the previous report of its suite.
#[derive(Debug, Clone, Serialize)]
pub struct ReportDiff {
    /// The previous report, if any.
    pub previous_id: Option<i64>,
    /// Check changes.
    pub checks: RunDiff,
    /// Metric changes.
    pub metrics: Vec<MetricChange>,
    /// Whether either report's check rows were pruned (the check changes are then empty).
    pub checks_pruned: bool,
}

impl ReportDiff {
    /// Entries held, the measure the cache is bounded by.
    fn entries(&self) -> u32 {
        let c = &self.checks;
        let n = c.new_failures.len()
            + c.fixed.len()
            + c.no_longer_run.len()
            + c.still_failing.len()
            + c.added.len()
            + c.removed.len()
            + self.metrics.len();
        u32::try_from(n + 1).unwrap_or(u32::MAX)
    }
}

/// (report, previous report, either pruned).
type DiffKey = (i64, Option<i64>, bool);

/// Entries (changed checks and metrics) kept across all comparisons: a few tens of
/// megabytes at most, thousands of typical comparisons.
const DIFF_ENTRIES: u64 = 200_000;

/// Comparisons computed so far, bounded by their entries, least recently used out first.
pub(crate) struct DiffCache(pub(crate) moka::future::Cache<DiffKey, Arc<ReportDiff>>);

impl Default for DiffCache {
    fn default() -> Self {
        DiffCache(
            moka::future::Cache::builder()
                .max_capacity(DIFF_ENTRIES)
                .weigher(|_: &DiffKey, d: &Arc<ReportDiff>| d.entries())
                .build(),
        )
    }
}

impl std::fmt::Debug for DiffCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiffCache").field("entries", &self.0.entry_count()).finish()
    }
}
