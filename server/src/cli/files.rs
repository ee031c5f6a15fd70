//! Which files `check` and `fix` read, the configuration of each, and reading them.
//!
//! Folders are walked with the `ignore` crate: `.gitignore` (also outside a git repository),
//! `.ignore` and the global git excludes are honoured, hidden files and folders are skipped, and
//! only `*.nix` files are taken. Symbolic links met during a walk are not followed. A path named
//! on the command line is taken whatever its name or extension.
//!
//! Excludes from the configuration apply to every file, also to one named on the command line, so
//! that tools that pass file names (pre-commit, editors) respect them; this is what ruff calls
//! `force-exclude`.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use anyhow::Context;
use lints::Config;

use crate::config::{ConfigCache, ConfigFile};

/// A file to check.
#[derive(Clone, Debug)]
pub struct Target {
    /// The path as given on the command line or found under it, without a leading `./`.
    pub display: String,
    pub path: PathBuf,
    pub config: Arc<Config>,
}

impl Target {
    /// The bare file name (`flake.nix`), which some lints look at.
    pub fn file_name(&self) -> Option<&str> {
        self.path.file_name().and_then(|name| name.to_str())
    }
}

/// The files found, and what went wrong finding them.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Sorted by `display`, without duplicates.
    pub targets: Vec<Target>,
    /// Problems in configuration files that did not stop them from applying, each naming its file.
    pub warnings: Vec<String>,
    /// Paths that do not exist or could not be walked, one line each.
    pub errors: Vec<String>,
}

impl Discovery {
    /// Prints the configuration warnings and the paths that could not be read, one line each.
    pub fn print_problems(&self) {
        for warning in &self.warnings {
            super::warning_line(warning);
        }
        for error in &self.errors {
            super::error_line(error);
        }
    }
}

/// Finds the files under `paths` and the configuration of each. An unreadable configuration file
/// or one with a TOML syntax error is an error; a problem with one of the paths is not.
pub fn discover(paths: &[PathBuf], config_override: Option<&Path>) -> anyhow::Result<Discovery> {
    let mut targets = Vec::new();
    let mut discovery = discover_each(paths, config_override, |target| targets.push(target))?;
    targets.sort_by(in_report_order);
    discovery.targets = targets;
    Ok(discovery)
}

/// The order of the report: by the path as shown.
pub fn in_report_order(a: &Target, b: &Target) -> std::cmp::Ordering {
    a.display.cmp(&b.display).then_with(|| a.path.cmp(&b.path))
}

/// Like [`discover`], handing each file to `each` as soon as it is found, in the order of the
/// walk and each once, so that files can be checked while the walk goes on. The discovery
/// returned lists no targets.
pub fn discover_each(
    paths: &[PathBuf],
    config_override: Option<&Path>,
    mut each: impl FnMut(Target),
) -> anyhow::Result<Discovery> {
    let mut configs = Configs::new(config_override)?;
    let mut discovery = Discovery::default();
    let mut found: HashSet<PathBuf> = HashSet::new();
    for root in paths {
        let metadata = match std::fs::metadata(root) {
            Ok(metadata) => metadata,
            Err(error) => {
                discovery
                    .errors
                    .push(format!("{}: {}", root.display(), describe_io(&error)));
                continue;
            }
        };
        if !metadata.is_dir() {
            configs.add(root, &mut found, &mut each)?;
            continue;
        }
        let walker = ignore::WalkBuilder::new(root)
            .hidden(true)
            .ignore(true)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(true)
            .parents(true)
            .require_git(false)
            .follow_links(false)
            .build();
        for entry in walker {
            match entry {
                Ok(entry) => {
                    let is_nix_file = entry.file_type().is_some_and(|kind| kind.is_file())
                        && entry
                            .path()
                            .extension()
                            .is_some_and(|extension| extension == "nix");
                    if is_nix_file {
                        configs.add(entry.path(), &mut found, &mut each)?;
                    }
                }
                Err(error) => discovery.errors.push(one_line_walk_error(&error)),
            }
        }
    }
    discovery.warnings = configs.warnings;
    Ok(discovery)
}

/// The configuration of every file, each configuration file read and turned into a `Config` once.
struct Configs {
    cache: ConfigCache,
    forced: Option<Arc<ConfigFile>>,
    built: HashMap<PathBuf, Arc<Config>>,
    default: Arc<Config>,
    warned: HashSet<PathBuf>,
    warnings: Vec<String>,
}

impl Configs {
    fn new(config_override: Option<&Path>) -> anyhow::Result<Configs> {
        let forced = match config_override {
            Some(path) => {
                let absolute = normalize(path);
                Some(Arc::new(ConfigFile::load(&absolute)?))
            }
            None => None,
        };
        Ok(Configs {
            cache: ConfigCache::default(),
            forced,
            built: HashMap::new(),
            default: Arc::new(Config::default()),
            warned: HashSet::new(),
            warnings: Vec::new(),
        })
    }

    /// Hands `path` to `each` unless it was `found` before or its configuration excludes it.
    fn add(
        &mut self,
        path: &Path,
        found: &mut HashSet<PathBuf>,
        each: &mut impl FnMut(Target),
    ) -> anyhow::Result<()> {
        let shown = strip_current_dir(path);
        if found.contains(shown) {
            return Ok(());
        }
        let absolute = normalize(path);
        let file = match &self.forced {
            Some(forced) => Some(forced.clone()),
            None => self.cache.for_file(&absolute)?,
        };
        let config = match &file {
            Some(file) => {
                if self.warned.insert(file.path.clone()) {
                    for error in &file.errors {
                        self.warnings
                            .push(format!("{}: {error}", file.path.display()));
                    }
                }
                self.built
                    .entry(file.path.clone())
                    .or_insert_with(|| Arc::new(Config::from_layers(&[&file.settings])))
                    .clone()
            }
            None => self.default.clone(),
        };
        let excluded = file
            .as_ref()
            .and_then(|file| file.relative(&absolute))
            .is_some_and(|relative| is_excluded(&config, &relative));
        if !excluded {
            found.insert(shown.to_path_buf());
            each(Target {
                display: shown.to_string_lossy().into_owned(),
                path: path.to_path_buf(),
                config,
            });
        }
        Ok(())
    }
}

/// Whether a file, or a folder it is in, is excluded: `exclude = ["generated"]` excludes the
/// files inside `generated/` as `.gitignore` would.
fn is_excluded(config: &Config, relative: &str) -> bool {
    config.is_excluded(relative)
        || relative
            .match_indices('/')
            .any(|(end, _)| config.is_excluded(&relative[..end]))
}

/// `./a/b.nix` is shown as `a/b.nix`.
fn strip_current_dir(path: &Path) -> &Path {
    match path.strip_prefix(".") {
        Ok(rest) if !rest.as_os_str().is_empty() => rest,
        _ => path,
    }
}

/// The absolute form of `path` with `.` and `..` resolved lexically, so that walking up to find a
/// configuration file starts from the folder the path names, and symbolic links do not change
/// which configuration applies.
pub fn normalize(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut normal = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                normal.pop();
            }
            other => normal.push(other.as_os_str()),
        }
    }
    normal
}

fn one_line_walk_error(error: &ignore::Error) -> String {
    let mut path = None;
    let mut current = error;
    loop {
        match current {
            ignore::Error::WithPath { path: at, err } => {
                path = Some(at.clone());
                current = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                current = err
            }
            ignore::Error::Io(io) => {
                let reason = describe_io(io);
                return match path {
                    Some(path) => format!("{}: {reason}", strip_current_dir(&path).display()),
                    None => reason,
                };
            }
            other => return other.to_string(),
        }
    }
}

/// An I/O error as a short reason, without the "(os error N)" suffix.
pub fn describe_io(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(end) => text[..end].to_owned(),
        None => text,
    }
}

/// The bytes of a file as they were read, with what is needed to notice a later change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub bytes: Vec<u8>,
    pub len: u64,
    pub modified: Option<SystemTime>,
}

impl Snapshot {
    /// Reads a regular file whole, with three system calls besides the reads: open, stat, close.
    /// Over a tree of many small files the calls cost more than the bytes.
    pub fn read(path: &Path) -> std::io::Result<Snapshot> {
        let mut file = open_regular(path)?;
        let metadata = file.metadata()?;
        if metadata.is_dir() {
            return Err(std::io::Error::other("is a directory"));
        }
        if !metadata.is_file() {
            return Err(std::io::Error::other("not a regular file"));
        }
        // One byte more than the file holds, so that the read that fills the rest finds the end
        // at once; a file that grew since is read on to its end.
        let len = usize::try_from(metadata.len()).unwrap_or(0);
        let mut bytes = vec![0; len.saturating_add(1)];
        let mut filled = 0;
        loop {
            if filled == bytes.len() {
                bytes.resize(bytes.len().saturating_mul(2), 0);
            }
            match file.read(&mut bytes[filled..]) {
                Ok(0) => break,
                Ok(read) => filled += read,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
        bytes.truncate(filled);
        Ok(Snapshot {
            len: metadata.len(),
            modified: metadata.modified().ok(),
            bytes,
        })
    }
}

/// Opens a file for reading without waiting: opening a named pipe blocks until a writer comes,
/// unless it is opened non-blocking, and what was opened is looked at before it is read.
#[cfg(unix)]
fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

/// Elsewhere, looks at the path first: opening a named pipe or a device can block forever.
#[cfg(not(unix))]
fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    let kind = std::fs::metadata(path)?.file_type();
    if !kind.is_file() && !kind.is_dir() {
        return Err(std::io::Error::other("not a regular file"));
    }
    std::fs::File::open(path)
}

/// Reads a file as UTF-8 text, or says in one line why it cannot be checked.
pub fn read_source(target: &Target) -> Result<(Snapshot, String), String> {
    let snapshot = Snapshot::read(&target.path)
        .map_err(|error| format!("{}: cannot read: {}", target.display, describe_io(&error)))?;
    if u32::try_from(snapshot.bytes.len()).is_err() {
        return Err(format!("{}: larger than 4 GiB, skipped", target.display));
    }
    let text = std::str::from_utf8(&snapshot.bytes)
        .map_err(|error| {
            format!(
                "{}: not valid UTF-8 (invalid byte at offset {}), skipped",
                target.display,
                error.valid_up_to()
            )
        })?
        .to_owned();
    Ok((snapshot, text))
}

/// The number of cores the process may run on.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// The threads that parse and lint, each with the stack that deep trees need: one per core
/// (or `RAYON_NUM_THREADS`), or one per task when the number of `tasks` is known and smaller.
/// Starting a thread, with its stack and its allocator heap, takes longer than checking a small
/// file.
pub fn worker_pool(tasks: Option<usize>) -> anyhow::Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(tasks) = tasks.filter(|&tasks| tasks < cores()) {
        builder = builder.num_threads(tasks.max(1));
    }
    builder
        .stack_size(syntax::WORKER_STACK_SIZE)
        .thread_name(|index| format!("nixwise-worker-{index}"))
        .build()
        .context("cannot start worker threads")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_resolves_dots_lexically() {
        let normal = normalize(Path::new("a/./b/../c.nix"));
        assert!(normal.is_absolute());
        assert!(normal.ends_with("a/c.nix"), "{}", normal.display());
    }

    #[test]
    fn excluding_a_folder_excludes_its_files() {
        let (settings, errors) =
            lints::Settings::from_toml("exclude = [\"generated\", \"vendor/*\"]").expect("TOML");
        assert!(errors.is_empty(), "{errors:?}");
        let config = Config::from_layers(&[&settings]);
        assert!(is_excluded(&config, "generated/a.nix"));
        assert!(is_excluded(&config, "sub/generated/deep/a.nix"));
        assert!(is_excluded(&config, "vendor/x/a.nix"));
        assert!(!is_excluded(&config, "generated.nix"));
        assert!(!is_excluded(&config, "src/a.nix"));
    }

    #[test]
    fn current_dir_prefix_is_not_shown() {
        assert_eq!(
            strip_current_dir(Path::new("./a/b.nix")),
            Path::new("a/b.nix")
        );
        assert_eq!(strip_current_dir(Path::new("a.nix")), Path::new("a.nix"));
        assert_eq!(strip_current_dir(Path::new(".")), Path::new("."));
    }

    #[test]
    fn io_reasons_drop_the_os_error_number() {
        let error = std::io::Error::from_raw_os_error(2);
        assert!(
            !describe_io(&error).contains("os error"),
            "{}",
            describe_io(&error)
        );
    }
}
