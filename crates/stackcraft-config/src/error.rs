//! Configuration errors: file, line and key.

use std::fmt;
use std::path::Path;

/// A configuration error, as `file:line: key: message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": key `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

pub(crate) fn at(
    file: &Path,
    source: &str,
    span: Option<std::ops::Range<usize>>,
    key: Option<String>,
    message: String,
) -> ConfigError {
    ConfigError {
        file: file.display().to_string(),
        line: span.map(|s| line_of(source, s.start)),
        key,
        message,
    }
}

/// 1-based line of a byte offset.
fn line_of(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())].matches('\n').count() + 1
}
