//! Quote an attribute name (`foo` → `"foo"`) or unquote it (`"foo"` → `foo`) where the name is an
//! identifier; a name such as `"foo bar"` stays quoted.

use syntax::ast;
use syntax::helpers::{is_plain_ident, quote_string, string_value};
use syntax::{AstNode, SyntaxKind, TextEdit};

use super::{Assist, AssistCtx};

/// Names that the parser reads as keywords or that `or` makes ambiguous.
const KEYWORDS: &[&str] = &[
    "assert", "else", "if", "in", "inherit", "let", "or", "rec", "then", "with",
];

pub fn quote_attr(ctx: &AssistCtx<'_>, acc: &mut Vec<Assist>) {
    let node = ctx.covering();
    let Some(attr) = node.ancestors().find_map(ast::Attr::cast) else {
        return;
    };
    let in_path = attr.syntax().parent().is_some_and(|parent| {
        matches!(
            parent.kind(),
            SyntaxKind::NODE_ATTRPATH | SyntaxKind::NODE_INHERIT
        )
    });
    if !in_path {
        return;
    }
    let range = attr.syntax().text_range();
    match &attr {
        ast::Attr::Ident(ident) => {
            let name = ident.syntax().text().to_string();
            acc.push(Assist {
                id: "quote-attribute",
                title: format!("Quote `{name}`"),
                edits: vec![TextEdit::replace(range, quote_string(&name))],
            });
        }
        ast::Attr::Str(string) => {
            let Some(value) = string_value(string) else {
                return;
            };
            if !is_plain_ident(&value) || KEYWORDS.contains(&value.as_str()) {
                return;
            }
            // `inherit "x";` is valid; so is `inherit x;`.
            acc.push(Assist {
                id: "unquote-attribute",
                title: format!("Unquote `{value}`"),
                edits: vec![TextEdit::replace(range, value)],
            });
        }
        ast::Attr::Dynamic(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::assists::tests::{check, check_not_offered};

    #[test]
    fn quote_and_unquote() {
        check("quote-attribute", "{ fo$0o = 1; }", "{ \"foo\" = 1; }");
        check("quote-attribute", "{ a.b$0 = 1; }", "{ a.\"b\" = 1; }");
        check("quote-attribute", "x.a$0", "x.\"a\"");
        check("unquote-attribute", "{ \"fo$0o\" = 1; }", "{ foo = 1; }");
        check(
            "unquote-attribute",
            "{ \"foo-bar'$0\" = 1; }",
            "{ foo-bar' = 1; }",
        );
        check(
            "unquote-attribute",
            "{ inherit \"a$0\"; }",
            "{ inherit a; }",
        );
        check_not_offered("unquote-attribute", "{ \"foo bar$0\" = 1; }");
        check_not_offered("unquote-attribute", "{ \"1a$0\" = 1; }");
        check_not_offered("unquote-attribute", "{ \"if$0\" = 1; }");
        check_not_offered("unquote-attribute", "{ \"a${b}$0\" = 1; }");
        check_not_offered("quote-attribute", "{ a = b$0; }");
    }
}
