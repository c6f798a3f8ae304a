//! Reads behind trend charts: phase history, suite runs, metric runs, check runs, decisions.

use std::sync::Arc;

use readyboard_domain::trends::{self, Point};

use crate::db::{Store, now_ms, on_pool};
use crate::error::{StoreError, StoreResult};
use crate::projects::PhaseRow;

pub use crate::trend_series::*;

/// How long assembled trends may be served without new evidence (bounds staleness when
/// another instance writes to the same database).
const TRENDS_TTL_MS: i64 = 60_000;

impl Store {
    /// The phase's evaluations since `since` (all when `None`), oldest first.
    pub async fn phase_history(&self, phase_id: i64, since: Option<i64>) -> StoreResult<Vec<HistoryRow>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, HistoryRow>(
            "SELECT at, report_id, score, verdict, categories, blockers_critical, blockers_high, \
             blockers_medium, blockers_low FROM phase_history WHERE phase_id = $1 AND at >= $2 ORDER BY at, id",
        ).bind(phase_id).bind(since.unwrap_or(i64::MIN)).fetch_all(pool).await)?)
    }

    /// Every report of the phase since `since`, by suite then time.
    pub async fn suite_runs(&self, phase_id: i64, since: Option<i64>) -> StoreResult<Vec<SuiteRunRow>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, SuiteRunRow>(
            "SELECT s.name AS suite, r.id AS report_id, r.received_at AS at, r.tests, r.passed, r.failed, \
             r.errors, r.skipped, r.partial, r.not_run, CASE WHEN r.finished_at >= r.started_at THEN r.finished_at - r.started_at END \
             AS duration_ms FROM reports r JOIN suites s ON s.id = r.suite_id \
             WHERE r.phase_id = $1 AND r.received_at >= $2 ORDER BY s.name, r.received_at, r.id",
        ).bind(phase_id).bind(since.unwrap_or(i64::MIN)).fetch_all(pool).await)?)
    }

    /// Every metric of the phase's reports since `since`, by suite, metric, then time.
    pub async fn metric_runs(&self, phase_id: i64, since: Option<i64>) -> StoreResult<Vec<MetricRunRow>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, MetricRunRow>(
            "SELECT s.name AS suite, m.name, m.unit, r.id AS report_id, r.received_at AS at, m.value, \
             m.target_op, m.target_value, m.met FROM metrics m JOIN reports r ON r.id = m.report_id \
             JOIN suites s ON s.id = r.suite_id WHERE r.phase_id = $1 AND r.received_at >= $2 \
             ORDER BY s.name, m.name, r.received_at, r.id",
        ).bind(phase_id).bind(since.unwrap_or(i64::MIN)).fetch_all(pool).await)?)
    }

    /// Decisions of the phase since `since`, oldest first.
    pub async fn decision_marks(&self, phase_id: i64, since: Option<i64>) -> StoreResult<Vec<DecisionMark>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, DecisionMark>(
            "SELECT id, decision, decided_at AS at FROM decisions WHERE phase_id = $1 AND decided_at >= $2 \
             ORDER BY decided_at, id",
        ).bind(phase_id).bind(since.unwrap_or(i64::MIN)).fetch_all(pool).await)?)
    }
}

/// Start of a named range before `now`, on a whole hour: relative ranges move by the hour,
/// so that what is drawn from them stays cacheable and a page and its pictures agree.
fn range_since(range: &str, now: i64) -> StoreResult<Option<i64>> {
    Ok(trends::range_start(range, now).map_err(StoreError::Invalid)?.map(|t| t - t.rem_euclid(3_600_000)))
}

impl Store {
    /// The score of every phase of a project after each report over a named range (`7d`,
    /// `30d`, `90d`, `all`), one series per phase in phase order.
    pub async fn project_score_series(&self, project_id: i64, range: &str) -> StoreResult<Vec<NamedSeries>> {
        let since = range_since(range, now_ms())?;
        let rows: Vec<(String, i64, Option<i64>, Option<f64>)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT p.name, h.at, h.report_id, h.score FROM phase_history h JOIN phases p ON p.id = h.phase_id \
             WHERE p.project_id = $1 AND h.at >= $2 ORDER BY p.position, p.id, h.at, h.id",
        ).bind(project_id).bind(since.unwrap_or(i64::MIN)).fetch_all(pool).await)?;
        let mut out: Vec<NamedSeries> = Vec::new();
        for (name, at, report_id, score) in rows {
            if out.last().is_none_or(|s| s.name != name) {
                out.push(NamedSeries { name: name.clone(), points: Vec::new() });
            }
            if let (Some(s), Some(value)) = (out.last_mut(), score) {
                s.points.push(Point { at, value, report_id });
            }
        }
        Ok(out)
    }

    /// Every trend series of a phase over a named range, cached until new evidence arrives.
    pub async fn trends(&self, phase: &PhaseRow, range: &str) -> StoreResult<Arc<Trends>> {
        let now = now_ms();
        let since = range_since(range, now)?;
        let key = (phase.id, range.to_string());
        let generation = self.caches.generation.current();
        if let Some(t) = self.caches.trends.get_within(&key, generation, now, TRENDS_TTL_MS) {
            return Ok(t);
        }
        let history = self.phase_history(phase.id, since).await?;
        let runs = self.suite_runs(phase.id, since).await?;
        let metrics = self.metric_runs(phase.id, since).await?;
        let decisions = self.decision_marks(phase.id, since).await?;
        let flaky = self.flaky_checks(phase.id).await?;
        let version = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (phase.id, range, since, phase.ready_threshold.to_bits(), phase.conditional_threshold.to_bits())
                .hash(&mut h);
            (history.len(), history.last().map(|r| (r.at, r.report_id))).hash(&mut h);
            (runs.len(), runs.iter().map(|r| r.report_id).max(), metrics.len()).hash(&mut h);
            (decisions.len(), decisions.last().map(|d| d.id)).hash(&mut h);
            for s in &flaky {
                s.suite.hash(&mut h);
                for c in &s.checks {
                    (&c.key, c.runs, c.flips, c.flaky_signals, c.last_report_id).hash(&mut h);
                }
            }
            format!("{:016x}", h.finish())
        };
        let t = Arc::new(Trends {
            range: if range.is_empty() { "all".into() } else { range.to_string() },
            since,
            ready_threshold: phase.ready_threshold,
            conditional_threshold: phase.conditional_threshold,
            score: history
                .iter()
                .filter_map(|h| Some(Point { at: h.at, value: h.score?, report_id: h.report_id }))
                .collect(),
            categories: category_series(&history),
            blockers: blocker_series(&history),
            suites: suite_series(runs),
            metrics: metric_series(metrics),
            decisions,
            flaky,
            version,
        });
        self.caches.trends.put(key, generation, now, t.clone());
        Ok(t)
    }
}

fn category_series(history: &[HistoryRow]) -> Vec<NamedSeries> {
    #[derive(serde::Deserialize)]
    struct Cat {
        name: String,
        score: Option<f64>,
    }
    let mut out: Vec<NamedSeries> = Vec::new();
    for h in history {
        for c in serde_json::from_str::<Vec<Cat>>(&h.categories).unwrap_or_default() {
            let Some(value) = c.score else { continue };
            let point = Point { at: h.at, value, report_id: h.report_id };
            match out.iter_mut().find(|s| s.name == c.name) {
                Some(s) => s.points.push(point),
                None => out.push(NamedSeries { name: c.name, points: vec![point] }),
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn blocker_series(history: &[HistoryRow]) -> Vec<NamedSeries> {
    let count = |h: &HistoryRow, severity: &str| match severity {
        "critical" => h.blockers_critical,
        "high" => h.blockers_high,
        "medium" => h.blockers_medium,
        _ => h.blockers_low,
    };
    ["critical", "high", "medium", "low"]
        .into_iter()
        .map(|name| NamedSeries {
            name: name.to_string(),
            points: history
                .iter()
                .map(|h| Point { at: h.at, value: count(h, name) as f64, report_id: h.report_id })
                .collect(),
        })
        .collect()
}

fn suite_series(runs: Vec<SuiteRunRow>) -> Vec<SuiteTrend> {
    let mut out: Vec<SuiteTrend> = Vec::new();
    for r in runs {
        if out.last().is_none_or(|s| s.name != r.suite) {
            out.push(SuiteTrend { name: r.suite.clone(), pass_rate: vec![], duration_ms: vec![], runs: vec![] });
        }
        let Some(s) = out.last_mut() else { continue };
        let rate = trends::pass_rate(r.counts.tests, r.counts.passed, r.counts.skipped);
        if let Some(value) = rate {
            s.pass_rate.push(Point { at: r.at, value, report_id: Some(r.report_id) });
        }
        if let Some(d) = r.duration_ms {
            s.duration_ms.push(Point { at: r.at, value: d as f64, report_id: Some(r.report_id) });
        }
        s.runs.push(r);
    }
    out
}

fn metric_series(rows: Vec<MetricRunRow>) -> Vec<MetricTrend> {
    let mut out: Vec<MetricTrend> = Vec::new();
    for m in rows {
        if out.last().is_none_or(|t| t.suite != m.suite || t.name != m.name) {
            out.push(MetricTrend {
                suite: m.suite.clone(),
                name: m.name.clone(),
                unit: m.unit.clone(),
                target_op: None,
                target_value: None,
                points: vec![],
                misses: vec![],
            });
        }
        let Some(t) = out.last_mut() else { continue };
        let point = Point { at: m.at, value: m.value, report_id: Some(m.report_id) };
        t.points.push(point);
        if m.met == Some(false) {
            t.misses.push(point);
        }
        t.target_op = m.target_op;
        t.target_value = m.target_value;
        t.unit = m.unit;
    }
    out
}
