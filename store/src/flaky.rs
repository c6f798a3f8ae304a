//! Flaky checks of a phase: per suite, over its last [`FLAKY_WINDOW`] reports.
//!
//! Finding them reads every check of those reports, which on a long history of big reports
//! is the costliest read of a scorecard. Reports never change once stored, so a suite's
//! ranking depends only on which reports make up its window: it is kept per suite under the
//! ids of that window and computed again only for a suite whose window moved (a new report,
//! a deleted one). An upload to one suite recomputes that suite alone, and the result is as
//! exact as reading everything afresh.

use std::collections::HashMap;
use std::sync::Arc;

use readyboard_domain::model::Status;
use readyboard_domain::trends::{self, CheckRun, FlakyCheck};

use crate::db::{Store, on_pool};
use crate::error::StoreResult;

pub use crate::flaky_cache::*;

/// One check in one report, as read for flip rates.
#[derive(sqlx::FromRow)]
struct CheckRunRow {
    report_id: i64,
    check_key: String,
    name: String,
    status: String,
    flaky: bool,
    retries: i64,
}

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
        if window.is_empty() {
            return Ok(Vec::new());
        }
        // The ids come from the database as integers: listing them in the statement is safe,
        // and lets both backends use the index on checks(report_id, …).
        let ids = window.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let order: HashMap<i64, usize> = window.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let sql = format!(
            "SELECT c.report_id, c.check_key, c.name, c.status, c.flaky, c.retries FROM checks c \
             WHERE c.report_id IN ({ids}) AND c.check_key IN (SELECT DISTINCT k.check_key FROM checks k \
             WHERE k.report_id IN ({ids}) AND (k.status <> 'pass' OR k.flaky OR k.retries > 0)) \
             ORDER BY c.report_id, c.ordinal"
        );
        let mut rows: Vec<CheckRunRow> = on_pool!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await)?;
        // Oldest run first, in the window's order (arrival), then the report's own order.
        rows.sort_by_key(|r| order.get(&r.report_id).copied().unwrap_or(usize::MAX));
        let runs: Vec<CheckRun> = rows
            .into_iter()
            .map(|r| CheckRun {
                key: r.check_key,
                name: r.name,
                report_id: r.report_id,
                status: Status::parse(&r.status).unwrap_or_default(),
                flaky: r.flaky,
                retries: r.retries.clamp(0, u32::MAX as i64) as u32,
            })
            .collect();
        let mut ranked = trends::rank_flaky(&runs);
        ranked.truncate(FLAKY_PER_SUITE);
        Ok(ranked)
    }
}
