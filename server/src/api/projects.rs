//! Projects, phase scorecards, status gates and badges.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use readyboard_domain::scoring::Scorecard;
use readyboard_store::{PhaseRow, ProjectRow};
use serde_json::{Value, json};

use super::problem::ApiError;
use crate::auth::{Caller, MaybeCaller};
use crate::state::AppState;

/// `GET /api/v1/projects`: the projects the caller may read, with their phases.
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    let mut out = Vec::new();
    for p in state.store.list_projects().await? {
        if !caller.can_read(p.id) {
            continue;
        }
        let phases = state.store.phases(p.id).await?;
        let mut ph_json = Vec::new();
        for ph in &phases {
            let card = state.store.evaluate_phase(ph).await?;
            ph_json.push(json!({"slug": ph.slug, "name": ph.name, "score": card.display_score(), "verdict": card.verdict.as_str()}));
        }
        out.push(json!({"slug": p.slug, "name": p.name, "description": p.description, "phases": ph_json}));
    }
    Ok(Json(json!({"items": out})))
}

pub(crate) async fn load(
    state: &AppState,
    caller: Option<&Caller>,
    project: &str,
    phase: &str,
    public_ok: bool,
) -> Result<(ProjectRow, PhaseRow), ApiError> {
    let not_found = || ApiError::not_found("Phase");
    // Anonymous callers learn nothing about a project that has not published its status,
    // not even whether it exists: 401 for a missing project too.
    let refused = || if caller.is_none() { ApiError::unauthorized() } else { not_found() };
    let p = state.store.project(project).await.map_err(|_| refused())?;
    let allowed = match caller {
        Some(c) => c.can_read(p.id),
        None => public_ok && p.public_status,
    };
    if !allowed {
        return Err(refused());
    }
    let ph = state.store.phase(p.id, phase).await.map_err(|_| not_found())?;
    Ok((p, ph))
}

fn card_json(card: &Scorecard) -> Value {
    json!({"score": card.display_score(), "verdict": card.verdict.as_str(), "reasons": card.reasons})
}

/// `GET …/status`: score, verdict and reasons for deploy gates.
pub async fn status(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    Path((p, ph)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let (_, phase) = load(&state, caller.as_ref(), &p, &ph, true).await?;
    let card = state.store.evaluate_phase(&phase).await?;
    Ok(Json(card_json(&card)))
}

/// `GET …/phases/{ph}`: the full scorecard.
pub async fn scorecard(
    State(state): State<AppState>,
    caller: Caller,
    Path((p, ph)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let (project, phase) = load(&state, Some(&caller), &p, &ph, false).await?;
    let card = state.store.evaluate_phase(&phase).await?;
    let blockers = state.store.blockers(phase.id, true).await?;
    let mut v = card_json(&card);
    if let Some(obj) = v.as_object_mut() {
        obj.insert("project".into(), json!(project.slug));
        obj.insert("phase".into(), json!({"slug": phase.slug, "name": phase.name}));
        obj.insert(
            "thresholds".into(),
            json!({"ready": phase.ready_threshold, "conditional": phase.conditional_threshold, "freshness_days": phase.freshness_days}),
        );
        obj.insert("categories".into(), json!(card.categories));
        obj.insert("suites".into(), json!(card.suites));
        obj.insert("blockers".into(), json!(blockers));
    }
    Ok(Json(v))
}

/// `GET …/blockers`: every blocker of the phase, open first.
pub async fn blockers(
    State(state): State<AppState>,
    caller: Caller,
    Path((p, ph)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let (_, phase) = load(&state, Some(&caller), &p, &ph, false).await?;
    let items = state.store.blockers(phase.id, false).await?;
    Ok(Json(json!({"items": items})))
}

/// `GET …/badge.svg`: a shields-style badge of the verdict and score.
pub async fn badge(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    Path((p, ph)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (_, phase) = load(&state, caller.as_ref(), &p, &ph, true).await?;
    let card = state.store.evaluate_phase(&phase).await?;
    let value = match card.display_score() {
        Some(s) => format!("{} {s:.0}", card.verdict.label()),
        None => card.verdict.label().to_string(),
    };
    let color = match card.verdict.as_str() {
        "ready" => "#1a7f37",
        "conditional" => "#b58100",
        "no_go" => "#b42318",
        _ => "#c2410c",
    };
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "no-cache, max-age=0")],
        // "evidence": the badge shows the computed verdict, not a recorded decision.
        badge_svg("evidence", &value, color),
    )
        .into_response())
}

/// Renders a flat two-part badge; widths from a per-character estimate of Verdana 11px.
pub fn badge_svg(label: &str, value: &str, color: &str) -> String {
    let w = |s: &str| {
        10 + s
            .chars()
            .map(|c| if c.is_ascii_uppercase() || c.is_ascii_digit() { 7.5 } else { 6.2 })
            .sum::<f64>()
            .round() as i64
    };
    let (lw, vw) = (w(label), w(value));
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{tw}" height="20" role="img" aria-label="{l}: {v}"><title>{l}: {v}</title><rect width="{lw}" height="20" fill="#555"/><rect x="{lw}" width="{vw}" height="20" fill="{color}"/><g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle"><text x="{lx}" y="14">{l}</text><text x="{vx}" y="14">{v}</text></g></svg>"##,
        tw = lw + vw,
        l = esc(label),
        v = esc(value),
        lx = lw / 2,
        vx = lw + vw / 2,
    )
}

/// `GET …/decisions`: the phase's decisions, newest first, with what changed since the newest.
pub async fn decisions(
    State(state): State<AppState>,
    caller: Caller,
    Path((p, ph)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let (_, phase) = load(&state, Some(&caller), &p, &ph, false).await?;
    let items = state.store.decisions(phase.id, 200).await?;
    let changes = match items.first() {
        Some(d) => Some(state.store.changes_since(&phase, d).await?),
        None => None,
    };
    Ok(Json(json!({"items": items, "changes_since_latest": changes})))
}

/// `GET …/decisions/{id}`: one decision with its snapshot and what changed since.
pub async fn decision(
    State(state): State<AppState>,
    caller: Caller,
    Path((p, ph, id)): Path<(String, String, i64)>,
) -> Result<Json<Value>, ApiError> {
    let (_, phase) = load(&state, Some(&caller), &p, &ph, false).await?;
    let d = state.store.decision(id).await.map_err(|_| ApiError::not_found("Decision"))?;
    if d.phase_id != phase.id {
        return Err(ApiError::not_found("Decision"));
    }
    let changes = state.store.changes_since(&phase, &d).await?;
    let mut v = json!(d);
    if let Some(obj) = v.as_object_mut() {
        obj.insert("changes_since".into(), json!(changes));
    }
    Ok(Json(v))
}
