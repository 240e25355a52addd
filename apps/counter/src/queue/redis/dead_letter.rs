//! The dead-letter stream: where undecodable messages and ones delivered too often go, with
//! the reason.

use redis::Cmd;

use crate::message::{FIELD_COUNT, FIELD_ID};
use crate::queue::Delivery;

/// Name of the dead-letter stream; the hash tag keeps it in the stream's cluster slot.
pub fn dead_letter_stream(stream: &str) -> String {
    format!("{{{stream}}}:dead")
}

/// The `XADD` that records `delivery` in `dead_letters` with `reason` (the message itself
/// when it could be decoded).
pub(super) fn record(dead_letters: &str, delivery: &Delivery, reason: &str) -> Cmd {
    let mut cmd = redis::cmd("XADD");
    cmd.arg(dead_letters)
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
    cmd
}
