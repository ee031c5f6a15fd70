//! The language server: `nixwise server` speaks LSP over stdin and stdout.
//!
//! `backend.rs` answers the protocol and hands each request to one feature module;
//! `convert.rs` is the only place where nixwise types become LSP types.

mod backend;
mod builtin_docs;
mod code_action;
mod command;
mod completion;
mod convert;
mod definition;
mod diagnostics;
mod document_links;
mod document_symbols;
mod documents;
mod flake;
mod folding_ranges;
mod formatting;
mod highlight;
mod hover;
mod inlay_hints;
mod offload;
mod pull_diagnostics;
mod references;
mod rename;
mod selection_ranges;
mod semantic_tokens;
mod session;
mod settings;
pub mod transport;
mod watch;
mod worker;
mod workspace_symbols;

use std::process::ExitCode;
use std::sync::atomic::Ordering;

pub use backend::Backend;
pub use command::NixOptions;
pub use offload::Offload;
use tower_lsp_server::LspService;

/// The environment variable that filters the server's logs (`warn` when unset), e.g.
/// `NIXWISE_LOG=nixwise=debug`.
pub const LOG_ENV: &str = "NIXWISE_LOG";

/// Runs the server on stdin and stdout until the client sends `exit` or closes stdin.
pub fn run_stdio() -> ExitCode {
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!("cannot start the async runtime: {error}");
            return ExitCode::from(2);
        }
    };
    let clean_exit = runtime.block_on(async {
        let (service, socket) = LspService::new(Backend::new);
        let shutdown = service.inner().shutdown_flag();
        transport::serve(tokio::io::stdin(), tokio::io::stdout(), service, socket).await;
        shutdown.load(Ordering::SeqCst)
    });
    // Lint threads still running for a document are of no use any more.
    runtime.shutdown_background();
    // LSP: exit code 0 after a `shutdown` request, 1 otherwise.
    if clean_exit {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Logs go to stderr: stdout belongs to the protocol.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env(LOG_ENV)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
