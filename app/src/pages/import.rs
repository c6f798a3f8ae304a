//! `/p/{project}/{phase}/import`: import a report from the browser, pasted or as a file.
//! A plain multipart form posted to `/import/{project}/{phase}`, so it works without
//! JavaScript; the server redirects to the stored report or back here with the reason.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::create_forms::{CreatePhase, NewPhaseForm};
use crate::components::widgets::{ErrorBox, Loading};
use crate::form_outcome::{FormOutcome, outcome_for};

/// Formats offered in the form (`auto` detects from the content).
const FORMATS: &[(&str, &str)] = &[
    ("auto", "Detect from the content"),
    ("markdown", "Markdown readiness report"),
    ("readyboard", "readyboard JSON"),
    ("junit", "JUnit XML"),
    ("ctrf", "CTRF JSON"),
    ("sarif", "SARIF 2.1"),
    ("k6", "k6 summary JSON"),
    ("trx", "TRX"),
    ("nunit", "NUnit XML"),
    ("xunit", "xUnit.net XML"),
    ("gotest", "go test2json"),
    ("jest", "Jest JSON"),
    ("playwright", "Playwright JSON"),
    ("pytest-json", "pytest-json-report"),
    ("mocha", "mocha JSON"),
];

/// Names of the project and phase (`None` when the phase does not exist yet: the page
/// answers 404 and offers to create it), and whether the caller may import.
#[server]
pub async fn get_import_context(
    project: String,
    phase: String,
) -> Result<(String, Option<String>, bool), ServerFnError> {
    use readyboard_domain::role::Role;
    let me = crate::ssr::require(Role::Viewer).await?;
    let store = crate::ssr::store()?;
    let p = store.project(&project).await.map_err(crate::ssr::store_error)?;
    let phase_name = match store.phase(p.id, &phase).await {
        Ok(ph) => Some(ph.name),
        Err(readyboard_store::StoreError::NotFound) => None,
        Err(e) => return Err(crate::ssr::store_error(e)),
    };
    Ok((p.name, phase_name, me.role().allows(Role::Editor)))
}

/// The import page.
#[component]
pub fn ImportPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let p = params.read();
        (p.get("project").unwrap_or_default(), p.get("phase").unwrap_or_default())
    };
    let create = ServerAction::<CreatePhase>::new();
    let data = Resource::new(key, |(project, phase)| get_import_context(project, phase));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let (project, phase) = key();
                let outcome = crate::form_outcome::outcome_of(&format!("/import/{project}/{phase}"), None);
                // The failure kept for this page says the same as `?error=` and keeps the input.
                let error = match &outcome {
                    Some(o) => Some(o.message.clone()),
                    None => query.read().get("error"),
                };
                // The phase this page offered to create, created just now.
                let created = outcome_for::<CreatePhase>(None).filter(|o| !o.failed).map(|o| o.message);
                match data.await {
                    Err(e) => view! { <Title text="Import"/><ErrorBox message=e.to_string()/> }.into_any(),
                    Ok((project_name, None, can_edit)) => view! {
                        <MissingPhase project=project phase=phase project_name=project_name can_edit=can_edit create=create/>
                    }.into_any(),
                    Ok((project_name, Some(phase_name), can_edit)) => view! {
                        <Title text=format!("Import · {phase_name}")/>
                        <nav class="crumbs" aria-label="Breadcrumb">
                            <a href="/">"Projects"</a><span>"/"</span>
                            <a href=format!("/p/{project}")>{project_name.clone()}</a><span>"/"</span>
                            <a href=format!("/p/{project}/{phase}")>{phase_name.clone()}</a><span>"/"</span>
                            <span>"Import"</span>
                        </nav>
                        <header class="page-head">
                            <h1>"Import a report"</h1>
                            <p class="muted">{format!(
                                "Into {project_name} · {phase_name}. Paste a hand-written Markdown readiness report, or choose any supported file; CI should use the upload API instead."
                            )}</p>
                        </header>
                        {created.clone().map(|msg| view! { <p class="alert alert-ok" role="status">{msg}</p> })}
                        {error.map(|e| view! { <ErrorBox message=e/> })}
                        {if can_edit {
                            view! { <ImportForm project=project phase=phase outcome=outcome/> }.into_any()
                        } else {
                            view! { <p class="alert alert-warn" role="alert">"Importing reports needs the editor role."</p> }.into_any()
                        }}
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The form itself: a plain multipart post, so it works without JavaScript; a failed import
/// comes back with what was pasted kept.
#[component]
fn ImportForm(project: String, phase: String, outcome: Option<FormOutcome>) -> impl IntoView {
    let kept = move |name: &str| crate::form_outcome::kept(&outcome, name);
    let format = kept("format").unwrap_or_default();
    view! {
        <form class="form card import" method="post" action=format!("/import/{project}/{phase}") enctype="multipart/form-data">
            <div class="form-row">
                <label>"Suite"<input name="suite" maxlength="200" placeholder="e.g. readiness-review" value=kept("suite")/></label>
                <label>"Format"
                    <select name="format">
                        {FORMATS.iter().map(|(v, l)| view! { <option value=*v selected=format == *v>{*l}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            <label>"Paste the report"<textarea name="text" rows="14" class="mono" placeholder="# Phase 4 Production Readiness Report\n\n| Check | Status |\n|---|---|\n| Health checks | ✅ PASS |">{kept("text")}</textarea></label>
            <label>"…or choose a file"<input type="file" name="file" accept=".md,.markdown,.txt,.json,.xml,.sarif,.trx,.jsonl"/></label>
            <p class="muted small">"Text that arrived with broken encoding (âœ…, ðŸš¨) is repaired before it is read. The report is stored whole or not at all."</p>
            <div><button type="submit" class="btn btn-primary">"Import"</button></div>
        </form>
    }
}

/// The import page of a phase that does not exist yet: says so, and offers editors to
/// create it (then the same page shows the import form).
#[component]
fn MissingPhase(
    project: String,
    phase: String,
    project_name: String,
    can_edit: bool,
    create: ServerAction<CreatePhase>,
) -> impl IntoView {
    crate::pages::not_found::answer_not_found();
    view! {
        <Title text="Import · no such phase"/>
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href="/">"Projects"</a><span>"/"</span>
            <a href=format!("/p/{project}")>{project_name.clone()}</a><span>"/"</span>
            <span>{phase.clone()}</span>
        </nav>
        <header class="page-head">
            <h1>"Import a report"</h1>
            <p class="alert alert-warn" role="alert">{format!("{project_name} has no phase “{phase}” yet.")}</p>
        </header>
        {if can_edit {
            view! {
                <p class="muted">"Create it here with its thresholds, and this page then takes the report."</p>
                <NewPhaseForm action=create project=project fixed_slug=phase open=true/>
            }.into_any()
        } else {
            view! { <p class="muted">"An editor can create it; the project page lists the phases that exist."</p> }.into_any()
        }}
    }
}
