//! A Rekognition endpoint on loopback for the real SDK client: the JSON 1.1 protocol
//! (`POST /`, `X-Amz-Target: RekognitionService.<Operation>`, `application/x-amz-json-1.1`),
//! answering `DetectModerationLabels`, `StartContentModeration` and `GetContentModeration` with
//! responses shaped like the API reference's. Rekognition has no emulator (moto implements none
//! of these), so the tests say per object what Rekognition "sees".
//!
//! It plays Rekognition Video's notification too: [`FakeRekognition::finish_jobs`] publishes
//! each started job's completion message to the SNS topic of the job's `NotificationChannel`
//! (in moto). The same server receives that topic's HTTP deliveries on `POST /sns`, so a test
//! gets what SNS really delivered.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use tokio::sync::mpsc;

/// How many detections one `GetContentModeration` page holds here (the service's default is
/// 1000): small, so every video test crosses pages.
pub const PAGE_SIZE: usize = 2;

/// A request as received.
#[derive(Clone, Debug)]
pub struct Call {
    pub operation: String,
    pub body: Value,
}

#[derive(Clone, Debug)]
pub struct Job {
    pub id: String,
    pub request: Value,
    /// `None` while it runs; then `SUCCEEDED` or `FAILED`.
    pub status: Option<&'static str>,
}

#[derive(Default)]
struct Fake {
    /// Object name → the `ModerationLabel`s its image shows.
    images: HashMap<String, Vec<Value>>,
    /// Object name → the `ContentModerationDetection`s of its video.
    videos: HashMap<String, Vec<Value>>,
    /// Object name → the error code Rekognition answers for it.
    refusals: HashMap<String, String>,
    /// Operation → (how many more calls to throttle, with which error code).
    throttles: HashMap<String, (u32, String)>,
    jobs: Vec<Job>,
    calls: Vec<Call>,
}

#[derive(Clone)]
struct AppState {
    fake: Arc<Mutex<Fake>>,
    deliveries: mpsc::UnboundedSender<Value>,
}

pub struct FakeRekognition {
    pub url: String,
    fake: Arc<Mutex<Fake>>,
    deliveries: mpsc::UnboundedReceiver<Value>,
}

/// A moderation label as Rekognition returns it.
pub fn label(name: &str, parent: &str, level: u32, confidence: f64) -> Value {
    json!({"Name": name, "ParentName": parent, "TaxonomyLevel": level, "Confidence": confidence})
}

impl FakeRekognition {
    pub async fn start() -> FakeRekognition {
        let fake = Arc::new(Mutex::new(Fake::default()));
        let (tx, rx) = mpsc::unbounded_channel();
        let app = Router::new()
            .route("/", post(rekognition))
            .route("/sns", post(sns_delivery))
            .with_state(AppState {
                fake: fake.clone(),
                deliveries: tx,
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeRekognition {
            url,
            fake,
            deliveries: rx,
        }
    }

    pub fn sees_image(&self, name: &str, labels: Vec<Value>) {
        self.fake.lock().unwrap().images.insert(name.into(), labels);
    }

    /// The video's detections: each label at a timestamp (milliseconds).
    pub fn sees_video(&self, name: &str, detections: Vec<(i64, Value)>) {
        let detections = detections
            .into_iter()
            .map(|(at, label)| {
                json!({"Timestamp": at, "ModerationLabel": label, "StartTimestampMillis": at,
                    "EndTimestampMillis": at + 500, "DurationMillis": 500,
                    "ContentTypes": [{"Name": "Animated", "Confidence": 12.5}]})
            })
            .collect();
        self.fake
            .lock()
            .unwrap()
            .videos
            .insert(name.into(), detections);
    }

    /// Answer requests about the object with this error (`InvalidImageFormatException`...).
    pub fn refuses(&self, name: &str, code: &str) {
        self.fake
            .lock()
            .unwrap()
            .refusals
            .insert(name.into(), code.into());
    }

    /// Answer the next `times` calls of `operation` with the throttling error `code`.
    pub fn throttle(&self, operation: &str, times: u32, code: &str) {
        self.fake
            .lock()
            .unwrap()
            .throttles
            .insert(operation.into(), (times, code.into()));
    }

    pub fn calls(&self, operation: &str) -> Vec<Call> {
        let fake = self.fake.lock().unwrap();
        fake.calls
            .iter()
            .filter(|c| c.operation == operation)
            .cloned()
            .collect()
    }

    pub fn all_calls(&self) -> Vec<Call> {
        self.fake.lock().unwrap().calls.clone()
    }

    pub fn jobs(&self) -> Vec<Job> {
        self.fake.lock().unwrap().jobs.clone()
    }

    /// Finishes every running job with `status` as Rekognition Video does: the completion
    /// message published to the job's topic.
    pub async fn finish_jobs(&self, sns: &aws_sdk_sns::Client, status: &'static str) {
        let running: Vec<Job> = {
            let mut fake = self.fake.lock().unwrap();
            let running = fake
                .jobs
                .iter()
                .filter(|j| j.status.is_none())
                .cloned()
                .collect();
            for job in fake.jobs.iter_mut().filter(|j| j.status.is_none()) {
                job.status = Some(status);
            }
            running
        };
        for job in running {
            let request = &job.request;
            let s3 = &request["Video"]["S3Object"];
            let message = json!({
                "JobId": job.id,
                "Status": status,
                "API": "StartContentModeration",
                "JobTag": request["JobTag"],
                "Timestamp": 1_767_225_600_000u64,
                "Video": {"S3ObjectName": s3["Name"], "S3Bucket": s3["Bucket"]}
            });
            sns.publish()
                .topic_arn(
                    request["NotificationChannel"]["SNSTopicArn"]
                        .as_str()
                        .unwrap(),
                )
                .message(message.to_string())
                .send()
                .await
                .unwrap();
        }
    }

    /// The next notification SNS delivered to `POST /sns` (SNS's HTTP delivery is done by the
    /// time `Publish` returns), if any.
    pub fn next_delivery(&mut self) -> Option<Value> {
        self.deliveries.try_recv().ok()
    }
}

async fn sns_delivery(State(state): State<AppState>, body: String) -> StatusCode {
    let notification: Value = serde_json::from_str(&body).expect("SNS delivers JSON");
    state.deliveries.send(notification).unwrap();
    StatusCode::OK
}

fn answer(status: StatusCode, body: Value) -> Response {
    (
        status,
        [("content-type", "application/x-amz-json-1.1")],
        body.to_string(),
    )
        .into_response()
}

fn error(code: &str, message: &str) -> Response {
    // ThrottlingException is a server fault in Rekognition's model; the others client errors.
    let status = if code == "ThrottlingException" {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::BAD_REQUEST
    };
    answer(status, json!({"__type": code, "Message": message}))
}

async fn rekognition(State(state): State<AppState>, headers: HeaderMap, body: String) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some(operation) = target.strip_prefix("RekognitionService.") else {
        return error("UnknownOperationException", &format!("target {target:?}"));
    };
    assert_eq!(
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/x-amz-json-1.1"),
        "the SDK speaks JSON 1.1"
    );
    let body: Value = serde_json::from_str(&body).expect("a JSON request body");
    let mut fake = state.fake.lock().unwrap();
    fake.calls.push(Call {
        operation: operation.to_owned(),
        body: body.clone(),
    });
    if let Some((times, code)) = fake.throttles.get_mut(operation) {
        if *times > 0 {
            *times -= 1;
            return error(code, "Rate exceeded");
        }
    }
    match operation {
        "DetectModerationLabels" => detect(&fake, &body),
        "StartContentModeration" => start(&mut fake, body),
        "GetContentModeration" => results(&fake, &body),
        other => error("UnknownOperationException", other),
    }
}

fn detect(fake: &Fake, body: &Value) -> Response {
    let name = body["Image"]["S3Object"]["Name"]
        .as_str()
        .unwrap_or_default();
    if let Some(code) = fake.refusals.get(name) {
        return error(code, "refused");
    }
    let Some(labels) = fake.images.get(name) else {
        return error(
            "InvalidS3ObjectException",
            "Unable to get object metadata from S3",
        );
    };
    let min = body["MinConfidence"].as_f64().unwrap_or(50.0);
    let labels: Vec<&Value> = labels
        .iter()
        .filter(|l| l["Confidence"].as_f64().unwrap() >= min)
        .collect();
    answer(
        StatusCode::OK,
        json!({"ModerationLabels": labels, "ModerationModelVersion": "7.0", "ContentTypes": []}),
    )
}

fn start(fake: &mut Fake, body: Value) -> Response {
    let name = body["Video"]["S3Object"]["Name"]
        .as_str()
        .unwrap_or_default();
    if let Some(code) = fake.refusals.get(name) {
        return error(code, "refused");
    }
    if body["NotificationChannel"]["SNSTopicArn"]
        .as_str()
        .is_none()
    {
        return error("InvalidParameterException", "no NotificationChannel");
    }
    // The same ClientRequestToken returns the same job, as the service does.
    let token = &body["ClientRequestToken"];
    if let Some(job) = fake
        .jobs
        .iter()
        .find(|j| !token.is_null() && &j.request["ClientRequestToken"] == token)
    {
        return answer(StatusCode::OK, json!({"JobId": job.id}));
    }
    let id = format!("{:064x}", fake.jobs.len() + 1);
    fake.jobs.push(Job {
        id: id.clone(),
        request: body,
        status: None,
    });
    answer(StatusCode::OK, json!({"JobId": id}))
}

fn results(fake: &Fake, body: &Value) -> Response {
    let id = body["JobId"].as_str().unwrap_or_default();
    let Some(job) = fake.jobs.iter().find(|j| j.id == id) else {
        return error("ResourceNotFoundException", "no such job");
    };
    let name = job.request["Video"]["S3Object"]["Name"].as_str().unwrap();
    let min = job.request["MinConfidence"].as_f64().unwrap_or(50.0);
    let detections: Vec<&Value> = fake
        .videos
        .get(name)
        .map(|d| {
            d.iter()
                .filter(|d| d["ModerationLabel"]["Confidence"].as_f64().unwrap() >= min)
                .collect()
        })
        .unwrap_or_default();
    let from: usize = body["NextToken"]
        .as_str()
        .map_or(0, |t| t.parse().expect("a token this fake issued"));
    let page: Vec<&Value> = detections
        .iter()
        .skip(from)
        .take(PAGE_SIZE)
        .copied()
        .collect();
    let mut out = json!({
        "JobStatus": job.status.unwrap_or("IN_PROGRESS"),
        "VideoMetadata": {"Codec": "h264", "DurationMillis": 15000, "Format": "QuickTime / MOV",
            "FrameRate": 30.0, "FrameHeight": 720, "FrameWidth": 1280, "ColorRange": "LIMITED"},
        "ModerationLabels": page,
        "ModerationModelVersion": "7.0",
        "JobId": job.id,
        "Video": job.request["Video"],
        "JobTag": job.request["JobTag"],
        "GetRequestMetadata": {"SortBy": "TIMESTAMP", "AggregateBy": "TIMESTAMPS"}
    });
    if job.status == Some("FAILED") {
        out["StatusMessage"] = json!("Unsupported codec");
        out["ModerationLabels"] = json!([]);
    }
    if from + PAGE_SIZE < detections.len() && job.status == Some("SUCCEEDED") {
        out["NextToken"] = json!((from + PAGE_SIZE).to_string());
    }
    answer(StatusCode::OK, out)
}
