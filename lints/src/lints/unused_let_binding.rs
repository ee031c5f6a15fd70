//! NIX101: a `let` binding that nothing live uses.

use std::collections::HashSet;

use syntax::ast::{self, HasEntry};
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextEdit, TextRange};

use crate::diagnostic::Fix;
use crate::lint::{declare_lint, Findings, LintCtx};
use crate::scope::{BindingId, BindingKind, ScopeIndex};

declare_lint! {
    /// ## What it does
    /// Checks for `let` bindings that are never used: not by the body, not by another binding
    /// that is used, not by an `inherit (…)` source. Liveness is computed to a fixpoint, so a
    /// binding used only by unused bindings is reported too. Names starting with `_` are never
    /// reported, and `# deadnix: skip` on the line before a binding silences it.
    ///
    /// ## Why is this bad?
    /// Dead code makes a reader wonder what it is for, and it hides real mistakes: a binding
    /// that was meant to be used but is shadowed or misspelt at the place of use.
    ///
    /// ## Example
    /// ```nix
    /// let
    ///   version = "1.0";
    ///   unused = version + "-beta";
    /// in
    /// { inherit version; }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// let
    ///   version = "1.0";
    /// in
    /// { inherit version; }
    /// ```
    ///
    /// The fix removes the binding; when every binding of a `let` is unused it removes the
    /// whole `let … in`, leaving the body. Unused bindings are never evaluated, so the value of
    /// the expression stays the same.
    pub(crate) static UNUSED_LET_BINDING = {
        code: "NIX101",
        name: "unused-let-binding",
        category: Correctness,
        severity: Warning,
        fix: Safe,
        tags: [Unnecessary],
        kinds: [NODE_LET_IN],
        reach: Entry,
        check: check_let,
    };
}

fn check_let(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(let_in) = ast::LetIn::cast(node.clone()) else {
        return;
    };
    let scope = ctx.scope();
    let mut all_ids: Vec<BindingId> = Vec::new();
    // `a.b = …; a.c = …;` define one binding twice; searching `all_ids` was quadratic.
    let mut seen: HashSet<BindingId> = HashSet::new();
    for entry in let_in.entries() {
        match entry {
            ast::Entry::AttrpathValue(value) => {
                let Some(first) = value.attrpath().and_then(|path| path.attrs().next()) else {
                    continue;
                };
                if let Some(id) = scope.binding_defined_at(first.syntax().text_range()) {
                    if seen.insert(id) {
                        all_ids.push(id);
                    }
                }
            }
            ast::Entry::Inherit(inherit) => {
                for attr in inherit.attrs() {
                    if let Some(id) = scope.binding_defined_at(attr.syntax().text_range()) {
                        all_ids.push(id);
                    }
                }
            }
        }
    }
    let is_dead = |id: BindingId| {
        let binding = scope.binding(id);
        !scope.is_live(id)
            && matches!(binding.kind, BindingKind::Let | BindingKind::LetInherit)
            && !binding.name.starts_with('_')
    };
    // Bindings that cannot be named statically (such as `${x} = …`, an error in a `let`) are
    // not in the scope index; the `let` is then never removed whole.
    let entry_count = let_in.entries().count();
    let all_dead = !all_ids.is_empty()
        && all_ids.iter().all(|&id| is_dead(id))
        && all_ids.len() >= named_entry_count(&let_in)
        && entry_count > 0;
    // The same edits for every binding; finding the body walks all the entries, once.
    let whole_let = if all_dead {
        remove_whole_let(&let_in)
    } else {
        None
    };
    for &id in &all_ids {
        if !is_dead(id) {
            continue;
        }
        let binding = scope.binding(id);
        let message = if scope.is_used(id) {
            format!("`{}` is used only by unused bindings", binding.name)
        } else {
            format!("`{}` is unused", binding.name)
        };
        let edits = if all_dead {
            whole_let.clone()
        } else {
            remove_binding(node, scope, id)
        };
        let finding = findings.report(binding.name_range, message);
        if let Some(edits) = edits {
            let title = if all_dead {
                "Remove the unused `let`"
            } else {
                "Remove unused binding"
            };
            finding.fix(Fix::safe(title, edits));
        }
    }
}

/// The number of distinct names the entries of a `let` define (inherited names one each).
fn named_entry_count(let_in: &ast::LetIn) -> usize {
    let mut names: HashSet<String> = HashSet::new();
    let mut count = 0;
    for entry in let_in.entries() {
        match entry {
            ast::Entry::AttrpathValue(value) => {
                let name = value
                    .attrpath()
                    .and_then(|path| path.attrs().next())
                    .map(|attr| attr.syntax().to_string());
                if let Some(name) = name {
                    if names.insert(name) {
                        count += 1;
                    }
                }
            }
            ast::Entry::Inherit(inherit) => {
                for attr in inherit.attrs() {
                    names.insert(attr.syntax().to_string());
                    count += 1;
                }
            }
        }
    }
    count
}

/// Replaces `let … in body` with `body`.
fn remove_whole_let(let_in: &ast::LetIn) -> Option<Vec<TextEdit>> {
    Some(keep_only_body(let_in.syntax(), let_in.body()?.syntax()))
}

/// Deletes everything of `node` around `body`, which leaves `body` in its place. Deleting rather
/// than rewriting the node keeps the edit small, so that the same fix on a nested node does not
/// clash with it and a chain of nested ones is fixed in one round.
pub(crate) fn keep_only_body(node: &SyntaxNode, body: &SyntaxNode) -> Vec<TextEdit> {
    let (outer, inner) = (node.text_range(), body.text_range());
    [
        TextRange::new(outer.start(), inner.start()),
        TextRange::new(inner.end(), outer.end()),
    ]
    .into_iter()
    .filter(|range| !range.is_empty())
    .map(TextEdit::delete)
    .collect()
}

/// Deletes every definition of a binding: `a = …;` entries (all of them for `a.b = …; a.c = …;`)
/// or the name in an `inherit`, or the whole `inherit` when it holds no other name.
fn remove_binding(
    let_node: &SyntaxNode,
    scope: &ScopeIndex,
    id: BindingId,
) -> Option<Vec<TextEdit>> {
    let binding = scope.binding(id);
    let mut edits = Vec::new();
    for &definition in &binding.definitions {
        let name_node = let_node.covering_element(definition);
        let entry = name_node.ancestors().find(|ancestor| {
            matches!(
                ancestor.kind(),
                SyntaxKind::NODE_ATTRPATH_VALUE | SyntaxKind::NODE_INHERIT
            )
        })?;
        if entry.parent().as_ref() != Some(let_node) {
            return None;
        }
        if entry.kind() == SyntaxKind::NODE_INHERIT {
            let inherit = ast::Inherit::cast(entry.clone())?;
            let others = inherit
                .attrs()
                .filter(|attr| {
                    let range = attr.syntax().text_range();
                    scope
                        .binding_defined_at(range)
                        .is_none_or(|other| other != id)
                })
                .count();
            if others > 0 {
                let attr = inherit
                    .attrs()
                    .find(|attr| attr.syntax().text_range() == definition)?;
                edits.push(TextEdit::delete(with_leading_space(attr.syntax())));
                continue;
            }
        }
        edits.push(TextEdit::delete(with_leading_space(&entry)));
    }
    Some(edits)
}

/// The range of a node together with the whitespace before it, so that deleting it leaves no
/// blank line or double space behind.
pub(crate) fn with_leading_space(node: &SyntaxNode) -> TextRange {
    let range = node.text_range();
    match node.first_token().and_then(|token| token.prev_token()) {
        Some(previous) if previous.kind() == SyntaxKind::TOKEN_WHITESPACE => {
            TextRange::new(previous.text_range().start(), range.end())
        }
        _ => range,
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix};

    use super::UNUSED_LET_BINDING;

    #[test]
    fn unused_binding() {
        check(
            &UNUSED_LET_BINDING,
            r#"
let unused = 1; used = 2; in used
#   ^^^^^^ warning[unused-let-binding]: `unused` is unused
"#,
        );
    }

    #[test]
    fn chains_of_dead_bindings_are_dead() {
        check(
            &UNUSED_LET_BINDING,
            r#"
let a = 1; b = a; c = 3; in c
#   ^ warning[unused-let-binding]: `a` is used only by unused bindings
#          ^ warning[unused-let-binding]: `b` is unused
"#,
        );
    }

    #[test]
    fn a_name_in_text_the_parser_could_not_read_may_be_a_use() {
        // `b = x;` sits in an error node after `a = ;`: `x` may be used there.
        check(
            &UNUSED_LET_BINDING,
            r#"
let x = 1; y = 2; in { a = ; b = x; }
#          ^ warning[unused-let-binding]: `y` is unused
"#,
        );
    }

    #[test]
    fn a_file_nested_past_the_limit_is_reported_but_not_fixed() {
        // Past the parser's nesting limit the rest of the file is one error node holding `x`:
        // what it refers to is unknown, so nothing is removed, though the dead `let`s are shown.
        let text = format!("let x = 1; in {}x\n", "let a = 1; in ".repeat(600));
        let (report, outcome) = std::thread::Builder::new()
            .stack_size(syntax::WORKER_STACK_SIZE)
            .spawn(move || {
                let config = crate::config::Config::default();
                let report = crate::check(&text, None, &config);
                let outcome = crate::fix_text(&text, None, &config, crate::FixMode::Unsafe);
                (report, outcome.text == text)
            })
            .expect("spawn")
            .join()
            .expect("no panic");
        assert!(outcome, "the text is unchanged");
        let unused = report
            .diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.name == "unused-let-binding");
        assert!(unused.clone().count() > 100);
        assert!(unused.clone().all(|diagnostic| diagnostic.fixes.is_empty()));
        assert!(!report
            .diagnostics
            .iter()
            .any(|diagnostic| diagnostic.message.contains("`x`")));
    }

    #[test]
    fn removing_a_binding_keeps_the_rest() {
        check_fix(
            &UNUSED_LET_BINDING,
            "let\n  a = 1;\n  b = 2;\nin\nb\n",
            "let\n  b = 2;\nin\nb\n",
        );
    }

    #[test]
    fn removing_every_binding_removes_the_let() {
        check_fix(
            &UNUSED_LET_BINDING,
            "{ x = let a = 1; b = a; in 2; }",
            "{ x = 2; }",
        );
    }

    #[test]
    fn attrpath_definitions_are_removed_together() {
        check_fix(
            &UNUSED_LET_BINDING,
            "let a.b = 1; a.c = 2; d = 3; in d",
            "let d = 3; in d",
        );
    }

    #[test]
    fn inherited_names() {
        check_fix(
            &UNUSED_LET_BINDING,
            "let inherit (lib) a b; in b",
            "let inherit (lib) b; in b",
        );
        check_fix(
            &UNUSED_LET_BINDING,
            "let inherit (lib) a; c = 1; in c",
            "let c = 1; in c",
        );
    }

    #[test]
    fn underscore_names_are_never_unused() {
        check(&UNUSED_LET_BINDING, "let _unused = 1; in 2\n");
    }

    #[test]
    fn deadnix_skip_comment_is_honoured() {
        check(
            &UNUSED_LET_BINDING,
            "let\n  # deadnix: skip\n  unused = 1;\nin 2\n",
        );
    }

    /// nix-linter #61: `foo` is used by the source of `inherit (foo) bar`.
    #[test]
    fn inherit_from_source_is_a_use() {
        check(
            &UNUSED_LET_BINDING,
            "let foo = { bar = 1; }; inherit (foo) bar; in bar\n",
        );
    }

    /// deadnix #91: a use inside a dynamic key counts.
    #[test]
    fn dynamic_keys_are_uses() {
        check(&UNUSED_LET_BINDING, "let k = \"a\"; in { ${k} = 42; }\n");
    }

    /// deadnix #89: a plain attribute of the same name in the body does not use the binding.
    #[test]
    fn non_rec_attribute_keys_do_not_bind() {
        check(
            &UNUSED_LET_BINDING,
            r#"
let a = 1; in { a = 2; }
#   ^ warning[unused-let-binding]: `a` is unused
"#,
        );
    }

    /// nixd #731, #500: an empty `let … in` inside a binding must not upset the analysis.
    #[test]
    fn empty_let_inside_a_binding() {
        check(&UNUSED_LET_BINDING, "let a = let in 1; in a\n");
    }

    #[test]
    fn shadowed_outer_binding_is_unused() {
        check(
            &UNUSED_LET_BINDING,
            r#"
let a = 1; in let a = 2; in a
#   ^ warning[unused-let-binding]: `a` is unused
"#,
        );
    }

    #[test]
    fn rec_attributes_are_not_let_bindings() {
        check(&UNUSED_LET_BINDING, "rec { a = 1; b = 2; }\n");
    }
}
