//! The producer HTTP API (axum). Routes and their OpenAPI document come from the same
//! `utoipa` annotations and router, so the document cannot drift from what is served.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::error::Category;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::Database;
use crate::message::{CountMessage, MAX_ABS_COUNT};
use crate::metrics::Metrics;
use crate::queue::Queue;
use crate::request_metrics::CountRequestsLayer;

/// Longest wait for the queue or database before answering 503.
const BACKEND_TIMEOUT: Duration = Duration::from_secs(3);

/// What every handler sees; behind one `Arc` so that handing it to a request costs one
/// reference count, not a clone per field.
pub struct AppState {
    pub queue: Arc<dyn Queue>,
    pub db: Arc<dyn Database>,
    pub metrics: Arc<Metrics>,
    pub hostname: String,
}

type Shared = Arc<AppState>;

/// What the router serves: the full API, or only the operational endpoints (worker role).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Api,
    OpsOnly,
}

pub struct HttpOptions {
    /// `None` allows any origin.
    pub cors_origins: Option<Vec<String>>,
    pub max_body_bytes: usize,
}

#[derive(OpenApi)]
#[openapi(info(
    title = "counter",
    description = "Producer API of the counter workloads: queue counts, read what the worker stored."
))]
struct ApiDoc;

/// The routes of `role` and their OpenAPI document.
fn routes(role: Role) -> OpenApiRouter<Shared> {
    let ops = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health))
        .routes(routes!(ready))
        .routes(routes!(metrics));
    match role {
        Role::OpsOnly => ops,
        Role::Api => ops
            .routes(routes!(root))
            .routes(routes!(post_count, get_count)),
    }
}

/// The OpenAPI document of the full API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes(Role::Api).split_for_parts().1
}

pub fn router(state: Arc<AppState>, role: Role, options: &HttpOptions) -> Router {
    let (router, document) = routes(role).split_for_parts();
    let document = Arc::new(document);
    router
        .route(
            "/openapi.json",
            get(move || {
                let document = document.clone();
                async move { Json(document) }
            }),
        )
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(options.max_body_bytes))
        .layer(CountRequestsLayer {
            metrics: state.metrics.clone(),
        })
        .layer(cors(options.cors_origins.as_deref()))
        .with_state(state)
}

fn cors(origins: Option<&[String]>) -> CorsLayer {
    let allow_origin = match origins {
        None => AllowOrigin::from(Any),
        Some(list) => AllowOrigin::list(list.iter().filter_map(|o| HeaderValue::from_str(o).ok())),
    };
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([header::CONTENT_TYPE])
        .max_age(Duration::from_secs(3600))
}

/// The body of every error response.
#[derive(Serialize, Deserialize, ToSchema, Debug)]
pub struct ErrorBody {
    /// Machine-readable error code.
    #[schema(example = "invalid_field")]
    pub error: String,
    /// What went wrong, for people.
    pub message: String,
}

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    fn unavailable(what: &str, error: &anyhow::Error) -> Self {
        tracing::warn!(error = %format!("{error:#}"), "{what} unavailable");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            format!("the {what} is unavailable; retry shortly"),
        )
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Json(ErrorBody {
            error: self.code.to_owned(),
            message: self.message,
        });
        let mut response = (self.status, body).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

/// Runs a backend call with the API's deadline.
async fn within_deadline<T>(
    what: &str,
    call: impl std::future::Future<Output = anyhow::Result<T>>,
) -> Result<T, ApiError> {
    match tokio::time::timeout(BACKEND_TIMEOUT, call).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(ApiError::unavailable(what, &e)),
        Err(_) => Err(ApiError::unavailable(what, &anyhow::anyhow!("timed out"))),
    }
}

/// Empty 200, as in the seed.
#[utoipa::path(get, path = "/", responses((status = 200, description = "Empty body")))]
async fn root() -> StatusCode {
    StatusCode::OK
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
    pub hostname: String,
}

/// Liveness: the process answers (for load-balancer health checks).
#[utoipa::path(get, path = "/health", responses((status = 200, body = Health)))]
async fn health(State(state): State<Shared>) -> Json<Health> {
    Json(Health {
        status: "ok".to_owned(),
        hostname: state.hostname.clone(),
    })
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
pub enum DependencyState {
    Up,
    Down,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Readiness {
    /// `ready` or `unavailable`.
    pub status: String,
    pub queue: DependencyState,
    pub database: DependencyState,
    pub hostname: String,
}

/// Readiness: 200 only when both queue and database answer.
#[utoipa::path(get, path = "/health/ready", responses(
    (status = 200, body = Readiness, description = "Queue and database answer"),
    (status = 503, body = Readiness, description = "A dependency does not answer"),
))]
async fn ready(State(state): State<Shared>) -> (StatusCode, Json<Readiness>) {
    let (queue, database) = tokio::join!(
        within_deadline("queue", state.queue.ping()),
        within_deadline("database", state.db.ping()),
    );
    let up = |r: &Result<(), ApiError>| {
        if r.is_ok() {
            DependencyState::Up
        } else {
            DependencyState::Down
        }
    };
    let (queue, database) = (up(&queue), up(&database));
    let all_up = queue == DependencyState::Up && database == DependencyState::Up;
    let status = if all_up {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = Readiness {
        status: if all_up { "ready" } else { "unavailable" }.to_owned(),
        queue,
        database,
        hostname: state.hostname.clone(),
    };
    (status, Json(body))
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", responses(
    (status = 200, content_type = "text/plain; version=0.0.4", body = String),
))]
async fn metrics(State(state): State<Shared>) -> impl IntoResponse {
    let depth = tokio::time::timeout(Duration::from_secs(1), state.queue.depth())
        .await
        .ok()
        .and_then(Result::ok);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(depth),
    )
}

/// Body of `POST /count`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountRequest {
    /// An integer within ±(2^53 − 1), e.g. the current unix time.
    #[schema(value_type = i64, minimum = -9007199254740991_i64, maximum = 9007199254740991_i64, example = 1700000000)]
    pub count: serde_json::Number,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Accepted {
    #[schema(example = "queued")]
    pub status: String,
    /// The message id; the worker stores each id once.
    pub id: String,
    pub count: i64,
}

/// Checks the content type and body of `POST /count`; every fault is a 4xx.
pub fn parse_count(content_type: Option<&str>, body: &[u8]) -> Result<i64, ApiError> {
    let media_type = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase());
    let is_json = media_type.as_deref().is_some_and(|m| {
        m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
    });
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as Content-Type: application/json",
        ));
    }
    // Derived struct deserialisers also accept arrays (`[1]`): insist on an object first.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(_) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                "body must be a JSON object like {\"count\": 1}",
            ),
            Err(e) => json_error(&e),
        });
    }
    let request: CountRequest = serde_json::from_slice(body).map_err(|e| json_error(&e))?;
    let out_of_range = || {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "out_of_range",
            format!("count must be within ±{MAX_ABS_COUNT}"),
        )
    };
    match request.count.as_i64() {
        Some(n) if n.abs() <= MAX_ABS_COUNT => Ok(n),
        Some(_) => Err(out_of_range()),
        None if request.count.is_u64() => Err(out_of_range()),
        None => {
            let f = request.count.as_f64().unwrap_or(f64::NAN);
            if f.fract() == 0.0 && f.abs() > MAX_ABS_COUNT as f64 {
                Err(out_of_range())
            } else {
                Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_field",
                    "count must be an integer",
                ))
            }
        }
    }
}

/// Maps a JSON error to 400 (not JSON) or 422 (JSON of the wrong shape or range).
fn json_error(error: &serde_json::Error) -> ApiError {
    let unprocessable =
        |code, message: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message);
    if error.to_string().contains("number out of range") {
        return unprocessable("out_of_range", "count is out of range".to_owned());
    }
    match error.classify() {
        Category::Data => unprocessable("invalid_field", error.to_string()),
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("body is not valid JSON: {error}"),
        ),
    }
}

/// Queue a count. Answers 202 only after the queue acknowledged the write.
#[utoipa::path(post, path = "/count",
    request_body(content = CountRequest, content_type = "application/json"),
    responses(
        (status = 202, body = Accepted, description = "Queued; the worker will store it"),
        (status = 400, body = ErrorBody, description = "Body is not valid JSON"),
        (status = 413, body = ErrorBody, description = "Body too large"),
        (status = 415, body = ErrorBody, description = "Content-Type is not JSON"),
        (status = 422, body = ErrorBody, description = "Missing, unknown, mistyped or out-of-range field"),
        (status = 503, body = ErrorBody, description = "Queue unavailable; nothing was queued"),
    ))]
async fn post_count(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let body = body.map_err(|rejection| {
        let status = rejection.status();
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "body_too_large"
        } else {
            "bad_body"
        };
        ApiError::new(status, code, rejection.body_text())
    })?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let count = parse_count(content_type, &body)?;
    let message = CountMessage::new(count);
    if let Err(e) = within_deadline("queue", state.queue.enqueue(&message)).await {
        Metrics::add(&state.metrics.enqueue_failures, 1);
        return Err(e);
    }
    Metrics::add(&state.metrics.enqueued, 1);
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            status: "queued".to_owned(),
            id: message.id.to_string(),
            count,
        }),
    ))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct CountSummary {
    /// Rows stored so far.
    pub count: i64,
    /// The latest stored count, or null when there is none.
    pub last: Option<i64>,
    pub hostname: String,
}

/// Number of stored rows and the latest value.
#[utoipa::path(get, path = "/count", responses(
    (status = 200, body = CountSummary),
    (status = 503, body = ErrorBody, description = "Database unavailable"),
))]
async fn get_count(State(state): State<Shared>) -> Result<Json<CountSummary>, ApiError> {
    let summary = within_deadline("database", state.db.summary()).await?;
    Ok(Json(CountSummary {
        count: summary.count,
        last: summary.last,
        hostname: state.hostname.clone(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status_of(content_type: Option<&str>, body: &str) -> u16 {
        match parse_count(content_type, body.as_bytes()) {
            Ok(_) => 202,
            Err(e) => e.status().as_u16(),
        }
    }

    #[test]
    fn accepts_integers_with_json_media_types() {
        assert_eq!(
            parse_count(Some("application/json"), b"{\"count\": 17}").unwrap(),
            17
        );
        assert_eq!(
            parse_count(Some("Application/JSON; charset=utf-8"), b"{\"count\":-5}").unwrap(),
            -5
        );
        assert_eq!(
            parse_count(
                Some("application/vnd.counter+json"),
                b"{\"count\":9007199254740991}"
            )
            .unwrap(),
            MAX_ABS_COUNT
        );
    }

    #[test]
    fn every_fault_is_a_specific_4xx() {
        let json = Some("application/json");
        assert_eq!(status_of(None, "{\"count\":1}"), 415);
        assert_eq!(status_of(Some("text/plain"), "{\"count\":1}"), 415);
        assert_eq!(status_of(json, "{\"count\":"), 400);
        assert_eq!(status_of(json, ""), 400);
        assert_eq!(status_of(json, "{}"), 422);
        assert_eq!(status_of(json, "[1]"), 422);
        assert_eq!(status_of(json, "{\"count\":\"1\"}"), 422);
        assert_eq!(status_of(json, "{\"count\":1.5}"), 422);
        assert_eq!(status_of(json, "{\"count\":null}"), 422);
        assert_eq!(status_of(json, "{\"count\":1,\"extra\":2}"), 422);
        assert_eq!(status_of(json, "{\"count\":1,\"count\":2}"), 422);
        assert_eq!(status_of(json, "{\"count\":9007199254740992}"), 422);
        assert_eq!(status_of(json, "{\"count\":18446744073709551616}"), 422);
        assert_eq!(status_of(json, "{\"count\":1e400}"), 422);
    }
}
