//! The image's one layer: a tar with entries in sorted order, every timestamp 0, owner root
//! (uid/gid 0), fixed modes, no build paths; gzipped with a header that names no file and no
//! time. Same files, same bytes, same digest.

use std::io::Write;

use flate2::{Compression, GzBuilder};

/// One file or directory of the layer (path without a leading `/`).
#[derive(Clone, Debug)]
pub struct LayerEntry {
    pub path: String,
    pub mode: u32,
    /// `None` for a directory.
    pub content: Option<Vec<u8>>,
}

impl LayerEntry {
    pub fn dir(path: &str, mode: u32) -> Self {
        LayerEntry {
            path: path.to_owned(),
            mode,
            content: None,
        }
    }

    pub fn file(path: &str, mode: u32, content: Vec<u8>) -> Self {
        LayerEntry {
            path: path.to_owned(),
            mode,
            content: Some(content),
        }
    }
}

/// The uncompressed tar of `entries`, sorted by path.
pub fn tar(mut entries: Vec<LayerEntry>) -> std::io::Result<Vec<u8>> {
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    let mut builder = tar::Builder::new(Vec::new());
    for entry in &entries {
        let mut header = tar::Header::new_ustar();
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mode(entry.mode);
        match &entry.content {
            Some(content) => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_size(content.len() as u64);
                builder.append_data(&mut header, &entry.path, content.as_slice())?;
            }
            None => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_size(0);
                builder.append_data(&mut header, format!("{}/", entry.path), std::io::empty())?;
            }
        }
    }
    builder.into_inner()
}

/// `tar` gzipped deterministically (no name, mtime 0, best compression).
pub fn gzip(tar: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut gz = GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), Compression::best());
    gz.write_all(tar)?;
    gz.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_sorted_owned_by_root_and_timeless() {
        let entries = vec![
            LayerEntry::file("b", 0o755, b"bin".to_vec()),
            LayerEntry::dir("a", 0o755),
            LayerEntry::file("a/c", 0o644, b"c".to_vec()),
        ];
        let bytes = tar(entries.clone()).unwrap();
        let mut archive = ::tar::Archive::new(bytes.as_slice());
        let seen: Vec<(String, u64, u64, u64)> = archive
            .entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let h = e.header();
                (
                    e.path().unwrap().to_string_lossy().into_owned(),
                    h.mtime().unwrap(),
                    h.uid().unwrap(),
                    h.gid().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                ("a/".into(), 0, 0, 0),
                ("a/c".into(), 0, 0, 0),
                ("b".into(), 0, 0, 0)
            ]
        );
        let mut reversed = entries;
        reversed.reverse();
        assert_eq!(
            tar(reversed).unwrap(),
            bytes,
            "order of the input does not matter"
        );
        assert_eq!(gzip(&bytes).unwrap(), gzip(&bytes).unwrap());
        assert_eq!(
            &gzip(&bytes).unwrap()[4..8],
            &[0, 0, 0, 0],
            "gzip mtime is 0"
        );
    }
}
