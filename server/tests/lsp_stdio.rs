//! The built `nixwise server` over real stdin and stdout pipes: the transport an editor uses.

mod common;

use common::{apply_action, full_capabilities};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_diagnostics_and_fixes_over_stdio() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let path = folder.path().join("default.nix");
    let text = "{ enable = (a < b) == true; }\n";
    std::fs::write(&path, text).expect("write");
    let uri = format!("file://{}", path.display());

    let (mut child, client) = common::spawn_server(folder.path());

    let init = client.initialize(full_capabilities(), None).await;
    assert_eq!(init["serverInfo"]["name"], "nixwise");
    client.open(&uri, 1, text).await;
    let diagnostics = client.diagnostics(&uri, 1).await;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "bool-comparison");

    // A broken frame and a body that is no JSON do not end the session.
    client
        .write_raw(b"Content-Length: banana\r\n\r\nContent-Length: 5\r\n\r\n{oops")
        .await;
    let hover = client
        .request_raw(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 2}}),
        )
        .await;
    assert!(hover.get("error").is_none(), "{hover}");

    let actions = client
        .code_actions(&uri, &diagnostics, Some(json!(["quickfix"])))
        .await;
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(
        apply_action(text, &actions[0], &uri),
        "{ enable = (a < b); }\n"
    );

    client.request("shutdown", serde_json::Value::Null).await;
    client.notify("exit", serde_json::Value::Null).await;
    let status = tokio::time::timeout(std::time::Duration::from_secs(60), child.wait())
        .await
        .expect("the server exits after `exit`")
        .expect("a status");
    assert!(status.success(), "{status}");
}
