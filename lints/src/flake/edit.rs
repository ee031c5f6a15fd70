//! Edits of flake.nix for the fixes of the lock lints: adding a `follows` to an input, in
//! whichever form the input is declared, and removing an override. Every edit is built from
//! the syntax tree.

use syntax::ast::{self, Expr, HasEntry};
use syntax::helpers::{append_entry, attr_name, entry_removal_range, line_indent, unwrap_parens};
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextEdit, TextRange, TextSize};

use super::model::root_set;

/// An entry of flake.nix that declares part of an input, and the position of the input's name
/// in its attribute path: `inputs.x.url = …;` at the top (1) or `x.url = …;` inside
/// `inputs = { … };` (0).
struct InputEntry {
    entry: ast::AttrpathValue,
    attrs: Vec<ast::Attr>,
    name_index: usize,
}

impl InputEntry {
    /// `inputs.x = { … };` or `x = { … };`: the input's own attribute set.
    fn own_set(&self) -> Option<ast::AttrSet> {
        if self.attrs.len() != self.name_index + 1 {
            return None;
        }
        match unwrap_parens(self.entry.value()?) {
            Expr::AttrSet(set) if set.rec_token().is_none() => Some(set),
            _ => None,
        }
    }
}

/// The entries of the root set that declare input `name`, in the order of the file.
fn input_entries(root: &SyntaxNode, name: &str) -> Vec<InputEntry> {
    let mut found = Vec::new();
    let Some(set) = root_set(root) else {
        return found;
    };
    let named = |attr: Option<&ast::Attr>| attr.and_then(attr_name).as_deref() == Some(name);
    for entry in set.attrpath_values() {
        let Some(path) = entry.attrpath() else {
            continue;
        };
        let attrs: Vec<ast::Attr> = path.attrs().collect();
        if attr_name_is(attrs.first(), "inputs") {
            if attrs.len() >= 2 {
                if named(attrs.get(1)) {
                    found.push(InputEntry {
                        entry,
                        attrs,
                        name_index: 1,
                    });
                }
                continue;
            }
            let Some(Expr::AttrSet(inputs)) = entry.value().map(unwrap_parens) else {
                continue;
            };
            for binding in inputs.attrpath_values() {
                let Some(path) = binding.attrpath() else {
                    continue;
                };
                let attrs: Vec<ast::Attr> = path.attrs().collect();
                if named(attrs.first()) {
                    found.push(InputEntry {
                        entry: binding,
                        attrs,
                        name_index: 0,
                    });
                }
            }
        }
    }
    found
}

fn attr_name_is(attr: Option<&ast::Attr>, name: &str) -> bool {
    attr.and_then(attr_name).as_deref() == Some(name)
}

/// An attribute name as Nix source: bare when it can be, quoted otherwise.
fn attr_source(name: &str) -> String {
    if syntax::helpers::is_plain_ident(name) {
        name.to_owned()
    } else {
        syntax::helpers::quote_string(name)
    }
}

/// The edit that makes input `input`'s own input `nested` follow `target`: a binding inside
/// the input's attribute set when it has one (inside its `inputs = { … }` if that exists), else
/// a new `inputs.<input>.inputs.<nested>.follows = "<target>";` line after the input's last
/// entry, indented like it.
pub fn add_nested_follows(
    text: &str,
    root: &SyntaxNode,
    input: &str,
    nested: &str,
    target: &str,
) -> Option<TextEdit> {
    let entries = input_entries(root, input);
    let follows = format!(
        "{}.follows = {};",
        attr_source(nested),
        syntax::helpers::quote_string(target)
    );
    if let Some(set) = entries.iter().find_map(InputEntry::own_set) {
        // An `inputs = { … };` attribute set in the input's set takes the new follows.
        let nested_set = set.attrpath_values().find_map(|binding| {
            let attrs: Vec<ast::Attr> = binding.attrpath()?.attrs().collect();
            if attrs.len() != 1 || !attr_name_is(attrs.first(), "inputs") {
                return None;
            }
            match unwrap_parens(binding.value()?) {
                Expr::AttrSet(inner) if inner.rec_token().is_none() => Some(inner),
                _ => None,
            }
        });
        let (offset, insert) = match nested_set {
            Some(inner) => append_entry(text, &inner, &follows)?,
            None => append_entry(text, &set, &format!("inputs.{follows}"))?,
        };
        return Some(TextEdit::insert(offset, insert));
    }
    let last = entries
        .iter()
        .max_by_key(|entry| entry.entry.syntax().text_range().end())?;
    let prefix: Vec<String> = last.attrs[..=last.name_index]
        .iter()
        .map(|attr| attr.syntax().to_string())
        .collect();
    let binding = format!("{}.inputs.{follows}", prefix.join("."));
    let range = last.entry.syntax().text_range();
    let (start, end) = (usize::from(range.start()), usize::from(range.end()));
    let line_start = text
        .get(..start)?
        .rfind('\n')
        .map_or(0, |newline| newline + 1);
    let line_end = text
        .get(end..)?
        .find('\n')
        .map_or(text.len(), |newline| end + newline);
    let alone_before = text.get(line_start..start)?.trim().is_empty();
    let rest = text.get(end..line_end)?.trim();
    if alone_before && (rest.is_empty() || rest.starts_with('#')) {
        let indent = line_indent(text, start);
        let at = TextSize::try_from(line_end).ok()?;
        return Some(TextEdit::insert(at, format!("\n{indent}{binding}")));
    }
    Some(TextEdit::insert(range.end(), format!(" {binding}")))
}

/// The edit that removes the binding in which the override whose name is at `name_range` is
/// written, with the whitespace before it; `None` when a comment belongs to the binding.
pub fn remove_binding_of(root: &SyntaxNode, name_range: TextRange) -> Option<TextEdit> {
    let element = root.covering_element(name_range);
    let binding = element
        .ancestors()
        .find(|node| node.kind() == SyntaxKind::NODE_ATTRPATH_VALUE)?;
    // The name must be part of the binding's own path, so the whole binding is the override's.
    let path = ast::AttrpathValue::cast(binding.clone())?.attrpath()?;
    if !path.syntax().text_range().contains_range(name_range) {
        return None;
    }
    Some(TextEdit::delete(entry_removal_range(&binding)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn follows(text: &str, input: &str) -> String {
        let root = syntax::parse(text).root();
        match add_nested_follows(text, &root, input, "nixpkgs", "nixpkgs") {
            Some(edit) => syntax::apply_edits(text, &[edit]).expect("one edit"),
            None => "no edit".to_owned(),
        }
    }

    #[test]
    fn follows_after_a_url_line_in_each_form() {
        assert_eq!(
            follows(
                "{\n  inputs.hm.url = \"github:nix-community/home-manager\"; # stable\n  outputs = _: { };\n}\n",
                "hm"
            ),
            "{\n  inputs.hm.url = \"github:nix-community/home-manager\"; # stable\n  inputs.hm.inputs.nixpkgs.follows = \"nixpkgs\";\n  outputs = _: { };\n}\n"
        );
        assert_eq!(
            follows(
                "{\n  inputs = {\n    nixpkgs.url = \"github:NixOS/nixpkgs\";\n    \"hm-2\".url = \"x\";\n    \"hm-2\".flake = true;\n  };\n  outputs = _: { };\n}\n",
                "hm-2"
            ),
            "{\n  inputs = {\n    nixpkgs.url = \"github:NixOS/nixpkgs\";\n    \"hm-2\".url = \"x\";\n    \"hm-2\".flake = true;\n    \"hm-2\".inputs.nixpkgs.follows = \"nixpkgs\";\n  };\n  outputs = _: { };\n}\n"
        );
        // On one line, the binding goes beside the entry.
        assert_eq!(
            follows("{ inputs.hm.url = \"x\"; outputs = _: { }; }", "hm"),
            "{ inputs.hm.url = \"x\"; inputs.hm.inputs.nixpkgs.follows = \"nixpkgs\"; outputs = _: { }; }"
        );
    }

    #[test]
    fn follows_inside_the_inputs_own_set() {
        assert_eq!(
            follows(
                "{\n  inputs.hm = {\n    url = \"x\";\n  };\n  outputs = _: { };\n}\n",
                "hm"
            ),
            "{\n  inputs.hm = {\n    url = \"x\";\n    inputs.nixpkgs.follows = \"nixpkgs\";\n  };\n  outputs = _: { };\n}\n"
        );
        assert_eq!(
            follows(
                "{\n  inputs = {\n    hm = {\n      url = \"x\";\n      inputs = {\n        utils.follows = \"utils\";\n      };\n    };\n  };\n  outputs = _: { };\n}\n",
                "hm"
            ),
            "{\n  inputs = {\n    hm = {\n      url = \"x\";\n      inputs = {\n        utils.follows = \"utils\";\n        nixpkgs.follows = \"nixpkgs\";\n      };\n    };\n  };\n  outputs = _: { };\n}\n"
        );
        assert_eq!(
            follows("{ inputs.hm = { url = \"x\"; }; outputs = _: { }; }", "hm"),
            "{ inputs.hm = { url = \"x\"; inputs.nixpkgs.follows = \"nixpkgs\"; }; outputs = _: { }; }"
        );
    }

    #[test]
    fn no_edit_for_an_input_that_is_not_declared_or_computed() {
        assert_eq!(follows("{ outputs = { hm, ... }: { }; }", "hm"), "no edit");
        assert_eq!(
            follows("{ inputs = import ./inputs.nix; outputs = _: { }; }", "hm"),
            "no edit"
        );
    }

    #[test]
    fn removing_an_override_binding() {
        let text = "{\n  inputs.hm.url = \"x\";\n  inputs.hm.inputs.utils.follows = \"u\";\n  outputs = _: { };\n}\n";
        let root = syntax::parse(text).root();
        let start = text.find("utils").expect("in the text");
        let range = TextRange::at(TextSize::try_from(start).expect("small"), 5.into());
        let edit = remove_binding_of(&root, range).expect("an edit");
        assert_eq!(
            syntax::apply_edits(text, &[edit]).expect("one edit"),
            "{\n  inputs.hm.url = \"x\";\n  outputs = _: { };\n}\n"
        );
    }
}
