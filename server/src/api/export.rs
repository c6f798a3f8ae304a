//! Downloads: the phase readiness report (Markdown, JSON) and decision records (Markdown).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use readyboard_domain::scoring::{CategoryScore, SuiteStatus, Verdict};
use readyboard_store::{BlockerRow, ChecklistEntry, DecisionRecord, now_ms};
use serde::Serialize;
use utoipa::ToSchema;

use super::bodies::{Named, ReadErrors, sorted};
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

/// What a phase readiness report is made of.
struct Gathered {
    project: readyboard_store::ProjectRow,
    phase: readyboard_store::PhaseRow,
    card: readyboard_domain::scoring::Scorecard,
    blockers: Vec<BlockerRow>,
    checklist: Vec<ChecklistEntry>,
    decisions: Vec<DecisionRecord>,
}

/// Reads a phase the caller may read, with its scorecard, open blockers, checklist and latest
/// 50 decisions.
async fn gather(state: &AppState, caller: &Caller, p: &str, ph: &str) -> Result<Gathered, ApiError> {
    let (project, phase) = load(state, Some(caller), p, ph, false).await?;
    let card = state.store.evaluate_phase(&phase).await?;
    let blockers = state.store.blockers(phase.id, true).await?;
    let checklist = state.store.checklist(&phase).await?;
    let decisions = state.store.decisions(phase.id, 50).await?;
    Ok(Gathered { project, phase, card, blockers, checklist, decisions })
}

/// `GET …/export.md`: the phase readiness report as Markdown.
#[utoipa::path(
    get,
    path = "/api/v1/projects/{p}/phases/{ph}/export.md",
    tag = "Exports",
    operation_id = "exportPhaseMarkdown",
    summary = "The phase readiness report as Markdown",
    description = "A download (`Content-Disposition: attachment`): verdict, score, categories, suites, \
        blockers, checklist and the latest decisions.",
    params(("p" = String, Path, description = "Project slug"), ("ph" = String, Path, description = "Phase slug")),
    responses(
        (status = 200, description = "The report", body = String, content_type = "text/markdown; charset=utf-8"),
        ReadErrors
    ),
    security(("project_token" = []), ("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(project = %p, phase = %ph))]
pub async fn phase_md(
    State(state): State<AppState>,
    caller: Caller,
    Path((p, ph)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let Gathered { project, phase, card, blockers, checklist, decisions } = gather(&state, &caller, &p, &ph).await?;
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

/// A phase and its thresholds, as the export names it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedPhase {
    /// Phase slug.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Minimum score for READY.
    pub ready_threshold: f64,
    /// Minimum score for CONDITIONAL.
    pub conditional_threshold: f64,
    /// Evidence older than this many days is stale.
    pub freshness_days: i64,
}

/// The phase readiness report as data.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhaseExport {
    /// The project.
    pub project: Named,
    /// The phase.
    pub phase: ExportedPhase,
    /// When the report was made, unix ms.
    pub generated_at: i64,
    /// Score 0–100, one decimal; `null` without scorable evidence.
    pub score: Option<f64>,
    /// Verdict.
    #[schema(value_type = Verdict)]
    pub verdict: &'static str,
    /// Why, most important first.
    pub reasons: Vec<String>,
    /// Categories sorted by name.
    pub categories: Vec<CategoryScore>,
    /// Suites sorted by name.
    pub suites: Vec<SuiteStatus>,
    /// Open blockers.
    pub blockers: Vec<BlockerRow>,
    /// The checklist.
    pub checklist: Vec<ChecklistEntry>,
    /// The latest decisions (at most 50), newest first.
    pub decisions: Vec<DecisionRecord>,
}

/// `GET …/export.json`: the same report as JSON.
#[utoipa::path(
    get,
    path = "/api/v1/projects/{p}/phases/{ph}/export.json",
    tag = "Exports",
    operation_id = "exportPhaseJson",
    summary = "The phase readiness report as JSON",
    description = "A download (`Content-Disposition: attachment`) of the same report as the Markdown export.",
    params(("p" = String, Path, description = "Project slug"), ("ph" = String, Path, description = "Phase slug")),
    responses((status = 200, description = "The report", body = PhaseExport), ReadErrors),
    security(("project_token" = []), ("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(project = %p, phase = %ph))]
pub async fn phase_json(
    State(state): State<AppState>,
    caller: Caller,
    Path((p, ph)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let Gathered { project, phase, card, blockers, checklist, decisions } = gather(&state, &caller, &p, &ph).await?;
    let filename = format!("attachment; filename=\"{}-{}-readiness.json\"", project.slug, phase.slug);
    let body = PhaseExport {
        project: Named { slug: project.slug, name: project.name },
        phase: ExportedPhase {
            slug: phase.slug,
            name: phase.name,
            ready_threshold: phase.ready_threshold,
            conditional_threshold: phase.conditional_threshold,
            freshness_days: phase.freshness_days,
        },
        generated_at: now_ms(),
        score: card.display_score(),
        verdict: card.verdict.as_str(),
        reasons: card.reasons,
        categories: card.categories,
        suites: card.suites,
        blockers,
        checklist,
        decisions,
    };
    let mut resp = sorted(&body)?.into_response();
    if let Ok(v) = filename.parse() {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

/// `GET …/decisions/{id}/export.md`: a decision record as Markdown.
#[utoipa::path(
    get,
    path = "/api/v1/projects/{p}/phases/{ph}/decisions/{id}/export.md",
    tag = "Exports",
    operation_id = "exportDecisionMarkdown",
    summary = "A decision record with its frozen evidence, as Markdown",
    description = "A download (`Content-Disposition: attachment`).",
    params(
        ("p" = String, Path, description = "Project slug"),
        ("ph" = String, Path, description = "Phase slug"),
        ("id" = i64, Path, description = "Decision id")
    ),
    responses(
        (status = 200, description = "The record", body = String, content_type = "text/markdown; charset=utf-8"),
        ReadErrors
    ),
    security(("project_token" = []), ("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(project = %p, phase = %ph, decision = id))]
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
