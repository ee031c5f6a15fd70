//! `nixwise check`: lint files in parallel and report in a stable order.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use lints::{Diagnostic, LintFailure};
use rayon::prelude::*;
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
    let discovery = files::discover(&args.files.paths, args.files.config.as_deref())?;
    for warning in &discovery.warnings {
        warning_line(warning);
    }
    for error in &discovery.errors {
        error_line(error);
    }
    let pool = files::worker_pool()?;
    let progress = super::progress::bar(discovery.targets.len());
    let outcomes: Vec<Result<(CheckedFile, Vec<LintFailure>), String>> = pool.install(|| {
        discovery
            .targets
            .par_iter()
            .map(|target| {
                let outcome = check_target(target);
                progress.inc(1);
                outcome
            })
            .collect()
    });
    progress.finish_and_clear();

    let mut unreadable = discovery.errors.len();
    let mut checked = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        match outcome {
            Ok((file, failures)) => {
                report_failures(&file.display, &failures);
                checked.push(file);
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

fn check_target(target: &Target) -> Result<(CheckedFile, Vec<LintFailure>), String> {
    let (_, text) = files::read_source(target)?;
    let report = lints::check(&text, target.file_name(), &target.config);
    let (text, line_index) = if report.diagnostics.is_empty() {
        (String::new(), LineIndex::new(""))
    } else {
        let line_index = LineIndex::new(&text);
        (text, line_index)
    };
    let file = CheckedFile {
        display: target.display.clone(),
        text,
        line_index,
        diagnostics: report.diagnostics,
    };
    Ok((file, report.failures))
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
