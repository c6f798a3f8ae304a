//! readyboard's server (web, REST API, CLI) as a library shared by the binary and the tests.
// Page views are deeply nested types, laid out here when the router serves them.
#![recursion_limit = "256"]

pub mod api;
pub mod assets;
pub mod auth;
pub mod availability;
pub mod backup;
pub mod chart_cache;
pub mod charts;
pub mod cli;
pub mod commands;
pub mod connections;
pub mod context;
pub mod demo;
pub mod export;
pub mod form_outcomes;
pub mod import;
pub mod intake;
pub mod live;
pub mod live_feed;
pub mod login_limit;
pub mod metrics;
pub mod oidc;
pub mod page_cache;
pub mod page_reuse;
pub mod priority;
pub mod read_turns;
pub mod retention;
pub mod router;
pub mod security;
pub mod serve;
pub mod state;
pub mod telemetry;
pub mod unavailable;
pub mod upload;
pub mod upload_summary;
pub mod webhooks;

pub use router::router;
pub use serve::state;
