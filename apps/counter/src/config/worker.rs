//! The worker's settings: its consumer name and loop knobs, and the queue-depth metric.

use std::time::Duration;

use super::{LogFormat, Settings};

/// Knobs of the worker loop.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    pub consumer: String,
    pub batch_size: usize,
    pub max_deliveries: u32,
    pub claim_idle: Duration,
}

/// The queue-depth metric the worker publishes for CloudWatch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueDepthMetricConfig {
    /// Value of the `Queue` dimension: REDIS_QUEUE (also with the embedded queue).
    pub queue: String,
    pub interval: Duration,
}

impl Settings {
    /// `None` when the metric is off: CLOUDWATCH_METRICS=false, or unset with text logs, or a
    /// zero interval.
    pub fn queue_depth_metric(&self) -> Option<QueueDepthMetricConfig> {
        let enabled = self
            .cloudwatch_metrics
            .unwrap_or(self.log_format == LogFormat::Json);
        (enabled && self.queue_depth_metric_interval_secs > 0).then(|| QueueDepthMetricConfig {
            queue: self.redis_queue.clone(),
            interval: Duration::from_secs(self.queue_depth_metric_interval_secs),
        })
    }

    pub fn worker(&self) -> WorkerConfig {
        WorkerConfig {
            consumer: self
                .worker_id
                .clone()
                .unwrap_or_else(|| gethostname::gethostname().to_string_lossy().into_owned()),
            batch_size: self.worker_batch_size.clamp(1, 5_000),
            max_deliveries: self.worker_max_deliveries.max(1),
            claim_idle: Duration::from_millis(self.worker_claim_idle_ms.max(100)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::settings;

    #[test]
    fn queue_depth_metric_is_on_with_json_logs_unless_turned_off() {
        let metric = |args: &[&str]| settings(args).queue_depth_metric();
        assert_eq!(metric(&[]), None);
        assert_eq!(
            metric(&["--log-format", "json"]),
            Some(QueueDepthMetricConfig {
                queue: "counts".into(),
                interval: Duration::from_secs(60),
            })
        );
        assert_eq!(
            metric(&["--log-format", "json", "--cloudwatch-metrics", "false"]),
            None
        );
        assert_eq!(
            metric(&[
                "--cloudwatch-metrics",
                "true",
                "--redis-queue",
                "jobs",
                "--queue-depth-metric-interval-secs",
                "5",
            ]),
            Some(QueueDepthMetricConfig {
                queue: "jobs".into(),
                interval: Duration::from_secs(5),
            })
        );
        assert_eq!(
            metric(&[
                "--cloudwatch-metrics",
                "yes",
                "--queue-depth-metric-interval-secs",
                "0",
            ]),
            None
        );
    }
}
