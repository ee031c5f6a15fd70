//! NIX602: import from derivation: reading a file that a build has to produce first.

use syntax::ast::{self, Expr, InterpolPart};
use syntax::helpers::{attr_name, dotted_name, last_name_token, unwrap_parens};
use syntax::{AstNode, SyntaxKind, SyntaxNode};

use crate::diagnostic::Severity;
use crate::lint::{declare_lint, Findings, LintCtx};
use crate::lints::unused_with::is_builtin_reference;

declare_lint! {
    /// ## What it does
    /// Checks for `import`, `builtins.readFile`, `builtins.readDir` and `builtins.pathExists`
    /// (and so `builtins.fromJSON (builtins.readFile …)`) applied to a path that a derivation
    /// produces: a string that interpolates a non-path value (`"${drv}/default.nix"`), the result
    /// of `runCommand`, `runCommandLocal`, `writeText…`, `fetchFromGitHub`, `fetchurl`,
    /// `fetchgit`, `fetchzip`, `callPackage` or `mkDerivation`, or an attribute of one. Under
    /// `hydraJobs` it is an error. The inputs of a flake (`self`, `inputs.…`), NixOS's
    /// `modulesPath`, nixpkgs' `pkgs.path` and `toString p` (a path as a string) are sources,
    /// not builds, and are not reported.
    ///
    /// ## Why is this bad?
    /// Evaluation stops until the derivation is built (import from derivation): `nix flake
    /// show`, `nix search` and evaluation on machines that cannot build for the system become
    /// slow or fail. Hydra and `nix flake check` do not allow it for `hydraJobs`.
    ///
    /// ## Example
    /// ```nix
    /// let src = pkgs.fetchFromGitHub { owner = "o"; repo = "r"; rev = "v1"; hash = "…"; };
    /// in import "${src}/package.nix" { }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// let src = builtins.fetchTarball { url = "https://github.com/o/r/archive/v1.tar.gz"; sha256 = "…"; };
    /// in import "${src}/package.nix" { }
    /// ```
    /// (a builtin fetcher runs during evaluation), or commit the generated file.
    pub(crate) static IMPORT_FROM_DERIVATION = {
        code: "NIX602",
        name: "import-from-derivation",
        category: Performance,
        severity: Warning,
        fix: None,
        tags: [],
        kinds: [NODE_APPLY],
        reach: Entry,
        check: check_apply,
    };
}

/// The readers that evaluate their argument's file.
const READERS: &[&str] = &["readFile", "readDir", "pathExists"];

/// Builders whose result is a store path produced by a build.
const BUILDERS: &[&str] = &[
    "runCommand",
    "runCommandLocal",
    "fetchFromGitHub",
    "fetchurl",
    "fetchgit",
    "fetchzip",
    "callPackage",
    "mkDerivation",
];

/// The name of the reading builtin this apply calls directly.
fn reader(ctx: &LintCtx<'_>, callee: &Expr) -> Option<String> {
    // Most applies call something else: look at the last name before building the whole one.
    let last = last_name_token(callee)?;
    if !(last.text() == "import" || READERS.contains(&last.text())) {
        return None;
    }
    let name = dotted_name(callee)?;
    let scope = ctx.scope();
    if name == "import" {
        return is_builtin_reference(scope, callee.syntax().text_range(), "import").then_some(name);
    }
    let member = name.strip_prefix("builtins.")?;
    let Expr::Select(select) = callee else {
        return None;
    };
    let base = select.expr()?;
    (READERS.contains(&member)
        && is_builtin_reference(scope, base.syntax().text_range(), "builtins"))
    .then_some(name)
}

/// Whether an expression is a call of a builder that produces its output by a build.
fn is_build(expr: &Expr) -> bool {
    let Expr::Apply(apply) = unwrap_parens(expr.clone()) else {
        return false;
    };
    let mut function = apply.lambda();
    while let Some(Expr::Apply(inner)) = function {
        function = inner.lambda();
    }
    let Some(name) = function.as_ref().and_then(dotted_name) else {
        return false;
    };
    if name.starts_with("builtins.") {
        return false;
    }
    let last = name.rsplit('.').next().unwrap_or(&name);
    BUILDERS.contains(&last) || last.starts_with("writeText")
}

/// Whether a value interpolated into a path string is a flake's source rather than a build.
fn is_source(expr: &Expr) -> bool {
    if matches!(
        expr,
        Expr::PathAbs(_) | Expr::PathRel(_) | Expr::PathHome(_) | Expr::PathSearch(_)
    ) {
        return true;
    }
    // `toString p` turns a path into a string without copying it, which only paths need.
    if let Expr::Apply(apply) = expr {
        let callee = apply.lambda().and_then(|callee| dotted_name(&callee));
        if matches!(callee.as_deref(), Some("toString" | "builtins.toString")) {
            return true;
        }
    }
    dotted_name(expr).is_some_and(|name| {
        let first = name.split('.').next().unwrap_or(&name);
        // NixOS's `modulesPath` and nixpkgs' `pkgs.path` are the nixpkgs source.
        matches!(first, "self" | "inputs" | "modulesPath") || name == "pkgs.path"
    })
}

/// Why the argument is built by a derivation, if it is.
fn built_argument(argument: &Expr) -> bool {
    match unwrap_parens(argument.clone()) {
        Expr::Str(string) => string.normalized_parts().into_iter().any(|part| {
            let InterpolPart::Interpolation(interpolation) = part else {
                return false;
            };
            interpolation
                .expr()
                .map(unwrap_parens)
                .is_some_and(|inner| !is_source(&inner))
        }),
        Expr::Select(select) => select.expr().is_some_and(|base| is_build(&base)),
        other => is_build(&other),
    }
}

/// Whether the node is in the value of a `hydraJobs` attribute.
fn under_hydra_jobs(node: &SyntaxNode) -> bool {
    node.ancestors()
        .filter(|ancestor| ancestor.kind() == SyntaxKind::NODE_ATTRPATH_VALUE)
        .filter_map(ast::AttrpathValue::cast)
        .filter_map(|binding| binding.attrpath())
        .any(|path| {
            path.attrs()
                .any(|attr| attr_name(&attr).as_deref() == Some("hydraJobs"))
        })
}

fn check_apply(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(apply) = ast::Apply::cast(node.clone()) else {
        return;
    };
    let (Some(callee), Some(argument)) = (apply.lambda(), apply.argument()) else {
        return;
    };
    let Some(name) = reader(ctx, &callee) else {
        return;
    };
    if !built_argument(&argument) {
        return;
    }
    let message = format!(
        "`{name}` of a path a derivation builds stops evaluation for a build (import from derivation): use a builtin fetcher or commit the generated file"
    );
    if under_hydra_jobs(node) {
        findings
            .report(
                node.text_range(),
                format!("{message}; Hydra and `nix flake check` refuse it in `hydraJobs`"),
            )
            .severity(Severity::Error);
    } else {
        findings.report(node.text_range(), message);
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_no_fix};

    use super::IMPORT_FROM_DERIVATION;

    #[test]
    fn reads_of_built_paths() {
        check_no_fix(
            &IMPORT_FROM_DERIVATION,
            r#"
[
  (import "${drv}/default.nix")
#  ^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[import-from-derivation]: `import` of a path a derivation builds stops evaluation for a build (import from derivation): use a builtin fetcher or commit the generated file
  (builtins.fromJSON (builtins.readFile (pkgs.runCommand "x" { } "echo {} > $out")))
#                     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[import-from-derivation]: `builtins.readFile` of a path a derivation builds stops evaluation for a build (import from derivation): use a builtin fetcher or commit the generated file
  (builtins.readDir (pkgs.fetchFromGitHub { owner = "o"; repo = "r"; rev = "v"; hash = ""; }).outPath)
#  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[import-from-derivation]: `builtins.readDir` of a path a derivation builds stops evaluation for a build (import from derivation): use a builtin fetcher or commit the generated file
  (builtins.pathExists (writeTextFile { name = "x"; text = ""; }))
#  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[import-from-derivation]: `builtins.pathExists` of a path a derivation builds stops evaluation for a build (import from derivation): use a builtin fetcher or commit the generated file
]
"#,
        );
    }

    #[test]
    fn sources_and_builtin_fetchers_pass() {
        check(
            &IMPORT_FROM_DERIVATION,
            r#"
[
  (import ./default.nix)
  (import "${./nix}/default.nix")
  (import "${self}/lib.nix")
  (import "${inputs.nixpkgs}/nixos/lib/eval-config.nix")
  (import (builtins.fetchurl "https://example.org/x.nix"))
  (builtins.readFile "/etc/hosts")
  (pkgs.callPackage ./package.nix { })
  (let import = f: f; in import "${drv}/x.nix")
  (builtins.readFile "${toString path}.narHash")
  (import "${modulesPath}/../lib/eval-config.nix")
  (import "${pkgs.path}/nixos/lib" { })
]
"#,
        );
    }

    #[test]
    fn an_error_under_hydra_jobs() {
        check(
            &IMPORT_FROM_DERIVATION,
            r#"
{
  hydraJobs.x86_64-linux.docs = import "${generated}/docs.nix";
#                               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error[import-from-derivation]: `import` of a path a derivation builds stops evaluation for a build (import from derivation): use a builtin fetcher or commit the generated file; Hydra and `nix flake check` refuse it in `hydraJobs`
}
"#,
        );
    }
}
