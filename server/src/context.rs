//! A tiny `context` helper for command errors: "opening the database: <cause>".

/// Adds what was being done to an error.
pub trait ErrContext<T> {
    /// Wraps the error with `what`.
    fn context(self, what: &str) -> Result<T, String>;
}

impl<T, E: std::fmt::Display> ErrContext<T> for Result<T, E> {
    fn context(self, what: &str) -> Result<T, String> {
        self.map_err(|e| format!("{what}: {e}"))
    }
}
