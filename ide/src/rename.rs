//! Rename a binding: a `let` name, a parameter, a pattern entry, an `@` bind or a name a `let`
//! inherits. Attribute names stay what they are, so `inherit x;` becomes `x = new;`. A pattern
//! entry without default renames its selections through the `@` name with it (`args.a` becomes
//! `args.new`, `inherit (args) a;` becomes `a = args.new;`), since callers now pass the new name;
//! with a default, `args.a` is what the caller passed and stays as it is.
//!
//! A key of a non-recursive set that a `let` binds (`let s = { a = 1; }; in s.a`) is renamed
//! with its selections, but only when every use of `s` selects a static name from it: a set that
//! is passed on, returned, merged, opened with `with`, read by `inherit (s)`, selected with
//! `${…}`, or that has a computed key or inherits that name, may be reached by names nixwise does
//! not see, and is refused.
//!
//! Refused: builtins, names that may come from a `with`, other attributes (renaming a key or a
//! `rec` attribute changes the set's value), names that are not identifiers, and any rename that
//! would change what a name refers to — a use captured by another binding of the new name nearer
//! to it, or another use of the new name captured by the renamed binding.

use std::collections::BTreeMap;

use lints::scope::{BindingId, BindingKind, Resolution};
use syntax::ast;
use syntax::ast::HasEntry;
use syntax::helpers::{attr_name, is_plain_ident, text_with_parens};
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextEdit, TextRange, TextSize};

use crate::navigation::{Analysis, NameAt};
use crate::references::{attribute_uses, is_required_entry, AttributeUse};

/// Why a rename is refused, in words for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenameError(pub String);

/// The range of the name that a rename at `offset` would change, and its current text.
pub fn prepare_rename(
    analysis: &Analysis,
    offset: TextSize,
) -> Result<(TextRange, String), RenameError> {
    if let Some(attribute) = set_attribute_at(analysis, offset)? {
        return Ok((attribute.at, attribute.name));
    }
    let (name_at, id) = target(analysis, offset)?;
    Ok((name_at.range(), analysis.scopes.binding(id).name.clone()))
}

/// The edits that rename the binding at `offset` to `new_name`, in text order.
pub fn rename(
    analysis: &Analysis,
    offset: TextSize,
    new_name: &str,
) -> Result<Vec<TextEdit>, RenameError> {
    if !is_plain_ident(new_name) {
        return Err(RenameError(format!(
            "`{new_name}` is not a valid Nix identifier"
        )));
    }
    if let Some(attribute) = set_attribute_at(analysis, offset)? {
        return checked(analysis, attribute.edits(new_name)?);
    }
    let (_, id) = target(analysis, offset)?;
    let binding = analysis.scopes.binding(id);
    if new_name == binding.name {
        return Ok(Vec::new());
    }
    check_captures(analysis, id, new_name)?;
    let mut rewrites = Rewrites::default();
    for &definition in &binding.definitions {
        rewrites.definition(analysis, binding.kind, definition, new_name)?;
    }
    for reference in analysis.scopes.uses(id) {
        rewrites.usage(analysis, reference.range, new_name)?;
    }
    // The caller now passes the new name, so `args.a` becomes `args.new` with it.
    if is_required_entry(analysis, id) {
        for attribute in attribute_uses(analysis, &binding.name, &binding.definitions) {
            rewrites.attribute(analysis, &attribute, new_name)?;
        }
    }
    checked(analysis, rewrites.into_edits())
}

/// `edits`, unless they overlap or the renamed text has more syntax errors than the text.
fn checked(analysis: &Analysis, edits: Vec<TextEdit>) -> Result<Vec<TextEdit>, RenameError> {
    let text = analysis.text();
    let before = syntax::parse(text).errors().len();
    let after = syntax::apply_edits(text, &edits)
        .map(|renamed| syntax::parse(&renamed).errors().len())
        .map_err(|_| RenameError("the rename gives overlapping edits".to_owned()))?;
    if after > before {
        return Err(RenameError(
            "the renamed text would not parse; nothing was changed".to_owned(),
        ));
    }
    Ok(edits)
}

/// A key of a set that a non-recursive `let` binds, with every selection that reaches it:
/// `let s = { a = 1; }; in s.a`.
struct SetAttribute {
    /// The name under the cursor.
    at: TextRange,
    name: String,
    set: ast::AttrSet,
    /// The first names of the entries that define it (`a = …;`, `a.b = …;`).
    keys: Vec<TextRange>,
    /// The first names of the selections `s.a…` and `s ? a…`.
    selections: Vec<TextRange>,
}

impl SetAttribute {
    fn edits(&self, new_name: &str) -> Result<Vec<TextEdit>, RenameError> {
        if new_name == self.name {
            return Ok(Vec::new());
        }
        if set_keys(&self.set)
            .into_iter()
            .flatten()
            .any(|(name, _, _)| name == new_name)
        {
            return Err(RenameError(format!(
                "the set already has an attribute `{new_name}`"
            )));
        }
        let mut edits: Vec<TextEdit> = self
            .keys
            .iter()
            .chain(&self.selections)
            .map(|&range| TextEdit::replace(range, new_name))
            .collect();
        edits.sort_by_key(|edit| edit.range.start());
        Ok(edits)
    }
}

/// The key of a local set renamable at `offset`: `Ok(None)` when the name there is not an
/// attribute of a set a `let` binds, an error when it is but its set is used in a way that a
/// rename of the key could change (passed on, returned, merged, `with`, `inherit (s)`, a
/// dynamic key or selection), since the attribute might then be reached by a name nixwise does
/// not see.
fn set_attribute_at(
    analysis: &Analysis,
    offset: TextSize,
) -> Result<Option<SetAttribute>, RenameError> {
    let Some(NameAt::Attribute {
        range,
        name,
        defines: None,
    }) = analysis.name_at(offset)
    else {
        return Ok(None);
    };
    let Some(attrpath) = analysis
        .node_with_range(range, |kind| {
            matches!(kind, SyntaxKind::NODE_IDENT | SyntaxKind::NODE_STRING)
        })
        .and_then(|node| node.parent())
        .filter(|parent| parent.kind() == SyntaxKind::NODE_ATTRPATH)
    else {
        return Ok(None);
    };
    // Only the first name of a path: `s.a.b` renames `a` of `s`, not `b` of `s.a`.
    if attrpath.first_child().map(|first| first.text_range()) != Some(range) {
        return Ok(None);
    }
    let Some(holder) = attrpath.parent() else {
        return Ok(None);
    };
    let found = match holder.kind() {
        SyntaxKind::NODE_ATTRPATH_VALUE => holder
            .parent()
            .and_then(ast::AttrSet::cast)
            .and_then(|set| Some((let_binding_of(analysis, &set)?, set))),
        SyntaxKind::NODE_SELECT | SyntaxKind::NODE_HAS_ATTR => {
            let base = holder.first_child().and_then(ast::Ident::cast);
            base.and_then(
                |base| match analysis.scopes.resolve(base.syntax().text_range()) {
                    Some(Resolution::Binding(id)) => Some((id, bound_set(analysis, id)?)),
                    _ => None,
                },
            )
        }
        _ => None,
    };
    let Some((id, set)) = found else {
        return Ok(None);
    };
    let binding = analysis.scopes.binding(id);
    let refuse = |why: &str| {
        Err(RenameError(format!(
            "`{name}` is an attribute of `{}`, which {why}: renaming it could change the set",
            binding.name
        )))
    };
    if set.rec_token().is_some() {
        return refuse("is a `rec` set");
    }
    let Some(keys) = set_keys(&set) else {
        return refuse("has a computed key");
    };
    let keys: Vec<(String, TextRange, bool)> = keys
        .into_iter()
        .filter(|(key, _, _)| *key == name)
        .collect();
    if keys.is_empty() {
        return Ok(None);
    }
    if keys.iter().any(|(_, _, inherited)| *inherited) {
        return refuse("inherits it");
    }
    let keys = keys.into_iter().map(|(_, range, _)| range).collect();
    let mut selections = Vec::new();
    for reference in analysis.scopes.uses(id) {
        let selected = analysis
            .node_with_range(reference.range, |kind| kind == SyntaxKind::NODE_IDENT)
            .and_then(|ident| {
                let holder = ident.parent()?;
                let is_base = matches!(
                    holder.kind(),
                    SyntaxKind::NODE_SELECT | SyntaxKind::NODE_HAS_ATTR
                ) && holder.first_child().as_ref() == Some(&ident);
                is_base.then_some(holder)
            })
            .and_then(|holder| {
                holder
                    .children()
                    .find(|child| child.kind() == SyntaxKind::NODE_ATTRPATH)?
                    .first_child()
                    .and_then(ast::Attr::cast)
            });
        let Some(first) = selected else {
            return refuse("is used other than by selecting an attribute");
        };
        match attr_name(&first) {
            Some(selected) if selected == name => selections.push(first.syntax().text_range()),
            Some(_) => {}
            None => return refuse("has a computed selection"),
        }
    }
    Ok(Some(SetAttribute {
        at: range,
        name,
        set,
        keys,
        selections,
    }))
}

/// The binding of `let s = { … };` whose whole value is `set`.
fn let_binding_of(analysis: &Analysis, set: &ast::AttrSet) -> Option<BindingId> {
    let mut value = set.syntax().clone();
    while let Some(parent) = value
        .parent()
        .filter(|p| p.kind() == SyntaxKind::NODE_PAREN)
    {
        value = parent;
    }
    let entry = ast::AttrpathValue::cast(value.parent()?)?;
    if entry.value()?.syntax() != &value {
        return None;
    }
    let mut attrs = entry.attrpath()?.attrs();
    let name = attrs.next()?;
    if attrs.next().is_some() {
        return None;
    }
    let id = analysis
        .scopes
        .binding_defined_at(name.syntax().text_range())?;
    let binding = analysis.scopes.binding(id);
    (binding.kind == BindingKind::Let && binding.definitions.len() == 1).then_some(id)
}

/// The set that the `let` binding `id` is, when its value is a set written there.
fn bound_set(analysis: &Analysis, id: BindingId) -> Option<ast::AttrSet> {
    let binding = analysis.scopes.binding(id);
    if binding.kind != BindingKind::Let || binding.definitions.len() != 1 {
        return None;
    }
    let entry = analysis
        .node_with_range(binding.name_range, |kind| {
            matches!(kind, SyntaxKind::NODE_IDENT | SyntaxKind::NODE_STRING)
        })?
        .parent()?
        .parent()
        .and_then(ast::AttrpathValue::cast)?;
    let set = match syntax::helpers::unwrap_parens(entry.value()?) {
        ast::Expr::AttrSet(set) => set,
        _ => return None,
    };
    (let_binding_of(analysis, &set) == Some(id)).then_some(set)
}

/// The first name of every entry of `set`, where it is written, and whether an `inherit` writes
/// it; `None` when a key is computed (`${…}`), which could be any name.
fn set_keys(set: &ast::AttrSet) -> Option<Vec<(String, TextRange, bool)>> {
    let mut keys = Vec::new();
    for entry in set.entries() {
        match entry {
            ast::Entry::AttrpathValue(entry) => {
                let first = entry.attrpath()?.attrs().next()?;
                keys.push((attr_name(&first)?, first.syntax().text_range(), false));
            }
            ast::Entry::Inherit(inherit) => {
                for attr in inherit.attrs() {
                    keys.push((attr_name(&attr)?, attr.syntax().text_range(), true));
                }
            }
        }
    }
    Some(keys)
}

/// The binding that a rename at `offset` renames.
fn target(analysis: &Analysis, offset: TextSize) -> Result<(NameAt, BindingId), RenameError> {
    let refuse = |message: String| Err(RenameError(message));
    let Some(name_at) = analysis.name_at(offset) else {
        return refuse("there is no name here to rename".to_owned());
    };
    let text = analysis.slice(name_at.range()).to_owned();
    let id = match &name_at {
        // `let inherit x;` renames the binding it introduces; its source stays `x`.
        NameAt::Reference {
            defines: Some(id), ..
        } => *id,
        NameAt::Reference { resolution, .. } => match resolution {
            Resolution::Binding(id) => *id,
            Resolution::With(_) => {
                return refuse(format!(
                    "`{text}` may come from a `with`: renaming it cannot be done safely"
                ))
            }
            Resolution::Builtin => return refuse(format!("`{text}` is a builtin of Nix")),
            Resolution::Undefined => return refuse(format!("`{text}` is not defined")),
        },
        NameAt::Definition { binding, .. } => *binding,
        NameAt::Attribute {
            defines: Some(id), ..
        } => *id,
        // `args.a` of `args@{ a, … }`: the entry `a`.
        NameAt::Attribute { range, .. } if required_entry_of(analysis, *range).is_some() => {
            required_entry_of(analysis, *range).expect("just checked")
        }
        NameAt::Attribute { .. } => {
            return refuse(format!(
                "`{text}` is an attribute name: renaming it would change the set"
            ))
        }
        NameAt::Path { .. } => return refuse("a path cannot be renamed".to_owned()),
    };
    if matches!(
        analysis.scopes.binding(id).kind,
        BindingKind::Rec | BindingKind::RecInherit
    ) {
        return refuse(format!(
            "`{text}` is an attribute of a `rec` set: renaming it would change the set"
        ));
    }
    Ok((name_at, id))
}

/// The pattern entry without default that the selection name at `range` reaches, if any.
fn required_entry_of(analysis: &Analysis, range: TextRange) -> Option<BindingId> {
    match analysis.attribute_definitions(range).as_slice() {
        [definition] => analysis
            .scopes
            .binding_defined_at(*definition)
            .filter(|&id| is_required_entry(analysis, id)),
        _ => None,
    }
}

/// Refuses a rename that would change what any name refers to.
fn check_captures(analysis: &Analysis, id: BindingId, new_name: &str) -> Result<(), RenameError> {
    let scopes = &analysis.scopes;
    let binding = scopes.binding(id);
    let scope = binding.scope_node;
    let same_name = || {
        scopes
            .bindings()
            .iter()
            .enumerate()
            .filter(move |(position, other)| other.name == new_name && *position != id.0 as usize)
            .map(|(_, other)| other)
    };
    if let Some(other) = same_name().find(|other| other.scope_node == scope) {
        return Err(RenameError(format!(
            "`{new_name}` is already defined in the same scope (at offset {})",
            u32::from(other.name_range.start())
        )));
    }
    // A binding of the new name between a use and the renamed binding would take the use.
    let inner: Vec<TextRange> = same_name()
        .map(|other| other.scope_node)
        .filter(|inner| scope.contains_range(*inner) && *inner != scope)
        .collect();
    for reference in scopes.uses(id) {
        if inner
            .iter()
            .any(|inner| inner.contains_range(reference.range))
        {
            return Err(RenameError(format!(
                "a use of `{}` would refer to another `{new_name}` that is nearer to it",
                binding.name
            )));
        }
    }
    // A use of the new name inside the renamed binding's scope that refers elsewhere today.
    for reference in scopes.references() {
        if !scope.contains_range(reference.range) || analysis.slice(reference.range) != new_name {
            continue;
        }
        let shielded = match reference.resolution {
            Resolution::Binding(other) => {
                let other_scope = scopes.binding(other).scope_node;
                scope.contains_range(other_scope) && other_scope != scope
            }
            _ => false,
        };
        if shielded || inherit_skips(analysis, reference.range, scope) {
            continue;
        }
        return Err(RenameError(format!(
            "`{new_name}` is already used inside the scope of `{}` and would refer to it",
            binding.name
        )));
    }
    Ok(())
}

/// Whether the name at `range` is an `inherit` without source held by the node at `scope`,
/// which looks past that node's own bindings.
fn inherit_skips(analysis: &Analysis, range: TextRange, scope: TextRange) -> bool {
    analysis
        .node_with_range(range, |kind| kind == SyntaxKind::NODE_IDENT)
        .and_then(|node| node.parent())
        .filter(|parent| parent.kind() == SyntaxKind::NODE_INHERIT)
        .and_then(|inherit| inherit.parent())
        .is_some_and(|holder| holder.text_range() == scope)
}

/// The edits of a rename, with names of `inherit` turned into `name = value;` entries.
#[derive(Default)]
struct Rewrites {
    plain: Vec<TextEdit>,
    /// For each `inherit` (by its range): the names that leave it, and the entries replacing them.
    inherits: BTreeMap<TextSize, (SyntaxNode, Vec<(TextRange, String)>)>,
}

impl Rewrites {
    fn definition(
        &mut self,
        analysis: &Analysis,
        kind: BindingKind,
        range: TextRange,
        new_name: &str,
    ) -> Result<(), RenameError> {
        if kind != BindingKind::LetInherit {
            self.plain.push(TextEdit::replace(range, new_name));
            return Ok(());
        }
        let (inherit, old) = inherit_of(analysis, range)?;
        let value = match inherit.from().and_then(|from| from.expr()) {
            Some(source) => format!("{}.{old}", selection_base(&source)),
            None => old,
        };
        self.leave_inherit(&inherit, range, format!("{new_name} = {value};"));
        Ok(())
    }

    /// A selection of the renamed name: `args.a` becomes `args.new`, and `inherit (args) a;`
    /// becomes `a = args.new;`, keeping the name it binds.
    fn attribute(
        &mut self,
        analysis: &Analysis,
        attribute: &AttributeUse,
        new_name: &str,
    ) -> Result<(), RenameError> {
        if !attribute.in_inherit {
            self.plain
                .push(TextEdit::replace(attribute.range, new_name));
            return Ok(());
        }
        let (inherit, old) = inherit_of(analysis, attribute.range)?;
        let Some(source) = inherit.from().and_then(|from| from.expr()) else {
            return Err(RenameError(
                "an inherited name could not be read".to_owned(),
            ));
        };
        let entry = format!("{old} = {}.{new_name};", selection_base(&source));
        self.leave_inherit(&inherit, attribute.range, entry);
        Ok(())
    }

    fn usage(
        &mut self,
        analysis: &Analysis,
        range: TextRange,
        new_name: &str,
    ) -> Result<(), RenameError> {
        let in_inherit = analysis
            .node_with_range(range, |kind| kind == SyntaxKind::NODE_IDENT)
            .and_then(|node| node.parent())
            .is_some_and(|parent| parent.kind() == SyntaxKind::NODE_INHERIT);
        if !in_inherit {
            self.plain.push(TextEdit::replace(range, new_name));
            return Ok(());
        }
        // The attribute keeps its name: `inherit x;` becomes `x = new;`.
        let (inherit, old) = inherit_of(analysis, range)?;
        self.leave_inherit(&inherit, range, format!("{old} = {new_name};"));
        Ok(())
    }

    fn leave_inherit(&mut self, inherit: &ast::Inherit, range: TextRange, entry: String) {
        self.inherits
            .entry(inherit.syntax().text_range().start())
            .or_insert_with(|| (inherit.syntax().clone(), Vec::new()))
            .1
            .push((range, entry));
    }

    fn into_edits(self) -> Vec<TextEdit> {
        let mut edits = self.plain;
        for (inherit, leaving) in self.inherits.into_values() {
            let Some(inherit) = ast::Inherit::cast(inherit) else {
                continue;
            };
            let names: Vec<TextRange> = inherit
                .attrs()
                .map(|attr| attr.syntax().text_range())
                .collect();
            let entries: Vec<&str> = leaving.iter().map(|(_, entry)| entry.as_str()).collect();
            if names
                .iter()
                .all(|name| leaving.iter().any(|(range, _)| range == name))
            {
                edits.push(TextEdit::replace(
                    inherit.syntax().text_range(),
                    entries.join(" "),
                ));
                continue;
            }
            for (range, _) in &leaving {
                // The name and the space after it.
                let end = names
                    .iter()
                    .find(|name| name.start() > range.start())
                    .map_or(range.end(), |next| next.start());
                edits.push(TextEdit::delete(TextRange::new(range.start(), end)));
            }
            edits.push(TextEdit::insert(
                inherit.syntax().text_range().end(),
                format!(" {}", entries.join(" ")),
            ));
        }
        edits.sort_by_key(|edit| (edit.range.start(), edit.range.end()));
        edits
    }
}

/// The source of `inherit (source) …` written as the left side of a selection.
fn selection_base(source: &ast::Expr) -> String {
    match source {
        ast::Expr::Select(select) if select.default_expr().is_some() => {
            format!("({})", source.syntax())
        }
        _ => text_with_parens(source, 15),
    }
}

/// The `inherit` that holds the name at `range`, and the name as written.
fn inherit_of(
    analysis: &Analysis,
    range: TextRange,
) -> Result<(ast::Inherit, String), RenameError> {
    analysis
        .node_with_range(range, |kind| {
            matches!(kind, SyntaxKind::NODE_IDENT | SyntaxKind::NODE_STRING)
        })
        .and_then(|node| {
            let inherit = ast::Inherit::cast(node.parent()?)?;
            Some((inherit, node.to_string()))
        })
        .ok_or_else(|| RenameError("an inherited name could not be read".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    fn renamed(fixture: &str, new_name: &str) -> Result<String, String> {
        let file = fixture::single(fixture);
        let analysis = Analysis::new(syntax::parse(&file.text).root());
        let edits = rename(&analysis, file.cursor(), new_name).map_err(|error| error.0)?;
        Ok(syntax::apply_edits(&file.text, &edits).expect("edits apply"))
    }

    fn check(fixture: &str, new_name: &str, expected: &str) {
        assert_eq!(renamed(fixture, new_name).as_deref(), Ok(expected));
    }

    fn check_refused(fixture: &str, new_name: &str, reason: &str) {
        match renamed(fixture, new_name) {
            Ok(text) => panic!("renamed to {text}"),
            Err(message) => assert!(message.contains(reason), "{message}"),
        }
    }

    #[test]
    fn let_bindings_and_their_uses() {
        check(
            "let $0a = 1; b = a; in a + b",
            "z",
            "let z = 1; b = z; in z + b",
        );
        check(
            "let a.x = 1; a.y = 2; in $0a",
            "z",
            "let z.x = 1; z.y = 2; in z",
        );
        check("x: y: $0x", "z", "z: y: z");
    }

    #[test]
    fn pattern_entries_with_defaults_and_inherit() {
        check(
            "{ a ? b, $0b }: { inherit b; c = a; }",
            "z",
            "{ a ? z, z }: { b = z; c = a; }",
        );
        check(
            "{ $0a, b }: { inherit a b; }",
            "z",
            "{ z, b }: { inherit b; a = z; }",
        );
    }

    #[test]
    fn entries_without_default_rename_their_selections_through_the_at_name() {
        check(
            "{ $0a, ... }@args: [ a args.a (args ? a) { inherit (args) a; } ]",
            "z",
            "{ z, ... }@args: [ z args.z (args ? z) { a = args.z; } ]",
        );
        // From the selection.
        check(
            "args@{ a, ... }: args.$0a + a",
            "z",
            "args@{ z, ... }: args.z + z",
        );
        // With a default, `args.a` is what the caller passed: it stays.
        check(
            "{ $0a ? 1, ... }@args: [ a args.a ]",
            "z",
            "{ z ? 1, ... }@args: [ z args.a ]",
        );
        check_refused("{ a ? 1, ... }@args: args.$0a", "z", "attribute name");
    }

    #[test]
    fn keys_of_a_set_a_let_binds_with_their_selections() {
        check(
            "let s = { $0a = 1; a2 = 2; }; in [ s.a s.a2 (s ? a) (s.a or 3) ]",
            "z",
            "let s = { z = 1; a2 = 2; }; in [ s.z s.a2 (s ? z) (s.z or 3) ]",
        );
        // From a selection, with paths and a body that selects its own set.
        check(
            "let s = ({ a.b = 1; a.c = s.a.b; inherit x; }); in s.$0a.c",
            "z",
            "let s = ({ z.b = 1; z.c = s.z.b; inherit x; }); in s.z.c",
        );
        // Only the first name: `b` belongs to the value of `a`.
        check_refused("let s = { a.$0b = 1; }; in s.a.b", "z", "attribute name");
    }

    #[test]
    fn keys_of_sets_that_escape_are_refused() {
        for (fixture, why) in [
            ("let s = { $0a = 1; }; in s", "used other than"),
            ("let s = { $0a = 1; }; in f s", "used other than"),
            ("let s = { $0a = 1; }; in s // { }", "used other than"),
            ("let s = { $0a = 1; }; in with s; a", "used other than"),
            (
                "let s = { $0a = 1; }; in { inherit (s) a; }",
                "used other than",
            ),
            ("let s = { $0a = 1; }; in { inherit s; }", "used other than"),
            ("n: let s = { $0a = 1; }; in s.${n}", "computed selection"),
            ("n: let s = { $0a = 1; ${n} = 2; }; in s.a", "computed key"),
            ("let s = rec { $0a = 1; }; in s.a", "`rec` set"),
            ("let s = { inherit (t) a; }; in s.$0a", "inherits it"),
        ] {
            check_refused(fixture, "z", why);
        }
        check_refused("let s = { $0a = 1; b = 2; }; in s.a", "b", "already has");
        // A set nixwise does not see.
        check_refused("s: s.$0a", "z", "attribute name");
        check_refused("{ $0a = 1; }", "z", "attribute name");
    }

    #[test]
    fn inherited_names_of_a_let() {
        check("x: let inherit $0x; in x", "z", "x: let z = x; in z");
        check(
            "let s = { a = 1; }; inherit (s) $0a b; in a",
            "z",
            "let s = { a = 1; }; inherit (s) b; z = s.a; in z",
        );
        // Renaming the outer name keeps the inner binding's name.
        check("$0x: let inherit x; in x", "z", "z: let x = z; in x");
    }

    #[test]
    fn refuses_builtins_with_attributes_and_bad_names() {
        check_refused("$0map", "f", "builtin");
        check_refused("with pkgs; $0hello", "f", "`with`");
        check_refused("{ $0a = 1; }", "f", "attribute name");
        check_refused("let s = { $0a = 1; }; in s", "f", "used other than");
        check_refused("rec { $0a = 1; b = a; }", "f", "`rec` set");
        check_refused("let $0a = 1; in a", "in", "not a valid");
        check_refused("let $0a = 1; in a", "1a", "not a valid");
        check_refused("$0nope", "f", "not defined");
    }

    #[test]
    fn refuses_captures() {
        // The new name is bound between a use and the binding.
        check_refused("let $0a = 1; in b: a", "b", "nearer");
        check_refused("let $0a = 1; in let b = 2; in a", "b", "nearer");
        // A use of the new name inside the scope would be taken by the renamed binding.
        check_refused("b: let $0a = 1; in a + b", "b", "already used");
        check_refused("let $0a = 1; in map a", "map", "already used");
        check_refused("with pkgs; let $0a = 1; in hello", "hello", "already used");
        check_refused("let $0a = 1; in a + nope", "nope", "already used");
        // The new name is defined in the same scope.
        check_refused("let $0a = 1; b = 2; in a", "b", "same scope");
        check_refused("{ $0a, b }: a", "b", "same scope");
        // After `inherit a;` becomes `a = b;`, a `b` of that `let` would take it.
        check_refused("$0a: let inherit a; b = 1; in a + b", "b", "nearer");
    }

    #[test]
    fn allowed_shadowing_is_not_refused() {
        // An inner binding of the new name that the renamed binding's uses never pass.
        check(
            "let $0a = 1; in [ a (b: b) ]",
            "b",
            "let b = 1; in [ b (b: b) ]",
        );
        // A `let inherit b;` looks past its own `let`.
        check(
            "b: let inherit b; $0a = 1; in a",
            "c",
            "b: let inherit b; c = 1; in c",
        );
    }

    #[test]
    fn prepare_gives_the_name_and_its_range() {
        let file = fixture::single("let a = 1; in $0a");
        let analysis = Analysis::new(syntax::parse(&file.text).root());
        let (range, name) = prepare_rename(&analysis, file.cursor()).expect("renamable");
        assert_eq!((u32::from(range.start()), name.as_str()), (14, "a"));
        assert!(prepare_rename(&analysis, TextSize::from(3)).is_err());
    }
}
