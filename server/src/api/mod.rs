//! The REST API under `/api/v1`, plus health and metrics endpoints.

pub mod blockers;
pub mod checklist;
pub mod export;
pub mod problem;
pub mod projects;
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
use serde_json::json;

use crate::state::AppState;
use problem::ApiError;

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

async fn healthz() -> impl IntoResponse {
    Json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

/// Longest `/readyz` waits for the database: a load balancer must learn quickly that this
/// instance cannot serve, not after the pool's acquire timeout.
const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(750);

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
    let text = state.metrics.render(&state.store).await;
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], text).into_response()
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

#[cfg(test)]
mod documented {
    /// Every REST route is in the OpenAPI document with its method, and the document lists
    /// no route the router does not serve.
    #[test]
    fn the_openapi_document_covers_every_route() {
        let doc: serde_json::Value = serde_json::from_str(include_str!("openapi.json")).expect("valid JSON");
        let paths = doc["paths"].as_object().expect("paths");
        let mut missing = Vec::new();
        for e in super::endpoints() {
            let Some(method) = e.method else { continue };
            if paths.get(e.path).is_none_or(|p| p.get(method.as_str().to_ascii_lowercase()).is_none()) {
                missing.push(format!("{method} {}", e.path));
            }
        }
        assert!(missing.is_empty(), "routes missing from openapi.json: {missing:?}");
        let served: Vec<&str> = super::endpoints().iter().map(|e| e.path).collect();
        let stale: Vec<&String> = paths.keys().filter(|p| !served.contains(&p.as_str())).collect();
        assert!(stale.is_empty(), "openapi.json documents routes the router does not serve: {stale:?}");
    }
}
