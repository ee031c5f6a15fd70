//! `nixwise check`, `fix` and `explain` run as a user runs them: the built binary on files in a
//! temporary folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const BOOL_COMPARISONS: &str = "{ a = (y < z) == true; b = x == true; }\n";

/// The configuration of every test project: the snippets use free names such as `x`, which
/// `undefined-variable` would report beside the findings each test is about.
const TEST_CONFIG: &str = "[lints]\nundefined-variable = \"off\"\n";

/// A temporary folder with a `nixwise.toml` at its top, so that no configuration file above it
/// (in the system's temporary folder or a checkout) can change the results.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Project {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::write(dir.path().join("nixwise.toml"), TEST_CONFIG).expect("write nixwise.toml");
        Project { dir }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn write(&self, relative: &str, text: impl AsRef<[u8]>) -> &Project {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("folders");
        std::fs::write(path, text).expect("write");
        self
    }

    fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).expect("read")
    }

    fn run(&self, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_nixwise"))
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("NO_COLOR")
            .output()
            .expect("nixwise runs");
        Run::from(output)
    }

    fn json(&self, args: &[&str]) -> (Value, Run) {
        let mut all = vec!["check", "--format", "json"];
        all.extend_from_slice(args);
        let run = self.run(&all);
        let value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|error| panic!("JSON on stdout ({error}):\n{}", run.stdout));
        (value, run)
    }

    /// Every entry under the folder, relative, sorted.
    fn entries(&self) -> Vec<String> {
        fn walk(root: &Path, dir: &Path, acc: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).expect("list") {
                let path = entry.expect("entry").path();
                acc.push(
                    path.strip_prefix(root)
                        .expect("inside")
                        .to_string_lossy()
                        .into_owned(),
                );
                if path.is_dir() {
                    walk(root, &path, acc);
                }
            }
        }
        let mut acc = Vec::new();
        walk(self.dir.path(), self.dir.path(), &mut acc);
        acc.sort();
        acc
    }
}

#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().expect("an exit code"),
            stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
            stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
        }
    }
}

fn files_of(json: &Value) -> Vec<String> {
    json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|diagnostic| diagnostic["file"].as_str().expect("file").to_owned())
        .collect()
}

#[test]
fn human_output_has_location_caret_fixes_and_summary() {
    let project = Project::new();
    project.write("m/a.nix", format!("# a module\n{BOOL_COMPARISONS}"));
    let run = project.run(&["check"]);
    assert_eq!(run.code, 1, "{run:?}");
    let expected_first = "\
m/a.nix:2:7: warning[NIX001/bool-comparison]: Comparison with `true` is redundant
  |
2 | { a = (y < z) == true; b = x == true; }
  |       ^^^^^^^^^^^^^^^
  = fix available: Replace with `(y < z)` (safe)
";
    assert!(run.stdout.starts_with(expected_first), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("m/a.nix:2:28: warning[NIX001/bool-comparison]"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("  = fix available: Replace with `x` (unsafe, use --unsafe)\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Found 2 problems (2 warnings) in 1 of 1 file."),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("1 fixable with `nixwise fix`, 1 more with `nixwise fix --unsafe`."),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
    assert!(run.stderr.is_empty(), "{}", run.stderr);

    let coloured = project.run(&["check", "--color", "always"]);
    assert!(
        coloured
            .stdout
            .contains("\x1b[1;33mwarning[NIX001/bool-comparison]\x1b[0m"),
        "{}",
        coloured.stdout
    );
}

#[test]
fn json_output_follows_version_1() {
    let project = Project::new();
    // `é` is two bytes and one column: columns count Unicode scalar values.
    project
        .write("a.nix", "{ s = \"é\"; b = (y < z) == true; }\n")
        .write("clean.nix", "{ }\n");
    let (json, run) = project.json(&[]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(json["version"], 1);
    assert_eq!(json["files"], 2);
    let diagnostics = json["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(diagnostics.len(), 1);
    let diagnostic = &diagnostics[0];
    assert_eq!(diagnostic["file"], "a.nix");
    assert_eq!(diagnostic["code"], "NIX001");
    assert_eq!(diagnostic["name"], "bool-comparison");
    assert_eq!(diagnostic["severity"], "warning");
    assert_eq!(diagnostic["message"], "Comparison with `true` is redundant");
    let range =
        serde_json::json!({"start": {"line": 1, "column": 16}, "end": {"line": 1, "column": 31}});
    assert_eq!(diagnostic["range"], range);
    assert_eq!(diagnostic["tags"], serde_json::json!([]));
    assert_eq!(diagnostic["related"], serde_json::json!([]));
    let fixes = diagnostic["fixes"].as_array().expect("fixes");
    assert_eq!(fixes.len(), 1);
    assert_eq!(fixes[0]["title"], "Replace with `(y < z)`");
    assert_eq!(fixes[0]["applicability"], "safe");
    assert_eq!(
        fixes[0]["edits"],
        serde_json::json!([{"range": range, "text": "(y < z)"}])
    );
}

#[test]
fn output_is_sorted_by_path_then_position() {
    let project = Project::new();
    let names = [
        "b/z.nix", "a.nix", "b/a.nix", "c.nix", "ab/x.nix", "a/y.nix",
    ];
    for name in names {
        project.write(name, "[ (x == true) (y == false) ]\n");
    }
    let (json, _) = project.json(&[]);
    let files = files_of(&json);
    let mut expected: Vec<String> = names
        .iter()
        .flat_map(|name| [name.to_string(), name.to_string()])
        .collect();
    expected.sort();
    assert_eq!(files, expected);
    let columns: Vec<u64> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|diagnostic| {
            diagnostic["range"]["start"]["column"]
                .as_u64()
                .expect("column")
        })
        .collect();
    assert!(columns.chunks(2).all(|pair| pair == [4, 16]), "{columns:?}");
    assert_eq!(
        project.run(&["check"]).stdout,
        project.run(&["check"]).stdout
    );
}

#[test]
fn exit_codes_follow_the_fail_level() {
    let project = Project::new();
    project.write("clean.nix", "{ a = 1; }\n");
    assert_eq!(project.run(&["check"]).code, 0);
    assert!(project
        .run(&["check"])
        .stdout
        .contains("No problems found in 1 file."));

    project.write("warn.nix", "x == true\n");
    assert_eq!(project.run(&["check"]).code, 1);
    assert_eq!(project.run(&["check", "--fail-level", "error"]).code, 0);
    assert_eq!(project.run(&["check", "--fail-level", "hint"]).code, 1);

    project.write("broken.nix", "{ a = ; }\n");
    assert_eq!(project.run(&["check", "--fail-level", "error"]).code, 1);
}

#[test]
fn usage_errors_and_missing_paths_exit_2_with_one_line() {
    let project = Project::new();
    project.write("warn.nix", "x == true\n");
    let run = project.run(&["check", "--fail-level", "loud"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("loud"), "{}", run.stderr);

    let run = project.run(&["check", "missing.nix", "warn.nix"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error: missing.nix: "),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout
            .contains("warn.nix:1:1: warning[NIX001/bool-comparison]"),
        "the rest is still checked"
    );
}

#[test]
fn a_file_that_is_not_utf8_is_reported_and_the_others_are_checked() {
    let project = Project::new();
    project
        .write("bad.nix", b"{ a = \"\xff\"; }\n")
        .write("good.nix", "x == true\n");
    let (json, run) = project.json(&[]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("bad.nix") && run.stderr.contains("UTF-8"),
        "{}",
        run.stderr
    );
    assert_eq!(json["files"], 1);
    assert_eq!(files_of(&json), ["good.nix"]);
}

#[test]
fn nearest_config_file_turns_a_lint_off() {
    let project = Project::new();
    project
        .write("a.nix", "x: x == true\n")
        .write("quiet/b.nix", "x: x == true\n")
        .write(
            "quiet/.nixwise.toml",
            "[lints]\nbool-comparison = \"off\"\n",
        )
        .write("loud/c.nix", "x: x == true\n")
        .write("loud/nixwise.toml", "[lints]\nNIX001 = \"error\"\n");
    let (json, run) = project.json(&[]);
    assert_eq!(files_of(&json), ["a.nix", "loud/c.nix"]);
    assert_eq!(json["diagnostics"][0]["severity"], "warning");
    assert_eq!(json["diagnostics"][1]["severity"], "error");
    assert!(run.stderr.is_empty(), "{}", run.stderr);

    let (json, _) = project.json(&["--config", "quiet/.nixwise.toml"]);
    assert_eq!(json["files"], 3);
    assert!(files_of(&json).is_empty(), "{json}");
}

#[test]
fn bad_settings_warn_once_and_toml_errors_exit_2() {
    let project = Project::new();
    project
        .write(
            "nixwise.toml",
            "colour = true\n[lints]\nbool-comparisn = \"off\"\n",
        )
        .write("a.nix", "x == true\n")
        .write("b.nix", "y == true\n");
    let run = project.run(&["check"]);
    assert_eq!(run.code, 1);
    let warnings: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(warnings.len(), 2, "{}", run.stderr);
    assert!(
        warnings[0].starts_with("warning: ")
            && warnings[0].contains("nixwise.toml: `colour`: unknown key")
    );
    assert!(
        warnings[1].contains("did you mean `bool-comparison`"),
        "{}",
        warnings[1]
    );

    project.write("nixwise.toml", "[lints\n");
    let run = project.run(&["check"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error: ") && run.stderr.contains("nixwise.toml"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn excluded_files_are_skipped_even_when_named() {
    let project = Project::new();
    project
        .write(
            "nixwise.toml",
            "exclude = [\"generated/**\", \"*.gen.nix\"]\n",
        )
        .write("generated/a.nix", "x: x == true\n")
        .write("sub/b.gen.nix", "x: x == true\n")
        .write("sub/c.nix", "x: x == true\n");
    let (json, _) = project.json(&[]);
    assert_eq!(json["files"], 1);
    assert_eq!(files_of(&json), ["sub/c.nix"]);

    let (json, run) = project.json(&["generated/a.nix", "sub/b.gen.nix"]);
    assert_eq!(json["files"], 0);
    assert_eq!(run.code, 0);

    // The excludes are relative to the configuration's folder, wherever nixwise runs from.
    let run = Command::new(env!("CARGO_BIN_EXE_nixwise"))
        .args(["check", "--format", "json", "a.nix", "../sub"])
        .current_dir(project.path("generated"))
        .output()
        .expect("nixwise runs");
    let json: Value = serde_json::from_slice(&run.stdout).expect("JSON");
    assert_eq!(json["files"], 1, "{json}");
    assert_eq!(files_of(&json), ["../sub/c.nix"]);
}

#[test]
fn walks_honour_gitignore_and_skip_hidden_and_other_files() {
    let project = Project::new();
    project
        .write(".gitignore", "build/\nskipped.nix\n")
        .write(".ignore", "vendor/\n")
        .write("build/a.nix", "x == true\n")
        .write("vendor/b.nix", "x == true\n")
        .write("skipped.nix", "x == true\n")
        .write(".hidden/c.nix", "x == true\n")
        .write(".d.nix", "x == true\n")
        .write("notes.txt", "x == true\n")
        .write("kept.nix", "x == true\n");
    let (json, _) = project.json(&[]);
    assert_eq!(files_of(&json), ["kept.nix"]);

    // Named files are checked whatever their name, extension or ignore rules.
    let (json, _) = project.json(&[".hidden/c.nix", "notes.txt", "skipped.nix"]);
    assert_eq!(
        files_of(&json),
        [".hidden/c.nix", "notes.txt", "skipped.nix"]
    );
}

#[test]
fn fix_applies_safe_fixes_and_a_second_check_no_longer_shows_them() {
    let project = Project::new();
    project
        .write("a.nix", BOOL_COMPARISONS)
        .write("clean.nix", "{ }\n");
    let run = project.run(&["fix"]);
    assert_eq!(run.code, 1, "an unsafe fix is left: {run:?}");
    assert_eq!(project.read("a.nix"), "{ a = y < z; b = x == true; }\n");
    assert!(
        run.stdout
            .contains("a.nix: applied 2 fixes: bool-comparison, useless-parens\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("a.nix: 1 problem left: bool-comparison\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("fixable with `nixwise fix --unsafe`"),
        "{}",
        run.stdout
    );

    let (json, _) = project.json(&[]);
    let diagnostics = json["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0]["fixes"][0]["applicability"], "unsafe");

    let run = project.run(&["fix", "--unsafe"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(project.read("a.nix"), "{ a = y < z; b = x; }\n");
    assert_eq!(project.run(&["check"]).code, 0);
}

#[cfg(unix)]
#[test]
fn fix_keeps_permissions_and_leaves_no_temporary_files() {
    use std::os::unix::fs::PermissionsExt;
    let project = Project::new();
    project.write("a.nix", BOOL_COMPARISONS);
    std::fs::set_permissions(
        project.path("a.nix"),
        std::fs::Permissions::from_mode(0o640),
    )
    .expect("chmod");
    let before = project.entries();
    project.run(&["fix", "--unsafe"]);
    assert_eq!(project.read("a.nix"), "{ a = y < z; b = x; }\n");
    let mode = std::fs::metadata(project.path("a.nix"))
        .expect("metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
    assert_eq!(project.entries(), before);
}

#[test]
fn fix_never_writes_a_file_without_changes() {
    let project = Project::new();
    project
        .write("clean.nix", "{ a = 1; }\n")
        .write("unsafe.nix", "x == true\n");
    let old = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
    for name in ["clean.nix", "unsafe.nix"] {
        let file = std::fs::File::options()
            .write(true)
            .open(project.path(name))
            .expect("open");
        file.set_modified(old).expect("set the modification time");
    }
    let run = project.run(&["fix"]);
    assert!(
        run.stdout.contains("No fixes to apply in 2 files"),
        "{}",
        run.stdout
    );
    for name in ["clean.nix", "unsafe.nix"] {
        let modified = std::fs::metadata(project.path(name))
            .expect("metadata")
            .modified()
            .expect("mtime");
        assert_eq!(modified, old, "{name} was written");
    }
}

#[test]
fn fix_diff_prints_a_diff_and_writes_nothing() {
    let project = Project::new();
    project.write("a.nix", BOOL_COMPARISONS);
    let run = project.run(&["fix", "--diff"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.stdout,
        "--- a/a.nix\n+++ b/a.nix\n@@ -1 +1 @@\n\
         -{ a = (y < z) == true; b = x == true; }\n\
         +{ a = y < z; b = x == true; }\n"
    );
    assert!(
        run.stderr
            .contains("a.nix: would apply 2 fixes: bool-comparison, useless-parens"),
        "{}",
        run.stderr
    );
    assert_eq!(project.read("a.nix"), BOOL_COMPARISONS);

    project.write("a.nix", "{ a = 1; }\n");
    let run = project.run(&["fix", "--diff"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn fix_keeps_crlf_line_endings() {
    let project = Project::new();
    project.write("a.nix", "{\r\n  a = (y < z) == true;\r\n  b = 1;\r\n}\r\n");
    let run = project.run(&["fix"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        project.read("a.nix"),
        "{\r\n  a = y < z;\r\n  b = 1;\r\n}\r\n"
    );
}

#[test]
fn fix_reports_unreadable_files_and_fixes_the_others() {
    let project = Project::new();
    project
        .write("bad.nix", b"\xfe\xff")
        .write("a.nix", "(y < z) == true\n");
    let run = project.run(&["fix"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("bad.nix"), "{}", run.stderr);
    assert_eq!(project.read("a.nix"), "(y < z)\n");
}

#[test]
fn explain_by_name_and_code_and_unknown_names() {
    let project = Project::new();
    let by_name = project.run(&["explain", "bool-comparison"]);
    assert_eq!(by_name.code, 0);
    assert!(
        by_name.stdout.starts_with("# bool-comparison (NIX001)\n"),
        "{}",
        by_name.stdout
    );
    assert!(
        by_name.stdout.contains("Default severity: warning"),
        "{}",
        by_name.stdout
    );
    assert!(
        by_name.stdout.contains("Fix: safe or unsafe"),
        "{}",
        by_name.stdout
    );
    assert!(
        by_name.stdout.contains("## What it does"),
        "{}",
        by_name.stdout
    );
    assert!(
        by_name.stdout.contains("## Why is this bad?"),
        "{}",
        by_name.stdout
    );
    assert_eq!(project.run(&["explain", "NIX001"]).stdout, by_name.stdout);
    assert_eq!(project.run(&["explain", "nix001"]).stdout, by_name.stdout);

    let unknown = project.run(&["explain", "bool-comparisn"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stdout.is_empty());
    assert_eq!(
        unknown.stderr,
        "error: unknown lint `bool-comparisn` (did you mean `bool-comparison`?)\n"
    );

    let list = project.run(&["explain", "--list"]);
    assert_eq!(list.code, 0);
    assert!(list.stdout.starts_with("CODE "), "{}", list.stdout);
    assert!(
        list.stdout.contains("NIX000  syntax-error"),
        "{}",
        list.stdout
    );
    assert!(
        list.stdout.contains("NIX001  bool-comparison"),
        "{}",
        list.stdout
    );
    assert_eq!(project.run(&["explain"]).stdout, list.stdout);
}

const FLAKE: &str = "{\n  description = \"A flake\";\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n  outputs = { nixpkgs, ... }: { formatter = { }; checks = { }; };\n}\n";

/// A lock whose nixpkgs was last modified on 2026-10-01.
const OLD_LOCK: &str = r#"{
  "nodes": {
    "nixpkgs": {
      "locked": {
        "lastModified": 1790812800,
        "narHash": "sha256-AAAA",
        "owner": "NixOS",
        "repo": "nixpkgs",
        "rev": "0123456789abcdef0123456789abcdef01234567",
        "type": "github"
      },
      "original": { "owner": "NixOS", "ref": "nixos-unstable", "repo": "nixpkgs", "type": "github" }
    },
    "root": { "inputs": { "nixpkgs": "nixpkgs" } }
  },
  "root": "root",
  "version": 7
}
"#;

fn lock_findings(json: &Value) -> Vec<(String, String, u64)> {
    json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|diagnostic| {
            diagnostic["code"]
                .as_str()
                .is_some_and(|code| code.starts_with("NIX4"))
        })
        .map(|diagnostic| {
            (
                diagnostic["file"].as_str().expect("file").to_owned(),
                diagnostic["name"].as_str().expect("name").to_owned(),
                diagnostic["range"]["start"]["line"].as_u64().expect("line"),
            )
        })
        .collect()
}

#[test]
fn flake_lock_beside_flake_nix_is_checked_on_its_own_lines() {
    let project = Project::new();
    project
        .write(
            "nixwise.toml",
            "reference-date = \"2026-11-24\"\n[lints]\nundefined-variable = \"off\"\n",
        )
        .write("sub/flake.nix", FLAKE)
        .write("sub/flake.lock", OLD_LOCK);
    let (json, run) = project.json(&[]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(json["files"], 2);
    assert_eq!(
        lock_findings(&json),
        [
            ("sub/flake.nix".to_owned(), "nixpkgs-outdated".to_owned(), 3),
            (
                "sub/flake.lock".to_owned(),
                "nixpkgs-outdated".to_owned(),
                5
            ),
        ]
    );

    // Named on its own, the lock is checked with its flake.nix, once.
    let (json, _) = project.json(&["sub/flake.lock"]);
    assert_eq!(
        lock_findings(&json),
        [(
            "sub/flake.lock".to_owned(),
            "nixpkgs-outdated".to_owned(),
            5
        )]
    );
    let (json, _) = project.json(&["sub/flake.nix", "sub/flake.lock"]);
    assert_eq!(lock_findings(&json).len(), 2);

    // A recent reference date: nothing to say about the lock.
    project.write(
        "nixwise.toml",
        "reference-date = \"2026-10-15\"\n[lints]\nundefined-variable = \"off\"\n",
    );
    let (json, _) = project.json(&[]);
    assert!(lock_findings(&json).is_empty(), "{json}");
}

#[test]
fn a_flake_with_inputs_and_no_lock_is_reported() {
    let project = Project::new();
    project.write("flake.nix", FLAKE);
    let (json, _) = project.json(&[]);
    assert_eq!(
        lock_findings(&json),
        [(
            "flake.nix".to_owned(),
            "lock-missing-or-invalid".to_owned(),
            3
        )]
    );
}

const FLAKE_WITH_HOME_MANAGER: &str = "{\n  description = \"A flake\";\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n  inputs.home-manager.url = \"github:nix-community/home-manager\";\n  outputs = { nixpkgs, home-manager, ... }: { formatter = nixpkgs; checks = home-manager; };\n}\n";

/// home-manager locks a nixpkgs of its own beside the flake's.
const LOCK_WITH_SECOND_NIXPKGS: &str = r#"{
  "nodes": {
    "home-manager": {
      "inputs": { "nixpkgs": "nixpkgs_2" },
      "locked": { "lastModified": 1795000000, "narHash": "sha256-BBBB", "owner": "nix-community", "repo": "home-manager", "rev": "1111111111111111111111111111111111111111", "type": "github" },
      "original": { "owner": "nix-community", "repo": "home-manager", "type": "github" }
    },
    "nixpkgs": {
      "locked": { "lastModified": 1795000000, "narHash": "sha256-AAAA", "owner": "NixOS", "repo": "nixpkgs", "rev": "0123456789abcdef0123456789abcdef01234567", "type": "github" },
      "original": { "owner": "NixOS", "ref": "nixos-unstable", "repo": "nixpkgs", "type": "github" }
    },
    "nixpkgs_2": {
      "locked": { "lastModified": 1795000000, "narHash": "sha256-CCCC", "owner": "NixOS", "repo": "nixpkgs", "rev": "89abcdef0123456789abcdef0123456789abcdef", "type": "github" },
      "original": { "owner": "NixOS", "ref": "nixos-unstable", "repo": "nixpkgs", "type": "github" }
    },
    "root": { "inputs": { "home-manager": "home-manager", "nixpkgs": "nixpkgs" } }
  },
  "root": "root",
  "version": 7
}
"#;

#[test]
fn fix_applies_the_fixes_of_the_lock_lints_to_flake_nix_only_when_unsafe_fixes_are_asked_for() {
    let project = Project::new();
    project
        .write(
            "nixwise.toml",
            "reference-date = \"2026-11-24\"\n[lints]\nundefined-variable = \"off\"\n",
        )
        .write("flake.nix", FLAKE_WITH_HOME_MANAGER)
        .write("flake.lock", LOCK_WITH_SECOND_NIXPKGS);
    let run = project.run(&["fix"]);
    assert_eq!(
        project.read("flake.nix"),
        FLAKE_WITH_HOME_MANAGER,
        "{run:?}"
    );
    assert!(run.stdout.contains("duplicate-nixpkgs"), "{run:?}");

    let run = project.run(&["fix", "--unsafe"]);
    let fixed = project.read("flake.nix");
    assert_eq!(
        fixed
            .matches("home-manager.inputs.nixpkgs.follows = \"nixpkgs\";")
            .count(),
        1,
        "{fixed}\n{run:?}"
    );
    assert_eq!(project.read("flake.lock"), LOCK_WITH_SECOND_NIXPKGS);
    // Until the lock is written again, flake.lock is older than flake.nix: a second run adds
    // nothing and says why.
    let again = project.run(&["fix", "--unsafe"]);
    assert_eq!(project.read("flake.nix"), fixed, "{again:?}");
    assert!(again.stdout.contains("lock-stale"), "{again:?}");
}
