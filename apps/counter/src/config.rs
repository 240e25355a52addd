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
    /// Redis password (e.g. an ElastiCache AUTH token); replaces a password inside REDIS_URL.
    #[arg(long, env = "REDIS_PASSWORD", hide_env_values = true, global = true)]
    pub redis_password: Option<Secret>,
    /// Redis ACL user to authenticate as with REDIS_PASSWORD (Redis's `default` user if unset).
    #[arg(long, env = "REDIS_USERNAME", global = true)]
    pub redis_username: Option<String>,
    /// Connect to Redis over TLS (what a `rediss://` URL also asks for), verifying the server's
    /// certificate against the system's CA certificates.
    #[arg(long, env = "REDIS_TLS", default_value = "false", value_parser = BoolishValueParser::new(), action = ArgAction::Set, global = true)]
    pub redis_tls: bool,
    /// PEM file of the CA certificate(s) to trust for Redis TLS instead of the system's
    /// (a private CA); implies TLS.
    #[arg(long, env = "REDIS_TLS_CA", global = true)]
    pub redis_tls_ca: Option<PathBuf>,
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
    /// `true`: encrypt the MySQL connection or fail (ssl-mode REQUIRED, no certificate check);
    /// `false`: never encrypt. Unset: DATABASE_URL's `ssl-mode`, else use TLS if offered.
    #[arg(long, env = "MYSQL_TLS", value_parser = BoolishValueParser::new(), action = ArgAction::Set, global = true)]
    pub mysql_tls: Option<bool>,
    /// PEM bundle of the CA(s) that signed the MySQL server's certificate (e.g. the RDS bundle):
    /// TLS with the certificate and host name verified (ssl-mode VERIFY_IDENTITY).
    #[arg(long, env = "MYSQL_TLS_CA", global = true)]
    pub mysql_tls_ca: Option<PathBuf>,

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

    /// The worker writes the queue depth to stdout as a CloudWatch embedded-metric-format line
    /// (`Counter/QueueDepth`, dimension `Queue`). Unset: on when LOG_FORMAT is `json`.
    #[arg(long, env = "CLOUDWATCH_METRICS", value_parser = BoolishValueParser::new(), action = ArgAction::Set, global = true)]
    pub cloudwatch_metrics: Option<bool>,
    /// Seconds between two queue-depth metric lines; 0 turns them off.
    #[arg(
        long,
        env = "QUEUE_DEPTH_METRIC_INTERVAL_SECS",
        default_value_t = 60,
        global = true
    )]
    pub queue_depth_metric_interval_secs: u64,
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
        /// `rediss://` URLs when TLS is on.
        nodes: Vec<SecretUrl>,
        cluster: bool,
        stream: String,
        /// Credentials that replace those inside the URLs.
        username: Option<String>,
        password: Option<Secret>,
        /// TLS: CA certificates to trust instead of the system's.
        tls_ca: Option<PathBuf>,
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

/// The queue-depth metric the worker publishes for CloudWatch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueDepthMetricConfig {
    /// Value of the `Queue` dimension: REDIS_QUEUE (also with the embedded queue).
    pub queue: String,
    pub interval: Duration,
}

impl Settings {
    /// `None` when the metric is off: CLOUDWATCH_METRICS=false, or unset with text logs, or a
    /// zero interval.
    pub fn queue_depth_metric(&self) -> Option<QueueDepthMetricConfig> {
        let enabled = self
            .cloudwatch_metrics
            .unwrap_or(self.log_format == LogFormat::Json);
        (enabled && self.queue_depth_metric_interval_secs > 0).then(|| QueueDepthMetricConfig {
            queue: self.redis_queue.clone(),
            interval: Duration::from_secs(self.queue_depth_metric_interval_secs),
        })
    }

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
        let mut urls = Vec::with_capacity(nodes.len());
        for node in &nodes {
            let url = Url::parse(node.expose())
                .with_context(|| format!("REDIS_URL is not a valid URL: {node}"))?;
            if !matches!(url.scheme(), "redis" | "rediss") {
                bail!("REDIS_URL must start with redis:// or rediss:// (got {node})");
            }
            urls.push(url);
        }
        // One TLS setting for every node (a cluster cannot mix them): on when asked for by
        // REDIS_TLS, REDIS_TLS_CA or any `rediss://` URL.
        let tls = self.redis_tls
            || self.redis_tls_ca.is_some()
            || urls.iter().any(|u| u.scheme() == "rediss");
        let nodes = if tls {
            urls.into_iter()
                .map(|mut url| {
                    url.set_scheme("rediss")
                        .expect("redis:// and rediss:// are interchangeable");
                    SecretUrl(Secret::new(url.to_string()))
                })
                .collect()
        } else {
            nodes
        };
        if self.redis_queue.is_empty() {
            bail!("REDIS_QUEUE must not be empty");
        }
        Ok(QueueConfig::Redis {
            nodes,
            cluster: self.redis_cluster,
            stream: self.redis_queue.clone(),
            username: self.redis_username.clone().filter(|u| !u.is_empty()),
            password: self
                .redis_password
                .clone()
                .filter(|p| !p.expose().is_empty()),
            tls_ca: self.redis_tls_ca.clone(),
        })
    }

    /// The `ssl-mode` (and `ssl-ca`) that MYSQL_TLS / MYSQL_TLS_CA ask for; `None` leaves the
    /// URL's own choice (sqlx's default: PREFERRED, TLS when the server offers it).
    fn mysql_ssl(&self) -> anyhow::Result<Option<(&'static str, Option<String>)>> {
        Ok(match (self.mysql_tls, &self.mysql_tls_ca) {
            (Some(false), Some(_)) => bail!("MYSQL_TLS_CA is set but MYSQL_TLS is false"),
            (Some(false), None) => Some(("DISABLED", None)),
            (_, Some(ca)) => {
                let ca = ca
                    .to_str()
                    .context("MYSQL_TLS_CA must be a UTF-8 path")?
                    .to_owned();
                Some(("VERIFY_IDENTITY", Some(ca)))
            }
            (Some(true), None) => Some(("REQUIRED", None)),
            (None, None) => None,
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
            let url = match self.mysql_ssl()? {
                Some(ssl) => with_ssl(parsed, ssl),
                None => url.clone(),
            };
            return Ok(DatabaseConfig::MySql { url });
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
        let url = match self.mysql_ssl()? {
            Some(ssl) => with_ssl(url, ssl),
            None => SecretUrl(Secret::new(url.to_string())),
        };
        Ok(DatabaseConfig::MySql { url })
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

/// `url` with its `ssl-mode` / `ssl-ca` (in any of sqlx's spellings) replaced by `ssl`.
fn with_ssl(mut url: Url, (mode, ca): (&str, Option<String>)) -> SecretUrl {
    const SSL_KEYS: [&str; 4] = ["ssl-mode", "sslmode", "ssl-ca", "sslca"];
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(key, _)| !SSL_KEYS.contains(&key.as_ref()))
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    {
        let mut query = url.query_pairs_mut();
        query
            .clear()
            .extend_pairs(kept)
            .append_pair("ssl-mode", mode);
        if let Some(ca) = ca {
            query.append_pair("ssl-ca", &ca);
        }
    }
    SecretUrl(Secret::new(url.to_string()))
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
                username,
                password,
                tls_ca,
            } => {
                let nodes: Vec<String> = nodes.iter().map(ToString::to_string).collect();
                let mode = if *cluster { "cluster" } else { "standalone" };
                write!(f, "redis {mode} {} stream {stream}", nodes.join(","))?;
                if password.is_some() {
                    let user = username.as_deref().unwrap_or("default");
                    write!(f, " auth {user}:***")?;
                }
                if let Some(ca) = tls_ca {
                    write!(f, " tls-ca {}", ca.display())?;
                }
                Ok(())
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

    fn redis(args: &[&str]) -> (Vec<String>, Option<String>, Option<String>, Option<PathBuf>) {
        match settings(args).queue().unwrap() {
            QueueConfig::Redis {
                nodes,
                username,
                password,
                tls_ca,
                ..
            } => (
                nodes.iter().map(|n| n.expose().to_owned()).collect(),
                username,
                password.map(|p| p.expose().to_owned()),
                tls_ca,
            ),
            QueueConfig::Embedded { .. } => panic!("expected redis"),
        }
    }

    #[test]
    fn redis_tls_and_credentials_map_onto_the_nodes() {
        // The blueprint's settings: host, port, REDIS_TLS and the AUTH token.
        let (nodes, user, password, ca) = redis(&[
            "--redis-host",
            "master.cache.internal",
            "--redis-port",
            "6380",
            "--redis-tls",
            "true",
            "--redis-password",
            "t0ken",
        ]);
        assert_eq!(nodes, ["rediss://master.cache.internal:6380"]);
        assert_eq!((user, password, ca), (None, Some("t0ken".into()), None));

        // Without TLS the scheme stays; an empty password is no password.
        let (nodes, _, password, _) = redis(&[
            "--redis-host",
            "cache",
            "--redis-password",
            "",
            "--redis-tls",
            "no",
        ]);
        assert_eq!((nodes, password), (vec!["redis://cache:6379".into()], None));

        // TLS for every cluster seed, from one rediss:// URL or from REDIS_TLS; a CA implies TLS.
        let (nodes, ..) = redis(&["--redis-url", "rediss://:pw@a:7000,redis://:pw@b:7001"]);
        assert_eq!(nodes, ["rediss://:pw@a:7000", "rediss://:pw@b:7001"]);
        let (nodes, user, _, ca) = redis(&[
            "--redis-url",
            "redis://a:7000",
            "--redis-tls-ca",
            "/ca.pem",
            "--redis-username",
            "app",
        ]);
        assert_eq!(nodes, ["rediss://a:7000"]);
        assert_eq!((user, ca), (Some("app".into()), Some("/ca.pem".into())));
    }

    #[test]
    fn redis_password_is_never_shown() {
        let s = settings(&["--redis-host", "cache", "--redis-password", "hunter2-token"]);
        let q = s.queue().unwrap();
        let shown = format!("{q} {q:?} {s:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("auth default:***"), "{shown}");
    }

    /// The sqlx `MySqlSslMode` (as its `Debug` name) the settings produce, and the URL.
    fn ssl_mode(args: &[&str]) -> (String, String) {
        use sqlx::mysql::MySqlConnectOptions;
        let DatabaseConfig::MySql { url } = settings(args).database().unwrap() else {
            panic!("expected mysql")
        };
        let options = MySqlConnectOptions::from_str(url.expose()).expect("sqlx parses the url");
        let mode = format!("{:?}", options.get_ssl_mode());
        (mode, url.expose().to_owned())
    }

    #[test]
    fn mysql_tls_settings_map_to_ssl_modes() {
        let host = ["--mysql-host", "db", "--mysql-password", "pw"];
        // Unset: sqlx's default, TLS when the server offers it.
        assert_eq!(ssl_mode(&host).0, "Preferred");
        assert_eq!(
            ssl_mode(&[&host[..], &["--mysql-tls", "true"]].concat()).0,
            "Required"
        );
        assert_eq!(
            ssl_mode(&[&host[..], &["--mysql-tls", "false"]].concat()).0,
            "Disabled"
        );
        let (mode, url) = ssl_mode(&[&host[..], &["--mysql-tls-ca", "/rds bundle.pem"]].concat());
        assert_eq!(mode, "VerifyIdentity");
        assert!(url.contains("ssl-ca=%2Frds+bundle.pem"), "{url}");

        // DATABASE_URL's own ssl-mode is honoured, and MYSQL_TLS replaces it.
        let url = [
            "--database-url",
            "mysql://u:pw@db/counter?ssl-mode=REQUIRED",
        ];
        assert_eq!(ssl_mode(&url).0, "Required");
        let (mode, shown) = ssl_mode(&[&url[..], &["--mysql-tls", "0"]].concat());
        assert_eq!(mode, "Disabled");
        assert_eq!(shown, "mysql://u:pw@db/counter?ssl-mode=DISABLED");
        let url = [
            "--database-url",
            "mysql://u@db/counter?sslmode=disabled&charset=utf8mb4",
        ];
        let (mode, shown) = ssl_mode(&[&url[..], &["--mysql-tls", "yes"]].concat());
        assert_eq!(mode, "Required");
        assert_eq!(
            shown,
            "mysql://u@db/counter?charset=utf8mb4&ssl-mode=REQUIRED"
        );

        // A CA with TLS turned off is a contradiction, not a guess.
        let s = settings(
            &[
                &host[..],
                &["--mysql-tls", "false", "--mysql-tls-ca", "/ca"],
            ]
            .concat(),
        );
        assert!(s.database().is_err());
    }

    #[test]
    fn queue_depth_metric_is_on_with_json_logs_unless_turned_off() {
        let metric = |args: &[&str]| settings(args).queue_depth_metric();
        assert_eq!(metric(&[]), None);
        assert_eq!(
            metric(&["--log-format", "json"]),
            Some(QueueDepthMetricConfig {
                queue: "counts".into(),
                interval: Duration::from_secs(60),
            })
        );
        assert_eq!(
            metric(&["--log-format", "json", "--cloudwatch-metrics", "false"]),
            None
        );
        assert_eq!(
            metric(&[
                "--cloudwatch-metrics",
                "true",
                "--redis-queue",
                "jobs",
                "--queue-depth-metric-interval-secs",
                "5",
            ]),
            Some(QueueDepthMetricConfig {
                queue: "jobs".into(),
                interval: Duration::from_secs(5),
            })
        );
        assert_eq!(
            metric(&[
                "--cloudwatch-metrics",
                "yes",
                "--queue-depth-metric-interval-secs",
                "0",
            ]),
            None
        );
    }

    #[test]
    fn bad_urls_are_rejected_without_echoing_secrets() {
        let s = settings(&["--database-url", "postgres://u:topsecret@h/db"]);
        let err = s.database().unwrap_err().to_string();
        assert!(err.contains("mysql://"), "{err}");
        assert!(!err.contains("topsecret"), "{err}");
    }
}
