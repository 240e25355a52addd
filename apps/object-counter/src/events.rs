//! The events the counter receives: SNS notifications whose messages are S3 event records.
//! Only the fields the counter reads are modelled; everything else is ignored.

use serde::Deserialize;

/// An SNS delivery to Lambda.
#[derive(Debug, Deserialize)]
pub struct SnsEvent {
    #[serde(rename = "Records")]
    pub records: Vec<SnsRecord>,
}

#[derive(Debug, Deserialize)]
pub struct SnsRecord {
    #[serde(rename = "Sns")]
    pub sns: SnsMessage,
}

#[derive(Debug, Deserialize)]
pub struct SnsMessage {
    #[serde(rename = "Message")]
    pub message: String,
}

/// An S3 event notification (the SNS message body).
#[derive(Debug, Deserialize)]
struct S3Notification {
    #[serde(rename = "Records", default)]
    records: Vec<S3Record>,
    /// `s3:TestEvent` messages, sent when notifications are configured, carry this instead.
    #[serde(rename = "Event")]
    event: Option<String>,
}

#[derive(Debug, Deserialize)]
struct S3Record {
    #[serde(rename = "eventName")]
    event_name: String,
    s3: S3Entity,
}

#[derive(Debug, Deserialize)]
struct S3Entity {
    bucket: S3Bucket,
    object: S3Object,
}

#[derive(Debug, Deserialize)]
struct S3Bucket {
    name: String,
}

#[derive(Debug, Deserialize)]
struct S3Object {
    key: String,
    sequencer: String,
}

/// What happened to an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Created,
    Removed,
}

/// One object event, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectEvent {
    pub bucket: String,
    /// The object key, URL-decoded.
    pub key: String,
    /// The S3 sequencer, normalized so that string order is event order for one key.
    pub sequencer: String,
    pub change: Change,
}

/// Why a message could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("the SNS message is not an S3 event notification: {0}")]
    NotS3(#[from] serde_json::Error),
    #[error("unexpected S3 event {0:?}")]
    UnknownEvent(String),
}

/// Decodes the object events of one SNS message; a test event yields none.
pub fn object_events(message: &str) -> Result<Vec<ObjectEvent>, EventError> {
    let notification: S3Notification = serde_json::from_str(message)?;
    if notification.event.as_deref() == Some("s3:TestEvent") {
        return Ok(Vec::new());
    }
    notification
        .records
        .into_iter()
        .map(|r| {
            let change = if r.event_name.starts_with("ObjectCreated:") {
                Change::Created
            } else if r.event_name.starts_with("ObjectRemoved:") {
                Change::Removed
            } else {
                return Err(EventError::UnknownEvent(r.event_name));
            };
            Ok(ObjectEvent {
                bucket: r.s3.bucket.name,
                key: url_decode(&r.s3.object.key),
                sequencer: normalize_sequencer(&r.s3.object.sequencer),
                change,
            })
        })
        .collect()
}

/// S3 writes keys form-encoded (`+` for space, `%XX` for other bytes).
pub fn url_decode(key: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = key.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes.get(i..i + 3) {
            Some([b'%', hi, lo]) => hex(*hi).zip(hex(*lo)).map(|(h, l)| h * 16 + l),
            _ => None,
        };
        match (escaped, bytes[i]) {
            (Some(b), _) => {
                out.push(b);
                i += 3;
            }
            (None, b'+') => {
                out.push(b' ');
                i += 1;
            }
            (None, b) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Sequencers are hexadecimal numbers of varying length: left-padding with zeros makes their
/// string order their numeric order.
pub fn normalize_sequencer(sequencer: &str) -> String {
    format!("{:0>32}", sequencer.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_decoded_and_sequencers_ordered() {
        assert_eq!(url_decode("photos/my+cat%21.jpg"), "photos/my cat!.jpg");
        assert_eq!(url_decode("100%"), "100%");
        assert!(normalize_sequencer("0A1B") < normalize_sequencer("00FF00"));
    }

    #[test]
    fn test_events_are_ignored_and_unknown_ones_rejected() {
        assert!(object_events(r#"{"Event":"s3:TestEvent","Bucket":"b"}"#)
            .unwrap()
            .is_empty());
        let restore = r#"{"Records":[{"eventName":"ObjectRestore:Post","s3":{"bucket":{"name":"b"},"object":{"key":"k","sequencer":"1"}}}]}"#;
        assert!(matches!(
            object_events(restore),
            Err(EventError::UnknownEvent(_))
        ));
        assert!(object_events("not json").is_err());
    }
}
