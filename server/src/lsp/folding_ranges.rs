//! `textDocument/foldingRange`.

use tower_lsp_server::ls_types as lsp;

use super::session::Session;
use super::{convert, worker};

/// `line_folding_only`: the client folds whole lines and ignores columns.
pub async fn folding_ranges(
    session: &Session,
    params: &lsp::FoldingRangeParams,
    line_folding_only: bool,
) -> Option<Vec<lsp::FoldingRange>> {
    let snapshot = session.documents.snapshot(&params.text_document.uri)?;
    worker::run("folding-ranges", move || {
        let folds = ide::folding_ranges::folding_ranges(&snapshot.parse().root(), &snapshot.index);
        convert::folding_ranges(&snapshot.index, &snapshot.text, &folds, line_folding_only)
    })
    .await
}
