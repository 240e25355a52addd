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
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::count_request::{parse_count, CountRequest};
use crate::db::Database;
use crate::message::CountMessage;
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
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
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

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Accepted {
    #[schema(example = "queued")]
    pub status: String,
    /// The message id; the worker stores each id once.
    pub id: String,
    pub count: i64,
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

    /// The health paths of the contract (what the blueprint's checks probe) are served.
    #[test]
    fn the_contract_s_health_paths_are_served() {
        let document = openapi();
        for path in [counter_contract::HEALTH_PATH, counter_contract::READY_PATH] {
            let item = document.paths.paths.get(path);
            assert!(item.is_some_and(|item| item.get.is_some()), "GET {path}");
        }
    }
}
