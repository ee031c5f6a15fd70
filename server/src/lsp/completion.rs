//! `textDocument/completion`: the answers of `ide::completion` for the document's latest text.

use std::sync::Arc;

use tower_lsp_server::ls_types as lsp;

use super::convert;
use super::session::Session;
use super::worker;

/// The characters after which a client asks for completion unprompted.
pub fn trigger_characters() -> Vec<String> {
    vec![".".to_owned()]
}

pub async fn completion(
    session: &Arc<Session>,
    params: lsp::CompletionParams,
) -> Option<lsp::CompletionResponse> {
    let position = params.text_document_position;
    let snapshot = session.documents.snapshot(&position.text_document.uri)?;
    let offset = convert::offset(&snapshot.index, &snapshot.text, position.position);
    let items = worker::run("nixwise-completion", move || {
        let file_name = snapshot.file_name();
        let items =
            ide::completion::complete(&snapshot.parse().root(), offset, file_name.as_deref());
        items
            .iter()
            .map(|item| convert::completion_item(&snapshot.index, item))
            .collect::<Vec<_>>()
    })
    .await?;
    // Not complete: a client filters this list as the user types, and a name the user adds to a
    // set later must show up, so each keystroke asks again.
    Some(lsp::CompletionResponse::List(lsp::CompletionList {
        is_incomplete: false,
        items,
    }))
}
