//! How the cost of checking and fixing grows with the size of a file: each shape of wide file is
//! generated with N and 2N entries and checked with every lint (the fixes proved, as for JSON and
//! SARIF), then fixed to a fixpoint. Time that grows linearly doubles; a quadratic step shows as a
//! factor near 4.
//!
//! ```text
//! growth [N]        (N defaults to 10000)
//! ```

use std::time::{Duration, Instant};

use lints::{Config, FixMode, Validate};

/// Each shape is one that some lint or fix reads as a whole (a set, a `let`, a list, a pattern),
/// with a finding in every entry where the shape has one.
/// A shape's name, and the text of a file of that shape with `n` entries.
type Shape = (&'static str, fn(usize) -> String);

const SHAPES: &[Shape] = &[
    ("bindings", |n| {
        wrap("{\n", (0..n).map(|i| format!("  a{i} = {i};\n")), "}\n")
    }),
    ("dotted bindings", |n| {
        wrap("{\n", (0..n).map(|i| format!("  a{i}.b = {i};\n")), "}\n")
    }),
    ("one dotted key", |n| {
        wrap("{\n", (0..n).map(|i| format!("  a.b{i} = {i};\n")), "}\n")
    }),
    ("string keys", |n| {
        wrap("{\n", (0..n).map(|i| format!("  \"a{i}\" = {i};\n")), "}\n")
    }),
    ("one long inherit", |n| {
        wrap(
            "{ x }: {\n  inherit",
            (0..n).map(|i| format!(" a{i}")),
            ";\n}\n",
        )
    }),
    ("manual inherits from one source", |n| {
        wrap(
            "{ x }: {\n",
            (0..n).map(|i| format!("  a{i} = x.a{i};\n")),
            "}\n",
        )
    }),
    ("manual inherits", |n| {
        wrap(
            "{ a }: {\n",
            (0..n).map(|i| format!("  a{i} = a{i};\n")),
            "}\n",
        )
    }),
    ("pattern", |n| {
        wrap("{ ", (0..n).map(|i| format!("a{i}, ")), "b }: b\n")
    }),
    ("unused let bindings", |n| {
        wrap(
            "let\n",
            (0..n).map(|i| format!("  a{i} = {i};\n")),
            "in 1\n",
        )
    }),
    ("let chain", |n| {
        wrap(
            "let\n  a0 = 1;\n",
            (1..n).map(|i| format!("  a{i} = a{} + 1;\n", i - 1)),
            "in a0\n",
        )
    }),
    ("rec set", |n| {
        wrap("rec {\n", (0..n).map(|i| format!("  a{i} = {i};\n")), "}\n")
    }),
    ("list of comparisons", |n| {
        wrap(
            "{ x }: [\n",
            (0..n).map(|_| "  (x == true)\n".to_owned()),
            "]\n",
        )
    }),
    ("module settings", |n| {
        wrap(
            "{ config, ... }: {\n",
            (0..n).map(|i| {
                format!("  services.s{i}.enable = true;\n  services.s{i}.password = \"x\";\n")
            }),
            "}\n",
        )
    }),
    ("fetches", |n| {
        wrap(
            "{\n",
            (0..n).map(|i| format!("  a{i} = builtins.fetchTarball \"http://example.org/{i}\";\n")),
            "}\n",
        )
    }),
    ("parenthesised values", |n| {
        wrap(
            "{ x }: {\n",
            (0..n).map(|i| format!("  a{i} = (x);\n")),
            "}\n",
        )
    }),
    ("updates", |n| {
        let sets: Vec<&str> = vec!["{ a = 1; }"; n];
        sets.join(" // ") + "\n"
    }),
];

fn wrap(open: &str, items: impl Iterator<Item = String>, close: &str) -> String {
    let mut text = open.to_owned();
    text.extend(items);
    text.push_str(close);
    text
}

fn time(run: impl Fn()) -> Duration {
    // The least of three runs: noise only ever adds time.
    (0..3)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn main() {
    let n: usize = match std::env::args().nth(1).map(|arg| arg.parse()) {
        None => 10_000,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("usage: growth [N]  (N entries, then 2N; default 10000)");
            std::process::exit(2);
        }
    };
    let config = Config::default();
    println!("shape                               check {n:>6}  {:>6}  growth    fix {n:>6}  {:>6}  growth", 2 * n, 2 * n);
    let mut worst: (f64, &str) = (0.0, "");
    for (name, generate) in SHAPES {
        let mut figures = Vec::new();
        for size in [n, 2 * n] {
            let text = generate(size);
            let check = time(|| {
                lints::check_with(&text, None, &config, Validate::Fixes);
            });
            let fix = time(|| {
                lints::fix_text(&text, None, &config, FixMode::Unsafe);
            });
            figures.push((check, fix));
        }
        let growth = |small: Duration, large: Duration| ms(large) / ms(small).max(0.01);
        let check_growth = growth(figures[0].0, figures[1].0);
        let fix_growth = growth(figures[0].1, figures[1].1);
        for (factor, what) in [(check_growth, "check"), (fix_growth, "fix")] {
            // Below a few milliseconds the factor is mostly noise.
            let large = if what == "check" {
                figures[1].0
            } else {
                figures[1].1
            };
            if ms(large) > 5.0 && factor > worst.0 {
                worst = (factor, name);
            }
        }
        println!(
            "{name:<32} {:>9.1} ms {:>6.1} ms  {check_growth:>5.2}×  {:>9.1} ms {:>6.1} ms  {fix_growth:>5.2}×",
            ms(figures[0].0),
            ms(figures[1].0),
            ms(figures[0].1),
            ms(figures[1].1),
        );
    }
    println!(
        "largest growth from {n} to {} entries: {:.2}× ({}); linear is 2×, quadratic 4×",
        2 * n,
        worst.0,
        worst.1
    );
}
