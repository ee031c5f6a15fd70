//! NIX005: the deprecated `let { … }` form.

use syntax::ast::{self, HasEntry};
use syntax::helpers::attr_name;
use syntax::{AstNode, SyntaxNode, TextEdit, TextRange};

use crate::diagnostic::{Fix, Severity};
use crate::lint::{declare_lint, Findings, LintCtx};

declare_lint! {
    /// ## What it does
    /// Checks for the old `let { … }` syntax, a recursive attribute set whose `body` attribute is
    /// the value of the whole expression.
    ///
    /// ## Why is this bad?
    /// `let { … }` is deprecated, undocumented in current Nix manuals and unknown to most readers.
    /// It means exactly `(rec { … }).body`, which the fix writes out, keeping the bindings and
    /// comments as they are. Without a `body` attribute the expression fails when it is evaluated,
    /// so that case is reported as an error and has no fix.
    ///
    /// ## Example
    /// ```nix
    /// let {
    ///   greeting = "hello";
    ///   body = "${greeting} world";
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// let
    ///   greeting = "hello";
    /// in
    /// "${greeting} world"
    /// ```
    ///
    /// or, as the fix writes it:
    /// ```nix
    /// (rec {
    ///   greeting = "hello";
    ///   body = "${greeting} world";
    /// }).body
    /// ```
    pub(crate) static LEGACY_LET_SYNTAX = {
        code: "NIX005",
        name: "legacy-let-syntax",
        category: Style,
        severity: Warning,
        fix: Safe,
        tags: [Deprecated],
        kinds: [NODE_LEGACY_LET],
        reach: Entry,
        check: check_legacy_let,
    };
}

/// Whether the bindings define `body`: `Some(false)` only when every key is static.
fn defines_body(legacy_let: &ast::LegacyLet) -> Option<bool> {
    let mut all_static = true;
    for entry in legacy_let.entries() {
        let names: Vec<Option<String>> = match entry {
            ast::Entry::AttrpathValue(binding) => {
                vec![binding
                    .attrpath()
                    .and_then(|attrpath| attrpath.attrs().next())
                    .and_then(|attr| attr_name(&attr))]
            }
            ast::Entry::Inherit(inherit) => inherit.attrs().map(|attr| attr_name(&attr)).collect(),
        };
        for name in names {
            match name.as_deref() {
                Some("body") => return Some(true),
                Some(_) => {}
                None => all_static = false,
            }
        }
    }
    all_static.then_some(false)
}

fn check_legacy_let(_: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(legacy_let) = ast::LegacyLet::cast(node.clone()) else {
        return;
    };
    let Some(let_token) = legacy_let.let_token() else {
        return;
    };
    let range = match legacy_let.curly_open_token() {
        Some(open) => TextRange::new(let_token.text_range().start(), open.text_range().end()),
        None => let_token.text_range(),
    };
    if defines_body(&legacy_let) == Some(false) {
        findings
            .report(
                range,
                "Legacy `let { … }` has no `body` attribute, so it fails when evaluated",
            )
            .severity(Severity::Error);
        return;
    }
    let finding = findings.report(range, "Legacy `let { … }` syntax is deprecated");
    // `let { … }` is defined as `(rec { … }).body`: the rewrite keeps the value exactly. A select
    // binds tighter than any operator or application, so it needs no parentheses wherever the
    // original stood.
    if let Some(close) = legacy_let.curly_close_token() {
        finding.fix(Fix::safe(
            "Rewrite as `(rec { … }).body`",
            vec![
                TextEdit::replace(let_token.text_range(), "(rec".to_owned()),
                TextEdit::insert(close.text_range().end(), ").body".to_owned()),
            ],
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_no_fix};

    use super::LEGACY_LET_SYNTAX;

    #[test]
    fn reports_the_opening() {
        check(
            &LEGACY_LET_SYNTAX,
            r#"
let {
^^^^^ warning[legacy-let-syntax]: Legacy `let { … }` syntax is deprecated
  body = 1;
}
"#,
        );
    }

    #[test]
    fn missing_body_is_an_error_without_fix() {
        check_no_fix(
            &LEGACY_LET_SYNTAX,
            r#"
{ a = let { x = 1; inherit (y) z; }; }
#     ^^^^^ error[legacy-let-syntax]: Legacy `let { … }` has no `body` attribute, so it fails when evaluated
"#,
        );
        check_no_fix(
            &LEGACY_LET_SYNTAX,
            r#"
let { }
^^^^^ error[legacy-let-syntax]: Legacy `let { … }` has no `body` attribute, so it fails when evaluated
"#,
        );
    }

    #[test]
    fn body_defined_in_other_ways() {
        check_fix(
            &LEGACY_LET_SYNTAX,
            "let { inherit (x) body; }",
            "(rec { inherit (x) body; }).body",
        );
        check_fix(
            &LEGACY_LET_SYNTAX,
            "let { \"body\" = 1; }",
            "(rec { \"body\" = 1; }).body",
        );
        check_fix(
            &LEGACY_LET_SYNTAX,
            "let { body.a = 1; }",
            "(rec { body.a = 1; }).body",
        );
    }

    #[test]
    fn dynamic_key_may_be_the_body() {
        check(
            &LEGACY_LET_SYNTAX,
            r#"
let { ${name} = 1; }
^^^^^ warning[legacy-let-syntax]: Legacy `let { … }` syntax is deprecated
"#,
        );
        check_fix(
            &LEGACY_LET_SYNTAX,
            "let { ${name} = 1; }",
            "(rec { ${name} = 1; }).body",
        );
    }

    #[test]
    fn fix_keeps_bindings_and_comments() {
        check_fix(
            &LEGACY_LET_SYNTAX,
            r#"
let /* old */ {
  # the greeting
  x = "hello";
  body = x;
}
"#,
            r#"
(rec /* old */ {
  # the greeting
  x = "hello";
  body = x;
}).body
"#,
        );
    }

    #[test]
    fn fix_fits_any_position() {
        check_fix(
            &LEGACY_LET_SYNTAX,
            "{ a = let { body = 1; }; }",
            "{ a = (rec { body = 1; }).body; }",
        );
        check_fix(
            &LEGACY_LET_SYNTAX,
            "x: let{body=x;}",
            "x: (rec{body=x;}).body",
        );
        check_fix(
            &LEGACY_LET_SYNTAX,
            "let { body = let { body = 2; }; }",
            "(rec { body = (rec { body = 2; }).body; }).body",
        );
    }

    #[test]
    fn rec_sets_and_let_in_are_fine() {
        check(
            &LEGACY_LET_SYNTAX,
            "[ (rec { body = 1; }).body (let body = 1; in body) ]\n",
        );
    }
}
