//! NIX402: an input of flake.nix that flake.lock does not lock.

use crate::flake::check::{LockCtx, LockFindings, Place};
use crate::lint::declare_lint;

declare_lint! {
    /// ## What it does
    /// Checks that every input of flake.nix has an entry among the root inputs of flake.lock:
    /// the declared `inputs.<name>` and the parameters of `outputs` other than `self`, which
    /// Nix takes as inputs too (looked up in the flake registry).
    ///
    /// ## Why is this bad?
    /// Nix locks a missing input on the next evaluation: with `--no-write-lock-file` or in a
    /// read-only checkout (CI, `nix run github:…`) the command fails, and otherwise the input is
    /// pinned to whatever it points at that day, on each machine separately.
    ///
    /// ## Example
    /// ```nix
    /// {
    ///   inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    ///   inputs.home-manager.url = "github:nix-community/home-manager";
    ///   outputs = { self, nixpkgs, home-manager }: { };
    /// }
    /// ```
    /// with a flake.lock that was written before `home-manager` was added.
    ///
    /// Use instead: run `nix flake lock` and commit the updated `flake.lock`.
    pub(crate) static INPUT_NOT_LOCKED = {
        code: "NIX402",
        name: "input-not-locked",
        category: Flake,
        severity: Error,
        fix: None,
        tags: [],
        kinds: [],
        check: crate::lint::no_nodes,
    };
}

pub(crate) fn check_lock(ctx: &LockCtx<'_>, findings: &mut LockFindings) {
    let Some((_, root)) = ctx.readable_lock() else {
        return;
    };
    for (name, range) in ctx.flake_input_names() {
        if !root.inputs.iter().any(|input| input.name == name) {
            findings.report(
                Place::Flake(range),
                format!("The input `{name}` is not in flake.lock: run `nix flake lock`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::flake::check::tests::run_lint;

    use super::{check_lock, INPUT_NOT_LOCKED};

    const LOCK: &str = r#"{"nodes": {"nixpkgs": {"locked": {"owner": "NixOS", "repo": "nixpkgs", "rev": "r", "type": "github"}, "original": {"owner": "NixOS", "repo": "nixpkgs", "type": "github"}}, "root": {"inputs": {"nixpkgs": "nixpkgs"}}}, "root": "root", "version": 7}"#;

    fn run(flake: &str, lock: Option<&str>) -> String {
        run_lint(&INPUT_NOT_LOCKED, check_lock, Some(flake), lock, "")
    }

    #[test]
    fn declared_input_missing_from_the_lock() {
        let flake = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs\";\n  inputs.utils.url = \"github:numtide/flake-utils\";\n  outputs = { self, nixpkgs, utils }: { };\n}\n";
        assert_eq!(
            run(flake, Some(LOCK)),
            "flake.nix 3:10 error[input-not-locked]: The input `utils` is not in flake.lock: run `nix flake lock`\n"
        );
    }

    #[test]
    fn implicit_outputs_formal_missing_from_the_lock() {
        let flake = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs\";\n  outputs = { self, nixpkgs, home-manager, ... }: { };\n}\n";
        assert_eq!(
            run(flake, Some(LOCK)),
            "flake.nix 3:30 error[input-not-locked]: The input `home-manager` is not in flake.lock: run `nix flake lock`\n"
        );
    }

    #[test]
    fn locked_inputs_follows_and_self_pass() {
        let flake = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs\";\n  outputs = { self, nixpkgs }: { };\n}\n";
        assert_eq!(run(flake, Some(LOCK)), "");
        let follows = r#"{"nodes": {"nixpkgs": {"locked": {"type": "github", "owner": "NixOS", "repo": "nixpkgs", "rev": "r"}}, "root": {"inputs": {"nixpkgs": "nixpkgs", "pkgs": ["nixpkgs"]}}}, "root": "root", "version": 7}"#;
        let flake = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs\";\n  inputs.pkgs.follows = \"nixpkgs\";\n  outputs = _: { };\n}\n";
        assert_eq!(run(flake, Some(follows)), "");
    }

    #[test]
    fn no_lock_or_unreadable_lock_is_left_to_nix401() {
        let flake =
            "{\n  inputs.utils.url = \"github:numtide/flake-utils\";\n  outputs = _: { };\n}\n";
        assert_eq!(run(flake, None), "");
        assert_eq!(run(flake, Some("{ not json")), "");
    }
}
