//! What a build's output depends on, hashed: the package's files and the workspace's
//! manifest and lock file. Same fingerprint, same build: synth reuses the packaged zip.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use stackcraft_core::files::source_files;

use crate::error::{io, AssetError};

/// Hash of the files under `package_dir` (the walk of [`stackcraft_core::files`], which skips
/// hidden entries and `target/`, exactly what a site publishes) and of `extra` files, with
/// their paths relative to `root`, in sorted order.
pub fn of_sources(
    root: &Path,
    package_dir: &Path,
    extra: &[&str],
    salt: &str,
) -> Result<String, AssetError> {
    let below = package_dir.strip_prefix(root).unwrap_or(package_dir);
    let below = below.to_string_lossy();
    let mut files: Vec<(String, PathBuf)> = source_files(package_dir)
        .map_err(io(package_dir))?
        .into_iter()
        .map(|f| match below.as_ref() {
            "" => (f.relative, f.path),
            dir => (format!("{dir}/{}", f.relative), f.path),
        })
        .collect();
    files.extend(extra.iter().map(|e| ((*e).to_owned(), root.join(e))));
    let mut hasher = Sha256::new();
    hasher.update(salt.as_bytes());
    for (rel, path) in &files {
        hasher.update(rel.as_bytes());
        hasher.update([0]);
        let content = std::fs::read(path).map_err(io(path))?;
        hasher.update((content.len() as u64).to_le_bytes());
        hasher.update(&content);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}
