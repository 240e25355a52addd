//! Errors of building and synthesizing an app.

use std::fmt;

/// An invalid construct, named by its construct path (`stack/Construct/Child`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstructError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for ConstructError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Why synthesis or writing the assembly failed.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error("{} invalid construct(s):\n{}", .0.len(), list(.0))]
    Invalid(Vec<ConstructError>),
    #[error("unknown stack {name:?} (stacks: {known})")]
    UnknownStack { name: String, known: String },
    #[error("stacks depend on each other in a cycle: {0}")]
    Cycle(String),
    #[error("writing {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

fn list(errors: &[ConstructError]) -> String {
    errors
        .iter()
        .map(|e| format!("  - {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}
