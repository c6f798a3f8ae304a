//! One module per page.

pub mod account;
pub mod admin;
pub mod audit;
pub mod blockers;
pub mod checklist;
pub mod decision;
pub mod import;
pub mod login;
pub mod not_found;
pub mod overview;
pub mod phase;
pub mod project;
pub mod report;
pub mod trends;
pub mod webhooks;
