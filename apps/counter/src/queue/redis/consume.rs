//! The consumer side: one consumer of the group, reading first its own unacknowledged
//! entries (a restarted process with the same name takes them back at once), then those a
//! stalled consumer left (`claim`), then new ones; with delivery counts from `XPENDING`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use redis::streams::{StreamId, StreamPendingCountReply, StreamReadReply};
use redis::{Cmd, FromRedisValue, Value};

use super::connect::{LazyConnection, RedisTarget, COMMAND_TIMEOUT};
use super::{ack, dead_letter, GROUP};
use crate::message::{self, FIELD_COUNT, FIELD_ID};
use crate::queue::{Consumer, ConsumerOptions, Delivery};

pub(super) struct RedisConsumer {
    pub(super) stream: String,
    dead_letters: String,
    reader: LazyConnection,
    pub(super) writer: LazyConnection,
    pub(super) options: ConsumerOptions,
    /// Where reading stands; only `receive` uses it, so acknowledging never waits for it.
    cursors: tokio::sync::Mutex<ReadCursors>,
}

pub(super) struct ReadCursors {
    /// While `Some`, we are re-reading our own unacknowledged entries (left by a previous
    /// process with the same consumer name) from this id on.
    own: Option<String>,
    /// Where the next `XAUTOCLAIM` continues, and when it is due.
    pub(super) reclaim: String,
    pub(super) next_reclaim: Instant,
    group_ready: bool,
}

impl RedisConsumer {
    /// A consumer of `stream` named in `options`, with connections to `target`.
    pub(super) fn new(target: &Arc<RedisTarget>, stream: &str, options: ConsumerOptions) -> Self {
        Self {
            stream: stream.to_owned(),
            dead_letters: dead_letter::dead_letter_stream(stream),
            // The blocking read gets its own connection: on the shared one it would hold up
            // every command queued behind it.
            reader: LazyConnection::new(target, options.block + COMMAND_TIMEOUT),
            writer: LazyConnection::new(target, COMMAND_TIMEOUT),
            cursors: tokio::sync::Mutex::new(ReadCursors {
                own: Some("0".to_owned()),
                reclaim: "0-0".to_owned(),
                next_reclaim: Instant::now(),
                group_ready: false,
            }),
            options,
        }
    }

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
    pub(super) async fn with_attempts(
        &self,
        entries: Vec<StreamId>,
    ) -> anyhow::Result<Vec<Delivery>> {
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
        if let Some(claimed) = self.reclaim(cursors, max).await? {
            return Ok(claimed);
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
        let _: u64 = self
            .writer
            .query(&ack::ack_and_trim(&self.stream, receipts))
            .await?;
        Ok(())
    }

    async fn dead_letter(&self, delivery: &Delivery, reason: &str) -> anyhow::Result<()> {
        let _: String = self
            .writer
            .query(&dead_letter::record(&self.dead_letters, delivery, reason))
            .await?;
        self.ack(std::slice::from_ref(&delivery.receipt)).await
    }
}
