//! One walk per file: every node goes to the lints that asked for its kind.

use std::panic::{catch_unwind, AssertUnwindSafe};

use syntax::{
    LineIndex, NodeOrToken, Parse, SyntaxKind, SyntaxNode, TextRange, WalkEvent, SYNTAX_KIND_COUNT,
};

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Fix};
use crate::fix::fix_keeps_syntax_of;
use crate::lint::{Findings, Lint, LintCtx};
use crate::lints::syntax_error::SYNTAX_ERROR;
use crate::registry::LINTS;
use crate::suppression::Suppressions;

/// What checking one file found.
#[derive(Debug, Default)]
pub struct Report {
    /// Sorted by position, then code.
    pub diagnostics: Vec<Diagnostic>,
    /// Lints that panicked on this file: their findings were dropped, the other lints ran.
    pub failures: Vec<LintFailure>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LintFailure {
    pub lint: &'static str,
    pub message: String,
}

/// Parses and checks one file; every fix in the report is proved to keep the file parseable.
pub fn check(text: &str, file_name: Option<&str>, config: &Config) -> Report {
    check_with(text, file_name, config, Validate::Fixes)
}

/// Checks a file that is already parsed; `text` must be the text `parse` was made from. Every fix
/// in the report is proved to keep the file parseable.
pub fn check_parsed(parse: &Parse, text: &str, file_name: Option<&str>, config: &Config) -> Report {
    check_parsed_with(parse, text, file_name, config, Validate::Fixes)
}

/// Like [`check`], proving the fixes or not.
pub fn check_with(
    text: &str,
    file_name: Option<&str>,
    config: &Config,
    validate: Validate,
) -> Report {
    let parse = syntax::parse(text);
    check_parsed_with(&parse, text, file_name, config, validate)
}

/// Like [`check_parsed`], proving the fixes or not.
pub fn check_parsed_with(
    parse: &Parse,
    text: &str,
    file_name: Option<&str>,
    config: &Config,
    validate: Validate,
) -> Report {
    run_with(parse, text, file_name, config, LINTS, validate)
}

#[cfg(test)]
pub(crate) fn run(
    parse: &Parse,
    text: &str,
    file_name: Option<&str>,
    config: &Config,
    lints: &[&'static Lint],
) -> Report {
    run_with(parse, text, file_name, config, lints, Validate::Fixes)
}

/// Whether the engine proves that each offered fix keeps the file parseable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validate {
    /// A fix that would add a syntax error is dropped from the report: for reports whose fixes
    /// are applied as they are, by other programs (JSON, SARIF).
    Fixes,
    /// Fixes are reported as the lints built them, and whoever applies one proves it first
    /// ([`crate::fix_keeps_syntax_of`] for one fix, the rounds of [`crate::fix_text`] for all).
    /// Most fixes are never applied, and proving one can cost a re-parse of most of the file.
    Nothing,
}

pub(crate) fn run_with(
    parse: &Parse,
    text: &str,
    file_name: Option<&str>,
    config: &Config,
    lints: &[&'static Lint],
    validate: Validate,
) -> Report {
    run_on(parse, text, file_name, config, lints, validate, false)
}

/// Like [`check_parsed_with`], with the lints split over two threads for a large file: the
/// language server's re-check after an edit waits for it. Same report as on one thread.
pub fn check_parsed_on_two_threads(
    parse: &Parse,
    text: &str,
    file_name: Option<&str>,
    config: &Config,
    validate: Validate,
) -> Report {
    run_on(parse, text, file_name, config, LINTS, validate, true)
}

/// Below this size a second thread costs more than it saves.
const TWO_THREADS_FROM: usize = 64 << 10;

/// What one walk over the tree gathered for some of the lints.
struct Gathered {
    /// Findings by index into the lints.
    findings: Vec<(usize, Findings)>,
    failures: Vec<(usize, LintFailure)>,
}

/// Runs the lints marked in `chosen` over the whole tree (a root of its own, so that each thread
/// has one), and reads suppression comments into `suppressions` when given.
#[allow(clippy::too_many_arguments)]
fn gather(
    parse: &Parse,
    text: &str,
    file_name: Option<&str>,
    config: &Config,
    lints: &[&'static Lint],
    chosen: &[bool],
    line_index: Option<&LineIndex>,
    suppressions: Option<&mut Suppressions>,
) -> Gathered {
    let root = parse.root();
    let ctx = LintCtx::new(text, &root, file_name, config);
    let mut by_kind: Vec<Vec<usize>> = vec![Vec::new(); SYNTAX_KIND_COUNT];
    for (index, lint) in lints.iter().enumerate() {
        if chosen[index] {
            for kind in lint.kinds {
                by_kind[*kind as usize].push(index);
            }
        }
    }
    let mut findings: Vec<Findings> = lints.iter().map(|_| Findings::default()).collect();
    let mut failures: Vec<(usize, LintFailure)> = Vec::new();
    let mut failed = vec![false; lints.len()];

    let mut visit = |node: &SyntaxNode| {
        for &index in &by_kind[node.kind() as usize] {
            if failed[index] {
                continue;
            }
            let lint = lints[index];
            ctx.set_current(lint);
            let sink = &mut findings[index];
            let outcome = catch_unwind(AssertUnwindSafe(|| (lint.check)(&ctx, node, sink)));
            if let Err(payload) = outcome {
                failed[index] = true;
                findings[index].items.clear();
                failures.push((
                    index,
                    LintFailure {
                        lint: lint.name,
                        message: panic_message(&*payload),
                    },
                ));
            }
        }
    };
    match (suppressions, line_index) {
        // Visiting every token costs as much as all the lints together; only comments are
        // wanted, and only when some hold a directive (then there is a line index).
        (Some(suppressions), Some(line_index)) => {
            for event in root.preorder_with_tokens() {
                match event {
                    WalkEvent::Enter(NodeOrToken::Node(node)) => visit(&node),
                    WalkEvent::Enter(NodeOrToken::Token(token))
                        if token.kind() == SyntaxKind::TOKEN_COMMENT =>
                    {
                        let line = line_index.line_col(token.text_range().start()).line;
                        suppressions.add_comment(token.text(), line);
                    }
                    _ => {}
                }
            }
        }
        _ => {
            for node in root.descendants() {
                visit(&node);
            }
        }
    }
    Gathered {
        findings: findings
            .into_iter()
            .enumerate()
            .filter(|(index, _)| chosen[*index])
            .collect(),
        failures,
    }
}

fn run_on(
    parse: &Parse,
    text: &str,
    file_name: Option<&str>,
    config: &Config,
    lints: &[&'static Lint],
    validate: Validate,
    two_threads: bool,
) -> Report {
    let root = parse.root();
    // Lines matter only to suppression comments, and only comments holding a directive suppress
    // anything, which the text shows up front: most files need no line index at all.
    let has_directives = text.contains("nixwise:") || text.contains("deadnix:");
    let line_index = has_directives.then(|| LineIndex::new(text));
    let line_of = |offset: syntax::TextSize| {
        line_index
            .as_ref()
            .map_or(0, |index| index.line_col(offset).line)
    };
    let enabled: Vec<bool> = lints.iter().map(|lint| config.is_enabled(lint)).collect();
    let mut suppressions = Suppressions::default();
    let gathered = if two_threads && text.len() >= TWO_THREADS_FROM {
        // Every other enabled lint goes to the second thread: neighbours in the registry cost
        // alike often enough to share the work about evenly.
        let mut first = vec![false; lints.len()];
        let mut second = vec![false; lints.len()];
        for (position, index) in (0..lints.len()).filter(|&i| enabled[i]).enumerate() {
            if position % 2 == 0 {
                first[index] = true;
            } else {
                second[index] = true;
            }
        }
        std::thread::scope(|scope| {
            let other = std::thread::Builder::new()
                .name("nixwise-lints".to_owned())
                .stack_size(syntax::WORKER_STACK_SIZE)
                .spawn_scoped(scope, || {
                    gather(parse, text, file_name, config, lints, &second, None, None)
                });
            let mut here = gather(
                parse,
                text,
                file_name,
                config,
                lints,
                &first,
                line_index.as_ref(),
                Some(&mut suppressions),
            );
            // Lints catch their own panics; should the thread fail to start or end, its half
            // runs here.
            let there = match other.map(|handle| handle.join()) {
                Ok(Ok(there)) => there,
                _ => gather(parse, text, file_name, config, lints, &second, None, None),
            };
            here.findings.extend(there.findings);
            here.failures.extend(there.failures);
            here
        })
    } else {
        gather(
            parse,
            text,
            file_name,
            config,
            lints,
            &enabled,
            line_index.as_ref(),
            Some(&mut suppressions),
        )
    };
    let Gathered {
        mut findings,
        mut failures,
    } = gathered;
    findings.sort_by_key(|(index, _)| *index);
    failures.sort_by_key(|(index, _)| *index);
    let failures: Vec<LintFailure> = failures.into_iter().map(|(_, failure)| failure).collect();

    let mut diagnostics = Vec::new();
    if let Some(severity) = config.severity(&SYNTAX_ERROR, None) {
        for error in parse.errors() {
            let line = line_of(error.range.start());
            if !suppressions.is_suppressed(SYNTAX_ERROR.name, line) {
                diagnostics.push(Diagnostic {
                    code: SYNTAX_ERROR.code,
                    name: SYNTAX_ERROR.name,
                    severity,
                    range: error.range,
                    message: error.message.clone(),
                    tags: Vec::new(),
                    related: Vec::new(),
                    fixes: Vec::new(),
                });
            }
        }
    }

    // Past the nesting limit the tree holds less than Nix reads: what a fix would change there,
    // or what the unread rest refers to, cannot be known, so such a file gets no fixes.
    let truncated = parse.is_truncated();
    let unparsed = if parse.errors().is_empty() {
        Vec::new()
    } else {
        unparsed_ranges(&root)
    };
    // Findings that share one fix (a merged `inherit (e) a b c;` offered on each of its
    // bindings) come one after the other: the fix is judged once for all of them.
    let mut last_judged: Option<(Vec<syntax::TextEdit>, bool)> = None;
    let mut keeps_syntax = |fix: &Fix| match &last_judged {
        _ if validate == Validate::Nothing => true,
        Some((edits, verdict)) if *edits == fix.edits => *verdict,
        _ => {
            let verdict = fix_keeps_syntax_of(parse, text, fix);
            last_judged = Some((fix.edits.clone(), verdict));
            verdict
        }
    };
    for (index, lint_findings) in findings {
        let lint = lints[index];
        for finding in lint_findings.items {
            let Some(severity) = config.severity(lint, finding.severity) else {
                continue;
            };
            let line = line_of(finding.range.start());
            if suppressions.is_suppressed(lint.name, line) {
                continue;
            }
            let mut tags = lint.tags.to_vec();
            for tag in finding.extra_tags {
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
            let fixes = finding
                .fixes
                .into_iter()
                .filter(|fix| {
                    !truncated && !edits_unparsed_text(&unparsed, fix) && keeps_syntax(fix)
                })
                .collect();
            diagnostics.push(Diagnostic {
                code: lint.code,
                name: lint.name,
                severity,
                range: finding.range,
                message: finding.message,
                tags,
                related: finding.related,
                fixes,
            });
        }
    }
    diagnostics.sort_by(|a, b| {
        (a.range.start(), a.range.end(), a.code).cmp(&(b.range.start(), b.range.end(), b.code))
    });
    Report {
        diagnostics,
        failures,
    }
}

/// The text of every error node: what the parser could not read, in order.
fn unparsed_ranges(root: &SyntaxNode) -> Vec<TextRange> {
    let mut ranges: Vec<TextRange> = Vec::new();
    for node in root.descendants() {
        let range = node.text_range();
        if node.kind() == SyntaxKind::NODE_ERROR && !range.is_empty() {
            // Nested error nodes lie inside the last one taken.
            if ranges.last().is_none_or(|last| !last.contains_range(range)) {
                ranges.push(range);
            }
        }
    }
    ranges
}

/// Whether a fix would delete or rewrite text the parser could not read. What that text means is
/// unknown, so no fix may touch it: it is the user's, to be repaired by hand.
fn edits_unparsed_text(unparsed: &[TextRange], fix: &Fix) -> bool {
    fix.edits.iter().any(|edit| {
        let first = unparsed.partition_point(|range| range.end() <= edit.range.start());
        unparsed
            .get(first)
            .is_some_and(|range| range.start() < edit.range.end())
    })
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "the lint panicked".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use syntax::{SyntaxNode, TextRange};

    use super::*;
    use crate::config::Settings;
    use crate::lint::declare_lint;
    use crate::lints::bool_comparison::BOOL_COMPARISON;
    use crate::Severity;

    declare_lint! {
        /// ## What it does
        /// Panics on every integer, to test isolation.
        static PANICS_ON_INTEGERS = {
            code: "NIX998",
            name: "panics-on-integers",
            category: Correctness,
            severity: Warning,
            fix: None,
            tags: [],
            kinds: [NODE_LITERAL],
            check: panic_on_integer,
        };
    }

    fn panic_on_integer(_: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
        findings.report(node.text_range(), "an integer");
        if node.text().to_string().parse::<i64>().is_ok() {
            panic!("integers are not allowed");
        }
    }

    declare_lint! {
        /// ## What it does
        /// Reports every `with`, to test dispatch.
        static EVERY_WITH = {
            code: "NIX999",
            name: "every-with",
            category: Style,
            severity: Hint,
            fix: None,
            tags: [],
            kinds: [NODE_WITH],
            check: report_with,
        };
    }

    fn report_with(_: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
        findings.report(node.text_range(), "a with");
    }

    declare_lint! {
        /// ## What it does
        /// Offers to delete every set, to test which fixes are kept.
        static DELETES_SETS = {
            code: "NIX997",
            name: "deletes-sets",
            category: Style,
            severity: Hint,
            fix: Safe,
            tags: [],
            kinds: [NODE_ATTR_SET],
            check: delete_set,
        };
    }

    fn delete_set(_: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
        findings.report(node.text_range(), "a set").fix(Fix::safe(
            "Delete",
            vec![syntax::TextEdit::delete(node.text_range())],
        ));
    }

    #[test]
    fn no_fix_touches_text_the_parser_could_not_read() {
        let text = "[ { a = ; b = x; } { c = 1; } ]";
        for validate in [Validate::Fixes, Validate::Nothing] {
            let parse = syntax::parse(text);
            let report = super::run_with(
                &parse,
                text,
                None,
                &Config::default(),
                &[&DELETES_SETS],
                validate,
            );
            let fixable: Vec<&str> = report
                .diagnostics
                .iter()
                .filter(|diagnostic| !diagnostic.fixes.is_empty())
                .map(|diagnostic| &text[diagnostic.range])
                .collect();
            assert_eq!(fixable, ["{ c = 1; }"]);
        }
    }

    #[test]
    fn two_threads_give_the_report_of_one() {
        // Every file of the lint corpus, repeated past the size that earns a second thread, with
        // a suppression comment and a panicking lint among the findings.
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let mut texts = Vec::new();
        for entry in std::fs::read_dir(&corpus).expect("the lint corpus") {
            let path = entry.expect("an entry").path();
            if path.extension().is_some_and(|extension| extension == "nix") {
                let text = std::fs::read_to_string(&path).expect("read");
                texts.push(format!(
                    "[\n{}\n]\n",
                    text.repeat(TWO_THREADS_FROM / text.len().max(1) + 1)
                ));
            }
        }
        texts.push(format!(
            "# nixwise: ignore-file[bool-comparison]\n[ {} ]\n",
            "(a == true) (1) ".repeat(TWO_THREADS_FROM / 8)
        ));
        assert!(texts.len() > 5);
        let mut lints: Vec<&'static Lint> = LINTS.to_vec();
        lints.push(&PANICS_ON_INTEGERS);
        for text in &texts {
            let parse = syntax::parse(text);
            let config = Config::default();
            let one = run_on(
                &parse,
                text,
                None,
                &config,
                &lints,
                Validate::Nothing,
                false,
            );
            let two = run_on(&parse, text, None, &config, &lints, Validate::Nothing, true);
            assert_eq!(
                format!("{:?}", one.diagnostics),
                format!("{:?}", two.diagnostics)
            );
            assert_eq!(one.failures, two.failures);
        }
    }

    fn run_with(text: &str, lints: &[&'static Lint]) -> Report {
        run(&syntax::parse(text), text, None, &Config::default(), lints)
    }

    #[test]
    fn a_panicking_lint_loses_only_its_own_findings() {
        let text = "with x; [ \"s\" 1 (true == a) ]";
        let report = run_with(text, &[&PANICS_ON_INTEGERS, &EVERY_WITH, &BOOL_COMPARISON]);
        let names: Vec<&str> = report
            .diagnostics
            .iter()
            .map(|diagnostic| diagnostic.name)
            .collect();
        assert_eq!(names, ["every-with", "bool-comparison"]);
        assert_eq!(report.failures.len(), 1);
        assert_eq!(report.failures[0].lint, "panics-on-integers");
        assert_eq!(report.failures[0].message, "integers are not allowed");
    }

    #[test]
    fn nodes_go_only_to_lints_that_asked_for_their_kind() {
        let report = run_with("with a; with b; 1", &[&EVERY_WITH]);
        let ranges: Vec<TextRange> = report
            .diagnostics
            .iter()
            .map(|diagnostic| diagnostic.range)
            .collect();
        assert_eq!(
            ranges,
            [
                TextRange::new(0.into(), 17.into()),
                TextRange::new(8.into(), 17.into())
            ]
        );
    }

    #[test]
    fn syntax_errors_are_diagnostics_and_lints_still_run() {
        let report = check("x: { a = x == true; b = 1 }", None, &Config::default());
        let names: Vec<&str> = report
            .diagnostics
            .iter()
            .map(|diagnostic| diagnostic.name)
            .collect();
        assert_eq!(names, ["bool-comparison", "syntax-error"]);
        assert_eq!(report.diagnostics[1].severity, Severity::Error);
        assert_eq!(report.diagnostics[1].code, "NIX000");
    }

    #[test]
    fn suppression_comments_silence_the_next_line_or_the_file() {
        let text = "a: b: [\n  # nixwise: ignore[bool-comparison]\n  (a == true)\n  (b == true)\n]";
        let report = check(text, None, &Config::default());
        assert_eq!(report.diagnostics.len(), 1);
        assert_eq!(&text[report.diagnostics[0].range], "b == true");

        let text = "# nixwise: ignore-file[NIX001]\na: b: [ (a == true) (b == true) ]";
        assert!(check(text, None, &Config::default()).diagnostics.is_empty());
    }

    #[test]
    fn configured_levels_replace_severities_or_turn_lints_off() {
        let text = "a: a == true";
        let (settings, _) =
            Settings::from_toml("[lints]\nbool-comparison = \"error\"").expect("toml");
        let report = check(text, None, &Config::from_layers(&[&settings]));
        assert_eq!(report.diagnostics[0].severity, Severity::Error);

        let (settings, _) = Settings::from_toml("[lints]\nNIX001 = \"off\"").expect("toml");
        assert!(check(text, None, &Config::from_layers(&[&settings]))
            .diagnostics
            .is_empty());
    }
}
