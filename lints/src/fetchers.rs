//! Calls of builtins and fetchers, shared by the reproducibility and security lints: which builtin
//! an expression names, whole calls `f a b`, and the URLs a fetcher call is given.

use std::cell::OnceCell;

use syntax::ast::{self, Expr};
use syntax::helpers::{dotted_name, ident_token, unroll_apply, unwrap_parens};
use syntax::{AstNode, SyntaxKind, SyntaxNode};

use crate::lint::LintCtx;
use crate::module_context::binding_value;
use crate::scope::{Resolution, GLOBAL_BUILTINS};

/// A whole call `f a b`, seen at its outermost apply.
pub(crate) struct Call {
    pub function: Expr,
    pub args: Vec<Expr>,
    name: OnceCell<Option<String>>,
}

impl Call {
    /// The dotted name of the function (`builtins.fetchTarball`, `pkgs.fetchurl`), if static.
    pub fn name(&self) -> Option<&str> {
        self.name
            .get_or_init(|| dotted_name(&self.function))
            .as_deref()
    }

    /// The first argument, without parentheses.
    pub fn arg0(&self) -> Option<Expr> {
        self.args.first().cloned().map(unwrap_parens)
    }
}

/// The call whose outermost apply is `node`; `None` for the inner applies of `f a b`.
pub(crate) fn call_at(node: &SyntaxNode) -> Option<Call> {
    let apply = ast::Apply::cast(node.clone())?;
    let is_inner = node
        .parent()
        .and_then(ast::Apply::cast)
        .and_then(|outer| outer.lambda())
        .is_some_and(|lambda| lambda.syntax() == node);
    if is_inner {
        return None;
    }
    let (function, args) = unroll_apply(&apply)?;
    Some(Call {
        function: unwrap_parens(function),
        args,
        name: OnceCell::new(),
    })
}

/// Whether an identifier is bound lexically (by `let`, a parameter, `rec`) where it is used.
fn is_shadowed(ctx: &LintCtx<'_>, ident: &ast::Ident) -> bool {
    matches!(
        ctx.scope().resolve(ident.syntax().text_range()),
        Some(Resolution::Binding(_))
    )
}

/// The builtin an expression names, without `builtins.`: `builtins.X`, `__X`, a name of the
/// global scope (`fetchTarball`), or any `X` that only `with builtins;` can provide. `None` when a
/// local binding shadows the name. Nix's global names beat `with`, so `with pkgs; fetchTarball`
/// is still the builtin.
pub(crate) fn builtin_name(ctx: &LintCtx<'_>, expr: &Expr) -> Option<String> {
    match expr {
        Expr::Select(select) => {
            if select.or_token().is_some() {
                return None;
            }
            let Some(Expr::Ident(base)) = select.expr() else {
                return None;
            };
            if ident_token(&base)?.text() != "builtins" || is_shadowed(ctx, &base) {
                return None;
            }
            let mut attrs = select.attrpath()?.attrs();
            let (Some(ast::Attr::Ident(attr)), None) = (attrs.next(), attrs.next()) else {
                return None;
            };
            Some(ident_token(&attr)?.text().to_owned())
        }
        Expr::Ident(ident) => {
            let token = ident_token(ident)?;
            let name = token.text();
            match ctx.scope().resolve(ident.syntax().text_range())? {
                Resolution::Binding(_) | Resolution::Undefined => None,
                Resolution::Builtin | Resolution::With(_) if name.starts_with("__") => {
                    Some(name[2..].to_owned())
                }
                Resolution::Builtin | Resolution::With(_) if GLOBAL_BUILTINS.contains(&name) => {
                    Some(name.to_owned())
                }
                Resolution::With(with) => {
                    is_with_builtins(ctx, ident.syntax(), with).then(|| name.to_owned())
                }
                Resolution::Builtin => None,
            }
        }
        _ => None,
    }
}

/// Whether the `with` at `range` around `node` is `with builtins;`.
fn is_with_builtins(ctx: &LintCtx<'_>, node: &SyntaxNode, range: syntax::TextRange) -> bool {
    node.ancestors()
        .filter(|ancestor| {
            ancestor.kind() == SyntaxKind::NODE_WITH && ancestor.text_range() == range
        })
        .filter_map(ast::With::cast)
        .any(|with| match with.namespace().map(unwrap_parens) {
            Some(Expr::Ident(namespace)) => {
                ident_token(&namespace).is_some_and(|token| token.text() == "builtins")
                    && !is_shadowed(ctx, &namespace)
            }
            _ => false,
        })
}

/// Whether a function name is a fetcher: its last component starts with `fetch` (`fetchurl`,
/// `pkgs.fetchzip`, `builtins.fetchTarball`, `fetchFromGitHub`).
pub(crate) fn is_fetcher_name(name: &str) -> bool {
    name.rsplit('.').next().is_some_and(|last| {
        last.strip_prefix("fetch")
            .is_some_and(|rest| rest.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
            || LOWERCASE_FETCHERS.contains(&last)
    })
}

/// The nixpkgs fetchers whose names continue in lower case.
const LOWERCASE_FETCHERS: &[&str] = &[
    "fetchurl",
    "fetchzip",
    "fetchgit",
    "fetchsvn",
    "fetchhg",
    "fetchcvs",
    "fetchbzr",
    "fetchdarcs",
    "fetchfossil",
    "fetchipfs",
    "fetchpatch",
    "fetchpatch2",
    "fetchurlBoot",
];

/// The string literals a fetcher call takes as URLs: a string first argument, or the `url`
/// string and the strings of the `urls` list of an attribute set argument.
pub(crate) fn url_strings(call: &Call) -> Vec<ast::Str> {
    let mut out = Vec::new();
    match call.arg0() {
        Some(Expr::Str(string)) => out.push(string),
        Some(Expr::AttrSet(set)) => {
            if let Some(Expr::Str(string)) = binding_value(&set, "url").map(unwrap_parens) {
                out.push(string);
            }
            if let Some(Expr::List(list)) = binding_value(&set, "urls").map(unwrap_parens) {
                out.extend(list.items().filter_map(|item| match unwrap_parens(item) {
                    Expr::Str(string) => Some(string),
                    _ => None,
                }));
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetcher_names() {
        for name in [
            "fetchurl",
            "pkgs.fetchzip",
            "builtins.fetchTarball",
            "fetchFromGitHub",
            "fetchgit",
            "fetchGit",
        ] {
            assert!(is_fetcher_name(name), "{name}");
        }
        for name in ["fetcher", "prefetch", "fetchers.x", "lib.fetchedFiles"] {
            assert!(!is_fetcher_name(name), "{name}");
        }
    }
}
