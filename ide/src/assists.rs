//! Refactorings offered at the cursor or selection: each assist in its own file under
//! `assists/`, each a rewrite that keeps the value of the code. An assist whose result does not
//! re-parse as cleanly as the text before it is dropped.

mod add_to_pattern;
mod convert_inherit;
mod convert_string;
mod flatten_attrs;
mod inline_binding;
mod quote_attr;
mod with_to_let;

use std::cell::OnceCell;

use lints::scope::ScopeIndex;
use syntax::{SyntaxKind, SyntaxNode, TextEdit, TextRange};

/// One refactoring: its identity, its title for a menu and the edits it makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assist {
    /// Stable and kebab-case (`convert-to-inherit`).
    pub id: &'static str,
    /// Imperative, as a menu entry (`Convert to \`inherit\``).
    pub title: String,
    pub edits: Vec<TextEdit>,
}

/// What an assist looks at.
pub struct AssistCtx<'a> {
    pub root: &'a SyntaxNode,
    pub text: &'a str,
    /// The cursor (empty) or the selection.
    pub range: TextRange,
    scope: OnceCell<ScopeIndex>,
}

impl AssistCtx<'_> {
    /// The file's name resolution, built the first time an assist asks for it.
    pub fn scope(&self) -> &ScopeIndex {
        self.scope.get_or_init(|| ScopeIndex::build(self.root))
    }

    /// The innermost node that covers the range, and its ancestors.
    pub fn covering(&self) -> SyntaxNode {
        // A cursor between two tokens means the one that is a name, or else the one that is not
        // whitespace: `$0name` and `name$0` are both on `name`.
        if self.range.is_empty() {
            let best = self
                .root
                .token_at_offset(self.range.start())
                .max_by_key(|token| {
                    let kind = token.kind();
                    (
                        !syntax::helpers::is_trivia(kind),
                        matches!(
                            kind,
                            SyntaxKind::TOKEN_IDENT | SyntaxKind::TOKEN_STRING_CONTENT
                        ),
                    )
                });
            if let Some(parent) = best.and_then(|token| token.parent()) {
                return parent;
            }
        }
        match self.root.covering_element(self.range) {
            syntax::NodeOrToken::Node(node) => node,
            syntax::NodeOrToken::Token(token) => {
                token.parent().unwrap_or_else(|| self.root.clone())
            }
        }
    }
}

type Handler = fn(&AssistCtx<'_>, &mut Vec<Assist>);

const HANDLERS: &[Handler] = &[
    add_to_pattern::add_to_pattern,
    convert_inherit::to_inherit,
    convert_inherit::from_inherit,
    quote_attr::quote_attr,
    convert_string::convert_string,
    flatten_attrs::flatten,
    flatten_attrs::pack,
    with_to_let::with_to_let,
    inline_binding::inline_binding,
];

/// The assists at `range` of `text` (whose tree is `root`).
pub fn assists(root: &SyntaxNode, text: &str, range: TextRange) -> Vec<Assist> {
    let ctx = AssistCtx {
        root,
        text,
        range,
        scope: OnceCell::new(),
    };
    let mut acc = Vec::new();
    for handler in HANDLERS {
        handler(&ctx, &mut acc);
    }
    let errors_before = syntax::parse(text).errors().len();
    acc.retain(|assist| match syntax::apply_edits(text, &assist.edits) {
        Ok(after) => syntax::parse(&after).errors().len() <= errors_before,
        Err(_) => false,
    });
    acc
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::fixture;

    /// Applies the assist `id` at the fixture's cursor (or selection) and returns the text.
    pub fn apply(id: &str, fixture: &str) -> Option<String> {
        let file = fixture::single(fixture);
        let range = match file.cursors.len() {
            2 => file.selection(),
            _ => TextRange::empty(file.cursor()),
        };
        let parse = syntax::parse(&file.text);
        let assist = assists(&parse.root(), &file.text, range)
            .into_iter()
            .find(|assist| assist.id == id)?;
        let after = syntax::apply_edits(&file.text, &assist.edits).expect("edits fit");
        assert!(
            syntax::parse(&after).errors().is_empty(),
            "does not re-parse: {after}"
        );
        Some(after)
    }

    pub fn check(id: &str, before: &str, after: &str) {
        assert_eq!(apply(id, before).as_deref(), Some(after), "{before}");
    }

    pub fn check_not_offered(id: &str, before: &str) {
        assert_eq!(apply(id, before), None, "{before}");
    }
}
