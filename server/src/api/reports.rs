//! `POST /api/v1/reports` (upload) and the report read endpoints.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use readyboard_domain::diff::DiffEntry;
use readyboard_domain::ingest::{Format, IngestError};
use readyboard_domain::model::{Provenance, Status};
use readyboard_store::{IngestOutcome, MetricChange, NewReport, StoredReport};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::bodies::{ReadErrors, UploadErrors, sorted};
use super::problem::{ApiError, Problem};
use crate::auth::Caller;
use crate::intake::{Prepared, Refusal, read_body};
use crate::state::AppState;

/// Query parameters of an upload.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// Project slug (default: the token's project).
    project: Option<String>,
    /// Phase slug, when the format does not carry it.
    phase: Option<String>,
    /// Display name for a new phase.
    phase_name: Option<String>,
    /// Suite name, when the format does not carry it.
    suite: Option<String>,
    /// Suite kind (its default category).
    kind: Option<String>,
    /// Force a format instead of detecting it from the content, e.g. `readyboard`, `junit`, `ctrf`.
    format: Option<String>,
    /// CI run id.
    run_id: Option<String>,
    /// Environment.
    environment: Option<String>,
    /// Commit.
    commit: Option<String>,
    /// Branch.
    branch: Option<String>,
    /// CI URL.
    ci_url: Option<String>,
    /// When the run started, RFC 3339 (e.g. `2025-08-07T10:00:00Z`).
    started_at: Option<String>,
    /// When the run finished, RFC 3339.
    finished_at: Option<String>,
}

fn parse_time(field: &str, value: Option<&str>) -> Result<Option<i64>, ApiError> {
    // The artifact's lenient reading, but a value the request gave that does not read is an error.
    if value.map(str::trim).is_none_or(str::is_empty) {
        return Ok(None);
    }
    crate::intake::artifact_time(value).map(Some).ok_or_else(|| {
        ApiError::bad_request("Invalid timestamp")
            .detail(format!("{field} must be RFC 3339, e.g. 2025-08-07T10:00:00Z"))
            .field(field)
    })
}

pub(crate) fn ingest_error(e: IngestError) -> ApiError {
    match e {
        IngestError::Malformed { format, message, line, column } => {
            ApiError::bad_request(format!("Malformed {format}"))
                .detail(match (line, column) {
                    (Some(l), Some(c)) => format!("{message} (line {l}, column {c})"),
                    _ => message,
                })
                .position(line, column)
        }
        IngestError::NotAReport(msg) => ApiError::unprocessable("Not a report").detail(msg),
        IngestError::UnknownFormat => ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Unrecognised report format")
            .detail(IngestError::UnknownFormat.to_string())
            .supported(Format::SUPPORTED.iter().map(|f| f.as_str().to_string()).collect()),
        IngestError::TooDeep => ApiError::bad_request("Document nested too deeply"),
        IngestError::Limit(e) => limit_error(e),
    }
}

/// 422 naming the field that breaks a limit.
pub(crate) fn limit_error(e: readyboard_domain::limits::LimitError) -> ApiError {
    ApiError::unprocessable("Report refused by a limit").detail(e.to_string()).field(e.field)
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "Report too large")
        .detail(format!("Reports are limited to {} MiB after decompression.", limit / (1024 * 1024)))
}

/// The problem a refused report answers with.
fn refusal(r: Refusal) -> ApiError {
    match r {
        Refusal::TooLarge { limit } => too_large(limit),
        Refusal::BadGzip(e) => ApiError::bad_request("Invalid gzip body").detail(e),
        Refusal::Unreadable(e) => ingest_error(e),
        Refusal::Stopped => ApiError::internal(&"the intake threads have stopped"),
    }
}

fn clean(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// A stored report: where it lives, its counts, and its phase's score and verdict — after this
/// report in an upload's answer (or, for an identical upload, the one stored before), now when
/// the report is read later.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadResult {
    /// Report id.
    pub id: i64,
    /// The report's page.
    pub url: String,
    /// Project slug.
    pub project: String,
    /// The report's phase, suite, format and counts, and the phase's score and verdict.
    #[serde(flatten)]
    pub stored: StoredReport,
}

/// The upload response body.
fn outcome_body(state: &AppState, project: &str, o: &IngestOutcome) -> UploadResult {
    UploadResult {
        id: o.report_id,
        url: format!("{}/reports/{}", state.settings.base_url, o.report_id),
        project: project.to_string(),
        stored: o.stored.clone(),
    }
}

/// `POST /api/v1/reports`: stores one artifact, or nothing.
#[utoipa::path(
    post,
    path = "/api/v1/reports",
    tag = "Reports",
    operation_id = "uploadReport",
    summary = "Upload one artifact (format detected from content)",
    description = "Stores one report — readyboard JSON; JUnit, NUnit or xUnit.net XML; TRX; CTRF; go test2json; \
        Jest, Playwright, pytest-json-report or mocha JSON; SARIF; a k6 summary; a Markdown report — its format \
        detected from the content unless `format` forces one. The body may be gzip-compressed (`Content-Encoding: gzip`); its size is limited \
        after decompression. Where the report goes comes from the query first, then the report itself, then \
        the token's project. An upload identical to a stored one (same content and placement, or the same \
        `Idempotency-Key`) stores nothing and answers 200 with the first result.",
    params(
        UploadQuery,
        ("Idempotency-Key" = Option<String>, Header,
            description = "Up to 200 characters: a retry with the same key stores nothing new"),
        ("Content-Encoding" = Option<String>, Header, description = "`gzip` when the body is compressed")
    ),
    request_body(
        description = "The report as produced by its tool, optionally gzip-compressed",
        content(
            ("application/octet-stream"),
            ("application/xml"),
            ("application/json"),
            ("text/markdown"),
            ("text/plain")
        )
    ),
    responses(
        (status = 201, description = "Stored report; `Location` names it", body = UploadResult,
            headers(("Location" = String, description = "The report in the API"),
                ("Server-Timing" = String, description = "Time spent parsing and storing"))),
        (status = 200, description = "Identical upload already stored: the first result", body = UploadResult),
        UploadErrors
    ),
    security(("project_token" = []))
)]
#[tracing::instrument(skip_all, fields(project, phase, suite))]
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(q): Query<UploadQuery>,
    body: Body,
) -> Result<Response, ApiError> {
    let result = upload_inner(&state, caller, &headers, q, body).await;
    if result.is_err() {
        state.metrics.record_ingest("unknown", "rejected", None, 0.0);
    }
    result
}

async fn upload_inner(
    state: &AppState,
    caller: Caller,
    headers: &HeaderMap,
    q: UploadQuery,
    body: Body,
) -> Result<Response, ApiError> {
    let Caller::Token(scope) = &caller else {
        return Err(ApiError::forbidden("Uploads need a project API token (`Authorization: Bearer <token>`)."));
    };
    let limit = state.settings.max_upload;
    let receiving = std::time::Instant::now();
    let raw = read_body(body, headers, limit + 1024).await.map_err(refusal)?;
    let received = std::time::Instant::now();
    let gzipped = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("gzip"));
    let forced = forced_format(clean(q.format.clone()))?;
    let idempotency_key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty() && s.len() <= 200);

    // One report at a time per intake slot, from parsing to commit: uploads queue rather
    // than take the CPU pages need.
    let _slot = state.intake.admit().await.map_err(|_| ApiError::busy())?;
    let started = std::time::Instant::now();
    let prepared = state.intake.prepare(raw, gzipped, forced, limit).await.map_err(refusal)?;
    let raw_size = prepared.raw_size;
    let (project, mut new) = placed(scope, q, prepared)?;
    new.idempotency_key = idempotency_key;
    let parsed_at = std::time::Instant::now();
    let outcome = state.store.ingest(&caller.actor(), &new).await?;
    let big = new.parsed.checks.len() >= 10_000;
    drop(new);
    if big {
        // The system allocator keeps what a big report used in the arena of whichever thread
        // parsed it; hand it back so that memory does not pile up across uploads.
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        tokio::task::spawn_blocking(|| {
            // SAFETY: malloc_trim only releases free memory; it is safe to call at any time.
            unsafe { libc::malloc_trim(0) };
        });
    }
    // Server-Timing tells clients (and the benchmark) where the time went.
    let ms = |from: std::time::Instant, to: std::time::Instant| (to - from).as_secs_f64() * 1000.0;
    let timing = format!(
        "receive;desc=\"read the body\";dur={:.1}, wait;desc=\"wait for a turn\";dur={:.1}, parse;desc=\"parse and compress\";dur={:.1}, store;dur={:.1}, encode;desc=\"tally the checks\";dur={:.1}, write;desc=\"the transaction\";dur={:.1}",
        ms(receiving, received),
        ms(received, started),
        ms(started, parsed_at),
        ms(parsed_at, std::time::Instant::now()),
        outcome.timing.encode_ms,
        outcome.timing.write_ms,
    );
    let status = if outcome.created {
        tracing::info!(report = outcome.report_id, checks = outcome.stored.counts.tests, "report stored");
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let outcome_word = if outcome.created { "created" } else { "duplicate" };
    state.metrics.record_ingest(
        &outcome.stored.format,
        outcome_word,
        outcome.created.then_some(raw_size),
        started.elapsed().as_secs_f64(),
    );
    let location = format!("/api/v1/reports/{}", outcome.report_id);
    let body = sorted(&outcome_body(state, &project, &outcome))?;
    Ok((status, [(header::LOCATION, location), (HeaderName::from_static("server-timing"), timing)], body)
        .into_response())
}

/// The format `?format=` names, if any.
fn forced_format(name: Option<String>) -> Result<Option<Format>, ApiError> {
    let Some(name) = name else { return Ok(None) };
    Format::parse_name(&name).map(Some).ok_or_else(|| {
        ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Unknown format")
            .detail(format!("format={name} is not supported"))
            .supported(Format::SUPPORTED.iter().map(|f| f.as_str().to_string()).collect())
    })
}

/// Where a prepared report goes — the query's names first, then the report's own, then the
/// token's project — checked against the token and the name limits; returns the project slug
/// and the report to store (without its idempotency key).
fn placed(
    scope: &readyboard_store::TokenScope,
    q: UploadQuery,
    prepared: Prepared,
) -> Result<(String, NewReport), ApiError> {
    let parsed = &prepared.parsed;
    let project =
        clean(q.project).or_else(|| parsed.placement.project.clone()).unwrap_or_else(|| scope.project_slug.clone());
    if project != scope.project_slug {
        return Err(ApiError::forbidden(format!(
            "This token may upload to project `{}` only, not `{project}`.",
            scope.project_slug
        )));
    }
    let phase = clean(q.phase).or_else(|| parsed.placement.phase.clone()).ok_or_else(|| {
        ApiError::unprocessable("Missing phase")
            .detail("Pass ?phase=<slug>; this format does not name one.")
            .field("phase")
    })?;
    if !readyboard_domain::slug::is_valid(&phase) {
        return Err(ApiError::unprocessable("Invalid phase")
            .detail("phase: 1–64 characters of a-z, 0-9, '-', '_', '.'")
            .field("phase"));
    }
    let suite = clean(q.suite).or_else(|| parsed.placement.suite.clone()).ok_or_else(|| {
        ApiError::unprocessable("Missing suite")
            .detail("Pass ?suite=<name>; this format does not name one.")
            .field("suite")
    })?;
    // Names the request chose are checked with the limits every report meets.
    let phase_name = clean(q.phase_name).or_else(|| parsed.placement.phase_name.clone());
    let kind = clean(q.kind).or_else(|| parsed.placement.kind.clone());
    for (field, value) in [("suite", Some(&suite)), ("phase_name", phase_name.as_ref()), ("kind", kind.as_ref())] {
        if let Some(v) = value {
            readyboard_domain::limits::label(field, v).map_err(limit_error)?;
        }
    }
    tracing::Span::current()
        .record("project", project.as_str())
        .record("phase", phase.as_str())
        .record("suite", suite.as_str());
    let a = &parsed.run;
    let run = readyboard_domain::model::RunMeta {
        id: clean(q.run_id).or_else(|| a.id.clone()),
        started_at: None,
        finished_at: None,
        environment: clean(q.environment).or_else(|| a.environment.clone()),
        commit: clean(q.commit).or_else(|| a.commit.clone()),
        branch: clean(q.branch).or_else(|| a.branch.clone()),
        url: clean(q.ci_url).or_else(|| a.url.clone()),
    };
    let started_at = parse_time("started_at", q.started_at.as_deref())?;
    let finished_at = parse_time("finished_at", q.finished_at.as_deref())?;
    let mut new = prepared.into_report(scope.project_id, phase, suite);
    new.phase_name = phase_name;
    new.create_phase = true;
    new.kind = kind;
    new.run = run;
    new.started_at = started_at.or(new.started_at);
    new.finished_at = finished_at.or(new.finished_at);
    Ok((project, new))
}

async fn readable_report(state: &AppState, caller: &Caller, id: i64) -> Result<readyboard_store::ReportRow, ApiError> {
    let report = state.store.report(id).await.map_err(|e| match e {
        readyboard_store::StoreError::NotFound => ApiError::not_found("Report"),
        other => other.into(),
    })?;
    let project = state.store.project(&report.project_slug).await?;
    if !caller.can_read(project.id) {
        // Do not reveal that the report exists.
        return Err(ApiError::not_found("Report"));
    }
    Ok(report)
}

/// A report's run as the artifact or the upload named it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunInfo {
    /// CI run id.
    pub id: Option<String>,
    /// Environment.
    pub environment: Option<String>,
    /// Commit.
    pub commit: Option<String>,
    /// Branch.
    pub branch: Option<String>,
    /// CI URL.
    pub url: Option<String>,
    /// Start, RFC 3339.
    pub started_at: Option<String>,
    /// Finish, RFC 3339.
    pub finished_at: Option<String>,
}

/// What a report claims about itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimedInfo {
    /// Claimed score, 0–100.
    pub score: Option<f64>,
    /// Claimed verdict as written.
    pub verdict: Option<String>,
}

/// A finding of a report, in brief.
#[derive(Debug, Serialize, ToSchema)]
pub struct FindingBrief {
    /// Stable key of the finding.
    pub id: String,
    /// `critical`, `high`, `medium`, `low` or `info`.
    pub severity: readyboard_domain::model::Severity,
    /// `open`, `resolved` or `suppressed`.
    pub status: readyboard_domain::model::FindingStatus,
    /// One-line title.
    pub title: String,
}

/// A stored report: counts, run, provenance, claims checked against its own evidence, findings.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDetail {
    /// The report, and its phase's score and verdict now.
    #[serde(flatten)]
    pub report: UploadResult,
    /// The score the report's own checks support, one decimal.
    pub report_score: Option<f64>,
    /// When the report was received, RFC 3339.
    pub received_at: String,
    /// The run.
    pub run: RunInfo,
    /// What the report claims about itself; `null` when it claims nothing.
    pub claimed: Option<ClaimedInfo>,
    /// `false` when a claim goes beyond the evidence; `null` without claims.
    pub claim_supported: Option<bool>,
    /// Why a claim is not supported, in words.
    pub claim_reasons: Vec<String>,
    /// The verdict the report's own evidence supports.
    pub report_verdict: readyboard_domain::scoring::Verdict,
    /// Whether the evidence was measured by a tool or self-reported.
    #[schema(value_type = Provenance)]
    pub provenance: String,
    /// Set when retention removed its check rows and raw file (RFC 3339); counts and categories stay.
    pub pruned_at: Option<String>,
    /// Problems that are not tests but must stay visible (a JSON array of strings).
    #[schema(value_type = Vec<String>)]
    pub notes: Value,
    /// Findings.
    pub findings: Vec<FindingBrief>,
}

/// `GET /api/v1/reports/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/reports/{id}",
    tag = "Reports",
    operation_id = "getReport",
    summary = "A report",
    description = "A report: counts, run metadata, provenance (measured or self_reported), claims checked \
        against the report's own evidence (claim_supported, claim_reasons, report_verdict, report_score), findings.",
    params(("id" = i64, Path, description = "Report id")),
    responses((status = 200, description = "The report", body = ReportDetail), ReadErrors),
    security(("project_token" = []), ("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(report = id))]
pub async fn get_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let r = readable_report(&state, &caller, id).await?;
    let findings = state.store.findings(id).await?;
    let phase = state.store.phase_by_id(r.phase_id).await?;
    let card = state.store.evaluate_phase(&phase).await?;
    let judged = state.store.judge_report(&r, &phase, &findings).await?;
    let claims = judged.claims;
    let run = RunInfo {
        id: r.run_id.clone(),
        environment: r.environment.clone(),
        commit: r.commit_sha.clone(),
        branch: r.branch.clone(),
        url: r.ci_url.clone(),
        started_at: r.started_at.map(rfc3339),
        finished_at: r.finished_at.map(rfc3339),
    };
    let claimed = (r.claimed_score.is_some() || r.claimed_verdict.is_some())
        .then(|| ClaimedInfo { score: r.claimed_score, verdict: r.claimed_verdict.clone() });
    let findings = findings
        .into_iter()
        .map(|f| FindingBrief { id: f.finding_key, severity: f.severity, status: f.status, title: f.title })
        .collect();
    sorted(&ReportDetail {
        report: UploadResult {
            id: r.id,
            url: format!("{}/reports/{}", state.settings.base_url, r.id),
            project: r.project_slug,
            stored: StoredReport::new(r.phase_slug, r.suite, r.format, r.counts, &card),
        },
        report_score: judged.score.map(readyboard_domain::scoring::round1),
        received_at: rfc3339(r.received_at),
        run,
        claimed,
        claim_supported: claims.supported,
        claim_reasons: claims.reasons,
        report_verdict: claims.verdict,
        pruned_at: r.pruned_at.map(rfc3339),
        notes: serde_json::from_str::<Value>(&r.notes).unwrap_or(Value::Null),
        findings,
        provenance: r.provenance,
    })
}

fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// Query of the checks listing.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChecksQuery {
    /// Only checks of this status.
    #[param(value_type = Option<Status>)]
    status: Option<String>,
    /// Page, from 1.
    #[param(minimum = 1)]
    page: Option<i64>,
    /// Checks per page, 1–1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    per_page: Option<i64>,
}

/// One check of a report.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckItem {
    /// Stable key within the suite.
    pub id: String,
    /// Name.
    pub name: String,
    /// Where the check lives: nested suite names or class name.
    pub suite_path: String,
    /// Category.
    pub category: Option<String>,
    /// Outcome.
    pub status: readyboard_domain::model::Status,
    /// Duration in milliseconds.
    pub duration_ms: Option<f64>,
    /// Short failure or skip message.
    pub message: String,
    /// Bounded excerpt of trace or output.
    pub details: String,
    /// The check passed only after failed attempts.
    pub flaky: bool,
    /// Retries the runner made.
    pub retries: i64,
    /// The report's provenance: every check of a report shares it.
    #[schema(value_type = Provenance)]
    pub provenance: String,
}

/// A page of a report's checks.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChecksPage {
    /// Checks matching the filter, on every page.
    pub total: i64,
    /// This page, from 1.
    pub page: i64,
    /// Checks per page.
    pub per_page: i64,
    /// The checks of this page, failures first.
    pub items: Vec<CheckItem>,
}

/// `GET /api/v1/reports/{id}/checks`.
#[utoipa::path(
    get,
    path = "/api/v1/reports/{id}/checks",
    tag = "Reports",
    operation_id = "getReportChecks",
    summary = "A page of a report's checks, failures first",
    params(("id" = i64, Path, description = "Report id"), ChecksQuery),
    responses(
        (status = 200, description = "A page of checks", body = ChecksPage),
        (status = 400, description = "Unknown status, or a page or page size out of range (`field` names it)",
            body = Problem, content_type = "application/problem+json"),
        ReadErrors
    ),
    security(("project_token" = []), ("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(report = id))]
pub async fn get_checks(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<ChecksQuery>,
) -> Result<Json<Value>, ApiError> {
    let report = readable_report(&state, &caller, id).await?;
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            ApiError::bad_request("Unknown status")
                .detail(format!(
                    "status must be one of {}",
                    Status::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                ))
                .field("status")
        })?),
        None => None,
    };
    let per_page = q.per_page.unwrap_or(100);
    if !(1..=1000).contains(&per_page) {
        return Err(ApiError::bad_request("Invalid per_page")
            .detail("per_page must be between 1 and 1000")
            .field("per_page"));
    }
    let page = q.page.unwrap_or(1);
    if page < 1 {
        return Err(ApiError::bad_request("Invalid page").detail("page starts at 1").field("page"));
    }
    let (total, rows) =
        state.store.checks(id, status.map(|s| s.as_str()), (page - 1).saturating_mul(per_page), per_page).await?;
    let items = rows
        .into_iter()
        .map(|c| CheckItem {
            id: c.check_key,
            name: c.name,
            suite_path: c.suite_path,
            category: c.category,
            status: c.status,
            duration_ms: c.duration_ms,
            message: c.message,
            details: c.details,
            flaky: c.flaky,
            retries: c.retries,
            provenance: report.provenance.clone(),
        })
        .collect();
    sorted(&ChecksPage { total, page, per_page, items })
}

/// `GET /api/v1/reports/{id}/raw`: the artifact as uploaded (gzip transfer-encoded).
#[utoipa::path(
    get,
    path = "/api/v1/reports/{id}/raw",
    tag = "Reports",
    operation_id = "getReportRaw",
    summary = "The artifact as uploaded, gzip-compressed",
    description = "A download (`Content-Disposition: attachment`) named after the report and its format.",
    params(("id" = i64, Path, description = "Report id")),
    responses(
        (status = 200, description = "The gzip file", body = Vec<u8>, content_type = "application/gzip"),
        (status = 410, description = "The project's retention removed the raw file; counts and categories are kept",
            body = Problem, content_type = "application/problem+json"),
        ReadErrors
    ),
    security(("project_token" = []), ("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(report = id))]
pub async fn get_raw(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    let r = readable_report(&state, &caller, id).await?;
    if let Some(at) = r.pruned_at {
        return Err(ApiError::new(StatusCode::GONE, "Raw file pruned").detail(format!(
            "The project's retention removed this report's raw file and check rows on {}; its counts and categories are kept.",
            rfc3339(at)
        )));
    }
    let gz = state.store.report_raw(id).await?;
    let ext = match r.format.as_str() {
        "junit" | "trx" | "nunit" => "xml",
        "markdown" => "md",
        _ => "json",
    };
    let disposition = format!("attachment; filename=\"report-{}.{ext}.gz\"", r.id);
    Ok(([(header::CONTENT_TYPE, "application/gzip".to_string()), (header::CONTENT_DISPOSITION, disposition)], gz)
        .into_response())
}

/// What changed since the previous report of the same suite.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportChanges {
    /// This report.
    pub id: i64,
    /// The previous report of the suite; `null` for its first.
    pub previous: Option<i64>,
    /// Failing now, not failing before, including new checks that fail.
    pub new_failures: Vec<DiffEntry>,
    /// Failing before, now pass, warn or partial.
    pub fixed: Vec<DiffEntry>,
    /// Whether either report's check rows were pruned (the check changes are then empty).
    pub checks_pruned: bool,
    /// Failing in both runs.
    pub still_failing: Vec<DiffEntry>,
    /// Failing before, now skipped or not run: not fixed, only no longer executed.
    pub no_longer_run: Vec<DiffEntry>,
    /// Checks present only in this report.
    pub added: Vec<DiffEntry>,
    /// Checks present only in the previous report.
    pub removed: Vec<DiffEntry>,
    /// How the metrics moved.
    pub metrics: Vec<MetricChange>,
}

/// `GET /api/v1/reports/{id}/diff`: changes since the previous report of the same suite.
#[utoipa::path(
    get,
    path = "/api/v1/reports/{id}/diff",
    tag = "Reports",
    operation_id = "getReportDiff",
    summary = "Changes since the previous report of the same suite",
    description = "New failures, fixed, still failing, no longer run, added, removed, metric changes \
        (`checks_pruned` when either report's check rows were pruned).",
    params(("id" = i64, Path, description = "Report id")),
    responses((status = 200, description = "The changes", body = ReportChanges), ReadErrors),
    security(("project_token" = []), ("personal_token" = []), ("session" = []))
)]
#[tracing::instrument(skip_all, fields(report = id))]
pub async fn get_diff(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let r = readable_report(&state, &caller, id).await?;
    let d = state.store.diff_with_previous(&r).await?;
    let c = &d.checks;
    sorted(&ReportChanges {
        id: r.id,
        previous: d.previous_id,
        new_failures: c.new_failures.clone(),
        fixed: c.fixed.clone(),
        checks_pruned: d.checks_pruned,
        still_failing: c.still_failing.clone(),
        no_longer_run: c.no_longer_run.clone(),
        added: c.added.clone(),
        removed: c.removed.clone(),
        metrics: d.metrics.clone(),
    })
}
