//! Pull diagnostics: `textDocument/diagnostic` for one document and `workspace/diagnostic` for
//! every `.nix` file (and flake.lock) of the workspace folders plus the open documents.
//!
//! A client that declares pull support gets no pushed diagnostics: the two models side by side
//! would show every finding twice in clients that keep both (VS Code does). Clients without pull
//! support keep getting pushed diagnostics as before. Reports carry a `resultId` (a hash of the
//! diagnostics), so an unchanged document is answered with an `unchanged` report.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use syntax::LineIndex;
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::Client;

use super::convert;
use super::diagnostics::{self, Outcome};
use super::flake::{self, Role};
use super::session::Session;
use super::worker;

/// One document's diagnostics as computed for a pull.
struct Pulled {
    uri: lsp::Uri,
    version: Option<i32>,
    diagnostics: Vec<lsp::Diagnostic>,
}

fn result_id(diagnostics: &[lsp::Diagnostic]) -> String {
    let mut hasher = DefaultHasher::new();
    serde_json::to_string(diagnostics)
        .unwrap_or_default()
        .hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// Takes the outcomes of an analysis: records what is published for open documents (hover reads
/// it), shows warnings, and returns the diagnostics of each document.
async fn take(client: &Client, session: &Session, outcomes: Vec<Outcome>) -> Vec<Pulled> {
    let mut pulled = Vec::new();
    for outcome in outcomes {
        match outcome {
            Outcome::Publish {
                uri,
                version,
                diagnostics,
                findings,
                ..
            } => {
                if let Some(version) = version {
                    session.documents.record_published(&uri, version, findings);
                }
                pulled.push(Pulled {
                    uri,
                    version,
                    diagnostics,
                });
            }
            Outcome::Warn(message) => {
                tracing::warn!("{message}");
                client
                    .show_message(lsp::MessageType::WARNING, message)
                    .await;
            }
            Outcome::Clear { .. } => {}
        }
    }
    pulled
}

pub async fn document(
    client: &Client,
    session: &Arc<Session>,
    params: lsp::DocumentDiagnosticParams,
) -> lsp::DocumentDiagnosticReportResult {
    let uri = params.text_document.uri;
    let key = flake::analysis_key(&uri);
    let job_session = session.clone();
    let outcomes = worker::run("nixwise-pull", move || {
        diagnostics::analyse(&job_session, &key)
    })
    .await
    .flatten()
    .unwrap_or_default();
    let pulled = take(client, session, outcomes).await;
    let items = pulled
        .into_iter()
        .find(|pulled| pulled.uri == uri)
        .map(|pulled| pulled.diagnostics)
        .unwrap_or_default();
    let id = result_id(&items);
    let report = if params.previous_result_id.as_deref() == Some(id.as_str()) {
        lsp::DocumentDiagnosticReport::Unchanged(lsp::RelatedUnchangedDocumentDiagnosticReport {
            related_documents: None,
            unchanged_document_diagnostic_report: lsp::UnchangedDocumentDiagnosticReport {
                result_id: id,
            },
        })
    } else {
        lsp::DocumentDiagnosticReport::Full(lsp::RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport {
                result_id: Some(id),
                items,
            },
        })
    };
    lsp::DocumentDiagnosticReportResult::Report(report)
}

/// Set when the request's future is dropped (a `$/cancelRequest`, or the client went away), so
/// that the scan of the workspace stops at the next file.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

pub async fn workspace(
    client: &Client,
    session: &Arc<Session>,
    params: lsp::WorkspaceDiagnosticParams,
) -> lsp::WorkspaceDiagnosticReportResult {
    let cancelled = Arc::new(AtomicBool::new(false));
    let _guard = CancelOnDrop(cancelled.clone());
    let previous: HashMap<lsp::Uri, String> = params
        .previous_result_ids
        .into_iter()
        .map(|previous| (previous.uri, previous.value))
        .collect();
    let job_session = session.clone();
    let job_cancelled = cancelled.clone();
    let scanned = worker::run("nixwise-workspace-diagnostics", move || {
        scan(&job_session, &job_cancelled)
    })
    .await
    .unwrap_or_default();
    let mut items = Vec::new();
    for outcomes in scanned {
        for pulled in take(client, session, outcomes).await {
            let id = result_id(&pulled.diagnostics);
            let version = pulled.version.map(i64::from);
            let item = if previous.get(&pulled.uri) == Some(&id) {
                lsp::WorkspaceDocumentDiagnosticReport::Unchanged(
                    lsp::WorkspaceUnchangedDocumentDiagnosticReport {
                        uri: pulled.uri,
                        version,
                        unchanged_document_diagnostic_report:
                            lsp::UnchangedDocumentDiagnosticReport { result_id: id },
                    },
                )
            } else {
                lsp::WorkspaceDocumentDiagnosticReport::Full(
                    lsp::WorkspaceFullDocumentDiagnosticReport {
                        uri: pulled.uri,
                        version,
                        full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport {
                            result_id: Some(id),
                            items: pulled.diagnostics,
                        },
                    },
                )
            };
            items.push(item);
        }
    }
    lsp::WorkspaceDiagnosticReportResult::Report(lsp::WorkspaceDiagnosticReport { items })
}

/// The analyses of the open documents and of every `.nix` file and flake.lock under the
/// workspace folders; stops early once `cancelled` is set.
fn scan(session: &Session, cancelled: &AtomicBool) -> Vec<Vec<Outcome>> {
    let mut analyses = Vec::new();
    let mut done: HashSet<lsp::Uri> = HashSet::new();
    for uri in session.documents.uris() {
        if cancelled.load(Ordering::SeqCst) {
            return Vec::new();
        }
        let key = flake::analysis_key(&uri);
        if !done.insert(key.clone()) {
            continue;
        }
        if let Some(outcomes) = diagnostics::analyse(session, &key) {
            analyses.push(outcomes);
        }
    }
    for root in session.settings.roots() {
        for path in workspace_files(&root) {
            if cancelled.load(Ordering::SeqCst) {
                return Vec::new();
            }
            let Some(uri) = lsp::Uri::from_file_path(&path) else {
                continue;
            };
            let key = flake::analysis_key(&uri);
            // Open documents and flakes were analysed above, with their editor text.
            if !done.insert(key.clone()) {
                continue;
            }
            if let Some(outcomes) = lint_closed(session, &key) {
                analyses.push(outcomes);
            }
        }
    }
    analyses
}

/// The `.nix` files and flake.locks under `root`, honouring `.gitignore`, in a stable order.
fn workspace_files(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ignore::WalkBuilder::new(root)
        .build()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_some_and(|kind| kind.is_file()))
        .map(ignore::DirEntry::into_path)
        .filter(|path| {
            path.extension().is_some_and(|extension| extension == "nix")
                || path
                    .file_name()
                    .is_some_and(|name| name == flake::FLAKE_LOCK)
        })
        .collect();
    files.sort();
    files
}

/// The analysis of a file that is not open, read from disk; a flake's two files together.
fn lint_closed(session: &Session, key: &lsp::Uri) -> Option<Vec<Outcome>> {
    let path = super::documents::file_path(key)?;
    let document = session.settings.for_path(Some(&path));
    let mut outcomes = Vec::new();
    if let Some(problem) = document.new_problem {
        outcomes.push(Outcome::Warn(problem));
    }
    let publish = |uri: &lsp::Uri, diagnostics| Outcome::Publish {
        uri: uri.clone(),
        version: None,
        diagnostics,
        findings: Arc::from([]),
        inputs: Vec::new(),
    };
    let text = flake::read_from_disk(key);
    if flake::role(key) != Role::FlakeNix {
        let text = text?;
        let diagnostics = match document.excluded {
            true => Vec::new(),
            false => nix_diagnostics(key, &path, &text, &document.config, &[]),
        };
        outcomes.push(publish(key, diagnostics));
        return Some(outcomes);
    }
    let lock_uri = flake::sibling(key)?;
    let lock = flake::read_from_disk(&lock_uri);
    if text.is_none() && lock.is_none() {
        return None;
    }
    let report = match document.excluded {
        true => lints::FlakeReport::default(),
        false => {
            let files = lints::FlakeFiles {
                flake_nix: text.as_deref(),
                flake_lock: lock.as_deref(),
                now: flake::now(),
            };
            let report = lints::check_flake(&files, &document.config);
            diagnostics::log_failures(key, &report.failures);
            report
        }
    };
    if let Some(text) = &text {
        let diagnostics = match document.excluded {
            true => Vec::new(),
            false => nix_diagnostics(key, &path, text, &document.config, &report.flake),
        };
        outcomes.push(publish(key, diagnostics));
    }
    if let Some(lock) = &lock {
        let index = LineIndex::new(lock);
        let diagnostics = report
            .lock
            .iter()
            .map(|found| convert::diagnostic(&lock_uri, &index, 0, found, None))
            .collect();
        outcomes.push(publish(&lock_uri, diagnostics));
    }
    Some(outcomes)
}

/// The Nix lints on a file's text, plus findings about it from elsewhere (the flake checks).
fn nix_diagnostics(
    uri: &lsp::Uri,
    path: &Path,
    text: &str,
    config: &lints::Config,
    extra: &[lints::Diagnostic],
) -> Vec<lsp::Diagnostic> {
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned());
    // Unproved fixes, as in pushed diagnostics: a code action proves the ones it offers.
    let report = lints::check_with(text, file_name.as_deref(), config, lints::Validate::Nothing);
    diagnostics::log_failures(uri, &report.failures);
    let index = LineIndex::new(text);
    report
        .diagnostics
        .iter()
        .chain(extra)
        .map(|found| convert::diagnostic(uri, &index, 0, found, None))
        .collect()
}
