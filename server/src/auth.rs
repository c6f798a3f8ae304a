//! Login, logout, first-admin setup, and who is calling the API.

use std::net::IpAddr;
use std::time::Duration;

use axum::Form;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use readyboard_app::format::query_value;
use readyboard_auth::{SESSION_KEY, SessionAuth, dummy_hash, hash_password, hash_token, session_user, verify_password};
use readyboard_domain::role::Role;
use readyboard_store::{Actor, TokenScope, UserRow};
use serde::Deserialize;
use tower_sessions::Session;

use crate::api::problem::ApiError;
use crate::state::AppState;

/// The client's address (see [`crate::login_limit::client_ip`] for proxies).
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<ClientIp, Self::Rejection> {
        Ok(ClientIp(crate::login_limit::client_ip(parts, &state.settings.trusted_proxies)))
    }
}

/// Login form fields.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// Where to go after logging in: a path on this site, or `/`.
///
/// Anything but printable ASCII is refused too: a line break in a `Location` header is a
/// header injection (and an invalid header value).
pub(crate) fn safe_next(next: &str) -> String {
    let printable = next.bytes().all(|b| b.is_ascii_graphic());
    if printable && next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next.to_string()
    } else {
        "/".to_string()
    }
}

/// 429 with `Retry-After`, as a page a person reads after posting the login form.
fn rate_limited(wait: Duration, next: &str) -> Response {
    let secs = wait.as_secs().max(1);
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Too many attempts · readyboard</title></head>\
         <body><h1>Too many login attempts</h1><p>Try again in {secs} seconds.</p>\
         <p><a href=\"/login?next={}\">Back to the login page</a></p></body></html>",
        query_value(next)
    );
    let mut resp = (StatusCode::TOO_MANY_REQUESTS, axum::response::Html(body)).into_response();
    resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    resp
}

/// `POST /login`.
pub async fn login(
    State(state): State<AppState>,
    session: Session,
    ClientIp(ip): ClientIp,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(&form.next);
    if let Err(wait) = state.login_limiter.allow(ip, &form.username) {
        tracing::warn!(username = %form.username, %ip, "login rate limited");
        return rate_limited(wait, &next);
    }
    let user = match state.store.user_by_name(&form.username).await {
        Ok(user) => user,
        Err(e) => {
            tracing::error!(error = %e, "login: the database cannot be reached");
            return crate::unavailable::page();
        }
    };
    let hash = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| dummy_hash().to_string());
    let password = form.password.clone();
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash)).await.unwrap_or(false);
    match user {
        Some(u) if ok && !u.disabled => match begin_session(&state, &session, &u).await {
            Ok(()) => Redirect::to(&next).into_response(),
            Err(page) => page,
        },
        _ => {
            state.metrics.login_failures.inc();
            state.login_limiter.failed(ip, &form.username);
            let actor = Actor::system(&format!("login from {ip}"));
            let entry = state.store.audit_event(&actor, "auth.login_failed", "user", Some(form.username.clone())).await;
            logged("the failed-login audit entry", entry);
            tracing::warn!(username = %form.username, %ip, "failed login");
            Redirect::to(&format!("/login?error=1&next={}", query_value(&next))).into_response()
        }
    }
}

/// Signs `user` in on `session` (under a fresh session id, which defeats session fixation),
/// records the login time and audits it; the page to answer when the session cannot be
/// stored (the database is the likely cause).
pub(crate) async fn begin_session(state: &AppState, session: &Session, user: &UserRow) -> Result<(), Response> {
    if session.cycle_id().await.is_err() || session.insert(SESSION_KEY, SessionAuth { user_id: user.id }).await.is_err()
    {
        return Err(crate::unavailable::page());
    }
    logged("the last login time", state.store.touch_login(user.id).await);
    let actor = Actor::user(user.id, &user.username);
    logged(
        "the login audit entry",
        state.store.audit_event(&actor, "auth.login", "user", Some(user.id.to_string())).await,
    );
    tracing::info!(user = %user.username, "login");
    Ok(())
}

/// Logs a write that follows a sign-in or sign-out when it fails: the request goes on (the
/// person is signed in or out either way), and the failure is seen, not dropped.
pub(crate) fn logged<T, E: std::fmt::Display>(what: &'static str, result: Result<T, E>) {
    if let Err(e) = result {
        tracing::error!(error = %e, write = what, "a write after a sign-in or sign-out failed");
    }
}

/// `POST /logout`.
pub async fn logout(State(state): State<AppState>, session: Session) -> Response {
    if let Ok(Some(u)) = session_user(&state.store, &session).await {
        let actor = Actor::user(u.id, &u.username);
        logged(
            "the logout audit entry",
            state.store.audit_event(&actor, "auth.logout", "user", Some(u.id.to_string())).await,
        );
    }
    // A session that could not be deleted is still valid: say so rather than look logged out.
    if let Err(e) = session.flush().await {
        tracing::error!(error = %e, "logout: the session could not be deleted");
        return crate::unavailable::page();
    }
    Redirect::to("/login?bye=1").into_response()
}

/// Setup form fields.
#[derive(Debug, Deserialize)]
pub struct SetupForm {
    token: String,
    username: String,
    password: String,
}

/// `POST /setup`: creates the first admin with the one-time link printed at first start.
pub async fn setup(State(state): State<AppState>, session: Session, Form(form): Form<SetupForm>) -> Response {
    let back = |msg: &str| {
        Redirect::to(&format!("/setup?token={}&error={}", query_value(&form.token), query_value(msg))).into_response()
    };
    if let Err(msg) = readyboard_auth::check_password_rules(&form.password) {
        return back(&msg);
    }
    let password = form.password.clone();
    let Ok(Ok(hash)) = tokio::task::spawn_blocking(move || hash_password(&password)).await else {
        return back("Could not hash the password.");
    };
    match state.store.consume_setup_token(&hash_token(&form.token), form.username.trim(), &hash).await {
        Ok(user) => {
            tracing::info!(user = %user.username, "first admin created with the setup link");
            // The admin exists either way; without a stored session they log in as usual.
            if session.cycle_id().await.is_err()
                || session.insert(SESSION_KEY, SessionAuth { user_id: user.id }).await.is_err()
            {
                tracing::error!(user = %user.username, "setup: the session could not be stored");
                return Redirect::to("/login").into_response();
            }
            Redirect::to("/").into_response()
        }
        Err(readyboard_store::StoreError::Invalid(msg)) => back(&msg),
        Err(_) => back("This setup link is invalid or was already used."),
    }
}

/// Who is calling the API: a logged-in person or a project token.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A person with a session.
    User(UserRow),
    /// CI with a token.
    Token(TokenScope),
}

impl Caller {
    /// Whether the caller may read a project.
    pub fn can_read(&self, project_id: i64) -> bool {
        match self {
            Caller::User(u) => u.role().allows(Role::Viewer),
            Caller::Token(t) => t.project_id == project_id,
        }
    }

    /// The caller as an audit actor.
    pub fn actor(&self) -> Actor {
        match self {
            Caller::User(u) => Actor::user(u.id, &u.username),
            Caller::Token(t) => Actor::token(t.token_id, &t.name),
        }
    }
}

/// How personal access tokens start (project tokens start `rbt_`).
pub const PERSONAL_TOKEN_PREFIX: &str = "rbp_";

impl Caller {
    /// The person calling, when they hold `needed`: 401/403 problems otherwise (a project
    /// token only uploads; a person acts with a session or a personal access token).
    pub fn person_with(&self, needed: Role) -> Result<&UserRow, ApiError> {
        match self {
            Caller::Token(_) => Err(ApiError::forbidden(
                "Project tokens only upload reports; use a personal access token (created at /account/tokens).",
            )),
            Caller::User(u) if !u.role().allows(needed) => {
                Err(ApiError::forbidden(format!("This needs the {} role.", needed.as_str())))
            }
            Caller::User(u) => Ok(u),
        }
    }
}

/// Extracts the caller from `Authorization: Bearer` or the session; 401 otherwise.
impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        match MaybeCaller::from_request_parts(parts, state).await?.0 {
            Some(c) => Ok(c),
            None => Err(ApiError::unauthorized()),
        }
    }
}

/// Like [`Caller`], but anonymous requests pass as `None` (public status and badge).
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequestParts<AppState> for MaybeCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<MaybeCaller, ApiError> {
        if let Some(value) = parts.headers.get(axum::http::header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
                .map(str::trim)
                .ok_or_else(|| ApiError::unauthorized_msg("The Authorization header must be `Bearer <token>`."))?;
            // A personal access token acts as its person, with their role; a project token
            // only uploads to its project.
            let hash = hash_token(token);
            let caller = if token.starts_with(PERSONAL_TOKEN_PREFIX) {
                state.store.personal_token_user(&hash).await?.map(Caller::User)
            } else {
                state.store.token_scope(&hash).await?.map(Caller::Token)
            };
            let caller = caller.ok_or_else(|| ApiError::unauthorized_msg("The token is unknown or revoked."))?;
            tracing::Span::current().record("user", caller.actor().label);
            return Ok(MaybeCaller(Some(caller)));
        }
        if let Some(session) = parts.extensions.get::<Session>() {
            match session_user(&state.store, session).await {
                Ok(Some(user)) => {
                    tracing::Span::current().record("user", user.username.as_str());
                    return Ok(MaybeCaller(Some(Caller::User(user))));
                }
                Ok(None) => {}
                Err(_) => return Err(ApiError::unavailable(&"session lookup failed")),
            }
        }
        Ok(MaybeCaller(None))
    }
}
