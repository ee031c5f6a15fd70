//! Round trips for completion, formatting, pull diagnostics, refactorings and cancellation.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::{apply_action, full_capabilities, TestClient};
use serde_json::{json, Value};

const URI: &str = "file:///nixwise-tests/edit.nix";

fn position(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_offers_local_attributes_after_a_dot() {
    let client = TestClient::in_process();
    let init = client.initialize(full_capabilities(), None).await;
    assert_eq!(
        init["capabilities"]["completionProvider"]["triggerCharacters"],
        json!(["."])
    );
    let text = "let s = { alpha = 1; beta.c = 2; }; in s.";
    client.open(URI, 1, text).await;
    let result = client
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": URI}, "position": position(0, 41)}),
        )
        .await;
    let labels: Vec<&str> = result["items"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|item| item["label"].as_str().expect("a label"))
        .collect();
    assert_eq!(labels, ["alpha", "beta"]);
    let edit = &result["items"][0]["textEdit"];
    assert_eq!(edit["range"]["start"], position(0, 41));
    assert_eq!(edit["newText"], "alpha");

    // A prefix being typed is replaced, and builtins carry their signature.
    client.change(URI, 2, [0, 0, 0, 41], "builtins.attrN").await;
    let result = client
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": URI}, "position": position(0, 14)}),
        )
        .await;
    let item = result["items"]
        .as_array()
        .expect("a list")
        .iter()
        .find(|item| item["label"] == "attrNames")
        .expect("attrNames offered")
        .clone();
    assert_eq!(item["detail"], "builtins.attrNames set");
    assert_eq!(item["textEdit"]["range"]["start"], position(0, 9));
    assert_eq!(item["textEdit"]["range"]["end"], position(0, 14));
}

fn script(folder: &Path, name: &str, body: &str) -> String {
    let path = folder.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write a script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path.to_string_lossy().into_owned()
}

async fn format_with(command: Value, text: &str) -> (TestClient, Value) {
    let client = TestClient::in_process();
    client
        .initialize(
            full_capabilities(),
            Some(json!({"nixwise": {"formatter": {"command": command, "timeout": 2}}})),
        )
        .await;
    client.open(URI, 1, text).await;
    let response = client
        .request_raw(
            "textDocument/formatting",
            json!({"textDocument": {"uri": URI}, "options": {"tabSize": 2, "insertSpaces": true}}),
        )
        .await;
    (client, response)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formatting_replaces_the_document_with_the_formatter_output() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let upper = script(folder.path(), "upper.sh", "tr a-z A-Z");
    let text = "{ a = 1; }\n# é\n";
    let (_client, response) = format_with(json!([upper]), text).await;
    let edits = response["result"].as_array().expect("edits").clone();
    assert_eq!(edits.len(), 1, "{response}");
    let action = json!({"edit": {"changes": {URI: edits}}});
    assert_eq!(apply_action(text, &action, URI), "{ A = 1; }\n# é\n");

    // Arguments are passed; unchanged output gives no edit.
    let cat = script(folder.path(), "cat.sh", "shift; cat");
    let (_client, response) = format_with(json!([cat, "--ignored"]), text).await;
    assert_eq!(response["result"], json!([]), "{response}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formatting_failures_leave_the_document_and_say_why() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let failing = script(
        folder.path(),
        "fail.sh",
        "echo 'bad input at 1:3' >&2; exit 3",
    );
    let binary = script(folder.path(), "binary.sh", "printf '\\377\\376'");
    let slow = script(folder.path(), "slow.sh", "exec sleep 30");
    let missing = folder
        .path()
        .join("no-such-formatter")
        .to_string_lossy()
        .into_owned();
    for (command, expected) in [
        (failing, "exit status 3"),
        (binary, "not UTF-8"),
        (slow, "did not finish"),
        (missing, "was not found"),
    ] {
        let (client, response) = format_with(json!([command]), "{ }").await;
        let error = &response["error"];
        assert_eq!(error["code"], -32803, "{response}");
        let message = error["message"].as_str().expect("a message");
        assert!(message.contains(expected), "{message}");
        let shown = client
            .wait_for("window/showMessage", |params| {
                params["message"]
                    .as_str()
                    .is_some_and(|text| text.contains(expected))
            })
            .await;
        assert_eq!(shown["type"], 1);
        assert!(response.get("result").is_none());
    }
}

fn pull_capabilities() -> Value {
    let mut capabilities = full_capabilities();
    capabilities["textDocument"]["diagnostic"] = json!({"dynamicRegistration": false});
    capabilities
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pulled_diagnostics_have_result_ids_and_replace_pushes() {
    let client = TestClient::in_process();
    let init = client.initialize(pull_capabilities(), None).await;
    assert_eq!(
        init["capabilities"]["diagnosticProvider"]["workspaceDiagnostics"],
        true
    );
    client.open(URI, 1, "{ a = x == true; }").await;
    let params = json!({"textDocument": {"uri": URI}});
    let report = client
        .request("textDocument/diagnostic", params.clone())
        .await;
    assert_eq!(report["kind"], "full");
    let codes: Vec<&str> = report["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|item| item["code"].as_str())
        .collect();
    assert!(codes.contains(&"bool-comparison"), "{report}");
    let id = report["resultId"].as_str().expect("a result id").to_owned();

    let mut again = params.clone();
    again["previousResultId"] = json!(id);
    let unchanged = client
        .request("textDocument/diagnostic", again.clone())
        .await;
    assert_eq!(unchanged, json!({"kind": "unchanged", "resultId": id}));

    client.change(URI, 2, [0, 6, 0, 15], "x").await;
    let changed = client.request("textDocument/diagnostic", again).await;
    assert_eq!(changed["kind"], "full");
    assert!(
        !changed["items"].to_string().contains("bool-comparison"),
        "{changed}"
    );
    // A pulling client is not pushed to.
    assert!(client
        .notifications("textDocument/publishDiagnostics")
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspace_diagnostics_cover_closed_files_and_open_documents() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(folder.path().join("closed.nix"), "{ a = y == true; }").expect("write");
    std::fs::create_dir(folder.path().join("sub")).expect("mkdir");
    std::fs::write(folder.path().join("sub/fine.nix"), "{ a = 1; }").expect("write");
    std::fs::write(folder.path().join("notes.txt"), "{ a = y == true; }").expect("write");
    let root = tower_lsp_server::ls_types::Uri::from_file_path(folder.path()).expect("a URI");
    let client = TestClient::in_process();
    let mut params =
        json!({"processId": null, "rootUri": null, "capabilities": pull_capabilities()});
    params["workspaceFolders"] = json!([{"uri": root.as_str(), "name": "w"}]);
    client.request("initialize", params).await;
    client.notify("initialized", json!({})).await;
    let open_uri = format!("{}/open.nix", root.as_str());
    client.open(&open_uri, 5, "{ b = z != false; }").await;

    let report = client
        .request("workspace/diagnostic", json!({"previousResultIds": []}))
        .await;
    let items = report["items"].as_array().expect("items").clone();
    let by_file = |suffix: &str| {
        items
            .iter()
            .find(|item| {
                item["uri"]
                    .as_str()
                    .is_some_and(|uri| uri.ends_with(suffix))
            })
            .cloned()
    };
    let closed = by_file("/closed.nix").expect("closed.nix reported");
    assert!(
        closed["items"].to_string().contains("bool-comparison"),
        "{closed}"
    );
    assert_eq!(closed["version"], Value::Null);
    let open = by_file("/open.nix").expect("the open document reported");
    assert_eq!(open["version"], 5);
    assert!(
        open["items"].to_string().contains("bool-comparison"),
        "{open}"
    );
    assert!(by_file("/fine.nix").is_some());
    assert!(by_file("/notes.txt").is_none());

    // With the ids of the last answer, unchanged files are reported as such.
    let previous: Vec<Value> = items
        .iter()
        .map(|item| json!({"uri": item["uri"], "value": item["resultId"]}))
        .collect();
    let report = client
        .request(
            "workspace/diagnostic",
            json!({"previousResultIds": previous}),
        )
        .await;
    assert!(report["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|item| item["kind"] == "unchanged"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_workspace_diagnostic_does_not_block_other_requests() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    // Enough files that the scan is still running when the cancellation arrives.
    for index in 0..400 {
        let text = format!("{{ a{index} = x == true; b = let u = 1; in 2; }}\n").repeat(50);
        std::fs::write(folder.path().join(format!("f{index}.nix")), text).expect("write");
    }
    let root = tower_lsp_server::ls_types::Uri::from_file_path(folder.path()).expect("a URI");
    let client = TestClient::in_process();
    let mut params =
        json!({"processId": null, "rootUri": null, "capabilities": pull_capabilities()});
    params["workspaceFolders"] = json!([{"uri": root.as_str(), "name": "w"}]);
    client.request("initialize", params).await;
    client.notify("initialized", json!({})).await;
    client.open(URI, 1, "let s = { a = 1; }; in s.").await;

    let (scan, scanning) = client
        .send_request("workspace/diagnostic", json!({"previousResultIds": []}))
        .await;
    client.notify("$/cancelRequest", json!({"id": scan})).await;
    let completion = client
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": URI}, "position": position(0, 25)}),
        )
        .await;
    assert_eq!(completion["items"][0]["label"], "a");
    let response = tokio::time::timeout(std::time::Duration::from_secs(60), scanning)
        .await
        .expect("the scan answers")
        .expect("the reader is alive");
    // Either cancelled (the usual case) or, on a very fast machine, finished first: never hung.
    if let Some(error) = response.get("error") {
        assert_eq!(error["code"], -32800, "{response}");
    } else {
        assert!(response["result"]["items"].is_array(), "{response}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refactorings_are_offered_as_rewrites_only_when_asked_for() {
    let client = TestClient::in_process();
    client.initialize(full_capabilities(), None).await;
    let text = "{ x = s.x; }";
    client.open(URI, 1, text).await;
    let at = json!({"start": position(0, 3), "end": position(0, 3)});
    let ask = |only: Option<Value>| {
        let mut context = json!({"diagnostics": []});
        if let Some(only) = only {
            context["only"] = only;
        }
        json!({"textDocument": {"uri": URI}, "range": at, "context": context})
    };
    let actions = client
        .request("textDocument/codeAction", ask(Some(json!(["refactor"]))))
        .await;
    let action = actions
        .as_array()
        .expect("actions")
        .iter()
        .find(|action| action["title"] == "Convert to `inherit`")
        .expect("the rewrite offered")
        .clone();
    assert_eq!(action["kind"], "refactor.rewrite");
    assert_eq!(apply_action(text, &action, URI), "{ inherit (s) x; }");
    let quick = client
        .request("textDocument/codeAction", ask(Some(json!(["quickfix"]))))
        .await;
    assert!(quick
        .as_array()
        .expect("actions")
        .iter()
        .all(|action| action["kind"] != "refactor.rewrite"));
}
