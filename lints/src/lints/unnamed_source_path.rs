//! NIX206: `src = ./.` in a derivation, whose store path is named after the checkout's folder.

use syntax::ast::{self, Expr};
use syntax::helpers::{is_bound_by_ancestor, unwrap_parens};
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextEdit};

use crate::diagnostic::Fix;
use crate::fetchers::call_at;
use crate::lint::{declare_lint, Findings, LintCtx};
use crate::module_context::{attrpath_names, binding_value, literal_string};

declare_lint! {
    /// ## What it does
    /// Checks for `src = ./.;` (or `../.`, `./..`: a path made only of `.` and `..`) directly in
    /// the arguments of a builder such as `stdenv.mkDerivation`, `buildRustPackage`,
    /// `buildGoModule`, `buildPythonPackage`, `buildPythonApplication`, `buildNpmPackage` or
    /// `mkShell`, including the `finalAttrs: { … }` form. `flake.nix` is skipped: there `./.` is
    /// already inside the flake's source, named `source`.
    ///
    /// ## Why is this bad?
    /// A directory path is copied into the store under the directory's own name, so the store
    /// path, and every hash that depends on it, changes with the folder a checkout happens to be
    /// in (`myproject`, `myproject-main`, `tmp.x8f2`). Give the source a fixed name.
    ///
    /// The fix wraps the path as `builtins.path { path = ./.; name = "<pname>"; }` (`"source"`
    /// when there is no literal `pname`). It is unsafe: the store path changes, which is the
    /// point, but it is a different value. Where `lib` is in scope, a second fix offers
    /// `lib.cleanSource ./.`, which is named `source` and also leaves out `.git`, `result`
    /// links and editor backups.
    ///
    /// ## Example
    /// ```nix
    /// stdenv.mkDerivation {
    ///   pname = "hello";
    ///   version = "1.0";
    ///   src = ./.;
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// stdenv.mkDerivation {
    ///   pname = "hello";
    ///   version = "1.0";
    ///   src = builtins.path { path = ./.; name = "hello"; };
    /// }
    /// ```
    pub(crate) static UNNAMED_SOURCE_PATH = {
        code: "NIX206",
        name: "unnamed-source-path",
        category: Reproducibility,
        severity: Hint,
        fix: Unsafe,
        tags: [],
        kinds: [NODE_ATTRPATH_VALUE],
        reach: Entry,
        check: check_binding,
    };
}

/// Builders that take a `src`, matched as the end of the function's last name component.
const BUILDERS: &[&str] = &[
    "mkDerivation",
    "buildRustPackage",
    "buildGoModule",
    "buildPythonPackage",
    "buildPythonApplication",
    "buildNpmPackage",
    "buildDotnetModule",
    "buildDartApplication",
    "mkYarnPackage",
    "mkShell",
];

fn check_binding(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    // Every binding of the file comes here: most values are no relative path, which the green
    // tree tells before any node is built.
    let value_kind = syntax::helpers::value_kind(node);
    if ctx.is_flake()
        || !matches!(
            value_kind,
            Some(SyntaxKind::NODE_PATH_REL | SyntaxKind::NODE_PAREN)
        )
    {
        return;
    }
    let Some(binding) = ast::AttrpathValue::cast(node.clone()) else {
        return;
    };
    let Some(names) = binding.attrpath().and_then(|path| attrpath_names(&path)) else {
        return;
    };
    if names != ["src"] {
        return;
    }
    let Some(Expr::PathRel(path)) = binding.value().map(unwrap_parens) else {
        return;
    };
    let path_text = path.syntax().to_string();
    if !path_text
        .split('/')
        .all(|component| component == "." || component == "..")
    {
        return;
    }
    let Some(set) = node.parent().and_then(ast::AttrSet::cast) else {
        return;
    };
    let Some(builder) = builder_of(set.syntax()) else {
        return;
    };
    let finding = findings.report(
        binding.syntax().text_range(),
        format!(
            "`src = {path_text}` in `{builder}` names the store path after the folder the checkout is in"
        ),
    );
    let name = binding_value(&set, "pname")
        .and_then(|value| literal_string(&value))
        .filter(|name| is_store_name(name))
        .unwrap_or_else(|| "source".to_owned());
    finding.fix(Fix::unsafe_(
        format!("Wrap in `builtins.path` named \"{name}\""),
        vec![TextEdit::replace(
            path.syntax().text_range(),
            format!("builtins.path {{ path = {path_text}; name = \"{name}\"; }}"),
        )],
    ));
    if is_bound_by_ancestor(node, "lib") {
        finding.fix(Fix::unsafe_(
            "Use `lib.cleanSource`, named \"source\"",
            vec![TextEdit::replace(
                path.syntax().text_range(),
                format!("lib.cleanSource {path_text}"),
            )],
        ));
    }
}

/// The builder whose arguments the attribute set is: `f { … }` or `f (finalAttrs: { … })`.
fn builder_of(set: &SyntaxNode) -> Option<String> {
    let mut current = set.clone();
    loop {
        let parent = current.parent()?;
        match parent.kind() {
            SyntaxKind::NODE_PAREN => current = parent,
            SyntaxKind::NODE_LAMBDA => {
                let lambda = ast::Lambda::cast(parent.clone())?;
                if lambda.body()?.syntax() != &current {
                    return None;
                }
                current = parent;
            }
            SyntaxKind::NODE_APPLY => {
                let call = call_at(&parent)?;
                if call.args.last()?.syntax() != &current {
                    return None;
                }
                let name = call.name()?;
                let last = name.rsplit('.').next()?;
                return BUILDERS
                    .iter()
                    .any(|builder| last.ends_with(builder))
                    .then(|| name.to_owned());
            }
            _ => return None,
        }
    }
}

/// Whether a name is valid for a store path.
fn is_store_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-._?=".contains(&b))
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_unsafe_fix};

    use super::UNNAMED_SOURCE_PATH;

    #[test]
    fn directory_sources_of_builders() {
        check(
            &UNNAMED_SOURCE_PATH,
            r#"
{ stdenv, rustPlatform, mkShell }:
{
  a = stdenv.mkDerivation { pname = "a"; version = "1"; src = ./.; };
#                                                       ^^^^^^^^^^ hint[unnamed-source-path]: `src = ./.` in `stdenv.mkDerivation` names the store path after the folder the checkout is in
  b = rustPlatform.buildRustPackage (finalAttrs: { pname = "b"; src = ../.; });
#                                                               ^^^^^^^^^^^ hint[unnamed-source-path]: `src = ../.` in `rustPlatform.buildRustPackage` names the store path after the folder the checkout is in
  c = stdenv.mkDerivation { src = (./.); };
#                           ^^^^^^^^^^^^ hint[unnamed-source-path]: `src = ./.` in `stdenv.mkDerivation` names the store path after the folder the checkout is in
}
"#,
        );
    }

    #[test]
    fn other_sources_and_places_are_fine() {
        check(
            &UNNAMED_SOURCE_PATH,
            r#"
{ stdenv, lib }:
[
  (stdenv.mkDerivation { src = ./src; })
  (stdenv.mkDerivation { src = lib.cleanSource ./.; })
  (stdenv.mkDerivation { src = builtins.path { path = ./.; name = "x"; }; })
  (stdenv.mkDerivation { passthru.src = ./.; })
  (runCommand "x" { src = ./.; } "cp -r $src $out")
  { src = ./.; }
]
"#,
        );
        check(
            &UNNAMED_SOURCE_PATH,
            "#- /flake.nix\n{ outputs = { nixpkgs, ... }: { x = nixpkgs.stdenv.mkDerivation { src = ./.; }; }; }\n",
        );
    }

    #[test]
    fn unsafe_fix_names_the_source() {
        check_unsafe_fix(
            &UNNAMED_SOURCE_PATH,
            "stdenv.mkDerivation { pname = \"hello\"; src = ./.; }\n",
            "stdenv.mkDerivation { pname = \"hello\"; src = builtins.path { path = ./.; name = \"hello\"; }; }\n",
        );
        check_unsafe_fix(
            &UNNAMED_SOURCE_PATH,
            "{ lib, stdenv }: stdenv.mkDerivation { pname = \"${x}\"; src = ./.; }\n",
            "{ lib, stdenv }: stdenv.mkDerivation { pname = \"${x}\"; src = builtins.path { path = ./.; name = \"source\"; }; }\n",
        );
        // The store path changes, so it is never a safe fix.
        let before = "mkShell { src = ./.; }\n";
        check_fix(&UNNAMED_SOURCE_PATH, before, before);
    }

    #[test]
    fn lib_clean_source_is_offered_when_lib_is_in_scope() {
        let text = "{ lib, stdenv }: stdenv.mkDerivation { src = ./.; }\n";
        let report = crate::check(text, None, &crate::Config::default());
        let titles: Vec<&str> = report
            .diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.code == "NIX206")
            .flat_map(|diagnostic| diagnostic.fixes.iter().map(|fix| fix.title.as_str()))
            .collect();
        assert_eq!(
            titles,
            [
                "Wrap in `builtins.path` named \"source\"",
                "Use `lib.cleanSource`, named \"source\""
            ]
        );
    }
}
