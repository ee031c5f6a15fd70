//! Completion: keywords where the grammar takes them, names in scope, builtins, the attributes of
//! local attribute sets known statically, and in flake.nix the flake schema and the declared
//! inputs. Works on the broken trees of half-typed text (`s.`, `{ a = `, `let x = 1; in `).

use std::collections::HashSet;

use lints::flake::model::{FlakeModel, PER_SYSTEM_FAMILIES};
use lints::scope::{BindingKind, Resolution, ScopeIndex, GLOBAL_BUILTINS};
use syntax::ast::{self, Expr, HasEntry};
use syntax::helpers::{attr_name, unwrap_parens};
use syntax::{AstNode, SyntaxKind, SyntaxNode, SyntaxToken, TextRange, TextSize};

use crate::builtins;

/// What a completion item stands for; the client shows it as an icon and ranks by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Keyword,
    /// A name bound by `let`, `rec`, a parameter or a pattern entry.
    Variable(BindingKind),
    Builtin,
    /// An attribute of a set, or a key of the flake schema.
    Attribute,
    /// An input of the flake, offered in the `outputs` pattern.
    FlakeInput,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    /// One line shown beside the label: a builtin's signature, where a name comes from.
    pub detail: Option<String>,
    /// The text the item replaces: the part of the name already typed (empty at a fresh spot).
    pub replace: TextRange,
    /// Lower sorts first: names in scope before builtins before keywords.
    pub rank: u8,
}

/// The systems offered below a per-system output family.
const SYSTEMS: &[&str] = &[
    "x86_64-linux",
    "aarch64-linux",
    "x86_64-darwin",
    "aarch64-darwin",
];

/// Output families that take no system level.
const GLOBAL_FAMILIES: &[&str] = &[
    "nixosConfigurations",
    "nixosModules",
    "overlays",
    "templates",
    "darwinConfigurations",
    "homeConfigurations",
    "lib",
    "hydraJobs",
];

/// What an input of a flake may say about itself.
const INPUT_FIELDS: &[(&str, &str)] = &[
    ("url", "the flake reference to fetch"),
    ("follows", "take another input's lock instead"),
    ("flake", "whether the source is a flake (default true)"),
    ("inputs", "override this input's own inputs"),
    ("type", "the fetcher: github, git, path, tarball, …"),
    ("owner", "the owner of a github/gitlab/sourcehut repository"),
    ("repo", "the repository name"),
    ("ref", "a branch or tag"),
    ("rev", "a commit hash"),
    ("dir", "the subdirectory holding flake.nix"),
];

const TOP_LEVEL_KEYS: &[(&str, &str)] = &[
    ("description", "a one-line summary of the flake"),
    ("inputs", "the flake's dependencies"),
    (
        "outputs",
        "a function from inputs to what the flake provides",
    ),
    ("nixConfig", "Nix settings the flake asks for"),
];

/// The ranks of items by what they are.
const RANK_LOCAL: u8 = 0;
const RANK_WITH: u8 = 1;
const RANK_BUILTIN: u8 = 2;
const RANK_KEYWORD: u8 = 3;

/// How deep the static reading of attribute sets follows names, against `let s = s; in s.`.
const MAX_DEPTH: usize = 16;

/// The completions at `offset` in a file whose bare name is `file_name` (`flake.nix` gets the flake
/// schema).
pub fn complete(
    root: &SyntaxNode,
    offset: TextSize,
    file_name: Option<&str>,
) -> Vec<CompletionItem> {
    let ctx = Ctx {
        root,
        offset,
        is_flake: file_name == Some("flake.nix"),
        index: ScopeIndex::build(root),
    };
    let mut acc = Vec::new();
    ctx.complete(&mut acc);
    let mut seen = HashSet::new();
    acc.retain(|item: &CompletionItem| seen.insert(item.label.clone()));
    acc
}

struct Ctx<'a> {
    root: &'a SyntaxNode,
    offset: TextSize,
    is_flake: bool,
    index: ScopeIndex,
}

/// Where the cursor stands, as far as completion cares.
enum Position {
    /// Where an expression goes.
    Expr(SyntaxNode),
    /// After `base.a.`, at the next attribute of a selection.
    Select { base: Expr, before: Vec<ast::Attr> },
    /// A key of an attribute set or `let`: `{ $0 }`, `{ a.$0 = 1; }`; `before` are the keys
    /// written before the cursor's in the same path.
    Key {
        holder: SyntaxNode,
        before: Vec<ast::Attr>,
    },
    /// A name in `inherit $0;` (without a source).
    Inherit(SyntaxNode),
    /// A name in `inherit (source) $0;`.
    InheritFrom(Expr),
    /// An entry of a lambda's pattern.
    Pattern(ast::Pattern),
}

impl Ctx<'_> {
    fn complete(&self, acc: &mut Vec<CompletionItem>) {
        let (replace, anchor) = self.typed_name();
        let Some(position) = self.position(anchor.as_ref()) else {
            return;
        };
        let item = |label: &str, kind, detail: Option<String>, rank| CompletionItem {
            label: label.to_owned(),
            kind,
            detail,
            replace,
            rank,
        };
        match position {
            Position::Expr(node) => {
                self.names_in_scope(&node, replace, acc);
                for name in GLOBAL_BUILTINS {
                    let detail = builtins::find(name).map(|builtin| builtin.signature());
                    acc.push(item(name, CompletionKind::Builtin, detail, RANK_BUILTIN));
                }
                for keyword in expression_keywords(&node, self.offset) {
                    acc.push(item(keyword, CompletionKind::Keyword, None, RANK_KEYWORD));
                }
            }
            Position::Select { base, before } => {
                if before.is_empty() && self.is_builtins(&base) {
                    for builtin in builtins::BUILTINS {
                        acc.push(item(
                            builtin.name,
                            CompletionKind::Builtin,
                            Some(builtin.signature()),
                            RANK_BUILTIN,
                        ));
                    }
                    return;
                }
                let Some(members) = self.members_of(&base, 0) else {
                    return;
                };
                let Some(members) = self.descend(members, &before, 0) else {
                    return;
                };
                for name in member_names(&members) {
                    acc.push(item(&name, CompletionKind::Attribute, None, RANK_LOCAL));
                }
            }
            Position::Key { holder, before } => {
                if before.is_empty() {
                    acc.push(item("inherit", CompletionKind::Keyword, None, RANK_KEYWORD));
                    if let Some(let_in) = ast::LetIn::cast(holder.clone()) {
                        if let_in.in_token().is_none() {
                            acc.push(item("in", CompletionKind::Keyword, None, RANK_KEYWORD));
                        }
                    }
                }
                if self.is_flake {
                    self.flake_keys(&holder, &before, replace, acc);
                }
            }
            Position::Inherit(node) => {
                // `inherit x;` in a `let` or `rec` set looks past it, so offer the scope around it.
                let outer = node
                    .parent()
                    .and_then(|holder| holder.parent())
                    .unwrap_or_else(|| node.clone());
                self.names_in_scope(&outer, replace, acc);
                for name in GLOBAL_BUILTINS {
                    acc.push(item(name, CompletionKind::Builtin, None, RANK_BUILTIN));
                }
            }
            Position::InheritFrom(source) => {
                if self.is_builtins(&source) {
                    for builtin in builtins::BUILTINS {
                        acc.push(item(
                            builtin.name,
                            CompletionKind::Builtin,
                            Some(builtin.signature()),
                            RANK_BUILTIN,
                        ));
                    }
                } else if let Some(members) = self.members_of(&source, 0) {
                    for name in member_names(&members) {
                        acc.push(item(&name, CompletionKind::Attribute, None, RANK_LOCAL));
                    }
                }
            }
            Position::Pattern(pattern) => {
                if !self.is_flake {
                    return;
                }
                let Some(model) = FlakeModel::read(self.root) else {
                    return;
                };
                let Some(outputs) = &model.outputs else {
                    return;
                };
                let is_outputs_pattern = pattern
                    .syntax()
                    .parent()
                    .is_some_and(|lambda| lambda.text_range() == outputs.value_range);
                if !is_outputs_pattern {
                    return;
                }
                let mut names: Vec<String> = vec!["self".to_owned()];
                names.extend(model.inputs.iter().map(|input| input.name.clone()));
                let written: Vec<String> = pattern
                    .pat_entries()
                    .filter(|entry| !entry.syntax().text_range().contains_inclusive(self.offset))
                    .filter_map(|entry| entry.ident())
                    .map(|ident| ident.syntax().text().to_string())
                    .collect();
                for name in names {
                    if !written.contains(&name) {
                        let detail = model
                            .input(&name)
                            .and_then(|input| input.url.as_ref())
                            .map(|(url, _)| url.clone());
                        acc.push(item(&name, CompletionKind::FlakeInput, detail, RANK_LOCAL));
                    }
                }
            }
        }
    }

    /// The identifier being typed at the cursor (its range up to the cursor becomes the replaced
    /// text), and the token that places the cursor: that identifier, or the last significant
    /// token before the cursor.
    fn typed_name(&self) -> (TextRange, Option<SyntaxToken>) {
        let empty = TextRange::empty(self.offset);
        let Some(token) = token_before(self.root, self.offset) else {
            return (empty, None);
        };
        if token.kind() == SyntaxKind::TOKEN_IDENT && token.text_range().end() >= self.offset {
            return (token.text_range(), Some(token));
        }
        let mut token = Some(token);
        while let Some(current) = &token {
            if !syntax::helpers::is_trivia(current.kind()) {
                break;
            }
            token = current.prev_token();
        }
        (empty, token)
    }

    fn position(&self, anchor: Option<&SyntaxToken>) -> Option<Position> {
        let Some(anchor) = anchor else {
            return Some(Position::Expr(self.root.clone()));
        };
        let parent = anchor.parent()?;
        if anchor.kind() == SyntaxKind::TOKEN_IDENT && anchor.text_range().end() >= self.offset {
            // The identifier being typed.
            let ident = parent;
            let holder = ident.parent()?;
            return match holder.kind() {
                SyntaxKind::NODE_ATTRPATH => self.in_attrpath(&holder, Some(&ident)),
                SyntaxKind::NODE_INHERIT => Some(Position::Inherit(holder)),
                SyntaxKind::NODE_PAT_ENTRY => {
                    let pattern = holder.parent().and_then(ast::Pattern::cast)?;
                    if holder.first_child().as_ref() == Some(&ident) {
                        Some(Position::Pattern(pattern))
                    } else {
                        Some(Position::Expr(ident))
                    }
                }
                SyntaxKind::NODE_IDENT_PARAM | SyntaxKind::NODE_PAT_BIND => None,
                _ if holder.kind() == SyntaxKind::NODE_INHERIT_FROM => None,
                _ => {
                    if let Some(inherit) = ast::Inherit::cast(holder.clone()) {
                        return inherit
                            .from()
                            .and_then(|from| from.expr())
                            .map(Position::InheritFrom);
                    }
                    Some(Position::Expr(ident))
                }
            };
        }
        match anchor.kind() {
            SyntaxKind::TOKEN_DOT => match parent.kind() {
                SyntaxKind::NODE_SELECT => {
                    let select = ast::Select::cast(parent)?;
                    Some(Position::Select {
                        base: select.expr()?,
                        before: Vec::new(),
                    })
                }
                SyntaxKind::NODE_ATTRPATH => self.in_attrpath(&parent, None),
                _ => None,
            },
            SyntaxKind::TOKEN_L_BRACE | SyntaxKind::TOKEN_COMMA
                if parent.kind() == SyntaxKind::NODE_PATTERN =>
            {
                ast::Pattern::cast(parent).map(Position::Pattern)
            }
            SyntaxKind::TOKEN_L_BRACE | SyntaxKind::TOKEN_REC
                if parent.kind() == SyntaxKind::NODE_ATTR_SET =>
            {
                Some(self.key_in(parent))
            }
            SyntaxKind::TOKEN_LET => Some(self.key_in(parent)),
            SyntaxKind::TOKEN_SEMICOLON => match parent.kind() {
                SyntaxKind::NODE_ATTRPATH_VALUE | SyntaxKind::NODE_INHERIT => {
                    let holder = parent.parent()?;
                    matches!(
                        holder.kind(),
                        SyntaxKind::NODE_ATTR_SET
                            | SyntaxKind::NODE_LET_IN
                            | SyntaxKind::NODE_LEGACY_LET
                    )
                    .then(|| self.key_in(holder))
                }
                SyntaxKind::NODE_WITH | SyntaxKind::NODE_ASSERT => Some(Position::Expr(parent)),
                _ => None,
            },
            SyntaxKind::TOKEN_COMMENT => None,
            SyntaxKind::TOKEN_INHERIT => Some(Position::Inherit(parent)),
            SyntaxKind::TOKEN_R_PAREN if parent.kind() == SyntaxKind::NODE_INHERIT_FROM => {
                ast::InheritFrom::cast(parent)?
                    .expr()
                    .map(Position::InheritFrom)
            }
            // After a string, a value follows as an argument.
            SyntaxKind::TOKEN_STRING_END => Some(Position::Expr(parent)),
            SyntaxKind::TOKEN_R_BRACE if parent.kind() == SyntaxKind::NODE_PATTERN => None,
            // `${`: an interpolation takes an expression; the other tokens are operators and
            // keywords that an expression follows.
            _ if in_string(&parent) && anchor.kind() != SyntaxKind::TOKEN_INTERPOL_START => None,
            _ => Some(Position::Expr(parent)),
        }
    }

    /// The position of a name in an attribute path, or after one of its dots.
    fn in_attrpath(&self, attrpath: &SyntaxNode, current: Option<&SyntaxNode>) -> Option<Position> {
        let before: Vec<ast::Attr> = ast::Attrpath::cast(attrpath.clone())?
            .attrs()
            .take_while(|attr| {
                Some(attr.syntax()) != current && attr.syntax().text_range().end() <= self.offset
            })
            .collect();
        let holder = attrpath.parent()?;
        match holder.kind() {
            SyntaxKind::NODE_SELECT => Some(Position::Select {
                base: ast::Select::cast(holder)?.expr()?,
                before,
            }),
            SyntaxKind::NODE_ATTRPATH_VALUE => Some(Position::Key {
                holder: holder.parent()?,
                before,
            }),
            _ => None,
        }
    }

    fn key_in(&self, holder: SyntaxNode) -> Position {
        Position::Key {
            holder,
            before: Vec::new(),
        }
    }

    fn is_builtins(&self, base: &Expr) -> bool {
        let Expr::Ident(ident) = unwrap_parens(base.clone()) else {
            return false;
        };
        ident.syntax().text() == "builtins"
            && matches!(
                self.index.resolve(ident.syntax().text_range()),
                Some(Resolution::Builtin) | None
            )
    }

    /// Every name bound around `node`, innermost first; names under a `with` whose namespace is
    /// a local set known statically come after them.
    fn names_in_scope(&self, node: &SyntaxNode, replace: TextRange, acc: &mut Vec<CompletionItem>) {
        let scopes: Vec<TextRange> = node
            .ancestors()
            .filter(|ancestor| {
                matches!(
                    ancestor.kind(),
                    SyntaxKind::NODE_LET_IN
                        | SyntaxKind::NODE_LEGACY_LET
                        | SyntaxKind::NODE_ATTR_SET
                        | SyntaxKind::NODE_LAMBDA
                )
            })
            .map(|ancestor| ancestor.text_range())
            .collect();
        for scope in scopes {
            for binding in self.index.bindings() {
                if binding.scope_node == scope {
                    acc.push(CompletionItem {
                        label: binding.name.clone(),
                        kind: CompletionKind::Variable(binding.kind),
                        detail: Some(binding_detail(binding.kind).to_owned()),
                        replace,
                        rank: RANK_LOCAL,
                    });
                }
            }
        }
        for with in node.ancestors().filter_map(ast::With::cast) {
            let in_body = match with.body() {
                Some(body) => body.syntax().text_range().contains_inclusive(self.offset),
                None => with
                    .semicolon_token()
                    .is_some_and(|semicolon| semicolon.text_range().end() <= self.offset),
            };
            if !in_body {
                continue;
            }
            let Some(namespace) = with.namespace() else {
                continue;
            };
            let Some(members) = self.members_of(&namespace, 0) else {
                continue;
            };
            let detail = format!("from `with {}`", namespace.syntax());
            for name in member_names(&members) {
                acc.push(CompletionItem {
                    label: name,
                    kind: CompletionKind::Attribute,
                    detail: Some(detail.clone()),
                    replace,
                    rank: RANK_WITH,
                });
            }
        }
    }

    /// The flake schema at a key: top-level keys, input fields, output families and systems.
    fn flake_keys(
        &self,
        holder: &SyntaxNode,
        before: &[ast::Attr],
        replace: TextRange,
        acc: &mut Vec<CompletionItem>,
    ) {
        let Some(model) = FlakeModel::read(self.root) else {
            return;
        };
        let Some(mut path) = before
            .iter()
            .map(attr_name)
            .collect::<Option<Vec<String>>>()
        else {
            return;
        };
        // Climb through `{ a = { $0 }; }` to the set that anchors the schema.
        let mut set = holder.clone();
        let anchor = loop {
            let range = set.text_range();
            if range == model.set {
                break Anchor::Top;
            }
            if let Some(outputs) = &model.outputs {
                if outputs.top_sets.contains(&range) {
                    break Anchor::Outputs;
                }
                if outputs
                    .per_system_sets
                    .iter()
                    .any(|per_system| per_system.set == range)
                {
                    break Anchor::PerSystem;
                }
            }
            let Some(entry) = set.parent().and_then(ast::AttrpathValue::cast) else {
                return;
            };
            let Some(names) = entry
                .attrpath()
                .and_then(|attrpath| syntax::helpers::attrpath_names(&attrpath))
            else {
                return;
            };
            path.splice(0..0, names);
            let Some(outer) = entry.syntax().parent() else {
                return;
            };
            if outer.kind() != SyntaxKind::NODE_ATTR_SET {
                return;
            }
            set = outer;
        };
        let mut push = |label: &str, detail: &str| {
            acc.push(CompletionItem {
                label: label.to_owned(),
                kind: CompletionKind::Attribute,
                detail: (!detail.is_empty()).then(|| detail.to_owned()),
                replace,
                rank: RANK_LOCAL,
            });
        };
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        match (anchor, path.as_slice()) {
            (Anchor::Top, []) => {
                for (key, detail) in TOP_LEVEL_KEYS {
                    push(key, detail);
                }
            }
            (Anchor::Top, ["inputs", _]) | (Anchor::Top, ["inputs", _, "inputs", _]) => {
                for (key, detail) in INPUT_FIELDS {
                    push(key, detail);
                }
            }
            (Anchor::Top, ["inputs", _, "inputs"]) | (Anchor::Top, ["inputs"]) => {
                if path.len() == 1 {
                    return;
                }
                for input in &model.inputs {
                    push(&input.name, "an input of this flake");
                }
            }
            (Anchor::Outputs, []) => {
                for family in PER_SYSTEM_FAMILIES {
                    push(family, "per system");
                }
                for family in GLOBAL_FAMILIES {
                    push(family, "");
                }
            }
            (Anchor::PerSystem, []) => {
                for family in PER_SYSTEM_FAMILIES {
                    push(family, "");
                }
            }
            (Anchor::Outputs, [family]) if PER_SYSTEM_FAMILIES.contains(family) => {
                let declared = model
                    .outputs
                    .as_ref()
                    .map(|outputs| outputs.declared_systems())
                    .unwrap_or_default();
                for system in declared
                    .iter()
                    .map(String::as_str)
                    .chain(SYSTEMS.iter().copied())
                {
                    push(&quote_key(system), "a system");
                }
            }
            _ => {}
        }
    }

    /// The members of an expression that is a local attribute set known statically.
    fn members_of(&self, expr: &Expr, depth: usize) -> Option<Vec<Member>> {
        if depth > MAX_DEPTH {
            return None;
        }
        match unwrap_parens(expr.clone()) {
            Expr::AttrSet(set) => Some(set_members(&set)),
            Expr::Ident(ident) => {
                let Resolution::Binding(id) = self.index.resolve(ident.syntax().text_range())?
                else {
                    return None;
                };
                let binding = self.index.binding(id);
                if !matches!(binding.kind, BindingKind::Let | BindingKind::Rec) {
                    return None;
                }
                let mut members = Vec::new();
                for definition in &binding.definitions {
                    let entry = self.entry_at(*definition)?;
                    let mut attrs = entry.attrpath()?.attrs();
                    attrs.next();
                    let rest: Vec<ast::Attr> = attrs.collect();
                    if rest.is_empty() {
                        members.extend(self.members_of(&entry.value()?, depth + 1)?);
                    } else {
                        members.push(Member {
                            path: rest,
                            value: entry.value(),
                        });
                    }
                }
                Some(members)
            }
            Expr::Select(select) => {
                let base = select.expr()?;
                let attrs: Vec<ast::Attr> = select.attrpath()?.attrs().collect();
                if select.or_token().is_some() {
                    return None;
                }
                let members = self.members_of(&base, depth + 1)?;
                self.descend(members, &attrs, depth + 1)
            }
            _ => None,
        }
    }

    /// The members below the attribute path `attrs` of a set with `members`.
    fn descend(
        &self,
        mut members: Vec<Member>,
        attrs: &[ast::Attr],
        depth: usize,
    ) -> Option<Vec<Member>> {
        for attr in attrs {
            let name = attr_name(attr)?;
            let mut next = Vec::new();
            for member in members {
                let Some(first) = member.path.first() else {
                    continue;
                };
                if attr_name(first).as_deref() != Some(name.as_str()) {
                    continue;
                }
                if member.path.len() > 1 {
                    next.push(Member {
                        path: member.path[1..].to_vec(),
                        value: member.value,
                    });
                } else if let Some(value) = &member.value {
                    next.extend(self.members_of(value, depth + 1)?);
                } else {
                    return None;
                }
            }
            members = next;
        }
        Some(members)
    }

    /// The `key = value;` entry whose first attribute is at `range`.
    fn entry_at(&self, range: TextRange) -> Option<ast::AttrpathValue> {
        let element = self.root.covering_element(range);
        let node = match element {
            syntax::NodeOrToken::Node(node) => node,
            syntax::NodeOrToken::Token(token) => token.parent()?,
        };
        node.ancestors().find_map(ast::AttrpathValue::cast)
    }
}

#[derive(Clone, Copy)]
enum Anchor {
    Top,
    Outputs,
    PerSystem,
}

/// One entry of a set seen from outside: `a.b = v;` is `[a, b]` and `v`; `inherit a;` is `[a]`
/// with no value that can be read.
struct Member {
    path: Vec<ast::Attr>,
    value: Option<Expr>,
}

fn set_members(set: &ast::AttrSet) -> Vec<Member> {
    let mut members = Vec::new();
    for entry in set.entries() {
        match entry {
            ast::Entry::AttrpathValue(entry) => {
                let Some(attrpath) = entry.attrpath() else {
                    continue;
                };
                let path: Vec<ast::Attr> = attrpath.attrs().collect();
                if !path.is_empty() {
                    members.push(Member {
                        path,
                        value: entry.value(),
                    });
                }
            }
            ast::Entry::Inherit(inherit) => {
                for attr in inherit.attrs() {
                    members.push(Member {
                        path: vec![attr],
                        value: None,
                    });
                }
            }
        }
    }
    members
}

/// The distinct static names of the members' first attributes, in order, quoted when needed.
fn member_names(members: &[Member]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for member in members {
        let Some(name) = member.path.first().and_then(attr_name) else {
            continue;
        };
        let name = quote_key(&name);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// A key as written in an attribute path: bare when it is an identifier, else quoted.
fn quote_key(name: &str) -> String {
    if syntax::helpers::is_plain_ident(name) {
        name.to_owned()
    } else {
        syntax::helpers::quote_string(name)
    }
}

fn binding_detail(kind: BindingKind) -> &'static str {
    match kind {
        BindingKind::Let => "let binding",
        BindingKind::LetInherit => "inherited in let",
        BindingKind::Rec => "rec attribute",
        BindingKind::RecInherit => "inherited in rec",
        BindingKind::LambdaParam => "parameter",
        BindingKind::PatternEntry => "pattern entry",
        BindingKind::PatternBind => "pattern binding",
    }
}

/// Keywords that may start an expression here, and those that an unfinished `if` or `let`
/// around the cursor waits for.
fn expression_keywords(node: &SyntaxNode, offset: TextSize) -> Vec<&'static str> {
    let mut keywords = vec!["let", "with", "rec", "if", "assert"];
    for ancestor in node.ancestors() {
        if let Some(if_else) = ast::IfElse::cast(ancestor.clone()) {
            let after_condition = if_else
                .condition()
                .is_some_and(|condition| condition.syntax().text_range().end() <= offset);
            if if_else.then_token().is_none() && after_condition {
                keywords.push("then");
            } else if if_else.else_token().is_none()
                && if_else
                    .then_token()
                    .is_some_and(|then| then.text_range().end() <= offset)
            {
                keywords.push("else");
            }
            break;
        }
        if let Some(let_in) = ast::LetIn::cast(ancestor.clone()) {
            if let_in.in_token().is_none() {
                keywords.push("in");
            }
            break;
        }
    }
    // `s.a o$0` reads as applying `s.a` to `o`: a default with `or` may follow the selection.
    if let Some(apply) = node.parent().and_then(ast::Apply::cast) {
        let is_argument = apply
            .argument()
            .is_some_and(|argument| argument.syntax() == node);
        if let (true, Some(Expr::Select(select))) = (is_argument, apply.lambda()) {
            if select.or_token().is_none() {
                keywords.push("or");
            }
        }
    }
    keywords
}

fn in_string(node: &SyntaxNode) -> bool {
    node.ancestors()
        .take_while(|ancestor| ancestor.kind() != SyntaxKind::NODE_INTERPOL)
        .any(|ancestor| {
            matches!(
                ancestor.kind(),
                SyntaxKind::NODE_STRING
                    | SyntaxKind::NODE_PATH_ABS
                    | SyntaxKind::NODE_PATH_REL
                    | SyntaxKind::NODE_PATH_HOME
                    | SyntaxKind::NODE_PATH_SEARCH
            )
        })
}

/// The token that ends at or contains the position just before `offset`.
fn token_before(root: &SyntaxNode, offset: TextSize) -> Option<SyntaxToken> {
    if offset == TextSize::from(0) {
        return None;
    }
    let offset = offset.min(root.text_range().end());
    root.token_at_offset(offset)
        .left_biased()
        .and_then(|token| {
            if token.text_range().start() >= offset {
                token.prev_token()
            } else {
                Some(token)
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    /// The labels offered at the cursor, in order of rank then label.
    fn labels(fixture: &str) -> Vec<String> {
        labels_in(fixture, None)
    }

    fn labels_in(fixture: &str, file_name: Option<&str>) -> Vec<String> {
        let file = fixture::single(fixture);
        let parse = syntax::parse(&file.text);
        let mut items = complete(&parse.root(), file.cursor(), file_name);
        items.sort_by(|a, b| (a.rank, &a.label).cmp(&(b.rank, &b.label)));
        items.into_iter().map(|item| item.label).collect()
    }

    fn local(fixture: &str) -> Vec<String> {
        let file = fixture::single(fixture);
        let parse = syntax::parse(&file.text);
        let mut items: Vec<CompletionItem> = complete(&parse.root(), file.cursor(), None)
            .into_iter()
            .filter(|item| item.rank < RANK_BUILTIN)
            .collect();
        items.sort_by(|a, b| (a.rank, &a.label).cmp(&(b.rank, &b.label)));
        items.into_iter().map(|item| item.label).collect()
    }

    #[test]
    fn names_in_scope_include_let_parameters_and_pattern_entries() {
        assert_eq!(
            local("{ pkgs, lib ? null, ... }@args: x: let a = 1; b.c = 2; in $0"),
            ["a", "args", "b", "lib", "pkgs", "x"]
        );
        // Inner scopes only where the cursor is inside them.
        assert_eq!(local("let a = 1; in [ (let b = 2; in b) $0 ]"), ["a"]);
        assert_eq!(local("rec { a = 1; b = a$0; }"), ["a", "b"]);
    }

    #[test]
    fn a_typed_prefix_is_replaced() {
        let file = fixture::single("let alpha = 1; in al$0");
        let parse = syntax::parse(&file.text);
        let items = complete(&parse.root(), file.cursor(), None);
        let alpha = items
            .iter()
            .find(|item| item.label == "alpha")
            .expect("alpha offered");
        assert_eq!(&file.text[alpha.replace], "al");
        assert_eq!(alpha.kind, CompletionKind::Variable(BindingKind::Let));
    }

    #[test]
    fn expression_positions_offer_builtins_and_keywords() {
        let offered = labels("let x = 1; in $0");
        for expected in [
            "x", "map", "toString", "builtins", "true", "let", "with", "if",
        ] {
            assert!(
                offered.iter().any(|label| label == expected),
                "{expected}: {offered:?}"
            );
        }
        assert!(!offered.iter().any(|label| label == "then"), "{offered:?}");
        assert!(
            !offered.iter().any(|label| label == "inherit"),
            "{offered:?}"
        );
        let map = {
            let file = fixture::single("ma$0");
            let parse = syntax::parse(&file.text);
            complete(&parse.root(), file.cursor(), None)
                .into_iter()
                .find(|item| item.label == "map")
                .expect("map")
        };
        assert_eq!(map.detail.as_deref(), Some("builtins.map f list"));
    }

    #[test]
    fn unfinished_forms_get_their_next_keyword() {
        assert!(labels("if a $0").contains(&"then".to_owned()));
        assert!(labels("if a then b $0").contains(&"else".to_owned()));
        assert!(!labels("if a then b else $0").contains(&"else".to_owned()));
        assert!(labels("let a = 1; $0").contains(&"in".to_owned()));
        assert!(labels("let s = { a = 1; }; in s.a o$0").contains(&"or".to_owned()));
        assert!(!labels("let s = 1; in f o$0").contains(&"or".to_owned()));
    }

    #[test]
    fn keys_of_a_set_offer_inherit_but_no_names() {
        assert_eq!(labels("let a = 1; in { $0 }"), ["inherit"]);
        assert_eq!(labels("{ a = 1; b$0 }"), ["inherit"]);
        let inherited = labels("let a = 1; in { inherit $0; }");
        assert_eq!(inherited[..2], ["a".to_owned(), "abort".to_owned()]);
        assert!(!inherited.contains(&"let".to_owned()), "{inherited:?}");
    }

    #[test]
    fn builtins_after_the_prefix() {
        let offered = labels("builtins.$0");
        assert!(offered.contains(&"attrNames".to_owned()));
        assert!(offered.contains(&"nixVersion".to_owned()));
        assert_eq!(offered.len(), builtins::BUILTINS.len());
        assert!(labels("builtins.at$0").contains(&"attrNames".to_owned()));
        // A local `builtins` is not Nix's.
        assert!(labels("let builtins = { a = 1; }; in builtins.$0") == ["a"]);
    }

    #[test]
    fn attributes_of_local_sets() {
        assert_eq!(labels("let s = { a = 1; b.c = 2; }; in s.$0"), ["a", "b"]);
        assert_eq!(labels("let s = { a = 1; b.c = 2; }; in s.b.$0"), ["c"]);
        assert_eq!(labels("let s = { a = 1; b.c = 2; }; in s.b.c$0"), ["c"]);
        assert_eq!(labels("let s.x = 1; s.y = { z = 2; }; in s.y.$0"), ["z"]);
        assert_eq!(
            labels("let s = { \"a b\" = 1; inherit c; }; in s.$0"),
            ["\"a b\"", "c"]
        );
        assert_eq!(
            labels("let t = { u = 1; }; s = { inner = t; }; in s.inner.$0"),
            ["u"]
        );
        assert_eq!(labels("let s = { a = 1; }; in { x = s.$0; y = 2; }"), ["a"]);
        assert_eq!(labels("let s = { a = 1; }; in f s.$0\n  x"), ["a"]);
        assert_eq!(labels("let s = { a = 1; }; in { inherit (s) $0; }"), ["a"]);
        // Unknown and cyclic sets give nothing rather than a guess.
        assert!(labels("x: x.$0").is_empty());
        assert!(labels("let s = s; in s.$0").is_empty());
        assert!(labels("let s = import ./a.nix; in s.$0").is_empty());
    }

    #[test]
    fn a_with_of_a_local_set_adds_its_names() {
        assert_eq!(local("let s = { a = 1; }; in with s; $0"), ["s", "a"]);
    }

    #[test]
    fn nothing_inside_strings_and_comments() {
        assert!(labels("\"abc $0\"").is_empty());
        assert!(labels("''ab$0''").is_empty());
        assert!(!labels("let a = 1; in \"${$0}\"").is_empty());
    }

    const FLAKE: &str = r#"{
  description = "x";
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
  inputs.utils = { url = "github:numtide/flake-utils"; $1 };
  outputs = { self, nixpkgs, $2 }: {
    $3
    devShells = { x86_64-linux.default = 1; };
    packages.$4
  };
}
"#;

    fn flake_at(marker: &str) -> Vec<String> {
        let mut text = FLAKE.to_owned();
        for index in 1..=4 {
            let name = format!("${index}");
            text = text.replace(&name, if name == marker { "$0" } else { "" });
        }
        labels_in(&text, Some("flake.nix"))
    }

    #[test]
    fn flake_schema() {
        let input = flake_at("$1");
        for field in ["url", "follows", "flake", "inputs", "owner", "dir"] {
            assert!(input.contains(&field.to_owned()), "{field}: {input:?}");
        }
        assert_eq!(flake_at("$2"), ["utils"]);
        let families = flake_at("$3");
        for family in [
            "packages",
            "devShells",
            "checks",
            "formatter",
            "nixosConfigurations",
            "overlays",
            "templates",
        ] {
            assert!(
                families.contains(&family.to_owned()),
                "{family}: {families:?}"
            );
        }
        assert_eq!(
            flake_at("$4"),
            [
                "aarch64-darwin",
                "aarch64-linux",
                "x86_64-darwin",
                "x86_64-linux"
            ]
        );
        assert_eq!(
            labels_in("{ $0 }", Some("flake.nix")),
            ["description", "inputs", "nixConfig", "outputs", "inherit"]
        );
        assert_eq!(
            labels_in(
                "{ inputs.a.url = \"\"; inputs.b.inputs.$0 }",
                Some("flake.nix")
            ),
            ["a"]
        );
        // Only in flake.nix.
        assert_eq!(labels_in("{ $0 }", None), ["inherit"]);
    }

    #[test]
    fn per_system_sets_offer_families() {
        let text = "{ inputs.u.url = \"\"; outputs = { u, ... }: u.lib.eachDefaultSystem (system: { $0 }); }";
        let offered = labels_in(text, Some("flake.nix"));
        assert!(offered.contains(&"packages".to_owned()), "{offered:?}");
        assert!(
            !offered.contains(&"nixosConfigurations".to_owned()),
            "{offered:?}"
        );
    }

    #[test]
    fn broken_and_empty_text_does_not_panic() {
        for text in [
            "$0",
            "{ a = $0",
            "let $0",
            "x: $0",
            "{ a.$0 }",
            ".$0",
            "\"${$0",
            "{ a, $0 }: 1",
            "inherit $0",
        ] {
            let _ = labels(text);
            let _ = labels_in(text, Some("flake.nix"));
        }
    }
}
