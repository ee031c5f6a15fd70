//! Lossless Nix syntax for nixwise: parsing that never fails, positions, text edits and AST helpers.
//!
//! This crate is a thin layer over rnix and rowan. It knows nothing of LSP, files or async runtimes.

mod edit;
pub mod green;
pub mod helpers;
mod line_index;
mod parse;
mod reparse;

pub use edit::{apply_edits, EditError, TextEdit};
pub use line_index::{LineCol, LineIndex};
pub use parse::{parse, Parse, SyntaxError};
pub use reparse::{diff, reparse, try_reparse, Reparse};

pub use rnix::{
    ast, match_ast, NixLanguage, NodeOrToken, SyntaxElement, SyntaxKind, SyntaxNode, SyntaxToken,
    TextRange, TextSize, WalkEvent,
};
pub use rowan::{ast::AstNode, Direction, GreenNode, GreenToken};

/// The number of distinct [`SyntaxKind`]s, for tables indexed by kind.
pub const SYNTAX_KIND_COUNT: usize = SyntaxKind::NODE_WITH as usize + 1;

/// The stack size of every thread that parses or walks trees. rnix's parser stops at 512 levels of
/// nesting, which needs a few MiB of stack in debug builds; tree walks get the same headroom.
pub const WORKER_STACK_SIZE: usize = 64 << 20;
