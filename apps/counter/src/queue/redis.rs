//! Redis streams queue, standalone or cluster.
//!
//! Producer: `XADD`, group-committed in pipelines (each reply means Redis has that entry).
//! Consumers: one consumer group, `XREADGROUP` on a dedicated blocking connection, `XACK` once
//! stored followed by `XTRIM MINID` of what every group is done with (so the stream holds only
//! unfinished work and `XLEN` is the queue depth), `XAUTOCLAIM` to take over entries a dead
//! worker left behind, `XPENDING` for delivery counts.
//! The dead-letter stream `{<stream>}:dead` shares the stream's hash slot in cluster mode.
//!
//! Connections authenticate with the configured password (and ACL user), and use TLS (rustls,
//! the system's CA certificates or a given CA) for `rediss://` nodes, as ElastiCache with
//! in-transit encryption and an AUTH token requires.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClientBuilder;
use redis::cluster_async::ClusterConnection;
use redis::streams::{StreamAutoClaimReply, StreamId, StreamPendingCountReply, StreamReadReply};
use redis::{
    AsyncConnectionConfig, Cmd, ConnectionInfo, ErrorKind, FromRedisValue, IntoConnectionInfo,
    Pipeline, RedisResult, TlsCertificates, Value,
};
use tokio::sync::{mpsc, oneshot, Semaphore};

use super::{Consumer, ConsumerOptions, Delivery, Queue};
use crate::config::{Secret, SecretUrl};
use crate::message::{self, CountMessage, FIELD_COUNT, FIELD_ID};

/// The consumer group every worker joins.
pub const GROUP: &str = "counter-workers";
/// Bound on one ordinary command, so an unresponsive Redis turns into a 503, not a hang.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(3);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// After a failed connect, callers fail fast for this long instead of queueing more attempts.
const CONNECT_RETRY_PAUSE: Duration = Duration::from_millis(500);

/// Acknowledges ARGV[2..] for group ARGV[1] of stream KEYS[1], then trims the entries every
/// group is done with: those before its oldest pending entry or, with none pending, up to its
/// last delivered one. One atomic step on one key (so cluster-safe); trimming whole stream
/// nodes is far cheaper than deleting entries one by one (XDEL), and XLEN stays the depth.
const ACK_AND_TRIM: &str = r#"
redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local keep_ms, keep_seq
for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local info = {}
  for i = 1, #group, 2 do info[group[i]] = group[i + 1] end
  local ms, seq
  local pending = redis.call('XPENDING', KEYS[1], info['name'])
  if pending[2] then
    ms, seq = parse(pending[2])
  else
    ms, seq = parse(info['last-delivered-id'])
    seq = seq + 1
  end
  if keep_ms == nil or ms < keep_ms or (ms == keep_ms and seq < keep_seq) then
    keep_ms, keep_seq = ms, seq
  end
end
if keep_ms == nil then return 0 end
return redis.call('XTRIM', KEYS[1], 'MINID', string.format('%d-%d', keep_ms, keep_seq))
"#;

/// Name of the dead-letter stream; the hash tag keeps it in the stream's cluster slot.
pub fn dead_letter_stream(stream: &str) -> String {
    format!("{{{stream}}}:dead")
}

#[derive(Clone)]
enum Connection {
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

    async fn query_pipeline<T: FromRedisValue>(&mut self, pipe: &Pipeline) -> RedisResult<T> {
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
struct LazyConnection {
    target: Arc<RedisTarget>,
    response_timeout: Duration,
    state: tokio::sync::Mutex<Option<Connection>>,
    last_failure: Mutex<Option<Instant>>,
}

impl LazyConnection {
    fn new(target: &Arc<RedisTarget>, response_timeout: Duration) -> Self {
        Self {
            target: target.clone(),
            response_timeout,
            state: tokio::sync::Mutex::new(None),
            last_failure: Mutex::new(None),
        }
    }

    async fn get(&self) -> anyhow::Result<Connection> {
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

    async fn query<T: FromRedisValue>(&self, cmd: &Cmd) -> anyhow::Result<T> {
        let mut conn = self.get().await?;
        Ok(conn.query(cmd).await?)
    }
}

pub struct RedisQueue {
    stream: String,
    target: Arc<RedisTarget>,
    /// Shared, multiplexed connection for producers and non-blocking commands.
    shared: Arc<LazyConnection>,
    /// Hands XADDs to the group-commit task.
    appends: mpsc::Sender<PendingAppend>,
}

/// One XADD waiting for its group commit; the reply says whether Redis has it.
struct PendingAppend {
    message: CountMessage,
    reply: oneshot::Sender<Result<(), String>>,
}

/// Most XADDs sent in one pipeline, and most pipelines in flight at once.
const MAX_GROUP: usize = 256;
const MAX_GROUPS_IN_FLIGHT: usize = 4;

/// Group commit: concurrent XADDs are sent as pipelines, one write and one read for many
/// entries, which is what lets the API approach Redis's own rate. Each caller still waits for
/// the reply to its own entry, so a 202 still means Redis has that entry. Under light load a
/// group is a single XADD sent at once: nothing waits for company.
async fn commit_groups(
    stream: String,
    connection: Arc<LazyConnection>,
    mut appends: mpsc::Receiver<PendingAppend>,
) {
    let in_flight = Arc::new(Semaphore::new(MAX_GROUPS_IN_FLIGHT));
    let mut group = Vec::with_capacity(MAX_GROUP);
    while appends.recv_many(&mut group, MAX_GROUP).await > 0 {
        let Ok(permit) = in_flight.clone().acquire_owned().await else {
            return;
        };
        // While waiting for a permit more appends queued up; take them along.
        while group.len() < MAX_GROUP {
            match appends.try_recv() {
                Ok(append) => group.push(append),
                Err(_) => break,
            }
        }
        let batch = std::mem::replace(&mut group, Vec::with_capacity(MAX_GROUP));
        let (stream, connection) = (stream.clone(), connection.clone());
        tokio::spawn(async move {
            let mut pipe = redis::pipe();
            for append in &batch {
                pipe.cmd("XADD")
                    .arg(&stream)
                    .arg("*")
                    .arg(FIELD_ID)
                    .arg(append.message.id.simple().to_string())
                    .arg(FIELD_COUNT)
                    .arg(append.message.count);
            }
            let result: anyhow::Result<Vec<String>> = async {
                let mut conn = connection.get().await?;
                Ok(conn.query_pipeline(&pipe).await?)
            }
            .await;
            let outcome = result.map(|_| ()).map_err(|e| format!("{e:#}"));
            for append in batch {
                let _ = append.reply.send(outcome.clone());
            }
            drop(permit);
        });
    }
}

impl RedisQueue {
    pub fn new(target: RedisTarget, stream: &str) -> anyhow::Result<Self> {
        let target = Arc::new(target);
        let shared = Arc::new(LazyConnection::new(&target, COMMAND_TIMEOUT));
        let (appends, pending) = mpsc::channel(MAX_GROUP * MAX_GROUPS_IN_FLIGHT);
        tokio::spawn(commit_groups(stream.to_owned(), shared.clone(), pending));
        Ok(Self {
            stream: stream.to_owned(),
            target,
            shared,
            appends,
        })
    }
}

#[async_trait]
impl Queue for RedisQueue {
    async fn enqueue(&self, message: &CountMessage) -> anyhow::Result<()> {
        let (reply, acknowledged) = oneshot::channel();
        let append = PendingAppend {
            message: *message,
            reply,
        };
        self.appends
            .send(append)
            .await
            .map_err(|_| anyhow::anyhow!("redis producer stopped"))?;
        match acknowledged.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => anyhow::bail!("{e}"),
            Err(_) => anyhow::bail!("redis producer stopped"),
        }
    }

    async fn depth(&self) -> anyhow::Result<u64> {
        self.shared
            .query(redis::cmd("XLEN").arg(&self.stream))
            .await
    }

    async fn ping(&self) -> anyhow::Result<()> {
        let _: String = self.shared.query(&redis::cmd("PING")).await?;
        Ok(())
    }

    async fn consumer(&self, options: ConsumerOptions) -> anyhow::Result<Box<dyn Consumer>> {
        Ok(Box::new(RedisConsumer {
            stream: self.stream.clone(),
            dead_letters: dead_letter_stream(&self.stream),
            // The blocking read gets its own connection: on the shared one it would hold up
            // every command queued behind it.
            reader: LazyConnection::new(&self.target, options.block + COMMAND_TIMEOUT),
            writer: LazyConnection::new(&self.target, COMMAND_TIMEOUT),
            cursors: tokio::sync::Mutex::new(ReadCursors {
                own: Some("0".to_owned()),
                reclaim: "0-0".to_owned(),
                next_reclaim: Instant::now(),
                group_ready: false,
            }),
            options,
        }))
    }
}

struct RedisConsumer {
    stream: String,
    dead_letters: String,
    reader: LazyConnection,
    writer: LazyConnection,
    options: ConsumerOptions,
    /// Where reading stands; only `receive` uses it, so acknowledging never waits for it.
    cursors: tokio::sync::Mutex<ReadCursors>,
}

struct ReadCursors {
    /// While `Some`, we are re-reading our own unacknowledged entries (left by a previous
    /// process with the same consumer name) from this id on.
    own: Option<String>,
    reclaim: String,
    next_reclaim: Instant,
    group_ready: bool,
}

impl RedisConsumer {
    /// Creates the group (reading from the start, so nothing enqueued before is skipped).
    async fn ensure_group(&self) -> anyhow::Result<()> {
        let mut cmd = redis::cmd("XGROUP");
        cmd.arg("CREATE")
            .arg(&self.stream)
            .arg(GROUP)
            .arg("0")
            .arg("MKSTREAM");
        match self.writer.query::<String>(&cmd).await {
            Ok(_) => {}
            Err(e) if e.to_string().contains("BUSYGROUP") => {}
            Err(e) => return Err(e.context("cannot create the consumer group")),
        }
        Ok(())
    }

    fn read_group(&self, id: &str, max: usize, block: Option<Duration>) -> Cmd {
        let mut cmd = redis::cmd("XREADGROUP");
        cmd.arg("GROUP")
            .arg(GROUP)
            .arg(&self.options.name)
            .arg("COUNT")
            .arg(max);
        if let Some(block) = block {
            cmd.arg("BLOCK").arg(block.as_millis() as u64);
        }
        cmd.arg("STREAMS").arg(&self.stream).arg(id);
        cmd
    }

    async fn read(
        &self,
        id: &str,
        max: usize,
        block: Option<Duration>,
    ) -> anyhow::Result<Vec<StreamId>> {
        let reply: Option<StreamReadReply> =
            self.reader.query(&self.read_group(id, max, block)).await?;
        Ok(reply
            .into_iter()
            .flat_map(|r| r.keys)
            .flat_map(|k| k.ids)
            .collect())
    }

    /// Deliveries for entries that were handed out before, with their delivery counts.
    async fn with_attempts(&self, entries: Vec<StreamId>) -> anyhow::Result<Vec<Delivery>> {
        let (Some(first), Some(last)) = (entries.first(), entries.last()) else {
            return Ok(Vec::new());
        };
        let mut cmd = redis::cmd("XPENDING");
        cmd.arg(&self.stream)
            .arg(GROUP)
            .arg(&first.id)
            .arg(&last.id)
            .arg(entries.len())
            .arg(&self.options.name);
        let pending: StreamPendingCountReply = self.writer.query(&cmd).await?;
        let attempts: HashMap<String, u32> = pending
            .ids
            .into_iter()
            .map(|p| (p.id, p.times_delivered as u32))
            .collect();
        Ok(entries
            .into_iter()
            .map(|entry| {
                let n = attempts.get(&entry.id).copied().unwrap_or(1);
                to_delivery(entry, n)
            })
            .collect())
    }

    async fn receive_once(
        &self,
        cursors: &mut ReadCursors,
        max: usize,
        wait: bool,
    ) -> anyhow::Result<Vec<Delivery>> {
        if let Some(cursor) = cursors.own.clone() {
            let entries = self.read(&cursor, max, None).await?;
            match entries.last() {
                Some(last) => {
                    cursors.own = Some(last.id.clone());
                    return self.with_attempts(entries).await;
                }
                None => cursors.own = None,
            }
        }
        if Instant::now() >= cursors.next_reclaim {
            let mut cmd = redis::cmd("XAUTOCLAIM");
            cmd.arg(&self.stream)
                .arg(GROUP)
                .arg(&self.options.name)
                .arg(self.options.claim_idle.as_millis() as u64)
                .arg(&cursors.reclaim)
                .arg("COUNT")
                .arg(max);
            let reply: StreamAutoClaimReply = self.writer.query(&cmd).await?;
            if !reply.deleted_ids.is_empty() {
                // Pending entries whose data is gone: nothing to store, just clear them.
                self.ack(&reply.deleted_ids).await?;
            }
            if reply.next_stream_id == "0-0" {
                cursors.next_reclaim = Instant::now() + self.options.claim_idle / 2;
            }
            cursors.reclaim = reply.next_stream_id;
            if !reply.claimed.is_empty() {
                tracing::info!(
                    count = reply.claimed.len(),
                    "reclaimed messages of a stalled consumer"
                );
                return self.with_attempts(reply.claimed).await;
            }
        }
        let block = wait.then_some(self.options.block);
        let entries = self.read(">", max, block).await?;
        Ok(entries.into_iter().map(|e| to_delivery(e, 1)).collect())
    }
}

fn field(entry: &StreamId, name: &str) -> Option<String> {
    match entry.map.get(name)? {
        Value::BulkString(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
        other => String::from_redis_value(other).ok(),
    }
}

fn to_delivery(entry: StreamId, attempts: u32) -> Delivery {
    let id = field(&entry, FIELD_ID);
    let count = field(&entry, FIELD_COUNT);
    Delivery {
        message: message::decode(id.as_deref(), count.as_deref()),
        receipt: entry.id,
        attempts,
    }
}

#[async_trait]
impl Consumer for RedisConsumer {
    async fn receive(&self, max: usize, wait: bool) -> anyhow::Result<Vec<Delivery>> {
        let mut cursors = self.cursors.lock().await;
        if !cursors.group_ready {
            self.ensure_group().await?;
            cursors.group_ready = true;
        }
        let result = self.receive_once(&mut cursors, max, wait).await;
        if let Err(e) = &result {
            // The stream or group vanished (e.g. a Redis without persistence restarted).
            if format!("{e:#}").contains("NOGROUP") {
                cursors.group_ready = false;
            }
        }
        result
    }

    async fn ack(&self, receipts: &[String]) -> anyhow::Result<()> {
        if receipts.is_empty() {
            return Ok(());
        }
        let mut cmd = redis::cmd("EVAL");
        cmd.arg(ACK_AND_TRIM)
            .arg(1)
            .arg(&self.stream)
            .arg(GROUP)
            .arg(receipts);
        let _: u64 = self.writer.query(&cmd).await?;
        Ok(())
    }

    async fn dead_letter(&self, delivery: &Delivery, reason: &str) -> anyhow::Result<()> {
        let mut cmd = redis::cmd("XADD");
        cmd.arg(&self.dead_letters)
            .arg("*")
            .arg("source_id")
            .arg(&delivery.receipt)
            .arg("attempts")
            .arg(delivery.attempts)
            .arg("reason")
            .arg(reason);
        if let Ok(m) = &delivery.message {
            cmd.arg(FIELD_ID)
                .arg(m.id.simple().to_string())
                .arg(FIELD_COUNT)
                .arg(m.count);
        }
        let _: String = self.writer.query(&cmd).await?;
        self.ack(std::slice::from_ref(&delivery.receipt)).await
    }
}
