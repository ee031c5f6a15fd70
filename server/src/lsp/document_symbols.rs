//! `textDocument/documentSymbol`: the outline of a document.

use tower_lsp_server::ls_types as lsp;

use super::session::Session;
use super::{convert, worker};

pub async fn document_symbols(
    session: &Session,
    params: &lsp::DocumentSymbolParams,
) -> Option<lsp::DocumentSymbolResponse> {
    let snapshot = session.documents.snapshot(&params.text_document.uri)?;
    let symbols = worker::run("document-symbols", move || {
        let symbols = ide::document_symbols::document_symbols(&snapshot.parse().root());
        convert::document_symbols(&snapshot.index, &symbols)
    })
    .await?;
    Some(lsp::DocumentSymbolResponse::Nested(symbols))
}
