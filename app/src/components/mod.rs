//! Reusable view pieces.

pub mod create_forms;
pub mod header;
pub mod widgets;
