//! `textDocument/definition`: the ide's targets, with path literals checked on disk and flake
//! inputs led into flake.lock (read from disk when it is not open).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ide::definition::{FlakeFiles, Target};
use ide::navigation::Analysis;
use syntax::{LineIndex, TextSize};
use tower_lsp_server::ls_types as lsp;

use super::convert;
use super::documents::Snapshot;
use super::flake::{self, Role};
use super::session::Session;
use super::worker;

/// A request at a position: the document, the byte offset, and for a flake.nix its lock.
pub struct At {
    pub snapshot: Snapshot,
    pub offset: TextSize,
    pub lock: Option<(lsp::Uri, Arc<str>)>,
}

impl At {
    pub fn new(session: &Session, position: &lsp::TextDocumentPositionParams) -> Option<At> {
        let snapshot = session.documents.snapshot(&position.text_document.uri)?;
        let offset = convert::offset(&snapshot.index, &snapshot.text, position.position);
        let lock = (flake::role(&snapshot.uri) == Role::FlakeNix)
            .then(|| flake::sibling(&snapshot.uri))
            .flatten()
            .and_then(|lock_uri| {
                let text = match session.documents.snapshot(&lock_uri) {
                    Some(open) => Some(open.text),
                    None => flake::read_from_disk(&lock_uri),
                }?;
                Some((lock_uri, text))
            });
        Some(At {
            snapshot,
            offset,
            lock,
        })
    }

    pub fn flake_files(&self) -> FlakeFiles<'_> {
        FlakeFiles {
            is_flake: flake::role(&self.snapshot.uri) == Role::FlakeNix,
            lock: self.lock.as_ref().map(|(_, text)| &**text),
        }
    }

    /// The scope analysis of this version, shared by its requests; call it on a worker thread.
    pub fn analysis(&self) -> Analysis {
        Analysis::from_parts(
            self.snapshot.parse().root(),
            self.snapshot.scopes(),
            self.snapshot.text.clone(),
        )
    }
}

pub async fn definition(
    session: &Session,
    params: lsp::GotoDefinitionParams,
) -> Option<lsp::GotoDefinitionResponse> {
    let at = At::new(session, &params.text_document_position_params)?;
    let locations = worker::run("nixwise-definition", move || {
        let analysis = at.analysis();
        let targets = ide::definition::definition(&analysis, at.offset, at.flake_files());
        let mut lock_index: Option<LineIndex> = None;
        let mut locations = Vec::new();
        for target in targets {
            match target {
                Target::Local(range) => locations.push(convert::location(
                    &at.snapshot.uri,
                    &at.snapshot.index,
                    range,
                )),
                Target::FlakeLock(range) => {
                    if let Some((uri, text)) = &at.lock {
                        let index = lock_index.get_or_insert_with(|| LineIndex::new(text));
                        locations.push(convert::location(uri, index, range));
                    }
                }
                Target::File { candidates } => {
                    let folder = at.snapshot.path.as_deref().and_then(Path::parent);
                    if let Some(uri) =
                        existing_file(folder, &candidates).and_then(lsp::Uri::from_file_path)
                    {
                        locations.push(convert::file_start(uri));
                    }
                }
            }
        }
        locations
    })
    .await?;
    (!locations.is_empty()).then_some(lsp::GotoDefinitionResponse::Array(locations))
}

/// The first candidate that is a file, relative to `folder` (the document's) unless absolute.
fn existing_file(folder: Option<&Path>, candidates: &[String]) -> Option<PathBuf> {
    candidates.iter().find_map(|candidate| {
        let path = if let Some(rest) = candidate.strip_prefix("~/") {
            PathBuf::from(std::env::var_os("HOME")?).join(rest)
        } else if candidate.starts_with('/') {
            PathBuf::from(candidate)
        } else {
            folder?.join(candidate)
        };
        let path = normalize(&path);
        path.is_file().then_some(path)
    })
}

/// `a/./b/../c` as `a/c`, without touching the disk, so the editor shows a clean path.
fn normalize(path: &Path) -> PathBuf {
    let mut clean = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !clean.pop() {
                    clean.push("..");
                }
            }
            other => clean.push(other),
        }
    }
    clean
}
