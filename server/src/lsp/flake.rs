//! A flake's two files in the editor: flake.nix and the flake.lock beside it are checked together,
//! whichever of them is open, and flake.lock is read from disk when it is not.
//!
//! The lock's diagnostics are published while flake.nix or flake.lock is open in the editor, and
//! cleared once neither is: they are part of the open flake's analysis, not of a workspace scan.

use std::path::Path;
use std::sync::Arc;

use syntax::LineIndex;
use tower_lsp_server::ls_types as lsp;

use super::convert::LockCommand;
use super::documents::file_path;

pub const FLAKE_NIX: &str = "flake.nix";
pub const FLAKE_LOCK: &str = "flake.lock";

/// What a document is to a flake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    FlakeNix,
    FlakeLock,
    Other,
}

pub fn role(uri: &lsp::Uri) -> Role {
    let path = uri.path().as_str();
    match path.rsplit('/').next() {
        Some(FLAKE_NIX) if path.contains('/') => Role::FlakeNix,
        Some(FLAKE_LOCK) if path.contains('/') => Role::FlakeLock,
        _ => Role::Other,
    }
}

/// flake.lock for flake.nix and the other way round, spelled as the client spells the URI.
pub fn sibling(uri: &lsp::Uri) -> Option<lsp::Uri> {
    let (from, to) = match role(uri) {
        Role::FlakeNix => (FLAKE_NIX, FLAKE_LOCK),
        Role::FlakeLock => (FLAKE_LOCK, FLAKE_NIX),
        Role::Other => return None,
    };
    let text = uri.as_str();
    let folder = text.strip_suffix(from)?;
    format!("{folder}{to}").parse().ok()
}

/// The document whose analysis covers `uri`: flake.nix for its flake.lock, else `uri` itself.
pub fn analysis_key(uri: &lsp::Uri) -> lsp::Uri {
    match role(uri) {
        Role::FlakeLock => sibling(uri).unwrap_or_else(|| uri.clone()),
        _ => uri.clone(),
    }
}

/// The text of a file on disk; `None` when it does not exist or cannot be read.
pub fn read_from_disk(uri: &lsp::Uri) -> Option<Arc<str>> {
    let path = file_path(uri)?;
    read_path(&path)
}

fn read_path(path: &Path) -> Option<Arc<str>> {
    match std::fs::read(path) {
        // A lock that is not UTF-8 is still worth a diagnostic rather than silence.
        Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => {
            tracing::warn!("cannot read {}: {error}", path.display());
            None
        }
    }
}

/// Now in seconds since 1970, for the age of locked inputs when no reference date is configured.
pub fn now() -> Option<i64> {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    i64::try_from(since.as_secs()).ok()
}

/// The lock findings that `nix flake update <input>` addresses; the others call for a relock.
const UPDATE_LINTS: [&str; 1] = ["nixpkgs-outdated"];

/// The `nix` command that addresses a lock finding. `input` is the flake.nix input it was mirrored
/// onto, if any; without one the input named first in the message is used.
pub fn command_for(diagnostic: &lints::Diagnostic, input: Option<&str>) -> LockCommand {
    if !UPDATE_LINTS.contains(&diagnostic.name) {
        return LockCommand { input: None };
    }
    let input = input
        .filter(|name| is_input_name(name))
        .map(str::to_owned)
        .or_else(|| first_quoted(&diagnostic.message).filter(|name| is_input_name(name)));
    LockCommand { input }
}

/// The text of the mirror of a lock finding in flake.nix: the input name it sits on.
pub fn mirrored_input<'a>(
    lock_finding: &lints::Diagnostic,
    flake_findings: &[lints::Diagnostic],
    flake_text: Option<&'a str>,
) -> Option<&'a str> {
    let text = flake_text?;
    let mirror_message = format!("{} (flake.lock)", lock_finding.message);
    let mirror = flake_findings
        .iter()
        .find(|found| found.name == lock_finding.name && found.message == mirror_message)?;
    text.get(std::ops::Range::<usize>::from(mirror.range))
}

/// The first name in backticks in a message.
fn first_quoted(message: &str) -> Option<String> {
    let (_, rest) = message.split_once('`')?;
    let (name, _) = rest.split_once('`')?;
    Some(name.to_owned())
}

/// Whether `name` can be handed to `nix flake update` as an input name: a plain identifier, so
/// that a name taken from a file can never be read as an option.
pub fn is_input_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphanumeric() || first == '_')
        && chars.all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '_' | '-' | '\''))
}

/// A text with its line index, for converting ranges.
pub struct Indexed {
    pub text: Arc<str>,
    pub index: Arc<LineIndex>,
}

impl Indexed {
    pub fn new(text: Arc<str>) -> Indexed {
        let index = Arc::new(LineIndex::new(&text));
        Indexed { text, index }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(text: &str) -> lsp::Uri {
        text.parse().expect("a valid URI")
    }

    #[test]
    fn roles_and_siblings_keep_the_client_spelling() {
        let nix = uri("file:///c%3A/my%20flake/flake.nix");
        assert_eq!(role(&nix), Role::FlakeNix);
        let lock = sibling(&nix).expect("a sibling");
        assert_eq!(lock.as_str(), "file:///c%3A/my%20flake/flake.lock");
        assert_eq!(role(&lock), Role::FlakeLock);
        assert_eq!(sibling(&lock), Some(nix.clone()));
        assert_eq!(analysis_key(&lock), nix);
        assert_eq!(analysis_key(&nix), nix);
        assert_eq!(role(&uri("file:///a/notflake.nix")), Role::Other);
        assert_eq!(role(&uri("file:///a/flake.lock.bak")), Role::Other);
        assert_eq!(sibling(&uri("file:///a/default.nix")), None);
    }

    #[test]
    fn only_plain_names_become_arguments() {
        assert!(is_input_name("nixpkgs"));
        assert!(is_input_name("nixpkgs-unstable_2"));
        assert!(!is_input_name("--commit-lock-file"));
        assert!(!is_input_name("-x"));
        assert!(!is_input_name("a b"));
        assert!(!is_input_name(""));
        assert_eq!(
            first_quoted("`nixpkgs` was last updated").as_deref(),
            Some("nixpkgs")
        );
        assert_eq!(first_quoted("no name"), None);
    }
}
