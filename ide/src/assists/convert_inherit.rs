//! `x = x;` ⇄ `inherit x;` and `x = s.x;` ⇄ `inherit (s) x;`.
//!
//! In a `let` or `rec` set, `x = x;` names the binding itself while `inherit x;` looks past it,
//! so those two are converted only in plain attribute sets. `inherit (s) x;` evaluates `s` in the
//! same scope as `x = s.x;` does, so that pair converts everywhere.

use syntax::ast::{self, Expr};
use syntax::helpers::{attr_name, unwrap_parens};
use syntax::{AstNode, SyntaxKind, TextEdit};

use super::{Assist, AssistCtx};

/// Whether entries of the node holding them see each other: `let` and `rec` sets.
fn is_recursive(holder: &syntax::SyntaxNode) -> bool {
    match holder.kind() {
        SyntaxKind::NODE_LET_IN | SyntaxKind::NODE_LEGACY_LET => true,
        SyntaxKind::NODE_ATTR_SET => {
            ast::AttrSet::cast(holder.clone()).is_some_and(|set| set.rec_token().is_some())
        }
        _ => true,
    }
}

pub fn to_inherit(ctx: &AssistCtx<'_>, acc: &mut Vec<Assist>) {
    let Some(entry) = ctx
        .covering()
        .ancestors()
        .find_map(ast::AttrpathValue::cast)
    else {
        return;
    };
    let Some(holder) = entry.syntax().parent() else {
        return;
    };
    let Some(attrs) = entry
        .attrpath()
        .map(|path| path.attrs().collect::<Vec<_>>())
    else {
        return;
    };
    let [attr] = attrs.as_slice() else { return };
    let Some(name) = attr_name(attr) else { return };
    if !syntax::helpers::is_plain_ident(&name) || syntax::helpers::contains_comment(entry.syntax())
    {
        return;
    }
    let Some(value) = entry.value() else { return };
    let replacement = match unwrap_parens(value) {
        Expr::Ident(ident) if ident.syntax().text() == name.as_str() => {
            if is_recursive(&holder) {
                return;
            }
            format!("inherit {name};")
        }
        Expr::Select(select) if select.or_token().is_none() => {
            let Some(source) = select.expr() else { return };
            let Some(path) = select.attrpath() else {
                return;
            };
            let selected: Vec<ast::Attr> = path.attrs().collect();
            let Some(last) = selected.last() else { return };
            if attr_name(last).as_deref() != Some(name.as_str()) {
                return;
            }
            // `x = a.b.x;` inherits from `a.b`.
            let source_text = if selected.len() == 1 {
                source.syntax().to_string()
            } else {
                let from = source.syntax().text_range().start();
                let to = selected[selected.len() - 2].syntax().text_range().end();
                ctx.text[usize::from(from)..usize::from(to)].to_owned()
            };
            format!("inherit ({source_text}) {name};")
        }
        _ => return,
    };
    acc.push(Assist {
        id: "convert-to-inherit",
        title: "Convert to `inherit`".to_owned(),
        edits: vec![TextEdit::replace(entry.syntax().text_range(), replacement)],
    });
}

pub fn from_inherit(ctx: &AssistCtx<'_>, acc: &mut Vec<Assist>) {
    let Some(inherit) = ctx.covering().ancestors().find_map(ast::Inherit::cast) else {
        return;
    };
    let Some(holder) = inherit.syntax().parent() else {
        return;
    };
    if syntax::helpers::contains_comment(inherit.syntax()) {
        return;
    }
    let source = match inherit.from() {
        Some(from) => {
            let Some(expr) = from.expr() else { return };
            // The source becomes the base of a selection, which binds tightest.
            Some(syntax::helpers::text_with_parens(&expr, 16))
        }
        None if is_recursive(&holder) => return,
        None => None,
    };
    let mut entries = Vec::new();
    for attr in inherit.attrs() {
        let Some(name) = attr_name(&attr) else { return };
        let key = attr.syntax().to_string();
        match &source {
            Some(source) => entries.push(format!("{key} = {source}.{key};")),
            None => {
                if !syntax::helpers::is_plain_ident(&name) {
                    return;
                }
                entries.push(format!("{name} = {name};"));
            }
        }
    }
    if entries.is_empty() {
        return;
    }
    let start = usize::from(inherit.syntax().text_range().start());
    let line_start = ctx.text[..start].rfind('\n').map_or(0, |at| at + 1);
    // On a line of its own, each binding gets a line; else they stay on the inherit's line.
    let separator = match ctx.text[line_start..start].trim().is_empty() {
        true => format!("\n{}", &ctx.text[line_start..start]),
        false => " ".to_owned(),
    };
    acc.push(Assist {
        id: "convert-from-inherit",
        title: "Convert `inherit` to bindings".to_owned(),
        edits: vec![TextEdit::replace(
            inherit.syntax().text_range(),
            entries.join(&separator),
        )],
    });
}

#[cfg(test)]
mod tests {
    use crate::assists::tests::{check, check_not_offered};

    #[test]
    fn same_name_in_a_plain_set() {
        check(
            "convert-to-inherit",
            "{ x$0 = x; y = 1; }",
            "{ inherit x; y = 1; }",
        );
        check("convert-to-inherit", "{ x = (x$0); }", "{ inherit x; }");
        // In `let` and `rec`, `x = x;` is the binding itself, not the outer `x`.
        check_not_offered("convert-to-inherit", "let x$0 = x; in x");
        check_not_offered("convert-to-inherit", "rec { x$0 = x; }");
        check_not_offered("convert-to-inherit", "{ x$0 = y; }");
        check_not_offered("convert-to-inherit", "{ x.y$0 = x; }");
    }

    #[test]
    fn selection_of_the_same_name() {
        check("convert-to-inherit", "{ x$0 = s.x; }", "{ inherit (s) x; }");
        check(
            "convert-to-inherit",
            "let x$0 = pkgs.lib.x; in x",
            "let inherit (pkgs.lib) x; in x",
        );
        check(
            "convert-to-inherit",
            "rec { x = (f a).x$0; }",
            "rec { inherit ((f a)) x; }",
        );
        check_not_offered("convert-to-inherit", "{ x$0 = s.y; }");
        check_not_offered("convert-to-inherit", "{ x$0 = s.x or 1; }");
    }

    #[test]
    fn back_to_bindings() {
        check(
            "convert-from-inherit",
            "{ inherit$0 x y; }",
            "{ x = x; y = y; }",
        );
        check(
            "convert-from-inherit",
            "let inherit (s) a$0 b; in a",
            "let a = s.a; b = s.b; in a",
        );
        check(
            "convert-from-inherit",
            "{ inherit (f x) a$0; }",
            "{ a = (f x).a; }",
        );
        check(
            "convert-from-inherit",
            "{\n  inherit (s)$0 a b;\n}",
            "{\n  a = s.a;\n  b = s.b;\n}",
        );
        check_not_offered("convert-from-inherit", "let inherit$0 x; in x");
        check_not_offered("convert-from-inherit", "rec { inherit$0 x; }");
    }
}
