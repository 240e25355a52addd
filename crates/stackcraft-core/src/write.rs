//! Writing an assembly's files atomically: everything goes to a sibling staging directory that
//! then replaces the output directory, so a failure at any point leaves the previous output as
//! it was and no staging directory behind.

use std::fs;
use std::io;
use std::path::Path;

use crate::assembly::AssemblyFile;
use crate::error::SynthError;
use crate::files::source_files;

/// The file operations that put an assembly on disk. [`StdFs`] performs them; a test can
/// wrap it to make one of them fail (mid-way through the files, or at the final rename) and
/// see that nothing is left half-written.
pub trait OutputFs {
    /// Writes one rendered file.
    fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        fs::write(path, bytes)
    }

    /// Copies one file of an asset.
    fn copy(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::copy(from, to).map(|_| ())
    }

    /// Renames a directory (the staging directory into place, the old output aside and back).
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }
}

/// The file system as it is.
pub struct StdFs;

impl OutputFs for StdFs {}

/// Writes `files` into `dir` through a sibling staging directory.
pub(crate) fn write_atomically(
    dir: &Path,
    files: &[AssemblyFile],
    fs_ops: &dyn OutputFs,
) -> Result<(), SynthError> {
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let leaf = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "stackcraft.out".into());
    fs::create_dir_all(parent).map_err(io_at(parent))?;
    let staging = parent.join(format!(".{leaf}.tmp-{}", std::process::id()));
    let result =
        write_files(&staging, files, fs_ops).and_then(|()| swap_into_place(&staging, dir, fs_ops));
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result
}

fn io_at(path: &Path) -> impl Fn(io::Error) -> SynthError + '_ {
    move |source| SynthError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn write_files(
    staging: &Path,
    files: &[AssemblyFile],
    fs_ops: &dyn OutputFs,
) -> Result<(), SynthError> {
    if staging.exists() {
        fs::remove_dir_all(staging).map_err(io_at(staging))?;
    }
    for file in files {
        let (rel, result) = match file {
            AssemblyFile::Bytes(rel, bytes) => {
                let path = staging.join(rel);
                create_parent(&path)?;
                (rel, fs_ops.write(&path, bytes))
            }
            AssemblyFile::Copy(rel, source) => {
                let path = staging.join(rel);
                create_parent(&path)?;
                (rel, copy_tree(source, &path, fs_ops))
            }
        };
        result.map_err(io_at(&staging.join(rel)))?;
    }
    Ok(())
}

fn create_parent(path: &Path) -> Result<(), SynthError> {
    let parent = path
        .parent()
        .expect("files are inside the staging directory");
    fs::create_dir_all(parent).map_err(io_at(parent))
}

/// Copies a file, or the [source files](crate::files) of a directory (what its hash covers and
/// deploy publishes: no hidden files, no `target/`).
fn copy_tree(source: &Path, dest: &Path, fs_ops: &dyn OutputFs) -> io::Result<()> {
    if source.is_dir() {
        fs::create_dir_all(dest)?;
        for file in source_files(source)? {
            let to = dest.join(&file.relative);
            fs::create_dir_all(to.parent().expect("below dest"))?;
            fs_ops.copy(&file.path, &to)?;
        }
        Ok(())
    } else {
        fs_ops.copy(source, dest)
    }
}

/// Replaces `dir` by `staging`: two renames, with the old output removed only once the new one
/// is in place (and renamed back if the new one cannot be).
fn swap_into_place(staging: &Path, dir: &Path, fs_ops: &dyn OutputFs) -> Result<(), SynthError> {
    if dir.exists() {
        let old = staging.with_extension("old");
        if old.exists() {
            fs::remove_dir_all(&old).map_err(io_at(&old))?;
        }
        fs_ops.rename(dir, &old).map_err(io_at(dir))?;
        if let Err(e) = fs_ops.rename(staging, dir) {
            // Back with the std rename: the injected failure is the one being recovered from.
            let _ = fs::rename(&old, dir);
            return Err(io_at(dir)(e));
        }
        fs::remove_dir_all(&old).map_err(io_at(&old))?;
    } else {
        fs_ops.rename(staging, dir).map_err(io_at(dir))?;
    }
    Ok(())
}
