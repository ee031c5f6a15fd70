//! NIX018: an attribute defined twice in one set or `let`, which Nix refuses to evaluate.

use rustc_hash::FxHashMap as HashMap;

use syntax::ast::{self, Expr, HasEntry};
use syntax::helpers::{attr_name, unwrap_parens};
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextRange};

use crate::lint::{declare_lint, Findings, LintCtx};

declare_lint! {
    /// ## What it does
    /// Checks for an attribute defined more than once in one attribute set, `rec` set, `let` or
    /// `let { }`, with the rules Nix's parser applies:
    ///
    /// - `a.b = 1; a.c = 2;` is fine: both paths go into one set `a`;
    /// - `a = { b = 1; }; a.c = 2;` and `a = { b = 1; }; a = { c = 2; };` are fine too: a set
    ///   written as a literal merges with the paths and literals that follow, but only one level
    ///   deep, so `a = { b.c = 1; }; a = { b.d = 2; };` is an error while `a.b.c = 1; a.b.d = 2;`
    ///   is not;
    /// - a value that is not a set literal (`a = x;`, `inherit a;`, `inherit (s) a;`) does not
    ///   merge with anything.
    ///
    /// Names written as strings (`"a"`, `${"a"}`) are the same as identifiers; dynamic names are
    /// only known when evaluated and are not checked.
    ///
    /// ## Why is this bad?
    /// Nix stops with "attribute 'a' already defined" as soon as it parses the file.
    ///
    /// ## Example
    /// ```nix
    /// {
    ///   networking.hostName = "a";
    ///   networking = { hostName = "b"; };
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// {
    ///   networking.hostName = "a";
    /// }
    /// ```
    pub(crate) static DUPLICATE_ATTRIBUTE = {
        code: "NIX018",
        name: "duplicate-attribute",
        category: Correctness,
        severity: Error,
        fix: None,
        tags: [],
        kinds: [NODE_ATTR_SET, NODE_LET_IN, NODE_LEGACY_LET],
        reach: Entry,
        check: check_bindings,
    };
}

fn check_bindings(_: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    // Only a name that begins two entries can be defined twice.
    if !syntax::helpers::first_names_may_repeat(node) {
        return;
    }
    let entries: Vec<ast::Entry> = match node.kind() {
        SyntaxKind::NODE_ATTR_SET => match ast::AttrSet::cast(node.clone()) {
            Some(set) => set.entries().collect(),
            None => return,
        },
        SyntaxKind::NODE_LET_IN => match ast::LetIn::cast(node.clone()) {
            Some(let_in) => let_in.entries().collect(),
            None => return,
        },
        SyntaxKind::NODE_LEGACY_LET => match ast::LegacyLet::cast(node.clone()) {
            Some(legacy) => legacy.entries().collect(),
            None => return,
        },
        _ => return,
    };
    // One entry cannot clash with itself, and most sets have one or none.
    if entries.len() < 2 {
        return;
    }
    let mut conflicts = Some(Vec::new());
    definitions(entries.into_iter(), &mut conflicts);
    for conflict in conflicts.unwrap_or_default() {
        findings
            .report(
                conflict.range,
                format!("`{}` is already defined", conflict.path),
            )
            .related(
                conflict.first,
                format!("`{}` is first defined here", conflict.path),
            );
    }
}

/// What a name is bound to, as far as merging goes.
enum Def {
    /// A value that merges with nothing: an expression other than a set literal, or an inherit.
    Leaf(TextRange),
    Set {
        range: TextRange,
        /// Written as a literal, whose own attributes are read only when something merges in.
        literal: Option<ast::AttrSet>,
        children: Option<Children>,
    },
}

type Children = HashMap<String, Def>;

impl Def {
    fn range(&self) -> TextRange {
        match self {
            Def::Leaf(range) | Def::Set { range, .. } => *range,
        }
    }

    fn children(&mut self) -> Option<&mut Children> {
        match self {
            Def::Leaf(_) => None,
            Def::Set {
                literal, children, ..
            } => Some(children.get_or_insert_with(|| match literal {
                // Conflicts inside the literal are reported when that set is checked itself.
                Some(set) => definitions(set.entries(), &mut None),
                None => Children::default(),
            })),
        }
    }
}

struct Conflict {
    range: TextRange,
    first: TextRange,
    path: String,
}

/// The names that `entries` define; conflicts go to `conflicts` unless it is `None`.
fn definitions(
    entries: impl Iterator<Item = ast::Entry>,
    conflicts: &mut Option<Vec<Conflict>>,
) -> Children {
    let mut children = Children::default();
    for entry in entries {
        match entry {
            ast::Entry::Inherit(inherit) => {
                for attr in inherit.attrs() {
                    let Some(name) = attr_name(&attr) else {
                        continue;
                    };
                    let range = attr.syntax().text_range();
                    match children.get(&name) {
                        Some(existing) => conflict(conflicts, range, existing.range(), name),
                        None => {
                            children.insert(name, Def::Leaf(range));
                        }
                    }
                }
            }
            ast::Entry::AttrpathValue(attrpath_value) => {
                let Some(attrpath) = attrpath_value.attrpath() else {
                    continue;
                };
                let attrs: Vec<ast::Attr> = attrpath.attrs().collect();
                let literal = attrpath_value
                    .value()
                    .and_then(|value| match unwrap_parens(value) {
                        Expr::AttrSet(set) => Some(set),
                        _ => None,
                    });
                add_path(&mut children, &attrs, literal, conflicts);
            }
        }
    }
    children
}

/// Adds `a.b.c = value` the way Nix's parser does (`addAttr` in `parser.y`).
fn add_path(
    children: &mut Children,
    attrs: &[ast::Attr],
    literal: Option<ast::AttrSet>,
    conflicts: &mut Option<Vec<Conflict>>,
) {
    let mut current = children;
    // The dotted path up to an attribute, written only for a conflict: most entries have none.
    let path = |position: usize| {
        let names: Vec<String> = attrs[..=position].iter().filter_map(attr_name).collect();
        names.join(".")
    };
    for (position, attr) in attrs.iter().enumerate() {
        // Past a dynamic name nothing is known before evaluation.
        let Some(name) = attr_name(attr) else {
            return;
        };
        let range = attr.syntax().text_range();
        if position + 1 == attrs.len() {
            match current.get_mut(&name) {
                None => {
                    let def = match literal {
                        Some(set) => Def::Set {
                            range,
                            literal: Some(set),
                            children: None,
                        },
                        None => Def::Leaf(range),
                    };
                    current.insert(name, def);
                }
                Some(existing) => match (existing.children(), literal) {
                    (Some(existing_children), Some(set)) => {
                        merge(existing_children, &set, &path(position), conflicts);
                    }
                    _ => conflict(conflicts, range, existing.range(), path(position)),
                },
            }
            return;
        }
        let def = current.entry(name).or_insert_with(|| Def::Set {
            range,
            literal: None,
            children: Some(Children::default()),
        });
        let first = def.range();
        match def.children() {
            Some(next) => current = next,
            None => {
                conflict(conflicts, range, first, path(position));
                return;
            }
        }
    }
}

/// `a = { … };` after `a` is already a set: the literal's attributes join it, one level deep.
fn merge(
    existing: &mut Children,
    set: &ast::AttrSet,
    path: &str,
    conflicts: &mut Option<Vec<Conflict>>,
) {
    let mut added: Vec<(String, Def)> = definitions(set.entries(), &mut None).into_iter().collect();
    // Report in source order, whatever the map's order.
    added.sort_by_key(|(_, def)| def.range().start());
    for (name, def) in added {
        match existing.get(&name) {
            Some(first) => conflict(
                conflicts,
                def.range(),
                first.range(),
                format!("{path}.{name}"),
            ),
            None => {
                existing.insert(name, def);
            }
        }
    }
}

fn conflict(
    conflicts: &mut Option<Vec<Conflict>>,
    range: TextRange,
    first: TextRange,
    path: String,
) {
    if let Some(conflicts) = conflicts {
        conflicts.push(Conflict { range, first, path });
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_no_fix};
    use crate::{check as check_text, Config};

    use super::DUPLICATE_ATTRIBUTE;

    #[test]
    fn reports_plain_duplicates_in_sets_and_lets() {
        check_no_fix(
            &DUPLICATE_ATTRIBUTE,
            r#"
[
  { a = 1; a = 2; }
#          ^ error[duplicate-attribute]: `a` is already defined
  (rec { a = 1; "a" = 2; })
#               ^^^ error[duplicate-attribute]: `a` is already defined
  (let a = 1; ${"a"} = 2; in a)
#             ^^^^^^ error[duplicate-attribute]: `a` is already defined
  (let { a = 1; a = 2; body = a; })
#               ^ error[duplicate-attribute]: `a` is already defined
]
"#,
        );
    }

    #[test]
    fn inherits_count() {
        check(
            &DUPLICATE_ATTRIBUTE,
            r#"
[
  { inherit a; a = 1; }
#              ^ error[duplicate-attribute]: `a` is already defined
  { inherit (s) a b; b.c = 1; }
#                    ^ error[duplicate-attribute]: `b` is already defined
  (let inherit a; inherit (s) a; in a)
#                             ^ error[duplicate-attribute]: `a` is already defined
]
"#,
        );
    }

    #[test]
    fn paths_merge_into_one_set() {
        check(
            &DUPLICATE_ATTRIBUTE,
            r#"
[
  { a.b = 1; a.c = 2; a.d.e = 3; a.d.f = 4; }
  { a = { b = 1; }; a.c = 2; }
  { a.c = 2; a = { b = 1; }; }
  { a = { b = 1; }; a = ({ c = 2; }); }
  (let a.b = 1; a.c = 2; in a)
  { a.${x} = 1; a.${x} = 2; }
]
"#,
        );
    }

    #[test]
    fn paths_conflict_with_values() {
        check(
            &DUPLICATE_ATTRIBUTE,
            r#"
[
  { a.b = 1; a.b = 2; }
#              ^ error[duplicate-attribute]: `a.b` is already defined
  { a = x; a.c = 2; }
#          ^ error[duplicate-attribute]: `a` is already defined
  { a.c = 2; a = x; }
#            ^ error[duplicate-attribute]: `a` is already defined
  { a = { b = 1; }; a.b.c = 2; }
#                     ^ error[duplicate-attribute]: `a.b` is already defined
  { a = { b = 1; }; a = { b = 2; }; }
#                         ^ error[duplicate-attribute]: `a.b` is already defined
  { a.${x} = 1; a = 2; }
#               ^ error[duplicate-attribute]: `a` is already defined
]
"#,
        );
    }

    /// Nix merges two set literals one level deep only: `b` is defined by both.
    #[test]
    fn literal_merges_are_one_level_deep() {
        check(
            &DUPLICATE_ATTRIBUTE,
            r#"
{ a = { b.c = 1; }; a = { b.d = 2; }; }
#                         ^ error[duplicate-attribute]: `a.b` is already defined
"#,
        );
    }

    #[test]
    fn conflicts_inside_a_nested_literal_are_reported_once() {
        check(
            &DUPLICATE_ATTRIBUTE,
            r#"
{ a = { b = 1; b = 2; }; a.c = 3; }
#              ^ error[duplicate-attribute]: `b` is already defined
"#,
        );
    }

    #[test]
    fn related_information_points_at_the_first_definition() {
        let text = "{\n  x.y = 1;\n  x = { y = 2; };\n}";
        let report = check_text(text, None, &Config::default());
        let diagnostic = report
            .diagnostics
            .iter()
            .find(|diagnostic| diagnostic.name == "duplicate-attribute")
            .expect("a duplicate");
        assert_eq!(&text[diagnostic.range], "y");
        assert_eq!(diagnostic.range.start(), 21.into());
        assert_eq!(diagnostic.related.len(), 1);
        assert_eq!(diagnostic.related[0].range.start(), 6.into());
        assert_eq!(diagnostic.related[0].message, "`x.y` is first defined here");
    }

    #[test]
    fn separate_sets_and_scopes_do_not_clash() {
        check(
            &DUPLICATE_ATTRIBUTE,
            "let a = 1; in { a = a; b = { a = 2; }; c = let a = 3; in a; }\n",
        );
    }
}
