//! Go to definition: the binding a name resolves to, the key of a statically known set that a
//! selection or `inherit (s) a` names, the file a path literal names, and for a flake's inputs
//! their declaration in `inputs` and their node in flake.lock.

use lints::flake::lock::Lock;
use lints::flake::model::FlakeModel;
use lints::scope::{BindingKind, Resolution};
use syntax::ast;
use syntax::{AstNode, SyntaxKind, TextRange, TextSize};

use crate::navigation::{Analysis, NameAt};

/// Where a name is defined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A name in the same file.
    Local(TextRange),
    /// The file a path literal names: paths as written (relative to the file's folder, or
    /// absolute, or under `~/`), the first one that is a file wins (`./dir` is `./dir/default.nix`).
    File { candidates: Vec<String> },
    /// A range in the flake's flake.lock.
    FlakeLock(TextRange),
}

/// What else definition needs to know about the file.
#[derive(Clone, Copy, Debug, Default)]
pub struct FlakeFiles<'a> {
    /// The file is a flake.nix.
    pub is_flake: bool,
    /// The text of the flake's flake.lock, when there is one.
    pub lock: Option<&'a str>,
}

/// The definitions of the name at `offset`, best first; empty when there is none.
pub fn definition(analysis: &Analysis, offset: TextSize, flake: FlakeFiles<'_>) -> Vec<Target> {
    let Some(name_at) = analysis.name_at(offset) else {
        return Vec::new();
    };
    if flake.is_flake {
        if let Some(targets) = flake_input(analysis, &name_at, flake.lock) {
            return targets;
        }
    }
    match &name_at {
        NameAt::Path { text, .. } => path_candidates(text)
            .map(|candidates| vec![Target::File { candidates }])
            .unwrap_or_default(),
        NameAt::Reference {
            resolution: Resolution::Binding(id),
            ..
        } => locals(&analysis.scopes.binding(*id).definitions),
        // Like nil: a name that may come from a `with` goes to every `with` it may come from,
        // the innermost first.
        NameAt::Reference {
            resolution: Resolution::With(_),
            range,
            ..
        } => analysis
            .enclosing_withs(*range)
            .into_iter()
            .filter_map(|with| analysis.with_keyword(with))
            .map(Target::Local)
            .collect(),
        NameAt::Reference { .. } => Vec::new(),
        NameAt::Definition { range, binding } => {
            let binding = analysis.scopes.binding(*binding);
            match binding.kind {
                // `inherit (s) a;` in a `let` names an attribute of `s`.
                BindingKind::LetInherit | BindingKind::RecInherit => {
                    locals(&analysis.attribute_definitions(*range))
                }
                _ => locals(&[*range]),
            }
        }
        NameAt::Attribute { range, .. } => locals(&analysis.attribute_definitions(*range)),
    }
}

fn locals(ranges: &[TextRange]) -> Vec<Target> {
    ranges.iter().map(|&range| Target::Local(range)).collect()
}

/// The files a path literal may name; `None` for search paths (`<nixpkgs>`) and interpolations.
pub fn path_candidates(text: &str) -> Option<Vec<String>> {
    if text.starts_with('<') || text.contains("${") {
        return None;
    }
    let text = text.trim_end_matches('/');
    if text.is_empty() {
        return None;
    }
    Some(vec![text.to_owned(), format!("{text}/default.nix")])
}

/// For a flake input named in the `outputs` pattern, as `inputs.<name>` or in `inputs`: its
/// declaration and its node in flake.lock.
fn flake_input(analysis: &Analysis, name_at: &NameAt, lock: Option<&str>) -> Option<Vec<Target>> {
    let model = FlakeModel::read(&analysis.root)?;
    let name = input_named(analysis, &model, name_at)?;
    let mut targets = Vec::new();
    if let Some(input) = model.input(&name) {
        if input.name_range != name_at.range() {
            targets.push(Target::Local(input.name_range));
        }
    }
    if let Some(node) = lock.and_then(|text| {
        Lock::parse(text)
            .resolve_root_input(&name)
            .ok()
            .map(|node| node.key_range)
    }) {
        targets.push(Target::FlakeLock(node));
    }
    (!targets.is_empty()).then_some(targets)
}

/// The input a name stands for in flake.nix, if it stands for one.
pub fn input_named(analysis: &Analysis, model: &FlakeModel, name_at: &NameAt) -> Option<String> {
    let params = model.params();
    match name_at {
        NameAt::Definition { binding, .. } => {
            let binding = analysis.scopes.binding(*binding);
            (binding.kind == BindingKind::PatternEntry
                && params.is_some_and(|params| params.lambda_range == binding.scope_node)
                && binding.name != "self")
                .then(|| binding.name.clone())
        }
        NameAt::Attribute { range, name, .. } => {
            if model.inputs.iter().any(|input| input.name_range == *range) {
                return Some(name.clone());
            }
            // `inputs.<name>` where `inputs` is the whole argument of `outputs`.
            let params = params?;
            let node = analysis.node_with_range(*range, |kind| {
                matches!(kind, SyntaxKind::NODE_IDENT | SyntaxKind::NODE_STRING)
            })?;
            let attrpath = node.parent()?;
            if attrpath.first_child().as_ref() != Some(&node) {
                return None;
            }
            let select = ast::Select::cast(attrpath.parent()?)?;
            let ast::Expr::Ident(base) = select.expr()? else {
                return None;
            };
            let Resolution::Binding(id) = analysis.scopes.resolve(base.syntax().text_range())?
            else {
                return None;
            };
            let defined = analysis.scopes.binding(id).name_range;
            let is_all_inputs = [params.bind.as_ref(), params.ident.as_ref()]
                .into_iter()
                .flatten()
                .any(|(_, range)| *range == defined);
            (is_all_inputs && name != "self").then(|| name.clone())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    /// Renders the targets as `text@offset` (locals), `lock:text@offset` and `file:candidates`.
    fn check(fixture: &str, expected: &str) {
        let files = fixture::files(fixture);
        let file = &files[0];
        let flake = fixture::flake_files(&files);
        let analysis = Analysis::new(syntax::parse(&file.text).root());
        let targets = definition(&analysis, file.cursor(), flake);
        let rendered: Vec<String> = targets
            .iter()
            .map(|target| match target {
                Target::Local(range) => {
                    format!("{}@{}", &file.text[*range], u32::from(range.start()))
                }
                Target::FlakeLock(range) => format!(
                    "lock:{}@{}",
                    &flake.lock.expect("a lock")[*range],
                    u32::from(range.start())
                ),
                Target::File { candidates } => format!("file:{}", candidates.join("|")),
            })
            .collect();
        assert_eq!(rendered.join(" "), expected, "in {}", file.text);
    }

    #[test]
    fn let_rec_and_lambda_names() {
        check("let a = 1; in $0a", "a@4");
        check("let a.b = 1; a.c = 2; in $0a", "a@4 a@13");
        check("rec { a = 1; b = $0a; }", "a@6");
        check("x: y: $0x", "x@0");
        check("let x = 1; in x: $0x", "x@14");
    }

    #[test]
    fn pattern_entries_and_defaults_that_see_other_entries() {
        check("{ a ? $0b, b }: a", "b@9");
        check("args@{ a ? $0args.x, ... }: a", "args@0");
        check("{ a, ... }@args: $0args", "args@11");
    }

    #[test]
    fn attributes_of_an_at_bind_are_the_entries_the_caller_must_pass() {
        check("{ a, ... }@args: args.$0a", "a@2");
        check("args@{ a, b }: [ args.$0b (args ? b) ]", "b@10");
        check("args@{ a, ... }: let s = args; in s.$0a", "a@7");
        // With a default, `args.a` is what the caller passed, not the entry's value.
        check("{ a ? 1, ... }@args: args.$0a", "");
        // A name the pattern does not list comes from `...`.
        check("{ a, ... }@args: args.$0c", "");
    }

    #[test]
    fn updates_take_the_right_side_then_a_known_left_side() {
        check("let x = { a = 1; } // { b = 2; }; in x.$0a", "a@10");
        check("let x = { a = 1; } // { a = 2; }; in x.$0a", "a@24");
        check("base: let x = base // { a = 1; }; in x.$0a", "a@24");
        check("let x = { a.b = 1; } // { a.c = 2; }; in x.a.$0c", "c@28");
        // `//` does not merge nested sets: the right side's `a` hides the left side's `a.b`.
        check("let x = { a.b = 1; } // { a.c = 2; }; in x.a.$0b", "");
        // The right side may hold anything: no answer.
        check("base: let x = { a = 1; } // base; in x.$0a", "");
        check("base: let x = base // { b = 1; }; in x.$0a", "");
        check("n: let x = { a = 1; } // { ${n} = 2; }; in x.$0a", "");
        check(
            "let x = { a = 1; } // { b = 2; } // { c = 3; }; in x.$0a",
            "a@10",
        );
    }

    #[test]
    fn inherit_names_resolve_past_their_let() {
        check("x: let inherit $0x; in x", "x@0");
        check("x: let inherit x; in $0x", "x@15");
        check("x: { inherit $0x; }", "x@0");
        check("let x = 1; in rec { inherit $0x; }", "x@4");
    }

    #[test]
    fn inherit_from_source_and_its_names() {
        check("let s = { a = 1; }; inherit ($0s) a; in a", "s@4");
        check("let s = { a = 1; }; inherit (s) $0a; in a", "a@10");
        check("let s = { a = 1; }; in { inherit (s) $0a; }", "a@10");
        // The source is not a set nixwise can see: nothing to go to.
        check("s: { inherit (s) $0a; }", "");
    }

    #[test]
    fn attribute_paths_into_local_sets() {
        check("let s = { a.b = 1; }; in s.a.$0b", "b@12");
        check("let s = { a.b = 1; }; in s.$0a.b", "a@10");
        check("let s = { a = { b = 1; }; a.c = 2; }; in s.a.$0c", "c@28");
        check("let s = { a = { b = 1; }; }; t = s.a; in t.$0b", "b@16");
        check("let s = rec { a = 1; }; in s ? $0a", "a@14");
        check(
            "let s = { inherit (t) a; }; t = { a.b = 1; }; in s.a.$0b",
            "b@36",
        );
        check("{ a = 1; }.$0a", "a@2");
        check("let s = { }; in s.$0nope", "");
        check("let a = a.b; in a.$0b", "");
    }

    #[test]
    fn names_from_a_with_go_to_it() {
        check("with x; $0y", "with@0");
        check("with x; with y; [ $0z x ]", "with@8 with@0");
        // The namespace of a `with` is outside it.
        check("with x; with $0y; z", "with@0");
    }

    #[test]
    fn builtins_and_undefined_names_have_no_definition() {
        check("$0map", "");
        check("$0nope", "");
    }

    #[test]
    fn paths_name_files_and_folders() {
        check("import $0./foo.nix", "file:./foo.nix|./foo.nix/default.nix");
        check("import ./d$0ir", "file:./dir|./dir/default.nix");
        check("import $0<nixpkgs>", "");
    }

    #[test]
    fn flake_inputs_go_to_their_declaration_and_lock_node() {
        let flake = r#"#- /flake.nix
{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
  inputs.utils = { url = "github:numtide/flake-utils"; };
  outputs = { self, nix$0pkgs, ... }@inputs: { };
}
#- /flake.lock
{ "nodes": { "nixpkgs": { "locked": { "type": "github" } },
             "root": { "inputs": { "nixpkgs": "nixpkgs" } } },
  "root": "root", "version": 7 }
"#;
        check(flake, r#"nixpkgs@11 lock:"nixpkgs"@13"#);
        check(
            &flake
                .replace("nix$0pkgs", "nixpkgs")
                .replace("{ };", "inputs.$0utils"),
            "utils@70",
        );
        check(
            &flake
                .replace("nix$0pkgs", "nixpkgs")
                .replace("inputs.nixpkgs.url", "inputs.nix$0pkgs.url"),
            r#"lock:"nixpkgs"@13"#,
        );
        // Without a lock, the declaration alone.
        check(
            flake.split("#- /flake.lock").next().expect("flake.nix"),
            "nixpkgs@11",
        );
        // `self` is no input.
        check(
            &flake.replace("self, nix$0pkgs", "se$0lf, nixpkgs"),
            "self@133",
        );
    }
}
