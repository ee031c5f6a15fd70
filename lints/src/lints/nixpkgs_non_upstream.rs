//! NIX405: a nixpkgs input that does not come from NixOS.

use crate::flake::check::{LockCtx, LockFindings, Place};
use crate::lint::declare_lint;

declare_lint! {
    /// ## What it does
    /// Checks that the nixpkgs inputs of a flake.lock (the root inputs named in `nixpkgs-keys`)
    /// come from upstream: a GitHub or GitLab owner in `allowed-owners` (`NixOS` by default,
    /// set under `[flake-lock]`), or a tarball from github.com/NixOS, FlakeHub's NixOS/nixpkgs,
    /// channels.nixos.org or releases.nixos.org.
    ///
    /// ## Why is this bad?
    /// A fork of nixpkgs is code that nobody reviewed the way nixpkgs is reviewed, and it gets
    /// no binary cache from cache.nixos.org: every build starts from source.
    ///
    /// ## Example
    /// ```nix
    /// inputs.nixpkgs.url = "github:someone/nixpkgs/nixos-unstable";
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    /// ```
    pub(crate) static NIXPKGS_NON_UPSTREAM = {
        code: "NIX405",
        name: "nixpkgs-non-upstream",
        category: Security,
        severity: Warning,
        fix: None,
        tags: [],
        kinds: [],
        check: crate::lint::no_nodes,
    };
}

const UPSTREAM_TARBALLS: &[&str] = &[
    "https://github.com/nixos/nixpkgs/",
    "https://api.flakehub.com/f/nixos/nixpkgs/",
    "https://flakehub.com/f/nixos/nixpkgs/",
    "https://channels.nixos.org/",
    "https://releases.nixos.org/",
];

pub(crate) fn check_lock(ctx: &LockCtx<'_>, findings: &mut LockFindings) {
    let Some(lock) = ctx.lock else { return };
    let Some(root) = lock.root_node() else { return };
    let allowed = ctx.config.allowed_owners();
    for key in ctx.config.nixpkgs_keys() {
        if !root.inputs.iter().any(|input| input.name == key) {
            continue;
        }
        let Ok(node) = lock.resolve_root_input(&key) else {
            continue;
        };
        let Some(source) = node.original.as_ref().or(node.locked.as_ref()) else {
            continue;
        };
        let problem = match source.kind() {
            Some("github" | "gitlab") => {
                let owner = source.str("owner").unwrap_or_default();
                (!allowed.contains(&owner.to_ascii_lowercase())).then(|| {
                    let repo = source.str("repo").unwrap_or("nixpkgs");
                    (
                        source.range_of("owner"),
                        format!("`{key}` comes from `{owner}/{repo}`, not from an allowed owner"),
                    )
                })
            }
            Some("tarball" | "file") => {
                let url = source.str("url").unwrap_or_default();
                let lower = url.to_ascii_lowercase();
                (!UPSTREAM_TARBALLS
                    .iter()
                    .any(|prefix| lower.starts_with(prefix)))
                .then(|| {
                    (
                        source.range_of("url"),
                        format!("`{key}` comes from `{url}`, not from NixOS"),
                    )
                })
            }
            Some("git") => {
                let url = source.str("url").unwrap_or_default();
                let lower = url.to_ascii_lowercase();
                let upstream = ["github.com/nixos/nixpkgs", "gitlab.com/nixos/nixpkgs"]
                    .iter()
                    .any(|place| lower.contains(place));
                (!upstream).then(|| {
                    (
                        source.range_of("url"),
                        format!("`{key}` comes from `{url}`, not from NixOS"),
                    )
                })
            }
            _ => None,
        };
        if let Some((range, message)) = problem {
            findings
                .report(Place::Lock(range.unwrap_or(node.key_range)), message)
                .input(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::flake::check::tests::run_lint;

    use super::{check_lock, NIXPKGS_NON_UPSTREAM};

    fn lock(original: &str) -> String {
        format!(
            r#"{{"nodes": {{"nixpkgs": {{"locked": {original}, "original": {original}}}, "root": {{"inputs": {{"nixpkgs": "nixpkgs"}}}}}}, "root": "root", "version": 7}}"#
        )
    }

    fn run(lock: &str, toml: &str) -> String {
        run_lint(&NIXPKGS_NON_UPSTREAM, check_lock, None, Some(lock), toml)
    }

    #[test]
    fn fork_is_reported() {
        let out = run(
            &lock(r#"{"owner": "someone", "repo": "nixpkgs", "type": "github"}"#),
            "",
        );
        assert_eq!(
            out,
            "flake.lock 1:115 warning[nixpkgs-non-upstream]: `nixpkgs` comes from `someone/nixpkgs`, not from an allowed owner\n"
        );
    }

    #[test]
    fn upstream_in_any_case_and_allowed_owners() {
        assert_eq!(
            run(
                &lock(r#"{"owner": "nixos", "repo": "nixpkgs", "type": "github"}"#),
                ""
            ),
            ""
        );
        let fork = lock(r#"{"owner": "my-org", "repo": "nixpkgs", "type": "github"}"#);
        assert_eq!(
            run(
                &fork,
                "[flake-lock]\nallowed-owners = [\"NixOS\", \"My-Org\"]"
            ),
            ""
        );
    }

    #[test]
    fn tarballs() {
        let flakehub = lock(
            r#"{"type": "tarball", "url": "https://flakehub.com/f/NixOS/nixpkgs/0.1.0.tar.gz"}"#,
        );
        assert_eq!(run(&flakehub, ""), "");
        let elsewhere = lock(r#"{"type": "tarball", "url": "https://example.org/nixpkgs.tar.gz"}"#);
        assert!(run(&elsewhere, "").contains("not from NixOS"));
    }
}
