//! Taking over what a stalled consumer left: `XAUTOCLAIM` of entries unacknowledged for longer
//! than the claim-idle time, walked through the pending list with a cursor.

use std::time::Instant;

use redis::streams::StreamAutoClaimReply;

use super::consume::{ReadCursors, RedisConsumer};
use super::GROUP;
use crate::queue::{Consumer, Delivery};

impl RedisConsumer {
    /// Entries of other consumers idle for longer than the claim-idle time, now ours; `None`
    /// when there are none (or it is not yet time to look again).
    pub(super) async fn reclaim(
        &self,
        cursors: &mut ReadCursors,
        max: usize,
    ) -> anyhow::Result<Option<Vec<Delivery>>> {
        if Instant::now() < cursors.next_reclaim {
            return Ok(None);
        }
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
            // A full pass over the pending list: the next one can wait.
            cursors.next_reclaim = Instant::now() + self.options.claim_idle / 2;
        }
        cursors.reclaim = reply.next_stream_id;
        if reply.claimed.is_empty() {
            return Ok(None);
        }
        tracing::info!(
            count = reply.claimed.len(),
            "reclaimed messages of a stalled consumer"
        );
        Ok(Some(self.with_attempts(reply.claimed).await?))
    }
}
