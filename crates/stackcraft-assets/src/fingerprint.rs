//! What a build's output depends on, hashed: the package's files and the workspace's
//! manifest and lock file. Same fingerprint, same build: synth reuses the packaged zip.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{io, AssetError};

/// Hash of the files under `package_dir` (skipping `target/`) and of `extra` files, with their
/// relative paths, in sorted order.
pub fn of_sources(
    root: &Path,
    package_dir: &Path,
    extra: &[&str],
    salt: &str,
) -> Result<String, AssetError> {
    let mut files = Vec::new();
    collect(package_dir, &mut files)?;
    files.sort();
    files.extend(extra.iter().map(|e| root.join(e)));
    let mut hasher = Sha256::new();
    hasher.update(salt.as_bytes());
    for path in &files {
        let rel = path.strip_prefix(root).unwrap_or(path);
        hasher.update(rel.to_string_lossy().as_bytes());
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

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> Result<(), AssetError> {
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        let name = path.file_name().unwrap_or_default();
        if name == "target" || name == "node_modules" || name.to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}
