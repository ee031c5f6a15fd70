//! NIX406: a nixpkgs input on a branch that is not a supported channel.

use syntax::{TextEdit, TextRange, TextSize};

use crate::diagnostic::{Fix, Severity};
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
    /// about unpinned inputs, and a nixpkgs fork (an owner outside `allowed-owners`) to
    /// `nixpkgs-non-upstream`: its branches are its own.
    ///
    /// The statuses come from data shipped with nixwise (dated; see `lints/data/README.md`).
    /// `[flake-lock] ref-statuses` in `nixwise.toml` sets the status of single branches on top
    /// of it, for a release newer than the data, or to retire one early:
    /// `ref-statuses = { "nixos-26.11" = "stable", "nixos-26.05" = "deprecated" }`.
    ///
    /// For a warning, an unsafe fix replaces the branch in flake.nix with the newest stable
    /// release's branch of the same kind (`nixos-YY.MM`, `-small`, `nixpkgs-YY.MM-darwin`); a
    /// lock update follows.
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
        fix: Unsafe,
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

    /// The shipped data with the statuses set in the configuration, which win.
    fn with_overrides(
        mut self,
        overrides: &std::collections::BTreeMap<String, String>,
    ) -> Branches {
        for (branch, status) in overrides {
            match self.statuses.iter_mut().find(|(name, _)| name == branch) {
                Some(entry) => entry.1.clone_from(status),
                None => self.statuses.push((branch.clone(), status.clone())),
            }
        }
        self
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

    /// The NixOS channel of the newest stable release, to suggest.
    fn stable_channel(&self) -> Option<&str> {
        self.statuses
            .iter()
            .filter(|(name, status)| {
                status == "stable" && name.starts_with("nixos-") && !name.ends_with("-small")
            })
            .filter_map(|(name, _)| match branch_release(name)? {
                (BranchKind::Channel, version) => Some((version, name.as_str())),
                (BranchKind::Release, _) => None,
            })
            .max()
            .map(|(_, name)| name)
    }

    /// The branch to move to from `branch`: the stable release's branch of the same kind
    /// (`-small`, `-darwin`), or its NixOS channel.
    fn replacement(&self, branch: &str) -> Option<String> {
        let channel = self.stable_channel()?;
        let release = channel.strip_prefix("nixos-")?;
        let same_kind = if branch.starts_with("nixos-") && branch.ends_with("-small") {
            format!("nixos-{release}-small")
        } else if branch.starts_with("nixpkgs-") && branch.ends_with("-darwin") {
            format!("nixpkgs-{release}-darwin")
        } else {
            channel.to_owned()
        };
        let wanted = if self.status(&same_kind) == Some("stable") {
            same_kind
        } else {
            channel.to_owned()
        };
        (wanted != branch).then_some(wanted)
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
    let data = data.with_overrides(ctx.config.ref_statuses());
    check_with(ctx, &data, findings);
}

fn check_with(ctx: &LockCtx<'_>, data: &Branches, findings: &mut LockFindings) {
    let allowed = ctx.config.allowed_owners();
    let mut seen = Vec::new();
    for (name, node) in ctx.nixpkgs_root_inputs() {
        if seen.contains(&node.key) {
            continue;
        }
        seen.push(node.key.clone());
        let original = node.original.as_ref();
        // The branch data describes NixOS/nixpkgs; a fork's branches are its own (its owner is
        // `nixpkgs-non-upstream`'s finding).
        let owner = original
            .filter(|source| matches!(source.kind(), Some("github" | "gitlab")))
            .and_then(|source| source.str("owner"));
        if owner.is_some_and(|owner| !allowed.contains(&owner.to_ascii_lowercase())) {
            continue;
        }
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
        let fix = (severity == Severity::Warning)
            .then(|| replace_ref(ctx, name, &branch, &data.replacement(&branch)?))
            .flatten();
        let finding = findings
            .report(Place::Lock(range), message)
            .severity(severity)
            .input(name);
        if let Some(fix) = fix {
            finding.fix(fix);
        }
    }
}

/// Replaces the branch where flake.nix names it: the input's `ref` attribute, or the branch as a
/// path segment or `ref=` parameter of its url. Unsafe: another branch is other code.
fn replace_ref(ctx: &LockCtx<'_>, input: &str, branch: &str, wanted: &str) -> Option<Fix> {
    let root = ctx.flake_root?;
    let declared = ctx.model?.input(input)?;
    let (value_range, literal) = match declared.attr("ref") {
        Some(attr) => (attr.value_range, attr.value.as_str()?.to_owned()),
        None if declared.url_is_literal => {
            let (url, range) = declared.url.as_ref()?;
            (*range, url.clone())
        }
        None => return None,
    };
    // Only a plain string whose source text is its value can be edited by offset.
    let source = root.text().slice(value_range).to_string();
    let inner = source.strip_prefix('"')?.strip_suffix('"')?;
    if inner != literal {
        return None;
    }
    let mut found = None;
    for (offset, _) in inner.match_indices(branch) {
        let before = inner[..offset].chars().next_back();
        let after = inner[offset + branch.len()..].chars().next();
        let starts = before.is_none_or(|c| matches!(c, '/' | '=' | ':'));
        let ends = after.is_none_or(|c| matches!(c, '/' | '?' | '&' | '#'));
        if starts && ends {
            if found.is_some() {
                return None;
            }
            found = Some(offset);
        }
    }
    let offset = u32::try_from(found?).ok()?;
    let start = value_range.start() + TextSize::from(1 + offset);
    let length = TextSize::from(u32::try_from(branch.len()).ok()?);
    Some(Fix::unsafe_(
        format!("Track `{wanted}` instead of `{branch}`"),
        vec![TextEdit::replace(TextRange::at(start, length), wanted)],
    ))
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Severity;
    use crate::flake::check::tests::{run_lint, run_lint_fix};
    use crate::FixMode;

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

    #[test]
    fn configured_statuses_win_over_the_shipped_data() {
        let toml = "[flake-lock.ref-statuses]\n\"nixos-26.11\" = \"stable\"\n\"nixos-26.05\" = \"deprecated\"\n\"nixos-24.11\" = \"stable\"\n";
        let run_with = |branch: &str| {
            let flake = format!(
                "{{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/{branch}\";\n  outputs = _: {{ }};\n}}\n"
            );
            run_lint(
                &NIXPKGS_UNSUPPORTED_BRANCH,
                check_lock,
                Some(&flake),
                Some(&lock(&format!("\"ref\": \"{branch}\", "))),
                toml,
            )
        };
        // A release the data does not know yet, made stable: no longer only "assumed supported".
        assert_eq!(run_with("nixos-26.11"), "");
        assert_eq!(run_with("nixos-24.11"), "");
        let out = run_with("nixos-26.05");
        assert!(
            out.contains("info[nixpkgs-unsupported-branch]: `nixos-26.05` reaches its end of life soon: use `nixos-26.11` or `nixos-unstable`"),
            "{out}"
        );
        // Without the configuration, the shipped data decides.
        assert!(run(
            "github:NixOS/nixpkgs/nixos-24.11",
            "\"ref\": \"nixos-24.11\", "
        )
        .contains("warning"));
    }

    fn fixed(url_or_attrs: &str, original_ref: &str) -> String {
        let flake = format!("{{\n  inputs.nixpkgs{url_or_attrs};\n  outputs = _: {{ }};\n}}\n");
        run_lint_fix(
            &NIXPKGS_UNSUPPORTED_BRANCH,
            check_lock,
            &flake,
            &lock(&format!("\"ref\": \"{original_ref}\", ")),
            FixMode::Unsafe,
        )
    }

    #[test]
    fn unsafe_fix_moves_to_the_stable_release() {
        assert_eq!(
            fixed(".url = \"github:NixOS/nixpkgs/nixos-24.11\"", "nixos-24.11"),
            "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-26.05\";\n  outputs = _: { };\n}\n"
        );
        // The kind of branch is kept.
        assert!(fixed(
            ".url = \"github:NixOS/nixpkgs/nixpkgs-24.11-darwin\"",
            "nixpkgs-24.11-darwin"
        )
        .contains("\"github:NixOS/nixpkgs/nixpkgs-26.05-darwin\""));
        assert!(fixed(
            ".url = \"github:NixOS/nixpkgs/nixos-23.05-small\"",
            "nixos-23.05-small"
        )
        .contains("/nixos-26.05-small\""));
        // A release branch moves to the channel.
        assert!(fixed(
            ".url = \"github:NixOS/nixpkgs/release-26.05\"",
            "release-26.05"
        )
        .contains("/nixos-26.05\""));
        // A `ref=` parameter and the attribute form.
        assert!(fixed(
            ".url = \"git+https://github.com/NixOS/nixpkgs?ref=nixos-24.05&shallow=1\"",
            "nixos-24.05"
        )
        .contains("?ref=nixos-26.05&shallow=1\""));
        assert!(fixed(
            " = { type = \"github\"; owner = \"NixOS\"; repo = \"nixpkgs\"; ref = \"nixos-24.05\"; }",
            "nixos-24.05"
        )
        .contains("ref = \"nixos-26.05\";"));
    }

    #[test]
    fn no_fix_where_the_branch_cannot_be_found_or_is_only_noted() {
        // An interpolated url, a branch named twice, and a note about a newer release.
        for (attrs, original_ref) in [
            (
                " = let b = \"nixos-24.11\"; in { url = \"github:NixOS/nixpkgs/${b}\"; }",
                "nixos-24.11",
            ),
            (
                ".url = \"github:NixOS/nixpkgs/nixos-24.11?dir=nixos-24.11\"",
                "nixos-24.11",
            ),
            (".url = \"github:NixOS/nixpkgs/nixos-26.11\"", "nixos-26.11"),
            (".url = \"github:NixOS/nixpkgs/nixos-26.05\"", "nixos-26.05"),
        ] {
            let flake = format!("{{\n  inputs.nixpkgs{attrs};\n  outputs = _: {{ }};\n}}\n");
            assert_eq!(fixed(attrs, original_ref), flake, "{attrs}");
        }
    }

    /// cachix/devenv locks cachix/devenv-nixpkgs on its branch `rolling`.
    #[test]
    fn a_fork_is_judged_by_its_owner_not_its_branches() {
        let fork = lock("\"ref\": \"rolling\", ").replace("\"NixOS\"", "\"cachix\"");
        let flake = "{\n  inputs.nixpkgs.url = \"github:cachix/devenv-nixpkgs/rolling\";\n  outputs = _: { };\n}\n";
        assert_eq!(
            run_lint(
                &NIXPKGS_UNSUPPORTED_BRANCH,
                check_lock,
                Some(flake),
                Some(&fork),
                ""
            ),
            ""
        );
        let allowed = "[flake-lock]\nallowed-owners = [\"NixOS\", \"cachix\"]\n";
        assert!(run_lint(
            &NIXPKGS_UNSUPPORTED_BRANCH,
            check_lock,
            Some(flake),
            Some(&fork),
            allowed
        )
        .contains("`rolling` is not a supported nixpkgs branch"));
    }
}
