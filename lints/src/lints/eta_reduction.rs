//! NIX007: `x: f x`, a lambda that only passes its argument on.

use syntax::ast::{self, Expr};
use syntax::helpers::{contains_comment, dotted_name, ident_token, unroll_apply, unwrap_parens};
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextEdit};

use crate::diagnostic::Fix;
use crate::lint::{declare_lint, Findings, LintCtx};
use crate::scope::Resolution;

declare_lint! {
    /// ## What it does
    /// Checks for lambdas `x: f x` whose body applies a named function `f` (an identifier or a
    /// select such as `lib.toUpper`) to the argument and does nothing else. Off by default.
    ///
    /// ## Why is this bad?
    /// `f` alone is a function that does the same for every argument, with one name fewer to
    /// read. Whether that reads better is a matter of taste, which is why this lint is off
    /// unless enabled, reports hints, and offers its fix as unsafe: `x: f x` and `f` are
    /// different values to `builtins.functionArgs` (so `callPackage` passes different
    /// arguments), `f` is evaluated at a different time, and `x: f x` is a function even when
    /// `f` is not.
    ///
    /// Not reported: `f` that is itself a call (`x: g y x`) or that mentions `x` (statix #4:
    /// `folder: nameValuePair folder.path folder`), and lambdas passed to `callPackage`,
    /// `callPackages`, `callPackageWith`, `makeOverridable`, `functionArgs` or
    /// `setFunctionArgs`, which look at the function's formal arguments.
    ///
    /// ## Example
    /// ```nix
    /// map (name: lib.toUpper name) names
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// map lib.toUpper names
    /// ```
    pub(crate) static ETA_REDUCTION = {
        code: "NIX007",
        name: "eta-reduction",
        category: Style,
        severity: Hint,
        default_enabled: false,
        fix: Unsafe,
        tags: [],
        kinds: [NODE_LAMBDA],
        reach: Entry,
        check: check_lambda,
    };
}

/// Functions that read the formal arguments of the function they are given.
const READS_FUNCTION_ARGS: &[&str] = &[
    "callPackage",
    "callPackageWith",
    "callPackages",
    "callPackagesWith",
    "functionArgs",
    "makeOverridable",
    "mirrorFunctionArgs",
    "setFunctionArgs",
];

fn check_lambda(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(lambda) = ast::Lambda::cast(node.clone()) else {
        return;
    };
    let Some(ast::Param::IdentParam(param)) = lambda.param() else {
        return;
    };
    let Some(param_ident) = param.ident() else {
        return;
    };
    let Some(param_token) = ident_token(&param_ident) else {
        return;
    };
    let Some(Expr::Apply(apply)) = lambda.body().map(unwrap_parens) else {
        return;
    };
    let Some(argument) = apply.argument().map(unwrap_parens) else {
        return;
    };
    let Expr::Ident(argument) = argument else {
        return;
    };
    if ident_token(&argument).map(|token| token.text().to_owned())
        != Some(param_token.text().to_owned())
    {
        return;
    }
    let Some(function) = apply.lambda().map(unwrap_parens) else {
        return;
    };
    let Some(name) = dotted_name(&function) else {
        return;
    };
    let scope = ctx.scope();
    let Some(own) = scope.binding_defined_at(param_ident.syntax().text_range()) else {
        return;
    };
    let mentions_argument = function
        .syntax()
        .descendants()
        .filter(|descendant| descendant.kind() == SyntaxKind::NODE_IDENT)
        .any(|ident| scope.resolve(ident.text_range()) == Some(Resolution::Binding(own)));
    if mentions_argument || is_passed_to_args_reader(node) {
        return;
    }
    let finding = findings.report(
        node.text_range(),
        format!("This lambda only passes its argument to `{name}`"),
    );
    if !contains_comment(node) {
        finding.fix(Fix::unsafe_(
            format!("Replace with `{name}`"),
            vec![TextEdit::replace(
                node.text_range(),
                function.syntax().to_string(),
            )],
        ));
    }
}

/// Whether the lambda (in any parentheses) is an argument of a call of one of
/// [`READS_FUNCTION_ARGS`].
fn is_passed_to_args_reader(lambda: &SyntaxNode) -> bool {
    let mut wrapped = lambda.clone();
    while let Some(parent) = wrapped.parent() {
        if parent.kind() != SyntaxKind::NODE_PAREN {
            break;
        }
        wrapped = parent;
    }
    let Some(mut call) = wrapped.parent().and_then(ast::Apply::cast) else {
        return false;
    };
    if call.argument().map(|argument| argument.syntax().clone()) != Some(wrapped) {
        return false;
    }
    // Climb to the outermost application of the same call: `f a b` is `(f a) b`.
    while let Some(outer) = call.syntax().parent().and_then(ast::Apply::cast) {
        if outer.lambda().map(|function| function.syntax().clone()) != Some(call.syntax().clone()) {
            break;
        }
        call = outer;
    }
    let Some((function, _)) = unroll_apply(&call) else {
        return false;
    };
    dotted_name(&unwrap_parens(function)).is_some_and(|name| {
        let last = name.rsplit('.').next().unwrap_or(&name);
        READS_FUNCTION_ARGS.contains(&last)
    })
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, Settings};
    use crate::fix::{fix_with, FixMode};
    use crate::tests::{check, check_fix, check_with_config};

    use super::ETA_REDUCTION;

    const ON: &str = "[lints]\neta-reduction = \"hint\"";

    /// The text after the unsafe fixes of the lint, enabled. The shared fixture helpers run
    /// with the default configuration, where this lint is off.
    fn unsafe_fix_when_enabled(before: &str) -> String {
        let (settings, errors) = Settings::from_toml(ON).expect("valid TOML");
        assert!(errors.is_empty());
        let config = Config::from_layers(&[&settings]);
        let outcome = fix_with(before, None, &config, FixMode::Unsafe, &[&ETA_REDUCTION]);
        assert!(!outcome.hit_round_limit);
        outcome.text
    }

    #[test]
    fn off_by_default() {
        check(&ETA_REDUCTION, "map (x: f x) xs\n");
    }

    #[test]
    fn reports_when_enabled() {
        check_with_config(
            &ETA_REDUCTION,
            ON,
            r#"
map (name: lib.toUpper name) names
#    ^^^^^^^^^^^^^^^^^^^^^^ hint[eta-reduction]: This lambda only passes its argument to `lib.toUpper`
"#,
        );
    }

    #[test]
    fn fix_is_unsafe_only() {
        // Off by default: nothing to fix.
        check_fix(&ETA_REDUCTION, "map (x: f x) xs", "map (x: f x) xs");
        assert_eq!(
            unsafe_fix_when_enabled("map (x: lib.f x) xs"),
            "map (lib.f) xs"
        );
        assert_eq!(unsafe_fix_when_enabled("a: b: (f) (b)"), "a: f");
    }

    /// statix #4, #6: `folder: nameValuePair folder.path folder` was reduced although `folder`
    /// is still used by the function part.
    #[test]
    fn argument_still_used_by_the_function_is_not_reducible() {
        check_with_config(
            &ETA_REDUCTION,
            ON,
            "map (folder: nameValuePair folder.path folder) xs\n",
        );
        check_with_config(&ETA_REDUCTION, ON, "x: x.f x\n");
        check_with_config(&ETA_REDUCTION, ON, "x: (x) x\n");
    }

    /// statix PR #76: `callPackage` reads the formal arguments with `builtins.functionArgs`,
    /// which eta-reduction changes.
    #[test]
    fn function_args_consumers_are_skipped() {
        check_with_config(
            &ETA_REDUCTION,
            ON,
            r#"
[
  (callPackage (args: f args) { })
  (pkgs.callPackages (args: f args) { })
  (lib.makeOverridable (args: f args) { })
  (builtins.functionArgs (args: f args))
  (g (args: f args))
#     ^^^^^^^^^^^^ hint[eta-reduction]: This lambda only passes its argument to `f`
]
"#,
        );
    }

    #[test]
    fn near_misses() {
        check_with_config(
            &ETA_REDUCTION,
            ON,
            "[ (x: f y) (x: f x x) ({ x }: f x) (x: g a x) (x: f.a or b x) ]\n",
        );
    }

    #[test]
    fn argument_in_parentheses_and_shadowing() {
        check_with_config(
            &ETA_REDUCTION,
            ON,
            r#"
x: (y: f (y))
#   ^^^^^^^^ hint[eta-reduction]: This lambda only passes its argument to `f`
"#,
        );
    }

    #[test]
    fn comment_blocks_the_fix() {
        check_with_config(
            &ETA_REDUCTION,
            ON,
            r#"
x: /* why */ f x
^^^^^^^^^^^^^^^^ hint[eta-reduction]: This lambda only passes its argument to `f`
"#,
        );
        assert_eq!(
            unsafe_fix_when_enabled("x: /* why */ f x"),
            "x: /* why */ f x"
        );
    }
}
