//! The one walk over a source directory: what a Lambda package's fingerprint hashes, what the
//! cloud assembly copies, and what deploy publishes into a site bucket are the same files, so
//! a file that would be published always changes the fingerprint, and a file that is skipped
//! (a `.env`, `.git/`, `target/`) is never published.

use std::io;
use std::path::{Path, PathBuf};

/// Names that are never part of a source directory: build output and package caches. Hidden
/// entries (`.git`, `.env`, `.DS_Store`) are skipped as well, see [`is_skipped`].
pub const SKIPPED_NAMES: &[&str] = &["target", "node_modules"];

/// One file below a source directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// Its path relative to the directory, `/`-separated (`css/site.css`): the object key of a
    /// published site, and what the fingerprint hashes.
    pub relative: String,
    /// Where it is on disk.
    pub path: PathBuf,
}

/// Whether an entry of this name is left out of a source directory, at any depth.
pub fn is_skipped(name: &str) -> bool {
    name.starts_with('.') || SKIPPED_NAMES.contains(&name)
}

/// Every file below `dir`, without [skipped](is_skipped) entries, sorted component by
/// component (`a/b` before `a-b`, as paths sort). Symbolic links are followed.
pub fn source_files(dir: &Path) -> io::Result<Vec<SourceFile>> {
    let mut files = Vec::new();
    walk(dir, "", &mut files)?;
    files.sort_by(|a, b| a.relative.split('/').cmp(b.relative.split('/')));
    Ok(files)
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<SourceFile>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: the name is not UTF-8", entry.path().display()),
            ));
        };
        if is_skipped(name) {
            continue;
        }
        let relative = format!("{prefix}{name}");
        let path = entry.path();
        if path.is_dir() {
            walk(&path, &format!("{relative}/"), out)?;
        } else {
            out.push(SourceFile { relative, path });
        }
    }
    Ok(())
}
