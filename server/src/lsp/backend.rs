//! The `LanguageServer` implementation: every method hands its work to a feature module.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::{Client, LanguageServer};

use super::command::{self, NixOptions};
use super::convert;
use super::diagnostics::Scheduler;
use super::flake::{self, Role};
use super::session::Session;
use super::{
    code_action, completion, definition, document_links, document_symbols, folding_ranges,
    formatting, highlight, hover, inlay_hints, pull_diagnostics, references, rename,
    selection_ranges, semantic_tokens, settings, watch, workspace_symbols,
};

/// What the client said it can do, as far as the server cares.
#[derive(Clone, Copy, Debug, Default)]
struct ClientSupport {
    configuration_pull: bool,
    watch_registration: bool,
    /// The client pulls diagnostics (`textDocument.diagnostic`), so none are pushed.
    diagnostic_pull: bool,
    /// The client accepts `workspace/diagnostic/refresh`.
    diagnostic_refresh: bool,
    /// The client shows `$/progress` reports of work the server starts.
    work_done_progress: bool,
    /// The client folds whole lines and ignores the columns of folding ranges.
    line_folding_only: bool,
}

pub struct Backend {
    client: Client,
    session: Arc<Session>,
    scheduler: Scheduler,
    support: std::sync::Mutex<ClientSupport>,
    /// Settings are pulled and applied one update at a time, so a late answer cannot win.
    settings_update: tokio::sync::Mutex<()>,
    shutdown_requested: Arc<AtomicBool>,
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        Backend::with_nix(client, NixOptions::default())
    }

    /// A server that looks `nix` up and runs it as `nix` says, for example on a `PATH` of its own.
    pub fn with_nix(client: Client, nix: NixOptions) -> Backend {
        let session = Arc::new(Session::new(nix));
        Backend {
            client,
            scheduler: Scheduler::new(session.clone()),
            session,
            support: std::sync::Mutex::default(),
            settings_update: tokio::sync::Mutex::new(()),
            shutdown_requested: Arc::default(),
        }
    }

    /// Set once the client has asked the server to shut down; an exit without it is an error.
    pub fn shutdown_flag(&self) -> Arc<AtomicBool> {
        self.shutdown_requested.clone()
    }

    fn support(&self) -> ClientSupport {
        *self
            .support
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Pulls the editor settings when the client can answer, else takes those it pushed; reports
    /// new problems once and re-lints every open document.
    async fn reload_settings(&self, pushed: Option<serde_json::Value>) {
        let _one_at_a_time = self.settings_update.lock().await;
        let pulled = match self.support().configuration_pull {
            true => settings::pull(&self.client).await,
            false => None,
        };
        if let Some(value) = pulled.or(pushed.filter(|value| !value.is_null())) {
            self.session.settings.set_editor(&value);
        }
        if let Some(message) = self.session.settings.take_new_editor_problems() {
            tracing::warn!("{message}");
            self.client
                .show_message(lsp::MessageType::WARNING, message)
                .await;
        }
        self.scheduler.schedule_all();
        // A pulling client re-pulls when asked to; settings change every document's findings.
        if self.support().diagnostic_refresh {
            if let Err(error) = self.client.workspace_diagnostic_refresh().await {
                tracing::debug!("workspace/diagnostic/refresh failed: {error}");
            }
        }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        let workspace = params.capabilities.workspace.as_ref();
        let support = ClientSupport {
            configuration_pull: workspace.and_then(|workspace| workspace.configuration)
                == Some(true),
            watch_registration: workspace
                .and_then(|workspace| workspace.did_change_watched_files.as_ref())
                .and_then(|watched| watched.dynamic_registration)
                == Some(true),
            diagnostic_pull: params
                .capabilities
                .text_document
                .as_ref()
                .is_some_and(|text| text.diagnostic.is_some()),
            diagnostic_refresh: workspace
                .and_then(|workspace| workspace.diagnostics.as_ref())
                .and_then(|diagnostics| diagnostics.refresh_support)
                == Some(true),
            work_done_progress: params
                .capabilities
                .window
                .as_ref()
                .and_then(|window| window.work_done_progress)
                == Some(true),
            line_folding_only: params
                .capabilities
                .text_document
                .as_ref()
                .and_then(|document| document.folding_range.as_ref())
                .and_then(|folding| folding.line_folding_only)
                == Some(true),
        };
        self.scheduler.set_pull_mode(support.diagnostic_pull);
        *self
            .support
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = support;
        let roots = workspace_symbols::workspace_roots(&params);
        self.session.workspace_symbols.set_roots(roots.clone());
        self.session.settings.set_roots(roots);
        if let Some(options) = &params.initialization_options {
            self.session.settings.set_editor(options);
        }
        self.scheduler.start_publisher(self.client.clone());
        Ok(capabilities())
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        if self.support().watch_registration {
            watch::register(&self.client).await;
        }
        self.reload_settings(None).await;
        workspace_symbols::start(
            self.session.clone(),
            self.client.clone(),
            self.support().work_done_progress,
        );
    }

    async fn shutdown(&self) -> Result<()> {
        self.shutdown_requested.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: lsp::DidOpenTextDocumentParams) {
        let document = params.text_document;
        self.session
            .documents
            .open(document.uri.clone(), document.version, document.text);
        self.scheduler.schedule(document.uri);
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        let document = params.text_document;
        if self
            .session
            .documents
            .change(&document.uri, document.version, params.content_changes)
        {
            self.scheduler.schedule(document.uri);
        } else {
            tracing::warn!(
                "change to a document that is not open: {}",
                document.uri.as_str()
            );
        }
    }

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.session.documents.close(&uri);
        self.session.semantic_tokens.forget(&uri);
        workspace_symbols::document_closed(&self.session, &uri);
        let role = flake::role(&uri);
        if role != Role::FlakeLock {
            self.scheduler.clear(uri.clone());
        }
        // The lock's diagnostics follow whichever file of the flake is still open.
        if role != Role::Other {
            self.scheduler.schedule(uri);
        }
    }

    async fn did_change_configuration(&self, params: lsp::DidChangeConfigurationParams) {
        self.reload_settings(Some(params.settings)).await;
    }

    async fn did_change_watched_files(&self, params: lsp::DidChangeWatchedFilesParams) {
        workspace_symbols::files_changed(&self.session, &params.changes);
        if watch::touches_configuration(&params) {
            self.session.settings.clear_files();
            self.scheduler.schedule_all();
            return;
        }
        for lock in watch::changed_locks(&params) {
            // An open lock is the editor's business; a closed one matters while flake.nix is open.
            let flake_nix_open = flake::sibling(&lock)
                .is_some_and(|nix| self.session.documents.version(&nix).is_some());
            if self.session.documents.version(&lock).is_none() && flake_nix_open {
                self.scheduler.schedule(lock);
            }
        }
    }

    async fn execute_command(
        &self,
        params: lsp::ExecuteCommandParams,
    ) -> Result<Option<serde_json::Value>> {
        let request = command::parse(&params).map_err(|message| {
            let mut error = tower_lsp_server::jsonrpc::Error::invalid_params(message);
            error.data = Some(serde_json::json!({"command": params.command}));
            error
        })?;
        let (kind, message) =
            command::run(&self.session.nix, &self.session.nix_runs, &request).await;
        if kind == lsp::MessageType::INFO {
            tracing::info!("{message}");
        } else {
            tracing::warn!("{message}");
        }
        self.client.show_message(kind, message).await;
        // The lock may have changed; a watching client reports it too, but not every client watches.
        self.scheduler.schedule(request.uri);
        Ok(None)
    }

    async fn code_action(
        &self,
        params: lsp::CodeActionParams,
    ) -> Result<Option<lsp::CodeActionResponse>> {
        Ok(code_action::code_actions(&self.session, params).await)
    }

    async fn hover(&self, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        Ok(hover::hover(&self.session, &params).await)
    }

    async fn goto_definition(
        &self,
        params: lsp::GotoDefinitionParams,
    ) -> Result<Option<lsp::GotoDefinitionResponse>> {
        Ok(definition::definition(&self.session, params).await)
    }

    async fn references(&self, params: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        Ok(references::references(&self.session, params).await)
    }

    async fn document_highlight(
        &self,
        params: lsp::DocumentHighlightParams,
    ) -> Result<Option<Vec<lsp::DocumentHighlight>>> {
        Ok(highlight::highlight(&self.session, params).await)
    }

    async fn prepare_rename(
        &self,
        params: lsp::TextDocumentPositionParams,
    ) -> Result<Option<lsp::PrepareRenameResponse>> {
        rename::prepare(&self.session, params).await
    }

    async fn rename(&self, params: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
        rename::rename(&self.session, params).await
    }

    async fn completion(
        &self,
        params: lsp::CompletionParams,
    ) -> Result<Option<lsp::CompletionResponse>> {
        Ok(completion::completion(&self.session, params).await)
    }

    async fn formatting(
        &self,
        params: lsp::DocumentFormattingParams,
    ) -> Result<Option<Vec<lsp::TextEdit>>> {
        match formatting::format(&self.session, &params).await {
            Ok(edits) => Ok(edits),
            Err(error) => {
                tracing::warn!("{}", error.0);
                self.client
                    .show_message(lsp::MessageType::ERROR, error.0.clone())
                    .await;
                Err(formatting::to_rpc_error(&error))
            }
        }
    }

    async fn diagnostic(
        &self,
        params: lsp::DocumentDiagnosticParams,
    ) -> Result<lsp::DocumentDiagnosticReportResult> {
        Ok(pull_diagnostics::document(&self.client, &self.session, params).await)
    }

    async fn workspace_diagnostic(
        &self,
        params: lsp::WorkspaceDiagnosticParams,
    ) -> Result<lsp::WorkspaceDiagnosticReportResult> {
        Ok(pull_diagnostics::workspace(&self.client, &self.session, params).await)
    }

    async fn document_symbol(
        &self,
        params: lsp::DocumentSymbolParams,
    ) -> Result<Option<lsp::DocumentSymbolResponse>> {
        Ok(document_symbols::document_symbols(&self.session, &params).await)
    }

    async fn symbol(
        &self,
        params: lsp::WorkspaceSymbolParams,
    ) -> Result<Option<lsp::WorkspaceSymbolResponse>> {
        Ok(workspace_symbols::query(&self.session, &params).await)
    }

    async fn folding_range(
        &self,
        params: lsp::FoldingRangeParams,
    ) -> Result<Option<Vec<lsp::FoldingRange>>> {
        let line_folding_only = self.support().line_folding_only;
        Ok(folding_ranges::folding_ranges(&self.session, &params, line_folding_only).await)
    }

    async fn selection_range(
        &self,
        params: lsp::SelectionRangeParams,
    ) -> Result<Option<Vec<lsp::SelectionRange>>> {
        Ok(selection_ranges::selection_ranges(&self.session, params).await)
    }

    async fn semantic_tokens_full(
        &self,
        params: lsp::SemanticTokensParams,
    ) -> Result<Option<lsp::SemanticTokensResult>> {
        Ok(semantic_tokens::full(&self.session, &params).await)
    }

    async fn semantic_tokens_full_delta(
        &self,
        params: lsp::SemanticTokensDeltaParams,
    ) -> Result<Option<lsp::SemanticTokensFullDeltaResult>> {
        Ok(semantic_tokens::delta(&self.session, &params).await)
    }

    async fn semantic_tokens_range(
        &self,
        params: lsp::SemanticTokensRangeParams,
    ) -> Result<Option<lsp::SemanticTokensRangeResult>> {
        Ok(semantic_tokens::range(&self.session, &params).await)
    }

    async fn document_link(
        &self,
        params: lsp::DocumentLinkParams,
    ) -> Result<Option<Vec<lsp::DocumentLink>>> {
        Ok(document_links::document_links(&self.session, &params).await)
    }

    async fn inlay_hint(
        &self,
        params: lsp::InlayHintParams,
    ) -> Result<Option<Vec<lsp::InlayHint>>> {
        Ok(inlay_hints::inlay_hints(&self.session, &params).await)
    }
}

fn capabilities() -> lsp::InitializeResult {
    lsp::InitializeResult {
        capabilities: lsp::ServerCapabilities {
            position_encoding: Some(lsp::PositionEncodingKind::UTF16),
            text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
                lsp::TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                    ..lsp::TextDocumentSyncOptions::default()
                },
            )),
            code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
                lsp::CodeActionOptions {
                    code_action_kinds: Some(code_action::kinds()),
                    resolve_provider: Some(false),
                    ..lsp::CodeActionOptions::default()
                },
            )),
            hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
            completion_provider: Some(lsp::CompletionOptions {
                trigger_characters: Some(completion::trigger_characters()),
                ..lsp::CompletionOptions::default()
            }),
            document_formatting_provider: Some(lsp::OneOf::Left(true)),
            diagnostic_provider: Some(lsp::DiagnosticServerCapabilities::Options(
                lsp::DiagnosticOptions {
                    identifier: Some("nixwise".to_owned()),
                    // flake.lock's findings depend on flake.nix and the other way round.
                    inter_file_dependencies: true,
                    workspace_diagnostics: true,
                    ..lsp::DiagnosticOptions::default()
                },
            )),
            definition_provider: Some(lsp::OneOf::Left(true)),
            references_provider: Some(lsp::OneOf::Left(true)),
            document_highlight_provider: Some(lsp::OneOf::Left(true)),
            rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: lsp::WorkDoneProgressOptions::default(),
            })),
            execute_command_provider: Some(lsp::ExecuteCommandOptions {
                commands: command::names(),
                ..lsp::ExecuteCommandOptions::default()
            }),
            document_symbol_provider: Some(lsp::OneOf::Left(true)),
            workspace_symbol_provider: Some(lsp::OneOf::Left(true)),
            folding_range_provider: Some(lsp::FoldingRangeProviderCapability::Simple(true)),
            selection_range_provider: Some(lsp::SelectionRangeProviderCapability::Simple(true)),
            semantic_tokens_provider: Some(
                lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(
                    lsp::SemanticTokensOptions {
                        legend: convert::semantic_tokens_legend(),
                        range: Some(true),
                        full: Some(lsp::SemanticTokensFullOptions::Delta { delta: Some(true) }),
                        ..lsp::SemanticTokensOptions::default()
                    },
                ),
            ),
            document_link_provider: Some(lsp::DocumentLinkOptions {
                resolve_provider: Some(false),
                work_done_progress_options: lsp::WorkDoneProgressOptions::default(),
            }),
            inlay_hint_provider: Some(lsp::OneOf::Left(true)),
            ..lsp::ServerCapabilities::default()
        },
        server_info: Some(lsp::ServerInfo {
            name: "nixwise".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
        ..lsp::InitializeResult::default()
    }
}
