//! Where a key is written in the file, for errors found after deserialization.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

/// The span of the key `path` (`["stacks", "api", "settings", "memory"]`), if the file
/// writes it. Parsing again is cheap and keeps the loaded config free of borrowed spans.
pub(crate) fn span_of(source: &str, path: &[&str]) -> Option<Range<usize>> {
    let root = DeTable::parse(source).ok()?;
    let mut table: &DeTable = root.get_ref();
    let mut span = None;
    for (i, name) in path.iter().enumerate() {
        let (key, value) = table.iter().find(|(k, _)| k.get_ref() == name)?;
        span = Some(key.span());
        if i + 1 < path.len() {
            match value.get_ref() {
                DeValue::Table(t) => table = t,
                _ => return None,
            }
        }
    }
    span
}
