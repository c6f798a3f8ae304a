//! User rows as read from the database.

use readyboard_domain::role::Role;
use serde::Serialize;

/// A user as stored (the hash never leaves the server).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct UserRow {
    /// Row id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// argon2id PHC string.
    #[serde(skip)]
    pub password_hash: String,
    /// Role.
    pub role: readyboard_domain::role::Role,
    /// Disabled users cannot log in.
    pub disabled: bool,
    /// Created, unix ms.
    pub created_at: i64,
    /// Last login, unix ms.
    pub last_login_at: Option<i64>,
}

impl UserRow {
    /// The role.
    pub fn role(&self) -> Role {
        self.role
    }
}

/// The columns a [`UserRow`] is read from.
pub(crate) const USER_COLUMNS: &str = "id, username, password_hash, role, disabled, created_at, last_login_at";

/// Whether a login name has 1–64 letters, digits, `-`, `_`, `.` or `@`.
pub(crate) fn valid_username(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'))
}
