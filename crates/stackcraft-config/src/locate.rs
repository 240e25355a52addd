//! Where a key is written in the file, for errors found after deserialization.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

/// The span of the key `path` (`["stacks", "api", "settings", "memory"]`), if the file
/// writes it. A number steps into an array of tables (`["stacks", "api", "suppress", "0",
/// "reason"]`). Parsing again is cheap and keeps the loaded config free of borrowed spans.
pub(crate) fn span_of(source: &str, path: &[&str]) -> Option<Range<usize>> {
    let root = DeTable::parse(source).ok()?;
    let mut table: &DeTable = root.get_ref();
    let mut span = None;
    let mut names = path.iter().peekable();
    while let Some(name) = names.next() {
        let (key, mut value) = table.iter().find(|(k, _)| k.get_ref() == name)?;
        span = Some(key.span());
        if let (DeValue::Array(items), Some(index)) = (value.get_ref(), names.peek()) {
            let item = items.get(index.parse::<usize>().ok()?)?;
            span = Some(item.span());
            value = item;
            names.next();
        }
        if names.peek().is_some() {
            match value.get_ref() {
                DeValue::Table(t) => table = t,
                _ => return None,
            }
        }
    }
    span
}
