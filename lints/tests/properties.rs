//! Property tests on stable Rust, the bounded twins of the fuzz targets in `fuzz/`: mutated
//! fixtures through the parser, every lint and every fix; any text as a flake.lock; any text as a
//! nixwise.toml. The invariants are in `support/properties.rs`, shared with the fuzz targets.
//!
//! Deterministic: a fixed seed and no persisted failures. `PROPTEST_CASES` raises the number of
//! cases (256 by default) for a longer run.

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngAlgorithm, RngSeed};

#[path = "support/properties.rs"]
mod properties;

/// Realistic Nix files to mutate: the lint corpus, the examples and every lint's doc example.
fn nix_seeds() -> Vec<String> {
    let mut seeds: Vec<String> = [
        include_str!("corpus/home-manager-module.nix"),
        include_str!("corpus/nixos-module-clean.nix"),
        include_str!("corpus/nixos-module-dirty.nix"),
        include_str!("corpus/overlay.nix"),
        include_str!("corpus/package-clean.nix"),
        include_str!("corpus/package-dirty.nix"),
        include_str!("corpus/flake-clean/flake.nix"),
        include_str!("corpus/flake-dirty/flake.nix"),
        include_str!("../../examples/broken.nix"),
        include_str!("../../examples/flake/flake.nix"),
        include_str!("../../examples/nixos/configuration.nix"),
        include_str!("../../examples/package/default.nix"),
    ]
    .iter()
    .map(|text| (*text).to_owned())
    .collect();
    for lint in lints::LINTS {
        let mut rest = lint.docs;
        while let Some(start) = rest.find("```nix\n") {
            let body = &rest[start + 7..];
            let Some(end) = body.find("```") else {
                break;
            };
            seeds.push(body[..end].to_owned());
            rest = &body[end..];
        }
    }
    seeds
}

/// Pieces of Nix syntax to splice in, so that mutations make near-valid code more often than noise.
const NIX_PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    ";",
    ":",
    "=",
    "let ",
    " in ",
    "rec ",
    "with ",
    "inherit ",
    "@",
    "...",
    ", ",
    "?",
    " or ",
    "//",
    "++",
    "==",
    "!",
    "-",
    ".",
    "\"",
    "''",
    "${",
    "#",
    "/*",
    "*/",
    "\n",
    " ",
    "x",
    "pkgs",
    "lib.mkIf",
    "true",
    "false",
    "null",
    "./a.nix",
    "<nixpkgs>",
    "https://a.org/b",
    "if ",
    " then ",
    " else ",
    "assert ",
    "import ",
    "builtins.",
    "\u{e9}",
    "\u{1f600}",
    "\t",
    "\r\n",
    "'''",
    "''$",
    "\\",
    "~/x",
    "1.5e3",
    "_: ",
    "a.\"b\".${c}",
];

/// One change to a text, at char boundaries.
#[derive(Clone, Debug)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, piece: usize },
    Duplicate { at: usize, len: usize },
    Random { at: usize, text: String },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), 0..NIX_PIECES.len())
            .prop_map(|(at, piece)| Mutation::Insert { at, piece }),
        (any::<usize>(), 1usize..200).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
        (any::<usize>(), "\\PC{0,8}").prop_map(|(at, text)| Mutation::Random { at, text }),
    ]
}

/// The nearest char boundary at or before `at`, taken modulo the length.
fn boundary(text: &str, at: usize) -> usize {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut text = text.to_owned();
    for mutation in mutations {
        match mutation {
            Mutation::Delete { at, len } => {
                let start = boundary(&text, *at);
                let end = boundary(&text, (start + len).min(text.len()));
                text.replace_range(start..end.max(start), "");
            }
            Mutation::Insert { at, piece } => {
                let at = boundary(&text, *at);
                text.insert_str(at, NIX_PIECES[*piece]);
            }
            Mutation::Duplicate { at, len } => {
                let start = boundary(&text, *at);
                let end = boundary(&text, (start + len).min(text.len())).max(start);
                let copy = text[start..end].to_owned();
                text.insert_str(end, &copy);
            }
            Mutation::Random { at, text: random } => {
                let at = boundary(&text, *at);
                text.insert_str(at, random);
            }
        }
    }
    text
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|value| value.parse().ok())
            .unwrap_or(256),
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(0x6e69_7877_6973_6521),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Runs a property on a thread with the stack the server gives its lint jobs.
fn on_big_stack(job: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(syntax::WORKER_STACK_SIZE)
        .spawn(job)
        .expect("a thread starts")
        .join()
        .unwrap_or_else(|payload| std::panic::resume_unwind(payload));
}

#[test]
fn mutated_nix_files_never_break_the_parser_lints_or_fixes() {
    on_big_stack(|| {
        let seeds = nix_seeds();
        let strategy = (
            0..seeds.len(),
            proptest::collection::vec(mutation(), 0..6),
            prop_oneof![Just("default.nix"), Just("flake.nix")],
        );
        proptest::test_runner::TestRunner::new(config())
            .run(&strategy, |(seed, mutations, file_name)| {
                let text = mutate(&seeds[seed], &mutations);
                properties::check_source(&text, Some(file_name));
                Ok(())
            })
            .unwrap_or_else(|failure| panic!("{failure}"));
    });
}

#[test]
fn arbitrary_text_never_breaks_the_parser_lints_or_fixes() {
    on_big_stack(|| {
        let strategy = proptest::collection::vec(
            prop_oneof![
                (0..NIX_PIECES.len()).prop_map(|piece| NIX_PIECES[piece].to_owned()),
                "[a-z0-9 ]{1,4}",
            ],
            0..60,
        );
        proptest::test_runner::TestRunner::new(config())
            .run(&strategy, |pieces| {
                properties::check_source(&pieces.concat(), Some("default.nix"));
                Ok(())
            })
            .unwrap_or_else(|failure| panic!("{failure}"));
    });
}

const LOCK_SEEDS: &[&str] = &[
    include_str!("../../fuzz/seeds/flake_lock/full.lock"),
    include_str!("../../fuzz/seeds/flake_lock/tarball.lock"),
    include_str!("../../fuzz/seeds/flake_lock/empty.lock"),
    include_str!("../../fuzz/seeds/flake_lock/wrong-types.lock"),
];

const JSON_PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "\\u00",
    "\\ud83d",
    "\"nodes\"",
    "\"root\"",
    "\"inputs\"",
    "\"locked\"",
    "\"original\"",
    "\"follows\"",
    "\"lastModified\"",
    "-",
    "0",
    "1e9",
    "99999999999999999999",
    "true",
    "null",
    " ",
    "\n",
    "\u{e9}",
];

#[test]
fn any_flake_lock_is_read_without_panic() {
    let strategy = prop_oneof![
        (
            0..LOCK_SEEDS.len(),
            proptest::collection::vec((any::<usize>(), 0..JSON_PIECES.len(), 0usize..12,), 0..8)
        )
            .prop_map(|(seed, edits)| {
                let mut text = LOCK_SEEDS[seed].to_owned();
                for (at, piece, delete) in edits {
                    let start = boundary(&text, at);
                    let end = boundary(&text, (start + delete).min(text.len())).max(start);
                    text.replace_range(start..end, JSON_PIECES[piece]);
                }
                text
            }),
        proptest::collection::vec(0..JSON_PIECES.len(), 0..40)
            .prop_map(|pieces| pieces.iter().map(|&piece| JSON_PIECES[piece]).collect()),
        "\\PC{0,64}",
    ];
    proptest::test_runner::TestRunner::new(config())
        .run(&strategy, |text| {
            properties::check_lock(&text);
            Ok(())
        })
        .unwrap_or_else(|failure| panic!("{failure}"));
}

const CONFIG_SEEDS: &[&str] = &[
    include_str!("../../fuzz/seeds/config/every-key.toml"),
    include_str!("../../nixwise.toml"),
];

const TOML_PIECES: &[&str] = &[
    "[lints]\n",
    "[flake-lock]\n",
    "[lints.unused-lambda-arg]\n",
    "exclude = ",
    "reference-date = ",
    "level = ",
    "\"off\"",
    "\"error\"",
    "\"warning\"",
    "NIX001 = ",
    "bool-comparison = ",
    "[",
    "]",
    "{",
    "}",
    "=",
    "\"",
    "'",
    ",",
    "\n",
    "1",
    "-1",
    "9223372036854775807",
    "true",
    "1979-05-27",
    "\"2026-13-45\"",
    "\"**/[\"",
    "max-age-days = ",
    "require = ",
    "\u{e9}",
];

#[test]
fn any_configuration_is_read_without_panic() {
    let strategy = prop_oneof![
        (
            0..CONFIG_SEEDS.len(),
            proptest::collection::vec((any::<usize>(), 0..TOML_PIECES.len()), 0..8)
        )
            .prop_map(|(seed, inserts)| {
                let mut text = CONFIG_SEEDS[seed].to_owned();
                for (at, piece) in inserts {
                    let at = boundary(&text, at);
                    text.insert_str(at, TOML_PIECES[piece]);
                }
                text
            }),
        proptest::collection::vec(0..TOML_PIECES.len(), 0..30)
            .prop_map(|pieces| pieces.iter().map(|&piece| TOML_PIECES[piece]).collect()),
    ];
    on_big_stack(move || {
        proptest::test_runner::TestRunner::new(config())
            .run(&strategy, |text| {
                properties::check_config(&text);
                Ok(())
            })
            .unwrap_or_else(|failure| panic!("{failure}"));
    });
}
