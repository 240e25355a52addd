//! The consumer: moves queued counts into the database in batches.
//!
//! Each batch is stored with one multi-row insert, then acknowledged. The insert skips ids
//! already stored, so a batch redelivered after a crash between insert and ack is harmless:
//! killing the worker at any instant loses nothing and stores nothing twice.
//!
//! Three steps overlap: while batch k is inserted, batch k+1 is read (without waiting, if the
//! queue is empty) and batch k−1, already stored, is acknowledged. Acknowledging late is safe:
//! a batch stored but not yet acknowledged when the worker dies is redelivered and skipped.

use std::sync::Arc;
use std::time::Instant;

use crate::config::WorkerConfig;
use crate::db::Database;
use crate::message::CountMessage;
use crate::metrics::Metrics;
use crate::queue::{Consumer, ConsumerOptions, Delivery, Queue};
use crate::shutdown::{Backoff, Shutdown};

pub struct Worker {
    pub queue: Arc<dyn Queue>,
    pub db: Arc<dyn Database>,
    pub metrics: Arc<Metrics>,
    pub config: WorkerConfig,
}

impl Worker {
    /// Runs until shutdown; the batch in hand is finished (stored and acknowledged) first.
    pub async fn run(&self, shutdown: Shutdown) -> anyhow::Result<()> {
        let mut backoff = Backoff::default();
        let options = ConsumerOptions::from_worker(&self.config);
        let consumer = loop {
            match self.queue.consumer(options.clone()).await {
                Ok(consumer) => break consumer,
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "queue unavailable; retrying");
                    if backoff.wait(&shutdown).await {
                        return Ok(());
                    }
                }
            }
        };
        tracing::info!(consumer = %self.config.consumer, batch_size = self.config.batch_size, "worker started");
        // A batch read ahead while the previous one was stored; it is handled even after
        // shutdown was requested, since it was already taken from the queue.
        let mut read_ahead: Option<Vec<Delivery>> = None;
        // Receipts of stored messages whose acknowledgement is still to be sent.
        let mut unacknowledged: Vec<String> = Vec::new();
        loop {
            let batch = match read_ahead.take() {
                Some(batch) => batch,
                None => {
                    // The queue ran dry (or we start): acknowledge before waiting on it.
                    self.ack(consumer.as_ref(), std::mem::take(&mut unacknowledged))
                        .await;
                    if shutdown.is_triggered() {
                        break;
                    }
                    match consumer.receive(self.config.batch_size, true).await {
                        Ok(batch) => {
                            backoff.reset();
                            batch
                        }
                        Err(e) => {
                            tracing::warn!(error = %format!("{e:#}"), "cannot read the queue; retrying");
                            if backoff.wait(&shutdown).await {
                                break;
                            }
                            continue;
                        }
                    }
                }
            };
            if batch.is_empty() {
                continue;
            }
            let previous = std::mem::take(&mut unacknowledged);
            (read_ahead, unacknowledged) = self
                .handle(consumer.as_ref(), batch, previous, &shutdown)
                .await;
        }
        self.ack(consumer.as_ref(), unacknowledged).await;
        tracing::info!("worker stopped");
        Ok(())
    }

    /// Stores one batch while acknowledging `previous` and reading the next batch. Returns the
    /// batch read ahead (if any) and the receipts of what this batch stored.
    async fn handle(
        &self,
        consumer: &dyn Consumer,
        batch: Vec<Delivery>,
        previous: Vec<String>,
        shutdown: &Shutdown,
    ) -> (Option<Vec<Delivery>>, Vec<String>) {
        let started = Instant::now();
        let mut messages = Vec::with_capacity(batch.len());
        let mut receipts = Vec::with_capacity(batch.len());
        for delivery in batch {
            match self.verdict(&delivery) {
                Ok(message) => {
                    messages.push(message);
                    receipts.push(delivery.receipt);
                }
                Err(reason) => self.dead_letter(consumer, &delivery, &reason).await,
            }
        }
        let read_next = async {
            if shutdown.is_triggered() {
                return None;
            }
            consumer
                .receive(self.config.batch_size, false)
                .await
                .inspect_err(|e| tracing::warn!(error = %format!("{e:#}"), "cannot read ahead"))
                .ok()
                .filter(|batch| !batch.is_empty())
        };
        let (stored, next, ()) = tokio::join!(
            self.store(&messages, shutdown),
            read_next,
            self.ack(consumer, previous)
        );
        let Some(stored) = stored else {
            // Shutdown while the database was down: leave the batch unacknowledged, so it is
            // redelivered (to us after a restart, or to another worker), and likewise a batch
            // read ahead.
            return (None, Vec::new());
        };
        let done: Vec<String> = receipts
            .into_iter()
            .zip(&stored)
            .filter_map(|(receipt, ok)| ok.then_some(receipt))
            .collect();
        Metrics::add(&self.metrics.processed, done.len() as u64);
        self.metrics.record_batch(started.elapsed());
        tracing::debug!(
            count = done.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "batch stored"
        );
        (next, done)
    }

    async fn ack(&self, consumer: &dyn Consumer, receipts: Vec<String>) {
        if let Err(e) = consumer.ack(&receipts).await {
            // Stored but not acknowledged: they come back and the insert skips them.
            tracing::warn!(error = %format!("{e:#}"), count = receipts.len(), "cannot acknowledge; messages will be redelivered");
        }
    }

    /// The message to store, or why it goes to the dead-letter queue instead.
    fn verdict(&self, delivery: &Delivery) -> Result<CountMessage, String> {
        match &delivery.message {
            Err(fault) => Err(format!("undecodable message: {fault}")),
            Ok(_) if delivery.attempts > self.config.max_deliveries => Err(format!(
                "not stored after {} deliveries",
                delivery.attempts - 1
            )),
            Ok(message) => Ok(*message),
        }
    }

    async fn dead_letter(&self, consumer: &dyn Consumer, delivery: &Delivery, reason: &str) {
        tracing::error!(receipt = %delivery.receipt, attempts = delivery.attempts, reason, "moving message to the dead-letter queue");
        match consumer.dead_letter(delivery, reason).await {
            Ok(()) => Metrics::add(&self.metrics.dead_lettered, 1),
            // Still pending: it will be reclaimed and judged again.
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "cannot dead-letter the message now")
            }
        }
    }

    /// Stores the batch, retrying while the database is down. Returns which messages were
    /// stored, or `None` if shutdown came while waiting for the database.
    async fn store(&self, messages: &[CountMessage], shutdown: &Shutdown) -> Option<Vec<bool>> {
        let mut backoff = Backoff::default();
        loop {
            let Err(e) = self.db.insert_batch(messages).await else {
                return Some(vec![true; messages.len()]);
            };
            if self.db.ping().await.is_ok() {
                // The database answers, so something in the batch is at fault: store one by
                // one and leave the failing ones for redelivery (and, in the end, dead-lettering).
                tracing::warn!(error = %format!("{e:#}"), "batch insert failed; storing messages one by one");
                return Some(self.store_one_by_one(messages).await);
            }
            tracing::warn!(error = %format!("{e:#}"), "database unavailable; retrying the batch");
            if backoff.wait(shutdown).await {
                return None;
            }
        }
    }

    async fn store_one_by_one(&self, messages: &[CountMessage]) -> Vec<bool> {
        let mut stored = Vec::with_capacity(messages.len());
        for message in messages {
            let result = self.db.insert_batch(std::slice::from_ref(message)).await;
            if let Err(e) = &result {
                Metrics::add(&self.metrics.failed, 1);
                tracing::warn!(id = %message.id, error = %format!("{e:#}"), "message not stored; left for redelivery");
            }
            stored.push(result.is_ok());
        }
        stored
    }
}
