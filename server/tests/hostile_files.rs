//! Hostile files for `check`, `fix` and the server: empty, not UTF-8, binary, huge, one huge
//! line, absurdly deep, absurdly wide, unreadable, looping links, special files and files that
//! vanish. Nothing may crash or hang, each problem gets a message naming its file, and the run
//! goes on with the other files. No timing is asserted: a hang fails by the test harness's own
//! timeout, a crash by the exit status.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{full_capabilities, TestClient};
use serde_json::Value;

/// A temporary project with a configuration of its own, so that nothing above it applies.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(
        dir.path().join("nixwise.toml"),
        "[lints]\nundefined-variable = \"off\"\n",
    )
    .expect("write nixwise.toml");
    dir
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cut = |text: &str| text.chars().take(2000).collect::<String>();
        write!(
            f,
            "exit {:?}\nstdout: {}\nstderr: {}",
            self.code,
            cut(&self.stdout),
            cut(&self.stderr)
        )
    }
}

fn nixwise(dir: &Path, args: &[&str]) -> Run {
    let output: Output = Command::new(env!("CARGO_BIN_EXE_nixwise"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("nixwise runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A run that ended by itself with a report (0: clean, 1: findings, 2: some files could not be
/// checked), not by a signal or a panic.
fn assert_orderly(run: &Run) {
    assert!(matches!(run.code, Some(0..=2)), "{run:?}");
    assert!(!run.stderr.contains("panicked"), "{run:?}");
    assert!(!run.stderr.contains("overflow"), "{run:?}");
}

/// Checks `dir` in every output format and fixes it, each run orderly.
fn check_and_fix_everything(dir: &Path) -> Vec<Run> {
    let mut runs = Vec::new();
    for format in ["human", "json", "sarif", "github"] {
        let run = nixwise(dir, &["check", "--format", format, "."]);
        assert_orderly(&run);
        runs.push(run);
    }
    for mode in [&["fix", "."][..], &["fix", "--unsafe", "."][..]] {
        let run = nixwise(dir, mode);
        assert_orderly(&run);
        runs.push(run);
    }
    runs
}

fn json_files(dir: &Path) -> Value {
    let run = nixwise(dir, &["check", "--format", "json", "."]);
    assert_orderly(&run);
    serde_json::from_str(&run.stdout).unwrap_or_else(|error| panic!("JSON ({error}): {run:?}"))
}

fn deep(depth: usize, open: &str, middle: &str, close: &str) -> String {
    let mut text = String::with_capacity(depth * (open.len() + close.len()) + middle.len());
    for _ in 0..depth {
        text.push_str(open);
    }
    text.push_str(middle);
    for _ in 0..depth {
        text.push_str(close);
    }
    text
}

fn wide(open: &str, entry: impl Fn(usize) -> String, close: &str) -> String {
    let mut text = open.to_owned();
    text.extend((0..20_000).map(entry));
    text.push_str(close);
    text
}

/// The deep and wide files: every kind of nesting the parser and the lints recurse through.
fn monsters() -> Vec<(&'static str, String)> {
    let bindings: String = (0..100_000)
        .map(|i| format!("  a{i} = {i};\n"))
        .collect::<String>();
    let chained: String = (1..10_000)
        .map(|i| format!("  b{i} = b{};\n", i - 1))
        .collect::<String>();
    vec![
        ("lists.nix", deep(100_000, "[", "x == true", "]")),
        ("parens.nix", deep(100_000, "(", "1", ")")),
        ("sets.nix", deep(100_000, "{ a = ", "1", "; }")),
        // Nesting without brackets reaches rnix's depth limit: the rest is left unread.
        ("lets.nix", deep(100_000, "let a = 1; in ", "a", "")),
        ("lambdas.nix", deep(100_000, "x: ", "x", "")),
        ("ifs.nix", deep(100_000, "if true then ", "1", " else 2")),
        ("strings.nix", deep(100_000, "\"${", "x", "}\"")),
        ("operators.nix", deep(100_000, "1 + ", "1", "")),
        ("bindings.nix", format!("{{\n{bindings}}}\n")),
        // Wide files where every entry has a finding with a fix that a lint or the fix engine
        // once handled by reading the whole set per entry (see `growth` in bench/): 20,000
        // entries took minutes then.
        (
            "dotted-bindings.nix",
            wide("{\n", |i| format!("  a{i}.b = {i};\n"), "}\n"),
        ),
        (
            "manual-inherits.nix",
            wide("s: {\n", |i| format!("  a{i} = s.a{i};\n"), "}\n"),
        ),
        (
            "dead-let.nix",
            wide("let\n", |i| format!("  a{i} = {i};\n"), "in 1\n"),
        ),
        (
            "comparisons.nix",
            wide("x: [\n", |_| "  (x == true)\n".to_owned(), "]\n"),
        ),
        (
            "let-bindings.nix",
            format!("let\n  b0 = 1;\n{chained}in\nb9999\n"),
        ),
    ]
}

#[test]
fn deep_and_wide_files_never_overflow_the_stack() {
    let dir = project();
    for (name, text) in monsters() {
        write(dir.path(), name, text);
    }
    check_and_fix_everything(dir.path());
    let json = json_files(dir.path());
    assert_eq!(
        json["files"].as_u64(),
        Some(monsters().len() as u64),
        "every file was checked"
    );
}

#[test]
fn empty_binary_and_non_utf8_files_get_a_message_and_the_run_goes_on() {
    let dir = project();
    write(dir.path(), "empty.nix", "");
    write(dir.path(), "latin1.nix", b"{ name = \"caf\xe9\"; }\n");
    write(
        dir.path(),
        "nul.nix",
        b"{ a = 1;\0\0\0 b = \x01\x02\x7f; }\n",
    );
    let mut binary = Vec::new();
    let mut state: u32 = 12345;
    for _ in 0..65_536 {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
        binary.push((state >> 16) as u8);
    }
    write(dir.path(), "binary.nix", &binary);
    write(dir.path(), "good.nix", "{ a = (y < z) == true; }\n");
    check_and_fix_everything(dir.path());

    let run = nixwise(dir.path(), &["check", "."]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("latin1.nix"), "{run:?}");
    assert!(run.stderr.contains("not valid UTF-8"), "{run:?}");
    assert!(run.stderr.contains("binary.nix"), "{run:?}");
    // The good file was still checked and fixed.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("good.nix")).expect("read"),
        "{ a = y < z; }\n"
    );
    // The files that could not be read are byte for byte as they were.
    assert_eq!(
        std::fs::read(dir.path().join("latin1.nix")).expect("read"),
        b"{ name = \"caf\xe9\"; }\n"
    );
    assert_eq!(
        std::fs::read(dir.path().join("binary.nix")).expect("read"),
        binary
    );
    assert_eq!(
        std::fs::read(dir.path().join("empty.nix")).expect("read"),
        b""
    );
}

#[test]
fn a_20_mb_file_and_a_5_mb_line_are_checked_and_fixed() {
    let dir = project();
    let mut big = String::from("[\n");
    let mut line = 0;
    while big.len() < 20 << 20 {
        // Long lines of data, as in generated files, and a finding every thousand lines.
        if line % 1000 == 0 {
            big.push_str("  { enable = x == true; }\n");
        } else {
            big.push_str(&format!("  \"{line:0>1000}\"\n"));
        }
        line += 1;
    }
    big.push_str("]\n");
    write(dir.path(), "big.nix", &big);
    let line = format!(
        "{{ a = x == true; b = \"{}\"; c = x == true; }}\n",
        "a".repeat(5 << 20)
    );
    write(dir.path(), "line.nix", &line);
    let run = nixwise(dir.path(), &["check", "line.nix"]);
    assert_orderly(&run);
    assert!(run.stdout.contains("bool-comparison"), "{run:?}");
    // The report shows the place, not five megabytes of the line around it.
    assert!(
        run.stdout.len() < 1 << 20,
        "{} bytes of output",
        run.stdout.len()
    );
    let run = nixwise(dir.path(), &["fix", "--unsafe", "."]);
    assert_orderly(&run);
    let fixed = std::fs::read_to_string(dir.path().join("line.nix")).expect("read");
    assert!(fixed.starts_with("{ a = x; b = \"aaa"), "{}", &fixed[..40]);
    let fixed = std::fs::read_to_string(dir.path().join("big.nix")).expect("read");
    assert!(!fixed.contains("== true"));
    assert_eq!(
        fixed.lines().count(),
        big.lines().count(),
        "no line was lost"
    );
}

#[cfg(unix)]
fn running_as_root() -> bool {
    // Root reads files whatever their mode, so an unreadable file cannot be made.
    let dir = tempfile::tempdir().expect("a temporary folder");
    let probe = write(dir.path(), "probe", "x");
    set_mode(&probe, 0o000);
    std::fs::read(&probe).is_ok()
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[cfg(unix)]
#[test]
fn unreadable_files_and_folders_get_a_message() {
    if running_as_root() {
        eprintln!("skipped: running as root, where chmod 000 does not stop reading");
        return;
    }
    let dir = project();
    let file = write(dir.path(), "secret.nix", "{ a = x == true; }\n");
    std::fs::create_dir(dir.path().join("locked")).expect("mkdir");
    write(&dir.path().join("locked"), "inside.nix", "x == true\n");
    write(dir.path(), "good.nix", "{ a = (y < z) == true; }\n");
    set_mode(&file, 0o000);
    set_mode(&dir.path().join("locked"), 0o000);
    let run = nixwise(dir.path(), &["check", "."]);
    assert_orderly(&run);
    assert!(run.stderr.contains("secret.nix"), "{run:?}");
    assert!(run.stderr.contains("locked"), "{run:?}");
    assert!(run.stdout.contains("good.nix"), "{run:?}");
    let run = nixwise(dir.path(), &["fix", "."]);
    assert_orderly(&run);
    set_mode(&dir.path().join("locked"), 0o755);
    set_mode(&file, 0o644);
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        "{ a = x == true; }\n"
    );
}

#[cfg(unix)]
#[test]
fn symbolic_link_loops_and_special_files_neither_hang_nor_crash() {
    let dir = project();
    std::os::unix::fs::symlink("self.nix", dir.path().join("self.nix")).expect("link");
    std::os::unix::fs::symlink("b.nix", dir.path().join("a.nix")).expect("link");
    std::os::unix::fs::symlink("a.nix", dir.path().join("b.nix")).expect("link");
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    std::os::unix::fs::symlink("..", dir.path().join("sub/up")).expect("link");
    std::os::unix::fs::symlink("/nonexistent/nixwise", dir.path().join("dangling.nix"))
        .expect("link");
    write(&dir.path().join("sub"), "good.nix", "x == true\n");
    check_and_fix_everything(dir.path());
    // Named on the command line, a loop is a message, not a hang.
    let run = nixwise(dir.path(), &["check", "self.nix", "a.nix", "sub/good.nix"]);
    assert_orderly(&run);
    assert!(run.stderr.contains("self.nix"), "{run:?}");
    assert!(run.stderr.contains("a.nix"), "{run:?}");
    // The good file (fixed above) was still checked.
    assert!(run.stdout.contains("1 file"), "{run:?}");
    // A named pipe never gets an end of file: reading it would hang the run.
    let fifo = dir.path().join("pipe.nix");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|status| status.success()) {
        let run = nixwise(dir.path(), &["check", "."]);
        assert_orderly(&run);
        let run = nixwise(dir.path(), &["check", "pipe.nix", "sub/good.nix"]);
        assert_orderly(&run);
        assert!(run.stderr.contains("pipe.nix"), "{run:?}");
    } else {
        eprintln!("skipped the named pipe: mkfifo is not available");
    }
}

#[test]
fn a_file_that_vanishes_between_discovery_and_reading_gets_a_message() {
    let dir = project();
    let gone = write(dir.path(), "gone.nix", "x == true\n");
    let discovery = nixwise::cli::files::discover(&[dir.path().to_path_buf()], None)
        .expect("the folder is readable");
    assert!(discovery
        .targets
        .iter()
        .any(|target| target.path.ends_with("gone.nix")));
    std::fs::remove_file(&gone).expect("remove");
    for target in &discovery.targets {
        if target.path.ends_with("gone.nix") {
            let error = nixwise::cli::files::read_source(target).expect_err("the file is gone");
            assert!(
                error.contains("gone.nix") && error.contains("cannot read"),
                "{error}"
            );
        }
    }
    // Named on the command line after it vanished, it is one message and the run goes on.
    write(dir.path(), "good.nix", "x == true\n");
    let run = nixwise(dir.path(), &["check", "gone.nix", "good.nix"]);
    assert_orderly(&run);
    assert!(run.stderr.contains("gone.nix"), "{run:?}");
    assert!(run.stdout.contains("good.nix"), "{run:?}");
}

/// A write that fails half-way (here: the file size limit, as a full disk would) leaves the
/// original byte for byte and reports the file.
#[cfg(target_os = "linux")]
#[test]
fn a_failing_write_leaves_the_original_intact() {
    let dir = project();
    let original = format!("{{\n{}}}\n", "  a = (y < z) == true;\n".repeat(2000));
    let path = write(dir.path(), "a.nix", &original);
    // Ignoring SIGXFSZ turns the limit into an EFBIG error from write(2), as ENOSPC would be.
    let output = Command::new("bash")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 8; exec \"$0\" fix a.nix")
        .arg(env!("CARGO_BIN_EXE_nixwise"))
        .current_dir(dir.path())
        .output()
        .expect("bash runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("a.nix"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), original);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

async fn server_survives(client: &TestClient, uri: &str, text: &str) {
    client.open(uri, 1, text).await;
    let diagnostics = client.diagnostics(uri, 1).await;
    let position = serde_json::json!({"line": 0, "character": 3});
    let hover = client
        .request_raw(
            "textDocument/hover",
            serde_json::json!({"textDocument": {"uri": uri}, "position": position}),
        )
        .await;
    assert!(hover.get("error").is_none(), "{hover}");
    client.code_actions(uri, &diagnostics, None).await;
    client.close(uri).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_takes_hostile_documents() {
    let client = TestClient::in_process();
    client.initialize(full_capabilities(), None).await;
    let mut documents: Vec<(String, String)> = monsters()
        .into_iter()
        .map(|(name, text)| (format!("file:///hostile/{name}"), text))
        .collect();
    documents.push(("file:///hostile/empty.nix".to_owned(), String::new()));
    documents.push((
        "file:///hostile/control.nix".to_owned(),
        "{ a = 1;\0\u{1}\u{7f} b = \u{feff}\u{10ffff}; }".to_owned(),
    ));
    documents.push((
        "file:///hostile/line.nix".to_owned(),
        format!("{{ a = x == true; b = \"{}\"; }}", "a".repeat(5 << 20)),
    ));
    for (uri, text) in &documents {
        server_survives(&client, uri, text).await;
    }
    // Still answering after all of them.
    let shutdown = client.request_raw("shutdown", Value::Null).await;
    assert!(shutdown.get("error").is_none(), "{shutdown}");
}

/// No surprise execution: a repository's `nixwise.toml` can tune lints but cannot name a program;
/// any key that tries is refused as unknown (docs/reliability.md).
#[test]
fn a_repository_configuration_cannot_name_a_command() {
    for key in [
        "formatter",
        "command",
        "nix",
        "nix-path",
        "exec",
        "hooks",
        "plugins",
    ] {
        let text = format!("{key} = \"touch /tmp/nixwise-was-here\"\n");
        let (_, errors) = lints::Settings::from_toml(&text).expect("valid TOML");
        assert!(
            errors.iter().any(|error| error.to_string().contains(key)),
            "`{key}` is not refused: {errors:?}"
        );
    }
}
