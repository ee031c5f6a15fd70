//! Realistic files, clean and dirty, with their findings kept as readable snapshots beside them
//! (`<file>.snap`). Update the snapshots with `UPDATE_EXPECT=1 cargo test -p nixwise-lints
//! --test corpus` and read the diff before committing it.
//!
//! Every file also goes through the fix engine: the fixed text must parse as well as the
//! original, show none of the safe-fixable findings again, and not change on a second run.

use std::path::{Path, PathBuf};

use lints::{Applicability, Config, FixMode};
use syntax::LineIndex;

fn corpus_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files = Vec::new();
    let mut folders = vec![root];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("the corpus folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|extension| extension == "nix") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 8, "the corpus has gone missing");
    files
}

fn file_name(path: &Path) -> Option<&str> {
    path.file_name().and_then(|name| name.to_str())
}

/// A reference date, so that time-based lints give the same findings every day.
fn config() -> Config {
    let (settings, errors) =
        lints::Settings::from_toml("reference-date = \"2026-11-01\"").expect("valid TOML");
    assert!(errors.is_empty());
    Config::from_layers(&[&settings])
}

fn render(text: &str, report: &lints::Report) -> String {
    let index = LineIndex::new(text);
    let mut out = String::new();
    for diagnostic in &report.diagnostics {
        let start = index.line_col(diagnostic.range.start());
        out.push_str(&format!(
            "{}:{} {}[{} {}]: {}\n",
            start.line + 1,
            index.to_chars(start) + 1,
            diagnostic.severity,
            diagnostic.code,
            diagnostic.name,
            diagnostic.message
        ));
        for fix in &diagnostic.fixes {
            out.push_str(&format!(
                "    fix ({}): {}\n",
                fix.applicability.as_str(),
                fix.title
            ));
        }
    }
    if out.is_empty() {
        out.push_str("no findings\n");
    }
    out
}

#[test]
fn findings_match_the_snapshots() {
    let config = config();
    for path in corpus_files() {
        let text = std::fs::read_to_string(&path).expect("readable");
        let report = lints::check(&text, file_name(&path), &config);
        assert!(
            report.failures.is_empty(),
            "{}: {:?}",
            path.display(),
            report.failures
        );
        let snapshot = path.with_extension("nix.snap");
        expect_test::expect_file![snapshot].assert_eq(&render(&text, &report));
    }
}

#[test]
fn fixes_reach_a_fixpoint_that_parses() {
    let config = config();
    for path in corpus_files() {
        let text = std::fs::read_to_string(&path).expect("readable");
        let errors_before = syntax::parse(&text).errors().len();
        for mode in [FixMode::Safe, FixMode::Unsafe] {
            let outcome = lints::fix_text(&text, file_name(&path), &config, mode);
            assert!(!outcome.hit_round_limit, "{}: no fixpoint", path.display());
            assert!(
                syntax::parse(&outcome.text).errors().len() <= errors_before,
                "{}: the fixed text has new syntax errors:\n{}",
                path.display(),
                outcome.text
            );
            let again = lints::fix_text(&outcome.text, file_name(&path), &config, mode);
            assert_eq!(
                again.text,
                outcome.text,
                "{}: a second run changed the text",
                path.display()
            );
            if mode == FixMode::Safe {
                let left = lints::check(&outcome.text, file_name(&path), &config);
                let fixable: Vec<_> = left
                    .diagnostics
                    .iter()
                    .filter(|diagnostic| {
                        diagnostic
                            .fixes
                            .iter()
                            .any(|fix| fix.applicability == Applicability::Safe)
                    })
                    .map(|diagnostic| (diagnostic.name, diagnostic.message.clone()))
                    .collect();
                assert!(
                    fixable.is_empty(),
                    "{}: safe fixes left: {fixable:?}",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn clean_files_have_no_warnings() {
    let config = config();
    for path in corpus_files() {
        let is_clean = path.to_string_lossy().contains("clean");
        if !is_clean {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        let report = lints::check(&text, file_name(&path), &config);
        let loud: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.severity >= lints::Severity::Warning)
            .map(|diagnostic| (diagnostic.name, diagnostic.message.clone()))
            .collect();
        assert!(loud.is_empty(), "{}: {loud:?}", path.display());
    }
}
