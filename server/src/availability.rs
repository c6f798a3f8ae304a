//! While the database cannot be reached, every request that needs it is answered 503 with
//! `Retry-After` at once, instead of after the connection pool's acquire timeout.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api::problem::ApiError;
use crate::state::AppState;

/// Answers 503 when the store's reachability probe says the database is down; `/healthz`
/// (the process is up) and static assets are served all the same.
pub async fn gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if state.store.reachable() {
        return next.run(req).await;
    }
    let path = req.uri().path();
    if path == "/healthz" || path.starts_with("/pkg/") || (path.rfind('/') == Some(0) && path.contains('.')) {
        return next.run(req).await;
    }
    if path.starts_with("/api/") || path == "/readyz" || path == "/metrics" {
        return ApiError::unavailable(&"the database is unreachable").into_response();
    }
    crate::unavailable::page()
}
