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

mod ack;
mod claim;
mod connect;
mod consume;
mod dead_letter;
mod produce;

use std::sync::Arc;

use async_trait::async_trait;

use super::{Consumer, ConsumerOptions, Queue};
use crate::message::CountMessage;
pub use connect::RedisTarget;
use connect::{LazyConnection, COMMAND_TIMEOUT};
use consume::RedisConsumer;
pub use dead_letter::dead_letter_stream;
use produce::Producer;

/// The consumer group every worker joins.
pub const GROUP: &str = "counter-workers";

pub struct RedisQueue {
    stream: String,
    target: Arc<RedisTarget>,
    /// Shared, multiplexed connection for producers and non-blocking commands.
    shared: Arc<LazyConnection>,
    producer: Producer,
}

impl RedisQueue {
    pub fn new(target: RedisTarget, stream: &str) -> anyhow::Result<Self> {
        let target = Arc::new(target);
        let shared = Arc::new(LazyConnection::new(&target, COMMAND_TIMEOUT));
        Ok(Self {
            stream: stream.to_owned(),
            producer: Producer::start(stream, shared.clone()),
            target,
            shared,
        })
    }
}

#[async_trait]
impl Queue for RedisQueue {
    async fn enqueue(&self, message: &CountMessage) -> anyhow::Result<()> {
        self.producer.append(message).await
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
        Ok(Box::new(RedisConsumer::new(
            &self.target,
            &self.stream,
            options,
        )))
    }
}
