//! The queue between API and worker, behind two small traits: [`Queue`] for the producer side
//! and [`Consumer`] for a worker's stateful view (its in-flight messages, reclaim cursor).
//!
//! Delivery is at-least-once: a message stays in the queue until acknowledged, messages of a
//! dead consumer are reclaimed after `claim_idle`, and every delivery carries its attempt count
//! so that a message that keeps failing can be dead-lettered.

pub mod embedded;
pub mod redis;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::config::{QueueConfig, WorkerConfig};
use crate::message::CountMessage;

/// One received message. `receipt` is what acknowledges it (a stream entry id or a row id).
#[derive(Clone, Debug)]
pub struct Delivery {
    pub receipt: String,
    /// How often this message has been handed out, this time included.
    pub attempts: u32,
    /// The decoded message, or why it cannot be decoded (a poison message).
    pub message: Result<CountMessage, String>,
}

#[async_trait]
pub trait Queue: Send + Sync {
    /// Appends a message; returns only after the queue has durably acknowledged the write.
    async fn enqueue(&self, message: &CountMessage) -> anyhow::Result<()>;
    /// Messages not yet acknowledged (waiting and in flight).
    async fn depth(&self) -> anyhow::Result<u64>;
    async fn ping(&self) -> anyhow::Result<()>;
    /// A consumer for one worker, with its own connection for blocking reads.
    async fn consumer(&self, options: ConsumerOptions) -> anyhow::Result<Box<dyn Consumer>>;
}

/// Methods take `&self` so that a worker can acknowledge one batch while reading the next.
#[async_trait]
pub trait Consumer: Send + Sync {
    /// Up to `max` messages: first this consumer's own unacknowledged ones (after a restart),
    /// then ones abandoned by others, then new ones. With `wait`, an empty queue is waited on
    /// for up to the configured block time; without, the call returns at once.
    async fn receive(&self, max: usize, wait: bool) -> anyhow::Result<Vec<Delivery>>;
    async fn ack(&self, receipts: &[String]) -> anyhow::Result<()>;
    /// Moves a message to the dead-letter queue (and acknowledges it).
    async fn dead_letter(&self, delivery: &Delivery, reason: &str) -> anyhow::Result<()>;
}

#[derive(Clone, Debug)]
pub struct ConsumerOptions {
    pub name: String,
    /// Longest wait of one `receive` when nothing is queued.
    pub block: Duration,
    /// Unacknowledged for this long → another consumer may take the message over.
    pub claim_idle: Duration,
}

impl ConsumerOptions {
    pub fn from_worker(config: &WorkerConfig) -> Self {
        Self {
            name: config.consumer.clone(),
            block: Duration::from_secs(1),
            claim_idle: config.claim_idle,
        }
    }
}

/// Opens the configured queue. Redis connects lazily, so this succeeds while Redis is down.
pub async fn open(config: &QueueConfig) -> anyhow::Result<Arc<dyn Queue>> {
    Ok(match config {
        QueueConfig::Embedded { path } => Arc::new(embedded::EmbeddedQueue::open(path).await?),
        QueueConfig::Redis {
            nodes,
            cluster,
            stream,
            username,
            password,
            tls_ca,
        } => {
            let target = redis::RedisTarget::new(
                nodes,
                *cluster,
                username.as_deref(),
                password.as_ref(),
                tls_ca.as_deref(),
            )?;
            Arc::new(redis::RedisQueue::new(target, stream)?)
        }
    })
}
