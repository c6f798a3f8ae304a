//! A phase's checklist with live evidence state and sign-offs.

use axum::Json;
use axum::extract::{Path, State};
use readyboard_store::ChecklistEntry;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::bodies::{ReadErrors, sorted};
use super::problem::ApiError;
use super::projects::load;
use crate::auth::Caller;
use crate::state::AppState;

/// How far a checklist is.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChecklistProgress {
    /// Items.
    pub items: usize,
    /// Required items.
    pub required: usize,
    /// Required items done (or waived) and signed off: the count the verdict uses.
    pub required_done_and_signed: usize,
}

/// A phase's checklist.
#[derive(Debug, Serialize, ToSchema)]
pub struct Checklist {
    /// Items in order, each with its evidence state and sign-offs.
    pub items: Vec<ChecklistEntry>,
    /// How far the checklist is.
    pub summary: ChecklistProgress,
}

/// `GET …/checklist`: items in order, each with its evidence state and sign-offs, and the
/// count the verdict uses (required items done and signed).
#[utoipa::path(
    get,
    path = "/api/v1/projects/{p}/phases/{ph}/checklist",
    tag = "Checklist",
    operation_id = "getChecklist",
    summary = "The phase's checklist",
    description = "Items with owner, status, evidence link and its live state, sign-offs; and the count \
        the verdict uses (required items done and signed).",
    params(("p" = String, Path, description = "Project slug"), ("ph" = String, Path, description = "Phase slug")),
    responses((status = 200, description = "The checklist", body = Checklist), ReadErrors),
    security(("project_token" = []), ("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(project = %p, phase = %ph))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path((p, ph)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let (_, phase) = load(&state, Some(&caller), &p, &ph, false).await?;
    let entries = state.store.checklist(&phase).await?;
    let required = entries.iter().filter(|e| e.item.required).count();
    let done = entries.iter().filter(|e| e.item.required && e.item.status.settles() && e.signed).count();
    let summary = ChecklistProgress { items: entries.len(), required, required_done_and_signed: done };
    sorted(&Checklist { items: entries, summary })
}
