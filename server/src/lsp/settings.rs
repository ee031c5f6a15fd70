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

/// Keys only the editor may set: they name programs to run, which a repository's `nixwise.toml`
/// must never do, or they concern only how the editor shows things.
const EDITOR_ONLY_KEYS: [&str; 2] = ["formatter", "inlay-hints"];

/// The formatter run by `textDocument/formatting` unless the editor names another.
pub const DEFAULT_FORMATTER: &str = "nixfmt";

/// How long a formatter may run by default before it is stopped.
pub const DEFAULT_FORMATTER_TIMEOUT_SECONDS: u64 = 10;

/// `nixwise.formatter`: the command (program and arguments) fed the document on stdin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatterSettings {
    pub command: Vec<String>,
    pub timeout_seconds: u64,
}

impl Default for FormatterSettings {
    fn default() -> FormatterSettings {
        FormatterSettings {
            command: vec![DEFAULT_FORMATTER.to_owned()],
            timeout_seconds: DEFAULT_FORMATTER_TIMEOUT_SECONDS,
        }
    }
}

/// Reads `nixwise.formatter` from editor settings given in either shape; problems are described
/// one per entry and the defaults stand in for what is wrong.
pub fn parse_formatter_settings(value: &Value) -> (FormatterSettings, Vec<String>) {
    let mut settings = FormatterSettings::default();
    let mut problems = Vec::new();
    let section = match value.get(SECTION) {
        Some(inner @ Value::Object(_)) => inner,
        _ => value,
    };
    let Some(formatter) = section.get("formatter").filter(|value| !value.is_null()) else {
        return (settings, problems);
    };
    let Value::Object(formatter) = formatter else {
        return (settings, vec!["`formatter` must be an object".to_owned()]);
    };
    for (key, value) in formatter {
        match (key.as_str(), value) {
            (_, Value::Null) => {}
            ("command", Value::Array(items)) => {
                let words: Option<Vec<String>> = items
                    .iter()
                    .map(|item| item.as_str().map(str::to_owned))
                    .collect();
                match words {
                    Some(words) if !words.is_empty() && !words[0].is_empty() => {
                        settings.command = words;
                    }
                    _ => problems
                        .push("`formatter.command` must be a non-empty list of strings".to_owned()),
                }
            }
            ("command", Value::String(program)) if !program.is_empty() => {
                settings.command = vec![program.clone()];
            }
            ("command", _) => {
                problems.push("`formatter.command` must be a non-empty list of strings".to_owned())
            }
            ("timeout", value) => match value.as_u64().filter(|seconds| *seconds > 0) {
                Some(seconds) => settings.timeout_seconds = seconds,
                None => problems
                    .push("`formatter.timeout` must be a positive number of seconds".to_owned()),
            },
            (other, _) => problems.push(format!("`formatter.{other}`: unknown key")),
        }
    }
    (settings, problems)
}

/// How many lines a value must span before the bracket that closes it is named, by default: only
/// values that leave their start out of sight on a usual screen.
pub const DEFAULT_CLOSING_BRACKET_MIN_LINES: u32 = 30;

/// `nixwise.inlay-hints`: which inlay hints are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InlayHintSettings {
    /// `closing-bracket-min-lines`: the name of a binding is shown after the bracket that closes
    /// its value when the value spans at least this many lines.
    pub closing_bracket_min_lines: u32,
}

impl Default for InlayHintSettings {
    fn default() -> InlayHintSettings {
        InlayHintSettings {
            closing_bracket_min_lines: DEFAULT_CLOSING_BRACKET_MIN_LINES,
        }
    }
}

/// Reads `nixwise.inlay-hints` from editor settings given in either shape; problems are described
/// one per entry and the defaults stand in for what is wrong.
pub fn parse_inlay_hint_settings(value: &Value) -> (InlayHintSettings, Vec<String>) {
    let mut settings = InlayHintSettings::default();
    let section = match value.get(SECTION) {
        Some(inner @ Value::Object(_)) => inner,
        _ => value,
    };
    let Some(hints) = section.get("inlay-hints").filter(|value| !value.is_null()) else {
        return (settings, Vec::new());
    };
    let Value::Object(hints) = hints else {
        return (settings, vec!["`inlay-hints` must be an object".to_owned()]);
    };
    let mut problems = Vec::new();
    for (key, value) in hints {
        match (key.as_str(), value) {
            (_, Value::Null) => {}
            ("closing-bracket-min-lines", value) => match value
                .as_u64()
                .filter(|lines| *lines > 0)
                .and_then(|lines| u32::try_from(lines).ok())
            {
                Some(lines) => settings.closing_bracket_min_lines = lines,
                None => problems.push(
                    "`inlay-hints.closing-bracket-min-lines` must be a positive number of lines"
                        .to_owned(),
                ),
            },
            (other, _) => problems.push(format!("`inlay-hints.{other}`: unknown key")),
        }
    }
    (settings, problems)
}

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
        if CLIENT_ONLY_KEYS.contains(&key.as_str()) || EDITOR_ONLY_KEYS.contains(&key.as_str()) {
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
    formatter: RwLock<FormatterSettings>,
    inlay_hints: RwLock<InlayHintSettings>,
    editor_problems: Mutex<Vec<String>>,
    reported_editor_problems: Mutex<Vec<String>>,
    files: ConfigCache,
    reported_file_problems: Mutex<HashSet<String>>,
    roots: RwLock<Vec<PathBuf>>,
}

impl SettingsStore {
    /// Replaces the editor settings.
    pub fn set_editor(&self, value: &Value) {
        let (settings, mut problems) = parse_editor_settings(value);
        let (formatter, formatter_problems) = parse_formatter_settings(value);
        problems.extend(formatter_problems);
        let (inlay_hints, inlay_hint_problems) = parse_inlay_hint_settings(value);
        problems.extend(inlay_hint_problems);
        *self
            .inlay_hints
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = inlay_hints;
        *self
            .editor
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(settings);
        *self
            .formatter
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = formatter;
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

    /// The formatter the editor settings name, or the default.
    pub fn formatter(&self) -> FormatterSettings {
        self.formatter
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The inlay hints the editor settings ask for, or the defaults.
    pub fn inlay_hints(&self) -> InlayHintSettings {
        *self
            .inlay_hints
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The workspace folders.
    pub fn roots(&self) -> Vec<PathBuf> {
        self.roots
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The workspace folders, against which editor excludes are matched outside any project.
    pub fn set_roots(&self, roots: Vec<PathBuf>) {
        *self
            .roots
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = roots;
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
    fn the_formatter_comes_from_editor_settings_only() {
        let (formatter, problems) = parse_formatter_settings(
            &json!({"nixwise": {"formatter": {"command": ["alejandra", "-q"], "timeout": 3}}}),
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(formatter.command, ["alejandra", "-q"]);
        assert_eq!(formatter.timeout_seconds, 3);
        assert_eq!(
            parse_formatter_settings(&json!({})).0,
            FormatterSettings::default()
        );
        let (formatter, problems) =
            parse_formatter_settings(&json!({"formatter": {"command": [], "colour": 1}}));
        assert_eq!(formatter, FormatterSettings::default());
        assert_eq!(problems.len(), 2, "{problems:?}");
        // Not a lint setting: the lint settings do not complain about it.
        assert!(
            parse_editor_settings(&json!({"formatter": {"command": ["x"]}}))
                .1
                .is_empty()
        );
        // A project file cannot name a command.
        let table: toml::Table = toml::from_str("[formatter]\ncommand = [\"x\"]").expect("TOML");
        assert!(!Settings::from_table(&table).1.is_empty());
    }

    #[test]
    fn inlay_hint_settings_in_both_shapes_with_problems() {
        let (hints, problems) = parse_inlay_hint_settings(
            &json!({"nixwise": {"inlay-hints": {"closing-bracket-min-lines": 5}}}),
        );
        assert_eq!(hints.closing_bracket_min_lines, 5);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            parse_inlay_hint_settings(&json!({})).0,
            InlayHintSettings::default()
        );
        let (hints, problems) = parse_inlay_hint_settings(
            &json!({"inlay-hints": {"closing-bracket-min-lines": 0, "colour": 1}}),
        );
        assert_eq!(hints, InlayHintSettings::default());
        assert_eq!(problems.len(), 2, "{problems:?}");
        // Not a key of `nixwise.toml`.
        assert!(
            parse_editor_settings(&json!({"inlay-hints": {"closing-bracket-min-lines": 3}}))
                .1
                .is_empty()
        );
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
