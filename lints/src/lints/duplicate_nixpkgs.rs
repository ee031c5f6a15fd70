//! NIX407: an input that brings its own nixpkgs instead of following the flake's.

use crate::diagnostic::Fix;
use crate::flake::check::{LockCtx, LockFindings, Place};
use crate::flake::edit::add_nested_follows;
use crate::flake::lock::{InputTarget, Lock};
use crate::lint::declare_lint;

declare_lint! {
    /// ## What it does
    /// Checks flake.lock for inputs that lock a nixpkgs of their own: a root input `X` whose
    /// node has an input `k` locked directly (not through `follows`) to a nixpkgs other than the
    /// flake's own. nixpkgs that the root itself uses on purpose (say, a stable and an unstable
    /// one) are never reported.
    ///
    /// The fix adds `inputs.X.inputs.k.follows = "nixpkgs";` to flake.nix: inside the input's
    /// attribute set when it is written as one, else on a new line after the input's last
    /// entry. `nix flake lock` then drops the extra nixpkgs from the lock. The fix is unsafe:
    /// the input is then built against the flake's nixpkgs, so its packages change, and only
    /// its authors' tests tell whether it still works with another nixpkgs.
    ///
    /// ## Why is this bad?
    /// Every extra nixpkgs is evaluated again, which is slow and memory-hungry, and packages from
    /// two nixpkgs mix two versions of every library in one system.
    ///
    /// ## Example
    /// ```nix
    /// inputs.home-manager.url = "github:nix-community/home-manager";
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// inputs.home-manager.url = "github:nix-community/home-manager";
    /// inputs.home-manager.inputs.nixpkgs.follows = "nixpkgs";
    /// ```
    pub(crate) static DUPLICATE_NIXPKGS = {
        code: "NIX407",
        name: "duplicate-nixpkgs",
        category: Performance,
        severity: Warning,
        fix: Unsafe,
        tags: [],
        kinds: [],
        check: crate::lint::no_nodes,
    };
}

pub(crate) fn check_lock(ctx: &LockCtx<'_>, findings: &mut LockFindings) {
    let Some(lock) = ctx.lock else { return };
    let Some(root) = lock.root_node() else { return };
    let keys = ctx.config.nixpkgs_keys();
    let Some(own) = keys
        .iter()
        .find_map(|key| lock.resolve_root_input(key).ok())
    else {
        return;
    };
    let own_name = keys
        .iter()
        .find(|key| lock.resolve_root_input(key).is_ok())
        .cloned()
        .unwrap_or_default();
    // Nodes the root refers to directly are wanted as they are.
    let direct: Vec<&str> = root
        .inputs
        .iter()
        .filter_map(|input| match &input.target {
            InputTarget::Node(key) => Some(key.as_str()),
            InputTarget::Follows(_) => None,
        })
        .collect();
    for input in &root.inputs {
        if keys.contains(&input.name) {
            continue;
        }
        let Ok(node) = lock.resolve_root_input(&input.name) else {
            continue;
        };
        for nested in &node.inputs {
            let InputTarget::Node(key) = &nested.target else {
                continue;
            };
            let Some(target) = lock.node(key) else {
                continue;
            };
            if target.key == own.key
                || direct.contains(&target.key.as_str())
                || !Lock::is_nixpkgs_by_identity(target)
                || follows_declared(ctx, &input.name, &nested.name)
            {
                continue;
            }
            let finding = findings
                .report(
                    Place::Lock(nested.value_range),
                    format!(
                        "`{}` locks its own nixpkgs through its input `{}`: add `inputs.{}.inputs.{}.follows = \"{own_name}\";`",
                        input.name, nested.name, input.name, nested.name
                    ),
                )
                .input(&input.name);
            let edit = ctx.flake_root.and_then(|root| {
                let text = root.text().to_string();
                add_nested_follows(&text, root, &input.name, &nested.name, &own_name)
            });
            if let Some(edit) = edit {
                finding.fix(Fix::unsafe_(
                    format!("Make `{}/{}` follow `{own_name}`", input.name, nested.name),
                    vec![edit],
                ));
            }
        }
    }
}

/// Whether flake.nix already says `inputs.<input>.inputs.<nested>.follows`: then the lock is
/// older than flake.nix, which `lock-stale` reports, and adding the line again would repeat it.
fn follows_declared(ctx: &LockCtx<'_>, input: &str, nested: &str) -> bool {
    ctx.model
        .and_then(|model| model.input(input))
        .is_some_and(|declared| {
            declared
                .nested_follows
                .iter()
                .any(|follows| follows.path.first().is_some_and(|first| first == nested))
        })
}

#[cfg(test)]
mod tests {
    use crate::flake::check::tests::{run_lint, run_lint_fix};
    use crate::FixMode;

    use super::{check_lock, DUPLICATE_NIXPKGS};

    const NIXPKGS: &str = r#"{"locked": {"owner": "NixOS", "repo": "nixpkgs", "rev": "a", "type": "github"}, "original": {"owner": "NixOS", "repo": "nixpkgs", "type": "github"}}"#;

    fn lock(home_manager_inputs: &str, extra_root: &str) -> String {
        format!(
            r#"{{"nodes": {{"home-manager": {{"inputs": {{"nixpkgs": {home_manager_inputs}}}, "locked": {{"owner": "nix-community", "repo": "home-manager", "rev": "b", "type": "github"}}}}, "nixpkgs": {NIXPKGS}, "nixpkgs_2": {NIXPKGS}, "root": {{"inputs": {{"home-manager": "home-manager", "nixpkgs": "nixpkgs"{extra_root}}}}}}}, "root": "root", "version": 7}}"#
        )
    }

    const FLAKE: &str = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs\";\n  inputs.home-manager.url = \"github:nix-community/home-manager\";\n  outputs = _: { };\n}\n";

    #[test]
    fn second_nixpkgs_is_reported_and_mirrored() {
        let out = run_lint(
            &DUPLICATE_NIXPKGS,
            check_lock,
            Some(FLAKE),
            Some(&lock("\"nixpkgs_2\"", "")),
            "",
        );
        assert!(out.contains("flake.lock 1:51 warning[duplicate-nixpkgs]: `home-manager` locks its own nixpkgs through its input `nixpkgs`"), "{out}");
        assert!(
            out.contains("flake.nix 3:10 warning[duplicate-nixpkgs]"),
            "{out}"
        );
    }

    #[test]
    fn follows_and_intentional_second_nixpkgs_are_fine() {
        assert_eq!(
            run_lint(
                &DUPLICATE_NIXPKGS,
                check_lock,
                None,
                Some(&lock("[\"nixpkgs\"]", "")),
                ""
            ),
            ""
        );
        let intentional = lock("\"nixpkgs_2\"", ", \"nixpkgs-stable\": \"nixpkgs_2\"");
        assert_eq!(
            run_lint(&DUPLICATE_NIXPKGS, check_lock, None, Some(&intentional), ""),
            ""
        );
    }

    #[test]
    fn fix_adds_the_follows_in_either_form() {
        let hm_own = lock("\"nixpkgs_2\"", "");
        assert_eq!(
            run_lint_fix(&DUPLICATE_NIXPKGS, check_lock, FLAKE, &hm_own, FixMode::Unsafe),
            "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs\";\n  inputs.home-manager.url = \"github:nix-community/home-manager\";\n  inputs.home-manager.inputs.nixpkgs.follows = \"nixpkgs\";\n  outputs = _: { };\n}\n"
        );
        let attrset = "{\n  inputs = {\n    nixpkgs.url = \"github:NixOS/nixpkgs\";\n    home-manager = {\n      url = \"github:nix-community/home-manager\";\n    };\n  };\n  outputs = _: { };\n}\n";
        assert_eq!(
            run_lint_fix(&DUPLICATE_NIXPKGS, check_lock, attrset, &hm_own, FixMode::Unsafe),
            "{\n  inputs = {\n    nixpkgs.url = \"github:NixOS/nixpkgs\";\n    home-manager = {\n      url = \"github:nix-community/home-manager\";\n      inputs.nixpkgs.follows = \"nixpkgs\";\n    };\n  };\n  outputs = _: { };\n}\n"
        );
        // The follows names the flake's own nixpkgs input, whatever it is called.
        let renamed = hm_own.replace("\"nixpkgs\": \"nixpkgs\"}", "\"pkgs\": \"nixpkgs\"}");
        let flake = FLAKE.replace("inputs.nixpkgs.url", "inputs.pkgs.url");
        let toml = "[flake-lock]\nnixpkgs-keys = [\"pkgs\"]\n";
        let out = run_lint(
            &DUPLICATE_NIXPKGS,
            check_lock,
            Some(&flake),
            Some(&renamed),
            toml,
        );
        assert!(out.contains("follows = \"pkgs\";`"), "{out}");
    }

    #[test]
    fn fixing_the_whole_flake_adds_the_follows_once_and_only_when_unsafe_fixes_are_asked_for() {
        let hm_own = lock("\"nixpkgs_2\"", "");
        let files = crate::FlakeFiles {
            flake_nix: Some(FLAKE),
            flake_lock: Some(&hm_own),
            now: None,
        };
        let config = crate::Config::default();
        let safe = crate::fix_flake(&files, &config, FixMode::Safe);
        assert!(
            safe.applied.iter().all(|fix| fix.code != "NIX407"),
            "{safe:?}"
        );
        // The lock still holds the second nixpkgs until it is relocked: the follows that is now
        // in flake.nix must not be added again in the next round.
        let unsafe_ = crate::fix_flake(&files, &config, FixMode::Unsafe);
        assert!(!unsafe_.hit_round_limit, "{unsafe_:?}");
        let follows = "nixpkgs.follows = \"nixpkgs\";";
        assert_eq!(unsafe_.text.matches(follows).count(), 1, "{}", unsafe_.text);
        let added = unsafe_.applied.iter().filter(|fix| fix.code == "NIX407");
        assert_eq!(added.count(), 1, "{unsafe_:?}");
        // Fixed by hand and not relocked yet: `lock-stale` says so, this lint has nothing to add.
        let fixed = run_lint_fix(
            &DUPLICATE_NIXPKGS,
            check_lock,
            FLAKE,
            &hm_own,
            FixMode::Unsafe,
        );
        assert_eq!(
            run_lint(
                &DUPLICATE_NIXPKGS,
                check_lock,
                Some(&fixed),
                Some(&hm_own),
                ""
            ),
            ""
        );
    }

    #[test]
    fn no_fix_for_an_input_flake_nix_does_not_declare() {
        let flake = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs\";\n  outputs = { home-manager, ... }: { };\n}\n";
        let out = run_lint_fix(
            &DUPLICATE_NIXPKGS,
            check_lock,
            flake,
            &lock("\"nixpkgs_2\"", ""),
            FixMode::Unsafe,
        );
        assert_eq!(out, flake);
    }
}
