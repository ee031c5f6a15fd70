//! `nixwise check --format sarif` and `--format github`, run as CI runs them: the built binary on
//! files in a temporary folder. The SARIF log is validated against the SARIF 2.1.0 JSON schema in
//! editors/vscode/test/sarif-schema.test.ts; here its content is checked.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// A temporary folder with an empty `nixwise.toml`, so that no configuration above it applies.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    // The snippets use free names; `undefined-variable` is not what these tests are about.
    std::fs::write(
        dir.path().join("nixwise.toml"),
        "[lints]\nundefined-variable = \"off\"\n",
    )
    .expect("write");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("folders");
        std::fs::write(path, text).expect("write");
    }
    dir
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_nixwise"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("nixwise runs");
    Run {
        code: output.status.code().expect("an exit code"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8"),
    }
}

fn sarif(dir: &Path, args: &[&str]) -> (Value, Run) {
    let mut all = vec!["check", "--format", "sarif"];
    all.extend_from_slice(args);
    let run = run(dir, &all);
    let log = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|error| panic!("SARIF on stdout ({error}):\n{}", run.stdout));
    (log, run)
}

/// A byte offset from a SARIF line and column (1-based, UTF-16 code units), computed here
/// independently of nixwise.
fn offset(text: &str, line: u64, column: u64) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line as usize - 1)
        .map(str::len)
        .sum();
    let mut units = 0;
    for (at, ch) in text[start..].char_indices() {
        if units >= column - 1 {
            return start + at;
        }
        units += ch.len_utf16() as u64;
    }
    text.len()
}

fn apply_replacements(text: &str, replacements: &[Value]) -> String {
    let mut spans: Vec<(usize, usize, &str)> = replacements
        .iter()
        .map(|replacement| {
            let region = &replacement["deletedRegion"];
            let number = |key: &str| region[key].as_u64().expect("a number");
            (
                offset(text, number("startLine"), number("startColumn")),
                offset(text, number("endLine"), number("endColumn")),
                replacement["insertedContent"]["text"]
                    .as_str()
                    .expect("text"),
            )
        })
        .collect();
    spans.sort();
    let mut out = text.to_owned();
    for (start, end, new_text) in spans.into_iter().rev() {
        out.replace_range(start..end, new_text);
    }
    out
}

#[test]
fn sarif_has_one_rule_per_lint_with_its_docs() {
    let dir = project(&[("clean.nix", "{ a = 1; }\n")]);
    let (log, run) = sarif(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"]
        .as_str()
        .expect("a schema")
        .ends_with("sarif-schema-2.1.0.json"));
    let sarif_run = &log["runs"][0];
    assert_eq!(sarif_run["tool"]["driver"]["name"], "nixwise");
    assert_eq!(sarif_run["columnKind"], "utf16CodeUnits");
    assert_eq!(sarif_run["invocations"][0]["executionSuccessful"], true);
    assert_eq!(sarif_run["results"], Value::Array(Vec::new()));
    let rules = sarif_run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert_eq!(rules.len(), lints::LINTS.len());
    for (rule, lint) in rules.iter().zip(lints::LINTS) {
        assert_eq!(rule["id"], lint.name);
        assert_eq!(rule["name"], lint.name);
        assert_eq!(rule["properties"]["code"], lint.code);
        assert_eq!(rule["shortDescription"]["text"], lint.summary());
        assert_eq!(rule["fullDescription"]["markdown"], lint.docs_text());
        assert_eq!(rule["help"]["markdown"], lint.docs_text());
        assert!(rule["help"]["markdown"]
            .as_str()
            .expect("markdown")
            .contains("## Why is this bad?"));
        let expected_level = match lint.default_severity {
            lints::Severity::Error => "error",
            lints::Severity::Warning => "warning",
            lints::Severity::Info | lints::Severity::Hint => "note",
        };
        assert_eq!(rule["defaultConfiguration"]["level"], expected_level);
        assert_eq!(
            rule["defaultConfiguration"]["enabled"],
            lint.default_enabled
        );
    }
}

#[test]
fn sarif_results_carry_utf16_regions_and_fixes_that_apply() {
    // The emoji is two UTF-16 code units and four bytes: columns after it tell the units apart.
    let text = "{\n  a = \"😀\"; b = (y < z) == true;\n  c = let in 1;\n}\n";
    let dir = project(&[("dir with space/x.nix", text)]);
    let (log, run) = sarif(dir.path(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let sarif_run = &log["runs"][0];
    let rules = sarif_run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let results = sarif_run["results"].as_array().expect("results");
    assert_eq!(results.len(), 2, "{results:#?}");

    let comparison = &results[0];
    assert_eq!(comparison["ruleId"], "bool-comparison");
    let index = comparison["ruleIndex"].as_u64().expect("an index") as usize;
    assert_eq!(rules[index]["id"], "bool-comparison");
    assert_eq!(comparison["level"], "warning");
    assert_eq!(
        comparison["message"]["text"],
        "Comparison with `true` is redundant"
    );
    let location = &comparison["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "dir%20with%20space/x.nix"
    );
    assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    // `  a = "😀"; b = ` is 16 UTF-16 code units: the emoji counts two.
    let region = &location["region"];
    assert_eq!(region["startLine"], 2);
    assert_eq!(region["startColumn"], 17);
    assert_eq!(region["endLine"], 2);
    assert_eq!(region["endColumn"], 32);
    let flagged = &text[offset(text, 2, 17)..offset(text, 2, 32)];
    assert_eq!(flagged, "(y < z) == true");

    let fix = &comparison["fixes"][0];
    assert!(fix["description"]["text"]
        .as_str()
        .expect("a title")
        .starts_with("Replace with"));
    assert_eq!(fix["properties"]["applicability"], "safe");
    let change = &fix["artifactChanges"][0];
    assert_eq!(
        change["artifactLocation"]["uri"],
        "dir%20with%20space/x.nix"
    );
    let replacements = change["replacements"].as_array().expect("replacements");
    assert_eq!(
        apply_replacements(text, replacements),
        "{\n  a = \"😀\"; b = (y < z);\n  c = let in 1;\n}\n"
    );

    let empty_let = &results[1];
    assert_eq!(empty_let["ruleId"], "empty-let-in");
    assert_eq!(
        empty_let["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    let replacements = empty_let["fixes"][0]["artifactChanges"][0]["replacements"]
        .as_array()
        .expect("replacements");
    assert_eq!(
        apply_replacements(text, replacements),
        "{\n  a = \"😀\"; b = (y < z) == true;\n  c = 1;\n}\n"
    );
}

#[test]
fn sarif_marks_a_run_with_unreadable_files_unsuccessful() {
    let dir = project(&[("a.nix", "{ }\n")]);
    let (log, run) = sarif(dir.path(), &["a.nix", "missing.nix"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
    assert!(run.stderr.contains("missing.nix"), "{}", run.stderr);
}

#[test]
fn github_writes_one_escaped_workflow_command_per_finding() {
    let dir = project(&[
        ("ok.nix", "{ }\n"),
        ("a,b:c.nix", "{ x = y == true; }\n"),
        ("sub/broken.nix", "{ x = 1 }\n"),
    ]);
    let run = run(dir.path(), &["check", "--format", "github", "."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "::warning file=a%2Cb%3Ac.nix,line=1,col=7,endLine=1,endColumn=16,\
             title=NIX001 bool-comparison::Comparison with `true` is redundant if the operand \
             is always a boolean%0AFix available: Replace with `y` (unsafe)",
            "::error file=sub/broken.nix,line=1,col=9,endLine=1,endColumn=10,\
             title=NIX000 syntax-error::expected `;`, found `}`",
        ],
        "{}",
        run.stdout
    );
}

#[test]
fn github_sends_hints_as_notices_and_fail_level_still_decides() {
    let dir = project(&[("a.nix", "{ x = y == true; }\n")]);
    std::fs::write(
        dir.path().join("nixwise.toml"),
        "[lints]\nbool-comparison = \"hint\"\nundefined-variable = \"off\"\n",
    )
    .expect("write");
    let run = run(dir.path(), &["check", "--format", "github"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("::notice file=a.nix,"),
        "{}",
        run.stdout
    );
}

#[test]
fn no_progress_on_stderr_when_it_is_not_a_terminal() {
    let files: Vec<(String, &str)> = (0..300)
        .map(|number| (format!("f{number:03}.nix"), "{ x = y == true; }\n"))
        .collect();
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(name, text)| (name.as_str(), *text))
        .collect();
    let dir = project(&borrowed);
    for format in ["human", "json", "sarif", "github"] {
        let run = run(
            dir.path(),
            &["check", "--format", format, "--color", "never"],
        );
        assert_eq!(run.code, 1);
        assert_eq!(run.stderr, "", "--format {format}");
    }
}
