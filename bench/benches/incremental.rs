//! Re-parsing all-packages.nix after one edit, incrementally and in full, for the edits an editor
//! sends most: typing a character, deleting a line, pasting a block, and a stray `;` that breaks
//! the syntax of one entry.
//!
//! `cargo bench -p nixwise-bench --bench incremental`; skipped with a message when all-packages.nix
//! cannot be found (see `bench::all_packages`).

use divan::Bencher;

fn main() {
    let Some(text) = bench::all_packages() else {
        return;
    };
    let old = syntax::parse(&text);
    for (name, edit) in bench::typical_edits(&text) {
        let new_text = edit.apply(&text);
        let (_, how) = syntax::reparse(&old, &edit.as_text_edit(), &new_text);
        eprintln!("{name}: re-parsed by the {how:?} path");
    }
    std::thread::Builder::new()
        .stack_size(syntax::WORKER_STACK_SIZE)
        .spawn(divan::main)
        .expect("spawn the benchmark thread")
        .join()
        .expect("the benchmarks ran");
}

const EDITS: &[&str] = &[
    "type a character",
    "delete a line",
    "paste a block",
    "break the syntax",
];

fn prepared(name: &str) -> (syntax::Parse, syntax::TextEdit, String) {
    let text = bench::all_packages().unwrap_or_default();
    let (_, edit) = bench::typical_edits(&text)
        .into_iter()
        .find(|(edit_name, _)| *edit_name == name)
        .expect("a known edit");
    let new_text = edit.apply(&text);
    (syntax::parse(&text), edit.as_text_edit(), new_text)
}

#[divan::bench(args = EDITS, sample_count = 50)]
fn incremental(bencher: Bencher, name: &str) {
    let (old, edit, new_text) = prepared(name);
    bencher.bench(|| syntax::reparse(&old, &edit, divan::black_box(&new_text)));
}

#[divan::bench(args = EDITS, sample_count = 20)]
fn full(bencher: Bencher, name: &str) {
    let (_, _, new_text) = prepared(name);
    bencher.bench(|| syntax::parse(divan::black_box(&new_text)));
}

#[divan::bench(args = EDITS, sample_count = 20)]
fn incremental_then_lint(bencher: Bencher, name: &str) {
    let (old, edit, new_text) = prepared(name);
    let config = lints::Config::default();
    bencher.bench(|| {
        let (parse, _) = syntax::reparse(&old, &edit, &new_text);
        // As the language server lints an edited document: fixes are proved when offered.
        lints::check_parsed_with(
            &parse,
            &new_text,
            Some("all-packages.nix"),
            &config,
            lints::Validate::Nothing,
        )
    });
}

#[divan::bench(args = EDITS, sample_count = 20)]
fn incremental_then_lint_on_two_threads(bencher: Bencher, name: &str) {
    let (old, edit, new_text) = prepared(name);
    let config = lints::Config::default();
    bencher.bench(|| {
        let (parse, _) = syntax::reparse(&old, &edit, &new_text);
        // As the language server lints a large document after an edit.
        lints::check_parsed_on_two_threads(
            &parse,
            &new_text,
            Some("all-packages.nix"),
            &config,
            lints::Validate::Nothing,
        )
    });
}

#[divan::bench(args = EDITS, sample_count = 20)]
fn incremental_then_lint_retaining(bencher: Bencher, name: &str) {
    let (old, edit, new_text) = prepared(name);
    let config = lints::Config::default();
    let old_text: std::sync::Arc<str> = bench::all_packages().unwrap_or_default().into();
    let new_text: std::sync::Arc<str> = new_text.into();
    let file_name = Some("all-packages.nix");
    let (_, retained) = lints::check_retaining(
        &old,
        &old_text,
        file_name,
        &config,
        lints::Validate::Nothing,
        None,
        true,
    );
    bencher.bench(|| {
        let (parse, _) = syntax::reparse(&old, &edit, &new_text);
        // As the language server lints an edited document: the findings inside untouched entries
        // are kept from the check before, and the rest runs on two threads.
        lints::check_retaining(
            &parse,
            &new_text,
            file_name,
            &config,
            lints::Validate::Nothing,
            Some(&retained),
            true,
        )
    });
}
