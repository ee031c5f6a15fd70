//! NIX203: builtin fetchers called without a hash or a revision.

use syntax::ast::Expr;
use syntax::{AstNode, SyntaxNode, TextEdit};

use crate::diagnostic::{Fix, Severity};
use crate::fetchers::builtin_name;
use crate::lint::{declare_lint, Findings, LintCtx};
use crate::module_context::{binding_value, defines_key, has_dynamic_key, literal_string};

declare_lint! {
    /// ## What it does
    /// Checks for calls of the builtin fetchers that do not pin what they fetch:
    /// `builtins.fetchTarball` and `builtins.fetchurl` given only a URL, or an attribute set
    /// without `sha256`, `hash` or `narHash`; `builtins.fetchGit` and `builtins.fetchMercurial`
    /// without `rev`; `builtins.fetchTree` of type `tarball` or `file` without `narHash`, or of
    /// type `git`, `github`, `gitlab`, `sourcehut` or `mercurial` without `rev`; and
    /// `builtins.fetchTree` or `builtins.getFlake` given a reference string with no `rev=`,
    /// `narHash=` or 40-hex revision in it. The bare names of the global scope (`fetchTarball`)
    /// count too.
    ///
    /// ## Why is this bad?
    /// Without a hash or a revision, Nix fetches whatever the URL or branch serves when the
    /// cache expires, so the same expression builds something different tomorrow. In a flake,
    /// pure evaluation refuses such fetches, which is reported as an error.
    ///
    /// For the URL-only form of `fetchTarball` and `fetchurl`, an unsafe fix rewrites the
    /// argument to `{ url = "…"; sha256 = ""; }`. Nix then fails with the hash it actually got,
    /// which you copy in: trust on first use, so check that the URL serves what you expect. A
    /// computed `getFlake` reference is reported by `impure-builtin` (NIX202) instead.
    ///
    /// ## Example
    /// ```nix
    /// import (builtins.fetchTarball "https://github.com/NixOS/nixpkgs/archive/0123456789abcdef0123456789abcdef01234567.tar.gz") { }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// import (builtins.fetchTarball {
    ///   url = "https://github.com/NixOS/nixpkgs/archive/0123456789abcdef0123456789abcdef01234567.tar.gz";
    ///   sha256 = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    /// }) { }
    /// ```
    pub(crate) static UNPINNED_FETCH = {
        code: "NIX203",
        name: "unpinned-fetch",
        category: Reproducibility,
        severity: Warning,
        fix: Unsafe,
        tags: [],
        kinds: [NODE_APPLY],
        reach: Entry,
        check: check_apply,
    };
}

/// How a fetcher is pinned.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pin {
    Hash,
    Rev,
}

fn check_apply(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(call) = ctx.call_at(node) else {
        return;
    };
    let Some(builtin) = builtin_name(ctx, &call.function) else {
        return;
    };
    let Some(arg0) = call.arg0() else { return };
    let written = call.function.syntax().to_string();
    let flake = ctx.is_flake();
    let range = call.function.syntax().text_range();
    let pin = match builtin.as_str() {
        "fetchTarball" | "fetchurl" => Pin::Hash,
        "fetchGit" | "fetchMercurial" => Pin::Rev,
        "fetchTree" | "getFlake" => {
            match &arg0 {
                Expr::Str(_) => {
                    // A computed reference may well be locked; NIX202 reports computed getFlake.
                    let Some(reference) = literal_string(&arg0) else {
                        return;
                    };
                    if is_locked_reference(&reference) {
                        return;
                    }
                    let finding = findings.report(
                        range,
                        format!(
                            "`{written}` reference `{reference}` is not locked: it has no `rev` or `narHash`"
                        ),
                    );
                    if flake {
                        finding.severity(Severity::Error);
                    }
                    return;
                }
                Expr::AttrSet(set) if builtin == "fetchTree" => {
                    let kind = binding_value(set, "type").and_then(|value| literal_string(&value));
                    match kind.as_deref() {
                        Some("tarball" | "file") => Pin::Hash,
                        Some("git" | "github" | "gitlab" | "sourcehut" | "mercurial") => Pin::Rev,
                        _ => return,
                    }
                }
                _ => return,
            }
        }
        _ => return,
    };
    let (pinned, missing) = match &arg0 {
        Expr::Str(_) => (false, pin),
        Expr::AttrSet(set) => {
            if has_dynamic_key(set) {
                return;
            }
            let pinned = match pin {
                Pin::Hash => ["sha256", "hash", "narHash"]
                    .iter()
                    .any(|key| defines_key(set, key)),
                Pin::Rev => defines_key(set, "rev"),
            };
            (pinned, pin)
        }
        _ => return,
    };
    if pinned {
        return;
    }
    let message = match (missing, flake) {
        (Pin::Hash, false) => {
            format!("`{written}` without a hash fetches whatever the URL serves at the time")
        }
        (Pin::Hash, true) => {
            format!("`{written}` without a hash fails in a flake's pure evaluation")
        }
        (Pin::Rev, false) => {
            format!("`{written}` without `rev` fetches the moving head of a branch")
        }
        (Pin::Rev, true) => format!("`{written}` without `rev` fails in a flake's pure evaluation"),
    };
    let finding = findings.report(range, message);
    if flake {
        finding.severity(Severity::Error);
    }
    if let (Expr::Str(string), "fetchTarball" | "fetchurl") = (&arg0, builtin.as_str()) {
        finding.fix(Fix::unsafe_(
            "Convert to `{ url = …; sha256 = \"\"; }` and fill in the hash Nix reports",
            vec![TextEdit::replace(
                string.syntax().text_range(),
                format!("{{ url = {}; sha256 = \"\"; }}", string.syntax()),
            )],
        ));
    }
}

/// Whether a flake reference pins its source: a `rev=` or `narHash=` parameter, or a 40-hex
/// revision as a path component (`github:o/r/<rev>`).
fn is_locked_reference(reference: &str) -> bool {
    let (location, query) = reference.split_once('?').unwrap_or((reference, ""));
    let pinned_by_query = query
        .split('&')
        .any(|param| param.starts_with("rev=") || param.starts_with("narHash="));
    pinned_by_query
        || location
            .split(['/', ':'])
            .any(|part| part.len() == 40 && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_unsafe_fix};

    use super::{is_locked_reference, UNPINNED_FETCH};

    #[test]
    fn url_only_and_hashless_fetches() {
        check(
            &UNPINNED_FETCH,
            r#"
[
  (builtins.fetchTarball "https://example.org/a.tar.gz")
#  ^^^^^^^^^^^^^^^^^^^^^ warning[unpinned-fetch]: `builtins.fetchTarball` without a hash fetches whatever the URL serves at the time
  (fetchTarball { url = "https://example.org/a.tar.gz"; })
#  ^^^^^^^^^^^^ warning[unpinned-fetch]: `fetchTarball` without a hash fetches whatever the URL serves at the time
  (builtins.fetchurl { url = "https://example.org/a"; name = "a"; })
#  ^^^^^^^^^^^^^^^^^ warning[unpinned-fetch]: `builtins.fetchurl` without a hash fetches whatever the URL serves at the time
  (builtins.fetchGit { url = "https://example.org/a.git"; ref = "main"; })
#  ^^^^^^^^^^^^^^^^^ warning[unpinned-fetch]: `builtins.fetchGit` without `rev` fetches the moving head of a branch
  (fetchGit "https://example.org/a.git")
#  ^^^^^^^^ warning[unpinned-fetch]: `fetchGit` without `rev` fetches the moving head of a branch
  (builtins.fetchTree { type = "github"; owner = "o"; repo = "r"; })
#  ^^^^^^^^^^^^^^^^^^ warning[unpinned-fetch]: `builtins.fetchTree` without `rev` fetches the moving head of a branch
  (builtins.fetchTree { type = "tarball"; url = "https://example.org/a.tar.gz"; })
#  ^^^^^^^^^^^^^^^^^^ warning[unpinned-fetch]: `builtins.fetchTree` without a hash fetches whatever the URL serves at the time
  (builtins.getFlake "github:NixOS/nixpkgs/nixos-unstable")
#  ^^^^^^^^^^^^^^^^^ warning[unpinned-fetch]: `builtins.getFlake` reference `github:NixOS/nixpkgs/nixos-unstable` is not locked: it has no `rev` or `narHash`
  (with builtins; fetchurl "https://example.org/a")
#                 ^^^^^^^^ warning[unpinned-fetch]: `fetchurl` without a hash fetches whatever the URL serves at the time
]
"#,
        );
    }

    #[test]
    fn pinned_and_unrelated_calls_are_fine() {
        check(
            &UNPINNED_FETCH,
            r#"
{ pkgs, fetchurl }:
[
  (builtins.fetchTarball { url = "https://example.org/a.tar.gz"; sha256 = "0abc"; })
  (builtins.fetchurl { url = "https://example.org/a"; hash = "sha256-AAAA"; })
  (builtins.fetchGit { url = "https://example.org/a.git"; rev = "0123456789abcdef0123456789abcdef01234567"; })
  (builtins.fetchTree { type = "path"; path = "/x"; })
  (builtins.fetchTree { type = "github"; owner = "o"; repo = "r"; rev = "0123456789abcdef0123456789abcdef01234567"; })
  (builtins.fetchTree "github:o/r/0123456789abcdef0123456789abcdef01234567")
  (builtins.getFlake "github:o/r?narHash=sha256-AAAA")
  (builtins.getFlake "github:o/r/${rev}")
  (builtins.fetchTarball args)
  (builtins.fetchTarball { ${k} = v; })
  (pkgs.fetchurl { url = "https://example.org/a"; })
  (fetchurl "https://example.org/a")
  (let fetchTarball = x: x; in fetchTarball "https://example.org/a.tar.gz")
]
"#,
        );
    }

    #[test]
    fn errors_in_flakes() {
        check(
            &UNPINNED_FETCH,
            r#"
#- /flake.nix
{
  outputs = _: { src = builtins.fetchGit { url = "https://example.org/a.git"; }; };
#                      ^^^^^^^^^^^^^^^^^ error[unpinned-fetch]: `builtins.fetchGit` without `rev` fails in a flake's pure evaluation
}
"#,
        );
    }

    #[test]
    fn unsafe_fix_converts_the_url_form() {
        let before = r#"
import (builtins.fetchTarball "https://example.org/${v}.tar.gz") { }
"#;
        let after = r#"
import (builtins.fetchTarball { url = "https://example.org/${v}.tar.gz"; sha256 = ""; }) { }
"#;
        check_unsafe_fix(&UNPINNED_FETCH, before, after);
        check_fix(&UNPINNED_FETCH, before, before);
        // `fetchGit` has no fix: a revision cannot be guessed.
        let git = "builtins.fetchGit \"https://example.org/a.git\"\n";
        check_unsafe_fix(&UNPINNED_FETCH, git, git);
    }

    #[test]
    fn locked_references() {
        assert!(is_locked_reference(
            "github:o/r/0123456789abcdef0123456789abcdef01234567"
        ));
        assert!(is_locked_reference("git+https://x/y?ref=main&rev=abc"));
        assert!(is_locked_reference("path:/x?narHash=sha256-abc"));
        assert!(!is_locked_reference("github:o/r/main"));
        assert!(!is_locked_reference("git+https://x/y?ref=main"));
        assert!(!is_locked_reference("nixpkgs"));
    }
}
