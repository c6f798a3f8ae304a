//! Sign-in secrets: passwords hashed with argon2id, API tokens (random, stored as SHA-256
//! hashes), and what a session remembers about its signed-in person. Used by the server's
//! login forms and API, and by the pages' server functions.

mod password;
mod session;
mod token;

pub use password::{check_password_rules, dummy_hash, hash_password, verify_password};
pub use session::{SESSION_KEY, SessionAuth, SessionUnavailable, session_user};
pub use token::{hash_token, new_token};
