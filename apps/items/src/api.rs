//! The HTTP API (axum). Routes and their OpenAPI document come from the same `utoipa`
//! annotations, so `/openapi.json` cannot drift from what is served.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::item::{check_id, Invalid, Item, ItemUpdate, NewItem, Page};
use crate::store::{decode_token, Store, StoreError};

/// Items per page unless `limit` says otherwise, and the most a page may hold.
pub const DEFAULT_LIMIT: usize = 25;
pub const MAX_LIMIT: usize = 100;

type Shared = Arc<dyn Store>;

#[derive(OpenApi)]
#[openapi(info(
    title = "items",
    description = "Items API of the web-pipeline blueprint: items with versions; writes are conditional (create if absent, update and delete at the expected version)."
))]
struct ApiDoc;

fn routes() -> OpenApiRouter<Shared> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health))
        .routes(routes!(list_items, create_item))
        .routes(routes!(get_item, update_item, delete_item))
}

/// The OpenAPI document of the API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().split_for_parts().1
}

/// `None` allows any origin.
pub fn router(store: Arc<dyn Store>, cors_origins: Option<&[String]>) -> Router {
    let (router, document) = routes().split_for_parts();
    // Rendered once: the document does not change while the process runs.
    let document = serde_json::to_string(&document).expect("the OpenAPI document serializes");
    router
        .route(
            "/openapi.json",
            get(move || async move { ([(header::CONTENT_TYPE, "application/json")], document) }),
        )
        .merge(crate::web::router())
        .fallback(not_found)
        .layer(cors(cors_origins))
        .with_state(store)
}

fn cors(origins: Option<&[String]>) -> CorsLayer {
    let allow_origin = match origins {
        None => AllowOrigin::from(Any),
        Some(list) => AllowOrigin::list(list.iter().filter_map(|o| HeaderValue::from_str(o).ok())),
    };
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([header::CONTENT_TYPE])
        .max_age(Duration::from_secs(3600))
}

/// The body of every error response.
#[derive(Serialize, Deserialize, ToSchema, Debug)]
pub struct ErrorBody {
    /// Machine-readable: `invalid`, `not_found`, `already_exists`, `version_conflict`,
    /// `bad_token`, `unavailable`.
    #[schema(example = "version_conflict")]
    pub error: String,
    /// What went wrong, for people.
    pub message: String,
    /// With `version_conflict`: the item's current version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_version: Option<u64>,
}

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    current_version: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            current_version: None,
        }
    }
}

impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        ApiError::new(e.status(), "invalid", e.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(e: QueryRejection) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid", e.body_text())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        let message = e.to_string();
        match e {
            StoreError::NotFound(_) => ApiError::new(StatusCode::NOT_FOUND, "not_found", message),
            StoreError::AlreadyExists(_) => {
                ApiError::new(StatusCode::CONFLICT, "already_exists", message)
            }
            StoreError::VersionConflict { current, .. } => ApiError {
                current_version: Some(current),
                ..ApiError::new(StatusCode::CONFLICT, "version_conflict", message)
            },
            StoreError::BadToken => ApiError::new(StatusCode::BAD_REQUEST, "bad_token", message),
            StoreError::Backend(e) => {
                tracing::warn!(error = %format!("{e:#}"), "store unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the item store is unavailable; retry shortly",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.code.to_owned(),
            message: self.message,
            current_version: self.current_version,
        };
        (self.status, Json(body)).into_response()
    }
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
}

/// Liveness: the process answers (the load balancer's health check; it does not call the
/// table, so a slow table does not take every task out of service).
#[utoipa::path(get, path = "/health", responses((status = 200, body = Health)))]
async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".to_owned(),
    })
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Items per page, 1 to 100 (default 25).
    limit: Option<usize>,
    /// The `next_token` of the previous page.
    next_token: Option<String>,
}

/// A page of items.
#[utoipa::path(get, path = "/items", params(ListQuery), responses(
    (status = 200, body = Page),
    (status = 400, body = ErrorBody, description = "Bad limit or next token"),
    (status = 503, body = ErrorBody, description = "Store unavailable"),
))]
async fn list_items(
    State(store): State<Shared>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Page>, ApiError> {
    let Query(query) = query?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid",
            format!("limit: from 1 to {MAX_LIMIT}"),
        ));
    }
    let after = query.next_token.as_deref().map(decode_token).transpose()?;
    Ok(Json(store.list(limit, after).await?))
}

/// Create an item, only if no item has its id.
#[utoipa::path(post, path = "/items", request_body = NewItem, responses(
    (status = 201, body = Item, description = "Created at version 1"),
    (status = 409, body = ErrorBody, description = "An item with this id exists"),
    (status = 422, body = ErrorBody, description = "Missing, unknown or invalid field"),
    (status = 503, body = ErrorBody, description = "Store unavailable; nothing was written"),
))]
async fn create_item(
    State(store): State<Shared>,
    body: Result<Json<NewItem>, JsonRejection>,
) -> Result<(StatusCode, Json<Item>), ApiError> {
    let Json(new) = body?;
    let item = new.into_item()?;
    store.create(&item).await?;
    Ok((StatusCode::CREATED, Json(item)))
}

/// One item.
#[utoipa::path(get, path = "/items/{id}", responses(
    (status = 200, body = Item),
    (status = 404, body = ErrorBody),
))]
async fn get_item(
    State(store): State<Shared>,
    Path(id): Path<String>,
) -> Result<Json<Item>, ApiError> {
    check_id(&id)?;
    Ok(Json(store.get(&id).await?))
}

/// Replace an item's name and description, only if it is still at `version`.
#[utoipa::path(put, path = "/items/{id}", request_body = ItemUpdate, responses(
    (status = 200, body = Item, description = "Updated; its version grew by one"),
    (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody, description = "The item is at another version (current_version)"),
    (status = 422, body = ErrorBody),
))]
async fn update_item(
    State(store): State<Shared>,
    Path(id): Path<String>,
    body: Result<Json<ItemUpdate>, JsonRejection>,
) -> Result<Json<Item>, ApiError> {
    check_id(&id)?;
    let Json(update) = body?;
    update.check()?;
    let item = store
        .update(&id, update.version, &update.name, &update.description)
        .await?;
    Ok(Json(item))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeleteQuery {
    /// The version the client last read.
    version: u64,
}

/// Delete an item, only if it is still at `version`.
#[utoipa::path(delete, path = "/items/{id}", params(DeleteQuery), responses(
    (status = 204, description = "Deleted"),
    (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody, description = "The item is at another version (current_version)"),
))]
async fn delete_item(
    State(store): State<Shared>,
    Path(id): Path<String>,
    query: Result<Query<DeleteQuery>, QueryRejection>,
) -> Result<StatusCode, ApiError> {
    check_id(&id)?;
    let Query(query) = query?;
    store.delete(&id, query.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The contract's health path (what the load balancer probes) is served.
    #[test]
    fn the_contract_s_health_path_is_served() {
        let document = openapi();
        let item = document.paths.paths.get(items_contract::HEALTH_PATH);
        assert!(item.is_some_and(|item| item.get.is_some()));
    }
}
