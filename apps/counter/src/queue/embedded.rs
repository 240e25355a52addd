//! Durable embedded queue: a SQLite table in DATA_DIR, shared by any processes on the machine.
//!
//! A message is a row; receiving leases rows (`leased_by`, `lease_until`) and counts the
//! attempt, acknowledging deletes them. A lease that runs out (the worker died) makes the row
//! receivable again. WAL mode with `synchronous=NORMAL`: a commit survives the process being
//! killed (the requirement here), not a power cut — the laptop path, not production.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use async_trait::async_trait;
use sqlx::{QueryBuilder, Row, SqlitePool};
use tokio::sync::Notify;
use uuid::Uuid;

use super::{Consumer, ConsumerOptions, Delivery, Queue};
use crate::message::CountMessage;
use crate::sqlite_file::{open_sqlite, retry_while_locked};

/// How often a waiting consumer looks for rows written by another process; writes from this
/// process wake it at once.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS messages (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    msg_id      BLOB    NOT NULL,
    count       INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    leased_by   TEXT,
    lease_until INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS messages_by_lease ON messages (lease_until, seq);
CREATE TABLE IF NOT EXISTS dead_letters (
    seq       INTEGER PRIMARY KEY,
    msg_id    BLOB,
    count     INTEGER,
    attempts  INTEGER NOT NULL,
    reason    TEXT    NOT NULL,
    failed_at INTEGER NOT NULL
);";

/// The schema in one write transaction taken up front (`BEGIN IMMEDIATE`), so that a second
/// process creating it at the same moment waits instead of failing on a stale read.
async fn create_tables(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    let mut transaction = pool.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::Executor::execute(&mut *transaction, SCHEMA).await?;
    transaction.commit().await
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub struct EmbeddedQueue {
    pool: SqlitePool,
    written: Arc<Notify>,
}

impl EmbeddedQueue {
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        let pool = open_sqlite(path, 4).await?;
        retry_while_locked(|| create_tables(&pool))
            .await
            .context("cannot create the queue tables")?;
        Ok(Self {
            pool,
            written: Arc::new(Notify::new()),
        })
    }

    /// Dead-lettered messages as (count, attempts, reason), oldest first; for operators and tests.
    pub async fn dead_letters(&self) -> anyhow::Result<Vec<(Option<i64>, u32, String)>> {
        let rows = sqlx::query("SELECT count, attempts, reason FROM dead_letters ORDER BY seq")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get::<i64, _>(1) as u32, r.get(2)))
            .collect())
    }
}

#[async_trait]
impl Queue for EmbeddedQueue {
    async fn enqueue(&self, message: &CountMessage) -> anyhow::Result<()> {
        sqlx::query("INSERT INTO messages (msg_id, count) VALUES (?, ?)")
            .bind(message.id.as_bytes().as_slice())
            .bind(message.count)
            .execute(&self.pool)
            .await?;
        self.written.notify_waiters();
        Ok(())
    }

    async fn depth(&self) -> anyhow::Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages")
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    async fn ping(&self) -> anyhow::Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn consumer(&self, options: ConsumerOptions) -> anyhow::Result<Box<dyn Consumer>> {
        // Leases of a previous process with our name are ours to redo right away.
        sqlx::query("UPDATE messages SET lease_until = 0 WHERE leased_by = ?")
            .bind(&options.name)
            .execute(&self.pool)
            .await?;
        Ok(Box::new(EmbeddedConsumer {
            pool: self.pool.clone(),
            written: self.written.clone(),
            options,
        }))
    }
}

struct EmbeddedConsumer {
    pool: SqlitePool,
    written: Arc<Notify>,
    options: ConsumerOptions,
}

impl EmbeddedConsumer {
    async fn lease(&self, max: usize) -> anyhow::Result<Vec<Delivery>> {
        let now = now_ms();
        let rows = sqlx::query(
            "UPDATE messages
                SET attempts = attempts + 1, leased_by = ?1, lease_until = ?2
              WHERE seq IN (SELECT seq FROM messages WHERE lease_until <= ?3 ORDER BY seq LIMIT ?4)
          RETURNING seq, msg_id, count, attempts",
        )
        .bind(&self.options.name)
        .bind(now + self.options.claim_idle.as_millis() as i64)
        .bind(now)
        .bind(max as i64)
        .fetch_all(&self.pool)
        .await?;
        let mut deliveries: Vec<Delivery> = rows
            .iter()
            .map(|row| {
                let id: Vec<u8> = row.get("msg_id");
                Delivery {
                    receipt: row.get::<i64, _>("seq").to_string(),
                    attempts: row.get::<i64, _>("attempts") as u32,
                    message: Uuid::from_slice(&id)
                        .map(|id| CountMessage {
                            id,
                            count: row.get("count"),
                        })
                        .map_err(|e| format!("bad id: {e}")),
                }
            })
            .collect();
        // RETURNING gives no order guarantee; keep queue order.
        deliveries.sort_by_key(|d| d.receipt.parse::<i64>().unwrap_or(i64::MAX));
        Ok(deliveries)
    }
}

fn receipts_as_seq(receipts: &[String]) -> anyhow::Result<Vec<i64>> {
    receipts
        .iter()
        .map(|r| r.parse().with_context(|| format!("bad receipt {r:?}")))
        .collect()
}

#[async_trait]
impl Consumer for EmbeddedConsumer {
    async fn receive(&self, max: usize, wait: bool) -> anyhow::Result<Vec<Delivery>> {
        let block = if wait {
            self.options.block
        } else {
            Duration::ZERO
        };
        let deadline = tokio::time::Instant::now() + block;
        loop {
            // Register interest before looking, so a write in between is not missed.
            let written = self.written.notified();
            tokio::pin!(written);
            written.as_mut().enable();
            let batch = self.lease(max).await?;
            if !batch.is_empty() || tokio::time::Instant::now() >= deadline {
                return Ok(batch);
            }
            let _ = tokio::time::timeout(POLL_INTERVAL, written).await;
        }
    }

    async fn ack(&self, receipts: &[String]) -> anyhow::Result<()> {
        if receipts.is_empty() {
            return Ok(());
        }
        let mut query = QueryBuilder::new("DELETE FROM messages WHERE seq IN (");
        let mut list = query.separated(", ");
        for seq in receipts_as_seq(receipts)? {
            list.push_bind(seq);
        }
        query.push(")");
        query.build().execute(&self.pool).await?;
        Ok(())
    }

    async fn dead_letter(&self, delivery: &Delivery, reason: &str) -> anyhow::Result<()> {
        let seq = receipts_as_seq(std::slice::from_ref(&delivery.receipt))?[0];
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT OR REPLACE INTO dead_letters (seq, msg_id, count, attempts, reason, failed_at)
             SELECT seq, msg_id, count, ?2, ?3, ?4 FROM messages WHERE seq = ?1",
        )
        .bind(seq)
        .bind(delivery.attempts as i64)
        .bind(reason)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM messages WHERE seq = ?")
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod opening_tests {
    use super::EmbeddedQueue;

    /// Several processes started at once (`counter all`, a second worker) create the queue
    /// file together; each must open it, none may fail with "database is locked". Here the
    /// openers are pools of one process, which SQLite locks against each other as it locks
    /// processes. Without the retries this failed within a few rounds.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn many_openers_of_a_new_file_all_succeed() {
        for round in 0..40 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("queue.db");
            let openers: Vec<_> = (0..8)
                .map(|_| {
                    let path = path.clone();
                    tokio::spawn(async move { EmbeddedQueue::open(&path).await.map(|_| ()) })
                })
                .collect();
            for opener in openers {
                let opened = opener.await.unwrap();
                assert!(opened.is_ok(), "round {round}: {:#}", opened.unwrap_err());
            }
        }
    }
}
