//! Watching files the analysis reads from disk: configuration files, so that editing
//! `nixwise.toml` re-lints, and flake.lock files, so that `nix flake update` in a terminal updates
//! the lock's diagnostics.

use lints::CONFIG_FILE_NAMES;
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::Client;

use super::flake::{self, Role};

/// Nix sources, whose symbols the workspace index keeps (`**/` is put in front).
const WORKSPACE_SOURCES: &str = "*.nix";

/// Asks the client to report changes to configuration files, flake.lock files and Nix sources
/// anywhere in the workspace.
pub async fn register(client: &Client) {
    let watchers: Vec<lsp::FileSystemWatcher> = CONFIG_FILE_NAMES
        .iter()
        .chain(&[flake::FLAKE_LOCK, WORKSPACE_SOURCES])
        .map(|name| lsp::FileSystemWatcher {
            glob_pattern: lsp::GlobPattern::String(format!("**/{name}")),
            kind: None,
        })
        .collect();
    let options = lsp::DidChangeWatchedFilesRegistrationOptions { watchers };
    let registration = lsp::Registration {
        id: "nixwise-watched-files".to_owned(),
        method: "workspace/didChangeWatchedFiles".to_owned(),
        register_options: serde_json::to_value(options).ok(),
    };
    if let Err(error) = client.register_capability(vec![registration]).await {
        tracing::warn!("cannot watch configuration and lock files: {error}");
    }
}

/// Whether any of the changed files is a configuration file.
pub fn touches_configuration(params: &lsp::DidChangeWatchedFilesParams) -> bool {
    params.changes.iter().any(|change| {
        let path = change.uri.path().as_str();
        let name = path.rsplit('/').next().unwrap_or(path);
        CONFIG_FILE_NAMES.contains(&name)
    })
}

/// The flake.lock files among the changed files.
pub fn changed_locks(params: &lsp::DidChangeWatchedFilesParams) -> Vec<lsp::Uri> {
    params
        .changes
        .iter()
        .filter(|change| flake::role(&change.uri) == Role::FlakeLock)
        .map(|change| change.uri.clone())
        .collect()
}
