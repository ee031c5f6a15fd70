//! Inputs for nixwise's benchmarks: nixpkgs' all-packages.nix when it can be found, a generated
//! corpus of realistic files, and the edits an editor sends while someone types.

use std::path::{Path, PathBuf};

pub mod generate;

/// Where nixpkgs' all-packages.nix is: `$NIXWISE_ALL_PACKAGES`, else the copy that ships in the
/// rnix crate's sources in cargo's registry (rnix is a dependency, so cargo has unpacked it).
pub fn all_packages_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("NIXWISE_ALL_PACKAGES") {
        return Some(PathBuf::from(path));
    }
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))?;
    let registry = std::fs::read_dir(cargo_home.join("registry/src")).ok()?;
    let mut found: Vec<PathBuf> = registry
        .flatten()
        .flat_map(|index| {
            std::fs::read_dir(index.path())
                .into_iter()
                .flatten()
                .flatten()
        })
        .filter(|entry| entry.file_name().to_string_lossy().starts_with("rnix-"))
        .map(|entry| entry.path().join("benches/all-packages.nix"))
        .filter(|path| path.is_file())
        .collect();
    found.sort();
    found.pop()
}

/// The text of all-packages.nix, or `None` with a message on stderr saying why the benchmarks
/// that need it are skipped.
pub fn all_packages() -> Option<String> {
    let Some(path) = all_packages_path() else {
        eprintln!("all-packages.nix not found (set NIXWISE_ALL_PACKAGES); skipping its benchmarks");
        return None;
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(error) => {
            eprintln!(
                "cannot read {}: {error}; skipping its benchmarks",
                path.display()
            );
            None
        }
    }
}

/// One edit of a text: replace `range` (byte offsets) with `insert`.
#[derive(Clone, Debug)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub insert: String,
}

impl Edit {
    pub fn apply(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + self.insert.len());
        out.push_str(&text[..self.start]);
        out.push_str(&self.insert);
        out.push_str(&text[self.end..]);
        out
    }

    pub fn as_text_edit(&self) -> syntax::TextEdit {
        syntax::TextEdit {
            range: syntax::TextRange::new(to_size(self.start), to_size(self.end)),
            new_text: self.insert.clone(),
        }
    }
}

fn to_size(offset: usize) -> syntax::TextSize {
    syntax::TextSize::try_from(offset).expect("benchmark texts are far below 4 GiB")
}

/// The three edits the incremental benchmarks time, placed in the middle of `text`: typing one
/// character at the end of a name, deleting a whole line, and pasting a block of bindings.
pub fn typical_edits(text: &str) -> Vec<(&'static str, Edit)> {
    let middle = line_start(text, text.len() / 2);
    // The first line from the middle on that looks like `  name = value;`.
    let binding = text[middle..]
        .split_inclusive('\n')
        .scan(middle, |offset, line| {
            let start = *offset;
            *offset += line.len();
            Some((start, line))
        })
        .find(|(_, line)| {
            let trimmed = line.trim();
            trimmed.contains(" = ") && trimmed.ends_with(';') && !trimmed.starts_with('#')
        });
    let (line_at, line) = binding.unwrap_or((middle, ""));
    let name_end = line_at
        + line
            .find(|c: char| !(c.is_whitespace()))
            .map_or(0, |indent| {
                indent
                    + line[indent..]
                        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                        .unwrap_or(0)
            });
    let indent: String = line
        .chars()
        .take_while(|c| c.is_whitespace() && *c != '\n')
        .collect();
    let block: String = (0..8)
        .map(|index| format!("{indent}pasted{index} = callPackage ../pasted/{index} {{ }};\n"))
        .collect();
    vec![
        (
            "type a character",
            Edit {
                start: name_end,
                end: name_end,
                insert: "x".to_owned(),
            },
        ),
        (
            "delete a line",
            Edit {
                start: line_at,
                end: line_at + line.len(),
                insert: String::new(),
            },
        ),
        (
            "paste a block",
            Edit {
                start: line_at,
                end: line_at,
                insert: block,
            },
        ),
        (
            // A stray `;`: every server reports the syntax error and withdraws it on the undo,
            // so this edit also times servers that publish only when their findings change.
            "break the syntax",
            Edit {
                start: line_at,
                end: line_at,
                insert: "; ".to_owned(),
            },
        ),
    ]
}

fn line_start(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    text[..offset].rfind('\n').map_or(0, |newline| newline + 1)
}
