//! `/`: every project with its current phase at a glance.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::widgets::{ErrorBox, Loading, VerdictBadge};
use crate::format;
use crate::types::ProjectCard;

/// Every project with the evaluation of its current (last) phase.
#[server]
pub async fn list_project_cards() -> Result<Vec<ProjectCard>, ServerFnError> {
    use readyboard_domain::role::Role;
    crate::ssr::require(Role::Viewer).await?;
    let store = crate::ssr::store()?;
    let now = crate::ssr::now_ms();
    let mut cards = Vec::new();
    for p in store.list_projects().await.map_err(crate::ssr::store_error)? {
        let phases = store.phases(p.id).await.map_err(crate::ssr::store_error)?;
        let current = match phases.last() {
            Some(ph) => Some(summary::phase_summary(&store, ph, now).await?),
            None => None,
        };
        cards.push(ProjectCard {
            slug: p.slug,
            name: p.name,
            description: p.description,
            current,
            phase_count: phases.len(),
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
        let open = store.open_blocker_count(ph.id).await.map_err(crate::ssr::store_error)?;
        let freshest = card.suites.iter().map(|s| s.age_ms).min().map(|age| format::ago(now, now - age));
        Ok(PhaseSummary {
            slug: ph.slug.clone(),
            name: ph.name.clone(),
            score: card.display_score(),
            verdict: card.verdict.as_str().to_string(),
            reasons: card.reasons.clone(),
            open_blockers: open,
            suites: card.suites.len(),
            freshest,
        })
    }
}

/// The projects overview.
#[component]
pub fn Overview() -> impl IntoView {
    let cards = Resource::new(|| (), |_| list_project_cards());
    view! {
        <Title text="Projects"/>
        <div class="page-head">
            <h1>"Projects"</h1>
            <p class="muted">"Are we ready to ship, and if not, what blocks us?"</p>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match cards.await {
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(cards) if cards.is_empty() => view! {
                        <section class="empty">
                            <h2>"No projects yet"</h2>
                            <p class="muted">"Create a project on the admin page, then upload evidence with an API token, or run "<code>"readyboard demo"</code>" to load sample data."</p>
                        </section>
                    }.into_any(),
                    Ok(cards) => view! {
                        <div class="cards">
                            {cards.into_iter().map(|c| view! { <ProjectTile card=c/> }).collect_view()}
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProjectTile(card: ProjectCard) -> impl IntoView {
    let href = format!("/p/{}", card.slug);
    let phases = card.phase_count;
    match card.current {
        Some(ph) => {
            let phase_href = format!("/p/{}/{}", card.slug, ph.slug);
            let spark = format!("/api/v1/projects/{}/phases/{}/trends/sparkline.svg", card.slug, ph.slug);
            let trends_href = format!("/p/{}/{}/trends", card.slug, ph.slug);
            let reason = ph.reasons.first().cloned().unwrap_or_default();
            let tone = format::verdict_class(&ph.verdict).replace("verdict ", "tone-");
            view! {
                <article class=format!("card project-card {tone}")>
                    <header class="card-head">
                        <h2><a href=href>{card.name}</a></h2>
                        <VerdictBadge verdict=ph.verdict.clone()/>
                    </header>
                    <a class="card-phase" href=phase_href>{ph.name.clone()}</a>
                    <div class="card-score">
                        <span class="score-num">{format::score(ph.score)}</span>
                        <span class="score-max">"/ 100"</span>
                        <a class="sparkline" href=trends_href title="Score over the last 30 days: open the trends">
                            <img src=spark alt="Score over the last 30 days" width="120" height="28" loading="lazy"/>
                        </a>
                    </div>
                    <p class="card-reason">{reason}</p>
                    <dl class="facts">
                        <div><dt>"Open blockers"</dt><dd class={if ph.open_blockers > 0 { "warn-text" } else { "" }}>{ph.open_blockers}</dd></div>
                        <div><dt>"Suites"</dt><dd>{ph.suites}</dd></div>
                        <div><dt>"Freshest evidence"</dt><dd>{ph.freshest.unwrap_or_else(|| "none".into())}</dd></div>
                        <div><dt>"Phases"</dt><dd>{phases}</dd></div>
                    </dl>
                </article>
            }
            .into_any()
        }
        None => view! {
            <article class="card project-card">
                <header class="card-head"><h2><a href=href>{card.name}</a></h2></header>
                <p class="muted">"No phases yet: the first upload creates one."</p>
            </article>
        }
        .into_any(),
    }
}
