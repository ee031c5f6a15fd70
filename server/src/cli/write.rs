//! Writing a fixed file without ever losing what was there: the new text must parse at least as
//! well as the old, it goes to a temporary file in the same folder that is flushed to disk and
//! given the original's permissions, and it replaces the original by a rename only if the
//! original is still exactly what was read.

use std::fmt;
use std::io::{self, Write};
use std::path::Path;

use super::files::{describe_io, Snapshot};

/// Why a fixed text was not written. The original file is untouched in every case.
#[derive(Debug)]
pub enum Refusal {
    /// The fixed text has more syntax errors than the original.
    NewSyntaxErrors {
        before: usize,
        after: usize,
    },
    /// The file changed on disk after it was read.
    ChangedOnDisk,
    /// The file is read-only.
    ReadOnly,
    Io(io::Error),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NewSyntaxErrors { before, after } => write!(
                f,
                "not written: the fixed text would have {after} syntax error(s) where the original has {before}"
            ),
            Refusal::ChangedOnDisk => f.write_str("not written: the file changed on disk since it was read"),
            Refusal::ReadOnly => f.write_str("not written: the file is read-only"),
            Refusal::Io(error) => write!(f, "not written: {}", describe_io(error)),
        }
    }
}

impl From<io::Error> for Refusal {
    fn from(error: io::Error) -> Refusal {
        Refusal::Io(error)
    }
}

/// Refuses a fixed text that has a syntax error the original did not.
pub fn check_syntax(old_text: &str, new_text: &str) -> Result<(), Refusal> {
    let before = syntax::parse(old_text).errors().len();
    let after = syntax::parse(new_text).errors().len();
    if after > before {
        return Err(Refusal::NewSyntaxErrors { before, after });
    }
    Ok(())
}

/// Checks `new_text` against `old_text`, then replaces the file that `original` was read from.
pub fn write_fixed(
    path: &Path,
    original: &Snapshot,
    old_text: &str,
    new_text: &str,
) -> Result<(), Refusal> {
    check_syntax(old_text, new_text)?;
    replace_file(path, original, new_text.as_bytes())
}

/// Replaces the contents of `path` with `new_bytes` atomically, if the file still holds what
/// `original` holds. A symbolic link stays a link: its target is replaced.
pub fn replace_file(path: &Path, original: &Snapshot, new_bytes: &[u8]) -> Result<(), Refusal> {
    let target = std::fs::canonicalize(path)?;
    let metadata = std::fs::metadata(&target)?;
    if metadata.permissions().readonly() {
        return Err(Refusal::ReadOnly);
    }
    let dir = target
        .parent()
        .ok_or_else(|| io::Error::other("the file has no parent folder"))?;
    // Dropping `temp` on any early return removes the temporary file.
    let mut temp = tempfile::Builder::new()
        .prefix(".nixwise-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temp.write_all(new_bytes)?;
    temp.as_file().set_permissions(metadata.permissions())?;
    keep_owner(temp.as_file(), &metadata);
    temp.as_file().sync_all()?;
    if Snapshot::read(&target)? != *original {
        return Err(Refusal::ChangedOnDisk);
    }
    temp.persist(&target)
        .map_err(|error| Refusal::Io(error.error))?;
    sync_folder(dir);
    Ok(())
}

/// Keeps the owner and group when the user may set them (root fixing someone else's file); other
/// users cannot, and their files are theirs already.
#[cfg(unix)]
fn keep_owner(file: &std::fs::File, metadata: &std::fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    let _ = std::os::unix::fs::fchown(file, Some(metadata.uid()), Some(metadata.gid()));
}

#[cfg(not(unix))]
fn keep_owner(_: &std::fs::File, _: &std::fs::Metadata) {}

/// Makes the rename itself durable; a failure here leaves a correct file that may not survive a
/// power cut, which is no reason to report an error.
#[cfg(unix)]
fn sync_folder(dir: &Path) {
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
}

#[cfg(not(unix))]
fn sync_folder(_: &Path) {}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn file_with(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("a.nix");
        std::fs::write(&path, text).expect("write");
        (dir, path)
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("list")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_the_new_text_and_leaves_no_temporary_file() {
        let (dir, path) = file_with("x == true");
        let original = Snapshot::read(&path).expect("read");
        write_fixed(&path, &original, "x == true", "x").expect("written");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "x");
        assert_eq!(entries(dir.path()), ["a.nix"]);
    }

    #[cfg(unix)]
    #[test]
    fn keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let (_dir, path) = file_with("x == true");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        let original = Snapshot::read(&path).expect("read");
        write_fixed(&path, &original, "x == true", "x").expect("written");
        let mode = std::fs::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640);
    }

    #[test]
    fn refuses_a_text_with_a_new_syntax_error() {
        let (dir, path) = file_with("{ a = 1; }");
        let original = Snapshot::read(&path).expect("read");
        let refusal =
            write_fixed(&path, &original, "{ a = 1; }", "{ a = ; }").expect_err("refused");
        assert!(
            matches!(refusal, Refusal::NewSyntaxErrors { before: 0, after } if after > 0),
            "{refusal}"
        );
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "{ a = 1; }");
        assert_eq!(entries(dir.path()), ["a.nix"]);
    }

    #[test]
    fn accepts_a_text_that_keeps_an_existing_syntax_error() {
        let (_dir, path) = file_with("{ a = x == true; b = }");
        let original = Snapshot::read(&path).expect("read");
        write_fixed(&path, &original, "{ a = x == true; b = }", "{ a = x; b = }").expect("written");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "{ a = x; b = }"
        );
    }

    #[test]
    fn refuses_when_the_file_changed_since_it_was_read() {
        let (dir, path) = file_with("x == true");
        let original = Snapshot::read(&path).expect("read");
        std::fs::write(&path, "someone else's edit").expect("write");
        let refusal = write_fixed(&path, &original, "x == true", "x").expect_err("refused");
        assert!(matches!(refusal, Refusal::ChangedOnDisk), "{refusal}");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "someone else's edit"
        );
        assert_eq!(entries(dir.path()), ["a.nix"]);
    }

    #[test]
    fn refuses_when_the_file_was_removed_since_it_was_read() {
        let (dir, path) = file_with("x == true");
        let original = Snapshot::read(&path).expect("read");
        std::fs::remove_file(&path).expect("remove");
        let refusal = write_fixed(&path, &original, "x == true", "x").expect_err("refused");
        assert!(matches!(refusal, Refusal::Io(_)), "{refusal}");
        assert!(entries(dir.path()).is_empty());
    }

    #[test]
    fn refuses_a_read_only_file() {
        let (_dir, path) = file_with("x == true");
        let mut permissions = std::fs::metadata(&path).expect("metadata").permissions();
        permissions.set_readonly(true);
        std::fs::set_permissions(&path, permissions).expect("chmod");
        let original = Snapshot::read(&path).expect("read");
        let refusal = write_fixed(&path, &original, "x == true", "x").expect_err("refused");
        assert!(matches!(refusal, Refusal::ReadOnly), "{refusal}");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "x == true");
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_stays_a_link() {
        let (dir, path) = file_with("x == true");
        let link = dir.path().join("link.nix");
        std::os::unix::fs::symlink(&path, &link).expect("symlink");
        let original = Snapshot::read(&link).expect("read");
        write_fixed(&link, &original, "x == true", "x").expect("written");
        assert!(std::fs::symlink_metadata(&link)
            .expect("metadata")
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "x");
    }
}
