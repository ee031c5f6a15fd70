//! NIX103: an entry of a lambda pattern `{ a, ... }:`, or its `@` name, that nothing uses.

use syntax::ast;
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextEdit, TextRange};

use crate::diagnostic::{Fix, Severity};
use crate::lint::{declare_lint, Findings, LintCtx, LintOption, OptionDefault};

declare_lint! {
    /// ## What it does
    /// Checks for entries of a lambda's pattern that neither the body nor another entry's
    /// default uses, and for an `@` name (`args@{ … }`) that the body never uses.
    ///
    /// Because callers see a pattern's names, the rules are careful:
    /// - a pattern without `...` is not checked, since removing an entry would make every
    ///   caller that passes it fail (`callPackage` passes exactly the names it sees); the option
    ///   `strict-patterns` checks them too, with an unsafe fix;
    /// - in a pattern with an `@` name an entry may be read through that name, so it is only
    ///   a hint, without a fix; an entry with a default there is worth a look, because the
    ///   default does not apply when the argument is read through the `@` name;
    /// - the `outputs` function of a flake is never checked: Nix passes it every input.
    ///
    /// ## Why is this bad?
    /// Unused arguments make a function look as if it depended on things it does not, and make
    /// `callPackage` pass them for nothing.
    ///
    /// ## Example
    /// ```nix
    /// { lib, stdenv, fetchurl, ... }:
    /// stdenv.mkDerivation { pname = "x"; version = "1"; }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// { stdenv, ... }:
    /// stdenv.mkDerivation { pname = "x"; version = "1"; }
    /// ```
    pub(crate) static UNUSED_PATTERN_BINDING = {
        code: "NIX103",
        name: "unused-pattern-binding",
        category: Correctness,
        severity: Warning,
        fix: SafeOrUnsafe,
        tags: [Unnecessary],
        kinds: [NODE_LAMBDA],
        reach: Entry,
        options: [LintOption {
            name: "strict-patterns",
            default: OptionDefault::Bool(false),
            doc: "Also check patterns without `...` (removing an entry there breaks callers that pass it).",
        }],
        check: check_lambda,
    };
}

fn check_lambda(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(lambda) = ast::Lambda::cast(node.clone()) else {
        return;
    };
    let Some(ast::Param::Pattern(pattern)) = lambda.param() else {
        return;
    };
    if is_flake_outputs(ctx, node) {
        return;
    }
    let scope = ctx.scope();
    let has_ellipsis = pattern.ellipsis_token().is_some();
    let bind = pattern.pat_bind().and_then(|bind| bind.ident());
    let bind_name = bind.as_ref().map(|ident| ident.syntax().to_string());
    let strict = ctx.bool_option("strict-patterns");

    for entry in pattern.pat_entries() {
        let Some(ident) = entry.ident() else { continue };
        let range = ident.syntax().text_range();
        let Some(id) = scope.binding_defined_at(range) else {
            continue;
        };
        let name = scope.binding(id).name.as_str();
        if scope.is_used(id) || name.starts_with('_') {
            continue;
        }
        if let Some(bind_name) = &bind_name {
            let message = if entry.default().is_some() {
                format!(
                    "`{name}` is unused; its default does not apply when it is read through `{bind_name}`"
                )
            } else {
                format!("`{name}` is unused, unless it is read through `{bind_name}`")
            };
            findings.report(range, message).severity(Severity::Hint);
            continue;
        }
        if !has_ellipsis && !strict {
            continue;
        }
        let finding = findings.report(range, format!("`{name}` is unused"));
        if let Some(edits) = remove_entry(entry.syntax()) {
            let fix = if has_ellipsis {
                Fix::safe("Remove unused argument", edits)
            } else {
                Fix::unsafe_(
                    "Remove unused argument (callers passing it will fail)",
                    edits,
                )
            };
            finding.fix(fix);
        }
    }

    if let (Some(ident), Some(pat_bind)) = (bind, pattern.pat_bind()) {
        let range = ident.syntax().text_range();
        let Some(id) = scope.binding_defined_at(range) else {
            return;
        };
        let name = scope.binding(id).name.as_str();
        if scope.is_used(id) || name.starts_with('_') {
            return;
        }
        let finding = findings.report(range, format!("`{name}` is unused"));
        if let Some(edit) = remove_bind(pat_bind.syntax()) {
            finding.fix(Fix::safe(format!("Remove `{name}@`"), vec![edit]));
        }
    }
}

/// Whether `lambda` is the `outputs` function of a flake.
pub(crate) fn is_flake_outputs(ctx: &LintCtx<'_>, lambda: &SyntaxNode) -> bool {
    if !ctx.is_flake() {
        return false;
    }
    let Some(binding) = lambda.parent().and_then(ast::AttrpathValue::cast) else {
        return false;
    };
    let is_outputs = binding
        .attrpath()
        .is_some_and(|path| path.syntax().to_string() == "outputs");
    let at_top = binding
        .syntax()
        .parent()
        .and_then(|set| set.parent())
        .is_some_and(|root| root.kind() == SyntaxKind::NODE_ROOT);
    is_outputs && at_top
}

/// Deletes a pattern entry with its comma: the comma after it, or for a last entry the comma
/// before it.
fn remove_entry(entry: &SyntaxNode) -> Option<Vec<TextEdit>> {
    if entry
        .descendants_with_tokens()
        .any(|element| element.kind() == SyntaxKind::TOKEN_COMMENT)
    {
        return None;
    }
    let range = entry.text_range();
    let mut next = entry.last_token()?.next_token();
    while next
        .as_ref()
        .is_some_and(|token| token.kind() == SyntaxKind::TOKEN_WHITESPACE)
    {
        next = next.and_then(|token| token.next_token());
    }
    if let Some(comma) = next.filter(|token| token.kind() == SyntaxKind::TOKEN_COMMA) {
        let mut end = comma.text_range().end();
        if let Some(space) = comma
            .next_token()
            .filter(|token| token.kind() == SyntaxKind::TOKEN_WHITESPACE)
        {
            end = space.text_range().end();
        }
        return Some(vec![TextEdit::delete(TextRange::new(range.start(), end))]);
    }
    let mut previous = entry.first_token()?.prev_token();
    while previous
        .as_ref()
        .is_some_and(|token| token.kind() == SyntaxKind::TOKEN_WHITESPACE)
    {
        previous = previous.and_then(|token| token.prev_token());
    }
    let comma = previous.filter(|token| token.kind() == SyntaxKind::TOKEN_COMMA)?;
    Some(vec![TextEdit::delete(TextRange::new(
        comma.text_range().start(),
        range.end(),
    ))])
}

/// Deletes `args@` before a pattern or `@args` after it, with the space around. The `@` token
/// belongs to the `NODE_PAT_BIND`.
fn remove_bind(pat_bind: &SyntaxNode) -> Option<TextEdit> {
    let range = pat_bind.text_range();
    let before_brace = pat_bind.prev_sibling_or_token().is_none()
        || pat_bind.prev_sibling_or_token().is_some_and(|element| {
            element.kind() == SyntaxKind::TOKEN_WHITESPACE
                && element.prev_sibling_or_token().is_none()
        });
    let (start, end) = if before_brace {
        // `args@{` or `args @ {`: up to the first token after the bind.
        let mut after = pat_bind.last_token()?.next_token();
        while after
            .as_ref()
            .is_some_and(|token| token.kind() == SyntaxKind::TOKEN_WHITESPACE)
        {
            after = after.and_then(|token| token.next_token());
        }
        (
            range.start(),
            after.map_or(range.end(), |token| token.text_range().start()),
        )
    } else {
        // `}@args` or `} @ args`: from the end of the `}`.
        let mut before = pat_bind.first_token()?.prev_token();
        while before
            .as_ref()
            .is_some_and(|token| token.kind() == SyntaxKind::TOKEN_WHITESPACE)
        {
            before = before.and_then(|token| token.prev_token());
        }
        (
            before.map_or(range.start(), |token| token.text_range().end()),
            range.end(),
        )
    };
    Some(TextEdit::delete(TextRange::new(start, end)))
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_with_config};

    use super::UNUSED_PATTERN_BINDING;

    #[test]
    fn unused_entry_with_ellipsis() {
        check(
            &UNUSED_PATTERN_BINDING,
            r#"
{ lib, stdenv, ... }: stdenv
# ^^^ warning[unused-pattern-binding]: `lib` is unused
"#,
        );
    }

    #[test]
    fn remove_entry_fix() {
        check_fix(
            &UNUSED_PATTERN_BINDING,
            "{ lib, stdenv, ... }: stdenv",
            "{ stdenv, ... }: stdenv",
        );
        check_fix(
            &UNUSED_PATTERN_BINDING,
            "{\n  lib,\n  stdenv ? null,\n  ...\n}:\nlib",
            "{\n  lib,\n  ...\n}:\nlib",
        );
    }

    /// deadnix #24, #113: without `...`, removing an entry breaks callers that pass it.
    #[test]
    fn patterns_without_ellipsis_are_not_checked_by_default() {
        check(&UNUSED_PATTERN_BINDING, "{ system, pkgs }: pkgs\n");
    }

    #[test]
    fn strict_patterns_option_checks_them_with_an_unsafe_fix() {
        check_with_config(
            &UNUSED_PATTERN_BINDING,
            "[lints.unused-pattern-binding]\nstrict-patterns = true",
            r#"
{ system, pkgs }: pkgs
# ^^^^^^ warning[unused-pattern-binding]: `system` is unused
"#,
        );
        check_fix(
            &UNUSED_PATTERN_BINDING,
            "{ system, pkgs }: pkgs",
            "{ system, pkgs }: pkgs",
        );
    }

    #[test]
    fn removal_of_a_last_entry_takes_the_comma_before() {
        let text = "{ pkgs, system }: pkgs";
        let root = syntax::parse(text).root();
        let entry = root
            .descendants()
            .filter(|node| node.kind() == syntax::SyntaxKind::NODE_PAT_ENTRY)
            .nth(1)
            .expect("two entries");
        let edits = super::remove_entry(&entry).expect("removable");
        assert_eq!(
            syntax::apply_edits(text, &edits).expect("edits apply"),
            "{ pkgs }: pkgs"
        );
    }

    /// deadnix #67, nil #148, nix-linter #42: with `@args` the entry may be used through it.
    #[test]
    fn entries_of_at_bound_patterns_are_hints_without_fix() {
        check(
            &UNUSED_PATTERN_BINDING,
            r#"
{ hello, symlinkJoin }@inputs: builtins.attrValues inputs
# ^^^^^ hint[unused-pattern-binding]: `hello` is unused, unless it is read through `inputs`
#        ^^^^^^^^^^^ hint[unused-pattern-binding]: `symlinkJoin` is unused, unless it is read through `inputs`
"#,
        );
    }

    /// nixd #558: a default is ignored when the argument is read through the `@` name.
    #[test]
    fn default_ignored_through_at_bind() {
        check(
            &UNUSED_PATTERN_BINDING,
            r#"
{ a ? 1, ... }@args: args.a
# ^ hint[unused-pattern-binding]: `a` is unused; its default does not apply when it is read through `args`
"#,
        );
    }

    /// nixd #558 / #560: an unused `@args` is reported and removed.
    #[test]
    fn unused_at_bind() {
        check(
            &UNUSED_PATTERN_BINDING,
            r#"
args@{ a, ... }: a
^^^^ warning[unused-pattern-binding]: `args` is unused
"#,
        );
        check_fix(
            &UNUSED_PATTERN_BINDING,
            "args@{ a, ... }: a",
            "{ a, ... }: a",
        );
        check_fix(
            &UNUSED_PATTERN_BINDING,
            "{ a, ... } @ args: a",
            "{ a, ... }: a",
        );
    }

    /// nix-linter #38, hammering #49: an entry used only in another entry's default is used.
    #[test]
    fn use_in_another_default_counts() {
        check(
            &UNUSED_PATTERN_BINDING,
            "{ sources, pkgs ? import sources.nixpkgs { }, ... }: pkgs\n",
        );
    }

    /// nixd #589, #649: `outputs = { self, nixpkgs }:` must stay as it is.
    #[test]
    fn flake_outputs_are_never_checked() {
        check(
            &UNUSED_PATTERN_BINDING,
            r#"#- /flake.nix
{ outputs = { self, nixpkgs, ... }: { }; }
"#,
        );
    }

    #[test]
    fn underscore_entries_are_skipped() {
        check(&UNUSED_PATTERN_BINDING, "{ _unused, ... }: 1\n");
    }
}
