//! Safe fixes keep the value, checked by Nix itself: for every lint with a safe fix, a family of
//! generated closed expressions that trigger it (`support/generate.rs`); after the safe fixes the
//! text must re-parse without errors, a second run must change nothing, and
//! `nix-instantiate --eval --strict` must print the same value before and after.
//!
//! The evaluation needs `nix-instantiate` (Debian's `nix-bin`); without it that test says so and
//! passes, while the syntax and idempotence checks run everywhere. `FIX_SAFETY_CASES` raises the
//! number of expressions per lint (1000 by default).

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use lints::{Config, FixMode};

#[path = "support/generate.rs"]
mod generate;

use generate::{Family, FileKind, Gen, FAMILIES};

fn cases_per_lint() -> usize {
    std::env::var("FIX_SAFETY_CASES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(1000)
}

/// How many expressions are fixed together, as the items of one list: fixing a list of many is
/// much cheaper than fixing each alone, and the lints see every item just the same. Flakes and
/// modules, whole files, would be fixed one by one.
const GROUP: usize = 10;

/// One lint's expressions, in groups: each group's text before and after the safe fixes.
struct Cases {
    lint: &'static str,
    kind: FileKind,
    file_name: &'static str,
    expressions: Vec<String>,
    group: usize,
    before: Vec<String>,
    after: Vec<String>,
}

fn file_name(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Expression => "default.nix",
        FileKind::Flake { .. } => "flake.nix",
        FileKind::Module { .. } => "configuration.nix",
    }
}

/// Several expressions as the items of one list, with the range of each in the text.
fn joined(expressions: &[String]) -> (String, Vec<std::ops::Range<usize>>) {
    let mut text = String::from("[\n");
    let mut ranges = Vec::new();
    for expression in expressions {
        text.push_str("(\n");
        ranges.push(text.len()..text.len() + expression.len());
        text.push_str(expression);
        text.push_str("\n)\n");
    }
    text.push(']');
    (text, ranges)
}

/// Fixes one text, checking that the result parses and that a second run changes nothing.
fn fix_checked(lint: &str, text: &str, file_name: &str) -> lints::FixOutcome {
    let config = Config::default();
    let outcome = lints::fix_text(text, Some(file_name), &config, FixMode::Safe);
    assert!(
        syntax::parse(&outcome.text).errors().is_empty(),
        "{lint}: the fixed text does not parse:\n{text}\n->\n{}",
        outcome.text
    );
    assert!(
        !outcome.hit_round_limit,
        "{lint}: too many rounds for:\n{text}"
    );
    let again = lints::fix_text(&outcome.text, Some(file_name), &config, FixMode::Safe);
    assert!(
        again.applied.is_empty(),
        "{lint}: fixing twice changes more:\n{text}\n->\n{}\n->\n{}\n{:?}",
        outcome.text,
        again.text,
        again.applied
    );
    outcome
}

/// Generates distinct expressions for a family, checks that each one gets a safe fix of the lint,
/// and fixes them in groups.
fn fixed_cases(family: &Family, count: usize) -> Cases {
    let config = Config::default();
    let file_name = file_name(family.kind);
    let seed = family
        .lint
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3)
        });
    let mut gen = Gen::new(seed);
    let mut seen = HashSet::new();
    let mut expressions = Vec::new();
    let mut attempts = 0;
    while expressions.len() < count {
        attempts += 1;
        assert!(
            attempts < count * 20,
            "{}: the generator repeats itself",
            family.lint
        );
        let text = (family.make)(&mut gen);
        if !seen.insert(text.clone()) {
            continue;
        }
        assert!(
            syntax::parse(&text).errors().is_empty(),
            "{}: the generator made a broken expression:\n{text}",
            family.lint
        );
        expressions.push(text);
    }
    let group = match family.kind {
        FileKind::Expression => GROUP,
        FileKind::Flake { .. } | FileKind::Module { .. } => 1,
    };
    let mut before = Vec::new();
    let mut after = Vec::new();
    for chunk in expressions.chunks(group) {
        let (text, ranges) = if group == 1 {
            (
                chunk[0].clone(),
                std::iter::once(0..chunk[0].len()).collect(),
            )
        } else {
            joined(chunk)
        };
        // Every expression of the group gets a safe fix of the lint: one check of the group
        // tells, since each expression has its own range in the text.
        let report = lints::check(&text, Some(file_name), &config);
        assert!(report.failures.is_empty(), "{:?}", report.failures);
        for (expression, range) in chunk.iter().zip(&ranges) {
            let fires = report.diagnostics.iter().any(|diagnostic| {
                diagnostic.name == family.lint
                    && range.contains(&usize::from(diagnostic.range.start()))
                    && diagnostic
                        .fixes
                        .iter()
                        .any(|fix| fix.applicability == lints::Applicability::Safe)
            });
            assert!(
                fires,
                "{}: no safe fix of this lint is offered for:\n{expression}",
                family.lint
            );
        }
        let outcome = fix_checked(family.lint, &text, file_name);
        let fixed = outcome
            .applied
            .iter()
            .filter(|fix| fix.name == family.lint)
            .count();
        assert!(
            fixed >= chunk.len(),
            "{}: {fixed} fixes of this lint for {} expressions in:\n{text}",
            family.lint,
            chunk.len()
        );
        before.push(text);
        after.push(outcome.text);
    }
    Cases {
        lint: family.lint,
        kind: family.kind,
        file_name,
        expressions,
        group,
        before,
        after,
    }
}

fn on_big_stack<T: Send + 'static>(job: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(syntax::WORKER_STACK_SIZE)
        .spawn(job)
        .expect("a thread starts")
        .join()
        .unwrap_or_else(|payload| std::panic::resume_unwind(payload))
}

fn nix_instantiate() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|folder| folder.join("nix-instantiate"))
        .find(|candidate| candidate.is_file())
}

/// A stand-in for the nixpkgs flake input: `import nixpkgs { system = …; }` reads its
/// `default.nix`, and `legacyPackages.<system>` is that import for each system, as nixpkgs'
/// flake.nix defines it.
fn stand_in_nixpkgs() -> &'static str {
    static FOLDER: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    FOLDER.get_or_init(|| {
        let folder =
            std::env::temp_dir().join(format!("nixwise-fix-safety-nixpkgs-{}", std::process::id()));
        std::fs::create_dir_all(&folder).expect("a temporary folder");
        std::fs::write(
            folder.join("default.nix"),
            "{ system, config ? { }, overlays ? [ ] }:\n\
             { inherit system; hello = \"hello-${system}\"; lib = { version = \"1\"; }; }\n",
        )
        .expect("write the stand-in nixpkgs");
        folder.display().to_string()
    })
}

/// How a text of a family is evaluated: an expression as it is; a flake's outputs, and a
/// module's set, through the family's view. Like Nix, the flake's outputs function gets `self`,
/// the inputs flake.nix declares and those its pattern names.
fn evaluated(kind: FileKind, text: &str) -> String {
    match kind {
        FileKind::Expression => format!("(\n{text}\n)"),
        FileKind::Flake { view } => {
            let nixpkgs = stand_in_nixpkgs();
            format!(
                "(({view})\n(let\n  flake = (\n{text}\n);\n  \
                 nixpkgs = {{ outPath = {nixpkgs}; legacyPackages = builtins.listToAttrs (map \
                 (system: {{ name = system; value = import {nixpkgs} {{ inherit system; }}; }}) \
                 [ \"x86_64-linux\" \"aarch64-linux\" \"x86_64-darwin\" \"aarch64-darwin\" ]); }};\n  \
                 inputs = {{ inherit nixpkgs; }};\n  \
                 outputs = flake.outputs ({{ self = outputs; }}\n    \
                 // builtins.intersectAttrs (flake.inputs or {{ }}) inputs\n    \
                 // builtins.intersectAttrs (builtins.functionArgs flake.outputs) inputs);\n\
                 in outputs))"
            )
        }
        FileKind::Module { view } => format!("(({view})\n(\n{text}\n))"),
    }
}

/// Evaluates a list of expressions in one Nix process and returns what it prints.
fn eval(nix: &PathBuf, kind: FileKind, texts: &[String]) -> Result<String, String> {
    let mut program = String::from("[\n");
    for text in texts {
        program.push_str(&evaluated(kind, text));
        program.push('\n');
    }
    program.push(']');
    let mut child = Command::new(nix)
        .args(["--store", "dummy://", "--eval", "--strict", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot run nix-instantiate: {error}"))?;
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(program.as_bytes())
        .map_err(|error| error.to_string())?;
    let output = child
        .wait_with_output()
        .map_err(|error| error.to_string())?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// The first expression whose value changed: the group found by halving the list of groups,
/// then each of its expressions fixed alone.
fn first_difference(nix: &PathBuf, cases: &Cases) -> String {
    let kind = cases.kind;
    let (mut low, mut high) = (0, cases.before.len());
    while high - low > 1 {
        let middle = (low + high) / 2;
        let same = eval(nix, kind, &cases.before[low..middle])
            == eval(nix, kind, &cases.after[low..middle]);
        if same {
            low = middle;
        } else {
            high = middle;
        }
    }
    let start = low * cases.group;
    let end = (start + cases.group).min(cases.expressions.len());
    for expression in &cases.expressions[start..end] {
        let fixed = fix_checked(cases.lint, expression, cases.file_name).text;
        let before = eval(nix, kind, std::slice::from_ref(expression));
        let after = eval(nix, kind, std::slice::from_ref(&fixed));
        if before != after {
            return format!("before:\n{expression}\n= {before:?}\nafter:\n{fixed}\n= {after:?}");
        }
    }
    format!(
        "only together, in:\n{}\n->\n{}",
        cases.before[low], cases.after[low]
    )
}

#[test]
fn safe_fixes_reparse_are_idempotent_and_keep_the_value_evaluated_by_nix() {
    let count = cases_per_lint();
    let all: Vec<Cases> = on_big_stack(move || {
        FAMILIES
            .iter()
            .map(|family| fixed_cases(family, count))
            .collect()
    });
    for cases in &all {
        eprintln!(
            "{}: {} distinct expressions get a safe fix that re-parses and is idempotent",
            cases.lint,
            cases.expressions.len()
        );
    }
    let Some(nix) = nix_instantiate() else {
        eprintln!(
            "skipped the evaluation: nix-instantiate is not on PATH; install Nix (Debian: \
             apt-get install nix-bin) to check that safe fixes keep the value"
        );
        return;
    };
    let mut failures = Vec::new();
    for cases in &all {
        let before = eval(&nix, cases.kind, &cases.before);
        let after = eval(&nix, cases.kind, &cases.after);
        match (&before, &after) {
            (Err(error), _) => failures.push(format!(
                "{}: the generated expressions do not evaluate: {error}",
                cases.lint
            )),
            (Ok(_), Err(_)) => failures.push(format!(
                "{}: a safe fix broke evaluation:\n{}",
                cases.lint,
                first_difference(&nix, cases)
            )),
            (Ok(before), Ok(after)) if before != after => failures.push(format!(
                "{}: a safe fix changed a value:\n{}",
                cases.lint,
                first_difference(&nix, cases)
            )),
            (Ok(_), Ok(_)) => eprintln!(
                "{}: {} expressions keep their value under nix-instantiate",
                cases.lint,
                cases.expressions.len()
            ),
        }
    }
    let _ = std::fs::remove_dir_all(stand_in_nixpkgs());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
