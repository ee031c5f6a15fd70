//! Hover on a name: what it is (a `let` binding, a parameter, a pattern entry and its default, a
//! name inherited from somewhere), the first line of its definition and the doc comment above it
//! (`/** … */` of RFC 145, or a block of `#` lines); builtins with their signature and, when
//! Nix gave them, their documentation; flake inputs with their URL and locked revision.

use std::collections::HashMap;

use lints::flake::check::unix_to_date;
use lints::flake::lock::Lock;
use lints::flake::model::FlakeModel;
use lints::scope::{BindingId, BindingKind, Resolution};
use syntax::ast;
use syntax::{AstNode, NodeOrToken, SyntaxKind, SyntaxNode, TextRange, TextSize};

use crate::builtins;
use crate::definition::{input_named, FlakeFiles};
use crate::navigation::{first_line, Analysis, NameAt};

/// The documentation of one builtin as `nix __dump-builtins` gives it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuiltinDoc {
    pub args: Vec<String>,
    pub doc: String,
}

/// What hover knows besides the file.
#[derive(Clone, Copy, Debug, Default)]
pub struct HoverContext<'a> {
    /// Builtin documentation by name (without `builtins.`), from the user's Nix.
    pub builtin_docs: Option<&'a HashMap<String, BuiltinDoc>>,
    pub flake: FlakeFiles<'a>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoverResult {
    pub range: TextRange,
    pub markdown: String,
}

/// What the name at `offset` is, as Markdown.
pub fn hover(
    analysis: &Analysis,
    offset: TextSize,
    context: HoverContext<'_>,
) -> Option<HoverResult> {
    let name_at = analysis.name_at(offset)?;
    let range = name_at.range();
    let mut sections: Vec<String> = Vec::new();
    let flake_input = context
        .flake
        .is_flake
        .then(|| FlakeModel::read(&analysis.root))
        .flatten()
        .and_then(|model| {
            let name = input_named(analysis, &model, &name_at)?;
            Some(flake_input(&model, &name, context.flake.lock))
        });
    let binding = match &name_at {
        NameAt::Reference {
            defines: Some(id), ..
        } => Some(*id),
        other => other.binding(),
    };
    match (&name_at, binding) {
        (_, Some(id)) => sections.extend(describe_binding(analysis, id)),
        (NameAt::Reference { resolution, .. }, None) => {
            let name = analysis.slice(range).to_owned();
            match resolution {
                Resolution::Builtin => {
                    let bare = name.strip_prefix("__").unwrap_or(&name);
                    sections.extend(
                        describe_builtin(bare, context.builtin_docs)
                            .into_iter()
                            .flatten(),
                    );
                }
                Resolution::With(with) => sections.push(describe_with(analysis, &name, *with)?),
                _ => {}
            }
        }
        (NameAt::Attribute { name, .. }, None) => {
            if is_builtins_attribute(analysis, range) {
                sections.extend(
                    describe_builtin(name, context.builtin_docs)
                        .into_iter()
                        .flatten(),
                );
            } else if let Some(&definition) = analysis.attribute_definitions(range).first() {
                sections.extend(describe_attribute(analysis, name, definition));
            }
        }
        _ => {}
    }
    sections.extend(flake_input);
    (!sections.is_empty()).then(|| HoverResult {
        range,
        markdown: sections.join("\n\n---\n\n"),
    })
}

fn code_block(code: &str) -> String {
    format!("```nix\n{code}\n```")
}

fn describe_binding(analysis: &Analysis, id: BindingId) -> Vec<String> {
    let binding = analysis.scopes.binding(id);
    let name = &binding.name;
    let defining = analysis
        .node_with_range(binding.name_range, |kind| {
            matches!(kind, SyntaxKind::NODE_IDENT | SyntaxKind::NODE_STRING)
        })
        .and_then(|node| defining_node(&node));
    let what = match binding.kind {
        BindingKind::Let => format!("`{name}`: `let` binding"),
        BindingKind::Rec => format!("`{name}`: attribute of a `rec` set"),
        BindingKind::LambdaParam => format!("`{name}`: function parameter"),
        BindingKind::PatternBind => format!("`{name}`: the whole argument set (`@`)"),
        BindingKind::PatternEntry => {
            let default = defining
                .clone()
                .and_then(ast::PatEntry::cast)
                .and_then(|entry| entry.default())
                .map(|default| first_line(&default.syntax().to_string()).to_owned());
            match default {
                Some(default) => format!("`{name}`: pattern entry, default `{default}`"),
                None => format!("`{name}`: pattern entry"),
            }
        }
        BindingKind::LetInherit | BindingKind::RecInherit => {
            let source = defining
                .clone()
                .and_then(ast::Inherit::cast)
                .and_then(|inherit| inherit.from())
                .and_then(|from| from.expr())
                .map(|source| first_line(&source.syntax().to_string()).to_owned());
            let holder = if binding.kind == BindingKind::LetInherit {
                "`let`"
            } else {
                "`rec` set"
            };
            match source {
                Some(source) => format!("`{name}`: inherited by a {holder} from `{source}`"),
                None => format!("`{name}`: inherited by a {holder} from the enclosing scope"),
            }
        }
    };
    let mut sections = Vec::new();
    let mut head = String::new();
    if let Some(node) = &defining {
        let shown = match binding.kind {
            BindingKind::LambdaParam => format!("{name}: …"),
            BindingKind::PatternBind => format!("{name}@{{ … }}"),
            _ => first_line(&node.to_string()).to_owned(),
        };
        head.push_str(&code_block(&shown));
        head.push_str("\n\n");
    }
    head.push_str(&what);
    sections.push(head);
    if let Some(docs) = defining.as_ref().and_then(doc_comment) {
        sections.push(docs);
    }
    sections
}

/// The node whose first line shows a definition: the entry of a set or `let`, the `inherit`,
/// the pattern entry, the lambda.
fn defining_node(name: &SyntaxNode) -> Option<SyntaxNode> {
    let parent = name.parent()?;
    match parent.kind() {
        SyntaxKind::NODE_ATTRPATH => parent.parent(),
        SyntaxKind::NODE_INHERIT | SyntaxKind::NODE_PAT_ENTRY => Some(parent),
        SyntaxKind::NODE_IDENT_PARAM => parent.parent(),
        SyntaxKind::NODE_PAT_BIND => parent.parent()?.parent(),
        _ => None,
    }
}

fn describe_attribute(analysis: &Analysis, name: &str, definition: TextRange) -> Vec<String> {
    let defining = analysis
        .node_with_range(definition, |kind| {
            matches!(kind, SyntaxKind::NODE_IDENT | SyntaxKind::NODE_STRING)
        })
        .and_then(|node| defining_node(&node));
    let mut sections = Vec::new();
    let mut head = String::new();
    if let Some(node) = &defining {
        head.push_str(&code_block(first_line(&node.to_string())));
        head.push_str("\n\n");
    }
    head.push_str(&format!("`{name}`: attribute of a local set"));
    sections.push(head);
    sections.extend(defining.as_ref().and_then(doc_comment));
    sections
}

fn describe_builtin(name: &str, docs: Option<&HashMap<String, BuiltinDoc>>) -> Option<Vec<String>> {
    let documented = docs.and_then(|docs| docs.get(name));
    let known = builtins::find(name);
    let signature = match (documented, known) {
        (Some(doc), _) if !doc.args.is_empty() || known.is_none() => {
            let mut signature = format!("builtins.{name}");
            for arg in &doc.args {
                signature.push(' ');
                signature.push_str(arg);
            }
            signature
        }
        (_, Some(builtin)) => builtin.signature(),
        _ => return None,
    };
    let mut sections = vec![format!("{}\n\nbuiltin", code_block(&signature))];
    if let Some(doc) = documented.filter(|doc| !doc.doc.trim().is_empty()) {
        sections.push(doc.doc.trim().to_owned());
    }
    Some(sections)
}

/// Whether the attribute at `range` is the first name after `builtins.`.
fn is_builtins_attribute(analysis: &Analysis, range: TextRange) -> bool {
    let Some(node) = analysis.node_with_range(range, |kind| kind == SyntaxKind::NODE_IDENT) else {
        return false;
    };
    let Some(attrpath) = node.parent() else {
        return false;
    };
    if attrpath.first_child().as_ref() != Some(&node) {
        return false;
    }
    let Some(select) = attrpath.parent().and_then(ast::Select::cast) else {
        return false;
    };
    match select.expr() {
        Some(ast::Expr::Ident(base)) => {
            base.syntax().to_string() == "builtins"
                && analysis.scopes.resolve(base.syntax().text_range()) == Some(Resolution::Builtin)
        }
        _ => false,
    }
}

fn describe_with(analysis: &Analysis, name: &str, with: TextRange) -> Option<String> {
    let node = analysis.node_with_range(with, |kind| kind == SyntaxKind::NODE_WITH)?;
    let namespace = ast::With::cast(node)?.namespace()?;
    Some(format!(
        "`{name}`: may come from `with {};`",
        first_line(&namespace.syntax().to_string())
    ))
}

fn flake_input(model: &FlakeModel, name: &str, lock: Option<&str>) -> String {
    let mut text = format!("flake input `{name}`");
    if let Some(input) = model.input(name) {
        if let Some((url, _)) = &input.url {
            text.push_str(&format!("\n\nurl: `{url}`"));
        }
        if let Some((follows, _)) = &input.follows {
            text.push_str(&format!("\n\nfollows: `{follows}`"));
        }
    } else {
        text.push_str("\n\nnot declared in `inputs`: taken from the flake registry");
    }
    if let Some(lock) = lock {
        let lock = Lock::parse(lock);
        match lock.resolve_root_input(name) {
            Ok(node) => {
                let locked = node.locked.as_ref();
                let rev = locked.and_then(|source| source.str("rev"));
                let date = locked
                    .and_then(|source| source.int("lastModified"))
                    .map(unix_to_date);
                match (rev, date) {
                    (Some(rev), Some(date)) => {
                        text.push_str(&format!("\n\nlocked: `{rev}` ({date})"))
                    }
                    (Some(rev), None) => text.push_str(&format!("\n\nlocked: `{rev}`")),
                    (None, Some(date)) => text.push_str(&format!("\n\nlocked: {date}")),
                    (None, None) => {}
                }
            }
            Err(_) => text.push_str("\n\nnot in flake.lock"),
        }
    }
    text
}

/// The doc comment right above a definition: one `/** … */` block, or consecutive `#` lines;
/// a blank line or code in between detaches it.
pub fn doc_comment(node: &SyntaxNode) -> Option<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut element = node.prev_sibling_or_token();
    while let Some(current) = element {
        let previous = current.prev_sibling_or_token();
        match &current {
            NodeOrToken::Token(token) if token.kind() == SyntaxKind::TOKEN_WHITESPACE => {
                if token.text().matches('\n').count() > 1 {
                    break;
                }
            }
            NodeOrToken::Token(token) if token.kind() == SyntaxKind::TOKEN_COMMENT => {
                let text = token.text();
                if let Some(body) = text
                    .strip_prefix("/**")
                    .filter(|_| lines.is_empty() && text != "/**/")
                {
                    return Some(dedent(body.strip_suffix("*/").unwrap_or(body)));
                }
                let Some(line) = text.strip_prefix('#') else {
                    break;
                };
                // A comment after code on its line belongs to that code.
                let own_line = match &previous {
                    None => true,
                    Some(NodeOrToken::Token(before)) => {
                        before.kind() == SyntaxKind::TOKEN_WHITESPACE
                            && before.text().contains('\n')
                            || before.kind() == SyntaxKind::TOKEN_COMMENT
                    }
                    Some(NodeOrToken::Node(_)) => false,
                };
                if !own_line && !previous_is_opening(&previous) {
                    break;
                }
                lines.push(line.strip_prefix(' ').unwrap_or(line).to_owned());
            }
            _ => break,
        }
        element = previous;
    }
    if lines.is_empty() {
        return None;
    }
    lines.reverse();
    let text = lines.join("\n").trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// Whether the element before a comment is whitespace after the start of its container.
fn previous_is_opening(previous: &Option<syntax::SyntaxElement>) -> bool {
    matches!(previous, Some(NodeOrToken::Token(token))
        if token.kind() == SyntaxKind::TOKEN_WHITESPACE && token.prev_sibling_or_token().is_none())
}

/// Removes the indentation common to the non-blank lines, and blank lines at both ends.
fn dedent(body: &str) -> String {
    let lines: Vec<&str> = body.lines().collect();
    let indent = lines
        .iter()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out: Vec<&str> = Vec::new();
    for (position, line) in lines.iter().enumerate() {
        if position == 0 {
            out.push(line.trim());
        } else {
            out.push(line.get(indent..).unwrap_or(line.trim_start()).trim_end());
        }
    }
    out.join("\n").trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    fn hover_text(fixture: &str, docs: Option<&HashMap<String, BuiltinDoc>>) -> String {
        let files = fixture::files(fixture);
        let file = &files[0];
        let context = HoverContext {
            builtin_docs: docs,
            flake: fixture::flake_files(&files),
        };
        let analysis = Analysis::new(syntax::parse(&file.text).root());
        hover(&analysis, file.cursor(), context)
            .map(|result| result.markdown)
            .unwrap_or_default()
    }

    #[test]
    fn let_binding_with_rfc145_doc_comment() {
        let text = hover_text(
            "let\n  /**\n    Adds one.\n\n    Example: `inc 1`\n  */\n  inc = x:\n    x + 1;\nin $0inc 2",
            None,
        );
        assert_eq!(
            text,
            "```nix\ninc = x:\n```\n\n`inc`: `let` binding\n\n---\n\nAdds one.\n\nExample: `inc 1`"
        );
    }

    #[test]
    fn hash_comment_blocks_and_detached_comments() {
        let text = hover_text("{\n  # The answer.\n  # Always.\n  a = 1;\n}.$0a", None);
        assert!(text.ends_with("---\n\nThe answer.\nAlways."), "{text}");
        // A blank line detaches a comment; a trailing comment belongs to the line before.
        let detached = hover_text("let\n  # Unrelated.\n\n  a = 1;\nin $0a", None);
        assert!(!detached.contains("Unrelated"), "{detached}");
        let trailing = hover_text("let b = 2; # about b\n  a = 1;\nin $0a", None);
        assert!(!trailing.contains("about b"), "{trailing}");
    }

    #[test]
    fn parameters_pattern_defaults_and_inherits() {
        assert!(hover_text("x: $0x", None).contains("`x`: function parameter"));
        let entry = hover_text("{ a ? b + 1, b }: $0a", None);
        assert!(
            entry.contains("`a`: pattern entry, default `b + 1`"),
            "{entry}"
        );
        assert!(entry.starts_with("```nix\na ? b + 1\n```"), "{entry}");
        let inherited = hover_text("let inherit (pkgs.lib) mkIf; in $0mkIf", None);
        assert!(
            inherited.contains("`mkIf`: inherited by a `let` from `pkgs.lib`"),
            "{inherited}"
        );
        let outer = hover_text("x: let inherit x; in $0x", None);
        assert!(outer.contains("from the enclosing scope"), "{outer}");
        assert!(hover_text("a@{ ... }: $0a", None).contains("whole argument set"));
    }

    #[test]
    fn builtins_with_and_without_docs_from_nix() {
        let plain = hover_text("$0map f [ ]", None);
        assert_eq!(plain, "```nix\nbuiltins.map f list\n```\n\nbuiltin");
        let mut docs = HashMap::new();
        docs.insert(
            "attrNames".to_owned(),
            BuiltinDoc {
                args: vec!["set".to_owned()],
                doc: "Return the names of the attributes.".to_owned(),
            },
        );
        let documented = hover_text("builtins.$0attrNames { }", Some(&docs));
        assert_eq!(
            documented,
            "```nix\nbuiltins.attrNames set\n```\n\nbuiltin\n\n---\n\nReturn the names of the attributes."
        );
        assert!(hover_text("$0__add 1 2", None).contains("builtins.add e1 e2"));
    }

    #[test]
    fn with_names_and_nothing() {
        assert_eq!(
            hover_text("with pkgs; $0hello", None),
            "`hello`: may come from `with pkgs;`"
        );
        assert_eq!(hover_text("$0nope", None), "");
        assert_eq!(hover_text("1 $0+ 2", None), "");
    }

    #[test]
    fn flake_inputs_show_url_and_lock() {
        let fixture = r#"#- /flake.nix
{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
  outputs = { self, nix$0pkgs }: { };
}
#- /flake.lock
{ "nodes": { "nixpkgs": { "locked": { "type": "github", "owner": "NixOS", "repo": "nixpkgs",
               "rev": "abc123", "lastModified": 1714521600 } },
             "root": { "inputs": { "nixpkgs": "nixpkgs" } } },
  "root": "root", "version": 7 }
"#;
        let text = hover_text(fixture, None);
        assert!(
            text.ends_with(
                "flake input `nixpkgs`\n\nurl: `github:NixOS/nixpkgs/nixos-24.05`\n\nlocked: `abc123` (2024-05-01)"
            ),
            "{text}"
        );
        assert!(text.contains("pattern entry"), "{text}");
    }

    #[test]
    fn dates_of_unix_times() {
        assert_eq!(unix_to_date(0), "1970-01-01");
        assert_eq!(unix_to_date(951_782_400), "2000-02-29");
        assert_eq!(unix_to_date(-86_400), "1969-12-31");
    }
}
