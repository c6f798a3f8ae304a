//! The REST API under `/api/v1`, plus health and metrics endpoints.

pub mod blockers;
pub mod checklist;
pub mod export;
pub mod problem;
pub mod projects;
pub mod reports;
pub mod trends;

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{any, get, post};
use serde_json::json;

use crate::state::AppState;
use problem::ApiError;

/// Routes of the REST API and the operational endpoints.
pub fn routes(state: &AppState) -> Router<AppState> {
    // The upload reads its body with its own (larger, decompression-aware) limit.
    let upload_limit = state.settings.max_upload + 1024;
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/api/v1/reports", post(reports::upload).layer(DefaultBodyLimit::max(upload_limit)))
        .route("/api/v1/reports/{id}", get(reports::get_report))
        .route("/api/v1/reports/{id}/checks", get(reports::get_checks))
        .route("/api/v1/reports/{id}/raw", get(reports::get_raw))
        .route("/api/v1/reports/{id}/diff", get(reports::get_diff))
        .route("/api/v1/projects", get(projects::list))
        .route("/api/v1/projects/{p}/trends", get(trends::project_json))
        .route("/api/v1/projects/{p}/trends/score.svg", get(trends::project_chart))
        .route("/api/v1/projects/{p}/phases/{ph}", get(projects::scorecard))
        .route("/api/v1/projects/{p}/phases/{ph}/status", get(projects::status))
        .route("/api/v1/projects/{p}/phases/{ph}/badge.svg", get(projects::badge))
        .route("/api/v1/projects/{p}/phases/{ph}/blockers", get(projects::blockers))
        .route("/api/v1/projects/{p}/phases/{ph}/decisions", get(projects::decisions))
        .route("/api/v1/projects/{p}/phases/{ph}/decisions/{id}", get(projects::decision))
        .route("/api/v1/projects/{p}/phases/{ph}/checklist", get(checklist::get))
        .route("/api/v1/projects/{p}/phases/{ph}/export.md", get(export::phase_md))
        .route("/api/v1/projects/{p}/phases/{ph}/export.json", get(export::phase_json))
        .route("/api/v1/projects/{p}/phases/{ph}/decisions/{id}/export.md", get(export::decision_md))
        .route("/api/v1/projects/{p}/phases/{ph}/trends", get(trends::series))
        .route("/api/v1/projects/{p}/phases/{ph}/trends/{chart}", get(trends::chart))
        .route("/api/v1/blockers", get(blockers::list))
        .route("/api/v1/schema/report.json", get(schema))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/{*rest}", any(not_found))
}

async fn healthz() -> impl IntoResponse {
    Json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

/// Longest `/readyz` waits for the database: a load balancer must learn quickly that this
/// instance cannot serve, not after the pool's acquire timeout.
const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let down = |cause: String| {
        tracing::error!(error = %cause, "readiness check failed");
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5")],
            Json(json!({"status": "unavailable", "database": "unreachable"})),
        )
            .into_response()
    };
    match tokio::time::timeout(READY_TIMEOUT, state.store.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, Json(json!({"status": "ok", "database": "ok"}))).into_response(),
        Ok(Err(e)) => down(e.to_string()),
        Err(_) => down(format!("no answer within {READY_TIMEOUT:?}")),
    }
}

async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> axum::response::Response {
    let access = &state.settings.metrics_access;
    if *access == crate::metrics::Access::Off {
        return not_found().await.into_response();
    }
    if !access.allows(headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())) {
        let mut resp =
            ApiError::unauthorized_msg("`/metrics` needs `Authorization: Bearer <metrics token>`.").into_response();
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
        return resp;
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render()).into_response()
}

async fn schema() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/schema+json")], readyboard_domain::ingest::REPORT_SCHEMA)
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], include_str!("openapi.json"))
}

async fn not_found() -> ApiError {
    ApiError::not_found("API endpoint").detail("See /api/v1/openapi.json for the available endpoints.")
}
