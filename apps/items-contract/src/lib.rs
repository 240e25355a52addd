//! The contract between the `items` API (`apps/items`) and what runs it (the `web-app`
//! blueprint's task definition): the environment variables the binary reads, its port and
//! health path, and the table's key. One source for both sides: `apps/items` reads exactly
//! [`env::READ`], and a test there proves it.
//!
//! No dependencies, only constants, so a blueprint can use it without compiling the workload.

/// Environment variable names. See `apps/items/README.md` for their meaning and defaults.
pub mod env {
    /// Address the HTTP server binds to (default `127.0.0.1`; `0.0.0.0` in a container).
    pub const HTTP_HOST: &str = "HTTP_HOST";
    /// Port of the API (default [`super::DEFAULT_HTTP_PORT`]).
    pub const HTTP_PORT: &str = "HTTP_PORT";
    /// The DynamoDB table; unset: items live in memory (the laptop default).
    pub const ITEMS_TABLE: &str = "ITEMS_TABLE";
    /// Allowed CORS origins, comma-separated; `*` (the default) for any.
    pub const CORS_ALLOW_ORIGINS: &str = "CORS_ALLOW_ORIGINS";
    /// `text` (default) or `json`.
    pub const LOG_FORMAT: &str = "LOG_FORMAT";

    /// Every variable the binary reads (the AWS SDK's own, such as `AWS_REGION` and
    /// `AWS_ENDPOINT_URL`, aside).
    pub const READ: &[&str] = &[
        HTTP_HOST,
        HTTP_PORT,
        ITEMS_TABLE,
        CORS_ALLOW_ORIGINS,
        LOG_FORMAT,
    ];
}

/// The port the API listens on unless told otherwise.
pub const DEFAULT_HTTP_PORT: u16 = 8080;

/// Liveness: 200 while the process answers (the load balancer's health check).
pub const HEALTH_PATH: &str = "/health";

/// The table's partition key: the item id, a string.
pub const PARTITION_KEY: &str = "id";
