//! REST writes: what a person changes in the browser — decisions, blockers, checklist items
//! and sign-offs — a pipeline or a bot can change too, with a personal access token (or a
//! session). Each handler checks the role on the server, calls the same store operation as
//! the page (which validates and audits), and answers errors as problem documents.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use readyboard_domain::checklist::SignoffVerdict;
use readyboard_domain::role::Role;
use readyboard_store::{BlockerAssignment, BlockerItem, ChecklistItem, Condition, ItemInput, NewBlocker, NewDecision};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::bodies::{WriteErrors, sorted};
use super::problem::ApiError;
use super::projects::load;
use crate::auth::Caller;
use crate::state::AppState;

/// A decision to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// The decision.
    #[schema(schema_with = decision_words)]
    decision: String,
    /// Why (10–10,000 characters).
    rationale: String,
    /// Conditions (mostly for a conditional GO).
    #[serde(default)]
    conditions: Vec<Condition>,
    /// Why a GO is given although the verdict is not READY: required then.
    override_reason: Option<String>,
}

/// The decisions a person may record.
fn decision_words() -> utoipa::openapi::Object {
    super::bodies::words(readyboard_store::DECISION_KINDS, "The decision.")
}

/// A recorded decision, in brief.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionRecorded {
    /// Decision id.
    pub id: i64,
    /// The decision's page.
    pub url: String,
    /// `go`, `conditional_go` or `no_go`.
    pub decision: readyboard_domain::decisions::Decision,
    /// Why a GO overrode a verdict that was not READY.
    pub override_reason: Option<String>,
    /// Who decided.
    pub decided_by: String,
    /// The decision this one supersedes.
    pub supersedes: Option<i64>,
}

/// Who may call the operations editors make, as their descriptions say (a macro, so that
/// `concat!` can add to it).
macro_rules! who_edits {
    () => {
        "Needs the editor role: a personal access token (`rbp_…`, acting as its person) or a session. \
         Project tokens are refused with 403. Audited like the same change made in the browser."
    };
}

/// The same for the operations approvers make.
macro_rules! who_approves {
    () => {
        "Needs the approver role: a personal access token (`rbp_…`, acting as its person) or a session. \
         Project tokens are refused with 403. Audited like the same change made in the browser."
    };
}

/// `POST …/phases/{ph}/decisions` (approvers): records a go/no-go decision.
#[utoipa::path(
    post,
    path = "/api/v1/projects/{p}/phases/{ph}/decisions",
    tag = "Decisions",
    operation_id = "recordDecision",
    summary = "Records a go/no-go decision with its rationale",
    description = concat!(
        "A GO against a verdict that is not READY needs `override_reason`. The decision freezes a snapshot of \
         the evidence and supersedes the previous one. ",
        who_approves!()
    ),
    params(("p" = String, Path, description = "Project slug"), ("ph" = String, Path, description = "Phase slug")),
    request_body = DecisionBody,
    responses((status = 201, description = "Recorded", body = DecisionRecorded), WriteErrors),
    security(("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(project = %p, phase = %ph))]
pub async fn record_decision(
    State(state): State<AppState>,
    caller: Caller,
    Path((p, ph)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body: DecisionBody = parse(&body)?;
    let person = caller.person_with(Role::Approver)?;
    let (_, phase) = load(&state, Some(&caller), &p, &ph, false).await?;
    let d = NewDecision {
        decision: body.decision,
        rationale: body.rationale,
        conditions: body.conditions,
        override_reason: body.override_reason,
    };
    let rec = state.store.record_decision(&readyboard_app::ssr::actor(person), &phase, &d).await?;
    let url = format!("{}/p/{p}/{ph}/decisions/{}", state.settings.base_url, rec.id);
    created(&DecisionRecorded {
        id: rec.id,
        url,
        decision: rec.decision,
        override_reason: rec.override_reason,
        decided_by: rec.decided_by,
        supersedes: rec.supersedes_id,
    })
}

/// A blocker to add by hand.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockerBody {
    /// Severity.
    #[schema(schema_with = severity_words)]
    severity: String,
    /// One-line title.
    title: String,
    /// Details.
    #[serde(default)]
    details: String,
    /// Owner: a username.
    owner: Option<String>,
    /// Due date, `YYYY-MM-DD`.
    #[schema(format = Date)]
    due_date: Option<String>,
}

/// The severities a blocker may have.
fn severity_words() -> utoipa::openapi::Object {
    super::bodies::words(readyboard_store::BLOCKER_SEVERITIES, "Severity.")
}

/// `POST …/phases/{ph}/blockers` (editors): adds a blocker.
#[utoipa::path(
    post,
    path = "/api/v1/projects/{p}/phases/{ph}/blockers",
    tag = "Blockers",
    operation_id = "addBlocker",
    summary = "Adds a blocker by hand",
    description = who_edits!(),
    params(("p" = String, Path, description = "Project slug"), ("ph" = String, Path, description = "Phase slug")),
    request_body = BlockerBody,
    responses((status = 201, description = "Added", body = BlockerItem), WriteErrors),
    security(("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(project = %p, phase = %ph))]
pub async fn add_blocker(
    State(state): State<AppState>,
    caller: Caller,
    Path((p, ph)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body: BlockerBody = parse(&body)?;
    let person = caller.person_with(Role::Editor)?;
    let (_, phase) = load(&state, Some(&caller), &p, &ph, false).await?;
    let b = NewBlocker {
        severity: body.severity,
        title: body.title,
        details: body.details,
        owner: body.owner,
        due_date: body.due_date,
    };
    let item = state.store.add_blocker(&readyboard_app::ssr::actor(person), phase.id, &b).await?;
    created(&item)
}

/// What happens to a blocker: the members its step reads (an empty body for the others).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockerAction {
    /// assign: the owner, a username (none: unassigned).
    owner: Option<String>,
    /// assign: the due date, `YYYY-MM-DD` (none: no due date).
    #[schema(format = Date)]
    due_date: Option<String>,
    /// waive: why the blocker is accepted (required, 10–2,000 characters).
    rationale: Option<String>,
}

/// A blocker step done.
#[derive(Debug, Serialize, ToSchema)]
pub struct BlockerDone {
    /// The blocker.
    pub id: i64,
    /// The step.
    pub done: BlockerStep,
}

/// `POST /api/v1/blockers/{id}/assign` (editors): sets the owner and due date.
#[utoipa::path(
    post,
    path = "/api/v1/blockers/{id}/assign",
    tag = "Blockers",
    operation_id = "assignBlocker",
    summary = "Sets a blocker's owner (a username) and due date",
    description = who_edits!(),
    params(("id" = i64, Path, description = "Blocker id")),
    request_body = BlockerAction,
    responses((status = 200, description = "Done", body = BlockerDone), WriteErrors),
    security(("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(blocker = id))]
pub async fn assign_blocker(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    blocker_action(&state, &caller, id, BlockerStep::Assign, &body).await
}

/// `POST /api/v1/blockers/{id}/resolve` (editors): resolves a blocker written by hand.
#[utoipa::path(
    post,
    path = "/api/v1/blockers/{id}/resolve",
    tag = "Blockers",
    operation_id = "resolveBlocker",
    summary = "Resolves a blocker written by hand",
    description = who_edits!(),
    params(("id" = i64, Path, description = "Blocker id")),
    responses((status = 200, description = "Done", body = BlockerDone), WriteErrors),
    security(("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(blocker = id))]
pub async fn resolve_blocker(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    blocker_action(&state, &caller, id, BlockerStep::Resolve, &body).await
}

/// `POST /api/v1/blockers/{id}/waive` (approvers): waives an open blocker with a rationale.
#[utoipa::path(
    post,
    path = "/api/v1/blockers/{id}/waive",
    tag = "Blockers",
    operation_id = "waiveBlocker",
    summary = "Waives an open blocker with a rationale",
    description = who_approves!(),
    params(("id" = i64, Path, description = "Blocker id")),
    request_body = BlockerAction,
    responses((status = 200, description = "Done", body = BlockerDone), WriteErrors),
    security(("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(blocker = id))]
pub async fn waive_blocker(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    blocker_action(&state, &caller, id, BlockerStep::Waive, &body).await
}

/// `POST /api/v1/blockers/{id}/reopen` (approvers): reopens a waived or resolved blocker.
#[utoipa::path(
    post,
    path = "/api/v1/blockers/{id}/reopen",
    tag = "Blockers",
    operation_id = "reopenBlocker",
    summary = "Reopens a waived or resolved blocker",
    description = who_approves!(),
    params(("id" = i64, Path, description = "Blocker id")),
    responses((status = 200, description = "Done", body = BlockerDone), WriteErrors),
    security(("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(blocker = id))]
pub async fn reopen_blocker(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    blocker_action(&state, &caller, id, BlockerStep::Reopen, &body).await
}

/// A step in a blocker's life, by the word the answer names it by.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BlockerStep {
    /// The owner and due date were set.
    Assign,
    /// Resolved.
    Resolve,
    /// Waived.
    Waive,
    /// Reopened.
    Reopen,
}

impl BlockerStep {
    /// The role it needs.
    fn needs(self) -> Role {
        match self {
            BlockerStep::Assign | BlockerStep::Resolve => Role::Editor,
            BlockerStep::Waive | BlockerStep::Reopen => Role::Approver,
        }
    }
}

/// One of the blocker steps, by a person holding the role it needs; the store validates
/// and audits.
async fn blocker_action(
    state: &AppState,
    caller: &Caller,
    id: i64,
    step: BlockerStep,
    body: &[u8],
) -> Result<Json<Value>, ApiError> {
    let body: BlockerAction = if body.is_empty() { BlockerAction::default() } else { parse(body)? };
    let actor = readyboard_app::ssr::actor(caller.person_with(step.needs())?);
    match step {
        BlockerStep::Assign => {
            let a = BlockerAssignment { owner: body.owner, due_date: body.due_date };
            state.store.assign_blocker(&actor, id, &a).await?;
        }
        BlockerStep::Resolve => {
            state.store.resolve_blocker(&actor, id).await?;
        }
        BlockerStep::Waive => {
            state.store.waive_blocker(&actor, id, body.rationale.as_deref().unwrap_or_default()).await?;
        }
        BlockerStep::Reopen => {
            state.store.reopen_blocker(&actor, id).await?;
        }
    }
    sorted(&BlockerDone { id, done: step })
}

/// A checklist item's fields.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemBody {
    /// Title.
    title: String,
    /// What "done" means.
    #[serde(default)]
    description: String,
    /// Category.
    category: Option<String>,
    /// Owner: a username.
    owner: Option<String>,
    /// Whether the verdict waits for it.
    #[serde(default = "yes")]
    #[schema(default = true)]
    required: bool,
    /// Status.
    #[serde(default = "todo")]
    #[schema(schema_with = item_status_words)]
    status: String,
    /// Due date, `YYYY-MM-DD`.
    #[schema(format = Date)]
    due_date: Option<String>,
    /// Linked suite's name.
    evidence_suite: Option<String>,
    /// A check or metric of the suite's latest report.
    evidence_check: Option<String>,
    /// Edits only: the version the edit starts from.
    version: Option<i64>,
}

/// The statuses a checklist item may be in (default `todo`).
fn item_status_words() -> utoipa::openapi::Object {
    let mut words = super::bodies::words(readyboard_domain::checklist::ITEM_STATUSES, "Status (default `todo`).");
    words.default = Some("todo".into());
    words
}

fn yes() -> bool {
    true
}

fn todo() -> String {
    "todo".into()
}

impl ItemBody {
    fn input(self) -> ItemInput {
        ItemInput {
            title: self.title,
            description: self.description,
            category: self.category,
            owner: self.owner,
            required: self.required,
            status: self.status,
            due_date: self.due_date,
            evidence_suite: self.evidence_suite,
            evidence_check: self.evidence_check,
        }
    }
}

/// `POST …/phases/{ph}/checklist` (editors): adds an item at the end.
#[utoipa::path(
    post,
    path = "/api/v1/projects/{p}/phases/{ph}/checklist",
    tag = "Checklist",
    operation_id = "addChecklistItem",
    summary = "Adds a checklist item at the end",
    description = who_edits!(),
    params(("p" = String, Path, description = "Project slug"), ("ph" = String, Path, description = "Phase slug")),
    request_body = ItemBody,
    responses((status = 201, description = "Added", body = ChecklistItem), WriteErrors),
    security(("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(project = %p, phase = %ph))]
pub async fn add_item(
    State(state): State<AppState>,
    caller: Caller,
    Path((p, ph)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body: ItemBody = parse(&body)?;
    let person = caller.person_with(Role::Editor)?;
    let (_, phase) = load(&state, Some(&caller), &p, &ph, false).await?;
    let item = state.store.add_checklist_item(&readyboard_app::ssr::actor(person), &phase, &body.input()).await?;
    created(&item)
}

/// `PUT /api/v1/checklist/{id}` (editors): edits an item still at `version`.
#[utoipa::path(
    put,
    path = "/api/v1/checklist/{id}",
    tag = "Checklist",
    operation_id = "updateChecklistItem",
    summary = "Edits an item still at `version` (409 when someone changed it since)",
    description = who_edits!(),
    params(("id" = i64, Path, description = "Item id")),
    request_body = ItemBody,
    responses((status = 200, description = "Edited", body = ChecklistItem), WriteErrors),
    security(("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(item = id))]
pub async fn update_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body: ItemBody = parse(&body)?;
    let person = caller.person_with(Role::Editor)?;
    let version =
        body.version.ok_or_else(|| ApiError::unprocessable("version: name the version the edit starts from"))?;
    let item =
        state.store.update_checklist_item(&readyboard_app::ssr::actor(person), id, version, &body.input()).await?;
    sorted(&item)
}

/// The version a deletion starts from.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// The version the deletion starts from (409 when someone changed the item since).
    version: i64,
}

/// `DELETE /api/v1/checklist/{id}?version=N` (editors).
#[utoipa::path(
    delete,
    path = "/api/v1/checklist/{id}",
    tag = "Checklist",
    operation_id = "deleteChecklistItem",
    summary = "Deletes an item still at `version`",
    description = who_edits!(),
    params(("id" = i64, Path, description = "Item id"), VersionQuery),
    responses((status = 204, description = "Deleted"), WriteErrors),
    security(("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(item = id))]
pub async fn delete_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<VersionQuery>,
) -> Result<StatusCode, ApiError> {
    let person = caller.person_with(Role::Editor)?;
    state.store.delete_checklist_item(&readyboard_app::ssr::actor(person), id, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A sign-off.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignBody {
    /// Approve or reject.
    #[schema(schema_with = signoff_words)]
    verdict: String,
    /// Why; required to approve against failing, stale or missing evidence.
    #[serde(default)]
    comment: String,
}

/// The verdicts of a sign-off.
fn signoff_words() -> utoipa::openapi::Object {
    super::bodies::words(&["approve", "reject"], "Approve or reject.")
}

/// A sign-off recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignedOff {
    /// The item.
    pub item: i64,
    /// Approve or reject.
    pub verdict: SignoffVerdict,
    /// Who signed.
    pub by: String,
}

/// `POST /api/v1/checklist/{id}/signoffs` (approvers): approves or rejects an item.
#[utoipa::path(
    post,
    path = "/api/v1/checklist/{id}/signoffs",
    tag = "Checklist",
    operation_id = "signChecklistItem",
    summary = "Approves or rejects an item",
    description = concat!("Approving against failing, stale or missing evidence needs a comment. ", who_approves!()),
    params(("id" = i64, Path, description = "Item id")),
    request_body = SignBody,
    responses((status = 201, description = "Signed", body = SignedOff), WriteErrors),
    security(("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(item = id))]
pub async fn sign_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body: SignBody = parse(&body)?;
    let person = caller.person_with(Role::Approver)?;
    let actor = readyboard_app::ssr::actor(person);
    let verdict = SignoffVerdict::read(&body.verdict).map_err(readyboard_store::StoreError::Invalid)?;
    state.store.sign_checklist_item(&actor, id, verdict, &body.comment).await?;
    created(&SignedOff { item: id, verdict, by: person.username.clone() })
}

/// A JSON request body, or a 422 problem saying what is wrong with it.
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::unprocessable("Invalid request body").detail(e.to_string()))
}

/// 201 with a JSON body.
fn created<T: Serialize>(body: &T) -> Result<Response, ApiError> {
    Ok((StatusCode::CREATED, sorted(body)?).into_response())
}
