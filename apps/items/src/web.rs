//! The web page (`apps/items/web`), compiled in, so `items` alone serves page and API on a
//! laptop. On AWS the same files are the blueprint's CloudFront site, and `config.json` (written
//! by deploy from the stack's outputs) points the page at the API.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

const INDEX: &str = include_str!("../web/index.html");
const APP: &str = include_str!("../web/app.js");
const STYLE: &str = include_str!("../web/style.css");

fn file(content_type: &'static str, body: &'static str) -> impl IntoResponse + Clone {
    ([(header::CONTENT_TYPE, content_type)], body)
}

/// `/`, `/index.html`, `/app.js`, `/style.css`, and a `config.json` that names this origin.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    let index = file("text/html; charset=utf-8", INDEX);
    Router::new()
        .route("/", get(index.clone()))
        .route("/index.html", get(index))
        .route("/app.js", get(file("text/javascript; charset=utf-8", APP)))
        .route("/style.css", get(file("text/css; charset=utf-8", STYLE)))
        .route(
            "/config.json",
            get(file("application/json", "{\"apiUrl\": \"\"}")),
        )
}
