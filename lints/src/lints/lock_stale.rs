//! NIX403: a flake.lock that no longer matches the inputs of flake.nix.

use syntax::ast::{Expr, HasEntry};
use syntax::helpers::{attr_name, unwrap_parens};
use syntax::SyntaxNode;

use crate::diagnostic::Fix;
use crate::flake::check::{LockCtx, LockFindings, Place};
use crate::flake::edit::remove_binding_of;
use crate::flake::lock::{InputTarget, Lock, LockNode, SourceValue};
use crate::flake::model::{root_set, FlakeInput};
use crate::lint::declare_lint;

declare_lint! {
    /// ## What it does
    /// Compares flake.lock with the inputs of flake.nix and reports where they have drifted
    /// apart:
    /// - an input whose url or attributes (type, owner, repo, ref, rev, dir, url, host, path,
    ///   id) differ from the `original` it was locked from;
    /// - a root input of the lock that flake.nix no longer declares or takes as an `outputs`
    ///   parameter;
    /// - `inputs.x.follows = "a/b"` (or `inputs.x.inputs.y.follows`) that the lock does not
    ///   record as that follows path;
    /// - `inputs.x.inputs.y…` overriding an input `y` that `x` does not have (Nix warns "has an
    ///   override for a non-existent input").
    ///
    /// ## Why is this bad?
    /// Nix relocks a changed input on the next evaluation, or fails to under
    /// `--no-write-lock-file` and in read-only checkouts, so what the repository pins is not what
    /// flake.nix says. An override of an input that does not exist does nothing.
    ///
    /// ## Example
    /// ```nix
    /// { inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable"; outputs = _: { }; }
    /// ```
    /// with a flake.lock whose `nixpkgs` node has `"original": { "ref": "nixos-24.05", … }`.
    ///
    /// Use instead: run `nix flake lock` after changing the inputs, and commit both files
    /// together; remove overrides of inputs that do not exist (an unsafe fix removes the
    /// override's binding, since a lock that is itself out of date may miss the input).
    pub(crate) static LOCK_STALE = {
        code: "NIX403",
        name: "lock-stale",
        category: Flake,
        severity: Warning,
        fix: Unsafe,
        tags: [],
        kinds: [],
        check: crate::lint::no_nodes,
    };
}

/// The attributes of `original` that a flake reference in flake.nix also describes.
const COMPARED: &[&str] = &[
    "type", "owner", "repo", "ref", "rev", "dir", "url", "host", "path", "id",
];

pub(crate) fn check_lock(ctx: &LockCtx<'_>, findings: &mut LockFindings) {
    let (Some((lock, root)), Some(model)) = (ctx.readable_lock(), ctx.model) else {
        return;
    };
    for input in &model.inputs {
        check_original(lock, root, input, findings);
        check_follows(lock, root, input, findings);
        check_overrides(ctx.flake_root, lock, root, input, findings);
    }
    if ctx.flake_root.is_some_and(inputs_not_literal) {
        return;
    }
    let names = ctx.flake_input_names();
    for entry in &root.inputs {
        if !names.iter().any(|(name, _)| *name == entry.name) {
            findings.report(
                Place::Lock(entry.name_range),
                format!(
                    "`{}` is locked but flake.nix does not declare it: run `nix flake lock`",
                    entry.name
                ),
            );
        }
    }
}

/// Whether flake.nix computes its `inputs` (`inputs = import ./inputs.nix;`): then the names it
/// declares are not known here.
fn inputs_not_literal(root: &SyntaxNode) -> bool {
    let Some(set) = root_set(root) else {
        return false;
    };
    set.attrpath_values().any(|binding| {
        let names: Option<Vec<String>> = binding
            .attrpath()
            .map(|path| path.attrs().map(|attr| attr_name(&attr)).collect())
            .and_then(|names: Option<Vec<String>>| names);
        names.as_deref() == Some(&["inputs".to_owned()][..])
            && !matches!(binding.value().map(unwrap_parens), Some(Expr::AttrSet(_)))
    })
}

fn show(value: Option<&SourceValue>) -> String {
    match value {
        Some(SourceValue::Str(text)) => format!("`{text}`"),
        Some(SourceValue::Int(number)) => format!("`{number}`"),
        Some(SourceValue::Bool(flag)) => format!("`{flag}`"),
        None => "unset".to_owned(),
    }
}

fn same(key: &str, left: Option<&SourceValue>, right: Option<&SourceValue>) -> bool {
    match (left, right) {
        (Some(SourceValue::Str(left)), Some(SourceValue::Str(right))) if key == "owner" => {
            left.eq_ignore_ascii_case(right)
        }
        _ => left == right,
    }
}

/// (a): the reference in flake.nix against the `original` the node was locked from.
fn check_original(lock: &Lock, root: &LockNode, input: &FlakeInput, findings: &mut LockFindings) {
    let Some(Ok(flake_ref)) = input.flake_ref() else {
        return;
    };
    let Some(InputTarget::Node(key)) = root
        .inputs
        .iter()
        .find(|entry| entry.name == input.name)
        .map(|entry| &entry.target)
    else {
        return;
    };
    let Some(original) = lock.node(key).and_then(|node| node.original.as_ref()) else {
        return;
    };
    let wanted = flake_ref.original_attrs();
    let differences: Vec<String> = COMPARED
        .iter()
        .filter_map(|&name| {
            let locked = original.get(name);
            let declared = wanted.get(name);
            (!same(name, locked, declared)).then(|| {
                format!(
                    "`{name}` is {} in flake.lock but {} in flake.nix",
                    show(locked),
                    show(declared)
                )
            })
        })
        .collect();
    if !differences.is_empty() {
        findings
            .report(
                Place::Lock(original.range),
                format!(
                    "`{}` was locked from another reference: {}; run `nix flake lock`",
                    input.name,
                    differences.join(", ")
                ),
            )
            .input(&input.name);
    }
}

fn describe(target: &InputTarget) -> String {
    match target {
        InputTarget::Node(key) => format!("locks it on its own (node `{key}`)"),
        InputTarget::Follows(path) => format!("has it follow `{}`", path.join("/")),
    }
}

fn follows_path(target: &str) -> Vec<String> {
    target
        .split('/')
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The node an entry of a node's inputs leads to.
fn target_node<'a>(lock: &'a Lock, target: &InputTarget) -> Option<&'a LockNode> {
    match target {
        InputTarget::Node(key) => lock.node(key),
        InputTarget::Follows(path) => lock.resolve_path(path).ok(),
    }
}

/// The node of a root input that the lock locks directly: overrides apply to it.
fn own_node<'a>(lock: &'a Lock, root: &LockNode, name: &str) -> Option<&'a LockNode> {
    match &root.inputs.iter().find(|entry| entry.name == name)?.target {
        InputTarget::Node(key) => lock.node(key),
        InputTarget::Follows(_) => None,
    }
}

/// (c): `follows` in flake.nix against the follows paths of the lock.
fn check_follows(lock: &Lock, root: &LockNode, input: &FlakeInput, findings: &mut LockFindings) {
    if let Some((target, _)) = &input.follows {
        if let Some(entry) = root.inputs.iter().find(|entry| entry.name == input.name) {
            let expected = follows_path(target);
            if entry.target != InputTarget::Follows(expected) {
                findings
                    .report(
                        Place::Lock(entry.value_range),
                        format!(
                            "flake.nix has `{}` follow `{target}`, but flake.lock {}: run `nix flake lock`",
                            input.name,
                            describe(&entry.target)
                        ),
                    )
                    .input(&input.name);
            }
        }
    }
    let Some(own) = own_node(lock, root, &input.name) else {
        return;
    };
    for nested in &input.nested_follows {
        let Some((last, parents)) = nested.path.split_last() else {
            continue;
        };
        let mut node = Some(own);
        for step in parents {
            node = node
                .and_then(|node| node.inputs.iter().find(|entry| entry.name == *step))
                .and_then(|entry| target_node(lock, &entry.target));
        }
        let Some(entry) =
            node.and_then(|node| node.inputs.iter().find(|entry| entry.name == *last))
        else {
            continue;
        };
        let expected = follows_path(&nested.target);
        if entry.target != InputTarget::Follows(expected) {
            findings
                .report(
                    Place::Lock(entry.value_range),
                    format!(
                        "flake.nix has `{}/{}` follow `{}`, but flake.lock {}: run `nix flake lock`",
                        input.name,
                        nested.path.join("/"),
                        nested.target,
                        describe(&entry.target)
                    ),
                )
                .input(&input.name);
        }
    }
}

/// (d): overrides of inputs that the locked input does not have.
fn check_overrides(
    flake_root: Option<&SyntaxNode>,
    lock: &Lock,
    root: &LockNode,
    input: &FlakeInput,
    findings: &mut LockFindings,
) {
    let Some(own) = own_node(lock, root, &input.name) else {
        return;
    };
    let mut reported: Vec<&[String]> = Vec::new();
    for over in &input.overrides {
        let mut node = Some(own);
        for (depth, step) in over.path.iter().enumerate() {
            let Some(current) = node else {
                break;
            };
            let Some(entry) = current.inputs.iter().find(|entry| entry.name == *step) else {
                let missing = &over.path[..=depth];
                if !reported.contains(&missing) {
                    reported.push(missing);
                    let finding = findings.report(
                        Place::Flake(over.name_range),
                        format!(
                            "Input `{}` has an override for a non-existent input `{}`",
                            input.name,
                            missing.join("/")
                        ),
                    );
                    // The override has no effect, but a lock that is itself stale may lack an
                    // input the new reference has: removing it is offered, not applied.
                    let edit = (missing.len() == over.path.len())
                        .then(|| remove_binding_of(flake_root?, over.name_range))
                        .flatten();
                    if let Some(edit) = edit {
                        finding.fix(Fix::unsafe_("Remove the override", vec![edit]));
                    }
                }
                break;
            };
            node = target_node(lock, &entry.target);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::flake::check::tests::{run_lint, run_lint_fix};
    use crate::FixMode;

    use super::{check_lock, LOCK_STALE};

    fn lock(nixpkgs_original: &str, root_inputs: &str, extra_nodes: &str) -> String {
        format!(
            r#"{{"nodes": {{"nixpkgs": {{"locked": {{"owner": "NixOS", "repo": "nixpkgs", "rev": "r", "type": "github"}}, "original": {nixpkgs_original}}}, {extra_nodes}"root": {{"inputs": {root_inputs}}}}}, "root": "root", "version": 7}}"#
        )
    }

    const UNSTABLE: &str =
        r#"{"owner": "NixOS", "ref": "nixos-unstable", "repo": "nixpkgs", "type": "github"}"#;

    fn run(flake: &str, lock: &str) -> String {
        run_lint(&LOCK_STALE, check_lock, Some(flake), Some(lock), "")
    }

    #[test]
    fn matching_lock_passes() {
        let flake = "{\n  inputs.nixpkgs.url = \"github:nixos/nixpkgs/nixos-unstable\";\n  outputs = { self, nixpkgs }: { };\n}\n";
        assert_eq!(
            run(flake, &lock(UNSTABLE, r#"{"nixpkgs": "nixpkgs"}"#, "")),
            ""
        );
    }

    #[test]
    fn changed_reference_is_stale() {
        let flake = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-24.11\";\n  outputs = { self, nixpkgs }: { };\n}\n";
        let out = run(flake, &lock(UNSTABLE, r#"{"nixpkgs": "nixpkgs"}"#, ""));
        assert_eq!(
            out,
            "flake.lock 1:115 warning[lock-stale]: `nixpkgs` was locked from another reference: `ref` is `nixos-unstable` in flake.lock but `nixos-24.11` in flake.nix; run `nix flake lock`\n\
             flake.nix 2:10 warning[lock-stale]: `nixpkgs` was locked from another reference: `ref` is `nixos-unstable` in flake.lock but `nixos-24.11` in flake.nix; run `nix flake lock` (flake.lock)\n"
        );
        // Attribute form, and a ref that flake.nix dropped.
        let flake = "{\n  inputs.nixpkgs = { type = \"github\"; owner = \"NixOS\"; repo = \"nixpkgs\"; };\n  outputs = _: { };\n}\n";
        let out = run(flake, &lock(UNSTABLE, r#"{"nixpkgs": "nixpkgs"}"#, ""));
        assert!(
            out.contains("`ref` is `nixos-unstable` in flake.lock but unset in flake.nix"),
            "{out}"
        );
    }

    #[test]
    fn extraneous_lock_input() {
        let flake = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n  outputs = { self, nixpkgs, ... }: { };\n}\n";
        let out = run(
            flake,
            &lock(UNSTABLE, r#"{"nixpkgs": "nixpkgs", "old": "nixpkgs"}"#, ""),
        );
        assert_eq!(
            out,
            "flake.lock 1:240 warning[lock-stale]: `old` is locked but flake.nix does not declare it: run `nix flake lock`\n"
        );
        // An outputs parameter is an input too.
        let flake = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n  outputs = { self, nixpkgs, old }: { };\n}\n";
        assert_eq!(
            run(
                flake,
                &lock(UNSTABLE, r#"{"nixpkgs": "nixpkgs", "old": "nixpkgs"}"#, "")
            ),
            ""
        );
    }

    const HM: &str = r#""hm": {"inputs": {"nixpkgs": ["nixpkgs"]}, "locked": {"owner": "nix-community", "repo": "home-manager", "rev": "h", "type": "github"}, "original": {"owner": "nix-community", "repo": "home-manager", "type": "github"}}, "#;

    #[test]
    fn follows_must_match_the_lock() {
        let flake = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n  inputs.hm.url = \"github:nix-community/home-manager\";\n  inputs.hm.inputs.nixpkgs.follows = \"nixpkgs\";\n  inputs.pkgs.follows = \"hm/nixpkgs\";\n  outputs = _: { };\n}\n";
        let good = lock(
            UNSTABLE,
            r#"{"nixpkgs": "nixpkgs", "hm": "hm", "pkgs": ["hm", "nixpkgs"]}"#,
            HM,
        );
        assert_eq!(run(flake, &good), "");
        // The lock has `pkgs` locked on its own and `hm`'s nixpkgs following something else.
        let bad_hm = HM.replace(r#"["nixpkgs"]"#, r#"["pkgs"]"#);
        let bad = lock(
            UNSTABLE,
            r#"{"nixpkgs": "nixpkgs", "hm": "hm", "pkgs": "nixpkgs"}"#,
            &bad_hm,
        );
        let out = run(flake, &bad);
        assert!(
            out.contains("warning[lock-stale]: flake.nix has `hm/nixpkgs` follow `nixpkgs`, but flake.lock has it follow `pkgs`: run `nix flake lock`"),
            "{out}"
        );
        assert!(
            out.contains("warning[lock-stale]: flake.nix has `pkgs` follow `hm/nixpkgs`, but flake.lock locks it on its own (node `nixpkgs`): run `nix flake lock`"),
            "{out}"
        );
        assert_eq!(out.lines().count(), 4, "{out}");
    }

    /// snowfallorg/lib#73: Nix's "has an override for a non-existent input" warning.
    #[test]
    fn override_of_a_missing_input() {
        let flake = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n  inputs.hm.url = \"github:nix-community/home-manager\";\n  inputs.hm.inputs.utils.follows = \"nixpkgs\";\n  inputs.hm.inputs.nixpkgs.follows = \"nixpkgs\";\n  outputs = _: { };\n}\n";
        let out = run(
            flake,
            &lock(UNSTABLE, r#"{"nixpkgs": "nixpkgs", "hm": "hm"}"#, HM),
        );
        assert_eq!(
            out,
            "flake.nix 4:20 warning[lock-stale]: Input `hm` has an override for a non-existent input `utils`\n"
        );
        let lock_text = lock(UNSTABLE, r#"{"nixpkgs": "nixpkgs", "hm": "hm"}"#, HM);
        assert_eq!(
            run_lint_fix(&LOCK_STALE, check_lock, flake, &lock_text, FixMode::Safe),
            flake,
            "removing an override is not a safe fix"
        );
        assert_eq!(
            run_lint_fix(&LOCK_STALE, check_lock, flake, &lock_text, FixMode::Unsafe),
            flake.replace("  inputs.hm.inputs.utils.follows = \"nixpkgs\";\n", "")
        );
        // In the input's own attribute set, only the override's binding goes.
        let nested = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n  inputs.hm = {\n    url = \"github:nix-community/home-manager\";\n    inputs.utils.follows = \"nixpkgs\";\n    inputs.nixpkgs.follows = \"nixpkgs\";\n  };\n  outputs = _: { };\n}\n";
        assert_eq!(
            run_lint_fix(&LOCK_STALE, check_lock, nested, &lock_text, FixMode::Unsafe),
            nested.replace("    inputs.utils.follows = \"nixpkgs\";\n", "")
        );
    }

    #[test]
    fn computed_inputs_are_not_judged_extraneous() {
        let flake = "{\n  inputs = import ./inputs.nix;\n  outputs = _: { };\n}\n";
        assert_eq!(
            run(flake, &lock(UNSTABLE, r#"{"nixpkgs": "nixpkgs"}"#, "")),
            ""
        );
    }

    #[test]
    fn unreadable_lock_is_left_to_nix401() {
        let flake = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-24.11\";\n  outputs = _: { };\n}\n";
        assert_eq!(run(flake, "[]"), "");
    }
}
