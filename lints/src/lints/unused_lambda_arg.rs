//! NIX102: a lambda parameter `x: …` that the body never uses.

use syntax::ast;
use syntax::helpers::{attrpath_names, dotted_name, unroll_apply};
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextEdit};

use crate::diagnostic::{Fix, Severity};
use crate::lint::{declare_lint, Findings, LintCtx, LintOption, OptionDefault};
use crate::scope::BindingKind;

declare_lint! {
    /// ## What it does
    /// Checks for lambda parameters written as a plain name (`x: …`) that the body never uses.
    /// Names starting with `_` are never reported. Also skipped: the first parameter of an
    /// overlay in a flake's `overlays` (Nix requires it to be named `final`, `_final` or `_`)
    /// and the parameter of a function given to `lib.fix`, `makeExtensible` and their kin, whose
    /// parameter is part of an idiom.
    ///
    /// With the option `warn-used-underscore`, a parameter whose name starts with `_` but that
    /// is used is reported too: the underscore promises it is not.
    ///
    /// ## Why is this bad?
    /// An unused parameter suggests the function does less than its signature says, or that the
    /// body refers to the wrong name.
    ///
    /// ## Example
    /// ```nix
    /// map (x: "constant") list
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// map (_x: "constant") list
    /// ```
    ///
    /// The fix renames the parameter to `_x`, which keeps the meaning; it is withheld when the
    /// body already refers to a `_x` from outside, which the rename would capture.
    pub(crate) static UNUSED_LAMBDA_ARG = {
        code: "NIX102",
        name: "unused-lambda-arg",
        category: Style,
        severity: Hint,
        fix: Safe,
        tags: [Unnecessary],
        kinds: [NODE_LAMBDA],
        reach: Entry,
        options: [LintOption {
            name: "warn-used-underscore",
            default: OptionDefault::Bool(false),
            doc: "Also report parameters whose name starts with `_` but that are used.",
        }],
        check: check_lambda,
    };
}

/// Functions whose function argument takes a parameter by convention (`self`, `final`).
const FIXPOINT_FUNCTIONS: &[&str] = &[
    "fix",
    "fix'",
    "makeExtensible",
    "makeExtensibleWithCustomName",
    "makeScope",
    "extends",
];

fn check_lambda(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(lambda) = ast::Lambda::cast(node.clone()) else {
        return;
    };
    let Some(ast::Param::IdentParam(param)) = lambda.param() else {
        return;
    };
    let Some(ident) = param.ident() else { return };
    let scope = ctx.scope();
    let Some(id) = scope.binding_defined_at(ident.syntax().text_range()) else {
        return;
    };
    let binding = scope.binding(id);
    if binding.kind != BindingKind::LambdaParam {
        return;
    }
    let name = binding.name.as_str();
    if name.starts_with('_') {
        if ctx.bool_option("warn-used-underscore") && scope.is_used(id) {
            findings
                .report(
                    binding.name_range,
                    format!("`{name}` is used, but its name says it is not"),
                )
                .severity(Severity::Warning);
        }
        return;
    }
    if scope.is_used(id) || is_overlay_first_param(ctx, node) || is_fixpoint_argument(node) {
        return;
    }
    let finding = findings.report(binding.name_range, format!("`{name}` is unused"));
    let renamed = format!("_{name}");
    // The rename must not capture a `_x` that the body refers to; any such reference withholds
    // the fix, which is simpler than proving it is bound inside the body.
    let body_range = lambda.body().map(|body| body.syntax().text_range());
    let captures =
        body_range.is_some_and(|range| scope.refers_to_underscored_in(ctx.text, range, &renamed));
    if !captures {
        finding.fix(Fix::safe(
            format!("Rename to `{renamed}`"),
            vec![TextEdit::replace(binding.name_range, renamed)],
        ));
    }
}

/// `final` in `overlays.default = final: prev: …` of a flake.
fn is_overlay_first_param(ctx: &LintCtx<'_>, lambda: &SyntaxNode) -> bool {
    if !ctx.is_flake() {
        return false;
    }
    // The overlay is the outer lambda of `final: prev: …`.
    let is_curried = ast::Lambda::cast(lambda.clone())
        .and_then(|lambda| lambda.body())
        .is_some_and(|body| body.syntax().kind() == SyntaxKind::NODE_LAMBDA);
    is_curried
        && lambda.ancestors().any(|ancestor| {
            ast::AttrpathValue::cast(ancestor)
                .and_then(|value| value.attrpath())
                .and_then(|path| attrpath_names(&path))
                .is_some_and(|names| {
                    names
                        .iter()
                        .any(|name| name == "overlays" || name == "overlay")
                })
        })
}

/// The lambda in `lib.fix (self: …)` and similar.
fn is_fixpoint_argument(lambda: &SyntaxNode) -> bool {
    let mut node = lambda.clone();
    while let Some(parent) = node.parent() {
        if parent.kind() != SyntaxKind::NODE_PAREN {
            break;
        }
        node = parent;
    }
    let Some(apply) = node.parent().and_then(ast::Apply::cast) else {
        return false;
    };
    let Some((function, _)) = unroll_apply(&apply) else {
        return false;
    };
    dotted_name(&function).is_some_and(|name| {
        let last = name.rsplit('.').next().unwrap_or(&name);
        FIXPOINT_FUNCTIONS.contains(&last)
    })
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_with_config};

    use super::UNUSED_LAMBDA_ARG;

    #[test]
    fn unused_parameter() {
        check(
            &UNUSED_LAMBDA_ARG,
            r#"
map (x: 1) [ ]
#    ^ hint[unused-lambda-arg]: `x` is unused
"#,
        );
    }

    #[test]
    fn rename_fix() {
        check_fix(&UNUSED_LAMBDA_ARG, "map (x: 1) [ ]", "map (_x: 1) [ ]");
    }

    #[test]
    fn rename_would_capture_an_outer_name() {
        check_fix(&UNUSED_LAMBDA_ARG, "_x: x: _x", "_x: x: _x");
    }

    #[test]
    fn used_and_underscore_parameters() {
        check(&UNUSED_LAMBDA_ARG, "[ (x: x) (_y: 1) (z: { a = z; }) ]\n");
    }

    #[test]
    fn used_underscore_is_reported_on_request() {
        check_with_config(
            &UNUSED_LAMBDA_ARG,
            "[lints.unused-lambda-arg]\nwarn-used-underscore = true",
            r#"
_y: _y
^^ warning[unused-lambda-arg]: `_y` is used, but its name says it is not
"#,
        );
    }

    /// Nix `flake.cc` checks overlay argument names: `final` must keep its name in flakes.
    #[test]
    fn flake_overlay_first_parameter_is_skipped() {
        check(
            &UNUSED_LAMBDA_ARG,
            r#"#- /flake.nix
{ outputs = _: { overlays.default = final: prev: { x = prev.x; }; }; }
"#,
        );
    }

    #[test]
    fn fixpoint_idioms_are_skipped() {
        check(&UNUSED_LAMBDA_ARG, "lib.fix (self: { a = 1; })\n");
    }
}
