//! NIX401: a flake with inputs but no flake.lock, or a flake.lock Nix cannot read.

use syntax::TextRange;

use crate::diagnostic::Severity;
use crate::flake::check::{LockCtx, LockFindings, Place};
use crate::flake::lock::SUPPORTED_VERSIONS;
use crate::lint::declare_lint;

declare_lint! {
    /// ## What it does
    /// Checks that a flake with inputs has a flake.lock beside it, and that the lock is one Nix
    /// can read: valid JSON with `version`, `root` and `nodes`, a version from 5 to 7, and no
    /// input that refers to a missing node or follows itself in a cycle. A lock older than
    /// version 7 is noted, since `nix flake lock` writes version 7.
    ///
    /// ## Why is this bad?
    /// Without a lock, every evaluation resolves the inputs anew: two machines build different
    /// things from the same commit. A broken lock makes every `nix` command on the flake fail.
    ///
    /// ## Example
    /// A `flake.nix` with `inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";` and no
    /// `flake.lock` in the repository.
    ///
    /// Use instead: run `nix flake lock` and commit the `flake.lock` it writes.
    pub(crate) static LOCK_MISSING_OR_INVALID = {
        code: "NIX401",
        name: "lock-missing-or-invalid",
        category: Flake,
        severity: Error,
        fix: None,
        tags: [],
        kinds: [],
        check: crate::lint::no_nodes,
    };
}

pub(crate) fn check_lock(ctx: &LockCtx<'_>, findings: &mut LockFindings) {
    let Some(lock) = ctx.lock else {
        if let Some(first) = ctx.declared.first() {
            findings
                .report(
                    Place::Flake(first.name_range),
                    "The flake has inputs but no flake.lock: run `nix flake lock`",
                )
                .severity(Severity::Warning);
        }
        return;
    };
    for problem in &lock.problems {
        findings
            .report(Place::Lock(problem.range), problem.message.clone())
            .severity(problem.severity);
    }
    if let (Some(version), Some(range)) = (lock.version, lock.version_range) {
        if !SUPPORTED_VERSIONS.contains(&version) {
            findings.report(
                Place::Lock(range),
                format!("flake.lock version {version} is not one Nix reads (5 to 7)"),
            );
        } else if version < 7 {
            findings
                .report(
                    Place::Lock(range),
                    format!("flake.lock version {version} is old: relocking writes version 7"),
                )
                .severity(Severity::Info);
        }
    }
    if lock.problems.is_empty() && lock.version.is_none() {
        findings.report(
            Place::Lock(TextRange::empty(0.into())),
            "flake.lock has no version",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::flake::check::tests::run_lint;

    use super::{check_lock, LOCK_MISSING_OR_INVALID};

    const FLAKE: &str = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n  outputs = { nixpkgs, ... }: { };\n}\n";

    fn run(flake: Option<&str>, lock: Option<&str>) -> String {
        run_lint(&LOCK_MISSING_OR_INVALID, check_lock, flake, lock, "")
    }

    #[test]
    fn missing_lock() {
        assert_eq!(
            run(Some(FLAKE), None),
            "flake.nix 2:10 warning[lock-missing-or-invalid]: The flake has inputs but no flake.lock: run `nix flake lock`\n"
        );
        assert_eq!(run(Some("{ outputs = _: { }; }"), None), "");
    }

    #[test]
    fn invalid_json_and_missing_keys() {
        assert_eq!(
            run(Some(FLAKE), Some("{ \"nodes\": ")),
            "flake.lock 1:12 error[lock-missing-or-invalid]: flake.lock is not valid JSON: unexpected end of the file, expected a value\n"
        );
        assert_eq!(
            run(None, Some("{}")),
            "flake.lock 1:1 error[lock-missing-or-invalid]: flake.lock has no `version`\n\
             flake.lock 1:1 error[lock-missing-or-invalid]: flake.lock has no `root`\n\
             flake.lock 1:1 error[lock-missing-or-invalid]: flake.lock has no `nodes`\n"
        );
    }

    #[test]
    fn versions() {
        let lock = |version: u32| {
            format!("{{\"nodes\": {{\"root\": {{}}}}, \"root\": \"root\", \"version\": {version}}}")
        };
        assert_eq!(run(None, Some(&lock(7))), "");
        assert_eq!(
            run(None, Some(&lock(5))),
            "flake.lock 1:52 info[lock-missing-or-invalid]: flake.lock version 5 is old: relocking writes version 7\n"
        );
        assert_eq!(
            run(None, Some(&lock(8))),
            "flake.lock 1:52 error[lock-missing-or-invalid]: flake.lock version 8 is not one Nix reads (5 to 7)\n"
        );
    }

    /// flake-checker `parse-flake-lock`: dangling references and cycles panicked there.
    #[test]
    fn dangling_and_cyclic_references_are_errors() {
        let lock = r#"{"nodes": {"root": {"inputs": {"a": "gone", "b": ["c"], "c": ["b"]}}}, "root": "root", "version": 7}"#;
        let out = run(None, Some(lock));
        assert_eq!(out.lines().count(), 3, "{out}");
        assert!(out.contains("`gone`, which does not exist"), "{out}");
        assert!(out.contains("follows a cycle"), "{out}");
    }
}
