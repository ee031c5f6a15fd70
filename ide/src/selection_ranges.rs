//! Expanding a selection: the token under the cursor, a string's content inside its quotes, then
//! every enclosing syntax node with a larger range.

use syntax::{SyntaxKind, SyntaxNode, SyntaxToken, TextRange, TextSize};

/// The ranges around `offset`, innermost first, each strictly larger than the one before.
pub fn selection_ranges(root: &SyntaxNode, offset: TextSize) -> Vec<TextRange> {
    let offset = offset.min(root.text_range().end());
    let mut acc: Vec<TextRange> = Vec::new();
    let push = |range: TextRange, acc: &mut Vec<TextRange>| {
        if acc
            .last()
            .is_none_or(|last| range != *last && range.contains_range(*last))
        {
            acc.push(range);
        }
    };
    let Some(token) = pick_token(root, offset) else {
        push(root.text_range(), &mut acc);
        return acc;
    };
    if token.kind() != SyntaxKind::TOKEN_WHITESPACE {
        push(token.text_range(), &mut acc);
    }
    let Some(parent) = token.parent() else {
        return acc;
    };
    if parent.kind() == SyntaxKind::NODE_STRING {
        if let Some(content) = string_content(&parent) {
            push(content, &mut acc);
        }
    }
    for node in parent.ancestors() {
        push(node.text_range(), &mut acc);
    }
    acc
}

/// The token at `offset`; between two tokens, the one that is not whitespace, preferring a name
/// or literal over punctuation.
fn pick_token(root: &SyntaxNode, offset: TextSize) -> Option<SyntaxToken> {
    let tokens: Vec<SyntaxToken> = root.token_at_offset(offset).collect();
    tokens
        .iter()
        .max_by_key(|token| priority(token.kind()))
        .cloned()
}

fn priority(kind: SyntaxKind) -> u8 {
    match kind {
        SyntaxKind::TOKEN_WHITESPACE => 0,
        SyntaxKind::TOKEN_IDENT
        | SyntaxKind::TOKEN_STRING_CONTENT
        | SyntaxKind::TOKEN_INTEGER
        | SyntaxKind::TOKEN_FLOAT
        | SyntaxKind::TOKEN_PATH_ABS
        | SyntaxKind::TOKEN_PATH_REL
        | SyntaxKind::TOKEN_PATH_HOME
        | SyntaxKind::TOKEN_PATH_SEARCH
        | SyntaxKind::TOKEN_URI => 2,
        _ => 1,
    }
}

/// The range between a string's quotes.
fn string_content(string: &SyntaxNode) -> Option<TextRange> {
    let start = string.first_token()?;
    let end = string.last_token()?;
    if start.kind() != SyntaxKind::TOKEN_STRING_START || end.kind() != SyntaxKind::TOKEN_STRING_END
    {
        return None;
    }
    (start.text_range().end() <= end.text_range().start())
        .then(|| TextRange::new(start.text_range().end(), end.text_range().start()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    fn check(fixture: &str, expected: &[&str]) {
        let file = fixture::single(fixture);
        let root = syntax::parse(&file.text).root();
        let ranges = selection_ranges(&root, file.cursor());
        let texts: Vec<&str> = ranges.iter().map(|range| &file.text[*range]).collect();
        assert_eq!(texts, expected);
    }

    #[test]
    fn from_a_name_outwards() {
        check(
            "{ a = { b = x$0 + 1; }; }",
            &[
                "x",
                "x + 1",
                "b = x + 1;",
                "{ b = x + 1; }",
                "a = { b = x + 1; };",
                "{ a = { b = x + 1; }; }",
            ],
        );
    }

    #[test]
    fn a_string_selects_its_content_before_its_quotes() {
        check(
            r#"{ a = "hello ${x} wor$0ld"; }"#,
            &[
                " world",
                "hello ${x} world",
                r#""hello ${x} world""#,
                r#"a = "hello ${x} world";"#,
                r#"{ a = "hello ${x} world"; }"#,
            ],
        );
    }

    #[test]
    fn between_tokens_the_name_wins_and_whitespace_is_skipped() {
        check("f$0 x", &["f", "f x"]);
        check("f  $0  x", &["f    x"]);
        check("$0", &[""]);
    }
}
