//! Round trips for the refactorings that rewrite strings, inline bindings and name a `with`'s
//! names, with non-ASCII text before the cursor so that UTF-16 positions are exercised.

mod common;

use common::{apply_action, full_capabilities, TestClient};
use serde_json::{json, Value};

const URI: &str = "file:///nixwise-tests/assists.nix";

/// The refactorings offered at `(line, character)` of `text`, opened fresh.
async fn rewrites(text: &str, line: u32, character: u32) -> Vec<Value> {
    let client = TestClient::in_process();
    client.initialize(full_capabilities(), None).await;
    client.open(URI, 1, text).await;
    let at = json!({"line": line, "character": character});
    let params = json!({
        "textDocument": {"uri": URI},
        "range": {"start": at, "end": at},
        "context": {"diagnostics": [], "only": ["refactor"]},
    });
    let actions = client.request("textDocument/codeAction", params).await;
    actions.as_array().cloned().expect("a list of actions")
}

fn titled(actions: &[Value], title: &str) -> Value {
    actions
        .iter()
        .find(|action| action["title"] == title)
        .unwrap_or_else(|| panic!("no `{title}` in {actions:?}"))
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_string_becomes_an_indented_string() {
    let text = "{ a = \"é\\n  b ${x} \\${y}\"; }";
    // The cursor is on the `b`, after the two-byte `é`.
    let actions = rewrites(text, 0, 11).await;
    let action = titled(&actions, "Convert to an indented string");
    assert_eq!(action["kind"], "refactor.rewrite");
    assert_eq!(
        apply_action(text, &action, URI),
        "{ a = ''\n  é\n    b ${x} ''${y}''; }"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_binding_is_inlined_and_a_with_named() {
    let text =
        "{ pkgs }:\nlet\n  one = \"é\";\n  two = one + one;\nin\nwith pkgs; [ \"é\" two hello ]";
    // The cursor is on the use of `two`, after the two-byte `é`.
    let inline = rewrites(text, 5, 17).await;
    let action = titled(&inline, "Inline `two`");
    assert_eq!(
        apply_action(text, &action, URI),
        "{ pkgs }:\nlet\n  one = \"é\";\nin\nwith pkgs; [ \"é\" (one + one) hello ]"
    );
    let with = rewrites(text, 5, 1).await;
    let action = titled(&with, "Convert `with` to `let inherit`");
    assert_eq!(
        apply_action(text, &action, URI),
        "{ pkgs }:\nlet\n  one = \"é\";\n  two = one + one;\nin\nlet inherit (pkgs) hello; in [ \"é\" two hello ]"
    );
}
