//! NIX001: comparing with a boolean literal, `x == true`.

use syntax::ast::{self, BinOpKind, Expr, UnaryOpKind};
use syntax::helpers::{
    dotted_name, is_ident_named, text_with_parens, unroll_apply, unwrap_parens, NOT_PRECEDENCE,
};
use syntax::{AstNode, SyntaxNode, TextEdit};

use crate::diagnostic::Fix;
use crate::lint::{declare_lint, Findings, LintCtx};

declare_lint! {
    /// ## What it does
    /// Checks for comparisons with a boolean literal: `x == true`, `x != false`, `x == false` and
    /// `x != true`.
    ///
    /// ## Why is this bad?
    /// The comparison says in more words what `x` or `!x` says. The fix is safe only when `x` is
    /// certainly a boolean (a comparison, `!`, `&&`, `||`, `?`, or a call of a predicate such as
    /// `builtins.isString` or `lib.elem`): for any other value, `x == true` is `false` where `x`
    /// itself would be that other value, so the rewrite is offered as unsafe there.
    ///
    /// ## Example
    /// ```nix
    /// if cfg.enable == true && (builtins.pathExists ./x) == false then a else b
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// if cfg.enable && !(builtins.pathExists ./x) then a else b
    /// ```
    pub(crate) static BOOL_COMPARISON = {
        code: "NIX001",
        name: "bool-comparison",
        category: Style,
        severity: Warning,
        fix: SafeOrUnsafe,
        tags: [],
        kinds: [NODE_BIN_OP],
        reach: Entry,
        check: check_bin_op,
    };
}

fn check_bin_op(_: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(bin_op) = ast::BinOp::cast(node.clone()) else {
        return;
    };
    let negated = match bin_op.operator() {
        Some(BinOpKind::Equal) => false,
        Some(BinOpKind::NotEqual) => true,
        _ => return,
    };
    let (Some(lhs), Some(rhs)) = (bin_op.lhs(), bin_op.rhs()) else {
        return;
    };
    let (operand, literal) = match (bool_literal(&rhs), bool_literal(&lhs)) {
        (Some(value), _) => (lhs, value),
        (None, Some(value)) => (rhs, value),
        (None, None) => return,
    };
    let literal_text = if literal { "true" } else { "false" };
    // `x == true` and `x != false` are `x`; the other two are `!x`.
    let keeps = literal != negated;
    let replacement = if keeps {
        operand.syntax().to_string()
    } else {
        format!("!{}", text_with_parens(&operand, NOT_PRECEDENCE))
    };
    let certain = is_certainly_bool(&operand);
    let message = match (keeps, certain) {
        (true, true) => format!("Comparison with `{literal_text}` is redundant"),
        (false, true) => format!("Comparison with `{literal_text}` is a negation"),
        (true, false) => {
            format!(
                "Comparison with `{literal_text}` is redundant if the operand is always a boolean"
            )
        }
        (false, false) => {
            format!(
                "Comparison with `{literal_text}` is a negation if the operand is always a boolean"
            )
        }
    };
    let title = if replacement.len() <= 40 && !replacement.contains('\n') {
        format!("Replace with `{replacement}`")
    } else if keeps {
        format!("Remove the comparison with `{literal_text}`")
    } else {
        "Replace the comparison with a negation".to_owned()
    };
    let edits = vec![TextEdit::replace(node.text_range(), replacement)];
    let fix = if certain {
        Fix::safe(title, edits)
    } else {
        Fix::unsafe_(title, edits)
    };
    findings.report(node.text_range(), message).fix(fix);
}

fn bool_literal(expr: &Expr) -> Option<bool> {
    let expr = unwrap_parens(expr.clone());
    if is_ident_named(&expr, "true") {
        Some(true)
    } else if is_ident_named(&expr, "false") {
        Some(false)
    } else {
        None
    }
}

/// Predicates that return a boolean once given this many arguments.
const PREDICATES: &[(&str, usize)] = &[
    ("all", 2),
    ("any", 2),
    ("elem", 2),
    ("hasAttr", 2),
    ("hasInfix", 2),
    ("hasPrefix", 2),
    ("hasSuffix", 2),
    ("isAttrs", 1),
    ("isBool", 1),
    ("isDerivation", 1),
    ("isFloat", 1),
    ("isFunction", 1),
    ("isInt", 1),
    ("isList", 1),
    ("isNull", 1),
    ("isPath", 1),
    ("isString", 1),
    ("lessThan", 2),
    ("pathExists", 1),
    ("versionAtLeast", 2),
    ("versionOlder", 2),
];

/// Functions of nixpkgs' `lib` that are not builtins but are predicates all the same.
const LIB_ONLY: &[&str] = &[
    "hasInfix",
    "hasPrefix",
    "hasSuffix",
    "isDerivation",
    "versionAtLeast",
    "versionOlder",
];

fn is_certainly_bool(expr: &Expr) -> bool {
    match unwrap_parens(expr.clone()) {
        Expr::BinOp(bin_op) => matches!(
            bin_op.operator(),
            Some(
                BinOpKind::Equal
                    | BinOpKind::NotEqual
                    | BinOpKind::Less
                    | BinOpKind::LessOrEq
                    | BinOpKind::More
                    | BinOpKind::MoreOrEq
                    | BinOpKind::And
                    | BinOpKind::Or
                    | BinOpKind::Implication
            )
        ),
        Expr::UnaryOp(unary) => unary.operator() == Some(UnaryOpKind::Invert),
        Expr::HasAttr(_) => true,
        ref ident @ Expr::Ident(_) => {
            is_ident_named(ident, "true") || is_ident_named(ident, "false")
        }
        Expr::Apply(apply) => {
            let Some((function, args)) = unroll_apply(&apply) else {
                return false;
            };
            let Some(name) = dotted_name(&function) else {
                return false;
            };
            let (base, function_name) = match name.rsplit_once('.') {
                Some((base, function_name)) => (base, function_name),
                None => ("", name.as_str()),
            };
            let known = match base {
                "builtins" => !LIB_ONLY.contains(&function_name),
                "lib" => true,
                // `isNull` is the one predicate in Nix's global scope without `builtins.`.
                "" => function_name == "isNull",
                _ => false,
            };
            known
                && PREDICATES
                    .iter()
                    .any(|(predicate, arity)| *predicate == function_name && *arity == args.len())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_unsafe_fix, check_with_config};

    use super::BOOL_COMPARISON;

    #[test]
    fn reports_each_form() {
        check(
            &BOOL_COMPARISON,
            r#"
[ (a == true) (a != false) (false == a) (a != true) ]
#  ^^^^^^^^^ warning[bool-comparison]: Comparison with `true` is redundant if the operand is always a boolean
#              ^^^^^^^^^^ warning[bool-comparison]: Comparison with `false` is redundant if the operand is always a boolean
#                           ^^^^^^^^^^ warning[bool-comparison]: Comparison with `false` is a negation if the operand is always a boolean
#                                        ^^^^^^^^^ warning[bool-comparison]: Comparison with `true` is a negation if the operand is always a boolean
"#,
        );
    }

    #[test]
    fn boolean_operands_are_certain() {
        check(
            &BOOL_COMPARISON,
            r#"
(a < b) == false
^^^^^^^^^^^^^^^^ warning[bool-comparison]: Comparison with `false` is a negation
"#,
        );
    }

    #[test]
    fn level_from_configuration() {
        check_with_config(
            &BOOL_COMPARISON,
            "[lints]\nbool-comparison = \"error\"",
            r#"
x.y == true
^^^^^^^^^^^ error[bool-comparison]: Comparison with `true` is redundant if the operand is always a boolean
"#,
        );
    }

    #[test]
    fn other_comparisons_are_fine() {
        check(
            &BOOL_COMPARISON,
            "[ (a == b) (a == \"true\") (a == null) (true && a) ]\n",
        );
    }

    #[test]
    fn safe_fix_for_boolean_operands() {
        check_fix(
            &BOOL_COMPARISON,
            "[ ((x ? y) == true) (a && (x ? y) == false) ((a || b) != true) (builtins.isString s == false) (lib.elem x xs != false) ]",
            "[ ((x ? y)) (a && !(x ? y)) (!(a || b)) (!builtins.isString s) (lib.elem x xs) ]",
        );
    }

    #[test]
    fn comparison_operands_get_parentheses_under_negation() {
        check_fix(&BOOL_COMPARISON, "a < b == false", "!(a < b)");
        check_fix(&BOOL_COMPARISON, "a // b == false", "a // b == false");
        check_fix(&BOOL_COMPARISON, "!a == false", "!!a");
    }

    /// statix #53, #79: `v == true` is not `v` when `v` may be something other than a boolean.
    #[test]
    fn fix_for_possibly_non_boolean_operand_is_only_unsafe() {
        check_fix(&BOOL_COMPARISON, "cfg.enable == true", "cfg.enable == true");
        check_unsafe_fix(&BOOL_COMPARISON, "cfg.enable == true", "cfg.enable");
        check_unsafe_fix(&BOOL_COMPARISON, "f x == false", "!f x");
    }

    #[test]
    fn partially_applied_predicates_are_not_booleans() {
        check_fix(
            &BOOL_COMPARISON,
            "builtins.elem x == true",
            "builtins.elem x == true",
        );
        check_fix(
            &BOOL_COMPARISON,
            "mylib.isString x == true",
            "mylib.isString x == true",
        );
    }

    #[test]
    fn literal_on_both_sides() {
        check_fix(&BOOL_COMPARISON, "true == false", "!true");
    }
}
