//! NIX017: concatenating an empty list or updating with an empty set, `x ++ [ ]`, `x // { }`.

use syntax::ast::{self, BinOpKind, Expr, HasEntry};
use syntax::helpers::{
    dotted_name, needs_parens_in_place, precedence, unroll_apply, unwrap_parens,
};
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextEdit};

use crate::diagnostic::Fix;
use crate::lint::{declare_lint, Findings, LintCtx};
use crate::lints::unused_with::is_builtin_reference;

declare_lint! {
    /// ## What it does
    /// Checks for `++` with an empty list on either side and `//` with an empty set on either
    /// side.
    ///
    /// ## Why is this bad?
    /// The operation does nothing but check the type of the other operand: `x ++ [ ]` is `x`
    /// when `x` is a list, and an error otherwise.
    ///
    /// That check is also why the fix is not always safe. Replacing `x ++ [ ]` by `x` keeps the
    /// value only when `x` is certainly a list: a list literal, another `++`, or a call of a
    /// builtin that returns one (`map`, `filter`, `attrNames`, …); likewise `x // { }` only when
    /// `x` is a set literal, another `//`, or a builtin that returns a set (`mapAttrs`,
    /// `removeAttrs`, `listToAttrs`, …). For any other `x` the fix turns a type error into a
    /// value, so it is offered as unsafe.
    ///
    /// ## Example
    /// ```nix
    /// buildInputs = [ openssl ] ++ [ ];
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// buildInputs = [ openssl ];
    /// ```
    pub(crate) static NO_OP_OPERATION = {
        code: "NIX017",
        name: "no-op-operation",
        category: Style,
        severity: Warning,
        fix: SafeOrUnsafe,
        tags: [],
        kinds: [NODE_BIN_OP],
        reach: Entry,
        check: check_bin_op,
    };
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    List,
    Set,
}

/// Builtins that return a list or a set once given this many arguments.
const BUILTINS: &[(&str, usize, Shape)] = &[
    ("attrNames", 1, Shape::List),
    ("attrValues", 1, Shape::List),
    ("catAttrs", 2, Shape::List),
    ("concatLists", 1, Shape::List),
    ("concatMap", 2, Shape::List),
    ("filter", 2, Shape::List),
    ("functionArgs", 1, Shape::Set),
    ("genList", 2, Shape::List),
    ("groupBy", 2, Shape::Set),
    ("intersectAttrs", 2, Shape::Set),
    ("listToAttrs", 1, Shape::Set),
    ("map", 2, Shape::List),
    ("mapAttrs", 2, Shape::Set),
    ("partition", 2, Shape::Set),
    ("removeAttrs", 2, Shape::Set),
    ("sort", 2, Shape::List),
    ("split", 2, Shape::List),
    ("splitVersion", 1, Shape::List),
    ("tail", 1, Shape::List),
    ("zipAttrsWith", 2, Shape::Set),
];

fn check_bin_op(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(bin_op) = ast::BinOp::cast(node.clone()) else {
        return;
    };
    let shape = match bin_op.operator() {
        Some(BinOpKind::Concat) => Shape::List,
        Some(BinOpKind::Update) => Shape::Set,
        _ => return,
    };
    let (Some(lhs), Some(rhs)) = (bin_op.lhs(), bin_op.rhs()) else {
        return;
    };
    let other = if is_empty(&rhs, shape) {
        lhs
    } else if is_empty(&lhs, shape) {
        rhs
    } else {
        return;
    };
    let message = match shape {
        Shape::List => "Concatenating an empty list does nothing",
        Shape::Set => "Updating with an empty set does nothing",
    };
    let finding = findings.report(node.text_range(), message);
    // The operator and the empty operand go; a comment among them would go too.
    let other_range = other.syntax().text_range();
    let loses_comment = node.descendants_with_tokens().any(|element| {
        element.kind() == SyntaxKind::TOKEN_COMMENT
            && !other_range.contains_range(element.text_range())
    });
    if loses_comment {
        return;
    }
    let replacement = if needs_parens_in_place(node, precedence(&other)) {
        format!("({})", other.syntax())
    } else {
        other.syntax().to_string()
    };
    let edits = vec![TextEdit::replace(node.text_range(), replacement)];
    let title = "Replace with the other operand";
    finding.fix(if certainly(ctx, &other, shape) {
        Fix::safe(title, edits)
    } else {
        Fix::unsafe_(title, edits)
    });
}

fn is_empty(expr: &Expr, shape: Shape) -> bool {
    match (unwrap_parens(expr.clone()), shape) {
        (Expr::List(list), Shape::List) => list.items().next().is_none(),
        (Expr::AttrSet(set), Shape::Set) => set.entries().next().is_none(),
        _ => false,
    }
}

/// Whether `expr` is certainly a list (or a set), whatever the values it is made of.
fn certainly(ctx: &LintCtx<'_>, expr: &Expr, shape: Shape) -> bool {
    match (unwrap_parens(expr.clone()), shape) {
        (Expr::List(_), Shape::List) | (Expr::AttrSet(_), Shape::Set) => true,
        (Expr::BinOp(bin_op), _) => {
            bin_op.operator()
                == Some(match shape {
                    Shape::List => BinOpKind::Concat,
                    Shape::Set => BinOpKind::Update,
                })
        }
        (Expr::Apply(apply), _) => builtin_result(ctx, &apply) == Some(shape),
        _ => false,
    }
}

/// What a full call of a list or set builtin returns.
fn builtin_result(ctx: &LintCtx<'_>, apply: &ast::Apply) -> Option<Shape> {
    let (function, args) = unroll_apply(apply)?;
    let name = dotted_name(&function)?;
    let function_name = match name.split_once('.') {
        Some(("builtins", rest)) => rest,
        Some(_) => return None,
        // Only `map` and `removeAttrs` are in the global scope without `builtins.`.
        None if name == "map" || name == "removeAttrs" => name.as_str(),
        None => return None,
    };
    let (base, base_name) = match &function {
        Expr::Select(select) => (select.expr()?, "builtins"),
        other => (other.clone(), function_name),
    };
    if !is_builtin_reference(ctx.scope(), base.syntax().text_range(), base_name) {
        return None;
    }
    BUILTINS
        .iter()
        .find(|(builtin, arity, _)| *builtin == function_name && *arity == args.len())
        .map(|(_, _, shape)| *shape)
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_no_fix, check_unsafe_fix};

    use super::NO_OP_OPERATION;

    #[test]
    fn reports_each_side() {
        check(
            &NO_OP_OPERATION,
            r#"
[ (x ++ [ ]) ([] ++ x) (x // { }) ({ } // x) ]
#  ^^^^^^^^ warning[no-op-operation]: Concatenating an empty list does nothing
#             ^^^^^^^ warning[no-op-operation]: Concatenating an empty list does nothing
#                       ^^^^^^^^ warning[no-op-operation]: Updating with an empty set does nothing
#                                  ^^^^^^^^ warning[no-op-operation]: Updating with an empty set does nothing
"#,
        );
    }

    #[test]
    fn safe_fix_when_the_other_side_is_certain() {
        check_fix(
            &NO_OP_OPERATION,
            "{ a = [ 1 ] ++ [ ]; b = { } // { x = 1; }; c = ([ ]) ++ (a ++ b); d = map f xs ++ [ ]; e = builtins.mapAttrs f s // { }; f = [ ] ++ [ ]; }",
            "{ a = [ 1 ]; b = { x = 1; }; c = (a ++ b); d = map f xs; e = builtins.mapAttrs f s; f = [ ]; }",
        );
    }

    /// `[ ] ++ x` fails when `x` is not a list, where `x` alone does not.
    #[test]
    fn unknown_operands_get_only_an_unsafe_fix() {
        let before = "{ a = x ++ [ ]; b = { } // cfg.extra; c = map f ++ [ ]; d = lib.mapAttrs f s // { }; }";
        check_fix(&NO_OP_OPERATION, before, before);
        check_unsafe_fix(
            &NO_OP_OPERATION,
            before,
            "{ a = x; b = cfg.extra; c = map f; d = lib.mapAttrs f s; }",
        );
    }

    #[test]
    fn shadowed_builtins_are_not_certain() {
        let before = "let map = f: x: 1; in map f xs ++ [ ]";
        check_fix(&NO_OP_OPERATION, before, before);
    }

    #[test]
    fn operands_keep_their_place_in_the_chain() {
        check_fix(&NO_OP_OPERATION, "[ 1 ] ++ [ ] ++ [ 2 ]", "[ 1 ] ++ [ 2 ]");
        check_fix(&NO_OP_OPERATION, "f ([ ] ++ [ 2 ]) y", "f ([ 2 ]) y");
    }

    #[test]
    fn comments_in_the_removed_part_keep_the_operation() {
        check_no_fix(
            &NO_OP_OPERATION,
            r#"
[ 1 ] ++ [ /* more later */ ]
^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[no-op-operation]: Concatenating an empty list does nothing
"#,
        );
    }

    #[test]
    fn non_empty_operands_and_other_operators_are_fine() {
        check(
            &NO_OP_OPERATION,
            "[ (x ++ [ y ]) (x // { a = 1; }) (x + [ ]) ({ } ++ x) ([ ] // x) (x == [ ]) ]\n",
        );
    }
}
