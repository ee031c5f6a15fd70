//! `textDocument/references`: every use of the name at the cursor in its document, with its
//! definitions when the client asks for them.

use tower_lsp_server::ls_types as lsp;

use super::convert;
use super::definition::At;
use super::session::Session;
use super::worker;

pub async fn references(
    session: &Session,
    params: lsp::ReferenceParams,
) -> Option<Vec<lsp::Location>> {
    let at = At::new(session, &params.text_document_position)?;
    let include_declaration = params.context.include_declaration;
    worker::run("nixwise-references", move || {
        let analysis = at.analysis();
        let found = ide::references::references(&analysis, at.offset)?;
        Some(
            found
                .iter()
                .filter(|reference| {
                    include_declaration || reference.kind != ide::references::ReferenceKind::Write
                })
                .map(|reference| {
                    convert::location(&at.snapshot.uri, &at.snapshot.index, reference.range)
                })
                .collect(),
        )
    })
    .await
    .flatten()
}
