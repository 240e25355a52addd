//! The Rekognition calls: image moderation, starting a video job, reading its results.
//!
//! Throttling (`ThrottlingException`, `ProvisionedThroughputExceededException`,
//! `LimitExceededException`) is retried by the SDK's standard retry with exponential backoff
//! ([`retry_config`]); when the attempts run out the error fails the invocation.

use std::time::Duration;

use aws_sdk_rekognition::config::retry::RetryConfig;
use aws_sdk_rekognition::operation::detect_moderation_labels::DetectModerationLabelsError;
use aws_sdk_rekognition::operation::start_content_moderation::StartContentModerationError;
use aws_sdk_rekognition::types::{
    ContentModerationDetection, Image, ModerationLabel, NotificationChannel, S3Object, Video,
    VideoJobStatus,
};
use aws_sdk_rekognition::Client;
use sha2::{Digest, Sha256};

use crate::error::{sdk_message, ModerationError};
use crate::object::ObjectRef;
use crate::settings::VideoChannel;
use crate::verdict::{Label, Verdict};

/// Attempts per Rekognition call (the first and four retries), within a Lambda timeout of a
/// minute or more: backoff starts at a second and doubles, with jitter.
pub const MAX_ATTEMPTS: u32 = 5;

/// The retry policy the function's Rekognition client uses.
pub fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(MAX_ATTEMPTS)
        .with_initial_backoff(Duration::from_secs(1))
}

/// What Rekognition answered for an image or a video.
#[derive(Debug)]
pub enum Answer<T> {
    Checked(T),
    /// Rekognition refused the object in a way a retry will not change.
    Refused(Verdict),
}

fn rekognition_error(
    operation: &'static str,
    object: &ObjectRef,
    error: impl std::error::Error,
) -> ModerationError {
    ModerationError::Rekognition {
        operation,
        object: object.to_string(),
        message: sdk_message(error),
    }
}

fn s3_object(object: &ObjectRef) -> S3Object {
    S3Object::builder()
        .bucket(&object.bucket)
        .name(&object.key)
        .set_version(object.version_id.clone())
        .build()
}

fn label(label: &ModerationLabel) -> Label {
    Label {
        name: label.name().unwrap_or_default().to_owned(),
        parent: label.parent_name().unwrap_or_default().to_owned(),
        confidence: label.confidence().unwrap_or_default(),
    }
}

/// `DetectModerationLabels` on the object in place (Rekognition reads it from S3).
pub async fn detect_image(
    client: &Client,
    object: &ObjectRef,
    min_confidence: f32,
) -> Result<Answer<Vec<Label>>, ModerationError> {
    let result = client
        .detect_moderation_labels()
        .image(Image::builder().s3_object(s3_object(object)).build())
        .min_confidence(min_confidence)
        .send()
        .await;
    match result {
        Ok(out) => Ok(Answer::Checked(
            out.moderation_labels().iter().map(label).collect(),
        )),
        Err(e) => match e.as_service_error() {
            Some(DetectModerationLabelsError::ImageTooLargeException(_)) => {
                Ok(Answer::Refused(Verdict::too_large()))
            }
            Some(DetectModerationLabelsError::InvalidImageFormatException(_)) => {
                Ok(Answer::Refused(Verdict::unsupported_format()))
            }
            _ => Err(rekognition_error("DetectModerationLabels", object, e)),
        },
    }
}

/// The prefix of every job tag this function sets, to recognise its own jobs' completions.
pub const JOB_TAG_PREFIX: &str = "moderation-";

/// Names the object a job moderates: Rekognition allows 256 characters of `[a-zA-Z0-9_.:+=/-]`
/// in a job tag, keys have up to 1024 bytes of anything, so the tag is a digest of bucket and key.
pub fn job_tag(bucket: &str, key: &str) -> String {
    format!("{JOB_TAG_PREFIX}{}", &hex_digest(&[bucket, key])[..40])
}

/// The same object and content asks for the same job (a Lambda retry starts no second job).
fn request_token(object: &ObjectRef, etag: &str) -> String {
    let version = object.version_id.as_deref().unwrap_or_default();
    hex_digest(&[&object.bucket, &object.key, version, etag])
}

/// SHA-256 of the parts, each followed by a NUL (no part contains one), as 64 hex digits.
fn hex_digest(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `StartContentModeration`; the result comes later, through `channel`. Returns the job id.
pub async fn start_video(
    client: &Client,
    object: &ObjectRef,
    etag: &str,
    min_confidence: f32,
    channel: &VideoChannel,
) -> Result<Answer<String>, ModerationError> {
    let channel = NotificationChannel::builder()
        .sns_topic_arn(&channel.topic_arn)
        .role_arn(&channel.role_arn)
        .build()
        .map_err(|e| rekognition_error("StartContentModeration", object, e))?;
    let result = client
        .start_content_moderation()
        .video(Video::builder().s3_object(s3_object(object)).build())
        .min_confidence(min_confidence)
        .notification_channel(channel)
        .job_tag(job_tag(&object.bucket, &object.key))
        .client_request_token(request_token(object, etag))
        .send()
        .await;
    match result {
        Ok(out) => Ok(Answer::Checked(out.job_id().unwrap_or_default().to_owned())),
        Err(e) => match e.as_service_error() {
            Some(StartContentModerationError::VideoTooLargeException(_)) => {
                Ok(Answer::Refused(Verdict::too_large()))
            }
            _ => Err(rekognition_error("StartContentModeration", object, e)),
        },
    }
}

/// A finished job's results: every page of `GetContentModeration`.
#[derive(Debug)]
pub struct VideoResults {
    pub status: VideoJobStatus,
    pub status_message: Option<String>,
    /// Each label once (a video reports it at every timestamp), at its highest confidence.
    pub labels: Vec<Label>,
    /// The version the job read, when the bucket is versioned.
    pub version_id: Option<String>,
}

pub async fn video_results(
    client: &Client,
    job_id: &str,
    object: &ObjectRef,
) -> Result<VideoResults, ModerationError> {
    let mut pages = client
        .get_content_moderation()
        .job_id(job_id)
        .max_results(1000)
        .into_paginator()
        .send();
    let mut results = VideoResults {
        status: VideoJobStatus::InProgress,
        status_message: None,
        labels: Vec::new(),
        version_id: None,
    };
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| rekognition_error("GetContentModeration", object, e))?;
        if let Some(status) = page.job_status() {
            results.status = status.clone();
        }
        if page.status_message().is_some() {
            results.status_message = page.status_message().map(str::to_owned);
        }
        if let Some(version) = page
            .video()
            .and_then(Video::s3_object)
            .and_then(S3Object::version)
        {
            results.version_id = Some(version.to_owned());
        }
        add_distinct(&mut results.labels, page.moderation_labels());
    }
    Ok(results)
}

fn add_distinct(labels: &mut Vec<Label>, detections: &[ContentModerationDetection]) {
    for found in detections
        .iter()
        .filter_map(|d| d.moderation_label())
        .map(label)
    {
        match labels
            .iter_mut()
            .find(|l| l.name == found.name && l.parent == found.parent)
        {
            Some(known) => known.confidence = known.confidence.max(found.confidence),
            None => labels.push(found),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_tags_fit_rekognitions_pattern_and_tokens_follow_the_content() {
        let long_key = "ä/".repeat(600);
        let tag = job_tag("media", &long_key);
        assert!(tag.len() <= 256);
        assert!(tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.:+=/-".contains(c)));
        assert_ne!(job_tag("media", "a"), job_tag("media", "b"));
        assert_ne!(job_tag("ab", "c"), job_tag("a", "bc"));

        let object = ObjectRef {
            bucket: "media".into(),
            key: "v/clip.mp4".into(),
            version_id: None,
        };
        let token = request_token(&object, "\"etag-1\"");
        assert_eq!(token.len(), 64, "ClientRequestToken allows 1-64 characters");
        assert_eq!(token, request_token(&object, "\"etag-1\""));
        assert_ne!(token, request_token(&object, "\"etag-2\""));
    }
}
