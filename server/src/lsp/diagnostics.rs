//! Push diagnostics: each open document has at most one lint run at a time, on its own thread,
//! always on the latest text; edits that arrive during a run are coalesced into the next run.
//! Results reach the client through one publisher task, in order, and a result for a version
//! that is no longer the document's is dropped.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

use dashmap::mapref::entry::Entry;
use dashmap::DashMap;
use tokio::sync::mpsc;
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::Client;

use super::convert;
use super::documents::{PublishedFinding, Snapshot};
use super::session::Session;
use super::worker;

/// What the lint threads and the document handlers ask the publisher to send.
#[derive(Debug)]
enum Outcome {
    Publish {
        uri: lsp::Uri,
        version: i32,
        diagnostics: Vec<lsp::Diagnostic>,
        findings: Arc<[PublishedFinding]>,
    },
    Clear {
        uri: lsp::Uri,
    },
    Warn(String),
}

#[derive(Clone)]
pub struct Scheduler {
    session: Arc<Session>,
    /// Documents with a lint thread running, and whether they changed since its run started.
    running: Arc<DashMap<lsp::Uri, bool>>,
    outcomes: mpsc::UnboundedSender<Outcome>,
    /// Taken once, when the publisher starts.
    receiver: Arc<Mutex<Option<mpsc::UnboundedReceiver<Outcome>>>>,
}

impl Scheduler {
    pub fn new(session: Arc<Session>) -> Scheduler {
        let (outcomes, receiver) = mpsc::unbounded_channel();
        Scheduler {
            session,
            running: Arc::default(),
            outcomes,
            receiver: Arc::new(Mutex::new(Some(receiver))),
        }
    }

    /// Starts the task that publishes results. Needs a runtime; later calls do nothing.
    pub fn start_publisher(&self, client: Client) {
        let receiver = self
            .receiver
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(receiver) = receiver {
            tokio::spawn(publish(client, self.session.clone(), receiver));
        }
    }

    /// Lints the document's latest text soon.
    pub fn schedule(&self, uri: lsp::Uri) {
        match self.running.entry(uri.clone()) {
            Entry::Occupied(mut running) => {
                // The running thread looks at this flag before it stops, and runs again.
                *running.get_mut() = true;
            }
            Entry::Vacant(vacant) => {
                vacant.insert(false);
                let scheduler = self.clone();
                let target = uri.clone();
                if !worker::spawn("nixwise-lint", move || {
                    scheduler.lint_until_current(&target)
                }) {
                    self.running.remove(&uri);
                }
            }
        }
    }

    pub fn schedule_all(&self) {
        for uri in self.session.documents.uris() {
            self.schedule(uri);
        }
    }

    /// Publishes no diagnostics for a closed document, after anything already queued for it.
    pub fn clear(&self, uri: lsp::Uri) {
        let _ = self.outcomes.send(Outcome::Clear { uri });
    }

    fn lint_until_current(&self, uri: &lsp::Uri) {
        loop {
            if let Some(mut changed) = self.running.get_mut(uri) {
                *changed = false;
            }
            let Some(snapshot) = self.session.documents.snapshot(uri) else {
                self.running.remove(uri);
                return;
            };
            match catch_unwind(AssertUnwindSafe(|| lint(&self.session, &snapshot))) {
                Ok(outcomes) => {
                    for outcome in outcomes {
                        let _ = self.outcomes.send(outcome);
                    }
                }
                Err(_) => tracing::error!("linting {} panicked", snapshot.uri.as_str()),
            }
            // Stop only if nothing changed during the run; checked and removed under one lock.
            if self
                .running
                .remove_if(uri, |_, changed| !*changed)
                .is_some()
            {
                return;
            }
        }
    }
}

fn lint(session: &Session, snapshot: &Snapshot) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    let document = session.settings.for_document(snapshot);
    if let Some(problem) = document.new_problem {
        outcomes.push(Outcome::Warn(problem));
    }
    let uri = snapshot.uri.clone();
    let version = snapshot.version;
    if document.excluded {
        outcomes.push(Outcome::Publish {
            uri,
            version,
            diagnostics: Vec::new(),
            findings: Arc::from([]),
        });
        return outcomes;
    }
    let file_name = snapshot.file_name();
    let report = lints::check(&snapshot.text, file_name.as_deref(), &document.config);
    for failure in &report.failures {
        tracing::error!(
            lint = failure.lint,
            "lint failed on {}: {}",
            uri.as_str(),
            failure.message
        );
    }
    let diagnostics = report
        .diagnostics
        .iter()
        .map(|found| convert::diagnostic(&uri, &snapshot.index, version, found))
        .collect();
    let findings: Arc<[PublishedFinding]> = report
        .diagnostics
        .iter()
        .filter_map(|found| {
            Some(PublishedFinding {
                range: found.range,
                lint: lints::registry::find(found.name)?,
            })
        })
        .collect();
    outcomes.push(Outcome::Publish {
        uri,
        version,
        diagnostics,
        findings,
    });
    outcomes
}

async fn publish(
    client: Client,
    session: Arc<Session>,
    mut receiver: mpsc::UnboundedReceiver<Outcome>,
) {
    while let Some(outcome) = receiver.recv().await {
        match outcome {
            Outcome::Publish {
                uri,
                version,
                diagnostics,
                findings,
            } => {
                if session.documents.record_published(&uri, version, findings) {
                    client
                        .publish_diagnostics(uri, diagnostics, Some(version))
                        .await;
                } else {
                    tracing::debug!(
                        "dropping diagnostics for {} version {version}",
                        uri.as_str()
                    );
                }
            }
            Outcome::Clear { uri } => client.publish_diagnostics(uri, Vec::new(), None).await,
            Outcome::Warn(message) => {
                tracing::warn!("{message}");
                client
                    .show_message(lsp::MessageType::WARNING, message)
                    .await;
            }
        }
    }
}
