//! Fixture helpers for lint tests, the only callers of the lint API in tests.
//!
//! A fixture is Nix source with the expected diagnostics written as comment lines under the line
//! they flag. The carets stand in the columns of the flagged text; a finding in column 0 is drawn
//! without the leading `#`:
//!
//! ```text
//! let unused = 1; in 2
//! #   ^^^^^^ warning[unused-let-binding]: `unused` is unused
//! ```

use syntax::LineIndex;

use crate::config::{Config, Settings};
use crate::engine;
use crate::fix::{fix_with, FixMode};
use crate::lint::Lint;
use crate::Diagnostic;

/// The texts of the lint corpus's files (`tests/corpus/*.nix`), in the order of their names.
pub(crate) fn corpus_texts() -> Vec<String> {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut paths: Vec<_> = std::fs::read_dir(&corpus)
        .expect("the lint corpus")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "nix"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| std::fs::read_to_string(path).expect("read a corpus file"))
        .collect()
}

/// Checks that `lint` reports exactly the annotated diagnostics.
#[track_caller]
pub(crate) fn check(lint: &'static Lint, fixture: &str) {
    check_with(lint, &Config::default(), fixture);
}

/// Like [`check`], with settings from a `nixwise.toml` text.
#[track_caller]
pub(crate) fn check_with_config(lint: &'static Lint, toml: &str, fixture: &str) {
    let (settings, errors) = Settings::from_toml(toml).expect("valid TOML");
    assert!(errors.is_empty(), "bad settings in the test: {errors:?}");
    check_with(lint, &Config::from_layers(&[&settings]), fixture);
}

/// Checks the annotated diagnostics and that none of them offers a fix.
#[track_caller]
pub(crate) fn check_no_fix(lint: &'static Lint, fixture: &str) {
    let diagnostics = check_with(lint, &Config::default(), fixture);
    for diagnostic in diagnostics {
        assert!(
            diagnostic.fixes.is_empty(),
            "unexpected fix: {:?}",
            diagnostic.fixes
        );
    }
}

/// Applies the safe fixes of `lint` to a fixpoint and compares the result with `after`.
#[track_caller]
pub(crate) fn check_fix(lint: &'static Lint, before: &str, after: &str) {
    check_fix_mode(lint, FixMode::Safe, before, after);
}

/// Applies the safe and unsafe fixes of `lint` to a fixpoint and compares the result.
#[track_caller]
pub(crate) fn check_unsafe_fix(lint: &'static Lint, before: &str, after: &str) {
    check_fix_mode(lint, FixMode::Unsafe, before, after);
}

#[track_caller]
fn check_fix_mode(lint: &'static Lint, mode: FixMode, before: &str, after: &str) {
    let before = trim_fixture(before);
    let after = trim_fixture(after);
    let file_name = file_name_of(before);
    let config = Config::default();
    let outcome = fix_with(before, file_name, &config, mode, &[lint]);
    assert_eq!(
        outcome.text, after,
        "\nfixed text differs from the expected text"
    );
    let errors_before = syntax::parse(before).errors().len();
    assert!(
        syntax::parse(&outcome.text).errors().len() <= errors_before,
        "the fixed text has new syntax errors:\n{}",
        outcome.text
    );
    assert!(!outcome.hit_round_limit, "fixing did not reach a fixpoint");
    let again = fix_with(&outcome.text, file_name, &config, mode, &[lint]);
    assert_eq!(
        again.text, outcome.text,
        "a second fix run changed the text again"
    );
}

#[track_caller]
fn check_with(lint: &'static Lint, config: &Config, fixture: &str) -> Vec<Diagnostic> {
    let fixture = trim_fixture(fixture);
    let source = strip_annotations(fixture);
    let parse = syntax::parse(&source);
    let report = engine::run(&parse, &source, file_name_of(&source), config, &[lint]);
    assert!(
        report.failures.is_empty(),
        "the lint panicked: {:?}",
        report.failures
    );
    let diagnostics: Vec<Diagnostic> = report
        .diagnostics
        .into_iter()
        .filter(|diagnostic| diagnostic.name == lint.name)
        .collect();
    let rendered = render(&source, &diagnostics);
    if rendered != fixture {
        panic!("\nexpected:\n{fixture}\nactual:\n{rendered}\n");
    }
    diagnostics
}

/// Fixtures start on the line after the opening quote.
fn trim_fixture(fixture: &str) -> &str {
    fixture.strip_prefix('\n').unwrap_or(fixture)
}

/// A `#- /path/flake.nix` first line names the file.
fn file_name_of(source: &str) -> Option<&str> {
    let first = source.lines().next()?;
    let path = first.strip_prefix("#- ")?.trim();
    Some(path.rsplit('/').next().unwrap_or(path))
}

fn is_annotation(line: &str) -> bool {
    let rest = line.strip_prefix('#').unwrap_or(line);
    rest.trim_start().starts_with('^')
}

fn strip_annotations(fixture: &str) -> String {
    let mut source = String::with_capacity(fixture.len());
    for line in fixture.split_inclusive('\n') {
        if !is_annotation(line) {
            source.push_str(line);
        }
    }
    // An annotation on the last line leaves the source's own final newline behind it.
    if !fixture.ends_with('\n') && source.ends_with('\n') {
        source.pop();
    }
    source
}

fn render(source: &str, diagnostics: &[Diagnostic]) -> String {
    let index = LineIndex::new(source);
    let lines: Vec<&str> = source.split('\n').collect();
    let mut annotations: Vec<Vec<String>> = vec![Vec::new(); lines.len()];
    for diagnostic in diagnostics {
        let start = index.line_col(diagnostic.range.start());
        let end = index.line_col(diagnostic.range.end());
        let start_col = index.to_chars(start) as usize;
        let width = if end.line == start.line {
            (index.to_chars(end) as usize)
                .saturating_sub(start_col)
                .max(1)
        } else {
            lines[start.line as usize]
                .chars()
                .count()
                .saturating_sub(start_col)
                .max(1)
        };
        let prefix = if start_col == 0 {
            String::new()
        } else {
            format!("#{}", " ".repeat(start_col - 1))
        };
        annotations[start.line as usize].push(format!(
            "{prefix}{} {}[{}]: {}",
            "^".repeat(width),
            diagnostic.severity,
            diagnostic.name,
            diagnostic.message
        ));
    }
    let mut out = String::new();
    for (number, line) in lines.iter().enumerate() {
        if number > 0 {
            out.push('\n');
        }
        out.push_str(line);
        for annotation in &annotations[number] {
            // An annotation under the empty tail after a final newline goes after the last line.
            if number + 1 == lines.len() && line.is_empty() && number > 0 {
                out.push_str(annotation);
                out.push('\n');
            } else {
                out.push('\n');
                out.push_str(annotation);
            }
        }
    }
    out
}

#[test]
fn annotations_round_trip() {
    let fixture = "a\n^ x\nb\n";
    assert_eq!(strip_annotations(fixture), "a\nb\n");
    let fixture = "a\n# ^ x";
    assert_eq!(strip_annotations(fixture), "a");
}
