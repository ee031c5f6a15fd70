//! Inlay hints: the name of a long binding after the bracket that closes its value, so that the
//! end of a page-long `buildInputs = [ … ];` or `config = { … };` says whose end it is.

use syntax::ast;
use syntax::{AstNode, LineIndex, SyntaxKind, SyntaxNode, TextRange, TextSize, WalkEvent};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    /// Where the hint is shown: right after the closing bracket.
    pub offset: TextSize,
    pub label: String,
}

/// Hints for bindings whose value ends with `}` or `]` at least `min_lines` lines below the
/// binding's name, at offsets within `within`, in text order.
pub fn closing_bracket_hints(
    root: &SyntaxNode,
    index: &LineIndex,
    within: TextRange,
    min_lines: u32,
) -> Vec<InlayHint> {
    let mut acc = Vec::new();
    let mut walk = root.preorder();
    while let Some(event) = walk.next() {
        let WalkEvent::Enter(node) = event else {
            continue;
        };
        let range = node.text_range();
        if range.end() < within.start() || range.start() > within.end() {
            walk.skip_subtree();
            continue;
        }
        if node.kind() != SyntaxKind::NODE_ATTRPATH_VALUE {
            continue;
        }
        let Some(entry) = ast::AttrpathValue::cast(node) else {
            continue;
        };
        let (Some(path), Some(value)) = (entry.attrpath(), entry.value()) else {
            continue;
        };
        let Some(closing) = value.syntax().last_token() else {
            continue;
        };
        if !matches!(
            closing.kind(),
            SyntaxKind::TOKEN_R_BRACE | SyntaxKind::TOKEN_R_BRACK
        ) {
            continue;
        }
        let offset = closing.text_range().end();
        let first = index.line_col(path.syntax().text_range().start()).line;
        let last = index.line_col(offset).line;
        if last.saturating_sub(first) < min_lines || !within.contains_inclusive(offset) {
            continue;
        }
        acc.push(InlayHint {
            offset,
            label: path.syntax().text().to_string(),
        });
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hints(text: &str, min_lines: u32) -> Vec<(String, String)> {
        let root = syntax::parse(text).root();
        let index = LineIndex::new(text);
        closing_bracket_hints(&root, &index, root.text_range(), min_lines)
            .into_iter()
            .map(|hint| {
                (
                    text[..usize::from(hint.offset)]
                        .lines()
                        .last()
                        .unwrap_or("")
                        .to_owned(),
                    hint.label,
                )
            })
            .collect()
    }

    #[test]
    fn long_values_are_named_at_their_end() {
        let text = "{\n  a.b = {\n    x = [\n      1\n    ];\n  };\n  short = { };\n  n = 1;\n}\n";
        assert_eq!(hints(text, 3), [("  }".to_owned(), "a.b".to_owned())]);
        assert_eq!(
            hints(text, 2),
            [
                ("  }".to_owned(), "a.b".to_owned()),
                ("    ]".to_owned(), "x".to_owned())
            ]
        );
    }

    #[test]
    fn only_within_the_range() {
        let text = "{\n  a = [\n    1\n  ];\n}\n";
        let root = syntax::parse(text).root();
        let index = LineIndex::new(text);
        let first_line = TextRange::new(0.into(), 2.into());
        assert!(closing_bracket_hints(&root, &index, first_line, 1).is_empty());
        assert_eq!(
            closing_bracket_hints(&root, &index, root.text_range(), 1).len(),
            1
        );
    }
}
