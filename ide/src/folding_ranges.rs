//! Regions an editor can fold: attribute sets, lists, `let`, lambda patterns and bodies,
//! parentheses and strings that span lines, and blocks of comments.

use syntax::{LineIndex, SyntaxKind, SyntaxNode, TextRange, WalkEvent};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoldKind {
    Region,
    Comment,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fold {
    pub range: TextRange,
    pub kind: FoldKind,
}

/// The foldable regions of a file that span more than one line, in the order they start.
/// Iterative, so any depth of nesting is fine.
pub fn folding_ranges(root: &SyntaxNode, index: &LineIndex) -> Vec<Fold> {
    let spans_lines =
        |range: TextRange| index.line_col(range.start()).line < index.line_col(range.end()).line;
    let mut acc = Vec::new();
    let mut comments = CommentBlock::default();
    for event in root.preorder_with_tokens() {
        let WalkEvent::Enter(element) = event else {
            continue;
        };
        match element {
            syntax::NodeOrToken::Node(node) => {
                if is_foldable(node.kind()) && spans_lines(node.text_range()) {
                    acc.push(Fold {
                        range: node.text_range(),
                        kind: FoldKind::Region,
                    });
                }
            }
            syntax::NodeOrToken::Token(token) => match token.kind() {
                SyntaxKind::TOKEN_COMMENT => {
                    let line_comment = token.text().starts_with('#');
                    if !(line_comment && comments.continues_with_line_comment()) {
                        comments.flush(&spans_lines, &mut acc);
                    }
                    comments.add(token.text_range(), line_comment);
                }
                SyntaxKind::TOKEN_WHITESPACE => {
                    comments.newlines += token.text().matches('\n').count();
                }
                _ => comments.flush(&spans_lines, &mut acc),
            },
        }
    }
    comments.flush(&spans_lines, &mut acc);
    acc.sort_by_key(|fold| fold.range.start());
    acc
}

fn is_foldable(kind: SyntaxKind) -> bool {
    matches!(
        kind,
        SyntaxKind::NODE_ATTR_SET
            | SyntaxKind::NODE_LIST
            | SyntaxKind::NODE_LET_IN
            | SyntaxKind::NODE_LEGACY_LET
            | SyntaxKind::NODE_LAMBDA
            | SyntaxKind::NODE_PATTERN
            | SyntaxKind::NODE_PAREN
            | SyntaxKind::NODE_STRING
            | SyntaxKind::NODE_IF_ELSE
    )
}

/// Comments in a row: `#` lines with nothing but line breaks between them, or one `/* */`.
#[derive(Default)]
struct CommentBlock {
    range: Option<TextRange>,
    line_comments: bool,
    /// Line breaks since the last comment.
    newlines: usize,
}

impl CommentBlock {
    fn continues_with_line_comment(&self) -> bool {
        self.range.is_some() && self.line_comments && self.newlines <= 1
    }

    fn add(&mut self, range: TextRange, line_comment: bool) {
        self.range = Some(self.range.map_or(range, |block| block.cover(range)));
        self.line_comments = line_comment;
        self.newlines = 0;
    }

    fn flush(&mut self, spans_lines: &impl Fn(TextRange) -> bool, acc: &mut Vec<Fold>) {
        if let Some(range) = self.range.take() {
            if spans_lines(range) {
                acc.push(Fold {
                    range,
                    kind: FoldKind::Comment,
                });
            }
        }
        self.newlines = 0;
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{expect, Expect};

    use super::*;

    /// Renders each fold as `kind start..end line`: the first line of its text.
    fn check(text: &str, expected: Expect) {
        let root = syntax::parse(text).root();
        let index = LineIndex::new(text);
        let out: Vec<String> = folding_ranges(&root, &index)
            .iter()
            .map(|fold| {
                let start = index.line_col(fold.range.start()).line;
                let end = index.line_col(fold.range.end()).line;
                let first = text[fold.range].lines().next().unwrap_or("");
                format!("{:?} {start}..{end} {first}", fold.kind)
            })
            .collect();
        let mut rendered = out.join("\n");
        if !rendered.is_empty() {
            rendered.push('\n');
        }
        expected.assert_eq(&rendered);
    }

    #[test]
    fn sets_lists_lets_strings_and_comments() {
        check(
            r#"# A file.
# More about it.

# Alone.
{ lib
, stdenv
}:
let
  a = [
    1
  ];
  b = [ 2 ];
  /* a block
     comment */
  s = ''
    text
  '';
in {
  inherit a b s;
}
"#,
            expect![[r#"
                Comment 0..1 # A file.
                Region 4..19 { lib
                Region 4..6 { lib
                Region 7..19 let
                Region 8..10 [
                Comment 12..13 /* a block
                Region 14..16 ''
                Region 17..19 {
            "#]],
        );
    }

    #[test]
    fn nothing_on_one_line() {
        check("{ a = [ 1 2 ]; } # one\n", expect![""]);
    }
}
