//! `/p/{project}/{phase}/import`: import a report from the browser, pasted or as a file.
//! A plain multipart form posted to `/import/{project}/{phase}`, so it works without
//! JavaScript; the server redirects to the stored report or back here with the reason.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::widgets::{ErrorBox, Loading};

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

/// Names of the project and phase, and whether the caller may import.
#[server]
pub async fn get_import_context(project: String, phase: String) -> Result<(String, String, bool), ServerFnError> {
    use readyboard_domain::role::Role;
    let me = crate::ssr::require(Role::Viewer).await?;
    let store = crate::ssr::store()?;
    let p = store.project(&project).await.map_err(crate::ssr::store_error)?;
    let ph = store.phase(p.id, &phase).await.map_err(crate::ssr::store_error)?;
    Ok((p.name, ph.name, me.role().allows(Role::Editor)))
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
                let kept = move |name: &str| crate::form_outcome::kept(&outcome, name);
                let format = kept("format").unwrap_or_default();
                match data.await {
                    Err(e) => view! { <Title text="Import"/><ErrorBox message=e.to_string()/> }.into_any(),
                    Ok((project_name, phase_name, can_edit)) => view! {
                        <Title text=format!("Import · {phase_name}")/>
                        <nav class="crumbs">
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
                        {error.map(|e| view! { <ErrorBox message=e/> })}
                        {if can_edit {
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
                            }.into_any()
                        } else {
                            view! { <p class="alert alert-warn" role="alert">"Importing reports needs the editor role."</p> }.into_any()
                        }}
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
