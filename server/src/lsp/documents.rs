//! The open documents: their text, version and the findings last published for them.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use dashmap::DashMap;
use syntax::{LineIndex, Parse, TextRange, TextSize};
use tower_lsp_server::ls_types as lsp;

use super::convert;

/// The state of one document at one version, cheap to clone and to send to a worker thread.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub uri: lsp::Uri,
    pub version: i32,
    pub text: Arc<str>,
    pub index: Arc<LineIndex>,
    /// The file on disk, for `file:` documents.
    pub path: Option<PathBuf>,
    /// The tree of `text`, built once by whoever needs it first and shared by the lint run and
    /// every request on this version.
    parsed: Arc<ParsedCell>,
    /// The scope analysis of the tree, built once by the first request that needs it.
    scopes: Arc<OnceLock<Arc<lints::scope::ScopeIndex>>>,
    /// The latest earlier version that had been parsed when this one was made: this version's
    /// tree is built from its tree by re-parsing only what the edits touched.
    base: Option<Arc<Base>>,
}

#[derive(Debug)]
struct Base {
    text: Arc<str>,
    parsed: Arc<ParsedCell>,
}

/// The tree of one version, once built. Dropping a tree recurses as deep as the tree is, which a
/// 100,000-deep chain of operators makes too deep for an async runtime thread; so a tree is
/// always dropped on a thread of its own with the stack that deep trees need, wherever its last
/// owner goes away.
#[derive(Debug, Default)]
struct ParsedCell(OnceLock<Parse>);

impl std::ops::Deref for ParsedCell {
    type Target = OnceLock<Parse>;

    fn deref(&self) -> &OnceLock<Parse> {
        &self.0
    }
}

impl Drop for ParsedCell {
    fn drop(&mut self) {
        if let Some(parse) = self.0.take() {
            drop_elsewhere(parse);
        }
    }
}

/// Hands `parse` to the thread that drops trees; drops it here if that thread cannot start.
fn drop_elsewhere(parse: Parse) {
    static DROPPER: std::sync::Mutex<Option<std::sync::mpsc::Sender<Parse>>> =
        std::sync::Mutex::new(None);
    let mut dropper = DROPPER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if dropper.is_none() {
        let (sender, receiver) = std::sync::mpsc::channel::<Parse>();
        let started = super::worker::spawn("drop-trees", move || {
            for parse in receiver {
                drop(parse);
            }
        });
        if started {
            *dropper = Some(sender);
        }
    }
    match dropper.as_ref() {
        Some(sender) => {
            if let Err(returned) = sender.send(parse) {
                *dropper = None;
                drop(returned.0);
            }
        }
        None => drop(parse),
    }
}

impl Snapshot {
    /// The tree of this version's text. The first call parses, so call it on a worker thread
    /// (`worker::run`), which has the stack deep trees need.
    pub fn parse(&self) -> &Parse {
        self.parsed.get_or_init(|| {
            let old = self
                .base
                .as_ref()
                .and_then(|base| Some((base, base.parsed.get()?)));
            match old {
                Some((base, old)) => {
                    // However many changes came in between, the texts differ in one span.
                    let edit = syntax::diff(&base.text, &self.text);
                    let (parse, how) = syntax::reparse(old, &edit, &self.text);
                    tracing::trace!(version = self.version, ?how, "re-parsed");
                    parse
                }
                None => syntax::parse(&self.text),
            }
        })
    }

    /// The scope analysis of this version's tree; like [`Snapshot::parse`], call it on a worker.
    pub fn scopes(&self) -> Arc<lints::scope::ScopeIndex> {
        self.scopes
            .get_or_init(|| Arc::new(lints::scope::ScopeIndex::build(&self.parse().root())))
            .clone()
    }

    /// The bare file name (`flake.nix`), which some lints depend on.
    pub fn file_name(&self) -> Option<String> {
        if let Some(path) = &self.path {
            return path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned());
        }
        let path = self.uri.path().as_str();
        path.rsplit('/')
            .next()
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
    }
}

/// A finding that was published: its lint for hover, its fixes for code actions.
#[derive(Clone, Debug)]
pub struct PublishedFinding {
    pub range: TextRange,
    /// `None` for a finding of no lint in the registry.
    pub lint: Option<&'static lints::Lint>,
    /// The fixes a code action may offer, unproved; the published diagnostic points here.
    pub fixes: Vec<lints::Fix>,
}

#[derive(Debug)]
struct Document {
    snapshot: Snapshot,
    /// What was last published for this document, and for which version.
    published: Option<(i32, Arc<[PublishedFinding]>)>,
    /// What the last lint run keeps for the next, which re-checks only what an edit changed.
    retained: Option<Arc<lints::Retained>>,
}

#[derive(Debug, Default)]
pub struct Documents {
    map: DashMap<lsp::Uri, Document>,
}

impl Documents {
    pub fn open(&self, uri: lsp::Uri, version: i32, text: String) {
        let path = file_path(&uri);
        let index = Arc::new(LineIndex::new(&text));
        let snapshot = Snapshot {
            uri: uri.clone(),
            version,
            text: text.into(),
            index,
            path,
            parsed: Arc::default(),
            scopes: Arc::default(),
            base: None,
        };
        self.map.insert(
            uri,
            Document {
                snapshot,
                published: None,
                retained: None,
            },
        );
    }

    /// Applies content changes in order. Returns `false` for a document that is not open.
    pub fn change(
        &self,
        uri: &lsp::Uri,
        version: i32,
        changes: Vec<lsp::TextDocumentContentChangeEvent>,
    ) -> bool {
        let Some(mut document) = self.map.get_mut(uri) else {
            return false;
        };
        let snapshot = &mut document.snapshot;
        let mut text = String::from(&*snapshot.text);
        let mut index = snapshot.index.clone();
        for change in changes {
            // Each change is relative to the text after the one before.
            match change.range {
                Some(range) => {
                    let range = convert::text_range(&index, &text, range);
                    let start = floor_char_boundary(&text, range.start().into());
                    let end = floor_char_boundary(&text, range.end().into());
                    text.replace_range(start..end, &change.text);
                    let replaced =
                        TextRange::new(TextSize::from(start as u32), TextSize::from(end as u32));
                    index = Arc::new(index.edited(replaced, &change.text, &text));
                }
                None => {
                    text = change.text;
                    index = Arc::new(LineIndex::new(&text));
                }
            }
        }
        if snapshot.parsed.get().is_some() {
            snapshot.base = Some(Arc::new(Base {
                text: snapshot.text.clone(),
                parsed: snapshot.parsed.clone(),
            }));
        }
        snapshot.index = index;
        snapshot.text = text.into();
        snapshot.version = version;
        snapshot.parsed = Arc::default();
        snapshot.scopes = Arc::default();
        true
    }

    /// What the last lint run of an open document kept.
    pub fn retained(&self, uri: &lsp::Uri) -> Option<Arc<lints::Retained>> {
        self.map.get(uri)?.retained.clone()
    }

    /// Keeps what a lint run of an open document leaves for the next.
    pub fn retain(&self, uri: &lsp::Uri, retained: lints::Retained) {
        if let Some(mut document) = self.map.get_mut(uri) {
            document.retained = Some(Arc::new(retained));
        }
    }

    /// Forgets a document. Returns `false` if it was not open.
    pub fn close(&self, uri: &lsp::Uri) -> bool {
        self.map.remove(uri).is_some()
    }

    pub fn snapshot(&self, uri: &lsp::Uri) -> Option<Snapshot> {
        self.map.get(uri).map(|document| document.snapshot.clone())
    }

    pub fn version(&self, uri: &lsp::Uri) -> Option<i32> {
        self.map.get(uri).map(|document| document.snapshot.version)
    }

    pub fn uris(&self) -> Vec<lsp::Uri> {
        self.map.iter().map(|entry| entry.key().clone()).collect()
    }

    /// Records what is about to be published, if `version` is still the document's version.
    /// Returns whether it is, so a result for an older version is never published.
    pub fn record_published(
        &self,
        uri: &lsp::Uri,
        version: i32,
        findings: Arc<[PublishedFinding]>,
    ) -> bool {
        let Some(mut document) = self.map.get_mut(uri) else {
            return false;
        };
        if document.snapshot.version != version {
            return false;
        }
        document.published = Some((version, findings));
        true
    }

    /// The lints of the published findings of the current version whose range holds `offset`,
    /// with those ranges.
    pub fn findings_at(
        &self,
        uri: &lsp::Uri,
        offset: TextSize,
    ) -> Vec<(TextRange, &'static lints::Lint)> {
        let Some(document) = self.map.get(uri) else {
            return Vec::new();
        };
        match &document.published {
            Some((version, findings)) if *version == document.snapshot.version => findings
                .iter()
                .filter(|finding| finding.range.contains_inclusive(offset))
                .filter_map(|finding| Some((finding.range, finding.lint?)))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The fixes of the `position`-th finding published for `version`, while that is the
    /// document's version.
    pub fn published_fixes(
        &self,
        uri: &lsp::Uri,
        version: i32,
        position: usize,
    ) -> Option<Vec<lints::Fix>> {
        let document = self.map.get(uri)?;
        match &document.published {
            Some((published, findings))
                if *published == version && document.snapshot.version == version =>
            {
                findings.get(position).map(|finding| finding.fixes.clone())
            }
            _ => None,
        }
    }
}

/// `offset` moved back to the start of the character it falls in, so that a bad position can
/// never split a character.
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The file behind a `file:` URI.
pub fn file_path(uri: &lsp::Uri) -> Option<PathBuf> {
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    uri.to_file_path().map(|path| path.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(
        range: Option<((u32, u32), (u32, u32))>,
        text: &str,
    ) -> lsp::TextDocumentContentChangeEvent {
        lsp::TextDocumentContentChangeEvent {
            range: range.map(|((l1, c1), (l2, c2))| {
                lsp::Range::new(lsp::Position::new(l1, c1), lsp::Position::new(l2, c2))
            }),
            range_length: None,
            text: text.to_owned(),
        }
    }

    #[test]
    fn incremental_changes_apply_in_order_in_utf16_and_clamp() {
        let documents = Documents::default();
        let uri: lsp::Uri = "file:///tmp/a.nix".parse().expect("a valid URI");
        documents.open(uri.clone(), 1, "{ 𝔸 = 1;\n}".to_owned());
        let changes = vec![
            // After `𝔸 ` (UTF-16 column 4): replace `=` with `:=`, then insert relative to the new text.
            change(Some(((0, 5), (0, 6))), ":="),
            change(Some(((0, 7), (0, 7))), "!"),
            // Past the end of a line and of the file: clamped.
            change(Some(((1, 40), (7, 3))), " end"),
        ];
        assert!(documents.change(&uri, 2, changes));
        let snapshot = documents.snapshot(&uri).expect("open");
        assert_eq!(&*snapshot.text, "{ 𝔸 :=! 1;\n} end");
        // The index is moved along with each change, not read again.
        assert_eq!(*snapshot.index, LineIndex::new(&snapshot.text));
        assert_eq!(snapshot.version, 2);
        assert_eq!(snapshot.file_name().as_deref(), Some("a.nix"));
        assert!(documents.change(&uri, 3, vec![change(None, "x")]));
        assert_eq!(&*documents.snapshot(&uri).expect("open").text, "x");
        assert!(documents.close(&uri));
        assert!(!documents.change(&uri, 4, vec![change(None, "y")]));
    }

    #[test]
    fn a_position_inside_a_surrogate_pair_never_splits_the_character() {
        let documents = Documents::default();
        let uri: lsp::Uri = "file:///tmp/b.nix".parse().expect("a valid URI");
        documents.open(uri.clone(), 1, "{ 𝔸 }".to_owned());
        // UTF-16 column 3 is the second half of `𝔸`.
        assert!(documents.change(&uri, 2, vec![change(Some(((0, 3), (0, 3))), "x")]));
        assert_eq!(&*documents.snapshot(&uri).expect("open").text, "{ x𝔸 }");
    }

    #[test]
    fn findings_of_an_older_version_are_not_recorded() {
        let documents = Documents::default();
        let uri: lsp::Uri = "untitled:Untitled-1".parse().expect("a valid URI");
        documents.open(uri.clone(), 1, "x".to_owned());
        assert!(documents.change(&uri, 2, vec![change(None, "y")]));
        assert!(!documents.record_published(&uri, 1, Arc::from(Vec::new())));
        assert!(documents.record_published(&uri, 2, Arc::from(Vec::new())));
        assert!(documents.snapshot(&uri).expect("open").path.is_none());
    }

    #[test]
    fn a_version_edited_from_a_parsed_one_has_the_tree_of_a_full_parse() {
        let documents = Documents::default();
        let uri: lsp::Uri = "file:///tmp/c.nix".parse().expect("a valid URI");
        documents.open(uri.clone(), 1, "{ a = 1; b = [ c ]; }".to_owned());
        documents.snapshot(&uri).expect("open").parse();
        // Two versions in a row, the middle one never parsed: the third builds on the first.
        assert!(documents.change(&uri, 2, vec![change(Some(((0, 16), (0, 16))), " d")]));
        assert!(documents.change(&uri, 3, vec![change(Some(((0, 6), (0, 7))), "{ }")]));
        let snapshot = documents.snapshot(&uri).expect("open");
        assert_eq!(&*snapshot.text, "{ a = { }; b = [ c d ]; }");
        let base = snapshot.base.as_ref().expect("a base");
        assert_eq!(&*base.text, "{ a = 1; b = [ c ]; }");
        let expected = syntax::parse(&snapshot.text);
        assert_eq!(
            format!("{:#?}", snapshot.parse().root()),
            format!("{:#?}", expected.root())
        );
        assert!(snapshot.parse().errors().is_empty());
    }

    #[test]
    fn diagnostics_of_incremental_versions_equal_those_of_full_parses() {
        let documents = Documents::default();
        let uri: lsp::Uri = "file:///tmp/d.nix".parse().expect("a valid URI");
        let text =
            "{ pkgs }:\nlet\n  a = 1;\n  b = pkgs.b;\nin\n{\n  inherit a;\n  c = [ a b ];\n}\n";
        documents.open(uri.clone(), 1, text.to_owned());
        // Typing a new binding into the `let` one character at a time, then deleting it.
        let typed = "  d = if x == true then [ a ] else { e = b; };\n";
        let mut version = 1;
        for (column, character) in (0u32..).zip(typed.chars()) {
            version += 1;
            let at = (3, column);
            let edit = change(Some((at, at)), &character.to_string());
            assert!(documents.change(&uri, version, vec![edit]));
            let snapshot = documents.snapshot(&uri).expect("open");
            let config = lints::Config::default();
            let incremental = lints::check_parsed(snapshot.parse(), &snapshot.text, None, &config);
            let full = lints::check(&snapshot.text, None, &config);
            assert_eq!(
                format!("{:?}", incremental.diagnostics),
                format!("{:?}", full.diagnostics),
                "after typing up to {character:?}"
            );
            assert_eq!(
                format!("{:#?}", snapshot.parse().root()),
                format!("{:#?}", syntax::parse(&snapshot.text).root())
            );
        }
    }
}
