//! `/audit`: the append-only audit log, filtered by phase, person and action (admins and
//! approvers). Changes and sign-ins are shown apart: changes by default.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::components::widgets::{ErrorBox, Loading};
use crate::types::{AuditLine, AuditQuery, AuditView};

/// Entries per page.
#[cfg(feature = "ssr")]
const PAGE: i64 = 100;

/// The choices of what to show: (`kind` value, label).
const KINDS: [(&str, &str); 3] = [("changes", "Changes"), ("signins", "Sign-ins"), ("all", "All")];

/// Audit entries matching the filters, newest first, each naming what it is about.
#[server]
pub async fn get_audit(#[server(flatten)] query: AuditQuery) -> Result<AuditView, ServerFnError> {
    use readyboard_domain::role::Role;
    use readyboard_store::{AuditKind, StoreError};
    let AuditQuery { kind, phase, actor, action, before } = query;
    crate::ssr::require(Role::Approver).await?;
    let store = crate::ssr::store()?;
    let nonempty = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let invalid = |m: &str| crate::ssr::store_error(StoreError::Invalid(m.into()));
    let kind = match nonempty(kind) {
        None => AuditKind::Changes,
        Some(k) => AuditKind::parse(&k).ok_or_else(|| invalid("kind: one of changes, signins, all"))?,
    };
    let (_, places) = crate::ssr::places(&store).await?;
    let wanted = nonempty(phase);
    let phase_id = match &wanted {
        None => None,
        Some(w) => Some(places.iter().find(|p| p.key == *w).ok_or_else(|| invalid("phase: no such phase"))?.id),
    };
    let filter = readyboard_store::AuditFilter {
        kind,
        phase_id,
        actor: nonempty(actor),
        action: nonempty(action),
        before_id: before.and_then(|b| b.trim().parse().ok()),
    };
    let err = crate::ssr::store_error;
    let rows = store.audit_search(&filter, PAGE + 1).await.map_err(err)?;
    let total = store.audit_count(&filter).await.map_err(err)?;
    let (actors, actions) = store.audit_facets(kind).await.map_err(err)?;
    let older = (rows.len() as i64 > PAGE).then(|| rows[PAGE as usize - 1].entry.id);
    let entries = rows.into_iter().take(PAGE as usize).map(line).collect();
    let phases = places.into_iter().map(|p| (p.key, p.label)).collect();
    Ok(AuditView { entries, actors, actions, phases, kind: kind.as_str().to_string(), total, older })
}

/// One stored entry as the page shows it.
#[cfg(feature = "ssr")]
fn line(r: readyboard_store::AuditRow) -> AuditLine {
    let href = r.subject.as_ref().and_then(|s| subject_href(&r.entry.entity, r.entry.entity_id.as_deref(), s));
    let place = match (&r.project, &r.project_name, &r.phase, &r.phase_name) {
        (Some(p), Some(pn), Some(ph), Some(phn)) => Some((format!("/p/{p}/{ph}"), format!("{pn} · {phn}"))),
        (Some(p), Some(pn), _, _) => Some((format!("/p/{p}"), pn.clone())),
        _ => None,
    };
    AuditLine {
        id: r.entry.id,
        at: crate::ssr::datetime(r.entry.at),
        actor: r.entry.actor_label,
        action: r.entry.action,
        entity: r.entry.entity.replace('_', " "),
        subject: r.subject.map(|s| s.name),
        href,
        place,
        before: r.entry.before_json,
        after: r.entry.after_json,
    }
}

/// The page that shows an entry's subject, when it still exists and has one.
#[cfg(feature = "ssr")]
fn subject_href(entity: &str, id: Option<&str>, s: &readyboard_store::AuditSubject) -> Option<String> {
    let id = id?;
    if !s.found {
        return None;
    }
    let phase = s.project.as_deref().zip(s.phase.as_deref());
    match (entity, phase) {
        ("report", _) => Some(format!("/reports/{id}")),
        ("project", _) => s.project.as_ref().map(|p| format!("/p/{p}")),
        ("phase", Some((p, ph))) => Some(format!("/p/{p}/{ph}")),
        ("blocker", Some((p, ph))) => Some(format!("/p/{p}/{ph}/blockers?status=all#blocker-{id}")),
        ("checklist_item", Some((p, ph))) => Some(format!("/p/{p}/{ph}/checklist#item-{id}")),
        ("decision", Some((p, ph))) => Some(format!("/p/{p}/{ph}/decisions/{id}")),
        _ => None,
    }
}

/// The audit log page.
#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let key = move || {
        let q = query.read();
        let get = |k: &str| q.get(k).filter(|v| !v.is_empty());
        AuditQuery {
            kind: get("kind"),
            phase: get("phase"),
            actor: get("actor"),
            action: get("action"),
            before: get("before"),
        }
    };
    let data = Resource::new(key, get_audit);
    view! {
        <Title text="Audit log"/>
        <div class="page-head">
            <h1>"Audit log"</h1>
            <p class="muted">"Every change by a person or a token: checklist, sign-offs, blockers, decisions, settings, users and tokens. Sign-ins are listed apart. Entries are never edited."</p>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let AuditQuery { phase, actor, action, before, .. } = key();
                let chosen = Chosen {
                    phase: phase.unwrap_or_default(),
                    actor: actor.unwrap_or_default(),
                    action: action.unwrap_or_default(),
                    paged: before.is_some_and(|b| b.parse::<i64>().is_ok()),
                };
                match data.await {
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(v) => view! { <AuditBody v=v chosen=chosen/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The filters as the address gives them.
#[derive(Clone, Default)]
struct Chosen {
    phase: String,
    actor: String,
    action: String,
    paged: bool,
}

impl Chosen {
    /// `/audit?…` with these filters, of `kind`, plus `extra`.
    fn href(&self, kind: &str, extra: Option<String>) -> String {
        let mut q = vec![format!("kind={kind}")];
        for (k, val) in [("phase", &self.phase), ("actor", &self.actor), ("action", &self.action)] {
            if !val.is_empty() {
                q.push(format!("{k}={}", crate::format::query_value(val)));
            }
        }
        q.extend(extra);
        format!("/audit?{}", q.join("&"))
    }
}

/// "3 changes, newest first.", "Showing the newest 100 of 1204 changes.": what the list holds.
fn count_text(kind: &str, shown: usize, total: i64, paged: bool) -> String {
    let noun = |n: i64| match (kind, n == 1) {
        ("changes", true) => "change",
        ("changes", false) => "changes",
        ("signins", true) => "sign-in (login, logout or failed login)",
        ("signins", false) => "sign-ins (logins, logouts and failed logins)",
        (_, true) => "entry, changes and sign-ins",
        (_, false) => "entries, changes and sign-ins",
    };
    if shown as i64 == total && !paged {
        format!("{total} {}, newest first.", noun(total))
    } else if paged {
        format!("Showing {shown} older of {total} {}, newest first.", noun(total))
    } else {
        format!("Showing the newest {shown} of {total} {}.", noun(total))
    }
}

#[component]
fn AuditBody(v: AuditView, chosen: Chosen) -> impl IntoView {
    let kind = v.kind.clone();
    // Switching between changes and sign-ins keeps who; the other filters belong to one kind.
    let tab_base = Chosen { actor: chosen.actor.clone(), ..Chosen::default() };
    let tabs = KINDS
        .iter()
        .map(|(k, label)| {
            let current = *k == kind;
            view! { <a href=tab_base.href(k, None) class:active=current aria-current=current.then_some("page")>{*label}</a> }
        })
        .collect_view();
    let older = v.older.map(|id| chosen.href(&kind, Some(format!("before={id}"))));
    let count = count_text(&kind, v.entries.len(), v.total, chosen.paged);
    let kind = v.kind.clone();
    view! {
        <nav class="segmented audit-kinds" aria-label="Show">{tabs}</nav>
        <AuditFilters v=v.clone() chosen=chosen/>
        <p class="muted small audit-count">{count}</p>
        {if v.entries.is_empty() {
            view! { <p class="empty">"No entries match these filters."</p> }.into_any()
        } else {
            view! {
                <AuditTable entries=v.entries signins=kind == "signins"/>
                {older.map(|href| view! { <p><a href=href>"Older entries →"</a></p> })}
            }.into_any()
        }}
    }
}

#[component]
fn AuditFilters(v: AuditView, chosen: Chosen) -> impl IntoView {
    let families: Vec<String> = {
        let mut f: Vec<String> = v.actions.iter().filter_map(|a| a.split('.').next().map(str::to_string)).collect();
        f.dedup();
        f
    };
    let Chosen { phase, actor, action, .. } = chosen;
    // Sign-ins belong to no phase.
    let phases = (v.kind != "signins").then(|| {
        view! {
            <label>"Phase"
                <select name="phase">
                    <option value="">"All phases"</option>
                    {v.phases.iter().map(|(k, label)| view! { <option value=k.clone() selected=*k == phase>{label.clone()}</option> }).collect_view()}
                </select>
            </label>
        }
    });
    view! {
        <Form method="GET" action="/audit" attr:class="filters" attr:aria-label="Filter the audit log">
            <input type="hidden" name="kind" value=v.kind.clone()/>
            {phases}
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
    }
}

/// The entries; sign-ins change nothing and belong to no phase, so they have no "Where"
/// and no "Change".
#[component]
fn AuditTable(entries: Vec<AuditLine>, signins: bool) -> impl IntoView {
    let changes = !signins;
    view! {
        <div class="table-wrap audit-wrap"><table class="table audit">
            <thead><tr>
                <th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"Action"</th><th scope="col">"What"</th>
                {changes.then(|| view! { <th scope="col">"Where"</th><th scope="col">"Change"</th> })}
            </tr></thead>
            <tbody>
                {entries.into_iter().map(|e| view! {
                    <tr>
                        <td class="nowrap">{e.at}</td>
                        <td>{e.actor}</td>
                        <td><code>{e.action}</code></td>
                        <td class="audit-what">
                            <span class="muted small">{e.entity}</span>" "
                            {match (e.subject, e.href) {
                                (Some(s), Some(h)) => view! { <a href=h>{s}</a> }.into_any(),
                                (Some(s), None) => view! { <span>{s}</span> }.into_any(),
                                _ => ().into_any(),
                            }}
                        </td>
                        {changes.then(|| view! {
                            <td class="audit-where">{e.place.map(|(href, label)| view! { <a href=href>{label}</a> })}</td>
                            <td class="audit-change">{(e.before.is_some() || e.after.is_some()).then(|| view! {
                                <details>
                                    <summary>"details"</summary>
                                    {e.before.map(|b| view! { <p class="small"><strong>"Before: "</strong><code class="json">{b}</code></p> })}
                                    {e.after.map(|a| view! { <p class="small"><strong>"After: "</strong><code class="json">{a}</code></p> })}
                                </details>
                            })}</td>
                        })}
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
    }
}
