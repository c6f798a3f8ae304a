//! Flaky-check rankings and the cache that keeps them per report window.

use readyboard_domain::trends::FlakyCheck;
use serde::Serialize;
use std::sync::Arc;

/// Flaky checks of one suite.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SuiteFlaky {
    /// Suite name.
    pub suite: String,
    /// Ranked, worst first.
    pub checks: Vec<FlakyCheck>,
}

/// Runs looked at for flip rates.
pub const FLAKY_WINDOW: i64 = 20;
/// Rankings kept (one per suite, unless a suite's window moved lately).
const CAPACITY: u64 = 4_096;

/// Rankings by the ids of the reports (oldest first) they were computed from: the window
/// names its suite, and a window's ranking never changes. Least recently used out first.
pub(crate) struct FlakyCache(pub(crate) moka::sync::Cache<Vec<i64>, Arc<Vec<FlakyCheck>>>);

impl Default for FlakyCache {
    fn default() -> Self {
        FlakyCache(moka::sync::Cache::new(CAPACITY))
    }
}

impl std::fmt::Debug for FlakyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlakyCache").field("entries", &self.0.entry_count()).finish()
    }
}
