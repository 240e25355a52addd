//! What invokes the function, decoded into work items. One binary handles:
//!
//! - an S3 event notification delivered to Lambda directly (`Records[].s3`, the bucket's
//!   notification configuration targets the function);
//! - an SNS delivery (`Records[].Sns.Message`) whose message is either an S3 event notification
//!   (the bucket notifies a topic the function subscribes to) or Rekognition Video's
//!   job-completion message (`{"JobId", "Status", "API", "JobTag", "Video": {...}}`).
//!
//! Only the fields the function reads are modelled; everything else is ignored.

use serde::Deserialize;

use crate::object::ObjectRef;

/// One thing to do.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Work {
    /// An object was created: moderate it (its key decoded: S3 writes keys form-encoded).
    Created(ObjectRef),
    /// A Rekognition Video job finished: read its results and tag its video.
    JobDone(JobCompletion),
    /// A record that asks for nothing (an `s3:TestEvent`, a removal), described for the log.
    Skip(String),
}

/// Rekognition Video's completion message.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct JobCompletion {
    #[serde(rename = "JobId")]
    pub job_id: String,
    /// `SUCCEEDED`, `FAILED` or `ERROR`.
    #[serde(rename = "Status")]
    pub status: String,
    /// The operation that started the job (`StartContentModeration`; the docs also show the
    /// `CONTENT_MODERATION` style).
    #[serde(rename = "API", default)]
    pub api: String,
    #[serde(rename = "JobTag", default)]
    pub job_tag: Option<String>,
    #[serde(rename = "Video")]
    pub video: CompletedVideo,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct CompletedVideo {
    #[serde(rename = "S3Bucket")]
    pub bucket: String,
    #[serde(rename = "S3ObjectName")]
    pub key: String,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    #[error("the event is not JSON this function reads: {0}")]
    Json(#[from] serde_json::Error),
    #[error("record {index}: neither an S3 record nor an SNS delivery")]
    UnknownRecord { index: usize },
    #[error(
        "record {index}: the SNS message is neither an S3 event notification nor a Rekognition Video completion"
    )]
    UnknownMessage { index: usize },
}

/// A Lambda event: `Records` of S3 or SNS, or (sent when a notification is configured) a bare
/// `s3:TestEvent`.
#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "Records", default)]
    records: Vec<Record>,
    #[serde(rename = "Event")]
    event: Option<String>,
}

#[derive(Deserialize)]
struct Record {
    #[serde(rename = "eventName")]
    event_name: Option<String>,
    s3: Option<S3Entity>,
    #[serde(rename = "Sns")]
    sns: Option<SnsEntity>,
}

#[derive(Deserialize)]
struct S3Entity {
    bucket: Named,
    object: S3Object,
}

#[derive(Deserialize)]
struct Named {
    name: String,
}

#[derive(Deserialize)]
struct S3Object {
    key: String,
    #[serde(rename = "versionId")]
    version_id: Option<String>,
}

#[derive(Deserialize)]
struct SnsEntity {
    #[serde(rename = "Message")]
    message: String,
}

/// Decodes one invocation's payload.
pub fn decode(payload: &serde_json::Value) -> Result<Vec<Work>, EventError> {
    let envelope = Envelope::deserialize(payload)?;
    let mut work = Vec::new();
    if let Some(event) = envelope.event {
        work.push(Work::Skip(format!("S3 {event}")));
    }
    for (index, record) in envelope.records.into_iter().enumerate() {
        match record {
            Record {
                s3: Some(s3),
                event_name,
                ..
            } => work.push(s3_work(event_name.unwrap_or_default(), s3)),
            Record { sns: Some(sns), .. } => work.extend(sns_work(index, &sns.message)?),
            _ => return Err(EventError::UnknownRecord { index }),
        }
    }
    Ok(work)
}

fn s3_work(event_name: String, s3: S3Entity) -> Work {
    if !event_name.starts_with("ObjectCreated:") {
        return Work::Skip(format!("S3 {event_name} of {}", s3.object.key));
    }
    Work::Created(ObjectRef {
        bucket: s3.bucket.name,
        key: form_decode(&s3.object.key),
        version_id: s3.object.version_id.filter(|v| !v.is_empty()),
    })
}

fn sns_work(index: usize, message: &str) -> Result<Vec<Work>, EventError> {
    let value: serde_json::Value = serde_json::from_str(message)?;
    if value.get("JobId").is_some() {
        return Ok(vec![Work::JobDone(JobCompletion::deserialize(&value)?)]);
    }
    if value.get("Records").is_none() && value.get("Event").is_none() {
        return Err(EventError::UnknownMessage { index });
    }
    decode(&value)
}

/// S3 event keys are form-encoded: `+` is a space, `%XX` a byte (a real `+` is `%2B`).
fn form_decode(key: &str) -> String {
    let spaced = key.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn s3_notification(event_name: &str, key: &str) -> serde_json::Value {
        json!({"Records": [{
            "eventVersion": "2.1", "eventSource": "aws:s3", "eventName": event_name,
            "s3": {"bucket": {"name": "media"}, "object": {"key": key, "size": 12, "versionId": "v1"}}
        }]})
    }

    #[test]
    fn direct_and_sns_deliveries_of_s3_events_decode_alike() {
        let direct = s3_notification("ObjectCreated:Put", "catalog/red+shoe%2B1.jpg");
        let via_sns = json!({"Records": [{"EventSource": "aws:sns", "Sns": {"Message": direct.to_string()}}]});
        let expected = vec![Work::Created(ObjectRef {
            bucket: "media".into(),
            key: "catalog/red shoe+1.jpg".into(),
            version_id: Some("v1".into()),
        })];
        assert_eq!(decode(&direct).unwrap(), expected);
        assert_eq!(decode(&via_sns).unwrap(), expected);
    }

    #[test]
    fn completions_decode_and_the_rest_is_skipped_or_rejected() {
        let done = json!({"JobId": "j1", "Status": "SUCCEEDED", "API": "StartContentModeration",
            "JobTag": "moderation-1", "Timestamp": 1_700_000_000_000u64,
            "Video": {"S3ObjectName": "v/clip.mp4", "S3Bucket": "media"}});
        let sns = json!({"Records": [{"Sns": {"Message": done.to_string()}}]});
        match decode(&sns).unwrap().as_slice() {
            [Work::JobDone(job)] => {
                assert_eq!(
                    (job.job_id.as_str(), job.video.key.as_str()),
                    ("j1", "v/clip.mp4")
                )
            }
            other => panic!("{other:?}"),
        }
        let removed = s3_notification("ObjectRemoved:Delete", "a.jpg");
        assert!(matches!(
            decode(&removed).unwrap().as_slice(),
            [Work::Skip(_)]
        ));
        let test_event = json!({"Event": "s3:TestEvent", "Bucket": "media"});
        assert!(matches!(
            decode(&test_event).unwrap().as_slice(),
            [Work::Skip(_)]
        ));

        let sqs = json!({"Records": [{"eventSource": "aws:sqs", "body": "{}"}]});
        assert!(matches!(
            decode(&sqs),
            Err(EventError::UnknownRecord { index: 0 })
        ));
        let odd = json!({"Records": [{"Sns": {"Message": "{\"hello\": 1}"}}]});
        assert!(matches!(
            decode(&odd),
            Err(EventError::UnknownMessage { index: 0 })
        ));
    }
}
