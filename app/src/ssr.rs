//! Server-only helpers shared by server functions and the HTTP layer: the typed
//! session, authorization, secrets and response headers.

use leptos::prelude::*;
use readyboard_domain::role::Role;
use readyboard_store::{Store, UserRow};

use readyboard_auth::{SessionUnavailable, session_user};
use tower_sessions::Session;

/// A chart whose points a page overlays.
pub enum ChartInput<'a> {
    /// One of a phase's charts.
    Phase(&'a readyboard_store::Trends, &'a crate::types::ChartRef),
    /// The score of every phase of a project.
    Project(&'a [readyboard_store::NamedSeries]),
}

/// Lays out a chart as the server draws it: its points and the narrow picture's height.
pub type ChartLayout = dyn Fn(ChartInput<'_>) -> (Vec<crate::types::ChartPoint>, u32) + Send + Sync;

/// The chart layout provided by the server (charts are drawn there).
#[derive(Clone)]
pub struct ChartPoints(pub std::sync::Arc<ChartLayout>);

/// The address people reach the site at (`--base-url`), provided by the server for the
/// examples a page shows.
#[derive(Debug, Clone)]
pub struct SiteUrl(pub String);

/// The ways to sign in besides a local account, provided by the server: the company
/// provider's name when OpenID Connect sign-in is on.
#[derive(Debug, Clone, Default)]
pub struct SignIn {
    /// The provider's name on the login page.
    pub company: Option<String>,
}

/// The site's address, or a placeholder when the server did not provide one.
pub fn site_url() -> String {
    use_context::<SiteUrl>().map(|s| s.0).unwrap_or_else(|| "https://readyboard.example.com".into())
}

/// The store provided to server functions.
pub fn store() -> Result<Store, ServerFnError> {
    use_context::<Store>().ok_or_else(|| ServerFnError::new("store missing from context"))
}

fn set_status(code: axum::http::StatusCode) {
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        opts.set_status(code);
    }
}

/// A refusal answered with `code` and `message`, in words a person can read.
pub fn refused(code: axum::http::StatusCode, message: impl Into<String>) -> ServerFnError {
    set_status(code);
    ServerFnError::new(message.into())
}

/// The logged-in user of the current request, if any.
pub async fn current_user() -> Result<Option<UserRow>, ServerFnError> {
    let store = store()?;
    let session: Session = leptos_axum::extract().await?;
    session_user(&store, &session).await.map_err(|SessionUnavailable| {
        set_status(axum::http::StatusCode::SERVICE_UNAVAILABLE);
        ServerFnError::new("readyboard cannot reach its database; try again in a few seconds.")
    })
}

/// The logged-in user when their role includes `needed`; a 401/403 error otherwise.
pub async fn require(needed: Role) -> Result<UserRow, ServerFnError> {
    match current_user().await? {
        None => {
            set_status(axum::http::StatusCode::UNAUTHORIZED);
            Err(ServerFnError::new("Please log in."))
        }
        Some(u) if !u.role().allows(needed) => {
            set_status(axum::http::StatusCode::FORBIDDEN);
            Err(ServerFnError::new(format!("This needs the {} role.", needed.as_str())))
        }
        Some(u) => Ok(u),
    }
}

/// Maps a store error to a server function error a person can read; logs the cause.
pub fn store_error(e: readyboard_store::StoreError) -> ServerFnError {
    use readyboard_store::StoreError as E;
    match e {
        E::NotFound => {
            set_status(axum::http::StatusCode::NOT_FOUND);
            ServerFnError::new("Not found. It may have been renamed or removed.")
        }
        E::Conflict(what) => {
            set_status(axum::http::StatusCode::CONFLICT);
            if what.contains(' ') {
                ServerFnError::new(what)
            } else {
                ServerFnError::new(format!("That {what} is already taken."))
            }
        }
        E::Invalid(msg) => {
            set_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY);
            ServerFnError::new(msg)
        }
        other => {
            tracing::error!(error = %other, "store error");
            ServerFnError::new("Something went wrong on the server; it has been logged.")
        }
    }
}

/// The Content-Security-Policy of a page whose inline scripts carry `nonce`.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Gives the page the nonce the server's response headers allow its inline scripts by:
/// the server puts it in the request, and its Content-Security-Policy names it.
pub fn provide_request_nonce() {
    let nonce = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<leptos::nonce::Nonce>().cloned());
    if let Some(nonce) = nonce {
        provide_context(nonce);
    }
}

/// Current time, unix ms.
pub fn now_ms() -> i64 {
    readyboard_store::now_ms()
}

/// Formats a unix-ms time as "2025-08-07 10:04 UTC".
pub fn datetime(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("{:04}-{:02}-{:02} {:02}:{:02} UTC", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
}

/// Formats a unix-ms time as its UTC date "2025-08-07".
pub fn date(ms: i64) -> String {
    datetime(ms).chars().take(10).collect()
}

/// Users who may own work, by name: every enabled user, as the checklist offers them.
pub async fn owner_choices(store: &Store) -> Result<Vec<String>, ServerFnError> {
    let users = store.list_users().await.map_err(store_error)?;
    Ok(users.into_iter().filter(|u| !u.disabled).map(|u| u.username).collect())
}

/// A project or phase in a filter menu.
#[derive(Debug, Clone)]
pub struct Place {
    /// The value sent back: a project slug, or `project/phase`.
    pub key: String,
    /// What the menu shows: "Project", or "Project · Phase".
    pub label: String,
    /// Row id.
    pub id: i64,
}

/// Every project and every phase, in order, for filter menus.
pub async fn places(store: &Store) -> Result<(Vec<Place>, Vec<Place>), ServerFnError> {
    let (mut projects, mut phases) = (Vec::new(), Vec::new());
    for p in store.list_projects().await.map_err(store_error)? {
        for ph in store.phases(p.id).await.map_err(store_error)? {
            let (key, label) = (format!("{}/{}", p.slug, ph.slug), format!("{} · {}", p.name, ph.name));
            phases.push(Place { key, label, id: ph.id });
        }
        projects.push(Place { key: p.slug, label: p.name, id: p.id });
    }
    Ok((projects, phases))
}

/// The audit actor for a logged-in user.
pub fn actor(u: &UserRow) -> readyboard_store::Actor {
    readyboard_store::Actor::user(u.id, &u.username)
}
