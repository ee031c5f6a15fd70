//! NIX406: a nixpkgs input on a branch that is not a supported channel.

use crate::diagnostic::Severity;
use crate::flake::check::{LockCtx, LockFindings, Place};
use crate::flake::json;
use crate::lint::declare_lint;

declare_lint! {
    /// ## What it does
    /// Checks the branch that each nixpkgs input of a flake tracks (the `ref` of its `original`
    /// in flake.lock, or of its url in flake.nix) against the status of nixpkgs branches shipped
    /// with nixwise: an unmaintained release and an unknown branch are warnings, a release in
    /// its last month of support is noted, and a `release-YY.MM` branch is reported because it
    /// is not a channel. A channel of a release newer than the shipped data knows is assumed
    /// supported and only noted. An input that tracks the default branch is left to the lints
    /// about unpinned inputs.
    ///
    /// ## Why is this bad?
    /// An unmaintained release gets no security fixes. A `release-*` branch has commits that
    /// Hydra has not built yet, so much of it is not in the binary cache and has not passed the
    /// channel's tests.
    ///
    /// ## Example
    /// ```nix
    /// { inputs.nixpkgs.url = "github:NixOS/nixpkgs/release-24.11"; outputs = _: { }; }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// { inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05"; outputs = _: { }; }
    /// ```
    pub(crate) static NIXPKGS_UNSUPPORTED_BRANCH = {
        code: "NIX406",
        name: "nixpkgs-unsupported-branch",
        category: Flake,
        severity: Warning,
        fix: None,
        tags: [],
        kinds: [],
        check: crate::lint::no_nodes,
    };
}

/// The shipped status of nixpkgs branches (see `lints/data/README.md`).
const BRANCH_DATA: &str = include_str!("../../data/nixpkgs-branches.json");

/// The status of nixpkgs branches on a date.
#[derive(Debug)]
struct Branches {
    generated_at: String,
    statuses: Vec<(String, String)>,
}

impl Branches {
    /// Reads branch data; `None` when it is not the expected shape.
    fn parse(text: &str) -> Option<Branches> {
        let data = json::parse(text).ok()?;
        let generated_at = data
            .get("generated_at")
            .and_then(json::Json::as_str)
            .unwrap_or("an unknown date")
            .to_owned();
        let statuses = data
            .get("branches")?
            .as_object()?
            .iter()
            .filter_map(|member| Some((member.key.clone(), member.value.as_str()?.to_owned())))
            .collect();
        Some(Branches {
            generated_at,
            statuses,
        })
    }

    fn status(&self, branch: &str) -> Option<&str> {
        self.statuses
            .iter()
            .find(|(name, _)| name == branch)
            .map(|(_, status)| status.as_str())
    }

    /// The newest release the data lists.
    fn newest_release(&self) -> Option<(u32, u32)> {
        self.statuses
            .iter()
            .filter_map(|(name, _)| branch_release(name).map(|(_, version)| version))
            .max()
    }

    /// The NixOS channel of the stable release, to suggest.
    fn stable_channel(&self) -> Option<&str> {
        self.statuses.iter().find_map(|(name, status)| {
            (status == "stable"
                && name.starts_with("nixos-")
                && branch_release(name).is_some_and(|(kind, _)| kind == BranchKind::Channel)
                && !name.ends_with("-small"))
            .then_some(name.as_str())
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BranchKind {
    /// `nixos-YY.MM`, `nixos-YY.MM-small`, `nixpkgs-YY.MM-darwin`.
    Channel,
    /// `release-YY.MM`.
    Release,
}

/// `YY.MM` as numbers.
fn release_version(text: &str) -> Option<(u32, u32)> {
    let (year, month) = text.split_once('.')?;
    let digits = |part: &str| part.len() == 2 && part.bytes().all(|byte| byte.is_ascii_digit());
    if !digits(year) || !digits(month) {
        return None;
    }
    Some((year.parse().ok()?, month.parse().ok()?))
}

/// The kind and release of a branch named after a release.
fn branch_release(branch: &str) -> Option<(BranchKind, (u32, u32))> {
    if let Some(rest) = branch.strip_prefix("release-") {
        return Some((BranchKind::Release, release_version(rest)?));
    }
    if let Some(rest) = branch.strip_prefix("nixos-") {
        let rest = rest.strip_suffix("-small").unwrap_or(rest);
        return Some((BranchKind::Channel, release_version(rest)?));
    }
    let rest = branch.strip_prefix("nixpkgs-")?.strip_suffix("-darwin")?;
    Some((BranchKind::Channel, release_version(rest)?))
}

/// What to say about a nixpkgs branch, if anything.
fn judge(branch: &str, data: &Branches) -> Option<(Severity, String)> {
    let instead = data
        .stable_channel()
        .map(|channel| format!(": use `{channel}` or `nixos-unstable`"))
        .unwrap_or_default();
    let status = data.status(branch);
    let release = branch_release(branch);
    if let Some((BranchKind::Release, _)) = release {
        let unmaintained = if status == Some("unmaintained") {
            ", and its release is no longer maintained"
        } else {
            ""
        };
        return Some((
            Severity::Warning,
            format!(
                "`{branch}` is not a channel branch: no binary cache guarantee{unmaintained}{instead}"
            ),
        ));
    }
    match status {
        Some("rolling" | "stable") => None,
        Some("deprecated") => Some((
            Severity::Info,
            format!("`{branch}` reaches its end of life soon{instead}"),
        )),
        Some("unmaintained") => Some((
            Severity::Warning,
            format!("`{branch}` is no longer maintained and gets no security fixes{instead}"),
        )),
        _ => match release {
            Some((BranchKind::Channel, version))
                if data.newest_release().is_none_or(|newest| version > newest) =>
            {
                Some((
                    Severity::Info,
                    format!(
                        "`{branch}` is assumed supported: the branch data is older than this release (it is from {})",
                        data.generated_at
                    ),
                ))
            }
            _ => Some((
                Severity::Warning,
                format!("`{branch}` is not a supported nixpkgs branch{instead}"),
            )),
        },
    }
}

pub(crate) fn check_lock(ctx: &LockCtx<'_>, findings: &mut LockFindings) {
    let Some(data) = Branches::parse(BRANCH_DATA) else {
        return;
    };
    check_with(ctx, &data, findings);
}

fn check_with(ctx: &LockCtx<'_>, data: &Branches, findings: &mut LockFindings) {
    let mut seen = Vec::new();
    for (name, node) in ctx.nixpkgs_root_inputs() {
        if seen.contains(&node.key) {
            continue;
        }
        seen.push(node.key.clone());
        let original = node.original.as_ref();
        let from_lock = original
            .and_then(|source| source.str("ref"))
            .map(str::to_owned);
        let branch = from_lock.or_else(|| {
            let input = ctx.model?.input(name)?;
            input.flake_ref()?.ok()?.ref_
        });
        let Some(branch) = branch else {
            continue;
        };
        let Some((severity, message)) = judge(&branch, data) else {
            continue;
        };
        let range = original
            .and_then(|source| source.range_of("ref").or(Some(source.range)))
            .unwrap_or(node.key_range);
        findings
            .report(Place::Lock(range), message)
            .severity(severity)
            .input(name);
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Severity;
    use crate::flake::check::tests::run_lint;

    use super::{check_lock, judge, Branches, BRANCH_DATA, NIXPKGS_UNSUPPORTED_BRANCH};

    fn lock(original_ref: &str) -> String {
        format!(
            r#"{{"nodes": {{"nixpkgs": {{"locked": {{"owner": "NixOS", "repo": "nixpkgs", "rev": "r", "type": "github"}}, "original": {{"owner": "NixOS", {original_ref}"repo": "nixpkgs", "type": "github"}}}}, "root": {{"inputs": {{"nixpkgs": "nixpkgs"}}}}}}, "root": "root", "version": 7}}"#
        )
    }

    fn run(url: &str, original_ref: &str) -> String {
        let flake = format!("{{\n  inputs.nixpkgs.url = \"{url}\";\n  outputs = _: {{ }};\n}}\n");
        run_lint(
            &NIXPKGS_UNSUPPORTED_BRANCH,
            check_lock,
            Some(&flake),
            Some(&lock(original_ref)),
            "",
        )
    }

    #[test]
    fn shipped_data_reads() {
        let data = Branches::parse(BRANCH_DATA).expect("the shipped data is valid");
        assert_eq!(data.status("nixos-unstable"), Some("rolling"));
        assert_eq!(data.stable_channel(), Some("nixos-26.05"));
        assert_eq!(data.newest_release(), Some((26, 5)));
        assert!(Branches::parse("{ nope").is_none());
        assert!(Branches::parse("[]").is_none());
    }

    #[test]
    fn unmaintained_branch_in_the_lock_and_on_the_input() {
        let out = run(
            "github:NixOS/nixpkgs/nixos-24.11",
            "\"ref\": \"nixos-24.11\", ",
        );
        assert_eq!(
            out,
            "flake.lock 1:141 warning[nixpkgs-unsupported-branch]: `nixos-24.11` is no longer maintained and gets no security fixes: use `nixos-26.05` or `nixos-unstable`\n\
             flake.nix 2:10 warning[nixpkgs-unsupported-branch]: `nixos-24.11` is no longer maintained and gets no security fixes: use `nixos-26.05` or `nixos-unstable` (flake.lock)\n"
        );
    }

    #[test]
    fn supported_and_default_branches_pass() {
        for branch in ["nixos-unstable", "nixpkgs-unstable", "nixos-26.05-small"] {
            let out = run(
                &format!("github:NixOS/nixpkgs/{branch}"),
                &format!("\"ref\": \"{branch}\", "),
            );
            assert_eq!(out, "", "{branch}");
        }
        // No ref: tracking the default branch is another lint's concern.
        assert_eq!(run("github:NixOS/nixpkgs", ""), "");
    }

    #[test]
    fn ref_from_flake_nix_when_the_lock_has_none() {
        let out = run("github:NixOS/nixpkgs/release-26.05", "");
        assert!(
            out.contains("flake.lock 1:115 warning[nixpkgs-unsupported-branch]: `release-26.05` is not a channel branch: no binary cache guarantee: use `nixos-26.05` or `nixos-unstable`\n"),
            "{out}"
        );
    }

    /// flake-checker-action #9, #24: a new release rejected by stale data.
    #[test]
    fn newer_release_than_the_data_is_only_noted() {
        let out = run(
            "github:NixOS/nixpkgs/nixos-26.11",
            "\"ref\": \"nixos-26.11\", ",
        );
        assert!(
            out.contains("info[nixpkgs-unsupported-branch]: `nixos-26.11` is assumed supported: the branch data is older than this release (it is from 2026-11-24)"),
            "{out}"
        );
        let data = Branches::parse(BRANCH_DATA).expect("the shipped data is valid");
        for branch in ["nixos-27.05-small", "nixpkgs-26.11-darwin"] {
            assert_eq!(
                judge(branch, &data).map(|(severity, _)| severity),
                Some(Severity::Info),
                "{branch}"
            );
        }
        // An old release that the data does not list is unknown, not assumed supported.
        assert_eq!(
            judge("nixos-19.09", &data).map(|(severity, _)| severity),
            Some(Severity::Warning)
        );
    }

    #[test]
    fn statuses_and_release_branches() {
        let data = Branches::parse(
            r#"{"generated_at": "2026-12-10", "branches": {"nixos-26.05": "deprecated", "nixos-26.11": "stable", "release-26.11": "stable", "release-25.11": "unmaintained", "nixos-unstable": "rolling"}}"#,
        )
        .expect("valid data");
        let judged = |branch| judge(branch, &data);
        assert_eq!(
            judged("nixos-26.05"),
            Some((
                Severity::Info,
                "`nixos-26.05` reaches its end of life soon: use `nixos-26.11` or `nixos-unstable`"
                    .to_owned()
            ))
        );
        assert_eq!(judged("nixos-26.11"), None);
        assert_eq!(
            judged("release-26.11").map(|(severity, _)| severity),
            Some(Severity::Warning)
        );
        assert!(judged("release-25.11")
            .is_some_and(|(_, message)| message.contains("no longer maintained")));
        assert_eq!(
            judged("master"),
            Some((
                Severity::Warning,
                "`master` is not a supported nixpkgs branch: use `nixos-26.11` or `nixos-unstable`"
                    .to_owned()
            ))
        );
    }
}
