//! Downloads: the phase readiness report (Markdown, JSON) and decision records (Markdown).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use readyboard_store::now_ms;
use serde_json::json;

use super::problem::ApiError;
use super::projects::load;
use crate::auth::Caller;
use crate::export::{PhaseReport, decision_markdown, phase_markdown};
use crate::state::AppState;

fn markdown(filename: String, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/markdown; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        body,
    )
        .into_response()
}

/// `GET …/export.md`: the phase readiness report as Markdown.
pub async fn phase_md(
    State(state): State<AppState>,
    caller: Caller,
    Path((p, ph)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (project, phase) = load(&state, Some(&caller), &p, &ph, false).await?;
    let card = state.store.evaluate_phase(&phase).await?;
    let blockers = state.store.blockers(phase.id, true).await?;
    let checklist = state.store.checklist(&phase).await?;
    let decisions = state.store.decisions(phase.id, 50).await?;
    let body = phase_markdown(&PhaseReport {
        project: &project,
        phase: &phase,
        card: &card,
        blockers: &blockers,
        checklist: &checklist,
        decisions: &decisions,
        base_url: &state.settings.base_url,
        now: now_ms(),
    });
    Ok(markdown(format!("{}-{}-readiness.md", project.slug, phase.slug), body))
}

/// `GET …/export.json`: the same report as JSON.
pub async fn phase_json(
    State(state): State<AppState>,
    caller: Caller,
    Path((p, ph)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (project, phase) = load(&state, Some(&caller), &p, &ph, false).await?;
    let card = state.store.evaluate_phase(&phase).await?;
    let blockers = state.store.blockers(phase.id, true).await?;
    let checklist = state.store.checklist(&phase).await?;
    let decisions = state.store.decisions(phase.id, 50).await?;
    let body = json!({
        "project": {"slug": project.slug, "name": project.name},
        "phase": {"slug": phase.slug, "name": phase.name, "ready_threshold": phase.ready_threshold,
                  "conditional_threshold": phase.conditional_threshold, "freshness_days": phase.freshness_days},
        "generated_at": now_ms(),
        "score": card.display_score(),
        "verdict": card.verdict.as_str(),
        "reasons": card.reasons,
        "categories": card.categories,
        "suites": card.suites,
        "blockers": blockers,
        "checklist": checklist,
        "decisions": decisions,
    });
    let mut resp = Json(body).into_response();
    if let Ok(v) = format!("attachment; filename=\"{}-{}-readiness.json\"", project.slug, phase.slug).parse() {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

/// `GET …/decisions/{id}/export.md`: a decision record as Markdown.
pub async fn decision_md(
    State(state): State<AppState>,
    caller: Caller,
    Path((p, ph, id)): Path<(String, String, i64)>,
) -> Result<Response, ApiError> {
    let (project, phase) = load(&state, Some(&caller), &p, &ph, false).await?;
    let d = state.store.decision(id).await.map_err(|_| ApiError::not_found("Decision"))?;
    if d.phase_id != phase.id {
        return Err(ApiError::not_found("Decision"));
    }
    let body = decision_markdown(&project, &phase, &d, &state.settings.base_url);
    Ok(markdown(format!("{}-{}-decision-{}.md", project.slug, phase.slug, d.id), body))
}
