//! `/blockers` and `/p/{project}/{phase}/blockers`: what holds releases back, with filters,
//! and the forms to add, assign, waive, reopen and resolve blockers.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::{use_params_map, use_query_map};
use readyboard_domain::blockers::{BlockerSource, BlockerStatus};

use crate::components::widgets::{ErrorBox, Loading};
use crate::form_outcome::{failed, kept, outcome_for, outcome_of};
use crate::settled::Settled;
use crate::types::{BlockerEntry, BlockerForm, BlockerQuery, BlockersView};

/// Blockers of one phase (when `project` and `phase` are given) or of every phase, there
/// narrowed to `in_project` and `in_phase` (`project/phase`) when given.
#[server]
pub async fn get_blockers(#[server(flatten)] query: BlockerQuery) -> Result<BlockersView, ServerFnError> {
    use crate::ssr::store_error;
    use readyboard_domain::role::Role;
    let BlockerQuery { project, phase, in_project, in_phase, severity, owner, status } = query;
    let me = crate::ssr::require(Role::Viewer).await?;
    let store = crate::ssr::store()?;
    let nonempty = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let mut filter = readyboard_store::BlockerFilter {
        severity: nonempty(severity),
        // "(nobody)" in the menu asks for unassigned blockers.
        owner: owner
            .filter(|o| !o.trim().is_empty())
            .map(|o| if o == "-" { String::new() } else { o.trim().to_string() }),
        status: nonempty(status),
        ..Default::default()
    };
    let (mut projects, mut phases) = (Vec::new(), Vec::new());
    let scope = match (nonempty(project), nonempty(phase)) {
        (Some(p), Some(ph)) => {
            let p = store.project(&p).await.map_err(store_error)?;
            let ph = store.phase(p.id, &ph).await.map_err(store_error)?;
            filter.phase_id = Some(ph.id);
            Some((p.slug, p.name, ph.slug, ph.name))
        }
        _ => {
            (projects, phases) = narrow(&store, &mut filter, nonempty(in_project), nonempty(in_phase)).await?;
            None
        }
    };
    let now = crate::ssr::now_ms();
    let today = crate::ssr::date(now);
    let rows = store.list_blockers(&filter, 500).await.map_err(store_error)?;
    let mut open_by_severity = [0i64; 4];
    for b in rows.iter().filter(|b| b.row.status == BlockerStatus::Open) {
        if let Some(i) = readyboard_store::BLOCKER_SEVERITIES.iter().position(|s| *s == b.row.severity.as_str()) {
            open_by_severity[i] += 1;
        }
    }
    let can_edit = me.role().allows(Role::Editor);
    Ok(BlockersView {
        scope,
        items: rows.into_iter().map(|b| entry(b, now, &today)).collect(),
        open_by_severity,
        owners: store.blocker_owners().await.map_err(store_error)?,
        users: if can_edit { crate::ssr::owner_choices(&store).await? } else { Vec::new() },
        projects,
        phases,
        can_edit,
        can_approve: me.role().allows(Role::Approver),
    })
}

/// Narrows `filter` to the project and phase chosen on the page of every phase, and returns
/// the menus to choose them from. Once a project is chosen, the phase menu lists its phases
/// only, and a phase of another project is not applied.
#[cfg(feature = "ssr")]
async fn narrow(
    store: &readyboard_store::Store,
    filter: &mut readyboard_store::BlockerFilter,
    project: Option<String>,
    phase: Option<String>,
) -> Result<(Vec<(String, String)>, Vec<(String, String)>), ServerFnError> {
    use readyboard_store::StoreError;
    let (projects, mut phases) = crate::ssr::places(store).await?;
    let missing = || crate::ssr::store_error(StoreError::NotFound);
    if phase.as_ref().is_some_and(|ph| !phases.iter().any(|x| x.key == *ph)) {
        return Err(missing());
    }
    if let Some(p) = &project {
        let chosen = projects.iter().find(|x| x.key == *p);
        filter.project_id = Some(chosen.ok_or_else(missing)?.id);
        phases.retain(|ph| ph.key.split_once('/').is_some_and(|(pp, _)| pp == p));
    }
    if let Some(ph) = &phase {
        filter.phase_id = phases.iter().find(|x| x.key == *ph).map(|x| x.id);
    }
    let pairs = |v: Vec<crate::ssr::Place>| v.into_iter().map(|p| (p.key, p.label)).collect();
    Ok((pairs(projects), pairs(phases)))
}

/// One stored blocker as the page lists it.
#[cfg(feature = "ssr")]
fn entry(b: readyboard_store::BlockerItem, now: i64, today: &str) -> BlockerEntry {
    BlockerEntry {
        id: b.row.id,
        place: format!("{} · {}", b.project_name, b.phase_name),
        project: b.project,
        phase: b.phase,
        suite: b.row.suite,
        source: b.row.source,
        severity: b.row.severity,
        title: b.row.title,
        details: b.details,
        overdue: b.row.status == BlockerStatus::Open && b.row.due_date.as_deref().is_some_and(|d| d < today),
        status: b.row.status,
        owner: b.row.owner,
        due_date: b.row.due_date,
        first_seen: crate::format::ago(now, b.row.first_seen_at),
        last_seen: crate::format::ago(now, b.row.last_seen_at),
        occurrences: b.row.occurrences,
        first_report_id: b.first_report_id,
        last_report_id: b.row.last_report_id,
        resolved_report_id: b.row.resolved_report_id,
        resolved: b.resolved_at.map(|t| crate::format::ago(now, t)),
        waived_by: b.waived_by,
        waive_reason: b.waive_reason,
    }
}

/// Adds a blocker by hand (editors).
#[server]
pub async fn add_blocker(#[server(flatten)] form: BlockerForm) -> Result<String, ServerFnError> {
    use readyboard_domain::role::Role;
    let BlockerForm { project, phase, severity, title, details, owner, due_date } = form;
    let u = crate::ssr::require(Role::Editor).await?;
    let store = crate::ssr::store()?;
    let p = store.project(&project).await.map_err(crate::ssr::store_error)?;
    let ph = store.phase(p.id, &phase).await.map_err(crate::ssr::store_error)?;
    let b = readyboard_store::NewBlocker { severity, title, details, owner: Some(owner), due_date: Some(due_date) };
    let item = store.add_blocker(&crate::ssr::actor(&u), ph.id, &b).await.map_err(crate::ssr::store_error)?;
    Ok(format!("Blocker #{} added.", item.row.id))
}

/// Sets a blocker's owner and due date (editors).
#[server]
pub async fn assign_blocker(id: i64, owner: String, due_date: String) -> Result<String, ServerFnError> {
    use readyboard_domain::role::Role;
    let u = crate::ssr::require(Role::Editor).await?;
    let store = crate::ssr::store()?;
    let a = readyboard_store::BlockerAssignment { owner: Some(owner), due_date: Some(due_date) };
    store.assign_blocker(&crate::ssr::actor(&u), id, &a).await.map_err(crate::ssr::store_error)?;
    Ok(format!("Blocker #{id} updated."))
}

/// Waives an open blocker with a rationale (approvers).
#[server]
pub async fn waive_blocker(id: i64, rationale: String) -> Result<String, ServerFnError> {
    use readyboard_domain::role::Role;
    let u = crate::ssr::require(Role::Approver).await?;
    let store = crate::ssr::store()?;
    store.waive_blocker(&crate::ssr::actor(&u), id, &rationale).await.map_err(crate::ssr::store_error)?;
    Ok(format!("Blocker #{id} waived."))
}

/// Reopens a waived or resolved blocker (approvers).
#[server]
pub async fn reopen_blocker(id: i64) -> Result<String, ServerFnError> {
    use readyboard_domain::role::Role;
    let u = crate::ssr::require(Role::Approver).await?;
    let store = crate::ssr::store()?;
    store.reopen_blocker(&crate::ssr::actor(&u), id).await.map_err(crate::ssr::store_error)?;
    Ok(format!("Blocker #{id} reopened."))
}

/// Resolves a blocker written by hand (editors).
#[server]
pub async fn resolve_blocker(id: i64) -> Result<String, ServerFnError> {
    use readyboard_domain::role::Role;
    let u = crate::ssr::require(Role::Editor).await?;
    let store = crate::ssr::store()?;
    store.resolve_blocker(&crate::ssr::actor(&u), id).await.map_err(crate::ssr::store_error)?;
    Ok(format!("Blocker #{id} resolved."))
}

/// The actions of the page, shared by every row.
#[derive(Clone, Copy)]
struct Actions {
    add: ServerAction<AddBlocker>,
    assign: ServerAction<AssignBlocker>,
    waive: ServerAction<WaiveBlocker>,
    reopen: ServerAction<ReopenBlocker>,
    resolve: ServerAction<ResolveBlocker>,
    /// What came of the form this page answers, if any.
    note: StoredValue<Option<Result<String, String>>>,
}

impl Actions {
    fn new() -> Actions {
        Actions {
            add: ServerAction::new(),
            assign: ServerAction::new(),
            waive: ServerAction::new(),
            reopen: ServerAction::new(),
            resolve: ServerAction::new(),
            note: StoredValue::new(Self::sent()),
        }
    }

    /// What came of a form of this page, if this page answers one.
    fn sent() -> Option<Result<String, String>> {
        use leptos::server_fn::ServerFn;
        [AddBlocker::PATH, AssignBlocker::PATH, WaiveBlocker::PATH, ReopenBlocker::PATH, ResolveBlocker::PATH]
            .iter()
            .find_map(|path| outcome_of(path, None))
            .map(|o| if o.failed { Err(o.message) } else { Ok(o.message) })
    }
}

/// Every blocker of every phase.
#[component]
pub fn AllBlockersPage() -> impl IntoView {
    view! { <BlockersPage scoped=false/> }
}

/// Blockers of one phase.
#[component]
pub fn PhaseBlockersPage() -> impl IntoView {
    view! { <BlockersPage scoped=true/> }
}

#[component]
fn BlockersPage(scoped: bool) -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let actions = Actions::new();
    let key = move || {
        let (p, q) = (params.read(), query.read());
        let get = |k: &str| q.get(k).filter(|v| !v.is_empty());
        (
            if scoped { (p.get("project"), p.get("phase")) } else { (None, None) },
            if scoped { (None, None) } else { (get("project"), get("phase")) },
            get("severity"),
            get("owner"),
            // Open blockers unless the filter asks otherwise ("all" shows every status).
            Some(q.get("status").unwrap_or_else(|| "open".into())).filter(|s| s != "all"),
        )
    };
    let live = crate::live::follow({
        let (shown, (in_project, in_phase), ..) = key();
        let (project, phase) = if scoped { shown } else { (in_project, in_phase) };
        // The filter names a phase as `project/phase` or within the project it names.
        match phase.as_deref().and_then(|ph| ph.split_once('/')) {
            Some((p, ph)) => crate::live::Scope { project: Some(p.to_string()), phase: Some(ph.to_string()) },
            None => crate::live::Scope { phase: project.as_ref().and(phase), project },
        }
    });
    let data = Resource::new(key, |((project, phase), (in_project, in_phase), severity, owner, status)| {
        get_blockers(BlockerQuery { project, phase, in_project, in_phase, severity, owner, status })
    });
    view! {
        {live}
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <Title text="Blockers"/><ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(v) => Settled::new(move || view! { <BlockersBody v=v actions=actions/> }).into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn BlockersBody(v: BlockersView, actions: Actions) -> impl IntoView {
    let BlockersView { scope, items, open_by_severity, owners, users, projects, phases, can_edit, can_approve } = v;
    let global = scope.is_none();
    let action_path = match &scope {
        Some((p, _, ph, _)) => format!("/p/{p}/{ph}/blockers"),
        None => "/blockers".to_string(),
    };
    let add_form = can_edit.then(|| scope.clone()).flatten().map(|(p, _, ph, _)| {
        view! { <AddBlockerForm project=p phase=ph users=users.clone() action=actions.add/> }
    });
    let count = items.len();
    let list = if items.is_empty() {
        view! { <p class="empty">"No blockers match this filter."</p> }.into_any()
    } else {
        view! {
            <ul class="blockers blocker-list">
                // Keyed, so that a row's open "Manage" panel never carries over to another blocker.
                <For
                    each=move || items.clone()
                    key=|b| (b.id, b.status, b.owner.clone(), b.due_date.clone())
                    children=move |b| view! { <BlockerRow b=b users=users.clone() actions=actions can_edit can_approve global/> }
                />
            </ul>
        }
        .into_any()
    };
    view! {
        <BlockersHead scope=scope open_by_severity=open_by_severity/>
        <Filters action_path=action_path owners=owners places=global.then_some((projects, phases))/>
        {actions.note.get_value().map(|m| match m {
            Ok(msg) => view! { <p class="alert alert-ok" role="status">{msg}</p> }.into_any(),
            Err(e) => view! { <ErrorBox message=e/> }.into_any(),
        })}
        {add_form}
        <section class="section">
            <h2 class="sr-only">{format!("{count} blockers")}</h2>
            {list}
        </section>
    }
}

use readyboard_domain::blockers::BLOCKER_SEVERITIES as SEVERITIES;

/// Title, breadcrumbs and heading of a phase's blockers or of every phase's, with the open
/// blockers counted by severity. `scope` is (project, project name, phase, phase name).
#[component]
fn BlockersHead(scope: Option<(String, String, String, String)>, open_by_severity: [i64; 4]) -> impl IntoView {
    let (title, heading, crumbs) = match scope {
        Some((p, pn, ph, phn)) => (
            format!("Blockers · {phn}"),
            format!("Blockers of {pn} · {phn}"),
            view! {
                <nav class="crumbs" aria-label="Breadcrumb">
                    <a href="/">"Projects"</a><span>"/"</span>
                    <a href=format!("/p/{p}")>{pn}</a><span>"/"</span>
                    <a href=format!("/p/{p}/{ph}")>{phn}</a><span>"/"</span>
                    <span>"Blockers"</span>
                </nav>
            }
            .into_any(),
        ),
        None => (
            "Blockers".to_string(),
            "Blockers across all phases".to_string(),
            view! { <nav class="crumbs" aria-label="Breadcrumb"><a href="/">"Projects"</a><span>"/"</span><span>"Blockers"</span></nav> }
                .into_any(),
        ),
    };
    let summary = SEVERITIES
        .iter()
        .zip(open_by_severity)
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| view! { <span class=format!("sev sev-{s}")>{format!("{n} {s}")}</span> })
        .collect_view();
    view! {
        <Title text=title/>
        {crumbs}
        <header class="page-head">
            <h1>{heading}</h1>
            <p class="muted">{summary}</p>
        </header>
    }
}

/// What a `<select>` offers: (value, label) pairs.
type Choices = Vec<(String, String)>;

/// `<option>`s from (value, label) pairs, `chosen` selected.
fn options(options: Choices, chosen: String) -> impl IntoView {
    options
        .into_iter()
        .map(|(value, label)| {
            let selected = value == chosen;
            view! { <option value=value selected=selected>{label}</option> }
        })
        .collect_view()
}

/// The filter form, as the address says. `places` (projects, phases as (value, label)) is
/// offered only on the page of every phase: a phase's own page is one place already.
#[component]
fn Filters(action_path: String, owners: Vec<String>, places: Option<(Choices, Choices)>) -> impl IntoView {
    let query = use_query_map();
    let current = move |k: &str| query.read_untracked().get(k).unwrap_or_default();
    let status_now = Some(current("status")).filter(|s| !s.is_empty()).unwrap_or_else(|| "open".to_string());
    let pairs = |items: &[(&str, &str)]| items.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>();
    let sev_options: Vec<(String, String)> = std::iter::once((String::new(), "any severity".to_string()))
        .chain(SEVERITIES.iter().map(|s| (s.to_string(), s.to_string())))
        .collect();
    let status_options =
        pairs(&[("open", "open"), ("waived", "waived"), ("resolved", "resolved"), ("all", "any status")]);
    let owner_options: Vec<(String, String)> = pairs(&[("", "anyone"), ("-", "nobody")])
        .into_iter()
        .chain(owners.into_iter().map(|o| (o.clone(), o)))
        .collect();
    let places = places.map(|(projects, phases)| {
        let all = |what: &str| (String::new(), format!("all {what}"));
        let projects: Vec<_> = std::iter::once(all("projects")).chain(projects).collect();
        let phases: Vec<_> = std::iter::once(all("phases")).chain(phases).collect();
        view! {
            <label>"Project"<select name="project">{options(projects, current("project"))}</select></label>
            <label>"Phase"<select name="phase">{options(phases, current("phase"))}</select></label>
        }
    });
    view! {
        <Form method="GET" action=action_path attr:class="form form-row filters" attr:aria-label="Filter blockers">
            {places}
            <label>"Severity"<select name="severity">{options(sev_options, current("severity"))}</select></label>
            <label>"Owner"<select name="owner">{options(owner_options, current("owner"))}</select></label>
            <label>"Status"<select name="status">{options(status_options, status_now)}</select></label>
            <button type="submit" class="btn">"Filter"</button>
        </Form>
    }
}

/// The form adding a blocker by hand; it comes back folded and empty after a blocker is
/// added, open with what was typed when refused.
#[component]
fn AddBlockerForm(
    project: String,
    phase: String,
    users: Vec<String>,
    action: ServerAction<AddBlocker>,
) -> impl IntoView {
    let sent = outcome_for::<AddBlocker>(None);
    let severity = kept(&sent, "severity").unwrap_or_else(|| "high".into());
    let open = failed(&sent);
    let (title, details, owner, due) =
        (kept(&sent, "title"), kept(&sent, "details"), kept(&sent, "owner"), kept(&sent, "due_date"));
    let severity_option =
        move |value: &'static str| view! { <option value=value selected=severity == value>{value}</option> };
    view! {
        <details class="section card add-blocker" open=open>
            <summary>"Add a blocker"</summary>
            <ActionForm action=action attr:class="form form-grid">
                <input type="hidden" name="project" value=project/>
                <input type="hidden" name="phase" value=phase/>
                <label>"Severity"
                    <select name="severity" required>
                        {SEVERITIES.map(severity_option)}
                    </select>
                </label>
                <label class="wide">"Title"<input name="title" required maxlength="200" placeholder="What blocks the release?" value=title/></label>
                <label class="wide">"Details"<textarea name="details" rows="3" maxlength="10000">{details}</textarea></label>
                <label>"Owner"<OwnerSelect users=users current=owner.unwrap_or_default()/></label>
                <label>"Due date"<input name="due_date" type="date" value=due/></label>
                <button type="submit" class="btn btn-primary">"Add blocker"</button>
            </ActionForm>
        </details>
    }
}

#[component]
fn BlockerRow(
    b: BlockerEntry,
    users: Vec<String>,
    actions: Actions,
    can_edit: bool,
    can_approve: bool,
    global: bool,
) -> impl IntoView {
    let id = b.id;
    let report_link = |label: &'static str, id: Option<i64>| {
        id.map(|id| view! { <a class="small" href=format!("/reports/{id}")>{format!("{label} #{id}")}</a> })
    };
    let origin = match &b.suite {
        Some(s) => format!("{} in {s}", if b.source == BlockerSource::Finding { "finding" } else { "failing check" }),
        None => "added by hand".to_string(),
    };
    let seen = if b.source == BlockerSource::Manual {
        format!("added {}", b.first_seen)
    } else {
        format!(
            "first seen {} · last seen {} · in {} report{}",
            b.first_seen,
            b.last_seen,
            b.occurrences,
            if b.occurrences == 1 { "" } else { "s" }
        )
    };
    let manage = (can_edit || can_approve).then(|| {
        let may = Permissions { edit: can_edit, approve: can_approve };
        view! { <Manage b=b.clone() users=users actions=actions may=may/> }
    });
    view! {
        <li class=format!("blocker sev-{} status-{}", b.severity, b.status) id=format!("blocker-{id}")>
            <div class="blocker-head">
                <span class=format!("sev sev-{}", b.severity)>{b.severity.as_str()}</span>
                <span class="blocker-title">{b.title.clone()}</span>
                <span class=format!("chip chip-{}", b.status)>{b.status.as_str()}</span>
            </div>
            <div class="blocker-meta muted small">
                {global.then(|| view! { <a href=format!("/p/{}/{}", b.project, b.phase)>{b.place.clone()}</a>" · " })}
                <span>{origin}</span>" · "<span>{seen}</span>
                " · "<span class=if b.owner.is_some() { "" } else { "unassigned" }>{format!("owner: {}", b.owner.clone().unwrap_or_else(|| "nobody".into()))}</span>
                {b.due_date.clone().map(|d| view! { " · "<span class=if b.overdue { "fail-text" } else { "" }>{format!("due {d}{}", if b.overdue { " (overdue)" } else { "" })}</span> })}
            </div>
            {(!b.details.is_empty()).then(|| view! { <p class="blocker-details">{b.details.clone()}</p> })}
            {b.waive_reason.clone().map(|r| view! {
                <p class="blocker-waiver small">{format!("Waived by {}: ", b.waived_by.clone().unwrap_or_else(|| "someone".into()))}<q>{r}</q></p>
            })}
            <div class="blocker-links">
                {report_link("first", b.first_report_id.filter(|f| Some(*f) != b.last_report_id))}
                {report_link("latest", b.last_report_id)}
                {report_link("resolved by", b.resolved_report_id)}
                {b.resolved.clone().map(|r| view! { <span class="muted small">{format!("resolved {r}")}</span> })}
            </div>
            {manage}
        </li>
    }
    .into_any()
}

/// What the viewer may do to a blocker.
#[derive(Clone, Copy)]
struct Permissions {
    edit: bool,
    approve: bool,
}

/// A blocker's "Manage" panel: assign (editors), waive or reopen (approvers), mark a manual
/// blocker resolved (editors). It comes back open with what was typed when a form was
/// refused.
#[component]
fn Manage(b: BlockerEntry, users: Vec<String>, actions: Actions, may: Permissions) -> impl IntoView {
    let id = b.id;
    let this = id.to_string();
    let assign_sent = outcome_for::<AssignBlocker>(Some(("id", &this)));
    let waive_sent = outcome_for::<WaiveBlocker>(Some(("id", &this)));
    let open = failed(&assign_sent) || failed(&waive_sent);
    let rationale = kept(&waive_sent, "rationale");
    let owner_now = kept(&assign_sent, "owner").unwrap_or(b.owner.unwrap_or_default());
    let due_now = kept(&assign_sent, "due_date").unwrap_or(b.due_date.unwrap_or_default());
    let (is_open, manual) = (b.status == BlockerStatus::Open, b.source == BlockerSource::Manual);
    let assign = may.edit.then(|| {
        view! {
            <ActionForm action=actions.assign attr:class="form form-row">
                <input type="hidden" name="id" value=id/>
                <label>"Owner"<OwnerSelect users=users current=owner_now/></label>
                <label>"Due"<input name="due_date" type="date" value=due_now/></label>
                <button type="submit" class="btn">"Save"</button>
            </ActionForm>
        }
    });
    let waive = (may.approve && is_open).then(|| {
        view! {
            <ActionForm action=actions.waive attr:class="form form-row">
                <input type="hidden" name="id" value=id/>
                <label class="wide">"Rationale"<input name="rationale" required minlength="10" maxlength="2000" placeholder="Why shipping with this is acceptable" value=rationale/></label>
                <button type="submit" class="btn btn-warn">"Waive"</button>
            </ActionForm>
        }
    });
    let reopen = (may.approve && !is_open).then(|| {
        view! {
            <ActionForm action=actions.reopen attr:class="form inline">
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="btn">"Reopen"</button>
            </ActionForm>
        }
    });
    let resolve = (may.edit && is_open && manual).then(|| {
        view! {
            <ActionForm action=actions.resolve attr:class="form inline">
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="btn">"Mark resolved"</button>
            </ActionForm>
        }
    });
    view! {
        <details class="manage" open=open>
            <summary>"Manage"</summary>
            {assign}{waive}{reopen}{resolve}
        </details>
    }
}

/// The users a blocker may be given to, "nobody" first. An owner written by hand before
/// owners were chosen from the users stays offered while it is the blocker's owner.
#[component]
fn OwnerSelect(users: Vec<String>, current: String) -> impl IntoView {
    let legacy = (!current.is_empty() && !users.contains(&current)).then(|| current.clone());
    view! {
        <select name="owner">
            <option value="" selected=current.is_empty()>"nobody"</option>
            {users.into_iter().map(|u| {
                let selected = u == current;
                view! { <option value=u.clone() selected=selected>{u.clone()}</option> }
            }).collect_view()}
            {legacy.map(|o| view! { <option value=o.clone() selected=true>{format!("{o} (not a user)")}</option> })}
        </select>
    }
}
