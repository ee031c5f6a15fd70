//! NIX006: `let … in let … in e`, one `let` directly inside another.

use std::collections::HashSet;

use syntax::ast::{self, Expr, HasEntry};
use syntax::helpers::attr_name;
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextEdit, TextRange};

use crate::diagnostic::Fix;
use crate::lint::{declare_lint, Findings, LintCtx};

declare_lint! {
    /// ## What it does
    /// Checks for a `let` whose body is another `let` (parentheses aside), when the two can be
    /// one `let` without changing what any name refers to.
    ///
    /// ## Why is this bad?
    /// Two nested `let`s add a level of indentation and a second `in` without adding meaning:
    /// the bindings of one `let` can see each other in any order.
    ///
    /// Merging is only offered when it keeps every name's meaning (statix #63, #85):
    /// - no name is bound by both `let`s (merged, it would be a duplicate or the inner value
    ///   would start referring to itself);
    /// - no value or `inherit` of the outer `let` uses a name that the inner `let` binds, since
    ///   after merging it would see the inner binding instead of whatever it saw before (a
    ///   function argument, a `with`, a builtin).
    ///
    /// Comments between the two bindings lists are kept.
    ///
    /// ## Example
    /// ```nix
    /// let
    ///   a = 1;
    /// in
    /// let
    ///   b = a + 1;
    /// in
    /// a + b
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// let
    ///   a = 1;
    ///   b = a + 1;
    /// in
    /// a + b
    /// ```
    pub(crate) static COLLAPSIBLE_LET_IN = {
        code: "NIX006",
        name: "collapsible-let-in",
        category: Style,
        severity: Hint,
        fix: Safe,
        tags: [],
        kinds: [NODE_LET_IN],
        reach: Entry,
        check: check_let_in,
    };
}

fn check_let_in(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(outer) = ast::LetIn::cast(node.clone()) else {
        return;
    };
    let Some(body) = outer.body() else { return };
    // The body, and the parentheses around the inner `let`, outermost first.
    let mut parens = Vec::new();
    let mut current = body;
    let inner = loop {
        match current {
            Expr::Paren(paren) => match paren.expr() {
                Some(expr) => {
                    parens.push(paren);
                    current = expr;
                }
                None => return,
            },
            Expr::LetIn(inner) => break inner,
            _ => return,
        }
    };
    let (Some(outer_names), Some(inner_names)) = (bound_names(&outer), bound_names(&inner)) else {
        return;
    };
    // Empty `let`s are `empty-let-in`'s business.
    if outer_names.is_empty() || inner_names.is_empty() {
        return;
    }
    if !outer_names.is_disjoint(&inner_names) {
        return;
    }
    let scope = ctx.scope();
    let captured = outer.entries().any(|entry| {
        entry
            .syntax()
            .descendants()
            .filter(|descendant| descendant.kind() == SyntaxKind::NODE_IDENT)
            .any(|ident| {
                scope.resolve(ident.text_range()).is_some()
                    && inner_names.contains(&ident.text().to_string())
            })
    });
    if captured {
        return;
    }
    let Some(inner_let) = inner.let_token() else {
        return;
    };
    let finding = findings.report(
        inner_let.text_range(),
        "This `let` can be merged into the enclosing `let`",
    );
    if let Some(let_token) = outer.let_token() {
        finding.related(let_token.text_range(), "The enclosing `let`");
    }
    if let Some(fix) = merge_fix(ctx, &outer, &inner, &parens) {
        finding.fix(fix);
    }
}

/// The names a `let` binds, or `None` when one of them is not static.
fn bound_names(let_in: &ast::LetIn) -> Option<HashSet<String>> {
    let mut names = HashSet::new();
    for entry in let_in.entries() {
        match entry {
            ast::Entry::AttrpathValue(value) => {
                names.insert(attr_name(&value.attrpath()?.attrs().next()?)?);
            }
            ast::Entry::Inherit(inherit) => {
                for attr in inherit.attrs() {
                    names.insert(attr_name(&attr)?);
                }
            }
        }
    }
    Some(names)
}

/// Replaces `in let` (and the parentheses around the inner `let`) by the line break that was
/// before the inner bindings, keeping the comments found there.
fn merge_fix(
    ctx: &LintCtx<'_>,
    outer: &ast::LetIn,
    inner: &ast::LetIn,
    parens: &[ast::Paren],
) -> Option<Fix> {
    let outer_last = outer.entries().last()?;
    let inner_first = inner.entries().next()?;
    let inner_in = inner.in_token()?;
    let between = TextRange::new(
        outer_last.syntax().text_range().end(),
        inner_first.syntax().text_range().start(),
    );
    let separator = match inner_first.syntax().prev_sibling_or_token() {
        Some(syntax::NodeOrToken::Token(token))
            if token.kind() == SyntaxKind::TOKEN_WHITESPACE && token.text().contains('\n') =>
        {
            let text = token.text();
            // Keep the indentation of the inner bindings' line, not any blank lines before it.
            let indentation = &text[text.rfind('\n').unwrap_or(0)..];
            indentation.to_owned()
        }
        _ => " ".to_owned(),
    };
    let mut replacement = String::new();
    let mut after_code = true;
    for element in outer.syntax().descendants_with_tokens() {
        let Some(token) = element.into_token() else {
            continue;
        };
        if !between.contains_range(token.text_range()) {
            continue;
        }
        match token.kind() {
            SyntaxKind::TOKEN_COMMENT => {
                if token.text().starts_with('#') && !separator.contains('\n') {
                    return None;
                }
                replacement.push_str(if after_code { " " } else { &separator });
                replacement.push_str(token.text());
            }
            SyntaxKind::TOKEN_WHITESPACE if token.text().contains('\n') => {}
            SyntaxKind::TOKEN_WHITESPACE => continue,
            _ => {}
        }
        after_code = false;
    }
    replacement.push_str(&separator);
    replacement.push_str(ctx.text_of(TextRange::new(
        inner_first.syntax().text_range().start(),
        inner_in.text_range().start(),
    )));
    // One edit up to the inner `in`, so that merging a third `let` into the inner one overlaps
    // this fix and waits for the next round, where it is checked against the merged bindings.
    let mut edits = vec![TextEdit::replace(
        TextRange::new(between.start(), inner_in.text_range().start()),
        replacement,
    )];
    if let Some(outermost) = parens.first() {
        let closing = TextRange::new(
            inner.syntax().text_range().end(),
            outermost.syntax().text_range().end(),
        );
        let has_comment = outermost.syntax().descendants_with_tokens().any(|element| {
            element.kind() == SyntaxKind::TOKEN_COMMENT
                && closing.contains_range(element.text_range())
        });
        if has_comment {
            return None;
        }
        edits.push(TextEdit::delete(closing));
    }
    Some(Fix::safe("Merge the two `let`s", edits))
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix};

    use super::COLLAPSIBLE_LET_IN;

    #[test]
    fn reports_a_let_directly_in_a_let() {
        check(
            &COLLAPSIBLE_LET_IN,
            r#"
let a = 1; in let b = 2; in a + b
#             ^^^ hint[collapsible-let-in]: This `let` can be merged into the enclosing `let`
"#,
        );
    }

    #[test]
    fn merges_the_bindings() {
        check_fix(
            &COLLAPSIBLE_LET_IN,
            r#"
let
  a = 1;
in
let
  b = a + 1;
in
a + b
"#,
            r#"
let
  a = 1;
  b = a + 1;
in
a + b
"#,
        );
        check_fix(
            &COLLAPSIBLE_LET_IN,
            "let a = 1; in (let b = 2; in a + b)",
            "let a = 1; b = 2; in a + b",
        );
    }

    /// statix #63, #85: merging lets that bind the same name makes a duplicate, or turns the
    /// inner value into a reference to itself.
    #[test]
    fn shadowing_inner_let_is_not_collapsible() {
        check(&COLLAPSIBLE_LET_IN, "let a = 1; in let a = a + 1; in a\n");
        check(&COLLAPSIBLE_LET_IN, "let a = 1; in let inherit a; in a\n");
        check(
            &COLLAPSIBLE_LET_IN,
            "let inherit (x) a; in let b = 1; a = 2; in a\n",
        );
    }

    /// statix #63, #85: an outer value that uses a name the inner `let` binds would start
    /// referring to the inner binding.
    #[test]
    fn outer_value_would_capture_an_inner_name() {
        check(&COLLAPSIBLE_LET_IN, "b: let a = b; in let b = 1; in a\n");
        check(
            &COLLAPSIBLE_LET_IN,
            "with x; let a = b; in let b = 1; in a\n",
        );
        check(&COLLAPSIBLE_LET_IN, "let inherit b; in let b = 1; in b\n");
    }

    #[test]
    fn an_attribute_name_is_not_a_use() {
        check_fix(
            &COLLAPSIBLE_LET_IN,
            "let a = { b = 1; }; in let b = 2; in a.b + b",
            "let a = { b = 1; }; b = 2; in a.b + b",
        );
    }

    #[test]
    fn comments_between_the_lets_are_kept() {
        check_fix(
            &COLLAPSIBLE_LET_IN,
            r#"
let
  a = 1; # the a
in
# b depends on a
let
  b = a + 1;
in
b
"#,
            r#"
let
  a = 1; # the a
  # b depends on a
  b = a + 1;
in
b
"#,
        );
        check_fix(
            &COLLAPSIBLE_LET_IN,
            "let a = 1; in /* b */ let b = 2; in b",
            "let a = 1; /* b */ b = 2; in b",
        );
        check_fix(
            &COLLAPSIBLE_LET_IN,
            "let a = 1; in # b\nlet b = 2; in b",
            "let a = 1; in # b\nlet b = 2; in b",
        );
    }

    #[test]
    fn three_lets_merge_one_round_at_a_time() {
        check_fix(
            &COLLAPSIBLE_LET_IN,
            "let a = 1; in let b = 2; in let c = 3; in a + b + c",
            "let a = 1; b = 2; c = 3; in a + b + c",
        );
        // Pairwise distinct but the outermost and innermost share `a`: only one merge is safe.
        check_fix(
            &COLLAPSIBLE_LET_IN,
            "let a = 1; in let b = 2; in let a = 3; in a + b",
            "let a = 1; b = 2; in let a = 3; in a + b",
        );
    }

    #[test]
    fn near_misses() {
        check(&COLLAPSIBLE_LET_IN, "let a = 1; in f (let b = 2; in b)\n");
        check(&COLLAPSIBLE_LET_IN, "let a = 1; in let in a\n");
        check(&COLLAPSIBLE_LET_IN, "let in let a = 1; in a\n");
    }
}
