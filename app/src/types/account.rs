//! A person's own account pages.

use readyboard_domain::role::Role;
use serde::{Deserialize, Serialize};

/// An access token as a list shows it (a person's own, or a project's on the admin page).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenLine {
    /// Id.
    pub id: i64,
    /// What it is for.
    pub name: String,
    /// First characters, to recognise it.
    pub prefix: String,
    /// Created, formatted.
    pub created: String,
    /// Last used, formatted.
    pub last_used: Option<String>,
    /// Revoked.
    pub revoked: bool,
}

impl TokenLine {
    /// The line for a token: times (unix ms) said as how long ago from `now`.
    pub fn new(now: i64, id: i64, name: String, prefix: String, at: (i64, Option<i64>), revoked: bool) -> TokenLine {
        let (created_at, last_used_at) = at;
        let ago = |t| crate::format::ago(now, t);
        TokenLine { id, name, prefix, created: ago(created_at), last_used: last_used_at.map(ago), revoked }
    }
}

/// Everything the access tokens page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonalTokensView {
    /// The person's role, which their tokens act with.
    pub role: Role,
    /// The site's address, for the example.
    pub site: String,
    /// Their tokens, newest first.
    pub tokens: Vec<TokenLine>,
}
