//! Data the server functions give the pages, by page.

mod account;
mod admin;
mod checklist;
mod decisions;
mod pages;
mod report;
mod trends;

pub use account::*;
pub use admin::*;
pub use checklist::*;
pub use decisions::*;
pub use pages::*;
pub use report::*;
pub use trends::*;
