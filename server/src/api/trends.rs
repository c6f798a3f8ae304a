//! Trend series as JSON and as server-rendered SVG charts, cached until new evidence arrives.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use readyboard_app::ssr::ChartInput;
use readyboard_app::types::{CHART_NARROW, CHART_WIDE, ChartPoint};
use readyboard_domain::trends::{Point, range_start};
use readyboard_store::{MetricTrend, NamedSeries, PhaseRow, SuiteTrend, Trends};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::bodies::{RangeErrors, sorted};
use super::problem::ApiError;
use super::projects::load;
use crate::auth::Caller;
use crate::chart_cache::ChartCache;
use crate::charts::{self, Band, Line, Marker, Panel};
use crate::state::AppState;

/// Query of the trend endpoints.
#[derive(Debug, Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrendQuery {
    /// `7d`, `30d`, `90d` or `all` (default `90d`).
    #[param(schema_with = range_words)]
    pub range: Option<String>,
    /// Chart width in pixels (320–1600, default 800); charts only.
    #[param(minimum = 320, maximum = 1600)]
    pub width: Option<u32>,
    /// Suite of a suite or metric chart.
    pub suite: Option<String>,
    /// Metric of a metric chart.
    pub metric: Option<String>,
}

/// The ranges a trend covers.
fn range_words() -> utoipa::openapi::Object {
    super::bodies::words(&["7d", "30d", "90d", "all"], "The time range, by default `90d`.")
}

/// Every phase's score over time.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectTrends {
    /// The range (`7d`, `30d`, `90d` or `all`).
    pub range: String,
    /// One series per phase.
    pub phases: Vec<NamedSeries>,
}

fn range_of(q: &TrendQuery) -> Result<String, ApiError> {
    let range = q.range.clone().unwrap_or_else(|| "90d".into());
    range_start(&range, 0).map_err(|e| ApiError::bad_request("Invalid range").detail(e))?;
    Ok(range)
}

async fn phase_trends(
    state: &AppState,
    caller: &Caller,
    p: &str,
    ph: &str,
    range: &str,
) -> Result<(PhaseRow, Arc<Trends>), ApiError> {
    let (_, phase) = load(state, Some(caller), p, ph, false).await?;
    let trends = state.store.trends(&phase, range).await?;
    Ok((phase, trends))
}

/// `GET …/trends`: every series of the phase (`?range=7d|30d|90d|all`).
#[utoipa::path(
    get,
    path = "/api/v1/projects/{p}/phases/{ph}/trends",
    tag = "Trends",
    operation_id = "getPhaseTrends",
    summary = "The phase's trend series",
    description = "Score, categories, blockers, suites, metrics and flaky checks over the range; `version` \
        changes whenever any series does.",
    params(("p" = String, Path, description = "Project slug"), ("ph" = String, Path, description = "Phase slug"),
        TrendQuery),
    responses(
        (status = 200, description = "The series", body = Trends),
        RangeErrors
    ),
    security(("project_token" = []), ("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(project = %p, phase = %ph))]
pub async fn series(
    State(state): State<AppState>,
    caller: Caller,
    Path((p, ph)): Path<(String, String)>,
    Query(q): Query<TrendQuery>,
) -> Result<Response, ApiError> {
    let range = range_of(&q)?;
    let (_, trends) = phase_trends(&state, &caller, &p, &ph, &range).await?;
    Ok(Json(&*trends).into_response())
}

/// `GET …/trends/{chart}.svg`: one chart (`score`, `categories`, `blockers`, `suite`,
/// `metric`, `sparkline`).
#[utoipa::path(
    get,
    path = "/api/v1/projects/{p}/phases/{ph}/trends/{chart}",
    tag = "Trends",
    operation_id = "getPhaseChart",
    summary = "One trend chart as SVG, with an ETag",
    description = "`score.svg`, `categories.svg`, `blockers.svg`, `suite.svg?suite=`, \
        `metric.svg?suite=&metric=` or `sparkline.svg` (always the last 30 days). Answers 304 to a matching \
        `If-None-Match`.",
    params(
        ("p" = String, Path, description = "Project slug"),
        ("ph" = String, Path, description = "Phase slug"),
        ("chart" = String, Path, description = "The chart's file name, e.g. `score.svg`"),
        TrendQuery
    ),
    responses(
        (status = 200, description = "The chart", body = String, content_type = "image/svg+xml",
            headers(("ETag" = String, description = "Names this drawing"))),
        (status = 304, description = "The chart is the one the caller has"),
        RangeErrors
    ),
    security(("project_token" = []), ("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(project = %p, phase = %ph, chart = %file))]
pub async fn chart(
    State(state): State<AppState>,
    caller: Caller,
    Path((p, ph, file)): Path<(String, String, String)>,
    Query(q): Query<TrendQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(name) = file.strip_suffix(".svg") else {
        return Err(ApiError::not_found("Chart"));
    };
    let range = if name == "sparkline" { "30d".to_string() } else { range_of(&q)? };
    let width = q.width.unwrap_or(800).clamp(320, 1600);
    let (_, trends) = phase_trends(&state, &caller, &p, &ph, &range).await?;
    let etag = chart_etag(&trends, name, width, &q);
    let cache_headers = |resp: &mut Response| {
        let hs = resp.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&etag) {
            hs.insert(header::ETAG, v);
        }
        hs.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    };
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    if matches {
        let mut resp = StatusCode::NOT_MODIFIED.into_response();
        cache_headers(&mut resp);
        return Ok(resp);
    }
    // Server-Timing tells clients (and the benchmark) what rendering cost.
    let (svg, timing) = match state.charts.get(&etag) {
        Some(svg) => (svg, "cache;desc=hit".to_string()),
        None => {
            let started = std::time::Instant::now();
            let svg = Arc::new(draw(name, &trends, width, &q)?.svg);
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            state.charts.put(etag.clone(), svg.clone());
            (svg, format!("render;dur={ms:.2}"))
        }
    };
    let mut resp = ([(header::CONTENT_TYPE, "image/svg+xml")], (*svg).clone()).into_response();
    cache_headers(&mut resp);
    if let Ok(v) = HeaderValue::from_str(&timing) {
        resp.headers_mut().insert(HeaderName::from_static("server-timing"), v);
    }
    Ok(resp)
}

fn decision_markers(t: &Trends) -> Vec<Marker> {
    t.decisions
        .iter()
        .map(|d| match d.decision.as_str() {
            "go" => Marker { at: d.at, label: "GO", color: "pass" },
            "conditional_go" => Marker { at: d.at, label: "COND", color: "warn" },
            _ => Marker { at: d.at, label: "NO-GO", color: "fail" },
        })
        .collect()
}

/// Milliseconds shown as seconds when runs take longer than ten seconds.
fn duration_series(points: &[Point]) -> (Vec<Point>, &'static str) {
    if points.iter().any(|p| p.value > 10_000.0) {
        (points.iter().map(|p| Point { value: p.value / 1000.0, ..*p }).collect(), " s")
    } else {
        (points.to_vec(), " ms")
    }
}

/// The entity tag of a phase chart: it changes with the evidence and with what is asked.
fn chart_etag(t: &Trends, name: &str, width: u32, q: &TrendQuery) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (&t.version, name, width, &q.suite, &q.metric).hash(&mut h);
    format!("\"c{:016x}\"", h.finish())
}

/// Where the points of a chart sit in its wide and its phone picture, so that pages can
/// overlay links on the picture; also the narrow picture's height. The phase charts drawn
/// here are kept in `cache`, so the browser's request for the picture is not drawn again.
pub fn chart_points(cache: &ChartCache, input: ChartInput<'_>) -> (Vec<ChartPoint>, u32) {
    let drawn = match input {
        ChartInput::Phase(t, chart) => {
            let q = TrendQuery { suite: chart.suite.clone(), metric: chart.metric.clone(), ..TrendQuery::default() };
            let draw_kept = |width: u32| {
                let mut r = draw(&chart.name, t, width, &q)?;
                cache.put(chart_etag(t, &chart.name, width, &q), Arc::new(std::mem::take(&mut r.svg)));
                Ok::<_, ApiError>(r)
            };
            (draw_kept(CHART_WIDE), draw_kept(CHART_NARROW))
        }
        ChartInput::Project(series) => (draw_project(series, CHART_WIDE), draw_project(series, CHART_NARROW)),
    };
    let (Ok(wide), Ok(narrow)) = drawn else {
        return (Vec::new(), 0);
    };
    let pct = |v: f64| ((v * 10_000.0).round() / 100.0) as f32;
    let points = wide
        .hotspots
        .into_iter()
        .zip(narrow.hotspots)
        .map(|(w, n)| ChartPoint {
            x: pct(w.x),
            y: pct(w.y),
            nx: pct(n.x),
            ny: pct(n.y),
            label: w.label,
            report_id: w.report_id,
        })
        .collect();
    (thin(points), narrow.height)
}

/// Closest two overlaid points may sit, in percent of the picture: 24 pixels of the wide
/// picture, the smallest target a pointer is expected to hit reliably (WCAG 2.2, 2.5.8).
const POINT_SPACING: f32 = 24.0 * 100.0 / CHART_WIDE as f32;

/// Keeps the points a pointer can tell apart, line by line (a line starts where the points
/// go back left): in each column [`POINT_SPACING`] wide, the line's lowest and highest point
/// (one when they are closer than that), then only those at least [`POINT_SPACING`] from the
/// last one kept, across or down, in both pictures. A line's last point is always kept. The
/// picture still draws every point and the data table lists the latest; a long noisy history
/// otherwise put hundreds of links on top of each other and most of a trends page's weight
/// into them.
fn thin(points: Vec<ChartPoint>) -> Vec<ChartPoint> {
    let mut kept = Vec::with_capacity(points.len().min(256));
    let mut line: Vec<ChartPoint> = Vec::new();
    for p in points {
        if line.last().is_some_and(|l| p.x < l.x) {
            thin_line(std::mem::take(&mut line), &mut kept);
        }
        line.push(p);
    }
    thin_line(line, &mut kept);
    kept
}

/// One line of [`thin`], appended to `kept`.
fn thin_line(line: Vec<ChartPoint>, kept: &mut Vec<ChartPoint>) {
    let n = line.len();
    let column = |p: &ChartPoint| (p.x / POINT_SPACING).floor();
    let mut extreme = vec![false; n];
    let mut i = 0;
    while i < n {
        let (mut top, mut bottom, mut j) = (i, i, i);
        while j < n && column(&line[j]) == column(&line[i]) {
            if line[j].y < line[top].y {
                top = j;
            }
            if line[j].y > line[bottom].y {
                bottom = j;
            }
            j += 1;
        }
        extreme[top] = true;
        if line[bottom].y - line[top].y >= POINT_SPACING {
            extreme[bottom] = true;
        }
        i = j;
    }
    let start = kept.len();
    for (i, p) in line.into_iter().enumerate() {
        let last = i + 1 == n;
        if !extreme[i] && !last {
            continue;
        }
        let apart = |a: f32, b: f32| (a - b).abs() >= POINT_SPACING;
        let distinct = kept[start..]
            .last()
            .is_none_or(|k| (apart(p.x, k.x) || apart(p.y, k.y)) && (apart(p.nx, k.nx) || apart(p.ny, k.ny)));
        if last && !distinct {
            kept.pop();
        }
        if distinct || last {
            kept.push(p);
        }
    }
}

/// Builds the panels of a named chart and renders it.
pub fn draw(name: &str, t: &Trends, width: u32, q: &TrendQuery) -> Result<charts::Rendered, ApiError> {
    let narrow = width < 600;
    let render = |title: &str, panels: &[Panel], h: u32, cols: usize| {
        charts::render(title, panels, width, h, cols).map_err(|e| ApiError::internal(&e))
    };
    match name {
        "score" => render("Phase score over time with readiness thresholds and decisions", &[score_panel(t)], 280, 1),
        "categories" => {
            let cols = if narrow { 1 } else { 2 };
            render("Category scores over time", &category_panels(t), 170, cols)
        }
        "blockers" => render("Open blockers over time by severity", &[blockers_panel(t)], 240, 1),
        "suite" => {
            let wanted = q.suite.as_deref().unwrap_or_default();
            let s = t.suites.iter().find(|s| s.name == wanted).ok_or_else(|| ApiError::not_found("Suite"))?;
            let panels = suite_panels(s);
            let cols = if narrow { 1 } else { panels.len() };
            render(&format!("Suite {}: pass rate, checks and duration per run", s.name), &panels, 200, cols)
        }
        "metric" => {
            let (suite, metric) = (q.suite.as_deref().unwrap_or_default(), q.metric.as_deref().unwrap_or_default());
            let m = t
                .metrics
                .iter()
                .find(|m| m.suite == suite && m.name == metric)
                .ok_or_else(|| ApiError::not_found("Metric"))?;
            let (title, panel) = metric_chart(m);
            render(&title, &[panel], 220, 1)
        }
        "sparkline" => charts::sparkline("Phase score, last 30 days", &t.score, 120, 28)
            .map(|svg| charts::Rendered { svg, hotspots: Vec::new(), height: 28 })
            .map_err(|e| ApiError::internal(&e)),
        _ => Err(ApiError::not_found("Chart")),
    }
}

/// The phase score over time, with the ready and conditional bands and the decisions.
fn score_panel(t: &Trends) -> Panel {
    Panel {
        title: String::new(),
        lines: vec![Line { label: "Phase score".into(), points: t.score.clone(), color: "accent" }],
        y_range: Some((0.0, 100.0)),
        bands: vec![
            Band {
                from: t.ready_threshold, to: 100.0, color: "pass", label: format!("ready ≥ {}", t.ready_threshold)
            },
            Band {
                from: t.conditional_threshold,
                to: t.ready_threshold,
                color: "warn",
                label: format!("conditional ≥ {}", t.conditional_threshold),
            },
        ],
        markers: decision_markers(t),
        ..Panel::default()
    }
}

/// One small panel per category, its score over time.
fn category_panels(t: &Trends) -> Vec<Panel> {
    t.categories
        .iter()
        .map(|c| Panel {
            title: c.name.clone(),
            lines: vec![Line { label: c.name.clone(), points: c.points.clone(), color: "accent" }],
            y_range: Some((0.0, 100.0)),
            ..Panel::default()
        })
        .collect()
}

/// Open blockers over time, one line per severity, with the decisions.
fn blockers_panel(t: &Trends) -> Panel {
    let colors = [("critical", "fail"), ("high", "orange"), ("medium", "warn"), ("low", "grey")];
    let lines = t
        .blockers
        .iter()
        .map(|s| Line {
            label: s.name.clone(),
            points: s.points.clone(),
            color: colors.iter().find(|(n, _)| *n == s.name).map_or("grey", |(_, c)| c),
        })
        .collect();
    let most = t.blockers.iter().flat_map(|s| s.points.iter().map(|p| p.value)).fold(0.0, f64::max);
    Panel {
        lines,
        markers: decision_markers(t),
        y_range: Some((0.0, (most + 1.0).max(2.0))),
        integer: true,
        ..Panel::default()
    }
}

/// A suite's panels: pass rate, checks per run and (when recorded) duration.
fn suite_panels(s: &SuiteTrend) -> Vec<Panel> {
    let (duration, unit) = duration_series(&s.duration_ms);
    let mut panels = vec![Panel {
        title: "Pass rate".into(),
        lines: vec![Line { label: "pass rate".into(), points: s.pass_rate.clone(), color: "pass" }],
        y_range: Some((0.0, 100.0)),
        unit: "%".into(),
        ..Panel::default()
    }];
    panels.push(Panel {
        title: "Checks per run".into(),
        lines: check_count_lines(s),
        integer: true,
        ..Panel::default()
    });
    if !duration.is_empty() {
        panels.push(Panel {
            title: "Duration".into(),
            lines: vec![Line { label: "duration".into(), points: duration, color: "accent" }],
            unit: unit.into(),
            ..Panel::default()
        });
    }
    panels
}

/// The lines of a suite's checks per run; partial and not run only when some run has them.
fn check_count_lines(s: &SuiteTrend) -> Vec<Line> {
    let count = |f: fn(&readyboard_domain::model::Counts) -> u64| -> Vec<Point> {
        s.runs.iter().map(|r| Point { at: r.at, value: f(&r.counts) as f64, report_id: Some(r.report_id) }).collect()
    };
    // Partly met and not-run checks count in the pass rate: drawn when a run has any.
    let mut lines = vec![
        Line { label: "passed".into(), points: count(|r| r.passed), color: "pass" },
        Line { label: "failed + errors".into(), points: count(|r| r.failed + r.errors), color: "fail" },
    ];
    if s.runs.iter().any(|r| r.counts.partial > 0) {
        lines.push(Line { label: "partial".into(), points: count(|r| r.partial), color: "warn" });
    }
    if s.runs.iter().any(|r| r.counts.not_run > 0) {
        lines.push(Line { label: "not run".into(), points: count(|r| r.not_run), color: "orange" });
    }
    lines.push(Line { label: "skipped".into(), points: count(|r| r.skipped), color: "grey" });
    lines
}

/// A metric's chart title and panel: its values per run against its target, misses crossed.
fn metric_chart(m: &MetricTrend) -> (String, Panel) {
    let unit = if m.unit.is_empty() { String::new() } else { format!(" {}", m.unit) };
    let title = match (m.target_op.as_deref(), m.target_value) {
        (Some(op), Some(v)) => format!("{} per run against its target {op} {v}{unit}; crosses mark misses", m.name),
        _ => format!("{} per run", m.name),
    };
    let panel = Panel {
        title: String::new(),
        lines: vec![Line { label: m.name.clone(), points: m.points.clone(), color: "accent" }],
        unit,
        target: m.target_value,
        misses: m.misses.clone(),
        ..Panel::default()
    };
    (title, panel)
}

const PHASE_COLORS: [&str; 6] = ["accent", "orange", "pass", "fail", "warn", "grey"];

async fn project_series(
    state: &AppState,
    caller: &Caller,
    p: &str,
    range: &str,
) -> Result<Vec<readyboard_store::NamedSeries>, ApiError> {
    let project = state.store.project(p).await.map_err(|_| ApiError::not_found("Project"))?;
    if !caller.can_read(project.id) {
        return Err(ApiError::not_found("Project"));
    }
    Ok(state.store.project_score_series(project.id, range).await?)
}

/// `GET /api/v1/projects/{p}/trends`: the score of every phase over time.
#[utoipa::path(
    get,
    path = "/api/v1/projects/{p}/trends",
    tag = "Trends",
    operation_id = "getProjectTrends",
    summary = "Every phase's score over time, on one time axis",
    params(("p" = String, Path, description = "Project slug"), TrendQuery),
    responses(
        (status = 200, description = "The series", body = ProjectTrends),
        RangeErrors
    ),
    security(("project_token" = []), ("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(project = %p))]
pub async fn project_json(
    State(state): State<AppState>,
    caller: Caller,
    Path(p): Path<String>,
    Query(q): Query<TrendQuery>,
) -> Result<Response, ApiError> {
    let range = range_of(&q)?;
    let series = project_series(&state, &caller, &p, &range).await?;
    Ok(sorted(&ProjectTrends { range, phases: series })?.into_response())
}

/// `GET /api/v1/projects/{p}/trends/score.svg`: every phase's score on one time axis.
#[utoipa::path(
    get,
    path = "/api/v1/projects/{p}/trends/score.svg",
    tag = "Trends",
    operation_id = "getProjectChart",
    summary = "Chart of every phase's score over time (SVG)",
    params(("p" = String, Path, description = "Project slug"), TrendQuery),
    responses(
        (status = 200, description = "The chart", body = String, content_type = "image/svg+xml"),
        RangeErrors
    ),
    security(("project_token" = []), ("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(project = %p))]
pub async fn project_chart(
    State(state): State<AppState>,
    caller: Caller,
    Path(p): Path<String>,
    Query(q): Query<TrendQuery>,
) -> Result<Response, ApiError> {
    let width = q.width.unwrap_or(800).clamp(320, 1600);
    let range = range_of(&q)?;
    let series = project_series(&state, &caller, &p, &range).await?;
    let svg = draw_project(&series, width)?.svg;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "private, no-cache")], svg).into_response())
}

/// Draws every phase's score on one time axis.
fn draw_project(series: &[readyboard_store::NamedSeries], width: u32) -> Result<charts::Rendered, ApiError> {
    let lines = series
        .iter()
        .enumerate()
        .map(|(i, s)| Line {
            label: s.name.clone(),
            points: s.points.clone(),
            color: PHASE_COLORS[i % PHASE_COLORS.len()],
        })
        .collect();
    let panel = Panel { lines, y_range: Some((0.0, 100.0)), ..Panel::default() };
    charts::render("Score of every phase of the project over time", &[panel], width, 280, 1)
        .map_err(|e| ApiError::internal(&e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::text_boxes;
    use readyboard_store::Store;

    /// Every chart the pages show for `t`, by name, query and title.
    fn every_chart(t: &Trends) -> Vec<(&'static str, TrendQuery)> {
        let q = |suite: Option<&str>, metric: Option<&str>| TrendQuery {
            suite: suite.map(Into::into),
            metric: metric.map(Into::into),
            ..TrendQuery::default()
        };
        let mut charts = vec![("score", q(None, None)), ("categories", q(None, None)), ("blockers", q(None, None))];
        charts.extend(t.suites.iter().map(|s| ("suite", q(Some(&s.name), None))));
        charts.extend(t.metrics.iter().map(|m| ("metric", q(Some(&m.suite), Some(&m.name)))));
        charts
    }

    #[tokio::test]
    async fn every_demo_chart_keeps_its_text_inside_the_picture_at_both_widths() {
        let store = Store::open("sqlite::memory:").await.unwrap();
        crate::demo::load(&store).await.unwrap();
        let mut misfits = Vec::new();
        let mut drawn = 0;
        for (project, phase) in
            [("prompt-studio", "phase-4"), ("prompt-studio", "phase-3"), ("payments-api", "sprint-4-1")]
        {
            let p = store.project(project).await.unwrap();
            let ph = store.phase(p.id, phase).await.unwrap();
            for range in ["7d", "all"] {
                let t = store.trends(&ph, range).await.unwrap();
                for (name, q) in every_chart(&t) {
                    for width in [CHART_WIDE, CHART_NARROW] {
                        let svg = draw(name, &t, width, &q).unwrap().svg;
                        misfits.extend(
                            text_boxes::misfits(&svg, 12.0).into_iter().map(|m| format!("{name} {width}: {m}")),
                        );
                        drawn += 1;
                    }
                }
            }
            let series = store.project_score_series(p.id, "all").await.unwrap();
            for width in [CHART_WIDE, CHART_NARROW] {
                let svg = draw_project(&series, width).unwrap().svg;
                misfits.extend(text_boxes::misfits(&svg, 12.0).into_iter().map(|m| format!("project {width}: {m}")));
            }
        }
        assert!(drawn > 40, "{drawn} charts drawn");
        assert_eq!(misfits, Vec::<String>::new());
    }

    fn at(x: f32, y: f32, id: i64) -> ChartPoint {
        ChartPoint { x, y, nx: x, ny: y, label: format!("#{id}"), report_id: Some(id) }
    }

    #[test]
    fn points_on_top_of_each_other_are_thinned_keeping_the_latest() {
        // 200 reports within a few minutes of a 90-day range sit on the same pixels.
        let crowded: Vec<ChartPoint> = (0..200).map(|i| at(50.0 + i as f32 * 0.001, 4.0, i)).collect();
        let kept = thin(crowded);
        assert_eq!(kept.iter().map(|p| p.report_id).collect::<Vec<_>>(), [Some(199)]);
        // Points a pointer can tell apart are all kept, in order.
        let spread: Vec<ChartPoint> = (0..30).map(|i| at(i as f32 * 3.0, 50.0, i)).collect();
        assert_eq!(thin(spread.clone()).len(), 30);
        // Closer than 24 pixels of the wide picture: those kept are that far apart.
        let close: Vec<ChartPoint> = (0..30).map(|i| at(i as f32 * 2.0, 50.0, i)).collect();
        let kept = thin(close);
        assert!(kept.len() < 30 && kept.windows(2).all(|w| w[1].x - w[0].x >= POINT_SPACING), "{kept:?}");
        assert_eq!(kept.last().and_then(|p| p.report_id), Some(29), "the latest stays");
        // A noisy line: per column its lowest and its highest, not every zigzag.
        let noisy: Vec<ChartPoint> =
            (0..300).map(|i| at(i as f32 * 0.3, if i % 2 == 0 { 20.0 } else { 80.0 }, i)).collect();
        let kept = thin(noisy);
        assert!(kept.len() <= 2 * (90.0 / POINT_SPACING).ceil() as usize + 1, "{} kept", kept.len());
        assert!(kept.iter().any(|p| p.y == 20.0) && kept.iter().any(|p| p.y == 80.0));
        // A second line (back to the left) is thinned on its own, not against the first.
        let two = vec![at(10.0, 10.0, 1), at(50.0, 10.0, 2), at(10.0, 90.0, 3), at(50.0, 90.0, 4)];
        assert_eq!(thin(two).len(), 4);
        // A jump in value keeps a point even at the same time.
        let jump = vec![at(10.0, 10.0, 1), at(10.2, 60.0, 2), at(10.4, 60.2, 3)];
        assert_eq!(thin(jump).iter().map(|p| p.report_id.unwrap()).collect::<Vec<_>>(), [1, 3]);
    }
}
