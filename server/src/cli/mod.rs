//! The terminal and CI commands: check, fix, explain.

pub mod check;
pub mod explain;
pub mod fix;
