//! Projects, phase scorecards, status gates and badges.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use readyboard_domain::scoring::{CategoryScore, Scorecard, SuiteStatus, Verdict};
use readyboard_store::{BlockerRow, ChangesSince, DecisionRecord, PhaseRow, ProjectRow};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::bodies::{Named, ReadErrors, sorted};
use super::problem::ApiError;
use crate::auth::{Caller, MaybeCaller};
use crate::state::AppState;

/// A phase with its score, as the project list shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhaseBrief {
    /// Phase slug.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Score, one decimal; `null` without scorable evidence.
    pub score: Option<f64>,
    /// Verdict.
    #[schema(value_type = Verdict)]
    pub verdict: &'static str,
}

/// A project with its phases.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectBrief {
    /// Project slug.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Phases in order.
    pub phases: Vec<PhaseBrief>,
}

/// The projects the caller may read.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectList {
    /// Projects.
    pub items: Vec<ProjectBrief>,
}

/// `GET /api/v1/projects`: the projects the caller may read, with their phases.
#[utoipa::path(
    get,
    path = "/api/v1/projects",
    tag = "Projects",
    operation_id = "listProjects",
    summary = "Projects the caller may read, with phase scores",
    description = "A project token sees its own project only.",
    responses((status = 200, description = "The projects", body = ProjectList), ReadErrors),
    security(("project_token" = []), ("personal_token" = []), ("session" = []))
)]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    let mut items = Vec::new();
    for p in state.store.list_projects().await? {
        if !caller.can_read(p.id) {
            continue;
        }
        let mut phases = Vec::new();
        for ph in state.store.phases(p.id).await? {
            let card = state.store.evaluate_phase(&ph).await?;
            phases.push(PhaseBrief {
                slug: ph.slug,
                name: ph.name,
                score: card.display_score(),
                verdict: card.verdict.as_str(),
            });
        }
        items.push(ProjectBrief { slug: p.slug, name: p.name, description: p.description, phases });
    }
    sorted(&ProjectList { items })
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

/// A phase's score, verdict and reasons: what a deploy gate needs.
#[derive(Debug, Serialize, ToSchema)]
pub struct Gate {
    /// Score 0–100, one decimal; `null` without scorable evidence.
    pub score: Option<f64>,
    /// Verdict.
    #[schema(value_type = Verdict)]
    pub verdict: &'static str,
    /// Why, most important first.
    pub reasons: Vec<String>,
}

fn gate(card: &Scorecard) -> Gate {
    Gate { score: card.display_score(), verdict: card.verdict.as_str(), reasons: card.reasons.clone() }
}

/// A phase's readiness thresholds.
#[derive(Debug, Serialize, ToSchema)]
pub struct Thresholds {
    /// Minimum score for READY.
    pub ready: f64,
    /// Minimum score for CONDITIONAL.
    pub conditional: f64,
    /// Evidence older than this many days is stale.
    pub freshness_days: i64,
}

/// A phase's full scorecard.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScorecardBody {
    /// Score 0–100, one decimal; `null` without scorable evidence.
    pub score: Option<f64>,
    /// Verdict.
    #[schema(value_type = Verdict)]
    pub verdict: &'static str,
    /// Why, most important first.
    pub reasons: Vec<String>,
    /// Project slug.
    pub project: String,
    /// The phase.
    pub phase: Named,
    /// The phase's thresholds.
    pub thresholds: Thresholds,
    /// Categories sorted by name, excluded ones included.
    pub categories: Vec<CategoryScore>,
    /// Suites sorted by name, with the freshness of their evidence.
    pub suites: Vec<SuiteStatus>,
    /// Open blockers.
    pub blockers: Vec<BlockerRow>,
}

/// `GET …/status`: score, verdict and reasons for deploy gates.
#[utoipa::path(
    get,
    path = "/api/v1/projects/{p}/phases/{ph}/status",
    tag = "Phases",
    operation_id = "getPhaseStatus",
    summary = "Gate: score, verdict, reasons",
    description = "What a deploy gate needs. Public when the project publishes its status; otherwise like \
        the other reads, and an anonymous caller learns nothing (401, even for a project that does not exist).",
    params(("p" = String, Path, description = "Project slug"), ("ph" = String, Path, description = "Phase slug")),
    responses((status = 200, description = "The gate", body = Gate), ReadErrors),
    security((), ("project_token" = []), ("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(project = %p, phase = %ph))]
pub async fn status(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    Path((p, ph)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let (_, phase) = load(&state, caller.as_ref(), &p, &ph, true).await?;
    let card = state.store.evaluate_phase(&phase).await?;
    sorted(&gate(&card))
}

/// `GET …/phases/{ph}`: the full scorecard.
#[utoipa::path(
    get,
    path = "/api/v1/projects/{p}/phases/{ph}",
    tag = "Phases",
    operation_id = "getScorecard",
    summary = "Scorecard: score, verdict, reasons, categories, suites, blockers",
    params(("p" = String, Path, description = "Project slug"), ("ph" = String, Path, description = "Phase slug")),
    responses((status = 200, description = "The scorecard", body = ScorecardBody), ReadErrors),
    security(("project_token" = []), ("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(project = %p, phase = %ph))]
pub async fn scorecard(
    State(state): State<AppState>,
    caller: Caller,
    Path((p, ph)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let (project, phase) = load(&state, Some(&caller), &p, &ph, false).await?;
    let card = state.store.evaluate_phase(&phase).await?;
    let blockers = state.store.blockers(phase.id, true).await?;
    let Gate { score, verdict, reasons } = gate(&card);
    sorted(&ScorecardBody {
        score,
        verdict,
        reasons,
        project: project.slug,
        thresholds: Thresholds {
            ready: phase.ready_threshold,
            conditional: phase.conditional_threshold,
            freshness_days: phase.freshness_days,
        },
        phase: Named { slug: phase.slug, name: phase.name },
        categories: card.categories,
        suites: card.suites,
        blockers,
    })
}

/// A phase's blockers.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhaseBlockers {
    /// Blockers, open first.
    pub items: Vec<BlockerRow>,
}

/// `GET …/blockers`: every blocker of the phase, open first.
#[utoipa::path(
    get,
    path = "/api/v1/projects/{p}/phases/{ph}/blockers",
    tag = "Blockers",
    operation_id = "listPhaseBlockers",
    summary = "Blockers of the phase, open first",
    params(("p" = String, Path, description = "Project slug"), ("ph" = String, Path, description = "Phase slug")),
    responses((status = 200, description = "The blockers", body = PhaseBlockers), ReadErrors),
    security(("project_token" = []), ("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(project = %p, phase = %ph))]
pub async fn blockers(
    State(state): State<AppState>,
    caller: Caller,
    Path((p, ph)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let (_, phase) = load(&state, Some(&caller), &p, &ph, false).await?;
    let items = state.store.blockers(phase.id, false).await?;
    sorted(&PhaseBlockers { items })
}

/// `GET …/badge.svg`: a shields-style badge of the verdict and score.
#[utoipa::path(
    get,
    path = "/api/v1/projects/{p}/phases/{ph}/badge.svg",
    tag = "Phases",
    operation_id = "getBadge",
    summary = "SVG badge of verdict and score",
    description = "A shields-style badge of the computed verdict and score (not a recorded decision). \
        Public when the project publishes its status.",
    params(("p" = String, Path, description = "Project slug"), ("ph" = String, Path, description = "Phase slug")),
    responses((status = 200, description = "The badge", body = String, content_type = "image/svg+xml"), ReadErrors),
    security((), ("project_token" = []), ("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(project = %p, phase = %ph))]
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

/// A phase's decisions.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionList {
    /// Decisions, newest first, each with its frozen snapshot.
    pub items: Vec<DecisionRecord>,
    /// What changed since the newest decision; `null` without decisions.
    pub changes_since_latest: Option<ChangesSince>,
}

/// `GET …/decisions`: the phase's decisions, newest first, with what changed since the newest.
#[utoipa::path(
    get,
    path = "/api/v1/projects/{p}/phases/{ph}/decisions",
    tag = "Decisions",
    operation_id = "listDecisions",
    summary = "Go/no-go decisions of the phase",
    description = "Newest first (at most 200), each with its frozen snapshot; plus what changed since the newest.",
    params(("p" = String, Path, description = "Project slug"), ("ph" = String, Path, description = "Phase slug")),
    responses((status = 200, description = "The decisions", body = DecisionList), ReadErrors),
    security(("project_token" = []), ("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(project = %p, phase = %ph))]
pub async fn decisions(
    State(state): State<AppState>,
    caller: Caller,
    Path((p, ph)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let (_, phase) = load(&state, Some(&caller), &p, &ph, false).await?;
    let items = state.store.decisions(phase.id, 200).await?;
    let changes_since_latest = match items.first() {
        Some(d) => Some(state.store.changes_since(&phase, d).await?),
        None => None,
    };
    sorted(&DecisionList { items, changes_since_latest })
}

/// One decision with what changed since it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionDetail {
    /// The decision.
    #[serde(flatten)]
    pub decision: DecisionRecord,
    /// What changed since.
    pub changes_since: ChangesSince,
}

/// `GET …/decisions/{id}`: one decision with its snapshot and what changed since.
#[utoipa::path(
    get,
    path = "/api/v1/projects/{p}/phases/{ph}/decisions/{id}",
    tag = "Decisions",
    operation_id = "getDecision",
    summary = "One decision",
    description = "Decision, rationale, conditions, override reason, who and when, snapshot, \
        supersedes/superseded_by, changes_since.",
    params(
        ("p" = String, Path, description = "Project slug"),
        ("ph" = String, Path, description = "Phase slug"),
        ("id" = i64, Path, description = "Decision id")
    ),
    responses((status = 200, description = "The decision", body = DecisionDetail), ReadErrors),
    security(("project_token" = []), ("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(project = %p, phase = %ph, decision = id))]
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
    let changes_since = state.store.changes_since(&phase, &d).await?;
    sorted(&DecisionDetail { decision: d, changes_since })
}
