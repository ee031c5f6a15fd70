//! Parsing alone against parsing and every lint, on all-packages.nix and on a generated corpus.
//!
//! `cargo bench -p nixwise-bench --bench check`; all-packages.nix is looked up as `bench::all_packages`
//! says, and its benchmarks are skipped with a message when it is absent.

use std::sync::OnceLock;

use divan::counter::BytesCount;
use divan::Bencher;

/// Files in the generated corpus, about as many as a large NixOS configuration repository.
const CORPUS_FILES: usize = 3_000;

fn main() {
    let mut divan = divan::Divan::from_args();
    if all_packages().is_none() {
        divan = divan.skip_regex("all_packages");
    }
    // Trees are walked recursively; the main thread's stack is too small for the deepest files.
    std::thread::Builder::new()
        .stack_size(syntax::WORKER_STACK_SIZE)
        .spawn(move || divan.main())
        .expect("spawn the benchmark thread")
        .join()
        .expect("the benchmarks ran");
}

fn all_packages() -> Option<&'static str> {
    static TEXT: OnceLock<Option<String>> = OnceLock::new();
    TEXT.get_or_init(bench::all_packages).as_deref()
}

fn corpus() -> &'static [(String, String)] {
    static CORPUS: OnceLock<Vec<(String, String)>> = OnceLock::new();
    CORPUS.get_or_init(|| bench::generate::corpus(CORPUS_FILES, 7))
}

fn corpus_bytes() -> usize {
    corpus().iter().map(|(_, text)| text.len()).sum()
}

fn file_name(path: &str) -> Option<&str> {
    path.rsplit('/').next()
}

#[divan::bench(sample_count = 20)]
fn all_packages_parse(bencher: Bencher) {
    let text = all_packages().unwrap_or_default();
    bencher
        .counter(BytesCount::of_str(text))
        .bench(|| syntax::parse(divan::black_box(text)));
}

#[divan::bench(sample_count = 20)]
fn all_packages_parse_and_lint(bencher: Bencher) {
    let text = all_packages().unwrap_or_default();
    let config = lints::Config::default();
    bencher
        .counter(BytesCount::of_str(text))
        .bench(|| lints::check(divan::black_box(text), Some("all-packages.nix"), &config));
}

#[divan::bench(sample_count = 10)]
fn corpus_parse(bencher: Bencher) {
    bencher.counter(BytesCount::new(corpus_bytes())).bench(|| {
        for (_, text) in corpus() {
            divan::black_box(syntax::parse(text));
        }
    });
}

#[divan::bench(sample_count = 10)]
fn corpus_parse_and_lint(bencher: Bencher) {
    let config = lints::Config::default();
    bencher.counter(BytesCount::new(corpus_bytes())).bench(|| {
        for (path, text) in corpus() {
            divan::black_box(lints::check(text, file_name(path), &config));
        }
    });
}
