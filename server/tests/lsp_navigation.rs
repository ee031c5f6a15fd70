//! Round trips of navigation and hover through the language server in this process: definition,
//! references, document highlight, rename with prepareRename, and hover on names.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{full_capabilities, TestClient};
use nixwise::lsp::NixOptions;
use serde_json::{json, Value};

const URI: &str = "file:///nixwise-tests/nav.nix";

/// A server that finds no `nix` (an empty `PATH`), so that no test depends on the machine's Nix.
async fn started(nix_folder: &Path) -> TestClient {
    let client = TestClient::in_process_with_nix(NixOptions {
        search_path: Some(nix_folder.as_os_str().to_owned()),
        ..NixOptions::default()
    });
    client.initialize(full_capabilities(), None).await;
    client
}

fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
}

fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// `[start line, start character, end line, end character]` of a location or highlight.
fn span(value: &Value) -> [u64; 4] {
    let range = &value["range"];
    let at = |end: &str, field: &str| range[end][field].as_u64().expect("a number");
    [
        at("start", "line"),
        at("start", "character"),
        at("end", "line"),
        at("end", "character"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn navigation_capabilities_are_advertised() {
    let empty = tempfile::tempdir().expect("a folder");
    let client = TestClient::in_process_with_nix(NixOptions {
        search_path: Some(empty.path().as_os_str().to_owned()),
        ..NixOptions::default()
    });
    let result = client.initialize(full_capabilities(), None).await;
    let capabilities = &result["capabilities"];
    assert_eq!(capabilities["definitionProvider"], true);
    assert_eq!(capabilities["referencesProvider"], true);
    assert_eq!(capabilities["documentHighlightProvider"], true);
    assert_eq!(capabilities["renameProvider"]["prepareProvider"], true);
    assert_eq!(capabilities["hoverProvider"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn definition_of_names_paths_and_flake_inputs() {
    let folder = tempfile::tempdir().expect("a folder");
    let client = started(folder.path()).await;
    client
        .open(URI, 1, "let\n  a = 1;\n  s = { b.c = 2; };\nin a + s.b.c")
        .await;
    let found = client
        .request("textDocument/definition", at(URI, 3, 3))
        .await;
    assert_eq!(found[0]["uri"], URI);
    assert_eq!(span(&found[0]), [1, 2, 1, 3]);
    let found = client
        .request("textDocument/definition", at(URI, 3, 11))
        .await;
    assert_eq!(span(&found[0]), [2, 10, 2, 11]);
    // Nothing to go to: `null`.
    assert_eq!(
        client
            .request("textDocument/definition", at(URI, 0, 0))
            .await,
        Value::Null
    );

    // A path to a folder leads to its default.nix, which must exist.
    std::fs::create_dir(folder.path().join("dir")).expect("a folder");
    std::fs::write(folder.path().join("dir/default.nix"), "{ }").expect("write");
    let main = file_uri(&folder.path().join("main.nix"));
    client
        .open(&main, 1, "[ (import ./dir) (import ./missing.nix) ]")
        .await;
    let found = client
        .request("textDocument/definition", at(&main, 0, 12))
        .await;
    assert_eq!(
        found[0]["uri"],
        file_uri(&folder.path().join("dir/default.nix"))
    );
    assert_eq!(
        client
            .request("textDocument/definition", at(&main, 0, 28))
            .await,
        Value::Null
    );

    // A flake input leads to its declaration and to its node in flake.lock, read from disk.
    std::fs::write(
        folder.path().join("flake.lock"),
        r#"{
  "nodes": {
    "nixpkgs": { "locked": { "type": "github", "rev": "abc", "lastModified": 1714521600 } },
    "root": { "inputs": { "nixpkgs": "nixpkgs" } }
  },
  "root": "root",
  "version": 7
}
"#,
    )
    .expect("write");
    let flake = file_uri(&folder.path().join("flake.nix"));
    client
        .open(
            &flake,
            1,
            "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs\";\n  outputs = { self, nixpkgs }: { };\n}\n",
        )
        .await;
    let found = client
        .request("textDocument/definition", at(&flake, 2, 22))
        .await;
    let found = found.as_array().expect("locations");
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0]["uri"], flake);
    assert_eq!(span(&found[0]), [1, 9, 1, 16]);
    assert_eq!(found[1]["uri"], file_uri(&folder.path().join("flake.lock")));
    assert_eq!(span(&found[1]), [2, 4, 2, 13]);
    let hover = client
        .request("textDocument/hover", at(&flake, 2, 22))
        .await;
    let value = hover["contents"]["value"].as_str().expect("markdown");
    assert!(value.contains("locked: `abc` (2024-05-01)"), "{value}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn references_and_highlights() {
    let folder = tempfile::tempdir().expect("a folder");
    let client = started(folder.path()).await;
    client
        .open(URI, 1, "{ a, b }:\n{ inherit a; c = a + b; }")
        .await;
    let with_declaration = |include: bool| {
        let mut params = at(URI, 1, 17);
        params["context"] = json!({"includeDeclaration": include});
        params
    };
    let found = client
        .request("textDocument/references", with_declaration(true))
        .await;
    let spans: Vec<[u64; 4]> = found.as_array().expect("list").iter().map(span).collect();
    assert_eq!(spans, [[0, 2, 0, 3], [1, 10, 1, 11], [1, 17, 1, 18]]);
    let found = client
        .request("textDocument/references", with_declaration(false))
        .await;
    assert_eq!(found.as_array().map(Vec::len), Some(2));
    let highlights = client
        .request("textDocument/documentHighlight", at(URI, 0, 2))
        .await;
    let kinds: Vec<u64> = highlights
        .as_array()
        .expect("list")
        .iter()
        .map(|highlight| highlight["kind"].as_u64().expect("a kind"))
        .collect();
    // Write, then two reads.
    assert_eq!(kinds, [3, 2, 2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prepare_rename_rename_and_refusals() {
    let folder = tempfile::tempdir().expect("a folder");
    let client = started(folder.path()).await;
    let text = "{ a, b }:\n{ inherit a; c = a + b; }";
    client.open(URI, 1, text).await;
    let prepared = client
        .request("textDocument/prepareRename", at(URI, 1, 17))
        .await;
    assert_eq!(prepared["placeholder"], "a");
    assert_eq!(span(&prepared), [1, 17, 1, 18]);
    let mut params = at(URI, 1, 17);
    params["newName"] = json!("z");
    let edit = client.request("textDocument/rename", params).await;
    let renamed = common::apply_action(text, &json!({ "edit": edit }), URI);
    assert_eq!(renamed, "{ z, b }:\n{ a = z; c = z + b; }");

    // Renaming `a` to `b` would merge two names: refused with the reason.
    let mut params = at(URI, 1, 17);
    params["newName"] = json!("b");
    let response = client.request_raw("textDocument/rename", params).await;
    let message = response["error"]["message"].as_str().expect("an error");
    assert!(message.contains("same scope"), "{message}");
    let response = client
        .request_raw("textDocument/prepareRename", at(URI, 1, 13))
        .await;
    assert!(response.get("error").is_some(), "{response}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_on_a_name_and_its_diagnostic_together() {
    let folder = tempfile::tempdir().expect("a folder");
    let client = started(folder.path()).await;
    client
        .open(URI, 1, "let\n  # Never used.\n  unused = 1;\nin map")
        .await;
    client.diagnostics(URI, 1).await;
    let hover = client.request("textDocument/hover", at(URI, 2, 3)).await;
    let value = hover["contents"]["value"].as_str().expect("markdown");
    assert!(
        value.starts_with(
            "```nix\nunused = 1;\n```\n\n`unused`: `let` binding\n\n---\n\nNever used."
        ),
        "{value}"
    );
    assert!(value.contains("`unused-let-binding`"), "{value}");
    assert_eq!(span(&hover), [2, 2, 2, 8]);
    // Without a `nix`, a builtin shows what nixwise knows itself.
    let hover = client.request("textDocument/hover", at(URI, 3, 4)).await;
    assert_eq!(
        hover["contents"]["value"],
        "```nix\nbuiltins.map f list\n```\n\nbuiltin"
    );
}

/// The docs come from the `nix` on the server's `PATH`: here a script that prints what
/// `nix __dump-builtins` prints, so the test does not depend on the machine's Nix.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn builtin_docs_come_from_nix_when_there_is_one() {
    use std::os::unix::fs::PermissionsExt;
    let tools = tempfile::tempdir().expect("a folder");
    let nix = tools.path().join("nix");
    std::fs::write(
        &nix,
        "#!/bin/sh\n[ \"$1\" = __dump-builtins ] || exit 1\necho '{\"map\":{\"args\":[\"f\",\"list\"],\"arity\":2,\"doc\":\"Apply the function *f* to each element.\"}}'\n",
    )
    .expect("write");
    std::fs::set_permissions(&nix, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let client = started(tools.path()).await;
    client.open(URI, 1, "map").await;
    let safety_net = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let hover = client.request("textDocument/hover", at(URI, 0, 1)).await;
        let value = hover["contents"]["value"].as_str().unwrap_or("").to_owned();
        if value.contains("Apply the function *f* to each element.") {
            assert!(
                value.starts_with("```nix\nbuiltins.map f list\n```"),
                "{value}"
            );
            break;
        }
        assert!(
            tokio::time::Instant::now() < safety_net,
            "the docs never arrived: {value}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn selections_through_updates_and_at_names() {
    let folder = tempfile::tempdir().expect("a folder");
    let client = started(folder.path()).await;
    let text =
        "{ a, b ? 1, ... }@args:\nlet x = { c = 1; } // { d = a; };\nin [ x.c args.a args.b ]";
    client.open(URI, 1, text).await;
    // `x.c`: the right side of `//` has no `c` and names all its keys, so the left side's.
    let found = client
        .request("textDocument/definition", at(URI, 2, 7))
        .await;
    assert_eq!(span(&found[0]), [1, 10, 1, 11], "{found}");
    // `args.a` is the entry `a`, which the caller must pass; `args.b` is not `b`.
    let found = client
        .request("textDocument/definition", at(URI, 2, 14))
        .await;
    assert_eq!(span(&found[0]), [0, 2, 0, 3], "{found}");
    let found = client
        .request("textDocument/definition", at(URI, 2, 21))
        .await;
    assert!(found.is_null() || found == json!([]), "{found}");

    let mut params = at(URI, 0, 2);
    params["newName"] = json!("z");
    let edit = client.request("textDocument/rename", params).await;
    let renamed = common::apply_action(text, &json!({ "edit": edit }), URI);
    assert_eq!(
        renamed,
        "{ z, b ? 1, ... }@args:\nlet x = { c = 1; } // { d = z; };\nin [ x.c args.z args.b ]"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renaming_a_key_of_a_local_set_renames_its_selections() {
    let folder = tempfile::tempdir().expect("a folder");
    let client = started(folder.path()).await;
    let text = "let s = { a = 1; b = 2; };\nin s.a + s.b";
    client.open(URI, 1, text).await;
    let prepared = client
        .request("textDocument/prepareRename", at(URI, 1, 5))
        .await;
    assert_eq!(prepared["placeholder"], "a");
    let mut params = at(URI, 1, 5);
    params["newName"] = json!("z");
    let edit = client.request("textDocument/rename", params).await;
    let renamed = common::apply_action(text, &json!({ "edit": edit }), URI);
    assert_eq!(renamed, "let s = { z = 1; b = 2; };\nin s.z + s.b");

    // Once the set escapes, the key stays.
    let escaping = "let s = { a = 1; };\nin f s";
    client
        .open("file:///nixwise-tests/escape.nix", 1, escaping)
        .await;
    let mut params = at("file:///nixwise-tests/escape.nix", 0, 10);
    params["newName"] = json!("z");
    let response = client.request_raw("textDocument/rename", params).await;
    let message = response["error"]["message"].as_str().expect("an error");
    assert!(message.contains("used other than"), "{message}");
}
