//! `textDocument/documentLink`: paths that exist on disk, URLs and forge flake references.

use std::path::{Path, PathBuf};

use ide::document_links::LinkTarget;
use tower_lsp_server::ls_types as lsp;

use super::session::Session;
use super::{convert, worker};

pub async fn document_links(
    session: &Session,
    params: &lsp::DocumentLinkParams,
) -> Option<Vec<lsp::DocumentLink>> {
    let snapshot = session.documents.snapshot(&params.text_document.uri)?;
    worker::run("document-links", move || {
        let folder = snapshot.path.as_deref().and_then(Path::parent);
        ide::document_links::document_links(&snapshot.parse().root())
            .into_iter()
            .filter_map(|link| {
                let target = match &link.target {
                    LinkTarget::Url(url) => url.parse::<lsp::Uri>().ok()?,
                    LinkTarget::Path(path) => {
                        lsp::Uri::from_file_path(existing_file(folder, path)?)?
                    }
                };
                Some(lsp::DocumentLink {
                    range: convert::range(&snapshot.index, link.range),
                    target: Some(target),
                    tooltip: None,
                    data: None,
                })
            })
            .collect()
    })
    .await
}

/// The file a path literal names, relative to the document's folder; a folder stands for its
/// `default.nix`, as `import` reads it.
fn existing_file(folder: Option<&Path>, written: &str) -> Option<PathBuf> {
    let path = Path::new(written);
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        folder?.join(path)
    };
    let metadata = std::fs::metadata(&path).ok()?;
    if metadata.is_file() {
        return Some(path);
    }
    let default = path.join("default.nix");
    (metadata.is_dir() && default.is_file()).then_some(default)
}
