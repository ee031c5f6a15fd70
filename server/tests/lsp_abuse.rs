//! The server under abuse: broken framing and JSON, wrong parameter types, unknown methods,
//! requests out of order, positions past the end, edits to documents never opened, bursts of
//! edits, cancellations and concurrent requests. The server answers with the right JSON-RPC
//! error and goes on; its memory does not grow over ten thousand edits of one document.

mod common;

#[path = "support/lsp_feed.rs"]
mod lsp_feed;

use std::sync::Arc;

use common::{full_capabilities, TestClient};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngAlgorithm, RngSeed};
use serde_json::{json, Value};

const URI: &str = "file:///nixwise-abuse/a.nix";

fn framed(messages: &[Value]) -> Vec<u8> {
    messages
        .iter()
        .flat_map(|message| lsp_feed::frame(message.to_string().as_bytes()))
        .collect()
}

fn initialize(id: i64) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "initialize", "params": {"capabilities": {}}})
}

fn hover(id: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover", "params": {
        "textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}}})
}

/// The response to request `id` in the server's output.
fn response(messages: &[Value], id: Value) -> &Value {
    messages
        .iter()
        .find(|message| message.get("id") == Some(&id) && message.get("method").is_none())
        .unwrap_or_else(|| panic!("no response to {id} in {messages:#?}"))
}

fn error_code(message: &Value) -> Option<i64> {
    message["error"]["code"].as_i64()
}

/// The server's output for `input`, sent once `initialize` (id 1) is answered.
async fn after_initialize(input: Vec<u8>) -> Vec<Value> {
    let steps = vec![(framed(&[initialize(1)]), Some(json!(1))), (input, None)];
    lsp_feed::messages(&lsp_feed::feed_steps(steps).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_before_initialize_and_after_shutdown_are_refused() {
    // A client waits for the answers to `initialize` and `shutdown` before it goes on.
    let output = lsp_feed::feed_steps(vec![
        (framed(&[hover(json!(1)), initialize(2)]), Some(json!(2))),
        (
            framed(&[
                json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
                hover(json!(3)),
                json!({"jsonrpc": "2.0", "id": 4, "method": "shutdown"}),
            ]),
            Some(json!(4)),
        ),
        (framed(&[hover(json!(5)), initialize(6)]), None),
    ])
    .await;
    let messages = lsp_feed::messages(&output);
    // -32002: server not initialized.
    assert_eq!(error_code(response(&messages, json!(1))), Some(-32002));
    assert!(response(&messages, json!(2))["result"]["capabilities"].is_object());
    assert!(response(&messages, json!(3)).get("error").is_none());
    assert!(response(&messages, json!(4)).get("error").is_none());
    // -32600: invalid request, after shutdown.
    assert_eq!(error_code(response(&messages, json!(5))), Some(-32600));
    assert!(response(&messages, json!(6)).get("error").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_json_unknown_methods_and_wrong_types_get_errors_and_the_server_goes_on() {
    let mut input = lsp_feed::frame(b"{\"jsonrpc\": \"2.0\", \"id\": 2, \"method\": ");
    input.extend(lsp_feed::frame(b"\xff\xfe not even text"));
    input.extend(framed(&[
        json!({"jsonrpc": "2.0", "id": 3, "method": "nixwise/noSuchMethod", "params": {}}),
        json!({"jsonrpc": "2.0", "id": 4, "method": "textDocument/hover",
               "params": {"textDocument": 7, "position": "here"}}),
        json!({"jsonrpc": "2.0", "id": 5, "method": "textDocument/codeAction", "params": []}),
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": null}}),
        json!({"jsonrpc": "2.0", "method": "nixwise/unknownNotification", "params": 1}),
        json!([1, 2, 3]),
        json!({"jsonrpc": "1.0", "id": 6, "method": "shutdown"}),
        hover(json!("a string id")),
    ]));
    let messages = after_initialize(input).await;
    assert!(
        messages
            .iter()
            .any(|message| error_code(message) == Some(-32700)),
        "a parse error answers the broken JSON: {messages:#?}"
    );
    // -32601: method not found; -32602: invalid params.
    assert_eq!(error_code(response(&messages, json!(3))), Some(-32601));
    assert_eq!(error_code(response(&messages, json!(4))), Some(-32602));
    assert_eq!(error_code(response(&messages, json!(5))), Some(-32602));
    // Still answering after all of it.
    assert!(response(&messages, json!("a string id"))
        .get("error")
        .is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_headers_are_skipped_and_later_messages_answered() {
    let mut input = b"Content-Length: banana\r\n\r\n{}".to_vec();
    input.extend(b"Content-Type: text/plain\r\n\r\n");
    input.extend(b"garbage without any header\r\n\r\n");
    input.extend(b"Content-Length: 99999999999999999999999\r\n\r\n");
    input.extend(framed(&[hover(json!(2))]));
    let messages = after_initialize(input).await;
    assert!(response(&messages, json!(1))["result"].is_object());
    assert!(
        messages
            .iter()
            .any(|message| message.get("id") == Some(&json!(2))),
        "the server found its way back to the next well-framed message: {messages:#?}"
    );
}

async fn started() -> TestClient {
    let client = TestClient::in_process();
    // Formatting runs a program; `cat` gives the document back, so no formatter need be installed.
    let settings = json!({"formatter": {"command": ["cat"]}});
    client.set_configuration(settings.clone());
    client.initialize(full_capabilities(), Some(settings)).await;
    client
}

/// Every position request of the server, at `position` in `uri`.
fn position_requests(uri: &str, position: Value) -> Vec<(&'static str, Value)> {
    let document = json!({"uri": uri});
    let range = json!({"start": position, "end": position});
    vec![
        (
            "textDocument/hover",
            json!({"textDocument": document, "position": position}),
        ),
        (
            "textDocument/codeAction",
            json!({"textDocument": document, "range": range, "context": {"diagnostics": []}}),
        ),
        (
            "textDocument/formatting",
            json!({"textDocument": document, "options": {"tabSize": 2, "insertSpaces": true}}),
        ),
        (
            "textDocument/documentSymbol",
            json!({"textDocument": document}),
        ),
        (
            "textDocument/definition",
            json!({"textDocument": document, "position": position}),
        ),
        (
            "textDocument/completion",
            json!({"textDocument": document, "position": position}),
        ),
    ]
}

/// A request the server may not offer answers -32601; any other error is a failure.
fn answered_or_not_offered(method: &str, response: &Value) {
    if let Some(code) = error_code(response) {
        assert!(
            code == -32601 || code == -32800,
            "`{method}` failed: {response}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn positions_past_the_end_and_unknown_documents_are_answered_calmly() {
    let client = started().await;
    client.open(URI, 1, "{ a = x == true; }\n").await;
    client.diagnostics(URI, 1).await;
    let far = [
        json!({"line": 0, "character": 4000}),
        json!({"line": 9999, "character": 0}),
        json!({"line": u32::MAX, "character": u32::MAX}),
    ];
    for position in far {
        for (method, params) in position_requests(URI, position) {
            let response = client.request_raw(method, params).await;
            answered_or_not_offered(method, &response);
        }
    }
    // A document never opened: requests answer, an edit is ignored.
    let never = "file:///nixwise-abuse/never-opened.nix";
    for (method, params) in position_requests(never, json!({"line": 0, "character": 0})) {
        let response = client.request_raw(method, params).await;
        answered_or_not_offered(method, &response);
    }
    client.change(never, 2, [0, 0, 0, 0], "x").await;
    client
        .change(URI, 2, [5000, 0, 5001, 3], "past the end")
        .await;
    client.close(never).await;
    // The opened document is still served, with the edit past its end taken in some sane way.
    client.change(URI, 3, [0, 0, 0, 0], " ").await;
    client.diagnostics(URI, 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_edits_in_a_burst_end_in_the_right_text() {
    let client = started().await;
    client.open(URI, 1, "{ a = x == true; }").await;
    for version in 2..=1001 {
        // Each edit adds a space at the start: the finding moves one column right each time.
        client.change(URI, version, [0, 0, 0, 0], " ").await;
    }
    let diagnostics = client.diagnostics(URI, 1001).await;
    let starts: Vec<u64> = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic["code"] == "bool-comparison")
        .map(|diagnostic| {
            diagnostic["range"]["start"]["character"]
                .as_u64()
                .unwrap_or(0)
        })
        .collect();
    assert_eq!(starts, vec![1000 + 6], "{diagnostics:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_request_can_be_cancelled() {
    let client = Arc::new(started().await);
    client
        .open(URI, 1, "{ pkgs, ... }: { a = x == true; }\n")
        .await;
    client.diagnostics(URI, 1).await;
    let mut tasks = Vec::new();
    for (method, params) in position_requests(URI, json!({"line": 0, "character": 22})) {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let response = client.request_raw(method, params).await;
            (method, response)
        }));
    }
    // Requests got ids 2.. in order after `initialize` (1); cancel each, and some never sent.
    for id in 2..20 {
        client.notify("$/cancelRequest", json!({"id": id})).await;
    }
    for task in tasks {
        let (method, response) = task.await.expect("the request task");
        answered_or_not_offered(method, &response);
    }
    let after = client
        .request_raw(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 22}}),
        )
        .await;
    assert!(after.get("error").is_none(), "{after}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_from_two_clients_all_get_answers() {
    let clients = [Arc::new(started().await), Arc::new(started().await)];
    let mut tasks = Vec::new();
    for (index, client) in clients.iter().enumerate() {
        let uri = format!("file:///nixwise-abuse/client{index}.nix");
        client.open(&uri, 1, "{ a = x == true; b = (y); }\n").await;
        for round in 0..50 {
            for (method, params) in
                position_requests(&uri, json!({"line": 0, "character": round % 25}))
            {
                let client = client.clone();
                tasks.push(tokio::spawn(async move {
                    (method, client.request_raw(method, params).await)
                }));
            }
        }
    }
    let count = tasks.len();
    for task in tasks {
        let (method, response) = task.await.expect("the request task");
        answered_or_not_offered(method, &response);
    }
    assert_eq!(count, 2 * 50 * 6);
}

/// The resident memory of a process, from /proc: Linux only.
#[cfg(target_os = "linux")]
fn resident_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Inserts a character, or takes it out again: the text keeps its size.
async fn edit_in_place(client: &TestClient, version: i32) {
    if version % 2 == 0 {
        client.change(URI, version, [1, 2, 1, 2], "b").await;
    } else {
        client.change(URI, version, [1, 2, 1, 3], "").await;
    }
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_does_not_grow_over_ten_thousand_edits() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let (child, client) = common::spawn_server(folder.path());
    let pid = child.id().expect("the server runs");
    client.initialize(full_capabilities(), None).await;
    let text: String = (0..200).map(|i| format!("  a{i} = x == true;\n")).collect();
    client.open(URI, 1, &format!("{{\n{text}}}\n")).await;
    let mut version = 1;
    for _ in 0..1000 {
        version += 1;
        edit_in_place(&client, version).await;
    }
    client.diagnostics(URI, version).await;
    let after_warm_up = resident_kib(pid).expect("VmRSS");
    for _ in 0..9000 {
        version += 1;
        edit_in_place(&client, version).await;
    }
    client.diagnostics(URI, version).await;
    let after_all = resident_kib(pid).expect("VmRSS");
    eprintln!("resident memory: {after_warm_up} KiB after 1000 edits, {after_all} KiB after 10000");
    // Generous: allocator caches may grow some, a leak of every version would be far more.
    assert!(
        after_all < after_warm_up * 2 + 64 * 1024,
        "{after_warm_up} KiB -> {after_all} KiB"
    );
    drop(child);
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|value| value.parse().ok())
            .map_or(48, |cases: u32| cases / 4),
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(0x6c73_705f_6162_7573),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Messages of every kind with parameters that are right, wrong or missing.
fn message() -> impl Strategy<Value = Value> {
    let methods = prop_oneof![
        Just("initialize"),
        Just("initialized"),
        Just("shutdown"),
        Just("exit"),
        Just("textDocument/didOpen"),
        Just("textDocument/didChange"),
        Just("textDocument/didClose"),
        Just("textDocument/hover"),
        Just("textDocument/codeAction"),
        Just("textDocument/formatting"),
        Just("workspace/didChangeConfiguration"),
        Just("workspace/executeCommand"),
        Just("$/cancelRequest"),
        Just("no/such"),
    ];
    let params = prop_oneof![
        Just(json!({"capabilities": {}})),
        Just(
            json!({"textDocument": {"uri": URI, "languageId": "nix", "version": 1, "text": "{ a = x == true; }"}})
        ),
        Just(
            json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": "let in 1"}]})
        ),
        Just(
            json!({"textDocument": {"uri": URI, "version": 3}, "contentChanges": [{"range": {"start": {"line": 0, "character": 9}, "end": {"line": 7, "character": 0}}, "text": "(("}]})
        ),
        Just(json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 3}})),
        Just(
            json!({"textDocument": {"uri": URI}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 99, "character": 0}}, "context": {"diagnostics": []}})
        ),
        Just(json!({"settings": {"nixwise": {"lints": {"bool-comparison": "error", "x": 1}}}})),
        Just(json!({"command": "nixwise.flakeUpdate", "arguments": [URI, 1, null]})),
        Just(json!({"id": 2})),
        Just(json!(null)),
        Just(json!([])),
        any::<i64>().prop_map(|n| json!({"textDocument": n, "position": {"line": n}})),
    ];
    (
        methods,
        params,
        prop_oneof![Just(None), (0i64..6).prop_map(Some)],
    )
        .prop_map(|(method, params, id)| {
            let mut message = json!({"jsonrpc": "2.0", "method": method, "params": params});
            if let Some(id) = id {
                message["id"] = json!(id);
            }
            message
        })
}

/// The runtime the property tests feed the server on, with the worker threads' big stack.
fn property_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_stack_size(syntax::WORKER_STACK_SIZE)
        .enable_all()
        .build()
        .expect("a runtime")
}

#[test]
fn any_sequence_of_messages_ends_with_well_framed_output() {
    let runtime = property_runtime();
    proptest::test_runner::TestRunner::new(config())
        .run(&proptest::collection::vec(message(), 0..12), |messages| {
            let output = runtime.block_on(lsp_feed::feed(&framed(&messages)));
            lsp_feed::messages(&output);
            Ok(())
        })
        .unwrap_or_else(|failure| panic!("{failure}"));
}

/// A change to the bytes of a framed input: headers and bodies broken anywhere.
#[derive(Clone, Debug)]
enum Damage {
    Flip { at: usize, byte: u8 },
    Insert { at: usize, bytes: Vec<u8> },
    Delete { at: usize, count: usize },
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Damage::Flip { at, byte }),
        (
            any::<usize>(),
            prop_oneof![
                Just(b"Content-Length: 3\r\n\r\n".to_vec()),
                Just(b"Content-Length: 99999\r\n\r\n".to_vec()),
                Just(b"\r\n\r\n".to_vec()),
                Just(b"Content-Type: text/plain; charset=latin1\r\n".to_vec()),
                proptest::collection::vec(any::<u8>(), 1..8),
            ]
        )
            .prop_map(|(at, bytes)| Damage::Insert { at, bytes }),
        (any::<usize>(), 1usize..40).prop_map(|(at, count)| Damage::Delete { at, count }),
    ]
}

fn apply_damage(input: &mut Vec<u8>, damage: &Damage) {
    if input.is_empty() {
        return;
    }
    match damage {
        Damage::Flip { at, byte } => {
            let at = at % input.len();
            input[at] = *byte;
        }
        Damage::Insert { at, bytes } => {
            let at = at % (input.len() + 1);
            input.splice(at..at, bytes.iter().copied());
        }
        Damage::Delete { at, count } => {
            let at = at % input.len();
            let end = (at + count).min(input.len());
            input.drain(at..end);
        }
    }
}

#[test]
fn damaged_bytes_end_with_well_framed_output() {
    let runtime = property_runtime();
    let strategy = (
        proptest::collection::vec(message(), 1..8),
        proptest::collection::vec(damage(), 1..4),
    );
    proptest::test_runner::TestRunner::new(config())
        .run(&strategy, |(messages, damages)| {
            let mut input = framed(&[initialize(100)]);
            input.extend(framed(&messages));
            for damage in &damages {
                apply_damage(&mut input, damage);
            }
            let output = runtime.block_on(lsp_feed::feed(&input));
            lsp_feed::messages(&output);
            Ok(())
        })
        .unwrap_or_else(|failure| panic!("{failure}"));
}
