//! Pure readyboard logic: the evidence model, ingest parsers, readiness scoring.
//!
//! Nothing in this crate does I/O, so every rule is unit-tested directly.

pub mod blockers;
pub mod checklist;
pub mod coverage;
pub mod decisions;
pub mod diff;
pub mod limits;
pub mod model;
pub mod role;
pub mod scoring;
pub mod slug;
pub mod trends;

#[cfg(feature = "ingest")]
pub mod ingest;
