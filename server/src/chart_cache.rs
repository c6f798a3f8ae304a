//! Rendered trend charts kept by entity tag (see `crate::api::trends`).

use std::sync::Arc;

/// Rendered charts by entity tag (a tag names one drawing for good), bounded by their bytes,
/// least recently used out first.
pub struct ChartCache(moka::sync::Cache<String, Arc<String>>);

/// Bytes of SVG kept: a few hundred charts of a few tens of kilobytes.
const CHART_CACHE_BYTES: u64 = 16 << 20;

impl Default for ChartCache {
    fn default() -> Self {
        ChartCache(
            moka::sync::Cache::builder()
                .max_capacity(CHART_CACHE_BYTES)
                .weigher(|k: &String, v: &Arc<String>| u32::try_from(k.len() + v.len()).unwrap_or(u32::MAX))
                .build(),
        )
    }
}

impl std::fmt::Debug for ChartCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChartCache").field("entries", &self.0.entry_count()).finish()
    }
}

impl ChartCache {
    pub(crate) fn get(&self, etag: &str) -> Option<Arc<String>> {
        self.0.get(etag)
    }

    pub(crate) fn put(&self, etag: String, svg: Arc<String>) {
        self.0.insert(etag, svg);
    }
}
