//! What a build's output depends on, hashed: the package's files, the files of the local
//! packages it depends on, and the workspace's manifest and lock file. Same fingerprint, same
//! build: synth reuses the packaged zip or image.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use stackcraft_core::files::source_files;

use crate::error::{io, AssetError};

/// Hash of the files of a cargo package under `root`: those under `package_dir` and under the
/// directories of its local (path) dependencies, and `extra` files of the root, with their
/// paths relative to `root`, in sorted order.
pub fn of_package(
    root: &Path,
    package_dir: &Path,
    extra: &[&str],
    salt: &str,
) -> Result<String, AssetError> {
    let dirs: Vec<PathBuf> = std::iter::once(package_dir.to_owned())
        .chain(local_dependencies(root, package_dir)?)
        .collect();
    of_sources(root, &dirs, extra, salt)
}

/// Hash of the files under `dir` (a directory a site publishes), with their relative paths.
pub fn of_directory(dir: &Path, salt: &str) -> Result<String, AssetError> {
    of_sources(dir, &[dir.to_owned()], &[], salt)
}

/// Hash of the files under `dirs` (the walk of [`stackcraft_core::files`], which skips hidden
/// entries and `target/`, exactly what a site publishes) and of `extra` files, with their
/// paths relative to `root`, in sorted order.
fn of_sources(
    root: &Path,
    dirs: &[PathBuf],
    extra: &[&str],
    salt: &str,
) -> Result<String, AssetError> {
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for dir in dirs {
        let below = dir
            .strip_prefix(root)
            .unwrap_or(dir)
            .to_string_lossy()
            .into_owned();
        files.extend(source_files(dir).map_err(io(dir))?.into_iter().map(
            |f| match below.as_str() {
                "" => (f.relative, f.path),
                below => (format!("{below}/{}", f.relative), f.path),
            },
        ));
    }
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

/// The directories of the local packages `package_dir` depends on, directly or through one
/// another: `path` dependencies, also those inherited from `[workspace.dependencies]`, in
/// `[dependencies]`, `[build-dependencies]` and their `[target.*]` forms. (Dev-dependencies
/// are not in the binary.) Their changes must rebuild the workload: the counter's contract
/// crate names the variables the image reads.
fn local_dependencies(root: &Path, package_dir: &Path) -> Result<Vec<PathBuf>, AssetError> {
    let workspace = manifest(&root.join("Cargo.toml"))?;
    let inherited = workspace
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(toml::Value::as_table);
    let itself = package_dir.canonicalize().map_err(io(package_dir))?;
    let mut found = BTreeSet::new();
    let mut pending = vec![itself.clone()];
    while let Some(dir) = pending.pop() {
        let package = manifest(&dir.join("Cargo.toml"))?;
        let targets = package.get("target").and_then(toml::Value::as_table);
        let tables = std::iter::once(&package).chain(
            targets
                .into_iter()
                .flat_map(|t| t.values().filter_map(toml::Value::as_table)),
        );
        for table in tables {
            for section in ["dependencies", "build-dependencies"] {
                let Some(deps) = table.get(section).and_then(toml::Value::as_table) else {
                    continue;
                };
                for (name, dep) in deps {
                    let Some(path) = dependency_path(root, &dir, inherited, name, dep) else {
                        continue;
                    };
                    let path = path.canonicalize().map_err(io(&path))?;
                    if path != itself && found.insert(path.clone()) {
                        pending.push(path);
                    }
                }
            }
        }
    }
    let canonical_root = root.canonicalize().map_err(io(root))?;
    // Below the root as given, so their files are named relative to it like the package's
    // own (a dependency outside the project keeps its absolute path in the hash: it is not
    // part of the checkout).
    Ok(found
        .into_iter()
        .map(|dir| match dir.strip_prefix(&canonical_root) {
            Ok(below) => root.join(below),
            Err(_) => dir,
        })
        .collect())
}

/// Where a dependency's package lies, if it is a local one: its own `path` (relative to the
/// manifest naming it) or, for `workspace = true`, the path `[workspace.dependencies]` gives
/// (relative to the root).
fn dependency_path(
    root: &Path,
    dir: &Path,
    inherited: Option<&toml::Table>,
    name: &str,
    dep: &toml::Value,
) -> Option<PathBuf> {
    if let Some(path) = dep.get("path").and_then(toml::Value::as_str) {
        return Some(dir.join(path));
    }
    if dep.get("workspace").and_then(toml::Value::as_bool) != Some(true) {
        return None;
    }
    let path = inherited?.get(name)?.get("path")?.as_str()?;
    Some(root.join(path))
}

fn manifest(path: &Path) -> Result<toml::Table, AssetError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    text.parse::<toml::Table>()
        .map_err(|e| AssetError::Manifest {
            path: path.to_owned(),
            reason: e.message().to_owned(),
        })
}
