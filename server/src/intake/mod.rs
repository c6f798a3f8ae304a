//! How a report comes in, whoever brings it — the upload API, the browser's import form, the
//! demo loader: its turn ([`admission`]), then its bytes read within limits, inflated,
//! hashed, parsed and compressed for keeping ([`prepare`]). Name rules are those of
//! `readyboard_domain::limits`, checked here for the names a request chooses.

pub mod admission;
pub mod prepare;

pub use admission::{Busy, Intake, Slot, count_reads};
pub use prepare::{Prepared, Refusal, artifact_time, compress, prepare, read, read_body};
