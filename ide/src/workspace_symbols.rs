//! Symbols of many files for a search across the workspace: each file's outline flattened to the
//! names worth finding, and a fuzzy ranking of names against what the user typed.

use syntax::TextRange;

use crate::document_symbols::{DocumentSymbol, Origin, SymbolKind};

/// One definition that a workspace search can find.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlatSymbol {
    pub name: String,
    pub kind: SymbolKind,
    /// The dotted path of the enclosing symbols (`services.nginx`), if any.
    pub container: Option<String>,
    /// The name where it is defined.
    pub range: TextRange,
}

/// The definitions of a file's outline: parameters and inherited names are left out, since they
/// refer to definitions elsewhere and would bury them under thousands of `pkgs` and `lib`.
pub fn flatten(symbols: &[DocumentSymbol]) -> Vec<FlatSymbol> {
    let mut acc = Vec::new();
    let mut path = String::new();
    flatten_into(symbols, &mut path, &mut acc);
    acc
}

fn flatten_into(symbols: &[DocumentSymbol], path: &mut String, acc: &mut Vec<FlatSymbol>) {
    for symbol in symbols {
        if matches!(symbol.origin, Origin::Parameter | Origin::Inherit) {
            continue;
        }
        acc.push(FlatSymbol {
            name: symbol.name.clone(),
            kind: symbol.kind,
            container: (!path.is_empty()).then(|| path.clone()),
            range: symbol.selection_range,
        });
        if !symbol.children.is_empty() {
            let length = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&symbol.name);
            flatten_into(&symbol.children, path, acc);
            path.truncate(length);
        }
    }
}

/// How well `name` matches `query`, lower is better: an exact match, then a prefix, then a
/// substring, then the query's characters in order with as few gaps as possible. Case is ignored
/// except that an exact match in case wins. `None` when the characters are not all there.
pub fn match_score(query: &str, name: &str) -> Option<u32> {
    if query.is_empty() {
        return Some(0);
    }
    if name == query {
        return Some(0);
    }
    if name.len() == query.len() && name.eq_ignore_ascii_case(query) {
        return Some(1);
    }
    if let Some(at) = find_ignore_case(name, query) {
        return Some(if at == 0 { 2 } else { 3 });
    }
    // In order, ignoring case; each gap between matched characters costs one.
    let mut wanted = query.chars().map(fold_case).peekable();
    let mut gaps = 0u32;
    let mut in_gap = false;
    for ch in name.chars() {
        match wanted.peek() {
            Some(&next) if next == fold_case(ch) => {
                wanted.next();
                in_gap = false;
            }
            Some(_) => {
                if !in_gap {
                    gaps += 1;
                    in_gap = true;
                }
            }
            None => break,
        }
    }
    wanted.peek().is_none().then_some(4 + gaps)
}

/// The best `limit` items by [`match_score`] of their names, best first; ties go to the shorter
/// name, then to the order given.
pub fn rank<'a, T>(
    query: &str,
    items: impl IntoIterator<Item = (&'a str, T)>,
    limit: usize,
) -> Vec<T> {
    let mut scored: Vec<(u32, usize, usize, T)> = items
        .into_iter()
        .enumerate()
        .filter_map(|(position, (name, item))| {
            match_score(query, name).map(|score| (score, name.len(), position, item))
        })
        .collect();
    if scored.len() > limit {
        scored.select_nth_unstable_by_key(limit, |(score, length, position, _)| {
            (*score, *length, *position)
        });
        scored.truncate(limit);
    }
    scored.sort_unstable_by_key(|(score, length, position, _)| (*score, *length, *position));
    scored.into_iter().map(|(_, _, _, item)| item).collect()
}

fn fold_case(ch: char) -> char {
    if ch.is_ascii() {
        ch.to_ascii_lowercase()
    } else {
        ch
    }
}

/// The byte offset of `needle` in `haystack`, ignoring ASCII case, without allocating.
fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    let hay = haystack.as_bytes();
    let wanted = needle.as_bytes();
    if wanted.len() > hay.len() {
        return None;
    }
    (0..=hay.len() - wanted.len())
        .find(|&start| hay[start..start + wanted.len()].eq_ignore_ascii_case(wanted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document_symbols::document_symbols;

    fn flat(text: &str) -> Vec<String> {
        let root = syntax::parse(text).root();
        flatten(&document_symbols(&root))
            .into_iter()
            .map(|symbol| match symbol.container {
                Some(container) => {
                    format!("{container} > {} [{}]", symbol.name, &text[symbol.range])
                }
                None => format!("{} [{}]", symbol.name, &text[symbol.range]),
            })
            .collect()
    }

    #[test]
    fn definitions_with_their_containers() {
        assert_eq!(
            flat("{ pkgs }: let inherit (pkgs) lib; x = 1; in { a.b = { c = 2; }; d = x; }"),
            ["x [x]", "a [a]", "a > b [b]", "a.b > c [c]", "d [d]"]
        );
    }

    #[test]
    fn scores_order_exact_prefix_substring_then_fuzzy() {
        assert_eq!(match_score("hello", "hello"), Some(0));
        assert_eq!(match_score("hello", "Hello"), Some(1));
        assert_eq!(match_score("hel", "hello"), Some(2));
        assert_eq!(match_score("ell", "hello"), Some(3));
        // Two gaps: `e` and the second `l`.
        assert_eq!(match_score("hlo", "hello"), Some(6));
        assert_eq!(match_score("pyP", "python3Packages"), Some(5));
        assert_eq!(match_score("xyz", "hello"), None);
        assert_eq!(match_score("helloo", "hello"), None);
        assert_eq!(match_score("", "anything"), Some(0));
    }

    #[test]
    fn rank_keeps_the_best_in_order() {
        let names = ["python3Packages", "python3", "py", "hello", "ruby"];
        let ranked = rank("py", names.iter().map(|name| (*name, *name)), 2);
        assert_eq!(ranked, ["py", "python3"]);
        let fuzzy = rank("pyP", names.iter().map(|name| (*name, *name)), 10);
        assert_eq!(fuzzy, ["python3Packages"]);
    }
}
