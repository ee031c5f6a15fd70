//! NIX015: `if s ? p then s.p else d`, which is `s.p or d`.

use syntax::ast::{self, Expr};
use syntax::helpers::{
    attr_name, flatten_select, needs_parens_in_place, precedence, tokens_equal, unwrap_parens,
};
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextEdit};

use crate::diagnostic::Fix;
use crate::lint::{declare_lint, Findings, LintCtx};

declare_lint! {
    /// ## What it does
    /// Checks for `if s ? p then s.p else d`, where the `then` branch selects exactly the
    /// attribute path the condition tests (compared token by token, with static paths only).
    ///
    /// ## Why is this bad?
    /// `s.p or d` says the same in one expression: it selects `p` from `s` and falls back to `d`
    /// when an attribute on the path is missing or a value on the way is not a set, which is
    /// exactly when `s ? p` is false.
    ///
    /// The fix is safe when `s` is not itself a selection. When it is (`if x.y ? a then x.y.a
    /// else d`), `x.y.a or d` also falls back when `x.y` is missing, where the original fails;
    /// the fix is then offered as unsafe. `d` gets parentheses unless it is a simple expression.
    ///
    /// ## Example
    /// ```nix
    /// if cfg ? port then cfg.port else 8080
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// cfg.port or 8080
    /// ```
    pub(crate) static USELESS_HAS_ATTR = {
        code: "NIX015",
        name: "useless-has-attr",
        category: Style,
        severity: Warning,
        fix: SafeOrUnsafe,
        tags: [],
        kinds: [NODE_IF_ELSE],
        reach: Entry,
        check: check_if,
    };
}

fn check_if(_: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(if_else) = ast::IfElse::cast(node.clone()) else {
        return;
    };
    let (Some(condition), Some(then_branch), Some(else_branch)) =
        (if_else.condition(), if_else.body(), if_else.else_body())
    else {
        return;
    };
    let Expr::HasAttr(has_attr) = unwrap_parens(condition) else {
        return;
    };
    let (Some(subject), Some(tested)) = (has_attr.expr(), has_attr.attrpath()) else {
        return;
    };
    let Some(tested_names) = static_names(tested.attrs()) else {
        return;
    };
    let Expr::Select(selected) = unwrap_parens(then_branch.clone()) else {
        return;
    };
    if selected.or_token().is_some() {
        return;
    }
    let (selected_base, selected_attrs) = flatten_select(&Expr::Select(selected.clone()));
    let (subject_base, subject_attrs) = flatten_select(&subject);
    let (Some(selected_names), Some(subject_names)) = (
        static_names(selected_attrs.into_iter()),
        static_names(subject_attrs.into_iter()),
    ) else {
        return;
    };
    let same_path = selected_names.len() == subject_names.len() + tested_names.len()
        && selected_names[..subject_names.len()] == subject_names[..]
        && selected_names[subject_names.len()..] == tested_names[..];
    if !same_path || !tokens_equal(selected_base.syntax(), subject_base.syntax()) {
        return;
    }

    let finding = findings.report(
        node.text_range(),
        "Redundant `?` test before selecting the same attribute: use `or`",
    );
    // Everything but the two branches is rewritten, so a comment elsewhere would be lost.
    let default = unwrap_parens(else_branch);
    let kept = [
        selected.syntax().text_range(),
        default.syntax().text_range(),
    ];
    let loses_comment = node.descendants_with_tokens().any(|element| {
        element.kind() == SyntaxKind::TOKEN_COMMENT
            && !kept
                .iter()
                .any(|range| range.contains_range(element.text_range()))
    });
    if loses_comment {
        return;
    }
    let default_is_simple = match &default {
        Expr::Select(select) => select.or_token().is_none(),
        other => precedence(other) > 15,
    };
    let default_text = if default_is_simple {
        default.syntax().to_string()
    } else {
        format!("({})", default.syntax())
    };
    let mut replacement = format!("{} or {default_text}", selected.syntax());
    if needs_parens_in_place(node, 15) {
        replacement = format!("({replacement})");
    }
    let edits = vec![TextEdit::replace(node.text_range(), replacement)];
    let title = "Replace with `or`";
    finding.fix(if subject_names.is_empty() {
        Fix::safe(title, edits)
    } else {
        Fix::unsafe_(title, edits)
    });
}

fn static_names(attrs: impl Iterator<Item = ast::Attr>) -> Option<Vec<String>> {
    attrs.map(|attr| attr_name(&attr)).collect()
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_no_fix, check_unsafe_fix};

    use super::USELESS_HAS_ATTR;

    #[test]
    fn reports_the_if() {
        check(
            &USELESS_HAS_ATTR,
            r#"
{ port = if cfg ? port then cfg.port else 8080; }
#        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[useless-has-attr]: Redundant `?` test before selecting the same attribute: use `or`
"#,
        );
    }

    #[test]
    fn fix_uses_or() {
        check_fix(
            &USELESS_HAS_ATTR,
            "{ port = if cfg ? port then cfg.port else 8080; }",
            "{ port = cfg.port or 8080; }",
        );
        check_fix(
            &USELESS_HAS_ATTR,
            "x: if x ? a.b then x.a.b else null",
            "x: x.a.b or null",
        );
        check_fix(
            &USELESS_HAS_ATTR,
            r#"if (s ? "a") then (s.a) else { }"#,
            "s.a or { }",
        );
    }

    #[test]
    fn default_gets_parentheses_unless_simple() {
        check_fix(
            &USELESS_HAS_ATTR,
            "if s ? a then s.a else f x",
            "s.a or (f x)",
        );
        check_fix(
            &USELESS_HAS_ATTR,
            "if s ? a then s.a else t.b or c",
            "s.a or (t.b or c)",
        );
        check_fix(
            &USELESS_HAS_ATTR,
            "if s ? a then s.a else -1",
            "s.a or (-1)",
        );
        check_fix(
            &USELESS_HAS_ATTR,
            "if s ? a then s.a else t.b",
            "s.a or t.b",
        );
        check_fix(
            &USELESS_HAS_ATTR,
            "if s ? a then s.a else (x: x)",
            "s.a or (x: x)",
        );
    }

    /// `x.y.a or d` also catches a missing `x.y`, where `if x.y ? a then x.y.a else d` fails.
    #[test]
    fn selected_subject_gets_only_an_unsafe_fix() {
        check_fix(
            &USELESS_HAS_ATTR,
            "if x.y ? a then x.y.a else d",
            "if x.y ? a then x.y.a else d",
        );
        check_unsafe_fix(
            &USELESS_HAS_ATTR,
            "if x.y ? a then x.y.a else d",
            "x.y.a or d",
        );
    }

    #[test]
    fn comments_outside_the_branches_keep_the_if() {
        check_no_fix(
            &USELESS_HAS_ATTR,
            r#"
if s ? a # when set
^^^^^^^^^^^^^^^^^^^ warning[useless-has-attr]: Redundant `?` test before selecting the same attribute: use `or`
then s.a else d
"#,
        );
        check_fix(
            &USELESS_HAS_ATTR,
            "if s ? a then s.a /* set */ else d",
            "if s ? a then s.a /* set */ else d",
        );
        check_fix(
            &USELESS_HAS_ATTR,
            "if s ? a then (s.a /* set */) else d",
            "if s ? a then (s.a /* set */) else d",
        );
        check_fix(
            &USELESS_HAS_ATTR,
            "if s ? a then s . /* set */ a else [ /* none */ ]",
            "s . /* set */ a or [ /* none */ ]",
        );
    }

    #[test]
    fn different_paths_or_subjects_are_not_reported() {
        check(
            &USELESS_HAS_ATTR,
            r#"
[
  (if s ? a then s.b else d)
  (if s ? a then t.a else d)
  (if s ? a then s.a.b else d)
  (if s ? a.b then s.a else d)
  (if s ? a then s.a or e else d)
  (if s ? ${k} then s.${k} else d)
  (if !(s ? a) then s.a else d)
  (if s ? a then d else s.a)
  (if f x ? a then f y.a else d)
]
"#,
        );
    }

    #[test]
    fn subjects_compare_by_tokens_not_text() {
        check_fix(
            &USELESS_HAS_ATTR,
            "if (f  x) ? a then (f x).a else d",
            "(f x).a or d",
        );
    }
}
