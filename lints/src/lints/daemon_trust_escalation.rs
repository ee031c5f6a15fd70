//! NIX509: Nix daemon and sudo settings that hand out root.

use syntax::ast::Expr;
use syntax::helpers::unwrap_parens;
use syntax::{AstNode, SyntaxNode};

use crate::diagnostic::Severity;
use crate::lint::{declare_lint, Findings, LintCtx};
use crate::module_context::{is_bool, literal_string, setting_at};

declare_lint! {
    /// ## What it does
    /// Checks for settings that make users effectively root:
    ///
    /// - `nix.settings.trusted-users` (or the legacy `nix.trustedUsers`) with an entry other
    ///   than `"root"`, such as `"alice"` or `"@wheel"` (information: sometimes deliberate);
    /// - `nix.settings.accept-flake-config = true` (a warning);
    /// - `security.sudo.wheelNeedsPassword = false` (information).
    ///
    /// ## Why is this bad?
    /// A trusted user of the Nix daemon can add substituters and signing keys and import
    /// unsigned store paths, which is enough to replace any program root runs. With
    /// `accept-flake-config`, any flake you evaluate can do the same through its `nixConfig`.
    /// Password-less sudo turns any code running as a `wheel` user into root. There is no fix:
    /// use `allowed-users` for plain access to the daemon, accept flake settings one by one,
    /// and keep sudo's password.
    ///
    /// ## Example
    /// ```nix
    /// {
    ///   nix.settings.trusted-users = [ "root" "alice" ];
    ///   nix.settings.accept-flake-config = true;
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// {
    ///   nix.settings.allowed-users = [ "alice" ];
    ///   nix.settings.extra-substituters = [ "https://nix-community.cachix.org" ];
    /// }
    /// ```
    pub(crate) static DAEMON_TRUST_ESCALATION = {
        code: "NIX509",
        name: "daemon-trust-escalation",
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
    let Some(key) = ctx.last_key(&binding) else {
        return;
    };
    let key = key.as_str();
    if !matches!(
        key,
        "trusted-users" | "trustedUsers" | "accept-flake-config" | "wheelNeedsPassword"
    ) {
        return;
    }
    let Some(setting) = setting_at(ctx, node) else {
        return;
    };
    let path = &setting.path;
    let dotted = path.dotted();
    if path.matches(&["nix", "settings", "trusted-users"]) || path.matches(&["nix", "trustedUsers"])
    {
        let users: Vec<String> = setting
            .values
            .iter()
            .filter_map(|value| match value {
                Expr::List(list) => Some(list.items()),
                _ => None,
            })
            .flatten()
            .filter_map(|item| literal_string(&unwrap_parens(item)))
            .filter(|user| user != "root")
            .map(|user| format!("`{user}`"))
            .collect();
        if !users.is_empty() {
            findings
                .report(
                    setting.key_range(),
                    format!("`{dotted}` makes {} effectively root", users.join(", ")),
                )
                .severity(Severity::Info);
        }
    } else if path.matches(&["nix", "settings", "accept-flake-config"]) {
        if setting.values.iter().any(|value| is_bool(value, true)) {
            findings.report(
                setting.key_range(),
                format!(
                    "`{dotted} = true` lets any evaluated flake add substituters and trusted keys"
                ),
            );
        }
    } else if path.matches(&["security", "sudo", "wheelNeedsPassword"])
        && setting.values.iter().any(|value| is_bool(value, false))
    {
        findings
            .report(
                setting.key_range(),
                format!("`{dotted} = false` gives every `wheel` member root without a password"),
            )
            .severity(Severity::Info);
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_no_fix};

    use super::DAEMON_TRUST_ESCALATION;

    #[test]
    fn trust_escalations() {
        check_no_fix(
            &DAEMON_TRUST_ESCALATION,
            r#"
{ lib, ... }:
{
  nix.settings.trusted-users = [ "root" "alice" "@wheel" ];
# ^^^^^^^^^^^^^^^^^^^^^^^^^^ info[daemon-trust-escalation]: `nix.settings.trusted-users` makes `alice`, `@wheel` effectively root
  nix.settings.accept-flake-config = lib.mkForce true;
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[daemon-trust-escalation]: `nix.settings.accept-flake-config = true` lets any evaluated flake add substituters and trusted keys
  security.sudo = { wheelNeedsPassword = false; };
#                   ^^^^^^^^^^^^^^^^^^ info[daemon-trust-escalation]: `security.sudo.wheelNeedsPassword = false` gives every `wheel` member root without a password
  nix.trustedUsers = [ "bob" ];
# ^^^^^^^^^^^^^^^^ info[daemon-trust-escalation]: `nix.trustedUsers` makes `bob` effectively root
}
"#,
        );
    }

    #[test]
    fn safe_settings_are_fine() {
        check(
            &DAEMON_TRUST_ESCALATION,
            r#"
{
  nix.settings.trusted-users = [ "root" ];
  nix.settings.allowed-users = [ "alice" ];
  nix.settings.accept-flake-config = false;
  security.sudo.wheelNeedsPassword = true;
  services.foo.trusted-users = [ "alice" ];
}
"#,
        );
    }
}
