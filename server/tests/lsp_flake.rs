//! A flake's two files in the language server: flake.lock findings published on flake.lock and
//! mirrored on flake.nix, re-linted when either changes in the editor or on disk, and the `nix`
//! commands that fix a lock, run with a fake `nix` or none at all.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{full_capabilities, TestClient};
use nixwise::lsp::NixOptions;
use serde_json::{json, Value};

const PUBLISH: &str = "textDocument/publishDiagnostics";

const FLAKE_NIX: &str = r#"{
  description = "A flake for the tests";
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  outputs = { self, nixpkgs }: { };
}
"#;

/// The same flake without its input.
const FLAKE_NIX_WITHOUT_INPUT: &str = r#"{
  description = "A flake for the tests";
  outputs = { self }: { };
}
"#;

/// A lock whose nixpkgs was last modified `last_modified` (seconds since 1970).
fn flake_lock(last_modified: i64) -> String {
    format!(
        r#"{{
  "nodes": {{
    "nixpkgs": {{
      "locked": {{
        "lastModified": {last_modified},
        "narHash": "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "owner": "NixOS",
        "repo": "nixpkgs",
        "rev": "0123456789abcdef0123456789abcdef01234567",
        "type": "github"
      }},
      "original": {{
        "owner": "NixOS",
        "ref": "nixos-unstable",
        "repo": "nixpkgs",
        "type": "github"
      }}
    }},
    "root": {{
      "inputs": {{
        "nixpkgs": "nixpkgs"
      }}
    }}
  }},
  "root": "root",
  "version": 7
}}
"#
    )
}

/// 2023-11-14, a year before the reference date.
const OLD: i64 = 1_700_000_000;
/// 2026-11-20, four days before the reference date.
const RECENT: i64 = 1_795_132_800;

/// A flake folder with a fixed reference date, its flake.nix and (if given) flake.lock on disk.
struct Flake {
    folder: tempfile::TempDir,
}

impl Flake {
    fn new(lock: Option<&str>) -> Flake {
        let folder = tempfile::tempdir().expect("a temporary folder");
        std::fs::write(
            folder.path().join("nixwise.toml"),
            "reference-date = \"2026-11-24\"\n",
        )
        .expect("write");
        std::fs::write(folder.path().join("flake.nix"), FLAKE_NIX).expect("write");
        if let Some(lock) = lock {
            std::fs::write(folder.path().join("flake.lock"), lock).expect("write");
        }
        Flake { folder }
    }

    fn path(&self) -> PathBuf {
        self.folder.path().to_owned()
    }

    fn nix_uri(&self) -> String {
        file_uri(&self.folder.path().join("flake.nix"))
    }

    fn lock_uri(&self) -> String {
        file_uri(&self.folder.path().join("flake.lock"))
    }
}

fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

async fn started(nix: NixOptions) -> TestClient {
    let client = TestClient::in_process_with_nix(nix);
    client.initialize(full_capabilities(), None).await;
    client
}

/// Every publication for `uri`, oldest first.
fn publications(client: &TestClient, uri: &str) -> Vec<Value> {
    client
        .notifications(PUBLISH)
        .into_iter()
        .filter(|params| params["uri"] == uri)
        .collect()
}

/// Waits for the first publication for `uri` after the first `after` ones that satisfies `done`,
/// and returns it.
async fn published_after(
    client: &TestClient,
    uri: &str,
    after: usize,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let matching = |params: &Value| params["uri"] == uri && done(params);
    client
        .wait_until(PUBLISH, what, |all| {
            all.iter()
                .filter(|params| params["uri"] == uri)
                .skip(after)
                .any(matching)
        })
        .await;
    publications(client, uri)
        .into_iter()
        .skip(after)
        .find(|params| done(params))
        .expect("found above")
}

fn with_code<'a>(params: &'a Value, code: &str) -> Vec<&'a Value> {
    params["diagnostics"]
        .as_array()
        .map(|all| all.iter().filter(|found| found["code"] == code).collect())
        .unwrap_or_default()
}

/// The text a diagnostic's range covers, on one line.
fn covered<'a>(text: &'a str, diagnostic: &Value) -> &'a str {
    let line = diagnostic["range"]["start"]["line"]
        .as_u64()
        .expect("a line") as usize;
    assert_eq!(
        diagnostic["range"]["end"]["line"], diagnostic["range"]["start"]["line"],
        "{diagnostic}"
    );
    let start = diagnostic["range"]["start"]["character"]
        .as_u64()
        .expect("a column") as usize;
    let end = diagnostic["range"]["end"]["character"]
        .as_u64()
        .expect("a column") as usize;
    // The fixtures are ASCII: UTF-16 columns are byte columns.
    &text.lines().nth(line).expect("the line exists")[start..end]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_lock_on_disk_is_reported_on_both_files() {
    let lock = flake_lock(OLD);
    let flake = Flake::new(Some(&lock));
    let client = started(NixOptions::default()).await;
    client.open(&flake.nix_uri(), 1, FLAKE_NIX).await;

    let nix = client.diagnostics(&flake.nix_uri(), 1).await;
    let mirrored: Vec<&Value> = nix
        .iter()
        .filter(|found| found["code"] == "nixpkgs-outdated")
        .collect();
    assert_eq!(mirrored.len(), 1, "{nix:#?}");
    assert_eq!(covered(FLAKE_NIX, mirrored[0]), "nixpkgs");
    assert_eq!(mirrored[0]["range"]["start"]["line"], 2);
    let message = mirrored[0]["message"].as_str().expect("a message");
    assert!(
        message.starts_with("`nixpkgs` was last updated 1105 days ago (2023-11-14)")
            && message.ends_with("(flake.lock)"),
        "{message}"
    );

    // The lock is not open: its diagnostics come without a version.
    let on_lock = published_after(&client, &flake.lock_uri(), 0, "the lock", |params| {
        !with_code(params, "nixpkgs-outdated").is_empty()
    })
    .await;
    assert_eq!(on_lock["version"], Value::Null);
    let outdated = with_code(&on_lock, "nixpkgs-outdated");
    assert_eq!(outdated.len(), 1);
    assert_eq!(outdated[0]["source"], "nixwise");
    let spot = covered(&lock, outdated[0]);
    assert!(
        spot.contains("1700000000") || spot.contains("lastModified"),
        "{spot:?} in {:?}",
        outdated[0]["range"]
    );
    assert_eq!(outdated[0]["range"]["start"]["line"], 4);
    assert!(
        !on_lock["diagnostics"]
            .as_array()
            .expect("a list")
            .iter()
            .any(|found| found["code"] == "syntax-error"),
        "the Nix lints never run on flake.lock"
    );

    // Both offer to update the input, with the URI of the file they are on.
    for (uri, diagnostic) in [
        (flake.nix_uri(), mirrored[0]),
        (flake.lock_uri(), outdated[0]),
    ] {
        if uri == flake.lock_uri() {
            // Code actions need the document open; its diagnostics then get its version.
            client.open_as(&uri, "json", 1, &lock).await;
            let opened = client.diagnostics(&uri, 1).await;
            let actions = client.code_actions(&uri, &opened, None).await;
            assert_update_action(&actions, &uri);
            assert!(
                !actions
                    .iter()
                    .any(|action| action["kind"] == "source.fixAll.nixwise"),
                "no Nix fixes on JSON: {actions:#?}"
            );
        } else {
            let actions = client
                .code_actions(&uri, std::slice::from_ref(diagnostic), None)
                .await;
            assert_update_action(&actions, &uri);
        }
    }
}

fn assert_update_action(actions: &[Value], uri: &str) {
    let commands: Vec<&Value> = actions
        .iter()
        .filter(|action| action["command"].is_object())
        .collect();
    assert_eq!(commands.len(), 1, "{actions:#?}");
    assert_eq!(commands[0]["kind"], "quickfix");
    assert_eq!(commands[0]["title"], "Run `nix flake update nixpkgs`");
    assert_eq!(commands[0]["command"]["command"], "nixwise.flakeUpdate");
    assert_eq!(commands[0]["command"]["arguments"], json!([uri, "nixpkgs"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_the_open_lock_relints_flake_nix() {
    let lock = flake_lock(OLD);
    let flake = Flake::new(Some(&lock));
    let (nix_uri, lock_uri) = (flake.nix_uri(), flake.lock_uri());
    let client = started(NixOptions::default()).await;
    client.open(&nix_uri, 1, FLAKE_NIX).await;
    client.open_as(&lock_uri, "json", 1, &lock).await;
    let on_lock = client.diagnostics(&lock_uri, 1).await;
    assert_eq!(
        on_lock
            .iter()
            .filter(|found| found["code"] == "nixpkgs-outdated")
            .count(),
        1,
        "{on_lock:#?}"
    );

    // Cut the lock off after its first line: not JSON any more.
    let before = publications(&client, &nix_uri).len();
    client.change(&lock_uri, 2, [1, 0, 40, 0], "").await;
    let on_lock = client.diagnostics(&lock_uri, 2).await;
    let invalid = on_lock
        .iter()
        .find(|found| found["code"] == "lock-missing-or-invalid")
        .unwrap_or_else(|| panic!("{on_lock:#?}"));
    assert_eq!(invalid["severity"], 1);
    assert!(!on_lock
        .iter()
        .any(|found| found["code"] == "nixpkgs-outdated"));
    // The lock can be relocked from here.
    let actions = client
        .code_actions(&lock_uri, std::slice::from_ref(invalid), None)
        .await;
    assert!(
        actions.iter().any(|action| {
            action["command"]["command"] == "nixwise.flakeLock"
                && action["command"]["arguments"] == json!([lock_uri])
        }),
        "{actions:#?}"
    );

    // flake.nix, still at version 1, loses the mirror of the finding that is gone.
    published_after(&client, &nix_uri, before, "flake.nix re-linted", |params| {
        params["version"] == 1 && with_code(params, "nixpkgs-outdated").is_empty()
    })
    .await;

    // Closing the lock falls back to the file on disk, still old, published without a version.
    let lock_before = publications(&client, &lock_uri).len();
    client.close(&lock_uri).await;
    let from_disk = published_after(&client, &lock_uri, lock_before, "the disk", |params| {
        params["version"].is_null()
    })
    .await;
    assert_eq!(with_code(&from_disk, "nixpkgs-outdated").len(), 1);

    // With neither file open, the lock's diagnostics are cleared along with flake.nix's.
    let lock_before = publications(&client, &lock_uri).len();
    client.close(&nix_uri).await;
    published_after(&client, &lock_uri, lock_before, "the clearing", |params| {
        params["diagnostics"] == json!([])
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_flake_nix_relints_the_lock() {
    let lock = flake_lock(OLD);
    let flake = Flake::new(Some(&lock));
    let (nix_uri, lock_uri) = (flake.nix_uri(), flake.lock_uri());
    let client = started(NixOptions::default()).await;
    client.open(&nix_uri, 1, FLAKE_NIX).await;
    client.open_as(&lock_uri, "json", 3, &lock).await;
    client.diagnostics(&lock_uri, 3).await;
    let nix = client.diagnostics(&nix_uri, 1).await;
    assert!(nix.iter().any(|found| found["code"] == "nixpkgs-outdated"));

    let lock_before = publications(&client, &lock_uri).len();
    client
        .change(&nix_uri, 2, [0, 0, 5, 0], FLAKE_NIX_WITHOUT_INPUT)
        .await;
    let nix = client.diagnostics(&nix_uri, 2).await;
    assert!(
        !nix.iter().any(|found| found["code"] == "nixpkgs-outdated"),
        "no input to mirror onto: {nix:#?}"
    );
    // The lock is checked again against the new flake.nix, at its own version. Without the input
    // to point at, the update command takes the input named in the finding.
    let again = published_after(
        &client,
        &lock_uri,
        lock_before,
        "the lock again",
        |params| params["version"] == 3,
    )
    .await;
    let outdated = with_code(&again, "nixpkgs-outdated");
    assert_eq!(outdated.len(), 1, "{again:#?}");
    assert_eq!(outdated[0]["data"]["command"]["input"], "nixpkgs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_changed_on_disk_is_republished() {
    let flake = Flake::new(Some(&flake_lock(OLD)));
    let (nix_uri, lock_uri) = (flake.nix_uri(), flake.lock_uri());
    let client = started(NixOptions::default()).await;
    client.open(&nix_uri, 1, FLAKE_NIX).await;
    published_after(&client, &lock_uri, 0, "the old lock", |params| {
        !with_code(params, "nixpkgs-outdated").is_empty()
    })
    .await;
    let registrations = client.server_requests("client/registerCapability");
    let watchers = &registrations[0]["registrations"][0]["registerOptions"]["watchers"];
    assert!(
        watchers
            .as_array()
            .expect("a list")
            .iter()
            .any(|watcher| watcher["globPattern"] == "**/flake.lock"),
        "{watchers}"
    );

    // `nix flake update` in a terminal: the lock is recent now.
    let (nix_before, lock_before) = (
        publications(&client, &nix_uri).len(),
        publications(&client, &lock_uri).len(),
    );
    std::fs::write(flake.path().join("flake.lock"), flake_lock(RECENT)).expect("write");
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": lock_uri, "type": 2}]}),
        )
        .await;
    published_after(&client, &lock_uri, lock_before, "the new lock", |params| {
        params["diagnostics"] == json!([])
    })
    .await;
    published_after(&client, &nix_uri, nix_before, "flake.nix again", |params| {
        params["version"] == 1 && with_code(params, "nixpkgs-outdated").is_empty()
    })
    .await;

    // A deleted lock: flake.nix has inputs and no lock.
    let nix_before = publications(&client, &nix_uri).len();
    std::fs::remove_file(flake.path().join("flake.lock")).expect("remove");
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": lock_uri, "type": 3}]}),
        )
        .await;
    let missing = published_after(
        &client,
        &nix_uri,
        nix_before,
        "the missing lock",
        |params| !with_code(params, "lock-missing-or-invalid").is_empty(),
    )
    .await;
    let found = with_code(&missing, "lock-missing-or-invalid");
    assert_eq!(covered(FLAKE_NIX, found[0]), "nixpkgs");
    assert_eq!(found[0]["data"]["command"], json!({}), "`nix flake lock`");
}

/// A folder to use as `PATH`, with a `nix` that runs `script` if given.
#[cfg(unix)]
fn tools(script: Option<&str>) -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let folder = tempfile::tempdir().expect("a temporary folder");
    if let Some(script) = script {
        let nix = folder.path().join("nix");
        std::fs::write(&nix, script).expect("write");
        std::fs::set_permissions(&nix, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    folder
}

fn nix_on(path: &Path, timeout: Duration) -> NixOptions {
    NixOptions {
        search_path: Some(path.as_os_str().to_owned()),
        timeout,
    }
}

/// The message the server shows after the `index`-th command.
async fn message(client: &TestClient, index: usize) -> Value {
    let messages = client
        .wait_until("window/showMessage", "a message", |all| all.len() > index)
        .await;
    messages[index].clone()
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_nix_on_path_the_command_says_so() {
    let flake = Flake::new(Some(&flake_lock(OLD)));
    let empty = tools(None);
    // A `nix` inside the project is never run.
    let inside = flake.path().join("bin");
    std::fs::create_dir(&inside).expect("a folder");
    let planted = inside.join("nix");
    let witness = flake.path().join("ran");
    std::fs::write(
        &planted,
        format!("#!/bin/sh\n: > '{}'\n", witness.display()),
    )
    .expect("write");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let search_path = std::env::join_paths([empty.path(), inside.as_path()]).expect("a PATH");
    let client =
        TestClient::in_process_with_nix(nix_on(Path::new(&search_path), Duration::from_secs(60)));
    let init = client.initialize(full_capabilities(), None).await;
    assert_eq!(
        init["capabilities"]["executeCommandProvider"]["commands"],
        json!(["nixwise.flakeLock", "nixwise.flakeUpdate"])
    );
    let result = client
        .request(
            "workspace/executeCommand",
            json!({"command": "nixwise.flakeLock", "arguments": [flake.nix_uri()]}),
        )
        .await;
    assert_eq!(result, Value::Null);
    let shown = message(&client, 0).await;
    assert_eq!(shown["type"], 1, "an error");
    let text = shown["message"].as_str().expect("a message");
    assert!(
        text.contains("`nix flake lock`") && text.contains("no `nix` found on PATH"),
        "{text}"
    );
    assert!(!witness.exists(), "the project's own `nix` ran");
    assert_eq!(client.notifications("window/showMessage").len(), 1);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nix_on_path_runs_in_the_flake_folder() {
    let flake = Flake::new(Some(&flake_lock(OLD)));
    let record = tempfile::tempdir().expect("a temporary folder");
    let calls = record.path().join("calls");
    let fake = tools(Some(&format!(
        "#!/bin/sh\n{{ pwd; for arg in \"$@\"; do printf '%s\\n' \"$arg\"; done; echo --; }} >> '{}'\necho 'updated the lock' >&2\n",
        calls.display()
    )));
    let client = started(nix_on(fake.path(), Duration::from_secs(60))).await;

    client
        .request(
            "workspace/executeCommand",
            json!({"command": "nixwise.flakeLock", "arguments": [flake.lock_uri()]}),
        )
        .await;
    let shown = message(&client, 0).await;
    assert_eq!(shown["type"], 3, "{shown}");
    let text = shown["message"].as_str().expect("a message");
    assert!(
        text.contains("`nix flake lock` finished") && text.contains("updated the lock"),
        "{text}"
    );

    // The update command a code action offers, run as the client would run it.
    client.open(&flake.nix_uri(), 1, FLAKE_NIX).await;
    let diagnostics = client.diagnostics(&flake.nix_uri(), 1).await;
    let actions = client
        .code_actions(&flake.nix_uri(), &diagnostics, Some(json!(["quickfix"])))
        .await;
    let update = actions
        .iter()
        .find(|action| action["command"]["command"] == "nixwise.flakeUpdate")
        .unwrap_or_else(|| panic!("{actions:#?}"));
    client
        .request("workspace/executeCommand", update["command"].clone())
        .await;
    message(&client, 1).await;

    let recorded = std::fs::read_to_string(&calls).expect("the fake nix ran");
    let runs: Vec<Vec<&str>> = recorded
        .split("--\n")
        .filter(|run| !run.is_empty())
        .map(|run| run.lines().collect())
        .collect();
    assert_eq!(runs.len(), 2, "{recorded}");
    let folder = flake.path().canonicalize().expect("a real folder");
    for (run, words) in runs
        .iter()
        .zip([&["flake", "lock"][..], &["flake", "update", "nixpkgs"]])
    {
        assert_eq!(Path::new(run[0]), folder, "{recorded}");
        assert!(
            run[1..].ends_with(words),
            "expected `nix … {}` in {recorded}",
            words.join(" ")
        );
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_or_hanging_nix_is_reported() {
    let flake = Flake::new(None);
    let failing = tools(Some(
        "#!/bin/sh\necho \"error: cannot fetch 'github:NixOS/nixpkgs'\" >&2\nexit 1\n",
    ));
    let client = started(nix_on(failing.path(), Duration::from_secs(60))).await;
    client
        .request(
            "workspace/executeCommand",
            json!({"command": "nixwise.flakeUpdate", "arguments": [flake.nix_uri(), "nixpkgs"]}),
        )
        .await;
    let shown = message(&client, 0).await;
    assert_eq!(shown["type"], 1);
    let text = shown["message"].as_str().expect("a message");
    assert!(
        text.contains("`nix flake update nixpkgs` failed") && text.contains("cannot fetch"),
        "{text}"
    );

    let hanging = tools(Some("#!/bin/sh\nexec /bin/sleep 30\n"));
    let client = started(nix_on(hanging.path(), Duration::from_millis(300))).await;
    client
        .request(
            "workspace/executeCommand",
            json!({"command": "nixwise.flakeLock", "arguments": [flake.nix_uri()]}),
        )
        .await;
    let text = message(&client, 0).await["message"].clone();
    assert!(
        text.as_str()
            .is_some_and(|text| text.contains("did not finish") && text.contains("stopped")),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_command_arguments_are_refused() {
    let client = started(NixOptions::default()).await;
    let params = json!({"command": "nixwise.flakeUpdate", "arguments": ["file:///a/flake.nix", "--commit-lock-file"]});
    let response = client.request_raw("workspace/executeCommand", params).await;
    assert_eq!(response["error"]["code"], -32602, "{response}");
    assert!(client.notifications("window/showMessage").is_empty());
}

/// A flake whose home-manager input brings its own nixpkgs.
const FLAKE_WITH_HOME_MANAGER: &str = r#"{
  description = "A flake for the tests";
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    home-manager = {
      url = "github:nix-community/home-manager";
    };
  };
  outputs = { self, nixpkgs, home-manager }: { };
}
"#;

fn lock_with_second_nixpkgs() -> String {
    let nixpkgs = |rev: &str| {
        format!(
            r#"{{"locked": {{"lastModified": {RECENT}, "narHash": "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "owner": "NixOS", "repo": "nixpkgs", "rev": "{rev}", "type": "github"}}, "original": {{"owner": "NixOS", "ref": "nixos-unstable", "repo": "nixpkgs", "type": "github"}}}}"#
        )
    };
    format!(
        r#"{{
  "nodes": {{
    "home-manager": {{"inputs": {{"nixpkgs": "nixpkgs_2"}}, "locked": {{"lastModified": {RECENT}, "narHash": "sha256-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=", "owner": "nix-community", "repo": "home-manager", "rev": "1111111111111111111111111111111111111111", "type": "github"}}, "original": {{"owner": "nix-community", "repo": "home-manager", "type": "github"}}}},
    "nixpkgs": {},
    "nixpkgs_2": {},
    "root": {{"inputs": {{"home-manager": "home-manager", "nixpkgs": "nixpkgs"}}}}
  }},
  "root": "root",
  "version": 7
}}
"#,
        nixpkgs("0123456789abcdef0123456789abcdef01234567"),
        nixpkgs("89abcdef0123456789abcdef0123456789abcdef")
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_nixpkgs_gets_a_follows_quick_fix_in_flake_nix() {
    let flake = Flake::new(Some(&lock_with_second_nixpkgs()));
    std::fs::write(flake.path().join("flake.nix"), FLAKE_WITH_HOME_MANAGER).expect("write");
    let client = started(NixOptions::default()).await;
    client
        .open(&flake.nix_uri(), 1, FLAKE_WITH_HOME_MANAGER)
        .await;
    let nix = client.diagnostics(&flake.nix_uri(), 1).await;
    let duplicate: Vec<&Value> = nix
        .iter()
        .filter(|found| found["code"] == "duplicate-nixpkgs")
        .collect();
    assert_eq!(duplicate.len(), 1, "{nix:#?}");
    assert_eq!(
        covered(FLAKE_WITH_HOME_MANAGER, duplicate[0]),
        "home-manager"
    );
    let actions = client
        .code_actions(&flake.nix_uri(), &[duplicate[0].clone()], None)
        .await;
    let fix = actions
        .iter()
        .find(|action| action["title"] == "Make `home-manager/nixpkgs` follow `nixpkgs` (unsafe)")
        .unwrap_or_else(|| panic!("no follows fix: {actions:#?}"));
    assert_eq!(fix["kind"], "quickfix");
    // A nixpkgs the input's authors did not test with is a change of meaning: never preferred.
    assert_ne!(fix["isPreferred"], true);
    let edits = fix["edit"]["changes"][flake.nix_uri().as_str()]
        .as_array()
        .expect("edits of flake.nix");
    assert_eq!(edits.len(), 1, "{edits:#?}");
    assert_eq!(
        edits[0]["newText"],
        "\n      inputs.nixpkgs.follows = \"nixpkgs\";"
    );
    assert_eq!(
        edits[0]["range"]["start"],
        json!({"line": 5, "character": 48})
    );
    // The lock must be written again afterwards: `nix flake lock` is offered beside the edit.
    assert!(
        actions
            .iter()
            .any(|action| action["command"]["command"] == "nixwise.flakeLock"),
        "{actions:#?}"
    );
}
