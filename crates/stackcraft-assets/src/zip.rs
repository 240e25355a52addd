//! Deterministic zips: entries in the order given, fixed timestamps (1980-01-01, the zip
//! epoch) and modes, so the same content always gives the same bytes and the same hash.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// One file of a zip: name, content, executable or not.
pub struct Entry<'a> {
    pub name: &'a str,
    pub content: &'a [u8],
    pub executable: bool,
}

/// The bytes of a zip holding `entries`.
pub fn deterministic_zip(entries: &[Entry<'_>]) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for entry in entries {
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(6))
            .last_modified_time(DateTime::default())
            .unix_permissions(if entry.executable { 0o755 } else { 0o644 });
        zip.start_file(entry.name, options)?;
        zip.write_all(entry.content)?;
    }
    Ok(zip.finish()?.into_inner())
}
