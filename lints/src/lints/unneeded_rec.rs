//! NIX019: a `rec` set whose attributes never refer to each other.

use syntax::ast::{self, HasEntry};
use syntax::helpers::attr_name;
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextEdit, TextRange};

use crate::diagnostic::Fix;
use crate::lint::{declare_lint, Findings, LintCtx};
use crate::scope::ScopeIndex;

declare_lint! {
    /// ## What it does
    /// Checks for `rec { … }` where no value, dynamic name or `inherit (…)` source refers to a
    /// name the set defines.
    ///
    /// A use of a name brought in by a plain `inherit x;` does not count: without `rec`, the same
    /// `x` refers to the outer `x` that the `inherit` copies, so the value is the same. A set
    /// that defines `__overrides` is never reported, because Nix applies `__overrides` only to
    /// `rec` sets.
    ///
    /// ## Why is this bad?
    /// `rec` makes every attribute visible to the others, so the reader must check each name
    /// against the whole set, and an attribute named like an outer variable silently shadows it
    /// (nix.dev, "Recursive attribute set `rec { ... }`"). Without references it buys nothing.
    ///
    /// The fix removes `rec` and is safe: with no reference to the set's own names, every name
    /// inside resolves to the same binding either way.
    ///
    /// ## Example
    /// ```nix
    /// rec { pname = "hello"; version = "2.12"; }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// { pname = "hello"; version = "2.12"; }
    /// ```
    pub(crate) static UNNEEDED_REC = {
        code: "NIX019",
        name: "unneeded-rec",
        category: Style,
        severity: Warning,
        fix: Safe,
        tags: [Unnecessary],
        kinds: [NODE_ATTR_SET],
        reach: Entry,
        check: check_set,
    };
}

fn check_set(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(set) = ast::AttrSet::cast(node.clone()) else {
        return;
    };
    let Some(rec_token) = syntax::helpers::rec_token(&set) else {
        return;
    };
    let scope = ctx.scope();
    for entry in set.entries() {
        // A plain `inherit x;` copies the outer `x`, which its users would reach without `rec`.
        let (attrs, copies_outer): (Vec<ast::Attr>, bool) = match entry {
            ast::Entry::AttrpathValue(attrpath_value) => (
                attrpath_value
                    .attrpath()
                    .and_then(|path| path.attrs().next())
                    .into_iter()
                    .collect(),
                false,
            ),
            ast::Entry::Inherit(inherit) => (inherit.attrs().collect(), inherit.from().is_none()),
        };
        for attr in attrs {
            if attr_name(&attr).as_deref() == Some("__overrides") {
                return;
            }
            if !copies_outer && is_used(scope, attr.syntax().text_range()) {
                return;
            }
        }
    }
    let finding = findings.report(
        rec_token.text_range(),
        "`rec` is unnecessary: no attribute refers to another",
    );
    let mut end = rec_token.text_range().end();
    let mut next = rec_token.next_sibling_or_token();
    while let Some(element) = next {
        if element.kind() != SyntaxKind::TOKEN_WHITESPACE {
            break;
        }
        end = element.text_range().end();
        next = element.next_sibling_or_token();
    }
    finding.fix(Fix::safe(
        "Remove `rec`",
        vec![TextEdit::delete(TextRange::new(
            rec_token.text_range().start(),
            end,
        ))],
    ));
}

/// Whether the name defined at `name_range` is referred to anywhere.
fn is_used(scope: &ScopeIndex, name_range: TextRange) -> bool {
    scope
        .binding_defined_at(name_range)
        .is_some_and(|id| scope.is_used(id))
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix};

    use super::UNNEEDED_REC;

    #[test]
    fn reports_rec_without_references() {
        check(
            &UNNEEDED_REC,
            r#"
rec { pname = "hello"; version = "2.12"; }
^^^ warning[unneeded-rec]: `rec` is unnecessary: no attribute refers to another
"#,
        );
    }

    #[test]
    fn fix_removes_rec_and_its_space() {
        check_fix(
            &UNNEEDED_REC,
            "{ a = rec { x = 1; }; b = rec{ y = 2; }; c = rec   { }; }",
            "{ a = { x = 1; }; b = { y = 2; }; c = { }; }",
        );
    }

    #[test]
    fn any_reference_keeps_rec() {
        check(
            &UNNEEDED_REC,
            r#"
[
  (rec { a = 1; b = a; })
  (rec { a = 1; b = x: a; })
  (rec { a = "k"; ${a} = 1; })
  (rec { s = { x = 1; }; inherit (s) x; })
  (rec { a.b = 1; c = a.b; })
  (rec { a = 1; b = "${toString a}"; })
  (rec { a = 1; b = with pkgs; a; })
]
"#,
        );
    }

    #[test]
    fn shadowed_names_are_not_references() {
        check(
            &UNNEEDED_REC,
            r#"
[
  (rec { a = 1; b = a: a; })
#  ^^^ warning[unneeded-rec]: `rec` is unnecessary: no attribute refers to another
  (rec { a = 1; b = let a = 2; in a; })
#  ^^^ warning[unneeded-rec]: `rec` is unnecessary: no attribute refers to another
  (rec { a = 1; b = { a = 2; }.a; })
#  ^^^ warning[unneeded-rec]: `rec` is unnecessary: no attribute refers to another
]
"#,
        );
    }

    /// `rec { __overrides = …; }` is the one place where `rec` changes more than scoping.
    #[test]
    fn overrides_keep_rec() {
        check(&UNNEEDED_REC, "rec { __overrides = { x = 2; }; x = 1; }\n");
    }

    #[test]
    fn uses_of_plain_inherits_do_not_need_rec() {
        check_fix(
            &UNNEEDED_REC,
            "x: rec { inherit x; y = x; }",
            "x: { inherit x; y = x; }",
        );
    }

    /// nix-linter #61 in reverse: an `inherit (x)` source is a use, here of a `rec` name.
    #[test]
    fn inherit_from_source_is_a_use() {
        check(
            &UNNEEDED_REC,
            "rec { pkgs = import ./p.nix; inherit (pkgs) hello; }\n",
        );
    }
}
