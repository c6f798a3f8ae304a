//! Passwords: argon2id hashes with a random salt, and the rules a new password meets.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Checks a password against a stored argon2 hash (anything that is not one never matches).
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// A hash used to spend the same time on unknown usernames as on known ones.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("not a real password").unwrap_or_default())
}

/// Rules a new password must meet.
pub fn check_password_rules(password: &str) -> Result<(), String> {
    if password.chars().count() < 10 {
        return Err("Passwords need at least 10 characters.".into());
    }
    if password.len() > 1024 {
        return Err("Passwords are limited to 1024 bytes.".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        // Accounts made by a company sign-in store no hash at all: nothing verifies.
        assert!(!verify_password("", "!external"));
        assert!(!verify_password("not a real password", "!external"));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn password_rules() {
        assert!(check_password_rules("short").is_err());
        assert!(check_password_rules("ten chars!").is_ok());
        assert!(check_password_rules(&"x".repeat(1025)).is_err());
    }
}
