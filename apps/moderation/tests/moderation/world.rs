//! What every test runs against: moto in server mode (S3, SNS), the fake Rekognition endpoint,
//! a media bucket and completion topic of the test's own, real SDK clients, and the function's
//! `Moderator` wired to them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_sdk_s3::primitives::ByteStream;
use moderation::settings::{Settings, VideoChannel};
use moderation::Moderator;
use serde_json::{json, Value};

use crate::fake_rekognition::FakeRekognition;

pub const REGION: &str = "us-east-1";
/// The test credentials' secret: no log line may contain it.
pub const SECRET_KEY: &str = "test-secret-key-never-logged";

pub struct World {
    /// The media bucket of this test.
    pub bucket: String,
    pub rekognition: FakeRekognition,
    pub s3: aws_sdk_s3::Client,
    pub sns: aws_sdk_sns::Client,
    /// The completion topic (in moto), subscribed over HTTP by the fake's `/sns`.
    pub topic_arn: String,
}

fn credentials() -> aws_sdk_s3::config::Credentials {
    aws_sdk_s3::config::Credentials::new("testing", SECRET_KEY, None, None, "tests")
}

impl World {
    pub async fn new() -> World {
        static TESTS: AtomicUsize = AtomicUsize::new(0);
        let n = TESTS.fetch_add(1, Ordering::Relaxed);
        let bucket = format!("media-{n}");
        // Started on first use, which blocks until it answers.
        let moto = tokio::task::spawn_blocking(|| stackcraft_testkit::moto::shared().url())
            .await
            .unwrap();
        let rekognition = FakeRekognition::start().await;
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::Config::builder()
                .behavior_version_latest()
                .region(aws_sdk_s3::config::Region::new(REGION))
                .credentials_provider(credentials())
                .endpoint_url(moto)
                .force_path_style(true)
                .build(),
        );
        let sns = aws_sdk_sns::Client::from_conf(
            aws_sdk_sns::Config::builder()
                .behavior_version_latest()
                .region(aws_sdk_sns::config::Region::new(REGION))
                .credentials_provider(credentials())
                .endpoint_url(moto)
                .build(),
        );
        s3.create_bucket().bucket(&bucket).send().await.unwrap();
        let topic_arn = sns
            .create_topic()
            .name(format!("moderation-done-{n}"))
            .send()
            .await
            .unwrap()
            .topic_arn
            .unwrap();
        sns.subscribe()
            .topic_arn(&topic_arn)
            .protocol("http")
            .endpoint(format!("{}/sns", rekognition.url))
            .send()
            .await
            .unwrap();
        World {
            bucket,
            rekognition,
            s3,
            sns,
            topic_arn,
        }
    }

    /// The settings the blueprint gives the function: defaults, with the video channel.
    pub fn settings(&self) -> Settings {
        Settings::new().with_video(VideoChannel {
            topic_arn: self.topic_arn.clone(),
            role_arn: "arn:aws:iam::123456789012:role/rekognition-publishes".into(),
        })
    }

    /// The function as `main` builds it, its Rekognition client pointed at the fake, with the
    /// function's retry policy (only the first backoff shortened, so tests do not sleep).
    pub fn moderator(&self, settings: Settings) -> Moderator {
        let retry =
            moderation::rekognition::retry_config().with_initial_backoff(Duration::from_millis(1));
        let rekognition = aws_sdk_rekognition::Client::from_conf(
            aws_sdk_rekognition::Config::builder()
                .behavior_version_latest()
                .region(aws_sdk_rekognition::config::Region::new(REGION))
                .credentials_provider(credentials())
                .endpoint_url(&self.rekognition.url)
                .retry_config(retry)
                .build(),
        );
        Moderator::new(self.s3.clone(), rekognition, settings)
    }

    pub async fn put(&self, key: &str, content_type: &str, body: Vec<u8>, tags: &[(&str, &str)]) {
        let encode = |s: &str| {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        let tagging: Vec<String> = tags
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        self.s3
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(body))
            .set_tagging((!tags.is_empty()).then(|| tagging.join("&")))
            .send()
            .await
            .unwrap();
    }

    pub async fn tags(&self, key: &str) -> Vec<(String, String)> {
        self.s3
            .get_object_tagging()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .unwrap()
            .tag_set()
            .iter()
            .map(|t| (t.key().to_owned(), t.value().to_owned()))
            .collect()
    }

    /// An S3 event notification for a new object, as S3 writes it (key form-encoded).
    pub fn created(&self, encoded_key: &str, size: u64) -> Value {
        json!({"Records": [{
            "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": REGION,
            "eventTime": "2026-01-01T00:00:00.000Z", "eventName": "ObjectCreated:Put",
            "userIdentity": {"principalId": "AWS:AIDAEXAMPLE"},
            "requestParameters": {"sourceIPAddress": "192.0.2.10"},
            "s3": {"s3SchemaVersion": "1.0", "configurationId": "moderation",
                "bucket": {"name": self.bucket, "arn": format!("arn:aws:s3:::{}", self.bucket)},
                "object": {"key": encoded_key, "size": size, "eTag": "0123456789abcdef", "sequencer": "0055AED6DCD90281E5"}}
        }]})
    }

    /// The same notification delivered through an SNS topic.
    pub fn created_via_sns(&self, encoded_key: &str, size: u64) -> Value {
        let message = self.created(encoded_key, size).to_string();
        json!({"Records": [lambda_sns_record(json!({
            "Type": "Notification", "MessageId": "m-1", "TopicArn": "arn:aws:sns:us-east-1:123456789012:uploads",
            "Subject": "Amazon S3 Notification", "Message": message, "Timestamp": "2026-01-01T00:00:00.000Z"
        }))]})
    }

    /// The SNS deliveries that reached `/sns`, as Lambda passes them to the function.
    pub fn delivered_to_lambda(&mut self) -> Value {
        let mut records = Vec::new();
        while let Some(notification) = self.rekognition.next_delivery() {
            records.push(lambda_sns_record(notification));
        }
        json!({ "Records": records })
    }
}

pub fn tags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// An SNS HTTP notification as the `Sns` record Lambda receives (Lambda spells two keys
/// differently).
fn lambda_sns_record(mut notification: Value) -> Value {
    let object = notification.as_object_mut().unwrap();
    for (http, lambda) in [
        ("SigningCertURL", "SigningCertUrl"),
        ("UnsubscribeURL", "UnsubscribeUrl"),
    ] {
        if let Some(v) = object.remove(http) {
            object.insert(lambda.into(), v);
        }
    }
    json!({"EventSource": "aws:sns", "EventVersion": "1.0",
        "EventSubscriptionArn": "arn:aws:sns:us-east-1:123456789012:moderation-done:1", "Sns": notification})
}
