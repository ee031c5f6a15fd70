//! The terminal and CI commands: check, fix, explain.
//!
//! Exit codes, the same for every command:
//! - 0: nothing at or above the fail level was found (or nothing went wrong, for `explain`);
//! - 1: something at or above the fail level was found (`fix --diff`: there are changes to make);
//! - 2: a usage, configuration or I/O error, always with a one-line reason on stderr. Files that
//!   could be read are still checked and reported.
//!
//! Reports go to stdout through explicit writers; warnings and errors go to stderr, one line each.

pub mod check;
pub mod explain;
pub mod files;
pub mod fix;
mod github;
mod human;
mod json;
mod progress;
mod sarif;
mod style;
pub mod write;

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use lints::Severity;

/// Nothing at or above the fail level was found.
pub const EXIT_CLEAN: u8 = 0;
/// Something at or above the fail level was found.
pub const EXIT_FOUND: u8 = 1;
/// A usage, configuration or I/O error.
pub const EXIT_ERROR: u8 = 2;

/// The one place where an error of a command becomes a one-line message and exit code 2.
pub fn finish(result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(error) => {
            // A reader that went away (`nixwise check | head`) wants no more output, not a complaint.
            let broken_pipe = error.chain().any(|cause| {
                cause
                    .downcast_ref::<io::Error>()
                    .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            });
            if !broken_pipe {
                error_line(&format!("{error:#}"));
            }
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Prints a one-line error on stderr.
pub fn error_line(message: &str) {
    eprintln!("error: {}", one_line(message));
}

/// Prints a one-line warning on stderr.
pub fn warning_line(message: &str) {
    eprintln!("warning: {}", one_line(message));
}

fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The arguments that choose files, shared by `check` and `fix`.
#[derive(clap::Args, Debug, Clone)]
pub struct FileArgs {
    /// Files and folders to check.
    ///
    /// Folders are searched for `*.nix` files, honouring `.gitignore` and `.ignore` and skipping
    /// hidden files; files named here are read whatever their extension. Files excluded by the
    /// configuration are skipped, even when named here.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Use this configuration file for every file instead of the nearest `nixwise.toml` or
    /// `.nixwise.toml`. Its excludes are relative to its folder.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl FileArgs {
    /// Finds the files to work on and prints, once, the problems met on the way: configuration
    /// warnings and paths that could not be read (which stay in the result, to be counted).
    pub fn discover(&self) -> anyhow::Result<files::Discovery> {
        let discovery = files::discover(&self.paths, self.config.as_deref())?;
        discovery.print_problems();
        Ok(discovery)
    }

    /// The number of files to work on when every path names a file, not a folder, and there
    /// are fewer than `limit`: then it is known before anything is walked.
    pub fn fewer_files_than(&self, limit: usize) -> Option<usize> {
        let few_files = self.paths.len() < limit
            && self
                .paths
                .iter()
                .all(|path| std::fs::metadata(path).is_ok_and(|metadata| !metadata.is_dir()));
        few_files.then_some(self.paths.len())
    }

    /// Like [`FileArgs::discover`], handing each file to `each` as it is found, and printing
    /// nothing: the caller prints the problems with [`files::Discovery::print_problems`].
    pub fn discover_each(
        &self,
        each: impl FnMut(files::Target),
    ) -> anyhow::Result<files::Discovery> {
        files::discover_each(&self.paths, self.config.as_deref(), each)
    }
}

/// The least severe finding that makes the exit code 1.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FailLevel {
    Hint,
    Info,
    #[default]
    Warning,
    Error,
}

impl FailLevel {
    pub fn severity(self) -> Severity {
        match self {
            FailLevel::Hint => Severity::Hint,
            FailLevel::Info => Severity::Info,
            FailLevel::Warning => Severity::Warning,
            FailLevel::Error => Severity::Error,
        }
    }
}

/// Whether the report on stdout uses colour.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset or empty.
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
                !no_color && io::stdout().is_terminal()
            }
        }
    }
}

/// "1 file", "2 files".
pub(crate) fn plural(count: usize, singular: &str, plural: &str) -> String {
    if count == 1 {
        format!("{count} {singular}")
    } else {
        format!("{count} {plural}")
    }
}

/// A 1-based line and a 1-based column counted in Unicode scalar values, as the CLI shows them.
#[derive(serde::Serialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

impl Position {
    pub fn of(line_index: &syntax::LineIndex, offset: syntax::TextSize) -> Position {
        let at = line_index.line_col(offset);
        Position {
            line: at.line + 1,
            column: line_index.to_chars(at) + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn files_named_alone_are_counted_before_any_walk() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let (a, b) = (dir.path().join("a.nix"), dir.path().join("b.nix"));
        std::fs::write(&a, "1").expect("write");
        std::fs::write(&b, "2").expect("write");
        let args = |paths: &[&Path]| FileArgs {
            paths: paths.iter().map(|path| path.to_path_buf()).collect(),
            config: None,
        };
        assert_eq!(args(&[&a]).fewer_files_than(2), Some(1));
        assert_eq!(args(&[&a, &b]).fewer_files_than(4), Some(2));
        // As many as the limit: not fewer.
        assert_eq!(args(&[&a, &b]).fewer_files_than(2), None);
        // A folder may hold any number of files.
        assert_eq!(args(&[&a, dir.path()]).fewer_files_than(4), None);
        // A path that cannot be read is one error, not a file: counting stops there too.
        assert_eq!(
            args(&[&dir.path().join("missing.nix")]).fewer_files_than(4),
            None
        );
    }
}
