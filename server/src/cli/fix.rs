//! `nixwise fix`: apply fixes to a fixpoint and write each file atomically, or show a diff.

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use lints::{Applicability, AppliedFix, Diagnostic, FixMode, Severity};
use rayon::prelude::*;

use super::check::{self, report_failures};
use super::files::{self, Target};
use super::write::{check_syntax, write_fixed};
use super::{
    error_line, plural, warning_line, FailLevel, FileArgs, EXIT_CLEAN, EXIT_ERROR, EXIT_FOUND,
};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Exit status: 0 when nothing at or above the fail level is left after fixing, \
1 when something is (with --diff: when there is something to fix), 2 on a usage, configuration or \
I/O error or a file that was not written (the other files are still fixed)."
)]
pub struct FixArgs {
    #[command(flatten)]
    pub files: FileArgs,

    /// Also apply unsafe fixes, which may change what the code means: review them.
    #[arg(long = "unsafe")]
    pub unsafe_fixes: bool,

    /// Print a unified diff of the fixes on stdout and write nothing. Exits with 1 when there is
    /// something to fix.
    #[arg(long)]
    pub diff: bool,

    /// Exit with 1 when a finding at or above this severity is left after fixing.
    #[arg(long, value_enum, default_value_t, value_name = "SEVERITY")]
    pub fail_level: FailLevel,
}

/// What fixing one file did and left.
#[derive(Debug)]
struct FileFix {
    display: String,
    /// Empty when the text did not change.
    applied: Vec<AppliedFix>,
    /// The unified diff, with `--diff`.
    diff: Option<String>,
    /// Findings left in the fixed text.
    remaining: Vec<Diagnostic>,
}

pub fn run(args: FixArgs) -> ExitCode {
    super::finish(fix(&args))
}

fn fix(args: &FixArgs) -> anyhow::Result<ExitCode> {
    let discovery = args.files.discover()?;
    let mode = if args.unsafe_fixes {
        FixMode::Unsafe
    } else {
        FixMode::Safe
    };
    let pool = files::worker_pool(Some(discovery.targets.len()))?;
    let outcomes: Vec<Result<FileFix, String>> = pool.install(|| {
        discovery
            .targets
            .par_iter()
            .map(|target| fix_target(target, mode, args.diff))
            .collect()
    });

    let mut failed = discovery.errors.len();
    let mut fixed = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        match outcome {
            Ok(file) => fixed.push(file),
            Err(message) => {
                error_line(&message);
                failed += 1;
            }
        }
    }

    let report = render_report(&fixed, mode, args.diff);
    if args.diff {
        let mut out = BufWriter::new(io::stdout().lock());
        for diff in fixed.iter().filter_map(|file| file.diff.as_deref()) {
            out.write_all(diff.as_bytes())?;
        }
        out.flush()?;
        // The diff owns stdout, so that it can be piped into `patch` or `git apply`.
        eprint!("{report}");
    } else {
        let mut out = BufWriter::new(io::stdout().lock());
        out.write_all(report.as_bytes())?;
        out.flush()?;
    }

    let fail = args.fail_level.severity();
    let found = if args.diff {
        fixed.iter().any(|file| file.diff.is_some())
    } else {
        fixed
            .iter()
            .flat_map(|file| &file.remaining)
            .any(|diagnostic| diagnostic.severity >= fail)
    };
    let code = if failed > 0 {
        EXIT_ERROR
    } else if found {
        EXIT_FOUND
    } else {
        EXIT_CLEAN
    };
    Ok(ExitCode::from(code))
}

fn fix_target(target: &Target, mode: FixMode, diff: bool) -> Result<FileFix, String> {
    let (snapshot, text) = files::read_source(target)?;
    let file_name = target.file_name();
    // A flake.nix is fixed with the flake.lock beside it, whose lints offer fixes in flake.nix.
    let lock_text = match file_name {
        Some("flake.nix") => check::read_optional(&target.path.with_file_name("flake.lock"))?,
        _ => None,
    };
    let flake = |text| lints::FlakeFiles {
        flake_nix: Some(text),
        flake_lock: lock_text.as_deref(),
        now: Some(check::now()),
    };
    let outcome = match file_name {
        Some("flake.nix") => lints::fix_flake(&flake(&text), &target.config, mode),
        _ => lints::fix_text(&text, file_name, &target.config, mode),
    };
    if outcome.hit_round_limit {
        warning_line(&format!(
            "{}: stopped after {} rounds of fixes; run `nixwise fix` again for the rest",
            target.display,
            lints::MAX_ROUNDS
        ));
    }
    for refused in &outcome.refused {
        warning_line(&format!(
            "{}: left a fix of `{}` out because it would add a syntax error: {}",
            target.display, refused.name, refused.title
        ));
    }
    let changed = outcome.text != text;
    let mut remaining = lints::check(&outcome.text, file_name, &target.config);
    if file_name == Some("flake.nix") {
        let flake = lints::check_flake(&flake(&outcome.text), &target.config);
        remaining.diagnostics.extend(flake.flake);
        remaining
            .diagnostics
            .sort_by_key(|diagnostic| (diagnostic.range.start(), diagnostic.code));
        remaining.failures.extend(flake.failures);
    }
    report_failures(&target.display, &remaining.failures);
    let mut file = FileFix {
        display: target.display.clone(),
        applied: if changed { outcome.applied } else { Vec::new() },
        diff: None,
        remaining: remaining.diagnostics,
    };
    if changed {
        let refused = |refusal| format!("{}: {refusal}", target.display);
        if diff {
            check_syntax(&text, &outcome.text).map_err(refused)?;
            file.diff = Some(unified_diff(&target.display, &text, &outcome.text));
        } else {
            write_fixed(&target.path, &snapshot, &text, &outcome.text).map_err(refused)?;
        }
    }
    Ok(file)
}

fn unified_diff(display: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{display}"), &format!("b/{display}"))
        .to_string()
}

/// Per file, the fixes applied and the findings left; then a summary.
fn render_report(files: &[FileFix], mode: FixMode, diff: bool) -> String {
    let mut report = String::new();
    let (applied_verb, summary_verb) = if diff {
        ("would apply", "Would apply")
    } else {
        ("applied", "Applied")
    };
    let mut applied_total = 0;
    let mut changed_files = 0;
    for file in files {
        if !file.applied.is_empty() {
            applied_total += file.applied.len();
            changed_files += 1;
            report.push_str(&format!(
                "{}: {applied_verb} {}: {}\n",
                file.display,
                plural(file.applied.len(), "fix", "fixes"),
                counted_names(file.applied.iter().map(|fix| fix.name)),
            ));
        }
        if !file.remaining.is_empty() {
            report.push_str(&format!(
                "{}: {} left: {}\n",
                file.display,
                plural(file.remaining.len(), "problem", "problems"),
                counted_names(file.remaining.iter().map(|diagnostic| diagnostic.name)),
            ));
        }
    }
    let remaining: Vec<&Diagnostic> = files.iter().flat_map(|file| &file.remaining).collect();
    let unsafe_fixable = remaining
        .iter()
        .filter(|diagnostic| {
            diagnostic
                .fixes
                .iter()
                .any(|fix| fix.applicability == Applicability::Unsafe)
        })
        .count();
    let mut summary = if applied_total == 0 {
        format!(
            "No fixes to apply in {}",
            plural(files.len(), "file", "files")
        )
    } else {
        format!(
            "{summary_verb} {} in {}",
            plural(applied_total, "fix", "fixes"),
            plural(changed_files, "file", "files")
        )
    };
    if remaining.is_empty() {
        summary.push_str("; no problems left.\n");
    } else {
        let errors = remaining
            .iter()
            .filter(|diagnostic| diagnostic.severity == Severity::Error)
            .count();
        summary.push_str(&format!(
            "; {} left",
            plural(remaining.len(), "problem", "problems")
        ));
        if errors > 0 {
            summary.push_str(&format!(" ({})", plural(errors, "error", "errors")));
        }
        if mode == FixMode::Safe && unsafe_fixable > 0 {
            summary.push_str(&format!(
                ", {unsafe_fixable} of them fixable with `nixwise fix --unsafe`"
            ));
        }
        summary.push_str(". Run `nixwise check` to see them.\n");
    }
    report.push_str(&summary);
    report
}

/// `bool-comparison (2), empty-let-in`, in order of first appearance.
fn counted_names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let mut order: Vec<&str> = Vec::new();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for name in names {
        let count = counts.entry(name).or_insert(0);
        if *count == 0 {
            order.push(name);
        }
        *count += 1;
    }
    order
        .iter()
        .map(|name| match counts[name] {
            1 => (*name).to_owned(),
            count => format!("{name} ({count})"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_counted_in_order_of_appearance() {
        let names = ["b", "a", "b"].into_iter();
        assert_eq!(counted_names(names), "b (2), a");
    }

    #[test]
    fn diffs_name_the_file_and_show_the_change() {
        let diff = unified_diff("m/a.nix", "a\nx == true\n", "a\nx\n");
        assert!(diff.starts_with("--- a/m/a.nix\n+++ b/m/a.nix\n"), "{diff}");
        assert!(diff.contains("-x == true\n+x\n"), "{diff}");
    }

    #[test]
    fn the_report_says_what_was_applied_and_what_is_left() {
        let check = lints::check("x: x == true", None, &lints::Config::default());
        let files = [
            FileFix {
                display: "a.nix".into(),
                applied: vec![AppliedFix {
                    code: "NIX001",
                    name: "bool-comparison",
                    title: "Replace with `x`".into(),
                    range: syntax::TextRange::default(),
                }],
                diff: None,
                remaining: Vec::new(),
            },
            FileFix {
                display: "b.nix".into(),
                applied: Vec::new(),
                diff: None,
                remaining: check.diagnostics,
            },
        ];
        let report = render_report(&files, FixMode::Safe, false);
        assert_eq!(
            report,
            "a.nix: applied 1 fix: bool-comparison\n\
             b.nix: 1 problem left: bool-comparison\n\
             Applied 1 fix in 1 file; 1 problem left, 1 of them fixable with `nixwise fix --unsafe`. \
             Run `nixwise check` to see them.\n"
        );
    }
}
