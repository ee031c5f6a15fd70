//! A small LSP client for tests: Content-Length framing, requests with responses, answers to the
//! server's own requests, and waiting for notifications. Timeouts are a safety net against a hung
//! test, never a statement about speed.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::{oneshot, Notify};

/// Starts the built `nixwise server` in `folder` and connects a client to its stdin and stdout.
/// The process is killed when the returned child is dropped.
pub fn spawn_server(folder: &std::path::Path) -> (tokio::process::Child, TestClient) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_nixwise"))
        .arg("server")
        .current_dir(folder)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let stdin = child.stdin.take().expect("piped");
    let stdout = child.stdout.take().expect("piped");
    (child, TestClient::connect(stdout, stdin))
}

/// How long a test waits for something that should come before giving up with a clear message.
const SAFETY_NET: Duration = Duration::from_secs(60);

type Writer = Arc<tokio::sync::Mutex<Box<dyn AsyncWrite + Send + Unpin>>>;

pub struct TestClient {
    writer: Writer,
    next_id: AtomicI64,
    pending: Arc<Mutex<HashMap<i64, oneshot::Sender<Value>>>>,
    notifications: Arc<Mutex<Vec<Value>>>,
    server_requests: Arc<Mutex<Vec<Value>>>,
    arrived: Arc<Notify>,
    /// The answer to `workspace/configuration` for the `nixwise` section.
    configuration: Arc<Mutex<Value>>,
}

impl TestClient {
    /// A client talking to a server in this process over an in-memory pipe.
    pub fn in_process() -> TestClient {
        TestClient::in_process_with_nix(nixwise::lsp::NixOptions::default())
    }

    /// A client talking to a server in this process that looks `nix` up and runs it as `nix`
    /// says, so that a test never depends on the machine's own Nix.
    pub fn in_process_with_nix(nix: nixwise::lsp::NixOptions) -> TestClient {
        let (client_side, server_side) = tokio::io::duplex(1 << 16);
        let (server_read, server_write) = tokio::io::split(server_side);
        let (service, socket) = tower_lsp_server::LspService::new(move |client| {
            nixwise::lsp::Backend::with_nix(client, nix)
        });
        tokio::spawn(
            tower_lsp_server::Server::new(server_read, server_write, socket)
                .serve(nixwise::lsp::Offload(service)),
        );
        let (read, write) = tokio::io::split(client_side);
        TestClient::connect(read, write)
    }

    /// A client on any pair of byte streams, for example a child process's stdout and stdin.
    pub fn connect(
        read: impl AsyncRead + Send + Unpin + 'static,
        write: impl AsyncWrite + Send + Unpin + 'static,
    ) -> TestClient {
        let client = TestClient {
            writer: Arc::new(tokio::sync::Mutex::new(Box::new(write))),
            next_id: AtomicI64::new(1),
            pending: Arc::default(),
            notifications: Arc::default(),
            server_requests: Arc::default(),
            arrived: Arc::default(),
            configuration: Arc::new(Mutex::new(Value::Null)),
        };
        tokio::spawn(read_loop(
            BufReader::new(read),
            client.writer.clone(),
            client.pending.clone(),
            client.notifications.clone(),
            client.server_requests.clone(),
            client.arrived.clone(),
            client.configuration.clone(),
        ));
        client
    }

    /// Sets what the client answers when the server pulls the `nixwise` section.
    pub fn set_configuration(&self, value: Value) {
        *self.configuration.lock().expect("not poisoned") = value;
    }

    pub async fn request(&self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params).await;
        if let Some(error) = response.get("error") {
            panic!("`{method}` failed: {error}");
        }
        response.get("result").cloned().unwrap_or(Value::Null)
    }

    /// The whole response to a request, error or result.
    pub async fn request_raw(&self, method: &str, params: Value) -> Value {
        let (_, receiver) = self.send_request(method, params).await;
        tokio::time::timeout(SAFETY_NET, receiver)
            .await
            .unwrap_or_else(|_| panic!("no response to `{method}`"))
            .expect("the reader is alive")
    }

    /// Sends a request without waiting: its id (for `$/cancelRequest`) and where its response
    /// will arrive.
    pub async fn send_request(
        &self,
        method: &str,
        params: Value,
    ) -> (i64, oneshot::Receiver<Value>) {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let (sender, receiver) = oneshot::channel();
        self.pending
            .lock()
            .expect("not poisoned")
            .insert(id, sender);
        send(
            &self.writer,
            &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
        )
        .await;
        (id, receiver)
    }

    pub async fn notify(&self, method: &str, params: Value) {
        send(
            &self.writer,
            &json!({"jsonrpc": "2.0", "method": method, "params": params}),
        )
        .await;
    }

    /// `initialize` with the given client capabilities and options, then `initialized`.
    pub async fn initialize(&self, capabilities: Value, options: Option<Value>) -> Value {
        let mut params = json!({"processId": null, "rootUri": null, "capabilities": capabilities});
        if let Some(options) = options {
            params["initializationOptions"] = options;
        }
        let result = self.request("initialize", params).await;
        self.notify("initialized", json!({})).await;
        result
    }

    pub async fn open(&self, uri: &str, version: i32, text: &str) {
        self.open_as(uri, "nix", version, text).await;
    }

    pub async fn open_as(&self, uri: &str, language: &str, version: i32, text: &str) {
        let document =
            json!({"uri": uri, "languageId": language, "version": version, "text": text});
        self.notify("textDocument/didOpen", json!({"textDocument": document}))
            .await;
    }

    /// Replaces `range` (`[line, character, line, character]`, UTF-16) with `text`.
    pub async fn change(&self, uri: &str, version: i32, range: [u32; 4], text: &str) {
        let [l1, c1, l2, c2] = range;
        let change = json!({
            "range": {"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}},
            "text": text,
        });
        let document = json!({"uri": uri, "version": version});
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": document, "contentChanges": [change]}),
        )
        .await;
    }

    pub async fn close(&self, uri: &str) {
        self.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        )
        .await;
    }

    /// Every notification of `method` received so far, in order.
    pub fn notifications(&self, method: &str) -> Vec<Value> {
        let all = self.notifications.lock().expect("not poisoned");
        all.iter()
            .filter(|message| message["method"] == method)
            .map(|message| message["params"].clone())
            .collect()
    }

    /// The server's requests to the client so far.
    pub fn server_requests(&self, method: &str) -> Vec<Value> {
        let all = self.server_requests.lock().expect("not poisoned");
        all.iter()
            .filter(|message| message["method"] == method)
            .map(|message| message["params"].clone())
            .collect()
    }

    /// Waits until `done` holds for the notifications of `method` received so far.
    pub async fn wait_until(
        &self,
        method: &str,
        what: &str,
        done: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let waiting = async {
            loop {
                let arrived = self.arrived.notified();
                let received = self.notifications(method);
                if done(&received) {
                    return received;
                }
                arrived.await;
            }
        };
        match tokio::time::timeout(SAFETY_NET, waiting).await {
            Ok(received) => received,
            Err(_) => panic!(
                "gave up waiting for {what}; got {:#?}",
                self.notifications(method)
            ),
        }
    }

    /// The first notification of `method` received that satisfies `matches`.
    pub async fn wait_for(&self, method: &str, matches: impl Fn(&Value) -> bool) -> Value {
        let received = self
            .wait_until(method, method, |all| all.iter().any(&matches))
            .await;
        received
            .into_iter()
            .find(|params| matches(params))
            .expect("found above")
    }

    /// The diagnostics published for `uri` at `version`, without `undefined-variable`: the
    /// snippets of these protocol tests use free names such as `x`, and that lint has tests of
    /// its own.
    pub async fn diagnostics(&self, uri: &str, version: i32) -> Vec<Value> {
        let published = self
            .wait_until(
                "textDocument/publishDiagnostics",
                &format!("diagnostics of {uri} v{version}"),
                |all| {
                    all.iter()
                        .any(|params| params["uri"] == uri && params["version"] == version)
                },
            )
            .await;
        let params = published
            .into_iter()
            .rev()
            .find(|params| params["uri"] == uri && params["version"] == version)
            .expect("found above");
        params["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|diagnostic| diagnostic["code"] != "undefined-variable")
            .collect()
    }

    pub async fn code_actions(
        &self,
        uri: &str,
        diagnostics: &[Value],
        only: Option<Value>,
    ) -> Vec<Value> {
        let range = diagnostics.first().map_or_else(
            || json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}),
            |diagnostic| diagnostic["range"].clone(),
        );
        let mut context = json!({"diagnostics": diagnostics});
        if let Some(only) = only {
            context["only"] = only;
        }
        let params = json!({"textDocument": {"uri": uri}, "range": range, "context": context});
        self.request("textDocument/codeAction", params)
            .await
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

/// Capabilities of a client that can answer configuration pulls and watch files.
pub fn full_capabilities() -> Value {
    json!({
        "workspace": {
            "configuration": true,
            "didChangeConfiguration": {"dynamicRegistration": false},
            "didChangeWatchedFiles": {"dynamicRegistration": true},
        },
        "textDocument": {
            "publishDiagnostics": {"versionSupport": true, "relatedInformation": true},
            "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source"]}}},
            "hover": {"contentFormat": ["markdown"]},
        },
    })
}

/// Applies the edits of a code action to `text`; positions are UTF-16 as on the wire, computed
/// here independently of the server.
pub fn apply_action(text: &str, action: &Value, uri: &str) -> String {
    let edits = action["edit"]["changes"][uri]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("no edits for {uri} in {action}"));
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|edit| {
            let start = utf16_offset(text, &edit["range"]["start"]);
            let end = utf16_offset(text, &edit["range"]["end"]);
            (
                start,
                end,
                edit["newText"].as_str().expect("a string").to_owned(),
            )
        })
        .collect();
    spans.sort_by_key(|(start, end, _)| (*start, *end));
    let mut out = text.to_owned();
    for (start, end, new_text) in spans.into_iter().rev() {
        out.replace_range(start..end, &new_text);
    }
    out
}

fn utf16_offset(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().expect("a line") as usize;
    let character = position["character"].as_u64().expect("a character") as usize;
    let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (offset, ch) in text[line_start..].char_indices() {
        if units >= character || ch == '\n' {
            return line_start + offset;
        }
        units += ch.len_utf16();
    }
    text.len()
}

async fn send(writer: &Writer, message: &Value) {
    let body = serde_json::to_vec(message).expect("serializable");
    let mut writer = writer.lock().await;
    let header = format!("Content-Length: {}\r\n\r\n", body.len());
    writer
        .write_all(header.as_bytes())
        .await
        .expect("the server reads");
    writer.write_all(&body).await.expect("the server reads");
    writer.flush().await.expect("the server reads");
}

async fn read_message(reader: &mut (impl AsyncBufReadExt + Unpin)) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            }
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).await.ok()?;
    serde_json::from_slice(&body).ok()
}

async fn read_loop(
    mut reader: BufReader<impl AsyncRead + Unpin>,
    writer: Writer,
    pending: Arc<Mutex<HashMap<i64, oneshot::Sender<Value>>>>,
    notifications: Arc<Mutex<Vec<Value>>>,
    server_requests: Arc<Mutex<Vec<Value>>>,
    arrived: Arc<Notify>,
    configuration: Arc<Mutex<Value>>,
) {
    while let Some(message) = read_message(&mut reader).await {
        match (
            message.get("id"),
            message.get("method").and_then(Value::as_str),
        ) {
            (Some(id), Some(method)) => {
                let result = match method {
                    "workspace/configuration" => {
                        let items = message["params"]["items"].as_array().map_or(0, Vec::len);
                        let answer = configuration.lock().expect("not poisoned").clone();
                        Value::Array(vec![answer; items])
                    }
                    _ => Value::Null,
                };
                server_requests
                    .lock()
                    .expect("not poisoned")
                    .push(message.clone());
                send(
                    &writer,
                    &json!({"jsonrpc": "2.0", "id": id, "result": result}),
                )
                .await;
            }
            (None, Some(_)) => notifications.lock().expect("not poisoned").push(message),
            (Some(id), None) => {
                let sender = id
                    .as_i64()
                    .and_then(|id| pending.lock().expect("not poisoned").remove(&id));
                if let Some(sender) = sender {
                    let _ = sender.send(message);
                }
            }
            (None, None) => {}
        }
        arrived.notify_waiters();
    }
}
