//! The handlers against a real DynamoDB API: moto in server mode on loopback, through the AWS
//! SDK (stackcraft-testkit serves it one request at a time, and injects transaction conflicts
//! where a test asks for them). If moto is missing these tests fail and say so.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    TimeToLiveSpecification,
};
use aws_sdk_dynamodb::Client;
use futures::future::join_all;
use object_counter::api::{ApiRequest, Counts, Reader};
use object_counter::counter::{Counter, Outcome};
use object_counter::events::{Change, ObjectEvent, SnsEvent};
use object_counter::table::{PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE};

/// The test binary's moto server (one request at a time, with fault injection).
fn moto() -> &'static stackcraft_testkit::moto::Moto {
    stackcraft_testkit::moto::shared()
}

async fn client() -> Client {
    let creds =
        aws_sdk_dynamodb::config::Credentials::new("testing", "testing", None, None, "tests");
    // The emulator answers one request at a time: a thousand concurrent connections wait far
    // longer to be accepted than the SDK's 3.1 s connect timeout, which made this suite fail
    // on a busy machine with dispatch errors, not with wrong counts.
    let timeouts = aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
        .connect_timeout(std::time::Duration::from_secs(60))
        .build();
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version_latest()
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .credentials_provider(creds)
        .endpoint_url(moto().url())
        .timeout_config(timeouts)
        // For the same reason a response can sit unread for seconds while the emulator serves
        // the others: that is no stalled stream, which the SDK's protection (on by default)
        // would cut after a few seconds below 1 B/s.
        .stalled_stream_protection(
            aws_sdk_dynamodb::config::StalledStreamProtectionConfig::disabled(),
        )
        .retry_config(
            aws_sdk_dynamodb::config::retry::RetryConfig::standard().with_max_attempts(10),
        )
        .build();
    Client::from_conf(config)
}

/// A fresh table with the blueprint's key schema and TTL.
async fn table(client: &Client, name: &str) -> String {
    let key = |n: &str, t| {
        KeySchemaElement::builder()
            .attribute_name(n)
            .key_type(t)
            .build()
            .unwrap()
    };
    let attr = |n: &str| {
        AttributeDefinition::builder()
            .attribute_name(n)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .unwrap()
    };
    client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key(PARTITION_KEY, KeyType::Hash))
        .key_schema(key(SORT_KEY, KeyType::Range))
        .attribute_definitions(attr(PARTITION_KEY))
        .attribute_definitions(attr(SORT_KEY))
        .send()
        .await
        .unwrap();
    client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(TTL_ATTRIBUTE)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    name.to_owned()
}

fn event(key: &str, sequencer: u64, change: Change) -> ObjectEvent {
    ObjectEvent {
        bucket: "uploads".into(),
        key: key.into(),
        sequencer: object_counter::events::normalize_sequencer(&format!("{sequencer:X}")),
        change,
    }
}

/// An SNS delivery carrying one S3 record, as S3 and SNS write it (key form-encoded).
fn sns_delivery(key: &str, sequencer: &str, event_name: &str) -> SnsEvent {
    let s3 = serde_json::json!({"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "eventName": event_name,
        "s3": {"bucket": {"name": "uploads"}, "object": {"key": key, "sequencer": sequencer}}
    }]});
    serde_json::from_value(serde_json::json!({"Records": [{"Sns": {"Message": s3.to_string()}}]}))
        .unwrap()
}

/// Applies every event at once and asserts each one had `expected` as its outcome.
async fn apply_all(counter: &Counter, events: &[ObjectEvent], expected: Outcome) {
    let outcomes = join_all(events.iter().map(|e| counter.apply(e))).await;
    let other = outcomes
        .iter()
        .find(|o| !matches!(o, Ok(o) if *o == expected));
    assert!(
        other.is_none(),
        "expected {expected:?} for every event, got {other:?}"
    );
}

fn by_prefix(counts: &[Counts], prefix: &str) -> (i64, i64, i64) {
    let c = counts
        .iter()
        .find(|c| c.prefix == prefix)
        .unwrap_or_else(|| panic!("no {prefix:?} in {counts:?}"));
    (c.created, c.removed, c.current)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_events_counted_exactly_once() {
    let client = client().await;
    let table = table(&client, "concurrent").await;
    let counter = Counter::new(client.clone(), &table);
    // 1,000 objects: 600 under photos/ (300 of them under photos/2024/), 400 under docs/.
    let keys: Vec<String> = (0..1000)
        .map(|i| match i % 10 {
            0..=2 => format!("photos/2024/{i}.jpg"),
            3..=5 => format!("photos/{i}.jpg"),
            _ => format!("docs/{i}.pdf"),
        })
        .collect();
    let created: Vec<ObjectEvent> = keys.iter().map(|k| event(k, 10, Change::Created)).collect();

    apply_all(&counter, &created, Outcome::Counted).await;

    // Every event delivered once more, concurrently: nothing changes.
    apply_all(&counter, &created, Outcome::AlreadyApplied).await;

    // 250 objects removed (every fourth), one of those removals delivered twice.
    let removed: Vec<ObjectEvent> = keys
        .iter()
        .step_by(4)
        .map(|k| event(k, 20, Change::Removed))
        .collect();
    let outcomes = join_all(
        removed
            .iter()
            .chain(removed.iter().take(1))
            .map(|e| counter.apply(e)),
    )
    .await;
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| matches!(o, Ok(Outcome::Counted)))
            .count(),
        250
    );
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| matches!(o, Ok(Outcome::AlreadyApplied)))
            .count(),
        1
    );

    let counts = Reader::new(client, &table, "uploads").all().await.unwrap();
    let removed_under =
        |p: &str| keys.iter().step_by(4).filter(|k| k.starts_with(p)).count() as i64;
    let created_under = |p: &str| keys.iter().filter(|k| k.starts_with(p)).count() as i64;
    for prefix in ["/", "photos/", "photos/2024/", "docs/"] {
        let under = prefix.trim_start_matches('/');
        let (c, r) = (created_under(under), removed_under(under));
        assert_eq!(
            by_prefix(&counts, prefix),
            (c, r, c - r),
            "prefix {prefix:?}"
        );
    }
    assert_eq!(by_prefix(&counts, "/"), (1000, 250, 750));
}

/// One plain HTTP/1.1 request to the emulator's fault-injection endpoint; the JSON answer.
fn faults(method: &str, path_and_query: &str, body: &str) -> serde_json::Value {
    use std::io::{Read, Write};
    let address = moto().address();
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "{method} {path_and_query} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{answer}");
    serde_json::from_str(body).unwrap()
}

/// Real DynamoDB cancels a transaction that touches an item another transaction holds (the
/// shared `/` counter is in every one): the emulator answers a seeded 30% of this table's
/// TransactWriteItems with that cancellation, and every event is still counted exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn conflicting_transactions_are_retried_and_counts_stay_exact() {
    let client = client().await;
    let table = table(&client, "conflicts").await;
    faults(
        "POST",
        "/_faults/transact-conflicts",
        &serde_json::json!({"table": table, "fraction": 0.3, "seed": 17}).to_string(),
    );
    let counter = Counter::new(client.clone(), &table);
    let keys: Vec<String> = (0..200)
        .map(|i| match i % 2 {
            0 => format!("photos/{i}.jpg"),
            _ => format!("docs/{i}.pdf"),
        })
        .collect();
    let created: Vec<ObjectEvent> = keys.iter().map(|k| event(k, 10, Change::Created)).collect();
    apply_all(&counter, &created, Outcome::Counted).await;
    let removed: Vec<ObjectEvent> = keys
        .iter()
        .step_by(4)
        .map(|k| event(k, 20, Change::Removed))
        .collect();
    apply_all(&counter, &removed, Outcome::Counted).await;

    let counts = Reader::new(client, &table, "uploads").all().await.unwrap();
    assert_eq!(by_prefix(&counts, "/"), (200, 50, 150));
    assert_eq!(by_prefix(&counts, "photos/"), (100, 50, 50));
    assert_eq!(by_prefix(&counts, "docs/"), (100, 0, 100));

    // Each event commits once (distinct objects: no other conflict is possible), so every
    // call beyond those is the retry of an injected conflict.
    let stats = faults(
        "GET",
        &format!("/_faults/transact-conflicts?table={table}"),
        "",
    );
    let (calls, conflicts) = (
        stats["calls"].as_u64().unwrap(),
        stats["conflicts"].as_u64().unwrap(),
    );
    println!("{calls} TransactWriteItems calls, {conflicts} conflicts injected and retried");
    assert!(
        conflicts >= 30,
        "a 30% fraction of 250+ calls conflicts: {stats}"
    );
    assert_eq!(calls, 250 + conflicts, "{stats}");
}

#[tokio::test]
async fn late_and_overwriting_events_do_not_move_counters() {
    let client = client().await;
    let table = table(&client, "ordering").await;
    let counter = Counter::new(client.clone(), &table);
    // The removal (newer) arrives before the creation (older): the object ends absent.
    assert_eq!(
        counter
            .apply(&event("a/x", 5, Change::Removed))
            .await
            .unwrap(),
        Outcome::Recorded
    );
    assert_eq!(
        counter
            .apply(&event("a/x", 4, Change::Created))
            .await
            .unwrap(),
        Outcome::AlreadyApplied
    );
    // An overwrite of a present object is a new version, not a new object.
    assert_eq!(
        counter
            .apply(&event("a/y", 1, Change::Created))
            .await
            .unwrap(),
        Outcome::Counted
    );
    assert_eq!(
        counter
            .apply(&event("a/y", 2, Change::Created))
            .await
            .unwrap(),
        Outcome::Recorded
    );
    let counts = Reader::new(client, &table, "uploads").all().await.unwrap();
    assert_eq!(by_prefix(&counts, "a/"), (1, 0, 1));
}

#[tokio::test]
async fn sns_deliveries_are_decoded_and_redeliveries_ignored() {
    let client = client().await;
    let table = table(&client, "sns").await;
    let counter = Counter::new(client.clone(), &table);
    let created = sns_delivery(
        "inbox/my+cat%21.jpg",
        "0055AED6DCD90281E5",
        "ObjectCreated:Put",
    );
    assert_eq!(counter.handle(created).await.unwrap(), [Outcome::Counted]);
    let again = sns_delivery(
        "inbox/my+cat%21.jpg",
        "0055AED6DCD90281E5",
        "ObjectCreated:Put",
    );
    assert_eq!(
        counter.handle(again).await.unwrap(),
        [Outcome::AlreadyApplied]
    );
    let removed = sns_delivery(
        "inbox/my+cat%21.jpg",
        "0055AED6DCD90281F0",
        "ObjectRemoved:Delete",
    );
    assert_eq!(counter.handle(removed).await.unwrap(), [Outcome::Counted]);
    let state = client
        .get_item()
        .table_name(&table)
        .key(
            PARTITION_KEY,
            aws_sdk_dynamodb::types::AttributeValue::S("object#uploads/inbox/my cat!.jpg".into()),
        )
        .key(
            SORT_KEY,
            aws_sdk_dynamodb::types::AttributeValue::S("state".into()),
        )
        .send()
        .await
        .unwrap()
        .item
        .expect("the decoded key is the object's key");
    assert!(
        state.contains_key(TTL_ATTRIBUTE),
        "a removed object's state expires"
    );
}

#[tokio::test]
async fn the_api_answers_json_for_every_case() {
    let client = client().await;
    let table = table(&client, "api").await;
    let counter = Counter::new(client.clone(), &table);
    for (i, key) in ["docs/a.pdf", "docs/b.pdf", "c.txt"]
        .into_iter()
        .enumerate()
    {
        counter
            .apply(&event(key, i as u64 + 1, Change::Created))
            .await
            .unwrap();
    }
    let reader = Reader::new(client.clone(), &table, "uploads");
    let get = |prefix: Option<&str>| ApiRequest {
        http_method: "GET".into(),
        path_parameters: prefix.map(|p| [("prefix".to_owned(), p.to_owned())].into()),
    };

    let all = reader.handle(get(None)).await;
    assert_eq!(all.status_code, 200);
    assert_eq!(
        all.body_json()["prefixes"][0],
        serde_json::json!({"prefix": "/", "created": 3, "removed": 0, "current": 3})
    );
    assert_eq!(all.headers["content-type"], "application/json");

    let docs = reader.handle(get(Some("docs"))).await;
    assert_eq!(docs.status_code, 200);
    assert_eq!(docs.body_json()["current"], 2);

    let missing = reader.handle(get(Some("nope/"))).await;
    assert_eq!(missing.status_code, 404);
    assert!(missing.body_json()["error"]
        .as_str()
        .unwrap()
        .contains("nope/"));

    let post = reader
        .handle(ApiRequest {
            http_method: "POST".into(),
            ..ApiRequest::default()
        })
        .await;
    assert_eq!(post.status_code, 405);

    // A backend failure is a JSON 500 without internals.
    let broken = Reader::new(client, "no-such-table", "uploads")
        .handle(get(None))
        .await;
    assert_eq!(broken.status_code, 500);
    assert!(!broken.body.contains("ResourceNotFound"), "{}", broken.body);
    assert!(broken.body_json()["error"].is_string());
}
