//! The blocker list across phases.

use axum::Json;
use axum::extract::{Query, State};
use readyboard_store::BlockerFilter;
use serde::Deserialize;
use serde_json::{Value, json};

use super::problem::ApiError;
use crate::auth::Caller;
use crate::state::AppState;

/// Filters of `GET /api/v1/blockers`.
#[derive(Debug, Deserialize)]
pub struct BlockerQuery {
    severity: Option<String>,
    owner: Option<String>,
    status: Option<String>,
    limit: Option<i64>,
}

/// `GET /api/v1/blockers?severity=&owner=&status=`: blockers of every phase the caller may read.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<BlockerQuery>,
) -> Result<Json<Value>, ApiError> {
    let filter = BlockerFilter {
        phase_id: None,
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
    Ok(Json(json!({"total": items.len(), "items": items})))
}
