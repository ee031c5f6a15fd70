//! Applying fixes: checking that a fix keeps the file parseable, and running rounds of
//! non-overlapping fixes until nothing changes.

use std::collections::BTreeSet;

use syntax::ast::Expr;
use syntax::{apply_edits, AstNode, Parse, SyntaxNode, TextEdit, TextRange, TextSize};

use crate::config::Config;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::engine::{self, Validate};
use crate::flake::check::{check_flake, FlakeFiles};
use crate::lint::Lint;
use crate::registry::LINTS;

/// Whether applying `fix` to the text that `parse` was made from adds no syntax error: the proof a
/// fix needs before it is applied, when the report it came from was made without
/// ([`crate::Validate::Nothing`]). In a file without errors the fixed text is re-parsed
/// incrementally, which is proof enough when it succeeds; otherwise (and when the incremental path
/// is unsure) re-parsing the expression or item around the edits decides. Re-parsing the
/// smallest expression around the edits was often the whole file, once per fix.
pub fn fix_keeps_syntax_of(parse: &Parse, text: &str, fix: &Fix) -> bool {
    let root = parse.root();
    let clean = parse.errors().is_empty();
    // Removing bindings (an unused one from a large `let`) keeps the syntax by the shape of the
    // edit: re-parsing to prove it cost the size of the `let` for each of its bindings.
    if !fix.edits.is_empty()
        && fix
            .edits
            .iter()
            .all(|edit| deletes_whole_bindings(&root, text, edit))
    {
        return true;
    }
    // A fix that edits several bindings of a large set (one merged `inherit (e) a b;` for many
    // `a = e.a;`) spans most of the set: its edits are judged item by item instead.
    if let Some(groups) = edits_by_item(&root, text, fix) {
        return groups
            .iter()
            .all(|group| keeps_syntax(&root, text, group, clean));
    }
    // One binding or item re-parsed on its own is the cheapest proof; an incremental re-parse of
    // the whole file comes next, and re-parsing the enclosing expression last.
    if let Some(verdict) = judge(&root, text, fix, true, clean) {
        return verdict;
    }
    if parse.errors().is_empty() {
        if let Some(spliced) = spliced_parse(parse, text, fix) {
            return spliced.errors().is_empty();
        }
    }
    keeps_syntax(&root, text, fix, clean)
}

/// The edits of `fix` grouped by the innermost binding or list item that holds each, when there
/// are at least two such items and none holds another. Each item re-parses on its own between
/// its neighbours, so the fix keeps the syntax when every group keeps it.
fn edits_by_item(root: &SyntaxNode, text: &str, fix: &Fix) -> Option<Vec<Fix>> {
    if fix.edits.len() < 2 {
        return None;
    }
    let mut groups: Vec<(TextRange, Vec<TextEdit>)> = Vec::new();
    let mut deletions = 0;
    for edit in &fix.edits {
        if deletes_whole_bindings(root, text, edit) {
            deletions += 1;
            continue;
        }
        let item = innermost_item(root, edit.range)?;
        match groups.iter_mut().find(|(range, _)| *range == item) {
            Some((_, edits)) => edits.push(edit.clone()),
            None => groups.push((item, vec![edit.clone()])),
        }
    }
    let nested = groups.iter().enumerate().any(|(at, (outer, _))| {
        groups
            .iter()
            .skip(at + 1)
            .any(|(inner, _)| outer.intersect(*inner).is_some())
    });
    if groups.len() + deletions < 2 || nested {
        return None;
    }
    Some(
        groups
            .into_iter()
            .map(|(_, edits)| Fix {
                title: fix.title.clone(),
                applicability: fix.applicability,
                edits,
            })
            .collect(),
    )
}

/// Whether `edit` only deletes whole bindings of one set or `let`, with whitespace and comments
/// around them: every binding ends in `;`, so what is left still parses as it did, as long as
/// the text on either side stays apart (see [`keeps_apart`]).
fn deletes_whole_bindings(root: &SyntaxNode, text: &str, edit: &TextEdit) -> bool {
    use syntax::SyntaxKind::*;
    if !edit.new_text.is_empty() || edit.range.is_empty() || !keeps_apart(text, edit.range) {
        return false;
    }
    let syntax::NodeOrToken::Node(container) = root.covering_element(edit.range) else {
        return false;
    };
    if !matches!(container.kind(), NODE_ATTR_SET | NODE_LET_IN) {
        return false;
    }
    // Only the children that the edit overlaps: walking all of them cost the size of the set for
    // every such edit, and a fix gathering many bindings of a large set has one per binding.
    let Some(first) = child_at(&container, edit.range.start()) else {
        return false;
    };
    std::iter::successors(Some(first), |element| element.next_sibling_or_token())
        .take_while(|element| element.text_range().start() < edit.range.end())
        .filter(|element| {
            element
                .text_range()
                .intersect(edit.range)
                .is_some_and(|common| !common.is_empty())
        })
        .all(|element| match element {
            syntax::NodeOrToken::Node(node) => {
                matches!(node.kind(), NODE_ATTRPATH_VALUE | NODE_INHERIT)
                    && edit.range.contains_range(node.text_range())
            }
            syntax::NodeOrToken::Token(token) => {
                matches!(token.kind(), TOKEN_WHITESPACE | TOKEN_COMMENT)
                    && (token.kind() == TOKEN_WHITESPACE
                        || edit.range.contains_range(token.text_range()))
            }
        })
}

/// Whether deleting `range` leaves what was on either side apart: a space or a line break
/// between them, or a `;` or brace on one side (`let` and the next name would make one word), and
/// no comment of the line before running on into the line after.
fn keeps_apart(text: &str, range: TextRange) -> bool {
    let (Some(before), Some(after)) = (
        text.get(..usize::from(range.start())),
        text.get(usize::from(range.end())..),
    ) else {
        return false;
    };
    let left = before.chars().next_back();
    let right = after.chars().next();
    let separated = |c: Option<char>| c.is_none_or(|c| c.is_whitespace() || "{};".contains(c));
    let line_before = before.rsplit('\n').next().unwrap_or(before);
    let joins_lines = text[range].contains('\n') && right.is_none_or(|c| c != '\n');
    // A `#` may sit in a string rather than start a comment: judging it a comment only refuses
    // the shortcut, and the fix is then proved by re-parsing.
    (separated(left) || separated(right)) && !(joins_lines && line_before.contains('#'))
}

/// The child of `container` (node or token) that holds the byte at `offset`, found by position
/// (`token_at_offset` walks the children one by one).
fn child_at(container: &SyntaxNode, offset: TextSize) -> Option<syntax::SyntaxElement> {
    let byte = TextRange::at(offset, TextSize::from(1));
    if !container.text_range().contains_range(byte) {
        return None;
    }
    container.child_or_token_at_range(byte)
}

/// The range of the innermost binding of a set or `let`, or item of a list, that strictly holds
/// `range`.
fn innermost_item(root: &SyntaxNode, range: TextRange) -> Option<TextRange> {
    let mut node = match root.covering_element(range) {
        syntax::NodeOrToken::Node(node) => node,
        syntax::NodeOrToken::Token(token) => token.parent()?,
    };
    // Only the nearest set, `let` or list can hold the item: looking further up would cost the
    // depth of the tree for every fix of a deeply nested file.
    loop {
        let parent = node.parent()?;
        if matches!(
            parent.kind(),
            syntax::SyntaxKind::NODE_ATTR_SET
                | syntax::SyntaxKind::NODE_LET_IN
                | syntax::SyntaxKind::NODE_LIST
        ) {
            let (item, _, _) = item_holding(&parent, range)?;
            return (item == node).then(|| node.text_range());
        }
        node = parent;
    }
}

/// The incremental parse of `text` with `fix` applied, if the cheap paths can build it.
fn spliced_parse(parse: &Parse, text: &str, fix: &Fix) -> Option<Parse> {
    let covered = fix.range()?;
    let before = text.get(std::ops::Range::<usize>::from(covered))?;
    let shifted: Vec<TextEdit> = fix
        .edits
        .iter()
        .map(|edit| {
            Some(TextEdit {
                range: edit.range.checked_sub(covered.start())?,
                new_text: edit.new_text.clone(),
            })
        })
        .collect::<Option<_>>()?;
    let replacement = apply_edits(before, &shifted).ok()?;
    let mut fixed = String::with_capacity(text.len() + replacement.len());
    fixed.push_str(&text[..usize::from(covered.start())]);
    fixed.push_str(&replacement);
    fixed.push_str(&text[usize::from(covered.end())..]);
    let edit = TextEdit {
        range: covered,
        new_text: replacement,
    };
    syntax::try_reparse(parse, &edit, &fixed).map(|(parse, _)| parse)
}

/// Whether applying `fix` to `text` adds no syntax error, knowing whether the file has none
/// (`clean`). Only the smallest expression or item around the edits is re-parsed, so checking
/// every offered fix stays cheap on large files.
fn keeps_syntax(root: &SyntaxNode, text: &str, fix: &Fix, clean: bool) -> bool {
    judge(root, text, fix, false, clean).unwrap_or(false)
}

/// Whether `fix` keeps the syntax, judged on the binding or list item that holds its edits; with
/// `item_only`, `None` when no single item holds them. Only in a `clean` file (one without syntax
/// errors) is an item looked for above the expression around the edits, or a function's pattern
/// taken for an item: where the parser
/// recovered from an error, an item may lack its closing token (rnix leaves the `)` of
/// `( let { … } )` outside the parentheses), and re-parsed alone it would not parse as it does
/// in place.
fn judge(root: &SyntaxNode, text: &str, fix: &Fix, item_only: bool, clean: bool) -> Option<bool> {
    let Some(covered) = fix.range() else {
        return Some(false);
    };
    if usize::from(covered.end()) > text.len() {
        return Some(false);
    }
    let mut context = match root.covering_element(covered) {
        syntax::NodeOrToken::Node(node) => node,
        syntax::NodeOrToken::Token(token) => match token.parent() {
            Some(parent) => parent,
            None => return Some(false),
        },
    };
    // Widen to an expression that strictly contains the edits, so the edited text is re-parsed in
    // the context that decides how it parses.
    while !(is_expression(&context) && context.text_range() != covered)
        || context.kind() == syntax::SyntaxKind::NODE_ERROR
    {
        match context.parent() {
            Some(parent) => context = parent,
            None => break,
        }
    }
    // In a set, a `let` or a list, re-parse only the binding or item that holds the edits, in a
    // small container of the same kind: re-parsing the whole container for each of its findings
    // would cost time quadratic in its size.
    let (range, prefix, suffix) = match item_holding(&context, covered)
        .filter(|(item, _, _)| clean || item.kind() != syntax::SyntaxKind::NODE_PATTERN)
        .or_else(|| clean.then(|| item_around(&context)).flatten())
    {
        Some((item, prefix, suffix)) => (item.text_range(), prefix, suffix),
        None if item_only => return None,
        None => (context.text_range(), "", ""),
    };
    let shifted: Vec<TextEdit> = fix
        .edits
        .iter()
        .map(|edit| TextEdit {
            range: edit
                .range
                .checked_sub(range.start())
                .unwrap_or(TextRange::empty(TextSize::from(0)))
                + TextSize::of(prefix),
            new_text: edit.new_text.clone(),
        })
        .collect();
    let before = format!("{prefix}{}{suffix}", &text[range]);
    let Ok(after) = apply_edits(&before, &shifted) else {
        return Some(false);
    };
    Some(syntax::parse(&after).errors().len() <= syntax::parse(&before).errors().len())
}

/// The binding of a set or `let`, the item of a list, or the pattern of a function, that holds
/// `covered`, with the text that puts it back in a container of the same kind. A pattern is
/// closed by its brace, so it parses the same before any body: adding an argument to a function
/// whose body is the whole file re-parses the pattern, not the file.
fn item_holding(
    container: &SyntaxNode,
    covered: TextRange,
) -> Option<(SyntaxNode, &'static str, &'static str)> {
    use syntax::SyntaxKind::*;
    let (prefix, suffix) = match container.kind() {
        NODE_ATTR_SET => ("{ ", " }"),
        NODE_LET_IN => ("let ", " in null"),
        NODE_LIST => ("[ ", " ]"),
        NODE_LAMBDA => ("", ": null"),
        _ => return None,
    };
    let item = child_node_holding(container, covered)?;
    let is_item = match container.kind() {
        NODE_LIST => Expr::can_cast(item.kind()),
        NODE_LAMBDA => item.kind() == NODE_PATTERN,
        _ => matches!(item.kind(), NODE_ATTRPATH_VALUE | NODE_INHERIT),
    };
    (is_item && item.kind() != NODE_ERROR).then_some((item, prefix, suffix))
}

/// The binding or item of the nearest set, `let` or list around `context` that holds it, so that an
/// edit inside one list item (`[ (x == true) … ]`) re-parses that item, not the whole file once per
/// item. The item holds all of `context`, so the edit parses in as much context as before. Only a
/// few levels are climbed: climbing to the root would cost the depth of a deeply nested file for
/// each of its fixes.
fn item_around(context: &SyntaxNode) -> Option<(SyntaxNode, &'static str, &'static str)> {
    use syntax::SyntaxKind::*;
    let container = context
        .ancestors()
        .skip(1)
        .take(16)
        .find(|ancestor| matches!(ancestor.kind(), NODE_ATTR_SET | NODE_LET_IN | NODE_LIST))?;
    item_holding(&container, context.text_range())
}

/// The first child node of `container` that holds `covered`, found by position rather than by
/// walking the children, which cost the size of a large set for each of its findings.
fn child_node_holding(container: &SyntaxNode, covered: TextRange) -> Option<SyntaxNode> {
    if !container.text_range().contains_range(covered) {
        return None;
    }
    match container.child_or_token_at_range(covered)? {
        syntax::NodeOrToken::Node(node) => Some(node),
        // An empty range where a token ends and a node starts is held by both; the node counts.
        syntax::NodeOrToken::Token(token) => {
            let next = token.next_sibling_or_token()?.into_node()?;
            (covered.is_empty() && next.text_range().contains_range(covered)).then_some(next)
        }
    }
}

/// Whether a node stands where an expression does. Names in attribute paths, patterns and
/// `inherit` are identifiers and strings too, but re-parsing them alone says nothing.
fn is_expression(node: &SyntaxNode) -> bool {
    use syntax::SyntaxKind::*;
    Expr::can_cast(node.kind())
        && !node.parent().is_some_and(|parent| {
            matches!(
                parent.kind(),
                NODE_ATTRPATH | NODE_PAT_ENTRY | NODE_PAT_BIND | NODE_IDENT_PARAM | NODE_INHERIT
            )
        })
}

/// Which fixes `fix_text` applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixMode {
    /// Safe fixes only: the value of every expression stays the same.
    Safe,
    /// Safe and unsafe fixes.
    Unsafe,
}

impl FixMode {
    fn allows(self, applicability: Applicability) -> bool {
        match applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => self == FixMode::Unsafe,
            Applicability::DisplayOnly => false,
        }
    }
}

/// A fix that `fix_text` applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedFix {
    pub code: &'static str,
    pub name: &'static str,
    pub title: String,
    /// Where the finding was, in the text of the round that applied it.
    pub range: TextRange,
}

/// The result of fixing one text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixOutcome {
    pub text: String,
    pub applied: Vec<AppliedFix>,
    /// Fixes withheld because the text they made did not parse as well as the text before.
    pub refused: Vec<AppliedFix>,
    /// Whether the rounds stopped because they reached the limit rather than a fixpoint.
    pub hit_round_limit: bool,
}

/// The number of rounds after which fixing stops even if fixes remain.
pub const MAX_ROUNDS: usize = 32;

/// Applies fixes to a fixpoint. Each round lints the text, takes the first allowed fix of every
/// finding, applies the ones that do not overlap an earlier one, and re-parses; overlapping fixes
/// wait for the next round. A round whose result has more syntax errors than its input is undone
/// and its fixes are tried one by one, so that one bad fix cannot spoil the others.
pub fn fix_text(text: &str, file_name: Option<&str>, config: &Config, mode: FixMode) -> FixOutcome {
    fix_with(text, file_name, config, mode, LINTS)
}

/// Like [`fix_text`] for a flake.nix, with the fixes of the lints that read the flake.lock beside
/// it too (the follows of NIX407, the branch of NIX406, …), found again in every round.
pub fn fix_flake(flake: &FlakeFiles, config: &Config, mode: FixMode) -> FixOutcome {
    let Some(text) = flake.flake_nix else {
        return FixOutcome {
            text: String::new(),
            applied: Vec::new(),
            refused: Vec::new(),
            hit_round_limit: false,
        };
    };
    fix_rounds(text, mode, |parse, current| {
        let mut diagnostics = engine::run_with(
            parse,
            current,
            Some("flake.nix"),
            config,
            LINTS,
            Validate::Nothing,
        )
        .diagnostics;
        let files = FlakeFiles {
            flake_nix: Some(current),
            ..*flake
        };
        diagnostics.extend(check_flake(&files, config).flake);
        diagnostics
    })
}

pub(crate) fn fix_with(
    text: &str,
    file_name: Option<&str>,
    config: &Config,
    mode: FixMode,
    lints: &[&'static Lint],
) -> FixOutcome {
    fix_rounds(text, mode, |parse, current| {
        engine::run_with(parse, current, file_name, config, lints, Validate::Nothing).diagnostics
    })
}

/// The rounds of [`fix_text`], with the findings of each round's text given by `diagnostics_of`.
fn fix_rounds(
    text: &str,
    mode: FixMode,
    diagnostics_of: impl Fn(&syntax::Parse, &str) -> Vec<Diagnostic>,
) -> FixOutcome {
    let mut current = text.to_owned();
    let mut applied = Vec::new();
    let mut refused: Vec<AppliedFix> = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let parse = syntax::parse(&current);
        let errors_before = parse.errors().len();
        let diagnostics = diagnostics_of(&parse, &current);
        let candidates: Vec<(AppliedFix, &Fix)> = diagnostics
            .iter()
            .filter_map(|diagnostic| {
                let fix = diagnostic
                    .fixes
                    .iter()
                    .find(|fix| mode.allows(fix.applicability))?;
                let record = AppliedFix {
                    code: diagnostic.code,
                    name: diagnostic.name,
                    title: fix.title.clone(),
                    range: diagnostic.range,
                };
                (!refused.contains(&record)).then_some((record, fix))
            })
            .collect();
        let chosen = non_overlapping(candidates);
        // The property tests and fuzz targets run with debug assertions: they check this on every
        // round of every input.
        debug_assert!(
            !matches!(
                apply_edits(
                    &current,
                    &chosen
                        .iter()
                        .flat_map(|(_, fix)| fix.edits.iter().cloned())
                        .collect::<Vec<_>>()
                ),
                Err(syntax::EditError::Overlap { .. })
            ),
            "two fixes of one round overlap"
        );
        if chosen.is_empty() {
            return FixOutcome {
                text: current,
                applied,
                refused,
                hit_round_limit: false,
            };
        }
        // The text after some fixes, if it parses at least as well as this round's text.
        let apply = |fixes: &[(AppliedFix, &Fix)]| {
            let edits: Vec<TextEdit> = fixes
                .iter()
                .flat_map(|(_, fix)| fix.edits.iter().cloned())
                .collect();
            apply_edits(&current, &edits)
                .ok()
                .filter(|next| syntax::parse(next).errors().len() <= errors_before)
        };
        let next = match apply(&chosen) {
            Some(next) => {
                applied.extend(chosen.into_iter().map(|(record, _)| record));
                next
            }
            None => {
                // Try each fix alone, keeping those that parse, against the text of this round.
                let mut kept = Vec::new();
                for candidate in chosen {
                    if apply(std::slice::from_ref(&candidate)).is_some() {
                        kept.push(candidate);
                    } else {
                        refused.push(candidate.0);
                    }
                }
                match apply(&kept) {
                    Some(next) if !kept.is_empty() => {
                        applied.extend(kept.into_iter().map(|(record, _)| record));
                        next
                    }
                    _ => {
                        // Fixes that parse alone but not together: keep the first, the rest next round.
                        let Some(first) = kept.into_iter().next() else {
                            continue;
                        };
                        let next =
                            apply(std::slice::from_ref(&first)).unwrap_or_else(|| current.clone());
                        applied.push(first.0);
                        next
                    }
                }
            }
        };
        if next == current {
            return FixOutcome {
                text: current,
                applied,
                refused,
                hit_round_limit: false,
            };
        }
        current = next;
    }
    FixOutcome {
        text: current,
        applied,
        refused,
        hit_round_limit: true,
    }
}

/// Keeps fixes in order of position, dropping any that touch text an earlier kept fix touches.
fn non_overlapping(mut candidates: Vec<(AppliedFix, &Fix)>) -> Vec<(AppliedFix, &Fix)> {
    candidates.sort_by_key(|(_, fix)| fix.range().map(|range| (range.start(), range.end())));
    let mut taken = Ranges::default();
    let mut chosen = Vec::new();
    for (record, fix) in candidates {
        let clashes = fix.edits.iter().any(|edit| taken.touches(edit.range));
        // Edits of one fix must not clash with each other either.
        let mut own = Ranges::default();
        let self_clash = fix.edits.iter().any(|edit| {
            let overlaps = own.overlaps(edit.range);
            own.insert(edit.range);
            overlaps
        });
        if clashes || self_clash {
            continue;
        }
        for edit in &fix.edits {
            taken.insert(edit.range);
        }
        chosen.push((record, fix));
    }
    chosen
}

/// Ranges no two of which overlap, found by position: comparing each edit with every range taken
/// before it was quadratic in the number of fixes of a file.
#[derive(Default)]
struct Ranges {
    /// By start, then end. Since no two overlap, their ends follow the same order.
    by_start: BTreeSet<(TextSize, TextSize)>,
    ends: BTreeSet<TextSize>,
}

impl Ranges {
    fn insert(&mut self, range: TextRange) {
        self.by_start.insert((range.start(), range.end()));
        self.ends.insert(range.end());
    }

    /// Whether `range` shares text with one of the ranges: the one that starts last before
    /// `range` ends reaches furthest.
    fn overlaps(&self, range: TextRange) -> bool {
        self.by_start
            .range(..(range.end(), TextSize::from(0)))
            .next_back()
            .is_some_and(|&(_, end)| range.start() < end)
    }

    /// Whether `range` touches one of the ranges: shares text with it, or meets it at a point
    /// where both change text, which would leave the order of the two edits to chance.
    fn touches(&self, range: TextRange) -> bool {
        self.overlaps(range)
            || self
                .by_start
                .range(
                    (range.start(), TextSize::from(0))..=(range.start(), TextSize::from(u32::MAX)),
                )
                .next()
                .is_some()
            || self.ends.contains(&range.end())
    }
}

#[cfg(test)]
mod tests {
    use syntax::{SyntaxNode, TextEdit};

    use super::*;
    use crate::lint::{declare_lint, Findings, LintCtx};

    #[test]
    fn a_fix_over_many_bindings_is_judged_binding_by_binding() {
        let text = "{\n  a = s.a;\n  x = 1;\n  b = s.b;\n  y = [ 2 ];\n}\n";
        let parse = syntax::parse(text);
        let range = |needle: &str| {
            let start = text.find(needle).expect("in the text");
            TextRange::new(
                TextSize::try_from(start).expect("small"),
                TextSize::try_from(start + needle.len()).expect("small"),
            )
        };
        let merged = |replacement: &str| Fix {
            title: String::new(),
            applicability: Applicability::Safe,
            edits: vec![
                TextEdit::replace(range("a = s.a;"), replacement.to_owned()),
                TextEdit::delete(range("\n  b = s.b;")),
            ],
        };
        assert!(edits_by_item(&parse.root(), text, &merged("inherit (s) a b;")).is_some());
        assert!(fix_keeps_syntax_of(
            &parse,
            text,
            &merged("inherit (s) a b;")
        ));
        assert!(!fix_keeps_syntax_of(
            &parse,
            text,
            &merged("inherit (s) a b")
        ));
        // A deletion that takes half a binding is not a deletion of whole bindings.
        let half = Fix {
            edits: vec![
                TextEdit::replace(range("a = s.a;"), "inherit (s) a b;".to_owned()),
                TextEdit::delete(range("\n  b = s.b")),
            ],
            ..merged("")
        };
        assert!(!deletes_whole_bindings(&parse.root(), text, &half.edits[1]));
        assert!(!fix_keeps_syntax_of(&parse, text, &half));
    }

    /// Two ranges touch if they share text, or meet at a point where both change text, which would
    /// leave the order of the two edits to chance.
    fn touches(a: TextRange, b: TextRange) -> bool {
        (a.start() < b.end() && b.start() < a.end()) || a.start() == b.start() || a.end() == b.end()
    }

    #[test]
    fn ranges_found_by_position_agree_with_comparing_each() {
        let mut state: u32 = 7;
        let mut next = |below: u32| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (state >> 16) % below
        };
        for _ in 0..200 {
            let mut ranges = Ranges::default();
            let mut all: Vec<TextRange> = Vec::new();
            for _ in 0..40 {
                let start = next(60);
                let range = TextRange::at(start.into(), next(4).into());
                let overlaps = all
                    .iter()
                    .any(|a| a.start() < range.end() && range.start() < a.end());
                assert_eq!(ranges.overlaps(range), overlaps, "{range:?} in {all:?}");
                let touches_any = all.iter().any(|a| touches(*a, range));
                assert_eq!(ranges.touches(range), touches_any, "{range:?} in {all:?}");
                if !overlaps {
                    ranges.insert(range);
                    all.push(range);
                }
            }
        }
    }

    #[test]
    fn an_edit_of_a_pattern_is_judged_on_the_pattern() {
        let text = "{ x }: {\n  a = x;\n}\n";
        let parse = syntax::parse(text);
        let adding = |replacement: &str| {
            let edit = TextEdit::replace(TextRange::at(2.into(), 1.into()), replacement.to_owned());
            Fix::safe("Add", vec![edit])
        };
        let root = parse.root();
        let lambda = root.first_child().expect("the function");
        let pattern = item_holding(&lambda, TextRange::at(2.into(), 1.into()));
        assert_eq!(
            pattern.map(|(item, prefix, suffix)| (item.to_string(), prefix, suffix)),
            Some(("{ x }".to_owned(), "", ": null"))
        );
        assert!(fix_keeps_syntax_of(&parse, text, &adding("x, y")));
        assert!(fix_keeps_syntax_of(&parse, text, &adding("x, y ? 1")));
        assert!(!fix_keeps_syntax_of(&parse, text, &adding("x, y }")));
        assert!(!fix_keeps_syntax_of(&parse, text, &adding("x, \"y")));
    }

    #[test]
    fn removing_whole_bindings_is_proved_by_its_shape_unless_it_joins_words_or_comments() {
        let removal = |text: &str, needle: &str| {
            let start = text.find(needle).expect("in the text");
            let range = TextRange::new(
                TextSize::try_from(start).expect("small"),
                TextSize::try_from(start + needle.len()).expect("small"),
            );
            let parse = syntax::parse(text);
            let fix = Fix::safe("Remove", vec![TextEdit::delete(range)]);
            let shaped = deletes_whole_bindings(&parse.root(), text, &fix.edits[0]);
            let after = apply_edits(text, &fix.edits).expect("applies");
            let proved = fix_keeps_syntax_of(&parse, text, &fix);
            (shaped, proved, syntax::parse(&after).errors().is_empty())
        };
        // The only binding of a `let`, and one among others.
        assert_eq!(removal("let a = 1; in 2", " a = 1;"), (true, true, true));
        assert_eq!(
            removal(
                "let
  a = 1;
  b = 2;
in b",
                "
  a = 1;"
            ),
            (true, true, true)
        );
        // `let` and the next name would make one word: proved by re-parsing instead.
        assert_eq!(
            removal("let a = 1; b = 2; in b", " a = 1; "),
            (false, false, false)
        );
        // The comment of the line before would run on into the next binding.
        assert_eq!(
            removal(
                "{
  a = 1; # one
  b = 2;
  c = 3;
}",
                "
  b = 2;
  "
            ),
            (false, true, true)
        );
        // Half a binding is not a binding.
        assert_eq!(removal("{ a = 1; b = 2; }", "a = 1"), (false, false, false));
    }

    declare_lint! {
        /// ## What it does
        /// Unwraps lists of one element, to test overlapping fixes: nested lists give
        /// overlapping fixes, which must wait for the next round.
        static WRAP_LISTS = {
            code: "NIX997",
            name: "wrap-lists",
            category: Style,
            severity: Warning,
            fix: Safe,
            tags: [],
            kinds: [NODE_LIST],
            check: wrap_short_lists,
        };
    }

    fn wrap_short_lists(_: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
        let inner: Vec<SyntaxNode> = node.children().collect();
        if let [only] = inner.as_slice() {
            let edit = TextEdit::replace(node.text_range(), only.to_string());
            findings
                .report(node.text_range(), "a list of one")
                .fix(Fix::safe("Unwrap", vec![edit]));
        }
    }

    declare_lint! {
        /// ## What it does
        /// Offers a fix that breaks the syntax, to test that such fixes are refused.
        static BREAKS_SYNTAX = {
            code: "NIX996",
            name: "breaks-syntax",
            category: Style,
            severity: Warning,
            fix: Safe,
            tags: [],
            kinds: [NODE_ATTR_SET],
            check: break_sets,
        };
    }

    fn break_sets(_: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
        let open = TextEdit::delete(syntax::TextRange::at(node.text_range().start(), 1.into()));
        findings
            .report(node.text_range(), "a set")
            .fix(Fix::safe("Break it", vec![open]));
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_round() {
        let outcome = fix_with(
            "[ [ [ x ] ] ]",
            None,
            &Config::default(),
            FixMode::Safe,
            &[&WRAP_LISTS],
        );
        assert_eq!(outcome.text, "x");
        assert_eq!(outcome.applied.len(), 3);
        assert!(!outcome.hit_round_limit);
    }

    #[test]
    fn fixes_that_break_the_syntax_are_never_offered_or_applied() {
        let config = Config::default();
        let outcome = fix_with(
            "{ a = 1; }",
            None,
            &config,
            FixMode::Safe,
            &[&BREAKS_SYNTAX],
        );
        assert_eq!(outcome.text, "{ a = 1; }");
        let report = engine::run(
            &syntax::parse("{ }"),
            "{ }",
            None,
            &config,
            &[&BREAKS_SYNTAX],
        );
        assert_eq!(report.diagnostics.len(), 1);
        assert!(report.diagnostics[0].fixes.is_empty());
    }

    #[test]
    fn an_edit_at_a_pattern_name_is_checked_in_the_whole_pattern() {
        let text = "{ pkgs }: pkgs";
        let root = syntax::parse(text).root();
        let insert = Fix::safe("Add", vec![TextEdit::insert(6.into(), ", lib")]);
        assert!(keeps_syntax(&root, text, &insert, false));
        let broken = Fix::safe("Break", vec![TextEdit::insert(6.into(), " lib")]);
        assert!(!keeps_syntax(&root, text, &broken, false));
    }

    #[test]
    fn an_edit_in_a_binding_or_list_item_is_checked_in_that_item_alone() {
        for (text, at) in [
            ("{ a = 1; b = 2; c = 3; }", 13),
            ("let a = 1; b = 2; in b", 15),
            ("[ 1 2 3 ]", 4),
        ] {
            let root = syntax::parse(text).root();
            let range = TextRange::at(TextSize::from(at), TextSize::from(1));
            let good = Fix::safe("Keep", vec![TextEdit::replace(range, "(4)".to_owned())]);
            assert!(keeps_syntax(&root, text, &good, false), "{text}");
            let bad = Fix::safe("Break", vec![TextEdit::replace(range, "(".to_owned())]);
            assert!(!keeps_syntax(&root, text, &bad, false), "{text}");
            let container = root.first_child().expect("one expression");
            assert!(item_holding(&container, range).is_some(), "{text}");
        }
    }

    #[test]
    fn a_fix_inside_a_broken_file_is_still_applied() {
        let outcome = fix_text(
            "{ a = x == true; b = 1 }",
            None,
            &Config::default(),
            FixMode::Unsafe,
        );
        assert_eq!(outcome.text, "{ a = x; b = 1 }");
    }
}
