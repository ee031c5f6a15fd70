//! `nixwise check --format github`: GitHub Actions workflow commands, one line per finding, which
//! GitHub shows as annotations on the pull request's diff.
//!
//! ```text
//! ::warning file=modules/foo.nix,line=3,col=7,endLine=3,endColumn=22,title=NIX001 bool-comparison::Comparison with `true` is redundant
//! ```
//!
//! Lines and columns are 1-based, columns in characters as in the human report. Hints and infos
//! become notices.

use std::io::{self, Write};

use lints::{Applicability, Severity};

use super::check::CheckedFile;
use super::Position;

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Hint | Severity::Info => "notice",
        Severity::Warning => "warning",
        Severity::Error => "error",
    }
}

pub(crate) fn write_check(out: &mut dyn Write, files: &[CheckedFile]) -> io::Result<()> {
    for file in files {
        let path = file.display.strip_prefix("./").unwrap_or(&file.display);
        for diagnostic in &file.diagnostics {
            let start = Position::of(&file.line_index, diagnostic.range.start());
            let end = Position::of(&file.line_index, diagnostic.range.end());
            let mut message = diagnostic.message.clone();
            for fix in &diagnostic.fixes {
                let applicability = match fix.applicability {
                    Applicability::Safe => "safe",
                    Applicability::Unsafe => "unsafe",
                    Applicability::DisplayOnly => "to apply by hand",
                };
                message.push_str(&format!("\nFix available: {} ({applicability})", fix.title));
            }
            writeln!(
                out,
                "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                command(diagnostic.severity),
                escape_property(path),
                start.line,
                start.column,
                end.line,
                end.column,
                escape_property(&format!("{} {}", diagnostic.code, diagnostic.name)),
                escape_data(&message),
            )?;
        }
    }
    Ok(())
}

/// The message of a workflow command: `%`, CR and LF are percent-encoded.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property of a workflow command: as data, and also `:` and `,`, which separate properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_workflow_command_rules() {
        assert_eq!(escape_data("50% of\r\na:b,c"), "50%25 of%0D%0Aa:b,c");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
