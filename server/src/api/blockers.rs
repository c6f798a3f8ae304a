//! The blocker list across phases.

use axum::Json;
use axum::extract::{Query, State};
use readyboard_store::{BlockerFilter, BlockerItem, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::bodies::{ReadErrors, sorted};
use super::problem::{ApiError, Problem};
use crate::auth::Caller;
use crate::state::AppState;

/// Filters of `GET /api/v1/blockers`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BlockerQuery {
    /// Project slug: only this project's blockers.
    project: Option<String>,
    /// Phase slug of `project`, or `project/phase` on its own: only this phase's blockers.
    phase: Option<String>,
    /// Only blockers of this severity: `critical`, `high`, `medium` or `low`.
    #[param(schema_with = severity_words)]
    severity: Option<String>,
    /// Owner's username; the empty string for unassigned blockers.
    owner: Option<String>,
    /// Only blockers in this state; `all` (or none) for every state.
    #[param(schema_with = status_words)]
    status: Option<String>,
    /// At most this many (1–5000, default 500).
    #[param(minimum = 1, maximum = 5000)]
    limit: Option<i64>,
}

/// The severities a blocker filter takes.
fn severity_words() -> utoipa::openapi::Object {
    super::bodies::words(&["critical", "high", "medium", "low"], "Only blockers of this severity.")
}

/// The statuses a blocker filter takes.
fn status_words() -> utoipa::openapi::Object {
    super::bodies::words(
        &["open", "waived", "resolved", "all"],
        "Only blockers in this state; `all` (or none) for every state.",
    )
}

/// Blockers across phases.
#[derive(Debug, Serialize, ToSchema)]
pub struct BlockerList {
    /// How many are listed.
    pub total: usize,
    /// Blockers, open first, most severe first.
    pub items: Vec<BlockerItem>,
}

/// The project and phase ids `project` and `phase` ask for: `phase` is a phase slug of
/// `project`, or `project/phase` on its own. A project the caller may not read is not found.
async fn scope(state: &AppState, caller: &Caller, q: &BlockerQuery) -> Result<(Option<i64>, Option<i64>), ApiError> {
    let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let (project, phase) = match (given(&q.project), given(&q.phase)) {
        (p, Some(ph)) if ph.contains('/') => {
            let (pp, ph) = ph.split_once('/').unwrap_or_default();
            if p.as_deref().is_some_and(|p| p != pp) {
                return Err(ApiError::bad_request("Invalid filter").detail("phase: belongs to another project"));
            }
            (Some(pp.to_string()), Some(ph.to_string()))
        }
        (None, Some(_)) => {
            return Err(ApiError::bad_request("Invalid filter").detail("phase: give `project` too, or `project/phase`"));
        }
        other => other,
    };
    let Some(project) = project else { return Ok((None, None)) };
    let missing = |what: &'static str| {
        move |e: StoreError| match e {
            StoreError::NotFound => ApiError::not_found(what),
            other => other.into(),
        }
    };
    let p = state.store.project(&project).await.map_err(missing("Project"))?;
    if !caller.can_read(p.id) {
        return Err(ApiError::not_found("Project"));
    }
    let phase_id = match phase {
        Some(ph) => Some(state.store.phase(p.id, &ph).await.map_err(missing("Phase"))?.id),
        None => None,
    };
    Ok((Some(p.id), phase_id))
}

/// `GET /api/v1/blockers?project=&phase=&severity=&owner=&status=`: blockers of every phase
/// the caller may read.
#[utoipa::path(
    get,
    path = "/api/v1/blockers",
    tag = "Blockers",
    operation_id = "listBlockers",
    summary = "Blockers of every readable phase, filtered",
    description = "Open first, most severe first. A project token sees its own project's blockers only.",
    params(BlockerQuery),
    responses(
        (status = 200, description = "The blockers", body = BlockerList),
        (status = 400, description = "Invalid filter", body = Problem, content_type = "application/problem+json"),
        ReadErrors
    ),
    security(("project_token" = []), ("personal_token" = []), ("session" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<BlockerQuery>,
) -> Result<Json<Value>, ApiError> {
    let (project_id, phase_id) = scope(&state, &caller, &q).await?;
    let filter = BlockerFilter {
        project_id,
        phase_id,
        severity: q.severity.filter(|s| !s.is_empty()),
        owner: q.owner,
        status: q.status.filter(|s| !s.is_empty() && s != "all"),
    };
    filter.validate().map_err(|m| ApiError::bad_request("Invalid filter").detail(m))?;
    let limit = q.limit.unwrap_or(500).clamp(1, 5000);
    let mut items = state.store.list_blockers(&filter, limit).await?;
    let mut readable = std::collections::HashMap::new();
    for p in state.store.list_projects().await? {
        readable.insert(p.slug.clone(), caller.can_read(p.id));
    }
    items.retain(|b| readable.get(&b.project).copied().unwrap_or(false));
    sorted(&BlockerList { total: items.len(), items })
}
