//! NIX309: declared flake inputs that nothing uses.

use syntax::helpers::node_at;
use syntax::helpers::{pattern_entry_removal_range, removal_range};
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextEdit, TextRange};

use crate::diagnostic::Fix;
use crate::flake::model::{FlakeModel, OutputsParams};
use crate::lint::{declare_lint, Findings, LintCtx};

declare_lint! {
    /// ## What it does
    /// Checks for inputs declared in flake.nix that are never used: not used through their
    /// `outputs` argument, not selected from the `@inputs` argument (`inputs.foo`), and not the
    /// target of another input's `follows`. An input used only as a `follows` target is fine.
    /// When all inputs are passed on as a whole (`inherit inputs;`, `specialArgs = inputs;`,
    /// flake-parts' `mkFlake { inherit inputs; }`), nothing is reported, nor when `outputs`
    /// takes no input at all (`_: { }`, `{ ... }: …`): such a flake only declares inputs for its
    /// lock, which another flake reads (flake-parts partitions, `builtins.getFlake`).
    ///
    /// ## Why is this bad?
    /// Every input is fetched and locked, slowing down evaluation and `nix flake update`, and
    /// keeps its own dependencies in flake.lock.
    ///
    /// ## Example
    /// ```nix
    /// {
    ///   inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    ///   inputs.old-tool.url = "github:example/old-tool";
    ///   outputs = { self, nixpkgs, old-tool }: {
    ///     packages.x86_64-linux.default = nixpkgs.legacyPackages.x86_64-linux.hello;
    ///   };
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// {
    ///   inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    ///   outputs = { self, nixpkgs }: {
    ///     packages.x86_64-linux.default = nixpkgs.legacyPackages.x86_64-linux.hello;
    ///   };
    /// }
    /// ```
    ///
    /// The fix removes the declaration and the argument of `outputs`; it is unsafe, and
    /// flake.lock needs `nix flake lock` afterwards.
    pub(crate) static UNUSED_FLAKE_INPUT = {
        code: "NIX309",
        name: "unused-flake-input",
        category: Flake,
        severity: Warning,
        fix: Unsafe,
        tags: [Unnecessary],
        kinds: [NODE_ROOT],
        check: check_root,
    };
}

fn check_root(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    if !ctx.is_flake() {
        return;
    }
    let Some(model) = FlakeModel::read(node) else {
        return;
    };
    let Some(params) = model.params() else { return };
    if takes_no_input(ctx, params) {
        // `outputs = _: { }` or `{ ... }: …`: a flake that exists for its inputs and their lock,
        // read by another flake (flake-parts partitions, `builtins.getFlake`), uses none itself.
        return;
    }
    let Some(selected) = selected_through_all_inputs(ctx, params) else {
        // All inputs escape as a value: any of them may be used.
        return;
    };
    let mut follows_targets: Vec<&str> = Vec::new();
    for input in &model.inputs {
        if let Some((target, _)) = &input.follows {
            follows_targets.extend(target.split('/').next());
        }
        for nested in &input.nested_follows {
            follows_targets.extend(nested.target.split('/').next());
        }
    }
    let scope = ctx.scope();
    for input in &model.inputs {
        let name = input.name.as_str();
        if follows_targets.contains(&name) || selected.iter().any(|used| used == name) {
            continue;
        }
        let formal = params.formal(name);
        let formal_used = formal.is_some_and(|formal| {
            scope
                .binding_defined_at(formal.range)
                .is_none_or(|id| scope.is_used(id))
        });
        if formal_used {
            continue;
        }
        let finding = findings.report(input.name_range, format!("Input `{name}` is never used"));
        let mut edits: Vec<TextEdit> = Vec::new();
        for entry in &input.entries {
            let Some(entry_node) = node_at(node, *entry, SyntaxKind::NODE_ATTRPATH_VALUE) else {
                return;
            };
            edits.push(TextEdit::delete(removal_range(&entry_node)));
        }
        if let Some(formal) = formal {
            let Some(entry) = node_at(node, formal.entry_range, SyntaxKind::NODE_PAT_ENTRY) else {
                continue;
            };
            edits.push(TextEdit::delete(pattern_entry_removal_range(&entry)));
        }
        if !overlapping(&edits) {
            finding.fix(Fix::unsafe_(
                format!("Remove the input `{name}` (then run `nix flake lock`)"),
                edits,
            ));
        }
    }
}

/// Whether `outputs` can reach no input: no formal but `self`, and no used `@` bind or argument.
fn takes_no_input(ctx: &LintCtx<'_>, params: &OutputsParams) -> bool {
    if params.formals.iter().any(|formal| formal.name != "self") {
        return false;
    }
    let scope = ctx.scope();
    [params.bind.as_ref(), params.ident.as_ref()]
        .into_iter()
        .flatten()
        .all(|(_, range)| {
            scope
                .binding_defined_at(*range)
                .is_some_and(|id| !scope.is_used(id))
        })
}

fn overlapping(edits: &[TextEdit]) -> bool {
    let mut ranges: Vec<TextRange> = edits.iter().map(|edit| edit.range).collect();
    ranges.sort_by_key(|range| range.start());
    ranges
        .windows(2)
        .any(|pair| pair[0].end() > pair[1].start())
}

/// The input names selected through the `@` bind or plain parameter of `outputs`
/// (`inputs.foo`), or `None` when that name is also used in another way.
fn selected_through_all_inputs(ctx: &LintCtx<'_>, params: &OutputsParams) -> Option<Vec<String>> {
    let mut names = Vec::new();
    let Some((_, range)) = params.bind.as_ref().or(params.ident.as_ref()) else {
        return Some(names);
    };
    let scope = ctx.scope();
    let Some(id) = scope.binding_defined_at(*range) else {
        return Some(names);
    };
    for reference in scope.uses(id) {
        let ident = ctx.root.covering_element(reference.range);
        let ident = match ident {
            syntax::NodeOrToken::Node(node) => node,
            syntax::NodeOrToken::Token(token) => token.parent()?,
        };
        let ident = if ident.kind() == SyntaxKind::NODE_IDENT {
            ident
        } else {
            ident.parent()?
        };
        let select = ident
            .parent()
            .filter(|parent| parent.kind() == SyntaxKind::NODE_SELECT)?;
        // The identifier must be the selected expression, not part of the attribute path.
        if select.first_child().as_ref() != Some(&ident) {
            return None;
        }
        let attrpath = select
            .children()
            .find(|child| child.kind() == SyntaxKind::NODE_ATTRPATH)?;
        let first = attrpath.children().next()?;
        let attr = syntax::ast::Attr::cast(first)?;
        names.push(syntax::helpers::attr_name(&attr)?);
    }
    Some(names)
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_unsafe_fix};

    use super::UNUSED_FLAKE_INPUT;

    /// Mic92/sops-nix dev/private and hercules-ci/flake-parts dev: flakes that only lock inputs
    /// for another flake.
    #[test]
    fn a_flake_whose_outputs_take_no_input_is_left_alone() {
        for outputs in [
            "_: { }",
            "{ ... }: { }",
            "{ self, ... }@inputs: { }",
            "inputs: { }",
        ] {
            check(
                &UNUSED_FLAKE_INPUT,
                &format!(
                    "#- /flake.nix\n{{\n  inputs.treefmt-nix.url = \"github:numtide/treefmt-nix\";\n  outputs = {outputs};\n}}\n"
                ),
            );
        }
        check(
            &UNUSED_FLAKE_INPUT,
            r#"#- /flake.nix
{
  inputs.treefmt-nix.url = "github:numtide/treefmt-nix";
#        ^^^^^^^^^^^ warning[unused-flake-input]: Input `treefmt-nix` is never used
  outputs = inputs: { self = inputs.self; };
}
"#,
        );
    }

    #[test]
    fn unused_inputs() {
        check(
            &UNUSED_FLAKE_INPUT,
            r#"#- /flake.nix
{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.unused.url = "github:o/unused";
#        ^^^^^^ warning[unused-flake-input]: Input `unused` is never used
  inputs.formal-only.url = "github:o/formal";
#        ^^^^^^^^^^^ warning[unused-flake-input]: Input `formal-only` is never used
  inputs.systems.url = "github:nix-systems/default";
  inputs.utils = { url = "github:numtide/flake-utils"; inputs.systems.follows = "systems"; };
  outputs = { self, nixpkgs, formal-only, ... }@inputs: {
    packages.x86_64-linux.default = nixpkgs.hello;
    lib = inputs.utils.lib;
  };
}
"#,
        );
    }

    #[test]
    fn inputs_passed_on_whole_are_used() {
        check(
            &UNUSED_FLAKE_INPUT,
            r#"#- /flake.nix
{
  inputs.a.url = "github:o/a";
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  outputs = inputs@{ flake-parts, ... }: flake-parts.lib.mkFlake { inherit inputs; } { };
}
"#,
        );
        check(
            &UNUSED_FLAKE_INPUT,
            "#- /flake.nix\n{ inputs.a.url = \"github:o/a\"; outputs = inputs: import ./outputs.nix inputs; }\n",
        );
    }

    #[test]
    fn plain_parameter_selects() {
        check(
            &UNUSED_FLAKE_INPUT,
            r#"#- /flake.nix
{
  inputs.a.url = "github:o/a";
  inputs.b.url = "github:o/b";
#        ^ warning[unused-flake-input]: Input `b` is never used
  outputs = inputs: { x = inputs.a; };
}
"#,
        );
    }

    #[test]
    fn removal_fix() {
        check_unsafe_fix(
            &UNUSED_FLAKE_INPUT,
            r#"#- /flake.nix
{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    old.url = "github:o/old";
    old.flake = false;
  };
  outputs = { self, nixpkgs, old }: { x = nixpkgs; };
}
"#,
            r#"#- /flake.nix
{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  };
  outputs = { self, nixpkgs }: { x = nixpkgs; };
}
"#,
        );
    }

    #[test]
    fn other_files_are_not_flakes() {
        check(
            &UNUSED_FLAKE_INPUT,
            "{ inputs.a.url = \"x\"; outputs = { self }: { }; }\n",
        );
    }
}
