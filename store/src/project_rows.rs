//! Project, phase and suite rows as read from the database.

use serde::Serialize;

/// A project.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ProjectRow {
    /// Row id.
    pub id: i64,
    /// URL name.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Whether status and badge are readable without login.
    pub public_status: bool,
    /// Created, unix ms.
    pub created_at: i64,
    /// Days check rows and raw artifacts are kept (`None`: forever).
    pub retention_days: Option<i64>,
}

/// A phase with its settings and the evaluation kept up to date at ingest.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PhaseRow {
    /// Row id.
    pub id: i64,
    /// Owning project.
    pub project_id: i64,
    /// URL name.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Order within the project.
    pub position: i64,
    /// Days after which a suite's evidence is stale.
    pub freshness_days: i64,
    /// Score for READY.
    pub ready_threshold: f64,
    /// Score for CONDITIONAL.
    pub conditional_threshold: f64,
    /// JSON object category → weight.
    pub category_weights: String,
    /// Last computed score.
    pub score: Option<f64>,
    /// Last computed verdict.
    pub verdict: readyboard_domain::scoring::Verdict,
    /// JSON array of reasons.
    pub reasons: String,
    /// When the evaluation ran, unix ms.
    pub evaluated_at: Option<i64>,
    /// Created, unix ms.
    pub created_at: i64,
}

impl PhaseRow {
    /// The stored reasons.
    pub fn reasons(&self) -> Vec<String> {
        serde_json::from_str(&self.reasons).unwrap_or_default()
    }
}

/// A suite with its latest report.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SuiteRow {
    /// Row id.
    pub id: i64,
    /// Owning phase.
    pub phase_id: i64,
    /// Name.
    pub name: String,
    /// Kind (default category).
    pub kind: Option<String>,
    /// Latest report.
    pub latest_report_id: Option<i64>,
}

/// The columns a [`PhaseRow`] is read from.
pub(crate) const PHASE_COLUMNS: &str = "id, project_id, slug, name, position, freshness_days, ready_threshold, \
     conditional_threshold, category_weights, score, verdict, reasons, evaluated_at, created_at";
