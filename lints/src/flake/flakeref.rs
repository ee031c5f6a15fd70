//! Flake references (`github:NixOS/nixpkgs/nixos-24.11`, `git+https://…?ref=main`, `nixpkgs`),
//! parsed into the canonical attributes that `nix flake lock` writes as a node's `original`, so
//! that flake.nix and flake.lock can be compared.
//!
//! The rules follow Nix's `parseFlakeRef` and its input schemes: a `dir` parameter is the flake's
//! subdirectory and kept apart from the source; `github:`-like refs take a third path segment as
//! `rev` when it is 40 hex digits and as `ref` otherwise; `https://` URLs are tarballs when they
//! end in an archive extension and files otherwise; a reference with no scheme is either a path
//! (`./x`, `/x`) or an indirect id resolved through the flake registry.

use std::collections::BTreeMap;
use std::fmt;

use crate::flake::lock::SourceValue;

/// The fetcher a flake reference uses, named as in the lock's `type` attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlakeRefKind {
    Github,
    Gitlab,
    Sourcehut,
    Git,
    Mercurial,
    Path,
    Tarball,
    File,
    Indirect,
}

impl FlakeRefKind {
    /// The lock's `type` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            FlakeRefKind::Github => "github",
            FlakeRefKind::Gitlab => "gitlab",
            FlakeRefKind::Sourcehut => "sourcehut",
            FlakeRefKind::Git => "git",
            FlakeRefKind::Mercurial => "hg",
            FlakeRefKind::Path => "path",
            FlakeRefKind::Tarball => "tarball",
            FlakeRefKind::File => "file",
            FlakeRefKind::Indirect => "indirect",
        }
    }

    pub fn from_type(kind: &str) -> Option<FlakeRefKind> {
        Some(match kind {
            "github" => FlakeRefKind::Github,
            "gitlab" => FlakeRefKind::Gitlab,
            "sourcehut" => FlakeRefKind::Sourcehut,
            "git" => FlakeRefKind::Git,
            "hg" | "mercurial" => FlakeRefKind::Mercurial,
            "path" => FlakeRefKind::Path,
            "tarball" => FlakeRefKind::Tarball,
            "file" => FlakeRefKind::File,
            "indirect" => FlakeRefKind::Indirect,
            _ => return None,
        })
    }

    /// `github:`, `gitlab:` and `sourcehut:`: a forge repository fetched as a tarball.
    pub fn is_forge(self) -> bool {
        matches!(
            self,
            FlakeRefKind::Github | FlakeRefKind::Gitlab | FlakeRefKind::Sourcehut
        )
    }
}

/// A parsed flake reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlakeRef {
    pub kind: FlakeRefKind,
    /// Forges: the owner as written (`NixOS`, `~sircmpwn` for sourcehut).
    pub owner: Option<String>,
    /// Forges: the repository.
    pub repo: Option<String>,
    /// A branch or tag (`nixos-24.11`).
    pub ref_: Option<String>,
    /// A commit hash (40 hex digits for git-based types).
    pub rev: Option<String>,
    /// The subdirectory holding flake.nix (`?dir=`).
    pub dir: Option<String>,
    /// Git, Mercurial, tarball and file: the URL without the `git+`/`tarball+` prefix and without
    /// the parameters that became attributes.
    pub url: Option<String>,
    /// Forges: a host other than the default (`?host=`).
    pub host: Option<String>,
    /// Path: the path as written (`./x`, `/abs`).
    pub path: Option<String>,
    /// Indirect: the registry id (`nixpkgs`).
    pub id: Option<String>,
    /// The remaining attributes that have a meaning for the fetcher (`narHash`, `submodules`,
    /// `shallow`, `lfs`, `allRefs`, `lastModified`, `revCount`, …).
    pub extra: BTreeMap<String, SourceValue>,
}

/// Why a flake reference could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlakeRefError {
    pub message: String,
}

impl fmt::Display for FlakeRefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn error<T>(message: impl Into<String>) -> Result<T, FlakeRefError> {
    Err(FlakeRefError {
        message: message.into(),
    })
}

/// File name endings that make an `http(s)://` or `file://` URL a tarball rather than a file.
const ARCHIVE_EXTENSIONS: &[&str] = &[
    ".zip", ".tar", ".tgz", ".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst",
];

/// Parameters that become boolean attributes of git and Mercurial references.
const BOOL_PARAMS: &[&str] = &["submodules", "shallow", "lfs", "allRefs", "exportIgnore"];
/// Parameters that become integer attributes.
const INT_PARAMS: &[&str] = &["lastModified", "revCount"];

impl FlakeRef {
    fn new(kind: FlakeRefKind) -> FlakeRef {
        FlakeRef {
            kind,
            owner: None,
            repo: None,
            ref_: None,
            rev: None,
            dir: None,
            url: None,
            host: None,
            path: None,
            id: None,
            extra: BTreeMap::new(),
        }
    }

    /// Parses a flake reference as written in `inputs.<name>.url`.
    pub fn parse(text: &str) -> Result<FlakeRef, FlakeRefError> {
        let text = text.trim();
        if text.is_empty() {
            return error("empty flake reference");
        }
        // A fragment (`#packages.x`) names an output, not part of the source.
        let text = text.split_once('#').map_or(text, |(before, _)| before);
        if text.starts_with('/') || text.starts_with("./") || text.starts_with("../") || text == "."
        {
            return parse_path(text, "");
        }
        match text.split_once(':') {
            Some((scheme, rest)) if is_scheme(scheme) => parse_with_scheme(scheme, rest),
            _ => parse_indirect(text),
        }
    }

    /// Reads the attribute form of an input (`{ type = "github"; owner = "…"; repo = "…"; }`).
    /// `attrs` are the input's attributes other than `url`, `flake`, `follows` and `inputs`.
    pub fn from_attrs(attrs: &[(String, SourceValue)]) -> Result<FlakeRef, FlakeRefError> {
        let Some((_, kind_value)) = attrs.iter().find(|(name, _)| name == "type") else {
            return error("an input in attribute form needs a `type`");
        };
        let SourceValue::Str(kind_text) = kind_value else {
            return error("`type` must be a string");
        };
        let Some(kind) = FlakeRefKind::from_type(kind_text) else {
            return error(format!("unsupported input type `{kind_text}`"));
        };
        let mut flake_ref = FlakeRef::new(kind);
        for (name, value) in attrs {
            let text = match value {
                SourceValue::Str(text) => Some(text.clone()),
                _ => None,
            };
            match name.as_str() {
                "type" => {}
                "owner" => flake_ref.owner = text,
                "repo" => flake_ref.repo = text,
                "ref" => flake_ref.ref_ = text,
                "rev" => flake_ref.rev = text,
                "dir" => flake_ref.dir = text,
                "url" => flake_ref.url = text,
                "host" => flake_ref.host = text,
                "path" => flake_ref.path = text,
                "id" => flake_ref.id = text,
                _ => {
                    flake_ref.extra.insert(name.clone(), value.clone());
                }
            }
        }
        let missing = |what: &str| error(format!("a `{kind_text}` input needs `{what}`"));
        match kind {
            FlakeRefKind::Github | FlakeRefKind::Gitlab | FlakeRefKind::Sourcehut => {
                if flake_ref.owner.is_none() {
                    return missing("owner");
                }
                if flake_ref.repo.is_none() {
                    return missing("repo");
                }
            }
            FlakeRefKind::Git
            | FlakeRefKind::Mercurial
            | FlakeRefKind::Tarball
            | FlakeRefKind::File => {
                if flake_ref.url.is_none() {
                    return missing("url");
                }
            }
            FlakeRefKind::Path => {
                if flake_ref.path.is_none() {
                    return missing("path");
                }
            }
            FlakeRefKind::Indirect => {
                if flake_ref.id.is_none() {
                    return missing("id");
                }
            }
        }
        if flake_ref.ref_.is_some() && flake_ref.rev.is_some() && kind.is_forge() {
            return error("a forge input cannot have both `ref` and `rev`");
        }
        Ok(flake_ref)
    }

    /// The attributes `nix flake lock` writes as `original` for this reference: `type` and
    /// whichever of `owner`, `repo`, `ref`, `rev`, `dir`, `url`, `host`, `path`, `id` and the extra
    /// attributes are set.
    pub fn original_attrs(&self) -> BTreeMap<String, SourceValue> {
        let mut attrs = self.extra.clone();
        attrs.insert(
            "type".to_owned(),
            SourceValue::Str(self.kind.as_str().to_owned()),
        );
        let fields = [
            ("owner", &self.owner),
            ("repo", &self.repo),
            ("ref", &self.ref_),
            ("rev", &self.rev),
            ("dir", &self.dir),
            ("url", &self.url),
            ("host", &self.host),
            ("path", &self.path),
            ("id", &self.id),
        ];
        for (name, value) in fields {
            if let Some(value) = value {
                attrs.insert(name.to_owned(), SourceValue::Str(value.clone()));
            }
        }
        attrs
    }

    /// Whether the reference is resolved through the user's flake registry.
    pub fn is_indirect(&self) -> bool {
        self.kind == FlakeRefKind::Indirect
    }

    /// Whether this is the upstream nixpkgs repository on GitHub (owner compared without case,
    /// as GitHub does).
    pub fn is_github_nixpkgs(&self) -> bool {
        self.kind == FlakeRefKind::Github
            && self
                .owner
                .as_deref()
                .is_some_and(|owner| owner.eq_ignore_ascii_case("nixos"))
            && self.repo.as_deref() == Some("nixpkgs")
    }
}

fn is_scheme(scheme: &str) -> bool {
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn parse_with_scheme(scheme: &str, rest: &str) -> Result<FlakeRef, FlakeRefError> {
    match scheme {
        "github" => parse_forge(FlakeRefKind::Github, rest),
        "gitlab" => parse_forge(FlakeRefKind::Gitlab, rest),
        "sourcehut" => parse_forge(FlakeRefKind::Sourcehut, rest),
        "flake" => parse_indirect(rest),
        "path" => {
            let (path, query) = split_query(rest);
            parse_path(&percent_decode(path), query)
        }
        "git+https" | "git+http" | "git+ssh" | "git+file" | "git" => {
            let inner = scheme.strip_prefix("git+").unwrap_or(scheme);
            parse_url_kind(FlakeRefKind::Git, inner, rest)
        }
        "hg+https" | "hg+http" | "hg+ssh" | "hg+file" => {
            parse_url_kind(FlakeRefKind::Mercurial, &scheme[3..], rest)
        }
        "tarball+https" | "tarball+http" | "tarball+file" => {
            parse_url_kind(FlakeRefKind::Tarball, &scheme[8..], rest)
        }
        "file+https" | "file+http" | "file+file" => {
            parse_url_kind(FlakeRefKind::File, &scheme[5..], rest)
        }
        "https" | "http" | "file" => {
            let (path, _) = split_query(rest);
            let kind = if ARCHIVE_EXTENSIONS
                .iter()
                .any(|extension| path.ends_with(extension))
            {
                FlakeRefKind::Tarball
            } else {
                FlakeRefKind::File
            };
            parse_url_kind(kind, scheme, rest)
        }
        _ => error(format!("unsupported flake reference scheme `{scheme}:`")),
    }
}

/// `rest` without its `?query`, and the query.
fn split_query(rest: &str) -> (&str, &str) {
    rest.split_once('?').unwrap_or((rest, ""))
}

/// The `key=value` pairs of a query string, percent-decoded.
fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' && index + 2 < bytes.len() {
            let high = (bytes[index + 1] as char).to_digit(16);
            let low = (bytes[index + 2] as char).to_digit(16);
            if let (Some(high), Some(low)) = (high, low) {
                out.push((high * 16 + low) as u8);
                index += 3;
                continue;
            }
        }
        out.push(bytes[index]);
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether `text` is a full commit hash: 40 hex digits (SHA-1) or 64 (SHA-256 repositories).
pub fn is_commit_hash(text: &str) -> bool {
    (text.len() == 40 || text.len() == 64) && text.bytes().all(|byte| byte.is_ascii_hexdigit())
}

/// Nix's check on branch and tag names: no `..`, no `@{`, no control characters, no trailing `/`
/// or `.lock`, and not starting with `-`.
fn is_valid_ref(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with('-')
        && !text.starts_with('/')
        && !text.ends_with('/')
        && !text.ends_with(".lock")
        && !text.contains("..")
        && !text.contains("@{")
        && !text.contains("//")
        && !text
            .chars()
            .any(|c| c.is_control() || matches!(c, ' ' | '~' | '^' | ':' | '?' | '*' | '[' | '\\'))
}

fn set_ref_or_rev(flake_ref: &mut FlakeRef, value: &str, url: &str) -> Result<(), FlakeRefError> {
    if is_commit_hash(value) {
        flake_ref.rev = Some(value.to_owned());
    } else if is_valid_ref(value) {
        flake_ref.ref_ = Some(value.to_owned());
    } else {
        return error(format!(
            "`{value}` in `{url}` is not a valid branch, tag or commit"
        ));
    }
    Ok(())
}

/// `github:owner/repo[/ref-or-rev][?params]`, and the same for gitlab and sourcehut.
fn parse_forge(kind: FlakeRefKind, rest: &str) -> Result<FlakeRef, FlakeRefError> {
    let written = format!("{}:{rest}", kind.as_str());
    let (path, query) = split_query(rest);
    let segments: Vec<String> = path.split('/').map(percent_decode).collect();
    if segments.len() < 2 || segments[0].is_empty() || segments[1].is_empty() {
        return error(format!("`{written}` needs an owner and a repository"));
    }
    let mut flake_ref = FlakeRef::new(kind);
    flake_ref.owner = Some(segments[0].clone());
    flake_ref.repo = Some(segments[1].clone());
    if segments.len() > 2 {
        // Refs may contain slashes (`github:o/r/feature/x`).
        let rest = segments[2..].join("/");
        if rest.is_empty() {
            return error(format!("`{written}` has an empty branch or commit"));
        }
        set_ref_or_rev(&mut flake_ref, &rest, &written)?;
    }
    for (key, value) in query_pairs(query) {
        match key.as_str() {
            "rev" => {
                if flake_ref.rev.is_some() || flake_ref.ref_.is_some() {
                    return error(format!("`{written}` already names a branch or commit"));
                }
                if !is_commit_hash(&value) {
                    return error(format!("`rev={value}` in `{written}` is not a commit hash"));
                }
                flake_ref.rev = Some(value);
            }
            "ref" => {
                if flake_ref.rev.is_some() || flake_ref.ref_.is_some() {
                    return error(format!("`{written}` already names a branch or commit"));
                }
                if !is_valid_ref(&value) {
                    return error(format!("`ref={value}` in `{written}` is not a valid ref"));
                }
                flake_ref.ref_ = Some(value);
            }
            "host" => flake_ref.host = Some(value),
            "dir" => flake_ref.dir = Some(value),
            "narHash" => {
                flake_ref
                    .extra
                    .insert(key, SourceValue::Str(value.to_owned()));
            }
            _ => return error(format!("`{written}` has the unsupported parameter `{key}`")),
        }
    }
    Ok(flake_ref)
}

/// `path:./x`, `./x`, `/abs`.
fn parse_path(path: &str, query: &str) -> Result<FlakeRef, FlakeRefError> {
    if path.is_empty() {
        return error("`path:` needs a path");
    }
    let mut flake_ref = FlakeRef::new(FlakeRefKind::Path);
    flake_ref.path = Some(path.to_owned());
    for (key, value) in query_pairs(query) {
        match key.as_str() {
            "dir" => flake_ref.dir = Some(value),
            "rev" => flake_ref.rev = Some(value),
            "narHash" => {
                flake_ref.extra.insert(key, SourceValue::Str(value));
            }
            _ if INT_PARAMS.contains(&key.as_str()) => {
                let Ok(number) = value.parse::<i64>() else {
                    return error(format!("`{key}={value}` is not a number"));
                };
                flake_ref.extra.insert(key, SourceValue::Int(number));
            }
            _ => {
                return error(format!(
                    "`path:{path}` has the unsupported parameter `{key}`"
                ))
            }
        }
    }
    Ok(flake_ref)
}

/// Git, Mercurial, tarball and file references: a URL with some parameters made attributes.
fn parse_url_kind(
    kind: FlakeRefKind,
    inner_scheme: &str,
    rest: &str,
) -> Result<FlakeRef, FlakeRefError> {
    let (location, query) = split_query(rest);
    if location.trim_start_matches('/').is_empty() {
        return error(format!("`{inner_scheme}:{rest}` has no location"));
    }
    let mut flake_ref = FlakeRef::new(kind);
    let mut kept: Vec<String> = Vec::new();
    for (key, value) in query_pairs(query) {
        match (kind, key.as_str()) {
            (_, "dir") => flake_ref.dir = Some(value),
            (FlakeRefKind::Git | FlakeRefKind::Mercurial, "ref") => {
                if !is_valid_ref(&value) {
                    return error(format!("`ref={value}` is not a valid ref"));
                }
                flake_ref.ref_ = Some(value);
            }
            (_, "rev") => {
                if !is_commit_hash(&value) {
                    return error(format!("`rev={value}` is not a commit hash"));
                }
                flake_ref.rev = Some(value);
            }
            (_, "narHash") => {
                flake_ref.extra.insert(key, SourceValue::Str(value));
            }
            (_, name) if INT_PARAMS.contains(&name) => {
                let Ok(number) = value.parse::<i64>() else {
                    return error(format!("`{key}={value}` is not a number"));
                };
                flake_ref.extra.insert(key, SourceValue::Int(number));
            }
            (FlakeRefKind::Git, name) if BOOL_PARAMS.contains(&name) => {
                let flag = match value.as_str() {
                    "1" | "true" => true,
                    "0" | "false" => false,
                    _ => return error(format!("`{key}={value}` is not a boolean")),
                };
                flake_ref.extra.insert(key, SourceValue::Bool(flag));
            }
            (FlakeRefKind::Git | FlakeRefKind::Mercurial, _) => {
                return error(format!(
                    "unsupported parameter `{key}` in a {} reference",
                    kind.as_str()
                ))
            }
            // Tarball and file URLs keep the parameters Nix does not consume: the server may need them.
            _ => {
                if value.is_empty() {
                    kept.push(key);
                } else {
                    kept.push(format!("{key}={value}"));
                }
            }
        }
    }
    let mut url = format!("{inner_scheme}:{location}");
    if !kept.is_empty() {
        url.push('?');
        url.push_str(&kept.join("&"));
    }
    flake_ref.url = Some(url);
    Ok(flake_ref)
}

/// `nixpkgs`, `nixpkgs/nixos-24.11`, `nixpkgs/<rev>`, `nixpkgs/<ref>/<rev>`.
fn parse_indirect(text: &str) -> Result<FlakeRef, FlakeRefError> {
    let (path, query) = split_query(text);
    let segments: Vec<&str> = path.split('/').collect();
    let id = segments[0];
    let valid_id = id
        .chars()
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
    if !valid_id {
        return error(format!("`{text}` is not a valid flake reference"));
    }
    let mut flake_ref = FlakeRef::new(FlakeRefKind::Indirect);
    flake_ref.id = Some(id.to_owned());
    match &segments[1..] {
        [] => {}
        [one] => set_ref_or_rev(&mut flake_ref, one, text)?,
        [reference, rev] if is_commit_hash(rev) => {
            if !is_valid_ref(reference) {
                return error(format!("`{reference}` in `{text}` is not a valid ref"));
            }
            flake_ref.ref_ = Some((*reference).to_owned());
            flake_ref.rev = Some((*rev).to_owned());
        }
        _ => return error(format!("`{text}` is not a valid flake reference")),
    }
    for (key, value) in query_pairs(query) {
        match key.as_str() {
            "dir" => flake_ref.dir = Some(value),
            _ => return error(format!("`{text}` has the unsupported parameter `{key}`")),
        }
    }
    Ok(flake_ref)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The original attributes as `key=value` pairs, sorted, for compact assertions.
    fn attrs(text: &str) -> String {
        let flake_ref = FlakeRef::parse(text).unwrap_or_else(|err| panic!("{text}: {err}"));
        flake_ref
            .original_attrs()
            .iter()
            .map(|(key, value)| match value {
                SourceValue::Str(text) => format!("{key}={text}"),
                SourceValue::Int(number) => format!("{key}={number}"),
                SourceValue::Bool(flag) => format!("{key}={flag}"),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn fails(text: &str) -> bool {
        FlakeRef::parse(text).is_err()
    }

    const REV: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn github_references() {
        assert_eq!(
            attrs("github:NixOS/nixpkgs"),
            "owner=NixOS repo=nixpkgs type=github"
        );
        assert_eq!(
            attrs("github:NixOS/nixpkgs/nixos-24.11"),
            "owner=NixOS ref=nixos-24.11 repo=nixpkgs type=github"
        );
        assert_eq!(
            attrs(&format!("github:NixOS/nixpkgs/{REV}")),
            format!("owner=NixOS repo=nixpkgs rev={REV} type=github")
        );
        assert_eq!(
            attrs("github:o/r?ref=feature/x&dir=sub"),
            "dir=sub owner=o ref=feature/x repo=r type=github"
        );
        assert_eq!(
            attrs("github:o/r/feature/x"),
            "owner=o ref=feature/x repo=r type=github"
        );
        assert_eq!(
            attrs("github:o/r?host=github.example.com"),
            "host=github.example.com owner=o repo=r type=github"
        );
        assert_eq!(attrs("github:o/r#packages.x"), "owner=o repo=r type=github");
        assert!(fails("github:o"));
        assert!(fails("github:o/r/main?ref=dev"));
        assert!(fails("github:o/r?rev=main"));
        assert!(fails("github:o/r?bogus=1"));
        assert!(fails("github:o/r/a..b"));
    }

    #[test]
    fn gitlab_and_sourcehut_references() {
        assert_eq!(
            attrs("gitlab:veloren/veloren/master"),
            "owner=veloren ref=master repo=veloren type=gitlab"
        );
        assert_eq!(
            attrs("sourcehut:~sircmpwn/hare?host=git.example.org"),
            "host=git.example.org owner=~sircmpwn repo=hare type=sourcehut"
        );
        assert_eq!(attrs("gitlab:a%2Fb/c"), "owner=a/b repo=c type=gitlab");
    }

    #[test]
    fn git_references() {
        assert_eq!(
            attrs("git+https://github.com/o/r?ref=main&dir=nix"),
            "dir=nix ref=main type=git url=https://github.com/o/r"
        );
        assert_eq!(
            attrs(&format!("git+ssh://git@github.com/o/r.git?rev={REV}")),
            format!("rev={REV} type=git url=ssh://git@github.com/o/r.git")
        );
        assert_eq!(
            attrs("git+file:///home/me/src?submodules=1"),
            "submodules=true type=git url=file:///home/me/src"
        );
        assert_eq!(
            attrs("git+http://example.org/r?shallow=0"),
            "shallow=false type=git url=http://example.org/r"
        );
        assert!(fails("git+https://x/r?rev=abc"));
        assert!(fails("git+https://x/r?submodules=maybe"));
        assert!(fails("git+https://x/r?owner=me"));
    }

    #[test]
    fn path_references() {
        assert_eq!(attrs("./sub"), "path=./sub type=path");
        assert_eq!(attrs("/abs/dir"), "path=/abs/dir type=path");
        assert_eq!(attrs("path:./x?dir=y"), "dir=y path=./x type=path");
        assert_eq!(
            attrs("path:/nix/store/abc"),
            "path=/nix/store/abc type=path"
        );
        assert!(fails("path:"));
    }

    #[test]
    fn tarball_and_file_references() {
        assert_eq!(
            attrs("https://flakehub.com/f/NixOS/nixpkgs/0.1.tar.gz"),
            "type=tarball url=https://flakehub.com/f/NixOS/nixpkgs/0.1.tar.gz"
        );
        assert_eq!(
            attrs("tarball+https://example.org/download?id=3"),
            "type=tarball url=https://example.org/download?id=3"
        );
        assert_eq!(
            attrs("file+https://example.org/x.tar.gz"),
            "type=file url=https://example.org/x.tar.gz"
        );
        assert_eq!(
            attrs("https://example.org/data.json"),
            "type=file url=https://example.org/data.json"
        );
        assert_eq!(
            attrs("https://example.org/x.zip?dir=sub"),
            "dir=sub type=tarball url=https://example.org/x.zip"
        );
    }

    #[test]
    fn indirect_references() {
        assert_eq!(attrs("nixpkgs"), "id=nixpkgs type=indirect");
        assert_eq!(
            attrs("nixpkgs/nixos-24.05"),
            "id=nixpkgs ref=nixos-24.05 type=indirect"
        );
        assert_eq!(
            attrs("flake:nixpkgs/nixos-24.05"),
            "id=nixpkgs ref=nixos-24.05 type=indirect"
        );
        assert_eq!(
            attrs(&format!("nixpkgs/nixos-24.05/{REV}")),
            format!("id=nixpkgs ref=nixos-24.05 rev={REV} type=indirect")
        );
        assert_eq!(attrs("flake-utils"), "id=flake-utils type=indirect");
        assert!(FlakeRef::parse("nixpkgs").is_ok_and(|r| r.is_indirect()));
        assert!(fails("nix pkgs"));
        assert!(fails("1nixpkgs"));
        assert!(fails("unknown-scheme+x:y"));
        assert!(fails(""));
    }

    #[test]
    fn mercurial_references() {
        assert_eq!(
            attrs("hg+https://hg.example.org/r?ref=default"),
            "ref=default type=hg url=https://hg.example.org/r"
        );
    }

    #[test]
    fn attribute_form() {
        let input = |pairs: &[(&str, &str)]| {
            let attrs: Vec<(String, SourceValue)> = pairs
                .iter()
                .map(|(key, value)| ((*key).to_owned(), SourceValue::Str((*value).to_owned())))
                .collect();
            FlakeRef::from_attrs(&attrs)
        };
        let parsed = input(&[
            ("type", "github"),
            ("owner", "NixOS"),
            ("repo", "nixpkgs"),
            ("ref", "nixos-24.11"),
        ])
        .expect("valid");
        assert_eq!(
            parsed,
            FlakeRef::parse("github:NixOS/nixpkgs/nixos-24.11").expect("valid")
        );
        assert!(parsed.is_github_nixpkgs());
        assert!(input(&[("type", "github"), ("owner", "NixOS")]).is_err());
        assert!(input(&[("owner", "NixOS")]).is_err());
        assert!(input(&[("type", "svn")]).is_err());
        let git = input(&[("type", "git"), ("url", "https://x/r"), ("ref", "main")]).expect("git");
        assert_eq!(
            git,
            FlakeRef::parse("git+https://x/r?ref=main").expect("valid")
        );
    }

    #[test]
    fn percent_decoding_stops_at_the_end() {
        assert_eq!(percent_decode("a%2Fb%"), "a/b%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
