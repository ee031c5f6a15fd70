//! Highlighting by meaning: each name is classified by what the scope analysis says it is (a
//! parameter, a `let` variable, a function, an attribute, a builtin, a name from a `with`), and
//! keywords, literals, comments and operators by their token.

use lints::scope::{BindingId, BindingKind, Resolution, ScopeIndex};
use syntax::ast::{self, Expr};
use syntax::{AstNode, NodeOrToken, SyntaxKind, SyntaxNode, SyntaxToken, TextRange, WalkEvent};

/// The kinds of token, in the order of the legend a client is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenType {
    Keyword,
    Variable,
    Parameter,
    Property,
    Function,
    String,
    Number,
    Comment,
    Operator,
    Path,
}

impl TokenType {
    pub const ALL: [TokenType; 10] = [
        TokenType::Keyword,
        TokenType::Variable,
        TokenType::Parameter,
        TokenType::Property,
        TokenType::Function,
        TokenType::String,
        TokenType::Number,
        TokenType::Comment,
        TokenType::Operator,
        TokenType::Path,
    ];

    /// The position in [`TokenType::ALL`], which is the number sent to the client.
    pub fn index(self) -> u32 {
        self as u32
    }

    /// The LSP name: the standard names, and `path`, which LSP lacks.
    pub fn name(self) -> &'static str {
        match self {
            TokenType::Keyword => "keyword",
            TokenType::Variable => "variable",
            TokenType::Parameter => "parameter",
            TokenType::Property => "property",
            TokenType::Function => "function",
            TokenType::String => "string",
            TokenType::Number => "number",
            TokenType::Comment => "comment",
            TokenType::Operator => "operator",
            TokenType::Path => "path",
        }
    }
}

/// Modifiers, as bits; the bit number is the position in [`MODIFIERS`].
pub mod modifier {
    pub const DECLARATION: u32 = 1 << 0;
    pub const READONLY: u32 = 1 << 1;
    pub const DEFAULT_LIBRARY: u32 = 1 << 2;
    pub const DOCUMENTATION: u32 = 1 << 3;
    /// A name that only a `with` can provide.
    pub const WITH: u32 = 1 << 4;
    /// A binding that nothing uses.
    pub const UNUSED: u32 = 1 << 5;
    /// A name bound nowhere.
    pub const UNDEFINED: u32 = 1 << 6;
}

/// The LSP names of the modifiers, bit 0 first.
pub const MODIFIERS: [&str; 7] = [
    "declaration",
    "readonly",
    "defaultLibrary",
    "documentation",
    "withProvided",
    "unused",
    "undefined",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HighlightToken {
    pub range: TextRange,
    pub kind: TokenType,
    pub modifiers: u32,
}

/// The classified tokens of the file, or of those that touch `within`, in text order. Tokens can
/// span lines (comments, `''` strings); the protocol layer splits them where the client needs it.
pub fn semantic_tokens(
    root: &SyntaxNode,
    scope: &ScopeIndex,
    within: Option<TextRange>,
) -> Vec<HighlightToken> {
    let mut ctx = Classifier {
        scope,
        functions: vec![None; scope.bindings().len()],
        root,
    };
    let mut acc = Vec::new();
    let mut walk = root.preorder_with_tokens();
    while let Some(event) = walk.next() {
        let WalkEvent::Enter(element) = event else {
            continue;
        };
        let range = element.text_range();
        if let Some(within) = within {
            if range.end() < within.start() || range.start() > within.end() {
                if matches!(element, NodeOrToken::Node(_)) {
                    walk.skip_subtree();
                }
                continue;
            }
        }
        let NodeOrToken::Token(token) = element else {
            continue;
        };
        if let Some((kind, modifiers)) = ctx.classify(&token) {
            acc.push(HighlightToken {
                range,
                kind,
                modifiers,
            });
        }
    }
    acc
}

struct Classifier<'a> {
    scope: &'a ScopeIndex,
    /// Whether each binding's value is a lambda, found when first needed.
    functions: Vec<Option<bool>>,
    root: &'a SyntaxNode,
}

impl Classifier<'_> {
    fn classify(&mut self, token: &SyntaxToken) -> Option<(TokenType, u32)> {
        use SyntaxKind::*;
        let kind = match token.kind() {
            TOKEN_LET | TOKEN_IN | TOKEN_REC | TOKEN_WITH | TOKEN_IF | TOKEN_THEN | TOKEN_ELSE
            | TOKEN_ASSERT | TOKEN_INHERIT => TokenType::Keyword,
            TOKEN_OR => match token.parent().map(|parent| parent.kind()) {
                Some(NODE_IDENT) => return self.name(token),
                _ => TokenType::Keyword,
            },
            TOKEN_IDENT => return self.name(token),
            TOKEN_STRING_START | TOKEN_STRING_CONTENT | TOKEN_STRING_END | TOKEN_URI => {
                TokenType::String
            }
            TOKEN_PATH_ABS | TOKEN_PATH_REL | TOKEN_PATH_HOME | TOKEN_PATH_SEARCH => {
                TokenType::Path
            }
            TOKEN_INTEGER | TOKEN_FLOAT => TokenType::Number,
            TOKEN_COMMENT => {
                let text = token.text();
                let doc = text.starts_with("/**") && text != "/**/";
                let modifiers = if doc { modifier::DOCUMENTATION } else { 0 };
                return Some((TokenType::Comment, modifiers));
            }
            TOKEN_ADD | TOKEN_SUB | TOKEN_MUL | TOKEN_DIV | TOKEN_CONCAT | TOKEN_UPDATE
            | TOKEN_AND_AND | TOKEN_OR_OR | TOKEN_IMPLICATION | TOKEN_INVERT | TOKEN_EQUAL
            | TOKEN_NOT_EQUAL | TOKEN_LESS | TOKEN_LESS_OR_EQ | TOKEN_MORE | TOKEN_MORE_OR_EQ
            | TOKEN_QUESTION | TOKEN_PIPE_LEFT | TOKEN_PIPE_RIGHT => TokenType::Operator,
            TOKEN_CUR_POS => {
                return Some((
                    TokenType::Variable,
                    modifier::DEFAULT_LIBRARY | modifier::READONLY,
                ))
            }
            _ => return None,
        };
        Some((kind, 0))
    }

    /// An identifier: a definition, an attribute name or a reference.
    fn name(&mut self, token: &SyntaxToken) -> Option<(TokenType, u32)> {
        let ident = token.parent()?;
        let range = ident.text_range();
        let context = ident.parent()?;
        match context.kind() {
            SyntaxKind::NODE_IDENT_PARAM
            | SyntaxKind::NODE_PAT_ENTRY
            | SyntaxKind::NODE_PAT_BIND => {
                let unused = self
                    .scope
                    .binding_defined_at(range)
                    .is_some_and(|id| !self.scope.is_used(id));
                Some((TokenType::Parameter, declaration(unused)))
            }
            SyntaxKind::NODE_ATTRPATH | SyntaxKind::NODE_INHERIT => {
                if let Some(id) = self.scope.binding_defined_at(range) {
                    let kind = self.binding_type(id);
                    return Some((kind, declaration(!self.scope.is_used(id))));
                }
                if context.kind() == SyntaxKind::NODE_ATTRPATH && is_builtins_attr(&context, &ident)
                {
                    let name = token.text();
                    let kind = match crate::builtins::find(name) {
                        Some(builtin) if builtin.constant.is_none() => TokenType::Function,
                        _ => TokenType::Variable,
                    };
                    return Some((kind, modifier::DEFAULT_LIBRARY));
                }
                let defines = context
                    .parent()
                    .is_some_and(|parent| parent.kind() == SyntaxKind::NODE_ATTRPATH_VALUE)
                    || context.kind() == SyntaxKind::NODE_INHERIT;
                let modifiers = if defines { modifier::DECLARATION } else { 0 };
                Some((TokenType::Property, modifiers))
            }
            _ => Some(self.reference(token, range)),
        }
    }

    fn reference(&mut self, token: &SyntaxToken, range: TextRange) -> (TokenType, u32) {
        match self.scope.resolve(range) {
            Some(Resolution::Binding(id)) => (self.binding_type(id), 0),
            Some(Resolution::With(_)) => (TokenType::Variable, modifier::WITH),
            Some(Resolution::Builtin) => {
                let name = token.text();
                let name = name.strip_prefix("__").unwrap_or(name);
                match crate::builtins::find(name) {
                    Some(builtin) if builtin.constant.is_none() => {
                        (TokenType::Function, modifier::DEFAULT_LIBRARY)
                    }
                    _ => (
                        TokenType::Variable,
                        modifier::DEFAULT_LIBRARY | modifier::READONLY,
                    ),
                }
            }
            Some(Resolution::Undefined) => (TokenType::Variable, modifier::UNDEFINED),
            None => (TokenType::Variable, 0),
        }
    }

    fn binding_type(&mut self, id: BindingId) -> TokenType {
        let binding = self.scope.binding(id);
        match binding.kind {
            BindingKind::LambdaParam | BindingKind::PatternEntry | BindingKind::PatternBind => {
                TokenType::Parameter
            }
            BindingKind::Let | BindingKind::Rec => {
                let slot = &mut self.functions[id.0 as usize];
                let is_function =
                    *slot.get_or_insert_with(|| has_lambda_value(self.root, binding.name_range));
                if is_function {
                    TokenType::Function
                } else {
                    TokenType::Variable
                }
            }
            BindingKind::LetInherit | BindingKind::RecInherit => TokenType::Variable,
        }
    }
}

fn declaration(unused: bool) -> u32 {
    if unused {
        modifier::DECLARATION | modifier::UNUSED
    } else {
        modifier::DECLARATION
    }
}

/// Whether the binding named at `name` is `name = <lambda>;`.
fn has_lambda_value(root: &SyntaxNode, name: TextRange) -> bool {
    let element = root.covering_element(name);
    let Some(entry) = element
        .ancestors()
        .find(|node| node.kind() == SyntaxKind::NODE_ATTRPATH_VALUE)
        .and_then(ast::AttrpathValue::cast)
    else {
        return false;
    };
    let single = entry
        .attrpath()
        .is_some_and(|path| path.attrs().nth(1).is_none());
    single
        && matches!(
            entry.value().map(syntax::helpers::unwrap_parens),
            Some(Expr::Lambda(_))
        )
}

/// Whether `attr` is the first attribute selected from the global `builtins`.
fn is_builtins_attr(attrpath: &SyntaxNode, attr: &SyntaxNode) -> bool {
    let Some(select) = attrpath.parent().and_then(ast::Select::cast) else {
        return false;
    };
    let first = attrpath.first_child();
    first.as_ref() == Some(attr)
        && select.expr().is_some_and(
            |expr| matches!(expr, Expr::Ident(ref ident) if ident.syntax().text() == "builtins"),
        )
}

#[cfg(test)]
mod tests {
    use expect_test::{expect, Expect};

    use super::*;

    fn render(text: &str, within: Option<TextRange>) -> String {
        let root = syntax::parse(text).root();
        let scope = ScopeIndex::build(&root);
        let mut out = String::new();
        for token in semantic_tokens(&root, &scope, within) {
            out.push_str(&format!("{} {}", &text[token.range], token.kind.name()));
            for (bit, name) in MODIFIERS.iter().enumerate() {
                if token.modifiers & (1 << bit) != 0 {
                    out.push_str(&format!(" +{name}"));
                }
            }
            out.push('\n');
        }
        out
    }

    fn check(text: &str, expected: Expect) {
        expected.assert_eq(&render(text, None));
    }

    #[test]
    fn names_by_what_they_are() {
        check(
            r#"{ pkgs, unused }:
let
  f = x: x + 1;
  v = builtins.map f [ 1 ];
in with pkgs; { a.b = f v; inherit hello; c = toString ./p; d = nope; }
"#,
            expect![[r#"
                pkgs parameter +declaration
                unused parameter +declaration +unused
                let keyword
                f function +declaration
                x parameter +declaration
                x parameter
                + operator
                1 number
                v variable +declaration
                builtins variable +readonly +defaultLibrary
                map function +defaultLibrary
                f function
                1 number
                in keyword
                with keyword
                pkgs parameter
                a property +declaration
                b property +declaration
                f function
                v variable
                inherit keyword
                hello property +declaration
                c property +declaration
                toString function +defaultLibrary
                ./p path
                d property +declaration
                nope variable +withProvided
            "#]],
        );
    }

    #[test]
    fn strings_comments_and_keywords() {
        check(
            r#"/** Doc. */
# plain
rec { s = "a${x}b"; t = if true then a.b or 1 else null; }
"#,
            expect![[r#"
                /** Doc. */ comment +documentation
                # plain comment
                rec keyword
                s variable +declaration +unused
                " string
                a string
                x variable +undefined
                b string
                " string
                t variable +declaration +unused
                if keyword
                true variable +readonly +defaultLibrary
                then keyword
                a variable +undefined
                b property
                or keyword
                1 number
                else keyword
                null variable +readonly +defaultLibrary
            "#]],
        );
    }

    #[test]
    fn a_range_gives_only_the_tokens_it_touches() {
        let text = "let a = 1;\n    b = 2;\nin a + b";
        let line_two = TextRange::new(11.into(), 21.into());
        expect![[r#"
            b variable +declaration
            2 number
        "#]]
        .assert_eq(&render(text, Some(line_two)));
    }
}
