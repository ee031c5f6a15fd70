//! NIX508: nixpkgs configuration that lets insecure, broken or (optionally) unfree packages in.

use syntax::ast::{self, Expr};
use syntax::helpers::unwrap_parens;
use syntax::{AstNode, SyntaxKind, SyntaxNode};

use crate::diagnostic::Severity;
use crate::fetchers::{builtin_name, call_at};
use crate::lint::{declare_lint, Findings, LintCtx, LintOption, OptionDefault};
use crate::module_context::{is_bool, is_module_file, literal_string, optpath, unwrap, OptPath};

declare_lint! {
    /// ## What it does
    /// Checks the nixpkgs configuration — `nixpkgs.config.X` in a module, or the `config` of
    /// `import nixpkgs { config = { … }; }` in any file — for policies that let packages in that
    /// nixpkgs keeps out by default:
    ///
    /// - `permittedInsecurePackages` with a non-empty list (a warning that names the packages);
    /// - `allowInsecurePredicate` set to a function that returns `true` (an error);
    /// - `allowBroken = true` (information);
    /// - with the option `unfree = true`: `allowUnfree = true` and
    ///   `allowUnfreePredicate = _: true` (information). This is off by default, since it is a
    ///   licence policy rather than a security one.
    ///
    /// ## Why is this bad?
    /// Packages are marked insecure because they have known, unfixed vulnerabilities; a
    /// permitted one stays in the system after the need for it is gone, and a predicate that
    /// accepts everything hides every future warning. Broken packages usually fail to build or
    /// misbehave. There is no fix: permit only the exact versions you need, and remove them
    /// when you can.
    ///
    /// ## Example
    /// ```nix
    /// { nixpkgs.config.allowInsecurePredicate = _: true; }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// { nixpkgs.config.permittedInsecurePackages = [ "olm-3.2.16" ]; }
    /// ```
    pub(crate) static NIXPKGS_POLICY_RELAXED = {
        code: "NIX508",
        name: "nixpkgs-policy-relaxed",
        category: Security,
        severity: Warning,
        fix: None,
        tags: [],
        kinds: [NODE_ATTRPATH_VALUE],
        reach: Entry,
        options: [LintOption {
            name: "unfree",
            default: OptionDefault::Bool(false),
            doc: "Also report `allowUnfree = true` and `allowUnfreePredicate = _: true`.",
        }],
        check: check_binding,
    };
}

const KEYS: &[&str] = &[
    "permittedInsecurePackages",
    "allowInsecurePredicate",
    "allowBroken",
    "allowUnfree",
    "allowUnfreePredicate",
];

fn check_binding(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(binding) = ast::AttrpathValue::cast(node.clone()) else {
        return;
    };
    let Some(key) = ctx.last_key(&binding) else {
        return;
    };
    let key = key.as_str();
    if !KEYS.contains(&key) {
        return;
    }
    let Some(path) = optpath(&binding) else {
        return;
    };
    let in_module = is_module_file(ctx.root) && path.matches(&["nixpkgs", "config", key]);
    if !in_module && !is_import_config(ctx, &path) {
        return;
    }
    let Some(value) = binding.value() else { return };
    let values = unwrap(value);
    let dotted = if in_module {
        path.dotted()
    } else {
        format!("config.{}", path.dotted())
    };
    let range = binding
        .attrpath()
        .map_or(node.text_range(), |attrpath| attrpath.syntax().text_range());
    let returns_true = |value: &Expr| {
        matches!(value, Expr::Lambda(lambda)
            if lambda.body().is_some_and(|body| is_bool(&unwrap_parens(body), true)))
    };
    match key {
        "permittedInsecurePackages" => {
            let Some(Expr::List(list)) = values.into_iter().find(|v| matches!(v, Expr::List(_)))
            else {
                return;
            };
            let items: Vec<Expr> = list.items().collect();
            if items.is_empty() {
                return;
            }
            let names: Vec<String> = items
                .iter()
                .filter_map(|item| literal_string(&unwrap_parens(item.clone())))
                .map(|name| format!("`{name}`"))
                .collect();
            let message = if names.len() == items.len() {
                format!(
                    "`{dotted}` lets in packages with known vulnerabilities: {}",
                    names.join(", ")
                )
            } else {
                format!("`{dotted}` lets in packages with known vulnerabilities")
            };
            findings.report(range, message);
        }
        "allowInsecurePredicate" if values.iter().any(returns_true) => {
            findings
                .report(
                    range,
                    format!("`{dotted}` accepts every package with known vulnerabilities"),
                )
                .severity(Severity::Error);
        }
        "allowBroken" if values.iter().any(|value| is_bool(value, true)) => {
            findings
                .report(
                    range,
                    format!("`{dotted} = true` lets in packages marked broken"),
                )
                .severity(Severity::Info);
        }
        "allowUnfree" | "allowUnfreePredicate" if ctx.bool_option("unfree") => {
            let accepts_all = values
                .iter()
                .any(|value| is_bool(value, true) || returns_true(value));
            if accepts_all {
                findings
                    .report(range, format!("`{dotted}` lets in every unfree package"))
                    .severity(Severity::Info);
            }
        }
        _ => {}
    }
}

/// Whether a path is `config.X` in the argument of `import <nixpkgs source> { … }`.
fn is_import_config(ctx: &LintCtx<'_>, path: &OptPath) -> bool {
    if !path.config_dropped || path.segments.len() != 1 {
        return false;
    }
    let mut current = path.root.clone();
    while let Some(parent) = current.parent() {
        if parent.kind() != SyntaxKind::NODE_PAREN {
            let Some(call) = call_at(&parent) else {
                return false;
            };
            return call.args.len() == 2
                && call.args[1].syntax() == &current
                && builtin_name(ctx, &call.function).as_deref() == Some("import");
        }
        current = parent;
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_no_fix, check_with_config};

    use super::NIXPKGS_POLICY_RELAXED;

    #[test]
    fn relaxed_policies_in_modules() {
        check_no_fix(
            &NIXPKGS_POLICY_RELAXED,
            r#"
{ lib, ... }:
{
  nixpkgs.config = {
    permittedInsecurePackages = [ "olm-3.2.16" "openssl-1.1.1w" ];
#   ^^^^^^^^^^^^^^^^^^^^^^^^^ warning[nixpkgs-policy-relaxed]: `nixpkgs.config.permittedInsecurePackages` lets in packages with known vulnerabilities: `olm-3.2.16`, `openssl-1.1.1w`
    allowInsecurePredicate = _: true;
#   ^^^^^^^^^^^^^^^^^^^^^^ error[nixpkgs-policy-relaxed]: `nixpkgs.config.allowInsecurePredicate` accepts every package with known vulnerabilities
    allowBroken = lib.mkDefault true;
#   ^^^^^^^^^^^ info[nixpkgs-policy-relaxed]: `nixpkgs.config.allowBroken = true` lets in packages marked broken
    allowUnfree = true;
  };
}
"#,
        );
    }

    #[test]
    fn import_config_in_any_file() {
        check(
            &NIXPKGS_POLICY_RELAXED,
            r#"
let
  pkgs = import <nixpkgs> { config.permittedInsecurePackages = [ pkg ]; overlays = [ ]; };
#                           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[nixpkgs-policy-relaxed]: `config.permittedInsecurePackages` lets in packages with known vulnerabilities
  other = f { config.allowBroken = true; };
in pkgs
"#,
        );
    }

    #[test]
    fn unfree_only_when_asked() {
        check_with_config(
            &NIXPKGS_POLICY_RELAXED,
            "[lints.nixpkgs-policy-relaxed]\nunfree = true",
            r#"
{
  nixpkgs.config.allowUnfree = true;
# ^^^^^^^^^^^^^^^^^^^^^^^^^^ info[nixpkgs-policy-relaxed]: `nixpkgs.config.allowUnfree` lets in every unfree package
  nixpkgs.config.allowUnfreePredicate = (_: true);
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ info[nixpkgs-policy-relaxed]: `nixpkgs.config.allowUnfreePredicate` lets in every unfree package
}
"#,
        );
    }

    #[test]
    fn strict_policies_are_fine() {
        check(
            &NIXPKGS_POLICY_RELAXED,
            r#"
{ lib, ... }:
{
  nixpkgs.config.permittedInsecurePackages = [ ];
  nixpkgs.config.allowInsecurePredicate = pkg: lib.elem (lib.getName pkg) [ "olm" ];
  nixpkgs.config.allowBroken = false;
  services.foo.config.allowBroken = true;
  options.nixpkgs.config.allowBroken = lib.mkOption { default = true; };
}
"#,
        );
    }
}
