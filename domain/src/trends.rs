//! Trend series: time ranges, downsampling that keeps extremes, pass rates and flaky checks.

use serde::{Deserialize, Serialize};

use crate::model::Status;

/// One point of a series: when, the value, and the report it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Point {
    /// Unix milliseconds.
    pub at: i64,
    /// The value at that time.
    pub value: f64,
    /// The report the value was measured on, when there is one.
    pub report_id: Option<i64>,
}

/// The time ranges a trends page offers.
pub const RANGES: &[(&str, &str)] = &[("7d", "7 days"), ("30d", "30 days"), ("90d", "90 days"), ("all", "All time")];

/// Start of a named range (`7d`, `30d`, `90d`, `all`) before `now`; `None` means no lower bound.
pub fn range_start(range: &str, now_ms: i64) -> Result<Option<i64>, String> {
    let days = match range {
        "all" | "" => return Ok(None),
        "7d" => 7,
        "30d" => 30,
        "90d" => 90,
        other => return Err(format!("unknown range `{other}`: use one of 7d, 30d, 90d, all")),
    };
    Ok(Some(now_ms - days * 86_400_000))
}

/// Reduces a series in time order to at most `max` points. Points are cut into equal runs
/// and each run keeps its first, lowest, highest and last point, so spikes and dips survive
/// and the ends of the series stay where they are.
pub fn downsample(points: &[Point], max: usize) -> Vec<Point> {
    if points.len() <= max || max < 4 {
        return points.to_vec();
    }
    let buckets = max / 4;
    let mut out = Vec::with_capacity(max);
    for b in 0..buckets {
        let lo = b * points.len() / buckets;
        let hi = (b + 1) * points.len() / buckets;
        let run = &points[lo..hi];
        if run.is_empty() {
            continue;
        }
        let min = run.iter().enumerate().min_by(|a, b| a.1.value.total_cmp(&b.1.value)).map_or(0, |(i, _)| i);
        let max = run.iter().enumerate().max_by(|a, b| a.1.value.total_cmp(&b.1.value)).map_or(0, |(i, _)| i);
        let mut keep = [0, min, max, run.len() - 1];
        keep.sort_unstable();
        let mut last = None;
        for i in keep {
            if last != Some(i) {
                out.push(run[i]);
                last = Some(i);
            }
        }
    }
    out
}

/// Share of executed checks that passed, in percent; `None` when nothing ran.
pub fn pass_rate(tests: u64, passed: u64, skipped: u64) -> Option<f64> {
    let ran = tests.saturating_sub(skipped);
    (ran > 0).then(|| passed as f64 * 100.0 / ran as f64)
}

/// One check's result in one run of a suite, oldest run first.
#[derive(Debug, Clone)]
pub struct CheckRun {
    /// Stable key of the check within its suite.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Report of the run.
    pub report_id: i64,
    /// Result.
    pub status: Status,
    /// The tool itself flagged the check flaky (CTRF `flaky`, JUnit reruns).
    pub flaky: bool,
    /// Retries the tool reported.
    pub retries: u32,
}

/// A check whose outcome changes between runs, ranked by how often.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlakyCheck {
    /// Stable key of the check.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Runs in which the check passed or failed (skips and not-run left out).
    pub runs: u32,
    /// Changes between passing and not passing from one of those runs to the next.
    pub flips: u32,
    /// Flips per possible flip (runs − 1), 0–1.
    pub flip_rate: f64,
    /// Runs in which the tool flagged the check flaky or retried it.
    pub flaky_signals: u32,
    /// The most recent decided result.
    pub last_status: Status,
    /// Report of the most recent run that showed the check.
    pub last_report_id: i64,
}

/// Ranks checks that flip between passing and failing across runs (input in run order,
/// oldest first), together with checks the tool itself flagged flaky or retried.
pub fn rank_flaky(runs: &[CheckRun]) -> Vec<FlakyCheck> {
    let mut by_key: std::collections::HashMap<&str, FlakyCheck> = std::collections::HashMap::new();
    let mut last_ok: std::collections::HashMap<&str, bool> = std::collections::HashMap::new();
    for r in runs {
        let entry = by_key.entry(r.key.as_str()).or_insert_with(|| FlakyCheck {
            key: r.key.clone(),
            name: r.name.clone(),
            runs: 0,
            flips: 0,
            flip_rate: 0.0,
            flaky_signals: 0,
            last_status: r.status,
            last_report_id: r.report_id,
        });
        entry.last_report_id = r.report_id;
        entry.name.clone_from(&r.name);
        if r.flaky || r.retries > 0 {
            entry.flaky_signals += 1;
        }
        let ok = match r.status {
            Status::Pass => true,
            Status::Fail | Status::Error => false,
            _ => continue,
        };
        entry.runs += 1;
        entry.last_status = r.status;
        if last_ok.insert(r.key.as_str(), ok).is_some_and(|prev| prev != ok) {
            entry.flips += 1;
        }
    }
    let mut out: Vec<FlakyCheck> = by_key
        .into_values()
        .filter(|f| f.flips > 0 || f.flaky_signals > 0)
        .map(|mut f| {
            f.flip_rate = if f.runs > 1 { f.flips as f64 / (f.runs - 1) as f64 } else { 0.0 };
            f
        })
        .collect();
    out.sort_by(|a, b| {
        b.flip_rate
            .total_cmp(&a.flip_rate)
            .then(b.flaky_signals.cmp(&a.flaky_signals))
            .then(b.runs.cmp(&a.runs))
            .then(a.key.cmp(&b.key))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(at: i64, value: f64) -> Point {
        Point { at, value, report_id: Some(at) }
    }

    #[test]
    fn ranges_count_back_whole_days_and_reject_unknown_names() {
        let now = 100 * 86_400_000;
        assert_eq!(range_start("7d", now), Ok(Some(93 * 86_400_000)));
        assert_eq!(range_start("90d", now), Ok(Some(10 * 86_400_000)));
        assert_eq!(range_start("all", now), Ok(None));
        assert!(range_start("1y", now).unwrap_err().contains("7d, 30d, 90d, all"));
    }

    #[test]
    fn short_series_are_left_alone() {
        let s: Vec<Point> = (0..10).map(|i| p(i, i as f64)).collect();
        assert_eq!(downsample(&s, 400), s);
    }

    #[test]
    fn downsampling_keeps_ends_spikes_and_dips_within_the_budget() {
        let mut s: Vec<Point> = (0..1000).map(|i| p(i, 50.0 + (i % 7) as f64)).collect();
        s[333].value = 100.0;
        s[777].value = 0.0;
        let d = downsample(&s, 200);
        assert!(d.len() <= 200, "{} points", d.len());
        assert_eq!(d.first(), s.first());
        assert_eq!(d.last(), s.last());
        assert!(d.iter().any(|x| x.at == 333 && x.value == 100.0));
        assert!(d.iter().any(|x| x.at == 777 && x.value == 0.0));
        assert!(d.windows(2).all(|w| w[0].at < w[1].at), "time order kept, no duplicates");
    }

    #[test]
    fn pass_rate_leaves_skips_out() {
        assert_eq!(pass_rate(10, 6, 2), Some(75.0));
        assert_eq!(pass_rate(3, 0, 3), None);
        assert_eq!(pass_rate(0, 0, 0), None);
    }

    fn run(key: &str, report_id: i64, status: Status) -> CheckRun {
        CheckRun { key: key.into(), name: key.to_uppercase(), report_id, status, flaky: false, retries: 0 }
    }

    #[test]
    fn flip_rate_counts_changes_between_passing_and_failing() {
        use Status::*;
        let mut runs = Vec::new();
        // a: pass fail pass fail → 3 flips over 3 chances; b: pass pass skip fail → 1 of 2;
        // c: always passes; d: passes but was retried once.
        for (i, (a, b)) in [(Pass, Pass), (Fail, Pass), (Pass, Skip), (Fail, Fail)].into_iter().enumerate() {
            let id = i as i64 + 1;
            runs.push(run("a", id, a));
            runs.push(run("b", id, b));
            runs.push(run("c", id, Pass));
            let mut d = run("d", id, Pass);
            d.retries = u32::from(i == 2);
            runs.push(d);
        }
        let ranked = rank_flaky(&runs);
        let keys: Vec<&str> = ranked.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["a", "b", "d"]);
        assert_eq!((ranked[0].runs, ranked[0].flips, ranked[0].flip_rate), (4, 3, 1.0));
        assert_eq!((ranked[1].runs, ranked[1].flips, ranked[1].flip_rate), (3, 1, 0.5));
        assert_eq!(ranked[1].last_status, Fail);
        assert_eq!((ranked[2].flips, ranked[2].flaky_signals), (0, 1));
        assert_eq!(ranked[0].last_report_id, 4);
    }
}
