//! NIX305: packages without a `default`, and flakes without a default dev shell.

use syntax::ast;
use syntax::helpers::node_at;
use syntax::helpers::{append_entry, is_plain_ident, quote_string};
use syntax::SyntaxKind;
use syntax::{AstNode, SyntaxNode, TextEdit};

use crate::diagnostic::Fix;
use crate::flake::model::{FamilyPart, FlakeModel, OutputFamily};
use crate::lint::{declare_lint, Findings, LintCtx, LintOption, OptionDefault};

declare_lint! {
    /// ## What it does
    /// Checks that each system's `packages` has a `default` entry, and that a flake with
    /// `packages` or `checks` has `devShells.<system>.default`. The option `require` lists the
    /// defaults to check, as `family.default` separated by commas; `apps.default` may be added.
    ///
    /// ## Why is this bad?
    /// `nix build`, `nix run` and `nix develop` without an attribute look for the `default`
    /// entries; without them, users have to know the names, and `nix develop` falls back to the
    /// build environment of a package, if any.
    ///
    /// ## Example
    /// ```nix
    /// {
    ///   outputs = { self, nixpkgs }: {
    ///     packages.x86_64-linux = { hello = nixpkgs.legacyPackages.x86_64-linux.hello; };
    ///   };
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// {
    ///   outputs = { self, nixpkgs }: {
    ///     packages.x86_64-linux = {
    ///       hello = nixpkgs.legacyPackages.x86_64-linux.hello;
    ///       default = self.packages.x86_64-linux.hello;
    ///     };
    ///   };
    /// }
    /// ```
    ///
    /// When a system has exactly one package, the fix adds `default` pointing to it, which only
    /// adds an attribute; it is safe.
    pub(crate) static MISSING_DEFAULT_OUTPUTS = {
        code: "NIX305",
        name: "missing-default-outputs",
        category: Flake,
        severity: Info,
        fix: Safe,
        tags: [],
        kinds: [NODE_ROOT],
        options: [LintOption {
            name: "require",
            default: OptionDefault::Str("packages.default, devShells.default"),
            doc: "The default outputs to require, as `family.default` separated by commas.",
        }],
        check: check_root,
    };
}

fn check_root(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    if !ctx.is_flake() {
        return;
    }
    let Some(outputs) = FlakeModel::read(node).and_then(|model| model.outputs) else {
        return;
    };
    let require = ctx.str_option("require");
    let required: Vec<&str> = require
        .split(',')
        .filter_map(|item| item.trim().strip_suffix(".default"))
        .collect();
    for family_name in &required {
        let families: Vec<&OutputFamily> = outputs.families_named(family_name).collect();
        for family in &families {
            for part in &family.parts {
                check_part(ctx, node, family, part, findings);
            }
        }
        if *family_name == "devShells"
            && families.is_empty()
            && !outputs.opaque
            && (outputs.has_family("packages") || outputs.has_family("checks"))
        {
            findings.report(
                outputs.key_range,
                "No `devShells.<system>.default`: `nix develop` has no shell of its own",
            );
        }
    }
}

fn check_part(
    ctx: &LintCtx<'_>,
    root: &SyntaxNode,
    family: &OutputFamily,
    part: &FamilyPart,
    findings: &mut Findings,
) {
    let Some(names) = &part.names else { return };
    // Other definitions of the same system (`packages.x86_64-linux.a = …; packages.x86_64-linux.b = …;`)
    // are separate parts: only a set that holds all of them can lack `default`.
    if part.set.is_none() || names.iter().any(|(name, _)| name == "default") {
        return;
    }
    let (range, what) = match &part.system {
        Some(system) => (
            system.range.unwrap_or(family.key_range),
            format!("`{}.{}`", family.name, system.name),
        ),
        None => (family.key_range, format!("`{}`", family.name)),
    };
    let finding = findings.report(range, format!("{what} has no `default` entry"));
    let [(only, _)] = names.as_slice() else {
        return;
    };
    let (Some(own), Some(set)) = (&part.self_expr, part.set) else {
        return;
    };
    let Some(set) = node_at(root, set, SyntaxKind::NODE_ATTR_SET).and_then(ast::AttrSet::cast)
    else {
        return;
    };
    if syntax::helpers::rec_token(&set).is_some() && only == "default" {
        return;
    }
    let attr = if is_plain_ident(only) {
        only.clone()
    } else {
        quote_string(only)
    };
    let binding = format!("default = {own}.{attr};");
    if let Some((offset, text)) = append_entry(ctx.text, &set, &binding) {
        finding.fix(Fix::safe(
            format!("Make `{only}` the default"),
            vec![TextEdit::insert(offset, text)],
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_with_config};

    use super::MISSING_DEFAULT_OUTPUTS;

    #[test]
    fn packages_without_default() {
        check(
            &MISSING_DEFAULT_OUTPUTS,
            r#"#- /flake.nix
{
  outputs = { self }: {
    packages.x86_64-linux = { hello = 1; };
#            ^^^^^^^^^^^^ info[missing-default-outputs]: `packages.x86_64-linux` has no `default` entry
    packages.aarch64-linux = { default = 1; };
    devShells.x86_64-linux.default = 2;
  };
}
"#,
        );
    }

    #[test]
    fn no_dev_shell() {
        check(
            &MISSING_DEFAULT_OUTPUTS,
            r#"#- /flake.nix
{
  outputs = { self }: {
# ^^^^^^^ info[missing-default-outputs]: No `devShells.<system>.default`: `nix develop` has no shell of its own
    packages.x86_64-linux.default = 1;
  };
}
"#,
        );
    }

    #[test]
    fn per_system_wrappers() {
        check(
            &MISSING_DEFAULT_OUTPUTS,
            r#"#- /flake.nix
{
  outputs = { self, flake-utils }: flake-utils.lib.eachDefaultSystem (system: {
    packages = { a = 1; b = 2; };
#   ^^^^^^^^ info[missing-default-outputs]: `packages` has no `default` entry
    devShells.default = 3;
  });
}
"#,
        );
    }

    #[test]
    fn single_package_becomes_the_default() {
        check_fix(
            &MISSING_DEFAULT_OUTPUTS,
            "#- /flake.nix\n{ outputs = { self }: { packages.x86_64-linux = { hello = 1; }; devShells.x86_64-linux.default = 2; }; }\n",
            "#- /flake.nix\n{ outputs = { self }: { packages.x86_64-linux = { hello = 1; default = self.packages.x86_64-linux.hello; }; devShells.x86_64-linux.default = 2; }; }\n",
        );
        check_fix(
            &MISSING_DEFAULT_OUTPUTS,
            "#- /flake.nix\n{ outputs = { self, u }: u.lib.eachDefaultSystem (system: { packages = {\n  hello = 1;\n}; devShells.default = 2; }); }\n",
            "#- /flake.nix\n{ outputs = { self, u }: u.lib.eachDefaultSystem (system: { packages = {\n  hello = 1;\n  default = self.packages.${system}.hello;\n}; devShells.default = 2; }); }\n",
        );
    }

    #[test]
    fn opaque_and_separate_definitions_are_not_reported() {
        check(
            &MISSING_DEFAULT_OUTPUTS,
            r#"#- /flake.nix
{
  outputs = { self }: {
    packages.x86_64-linux.a = 1;
    packages.x86_64-linux.default = 2;
    packages.aarch64-linux = import ./packages.nix;
    devShells = import ./shells.nix;
  };
}
"#,
        );
    }

    #[test]
    fn required_defaults_are_configurable() {
        check_with_config(
            &MISSING_DEFAULT_OUTPUTS,
            "[lints.missing-default-outputs]\nrequire = \"apps.default\"",
            r#"#- /flake.nix
{
  outputs = { self }: {
    packages.x86_64-linux.a = 1;
    apps.x86_64-linux = { run = 1; };
#        ^^^^^^^^^^^^ info[missing-default-outputs]: `apps.x86_64-linux` has no `default` entry
  };
}
"#,
        );
    }
}
