//! A phase's checklist with live evidence state and sign-offs.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use super::problem::ApiError;
use super::projects::load;
use crate::auth::Caller;
use crate::state::AppState;

/// `GET …/checklist`: items in order, each with its evidence state and sign-offs, and the
/// count the verdict uses (required items done and signed).
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path((p, ph)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let (_, phase) = load(&state, Some(&caller), &p, &ph, false).await?;
    let entries = state.store.checklist(&phase).await?;
    let required = entries.iter().filter(|e| e.item.required).count();
    let done = entries
        .iter()
        .filter(|e| e.item.required && matches!(e.item.status.as_str(), "done" | "waived") && e.signed)
        .count();
    Ok(Json(json!({
        "items": entries,
        "summary": {"items": entries.len(), "required": required, "required_done_and_signed": done},
    })))
}
