//! `/p/{project}`: the phases of a project and its newest evidence.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::create_forms::{CreatePhase, NewPhaseForm, successes};
use crate::components::widgets::{ErrorBox, Loading, VerdictBadge};
use crate::format;
use crate::pages::trends::ChartFigure;
use crate::types::{ProjectView, ReportLine};

/// A project with its phases and recent reports.
#[server]
pub async fn get_project(slug: String, range: String) -> Result<ProjectView, ServerFnError> {
    use readyboard_domain::role::Role;
    let me = crate::ssr::require(Role::Viewer).await?;
    let store = crate::ssr::store()?;
    let now = crate::ssr::now_ms();
    let p = store.project(&slug).await.map_err(crate::ssr::store_error)?;
    let mut phases = Vec::new();
    let mut recent = Vec::new();
    for ph in store.phases(p.id).await.map_err(crate::ssr::store_error)? {
        phases.push(crate::pages::overview::summary::phase_summary(&store, &ph, now).await?);
        for r in store.phase_reports(ph.id, 10).await.map_err(crate::ssr::store_error)? {
            recent.push(report_line(&r, now));
        }
    }
    recent.sort_by_key(|r| std::cmp::Reverse(r.id));
    recent.truncate(12);
    let range = if range.is_empty() { "90d".to_string() } else { range };
    let chart = if phases.is_empty() {
        None
    } else {
        let series = store.project_score_series(p.id, &range).await.map_err(crate::ssr::store_error)?;
        Some(score_chart(&p.slug, &series))
    };
    let can_edit = me.role().allows(Role::Editor);
    Ok(ProjectView { slug: p.slug, name: p.name, description: p.description, phases, recent, chart, range, can_edit })
}

/// The chart of every phase's score, with its points and a table of where each phase ended.
#[cfg(feature = "ssr")]
fn score_chart(slug: &str, series: &[readyboard_store::NamedSeries]) -> crate::types::TrendChart {
    use crate::types::{ChartRef, TrendChart};
    let rows = crate::pages::trends::build::standing(series);
    let points: usize = series.iter().map(|s| s.points.len()).sum();
    let (points_at, narrow_height) = use_context::<crate::ssr::ChartPoints>()
        .map(|layout| (layout.0)(crate::ssr::ChartInput::Project(series)))
        .unwrap_or_default();
    TrendChart {
        title: "Readiness over time".into(),
        summary: format!(
            "Score of every phase after each report, on one time axis ({} phase{}, {points} points); the table \
             lists where each phase stands.",
            series.len(),
            if series.len() == 1 { "" } else { "s" }
        ),
        src: format!("/api/v1/projects/{slug}/trends/score.svg"),
        height: 280,
        narrow_height: if narrow_height > 0 { narrow_height } else { 280 },
        chart: ChartRef { name: "project".into(), suite: None, metric: None },
        points: points_at,
        columns: vec!["Phase".into(), "Latest score".into(), "Change in range".into()],
        total: rows.len(),
        rows,
    }
}

/// A report row for lists.
#[cfg(feature = "ssr")]
pub(crate) fn report_line(r: &readyboard_store::ReportRow, now: i64) -> ReportLine {
    ReportLine {
        id: r.id,
        suite: r.suite.clone(),
        phase: r.phase_slug.clone(),
        format: r.format.clone(),
        received: format::ago(now, r.received_at),
        tests: r.tests,
        passed: r.passed,
        failed: r.failed + r.errors,
        skipped: r.skipped,
        score: r.score,
    }
}

/// The project page.
#[component]
pub fn ProjectPage() -> impl IntoView {
    let params = use_params_map();
    let query = leptos_router::hooks::use_query_map();
    let create = ServerAction::<CreatePhase>::new();
    let created = successes(create);
    let data = Resource::new(
        move || {
            let (slug, range) = (params.read().get("project").unwrap_or_default(), query.read().get("range"));
            (slug, range.unwrap_or_default(), created.get())
        },
        |(slug, range, _)| get_project(slug, range),
    );
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <Title text="Project"/><ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(p) => {
                        let slug = p.slug.clone();
                        let no_phases = p.phases.is_empty();
                        view! {
                            <Title text=p.name.clone()/>
                            <nav class="crumbs" aria-label="Breadcrumb"><a href="/">"Projects"</a><span>"/"</span><span>{p.name.clone()}</span></nav>
                            <div class="page-head">
                                <h1>{p.name.clone()}</h1>
                                <p class="muted">{p.description.clone()}</p>
                            </div>
                            <section class="section">
                                <h2>"Phases"</h2>
                                {if p.phases.is_empty() {
                                    view! { <p class="muted">{if p.can_edit {
                                        "No phases yet. Create the first one below; then import a report into it, or let CI upload reports with an API token (an upload for a new phase creates it)."
                                    } else {
                                        "No phases yet: an editor creates them, or CI uploads the first report of a phase."
                                    }}</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="phase-list">
                                            {p.phases.into_iter().map(|ph| {
                                                let href = format!("/p/{}/{}", slug, ph.slug);
                                                view! {
                                                    <a class="phase-row" href=href>
                                                        <span class="phase-name">{ph.name.clone()}</span>
                                                        <span class="phase-score">{format::score(ph.score)}</span>
                                                        <VerdictBadge verdict=ph.verdict.clone()/>
                                                        <span class="muted small">{format!("{} suites · {} open blockers", ph.suites, ph.open_blockers)}</span>
                                                        <span class="muted small">{ph.freshest.clone().map(|f| format!("evidence {f}")).unwrap_or_else(|| "no evidence".into())}</span>
                                                    </a>
                                                }
                                            }).collect_view()}
                                        </div>
                                    }.into_any()
                                }}
                            </section>
                            {p.can_edit.then(|| view! { <NewPhaseForm action=create project=slug.clone() open=no_phases/> })}
                            {p.chart.map(|c| view! {
                                <ChartFigure c=c range=p.range.clone() range_links=format!("/p/{}", p.slug)/>
                            }.into_any())}
                            <section class="section">
                                <h2>"Recent reports"</h2>
                                <ReportTable reports=p.recent/>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// A table of reports.
#[component]
pub fn ReportTable(reports: Vec<ReportLine>) -> impl IntoView {
    if reports.is_empty() {
        return view! { <p class="muted">"No reports yet. Import one from a phase's page (“Import a report”), or upload them from CI with an API token."</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead><tr><th>"Report"</th><th>"Suite"</th><th>"Phase"</th><th>"Format"</th><th class="num">"Tests"</th><th class="num">"Failed"</th><th class="num">"Score"</th><th>"Received"</th></tr></thead>
                <tbody>
                    {reports.into_iter().map(|r| view! {
                        <tr>
                            <td><a href=format!("/reports/{}", r.id)>{format!("#{}", r.id)}</a></td>
                            <td>{r.suite}</td>
                            <td class="muted">{r.phase}</td>
                            <td><span class="chip">{r.format}</span></td>
                            <td class="num">{r.tests}</td>
                            <td class={if r.failed > 0 { "num fail-text" } else { "num" }}>{r.failed}</td>
                            <td class="num">{format::score(r.score)}</td>
                            <td class="muted">{r.received}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
