//! `object-counter` (seed 001): count the objects created and removed in a bucket, per prefix.
//!
//! S3 tells an SNS topic when objects under the prefix are created or removed; a Rust function
//! subscribed to the topic keeps the counts in a DynamoDB table; `GET /count` on an API Gateway
//! REST API, answered by a second function, reads them. The API URL is a stack output.

use stackcraft_config::ConfigError;
use stackcraft_constructs::apigateway::RestApi;
use stackcraft_constructs::cloudwatch::{Alarm, AlarmOptions, Threshold};
use stackcraft_constructs::dynamodb::{Key, Table, TableOptions};
use stackcraft_constructs::lambda::{Function, FunctionOptions, RustCode};
use stackcraft_constructs::s3::{self, Bucket, BucketOptions};
use stackcraft_constructs::sns::Topic;
use stackcraft_core::template::{join, Expr};
use stackcraft_core::Stack;

use crate::{Blueprint, Context};

stackcraft_config::settings! {
    #[derive(Debug)]
    struct Settings {
        /// Count only keys under this prefix (the seed's `Prefix`); empty counts the whole
        /// bucket.
        prefix: String = String::new(),
        /// Count only keys ending in this suffix.
        suffix: String = String::new(),
        /// Alarm notifications go to this address (default: alarms notify nobody).
        alarm_email: Option<String>,
        /// Alarms on function errors and throttles and on API 5xx (default: in ha
        /// environments).
        alarms: Option<bool>,
        /// Caps and reserves the counter function's concurrency (default: unreserved).
        reserved_concurrency: Option<u32>,
        /// API stage name, the first segment of the URL path (default: the environment's
        /// name).
        stage: Option<String>,
        /// Count an existing bucket (the seed's `BucketName`) instead of creating one. Its
        /// notifications are then set with the command in the `NotificationSetup` output
        /// (default: the stack creates its bucket).
        bucket_name: Option<String>,
    }
}

/// The object events counted.
const EVENTS: &[&str] = &["s3:ObjectCreated:*", "s3:ObjectRemoved:*"];

pub const OBJECT_COUNTER: Blueprint = Blueprint {
    name: "object-counter",
    summary: "S3 object events → SNS → Rust Lambda → DynamoDB counts per prefix; GET /count on API Gateway",
    stack: "objects",
    workloads: &[WORKLOAD],
    settings: Blueprint::settings_of::<Settings>,
    build,
};

const WORKLOAD: &str = "apps/object-counter";

// `..Options::default()` even where every field is set: options structs grow.
#[allow(clippy::needless_update)]
fn build(stack: &mut Stack, ctx: &Context) -> Result<(), ConfigError> {
    let cfg: Settings = ctx.settings()?;
    if cfg.prefix.starts_with('/') {
        return Err(ctx.setting_error(
            "prefix",
            "S3 keys do not start with '/': write \"uploads/\", not \"/uploads/\"",
        ));
    }
    stack.describe("Counts objects created and removed per prefix; GET /count reads the counts");
    let events = Topic::new(stack, "ObjectEvents");
    let bucket_name: Expr<String> = match &cfg.bucket_name {
        None => {
            let name = s3::unique_name(stack, "objects");
            let options = BucketOptions {
                name: Some(name),
                ..Default::default()
            };
            let bucket = Bucket::with(stack, "Objects", options);
            bucket.notify(stack, &events, EVENTS, &cfg.prefix, &cfg.suffix);
            bucket.name()
        }
        Some(name) => {
            if !s3::is_valid_bucket_name(name) {
                return Err(ctx.setting_error("bucket_name", format!("{name:?} is not an S3 bucket name (3-63 lowercase letters, digits, '.', '-')")));
            }
            let setup =
                Bucket::existing(name).notify(stack, &events, EVENTS, &cfg.prefix, &cfg.suffix);
            stack.output("NotificationSetup", setup).description =
                Some("Run once: sends the bucket's events to the counter (replaces its notification configuration)".into());
            Expr::from(name.as_str())
        }
    };
    let counts = Table::with(
        stack,
        "Counts",
        Key::string("pk"),
        TableOptions {
            sort_key: Some(Key::string("sk")),
            ..TableOptions::default()
        },
    );
    counts.time_to_live(stack, "expires_at");

    let code = |bin| RustCode {
        package_dir: WORKLOAD,
        package: "object-counter",
        bin,
    };
    let counter = Function::rust(
        stack,
        "Counter",
        code("count-events"),
        FunctionOptions {
            reserved_concurrency: cfg.reserved_concurrency,
            environment: vec![("TABLE_NAME".into(), counts.name())],
            ..Default::default()
        },
    );
    counter.subscribe(stack, &events);
    counts.grant(
        stack,
        &counter,
        &[
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
        ],
    );

    let reader = Function::rust(
        stack,
        "Reader",
        code("read-counts"),
        FunctionOptions {
            dead_letter_queue: false,
            environment: vec![
                ("TABLE_NAME".into(), counts.name()),
                ("BUCKET_NAME".into(), bucket_name.clone()),
            ],
            ..Default::default()
        },
    );
    counts.grant(stack, &reader, &["dynamodb:GetItem", "dynamodb:Query"]);

    let stage = cfg
        .stage
        .clone()
        .unwrap_or_else(|| stack.env().name.clone());
    let api = RestApi::new(stack, "Api");
    api.get(stack, "/count", &reader);
    api.get(stack, "/count/{prefix+}", &reader);
    let url = api.deploy(stack, &stage);

    if cfg.alarms.unwrap_or(stack.env().is_highly_available()) {
        let alarms = Topic::new(stack, "Alarms");
        if let Some(email) = &cfg.alarm_email {
            alarms.subscribe_email(stack, "AlarmEmail", email);
        }
        let above_zero = Threshold::Above(0.0);
        Alarm::new(
            stack,
            "CounterErrors",
            &counter.metric("Errors"),
            AlarmOptions {
                description: "The counter function failed".to_owned(),
                threshold: above_zero,
                periods: 1,
                notify: Some(alarms.clone()),
            },
        );
        Alarm::new(
            stack,
            "CounterThrottles",
            &counter.metric("Throttles"),
            AlarmOptions {
                description: "The counter function was throttled".to_owned(),
                threshold: above_zero,
                periods: 1,
                notify: Some(alarms.clone()),
            },
        );
        Alarm::new(
            stack,
            "ReaderErrors",
            &reader.metric("Errors"),
            AlarmOptions {
                description: "The count API function failed".to_owned(),
                threshold: above_zero,
                periods: 1,
                notify: Some(alarms.clone()),
            },
        );
        Alarm::new(
            stack,
            "ApiServerErrors",
            &api.metric("5XXError", &stage),
            AlarmOptions {
                description: "The count API answered 5xx".to_owned(),
                threshold: above_zero,
                periods: 1,
                notify: Some(alarms.clone()),
            },
        );
    }

    stack.output("BucketName", bucket_name).description =
        Some("Upload here; objects are counted".into());
    stack.output("ApiUrl", url.clone()).description = Some("The API's base URL".into());
    let count_url: Expr<String> = join("", vec![url, Expr::from("count")]);
    stack.output("CountUrl", count_url).description = Some("curl this for the counts".into());
    Ok(())
}
