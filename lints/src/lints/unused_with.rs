//! NIX020: a `with` that provides no name to its body.

use syntax::ast;
use syntax::helpers::{contains_comment, needs_parens_in_place, precedence};
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextEdit, TextRange};

use crate::diagnostic::Fix;
use crate::lint::{declare_lint, Findings, LintCtx};
use crate::scope::{is_global_builtin, Resolution, ScopeIndex};

declare_lint! {
    /// ## What it does
    /// Checks for `with e; body` where no identifier of the body can come from `e`: every name
    /// in the body is bound by a `let`, a function argument or a `rec` set, or is a builtin.
    ///
    /// Under nested `with`s a free name may come from any of them (`with a; with b; x` looks in
    /// `b`, then in `a`), so a free name keeps every enclosing `with` in use, not only the
    /// innermost.
    ///
    /// ## Why is this bad?
    /// The `with` does nothing but make the reader wonder which names come from it.
    ///
    /// The fix replaces the `with` by its body and is safe: Nix evaluates `e` only when a name is
    /// looked up in it, and none is (`with (throw "x"); 1` is `1`). It is not offered when a
    /// comment sits in the removed `with e;` part.
    ///
    /// ## Example
    /// ```nix
    /// { pkgs, ... }: with pkgs.lib; { environment.etc.motd.text = "hi"; }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// { pkgs, ... }: { environment.etc.motd.text = "hi"; }
    /// ```
    pub(crate) static UNUSED_WITH = {
        code: "NIX020",
        name: "unused-with",
        category: Correctness,
        severity: Warning,
        fix: Safe,
        tags: [Unnecessary],
        kinds: [NODE_WITH],
        reach: Entry,
        check: check_with,
    };
}

fn check_with(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(with) = ast::With::cast(node.clone()) else {
        return;
    };
    let (Some(namespace), Some(body)) = (with.namespace(), with.body()) else {
        return;
    };
    let scope = ctx.scope();
    // A name that resolves to a `with` nested in this body may come from this one too; a name
    // of Nix's global scope never comes from a `with`.
    // (A name the scope index resolves to a `with` is never one of the global scope.)
    let body_range = body.syntax().text_range();
    if scope.has_with_names_in(body_range) {
        return;
    }
    let header_end = with
        .semicolon_token()
        .map_or(namespace.syntax().text_range().end(), |semicolon| {
            semicolon.text_range().end()
        });
    let header = TextRange::new(node.text_range().start(), header_end);
    let namespace_text = namespace.syntax().to_string();
    let message = if namespace_text.len() <= 40 && !namespace_text.contains('\n') {
        format!("`with {namespace_text}` is unused: no name in its body comes from it")
    } else {
        "This `with` is unused: no name in its body comes from it".to_owned()
    };
    let finding = findings.report(header, message);
    let removed = TextRange::new(node.text_range().start(), body_range.start());
    let loses_comment = node.descendants_with_tokens().any(|element| {
        element.kind() == SyntaxKind::TOKEN_COMMENT && removed.contains_range(element.text_range())
    });
    if loses_comment || contains_comment(namespace.syntax()) {
        return;
    }
    let edits = if needs_parens_in_place(node, precedence(&body)) {
        vec![TextEdit::replace(
            node.text_range(),
            format!("({})", body.syntax()),
        )]
    } else {
        vec![TextEdit::delete(removed)]
    };
    finding.fix(Fix::safe("Remove the `with`", edits));
}

/// Whether the identifier at `range`, named `name`, is Nix's own builtin. Nix looks names up in
/// its global scope before any `with` (`with { true = false; }; true` is `true`), so a global
/// name that the scope index attributes to a `with` is the builtin all the same.
pub(crate) fn is_builtin_reference(scope: &ScopeIndex, range: TextRange, name: &str) -> bool {
    match scope.resolve(range) {
        Some(Resolution::Builtin) => true,
        Some(Resolution::With(_)) => is_global_builtin(name),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_no_fix};

    use super::UNUSED_WITH;

    #[test]
    fn reports_the_with_header() {
        check(
            &UNUSED_WITH,
            r#"
{ pkgs, ... }: with pkgs.lib; { environment.etc.motd.text = "hi"; }
#              ^^^^^^^^^^^^^^ warning[unused-with]: `with pkgs.lib` is unused: no name in its body comes from it
"#,
        );
    }

    #[test]
    fn lexical_names_and_builtins_do_not_use_it() {
        check(
            &UNUSED_WITH,
            r#"
x: with lib; let y = 1; in [ x y true (map toString [ ]) ]
#  ^^^^^^^^^ warning[unused-with]: `with lib` is unused: no name in its body comes from it
"#,
        );
    }

    #[test]
    fn free_names_use_it() {
        check(
            &UNUSED_WITH,
            "[ (with pkgs; [ hello ]) (with lib; { inherit mkIf; }) (with s; \"${x}\") (with s; { ${k} = 1; }) ]\n",
        );
    }

    /// `with a; with b; x` may take `x` from `a` when `b` lacks it (and `b` itself is looked up
    /// in `a`).
    #[test]
    fn outer_with_is_used_through_an_inner_one() {
        check(&UNUSED_WITH, "with a; with b; x\n");
        check(
            &UNUSED_WITH,
            r#"
with a; with b; y: y
#       ^^^^^^^ warning[unused-with]: `with b` is unused: no name in its body comes from it
"#,
        );
    }

    /// `with { true = false; }; true` is `true`: Nix's global names come before any `with`.
    #[test]
    fn builtins_do_not_come_from_a_with() {
        check(
            &UNUSED_WITH,
            r#"
with lib; [ true null map toString builtins.length __add ]
^^^^^^^^^ warning[unused-with]: `with lib` is unused: no name in its body comes from it
"#,
        );
    }

    /// The namespace of an inner `with` is looked up in the outer one.
    #[test]
    fn inner_namespace_uses_the_outer_with() {
        check(
            &UNUSED_WITH,
            r#"
with pkgs; with lib; 1
#          ^^^^^^^^^ warning[unused-with]: `with lib` is unused: no name in its body comes from it
"#,
        );
    }

    #[test]
    fn fix_keeps_the_body() {
        check_fix(
            &UNUSED_WITH,
            "{ a = with lib; 1 + 2; b = f (with x; y: y); }",
            "{ a = 1 + 2; b = f (y: y); }",
        );
        check_fix(&UNUSED_WITH, "with a; with b; 1", "1");
    }

    #[test]
    fn comments_in_the_header_keep_the_with() {
        check_no_fix(
            &UNUSED_WITH,
            r#"
with lib; # for mkIf
^^^^^^^^^ warning[unused-with]: `with lib` is unused: no name in its body comes from it
1
"#,
        );
        check_no_fix(
            &UNUSED_WITH,
            r#"
with { /* names */ }; 1
^^^^^^^^^^^^^^^^^^^^^ warning[unused-with]: `with { /* names */ }` is unused: no name in its body comes from it
"#,
        );
    }
}
