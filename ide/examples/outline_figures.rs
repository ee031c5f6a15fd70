//! Prints how long each outline and presentation feature takes on one file (by default nixpkgs'
//! all-packages.nix from rnix's benchmarks, as `../shared/corpus/all-packages.sh` finds it):
//! `cargo run --release -p nixwise-ide --example outline_figures -- <file.nix> [folder]`. With a
//! folder, also how long indexing the symbols of all its `.nix` files takes on two threads.

use std::time::{Duration, Instant};

use lints::scope::ScopeIndex;
use syntax::{LineIndex, TextRange, TextSize};

const RUNS: usize = 9;

fn median(mut job: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            job();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: outline_figures <file.nix>");
        std::process::exit(2);
    };
    let folder = std::env::args().nth(2);
    // Trees are walked recursively in places; give the work the stack the server gives it.
    let worker = std::thread::Builder::new()
        .stack_size(syntax::WORKER_STACK_SIZE)
        .spawn(move || {
            run(&path);
            if let Some(folder) = folder {
                index_folder(std::path::Path::new(&folder));
            }
        })
        .expect("a thread");
    let _ = worker.join();
}

fn run(path: &str) {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("{path}: {error}");
            return;
        }
    };
    let parse = syntax::parse(&text);
    let root = parse.root();
    let index = LineIndex::new(&text);
    let scope = ScopeIndex::build(&root);
    let middle = TextSize::from((text.len() / 2) as u32);
    let screen = TextRange::new(
        middle,
        (middle + TextSize::from(4000)).min(root.text_range().end()),
    );
    println!(
        "{path}: {} bytes, {} lines (median of {RUNS} runs)",
        text.len(),
        index.line_count()
    );
    let figures: [(&str, Duration); 10] = [
        (
            "parse (for reference)",
            median(|| drop(syntax::parse(&text))),
        ),
        (
            "scope index (for reference)",
            median(|| drop(ScopeIndex::build(&root))),
        ),
        (
            "document symbols",
            median(|| drop(ide::document_symbols::document_symbols(&root))),
        ),
        (
            "workspace symbols: flatten",
            median(|| {
                drop(ide::workspace_symbols::flatten(
                    &ide::document_symbols::document_symbols(&root),
                ))
            }),
        ),
        (
            "folding ranges",
            median(|| drop(ide::folding_ranges::folding_ranges(&root, &index))),
        ),
        (
            "selection ranges (one cursor)",
            median(|| drop(ide::selection_ranges::selection_ranges(&root, middle))),
        ),
        (
            "semantic tokens, full (without scope)",
            median(|| drop(ide::semantic_tokens::semantic_tokens(&root, &scope, None))),
        ),
        (
            "semantic tokens, a screen (without scope)",
            median(|| {
                drop(ide::semantic_tokens::semantic_tokens(
                    &root,
                    &scope,
                    Some(screen),
                ))
            }),
        ),
        (
            "document links",
            median(|| drop(ide::document_links::document_links(&root))),
        ),
        (
            "inlay hints, a screen",
            median(|| {
                drop(ide::inlay_hints::closing_bracket_hints(
                    &root, &index, screen, 30,
                ))
            }),
        ),
    ];
    for (name, time) in figures {
        println!("{name:>42}: {:>8.2} ms", time.as_secs_f64() * 1000.0);
    }
    let symbols = ide::workspace_symbols::flatten(&ide::document_symbols::document_symbols(&root));
    let names: Vec<&str> = symbols.iter().map(|symbol| symbol.name.as_str()).collect();
    let query = median(|| {
        drop(ide::workspace_symbols::rank(
            "pyth3pkgs",
            names.iter().map(|name| (*name, ())),
            256,
        ))
    });
    println!(
        "{:>42}: {:>8.2} ms over {} symbols",
        "fuzzy query",
        query.as_secs_f64() * 1000.0,
        names.len()
    );
}

fn nix_files(folder: &std::path::Path, acc: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => nix_files(&path, acc),
            Ok(kind) if kind.is_file() && path.extension().is_some_and(|ext| ext == "nix") => {
                acc.push(path);
            }
            _ => {}
        }
    }
}

/// Reads, parses and flattens the outline of every file, as the server's index does.
fn index_folder(folder: &std::path::Path) {
    let mut files = Vec::new();
    nix_files(folder, &mut files);
    let start = Instant::now();
    let (left, right) = files.split_at(files.len() / 2);
    let count = |files: &[std::path::PathBuf]| -> (usize, usize) {
        let mut symbols = 0;
        let mut bytes = 0;
        for path in files {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            bytes += text.len();
            let root = syntax::parse(&text).root();
            let index = LineIndex::new(&text);
            let flat =
                ide::workspace_symbols::flatten(&ide::document_symbols::document_symbols(&root));
            // The server stores line and column positions.
            let positions: Vec<_> = flat
                .iter()
                .map(|symbol| index.line_col(symbol.range.start()))
                .collect();
            symbols += positions.len();
        }
        (symbols, bytes)
    };
    let (a, b) = std::thread::scope(|scope| {
        let other = std::thread::Builder::new()
            .stack_size(syntax::WORKER_STACK_SIZE)
            .spawn_scoped(scope, || count(right))
            .expect("a thread");
        let mine = count(left);
        (mine, other.join().unwrap_or((0, 0)))
    });
    println!(
        "indexing {} files ({} bytes) on 2 threads: {:.0} ms, {} symbols",
        files.len(),
        a.1 + b.1,
        start.elapsed().as_secs_f64() * 1000.0,
        a.0 + b.0
    );
}
