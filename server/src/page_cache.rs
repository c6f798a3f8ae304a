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
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use readyboard_store::{Flights, GenCache};

/// Pages kept at once; a burst beyond this starts the map afresh.
const CAPACITY: u64 = 256;
/// Larger pages are not kept.
pub(crate) const MAX_PAGE: usize = 512 * 1024;
/// Response header naming whether the page was reused (`hit`) or rendered (`miss`).
pub const CACHE_HEADER: &str = "x-page-cache";

/// One rendered page: its headers and its body cut where the nonce stood.
pub(crate) struct Page {
    /// Its status.
    pub(crate) status: StatusCode,
    /// Its headers.
    pub(crate) headers: HeaderMap,
    /// Its body, cut where the nonce stood.
    pub(crate) pieces: Vec<Bytes>,
}

/// Rendered pages by (user id, path and query), and the locks that let one request render
/// a missing page while identical requests wait for it.
pub struct PageCache {
    pub(crate) pages: GenCache<(i64, String), Arc<Page>>,
    pub(crate) flights: Flights,
}

impl Default for PageCache {
    fn default() -> Self {
        PageCache { pages: GenCache::with_capacity(CAPACITY), flights: Flights::default() }
    }
}

/// Paths whose pages are never kept: forms for anonymous users, the admin page and a
/// person's own access tokens.
pub(crate) fn cacheable(path: &str) -> bool {
    !matches!(path, "/login" | "/setup" | "/logout" | "/admin" | "/account/tokens")
}

/// Cuts `body` at every occurrence of `nonce` (a page is rendered as UTF-8 and the nonce is
/// ASCII, so every piece stays whole text).
pub(crate) fn cut(body: &Bytes, nonce: &str) -> Vec<Bytes> {
    let mut pieces = Vec::with_capacity(4);
    let mut start = 0;
    for at in memchr::memmem::find_iter(body, nonce.as_bytes()) {
        pieces.push(body.slice(start..at));
        start = at + nonce.len();
    }
    pieces.push(body.slice(start..));
    pieces
}

impl Page {
    /// The page as a response, with `nonce` in place of the one it was rendered with.
    pub(crate) fn respond(&self, nonce: &str) -> Response {
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

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn a_body_is_cut_at_every_nonce_and_put_back_together_with_another() {
        let body = Bytes::from_static(b"<script nonce=\"abc\">x</script><p>abc</p>abc");
        let pieces = cut(&body, "abc");
        assert_eq!(pieces.len(), 4);
        assert_eq!(pieces.concat(), b"<script nonce=\"\">x</script><p></p>");
        let page = Page { status: StatusCode::OK, headers: HeaderMap::new(), pieces };
        let resp = page.respond("XYZ");
        assert_eq!(resp.headers()[CACHE_HEADER], "hit");
        let out = resp.into_body().collect().await.expect("body").to_bytes();
        assert_eq!(&out[..], b"<script nonce=\"XYZ\">x</script><p>XYZ</p>XYZ");
        assert_eq!(cut(&body, "zzz").len(), 1, "no nonce: one piece");
        let bytes = Bytes::from_static(b"\xff abc \xfe");
        assert_eq!(cut(&bytes, "abc").concat(), b"\xff  \xfe", "cut as bytes, whatever the text");
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
