//! NIX013: `builtins.toPath`, deprecated by Nix itself.

use syntax::ast::{self, Expr};
use syntax::helpers::{dotted_name, ident_token, last_name_token};
use syntax::{AstNode, SyntaxKind, SyntaxNode};

use crate::lint::{declare_lint, Findings, LintCtx};
use crate::lints::unused_with::is_builtin_reference;
use crate::scope::Resolution;

declare_lint! {
    /// ## What it does
    /// Checks for uses of `builtins.toPath` (also written `__toPath`, or `toPath` under
    /// `with builtins;`).
    ///
    /// ## Why is this bad?
    /// The Nix reference manual marks `builtins.toPath` as **DEPRECATED** (the documentation of
    /// the builtin in `src/libexpr/primops.cc`, as shipped by Nix 2.8 and every later release:
    /// "Use `/. + "/path"` to convert a string into an absolute path. For relative paths, use
    /// `./. + "/path"`"). Despite its name it returns a string, not a path (NixOS/nix#1074), so
    /// code that uses it rarely gets what it expects.
    ///
    /// There is no automatic fix: `builtins.toPath s` is a string while `/. + s` is a path, and
    /// paths are copied into the store where strings are not, so only the author can tell which
    /// of the two was meant.
    ///
    /// ## Example
    /// ```nix
    /// builtins.toPath "/etc/nixos"
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// /. + "/etc/nixos"
    /// ```
    pub(crate) static DEPRECATED_TO_PATH = {
        code: "NIX013",
        name: "deprecated-to-path",
        category: Correctness,
        severity: Warning,
        fix: None,
        tags: [Deprecated],
        kinds: [NODE_SELECT, NODE_IDENT],
        reach: Entry,
        check: check_to_path,
    };
}

const MESSAGE: &str = "`builtins.toPath` is deprecated: use `/. + \"/path\"` for an absolute path or `./. + \"/path\"` for a relative one";

fn check_to_path(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let is_to_path = match node.kind() {
        SyntaxKind::NODE_SELECT => {
            ast::Select::cast(node.clone()).is_some_and(|select| is_builtins_to_path(ctx, &select))
        }
        SyntaxKind::NODE_IDENT => {
            ast::Ident::cast(node.clone()).is_some_and(|ident| is_bare_to_path(ctx, &ident))
        }
        _ => false,
    };
    if is_to_path {
        findings.report(node.text_range(), MESSAGE);
    }
}

/// `builtins.toPath`, where `builtins` is Nix's own.
fn is_builtins_to_path(ctx: &LintCtx<'_>, select: &ast::Select) -> bool {
    let Some(base) = select.expr() else {
        return false;
    };
    let select = Expr::Select(select.clone());
    // Every select of the file comes here: look at the last name before building the whole one.
    last_name_token(&select).is_some_and(|last| last.text() == "toPath")
        && dotted_name(&select).as_deref() == Some("builtins.toPath")
        && is_builtin_reference(ctx.scope(), base.syntax().text_range(), "builtins")
}

/// `__toPath`, or `toPath` taken from a `with builtins;`.
fn is_bare_to_path(ctx: &LintCtx<'_>, ident: &ast::Ident) -> bool {
    let Some(token) = ident_token(ident) else {
        return false;
    };
    // Every identifier of the file comes here: resolve only the two names it can be.
    if !matches!(token.text(), "__toPath" | "toPath") {
        return false;
    }
    let range = ident.syntax().text_range();
    let resolution = ctx.scope().resolve(range);
    match (token.text(), resolution) {
        ("__toPath", _) => is_builtin_reference(ctx.scope(), range, "__toPath"),
        ("toPath", Some(Resolution::With(with_range))) => {
            with_namespace_is_builtins(ctx, ident.syntax(), with_range)
        }
        _ => false,
    }
}

fn with_namespace_is_builtins(
    ctx: &LintCtx<'_>,
    node: &SyntaxNode,
    with_range: syntax::TextRange,
) -> bool {
    let Some(with) = node
        .ancestors()
        .find(|ancestor| ancestor.text_range() == with_range)
        .and_then(ast::With::cast)
    else {
        return false;
    };
    let Some(namespace) = with.namespace() else {
        return false;
    };
    dotted_name(&namespace).as_deref() == Some("builtins")
        && is_builtin_reference(ctx.scope(), namespace.syntax().text_range(), "builtins")
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_no_fix};

    use super::DEPRECATED_TO_PATH;

    #[test]
    fn reports_each_spelling() {
        check_no_fix(
            &DEPRECATED_TO_PATH,
            r#"
[
  (builtins.toPath "/etc")
#  ^^^^^^^^^^^^^^^ warning[deprecated-to-path]: `builtins.toPath` is deprecated: use `/. + "/path"` for an absolute path or `./. + "/path"` for a relative one
  (__toPath "/etc")
#  ^^^^^^^^ warning[deprecated-to-path]: `builtins.toPath` is deprecated: use `/. + "/path"` for an absolute path or `./. + "/path"` for a relative one
  (with builtins; toPath "/etc")
#                 ^^^^^^ warning[deprecated-to-path]: `builtins.toPath` is deprecated: use `/. + "/path"` for an absolute path or `./. + "/path"` for a relative one
  (map builtins.toPath paths)
#      ^^^^^^^^^^^^^^^ warning[deprecated-to-path]: `builtins.toPath` is deprecated: use `/. + "/path"` for an absolute path or `./. + "/path"` for a relative one
  (with lib; builtins.toPath "/etc")
#            ^^^^^^^^^^^^^^^ warning[deprecated-to-path]: `builtins.toPath` is deprecated: use `/. + "/path"` for an absolute path or `./. + "/path"` for a relative one
]
"#,
        );
    }

    #[test]
    fn other_to_paths_are_not_nix_builtins() {
        check(
            &DEPRECATED_TO_PATH,
            r#"
let builtins = { toPath = x: x; }; in
[
  (builtins.toPath "/etc")
  (with lib; toPath "/etc")
  (mylib.toPath "/etc")
  (toPath: toPath "/etc")
  builtins.toPath.x or null
]
"#,
        );
    }

    /// statix PR #86 and NixOS/nix#9645: a deprecation that Nix reverted made a lint wrong. This
    /// one stands on the builtin's own documentation, which still says DEPRECATED.
    #[test]
    fn deprecation_lints_cite_the_nix_source() {
        let docs = DEPRECATED_TO_PATH.docs_text();
        assert!(docs.contains("Nix 2.8"), "{docs}");
        assert!(docs.contains("primops.cc"), "{docs}");
    }
}
