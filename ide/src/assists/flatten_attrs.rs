//! `a = { b = 1; c = 2; };` ⇄ `a.b = 1; a.c = 2;`.
//!
//! Nix merges the attribute paths of one set or `let` that share a prefix, so both forms build the
//! same value. The values keep their scope: an entry of a plain (not `rec`) inner set sees what
//! the enclosing set or `let` sees, as the flattened binding does. A `rec` inner set lets its
//! entries see each other, so it is not flattened; nor is an empty one, which would vanish.

use syntax::ast::{self, Expr, HasEntry};
use syntax::helpers::{
    attr_name, contains_comment, entry_removal_range, is_plain_ident, line_indent,
    text_with_parens, unwrap_parens,
};
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextEdit};

use super::{Assist, AssistCtx};

/// Whether `node` holds bindings whose attribute paths Nix merges: a set or a `let`.
fn is_holder(node: &SyntaxNode) -> bool {
    matches!(
        node.kind(),
        SyntaxKind::NODE_ATTR_SET | SyntaxKind::NODE_LET_IN
    )
}

/// The binding at the cursor, and the set or `let` that holds it.
fn binding_at(ctx: &AssistCtx<'_>) -> Option<(ast::AttrpathValue, SyntaxNode)> {
    let binding = ctx
        .covering()
        .ancestors()
        .filter_map(ast::AttrpathValue::cast)
        .find(|binding| binding.syntax().parent().as_ref().is_some_and(is_holder))?;
    // Inside the value, the cursor belongs to the value, not to this binding.
    if binding
        .value()
        .is_some_and(|value| value.syntax().text_range().contains_range(ctx.range))
        && !matches!(binding.value().map(unwrap_parens), Some(Expr::AttrSet(_)))
    {
        return None;
    }
    let holder = binding.syntax().parent()?;
    Some((binding, holder))
}

pub fn flatten(ctx: &AssistCtx<'_>, acc: &mut Vec<Assist>) {
    let Some((binding, _)) = binding_at(ctx) else {
        return;
    };
    let (Some(path), Some(Expr::AttrSet(inner))) =
        (binding.attrpath(), binding.value().map(unwrap_parens))
    else {
        return;
    };
    // With the cursor inside the inner set, only its own name or braces ask for this.
    if inner.syntax().text_range().contains_range(ctx.range)
        && inner
            .entries()
            .any(|entry| entry.syntax().text_range().contains_range(ctx.range))
    {
        return;
    }
    if inner.rec_token().is_some() || contains_comment(inner.syntax()) {
        return;
    }
    let prefix = path.syntax().to_string();
    let mut entries = Vec::new();
    for entry in inner.entries() {
        match entry {
            ast::Entry::AttrpathValue(entry) => {
                let (Some(path), Some(value)) = (entry.attrpath(), entry.value()) else {
                    return;
                };
                if path
                    .attrs()
                    .any(|attr| matches!(attr, ast::Attr::Dynamic(_)))
                {
                    return;
                }
                entries.push(format!("{prefix}.{path} = {value};"));
            }
            ast::Entry::Inherit(inherit) => {
                let source = match inherit.from() {
                    Some(from) => match from.expr() {
                        Some(expr) => Some(text_with_parens(&expr, 16)),
                        None => return,
                    },
                    None => None,
                };
                for attr in inherit.attrs() {
                    let Some(name) = attr_name(&attr) else { return };
                    let key = attr.syntax().to_string();
                    match &source {
                        Some(source) => entries.push(format!("{prefix}.{key} = {source}.{key};")),
                        // `inherit x;` reads `x` where the flattened binding's value is read.
                        None if is_plain_ident(&name) => {
                            entries.push(format!("{prefix}.{key} = {name};"));
                        }
                        None => return,
                    }
                }
            }
        }
    }
    if entries.is_empty() {
        return;
    }
    let start = usize::from(binding.syntax().text_range().start());
    let separator = if inner.syntax().to_string().contains('\n') {
        format!("\n{}", line_indent(ctx.text, start))
    } else {
        " ".to_owned()
    };
    acc.push(Assist {
        id: "flatten-attrset",
        title: format!("Flatten into `{prefix}.…` bindings"),
        edits: vec![TextEdit::replace(
            binding.syntax().text_range(),
            entries.join(&separator),
        )],
    });
}

pub fn pack(ctx: &AssistCtx<'_>, acc: &mut Vec<Assist>) {
    let Some((binding, holder)) = binding_at(ctx) else {
        return;
    };
    let Some(first) = binding.attrpath().and_then(|path| path.attrs().next()) else {
        return;
    };
    if matches!(first, ast::Attr::Dynamic(_)) {
        return;
    }
    let Some(name) = attr_name(&first) else {
        return;
    };
    // Every binding of the holder that starts with the same name.
    let mut members = Vec::new();
    for entry in holder.children() {
        if let Some(inherit) = ast::Inherit::cast(entry.clone()) {
            if inherit
                .attrs()
                .any(|attr| attr_name(&attr).as_deref() == Some(name.as_str()))
            {
                return;
            }
            continue;
        }
        let Some(other) = ast::AttrpathValue::cast(entry) else {
            continue;
        };
        let Some(path) = other.attrpath() else { return };
        let attrs: Vec<ast::Attr> = path.attrs().collect();
        let Some(head) = attrs.first() else { return };
        match attr_name(head) {
            Some(head) if head == name => {}
            Some(_) => continue,
            // A dynamic name might be this one.
            None => return,
        }
        // A plain `a = …;` is not a path to pack.
        let [_, second, ..] = attrs.as_slice() else {
            return;
        };
        let (Some(value), Some(last)) = (other.value(), attrs.last()) else {
            return;
        };
        let rest = &ctx.text[usize::from(second.syntax().text_range().start())
            ..usize::from(last.syntax().text_range().end())];
        members.push((other.syntax().clone(), format!("{rest} = {value};")));
    }
    let Some((first_member, _)) = members.first() else {
        return;
    };
    let mut edits = Vec::new();
    for (member, _) in &members[1..] {
        let Some(range) = entry_removal_range(member) else {
            return;
        };
        edits.push(TextEdit::delete(range));
    }
    let start = usize::from(first_member.text_range().start());
    let multiline = ctx.text[..start]
        .rfind(|c: char| !c.is_whitespace())
        .is_some_and(|before| ctx.text[before..start].contains('\n'));
    let inner: Vec<&str> = members.iter().map(|(_, text)| text.as_str()).collect();
    let head = first.syntax().to_string();
    let replacement = if multiline {
        let indent = line_indent(ctx.text, start);
        let body = inner
            .iter()
            .map(|entry| format!("\n{indent}  {entry}"))
            .collect::<String>();
        format!("{head} = {{{body}\n{indent}}};")
    } else {
        format!("{head} = {{ {} }};", inner.join(" "))
    };
    edits.push(TextEdit::replace(first_member.text_range(), replacement));
    acc.push(Assist {
        id: "pack-attrpaths",
        title: format!("Pack `{head}.…` bindings into a set"),
        edits,
    });
}

#[cfg(test)]
mod tests {
    use crate::assists::tests::{check, check_not_offered};

    const FLATTEN: &str = "flatten-attrset";
    const PACK: &str = "pack-attrpaths";

    #[test]
    fn flatten_a_nested_set() {
        check(
            FLATTEN,
            "{ a$0 = { b = 1; c.d = 2; }; }",
            "{ a.b = 1; a.c.d = 2; }",
        );
        check(
            FLATTEN,
            "{\n  x.a$0 = {\n    b = 1;\n    c = 2;\n  };\n  y = 3;\n}",
            "{\n  x.a.b = 1;\n  x.a.c = 2;\n  y = 3;\n}",
        );
        check(
            FLATTEN,
            "let a = {$0 inherit b; inherit (s) c d; }; b = 1; in a",
            "let a.b = b; a.c = s.c; a.d = s.d; b = 1; in a",
        );
        check(
            FLATTEN,
            "rec { a$0 = ({ b = c; }); c = 1; }",
            "rec { a.b = c; c = 1; }",
        );
        check(
            FLATTEN,
            "{ a$0 = { inherit (f x) b; }; }",
            "{ a.b = (f x).b; }",
        );
    }

    #[test]
    fn flatten_refusals() {
        // In a `rec` set the entries see each other; flattened they would not.
        check_not_offered(FLATTEN, "{ a$0 = rec { b = 1; c = b; }; }");
        check_not_offered(FLATTEN, "{ a$0 = { }; }");
        check_not_offered(FLATTEN, "{ a$0 = { ${k} = 1; }; }");
        check_not_offered(FLATTEN, "{ a$0 = { b = 1; # why\n }; }");
        check_not_offered(FLATTEN, "{ a$0 = f { b = 1; }; }");
        check_not_offered(FLATTEN, "{ a = { b = 1$0; }; }");
        check_not_offered(FLATTEN, "f { a$0 = 1; }");
    }

    #[test]
    fn pack_paths_into_a_set() {
        check(
            PACK,
            "{ a.b$0 = 1; x = 0; a.c.d = 2; }",
            "{ a = { b = 1; c.d = 2; }; x = 0; }",
        );
        check(
            PACK,
            "{\n  x = 0;\n  a.b$0 = 1;\n  a.\"c\" = 2;\n}",
            "{\n  x = 0;\n  a = {\n    b = 1;\n    \"c\" = 2;\n  };\n}",
        );
        check(PACK, "let a.b$0 = 1; in a", "let a = { b = 1; }; in a");
        check(
            PACK,
            "{\n  # the b\n  a.b$0 = 1;\n  a.c = 2;\n}",
            "{\n  # the b\n  a = {\n    b = 1;\n    c = 2;\n  };\n}",
        );
    }

    #[test]
    fn pack_refusals() {
        check_not_offered(PACK, "{ a$0 = { b = 1; }; a.c = 2; }");
        check_not_offered(PACK, "{ a.b$0 = 1; inherit a; }");
        check_not_offered(PACK, "{ a.b$0 = 1; ${k}.c = 2; }");
        check_not_offered(PACK, "{ a.b$0 = 1;\n  # the c\n  a.c = 2; }");
        check_not_offered(PACK, "{ a$0 = 1; }");
    }
}
