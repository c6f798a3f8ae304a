//! Slugs: the URL-safe names of projects and phases.

/// Whether `s` is a valid slug: 1–64 chars of `a-z0-9-_.`, starting alphanumeric.
pub fn is_valid(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && b[0].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'-' | b'_' | b'.'))
}

/// Turns a display name into a slug ("Phase 3 — Hardening" → "phase-3-hardening").
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-');
    let mut s: String = trimmed.chars().take(64).collect();
    if s.is_empty() {
        s.push_str("untitled");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_keeps_words_and_drops_punctuation() {
        assert_eq!(slugify("Phase 3 — Production hardening"), "phase-3-production-hardening");
        assert_eq!(slugify("  Sprint 4.1 "), "sprint-4-1");
        assert_eq!(slugify("———"), "untitled");
    }

    #[test]
    fn validity() {
        assert!(is_valid("prompt-studio"));
        assert!(is_valid("phase-4"));
        assert!(!is_valid("Phase"));
        assert!(!is_valid("-x"));
        assert!(!is_valid(""));
        assert!(!is_valid("a/b"));
    }
}
