//! NIX004: `k = e.k;`, which `inherit (e) k;` says directly.

use std::collections::HashMap;

use syntax::ast::{self, Expr};
use syntax::helpers::{child_nodes_of_kind, ident_token, is_trivia, unwrap_parens};
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextRange};

use crate::lint::{declare_lint, Findings, LintCtx};
use crate::lints::manual_inherit::{inherit_fix, Candidate};
use crate::scope::Resolution;

declare_lint! {
    /// ## What it does
    /// Checks for bindings `k = e.k;` whose value selects the attribute of the same name, in
    /// attribute sets, `rec` sets and `let`.
    ///
    /// ## Why is this bad?
    /// `inherit (e) k;` says the same once instead of twice, and several names taken from the
    /// same `e` fit in one `inherit (e) a b c;`. The value stays the same: the source of
    /// `inherit (e)` is evaluated in the same scope as the binding's value, also in `let` and
    /// `rec`.
    ///
    /// Only the last component of the path must be `k`: `mtl = pkgs.haskellPackages.mtl;` is
    /// `inherit (pkgs.haskellPackages) mtl;`, while `b = a.b.c;` is not a match. Not reported:
    /// a select with a default, `k = e.k or d;` (an `inherit` cannot keep the default), and in
    /// a `let` or `rec` set a source that refers to `k` itself, `k = k.k;`, which never
    /// finishes evaluating (`self-referential-binding`, NIX021).
    ///
    /// The fix gathers every binding of the set with the same source (compared token by token,
    /// whitespace aside) into one `inherit (e)`, the one the set already has if there is one.
    /// Bindings with a comment of their own are rewritten where they stand.
    ///
    /// ## Example
    /// ```nix
    /// let
    ///   mkIf = lib.mkIf;
    ///   mkOption = lib.mkOption;
    ///   mtl = pkgs.haskellPackages.mtl;
    /// in
    /// null
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// let
    ///   inherit (lib) mkIf mkOption;
    ///   inherit (pkgs.haskellPackages) mtl;
    /// in
    /// null
    /// ```
    pub(crate) static MANUAL_INHERIT_FROM = {
        code: "NIX004",
        name: "manual-inherit-from",
        category: Style,
        severity: Warning,
        fix: Safe,
        tags: [],
        kinds: [NODE_ATTRPATH_VALUE],
        reach: Set,
        check: check_binding,
    };
}

/// A binding `k = e.k;` and where its source `e` is.
struct Match {
    name: String,
    source: TextRange,
    /// The source's tokens without whitespace and comments, to compare sources.
    tokens: Vec<(SyntaxKind, String)>,
}

/// What the lint needs to know of one set or `let`, read once per set.
struct HolderFacts {
    /// The bindings that match, as candidates of a merged `inherit (e)`, grouped by the tokens
    /// of their source, each group in the order of the set.
    groups: HashMap<Vec<(SyntaxKind, String)>, Vec<Candidate>>,
    /// The `inherit (e)`s with the tokens of `e`.
    /// The first `inherit (e)` of each source, by the tokens of `e`.
    inherits: HashMap<Vec<(SyntaxKind, String)>, ast::Inherit>,
}

fn check_binding(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(found) = match_binding(ctx, node) else {
        return;
    };
    let Some(holder) = node.parent() else { return };
    let source_text = ctx.text_of(found.source);
    let message = if source_text.len() <= 40 && !source_text.contains('\n') {
        format!("`{}` can be inherited from `{source_text}`", found.name)
    } else {
        format!("`{}` can be inherited from its source", found.name)
    };
    let finding = findings.report(node.text_range(), message);

    let holder_facts = ctx.memo(&holder, || {
        // The bindings and `inherit`s of the set or `let`; of the bindings, only those whose
        // value is a selection can match, and only they get a node built.
        let values: Vec<ast::AttrpathValue> = child_nodes_of_kind(
            &holder,
            SyntaxKind::NODE_ATTRPATH_VALUE,
            Some(SyntaxKind::NODE_SELECT),
        )
        .filter_map(ast::AttrpathValue::cast)
        .collect();
        let inherits: Vec<ast::Inherit> =
            child_nodes_of_kind(&holder, SyntaxKind::NODE_INHERIT, None)
                .filter_map(ast::Inherit::cast)
                .collect();
        // The sources of the `inherit (e)`s, as tokens to compare with a binding's source.
        let mut by_source = HashMap::new();
        for inherit in inherits {
            let Some(expr) = inherit.from().and_then(|from| from.expr()) else {
                continue;
            };
            let tokens = tokens_of(expr.syntax(), expr.syntax().text_range());
            by_source.entry(tokens).or_insert(inherit);
        }
        let mut groups: HashMap<_, Vec<Candidate>> = HashMap::new();
        for value in &values {
            if let Some(found) = match_binding(ctx, value.syntax()) {
                let candidate = Candidate::new(value.syntax().clone(), found.name);
                groups.entry(found.tokens).or_default().push(candidate);
            }
        }
        HolderFacts {
            groups,
            inherits: by_source,
        }
    });
    let candidates = holder_facts
        .groups
        .get(&found.tokens)
        .map_or(&[][..], Vec::as_slice);
    let existing = holder_facts.inherits.get(&found.tokens);
    if let Some(fix) = inherit_fix(node, candidates, existing, Some(source_text)) {
        finding.fix(fix);
    }
}

fn match_binding(ctx: &LintCtx<'_>, node: &SyntaxNode) -> Option<Match> {
    // Most values are not a select: tell from the green tree before building any node.
    if syntax::helpers::value_kind(node) != Some(SyntaxKind::NODE_SELECT) {
        return None;
    }
    let holder = node.parent()?;
    let recursive = match holder.kind() {
        SyntaxKind::NODE_LET_IN => true,
        SyntaxKind::NODE_ATTR_SET => {
            syntax::helpers::rec_token(&ast::AttrSet::cast(holder)?).is_some()
        }
        _ => return None,
    };
    let binding = ast::AttrpathValue::cast(node.clone())?;
    let mut keys = binding.attrpath()?.attrs();
    let (Some(ast::Attr::Ident(key)), None) = (keys.next(), keys.next()) else {
        return None;
    };
    let key_token = ident_token(&key)?;
    if key_token.kind() != SyntaxKind::TOKEN_IDENT {
        return None;
    }
    let Expr::Select(select) = binding.value()? else {
        return None;
    };
    // `k = e.k or d;` has a default that `inherit (e) k;` would drop.
    if select.or_token().is_some() || select.default_expr().is_some() {
        return None;
    }
    let attrs: Vec<ast::Attr> = select.attrpath()?.attrs().collect();
    let (last, prefix) = attrs.split_last()?;
    let ast::Attr::Ident(last) = last else {
        return None;
    };
    let last_token = ident_token(last)?;
    if last_token.kind() != SyntaxKind::TOKEN_IDENT || last_token.text() != key_token.text() {
        return None;
    }
    let base = select.expr()?;
    let source = match prefix.last() {
        None => unwrap_parens(base).syntax().text_range(),
        Some(before_last) => TextRange::new(
            base.syntax().text_range().start(),
            before_last.syntax().text_range().end(),
        ),
    };
    // In `let` and `rec`, `k = k.k;` and `inherit (k) k;` both refer to this very binding. Only
    // an identifier named `k` can, so the scope index is asked about those alone: most sources
    // hold none, and a file whose only such bindings are in a `let` is not analysed for them.
    if recursive {
        let mut same_name = select
            .syntax()
            .descendants()
            .filter(|descendant| descendant.kind() == SyntaxKind::NODE_IDENT)
            .filter(|ident| source.contains_range(ident.text_range()))
            .filter(|ident| ctx.text_of(ident.text_range()) == key_token.text())
            .peekable();
        if same_name.peek().is_some() {
            let own = ctx.scope().binding_defined_at(key.syntax().text_range())?;
            let refers_to_itself = same_name.any(|ident| {
                ctx.scope().resolve(ident.text_range()) == Some(Resolution::Binding(own))
            });
            if refers_to_itself {
                return None;
            }
        }
    }
    Some(Match {
        name: key_token.text().to_owned(),
        source,
        tokens: tokens_of(select.syntax(), source),
    })
}

/// The significant tokens of `node` inside `range`.
fn tokens_of(node: &SyntaxNode, range: TextRange) -> Vec<(SyntaxKind, String)> {
    node.descendants_with_tokens()
        .filter_map(|element| element.into_token())
        .filter(|token| !is_trivia(token.kind()) && range.contains_range(token.text_range()))
        .map(|token| (token.kind(), token.text().to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_no_fix};

    use super::MANUAL_INHERIT_FROM;

    /// Past 32 bindings of one source, the first finding's fix takes all of them and the others
    /// are rewritten in place, so that a set of thousands costs linear time; fixing all still
    /// gives one `inherit`.
    #[test]
    fn a_large_group_is_merged_by_the_first_finding() {
        let names: Vec<String> = (0..40).map(|i| format!("n{i}")).collect();
        let bindings: String = names
            .iter()
            .map(|name| format!("  {name} = lib.{name};\n"))
            .collect();
        let before = format!("{{\n{bindings}}}\n");
        let after = format!("{{\n  inherit (lib) {};\n}}\n", names.join(" "));
        check_fix(&MANUAL_INHERIT_FROM, &before, &after);

        let parse = syntax::parse(&before);
        let report = crate::engine::run(
            &parse,
            &before,
            None,
            &crate::Config::default(),
            &[&MANUAL_INHERIT_FROM],
        );
        let edits: Vec<usize> = report
            .diagnostics
            .iter()
            .map(|diagnostic| diagnostic.fixes[0].edits.len())
            .collect();
        assert_eq!(edits.len(), 40);
        assert_eq!(edits[0], 40, "the first finding merges every binding");
        assert!(edits[1..].iter().all(|&count| count == 1), "{edits:?}");
        assert_eq!(
            report.diagnostics[7].fixes[0].edits[0].new_text,
            "inherit (lib) n7;"
        );
    }

    #[test]
    fn reports_selects_of_the_same_name() {
        check(
            &MANUAL_INHERIT_FROM,
            r#"
let
  mkIf = lib.mkIf;
# ^^^^^^^^^^^^^^^^ warning[manual-inherit-from]: `mkIf` can be inherited from `lib`
  mtl = pkgs.haskellPackages.mtl;
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[manual-inherit-from]: `mtl` can be inherited from `pkgs.haskellPackages`
in
{ x = (f y).x; }
# ^^^^^^^^^^^^ warning[manual-inherit-from]: `x` can be inherited from `f y`
"#,
        );
    }

    #[test]
    fn fix_writes_an_inherit_from() {
        check_fix(
            &MANUAL_INHERIT_FROM,
            "{ mtl = pkgs.haskellPackages.mtl; x = (f y).x; }",
            "{ inherit (pkgs.haskellPackages) mtl; inherit (f y) x; }",
        );
    }

    /// statix #83: siblings with the same source become one `inherit (e) a b;`.
    #[test]
    fn merges_siblings_with_the_same_source() {
        check_fix(
            &MANUAL_INHERIT_FROM,
            r#"
let
  mkIf = lib.mkIf;
  other = 1;
  mkOption = lib . mkOption;
  hello = pkgs.hello;
in
null
"#,
            r#"
let
  inherit (lib) mkIf mkOption;
  other = 1;
  inherit (pkgs) hello;
in
null
"#,
        );
    }

    /// statix #83: bindings join an `inherit (e)` of the same source that the set has.
    #[test]
    fn merges_into_an_existing_inherit_from() {
        check_fix(
            &MANUAL_INHERIT_FROM,
            r#"
{
  inherit (lib) types;
  mkIf = lib.mkIf;
  inherit lib;
}
"#,
            r#"
{
  inherit (lib) types mkIf;
  inherit lib;
}
"#,
        );
    }

    /// statix `manual_inherit_from.rs`: `a = x.a or d;` is not `inherit (x) a;`, which would drop
    /// the default.
    #[test]
    fn select_with_default_is_not_a_manual_inherit() {
        check(
            &MANUAL_INHERIT_FROM,
            "{ a = x.a or null; b = x.b or (throw \"no b\"); }\n",
        );
    }

    /// statix 3c9a675: `b = a.b.c` was matched on the first component of the path.
    #[test]
    fn only_the_last_component_of_the_path_counts() {
        check(&MANUAL_INHERIT_FROM, "{ b = a.b.c; c = a.c.d; x = x; }\n");
        check(&MANUAL_INHERIT_FROM, "{ a = x.${\"a\"}; b = x.\"b\"; }\n");
    }

    /// In `let` and `rec`, `inherit (e)` is evaluated in the same scope, so the fix keeps the
    /// value, except when `e` is the binding itself.
    #[test]
    fn self_reference_in_let_or_rec_is_left_to_nix021() {
        check(&MANUAL_INHERIT_FROM, "a: let a = a.a; in a\n");
        check(&MANUAL_INHERIT_FROM, "a: rec { a = a.b.a; }\n");
        check_fix(
            &MANUAL_INHERIT_FROM,
            "let x = { a = 1; }; a = x.a; in a",
            "let x = { a = 1; }; inherit (x) a; in a",
        );
        check_fix(
            &MANUAL_INHERIT_FROM,
            "rec { a = x.a; x = { a = 1; }; }",
            "rec { inherit (x) a; x = { a = 1; }; }",
        );
        // An `a` in the source that a scope inside it binds is not this binding.
        check_fix(
            &MANUAL_INHERIT_FROM,
            "let a = (let a = { a = 1; }; in a).a; in a",
            "let inherit (let a = { a = 1; }; in a) a; in a",
        );
    }

    #[test]
    fn same_name_in_a_plain_set_refers_outside() {
        check_fix(
            &MANUAL_INHERIT_FROM,
            "let a = { a = 3; }; in { a = a.a; }",
            "let a = { a = 3; }; in { inherit (a) a; }",
        );
    }

    #[test]
    fn comments_inside_block_the_fix() {
        check_no_fix(
            &MANUAL_INHERIT_FROM,
            r#"
{ a = x /* the x */ .a; }
# ^^^^^^^^^^^^^^^^^^^^^ warning[manual-inherit-from]: `a` can be inherited from `x`
"#,
        );
    }

    #[test]
    fn different_sources_are_not_merged() {
        check_fix(
            &MANUAL_INHERIT_FROM,
            "{ a = x.a; b = x.y.b; c = y.c; }",
            "{ inherit (x) a; inherit (x.y) b; inherit (y) c; }",
        );
        check_fix(
            &MANUAL_INHERIT_FROM,
            "{ a = x.a; b = (x).b; }",
            "{ inherit (x) a b; }",
        );
    }
}
