//! Flaky checks of a phase: per suite, over its last [`FLAKY_WINDOW`] reports.
//!
//! Finding them reads every check of those reports (their check sets), which on a long
//! history of big reports is the costliest read of a scorecard. Reports never change once stored, so a suite's
//! ranking depends only on which reports make up its window: it is kept per suite under the
//! ids of that window and computed again only for a suite whose window moved (a new report,
//! a deleted one). An upload to one suite recomputes that suite alone, and the result is as
//! exact as reading everything afresh.

use std::collections::HashSet;
use std::sync::Arc;

use readyboard_domain::model::Status;
use readyboard_domain::trends::{self, CheckRun, FlakyCheck};

use crate::db::{Store, on_pool};
use crate::error::StoreResult;

pub use crate::flaky_cache::*;

/// Flaky checks kept per suite.
const FLAKY_PER_SUITE: usize = 10;

impl Store {
    /// Flaky checks of every suite of the phase, by suite name, each ranked worst first.
    pub async fn flaky_checks(&self, phase_id: i64) -> StoreResult<Vec<SuiteFlaky>> {
        let mut out = Vec::new();
        for (_, suite, window) in self.flaky_windows(phase_id).await? {
            let ranking = match self.caches.flaky.0.get(&window) {
                Some(r) => r,
                None => {
                    let r = Arc::new(self.rank_window(&window).await?);
                    self.caches.flaky.0.insert(window, r.clone());
                    r
                }
            };
            if !ranking.is_empty() {
                out.push(SuiteFlaky { suite, checks: ranking.as_ref().clone() });
            }
        }
        Ok(out)
    }

    /// Each suite of the phase with the ids of its last [`FLAKY_WINDOW`] reports, oldest first.
    ///
    /// One indexed `LIMIT` read per suite: the work is suites × window, whatever the length of
    /// the history. (A single statement with a correlated `IN (… LIMIT)` per report re-ran its
    /// subquery for every report the phase ever stored, so it grew with the whole history.)
    async fn flaky_windows(&self, phase_id: i64) -> StoreResult<Vec<(i64, String, Vec<i64>)>> {
        let suites: Vec<(i64, String)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id, name FROM suites WHERE phase_id = $1 ORDER BY name, id",
        ).bind(phase_id).fetch_all(pool).await)?;
        let mut out = Vec::with_capacity(suites.len());
        for (suite_id, name) in suites {
            let mut ids: Vec<i64> = on_pool!(self, pool => sqlx::query_scalar(
                "SELECT id FROM reports WHERE suite_id = $1 ORDER BY received_at DESC, id DESC LIMIT $2",
            ).bind(suite_id).bind(FLAKY_WINDOW).fetch_all(pool).await)?;
            if ids.is_empty() {
                continue;
            }
            ids.reverse();
            out.push((suite_id, name, ids));
        }
        Ok(out)
    }

    /// Ranks the checks of the given reports (oldest first) that did not pass at least once
    /// or were flagged flaky or retried; checks that always passed cannot be flaky.
    async fn rank_window(&self, window: &[i64]) -> StoreResult<Vec<FlakyCheck>> {
        let sources = self.run_sources(window).await?;
        let mut sets = Vec::with_capacity(window.len());
        for id in window {
            if let Some(source) = sources.get(id) {
                sets.push((*id, source.runs()?));
            }
        }
        let suspect: HashSet<&str> = sets
            .iter()
            .flat_map(|(_, r)| (0..r.key.len()).map(move |i| (r, i)))
            .filter(|(r, i)| r.status[*i] != Status::Pass || r.flaky[*i] || r.retries[*i] > 0)
            .map(|(r, i)| r.key[i])
            .collect();
        // Oldest run first, in the window's order (arrival), then the report's own order.
        let runs: Vec<CheckRun> = sets
            .iter()
            .flat_map(|(report_id, r)| (0..r.key.len()).map(move |i| (*report_id, r, i)))
            .filter(|(_, r, i)| suspect.contains(r.key[*i]))
            .map(|(report_id, r, i)| CheckRun {
                key: r.key[i].to_string(),
                name: r.name[i].to_string(),
                report_id,
                status: r.status[i],
                flaky: r.flaky[i],
                retries: r.retries[i],
            })
            .collect();
        let mut ranked = trends::rank_flaky(&runs);
        ranked.truncate(FLAKY_PER_SUITE);
        Ok(ranked)
    }
}
