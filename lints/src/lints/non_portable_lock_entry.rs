//! NIX408: a flake.lock entry that only works on the machine that wrote it.

use crate::diagnostic::Severity;
use crate::flake::check::{LockCtx, LockFindings, Place};
use crate::lint::declare_lint;

declare_lint! {
    /// ## What it does
    /// Checks flake.lock for entries that other machines cannot fetch: a `path` input locked to
    /// an absolute path (often `/nix/store/…`), or a `file:`/`git+file:` URL with an absolute
    /// path (errors); and inputs whose `original` is `indirect`, resolved through the flake
    /// registry of whoever locked them, which resolve differently on the next update (warnings).
    ///
    /// ## Why is this bad?
    /// A lock is meant to make every machine build the same thing. An absolute local path fails
    /// everywhere else; a registry lookup depends on each user's registry.
    ///
    /// ## Example
    /// ```nix
    /// inputs.nixpkgs.url = "nixpkgs";
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    /// ```
    pub(crate) static NON_PORTABLE_LOCK_ENTRY = {
        code: "NIX408",
        name: "non-portable-lock-entry",
        category: Reproducibility,
        severity: Error,
        fix: None,
        tags: [],
        kinds: [],
        check: crate::lint::no_nodes,
    };
}

pub(crate) fn check_lock(ctx: &LockCtx<'_>, findings: &mut LockFindings) {
    let Some(lock) = ctx.lock else { return };
    for node in &lock.nodes {
        let input = ctx.root_input_of(node).map(str::to_owned);
        if let Some(locked) = &node.locked {
            let local = match locked.kind() {
                Some("path") => locked
                    .str("path")
                    .filter(|path| path.starts_with('/'))
                    .map(|path| (path, locked.range_of("path"))),
                Some("git" | "file" | "tarball") => locked
                    .str("url")
                    .filter(|url| url.starts_with("file:/") || url.starts_with("git+file:/"))
                    .map(|url| (url, locked.range_of("url"))),
                _ => None,
            };
            if let Some((path, range)) = local {
                let finding = findings.report(
                    Place::Lock(range.unwrap_or(node.key_range)),
                    format!("`{}` is locked to the local path `{path}`, which other machines do not have", node.key),
                );
                if let Some(input) = &input {
                    finding.input(input);
                }
            }
        }
        if let Some(original) = &node.original {
            if original.kind() == Some("indirect") {
                let id = original.str("id").unwrap_or(&node.key);
                let finding = findings
                    .report(
                        Place::Lock(original.range_of("type").unwrap_or(node.key_range)),
                        format!("`{}` was found through the flake registry (`{id}`), which differs between machines", node.key),
                    )
                    .severity(Severity::Warning);
                if let Some(input) = &input {
                    finding.input(input);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::flake::check::tests::run_lint;

    use super::{check_lock, NON_PORTABLE_LOCK_ENTRY};

    fn run(node: &str) -> String {
        let lock = format!(
            r#"{{"nodes": {{"nixpkgs": {node}, "root": {{"inputs": {{"nixpkgs": "nixpkgs"}}}}}}, "root": "root", "version": 7}}"#
        );
        run_lint(&NON_PORTABLE_LOCK_ENTRY, check_lock, None, Some(&lock), "")
    }

    /// The lock written for an indirect nixpkgs on a machine with a local registry entry.
    #[test]
    fn store_path_and_registry_lookup() {
        let out = run(
            r#"{"locked": {"lastModified": 1, "narHash": "sha256-x", "path": "/nix/store/abc-source", "type": "path"}, "original": {"id": "nixpkgs", "type": "indirect"}}"#,
        );
        assert_eq!(
            out,
            "flake.lock 1:85 error[non-portable-lock-entry]: `nixpkgs` is locked to the local path `/nix/store/abc-source`, which other machines do not have\n\
             flake.lock 1:165 warning[non-portable-lock-entry]: `nixpkgs` was found through the flake registry (`nixpkgs`), which differs between machines\n"
        );
    }

    #[test]
    fn relative_paths_and_forges_are_fine() {
        assert_eq!(
            run(
                r#"{"locked": {"path": "./sub", "type": "path"}, "original": {"path": "./sub", "type": "path"}}"#
            ),
            ""
        );
        assert_eq!(
            run(
                r#"{"locked": {"owner": "NixOS", "repo": "nixpkgs", "type": "github"}, "original": {"owner": "NixOS", "repo": "nixpkgs", "type": "github"}}"#
            ),
            ""
        );
    }

    #[test]
    fn local_git_urls() {
        let out = run(
            r#"{"locked": {"type": "git", "url": "file:///home/me/src/nixpkgs"}, "original": {"type": "git", "url": "file:///home/me/src/nixpkgs"}}"#,
        );
        assert!(
            out.contains("local path `file:///home/me/src/nixpkgs`"),
            "{out}"
        );
    }
}
