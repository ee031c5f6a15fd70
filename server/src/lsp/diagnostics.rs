//! Push diagnostics: each open document has at most one lint run at a time, on its own thread,
//! always on the latest text; edits that arrive during a run are coalesced into the next run.
//! Results reach the client through one publisher task, in order, and a result for a version
//! that is no longer the document's is dropped.
//!
//! A flake's two files share one analysis, run under flake.nix's name: it lints flake.nix when it
//! is open, checks flake.lock against it, and publishes on both (see `flake.rs`).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use dashmap::mapref::entry::Entry;
use dashmap::DashMap;
use tokio::sync::mpsc;
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::Client;

use super::convert;
use super::documents::{file_path, Documents, PublishedFinding, Snapshot};
use super::flake::{self, Indexed, Role};
use super::session::Session;
use super::worker;

/// What the lint threads and the document handlers ask the publisher to send; pull requests
/// read the same outcomes.
#[derive(Debug)]
pub(super) enum Outcome {
    Publish {
        uri: lsp::Uri,
        /// The version of the open document the diagnostics are for; `None` for a file that is
        /// not open, whose diagnostics are dropped if it has been opened since.
        version: Option<i32>,
        diagnostics: Vec<lsp::Diagnostic>,
        findings: Arc<[PublishedFinding]>,
        /// Other documents the result was computed from, at their version then (`None`: not
        /// open); if one of them changed since, a newer run is on its way and this one is dropped.
        inputs: Vec<(lsp::Uri, Option<i32>)>,
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
    /// The client pulls diagnostics itself: nothing is linted or published unasked.
    pull_mode: Arc<AtomicBool>,
}

impl Scheduler {
    pub fn new(session: Arc<Session>) -> Scheduler {
        let (outcomes, receiver) = mpsc::unbounded_channel();
        Scheduler {
            session,
            running: Arc::default(),
            outcomes,
            receiver: Arc::new(Mutex::new(Some(receiver))),
            pull_mode: Arc::default(),
        }
    }

    /// Stops pushing diagnostics: the client asks for them with `textDocument/diagnostic`.
    pub fn set_pull_mode(&self, pull: bool) {
        self.pull_mode.store(pull, Ordering::SeqCst);
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

    /// Lints the document's latest text soon; for a flake.lock, the analysis of its flake.
    pub fn schedule(&self, uri: lsp::Uri) {
        if self.pull_mode.load(Ordering::SeqCst) {
            return;
        }
        let uri = flake::analysis_key(&uri);
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
            let run = || analyse(&self.session, uri);
            match catch_unwind(AssertUnwindSafe(run)) {
                Ok(Some(outcomes)) => {
                    for outcome in outcomes {
                        let _ = self.outcomes.send(outcome);
                    }
                }
                Ok(None) => {
                    // Closed: nothing to lint any more.
                    self.running.remove(uri);
                    return;
                }
                Err(_) => tracing::error!("linting {} panicked", uri.as_str()),
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

/// The diagnostics of the document `key` (flake.nix for a flake's two files) at its latest
/// version, as outcomes to publish; `None` when it is not open. Reads files: call it on a worker.
pub(super) fn analyse(session: &Session, key: &lsp::Uri) -> Option<Vec<Outcome>> {
    match flake::role(key) {
        Role::FlakeNix => Some(lint_flake(session, key)),
        _ => {
            let snapshot = session.documents.snapshot(key)?;
            Some(lint(session, &snapshot))
        }
    }
}

fn lint(session: &Session, snapshot: &Snapshot) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    let document = session.settings.for_document(snapshot);
    if let Some(problem) = document.new_problem {
        outcomes.push(Outcome::Warn(problem));
    }
    let (diagnostics, findings) = match document.excluded {
        true => (Vec::new(), Vec::new()),
        false => lint_text(&session.documents, snapshot, &document.config),
    };
    outcomes.push(Outcome::Publish {
        uri: snapshot.uri.clone(),
        version: Some(snapshot.version),
        diagnostics,
        findings: findings.into(),
        inputs: Vec::new(),
    });
    outcomes
}

/// The Nix lints on an open document.
fn lint_text(
    documents: &Documents,
    snapshot: &Snapshot,
    config: &lints::Config,
) -> (Vec<lsp::Diagnostic>, Vec<PublishedFinding>) {
    let file_name = snapshot.file_name();
    // The fixes travel unproved in the diagnostics' data; a code action proves the ones it offers.
    // An edit waits for this: what the edit cannot have changed is kept from the run before, and
    // a large file's lints run on two threads.
    let previous = documents.retained(&snapshot.uri);
    let (report, retained) = lints::check_retaining(
        snapshot.parse(),
        &snapshot.text,
        file_name.as_deref(),
        config,
        lints::Validate::Nothing,
        previous.as_deref(),
        true,
    );
    documents.retain(&snapshot.uri, retained);
    log_failures(&snapshot.uri, &report.failures);
    let diagnostics = report
        .diagnostics
        .iter()
        .enumerate()
        .map(|(position, found)| {
            let uri = &snapshot.uri;
            convert::diagnostic(
                uri,
                &snapshot.index,
                snapshot.version,
                found,
                Some(position),
            )
        })
        .collect();
    (diagnostics, findings_of(&report.diagnostics))
}

/// The findings to keep as published, one for each diagnostic and in the same order: a
/// diagnostic's data points to its finding by position.
fn findings_of(diagnostics: &[lints::Diagnostic]) -> Vec<PublishedFinding> {
    diagnostics
        .iter()
        .map(|found| PublishedFinding {
            range: found.range,
            lint: lints::registry::find(found.name),
            fixes: convert::offered_fixes(found),
        })
        .collect()
}

pub(super) fn log_failures(uri: &lsp::Uri, failures: &[lints::LintFailure]) {
    for failure in failures {
        tracing::error!(
            lint = failure.lint,
            "lint failed on {}: {}",
            uri.as_str(),
            failure.message
        );
    }
}

/// The analysis of a flake: the Nix lints on flake.nix if it is open, and the lock lints on
/// flake.nix and flake.lock, each taken from the editor when open there and else from disk.
/// Publishes on flake.nix while it is open and on flake.lock while either is open.
fn lint_flake(session: &Session, nix_uri: &lsp::Uri) -> Vec<Outcome> {
    let Some(lock_uri) = flake::sibling(nix_uri) else {
        return Vec::new();
    };
    let nix_open = session.documents.snapshot(nix_uri);
    let lock_open = session.documents.snapshot(&lock_uri);
    let nix_version = nix_open.as_ref().map(|snapshot| snapshot.version);
    let lock_version = lock_open.as_ref().map(|snapshot| snapshot.version);
    if nix_open.is_none() && lock_open.is_none() {
        return vec![Outcome::Publish {
            uri: lock_uri,
            version: None,
            diagnostics: Vec::new(),
            findings: Arc::from([]),
            inputs: vec![(nix_uri.clone(), None)],
        }];
    }
    let nix_text = match &nix_open {
        Some(snapshot) => Some(snapshot.text.clone()),
        None => flake::read_from_disk(nix_uri),
    };
    let lock = match &lock_open {
        Some(snapshot) => Some(Indexed {
            text: snapshot.text.clone(),
            index: snapshot.index.clone(),
        }),
        None => flake::read_from_disk(&lock_uri).map(Indexed::new),
    };
    let nix_path = file_path(nix_uri);
    let lock_path = file_path(&lock_uri);
    let mut outcomes = Vec::new();
    let document = session
        .settings
        .for_path(nix_path.as_deref().or(lock_path.as_deref()));
    if let Some(problem) = document.new_problem {
        outcomes.push(Outcome::Warn(problem));
    }
    let lock_excluded = lock_path
        .as_deref()
        .is_some_and(|path| session.settings.for_path(Some(path)).excluded);
    let report = (!document.excluded && !lock_excluded).then(|| {
        let files = lints::FlakeFiles {
            flake_nix: nix_text.as_deref(),
            flake_lock: lock.as_ref().map(|lock| &*lock.text),
            now: flake::now(),
        };
        let report = lints::check_flake(&files, &document.config);
        log_failures(nix_uri, &report.failures);
        report
    });
    let report = report.unwrap_or_default();

    if let Some(snapshot) = &nix_open {
        let (mut diagnostics, mut findings) = match document.excluded {
            true => (Vec::new(), Vec::new()),
            false => lint_text(&session.documents, snapshot, &document.config),
        };
        for found in &report.flake {
            let input = snapshot
                .text
                .get(std::ops::Range::<usize>::from(found.range));
            diagnostics.push(convert::diagnostic_with_command(
                nix_uri,
                &snapshot.index,
                snapshot.version,
                found,
                Some(diagnostics.len()),
                Some(flake::command_for(found, input)),
            ));
        }
        findings.extend(findings_of(&report.flake));
        outcomes.push(Outcome::Publish {
            uri: nix_uri.clone(),
            version: Some(snapshot.version),
            diagnostics,
            findings: findings.into(),
            inputs: vec![(lock_uri.clone(), lock_version)],
        });
    }

    let (diagnostics, findings) = match &lock {
        Some(lock) => {
            let diagnostics = report
                .lock
                .iter()
                .enumerate()
                .map(|(position, found)| {
                    let input = flake::mirrored_input(found, &report.flake, nix_text.as_deref());
                    convert::diagnostic_with_command(
                        &lock_uri,
                        &lock.index,
                        lock_version.unwrap_or_default(),
                        found,
                        Some(position),
                        Some(flake::command_for(found, input)),
                    )
                })
                .collect();
            (diagnostics, findings_of(&report.lock))
        }
        None => (Vec::new(), Vec::new()),
    };
    outcomes.push(Outcome::Publish {
        uri: lock_uri,
        version: lock_version,
        diagnostics,
        findings: findings.into(),
        inputs: vec![(nix_uri.clone(), nix_version)],
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
                inputs,
            } => {
                let current = inputs
                    .iter()
                    .all(|(input, version)| session.documents.version(input) == *version)
                    && match version {
                        Some(version) => {
                            session.documents.record_published(&uri, version, findings)
                        }
                        None => session.documents.version(&uri).is_none(),
                    };
                if current {
                    client.publish_diagnostics(uri, diagnostics, version).await;
                } else {
                    tracing::debug!(
                        "dropping diagnostics for {} version {version:?}",
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
