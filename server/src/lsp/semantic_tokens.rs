//! `textDocument/semanticTokens/{full,full/delta,range}`. The last full result of each document
//! is kept with its id, so that a delta request gets only what changed since.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use dashmap::DashMap;
use syntax::TextRange;
use tower_lsp_server::ls_types as lsp;

use super::documents::Snapshot;
use super::session::Session;
use super::{convert, worker};

/// The last full result sent for each document.
#[derive(Debug, Default)]
pub struct Cache {
    results: DashMap<lsp::Uri, (String, Arc<Vec<lsp::SemanticToken>>)>,
    next_id: AtomicU64,
}

impl Cache {
    fn remember(&self, uri: &lsp::Uri, tokens: Arc<Vec<lsp::SemanticToken>>) -> String {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed).to_string();
        self.results.insert(uri.clone(), (id.clone(), tokens));
        id
    }

    /// Forgets a closed document.
    pub fn forget(&self, uri: &lsp::Uri) {
        self.results.remove(uri);
    }
}

async fn compute(
    snapshot: Snapshot,
    within: Option<lsp::Range>,
) -> Option<Vec<lsp::SemanticToken>> {
    worker::run("semantic-tokens", move || {
        let root = snapshot.parse().root();
        let scope = snapshot.scopes();
        let within: Option<TextRange> =
            within.map(|range| convert::text_range(&snapshot.index, &snapshot.text, range));
        let tokens = ide::semantic_tokens::semantic_tokens(&root, &scope, within);
        convert::semantic_tokens(&snapshot.index, &snapshot.text, &tokens)
    })
    .await
}

pub async fn full(
    session: &Session,
    params: &lsp::SemanticTokensParams,
) -> Option<lsp::SemanticTokensResult> {
    let uri = &params.text_document.uri;
    let snapshot = session.documents.snapshot(uri)?;
    let data = Arc::new(compute(snapshot, None).await?);
    let id = session.semantic_tokens.remember(uri, data.clone());
    Some(lsp::SemanticTokensResult::Tokens(lsp::SemanticTokens {
        result_id: Some(id),
        data: Arc::unwrap_or_clone(data),
    }))
}

pub async fn delta(
    session: &Session,
    params: &lsp::SemanticTokensDeltaParams,
) -> Option<lsp::SemanticTokensFullDeltaResult> {
    let uri = &params.text_document.uri;
    let snapshot = session.documents.snapshot(uri)?;
    let previous = session
        .semantic_tokens
        .results
        .get(uri)
        .filter(|entry| entry.0 == params.previous_result_id)
        .map(|entry| entry.1.clone());
    let data = Arc::new(compute(snapshot, None).await?);
    let id = session.semantic_tokens.remember(uri, data.clone());
    Some(match previous {
        Some(previous) => {
            lsp::SemanticTokensFullDeltaResult::TokensDelta(lsp::SemanticTokensDelta {
                result_id: Some(id),
                edits: convert::semantic_tokens_edit(&previous, &data),
            })
        }
        // An unknown id (an older result, or one from before a restart): send everything.
        None => lsp::SemanticTokensFullDeltaResult::Tokens(lsp::SemanticTokens {
            result_id: Some(id),
            data: Arc::unwrap_or_clone(data),
        }),
    })
}

pub async fn range(
    session: &Session,
    params: &lsp::SemanticTokensRangeParams,
) -> Option<lsp::SemanticTokensRangeResult> {
    let snapshot = session.documents.snapshot(&params.text_document.uri)?;
    let data = compute(snapshot, Some(params.range)).await?;
    Some(lsp::SemanticTokensRangeResult::Tokens(
        lsp::SemanticTokens {
            result_id: None,
            data,
        },
    ))
}
