//! Helpers on `rnix::ast` that lints share: static names, literal values, parentheses, precedence.

use rnix::ast::{self, BinOpKind, Expr, InterpolPart};
use rnix::{SyntaxKind, SyntaxNode};
use rowan::ast::AstNode;

/// The value of a string literal without interpolations, escapes resolved and indentation of `''`
/// strings stripped. `None` for a string with `${…}`.
pub fn string_value(string: &ast::Str) -> Option<String> {
    let mut value = String::new();
    for part in string.normalized_parts() {
        match part {
            InterpolPart::Literal(text) => value.push_str(&text),
            InterpolPart::Interpolation(_) => return None,
        }
    }
    Some(value)
}

/// The name an attribute stands for when it is static: `a`, `"a"` or `${"a"}`.
pub fn attr_name(attr: &ast::Attr) -> Option<String> {
    match attr {
        ast::Attr::Ident(ident) => ident_token(ident).map(|token| token.text().to_owned()),
        ast::Attr::Str(string) => string_value(string),
        ast::Attr::Dynamic(dynamic) => match dynamic.expr()? {
            Expr::Str(string) => string_value(&string),
            _ => None,
        },
    }
}

/// The token holding an identifier's name (`TOKEN_IDENT`, or the `or` keyword used as a name).
pub fn ident_token(ident: &ast::Ident) -> Option<rnix::SyntaxToken> {
    ident.syntax().first_token()
}

/// The static names of an attribute path (`a.b."c"`), or `None` if any part is dynamic.
pub fn attrpath_names(attrpath: &ast::Attrpath) -> Option<Vec<String>> {
    attrpath.attrs().map(|attr| attr_name(&attr)).collect()
}

/// Strips any number of parentheses around an expression.
pub fn unwrap_parens(mut expr: Expr) -> Expr {
    while let Expr::Paren(paren) = &expr {
        match paren.expr() {
            Some(inner) => expr = inner,
            None => break,
        }
    }
    expr
}

/// The dotted name of an identifier or of a select chain made only of static identifiers and
/// without `or`, such as `builtins.fetchTarball` or `lib.mkForce`.
pub fn dotted_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Ident(ident) => ident_token(ident).map(|token| token.text().to_owned()),
        Expr::Select(select) => {
            if select.or_token().is_some() {
                return None;
            }
            let mut name = dotted_name(&select.expr()?)?;
            for attr in select.attrpath()?.attrs() {
                match attr {
                    ast::Attr::Ident(ident) => {
                        name.push('.');
                        name.push_str(ident_token(&ident)?.text());
                    }
                    _ => return None,
                }
            }
            Some(name)
        }
        _ => None,
    }
}

/// Unrolls `f a b c` into `f` and `[a, b, c]`.
pub fn unroll_apply(apply: &ast::Apply) -> Option<(Expr, Vec<Expr>)> {
    let mut args = vec![apply.argument()?];
    let mut function = apply.lambda()?;
    while let Expr::Apply(inner) = &function {
        args.push(inner.argument()?);
        let next = inner.lambda()?;
        function = next;
    }
    args.reverse();
    Some((function, args))
}

/// Binding strength of an expression at its top, higher binds tighter. Follows the Nix manual's
/// operator table; expressions that extend as far right as possible (`if`, `let`, lambdas, `with`,
/// `assert`) are the weakest.
pub fn precedence(expr: &Expr) -> u8 {
    match expr {
        Expr::Select(_) => 15,
        Expr::Apply(_) => 14,
        Expr::UnaryOp(unary) => match unary.operator() {
            Some(ast::UnaryOpKind::Negate) => 13,
            _ => 8,
        },
        Expr::HasAttr(_) => 12,
        Expr::BinOp(binop) => match binop.operator() {
            Some(BinOpKind::Concat) => 11,
            Some(BinOpKind::Mul | BinOpKind::Div) => 10,
            Some(BinOpKind::Add | BinOpKind::Sub) => 9,
            Some(BinOpKind::Update) => 7,
            Some(BinOpKind::Less | BinOpKind::LessOrEq | BinOpKind::More | BinOpKind::MoreOrEq) => {
                6
            }
            Some(BinOpKind::Equal | BinOpKind::NotEqual) => 5,
            Some(BinOpKind::And) => 4,
            Some(BinOpKind::Or) => 3,
            Some(BinOpKind::Implication) => 2,
            Some(BinOpKind::PipeRight | BinOpKind::PipeLeft) => 1,
            None => 0,
        },
        Expr::IfElse(_)
        | Expr::LetIn(_)
        | Expr::Lambda(_)
        | Expr::With(_)
        | Expr::Assert(_)
        | Expr::Error(_)
        | Expr::Root(_) => 0,
        // Atoms: identifiers, literals, strings, paths, lists, sets, parentheses, `let {}`.
        _ => 16,
    }
}

/// Precedence of the logical negation `!`.
pub const NOT_PRECEDENCE: u8 = 8;

/// The text of `expr`, wrapped in parentheses when it binds looser than `min_precedence`.
pub fn text_with_parens(expr: &Expr, min_precedence: u8) -> String {
    let text = expr.syntax().to_string();
    if precedence(expr) < min_precedence {
        format!("({text})")
    } else {
        text
    }
}

/// Whether a node sits inside a `with` expression's body (names there may come from the `with`).
pub fn is_under_with(node: &SyntaxNode) -> bool {
    node.ancestors().skip(1).any(|ancestor| {
        ancestor.kind() == SyntaxKind::NODE_WITH
            && ast::With::cast(ancestor.clone())
                .and_then(|with| with.body())
                .is_some_and(|body| body.syntax().text_range().contains_range(node.text_range()))
    })
}

/// Whether `expr` is the identifier `name`, compared without allocating.
pub fn is_ident_named(expr: &Expr, name: &str) -> bool {
    matches!(expr, Expr::Ident(ident) if ident_token(ident).is_some_and(|token| token.text() == name))
}

/// Whether a comment token is inside `node` (fixes that would delete comments are withheld).
pub fn contains_comment(node: &SyntaxNode) -> bool {
    node.descendants_with_tokens()
        .any(|element| element.kind() == SyntaxKind::TOKEN_COMMENT)
}

/// Whether `token` is whitespace.
pub fn is_whitespace(token: &rnix::SyntaxToken) -> bool {
    token.kind() == SyntaxKind::TOKEN_WHITESPACE
}

/// Whether a token kind is whitespace or a comment, which the parser skips.
pub fn is_trivia(kind: SyntaxKind) -> bool {
    matches!(
        kind,
        SyntaxKind::TOKEN_WHITESPACE | SyntaxKind::TOKEN_COMMENT
    )
}

/// The tokens of a node that the parser reads: everything but whitespace and comments.
pub fn significant_tokens(node: &SyntaxNode) -> impl Iterator<Item = rnix::SyntaxToken> {
    node.descendants_with_tokens()
        .filter_map(|element| element.into_token())
        .filter(|token| !is_trivia(token.kind()))
}

/// Whether two nodes are the same code up to whitespace and comments: `pkgs.lib` and
/// `pkgs . lib` are, `pkgs.lib` and `(pkgs).lib` are not.
pub fn same_tokens(a: &SyntaxNode, b: &SyntaxNode) -> bool {
    let mut left = significant_tokens(a);
    let mut right = significant_tokens(b);
    loop {
        match (left.next(), right.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x.kind() == y.kind() && x.text() == y.text() => {}
            _ => return false,
        }
    }
}

/// The first token after `node` that is not whitespace or a comment.
pub fn next_significant_token(node: &SyntaxNode) -> Option<rnix::SyntaxToken> {
    let mut token = node.last_token()?.next_token();
    while let Some(current) = token {
        if !is_trivia(current.kind()) {
            return Some(current);
        }
        token = current.next_token();
    }
    None
}

/// The text to delete to remove one entry (`a = 1;` or `inherit a;`) of an attribute set or
/// `let`: the entry and the whitespace before it. `None` when a comment belongs to the entry (on
/// the line just above it, before it on its line, or after it on its line), since deleting the
/// entry would leave that comment describing something else.
pub fn entry_removal_range(entry: &SyntaxNode) -> Option<rnix::TextRange> {
    let mut start = entry.text_range().start();
    match entry.prev_sibling_or_token() {
        Some(rowan::NodeOrToken::Token(token)) if token.kind() == SyntaxKind::TOKEN_WHITESPACE => {
            let before = token.prev_sibling_or_token();
            let newlines = token.text().matches('\n').count();
            if before.is_some_and(|element| element.kind() == SyntaxKind::TOKEN_COMMENT)
                && newlines <= 1
            {
                return None;
            }
            start = token.text_range().start();
        }
        Some(rowan::NodeOrToken::Token(token)) if token.kind() == SyntaxKind::TOKEN_COMMENT => {
            return None;
        }
        _ => {}
    }
    let trailing_comment = match entry.next_sibling_or_token() {
        Some(rowan::NodeOrToken::Token(token)) if token.kind() == SyntaxKind::TOKEN_COMMENT => true,
        Some(rowan::NodeOrToken::Token(token))
            if token.kind() == SyntaxKind::TOKEN_WHITESPACE && !token.text().contains('\n') =>
        {
            token
                .next_sibling_or_token()
                .is_some_and(|element| element.kind() == SyntaxKind::TOKEN_COMMENT)
        }
        _ => false,
    };
    if trailing_comment {
        return None;
    }
    Some(rnix::TextRange::new(start, entry.text_range().end()))
}

/// Edits that remove the parentheses of `paren` and nothing else. A parenthesis is deleted when
/// its neighbours cannot run together into one token, and replaced by a space otherwise: `f(x)`
/// becomes `f x`, not `fx`, and `a-(1)` becomes `a- 1`, not the identifier `a-1`. Whether the
/// parentheses can go without changing how the code parses is the caller's question.
///
/// The decision holds when other parentheses are removed in the same round, as long as a
/// parenthesis directly inside another is not removed in the same round as the outer one: the
/// parentheses of other parenthesised expressions never count as separators, except a `)`
/// before a `(`, which either stays, becomes a space, or goes with a closing bracket before it.
pub fn unparenthesize_edits(paren: &ast::Paren) -> Option<Vec<crate::TextEdit>> {
    let open = paren.l_paren_token()?;
    let close = paren.r_paren_token()?;
    paren.expr()?;
    let removable = |token: &rnix::SyntaxToken| {
        token.parent().map(|node| node.kind()) == Some(SyntaxKind::NODE_PAREN)
    };
    let open_is_separated = match (open.prev_token(), open.next_token()) {
        (None, _) => true,
        (Some(before), Some(after)) => {
            let before_separates = match before.kind() {
                SyntaxKind::TOKEN_WHITESPACE
                | SyntaxKind::TOKEN_COMMENT
                | SyntaxKind::TOKEN_L_BRACK
                | SyntaxKind::TOKEN_INTERPOL_START
                | SyntaxKind::TOKEN_SEMICOLON
                | SyntaxKind::TOKEN_ASSIGN
                | SyntaxKind::TOKEN_R_PAREN
                | SyntaxKind::TOKEN_R_BRACK
                | SyntaxKind::TOKEN_R_BRACE => true,
                SyntaxKind::TOKEN_L_PAREN => !removable(&before),
                _ => false,
            };
            let after_separates = match after.kind() {
                SyntaxKind::TOKEN_WHITESPACE
                | SyntaxKind::TOKEN_L_BRACK
                | SyntaxKind::TOKEN_L_BRACE => true,
                SyntaxKind::TOKEN_L_PAREN => !removable(&after),
                SyntaxKind::TOKEN_STRING_START => after.text() == "\"",
                _ => false,
            };
            before_separates || after_separates
        }
        (Some(_), None) => false,
    };
    let close_is_separated = match (close.prev_token(), close.next_token()) {
        (_, None) => true,
        (Some(before), Some(after)) => {
            let after_separates = match after.kind() {
                SyntaxKind::TOKEN_WHITESPACE
                | SyntaxKind::TOKEN_R_BRACK
                | SyntaxKind::TOKEN_R_BRACE
                | SyntaxKind::TOKEN_INTERPOL_END
                | SyntaxKind::TOKEN_SEMICOLON => true,
                SyntaxKind::TOKEN_R_PAREN => !removable(&after),
                _ => false,
            };
            let before_separates = match before.kind() {
                SyntaxKind::TOKEN_WHITESPACE
                | SyntaxKind::TOKEN_R_PAREN
                | SyntaxKind::TOKEN_R_BRACK
                | SyntaxKind::TOKEN_R_BRACE => true,
                SyntaxKind::TOKEN_STRING_END => before.text() == "\"",
                _ => false,
            };
            before_separates || after_separates
        }
        (None, Some(_)) => false,
    };
    let edit = |token: &rnix::SyntaxToken, separated: bool| {
        crate::TextEdit::replace(token.text_range(), if separated { "" } else { " " })
    };
    Some(vec![
        edit(&open, open_is_separated),
        edit(&close, close_is_separated),
    ])
}

/// Top-level keys that make an attribute set a NixOS-style module rather than plain data.
pub const MODULE_KEYS: &[&str] = &[
    "_class",
    "_file",
    "config",
    "disabledModules",
    "freeformType",
    "imports",
    "meta",
    "options",
];

/// Whether an expression looks like a module: after any parentheses, function heads, `let` and
/// `with`, it is an attribute set that defines one of [`MODULE_KEYS`].
pub fn looks_like_module(expr: &Expr) -> bool {
    let mut current = expr.clone();
    // A bound keeps this loop finite on pathological nesting without recursion.
    for _ in 0..64 {
        current = match current {
            Expr::Paren(paren) => match paren.expr() {
                Some(inner) => inner,
                None => return false,
            },
            Expr::Lambda(lambda) => match lambda.body() {
                Some(body) => body,
                None => return false,
            },
            Expr::LetIn(let_in) => match let_in.body() {
                Some(body) => body,
                None => return false,
            },
            Expr::With(with) => match with.body() {
                Some(body) => body,
                None => return false,
            },
            Expr::AttrSet(set) => {
                use ast::HasEntry;
                return set.entries().any(|entry| match entry {
                    ast::Entry::AttrpathValue(value) => value
                        .attrpath()
                        .and_then(|path| path.attrs().next())
                        .and_then(|attr| attr_name(&attr))
                        .is_some_and(|name| MODULE_KEYS.contains(&name.as_str())),
                    ast::Entry::Inherit(inherit) => inherit.attrs().any(|attr| {
                        attr_name(&attr).is_some_and(|name| MODULE_KEYS.contains(&name.as_str()))
                    }),
                });
            }
            _ => return false,
        };
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    fn expr(text: &str) -> Expr {
        let root = ast::Root::cast(parse(text).root()).expect("root");
        root.expr().expect("expression")
    }

    #[test]
    fn dotted_names() {
        assert_eq!(
            dotted_name(&expr("builtins.fetchTarball")).as_deref(),
            Some("builtins.fetchTarball")
        );
        assert_eq!(dotted_name(&expr("lib.a or b")), None);
        assert_eq!(dotted_name(&expr("lib.${x}")), None);
        assert_eq!(dotted_name(&expr("x")).as_deref(), Some("x"));
    }

    #[test]
    fn string_values() {
        let Expr::Str(string) = expr("''\n  a\n  b\n''") else {
            panic!("a string")
        };
        assert_eq!(string_value(&string).as_deref(), Some("a\nb\n"));
        let Expr::Str(string) = expr(r#""a\"${b}""#) else {
            panic!("a string")
        };
        assert_eq!(string_value(&string), None);
    }

    #[test]
    fn parens_follow_precedence() {
        assert_eq!(
            text_with_parens(&expr("a || b"), NOT_PRECEDENCE),
            "(a || b)"
        );
        assert_eq!(text_with_parens(&expr("f a"), NOT_PRECEDENCE), "f a");
        assert_eq!(text_with_parens(&expr("a + b"), NOT_PRECEDENCE), "a + b");
        assert_eq!(
            text_with_parens(&expr("a // b"), NOT_PRECEDENCE),
            "(a // b)"
        );
    }

    #[test]
    fn apply_unrolls_in_argument_order() {
        let Expr::Apply(apply) = expr("f a b") else {
            panic!("an apply")
        };
        let (function, args) = unroll_apply(&apply).expect("unrolled");
        assert_eq!(function.syntax().to_string(), "f");
        let args: Vec<String> = args.iter().map(|arg| arg.syntax().to_string()).collect();
        assert_eq!(args, ["a", "b"]);
    }
}

#[cfg(test)]
mod structure_tests {
    use super::*;
    use crate::{apply_edits, parse};

    fn root_expr(text: &str) -> Expr {
        let root = ast::Root::cast(parse(text).root()).expect("root");
        root.expr().expect("expression")
    }

    fn first<N: AstNode<Language = rnix::NixLanguage>>(text: &str) -> N {
        parse(text)
            .root()
            .descendants()
            .find_map(N::cast)
            .expect("a node of that kind")
    }

    fn unparenthesized(text: &str) -> String {
        let paren: ast::Paren = first(text);
        let edits = unparenthesize_edits(&paren).expect("edits");
        apply_edits(text, &edits).expect("edits apply")
    }

    #[test]
    fn same_tokens_ignores_layout_only() {
        let a = root_expr("[ pkgs.lib ]");
        let b = root_expr("[ pkgs . /* c */ lib ]");
        let c = root_expr("[ (pkgs).lib ]");
        assert!(same_tokens(a.syntax(), b.syntax()));
        assert!(!same_tokens(a.syntax(), c.syntax()));
        assert!(!same_tokens(
            root_expr("a.b").syntax(),
            root_expr("a.b.c").syntax()
        ));
    }

    #[test]
    fn parentheses_come_off_without_gluing_tokens() {
        assert_eq!(unparenthesized("f (x)"), "f x");
        assert_eq!(unparenthesized("f(x)"), "f x");
        assert_eq!(unparenthesized("[(x)]"), "[x]");
        assert_eq!(unparenthesized("a-(1)"), "a- 1");
        assert_eq!(unparenthesized("x:(y)"), "x: y");
        assert_eq!(unparenthesized("(./a).b"), "./a .b");
        assert_eq!(unparenthesized("(x)/y"), "x /y");
        assert_eq!(unparenthesized("f(\"s\")"), "f\"s\"");
        assert_eq!(unparenthesized("f(''s'')"), "f ''s''");
        assert_eq!(unparenthesized("a.${(b)}"), "a.${b}");
        assert_eq!(unparenthesized("(x)"), "x");
        assert_eq!(unparenthesized("{ a=(x); }"), "{ a=x; }");
        assert_eq!(unparenthesized("let in(x)"), "let in x");
        // Parentheses of other parenthesised expressions may go in the same round.
        assert_eq!(unparenthesized("f((x))"), "f (x)");
        assert_eq!(unparenthesized("[(x)(y)]"), "[x (y)]");
        assert_eq!(unparenthesized("inherit ((x)) a;"), "inherit (x) a;");
    }

    #[test]
    fn entry_removal_keeps_comments_in_place() {
        let text = "{\n  a = 1;\n  b = 2;\n}";
        let entry: ast::AttrpathValue = first(text);
        let range = entry_removal_range(entry.syntax()).expect("removable");
        assert_eq!(&text[range], "\n  a = 1;");
        for text in [
            "{\n  # about a\n  a = 1;\n}",
            "{ a = 1; # about a\n}",
            "{ /* a */ a = 1; }",
        ] {
            let entry: ast::AttrpathValue = first(text);
            assert_eq!(entry_removal_range(entry.syntax()), None, "{text}");
        }
        let text = "{\n  # a section\n\n  a = 1;\n}";
        let entry: ast::AttrpathValue = first(text);
        assert!(entry_removal_range(entry.syntax()).is_some());
    }

    #[test]
    fn modules_are_recognised_through_heads_and_lets() {
        assert!(looks_like_module(&root_expr(
            "{ ... }: let x = 1; in { imports = [ ]; }"
        )));
        assert!(looks_like_module(&root_expr(
            "{ lib, ... }: with lib; { options.a = 1; }"
        )));
        assert!(!looks_like_module(&root_expr("{ ... }: { a = 1; }")));
        assert!(!looks_like_module(&root_expr("x: x")));
    }

    #[test]
    fn next_significant_token_skips_trivia() {
        // After parentheses, `or` is an argument, an identifier.
        let paren: ast::Paren = first("(a.b) /* c */ or b");
        let next = next_significant_token(paren.syntax()).expect("a token");
        assert_eq!(next.text(), "or");
        assert_eq!(next_significant_token(root_expr("a").syntax()), None);
    }
}
