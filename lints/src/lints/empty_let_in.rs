//! NIX002: a `let … in` that binds nothing.

use syntax::ast::{self, HasEntry};
use syntax::{AstNode, NodeOrToken, SyntaxKind, SyntaxNode, TextRange};

use crate::diagnostic::Fix;
use crate::lint::{declare_lint, Findings, LintCtx};

declare_lint! {
    /// ## What it does
    /// Checks for `let … in` expressions with no binding and no `inherit` between `let` and `in`.
    ///
    /// ## Why is this bad?
    /// An empty `let … in` does nothing: the expression is its body. It is usually what is left
    /// after the last binding was removed, and it makes the reader look for names that are not
    /// there. The fix keeps the body alone; it is not offered when a comment sits between `let`
    /// and the body, because the comment would be lost.
    ///
    /// ## Example
    /// ```nix
    /// {
    ///   name = let in "hello";
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// {
    ///   name = "hello";
    /// }
    /// ```
    pub(crate) static EMPTY_LET_IN = {
        code: "NIX002",
        name: "empty-let-in",
        category: Style,
        severity: Warning,
        fix: Safe,
        tags: [],
        kinds: [NODE_LET_IN],
        reach: Entry,
        check: check_let_in,
    };
}

fn check_let_in(_: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(let_in) = ast::LetIn::cast(node.clone()) else {
        return;
    };
    let (Some(let_token), Some(in_token), Some(body)) =
        (let_in.let_token(), let_in.in_token(), let_in.body())
    else {
        return;
    };
    // Any node besides the body (a binding, an inherit or unreadable text) means it is not empty.
    if let_in.entries().next().is_some() || node.children().any(|child| child != *body.syntax()) {
        return;
    }
    let range = TextRange::new(let_token.text_range().start(), in_token.text_range().end());
    let finding = findings.report(range, "Empty `let … in` binds nothing");
    // `let … in` reaches as far right as it can, and rnix accepts it only where a whole expression
    // may stand, so its body already parses as a whole in the same place: no parentheses needed.
    let comment_outside_body = node.children_with_tokens().any(|element| {
        matches!(&element, NodeOrToken::Token(token) if token.kind() == SyntaxKind::TOKEN_COMMENT)
    });
    if !comment_outside_body {
        finding.fix(Fix::safe(
            "Remove the empty `let … in`",
            super::unused_let_binding::keep_only_body(node, body.syntax()),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_no_fix};

    use super::EMPTY_LET_IN;

    #[test]
    fn reports_the_keywords() {
        check(
            &EMPTY_LET_IN,
            r#"
{
  a = let in 1;
#     ^^^^^^ warning[empty-let-in]: Empty `let … in` binds nothing
  b = let
#     ^^^ warning[empty-let-in]: Empty `let … in` binds nothing
  in 2;
}
"#,
        );
    }

    #[test]
    fn lets_with_bindings_are_fine() {
        check(&EMPTY_LET_IN, "let a = 1; in a\n");
        check(&EMPTY_LET_IN, "let inherit (x) a; in a\n");
        check(&EMPTY_LET_IN, "let inherit; in a\n");
        check(&EMPTY_LET_IN, "let { body = 1; }\n");
    }

    #[test]
    fn broken_lets_are_not_reported() {
        check(
            &EMPTY_LET_IN,
            r#"
let a in x
"#,
        );
        check(&EMPTY_LET_IN, "let in\n");
    }

    #[test]
    fn fix_keeps_the_body() {
        check_fix(&EMPTY_LET_IN, "{ a = let in 1; }", "{ a = 1; }");
        check_fix(
            &EMPTY_LET_IN,
            "let\nin\n{\n  a = 1;\n}\n",
            "{\n  a = 1;\n}\n",
        );
    }

    #[test]
    fn fix_in_tricky_positions() {
        // Argument of an application: the parentheses stay.
        check_fix(&EMPTY_LET_IN, "(let in f) b", "(f) b");
        check_fix(&EMPTY_LET_IN, "f (let in a b)", "f (a b)");
        // Operands: the let extends to the closing parenthesis, so does its body.
        check_fix(&EMPTY_LET_IN, "1 * (let in 2 + 3)", "1 * (2 + 3)");
        check_fix(&EMPTY_LET_IN, "let in 1 + 2 * 3", "1 + 2 * 3");
        check_fix(&EMPTY_LET_IN, "[ (let in x) ]", "[ (x) ]");
        // Bodies that reach to the right end of their place.
        check_fix(&EMPTY_LET_IN, "a: let in b: c", "a: b: c");
        check_fix(
            &EMPTY_LET_IN,
            "if let in c then let in a else let in b",
            "if c then a else b",
        );
        check_fix(&EMPTY_LET_IN, "with let in x; let in y", "with x; y");
        check_fix(
            &EMPTY_LET_IN,
            "{ a ? let in 1 }: \"${let in a}\"",
            "{ a ? 1 }: \"${a}\"",
        );
        check_fix(
            &EMPTY_LET_IN,
            "{ inherit (let in x) a; }",
            "{ inherit (x) a; }",
        );
    }

    #[test]
    fn nested_empty_lets_reach_a_fixpoint() {
        check_fix(&EMPTY_LET_IN, "let in let in (let in x)", "(x)");
    }

    /// nixd #731, #500: an empty `let … in` inside a binding confused other analyses.
    #[test]
    fn empty_let_inside_a_binding() {
        check_fix(&EMPTY_LET_IN, "let a = let in 1; in a", "let a = 1; in a");
    }

    #[test]
    fn comments_between_let_and_body_block_the_fix() {
        check_no_fix(
            &EMPTY_LET_IN,
            r#"
let # why
^^^^^^^^^ warning[empty-let-in]: Empty `let … in` binds nothing
in x
"#,
        );
        check_no_fix(
            &EMPTY_LET_IN,
            r#"
let in
^^^^^^ warning[empty-let-in]: Empty `let … in` binds nothing
  /* the answer */ 42
"#,
        );
    }

    #[test]
    fn comments_inside_the_body_are_kept() {
        check_fix(
            &EMPTY_LET_IN,
            "let in { a = 1; /* b */ }",
            "{ a = 1; /* b */ }",
        );
        check_fix(&EMPTY_LET_IN, "(let in x) # after\n", "(x) # after\n");
    }
}
