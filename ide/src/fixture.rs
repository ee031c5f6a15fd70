//! Test fixtures: Nix text with a `$0` cursor (or two, for a selection), and several files
//! separated by `#- /path` header lines.

use syntax::{TextRange, TextSize};

/// The marker of a cursor in a fixture.
pub const CURSOR: &str = "$0";

/// One file of a fixture with its markers removed.
#[derive(Debug)]
pub struct FixtureFile {
    pub path: String,
    pub text: String,
    /// The offsets where `$0` stood, in order.
    pub cursors: Vec<TextSize>,
}

impl FixtureFile {
    /// The one cursor of this file.
    pub fn cursor(&self) -> TextSize {
        assert_eq!(
            self.cursors.len(),
            1,
            "expected exactly one `$0` in {}",
            self.path
        );
        self.cursors[0]
    }

    /// The range between the two cursors of this file.
    pub fn selection(&self) -> TextRange {
        assert_eq!(self.cursors.len(), 2, "expected two `$0` in {}", self.path);
        TextRange::new(self.cursors[0], self.cursors[1])
    }
}

/// Splits a fixture into its files; text before any header is the file `/default.nix`.
pub fn files(fixture: &str) -> Vec<FixtureFile> {
    let mut files = Vec::new();
    let mut path = String::from("/default.nix");
    let mut text = String::new();
    for line in fixture.split_inclusive('\n') {
        if let Some(header) = line.strip_prefix("#- ") {
            if !text.is_empty() || !files.is_empty() {
                files.push(file(&path, &text));
            }
            path = header.trim().to_owned();
            text.clear();
        } else {
            text.push_str(line);
        }
    }
    files.push(file(&path, &text));
    files
}

/// The flake context of the first file of a fixture: whether it is a flake.nix, and the text of
/// the fixture's flake.lock, if it has one.
pub fn flake_files(files: &[FixtureFile]) -> crate::definition::FlakeFiles<'_> {
    crate::definition::FlakeFiles {
        is_flake: files
            .first()
            .is_some_and(|file| file.path.ends_with("flake.nix")),
        lock: files
            .iter()
            .find(|file| file.path.ends_with("flake.lock"))
            .map(|file| file.text.as_str()),
    }
}

/// A fixture of one file.
pub fn single(fixture: &str) -> FixtureFile {
    let mut files = files(fixture);
    assert_eq!(files.len(), 1, "expected a single-file fixture");
    files.remove(0)
}

fn file(path: &str, marked: &str) -> FixtureFile {
    let mut text = String::with_capacity(marked.len());
    let mut cursors = Vec::new();
    let mut rest = marked;
    while let Some(at) = rest.find(CURSOR) {
        text.push_str(&rest[..at]);
        cursors.push(TextSize::of(text.as_str()));
        rest = &rest[at + CURSOR.len()..];
    }
    text.push_str(rest);
    FixtureFile {
        path: path.to_owned(),
        text,
        cursors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_removed_and_located() {
        let file = single("let a$0 = 1; in $0a");
        assert_eq!(file.text, "let a = 1; in a");
        assert_eq!(file.cursors, vec![TextSize::from(5), TextSize::from(14)]);
        assert_eq!(&file.text[file.selection()], " = 1; in ");
    }

    #[test]
    fn headers_split_files() {
        let files = files("#- /flake.nix\n{ }$0\n#- /flake.lock\n{}\n");
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].path, "/flake.nix");
        assert_eq!(files[0].text, "{ }\n");
        assert_eq!(files[0].cursor(), TextSize::from(3));
        assert_eq!(files[1].path, "/flake.lock");
        assert_eq!(files[1].text, "{}\n");
    }
}
