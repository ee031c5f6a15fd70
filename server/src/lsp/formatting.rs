//! `textDocument/formatting` through an external formatter: the command named in the editor
//! settings (`nixwise.formatter.command`, default `nixfmt` looked up on `PATH`) gets the document
//! on stdin and its stdout replaces the document as one edit. When the command is missing, fails,
//! runs past its timeout or prints something other than UTF-8, the document is left untouched and
//! the user is told why.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

use super::convert;
use super::session::Session;
use super::settings::FormatterSettings;

/// LSP's `RequestFailed`: the request was valid but the server could not carry it out.
const REQUEST_FAILED: i64 = -32803;

/// Why a document could not be formatted, in words for the user.
#[derive(Debug)]
pub struct FormatError(pub String);

pub async fn format(
    session: &Arc<Session>,
    params: &lsp::DocumentFormattingParams,
) -> Result<Option<Vec<lsp::TextEdit>>, FormatError> {
    let uri = &params.text_document.uri;
    let Some(snapshot) = session.documents.snapshot(uri) else {
        return Ok(None);
    };
    let settings = session.settings.formatter();
    let folder = snapshot
        .path
        .as_deref()
        .and_then(std::path::Path::parent)
        .map(std::path::Path::to_path_buf);
    let formatted = run(&settings, &snapshot.text, folder.as_deref()).await?;
    if session.documents.version(uri) != Some(snapshot.version) {
        // The edit would apply to text the formatter never saw.
        return Ok(None);
    }
    if formatted == *snapshot.text {
        return Ok(Some(Vec::new()));
    }
    let whole = syntax::TextRange::up_to(syntax::TextSize::of(&*snapshot.text));
    Ok(Some(vec![lsp::TextEdit {
        range: convert::range(&snapshot.index, whole),
        new_text: formatted,
    }]))
}

/// The JSON-RPC error for a failed formatting request.
pub fn to_rpc_error(error: &FormatError) -> jsonrpc::Error {
    jsonrpc::Error {
        code: jsonrpc::ErrorCode::ServerError(REQUEST_FAILED),
        message: error.0.clone().into(),
        data: None,
    }
}

/// Runs the formatter on `text` and returns what it printed.
pub async fn run(
    settings: &FormatterSettings,
    text: &str,
    folder: Option<&std::path::Path>,
) -> Result<String, FormatError> {
    let Some((program, args)) = settings.command.split_first() else {
        return Err(FormatError(
            "nixwise: no formatter configured (`nixwise.formatter.command` is empty)".to_owned(),
        ));
    };
    let shown = settings.command.join(" ");
    let mut command = tokio::process::Command::new(program);
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(folder) = folder.filter(|folder| folder.is_dir()) {
        command.current_dir(folder);
    }
    let mut child = command.spawn().map_err(|error| {
        FormatError(match error.kind() {
            std::io::ErrorKind::NotFound => format!(
                "nixwise: the formatter `{program}` was not found; install it or set \
                 `nixwise.formatter.command`"
            ),
            _ => format!("nixwise: cannot start the formatter `{shown}`: {error}"),
        })
    })?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = text.to_owned();
    // Written beside the reading of the output, so that a large document cannot fill both pipes.
    let writer = tokio::spawn(async move {
        let written = stdin.write_all(input.as_bytes()).await;
        drop(stdin);
        written
    });
    let timeout = Duration::from_secs(settings.timeout_seconds);
    let output = match tokio::time::timeout(timeout, child.wait_with_output()).await {
        Ok(Ok(output)) => output,
        Ok(Err(error)) => {
            return Err(FormatError(format!(
                "nixwise: the formatter `{shown}` failed: {error}"
            )))
        }
        // Dropping the child kills it.
        Err(_) => {
            return Err(FormatError(format!(
                "nixwise: the formatter `{shown}` did not finish within {} s; the document is unchanged",
                settings.timeout_seconds
            )))
        }
    };
    if let Ok(Err(error)) = writer.await {
        // A formatter that stops reading early and still succeeds has said what it had to say.
        tracing::debug!("writing to the formatter: {error}");
    }
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let detail: Vec<&str> = stderr
            .lines()
            .filter(|line| !line.trim().is_empty())
            .take(5)
            .collect();
        let status = match output.status.code() {
            Some(code) => format!("exit status {code}"),
            None => "killed by a signal".to_owned(),
        };
        let mut message = format!(
            "nixwise: the formatter `{shown}` failed ({status}); the document is unchanged"
        );
        if !detail.is_empty() {
            message.push_str(": ");
            message.push_str(&detail.join(" / "));
        }
        return Err(FormatError(message));
    }
    String::from_utf8(output.stdout).map_err(|_| {
        FormatError(format!(
            "nixwise: the formatter `{shown}` printed text that is not UTF-8; the document is unchanged"
        ))
    })
}
