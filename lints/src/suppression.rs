//! Suppression comments: `# nixwise: ignore[name, …]` silences the next line,
//! `# nixwise: ignore-file[name, …]` the whole file, and `# deadnix: skip` the dead-code lints on
//! the next line. Without a list, every lint is silenced.

use crate::registry;

/// The dead-code lints that `# deadnix: skip` silences.
const DEADNIX_LINTS: [&str; 3] = ["NIX101", "NIX102", "NIX103"];

/// Which lints are silenced where in one file.
#[derive(Default, Debug)]
pub(crate) struct Suppressions {
    /// (line silenced, lint names or `None` for all), sorted by line so that a lookup is a binary
    /// search: a file can have as many suppression comments as findings.
    lines: Vec<(u32, Option<Vec<&'static str>>)>,
    file: Option<Vec<&'static str>>,
    file_all: bool,
    /// Names in suppression comments that match no lint, with the comment's line.
    pub(crate) unknown: Vec<(u32, String)>,
}

impl Suppressions {
    /// Reads one comment found on `line` (zero-based).
    pub(crate) fn add_comment(&mut self, comment: &str, line: u32) {
        let body = comment
            .strip_prefix('#')
            .or_else(|| {
                comment
                    .strip_prefix("/*")
                    .and_then(|rest| rest.strip_suffix("*/"))
            })
            .unwrap_or(comment)
            .trim();
        if body == "deadnix: skip" {
            let names = DEADNIX_LINTS
                .iter()
                .filter_map(|code| registry::find(code))
                .map(|lint| lint.name);
            self.silence_line(line + 1, Some(names.collect()));
            return;
        }
        let Some(directive) = body.strip_prefix("nixwise:") else {
            return;
        };
        let directive = directive.trim();
        let (is_file, rest) = if let Some(rest) = directive.strip_prefix("ignore-file") {
            (true, rest)
        } else if let Some(rest) = directive.strip_prefix("ignore") {
            (false, rest)
        } else {
            return;
        };
        let rest = rest.trim();
        let names = if rest.is_empty() {
            None
        } else if let Some(list) = rest
            .strip_prefix('[')
            .and_then(|list| list.split(']').next())
        {
            let mut names = Vec::new();
            for name in list
                .split(',')
                .map(str::trim)
                .filter(|name| !name.is_empty())
            {
                match registry::find(name) {
                    Some(lint) => names.push(lint.name),
                    None => self.unknown.push((line, name.to_owned())),
                }
            }
            Some(names)
        } else {
            // Text after the directive that is not a list, such as a reason: silence everything.
            None
        };
        match (is_file, names) {
            (true, None) => self.file_all = true,
            (true, Some(names)) => self.file.get_or_insert_with(Vec::new).extend(names),
            (false, names) => self.silence_line(line + 1, names),
        }
    }

    fn silence_line(&mut self, line: u32, names: Option<Vec<&'static str>>) {
        // Comments arrive in text order, so this is nearly always a push at the end.
        let at = self
            .lines
            .partition_point(|(silenced, _)| *silenced <= line);
        self.lines.insert(at, (line, names));
    }

    pub(crate) fn is_suppressed(&self, name: &str, line: u32) -> bool {
        if self.file_all
            || self
                .file
                .as_ref()
                .is_some_and(|names| names.contains(&name))
        {
            return true;
        }
        let first = self.lines.partition_point(|(silenced, _)| *silenced < line);
        self.lines[first..]
            .iter()
            .take_while(|(silenced, _)| *silenced == line)
            .any(|(_, names)| names.as_ref().is_none_or(|names| names.contains(&name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_line_by_name_or_code() {
        let mut suppressions = Suppressions::default();
        suppressions.add_comment("# nixwise: ignore[bool-comparison, NIX000]", 3);
        assert!(suppressions.is_suppressed("bool-comparison", 4));
        assert!(suppressions.is_suppressed("syntax-error", 4));
        assert!(!suppressions.is_suppressed("bool-comparison", 3));
        assert!(!suppressions.is_suppressed("bool-comparison", 5));
    }

    #[test]
    fn bare_ignore_silences_every_lint_on_the_next_line() {
        let mut suppressions = Suppressions::default();
        suppressions.add_comment("/* nixwise: ignore */", 0);
        assert!(suppressions.is_suppressed("bool-comparison", 1));
    }

    #[test]
    fn comments_out_of_order_are_still_found() {
        let mut suppressions = Suppressions::default();
        suppressions.add_comment("# nixwise: ignore[bool-comparison]", 9);
        suppressions.add_comment("# nixwise: ignore[bool-comparison]", 2);
        suppressions.add_comment("# deadnix: skip", 2);
        assert!(suppressions.is_suppressed("bool-comparison", 10));
        assert!(suppressions.is_suppressed("bool-comparison", 3));
        assert!(suppressions.is_suppressed("unused-let-binding", 3));
        assert!(!suppressions.is_suppressed("bool-comparison", 4));
    }

    #[test]
    fn file_wide() {
        let mut suppressions = Suppressions::default();
        suppressions.add_comment("# nixwise: ignore-file[bool-comparison]", 10);
        assert!(suppressions.is_suppressed("bool-comparison", 0));
        assert!(!suppressions.is_suppressed("syntax-error", 0));
    }

    #[test]
    fn unknown_names_are_remembered() {
        let mut suppressions = Suppressions::default();
        suppressions.add_comment("# nixwise: ignore[no-such-lint]", 2);
        assert_eq!(suppressions.unknown, [(2, "no-such-lint".to_owned())]);
    }

    #[test]
    fn other_comments_are_ignored() {
        let mut suppressions = Suppressions::default();
        suppressions.add_comment("# nixwise is great", 0);
        suppressions.add_comment("# ignore[bool-comparison]", 0);
        assert!(!suppressions.is_suppressed("bool-comparison", 1));
    }
}
