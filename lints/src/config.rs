//! Lint configuration: the same settings come from `nixwise.toml` and from editor settings.
//!
//! ```toml
//! exclude = ["generated/**", "*.lock.nix"]
//! reference-date = "2026-01-31"
//!
//! [lints]
//! bool-comparison = "off"      # by name
//! NIX002 = "error"             # or by code
//! search-path-lookup = { level = "warning" }
//! ```

use std::collections::BTreeMap;

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::diagnostic::{Level, Severity};
use crate::lint::OptionValue;
use crate::registry::{self, LINTS};
use crate::Lint;

/// The file names searched for, in order, in each folder from a file up to the root.
pub const CONFIG_FILE_NAMES: [&str; 2] = ["nixwise.toml", ".nixwise.toml"];

/// One layer of settings as a user wrote it: a configuration file or the editor's settings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    /// Levels by canonical lint name.
    pub lints: BTreeMap<&'static str, Level>,
    /// Lint options by canonical lint name, then option name; checked against the lint's
    /// declared options.
    pub lint_options: BTreeMap<&'static str, BTreeMap<&'static str, OptionValue>>,
    pub exclude: Vec<String>,
    pub reference_date: Option<String>,
    /// The `[flake-lock]` section.
    pub flake_lock: FlakeLockSettings,
}

/// The `[flake-lock]` section: how the flake.lock lints judge nixpkgs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlakeLockSettings {
    /// Days after which a locked nixpkgs is outdated (default 30).
    pub max_age_days: Option<i64>,
    /// Root input names that are nixpkgs (default `["nixpkgs"]`).
    pub nixpkgs_keys: Option<Vec<String>>,
    /// GitHub or GitLab owners whose nixpkgs counts as upstream (default `["NixOS"]`).
    pub allowed_owners: Option<Vec<String>>,
    /// `"root"` (the default) checks the root's nixpkgs inputs, `"all"` every nixpkgs node.
    pub scope: Option<String>,
    /// Statuses of nixpkgs branches that replace or extend the shipped branch data, by branch.
    pub ref_statuses: BTreeMap<String, String>,
}

/// The statuses a nixpkgs branch can have in the branch data and in `ref-statuses`.
pub const BRANCH_STATUSES: [&str; 4] = ["rolling", "stable", "deprecated", "unmaintained"];

/// A problem in a settings layer. The rest of the layer still applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsError {
    /// Where the problem is, as a dotted key path (`lints.bool-comparison`).
    pub key: String,
    pub message: String,
}

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}`: {}", self.key, self.message)
    }
}

impl Settings {
    /// Reads a `nixwise.toml`. A TOML syntax error is an `Err`; wrong keys or values are reported
    /// beside the settings that could be read.
    pub fn from_toml(text: &str) -> Result<(Settings, Vec<SettingsError>), String> {
        let value: toml::Table =
            toml::from_str(text).map_err(|error| error.message().to_owned())?;
        Ok(Settings::from_table(&value))
    }

    /// Reads settings from a table: a parsed TOML file, or editor settings converted to TOML values.
    pub fn from_table(table: &toml::Table) -> (Settings, Vec<SettingsError>) {
        let mut settings = Settings::default();
        let mut errors = Vec::new();
        for (key, value) in table {
            match key.as_str() {
                "lints" => match value {
                    toml::Value::Table(lints) => read_lints(lints, &mut settings, &mut errors),
                    _ => errors.push(error("lints", "expected a table of lint levels")),
                },
                "exclude" => match string_list(value) {
                    Some(globs) => {
                        for glob in &globs {
                            if let Err(problem) = Glob::new(glob) {
                                errors.push(error(
                                    "exclude",
                                    &format!("bad glob `{glob}`: {problem}"),
                                ));
                            }
                        }
                        settings.exclude = globs;
                    }
                    None => errors.push(error("exclude", "expected a list of glob strings")),
                },
                "reference-date" => match value {
                    toml::Value::String(date) if is_date(date) => {
                        settings.reference_date = Some(date.clone());
                    }
                    toml::Value::Datetime(date) => settings.reference_date = Some(date.to_string()),
                    _ => errors.push(error(
                        "reference-date",
                        "expected a date such as \"2026-01-31\"",
                    )),
                },
                "flake-lock" => match value {
                    toml::Value::Table(section) => {
                        read_flake_lock(section, &mut settings, &mut errors)
                    }
                    _ => errors.push(error("flake-lock", "expected a table")),
                },
                other => errors.push(error(other, "unknown key")),
            }
        }
        (settings, errors)
    }
}

fn read_flake_lock(
    section: &toml::Table,
    settings: &mut Settings,
    errors: &mut Vec<SettingsError>,
) {
    let flake_lock = &mut settings.flake_lock;
    for (key, value) in section {
        let path = format!("flake-lock.{key}");
        match key.as_str() {
            "max-age-days" => match value.as_integer() {
                Some(days) if days >= 0 => flake_lock.max_age_days = Some(days),
                _ => errors.push(error(&path, "expected a number of days (0 or more)")),
            },
            "nixpkgs-keys" => match string_list(value) {
                Some(keys) => flake_lock.nixpkgs_keys = Some(keys),
                None => errors.push(error(&path, "expected a list of input names")),
            },
            "allowed-owners" => match string_list(value) {
                Some(owners) => flake_lock.allowed_owners = Some(owners),
                None => errors.push(error(&path, "expected a list of owner names")),
            },
            "scope" => match value.as_str() {
                Some(scope @ ("root" | "all")) => flake_lock.scope = Some(scope.to_owned()),
                _ => errors.push(error(&path, "expected \"root\" or \"all\"")),
            },
            "reference-date" => match value {
                toml::Value::String(date) if is_date(date) => {
                    settings.reference_date = Some(date.clone());
                }
                toml::Value::Datetime(date) => settings.reference_date = Some(date.to_string()),
                _ => errors.push(error(&path, "expected a date such as \"2026-01-31\"")),
            },
            "ref-statuses" => match value {
                toml::Value::String(builtin) if builtin == "builtin" => {}
                toml::Value::Table(statuses) => {
                    for (branch, status) in statuses {
                        match status.as_str() {
                            Some(status) if BRANCH_STATUSES.contains(&status) => {
                                flake_lock
                                    .ref_statuses
                                    .insert(branch.clone(), status.to_owned());
                            }
                            _ => errors.push(error(
                                &format!("{path}.{branch}"),
                                &format!("expected a status ({})", BRANCH_STATUSES.join(", ")),
                            )),
                        }
                    }
                }
                _ => errors.push(error(
                    &path,
                    "expected \"builtin\" or a table of branch statuses such as { \"nixos-26.11\" = \"stable\" }",
                )),
            },
            _ => errors.push(error(&path, "unknown key")),
        }
    }
}

fn read_lints(lints: &toml::Table, settings: &mut Settings, errors: &mut Vec<SettingsError>) {
    for (key, value) in lints {
        let path = format!("lints.{key}");
        let Some(lint) = registry::find(key) else {
            errors.push(error(&path, &unknown_lint_message(key)));
            continue;
        };
        let level = match value {
            toml::Value::String(level) => level.parse::<Level>(),
            toml::Value::Table(table) => {
                let (level, options) = read_lint_table(lint, table, &path, errors);
                if !options.is_empty() {
                    settings
                        .lint_options
                        .entry(lint.name)
                        .or_default()
                        .extend(options);
                }
                level
            }
            _ => Err("expected a level such as \"warning\" or a table with `level`".to_owned()),
        };
        match level {
            Ok(level) => {
                settings.lints.insert(lint.name, level);
            }
            Err(message) if !message.is_empty() => errors.push(error(&path, &message)),
            Err(_) => {}
        }
    }
}

type LintOptions = BTreeMap<&'static str, OptionValue>;

fn read_lint_table(
    lint: &'static Lint,
    table: &toml::Table,
    path: &str,
    errors: &mut Vec<SettingsError>,
) -> (Result<Level, String>, LintOptions) {
    let mut level = Err(String::new());
    let mut options = BTreeMap::new();
    for (key, value) in table {
        match (key.as_str(), value) {
            ("level", toml::Value::String(text)) => level = text.parse::<Level>(),
            ("level", _) => level = Err("expected a level string".to_owned()),
            (other, value) => {
                let key_path = format!("{path}.{other}");
                let Some(declared) = lint.options.iter().find(|option| option.name == other) else {
                    let known: Vec<&str> = lint.options.iter().map(|option| option.name).collect();
                    let message = if known.is_empty() {
                        "unknown lint option (this lint has no options)".to_owned()
                    } else {
                        format!("unknown lint option (options: {})", known.join(", "))
                    };
                    errors.push(error(&key_path, &message));
                    continue;
                };
                match OptionValue::from_toml(value, declared.default) {
                    Some(parsed) => {
                        options.insert(declared.name, parsed);
                    }
                    None => errors.push(error(
                        &key_path,
                        &format!("expected {}", declared.default.type_name()),
                    )),
                }
            }
        }
    }
    (level, options)
}

fn unknown_lint_message(key: &str) -> String {
    match registry::closest_name(key) {
        Some(name) => format!("unknown lint (did you mean `{name}`?)"),
        None => "unknown lint".to_owned(),
    }
}

fn error(key: &str, message: &str) -> SettingsError {
    SettingsError {
        key: key.to_owned(),
        message: message.to_owned(),
    }
}

fn string_list(value: &toml::Value) -> Option<Vec<String>> {
    match value {
        toml::Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect(),
        _ => None,
    }
}

fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 10
        && bytes[..10]
            .iter()
            .enumerate()
            .all(|(index, byte)| match index {
                4 | 7 => *byte == b'-',
                _ => byte.is_ascii_digit(),
            })
}

/// The settings in force for a file: every layer merged, lowest first.
#[derive(Clone, Debug)]
pub struct Config {
    /// Levels by lint index in the registry; `None` keeps the lint's default.
    levels: Vec<Option<Level>>,
    /// Options by lint index in the registry.
    options: Vec<LintOptions>,
    exclude: Vec<String>,
    exclude_set: GlobSet,
    reference_date: Option<String>,
    flake_lock: FlakeLockSettings,
}

/// Two configurations are equal when they judge every file alike: the glob set is built from
/// `exclude`, so comparing the patterns compares it.
impl PartialEq for Config {
    fn eq(&self, other: &Config) -> bool {
        self.levels == other.levels
            && self.options == other.options
            && self.exclude == other.exclude
            && self.reference_date == other.reference_date
            && self.flake_lock == other.flake_lock
    }
}

impl Default for Config {
    fn default() -> Config {
        Config::from_layers(&[])
    }
}

impl Config {
    /// Merges layers: a lint level or the reference date in a later layer wins; excludes add up.
    pub fn from_layers(layers: &[&Settings]) -> Config {
        let mut levels = vec![None; LINTS.len()];
        let mut options: Vec<LintOptions> = vec![BTreeMap::new(); LINTS.len()];
        let mut exclude = Vec::new();
        let mut reference_date = None;
        let mut flake_lock = FlakeLockSettings::default();
        for layer in layers {
            for (name, level) in &layer.lints {
                if let Some(index) = registry::index_of(name) {
                    levels[index] = Some(*level);
                }
            }
            for (name, values) in &layer.lint_options {
                if let Some(index) = registry::index_of(name) {
                    options[index].extend(values.iter().map(|(key, value)| (*key, value.clone())));
                }
            }
            exclude.extend(layer.exclude.iter().cloned());
            if layer.reference_date.is_some() {
                reference_date.clone_from(&layer.reference_date);
            }
            let section = &layer.flake_lock;
            if section.max_age_days.is_some() {
                flake_lock.max_age_days = section.max_age_days;
            }
            if section.nixpkgs_keys.is_some() {
                flake_lock.nixpkgs_keys.clone_from(&section.nixpkgs_keys);
            }
            if section.allowed_owners.is_some() {
                flake_lock
                    .allowed_owners
                    .clone_from(&section.allowed_owners);
            }
            if section.scope.is_some() {
                flake_lock.scope.clone_from(&section.scope);
            }
            flake_lock.ref_statuses.extend(
                section
                    .ref_statuses
                    .iter()
                    .map(|(branch, status)| (branch.clone(), status.clone())),
            );
        }
        let mut builder = GlobSetBuilder::new();
        for pattern in &exclude {
            // Bad globs were reported when the layer was read.
            if let Ok(glob) = Glob::new(pattern) {
                builder.add(glob);
            }
            if !pattern.contains('/') {
                if let Ok(glob) = Glob::new(&format!("**/{pattern}")) {
                    builder.add(glob);
                }
            }
        }
        let exclude_set = builder.build().unwrap_or_else(|_| GlobSet::empty());
        Config {
            levels,
            options,
            exclude,
            exclude_set,
            reference_date,
            flake_lock,
        }
    }

    /// The severity a lint reports with, or `None` when it is off. A finding may carry its own
    /// severity, which a configured level overrides.
    pub fn severity(&self, lint: &Lint, finding: Option<Severity>) -> Option<Severity> {
        let configured = registry::index_of(lint.name).and_then(|index| self.levels[index]);
        match configured {
            Some(Level::Off) => None,
            Some(Level::On(severity)) => Some(severity),
            None if lint.default_enabled => Some(finding.unwrap_or(lint.default_severity)),
            None => None,
        }
    }

    /// The value of a lint's option: configured, or the lint's declared default.
    pub fn option(&self, lint: &Lint, name: &str) -> Option<OptionValue> {
        let configured =
            registry::index_of(lint.name).and_then(|index| self.options[index].get(name).cloned());
        configured.or_else(|| {
            lint.options
                .iter()
                .find(|option| option.name == name)
                .map(|option| option.default.into())
        })
    }

    /// Whether a lint runs at all.
    pub fn is_enabled(&self, lint: &Lint) -> bool {
        match registry::index_of(lint.name).and_then(|index| self.levels[index]) {
            Some(Level::Off) => false,
            Some(Level::On(_)) => true,
            None => lint.default_enabled,
        }
    }

    /// Whether a path, relative to the folder of the configuration, is excluded.
    pub fn is_excluded(&self, relative_path: &str) -> bool {
        let path = relative_path.strip_prefix("./").unwrap_or(relative_path);
        self.exclude_set.is_match(path)
    }

    pub fn exclude(&self) -> &[String] {
        &self.exclude
    }

    /// The date that time-based lints measure against (`YYYY-MM-DD`), if one is set.
    pub fn reference_date(&self) -> Option<&str> {
        self.reference_date.as_deref()
    }

    /// Days after which a locked nixpkgs is outdated.
    pub fn max_age_days(&self) -> i64 {
        self.flake_lock.max_age_days.unwrap_or(30)
    }

    /// Root input names that are nixpkgs.
    pub fn nixpkgs_keys(&self) -> Vec<String> {
        self.flake_lock
            .nixpkgs_keys
            .clone()
            .unwrap_or_else(|| vec!["nixpkgs".to_owned()])
    }

    /// Owners whose nixpkgs counts as upstream, lowercased.
    pub fn allowed_owners(&self) -> Vec<String> {
        let owners = self
            .flake_lock
            .allowed_owners
            .clone()
            .unwrap_or_else(|| vec!["NixOS".to_owned()]);
        owners
            .iter()
            .map(|owner| owner.to_ascii_lowercase())
            .collect()
    }

    /// Branch statuses set in the configuration, which win over the shipped branch data.
    pub fn ref_statuses(&self) -> &BTreeMap<String, String> {
        &self.flake_lock.ref_statuses
    }

    /// Whether every nixpkgs node of the lock is checked, not only the root's inputs.
    pub fn lock_scope_all(&self) -> bool {
        self.flake_lock.scope.as_deref() == Some("all")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(text: &str) -> (Settings, Vec<String>) {
        let (settings, errors) = Settings::from_toml(text).expect("valid TOML");
        (settings, errors.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn levels_by_name_code_and_table() {
        let (settings, errors) = settings(
            r#"
            [lints]
            bool-comparison = "off"
            nix000 = { level = "hint" }
            "#,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(settings.lints["bool-comparison"], Level::Off);
        assert_eq!(settings.lints["syntax-error"], Level::On(Severity::Hint));
        let (settings, _) = Settings::from_toml("[lints]\nNIX001 = \"error\"").expect("toml");
        assert_eq!(
            settings.lints["bool-comparison"],
            Level::On(Severity::Error)
        );
    }

    #[test]
    fn bad_keys_are_reported_and_the_rest_still_applies() {
        let (settings, errors) = settings(
            r#"
            colour = true
            exclude = ["gen/**"]
            [lints]
            bool-comparisn = "off"
            bool-comparison = "loud"
            syntax-error = { level = "off", strict = true }
            "#,
        );
        assert_eq!(settings.exclude, ["gen/**"]);
        assert_eq!(settings.lints.get("syntax-error"), Some(&Level::Off));
        assert_eq!(
            errors,
            [
                "`colour`: unknown key",
                "`lints.bool-comparisn`: unknown lint (did you mean `bool-comparison`?)",
                "`lints.bool-comparison`: `loud` is not a lint level (off, hint, info, warning, error)",
                "`lints.syntax-error.strict`: unknown lint option (this lint has no options)",
            ]
        );
    }

    #[test]
    fn lint_options_are_checked_against_the_lint() {
        let (settings, errors) = settings(
            r#"
            [lints.unused-pattern-binding]
            strict-patterns = true
            [lints.unused-lambda-arg]
            warn-used-underscore = "yes"
            [lints.unused-let-binding]
            strict = true
            "#,
        );
        assert_eq!(
            errors,
            [
                "`lints.unused-lambda-arg.warn-used-underscore`: expected a boolean",
                "`lints.unused-let-binding.strict`: unknown lint option (this lint has no options)",
            ]
        );
        let config = Config::from_layers(&[&settings]);
        let lint = registry::find("unused-pattern-binding").expect("registered");
        assert_eq!(
            config.option(lint, "strict-patterns"),
            Some(OptionValue::Bool(true))
        );
        let lint = registry::find("unused-lambda-arg").expect("registered");
        assert_eq!(
            config.option(lint, "warn-used-underscore"),
            Some(OptionValue::Bool(false))
        );
    }

    #[test]
    fn flake_lock_section() {
        let (section, errors) = settings(
            "[flake-lock]\nmax-age-days = 14\nnixpkgs-keys = [\"nixpkgs\", \"nixpkgs-stable\"]\n\
             allowed-owners = [\"NixOS\", \"my-org\"]\nscope = \"all\"\nreference-date = \"2026-02-01\"\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let config = Config::from_layers(&[&section]);
        assert_eq!(config.max_age_days(), 14);
        assert_eq!(config.nixpkgs_keys(), ["nixpkgs", "nixpkgs-stable"]);
        assert_eq!(config.allowed_owners(), ["nixos", "my-org"]);
        assert!(config.lock_scope_all());
        assert_eq!(config.reference_date(), Some("2026-02-01"));
        let (_, errors) =
            settings("[flake-lock]\nmax-age-days = \"x\"\nscope = \"some\"\nnope = 1\n");
        assert_eq!(errors.len(), 3, "{errors:?}");
        let defaults = Config::default();
        assert_eq!(defaults.max_age_days(), 30);
        assert_eq!(defaults.nixpkgs_keys(), ["nixpkgs"]);
        assert_eq!(defaults.allowed_owners(), ["nixos"]);
    }

    #[test]
    fn ref_statuses_extend_the_branch_data_layer_by_layer() {
        let (file, errors) = settings(
            "[flake-lock.ref-statuses]\n\"nixos-26.11\" = \"stable\"\n\"nixos-26.05\" = \"deprecated\"\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let (editor, errors) =
            settings("[flake-lock]\nref-statuses = { \"nixos-26.05\" = \"unmaintained\" }\n");
        assert!(errors.is_empty(), "{errors:?}");
        let config = Config::from_layers(&[&file, &editor]);
        let statuses: Vec<(&str, &str)> = config
            .ref_statuses()
            .iter()
            .map(|(branch, status)| (branch.as_str(), status.as_str()))
            .collect();
        assert_eq!(
            statuses,
            [("nixos-26.05", "unmaintained"), ("nixos-26.11", "stable")]
        );
        let (builtin, errors) = settings("[flake-lock]\nref-statuses = \"builtin\"\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert!(Config::from_layers(&[&builtin]).ref_statuses().is_empty());
        let (_, errors) = settings(
            "[flake-lock]\nref-statuses = { \"nixos-26.11\" = \"supported\", \"nixos-26.05\" = 1 }\n",
        );
        assert_eq!(
            errors,
            [
                "`flake-lock.ref-statuses.nixos-26.05`: expected a status (rolling, stable, deprecated, unmaintained)",
                "`flake-lock.ref-statuses.nixos-26.11`: expected a status (rolling, stable, deprecated, unmaintained)",
            ]
        );
        let (_, errors) = settings("[flake-lock]\nref-statuses = \"./branches.json\"\n");
        assert_eq!(errors.len(), 1, "{errors:?}");
    }

    #[test]
    fn toml_syntax_errors_are_errors() {
        assert!(Settings::from_toml("[lints").is_err());
    }

    #[test]
    fn later_layers_win_and_excludes_add_up() {
        let (file, _) = settings("exclude = [\"a/**\"]\n[lints]\nbool-comparison = \"off\"\n");
        let (editor, _) =
            settings("exclude = [\"*.gen.nix\"]\n[lints]\nbool-comparison = \"hint\"\n");
        let config = Config::from_layers(&[&file, &editor]);
        let lint = registry::find("bool-comparison").expect("registered");
        assert_eq!(config.severity(lint, None), Some(Severity::Hint));
        assert!(config.is_excluded("a/b/c.nix"));
        assert!(config.is_excluded("x/y.gen.nix"));
        assert!(config.is_excluded("./top.gen.nix"));
        assert!(!config.is_excluded("b/c.nix"));
    }

    #[test]
    fn reference_date_must_be_a_date() {
        let (ok, errors) = settings("reference-date = \"2026-01-31\"");
        assert!(errors.is_empty());
        assert_eq!(ok.reference_date.as_deref(), Some("2026-01-31"));
        let (_, errors) = settings("reference-date = \"yesterday\"");
        assert_eq!(errors.len(), 1);
    }
}
