//! `nixwise check`: lint files in parallel and report in a stable order.

use std::collections::HashSet;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;
use std::sync::{Mutex, PoisonError};

use lints::{Diagnostic, LintFailure};
use syntax::LineIndex;

use super::files::{self, Target};
use super::style::Palette;
use super::{
    error_line, warning_line, ColorChoice, FailLevel, FileArgs, EXIT_CLEAN, EXIT_ERROR, EXIT_FOUND,
};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Exit status: 0 when nothing at or above the fail level was found, 1 when \
something was, 2 on a usage, configuration or I/O error (files that could be read are still checked)."
)]
pub struct CheckArgs {
    #[command(flatten)]
    pub files: FileArgs,

    /// How to print the findings.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,

    /// Exit with 1 when a finding at or above this severity is found.
    #[arg(long, value_enum, default_value_t, value_name = "SEVERITY")]
    pub fail_level: FailLevel,

    /// When to colour the human report.
    #[arg(long, value_enum, default_value_t, value_name = "WHEN")]
    pub color: ColorChoice,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// `file:line:col: severity[CODE/name]: message`, the source line and a summary.
    #[default]
    Human,
    /// One JSON document, version 1 (see docs/json-output.md).
    Json,
    /// A SARIF 2.1.0 log, for GitHub code scanning and other SARIF readers.
    Sarif,
    /// GitHub Actions workflow commands, shown as annotations on a pull request.
    Github,
}

impl Format {
    /// Whether the report's fixes must be proved to keep the file parseable. JSON and SARIF carry
    /// the edits for other programs to apply as they are; the human and GitHub reports name the
    /// fix a lint offers, which `nixwise fix` proves before it applies it (refusing, and saying
    /// so, a fix that would add a syntax error), so proving every fix there would cost a re-parse
    /// per finding for nothing.
    fn validate(self) -> lints::Validate {
        match self {
            Format::Json | Format::Sarif => lints::Validate::Fixes,
            Format::Human | Format::Github => lints::Validate::Nothing,
        }
    }
}

/// One file that was read and checked.
#[derive(Debug)]
pub struct CheckedFile {
    /// The path as given or found, as printed.
    pub display: String,
    /// The file's text, kept only when there are diagnostics to show.
    pub text: String,
    pub line_index: LineIndex,
    /// Sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

pub fn run(args: CheckArgs) -> ExitCode {
    super::finish(check(&args))
}

fn check(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    // Fewer files than cores, each named on the command line (as an editor or a hook runs it),
    // need no more threads than files.
    let pool = files::worker_pool(args.files.fewer_files_than(files::cores()))?;
    let progress = super::progress::bar();
    let validate = args.format.validate();
    let outcomes = Mutex::new(Vec::new());
    // The walk runs on one worker and hands each file to the pool as it finds it: the files are
    // checked while the walk goes on, instead of after it.
    let discovery = pool.scope(|scope| {
        let (outcomes, progress) = (&outcomes, &progress);
        let check = move |target: Target, flake_nix_checked: bool| {
            scope.spawn(move |_| {
                let outcome = check_target(&target, flake_nix_checked, validate);
                progress.inc(1);
                outcomes
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push((target, outcome));
            })
        };
        let mut checked = HashSet::new();
        let mut locks = Vec::new();
        let discovery = args.files.discover_each(|target| {
            progress.found(1);
            if target.file_name() == Some("flake.lock") {
                locks.push(target);
            } else {
                checked.insert(target.path.clone());
                check(target, false);
            }
        });
        // Whether a lock's flake.nix is checked too is known once the walk is done.
        for lock in locks {
            let flake_nix_checked = checked.contains(&lock.path.with_file_name("flake.nix"));
            check(lock, flake_nix_checked);
        }
        discovery
    })?;
    progress.finish_and_clear();
    discovery.print_problems();
    let mut outcomes = outcomes
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    outcomes.sort_by(|(a, _), (b, _)| files::in_report_order(a, b));

    let mut unreadable = discovery.errors.len();
    let mut checked = Vec::with_capacity(outcomes.len());
    for (_, outcome) in outcomes {
        match outcome {
            Ok(files) => {
                for (file, failures) in files {
                    report_failures(&file.display, &failures);
                    checked.push(file);
                }
            }
            Err(message) => {
                error_line(&message);
                unreadable += 1;
            }
        }
    }

    let mut out = BufWriter::new(io::stdout().lock());
    match args.format {
        Format::Human => {
            let palette = Palette {
                enabled: args.color.enabled(),
            };
            super::human::write_check(&mut out, &checked, unreadable, palette)?;
        }
        Format::Json => super::json::write_check(&mut out, &checked)?,
        Format::Sarif => super::sarif::write_check(&mut out, &checked, unreadable)?,
        Format::Github => super::github::write_check(&mut out, &checked)?,
    }
    out.flush()?;

    let fail = args.fail_level.severity();
    let found = checked
        .iter()
        .flat_map(|file| &file.diagnostics)
        .any(|diagnostic| diagnostic.severity >= fail);
    let code = if unreadable > 0 {
        EXIT_ERROR
    } else if found {
        EXIT_FOUND
    } else {
        EXIT_CLEAN
    };
    Ok(ExitCode::from(code))
}

/// The files that checking one target gave (a flake.nix gives its flake.lock too), with the lints
/// that failed on each, or why the target could not be read.
type TargetOutcome = Result<Vec<(CheckedFile, Vec<LintFailure>)>, String>;

/// Checks one file. A `flake.nix` is checked with the `flake.lock` beside it, whose findings come
/// back as a second file; a `flake.lock` named on its own is checked with its `flake.nix`, unless
/// that is checked too (`flake_nix_checked`).
fn check_target(
    target: &Target,
    flake_nix_checked: bool,
    validate: lints::Validate,
) -> TargetOutcome {
    if target.file_name() == Some("flake.lock") {
        if flake_nix_checked {
            return Ok(Vec::new());
        }
        let flake_nix = target.path.with_file_name("flake.nix");
        let nix_text = read_optional(&flake_nix)?;
        let (_, lock_text) = files::read_source(target)?;
        let report = lints::check_flake(
            &lints::FlakeFiles {
                flake_nix: nix_text.as_deref(),
                flake_lock: Some(&lock_text),
                now: Some(now()),
            },
            &target.config,
        );
        let file = checked_file(target.display.clone(), lock_text, report.lock);
        return Ok(vec![(file, report.failures)]);
    }
    let (_, text) = files::read_source(target)?;
    let report = lints::check_with(&text, target.file_name(), &target.config, validate);
    let mut diagnostics = report.diagnostics;
    let mut failures = report.failures;
    let mut lock_file = None;
    if target.file_name() == Some("flake.nix") {
        let lock_path = target.path.with_file_name("flake.lock");
        let lock_text = read_optional(&lock_path)?;
        let flake = lints::check_flake(
            &lints::FlakeFiles {
                flake_nix: Some(&text),
                flake_lock: lock_text.as_deref(),
                now: Some(now()),
            },
            &target.config,
        );
        diagnostics.extend(flake.flake);
        diagnostics.sort_by_key(|diagnostic| (diagnostic.range.start(), diagnostic.code));
        failures.extend(flake.failures);
        if let Some(lock_text) = lock_text {
            let display = match target.display.rsplit_once('/') {
                Some((folder, _)) => format!("{folder}/flake.lock"),
                None => "flake.lock".to_owned(),
            };
            lock_file = Some(checked_file(display, lock_text, flake.lock));
        }
    }
    let mut checked = vec![(
        checked_file(target.display.clone(), text, diagnostics),
        failures,
    )];
    if let Some(lock_file) = lock_file {
        checked.push((lock_file, Vec::new()));
    }
    Ok(checked)
}

fn checked_file(display: String, text: String, diagnostics: Vec<Diagnostic>) -> CheckedFile {
    let (text, line_index) = if diagnostics.is_empty() {
        (String::new(), LineIndex::new(""))
    } else {
        let line_index = LineIndex::new(&text);
        (text, line_index)
    };
    CheckedFile {
        display,
        text,
        line_index,
        diagnostics,
    }
}

/// The text of a file beside a checked one, or `None` when there is no such file.
pub(crate) fn read_optional(path: &std::path::Path) -> Result<Option<String>, String> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| format!("{}: not UTF-8", path.display())),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(format!("{}: {error}", path.display())),
    }
}

/// Now, in seconds since 1970, for the age of locked inputs when no reference date is set.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

/// A lint that panicked is a bug in nixwise, not in the file: it is reported, and it does not
/// change the exit code, which speaks of the findings of the lints that ran.
pub(crate) fn report_failures(display: &str, failures: &[LintFailure]) {
    for failure in failures {
        warning_line(&format!(
            "lint `{}` failed on {display} and its findings there are missing: {}",
            failure.lint, failure.message
        ));
    }
}
