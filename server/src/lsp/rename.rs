//! `textDocument/prepareRename` and `textDocument/rename`. A refused rename is an error with the
//! reason, which clients show to the user.

use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

use super::convert;
use super::definition::At;
use super::session::Session;
use super::worker;

pub async fn prepare(
    session: &Session,
    params: lsp::TextDocumentPositionParams,
) -> jsonrpc::Result<Option<lsp::PrepareRenameResponse>> {
    let Some(at) = At::new(session, &params) else {
        return Ok(None);
    };
    let prepared = worker::run("nixwise-rename", move || {
        let analysis = at.analysis();
        ide::rename::prepare_rename(&analysis, at.offset).map(|(range, placeholder)| {
            lsp::PrepareRenameResponse::RangeWithPlaceholder {
                range: convert::range(&at.snapshot.index, range),
                placeholder,
            }
        })
    })
    .await;
    match prepared {
        Some(Ok(response)) => Ok(Some(response)),
        Some(Err(refused)) => Err(jsonrpc::Error::invalid_params(refused.0)),
        None => Ok(None),
    }
}

pub async fn rename(
    session: &Session,
    params: lsp::RenameParams,
) -> jsonrpc::Result<Option<lsp::WorkspaceEdit>> {
    let Some(at) = At::new(session, &params.text_document_position) else {
        return Ok(None);
    };
    let new_name = params.new_name;
    let renamed = worker::run("nixwise-rename", move || {
        let analysis = at.analysis();
        ide::rename::rename(&analysis, at.offset, &new_name)
            .map(|edits| convert::workspace_edit(&at.snapshot.uri, &at.snapshot.index, &edits))
    })
    .await;
    match renamed {
        Some(Ok(edit)) => Ok(Some(edit)),
        Some(Err(refused)) => Err(jsonrpc::Error::invalid_params(refused.0)),
        None => Ok(None),
    }
}
