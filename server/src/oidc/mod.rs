//! Company sign-in through an OpenID Connect provider (authorization code with PKCE):
//! `GET /auth/oidc/start` sends the browser to the provider; `GET /auth/oidc/callback` checks
//! what comes back and signs the person in with the role their claims map to. Local accounts
//! keep working beside it (small teams, break-glass admins).

pub mod claims;
pub mod config;
mod provider;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use readyboard_store::{Actor, ExternalPerson, ExternalSignIn};
use serde::Deserialize;
use tower_sessions::Session;

use crate::auth::safe_next;
use crate::state::AppState;
pub use config::{CALLBACK_PATH, Oidc};
pub use provider::{Provider, ProviderError, Registration};
use readyboard_app::format::query_value;

/// Where the session keeps a sign-in on its way.
const PENDING_KEY: &str = "oidc.pending";
/// How long a person may take at the provider.
const PENDING_TTL_MS: i64 = 10 * 60 * 1000;

/// `?next=` of the start link.
#[derive(Debug, Deserialize)]
pub struct StartQuery {
    #[serde(default)]
    next: String,
}

/// Back to the login page with one of the messages it knows (`code`).
fn back(code: &str, next: &str) -> Response {
    Redirect::to(&format!("/login?error={code}&next={}", query_value(next))).into_response()
}

/// `GET /auth/oidc/start`: remembers the sign-in in the session, sends the browser on.
pub async fn start(State(state): State<AppState>, session: Session, Query(query): Query<StartQuery>) -> Response {
    let next = safe_next(&query.next);
    let Some(oidc) = state.oidc.as_deref() else {
        return crate::api::problem::ApiError::not_found("Company sign-in")
            .detail("This server has no OpenID Connect provider configured (--oidc-issuer).")
            .into_response();
    };
    match oidc.provider.start(next.clone(), readyboard_store::now_ms()).await {
        Ok((url, pending)) => {
            if let Err(e) = session.insert(PENDING_KEY, pending).await {
                tracing::error!(error = %e, "sign-in: the session could not be stored");
                return crate::unavailable::page();
            }
            Redirect::to(&url).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, issuer = oidc.provider.issuer(), "sign-in: discovery failed");
            back("sso-unreachable", &next)
        }
    }
}

/// What the provider sends back.
#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// `GET /auth/oidc/callback`: checks the answer against the pending sign-in, verifies the ID
/// token, maps the claims to a role, and signs the person in.
pub async fn callback(State(state): State<AppState>, session: Session, Query(query): Query<CallbackQuery>) -> Response {
    let Some(oidc) = state.oidc.as_deref() else {
        return crate::api::problem::ApiError::not_found("Company sign-in")
            .detail("This server has no OpenID Connect provider configured (--oidc-issuer).")
            .into_response();
    };
    // Taken out at once: a callback URL works one time.
    let pending: Option<provider::Pending> = session.remove(PENDING_KEY).await.ok().flatten();
    let Some(pending) = pending.filter(|p| readyboard_store::now_ms() - p.started_ms < PENDING_TTL_MS) else {
        tracing::warn!("sign-in: a callback without a pending sign-in (expired, used, or another browser)");
        return back("sso-expired", "/");
    };
    let next = pending.next.clone();
    if query.state.as_deref() != Some(pending.state.as_str()) {
        tracing::warn!("sign-in: the callback's state does not match the sign-in started here");
        return back("sso-expired", &next);
    }
    if let Some(error) = &query.error {
        tracing::warn!(
            error,
            description = query.error_description.as_deref().unwrap_or(""),
            "sign-in refused by the provider"
        );
        return back(if error == "access_denied" { "sso-denied" } else { "sso-failed" }, &next);
    }
    let Some(code) = query.code else {
        return back("sso-failed", &next);
    };
    let person = match oidc.provider.finish(code, &pending, |claims| !oidc.roles.has_claim(claims)).await {
        Ok(person) => person,
        Err(e) => {
            tracing::error!(error = %e, issuer = oidc.provider.issuer(), "sign-in: the provider's answer failed");
            if matches!(e, ProviderError::Refused(_)) {
                // Perhaps the keys rotated: the next attempt discovers them again.
                oidc.provider.forget().await;
            }
            return back(
                if matches!(e, ProviderError::Unreachable(_)) { "sso-unreachable" } else { "sso-failed" },
                &next,
            );
        }
    };
    let Some(role) = oidc.roles.role(&person.claims) else {
        let who = person.preferred_username.clone().or(person.email.clone()).unwrap_or(person.subject.clone());
        tracing::warn!(user = %who, claim = %oidc.roles.claim, "sign-in: no role for this person");
        let actor = Actor::system(&format!("sign-in through {}", oidc.provider.issuer()));
        let entry = state.store.audit_event(&actor, "auth.login_failed", "user", Some(who)).await;
        crate::auth::logged("the refused sign-in audit entry", entry);
        return back("sso-no-role", &next);
    };
    let external = ExternalPerson {
        issuer: oidc.provider.issuer(),
        subject: &person.subject,
        names: claims::names(person.preferred_username.as_deref(), person.email.as_deref()),
        role,
    };
    match state.store.sign_in_external(&external).await {
        Ok(ExternalSignIn::Account(user)) => match crate::auth::begin_session(&state, &session, &user).await {
            Ok(()) => Redirect::to(&next).into_response(),
            Err(page) => page,
        },
        Ok(ExternalSignIn::Disabled(user)) => {
            tracing::warn!(user = %user.username, "sign-in: the account is disabled");
            back("disabled", &next)
        }
        Err(e) => {
            tracing::error!(error = %e, "sign-in: the account could not be stored");
            crate::unavailable::page()
        }
    }
}
