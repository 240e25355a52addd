//! The queue depth as a CloudWatch metric, in the embedded metric format (EMF): every
//! interval the worker writes one JSON line to stdout, which the awslogs log driver ships to
//! CloudWatch Logs, where it becomes `Counter/QueueDepth` with dimension `Queue` (what the
//! `queue_counter` blueprint scales the worker on and alarms on). No SDK, no credentials.
//!
//! The line is on stdout, apart from the logs (on stderr), and goes out in one `write` call,
//! so it never interleaves with anything else. A tick at which the queue does not answer is
//! skipped: no line rather than a made-up 0.

use std::io::{self, Write};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use tokio::time::MissedTickBehavior;

use crate::config::QueueDepthMetricConfig;
use crate::queue::Queue;
use crate::shutdown::Shutdown;

pub use counter_contract::metric::{
    NAMESPACE, QUEUE_DEPTH as METRIC, QUEUE_DIMENSION as DIMENSION,
};

/// Longest wait for the queue's answer; a slower answer skips the tick.
const DEPTH_TIMEOUT: Duration = Duration::from_secs(5);

/// One EMF record. The field names are the format's (and the metric's) own.
#[derive(Serialize)]
struct Record<'a> {
    #[serde(rename = "_aws")]
    aws: Metadata,
    // The dimension and the metric (DIMENSION, METRIC); serde wants literals here.
    #[serde(rename = "Queue")]
    queue: &'a str,
    #[serde(rename = "QueueDepth")]
    queue_depth: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Metadata {
    timestamp: u64,
    #[serde(rename = "CloudWatchMetrics")]
    cloudwatch_metrics: [Directive; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Directive {
    namespace: &'static str,
    dimensions: [[&'static str; 1]; 1],
    metrics: [MetricDefinition; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct MetricDefinition {
    name: &'static str,
    unit: &'static str,
}

/// The EMF line (newline included) for `depth` messages in `queue` at `timestamp_ms`
/// (milliseconds since the Unix epoch).
pub fn queue_depth_line(queue: &str, depth: u64, timestamp_ms: u64) -> String {
    let record = Record {
        aws: Metadata {
            timestamp: timestamp_ms,
            cloudwatch_metrics: [Directive {
                namespace: NAMESPACE,
                dimensions: [[DIMENSION]],
                metrics: [MetricDefinition {
                    name: METRIC,
                    unit: "Count",
                }],
            }],
        },
        queue,
        queue_depth: depth,
    };
    let mut line = serde_json::to_string(&record).expect("an EMF record always serializes");
    line.push('\n');
    line
}

/// Writes `line` to stdout in one `write` call (a line of a few hundred bytes is below
/// PIPE_BUF, so a pipe takes it whole) under the stdout lock.
pub fn write_stdout(line: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    // Stdout is line-buffered and the line ends with its newline: with the buffer empty (it
    // always is, nothing else writes to stdout) it goes straight to the file descriptor.
    stdout.write_all(line.as_bytes())?;
    stdout.flush()
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Publishes the queue depth every `config.interval` (the first at once) through `write`
/// until shutdown.
pub async fn publish_queue_depth<W>(
    queue: Arc<dyn Queue>,
    config: QueueDepthMetricConfig,
    shutdown: Shutdown,
    mut write: W,
) where
    W: FnMut(&str) -> io::Result<()> + Send,
{
    tracing::info!(
        queue = %config.queue,
        interval_secs = config.interval.as_secs_f64(),
        "publishing the queue depth as a CloudWatch metric (EMF on stdout)"
    );
    let mut ticks = tokio::time::interval(config.interval);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        let depth = tokio::select! {
            biased;
            () = shutdown.wait() => break,
            depth = async {
                ticks.tick().await;
                tokio::time::timeout(DEPTH_TIMEOUT, queue.depth()).await
            } => depth,
        };
        let depth = match depth {
            Ok(Ok(depth)) => depth,
            Ok(Err(e)) => {
                tracing::warn!(error = %format!("{e:#}"), "queue depth unavailable; metric skipped");
                continue;
            }
            Err(_) => {
                tracing::warn!("queue depth timed out; metric skipped");
                continue;
            }
        };
        if let Err(e) = write(&queue_depth_line(&config.queue, depth, now_ms())) {
            tracing::warn!(error = %e, "cannot write the queue depth metric");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Mutex;

    use async_trait::async_trait;
    use serde_json::Value;

    use super::*;
    use crate::message::CountMessage;
    use crate::queue::{Consumer, ConsumerOptions};

    fn keys(value: &Value) -> Vec<&str> {
        let mut keys: Vec<&str> = value
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        keys
    }

    #[test]
    fn line_is_one_emf_record() {
        let line = queue_depth_line("counts-prod", 1234, 1_700_000_000_123);
        assert!(line.ends_with('\n'));
        assert_eq!(line.matches('\n').count(), 1, "{line}");
        let record: Value = serde_json::from_str(&line).expect("the line is JSON");

        assert_eq!(keys(&record), ["Queue", "QueueDepth", "_aws"]);
        // The fields named by serde attributes are the contract's dimension and metric.
        assert_eq!((DIMENSION, METRIC), ("Queue", "QueueDepth"));
        assert_eq!(record["Queue"], "counts-prod");
        assert_eq!(record["QueueDepth"].as_u64(), Some(1234));
        let aws = &record["_aws"];
        assert_eq!(keys(aws), ["CloudWatchMetrics", "Timestamp"]);
        assert_eq!(aws["Timestamp"].as_u64(), Some(1_700_000_000_123));
        let directives = aws["CloudWatchMetrics"].as_array().expect("an array");
        assert_eq!(directives.len(), 1);
        let directive = &directives[0];
        assert_eq!(keys(directive), ["Dimensions", "Metrics", "Namespace"]);
        assert_eq!(directive["Namespace"], "Counter");
        assert_eq!(directive["Dimensions"], serde_json::json!([["Queue"]]));
        assert_eq!(
            directive["Metrics"],
            serde_json::json!([{"Name": "QueueDepth", "Unit": "Count"}])
        );
    }

    #[test]
    fn queue_names_are_escaped() {
        let line = queue_depth_line("a\"b\\c\nd", 0, 1);
        let record: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(record["Queue"], "a\"b\\c\nd");
        assert_eq!(record["QueueDepth"].as_u64(), Some(0));
        assert_eq!(line.matches('\n').count(), 1);
    }

    /// Answers depth 10, 11, … but fails every other call.
    struct FlakyQueue {
        calls: AtomicU64,
    }

    #[async_trait]
    impl Queue for FlakyQueue {
        async fn enqueue(&self, _: &CountMessage) -> anyhow::Result<()> {
            unimplemented!()
        }
        async fn depth(&self) -> anyhow::Result<u64> {
            let call = self.calls.fetch_add(1, Ordering::Relaxed);
            anyhow::ensure!(call.is_multiple_of(2), "queue down");
            Ok(10 + call / 2)
        }
        async fn ping(&self) -> anyhow::Result<()> {
            Ok(())
        }
        async fn consumer(&self, _: ConsumerOptions) -> anyhow::Result<Box<dyn Consumer>> {
            anyhow::bail!("not a consumer")
        }
    }

    #[tokio::test]
    async fn publishes_each_tick_skips_failures_and_stops_on_shutdown() {
        let (trigger, shutdown) = Shutdown::new();
        let lines = Arc::new(Mutex::new(Vec::<String>::new()));
        let sink = lines.clone();
        let task = tokio::spawn(publish_queue_depth(
            Arc::new(FlakyQueue {
                calls: AtomicU64::new(0),
            }),
            QueueDepthMetricConfig {
                queue: "q".into(),
                interval: Duration::from_millis(10),
            },
            shutdown,
            move |line: &str| {
                sink.lock().unwrap().push(line.to_owned());
                Ok(())
            },
        ));
        while lines.lock().unwrap().len() < 3 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        trigger.trigger();
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("stops on shutdown")
            .unwrap();
        let depths: Vec<u64> = lines.lock().unwrap()[..3]
            .iter()
            .map(|line| {
                let record: Value = serde_json::from_str(line).unwrap();
                assert_eq!(record["Queue"], "q");
                record["QueueDepth"].as_u64().unwrap()
            })
            .collect();
        // The failed calls left no line (in particular no 0).
        assert_eq!(depths, [10, 11, 12]);
    }
}
