//! API token rows and the scope a token grants.

use serde::Serialize;

/// A token as listed (never the secret).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TokenRow {
    /// Row id.
    pub id: i64,
    /// Project the token may write to.
    pub project_id: i64,
    /// That project's slug.
    pub project_slug: String,
    /// Name given at creation.
    pub name: String,
    /// First characters of the token, to recognise it.
    pub prefix: String,
    /// Created, unix ms.
    pub created_at: i64,
    /// Last use, unix ms.
    pub last_used_at: Option<i64>,
    /// Revoked, unix ms.
    pub revoked_at: Option<i64>,
}

/// What an authenticated token may touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenScope {
    /// Token id.
    pub token_id: i64,
    /// Token name.
    pub name: String,
    /// Project id.
    pub project_id: i64,
    /// Project slug.
    pub project_slug: String,
}
