//! Inline a `let` binding: the cursor on its name replaces every use by the bound expression and
//! removes the binding (and the `let` when it was the last one); on a use, only that use, and the
//! binding goes with its last use.
//!
//! The expression moves to another place, so every name in it must mean the same there: not
//! offered when a binding between the `let` and a use (a parameter, an inner `let`, a `rec` set)
//! would take one of its names, or a `with` there would offer one of its names that resolve to a
//! `with` or to nothing. A binding whose value uses itself, with several definitions
//! (`x.a = …; x.b = …;`), or used by an `inherit` is left alone; so are `rec` attributes, which
//! are also the set's value.

use lints::scope::{BindingId, BindingKind, Resolution, ScopeIndex};
use syntax::ast::{self, Expr, HasEntry};
use syntax::helpers::{entry_removal_range, needs_parens_in_place, precedence, unwrap_parens};
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextEdit, TextRange};

use super::{Assist, AssistCtx};

pub fn inline_binding(ctx: &AssistCtx<'_>, acc: &mut Vec<Assist>) {
    let Some(ident) = ctx.covering().ancestors().find_map(ast::Ident::cast) else {
        return;
    };
    let scope = ctx.scope();
    let at = ident.syntax().text_range();
    let (id, on_use) = match scope.binding_defined_at(at) {
        Some(id) => (id, false),
        None => match scope.resolve(at) {
            Some(Resolution::Binding(id)) => (id, true),
            _ => return,
        },
    };
    let binding = scope.binding(id);
    if binding.kind != BindingKind::Let || binding.definitions.len() != 1 {
        return;
    }
    let Some(entry) = node_covering(ctx.root, binding.name_range)
        .ancestors()
        .find_map(ast::AttrpathValue::cast)
    else {
        return;
    };
    let Some(let_in) = entry.syntax().parent().and_then(ast::LetIn::cast) else {
        return;
    };
    if entry.attrpath().map(|path| path.attrs().count()) != Some(1) {
        return;
    }
    let Some(value) = entry.value() else { return };
    let value_range = value.syntax().text_range();
    let mut uses = Vec::new();
    for reference in scope.uses(id) {
        let Some(node) = ident_at(ctx.root, reference.range) else {
            return;
        };
        // `inherit x;` names the binding; it has no expression to replace.
        if node
            .parent()
            .is_some_and(|parent| parent.kind() == SyntaxKind::NODE_INHERIT)
            || value_range.contains_range(reference.range)
        {
            return;
        }
        uses.push(node);
    }
    let targets: Vec<&SyntaxNode> = if on_use {
        uses.iter().filter(|node| node.text_range() == at).collect()
    } else {
        uses.iter().collect()
    };
    if targets.is_empty() {
        return;
    }
    let free = free_names(ctx, scope, value_range);
    let let_range = let_in.syntax().text_range();
    if targets
        .iter()
        .any(|target| captured(scope, &free, let_range, target))
    {
        return;
    }
    let value_text = value.syntax().to_string();
    // `a.b or c` would take what follows as part of its default, so it is always parenthesised.
    let strength = match unwrap_parens(value.clone()) {
        Expr::Select(select) if select.or_token().is_some() => 1,
        _ => precedence(&value),
    };
    let mut edits: Vec<TextEdit> = targets
        .iter()
        .map(|target| {
            let text = if needs_parens_in_place(target, strength) {
                format!("({value_text})")
            } else {
                value_text.clone()
            };
            TextEdit::replace(target.text_range(), text)
        })
        .collect();
    let removes_binding = targets.len() == uses.len();
    if removes_binding {
        if let_in.entries().count() == 1 {
            let Some(edit) = without_let(ctx, &let_in, &edits) else {
                return;
            };
            edits = vec![edit];
        } else {
            let Some(range) = entry_removal_range(entry.syntax()) else {
                return;
            };
            edits.push(TextEdit::delete(range));
        }
    }
    let name = &binding.name;
    let (id, title) = match (on_use, removes_binding) {
        (false, _) => ("inline-binding", format!("Inline all uses of `{name}`")),
        (true, true) => ("inline-use", format!("Inline `{name}`")),
        (true, false) => ("inline-use", format!("Inline this use of `{name}`")),
    };
    acc.push(Assist { id, title, edits });
}

/// The innermost node around `range`.
fn node_covering(root: &SyntaxNode, range: TextRange) -> SyntaxNode {
    match root.covering_element(range) {
        syntax::NodeOrToken::Node(node) => node,
        syntax::NodeOrToken::Token(token) => token.parent().unwrap_or_else(|| root.clone()),
    }
}

fn ident_at(root: &SyntaxNode, range: TextRange) -> Option<SyntaxNode> {
    node_covering(root, range)
        .ancestors()
        .find(|node| node.kind() == SyntaxKind::NODE_IDENT && node.text_range() == range)
}

/// The names the value reads from outside itself, with what they resolve to.
fn free_names<'a>(
    ctx: &AssistCtx<'a>,
    scope: &ScopeIndex,
    value_range: TextRange,
) -> Vec<(&'a str, Resolution)> {
    scope
        .references()
        .iter()
        .filter(|reference| value_range.contains_range(reference.range))
        .filter(|reference| match reference.resolution {
            Resolution::Binding(id) => !value_range.contains_range(scope.binding(id).scope_node),
            Resolution::With(with) => !value_range.contains_range(with),
            Resolution::Builtin | Resolution::Undefined => true,
        })
        .map(|reference| (&ctx.text[reference.range], reference.resolution))
        .collect()
}

/// Whether a name of the value would mean something else at `target`.
fn captured(
    scope: &ScopeIndex,
    free: &[(&str, Resolution)],
    let_range: TextRange,
    target: &SyntaxNode,
) -> bool {
    let at = target.text_range();
    let between = |range: TextRange| {
        range != let_range && let_range.contains_range(range) && range.contains_range(at)
    };
    let shadowed = scope.bindings().iter().enumerate().any(|(index, binding)| {
        between(binding.scope_node)
            && free.iter().any(|(name, resolution)| {
                *name == binding.name && *resolution != Resolution::Binding(BindingId(index as u32))
            })
    });
    if shadowed {
        return true;
    }
    // A `with` between offers names that resolve to a `with` or to nothing.
    let unbound = free
        .iter()
        .any(|(_, resolution)| matches!(resolution, Resolution::With(_) | Resolution::Undefined));
    unbound
        && target.ancestors().any(|ancestor| {
            ast::With::cast(ancestor).is_some_and(|with| {
                between(with.syntax().text_range())
                    && with
                        .body()
                        .is_some_and(|body| body.syntax().text_range().contains_range(at))
            })
        })
}

/// The edit that replaces `let_in`, whose last binding goes, by its body with `edits` applied.
fn without_let(ctx: &AssistCtx<'_>, let_in: &ast::LetIn, edits: &[TextEdit]) -> Option<TextEdit> {
    let body = let_in.body()?;
    let body_range = body.syntax().text_range();
    let head = TextRange::new(let_in.syntax().text_range().start(), body_range.start());
    // A comment in the `let … in` part would have nothing left to describe.
    if ctx.text[head].contains('#') || ctx.text[head].contains("/*") {
        return None;
    }
    let shifted: Vec<TextEdit> = edits
        .iter()
        .map(|edit| {
            body_range
                .contains_range(edit.range)
                .then(|| TextEdit::replace(edit.range - body_range.start(), edit.new_text.clone()))
        })
        .collect::<Option<_>>()?;
    let new_body = syntax::apply_edits(&ctx.text[body_range], &shifted).ok()?;
    Some(TextEdit::replace(let_in.syntax().text_range(), new_body))
}

#[cfg(test)]
mod tests {
    use crate::assists::tests::{check, check_not_offered};

    const ALL: &str = "inline-binding";
    const ONE: &str = "inline-use";

    #[test]
    fn inline_every_use() {
        check(ALL, "let a$0 = 1; in a + a", "1 + 1");
        check(
            ALL,
            "let a$0 = 1 + 2; b = 3; in a * b",
            "let b = 3; in (1 + 2) * b",
        );
        check(ALL, "let f$0 = x: x; in f 1", "(x: x) 1");
        check(ALL, "let a$0 = s.b or 1; in a.c", "(s.b or 1).c");
        check(ALL, "let a$0 = -1; in f a", "f (-1)");
        check(ALL, "let a$0 = -1; in 2 - a", "2 - -1");
        check(
            ALL,
            "{ pkgs }:\nlet\n  lib$0 = pkgs.lib;\n  b = 1;\nin\nlib.id b",
            "{ pkgs }:\nlet\n  b = 1;\nin\npkgs.lib.id b",
        );
        check(
            ALL,
            "let a$0 = f x; b = [ a ]; in \"${a}\" + b",
            "let b = [ (f x) ]; in \"${f x}\" + b",
        );
    }

    #[test]
    fn inline_one_use() {
        check(ONE, "let a = 1; in a$0 + a", "let a = 1; in 1 + a");
        check(ONE, "let a = 1; b = 2; in a$0 + b", "let b = 2; in 1 + b");
        check(ONE, "let a = y; in x: a$0", "x: y");
        // A cursor just before the name is on it too.
        check(ONE, "let a = 1; in [ $0a a ]", "let a = 1; in [ 1 a ]");
    }

    #[test]
    fn refusals() {
        // `x` in the value is the outer `x`; at the use it would be the parameter.
        check_not_offered(ALL, "x: let a$0 = x; in x: a");
        check_not_offered(ONE, "let y = 1; a = y; in { y }: a$0");
        check_not_offered(ALL, "let a$0 = b; in let b = 2; in a");
        // `b` comes from nowhere or the outer `with`; the inner `with` could provide it.
        check_not_offered(ALL, "s: let a$0 = b; in with s; a");
        // Names bound inside the value move with it.
        check(ALL, "let a$0 = x: x; in x: a", "x: x: x");
        // Recursive, inherited, several definitions, `rec`.
        check_not_offered(ALL, "let a$0 = [ a ]; in a");
        check_not_offered(ALL, "let a$0 = 1; in { inherit a; }");
        check_not_offered(ALL, "let a$0.b = 1; a.c = 2; in a");
        check_not_offered(ALL, "rec { a$0 = 1; b = a; }");
        check_not_offered(ALL, "let a$0 = 1; in 2");
        check_not_offered(ALL, "let\n  # one\n  a$0 = 1;\nin a");
    }
}
