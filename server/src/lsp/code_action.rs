//! Code actions: a quick fix for each fix of the diagnostics in the request, read from the data
//! the diagnostics carry, and "fix all" applying every safe fix to a fixpoint.

use std::collections::HashMap;
use std::sync::Arc;

use lints::FixMode;
use syntax::{TextRange, TextSize};
use tower_lsp_server::ls_types as lsp;

use super::convert::{self, DiagnosticData, FixData};
use super::session::Session;
use super::worker;

/// The kind of the action that applies every safe fix.
pub const FIX_ALL: lsp::CodeActionKind = lsp::CodeActionKind::new("source.fixAll.nixwise");

/// The kinds advertised in the server's capabilities.
pub fn kinds() -> Vec<lsp::CodeActionKind> {
    vec![lsp::CodeActionKind::QUICKFIX, FIX_ALL]
}

pub async fn code_actions(
    session: &Arc<Session>,
    params: lsp::CodeActionParams,
) -> Option<lsp::CodeActionResponse> {
    let uri = params.text_document.uri;
    let version = session.documents.version(&uri)?;
    let only = params.context.only.as_deref();
    let mut actions = Vec::new();
    let mut any_safe_fix = false;
    if wanted(only, &lsp::CodeActionKind::QUICKFIX) {
        for diagnostic in &params.context.diagnostics {
            let Some(data) = DiagnosticData::from_diagnostic(diagnostic) else {
                continue;
            };
            if data.version != version {
                tracing::debug!(
                    "refusing fixes computed for version {} of {}",
                    data.version,
                    uri.as_str()
                );
                continue;
            }
            for fix in data.fixes {
                any_safe_fix |= fix.safe;
                actions.push(quick_fix(&uri, diagnostic, fix).into());
            }
        }
    }
    // Without an explicit request, "fix all" is offered only when it has something to do, so that
    // an ordinary light-bulb request does not cost a lint run.
    let fix_all_asked = only.is_some_and(|only| only.iter().any(|kind| covers(kind, &FIX_ALL)));
    if fix_all_asked || (only.is_none() && any_safe_fix) {
        if let Some(action) = fix_all(session, &uri).await {
            actions.push(action.into());
        }
    }
    Some(actions)
}

/// Whether the client asked for actions of `kind`: no filter, or a filter naming it or a parent.
fn wanted(only: Option<&[lsp::CodeActionKind]>, kind: &lsp::CodeActionKind) -> bool {
    only.is_none_or(|only| only.iter().any(|asked| covers(asked, kind)))
}

/// Whether the requested kind `asked` is `kind` or a parent of it (`source` covers `source.fixAll`).
fn covers(asked: &lsp::CodeActionKind, kind: &lsp::CodeActionKind) -> bool {
    let (asked, kind) = (asked.as_str(), kind.as_str());
    kind == asked
        || kind
            .strip_prefix(asked)
            .is_some_and(|rest| rest.starts_with('.'))
}

fn quick_fix(uri: &lsp::Uri, diagnostic: &lsp::Diagnostic, fix: FixData) -> lsp::CodeAction {
    let title = if fix.safe {
        fix.title
    } else {
        format!("{} (unsafe)", fix.title)
    };
    lsp::CodeAction {
        title,
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(workspace_edit(uri, fix.edits)),
        is_preferred: fix.safe.then_some(true),
        ..lsp::CodeAction::default()
    }
}

fn workspace_edit(uri: &lsp::Uri, edits: Vec<lsp::TextEdit>) -> lsp::WorkspaceEdit {
    lsp::WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..lsp::WorkspaceEdit::default()
    }
}

async fn fix_all(session: &Arc<Session>, uri: &lsp::Uri) -> Option<lsp::CodeAction> {
    let snapshot = session.documents.snapshot(uri)?;
    let job_session = session.clone();
    let job_snapshot = snapshot.clone();
    let fixed = worker::run("nixwise-fix-all", move || {
        let document = job_session.settings.for_document(&job_snapshot);
        if document.excluded {
            return None;
        }
        let file_name = job_snapshot.file_name();
        let outcome = lints::fix_text(
            &job_snapshot.text,
            file_name.as_deref(),
            &document.config,
            FixMode::Safe,
        );
        (outcome.text != *job_snapshot.text).then_some(outcome.text)
    })
    .await??;
    // The edit is relative to the text it was computed from.
    if session.documents.version(uri) != Some(snapshot.version) {
        return None;
    }
    let edit = convert::text_edit(&snapshot.index, &minimal_edit(&snapshot.text, &fixed));
    Some(lsp::CodeAction {
        title: "Apply all safe nixwise fixes".to_owned(),
        kind: Some(FIX_ALL),
        edit: Some(workspace_edit(uri, vec![edit])),
        ..lsp::CodeAction::default()
    })
}

/// One edit turning `before` into `after`, covering only the text between their common prefix and
/// suffix.
fn minimal_edit(before: &str, after: &str) -> syntax::TextEdit {
    let mut prefix = before
        .bytes()
        .zip(after.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !before.is_char_boundary(prefix) || !after.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let room = before.len().min(after.len()) - prefix;
    let mut suffix = before
        .bytes()
        .rev()
        .zip(after.bytes().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    while !before.is_char_boundary(before.len() - suffix)
        || !after.is_char_boundary(after.len() - suffix)
    {
        suffix -= 1;
    }
    let range = TextRange::new(
        TextSize::from(prefix as u32),
        TextSize::from((before.len() - suffix) as u32),
    );
    syntax::TextEdit::replace(range, &after[prefix..after.len() - suffix])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_cover_their_children() {
        assert!(covers(&lsp::CodeActionKind::SOURCE, &FIX_ALL));
        assert!(covers(&lsp::CodeActionKind::SOURCE_FIX_ALL, &FIX_ALL));
        assert!(covers(&FIX_ALL, &FIX_ALL));
        assert!(!covers(&lsp::CodeActionKind::new("source.fix"), &FIX_ALL));
        assert!(!covers(&lsp::CodeActionKind::QUICKFIX, &FIX_ALL));
        assert!(wanted(None, &lsp::CodeActionKind::QUICKFIX));
    }

    #[test]
    fn minimal_edit_round_trips() {
        for (before, after) in [
            ("{ a = x == true; }", "{ a = x; }"),
            ("aaa", "aaaa"),
            ("aaaa", "aa"),
            ("é€", "éé€"),
            ("", "x"),
            ("same", "same"),
        ] {
            let edit = minimal_edit(before, after);
            assert_eq!(syntax::apply_edits(before, &[edit]).expect("fits"), after);
        }
        let edit = minimal_edit("{ a = x == true; }", "{ a = x; }");
        assert_eq!(edit.range, TextRange::new(7.into(), 15.into()));
    }
}
