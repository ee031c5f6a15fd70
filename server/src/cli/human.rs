//! The human report of `nixwise check`: a header per finding, the source line with a caret
//! underline, the fixes on offer, and a summary.
//!
//! ```text
//! modules/foo.nix:3:7: warning[NIX001/bool-comparison]: Comparison with `true` is redundant
//!   |
//! 3 |   a = (y < z) == true;
//!   |       ^^^^^^^^^^^^^^^
//!   = fix available: Replace with `(y < z)` (safe)
//! ```

use std::io::{self, Write};

use lints::{Applicability, Diagnostic, Severity};

use super::check::CheckedFile;
use super::style::{Palette, Style};
use super::{plural, Position};

/// Lines longer than this many characters are shown as a window around the finding.
const MAX_SHOWN_CHARS: usize = 160;
/// How many characters of a long line stay visible before the finding.
const CONTEXT_BEFORE: usize = 40;

pub(crate) fn write_check(
    out: &mut dyn Write,
    files: &[CheckedFile],
    unreadable: usize,
    palette: Palette,
) -> io::Result<()> {
    let mut counts = Counts::default();
    for file in files {
        for diagnostic in &file.diagnostics {
            write_diagnostic(out, file, diagnostic, palette)?;
            counts.add(diagnostic);
        }
        if !file.diagnostics.is_empty() {
            counts.files_with_findings += 1;
        }
    }
    write_summary(out, &counts, files.len(), unreadable, palette)
}

fn write_diagnostic(
    out: &mut dyn Write,
    file: &CheckedFile,
    diagnostic: &Diagnostic,
    palette: Palette,
) -> io::Result<()> {
    let index = &file.line_index;
    let start = Position::of(index, diagnostic.range.start());
    let severity = diagnostic.severity;
    writeln!(
        out,
        "{}: {}: {}",
        palette.paint(
            Style::Bold,
            format_args!("{}:{}:{}", file.display, start.line, start.column)
        ),
        palette.paint(
            Style::of(severity),
            format_args!(
                "{}[{}/{}]",
                severity.as_str(),
                diagnostic.code,
                diagnostic.name
            )
        ),
        clean(&diagnostic.message),
    )?;

    let start_at = index.line_col(diagnostic.range.start());
    let end_at = index.line_col(diagnostic.range.end());
    let line_number = (start_at.line + 1).to_string();
    let pad = " ".repeat(line_number.len());
    let gutter = |text: &str| palette.paint(Style::Blue, text.to_owned());
    if let Some(line_range) = index.line_range(start_at.line, &file.text) {
        let line = &file.text[line_range];
        let start = (start_at.col as usize).min(line.len());
        let end = if end_at.line == start_at.line {
            (end_at.col as usize).clamp(start, line.len())
        } else {
            line.len()
        };
        let (shown, underline) = snippet(line, start, end);
        writeln!(out, "{pad} {}", gutter("|"))?;
        writeln!(out, "{} {}", gutter(&format!("{line_number} |")), shown)?;
        writeln!(
            out,
            "{pad} {} {}",
            gutter("|"),
            palette.paint(Style::of(severity), underline)
        )?;
    }
    for related in &diagnostic.related {
        let at = Position::of(index, related.range.start());
        writeln!(
            out,
            "{pad} {} note: {}:{}:{}: {}",
            gutter("="),
            file.display,
            at.line,
            at.column,
            clean(&related.message)
        )?;
    }
    for fix in &diagnostic.fixes {
        let title = clean(&fix.title);
        match fix.applicability {
            Applicability::Safe => {
                writeln!(
                    out,
                    "{pad} {} {} {title} (safe)",
                    gutter("="),
                    palette.paint(Style::Green, "fix available:")
                )?;
            }
            Applicability::Unsafe => writeln!(
                out,
                "{pad} {} {} {title} (unsafe, use --unsafe)",
                gutter("="),
                palette.paint(Style::Green, "fix available:")
            )?,
            Applicability::DisplayOnly => {
                writeln!(
                    out,
                    "{pad} {} {} {title}",
                    gutter("="),
                    palette.paint(Style::Green, "suggestion:")
                )?;
            }
        }
    }
    writeln!(out)
}

/// The line to show and the underline beneath it, for the bytes `start..end` of `line`. Long
/// lines are cut to a window around the finding, marked with `…`. Tabs are kept in the underline
/// so that it lines up however the terminal expands them.
fn snippet(line: &str, start: usize, end: usize) -> (String, String) {
    let first = line[..start].chars().count();
    let last = first + line[start..end].chars().count();
    let total = line.chars().count();
    let skip = if total <= MAX_SHOWN_CHARS {
        0
    } else {
        first.saturating_sub(CONTEXT_BEFORE)
    };
    let take = MAX_SHOWN_CHARS.min(total - skip);
    let mut shown = String::new();
    let mut underline = String::new();
    if skip > 0 {
        shown.push('…');
        underline.push(' ');
    }
    for (index, ch) in line.chars().enumerate().skip(skip).take(take) {
        let ch = if ch.is_control() && ch != '\t' {
            char::REPLACEMENT_CHARACTER
        } else {
            ch
        };
        shown.push(ch);
        if index < first {
            underline.push(if ch == '\t' { '\t' } else { ' ' });
        } else if index < last {
            underline.push('^');
        }
    }
    if skip + take < total {
        shown.push('…');
    }
    if last == first || first >= skip + take {
        // An empty range, or one that starts past the end of the line, still gets one caret.
        underline.push('^');
    }
    (shown, underline)
}

/// Text from a file can hold terminal control sequences; they are shown, not obeyed.
fn clean(text: &str) -> String {
    text.chars()
        .map(|ch| {
            if ch.is_control() && ch != '\n' {
                char::REPLACEMENT_CHARACTER
            } else {
                ch
            }
        })
        .collect()
}

#[derive(Default)]
struct Counts {
    by_severity: [usize; 4],
    safe_fixable: usize,
    unsafe_fixable: usize,
    files_with_findings: usize,
}

impl Counts {
    fn add(&mut self, diagnostic: &Diagnostic) {
        self.by_severity[diagnostic.severity as usize] += 1;
        let has = |applicability| {
            diagnostic
                .fixes
                .iter()
                .any(|fix| fix.applicability == applicability)
        };
        if has(Applicability::Safe) {
            self.safe_fixable += 1;
        } else if has(Applicability::Unsafe) {
            self.unsafe_fixable += 1;
        }
    }

    fn total(&self) -> usize {
        self.by_severity.iter().sum()
    }
}

fn write_summary(
    out: &mut dyn Write,
    counts: &Counts,
    files: usize,
    unreadable: usize,
    palette: Palette,
) -> io::Result<()> {
    let checked = plural(files, "file", "files");
    if counts.total() == 0 {
        writeln!(
            out,
            "{} in {checked}.",
            palette.paint(Style::Bold, "No problems found")
        )?;
    } else {
        let breakdown: Vec<String> = Severity::ALL
            .iter()
            .rev()
            .filter(|severity| counts.by_severity[**severity as usize] > 0)
            .map(|severity| {
                let count = counts.by_severity[*severity as usize];
                match severity {
                    Severity::Error => plural(count, "error", "errors"),
                    Severity::Warning => plural(count, "warning", "warnings"),
                    Severity::Info => plural(count, "info", "infos"),
                    Severity::Hint => plural(count, "hint", "hints"),
                }
            })
            .collect();
        writeln!(
            out,
            "{} ({}) in {} of {checked}.",
            palette.paint(
                Style::Bold,
                format_args!("Found {}", plural(counts.total(), "problem", "problems"))
            ),
            breakdown.join(", "),
            counts.files_with_findings,
        )?;
        let mut fixable = Vec::new();
        if counts.safe_fixable > 0 {
            fixable.push(format!(
                "{} fixable with `nixwise fix`",
                counts.safe_fixable
            ));
        }
        if counts.unsafe_fixable > 0 {
            let more = if counts.safe_fixable > 0 { " more" } else { "" };
            fixable.push(format!(
                "{}{more} with `nixwise fix --unsafe`",
                counts.unsafe_fixable
            ));
        }
        if !fixable.is_empty() {
            writeln!(out, "{}.", fixable.join(", "))?;
        }
    }
    if unreadable > 0 {
        writeln!(
            out,
            "{} could not be read (see above).",
            plural(unreadable, "path", "paths")
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn underline_covers_the_range() {
        let (shown, underline) = snippet("  a = x == true;", 6, 15);
        assert_eq!(shown, "  a = x == true;");
        assert_eq!(underline, "      ^^^^^^^^^");
    }

    #[test]
    fn underline_counts_characters_and_keeps_tabs() {
        let line = "\té = x == true;";
        let start = line.find('x').expect("x");
        let (_, underline) = snippet(line, start, start + 1);
        assert_eq!(underline, "\t    ^");
    }

    #[test]
    fn empty_ranges_get_one_caret() {
        assert_eq!(snippet("ab", 2, 2).1, "  ^");
    }

    #[test]
    fn long_lines_show_a_window_around_the_finding() {
        let line = format!("{}x{}", "a".repeat(1000), "b".repeat(1000));
        let (shown, underline) = snippet(&line, 1000, 1001);
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        assert_eq!(shown.chars().count(), MAX_SHOWN_CHARS + 2);
        assert_eq!(underline, format!("{}^", " ".repeat(CONTEXT_BEFORE + 1)));
        assert_eq!(shown.chars().nth(CONTEXT_BEFORE + 1), Some('x'));
    }

    #[test]
    fn control_characters_are_not_sent_to_the_terminal() {
        assert_eq!(snippet("\x1b[31m", 0, 1).0, "\u{fffd}[31m");
        assert_eq!(clean("a\x1bb"), "a\u{fffd}b");
    }
}
