//! Security middleware: response headers, cross-origin request refusal (CSRF), and the
//! login requirement for pages.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::api::problem::ApiError;
use crate::state::AppState;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "readyboard_session";

/// Adds security headers to every response (pages set their own CSP with a nonce).
pub async fn headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    state.metrics.record_status(resp.status().as_u16());
    let h = resp.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=()"));
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    if state.settings.secure {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    resp
}

/// Gives a rendered page the Content-Security-Policy for the nonce its scripts carry when
/// rendering left the header out.
///
/// Pages set their policy while they render, but Leptos applies a page's headers only once
/// its first chunk is ready, and under concurrent requests the header has been seen missing
/// from a page whose scripts carry a nonce: the browser then falls back on the strict default
/// policy and refuses the page's own scripts and styles. Reading the nonce back from the page
/// makes the policy match the page whatever happened to the header.
pub async fn page_policy(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let is_html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html || resp.headers().contains_key(header::CONTENT_SECURITY_POLICY) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let body = match http_body_util::BodyExt::collect(body).await {
        Ok(b) => b.to_bytes(),
        Err(e) => {
            tracing::error!(error = %e, "rendering a page failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if let Some(nonce) = nonce_in(&body)
        && let Ok(v) = HeaderValue::from_str(&readyboard_app::ssr::content_security_policy(nonce))
    {
        parts.headers.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// The nonce of the first element of `page` that carries one.
fn nonce_in(page: &[u8]) -> Option<&str> {
    const MARK: &[u8] = b" nonce=\"";
    let start = page.windows(MARK.len()).position(|w| w == MARK)? + MARK.len();
    let len = page[start..].iter().position(|&b| b == b'"')?;
    let nonce = std::str::from_utf8(&page[start..start + len]).ok()?;
    let plain = nonce.len() >= 16 && nonce.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    plain.then_some(nonce)
}

/// Refuses state-changing requests a browser sent from another origin.
///
/// Browsers attach `Sec-Fetch-Site` (and `Origin`) to every cross-origin POST; a request
/// made by another site with the user's cookies is therefore recognisable and refused.
/// Only calls authenticated by a bearer token alone (no session cookie) skip the check: they
/// carry no ambient credentials a forged request could borrow.
pub async fn cross_origin_guard(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || bearer_only(req.headers()) {
        return next.run(req).await;
    }
    let h = req.headers();
    let site = h.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let cross = match site {
        Some("same-origin") | Some("none") => false,
        Some(_) => true,
        None => match (
            h.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
            h.get(header::HOST).and_then(|v| v.to_str().ok()),
        ) {
            (Some("null"), _) => true,
            (Some(origin), Some(host)) => origin.split("://").nth(1).map(|o| o != host).unwrap_or(true),
            _ => false,
        },
    };
    if cross {
        tracing::warn!(path = %req.uri().path(), "cross-origin state change refused");
        return ApiError::forbidden("Cross-origin requests may not change state.").into_response();
    }
    next.run(req).await
}

/// Whether a request authenticates with `Authorization: Bearer …` and sends no session cookie.
fn bearer_only(h: &axum::http::HeaderMap) -> bool {
    let bearer = h
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer "));
    let session_cookie = h
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|pair| pair.trim_start().strip_prefix(SESSION_COOKIE).is_some_and(|rest| rest.starts_with('=')));
    bearer && !session_cookie
}

/// Paths anyone may fetch: forms, probes, the API (it answers 401 itself), the compiled
/// bundle and the files at the site root (`/favicon.svg`). A dot deeper down does not make
/// a file: slugs may hold dots (`/p/shop/sprint-4.1`), and those are pages.
fn is_public_path(path: &str) -> bool {
    const PUBLIC: [&str; 6] = ["/login", "/setup", "/logout", "/healthz", "/readyz", "/metrics"];
    PUBLIC.contains(&path)
        || path.starts_with("/api/")
        || path.starts_with("/pkg/")
        || path.strip_prefix('/').is_some_and(|file| !file.contains('/') && file.contains('.'))
}

/// The user a page request was found to be logged in as (set by [`require_login`]).
#[derive(Debug, Clone, Copy)]
pub struct SignedIn {
    /// The user's id.
    pub user_id: i64,
}

/// Sends anonymous page requests to the login page; passes on the user of the others as
/// [`SignedIn`].
pub async fn require_login(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    // HEAD renders the page as GET does (without the body): it needs the login as well.
    if !matches!(*req.method(), Method::GET | Method::HEAD) || is_public_path(&path) {
        return next.run(req).await;
    }
    let user = match req.extensions().get::<Session>() {
        Some(session) => match readyboard_app::ssr::session_user(&state.store, session).await {
            Ok(user) => user,
            // A database outage is not a logout: say so instead of showing the login page.
            Err(_) => return crate::unavailable::page(),
        },
        None => None,
    };
    if let Some(user) = user {
        req.extensions_mut().insert(SignedIn { user_id: user.id });
        return next.run(req).await;
    }
    let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let encoded: String = target
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let _ = StatusCode::SEE_OTHER;
    Redirect::to(&format!("/login?next={encoded}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nonce_is_read_back_from_the_page() {
        let page = b"<html><head><script type=\"module\" nonce=\"Ab-_0123456789xyzQ\">x</script>";
        assert_eq!(nonce_in(page), Some("Ab-_0123456789xyzQ"));
        assert_eq!(nonce_in(b"<script nonce=\"short\">"), None, "too short to be a nonce");
        assert_eq!(nonce_in(b"<script nonce=\"abcdefghijklmnop' 'unsafe-inline\">"), None);
        assert_eq!(nonce_in(b"<p>no scripts</p>"), None);
    }

    #[test]
    fn static_and_api_paths_are_public() {
        assert!(is_public_path("/pkg/readyboard.wasm"));
        assert!(is_public_path("/favicon.svg"));
        assert!(is_public_path("/api/v1/projects"));
        assert!(is_public_path("/login"));
        assert!(!is_public_path("/"));
        assert!(!is_public_path("/p/demo/phase-4"));
        assert!(!is_public_path("/admin"));
        assert!(!is_public_path("/p/shop/sprint-4.1"), "a dot in a slug does not make a page a file");
        assert!(!is_public_path("/p/shop.v2"));
    }
}
