//! What a session remembers about its signed-in person, and reading that person back.

use readyboard_store::{Store, UserRow};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

/// Session key holding [`SessionAuth`].
pub const SESSION_KEY: &str = "auth";

/// What the session remembers about its user; the role is re-read from the database on
/// every request so a demotion takes effect at once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionAuth {
    /// The user's id.
    pub user_id: i64,
}

/// The session or user could not be read because the database is unreachable: not the
/// same as "logged out", which would send a logged-in person to the login page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionUnavailable;

/// Reads the session's user, if any, from the database (disabled users count as absent).
pub async fn session_user(store: &Store, session: &Session) -> Result<Option<UserRow>, SessionUnavailable> {
    let auth: Option<SessionAuth> = session.get(SESSION_KEY).await.map_err(|e| {
        tracing::error!(error = %e, "session store unavailable");
        SessionUnavailable
    })?;
    let Some(auth) = auth else { return Ok(None) };
    let user = store.user_by_id(auth.user_id).await.map_err(|e| {
        tracing::error!(error = %e, "user lookup failed");
        SessionUnavailable
    })?;
    Ok(user.filter(|u| !u.disabled))
}
