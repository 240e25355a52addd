//! The web page, compiled into the binary for `counter all`. The same files in `web/` are the
//! deployable static site (S3 + CloudFront); only `config.json` differs per environment.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

const INDEX_HTML: &str = include_str!("../web/index.html");
const APP_JS: &str = include_str!("../web/app.js");
const STYLE_CSS: &str = include_str!("../web/style.css");

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, content_type)], body)
}

/// Serves the page; its `config.json` points at the API on `api_port` of the host the browser
/// used, so the page works on localhost and from other machines alike.
pub fn router(api_port: u16) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { asset("text/html; charset=utf-8", INDEX_HTML) }),
        )
        .route(
            "/index.html",
            get(|| async { asset("text/html; charset=utf-8", INDEX_HTML) }),
        )
        .route(
            "/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }),
        )
        .route(
            "/style.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE_CSS) }),
        )
        .route("/config.json", get(config))
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found") })
        .with_state(api_port)
}

async fn config(State(api_port): State<u16>, headers: HeaderMap) -> impl IntoResponse {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map_or("localhost", host_without_port);
    (
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({ "apiUrl": format!("http://{host}:{api_port}") })),
    )
}

/// `example.com:8080` → `example.com`, `[::1]:8080` → `[::1]`.
fn host_without_port(host: &str) -> &str {
    match host.rfind(':') {
        Some(i) if !host[i..].contains(']') => &host[..i],
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::host_without_port;

    #[test]
    fn strips_ports_but_not_ipv6_addresses() {
        assert_eq!(host_without_port("localhost:8080"), "localhost");
        assert_eq!(host_without_port("[::1]:8080"), "[::1]");
        assert_eq!(host_without_port("[::1]"), "[::1]");
        assert_eq!(host_without_port("example.com"), "example.com");
    }
}
