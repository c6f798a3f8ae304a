//! The REST API under `/api/v1`, plus health and metrics endpoints.

pub mod blockers;
pub mod bodies;
pub mod checklist;
pub mod doc;
pub mod export;
pub mod problem;
pub mod projects;
pub mod reference;
pub mod reports;
pub mod trends;
pub mod writes;

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::handler::Handler;
use axum::http::{Method, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{MethodFilter, MethodRouter, any};
use readyboard_domain::role::Role;

use crate::state::AppState;
use bodies::{Health, Readiness};
use problem::{ApiError, Problem};

/// Who may call an endpoint. The router is built from the same table that declares it
/// (see [`endpoints`]), and the authorization matrix test holds every route to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (health, readiness, the schema and API documents; forms that check
    /// credentials themselves).
    Public,
    /// As the `metrics` setting says: anyone by default, a metrics token, or nobody.
    Metrics,
    /// A logged-in person, or a token of the project the resource belongs to.
    Read,
    /// Like [`Access::Read`]; anyone too when the project publishes its status.
    Status,
    /// A token of the project the report is for.
    Upload,
    /// A logged-in person with at least this role.
    Session(Role),
    /// A person with at least this role, by session or personal access token (project
    /// tokens are refused).
    Person(Role),
    /// Nobody: an API path that does not exist.
    Nobody,
}

/// One route: its method (`None`: every method), path template and who may call it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The HTTP method, or `None` when the route answers every method.
    pub method: Option<Method>,
    /// The path template as axum reads it (`/api/v1/reports/{id}`).
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
}

/// A route answering `method` with `handler`, declared with its access.
pub(crate) fn on<H, T>(
    method: Method,
    path: &'static str,
    access: Access,
    handler: H,
) -> (Endpoint, MethodRouter<AppState>)
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let filter = MethodFilter::try_from(method.clone()).expect("a method axum routes");
    (Endpoint { method: Some(method), path, access }, axum::routing::on(filter, handler))
}

/// Every REST and operational route with its handler: [`routes`] builds the router from
/// it and [`endpoints`] lists it, so the two cannot differ.
fn table(upload_limit: usize) -> Vec<(Endpoint, MethodRouter<AppState>)> {
    use Access::{Metrics, Nobody, Person, Public, Read, Status, Upload};
    use Role::{Approver, Editor};
    let (upload, upload_route) = on(Method::POST, "/api/v1/reports", Upload, reports::upload);
    vec![
        on(Method::GET, "/healthz", Public, healthz),
        on(Method::GET, "/readyz", Public, readyz),
        on(Method::GET, "/metrics", Metrics, metrics),
        // The upload reads its body with its own (larger, decompression-aware) limit.
        (upload, upload_route.layer(DefaultBodyLimit::max(upload_limit))),
        on(Method::GET, "/api/v1/reports/{id}", Read, reports::get_report),
        on(Method::GET, "/api/v1/reports/{id}/checks", Read, reports::get_checks),
        on(Method::GET, "/api/v1/reports/{id}/raw", Read, reports::get_raw),
        on(Method::GET, "/api/v1/reports/{id}/diff", Read, reports::get_diff),
        on(Method::GET, "/api/v1/projects", Read, projects::list),
        on(Method::GET, "/api/v1/projects/{p}/trends", Read, trends::project_json),
        on(Method::GET, "/api/v1/projects/{p}/trends/score.svg", Read, trends::project_chart),
        on(Method::GET, "/api/v1/projects/{p}/phases/{ph}", Read, projects::scorecard),
        on(Method::GET, "/api/v1/projects/{p}/phases/{ph}/status", Status, projects::status),
        on(Method::GET, "/api/v1/projects/{p}/phases/{ph}/badge.svg", Status, projects::badge),
        on(Method::GET, "/api/v1/projects/{p}/phases/{ph}/blockers", Read, projects::blockers),
        on(Method::GET, "/api/v1/projects/{p}/phases/{ph}/decisions", Read, projects::decisions),
        on(Method::GET, "/api/v1/projects/{p}/phases/{ph}/decisions/{id}", Read, projects::decision),
        on(Method::GET, "/api/v1/projects/{p}/phases/{ph}/checklist", Read, checklist::get),
        on(Method::GET, "/api/v1/projects/{p}/phases/{ph}/export.md", Read, export::phase_md),
        on(Method::GET, "/api/v1/projects/{p}/phases/{ph}/export.json", Read, export::phase_json),
        on(Method::GET, "/api/v1/projects/{p}/phases/{ph}/decisions/{id}/export.md", Read, export::decision_md),
        on(Method::GET, "/api/v1/projects/{p}/phases/{ph}/trends", Read, trends::series),
        on(Method::GET, "/api/v1/projects/{p}/phases/{ph}/trends/{chart}", Read, trends::chart),
        on(Method::GET, "/api/v1/blockers", Read, blockers::list),
        on(Method::GET, crate::live::PATH, Read, crate::live::events),
        on(Method::POST, "/api/v1/projects/{p}/phases/{ph}/decisions", Person(Approver), writes::record_decision),
        on(Method::POST, "/api/v1/projects/{p}/phases/{ph}/blockers", Person(Editor), writes::add_blocker),
        on(Method::POST, "/api/v1/blockers/{id}/assign", Person(Editor), writes::assign_blocker),
        on(Method::POST, "/api/v1/blockers/{id}/resolve", Person(Editor), writes::resolve_blocker),
        on(Method::POST, "/api/v1/blockers/{id}/waive", Person(Approver), writes::waive_blocker),
        on(Method::POST, "/api/v1/blockers/{id}/reopen", Person(Approver), writes::reopen_blocker),
        on(Method::POST, "/api/v1/projects/{p}/phases/{ph}/checklist", Person(Editor), writes::add_item),
        on(Method::PUT, "/api/v1/checklist/{id}", Person(Editor), writes::update_item),
        on(Method::DELETE, "/api/v1/checklist/{id}", Person(Editor), writes::delete_item),
        on(Method::POST, "/api/v1/checklist/{id}/signoffs", Person(Approver), writes::sign_item),
        on(Method::GET, "/api/v1/schema/report.json", Public, schema),
        on(Method::GET, "/api/v1/openapi.json", Public, openapi),
        on(Method::GET, reference::PATH, Public, doc::reference_page),
        (Endpoint { method: None, path: "/api/{*rest}", access: Nobody }, any(not_found)),
    ]
}

/// The REST and operational routes with who may call them, as [`routes`] serves them.
pub fn endpoints() -> Vec<Endpoint> {
    table(0).into_iter().map(|(endpoint, _)| endpoint).collect()
}

/// Routes of the REST API and the operational endpoints.
pub fn routes(state: &AppState) -> Router<AppState> {
    table(state.settings.max_upload + 1024)
        .into_iter()
        .fold(Router::new(), |router, (endpoint, route)| router.route(endpoint.path, route))
}

/// `GET /healthz`: the process is up.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "Operations",
    operation_id = "healthz",
    summary = "Process is up",
    description = "Answers as long as the process runs, whatever the database does: a liveness probe.",
    responses((status = 200, description = "The process is up", body = Health)),
    security()
)]
async fn healthz() -> impl IntoResponse {
    Json(Health { status: "ok", version: env!("CARGO_PKG_VERSION") })
}

/// Longest `/readyz` waits for the database: a load balancer must learn quickly that this
/// instance cannot serve, not after the pool's acquire timeout.
const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(750);

/// `GET /readyz`: the database answers.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "Operations",
    operation_id = "readyz",
    summary = "Database is reachable",
    description = "A readiness probe: 503 when the database does not answer within a second.",
    responses(
        (status = 200, description = "Ready: the database answers", body = Readiness),
        (status = 503, description = "Database unreachable; `Retry-After` says when to ask again", body = Readiness,
            headers(("Retry-After" = u32, description = "Seconds to wait")))
    ),
    security()
)]
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let down = |cause: String| {
        tracing::error!(error = %cause, "readiness check failed");
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5")],
            Json(Readiness { database: "unreachable", status: "unavailable" }),
        )
            .into_response()
    };
    match tokio::time::timeout(READY_TIMEOUT, state.store.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, Json(Readiness { database: "ok", status: "ok" })).into_response(),
        Ok(Err(e)) => down(e.to_string()),
        Err(_) => down(format!("no answer within {READY_TIMEOUT:?}")),
    }
}

/// `GET /metrics`: Prometheus metrics.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "Operations",
    operation_id = "metrics",
    summary = "Prometheus metrics",
    description = "Metrics in the OpenMetrics text format. The `metrics` setting decides who may read them: \
        anyone (the default), callers sending the metrics token, or nobody (then 404).",
    responses(
        (status = 200, description = "Text exposition format", body = String,
            content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8"),
        (status = 401, description = "The metrics token is required and was not sent", body = Problem,
            content_type = "application/problem+json"),
        (status = 404, description = "Metrics are switched off", body = Problem,
            content_type = "application/problem+json")
    ),
    security((), ("metrics_token" = []))
)]
async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> axum::response::Response {
    let access = &state.settings.metrics_access;
    if matches!(access, crate::metrics::Access::Off) {
        return not_found().await.into_response();
    }
    if !access.allows(headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())) {
        let mut resp =
            ApiError::unauthorized_msg("`/metrics` needs `Authorization: Bearer <metrics token>`.").into_response();
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
        return resp;
    }
    let text = state.metrics.render(&state.store).await;
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], text).into_response()
}

/// `GET /api/v1/schema/report.json`: the JSON Schema of readyboard JSON v1.
#[utoipa::path(
    get,
    path = "/api/v1/schema/report.json",
    tag = "Documents",
    operation_id = "reportSchema",
    summary = "JSON Schema of readyboard JSON v1",
    description = "The schema a report in readyboard's own JSON format follows.",
    responses((status = 200, description = "A JSON Schema", body = Object, content_type = "application/schema+json")),
    security()
)]
async fn schema() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/schema+json")], readyboard_domain::ingest::REPORT_SCHEMA)
}

/// `GET /api/v1/openapi.json`: this API's OpenAPI document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "Documents",
    operation_id = "openapi",
    summary = "This document",
    description = "The OpenAPI 3.1 document of the API, generated from the code that serves it. \
        `/api/docs` shows it as a page.",
    responses((status = 200, description = "An OpenAPI document", body = Object, content_type = "application/json")),
    security()
)]
async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], doc::json())
}

async fn not_found() -> ApiError {
    ApiError::not_found("API endpoint").detail("See /api/v1/openapi.json for the available endpoints.")
}
