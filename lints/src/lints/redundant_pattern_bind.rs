//! NIX010: `args @ { ... }: body`, a pattern that adds nothing to its `@` name.

use syntax::ast;
use syntax::helpers::{contains_comment, ident_token};
use syntax::{AstNode, SyntaxNode, TextEdit};

use crate::diagnostic::Fix;
use crate::lint::{declare_lint, Findings, LintCtx};

declare_lint! {
    /// ## What it does
    /// Checks for patterns `args @ { ... }` (or `{ ... } @ args`) that name no attribute.
    ///
    /// ## Why is this bad?
    /// The pattern only gives the argument a name, which a plain `args:` does. The fix keeps
    /// the function's result and `builtins.functionArgs` (`{ }` for both); the only difference
    /// is that `args:` no longer rejects an argument that is not an attribute set.
    ///
    /// ## Example
    /// ```nix
    /// inputs @ { ... }: import ./outputs.nix inputs
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// inputs: import ./outputs.nix inputs
    /// ```
    pub(crate) static REDUNDANT_PATTERN_BIND = {
        code: "NIX010",
        name: "redundant-pattern-bind",
        category: Style,
        severity: Warning,
        fix: Safe,
        tags: [],
        kinds: [NODE_PATTERN],
        reach: Entry,
        check: check_pattern,
    };
}

fn check_pattern(_: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(pattern) = ast::Pattern::cast(node.clone()) else {
        return;
    };
    if pattern.pat_entries().next().is_some() || pattern.ellipsis_token().is_none() {
        return;
    }
    let Some(name) = pattern
        .pat_bind()
        .and_then(|bind| bind.ident())
        .and_then(|ident| ident_token(&ident))
    else {
        return;
    };
    let name = name.text();
    let finding = findings.report(
        node.text_range(),
        format!("The pattern of `{name}` names no attribute and can be just `{name}`"),
    );
    if !contains_comment(node) {
        finding.fix(Fix::safe(
            format!("Replace with `{name}`"),
            vec![TextEdit::replace(node.text_range(), name)],
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_no_fix};

    use super::REDUNDANT_PATTERN_BIND;

    #[test]
    fn reports_both_spellings() {
        check(
            &REDUNDANT_PATTERN_BIND,
            r#"
[ (args @ { ... }: args) ({ ... }@inputs: inputs) ]
#  ^^^^^^^^^^^^^^ warning[redundant-pattern-bind]: The pattern of `args` names no attribute and can be just `args`
#                         ^^^^^^^^^^^^^^ warning[redundant-pattern-bind]: The pattern of `inputs` names no attribute and can be just `inputs`
"#,
        );
    }

    #[test]
    fn fix_keeps_the_name() {
        check_fix(
            &REDUNDANT_PATTERN_BIND,
            "[ (args @ { ... }: args) ({ ... }@inputs: inputs) ]",
            "[ (args: args) (inputs: inputs) ]",
        );
    }

    #[test]
    fn near_misses() {
        check(
            &REDUNDANT_PATTERN_BIND,
            "[ (args@{ a, ... }: args) (args@{ }: args) ({ ... }: 1) ]\n",
        );
    }

    #[test]
    fn comment_blocks_the_fix() {
        check_no_fix(
            &REDUNDANT_PATTERN_BIND,
            r#"
args @ { /* anything */ ... }: args
^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[redundant-pattern-bind]: The pattern of `args` names no attribute and can be just `args`
"#,
        );
    }
}
