//! The middleware that serves kept pages (see `crate::page_cache` for what is kept and why).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use readyboard_store::Lookup;

use crate::page_cache::{CACHE_HEADER, MAX_PAGE, Page, cacheable, cut};
use crate::security::SignedIn;
use crate::state::AppState;

/// Serves a logged-in user's page from the cache when nothing has changed since it was
/// rendered; renders and keeps it otherwise.
pub async fn reuse_pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // A page showing what came of a form is for that one request.
    let shows_form_outcome = req.extensions().get::<readyboard_app::form_outcome::FormOutcome>().is_some();
    if req.method() != Method::GET || !cacheable(req.uri().path()) || shows_form_outcome {
        return next.run(req).await;
    }
    let Some(SignedIn { user_id }) = req.extensions().get::<SignedIn>().copied() else {
        return next.run(req).await;
    };
    // The nonce this response's policy names (see `crate::security::headers`): a page is
    // rendered with it, and a kept page is served with it in place of its own.
    let Some(nonce) = req.extensions().get::<leptos::nonce::Nonce>().map(ToString::to_string) else {
        return next.run(req).await;
    };
    let key = (user_id, req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/").to_string());
    let fresh = req
        .headers()
        .get_all(header::CACHE_CONTROL)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.contains("no-cache") || v.contains("no-store")));
    let now = readyboard_store::now_ms;
    // One request renders an outdated page; identical requests arriving meanwhile get the
    // previous rendering (if it is less than ten seconds old), or else wait and take the new
    // one if it was rendered as of their arrival or later. Without this, every change under
    // a steady stream of uploads had every waiting reader render the same page at once.
    // A hard reload renders afresh without waiting for anybody.
    let flight = if fresh {
        None
    } else {
        let flights = (&state.pages.flights, &key);
        match state.pages.pages.lookup(&key, state.store.generation(), now, flights, true).await {
            Lookup::Ready(page) => return page.respond(&nonce),
            Lookup::Compute(flight) => Some(flight),
        }
    };
    // The generation is read before rendering: a change made meanwhile outdates the page.
    let generation = state.store.generation();
    let resp = next.run(req).await;
    if resp.status() != StatusCode::OK || !crate::assets::is_html(&resp) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => {
            tracing::error!(error = %e, "rendering a page failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if body.len() <= MAX_PAGE {
        let pieces = cut(&body, &nonce);
        let page = Page { status: parts.status, headers: parts.headers.clone(), pieces };
        state.pages.pages.put(key, generation, now(), Arc::new(page));
    }
    drop(flight);
    parts.headers.insert(CACHE_HEADER, HeaderValue::from_static("miss"));
    Response::from_parts(parts, Body::from(body))
}
