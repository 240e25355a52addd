//! Every setting as a command-line flag with its environment variable, the names taken from
//! the contract crate (the blueprint that sets them uses the same constants).

use std::path::PathBuf;

use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args};
use counter_contract::env;

use super::{Secret, SecretUrl};

/// Every setting, each readable from the environment and overridable by a flag.
#[derive(Args, Debug, Clone)]
pub struct Settings {
    /// Address the HTTP servers bind to.
    #[arg(long, env = env::HTTP_HOST, default_value = "0.0.0.0", global = true)]
    pub http_host: String,
    /// Port of the API (and of the worker's health/metrics endpoint). 0 picks a free port.
    #[arg(long, env = env::HTTP_PORT, default_value_t = counter_contract::DEFAULT_HTTP_PORT, global = true)]
    pub http_port: u16,
    /// Port of the web page served by `counter all`. 0 picks a free port.
    #[arg(long, env = env::WEB_PORT, default_value_t = 8080, global = true)]
    pub web_port: u16,

    /// Redis URL(s), comma-separated for cluster seed nodes; overrides REDIS_HOST/REDIS_PORT.
    #[arg(long, env = env::REDIS_URL, hide_env_values = true, global = true)]
    pub redis_url: Option<SecretUrl>,
    /// Redis host (standalone, or a cluster's configuration endpoint).
    #[arg(long, env = env::REDIS_HOST, global = true)]
    pub redis_host: Option<String>,
    /// Redis port.
    #[arg(long, env = env::REDIS_PORT, default_value_t = 6379, global = true)]
    pub redis_port: u16,
    /// Redis password (e.g. an ElastiCache AUTH token); replaces a password inside REDIS_URL.
    #[arg(long, env = env::REDIS_PASSWORD, hide_env_values = true, global = true)]
    pub redis_password: Option<Secret>,
    /// Redis ACL user to authenticate as with REDIS_PASSWORD (Redis's `default` user if unset).
    #[arg(long, env = env::REDIS_USERNAME, global = true)]
    pub redis_username: Option<String>,
    /// Connect to Redis over TLS (what a `rediss://` URL also asks for), verifying the server's
    /// certificate against the system's CA certificates.
    #[arg(long, env = env::REDIS_TLS, default_value = "false", value_parser = BoolishValueParser::new(), action = ArgAction::Set, global = true)]
    pub redis_tls: bool,
    /// PEM file of the CA certificate(s) to trust for Redis TLS instead of the system's
    /// (a private CA); implies TLS.
    #[arg(long, env = env::REDIS_TLS_CA, global = true)]
    pub redis_tls_ca: Option<PathBuf>,
    /// Use Redis cluster mode (like the seed's ElastiCache setup).
    #[arg(long, env = env::REDIS_CLUSTER, default_value = "false", value_parser = BoolishValueParser::new(), action = ArgAction::Set, global = true)]
    pub redis_cluster: bool,
    /// Name of the Redis stream; the dead-letter stream is `{<name>}:dead`.
    #[arg(long, env = env::REDIS_QUEUE, default_value = "counts", global = true)]
    pub redis_queue: String,

    /// MySQL/MariaDB URL (`mysql://user:pass@host:port/db`) or `sqlite:path`; overrides MYSQL_*.
    #[arg(long, env = env::DATABASE_URL, hide_env_values = true, global = true)]
    pub database_url: Option<SecretUrl>,
    /// MySQL/MariaDB host; unset (and no DATABASE_URL) means the embedded SQLite database.
    #[arg(long, env = env::MYSQL_HOST, global = true)]
    pub mysql_host: Option<String>,
    /// MySQL/MariaDB port.
    #[arg(long, env = env::MYSQL_PORT, default_value_t = 3306, global = true)]
    pub mysql_port: u16,
    /// MySQL/MariaDB user: the administrator that applies migrations (and, without
    /// APP_MYSQL_USER, what every role connects as).
    #[arg(long, env = env::MYSQL_USER, default_value = "root", global = true)]
    pub mysql_user: String,
    /// MySQL/MariaDB password; prefer the environment (a flag shows in process lists).
    #[arg(long, env = env::MYSQL_PASSWORD, hide_env_values = true, global = true)]
    pub mysql_password: Option<Secret>,
    /// MySQL/MariaDB database.
    #[arg(long, env = env::MYSQL_DATABASE, default_value = "counter", global = true)]
    pub mysql_database: String,
    /// `true`: encrypt the MySQL connection or fail (ssl-mode REQUIRED, no certificate check);
    /// `false`: never encrypt. Unset: DATABASE_URL's `ssl-mode`, else use TLS if offered.
    #[arg(long, env = env::MYSQL_TLS, value_parser = BoolishValueParser::new(), action = ArgAction::Set, global = true)]
    pub mysql_tls: Option<bool>,
    /// PEM bundle of the CA(s) that signed the MySQL server's certificate (e.g. the RDS bundle):
    /// TLS with the certificate and host name verified (ssl-mode VERIFY_IDENTITY).
    #[arg(long, env = env::MYSQL_TLS_CA, global = true)]
    pub mysql_tls_ca: Option<PathBuf>,
    /// The application's MySQL user, without administrator rights: `migrate` creates it (or
    /// sets its password) with exactly the privileges the API and the worker need; `api`,
    /// `worker` and `all` connect as it.
    #[arg(long, env = env::APP_MYSQL_USER, global = true)]
    pub app_mysql_user: Option<String>,
    /// Password of APP_MYSQL_USER.
    #[arg(long, env = env::APP_MYSQL_PASSWORD, hide_env_values = true, global = true)]
    pub app_mysql_password: Option<Secret>,

    /// Directory of the embedded backends (SQLite queue and database).
    #[arg(long, env = env::DATA_DIR, default_value = "./counter-data", global = true)]
    pub data_dir: PathBuf,

    /// Allowed CORS origins, comma-separated; `*` allows any origin.
    #[arg(long, env = env::CORS_ALLOW_ORIGINS, default_value = "*", global = true)]
    pub cors_allow_origins: String,
    /// Largest accepted request body in bytes.
    #[arg(long, env = env::MAX_BODY_BYTES, default_value_t = 1024, global = true)]
    pub max_body_bytes: usize,
    /// Apply migrations when a role starts (turn off when the runtime user lacks DDL rights).
    #[arg(long, env = env::MIGRATE_ON_START, default_value = "true", value_parser = BoolishValueParser::new(), action = ArgAction::Set, global = true)]
    pub migrate_on_start: bool,

    /// Consumer name; a restarted worker with the same name takes back its in-flight messages
    /// at once. Defaults to the hostname (unique per container).
    #[arg(long, env = env::WORKER_ID, global = true)]
    pub worker_id: Option<String>,
    /// Most messages moved per database transaction.
    #[arg(long, env = env::WORKER_BATCH_SIZE, default_value_t = 500, global = true)]
    pub worker_batch_size: usize,
    /// Deliveries after which a message goes to the dead-letter queue.
    #[arg(long, env = env::WORKER_MAX_DELIVERIES, default_value_t = 10, global = true)]
    pub worker_max_deliveries: u32,
    /// How long a message may stay unacknowledged before another worker reclaims it.
    #[arg(long, env = env::WORKER_CLAIM_IDLE_MS, default_value_t = 30_000, global = true)]
    pub worker_claim_idle_ms: u64,

    /// `text` or `json`.
    #[arg(long, env = env::LOG_FORMAT, default_value = "text", global = true)]
    pub log_format: LogFormat,

    /// The worker writes the queue depth to stdout as a CloudWatch embedded-metric-format line
    /// (`Counter/QueueDepth`, dimension `Queue`). Unset: on when LOG_FORMAT is `json`.
    #[arg(long, env = env::CLOUDWATCH_METRICS, value_parser = BoolishValueParser::new(), action = ArgAction::Set, global = true)]
    pub cloudwatch_metrics: Option<bool>,
    /// Seconds between two queue-depth metric lines; 0 turns them off.
    #[arg(long, env = env::QUEUE_DEPTH_METRIC_INTERVAL_SECS, default_value_t = 60, global = true)]
    pub queue_depth_metric_interval_secs: u64,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl Settings {
    /// `None` means any origin.
    pub fn cors_origins(&self) -> Option<Vec<String>> {
        let origins: Vec<String> = self
            .cors_allow_origins
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        if origins.is_empty() || origins.iter().any(|o| o == "*") {
            None
        } else {
            Some(origins)
        }
    }
}
