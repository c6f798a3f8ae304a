//! Pure readyboard logic: the evidence model, ingest parsers, readiness scoring.
//!
//! Nothing in this crate does I/O, so every rule is unit-tested directly.

/// Writes an enum as its stable name (`{}` in CSS classes, chips and messages).
macro_rules! display_as_str {
    ($($t:ty),+ $(,)?) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )+};
}

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
#[cfg(feature = "sqlx")]
mod text_column;
pub mod trends;
pub mod webhooks;

#[cfg(feature = "ingest")]
pub mod ingest;

display_as_str!(
    model::Status,
    model::Severity,
    model::FindingStatus,
    blockers::BlockerStatus,
    blockers::BlockerSource,
    checklist::ItemStatus,
    checklist::SignoffVerdict,
    checklist::EvidenceKind,
    webhooks::DeliveryStatus,
    role::Role
);
