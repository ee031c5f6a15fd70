//! Round trips through the language server in this process, over an in-memory pipe.

mod common;

use common::{apply_action, full_capabilities, TestClient};
use serde_json::{json, Value};

const URI: &str = "file:///nixwise-tests/a.nix";

async fn started() -> TestClient {
    let client = TestClient::in_process();
    client.initialize(full_capabilities(), None).await;
    client
}

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics
        .iter()
        .map(|diagnostic| diagnostic["code"].as_str().unwrap_or(""))
        .collect()
}

fn range(diagnostic: &Value) -> [u64; 4] {
    let at = |end: &str, field: &str| diagnostic["range"][end][field].as_u64().expect("a number");
    [
        at("start", "line"),
        at("start", "character"),
        at("end", "line"),
        at("end", "character"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_publishes_diagnostics_for_its_version() {
    let client = TestClient::in_process();
    let init = client.initialize(full_capabilities(), None).await;
    assert_eq!(
        init["capabilities"]["textDocumentSync"]["change"], 2,
        "incremental sync"
    );
    assert_eq!(
        init["capabilities"]["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix", "refactor.rewrite", "source.fixAll.nixwise"])
    );

    client.open(URI, 3, "{ a = x == true; }").await;
    let diagnostics = client.diagnostics(URI, 3).await;
    assert_eq!(codes(&diagnostics), ["bool-comparison"]);
    let found = &diagnostics[0];
    assert_eq!(range(found), [0, 6, 0, 15]);
    assert_eq!(found["severity"], 2);
    assert_eq!(found["source"], "nixwise");
    assert!(
        found["message"]
            .as_str()
            .expect("a message")
            .contains("`true`"),
        "{found}"
    );

    let broken = "file:///nixwise-tests/broken.nix";
    client.open(broken, 1, "{ a = ; }").await;
    let diagnostics = client.diagnostics(broken, 1).await;
    assert!(
        codes(&diagnostics).contains(&"syntax-error"),
        "{diagnostics:?}"
    );
    assert!(diagnostics
        .iter()
        .all(|diagnostic| diagnostic["severity"] == 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_changes_are_linted_at_their_version() {
    let client = started().await;
    client.open(URI, 1, "{ a = x == true; }").await;
    assert_eq!(
        codes(&client.diagnostics(URI, 1).await),
        ["bool-comparison"]
    );

    // `true` becomes `y`: nothing to report.
    client.change(URI, 2, [0, 11, 0, 15], "y").await;
    assert!(client.diagnostics(URI, 2).await.is_empty());

    // A new line above the attribute set moves the finding down a line.
    client.change(URI, 3, [0, 11, 0, 12], "false").await;
    client.change(URI, 4, [0, 0, 0, 0], "# note\n").await;
    let diagnostics = client.diagnostics(URI, 4).await;
    assert_eq!(codes(&diagnostics), ["bool-comparison"]);
    assert_eq!(range(&diagnostics[0]), [1, 6, 1, 16]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_for_older_versions_are_never_published() {
    let client = started().await;
    let base = "x: { a = x == true; }";
    client.open(URI, 1, base).await;
    let last = 40;
    for version in 2..=last {
        // Each edit moves the finding one column to the right.
        client.change(URI, version, [0, 0, 0, 0], " ").await;
    }
    client.diagnostics(URI, last).await;
    let published: Vec<Value> = client
        .notifications("textDocument/publishDiagnostics")
        .into_iter()
        .filter(|params| params["uri"] == URI)
        .collect();
    let versions: Vec<i64> = published
        .iter()
        .map(|params| params["version"].as_i64().expect("versioned"))
        .collect();
    assert!(
        versions.windows(2).all(|pair| pair[0] <= pair[1]),
        "out of order: {versions:?}"
    );
    assert_eq!(versions.last(), Some(&i64::from(last)));
    for params in &published {
        // Every published result matches the text of the version it claims.
        let version = params["version"].as_u64().expect("versioned");
        let diagnostics = params["diagnostics"].as_array().expect("a list");
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(range(&diagnostics[0])[1], version - 1 + 9, "{params}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quick_fixes_come_from_the_diagnostic_data() {
    let client = started().await;
    let safe = "file:///nixwise-tests/safe.nix";
    let text = "{ a = (y < z) == true; }";
    client.open(safe, 1, text).await;
    let diagnostics = client.diagnostics(safe, 1).await;
    let actions = client.code_actions(safe, &diagnostics, None).await;
    let quick_fixes: Vec<&Value> = actions
        .iter()
        .filter(|action| action["kind"] == "quickfix")
        .collect();
    assert_eq!(quick_fixes.len(), 1, "{actions:#?}");
    assert_eq!(quick_fixes[0]["isPreferred"], true);
    assert_eq!(quick_fixes[0]["diagnostics"][0]["code"], "bool-comparison");
    assert_eq!(apply_action(text, quick_fixes[0], safe), "{ a = (y < z); }");
    // With a safe fix at hand, the unfiltered request offers "fix all" too.
    assert!(
        actions
            .iter()
            .any(|action| action["kind"] == "source.fixAll.nixwise"),
        "{actions:#?}"
    );

    let text = "{ a = x == true; }";
    client.open(URI, 1, text).await;
    let diagnostics = client.diagnostics(URI, 1).await;
    let actions = client
        .code_actions(URI, &diagnostics, Some(json!(["quickfix"])))
        .await;
    assert_eq!(actions.len(), 1, "{actions:#?}");
    let title = actions[0]["title"].as_str().expect("a title");
    assert!(title.ends_with(" (unsafe)"), "{title}");
    assert_ne!(actions[0]["isPreferred"], true);
    assert_eq!(apply_action(text, &actions[0], URI), "{ a = x; }");

    // Fixes computed for version 1 do not apply to version 2.
    client.change(URI, 2, [0, 0, 0, 0], " ").await;
    assert!(client
        .code_actions(URI, &diagnostics, None)
        .await
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_all_applies_every_safe_fix_at_once() {
    let client = started().await;
    let text = "{ a = (y < z) == true; b = x == true; c = (p > q) != false; }";
    client.open(URI, 1, text).await;
    let diagnostics = client.diagnostics(URI, 1).await;
    assert_eq!(diagnostics.len(), 3);
    for only in [
        json!(["source.fixAll"]),
        json!(["source"]),
        json!(["source.fixAll.nixwise"]),
    ] {
        let actions = client.code_actions(URI, &[], Some(only.clone())).await;
        assert_eq!(actions.len(), 1, "{only}: {actions:#?}");
        assert_eq!(actions[0]["kind"], "source.fixAll.nixwise");
        assert_eq!(
            apply_action(text, &actions[0], URI),
            "{ a = y < z; b = x == true; c = p > q; }"
        );
    }
    let quick_only = client
        .code_actions(URI, &diagnostics, Some(json!(["quickfix"])))
        .await;
    assert!(
        quick_only.iter().all(|action| action["kind"] == "quickfix"),
        "{quick_only:#?}"
    );
    assert_eq!(quick_only.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn positions_are_utf16_after_wide_characters() {
    let client = started().await;
    let text = "# ü𝔸\n{ a = \"€𝔸\"; b = x == true; }";
    client.open(URI, 1, text).await;
    let diagnostics = client.diagnostics(URI, 1).await;
    assert_eq!(codes(&diagnostics), ["bool-comparison"]);
    // `{ a = "` is 7 units, `€` 1, `𝔸` 2 (a surrogate pair), `"; b = ` 7.
    assert_eq!(range(&diagnostics[0]), [1, 17, 1, 26]);
    let actions = client
        .code_actions(URI, &diagnostics, Some(json!(["quickfix"])))
        .await;
    assert_eq!(
        apply_action(text, &actions[0], URI),
        "# ü𝔸\n{ a = \"€𝔸\"; b = x; }"
    );

    // An edit addressed in UTF-16 after the wide characters lands where the client meant it.
    client.change(URI, 2, [1, 22, 1, 26], "y").await;
    assert!(client.diagnostics(URI, 2).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pulled_configuration_turns_a_lint_off() {
    let client = started().await;
    client.open(URI, 1, "x: { a = x == true; }").await;
    assert_eq!(
        codes(&client.diagnostics(URI, 1).await),
        ["bool-comparison"]
    );

    client.set_configuration(json!({"lints": {"bool-comparison": "off"}}));
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": null}),
        )
        .await;
    client
        .wait_until(
            "textDocument/publishDiagnostics",
            "diagnostics to disappear",
            |all| {
                all.last().is_some_and(|params| {
                    params["uri"] == URI && params["diagnostics"] == json!([])
                })
            },
        )
        .await;
    assert!(!client.server_requests("workspace/configuration").is_empty());
    assert_eq!(
        client.server_requests("workspace/configuration")[0]["items"][0]["section"],
        "nixwise"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initialization_options_in_both_shapes() {
    let settings = json!({"lints": {"bool-comparison": "error"}, "path": "/usr/bin/nixwise", "trace": {"server": "off"}});
    for options in [settings.clone(), json!({"nixwise": settings})] {
        let client = TestClient::in_process();
        // A client that cannot answer pulls: the options are all it says.
        client.initialize(json!({}), Some(options.clone())).await;
        client.open(URI, 1, "x: { a = x == true; }").await;
        let diagnostics = client.diagnostics(URI, 1).await;
        assert_eq!(diagnostics[0]["severity"], 1, "{options}: {diagnostics:?}");

        // Pushed settings apply the same way; their re-lint follows any message about them.
        client
            .notify(
                "workspace/didChangeConfiguration",
                json!({"settings": {"nixwise": {"lints": {"NIX001": "hint"}}}}),
            )
            .await;
        client
            .wait_until("textDocument/publishDiagnostics", "the hint", |all| {
                all.iter()
                    .any(|params| params["diagnostics"][0]["severity"] == 4)
            })
            .await;
        assert!(
            client.notifications("window/showMessage").is_empty(),
            "client-only keys are not problems"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_settings_are_reported_once() {
    let client = TestClient::in_process();
    let bad = json!({"lints": {"bool-comparisn": "off"}, "colour": true});
    client.set_configuration(bad.clone());
    client
        .initialize(full_capabilities(), Some(json!({"nixwise": bad})))
        .await;
    let message = client.wait_for("window/showMessage", |_| true).await;
    assert_eq!(message["type"], 2, "a warning");
    let text = message["message"].as_str().expect("a message");
    assert!(
        text.contains("bool-comparisn") && text.contains("colour"),
        "{text}"
    );

    client.open(URI, 1, "x: { a = x == true; }").await;
    client.diagnostics(URI, 1).await;
    // The same problems again, beside a good setting whose re-lint shows that the update is done.
    client.set_configuration(
        json!({"lints": {"bool-comparisn": "off", "bool-comparison": "hint"}, "colour": true}),
    );
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": null}),
        )
        .await;
    client
        .wait_until("textDocument/publishDiagnostics", "the hint", |all| {
            all.iter()
                .any(|params| params["diagnostics"][0]["severity"] == 4)
        })
        .await;
    assert_eq!(client.notifications("window/showMessage").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_clears_diagnostics() {
    let client = started().await;
    client.open(URI, 1, "{ a = x == true; }").await;
    assert_eq!(client.diagnostics(URI, 1).await.len(), 1);
    client
        .notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    // Nothing but the close publishes an empty list for this text.
    client
        .wait_until("textDocument/publishDiagnostics", "the clearing", |all| {
            all.iter()
                .rev()
                .find(|params| params["uri"] == URI)
                .is_some_and(|last| last["diagnostics"] == json!([]))
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_on_a_diagnostic_shows_the_lint_docs() {
    let client = started().await;
    client.open(URI, 1, "{ a = x == true; }").await;
    client.diagnostics(URI, 1).await;
    let at = |character: u32| json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": character}});
    let hover = client.request("textDocument/hover", at(9)).await;
    assert_eq!(hover["contents"]["kind"], "markdown");
    let value = hover["contents"]["value"].as_str().expect("markdown");
    assert!(value.starts_with("# NIX001 `bool-comparison`"), "{value}");
    assert!(
        value.contains("## What it does") && value.contains("## Example"),
        "{value}"
    );
    assert_eq!(hover["range"]["start"]["character"], 6);
    assert_eq!(
        client.request("textDocument/hover", at(1)).await,
        Value::Null
    );
}

fn file_uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn project_configuration_file_applies_and_is_watched() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let config = folder.path().join("nixwise.toml");
    std::fs::write(
        &config,
        "exclude = [\"gen/**\"]\n[lints]\nbool-comparison = \"off\"\n",
    )
    .expect("write");
    std::fs::create_dir(folder.path().join("gen")).expect("a folder");
    let inside = file_uri(&folder.path().join("a.nix"));
    let generated = file_uri(&folder.path().join("gen/b.nix"));
    let text = "{ a = x == true; b = ; }";

    let client = started().await;
    client.open(&inside, 1, text).await;
    let diagnostics = client.diagnostics(&inside, 1).await;
    assert!(
        !diagnostics.is_empty()
            && codes(&diagnostics)
                .iter()
                .all(|code| *code == "syntax-error"),
        "{diagnostics:?}"
    );
    client.open(&generated, 1, text).await;
    assert!(
        client.diagnostics(&generated, 1).await.is_empty(),
        "excluded"
    );
    client.open(URI, 1, text).await;
    assert!(
        codes(&client.diagnostics(URI, 1).await).contains(&"bool-comparison"),
        "outside the folder"
    );

    let registrations = client.server_requests("client/registerCapability");
    assert_eq!(registrations.len(), 1);
    assert_eq!(
        registrations[0]["registrations"][0]["method"],
        "workspace/didChangeWatchedFiles"
    );

    std::fs::write(&config, "[lints]\nbool-comparison = \"error\"\n").expect("write");
    let change = json!({"changes": [{"uri": file_uri(&config), "type": 2}]});
    client
        .notify("workspace/didChangeWatchedFiles", change)
        .await;
    client
        .wait_until("textDocument/publishDiagnostics", "the new level", |all| {
            all.iter().any(|params| {
                params["uri"] == inside.as_str()
                    && params["diagnostics"].as_array().is_some_and(|found| {
                        found
                            .iter()
                            .any(|one| one["code"] == "bool-comparison" && one["severity"] == 1)
                    })
            })
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn problems_in_a_project_file_are_reported_once() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(
        folder.path().join("nixwise.toml"),
        "[lints]\nbool-comparisn = \"off\"\n",
    )
    .expect("write");
    let client = started().await;
    for name in ["a.nix", "b.nix"] {
        let uri = file_uri(&folder.path().join(name));
        client.open(&uri, 1, "{ a = x == true; }").await;
        // The rest of the file still applies, which here is nothing: the lint stays on.
        assert_eq!(
            codes(&client.diagnostics(&uri, 1).await),
            ["bool-comparison"]
        );
    }
    // A warning goes out before the diagnostics of the run that found it.
    let messages = client.notifications("window/showMessage");
    assert_eq!(messages.len(), 1, "{messages:#?}");
    let text = messages[0]["message"].as_str().expect("a message");
    assert!(
        text.contains("nixwise.toml") && text.contains("bool-comparisn"),
        "{text}"
    );
}
