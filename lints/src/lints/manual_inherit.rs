//! NIX003: `k = k;` in an attribute set, which `inherit k;` says directly.

use syntax::ast::{self, Expr};
use syntax::helpers::{child_nodes_of_kind, contains_comment, entry_removal_range, ident_token};
use syntax::SyntaxKind::{NODE_ATTRPATH_VALUE, NODE_IDENT, NODE_INHERIT};
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextEdit, TextRange};

use crate::diagnostic::Fix;
use crate::lint::{declare_lint, Findings, LintCtx};

declare_lint! {
    /// ## What it does
    /// Checks for bindings `k = k;` in a non-recursive attribute set.
    ///
    /// ## Why is this bad?
    /// `inherit k;` says the same in fewer words, and names the intent: the attribute takes the
    /// value of the variable of the same name in the enclosing scope (or of a `with`). The fix
    /// keeps the value: in a plain attribute set both forms look `k` up outside the set.
    ///
    /// Only plain attribute sets are checked. In a `let` or a `rec { }` set, `k = k;` refers to
    /// itself and never finishes evaluating, while `inherit k;` refers to the outer `k`: that is
    /// a bug for `self-referential-binding` (NIX021), not a matter of style.
    ///
    /// The fix gathers every such binding of the set into one `inherit`, and adds them to an
    /// `inherit` without a source that the set already has. Bindings with a comment of their own
    /// are rewritten where they stand, so that the comment keeps its place.
    ///
    /// ## Example
    /// ```nix
    /// { pkgs, lib, ... }:
    /// {
    ///   inherit pkgs;
    ///   lib = lib;
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// { pkgs, lib, ... }:
    /// {
    ///   inherit pkgs lib;
    /// }
    /// ```
    pub(crate) static MANUAL_INHERIT = {
        code: "NIX003",
        name: "manual-inherit",
        category: Style,
        severity: Warning,
        fix: Safe,
        tags: [],
        kinds: [NODE_ATTRPATH_VALUE],
        reach: Set,
        check: check_binding,
    };
}

/// The candidates of one set and its plain `inherit`, found once per set.
struct SetCandidates {
    candidates: Vec<Candidate>,
    existing: Option<ast::Inherit>,
}

fn check_binding(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(name) = manual_inherit_name(node) else {
        return;
    };
    let Some(set) = node.parent().and_then(ast::AttrSet::cast) else {
        return;
    };
    let message = format!("`{name}` can be inherited");
    let finding = findings.report(node.text_range(), message);
    // A set of thousands of entries has few candidates: only they get a node built.
    let facts = ctx.memo(set.syntax(), || SetCandidates {
        candidates: child_nodes_of_kind(set.syntax(), NODE_ATTRPATH_VALUE, Some(NODE_IDENT))
            .filter_map(|value| {
                let name = manual_inherit_name(&value)?;
                Some(Candidate::new(value, name))
            })
            .collect(),
        existing: child_nodes_of_kind(set.syntax(), NODE_INHERIT, None)
            .filter_map(ast::Inherit::cast)
            .find(|inherit| inherit.from().is_none()),
    });
    if let Some(fix) = inherit_fix(node, &facts.candidates, facts.existing.as_ref(), None) {
        finding.fix(fix);
    }
}

/// The name `k` if `node` is `k = k;` directly inside a non-recursive attribute set.
fn manual_inherit_name(node: &SyntaxNode) -> Option<String> {
    // Most values are not a name: tell from the green tree before building any node.
    if syntax::helpers::value_kind(node) != Some(SyntaxKind::NODE_IDENT) {
        return None;
    }
    let set = node.parent().and_then(ast::AttrSet::cast)?;
    if syntax::helpers::rec_token(&set).is_some() {
        return None;
    }
    let value = ast::AttrpathValue::cast(node.clone())?;
    let mut attrs = value.attrpath()?.attrs();
    let (Some(ast::Attr::Ident(key)), None) = (attrs.next(), attrs.next()) else {
        return None;
    };
    let key = ident_token(&key)?;
    let Expr::Ident(variable) = value.value()? else {
        return None;
    };
    let variable = ident_token(&variable)?;
    // `or` is a keyword that Nix accepts as a name in a few places; leave such code alone.
    if key.kind() != SyntaxKind::TOKEN_IDENT || variable.kind() != SyntaxKind::TOKEN_IDENT {
        return None;
    }
    (key.text() == variable.text()).then(|| key.text().to_owned())
}

/// A binding that can become one name of an `inherit`.
#[derive(Clone)]
pub(crate) struct Candidate {
    pub(crate) entry: SyntaxNode,
    pub(crate) name: String,
    /// What removing the binding deletes, or `None` when it must stay (it holds a comment).
    /// Worked out once per binding: a set with many candidates asks for it for every finding.
    removal: Option<TextRange>,
}

impl Candidate {
    pub(crate) fn new(entry: SyntaxNode, name: String) -> Candidate {
        let removal = match contains_comment(&entry) {
            true => None,
            false => entry_removal_range(&entry),
        };
        Candidate {
            entry,
            name,
            removal,
        }
    }
}

/// `k = e.k;` rewritten where it stands as `inherit (e) k;`.
fn rewrite_in_place(reported: &SyntaxNode, head: &str, name: &str) -> Fix {
    let text = format!("{head} {name};");
    Fix::safe(
        format!("Replace with `{text}`"),
        vec![TextEdit::replace(reported.text_range(), text)],
    )
}

/// Up to this many candidates of one set and source, every finding offers the merged `inherit`.
/// Beyond it only the first does, and the others are rewritten where they stand: a fix per finding
/// that touches every candidate made a set of thousands quadratic in time and in the size of the
/// report. Fixing all applies the first finding's fix, which takes the others along.
const MERGE_LIMIT: usize = 32;

/// The fix for the finding at `reported`: every candidate of the same set and the same source
/// (`source` is the text inside `inherit ( … )`, `None` for a plain `inherit`) becomes part of
/// one `inherit`, the `existing` one if there is one. Candidates whose removal would move or lose
/// a comment stay in place; the reported one is then rewritten where it stands.
pub(crate) fn inherit_fix(
    reported: &SyntaxNode,
    candidates: &[Candidate],
    existing: Option<&ast::Inherit>,
    source: Option<&str>,
) -> Option<Fix> {
    if contains_comment(reported) {
        return None;
    }
    let head = match source {
        Some(source) => format!("inherit ({source})"),
        None => "inherit".to_owned(),
    };
    if candidates.len() > MERGE_LIMIT {
        let first_movable = candidates
            .iter()
            .take(MERGE_LIMIT)
            .find(|candidate| candidate.removal.is_some());
        if first_movable.is_none_or(|first| first.entry != *reported) {
            let own = AstNode::cast(reported.clone())
                .and_then(|binding: ast::AttrpathValue| binding.attrpath())
                .map(|path| path.syntax().to_string())?;
            return Some(rewrite_in_place(reported, &head, &own));
        }
    }
    let movable: Vec<&Candidate> = candidates
        .iter()
        .filter(|candidate| candidate.removal.is_some())
        .collect();
    let reported_moves = movable.iter().any(|candidate| candidate.entry == *reported);
    let own_name = candidates
        .iter()
        .find(|candidate| candidate.entry == *reported)?
        .name
        .clone();
    let names: Vec<&str> = movable
        .iter()
        .map(|candidate| candidate.name.as_str())
        .collect();
    let existing_names: Vec<String> = existing
        .map(|inherit| {
            inherit
                .attrs()
                .map(|attr| attr.syntax().to_string())
                .collect()
        })
        .unwrap_or_default();
    let mut all_names: Vec<&str> = existing_names.iter().map(String::as_str).collect();
    all_names.extend(names.iter().copied());
    let mut sorted = all_names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    // A name defined twice is an error of its own; merging would only move it.
    if !reported_moves || sorted.len() != all_names.len() {
        return Some(rewrite_in_place(reported, &head, &own_name));
    }
    let mut edits = Vec::new();
    match existing {
        Some(inherit) => {
            let semicolon = inherit
                .syntax()
                .last_token()
                .filter(|token| token.kind() == SyntaxKind::TOKEN_SEMICOLON)?;
            let added: String = names.iter().map(|name| format!(" {name}")).collect();
            edits.push(TextEdit::insert(semicolon.text_range().start(), added));
            for candidate in &movable {
                edits.push(TextEdit::delete(candidate.removal?));
            }
            let title = if names.len() == 1 {
                format!("Add `{}` to the existing `{head}`", names[0])
            } else {
                format!("Add {} names to the existing `{head}`", names.len())
            };
            Some(Fix::safe(title, edits))
        }
        None => {
            let (first, rest) = movable.split_first()?;
            let text = format!("{head} {};", names.join(" "));
            edits.push(TextEdit::replace(first.entry.text_range(), text.clone()));
            for candidate in rest {
                edits.push(TextEdit::delete(candidate.removal?));
            }
            let title = if text.len() <= 60 {
                format!("Replace with `{text}`")
            } else {
                format!("Replace with one `{head}`")
            };
            Some(Fix::safe(title, edits))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_no_fix};

    use super::MANUAL_INHERIT;

    #[test]
    fn reports_bindings_to_the_same_name() {
        check(
            &MANUAL_INHERIT,
            r#"
{ pkgs, ... }: { pkgs = pkgs; other = pkgs; }
#                ^^^^^^^^^^^^ warning[manual-inherit]: `pkgs` can be inherited
"#,
        );
    }

    #[test]
    fn fix_writes_an_inherit() {
        check_fix(
            &MANUAL_INHERIT,
            "{ pkgs, ... }: { pkgs = pkgs; }",
            "{ pkgs, ... }: { inherit pkgs; }",
        );
    }

    /// statix #83: one `inherit` per binding instead of one for all of them.
    #[test]
    fn merges_into_one_inherit_instead_of_one_per_binding() {
        check_fix(
            &MANUAL_INHERIT,
            r#"
{ a, b, c }:
{
  a = a;
  x = 1;
  b = b;
  c = c;
}
"#,
            r#"
{ a, b, c }:
{
  inherit a b c;
  x = 1;
}
"#,
        );
    }

    /// statix #83: bindings join the `inherit` the set already has.
    #[test]
    fn merges_into_an_existing_inherit() {
        check_fix(
            &MANUAL_INHERIT,
            r#"
{ a, b, lib }:
{
  inherit lib;
  a = a;
  b = b;
}
"#,
            r#"
{ a, b, lib }:
{
  inherit lib a b;
}
"#,
        );
        // An `inherit` with a source is not the same thing.
        check_fix(
            &MANUAL_INHERIT,
            "{ inherit (lib) mkIf; a = a; }",
            "{ inherit (lib) mkIf; inherit a; }",
        );
    }

    /// statix `manual_inherit.rs`: in `let` and `rec`, `a = a;` is infinite recursion and
    /// `inherit a;` names the outer `a`; rewriting one into the other changes the meaning.
    #[test]
    fn self_reference_in_let_or_rec_is_not_a_manual_inherit() {
        check(&MANUAL_INHERIT, "a: let a = a; in a\n");
        check(&MANUAL_INHERIT, "a: rec { a = a; }\n");
        check(&MANUAL_INHERIT, "let { a = a; body = a; }\n");
    }

    #[test]
    fn near_misses() {
        check(
            &MANUAL_INHERIT,
            "{ a = b; a.b = a; \"a\" = a; a = (a); a = a.a; ${a} = a; }\n",
        );
    }

    #[test]
    fn names_from_with_keep_their_value() {
        check_fix(
            &MANUAL_INHERIT,
            "with { k = 1; }; { k = k; }",
            "with { k = 1; }; { inherit k; }",
        );
    }

    #[test]
    fn comments_stay_with_their_binding() {
        check_fix(
            &MANUAL_INHERIT,
            r#"
{ a, b }:
{
  a = a;
  # b matters
  b = b;
}
"#,
            r#"
{ a, b }:
{
  inherit a;
  # b matters
  inherit b;
}
"#,
        );
        check_no_fix(
            &MANUAL_INHERIT,
            r#"
{ a = /* keep */ a; }
# ^^^^^^^^^^^^^^^^^ warning[manual-inherit]: `a` can be inherited
"#,
        );
    }

    #[test]
    fn duplicate_names_are_rewritten_in_place() {
        check_fix(
            &MANUAL_INHERIT,
            "{ inherit a; a = a; }",
            "{ inherit a; inherit a; }",
        );
    }
}
