//! The queue depth as a CloudWatch embedded-metric-format line on the worker's stdout: what the
//! `queue_counter` blueprint scales and alarms on (`Counter/QueueDepth`, dimension `Queue`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::common::{
    client, free_port, metric, post_all, wait_for, wait_for_log, Backends, Kind, Process, PATIENCE,
};

/// Every stdout line parsed as an EMF record of the queue depth of `queue`; returns the depths.
fn queue_depths(process: &Process, queue: &str) -> Vec<u64> {
    let lines = process.stdout_lines();
    // Taken after the lines were read: every line was written before this instant.
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    lines
        .iter()
        .map(|line| {
            let record: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
            let aws = &record["_aws"];
            let timestamp = aws["Timestamp"].as_u64().expect("Timestamp in ms");
            assert!(
                timestamp <= now_ms && timestamp + 600_000 > now_ms,
                "{line}"
            );
            assert_eq!(
                aws["CloudWatchMetrics"],
                json!([{
                    "Namespace": "Counter",
                    "Dimensions": [["Queue"]],
                    "Metrics": [{"Name": "QueueDepth", "Unit": "Count"}],
                }]),
                "{line}"
            );
            assert_eq!(record["Queue"], queue, "{line}");
            assert_eq!(record.as_object().unwrap().len(), 3, "{line}");
            record["QueueDepth"]
                .as_u64()
                .unwrap_or_else(|| panic!("QueueDepth is not a non-negative integer: {line}"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counter_all_writes_the_queue_depth_to_stdout() {
    let backends = Backends::new(Kind::Embedded).await;
    let env = [
        ("CLOUDWATCH_METRICS", "true"),
        ("QUEUE_DEPTH_METRIC_INTERVAL_SECS", "1"),
        ("REDIS_QUEUE", "emf-counts"),
    ];
    let mut all = backends.spawn_with_stdout("all", &env);
    let api = all.url("api").await;
    let results = post_all(&api, (1..=50).collect(), 4).await;
    assert!(results.iter().all(|(_, status)| *status == 202));

    let depths = wait_for("two queue depth lines", PATIENCE, || async {
        let depths = queue_depths(&all, "emf-counts");
        (depths.len() >= 2).then_some(depths)
    })
    .await;
    assert!(depths.iter().all(|depth| *depth <= 50), "{depths:?}");
    // The logs (text here) stay on stderr, the metric lines stay off it.
    assert!(!all.output().contains("_aws"), "{}", all.output());
}

/// A worker that cannot store (its database is down) reports the backlog it sits on, the
/// same number `/metrics` shows; with JSON logs the metric is on by default, and
/// CLOUDWATCH_METRICS=false turns it off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_reports_its_backlog_and_stops_on_sigterm() {
    let backends = Backends::new(Kind::Embedded).await;
    let unreachable = format!("mysql://root@127.0.0.1:{}/counter", free_port());
    let worker_env = |id| {
        [
            ("LOG_FORMAT", "json"),
            ("QUEUE_DEPTH_METRIC_INTERVAL_SECS", "1"),
            ("DATABASE_URL", unreachable.as_str()),
            ("MIGRATE_ON_START", "false"),
            ("WORKER_ID", id),
        ]
    };
    let mut worker = backends.spawn_with_stdout("worker", &worker_env("reporting"));
    let mut silent = backends.spawn_with_stdout(
        "worker",
        &[
            &worker_env("silent")[..],
            &[("CLOUDWATCH_METRICS", "false")],
        ]
        .concat(),
    );
    let ops = worker.url("api").await;
    silent.url("api").await;

    let mut api = backends.spawn("api", &[]);
    let api = api.url("api").await;
    let results = post_all(&api, (1..=7).collect(), 2).await;
    assert!(results.iter().all(|(_, status)| *status == 202));

    wait_for("a queue depth line of 7", PATIENCE, || async {
        queue_depths(&worker, "counts").contains(&7).then_some(())
    })
    .await;
    assert_eq!(
        metric(&client(), &ops, "counter_queue_depth").await,
        Some(7.0)
    );
    // Both workers have been up for a second or more: the silent one had its chances.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(silent.stdout_lines(), Vec::<String>::new());
    // JSON log records on stderr, none of them a metric line.
    let log = worker.output();
    assert!(log.lines().all(|line| line.starts_with('{')), "{log}");
    assert!(!log.contains("_aws"), "{log}");

    worker.signal(libc::SIGTERM);
    let status = worker.wait_exit(Duration::from_secs(30)).await;
    assert!(
        status.success(),
        "exit status {status}:\n{}",
        worker.output()
    );
    wait_for_log(&worker, "worker stopped").await;
}
