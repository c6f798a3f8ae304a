//! `/audit`: the append-only audit log, filtered by phase, person and action (admins and
//! approvers).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::components::widgets::{ErrorBox, Loading};
use crate::types::AuditView;

/// Entries per page.
#[cfg(feature = "ssr")]
const PAGE: i64 = 100;

/// Audit entries matching the filters, newest first.
#[server]
pub async fn get_audit(
    phase: Option<String>,
    actor: Option<String>,
    action: Option<String>,
    before: Option<i64>,
) -> Result<AuditView, ServerFnError> {
    use readyboard_domain::role::Role;
    crate::ssr::require(Role::Approver).await?;
    let store = crate::ssr::store()?;
    let nonempty = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let mut phases = Vec::new();
    let mut phase_id = None;
    let wanted = nonempty(phase);
    for p in store.list_projects().await.map_err(crate::ssr::store_error)? {
        for ph in store.phases(p.id).await.map_err(crate::ssr::store_error)? {
            let key = format!("{}/{}", p.slug, ph.slug);
            if wanted.as_deref() == Some(key.as_str()) {
                phase_id = Some(ph.id);
            }
            phases.push((key, format!("{} · {}", p.name, ph.name)));
        }
    }
    if wanted.is_some() && phase_id.is_none() {
        return Err(crate::ssr::store_error(readyboard_store::StoreError::Invalid("phase: no such phase".into())));
    }
    let filter =
        readyboard_store::AuditFilter { phase_id, actor: nonempty(actor), action: nonempty(action), before_id: before };
    let rows = store.audit_search(&filter, PAGE + 1).await.map_err(crate::ssr::store_error)?;
    let (actors, actions) = store.audit_facets().await.map_err(crate::ssr::store_error)?;
    let older = (rows.len() as i64 > PAGE).then(|| rows[PAGE as usize - 1].entry.id);
    let entries = rows
        .into_iter()
        .take(PAGE as usize)
        .map(|r| crate::types::AuditLine {
            id: r.entry.id,
            at: crate::ssr::datetime(r.entry.at),
            actor: r.entry.actor_label,
            action: r.entry.action,
            entity: match r.entry.entity_id {
                Some(id) => format!("{} {id}", r.entry.entity),
                None => r.entry.entity,
            },
            place: r.project.zip(r.phase),
            before: r.entry.before_json,
            after: r.entry.after_json,
        })
        .collect();
    Ok(AuditView { entries, actors, actions, phases, older })
}

/// The audit log page.
#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let key = move || {
        let q = query.read();
        (q.get("phase"), q.get("actor"), q.get("action"), q.get("before").and_then(|b| b.parse::<i64>().ok()))
    };
    let data = Resource::new(key, |(phase, actor, action, before)| get_audit(phase, actor, action, before));
    view! {
        <Title text="Audit log"/>
        <div class="page-head">
            <h1>"Audit log"</h1>
            <p class="muted">"Every change by a person or a token: checklist, sign-offs, blockers, decisions, settings, users and tokens. Entries are never edited."</p>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let (phase, actor, action, _) = key();
                match data.await {
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(v) => view! { <AuditTable v=v phase=phase.unwrap_or_default() actor=actor.unwrap_or_default() action=action.unwrap_or_default()/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AuditTable(v: AuditView, phase: String, actor: String, action: String) -> impl IntoView {
    let families: Vec<String> = {
        let mut f: Vec<String> = v.actions.iter().filter_map(|a| a.split('.').next().map(str::to_string)).collect();
        f.dedup();
        f
    };
    let older = v.older.map(|id| {
        let mut q = vec![format!("before={id}")];
        for (k, val) in [("phase", &phase), ("actor", &actor), ("action", &action)] {
            if !val.is_empty() {
                q.push(format!("{k}={}", crate::format::query_value(val)));
            }
        }
        format!("/audit?{}", q.join("&"))
    });
    view! {
        <Form method="GET" action="/audit" attr:class="filters">
            <label>"Phase"
                <select name="phase">
                    <option value="">"All phases"</option>
                    {v.phases.iter().map(|(k, label)| view! { <option value=k.clone() selected=*k == phase>{label.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label>"Who"
                <select name="actor">
                    <option value="">"Everyone"</option>
                    {v.actors.iter().map(|a| view! { <option value=a.clone() selected=*a == actor>{a.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label>"Action"
                <select name="action">
                    <option value="">"Every action"</option>
                    {families.iter().map(|f| view! { <option value=f.clone() selected=*f == action>{format!("{f}.*")}</option> }).collect_view()}
                    {v.actions.iter().map(|a| view! { <option value=a.clone() selected=*a == action>{a.clone()}</option> }).collect_view()}
                </select>
            </label>
            <button type="submit" class="btn">"Filter"</button>
        </Form>
        {if v.entries.is_empty() {
            view! { <p class="empty">"No entries match these filters."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap"><table class="table audit">
                    <thead><tr>
                        <th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"Action"</th>
                        <th scope="col">"What"</th><th scope="col">"Where"</th><th scope="col">"Change"</th>
                    </tr></thead>
                    <tbody>
                        {v.entries.into_iter().map(|e| view! {
                            <tr>
                                <td class="nowrap">{e.at}</td>
                                <td>{e.actor}</td>
                                <td><code>{e.action}</code></td>
                                <td>{e.entity}</td>
                                <td>{e.place.map(|(p, ph)| view! { <a href=format!("/p/{p}/{ph}")>{format!("{p}/{ph}")}</a> })}</td>
                                <td>{(e.before.is_some() || e.after.is_some()).then(|| view! {
                                    <details>
                                        <summary>"details"</summary>
                                        {e.before.map(|b| view! { <p class="small"><strong>"Before: "</strong><code class="json">{b}</code></p> })}
                                        {e.after.map(|a| view! { <p class="small"><strong>"After: "</strong><code class="json">{a}</code></p> })}
                                    </details>
                                })}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table></div>
                {older.map(|href| view! { <p><a href=href>"Older entries →"</a></p> })}
            }.into_any()
        }}
    }
}
