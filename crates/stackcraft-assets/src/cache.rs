//! The asset cache under `target/stackcraft-assets/`: files written under a temporary name and
//! renamed, so a crash never leaves a torn entry that a later synth would trust.

use std::path::Path;

use crate::error::{io, AssetError};

/// Writes `content` to `path` atomically (creating its directory).
pub fn write_atomic(path: &Path, content: &[u8]) -> Result<(), AssetError> {
    let dir = path.parent().expect("cache files have a directory");
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = std::path::PathBuf::from(tmp);
    std::fs::write(&tmp, content).map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}
