//! NIX014: a negated comparison or a negated boolean literal, `!(a == b)` or `!true`.

use syntax::ast::{self, BinOpKind, Expr, UnaryOpKind};
use syntax::helpers::{ident_token, needs_parens_in_place, unwrap_parens};
use syntax::{AstNode, NodeOrToken, SyntaxKind, SyntaxNode, TextEdit, TextRange};

use crate::diagnostic::Fix;
use crate::lint::{declare_lint, Findings, LintCtx};
use crate::lints::unused_with::is_builtin_reference;

declare_lint! {
    /// ## What it does
    /// Checks for `!` applied to a parenthesised comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`) or
    /// to the literal `true` or `false`.
    ///
    /// ## Why is this bad?
    /// Every comparison has an opposite that says the same thing without the extra negation and
    /// parentheses. The rewrite keeps the value in every case, floats and NaN included: Nix
    /// itself defines `a >= b` as `!(a < b)`, `a > b` as `b < a` and `a <= b` as `!(b < a)` (the
    /// parser desugars them onto `__lessThan`), and `a != b` as `!(a == b)`, so `!(nan < 1)` and
    /// `nan >= 1` are both `true`. `!true` becomes `false` only where `true` is the builtin, not
    /// a binding that shadows it.
    ///
    /// ## Example
    /// ```nix
    /// if !(x == "") && !(n < 3) then a else b
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// if x != "" && n >= 3 then a else b
    /// ```
    pub(crate) static BOOL_SIMPLIFICATION = {
        code: "NIX014",
        name: "bool-simplification",
        category: Style,
        severity: Warning,
        fix: Safe,
        tags: [],
        kinds: [NODE_UNARY_OP],
        reach: Entry,
        check: check_not,
    };
}

fn check_not(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(unary) = ast::UnaryOp::cast(node.clone()) else {
        return;
    };
    if unary.operator() != Some(UnaryOpKind::Invert) {
        return;
    }
    let Some(operand) = unary.expr() else {
        return;
    };
    match unwrap_parens(operand.clone()) {
        Expr::BinOp(comparison) if matches!(operand, Expr::Paren(_)) => {
            negated_comparison(node, &comparison, findings);
        }
        Expr::Ident(ident) => negated_literal(ctx, node, &ident, findings),
        _ => {}
    }
}

fn negated_comparison(node: &SyntaxNode, comparison: &ast::BinOp, findings: &mut Findings) {
    let Some(operator) = comparison.operator() else {
        return;
    };
    let (opposite, precedence) = match operator {
        BinOpKind::Equal => ("!=", 5),
        BinOpKind::NotEqual => ("==", 5),
        BinOpKind::Less => (">=", 6),
        BinOpKind::LessOrEq => (">", 6),
        BinOpKind::More => ("<=", 6),
        BinOpKind::MoreOrEq => ("<", 6),
        _ => return,
    };
    let Some(operator_token) = comparison
        .syntax()
        .children_with_tokens()
        .filter_map(NodeOrToken::into_token)
        .find(|token| BinOpKind::from_kind(token.kind()).is_some())
    else {
        return;
    };
    let written = operator_token.text().to_owned();
    let finding = findings.report(
        node.text_range(),
        format!("Negated `{written}` comparison: use `{opposite}`"),
    );
    let inner = comparison.syntax().text_range();
    let outer = node.text_range();
    let prefix = TextRange::new(outer.start(), inner.start());
    let suffix = TextRange::new(inner.end(), outer.end());
    // The `!`, the parentheses and the space around them go; a comment there would go with them.
    if has_comment_in(node, prefix) || has_comment_in(node, suffix) {
        return;
    }
    let (open, close) = if needs_parens_in_place(node, precedence) {
        ("(", ")")
    } else {
        ("", "")
    };
    finding.fix(Fix::safe(
        format!("Replace with `{opposite}`"),
        vec![
            TextEdit::replace(prefix, open.to_owned()),
            TextEdit::replace(operator_token.text_range(), opposite.to_owned()),
            TextEdit::replace(suffix, close.to_owned()),
        ],
    ));
}

fn negated_literal(
    ctx: &LintCtx<'_>,
    node: &SyntaxNode,
    ident: &ast::Ident,
    findings: &mut Findings,
) {
    let Some(token) = ident_token(ident) else {
        return;
    };
    let opposite = match token.text() {
        "true" => "false",
        "false" => "true",
        _ => return,
    };
    if !is_builtin_reference(ctx.scope(), ident.syntax().text_range(), token.text()) {
        return;
    }
    let literal = token.text();
    let finding = findings.report(node.text_range(), format!("`!{literal}` is `{opposite}`"));
    if has_comment_in(node, node.text_range()) {
        return;
    }
    finding.fix(Fix::safe(
        format!("Replace with `{opposite}`"),
        vec![TextEdit::replace(node.text_range(), opposite.to_owned())],
    ));
}

fn has_comment_in(node: &SyntaxNode, range: TextRange) -> bool {
    node.descendants_with_tokens().any(|element| {
        element.kind() == SyntaxKind::TOKEN_COMMENT && range.contains_range(element.text_range())
    })
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_no_fix};

    use super::BOOL_SIMPLIFICATION;

    #[test]
    fn reports_negated_comparisons_and_literals() {
        check(
            &BOOL_SIMPLIFICATION,
            r#"
[ (!(a == b)) (!(a < b)) (!true) (! false) ]
#  ^^^^^^^^^ warning[bool-simplification]: Negated `==` comparison: use `!=`
#              ^^^^^^^^ warning[bool-simplification]: Negated `<` comparison: use `>=`
#                         ^^^^^ warning[bool-simplification]: `!true` is `false`
#                                 ^^^^^^^ warning[bool-simplification]: `!false` is `true`
"#,
        );
    }

    #[test]
    fn each_comparison_has_its_opposite() {
        check_fix(
            &BOOL_SIMPLIFICATION,
            "[ (!(a == b)) (!(a != b)) (!(a < b)) (!(a <= b)) (!(a > b)) (!(a >= b)) ]",
            "[ (a != b) (a == b) (a >= b) (a > b) (a <= b) (a < b) ]",
        );
    }

    /// Nix's global names come before any `with`: this `false` is still the builtin.
    #[test]
    fn literals_under_with_are_still_builtins() {
        check_fix(
            &BOOL_SIMPLIFICATION,
            "with { false = 1; }; !false",
            "with { false = 1; }; true",
        );
    }

    #[test]
    fn literals_flip() {
        check_fix(
            &BOOL_SIMPLIFICATION,
            "{ a = !true; b = !false; c = !(true); }",
            "{ a = false; b = true; c = false; }",
        );
    }

    /// Comparisons do not chain in Nix: `a != b == c` does not parse, so the result keeps
    /// parentheses where the surrounding operator binds as tightly.
    #[test]
    fn parentheses_stay_where_the_context_needs_them() {
        check_fix(&BOOL_SIMPLIFICATION, "!(a == b) == c", "(a != b) == c");
        check_fix(&BOOL_SIMPLIFICATION, "!(a < b) == c", "a >= b == c");
        check_fix(&BOOL_SIMPLIFICATION, "!(a == b) && c", "a != b && c");
        check_fix(&BOOL_SIMPLIFICATION, "c || !(a == b)", "c || a != b");
        check_fix(&BOOL_SIMPLIFICATION, "f (!(a == b))", "f (a != b)");
        check_fix(&BOOL_SIMPLIFICATION, "!((a == b))", "a != b");
        // Rounds run to a fixpoint: the outer `!` meets a comparison again.
        check_fix(&BOOL_SIMPLIFICATION, "!!(a == b)", "a == b");
    }

    /// The brief's worry about floats: `!(a < b)` and `a >= b` could differ for NaN if `>=`
    /// were its own operation. In Nix it is not (the parser desugars it to `!(a < b)`), so the
    /// fix is as safe for floats as for integers and is not held back.
    #[test]
    fn ordering_rewrites_stay_safe_for_nan() {
        check_fix(
            &BOOL_SIMPLIFICATION,
            "let nan = inf - inf; in !(nan < 1)",
            "let nan = inf - inf; in nan >= 1",
        );
    }

    #[test]
    fn operands_keep_their_text_and_comments() {
        check_fix(
            &BOOL_SIMPLIFICATION,
            "!(f x /* why */ == { a = 1; })",
            "f x /* why */ != { a = 1; }",
        );
        check_no_fix(
            &BOOL_SIMPLIFICATION,
            r#"
! /* keep */ (a == b)
^^^^^^^^^^^^^^^^^^^^^ warning[bool-simplification]: Negated `==` comparison: use `!=`
"#,
        );
    }

    #[test]
    fn shadowed_literals_and_other_negations_are_left_alone() {
        check(
            &BOOL_SIMPLIFICATION,
            r#"
let true = false; in
[ (!true) (!x) (!(a && b)) (!(a.b)) (!a == b) (-(a < b)) ]
"#,
        );
    }
}
