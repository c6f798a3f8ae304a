//! `/p/{project}`: the phases of a project and its newest evidence.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::create_forms::{CreatePhase, NewPhaseForm};
use crate::components::widgets::{ErrorBox, Loading, VerdictBadge};
use crate::form_outcome::OutcomeNote;
use crate::format;
use crate::pages::trends::ChartFigure;
use crate::types::{PhaseSummary, ProjectView, ReportLine};

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
    let webhooks = if me.role().allows(Role::Admin) {
        Some(crate::pages::webhooks::webhooks_view(&store, p.id, now).await?)
    } else {
        None
    };
    Ok(ProjectView {
        webhooks,
        slug: p.slug,
        name: p.name,
        description: p.description,
        phases,
        recent,
        chart,
        range,
        can_edit: me.role().allows(Role::Editor),
        can_admin: me.role().allows(Role::Admin),
        retention_days: p.retention_days,
    })
}

/// Sets how many days the project keeps check rows and raw files; empty keeps them forever
/// (admins).
#[server]
pub async fn set_retention(project: String, days: String) -> Result<String, ServerFnError> {
    use readyboard_domain::role::Role;
    let u = crate::ssr::require(Role::Admin).await?;
    let days = match days.trim() {
        "" => None,
        typed => Some(
            typed
                .parse::<i64>()
                .map_err(|_| ServerFnError::new(format!("Retention: `{typed}` is not a whole number of days.")))?,
        ),
    };
    let store = crate::ssr::store()?;
    let p = store.project(&project).await.map_err(crate::ssr::store_error)?;
    store.set_retention(&crate::ssr::actor(&u), p.id, days).await.map_err(crate::ssr::store_error)?;
    Ok(match days {
        None => "Check details and raw files are now kept forever.".to_string(),
        Some(d) => format!(
            "Check details and raw files older than {d} days will be pruned (each suite's latest report, counts, history, blockers and decisions stay)."
        ),
    })
}

/// What the project keeps, and the form that changes it for admins.
#[component]
fn Retention(project: String, days: Option<i64>, can_admin: bool, action: ServerAction<SetRetention>) -> impl IntoView {
    let sent = crate::form_outcome::outcome_for::<SetRetention>(None);
    let typed = crate::form_outcome::kept(&sent, "days").or_else(|| days.map(|d| d.to_string()));
    let open = crate::form_outcome::failed(&sent);
    let kept = match days {
        None => "Check details and raw files are kept forever.".to_string(),
        Some(d) => {
            format!("Check details and raw files are kept {d} days; older reports keep their counts and categories.")
        }
    };
    view! {
        <p class="muted" data-testid="retention">{kept}</p>
        {can_admin.then(|| view! {
            <details class="section card create-form" open=open>
                <summary>"Change the retention"</summary>
                <ActionForm action=action attr:class="form form-grid">
                    <input type="hidden" name="project" value=project/>
                    <label>"Keep check details and raw files for (days)"
                        <input name="days" type="number" min="1" max="3650" step="1" placeholder="forever" value=typed/>
                    </label>
                    <button type="submit" class="btn btn-primary">"Save retention"</button>
                </ActionForm>
                <p class="muted small">"Empty keeps everything. Pruning runs in the background in small batches and is written to the audit log; each suite's latest report, the phase history, blockers and decisions are always kept."</p>
            </details>
            <OutcomeNote outcome=sent.clone()/>
        })}
    }
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
        tests: r.counts.tests as i64,
        passed: r.counts.passed as i64,
        failed: (r.counts.failed + r.counts.errors) as i64,
        skipped: r.counts.skipped as i64,
        score: r.score,
    }
}

/// The project page.
#[component]
pub fn ProjectPage() -> impl IntoView {
    let params = use_params_map();
    let query = leptos_router::hooks::use_query_map();
    let create = ServerAction::<CreatePhase>::new();
    let retain = ServerAction::<SetRetention>::new();
    let hooks = crate::pages::webhooks::WebhookActions::new();
    let live = crate::live::follow(crate::live::Scope { project: params.read().get("project"), phase: None });
    let data = Resource::new(
        move || {
            let (slug, range) = (params.read().get("project").unwrap_or_default(), query.read().get("range"));
            (slug, range.unwrap_or_default())
        },
        |(slug, range)| get_project(slug, range),
    );
    view! {
        {live}
        <Transition fallback=Loading>
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
                            <PhaseList project=slug.clone() phases=p.phases can_edit=p.can_edit/>
                            {p.can_edit.then(|| view! { <NewPhaseForm action=create project=slug.clone() open=no_phases/> })}
                            {p.chart.map(|c| view! {
                                <ChartFigure c=c range=p.range.clone() range_links=format!("/p/{}", p.slug)/>
                            }.into_any())}
                            <section class="section">
                                <h2>"Recent reports"</h2>
                                <ReportTable reports=p.recent empty="No reports yet. Import one from a phase's page (“Import a report”), or upload them from CI with an API token."/>
                            </section>
                            <section class="section">
                                <h2>"Retention"</h2>
                                <Retention project=slug.clone() days=p.retention_days can_admin=p.can_admin action=retain/>
                            </section>
                            {p.webhooks.map(|w| view! {
                                <section class="section" id="webhooks">
                                    <h2>"Webhooks"</h2>
                                    <crate::pages::webhooks::Webhooks project=slug.clone() w=w actions=hooks/>
                                </section>
                            })}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The project's phases with score, verdict, suites, open blockers and freshest evidence.
#[component]
fn PhaseList(project: String, phases: Vec<PhaseSummary>, can_edit: bool) -> impl IntoView {
    let body = if phases.is_empty() {
        view! { <p class="muted">{if can_edit {
            "No phases yet. Create the first one below; then import a report into it, or let CI upload reports with an API token (an upload for a new phase creates it)."
        } else {
            "No phases yet: an editor creates them, or CI uploads the first report of a phase."
        }}</p> }.into_any()
    } else {
        view! {
            <div class="phase-list">
                {phases.into_iter().map(|ph| view! {
                    <a class="phase-row" href=format!("/p/{project}/{}", ph.slug)>
                        <span class="phase-name">{ph.name}</span>
                        <span class="phase-score">{format::score(ph.score)}</span>
                        <VerdictBadge verdict=ph.verdict/>
                        <span class="muted small">{format!("{} suites · {} open blockers", ph.suites, ph.open_blockers)}</span>
                        <span class="muted small">{ph.freshest.map(|f| format!("evidence {f}")).unwrap_or_else(|| "no evidence".into())}</span>
                    </a>
                }).collect_view()}
            </div>
        }.into_any()
    };
    view! {
        <section class="section">
            <h2>"Phases"</h2>
            {body}
        </section>
    }
}

/// A table of reports; `empty` says what to do when there are none.
#[component]
pub fn ReportTable(reports: Vec<ReportLine>, #[prop(optional)] empty: Option<&'static str>) -> impl IntoView {
    if reports.is_empty() {
        return Either::Left(view! { <p class="muted">{empty.unwrap_or("No reports yet.")}</p> });
    }
    Either::Right(view! {
        <div class="table-wrap"><table class="table">
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
        </table></div>
    })
}
