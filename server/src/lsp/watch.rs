//! Watching the project's configuration files, so that editing `nixwise.toml` re-lints.

use lints::CONFIG_FILE_NAMES;
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::Client;

/// Asks the client to report changes to configuration files anywhere in the workspace.
pub async fn register(client: &Client) {
    let watchers: Vec<lsp::FileSystemWatcher> = CONFIG_FILE_NAMES
        .iter()
        .map(|name| lsp::FileSystemWatcher {
            glob_pattern: lsp::GlobPattern::String(format!("**/{name}")),
            kind: None,
        })
        .collect();
    let options = lsp::DidChangeWatchedFilesRegistrationOptions { watchers };
    let registration = lsp::Registration {
        id: "nixwise-configuration-files".to_owned(),
        method: "workspace/didChangeWatchedFiles".to_owned(),
        register_options: serde_json::to_value(options).ok(),
    };
    if let Err(error) = client.register_capability(vec![registration]).await {
        tracing::warn!("cannot watch configuration files: {error}");
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
