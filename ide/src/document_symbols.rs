//! The outline of a file: the names it binds, nested as the attribute sets that hold them.
//!
//! `let` bindings, attribute set bindings (an attribute path `a.b.c = 1;` nests as `a > b > c`,
//! and `a.b = 1; a.c = 2;` meet under one `a`), the entries of lambda patterns and inherited
//! names. Bindings inside a value (`x = f { y = 1; };`) are children of that value's binding.

use std::collections::HashMap;

use syntax::ast::{self, Expr};
use syntax::helpers::{attr_name, unwrap_parens};
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextRange};

/// What a symbol is, by where it is bound and by the value it has when that is evident.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Function,
    /// An attribute set, also one that an attribute path implies.
    Object,
    Array,
    String,
    Number,
    Boolean,
    Null,
    /// A path literal.
    File,
    /// A `let` binding or inherited name of any other value.
    Variable,
    /// An attribute of a set, of any other value.
    Property,
    /// A pattern entry or the `@` name of a lambda.
    Parameter,
}

/// Where a symbol is bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Let,
    Attr,
    /// `inherit x;` or `inherit (e) x;`: a name that refers to another definition.
    Inherit,
    Parameter,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSymbol {
    pub name: String,
    /// A short description: `inherit (pkgs)`, or a parameter's default.
    pub detail: Option<String>,
    pub kind: SymbolKind,
    pub origin: Origin,
    /// Everything that defines the symbol; for merged attribute paths, all of their definitions.
    pub range: TextRange,
    /// The name.
    pub selection_range: TextRange,
    pub children: Vec<DocumentSymbol>,
}

/// The symbols of a file, in the order of the text. Recursive along the tree, so call it on a
/// thread with [`syntax::WORKER_STACK_SIZE`] of stack.
pub fn document_symbols(root: &SyntaxNode) -> Vec<DocumentSymbol> {
    let mut acc = Vec::new();
    collect(root, &mut acc);
    acc
}

/// The longest detail text shown; longer defaults and sources are cut.
const DETAIL_LIMIT: usize = 40;

fn collect(node: &SyntaxNode, acc: &mut Vec<DocumentSymbol>) {
    match node.kind() {
        SyntaxKind::NODE_ATTR_SET | SyntaxKind::NODE_LET_IN | SyntaxKind::NODE_LEGACY_LET => {
            let origin = match node.kind() {
                SyntaxKind::NODE_ATTR_SET => Origin::Attr,
                _ => Origin::Let,
            };
            let mut set = SetSymbols::default();
            for child in node.children() {
                match child.kind() {
                    SyntaxKind::NODE_ATTRPATH_VALUE => set.binding(&child, origin),
                    SyntaxKind::NODE_INHERIT => set.inherit(&child, origin),
                    // The body of a `let`.
                    _ => {
                        acc.append(&mut set.entries);
                        set.names.clear();
                        collect(&child, acc);
                    }
                }
            }
            acc.append(&mut set.entries);
        }
        SyntaxKind::NODE_LAMBDA => {
            for child in node.children() {
                match child.kind() {
                    SyntaxKind::NODE_PATTERN => pattern(&child, acc),
                    SyntaxKind::NODE_IDENT_PARAM => {}
                    _ => collect(&child, acc),
                }
            }
        }
        _ => {
            for child in node.children() {
                collect(&child, acc);
            }
        }
    }
}

/// The symbols of one attribute set or `let`, with attribute paths merged by their first name.
#[derive(Default)]
struct SetSymbols {
    entries: Vec<DocumentSymbol>,
    /// Index into `entries` by name, built at the first name that may merge: most sets have
    /// none and pay nothing.
    names: HashMap<String, usize>,
    merging: bool,
}

impl SetSymbols {
    fn binding(&mut self, node: &SyntaxNode, origin: Origin) {
        let Some(entry) = ast::AttrpathValue::cast(node.clone()) else {
            return;
        };
        let value = entry.value();
        let mut children = Vec::new();
        if let Some(value) = &value {
            collect(value.syntax(), &mut children);
        }
        let attrs: Vec<ast::Attr> = entry
            .attrpath()
            .map(|path| path.attrs().collect())
            .unwrap_or_default();
        let Some((last, parents)) = attrs.split_last() else {
            // Nothing to name: keep what the value binds.
            self.entries.append(&mut children);
            return;
        };
        let range = node.text_range();
        let leaf_kind = value
            .as_ref()
            .map_or(default_kind(origin), |value| value_kind(value, origin));
        let mut symbol = DocumentSymbol {
            name: name_of(last),
            detail: None,
            kind: leaf_kind,
            origin,
            range,
            selection_range: last.syntax().text_range(),
            children,
        };
        for parent in parents.iter().rev() {
            symbol = DocumentSymbol {
                name: name_of(parent),
                detail: None,
                kind: SymbolKind::Object,
                origin,
                range,
                selection_range: parent.syntax().text_range(),
                children: vec![symbol],
            };
        }
        if !parents.is_empty() && !self.merging {
            self.merging = true;
            self.names = self
                .entries
                .iter()
                .enumerate()
                .map(|(position, entry)| (entry.name.clone(), position))
                .collect();
        }
        self.push(symbol);
    }

    fn inherit(&mut self, node: &SyntaxNode, origin: Origin) {
        let Some(inherit) = ast::Inherit::cast(node.clone()) else {
            return;
        };
        let detail = match inherit.from() {
            Some(from) => {
                let source = from.expr().map(|expr| expr.syntax().to_string());
                Some(format!(
                    "inherit ({})",
                    shorten(source.as_deref().unwrap_or(""))
                ))
            }
            None => Some("inherit".to_owned()),
        };
        let kind = match origin {
            Origin::Let => SymbolKind::Variable,
            _ => SymbolKind::Property,
        };
        for attr in inherit.attrs() {
            let range = attr.syntax().text_range();
            self.push(DocumentSymbol {
                name: name_of(&attr),
                detail: detail.clone(),
                kind,
                origin: Origin::Inherit,
                range,
                selection_range: range,
                children: Vec::new(),
            });
        }
    }

    fn push(&mut self, symbol: DocumentSymbol) {
        if !self.merging {
            self.entries.push(symbol);
            return;
        }
        match self.names.get(&symbol.name) {
            Some(&position) => merge(&mut self.entries[position], symbol),
            None => {
                self.names.insert(symbol.name.clone(), self.entries.len());
                self.entries.push(symbol);
            }
        }
    }
}

/// Puts a second definition of the same name under the first: `a.b = 1; a.c = 2;`.
fn merge(into: &mut DocumentSymbol, other: DocumentSymbol) {
    into.range = into.range.cover(other.range);
    if into.kind != SymbolKind::Object && !other.children.is_empty() {
        into.kind = SymbolKind::Object;
    }
    for child in other.children {
        match into
            .children
            .iter_mut()
            .find(|existing| existing.name == child.name)
        {
            Some(existing) => merge(existing, child),
            None => into.children.push(child),
        }
    }
}

fn pattern(node: &SyntaxNode, acc: &mut Vec<DocumentSymbol>) {
    let Some(pattern) = ast::Pattern::cast(node.clone()) else {
        return;
    };
    let at = pattern.pat_bind().and_then(|bind| {
        let ident = bind.ident()?;
        Some(parameter(
            &ident,
            bind.syntax().text_range(),
            Some("@ pattern".to_owned()),
        ))
    });
    // `args@{ … }` lists the name first, `{ … }@args` last, as the text does.
    let (before, after) = match at {
        Some(symbol) if symbol.range.start() == node.text_range().start() => (Some(symbol), None),
        other => (None, other),
    };
    acc.extend(before);
    for entry in pattern.pat_entries() {
        let Some(ident) = entry.ident() else { continue };
        let detail = entry
            .default()
            .map(|default| format!("? {}", shorten(&default.syntax().to_string())));
        let mut symbol = parameter(&ident, entry.syntax().text_range(), detail);
        if let Some(default) = entry.default() {
            collect(default.syntax(), &mut symbol.children);
        }
        acc.push(symbol);
    }
    acc.extend(after);
}

fn parameter(ident: &ast::Ident, range: TextRange, detail: Option<String>) -> DocumentSymbol {
    DocumentSymbol {
        name: ident.syntax().text().to_string(),
        detail,
        kind: SymbolKind::Parameter,
        origin: Origin::Parameter,
        range,
        selection_range: ident.syntax().text_range(),
        children: Vec::new(),
    }
}

/// The name of an attribute as written when it is not static (`${x}`).
fn name_of(attr: &ast::Attr) -> String {
    attr_name(attr).unwrap_or_else(|| attr.syntax().text().to_string())
}

fn default_kind(origin: Origin) -> SymbolKind {
    match origin {
        Origin::Let | Origin::Inherit => SymbolKind::Variable,
        Origin::Attr => SymbolKind::Property,
        Origin::Parameter => SymbolKind::Parameter,
    }
}

fn value_kind(value: &Expr, origin: Origin) -> SymbolKind {
    match unwrap_parens(value.clone()) {
        Expr::Lambda(_) => SymbolKind::Function,
        Expr::AttrSet(_) => SymbolKind::Object,
        Expr::List(_) => SymbolKind::Array,
        Expr::Str(_) => SymbolKind::String,
        Expr::Literal(_) => SymbolKind::Number,
        Expr::PathAbs(_) | Expr::PathRel(_) | Expr::PathHome(_) | Expr::PathSearch(_) => {
            SymbolKind::File
        }
        Expr::Ident(ident) => match ident.syntax().text() {
            text if text == "true" || text == "false" => SymbolKind::Boolean,
            text if text == "null" => SymbolKind::Null,
            _ => default_kind(origin),
        },
        _ => default_kind(origin),
    }
}

/// The first line of `text`, cut to [`DETAIL_LIMIT`] characters.
fn shorten(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    let mut out: String = line.chars().take(DETAIL_LIMIT).collect();
    if out.len() < line.len() || line.len() < text.trim().len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use expect_test::{expect, Expect};

    use super::*;

    /// Renders the outline as an indented tree: `kind name [selected text] (detail)`.
    fn check(text: &str, expected: Expect) {
        let root = syntax::parse(text).root();
        let symbols = document_symbols(&root);
        let mut out = String::new();
        render(text, &symbols, 0, &mut out);
        expected.assert_eq(&out);
    }

    fn render(text: &str, symbols: &[DocumentSymbol], depth: usize, out: &mut String) {
        for symbol in symbols {
            assert!(
                symbol.range.contains_range(symbol.selection_range),
                "{symbol:?}"
            );
            out.push_str(&"  ".repeat(depth));
            out.push_str(&format!(
                "{:?} {} [{}]",
                symbol.kind, symbol.name, &text[symbol.selection_range]
            ));
            if let Some(detail) = &symbol.detail {
                out.push_str(&format!(" ({detail})"));
            }
            out.push('\n');
            render(text, &symbol.children, depth + 1, out);
        }
    }

    #[test]
    fn let_bindings_and_the_body_set() {
        check(
            r#"
{ pkgs, lib ? pkgs.lib, ... }@args:
let
  name = "x";
  f = a: a;
  inherit (lib) mkIf;
in {
  inherit name;
  n = 1;
  flag = true;
  none = null;
  src = ./src;
  deps = [ ];
  drv = pkgs.mkDerivation { pname = name; };
}
"#,
            expect![[r#"
                Parameter pkgs [pkgs]
                Parameter lib [lib] (? pkgs.lib)
                Parameter args [args] (@ pattern)
                String name [name]
                Function f [f]
                Variable mkIf [mkIf] (inherit (lib))
                Property name [name] (inherit)
                Number n [n]
                Boolean flag [flag]
                Null none [none]
                File src [src]
                Array deps [deps]
                Property drv [drv]
                  Property pname [pname]
            "#]],
        );
    }

    #[test]
    fn attribute_paths_nest_and_merge() {
        check(
            r#"
{
  a.b.c = 1;
  x = 2;
  a.b.d = { e = 3; };
  a.f = 4;
  "quoted name" = 5;
  ${dyn} = 6;
}
"#,
            expect![[r#"
                Object a [a]
                  Object b [b]
                    Number c [c]
                    Object d [d]
                      Number e [e]
                  Number f [f]
                Number x [x]
                Number quoted name ["quoted name"]
                Number ${dyn} [${dyn}]
            "#]],
        );
    }

    #[test]
    fn a_set_then_a_path_into_it_merge() {
        let text = "{ a = { b = 1; }; a.c = 2; }";
        let root = syntax::parse(text).root();
        let symbols = document_symbols(&root);
        assert_eq!(symbols.len(), 1);
        assert_eq!(symbols[0].children.len(), 2);
        // The merged symbol covers both of its definitions.
        assert_eq!(&text[symbols[0].range], "a = { b = 1; }; a.c = 2;");
    }

    #[test]
    fn lambdas_inside_values_and_broken_code() {
        check(
            r#"
{
  mkThing = { name, version ? "1" }: { inherit name; meta.v = version; };
  broken = ;
  = 3;
}
"#,
            expect![[r#"
                Function mkThing [mkThing]
                  Parameter name [name]
                  Parameter version [version] (? "1")
                  Property name [name] (inherit)
                  Object meta [meta]
                    Property v [v]
                Property broken [broken]
            "#]],
        );
    }
}
