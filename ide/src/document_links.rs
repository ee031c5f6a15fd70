//! Links in a file: path literals (the caller checks that they exist), URLs, and flake
//! references to forges (`github:o/r/ref`) as the web pages of their repositories.

use lints::flake::flakeref::{FlakeRef, FlakeRefKind};
use syntax::{SyntaxKind, SyntaxNode, SyntaxToken, TextRange, TextSize};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkTarget {
    /// A path as written: relative to the file's folder (`./a.nix`, `../b`) or absolute.
    Path(String),
    Url(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub range: TextRange,
    pub target: LinkTarget,
}

/// Every link in the file, in text order.
pub fn document_links(root: &SyntaxNode) -> Vec<Link> {
    let mut acc = Vec::new();
    for token in root
        .descendants_with_tokens()
        .filter_map(|element| element.into_token())
    {
        match token.kind() {
            SyntaxKind::TOKEN_PATH_ABS | SyntaxKind::TOKEN_PATH_REL => path_link(&token, &mut acc),
            SyntaxKind::TOKEN_URI => {
                let text = token.text();
                if text.starts_with("https://") || text.starts_with("http://") {
                    acc.push(Link {
                        range: token.text_range(),
                        target: LinkTarget::Url(text.to_owned()),
                    });
                }
            }
            SyntaxKind::TOKEN_STRING_CONTENT => string_links(&token, &mut acc),
            _ => {}
        }
    }
    acc
}

/// A path without interpolation: the path node holds this one token.
fn path_link(token: &SyntaxToken, acc: &mut Vec<Link>) {
    let whole = token
        .parent()
        .is_some_and(|path| path.text_range() == token.text_range());
    if whole {
        acc.push(Link {
            range: token.text_range(),
            target: LinkTarget::Path(token.text().to_owned()),
        });
    }
}

fn string_links(token: &SyntaxToken, acc: &mut Vec<Link>) {
    let text = token.text();
    let start = token.text_range().start();
    let whole_string = token.prev_token().map(|t| t.kind()) == Some(SyntaxKind::TOKEN_STRING_START)
        && token.next_token().map(|t| t.kind()) == Some(SyntaxKind::TOKEN_STRING_END);
    if whole_string {
        if let Some(url) = forge_page(text) {
            acc.push(Link {
                range: token.text_range(),
                target: LinkTarget::Url(url),
            });
            return;
        }
    }
    let mut rest = 0;
    while let Some(found) = find_url(&text[rest..]) {
        let (from, to) = (rest + found.0, rest + found.1);
        acc.push(Link {
            range: TextRange::new(
                start + TextSize::from(from as u32),
                start + TextSize::from(to as u32),
            ),
            target: LinkTarget::Url(text[from..to].to_owned()),
        });
        rest = to;
    }
}

/// The next `http(s)://…` in `text` as a byte span, without trailing punctuation.
fn find_url(text: &str) -> Option<(usize, usize)> {
    let start = ["https://", "http://"]
        .iter()
        .filter_map(|scheme| text.find(scheme))
        .min()?;
    let length = text[start..]
        .find(|ch: char| ch.is_whitespace() || matches!(ch, '"' | '\'' | '<' | '>' | '`' | '$'))
        .unwrap_or(text.len() - start);
    let url = text[start..start + length].trim_end_matches(['.', ',', ';', ':', ')', ']', '}']);
    (url.len() > "https://".len()).then_some((start, start + url.len()))
}

/// The web page of a `github:`, `gitlab:` or `sourcehut:` flake reference.
fn forge_page(text: &str) -> Option<String> {
    if !["github:", "gitlab:", "sourcehut:"]
        .iter()
        .any(|scheme| text.starts_with(scheme))
    {
        return None;
    }
    let flake = FlakeRef::parse(text).ok()?;
    let owner = flake.owner.as_deref()?;
    let repo = flake.repo.as_deref()?;
    let at = flake.rev.as_deref().or(flake.ref_.as_deref());
    let (default_host, tree) = match flake.kind {
        FlakeRefKind::Github => ("github.com", "/tree/"),
        FlakeRefKind::Gitlab => ("gitlab.com", "/-/tree/"),
        FlakeRefKind::Sourcehut => ("git.sr.ht", "/tree/"),
        _ => return None,
    };
    let host = flake.host.as_deref().unwrap_or(default_host);
    let mut url = format!("https://{host}/{owner}/{repo}");
    if let Some(at) = at {
        url.push_str(tree);
        url.push_str(at);
    }
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(text: &str) -> Vec<(String, LinkTarget)> {
        let root = syntax::parse(text).root();
        document_links(&root)
            .into_iter()
            .map(|link| (text[link.range].to_owned(), link.target))
            .collect()
    }

    fn url(text: &str) -> LinkTarget {
        LinkTarget::Url(text.to_owned())
    }

    #[test]
    fn paths_without_interpolation() {
        assert_eq!(
            links("[ ./a.nix ../b /etc/c ./d/${x} <nixpkgs> ~/e ]"),
            [
                ("./a.nix".to_owned(), LinkTarget::Path("./a.nix".to_owned())),
                ("../b".to_owned(), LinkTarget::Path("../b".to_owned())),
                ("/etc/c".to_owned(), LinkTarget::Path("/etc/c".to_owned())),
            ]
        );
    }

    #[test]
    fn urls_in_strings_and_bare() {
        assert_eq!(
            links(
                r#"{ a = "see https://nixos.org/manual. and http://x.org/y)"; b = https://example.com/z; c = ''
  # https://github.com/o/r/issues/1
''; }"#
            ),
            [
                (
                    "https://nixos.org/manual".to_owned(),
                    url("https://nixos.org/manual")
                ),
                ("http://x.org/y".to_owned(), url("http://x.org/y")),
                (
                    "https://example.com/z".to_owned(),
                    url("https://example.com/z")
                ),
                (
                    "https://github.com/o/r/issues/1".to_owned(),
                    url("https://github.com/o/r/issues/1")
                ),
            ]
        );
    }

    #[test]
    fn forge_flake_references_link_to_their_pages() {
        assert_eq!(
            links(
                r#"{
  a.url = "github:NixOS/nixpkgs/nixos-24.05";
  b.url = "gitlab:o/r";
  c.url = "sourcehut:~me/r/main";
  d.url = "github:o/r?host=git.example.org";
  e.url = "nixpkgs";
  f.url = "github:${x}/r";
}"#
            ),
            [
                (
                    "github:NixOS/nixpkgs/nixos-24.05".to_owned(),
                    url("https://github.com/NixOS/nixpkgs/tree/nixos-24.05")
                ),
                ("gitlab:o/r".to_owned(), url("https://gitlab.com/o/r")),
                (
                    "sourcehut:~me/r/main".to_owned(),
                    url("https://git.sr.ht/~me/r/tree/main")
                ),
                (
                    "github:o/r?host=git.example.org".to_owned(),
                    url("https://git.example.org/o/r")
                ),
            ]
        );
    }
}
