//! editors/helix/languages.toml as Helix uses it: the entries Helix reads, the `config.nixwise`
//! table read by the server's own settings reader, and the built `nixwise server` given that
//! table the two ways Helix gives it (as `initializationOptions` wrapped in `{ "nixwise": … }`,
//! and as the answer to a `workspace/configuration` pull for the section `nixwise`).

mod common;

use std::path::Path;

use common::full_capabilities;
use serde_json::{json, Value};

fn languages_toml() -> toml::Table {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../editors/helix/languages.toml");
    let text = std::fs::read_to_string(&path).expect("editors/helix/languages.toml exists");
    toml::from_str(&text).expect("languages.toml is valid TOML")
}

/// The `config` table of the nixwise language server, as JSON, as Helix sends it.
fn helix_config(languages: &toml::Table) -> Value {
    let config = &languages["language-server"]["nixwise"]["config"];
    serde_json::to_value(config).expect("TOML values are JSON values")
}

/// How Helix answers a configuration item: the value under the dotted section of `config`.
fn helix_answer(config: &Value, section: &str) -> Value {
    section
        .split('.')
        .try_fold(config, |value, key| value.get(key))
        .cloned()
        .unwrap_or(Value::Null)
}

#[test]
fn the_entries_are_what_helix_reads() {
    let languages = languages_toml();
    let server = &languages["language-server"]["nixwise"];
    assert_eq!(server["command"].as_str(), Some("nixwise"));
    assert_eq!(
        server["args"].as_array().expect("args").as_slice(),
        [toml::Value::from("server")]
    );
    let nix = languages["language"]
        .as_array()
        .expect("[[language]] entries")
        .iter()
        .find(|language| language["name"].as_str() == Some("nix"))
        .expect("an entry for nix");
    let servers: Vec<&str> = nix["language-servers"]
        .as_array()
        .expect("language-servers")
        .iter()
        .filter_map(toml::Value::as_str)
        .collect();
    assert_eq!(servers, ["nixwise", "nil"]);
}

#[test]
fn the_config_is_read_without_problems_by_the_servers_settings_reader() {
    let languages = languages_toml();
    let table = languages["language-server"]["nixwise"]["config"]["nixwise"]
        .as_table()
        .expect("config.nixwise is a table");
    let (settings, errors) = lints::Settings::from_table(table);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        settings.lints.get("bool-comparison"),
        Some(&lints::Level::On(lints::Severity::Warning))
    );
    assert_eq!(
        settings.lints.get("unused-lambda-arg"),
        Some(&lints::Level::On(lints::Severity::Hint))
    );
    assert_eq!(settings.exclude, ["result/**"]);
}

/// Starts the built server as Helix would and opens a file with a `bool-comparison` finding.
/// `initial` is sent as `initializationOptions`; with `pulled`, the client also answers the
/// server's configuration pull from it as Helix does (by section), else it declares that it
/// cannot answer pulls. Returns the severity of the finding in the diagnostics that agree with
/// the settings that should win (`None`: the lint is off).
async fn bool_comparison_severity(initial: Value, pulled: Option<Value>) -> Option<u64> {
    let folder = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(folder.path().join("nixwise.toml"), "").expect("write");
    let path = folder.path().join("default.nix");
    let text = "{ enable = (a < b) == true; }\n";
    std::fs::write(&path, text).expect("write");
    let uri = format!("file://{}", path.display());

    let (mut child, client) = common::spawn_server(folder.path());

    let mut capabilities = full_capabilities();
    let expected = expected_severity(pulled.as_ref().unwrap_or(&initial));
    match &pulled {
        Some(pulled) => client.set_configuration(helix_answer(pulled, "nixwise")),
        None => capabilities["workspace"]["configuration"] = json!(false),
    }
    client.initialize(capabilities, Some(initial)).await;
    client.open(&uri, 1, text).await;

    // The first diagnostics may come before the pulled settings apply; the server re-lints once
    // they do, so wait for a publication that agrees with the settings that should win. A server
    // that ignored them never sends one, and the wait fails.
    let published = client
        .wait_until(
            "textDocument/publishDiagnostics",
            &format!("bool-comparison at {expected:?}"),
            |all| {
                all.iter()
                    .any(|params| params["uri"] == uri.as_str() && severity_in(params) == expected)
            },
        )
        .await;
    let agreeing = published
        .iter()
        .find(|params| params["uri"] == uri.as_str() && severity_in(params) == expected)
        .expect("found above");

    if pulled.is_some() {
        // The pull may still be on its way when the first diagnostics agree already.
        let waiting = async {
            loop {
                let pulls = client.server_requests("workspace/configuration");
                if let Some(pull) = pulls.first() {
                    return pull.clone();
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        };
        let pull = tokio::time::timeout(std::time::Duration::from_secs(60), waiting)
            .await
            .expect("the server pulls its settings");
        assert_eq!(pull["items"][0]["section"], "nixwise");
    } else {
        let pulls = client.server_requests("workspace/configuration");
        assert!(
            pulls.is_empty(),
            "the server pulled from a client that cannot answer"
        );
    }
    client.request("shutdown", Value::Null).await;
    client.notify("exit", Value::Null).await;
    let _ = child.wait().await;
    severity_in(agreeing)
}

fn severity_in(params: &Value) -> Option<u64> {
    params["diagnostics"]
        .as_array()?
        .iter()
        .find(|diagnostic| diagnostic["code"] == "bool-comparison")
        .and_then(|diagnostic| diagnostic["severity"].as_u64())
}

/// The LSP severity the config asks for: 1 error, 2 warning, 3 information, 4 hint.
fn expected_severity(config: &Value) -> Option<u64> {
    match config["nixwise"]["lints"]["bool-comparison"].as_str() {
        Some("off") => None,
        Some("error") => Some(1),
        Some("info") => Some(3),
        Some("hint") => Some(4),
        _ => Some(2),
    }
}

fn with_level(mut config: Value, level: &str) -> Value {
    config["nixwise"]["lints"]["bool-comparison"] = json!(level);
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shipped_config_gives_the_finding_at_its_level() {
    let config = helix_config(&languages_toml());
    assert_eq!(
        bool_comparison_severity(config.clone(), Some(config.clone())).await,
        Some(2)
    );
    assert_eq!(bool_comparison_severity(config, None).await, Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_level_in_the_helix_config_takes_effect_through_initialization_options() {
    let config = helix_config(&languages_toml());
    let off = with_level(config.clone(), "off");
    assert_eq!(bool_comparison_severity(off, None).await, None);
    let error = with_level(config, "error");
    assert_eq!(bool_comparison_severity(error, None).await, Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_level_in_the_helix_config_takes_effect_through_the_configuration_pull() {
    // Only the pulled settings change the level: the result shows that the answer to the pull,
    // looked up by section as Helix does, is what applies.
    let config = helix_config(&languages_toml());
    let off = with_level(config.clone(), "off");
    assert_eq!(
        bool_comparison_severity(config.clone(), Some(off)).await,
        None
    );
    let error = with_level(config.clone(), "error");
    assert_eq!(bool_comparison_severity(config, Some(error)).await, Some(1));
}
