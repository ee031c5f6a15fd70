//! Helpers on `rnix::ast` that lints share: static names, literal values, parentheses, precedence.

use rustc_hash::FxHashSet;

use rnix::ast::{self, BinOpKind, Expr, InterpolPart};
use rnix::{SyntaxKind, SyntaxNode};
use rowan::ast::AstNode;
use rowan::TextRange;

use crate::green::{kind as green_kind, GreenNodeAt};

/// The value of a string literal without interpolations, escapes resolved and indentation of `''`
/// strings stripped. `None` for a string with `${…}`.
pub fn string_value(string: &ast::Str) -> Option<String> {
    if !is_well_formed_string(string) {
        return None;
    }
    let mut value = String::new();
    for part in string.normalized_parts() {
        match part {
            InterpolPart::Literal(text) => value.push_str(&text),
            InterpolPart::Interpolation(_) => return None,
        }
    }
    Some(value)
}

/// Whether a string node holds only quotes, content and interpolations. rnix's `Str::parts`
/// asserts this and panics on the error tokens of an unterminated string, so every reader of
/// string parts checks it first.
pub fn is_well_formed_string(string: &ast::Str) -> bool {
    string.syntax().children_with_tokens().all(|child| {
        matches!(
            child.kind(),
            SyntaxKind::TOKEN_STRING_START
                | SyntaxKind::TOKEN_STRING_END
                | SyntaxKind::TOKEN_STRING_CONTENT
                | SyntaxKind::NODE_INTERPOL
        )
    })
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

/// The child nodes of a node of the green tree, without its tokens.
fn green_child_nodes(node: &rowan::GreenNodeData) -> impl Iterator<Item = &rowan::GreenNodeData> {
    node.children().filter_map(|child| match child {
        rowan::NodeOrToken::Node(node) => Some(node),
        rowan::NodeOrToken::Token(_) => None,
    })
}

/// The children of a node in the green tree, nodes and tokens, each with its range in the text.
pub(crate) fn green_children(
    node: &SyntaxNode,
) -> impl Iterator<Item = (crate::green::GreenElement<'_>, TextRange)> + '_ {
    crate::green::children(node.green(), node.text_range().start())
}

/// The kinds and ranges of a node's child nodes, without its tokens, read from the green tree: a
/// set of thousands of entries is listed without building a node for each.
pub fn child_nodes(node: &SyntaxNode) -> impl Iterator<Item = (SyntaxKind, TextRange)> + '_ {
    green_children(node)
        .filter_map(|(child, range)| child.as_node().map(|node| (green_kind(node), range)))
}

/// The child nodes of `node` of kind `kind`; when `kind` is `NODE_ATTRPATH_VALUE`, only those whose
/// value is of kind `value` as [`value_kind`] tells, when given. Read from the green tree, so that
/// a node is built only for each child found.
pub fn child_nodes_of_kind(
    node: &SyntaxNode,
    kind: SyntaxKind,
    value: Option<SyntaxKind>,
) -> impl Iterator<Item = SyntaxNode> + '_ {
    green_children(node).filter_map(move |(child, range)| {
        let green = child.as_node()?;
        if green_kind(green) != kind {
            return None;
        }
        if value.is_some_and(|value| green_value_kind(green) != Some(value)) {
            return None;
        }
        node.child_or_token_at_range(range)?
            .into_node()
            .filter(|child| child.text_range() == range && child.kind() == kind)
    })
}

/// The kind of the value of `name = value;` (a `NODE_ATTRPATH_VALUE`), as
/// [`ast::AttrpathValue::value`] finds it, read from the green tree: a lint that looks for one
/// kind of value passes over the others without building their nodes.
pub fn value_kind(attrpath_value: &SyntaxNode) -> Option<SyntaxKind> {
    green_value_kind(attrpath_value.green())
}

/// [`value_kind`] of a node of the green tree.
fn green_value_kind(attrpath_value: &rowan::GreenNodeData) -> Option<SyntaxKind> {
    green_child_nodes(attrpath_value)
        .map(green_kind)
        .find(|kind| Expr::can_cast(*kind))
}

/// Whether two entries of a set, `let` or `let { }` may begin with the same name (the `a` of
/// `a = 1;`, `a.b = 1;` and `inherit a;`), read from the green tree: a large set is read without
/// building a node for each entry. A name written as a string or `${…}` counts as one that may
/// repeat, since telling needs its value. When no name repeats, no name is defined twice and no
/// key starts two attribute paths.
pub fn first_names_may_repeat(node: &SyntaxNode) -> bool {
    let is_attr = |attr: &&rowan::GreenNodeData| ast::Attr::can_cast(green_kind(attr));
    /// The name of an attribute written as an identifier; `None` for a string or `${…}`.
    fn ident_name(attr: &rowan::GreenNodeData) -> Option<&str> {
        if green_kind(attr) != SyntaxKind::NODE_IDENT {
            return None;
        }
        attr.children().find_map(|child| match child {
            rowan::NodeOrToken::Token(token) => Some(token.text()),
            rowan::NodeOrToken::Node(_) => None,
        })
    }
    // The names are short and many: hashed as rowan hashes its own.
    let mut seen: FxHashSet<&str> =
        FxHashSet::with_capacity_and_hasher(node.green().children().len(), Default::default());
    for entry in green_child_nodes(node.green()) {
        // As `AttrpathValue::attrpath`, `Attrpath::attrs` and `Inherit::attrs` read them.
        let (path_first, inherited) = match green_kind(entry) {
            SyntaxKind::NODE_ATTRPATH_VALUE => {
                let first = green_child_nodes(entry)
                    .next()
                    .filter(|path| green_kind(path) == SyntaxKind::NODE_ATTRPATH)
                    .and_then(|path| green_child_nodes(path).find(is_attr));
                (first, None)
            }
            SyntaxKind::NODE_INHERIT => (None, Some(green_child_nodes(entry).filter(is_attr))),
            _ => continue,
        };
        let mut firsts = path_first
            .into_iter()
            .chain(inherited.into_iter().flatten());
        if firsts.any(|attr| !ident_name(attr).is_some_and(|name| seen.insert(name))) {
            return true;
        }
    }
    false
}

/// The `rec` keyword of a set, if it has one. rnix's `AttrSet::rec_token` looks through every
/// child of the set, which made lints that ask once per entry quadratic in the size of the set;
/// `rec` can only be the set's first token.
pub fn rec_token(set: &ast::AttrSet) -> Option<rnix::SyntaxToken> {
    set.syntax()
        .first_token()
        .filter(|token| token.kind() == SyntaxKind::TOKEN_REC)
}

/// The token holding an identifier's name (`TOKEN_IDENT`, or the `or` keyword used as a name).
pub fn ident_token(ident: &ast::Ident) -> Option<rnix::SyntaxToken> {
    ident.syntax().first_token()
}

/// The static names of an attribute path (`a.b."c"`), or `None` if any part is dynamic.
pub fn attrpath_names(attrpath: &ast::Attrpath) -> Option<Vec<String>> {
    attrpath.attrs().map(|attr| attr_name(&attr)).collect()
}

/// The `(e)` of `inherit (e) a b;`. It can only come first, so only the first child node is read:
/// rnix's `Inherit::from` looks through every child, which made reading it once for each name of
/// a long `inherit` quadratic.
pub fn inherit_from(inherit: &ast::Inherit) -> Option<ast::InheritFrom> {
    inherit
        .syntax()
        .children()
        .find(|child| child.kind() != SyntaxKind::NODE_ERROR)
        .and_then(ast::InheritFrom::cast)
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
    // Every call and select of a file may be named here: read the green tree.
    let node = expr.syntax();
    let mut name = String::new();
    green_dotted_name(
        GreenNodeAt::of(node.green(), node.text_range().start()),
        &mut name,
    )?;
    Some(name)
}

/// Appends the [`dotted_name`] of `node` to `name`.
fn green_dotted_name(node: GreenNodeAt<'_>, name: &mut String) -> Option<()> {
    match node.kind {
        SyntaxKind::NODE_IDENT => name.push_str(node.first_token()?.text()),
        SyntaxKind::NODE_SELECT => {
            let is_or = |(token, _): (&rowan::GreenTokenData, _)| {
                crate::green::token_kind(token) == SyntaxKind::TOKEN_OR
            };
            if node.child_tokens().any(is_or) {
                return None;
            }
            let base = node
                .child_nodes()
                .find(|child| Expr::can_cast(child.kind))?;
            green_dotted_name(base, name)?;
            for attr in node.child_of_kind(SyntaxKind::NODE_ATTRPATH)?.attrs() {
                if attr.kind != SyntaxKind::NODE_IDENT {
                    return None;
                }
                name.push('.');
                name.push_str(attr.first_token()?.text());
            }
        }
        _ => return None,
    }
    Some(())
}

/// The token of the last component of an expression's dotted name (`fetchurl` in
/// `pkgs.fetchurl`), read without building the name: when [`dotted_name`] is `Some`, it ends
/// with this token's text. A cheap test before building the whole name.
pub fn last_name_token(expr: &Expr) -> Option<rnix::SyntaxToken> {
    match expr {
        Expr::Ident(ident) => ident_token(ident),
        Expr::Select(select) => match select
            .attrpath()?
            .syntax()
            .last_child()
            .map(ast::Attr::cast)?
        {
            Some(ast::Attr::Ident(ident)) => ident_token(&ident),
            _ => None,
        },
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

/// The Nix source of a double-quoted string whose value is `value`: `"`, `\\` and `${` are escaped.
pub fn quote_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The words Nix reserves, which cannot be used as bare identifiers.
pub const KEYWORDS: &[&str] = &[
    "assert", "else", "if", "in", "inherit", "let", "or", "rec", "then", "with",
];

/// Whether `name` can be written as a bare identifier: `[A-Za-z_][A-Za-z0-9_'-]*` and no keyword.
/// (`or` is accepted by Nix in some positions, but never safely everywhere.)
pub fn is_plain_ident(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '\'' | '-'))
        && !KEYWORDS.contains(&name)
}

/// Whether `node` is an identifier used as an expression, not as the name of an attribute, a
/// parameter or an inherited binding.
pub fn is_ident_expr(node: &SyntaxNode) -> bool {
    if node.kind() != SyntaxKind::NODE_IDENT {
        return false;
    }
    let Some(parent) = node.parent() else {
        return false;
    };
    match parent.kind() {
        SyntaxKind::NODE_ATTRPATH
        | SyntaxKind::NODE_INHERIT
        | SyntaxKind::NODE_IDENT_PARAM
        | SyntaxKind::NODE_PAT_BIND => false,
        // A pattern entry's first child is its name; a later one is its default.
        SyntaxKind::NODE_PAT_ENTRY => {
            ast::PatEntry::cast(parent)
                .and_then(|entry| entry.ident())
                .map(|ident| ident.syntax().clone())
                != Some(node.clone())
        }
        _ => true,
    }
}

/// Whether an enclosing `let`, `rec { }` or function parameter binds `name` where `node` is. A
/// `with` is not counted: what it brings into scope is unknowable without evaluation.
pub fn is_bound_by_ancestor(node: &SyntaxNode, name: &str) -> bool {
    node.ancestors()
        .skip(1)
        .any(|ancestor| match ancestor.kind() {
            SyntaxKind::NODE_LET_IN => {
                ast::LetIn::cast(ancestor).is_some_and(|let_in| entries_bind(&let_in, name))
            }
            SyntaxKind::NODE_ATTR_SET => ast::AttrSet::cast(ancestor)
                .is_some_and(|set| rec_token(&set).is_some() && entries_bind(&set, name)),
            SyntaxKind::NODE_LAMBDA => {
                let Some(param) = ast::Lambda::cast(ancestor).and_then(|lambda| lambda.param())
                else {
                    return false;
                };
                match param {
                    ast::Param::IdentParam(param) => param
                        .ident()
                        .is_some_and(|ident| is_ident_named(&Expr::Ident(ident), name)),
                    ast::Param::Pattern(pattern) => {
                        pattern
                            .pat_bind()
                            .and_then(|bind| bind.ident())
                            .is_some_and(|ident| is_ident_named(&Expr::Ident(ident), name))
                            || pattern.pat_entries().any(|entry| {
                                entry
                                    .ident()
                                    .is_some_and(|ident| is_ident_named(&Expr::Ident(ident), name))
                            })
                    }
                }
            }
            _ => false,
        })
}

/// Whether the bindings of a `let` or `rec { }` define `name` (first attrpath component or inherit).
fn entries_bind(entries: &impl ast::HasEntry, name: &str) -> bool {
    entries.entries().any(|entry| match entry {
        ast::Entry::AttrpathValue(binding) => binding
            .attrpath()
            .and_then(|attrpath| attrpath.attrs().next())
            .and_then(|attr| attr_name(&attr))
            .is_some_and(|first| first == name),
        ast::Entry::Inherit(inherit) => inherit
            .attrs()
            .any(|attr| attr_name(&attr).is_some_and(|attr| attr == name)),
    })
}

/// The indentation (spaces and tabs) at the start of the line that holds `offset`.
pub fn line_indent(text: &str, offset: usize) -> &str {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |newline| newline + 1);
    let rest = &text[start..];
    let end = rest
        .find(|c: char| c != ' ' && c != '\t')
        .unwrap_or(rest.len());
    &rest[..end]
}

/// The range that removes a binding (or any node) cleanly: with its whole line when nothing else
/// is on it, otherwise with the whitespace before it.
pub fn removal_range(node: &SyntaxNode) -> rowan::TextRange {
    let range = node.text_range();
    let before = node
        .prev_sibling_or_token()
        .and_then(|element| element.into_token())
        .filter(is_whitespace);
    let after = node
        .next_sibling_or_token()
        .and_then(|element| element.into_token())
        .filter(is_whitespace);
    match (&before, &after) {
        (Some(before), Some(after))
            if before.text().contains('\n') && after.text().contains('\n') =>
        {
            let line_start = before.text_range().start()
                + rowan::TextSize::of(
                    &before.text()[..before.text().rfind('\n').map_or(0, |i| i + 1)],
                );
            let line_end = after.text_range().start()
                + rowan::TextSize::of(
                    &after.text()[..after.text().find('\n').map_or(0, |i| i + 1)],
                );
            rowan::TextRange::new(line_start, line_end)
        }
        (Some(before), _) => rowan::TextRange::new(before.text_range().start(), range.end()),
        _ => range,
    }
}

/// The range that removes an entry of a pattern (`{ a, b, c }`) with one of its commas.
pub fn pattern_entry_removal_range(entry: &SyntaxNode) -> rowan::TextRange {
    let range = entry.text_range();
    let mut next = entry.next_sibling_or_token();
    while let Some(element) = &next {
        if element.kind() == SyntaxKind::TOKEN_WHITESPACE {
            next = element.next_sibling_or_token();
        } else {
            break;
        }
    }
    if let Some(comma) = next.filter(|element| element.kind() == SyntaxKind::TOKEN_COMMA) {
        let mut end = comma.text_range().end();
        if let Some(space) = comma
            .next_sibling_or_token()
            .filter(|element| element.kind() == SyntaxKind::TOKEN_WHITESPACE)
        {
            end = space.text_range().end();
        }
        return rowan::TextRange::new(range.start(), end);
    }
    let mut previous = entry.prev_sibling_or_token();
    while let Some(element) = &previous {
        if element.kind() == SyntaxKind::TOKEN_WHITESPACE {
            previous = element.prev_sibling_or_token();
        } else {
            break;
        }
    }
    match previous.filter(|element| element.kind() == SyntaxKind::TOKEN_COMMA) {
        Some(comma) => rowan::TextRange::new(comma.text_range().start(), range.end()),
        None => range,
    }
}

/// The text to insert, and where, to add `binding` (`a = 1;`) as the last entry of `set`: on a
/// line of its own, indented like the other entries, when the set spans lines.
pub fn append_entry(
    text: &str,
    set: &ast::AttrSet,
    binding: &str,
) -> Option<(rowan::TextSize, String)> {
    let node = set.syntax();
    let last = ast::HasEntry::entries(set).last();
    let close = set.r_curly_token()?;
    match last {
        Some(last) => {
            let end = last.syntax().text_range().end();
            let between = &text[usize::from(end)..usize::from(close.text_range().start())];
            if between.contains('\n') {
                let indent = line_indent(text, usize::from(last.syntax().text_range().start()));
                Some((end, format!("\n{indent}{binding}")))
            } else {
                Some((end, format!(" {binding}")))
            }
        }
        None => {
            let open = set.l_curly_token()?;
            let inside = &text
                [usize::from(open.text_range().end())..usize::from(close.text_range().start())];
            if inside.contains('\n') {
                let indent = line_indent(text, usize::from(node.text_range().start()));
                Some((open.text_range().end(), format!("\n{indent}  {binding}")))
            } else {
                Some((open.text_range().end(), format!(" {binding}")))
            }
        }
    }
}

/// The text to insert, and where, to add `binding` as the first entry of `set`.
pub fn prepend_entry(
    text: &str,
    set: &ast::AttrSet,
    binding: &str,
) -> Option<(rowan::TextSize, String)> {
    let open = set.l_curly_token()?;
    let first = ast::HasEntry::entries(set).next();
    let after_open = open.text_range().end();
    match first {
        Some(first) => {
            let start = first.syntax().text_range().start();
            let between = &text[usize::from(after_open)..usize::from(start)];
            if between.contains('\n') {
                let indent = line_indent(text, usize::from(start));
                Some((start, format!("{binding}\n{indent}")))
            } else {
                Some((start, format!("{binding} ")))
            }
        }
        None => append_entry(text, set, binding),
    }
}

/// The node of `kind` whose range is exactly `range`, found from the element covering it.
pub fn node_at(root: &SyntaxNode, range: rowan::TextRange, kind: SyntaxKind) -> Option<SyntaxNode> {
    if usize::from(range.end()) > usize::from(root.text_range().end()) {
        return None;
    }
    let start = match root.covering_element(range) {
        rowan::NodeOrToken::Node(node) => node,
        rowan::NodeOrToken::Token(token) => token.parent()?,
    };
    start
        .ancestors()
        .take_while(|node| node.text_range().contains_range(range))
        .find(|node| node.kind() == kind && node.text_range() == range)
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
    #[test]
    fn child_nodes_from_the_green_tree_are_the_tree_children() {
        use rnix::SyntaxKind;
        let text = "{ a = 1; # c\n  inherit b; \"c\".d = x: x; ${e} = [ ]; f = ; }";
        let root = crate::parse(text).root();
        for node in root.descendants() {
            let tree: Vec<_> = node
                .children()
                .map(|child| (child.kind(), child.text_range()))
                .collect();
            assert_eq!(super::child_nodes(&node).collect::<Vec<_>>(), tree);
            for (kind, value) in [
                (SyntaxKind::NODE_INHERIT, None),
                (SyntaxKind::NODE_ATTRPATH_VALUE, None),
                (
                    SyntaxKind::NODE_ATTRPATH_VALUE,
                    Some(SyntaxKind::NODE_LAMBDA),
                ),
                (
                    SyntaxKind::NODE_ATTRPATH_VALUE,
                    Some(SyntaxKind::NODE_LITERAL),
                ),
            ] {
                let tree: Vec<_> = node
                    .children()
                    .filter(|child| child.kind() == kind)
                    .filter(|child| value.is_none() || super::value_kind(child) == value)
                    .collect();
                let green: Vec<_> = super::child_nodes_of_kind(&node, kind, value).collect();
                assert_eq!(green, tree);
            }
        }
    }

    #[test]
    fn rec_token_looks_before_the_brace_only() {
        for (text, expected) in [
            ("rec { a = 1; }", true),
            ("rec /* c */ { a = rec { }; }", true),
            ("{ a = rec { b = 1; }; }", false),
            ("{ }", false),
        ] {
            let root = crate::parse(text).root();
            let set = root
                .descendants()
                .find_map(ast::AttrSet::cast)
                .expect("a set");
            assert_eq!(rec_token(&set).is_some(), expected, "{text}");
        }
    }

    use super::*;
    use crate::parse;

    fn expr(text: &str) -> Expr {
        let root = ast::Root::cast(parse(text).root()).expect("root");
        root.expr().expect("expression")
    }

    #[test]
    fn inherit_from_agrees_with_rnix() {
        for text in [
            "{ inherit (s) a b; }",
            "{ inherit a b; }",
            "{ inherit (s.t) a; }",
            "{ inherit; }",
            "{ inherit (s); }",
            "{ inherit ? (s) a; }",
            "{ inherit a (s) b; }",
            "{ inherit (s a; }",
        ] {
            let root = parse(text).root();
            for inherit in root.descendants().filter_map(ast::Inherit::cast) {
                assert_eq!(
                    inherit_from(&inherit).map(|from| from.syntax().text_range()),
                    inherit.from().map(|from| from.syntax().text_range()),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn last_name_tokens_end_dotted_names() {
        for text in [
            "a",
            "a.b.c",
            "builtins.toPath",
            "a.\"b\"",
            "a.${b}",
            "(a).b",
            "f x",
            "a.b or c",
        ] {
            let expr = expr(text);
            let last = last_name_token(&expr).map(|token| token.text().to_owned());
            if let Some(name) = dotted_name(&expr) {
                assert_eq!(name.rsplit('.').next(), last.as_deref(), "{text}");
            }
        }
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
        assert_eq!(
            dotted_name(&expr("pkgs.lib.mkForce")).as_deref(),
            Some("pkgs.lib.mkForce")
        );
        assert_eq!(dotted_name(&expr("a.\"b\"")), None);
        assert_eq!(dotted_name(&expr("(a).b")), None);
        assert_eq!(dotted_name(&expr("(a.b or c).d")), None);
        assert_eq!(dotted_name(&expr("f a")), None);
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

    /// rnix asserts on the error tokens of an unterminated string; reading it must not panic.
    #[test]
    fn unterminated_strings_have_no_value() {
        let mut malformed = 0;
        for text in ["\"abc", "{ \"a", "''abc", "x.\"a", "\"${"] {
            let root = crate::parse(text).root();
            for node in root.descendants() {
                if let Some(string) = ast::Str::cast(node.clone()) {
                    malformed += usize::from(!is_well_formed_string(&string));
                    let _ = string_value(&string);
                }
                if let Some(attr) = ast::Attr::cast(node) {
                    let _ = attr_name(&attr);
                }
            }
        }
        assert!(malformed > 0, "the texts no longer give malformed strings");
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

    #[test]
    fn quoted_strings_escape_what_nix_would_read() {
        assert_eq!(quote_string("http://a.b/c"), r#""http://a.b/c""#);
        assert_eq!(quote_string(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(quote_string("${x}$y$"), r#""\${x}$y$""#);
        assert_eq!(quote_string("a\nb"), r#""a\nb""#);
        for value in ["${x}", "$${x}", "a\"b", "\\${", "$", "$$", "a\tb"] {
            let Expr::Str(string) = expr(&quote_string(value)) else {
                panic!("a string")
            };
            assert_eq!(string_value(&string).as_deref(), Some(value), "{value}");
        }
    }

    #[test]
    fn plain_identifiers() {
        assert!(is_plain_ident("nixpkgs"));
        assert!(is_plain_ident("flake-utils"));
        assert!(is_plain_ident("_x'"));
        assert!(!is_plain_ident("1x"));
        assert!(!is_plain_ident("-x"));
        assert!(!is_plain_ident("a.b"));
        assert!(!is_plain_ident("rec"));
        assert!(!is_plain_ident(""));
    }

    fn idents_named(root: &SyntaxNode, name: &str) -> Vec<SyntaxNode> {
        root.descendants()
            .filter(|node| node.kind() == SyntaxKind::NODE_IDENT && node.text() == name)
            .collect()
    }

    #[test]
    fn identifier_expressions() {
        let root = parse("{ x ? x, ... }@x: { x = x.x; inherit x; inherit (x) y; }").root();
        let uses: Vec<bool> = idents_named(&root, "x").iter().map(is_ident_expr).collect();
        // Entry name, default, `@x`, key, select base, select attr, inherit, inherit source.
        assert_eq!(uses, [false, true, false, false, true, false, false, true]);
    }

    #[test]
    fn bindings_of_enclosing_scopes() {
        let bound = |text: &str| {
            let root = parse(text).root();
            let target = idents_named(&root, "target")
                .pop()
                .expect("a `target` ident");
            is_bound_by_ancestor(&target, "v")
        };
        assert!(bound("let v = 1; in target"));
        assert!(bound("let inherit (a) v; in target"));
        assert!(bound("let v.w = 1; x = target; in x"));
        assert!(bound("rec { v = 1; x = target; }"));
        assert!(bound("v: target"));
        assert!(bound("{ v ? 1 }: target"));
        assert!(bound("{ ... }@v: target"));
        assert!(bound("{ a ? target, v }: a"));
        assert!(!bound("{ v = 1; x = target; }"));
        assert!(!bound("with { v = 1; }; target"));
        assert!(!bound("let w = 1; in target"));
        assert!(!bound("[ (v: v) target ]"));
    }
}

/// Whether two nodes hold the same tokens, ignoring whitespace and comments: `a.b` and `a . b`
/// are equal, `a.b` and `a."b"` are not.
pub fn tokens_equal(a: &SyntaxNode, b: &SyntaxNode) -> bool {
    let significant = |node: &SyntaxNode| {
        node.descendants_with_tokens()
            .filter_map(|element| element.into_token())
            .filter(|token| {
                !matches!(
                    token.kind(),
                    SyntaxKind::TOKEN_WHITESPACE | SyntaxKind::TOKEN_COMMENT
                )
            })
    };
    let mut left = significant(a);
    let mut right = significant(b);
    loop {
        match (left.next(), right.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x.kind() == y.kind() && x.text() == y.text() => {}
            _ => return false,
        }
    }
}

/// Splits a chain of selects without `or` into its base and its attributes: `a.b.c` gives `a`
/// and `[b, c]`, and so does `(a.b).c`'s inner select once the parentheses are gone. A select
/// with `or` is a base of its own.
pub fn flatten_select(expr: &Expr) -> (Expr, Vec<ast::Attr>) {
    let mut base = expr.clone();
    let mut groups: Vec<Vec<ast::Attr>> = Vec::new();
    while let Expr::Select(select) = &base {
        if select.or_token().is_some() {
            break;
        }
        let (Some(inner), Some(attrpath)) = (select.expr(), select.attrpath()) else {
            break;
        };
        groups.push(attrpath.attrs().collect());
        base = inner;
    }
    let attrs = groups.into_iter().rev().flatten().collect();
    (base, attrs)
}

/// Whether an expression of binding strength `replacement_precedence` must be parenthesised to
/// take the place of `node` (an expression) without changing how the text around it parses.
pub fn needs_parens_in_place(node: &SyntaxNode, replacement_precedence: u8) -> bool {
    if let Some(expr) = Expr::cast(node.clone()) {
        // Whatever held the old expression holds one that binds at least as tightly; but an
        // expression that extends as far right as possible (`with`, `if`) may sit where only
        // its own form is unambiguous, so those go by the position.
        let old = precedence(&expr);
        if old > 0 && replacement_precedence >= old {
            return false;
        }
    }
    let Some(parent) = node.parent() else {
        return false;
    };
    match parent.kind() {
        SyntaxKind::NODE_BIN_OP => match ast::BinOp::cast(parent) {
            // Comparisons do not chain, so an equal strength is not enough.
            Some(bin_op) => replacement_precedence <= precedence(&Expr::BinOp(bin_op)),
            None => true,
        },
        SyntaxKind::NODE_UNARY_OP => match ast::UnaryOp::cast(parent) {
            Some(unary) => replacement_precedence < precedence(&Expr::UnaryOp(unary)),
            None => true,
        },
        SyntaxKind::NODE_HAS_ATTR => replacement_precedence <= 12,
        SyntaxKind::NODE_APPLY => {
            let is_function = parent.first_child().as_ref() == Some(node);
            replacement_precedence < if is_function { 14 } else { 15 }
        }
        SyntaxKind::NODE_SELECT | SyntaxKind::NODE_LIST => replacement_precedence < 15,
        // Positions that take any expression.
        SyntaxKind::NODE_PAREN
        | SyntaxKind::NODE_ROOT
        | SyntaxKind::NODE_ATTRPATH_VALUE
        | SyntaxKind::NODE_LET_IN
        | SyntaxKind::NODE_IF_ELSE
        | SyntaxKind::NODE_LAMBDA
        | SyntaxKind::NODE_WITH
        | SyntaxKind::NODE_ASSERT
        | SyntaxKind::NODE_INTERPOL
        | SyntaxKind::NODE_DYNAMIC
        | SyntaxKind::NODE_INHERIT_FROM
        | SyntaxKind::NODE_PAT_ENTRY => false,
        _ => true,
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;
    use crate::parse;

    /// `first_names_may_repeat` as the syntax tree's nodes tell it.
    fn first_names_may_repeat_by_nodes(node: &SyntaxNode) -> bool {
        use rnix::ast::HasEntry;
        let entries: Vec<ast::Entry> = if let Some(set) = ast::AttrSet::cast(node.clone()) {
            set.entries().collect()
        } else if let Some(let_in) = ast::LetIn::cast(node.clone()) {
            let_in.entries().collect()
        } else if let Some(legacy) = ast::LegacyLet::cast(node.clone()) {
            legacy.entries().collect()
        } else {
            return false;
        };
        let mut firsts: Vec<ast::Attr> = Vec::new();
        for entry in entries {
            match entry {
                ast::Entry::AttrpathValue(value) => {
                    firsts.extend(value.attrpath().and_then(|path| path.attrs().next()))
                }
                ast::Entry::Inherit(inherit) => firsts.extend(inherit.attrs()),
            }
        }
        let mut seen = std::collections::HashSet::new();
        firsts.iter().any(|attr| match attr {
            ast::Attr::Ident(_) => !seen.insert(attr_name(attr)),
            _ => true,
        })
    }

    #[test]
    fn value_kind_is_the_kind_of_the_value_the_nodes_give() {
        for text in [
            "{ a = 1; b = x.y; c = (d); e = f g; h = { }; }",
            "let a = b; in a",
            "{ a = ; b.c = d e; }",
            "{ a.b.c = \"s\"; x = y: y; }",
        ] {
            for node in parse(text)
                .root()
                .descendants()
                .filter(|node| node.kind() == SyntaxKind::NODE_ATTRPATH_VALUE)
            {
                let by_nodes = ast::AttrpathValue::cast(node.clone())
                    .and_then(|value| value.value())
                    .map(|value| value.syntax().kind());
                assert_eq!(value_kind(&node), by_nodes, "{node}");
            }
        }
    }

    #[test]
    fn first_names_may_repeat_reads_the_green_tree_as_the_nodes_read() {
        let texts = [
            "{ a = 1; b = 2; }",
            "{ a = 1; a = 2; }",
            "{ a.b = 1; a.c = 2; }",
            "{ a = 1; inherit a; }",
            "{ inherit (x) a b; c = 1; }",
            "{ inherit (x) a a; }",
            "{ \"a\" = 1; b = 2; }",
            "{ ${x} = 1; }",
            "{ inherit \"a\"; }",
            "rec { a = 1; b.c = a; }",
            "let a = 1; b = 2; in a",
            "let a = 1; a.b = 2; in a",
            "let { a = 1; body = a; }",
            "{ or = 1; a = or; }",
            "{ a = 1; b = ; c = 3; a }",
            "{ a = 1; = 2; a = 3; }",
            "{ inherit; a = 1; }",
            "{ /* c */ a = 1; # d\n b.c = 2; b = 3; }",
            "{ a = { a = 1; a = 2; }; }",
        ];
        for text in texts {
            let root = parse(text).root();
            for node in root.descendants().filter(|node| {
                matches!(
                    node.kind(),
                    SyntaxKind::NODE_ATTR_SET
                        | SyntaxKind::NODE_LET_IN
                        | SyntaxKind::NODE_LEGACY_LET
                )
            }) {
                assert_eq!(
                    first_names_may_repeat(&node),
                    first_names_may_repeat_by_nodes(&node),
                    "{node}"
                );
            }
        }
    }

    fn expr(text: &str) -> Expr {
        let root = ast::Root::cast(parse(text).root()).expect("root");
        root.expr().expect("expression")
    }

    /// The first node of `kind` in `text`.
    fn node(text: &str, kind: SyntaxKind) -> SyntaxNode {
        parse(text)
            .root()
            .descendants()
            .find(|node| node.kind() == kind)
            .expect("a node of that kind")
    }

    #[test]
    fn token_equality_ignores_trivia_only() {
        let a = expr("a . b /* c */");
        let b = expr("a.b");
        assert!(tokens_equal(a.syntax(), b.syntax()));
        assert!(!tokens_equal(expr("a.\"b\"").syntax(), b.syntax()));
        assert!(!tokens_equal(expr("a.b.c").syntax(), b.syntax()));
        assert!(!tokens_equal(expr("(a.b)").syntax(), b.syntax()));
    }

    #[test]
    fn select_chains_flatten_until_or() {
        let (base, attrs) = flatten_select(&expr("a.b.c"));
        assert_eq!(base.syntax().to_string(), "a");
        assert_eq!(attrs.len(), 2);
        let (base, attrs) = flatten_select(&expr("(x.y or z).w"));
        assert_eq!(base.syntax().to_string(), "(x.y or z)");
        assert_eq!(attrs.len(), 1);
        let (base, attrs) = flatten_select(&expr("x.y or z"));
        assert_eq!(base.syntax().to_string(), "x.y or z");
        assert!(attrs.is_empty());
    }

    #[test]
    fn parentheses_follow_the_position() {
        // `!(a == b)` replaced by a comparison.
        let unary = node("!(a == b) && c", SyntaxKind::NODE_UNARY_OP);
        assert!(!needs_parens_in_place(&unary, 5));
        let unary = node("!(a == b) == c", SyntaxKind::NODE_UNARY_OP);
        assert!(needs_parens_in_place(&unary, 5));
        assert!(!needs_parens_in_place(&unary, 6));
        let unary = node("f (!(a == b))", SyntaxKind::NODE_UNARY_OP);
        assert!(!needs_parens_in_place(&unary, 5));
        let unary = node("x: !(a == b)", SyntaxKind::NODE_UNARY_OP);
        assert!(!needs_parens_in_place(&unary, 5));
        // `with e; body` replaced by its body.
        let with = node("f (with e; a || b)", SyntaxKind::NODE_WITH);
        assert!(!needs_parens_in_place(&with, 3));
        let with = node("{ a = with e; x y; }", SyntaxKind::NODE_WITH);
        assert!(!needs_parens_in_place(&with, 14));
        // A tighter replacement always fits.
        let bin_op = node("f ([ ] ++ x) y", SyntaxKind::NODE_BIN_OP);
        assert!(!needs_parens_in_place(&bin_op, 16));
        // An atom in a list replaced by a call.
        let ident = node("[ a ]", SyntaxKind::NODE_IDENT);
        assert!(needs_parens_in_place(&ident, 14));
        let ident = node("a + b", SyntaxKind::NODE_IDENT);
        assert!(!needs_parens_in_place(&ident, 14));
        assert!(needs_parens_in_place(&ident, 7));
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
