//! NIX016: many attribute paths that start with the same key, `a.b = …; a.c = …; a.d = …;`.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use syntax::ast::{self, HasEntry};
use syntax::helpers::attr_name;
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextEdit, TextRange};

use crate::diagnostic::Fix;
use crate::lint::{declare_lint, Findings, LintCtx, LintOption, OptionDefault};

declare_lint! {
    /// ## What it does
    /// Checks for attribute sets (not `rec` ones) where at least `min` attribute paths (3 unless
    /// configured) start with the same static key, such as `a.b = …; a.c = …; a.d = …;`.
    ///
    /// ## Why is this bad?
    /// Repeating the key makes the reader check every line for the same prefix; a nested set
    /// groups them once. This is a matter of taste, hence a hint.
    ///
    /// The fix nests the keys at the place of the first one. It keeps the value (Nix merges
    /// `a.b` and `a.c` into one set either way) but moves code around, so it is offered as an
    /// unsafe code action only; it is not offered when the key is also defined on its own
    /// (`a = …;` or `inherit a;`).
    ///
    /// ## Example
    /// ```nix
    /// {
    ///   services.nginx.enable = true;
    ///   services.nginx.recommendedTlsSettings = true;
    ///   services.openssh.enable = true;
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// {
    ///   services = {
    ///     nginx.enable = true;
    ///     nginx.recommendedTlsSettings = true;
    ///     openssh.enable = true;
    ///   };
    /// }
    /// ```
    pub(crate) static REPEATED_KEYS = {
        code: "NIX016",
        name: "repeated-keys",
        category: Style,
        severity: Hint,
        fix: Unsafe,
        tags: [],
        kinds: [NODE_ATTR_SET],
        reach: Entry,
        options: [LintOption {
            name: "min",
            default: OptionDefault::Int(3),
            doc: "How many attribute paths must share their first key before it is reported (at least 2).",
        }],
        check: check_set,
    };
}

/// The attribute paths of one set that start with the same key.
struct Group {
    name: String,
    entries: Vec<ast::AttrpathValue>,
    /// The key is also defined on its own, so nesting would define it twice.
    defined_alone: bool,
}

fn check_set(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(set) = ast::AttrSet::cast(node.clone()) else {
        return;
    };
    // Without a key that begins two entries, no key starts two attribute paths.
    if syntax::helpers::rec_token(&set).is_some() || !syntax::helpers::first_names_may_repeat(node)
    {
        return;
    }
    let min = usize::try_from(ctx.int_option("min").max(2)).unwrap_or(usize::MAX);
    // Groups in the order their keys first appear, found by key: a set of many dotted entries
    // with distinct keys made a search through the groups quadratic.
    let mut groups: Vec<Group> = Vec::new();
    let mut group_of: HashMap<String, usize> = HashMap::default();
    let mut alone: HashSet<String> = HashSet::default();
    for entry in set.entries() {
        match entry {
            ast::Entry::AttrpathValue(attrpath_value) => {
                let Some(attrpath) = attrpath_value.attrpath() else {
                    continue;
                };
                let mut attrs = attrpath.attrs();
                let Some(name) = attrs.next().and_then(|first| attr_name(&first)) else {
                    continue;
                };
                if attrs.next().is_none() {
                    alone.insert(name);
                    continue;
                }
                match group_of.get(&name) {
                    Some(&index) => groups[index].entries.push(attrpath_value),
                    None => {
                        group_of.insert(name.clone(), groups.len());
                        groups.push(Group {
                            name,
                            entries: vec![attrpath_value],
                            defined_alone: false,
                        });
                    }
                }
            }
            ast::Entry::Inherit(inherit) => {
                alone.extend(inherit.attrs().filter_map(|attr| attr_name(&attr)));
            }
        }
    }
    for group in &mut groups {
        group.defined_alone = alone.contains(&group.name);
    }
    for group in groups.iter().filter(|group| group.entries.len() >= min) {
        report(ctx, node, group, findings);
    }
}

fn report(ctx: &LintCtx<'_>, set: &SyntaxNode, group: &Group, findings: &mut Findings) {
    let Some(first) = first_attr(&group.entries[0]) else {
        return;
    };
    let finding = findings.report(
        first.text_range(),
        format!(
            "The key `{}` starts {} attribute paths: nest them in one set",
            group.name,
            group.entries.len()
        ),
    );
    for entry in &group.entries[1..] {
        if let Some(attr) = first_attr(entry) {
            finding.related(attr.text_range(), "repeated here");
        }
    }
    if group.defined_alone {
        return;
    }
    if let Some(edits) = nesting_edits(ctx, set, group, &first) {
        finding.fix(Fix::unsafe_(
            format!("Nest the `{}` keys in one set", group.name),
            edits,
        ));
    }
}

fn first_attr(entry: &ast::AttrpathValue) -> Option<SyntaxNode> {
    entry
        .attrpath()?
        .attrs()
        .next()
        .map(|attr| attr.syntax().clone())
}

fn nesting_edits(
    ctx: &LintCtx<'_>,
    set: &SyntaxNode,
    group: &Group,
    first_attr: &SyntaxNode,
) -> Option<Vec<TextEdit>> {
    // Each entry without its first key: `b = 1;` from `a.b = 1;`.
    let mut inner = Vec::with_capacity(group.entries.len());
    for entry in &group.entries {
        let second = entry.attrpath()?.attrs().nth(1)?;
        let range = TextRange::new(
            second.syntax().text_range().start(),
            entry.syntax().text_range().end(),
        );
        let text = ctx.text_of(range);
        if !text.ends_with(';') {
            return None;
        }
        inner.push(text);
    }
    let first_entry = group.entries[0].syntax();
    let multiline = ctx.text_of(set.text_range()).contains('\n');
    let key = first_attr.text();
    let nested = if multiline {
        let indent = line_indent(ctx.text, first_entry.text_range().start().into());
        let mut text = format!("{key} = {{\n");
        for line in &inner {
            text.push_str(&format!("{indent}  {line}\n"));
        }
        text.push_str(&format!("{indent}}};"));
        text
    } else {
        format!("{key} = {{ {} }};", inner.join(" "))
    };
    let mut edits = vec![TextEdit::replace(first_entry.text_range(), nested)];
    for entry in &group.entries[1..] {
        let node = entry.syntax();
        let start = match node.prev_sibling_or_token() {
            Some(previous) if previous.kind() == SyntaxKind::TOKEN_WHITESPACE => {
                previous.text_range().start()
            }
            _ => node.text_range().start(),
        };
        edits.push(TextEdit::delete(TextRange::new(
            start,
            node.text_range().end(),
        )));
    }
    Some(edits)
}

/// The whitespace that starts the line holding `offset`, if only whitespace precedes it there.
fn line_indent(text: &str, offset: usize) -> &str {
    let line_start = text[..offset].rfind('\n').map_or(0, |newline| newline + 1);
    let before = &text[line_start..offset];
    if before.chars().all(|c| c == ' ' || c == '\t') {
        before
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_no_fix, check_unsafe_fix, check_with_config};

    use super::REPEATED_KEYS;

    #[test]
    fn reports_three_paths_with_one_key() {
        check(
            &REPEATED_KEYS,
            r#"
{ a.b = 1; a.c = 2; x = 3; a.d.e = 4; }
# ^ hint[repeated-keys]: The key `a` starts 3 attribute paths: nest them in one set
"#,
        );
    }

    #[test]
    fn two_are_not_enough_by_default() {
        check(&REPEATED_KEYS, "{ a.b = 1; a.c = 2; b = { a.x = 1; }; }\n");
    }

    #[test]
    fn threshold_from_configuration() {
        check_with_config(
            &REPEATED_KEYS,
            "[lints.repeated-keys]\nmin = 2",
            r#"
{ a.b = 1; "a".c = 2; }
# ^ hint[repeated-keys]: The key `a` starts 2 attribute paths: nest them in one set
"#,
        );
    }

    #[test]
    fn rec_sets_lets_and_dynamic_keys_are_not_reported() {
        check(
            &REPEATED_KEYS,
            r#"
[
  (rec { a.b = 1; a.c = 2; a.d = 3; })
  (let a.b = 1; a.c = 2; a.d = 3; in a)
  { ${k}.b = 1; ${k}.c = 2; ${k}.d = 3; }
]
"#,
        );
    }

    #[test]
    fn fix_nests_on_one_line() {
        check_fix(
            &REPEATED_KEYS,
            "{ a.b = 1; a.c = 2; x = 3; a.d.e = 4; }",
            "{ a.b = 1; a.c = 2; x = 3; a.d.e = 4; }",
        );
        check_unsafe_fix(
            &REPEATED_KEYS,
            "{ a.b = 1; a.c = 2; x = 3; a.d.e = 4; }",
            "{ a = { b = 1; c = 2; d.e = 4; }; x = 3; }",
        );
    }

    #[test]
    fn fix_nests_across_lines() {
        check_unsafe_fix(
            &REPEATED_KEYS,
            r#"
{
  services.nginx.enable = true;
  # TLS
  services.nginx.recommendedTlsSettings = true;
  networking.hostName = "h";
  services.openssh = {
    enable = true;
  };
}
"#,
            r#"
{
  services = {
    nginx.enable = true;
    nginx.recommendedTlsSettings = true;
    openssh = {
    enable = true;
  };
  };
  # TLS
  networking.hostName = "h";
}
"#,
        );
    }

    #[test]
    fn no_fix_when_the_key_is_also_defined_alone() {
        check_no_fix(
            &REPEATED_KEYS,
            r#"
{ a.b = 1; a.c = 2; a.d = 3; a = { e = 4; }; }
# ^ hint[repeated-keys]: The key `a` starts 3 attribute paths: nest them in one set
"#,
        );
        check_no_fix(
            &REPEATED_KEYS,
            r#"
{ inherit a; a.b = 1; a.c = 2; a.d = 3; }
#            ^ hint[repeated-keys]: The key `a` starts 3 attribute paths: nest them in one set
"#,
        );
    }
}
