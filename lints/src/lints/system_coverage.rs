//! NIX306: per-system outputs missing for declared systems, and misspelt system names.

use syntax::helpers::{is_plain_ident, quote_string};
use syntax::{SyntaxNode, TextEdit, TextRange};

use crate::diagnostic::{Fix, Severity};
use crate::flake::model::{FlakeModel, SystemName, PER_SYSTEM_FAMILIES};
use crate::lint::{declare_lint, Findings, LintCtx};
use crate::registry::edit_distance;

declare_lint! {
    /// ## What it does
    /// Collects the systems a flake declares: the lists given to flake-utils' `eachSystem`,
    /// `genAttrs` and `forAllSystems`-style helpers, flake-parts' `systems`, the four systems of
    /// `eachDefaultSystem` and `import systems`, and the literal system keys of per-system
    /// outputs (`packages.x86_64-linux`). It reports a per-system family written with literal
    /// system keys that covers only some of those systems, a system name without a `-` (an
    /// error, as in Nix), and a system name Nix does not know, with the nearest known name.
    ///
    /// ## Why is this bad?
    /// A family missing for a declared system makes `nix build` or `nix develop` fail on that
    /// system with "does not provide attribute"; a misspelt system is silently never built.
    ///
    /// ## Example
    /// ```nix
    /// {
    ///   outputs = { self, nixpkgs }: {
    ///     packages.x86_64-linux.default = 1;
    ///     packages.aarch64-linux.default = 2;
    ///     devShells.x86_64-linux.default = 3;
    ///     checks.x86_64-linxu.default = 4;
    ///   };
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// {
    ///   outputs = { self, nixpkgs }: {
    ///     packages.x86_64-linux.default = 1;
    ///     packages.aarch64-linux.default = 2;
    ///     devShells.x86_64-linux.default = 3;
    ///     devShells.aarch64-linux.default = 3;
    ///     checks.x86_64-linux.default = 4;
    ///   };
    /// }
    /// ```
    ///
    /// The fix replaces an unknown system with the nearest known one; it is unsafe, since the
    /// system may be meant.
    pub(crate) static SYSTEM_COVERAGE = {
        code: "NIX306",
        name: "system-coverage",
        category: Flake,
        severity: Warning,
        fix: Unsafe,
        tags: [],
        kinds: [NODE_ROOT],
        check: check_root,
    };
}

/// Systems Nix and nixpkgs know (`lib.systems.doubles`, the common ones).
const KNOWN_SYSTEMS: &[&str] = &[
    "x86_64-linux",
    "aarch64-linux",
    "x86_64-darwin",
    "aarch64-darwin",
    "i686-linux",
    "armv5tel-linux",
    "armv6l-linux",
    "armv7a-linux",
    "armv7l-linux",
    "riscv32-linux",
    "riscv64-linux",
    "powerpc64-linux",
    "powerpc64le-linux",
    "s390x-linux",
    "loongarch64-linux",
    "mipsel-linux",
    "mips64el-linux",
    "m68k-linux",
    "microblaze-linux",
    "x86_64-freebsd",
    "aarch64-freebsd",
    "i686-freebsd",
    "x86_64-netbsd",
    "aarch64-netbsd",
    "x86_64-openbsd",
    "x86_64-solaris",
    "x86_64-cygwin",
    "x86_64-windows",
    "i686-windows",
    "aarch64-windows",
    "wasm32-wasi",
    "wasm64-wasi",
    "x86_64-genode",
    "aarch64-genode",
    "x86_64-redox",
    "aarch64-none",
    "x86_64-none",
    "riscv64-none",
    "arm-none",
    "avr-none",
];

fn check_root(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    if !ctx.is_flake() {
        return;
    }
    let Some(outputs) = FlakeModel::read(node).and_then(|model| model.outputs) else {
        return;
    };
    let declared = outputs.declared_systems();
    // (a) families with literal system keys covering only part of the declared systems.
    if !outputs.systems_unknown && !outputs.opaque {
        let mut seen: Vec<&str> = Vec::new();
        for family in &outputs.families {
            let name = family.name.as_str();
            if family.per_system || !PER_SYSTEM_FAMILIES.contains(&name) || seen.contains(&name) {
                continue;
            }
            seen.push(name);
            let sites: Vec<_> = outputs.families_named(name).collect();
            let all_literal = sites.iter().all(|site| {
                !site.opaque
                    && !site.per_system
                    && !site.parts.is_empty()
                    && site.parts.iter().all(|part| part.system.is_some())
            });
            if !all_literal {
                continue;
            }
            let mut keys: Vec<&str> = sites
                .iter()
                .flat_map(|site| &site.parts)
                .filter_map(|part| part.system.as_ref().map(|system| system.name.as_str()))
                .collect();
            keys.sort_unstable();
            keys.dedup();
            let missing: Vec<&str> = declared
                .iter()
                .map(String::as_str)
                .filter(|system| !keys.contains(system))
                .collect();
            if !keys.is_empty() && !missing.is_empty() {
                findings.report(
                    family.key_range,
                    format!(
                        "`{name}` is not defined for {}, which the flake declares",
                        quoted_list(&missing)
                    ),
                );
            }
        }
    }
    // (b) system names.
    let mut checked: Vec<TextRange> = Vec::new();
    let keys = outputs
        .families
        .iter()
        .filter(|family| PER_SYSTEM_FAMILIES.contains(&family.name.as_str()))
        .flat_map(|family| &family.parts)
        .filter_map(|part| part.system.as_ref());
    for system in outputs.systems.iter().chain(keys) {
        let Some(range) = system.range else { continue };
        if checked.contains(&range) {
            continue;
        }
        checked.push(range);
        check_name(system, range, findings);
    }
}

fn check_name(system: &SystemName, range: TextRange, findings: &mut Findings) {
    let name = system.name.as_str();
    if KNOWN_SYSTEMS.contains(&name) {
        return;
    }
    let nearest = KNOWN_SYSTEMS
        .iter()
        .map(|known| (edit_distance(name, known), *known))
        .min()
        .filter(|(distance, _)| *distance <= 3)
        .map(|(_, known)| known);
    let suggestion = nearest.map_or(String::new(), |known| format!(": did you mean `{known}`?"));
    let finding = if name.contains('-') {
        findings.report(range, format!("Unknown system `{name}`{suggestion}"))
    } else {
        findings
            .report(
                range,
                format!(
                    "`{name}` is not a system type (`cpu-os`, such as `x86_64-linux`){suggestion}"
                ),
            )
            .severity(Severity::Error)
    };
    if let Some(known) = nearest {
        let replacement = if system.quoted || !is_plain_ident(known) {
            quote_string(known)
        } else {
            known.to_owned()
        };
        finding.fix(Fix::unsafe_(
            format!("Replace with `{known}`"),
            vec![TextEdit::replace(range, replacement)],
        ));
    }
}

fn quoted_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    quoted.join(", ")
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_unsafe_fix};

    use super::SYSTEM_COVERAGE;

    #[test]
    fn families_missing_declared_systems() {
        check(
            &SYSTEM_COVERAGE,
            r#"#- /flake.nix
{
  outputs = { self }: {
    packages.x86_64-linux.default = 1;
    packages.aarch64-linux.default = 2;
    devShells.x86_64-linux.default = 3;
#   ^^^^^^^^^ warning[system-coverage]: `devShells` is not defined for `aarch64-linux`, which the flake declares
  };
}
"#,
        );
    }

    #[test]
    fn wrapper_systems_count() {
        check(
            &SYSTEM_COVERAGE,
            r#"#- /flake.nix
{
  outputs = { self, nixpkgs, flake-utils }:
    flake-utils.lib.eachSystem [ "x86_64-linux" "aarch64-darwin" ] (system: {
      packages.default = 1;
    }) // {
      checks.x86_64-linux.default = 2;
#     ^^^^^^ warning[system-coverage]: `checks` is not defined for `aarch64-darwin`, which the flake declares
    };
}
"#,
        );
    }

    #[test]
    fn misspelt_and_invalid_systems() {
        check(
            &SYSTEM_COVERAGE,
            r#"#- /flake.nix
{
  outputs = { self, nixpkgs }: let systems = [ "x86_64-linux" "aarch64-linx" "darwin" ]; in {
#                                                             ^^^^^^^^^^^^^^ warning[system-coverage]: Unknown system `aarch64-linx`: did you mean `aarch64-linux`?
#                                                                            ^^^^^^^^ error[system-coverage]: `darwin` is not a system type (`cpu-os`, such as `x86_64-linux`)
    packages = nixpkgs.lib.genAttrs systems (system: { });
  };
}
"#,
        );
        check_unsafe_fix(
            &SYSTEM_COVERAGE,
            "#- /flake.nix\n{ outputs = _: { packages.x86_64-linxu.default = 1; }; }\n",
            "#- /flake.nix\n{ outputs = _: { packages.x86_64-linux.default = 1; }; }\n",
        );
    }

    #[test]
    fn complete_coverage_and_unknown_lists() {
        check(
            &SYSTEM_COVERAGE,
            r#"#- /flake.nix
{
  outputs = { self, nixpkgs }: {
    packages.x86_64-linux.default = 1;
    devShells.x86_64-linux.default = 2;
    checks = nixpkgs.lib.genAttrs nixpkgs.lib.systems.flakeExposed (system: { });
    formatter.x86_64-linux = 3;
  };
}
"#,
        );
        check(
            &SYSTEM_COVERAGE,
            "#- /flake.nix\n{ outputs = { self, u }: u.lib.eachDefaultSystem (system: { packages.default = 1; }); }\n",
        );
    }
}
