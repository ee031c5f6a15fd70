//! NIX506: OpenSSH settings that allow root or password logins, and their legacy option names.

use syntax::ast::{self, Expr};
use syntax::{AstNode, SyntaxNode, TextEdit};

use crate::diagnostic::{Fix, Severity, Tag};
use crate::lint::{declare_lint, Findings, LintCtx};
use crate::module_context::{
    attr_name, attrpath_names, is_bool, literal_string, optpath, setting_at, Setting,
};

declare_lint! {
    /// ## What it does
    /// Checks the OpenSSH server's settings for weak authentication:
    /// `services.openssh.settings.PermitRootLogin = "yes"`, and `PasswordAuthentication`,
    /// `KbdInteractiveAuthentication` or `PermitEmptyPasswords` set to `true` (or `"yes"`). It
    /// also reports the legacy names `services.openssh.permitRootLogin`,
    /// `passwordAuthentication` and `kbdInteractiveAuthentication`, renamed to
    /// `services.openssh.settings.*` in NixOS 23.05: as a warning when the value is weak, as
    /// information otherwise, and tagged deprecated either way.
    ///
    /// ## Why is this bad?
    /// Password logins can be brute-forced and phished, and a root login skips the audit trail
    /// of a personal account plus `sudo`. Keys, or at least `PermitRootLogin =
    /// "prohibit-password"`, close that door.
    ///
    /// The fix renames a legacy option to its `settings` name. It is safe on NixOS 23.05 or
    /// newer, where the old name is an alias (`mkRenamedOptionModule`) of the new one with the
    /// same values; it assumes such a NixOS. It is offered only when the legacy name is a plain
    /// identifier at the end of its binding's attribute path, and when every other binding in
    /// the file under `services.openssh.settings`, and every other legacy name, is an attribute
    /// path with the same prefix in the same set: Nix cannot always merge
    /// `services.openssh.settings.X = …;` with `services.openssh = { settings = …; };`, and
    /// reports "attribute already defined". Weak values have no fix.
    ///
    /// ## Example
    /// ```nix
    /// {
    ///   services.openssh.enable = true;
    ///   services.openssh.settings.PasswordAuthentication = true;
    ///   services.openssh.permitRootLogin = "yes";
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// {
    ///   services.openssh.enable = true;
    ///   services.openssh.settings.PasswordAuthentication = false;
    ///   services.openssh.settings.PermitRootLogin = "no";
    /// }
    /// ```
    pub(crate) static SSH_WEAK_AUTH = {
        code: "NIX506",
        name: "ssh-weak-auth",
        category: Security,
        severity: Warning,
        fix: Safe,
        tags: [],
        kinds: [NODE_ATTRPATH_VALUE],
        reach: EntryAndEntriesHolding(&["openssh"]),
        check: check_binding,
    };
}

/// The settings, with their legacy names.
const SETTINGS: &[(&str, Option<&str>)] = &[
    ("PermitRootLogin", Some("permitRootLogin")),
    ("PasswordAuthentication", Some("passwordAuthentication")),
    (
        "KbdInteractiveAuthentication",
        Some("kbdInteractiveAuthentication"),
    ),
    ("PermitEmptyPasswords", None),
];

fn check_binding(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(binding) = ast::AttrpathValue::cast(node.clone()) else {
        return;
    };
    let Some(key) = ctx.last_key(&binding) else {
        return;
    };
    let key = key.as_str();
    let Some((setting_name, legacy)) = SETTINGS.iter().find_map(|(name, legacy)| {
        if *name == key {
            Some((*name, false))
        } else if *legacy == Some(key) {
            Some((*name, true))
        } else {
            None
        }
    }) else {
        return;
    };
    let Some(setting) = setting_at(ctx, node) else {
        return;
    };
    let pattern: &[&str] = if legacy {
        &["services", "openssh", key]
    } else {
        &["services", "openssh", "settings", key]
    };
    if !setting.path.matches(pattern) {
        return;
    }
    let path = setting.path.dotted();
    let weak = setting
        .values
        .iter()
        .any(|value| is_weak(setting_name, value));
    let problem = match setting_name {
        "PermitRootLogin" => "lets root log in over SSH, with a password too",
        "PasswordAuthentication" => "allows SSH logins with a password, which can be brute-forced",
        "KbdInteractiveAuthentication" => {
            "allows keyboard-interactive (password) logins over SSH, which can be brute-forced"
        }
        _ => "allows SSH logins with an empty password",
    };
    let new_path = {
        let mut segments = setting.path.segments.clone();
        segments.pop();
        segments.push("settings".to_owned());
        segments.push(setting_name.to_owned());
        segments.join(".")
    };
    let message = match (weak, legacy) {
        (true, false) => format!("`{path}` {problem}"),
        (true, true) => {
            format!("`{path}` {problem} (and is renamed to `{new_path}` since NixOS 23.05)")
        }
        (false, true) => format!("`{path}` is renamed to `{new_path}` since NixOS 23.05"),
        (false, false) => return,
    };
    let finding = findings.report(setting.key_range(), message);
    if !legacy {
        return;
    }
    finding.tag(Tag::Deprecated);
    if !weak {
        finding.severity(Severity::Info);
    }
    if let Some(edit) = rename(ctx, &setting, setting_name) {
        finding.fix(Fix::safe(
            format!("Rename to `settings.{setting_name}`"),
            vec![edit],
        ));
    }
}

/// Whether a value weakens authentication for a setting.
fn is_weak(setting: &str, value: &Expr) -> bool {
    let text = literal_string(value);
    match setting {
        "PermitRootLogin" => text.as_deref() == Some("yes"),
        _ => is_bool(value, true) || text.as_deref() == Some("yes"),
    }
}

/// The edit that renames the legacy key to `settings.<Name>`, when that keeps the meaning.
///
/// Nix merges `a.settings.x = …;` with `a.settings.y = …;` in one set, but `a.settings.x = …;`
/// next to `a = { settings = …; };` or `a.settings = { … };` is an "already defined" error in
/// some orders. So the rename is offered only when every other binding under the new `settings`
/// and every other legacy name sits in the same set, written as an attribute path with the same
/// prefix.
fn rename(ctx: &LintCtx<'_>, setting: &Setting, name: &str) -> Option<TextEdit> {
    let attrpath = setting.binding.attrpath()?;
    let attrs: Vec<ast::Attr> = attrpath.attrs().collect();
    let (last, prefix) = attrs.split_last()?;
    if !matches!(last, ast::Attr::Ident(_)) {
        return None;
    }
    let prefix: Vec<String> = prefix.iter().map(attr_name).collect::<Option<_>>()?;
    let own_set = setting.binding.syntax().parent()?;
    let openssh = &setting.path.segments[..setting.path.segments.len() - 1];
    for other in ctx.root.descendants().filter_map(ast::AttrpathValue::cast) {
        if other.syntax() == setting.binding.syntax() {
            continue;
        }
        let Some(other_path) = optpath(&other) else {
            continue;
        };
        let Some(rest) = other_path.segments.strip_prefix(openssh) else {
            continue;
        };
        let under_settings = rest.first().is_some_and(|first| first == "settings");
        let is_legacy = rest.len() == 1
            && SETTINGS
                .iter()
                .any(|(_, legacy)| *legacy == Some(rest[0].as_str()));
        if !under_settings && !is_legacy {
            continue;
        }
        if other.syntax().parent().as_ref() != Some(&own_set) {
            return None;
        }
        let names = other.attrpath().and_then(|path| attrpath_names(&path))?;
        let own_rest = names.strip_prefix(prefix.as_slice())?;
        let mergeable = if under_settings {
            own_rest.len() >= 2 && own_rest[0] == "settings"
        } else {
            own_rest.len() == 1
        };
        if !mergeable {
            return None;
        }
    }
    Some(TextEdit::replace(
        last.syntax().text_range(),
        format!("settings.{name}"),
    ))
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_no_fix};

    use super::SSH_WEAK_AUTH;

    #[test]
    fn weak_settings() {
        check_no_fix(
            &SSH_WEAK_AUTH,
            r#"
{ lib, ... }:
{
  services.openssh.settings = {
    PermitRootLogin = "yes";
#   ^^^^^^^^^^^^^^^ warning[ssh-weak-auth]: `services.openssh.settings.PermitRootLogin` lets root log in over SSH, with a password too
    PasswordAuthentication = lib.mkDefault true;
#   ^^^^^^^^^^^^^^^^^^^^^^ warning[ssh-weak-auth]: `services.openssh.settings.PasswordAuthentication` allows SSH logins with a password, which can be brute-forced
    KbdInteractiveAuthentication = "yes";
#   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[ssh-weak-auth]: `services.openssh.settings.KbdInteractiveAuthentication` allows keyboard-interactive (password) logins over SSH, which can be brute-forced
    PermitEmptyPasswords = true;
#   ^^^^^^^^^^^^^^^^^^^^ warning[ssh-weak-auth]: `services.openssh.settings.PermitEmptyPasswords` allows SSH logins with an empty password
  };
}
"#,
        );
    }

    #[test]
    fn strong_settings_are_fine() {
        check(
            &SSH_WEAK_AUTH,
            r#"
{
  services.openssh.settings.PermitRootLogin = "prohibit-password";
  services.openssh.settings.PasswordAuthentication = false;
  services.openssh.settings.KbdInteractiveAuthentication = false;
  services.other.settings.PermitRootLogin = "yes";
}
"#,
        );
    }

    /// Deprecations cite the NixOS release that renamed the options.
    #[test]
    fn legacy_names() {
        check(
            &SSH_WEAK_AUTH,
            r#"
{
  services.openssh.permitRootLogin = "yes";
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[ssh-weak-auth]: `services.openssh.permitRootLogin` lets root log in over SSH, with a password too (and is renamed to `services.openssh.settings.PermitRootLogin` since NixOS 23.05)
  services.openssh.passwordAuthentication = false;
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ info[ssh-weak-auth]: `services.openssh.passwordAuthentication` is renamed to `services.openssh.settings.PasswordAuthentication` since NixOS 23.05
}
"#,
        );
    }

    #[test]
    fn safe_fix_renames_plain_keys() {
        check_fix(
            &SSH_WEAK_AUTH,
            r#"
{
  services.openssh.permitRootLogin = "no";
  services.openssh.passwordAuthentication = false;
  services.openssh.settings.X11Forwarding = false;
  services.openssh.enable = true;
}
"#,
            r#"
{
  services.openssh.settings.PermitRootLogin = "no";
  services.openssh.settings.PasswordAuthentication = false;
  services.openssh.settings.X11Forwarding = false;
  services.openssh.enable = true;
}
"#,
        );
        check_fix(
            &SSH_WEAK_AUTH,
            "{ config.services.openssh = { kbdInteractiveAuthentication = false; }; }\n",
            "{ config.services.openssh = { settings.KbdInteractiveAuthentication = false; }; }\n",
        );
    }

    /// Renames that Nix could not merge with other definitions of `settings` are withheld.
    #[test]
    fn no_fix_when_the_rename_would_clash() {
        for clash in [
            "{ services.openssh.permitRootLogin = \"no\"; services.openssh = { settings.X11Forwarding = false; }; }\n",
            "{ services.openssh.permitRootLogin = \"no\"; services.openssh.settings = { X11Forwarding = false; }; }\n",
            "{ services.openssh.permitRootLogin = \"no\"; services.openssh = { passwordAuthentication = false; }; }\n",
            "{ lib, ... }: { services.openssh = { permitRootLogin = \"no\"; settings = lib.mkForce { }; }; }\n",
            "{ services.openssh.\"kbdInteractiveAuthentication\" = false; }\n",
        ] {
            check_fix(&SSH_WEAK_AUTH, clash, clash);
        }
    }
}
