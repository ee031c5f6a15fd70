//! NIX022: a name that nothing defines.

use syntax::ast::{self, Expr};
use syntax::helpers::{ident_token, unwrap_parens};
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextEdit};

use crate::diagnostic::Fix;
use crate::lint::{declare_lint, Findings, LintCtx};
use crate::scope::Resolution;

declare_lint! {
    /// ## What it does
    /// Checks for identifiers that no `let`, `rec` set, function argument or pattern defines,
    /// that are not a builtin of Nix's global scope (`true`, `null`, `import`, `map`, …), and
    /// that are not inside the body of any `with` (a `with` may provide any name, so nothing can
    /// be said there).
    ///
    /// ## Why is this bad?
    /// Nix fails with "undefined variable" when it evaluates the name: usually a typo, a missing
    /// function argument, or a name that lives in `lib` or `pkgs`.
    ///
    /// When the file is a function with an argument pattern (`{ pkgs, ... }: …`), an unsafe fix
    /// adds the name to the pattern (before `...` if there is one). It changes the function's
    /// interface, and only the author knows whether the caller passes that argument.
    ///
    /// ## Example
    /// ```nix
    /// { pkgs, ... }: { environment.systemPackages = [ pkgs.git ]; networking.hostName = hostName; }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// { pkgs, hostName, ... }: { environment.systemPackages = [ pkgs.git ]; networking.hostName = hostName; }
    /// ```
    pub(crate) static UNDEFINED_VARIABLE = {
        code: "NIX022",
        name: "undefined-variable",
        category: Correctness,
        severity: Error,
        fix: Unsafe,
        tags: [],
        kinds: [NODE_IDENT],
        reach: Entry,
        check: check_ident,
    };
}

fn check_ident(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    if ctx.scope().resolve(node.text_range()) != Some(Resolution::Undefined) {
        return;
    }
    let Some(token) = ast::Ident::cast(node.clone()).and_then(|ident| ident_token(&ident)) else {
        return;
    };
    let name = token.text();
    let finding = findings.report(node.text_range(), format!("`{name}` is not defined"));
    if let Some(edit) = add_to_formals(ctx, node, name) {
        finding.fix(Fix::unsafe_(
            format!("Add `{name}` to the function's arguments"),
            vec![edit],
        ));
    }
}

/// Inserts `name` into the pattern of the file's top-level function, if it has one and the
/// name is inside it.
fn add_to_formals(ctx: &LintCtx<'_>, node: &SyntaxNode, name: &str) -> Option<TextEdit> {
    let root = ast::Root::cast(ctx.root.clone())?;
    let Expr::Lambda(lambda) = unwrap_parens(root.expr()?) else {
        return None;
    };
    if !lambda
        .syntax()
        .text_range()
        .contains_range(node.text_range())
    {
        return None;
    }
    let Some(ast::Param::Pattern(pattern)) = lambda.param() else {
        return None;
    };
    if let Some(ellipsis) = pattern.ellipsis_token() {
        // Keep the layout: one entry per line stays one entry per line.
        let separator = match ellipsis.prev_token() {
            Some(space)
                if space.kind() == SyntaxKind::TOKEN_WHITESPACE && space.text().contains('\n') =>
            {
                let indent = space.text().rsplit('\n').next().unwrap_or("");
                format!("\n{indent}")
            }
            _ => " ".to_owned(),
        };
        return Some(TextEdit::insert(
            ellipsis.text_range().start(),
            format!("{name},{separator}"),
        ));
    }
    if let Some(last) = pattern.pat_entries().last() {
        let after_last = last
            .syntax()
            .siblings_with_tokens(syntax::Direction::Next)
            .skip(1)
            .find(|element| element.kind() != SyntaxKind::TOKEN_WHITESPACE);
        return Some(match after_last {
            Some(comma) if comma.kind() == SyntaxKind::TOKEN_COMMA => {
                TextEdit::insert(comma.text_range().end(), format!(" {name},"))
            }
            // Rewriting the last entry with the new one after it, rather than inserting at its
            // end, keeps the edit inside the pattern for the re-parse check.
            _ => TextEdit::replace(
                last.syntax().text_range(),
                format!("{}, {name}", last.syntax()),
            ),
        });
    }
    let open = pattern
        .syntax()
        .children_with_tokens()
        .find(|element| element.kind() == SyntaxKind::TOKEN_L_BRACE)?;
    Some(TextEdit::insert(
        open.text_range().end(),
        format!(" {name}"),
    ))
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_no_fix, check_unsafe_fix};

    use super::UNDEFINED_VARIABLE;

    #[test]
    fn reports_free_names() {
        check(
            &UNDEFINED_VARIABLE,
            r#"
let a = 1; in [ a b (x: x y) { inherit c; } ]
#                 ^ error[undefined-variable]: `b` is not defined
#                         ^ error[undefined-variable]: `y` is not defined
#                                      ^ error[undefined-variable]: `c` is not defined
"#,
        );
    }

    #[test]
    fn builtins_bindings_and_with_are_not_reported() {
        check(
            &UNDEFINED_VARIABLE,
            r#"
{ a ? b, b, ... }@args: [ true null map import __currentSystem builtins.x args a (with args; foo) (rec { x = 1; y = x; }) ]
"#,
        );
    }

    /// Under `with`, a name may come from the namespace: unknowable, so never reported.
    #[test]
    fn names_under_any_with_are_unknowable() {
        check(&UNDEFINED_VARIABLE, "a: with a; x: with x; [ y z ]\n");
        check(
            &UNDEFINED_VARIABLE,
            r#"
with nope; x
#    ^^^^ error[undefined-variable]: `nope` is not defined
"#,
        );
    }

    #[test]
    fn fix_adds_to_the_pattern() {
        check_fix(
            &UNDEFINED_VARIABLE,
            "{ pkgs, ... }: hostName",
            "{ pkgs, ... }: hostName",
        );
        check_unsafe_fix(
            &UNDEFINED_VARIABLE,
            "{ pkgs, ... }: hostName",
            "{ pkgs, hostName, ... }: hostName",
        );
        check_unsafe_fix(&UNDEFINED_VARIABLE, "{ pkgs }: [ a ]", "{ pkgs, a }: [ a ]");
        check_unsafe_fix(
            &UNDEFINED_VARIABLE,
            "{ pkgs, }: [ a ]",
            "{ pkgs, a, }: [ a ]",
        );
        check_unsafe_fix(&UNDEFINED_VARIABLE, "{ }: a", "{ a }: a");
        check_unsafe_fix(&UNDEFINED_VARIABLE, "{ ... }: a", "{ a, ... }: a");
        check_unsafe_fix(&UNDEFINED_VARIABLE, "({ x ? a }: x)", "({ x ? a, a }: x)");
        check_unsafe_fix(
            &UNDEFINED_VARIABLE,
            "args@{ pkgs, ... }: [ a a ]",
            "args@{ pkgs, a, ... }: [ a a ]",
        );
    }

    #[test]
    fn fix_keeps_one_entry_per_line() {
        check_unsafe_fix(
            &UNDEFINED_VARIABLE,
            r#"
{
  pkgs,
  ...
}:
lib.mkIf true { }
"#,
            r#"
{
  pkgs,
  lib,
  ...
}:
lib.mkIf true { }
"#,
        );
    }

    #[test]
    fn no_fix_without_a_top_level_pattern() {
        check_no_fix(
            &UNDEFINED_VARIABLE,
            r#"
pkgs: a
#     ^ error[undefined-variable]: `a` is not defined
"#,
        );
        check_no_fix(
            &UNDEFINED_VARIABLE,
            r#"
{ x = { pkgs }: a; }
#               ^ error[undefined-variable]: `a` is not defined
"#,
        );
    }
}
