//! The object being moderated, and what S3 says about it.

use std::fmt;

use aws_sdk_s3::Client;

use crate::error::{sdk_message, ModerationError};

/// An object (of one version, when the bucket is versioned).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectRef {
    pub bucket: String,
    pub key: String,
    pub version_id: Option<String>,
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)?;
        match &self.version_id {
            Some(version) => write!(f, " (version {version})"),
            None => Ok(()),
        }
    }
}

/// What moderation needs to know before it calls Rekognition.
#[derive(Clone, Debug)]
pub struct Head {
    pub content_type: Option<String>,
    pub size: u64,
    /// Identifies the content (with the key and version), for idempotent video jobs.
    pub etag: String,
}

pub(crate) fn s3_error(
    operation: &'static str,
    object: &ObjectRef,
    error: impl std::error::Error,
) -> ModerationError {
    ModerationError::S3 {
        operation,
        object: object.to_string(),
        message: sdk_message(error),
    }
}

pub async fn head(s3: &Client, object: &ObjectRef) -> Result<Head, ModerationError> {
    let head = s3
        .head_object()
        .bucket(&object.bucket)
        .key(&object.key)
        .set_version_id(object.version_id.clone())
        .send()
        .await
        .map_err(|e| s3_error("HeadObject", object, e))?;
    Ok(Head {
        content_type: head.content_type,
        size: head.content_length.unwrap_or(0).max(0) as u64,
        etag: head.e_tag.unwrap_or_default(),
    })
}
