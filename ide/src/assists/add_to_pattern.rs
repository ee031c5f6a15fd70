//! Add an undefined name to the pattern of the file's top-level function: in
//! `{ pkgs, ... }: lib.id pkgs`, the cursor on `lib` gives `{ pkgs, lib, ... }:`. The new entry
//! is written the way the pattern's entries already are: inline, one per line, leading commas.

use lints::scope::Resolution;
use syntax::ast::{self, Expr};
use syntax::helpers::{ident_token, is_ident_expr, is_plain_ident, unwrap_parens};
use syntax::{AstNode, SyntaxKind, TextEdit, TextRange};

use super::{Assist, AssistCtx};

pub fn add_to_pattern(ctx: &AssistCtx<'_>, acc: &mut Vec<Assist>) {
    let Some(ident) = ctx.covering().ancestors().find_map(ast::Ident::cast) else {
        return;
    };
    if !is_ident_expr(ident.syntax()) {
        return;
    }
    let Some(name) = ident_token(&ident).map(|token| token.text().to_owned()) else {
        return;
    };
    if !is_plain_ident(&name) {
        return;
    }
    let scope = ctx.scope();
    if scope.resolve(ident.syntax().text_range()) != Some(Resolution::Undefined) {
        return;
    }
    let Some(Expr::Lambda(lambda)) = ast::Root::cast(ctx.root.clone())
        .and_then(|root| root.expr())
        .map(unwrap_parens)
    else {
        return;
    };
    let Some(ast::Param::Pattern(pattern)) = lambda.param() else {
        return;
    };
    // A use of the same name that a `with` may provide would be taken by the new parameter.
    let taken_from_with = scope.references().iter().any(|reference| {
        matches!(reference.resolution, Resolution::With(_)) && ctx.text[reference.range] == *name
    });
    if taken_from_with {
        return;
    }
    let Some(edit) = insertion(ctx.text, &pattern, &name) else {
        return;
    };
    acc.push(Assist {
        id: "add-to-pattern",
        title: format!("Add `{name}` to the function's parameters"),
        edits: vec![edit],
    });
}

/// The edit that adds `name` after the last entry of `pattern` (so before any `...`).
fn insertion(text: &str, pattern: &ast::Pattern, name: &str) -> Option<TextEdit> {
    let entries: Vec<ast::PatEntry> = pattern.pat_entries().collect();
    let ellipsis = pattern.ellipsis_token();
    let between =
        |from: TextRange, to: TextRange| &text[usize::from(from.end())..usize::from(to.start())];
    let Some(last) = entries.last() else {
        // No entries: `{ }` or `{ ... }`.
        return match ellipsis {
            Some(ellipsis) => Some(TextEdit::insert(
                ellipsis.text_range().start(),
                format!("{name}, "),
            )),
            None => {
                let open = token(pattern, SyntaxKind::TOKEN_L_BRACE)?;
                let close = token(pattern, SyntaxKind::TOKEN_R_BRACE)?;
                let inside = TextRange::new(open.end(), close.start());
                if text[inside].trim().is_empty() {
                    Some(TextEdit::replace(inside, format!(" {name} ")))
                } else {
                    None
                }
            }
        };
    };
    let last_range = last.syntax().text_range();
    // The text between two neighbouring elements shows the layout: `, `, `,\n  ` or `\n, `.
    let separator = if let [.., before, _] = entries.as_slice() {
        between(before.syntax().text_range(), last_range)
    } else if let Some(ellipsis) = &ellipsis {
        between(last_range, ellipsis.text_range())
    } else {
        ", "
    };
    let separator = if separator.contains('#') || separator.contains("/*") {
        if separator.contains('\n') {
            let indent = syntax::helpers::line_indent(text, usize::from(last_range.start()));
            format!(",\n{indent}")
        } else {
            ", ".to_owned()
        }
    } else {
        separator.to_owned()
    };
    if !separator.contains(',') {
        return None;
    }
    Some(TextEdit::insert(
        last_range.end(),
        format!("{separator}{name}"),
    ))
}

fn token(pattern: &ast::Pattern, kind: SyntaxKind) -> Option<TextRange> {
    pattern
        .syntax()
        .children_with_tokens()
        .find(|element| element.kind() == kind)
        .map(|element| element.text_range())
}

#[cfg(test)]
mod tests {
    use crate::assists::tests::{check, check_not_offered};

    const ID: &str = "add-to-pattern";

    #[test]
    fn inline_patterns() {
        check(ID, "{ a, ... }: a + b$0", "{ a, b, ... }: a + b");
        check(ID, "{ a, b }: c$0", "{ a, b, c }: c");
        check(ID, "{ a }@args: b$0", "{ a, b }@args: b");
        check(ID, "args@{ a, ... }: b$0", "args@{ a, b, ... }: b");
        check(ID, "{ ... }: b$0", "{ b, ... }: b");
        check(ID, "{ }: b$0", "{ b }: b");
        check(ID, "({ a ? b$0 }: a)", "({ a ? b, b }: a)");
    }

    #[test]
    fn one_entry_per_line() {
        check(
            ID,
            "{\n  a,\n  b,\n  ...\n}:\nc$0",
            "{\n  a,\n  b,\n  c,\n  ...\n}:\nc",
        );
        check(ID, "{\n  a,\n  ...\n}:\nc$0", "{\n  a,\n  c,\n  ...\n}:\nc");
        check(ID, "{\n  a,\n  b,\n}:\nc$0", "{\n  a,\n  b,\n  c,\n}:\nc");
        check(
            ID,
            "{ a\n, b\n, ...\n}:\nc$0",
            "{ a\n, b\n, c\n, ...\n}:\nc",
        );
        check(
            ID,
            "{\n  a, # the a\n  b,\n}:\nc$0",
            "{\n  a, # the a\n  b,\n  c,\n}:\nc",
        );
    }

    #[test]
    fn only_undefined_names_of_a_top_level_pattern() {
        check_not_offered(ID, "{ a, ... }: a$0");
        check_not_offered(ID, "{ a, ... }: map$0");
        check_not_offered(ID, "{ a, ... }: with a; b$0");
        check_not_offered(ID, "x: b$0");
        check_not_offered(ID, "let f = { a }: b$0; in f");
        check_not_offered(ID, "{ a }: { b$0 = 1; }");
        // The new parameter would take `b` from the `with` as well.
        check_not_offered(ID, "{ a }: [ b$0 (with a; b) ]");
    }
}
