//! NIX601: `import nixpkgs { inherit system; }` in a flake, where the flake already has the
//! packages evaluated as `legacyPackages`.

use syntax::ast::{self, Expr, HasEntry};
use syntax::helpers::{attr_name, dotted_name, same_tokens, unroll_apply, unwrap_parens};
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextEdit};

use crate::diagnostic::Fix;
use crate::lint::{declare_lint, Findings, LintCtx};
use crate::lints::unused_with::is_builtin_reference;

declare_lint! {
    /// ## What it does
    /// Checks flake.nix for `import nixpkgs { … }` (or `import inputs.nixpkgs { … }`) whose
    /// only arguments are `system` or `localSystem`, and for the same nixpkgs import written
    /// twice with the same arguments.
    ///
    /// ## Why is this bad?
    /// Each `import nixpkgs` evaluates a new instance of nixpkgs, which costs time and memory
    /// (the "1000 instances of nixpkgs" discussion on NixOS Discourse). The nixpkgs flake already
    /// evaluates `legacyPackages.${system}` once, and every flake that follows the same nixpkgs
    /// shares it. The gain depends on the flake, which is why this is only a hint.
    ///
    /// ## Example
    /// ```nix
    /// {
    ///   inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    ///   outputs = { nixpkgs, ... }:
    ///     let pkgs = import nixpkgs { system = "x86_64-linux"; };
    ///     in { packages.x86_64-linux.default = pkgs.hello; };
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// {
    ///   inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    ///   outputs = { nixpkgs, ... }:
    ///     let pkgs = nixpkgs.legacyPackages.${"x86_64-linux"};
    ///     in { packages.x86_64-linux.default = pkgs.hello; };
    /// }
    /// ```
    pub(crate) static NIXPKGS_REIMPORT = {
        code: "NIX601",
        name: "nixpkgs-reimport",
        category: Performance,
        severity: Hint,
        fix: Safe,
        tags: [],
        kinds: [NODE_APPLY],
        reach: Entry,
        check: check_apply,
    };
}

/// `import <nixpkgs input> <argument>`: the nixpkgs expression and the argument.
fn nixpkgs_import(ctx: &LintCtx<'_>, node: &SyntaxNode) -> Option<(Expr, Expr)> {
    let apply = ast::Apply::cast(node.clone())?;
    let (callee, args) = unroll_apply(&apply)?;
    let [source, argument]: [Expr; 2] = args.try_into().ok()?;
    let callee_range = callee.syntax().text_range();
    let is_import = match dotted_name(&callee).as_deref() {
        Some("import") => is_builtin_reference(ctx.scope(), callee_range, "import"),
        Some("builtins.import") => {
            let Expr::Select(select) = &callee else {
                return None;
            };
            let base = select.expr()?;
            is_builtin_reference(ctx.scope(), base.syntax().text_range(), "builtins")
        }
        _ => false,
    };
    let source_name = dotted_name(&unwrap_parens(source.clone()))?;
    (is_import && matches!(source_name.as_str(), "nixpkgs" | "inputs.nixpkgs"))
        .then_some((source, argument))
}

/// What the argument sets, when it sets only `system`/`localSystem`: the replacement system
/// expression when it is exactly `{ inherit system; }` or `{ system = s; }`.
enum SystemOnly {
    Fixable(String),
    NotFixable,
}

fn system_only(ctx: &LintCtx<'_>, argument: &Expr) -> Option<SystemOnly> {
    let Expr::AttrSet(set) = unwrap_parens(argument.clone()) else {
        return None;
    };
    if syntax::helpers::rec_token(&set).is_some() {
        return None;
    }
    let is_system = |name: &str| matches!(name, "system" | "localSystem");
    let entries: Vec<ast::Entry> = set.entries().collect();
    let mut single = None;
    for entry in &entries {
        match entry {
            ast::Entry::AttrpathValue(binding) => {
                let attrs: Vec<ast::Attr> = binding.attrpath()?.attrs().collect();
                let [attr] = attrs.as_slice() else {
                    return None;
                };
                let name = attr_name(attr)?;
                if !is_system(&name) {
                    return None;
                }
                if name == "system" {
                    let value = binding.value()?;
                    single = Some(ctx.text_of(value.syntax().text_range()).to_owned());
                }
            }
            ast::Entry::Inherit(inherit) => {
                for attr in inherit.attrs() {
                    let name = attr_name(&attr)?;
                    if !is_system(&name) {
                        return None;
                    }
                    if name == "system" && inherit.from().is_none() {
                        single = Some("system".to_owned());
                    }
                }
            }
        }
    }
    let plain_single = entries.len() == 1
        && match entries.first() {
            Some(ast::Entry::Inherit(inherit)) => inherit.attrs().count() == 1,
            _ => true,
        };
    match single {
        Some(system) if plain_single => Some(SystemOnly::Fixable(system)),
        _ if entries.is_empty() => None,
        _ => Some(SystemOnly::NotFixable),
    }
}

fn check_apply(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    if !ctx.is_flake() {
        return;
    }
    let Some((source, argument)) = nixpkgs_import(ctx, node) else {
        return;
    };
    let source_text = ctx.text_of(source.syntax().text_range());
    if let Some(kind) = system_only(ctx, &argument) {
        let finding = findings.report(
            node.text_range(),
            format!(
                "`import {source_text}` for a system evaluates nixpkgs again: use `{source_text}.legacyPackages.${{system}}`"
            ),
        );
        if let SystemOnly::Fixable(system) = kind {
            let replacement = format!("{source_text}.legacyPackages.${{{system}}}");
            finding.fix(Fix::safe(
                format!("Use `{replacement}`"),
                vec![TextEdit::replace(node.text_range(), replacement)],
            ));
        }
        return;
    }
    let earlier = ctx
        .root
        .descendants()
        .take_while(|other| other.text_range().start() < node.text_range().start())
        .filter(|other| other.kind() == SyntaxKind::NODE_APPLY)
        .find(|other| same_tokens(other, node) && nixpkgs_import(ctx, other).is_some());
    if let Some(first) = earlier {
        findings
            .report(
                node.text_range(),
                format!("`import {source_text}` with the same arguments evaluates nixpkgs a second time: bind it once in a `let`"),
            )
            .related(first.text_range(), "first imported here");
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix};

    use super::NIXPKGS_REIMPORT;

    #[test]
    fn system_only_imports_are_reported() {
        check(
            &NIXPKGS_REIMPORT,
            r#"#- /flake.nix
{
  outputs = { nixpkgs, ... }@inputs: {
    a = import nixpkgs { inherit system; };
#       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ hint[nixpkgs-reimport]: `import nixpkgs` for a system evaluates nixpkgs again: use `nixpkgs.legacyPackages.${system}`
    b = import inputs.nixpkgs { localSystem = "x86_64-linux"; };
#       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ hint[nixpkgs-reimport]: `import inputs.nixpkgs` for a system evaluates nixpkgs again: use `inputs.nixpkgs.legacyPackages.${system}`
    c = import nixpkgs { inherit system; config.allowUnfree = true; };
    d = import nixpkgs { inherit system; overlays = [ ]; };
    e = import ./nixpkgs { inherit system; };
    f = import other { inherit system; };
  };
}
"#,
        );
    }

    #[test]
    fn only_in_flakes_and_only_the_builtin() {
        check(
            &NIXPKGS_REIMPORT,
            "#- /default.nix\n{ nixpkgs, system }: import nixpkgs { inherit system; }\n",
        );
        check(
            &NIXPKGS_REIMPORT,
            "#- /flake.nix\n{ outputs = { nixpkgs, ... }: let import = f: a: a; in import nixpkgs { system = \"x\"; }; }\n",
        );
    }

    #[test]
    fn the_same_import_twice() {
        check(
            &NIXPKGS_REIMPORT,
            r#"#- /flake.nix
{
  outputs = { nixpkgs, ... }: {
    a = import nixpkgs { system = "x86_64-linux"; config.allowUnfree = true; };
    b = import nixpkgs { system = "x86_64-linux"; config.allowUnfree = true; };
#       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ hint[nixpkgs-reimport]: `import nixpkgs` with the same arguments evaluates nixpkgs a second time: bind it once in a `let`
    c = import nixpkgs { system = "aarch64-linux"; config.allowUnfree = true; };
  };
}
"#,
        );
    }

    #[test]
    fn fix_uses_legacy_packages() {
        check_fix(
            &NIXPKGS_REIMPORT,
            "#- /flake.nix\n{ outputs = { nixpkgs, ... }: { a = import nixpkgs { inherit system; }; b = import nixpkgs { system = \"x86_64-linux\"; }; c = import nixpkgs { inherit system; localSystem = system; }; }; }\n",
            "#- /flake.nix\n{ outputs = { nixpkgs, ... }: { a = nixpkgs.legacyPackages.${system}; b = nixpkgs.legacyPackages.${\"x86_64-linux\"}; c = import nixpkgs { inherit system; localSystem = system; }; }; }\n",
        );
    }
}
