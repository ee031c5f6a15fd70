//! NIX202: builtins whose value depends on the machine, the environment or the clock.

use syntax::ast::{self, Expr};
use syntax::helpers::{is_ident_expr, unwrap_parens};
use syntax::{AstNode, SyntaxKind, SyntaxNode};

use crate::diagnostic::Severity;
use crate::fetchers::builtin_name;
use crate::lint::{declare_lint, Findings, LintCtx};

declare_lint! {
    /// ## What it does
    /// Checks for impure builtins: `builtins.currentSystem`, `builtins.currentTime`,
    /// `builtins.getEnv`, `builtins.storePath`, and `builtins.getFlake` with a reference that is
    /// computed rather than written down. The `__currentSystem` spellings count, and so do bare
    /// names that `with builtins;` provides.
    ///
    /// ## Why is this bad?
    /// These values differ between machines, users and runs, so the same expression builds
    /// different things. In a flake, pure evaluation refuses them and evaluation fails, which is
    /// reported as an error; `builtins.getEnv` is the exception: it silently returns `""` there,
    /// so it stays a warning.
    ///
    /// `builtins.getFlake` with a literal reference is left to `unpinned-fetch` (NIX203), which
    /// checks that the reference is locked, and `builtins.nixPath` to `search-path-lookup`
    /// (NIX201); only a bare `nixPath` from `with builtins;` is reported here. There is no fix:
    /// take the value as an argument instead and pass it in from the caller or from CI.
    ///
    /// ## Example
    /// ```nix
    /// { system ? builtins.currentSystem }:
    /// import ./pkgs.nix { inherit system; }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// { system }:
    /// import ./pkgs.nix { inherit system; }
    /// ```
    pub(crate) static IMPURE_BUILTIN = {
        code: "NIX202",
        name: "impure-builtin",
        category: Reproducibility,
        severity: Warning,
        fix: None,
        tags: [],
        kinds: [NODE_SELECT, NODE_IDENT],
        reach: Entry,
        check: check_node,
    };
}

fn check_node(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(expr) = Expr::cast(node.clone()) else {
        return;
    };
    if node.kind() == SyntaxKind::NODE_IDENT && !is_ident_expr(node) {
        return;
    }
    let Some(builtin) = builtin_name(ctx, &expr) else {
        return;
    };
    let written = node.text().to_string();
    let from_with = matches!(&expr, Expr::Ident(_)) && !written.starts_with("__");
    let flake = ctx.is_flake();
    let message = match builtin.as_str() {
        "currentSystem" if flake => format!("`{written}` fails in a flake's pure evaluation"),
        "currentSystem" => format!("`{written}` depends on the machine that evaluates it"),
        "currentTime" if flake => format!("`{written}` fails in a flake's pure evaluation"),
        "currentTime" => format!("`{written}` changes with every evaluation"),
        "storePath" if flake => format!("`{written}` fails in a flake's pure evaluation"),
        "storePath" => format!("`{written}` depends on what the local Nix store holds"),
        "getEnv" if flake => {
            format!("`{written}` always returns \"\" in a flake's pure evaluation")
        }
        "getEnv" => format!("`{written}` depends on the environment of the evaluating process"),
        "getFlake" if has_literal_argument(node) => return,
        "getFlake" if flake => format!(
            "`{written}` with a computed reference fails in a flake's pure evaluation unless the reference is locked"
        ),
        "getFlake" => {
            format!("`{written}` with a computed reference may fetch an unlocked flake")
        }
        // `builtins.nixPath` and `__nixPath` are NIX201's.
        "nixPath" if !from_with => return,
        "nixPath" if flake => format!("`{written}` is empty in a flake's pure evaluation"),
        "nixPath" => format!("`{written}` depends on `$NIX_PATH`"),
        _ => return,
    };
    let finding = findings.report(node.text_range(), message);
    if flake && builtin != "getEnv" {
        finding.severity(Severity::Error);
    }
}

/// Whether the function at `node` is applied to a string literal (`getFlake "github:a/b"`).
fn has_literal_argument(node: &SyntaxNode) -> bool {
    let Some(apply) = node.parent().and_then(ast::Apply::cast) else {
        return false;
    };
    if apply.lambda().is_none_or(|lambda| lambda.syntax() != node) {
        return false;
    }
    matches!(
        apply.argument().map(unwrap_parens),
        Some(Expr::Str(string)) if crate::module_context::string_text(&string).is_some()
    )
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_no_fix, check_with_config};

    use super::IMPURE_BUILTIN;

    #[test]
    fn warns_outside_flakes() {
        check_no_fix(
            &IMPURE_BUILTIN,
            r#"
{ system ? builtins.currentSystem }:
#          ^^^^^^^^^^^^^^^^^^^^^^ warning[impure-builtin]: `builtins.currentSystem` depends on the machine that evaluates it
{
  home = builtins.getEnv "HOME";
#        ^^^^^^^^^^^^^^^ warning[impure-builtin]: `builtins.getEnv` depends on the environment of the evaluating process
  now = __currentTime;
#       ^^^^^^^^^^^^^ warning[impure-builtin]: `__currentTime` changes with every evaluation
  p = builtins.storePath /nix/store/abc-x;
#     ^^^^^^^^^^^^^^^^^^ warning[impure-builtin]: `builtins.storePath` depends on what the local Nix store holds
  f = builtins.getFlake (toString ./.);
#     ^^^^^^^^^^^^^^^^^ warning[impure-builtin]: `builtins.getFlake` with a computed reference may fetch an unlocked flake
}
"#,
        );
    }

    #[test]
    fn bare_names_under_with_builtins() {
        check(
            &IMPURE_BUILTIN,
            r#"
with builtins; [ currentSystem (getEnv "USER") nixPath (with pkgs; currentTime) ]
#                ^^^^^^^^^^^^^ warning[impure-builtin]: `currentSystem` depends on the machine that evaluates it
#                               ^^^^^^ warning[impure-builtin]: `getEnv` depends on the environment of the evaluating process
#                                              ^^^^^^^ warning[impure-builtin]: `nixPath` depends on `$NIX_PATH`
"#,
        );
    }

    #[test]
    fn errors_in_flakes_except_get_env() {
        check(
            &IMPURE_BUILTIN,
            r#"
#- /flake.nix
{
  outputs = { self }: {
    packages.${builtins.currentSystem}.x = builtins.getEnv "X";
#              ^^^^^^^^^^^^^^^^^^^^^^ error[impure-builtin]: `builtins.currentSystem` fails in a flake's pure evaluation
#                                          ^^^^^^^^^^^^^^^ warning[impure-builtin]: `builtins.getEnv` always returns "" in a flake's pure evaluation
  };
}
"#,
        );
    }

    #[test]
    fn near_misses_are_fine() {
        check(
            &IMPURE_BUILTIN,
            r#"
let builtins = { currentSystem = "x"; }; in builtins.currentSystem
"#,
        );
        check(
            &IMPURE_BUILTIN,
            r#"
{ currentSystem, getEnv, system ? "x86_64-linux" }:
[ currentSystem getEnv stdenv.hostPlatform.system pkgs.currentTime (with pkgs; getEnv)
  (builtins.getFlake "github:NixOS/nixpkgs/0123456789abcdef0123456789abcdef01234567")
  builtins.nixPath __nixPath { currentSystem = 1; } ]
"#,
        );
    }

    #[test]
    fn configured_level_applies() {
        check_with_config(
            &IMPURE_BUILTIN,
            "[lints]\nimpure-builtin = \"hint\"",
            r#"
#- /flake.nix
{ x = builtins.currentTime; }
#     ^^^^^^^^^^^^^^^^^^^^ hint[impure-builtin]: `builtins.currentTime` fails in a flake's pure evaluation
"#,
        );
    }
}
