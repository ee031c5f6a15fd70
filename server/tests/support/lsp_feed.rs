//! Feeding raw bytes to the language server in this process, shared by the property tests
//! (`server/tests/lsp_abuse.rs`) and the fuzz target `lsp_messages`: whatever comes in, the
//! server must end when its input ends, never hang, and write only well-framed JSON-RPC.
#![allow(dead_code)]

use std::ffi::OsString;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Frames one message body with its `Content-Length` header.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// Writes `input` to a fresh server, closes its input and returns everything it wrote. Panics if
/// the server does not end within a generous safety net after its input ended.
pub async fn feed(input: &[u8]) -> Vec<u8> {
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
    let server = tokio::spawn(
        tower_lsp_server::Server::new(server_read, server_write, socket)
            .serve(nixwise::lsp::Offload(service)),
    );
    let (mut read, mut write) = tokio::io::split(client_side);
    let input = input.to_vec();
    let writer = tokio::spawn(async move {
        // The server may stop reading (after `exit`), so a failed write is not an error.
        let _ = write.write_all(&input).await;
        let _ = write.shutdown().await;
        write
    });
    let reader = tokio::spawn(async move {
        let mut output = Vec::new();
        let _ = read.read_to_end(&mut output).await;
        output
    });
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
        .expect("the reader task does not panic")
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
