//! The `nixwise` binary's library: the language server, the CLI commands and configuration
//! discovery. The only crate that knows LSP, JSON-RPC, tokio and the file system.
//!
//! Nothing here prints to stdout by accident: the LSP transport owns stdout in `nixwise server`,
//! and the CLI writes its reports through explicit writers.
#![deny(clippy::print_stdout)]

pub mod cli;
pub mod config;
pub mod lsp;
