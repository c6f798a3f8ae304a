//! `/`: every project with its current phase at a glance.

use leptos::prelude::*;
use leptos_meta::Title;
use readyboard_domain::role::Role;

use crate::components::create_forms::{CreateProject, NewProjectForm};
use crate::components::header::get_me;
use crate::components::widgets::{ErrorBox, Loading, VerdictBadge};
use crate::format;
use crate::settled::Settled;
use crate::types::ProjectCard;

/// Every project with every phase's evaluation, the phase that most needs attention, its
/// open blockers across phases and its latest decision.
#[server]
pub async fn list_project_cards() -> Result<Vec<ProjectCard>, ServerFnError> {
    use readyboard_domain::role::Role;

    use crate::types::DecisionBrief;
    crate::ssr::require(Role::Viewer).await?;
    let store = crate::ssr::store()?;
    let now = crate::ssr::now_ms();
    let mut cards = Vec::new();
    for p in store.list_projects().await.map_err(crate::ssr::store_error)? {
        let rows = store.phases(p.id).await.map_err(crate::ssr::store_error)?;
        let mut phases = Vec::with_capacity(rows.len());
        let mut latest: Option<(i64, DecisionBrief)> = None;
        for ph in &rows {
            phases.push(summary::phase_summary(&store, ph, now).await?);
            if let Some(d) = store.decisions(ph.id, 1).await.map_err(crate::ssr::store_error)?.into_iter().next()
                && latest.as_ref().is_none_or(|(at, _)| d.decided_at > *at)
            {
                let brief = DecisionBrief {
                    decision: d.decision,
                    is_override: d.override_reason.is_some(),
                    phase: (ph.slug.clone(), ph.name.clone()),
                    id: d.id,
                    ago: format::ago(now, d.decided_at),
                };
                latest = Some((d.decided_at, brief));
            }
        }
        let mut blockers_by_severity = [0; 4];
        for ph in &phases {
            for (total, n) in blockers_by_severity.iter_mut().zip(ph.blockers_by_severity) {
                *total += n;
            }
        }
        cards.push(ProjectCard {
            slug: p.slug,
            name: p.name,
            description: p.description,
            attention: summary::most_in_need(&phases),
            phases,
            blockers_by_severity,
            latest_decision: latest.map(|(_, d)| d),
        });
    }
    Ok(cards)
}

#[cfg(feature = "ssr")]
pub(crate) mod summary {
    //! Builds a [`PhaseSummary`] from the store.
    use leptos::prelude::ServerFnError;
    use readyboard_store::{PhaseRow, Store};

    use crate::format;
    use crate::types::PhaseSummary;

    /// The phase's evaluation right now (cheap: aggregates only).
    pub async fn phase_summary(store: &Store, ph: &PhaseRow, now: i64) -> Result<PhaseSummary, ServerFnError> {
        let card = store.evaluate_phase(ph).await.map_err(crate::ssr::store_error)?;
        let by_severity = store.open_blockers_by_severity(ph.id).await.map_err(crate::ssr::store_error)?;
        let freshest = card.suites.iter().map(|s| s.age_ms).min().map(|age| format::ago(now, now - age));
        Ok(PhaseSummary {
            slug: ph.slug.clone(),
            name: ph.name.clone(),
            score: card.display_score(),
            verdict: card.verdict,
            reasons: card.reasons.clone(),
            open_blockers: by_severity.iter().sum(),
            blockers_by_severity: by_severity,
            suites: card.suites.len(),
            freshest,
        })
    }

    /// The phase that most needs attention: the worst verdict, then the most critical and
    /// high blockers, then the lowest score; the later phase on a tie.
    pub fn most_in_need(phases: &[PhaseSummary]) -> Option<usize> {
        use readyboard_domain::scoring::Verdict;
        let rank = |v: Verdict| match v {
            Verdict::NoGo => 0,
            Verdict::NotReady => 1,
            Verdict::Conditional => 2,
            Verdict::Ready => 3,
        };
        let key = |p: &PhaseSummary| {
            (
                rank(p.verdict),
                -p.blockers_by_severity[0],
                -p.blockers_by_severity[1],
                (p.score.unwrap_or(0.0) * 10.0).round() as i64,
            )
        };
        (0..phases.len()).rev().min_by_key(|&i| key(&phases[i]))
    }
}

/// The projects overview, with the form that creates a project for editors.
#[component]
pub fn Overview() -> impl IntoView {
    let create = ServerAction::<CreateProject>::new();
    let live = crate::live::follow(crate::live::Scope { project: None, phase: None });
    let cards = Resource::new(|| (), |_| list_project_cards());
    let me = Resource::new(|| (), |_| get_me());
    view! {
        <Title text="Projects"/>
        {live}
        <div class="page-head">
            <h1>"Projects"</h1>
            <p class="muted">"Are we ready to ship, and if not, what blocks us?"</p>
        </div>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let can_edit = me.await.ok().flatten().map(|m| m.role).is_some_and(|r| r.allows(Role::Editor));
                let form = move |open: bool| can_edit.then(|| view! { <NewProjectForm action=create open=open/> });
                match cards.await {
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(cards) if cards.is_empty() => view! {
                        <section class="empty">
                            <h2>"No projects yet"</h2>
                            {if can_edit {
                                view! { <p class="muted">"Create the first project below, then a phase in it, and import a report into that phase — or upload reports from CI with an API token. "<code>"readyboard demo"</code>" loads sample data."</p> }.into_any()
                            } else {
                                view! { <p class="muted">"Nothing to read yet: an editor creates projects and phases, and CI uploads reports into them."</p> }.into_any()
                            }}
                        </section>
                        {form(true)}
                    }.into_any(),
                    Ok(cards) => Settled::new(move || view! {
                        <div class="cards">
                            {cards.into_iter().map(|c| view! { <ProjectTile card=c/> }).collect_view()}
                        </div>
                        {form(false)}
                    }).into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ProjectTile(card: ProjectCard) -> impl IntoView {
    let href = format!("/p/{}", card.slug);
    let Some(ph) = card.attention.and_then(|i| card.phases.get(i)).cloned() else {
        return view! {
            <article class="card project-card">
                <header class="card-head"><h2><a href=href>{card.name}</a></h2></header>
                <p class="muted">"No phases yet: create one on the project page, or upload a report for a new phase."</p>
            </article>
        }
        .into_any();
    };
    let phase_href = format!("/p/{}/{}", card.slug, ph.slug);
    let spark = format!("/api/v1/projects/{}/phases/{}/trends/sparkline.svg", card.slug, ph.slug);
    let trends_href = format!("/p/{}/{}/trends", card.slug, ph.slug);
    let reason = ph.reasons.first().cloned().unwrap_or_default();
    let tone = format::verdict_class(ph.verdict).replace("verdict ", "tone-");
    let [critical, high, ..] = card.blockers_by_severity;
    let several = card.phases.len() > 1;
    let slug = card.slug.clone();
    view! {
        <article class=format!("card project-card {tone}")>
            <header class="card-head">
                <h2><a href=href>{card.name}</a></h2>
                <VerdictBadge verdict=ph.verdict/>
            </header>
            <p class="card-phase">
                <a href=phase_href>{ph.name.clone()}</a>
                {several.then(|| view! { <span class="muted small">" · needs the most attention"</span> })}
            </p>
            <div class="card-score">
                <span class="score-num">{format::score(ph.score)}</span>
                <span class="score-max">"/ 100 phase score"</span>
                <a class="sparkline" href=trends_href title="Score over the last 30 days: open the trends">
                    <img src=spark alt="Score over the last 30 days" width="120" height="28" loading="lazy"/>
                </a>
            </div>
            <p class="card-reason">{reason}</p>
            {several.then(|| view! {
                <ul class="phase-row" aria-label="Every phase">
                    {card.phases.iter().map(|p| view! {
                        <li>
                            <a href=format!("/p/{slug}/{}", p.slug)>{p.name.clone()}</a>" "
                            <span class=format::verdict_class(p.verdict)>{p.verdict.label()}</span>
                            <span class="muted small">{format!(" {}", format::score(p.score))}</span>
                        </li>
                    }).collect_view()}
                </ul>
            })}
            <dl class="facts">
                <div>
                    <dt>{if several { "Open blockers, all phases" } else { "Open blockers" }}</dt>
                    <dd class={if critical + high > 0 { "warn-text" } else { "" }}>
                        {blockers_text(card.blockers_by_severity)}
                    </dd>
                </div>
                <div>
                    <dt>"Latest decision"</dt>
                    <dd>{match card.latest_decision.clone() {
                        Some(d) => view! {
                            <a href=format!("/p/{}/{}/decisions/{}", card.slug, d.phase.0, d.id)>
                                {format::decision_text(d.decision, d.is_override)}
                            </a>
                            <span class="muted small">{format!(" · {} · {}", d.phase.1, d.ago)}</span>
                        }.into_any(),
                        None => view! { <span class="muted">"none recorded"</span> }.into_any(),
                    }}</dd>
                </div>
                <div><dt>"Freshest evidence"</dt><dd>{ph.freshest.clone().unwrap_or_else(|| "none".into())}</dd></div>
            </dl>
        </article>
    }
    .into_any()
}

/// Open blockers by severity in words ("2 critical · 1 low"), or "none".
fn blockers_text(by_severity: [i64; 4]) -> String {
    let named: Vec<String> = by_severity
        .iter()
        .zip(readyboard_domain::blockers::BLOCKER_SEVERITIES)
        .filter(|(n, _)| **n > 0)
        .map(|(n, s)| format!("{n} {s}"))
        .collect();
    if named.is_empty() { "none".to_string() } else { named.join(" · ") }
}
