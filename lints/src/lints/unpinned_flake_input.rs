//! NIX308: flake inputs resolved through the registry, or tracking nixpkgs' default branch.

use syntax::ast;
use syntax::helpers::node_at;
use syntax::helpers::{append_entry, is_plain_ident, line_indent, quote_string};
use syntax::SyntaxKind;
use syntax::{AstNode, SyntaxNode, TextEdit, TextRange, TextSize};

use crate::diagnostic::{Fix, Severity};
use crate::flake::flakeref::{FlakeRef, FlakeRefKind};
use crate::flake::model::{FlakeInput, FlakeModel};
use crate::lint::{declare_lint, Findings, LintCtx, LintOption, OptionDefault};

declare_lint! {
    /// ## What it does
    /// Checks the inputs of a flake for references that are not pinned to a source:
    ///
    /// - an **indirect** reference (`nixpkgs`, `flake:nixpkgs`, `nixpkgs/nixos-24.11`, any
    ///   reference without a `scheme:`), which Nix resolves through the user's flake registry;
    /// - an **implicit** input: a parameter of `outputs` other than `self` that is not declared
    ///   in `inputs`, which Nix silently fetches from the registry;
    /// - a `github:`, `gitlab:` or `sourcehut:` reference to nixpkgs with no branch and no
    ///   commit, which tracks `master`. With the option `all-inputs`, other inputs that track
    ///   their default branch are reported too, as information.
    ///
    /// ## Why is this bad?
    /// The registry differs between machines and changes over time, so the same flake.nix locks
    /// different sources for different people. nixpkgs' `master` is not a channel: it has no
    /// binary cache guarantee and may be broken.
    ///
    /// ## Example
    /// ```nix
    /// {
    ///   inputs.nixpkgs.url = "nixpkgs";
    ///   outputs = { self, nixpkgs, flake-utils }: { };
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// {
    ///   inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    ///   inputs.flake-utils.url = "github:numtide/flake-utils";
    ///   outputs = { self, nixpkgs, flake-utils }: { };
    /// }
    /// ```
    ///
    /// The fixes are unsafe, since they change what gets locked: well-known registry ids
    /// (`nixpkgs`, `flake-utils`, `home-manager`, `flake-parts`, …) are rewritten to their
    /// upstream repository, keeping the branch; an implicit well-known input gets a declared
    /// URL; a nixpkgs URL without a branch gets `/nixos-unstable`.
    pub(crate) static UNPINNED_FLAKE_INPUT = {
        code: "NIX308",
        name: "unpinned-flake-input",
        category: Reproducibility,
        severity: Warning,
        fix: Unsafe,
        tags: [],
        kinds: [NODE_ROOT],
        options: [LintOption {
            name: "all-inputs",
            default: OptionDefault::Bool(false),
            doc: "Also report inputs other than nixpkgs that track their default branch.",
        }],
        check: check_root,
    };
}

/// Registry ids of the global flake registry and their upstream repositories.
const WELL_KNOWN: &[(&str, &str)] = &[
    ("nixpkgs", "github:NixOS/nixpkgs"),
    ("flake-utils", "github:numtide/flake-utils"),
    ("home-manager", "github:nix-community/home-manager"),
    ("flake-parts", "github:hercules-ci/flake-parts"),
    ("nixos-hardware", "github:NixOS/nixos-hardware"),
    ("systems", "github:nix-systems/default"),
    ("sops-nix", "github:Mic92/sops-nix"),
    ("disko", "github:nix-community/disko"),
];

/// The branch used when a nixpkgs reference names none.
const NIXPKGS_BRANCH: &str = "nixos-unstable";

fn upstream(id: &str) -> Option<&'static str> {
    WELL_KNOWN
        .iter()
        .find(|(known, _)| *known == id)
        .map(|(_, url)| *url)
}

/// The upstream URL for a registry id, keeping the branch or commit of the indirect reference.
fn upstream_url(id: &str, flake_ref: Option<&FlakeRef>) -> Option<String> {
    let mut url = upstream(id)?.to_owned();
    let branch = flake_ref.and_then(|flake_ref| flake_ref.rev.as_ref().or(flake_ref.ref_.as_ref()));
    match branch {
        Some(branch) => {
            url.push('/');
            url.push_str(branch);
        }
        None if id == "nixpkgs" => {
            url.push('/');
            url.push_str(NIXPKGS_BRANCH);
        }
        None => {}
    }
    if let Some(dir) = flake_ref.and_then(|flake_ref| flake_ref.dir.as_ref()) {
        url.push_str("?dir=");
        url.push_str(dir);
    }
    Some(url)
}

fn is_nixpkgs(input: &FlakeInput, flake_ref: &FlakeRef) -> bool {
    input.name == "nixpkgs"
        || flake_ref.is_github_nixpkgs()
        || (flake_ref.kind.is_forge() && flake_ref.repo.as_deref() == Some("nixpkgs"))
}

fn check_root(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    if !ctx.is_flake() {
        return;
    }
    let Some(model) = FlakeModel::read(node) else {
        return;
    };
    for input in &model.inputs {
        let Some(Ok(flake_ref)) = input.flake_ref() else {
            continue;
        };
        let range = match (&input.url, input.attr("type")) {
            (Some((_, range)), _) => *range,
            (None, Some(kind)) => kind.value_range,
            (None, None) => input.name_range,
        };
        if flake_ref.is_indirect() {
            let id = flake_ref.id.as_deref().unwrap_or_default();
            let finding = findings.report(
                range,
                format!("Input `{}` is resolved through the flake registry (`{id}`), which differs between machines: use a URL", input.name),
            );
            if input.url.is_some() && input.url_is_literal {
                if let Some(url) = upstream_url(id, Some(&flake_ref)) {
                    finding.fix(Fix::unsafe_(
                        format!("Use `{url}`"),
                        vec![TextEdit::replace(range, quote_string(&url))],
                    ));
                }
            }
            continue;
        }
        if flake_ref.kind.is_forge() && flake_ref.ref_.is_none() && flake_ref.rev.is_none() {
            let nixpkgs = is_nixpkgs(input, &flake_ref);
            if !nixpkgs && !ctx.bool_option("all-inputs") {
                continue;
            }
            let finding = findings.report(
                range,
                format!(
                    "Input `{}` tracks the default branch of `{}/{}`{}",
                    input.name,
                    flake_ref.owner.as_deref().unwrap_or_default(),
                    flake_ref.repo.as_deref().unwrap_or_default(),
                    if nixpkgs {
                        ", which is not a channel and has no binary cache guarantee: name a branch such as `nixos-unstable`"
                    } else {
                        ""
                    }
                ),
            );
            if !nixpkgs {
                finding.severity(Severity::Info);
                continue;
            }
            if flake_ref.kind == FlakeRefKind::Github || flake_ref.kind == FlakeRefKind::Gitlab {
                if let Some(edit) = branch_insert(ctx, input, range) {
                    finding.fix(Fix::unsafe_(
                        format!("Track `{NIXPKGS_BRANCH}`"),
                        vec![edit],
                    ));
                }
            }
        }
    }
    let Some(params) = model.params() else { return };
    for formal in &params.formals {
        if formal.name == "self" || model.input(&formal.name).is_some() {
            continue;
        }
        let finding = findings.report(
            formal.range,
            format!("`{}` is an argument of `outputs` but not a declared input: Nix fetches it from the flake registry", formal.name),
        );
        if let Some(url) = upstream_url(&formal.name, None) {
            if let Some(edit) = declare_input(ctx, node, &model, &formal.name, &url) {
                finding.fix(Fix::unsafe_(
                    format!("Declare `inputs.{}.url = \"{url}\"`", formal.name),
                    vec![edit],
                ));
            }
        }
    }
}

/// Inserts `/nixos-unstable` after `owner/repo` in a literal URL written without escapes.
fn branch_insert(ctx: &LintCtx<'_>, input: &FlakeInput, range: TextRange) -> Option<TextEdit> {
    let (url, _) = input.url.as_ref()?;
    if !input.url_is_literal || ctx.text_of(range) != quote_string(url) {
        return None;
    }
    let path_end = url.find(['?', '#']).unwrap_or(url.len());
    let path = url[..path_end].trim_end_matches('/');
    let offset = range.start() + TextSize::from(1 + path.len() as u32);
    Some(TextEdit::insert(offset, format!("/{NIXPKGS_BRANCH}")))
}

fn declare_input(
    ctx: &LintCtx<'_>,
    root: &SyntaxNode,
    model: &FlakeModel,
    name: &str,
    url: &str,
) -> Option<TextEdit> {
    let key = if is_plain_ident(name) {
        name.to_owned()
    } else {
        quote_string(name)
    };
    if let Some(set) = model.inputs_set {
        let set = node_at(root, set, SyntaxKind::NODE_ATTR_SET).and_then(ast::AttrSet::cast)?;
        let (offset, text) = append_entry(
            ctx.text,
            &set,
            &format!("{key}.url = {};", quote_string(url)),
        )?;
        return Some(TextEdit::insert(offset, text));
    }
    let outputs = model.outputs.as_ref()?;
    let start = outputs.entry_range.start();
    let indent = line_indent(ctx.text, usize::from(start));
    let line_start = ctx.text[..usize::from(start)].ends_with(indent)
        && ctx.text[..usize::from(start) - indent.len()]
            .chars()
            .next_back()
            .is_none_or(|c| c == '\n');
    let separator = if line_start {
        format!("\n{indent}")
    } else {
        " ".to_owned()
    };
    Some(TextEdit::insert(
        start,
        format!("inputs.{key}.url = {};{separator}", quote_string(url)),
    ))
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_unsafe_fix, check_with_config};

    use super::UNPINNED_FLAKE_INPUT;

    /// flake-checker #54: an indirect `nixpkgs` input was not checked at all.
    #[test]
    fn indirect_references() {
        check(
            &UNPINNED_FLAKE_INPUT,
            r#"#- /flake.nix
{
  inputs.nixpkgs.url = "nixpkgs";
#                      ^^^^^^^^^ warning[unpinned-flake-input]: Input `nixpkgs` is resolved through the flake registry (`nixpkgs`), which differs between machines: use a URL
  inputs.stable.url = "flake:nixpkgs/nixos-24.05";
#                     ^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[unpinned-flake-input]: Input `stable` is resolved through the flake registry (`nixpkgs`), which differs between machines: use a URL
  inputs.attrs = { type = "indirect"; id = "mine"; };
#                         ^^^^^^^^^^ warning[unpinned-flake-input]: Input `attrs` is resolved through the flake registry (`mine`), which differs between machines: use a URL
  outputs = { self, nixpkgs, stable, attrs }: { };
}
"#,
        );
    }

    #[test]
    fn indirect_fixes_keep_the_branch() {
        check_unsafe_fix(
            &UNPINNED_FLAKE_INPUT,
            "#- /flake.nix\n{ inputs.a.url = \"nixpkgs\"; inputs.b.url = \"nixpkgs/nixos-24.05\"; inputs.c.url = \"flake-utils\"; outputs = { self, a, b, c }: { }; }\n",
            "#- /flake.nix\n{ inputs.a.url = \"github:NixOS/nixpkgs/nixos-unstable\"; inputs.b.url = \"github:NixOS/nixpkgs/nixos-24.05\"; inputs.c.url = \"github:numtide/flake-utils\"; outputs = { self, a, b, c }: { }; }\n",
        );
    }

    /// nil `param_inputs` / nixd: `outputs` formals are inputs even when undeclared.
    #[test]
    fn implicit_inputs() {
        check(
            &UNPINNED_FLAKE_INPUT,
            r#"#- /flake.nix
{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  outputs = { self, nixpkgs, flake-utils, custom ? null }: { };
#                            ^^^^^^^^^^^ warning[unpinned-flake-input]: `flake-utils` is an argument of `outputs` but not a declared input: Nix fetches it from the flake registry
#                                         ^^^^^^ warning[unpinned-flake-input]: `custom` is an argument of `outputs` but not a declared input: Nix fetches it from the flake registry
}
"#,
        );
        check(
            &UNPINNED_FLAKE_INPUT,
            "#- /flake.nix\n{ inputs.a.url = \"github:o/a\"; outputs = inputs@{ self, ... }: { }; }\n",
        );
    }

    #[test]
    fn implicit_inputs_get_declared() {
        check_unsafe_fix(
            &UNPINNED_FLAKE_INPUT,
            "#- /flake.nix\n{\n  inputs = {\n    nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n  };\n  outputs = { self, nixpkgs, flake-utils }: { };\n}\n",
            "#- /flake.nix\n{\n  inputs = {\n    nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n    flake-utils.url = \"github:numtide/flake-utils\";\n  };\n  outputs = { self, nixpkgs, flake-utils }: { };\n}\n",
        );
        check_unsafe_fix(
            &UNPINNED_FLAKE_INPUT,
            "#- /flake.nix\n{\n  outputs = { self, nixpkgs }: { };\n}\n",
            "#- /flake.nix\n{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n  outputs = { self, nixpkgs }: { };\n}\n",
        );
    }

    #[test]
    fn nixpkgs_on_its_default_branch() {
        check(
            &UNPINNED_FLAKE_INPUT,
            r#"#- /flake.nix
{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs";
#                      ^^^^^^^^^^^^^^^^^^^^^^ warning[unpinned-flake-input]: Input `nixpkgs` tracks the default branch of `NixOS/nixpkgs`, which is not a channel and has no binary cache guarantee: name a branch such as `nixos-unstable`
  inputs.utils.url = "github:numtide/flake-utils";
  inputs.pinned.url = "github:NixOS/nixpkgs/0123456789abcdef0123456789abcdef01234567";
  outputs = { self, nixpkgs, utils, pinned }: { };
}
"#,
        );
        check_unsafe_fix(
            &UNPINNED_FLAKE_INPUT,
            "#- /flake.nix\n{ inputs.nixpkgs.url = \"github:NixOS/nixpkgs?dir=lib\"; outputs = { self, nixpkgs }: { }; }\n",
            "#- /flake.nix\n{ inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable?dir=lib\"; outputs = { self, nixpkgs }: { }; }\n",
        );
    }

    #[test]
    fn other_inputs_on_request() {
        check_with_config(
            &UNPINNED_FLAKE_INPUT,
            "[lints.unpinned-flake-input]\nall-inputs = true",
            r#"#- /flake.nix
{
  inputs.utils.url = "github:numtide/flake-utils";
#                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ info[unpinned-flake-input]: Input `utils` tracks the default branch of `numtide/flake-utils`
  outputs = { self, utils }: { };
}
"#,
        );
    }

    #[test]
    fn pinned_inputs_and_other_files() {
        check(
            &UNPINNED_FLAKE_INPUT,
            r#"#- /flake.nix
{
  inputs.a.url = "git+https://example.org/a?ref=main";
  inputs.b.url = "path:./b";
  inputs.c.url = "https://flakehub.com/f/NixOS/nixpkgs/0.1.tar.gz";
  inputs.d.follows = "a";
  outputs = { self, a, b, c, d }: { };
}
"#,
        );
        check(
            &UNPINNED_FLAKE_INPUT,
            "{ inputs.nixpkgs.url = \"nixpkgs\"; }\n",
        );
    }
}
