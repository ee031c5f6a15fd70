//! Configuration in the editor: editor settings (same shape as `nixwise.toml`, as JSON) layered on
//! top of the project's `nixwise.toml`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use lints::{Config, Settings};
use serde_json::Value;
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::Client;

use crate::config::ConfigCache;

use super::documents::Snapshot;

/// The configuration section nixwise reads from the editor.
pub const SECTION: &str = "nixwise";

/// Keys that editor clients keep beside the server's settings, for their own use.
const CLIENT_ONLY_KEYS: [&str; 4] = ["path", "trace", "server", "enable"];

/// Reads editor settings given as `{"nixwise": {…}}` or as the bare `{…}`. A `null` gives no
/// settings. Problems are described one per entry; the rest of the settings still applies.
pub fn parse_editor_settings(value: &Value) -> (Settings, Vec<String>) {
    let section = match value {
        Value::Object(map) => match map.get(SECTION) {
            Some(inner @ (Value::Object(_) | Value::Null)) => inner,
            _ => value,
        },
        other => other,
    };
    let map = match section {
        Value::Null => return (Settings::default(), Vec::new()),
        Value::Object(map) => map,
        _ => {
            return (
                Settings::default(),
                vec!["settings must be an object".to_owned()],
            )
        }
    };
    let mut table = toml::Table::new();
    for (key, value) in map {
        if CLIENT_ONLY_KEYS.contains(&key.as_str()) {
            continue;
        }
        if let Some(value) = to_toml(value) {
            table.insert(key.clone(), value);
        }
    }
    let (settings, errors) = Settings::from_table(&table);
    (settings, errors.iter().map(ToString::to_string).collect())
}

/// A JSON value as TOML, dropping `null`s, which TOML cannot hold.
fn to_toml(value: &Value) -> Option<toml::Value> {
    Some(match value {
        Value::Null => return None,
        Value::Bool(flag) => toml::Value::Boolean(*flag),
        Value::Number(number) => match number.as_i64() {
            Some(integer) => toml::Value::Integer(integer),
            None => toml::Value::Float(number.as_f64()?),
        },
        Value::String(text) => toml::Value::String(text.clone()),
        Value::Array(items) => toml::Value::Array(items.iter().filter_map(to_toml).collect()),
        Value::Object(map) => toml::Value::Table(
            map.iter()
                .filter_map(|(key, value)| Some((key.clone(), to_toml(value)?)))
                .collect(),
        ),
    })
}

/// What applies to one document.
pub struct DocumentConfig {
    pub config: Config,
    /// Excluded by a configured glob: the document gets no diagnostics.
    pub excluded: bool,
    /// A problem with the project's configuration file not reported before.
    pub new_problem: Option<String>,
}

/// The settings in force: the editor's, the project files', and which problems were reported.
#[derive(Default)]
pub struct SettingsStore {
    editor: RwLock<Arc<Settings>>,
    editor_problems: Mutex<Vec<String>>,
    reported_editor_problems: Mutex<Vec<String>>,
    files: ConfigCache,
    reported_file_problems: Mutex<HashSet<String>>,
    roots: RwLock<Vec<PathBuf>>,
}

impl SettingsStore {
    /// Replaces the editor settings.
    pub fn set_editor(&self, value: &Value) {
        let (settings, problems) = parse_editor_settings(value);
        *self
            .editor
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(settings);
        *lock(&self.editor_problems) = problems;
    }

    /// A message listing the problems of the editor settings, unless they were reported already.
    pub fn take_new_editor_problems(&self) -> Option<String> {
        let problems = lock(&self.editor_problems).clone();
        let mut reported = lock(&self.reported_editor_problems);
        if problems == *reported {
            return None;
        }
        reported.clone_from(&problems);
        (!problems.is_empty()).then(|| {
            format!(
                "nixwise: ignoring bad editor settings: {}",
                problems.join("; ")
            )
        })
    }

    /// The workspace folders, against which editor excludes are matched outside any project.
    pub fn set_roots(&self, roots: Vec<PathBuf>) {
        *self
            .roots
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = roots;
    }

    pub fn roots(&self) -> Vec<PathBuf> {
        self.roots
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Forgets the configuration files read, after one of them changed.
    pub fn clear_files(&self) {
        self.files.clear();
        lock(&self.reported_file_problems).clear();
    }

    /// The configuration for a document: its project's `nixwise.toml`, then the editor settings.
    /// Reads files: call it off the async runtime.
    pub fn for_document(&self, snapshot: &Snapshot) -> DocumentConfig {
        self.for_path(snapshot.path.as_deref())
    }

    /// The configuration for a file at `path` (`None` for a document that is not a file).
    /// Reads files: call it off the async runtime.
    pub fn for_path(&self, path: Option<&Path>) -> DocumentConfig {
        let editor = self
            .editor
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        let Some(path) = path else {
            return DocumentConfig {
                config: Config::from_layers(&[&editor]),
                excluded: false,
                new_problem: None,
            };
        };
        let (file, problem) = match self.files.for_file(path) {
            Ok(Some(file)) => {
                let problem = (!file.errors.is_empty()).then(|| {
                    let listed: Vec<String> = file.errors.iter().map(ToString::to_string).collect();
                    format!(
                        "nixwise: ignoring bad settings in {}: {}",
                        file.path.display(),
                        listed.join("; ")
                    )
                });
                (Some(file), problem)
            }
            Ok(None) => (None, None),
            Err(error) => (
                None,
                Some(format!("nixwise: ignoring a configuration file: {error:#}")),
            ),
        };
        let config = match &file {
            Some(file) => Config::from_layers(&[&file.settings, &editor]),
            None => Config::from_layers(&[&editor]),
        };
        let relative = match &file {
            Some(file) => file.relative(path),
            None => self.relative_to_root(path),
        };
        let excluded = relative.is_some_and(|relative| config.is_excluded(&relative));
        let new_problem =
            problem.filter(|message| lock(&self.reported_file_problems).insert(message.clone()));
        DocumentConfig {
            config,
            excluded,
            new_problem,
        }
    }

    fn relative_to_root(&self, path: &Path) -> Option<String> {
        let roots = self
            .roots
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let relative = roots.iter().find_map(|root| path.strip_prefix(root).ok())?;
        Some(
            relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
        )
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Asks the client for the `nixwise` section. `None` when the client has nothing to say or the
/// request failed; a failure is logged, never fatal.
pub async fn pull(client: &Client) -> Option<Value> {
    let item = lsp::ConfigurationItem {
        scope_uri: None,
        section: Some(SECTION.to_owned()),
    };
    match client.configuration(vec![item]).await {
        Ok(values) => values.into_iter().next().filter(|value| !value.is_null()),
        Err(error) => {
            tracing::warn!("workspace/configuration failed: {error}");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn both_shapes_and_client_keys_are_accepted() {
        let bare = json!({"lints": {"bool-comparison": "off"}, "path": "/bin/nixwise", "trace": {"server": "verbose"}});
        let wrapped = json!({"nixwise": bare.clone()});
        for value in [&bare, &wrapped] {
            let (settings, problems) = parse_editor_settings(value);
            assert!(problems.is_empty(), "{problems:?}");
            assert_eq!(
                settings.lints.get("bool-comparison"),
                Some(&lints::Level::Off)
            );
        }
    }

    #[test]
    fn nulls_are_dropped_and_problems_listed() {
        let value = json!({"lints": {"bool-comparison": null, "NIX000": "loud"}, "exclude": ["a/**", null], "colour": 1});
        let (settings, problems) = parse_editor_settings(&value);
        assert_eq!(settings.exclude, ["a/**"]);
        assert!(settings.lints.is_empty());
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(
            parse_editor_settings(&Value::Null),
            (Settings::default(), Vec::new())
        );
        assert_eq!(parse_editor_settings(&json!([1])).1.len(), 1);
    }

    #[test]
    fn the_same_problems_are_reported_once() {
        let store = SettingsStore::default();
        store.set_editor(&json!({"lints": {"nope": "off"}}));
        assert!(store.take_new_editor_problems().is_some());
        store.set_editor(&json!({"nixwise": {"lints": {"nope": "off"}}}));
        assert!(store.take_new_editor_problems().is_none());
        store.set_editor(&json!({}));
        assert!(store.take_new_editor_problems().is_none());
    }
}
