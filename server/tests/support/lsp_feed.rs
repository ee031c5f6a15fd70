//! Feeding raw bytes to the language server in this process, shared by the property tests
//! (`server/tests/lsp_abuse.rs`) and the fuzz target `lsp_messages`: whatever comes in, the
//! server must end when its input ends, never hang, and write only well-framed JSON-RPC.
#![allow(dead_code)]

use std::ffi::OsString;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Notify;

/// Frames one message body with its `Content-Length` header.
pub fn frame(body: &[u8]) -> Vec<u8> {
    nixwise::lsp::transport::frame(body)
}

/// Writes `input` to a fresh server, closes its input and returns everything it wrote. Panics if
/// the server does not end within a generous safety net after its input ended.
pub async fn feed(input: &[u8]) -> Vec<u8> {
    feed_steps(vec![(input.to_vec(), None)]).await
}

/// Like [`feed`], in steps: after writing each step's bytes, waits (as a client does) for the
/// response to the step's request id, if it names one, before writing the next step.
pub async fn feed_steps(steps: Vec<(Vec<u8>, Option<Value>)>) -> Vec<u8> {
    let (client_side, server_side) = tokio::io::duplex(1 << 16);
    let (server_read, server_write) = tokio::io::split(server_side);
    let nix = nixwise::lsp::NixOptions {
        // No `nix` for the server to find: a fuzzed `executeCommand` must not run anything.
        search_path: Some(OsString::new()),
        timeout: Duration::from_secs(1),
    };
    let (service, socket) = tower_lsp_server::LspService::new(move |client| {
        nixwise::lsp::Backend::with_nix(client, nix)
    });
    let server = tokio::spawn(nixwise::lsp::transport::serve(
        server_read,
        server_write,
        service,
        socket,
    ));
    let (mut read, mut write) = tokio::io::split(client_side);
    let output = Arc::new(Mutex::new(Vec::new()));
    let arrived = Arc::new(Notify::new());
    let writer = {
        let output = Arc::clone(&output);
        let arrived = Arc::clone(&arrived);
        tokio::spawn(async move {
            for (bytes, wait_for) in steps {
                // The server may stop reading (after `exit`), so a failed write is not an error.
                if write.write_all(&bytes).await.is_err() {
                    break;
                }
                let Some(id) = wait_for else { continue };
                let answered = async {
                    loop {
                        let notified = arrived.notified();
                        let text = output.lock().expect("no panic holding the lock").clone();
                        if answered_in(&text, &id) {
                            break;
                        }
                        notified.await;
                    }
                };
                tokio::time::timeout(Duration::from_secs(60), answered)
                    .await
                    .unwrap_or_else(|_| panic!("no response to {id}"));
            }
            let _ = write.shutdown().await;
            write
        })
    };
    let reader = {
        let output = Arc::clone(&output);
        tokio::spawn(async move {
            let mut chunk = vec![0; 1 << 16];
            while let Ok(read) = read.read(&mut chunk).await {
                if read == 0 {
                    break;
                }
                output
                    .lock()
                    .expect("no panic holding the lock")
                    .extend_from_slice(&chunk[..read]);
                arrived.notify_one();
            }
        })
    };
    let ended = tokio::time::timeout(Duration::from_secs(60), server).await;
    assert!(
        ended.is_ok(),
        "the server did not end after its input ended"
    );
    let write = writer.await.expect("the writer task does not panic");
    drop(write);
    tokio::time::timeout(Duration::from_secs(60), reader)
        .await
        .expect("the output ends once the server has ended")
        .expect("the reader task does not panic");
    let output = output.lock().expect("no panic holding the lock").clone();
    output
}

/// Whether the whole frames in `output` hold the response to request `id`.
fn answered_in(output: &[u8], id: &Value) -> bool {
    let mut rest = output;
    while let Some(end) = rest.windows(4).position(|window| window == b"\r\n\r\n") {
        let Some(length) = std::str::from_utf8(&rest[..end])
            .ok()
            .and_then(|header| {
                header
                    .lines()
                    .find_map(|line| line.strip_prefix("Content-Length: "))
            })
            .and_then(|length| length.trim().parse::<usize>().ok())
        else {
            return false;
        };
        let Some(body) = rest.get(end + 4..end + 4 + length) else {
            return false;
        };
        if let Ok(message) = serde_json::from_slice::<Value>(body) {
            if message.get("id") == Some(id) && message.get("method").is_none() {
                return true;
            }
        }
        rest = &rest[end + 4 + length..];
    }
    false
}

/// Splits the server's output into messages, panicking on a frame that is not a
/// `Content-Length` header followed by that many bytes of JSON-RPC 2.0.
pub fn messages(mut output: &[u8]) -> Vec<Value> {
    let mut messages = Vec::new();
    while !output.is_empty() {
        let end = output
            .windows(4)
            .position(|window| window == b"\r\n\r\n")
            .expect("every message has a header ended by an empty line");
        let header = std::str::from_utf8(&output[..end]).expect("headers are ASCII");
        let length: usize = header
            .lines()
            .find_map(|line| line.strip_prefix("Content-Length: "))
            .expect("a Content-Length header")
            .trim()
            .parse()
            .expect("a decimal length");
        let body = &output[end + 4..end + 4 + length];
        let message: Value = serde_json::from_slice(body).expect("the body is JSON");
        assert_eq!(message["jsonrpc"], "2.0", "{message}");
        messages.push(message);
        output = &output[end + 4 + length..];
    }
    messages
}
