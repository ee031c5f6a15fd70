//! Round trips for the outline and presentation features: document and workspace symbols,
//! folding and selection ranges, semantic tokens, document links and inlay hints.

mod common;

use common::{full_capabilities, TestClient};
use serde_json::{json, Value};

async fn started() -> (TestClient, Value) {
    let client = TestClient::in_process();
    let init = client.initialize(full_capabilities(), None).await;
    (client, init)
}

fn position(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outline_folds_and_selections() {
    let (client, init) = started().await;
    let capabilities = &init["capabilities"];
    for provider in [
        "documentSymbolProvider",
        "workspaceSymbolProvider",
        "foldingRangeProvider",
        "selectionRangeProvider",
        "inlayHintProvider",
    ] {
        assert_eq!(capabilities[provider], true, "{provider}");
    }
    assert_eq!(
        capabilities["semanticTokensProvider"]["full"]["delta"],
        true
    );
    assert_eq!(capabilities["semanticTokensProvider"]["range"], true);

    let uri = "file:///nixwise-outline/a.nix";
    let text = "{ pkgs }:\nlet\n  f = x: x;\nin {\n  a.b = 1;\n  a.c = [\n    2\n  ];\n}\n";
    client.open(uri, 1, text).await;
    let document = json!({"textDocument": {"uri": uri}});

    let symbols = client
        .request("textDocument/documentSymbol", document.clone())
        .await;
    let names: Vec<&str> = symbols
        .as_array()
        .expect("symbols")
        .iter()
        .map(|symbol| symbol["name"].as_str().expect("a name"))
        .collect();
    assert_eq!(names, ["pkgs", "f", "a"]);
    let a = &symbols[2];
    assert_eq!(a["kind"], 19, "an object");
    assert_eq!(a["selectionRange"]["start"], position(4, 2));
    let children: Vec<&str> = a["children"]
        .as_array()
        .expect("children")
        .iter()
        .map(|symbol| symbol["name"].as_str().expect("a name"))
        .collect();
    assert_eq!(children, ["b", "c"]);
    assert_eq!(symbols[1]["kind"], 12, "a function");

    let folds = client
        .request("textDocument/foldingRange", document.clone())
        .await;
    let lines: Vec<(u64, u64)> = folds
        .as_array()
        .expect("folds")
        .iter()
        .map(|fold| {
            (
                fold["startLine"].as_u64().expect("a line"),
                fold["endLine"].as_u64().expect("a line"),
            )
        })
        .collect();
    // The lambda, the `let`, the body set and the list; a fold starting where a larger one does
    // is left out.
    assert_eq!(lines, [(0, 8), (1, 8), (3, 8), (5, 7)]);

    let selections = client
        .request(
            "textDocument/selectionRange",
            json!({"textDocument": {"uri": uri}, "positions": [position(2, 9)]}),
        )
        .await;
    let first = &selections[0];
    assert_eq!(first["range"]["start"], position(2, 9));
    assert_eq!(first["range"]["end"], position(2, 10));
    assert_eq!(first["parent"]["range"]["start"], position(2, 6), "x: x");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn semantic_tokens_full_delta_and_range() {
    let (client, init) = started().await;
    let legend = &init["capabilities"]["semanticTokensProvider"]["legend"];
    let types: Vec<&str> = legend["tokenTypes"]
        .as_array()
        .expect("types")
        .iter()
        .map(|kind| kind.as_str().expect("a name"))
        .collect();
    let uri = "file:///nixwise-outline/tokens.nix";
    client.open(uri, 1, "let a = 1; in a").await;
    let full = client
        .request(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": uri}}),
        )
        .await;
    let data: Vec<u64> = numbers(&full["data"]);
    // let, a, 1, in, a: five tokens of five numbers.
    assert_eq!(data.len(), 25, "{data:?}");
    assert_eq!(types[data[3] as usize], "keyword");
    assert_eq!(types[data[8] as usize], "variable");
    assert_eq!(types[data[13] as usize], "number");

    client.change(uri, 2, [0, 8, 0, 9], "f: f").await;
    let delta = client
        .request(
            "textDocument/semanticTokens/full/delta",
            json!({"textDocument": {"uri": uri}, "previousResultId": full["resultId"]}),
        )
        .await;
    let edits = delta["edits"].as_array().expect("a delta");
    assert_eq!(edits.len(), 1);
    let mut patched = data.clone();
    let start = edits[0]["start"].as_u64().expect("a start") as usize;
    let delete = edits[0]["deleteCount"].as_u64().expect("a count") as usize;
    patched.splice(start..start + delete, numbers(&edits[0]["data"]));
    let fresh = client
        .request(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": uri}}),
        )
        .await;
    assert_eq!(patched, numbers(&fresh["data"]));
    assert!(patched
        .chunks(5)
        .any(|token| types[token[3] as usize] == "function"));

    let stale = client
        .request(
            "textDocument/semanticTokens/full/delta",
            json!({"textDocument": {"uri": uri}, "previousResultId": "unknown"}),
        )
        .await;
    assert!(stale["data"].is_array(), "everything again: {stale}");

    let range = client
        .request(
            "textDocument/semanticTokens/range",
            json!({"textDocument": {"uri": uri}, "range": {"start": position(0, 0), "end": position(0, 3)}}),
        )
        .await;
    assert_eq!(numbers(&range["data"]).len(), 5, "only `let`");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_across_lines_are_cut_per_line_in_utf16() {
    let (client, _) = started().await;
    let uri = "file:///nixwise-outline/lines.nix";
    let text = "/* é\n   𝔸 */\n{ s = ''\n  𝔸b\n''; }\n";
    client.open(uri, 1, text).await;
    let full = client
        .request(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": uri}}),
        )
        .await;
    let data = numbers(&full["data"]);
    // Absolute (line, UTF-16 start, UTF-16 length) of each token.
    let mut absolute = Vec::new();
    let (mut line, mut start) = (0, 0);
    for token in data.chunks(5) {
        if token[0] > 0 {
            line += token[0];
            start = token[1];
        } else {
            start += token[1];
        }
        absolute.push((line, start, token[2]));
    }
    assert_eq!(
        absolute,
        [
            // The comment, one piece per line (`𝔸` is two UTF-16 units).
            (0, 0, 4),
            (1, 0, 8),
            // `s`, the opening `''`, the content's one non-empty line, the closing `''`.
            (2, 2, 1),
            (2, 6, 2),
            (3, 0, 5),
            (4, 0, 2),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn line_folding_clients_keep_the_rest_of_the_last_line_visible() {
    let client = TestClient::in_process();
    let mut capabilities = full_capabilities();
    capabilities["textDocument"]["foldingRange"] = json!({"lineFoldingOnly": true});
    client.initialize(capabilities, None).await;
    let uri = "file:///nixwise-outline/fold.nix";
    client.open(uri, 1, "{\n  a = [\n    1\n  ];\n}\n").await;
    let folds = client
        .request(
            "textDocument/foldingRange",
            json!({"textDocument": {"uri": uri}}),
        )
        .await;
    assert_eq!(
        folds,
        json!([
            {"startLine": 0, "endLine": 4, "kind": "region"},
            {"startLine": 1, "endLine": 2, "kind": "region"},
        ])
    );
}

/// Queries workspace symbols until the answer satisfies `done`, for changes the index takes in the
/// background; gives the last answer after a bounded number of tries.
async fn query_until(client: &TestClient, query: &str, done: impl Fn(&Value) -> bool) -> Value {
    let mut found = Value::Null;
    for _ in 0..600 {
        found = client
            .request("workspace/symbol", json!({"query": query}))
            .await;
        if done(&found) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    found
}

fn numbers(value: &Value) -> Vec<u64> {
    value
        .as_array()
        .map(|all| all.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_to_existing_files_urls_and_forges_and_closing_hints() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(folder.path().join("b.nix"), "{ }").expect("writable");
    std::fs::create_dir(folder.path().join("dir")).expect("writable");
    std::fs::write(folder.path().join("dir/default.nix"), "{ }").expect("writable");
    let file = folder.path().join("a.nix");
    let mut text = String::from(
        "{\n  imports = [ ./b.nix ./dir ./missing.nix ];\n  url = \"github:NixOS/nixpkgs/nixos-24.05\";\n  doc = \"https://nixos.org\";\n  long = [\n",
    );
    text.push_str(&"    1\n".repeat(40));
    text.push_str("  ];\n}\n");
    std::fs::write(&file, &text).expect("writable");
    let uri = format!("file://{}", file.display());

    let (client, _) = started().await;
    client.open(&uri, 1, &text).await;
    let links = client
        .request(
            "textDocument/documentLink",
            json!({"textDocument": {"uri": uri}}),
        )
        .await;
    let targets: Vec<&str> = links
        .as_array()
        .expect("links")
        .iter()
        .map(|link| link["target"].as_str().expect("a target"))
        .collect();
    assert_eq!(targets.len(), 4, "{targets:?}");
    assert!(targets[0].ends_with("/b.nix"), "{targets:?}");
    assert!(targets[1].ends_with("/dir/default.nix"), "{targets:?}");
    assert_eq!(
        targets[2],
        "https://github.com/NixOS/nixpkgs/tree/nixos-24.05"
    );
    assert_eq!(targets[3], "https://nixos.org");

    let hints = client
        .request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": uri}, "range": {"start": position(0, 0), "end": position(60, 0)}}),
        )
        .await;
    let hints = hints.as_array().expect("hints");
    assert_eq!(hints.len(), 1, "{hints:?}");
    assert_eq!(hints[0]["label"], "long");
    assert_eq!(hints[0]["position"], position(45, 3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspace_symbols_are_indexed_in_the_background_and_follow_edits() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let root = folder.path();
    std::fs::create_dir_all(root.join("pkgs/hello")).expect("writable");
    std::fs::create_dir_all(root.join("vendored")).expect("writable");
    std::fs::write(
        root.join("pkgs/top-level.nix"),
        "{ callPackage }: {\n  hello = callPackage ../hello { };\n  helloWorld = 1;\n}\n",
    )
    .expect("writable");
    std::fs::write(
        root.join("pkgs/hello/default.nix"),
        "{ stdenv }: stdenv.mkDerivation { pname = \"hello\"; meta.description = \"x\"; }\n",
    )
    .expect("writable");
    std::fs::write(root.join("vendored/skip.nix"), "{ helloVendored = 1; }").expect("writable");
    std::fs::write(root.join("nixwise.toml"), "exclude = [\"vendored/**\"]\n").expect("writable");
    std::fs::write(root.join("binary.nix"), b"{ hello\xff = 1; }").expect("writable");
    std::fs::write(root.join("not-nix.txt"), "{ helloText = 1; }").expect("writable");

    let root_uri = format!("file://{}", root.display());
    let client = TestClient::in_process();
    let mut capabilities = full_capabilities();
    capabilities["window"] = json!({"workDoneProgress": true});
    client
        .request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root_uri,
                "capabilities": capabilities,
                "workspaceFolders": [{"uri": root_uri, "name": "root"}],
            }),
        )
        .await;
    client.notify("initialized", json!({})).await;
    client
        .wait_for("$/progress", |params| params["value"]["kind"] == "end")
        .await;
    let progress = client.notifications("$/progress");
    assert_eq!(progress[0]["value"]["kind"], "begin");
    assert_eq!(
        client
            .server_requests("window/workDoneProgress/create")
            .len(),
        1
    );

    let found = client
        .request("workspace/symbol", json!({"query": "hello"}))
        .await;
    let described: Vec<String> = found
        .as_array()
        .expect("symbols")
        .iter()
        .map(|symbol| {
            let uri = symbol["location"]["uri"].as_str().expect("a uri");
            let file = uri.rsplit('/').next().unwrap_or(uri);
            format!("{} in {file}", symbol["name"].as_str().expect("a name"))
        })
        .collect();
    assert_eq!(
        described,
        ["hello in top-level.nix", "helloWorld in top-level.nix"]
    );

    let fuzzy = client
        .request("workspace/symbol", json!({"query": "dscrptn"}))
        .await;
    assert_eq!(fuzzy[0]["name"], "description");
    assert_eq!(fuzzy[0]["containerName"], "meta");

    // An open document counts at its current version.
    let top_level = format!("{root_uri}/pkgs/top-level.nix");
    client
        .open(&top_level, 1, "{ callPackage }: {\n  goodbye = 1;\n}\n")
        .await;
    let after = client
        .request("workspace/symbol", json!({"query": "hello"}))
        .await;
    assert_eq!(after, json!([]));
    let renamed = client
        .request("workspace/symbol", json!({"query": "goodbye"}))
        .await;
    assert_eq!(renamed[0]["location"]["uri"], top_level.as_str());
    assert_eq!(renamed[0]["location"]["range"]["start"], position(1, 2));

    // Files created and deleted on disk, as the client reports them.
    let created = root.join("pkgs/new.nix");
    std::fs::write(&created, "{ freshlyAdded = 1; }").expect("writable");
    let created_uri = format!("{root_uri}/pkgs/new.nix");
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": created_uri, "type": 1}]}),
        )
        .await;
    let seen = query_until(&client, "freshlyAdded", |found| found != &json!([])).await;
    assert_eq!(seen[0]["location"]["uri"], created_uri.as_str());
    std::fs::remove_file(&created).expect("removable");
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": created_uri, "type": 3}]}),
        )
        .await;
    let gone = query_until(&client, "freshlyAdded", |found| found == &json!([])).await;
    assert_eq!(gone, json!([]));
}

/// A client that names its workspace only by `rootUri` or `rootPath` (no `workspaceFolders`)
/// gets that folder indexed and checked as the one workspace folder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_root_without_workspace_folders_is_the_workspace() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(
        folder.path().join("closed.nix"),
        "{ rootOnlySymbol = y == true; }",
    )
    .expect("writable");
    let root_uri = tower_lsp_server::ls_types::Uri::from_file_path(folder.path())
        .expect("a URI")
        .as_str()
        .to_owned();
    let root_path = folder.path().to_str().expect("a UTF-8 path").to_owned();
    for root in [
        json!({"rootUri": root_uri}),
        json!({"rootUri": null, "rootPath": root_path}),
    ] {
        let client = TestClient::in_process();
        let mut params = json!({
            "processId": null,
            "capabilities": {"textDocument": {"diagnostic": {"dynamicRegistration": false}}},
        });
        for (key, value) in root.as_object().expect("an object") {
            params[key] = value.clone();
        }
        client.request("initialize", params).await;
        client.notify("initialized", json!({})).await;

        let found = query_until(&client, "rootOnlySymbol", |found| found != &json!([])).await;
        assert_eq!(found[0]["name"], "rootOnlySymbol", "{root}");
        let file = found[0]["location"]["uri"].as_str().expect("a uri");
        assert!(file.ends_with("/closed.nix"), "{file}");

        let report = client
            .request("workspace/diagnostic", json!({"previousResultIds": []}))
            .await;
        let closed = report["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|item| item["uri"] == file)
            .cloned()
            .unwrap_or_else(|| panic!("closed.nix reported with {root}: {report}"));
        assert!(
            closed["items"].to_string().contains("bool-comparison"),
            "{closed}"
        );
    }
}

/// `nixwise.inlay-hints.closing-bracket-min-lines` sets how long a value must be for its
/// closing bracket to be named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_bracket_hints_follow_the_editor_setting() {
    let (client, _) = started().await;
    let uri = "file:///nixwise-outline/hints.nix";
    client
        .open(uri, 1, "{\n  short = [\n    1\n    2\n  ];\n}\n")
        .await;
    let params = json!({"textDocument": {"uri": uri}, "range": {"start": position(0, 0), "end": position(9, 0)}});
    let hints = client
        .request("textDocument/inlayHint", params.clone())
        .await;
    assert_eq!(hints, json!([]), "a 3-line value is short by default");

    client.set_configuration(json!({"inlay-hints": {"closing-bracket-min-lines": 3}}));
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": null}),
        )
        .await;
    let mut hints = Value::Null;
    for _ in 0..200 {
        hints = client
            .request("textDocument/inlayHint", params.clone())
            .await;
        if hints != json!([]) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(hints[0]["label"], "short", "{hints}");
    assert_eq!(hints[0]["position"], position(4, 3));
}
