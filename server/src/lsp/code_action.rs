//! Code actions: a quick fix for each fix of the diagnostics in the request, read from the data
//! the diagnostics carry, a `nix flake lock` / `nix flake update` command for findings about the
//! lock, and "fix all" applying every safe fix to a fixpoint.

use std::collections::HashMap;
use std::sync::Arc;

use lints::FixMode;
use syntax::{TextRange, TextSize};
use tower_lsp_server::ls_types as lsp;

use super::convert::{self, DiagnosticData, LockCommand};
use super::flake::{self, Role};
use super::session::Session;
use super::worker;

/// The kind of the action that applies every safe fix.
pub const FIX_ALL: lsp::CodeActionKind = lsp::CodeActionKind::new("source.fixAll.nixwise");

/// The kinds advertised in the server's capabilities.
pub fn kinds() -> Vec<lsp::CodeActionKind> {
    vec![
        lsp::CodeActionKind::QUICKFIX,
        lsp::CodeActionKind::REFACTOR_REWRITE,
        FIX_ALL,
    ]
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
    let mut commands: Vec<(LockCommand, lsp::Diagnostic)> = Vec::new();
    let mut offered: Vec<(&lsp::Diagnostic, lints::Fix)> = Vec::new();
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
            let fixes = data
                .finding
                .and_then(|position| session.documents.published_fixes(&uri, version, position));
            offered.extend(fixes.into_iter().flatten().map(|fix| (diagnostic, fix)));
            if let Some(command) = data.command {
                if !commands.iter().any(|(seen, _)| *seen == command) {
                    commands.push((command, diagnostic.clone()));
                }
            }
        }
    }
    // flake.lock is JSON: the Nix fixes do not apply to it, and its own are not Nix to re-parse.
    let sound = match flake::role(&uri) {
        Role::FlakeLock => vec![true; offered.len()],
        _ => prove(session, &uri, version, &offered).await,
    };
    let index = session
        .documents
        .snapshot(&uri)
        .filter(|snapshot| snapshot.version == version)
        .map(|snapshot| snapshot.index);
    for ((diagnostic, fix), sound) in offered.into_iter().zip(sound) {
        let Some(index) = index.as_deref().filter(|_| sound) else {
            continue;
        };
        let fix = FixData {
            title: fix.title,
            safe: fix.applicability == lints::Applicability::Safe,
            edits: fix
                .edits
                .iter()
                .map(|edit| convert::text_edit(index, edit))
                .collect(),
        };
        any_safe_fix |= fix.safe;
        actions.push(quick_fix(&uri, diagnostic, fix).into());
    }
    // After the edits: running `nix` is the heavier remedy.
    for (command, diagnostic) in commands {
        actions.push(command_action(&uri, diagnostic, &command).into());
    }
    if flake::role(&uri) == Role::FlakeLock {
        return Some(actions);
    }
    if wanted(only, &lsp::CodeActionKind::REFACTOR_REWRITE) {
        actions.extend(refactors(session, &uri, params.range).await);
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

/// For each fix, whether it keeps the document at `version` parseable. Diagnostics carry their
/// fixes unproved (proving every fix of every lint run cost more than the lints), so a fix is
/// proved here, when it is offered.
async fn prove(
    session: &Arc<Session>,
    uri: &lsp::Uri,
    version: i32,
    offered: &[(&lsp::Diagnostic, lints::Fix)],
) -> Vec<bool> {
    if offered.is_empty() {
        return Vec::new();
    }
    let Some(snapshot) = session.documents.snapshot(uri) else {
        return vec![false; offered.len()];
    };
    if snapshot.version != version {
        return vec![false; offered.len()];
    }
    let fixes: Vec<lints::Fix> = offered.iter().map(|(_, fix)| fix.clone()).collect();
    let count = fixes.len();
    worker::run("nixwise-prove-fixes", move || {
        let parse = snapshot.parse();
        // Diagnostics that share one fix (removing a dead `let` is offered on each of its
        // bindings) come one after the other: proving it once per diagnostic made asking for the
        // actions of all of them quadratic, since such a fix spans the whole `let`.
        let mut last: Option<(&lints::Fix, bool)> = None;
        fixes
            .iter()
            .map(|fix| match last {
                Some((previous, verdict)) if previous.edits == fix.edits => verdict,
                _ => {
                    let verdict = lints::fix_keeps_syntax_of(parse, &snapshot.text, fix);
                    last = Some((fix, verdict));
                    verdict
                }
            })
            .collect()
    })
    .await
    .unwrap_or_else(|| vec![false; count])
}

/// A fix as a quick fix offers it: in the client's positions.
struct FixData {
    title: String,
    /// Whether the fix keeps the value of the expression.
    safe: bool,
    edits: Vec<lsp::TextEdit>,
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

fn command_action(
    uri: &lsp::Uri,
    diagnostic: lsp::Diagnostic,
    command: &LockCommand,
) -> lsp::CodeAction {
    let command = command.to_command(uri);
    lsp::CodeAction {
        title: command.title.clone(),
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic]),
        command: Some(command),
        ..lsp::CodeAction::default()
    }
}

fn workspace_edit(uri: &lsp::Uri, edits: Vec<lsp::TextEdit>) -> lsp::WorkspaceEdit {
    lsp::WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..lsp::WorkspaceEdit::default()
    }
}

/// The refactorings of `ide::assists` at the requested range, for the document's current text.
async fn refactors(
    session: &Arc<Session>,
    uri: &lsp::Uri,
    range: lsp::Range,
) -> Vec<lsp::CodeActionOrCommand> {
    let Some(snapshot) = session.documents.snapshot(uri) else {
        return Vec::new();
    };
    let job = snapshot.clone();
    let assists = worker::run("nixwise-assists", move || {
        let range = convert::text_range(&job.index, &job.text, range);
        ide::assists::assists(&job.parse().root(), &job.text, range)
    })
    .await
    .unwrap_or_default();
    assists
        .into_iter()
        .map(|assist| {
            let edits = assist
                .edits
                .iter()
                .map(|edit| convert::text_edit(&snapshot.index, edit))
                .collect();
            lsp::CodeAction {
                title: assist.title,
                kind: Some(lsp::CodeActionKind::REFACTOR_REWRITE),
                edit: Some(workspace_edit(uri, edits)),
                ..lsp::CodeAction::default()
            }
            .into()
        })
        .collect()
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
    use crate::lsp::documents::PublishedFinding;

    #[test]
    fn kinds_cover_their_children() {
        assert!(covers(&lsp::CodeActionKind::SOURCE, &FIX_ALL));
        assert!(covers(&lsp::CodeActionKind::SOURCE_FIX_ALL, &FIX_ALL));
        assert!(covers(&FIX_ALL, &FIX_ALL));
        assert!(!covers(&lsp::CodeActionKind::new("source.fix"), &FIX_ALL));
        assert!(!covers(&lsp::CodeActionKind::QUICKFIX, &FIX_ALL));
        assert!(wanted(None, &lsp::CodeActionKind::QUICKFIX));
    }

    /// Records `finding` as the one finding published for `version`, as the publisher does.
    fn publish(session: &Session, uri: &lsp::Uri, version: i32, finding: &lints::Diagnostic) {
        let published = PublishedFinding {
            range: finding.range,
            lint: lints::registry::find(finding.name),
            fixes: convert::offered_fixes(finding),
        };
        assert!(session
            .documents
            .record_published(uri, version, Arc::from(vec![published])));
    }

    #[tokio::test]
    async fn a_lock_finding_offers_its_fixes_and_its_command() {
        let session = Arc::new(Session::default());
        let uri: lsp::Uri = "file:///src/app/flake.nix".parse().expect("a URI");
        let text = "{ inputs.hm.url = \"github:nix-community/home-manager\"; }";
        session.documents.open(uri.clone(), 4, text.to_owned());
        let snapshot = session.documents.snapshot(&uri).expect("open");
        let at = |start: u32, end: u32| TextRange::new(start.into(), end.into());
        let finding = lints::Diagnostic {
            code: "NIX407",
            name: "duplicate-nixpkgs",
            severity: lints::Severity::Warning,
            range: at(9, 11),
            message: "`hm` locks its own nixpkgs (flake.lock)".to_owned(),
            tags: Vec::new(),
            related: Vec::new(),
            fixes: vec![lints::Fix {
                title: "Make `hm` follow `nixpkgs`".to_owned(),
                applicability: lints::Applicability::Safe,
                edits: vec![syntax::TextEdit::insert(
                    54.into(),
                    " inputs.hm.inputs.nixpkgs.follows = \"nixpkgs\";",
                )],
            }],
        };
        let command = flake::command_for(&finding, Some("hm"));
        publish(&session, &uri, 4, &finding);
        let diagnostic = convert::diagnostic_with_command(
            &uri,
            &snapshot.index,
            4,
            &finding,
            Some(0),
            Some(command),
        );
        let params = lsp::CodeActionParams {
            text_document: lsp::TextDocumentIdentifier { uri: uri.clone() },
            range: diagnostic.range,
            context: lsp::CodeActionContext {
                diagnostics: vec![diagnostic.clone(), diagnostic],
                only: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                trigger_kind: None,
            },
            work_done_progress_params: lsp::WorkDoneProgressParams::default(),
            partial_result_params: lsp::PartialResultParams::default(),
        };
        let actions: Vec<lsp::CodeAction> = code_actions(&session, params)
            .await
            .expect("an open document")
            .into_iter()
            .filter_map(|action| match action {
                lsp::CodeActionOrCommand::CodeAction(action) => Some(action),
                lsp::CodeActionOrCommand::Command(_) => None,
            })
            .collect();
        // One fix per diagnostic, one command for both.
        let titles: Vec<&str> = actions.iter().map(|action| action.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Make `hm` follow `nixpkgs`",
                "Make `hm` follow `nixpkgs`",
                "Run `nix flake lock`"
            ]
        );
        let edits = &actions[0]
            .edit
            .as_ref()
            .expect("an edit")
            .changes
            .as_ref()
            .expect("changes")[&uri];
        assert_eq!(
            edits[0].new_text,
            " inputs.hm.inputs.nixpkgs.follows = \"nixpkgs\";"
        );
        let run = actions[2].command.as_ref().expect("a command");
        assert_eq!(run.command, "nixwise.flakeLock");
        assert_eq!(
            run.arguments,
            Some(vec![serde_json::Value::String(uri.as_str().to_owned())])
        );
    }

    #[tokio::test]
    async fn a_fix_that_would_break_the_syntax_is_not_offered() {
        let session = Arc::new(Session::default());
        let uri: lsp::Uri = "file:///src/app/default.nix".parse().expect("a URI");
        let text = "{ a = x == true; }";
        session.documents.open(uri.clone(), 3, text.to_owned());
        let snapshot = session.documents.snapshot(&uri).expect("open");
        let at = |start: u32, end: u32| TextRange::new(start.into(), end.into());
        let fix = |title: &str, range: TextRange, new_text: &str| lints::Fix {
            title: title.to_owned(),
            applicability: lints::Applicability::Safe,
            edits: vec![syntax::TextEdit::replace(range, new_text)],
        };
        // Diagnostics carry their fixes unproved, as the lint runs report them.
        let finding = lints::Diagnostic {
            code: "NIX001",
            name: "bool-comparison",
            severity: lints::Severity::Warning,
            range: at(6, 15),
            message: "comparison with `true`".to_owned(),
            tags: Vec::new(),
            related: Vec::new(),
            fixes: vec![
                fix("Break the set", at(0, 1), ""),
                fix("Remove the comparison", at(6, 15), "x"),
                fix("Leave it open", at(6, 15), "(x"),
            ],
        };
        publish(&session, &uri, 3, &finding);
        let diagnostic = convert::diagnostic(&uri, &snapshot.index, 3, &finding, Some(0));
        let params = lsp::CodeActionParams {
            text_document: lsp::TextDocumentIdentifier { uri: uri.clone() },
            range: diagnostic.range,
            context: lsp::CodeActionContext {
                diagnostics: vec![diagnostic],
                only: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                trigger_kind: None,
            },
            work_done_progress_params: lsp::WorkDoneProgressParams::default(),
            partial_result_params: lsp::PartialResultParams::default(),
        };
        let titles: Vec<String> = code_actions(&session, params)
            .await
            .expect("an open document")
            .into_iter()
            .filter_map(|action| match action {
                lsp::CodeActionOrCommand::CodeAction(action) => Some(action.title),
                lsp::CodeActionOrCommand::Command(_) => None,
            })
            .collect();
        assert_eq!(titles, ["Remove the comparison"]);
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
