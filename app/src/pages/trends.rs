//! `/p/{project}/{phase}/trends`: readiness over time. Charts are SVG rendered on the
//! server; each has a data table whose rows link to their reports.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::widgets::{ErrorBox, Loading};
use crate::settled::Settled;
use crate::types::{CHART_NARROW, CHART_WIDE, FlakyLine, TrendChart, TrendsView};

/// Rows shown in each chart's data table (the JSON API has the full series).
#[cfg(feature = "ssr")]
const TABLE_ROWS: usize = 12;

/// Every chart of a phase over a range (`7d`, `30d`, `90d`, `all`).
#[server]
pub async fn get_trends(project: String, phase: String, range: String) -> Result<TrendsView, ServerFnError> {
    use readyboard_domain::role::Role;
    crate::ssr::require(Role::Viewer).await?;
    let store = crate::ssr::store()?;
    let p = store.project(&project).await.map_err(crate::ssr::store_error)?;
    let ph = store.phase(p.id, &phase).await.map_err(crate::ssr::store_error)?;
    let range = if range.is_empty() { "90d".to_string() } else { range };
    // Laying out every chart costs a few milliseconds: reuse the view until anything changes.
    let memo_key = format!("trends-view\u{1f}{}\u{1f}{}\u{1f}{range}", p.slug, ph.slug);
    // Callers arriving while it is computed wait for it rather than compute it again.
    let _flight = match store.memo_lookup::<TrendsView>(&memo_key).await {
        readyboard_store::Memo::Ready(view) => return Ok(view),
        readyboard_store::Memo::Compute(flight) => flight,
    };
    let t = store.trends(&ph, &range).await.map_err(crate::ssr::store_error)?;
    let layout = use_context::<crate::ssr::ChartPoints>();
    let view = build::view(&p.slug, &p.name, &ph.slug, &ph.name, &t, layout.as_ref());
    store.memo_put(memo_key, view.clone());
    Ok(view)
}

/// Turns stored series into charts with their tables.
#[cfg(feature = "ssr")]
pub(crate) mod build {
    use readyboard_domain::trends::Point;
    use readyboard_store::{SuiteFlaky, SuiteTrend, Trends};

    use super::TABLE_ROWS;
    use crate::format;
    use crate::ssr::ChartPoints;
    use crate::ssr::datetime;
    use crate::types::{ChartRef, FlakyLine, TrendChart, TrendRow, TrendsView};

    fn num(v: f64) -> String {
        if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.1}") }
    }

    /// Where each named series ended in the range and how far it moved: name, latest value,
    /// change since the first point.
    pub(crate) fn standing(series: &[readyboard_store::NamedSeries]) -> Vec<TrendRow> {
        series
            .iter()
            .filter_map(|c| {
                let (first, last) = (c.points.first()?, c.points.last()?);
                let change = last.value - first.value;
                Some(TrendRow {
                    at: datetime(last.at),
                    cells: vec![
                        c.name.clone(),
                        num(last.value),
                        format!("{}{}", if change > 0.0 { "+" } else { "" }, num(change)),
                    ],
                    bad: change < 0.0,
                    report_id: last.report_id,
                })
            })
            .collect()
    }

    /// The newest rows of a series, newest first.
    fn latest<T>(items: &[T], row: impl Fn(&T) -> TrendRow) -> Vec<TrendRow> {
        items.iter().rev().take(TABLE_ROWS).map(row).collect()
    }

    fn point_row(p: &Point, cells: Vec<String>, bad: bool) -> TrendRow {
        TrendRow { at: datetime(p.at), cells, bad, report_id: p.report_id }
    }

    fn span(points: &[Point]) -> String {
        let (Some(first), Some(last)) = (points.first(), points.last()) else {
            return "no data in this range".into();
        };
        let (lo, hi) =
            points.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| (lo.min(p.value), hi.max(p.value)));
        format!(
            "{} points from {} to {}; first {}, latest {}, lowest {}, highest {}",
            points.len(),
            datetime(first.at),
            datetime(last.at),
            num(first.value),
            num(last.value),
            num(lo),
            num(hi)
        )
    }

    fn chart(name: &str, suite: Option<&str>, metric: Option<&str>) -> ChartRef {
        ChartRef { name: name.into(), suite: suite.map(Into::into), metric: metric.map(Into::into) }
    }

    /// A metric's chart: its values, and when it has a target, the target and the misses.
    fn metric_chart(base: &str, m: &readyboard_store::MetricTrend) -> TrendChart {
        let unit = if m.unit.is_empty() { String::new() } else { format!(" {}", m.unit) };
        let target = match (&m.target_op, m.target_value) {
            (Some(op), Some(v)) => Some(format!("{op} {}{unit}", num(v))),
            _ => None,
        };
        let summary = match &target {
            Some(target) => format!(
                "{} per run against its target {target}, missed in {} of {} runs ({}).",
                m.name,
                m.misses.len(),
                m.points.len(),
                span(&m.points)
            ),
            None => format!("{} per run, which has no target ({}).", m.name, span(&m.points)),
        };
        let mut columns = vec![if m.unit.is_empty() { "Value".to_string() } else { format!("Value ({})", m.unit) }];
        if target.is_some() {
            columns.extend(["Target".to_string(), "Met".to_string()]);
        }
        TrendChart {
            title: format!("Metric · {} ({})", m.name, m.suite),
            summary,
            src: format!(
                "{base}/metric.svg?suite={}&metric={}",
                format::query_value(&m.suite),
                format::query_value(&m.name)
            ),
            height: 220,
            narrow_height: 220,
            chart: chart("metric", Some(&m.suite), Some(&m.name)),
            points: Vec::new(),
            columns,
            rows: latest(&m.points, |p| {
                let miss = m.misses.iter().any(|x| x.report_id == p.report_id && x.at == p.at);
                let mut cells = vec![num(p.value)];
                if let Some(target) = &target {
                    cells.extend([target.clone(), if miss { "✗ missed" } else { "✓ met" }.to_string()]);
                }
                point_row(p, cells, miss)
            }),
            total: m.points.len(),
        }
    }

    /// Every chart of a phase's trends, with its data table and, when a layout is given,
    /// the points the browser may hover.
    pub fn view(
        project: &str,
        project_name: &str,
        phase: &str,
        phase_name: &str,
        t: &Trends,
        layout: Option<&ChartPoints>,
    ) -> TrendsView {
        let base = format!("/api/v1/projects/{project}/phases/{phase}/trends");
        let mut charts = vec![score_chart(&base, t)];
        charts.extend((!t.categories.is_empty()).then(|| categories_chart(&base, t)));
        charts.push(blockers_chart(&base, t));
        charts.extend(t.suites.iter().map(|s| suite_chart(&base, s)));
        charts.extend(t.metrics.iter().map(|m| metric_chart(&base, m)));
        if let Some(layout) = layout {
            for c in &mut charts {
                let (points, narrow_height) = (layout.0)(crate::ssr::ChartInput::Phase(t, &c.chart));
                c.points = points;
                if narrow_height > 0 {
                    c.narrow_height = narrow_height;
                }
            }
        }
        TrendsView {
            project: project.into(),
            project_name: project_name.into(),
            phase: phase.into(),
            phase_name: phase_name.into(),
            range: t.range.clone(),
            reports: t.suites.iter().map(|s| s.runs.len()).sum(),
            charts,
            flaky: flaky_lines(&t.flaky),
            flaky_window: readyboard_store::FLAKY_WINDOW,
        }
    }

    /// The phase score after each report, against the thresholds.
    fn score_chart(base: &str, t: &Trends) -> TrendChart {
        let verdict_at = |p: &Point| p.value < t.conditional_threshold;
        TrendChart {
            title: "Phase score".into(),
            summary: format!(
                "Phase score after each report ({}); ready from {}, conditional from {}; {} decisions in range.",
                span(&t.score),
                t.ready_threshold,
                t.conditional_threshold,
                t.decisions.len()
            ),
            src: format!("{base}/score.svg"),
            height: 280,
            narrow_height: 280,
            chart: chart("score", None, None),
            points: Vec::new(),
            columns: vec!["Score".into()],
            rows: latest(&t.score, |p| point_row(p, vec![num(p.value)], verdict_at(p))),
            total: t.score.len(),
        }
    }

    /// Each category's score after each report, as small multiples.
    fn categories_chart(base: &str, t: &Trends) -> TrendChart {
        let rows = standing(&t.categories);
        TrendChart {
            title: "Categories".into(),
            summary: format!("Score of each of {} categories after each report.", t.categories.len()),
            src: format!("{base}/categories.svg"),
            height: 170 * t.categories.len().div_ceil(2) as u32,
            narrow_height: 170 * t.categories.len() as u32,
            chart: chart("categories", None, None),
            points: Vec::new(),
            columns: vec!["Category".into(), "Latest".into(), "Change in range".into()],
            total: rows.len(),
            rows,
        }
    }

    /// Open blockers by severity after each report.
    fn blockers_chart(base: &str, t: &Trends) -> TrendChart {
        let crit_high: Vec<Point> = t
            .blockers
            .iter()
            .filter(|s| s.name == "critical" || s.name == "high")
            .flat_map(|s| s.points.iter().copied())
            .collect();
        let history = t.blockers.first().map_or(&[][..], |s| &s.points[..]);
        TrendChart {
            title: "Open blockers".into(),
            summary: format!(
                "Open blockers by severity after each report; the most critical and high at once: {}.",
                crit_high.iter().map(|p| p.value as i64).max().unwrap_or(0)
            ),
            src: format!("{base}/blockers.svg"),
            height: 240,
            narrow_height: 240,
            chart: chart("blockers", None, None),
            points: Vec::new(),
            columns: vec!["Critical".into(), "High".into(), "Medium".into(), "Low".into()],
            rows: history
                .iter()
                .enumerate()
                .rev()
                .take(TABLE_ROWS)
                .map(|(i, p)| {
                    let cells: Vec<String> =
                        t.blockers.iter().map(|s| s.points.get(i).map_or(0.0, |x| x.value)).map(num).collect();
                    let bad = cells.first().is_some_and(|c| c != "0");
                    point_row(p, cells, bad)
                })
                .collect(),
            total: history.len(),
        }
    }

    /// A suite's pass rate, checks and duration per run.
    fn suite_chart(base: &str, s: &SuiteTrend) -> TrendChart {
        let q = format::query_value(&s.name);
        // Partly met and not-run checks count in the pass rate: shown when a run has any,
        // so that every run's counts add up to its tests (the chart draws the same lines).
        let partial = s.runs.iter().any(|r| r.counts.partial > 0);
        let not_run = s.runs.iter().any(|r| r.counts.not_run > 0);
        let legend = ["green passed", "red failed or errored"]
            .into_iter()
            .chain(partial.then_some("amber partly met"))
            .chain(not_run.then_some("orange not run"))
            .chain(["grey skipped"])
            .collect::<Vec<_>>()
            .join(", ");
        let mut columns: Vec<String> = ["Tests", "Passed", "Failed", "Errors"].map(String::from).into();
        columns.extend(partial.then(|| "Partial".to_string()));
        columns.extend(not_run.then(|| "Not run".to_string()));
        columns.extend(["Skipped", "Pass rate", "Duration"].map(String::from));
        TrendChart {
            title: format!("Suite · {}", s.name),
            summary: format!(
                "Suite {}: pass rate per run ({}); checks per run ({legend}); duration per run.",
                s.name,
                span(&s.pass_rate),
            ),
            src: format!("{base}/suite.svg?suite={q}"),
            height: 200,
            narrow_height: 600,
            chart: chart("suite", Some(&s.name), None),
            points: Vec::new(),
            columns,
            rows: latest(&s.runs, |r| {
                let c = &r.counts;
                TrendRow {
                    at: datetime(r.at),
                    cells: [c.tests, c.passed, c.failed, c.errors]
                        .into_iter()
                        .chain(partial.then_some(c.partial))
                        .chain(not_run.then_some(c.not_run))
                        .chain([c.skipped])
                        .map(|n| n.to_string())
                        .chain([
                            readyboard_domain::trends::pass_rate(c.tests, c.passed, c.skipped)
                                .map_or("—".into(), |v| format!("{}%", num(v))),
                            r.duration_ms.map_or("—".into(), |d| format::duration_ms(d as f64)),
                        ])
                        .collect(),
                    bad: c.failed + c.errors > 0,
                    report_id: Some(r.report_id),
                }
            }),
            total: s.runs.len(),
        }
    }

    /// Flaky checks of every suite, worst first (highest flip rate, then most signals).
    pub(crate) fn flaky_lines(suites: &[SuiteFlaky]) -> Vec<FlakyLine> {
        let mut flaky: Vec<FlakyLine> = suites
            .iter()
            .flat_map(|s| {
                s.checks.iter().map(|c| FlakyLine {
                    suite: s.suite.clone(),
                    name: c.name.clone(),
                    flip_rate: (c.flip_rate * 1000.0).round() / 10.0,
                    runs: c.runs,
                    flips: c.flips,
                    signals: c.flaky_signals,
                    last_status: c.last_status.as_str().to_string(),
                    report_id: c.last_report_id,
                })
            })
            .collect();
        flaky.sort_by(|a, b| b.flip_rate.total_cmp(&a.flip_rate).then(b.signals.cmp(&a.signals)));
        flaky
    }
}

/// The trends page.
#[component]
pub fn TrendsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let p = params.read();
        let range = query.read().get("range").unwrap_or_default();
        (p.get("project").unwrap_or_default(), p.get("phase").unwrap_or_default(), range)
    };
    let live = crate::live::follow({
        let (project, phase, _) = key();
        crate::live::Scope { project: Some(project), phase: Some(phase) }
    });
    let data = Resource::new(key, |(project, phase, range)| get_trends(project, phase, range));
    view! {
        {live}
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <Title text="Trends"/><ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(v) => Settled::new(move || view! { <Trends v=v/> }).into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Trends(v: TrendsView) -> impl IntoView {
    let phase_href = format!("/p/{}/{}", v.project, v.phase);
    let here = format!("{phase_href}/trends");
    let api = format!("/api/v1/projects/{}/phases/{}/trends?range={}", v.project, v.phase, v.range);
    let range = v.range.clone();
    view! {
        <Title text=format!("Trends · {} · {}", v.phase_name, v.project_name)/>
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href="/">"Projects"</a><span>"/"</span>
            <a href=format!("/p/{}", v.project)>{v.project_name.clone()}</a><span>"/"</span>
            <a href=phase_href.clone()>{v.phase_name.clone()}</a><span>"/"</span>
            <span>"Trends"</span>
        </nav>
        <div class="page-head trends">
            <h1>{format!("Trends · {}", v.phase_name)}</h1>
            <RangeSelector here=here.clone() range=range/>
        </div>
        <p class="muted">
            {format!("{} reports in range. ", v.reports)}
            <a href=api>"All series as JSON"</a>
        </p>
        // The phase score stays in view; phones fold what follows it to its heading.
        {v.charts.into_iter().enumerate().map(|(i, c)| {
            let range = v.range.clone();
            if i == 0 {
                view! { <ChartFigure c=c range=range/> }.into_any()
            } else {
                view! { <Fold title=c.title.clone() class="chart"><ChartBody c=c range=range/></Fold> }.into_any()
            }
        }).collect_view()}
        <Fold title="Flaky checks".to_string()><FlakyChecks flaky=v.flaky window=v.flaky_window/></Fold>
    }
}

/// Links to `here` for each time range, the current one marked.
#[component]
fn RangeSelector(here: String, range: String) -> impl IntoView {
    view! {
        <nav class="segmented" aria-label="Time range">
            {readyboard_domain::trends::RANGES.iter().map(|(key, label)| {
                let current = *key == range;
                view! {
                    <a href=format!("{here}?range={key}") class:active=current aria-current=current.then_some("page")>{*label}</a>
                }
            }).collect_view()}
        </nav>
    }
}

/// A section that phones show folded to its heading and wider screens show open. The server
/// sends it open, so that with JavaScript off everything is there; the page's script folds
/// it on a phone (`FOLD_ON_PHONES`, at the width that gets the phone pictures).
#[component]
fn Fold(title: String, #[prop(optional)] class: &'static str, children: Children) -> impl IntoView {
    view! {
        <details class=format!("section fold {class}") open>
            <summary><h2>{title}</h2></summary>
            {children()}
        </details>
    }
}

/// A chart section: heading (with a range selector when asked), picture and data table.
#[component]
pub fn ChartFigure(
    c: TrendChart,
    range: String,
    /// Page to link with `?range=` for a range selector beside the heading.
    #[prop(optional, into)]
    range_links: Option<String>,
) -> impl IntoView {
    let selector = range_links.map(|here| view! { <RangeSelector here=here range=range.clone()/> });
    view! {
        <section class="section chart">
            <div class="chart-head">
                <h2>{c.title.clone()}</h2>
                {selector}
            </div>
            <ChartBody c=c range=range/>
        </section>
    }
}

/// A chart picture with its hoverable points, caption and data table.
#[component]
fn ChartBody(c: TrendChart, range: String) -> impl IntoView {
    let sep = if c.src.contains('?') { '&' } else { '?' };
    let wide = format!("{}{sep}range={range}&width={CHART_WIDE}", c.src);
    let narrow = format!("{}{sep}range={range}&width={CHART_NARROW}", c.src);
    let shown = c.rows.len();
    let summary_text =
        if c.total > shown { format!("Data: latest {shown} of {}", c.total) } else { format!("Data ({})", c.total) };
    let hint = (!c.points.is_empty()).then_some("Hover or tab to a point for its value; select it to open its report.");
    view! {
            <figure>
                <div class="chart-box">
                    // The phone picture is chosen by the same media query the points follow.
                    <picture>
                        <source media="(max-width: 640px)" srcset=narrow width=CHART_NARROW height=c.narrow_height/>
                        <img src=wide alt=c.summary.clone() width=CHART_WIDE height=c.height loading="lazy" class="chart-img"/>
                    </picture>
                    {c.points.into_iter().map(|p| {
                        let style = format!("--x:{}%;--y:{}%;--nx:{}%;--ny:{}%", p.x, p.y, p.nx, p.ny);
                        // Which way the tip opens so it stays on the picture, for the wide
                        // picture and (`-n`) the phone one.
                        let side = |x: f32, y: f32, n: &str| {
                            let mut c = String::new();
                            if x > 70.0 {
                                c += &format!(" pt-end{n}");
                            } else if x < 30.0 {
                                c += &format!(" pt-start{n}");
                            }
                            if y < 18.0 {
                                c += &format!(" pt-low{n}");
                            }
                            c
                        };
                        let class = format!("pt{}{}", side(p.x, p.y, ""), side(p.nx, p.ny, "-n"));
                        match p.report_id {
                            Some(id) => view! {
                                <a class=class style=style href=format!("/reports/{id}") aria-label=p.label></a>
                            }.into_any(),
                            None => view! {
                                <span class=class style=style tabindex="0" role="img" aria-label=p.label></span>
                            }.into_any(),
                        }
                    }).collect_view()}
                </div>
                <figcaption class="muted small">{c.summary.clone()}" "{hint}</figcaption>
            </figure>
            <details class="chart-data">
                <summary>{summary_text}</summary>
                <div class="table-wrap"><table class="table">
                    <thead><tr>
                        <th scope="col">"When"</th>
                        {c.columns.iter().map(|h| view! { <th scope="col">{h.clone()}</th> }).collect_view()}
                        <th scope="col">"Report"</th>
                    </tr></thead>
                    <tbody>
                        {c.rows.into_iter().map(|r| view! {
                            <tr class:bad-row=r.bad>
                                <td>{r.at}</td>
                                {r.cells.into_iter().map(|x| {
                                    // Figures line up on the right; names read from the left.
                                    let numeric = x.starts_with(|c: char| c.is_ascii_digit() || "+-−—✓✗".contains(c));
                                    view! { <td class:num=numeric>{x}</td> }
                                }).collect_view()}
                                <td>{r.report_id.map(|id| view! { <a href=format!("/reports/{id}")>{format!("#{id}")}</a> })}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table></div>
            </details>
    }
    .into_any()
}

/// Checks whose result flips, ranked by flip rate.
#[component]
fn FlakyChecks(flaky: Vec<FlakyLine>, window: i64) -> impl IntoView {
    view! {
            <p class="muted small">{format!(
                "Checks whose result flips between passing and failing over the last {window} runs of their suite, \
                 or that the tool flagged flaky or retried. Flip rate = flips ÷ (runs − 1)."
            )}</p>
            {if flaky.is_empty() {
                view! { <p class="empty">"No flaky checks: every check kept its result from run to run."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap"><table class="table">
                        <thead><tr>
                            <th scope="col">"Check"</th><th scope="col">"Suite"</th><th scope="col">"Flip rate"</th>
                            <th scope="col">"Changes of result"</th><th scope="col">"Flagged"</th><th scope="col">"Latest"</th>
                        </tr></thead>
                        <tbody>
                            {flaky.into_iter().map(|f| view! {
                                <tr>
                                    <td>{f.name}</td>
                                    <td>{f.suite}</td>
                                    <td class="num">{format!("{:.0}%", f.flip_rate)}</td>
                                    <td class="num">{crate::format::flips(f.flips as u64, f.runs as u64)}</td>
                                    <td class="num">{f.signals}</td>
                                    <td><span class=format!("status status-{}", f.last_status)>{f.last_status.clone()}</span>" "
                                        <a href=format!("/reports/{}", f.report_id)>{format!("#{}", f.report_id)}</a></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
    }
}
