//! NIX504: fetchers and fixed-output derivations pinned with MD5 or SHA-1.

use syntax::ast;
use syntax::helpers::unwrap_parens;
use syntax::{AstNode, SyntaxKind, SyntaxNode};

use crate::diagnostic::Severity;
use crate::fetchers::{call_at, is_fetcher_name};
use crate::lint::{declare_lint, Findings, LintCtx};
use crate::module_context::literal_string;

declare_lint! {
    /// ## What it does
    /// Checks for weak hashes: in the attribute set given to a fetcher (`fetchurl`, `fetchzip`,
    /// any `fetch*`), an attribute named `md5` or `sha1`, or a `hash` that is an SRI hash of
    /// either (`"md5-…"`, `"sha1-…"`); and anywhere, `outputHashAlgo = "md5"` or `"sha1"` and an
    /// SRI `outputHash` of either. MD5 is an error, SHA-1 a warning.
    ///
    /// ## Why is this bad?
    /// The hash of a fixed-output derivation is all that vouches for its content. MD5 collisions
    /// are cheap and SHA-1 collisions are practical, so a source pinned with them can be swapped
    /// for another with the same hash. nixpkgs removed MD5 support from `fetchurl` for this
    /// reason. There is no fix: the SHA-256 hash has to be computed from the content (for
    /// example with `nix-prefetch-url` or by building once with an empty `hash`).
    ///
    /// ## Example
    /// ```nix
    /// fetchurl {
    ///   url = "https://example.org/a.tar.gz";
    ///   sha1 = "0123456789abcdef0123456789abcdef01234567";
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// fetchurl {
    ///   url = "https://example.org/a.tar.gz";
    ///   hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    /// }
    /// ```
    pub(crate) static WEAK_HASH = {
        code: "NIX504",
        name: "weak-hash",
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
    let Some(binding) = ast::AttrpathValue::cast(node.clone()) else {
        return;
    };
    // Only a one-name binding can pin a hash; its name is read without allocating, and its value
    // only for the few names that matter: this runs on every binding of every file.
    if binding
        .attrpath()
        .is_none_or(|path| path.attrs().nth(1).is_some())
    {
        return;
    }
    let Some(key) = ctx.last_key(&binding) else {
        return;
    };
    let key = key.as_str();
    let value = || {
        binding
            .value()
            .map(unwrap_parens)
            .and_then(|value| literal_string(&value))
    };
    let algorithm = match key {
        "md5" | "sha1" if in_fetcher_arguments(node) => key.to_owned(),
        "hash" if in_fetcher_arguments(node) => match sri_algorithm(value().as_deref()) {
            Some(algorithm) => algorithm,
            None => return,
        },
        "outputHash" => match sri_algorithm(value().as_deref()) {
            Some(algorithm) => algorithm,
            None => return,
        },
        "outputHashAlgo" => match value().as_deref() {
            Some(algorithm @ ("md5" | "sha1")) => algorithm.to_owned(),
            _ => return,
        },
        _ => return,
    };
    let range = binding
        .attrpath()
        .map_or(node.text_range(), |path| path.syntax().text_range());
    if algorithm == "md5" {
        findings
            .report(
                range,
                format!("`{key}` pins with MD5, which is broken: use an SRI `hash` with SHA-256"),
            )
            .severity(Severity::Error);
    } else {
        findings.report(
            range,
            format!("`{key}` pins with SHA-1, which is weak: use an SRI `hash` with SHA-256"),
        );
    }
}

/// `md5` or `sha1` for an SRI hash of that algorithm.
fn sri_algorithm(value: Option<&str>) -> Option<String> {
    let (algorithm, _) = value?.split_once('-')?;
    matches!(algorithm, "md5" | "sha1").then(|| algorithm.to_owned())
}

/// Whether a binding is directly in the attribute set given to a fetcher.
fn in_fetcher_arguments(binding: &SyntaxNode) -> bool {
    let Some(mut current) = binding.parent() else {
        return false;
    };
    if current.kind() != SyntaxKind::NODE_ATTR_SET {
        return false;
    }
    while let Some(parent) = current.parent() {
        match parent.kind() {
            SyntaxKind::NODE_PAREN => current = parent,
            SyntaxKind::NODE_APPLY => {
                let Some(call) = call_at(&parent) else {
                    return false;
                };
                return call.args.last().map(|arg| arg.syntax() == &current) == Some(true)
                    && call.name().is_some_and(is_fetcher_name);
            }
            _ => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_no_fix};

    use super::WEAK_HASH;

    #[test]
    fn weak_hashes() {
        check_no_fix(
            &WEAK_HASH,
            r#"
[
  (fetchurl { url = "https://example.org/a"; md5 = "d41d8cd98f00b204e9800998ecf8427e"; })
#                                            ^^^ error[weak-hash]: `md5` pins with MD5, which is broken: use an SRI `hash` with SHA-256
  (pkgs.fetchzip { url = "https://example.org/a"; sha1 = "0123"; })
#                                                 ^^^^ warning[weak-hash]: `sha1` pins with SHA-1, which is weak: use an SRI `hash` with SHA-256
  (fetchurl { url = "https://example.org/a"; hash = "sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk="; })
#                                            ^^^^ warning[weak-hash]: `hash` pins with SHA-1, which is weak: use an SRI `hash` with SHA-256
  (derivation { name = "x"; outputHashAlgo = "md5"; outputHash = "d41d8cd98f00b204e9800998ecf8427e"; })
#                           ^^^^^^^^^^^^^^ error[weak-hash]: `outputHashAlgo` pins with MD5, which is broken: use an SRI `hash` with SHA-256
  (stdenv.mkDerivation { outputHash = "sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk="; })
#                        ^^^^^^^^^^ warning[weak-hash]: `outputHash` pins with SHA-1, which is weak: use an SRI `hash` with SHA-256
]
"#,
        );
    }

    #[test]
    fn strong_hashes_and_other_places_are_fine() {
        check(
            &WEAK_HASH,
            r#"
{
  a = fetchurl { url = "u"; sha256 = "x"; hash = "sha256-AAAA"; };
  b = { md5 = "x"; sha1 = "y"; hash = "sha1-x"; };
  c = mkDerivation { md5 = "x"; };
  d = fetchurl { url = "u"; meta.sha1 = "x"; };
  e = derivation { outputHashAlgo = "sha256"; outputHash = "sha512-x"; };
}
"#,
        );
    }
}
