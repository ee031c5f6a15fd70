//! Incremental re-parsing: the tree of a text after one edit, built from the tree before it.
//!
//! Two cheap paths are tried before a full parse, each only when it is sure to give the tree a
//! full parse would give:
//! - an edit inside one identifier, number, comment or whitespace token re-lexes that token alone;
//! - otherwise the entries of the innermost attribute set, `let` or list around the edit that the
//!   edit touches are parsed alone and spliced into the old tree, so every other subtree is kept.
//!
//! Syntax errors do not stop the second path as long as they stay in the entries parsed again:
//! those entries are parsed with the entries after them until one comes out as before, which
//! shows that rnix's recovery ends where it ended before. Errors that depend on the whole
//! file (the end reached while more was expected, nesting too deep) always mean a full parse.

use rnix::{SyntaxKind, SyntaxNode, SyntaxToken, TextRange, TextSize};
use rowan::{GreenNode, GreenToken, NodeOrToken};

use crate::{parse, Parse, SyntaxError, TextEdit};

/// How many enclosing blocks are tried before giving up and parsing the whole text.
const MAX_BLOCK_ATTEMPTS: usize = 4;

/// Nesting, counted in tree levels, past which a spliced fragment could reach the parser's depth
/// limit or the whole-file nesting limit; such edits are parsed in full.
const MAX_SPLICE_DEPTH: usize = 256;

/// How many entries after a run with syntax errors are parsed with it, to find one the errors
/// left as it was.
const MAX_ENTRIES_AFTER: usize = 3;

/// Which path a re-parse took, for tests and benchmarks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reparse {
    /// One token was re-lexed.
    Token,
    /// Part of one block was re-parsed and spliced in.
    Block,
    /// The whole text was parsed.
    Full,
}

/// The parse of `new_text`, which must be the text of `old` with `edit` applied. Equal to
/// `parse(new_text)`, errors included, and usually much cheaper.
pub fn reparse(old: &Parse, edit: &TextEdit, new_text: &str) -> (Parse, Reparse) {
    match try_reparse(old, edit, new_text) {
        Some((parse, how)) => (parse, how),
        None => (parse(new_text), Reparse::Full),
    }
}

/// The one edit that turns `old` into `new`: what lies between their common prefix and suffix.
pub fn diff(old: &str, new: &str) -> TextEdit {
    let prefix = common_prefix(old.as_bytes(), new.as_bytes());
    let rest = old.len().min(new.len()) - prefix;
    let suffix = common_suffix(&old.as_bytes()[prefix..], &new.as_bytes()[prefix..]).min(rest);
    let mut start = prefix;
    let mut old_end = old.len() - suffix;
    let mut new_end = new.len() - suffix;
    // Both texts are UTF-8 and equal outside the edit, so widening to character boundaries keeps
    // the edit's ends on the same characters in both.
    while !old.is_char_boundary(start) || !new.is_char_boundary(start) {
        start -= 1;
    }
    while !old.is_char_boundary(old_end) || !new.is_char_boundary(new_end) {
        old_end += 1;
        new_end += 1;
    }
    TextEdit {
        range: TextRange::new(to_size(start), to_size(old_end)),
        new_text: new[start..new_end].to_owned(),
    }
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    // Comparing in chunks lets the slice comparison use `memcmp`.
    const CHUNK: usize = 128;
    let mut offset = 0;
    let shortest = a.len().min(b.len());
    while offset + CHUNK <= shortest && a[offset..offset + CHUNK] == b[offset..offset + CHUNK] {
        offset += CHUNK;
    }
    while offset < shortest && a[offset] == b[offset] {
        offset += 1;
    }
    offset
}

fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const CHUNK: usize = 128;
    let shortest = a.len().min(b.len());
    let mut count = 0;
    while count + CHUNK <= shortest
        && a[a.len() - count - CHUNK..a.len() - count]
            == b[b.len() - count - CHUNK..b.len() - count]
    {
        count += CHUNK;
    }
    while count < shortest && a[a.len() - count - 1] == b[b.len() - count - 1] {
        count += 1;
    }
    count
}

fn to_size(offset: usize) -> TextSize {
    TextSize::try_from(offset).unwrap_or(TextSize::from(u32::MAX))
}

/// The incremental paths alone: `None` when neither is sure to match a full parse.
pub fn try_reparse(old: &Parse, edit: &TextEdit, new_text: &str) -> Option<(Parse, Reparse)> {
    if old.truncated || old.reached_end {
        return None;
    }
    let old_len = old.green.text_len();
    let edit_len = TextSize::of(edit.new_text.as_str());
    if edit.range.end() > old_len || old_len - edit.range.len() + edit_len != TextSize::of(new_text)
    {
        return None;
    }
    let root = SyntaxNode::new_root(old.green.clone());
    let token = if old.errors.is_empty() {
        reparse_token(&root, edit)
    } else {
        None
    };
    let (green, errors, how) = match token {
        Some(green) => (green, Vec::new(), Reparse::Token),
        None => {
            let (green, errors) = reparse_block(&root, edit, new_text, &old.errors)?;
            (green, errors, Reparse::Block)
        }
    };
    if green.text_len() != TextSize::of(new_text) {
        return None;
    }
    Some((
        Parse {
            green,
            errors,
            truncated: false,
            reached_end: false,
        },
        how,
    ))
}

fn reparse_token(root: &SyntaxNode, edit: &TextEdit) -> Option<GreenNode> {
    let candidates = match root.token_at_offset(edit.range.start()) {
        rowan::TokenAtOffset::None => return None,
        rowan::TokenAtOffset::Single(token) => [Some(token), None],
        rowan::TokenAtOffset::Between(left, right) => [Some(left), Some(right)],
    };
    candidates
        .into_iter()
        .flatten()
        .find_map(|token| relex_token(&token, edit))
}

fn relex_token(token: &SyntaxToken, edit: &TextEdit) -> Option<GreenNode> {
    use SyntaxKind::*;
    let kind = token.kind();
    if !matches!(
        kind,
        TOKEN_WHITESPACE | TOKEN_COMMENT | TOKEN_IDENT | TOKEN_INTEGER | TOKEN_FLOAT
    ) {
        return None;
    }
    let range = token.text_range();
    if !range.contains_range(edit.range) {
        return None;
    }
    let relative = edit.range - range.start();
    let old_text = token.text();
    // The parser reads `or` as a name in some places and `__curPos` as a position: the tree's
    // kind is then not the lexer's, or the name itself decides the node.
    if !lexes_as(old_text, &[(kind, old_text.len())]) || old_text == "__curPos" {
        return None;
    }
    let mut new_text = String::with_capacity(old_text.len() + edit.new_text.len());
    new_text.push_str(old_text.get(..usize::from(relative.start()))?);
    new_text.push_str(&edit.new_text);
    new_text.push_str(old_text.get(usize::from(relative.end())..)?);
    if new_text.is_empty() || new_text == "__curPos" {
        return None;
    }
    // The new token must lex alone to one token of the same kind, and must not merge with or
    // change its neighbours: lexing it between them has to give back the same tokens.
    let before = neighbours(token.prev_token(), false)?;
    let after = neighbours(token.next_token(), true)?;
    let mut window = String::new();
    let mut expected: Vec<(SyntaxKind, usize)> = Vec::with_capacity(before.len() + after.len() + 1);
    for (kind, text) in before
        .iter()
        .rev()
        .map(|token| (token.kind(), token.text()))
        .chain(std::iter::once((kind, new_text.as_str())))
        .chain(after.iter().map(|token| (token.kind(), token.text())))
    {
        window.push_str(text);
        expected.push((kind, text.len()));
    }
    if !lexes_as(&window, &expected) {
        return None;
    }
    let green = GreenToken::new(rowan::SyntaxKind(kind as u16), &new_text);
    Some(token.replace_with(green))
}

/// The tokens on one side of an edited stretch that lexing it could merge with, nearest first:
/// a URI or path can swallow several tokens, so all of them up to the nearest whitespace or
/// comment, after which the lexer starts afresh. `None` past a bound.
fn neighbours(mut token: Option<SyntaxToken>, forward: bool) -> Option<Vec<SyntaxToken>> {
    const MAX_NEIGHBOURS: usize = 16;
    let mut found = Vec::new();
    while let Some(current) = token {
        let trivia = current.kind().is_trivia();
        token = if forward {
            current.next_token()
        } else {
            current.prev_token()
        };
        found.push(current);
        if trivia {
            break;
        }
        if found.len() == MAX_NEIGHBOURS {
            return None;
        }
    }
    Some(found)
}

/// Whether `text` lexes to exactly the tokens `expected` (kind and length of each).
fn lexes_as(text: &str, expected: &[(SyntaxKind, usize)]) -> bool {
    let mut tokens = rnix::tokenize(text);
    for &(kind, len) in expected {
        match tokens.next() {
            Some((got, token_text)) if got == kind && token_text.len() == len => {}
            _ => return false,
        }
    }
    tokens.next().is_none()
}

/// The kinds of block whose entries can be re-parsed alone, with the tokens that open and close
/// their entries and the brackets that wrap the entries to parse them alone.
fn block_shape(kind: SyntaxKind) -> Option<(SyntaxKind, SyntaxKind, &'static str, &'static str)> {
    use SyntaxKind::*;
    match kind {
        NODE_ATTR_SET => Some((TOKEN_L_BRACE, TOKEN_R_BRACE, "{", "}")),
        NODE_LET_IN => Some((TOKEN_LET, TOKEN_IN, "{", "}")),
        NODE_LIST => Some((TOKEN_L_BRACK, TOKEN_R_BRACK, "[", "]")),
        _ => None,
    }
}

fn reparse_block(
    root: &SyntaxNode,
    edit: &TextEdit,
    new_text: &str,
    old_errors: &[SyntaxError],
) -> Option<(GreenNode, Vec<SyntaxError>)> {
    let mut node = match root.covering_element(edit.range) {
        NodeOrToken::Node(node) => node,
        NodeOrToken::Token(token) => token.parent()?,
    };
    let mut attempts = 0;
    loop {
        if block_shape(node.kind()).is_some() {
            if let Some(reparsed) = reparse_entries(&node, edit, new_text, old_errors) {
                return Some(reparsed);
            }
            attempts += 1;
            if attempts == MAX_BLOCK_ATTEMPTS {
                return None;
            }
        }
        node = node.parent()?;
    }
}

/// Re-parses the entries of `block` that the edit touches, with the errors of the new tree. Every
/// error of the old tree must lie in those entries, since the others are kept as they are.
///
/// When the entries parse with errors, rnix's recovery may read on into the entries after them,
/// so those are parsed with them, one more at a time, until one comes out as it was: the parser
/// is then at the start of that entry in the state it was in before, and parses everything after
/// it as before. It never looks more than one token past the one it is at, so what it did before
/// that entry cannot depend on what comes after it.
fn reparse_entries(
    block: &SyntaxNode,
    edit: &TextEdit,
    new_text: &str,
    old_errors: &[SyntaxError],
) -> Option<(GreenNode, Vec<SyntaxError>)> {
    use SyntaxKind::*;
    let (open_kind, close_kind, _, _) = block_shape(block.kind())?;
    let children = children_of(block);
    let open = children.iter().position(|child| child.kind == open_kind)?;
    let close = open
        + 1
        + children[open + 1..]
            .iter()
            .position(|child| child.kind == close_kind)?;
    let interior = TextRange::new(children[open].range.end(), children[close].range.start());
    if !interior.contains_range(edit.range) {
        return None;
    }
    // An attribute set right before `:` or around `@` would be a lambda's pattern.
    if block.kind() == NODE_ATTR_SET {
        let beside = [
            non_trivia(block.last_token()?.next_token(), true),
            non_trivia(block.first_token()?.prev_token(), false),
        ];
        if beside
            .iter()
            .flatten()
            .any(|token| matches!(token.kind(), TOKEN_COLON | TOKEN_AT))
        {
            return None;
        }
    }
    // The entries the edit touches, ends included, since tokens on either side could merge.
    let touched: Vec<usize> = (open + 1..close)
        .filter(|&index| {
            let range = children[index].range;
            range.start() <= edit.range.end() && edit.range.start() <= range.end()
        })
        .collect();
    let (first, last) = match (touched.first(), touched.last()) {
        (Some(&first), Some(&last)) => (first, last + 1),
        // An empty interior: the edit goes between the brackets.
        _ => (open + 1, open + 1),
    };
    let run = Run {
        block,
        children: &children,
        open,
        close,
        first,
        last,
    };
    let old_run = run.old_range(edit);
    if !old_errors
        .iter()
        .all(|error| old_run.contains_range(error.range))
    {
        return None;
    }
    let parsed = run.parse(edit, new_text);
    if block.kind() == NODE_LIST {
        // A function in a list takes all the items after it as its body's arguments, up to `]`.
        let parsed = parsed?;
        let lambda_before = (open + 1..first)
            .rev()
            .find(|&index| children[index].node)
            .is_some_and(|index| children[index].kind == NODE_LAMBDA);
        let lambda_last = parsed
            .fragment
            .children()
            .last()
            .is_some_and(|item| item.kind() == NODE_LAMBDA);
        let item_after = (last..close).any(|index| children[index].node);
        // Only entries that end with `;` are parsed in part with errors.
        if lambda_before || (lambda_last && item_after) || !parsed.errors.is_empty() {
            return None;
        }
        return run.splice(&parsed, Vec::new());
    }
    if let Some(parsed) = &parsed {
        if parsed.errors.is_empty() {
            return run.splice(parsed, Vec::new());
        }
    }

    if block.kind() == NODE_LET_IN {
        // `let {` is the old form of `let`: an entry before the run keeps that out of question.
        let entry_before = (open + 1..first).any(|index| children[index].node);
        if !entry_before {
            return None;
        }
    }
    // Recovery often makes an error part of the entry after it, so a few entries are tried.
    let (mut run, mut parsed) = (run, parsed);
    let mut checked_next = None;
    for _ in 0..MAX_ENTRIES_AFTER {
        let Some(next) = (run.last..close).find(|&index| children[index].node) else {
            break;
        };
        run = Run {
            last: next + 1,
            ..run
        };
        let extended = run.parse(edit, new_text)?;
        let green = extended.fragment.green();
        let count = green.children().len();
        let reparsed_next = green.children().nth(count.checked_sub(2)?)?;
        let old_next = block.green().children().nth(next)?.into_node()?.to_owned();
        let same = reparsed_next.as_node().copied() == Some(&*old_next);
        parsed = Some(extended);
        if same {
            checked_next = Some(next);
            break;
        }
    }
    let parsed = parsed?;
    // Without an entry parsed as before, the run must reach the closing bracket, which must be
    // the one around the fragment: a `let` ends at `in`.
    let reaches_close = (run.last..close).all(|index| !children[index].node);
    if checked_next.is_none() && (!reaches_close || block.kind() == NODE_LET_IN) {
        return None;
    }
    // At the start of an entry `in` ends a `let`, but only a set's `}` ends the fragment.
    if block.kind() == NODE_LET_IN
        && parsed.fragment.children().any(|entry| {
            entry
                .first_token()
                .is_some_and(|token| token.kind() == TOKEN_IN)
        })
    {
        return None;
    }
    // Unbalanced braces in the run would change how the lexer reads the text after it inside an
    // interpolation, which lexing the run beside its neighbours cannot show.
    let mut depth = 0i64;
    for token in parsed.run_tokens() {
        match token.kind() {
            TOKEN_L_BRACE | TOKEN_INTERPOL_START => depth += 1,
            TOKEN_R_BRACE | TOKEN_INTERPOL_END => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return None;
        }
    }
    if depth != 0 {
        return None;
    }
    let mut errors = crate::parse::fragment_errors(&parsed.errors, &parsed.wrapped)?;
    // Errors may lie only in what the edit changed, before the entry parsed to check the end.
    let mut changed_end = TextSize::of(parsed.wrapped.as_str()) - TextSize::of(parsed.wrap_close);
    if let Some(next) = checked_next {
        changed_end -= children[next].range.len();
    }
    let changed = TextRange::new(TextSize::of(parsed.wrap_open), changed_end);
    let shift = parsed.run_start;
    for error in &mut errors {
        if !changed.contains_range(error.range) {
            return None;
        }
        error.range = error.range - TextSize::of(parsed.wrap_open) + shift;
    }
    run.splice(&parsed, errors)
}

/// A child of a block as the green tree has it, read without building a node for it: a large
/// set has tens of thousands of children, and a re-parse needs a few of them as nodes.
#[derive(Clone, Copy)]
struct Child {
    range: TextRange,
    kind: SyntaxKind,
    node: bool,
}

fn children_of(block: &SyntaxNode) -> Vec<Child> {
    use rowan::Language;
    crate::helpers::green_children(block)
        .map(|(child, range)| Child {
            range,
            kind: rnix::NixLanguage::kind_from_raw(child.kind()),
            node: child.as_node().is_some(),
        })
        .collect()
}

/// The element of `block` that `child` describes.
fn element_at(block: &SyntaxNode, child: Child) -> Option<rnix::SyntaxElement> {
    block
        .child_or_token_at_range(child.range)
        .filter(|element| element.text_range() == child.range && element.kind() == child.kind)
}

/// A run of a block's children, `first..last`, to be parsed again.
#[derive(Clone, Copy)]
struct Run<'a> {
    block: &'a SyntaxNode,
    children: &'a [Child],
    open: usize,
    close: usize,
    first: usize,
    last: usize,
}

/// A run parsed alone between brackets.
struct ParsedRun {
    wrapped: String,
    wrap_open: &'static str,
    wrap_close: &'static str,
    /// Where the run starts in the new text.
    run_start: TextSize,
    fragment: SyntaxNode,
    errors: Vec<rnix::ParseError>,
}

impl ParsedRun {
    /// The tokens of the run, without the brackets around it.
    fn run_tokens(&self) -> impl Iterator<Item = SyntaxToken> + '_ {
        let run = TextRange::new(
            TextSize::of(self.wrap_open),
            TextSize::of(self.wrapped.as_str()) - TextSize::of(self.wrap_close),
        );
        self.fragment
            .descendants_with_tokens()
            .filter_map(|element| element.into_token())
            .filter(move |token| run.contains_range(token.text_range()))
    }
}

impl Run<'_> {
    /// The range of the run in the old text; empty at the edit in an empty interior.
    fn old_range(&self, edit: &TextEdit) -> TextRange {
        if self.first < self.last {
            TextRange::new(
                self.children[self.first].range.start(),
                self.children[self.last - 1].range.end(),
            )
        } else {
            TextRange::empty(edit.range.start())
        }
    }

    /// The run's new text parsed alone as the entries of a set or list, when it parses as one
    /// set or list spanning the whole fragment.
    fn parse(&self, edit: &TextEdit, new_text: &str) -> Option<ParsedRun> {
        use SyntaxKind::*;
        let (_, _, wrap_open, wrap_close) = block_shape(self.block.kind())?;
        let old_run = self.old_range(edit);
        let grown = TextSize::of(edit.new_text.as_str());
        let new_end = old_run.end() - edit.range.len() + grown;
        let run_text = new_text.get(usize::from(old_run.start())..usize::from(new_end))?;
        let wrapped = format!("{wrap_open}{run_text}{wrap_close}");
        let parsed = rnix::Root::parse(&wrapped);
        let fragment = parsed.syntax().first_child()?;
        let expected_kind = if self.block.kind() == NODE_LIST {
            NODE_LIST
        } else {
            NODE_ATTR_SET
        };
        if fragment.kind() != expected_kind || fragment.text_range().len() != TextSize::of(&wrapped)
        {
            return None;
        }
        let green = fragment.green();
        let count = green.children().len();
        let bracket = |index: usize, text: &str| {
            green
                .children()
                .nth(index)
                .and_then(|child| child.into_token().map(|token| token.text() == text))
                .unwrap_or(false)
        };
        if count < 2 || !bracket(0, wrap_open) || !bracket(count - 1, wrap_close) {
            return None;
        }
        Some(ParsedRun {
            errors: parsed.errors().to_vec(),
            wrapped,
            wrap_open,
            wrap_close,
            run_start: old_run.start(),
            fragment,
        })
    }

    /// The block with the run replaced by the parsed one, as the root of the new tree.
    fn splice(
        &self,
        parsed: &ParsedRun,
        errors: Vec<SyntaxError>,
    ) -> Option<(GreenNode, Vec<SyntaxError>)> {
        let (block, children) = (self.block, self.children);
        let (first, last) = (self.first, self.last);
        let fragment = &parsed.fragment;
        let depth = block.ancestors().count()
            + fragment
                .descendants()
                .map(|node| node.ancestors().count())
                .max()
                .unwrap_or(0);
        if depth > MAX_SPLICE_DEPTH {
            return None;
        }
        let green = fragment.green();
        let count = green.children().len();
        let new_children: Vec<_> = green
            .children()
            .skip(1)
            .take(count - 2)
            .map(|child| child.to_owned())
            .collect();

        // The run must lex the same beside the tokens around it.
        let (previous, next) = if first < last {
            (
                first_token(&element_at(block, children[first])?)?.prev_token(),
                last_token(&element_at(block, children[last - 1])?)?.next_token(),
            )
        } else {
            (
                element_at(block, children[self.open])?.into_token(),
                element_at(block, children[self.close])?.into_token(),
            )
        };
        let before = neighbours(previous, false)?;
        let after = neighbours(next, true)?;
        let mut window = String::new();
        let mut expected = Vec::new();
        for token in before.iter().rev() {
            window.push_str(token.text());
            expected.push((token.kind(), token.text().len()));
        }
        let run_text =
            &parsed.wrapped[parsed.wrap_open.len()..parsed.wrapped.len() - parsed.wrap_close.len()];
        window.push_str(run_text);
        for token in parsed.run_tokens() {
            expected.push((token.kind(), token.text().len()));
        }
        for token in &after {
            window.push_str(token.text());
            expected.push((token.kind(), token.text().len()));
        }
        if !lexes_as(&window, &expected) {
            return None;
        }

        let spliced = block.green().splice_children(first..last, new_children);
        Some((block.replace_with(spliced), errors))
    }
}

/// The nearest token that is not whitespace or a comment, going forward or back from `token`.
fn non_trivia(mut token: Option<SyntaxToken>, forward: bool) -> Option<SyntaxToken> {
    while let Some(current) = token {
        if !current.kind().is_trivia() {
            return Some(current);
        }
        token = if forward {
            current.next_token()
        } else {
            current.prev_token()
        };
    }
    None
}

fn first_token(element: &rnix::SyntaxElement) -> Option<SyntaxToken> {
    match element {
        NodeOrToken::Node(node) => node.first_token(),
        NodeOrToken::Token(token) => Some(token.clone()),
    }
}

fn last_token(element: &rnix::SyntaxElement) -> Option<SyntaxToken> {
    match element {
        NodeOrToken::Node(node) => node.last_token(),
        NodeOrToken::Token(token) => Some(token.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: &str = r#"{ config, lib, pkgs, ... }:
let
  cfg = config.services.demo;
  # A comment.
  port = 8080;
  names = [ "a" "b" c.d (e f) ];
in
{
  options.services.demo = {
    enable = lib.mkEnableOption "demo";
    settings = lib.mkOption { type = lib.types.attrs; default = { }; };
  };
  config = lib.mkIf cfg.enable {
    systemd.services.demo = {
      script = ''
        exec ${pkgs.hello}/bin/hello --port ${toString port}
      '';
      environment = rec { A = "1"; B = A; };
    };
    networking.firewall.allowedTCPPorts = [ port 443 ];
  };
}
"#;

    /// Pieces typed, pasted or deleted at random: valid entries, names, brackets and broken bits.
    const INSERTS: &[&str] = &[
        "x",
        "a",
        "_",
        "-",
        "1",
        " ",
        "\n",
        "  ",
        "# note\n",
        "/* c */",
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        ";",
        "=",
        "\"",
        "''",
        "${",
        ".",
        "let",
        "in",
        "or",
        "rec",
        ":",
        "@",
        "?",
        ",",
        "foo = 1;",
        " bar = { baz = [ 1 2 ]; };\n",
        "inherit (lib) mkIf;",
        "x: x",
        "./path",
        "\"str ${v} end\"",
        "1.5",
        "let q = 2; in q",
        " a.b.c = true;\n",
    ];

    struct Rng(u64);

    impl Rng {
        fn below(&mut self, bound: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % bound as u64) as usize
        }
    }

    fn boundary(text: &str, mut offset: usize) -> usize {
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    fn random_edit(rng: &mut Rng, text: &str) -> TextEdit {
        let start = boundary(text, rng.below(text.len() + 1));
        let (end, new_text) = match rng.below(6) {
            // Typing: one short piece at a point.
            0..=2 => (start, INSERTS[rng.below(INSERTS.len())].to_owned()),
            // Deleting a few characters.
            3 => (
                boundary(text, (start + 1 + rng.below(6)).min(text.len())),
                String::new(),
            ),
            // Deleting the rest of the line.
            4 => (
                text[start..]
                    .find('\n')
                    .map_or(text.len(), |newline| start + newline + 1),
                String::new(),
            ),
            // Replacing a span with a piece.
            _ => (
                boundary(text, (start + rng.below(12)).min(text.len())),
                INSERTS[rng.below(INSERTS.len())].to_owned(),
            ),
        };
        TextEdit {
            range: TextRange::new(to_size(start), to_size(end)),
            new_text,
        }
    }

    fn apply(text: &str, edit: &TextEdit) -> String {
        let mut out = text.to_owned();
        out.replace_range(std::ops::Range::<usize>::from(edit.range), &edit.new_text);
        out
    }

    fn dump(parse: &Parse) -> String {
        format!("{:#?}{:?}", parse.root(), parse.errors())
    }

    #[test]
    fn incremental_trees_equal_full_parses_over_a_long_random_edit_sequence() {
        let mut counts = [0usize; 3];
        let mut with_errors = 0usize;
        for seed in 1..=8u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let mut text = START.to_owned();
            let mut current = parse(&text);
            let mut valid = (text.clone(), current.clone());
            for step in 0..400 {
                let edit = random_edit(&mut rng, &text);
                let new_text = apply(&text, &edit);
                let (incremental, how) = reparse(&current, &edit, &new_text);
                let full = parse(&new_text);
                assert_eq!(
                    dump(&incremental),
                    dump(&full),
                    "seed {seed}, step {step}, {how:?} after {edit:?} on\n{text}"
                );
                counts[how as usize] += 1;
                if how == Reparse::Block && !(current.errors.is_empty() && full.errors().is_empty())
                {
                    with_errors += 1;
                }

                // Most broken edits are undone, as people do, so the cheap paths keep being tried
                // on valid files; the rest go on from the broken text for a while.
                if full.errors().is_empty() {
                    valid = (new_text.clone(), incremental.clone());
                    (text, current) = (new_text, incremental);
                } else if rng.below(3) == 0 {
                    (text, current) = (new_text, incremental);
                } else {
                    // The undo comes as the one edit back to the valid text.
                    let undo = diff(&new_text, &valid.0);
                    let (undone, how) = reparse(&incremental, &undo, &valid.0);
                    assert_eq!(
                        dump(&undone),
                        dump(&valid.1),
                        "seed {seed}, step {step}, {how:?} undoing {undo:?} on\n{new_text}"
                    );
                    if how == Reparse::Block {
                        with_errors += 1;
                    }
                    (text, current) = valid.clone();
                }
            }
        }
        // The sequence must exercise every path, or it proves nothing about the cheap ones.
        assert!(counts.iter().all(|&count| count > 50), "{counts:?}");
        assert!(
            with_errors > 100,
            "{with_errors} re-parses in part with errors"
        );
    }

    #[test]
    fn typing_in_a_name_relexes_one_token() {
        let text = "{ a = foo; }";
        let edit = TextEdit {
            range: TextRange::empty(TextSize::from(9)),
            new_text: "d".to_owned(),
        };
        let (parse, how) = reparse(&parse(text), &edit, "{ a = food; }");
        assert_eq!(how, Reparse::Token);
        assert_eq!(parse.root().to_string(), "{ a = food; }");
    }

    #[test]
    fn a_new_binding_reparses_only_its_block() {
        let text = "{ a = { b = 1; }; c = 2; }";
        let edit = TextEdit {
            range: TextRange::empty(TextSize::from(14)),
            new_text: " d = 3;".to_owned(),
        };
        let new_text = "{ a = { b = 1; d = 3; }; c = 2; }";
        let old = parse(text);
        let (new, how) = reparse(&old, &edit, new_text);
        assert_eq!(how, Reparse::Block);
        assert_eq!(dump(&new), dump(&parse(new_text)));
        // The untouched sibling is the same green node, not a copy.
        let old_c = old
            .root()
            .descendants()
            .filter(|node| node.kind() == SyntaxKind::NODE_ATTRPATH_VALUE)
            .last();
        let new_c = new
            .root()
            .descendants()
            .filter(|node| node.kind() == SyntaxKind::NODE_ATTRPATH_VALUE)
            .last();
        let (old_c, new_c) = (old_c.expect("c"), new_c.expect("c"));
        assert!(std::ptr::eq(old_c.green(), new_c.green()));
    }

    /// Inserts `insert` at the first `|` of `marked` and re-parses: the tree and errors must be
    /// those of a full parse. Returns the path taken and the new parse.
    fn insert_at_mark(marked: &str, insert: &str) -> (Reparse, Parse) {
        let at = marked.find('|').expect("a mark");
        let text = marked.replacen('|', "", 1);
        let edit = TextEdit {
            range: TextRange::empty(to_size(at)),
            new_text: insert.to_owned(),
        };
        let new_text = apply(&text, &edit);
        let (new, how) = reparse(&parse(&text), &edit, &new_text);
        assert_eq!(dump(&new), dump(&parse(&new_text)), "{how:?} on {new_text}");
        (how, new)
    }

    #[test]
    fn a_function_in_a_list_takes_the_items_typed_after_it() {
        // `[ f: f 1 ]` is one function whose body applies `f` to `1`.
        insert_at_mark("{ a = [ f: f |]; b = 2; }", "1");
        insert_at_mark("{ a = [ 0 | 1 ]; b = 2; }", "f: f");
    }

    #[test]
    fn a_keyword_read_as_a_name_is_not_relexed() {
        // `or` lexes as a keyword that the parser takes for a name here.
        insert_at_mark("{ a = f 1 or|; }", "1");
    }

    #[test]
    fn a_name_typed_into_the_position_builtin_is_parsed_again() {
        insert_at_mark("{ a = __curPo|; }", "s");
    }

    #[test]
    fn a_uri_can_swallow_several_tokens_before_an_edit() {
        // `p1.5x:z` is one URI, though the edit is after `.5`.
        insert_at_mark("{ a = [ p1.5x:| y ]; }", "z");
    }

    #[test]
    fn a_stray_semicolon_in_a_large_set_reparses_its_entries_alone() {
        let entries: String = (0..50)
            .map(|index| format!("  e{index} = f {index};\n"))
            .collect();
        let marked = format!("{{\n{entries}|  last = 1;\n}}\n");
        let (how, broken) = insert_at_mark(&marked, "; ");
        assert_eq!(how, Reparse::Block);
        assert_eq!(broken.errors().len(), 1, "{:?}", broken.errors());

        // Deleting it again goes the same way, back to a tree without errors.
        let text = broken.root().to_string();
        let at = text.find("; ").expect("the semicolon");
        let edit = TextEdit {
            range: TextRange::at(to_size(at), TextSize::from(2)),
            new_text: String::new(),
        };
        let fixed_text = apply(&text, &edit);
        let (fixed, how) = reparse(&broken, &edit, &fixed_text);
        assert_eq!(how, Reparse::Block);
        assert_eq!(dump(&fixed), dump(&parse(&fixed_text)));
        assert!(fixed.errors().is_empty());
    }

    #[test]
    fn a_broken_entry_that_swallows_the_rest_is_parsed_in_full() {
        // An opened string runs to the end of the file: its error depends on all that follows.
        let (how, _) = insert_at_mark("{ a = |1; b = 2; c = 3; }", "\"");
        assert_eq!(how, Reparse::Full);
        // `in` at the start of a `let` entry ends the `let`; inside braces it would be an entry.
        insert_at_mark("let a = 1; |b = 2; c = 3; in a", "in ");
    }

    #[test]
    fn a_typed_keyword_is_not_an_identifier() {
        let text = "{ a = i; }";
        let edit = TextEdit {
            range: TextRange::empty(TextSize::from(7)),
            new_text: "n".to_owned(),
        };
        let new_text = "{ a = in; }";
        let (new, _) = reparse(&parse(text), &edit, new_text);
        assert_eq!(dump(&new), dump(&parse(new_text)));
        assert!(!new.errors().is_empty());
    }

    #[test]
    fn diff_finds_the_one_edit_between_two_texts() {
        let edit = diff("let a = 1; in a", "let ab = 1; in a");
        assert_eq!(edit.range, TextRange::empty(TextSize::from(5)));
        assert_eq!(edit.new_text, "b");
        let edit = diff("aaaa", "aa");
        assert_eq!(apply("aaaa", &edit), "aa");
        let edit = diff("é", "è");
        assert_eq!(
            edit.range,
            TextRange::new(TextSize::from(0), TextSize::from(2))
        );
        assert_eq!(edit.new_text, "è");
        assert_eq!(
            diff("same", "same").range,
            TextRange::empty(TextSize::from(4))
        );
    }
}
