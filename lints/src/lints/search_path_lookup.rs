//! NIX201: lookup paths such as `<nixpkgs>`, which depend on `$NIX_PATH`.

use syntax::ast::{self, Expr, HasEntry};
use syntax::helpers::{
    attrpath_names, ident_token, is_bound_by_ancestor, is_ident_expr, is_plain_ident, unwrap_parens,
};
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextEdit, TextRange};

use crate::diagnostic::{Fix, Severity};
use crate::flake::check::declared_inputs;
use crate::flake::model::root_set;
use crate::lint::{declare_lint, Findings, LintCtx};

declare_lint! {
    /// ## What it does
    /// Checks for lookup paths such as `<nixpkgs>` and for the builtins behind them:
    /// `builtins.findFile` (also `__findFile`) and `builtins.nixPath` (also `__nixPath`).
    ///
    /// ## Why is this bad?
    /// A lookup path is resolved through `$NIX_PATH` or `-I` on the machine that evaluates the
    /// code, so the same file builds different things on different machines, and on the same
    /// machine after a channel update. In a flake, pure evaluation has no lookup path at all, so
    /// `<nixpkgs>` fails there and is reported as an error.
    ///
    /// In `flake.nix`, when the name matches a declared input, the fix replaces `<nixpkgs>` with
    /// the input `nixpkgs` (and `<nixpkgs/lib>` with `"${nixpkgs}/lib"`). The fix is unsafe: the
    /// input is a different, locked revision, and it is only in scope when it is an argument of
    /// `outputs`; the fix's title says when it still has to be added there. A lookup path is not
    /// reported where `__findFile` or `__nixPath` is bound in an enclosing scope, since `<…>` then
    /// means what that binding says.
    ///
    /// ## Example
    /// ```nix
    /// {
    ///   inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
    ///   outputs = { self, nixpkgs }: {
    ///     packages.x86_64-linux.default = (import <nixpkgs> { system = "x86_64-linux"; }).hello;
    ///   };
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// {
    ///   inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
    ///   outputs = { self, nixpkgs }: {
    ///     packages.x86_64-linux.default = (import nixpkgs { system = "x86_64-linux"; }).hello;
    ///   };
    /// }
    /// ```
    ///
    /// Outside flakes, pin the source (for example with `fetchTarball` and a hash, or npins) and
    /// pass it in as an argument.
    pub(crate) static SEARCH_PATH_LOOKUP = {
        code: "NIX201",
        name: "search-path-lookup",
        category: Reproducibility,
        severity: Warning,
        fix: Unsafe,
        tags: [],
        kinds: [NODE_PATH_SEARCH, NODE_IDENT, NODE_SELECT],
        reach: Entry,
        check: check_node,
    };
}

fn check_node(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    match node.kind() {
        SyntaxKind::NODE_PATH_SEARCH => check_lookup_path(ctx, node, findings),
        SyntaxKind::NODE_IDENT => {
            if !is_ident_expr(node) {
                return;
            }
            let Some(token) = node.first_token() else {
                return;
            };
            let builtin = match token.text() {
                "__findFile" => "builtins.findFile",
                "__nixPath" => "builtins.nixPath",
                _ => return,
            };
            if is_bound_by_ancestor(node, token.text()) {
                return;
            }
            report_builtin(ctx, node.text_range(), token.text(), builtin, findings);
        }
        SyntaxKind::NODE_SELECT => {
            let Some(select) = ast::Select::cast(node.clone()) else {
                return;
            };
            let Some(Expr::Ident(base)) = select.expr() else {
                return;
            };
            if !base.syntax().text().eq("builtins") || is_bound_by_ancestor(node, "builtins") {
                return;
            }
            let Some(ast::Attr::Ident(first)) = select
                .attrpath()
                .and_then(|attrpath| attrpath.attrs().next())
            else {
                return;
            };
            let Some(first_token) = ident_token(&first) else {
                return;
            };
            let builtin = match first_token.text() {
                "findFile" => "builtins.findFile",
                "nixPath" => "builtins.nixPath",
                _ => return,
            };
            let range =
                TextRange::new(node.text_range().start(), first.syntax().text_range().end());
            report_builtin(ctx, range, builtin, builtin, findings);
        }
        _ => {}
    }
}

fn report_builtin(
    ctx: &LintCtx<'_>,
    range: TextRange,
    written: &str,
    builtin: &str,
    findings: &mut Findings,
) {
    let message = match (builtin, ctx.is_flake()) {
        ("builtins.nixPath", false) => format!("`{written}` depends on `$NIX_PATH`"),
        ("builtins.nixPath", true) => format!("`{written}` is empty in a flake's pure evaluation"),
        (_, false) => format!("`{written}` resolves lookup paths, usually from `$NIX_PATH`"),
        (_, true) => format!(
            "`{written}` resolves lookup paths, which a flake's pure evaluation does not have"
        ),
    };
    let finding = findings.report(range, message);
    if ctx.is_flake() {
        finding.severity(Severity::Error);
    }
}

fn check_lookup_path(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    // `<x>` means `__findFile __nixPath "x"`: a binding of either name replaces the lookup.
    if is_bound_by_ancestor(node, "__findFile") || is_bound_by_ancestor(node, "__nixPath") {
        return;
    }
    let text = node.text().to_string();
    let Some(inner) = text
        .strip_prefix('<')
        .and_then(|rest| rest.strip_suffix('>'))
    else {
        return;
    };
    if !ctx.is_flake() {
        findings.report(
            node.text_range(),
            format!("Lookup path `{text}` depends on `$NIX_PATH`"),
        );
        return;
    }
    let finding = findings
        .report(
            node.text_range(),
            format!("Lookup path `{text}` fails in a flake's pure evaluation"),
        )
        .severity(Severity::Error);
    let (name, subpath) = match inner.split_once('/') {
        Some((name, subpath)) => (name, Some(subpath)),
        None => (inner, None),
    };
    if !is_plain_ident(name)
        || !declared_inputs(ctx.root)
            .iter()
            .any(|input| input.name == name)
    {
        return;
    }
    // Inputs are in scope only in the body of `outputs`; anywhere else the name would be unbound.
    let Some(outputs) = outputs_lambda(ctx.root) else {
        return;
    };
    let in_body = outputs
        .body()
        .is_some_and(|body| body.syntax().text_range().contains_range(node.text_range()));
    if !in_body {
        return;
    }
    let replacement = match subpath {
        None => name.to_owned(),
        // Path characters need no escaping inside a string.
        Some(subpath) => format!("\"${{{name}}}/{subpath}\""),
    };
    let title = if is_formal_of(&outputs, name) {
        format!("Replace with the flake input `{name}`")
    } else {
        format!(
            "Replace with the flake input `{name}` (add `{name}` to the arguments of `outputs`)"
        )
    };
    finding.fix(Fix::unsafe_(
        title,
        vec![TextEdit::replace(node.text_range(), replacement)],
    ));
}

/// The function bound to `outputs` in the root attribute set.
fn outputs_lambda(root: &SyntaxNode) -> Option<ast::Lambda> {
    root_set(root)?.attrpath_values().find_map(|binding| {
        let names = attrpath_names(&binding.attrpath()?)?;
        if names != ["outputs"] {
            return None;
        }
        match unwrap_parens(binding.value()?) {
            Expr::Lambda(lambda) => Some(lambda),
            _ => None,
        }
    })
}

/// Whether `name` is a formal of the lambda's pattern `{ self, name, ... }`.
fn is_formal_of(lambda: &ast::Lambda, name: &str) -> bool {
    let Some(ast::Param::Pattern(pattern)) = lambda.param() else {
        return false;
    };
    pattern.pat_entries().any(|entry| {
        entry
            .ident()
            .and_then(|ident| ident_token(&ident))
            .is_some_and(|token| token.text() == name)
    })
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_no_fix, check_unsafe_fix, check_with_config};

    use super::SEARCH_PATH_LOOKUP;

    #[test]
    fn warns_outside_flakes() {
        check_no_fix(
            &SEARCH_PATH_LOOKUP,
            r#"
{ pkgs ? import <nixpkgs> { } }:
#               ^^^^^^^^^ warning[search-path-lookup]: Lookup path `<nixpkgs>` depends on `$NIX_PATH`
import <nixpkgs/nixos> { configuration = <nixos-config>; }
#      ^^^^^^^^^^^^^^^ warning[search-path-lookup]: Lookup path `<nixpkgs/nixos>` depends on `$NIX_PATH`
#                                        ^^^^^^^^^^^^^^ warning[search-path-lookup]: Lookup path `<nixos-config>` depends on `$NIX_PATH`
"#,
        );
    }

    #[test]
    fn builtins_behind_lookup_paths() {
        check(
            &SEARCH_PATH_LOOKUP,
            r#"
[ (builtins.findFile builtins.nixPath "nixpkgs") (__findFile __nixPath "x") builtins.nixPath.x ]
#  ^^^^^^^^^^^^^^^^^ warning[search-path-lookup]: `builtins.findFile` resolves lookup paths, usually from `$NIX_PATH`
#                    ^^^^^^^^^^^^^^^^ warning[search-path-lookup]: `builtins.nixPath` depends on `$NIX_PATH`
#                                                 ^^^^^^^^^^ warning[search-path-lookup]: `__findFile` resolves lookup paths, usually from `$NIX_PATH`
#                                                            ^^^^^^^^^ warning[search-path-lookup]: `__nixPath` depends on `$NIX_PATH`
#                                                                           ^^^^^^^^^^^^^^^^ warning[search-path-lookup]: `builtins.nixPath` depends on `$NIX_PATH`
"#,
        );
    }

    #[test]
    fn near_misses_are_fine() {
        check(
            &SEARCH_PATH_LOOKUP,
            r#"
{ findFile = 1; nixPath = x.nixPath; inherit (builtins) __findFile; a = builtins.pathExists ./x; b = "<nixpkgs>"; c = 1 < 2; d = mylib.findFile; }
"#,
        );
    }

    /// `<x>` is `__findFile __nixPath "x"`: a local `__findFile` makes it mean something else.
    #[test]
    fn local_find_file_overrides_the_lookup() {
        check(
            &SEARCH_PATH_LOOKUP,
            "let __findFile = _: name: ./. + \"/${name}\"; in <src>\n",
        );
        check(&SEARCH_PATH_LOOKUP, "{ __nixPath }: <nixpkgs>\n");
        check(
            &SEARCH_PATH_LOOKUP,
            "let builtins = { findFile = 1; }; in builtins.findFile\n",
        );
    }

    #[test]
    fn error_in_flakes() {
        check_no_fix(
            &SEARCH_PATH_LOOKUP,
            r#"
#- /flake.nix
{
  outputs = { self }: {
    lib = import <nixpkgs/lib> // { paths = builtins.nixPath; };
#                ^^^^^^^^^^^^^ error[search-path-lookup]: Lookup path `<nixpkgs/lib>` fails in a flake's pure evaluation
#                                           ^^^^^^^^^^^^^^^^ error[search-path-lookup]: `builtins.nixPath` is empty in a flake's pure evaluation
  };
}
"#,
        );
    }

    #[test]
    fn configured_level_wins_over_the_flake_error() {
        check_with_config(
            &SEARCH_PATH_LOOKUP,
            "[lints]\nsearch-path-lookup = \"info\"",
            r#"
#- /flake.nix
{ outputs = _: import <nixpkgs> { }; }
#                     ^^^^^^^^^ info[search-path-lookup]: Lookup path `<nixpkgs>` fails in a flake's pure evaluation
"#,
        );
    }

    const FLAKE: &str = r#"#- /flake.nix
{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  inputs = {
    flake-utils.url = "github:numtide/flake-utils";
    "home-manager" = { url = "github:nix-community/home-manager"; };
  };
  outputs = { self, nixpkgs, flake-utils, ... }: {
    a = import <nixpkgs> { };
    b = import <nixpkgs/nixos> { };
    c = <flake-utils>;
    d = <home-manager>;
    e = <unknown>;
  };
}
"#;

    #[test]
    fn unsafe_fix_uses_declared_inputs() {
        let after = FLAKE
            .replace("import <nixpkgs> { }", "import nixpkgs { }")
            .replace("<nixpkgs/nixos>", "\"${nixpkgs}/nixos\"")
            .replace("<flake-utils>", "flake-utils")
            .replace("<home-manager>", "home-manager");
        check_unsafe_fix(&SEARCH_PATH_LOOKUP, FLAKE, &after);
        check_fix(&SEARCH_PATH_LOOKUP, FLAKE, FLAKE);
    }

    #[test]
    fn fix_titles_say_when_the_input_is_not_an_argument() {
        let text = FLAKE.strip_prefix("#- /flake.nix\n").expect("a header");
        let report = crate::check(text, Some("flake.nix"), &crate::Config::default());
        let titles: Vec<(&str, &str)> = report
            .diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.name == "search-path-lookup")
            .flat_map(|diagnostic| {
                diagnostic
                    .fixes
                    .iter()
                    .map(move |fix| (&text[diagnostic.range], fix.title.as_str()))
            })
            .collect();
        assert_eq!(
            titles,
            [
                ("<nixpkgs>", "Replace with the flake input `nixpkgs`"),
                ("<nixpkgs/nixos>", "Replace with the flake input `nixpkgs`"),
                ("<flake-utils>", "Replace with the flake input `flake-utils`"),
                (
                    "<home-manager>",
                    "Replace with the flake input `home-manager` (add `home-manager` to the arguments of `outputs`)"
                ),
            ]
        );
    }

    #[test]
    fn no_fix_outside_outputs_or_outside_flakes() {
        let flake = "#- /flake.nix\n{\n  inputs.nixpkgs.url = \"x\";\n  description = toString <nixpkgs>;\n  outputs = _: { };\n}\n";
        check_unsafe_fix(&SEARCH_PATH_LOOKUP, flake, flake);
        let module = "#- /default.nix\n{\n  inputs.nixpkgs.url = \"x\";\n  outputs = { nixpkgs }: <nixpkgs>;\n}\n";
        check_unsafe_fix(&SEARCH_PATH_LOOKUP, module, module);
    }
}
