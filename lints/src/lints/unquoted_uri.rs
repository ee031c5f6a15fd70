//! NIX011: URLs written without quotes.

use syntax::helpers::quote_string;
use syntax::{SyntaxKind, SyntaxNode, TextEdit};

use crate::diagnostic::Fix;
use crate::lint::{declare_lint, Findings, LintCtx};

declare_lint! {
    /// ## What it does
    /// Checks for URI literals: URLs written without quotes, such as `https://example.org/a.tar.gz`.
    ///
    /// ## Why is this bad?
    /// Unquoted URIs are deprecated ([RFC 45](https://github.com/NixOS/rfcs/pull/45)) and can be
    /// turned off with the `no-url-literals` experimental feature. They look like paths, they end
    /// at the first character outside a small set (so a `#` or a space silently starts a comment or
    /// a new expression), and a URI literal is just a string anyway. The fix quotes the URI, which
    /// gives the same string.
    ///
    /// ## Example
    /// ```nix
    /// fetchTarball https://github.com/NixOS/nixpkgs/archive/0123456789abcdef.tar.gz
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// fetchTarball "https://github.com/NixOS/nixpkgs/archive/0123456789abcdef.tar.gz"
    /// ```
    pub(crate) static UNQUOTED_URI = {
        code: "NIX011",
        name: "unquoted-uri",
        category: Style,
        severity: Warning,
        fix: Safe,
        tags: [Deprecated],
        kinds: [NODE_LITERAL],
        reach: Entry,
        check: check_literal,
    };
}

fn check_literal(_: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(token) = node.first_token() else {
        return;
    };
    if token.kind() != SyntaxKind::TOKEN_URI {
        return;
    }
    let uri = token.text();
    // Nix's lexer admits no `"`, `\` or `{` in a URI, but escaping keeps the string's value even if
    // that ever changes.
    let quoted = quote_string(uri);
    findings
        .report(node.text_range(), format!("Unquoted URI `{uri}`"))
        .fix(Fix::safe(
            "Quote the URI",
            vec![TextEdit::replace(node.text_range(), quoted)],
        ));
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix};

    use super::UNQUOTED_URI;

    #[test]
    fn reports_uri_literals() {
        check(
            &UNQUOTED_URI,
            r#"
{ src = fetchurl { url = http://example.org/a.tar.gz; }; }
#                        ^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[unquoted-uri]: Unquoted URI `http://example.org/a.tar.gz`
"#,
        );
    }

    #[test]
    fn quoted_urls_paths_and_numbers_are_fine() {
        check(
            &UNQUOTED_URI,
            "[ \"https://example.org\" ./a/b /etc/x <nixpkgs> 1 2.5 a.b (x: x) { a = 1; } ]\n",
        );
        // `a:b` with spaces is a lambda, and an underscore before the colon makes an identifier.
        check(&UNQUOTED_URI, "[ (a: b) (a_b:c) ]\n");
    }

    #[test]
    fn fix_quotes_the_uri() {
        check_fix(
            &UNQUOTED_URI,
            "fetchTarball https://a.b/c.tar.gz",
            "fetchTarball \"https://a.b/c.tar.gz\"",
        );
        check_fix(
            &UNQUOTED_URI,
            "[ git+ssh://git@github.com/o/r ]",
            "[ \"git+ssh://git@github.com/o/r\" ]",
        );
    }

    #[test]
    fn dollar_signs_and_quotes_stay_literal() {
        // `$` may appear in a URI; it starts no interpolation unless a `{` follows, which a URI
        // cannot contain.
        check_fix(
            &UNQUOTED_URI,
            "x: http://a.b/c?$x=1&y='2'",
            "x: \"http://a.b/c?$x=1&y='2'\"",
        );
        check_fix(&UNQUOTED_URI, "[ mailto:a@b.c$ ]", "[ \"mailto:a@b.c$\" ]");
    }

    #[test]
    fn uri_ends_where_the_lexer_ends_it() {
        // The `#fragment` is a comment in Nix: only the URI before it is quoted.
        check_fix(
            &UNQUOTED_URI,
            "[ https://a.b/c#frag\n]",
            "[ \"https://a.b/c\"#frag\n]",
        );
    }
}
