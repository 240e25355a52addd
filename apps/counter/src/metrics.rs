//! Prometheus metrics, kept as atomics and rendered in the text exposition format by hand:
//! a handful of series does not need a metrics framework.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;
use std::time::Duration;

/// Upper bounds (seconds) of the batch latency histogram.
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default)]
pub struct Metrics {
    /// (method, route, status) → requests. A short list searched under a read lock: the
    /// hot path neither allocates nor takes a write lock once a series exists.
    http_requests: RwLock<Vec<RequestSeries>>,
    pub enqueued: AtomicU64,
    pub enqueue_failures: AtomicU64,
    pub processed: AtomicU64,
    pub failed: AtomicU64,
    pub dead_lettered: AtomicU64,
    pub batches: AtomicU64,
    batch_latency_buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    batch_latency_micros: AtomicU64,
}

struct RequestSeries {
    method: String,
    route: String,
    status: u16,
    count: AtomicU64,
}

impl RequestSeries {
    fn is(&self, method: &str, route: &str, status: u16) -> bool {
        self.status == status && self.method == method && self.route == route
    }
}

impl Metrics {
    pub fn record_request(&self, method: &str, route: &str, status: u16) {
        let series = self.http_requests.read().expect("metrics lock poisoned");
        if let Some(s) = series.iter().find(|s| s.is(method, route, status)) {
            s.count.fetch_add(1, Ordering::Relaxed);
            return;
        }
        drop(series);
        let mut series = self.http_requests.write().expect("metrics lock poisoned");
        match series.iter().find(|s| s.is(method, route, status)) {
            Some(s) => {
                s.count.fetch_add(1, Ordering::Relaxed);
            }
            None => series.push(RequestSeries {
                method: method.to_owned(),
                route: route.to_owned(),
                status,
                count: AtomicU64::new(1),
            }),
        }
    }

    pub fn record_batch(&self, elapsed: Duration) {
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.batch_latency_micros
            .fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
        let secs = elapsed.as_secs_f64();
        if let Some(i) = LATENCY_BUCKETS.iter().position(|b| secs <= *b) {
            self.batch_latency_buckets[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// The exposition text; `queue_depth` is `None` when the queue did not answer.
    pub fn render(&self, queue_depth: Option<u64>) -> String {
        let mut out = String::new();
        let mut counter = |name: &str, help: &str, value: u64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
            );
        };
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        counter(
            "counter_enqueued_total",
            "Counts accepted into the queue.",
            load(&self.enqueued),
        );
        counter(
            "counter_enqueue_failures_total",
            "POST /count answered 503 because the queue did not acknowledge.",
            load(&self.enqueue_failures),
        );
        counter(
            "counter_processed_total",
            "Messages stored in the database.",
            load(&self.processed),
        );
        counter(
            "counter_failed_total",
            "Message deliveries that failed and were left for redelivery.",
            load(&self.failed),
        );
        counter(
            "counter_dead_lettered_total",
            "Messages moved to the dead-letter queue.",
            load(&self.dead_lettered),
        );

        let _ = writeln!(
            out,
            "# HELP counter_http_requests_total HTTP requests by route and status."
        );
        let _ = writeln!(out, "# TYPE counter_http_requests_total counter");
        let series = self.http_requests.read().expect("metrics lock poisoned");
        let mut lines: Vec<String> = series
            .iter()
            .map(|s| {
                format!(
                    "counter_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}",
                    s.method,
                    s.route,
                    s.status,
                    s.count.load(Ordering::Relaxed)
                )
            })
            .collect();
        lines.sort();
        for line in lines {
            let _ = writeln!(out, "{line}");
        }

        let _ = writeln!(
            out,
            "# HELP counter_queue_up Whether the queue answered this scrape."
        );
        let _ = writeln!(out, "# TYPE counter_queue_up gauge");
        let _ = writeln!(out, "counter_queue_up {}", u8::from(queue_depth.is_some()));
        if let Some(depth) = queue_depth {
            let _ = writeln!(
                out,
                "# HELP counter_queue_depth Messages waiting or in flight."
            );
            let _ = writeln!(out, "# TYPE counter_queue_depth gauge");
            let _ = writeln!(out, "counter_queue_depth {depth}");
        }

        let name = "counter_batch_duration_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} Time to store and acknowledge one batch."
        );
        let _ = writeln!(out, "# TYPE {name} histogram");
        let mut cumulative = 0;
        for (bound, bucket) in LATENCY_BUCKETS.iter().zip(&self.batch_latency_buckets) {
            cumulative += load(bucket);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        let total = load(&self.batches);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {total}");
        let _ = writeln!(
            out,
            "{name}_sum {}",
            load(&self.batch_latency_micros) as f64 / 1e6
        );
        let _ = writeln!(out, "{name}_count {total}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_labels_and_cumulative_buckets() {
        let m = Metrics::default();
        m.record_request("POST", "/count", 202);
        m.record_request("POST", "/count", 202);
        m.record_batch(Duration::from_millis(3));
        m.record_batch(Duration::from_secs(60));
        Metrics::add(&m.processed, 7);
        let text = m.render(Some(5));
        assert!(text.contains(
            "counter_http_requests_total{method=\"POST\",route=\"/count\",status=\"202\"} 2"
        ));
        assert!(text.contains("counter_processed_total 7"));
        assert!(text.contains("counter_queue_depth 5"));
        assert!(text.contains("counter_batch_duration_seconds_bucket{le=\"0.005\"} 1"));
        assert!(text.contains("counter_batch_duration_seconds_bucket{le=\"+Inf\"} 2"));
        assert!(m.render(None).contains("counter_queue_up 0"));
    }
}
