//! NIX021: `k = k;` in a `let` or `rec` set, which is an infinite recursion.

use syntax::ast::{self, Expr};
use syntax::helpers::{attr_name, contains_comment, is_under_with, unwrap_parens};
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextEdit, TextRange};

use crate::diagnostic::Fix;
use crate::lint::{declare_lint, Findings, LintCtx};
use crate::scope::{is_global_builtin, Resolution, ScopeIndex};

declare_lint! {
    /// ## What it does
    /// Checks, in a `let`, `let { }` or `rec` set, for a binding whose value needs the binding
    /// itself before anything else: `k = k;`, `k = k.x;` (also with `or`, which does not catch
    /// this), `k = k.override { … };` (calling forces the function) and `inherit (k) k;`.
    /// Lazy uses such as `k = [ k ];` or `k = x: k;` are fine and not reported.
    ///
    /// ## Why is this bad?
    /// In a `let` or `rec` set the `k` on the right is the binding being defined, so evaluating
    /// `k` fails with "infinite recursion encountered". The author almost always meant the `k`
    /// of the enclosing scope.
    ///
    /// For `k = k;` an unsafe fix rewrites it to `inherit k;`, which takes `k` from the
    /// enclosing scope. It changes what the code means (that is the point), so it is never
    /// applied without asking, and it is not offered when no enclosing scope has a `k`.
    /// A style fix that turns `k = k;` into `inherit k;` inside a `let` as if it were the same
    /// thing (statix `manual_inherit`) silently changes the meaning; manual-inherit (NIX003)
    /// therefore looks at non-`rec` sets only.
    ///
    /// ## Example
    /// ```nix
    /// { pkgs }: let pkgs = pkgs; in pkgs.hello
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// { pkgs }: let inherit pkgs; in pkgs.hello
    /// ```
    pub(crate) static SELF_REFERENTIAL_BINDING = {
        code: "NIX021",
        name: "self-referential-binding",
        category: Correctness,
        severity: Error,
        fix: Unsafe,
        tags: [],
        kinds: [NODE_ATTRPATH_VALUE, NODE_INHERIT],
        reach: Entry,
        check: check_binding,
    };
}

fn check_binding(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(holder) = node.parent() else {
        return;
    };
    let recursive = match holder.kind() {
        SyntaxKind::NODE_LET_IN | SyntaxKind::NODE_LEGACY_LET => true,
        SyntaxKind::NODE_ATTR_SET => ast::AttrSet::cast(holder.clone())
            .is_some_and(|set| syntax::helpers::rec_token(&set).is_some()),
        _ => false,
    };
    if !recursive {
        return;
    }
    let scope = ctx.scope();
    if let Some(attrpath_value) = ast::AttrpathValue::cast(node.clone()) {
        check_attrpath_value(scope, &holder, &attrpath_value, findings);
    } else if let Some(inherit) = ast::Inherit::cast(node.clone()) {
        check_inherit_from(scope, &inherit, findings);
    }
}

fn check_attrpath_value(
    scope: &ScopeIndex,
    holder: &SyntaxNode,
    attrpath_value: &ast::AttrpathValue,
    findings: &mut Findings,
) {
    let Some(attrpath) = attrpath_value.attrpath() else {
        return;
    };
    let mut attrs = attrpath.attrs();
    let (Some(attr), None) = (attrs.next(), attrs.next()) else {
        return;
    };
    let Some(value) = attrpath_value.value() else {
        return;
    };
    let Some(name) = attr_name(&attr) else {
        return;
    };
    let Some(head) = needed_head(&value) else {
        return;
    };
    if !refers_to_definition(scope, &head, attr.syntax().text_range()) {
        return;
    }
    let range = TextRange::new(
        attrpath.syntax().text_range().start(),
        value.syntax().text_range().end(),
    );
    let itself = matches!(unwrap_parens(value.clone()), Expr::Ident(_));
    let message = if itself {
        format!("`{name}` is defined as itself: evaluating it is an infinite recursion")
    } else {
        format!("`{name}` is defined from itself: evaluating it is an infinite recursion")
    };
    let finding = findings.report(range, message);
    // Only the plain `k = k;` becomes `inherit k;`.
    let exact = matches!(attr, ast::Attr::Ident(_)) && matches!(value, Expr::Ident(_));
    if exact && outer_may_define(scope, holder, &name) {
        let node = attrpath_value.syntax();
        let has_semicolon = node
            .last_token()
            .is_some_and(|token| token.kind() == SyntaxKind::TOKEN_SEMICOLON);
        if has_semicolon && !contains_comment(node) {
            finding.fix(Fix::unsafe_(
                format!("Inherit `{name}` from the enclosing scope"),
                vec![TextEdit::replace(
                    node.text_range(),
                    format!("inherit {name};"),
                )],
            ));
        }
    }
}

/// `inherit (k) k;` and `inherit (k.x) k;`: the source is the name being defined.
fn check_inherit_from(scope: &ScopeIndex, inherit: &ast::Inherit, findings: &mut Findings) {
    let Some(source) = inherit.from().and_then(|from| from.expr()) else {
        return;
    };
    let Some(head) = needed_head(&source) else {
        return;
    };
    for attr in inherit.attrs() {
        if refers_to_definition(scope, &head, attr.syntax().text_range()) {
            let name = attr_name(&attr).unwrap_or_default();
            findings.report(
                attr.syntax().text_range(),
                format!(
                    "`{name}` is inherited from itself: evaluating it is an infinite recursion"
                ),
            );
        }
    }
}

/// The identifier that evaluating `expr` forces first, for `k`, `k.x.y` (with or without `or`:
/// selecting from a value forces it, whatever the default) and `k.f arg` (calling forces the
/// function).
fn needed_head(expr: &Expr) -> Option<ast::Ident> {
    let mut current = unwrap_parens(expr.clone());
    loop {
        match current {
            Expr::Ident(ident) => return Some(ident),
            Expr::Select(select) => current = unwrap_parens(select.expr()?),
            Expr::Apply(apply) => current = unwrap_parens(apply.lambda()?),
            _ => return None,
        }
    }
}

/// Whether `ident` resolves to the binding defined at `definition`.
fn refers_to_definition(scope: &ScopeIndex, ident: &ast::Ident, definition: TextRange) -> bool {
    let Some(id) = scope.binding_defined_at(definition) else {
        return false;
    };
    scope.resolve(ident.syntax().text_range()) == Some(Resolution::Binding(id))
}

/// Whether `inherit name;` in `holder` can find a `name` outside it: a builtin, a `with`, or a
/// binding of an enclosing scope.
fn outer_may_define(scope: &ScopeIndex, holder: &SyntaxNode, name: &str) -> bool {
    let holder_range = holder.text_range();
    is_global_builtin(name)
        || is_under_with(holder)
        || scope.bindings().iter().any(|binding| {
            binding.name == name
                && binding.scope_node != holder_range
                && binding.scope_node.contains_range(holder_range)
        })
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_no_fix, check_unsafe_fix};

    use super::SELF_REFERENTIAL_BINDING;

    #[test]
    fn reports_each_form() {
        check(
            &SELF_REFERENTIAL_BINDING,
            r#"
{ pkgs, lib }: [
  (let pkgs = pkgs; in pkgs)
#      ^^^^^^^^^^^ error[self-referential-binding]: `pkgs` is defined as itself: evaluating it is an infinite recursion
  (let lib = lib.extend f; in lib)
#      ^^^^^^^^^^^^^^^^^^ error[self-referential-binding]: `lib` is defined from itself: evaluating it is an infinite recursion
  (let lib = lib.x or null; in lib)
#      ^^^^^^^^^^^^^^^^^^^ error[self-referential-binding]: `lib` is defined from itself: evaluating it is an infinite recursion
  (rec { lib = (lib).x; })
#        ^^^^^^^^^^^^^ error[self-referential-binding]: `lib` is defined from itself: evaluating it is an infinite recursion
  (let inherit (lib) lib; in lib)
#                    ^^^ error[self-referential-binding]: `lib` is inherited from itself: evaluating it is an infinite recursion
  (rec { inherit (lib.a) b lib; })
#                          ^^^ error[self-referential-binding]: `lib` is inherited from itself: evaluating it is an infinite recursion
]
"#,
        );
    }

    #[test]
    fn non_recursive_sets_and_other_names_are_fine() {
        check(
            &SELF_REFERENTIAL_BINDING,
            r#"
k: [
  { k = k; }
  { inherit (k) k; }
  (let k.a = k; in k)
  (let j = k; in j)
  (let k = x: k; in k)
  (let k = f k; in k)
  (let k = [ k ]; in k)
  (let inherit k; in k)
  (let k = { k = k; }; in k)
]
"#,
        );
    }

    /// statix `manual_inherit`: `a = a;` in a `let` is an infinite recursion, and `inherit a;`
    /// means the outer `a`. The rewrite is offered, but only as unsafe.
    #[test]
    fn statix_manual_inherit_rewrite_is_only_unsafe() {
        let before = "{ pkgs }: let pkgs = pkgs; in pkgs.hello";
        check_fix(&SELF_REFERENTIAL_BINDING, before, before);
        check_unsafe_fix(
            &SELF_REFERENTIAL_BINDING,
            before,
            "{ pkgs }: let inherit pkgs; in pkgs.hello",
        );
        check_unsafe_fix(
            &SELF_REFERENTIAL_BINDING,
            "with pkgs; rec { hello = hello; }",
            "with pkgs; rec { inherit hello; }",
        );
    }

    #[test]
    fn no_fix_without_an_outer_name_or_for_other_forms() {
        check_no_fix(
            &SELF_REFERENTIAL_BINDING,
            r#"
let k = k; in k
#   ^^^^^ error[self-referential-binding]: `k` is defined as itself: evaluating it is an infinite recursion
"#,
        );
        check_no_fix(
            &SELF_REFERENTIAL_BINDING,
            r#"
k: j: let k = (k); "j" = j; in k
#         ^^^^^^^ error[self-referential-binding]: `k` is defined as itself: evaluating it is an infinite recursion
#                  ^^^^^^^ error[self-referential-binding]: `j` is defined as itself: evaluating it is an infinite recursion
"#,
        );
    }
}
