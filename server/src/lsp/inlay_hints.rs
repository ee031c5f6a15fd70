//! `textDocument/inlayHint`: the name of a long binding after the bracket that closes it.

use tower_lsp_server::ls_types as lsp;

use super::session::Session;
use super::{convert, worker};

pub async fn inlay_hints(
    session: &Session,
    params: &lsp::InlayHintParams,
) -> Option<Vec<lsp::InlayHint>> {
    let snapshot = session.documents.snapshot(&params.text_document.uri)?;
    let range = params.range;
    let min_lines = session.settings.inlay_hints().closing_bracket_min_lines;
    worker::run("inlay-hints", move || {
        let within = convert::text_range(&snapshot.index, &snapshot.text, range);
        let hints = ide::inlay_hints::closing_bracket_hints(
            &snapshot.parse().root(),
            &snapshot.index,
            within,
            min_lines,
        );
        hints
            .iter()
            .map(|hint| convert::inlay_hint(&snapshot.index, hint))
            .collect()
    })
    .await
}
