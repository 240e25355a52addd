//! The API over HTTP, served on a random port against moto's DynamoDB: status codes, JSON
//! errors, conditional writes (409), pagination and the OpenAPI document.

mod common;

use std::sync::Arc;

use items::store::DynamoStore;
use serde_json::{json, Value};

/// The app on a random loopback port, over a fresh table; returns its base URL.
async fn serve(table: &str) -> String {
    let client = common::client();
    let table = common::table(&client, table).await;
    let store = Arc::new(DynamoStore::new(client, table));
    let app = items::api::router(store, Some(&["https://site.example".to_owned()]));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}

#[tokio::test]
async fn items_are_created_once_and_updated_at_the_expected_version() {
    let url = serve("http-crud").await;
    let http = reqwest::Client::new();
    let (status, body) = send(http.get(format!("{url}/health"))).await;
    assert_eq!((status, body), (200, json!({"status": "ok"})));

    let new = json!({"id": "teapot", "name": "Teapot", "description": "short and stout"});
    let (status, created) = send(http.post(format!("{url}/items")).json(&new)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["version"], 1);
    let (status, again) = send(http.post(format!("{url}/items")).json(&new)).await;
    assert_eq!(
        (status, again["error"].as_str()),
        (409, Some("already_exists"))
    );

    let update = json!({"name": "Kettle", "description": "", "version": 1});
    let (status, updated) = send(http.put(format!("{url}/items/teapot")).json(&update)).await;
    assert_eq!((status, updated["version"].as_u64()), (200, Some(2)));
    let (status, stale) = send(http.put(format!("{url}/items/teapot")).json(&update)).await;
    assert_eq!(status, 409);
    assert_eq!(stale["error"], "version_conflict");
    assert_eq!(stale["current_version"], 2);

    let (status, read) = send(http.get(format!("{url}/items/teapot"))).await;
    assert_eq!((status, read["name"].as_str()), (200, Some("Kettle")));
    let (status, _) = send(http.delete(format!("{url}/items/teapot?version=1"))).await;
    assert_eq!(status, 409);
    let (status, _) = send(http.delete(format!("{url}/items/teapot?version=2"))).await;
    assert_eq!(status, 204);
    let (status, gone) = send(http.get(format!("{url}/items/teapot"))).await;
    assert_eq!((status, gone["error"].as_str()), (404, Some("not_found")));
}

#[tokio::test]
async fn bad_input_is_a_json_error_naming_what_is_wrong() {
    let url = serve("http-errors").await;
    let http = reqwest::Client::new();
    for (request, status, code) in [
        (
            http.post(format!("{url}/items")).json(&json!({"name": ""})),
            422,
            "invalid",
        ),
        (
            http.post(format!("{url}/items"))
                .json(&json!({"name": "x", "colour": "red"})),
            422,
            "invalid",
        ),
        (
            http.post(format!("{url}/items"))
                .json(&json!({"id": "a/b", "name": "x"})),
            422,
            "invalid",
        ),
        (
            http.post(format!("{url}/items"))
                .header("content-type", "application/json")
                .body("{"),
            400,
            "invalid",
        ),
        (http.get(format!("{url}/items?limit=0")), 400, "invalid"),
        (
            http.get(format!("{url}/items?next_token=forged")),
            400,
            "bad_token",
        ),
        (
            http.put(format!("{url}/items/absent"))
                .json(&json!({"name": "x", "version": 1})),
            404,
            "not_found",
        ),
        (http.get(format!("{url}/nowhere")), 404, "not_found"),
    ] {
        let (got, body) = send(request).await;
        assert_eq!(
            (got, body["error"].as_str()),
            (status, Some(code)),
            "{body}"
        );
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{body}"
        );
    }
}

#[tokio::test]
async fn pages_follow_the_next_token_and_the_document_lists_every_route() {
    let url = serve("http-pages").await;
    let http = reqwest::Client::new();
    for i in 0..7 {
        let (status, _) = send(
            http.post(format!("{url}/items"))
                .json(&json!({"name": format!("item {i}")})),
        )
        .await;
        assert_eq!(status, 201);
    }
    let mut names = Vec::new();
    let mut query = "limit=3".to_owned();
    loop {
        let (status, page) = send(http.get(format!("{url}/items?{query}"))).await;
        assert_eq!(status, 200);
        names.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["name"].clone()),
        );
        match page["next_token"].as_str() {
            Some(token) => query = format!("limit=3&next_token={token}"),
            None => break,
        }
    }
    assert_eq!(names.len(), 7, "{names:?}");

    let (status, document) = send(http.get(format!("{url}/openapi.json"))).await;
    assert_eq!(status, 200);
    let paths: Vec<&String> = document["paths"].as_object().unwrap().keys().collect();
    assert_eq!(paths, ["/health", "/items", "/items/{id}"]);
    assert!(document["paths"]["/items/{id}"]["put"]["responses"]["409"].is_object());

    // Only the configured origin may call the API from a browser.
    let response = http
        .get(format!("{url}/items"))
        .header("origin", "https://site.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://site.example"
    );
    let response = http
        .get(format!("{url}/items"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(response
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}
