//! NIX502: secret-file options given a file that Nix copies into the world-readable store.

use syntax::ast::{self, BinOpKind, Expr, InterpolPart};
use syntax::helpers::unwrap_parens;
use syntax::{AstNode, SyntaxNode};

use crate::fetchers::call_at;
use crate::lint::{declare_lint, Findings, LintCtx, LintOption, OptionDefault};
use crate::lints::plaintext_secret::{is_default_secret_name, DEFAULT_SECRET_NAMES};
use crate::module_context::{
    ends_with_word, is_complete_string, is_path_literal, setting_at, strip_word_suffix, unwrap,
    AllowList, NamePattern,
};

/// The default pattern of option names that take a file holding a secret.
const DEFAULT_FILE_NAMES: &str =
    "(?i)(password|passwd|secret|token|key|credentials?|environment)[-_]?files?$";

/// [`DEFAULT_FILE_NAMES`] for an ASCII name: one of its words, then `-` or `_` or nothing, then
/// `file` or `files`.
fn is_default_file_name(name: &str) -> bool {
    const WORDS: &[&str] = &[
        "password",
        "passwd",
        "secret",
        "token",
        "key",
        "credential",
        "credentials",
        "environment",
    ];
    let Some(rest) = ["files", "file"]
        .iter()
        .find_map(|suffix| strip_word_suffix(name, suffix))
    else {
        return false;
    };
    let unseparated = rest.strip_suffix(['-', '_']).unwrap_or(rest);
    ends_with_word(rest, WORDS) || ends_with_word(unseparated, WORDS)
}

/// Options that take a secret file under names the pattern does not cover.
const EXPLICIT_FILE_NAMES: &[&str] = &["sshKey", "sslCertificateKey", "privateKeyFile"];

declare_lint! {
    /// ## What it does
    /// Checks options that take a file with a secret — names matching the `file-names` pattern
    /// (`passwordFile`, `hashedPasswordFile`, `environmentFile`, `environmentFiles`, `keyFile`,
    /// `secret-key-files`, `credentialsFile`, …) and `sshKey`, `sslCertificateKey`,
    /// `privateKeyFile` — for values that put the file into the Nix store: a path literal
    /// (`./secret`, `/etc/secret`, `~/secret`), `"${./secret}"`, or a `builtins.toFile` or
    /// `writeText*` call. Elements of a list (`environmentFiles = [ ./env ];`) count. It also
    /// checks options whose name matches the `secret-names` pattern of `plaintext-secret`
    /// (`password`, `token`, …) for `builtins.readFile ./secret` or `lib.fileContents ./secret`.
    ///
    /// Names with `public` in them and everything under `openssh.authorizedKeys` are public
    /// keys, not secrets, and are skipped. Options are matched as in `plaintext-secret`,
    /// including the `allow` list; values in option declarations are skipped.
    ///
    /// ## Why is this bad?
    /// A path used as a value is copied into the Nix store when the configuration is built, and
    /// the store is readable by every local user (and by anyone the closure is copied to). This
    /// is the same as writing the secret in the file, only less visible: `"${./key}"` is not
    /// the same as `./key`. Keep secrets out of the store and give the option a string with a
    /// path that exists only at run time, such as `"/run/secrets/x"` from agenix or sops-nix.
    ///
    /// ## Example
    /// ```nix
    /// { services.foo.passwordFile = ./secrets/foo-password; }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// { config, ... }: {
    ///   services.foo.passwordFile = config.age.secrets.foo-password.path;
    /// }
    /// ```
    pub(crate) static SECRET_FILE_IN_STORE = {
        code: "NIX502",
        name: "secret-file-in-store",
        category: Security,
        severity: Error,
        fix: None,
        tags: [],
        kinds: [NODE_ATTRPATH_VALUE],
        reach: Entry,
        options: [
            LintOption {
                name: "file-names",
                default: OptionDefault::Str(DEFAULT_FILE_NAMES),
                doc: "A regular expression for the last component of options that take a secret file; an invalid one means the default.",
            },
            LintOption {
                name: "secret-names",
                default: OptionDefault::Str(DEFAULT_SECRET_NAMES),
                doc: "A regular expression for options that hold a secret, checked for `readFile` of a path; an invalid one means the default.",
            },
            LintOption {
                name: "allow",
                default: OptionDefault::Str(""),
                doc: "Comma-separated option-path globs never reported (`*` is one component, `**` any number).",
            },
        ],
        check: check_binding,
    };
}

/// What an option holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Holds {
    SecretFile,
    Secret,
}

/// The file's patterns for the names of options that take a secret file or hold a secret.
struct Patterns {
    file_names: NamePattern,
    secret_names: NamePattern,
}

fn check_binding(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(binding) = ast::AttrpathValue::cast(node.clone()) else {
        return;
    };
    let Some(key) = ctx.last_key(&binding) else {
        return;
    };
    let key = key.as_str();
    if key
        .as_bytes()
        .windows("public".len())
        .any(|window| window.eq_ignore_ascii_case(b"public"))
    {
        return;
    }
    // Read once per file: looking the options and their regexes up cost more, on every binding
    // of every file, than matching them.
    let patterns = ctx.memo(ctx.root, || Patterns {
        file_names: NamePattern::new(
            &ctx.str_option("file-names"),
            DEFAULT_FILE_NAMES,
            is_default_file_name,
        ),
        secret_names: NamePattern::new(
            &ctx.str_option("secret-names"),
            DEFAULT_SECRET_NAMES,
            is_default_secret_name,
        ),
    });
    let holds = if EXPLICIT_FILE_NAMES.contains(&key) || patterns.file_names.is_match(key) {
        Holds::SecretFile
    } else if patterns.secret_names.is_match(key) {
        Holds::Secret
    } else {
        return;
    };
    let Some(setting) = setting_at(ctx, node) else {
        return;
    };
    if setting
        .path
        .segments
        .iter()
        .any(|segment| segment == "authorizedKeys")
    {
        return;
    }
    if AllowList::parse(&ctx.str_option("allow")).allows(&setting.path.segments) {
        return;
    }
    let path = setting.path.dotted();
    let mut values = Vec::new();
    for value in setting.values {
        match value {
            Expr::List(list) => values.extend(list.items().flat_map(unwrap)),
            other => values.push(other),
        }
    }
    for value in values {
        let problem = match holds {
            Holds::SecretFile => store_copy(&value),
            Holds::Secret => read_at_evaluation(&value),
        };
        if let Some(problem) = problem {
            findings.report(
                value.syntax().text_range(),
                format!(
                    "`{path}` {problem}: give a runtime path such as \"/run/secrets/x\" (agenix, sops-nix)"
                ),
            );
        }
    }
}

/// How a value puts a file into the store, if it does.
fn store_copy(value: &Expr) -> Option<String> {
    if is_path_literal(value) {
        return Some(format!(
            "copies `{}` into the world-readable Nix store",
            value.syntax()
        ));
    }
    match value {
        Expr::Str(string) if is_complete_string(string) => {
            string.normalized_parts().into_iter().find_map(|part| {
                let InterpolPart::Interpolation(interpolation) = part else {
                    return None;
                };
                let inner = unwrap_parens(interpolation.expr()?);
                is_path_literal(&inner).then(|| {
                    format!(
                        "copies `{}` into the world-readable Nix store",
                        inner.syntax()
                    )
                })
            })
        }
        Expr::Apply(apply) => {
            let call = call_at(apply.syntax())?;
            let name = call.name()?;
            let last = name.rsplit('.').next()?;
            (last == "toFile" || last.starts_with("writeText"))
                .then(|| format!("is written into the world-readable Nix store by `{name}`"))
        }
        _ => None,
    }
}

/// How a value reads a file at evaluation time, if it does.
fn read_at_evaluation(value: &Expr) -> Option<String> {
    let Expr::Apply(apply) = value else {
        return None;
    };
    let call = call_at(apply.syntax())?;
    let name = call.name()?;
    if !matches!(name.rsplit('.').next(), Some("readFile" | "fileContents")) {
        return None;
    }
    let argument = call.arg0()?;
    let is_path = is_path_literal(&argument)
        || matches!(&argument, Expr::BinOp(binop)
            if binop.operator() == Some(BinOpKind::Add)
                && binop.lhs().is_some_and(|lhs| is_path_literal(&unwrap_parens(lhs))));
    is_path.then(|| {
        format!(
            "reads `{}` into the world-readable Nix store",
            argument.syntax()
        )
    })
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_no_fix, check_with_config};

    use super::SECRET_FILE_IN_STORE;

    /// Names built from the default patterns' words and near misses, with separators, suffixes
    /// and cases: the hand-written matchers must answer every one as the regexes do.
    fn names() -> Vec<String> {
        let heads = ["", "my", "db", "x_", "a-", "Public", "ssh"];
        let words = [
            "password",
            "passwd",
            "pass",
            "secret",
            "secrets",
            "token",
            "tokens",
            "apikey",
            "api_key",
            "api-key",
            "privatekey",
            "private_key",
            "secretkey",
            "accesskey",
            "clientsecret",
            "key",
            "keys",
            "credential",
            "credentials",
            "credentialss",
            "environment",
            "env",
            "",
        ];
        let separators = ["", "-", "_", "__", ".", "-_"];
        let tails = ["", "file", "files", "filez", "s", "fil", "sfile"];
        let mut names = Vec::new();
        for head in heads {
            for word in words {
                for separator in separators {
                    for tail in tails {
                        let name = format!("{head}{word}{separator}{tail}");
                        names.push(name.to_uppercase());
                        let mut title = name.clone();
                        if let Some(first) = title.get_mut(..1) {
                            first.make_ascii_uppercase();
                        }
                        names.push(title);
                        names.push(name);
                    }
                }
            }
        }
        names
    }

    #[test]
    fn the_default_patterns_match_by_hand_as_by_regex() {
        let file_names = regex::Regex::new(super::DEFAULT_FILE_NAMES).expect("compiles");
        let secret_names = regex::Regex::new(super::DEFAULT_SECRET_NAMES).expect("compiles");
        let names = names();
        assert!(names.len() > 10_000);
        let mut matched = (0, 0);
        for name in &names {
            assert_eq!(
                super::is_default_file_name(name),
                file_names.is_match(name),
                "file name {name:?}"
            );
            assert_eq!(
                super::is_default_secret_name(name),
                secret_names.is_match(name),
                "secret name {name:?}"
            );
            matched.0 += usize::from(file_names.is_match(name));
            matched.1 += usize::from(secret_names.is_match(name));
        }
        // Both answers occur, for both patterns; a secret name must end with its word.
        assert!(
            matched.0 > 1_000 && matched.0 < names.len() - 1_000,
            "{matched:?}"
        );
        assert!(
            matched.1 > 100 && matched.1 < names.len() - 1_000,
            "{matched:?}"
        );
    }

    #[test]
    fn paths_and_store_writes() {
        check_no_fix(
            &SECRET_FILE_IN_STORE,
            r#"
{ pkgs, lib, ... }:
{
  services.foo.passwordFile = ./secrets/foo;
#                             ^^^^^^^^^^^^^ error[secret-file-in-store]: `services.foo.passwordFile` copies `./secrets/foo` into the world-readable Nix store: give a runtime path such as "/run/secrets/x" (agenix, sops-nix)
  services.bar.environmentFiles = [ "/run/secrets/env" (lib.mkForce /etc/bar.env) ];
#                                                                   ^^^^^^^^^^^^ error[secret-file-in-store]: `services.bar.environmentFiles` copies `/etc/bar.env` into the world-readable Nix store: give a runtime path such as "/run/secrets/x" (agenix, sops-nix)
  nix.settings.secret-key-files = pkgs.writeText "key" "k";
#                                 ^^^^^^^^^^^^^^^^^^^^^^^^ error[secret-file-in-store]: `nix.settings.secret-key-files` is written into the world-readable Nix store by `pkgs.writeText`: give a runtime path such as "/run/secrets/x" (agenix, sops-nix)
  services.nginx.virtualHosts.x.sslCertificateKey = builtins.toFile "key" "k";
#                                                   ^^^^^^^^^^^^^^^^^^^^^^^^^ error[secret-file-in-store]: `services.nginx.virtualHosts.x.sslCertificateKey` is written into the world-readable Nix store by `builtins.toFile`: give a runtime path such as "/run/secrets/x" (agenix, sops-nix)
  users.users.alice.password = builtins.readFile ./secrets/alice;
#                              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error[secret-file-in-store]: `users.users.alice.password` reads `./secrets/alice` into the world-readable Nix store: give a runtime path such as "/run/secrets/x" (agenix, sops-nix)
}
"#,
        );
    }

    /// `"${./key}"` is not `./key` as a string: the interpolation copies the file into the store.
    #[test]
    fn interpolated_paths_copy_into_the_store() {
        check(
            &SECRET_FILE_IN_STORE,
            r#"
{ services.foo.keyFile = "${./keys/foo}"; }
#                        ^^^^^^^^^^^^^^^ error[secret-file-in-store]: `services.foo.keyFile` copies `./keys/foo` into the world-readable Nix store: give a runtime path such as "/run/secrets/x" (agenix, sops-nix)
"#,
        );
    }

    #[test]
    fn runtime_paths_public_keys_and_declarations_are_fine() {
        check(
            &SECRET_FILE_IN_STORE,
            r#"
{ config, lib, ... }:
{
  services.foo.passwordFile = "/run/secrets/foo";
  services.foo.environmentFile = config.sops.secrets.foo.path;
  users.users.alice.openssh.authorizedKeys.keyFiles = [ ./alice.pub ];
  services.bar.publicKeyFile = ./bar.pub;
  security.pki.certificateFiles = [ ./ca.pem ];
  services.baz.configFile = ./baz.conf;
  users.users.bob.password = builtins.readFile "/run/secrets/bob";
  options.services.qux.keyFile = lib.mkOption { default = ./default.key; };
  services.quux = lib.mkOption { type = lib.types.path; example = { passwordFile = ./x; }; };
}
"#,
        );
    }

    #[test]
    fn allow_list() {
        check_with_config(
            &SECRET_FILE_IN_STORE,
            "[lints.secret-file-in-store]\nallow = \"services.test.*\"",
            r#"
{ services.test.keyFile = ./test-only.key; }
"#,
        );
    }
}
