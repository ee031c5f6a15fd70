//! NIX505: the NixOS firewall switched off.

use syntax::{AstNode, SyntaxNode};

use crate::lint::{declare_lint, Findings, LintCtx};
use crate::module_context::{is_bool, setting_at};

declare_lint! {
    /// ## What it does
    /// Checks for `networking.firewall.enable = false`, also behind `lib.mkForce`, `mkIf` and
    /// the like, in nested sets, and under `config.`.
    ///
    /// ## Why is this bad?
    /// With the firewall off, every service that listens on a port is reachable from the
    /// network, including ones that were only meant for localhost or that a later change starts
    /// by accident. There is no fix: keep the firewall on and open the ports a service needs
    /// with `networking.firewall.allowedTCPPorts` or the service's `openFirewall` option.
    ///
    /// ## Example
    /// ```nix
    /// { networking.firewall.enable = false; }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// { networking.firewall.allowedTCPPorts = [ 22 443 ]; }
    /// ```
    pub(crate) static FIREWALL_DISABLED = {
        code: "NIX505",
        name: "firewall-disabled",
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
    if ctx.last_key(&binding).as_ref().map(|key| key.as_str()) != Some("enable") {
        return;
    }
    let Some(setting) = setting_at(ctx, node) else {
        return;
    };
    if !setting.path.matches(&["networking", "firewall", "enable"]) {
        return;
    }
    if setting.values.iter().any(|value| is_bool(value, false)) {
        findings.report(
            setting.key_range(),
            format!(
                "`{} = false` exposes every listening service to the network",
                setting.path.dotted()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_no_fix};

    use super::FIREWALL_DISABLED;

    #[test]
    fn firewall_off() {
        check_no_fix(
            &FIREWALL_DISABLED,
            r#"
{ lib, ... }:
{
  networking.firewall.enable = false;
# ^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[firewall-disabled]: `networking.firewall.enable = false` exposes every listening service to the network
  config.networking = lib.mkIf true { firewall = { enable = lib.mkForce false; }; };
#                                                  ^^^^^^ warning[firewall-disabled]: `networking.firewall.enable = false` exposes every listening service to the network
}
"#,
        );
    }

    /// An empty `let … in` around the module body (nixd #731) does not hide the module.
    #[test]
    fn module_behind_an_empty_let() {
        check(
            &FIREWALL_DISABLED,
            r#"
{ ... }: let in { networking.firewall.enable = false; }
#                 ^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[firewall-disabled]: `networking.firewall.enable = false` exposes every listening service to the network
"#,
        );
    }

    #[test]
    fn firewall_on_or_elsewhere_is_fine() {
        check(
            &FIREWALL_DISABLED,
            r#"
{ lib, ... }:
{
  networking.firewall.enable = true;
  networking.firewall.enable' = false;
  networking.nftables.enable = false;
  services.foo.firewall.enable = false;
  options.networking.firewall.enable = lib.mkOption { default = false; };
}
"#,
        );
        check(
            &FIREWALL_DISABLED,
            "let networking.firewall.enable = false; in networking\n",
        );
    }
}
