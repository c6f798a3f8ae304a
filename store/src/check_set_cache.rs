//! The cache of reports' decoded check sets (see [`crate::check_sets`]).

use std::sync::Arc;
use std::time::Duration;

use readyboard_domain::model::Check;

/// Decoded check sets held at once, counted in checks: a few hundred reports of a
/// typical size, or a handful of 100,000-check ones (tens of megabytes).
const CACHED_CHECKS: u64 = 400_000;

/// Decoded check sets by report id, least recently used out first. Entries also expire,
/// so an instance sharing a PostgreSQL database with another that pruned a report stops
/// showing its checks within minutes.
pub(crate) struct CheckSetCache(pub(crate) moka::sync::Cache<i64, Arc<[Check]>>);

impl Default for CheckSetCache {
    fn default() -> Self {
        CheckSetCache(
            moka::sync::Cache::builder()
                .max_capacity(CACHED_CHECKS)
                .weigher(|_: &i64, set: &Arc<[Check]>| u32::try_from(set.len() + 1).unwrap_or(u32::MAX))
                .time_to_live(Duration::from_secs(600))
                .build(),
        )
    }
}

impl std::fmt::Debug for CheckSetCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckSetCache").field("sets", &self.0.entry_count()).finish()
    }
}
