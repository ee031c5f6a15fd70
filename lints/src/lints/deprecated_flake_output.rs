//! NIX303: flake outputs renamed in Nix 2.7 (`defaultPackage`, `overlay`, `devShell`, …).

use syntax::ast::{self, HasEntry};
use syntax::helpers::node_at;
use syntax::SyntaxKind;
use syntax::{AstNode, SyntaxNode, TextEdit};

use crate::diagnostic::Fix;
use crate::flake::model::{FlakeModel, OutputFamily};
use crate::lint::{declare_lint, Findings, LintCtx};

declare_lint! {
    /// ## What it does
    /// Checks the outputs of a flake (seen through `let`, `//`, flake-utils and flake-parts) for
    /// the names deprecated in Nix 2.7: `defaultPackage`, `defaultApp`, `defaultBundler`,
    /// `devShell`, `overlay`, `nixosModule` and `defaultTemplate`.
    ///
    /// ## Why is this bad?
    /// Nix warns about them on every `nix flake check`, and `nix build`, `nix develop` and
    /// `nix run` look for `packages.<system>.default` and its kin first. Newer tools ignore the
    /// old names.
    ///
    /// ## Example
    /// ```nix
    /// {
    ///   outputs = { self, nixpkgs }: {
    ///     defaultPackage.x86_64-linux = nixpkgs.legacyPackages.x86_64-linux.hello;
    ///     overlay = final: prev: { };
    ///   };
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// {
    ///   outputs = { self, nixpkgs }: {
    ///     packages.x86_64-linux.default = nixpkgs.legacyPackages.x86_64-linux.hello;
    ///     overlays.default = final: prev: { };
    ///   };
    /// }
    /// ```
    ///
    /// The fix renames the key when it is a plain attribute path (`defaultPackage.<system>`,
    /// `overlay`). It is safe when the set has no other binding of the new family; when it has
    /// one (`packages = { … };`), the rename is unsafe, since merging may clash; when the new
    /// key already exists, there is no fix.
    pub(crate) static DEPRECATED_FLAKE_OUTPUT = {
        code: "NIX303",
        name: "deprecated-flake-output",
        category: Flake,
        severity: Warning,
        fix: SafeOrUnsafe,
        tags: [Deprecated],
        kinds: [NODE_ROOT],
        check: check_root,
    };
}

/// Old name, new family, and whether the second level is a system.
const RENAMES: &[(&str, &str, bool)] = &[
    ("defaultPackage", "packages", true),
    ("defaultApp", "apps", true),
    ("defaultBundler", "bundlers", true),
    ("devShell", "devShells", true),
    ("overlay", "overlays", false),
    ("nixosModule", "nixosModules", false),
    ("defaultTemplate", "templates", false),
];

fn check_root(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    if !ctx.is_flake() {
        return;
    }
    let Some(outputs) = FlakeModel::read(node).and_then(|model| model.outputs) else {
        return;
    };
    for family in &outputs.families {
        let Some(&(old, new, has_system)) = RENAMES.iter().find(|(old, _, _)| *old == family.name)
        else {
            continue;
        };
        let replacement = if has_system && !family.per_system {
            format!("{new}.<system>.default")
        } else {
            format!("{new}.default")
        };
        let finding = findings.report(
            family.key_range,
            format!("`{old}` is deprecated: use `{replacement}`"),
        );
        if let Some(fix) = rename_fix(node, family, new, has_system && !family.per_system) {
            finding.fix(fix);
        }
    }
}

fn rename_fix(
    root: &SyntaxNode,
    family: &OutputFamily,
    new: &str,
    with_system: bool,
) -> Option<Fix> {
    if !family.key_is_plain {
        return None;
    }
    let entry = node_at(root, family.entry_range, SyntaxKind::NODE_ATTRPATH_VALUE)
        .and_then(ast::AttrpathValue::cast)?;
    let attrpath = entry.attrpath()?;
    let attrs: Vec<String> = attrpath
        .attrs()
        .map(|attr| attr.syntax().to_string())
        .collect();
    let expected = if with_system { 2 } else { 1 };
    if attrs.len() != expected {
        return None;
    }
    let mut new_path = vec![new.to_owned()];
    new_path.extend(attrs[1..].iter().cloned());
    new_path.push("default".to_owned());
    // Bindings of the new family in the same set decide whether the rename can clash.
    let set = node_at(root, family.set, SyntaxKind::NODE_ATTR_SET).and_then(ast::AttrSet::cast)?;
    let mut merges = false;
    for other in set.attrpath_values() {
        let Some(other_path) = other.attrpath() else {
            continue;
        };
        let other_attrs: Vec<String> = other_path
            .attrs()
            .map(|attr| attr.syntax().to_string())
            .collect();
        if other_attrs.first().map(String::as_str) != Some(new) {
            continue;
        }
        let shared = other_attrs
            .iter()
            .zip(&new_path)
            .take_while(|(a, b)| a == b)
            .count();
        if shared == new_path.len().min(other_attrs.len()) {
            if other_attrs.len() >= new_path.len() {
                // The new key already exists.
                return None;
            }
            merges = true;
        }
    }
    let title = format!("Rename to `{}`", new_path.join("."));
    let edits = vec![TextEdit::replace(
        attrpath.syntax().text_range(),
        new_path.join("."),
    )];
    Some(if merges {
        Fix::unsafe_(title, edits)
    } else {
        Fix::safe(title, edits)
    })
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_unsafe_fix};

    use super::DEPRECATED_FLAKE_OUTPUT;

    #[test]
    fn deprecated_names() {
        check(
            &DEPRECATED_FLAKE_OUTPUT,
            r#"#- /flake.nix
{
  outputs = { self, nixpkgs }: {
    defaultPackage.x86_64-linux = 1;
#   ^^^^^^^^^^^^^^ warning[deprecated-flake-output]: `defaultPackage` is deprecated: use `packages.<system>.default`
    overlay = final: prev: { };
#   ^^^^^^^ warning[deprecated-flake-output]: `overlay` is deprecated: use `overlays.default`
    packages.x86_64-linux.hello = 2;
  };
}
"#,
        );
    }

    #[test]
    fn inside_flake_utils() {
        check(
            &DEPRECATED_FLAKE_OUTPUT,
            r#"#- /flake.nix
{
  outputs = { self, flake-utils }: flake-utils.lib.eachDefaultSystem (system: {
    devShell = 1;
#   ^^^^^^^^ warning[deprecated-flake-output]: `devShell` is deprecated: use `devShells.default`
  });
}
"#,
        );
    }

    #[test]
    fn safe_renames() {
        check_fix(
            &DEPRECATED_FLAKE_OUTPUT,
            "#- /flake.nix\n{ outputs = { self }: { defaultPackage.x86_64-linux = 1; overlay = 2; packages.aarch64-linux.default = 3; }; }\n",
            "#- /flake.nix\n{ outputs = { self }: { packages.x86_64-linux.default = 1; overlays.default = 2; packages.aarch64-linux.default = 3; }; }\n",
        );
        check_fix(
            &DEPRECATED_FLAKE_OUTPUT,
            "#- /flake.nix\n{ outputs = { self, u }: u.lib.eachDefaultSystem (system: { devShell = 1; }); }\n",
            "#- /flake.nix\n{ outputs = { self, u }: u.lib.eachDefaultSystem (system: { devShells.default = 1; }); }\n",
        );
    }

    #[test]
    fn clashing_renames() {
        // `overlays = { … }` may merge with `overlays.default`; `overlays.default` already exists.
        check_fix(
            &DEPRECATED_FLAKE_OUTPUT,
            "#- /flake.nix\n{ outputs = _: { overlay = 1; overlays = { a = 2; }; }; }\n",
            "#- /flake.nix\n{ outputs = _: { overlay = 1; overlays = { a = 2; }; }; }\n",
        );
        check_unsafe_fix(
            &DEPRECATED_FLAKE_OUTPUT,
            "#- /flake.nix\n{ outputs = _: { overlay = 1; overlays = { a = 2; }; }; }\n",
            "#- /flake.nix\n{ outputs = _: { overlays.default = 1; overlays = { a = 2; }; }; }\n",
        );
        check_unsafe_fix(
            &DEPRECATED_FLAKE_OUTPUT,
            "#- /flake.nix\n{ outputs = _: { overlay = 1; overlays.default = 2; }; }\n",
            "#- /flake.nix\n{ outputs = _: { overlay = 1; overlays.default = 2; }; }\n",
        );
    }

    #[test]
    fn nested_values_get_no_fix() {
        check_unsafe_fix(
            &DEPRECATED_FLAKE_OUTPUT,
            "#- /flake.nix\n{ outputs = _: { defaultPackage = { x86_64-linux = 1; }; }; }\n",
            "#- /flake.nix\n{ outputs = _: { defaultPackage = { x86_64-linux = 1; }; }; }\n",
        );
    }

    #[test]
    fn current_names_and_other_files() {
        check(
            &DEPRECATED_FLAKE_OUTPUT,
            "#- /flake.nix\n{ outputs = _: { packages.x86_64-linux.default = 1; overlays.default = 2; }; }\n",
        );
        check(
            &DEPRECATED_FLAKE_OUTPUT,
            "{ outputs = _: { overlay = 1; }; }\n",
        );
    }
}
