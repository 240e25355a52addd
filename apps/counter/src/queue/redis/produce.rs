//! The producer side: concurrent `XADD`s group-committed in pipelines.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, Semaphore};

use super::connect::LazyConnection;
use crate::message::{CountMessage, FIELD_COUNT, FIELD_ID};

/// Hands XADDs to the group-commit task.
pub(super) struct Producer {
    appends: mpsc::Sender<PendingAppend>,
}

impl Producer {
    /// Starts the group-commit task for `stream` on `connection`.
    pub(super) fn start(stream: &str, connection: Arc<LazyConnection>) -> Self {
        let (appends, pending) = mpsc::channel(MAX_GROUP * MAX_GROUPS_IN_FLIGHT);
        tokio::spawn(commit_groups(stream.to_owned(), connection, pending));
        Self { appends }
    }

    /// Appends `message`; returns once Redis has it.
    pub(super) async fn append(&self, message: &CountMessage) -> anyhow::Result<()> {
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
