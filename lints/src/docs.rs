//! The lint reference, `docs/lints.md`, rendered from the registry so that it always says what
//! ships. A test keeps the committed file in step.

use std::fmt::Write as _;

use crate::registry::LINTS;
use crate::{Lint, Tag};

/// The Markdown reference of every registered lint: a table of contents, then one section per lint
/// with its code, name, category, default severity, whether it is on by default, its fixes, its
/// tags and its documentation.
pub fn lints_markdown() -> String {
    let mut out = String::new();
    out.push_str("# Lints\n\n");
    out.push_str(
        "<!-- Generated from the lint registry by `lints::docs::lints_markdown`. Do not edit by hand: \
         run `UPDATE_EXPECT=1 cargo test -p nixwise-lints` after changing a lint. -->\n\n",
    );
    let _ = writeln!(
        out,
        "nixwise has {} lints. Each is known by its name and by its code: set its level in \
         `nixwise.toml` under `[lints]` (`empty-let-in = \"off\"`, `NIX201 = \"error\"`), or \
         silence it on the next line with `# nixwise: ignore[empty-let-in]`.\n",
        LINTS.len()
    );
    out.push_str(
        "Fixes are *safe* when the fixed expression has the same value: `nixwise fix` applies them. \
         *Unsafe* fixes may change what the code means and are applied only on request \
         (`nixwise fix --unsafe`, or a quick fix in the editor).\n\n",
    );
    out.push_str("| Code | Name | Category | Severity | Default | Fix |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for lint in LINTS {
        let _ = writeln!(
            out,
            "| [{code}](#{anchor}) | `{name}` | {category} | {severity} | {enabled} | {fix} |",
            code = lint.code,
            anchor = anchor(lint),
            name = lint.name,
            category = lint.category.as_str(),
            severity = lint.default_severity.as_str(),
            enabled = if lint.default_enabled { "on" } else { "off" },
            fix = lint.fixability.as_str(),
        );
    }
    for lint in LINTS {
        out.push('\n');
        render_lint(&mut out, lint);
    }
    out
}

fn render_lint(out: &mut String, lint: &Lint) {
    let _ = writeln!(out, "## {} {}\n", lint.code, lint.name);
    let tags: Vec<&str> = lint.tags.iter().map(|tag| tag_name(*tag)).collect();
    let _ = writeln!(out, "- Code: `{}`", lint.code);
    let _ = writeln!(out, "- Name: `{}`", lint.name);
    let _ = writeln!(out, "- Category: {}", lint.category.as_str());
    let _ = writeln!(
        out,
        "- Default severity: {}",
        lint.default_severity.as_str()
    );
    let _ = writeln!(
        out,
        "- Enabled by default: {}",
        if lint.default_enabled { "yes" } else { "no" }
    );
    let _ = writeln!(out, "- Fix: {}", lint.fixability.as_str());
    let _ = writeln!(
        out,
        "- Tags: {}\n",
        if tags.is_empty() {
            "none".to_owned()
        } else {
            tags.join(", ")
        }
    );
    if !lint.options.is_empty() {
        out.push_str("- Options, set under `[lints.");
        out.push_str(lint.name);
        out.push_str("]`:
");
        for option in lint.options {
            let _ = writeln!(
                out,
                "  - `{} = {}` (default): {}",
                option.name,
                option.default.to_toml(),
                option.doc
            );
        }
        out.push('\n');
    }
    out.push_str(&demote_headings(&lint.docs_text()));
}

/// The anchor GitHub gives the heading `## CODE name`.
fn anchor(lint: &Lint) -> String {
    format!("{}-{}", lint.code.to_ascii_lowercase(), lint.name)
}

fn tag_name(tag: Tag) -> &'static str {
    match tag {
        Tag::Unnecessary => "unnecessary",
        Tag::Deprecated => "deprecated",
    }
}

/// Moves every Markdown heading one level down, so a lint's `## What it does` sits under the
/// lint's own `##` heading. Lines inside code fences are code (a Nix comment starts with `#`).
fn demote_headings(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() + 16);
    let mut in_fence = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        } else if !in_fence && line.starts_with('#') {
            out.push('#');
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const DOCS_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/lints.md");

    /// docs/lints.md is the record of what ships; it must be what the registry renders.
    #[test]
    fn docs_lints_md_is_up_to_date() {
        let expected = lints_markdown();
        let path = Path::new(DOCS_PATH);
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            std::fs::write(path, &expected).expect("docs/lints.md is writable");
            return;
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        if committed != expected {
            let first_difference = committed
                .lines()
                .zip(expected.lines())
                .position(|(old, new)| old != new)
                .unwrap_or_else(|| committed.lines().count().min(expected.lines().count()));
            panic!(
                "docs/lints.md is out of date (first difference on line {}). \
                 Run `UPDATE_EXPECT=1 cargo test -p nixwise-lints` and commit the result.",
                first_difference + 1
            );
        }
    }

    #[test]
    fn every_lint_has_the_documentation_headings() {
        for lint in LINTS {
            let docs = lint.docs_text();
            let mut position = 0;
            for part in [
                "## What it does\n",
                "## Why is this bad?\n",
                "## Example\n",
                "Use instead:",
            ] {
                match docs[position..].find(part) {
                    Some(found) => position += found + part.len(),
                    None => panic!(
                        "{} ({}): `{}` missing or out of order",
                        lint.name,
                        lint.code,
                        part.trim()
                    ),
                }
            }
            assert!(
                !lint.summary().trim().is_empty(),
                "{}: `## What it does` is empty",
                lint.name
            );
        }
    }

    #[test]
    fn every_lint_file_has_a_test() {
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/src/lints");
        let mut checked = 0;
        for entry in std::fs::read_dir(folder).expect("the lints folder") {
            let path = entry.expect("an entry").path();
            if path.file_name().is_some_and(|name| name == "mod.rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).expect("a readable lint file");
            assert!(
                source.starts_with("//!"),
                "{} does not start with a `//!` line",
                path.display()
            );
            assert!(
                source.contains("#[test]"),
                "{} has no `#[test]`",
                path.display()
            );
            checked += 1;
        }
        assert_eq!(checked, LINTS.len(), "one file per registered lint");
    }

    #[test]
    fn headings_are_demoted_outside_code_only() {
        let markdown = "## What it does\nText\n```nix\n# a Nix comment\n```\n# Top\n";
        assert_eq!(
            demote_headings(markdown),
            "### What it does\nText\n```nix\n# a Nix comment\n```\n## Top\n"
        );
    }

    #[test]
    fn every_lint_is_listed_and_described() {
        let markdown = lints_markdown();
        for lint in LINTS {
            let heading = format!("\n## {} {}\n", lint.code, lint.name);
            assert_eq!(markdown.matches(&heading).count(), 1, "{heading}");
            assert!(markdown.contains(&format!("[{}](#{})", lint.code, anchor(lint))));
        }
        // The lints' own headings sit one level below the lint's.
        assert!(!markdown.contains("\n## What it does"));
        assert_eq!(
            markdown.matches("\n### What it does\n").count(),
            LINTS.len()
        );
    }
}
