//! A report compared with the previous report of its suite, kept once computed.
//!
//! Reports never change once stored, so a comparison is valid for as long as the pair it was
//! made from: it is kept under (report, previous report, whether either's check rows were
//! pruned). Deleting or pruning a report changes the key instead of invalidating anything.

use std::sync::Arc;

use readyboard_domain::diff::RunDiff;

use crate::db::Store;
use crate::error::{StoreError, StoreResult};
use crate::reads::{MetricRow, ReportRow};

pub use crate::diff_cache::*;

impl Store {
    /// Compares a report with the previous report of the same suite. Computed once per pair
    /// and kept (concurrent callers for the same pair wait for the one computing it).
    pub async fn diff_with_previous(&self, report: &ReportRow) -> StoreResult<Arc<ReportDiff>> {
        let previous = self.previous_report(report).await?;
        let pruned = report.pruned_at.is_some() || previous.as_ref().is_some_and(|p| p.pruned_at.is_some());
        let key = (report.id, previous.as_ref().map(|p| p.id), pruned);
        self.caches
            .diffs
            .0
            .try_get_with(key, async { self.compute_diff(report, previous.as_ref(), pruned).await.map(Arc::new) })
            .await
            .map_err(StoreError::shared)
    }

    async fn compute_diff(
        &self,
        report: &ReportRow,
        previous: Option<&ReportRow>,
        checks_pruned: bool,
    ) -> StoreResult<ReportDiff> {
        let checks = match previous {
            Some(p) if !checks_pruned => {
                let before = self.check_set_unkept(p.id).await?;
                let current = self.check_set(report.id).await?;
                readyboard_domain::diff::diff(&before, &current)
            }
            _ => RunDiff::default(),
        };
        let after_metrics = self.metrics(report.id).await?;
        let before_metrics = match previous {
            Some(p) => self.metrics(p.id).await?,
            None => Vec::new(),
        };
        Ok(ReportDiff {
            previous_id: previous.map(|p| p.id),
            checks,
            metrics: metric_changes(&before_metrics, &after_metrics),
            checks_pruned,
        })
    }
}

/// Every metric of this run with its previous value, then those only the previous run had.
fn metric_changes(before: &[MetricRow], after: &[MetricRow]) -> Vec<MetricChange> {
    let target = |m: &MetricRow| m.target_op.as_ref().zip(m.target_value).map(|(op, v)| format!("{op} {v}"));
    let mut out: Vec<MetricChange> = after
        .iter()
        .map(|m| {
            let b = before.iter().find(|x| x.name == m.name);
            MetricChange {
                name: m.name.clone(),
                unit: m.unit.clone(),
                before: b.map(|x| x.value),
                after: Some(m.value),
                target: target(m),
                met_before: b.and_then(|x| x.met),
                met_after: m.met,
            }
        })
        .collect();
    for b in before.iter().filter(|b| !after.iter().any(|a| a.name == b.name)) {
        out.push(MetricChange {
            name: b.name.clone(),
            unit: b.unit.clone(),
            before: Some(b.value),
            after: None,
            target: target(b),
            met_before: b.met,
            met_after: None,
        });
    }
    out
}
