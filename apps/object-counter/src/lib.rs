//! The object counter (seed 001): S3 tells SNS when objects are created or removed; the
//! `count-events` function keeps, per bucket and per prefix, how many objects appeared
//! (created), disappeared (removed) and are there now (current); `read-counts` answers
//! `GET /count` and `GET /count/{prefix}` through API Gateway.
//!
//! Both S3 and SNS deliver at least once and in no guaranteed order, so counting is idempotent:
//! each object's last applied event (its S3 `sequencer`) is stored with the object, and an
//! event is applied — object state and every prefix counter, in one DynamoDB transaction —
//! only if it is newer than that. A redelivered or stale event changes nothing.

pub mod api;
pub mod counter;
pub mod events;
pub mod table;
