//! The seed's behaviour end to end: post counts, read them back, health, metrics, CORS, page.

use std::collections::BTreeSet;

use crate::common::{self, client, get_count, metric, post_all, Backends, Kind};

async fn round_trip(kind: Kind) {
    let backends = Backends::new(kind).await;
    let mut all = backends.spawn("all", &[]);
    let api = all.url("api").await;
    let web = all.url("web").await;
    let client = client();

    let root = client.get(format!("{api}/")).send().await.unwrap();
    assert_eq!(root.status(), 200);
    assert!(
        root.text().await.unwrap().is_empty(),
        "GET / has an empty body"
    );

    let health: serde_json::Value = client
        .get(format!("{api}/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    assert!(!health["hostname"].as_str().unwrap().is_empty());

    let ready = client
        .get(format!("{api}/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let ready: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(
        (ready["queue"].as_str(), ready["database"].as_str()),
        (Some("up"), Some("up"))
    );

    assert_eq!(get_count(&client, &api).await, (0, None));

    let accepted: serde_json::Value = client
        .post(format!("{api}/count"))
        .json(&serde_json::json!({ "count": 7 }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(accepted["status"], "queued");
    assert_eq!(accepted["count"], 7);
    assert!(uuid::Uuid::parse_str(accepted["id"].as_str().unwrap()).is_ok());

    let results = post_all(&api, (1000..1100).collect(), 8).await;
    assert!(
        results.iter().all(|(_, s)| *s == 202),
        "all accepted: {results:?}"
    );
    // Posted last, after every other post was answered: it must be reported as the latest.
    assert_eq!(common::post_count(&client, &api, 424242).await, 202);

    common::wait_for_rows(&backends, 102).await;
    assert_eq!(get_count(&client, &api).await, (102, Some(424242)));
    let stored = backends.stored().await;
    let expected: BTreeSet<i64> = (1000..1100).chain([7, 424242]).collect();
    assert_eq!(stored.values.into_iter().collect::<BTreeSet<_>>(), expected);

    common::wait_for("queue depth 0", common::PATIENCE, || async {
        (metric(&client, &api, "counter_queue_depth").await == Some(0.0)).then_some(())
    })
    .await;
    assert_eq!(
        metric(&client, &api, "counter_enqueued_total").await,
        Some(102.0)
    );
    assert_eq!(
        metric(&client, &api, "counter_processed_total").await,
        Some(102.0)
    );
    let metrics = client
        .get(format!("{api}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains(
        "counter_http_requests_total{method=\"POST\",route=\"/count\",status=\"202\"} 102"
    ));
    assert!(metrics.contains("counter_batch_duration_seconds_count"));

    // CORS: any origin by default, preflight allowed for JSON posts.
    let preflight = client
        .request(reqwest::Method::OPTIONS, format!("{api}/count"))
        .header("Origin", "https://example.org")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");

    // The page and its runtime configuration.
    let page = client
        .get(format!("{web}/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<title>Counter</title>"));
    let config: serde_json::Value = client
        .get(format!("{web}/config.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(config["apiUrl"], api);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trip_embedded() {
    round_trip(Kind::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trip_redis_mariadb() {
    round_trip(Kind::Real).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_origins_can_be_restricted() {
    let backends = Backends::new(Kind::Embedded).await;
    let mut api = backends.spawn("api", &[("CORS_ALLOW_ORIGINS", "https://app.example")]);
    let api = api.url("api").await;
    let client = client();
    let origin_of = |origin: &'static str| {
        let client = client.clone();
        let url = format!("{api}/health");
        async move {
            let response = client
                .get(url)
                .header("Origin", origin)
                .send()
                .await
                .unwrap();
            response
                .headers()
                .get("access-control-allow-origin")
                .map(|v| v.to_str().unwrap().to_owned())
        }
    };
    assert_eq!(
        origin_of("https://app.example").await.as_deref(),
        Some("https://app.example")
    );
    assert_eq!(origin_of("https://evil.example").await, None);
}

/// The served document is the one generated from the code, every reference resolves, and
/// every documented GET answers with a documented status.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_matches_the_served_api() {
    let backends = Backends::new(Kind::Embedded).await;
    let mut all = backends.spawn("all", &[]);
    let api = all.url("api").await;
    let client = client();
    let served: serde_json::Value = client
        .get(format!("{api}/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        served,
        serde_json::to_value(counter::api::openapi()).unwrap()
    );
    assert!(served["openapi"].as_str().unwrap().starts_with("3."));

    let paths = served["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/", &["get"][..]),
        ("/health", &["get"]),
        ("/health/ready", &["get"]),
        ("/metrics", &["get"]),
        ("/count", &["get", "post"]),
    ] {
        for method in methods {
            assert!(
                paths[path].get(*method).is_some(),
                "{method} {path} is documented"
            );
        }
    }

    let mut refs = Vec::new();
    collect_refs(&served, &mut refs);
    assert!(!refs.is_empty());
    for reference in refs {
        let pointer = reference.strip_prefix('#').expect("local reference");
        assert!(
            served.pointer(pointer).is_some(),
            "unresolved $ref {reference}"
        );
    }

    for (path, item) in paths {
        if item.get("get").is_none() {
            continue;
        }
        let status = client
            .get(format!("{api}{path}"))
            .send()
            .await
            .unwrap()
            .status();
        let documented = item["get"]["responses"].as_object().unwrap();
        assert!(
            documented.contains_key(status.as_str()),
            "GET {path} answered undocumented {status}"
        );
    }
}

fn collect_refs(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", serde_json::Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}
