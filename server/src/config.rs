//! Finding and reading `nixwise.toml`: the CLI and the language server read the same file, so the
//! editor and CI agree.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use lints::{Settings, SettingsError, CONFIG_FILE_NAMES};

/// A configuration file that was read.
#[derive(Debug)]
pub struct ConfigFile {
    pub path: PathBuf,
    /// The folder holding the file; excludes are relative to it.
    pub dir: PathBuf,
    pub settings: Settings,
    /// Keys or values that were wrong; the rest of the file applies.
    pub errors: Vec<SettingsError>,
}

impl ConfigFile {
    /// Reads a configuration file. Unreadable files and TOML syntax errors are errors.
    pub fn load(path: &Path) -> anyhow::Result<ConfigFile> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let (settings, errors) = Settings::from_toml(&text)
            .map_err(|message| anyhow::anyhow!("{}: {}", path.display(), message.trim()))?;
        let dir = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        Ok(ConfigFile {
            path: path.to_path_buf(),
            dir,
            settings,
            errors,
        })
    }

    /// The path of `file` relative to this file's folder, with `/` separators, if it is inside it.
    pub fn relative(&self, file: &Path) -> Option<String> {
        let relative = file.strip_prefix(&self.dir).ok().or_else(|| {
            let dir = self.dir.strip_prefix("./").unwrap_or(&self.dir);
            file.strip_prefix("./").ok()?.strip_prefix(dir).ok()
        })?;
        Some(
            relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
        )
    }
}

/// The configuration file that applies to files in `dir`: the first `nixwise.toml` or
/// `.nixwise.toml` found walking up from `dir`.
pub fn find_config_file(dir: &Path) -> Option<PathBuf> {
    find_cached(&mut HashMap::new(), dir)
}

/// [`find_config_file`] for `dir`, with what is known of each folder on the way up: the walk stops
/// at a folder whose answer is known, and the folders it passes get the answer it finds, so
/// checking a tree probes each folder once, not once for every folder below it.
fn find_cached(by_dir: &mut HashMap<PathBuf, Option<PathBuf>>, dir: &Path) -> Option<PathBuf> {
    if let Some(known) = by_dir.get(dir) {
        return known.clone();
    }
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut passed = Vec::new();
    let mut found = None;
    for folder in absolute.ancestors() {
        if let Some(known) = by_dir.get(folder) {
            found = known.clone();
            break;
        }
        passed.push(folder.to_path_buf());
        if let Some(file) = CONFIG_FILE_NAMES
            .iter()
            .map(|name| folder.join(name))
            .find(|candidate| candidate.is_file())
        {
            found = Some(file);
            break;
        }
    }
    for folder in passed {
        by_dir.insert(folder, found.clone());
    }
    by_dir.insert(dir.to_path_buf(), found.clone());
    found
}

/// Remembers which configuration file applies to each folder, and each file's contents, so that
/// checking many files reads each configuration once.
#[derive(Default)]
pub struct ConfigCache {
    by_dir: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
    files: Mutex<HashMap<PathBuf, Arc<ConfigFile>>>,
}

impl ConfigCache {
    /// The configuration that applies to `file`, if any. A file that cannot be read or parsed is
    /// an error every time it is asked for.
    pub fn for_file(&self, file: &Path) -> anyhow::Result<Option<Arc<ConfigFile>>> {
        let dir = file
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let found = {
            let mut by_dir = self
                .by_dir
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            find_cached(&mut by_dir, &dir)
        };
        let Some(path) = found else { return Ok(None) };
        if let Some(loaded) = self
            .files
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&path)
        {
            return Ok(Some(loaded.clone()));
        }
        let loaded = Arc::new(ConfigFile::load(&path)?);
        self.files
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(path, loaded.clone());
        Ok(Some(loaded))
    }

    /// Forgets everything, after a configuration file was created, changed or deleted.
    pub fn clear(&self) {
        self.by_dir
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
        self.files
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_file_up_the_tree_wins() {
        let root = tempfile::tempdir().expect("a temporary folder");
        let nested = root.path().join("a/b");
        std::fs::create_dir_all(&nested).expect("folders");
        std::fs::write(
            root.path().join("nixwise.toml"),
            "[lints]\nNIX001 = \"off\"\n",
        )
        .expect("write");
        std::fs::write(root.path().join("a/.nixwise.toml"), "exclude = [\"x\"]\n").expect("write");
        let found = find_config_file(&nested).expect("a file");
        assert!(found.ends_with("a/.nixwise.toml"), "{}", found.display());

        let cache = ConfigCache::default();
        let config = cache
            .for_file(&nested.join("c.nix"))
            .expect("readable")
            .expect("found");
        assert_eq!(config.settings.exclude, ["x"]);
        assert_eq!(
            config.relative(&nested.join("c.nix")).as_deref(),
            Some("b/c.nix")
        );
    }

    #[test]
    fn the_cache_finds_what_a_walk_up_from_each_folder_finds() {
        let root = tempfile::tempdir().expect("a temporary folder");
        for folder in ["a/b/c", "a/d", "e/f/g", "e/h"] {
            std::fs::create_dir_all(root.path().join(folder)).expect("folders");
        }
        std::fs::write(root.path().join("nixwise.toml"), "").expect("write");
        std::fs::write(root.path().join("a/b/.nixwise.toml"), "").expect("write");
        std::fs::write(root.path().join("e/f/nixwise.toml"), "").expect("write");
        let folders = ["", "a", "a/b", "a/b/c", "a/d", "e", "e/f", "e/f/g", "e/h"];
        // Deepest first, shallowest first, and interleaved: each order leaves different folders
        // known when the next is asked for.
        let orders: [Vec<&str>; 3] = [
            folders.iter().rev().copied().collect(),
            folders.to_vec(),
            vec!["a/b/c", "e", "a/d", "e/f/g", "", "a", "e/h", "a/b", "e/f"],
        ];
        for order in orders {
            let cache = ConfigCache::default();
            for folder in order {
                let dir = root.path().join(folder);
                let cached = cache
                    .for_file(&dir.join("x.nix"))
                    .expect("readable")
                    .map(|file| file.path.clone());
                assert_eq!(cached, find_config_file(&dir), "{folder}");
            }
        }
    }

    #[test]
    fn toml_errors_name_the_file() {
        let root = tempfile::tempdir().expect("a temporary folder");
        let path = root.path().join("nixwise.toml");
        std::fs::write(&path, "[lints\n").expect("write");
        let error = ConfigFile::load(&path)
            .expect_err("a syntax error")
            .to_string();
        assert!(error.contains("nixwise.toml"), "{error}");
    }
}
