//! `/p/{project}`: the phases of a project and its newest evidence.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::widgets::{ErrorBox, Loading, VerdictBadge};
use crate::format;
use crate::types::{ProjectView, ReportLine};

/// A project with its phases and recent reports.
#[server]
pub async fn get_project(slug: String) -> Result<ProjectView, ServerFnError> {
    use readyboard_domain::role::Role;
    crate::ssr::require(Role::Viewer).await?;
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
    Ok(ProjectView { slug: p.slug, name: p.name, description: p.description, phases, recent })
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
    let data = Resource::new(move || params.read().get("project").unwrap_or_default(), get_project);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <Title text="Project"/><ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(p) => {
                        let slug = p.slug.clone();
                        let has_phases = !p.phases.is_empty();
                        view! {
                            <Title text=p.name.clone()/>
                            <nav class="crumbs"><a href="/">"Projects"</a><span>"/"</span><span>{p.name.clone()}</span></nav>
                            <div class="page-head">
                                <h1>{p.name.clone()}</h1>
                                <p class="muted">{p.description.clone()}</p>
                            </div>
                            <section class="section">
                                <h2>"Phases"</h2>
                                {if p.phases.is_empty() {
                                    view! { <p class="muted">"No phases yet. The first report uploaded for a phase creates it."</p> }.into_any()
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
                            {has_phases.then(|| {
                                let src = format!("/api/v1/projects/{}/trends/score.svg?range=90d", p.slug);
                                view! {
                                    <section class="section chart">
                                        <h2>"Readiness over time"</h2>
                                        <figure>
                                            <img class="chart-img" src=format!("{src}&width=900") srcset=format!("{src}&width=400 400w, {src}&width=900 900w")
                                                sizes="(max-width: 640px) 100vw, 900px" width="900" height="280" loading="lazy"
                                                alt="Score of every phase after each report over the last 90 days; each phase's trends page has the figures."/>
                                            <figcaption class="muted small">"Every phase on one time axis, last 90 days. Open a phase's trends for the figures behind each point."</figcaption>
                                        </figure>
                                    </section>
                                }
                            })}
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
        return view! { <p class="muted">"No reports yet."</p> }.into_any();
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
