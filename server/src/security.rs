//! Security middleware: response headers, cross-origin request refusal (CSRF), and the
//! login requirement for pages.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::api::problem::ApiError;
use crate::state::AppState;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "readyboard_session";

/// Adds security headers to every response.
///
/// A page's Content-Security-Policy allows its inline scripts by a nonce made here, one per
/// request, and handed to the page's rendering through the request
/// (`readyboard_app::ssr::provide_request_nonce`): the policy and the page agree by
/// construction. (Policies set while rendering were sometimes lost on the way out, and the
/// browser then refused the page's own scripts.)
pub async fn headers(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let nonce = leptos::nonce::Nonce::new();
    req.extensions_mut().insert(nonce.clone());
    let mut resp = next.run(req).await;
    let is_html = crate::assets::is_html(&resp);
    let h = resp.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=()"));
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        let page_policy = is_html
            .then(|| HeaderValue::from_str(&readyboard_app::ssr::content_security_policy(&nonce.to_string())).ok())
            .flatten();
        let policy = page_policy.unwrap_or(HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"));
        h.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    if state.settings.secure {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    resp
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
        || path.starts_with("/auth/")
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
        Some(session) => match readyboard_auth::session_user(&state.store, session).await {
            Ok(user) => user,
            // A database outage is not a logout: say so instead of showing the login page.
            Err(_) => return crate::unavailable::page(),
        },
        None => None,
    };
    if let Some(user) = user {
        tracing::Span::current().record("user", user.username.as_str());
        req.extensions_mut().insert(SignedIn { user_id: user.id });
        return next.run(req).await;
    }
    let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
    Redirect::to(&format!("/login?next={}", readyboard_app::format::query_value(target))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

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
