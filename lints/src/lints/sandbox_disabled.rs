//! NIX507: the Nix build sandbox switched off or relaxed.

use syntax::{AstNode, SyntaxNode};

use crate::diagnostic::Severity;
use crate::lint::{declare_lint, Findings, LintCtx};
use crate::module_context::{is_bool, literal_string, setting_at};

declare_lint! {
    /// ## What it does
    /// Checks for `nix.settings.sandbox = false` (a warning) or `"relaxed"` (information), the
    /// legacy `nix.useSandbox = false`, and `nixConfig.sandbox = false` in a flake.
    ///
    /// ## Why is this bad?
    /// The sandbox is what keeps a build from reading the host's files and network; without it,
    /// a build can depend on whatever the build machine happens to have, and a malicious build
    /// can read it. `"relaxed"` lets derivations that ask for it (`__noChroot = true;`) build
    /// outside the sandbox. Sandboxing has been on by default on Linux since NixOS 17.09. There
    /// is no fix: remove the setting, and fix the builds that need it.
    ///
    /// ## Example
    /// ```nix
    /// { nix.settings.sandbox = false; }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// { nix.settings.sandbox = true; }
    /// ```
    pub(crate) static SANDBOX_DISABLED = {
        code: "NIX507",
        name: "sandbox-disabled",
        category: Security,
        severity: Warning,
        fix: None,
        tags: [],
        kinds: [NODE_ATTRPATH_VALUE],
        reach: Entry,
        check: check_binding,
    };
}

fn check_binding(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(binding) = syntax::ast::AttrpathValue::cast(node.clone()) else {
        return;
    };
    if !ctx
        .last_key(&binding)
        .is_some_and(|key| matches!(key.as_str(), "sandbox" | "useSandbox"))
    {
        return;
    }
    let Some(setting) = setting_at(ctx, node) else {
        return;
    };
    let path = &setting.path;
    let known = path.matches(&["nix", "settings", "sandbox"])
        || path.matches(&["nix", "useSandbox"])
        || (ctx.is_flake() && path.matches_exactly(&["nixConfig", "sandbox"]));
    if !known {
        return;
    }
    let dotted = path.dotted();
    if setting.values.iter().any(|value| is_bool(value, false)) {
        findings.report(
            setting.key_range(),
            format!("`{dotted} = false` lets builds read the host's files and network"),
        );
    } else if setting
        .values
        .iter()
        .any(|value| literal_string(value).as_deref() == Some("relaxed"))
    {
        findings
            .report(
                setting.key_range(),
                format!("`{dotted} = \"relaxed\"` lets derivations with `__noChroot` build outside the sandbox"),
            )
            .severity(Severity::Info);
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_no_fix};

    use super::SANDBOX_DISABLED;

    #[test]
    fn sandbox_off_or_relaxed() {
        check_no_fix(
            &SANDBOX_DISABLED,
            r#"
{ lib, ... }:
{
  nix.settings.sandbox = lib.mkForce false;
# ^^^^^^^^^^^^^^^^^^^^ warning[sandbox-disabled]: `nix.settings.sandbox = false` lets builds read the host's files and network
  nix.useSandbox = false;
# ^^^^^^^^^^^^^^ warning[sandbox-disabled]: `nix.useSandbox = false` lets builds read the host's files and network
  config.nix = { settings = { sandbox = "relaxed"; }; };
#                             ^^^^^^^ info[sandbox-disabled]: `nix.settings.sandbox = "relaxed"` lets derivations with `__noChroot` build outside the sandbox
}
"#,
        );
    }

    #[test]
    fn flake_nix_config() {
        check(
            &SANDBOX_DISABLED,
            r#"
#- /flake.nix
{
  nixConfig.sandbox = false;
# ^^^^^^^^^^^^^^^^^ warning[sandbox-disabled]: `nixConfig.sandbox = false` lets builds read the host's files and network
  outputs = _: { };
}
"#,
        );
    }

    #[test]
    fn sandbox_on_or_elsewhere_is_fine() {
        check(
            &SANDBOX_DISABLED,
            r#"
{
  nix.settings.sandbox = true;
  nixConfig.sandbox = false;
  services.foo.sandbox = false;
  nix.settings.sandbox-fallback = false;
}
"#,
        );
    }
}
