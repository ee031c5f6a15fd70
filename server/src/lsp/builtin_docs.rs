//! The documentation of the builtins from the user's own Nix: `nix __dump-builtins` run once in
//! the background, its JSON kept for the session. Until it answers, or when there is no `nix`,
//! hover falls back to the names and parameters nixwise knows itself.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use ide::hover::BuiltinDoc;
use serde_json::Value;

use super::command::{self, NixOptions};
use super::worker;

/// How long `nix __dump-builtins` may take; it answers in well under a second.
const TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, Default)]
pub struct BuiltinDocs {
    started: AtomicBool,
    docs: Arc<OnceLock<Arc<HashMap<String, BuiltinDoc>>>>,
}

impl BuiltinDocs {
    /// The documentation, once `nix` has given it.
    pub fn get(&self) -> Option<Arc<HashMap<String, BuiltinDoc>>> {
        self.docs.get().cloned()
    }

    /// Starts reading the documentation, once per session, on a thread of its own. A `nix`
    /// inside one of `project_roots` is never run.
    pub fn load_in_background(&self, options: &NixOptions, project_roots: &[PathBuf]) {
        if self.started.swap(true, Ordering::SeqCst) {
            return;
        }
        let search_path = options
            .search_path
            .clone()
            .or_else(|| std::env::var_os("PATH"));
        let forbidden: Vec<PathBuf> = project_roots
            .iter()
            .flat_map(|root| command::project_folders(root))
            .collect();
        let Some(nix) = command::find_nix(search_path.as_deref(), &forbidden) else {
            tracing::info!("no `nix` on PATH: builtins are described without their docs");
            return;
        };
        let child_path = options.search_path.clone();
        let docs = self.docs.clone();
        worker::spawn("nixwise-builtin-docs", move || {
            match dump(&nix, child_path.as_deref()) {
                Some(found) => {
                    tracing::info!("{} builtins documented by {}", found.len(), nix.display());
                    let _ = docs.set(Arc::new(found));
                }
                None => tracing::info!("`{} __dump-builtins` gave nothing usable", nix.display()),
            }
        });
    }
}

/// Runs `nix __dump-builtins` and reads its JSON.
fn dump(nix: &Path, search_path: Option<&std::ffi::OsStr>) -> Option<HashMap<String, BuiltinDoc>> {
    let mut command = Command::new(nix);
    command
        .arg("__dump-builtins")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(search_path) = search_path {
        command.env("PATH", search_path);
    }
    let mut child = command.spawn().ok()?;
    let mut stdout = child.stdout.take()?;
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("nixwise-builtin-docs-output".to_owned())
        .spawn(move || {
            let mut bytes = Vec::new();
            let _ = stdout.read_to_end(&mut bytes);
            let _ = sender.send(bytes);
        })
        .ok()?;
    let deadline = Instant::now() + TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => break,
            Ok(Some(_)) | Err(_) => return None,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    let bytes = receiver.recv_timeout(Duration::from_secs(2)).ok()?;
    parse(&serde_json::from_slice(&bytes).ok()?)
}

/// Reads `{ "name": { "args": [..], "doc": ".." }, … }`, also when nested under `"builtins"`.
pub fn parse(json: &Value) -> Option<HashMap<String, BuiltinDoc>> {
    let object = json
        .get("builtins")
        .and_then(Value::as_object)
        .or_else(|| json.as_object())?;
    let docs: HashMap<String, BuiltinDoc> = object
        .iter()
        .filter_map(|(name, entry)| {
            let entry = entry.as_object()?;
            let args = entry
                .get("args")
                .and_then(Value::as_array)
                .map(|args| {
                    args.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            let doc = entry
                .get("doc")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            Some((name.clone(), BuiltinDoc { args, doc }))
        })
        .collect();
    (!docs.is_empty()).then_some(docs)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn both_shapes_of_the_dump_are_read() {
        let flat = json!({"map": {"args": ["f", "list"], "arity": 2, "doc": "Apply *f*."}});
        let docs = parse(&flat).expect("docs");
        assert_eq!(docs["map"].args, ["f", "list"]);
        assert_eq!(docs["map"].doc, "Apply *f*.");
        let nested = json!({"builtins": {"map": {"args": [], "doc": "x"}}});
        assert_eq!(parse(&nested).expect("docs")["map"].doc, "x");
        assert!(parse(&json!([1, 2])).is_none());
        assert!(parse(&json!({"map": 1})).is_none());
    }
}
