//! The state every feature reads: open documents, the settings in force, and how `nix` is run.

use super::builtin_docs::BuiltinDocs;
use super::command::{NixOptions, NixRuns};
use super::documents::Documents;
use super::settings::SettingsStore;
use super::{semantic_tokens, workspace_symbols};

#[derive(Default)]
pub struct Session {
    pub documents: Documents,
    pub settings: SettingsStore,
    pub nix: NixOptions,
    pub nix_runs: NixRuns,
    /// The last semantic tokens sent for each document, for delta requests.
    pub semantic_tokens: semantic_tokens::Cache,
    pub workspace_symbols: workspace_symbols::Index,
    /// The builtins' documentation from the user's Nix, once read.
    pub builtin_docs: BuiltinDocs,
}

impl Session {
    pub fn new(nix: NixOptions) -> Session {
        Session {
            nix,
            ..Session::default()
        }
    }
}
