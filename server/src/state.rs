//! Shared state handed to every handler.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use readyboard_store::Store;

use crate::login_limit::LoginLimiter;
use crate::metrics::Metrics;

/// Settings the handlers need.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Public base URL without trailing slash.
    pub base_url: String,
    /// Whether the base URL is https.
    pub secure: bool,
    /// Largest accepted report after decompression, bytes.
    pub max_upload: usize,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Who may read `/metrics`.
    pub metrics_access: crate::metrics::Access,
}

/// Everything a request may need, behind one reference count: middlewares and handlers
/// take their own copy of the state for every request, and copying one `Arc` costs one
/// atomic increment instead of one per field (a profile of the scorecard put those at ~8 %).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// The state holding `shared`.
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of [`AppState`].
pub struct Shared {
    /// Database.
    pub store: Store,
    /// Leptos configuration.
    pub leptos: LeptosOptions,
    /// Settings.
    pub settings: Arc<Settings>,
    /// Login attempt limiter.
    pub login_limiter: Arc<LoginLimiter>,
    /// Counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Rendered trend charts.
    pub charts: Arc<crate::chart_cache::ChartCache>,
    /// Rendered pages reused while nothing changes.
    pub pages: Arc<crate::page_cache::PageCache>,
    /// Admission and threads for parsing and storing reports.
    pub intake: Arc<crate::intake::Intake>,
    /// The line reads wait in for their turn.
    pub reads: Arc<crate::read_turns::ReadTurns>,
    /// The changes live pages follow.
    pub live: Arc<crate::live_feed::Feed>,
    /// Company sign-in, when configured.
    pub oidc: Option<Arc<crate::oidc::config::Oidc>>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
