//! Directories uploaded as they are (a static web site).

use std::path::Path;

use stackcraft_core::{Asset, Packaging};

use crate::error::AssetError;
use crate::fingerprint;

/// A directory asset, addressed by a hash of its files' paths and contents.
pub fn directory(dir: &Path) -> Result<Asset, AssetError> {
    let hash = fingerprint::of_directory(dir, "directory")?;
    Ok(Asset {
        object_key: format!("sites/{hash}/"),
        hash,
        packaging: Packaging::Directory,
        source: dir.to_owned(),
    })
}
