//! NIX008: parentheses that change nothing about how the code parses.

use syntax::ast::{self, BinOpKind, Expr};
use syntax::helpers::{next_significant_token, unparenthesize_edits};
use syntax::{AstNode, SyntaxKind, SyntaxNode};

use crate::diagnostic::Fix;
use crate::lint::{declare_lint, Findings, LintCtx};

declare_lint! {
    /// ## What it does
    /// Checks for parentheses that do not change how the code parses:
    /// - around the whole value of a binding, `a = (f x);`;
    /// - around the whole body of a `let`, `let … in (f x)`;
    /// - around a single value anywhere: an identifier, a string, a number, a path, a list, an
    ///   attribute set, other parentheses, or a select without `or` (`f (x)`, `((a))`,
    ///   `[ (pkgs.hello) ]`);
    /// - around a function call or a select that is an operand of `++` or `//`, which bind
    ///   looser than a call (statix #14): `[ a ] ++ (optional x b)`.
    ///
    /// ## Why is this bad?
    /// Parentheses make a reader look for the reason they are there. When there is none, they
    /// are noise.
    ///
    /// Parentheses that matter are never reported: `(a b).c`, `f (g x)`, `(x: x) 1`,
    /// `f (-1)`, `(a.b) or c` (without them `or` becomes a default) and `(a.b).c or d` (without
    /// them a missing `a.b` would give `d` instead of an error). The fix removes the two
    /// parentheses and nothing else; where that would run two tokens together (`f(x)`,
    /// `a-(1)`, whose `a-1` would be one identifier) a space takes the parenthesis' place.
    ///
    /// ## Example
    /// ```nix
    /// {
    ///   packages = (with pkgs; [ hello ]) ++ (lib.optional enableGit git);
    ///   name = ("demo");
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// {
    ///   packages = (with pkgs; [ hello ]) ++ lib.optional enableGit git;
    ///   name = "demo";
    /// }
    /// ```
    pub(crate) static USELESS_PARENS = {
        code: "NIX008",
        name: "useless-parens",
        category: Style,
        severity: Warning,
        fix: Safe,
        tags: [],
        kinds: [NODE_PAREN],
        reach: Entry,
        check: check_paren,
    };
}

fn check_paren(_: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(paren) = ast::Paren::cast(node.clone()) else {
        return;
    };
    let Some(inner) = paren.expr() else { return };
    let Some(parent) = node.parent() else { return };
    // Directly inside other parentheses, the outer ones are reported first; these get their
    // turn once those are gone (removing both in one round could run tokens together).
    if parent.kind() == SyntaxKind::NODE_PAREN {
        return;
    }
    // After parentheses `or` is an argument; without them it would start a default.
    if next_significant_token(node).is_some_and(|token| token.text() == "or") {
        return;
    }
    let is_own = |expr: Option<Expr>| expr.is_some_and(|expr| expr.syntax() == node);
    let needless = match parent.kind() {
        SyntaxKind::NODE_ATTRPATH_VALUE => {
            is_own(ast::AttrpathValue::cast(parent.clone()).and_then(|value| value.value()))
                || is_atom(&inner)
        }
        SyntaxKind::NODE_LET_IN => {
            is_own(ast::LetIn::cast(parent.clone()).and_then(|let_in| let_in.body()))
                || is_atom(&inner)
        }
        SyntaxKind::NODE_SELECT => {
            // `(a.b).c or d` fails when `a.b` is missing; `a.b.c or d` gives `d`.
            let select = ast::Select::cast(parent.clone());
            let has_default = select.is_some_and(|select| select.or_token().is_some());
            is_atom(&inner) && !(has_default && matches!(inner, Expr::Select(_)))
        }
        SyntaxKind::NODE_BIN_OP => {
            let operator = ast::BinOp::cast(parent.clone()).and_then(|bin_op| bin_op.operator());
            is_atom(&inner)
                || (matches!(operator, Some(BinOpKind::Concat | BinOpKind::Update))
                    && matches!(inner, Expr::Apply(_) | Expr::Select(_)))
        }
        _ => is_atom(&inner),
    };
    if !needless {
        return;
    }
    let inner_text = inner.syntax().to_string();
    let message = if inner_text.len() <= 30 && !inner_text.contains('\n') {
        format!("Parentheses around `{inner_text}` are unnecessary")
    } else {
        "These parentheses are unnecessary".to_owned()
    };
    let finding = findings.report(node.text_range(), message);
    if let Some(edits) = unparenthesize_edits(&paren) {
        finding.fix(Fix::safe("Remove the parentheses", edits));
    }
}

/// Expressions that bind tighter than anything around them: removing parentheses around them
/// never changes the parse (given the `or` guards above).
fn is_atom(expr: &Expr) -> bool {
    match expr {
        Expr::Ident(_)
        | Expr::Str(_)
        | Expr::Literal(_)
        | Expr::PathAbs(_)
        | Expr::PathRel(_)
        | Expr::PathHome(_)
        | Expr::PathSearch(_)
        | Expr::List(_)
        | Expr::AttrSet(_)
        | Expr::Paren(_)
        | Expr::CurPos(_) => true,
        Expr::Select(select) => select.or_token().is_none() && select.default_expr().is_none(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix};

    use super::USELESS_PARENS;

    #[test]
    fn reports_each_kind_of_position() {
        check(
            &USELESS_PARENS,
            r#"
{
  a = (f x);
#     ^^^^^ warning[useless-parens]: Parentheses around `f x` are unnecessary
  b = let y = 1; in (y + 1);
#                   ^^^^^^^ warning[useless-parens]: Parentheses around `y + 1` are unnecessary
  c = f (x) ("s") ([ 1 ]) ({ }) (pkgs.hello);
#       ^^^ warning[useless-parens]: Parentheses around `x` are unnecessary
#           ^^^^^ warning[useless-parens]: Parentheses around `"s"` are unnecessary
#                 ^^^^^^^ warning[useless-parens]: Parentheses around `[ 1 ]` are unnecessary
#                         ^^^^^ warning[useless-parens]: Parentheses around `{ }` are unnecessary
#                               ^^^^^^^^^^^^ warning[useless-parens]: Parentheses around `pkgs.hello` are unnecessary
}
"#,
        );
    }

    #[test]
    fn fix_removes_only_the_parentheses() {
        check_fix(
            &USELESS_PARENS,
            "{ a = (f x); b = let y = 1; in (y: y); c = f (x) ((g y)); }",
            "{ a = f x; b = let y = 1; in y: y; c = f x (g y); }",
        );
        check_fix(&USELESS_PARENS, "a: ((a))", "a: a");
        check_fix(&USELESS_PARENS, "{ a = ((f x)); }", "{ a = f x; }");
    }

    /// statix #14: redundant parentheses in `++` chains need operator precedence.
    #[test]
    fn operands_of_concat_and_update_that_bind_tighter() {
        check_fix(
            &USELESS_PARENS,
            "[ a ] ++ (optional x b) ++ (lib.optionals y [ c ]) ++ (d.e)",
            "[ a ] ++ optional x b ++ lib.optionals y [ c ] ++ d.e",
        );
        check_fix(&USELESS_PARENS, "(f a) // (g.h)", "f a // g.h");
        check(
            &USELESS_PARENS,
            "[ (a ++ b) (a + b) ] ++ (a ++ b) ++ (x: [ x ]) ++ (if c then a else b) ++ (-1)\n",
        );
        check(&USELESS_PARENS, "(a // b) // (c // d) // (x ? y)\n");
    }

    /// Parentheses that change the parse must stay: removing them gives another program.
    #[test]
    fn parentheses_that_change_parsing_are_kept() {
        check(
            &USELESS_PARENS,
            "[ (a b).c (f (g x)) ((x: x) 1) (f (-1)) (- (-1)) (!(a && b)) (a.b or c).d ]\n",
        );
    }

    /// `or` after parentheses is an argument; without them it starts a default.
    #[test]
    fn select_before_or_keeps_its_parentheses() {
        check(
            &USELESS_PARENS,
            r#"
{ x = [ ((a.b) or c) ((a).b or c) ]; }
#                     ^^^ warning[useless-parens]: Parentheses around `a` are unnecessary
"#,
        );
        check(&USELESS_PARENS, "(a.b).c or d\n");
    }

    /// A parenthesis glued to an identifier or a path leaves a space behind.
    #[test]
    fn removal_never_glues_tokens() {
        check_fix(&USELESS_PARENS, "f(x)", "f x");
        check_fix(&USELESS_PARENS, "a-(1)", "a- 1");
        check_fix(&USELESS_PARENS, "x:(y)", "x: y");
        check_fix(&USELESS_PARENS, "[(x)(y)]", "[x y]");
        check_fix(&USELESS_PARENS, "(./a).b", "./a .b");
        check_fix(&USELESS_PARENS, "let a = 1; in(a)", "let a = 1; in a");
        check_fix(&USELESS_PARENS, "f(''s'')", "f ''s''");
        check_fix(&USELESS_PARENS, "f((x))", "f x");
        // Both pairs go in one round; spacing is left to a formatter, tokens stay apart.
        check_fix(&USELESS_PARENS, "let in((f) x)", "let in  f x");
        check_fix(&USELESS_PARENS, "[(f)(g)((h))]", "[f g h]");
    }

    #[test]
    fn comments_inside_stay() {
        check_fix(
            &USELESS_PARENS,
            "{ a = ( # why\n  f x\n); }",
            "{ a =  # why\n  f x\n; }",
        );
    }

    #[test]
    fn near_misses() {
        check(
            &USELESS_PARENS,
            "[ (f x) (a + b) (x: x) (if a then b else c) (with a; b) (assert a; b) ]\n",
        );
        check(&USELESS_PARENS, "(f x).y\n");
    }
}
