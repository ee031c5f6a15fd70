//! Walking the green tree: kinds, ranges and text of nodes without building a [`SyntaxNode`] for
//! each. A walk over [`SyntaxNode`]s allocates and frees a node at every step; a walk that reads
//! every node of a file and keeps none of them (the scope index) reads the green tree instead.

use rowan::ast::AstNode;
use rowan::{GreenNodeData, GreenTokenData, Language};

use rnix::{NixLanguage, SyntaxKind, SyntaxNode};
use rowan::{TextRange, TextSize};

/// A child of a green node: a node or a token.
pub type GreenElement<'a> = rowan::NodeOrToken<&'a GreenNodeData, &'a GreenTokenData>;

/// The kind of a node of the green tree, as the syntax tree names it.
pub fn kind(node: &GreenNodeData) -> SyntaxKind {
    NixLanguage::kind_from_raw(node.kind())
}

/// The kind of a token of the green tree, as the syntax tree names it.
pub fn token_kind(token: &GreenTokenData) -> SyntaxKind {
    NixLanguage::kind_from_raw(token.kind())
}

/// The children of a green node that starts at `start`, nodes and tokens, each with its range.
pub fn children(
    node: &GreenNodeData,
    start: TextSize,
) -> impl Iterator<Item = (GreenElement<'_>, TextRange)> {
    let mut offset = start;
    node.children().map(move |child| {
        let range = TextRange::at(offset, child.text_len());
        offset = range.end();
        (child, range)
    })
}

/// A node of the green tree where it stands in the text.
#[derive(Clone, Copy, Debug)]
pub struct GreenNodeAt<'a> {
    pub green: &'a GreenNodeData,
    pub kind: SyntaxKind,
    pub range: TextRange,
}

impl<'a> GreenNodeAt<'a> {
    /// `node`, standing at `start` in the text: a tree's root, or a node whose start is known.
    pub fn of(node: &'a GreenNodeData, start: TextSize) -> GreenNodeAt<'a> {
        GreenNodeAt {
            green: node,
            kind: kind(node),
            range: TextRange::at(start, node.text_len()),
        }
    }

    /// The child nodes, without the tokens.
    pub fn child_nodes(self) -> impl Iterator<Item = GreenNodeAt<'a>> {
        children(self.green, self.range.start()).filter_map(|(child, range)| {
            child.as_node().map(|green| GreenNodeAt {
                green,
                kind: kind(green),
                range,
            })
        })
    }

    /// The child tokens, with their ranges, without the nodes.
    pub fn child_tokens(self) -> impl Iterator<Item = (&'a GreenTokenData, TextRange)> {
        children(self.green, self.range.start())
            .filter_map(|(child, range)| child.as_token().map(|token| (*token, range)))
    }

    /// The first child node of `kind`.
    pub fn child_of_kind(self, wanted: SyntaxKind) -> Option<GreenNodeAt<'a>> {
        self.child_nodes().find(|child| child.kind == wanted)
    }

    /// The attributes (`a`, `"a"`, `${a}`) of an attribute path or an `inherit`, as
    /// `ast::Attrpath::attrs` and `ast::Inherit::attrs` list them.
    pub fn attrs(self) -> impl Iterator<Item = GreenNodeAt<'a>> {
        self.child_nodes()
            .filter(|child| rnix::ast::Attr::can_cast(child.kind))
    }

    /// The first token of the subtree, as [`SyntaxNode::first_token`].
    pub fn first_token(self) -> Option<&'a GreenTokenData> {
        let mut node = self.green;
        loop {
            match node.children().next()? {
                rowan::NodeOrToken::Node(child) => node = child,
                rowan::NodeOrToken::Token(token) => return Some(token),
            }
        }
    }

    /// The subtree as a syntax tree of its own, whose ranges start at 0: for reading what the
    /// typed AST reads (a string's value), not where it is.
    pub fn detached(self) -> SyntaxNode {
        SyntaxNode::new_root(self.green.to_owned())
    }
}

/// A step of [`Preorder`].
#[derive(Clone, Copy, Debug)]
pub enum GreenEvent<'a> {
    Enter(GreenNodeAt<'a>),
    Leave(GreenNodeAt<'a>),
}

/// The nodes of a green tree in preorder, each entered and left, as rowan's `preorder` walks a
/// syntax tree; iterative, so that deep trees cannot overflow the stack.
pub struct Preorder<'a> {
    /// The nodes entered and not left, each with the children still to walk (none once skipped)
    /// and where the next one starts.
    stack: Vec<(GreenNodeAt<'a>, Option<rowan::Children<'a>>, TextSize)>,
    /// The root, before it is entered.
    root: Option<GreenNodeAt<'a>>,
}

impl<'a> Preorder<'a> {
    pub fn new(root: GreenNodeAt<'a>) -> Preorder<'a> {
        Preorder {
            stack: Vec::new(),
            root: Some(root),
        }
    }

    /// Does not walk into the node just entered: the next step leaves it.
    pub fn skip_subtree(&mut self) {
        if let Some((_, children, _)) = self.stack.last_mut() {
            *children = None;
        }
    }

    fn enter(&mut self, node: GreenNodeAt<'a>) -> GreenEvent<'a> {
        self.stack
            .push((node, Some(node.green.children()), node.range.start()));
        GreenEvent::Enter(node)
    }
}

impl<'a> Iterator for Preorder<'a> {
    type Item = GreenEvent<'a>;

    fn next(&mut self) -> Option<GreenEvent<'a>> {
        if let Some(root) = self.root.take() {
            return Some(self.enter(root));
        }
        loop {
            let (node, children, offset) = self.stack.last_mut()?;
            match children.as_mut().and_then(Iterator::next) {
                Some(rowan::NodeOrToken::Node(child)) => {
                    let range = TextRange::at(*offset, child.text_len());
                    *offset = range.end();
                    return Some(self.enter(GreenNodeAt {
                        green: child,
                        kind: kind(child),
                        range,
                    }));
                }
                Some(rowan::NodeOrToken::Token(token)) => *offset += token.text_len(),
                None => {
                    let node = *node;
                    self.stack.pop();
                    return Some(GreenEvent::Leave(node));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rnix::WalkEvent;

    /// The walk of the green tree enters and leaves the nodes the syntax tree's walk does, with
    /// the same kinds and ranges, also where a subtree is skipped.
    #[test]
    fn the_green_walk_is_the_syntax_trees_walk() {
        let text =
            "let a = { b = [ 1 2 ]; c = \"x${d}\"; }; in with a; f: { inherit (a) b; } // ( 1 + ";
        let root = crate::parse(text).root();
        let skipped = |kind: SyntaxKind| kind == SyntaxKind::NODE_LIST;
        let mut expected = Vec::new();
        let mut walk = root.preorder();
        while let Some(event) = walk.next() {
            match event {
                WalkEvent::Enter(node) => {
                    expected.push(("enter", node.kind(), node.text_range()));
                    if skipped(node.kind()) {
                        walk.skip_subtree();
                    }
                }
                WalkEvent::Leave(node) => expected.push(("leave", node.kind(), node.text_range())),
            }
        }
        let green = root.green();
        let mut actual = Vec::new();
        let mut walk = Preorder::new(GreenNodeAt::of(green, root.text_range().start()));
        while let Some(event) = walk.next() {
            match event {
                GreenEvent::Enter(node) => {
                    actual.push(("enter", node.kind, node.range));
                    if skipped(node.kind) {
                        walk.skip_subtree();
                    }
                }
                GreenEvent::Leave(node) => actual.push(("leave", node.kind, node.range)),
            }
        }
        assert!(expected.len() > 40);
        assert_eq!(actual, expected);
    }

    #[test]
    fn first_tokens_and_children_are_the_syntax_trees() {
        let root = crate::parse("{ a.\"b\".${c} = rec { b = 1; inherit (x) y z; }; }").root();
        for node in root.descendants() {
            let green = node.green();
            let at = GreenNodeAt::of(green, node.text_range().start());
            assert_eq!(
                at.first_token().map(|token| token.text().to_owned()),
                node.first_token().map(|token| token.text().to_owned())
            );
            let nodes: Vec<_> = at
                .child_nodes()
                .map(|child| (child.kind, child.range))
                .collect();
            let expected: Vec<_> = node
                .children()
                .map(|child| (child.kind(), child.text_range()))
                .collect();
            assert_eq!(nodes, expected);
            let attrs: Vec<_> = at.attrs().map(|child| child.range).collect();
            let expected: Vec<_> = node
                .children()
                .filter_map(rnix::ast::Attr::cast)
                .map(|attr| attr.syntax().text_range())
                .collect();
            assert_eq!(attrs, expected);
            let tokens: Vec<_> = at
                .child_tokens()
                .map(|(token, range)| (token_kind(token), range))
                .collect();
            let expected: Vec<_> = node
                .children_with_tokens()
                .filter_map(|child| child.into_token())
                .map(|token| (token.kind(), token.text_range()))
                .collect();
            assert_eq!(tokens, expected);
        }
    }
}
