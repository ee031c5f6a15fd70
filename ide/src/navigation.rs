//! What the name under the cursor is, and what statically known attribute sets contain: the
//! common ground of definition, references, rename and hover.
//!
//! A set is statically known when it is written in the file: a set literal, the body of a
//! `let`, a binding or selection that leads to one. Two more cases:
//! - `left // right`: an attribute comes from `right` when `right` defines it; otherwise from a
//!   known `left`, but only when `right` is known and names all its keys (no `${…}`), since
//!   anything else may hide it. `//` replaces, it does not merge: `{ a.b = 1; } // { a.c = 2; }`
//!   has no `a.b`.
//! - `args@{ a, b ? 1, ... }`: `args.a` is the entry `a`, since the caller must pass `a` and
//!   `args` is what the caller passed. `args.b` is not `b`: `args` lacks the default, so when
//!   the caller leaves `b` out, `args.b` fails where `b` is 1. Unlisted names come from `...`.

use std::sync::Arc;

use lints::scope::{BindingId, BindingKind, Resolution, ScopeIndex};
use syntax::ast::{self, Expr, HasEntry};
use syntax::helpers::{attr_name, unwrap_parens};
use syntax::{AstNode, NodeOrToken, SyntaxKind, SyntaxNode, SyntaxToken, TextRange, TextSize};

/// How many sets and bindings one lookup may pass through, so that `let a = a.b; in a.b` ends.
const FUEL: u32 = 64;

/// A file's tree and its scope analysis.
pub struct Analysis {
    pub root: SyntaxNode,
    pub scopes: Arc<ScopeIndex>,
    /// The text of the tree, for names by range: slicing the tree's own text walks its tokens.
    text: Arc<str>,
}

impl Analysis {
    pub fn new(root: SyntaxNode) -> Analysis {
        let scopes = Arc::new(ScopeIndex::build(&root));
        let text = root.to_string().into();
        Analysis { root, scopes, text }
    }

    /// An analysis from a scope index and text already at hand for this tree, so that a
    /// document's requests share one.
    pub fn from_parts(root: SyntaxNode, scopes: Arc<ScopeIndex>, text: Arc<str>) -> Analysis {
        Analysis { root, scopes, text }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text at `range`, empty when it is not inside the text.
    pub fn slice(&self, range: TextRange) -> &str {
        self.text
            .get(std::ops::Range::<usize>::from(range))
            .unwrap_or("")
    }

    /// The name or path under the cursor, if any.
    pub fn name_at(&self, offset: TextSize) -> Option<NameAt> {
        let token = token_at(&self.root, offset)?;
        if is_path_token(token.kind()) {
            let node = token.parent()?;
            return Some(NameAt::Path {
                range: node.text_range(),
                text: node.to_string(),
            });
        }
        let mut node = token.parent()?;
        if node.kind() == SyntaxKind::NODE_STRING {
            // Only a quoted attribute name is a name: `{ "a" = 1; }`, `s."a"`.
            let parent = node.parent()?;
            if !matches!(
                parent.kind(),
                SyntaxKind::NODE_ATTRPATH | SyntaxKind::NODE_INHERIT
            ) {
                return None;
            }
        } else if node.kind() != SyntaxKind::NODE_IDENT {
            return None;
        }
        let parent = node.parent()?;
        let range = node.text_range();
        let name_at = match parent.kind() {
            SyntaxKind::NODE_ATTRPATH => self.attrpath_name(&parent, &node)?,
            SyntaxKind::NODE_INHERIT => {
                let inherit = ast::Inherit::cast(parent)?;
                let defines = self.scopes.binding_defined_at(range);
                match inherit.from() {
                    Some(_) => NameAt::Attribute {
                        range,
                        name: attr_name(&ast::Attr::cast(node.clone())?)?,
                        defines,
                    },
                    None => NameAt::Reference {
                        range,
                        resolution: self.scopes.resolve(range)?,
                        defines,
                    },
                }
            }
            SyntaxKind::NODE_IDENT_PARAM
            | SyntaxKind::NODE_PAT_BIND
            | SyntaxKind::NODE_PAT_ENTRY
                if parent.first_child().as_ref() == Some(&node) =>
            {
                NameAt::Definition {
                    range,
                    binding: self.scopes.binding_defined_at(range)?,
                }
            }
            _ => {
                node = ast::Ident::cast(node)?.syntax().clone();
                NameAt::Reference {
                    range: node.text_range(),
                    resolution: self.scopes.resolve(node.text_range())?,
                    defines: None,
                }
            }
        };
        Some(name_at)
    }

    fn attrpath_name(&self, attrpath: &SyntaxNode, node: &SyntaxNode) -> Option<NameAt> {
        let range = node.text_range();
        let name = attr_name(&ast::Attr::cast(node.clone())?)?;
        let holder = attrpath.parent()?;
        match holder.kind() {
            SyntaxKind::NODE_ATTRPATH_VALUE => Some(match self.scopes.binding_defined_at(range) {
                Some(binding) if self.scopes.binding(binding).kind == BindingKind::Let => {
                    NameAt::Definition { range, binding }
                }
                defines => NameAt::Attribute {
                    range,
                    name,
                    defines,
                },
            }),
            SyntaxKind::NODE_SELECT | SyntaxKind::NODE_HAS_ATTR => Some(NameAt::Attribute {
                range,
                name,
                defines: None,
            }),
            _ => None,
        }
    }

    /// Where the attribute named at `range` is defined: its own range for a key, the keys of
    /// statically known sets for a selection (`s.a.b`) or `inherit (s) a`.
    pub fn attribute_definitions(&self, range: TextRange) -> Vec<TextRange> {
        let Some(node) = self.node_with_range(range, |kind| {
            matches!(kind, SyntaxKind::NODE_IDENT | SyntaxKind::NODE_STRING)
        }) else {
            return Vec::new();
        };
        let Some(parent) = node.parent() else {
            return Vec::new();
        };
        let mut fuel = FUEL;
        match parent.kind() {
            SyntaxKind::NODE_INHERIT => {
                let Some(inherit) = ast::Inherit::cast(parent) else {
                    return Vec::new();
                };
                let Some(from) = inherit.from().and_then(|from| from.expr()) else {
                    return Vec::new();
                };
                let Some(name) = ast::Attr::cast(node).and_then(|attr| attr_name(&attr)) else {
                    return Vec::new();
                };
                let members = self.set_members(&from, &mut fuel).unwrap_or_default();
                self.lookup(&members, &name, &mut fuel).0
            }
            SyntaxKind::NODE_ATTRPATH => {
                let Some(holder) = parent.parent() else {
                    return Vec::new();
                };
                let base = match holder.kind() {
                    SyntaxKind::NODE_SELECT => ast::Select::cast(holder).and_then(|s| s.expr()),
                    SyntaxKind::NODE_HAS_ATTR => {
                        ast::HasAttr::cast(holder).and_then(|has| has.expr())
                    }
                    SyntaxKind::NODE_ATTRPATH_VALUE => return vec![range],
                    _ => None,
                };
                let Some(base) = base else {
                    return Vec::new();
                };
                let Some(mut members) = self.set_members(&base, &mut fuel) else {
                    return Vec::new();
                };
                for attr in parent.children() {
                    let Some(name) = ast::Attr::cast(attr.clone()).and_then(|a| attr_name(&a))
                    else {
                        return Vec::new();
                    };
                    let (definitions, nested) = self.lookup(&members, &name, &mut fuel);
                    if attr.text_range() == range {
                        return definitions;
                    }
                    members = nested;
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// The node of a wanted kind whose range is exactly `range`.
    pub fn node_with_range(
        &self,
        range: TextRange,
        wanted: impl Fn(SyntaxKind) -> bool,
    ) -> Option<SyntaxNode> {
        if range.end() > self.root.text_range().end() {
            return None;
        }
        let start = match self.root.covering_element(range) {
            NodeOrToken::Node(node) => node,
            NodeOrToken::Token(token) => token.parent()?,
        };
        start
            .ancestors()
            .take_while(|node| node.text_range().contains_range(range))
            .find(|node| node.text_range() == range && wanted(node.kind()))
    }

    /// The `with` keyword of the `with` expression at `range`.
    pub fn with_keyword(&self, range: TextRange) -> Option<TextRange> {
        self.node_with_range(range, |kind| kind == SyntaxKind::NODE_WITH)?
            .children_with_tokens()
            .find(|child| child.kind() == SyntaxKind::TOKEN_WITH)
            .map(|keyword| keyword.text_range())
    }

    /// The `with` expressions whose body holds `range`, innermost first.
    pub fn enclosing_withs(&self, range: TextRange) -> Vec<TextRange> {
        let Some(node) = self.node_with_range(range, |_| true) else {
            return Vec::new();
        };
        node.ancestors()
            .filter_map(ast::With::cast)
            .filter(|with| {
                with.body()
                    .is_some_and(|body| body.syntax().text_range().contains_range(range))
            })
            .map(|with| with.syntax().text_range())
            .collect()
    }

    /// The `with` expression whose keyword is at `offset`.
    pub fn with_at(&self, offset: TextSize) -> Option<TextRange> {
        if offset > self.root.text_range().end() {
            return None;
        }
        self.root
            .token_at_offset(offset)
            .find(|token| token.kind() == SyntaxKind::TOKEN_WITH)
            .and_then(|token| token.parent())
            .map(|with| with.text_range())
    }

    /// The `let`, `rec` set or lambda that introduces a binding.
    pub fn scope_node(&self, binding: BindingId) -> Option<SyntaxNode> {
        self.node_with_range(self.scopes.binding(binding).scope_node, |kind| {
            matches!(
                kind,
                SyntaxKind::NODE_LET_IN
                    | SyntaxKind::NODE_LEGACY_LET
                    | SyntaxKind::NODE_ATTR_SET
                    | SyntaxKind::NODE_LAMBDA
            )
        })
    }

    /// The attributes of an expression that is a statically known attribute set, as members
    /// still to be looked up by name; `None` when it is not known.
    pub(crate) fn set_members(&self, expr: &Expr, fuel: &mut u32) -> Option<Vec<Member>> {
        *fuel = fuel.checked_sub(1)?;
        match unwrap_parens(expr.clone()) {
            Expr::AttrSet(set) => Some(members_of(set.entries())),
            Expr::LetIn(let_in) => self.set_members(&let_in.body()?, fuel),
            Expr::Ident(ident) => match self.scopes.resolve(ident.syntax().text_range())? {
                Resolution::Binding(id) => self.binding_value(id, fuel),
                _ => None,
            },
            // `//` keeps the attributes of its right side and those of its left side that the
            // right side does not define, so a lookup needs the right side known; the left side
            // is searched only when the right side surely lacks the name.
            Expr::BinOp(op) if op.operator() == Some(ast::BinOpKind::Update) => {
                let right = self.set_members(&op.rhs()?, fuel)?;
                let left = op.lhs().and_then(|lhs| self.set_members(&lhs, fuel));
                Some(vec![Member::Update { left, right }])
            }
            Expr::Select(select) => {
                if select.default_expr().is_some() {
                    return None;
                }
                let mut members = self.set_members(&select.expr()?, fuel)?;
                for attr in select.attrpath()?.attrs() {
                    let name = attr_name(&attr)?;
                    let (definitions, nested) = self.lookup(&members, &name, fuel);
                    if definitions.is_empty() {
                        return None;
                    }
                    members = nested;
                }
                Some(members)
            }
            _ => None,
        }
    }

    /// The members of the value of a `let` or `rec` binding, or of an inherited one.
    fn binding_value(&self, id: BindingId, fuel: &mut u32) -> Option<Vec<Member>> {
        *fuel = fuel.checked_sub(1)?;
        let binding = self.scopes.binding(id);
        match binding.kind {
            BindingKind::Let | BindingKind::Rec => {
                let holder = self.scope_node(id)?;
                let members = match holder.kind() {
                    SyntaxKind::NODE_LET_IN => members_of(ast::LetIn::cast(holder)?.entries()),
                    SyntaxKind::NODE_LEGACY_LET => {
                        members_of(ast::LegacyLet::cast(holder)?.entries())
                    }
                    _ => members_of(ast::AttrSet::cast(holder)?.entries()),
                };
                let (_, nested) = self.lookup(&members, &binding.name, fuel);
                Some(nested)
            }
            BindingKind::LetInherit | BindingKind::RecInherit => {
                self.inherited_value(binding.name_range, &binding.name, fuel)
            }
            BindingKind::PatternBind => {
                let lambda = ast::Lambda::cast(self.scope_node(id)?)?;
                let ast::Param::Pattern(pattern) = lambda.param()? else {
                    return None;
                };
                Some(
                    pattern
                        .pat_entries()
                        .filter(|entry| entry.default().is_none())
                        .map(|entry| Member::Parameter { entry })
                        .collect(),
                )
            }
            _ => None,
        }
    }

    /// The members of what `inherit a;` or `inherit (s) a;` (the name at `range`) stands for.
    fn inherited_value(&self, range: TextRange, name: &str, fuel: &mut u32) -> Option<Vec<Member>> {
        let node = self.node_with_range(range, |kind| {
            matches!(kind, SyntaxKind::NODE_IDENT | SyntaxKind::NODE_STRING)
        })?;
        let inherit = ast::Inherit::cast(node.parent()?)?;
        match inherit.from() {
            Some(from) => {
                let members = self.set_members(&from.expr()?, fuel)?;
                let (definitions, nested) = self.lookup(&members, name, fuel);
                (!definitions.is_empty()).then_some(nested)
            }
            None => match self.scopes.resolve(range)? {
                Resolution::Binding(id) => self.binding_value(id, fuel),
                _ => None,
            },
        }
    }

    /// The keys named `name` among `members`, and the members of its value (merged, as Nix
    /// merges `a.b = 1; a.c = 2;`).
    pub(crate) fn lookup(
        &self,
        members: &[Member],
        name: &str,
        fuel: &mut u32,
    ) -> (Vec<TextRange>, Vec<Member>) {
        let mut definitions = Vec::new();
        let mut nested = Vec::new();
        for member in members {
            match member {
                Member::Path { entry, depth } => {
                    let Some(attrpath) = entry.attrpath() else {
                        continue;
                    };
                    let mut attrs = attrpath.attrs().skip(*depth);
                    let Some(attr) = attrs.next() else { continue };
                    if attr_name(&attr).as_deref() != Some(name) {
                        continue;
                    }
                    definitions.push(attr.syntax().text_range());
                    if attrs.next().is_some() {
                        nested.push(Member::Path {
                            entry: entry.clone(),
                            depth: depth + 1,
                        });
                    } else if let Some(value) = entry.value() {
                        nested.extend(self.set_members(&value, fuel).unwrap_or_default());
                    }
                }
                Member::Inherit { attr } => {
                    if attr_name(attr).as_deref() != Some(name) {
                        continue;
                    }
                    let range = attr.syntax().text_range();
                    definitions.push(range);
                    nested.extend(self.inherited_value(range, name, fuel).unwrap_or_default());
                }
                Member::Parameter { entry } => {
                    let Some(ident) = entry.ident() else { continue };
                    if ident.syntax().text() == name {
                        definitions.push(ident.syntax().text_range());
                    }
                }
                Member::Update { left, right } => {
                    let (found, found_nested) = self.lookup(right, name, fuel);
                    if !found.is_empty() {
                        definitions.extend(found);
                        nested.extend(found_nested);
                    } else if let Some(left) = left.as_deref().filter(|_| all_static(right)) {
                        let (found, found_nested) = self.lookup(left, name, fuel);
                        definitions.extend(found);
                        nested.extend(found_nested);
                    }
                }
            }
        }
        (definitions, nested)
    }
}

/// What the cursor is on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NameAt {
    /// An identifier in expression position, or the name of an `inherit` without a source;
    /// `defines` is the binding that such an `inherit` introduces in a `let` or `rec` set.
    Reference {
        range: TextRange,
        resolution: Resolution,
        defines: Option<BindingId>,
    },
    /// The name where a `let` binding, a parameter, a pattern entry or an `@` bind is defined.
    Definition {
        range: TextRange,
        binding: BindingId,
    },
    /// An attribute name: a key of a set, a name in a selection path, a name of
    /// `inherit (s) …`. `defines` is the binding it also introduces (`rec` keys, inherits in a
    /// `let`).
    Attribute {
        range: TextRange,
        name: String,
        defines: Option<BindingId>,
    },
    /// A path literal, as written.
    Path { range: TextRange, text: String },
}

impl NameAt {
    pub fn range(&self) -> TextRange {
        match self {
            NameAt::Reference { range, .. }
            | NameAt::Definition { range, .. }
            | NameAt::Attribute { range, .. }
            | NameAt::Path { range, .. } => *range,
        }
    }

    /// The binding this name refers to or defines.
    pub fn binding(&self) -> Option<BindingId> {
        match self {
            NameAt::Reference {
                resolution: Resolution::Binding(id),
                ..
            } => Some(*id),
            NameAt::Definition { binding, .. } => Some(*binding),
            NameAt::Attribute { defines, .. } => *defines,
            _ => None,
        }
    }
}

/// One entry of a statically known set, still to be matched by name.
#[derive(Clone, Debug)]
pub(crate) enum Member {
    /// `a.b.c = v;` seen from `depth` names in.
    Path {
        entry: ast::AttrpathValue,
        depth: usize,
    },
    /// A name of `inherit …;`.
    Inherit { attr: ast::Attr },
    /// An entry without default of the pattern an `@` name stands for: `args.a` is the value of
    /// `a` in `args@{ a, … }`, which the caller must pass. With a default it is not: `args` holds
    /// only what the caller passed.
    Parameter { entry: ast::PatEntry },
    /// `left // right`; `left` is `None` when it is not a known set.
    Update {
        left: Option<Vec<Member>>,
        right: Vec<Member>,
    },
}

/// Whether `members` name every attribute they may define: no `${…}` keys, no unknown sets.
fn all_static(members: &[Member]) -> bool {
    members.iter().all(|member| match member {
        Member::Path { entry, depth } => entry
            .attrpath()
            .and_then(|path| path.attrs().nth(*depth))
            .is_some_and(|attr| attr_name(&attr).is_some()),
        Member::Inherit { attr } => attr_name(attr).is_some(),
        // A pattern lists what its caller must pass; with `...` the caller may pass more.
        Member::Parameter { .. } => false,
        Member::Update { left, right } => {
            all_static(right) && left.as_deref().is_some_and(all_static)
        }
    })
}

fn members_of(entries: impl Iterator<Item = ast::Entry>) -> Vec<Member> {
    let mut members = Vec::new();
    for entry in entries {
        match entry {
            ast::Entry::AttrpathValue(entry) => members.push(Member::Path { entry, depth: 0 }),
            ast::Entry::Inherit(inherit) => {
                members.extend(inherit.attrs().map(|attr| Member::Inherit { attr }));
            }
        }
    }
    members
}

/// The token under the cursor, preferring a name or a path to what touches it.
pub fn token_at(root: &SyntaxNode, offset: TextSize) -> Option<SyntaxToken> {
    if offset > root.text_range().end() {
        return None;
    }
    let rank = |token: &SyntaxToken| match token.kind() {
        SyntaxKind::TOKEN_IDENT => 3,
        kind if is_path_token(kind) => 2,
        SyntaxKind::TOKEN_STRING_CONTENT => 1,
        SyntaxKind::TOKEN_OR => 1,
        _ => 0,
    };
    root.token_at_offset(offset)
        .max_by_key(|token| rank(token))
        .filter(|token| rank(token) > 0)
}

/// A piece of a path literal that names a file (`<nixpkgs>` does not name one here).
fn is_path_token(kind: SyntaxKind) -> bool {
    matches!(
        kind,
        SyntaxKind::TOKEN_PATH_ABS | SyntaxKind::TOKEN_PATH_REL | SyntaxKind::TOKEN_PATH_HOME
    )
}

/// The first line of a definition: the entry that holds the name, up to its first line break.
pub fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("").trim_end()
}
