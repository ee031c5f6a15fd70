//! Times parsing alone against parsing and every lint over files or folders, on one thread, to
//! compare the CPU time of checking with that of parsing the same files with rnix.
//!
//! ```text
//! check-files [--parse-only | --check-only] PATH...
//! ```

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        let mut entries: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
        entries.sort();
        for entry in entries {
            collect(&entry, out);
        }
    } else if path.extension().is_some_and(|extension| extension == "nix") {
        out.push(path.to_owned());
    }
}

fn main() {
    let mut mode = "both";
    let mut paths = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--parse-only" => mode = "parse",
            "--check-only" => mode = "check",
            _ => collect(Path::new(&arg), &mut paths),
        }
    }
    let texts: Vec<(PathBuf, String)> = paths
        .into_iter()
        .filter_map(|path| Some((path.clone(), std::fs::read_to_string(&path).ok()?)))
        .collect();
    let bytes: usize = texts.iter().map(|(_, text)| text.len()).sum();
    let worker = std::thread::Builder::new()
        .stack_size(syntax::WORKER_STACK_SIZE)
        .spawn(move || {
            let config = lints::Config::default();
            let mut parse_time = Duration::ZERO;
            let mut check_time = Duration::ZERO;
            let mut findings = 0;
            if mode != "check" {
                let started = Instant::now();
                for (_, text) in &texts {
                    std::hint::black_box(syntax::parse(text));
                }
                parse_time = started.elapsed();
            }
            if mode != "parse" {
                let started = Instant::now();
                for (path, text) in &texts {
                    let name = path.file_name().and_then(|name| name.to_str());
                    findings += lints::check(text, name, &config).diagnostics.len();
                }
                check_time = started.elapsed();
            }
            (texts.len(), parse_time, check_time, findings)
        })
        .expect("spawn a worker");
    let (files, parse_time, check_time, findings) = worker.join().expect("the worker finished");
    println!("{files} files, {bytes} bytes, one thread");
    if !parse_time.is_zero() {
        println!(
            "parse alone:            {:8.1} ms ({:.1} MB/s)",
            parse_time.as_secs_f64() * 1000.0,
            bytes as f64 / parse_time.as_secs_f64() / 1e6
        );
    }
    if !check_time.is_zero() {
        println!(
            "parse and every lint:   {:8.1} ms ({findings} findings)",
            check_time.as_secs_f64() * 1000.0
        );
    }
    if !parse_time.is_zero() && !check_time.is_zero() {
        println!(
            "check / parse:          {:8.2}",
            check_time.as_secs_f64() / parse_time.as_secs_f64()
        );
    }
}
