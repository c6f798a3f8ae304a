//! The evidence model: what a report yields once parsed.

use serde::{Deserialize, Serialize};

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The check failed because of an error outside its assertion.
    Error,
    /// The check's assertion failed.
    Fail,
    /// Partly met (score/max may refine it).
    Partial,
    /// Met with reservations.
    Warn,
    /// Planned but not executed.
    #[default]
    NotRun,
    /// Deliberately skipped; left out of the score.
    Skip,
    /// Met.
    Pass,
}

impl Status {
    /// Every status, most severe first.
    pub const ALL: [Status; 7] =
        [Status::Error, Status::Fail, Status::Partial, Status::Warn, Status::NotRun, Status::Skip, Status::Pass];

    /// The stable lower-case name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::Warn => "warn",
            Status::Partial => "partial",
            Status::Skip => "skip",
            Status::NotRun => "not_run",
        }
    }

    /// Parses the stable name back.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// True for outcomes that count as a failure in summaries.
    pub fn is_failure(self) -> bool {
        matches!(self, Status::Fail | Status::Error)
    }
}

/// Where evidence comes from (PRODUCT.md rule 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    /// Extracted from a tool's output (JUnit, SARIF, k6…).
    #[default]
    Measured,
    /// Written by a person: a hand-written report, pasted text, a check typed by hand.
    SelfReported,
}

impl Provenance {
    /// The stable name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Measured => "measured",
            Provenance::SelfReported => "self_reported",
        }
    }

    /// Parses the stable name back.
    pub fn parse(s: &str) -> Option<Provenance> {
        match s {
            "measured" => Some(Provenance::Measured),
            "self_reported" => Some(Provenance::SelfReported),
            _ => None,
        }
    }

    /// The label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Provenance::Measured => "measured",
            Provenance::SelfReported => "self-reported",
        }
    }
}

/// Severity of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Blocks shipping outright.
    Critical,
    /// Blocks a READY verdict.
    High,
    /// Should be fixed.
    Medium,
    /// Minor.
    Low,
    /// Informational.
    Info,
}

impl Severity {
    /// The stable lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }

    /// Parses the stable name (case-insensitive).
    pub fn parse(s: &str) -> Option<Severity> {
        match s.trim().to_ascii_lowercase().as_str() {
            "critical" => Some(Severity::Critical),
            "high" => Some(Severity::High),
            "medium" | "moderate" => Some(Severity::Medium),
            "low" => Some(Severity::Low),
            "info" | "informational" | "note" | "none" => Some(Severity::Info),
            _ => None,
        }
    }
}

/// Whether a finding is still present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    /// Still present.
    Open,
    /// Fixed.
    Resolved,
    /// Reported but suppressed by the scanner's configuration.
    Suppressed,
}

impl FindingStatus {
    /// The stable lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::Open => "open",
            FindingStatus::Resolved => "resolved",
            FindingStatus::Suppressed => "suppressed",
        }
    }

    /// Parses the stable name back.
    pub fn parse(s: &str) -> Option<FindingStatus> {
        [FindingStatus::Open, FindingStatus::Resolved, FindingStatus::Suppressed].into_iter().find(|f| f.as_str() == s)
    }
}

/// Comparison used by a metric target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TargetOp {
    /// value < target
    #[serde(rename = "<")]
    Lt,
    /// value <= target
    #[serde(rename = "<=")]
    Le,
    /// value > target
    #[serde(rename = ">")]
    Gt,
    /// value >= target
    #[serde(rename = ">=")]
    Ge,
    /// value == target
    #[serde(rename = "==")]
    Eq,
}

impl TargetOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetOp::Lt => "<",
            TargetOp::Le => "<=",
            TargetOp::Gt => ">",
            TargetOp::Ge => ">=",
            TargetOp::Eq => "==",
        }
    }

    /// Parses an operator as written.
    pub fn parse(s: &str) -> Option<TargetOp> {
        match s.trim() {
            "<" => Some(TargetOp::Lt),
            "<=" => Some(TargetOp::Le),
            ">" => Some(TargetOp::Gt),
            ">=" => Some(TargetOp::Ge),
            "==" | "=" => Some(TargetOp::Eq),
            _ => None,
        }
    }

    /// Whether `value` meets `target` under this operator.
    pub fn holds(self, value: f64, target: f64) -> bool {
        match self {
            TargetOp::Lt => value < target,
            TargetOp::Le => value <= target,
            TargetOp::Gt => value > target,
            TargetOp::Ge => value >= target,
            TargetOp::Eq => (value - target).abs() < f64::EPSILON * value.abs().max(1.0),
        }
    }
}

/// A metric target such as `< 100`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// The comparison.
    pub op: TargetOp,
    /// The bound.
    pub value: f64,
}

/// Anything with a status: a test case, an audit check, a table row.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Check {
    /// Identifier stable across runs of the suite (used for diffs and fingerprints).
    pub id: String,
    /// Human name.
    pub name: String,
    /// Where the check lives: nested suite names / class name, joined with " › ".
    pub suite_path: String,
    /// Category; `None` falls back to the suite's category.
    pub category: Option<String>,
    /// Outcome.
    pub status: Status,
    /// Score achieved, with `max`.
    pub score: Option<f64>,
    /// Maximum score.
    pub max: Option<f64>,
    /// Relative weight within its category (default 1).
    pub weight: f64,
    /// A failing blocking check opens a blocker.
    pub blocking: bool,
    /// Duration in milliseconds.
    pub duration_ms: Option<f64>,
    /// Short failure or skip message.
    pub message: String,
    /// Bounded excerpt of trace / output.
    pub details: String,
    /// Link to further evidence.
    pub evidence_url: String,
    /// The check passed only after failed attempts.
    pub flaky: bool,
    /// Number of retries the runner made.
    pub retries: u32,
}

/// A measured value, optionally with a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// Metric name.
    pub name: String,
    /// Category.
    pub category: Option<String>,
    /// Measured value.
    pub value: f64,
    /// Unit, e.g. `ms`.
    pub unit: String,
    /// Target, if any: then the metric is also a check.
    pub target: Option<Target>,
}

impl Metric {
    /// Whether the target is met; `None` when there is no target.
    pub fn met(&self) -> Option<bool> {
        self.target.map(|t| t.op.holds(self.value, t.value))
    }
}

/// An issue the suite reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Identifier stable across runs (fingerprint material).
    pub id: String,
    /// Severity.
    pub severity: Severity,
    /// Open, resolved or suppressed.
    pub status: FindingStatus,
    /// Category.
    pub category: Option<String>,
    /// One-line title.
    pub title: String,
    /// Longer description, location.
    pub details: String,
}

/// What the artifact says about itself.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Claimed {
    /// Claimed score, normalised to 0–100.
    pub score: Option<f64>,
    /// Claimed verdict as written, normalised to a verdict name when recognised.
    pub verdict: Option<String>,
    /// Claimed confidence 0–1.
    pub confidence: Option<f64>,
}

/// Run metadata carried by the artifact or the upload request.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RunMeta {
    /// CI run id.
    pub id: Option<String>,
    /// Start time, RFC 3339.
    pub started_at: Option<String>,
    /// Finish time, RFC 3339.
    pub finished_at: Option<String>,
    /// Environment name.
    pub environment: Option<String>,
    /// Commit.
    pub commit: Option<String>,
    /// Branch.
    pub branch: Option<String>,
    /// CI URL.
    pub url: Option<String>,
}

/// Where the artifact says it belongs (readyboard JSON carries this).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Placement {
    /// Project slug.
    pub project: Option<String>,
    /// Phase slug.
    pub phase: Option<String>,
    /// Phase display name.
    pub phase_name: Option<String>,
    /// Suite name.
    pub suite: Option<String>,
    /// Suite kind (its default category).
    pub kind: Option<String>,
}

/// Everything extracted from one artifact.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ParsedReport {
    /// Detected or forced format name.
    pub format: String,
    /// Placement carried by the artifact.
    pub placement: Placement,
    /// Run metadata carried by the artifact.
    pub run: RunMeta,
    /// Checks.
    pub checks: Vec<Check>,
    /// Metrics.
    pub metrics: Vec<Metric>,
    /// Findings.
    pub findings: Vec<Finding>,
    /// Claims.
    pub claimed: Option<Claimed>,
    /// Problems that are not tests but must stay visible (e.g. a suite-level build error).
    pub notes: Vec<String>,
    /// Whether every check, metric and finding of the artifact was measured or self-reported.
    #[serde(default)]
    pub provenance: Provenance,
}

/// Summary counts of a report, as the upload API returns them: every check in exactly one
/// bucket, as the scoring formula treats it (`passed + partial + failed + errors + skipped +
/// not_run = tests`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct Counts {
    /// Checks that are tests (every check, and every metric with a target).
    #[cfg_attr(feature = "sqlx", sqlx(try_from = "i64"))]
    pub tests: u64,
    /// Passed (full credit).
    #[cfg_attr(feature = "sqlx", sqlx(try_from = "i64"))]
    pub passed: u64,
    /// Failed (no credit).
    #[cfg_attr(feature = "sqlx", sqlx(try_from = "i64"))]
    pub failed: u64,
    /// Errors, apart from failures (no credit).
    #[cfg_attr(feature = "sqlx", sqlx(try_from = "i64"))]
    pub errors: u64,
    /// Skipped: left out of the score.
    #[cfg_attr(feature = "sqlx", sqlx(try_from = "i64"))]
    pub skipped: u64,
    /// Partly met or met with reservations — warn or partial (half credit, or score/max).
    #[serde(default)]
    #[cfg_attr(feature = "sqlx", sqlx(try_from = "i64"))]
    pub partial: u64,
    /// Planned but not executed, statements of intent, stale evidence (no credit).
    #[serde(default)]
    #[cfg_attr(feature = "sqlx", sqlx(try_from = "i64"))]
    pub not_run: u64,
}

impl Counts {
    /// Tallies a list of statuses.
    pub fn of<'a>(statuses: impl IntoIterator<Item = &'a Status>) -> Counts {
        let mut c = Counts::default();
        for s in statuses {
            c.add(*s, 1);
        }
        c
    }

    /// Counts `n` more checks of one status.
    pub fn add(&mut self, status: Status, n: u64) {
        self.tests += n;
        match status {
            Status::Pass => self.passed += n,
            Status::Fail => self.failed += n,
            Status::Partial | Status::Warn => self.partial += n,
            Status::Error => self.errors += n,
            Status::Skip => self.skipped += n,
            Status::NotRun => self.not_run += n,
        }
    }

    /// Adds another tally to this one.
    pub fn merge(&mut self, other: &Counts) {
        self.tests += other.tests;
        self.passed += other.passed;
        self.failed += other.failed;
        self.errors += other.errors;
        self.skipped += other.skipped;
        self.partial += other.partial;
        self.not_run += other.not_run;
    }

    /// Checks that enter the score (all but skipped).
    pub fn scored(&self) -> u64 {
        self.tests - self.skipped
    }
}

impl ParsedReport {
    /// Counts over checks, with metric targets counted as checks.
    pub fn counts(&self) -> Counts {
        let metric_statuses: Vec<Status> = self
            .metrics
            .iter()
            .filter_map(|m| m.met())
            .map(|ok| if ok { Status::Pass } else { Status::Fail })
            .collect();
        Counts::of(self.checks.iter().map(|c| &c.status).chain(metric_statuses.iter()))
    }
}
