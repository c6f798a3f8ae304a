//! `/p/{project}/{phase}/checklist`: the readiness checklist — items with owners, due dates
//! and evidence links, ordering, sign-off, templates. Every form is a plain form that comes
//! back to the page with what came of it beside the item it is about.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use readyboard_domain::checklist::{ItemStatus, SignoffVerdict};

use crate::components::widgets::{ErrorBox, Loading};
use crate::form_outcome::{FormOutcome, failed, kept, outcome_for, outcome_of};
use crate::settled::Settled;
use crate::types::{ChecklistItemView, ChecklistView, ItemFields, SignoffView};

/// Most check and metric names offered to link an item to (the field takes any name).
#[cfg(feature = "ssr")]
const EVIDENCE_NAMES: i64 = 1000;

/// The checklist of a phase with everything the editor needs.
#[server]
pub async fn get_checklist(project: String, phase: String) -> Result<ChecklistView, ServerFnError> {
    use readyboard_domain::role::Role;
    let me = crate::ssr::require(Role::Viewer).await?;
    let store = crate::ssr::store()?;
    let p = store.project(&project).await.map_err(crate::ssr::store_error)?;
    let ph = store.phase(p.id, &phase).await.map_err(crate::ssr::store_error)?;
    let sources = convert::Sources {
        entries: store.checklist(&ph).await.map_err(crate::ssr::store_error)?,
        templates: store.checklist_templates().await.map_err(crate::ssr::store_error)?,
        phases: store.phases(p.id).await.map_err(crate::ssr::store_error)?,
        suites: store.suites(ph.id).await.map_err(crate::ssr::store_error)?,
        users: crate::ssr::owner_choices(&store).await?,
    };
    let mut view = convert::view(&p, &ph, sources, me.role());
    // Only the editing forms offer the names: a reader's page does not look them up.
    if view.can_edit {
        let (names, total) = store.evidence_names(ph.id, EVIDENCE_NAMES).await.map_err(crate::ssr::store_error)?;
        view.evidence_names = names.into_iter().map(|n| (n.suite, n.name, n.kind)).collect();
        view.evidence_total = total;
    }
    Ok(view)
}

#[cfg(feature = "ssr")]
mod convert {
    use readyboard_domain::role::Role;
    use readyboard_store::{ChecklistEntry, PhaseRow, ProjectRow, SuiteRow, TemplateInfo};

    use crate::types::{ChecklistItemView, ChecklistView, SignoffView};

    /// What a checklist page is made from, as the store reads it.
    pub struct Sources {
        /// The items with their sign-offs and evidence.
        pub entries: Vec<ChecklistEntry>,
        /// The saved templates.
        pub templates: Vec<TemplateInfo>,
        /// The project's phases (to copy a checklist from).
        pub phases: Vec<PhaseRow>,
        /// The phase's suites (evidence links).
        pub suites: Vec<SuiteRow>,
        /// The people an item may be owned by.
        pub users: Vec<String>,
    }

    /// The page's view of the checklist of `ph` for a reader of `role`.
    pub fn view(p: &ProjectRow, ph: &PhaseRow, sources: Sources, role: Role) -> ChecklistView {
        let Sources { entries, templates, phases, suites, users } = sources;
        let items: Vec<ChecklistItemView> = entries
            .into_iter()
            .map(|e| ChecklistItemView {
                id: e.item.id,
                title: e.item.title,
                description: e.item.description,
                category: e.item.category.unwrap_or_default(),
                owner: e.item.owner.unwrap_or_default(),
                required: e.item.required,
                status: e.item.status,
                due_date: e.item.due_date.unwrap_or_default(),
                evidence_suite: e.item.evidence_suite.unwrap_or_default(),
                evidence_check: e.item.evidence_check.unwrap_or_default(),
                evidence_state: e.evidence_state.map(|s| s.as_str().to_string()),
                evidence_report_id: e.evidence_report_id,
                version: e.item.version,
                signed: e.signed,
                signoffs: e
                    .signoffs
                    .into_iter()
                    .map(|s| SignoffView {
                        username: s.username,
                        verdict: s.verdict,
                        comment: s.comment,
                        at: crate::ssr::datetime(s.created_at),
                        lapsed: s.needs_resign,
                        despite: s.despite,
                    })
                    .collect(),
            })
            .collect();
        let required = items.iter().filter(|i| i.required).count();
        let done = items.iter().filter(|i| i.required && i.status.settles() && i.signed).count();
        ChecklistView {
            project: p.slug.clone(),
            project_name: p.name.clone(),
            phase: ph.slug.clone(),
            phase_name: ph.name.clone(),
            required,
            required_done_and_signed: done,
            items,
            templates: templates.into_iter().map(|t| (t.name, t.items)).collect(),
            other_phases: phases.into_iter().filter(|x| x.id != ph.id).map(|x| (x.slug, x.name)).collect(),
            suites: suites.into_iter().map(|s| s.name).collect(),
            evidence_names: Vec::new(),
            evidence_total: 0,
            users,
            can_edit: role.allows(Role::Editor),
            can_sign: role.allows(Role::Approver),
            can_admin: role.allows(Role::Admin),
        }
    }
}

#[cfg(feature = "ssr")]
async fn phase_of(project: &str, phase: &str) -> Result<readyboard_store::PhaseRow, ServerFnError> {
    let store = crate::ssr::store()?;
    let p = store.project(project).await.map_err(crate::ssr::store_error)?;
    store.phase(p.id, phase).await.map_err(crate::ssr::store_error)
}

#[cfg(feature = "ssr")]
fn input(item: ItemFields) -> readyboard_store::ItemInput {
    let some = |s: String| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    readyboard_store::ItemInput {
        title: item.title,
        description: item.description,
        category: some(item.category),
        owner: some(item.owner),
        required: item.required.is_some(),
        status: item.status,
        due_date: some(item.due_date),
        evidence_suite: some(item.evidence_suite),
        evidence_check: some(item.evidence_check),
    }
}

/// Adds an item at the end (editors).
#[server]
pub async fn add_item(
    project: String,
    phase: String,
    #[server(flatten)] item: ItemFields,
) -> Result<String, ServerFnError> {
    use readyboard_domain::role::Role;
    let u = crate::ssr::require(Role::Editor).await?;
    let ph = phase_of(&project, &phase).await?;
    let item = crate::ssr::store()?
        .add_checklist_item(&crate::ssr::actor(&u), &ph, &input(item))
        .await
        .map_err(crate::ssr::store_error)?;
    Ok(format!("Added “{}”.", item.title))
}

/// Saves an item edited from `version` (editors); a newer version is reported, not overwritten.
#[server]
pub async fn update_item(id: i64, version: i64, #[server(flatten)] item: ItemFields) -> Result<String, ServerFnError> {
    use readyboard_domain::role::Role;
    let u = crate::ssr::require(Role::Editor).await?;
    let item = crate::ssr::store()?
        .update_checklist_item(&crate::ssr::actor(&u), id, version, &input(item))
        .await
        .map_err(crate::ssr::store_error)?;
    Ok(format!("Saved “{}”; earlier sign-offs need re-signing.", item.title))
}

/// Moves an item one place `up` or `down` (editors).
#[server]
pub async fn move_item(id: i64, direction: String) -> Result<String, ServerFnError> {
    use readyboard_domain::role::Role;
    let u = crate::ssr::require(Role::Editor).await?;
    let item = crate::ssr::store()?
        .move_checklist_item(&crate::ssr::actor(&u), id, direction == "up")
        .await
        .map_err(crate::ssr::store_error)?;
    Ok(format!("Moved “{}” {direction}.", item.title))
}

/// Deletes an item after explicit confirmation (editors).
#[server]
pub async fn delete_item(id: i64, version: i64, confirm: Option<String>) -> Result<String, ServerFnError> {
    use readyboard_domain::role::Role;
    let u = crate::ssr::require(Role::Editor).await?;
    if confirm.as_deref() != Some("yes") {
        return Err(crate::ssr::store_error(readyboard_store::StoreError::Invalid(
            "tick “Yes, delete this item” to confirm".into(),
        )));
    }
    let item = crate::ssr::store()?
        .delete_checklist_item(&crate::ssr::actor(&u), id, version)
        .await
        .map_err(crate::ssr::store_error)?;
    Ok(format!("Deleted “{}”.", item.title))
}

/// Approves or rejects an item with a comment (approvers).
#[server]
pub async fn sign_item(id: i64, verdict: String, comment: String) -> Result<String, ServerFnError> {
    use readyboard_domain::role::Role;
    use readyboard_store::StoreError;
    let u = crate::ssr::require(Role::Approver).await?;
    let verdict = SignoffVerdict::read(&verdict).map_err(|e| crate::ssr::store_error(StoreError::Invalid(e)))?;
    crate::ssr::store()?
        .sign_checklist_item(&crate::ssr::actor(&u), id, verdict, &comment)
        .await
        .map_err(crate::ssr::store_error)?;
    Ok(format!("{}.", verdict.label()))
}

/// Fills the checklist from a template (editors).
#[server]
pub async fn apply_template(project: String, phase: String, template: String) -> Result<String, ServerFnError> {
    use readyboard_domain::role::Role;
    let u = crate::ssr::require(Role::Editor).await?;
    let ph = phase_of(&project, &phase).await?;
    let n = crate::ssr::store()?
        .apply_checklist_template(&crate::ssr::actor(&u), &ph, &template)
        .await
        .map_err(crate::ssr::store_error)?;
    Ok(format!("Added {n} item{} from “{template}”.", if n == 1 { "" } else { "s" }))
}

/// Copies another phase's items (editors).
#[server]
pub async fn copy_checklist(project: String, phase: String, from: String) -> Result<String, ServerFnError> {
    use readyboard_domain::role::Role;
    let u = crate::ssr::require(Role::Editor).await?;
    let to = phase_of(&project, &phase).await?;
    let from = phase_of(&project, &from).await?;
    let n = crate::ssr::store()?
        .copy_checklist(&crate::ssr::actor(&u), &from, &to)
        .await
        .map_err(crate::ssr::store_error)?;
    Ok(format!("Copied {n} item{} from {}.", if n == 1 { "" } else { "s" }, from.name))
}

/// Saves this checklist as a named template (admins).
#[server]
pub async fn save_template(project: String, phase: String, name: String) -> Result<String, ServerFnError> {
    use readyboard_domain::role::Role;
    let u = crate::ssr::require(Role::Admin).await?;
    let ph = phase_of(&project, &phase).await?;
    let t = crate::ssr::store()?
        .save_checklist_template(&crate::ssr::actor(&u), &ph, &name)
        .await
        .map_err(crate::ssr::store_error)?;
    Ok(format!("Saved template “{}” with {} items.", t.name, t.items))
}

/// Where a confirmation or error is shown: beside the item it is about, beside the add
/// form, or above the checklist tools (templates, copies, deletions).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Place {
    Item(i64),
    Add,
    Tools,
}

/// What came of the page's last action, and where to show it.
#[derive(Clone, Debug, PartialEq)]
struct Note {
    place: Place,
    result: Result<String, String>,
}

/// The actions of the page, shared by every item.
#[derive(Clone, Copy)]
struct Actions {
    add: ServerAction<AddItem>,
    update: ServerAction<UpdateItem>,
    moved: ServerAction<MoveItem>,
    delete: ServerAction<DeleteItem>,
    sign: ServerAction<SignItem>,
    template: ServerAction<ApplyTemplate>,
    copy: ServerAction<CopyChecklist>,
    save: ServerAction<SaveTemplate>,
    /// What came of the form this page answers, if any, and beside what it goes.
    note: StoredValue<Option<Note>>,
}

impl Actions {
    fn new() -> Actions {
        Actions {
            add: ServerAction::new(),
            update: ServerAction::new(),
            moved: ServerAction::new(),
            delete: ServerAction::new(),
            sign: ServerAction::new(),
            template: ServerAction::new(),
            copy: ServerAction::new(),
            save: ServerAction::new(),
            note: StoredValue::new(Self::sent()),
        }
    }

    /// What came of a form of this page, if this page answers one.
    fn sent() -> Option<Note> {
        use leptos::server_fn::ServerFn;
        let per_item = [UpdateItem::PATH, MoveItem::PATH, SignItem::PATH];
        let elsewhere = [
            (AddItem::PATH, Place::Add),
            (DeleteItem::PATH, Place::Tools),
            (ApplyTemplate::PATH, Place::Tools),
            (CopyChecklist::PATH, Place::Tools),
            (SaveTemplate::PATH, Place::Tools),
        ];
        let item = |path: &str| {
            let o = outcome_of(path, None)?;
            let id = o.sent("id").and_then(|id| id.parse().ok())?;
            Some((o, Place::Item(id)))
        };
        per_item
            .iter()
            .find_map(|path| item(path))
            .or_else(|| elsewhere.iter().find_map(|(path, place)| outcome_of(path, None).map(|o| (o, *place))))
            .map(|(o, place)| Note { place, result: if o.failed { Err(o.message) } else { Ok(o.message) } })
    }

    /// The note for `place`, as an alert, when the form that came back is about it.
    fn note_at(&self, place: Place) -> impl IntoView + use<> {
        self.note.get_value().filter(|n| n.place == place).map(|n| match n.result {
            Ok(msg) => view! { <p class="alert alert-ok" role="status">{msg}</p> }.into_any(),
            Err(e) => view! {
                <div class="alert alert-error" role="alert">{e}" "<a href="">"Reload"</a></div>
            }
            .into_any(),
        })
    }
}

/// The checklist page.
#[component]
pub fn ChecklistPage() -> impl IntoView {
    let params = use_params_map();
    let actions = Actions::new();
    let key = move || {
        let p = params.read();
        (p.get("project").unwrap_or_default(), p.get("phase").unwrap_or_default())
    };
    let live = crate::live::follow({
        let (project, phase) = key();
        crate::live::Scope { project: Some(project), phase: Some(phase) }
    });
    let data = Resource::new(key, |(project, phase)| get_checklist(project, phase));
    view! {
        {live}
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <Title text="Checklist"/><ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(v) => Settled::new(move || view! { <Checklist v=v actions=actions/> }).into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Checklist(v: ChecklistView, actions: Actions) -> impl IntoView {
    let phase_href = format!("/p/{}/{}", v.project, v.phase);
    let progress = if v.required == 0 {
        "No required items yet.".to_string()
    } else {
        format!("{} of {} required items done and signed off.", v.required_done_and_signed, v.required)
    };
    let pct = (v.required_done_and_signed * 100).checked_div(v.required).unwrap_or(0);
    let tools = v.can_edit.then(|| {
        view! {
            <ChecklistTools
                project=v.project.clone()
                phase=v.phase.clone()
                templates=v.templates.clone()
                other_phases=v.other_phases.clone()
                can_admin=v.can_admin
                actions=actions
            />
        }
    });
    let add = v.can_edit.then(|| {
        view! { <AddItemForm project=v.project.clone() phase=v.phase.clone() users=v.users.clone() suites=v.suites.clone() actions=actions/> }
    });
    let evidence_hint = (v.can_edit && v.evidence_total > v.evidence_names.len() as i64).then(|| {
        let hint = format!(
            "The evidence field suggests {} of the {} check and metric names of this phase's latest reports; any other name of the suite is accepted too.",
            v.evidence_names.len(),
            v.evidence_total
        );
        view! { <p class="muted small">{hint}</p> }
    });
    let count = v.items.len();
    let (can_edit, can_sign) = (v.can_edit, v.can_sign);
    let (users, suites) = (v.users.clone(), v.suites.clone());
    view! {
        <Title text=format!("Checklist · {} · {}", v.phase_name, v.project_name)/>
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href="/">"Projects"</a><span>"/"</span>
            <a href=format!("/p/{}", v.project)>{v.project_name.clone()}</a><span>"/"</span>
            <a href=phase_href>{v.phase_name.clone()}</a><span>"/"</span>
            <span>"Checklist"</span>
        </nav>
        <div class="page-head">
            <h1>{format!("Checklist · {}", v.phase_name)}</h1>
            <p class="muted">{progress}</p>
            <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct aria-label="Required items done and signed">
                <span style=format!("width: {pct}%")></span>
            </div>
        </div>
        {actions.note_at(Place::Tools)}
        {v.can_edit.then(|| view! { <EvidenceNames names=v.evidence_names.clone()/> })}
        {evidence_hint}
        {tools}
        {add}
        {if count == 0 {
            view! { <p class="empty">"This checklist is empty. Add items one by one or start from the “Production readiness” template."</p> }.into_any()
        } else {
            view! {
                <ol class="checklist">
                    {v.items.into_iter().enumerate().map(|(i, item)| {
                        let (first, last) = (i == 0, i + 1 == count);
                        view! {
                        <ItemRow item=item first=first last=last can_edit=can_edit can_sign=can_sign
                            users=users.clone() suites=suites.clone() actions=actions/>
                        }
                    }).collect_view()}
                </ol>
            }.into_any()
        }}
    }
}

/// Adding items from a template or another phase, and saving the list as a template (admins).
#[component]
fn ChecklistTools(
    project: String,
    phase: String,
    templates: Vec<(String, usize)>,
    other_phases: Vec<(String, String)>,
    can_admin: bool,
    actions: Actions,
) -> impl IntoView {
    let template_name = kept(&outcome_for::<SaveTemplate>(None), "name");
    // The same hidden fields in each form.
    let [place1, place2, place3] = [(); 3].map(|_| {
        view! {
            <input type="hidden" name="project" value=project.clone()/>
            <input type="hidden" name="phase" value=phase.clone()/>
        }
    });
    view! {
        <div class="checklist-tools">
            <ActionForm action=actions.template attr:class="form form-row">
                {place1}
                <label>"Template"
                    <select name="template">
                        {templates.into_iter().map(|(name, n)| view! { <option value=name.clone()>{format!("{name} ({n} items)")}</option> }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="btn">"Add from template"</button>
            </ActionForm>
            {(!other_phases.is_empty()).then(|| view! {
                <ActionForm action=actions.copy attr:class="form form-row">
                    {place2}
                    <label>"Copy from phase"
                        <select name="from">
                            {other_phases.into_iter().map(|(slug, name)| view! { <option value=slug>{name}</option> }).collect_view()}
                        </select>
                    </label>
                    <button type="submit" class="btn">"Copy items"</button>
                </ActionForm>
            })}
            {can_admin.then(|| view! {
                <ActionForm action=actions.save attr:class="form form-row">
                    {place3}
                    <label>"Save as template"<input name="name" required maxlength="100" placeholder="Template name" value=template_name/></label>
                    <button type="submit" class="btn">"Save template"</button>
                </ActionForm>
            })}
        </div>
    }
}

/// The form adding an item; it comes back folded and empty once the item is added, open as
/// typed when refused.
#[component]
fn AddItemForm(
    project: String,
    phase: String,
    users: Vec<String>,
    suites: Vec<String>,
    actions: Actions,
) -> impl IntoView {
    let blank = ChecklistItemView {
        id: 0,
        title: String::new(),
        description: String::new(),
        category: String::new(),
        owner: String::new(),
        required: true,
        status: ItemStatus::Todo,
        due_date: String::new(),
        evidence_suite: String::new(),
        evidence_check: String::new(),
        evidence_state: None,
        evidence_report_id: None,
        version: 0,
        signed: false,
        signoffs: vec![],
    };
    let sent = outcome_for::<AddItem>(None);
    let (blank, open) = (as_sent(&sent, blank), failed(&sent));
    view! {
        <details class="section card add-item" open=open>
            <summary>"Add an item"</summary>
            <ActionForm action=actions.add attr:class="form form-grid">
                <input type="hidden" name="project" value=project/>
                <input type="hidden" name="phase" value=phase/>
                <ItemFields item=blank users=users suites=suites/>
                <div class="form-actions"><button type="submit" class="btn btn-primary">"Add item"</button></div>
            </ActionForm>
        </details>
        {actions.note_at(Place::Add)}
    }
}

/// `item` with the fields of its form as sent, when that form failed.
fn as_sent(sent: &Option<FormOutcome>, item: ChecklistItemView) -> ChecklistItemView {
    if !failed(sent) {
        return item;
    }
    let field = |name: &str, current: String| kept(sent, name).unwrap_or(current);
    ChecklistItemView {
        title: field("title", item.title.clone()),
        description: field("description", item.description.clone()),
        category: field("category", item.category.clone()),
        owner: field("owner", item.owner.clone()),
        status: kept(sent, "status").and_then(|s| ItemStatus::parse(&s)).unwrap_or(item.status),
        due_date: field("due_date", item.due_date.clone()),
        evidence_suite: field("evidence_suite", item.evidence_suite.clone()),
        evidence_check: field("evidence_check", item.evidence_check.clone()),
        required: kept(sent, "required").is_some(),
        ..item
    }
}

/// Id of the list of check and metric names the evidence fields offer.
const EVIDENCE_LIST: &str = "evidence-names";

/// The check and metric names of the phase's suites, offered (and searched as one types) by
/// every item's evidence field.
#[component]
fn EvidenceNames(names: Vec<(String, String, readyboard_domain::checklist::EvidenceKind)>) -> impl IntoView {
    view! {
        <datalist id=EVIDENCE_LIST>
            {names.into_iter().map(|(suite, name, kind)| {
                let label = format!("{kind} in {suite}");
                view! { <option value=name>{label}</option> }
            }).collect_view()}
        </datalist>
    }
}

/// The editable fields of an item, shared by the add and edit forms.
#[component]
fn ItemFields(item: ChecklistItemView, users: Vec<String>, suites: Vec<String>) -> impl IntoView {
    let id = item.id;
    let f = move |name: &str| format!("item-{id}-{name}");
    let status = item.status;
    let owner = item.owner.clone();
    let suite = item.evidence_suite.clone();
    view! {
        <label for=f("title") class="wide">"Title"<input id=f("title") name="title" required maxlength="200" value=item.title.clone()/></label>
        <label for=f("description") class="wide">"Description"<textarea id=f("description") name="description" rows="2" maxlength="4000">{item.description.clone()}</textarea></label>
        <label for=f("category")>"Category"<input id=f("category") name="category" maxlength="100" value=item.category.clone()/></label>
        <label for=f("owner")>"Owner"
            <select id=f("owner") name="owner">
                <option value="" selected=owner.is_empty()>"(nobody)"</option>
                {users.into_iter().map(|u| { let sel = u == owner; view! { <option value=u.clone() selected=sel>{u.clone()}</option> } }).collect_view()}
            </select>
        </label>
        <label for=f("status")>"Status"
            <select id=f("status") name="status">
                {ItemStatus::ALL.iter().map(|s| view! { <option value=s.as_str() selected=*s == status>{s.label()}</option> }).collect_view()}
            </select>
        </label>
        <label for=f("due")>"Due"<input id=f("due") name="due_date" type="date" value=item.due_date.clone()/></label>
        <label for=f("suite")>"Evidence suite"
            <select id=f("suite") name="evidence_suite">
                <option value="" selected=suite.is_empty()>"(none)"</option>
                {suites.into_iter().map(|s| { let sel = s == suite; view! { <option value=s.clone() selected=sel>{s.clone()}</option> } }).collect_view()}
            </select>
        </label>
        <label for=f("check")>"Check or metric (optional)"<input id=f("check") name="evidence_check" maxlength="300" list=EVIDENCE_LIST value=item.evidence_check.clone() placeholder="whole suite — type to search"/></label>
        <label class="check-label"><input type="checkbox" name="required" value="on" checked=item.required/>" Required for READY"</label>
    }
}

#[component]
fn ItemRow(
    item: ChecklistItemView,
    first: bool,
    last: bool,
    can_edit: bool,
    can_sign: bool,
    users: Vec<String>,
    suites: Vec<String>,
    actions: Actions,
) -> impl IntoView {
    let id = item.id;
    let meta = [
        (!item.owner.is_empty()).then(|| format!("owner {}", item.owner)),
        (!item.due_date.is_empty()).then(|| format!("due {}", item.due_date)),
        (!item.category.is_empty()).then(|| item.category.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let edit = can_edit.then(|| {
        view! { <ItemEdit item=item.clone() first=first last=last users=users suites=suites actions=actions/> }
    });
    let sign = can_sign.then(|| view! { <SignForm id=id evidence_state=item.evidence_state.clone() actions=actions/> });
    view! {
        <li class="card checklist-item" id=format!("item-{id}")>
            <div class="item-head">
                <h2 class="item-title">{item.title.clone()}</h2>
                <span class=format!("chip item-status status-{}", item.status)>{item.status.label()}</span>
                {if item.required {
                    view! { <span class="chip">"required"</span> }.into_any()
                } else {
                    view! { <span class="chip chip-muted">"optional"</span> }.into_any()
                }}
                {sign_state(&item.signoffs, item.signed)}
                {evidence_chip(&item)}
            </div>
            {(!item.description.is_empty()).then(|| view! { <p class="item-desc">{item.description.clone()}</p> })}
            {(!meta.is_empty()).then(|| view! { <p class="muted small">{meta}</p> })}
            <Signoffs signoffs=item.signoffs/>
            {actions.note_at(Place::Item(id))}
            <div class="item-tools">{edit}{sign}</div>
        </li>
    }
}

/// What the linked evidence says now, linking to the report it was read from.
fn evidence_chip(item: &ChecklistItemView) -> Option<AnyView> {
    (!item.evidence_suite.is_empty()).then(|| {
        let state = item.evidence_state.clone().unwrap_or_else(|| "missing".into());
        let what = if item.evidence_check.is_empty() {
            item.evidence_suite.clone()
        } else {
            format!("{} › {}", item.evidence_suite, item.evidence_check)
        };
        let chip = view! { <span class=format!("chip evidence-{state}")>{format!("{state}: {what}")}</span> };
        match item.evidence_report_id {
            Some(r) => view! { <a href=format!("/reports/{r}") class="chip-link">{chip}</a> }.into_any(),
            None => chip.into_any(),
        }
    })
}

/// Where the item's sign-off stands: signed, lapsed (needs signing again), rejected or not yet.
fn sign_state(signoffs: &[SignoffView], signed: bool) -> AnyView {
    if signed {
        view! { <span class="chip chip-resolved">"✓ signed off"</span> }.into_any()
    } else if signoffs.iter().any(|s| s.lapsed) && !signoffs.iter().any(|s| !s.lapsed) {
        view! { <span class="chip chip-warn">"needs re-sign"</span> }.into_any()
    } else if signoffs.iter().any(|s| !s.lapsed && s.verdict == SignoffVerdict::Reject) {
        view! { <span class="chip chip-fail">"rejected"</span> }.into_any()
    } else {
        view! { <span class="chip">"not signed"</span> }.into_any()
    }
}

/// Every sign-off of an item, newest first, lapsed ones marked.
#[component]
fn Signoffs(signoffs: Vec<SignoffView>) -> impl IntoView {
    (!signoffs.is_empty()).then(|| {
        view! {
            <ul class="signoffs">
                {signoffs.into_iter().map(|s| view! {
                    <li class:lapsed=s.lapsed>
                        <strong>{s.verdict.label()}</strong>
                        {s.despite.map(|d| view! { " "<span class="chip chip-warn">{format!("approved despite {d} evidence")}</span> })}
                        {format!(" by {} · {}", s.username, s.at)}
                        {(!s.comment.is_empty()).then(|| view! { <span class="muted">{format!(" — {}", s.comment)}</span> })}
                        {s.lapsed.then(|| view! { <em class="muted">" (no longer counted)"</em> })}
                    </li>
                }).collect_view()}
            </ul>
        }
    })
}

/// Moving, editing and deleting an item (editors); the edit form comes back folded once
/// saved, open as typed when refused.
#[component]
fn ItemEdit(
    item: ChecklistItemView,
    first: bool,
    last: bool,
    users: Vec<String>,
    suites: Vec<String>,
    actions: Actions,
) -> impl IntoView {
    let (id, version) = (item.id, item.version);
    let this = id.to_string();
    let update_sent = outcome_for::<UpdateItem>(Some(("id", &this)));
    let editing = failed(&update_sent);
    let (up_label, down_label) = (format!("Move up: {}", item.title), format!("Move down: {}", item.title));
    let item = as_sent(&update_sent, item);
    view! {
        <div class="item-actions">
            <ActionForm action=actions.moved attr:class="form inline">
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="direction" value="up"/>
                <button type="submit" class="btn btn-icon" disabled=first aria-label=up_label>"↑"</button>
            </ActionForm>
            <ActionForm action=actions.moved attr:class="form inline">
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="direction" value="down"/>
                <button type="submit" class="btn btn-icon" disabled=last aria-label=down_label>"↓"</button>
            </ActionForm>
            <details class="edit" open=editing>
                <summary>"Edit"</summary>
                <ActionForm action=actions.update attr:class="form form-grid">
                    <input type="hidden" name="id" value=id/>
                    <input type="hidden" name="version" value=version/>
                    <ItemFields item=item users=users suites=suites/>
                    <div class="form-actions"><button type="submit" class="btn btn-primary">"Save"</button></div>
                </ActionForm>
            </details>
            <details class="delete">
                <summary>"Delete"</summary>
                <ActionForm action=actions.delete attr:class="form form-row">
                    <input type="hidden" name="id" value=id/>
                    <input type="hidden" name="version" value=version/>
                    <label class="check-label"><input type="checkbox" name="confirm" value="yes" required/>" Yes, delete this item"</label>
                    <button type="submit" class="btn btn-danger">"Delete"</button>
                </ActionForm>
            </details>
        </div>
    }
}

/// The sign-off form (approvers). Approving against failing, stale or missing evidence
/// needs a reason (the server refuses it without one): the form says so before the approver
/// tries.
#[component]
fn SignForm(id: i64, evidence_state: Option<String>, actions: Actions) -> impl IntoView {
    let this = id.to_string();
    let sign_sent = outcome_for::<SignItem>(Some(("id", &this)));
    let against = evidence_state.filter(|s| matches!(s.as_str(), "failing" | "stale" | "missing"));
    let placeholder = match &against {
        Some(state) => format!("Required: the evidence is {state} — say why you approve or reject"),
        None => "What you checked (required to reject)".to_string(),
    };
    let verdict = kept(&sign_sent, "verdict").unwrap_or_default();
    let (open, comment) = (failed(&sign_sent), kept(&sign_sent, "comment"));
    view! {
        <details class="sign" open=open>
            <summary>"Sign off"</summary>
            <ActionForm action=actions.sign attr:class="form form-row">
                <input type="hidden" name="id" value=id/>
                <label>"Decision"
                    <select name="verdict">
                        <option value="approve">"Approve"</option>
                        <option value="reject" selected=verdict == "reject">"Reject"</option>
                    </select>
                </label>
                <label class="wide">"Comment"<input name="comment" maxlength="2000" placeholder=placeholder required=against.is_some() value=comment/></label>
                <button type="submit" class="btn btn-primary">"Sign"</button>
            </ActionForm>
        </details>
    }
}
