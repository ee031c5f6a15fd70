//! NIX501: passwords, tokens and private keys written into Nix files.

use syntax::{AstNode, SyntaxKind, SyntaxNode};

use crate::diagnostic::Severity;
use crate::lint::{declare_lint, Findings, LintCtx, LintOption, OptionDefault};
use crate::module_context::{ends_with_word, literal_string, setting_at, AllowList, NamePattern};

/// The default pattern of option names that hold secrets.
pub(crate) const DEFAULT_SECRET_NAMES: &str = "(?i)(password|passwd|secret|token|apikey|api_key|privatekey|private_key|secretkey|accesskey|clientsecret)$";

/// The password options of NixOS users, which the catalogue treats on their own.
const USER_PASSWORDS: &[&str] = &[
    "password",
    "initialPassword",
    "hashedPassword",
    "initialHashedPassword",
];

declare_lint! {
    /// ## What it does
    /// Checks for secrets written into Nix files:
    ///
    /// - `users.users.<name>.password` or `initialPassword` (also under `users.extraUsers`) set
    ///   to a non-empty string; `hashedPassword` or `initialHashedPassword` set to a crypt hash
    ///   (a string starting with `$`) is reported as information;
    /// - any option whose last name matches the `secret-names` pattern (such as WireGuard's
    ///   `privateKey` or `environment.variables.GITHUB_TOKEN`) set to a non-empty string that
    ///   does not look like a file path or a placeholder (it starts with `/`, `$` or `@`, or
    ///   contains `$__file{`); names starting with `hashed` are reported as information;
    /// - in any file, a string that contains a private key (`-----BEGIN … PRIVATE KEY-----`) or
    ///   an age secret key (`AGE-SECRET-KEY-1…`), as an error.
    ///
    /// Options are matched by their full path through nested sets, `lib.mkForce`, `mkIf`,
    /// `mkMerge` and the like, in files whose body is an attribute set or a module function.
    /// Values inside option declarations (`mkOption { default = …; example = …; }`) are not
    /// settings and are not reported.
    ///
    /// Configuration: `secret-names` is a regular expression (Rust `regex` syntax) matched
    /// against the last component of the option path; an invalid pattern falls back to the
    /// default. `allow` is a comma-separated list of option-path globs that are never reported,
    /// where `*` matches one component and `**` any number, for example
    /// `allow = "users.users.*.initialPassword, services.test.**"`.
    ///
    /// ## Why is this bad?
    /// Everything in a Nix expression ends up in the Nix store, which every local user can read,
    /// and usually in a public or widely shared repository. A password hash there can be
    /// attacked offline. There is no fix: keep the secret out of Nix and point the option at a
    /// file that exists only at run time (`hashedPasswordFile`, `<option>File`,
    /// `environmentFile`), provided by agenix or sops-nix.
    ///
    /// ## Example
    /// ```nix
    /// { users.users.alice.password = "hunter2"; }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// { config, ... }: {
    ///   users.users.alice.hashedPasswordFile = config.sops.secrets.alice-password.path;
    /// }
    /// ```
    pub(crate) static PLAINTEXT_SECRET = {
        code: "NIX501",
        name: "plaintext-secret",
        category: Security,
        severity: Warning,
        fix: None,
        tags: [],
        kinds: [NODE_ATTRPATH_VALUE, NODE_STRING],
        reach: Entry,
        options: [
            LintOption {
                name: "secret-names",
                default: OptionDefault::Str(DEFAULT_SECRET_NAMES),
                doc: "A regular expression for the last component of option paths that hold secrets; an invalid one means the default.",
            },
            LintOption {
                name: "allow",
                default: OptionDefault::Str(""),
                doc: "Comma-separated option-path globs never reported (`*` is one component, `**` any number).",
            },
        ],
        check: check_node,
    };
}

/// The file's pattern for the names of options that hold a secret.
struct SecretNames(NamePattern);

/// The words that end the name of an option holding a secret, as [`DEFAULT_SECRET_NAMES`] lists
/// them.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "privatekey",
    "private_key",
    "secretkey",
    "accesskey",
    "clientsecret",
];

/// [`DEFAULT_SECRET_NAMES`] for an ASCII name.
pub(crate) fn is_default_secret_name(name: &str) -> bool {
    ends_with_word(name, SECRET_WORDS)
}

fn check_node(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    if node.kind() == SyntaxKind::NODE_STRING {
        check_string(node, findings);
        return;
    }
    let Some(binding) = syntax::ast::AttrpathValue::cast(node.clone()) else {
        return;
    };
    let Some(key) = ctx.last_key(&binding) else {
        return;
    };
    let key = key.as_str();
    let is_user_password = USER_PASSWORDS.contains(&key);
    if !is_user_password {
        // Read once per file: looking the option and its regex up cost more, on every binding of
        // every file, than matching it.
        let names = ctx.memo(ctx.root, || {
            SecretNames(NamePattern::new(
                &ctx.str_option("secret-names"),
                DEFAULT_SECRET_NAMES,
                is_default_secret_name,
            ))
        });
        if !names.0.is_match(key) {
            return;
        }
    }
    let Some(setting) = setting_at(ctx, node) else {
        return;
    };
    if AllowList::parse(&ctx.str_option("allow")).allows(&setting.path.segments) {
        return;
    }
    let path = setting.path.dotted();
    let hashed = key.to_ascii_lowercase().starts_with("hashed") || key == "initialHashedPassword";
    let user_option =
        setting
            .path
            .matches(&["users", "users|extraUsers", "*", USER_PASSWORDS_PATTERN]);
    for value in &setting.values {
        let Some(text) = literal_string(value) else {
            continue;
        };
        if text.is_empty() || private_key_kind(&text).is_some() {
            continue;
        }
        let found = if user_option && hashed {
            // `!` and `*` lock the account; only a crypt hash is a hash.
            text.starts_with('$').then(|| {
                (
                    format!("`{path}` puts a password hash in the repository and the world-readable Nix store"),
                    Some(Severity::Info),
                )
            })
        } else if user_option {
            Some((
                format!("`{path}` puts a password in the world-readable Nix store"),
                None,
            ))
        } else if looks_like_reference(&text, hashed) {
            None
        } else if hashed {
            Some((
                format!("`{path}` puts a hashed secret in the repository and the world-readable Nix store"),
                Some(Severity::Info),
            ))
        } else {
            Some((
                format!("`{path}` puts a secret in the world-readable Nix store"),
                None,
            ))
        };
        if let Some((message, severity)) = found {
            let finding = findings.report(setting.key_range(), message);
            if let Some(severity) = severity {
                finding.severity(severity);
            }
            return;
        }
    }
}

const USER_PASSWORDS_PATTERN: &str =
    "password|initialPassword|hashedPassword|initialHashedPassword";

/// Whether a value names a secret instead of holding it: a file path, a variable to substitute
/// (`$VAR`, `@placeholder@`) or a `$__file{…}` reference. A hash starts with `$` too, so for
/// hashed options only the other forms count.
fn looks_like_reference(text: &str, hashed: bool) -> bool {
    text.starts_with('/')
        || text.starts_with('@')
        || (!hashed && text.starts_with('$'))
        || text.contains("$__file{")
}

/// What kind of private key a text holds, if any.
fn private_key_kind(text: &str) -> Option<&'static str> {
    if text.contains("AGE-SECRET-KEY-1") {
        return Some("an age secret key");
    }
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + "-----BEGIN ".len()..];
        let label_len = after
            .bytes()
            .take_while(|b| b.is_ascii_uppercase() || *b == b' ')
            .count();
        if after[..label_len].ends_with("PRIVATE KEY") && after[label_len..].starts_with("-----") {
            return Some("a private key");
        }
        rest = after;
    }
    None
}

/// Private keys in string literals, in any file.
fn check_string(node: &SyntaxNode, findings: &mut Findings) {
    // Only the string's own text: a string nested in an interpolation is checked on its own.
    // Every string of every file is read here, so from the green tree.
    let found = node
        .green()
        .children()
        .filter_map(|element| element.into_token())
        .filter(|token| syntax::green::token_kind(token) == SyntaxKind::TOKEN_STRING_CONTENT)
        .find_map(|token| private_key_kind(token.text()));
    if let Some(kind) = found {
        findings
            .report(
                node.text_range(),
                format!("String holds {kind}, which ends up in the world-readable Nix store"),
            )
            .severity(Severity::Error);
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_no_fix, check_with_config};

    use super::PLAINTEXT_SECRET;

    #[test]
    fn user_passwords() {
        check_no_fix(
            &PLAINTEXT_SECRET,
            r#"
{ lib, ... }:
{
  users.users.alice.password = "hunter2";
# ^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[plaintext-secret]: `users.users.alice.password` puts a password in the world-readable Nix store
  users.extraUsers.bob = { initialPassword = lib.mkForce "changeme"; };
#                          ^^^^^^^^^^^^^^^ warning[plaintext-secret]: `users.extraUsers.bob.initialPassword` puts a password in the world-readable Nix store
  users.users.carol.hashedPassword = "$6$salt$hash";
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ info[plaintext-secret]: `users.users.carol.hashedPassword` puts a password hash in the repository and the world-readable Nix store
  users.users.dave.hashedPassword = "!";
  users.users.erin.password = "";
}
"#,
        );
    }

    /// A dynamic key is an expression (deadnix #91); it stands for any one component.
    #[test]
    fn dynamic_user_names() {
        check(
            &PLAINTEXT_SECRET,
            r#"
{ config, ... }: { users.users.${config.owner}.password = "hunter2"; }
#                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[plaintext-secret]: `users.users.*.password` puts a password in the world-readable Nix store
"#,
        );
    }

    #[test]
    fn secret_names_through_wrappers() {
        check(
            &PLAINTEXT_SECRET,
            r#"
{ config, lib, ... }:
{
  config = lib.mkIf true (lib.mkMerge [
    { networking.wireguard.interfaces.wg0.privateKey = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="; }
#     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[plaintext-secret]: `networking.wireguard.interfaces.wg0.privateKey` puts a secret in the world-readable Nix store
    { environment.variables.GITHUB_TOKEN = "ghp_abc"; }
#     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[plaintext-secret]: `environment.variables.GITHUB_TOKEN` puts a secret in the world-readable Nix store
  ]);
  services.foo.hashedSecret = "$2b$10$abc";
# ^^^^^^^^^^^^^^^^^^^^^^^^^ info[plaintext-secret]: `services.foo.hashedSecret` puts a hashed secret in the repository and the world-readable Nix store
  services.foo.token = "/run/secrets/token";
  services.bar.token = "$TOKEN";
  services.baz.token = "@token@";
  services.qux.token = "$__file{/run/secrets/x}";
  services.quux.token = "${config.sops.placeholder.token}";
  services.tokenCount = 3;
  services.x.passwordFile = "/run/secrets/x";
}
"#,
        );
    }

    /// Defaults and examples in option declarations are not settings.
    #[test]
    fn option_declarations_are_not_settings() {
        check(
            &PLAINTEXT_SECRET,
            r#"
{ lib, ... }:
{
  options.services.foo = {
    password = lib.mkOption { type = lib.types.str; default = "secret"; };
    token = lib.mkOption { example = "ghp_example"; };
  };
  options.services.bar.settings = lib.mkOption {
    type = lib.types.submodule { options.apiKey = lib.mkOption { default = "k"; }; };
    default = { password = "hunter2"; };
    example = { secret = "s"; };
  };
}
"#,
        );
    }

    #[test]
    fn let_bindings_and_non_modules_are_not_settings() {
        check(
            &PLAINTEXT_SECRET,
            r#"
let password = "hunter2"; in password
"#,
        );
        check(
            &PLAINTEXT_SECRET,
            r#"
{ pkgs }: pkgs.mkShell { token = "abc"; }
"#,
        );
    }

    #[test]
    fn private_keys_in_any_string() {
        check(
            &PLAINTEXT_SECRET,
            r#"
{ pkgs }: {
  a = pkgs.writeText "key" ''
#                          ^^ error[plaintext-secret]: String holds a private key, which ends up in the world-readable Nix store
    -----BEGIN OPENSSH PRIVATE KEY-----
    b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
    -----END OPENSSH PRIVATE KEY-----
  '';
  b = "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ";
#     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error[plaintext-secret]: String holds an age secret key, which ends up in the world-readable Nix store
  c = "-----BEGIN PUBLIC KEY-----";
  d = "-----BEGIN CERTIFICATE-----";
}
"#,
        );
    }

    #[test]
    fn configured_names_and_allow_list() {
        check_with_config(
            &PLAINTEXT_SECRET,
            "[lints.plaintext-secret]\nsecret-names = \"(?i)pin$\"\nallow = \"users.users.test.*, services.**.pin\"",
            r#"
{
  users.users.test.password = "test";
  users.users.alice.password = "hunter2";
# ^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[plaintext-secret]: `users.users.alice.password` puts a password in the world-readable Nix store
  services.foo.token = "not matched by the configured names";
  services.foo.pin = "allowed";
  hardware.sim.pin = "1234";
# ^^^^^^^^^^^^^^^^ warning[plaintext-secret]: `hardware.sim.pin` puts a secret in the world-readable Nix store
}
"#,
        );
    }

    #[test]
    fn invalid_secret_names_fall_back_to_the_default() {
        check_with_config(
            &PLAINTEXT_SECRET,
            "[lints.plaintext-secret]\nsecret-names = \"(unclosed\"",
            r#"
{ services.foo.apiKey = "abc"; }
# ^^^^^^^^^^^^^^^^^^^ warning[plaintext-secret]: `services.foo.apiKey` puts a secret in the world-readable Nix store
"#,
        );
    }
}
