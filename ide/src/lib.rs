//! Language intelligence on the trees of `syntax` and the scope analysis of `lints`: what a
//! language server answers besides diagnostics.
//!
//! Pure like `lints`: takes text and trees, returns data with byte ranges. No LSP types, no files,
//! no async runtime; `server/src/lsp/` turns the answers into protocol messages.

pub mod builtins;
pub mod definition;
#[cfg(test)]
mod fixture;
pub mod hover;
pub mod navigation;
pub mod references;
pub mod rename;
