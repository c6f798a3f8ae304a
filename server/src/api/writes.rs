//! REST writes: what a person changes in the browser — decisions, blockers, checklist items
//! and sign-offs — a pipeline or a bot can change too, with a personal access token (or a
//! session). Each handler checks the role on the server, calls the same store operation as
//! the page (which validates and audits), and answers errors as problem documents.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use readyboard_domain::role::Role;
use readyboard_store::{BlockerAssignment, Condition, ItemInput, NewBlocker, NewDecision};
use serde::Deserialize;
use serde_json::{Value, json};

use super::problem::ApiError;
use super::projects::load;
use crate::auth::Caller;
use crate::state::AppState;

/// A decision to record.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    decision: String,
    rationale: String,
    #[serde(default)]
    conditions: Vec<Condition>,
    override_reason: Option<String>,
}

/// `POST …/phases/{ph}/decisions` (approvers): records a go/no-go decision.
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
    Ok(created(json!({"id": rec.id, "url": url, "decision": rec.decision, "override_reason": rec.override_reason,
        "decided_by": rec.decided_by, "supersedes": rec.supersedes_id})))
}

/// A blocker to add by hand.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockerBody {
    severity: String,
    title: String,
    #[serde(default)]
    details: String,
    owner: Option<String>,
    due_date: Option<String>,
}

/// `POST …/phases/{ph}/blockers` (editors): adds a blocker.
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
    Ok(created(json!(item)))
}

/// What happens to a blocker.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockerAction {
    owner: Option<String>,
    due_date: Option<String>,
    rationale: Option<String>,
}

/// `POST /api/v1/blockers/{id}/assign` (editors): sets the owner and due date.
pub async fn assign_blocker(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    blocker_action(&state, &caller, id, BlockerStep::Assign, &body).await
}

/// `POST /api/v1/blockers/{id}/resolve` (editors): resolves a blocker written by hand.
pub async fn resolve_blocker(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    blocker_action(&state, &caller, id, BlockerStep::Resolve, &body).await
}

/// `POST /api/v1/blockers/{id}/waive` (approvers): waives an open blocker with a rationale.
pub async fn waive_blocker(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    blocker_action(&state, &caller, id, BlockerStep::Waive, &body).await
}

/// `POST /api/v1/blockers/{id}/reopen` (approvers): reopens a waived or resolved blocker.
pub async fn reopen_blocker(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    blocker_action(&state, &caller, id, BlockerStep::Reopen, &body).await
}

/// What happens to a blocker.
#[derive(Debug, Clone, Copy)]
enum BlockerStep {
    Assign,
    Resolve,
    Waive,
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

    /// The word the answer names it by.
    fn word(self) -> &'static str {
        match self {
            BlockerStep::Assign => "assign",
            BlockerStep::Resolve => "resolve",
            BlockerStep::Waive => "waive",
            BlockerStep::Reopen => "reopen",
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
    Ok(Json(json!({"id": id, "done": step.word()})))
}

/// A checklist item's fields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemBody {
    title: String,
    #[serde(default)]
    description: String,
    category: Option<String>,
    owner: Option<String>,
    #[serde(default = "yes")]
    required: bool,
    #[serde(default = "todo")]
    status: String,
    due_date: Option<String>,
    evidence_suite: Option<String>,
    evidence_check: Option<String>,
    /// The version an edit starts from (edits only).
    version: Option<i64>,
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
    Ok(created(json!(item)))
}

/// `PUT /api/v1/checklist/{id}` (editors): edits an item still at `version`.
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
    Ok(Json(json!(item)))
}

/// The version a deletion starts from.
#[derive(Debug, Deserialize)]
pub struct VersionQuery {
    version: i64,
}

/// `DELETE /api/v1/checklist/{id}?version=N` (editors).
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
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignBody {
    verdict: String,
    #[serde(default)]
    comment: String,
}

/// `POST /api/v1/checklist/{id}/signoffs` (approvers): approves or rejects an item.
pub async fn sign_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body: SignBody = parse(&body)?;
    let person = caller.person_with(Role::Approver)?;
    let actor = readyboard_app::ssr::actor(person);
    state.store.sign_checklist_item(&actor, id, &body.verdict, &body.comment).await?;
    Ok(created(json!({"item": id, "verdict": body.verdict, "by": person.username})))
}

/// A JSON request body, or a 422 problem saying what is wrong with it.
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::unprocessable("Invalid request body").detail(e.to_string()))
}

/// 201 with a JSON body.
fn created(body: Value) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}
