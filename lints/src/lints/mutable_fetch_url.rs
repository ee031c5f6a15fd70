//! NIX204: fetcher URLs that serve a moving target (a branch, a channel, `latest`).

use syntax::{AstNode, SyntaxNode};

use crate::fetchers::{is_fetcher_name, url_strings};
use crate::lint::{declare_lint, Findings, LintCtx};
use crate::module_context::string_text;

declare_lint! {
    /// ## What it does
    /// Checks the literal URLs given to fetchers (`builtins.fetchTarball`, `fetchurl`,
    /// `fetchzip` and every other `fetch*` function, as the first argument, the `url` attribute or
    /// an element of `urls`) for addresses whose content moves:
    ///
    /// - GitHub archives of a branch: `github.com/<owner>/<repo>/archive/<ref>.tar.gz`,
    ///   `…/tarball/<ref>` and `…/zipball/<ref>`, and `api.github.com/repos/…/tarball[/<ref>]`;
    /// - GitLab archives of a branch: `…/-/archive/<ref>/…`;
    /// - NixOS channels: `channels.nixos.org/…` and `nixos.org/channels/…`;
    /// - `releases.nixos.org/…/latest…`.
    ///
    /// A ref is fine when it is a 40-hex commit, `refs/tags/…`, or looks like a version tag (it
    /// starts with a digit, or with `v` and a digit): release archives of tags are how nixpkgs
    /// fetches most sources, and a tag that moves is rare enough to be a bug upstream.
    ///
    /// ## Why is this bad?
    /// With a hash, the fetch fails with a hash mismatch as soon as the branch or channel moves;
    /// without one, every evaluation may build something different. Pin the archive of a
    /// commit instead. There is no fix, since the commit has to be chosen.
    ///
    /// Flake inputs are not checked: `inputs.x.url` is pinned by `flake.lock`, and following a
    /// branch there is what `nix flake update` is for.
    ///
    /// ## Example
    /// ```nix
    /// builtins.fetchTarball {
    ///   url = "https://github.com/NixOS/nixpkgs/archive/nixos-unstable.tar.gz";
    ///   sha256 = "…";
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// builtins.fetchTarball {
    ///   url = "https://github.com/NixOS/nixpkgs/archive/0123456789abcdef0123456789abcdef01234567.tar.gz";
    ///   sha256 = "…";
    /// }
    /// ```
    pub(crate) static MUTABLE_FETCH_URL = {
        code: "NIX204",
        name: "mutable-fetch-url",
        category: Reproducibility,
        severity: Warning,
        fix: None,
        tags: [],
        kinds: [NODE_APPLY],
        reach: Entry,
        check: check_apply,
    };
}

fn check_apply(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    let Some(call) = ctx.call_at(node) else {
        return;
    };
    if !call.name().is_some_and(is_fetcher_name) {
        return;
    }
    for string in url_strings(&call) {
        let Some(url) = string_text(&string) else {
            continue;
        };
        if let Some(target) = moving_target(&url) {
            let message = match target {
                Moving::Ref(reference) => {
                    format!("URL fetches the moving ref `{reference}`: pin a commit archive URL")
                }
                Moving::DefaultBranch => {
                    "URL fetches the moving default branch: pin a commit archive URL".to_owned()
                }
                Moving::Channel => {
                    "URL fetches a NixOS channel, which moves: pin a commit archive URL".to_owned()
                }
                Moving::Latest => {
                    "URL fetches `latest`, which moves: pin a release or commit URL".to_owned()
                }
            };
            findings.report(string.syntax().text_range(), message);
        }
    }
}

/// What moves behind a URL.
#[derive(Debug, PartialEq, Eq)]
enum Moving {
    Ref(String),
    DefaultBranch,
    Channel,
    Latest,
}

/// The moving target a URL points at, if any.
fn moving_target(url: &str) -> Option<Moving> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.strip_prefix("www.").unwrap_or(host);
    let segments: Vec<&str> = path.split('/').filter(|part| !part.is_empty()).collect();
    match host {
        "channels.nixos.org" => return Some(Moving::Channel),
        "nixos.org" if segments.first() == Some(&"channels") => return Some(Moving::Channel),
        "releases.nixos.org" if segments.iter().any(|part| part.starts_with("latest")) => {
            return Some(Moving::Latest)
        }
        "github.com" => {
            if let [_owner, _repo, "archive" | "tarball" | "zipball", reference @ ..] =
                segments.as_slice()
            {
                let joined = reference.join("/");
                let reference = joined
                    .strip_suffix(".tar.gz")
                    .or_else(|| joined.strip_suffix(".zip"))
                    .unwrap_or(&joined);
                return moving_ref(reference);
            }
            return None;
        }
        "api.github.com" => {
            if let ["repos", _owner, _repo, "tarball" | "zipball", reference @ ..] =
                segments.as_slice()
            {
                if reference.is_empty() {
                    return Some(Moving::DefaultBranch);
                }
                return moving_ref(&reference.join("/"));
            }
            return None;
        }
        _ => {}
    }
    // GitLab and its self-hosted instances: `<project>/-/archive/<ref>/<file>`.
    let archive = segments
        .windows(3)
        .find(|window| window[0] == "-" && window[1] == "archive")?;
    moving_ref(archive[2])
}

/// A branch-like ref, or `None` for commits and tags.
fn moving_ref(reference: &str) -> Option<Moving> {
    if reference.is_empty() || reference.starts_with("refs/tags/") {
        return None;
    }
    let name = reference.strip_prefix("refs/heads/").unwrap_or(reference);
    let is_commit = name.len() == 40 && name.bytes().all(|b| b.is_ascii_hexdigit());
    let mut chars = name.chars();
    let is_version_tag = match chars.next() {
        Some(first) if first.is_ascii_digit() => true,
        Some('v') => chars.next().is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    };
    if is_commit || (is_version_tag && !reference.starts_with("refs/heads/")) {
        return None;
    }
    Some(Moving::Ref(name.to_owned()))
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_no_fix};

    use super::{moving_target, Moving, MUTABLE_FETCH_URL};

    #[test]
    fn moving_urls_given_to_fetchers() {
        check_no_fix(
            &MUTABLE_FETCH_URL,
            r#"
[
  (builtins.fetchTarball "https://github.com/NixOS/nixpkgs/archive/nixos-unstable.tar.gz")
#                        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[mutable-fetch-url]: URL fetches the moving ref `nixos-unstable`: pin a commit archive URL
  (fetchTarball { url = "https://channels.nixos.org/nixos-24.05/nixexprs.tar.xz"; sha256 = "x"; })
#                       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[mutable-fetch-url]: URL fetches a NixOS channel, which moves: pin a commit archive URL
  (pkgs.fetchzip { urls = [ "https://gitlab.com/o/r/-/archive/main/r-main.zip" ]; hash = "x"; })
#                           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[mutable-fetch-url]: URL fetches the moving ref `main`: pin a commit archive URL
  (fetchurl { url = "https://api.github.com/repos/o/r/tarball"; })
#                   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[mutable-fetch-url]: URL fetches the moving default branch: pin a commit archive URL
]
"#,
        );
    }

    #[test]
    fn pinned_urls_tags_and_flake_inputs_are_fine() {
        check(
            &MUTABLE_FETCH_URL,
            r#"
{
  inputs.nixpkgs.url = "https://github.com/NixOS/nixpkgs/archive/nixos-unstable.tar.gz";
  a = builtins.fetchTarball "https://github.com/NixOS/nixpkgs/archive/0123456789abcdef0123456789abcdef01234567.tar.gz";
  b = fetchurl { url = "https://github.com/o/r/archive/v1.2.3.tar.gz"; hash = "x"; };
  c = fetchurl { url = "https://github.com/o/r/archive/refs/tags/release-1.tar.gz"; hash = "x"; };
  d = fetchurl { url = "https://github.com/o/r/archive/${rev}.tar.gz"; hash = "x"; };
  e = somethingElse "https://github.com/NixOS/nixpkgs/archive/master.tar.gz";
  f = fetchurl { url = "https://github.com/o/r/releases/download/v1/x.tar.gz"; hash = "x"; };
}
"#,
        );
    }

    #[test]
    fn targets() {
        assert_eq!(
            moving_target("https://github.com/o/r/archive/refs/heads/v2.tar.gz"),
            Some(Moving::Ref("v2".to_owned()))
        );
        assert_eq!(
            moving_target("https://nixos.org/channels/nixos-unstable/nixexprs.tar.xz"),
            Some(Moving::Channel)
        );
        assert_eq!(
            moving_target("https://releases.nixos.org/nix/latest/install"),
            Some(Moving::Latest)
        );
        assert_eq!(
            moving_target("https://releases.nixos.org/nix/nix-2.18.1/install"),
            None
        );
        assert_eq!(moving_target("git@github.com:o/r"), None);
    }
}
