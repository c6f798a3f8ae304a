//! Forms come back to their page with what came of them: the confirmation, or the reason
//! they failed in plain words with what was typed still in the fields.
//!
//! A page's form posts straight to its server function, which would
//! answer a failure with the function's raw error (`ServerError|…`) and a success with a
//! bare redirect that says nothing. This layer keeps the outcome in the session and sends
//! the browser back to the page it came from (post/redirect/get) with a short-lived cookie
//! saying an outcome waits; the next page it loads takes the outcome out of the session and
//! shows it beside the form. Other page loads leave the session alone. Calls that do not ask
//! for HTML (scripts calling a server function) pass through untouched.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use http_body_util::BodyExt;
use readyboard_app::form_outcome::FormOutcome;
use readyboard_app::plain_error::plain_error;
use tower_sessions::Session;

/// Session key of the outcome waiting for its page.
const SESSION_KEY: &str = "form_outcome";
/// Cookie telling that an outcome waits in the session (its value is always `1`).
const WAITING_COOKIE: &str = "readyboard_form";
/// Header with which server functions mark an error answer.
const SERVER_FN_ERROR: &str = "serverfnerror";
/// Fields larger than this are not kept (a pasted report is the only one that gets near).
const MAX_KEPT_FIELD: usize = 256 * 1024;

/// Whether a field may wait in the session: passwords never do, nor very large values.
fn keepable((name, value): &(String, String)) -> bool {
    value.len() <= MAX_KEPT_FIELD && !name.contains("password")
}

/// Keeps `outcome` in the session for the next page the browser loads, and marks `resp`
/// (the redirect to that page) as leading to it.
pub async fn remember(session: &Session, mut outcome: FormOutcome, mut resp: Response) -> Response {
    outcome.fields.retain(keepable);
    match session.insert(SESSION_KEY, outcome).await {
        Ok(()) => {
            let cookie = format!("{WAITING_COOKIE}=1; Path=/; Max-Age=300; HttpOnly; SameSite=Lax");
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
        }
        Err(e) => tracing::warn!(error = %e, "a form outcome could not be kept for its page"),
    }
    resp
}

/// The middleware: see the module documentation.
pub async fn answer_plain_forms(req: Request, next: Next) -> Response {
    let Some(session) = req.extensions().get::<Session>().cloned() else {
        return next.run(req).await;
    };
    if !asks_for_html(&req) {
        return next.run(req).await;
    }
    match *req.method() {
        Method::GET if outcome_waits(&req) => show_outcome(session, req, next).await,
        Method::POST if is_server_function(req.uri().path()) && is_url_encoded(&req) => {
            post_form(session, req, next).await
        }
        _ => next.run(req).await,
    }
}

/// Whether the request carries the cookie saying an outcome waits.
fn outcome_waits(req: &Request) -> bool {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|c| c.trim() == format!("{WAITING_COOKIE}=1"))
}

/// A page request after a form: attaches the waiting outcome to it, so the page shows it.
async fn show_outcome(session: Session, mut req: Request, next: Next) -> Response {
    if let Ok(Some(outcome)) = session.remove::<FormOutcome>(SESSION_KEY).await {
        // The page cache leaves such a request to be rendered afresh, and does not keep it.
        req.extensions_mut().insert(outcome);
    }
    let mut resp = next.run(req).await;
    let gone = format!("{WAITING_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
    if let Ok(v) = HeaderValue::from_str(&gone) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// A form posted to a server function: passes it on, keeps what came of it for the page,
/// and sends the browser back to the form's page.
async fn post_form(session: Session, req: Request, next: Next) -> Response {
    let action = req.uri().path().to_string();
    let back = page_it_came_from(&req);
    let (parts, body) = req.into_parts();
    let Ok(sent) = body.collect().await.map(|b| b.to_bytes()) else {
        return (axum::http::StatusCode::BAD_REQUEST, "The form could not be read.").into_response();
    };
    let resp = next.run(Request::from_parts(parts, Body::from(sent.clone()))).await;
    let Some(back) = back else { return resp };
    let failed = resp.headers().contains_key(SERVER_FN_ERROR);
    let (parts, body) = resp.into_parts();
    let answer = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let message = if failed {
        plain_error(&String::from_utf8_lossy(&answer))
    } else {
        // A function that answers with words (a confirmation, a new token) is shown them;
        // any other answer leaves the page to show the change itself.
        match serde_json::from_slice::<String>(&answer) {
            Ok(words) => words,
            Err(_) => return Response::from_parts(parts, Body::from(answer)),
        }
    };
    let outcome = FormOutcome { action, fields: fields_of(sent).await, message, failed };
    remember(&session, outcome, Redirect::to(&back).into_response()).await
}

/// The fields of a URL-encoded form, in order.
async fn fields_of(sent: Bytes) -> Vec<(String, String)> {
    let req = Request::builder()
        .method(Method::POST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(sent))
        .expect("a request from valid parts");
    axum::Form::<Vec<(String, String)>>::from_request(req, &()).await.map(|f| f.0).unwrap_or_default()
}

/// Whether the request is a browser's own navigation (it accepts HTML).
fn asks_for_html(req: &Request) -> bool {
    req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

fn is_url_encoded(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

fn is_server_function(path: &str) -> bool {
    leptos::server_fn::axum::server_fn_paths().any(|(p, _)| p == path)
}

/// The path (and query) of the page that sent the form, from `Referer`; only ever a path on
/// this site, so a failure cannot send the browser elsewhere.
fn page_it_came_from(req: &Request) -> Option<String> {
    let referer = req.headers().get(header::REFERER)?.to_str().ok()?;
    let host = req.headers().get(header::HOST)?.to_str().ok()?;
    let rest = referer.split_once("://").map(|(_, rest)| rest)?;
    let path = rest.strip_prefix(host)?;
    (path.starts_with('/') && !path.starts_with("//")).then(|| path.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_referer(referer: &str) -> Request {
        Request::builder()
            .header(header::HOST, "example.test:3000")
            .header(header::REFERER, referer)
            .body(Body::empty())
            .unwrap()
    }

    #[test]
    fn only_a_page_of_this_site_is_gone_back_to() {
        let back = |r| page_it_came_from(&with_referer(r));
        assert_eq!(back("http://example.test:3000/p/shop/r1?x=1").as_deref(), Some("/p/shop/r1?x=1"));
        assert_eq!(back("http://elsewhere.test/p/shop"), None);
        assert_eq!(back("http://example.test:3000.evil.test/p"), None);
        assert_eq!(back("http://example.test:3000//evil.test/p"), None);
    }

    #[test]
    fn only_the_waiting_cookie_says_an_outcome_waits() {
        let with_cookie = |c: &str| Request::builder().header(header::COOKIE, c).body(Body::empty()).unwrap();
        assert!(outcome_waits(&with_cookie("readyboard_session=abc; readyboard_form=1")));
        assert!(!outcome_waits(&with_cookie("readyboard_session=abc")));
        assert!(!outcome_waits(&with_cookie("readyboard_form=")));
    }

    #[tokio::test]
    async fn form_fields_are_read_in_order() {
        let fields = fields_of(Bytes::from_static(b"a=1&b=two+words&a=3")).await;
        assert_eq!(fields, vec![("a".into(), "1".into()), ("b".into(), "two words".into()), ("a".into(), "3".into())]);
    }
}
