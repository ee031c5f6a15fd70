//! References and document highlight: every place that defines or uses the name under the
//! cursor — a binding's definitions and uses (an `inherit x;` is a use), the attribute of a
//! statically known set through selections and `inherit (s) x`, the names a `with` provides.
//! A pattern entry without default is also used as `args.a` through the pattern's `@` name.

use std::collections::BTreeMap;

use lints::scope::{BindingId, BindingKind, Resolution};
use syntax::ast;
use syntax::helpers::attr_name;
use syntax::{AstNode, SyntaxKind, TextRange, TextSize};

use crate::navigation::{Analysis, NameAt};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReferenceKind {
    /// Where the name is defined.
    Write,
    /// Where it is used.
    Read,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reference {
    pub range: TextRange,
    pub kind: ReferenceKind,
}

/// Every reference to what the name at `offset` names, definitions included, in text order;
/// `None` when the cursor is on nothing that has references.
pub fn references(analysis: &Analysis, offset: TextSize) -> Option<Vec<Reference>> {
    let Some(name_at) = analysis.name_at(offset) else {
        // On the `with` keyword: the names it may provide.
        let with = analysis.with_at(offset)?;
        let found = analysis
            .scopes
            .references()
            .iter()
            .filter(|reference| reference.resolution == Resolution::With(with))
            .map(|reference| Reference {
                range: reference.range,
                kind: ReferenceKind::Read,
            })
            .collect();
        return Some(found);
    };
    let mut found = Found::default();
    match &name_at {
        NameAt::Path { .. } => return None,
        NameAt::Reference {
            resolution,
            defines,
            range,
        } => {
            match resolution {
                Resolution::Binding(id) => binding_references(analysis, *id, &mut found),
                Resolution::With(with) => {
                    same_name(analysis, *range, |other| other == Resolution::With(*with))
                        .into_iter()
                        .for_each(|range| found.read(range));
                }
                Resolution::Builtin => {
                    same_name(analysis, *range, |other| other == Resolution::Builtin)
                        .into_iter()
                        .for_each(|range| found.read(range));
                }
                Resolution::Undefined => {}
            }
            if let Some(id) = defines {
                binding_references(analysis, *id, &mut found);
            }
        }
        NameAt::Definition { binding, .. } => binding_references(analysis, *binding, &mut found),
        NameAt::Attribute {
            range,
            name,
            defines,
        } => {
            if let Some(id) = defines {
                binding_references(analysis, *id, &mut found);
            }
            let definitions = analysis.attribute_definitions(*range);
            attribute_references(analysis, name, &definitions, &mut found);
            // `args.a` is also the entry `a` of `args@{ a, … }`, with its uses.
            for &definition in &definitions {
                if let Some(id) = analysis.scopes.binding_defined_at(definition) {
                    if is_required_entry(analysis, id) {
                        binding_references(analysis, id, &mut found);
                    }
                }
            }
            // A use that names no known set still refers to itself.
            if found.0.is_empty() {
                found.read(*range);
            }
        }
    }
    Some(found.into_sorted())
}

/// The bindings the name at `offset` defines or uses (two for `let inherit x;`).
pub fn bindings_at(name_at: &NameAt) -> Vec<BindingId> {
    match name_at {
        NameAt::Reference {
            resolution,
            defines,
            ..
        } => {
            let mut ids = Vec::new();
            if let Resolution::Binding(id) = resolution {
                ids.push(*id);
            }
            ids.extend(*defines);
            ids
        }
        other => other.binding().into_iter().collect(),
    }
}

#[derive(Default)]
struct Found(BTreeMap<TextSize, Reference>);

impl Found {
    fn write(&mut self, range: TextRange) {
        self.0.insert(
            range.start(),
            Reference {
                range,
                kind: ReferenceKind::Write,
            },
        );
    }

    fn read(&mut self, range: TextRange) {
        self.0.entry(range.start()).or_insert(Reference {
            range,
            kind: ReferenceKind::Read,
        });
    }

    fn into_sorted(self) -> Vec<Reference> {
        self.0.into_values().collect()
    }
}

fn binding_references(analysis: &Analysis, id: BindingId, found: &mut Found) {
    let binding = analysis.scopes.binding(id);
    for &definition in &binding.definitions {
        found.write(definition);
    }
    for reference in analysis.scopes.uses(id) {
        found.read(reference.range);
    }
    // The attributes of a `rec` set are also reached from outside it, and the entries of a
    // pattern without default through its `@` name.
    if binding.kind == BindingKind::Rec || is_required_entry(analysis, id) {
        attribute_references(analysis, &binding.name, &binding.definitions, found);
    }
}

/// Whether `id` is an entry without default of a pattern with an `@` name: `args.a` in
/// `args@{ a, … }` is the same value.
pub(crate) fn is_required_entry(analysis: &Analysis, id: BindingId) -> bool {
    let binding = analysis.scopes.binding(id);
    binding.kind == BindingKind::PatternEntry
        && analysis
            .node_with_range(binding.name_range, |kind| kind == SyntaxKind::NODE_IDENT)
            .and_then(|ident| ident.parent())
            .and_then(ast::PatEntry::cast)
            .is_some_and(|entry| {
                entry.default().is_none()
                    && entry
                        .syntax()
                        .parent()
                        .and_then(ast::Pattern::cast)
                        .is_some_and(|pattern| pattern.pat_bind().is_some())
            })
}

/// The selections (`s.a`, `s ? a`) and `inherit (s) a` names that reach one of `definitions`.
fn attribute_references(
    analysis: &Analysis,
    name: &str,
    definitions: &[TextRange],
    found: &mut Found,
) {
    if definitions.is_empty() {
        return;
    }
    let mut written: Vec<TextRange> = definitions.to_vec();
    for attribute in attribute_uses(analysis, name, definitions) {
        found.read(attribute.range);
        written.extend(attribute.reached);
    }
    for range in written {
        found.write(range);
    }
}

/// A name in a selection or in `inherit (s) …` that reaches a key.
pub(crate) struct AttributeUse {
    pub range: TextRange,
    /// The name is one of `inherit (s) …`, which also binds it.
    pub in_inherit: bool,
    /// Every key it reaches.
    pub reached: Vec<TextRange>,
}

/// The selections (`s.a`, `s ? a`) and `inherit (s) a` names that reach one of `definitions`.
pub(crate) fn attribute_uses(
    analysis: &Analysis,
    name: &str,
    definitions: &[TextRange],
) -> Vec<AttributeUse> {
    let mut uses = Vec::new();
    if definitions.is_empty() {
        return uses;
    }
    for node in analysis.root.descendants() {
        let candidates: Vec<ast::Attr> = match node.kind() {
            SyntaxKind::NODE_SELECT | SyntaxKind::NODE_HAS_ATTR => node
                .children()
                .find(|child| child.kind() == SyntaxKind::NODE_ATTRPATH)
                .map(|path| path.children().filter_map(ast::Attr::cast).collect())
                .unwrap_or_default(),
            SyntaxKind::NODE_INHERIT => match ast::Inherit::cast(node.clone()) {
                Some(inherit) if inherit.from().is_some() => inherit.attrs().collect(),
                _ => Vec::new(),
            },
            _ => continue,
        };
        for attr in candidates {
            if attr_name(&attr).as_deref() != Some(name) {
                continue;
            }
            let range = attr.syntax().text_range();
            let reached = analysis.attribute_definitions(range);
            if reached.iter().any(|target| definitions.contains(target)) {
                uses.push(AttributeUse {
                    range,
                    in_inherit: node.kind() == SyntaxKind::NODE_INHERIT,
                    reached,
                });
            }
        }
    }
    uses
}

/// The references named like the one at `range` whose resolution passes `keep`.
fn same_name(
    analysis: &Analysis,
    range: TextRange,
    keep: impl Fn(Resolution) -> bool,
) -> Vec<TextRange> {
    let name = analysis.slice(range);
    analysis
        .scopes
        .references()
        .iter()
        .filter(|reference| keep(reference.resolution))
        .filter(|reference| analysis.slice(reference.range) == name)
        .map(|reference| reference.range)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    /// Renders each reference as `w@offset` or `r@offset`.
    fn check(fixture: &str, expected: &str) {
        let file = fixture::single(fixture);
        let analysis = Analysis::new(syntax::parse(&file.text).root());
        let rendered = match references(&analysis, file.cursor()) {
            None => "none".to_owned(),
            Some(found) => found
                .iter()
                .map(|reference| {
                    let kind = match reference.kind {
                        ReferenceKind::Write => "w",
                        ReferenceKind::Read => "r",
                    };
                    format!("{kind}@{}", u32::from(reference.range.start()))
                })
                .collect::<Vec<_>>()
                .join(" "),
        };
        assert_eq!(rendered, expected, "in {}", file.text);
    }

    #[test]
    fn bindings_and_their_uses() {
        check("let a = 1; b = a; in $0a + b", "w@4 r@15 r@21");
        check("let $0a = 1; b = a; in a + b", "w@4 r@15 r@21");
        check("let a.x = 1; a.y = 2; in $0a", "w@4 w@13 r@25");
        check("{ a ? b, $0b }: a + b", "r@6 w@9 r@18");
    }

    #[test]
    fn inherit_is_a_use_and_inherit_in_let_also_a_definition() {
        check("x: { inherit $0x; y = x; }", "w@0 r@13 r@20");
        // On `inherit x;` of a `let`: the outer `x` it uses and the binding it defines.
        check("x: let inherit $0x; in x", "w@0 w@15 r@21");
    }

    #[test]
    fn attributes_of_local_sets_through_selections_and_inherit_from() {
        check(
            "let s = { $0a = 1; }; in [ s.a (s ? a) { inherit (s) a; } ]",
            "w@10 r@27 r@34 r@51",
        );
        check("let s = { a.b = 1; }; in s.a.$0b + s.a.b", "w@12 r@29 r@37");
        // A `rec` attribute is used inside the set and selected from outside.
        check("let s = rec { $0a = 1; b = a; }; in s.a", "w@14 r@25 r@36");
        // An attribute of a set nixwise cannot see refers only to itself.
        check("x: x.$0a", "r@5");
    }

    #[test]
    fn entries_without_default_through_the_at_name() {
        check(
            "{ $0a, ... }@args: [ a args.a (args ? a) ]",
            "w@2 r@19 r@26 r@36",
        );
        check("{ a, ... }@args: [ a args.$0a ]", "w@2 r@19 r@26");
        // With a default, `args.a` is what the caller passed.
        check("{ $0a ? 1, ... }@args: [ a args.a ]", "w@2 r@23");
        check("{ a ? 1, ... }@args: args.$0a", "r@26");
    }

    #[test]
    fn attributes_through_updates() {
        check(
            "let x = { $0a = 1; } // { b = 2; }; in [ x.a x.b ]",
            "w@10 r@41",
        );
        check("let x = { a = 1; } // { $0a = 2; }; in x.a", "w@24 r@39");
    }

    #[test]
    fn names_from_a_with_and_builtins() {
        check("with pkgs; [ $0hello hello (x: hello) ]", "r@13 r@19 r@29");
        check("[ $0map map (map: map) ]", "r@2 r@6");
        check("$0nope", "");
        check(
            "w$0ith pkgs; [ hello (with lib; [ mkIf hello ]) x.y ]",
            "r@13 r@25 r@46",
        );
    }
}
