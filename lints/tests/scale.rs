//! Large and deep inputs through check and fix. Nothing here is timed: a step that is quadratic in
//! the number of bindings would make these tests run for hours instead of seconds, which is how
//! they fail.

use lints::{Config, FixMode};

/// Runs `work` on a thread with the stack that every tree walk is given.
fn on_worker<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(syntax::WORKER_STACK_SIZE)
        .spawn(work)
        .expect("spawn a worker")
        .join()
        .expect("the worker finished without panicking")
}

/// `let` with `count` bindings, each using the one before, and a few unused ones every 1,000.
fn many_bindings(count: usize) -> String {
    let mut text = String::from("let\n  b0 = 0;\n");
    for index in 1..count {
        if index % 1_000 == 0 {
            text.push_str(&format!("  unused{index} = {index};\n"));
        }
        text.push_str(&format!("  b{index} = b{} + 1;\n", index - 1));
    }
    text.push_str(&format!("in\nb{}\n", count - 1));
    text
}

#[test]
fn a_hundred_thousand_bindings_check_and_fix() {
    let (found, fixed) = on_worker(|| {
        let text = many_bindings(100_000);
        let report = lints::check(&text, Some("big.nix"), &Config::default());
        let unused = report
            .diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.name == "unused-let-binding")
            .count();
        let outcome = lints::fix_text(&text, Some("big.nix"), &Config::default(), FixMode::Safe);
        (unused, outcome)
    });
    assert_eq!(found, 99, "one unused binding every 1,000");
    assert!(!fixed.hit_round_limit);
    assert!(
        !fixed.text.contains("unused"),
        "every unused binding removed"
    );
    assert!(fixed.text.contains("b99999 = b99998 + 1;"));
}

#[test]
fn a_hundred_thousand_attributes_in_one_set_check() {
    let report = on_worker(|| {
        let mut text = String::from("{ pkgs }:\nrec {\n");
        for index in 0..100_000 {
            text.push_str(&format!(
                "  p{index} = pkgs.callPackage ./p{index} {{ }};\n"
            ));
        }
        text.push_str("  dup = 1;\n  dup = 2;\n}\n");
        lints::check(&text, Some("set.nix"), &Config::default())
    });
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert!(report
        .diagnostics
        .iter()
        .any(|diagnostic| diagnostic.message.contains("dup")));
}

#[test]
fn deep_nesting_checks_and_fixes() {
    let outcome = on_worker(|| {
        // Nested sets, lets and lambdas as deep as the parser goes, with a finding at the bottom.
        let depth = 150;
        let mut text = String::new();
        for level in 0..depth {
            text.push_str(&format!("x{level}: let v{level} = {{ a{level} = "));
        }
        text.push_str("let unused = 1; in if true then true else false");
        for level in 0..depth {
            text.push_str(&format!("; }}; in v{level}.a{level}"));
        }
        let report = lints::check(&text, Some("deep.nix"), &Config::default());
        let outcome = lints::fix_text(&text, Some("deep.nix"), &Config::default(), FixMode::Safe);
        (text, report, outcome)
    });
    let (text, report, fixed) = outcome;
    assert!(syntax::parse(&text).errors().is_empty());
    assert!(report
        .diagnostics
        .iter()
        .any(|diagnostic| diagnostic.name == "unused-let-binding"));
    assert!(!fixed.text.contains("unused"));
}

#[test]
fn brackets_nested_past_the_limit_check_and_fix() {
    let outcome = on_worker(|| {
        let text = "[".repeat(50_000) + &"]".repeat(50_000);
        let report = lints::check(&text, Some("brackets.nix"), &Config::default());
        let fixed = lints::fix_text(
            &text,
            Some("brackets.nix"),
            &Config::default(),
            FixMode::Safe,
        );
        (report, fixed)
    });
    let (report, fixed) = outcome;
    assert!(report
        .diagnostics
        .iter()
        .any(|diagnostic| diagnostic.name == "syntax-error"));
    assert_eq!(fixed.text.len(), 100_000);
}
