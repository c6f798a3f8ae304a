//! Rendered pages reused for the same user's identical request while nothing has changed.
//!
//! Pages are assembled from views the store memoizes until its next change (two seconds
//! at most), so rendering one again within that window gives the same bytes, except for
//! the Content-Security-Policy nonce. A page rendered for a user is therefore kept under
//! the store generation it was rendered at and served again, with the nonce of the request
//! (which its policy names, see `crate::security::headers`) put in place of the old one, until anything changes or two seconds pass. A request saying
//! `Cache-Control: no-cache` (a browser's hard reload) is always rendered afresh. A page
//! that is rendered is read whole before it is sent, so that it can be kept. While one
//! request renders a page anew, identical requests get the previous rendering if it is less
//! than ten seconds old.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use readyboard_store::{Flights, GenCache, Lookup};

use crate::security::SignedIn;
use crate::state::AppState;

/// Pages kept at once; a burst beyond this starts the map afresh.
const CAPACITY: usize = 256;
/// Larger pages are not kept.
const MAX_PAGE: usize = 512 * 1024;
/// Response header naming whether the page was reused (`hit`) or rendered (`miss`).
pub const CACHE_HEADER: &str = "x-page-cache";

/// One rendered page: its headers and its body cut where the nonce stood.
struct Page {
    status: StatusCode,
    headers: HeaderMap,
    pieces: Vec<Bytes>,
}

/// Rendered pages by (user id, path and query), and the locks that let one request render
/// a missing page while identical requests wait for it.
pub struct PageCache {
    pages: GenCache<(i64, String), Arc<Page>>,
    flights: Flights,
}

impl Default for PageCache {
    fn default() -> Self {
        PageCache { pages: GenCache::with_capacity(CAPACITY), flights: Flights::default() }
    }
}

/// Paths whose pages are never kept: forms for anonymous users, the admin page and a
/// person's own access tokens.
fn cacheable(path: &str) -> bool {
    !matches!(path, "/login" | "/setup" | "/logout" | "/admin" | "/account/tokens")
}

/// Cuts `body` at every occurrence of `nonce`; `None` when the body is not text.
fn cut(body: &Bytes, nonce: &str) -> Option<Vec<Bytes>> {
    let text = std::str::from_utf8(body).ok()?;
    let mut pieces = Vec::new();
    let mut start = 0;
    for (at, _) in text.match_indices(nonce) {
        pieces.push(body.slice(start..at));
        start = at + nonce.len();
    }
    pieces.push(body.slice(start..));
    Some(pieces)
}

impl Page {
    /// The page as a response, with `nonce` in place of the one it was rendered with.
    fn respond(&self, nonce: &str) -> Response {
        let mut body = Vec::with_capacity(self.pieces.iter().map(Bytes::len).sum::<usize>() + 64);
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                body.extend_from_slice(nonce.as_bytes());
            }
            body.extend_from_slice(piece);
        }
        let mut resp = (self.status, Body::from(body)).into_response();
        *resp.headers_mut() = self.headers.clone();
        resp.headers_mut().insert(CACHE_HEADER, HeaderValue::from_static("hit"));
        resp
    }
}

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
    if body.len() <= MAX_PAGE
        && let Some(pieces) = cut(&body, &nonce)
    {
        let page = Page { status: parts.status, headers: parts.headers.clone(), pieces };
        state.pages.pages.put(key, generation, now(), Arc::new(page));
    }
    drop(flight);
    parts.headers.insert(CACHE_HEADER, HeaderValue::from_static("miss"));
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_body_is_cut_at_every_nonce_and_put_back_together_with_another() {
        let body = Bytes::from_static(b"<script nonce=\"abc\">x</script><p>abc</p>abc");
        let pieces = cut(&body, "abc").expect("text");
        assert_eq!(pieces.len(), 4);
        assert_eq!(pieces.concat(), b"<script nonce=\"\">x</script><p></p>");
        let page = Page { status: StatusCode::OK, headers: HeaderMap::new(), pieces };
        let resp = page.respond("XYZ");
        assert_eq!(resp.headers()[CACHE_HEADER], "hit");
        let out = resp.into_body().collect().await.expect("body").to_bytes();
        assert_eq!(&out[..], b"<script nonce=\"XYZ\">x</script><p>XYZ</p>XYZ");
        assert_eq!(cut(&body, "zzz").map(|p| p.len()), Some(1), "no nonce: one piece");
        assert!(cut(&Bytes::from_static(b"\xff\xfe"), "abc").is_none(), "not text: not kept");
    }

    #[test]
    fn forms_admin_and_tokens_are_never_kept() {
        assert!(!cacheable("/login"));
        assert!(!cacheable("/admin"));
        assert!(!cacheable("/account/tokens"));
        assert!(cacheable("/p/shop/phase-4"));
        assert!(cacheable("/"));
    }
}
