//! The moderation function end to end with real SDK clients: S3 and SNS in moto (server mode,
//! one for this test binary, each test with a bucket and topic of its own; installed by
//! scripts/python-tools.sh — without it these tests fail and say so), Rekognition as the fake
//! endpoint of `fake_rekognition`.

mod fake_rekognition;
mod world;

use moderation::contract::{notes, tags as tag};
use moderation::rekognition::{job_tag, MAX_ATTEMPTS};
use moderation::verdict::Verdict;
use moderation::Outcome;
use serde_json::Value;

use fake_rekognition::label;
use world::{tags, World, SECRET_KEY};

const JPEG: &[u8] = b"\xff\xd8\xff\xe0 a JPEG as far as the fake is concerned";

fn tagged(outcomes: &[Outcome]) -> &Verdict {
    match outcomes {
        [Outcome::Tagged { verdict, .. }] => verdict,
        other => panic!("expected one tagged object, got {other:?}"),
    }
}

#[tokio::test]
async fn an_inappropriate_image_is_tagged_true_and_keeps_its_other_tags() {
    let world = World::new().await;
    let key = "catalog/red dress.jpg";
    world
        .put(
            key,
            "image/jpeg",
            JPEG.to_vec(),
            &[("Owner", "alice"), ("sku", "DRESS-1")],
        )
        .await;
    world.rekognition.sees_image(
        key,
        vec![
            label("Explicit", "", 1, 97.1),
            label("Explicit Nudity", "Explicit", 2, 96.4),
            label("Exposed Female Nipple", "Explicit Nudity", 3, 95.0),
        ],
    );
    let moderator = world.moderator(world.settings().with_min_confidence(75.0));

    let outcomes = moderator
        .handle(&world.created("catalog/red+dress.jpg", 48))
        .await
        .unwrap();

    assert_eq!(
        tagged(&outcomes),
        &Verdict::Inappropriate {
            matched: vec!["Explicit".into()]
        }
    );
    assert_eq!(
        world.tags(key).await,
        tags(&[
            ("Owner", "alice"),
            ("sku", "DRESS-1"),
            (tag::INAPPROPRIATE, tag::TRUE)
        ])
    );
    // Rekognition was asked about the object in place, with the configured confidence.
    let calls = world.rekognition.calls("DetectModerationLabels");
    assert_eq!(calls.len(), 1);
    let request = &calls[0].body;
    assert_eq!(
        request["Image"]["S3Object"]["Bucket"],
        world.bucket.as_str()
    );
    assert_eq!(request["Image"]["S3Object"]["Name"], key);
    assert_eq!(request["MinConfidence"], 75.0);
}

#[tokio::test]
async fn a_clean_image_delivered_through_sns_is_tagged_false() {
    let world = World::new().await;
    let key = "review/beach.png";
    world.put(key, "image/png", b"\x89PNG".to_vec(), &[]).await;
    // Swimwear is a moderation category, but not one a shop's defaults list.
    world.rekognition.sees_image(
        key,
        vec![
            label("Swimwear or Underwear", "", 1, 91.0),
            label(
                "Female Swimwear or Underwear",
                "Swimwear or Underwear",
                2,
                91.0,
            ),
            label("Violence", "", 1, 30.0),
        ],
    );
    let moderator = world.moderator(world.settings());

    let outcomes = moderator
        .handle(&world.created_via_sns(key, 4))
        .await
        .unwrap();

    assert_eq!(tagged(&outcomes), &Verdict::Appropriate);
    assert_eq!(
        world.tags(key).await,
        tags(&[(tag::INAPPROPRIATE, tag::FALSE)])
    );
}

#[tokio::test]
async fn a_video_is_started_and_tagged_when_its_completion_arrives_through_sns() {
    let mut world = World::new().await;
    let key = "videos/unboxing.mp4";
    world
        .put(
            key,
            "video/mp4",
            b"\0\0\0\x18ftypmp42".to_vec(),
            &[("Owner", "bob")],
        )
        .await;
    // Five detections over three pages; the listed category shows only on the last page.
    world.rekognition.sees_video(
        key,
        vec![
            (1000, label("Alcohol", "", 1, 88.0)),
            (1000, label("Alcoholic Beverages", "Alcohol", 2, 88.0)),
            (2000, label("Alcohol", "", 1, 93.0)),
            (3000, label("Alcoholic Beverages", "Alcohol", 2, 90.0)),
            (9000, label("Graphic Violence", "Violence", 2, 81.0)),
        ],
    );
    let settings = world.settings();
    let moderator = world.moderator(settings.clone());

    let event = world.created("videos/unboxing.mp4", 16);
    let outcomes = moderator.handle(&event).await.unwrap();
    let job_id = match outcomes.as_slice() {
        [Outcome::VideoStarted { job_id, .. }] => job_id.clone(),
        other => panic!("{other:?}"),
    };
    // Nothing is tagged while the job runs.
    assert_eq!(world.tags(key).await, tags(&[("Owner", "bob")]));
    let start = &world.rekognition.calls("StartContentModeration")[0].body;
    let channel = settings.video.as_ref().unwrap();
    assert_eq!(
        start["NotificationChannel"]["SNSTopicArn"],
        channel.topic_arn.as_str()
    );
    assert_eq!(
        start["NotificationChannel"]["RoleArn"],
        channel.role_arn.as_str()
    );
    assert_eq!(start["JobTag"], job_tag(&world.bucket, key).as_str());
    assert_eq!(start["Video"]["S3Object"]["Name"], key);
    assert_eq!(start["MinConfidence"], f64::from(settings.min_confidence));

    // Lambda delivers the event again (a retry): the request token makes it the same job.
    let again = moderator.handle(&event).await.unwrap();
    assert!(matches!(again.as_slice(), [Outcome::VideoStarted { job_id: j, .. }] if *j == job_id));
    assert_eq!(world.rekognition.jobs().len(), 1);

    // Rekognition finishes and publishes to the topic; SNS delivers; Lambda invokes.
    world.rekognition.finish_jobs(&world.sns, "SUCCEEDED").await;
    let delivery = world.delivered_to_lambda();
    assert_eq!(
        delivery["Records"].as_array().unwrap().len(),
        1,
        "{delivery}"
    );
    let outcomes = moderator.handle(&delivery).await.unwrap();

    assert_eq!(
        tagged(&outcomes),
        &Verdict::Inappropriate {
            matched: vec!["Violence".into()]
        }
    );
    assert_eq!(
        world.tags(key).await,
        tags(&[("Owner", "bob"), (tag::INAPPROPRIATE, tag::TRUE)])
    );
    let pages = world.rekognition.calls("GetContentModeration");
    assert_eq!(pages.len(), 3, "every page was read");
    assert!(pages.iter().all(|p| p.body["JobId"] == job_id.as_str()));
}

#[tokio::test]
async fn a_failed_video_job_is_unchecked_and_another_applications_job_is_skipped() {
    let mut world = World::new().await;
    let key = "videos/odd-codec.mov";
    world
        .put(key, "video/quicktime", b"moov".to_vec(), &[])
        .await;
    let moderator = world.moderator(world.settings());
    moderator.handle(&world.created(key, 4)).await.unwrap();

    world.rekognition.finish_jobs(&world.sns, "FAILED").await;
    let outcomes = moderator
        .handle(&world.delivered_to_lambda())
        .await
        .unwrap();

    assert_eq!(
        tagged(&outcomes),
        &Verdict::Unchecked {
            note: notes::JOB_FAILED
        }
    );
    assert_eq!(
        world.tags(key).await,
        tags(&[
            (tag::INAPPROPRIATE, tag::UNCHECKED),
            (tag::NOTE, notes::JOB_FAILED)
        ])
    );

    // A completion on the same topic from a job this function did not start.
    let foreign = serde_json::json!({"JobId": "j-other", "Status": "SUCCEEDED",
        "API": "StartLabelDetection", "JobTag": "catalog-indexer",
        "Video": {"S3ObjectName": key, "S3Bucket": world.bucket}});
    let event = serde_json::json!({"Records": [{"EventSource": "aws:sns",
        "Sns": {"Type": "Notification", "Message": foreign.to_string()}}]});
    let outcomes = moderator.handle(&event).await.unwrap();
    assert!(
        matches!(outcomes.as_slice(), [Outcome::Skipped { .. }]),
        "{outcomes:?}"
    );
    assert_eq!(world.rekognition.calls("GetContentModeration").len(), 1);
}

#[tokio::test]
async fn an_object_that_is_neither_image_nor_video_is_left_untagged() {
    let world = World::new().await;
    let key = "static/styles.css";
    world
        .put(key, "text/css", b"body {}".to_vec(), &[("Owner", "shop")])
        .await;
    let moderator = world.moderator(world.settings());

    let outcomes = moderator.handle(&world.created(key, 7)).await.unwrap();

    assert!(
        matches!(outcomes.as_slice(), [Outcome::NotMedia { content_type: Some(t), .. }] if t == "text/css"),
        "{outcomes:?}"
    );
    assert_eq!(world.tags(key).await, tags(&[("Owner", "shop")]));
    assert!(world.rekognition.all_calls().is_empty());
}

#[tokio::test]
async fn objects_rekognition_cannot_take_are_tagged_unchecked_with_the_reason() {
    let world = World::new().await;
    let big = "catalog/poster.png";
    let limit = moderation::contract::MAX_IMAGE_BYTES as usize;
    world.put(big, "image/png", vec![0u8; limit + 1], &[]).await;
    let broken = "catalog/broken.jpg";
    world
        .put(broken, "image/jpeg", b"not really".to_vec(), &[])
        .await;
    world
        .rekognition
        .refuses(broken, "InvalidImageFormatException");
    let clip = "videos/clip.mov";
    world
        .put(clip, "video/quicktime", b"moov".to_vec(), &[])
        .await;
    let moderator = world.moderator(world.settings());

    // Too large: Rekognition is not even asked.
    let outcomes = moderator
        .handle(&world.created(big, limit as u64 + 1))
        .await
        .unwrap();
    assert_eq!(tagged(&outcomes), &Verdict::too_large());
    assert_eq!(
        world.tags(big).await,
        tags(&[
            (tag::INAPPROPRIATE, tag::UNCHECKED),
            (tag::NOTE, notes::TOO_LARGE)
        ])
    );
    assert!(world.rekognition.all_calls().is_empty());

    // Rekognition cannot read it: retrying would not help, so it is marked, not failed.
    let outcomes = moderator.handle(&world.created(broken, 10)).await.unwrap();
    assert_eq!(tagged(&outcomes), &Verdict::unsupported_format());
    assert_eq!(
        world.tags(broken).await,
        tags(&[
            (tag::INAPPROPRIATE, tag::UNCHECKED),
            (tag::NOTE, notes::UNSUPPORTED_FORMAT)
        ])
    );

    // A video, but the function has no completion topic to start a job with.
    let outcomes = world
        .moderator(moderation::settings::Settings::new())
        .handle(&world.created(clip, 4))
        .await
        .unwrap();
    assert_eq!(
        tagged(&outcomes),
        &Verdict::Unchecked {
            note: notes::VIDEO_NOT_CONFIGURED
        }
    );
    assert!(world.rekognition.calls("StartContentModeration").is_empty());
}

#[tokio::test]
async fn throttling_is_retried_with_backoff_until_rekognition_answers() {
    let world = World::new().await;
    let key = "catalog/shoe.jpg";
    world.put(key, "image/jpeg", JPEG.to_vec(), &[]).await;
    world.rekognition.sees_image(key, vec![]);
    world.rekognition.throttle(
        "DetectModerationLabels",
        MAX_ATTEMPTS - 1,
        "ThrottlingException",
    );
    let moderator = world.moderator(world.settings());

    let outcomes = moderator.handle(&world.created(key, 10)).await.unwrap();

    assert_eq!(tagged(&outcomes), &Verdict::Appropriate);
    assert_eq!(
        world.rekognition.calls("DetectModerationLabels").len(),
        MAX_ATTEMPTS as usize
    );
    assert_eq!(
        world.tags(key).await,
        tags(&[(tag::INAPPROPRIATE, tag::FALSE)])
    );
}

#[tokio::test]
async fn throttling_beyond_the_retries_fails_the_invocation_and_tags_nothing() {
    let world = World::new().await;
    let image = "catalog/hat.jpg";
    world
        .put(image, "image/jpeg", JPEG.to_vec(), &[("Owner", "carol")])
        .await;
    world
        .rekognition
        .sees_image(image, vec![label("Violence", "", 1, 99.0)]);
    world.rekognition.throttle(
        "DetectModerationLabels",
        MAX_ATTEMPTS,
        "ThrottlingException",
    );
    let video = "videos/hat.mp4";
    world.put(video, "video/mp4", b"ftyp".to_vec(), &[]).await;
    world.rekognition.throttle(
        "StartContentModeration",
        MAX_ATTEMPTS,
        "ProvisionedThroughputExceededException",
    );
    let moderator = world.moderator(world.settings());

    let error = moderator
        .handle(&world.created(image, 10))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("ThrottlingException"), "{error}");
    assert!(
        error.to_string().contains(image),
        "the error names the object: {error}"
    );
    assert_eq!(
        world.rekognition.calls("DetectModerationLabels").len(),
        MAX_ATTEMPTS as usize
    );
    assert_eq!(world.tags(image).await, tags(&[("Owner", "carol")]));

    let error = moderator
        .handle(&world.created(video, 4))
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("ProvisionedThroughputExceededException"),
        "{error}"
    );
    assert_eq!(
        world.rekognition.calls("StartContentModeration").len(),
        MAX_ATTEMPTS as usize
    );
    assert!(world.rekognition.jobs().is_empty());
    assert!(world.tags(video).await.is_empty());

    // Lambda's retry, once Rekognition answers again, tags the image.
    let outcomes = moderator.handle(&world.created(image, 10)).await.unwrap();
    assert!(matches!(tagged(&outcomes), Verdict::Inappropriate { .. }));
}

#[tokio::test]
async fn remoderating_replaces_only_its_own_tags_within_the_ten_tag_limit() {
    let world = World::new().await;
    let key = "catalog/bag.jpg";
    let mut existing: Vec<(String, String)> = (1..=8)
        .map(|i| (format!("attribute-{i}"), format!("value {i}")))
        .collect();
    existing.push((tag::NOTE.into(), notes::TOO_LARGE.into()));
    existing.push((tag::INAPPROPRIATE.into(), tag::UNCHECKED.into()));
    let pairs: Vec<(&str, &str)> = existing
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    world.put(key, "image/jpeg", JPEG.to_vec(), &pairs).await;
    world
        .rekognition
        .sees_image(key, vec![label("Hate Symbols", "", 1, 88.0)]);
    let moderator = world.moderator(world.settings());

    moderator.handle(&world.created(key, 10)).await.unwrap();

    let mut expected = existing[..8].to_vec();
    expected.push((tag::INAPPROPRIATE.into(), tag::TRUE.into()));
    assert_eq!(
        world.tags(key).await,
        expected,
        "the stale note is gone, the rest kept"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn logs_are_json_lines_naming_the_object_and_no_secret() {
    let world = World::new().await;
    let key = "catalog/cap.jpg";
    world.put(key, "image/jpeg", JPEG.to_vec(), &[]).await;
    world
        .rekognition
        .sees_image(key, vec![label("Violence", "", 1, 99.0)]);
    world.rekognition.throttle(
        "DetectModerationLabels",
        MAX_ATTEMPTS,
        "ThrottlingException",
    );
    let moderator = world.moderator(world.settings());
    let (writer, lines) = LogBuffer::new();
    let _log = tracing::subscriber::set_default(moderation::logging::json_subscriber(writer));

    moderator.handle(&world.created(key, 10)).await.unwrap_err();
    moderator.handle(&world.created(key, 10)).await.unwrap();

    let text = String::from_utf8(lines.lock().unwrap().clone()).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let failed = lines
        .iter()
        .find(|l| l["level"] == "ERROR")
        .expect("the failure is logged");
    assert!(failed["error"].as_str().unwrap().contains(key), "{failed}");
    let tagged = lines
        .iter()
        .find(|l| l["outcome"] == "tagged")
        .expect("the outcome is logged");
    assert_eq!(tagged["key"], key);
    assert_eq!(tagged["inappropriate"], "true");
    assert_eq!(tagged["matched"], "Violence");
    assert!(!text.contains(SECRET_KEY));
    assert!(
        !text.contains("192.0.2.10"),
        "the uploader's address is not logged"
    );
}

/// A `MakeWriter` collecting what the subscriber writes.
#[derive(Clone)]
struct LogBuffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl LogBuffer {
    fn new() -> (LogBuffer, std::sync::Arc<std::sync::Mutex<Vec<u8>>>) {
        let buffer = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        (LogBuffer(buffer.clone()), buffer)
    }
}

impl std::io::Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> lambda_runtime::tracing::subscriber::fmt::MakeWriter<'a> for LogBuffer {
    type Writer = LogBuffer;

    fn make_writer(&'a self) -> LogBuffer {
        self.clone()
    }
}
