//! NIX009: `{ ... }: body`, a pattern that binds nothing.

use syntax::ast::{self, Expr};
use syntax::helpers::{attrpath_names, contains_comment, looks_like_module};
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextEdit};

use crate::diagnostic::Fix;
use crate::lint::{declare_lint, Findings, LintCtx};

declare_lint! {
    /// ## What it does
    /// Checks for functions whose argument pattern is `{ ... }`: no names, no `@` binding.
    ///
    /// ## Why is this bad?
    /// The pattern binds nothing; `_:` says "an argument that is not used" directly. The fix
    /// keeps the function's result and `builtins.functionArgs` (`{ }` for both); the only
    /// difference is that `_:` no longer rejects an argument that is not an attribute set.
    ///
    /// Not reported where the pattern is conventional and others read it (statix #31, #108):
    /// in module files (the file's function returns a set with `imports`, `options`, `config`,
    /// `meta`, …), in functions that return such a set, in functions listed in `imports`, and
    /// for the `outputs` function of a `flake.nix`. Not fixed when the body uses a name `_`
    /// that the new parameter would capture.
    ///
    /// ## Example
    /// ```nix
    /// final: prev: { hello = prev.callPackage ({ ... }: prev.hello) { }; }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// final: prev: { hello = prev.callPackage (_: prev.hello) { }; }
    /// ```
    pub(crate) static EMPTY_PATTERN = {
        code: "NIX009",
        name: "empty-pattern",
        category: Style,
        severity: Hint,
        fix: Safe,
        tags: [],
        kinds: [NODE_LAMBDA],
        reach: EntryAndEntriesHolding(syntax::helpers::MODULE_KEYS),
        check: check_lambda,
    };
}

fn check_lambda(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(lambda) = ast::Lambda::cast(node.clone()) else {
        return;
    };
    let Some(ast::Param::Pattern(pattern)) = lambda.param() else {
        return;
    };
    if pattern.pat_entries().next().is_some()
        || pattern.pat_bind().is_some()
        || pattern.ellipsis_token().is_none()
    {
        return;
    }
    if looks_like_module(&Expr::Lambda(lambda.clone()))
        || is_module_file(ctx)
        || is_imported_module(node)
        || (ctx.is_flake() && is_flake_outputs(node))
    {
        return;
    }
    let finding = findings.report(
        pattern.syntax().text_range(),
        "This pattern binds nothing and can be `_`",
    );
    let body_uses_underscore = lambda.body().is_some_and(|body| {
        ctx.scope()
            .refers_to_underscored_in(ctx.text, body.syntax().text_range(), "_")
    });
    if !contains_comment(pattern.syntax()) && !body_uses_underscore {
        finding.fix(Fix::safe(
            "Replace with `_`",
            vec![TextEdit::replace(pattern.syntax().text_range(), "_")],
        ));
    }
}

fn is_module_file(ctx: &LintCtx<'_>) -> bool {
    ast::Root::cast(ctx.root.clone())
        .and_then(|root| root.expr())
        .is_some_and(|expr| looks_like_module(&expr))
}

/// The node and any parentheses around it, outermost last.
fn outside_parens(node: &SyntaxNode) -> SyntaxNode {
    let mut current = node.clone();
    while let Some(parent) = current.parent() {
        if parent.kind() != SyntaxKind::NODE_PAREN {
            break;
        }
        current = parent;
    }
    current
}

/// Whether the function is an element of an `imports` list.
fn is_imported_module(node: &SyntaxNode) -> bool {
    let Some(list) = outside_parens(node).parent() else {
        return false;
    };
    if list.kind() != SyntaxKind::NODE_LIST {
        return false;
    }
    outside_parens(&list)
        .parent()
        .and_then(ast::AttrpathValue::cast)
        .and_then(|binding| attrpath_names(&binding.attrpath()?))
        .is_some_and(|names| names.last().is_some_and(|name| name == "imports"))
}

/// Whether the function is the value of `outputs` in the top-level set of a flake.
fn is_flake_outputs(node: &SyntaxNode) -> bool {
    let Some(binding) = outside_parens(node)
        .parent()
        .and_then(ast::AttrpathValue::cast)
    else {
        return false;
    };
    let is_outputs = binding
        .attrpath()
        .and_then(|path| attrpath_names(&path))
        .is_some_and(|names| names == ["outputs"]);
    let at_top = binding
        .syntax()
        .parent()
        .and_then(|set| set.parent())
        .is_some_and(|parent| parent.kind() == SyntaxKind::NODE_ROOT);
    is_outputs && at_top
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_no_fix};

    use super::EMPTY_PATTERN;

    #[test]
    fn reports_an_empty_pattern() {
        check(
            &EMPTY_PATTERN,
            r#"
final: prev: { x = prev.callPackage ({ ... }: prev.hello) { }; }
#                                    ^^^^^^^ hint[empty-pattern]: This pattern binds nothing and can be `_`
"#,
        );
    }

    #[test]
    fn fix_uses_an_underscore() {
        check_fix(
            &EMPTY_PATTERN,
            "map ({ ... }: 1) [ { } ]",
            "map (_: 1) [ { } ]",
        );
        check_fix(&EMPTY_PATTERN, "{ ... } : 1", "_ : 1");
    }

    /// statix #31, #108: a module's `{ ... }:` was turned into `_:`.
    #[test]
    fn module_files_are_skipped() {
        check(&EMPTY_PATTERN, "{ ... }: { imports = [ ./a.nix ]; }\n");
        check(
            &EMPTY_PATTERN,
            "{ ... }: let x = 1; in { config.a = x; f = { ... }: 1; }\n",
        );
        check(
            &EMPTY_PATTERN,
            "{ lib, ... }: { imports = [ ({ ... }: { services.a.enable = true; }) ]; }\n",
        );
        check(
            &EMPTY_PATTERN,
            "{ lib, ... }: { a = lib.types.submodule ({ ... }: { options.b = 1; }); }\n",
        );
    }

    /// nixd #589 / #649: `outputs` is called by Nix with the inputs; its pattern stays.
    #[test]
    fn flake_outputs_are_skipped() {
        check(
            &EMPTY_PATTERN,
            r#"#- /flake.nix
{
  outputs = { ... }: { };
}
"#,
        );
        check(
            &EMPTY_PATTERN,
            r#"#- /default.nix
{
  outputs = { ... }: { };
#           ^^^^^^^ hint[empty-pattern]: This pattern binds nothing and can be `_`
}
"#,
        );
    }

    #[test]
    fn near_misses() {
        check(
            &EMPTY_PATTERN,
            "[ ({ }: 1) ({ a, ... }: a) (args@{ ... }: args) (x: x) ]\n",
        );
    }

    #[test]
    fn underscore_used_in_the_body_blocks_the_fix() {
        check_no_fix(
            &EMPTY_PATTERN,
            r#"
_: map ({ ... }: _) [ ]
#       ^^^^^^^ hint[empty-pattern]: This pattern binds nothing and can be `_`
"#,
        );
    }
}
