//! The invariants every input must keep, shared by the property tests (`lints/tests/properties.rs`)
//! and the fuzz targets (`fuzz/fuzz_targets/`), so both check exactly the same things.
#![allow(dead_code)]

use lints::{Config, FixMode, Settings};

/// Parses, lints and fixes (safe, then safe and unsafe) one text: no lint may panic, every offered
/// fix must apply alone, the fixed text must parse with no more errors than the original, and a
/// second run over the fixed text must change nothing.
pub fn check_source(text: &str, file_name: Option<&str>) {
    let config = Config::default();
    let parse = syntax::parse(text);
    let errors_before = parse.errors().len();
    let report = lints::check_parsed(&parse, text, file_name, &config);
    assert!(
        report.failures.is_empty(),
        "lints panicked: {:?}",
        report.failures
    );
    for diagnostic in &report.diagnostics {
        assert!(
            usize::from(diagnostic.range.end()) <= text.len(),
            "{} reported past the end of the text",
            diagnostic.name
        );
        for fix in &diagnostic.fixes {
            let fixed = syntax::apply_edits(text, &fix.edits);
            assert!(
                fixed.is_ok(),
                "{}: the fix `{}` does not apply: {:?}",
                diagnostic.name,
                fix.title,
                fixed.err()
            );
        }
    }
    for mode in [FixMode::Safe, FixMode::Unsafe] {
        let outcome = lints::fix_text(text, file_name, &config, mode);
        let errors_after = syntax::parse(&outcome.text).errors().len();
        assert!(
            errors_after <= errors_before,
            "{mode:?} fixes {:?} added syntax errors ({errors_before} -> {errors_after}):\n{}",
            outcome.applied,
            outcome.text
        );
        if outcome.hit_round_limit {
            continue;
        }
        let again = lints::fix_text(&outcome.text, file_name, &config, mode);
        assert!(
            again.applied.is_empty(),
            "{mode:?} fixes are not idempotent: a second run applied {:?}\nfirst result:\n{}\nsecond:\n{}",
            again.applied,
            outcome.text,
            again.text
        );
        assert_eq!(again.text, outcome.text);
    }
}

/// A flake.lock of any content: the JSON reader and the lock model must not panic, and ranges they
/// report must lie inside the text; the flake lints must run beside a small flake.nix.
pub fn check_lock(text: &str) {
    let range = match lints::flake::json::parse(text) {
        Ok(json) => json.range,
        Err(error) => error.range,
    };
    assert!(usize::from(range.end()) <= text.len());
    assert!(
        text.is_char_boundary(range.start().into()) && text.is_char_boundary(range.end().into())
    );
    let _lock = lints::flake::lock::Lock::parse(text);
    let flake_nix = "{ inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n  \
                     inputs.utils.url = \"github:numtide/flake-utils\";\n  \
                     outputs = { self, nixpkgs, utils }: { }; }\n";
    let files = lints::FlakeFiles {
        flake_nix: Some(flake_nix),
        flake_lock: Some(text),
        now: Some(1_700_000_000),
    };
    let report = lints::check_flake(&files, &Config::default());
    assert!(
        report.failures.is_empty(),
        "lock lints panicked: {:?}",
        report.failures
    );
    for diagnostic in &report.lock {
        assert!(
            usize::from(diagnostic.range.end()) <= text.len(),
            "{} reported past the end of flake.lock",
            diagnostic.name
        );
        for fix in &diagnostic.fixes {
            assert!(syntax::apply_edits(text, &fix.edits).is_ok());
        }
    }
}

/// A nixwise.toml of any content: reading it never panics, and the settings it gives can drive a
/// whole check and fix of a small file.
pub fn check_config(text: &str) {
    let Ok((settings, _errors)) = Settings::from_toml(text) else {
        return;
    };
    let config = Config::from_layers(&[&settings]);
    let sample = "{ pkgs, lib, ... }: let unused = 1; in rec { a = (pkgs.hello); b = a == true; }";
    let report = lints::check(sample, Some("default.nix"), &config);
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    let _ = config.is_excluded("a/b/default.nix");
    let _ = lints::fix_text(sample, Some("default.nix"), &config, FixMode::Unsafe);
}
