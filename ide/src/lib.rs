//! Language intelligence on the trees of `syntax` and the scope analysis of `lints`: what a
//! language server answers besides diagnostics.
//!
//! Pure like `lints`: takes text and trees, returns data with byte ranges. No LSP types, no files,
//! no async runtime; `server/src/lsp/` turns the answers into protocol messages.

pub mod assists;
pub mod builtins;
pub mod completion;
pub mod definition;
pub mod document_links;
pub mod document_symbols;
#[cfg(test)]
mod fixture;
pub mod folding_ranges;
pub mod hover;
pub mod inlay_hints;
pub mod navigation;
pub mod references;
pub mod rename;
pub mod selection_ranges;
pub mod semantic_tokens;
pub mod workspace_symbols;
