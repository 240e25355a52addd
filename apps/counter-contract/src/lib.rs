//! The contract between the `counter` workload (`apps/counter`) and what runs it (the
//! `queue_counter` blueprint's task definitions): the environment variables the binary reads,
//! its subcommands, its port and health path, and the metric it publishes. One source for both
//! sides: `apps/counter` declares its settings with these names, and a test there proves that
//! [`env::READ`] is exactly the set of variables its command line reads.
//!
//! No dependencies, only constants, so a blueprint can use it without compiling the workload.

/// Environment variable names, grouped by what they configure. See `apps/counter/README.md`
/// for their meaning and defaults.
pub mod env {
    // HTTP servers.
    /// Address the HTTP servers bind to.
    pub const HTTP_HOST: &str = "HTTP_HOST";
    /// Port of the API and of the worker's health/metrics endpoint.
    pub const HTTP_PORT: &str = "HTTP_PORT";
    /// Port of the web page of `counter all`.
    pub const WEB_PORT: &str = "WEB_PORT";
    /// Allowed CORS origins, comma-separated; `*` for any.
    pub const CORS_ALLOW_ORIGINS: &str = "CORS_ALLOW_ORIGINS";
    /// Largest accepted request body in bytes.
    pub const MAX_BODY_BYTES: &str = "MAX_BODY_BYTES";

    // Redis (the queue).
    /// `redis://` / `rediss://` URL(s); overrides host and port.
    pub const REDIS_URL: &str = "REDIS_URL";
    pub const REDIS_HOST: &str = "REDIS_HOST";
    pub const REDIS_PORT: &str = "REDIS_PORT";
    /// A secret (e.g. the ElastiCache AUTH token).
    pub const REDIS_PASSWORD: &str = "REDIS_PASSWORD";
    pub const REDIS_USERNAME: &str = "REDIS_USERNAME";
    /// `true`: TLS to Redis.
    pub const REDIS_TLS: &str = "REDIS_TLS";
    /// PEM file of the CA certificate(s) to trust instead of the system's.
    pub const REDIS_TLS_CA: &str = "REDIS_TLS_CA";
    /// `true`: Redis cluster mode.
    pub const REDIS_CLUSTER: &str = "REDIS_CLUSTER";
    /// Name of the stream.
    pub const REDIS_QUEUE: &str = "REDIS_QUEUE";

    // MySQL/MariaDB (the database).
    /// `mysql://…` or `sqlite:path`; overrides the `MYSQL_*` connection parts.
    pub const DATABASE_URL: &str = "DATABASE_URL";
    pub const MYSQL_HOST: &str = "MYSQL_HOST";
    pub const MYSQL_PORT: &str = "MYSQL_PORT";
    /// The administrator (schema owner): what `counter migrate` connects as. Also what the
    /// services connect as when no [`APP_MYSQL_USER`] is set.
    pub const MYSQL_USER: &str = "MYSQL_USER";
    /// A secret: the password of [`MYSQL_USER`].
    pub const MYSQL_PASSWORD: &str = "MYSQL_PASSWORD";
    pub const MYSQL_DATABASE: &str = "MYSQL_DATABASE";
    /// `true`: TLS or no connection; `false`: plaintext.
    pub const MYSQL_TLS: &str = "MYSQL_TLS";
    /// PEM bundle of the server certificate's CA(s): TLS with the certificate verified.
    pub const MYSQL_TLS_CA: &str = "MYSQL_TLS_CA";
    /// The application user (no administrator rights): `counter migrate` creates it with the
    /// privileges the API and the worker need; `api`, `worker` and `all` connect as it.
    pub const APP_MYSQL_USER: &str = "APP_MYSQL_USER";
    /// A secret: the password of [`APP_MYSQL_USER`] (`counter migrate` sets it, so a rotated
    /// secret applies at the next migration).
    pub const APP_MYSQL_PASSWORD: &str = "APP_MYSQL_PASSWORD";
    /// `true`: each role applies migrations at start (needs DDL rights).
    pub const MIGRATE_ON_START: &str = "MIGRATE_ON_START";

    // Embedded backends.
    /// Directory of the embedded SQLite queue and database.
    pub const DATA_DIR: &str = "DATA_DIR";

    // Worker.
    /// Consumer name (default: the hostname).
    pub const WORKER_ID: &str = "WORKER_ID";
    pub const WORKER_BATCH_SIZE: &str = "WORKER_BATCH_SIZE";
    pub const WORKER_MAX_DELIVERIES: &str = "WORKER_MAX_DELIVERIES";
    pub const WORKER_CLAIM_IDLE_MS: &str = "WORKER_CLAIM_IDLE_MS";

    // Logs and metrics.
    /// `text` or `json`.
    pub const LOG_FORMAT: &str = "LOG_FORMAT";
    /// `true`: the queue depth as CloudWatch EMF lines on stdout (default: with JSON logs).
    pub const CLOUDWATCH_METRICS: &str = "CLOUDWATCH_METRICS";
    pub const QUEUE_DEPTH_METRIC_INTERVAL_SECS: &str = "QUEUE_DEPTH_METRIC_INTERVAL_SECS";

    /// Every variable the binary's settings read (each also a `--kebab-case` flag).
    pub const READ: &[&str] = &[
        HTTP_HOST,
        HTTP_PORT,
        WEB_PORT,
        CORS_ALLOW_ORIGINS,
        MAX_BODY_BYTES,
        REDIS_URL,
        REDIS_HOST,
        REDIS_PORT,
        REDIS_PASSWORD,
        REDIS_USERNAME,
        REDIS_TLS,
        REDIS_TLS_CA,
        REDIS_CLUSTER,
        REDIS_QUEUE,
        DATABASE_URL,
        MYSQL_HOST,
        MYSQL_PORT,
        MYSQL_USER,
        MYSQL_PASSWORD,
        MYSQL_DATABASE,
        MYSQL_TLS,
        MYSQL_TLS_CA,
        APP_MYSQL_USER,
        APP_MYSQL_PASSWORD,
        MIGRATE_ON_START,
        DATA_DIR,
        WORKER_ID,
        WORKER_BATCH_SIZE,
        WORKER_MAX_DELIVERIES,
        WORKER_CLAIM_IDLE_MS,
        LOG_FORMAT,
        CLOUDWATCH_METRICS,
        QUEUE_DEPTH_METRIC_INTERVAL_SECS,
    ];

    /// Secrets among [`READ`]: a task definition should set these from a secret store, not as
    /// plain environment values.
    pub const SECRETS: &[&str] = &[REDIS_PASSWORD, MYSQL_PASSWORD, APP_MYSQL_PASSWORD];

    // Read by libraries inside the binary, not by its settings.
    /// Log filter (`tracing-subscriber`; default `info`).
    pub const RUST_LOG: &str = "RUST_LOG";
    /// Runtime threads (tokio); 1 suits a 1-vCPU task.
    pub const TOKIO_WORKER_THREADS: &str = "TOKIO_WORKER_THREADS";
    /// A PEM file that replaces the system's CA certificates (rustls-native-certs).
    pub const SSL_CERT_FILE: &str = "SSL_CERT_FILE";

    /// Variables the binary's libraries read; valid in a task definition beside [`READ`].
    pub const READ_BY_LIBRARIES: &[&str] = &[RUST_LOG, TOKIO_WORKER_THREADS, SSL_CERT_FILE];
}

/// The subcommands (the container's command).
pub mod command {
    /// The producer HTTP API.
    pub const API: &str = "api";
    /// The consumer: queue → database; serves health and metrics.
    pub const WORKER: &str = "worker";
    /// Applies migrations (and creates the application user) and exits.
    pub const MIGRATE: &str = "migrate";
    /// API, worker and web page in one process.
    pub const ALL: &str = "all";
    /// Probes the process's own health endpoint; exit 0 when healthy, 1 otherwise (a container
    /// health check in an image without curl).
    pub const HEALTH: &str = "health";

    /// Every subcommand.
    pub const ALL_COMMANDS: &[&str] = &[API, WORKER, MIGRATE, ALL, HEALTH];
}

/// Port of the API (and of the worker's health endpoint) when `HTTP_PORT` is not set.
pub const DEFAULT_HTTP_PORT: u16 = 5080;
/// Liveness: 200 while the process serves (load balancer and container health checks).
pub const HEALTH_PATH: &str = "/health";
/// Readiness: 200 only while the queue and the database answer, else 503.
pub const READY_PATH: &str = "/health/ready";

/// The queue-depth metric the worker publishes (CloudWatch embedded metric format on stdout).
pub mod metric {
    pub const NAMESPACE: &str = "Counter";
    /// The metric: messages waiting or in flight.
    pub const QUEUE_DEPTH: &str = "QueueDepth";
    /// Its one dimension, whose value is `REDIS_QUEUE`.
    pub const QUEUE_DIMENSION: &str = "Queue";
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn lists_have_no_duplicates_and_secrets_are_read() {
        let read: BTreeSet<&str> = env::READ.iter().copied().collect();
        assert_eq!(read.len(), env::READ.len());
        assert!(env::SECRETS.iter().all(|s| read.contains(s)));
        assert!(env::READ_BY_LIBRARIES.iter().all(|s| !read.contains(s)));
        let commands: BTreeSet<&str> = command::ALL_COMMANDS.iter().copied().collect();
        assert_eq!(commands.len(), command::ALL_COMMANDS.len());
    }
}
