//! NIX404: a locked nixpkgs older than the configured number of days.

use crate::diagnostic::Severity;
use crate::flake::check::{unix_to_date, LockCtx, LockFindings, Place};
use crate::flake::lock::Lock;
use crate::lint::declare_lint;

declare_lint! {
    /// ## What it does
    /// Checks how long ago the nixpkgs of a flake.lock was updated: more than `max-age-days`
    /// (30 by default, set under `[flake-lock]`) before the reference date is reported. A lock
    /// without `lastModified` is reported as "age unknown" rather than passed. By default the
    /// root's nixpkgs inputs are checked (by the names in `nixpkgs-keys` and by identity); with
    /// `scope = "all"`, every nixpkgs in the lock.
    ///
    /// ## Why is this bad?
    /// An old nixpkgs misses security fixes, and the longer it waits the larger and riskier the
    /// update becomes.
    ///
    /// ## Example
    /// A flake.lock whose `nixpkgs` node has a `lastModified` from four months ago.
    ///
    /// Use instead: `nix flake update nixpkgs`, ideally from a scheduled CI job.
    pub(crate) static NIXPKGS_OUTDATED = {
        code: "NIX404",
        name: "nixpkgs-outdated",
        category: Flake,
        severity: Warning,
        fix: None,
        tags: [],
        kinds: [],
        check: crate::lint::no_nodes,
    };
}

pub(crate) fn check_lock(ctx: &LockCtx<'_>, findings: &mut LockFindings) {
    let (Some(lock), Some(now)) = (ctx.lock, ctx.reference_time) else {
        return;
    };
    let max_days = ctx.config.max_age_days();
    let mut nodes: Vec<(String, &crate::flake::lock::LockNode)> = ctx
        .nixpkgs_root_inputs()
        .into_iter()
        .map(|(name, node)| (name.to_owned(), node))
        .collect();
    if ctx.config.lock_scope_all() {
        for node in &lock.nodes {
            let known = nodes.iter().any(|(_, seen)| seen.key == node.key);
            if !known && Lock::is_nixpkgs_by_identity(node) {
                nodes.push((node.key.clone(), node));
            }
        }
    }
    let mut seen = Vec::new();
    for (name, node) in nodes {
        if seen.contains(&node.key) {
            continue;
        }
        seen.push(node.key.clone());
        let locked = node.locked.as_ref();
        let input = ctx.root_input_of(node).map(str::to_owned);
        match locked.and_then(|source| source.int("lastModified")) {
            Some(modified) => {
                let days = (now - modified).div_euclid(86_400);
                if days > max_days {
                    let range = locked
                        .and_then(|source| source.range_of("lastModified"))
                        .unwrap_or(node.key_range);
                    let finding = findings.report(
                        Place::Lock(range),
                        format!(
                            "`{name}` was last updated {days} days ago ({}), more than {max_days}",
                            unix_to_date(modified)
                        ),
                    );
                    if let Some(input) = &input {
                        finding.input(input);
                    }
                }
            }
            None => {
                let finding = findings
                    .report(
                        Place::Lock(node.key_range),
                        format!("The age of `{name}` is unknown: its lock has no `lastModified`"),
                    )
                    .severity(Severity::Info);
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

    use super::{check_lock, NIXPKGS_OUTDATED};

    const FLAKE: &str = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n  outputs = { nixpkgs, ... }: { };\n}\n";

    fn lock(last_modified: &str) -> String {
        format!(
            r#"{{"nodes": {{"nixpkgs": {{"locked": {{{last_modified}"owner": "NixOS", "repo": "nixpkgs", "rev": "r", "type": "github"}}, "original": {{"owner": "NixOS", "ref": "nixos-unstable", "repo": "nixpkgs", "type": "github"}}}}, "root": {{"inputs": {{"nixpkgs": "nixpkgs"}}}}}}, "root": "root", "version": 7}}"#
        )
    }

    fn run(lock: &str, toml: &str) -> String {
        run_lint(&NIXPKGS_OUTDATED, check_lock, Some(FLAKE), Some(lock), toml)
    }

    #[test]
    fn old_lock_is_reported_in_the_lock_and_on_the_input() {
        // 2026-10-01 is 54 days before 2026-11-24.
        let out = run(
            &lock("\"lastModified\": 1790812800, "),
            "reference-date = \"2026-11-24\"",
        );
        assert_eq!(
            out,
            "flake.lock 1:51 warning[nixpkgs-outdated]: `nixpkgs` was last updated 54 days ago (2026-10-01), more than 30\n\
             flake.nix 2:10 warning[nixpkgs-outdated]: `nixpkgs` was last updated 54 days ago (2026-10-01), more than 30 (flake.lock)\n"
        );
    }

    #[test]
    fn recent_lock_and_configured_age() {
        let recent = lock("\"lastModified\": 1790812800, ");
        assert_eq!(run(&recent, "reference-date = \"2026-10-31\""), "");
        // Exactly 30 days is not more than 30, as in flake-checker.
        assert_eq!(
            run(
                &recent,
                "reference-date = \"2026-10-31\"\n[flake-lock]\nmax-age-days = 30"
            ),
            ""
        );
        assert!(run(
            &recent,
            "reference-date = \"2026-10-31\"\n[flake-lock]\nmax-age-days = 29"
        )
        .contains("30 days ago"));
    }

    /// flake-checker `condition.rs`: an unknown age passed silently there.
    #[test]
    fn unknown_age_is_reported() {
        let out = run(&lock(""), "reference-date = \"2026-11-24\"");
        assert!(
            out.contains("info[nixpkgs-outdated]: The age of `nixpkgs` is unknown"),
            "{out}"
        );
    }

    /// flake-checker tests: age checks were disabled for want of a fixed date.
    #[test]
    fn no_reference_date_no_age_findings() {
        let out = run_lint(
            &NIXPKGS_OUTDATED,
            check_lock,
            Some(FLAKE),
            Some(&lock("\"lastModified\": 1, ")),
            "",
        );
        assert_eq!(out, "");
    }
}
