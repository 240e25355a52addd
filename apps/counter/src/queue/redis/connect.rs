//! Connections: where Redis is and how to log in (password, ACL user, TLS with the system's or
//! a given CA), connected on first use, then kept and reconnected by the redis crate.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClientBuilder;
use redis::cluster_async::ClusterConnection;
use redis::{
    AsyncConnectionConfig, Cmd, ConnectionInfo, ErrorKind, FromRedisValue, IntoConnectionInfo,
    Pipeline, RedisResult, TlsCertificates,
};

use crate::config::{Secret, SecretUrl};

/// Bound on one ordinary command, so an unresponsive Redis turns into a 503, not a hang.
pub(super) const COMMAND_TIMEOUT: Duration = Duration::from_secs(3);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// After a failed connect, callers fail fast for this long instead of queueing more attempts.
const CONNECT_RETRY_PAUSE: Duration = Duration::from_millis(500);

#[derive(Clone)]
pub(super) enum Connection {
    Standalone(ConnectionManager),
    Cluster(ClusterConnection),
}

impl Connection {
    async fn query<T: FromRedisValue>(&mut self, cmd: &Cmd) -> RedisResult<T> {
        match self {
            Self::Standalone(c) => cmd.query_async(c).await,
            Self::Cluster(c) => cmd.query_async(c).await,
        }
    }

    pub(super) async fn query_pipeline<T: FromRedisValue>(
        &mut self,
        pipe: &Pipeline,
    ) -> RedisResult<T> {
        match self {
            Self::Standalone(c) => pipe.query_async(c).await,
            Self::Cluster(c) => pipe.query_async(c).await,
        }
    }
}

/// Where Redis is and how to log in to it, parsed once and shared by every connection. Holds
/// the password: deliberately not `Debug`, never logged.
pub struct RedisTarget {
    nodes: Vec<ConnectionInfo>,
    cluster: bool,
    /// CA certificates to trust instead of the system's (TLS only).
    certificates: Option<TlsCertificates>,
}

impl RedisTarget {
    /// `nodes` are `redis://` or `rediss://` (TLS) URLs; `username` / `password`, when given,
    /// replace the credentials inside them; `tls_ca` is a PEM file of CA certificates.
    pub fn new(
        nodes: &[SecretUrl],
        cluster: bool,
        username: Option<&str>,
        password: Option<&Secret>,
        tls_ca: Option<&Path>,
    ) -> anyhow::Result<Self> {
        let mut infos = Vec::with_capacity(nodes.len());
        for node in nodes {
            let mut info = node
                .expose()
                .into_connection_info()
                .with_context(|| format!("bad redis url {node}"))?;
            if let Some(password) = password {
                info.redis.password = Some(password.expose().to_owned());
            }
            if let Some(username) = username {
                info.redis.username = Some(username.to_owned());
            }
            infos.push(info);
        }
        let Some(first) = infos.first() else {
            anyhow::bail!("no redis node configured");
        };
        let tls = matches!(first.addr, redis::ConnectionAddr::TcpTls { .. });
        let certificates = match tls_ca {
            None => None,
            Some(path) => {
                let pem = std::fs::read(path)
                    .with_context(|| format!("cannot read REDIS_TLS_CA {}", path.display()))?;
                let certificates = TlsCertificates {
                    client_tls: None,
                    root_cert: Some(pem),
                };
                // Fails now, not at the first connection, on a file that holds no certificate.
                redis::Client::build_with_tls(first.clone(), certificates.clone())
                    .with_context(|| format!("bad REDIS_TLS_CA {}", path.display()))?;
                Some(certificates)
            }
        };
        if tls {
            install_crypto_provider();
        } else if certificates.is_some() {
            anyhow::bail!("REDIS_TLS_CA needs rediss:// URLs");
        }
        Ok(Self {
            nodes: infos,
            cluster,
            certificates,
        })
    }
}

/// rustls's crypto: aws-lc-rs, the provider the rest of the workspace (the AWS SDK) compiles
/// too. Installed explicitly so that no other crate enabling a second provider can make
/// rustls's choice ambiguous.
fn install_crypto_provider() {
    // Err only means one is installed already.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

/// A failed connection attempt, with a hint where the cause is a setting.
fn connect_error(error: redis::RedisError) -> anyhow::Error {
    let hint = match error.kind() {
        ErrorKind::AuthenticationFailed => {
            Some("redis rejected the credentials (check REDIS_PASSWORD / REDIS_USERNAME)")
        }
        _ if error.code() == Some("NOAUTH") => {
            Some("redis requires a password (set REDIS_PASSWORD)")
        }
        _ => None,
    };
    let error = anyhow::Error::new(error);
    match hint {
        Some(hint) => error.context(hint),
        None => error.context("cannot connect to redis"),
    }
}

/// A connection made on first use and then kept; the standalone `ConnectionManager` and the
/// cluster connection both reconnect by themselves after Redis comes back.
pub(super) struct LazyConnection {
    target: Arc<RedisTarget>,
    response_timeout: Duration,
    state: tokio::sync::Mutex<Option<Connection>>,
    last_failure: Mutex<Option<Instant>>,
}

impl LazyConnection {
    pub(super) fn new(target: &Arc<RedisTarget>, response_timeout: Duration) -> Self {
        Self {
            target: target.clone(),
            response_timeout,
            state: tokio::sync::Mutex::new(None),
            last_failure: Mutex::new(None),
        }
    }

    pub(super) async fn get(&self) -> anyhow::Result<Connection> {
        let mut state = self.state.lock().await;
        if let Some(conn) = state.as_ref() {
            return Ok(conn.clone());
        }
        let recent_failure = self
            .last_failure
            .lock()
            .expect("lock poisoned")
            .is_some_and(|at| at.elapsed() < CONNECT_RETRY_PAUSE);
        if recent_failure {
            anyhow::bail!("redis is unreachable (retrying shortly)");
        }
        match tokio::time::timeout(CONNECT_TIMEOUT * 2, self.connect()).await {
            Ok(Ok(conn)) => {
                *state = Some(conn.clone());
                Ok(conn)
            }
            Ok(Err(e)) => {
                *self.last_failure.lock().expect("lock poisoned") = Some(Instant::now());
                Err(connect_error(e))
            }
            Err(_) => {
                *self.last_failure.lock().expect("lock poisoned") = Some(Instant::now());
                anyhow::bail!("connecting to redis timed out")
            }
        }
    }

    async fn connect(&self) -> RedisResult<Connection> {
        let target = &*self.target;
        if target.cluster {
            let mut builder = ClusterClientBuilder::new(target.nodes.clone())
                .connection_timeout(CONNECT_TIMEOUT)
                .response_timeout(self.response_timeout)
                .retries(2);
            if let Some(certificates) = &target.certificates {
                builder = builder.certs(certificates.clone());
            }
            let client = builder.build()?;
            Ok(Connection::Cluster(client.get_async_connection().await?))
        } else {
            let node = target.nodes[0].clone();
            let client = match &target.certificates {
                Some(certificates) => redis::Client::build_with_tls(node, certificates.clone())?,
                None => redis::Client::open(node)?,
            };
            // A first connection and PING surface a permanent failure (wrong password,
            // untrusted certificate) at once, with its cause: the manager's own connect retries
            // every error with seconds of backoff, past the callers' deadlines, which would
            // then report only a timeout.
            let probe = AsyncConnectionConfig::new()
                .set_connection_timeout(CONNECT_TIMEOUT)
                .set_response_timeout(self.response_timeout);
            let mut first = client
                .get_multiplexed_async_connection_with_config(&probe)
                .await?;
            let _: String = redis::cmd("PING").query_async(&mut first).await?;
            drop(first);
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(CONNECT_TIMEOUT)
                .set_response_timeout(self.response_timeout)
                .set_number_of_retries(2)
                .set_factor(100)
                .set_max_delay(2_000);
            let manager = ConnectionManager::new_with_config(client, config).await?;
            Ok(Connection::Standalone(manager))
        }
    }

    pub(super) async fn query<T: FromRedisValue>(&self, cmd: &Cmd) -> anyhow::Result<T> {
        let mut conn = self.get().await?;
        Ok(conn.query(cmd).await?)
    }
}
