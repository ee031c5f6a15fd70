//! `textDocument/selectionRange`: one chain of growing ranges per position.

use tower_lsp_server::ls_types as lsp;

use super::session::Session;
use super::{convert, worker};

pub async fn selection_ranges(
    session: &Session,
    params: lsp::SelectionRangeParams,
) -> Option<Vec<lsp::SelectionRange>> {
    let snapshot = session.documents.snapshot(&params.text_document.uri)?;
    worker::run("selection-ranges", move || {
        let root = snapshot.parse().root();
        params
            .positions
            .iter()
            .map(|&position| {
                let offset = convert::offset(&snapshot.index, &snapshot.text, position);
                let ranges = ide::selection_ranges::selection_ranges(&root, offset);
                // The protocol wants one answer per position, in order.
                convert::selection_range(&snapshot.index, &ranges).unwrap_or(lsp::SelectionRange {
                    range: lsp::Range::new(position, position),
                    parent: None,
                })
            })
            .collect()
    })
    .await
}
