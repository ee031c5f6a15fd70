//! NIX301: flake.nix shapes that Nix rejects before evaluating any output.

use syntax::ast;
use syntax::{AstNode, SyntaxNode, TextRange};

use crate::flake::model::{FlakeModel, Literal, TOP_LEVEL_KEYS};
use crate::lint::{declare_lint, Findings, LintCtx};

declare_lint! {
    /// ## What it does
    /// Checks flake.nix for the shapes Nix rejects when it reads a flake: a root that is not a
    /// plain attribute set (a `let`, a function, `rec { }`); a top-level attribute other than
    /// `description`, `inputs`, `outputs` and `nixConfig`; a `description` that is not a string
    /// literal; a missing `outputs`, or one that is not a function; an input that is not an
    /// attribute set, or has an attribute Nix does not know, both `url` and `follows`, a `flake`
    /// that is not `true` or `false`, or a `url` or `follows` that is not a string literal; and
    /// `nixConfig` settings that are not strings, integers, booleans or lists of strings.
    ///
    /// ## Why is this bad?
    /// Nix reads `description`, `inputs` and `nixConfig` without evaluating them, so they must be
    /// literals, and it refuses unknown attributes ("unsupported attribute", "both a flake
    /// reference and a follows attribute"). Every command on the flake fails until it is fixed.
    ///
    /// ## Example
    /// ```nix
    /// let nixpkgsUrl = "github:NixOS/nixpkgs/nixos-24.11"; in {
    ///   inputs.nixpkgs.url = nixpkgsUrl;
    ///   outputs = { nixpkgs, ... }: { };
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// {
    ///   inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
    ///   outputs = { nixpkgs, ... }: { };
    /// }
    /// ```
    pub(crate) static FLAKE_SCHEMA = {
        code: "NIX301",
        name: "flake-schema",
        category: Flake,
        severity: Error,
        fix: None,
        tags: [],
        kinds: [NODE_ROOT],
        check: check_root,
    };
}

/// The attributes Nix's fetchers accept in an input, besides `inputs`.
const INPUT_ATTRS: &[&str] = &[
    "url",
    "flake",
    "follows",
    "type",
    "owner",
    "repo",
    "ref",
    "rev",
    "dir",
    "narHash",
    "host",
    "submodules",
    "shallow",
    "lfs",
    "allRefs",
    "path",
    "lastModified",
    "revCount",
    "id",
];

fn check_root(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    if !ctx.is_flake() {
        return;
    }
    let Some(expr) = ast::Root::cast(node.clone()).and_then(|root| root.expr()) else {
        return;
    };
    let Some(model) = FlakeModel::read(node) else {
        let what = match syntax::helpers::unwrap_parens(expr.clone()) {
            ast::Expr::LetIn(_) => "a `let` expression",
            ast::Expr::Lambda(_) => "a function",
            ast::Expr::With(_) => "a `with` expression",
            _ => "an expression",
        };
        findings.report(
            first_line(ctx, expr.syntax().text_range()),
            format!("flake.nix must be a literal attribute set, not {what}"),
        );
        return;
    };
    if model.rec_root {
        if let Some(rec) = ast::Root::cast(node.clone())
            .and_then(|root| root.expr())
            .map(syntax::helpers::unwrap_parens)
            .and_then(|expr| match expr {
                ast::Expr::AttrSet(set) => syntax::helpers::rec_token(&set),
                _ => None,
            })
        {
            findings.report(
                rec.text_range(),
                "flake.nix must be a plain attribute set, not `rec { }`",
            );
        }
    }
    for key in &model.top_level {
        match key.name.as_deref() {
            Some(name) if TOP_LEVEL_KEYS.contains(&name) => {}
            Some(name) => {
                findings.report(
                    key.range,
                    format!("Unsupported top-level attribute `{name}`: a flake has only `description`, `inputs`, `outputs` and `nixConfig`"),
                );
            }
            None => {
                findings.report(
                    key.range,
                    "Top-level attributes of a flake must be static names",
                );
            }
        }
    }
    if let Some(description) = &model.description {
        if description.value.is_none() {
            findings.report(
                first_line(ctx, description.range),
                "`description` must be a string literal",
            );
        }
    }
    match &model.outputs {
        None => {
            let brace = TextRange::at(model.set.start(), 1.into());
            findings.report(brace, "The flake has no `outputs`");
        }
        Some(outputs) if outputs.params.is_none() => {
            findings.report(
                first_line(ctx, outputs.value_range),
                "`outputs` must be a function (`inputs: { … }`)",
            );
        }
        Some(_) => {}
    }
    for input in &model.inputs {
        let name = &input.name;
        if let Some(range) = input.not_a_set {
            findings.report(
                first_line(ctx, range),
                format!("Input `{name}` must be an attribute set (`{name}.url = \"…\";`)"),
            );
            continue;
        }
        for attr in &input.attrs {
            if !INPUT_ATTRS.contains(&attr.name.as_str()) {
                findings.report(
                    attr.name_range,
                    format!("Unsupported attribute `{}` in input `{name}`", attr.name),
                );
                continue;
            }
            match (attr.name.as_str(), &attr.value) {
                ("flake", Literal::Bool(_)) => {}
                ("flake", _) => {
                    findings.report(
                        first_line(ctx, attr.value_range),
                        "`flake` must be `true` or `false`",
                    );
                }
                ("url" | "follows", Literal::Str(_)) => {}
                ("url" | "follows", _) => {
                    findings.report(
                        first_line(ctx, attr.value_range),
                        format!(
                            "`{}` must be a string literal: Nix reads inputs without evaluating them",
                            attr.name
                        ),
                    );
                }
                _ => {}
            }
        }
        if let (Some(url), Some(follows)) = (input.attr("url"), input.attr("follows")) {
            findings
                .report(
                    follows.name_range,
                    format!("Input `{name}` has both `url` and `follows`"),
                )
                .related(url.name_range, "the `url`");
        }
    }
    if let Some(range) = model.nix_config_not_a_set {
        findings.report(
            first_line(ctx, range),
            "`nixConfig` must be an attribute set",
        );
    }
    for entry in &model.nix_config {
        let Some(name) = &entry.name else { continue };
        if entry.nested {
            findings.report(
                entry.name_range,
                format!("`nixConfig` setting `{name}` must be a single name with a value"),
            );
            continue;
        }
        if entry.value == Literal::Other {
            findings.report(
                first_line(ctx, entry.value_range),
                format!("`nixConfig` setting `{name}` must be a string, integer, boolean or list of strings"),
            );
        }
    }
}

/// The part of `range` on its first line, so that a finding on a large expression stays small.
fn first_line(ctx: &LintCtx<'_>, range: TextRange) -> TextRange {
    let text = ctx.text_of(range);
    match text.find('\n') {
        Some(newline) => TextRange::at(range.start(), (newline as u32).into()),
        None => range,
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_no_fix};

    use super::FLAKE_SCHEMA;

    #[test]
    fn well_formed_flake() {
        check(
            &FLAKE_SCHEMA,
            r#"#- /flake.nix
{
  description = "ok";
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  inputs.src = { url = "github:o/r"; flake = false; };
  inputs.a.inputs.nixpkgs.follows = "nixpkgs";
  inputs.b = { type = "github"; owner = "o"; repo = "r"; ref = "main"; };
  nixConfig = { bash-prompt = "> "; max-jobs = 4; sandbox = true; extra-substituters = [ "https://c" ]; };
  outputs = { self, ... }: { };
}
"#,
        );
    }

    #[test]
    fn root_must_be_a_set() {
        check_no_fix(
            &FLAKE_SCHEMA,
            r#"#- /flake.nix
let url = "x"; in { outputs = _: { }; }
^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error[flake-schema]: flake.nix must be a literal attribute set, not a `let` expression
"#,
        );
        check(
            &FLAKE_SCHEMA,
            r#"#- /flake.nix
rec { outputs = _: { }; }
^^^ error[flake-schema]: flake.nix must be a plain attribute set, not `rec { }`
"#,
        );
    }

    #[test]
    fn top_level_description_and_outputs() {
        check(
            &FLAKE_SCHEMA,
            r#"#- /flake.nix
{
^ error[flake-schema]: The flake has no `outputs`
  description = "a ${"b"}";
#               ^^^^^^^^^^ error[flake-schema]: `description` must be a string literal
  packages = { };
# ^^^^^^^^ error[flake-schema]: Unsupported top-level attribute `packages`: a flake has only `description`, `inputs`, `outputs` and `nixConfig`
}
"#,
        );
        check(
            &FLAKE_SCHEMA,
            r#"#- /flake.nix
{ outputs = import ./outputs.nix; }
#           ^^^^^^^^^^^^^^^^^^^^ error[flake-schema]: `outputs` must be a function (`inputs: { … }`)
"#,
        );
    }

    #[test]
    fn inputs() {
        check(
            &FLAKE_SCHEMA,
            r#"#- /flake.nix
{
  inputs.a.url = "github:o/${"r"}";
#                ^^^^^^^^^^^^^^^^^ error[flake-schema]: `url` must be a string literal: Nix reads inputs without evaluating them
  inputs.b = { url = "github:o/r"; follows = "a"; };
#                                  ^^^^^^^ error[flake-schema]: Input `b` has both `url` and `follows`
  inputs.c = { flake = "false"; branch = "main"; };
#                      ^^^^^^^ error[flake-schema]: `flake` must be `true` or `false`
#                               ^^^^^^ error[flake-schema]: Unsupported attribute `branch` in input `c`
  inputs.d = "github:o/r";
#            ^^^^^^^^^^^^ error[flake-schema]: Input `d` must be an attribute set (`d.url = "…";`)
  outputs = _: { };
}
"#,
        );
    }

    #[test]
    fn nix_config_values() {
        check(
            &FLAKE_SCHEMA,
            r#"#- /flake.nix
{
  nixConfig.extra-substituters = [ "https://a" 1 ];
#                                ^^^^^^^^^^^^^^^^^ error[flake-schema]: `nixConfig` setting `extra-substituters` must be a string, integer, boolean or list of strings
  nixConfig.a.b = "x";
#           ^ error[flake-schema]: `nixConfig` setting `a` must be a single name with a value
  outputs = _: { };
}
"#,
        );
    }

    #[test]
    fn other_files_are_not_flakes() {
        check(&FLAKE_SCHEMA, "let x = 1; in { packages = x; }\n");
    }
}
