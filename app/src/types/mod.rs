//! Data the server functions send to the pages (serialised for hydration), by page.

mod account;
mod admin;
mod checklist;
mod decisions;
mod pages;
mod report;
mod shared;
mod trends;

pub use account::*;
pub use admin::*;
pub use checklist::*;
pub use decisions::*;
pub use pages::*;
pub use report::*;
pub use shared::Shared;
pub use trends::*;
