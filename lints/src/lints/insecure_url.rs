//! NIX503: sources and substituters fetched over `http://`, `git://` or `ftp://`.

use syntax::ast::{self, Expr};
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextEdit, TextRange, TextSize};

use crate::diagnostic::Fix;
use crate::fetchers::{is_fetcher_name, url_strings};
use crate::lint::{declare_lint, Findings, LintCtx};
use crate::module_context::{optpath, setting_at};

declare_lint! {
    /// ## What it does
    /// Checks for URLs starting with `http://`, `git://` or `ftp://` (also behind a `git+`,
    /// `tarball+`, `file+` or `hg+` prefix) where Nix fetches from them:
    ///
    /// - the first argument, the `url` or an element of `urls` of a fetcher call (`fetchurl`,
    ///   `builtins.fetchTarball`, `fetchzip`, any `fetch*`);
    /// - `inputs.<name>.url` in `flake.nix`;
    /// - the substituters of `nix.settings` and of a flake's `nixConfig` (`substituters`,
    ///   `extra-substituters`, `trusted-substituters`, `extra-trusted-substituters`) and the
    ///   legacy `nix.binaryCaches`, as list elements or space-separated in one string.
    ///
    /// Hosts that never leave the machine or the local network are skipped: `localhost`,
    /// `127.x.x.x`, `[::1]`, `*.localhost` and `*.local`.
    ///
    /// ## Why is this bad?
    /// A fixed-output hash protects the content of a source, but not a fetch without a hash,
    /// not a substituter's metadata (narinfo, which names what to download and which keys signed
    /// it) and not a flake input that is being locked for the first time. Anyone on the path can
    /// serve something else or watch what is fetched.
    ///
    /// The fix replaces the scheme with `https://` (`git://` becomes `https://` in fetchers and
    /// `git+https://` in flake inputs). It is unsafe: the server may not offer HTTPS, or may
    /// serve it at another address.
    ///
    /// ## Example
    /// ```nix
    /// { nix.settings.substituters = [ "http://cache.example.org" ]; }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// { nix.settings.substituters = [ "https://cache.example.org" ]; }
    /// ```
    pub(crate) static INSECURE_URL = {
        code: "NIX503",
        name: "insecure-url",
        category: Security,
        severity: Warning,
        fix: Unsafe,
        tags: [],
        kinds: [NODE_APPLY, NODE_ATTRPATH_VALUE],
        reach: Entry,
        check: check_node,
    };
}

const SUBSTITUTER_OPTIONS: &[&str] = &[
    "substituters",
    "extra-substituters",
    "trusted-substituters",
    "extra-trusted-substituters",
];

/// Where a URL is used, which decides what `git://` becomes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    Fetcher,
    FlakeInput,
    Substituter,
}

fn check_node(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    if node.kind() == SyntaxKind::NODE_APPLY {
        let Some(call) = ctx.call_at(node) else {
            return;
        };
        if !call.name().is_some_and(is_fetcher_name) {
            return;
        }
        for string in url_strings(&call) {
            check_string(&string, Use::Fetcher, findings);
        }
        return;
    }
    let Some(binding) = ast::AttrpathValue::cast(node.clone()) else {
        return;
    };
    let Some(key) = ctx.last_key(&binding) else {
        return;
    };
    let key = key.as_str();
    if key == "url" {
        if !ctx.is_flake() {
            return;
        }
        let Some(path) = optpath(&binding) else {
            return;
        };
        let at_top = path.root.parent().is_some_and(|parent| {
            parent.kind() == SyntaxKind::NODE_ROOT || parent.kind() == SyntaxKind::NODE_PAREN
        });
        if !at_top || !path.matches_exactly(&["inputs", "*", "url"]) {
            return;
        }
        if let Some(Expr::Str(string)) = binding.value().map(syntax::helpers::unwrap_parens) {
            check_string(&string, Use::FlakeInput, findings);
        }
        return;
    }
    if !SUBSTITUTER_OPTIONS.contains(&key) && key != "binaryCaches" && key != "trustedBinaryCaches"
    {
        return;
    }
    let Some(setting) = setting_at(ctx, node) else {
        return;
    };
    let is_substituters = setting.path.matches(&["nix", "settings", "*"])
        || setting.path.matches(&["nixConfig", "*"])
        || setting
            .path
            .matches(&["nix", "binaryCaches|trustedBinaryCaches"]);
    if !is_substituters {
        return;
    }
    for value in &setting.values {
        match value {
            Expr::Str(string) => check_string(string, Use::Substituter, findings),
            Expr::List(list) => {
                for item in list.items().flat_map(crate::module_context::unwrap) {
                    if let Expr::Str(string) = item {
                        check_string(&string, Use::Substituter, findings);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Reports insecure URLs in a string: at its start, or for substituters at the start of every
/// space-separated word.
fn check_string(string: &ast::Str, usage: Use, findings: &mut Findings) {
    let tokens: Vec<_> = string
        .syntax()
        .children_with_tokens()
        .filter_map(|element| element.into_token())
        .filter(|token| {
            token.kind() == SyntaxKind::TOKEN_STRING_CONTENT
                || token.kind() == SyntaxKind::TOKEN_STRING_START
        })
        .collect();
    // Only literal text right after the opening quote, or after whitespace in it, starts a URL.
    let Some(first) = tokens
        .iter()
        .find(|token| token.kind() == SyntaxKind::TOKEN_STRING_CONTENT)
    else {
        return;
    };
    let starts_string = first
        .prev_sibling_or_token()
        .is_some_and(|previous| previous.kind() == SyntaxKind::TOKEN_STRING_START);
    if !starts_string {
        return;
    }
    let text = first.text();
    let base = first.text_range().start();
    let mut starts = vec![0];
    if usage == Use::Substituter {
        let bytes = text.as_bytes();
        starts.extend((1..bytes.len()).filter(|&index| {
            bytes[index - 1].is_ascii_whitespace() && !bytes[index].is_ascii_whitespace()
        }));
    }
    for start in starts {
        let word_end = text[start..]
            .find(|c: char| c.is_whitespace())
            .map_or(text.len(), |offset| start + offset);
        let word = &text[start..word_end];
        let Some((prefix_len, scheme)) = insecure_scheme(word) else {
            continue;
        };
        if is_local(&word[prefix_len + scheme.len()..]) {
            continue;
        }
        let Some(word_range) = range_in(base, start, word_end) else {
            continue;
        };
        let Some(scheme_range) =
            range_in(base, start + prefix_len, start + prefix_len + scheme.len())
        else {
            continue;
        };
        let replacement = match (scheme, usage, prefix_len) {
            ("git://", Use::FlakeInput, 0) => "git+https://",
            _ => "https://",
        };
        findings
            .report(word_range, format!("`{word}` is fetched without TLS"))
            .fix(Fix::unsafe_(
                format!("Use `{replacement}`"),
                vec![TextEdit::replace(scheme_range, replacement)],
            ));
    }
}

fn range_in(base: TextSize, start: usize, end: usize) -> Option<TextRange> {
    Some(TextRange::new(
        base + TextSize::try_from(start).ok()?,
        base + TextSize::try_from(end).ok()?,
    ))
}

/// The length of a `git+`-style prefix and the insecure scheme after it.
fn insecure_scheme(url: &str) -> Option<(usize, &'static str)> {
    let prefix_len = ["git+", "tarball+", "file+", "hg+"]
        .iter()
        .find(|prefix| url.starts_with(*prefix))
        .map_or(0, |prefix| prefix.len());
    let rest = &url[prefix_len..];
    ["http://", "git://", "ftp://"]
        .into_iter()
        .find(|scheme| rest.starts_with(scheme))
        .map(|scheme| (prefix_len, scheme))
}

/// Whether the authority of a URL (the part after the scheme) names this machine or the local
/// network.
fn is_local(after_scheme: &str) -> bool {
    let authority = after_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or(after_scheme);
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    let host = if host_port.starts_with('[') {
        host_port
            .split_once(']')
            .map_or(host_port, |(host, _)| host)
            .trim_start_matches('[')
    } else {
        host_port.split(':').next().unwrap_or(host_port)
    };
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host == "::1"
        || host.starts_with("127.")
        || host.ends_with(".localhost")
        || host.ends_with(".local")
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_unsafe_fix};

    use super::{is_local, INSECURE_URL};

    #[test]
    fn fetchers() {
        check(
            &INSECURE_URL,
            r#"
[
  (fetchurl { url = "http://example.org/a.tar.gz"; hash = "x"; })
#                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[insecure-url]: `http://example.org/a.tar.gz` is fetched without TLS
  (builtins.fetchGit { url = "git://example.org/r.git"; rev = "r"; })
#                             ^^^^^^^^^^^^^^^^^^^^^^^ warning[insecure-url]: `git://example.org/r.git` is fetched without TLS
  (pkgs.fetchzip { urls = [ "https://a/x.zip" "ftp://mirror.example/x.zip" ]; })
#                                              ^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[insecure-url]: `ftp://mirror.example/x.zip` is fetched without TLS
  (builtins.fetchTarball "http://example.org/${v}.tar.gz")
#                         ^^^^^^^^^^^^^^^^^^^ warning[insecure-url]: `http://example.org/` is fetched without TLS
]
"#,
        );
    }

    #[test]
    fn flake_inputs_and_substituters() {
        check(
            &INSECURE_URL,
            r#"
#- /flake.nix
{
  inputs.a.url = "git+http://example.org/a";
#                 ^^^^^^^^^^^^^^^^^^^^^^^^ warning[insecure-url]: `git+http://example.org/a` is fetched without TLS
  inputs = { b = { url = "tarball+http://example.org/b.tar.gz"; }; };
#                         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[insecure-url]: `tarball+http://example.org/b.tar.gz` is fetched without TLS
  nixConfig.extra-substituters = "https://cache.example.org http://other.example.org";
#                                                           ^^^^^^^^^^^^^^^^^^^^^^^^ warning[insecure-url]: `http://other.example.org` is fetched without TLS
  outputs = { self, ... }: {
    nixosModules.default = { nix.settings.substituters = [ "http://cache.example.org" ]; };
#                                                           ^^^^^^^^^^^^^^^^^^^^^^^^ warning[insecure-url]: `http://cache.example.org` is fetched without TLS
  };
}
"#,
        );
    }

    #[test]
    fn local_hosts_and_other_places_are_fine() {
        check(
            &INSECURE_URL,
            r#"
{
  nix.settings.substituters = [ "http://localhost:5000" "http://127.0.0.1" "http://[::1]:80" "http://cache.local" "https://cache.nixos.org" ];
  inputs.a.url = "http://example.org/not-a-flake";
  homepage = "http://example.org";
  src = fetchurl { url = "https://example.org/a"; meta.homepage = "http://example.org"; };
  x = fetchurl { url = "http://localhost/a"; };
}
"#,
        );
    }

    #[test]
    fn unsafe_fix_replaces_the_scheme() {
        check_unsafe_fix(
            &INSECURE_URL,
            r#"
#- /flake.nix
{
  inputs.a.url = "git://example.org/a";
  inputs.b.url = "git+http://example.org/b";
  nixConfig.substituters = [ "http://a.example" ];
  nixConfig.extra-substituters = "http://b.example ftp://c.example";
}
"#,
            r#"
#- /flake.nix
{
  inputs.a.url = "git+https://example.org/a";
  inputs.b.url = "git+https://example.org/b";
  nixConfig.substituters = [ "https://a.example" ];
  nixConfig.extra-substituters = "https://b.example https://c.example";
}
"#,
        );
        let fetch = "fetchurl { url = \"git://example.org/a\"; }\n";
        check_unsafe_fix(
            &INSECURE_URL,
            fetch,
            "fetchurl { url = \"https://example.org/a\"; }\n",
        );
        check_fix(&INSECURE_URL, fetch, fetch);
    }

    #[test]
    fn local_hosts() {
        assert!(is_local("localhost"));
        assert!(is_local("user@127.0.0.1:22/x"));
        assert!(is_local("[::1]:8080/"));
        assert!(is_local("printer.local/"));
        assert!(!is_local("example.org"));
        assert!(!is_local("local.example.org"));
    }
}
