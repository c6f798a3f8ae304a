//! API tokens: long random secrets, stored only as their SHA-256 hash.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new random secret token: (the token, its SHA-256 hex hash, a display prefix).
pub fn new_token(kind: &str) -> (String, String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = format!("rb{kind}_{}", hex::encode(bytes));
    let hash = hash_token(&token);
    let prefix = token.chars().take(12).collect();
    (token, hash, prefix)
}

/// SHA-256 hex of a token: tokens are long random strings, so a fast hash is enough.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (token, hash, prefix) = new_token("p");
        assert!(token.starts_with("rbp_") && token.len() == 4 + 64, "{token}");
        assert_eq!(hash, hash_token(&token));
        assert_ne!(hash, token);
        assert_eq!(hash.len(), 64);
        assert_eq!(prefix, token[..12]);
        assert_ne!(new_token("p").0, token);
    }
}
