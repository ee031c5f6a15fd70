//! NIX012: an `inherit` that names nothing.

use syntax::ast;
use syntax::helpers::{contains_comment, is_whitespace};
use syntax::{AstNode, NodeOrToken, SyntaxKind, SyntaxNode, TextEdit, TextRange};

use crate::diagnostic::Fix;
use crate::lint::{declare_lint, Findings, LintCtx};

declare_lint! {
    /// ## What it does
    /// Checks for `inherit;` and `inherit (x);` with no attribute names.
    ///
    /// ## Why is this bad?
    /// An `inherit` without names binds nothing. `inherit (x);` does not even evaluate `x`, so
    /// removing it never changes a value; it is usually left over after the last name was removed.
    /// The fix deletes it with the whitespace before it, unless it holds a comment.
    ///
    /// ## Example
    /// ```nix
    /// {
    ///   inherit (lib);
    ///   name = "hello";
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// {
    ///   name = "hello";
    /// }
    /// ```
    pub(crate) static EMPTY_INHERIT = {
        code: "NIX012",
        name: "empty-inherit",
        category: Style,
        severity: Warning,
        fix: Safe,
        tags: [Unnecessary],
        kinds: [NODE_INHERIT],
        reach: Entry,
        check: check_inherit,
    };
}

fn check_inherit(_: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(inherit) = ast::Inherit::cast(node.clone()) else {
        return;
    };
    // Only a complete `inherit …;` with nothing unreadable inside it is known to be empty.
    let has_semicolon = node
        .children_with_tokens()
        .any(|element| element.kind() == SyntaxKind::TOKEN_SEMICOLON);
    let has_error = node
        .descendants()
        .any(|descendant| descendant.kind() == SyntaxKind::NODE_ERROR);
    if inherit.attrs().next().is_some() || !has_semicolon || has_error {
        return;
    }
    let message = match inherit.from() {
        Some(_) => "`inherit (…)` with no names",
        None => "`inherit` with no names",
    };
    let finding = findings.report(node.text_range(), message);
    if contains_comment(node) {
        return;
    }
    let start = match node.prev_sibling_or_token() {
        Some(NodeOrToken::Token(token)) if is_whitespace(&token) => token.text_range().start(),
        _ => node.text_range().start(),
    };
    finding.fix(Fix::safe(
        "Remove the empty `inherit`",
        vec![TextEdit::delete(TextRange::new(
            start,
            node.text_range().end(),
        ))],
    ));
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_no_fix};

    use super::EMPTY_INHERIT;

    #[test]
    fn reports_both_forms() {
        check(
            &EMPTY_INHERIT,
            r#"
{
  inherit;
# ^^^^^^^^ warning[empty-inherit]: `inherit` with no names
  inherit (pkgs.lib);
# ^^^^^^^^^^^^^^^^^^^ warning[empty-inherit]: `inherit (…)` with no names
}
"#,
        );
    }

    #[test]
    fn inherits_with_names_are_fine() {
        check(&EMPTY_INHERIT, "{ inherit a; inherit (x) b c; }\n");
        check(&EMPTY_INHERIT, "let inherit (x) \"b\"; in b\n");
    }

    #[test]
    fn broken_inherits_are_left_to_the_parser() {
        check(&EMPTY_INHERIT, "{ inherit 1; }\n");
        check(&EMPTY_INHERIT, "{ inherit (x) }\n");
        check(&EMPTY_INHERIT, "{ inherit ( ) ; }\n");
    }

    #[test]
    fn fix_removes_the_line() {
        check_fix(
            &EMPTY_INHERIT,
            "{\n  a = 1;\n  inherit (lib);\n  b = 2;\n}\n",
            "{\n  a = 1;\n  b = 2;\n}\n",
        );
        check_fix(&EMPTY_INHERIT, "{ inherit; }", "{ }");
        check_fix(&EMPTY_INHERIT, "{inherit;}", "{}");
    }

    #[test]
    fn fix_in_a_let_leaves_the_empty_let_to_its_own_lint() {
        check_fix(&EMPTY_INHERIT, "let inherit (x); in 1", "let in 1");
    }

    #[test]
    fn source_is_never_evaluated_so_removal_is_safe() {
        check_fix(
            &EMPTY_INHERIT,
            "{ inherit (throw \"never\"); a = 1; }",
            "{ a = 1; }",
        );
    }

    #[test]
    fn comments_inside_block_the_fix() {
        check_no_fix(
            &EMPTY_INHERIT,
            r#"
{ inherit /* nothing yet */ ; }
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[empty-inherit]: `inherit` with no names
"#,
        );
        check_no_fix(
            &EMPTY_INHERIT,
            r#"
{ inherit (x # source
# ^^^^^^^^^^^^^^^^^^^ warning[empty-inherit]: `inherit (…)` with no names
); }
"#,
        );
    }

    #[test]
    fn comments_before_are_kept() {
        check_fix(
            &EMPTY_INHERIT,
            "{\n  # keep\n  inherit;\n}\n",
            "{\n  # keep\n}\n",
        );
    }
}
