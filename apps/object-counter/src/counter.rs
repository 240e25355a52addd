//! Applying object events to the table, exactly once per event.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;

use crate::events::{object_events, Change, ObjectEvent, SnsEvent};
use crate::table::*;

/// How often an event is retried when concurrent writers touch the same items.
const MAX_ATTEMPTS: u32 = 20;

/// What applying one event did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The object appeared or disappeared: counters moved.
    Counted,
    /// A newer event for the object (or an overwrite of a present object): state updated,
    /// counters unchanged.
    Recorded,
    /// This event, or a newer one, was applied before: nothing changed.
    AlreadyApplied,
}

#[derive(Debug, thiserror::Error)]
pub enum CountError {
    #[error(transparent)]
    Event(#[from] crate::events::EventError),
    #[error("DynamoDB: {0}")]
    Dynamo(String),
    #[error("gave up on {key} after {MAX_ATTEMPTS} conflicting attempts")]
    Contention { key: String },
}

fn dynamo<E: std::error::Error>(e: E) -> CountError {
    CountError::Dynamo(aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string())
}

/// Counts object events into one table.
#[derive(Clone)]
pub struct Counter {
    client: Client,
    table: String,
}

/// The object's state as last recorded.
struct ObjectState {
    present: bool,
    sequencer: String,
}

impl Counter {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Counter {
            client,
            table: table.into(),
        }
    }

    /// Applies every record of an SNS delivery; returns what each did.
    pub async fn handle(&self, event: SnsEvent) -> Result<Vec<Outcome>, CountError> {
        let mut outcomes = Vec::new();
        for record in event.records {
            for object_event in object_events(&record.sns.message)? {
                outcomes.push(self.apply(&object_event).await?);
            }
        }
        Ok(outcomes)
    }

    /// Applies one event: object state and prefix counters in one transaction, conditioned on
    /// the state it read, retried when someone else changed it in between.
    pub async fn apply(&self, event: &ObjectEvent) -> Result<Outcome, CountError> {
        let pk = object_pk(&event.bucket, &event.key);
        for attempt in 0..MAX_ATTEMPTS {
            let state = self.read_state(&pk).await?;
            if state
                .as_ref()
                .is_some_and(|s| s.sequencer >= event.sequencer)
            {
                return Ok(Outcome::AlreadyApplied);
            }
            let was_present = state.as_ref().is_some_and(|s| s.present);
            let now_present = event.change == Change::Created;
            let delta = match (was_present, now_present) {
                (false, true) => Some((1, 0, 1)),
                (true, false) => Some((0, 1, -1)),
                _ => None,
            };
            let mut items = vec![self.put_state(&pk, event, state.as_ref())?];
            if let Some((created, removed, current)) = delta {
                for prefix in prefixes(&event.key) {
                    items.push(self.add_counts(
                        &event.bucket,
                        prefix,
                        created,
                        removed,
                        current,
                    )?);
                }
            }
            match self
                .client
                .transact_write_items()
                .set_transact_items(Some(items))
                .send()
                .await
            {
                Ok(_) => {
                    return Ok(if delta.is_some() {
                        Outcome::Counted
                    } else {
                        Outcome::Recorded
                    })
                }
                Err(e) if is_conflict(&e) => backoff(attempt).await,
                Err(e) => return Err(dynamo(e)),
            }
        }
        Err(CountError::Contention { key: pk })
    }

    async fn read_state(&self, pk: &str) -> Result<Option<ObjectState>, CountError> {
        let item = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, AttributeValue::S(pk.to_owned()))
            .key(SORT_KEY, AttributeValue::S(OBJECT_SK.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .map_err(dynamo)?
            .item;
        Ok(item.map(|item| ObjectState {
            present: matches!(item.get("present"), Some(AttributeValue::Bool(true))),
            sequencer: match item.get("sequencer") {
                Some(AttributeValue::S(s)) => s.clone(),
                _ => String::new(),
            },
        }))
    }

    /// Writes the object's new state, on condition that it is still what was read.
    fn put_state(
        &self,
        pk: &str,
        event: &ObjectEvent,
        read: Option<&ObjectState>,
    ) -> Result<TransactWriteItem, CountError> {
        let present = event.change == Change::Created;
        let mut put = Put::builder()
            .table_name(&self.table)
            .item(PARTITION_KEY, AttributeValue::S(pk.to_owned()))
            .item(SORT_KEY, AttributeValue::S(OBJECT_SK.to_owned()))
            .item("present", AttributeValue::Bool(present))
            .item("sequencer", AttributeValue::S(event.sequencer.clone()));
        if !present {
            let expires = unix_now() + REMOVED_STATE_TTL_SECS;
            put = put.item(TTL_ATTRIBUTE, AttributeValue::N(expires.to_string()));
        }
        put = match read {
            Some(state) => put
                .condition_expression("sequencer = :read")
                .expression_attribute_values(":read", AttributeValue::S(state.sequencer.clone())),
            None => put.condition_expression("attribute_not_exists(pk)"),
        };
        Ok(TransactWriteItem::builder()
            .put(put.build().map_err(dynamo)?)
            .build())
    }

    fn add_counts(
        &self,
        bucket: &str,
        prefix: &str,
        created: i64,
        removed: i64,
        current: i64,
    ) -> Result<TransactWriteItem, CountError> {
        let update = Update::builder()
            .table_name(&self.table)
            .key(PARTITION_KEY, AttributeValue::S(counter_pk(bucket)))
            .key(SORT_KEY, AttributeValue::S(prefix.to_owned()))
            .update_expression("ADD created :c, removed :r, #current :n")
            .expression_attribute_names("#current", "current")
            .expression_attribute_values(":c", AttributeValue::N(created.to_string()))
            .expression_attribute_values(":r", AttributeValue::N(removed.to_string()))
            .expression_attribute_values(":n", AttributeValue::N(current.to_string()))
            .build()
            .map_err(dynamo)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}

/// A transaction that lost a race: the state changed since it was read, or another
/// transaction held an item.
fn is_conflict(e: &SdkError<TransactWriteItemsError>) -> bool {
    match e.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(c)) => {
            c.cancellation_reasons().iter().any(|r| {
                matches!(
                    r.code(),
                    Some("ConditionalCheckFailed" | "TransactionConflict")
                )
            })
        }
        Some(TransactWriteItemsError::TransactionInProgressException(_)) => true,
        _ => false,
    }
}

/// Exponential backoff with jitter from the clock, capped at about a second.
async fn backoff(attempt: u32) {
    let base = 10u64 << attempt.min(6);
    let jitter = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::from(d.subsec_nanos()))
        % base;
    tokio::time::sleep(Duration::from_millis(base / 2 + jitter)).await;
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
