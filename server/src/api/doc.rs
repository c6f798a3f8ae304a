//! The OpenAPI document of the API, generated from the handlers' annotations and the types
//! they answer with, and served at `/api/v1/openapi.json`.

use std::sync::{LazyLock, OnceLock};

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::problem::Problem;
use super::reference;
use super::{blockers, checklist, export, projects, reports, trends, writes};
use crate::state::AppState;

/// The API's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "readyboard API",
        version = "1",
        description = "Upload readiness evidence and read scorecards, blockers, decisions, checklists and \
            trends. Errors are `application/problem+json` (RFC 9457). A project token uploads to and reads \
            its own project; people read and write with a personal access token or their session."
    ),
    servers((url = "/")),
    paths(
        super::healthz,
        super::readyz,
        super::metrics,
        reports::upload,
        reports::get_report,
        reports::get_checks,
        reports::get_raw,
        reports::get_diff,
        projects::list,
        trends::project_json,
        trends::project_chart,
        projects::scorecard,
        projects::status,
        projects::badge,
        projects::blockers,
        projects::decisions,
        projects::decision,
        checklist::get,
        export::phase_md,
        export::phase_json,
        export::decision_md,
        trends::series,
        trends::chart,
        blockers::list,
        crate::live::events,
        writes::record_decision,
        writes::add_blocker,
        writes::assign_blocker,
        writes::resolve_blocker,
        writes::waive_blocker,
        writes::reopen_blocker,
        writes::add_item,
        writes::update_item,
        writes::delete_item,
        writes::sign_item,
        super::schema,
        super::openapi,
        reference_page,
    ),
    components(schemas(Problem)),
    modifiers(&Schemes),
    tags(
        (name = "Reports", description = "Uploading evidence and reading stored reports"),
        (name = "Projects", description = "The projects the caller may read"),
        (name = "Phases", description = "A phase's scorecard, deploy gate and badge"),
        (name = "Blockers", description = "What stands between a phase and READY"),
        (name = "Decisions", description = "Go/no-go decisions with their frozen evidence"),
        (name = "Checklist", description = "A phase's checklist items and sign-offs"),
        (name = "Trends", description = "Series and charts over time"),
        (name = "Exports", description = "Readiness reports and decision records to download"),
        (name = "Live", description = "Changes as they happen"),
        (name = "Documents", description = "Schemas and this API's own documentation"),
        (name = "Operations", description = "Probes and metrics for running the server"),
    )
)]
pub struct ApiDoc;

/// Adds the ways a caller proves who it is.
struct Schemes;

impl Modify for Schemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let bearer = |description: &str| {
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some(description)).build(),
            )
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "project_token",
            bearer(
                "A project API token (`rbt_…`) as `Authorization: Bearer <token>`: uploads reports to its \
                 project and reads that project only.",
            ),
        );
        components.add_security_scheme(
            "personal_token",
            bearer(
                "A personal access token (`rbp_…`) as `Authorization: Bearer <token>`: acts as its person, \
                 with that person's role. People create and revoke their own at `/account/tokens`.",
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::security::SESSION_COOKIE,
                "The session cookie of a person logged in through the browser.",
            ))),
        );
        components.add_security_scheme(
            "metrics_token",
            bearer("The metrics token, when the `metrics` setting asks for one."),
        );
    }
}

/// The document as pretty-printed JSON, built once.
pub fn json() -> &'static str {
    static JSON: LazyLock<String> = LazyLock::new(|| {
        ApiDoc::openapi().to_pretty_json().unwrap_or_else(|e| {
            tracing::error!(error = %e, "the OpenAPI document could not be written");
            String::from("{}")
        })
    });
    &JSON
}

/// `GET /api/docs`: the API reference as a page.
#[utoipa::path(
    get,
    path = "/api/docs",
    tag = "Documents",
    operation_id = "apiReference",
    summary = "This API's reference as a page",
    description = "The OpenAPI document rendered as one HTML page: operations by tag, who may call each, \
        parameters, request bodies and responses with their fields.",
    responses((status = 200, description = "An HTML page", body = String, content_type = "text/html; charset=utf-8")),
    security()
)]
pub async fn reference_page(State(state): State<AppState>) -> Response {
    // The document and the bundle do not change while the process runs: made once.
    static PAGE: OnceLock<String> = OnceLock::new();
    let page = PAGE.get_or_init(|| reference::render(json(), &state.leptos.output_name));
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page.as_str()).into_response()
}

#[cfg(test)]
mod tests;
