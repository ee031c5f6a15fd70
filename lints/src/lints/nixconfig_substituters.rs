//! NIX310: `nixConfig` settings that replace the user's caches, lack keys, or need trust.

use syntax::{SyntaxNode, TextEdit};

use crate::diagnostic::{Fix, Severity};
use crate::flake::model::{ConfigEntry, FlakeModel, Literal};
use crate::lint::{declare_lint, Findings, LintCtx};

declare_lint! {
    /// ## What it does
    /// Checks the `nixConfig` of a flake for:
    ///
    /// - `substituters` or `trusted-public-keys` without the `extra-` prefix;
    /// - `extra-substituters` with no `extra-trusted-public-keys` (or `trusted-public-keys`);
    /// - settings outside the few Nix applies without asking (`bash-prompt`,
    ///   `bash-prompt-prefix`, `bash-prompt-suffix`, `flake-registry`,
    ///   `commit-lock-file-summary`), reported as information.
    ///
    /// ## Why is this bad?
    /// Without `extra-`, the flake's list *replaces* the user's substituters (cache.nixos.org
    /// included) instead of adding to them. A substituter without its public key is never
    /// trusted, so nothing is downloaded from it. Any other setting makes Nix prompt the user,
    /// and it is ignored unless the user is trusted by the daemon: do not work around that with
    /// `accept-flake-config`, which lets any flake change the settings of the machine.
    ///
    /// ## Example
    /// ```nix
    /// {
    ///   nixConfig.substituters = [ "https://example.cachix.org" ];
    ///   outputs = { self }: { };
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// {
    ///   nixConfig.extra-substituters = [ "https://example.cachix.org" ];
    ///   nixConfig.extra-trusted-public-keys = [ "example.cachix.org-1:…" ];
    ///   outputs = { self }: { };
    /// }
    /// ```
    ///
    /// The fix adds the `extra-` prefix when the prefixed setting is not also written (a second
    /// definition would be an error, so then there is no fix). It is unsafe: for a user who
    /// trusts the flake's settings, the flake's list stops replacing the machine's, so Nix then
    /// asks cache.nixos.org and the user's own caches too, which is the point of the fix but a
    /// change of what the flake does.
    pub(crate) static NIXCONFIG_SUBSTITUTERS = {
        code: "NIX310",
        name: "nixconfig-substituters",
        category: Security,
        severity: Warning,
        fix: Unsafe,
        tags: [],
        kinds: [NODE_ROOT],
        check: check_root,
    };
}

/// Settings Nix applies from a flake without asking (`libflake/config.cc`).
const PROMPT_FREE: &[&str] = &[
    "bash-prompt",
    "bash-prompt-prefix",
    "bash-prompt-suffix",
    "flake-registry",
    "commit-lock-file-summary",
    "commit-lockfile-summary",
];

fn check_root(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    if !ctx.is_flake() {
        return;
    }
    let Some(model) = FlakeModel::read(node) else {
        return;
    };
    let entries: Vec<(&str, &ConfigEntry)> = model
        .nix_config
        .iter()
        .filter(|entry| !entry.nested)
        .filter_map(|entry| entry.name.as_deref().map(|name| (name, entry)))
        .collect();
    let has = |wanted: &str| entries.iter().any(|(name, _)| *name == wanted);
    for (name, entry) in &entries {
        match *name {
            "substituters" | "trusted-public-keys" => {
                let prefixed = format!("extra-{name}");
                let finding = findings.report(
                    entry.name_range,
                    format!("`{name}` replaces the user's own list (cache.nixos.org included): use `{prefixed}`"),
                );
                if !has(&prefixed) {
                    finding.fix(Fix::unsafe_(
                        format!("Rename to `{prefixed}`"),
                        vec![TextEdit::replace(entry.name_range, prefixed)],
                    ));
                }
                continue;
            }
            "extra-substituters" => {
                let non_empty = match &entry.value {
                    Literal::StrList(items) => !items.is_empty(),
                    Literal::Str(text) => !text.trim().is_empty(),
                    _ => true,
                };
                if non_empty && !has("extra-trusted-public-keys") && !has("trusted-public-keys") {
                    findings.report(
                        entry.name_range,
                        "`extra-substituters` without `extra-trusted-public-keys`: nothing signed by these caches is trusted",
                    );
                }
            }
            _ => {}
        }
        if !PROMPT_FREE.contains(name) {
            findings
                .report(
                    entry.name_range,
                    format!("`{name}` is not applied without asking: users are prompted, and it is ignored unless they are trusted users"),
                )
                .severity(Severity::Info);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_unsafe_fix};

    use super::NIXCONFIG_SUBSTITUTERS;

    #[test]
    fn replacing_lists_and_missing_keys() {
        check(
            &NIXCONFIG_SUBSTITUTERS,
            r#"#- /flake.nix
{
  nixConfig = {
    substituters = [ "https://a.cachix.org" ];
#   ^^^^^^^^^^^^ warning[nixconfig-substituters]: `substituters` replaces the user's own list (cache.nixos.org included): use `extra-substituters`
    extra-substituters = [ "https://b.cachix.org" ];
#   ^^^^^^^^^^^^^^^^^^ warning[nixconfig-substituters]: `extra-substituters` without `extra-trusted-public-keys`: nothing signed by these caches is trusted
#   ^^^^^^^^^^^^^^^^^^ info[nixconfig-substituters]: `extra-substituters` is not applied without asking: users are prompted, and it is ignored unless they are trusted users
    bash-prompt = "dev> ";
  };
  outputs = _: { };
}
"#,
        );
    }

    #[test]
    fn well_configured_cache() {
        check(
            &NIXCONFIG_SUBSTITUTERS,
            r#"#- /flake.nix
{
  nixConfig.extra-substituters = [ "https://a.cachix.org" ];
#           ^^^^^^^^^^^^^^^^^^ info[nixconfig-substituters]: `extra-substituters` is not applied without asking: users are prompted, and it is ignored unless they are trusted users
  nixConfig.extra-trusted-public-keys = [ "a.cachix.org-1:abc=" ];
#           ^^^^^^^^^^^^^^^^^^^^^^^^^ info[nixconfig-substituters]: `extra-trusted-public-keys` is not applied without asking: users are prompted, and it is ignored unless they are trusted users
  nixConfig.flake-registry = "";
  outputs = _: { };
}
"#,
        );
    }

    #[test]
    fn prefix_fix_only_without_the_prefixed_setting() {
        // Unsafe: it changes which caches a trusting user's Nix asks.
        let before = "#- /flake.nix\n{ nixConfig = { substituters = [ \"https://a\" ]; trusted-public-keys = [ \"k\" ]; }; outputs = _: { }; }\n";
        check_fix(&NIXCONFIG_SUBSTITUTERS, before, before);
        check_unsafe_fix(
            &NIXCONFIG_SUBSTITUTERS,
            before,
            "#- /flake.nix\n{ nixConfig = { extra-substituters = [ \"https://a\" ]; extra-trusted-public-keys = [ \"k\" ]; }; outputs = _: { }; }\n",
        );
        check_fix(
            &NIXCONFIG_SUBSTITUTERS,
            "#- /flake.nix\n{ nixConfig = { substituters = [ \"https://a\" ]; extra-substituters = [ \"https://b\" ]; extra-trusted-public-keys = [ \"k\" ]; }; outputs = _: { }; }\n",
            "#- /flake.nix\n{ nixConfig = { substituters = [ \"https://a\" ]; extra-substituters = [ \"https://b\" ]; extra-trusted-public-keys = [ \"k\" ]; }; outputs = _: { }; }\n",
        );
    }

    #[test]
    fn other_files_are_not_flakes() {
        check(
            &NIXCONFIG_SUBSTITUTERS,
            "{ nixConfig.substituters = [ ]; }\n",
        );
    }
}
