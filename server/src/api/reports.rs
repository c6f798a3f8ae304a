//! `POST /api/v1/reports` (upload) and the report read endpoints.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use readyboard_domain::ingest::{Format, IngestError};
use readyboard_domain::model::Status;
use readyboard_store::{IngestOutcome, NewReport};
use serde::Deserialize;
use serde_json::{Value, json};

use super::problem::ApiError;
use crate::auth::Caller;
use crate::intake::{Prepared, Refusal, read_body};
use crate::state::AppState;

/// Query parameters of an upload.
#[derive(Debug, Default, Deserialize)]
pub struct UploadQuery {
    project: Option<String>,
    phase: Option<String>,
    phase_name: Option<String>,
    suite: Option<String>,
    kind: Option<String>,
    format: Option<String>,
    run_id: Option<String>,
    environment: Option<String>,
    commit: Option<String>,
    branch: Option<String>,
    ci_url: Option<String>,
    started_at: Option<String>,
    finished_at: Option<String>,
}

fn parse_time(field: &str, value: Option<&str>) -> Result<Option<i64>, ApiError> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339)
        .map(|t| Some((t.unix_timestamp_nanos() / 1_000_000) as i64))
        .map_err(|_| {
            ApiError::bad_request("Invalid timestamp")
                .detail(format!("{field} must be RFC 3339, e.g. 2025-08-07T10:00:00Z"))
                .with("field", field)
        })
}

/// Lenient timestamp from an artifact: unparseable values are dropped, not fatal.
pub(crate) fn artifact_time(value: Option<&str>) -> Option<i64> {
    parse_time("", value).ok().flatten()
}

pub(crate) fn ingest_error(e: IngestError) -> ApiError {
    match e {
        IngestError::Malformed { format, message, line, column } => {
            let mut err = ApiError::bad_request(format!("Malformed {format}")).detail(match (line, column) {
                (Some(l), Some(c)) => format!("{message} (line {l}, column {c})"),
                _ => message,
            });
            if let Some(l) = line {
                err = err.with("line", l);
            }
            if let Some(c) = column {
                err = err.with("column", c);
            }
            err
        }
        IngestError::NotAReport(msg) => ApiError::unprocessable("Not a report").detail(msg),
        IngestError::UnknownFormat => ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Unrecognised report format")
            .detail(IngestError::UnknownFormat.to_string())
            .with("supported", Format::SUPPORTED.iter().map(|f| f.as_str()).collect::<Vec<_>>()),
        IngestError::TooDeep => ApiError::bad_request("Document nested too deeply"),
        IngestError::Limit(e) => limit_error(e),
    }
}

/// 422 naming the field that breaks a limit.
pub(crate) fn limit_error(e: readyboard_domain::limits::LimitError) -> ApiError {
    ApiError::unprocessable("Report refused by a limit").detail(e.to_string()).with("field", e.field)
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

/// The upload response body.
fn outcome_json(state: &AppState, project: &str, o: &IngestOutcome) -> Value {
    json!({
        "id": o.report_id,
        "url": format!("{}/reports/{}", state.settings.base_url, o.report_id),
        "project": project,
        "phase": o.phase,
        "suite": o.suite,
        "format": o.format,
        "counts": o.counts,
        "score": o.score,
        "verdict": o.verdict,
    })
}

/// `POST /api/v1/reports`: stores one artifact, or nothing.
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
    let raw = read_body(body, headers, limit + 1024).await.map_err(refusal)?;
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
    let timing = format!(
        "parse;desc=\"parse and compress\";dur={:.1}, store;dur={:.1}",
        (parsed_at - started).as_secs_f64() * 1000.0,
        parsed_at.elapsed().as_secs_f64() * 1000.0
    );
    let status = if outcome.created {
        tracing::info!(report = outcome.report_id, checks = outcome.counts.tests, "report stored");
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let outcome_word = if outcome.created { "created" } else { "duplicate" };
    state.metrics.record_ingest(
        &outcome.format,
        outcome_word,
        outcome.created.then_some(raw_size),
        started.elapsed().as_secs_f64(),
    );
    let location = format!("/api/v1/reports/{}", outcome.report_id);
    let body = outcome_json(state, &project, &outcome);
    Ok((status, [(header::LOCATION, location), (HeaderName::from_static("server-timing"), timing)], Json(body))
        .into_response())
}

/// The format `?format=` names, if any.
fn forced_format(name: Option<String>) -> Result<Option<Format>, ApiError> {
    let Some(name) = name else { return Ok(None) };
    Format::parse_name(&name).map(Some).ok_or_else(|| {
        ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Unknown format")
            .detail(format!("format={name} is not supported"))
            .with("supported", Format::SUPPORTED.iter().map(|f| f.as_str()).collect::<Vec<_>>())
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
    let Prepared { parsed, content_hash, raw_gzip, raw_size } = prepared;
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
            .with("field", "phase")
    })?;
    if !readyboard_domain::slug::is_valid(&phase) {
        return Err(ApiError::unprocessable("Invalid phase")
            .detail("phase: 1–64 characters of a-z, 0-9, '-', '_', '.'")
            .with("field", "phase"));
    }
    let suite = clean(q.suite).or_else(|| parsed.placement.suite.clone()).ok_or_else(|| {
        ApiError::unprocessable("Missing suite")
            .detail("Pass ?suite=<name>; this format does not name one.")
            .with("field", "suite")
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
    let started_at =
        parse_time("started_at", q.started_at.as_deref())?.or_else(|| artifact_time(a.started_at.as_deref()));
    let finished_at =
        parse_time("finished_at", q.finished_at.as_deref())?.or_else(|| artifact_time(a.finished_at.as_deref()));
    let new = NewReport {
        project_id: scope.project_id,
        phase,
        phase_name,
        create_phase: true,
        suite,
        kind,
        run,
        started_at,
        finished_at,
        received_at: readyboard_store::now_ms(),
        raw_gzip,
        raw_size: raw_size as i64,
        content_hash,
        idempotency_key: None,
        parsed,
    };
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

/// `GET /api/v1/reports/{id}`.
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
    Ok(Json(json!({
        "id": r.id,
        "url": format!("{}/reports/{}", state.settings.base_url, r.id),
        "project": r.project_slug,
        "phase": r.phase_slug,
        "suite": r.suite,
        "format": r.format,
        "counts": r.counts(),
        "score": card.display_score(),
        "verdict": card.verdict.as_str(),
        "report_score": judged.score.map(readyboard_domain::scoring::round1),
        "received_at": rfc3339(r.received_at),
        "run": {
            "id": r.run_id, "environment": r.environment, "commit": r.commit_sha, "branch": r.branch, "url": r.ci_url,
            "started_at": r.started_at.map(rfc3339), "finished_at": r.finished_at.map(rfc3339),
        },
        "claimed": if r.claimed_score.is_some() || r.claimed_verdict.is_some() {
            json!({"score": r.claimed_score, "verdict": r.claimed_verdict})
        } else { Value::Null },
        "claim_supported": claims.supported,
        "claim_reasons": claims.reasons,
        "report_verdict": claims.verdict.as_str(),
        "provenance": r.provenance,
        // Set when retention removed its check rows and raw file; counts and categories stay.
        "pruned_at": r.pruned_at.map(rfc3339),
        "notes": serde_json::from_str::<Value>(&r.notes).unwrap_or(Value::Null),
        "findings": findings.iter().map(|f| json!({"id": f.finding_key, "severity": f.severity, "status": f.status, "title": f.title})).collect::<Vec<_>>(),
    })))
}

fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// Query of the checks listing.
#[derive(Debug, Deserialize)]
pub struct ChecksQuery {
    status: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

/// `GET /api/v1/reports/{id}/checks`.
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
                .with("field", "status")
        })?),
        None => None,
    };
    let per_page = q.per_page.unwrap_or(100);
    if !(1..=1000).contains(&per_page) {
        return Err(ApiError::bad_request("Invalid per_page")
            .detail("per_page must be between 1 and 1000")
            .with("field", "per_page"));
    }
    let page = q.page.unwrap_or(1);
    if page < 1 {
        return Err(ApiError::bad_request("Invalid page").detail("page starts at 1").with("field", "page"));
    }
    let (total, rows) =
        state.store.checks(id, status.map(|s| s.as_str()), (page - 1).saturating_mul(per_page), per_page).await?;
    Ok(Json(json!({
        "total": total,
        "page": page,
        "per_page": per_page,
        "items": rows.iter().map(|c| json!({
            "id": c.check_key, "name": c.name, "suite_path": c.suite_path, "category": c.category,
            "status": c.status, "duration_ms": c.duration_ms, "message": c.message,
            "details": c.details, "flaky": c.flaky, "retries": c.retries,
            // Every check of a report shares its provenance (measured or self-reported).
            "provenance": report.provenance,
        })).collect::<Vec<_>>(),
    })))
}

/// `GET /api/v1/reports/{id}/raw`: the artifact as uploaded (gzip transfer-encoded).
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

/// `GET /api/v1/reports/{id}/diff`: changes since the previous report of the same suite.
pub async fn get_diff(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let r = readable_report(&state, &caller, id).await?;
    let d = state.store.diff_with_previous(&r).await?;
    Ok(Json(json!({
        "id": r.id,
        "previous": d.previous_id,
        "new_failures": d.checks.new_failures,
        "fixed": d.checks.fixed,
        "checks_pruned": d.checks_pruned,
        "still_failing": d.checks.still_failing,
        "no_longer_run": d.checks.no_longer_run,
        "added": d.checks.added,
        "removed": d.checks.removed,
        "metrics": d.metrics,
    })))
}
