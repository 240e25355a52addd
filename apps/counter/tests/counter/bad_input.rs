//! Every kind of bad request gets a 4xx with a JSON error, never a 5xx; and nothing bad is
//! queued.

use crate::common::{client, get_count, wait_for_rows, Backends, Kind};

const JSON: Option<&str> = Some("application/json");

/// (content type, body, expected status)
fn cases() -> Vec<(Option<&'static str>, Vec<u8>, u16)> {
    let mut cases: Vec<(Option<&str>, Vec<u8>, u16)> = vec![
        // Content types.
        (None, br#"{"count":1}"#.to_vec(), 415),
        (Some("text/plain"), br#"{"count":1}"#.to_vec(), 415),
        (
            Some("application/x-www-form-urlencoded"),
            b"count=1".to_vec(),
            415,
        ),
        (
            Some("multipart/form-data; boundary=x"),
            b"--x--".to_vec(),
            415,
        ),
        (Some("application/xml"), b"<count>1</count>".to_vec(), 415),
        (Some("json"), br#"{"count":1}"#.to_vec(), 415),
        // Not JSON.
        (JSON, b"".to_vec(), 400),
        (JSON, b"{".to_vec(), 400),
        (JSON, b"count=1".to_vec(), 400),
        (JSON, br#"{"count":}"#.to_vec(), 400),
        (JSON, br#"{"count":1}}"#.to_vec(), 400),
        (JSON, b"{\"count\":\xff}".to_vec(), 400),
        // JSON of the wrong shape.
        (JSON, b"{}".to_vec(), 422),
        (JSON, b"[]".to_vec(), 422),
        (JSON, b"null".to_vec(), 422),
        (JSON, b"42".to_vec(), 422),
        (JSON, br#""count""#.to_vec(), 422),
        (JSON, br#"{"Count":1}"#.to_vec(), 422),
        (JSON, br#"{"count":1,"extra":true}"#.to_vec(), 422),
        (JSON, br#"{"count":1,"count":2}"#.to_vec(), 422),
        // The count field: wrong types.
        (JSON, br#"{"count":"1"}"#.to_vec(), 422),
        (JSON, br#"{"count":true}"#.to_vec(), 422),
        (JSON, br#"{"count":null}"#.to_vec(), 422),
        (JSON, br#"{"count":[1]}"#.to_vec(), 422),
        (JSON, br#"{"count":{"n":1}}"#.to_vec(), 422),
        (JSON, br#"{"count":1.5}"#.to_vec(), 422),
        (JSON, br#"{"count":1e-3}"#.to_vec(), 422),
        // The count field: out of range.
        (JSON, br#"{"count":9007199254740992}"#.to_vec(), 422),
        (JSON, br#"{"count":-9007199254740992}"#.to_vec(), 422),
        (JSON, br#"{"count":18446744073709551616}"#.to_vec(), 422),
        (JSON, br#"{"count":1e400}"#.to_vec(), 422),
        (JSON, br#"{"count":-1e400}"#.to_vec(), 422),
    ];
    // Over the body limit (1 KiB by default), even though otherwise valid.
    let mut big = br#"{"count":1"#.to_vec();
    big.extend(std::iter::repeat_n(b' ', 4096));
    big.push(b'}');
    cases.push((JSON, big, 413));
    cases
}

async fn rejects_bad_input(kind: Kind) {
    let backends = Backends::new(kind).await;
    let mut all = backends.spawn("all", &[]);
    let api = all.url("api").await;
    let client = client();

    for (content_type, body, expected) in cases() {
        let mut request = client.post(format!("{api}/count")).body(body.clone());
        if let Some(ct) = content_type {
            request = request.header("Content-Type", ct);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let shown = String::from_utf8_lossy(&body[..body.len().min(60)]).into_owned();
        assert_eq!(status, expected, "{content_type:?} {shown:?}");
        let error: serde_json::Value = response
            .json()
            .await
            .unwrap_or_else(|e| panic!("{content_type:?} {shown:?}: error body is not JSON: {e}"));
        assert!(
            error["error"].is_string() && error["message"].is_string(),
            "{error}"
        );
    }

    // Wrong method and unknown path: 4xx too.
    let put = client.put(format!("{api}/count")).send().await.unwrap();
    assert_eq!(put.status(), 405);
    let missing = client.get(format!("{api}/nope")).send().await.unwrap();
    assert_eq!(missing.status(), 404);

    // Integers in a float's spelling (integers to JSON Schema) and the limits themselves are
    // accepted, and only they were queued.
    let accepted = [
        "0.0",
        "1e3",
        "-2.5E1",
        "9007199254740991",
        "-9007199254740991",
    ];
    for count in accepted {
        let response = client
            .post(format!("{api}/count"))
            .header("Content-Type", "application/json; charset=utf-8")
            .body(format!("{{\"count\": {count}}}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202, "{count}");
    }
    let stored = wait_for_rows(&backends, accepted.len() as i64).await;
    assert_eq!(
        stored.values,
        [0, 1000, -25, 9007199254740991, -9007199254740991]
            .into_iter()
            .collect()
    );
    assert_eq!(
        get_count(&client, &api).await,
        (accepted.len() as i64, Some(-9007199254740991))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_a_4xx_embedded() {
    rejects_bad_input(Kind::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_a_4xx_redis_mariadb() {
    rejects_bad_input(Kind::Real).await;
}
