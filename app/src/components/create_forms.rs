//! Creating projects and phases from the browser (editors): the server functions and their
//! forms, used by the overview, the project page, the import page and the admin page.
//! The forms are plain posts that work without JavaScript; a failure comes back beside
//! the form with what was typed kept.

use leptos::prelude::*;

use crate::form_outcome::{OutcomeNote, failed, kept, outcome_for};
use crate::types::PhaseForm;

/// The slug typed, or one made from the name when the field was left empty.
#[cfg(feature = "ssr")]
fn slug_or_name(slug: &str, name: &str) -> String {
    match slug.trim() {
        "" => readyboard_domain::slug::slugify(name),
        typed => typed.to_string(),
    }
}

/// A number typed into the field `label`, or a plain-language error naming it.
#[cfg(feature = "ssr")]
pub(crate) fn number<T: std::str::FromStr>(label: &str, text: &str) -> Result<T, ServerFnError> {
    text.trim().parse().map_err(|_| ServerFnError::new(format!("{label}: `{}` is not a number.", text.trim())))
}

/// Creates a project (editors). The slug is made from the name when left empty.
#[server]
pub async fn create_project(slug: String, name: String, description: String) -> Result<String, ServerFnError> {
    use readyboard_domain::role::Role;
    let u = crate::ssr::require(Role::Editor).await?;
    if name.trim().is_empty() {
        return Err(ServerFnError::new("Name: give the project a name."));
    }
    let slug = slug_or_name(&slug, &name);
    crate::ssr::store()?
        .create_project(&crate::ssr::actor(&u), &slug, name.trim(), description.trim())
        .await
        .map_err(crate::ssr::store_error)?;
    Ok(format!("Project “{}” created at /p/{slug}.", name.trim()))
}

/// Creates a phase in a project with its thresholds and freshness window (editors). The
/// slug is made from the name when left empty.
#[server]
pub async fn create_phase(#[server(flatten)] form: PhaseForm) -> Result<String, ServerFnError> {
    use readyboard_domain::role::Role;
    let PhaseForm { project, name, slug, ready, conditional, freshness_days } = form;
    let u = crate::ssr::require(Role::Editor).await?;
    if name.trim().is_empty() && slug.trim().is_empty() {
        return Err(ServerFnError::new("Name: give the phase a name."));
    }
    let settings = readyboard_store::PhaseSettingsUpdate {
        ready_threshold: number("Ready threshold", &ready)?,
        conditional_threshold: number("Conditional threshold", &conditional)?,
        freshness_days: number("Freshness", &freshness_days)?,
        category_weights: Default::default(),
    };
    let store = crate::ssr::store()?;
    let p = store.project(&project).await.map_err(crate::ssr::store_error)?;
    let slug = slug_or_name(&slug, &name);
    let ph = store
        .create_phase_with(&crate::ssr::actor(&u), p.id, &slug, name.trim(), Some(&settings))
        .await
        .map_err(crate::ssr::store_error)?;
    Ok(format!("Phase “{}” created in {}.", ph.name, p.name))
}

/// The "New project" form; open when `open` or when it just failed.
#[component]
pub fn NewProjectForm(action: ServerAction<CreateProject>, #[prop(optional)] open: bool) -> impl IntoView {
    let sent = outcome_for::<CreateProject>(None);
    let (name, slug, description) = (kept(&sent, "name"), kept(&sent, "slug"), kept(&sent, "description"));
    let open = open || failed(&sent);
    view! {
        <details class="section card create-form" open=open>
            <summary>"New project"</summary>
            <ActionForm action=action attr:class="form form-grid">
                <label class="wide">"Name"<input name="name" required maxlength="200" placeholder="e.g. Payments service" value=name/></label>
                <label>"Slug (in addresses)"
                    <input name="slug" maxlength="64" pattern="[a-z0-9][a-z0-9._\\-]*" placeholder="made from the name" value=slug aria-describedby="project-slug-help"/>
                </label>
                <label class="wide">"Description"<input name="description" maxlength="500" value=description/></label>
                <p class="muted small wide" id="project-slug-help">"Lower-case letters, digits, '-', '_' and '.'; leave it empty to make it from the name."</p>
                <button type="submit" class="btn btn-primary">"Create project"</button>
            </ActionForm>
        </details>
        // Outside the form's fold, which closes again once the page shows what was created.
        <OutcomeNote outcome=sent/>
    }
}

/// The "New phase" form of `project`; with `fixed_slug` the phase's slug is given (the
/// import page offers to create the phase its address names).
#[component]
pub fn NewPhaseForm(
    action: ServerAction<CreatePhase>,
    project: String,
    #[prop(optional)] fixed_slug: Option<String>,
    #[prop(optional)] open: bool,
) -> impl IntoView {
    let sent = outcome_for::<CreatePhase>(None);
    let value = |field: &str, default: &str| kept(&sent, field).unwrap_or_else(|| default.to_string());
    // A new phase starts with the scoring defaults unless the form says otherwise.
    let defaults = readyboard_domain::scoring::PhaseSettings::default();
    let (ready, conditional, freshness) = (
        value("ready", &defaults.ready_threshold.to_string()),
        value("conditional", &defaults.conditional_threshold.to_string()),
        value("freshness_days", &defaults.freshness_days.to_string()),
    );
    let typed_slug = kept(&sent, "slug");
    let name = kept(&sent, "name").or_else(|| fixed_slug.clone());
    let open = open || failed(&sent);
    let title = if fixed_slug.is_some() { "Create this phase" } else { "New phase" };
    let slug_field = match fixed_slug {
        Some(slug) => view! { <input type="hidden" name="slug" value=slug/> }.into_any(),
        None => view! {
            <label>"Slug (in addresses)"
                <input name="slug" maxlength="64" pattern="[a-z0-9][a-z0-9._\\-]*" placeholder="made from the name" value=typed_slug/>
            </label>
        }
        .into_any(),
    };
    view! {
        <details class="section card create-form" open=open>
            <summary>{title}</summary>
            <ActionForm action=action attr:class="form form-grid">
                <input type="hidden" name="project" value=project/>
                <label class="wide">"Name"<input name="name" required maxlength="200" placeholder="e.g. Release 2.4" value=name/></label>
                {slug_field}
                <label>"Ready at score ≥"<input name="ready" type="number" min="0" max="100" step="0.1" required value=ready/></label>
                <label>"Conditional at score ≥"<input name="conditional" type="number" min="0" max="100" step="0.1" required value=conditional/></label>
                <label>"Evidence stale after (days)"<input name="freshness_days" type="number" min="1" max="365" step="1" required value=freshness/></label>
                <p class="muted small wide">"Thresholds and the freshness window can be changed later in the phase's settings; category weights start equal."</p>
                <button type="submit" class="btn btn-primary">"Create phase"</button>
            </ActionForm>
        </details>
        // Outside the form's fold, which closes again once the page shows what was created.
        <OutcomeNote outcome=sent/>
    }
}
