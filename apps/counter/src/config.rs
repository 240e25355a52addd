//! Settings from the environment (the seed's variable names) with command-line overrides,
//! resolved into the backends to use. Secrets never reach `Debug` or the logs.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args};
use url::Url;

/// A string that must never be printed: `Debug` and `Display` show `***`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

/// A connection URL that may carry a password. Displays with the password replaced by `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretUrl(Secret);

impl SecretUrl {
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl FromStr for SecretUrl {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(Secret::new(s)))
    }
}

impl fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(self.expose()))
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

/// `scheme://user:pass@host/db` → `scheme://user:***@host/db`; anything unparsable is hidden whole,
/// because it might be a password pasted into the wrong variable.
pub fn redact_url(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut url) => {
            if url.password().is_some() {
                let _ = url.set_password(Some("***"));
            }
            url.to_string()
        }
        Err(_) => "<unparsable url>".to_owned(),
    }
}

/// Every setting, each readable from the environment and overridable by a flag.
#[derive(Args, Debug, Clone)]
pub struct Settings {
    /// Address the HTTP servers bind to.
    #[arg(long, env = "HTTP_HOST", default_value = "0.0.0.0", global = true)]
    pub http_host: String,
    /// Port of the API (and of the worker's health/metrics endpoint). 0 picks a free port.
    #[arg(long, env = "HTTP_PORT", default_value_t = 5080, global = true)]
    pub http_port: u16,
    /// Port of the web page served by `counter all`. 0 picks a free port.
    #[arg(long, env = "WEB_PORT", default_value_t = 8080, global = true)]
    pub web_port: u16,

    /// Redis URL(s), comma-separated for cluster seed nodes; overrides REDIS_HOST/REDIS_PORT.
    #[arg(long, env = "REDIS_URL", hide_env_values = true, global = true)]
    pub redis_url: Option<SecretUrl>,
    /// Redis host (standalone, or a cluster's configuration endpoint).
    #[arg(long, env = "REDIS_HOST", global = true)]
    pub redis_host: Option<String>,
    /// Redis port.
    #[arg(long, env = "REDIS_PORT", default_value_t = 6379, global = true)]
    pub redis_port: u16,
    /// Use Redis cluster mode (like the seed's ElastiCache setup).
    #[arg(long, env = "REDIS_CLUSTER", default_value = "false", value_parser = BoolishValueParser::new(), action = ArgAction::Set, global = true)]
    pub redis_cluster: bool,
    /// Name of the Redis stream; the dead-letter stream is `{<name>}:dead`.
    #[arg(long, env = "REDIS_QUEUE", default_value = "counts", global = true)]
    pub redis_queue: String,

    /// MySQL/MariaDB URL (`mysql://user:pass@host:port/db`) or `sqlite:path`; overrides MYSQL_*.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<SecretUrl>,
    /// MySQL/MariaDB host; unset (and no DATABASE_URL) means the embedded SQLite database.
    #[arg(long, env = "MYSQL_HOST", global = true)]
    pub mysql_host: Option<String>,
    /// MySQL/MariaDB port.
    #[arg(long, env = "MYSQL_PORT", default_value_t = 3306, global = true)]
    pub mysql_port: u16,
    /// MySQL/MariaDB user.
    #[arg(long, env = "MYSQL_USER", default_value = "root", global = true)]
    pub mysql_user: String,
    /// MySQL/MariaDB password; prefer the environment (a flag shows in process lists).
    #[arg(long, env = "MYSQL_PASSWORD", hide_env_values = true, global = true)]
    pub mysql_password: Option<Secret>,
    /// MySQL/MariaDB database.
    #[arg(long, env = "MYSQL_DATABASE", default_value = "counter", global = true)]
    pub mysql_database: String,

    /// Directory of the embedded backends (SQLite queue and database).
    #[arg(
        long,
        env = "DATA_DIR",
        default_value = "./counter-data",
        global = true
    )]
    pub data_dir: PathBuf,

    /// Allowed CORS origins, comma-separated; `*` allows any origin.
    #[arg(long, env = "CORS_ALLOW_ORIGINS", default_value = "*", global = true)]
    pub cors_allow_origins: String,
    /// Largest accepted request body in bytes.
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 1024, global = true)]
    pub max_body_bytes: usize,
    /// Apply migrations when a role starts (turn off when the runtime user lacks DDL rights).
    #[arg(long, env = "MIGRATE_ON_START", default_value = "true", value_parser = BoolishValueParser::new(), action = ArgAction::Set, global = true)]
    pub migrate_on_start: bool,

    /// Consumer name; a restarted worker with the same name takes back its in-flight messages
    /// at once. Defaults to the hostname (unique per container).
    #[arg(long, env = "WORKER_ID", global = true)]
    pub worker_id: Option<String>,
    /// Most messages moved per database transaction.
    #[arg(long, env = "WORKER_BATCH_SIZE", default_value_t = 500, global = true)]
    pub worker_batch_size: usize,
    /// Deliveries after which a message goes to the dead-letter queue.
    #[arg(
        long,
        env = "WORKER_MAX_DELIVERIES",
        default_value_t = 10,
        global = true
    )]
    pub worker_max_deliveries: u32,
    /// How long a message may stay unacknowledged before another worker reclaims it.
    #[arg(
        long,
        env = "WORKER_CLAIM_IDLE_MS",
        default_value_t = 30_000,
        global = true
    )]
    pub worker_claim_idle_ms: u64,

    /// `text` or `json`.
    #[arg(long, env = "LOG_FORMAT", default_value = "text", global = true)]
    pub log_format: LogFormat,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Which queue to use.
#[derive(Clone, Debug)]
pub enum QueueConfig {
    Embedded {
        path: PathBuf,
    },
    Redis {
        nodes: Vec<SecretUrl>,
        cluster: bool,
        stream: String,
    },
}

/// Which database to use.
#[derive(Clone, Debug)]
pub enum DatabaseConfig {
    Sqlite { path: PathBuf },
    MySql { url: SecretUrl },
}

/// Knobs of the worker loop.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    pub consumer: String,
    pub batch_size: usize,
    pub max_deliveries: u32,
    pub claim_idle: Duration,
}

impl Settings {
    pub fn queue(&self) -> anyhow::Result<QueueConfig> {
        let nodes: Vec<SecretUrl> = if let Some(url) = &self.redis_url {
            url.expose()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| SecretUrl(Secret::new(s)))
                .collect()
        } else if let Some(host) = &self.redis_host {
            vec![SecretUrl(Secret::new(format!(
                "redis://{}:{}",
                bracket_ipv6(host),
                self.redis_port
            )))]
        } else {
            return Ok(QueueConfig::Embedded {
                path: self.data_dir.join("queue.db"),
            });
        };
        if nodes.is_empty() {
            bail!("REDIS_URL is set but names no node");
        }
        for node in &nodes {
            let url = Url::parse(node.expose())
                .with_context(|| format!("REDIS_URL is not a valid URL: {node}"))?;
            if !matches!(url.scheme(), "redis" | "rediss") {
                bail!("REDIS_URL must start with redis:// (got {node})");
            }
        }
        if self.redis_queue.is_empty() {
            bail!("REDIS_QUEUE must not be empty");
        }
        Ok(QueueConfig::Redis {
            nodes,
            cluster: self.redis_cluster,
            stream: self.redis_queue.clone(),
        })
    }

    pub fn database(&self) -> anyhow::Result<DatabaseConfig> {
        if let Some(url) = &self.database_url {
            let raw = url.expose();
            if let Some(path) = raw
                .strip_prefix("sqlite://")
                .or(raw.strip_prefix("sqlite:"))
            {
                return Ok(DatabaseConfig::Sqlite { path: path.into() });
            }
            let parsed = Url::parse(raw)
                .with_context(|| format!("DATABASE_URL is not a valid URL: {url}"))?;
            if !matches!(parsed.scheme(), "mysql" | "mariadb") {
                bail!("DATABASE_URL must start with mysql:// or sqlite: (got {url})");
            }
            return Ok(DatabaseConfig::MySql { url: url.clone() });
        }
        let Some(host) = &self.mysql_host else {
            return Ok(DatabaseConfig::Sqlite {
                path: self.data_dir.join("counter.db"),
            });
        };
        let mut url = Url::parse("mysql://localhost").expect("static URL parses");
        url.set_host(Some(host))
            .with_context(|| format!("MYSQL_HOST is not a valid host: {host}"))?;
        let _ = url.set_port(Some(self.mysql_port));
        let _ = url.set_username(&self.mysql_user);
        if let Some(password) = self
            .mysql_password
            .as_ref()
            .filter(|p| !p.expose().is_empty())
        {
            let _ = url.set_password(Some(password.expose()));
        }
        url.set_path(&self.mysql_database);
        Ok(DatabaseConfig::MySql {
            url: SecretUrl(Secret::new(url.to_string())),
        })
    }

    pub fn worker(&self) -> WorkerConfig {
        WorkerConfig {
            consumer: self
                .worker_id
                .clone()
                .unwrap_or_else(|| gethostname::gethostname().to_string_lossy().into_owned()),
            batch_size: self.worker_batch_size.clamp(1, 5_000),
            max_deliveries: self.worker_max_deliveries.max(1),
            claim_idle: Duration::from_millis(self.worker_claim_idle_ms.max(100)),
        }
    }

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

fn bracket_ipv6(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

impl fmt::Display for QueueConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Embedded { path } => write!(f, "embedded ({})", path.display()),
            Self::Redis {
                nodes,
                cluster,
                stream,
            } => {
                let nodes: Vec<String> = nodes.iter().map(ToString::to_string).collect();
                let mode = if *cluster { "cluster" } else { "standalone" };
                write!(f, "redis {mode} {} stream {stream}", nodes.join(","))
            }
        }
    }
}

impl fmt::Display for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite { path } => write!(f, "sqlite ({})", path.display()),
            Self::MySql { url } => write!(f, "mysql {url}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        settings: Settings,
    }

    fn settings(args: &[&str]) -> Settings {
        let mut argv = vec!["counter"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv).expect("arguments parse").settings
    }

    #[test]
    fn urls_are_redacted() {
        assert_eq!(
            redact_url("mysql://app:hunter2@db:3306/counter"),
            "mysql://app:***@db:3306/counter"
        );
        assert_eq!(
            redact_url("redis://:hunter2@cache:6379"),
            "redis://:***@cache:6379"
        );
        assert_eq!(redact_url("redis://cache:6379"), "redis://cache:6379");
        assert_eq!(redact_url("hunter2"), "<unparsable url>");
    }

    #[test]
    fn mysql_parts_build_a_url_whose_display_hides_the_password() {
        let s = settings(&[
            "--mysql-host",
            "db.internal",
            "--mysql-user",
            "app",
            "--mysql-password",
            "p@ss:w/rd",
            "--mysql-database",
            "counts",
        ]);
        let db = s.database().unwrap();
        let shown = format!("{db} {db:?} {s:?}");
        assert!(!shown.contains("p@ss"), "{shown}");
        let DatabaseConfig::MySql { url } = db else {
            panic!("expected mysql")
        };
        let parsed = Url::parse(url.expose()).unwrap();
        assert_eq!(parsed.host_str(), Some("db.internal"));
        assert_eq!(parsed.username(), "app");
        assert_eq!(parsed.path(), "/counts");
    }

    #[test]
    fn no_service_settings_mean_embedded_backends() {
        let s = settings(&["--data-dir", "some/dir"]);
        assert!(matches!(s.queue().unwrap(), QueueConfig::Embedded { .. }));
        assert!(matches!(
            s.database().unwrap(),
            DatabaseConfig::Sqlite { .. }
        ));
    }

    #[test]
    fn redis_url_lists_cluster_nodes_and_is_redacted() {
        let s = settings(&[
            "--redis-url",
            "redis://:pw1@a:7000, redis://:pw1@b:7001",
            "--redis-cluster",
            "true",
        ]);
        let q = s.queue().unwrap();
        let shown = format!("{q} {q:?} {s:?}");
        assert!(!shown.contains("pw1"), "{shown}");
        let QueueConfig::Redis { nodes, cluster, .. } = q else {
            panic!("expected redis")
        };
        assert_eq!(nodes.len(), 2);
        assert!(cluster);
    }

    #[test]
    fn bad_urls_are_rejected_without_echoing_secrets() {
        let s = settings(&["--database-url", "postgres://u:topsecret@h/db"]);
        let err = s.database().unwrap_err().to_string();
        assert!(err.contains("mysql://"), "{err}");
        assert!(!err.contains("topsecret"), "{err}");
    }
}
