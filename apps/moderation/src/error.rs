//! Why an invocation failed. Every failure fails the whole invocation, so Lambda retries it;
//! nothing is tagged for the object whose moderation failed.

use crate::events::EventError;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModerationError {
    #[error(transparent)]
    Event(#[from] EventError),
    #[error("S3 {operation} {object}: {message}")]
    S3 {
        operation: &'static str,
        object: String,
        message: String,
    },
    #[error("Rekognition {operation} for {object}: {message}")]
    Rekognition {
        operation: &'static str,
        object: String,
        message: String,
    },
    #[error("{object} already has {existing} other tags: S3 allows 10, so {tag} does not fit")]
    TagSetFull {
        object: String,
        existing: usize,
        tag: &'static str,
    },
    #[error("video job {job_id} for {object} reported {reported} but its results say {status}")]
    JobNotFinished {
        job_id: String,
        object: String,
        reported: String,
        status: String,
    },
}

/// An SDK error with its whole chain of causes (the error code and message of the service).
pub(crate) fn sdk_message(error: impl std::error::Error) -> String {
    aws_sdk_s3::error::DisplayErrorContext(error).to_string()
}
