//! Errors of reading a template.

/// A template that could not be read: the path of the offending key and what is wrong with it.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("not valid YAML: {0}")]
    Yaml(#[from] serde_norway::Error),
}

impl ParseError {
    pub(crate) fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        ParseError::Invalid {
            path: path.into(),
            message: message.into(),
        }
    }
}
