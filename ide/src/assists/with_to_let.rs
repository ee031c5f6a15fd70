//! `with x; e` → `let inherit (x) a b; in e`, where `a` and `b` are the names of `e` that can
//! only come from this `with`.
//!
//! Lexical bindings win over `with` in Nix, and the scope analysis resolves them first, so the
//! names it gives to this `with` are exactly those that `e` looks up in `x`; naming them keeps
//! their meaning, and a name `x` lacks fails in both forms. Not offered when another `with` is
//! involved (inside `e`, a name may come from either; around this one, a name `x` lacks would have
//! come from the outer one), when the `let` would capture a name of `x` itself, or when no name
//! comes from this `with`.

use std::collections::BTreeSet;

use lints::scope::Resolution;
use syntax::ast;
use syntax::helpers::is_plain_ident;
use syntax::{AstNode, SyntaxKind, TextEdit, TextRange};

use super::{Assist, AssistCtx};

pub fn with_to_let(ctx: &AssistCtx<'_>, acc: &mut Vec<Assist>) {
    let Some(with) = ctx.covering().ancestors().find_map(ast::With::cast) else {
        return;
    };
    let (Some(namespace), Some(semicolon), Some(body)) =
        (with.namespace(), with.semicolon_token(), with.body())
    else {
        return;
    };
    let with_range = with.syntax().text_range();
    let head = TextRange::new(with_range.start(), semicolon.text_range().end());
    // Only the `with x;` part asks for this; in the body the cursor means the body's code.
    if !head.contains_range(ctx.range) {
        return;
    }
    let body_range = body.syntax().text_range();
    let enclosed = with.syntax().ancestors().skip(1).any(|ancestor| {
        ancestor.kind() == SyntaxKind::NODE_WITH
            && ast::With::cast(ancestor)
                .and_then(|outer| outer.body())
                .is_some_and(|outer| outer.syntax().text_range().contains_range(with_range))
    });
    if enclosed {
        return;
    }
    let scope = ctx.scope();
    let mut names = BTreeSet::new();
    for reference in scope.references() {
        if !body_range.contains_range(reference.range) {
            continue;
        }
        match reference.resolution {
            Resolution::With(range) if range == with_range => {
                let name = &ctx.text[reference.range];
                if !is_plain_ident(name) {
                    return;
                }
                names.insert(name);
            }
            // A nested `with`: its names may come from `x` as well.
            Resolution::With(_) => return,
            _ => {}
        }
    }
    if names.is_empty() {
        return;
    }
    let namespace_range = namespace.syntax().text_range();
    let captured = scope.references().iter().any(|reference| {
        namespace_range.contains_range(reference.range)
            && names.contains(&ctx.text[reference.range])
    });
    if captured {
        return;
    }
    let names: Vec<&str> = names.into_iter().collect();
    let replacement = format!(
        "let inherit ({}) {}; in",
        namespace.syntax(),
        names.join(" ")
    );
    acc.push(Assist {
        id: "with-to-let-inherit",
        title: "Convert `with` to `let inherit`".to_owned(),
        edits: vec![TextEdit::replace(head, replacement)],
    });
}

#[cfg(test)]
mod tests {
    use crate::assists::tests::{check, check_not_offered};

    const ID: &str = "with-to-let-inherit";

    #[test]
    fn names_from_the_with_are_inherited() {
        check(
            ID,
            "{ pkgs }: with$0 pkgs; [ hello git hello ]",
            "{ pkgs }: let inherit (pkgs) git hello; in [ hello git hello ]",
        );
        check(
            ID,
            "{ pkgs, lib }:\nwith pkgs.lib$0;\n{ x = mkIf true lib; y = map id [ ]; }",
            "{ pkgs, lib }:\nlet inherit (pkgs.lib) id mkIf; in\n{ x = mkIf true lib; y = map id [ ]; }",
        );
        // Names bound inside the body stay with their binding.
        check(
            ID,
            "s: with s;$0 let a = 1; in a + b + (c: c) 1",
            "s: let inherit (s) b; in let a = 1; in a + b + (c: c) 1",
        );
    }

    #[test]
    fn refusals() {
        // No name comes from the `with`.
        check_not_offered(ID, "{ pkgs, a }: with$0 pkgs; a");
        // Inside, `b` may come from either `with`.
        check_not_offered(ID, "x: y: with$0 x; [ a (with y; b) ]");
        // Around it, a name `y` lacks would come from `x`.
        check_not_offered(ID, "x: y: with x; with$0 y; a");
        // The `let` would take `s` of the namespace for itself.
        check_not_offered(ID, "with$0 s; s");
        // The cursor in the body means the body.
        check_not_offered(ID, "x: with x; a$0");
    }
}
