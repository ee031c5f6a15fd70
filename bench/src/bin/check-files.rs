//! Times parsing alone against parsing and every lint over files or folders, on one thread, to
//! compare the CPU time of checking with that of parsing the same files with rnix.
//!
//! ```text
//! check-files [--parse-only | --check-only | --per-lint] [--prove-fixes] PATH...
//! ```
//!
//! Checking reports fixes unproved, as `nixwise check` does for its default report;
//! `--prove-fixes` proves each, as for its JSON and SARIF reports.
//!
//! `--per-lint` parses the files once, then checks them once per lint with only that lint on, and
//! prints what each adds to a check with every lint off, slowest first. With every lint off nothing
//! is walked, so each lint's figure holds the walk of the tree, which it pays for alone. A lint
//! that resolves names pays for the scope index it builds, which is timed on its own too.

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
    let mut validate = lints::Validate::Nothing;
    let mut paths = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--parse-only" => mode = "parse",
            "--check-only" => mode = "check",
            "--per-lint" => mode = "per-lint",
            "--prove-fixes" => validate = lints::Validate::Fixes,
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
            if mode == "per-lint" {
                per_lint(&texts, validate);
                return (texts.len(), Duration::ZERO, Duration::ZERO, 0);
            }
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
                    findings += lints::check_with(text, name, &config, validate)
                        .diagnostics
                        .len();
                }
                check_time = started.elapsed();
            }
            (texts.len(), parse_time, check_time, findings)
        })
        .expect("spawn a worker");
    let (files, parse_time, check_time, findings) = worker.join().expect("the worker finished");
    if mode == "per-lint" {
        return;
    }
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

/// A configuration with only `only` on, or every lint off.
fn only_config(only: Option<&lints::Lint>) -> lints::Config {
    let mut toml = String::from("[lints]\n");
    for lint in lints::LINTS {
        let level = match only {
            Some(only) if only.name == lint.name => "warning",
            _ => "off",
        };
        toml.push_str(&format!("{} = \"{level}\"\n", lint.name));
    }
    let (settings, _) = lints::Settings::from_toml(&toml).expect("a valid configuration");
    lints::Config::from_layers(&[&settings])
}

/// The least time of a few runs of checking every parsed text with `config` (the least, because
/// other work on the machine only ever adds time), and the number of findings.
fn time_check(
    parses: &[(&str, Option<&str>, syntax::Parse)],
    config: &lints::Config,
    validate: lints::Validate,
) -> (Duration, usize) {
    let mut least = Duration::MAX;
    let mut findings = 0;
    for _ in 0..3 {
        findings = 0;
        let started = Instant::now();
        for (text, name, parse) in parses {
            findings += lints::check_parsed_with(parse, text, *name, config, validate)
                .diagnostics
                .len();
        }
        least = least.min(started.elapsed());
    }
    (least, findings)
}

fn per_lint(texts: &[(PathBuf, String)], validate: lints::Validate) {
    let ms = |time: Duration| time.as_secs_f64() * 1000.0;
    let parses: Vec<(&str, Option<&str>, syntax::Parse)> = texts
        .iter()
        .map(|(path, text)| {
            let name = path.file_name().and_then(|name| name.to_str());
            (text.as_str(), name, syntax::parse(text))
        })
        .collect();
    let (baseline, _) = time_check(&parses, &only_config(None), validate);
    let (all, all_findings) = time_check(&parses, &lints::Config::default(), validate);
    let started = Instant::now();
    for (_, _, parse) in &parses {
        std::hint::black_box(lints::scope::ScopeIndex::build(&parse.root()));
    }
    let scope = started.elapsed();
    println!("{} files, one thread, parsed beforehand", texts.len());
    println!(
        "every lint on:          {:8.1} ms ({all_findings} findings)",
        ms(all)
    );
    println!(
        "every lint off:         {:8.1} ms (nothing walked: each lint below pays the walk)",
        ms(baseline)
    );
    println!("scope index alone:      {:8.1} ms", ms(scope));
    let mut rows: Vec<(Duration, &str, usize)> = lints::LINTS
        .iter()
        .filter(|lint| lint.default_enabled)
        .map(|lint| {
            let (time, findings) = time_check(&parses, &only_config(Some(lint)), validate);
            (time.saturating_sub(baseline), lint.name, findings)
        })
        .collect();
    rows.sort_by_key(|row| std::cmp::Reverse(row.0));
    let sum: Duration = rows.iter().map(|(time, _, _)| *time).sum();
    println!("sum of the lints below: {:8.1} ms", ms(sum));
    for (time, name, findings) in rows {
        println!("  {:8.1} ms  {name} ({findings} findings)", ms(time));
    }
}
