//! One walk per file: every node goes to the lints that asked for its kind.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use syntax::{
    LineIndex, NodeOrToken, Parse, SyntaxKind, SyntaxNode, TextRange, TextSize, WalkEvent,
    SYNTAX_KIND_COUNT,
};

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Fix};
use crate::fix::fix_keeps_syntax_of;
use crate::lint::ScopeSource;
use crate::lint::{Findings, Lint, LintCtx};
use crate::lints::syntax_error::SYNTAX_ERROR;
use crate::registry::LINTS;
use crate::scope::ScopeIndex;
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
pub(crate) const TWO_THREADS_FROM: usize = 64 << 10;

/// What one walk over the tree gathered.
pub(crate) struct Gathered {
    /// Findings by index into the lints.
    pub(crate) findings: Vec<Findings>,
    /// By index into the lints, where the visit that made each finding started.
    pub(crate) starts: Vec<Vec<TextSize>>,
    pub(crate) failures: Vec<(usize, LintFailure)>,
    /// The scope index a walk of [`ScopeSource::Skipping`] built, for the check to read what the
    /// entries it walked use.
    pub(crate) scope: Option<ScopeIndex>,
}

/// Which nodes one walk visits. Preorder visits nodes by their start, so the nodes that start
/// before an offset come first and the others after them: two walks split at an offset visit,
/// together and in order, what one walk visits.
#[derive(Clone, Copy)]
pub(crate) enum Part<'a> {
    Whole,
    StartingBefore(TextSize),
    StartingFrom(TextSize),
    /// Every node but those inside these ranges, which are nodes' ranges, sorted.
    Outside(&'a [TextRange]),
    /// The nodes of these ranges, which are nodes' ranges, sorted and not nested, and nothing
    /// else.
    Nodes(&'a [TextRange]),
}

impl Part<'_> {
    fn wants(&self, range: TextRange) -> bool {
        match *self {
            Part::Whole => true,
            Part::StartingBefore(offset) => range.start() < offset,
            Part::StartingFrom(offset) => range.start() >= offset,
            Part::Outside(skipped) => {
                let after = skipped.partition_point(|skip| skip.start() <= range.start());
                after == 0 || !skipped[after - 1].contains_range(range)
            }
            Part::Nodes(nodes) => nodes
                .binary_search_by_key(&range.start(), |node| node.start())
                .is_ok_and(|index| nodes[index] == range),
        }
    }

    /// Whether a node at `range` may hold nodes this part wants, other than itself: the nodes of
    /// [`Part::Nodes`] do not nest.
    fn may_hold_wanted(&self, range: TextRange) -> bool {
        match *self {
            Part::Nodes(nodes) => {
                let first = nodes.partition_point(|node| node.start() < range.start());
                nodes
                    .get(first)
                    .is_some_and(|node| range.contains_range(*node) && *node != range)
            }
            _ => true,
        }
    }
}

/// By syntax kind, the indices of the lints marked in `enabled` that visit it.
fn lints_by_kind(lints: &[&'static Lint], enabled: &[bool]) -> Vec<Vec<usize>> {
    let mut by_kind: Vec<Vec<usize>> = vec![Vec::new(); SYNTAX_KIND_COUNT];
    for (index, lint) in lints.iter().enumerate() {
        if enabled[index] {
            for kind in lint.kinds {
                by_kind[*kind as usize].push(index);
            }
        }
    }
    by_kind
}

/// Whether no lint visits any node but the root.
fn only_root(by_kind: &[Vec<usize>]) -> bool {
    by_kind
        .iter()
        .enumerate()
        .all(|(kind, visitors)| visitors.is_empty() || kind == SyntaxKind::NODE_ROOT as usize)
}

/// Runs the enabled lints over the nodes of `part` (a root of its own, so that each thread has
/// one), and reads suppression comments of the whole file into `suppressions` when given.
#[allow(clippy::too_many_arguments)]
fn gather(
    parse: &Parse,
    text: &str,
    file_name: Option<&str>,
    config: &Config,
    lints: &[&'static Lint],
    enabled: &[bool],
    part: Part<'_>,
    line_index: Option<&LineIndex>,
    suppressions: Option<&mut Suppressions>,
    scope: ScopeSource<'_>,
) -> Gathered {
    let root = parse.root();
    let ctx = LintCtx::new(text, &root, file_name, config).with_scope(scope);
    let by_kind = lints_by_kind(lints, enabled);
    let mut findings: Vec<Findings> = lints.iter().map(|_| Findings::default()).collect();
    let mut starts: Vec<Vec<TextSize>> = vec![Vec::new(); lints.len()];
    let mut failures: Vec<(usize, LintFailure)> = Vec::new();
    let mut failed = vec![false; lints.len()];

    let mut visit = |node: &SyntaxNode| {
        let visitors = &by_kind[node.kind() as usize];
        if visitors.is_empty() {
            return;
        }
        ctx.begin_visit(node);
        let start = node.text_range().start();
        for &index in visitors {
            if failed[index] {
                continue;
            }
            let lint = lints[index];
            ctx.set_current(lint);
            let sink = &mut findings[index];
            let outcome = catch_unwind(AssertUnwindSafe(|| (lint.check)(&ctx, node, sink)));
            starts[index].resize(findings[index].items.len(), start);
            if let Err(payload) = outcome {
                failed[index] = true;
                findings[index].items.clear();
                starts[index].clear();
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
                    WalkEvent::Enter(NodeOrToken::Node(node)) if part.wants(node.text_range()) => {
                        visit(&node)
                    }
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
        // Lints of the file alone (a flake's) need no walk.
        _ if only_root(&by_kind) => {
            if part.wants(root.text_range()) {
                visit(&root);
            }
        }
        _ => {
            let mut walk = root.preorder();
            while let Some(event) = walk.next() {
                let WalkEvent::Enter(node) = event else {
                    continue;
                };
                let range = node.text_range();
                match part {
                    // All that follows starts later still.
                    Part::StartingBefore(offset) if range.start() >= offset => break,
                    // Nothing inside starts at or after the offset.
                    Part::StartingFrom(offset) if range.end() < offset => {
                        walk.skip_subtree();
                        continue;
                    }
                    Part::Outside(_) if !part.wants(range) => {
                        walk.skip_subtree();
                        continue;
                    }
                    _ => {}
                }
                if part.wants(range) {
                    visit(&node);
                }
                if !part.may_hold_wanted(range) {
                    walk.skip_subtree();
                }
            }
        }
    }
    let scope = match scope {
        ScopeSource::Skipping(_) => ctx.into_built_scope(),
        ScopeSource::Build | ScopeSource::Built(_) => None,
    };
    Gathered {
        findings,
        starts,
        failures,
        scope,
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
    let line_index = line_index_for_suppressions(text);
    let enabled: Vec<bool> = lints.iter().map(|lint| config.is_enabled(lint)).collect();
    let mut suppressions = Suppressions::default();
    let walk = Walk {
        parse,
        text,
        file_name,
        config,
        lints,
        scope: ScopeSource::Build,
    };
    let gathered = walk.whole_file(
        &enabled,
        two_threads && text.len() >= TWO_THREADS_FROM,
        line_index.as_ref(),
        &mut suppressions,
    );
    walk.finish(validate, gathered, &suppressions, line_index.as_ref())
}

/// Lines matter only to suppression comments, and only comments holding a directive suppress
/// anything, which the text shows up front: most files need no line index at all.
pub(crate) fn line_index_for_suppressions(text: &str) -> Option<LineIndex> {
    let has_directives = text.contains("nixwise:") || text.contains("deadnix:");
    has_directives.then(|| LineIndex::new(text))
}

/// What every walk over one file shares.
#[derive(Clone, Copy)]
pub(crate) struct Walk<'a> {
    pub(crate) parse: &'a Parse,
    pub(crate) text: &'a str,
    pub(crate) file_name: Option<&'a str>,
    pub(crate) config: &'a Config,
    pub(crate) lints: &'a [&'static Lint],
    /// Where the scope index the lints read comes from.
    pub(crate) scope: ScopeSource<'a>,
}

impl Walk<'_> {
    /// The report of what the walks over this file gathered (see [`finish`]): the one ending of
    /// the full check and of the check that keeps findings across an edit.
    pub(crate) fn finish(
        &self,
        validate: Validate,
        gathered: Gathered,
        suppressions: &Suppressions,
        line_index: Option<&LineIndex>,
    ) -> Report {
        finish(
            self.parse,
            self.text,
            self.config,
            self.lints,
            validate,
            gathered,
            suppressions,
            line_index,
        )
    }

    pub(crate) fn gather(
        &self,
        enabled: &[bool],
        part: Part<'_>,
        line_index: Option<&LineIndex>,
        suppressions: Option<&mut Suppressions>,
    ) -> Gathered {
        gather(
            self.parse,
            self.text,
            self.file_name,
            self.config,
            self.lints,
            enabled,
            part,
            line_index,
            suppressions,
            self.scope,
        )
    }

    /// Every node with the `enabled` lints: on two threads, each taking the nodes of one half of
    /// the text with every lint, when `two_threads` (a lint's cost follows the text it reads, so
    /// the halves cost about alike; the nodes that span the middle start in the first half).
    pub(crate) fn whole_file(
        &self,
        enabled: &[bool],
        two_threads: bool,
        line_index: Option<&LineIndex>,
        suppressions: &mut Suppressions,
    ) -> Gathered {
        if !two_threads {
            return self.gather(enabled, Part::Whole, line_index, Some(suppressions));
        }
        let middle =
            u32::try_from(self.text.len() / 2).map_or(TextSize::from(u32::MAX), TextSize::from);
        self.on_two_threads(
            &[(enabled, Part::StartingBefore(middle))],
            (self, enabled, Part::StartingFrom(middle)),
            line_index,
            suppressions,
        )
    }

    /// Walks on this thread, one after the other (the first reads the suppression comments), and
    /// one on another, by `there`: each two of them either the same lints over consecutive parts
    /// of the tree, or different lints.
    pub(crate) fn on_two_threads(
        &self,
        here: &[(&[bool], Part<'_>)],
        (there, second_lints, second_part): (&Walk<'_>, &[bool], Part<'_>),
        line_index: Option<&LineIndex>,
        suppressions: &mut Suppressions,
    ) -> Gathered {
        let gather_there = || there.gather(second_lints, second_part, None, None);
        let mut there_gathered = None;
        let run_here = || {
            let mut suppressions = Some(suppressions);
            let mut line_index = line_index;
            let mut walks = here.iter().map(|&(lints, part)| {
                self.gather(lints, part, line_index.take(), suppressions.take())
            });
            let none = vec![false; self.lints.len()];
            let first = walks
                .next()
                .unwrap_or_else(|| self.gather(&none, Part::Nodes(&[]), None, None));
            walks.fold(first, join_halves)
        };
        let here = match helper() {
            Some(helper) => helper.in_place_scope(|scope| {
                scope.spawn(|_| {
                    there_gathered = catch_unwind(AssertUnwindSafe(gather_there)).ok();
                });
                run_here()
            }),
            None => run_here(),
        };
        // Lints catch their own panics; should the helper be missing or fail, its part runs here.
        let there = there_gathered.unwrap_or_else(gather_there);
        join_halves(here, there)
    }
}

/// The thread that takes the second half of a check on two threads: one for the process, kept
/// between checks. Starting a thread for each check (an edit in the language server) cost more
/// than the half it took, on a machine of two cores. `None` if it cannot be started.
fn helper() -> Option<&'static rayon::ThreadPool> {
    static HELPER: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    HELPER
        .get_or_init(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .stack_size(syntax::WORKER_STACK_SIZE)
                .thread_name(|_| "nixwise-lints".to_owned())
                .build()
                .ok()
        })
        .as_ref()
}

/// Turns what the walks gathered into the report: syntax errors, configured severities,
/// suppressions, the fixes that may be offered, and order.
#[allow(clippy::too_many_arguments)]
fn finish(
    parse: &Parse,
    text: &str,
    config: &Config,
    lints: &[&'static Lint],
    validate: Validate,
    gathered: Gathered,
    suppressions: &Suppressions,
    line_index: Option<&LineIndex>,
) -> Report {
    let line_of =
        |offset: syntax::TextSize| line_index.map_or(0, |index| index.line_col(offset).line);
    let Gathered {
        findings,
        mut failures,
        ..
    } = gathered;
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
        unparsed_ranges(parse)
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
    for (lint, lint_findings) in lints.iter().zip(findings) {
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

/// The findings of two walks as one walk over both parts finds them, when the parts are
/// consecutive or the lints different (otherwise a lint's findings of the second walk follow
/// those of the first, to be put in order by the caller): a lint that failed in either loses its
/// findings in both, and its first failure stands.
pub(crate) fn join_halves(first: Gathered, second: Gathered) -> Gathered {
    let mut failures = first.failures;
    for (index, failure) in second.failures {
        if !failures.iter().any(|(failed, _)| *failed == index) {
            failures.push((index, failure));
        }
    }
    let mut findings = first.findings;
    let mut starts = first.starts;
    for (index, (after, after_starts)) in second.findings.into_iter().zip(second.starts).enumerate()
    {
        if failures.iter().any(|(failed, _)| *failed == index) {
            findings[index].items.clear();
            starts[index].clear();
        } else {
            findings[index].items.extend(after.items);
            starts[index].extend(after_starts);
        }
    }
    Gathered {
        findings,
        starts,
        failures,
        scope: first.scope.or(second.scope),
    }
}

/// The text of every error node: what the parser could not read, in order. The parser reports
/// each error node with the node's range, so the nodes are found from the reports without
/// walking the whole tree; a tree cut short by nesting is walked.
fn unparsed_ranges(parse: &Parse) -> Vec<TextRange> {
    let root = parse.root();
    if parse.is_truncated() {
        return error_node_ranges(&root);
    }
    let mut ranges: Vec<TextRange> = parse
        .errors()
        .iter()
        .map(|error| error.range)
        .filter(|range| !range.is_empty() && root.text_range().contains_range(*range))
        .filter(|&range| {
            let covering = root.covering_element(range);
            let mut node = match covering {
                syntax::NodeOrToken::Node(node) => Some(node),
                syntax::NodeOrToken::Token(token) => token.parent(),
            };
            while let Some(current) = node.filter(|node| node.text_range() == range) {
                if current.kind() == SyntaxKind::NODE_ERROR {
                    return true;
                }
                node = current.parent();
            }
            false
        })
        .collect();
    ranges.sort_by_key(|range| (range.start(), std::cmp::Reverse(range.end())));
    outermost(ranges)
}

/// The ranges of all error nodes, outermost only, by a walk of the whole tree.
fn error_node_ranges(root: &SyntaxNode) -> Vec<TextRange> {
    outermost(
        root.descendants()
            .filter(|node| node.kind() == SyntaxKind::NODE_ERROR)
            .map(|node| node.text_range())
            .filter(|range| !range.is_empty())
            .collect(),
    )
}

/// The ranges, in order of start with the longest first, without those inside another.
fn outermost(sorted: Vec<TextRange>) -> Vec<TextRange> {
    let mut ranges: Vec<TextRange> = Vec::with_capacity(sorted.len());
    for range in sorted {
        if ranges.last().is_none_or(|last| !last.contains_range(range)) {
            ranges.push(range);
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

    #[test]
    fn unparsed_ranges_from_the_errors_equal_a_walk_of_the_tree() {
        const BROKEN: &[&str] = &[
            ";",
            "}",
            "{",
            "(",
            ")",
            "[",
            "]",
            "=",
            "\"",
            "''",
            "${",
            "in",
            "let",
            "@",
            ",",
            ":",
            "?",
            ".",
            "or",
            "inherit",
            "then",
            "else",
            "a b",
            "{ a, a }: 1",
            "x@y@{ }: 1",
        ];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut below = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        let mut broken_files = 0;
        for text in crate::tests::corpus_texts() {
            for _ in 0..300 {
                let mut edited = text.clone();
                for _ in 0..1 + below(3) {
                    let mut at = below(edited.len() + 1);
                    while !edited.is_char_boundary(at) {
                        at -= 1;
                    }
                    edited.insert_str(at, BROKEN[below(BROKEN.len())]);
                }
                let parse = syntax::parse(&edited);
                if parse.errors().is_empty() || parse.is_truncated() {
                    continue;
                }
                broken_files += 1;
                assert_eq!(
                    unparsed_ranges(&parse),
                    error_node_ranges(&parse.root()),
                    "{edited}"
                );
            }
        }
        assert!(broken_files > 500, "{broken_files}");
    }

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
        let mut texts: Vec<String> = crate::tests::corpus_texts()
            .iter()
            .map(|text| {
                format!(
                    "[\n{}\n]\n",
                    text.repeat(TWO_THREADS_FROM / text.len().max(1) + 1)
                )
            })
            .collect();
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
