//! `nixwise explain`: a lint's documentation, or the list of all lints.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use lints::{registry, Lint, LINTS};

use super::EXIT_CLEAN;

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// The lint's name (`bool-comparison`) or code (`NIX001`). Without it, every lint is listed.
    #[arg(value_name = "NAME|CODE")]
    pub lint: Option<String>,

    /// List every lint with its code, category, default severity and fix.
    #[arg(long, conflicts_with = "lint")]
    pub list: bool,
}

pub fn run(args: ExplainArgs) -> ExitCode {
    super::finish(explain(&args))
}

fn explain(args: &ExplainArgs) -> anyhow::Result<ExitCode> {
    let mut out = BufWriter::new(io::stdout().lock());
    match &args.lint {
        Some(name) => write_lint(&mut out, find(name)?)?,
        None => write_list(&mut out)?,
    }
    out.flush()?;
    Ok(ExitCode::from(EXIT_CLEAN))
}

fn find(name: &str) -> anyhow::Result<&'static Lint> {
    let name = name.trim();
    if let Some(lint) = registry::find(name).or_else(|| registry::find(&name.to_ascii_lowercase()))
    {
        return Ok(lint);
    }
    match registry::closest_name(&name.to_ascii_lowercase()) {
        Some(closest) => anyhow::bail!("unknown lint `{name}` (did you mean `{closest}`?)"),
        None => anyhow::bail!("unknown lint `{name}`; `nixwise explain --list` lists them all"),
    }
}

fn write_lint(out: &mut dyn Write, lint: &Lint) -> io::Result<()> {
    writeln!(out, "# {} ({})", lint.name, lint.code)?;
    writeln!(out)?;
    writeln!(out, "Category: {}", lint.category.as_str())?;
    writeln!(out, "Default severity: {}", lint.default_severity.as_str())?;
    writeln!(
        out,
        "Enabled by default: {}",
        if lint.default_enabled { "yes" } else { "no" }
    )?;
    writeln!(out, "Fix: {}", lint.fixability.as_str())?;
    writeln!(out)?;
    write!(out, "{}", lint.docs_text())
}

fn write_list(out: &mut dyn Write) -> io::Result<()> {
    let header = [
        "CODE", "NAME", "CATEGORY", "SEVERITY", "DEFAULT", "FIX", "SUMMARY",
    ];
    let rows: Vec<[String; 7]> = LINTS
        .iter()
        .map(|lint| {
            [
                lint.code.to_owned(),
                lint.name.to_owned(),
                lint.category.as_str().to_owned(),
                lint.default_severity.as_str().to_owned(),
                if lint.default_enabled { "on" } else { "off" }.to_owned(),
                lint.fixability.as_str().to_owned(),
                first_sentence(&lint.summary()),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let header = header.map(str::to_owned);
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (column, cell) in row.iter().enumerate() {
            if column + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  ", width = widths[column]));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// The summary up to its first full stop followed by a space, so that the table stays narrow.
fn first_sentence(summary: &str) -> String {
    match summary.find(". ") {
        Some(end) => summary[..=end].to_owned(),
        None => summary.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_has_a_row_per_lint_in_aligned_columns() {
        let mut out = Vec::new();
        write_list(&mut out).expect("written");
        let text = String::from_utf8(out).expect("UTF-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), LINTS.len() + 1);
        let name_column = lines[0].find("NAME").expect("a NAME column");
        for (line, lint) in lines[1..].iter().zip(LINTS) {
            assert!(line.starts_with(lint.code), "{line}");
            assert_eq!(
                line[name_column..].split_whitespace().next(),
                Some(lint.name),
                "{line}"
            );
        }
    }

    #[test]
    fn unknown_names_suggest_the_closest() {
        let error = find("bool-comparisn").expect_err("unknown").to_string();
        assert!(error.contains("did you mean `bool-comparison`"), "{error}");
        assert_eq!(find("nix001").expect("by code").name, "bool-comparison");
    }
}
