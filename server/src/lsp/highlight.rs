//! `textDocument/documentHighlight`: the references of the name at the cursor, definitions as
//! writes and uses as reads.

use tower_lsp_server::ls_types as lsp;

use super::convert;
use super::definition::At;
use super::session::Session;
use super::worker;

pub async fn highlight(
    session: &Session,
    params: lsp::DocumentHighlightParams,
) -> Option<Vec<lsp::DocumentHighlight>> {
    let at = At::new(session, &params.text_document_position_params)?;
    worker::run("nixwise-highlight", move || {
        let analysis = at.analysis();
        let found = ide::references::references(&analysis, at.offset)?;
        Some(
            found
                .iter()
                .map(|reference| convert::highlight(&at.snapshot.index, reference))
                .collect(),
        )
    })
    .await
    .flatten()
}
