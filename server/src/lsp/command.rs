//! `workspace/executeCommand`: `nix flake lock` and `nix flake update [input]` in a flake's folder.
//!
//! Only a `nix` found on `PATH` outside the flake's folder and its repository is run, so opening a
//! project can never make the server run a program that the project ships.

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;
use tower_lsp_server::ls_types as lsp;

use super::convert::LockCommand;
use super::documents::file_path;
use super::flake::{self, Role};

pub const FLAKE_LOCK: &str = "nixwise.flakeLock";
pub const FLAKE_UPDATE: &str = "nixwise.flakeUpdate";

/// The commands advertised in the server's capabilities.
pub fn names() -> Vec<String> {
    vec![FLAKE_LOCK.to_owned(), FLAKE_UPDATE.to_owned()]
}

/// How the server runs `nix`.
#[derive(Clone, Debug)]
pub struct NixOptions {
    /// Where `nix` is looked up, in the form of `PATH`; `None` reads `PATH` when a command runs.
    pub search_path: Option<OsString>,
    /// How long a command may run before it is stopped.
    pub timeout: Duration,
}

impl Default for NixOptions {
    fn default() -> NixOptions {
        NixOptions {
            search_path: None,
            // Updating can download a lot; a hung `nix` must still not stay forever.
            timeout: Duration::from_secs(600),
        }
    }
}

/// The folders where a `nix` command is running, so that one flake gets one at a time.
#[derive(Debug, Default)]
pub struct NixRuns {
    folders: Mutex<HashSet<PathBuf>>,
}

impl NixRuns {
    fn start(&self, folder: &Path) -> Option<RunGuard<'_>> {
        let mut folders = self
            .folders
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        folders.insert(folder.to_owned()).then(|| RunGuard {
            runs: self,
            folder: folder.to_owned(),
        })
    }
}

struct RunGuard<'a> {
    runs: &'a NixRuns,
    folder: PathBuf,
}

impl Drop for RunGuard<'_> {
    fn drop(&mut self) {
        self.runs
            .folders
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&self.folder);
    }
}

/// A command the client asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlakeCommand {
    /// The document named in the request: the flake's flake.nix or flake.lock.
    pub uri: lsp::Uri,
    pub folder: PathBuf,
    pub lock: LockCommand,
}

impl FlakeCommand {
    /// The arguments after `nix`: the flake commands are experimental in Nix's default settings.
    fn args(&self) -> Vec<String> {
        let mut args = vec![
            "--extra-experimental-features".to_owned(),
            "nix-command flakes".to_owned(),
        ];
        args.extend(self.lock.words());
        args
    }
}

impl LockCommand {
    /// The words after `nix`, as shown to the user.
    pub fn words(&self) -> Vec<String> {
        match &self.input {
            None => vec!["flake".to_owned(), "lock".to_owned()],
            Some(input) => vec!["flake".to_owned(), "update".to_owned(), input.clone()],
        }
    }

    pub fn display(&self) -> String {
        format!("nix {}", self.words().join(" "))
    }

    /// The `workspace/executeCommand` call that runs it for the flake of `uri`.
    pub fn to_command(&self, uri: &lsp::Uri) -> lsp::Command {
        let mut arguments = vec![Value::String(uri.as_str().to_owned())];
        let name = match &self.input {
            None => FLAKE_LOCK,
            Some(input) => {
                arguments.push(Value::String(input.clone()));
                FLAKE_UPDATE
            }
        };
        lsp::Command {
            title: format!("Run `{}`", self.display()),
            command: name.to_owned(),
            arguments: Some(arguments),
        }
    }
}

/// Reads a request: the command name, the URI of flake.nix or flake.lock, and for an update an
/// optional input name.
pub fn parse(params: &lsp::ExecuteCommandParams) -> Result<FlakeCommand, String> {
    let update = match params.command.as_str() {
        FLAKE_LOCK => false,
        FLAKE_UPDATE => true,
        other => return Err(format!("unknown command `{other}`")),
    };
    let uri: lsp::Uri = params
        .arguments
        .first()
        .and_then(Value::as_str)
        .ok_or("the first argument must be the URI of flake.nix or flake.lock")?
        .parse()
        .map_err(|_| "the first argument is not a URI")?;
    if flake::role(&uri) == Role::Other {
        return Err(format!(
            "`{}` is neither a flake.nix nor a flake.lock",
            uri.as_str()
        ));
    }
    let folder = file_path(&uri)
        .and_then(|path| path.parent().map(Path::to_path_buf))
        .ok_or_else(|| format!("`{}` is not a file on this machine", uri.as_str()))?;
    let input = match params.arguments.get(1) {
        None | Some(Value::Null) => None,
        Some(_) if !update => return Err(format!("`{FLAKE_LOCK}` takes one argument")),
        Some(Value::String(name)) if flake::is_input_name(name) => Some(name.clone()),
        Some(other) => return Err(format!("`{other}` is not an input name")),
    };
    Ok(FlakeCommand {
        uri,
        folder,
        lock: LockCommand { input },
    })
}

/// Runs the command off the async runtime and describes the outcome for `window/showMessage`.
pub async fn run(
    options: &NixOptions,
    runs: &NixRuns,
    command: &FlakeCommand,
) -> (lsp::MessageType, String) {
    let shown = command.lock.display();
    let folder = command.folder.display();
    let search_path = options
        .search_path
        .clone()
        .or_else(|| std::env::var_os("PATH"));
    let Some(nix) = find_nix(search_path.as_deref(), &project_folders(&command.folder)) else {
        return (
            lsp::MessageType::ERROR,
            format!(
                "nixwise: cannot run `{shown}`: no `nix` found on PATH (a `nix` inside the project is never run)"
            ),
        );
    };
    let Some(_guard) = runs.start(&command.folder) else {
        return (
            lsp::MessageType::WARNING,
            format!("nixwise: a `nix` command is already running in {folder}"),
        );
    };
    let job_nix = nix.clone();
    let args = command.args();
    let job_folder = command.folder.clone();
    let timeout = options.timeout;
    let child_path = options.search_path.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        run_blocking(&job_nix, &args, &job_folder, child_path.as_deref(), timeout)
    })
    .await;
    match outcome {
        Ok(Ran::Finished { status, output }) if status.success() => (
            lsp::MessageType::INFO,
            with_output(format!("nixwise: `{shown}` finished in {folder}"), &output),
        ),
        Ok(Ran::Finished { status, output }) => (
            lsp::MessageType::ERROR,
            with_output(
                format!("nixwise: `{shown}` failed in {folder} ({status})"),
                &output,
            ),
        ),
        Ok(Ran::TimedOut) => (
            lsp::MessageType::ERROR,
            format!(
                "nixwise: `{shown}` did not finish within {} s in {folder} and was stopped",
                timeout.as_secs_f64()
            ),
        ),
        Ok(Ran::CannotStart(error)) => (
            lsp::MessageType::ERROR,
            format!("nixwise: cannot start {}: {error}", nix.display()),
        ),
        Err(error) => (
            lsp::MessageType::ERROR,
            format!("nixwise: `{shown}` was lost: {error}"),
        ),
    }
}

fn with_output(message: String, output: &str) -> String {
    let output = output.trim();
    if output.is_empty() {
        message
    } else {
        format!("{message}:\n{output}")
    }
}

/// The folders whose programs are never run: the flake's and its repository's.
pub(super) fn project_folders(folder: &Path) -> Vec<PathBuf> {
    let mut folders = vec![folder.to_owned()];
    if let Some(repository) = folder
        .ancestors()
        .find(|ancestor| ancestor.join(".git").exists())
    {
        folders.push(repository.to_owned());
    }
    folders
        .into_iter()
        .map(|folder| folder.canonicalize().unwrap_or(folder))
        .collect()
}

/// The first executable `nix` in the absolute entries of `search_path` whose real location is
/// outside `forbidden`.
pub(super) fn find_nix(search_path: Option<&OsStr>, forbidden: &[PathBuf]) -> Option<PathBuf> {
    std::env::split_paths(search_path?)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join("nix"))
        .find(|candidate| {
            is_executable(candidate)
                && candidate.canonicalize().is_ok_and(|real| {
                    !forbidden
                        .iter()
                        .any(|folder| real.starts_with(folder) || candidate.starts_with(folder))
                })
        })
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

#[derive(Debug)]
enum Ran {
    Finished { status: ExitStatus, output: String },
    TimedOut,
    CannotStart(std::io::Error),
}

/// At most this much of what `nix` printed goes into the message.
const OUTPUT_LIMIT: usize = 2000;

fn run_blocking(
    nix: &Path,
    args: &[String],
    folder: &Path,
    search_path: Option<&OsStr>,
    timeout: Duration,
) -> Ran {
    let mut command = Command::new(nix);
    command
        .args(args)
        .current_dir(folder)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(search_path) = search_path {
        command.env("PATH", search_path);
    }
    let mut child = match spawn(&mut command) {
        Ok(child) => child,
        Err(error) => return Ran::CannotStart(error),
    };
    let readers: Vec<_> = [
        child.stderr.take().map(|pipe| read_all(Box::new(pipe))),
        child.stdout.take().map(|pipe| read_all(Box::new(pipe))),
    ]
    .into_iter()
    .flatten()
    .collect();
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Ran::TimedOut;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(error) => return Ran::CannotStart(error),
        }
    };
    let mut output = String::new();
    for reader in readers {
        // A program left behind by `nix` may hold the pipe open; its output is not worth a hang.
        if let Ok(text) = reader.recv_timeout(Duration::from_secs(2)) {
            output.push_str(&text);
        }
    }
    Ran::Finished {
        status,
        output: tail(&output, OUTPUT_LIMIT).to_owned(),
    }
}

/// Starts the program, retrying briefly when it was being written a moment ago (`ETXTBSY`).
fn spawn(command: &mut Command) -> std::io::Result<std::process::Child> {
    const TEXT_FILE_BUSY: i32 = 26;
    let mut attempts = 0;
    loop {
        match command.spawn() {
            Err(error) if error.raw_os_error() == Some(TEXT_FILE_BUSY) && attempts < 5 => {
                attempts += 1;
                std::thread::sleep(Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

fn read_all(mut pipe: Box<dyn Read + Send>) -> std::sync::mpsc::Receiver<String> {
    let (sender, receiver) = std::sync::mpsc::channel();
    let _ = std::thread::Builder::new()
        .name("nixwise-nix-output".to_owned())
        .spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            let _ = sender.send(String::from_utf8_lossy(&bytes).into_owned());
        });
    receiver
}

/// The last `limit` bytes of `text` at most, starting on a character boundary.
fn tail(text: &str, limit: usize) -> &str {
    let mut start = text.len().saturating_sub(limit);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn params(command: &str, arguments: Vec<Value>) -> lsp::ExecuteCommandParams {
        lsp::ExecuteCommandParams {
            command: command.to_owned(),
            arguments,
            work_done_progress_params: lsp::WorkDoneProgressParams::default(),
        }
    }

    #[test]
    fn requests_are_read_strictly() {
        let lock = parse(&params(
            FLAKE_LOCK,
            vec![json!("file:///src/app/flake.lock")],
        ))
        .expect("a lock request");
        assert_eq!(lock.folder, Path::new("/src/app"));
        assert_eq!(lock.lock.display(), "nix flake lock");
        let update = parse(&params(
            FLAKE_UPDATE,
            vec![json!("file:///src/app/flake.nix"), json!("nixpkgs")],
        ))
        .expect("an update request");
        assert_eq!(update.lock.display(), "nix flake update nixpkgs");
        assert_eq!(
            update.args()[2..],
            ["flake", "update", "nixpkgs"].map(String::from)
        );
        let all = parse(&params(
            FLAKE_UPDATE,
            vec![json!("file:///src/app/flake.nix"), Value::Null],
        ))
        .expect("an update of everything");
        assert_eq!(all.lock.input, None);
        for bad in [
            params("nixwise.other", vec![json!("file:///a/flake.nix")]),
            params(FLAKE_LOCK, vec![]),
            params(FLAKE_LOCK, vec![json!("file:///a/default.nix")]),
            params(FLAKE_LOCK, vec![json!("untitled:flake.nix")]),
            params(FLAKE_LOCK, vec![json!("file:///a/flake.nix"), json!("x")]),
            params(
                FLAKE_UPDATE,
                vec![json!("file:///a/flake.nix"), json!("--commit-lock-file")],
            ),
        ] {
            assert!(parse(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn commands_round_trip_through_their_arguments() {
        let uri: lsp::Uri = "file:///src/app/flake.nix".parse().expect("a URI");
        let update = LockCommand {
            input: Some("nixpkgs".to_owned()),
        };
        let command = update.to_command(&uri);
        assert_eq!(command.title, "Run `nix flake update nixpkgs`");
        let back = parse(&params(
            &command.command,
            command.arguments.expect("arguments"),
        ))
        .expect("valid");
        assert_eq!(back.lock, update);
    }

    #[cfg(unix)]
    #[test]
    fn nix_inside_the_project_is_never_found() {
        use std::os::unix::fs::PermissionsExt;
        let project = tempfile::tempdir().expect("a folder");
        let tools = tempfile::tempdir().expect("a folder");
        for dir in [project.path().join("bin"), tools.path().to_owned()] {
            std::fs::create_dir_all(&dir).expect("a folder");
            let nix = dir.join("nix");
            std::fs::write(&nix, "#!/bin/sh\n").expect("write");
            std::fs::set_permissions(&nix, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        let forbidden = project_folders(project.path());
        let inside = std::env::join_paths([project.path().join("bin")]).expect("a PATH");
        assert_eq!(find_nix(Some(&inside), &forbidden), None);
        let both = std::env::join_paths([project.path().join("bin"), tools.path().to_owned()])
            .expect("a PATH");
        assert_eq!(
            find_nix(Some(&both), &forbidden),
            Some(tools.path().join("nix"))
        );
        // A file named `nix` that cannot be executed is not a `nix`.
        std::fs::set_permissions(
            tools.path().join("nix"),
            std::fs::Permissions::from_mode(0o644),
        )
        .expect("chmod");
        assert_eq!(find_nix(Some(&both), &forbidden), None);
    }

    #[test]
    fn the_tail_of_the_output_starts_on_a_character() {
        assert_eq!(tail("abc", 10), "abc");
        assert_eq!(tail("aé", 1), "");
        assert_eq!(tail("aéb", 2), "b");
    }
}
