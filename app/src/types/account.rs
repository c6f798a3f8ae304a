//! A person's own account pages.

use readyboard_domain::role::Role;
use serde::{Deserialize, Serialize};

/// One of a person's personal access tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonalTokenLine {
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

/// Everything the access tokens page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonalTokensView {
    /// The person's role, which their tokens act with.
    pub role: Role,
    /// The site's address, for the example.
    pub site: String,
    /// Their tokens, newest first.
    pub tokens: Vec<PersonalTokenLine>,
}
