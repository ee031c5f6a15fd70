//! NIX304: a flake with per-system outputs but no `formatter` or no `checks`.

use syntax::ast;
use syntax::helpers::append_entry;
use syntax::helpers::node_at;
use syntax::SyntaxKind;
use syntax::{AstNode, SyntaxNode, TextEdit};

use crate::diagnostic::Fix;
use crate::flake::model::{FlakeModel, Outputs, Wrapper};
use crate::lint::{declare_lint, Findings, LintCtx};

declare_lint! {
    /// ## What it does
    /// Checks that a flake with per-system outputs (`packages`, `devShells`, `apps`,
    /// `legacyPackages`) also defines a `formatter` (also through flake-parts' `perSystem` or a
    /// `treefmt` module) and `checks`. The systems that have outputs are named in the message.
    /// Flakes whose outputs cannot all be read (flake-parts `imports`, outputs built by a
    /// function) are not reported.
    ///
    /// ## Why is this bad?
    /// `nix fmt` needs `formatter.<system>` to format the project, and `nix flake check` builds
    /// only `checks`: without them, CI evaluates the flake but tests nothing, and contributors
    /// format by hand.
    ///
    /// ## Example
    /// ```nix
    /// {
    ///   outputs = { self, nixpkgs }: {
    ///     packages.x86_64-linux.default = nixpkgs.legacyPackages.x86_64-linux.hello;
    ///   };
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// {
    ///   outputs = { self, nixpkgs }: {
    ///     packages.x86_64-linux.default = nixpkgs.legacyPackages.x86_64-linux.hello;
    ///     formatter.x86_64-linux = nixpkgs.legacyPackages.x86_64-linux.nixfmt-tree;
    ///     checks = self.packages;
    ///   };
    /// }
    /// ```
    ///
    /// The fixes add `formatter` with nixpkgs' `nixfmt-tree` (which formats the whole tree when
    /// `nix fmt` runs without arguments) and `checks` that build the packages. They are unsafe:
    /// they add outputs, and the formatter is a choice.
    pub(crate) static MISSING_CI_OUTPUTS = {
        code: "NIX304",
        name: "missing-ci-outputs",
        category: Flake,
        severity: Info,
        fix: Unsafe,
        tags: [],
        kinds: [NODE_ROOT],
        check: check_root,
    };
}

/// Families that make a flake "have per-system outputs" for this lint.
const OUTPUT_FAMILIES: &[&str] = &[
    "packages",
    "devShells",
    "apps",
    "legacyPackages",
    "defaultPackage",
    "devShell",
    "defaultApp",
];

const FORMATTER: &str = "nixfmt-tree";

fn check_root(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    if !ctx.is_flake() {
        return;
    }
    let Some(model) = FlakeModel::read(node) else {
        return;
    };
    let Some(outputs) = &model.outputs else {
        return;
    };
    if outputs.opaque
        || !outputs
            .families
            .iter()
            .any(|family| OUTPUT_FAMILIES.contains(&family.name.as_str()))
    {
        return;
    }
    let systems = outputs.declared_systems();
    let systems = if systems.is_empty() {
        String::new()
    } else {
        format!(" (systems with outputs: {})", systems.join(", "))
    };
    let has_formatter = outputs.has_family("formatter") || outputs.has_family("treefmt");
    if !has_formatter {
        let finding = findings.report(
            outputs.key_range,
            format!("No `formatter` output: `nix fmt` has nothing to run{systems}"),
        );
        if let Some(edit) = formatter_edit(ctx, node, &model, outputs) {
            finding.fix(Fix::unsafe_("Add a `formatter` output", vec![edit]));
        }
    }
    if !outputs.has_family("checks") {
        let finding = findings.report(
            outputs.key_range,
            format!("No `checks` output: `nix flake check` builds nothing{systems}"),
        );
        if let Some(edit) = checks_edit(ctx, node, outputs) {
            finding.fix(Fix::unsafe_(
                "Add `checks` that build the packages",
                vec![edit],
            ));
        }
    }
}

fn set_at(root: &SyntaxNode, range: syntax::TextRange) -> Option<ast::AttrSet> {
    node_at(root, range, SyntaxKind::NODE_ATTR_SET).and_then(ast::AttrSet::cast)
}

fn insert(
    ctx: &LintCtx<'_>,
    root: &SyntaxNode,
    set: syntax::TextRange,
    binding: &str,
) -> Option<TextEdit> {
    let set = set_at(root, set)?;
    let (offset, text) = append_entry(ctx.text, &set, binding)?;
    Some(TextEdit::insert(offset, text))
}

fn formatter_edit(
    ctx: &LintCtx<'_>,
    root: &SyntaxNode,
    model: &FlakeModel,
    outputs: &Outputs,
) -> Option<TextEdit> {
    let params = outputs.params.as_ref()?;
    let nixpkgs = (model.input("nixpkgs").is_some() || params.formal("nixpkgs").is_some())
        .then(|| params.input_expr("nixpkgs"))
        .flatten();
    if let Some(per_system) = outputs.per_system_sets.first() {
        let binding = match per_system.wrapper {
            Wrapper::FlakeParts => {
                if !per_system.formals.iter().any(|formal| formal == "pkgs") {
                    return None;
                }
                format!("formatter = pkgs.{FORMATTER};")
            }
            Wrapper::FlakeUtils => {
                let system = per_system.system_var.as_ref()?;
                format!(
                    "formatter = {}.legacyPackages.${{{system}}}.{FORMATTER};",
                    nixpkgs?
                )
            }
        };
        return insert(ctx, root, per_system.set, &binding);
    }
    let set = *outputs.top_sets.first()?;
    let nixpkgs = nixpkgs?;
    if let Some(helper) = outputs.helpers.iter().find(|helper| helper.passes_system) {
        let binding = format!(
            "formatter = {} (system: {nixpkgs}.legacyPackages.${{system}}.{FORMATTER});",
            helper.name
        );
        return insert(ctx, root, set, &binding);
    }
    if !outputs.helpers.is_empty() || outputs.systems_unknown {
        return None;
    }
    let systems = outputs.declared_systems();
    if systems.is_empty()
        || systems
            .iter()
            .any(|system| !syntax::helpers::is_plain_ident(system))
    {
        return None;
    }
    let entries: Vec<String> = systems
        .iter()
        .map(|system| format!("{system} = {nixpkgs}.legacyPackages.{system}.{FORMATTER};"))
        .collect();
    insert(
        ctx,
        root,
        set,
        &format!("formatter = {{ {} }};", entries.join(" ")),
    )
}

fn checks_edit(ctx: &LintCtx<'_>, root: &SyntaxNode, outputs: &Outputs) -> Option<TextEdit> {
    let packages: Vec<_> = outputs.families_named("packages").collect();
    if packages.is_empty() {
        return None;
    }
    if let Some(top) = packages.iter().find(|family| !family.per_system) {
        let params = outputs.params.as_ref()?;
        let own = if params.formal("self").is_some() {
            "self".to_owned()
        } else {
            format!("{}.self", params.all_inputs_name()?)
        };
        return insert(ctx, root, top.set, &format!("checks = {own}.packages;"));
    }
    let family = packages.first()?;
    let own = family.parts.first()?.self_expr.as_ref()?;
    insert(ctx, root, family.set, &format!("checks = {own};"))
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_unsafe_fix};

    use super::MISSING_CI_OUTPUTS;

    #[test]
    fn plain_flake_without_formatter_or_checks() {
        check(
            &MISSING_CI_OUTPUTS,
            r#"#- /flake.nix
{
  outputs = { self, nixpkgs }: {
# ^^^^^^^ info[missing-ci-outputs]: No `formatter` output: `nix fmt` has nothing to run (systems with outputs: x86_64-linux)
# ^^^^^^^ info[missing-ci-outputs]: No `checks` output: `nix flake check` builds nothing (systems with outputs: x86_64-linux)
    packages.x86_64-linux.default = 1;
  };
}
"#,
        );
    }

    #[test]
    fn complete_and_library_flakes() {
        check(
            &MISSING_CI_OUTPUTS,
            r#"#- /flake.nix
{
  outputs = { self, nixpkgs, flake-utils }: flake-utils.lib.eachDefaultSystem (system: {
    packages.default = 1;
    formatter = nixpkgs.legacyPackages.${system}.nixfmt-tree;
    checks.default = self.packages.${system}.default;
  });
}
"#,
        );
        check(
            &MISSING_CI_OUTPUTS,
            "#- /flake.nix\n{ outputs = _: { lib = { }; nixosModules.default = ./m.nix; }; }\n",
        );
        check(
            &MISSING_CI_OUTPUTS,
            "#- /flake.nix\n{ outputs = inputs: import ./outputs.nix inputs; }\n",
        );
    }

    #[test]
    fn fixes_for_flake_utils() {
        check_unsafe_fix(
            &MISSING_CI_OUTPUTS,
            r#"#- /flake.nix
{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  outputs = { self, nixpkgs, flake-utils }: flake-utils.lib.eachDefaultSystem (system: {
    packages.default = 1;
  });
}
"#,
            r#"#- /flake.nix
{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  outputs = { self, nixpkgs, flake-utils }: flake-utils.lib.eachDefaultSystem (system: {
    packages.default = 1;
    formatter = nixpkgs.legacyPackages.${system}.nixfmt-tree;
    checks = self.packages.${system};
  });
}
"#,
        );
    }

    #[test]
    fn fixes_for_helpers_and_literal_systems() {
        check_unsafe_fix(
            &MISSING_CI_OUTPUTS,
            r#"#- /flake.nix
{
  outputs = { self, nixpkgs }:
    let forAllSystems = nixpkgs.lib.genAttrs [ "x86_64-linux" ]; in {
      packages = forAllSystems (system: { default = 1; });
    };
}
"#,
            r#"#- /flake.nix
{
  outputs = { self, nixpkgs }:
    let forAllSystems = nixpkgs.lib.genAttrs [ "x86_64-linux" ]; in {
      packages = forAllSystems (system: { default = 1; });
      formatter = forAllSystems (system: nixpkgs.legacyPackages.${system}.nixfmt-tree);
      checks = self.packages;
    };
}
"#,
        );
        check_unsafe_fix(
            &MISSING_CI_OUTPUTS,
            "#- /flake.nix\n{ outputs = { self, nixpkgs }: { packages.x86_64-linux.default = 1; }; }\n",
            "#- /flake.nix\n{ outputs = { self, nixpkgs }: { packages.x86_64-linux.default = 1; formatter = { x86_64-linux = nixpkgs.legacyPackages.x86_64-linux.nixfmt-tree; }; checks = self.packages; }; }\n",
        );
    }

    /// With several helpers that pass the system, the fix uses the first written, whatever the
    /// names' hashes: the helpers were once listed from a hash map, and the fix changed between
    /// runs.
    #[test]
    fn the_fix_uses_the_first_helper_written() {
        let names = [
            "forZ", "forA", "forM", "forB", "forY", "forC", "forX", "forD", "forW", "forE", "forV",
            "forF", "forU", "forG", "forT", "forH",
        ];
        let helpers: String = names
            .iter()
            .map(|name| format!("      {name} = nixpkgs.lib.genAttrs [ \"x86_64-linux\" ];\n"))
            .collect();
        let before = format!(
            "#- /flake.nix\n{{\n  outputs = {{ self, nixpkgs }}:\n    let\n{helpers}    in {{\n      packages = forA (system: {{ default = 1; }});\n    }};\n}}\n"
        );
        let after = before.replace(
            "      packages = forA (system: { default = 1; });\n",
            "      packages = forA (system: { default = 1; });\n      formatter = forZ (system: nixpkgs.legacyPackages.${system}.nixfmt-tree);\n      checks = self.packages;\n",
        );
        check_unsafe_fix(&MISSING_CI_OUTPUTS, &before, &after);
    }

    #[test]
    fn fixes_for_flake_parts() {
        check_unsafe_fix(
            &MISSING_CI_OUTPUTS,
            r#"#- /flake.nix
{
  outputs = inputs@{ flake-parts, ... }: flake-parts.lib.mkFlake { inherit inputs; } {
    systems = [ "x86_64-linux" ];
    perSystem = { config, pkgs, ... }: {
      packages.default = pkgs.hello;
    };
  };
}
"#,
            r#"#- /flake.nix
{
  outputs = inputs@{ flake-parts, ... }: flake-parts.lib.mkFlake { inherit inputs; } {
    systems = [ "x86_64-linux" ];
    perSystem = { config, pkgs, ... }: {
      packages.default = pkgs.hello;
      formatter = pkgs.nixfmt-tree;
      checks = config.packages;
    };
  };
}
"#,
        );
    }
}
