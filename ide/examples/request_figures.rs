//! Prints how long the requests that answer at a cursor take on one file (by default nixpkgs'
//! all-packages.nix, as `../shared/corpus/all-packages.sh` finds it), over a sample of the names
//! in it: `cargo run --release -p nixwise-ide --example request_figures -- <file.nix> [samples]`.
//! The document's tree and scope index are built once, as the server builds them once per version.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ide::definition::FlakeFiles;
use ide::hover::HoverContext;
use ide::navigation::Analysis;
use lints::scope::ScopeIndex;
use syntax::{SyntaxKind, TextSize};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: request_figures <file.nix> [samples]");
        std::process::exit(2);
    };
    let samples: usize = std::env::args()
        .nth(2)
        .and_then(|count| count.parse().ok())
        .unwrap_or(400);
    // Trees are walked recursively in places; give the work the stack the server gives it.
    let worker = std::thread::Builder::new()
        .stack_size(syntax::WORKER_STACK_SIZE)
        .spawn(move || run(&path, samples))
        .expect("a thread");
    let _ = worker.join();
}

fn run(path: &str, samples: usize) {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("{path}: {error}");
            return;
        }
    };
    let start = Instant::now();
    let parse = syntax::parse(&text);
    let parsed = start.elapsed();
    let root = parse.root();
    let start = Instant::now();
    let scopes = Arc::new(ScopeIndex::build(&root));
    let indexed = start.elapsed();
    let analysis = Analysis::from_parts(root.clone(), scopes, text.as_str().into());

    // Every n-th name of the file, so that the sample spreads over all of it.
    let names: Vec<TextSize> = root
        .descendants_with_tokens()
        .filter_map(|element| element.into_token())
        .filter(|token| token.kind() == SyntaxKind::TOKEN_IDENT)
        .map(|token| token.text_range().start())
        .collect();
    let step = (names.len() / samples.max(1)).max(1);
    let cursors: Vec<TextSize> = names.iter().step_by(step).copied().collect();
    println!(
        "{path}: {} bytes, {} names, {} cursors; parse {parsed:.1?}, scope index {indexed:.1?} \
         (once per version)",
        text.len(),
        names.len(),
        cursors.len()
    );
    println!(
        "{:<28} {:>10} {:>10} {:>10}",
        "request", "median", "p95", "max"
    );
    let flake = FlakeFiles::default();
    report("definition", &cursors, |at| {
        drop(ide::definition::definition(&analysis, at, flake));
    });
    report("references", &cursors, |at| {
        drop(ide::references::references(&analysis, at));
    });
    report("hover", &cursors, |at| {
        let context = HoverContext {
            builtin_docs: None,
            flake,
        };
        drop(ide::hover::hover(&analysis, at, context));
    });
    report("prepare rename", &cursors, |at| {
        drop(ide::rename::prepare_rename(&analysis, at));
    });
    report("rename", &cursors, |at| {
        drop(ide::rename::rename(&analysis, at, "renamed"));
    });
    report("completion", &cursors, |at| {
        drop(ide::completion::complete(&root, at, None));
    });
    report("selection range", &cursors, |at| {
        drop(ide::selection_ranges::selection_ranges(&root, at));
    });
}

fn report(name: &str, cursors: &[TextSize], mut request: impl FnMut(TextSize)) {
    let mut times: Vec<Duration> = cursors
        .iter()
        .map(|&at| {
            let start = Instant::now();
            request(at);
            start.elapsed()
        })
        .collect();
    times.sort();
    if times.is_empty() {
        return;
    }
    let at = |fraction: f64| times[((times.len() - 1) as f64 * fraction) as usize];
    println!(
        "{name:<28} {:>10.2?} {:>10.2?} {:>10.2?}",
        at(0.5),
        at(0.95),
        at(1.0)
    );
}
