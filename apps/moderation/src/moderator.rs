//! One invocation: decode the event, moderate each object or finish each video job, tag.

use crate::contract::notes;
use crate::error::ModerationError;
use crate::events::{decode, JobCompletion, Work};
use crate::media::{plan, Plan};
use crate::object::{head, ObjectRef};
use crate::rekognition::{self, Answer, JOB_TAG_PREFIX};
use crate::settings::Settings;
use crate::tagging::write_verdict;
use crate::verdict::{judge, Verdict};
use aws_sdk_rekognition::types::VideoJobStatus;

/// What one work item came to.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Outcome {
    /// The verdict was written as tags.
    Tagged { object: ObjectRef, verdict: Verdict },
    /// A video job runs; its completion will tag the object.
    VideoStarted { object: ObjectRef, job_id: String },
    /// Neither image nor video: left untagged.
    NotMedia {
        object: ObjectRef,
        content_type: Option<String>,
    },
    /// Nothing to do (a test event, a removal, another application's video job).
    Skipped { reason: String },
}

#[derive(Clone)]
pub struct Moderator {
    s3: aws_sdk_s3::Client,
    rekognition: aws_sdk_rekognition::Client,
    settings: Settings,
}

impl Moderator {
    pub fn new(
        s3: aws_sdk_s3::Client,
        rekognition: aws_sdk_rekognition::Client,
        settings: Settings,
    ) -> Self {
        Moderator {
            s3,
            rekognition,
            settings,
        }
    }

    /// Handles one Lambda event. The first failure fails the invocation (so Lambda retries
    /// it); what was tagged before it is tagged again, identically, by the retry.
    pub async fn handle(
        &self,
        payload: &serde_json::Value,
    ) -> Result<Vec<Outcome>, ModerationError> {
        let mut outcomes = Vec::new();
        for work in decode(payload)? {
            let outcome = match work {
                Work::Created(object) => self.moderate(object).await,
                Work::JobDone(job) => self.finish(job).await,
                Work::Skip(reason) => Ok(Outcome::Skipped { reason }),
            };
            match outcome {
                Ok(outcome) => {
                    crate::logging::outcome(&outcome);
                    outcomes.push(outcome);
                }
                Err(error) => {
                    tracing::error!(error = %error, "moderation failed; nothing tagged");
                    return Err(error);
                }
            }
        }
        Ok(outcomes)
    }

    /// A new object: check it (or start checking it) according to what it is.
    pub async fn moderate(&self, object: ObjectRef) -> Result<Outcome, ModerationError> {
        let head = head(&self.s3, &object).await?;
        let min_confidence = self.settings.min_confidence;
        let verdict = match plan(head.content_type.as_deref(), &object.key, head.size) {
            Plan::NotMedia => {
                return Ok(Outcome::NotMedia {
                    object,
                    content_type: head.content_type,
                })
            }
            Plan::TooLarge(_) => Verdict::too_large(),
            Plan::Unsupported(_) => Verdict::unsupported_format(),
            Plan::CheckImage => {
                match rekognition::detect_image(&self.rekognition, &object, min_confidence).await? {
                    Answer::Checked(labels) => judge(&labels, &self.settings.inappropriate_labels),
                    Answer::Refused(verdict) => verdict,
                }
            }
            Plan::CheckVideo => match &self.settings.video {
                None => Verdict::Unchecked {
                    note: notes::VIDEO_NOT_CONFIGURED,
                },
                Some(channel) => {
                    let started = rekognition::start_video(
                        &self.rekognition,
                        &object,
                        &head.etag,
                        min_confidence,
                        channel,
                    )
                    .await?;
                    match started {
                        Answer::Checked(job_id) => {
                            return Ok(Outcome::VideoStarted { object, job_id })
                        }
                        Answer::Refused(verdict) => verdict,
                    }
                }
            },
        };
        self.tag(object, verdict).await
    }

    /// A video job finished: read all its results and tag the video.
    pub async fn finish(&self, job: JobCompletion) -> Result<Outcome, ModerationError> {
        let ours = matches!(
            job.api.as_str(),
            "StartContentModeration" | "CONTENT_MODERATION"
        ) && job
            .job_tag
            .as_deref()
            .is_some_and(|t| t.starts_with(JOB_TAG_PREFIX));
        if !ours {
            return Ok(Outcome::Skipped {
                reason: format!(
                    "job {} ({} tagged {:?}) was not started by this function",
                    job.job_id, job.api, job.job_tag
                ),
            });
        }
        let mut object = ObjectRef {
            bucket: job.video.bucket,
            key: job.video.key,
            version_id: None,
        };
        if job.job_tag.as_deref() != Some(&rekognition::job_tag(&object.bucket, &object.key)) {
            return Ok(Outcome::Skipped {
                reason: format!(
                    "job {} is tagged for another object than {object}",
                    job.job_id
                ),
            });
        }
        // The results, not the message, decide: they also say why a job failed.
        let results = rekognition::video_results(&self.rekognition, &job.job_id, &object).await?;
        object.version_id = results.version_id;
        let verdict = match results.status {
            VideoJobStatus::Succeeded => {
                judge(&results.labels, &self.settings.inappropriate_labels)
            }
            VideoJobStatus::Failed => {
                tracing::warn!(
                    job_id = %job.job_id,
                    status_message = results.status_message.as_deref().unwrap_or_default(),
                    "video job failed"
                );
                Verdict::Unchecked {
                    note: notes::JOB_FAILED,
                }
            }
            other => {
                return Err(ModerationError::JobNotFinished {
                    job_id: job.job_id,
                    object: object.to_string(),
                    reported: job.status,
                    status: other.as_str().to_owned(),
                })
            }
        };
        self.tag(object, verdict).await
    }

    async fn tag(&self, object: ObjectRef, verdict: Verdict) -> Result<Outcome, ModerationError> {
        write_verdict(&self.s3, &object, &verdict).await?;
        Ok(Outcome::Tagged { object, verdict })
    }
}
