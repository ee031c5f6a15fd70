//! `workspace/symbol`: the definitions of every `.nix` file of the workspace folders.
//!
//! The index is built in the background after `initialized` (files parsed in parallel, with
//! `$/progress` reports when the client shows them), answers queries while it grows, takes open
//! documents at their current version when queried, and re-reads files the client reports as
//! changed on disk.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use syntax::LineIndex;
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::Client;

use super::documents::file_path;
use super::session::Session;
use super::{convert, worker};

/// Files larger than this are generated data, not code anyone searches by name.
const MAX_FILE_BYTES: u64 = 8 << 20;
/// The most symbols one query returns.
const MAX_RESULTS: usize = 256;
/// Files parsed between two progress reports (and between two updates of the index).
const BATCH: usize = 128;
const PROGRESS_TOKEN: &str = "nixwise/workspace-symbols";

#[derive(Debug)]
struct Indexed {
    name: String,
    kind: lsp::SymbolKind,
    container: Option<String>,
    range: lsp::Range,
}

#[derive(Debug)]
struct FileSymbols {
    uri: lsp::Uri,
    /// The version of the open document indexed; `None` for the file on disk.
    version: Option<i32>,
    symbols: Vec<Indexed>,
}

#[derive(Debug, Default)]
pub struct Index {
    files: RwLock<HashMap<PathBuf, FileSymbols>>,
    roots: Mutex<Vec<PathBuf>>,
    /// How many files have been indexed so far, for logs and tests.
    indexed: AtomicUsize,
}

impl Index {
    pub fn set_roots(&self, roots: Vec<PathBuf>) {
        *lock(&self.roots) = roots;
    }

    fn roots(&self) -> Vec<PathBuf> {
        lock(&self.roots).clone()
    }

    fn insert(&self, path: PathBuf, entry: FileSymbols) {
        self.files
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(path, entry);
    }

    fn remove(&self, path: &Path) {
        self.files
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(path);
    }

    fn indexed_version(&self, path: &Path) -> Option<Option<i32>> {
        self.files
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(path)
            .map(|entry| entry.version)
    }

    /// The best matches of `query`, best first.
    fn search(&self, query: &str) -> Vec<lsp::WorkspaceSymbol> {
        let files = self
            .files
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let candidates = files.values().flat_map(|file| {
            file.symbols
                .iter()
                .map(move |symbol| (symbol.name.as_str(), (file, symbol)))
        });
        ide::workspace_symbols::rank(query, candidates, MAX_RESULTS)
            .into_iter()
            .map(|(file, symbol)| lsp::WorkspaceSymbol {
                name: symbol.name.clone(),
                kind: symbol.kind,
                tags: None,
                container_name: symbol.container.clone(),
                location: lsp::OneOf::Left(lsp::Location {
                    uri: file.uri.clone(),
                    range: symbol.range,
                }),
                data: None,
            })
            .collect()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The symbols of one file. Parses: call it on a worker thread.
fn symbols_of(text: &str) -> Vec<Indexed> {
    let root = syntax::parse(text).root();
    let index = LineIndex::new(text);
    let outline = ide::document_symbols::document_symbols(&root);
    ide::workspace_symbols::flatten(&outline)
        .into_iter()
        .map(|symbol| Indexed {
            name: symbol.name,
            kind: convert::symbol_kind(symbol.kind),
            container: symbol.container,
            range: convert::range(&index, symbol.range),
        })
        .collect()
}

/// The text of a file worth indexing: not too large, and UTF-8.
fn read_source(path: &Path) -> Option<String> {
    let metadata = std::fs::metadata(path).ok()?;
    if !metadata.is_file() || metadata.len() > MAX_FILE_BYTES {
        tracing::debug!(
            "not indexing {}: not a file of a usual size",
            path.display()
        );
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(_) => {
            tracing::debug!("not indexing {}: not UTF-8", path.display());
            None
        }
    }
}

fn index_from_disk(path: PathBuf) -> Option<(PathBuf, FileSymbols)> {
    let text = read_source(&path)?;
    let uri = lsp::Uri::from_file_path(&path)?;
    let symbols = symbols_of(&text);
    Some((
        path,
        FileSymbols {
            uri,
            version: None,
            symbols,
        },
    ))
}

/// The `.nix` files under the workspace folders, as `check` finds them (ignore files honoured,
/// hidden folders skipped), without those the configuration excludes.
fn workspace_files(session: &Session, roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for root in roots {
        let walker = ignore::WalkBuilder::new(root)
            .hidden(true)
            .git_ignore(true)
            .require_git(false)
            .follow_links(false)
            .build();
        for entry in walker.flatten() {
            let is_nix_file = entry.file_type().is_some_and(|kind| kind.is_file())
                && entry
                    .path()
                    .extension()
                    .is_some_and(|extension| extension == "nix");
            if is_nix_file && !session.settings.for_path(Some(entry.path())).excluded {
                files.push(entry.into_path());
            }
        }
    }
    files.sort();
    files.dedup();
    files
}

/// The folders of the workspace: its `workspaceFolders`, or else the one folder that a client
/// without them names in `rootUri` (or the older `rootPath`).
pub fn workspace_roots(params: &lsp::InitializeParams) -> Vec<PathBuf> {
    let folders: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|folder| file_path(&folder.uri))
        .collect();
    if !folders.is_empty() {
        return folders;
    }
    #[allow(
        deprecated,
        reason = "clients without workspace folders send only these"
    )]
    let root = match (&params.root_uri, &params.root_path) {
        (Some(uri), _) => file_path(uri),
        (None, Some(path)) => Some(PathBuf::from(path)).filter(|path| path.is_absolute()),
        (None, None) => None,
    };
    root.into_iter().collect()
}

/// Builds the index of the workspace folders in the background, reporting progress to the client
/// when `progress` is true.
pub fn start(session: Arc<Session>, client: Client, progress: bool) {
    let roots = session.workspace_symbols.roots();
    if roots.is_empty() {
        return;
    }
    tokio::spawn(async move {
        let token = lsp::ProgressToken::String(PROGRESS_TOKEN.to_owned());
        let ongoing = match progress {
            true => match client.create_work_done_progress(token.clone()).await {
                Ok(()) => Some(
                    client
                        .progress(token, "Indexing Nix files")
                        .with_percentage(0)
                        .begin()
                        .await,
                ),
                Err(error) => {
                    tracing::debug!("no progress reports: {error}");
                    None
                }
            },
            false => None,
        };
        let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<(usize, usize)>();
        let build = tokio::spawn(worker::run("workspace-index", move || {
            build(&session, &roots, &sender)
        }));
        while let Some((done, total)) = receiver.recv().await {
            if let Some(ongoing) = &ongoing {
                let percentage = (done * 100 / total.max(1)) as u32;
                ongoing
                    .report_with_message(format!("{done}/{total} files"), percentage)
                    .await;
            }
        }
        let count = build.await.ok().flatten().unwrap_or(0);
        tracing::info!("indexed the symbols of {count} files");
        if let Some(ongoing) = ongoing {
            ongoing
                .finish_with_message(format!("{count} files indexed"))
                .await;
        }
    });
}

/// Finds and indexes the workspace's files in batches, each batch parsed in parallel on threads
/// with the stack deep trees need. Returns how many files were indexed.
fn build(
    session: &Session,
    roots: &[PathBuf],
    progress: &tokio::sync::mpsc::UnboundedSender<(usize, usize)>,
) -> usize {
    use rayon::prelude::*;
    let files = workspace_files(session, roots);
    let total = files.len();
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(syntax::WORKER_STACK_SIZE)
        .thread_name(|number| format!("workspace-index-{number}"))
        .build();
    let mut done = 0;
    for batch in files.chunks(BATCH) {
        let parse = || -> Vec<(PathBuf, FileSymbols)> {
            batch
                .par_iter()
                .filter_map(|path| index_from_disk(path.clone()))
                .collect()
        };
        let indexed = match &pool {
            Ok(pool) => pool.install(parse),
            // Without a pool, this thread (which has the big stack) does the work alone.
            Err(_) => batch
                .iter()
                .filter_map(|path| index_from_disk(path.clone()))
                .collect(),
        };
        for (path, entry) in indexed {
            // An open document indexed meanwhile is newer than the file on disk.
            if session
                .workspace_symbols
                .indexed_version(&path)
                .flatten()
                .is_none()
            {
                session.workspace_symbols.insert(path, entry);
                session
                    .workspace_symbols
                    .indexed
                    .fetch_add(1, Ordering::Relaxed);
            }
        }
        done += batch.len();
        let _ = progress.send((done, total));
    }
    session.workspace_symbols.indexed.load(Ordering::Relaxed)
}

/// Answers `workspace/symbol`, first bringing open documents up to their current version.
pub async fn query(
    session: &Arc<Session>,
    params: &lsp::WorkspaceSymbolParams,
) -> Option<lsp::WorkspaceSymbolResponse> {
    let stale: Vec<_> = session
        .documents
        .uris()
        .into_iter()
        .filter_map(|uri| {
            let snapshot = session.documents.snapshot(&uri)?;
            let path = file_path(&uri)?;
            let current = session.workspace_symbols.indexed_version(&path).flatten();
            (current != Some(snapshot.version)).then_some((path, snapshot))
        })
        .collect();
    let session_for_job = session.clone();
    let query = params.query.clone();
    worker::run("workspace-symbols", move || {
        for (path, snapshot) in stale {
            let symbols = symbols_of(&snapshot.text);
            let entry = FileSymbols {
                uri: snapshot.uri.clone(),
                version: Some(snapshot.version),
                symbols,
            };
            session_for_job.workspace_symbols.insert(path, entry);
        }
        let found = session_for_job.workspace_symbols.search(&query);
        Some(lsp::WorkspaceSymbolResponse::Nested(found))
    })
    .await
    .flatten()
}

/// Re-reads from disk the `.nix` files the client reports as created or changed (unless they are
/// open, where the editor's text counts) and drops the deleted ones.
pub fn files_changed(session: &Arc<Session>, changes: &[lsp::FileEvent]) {
    let mut reread = Vec::new();
    for change in changes {
        let Some(path) = file_path(&change.uri) else {
            continue;
        };
        if path.extension().is_none_or(|extension| extension != "nix") {
            continue;
        }
        if change.typ == lsp::FileChangeType::DELETED {
            session.workspace_symbols.remove(&path);
        } else if session.documents.version(&change.uri).is_none()
            && is_indexed_root(session, &path)
        {
            reread.push(path);
        }
    }
    reread_in_background(session, reread);
}

/// A document was closed: what counts now is the file on disk.
pub fn document_closed(session: &Arc<Session>, uri: &lsp::Uri) {
    if let Some(path) = file_path(uri) {
        if is_indexed_root(session, &path) {
            reread_in_background(session, vec![path]);
        } else {
            session.workspace_symbols.remove(&path);
        }
    }
}

fn is_indexed_root(session: &Session, path: &Path) -> bool {
    session
        .workspace_symbols
        .roots()
        .iter()
        .any(|root| path.starts_with(root))
}

fn reread_in_background(session: &Arc<Session>, paths: Vec<PathBuf>) {
    if paths.is_empty() {
        return;
    }
    let session = session.clone();
    worker::spawn("workspace-index-update", move || {
        for path in paths {
            if session.settings.for_path(Some(&path)).excluded {
                continue;
            }
            match index_from_disk(path.clone()) {
                Some((path, entry)) => session.workspace_symbols.insert(path, entry),
                None => session.workspace_symbols.remove(&path),
            }
        }
    });
}
