//! SIGTERM: the worker stops taking work, stores and acknowledges the batch in hand, exits 0.

use std::time::Duration;

use crate::common::{post_all, wait_for, wait_for_rows, Backends, Kind, PATIENCE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_in_flight_work_and_exits_cleanly() {
    let backends = Backends::new(Kind::Real).await;
    let mut api = backends.spawn("api", &[]);
    let api = api.url("api").await;
    let results = post_all(&api, (1..=3_000).collect(), 16).await;
    assert!(results.iter().all(|(_, s)| *s == 202));

    let worker_env = [("WORKER_ID", "graceful"), ("WORKER_BATCH_SIZE", "20")];
    let mut worker = backends.spawn("worker", &worker_env);
    worker.url("api").await;
    wait_for("draining started", PATIENCE, || async {
        (backends.stored().await.rows > 0).then_some(())
    })
    .await;
    worker.signal(libc::SIGTERM);
    let status = worker.wait_exit(Duration::from_secs(60)).await;
    assert!(
        status.success(),
        "exit status {status}:\n{}",
        worker.output()
    );
    assert!(worker.output().contains("worker stopped"));
    assert_eq!(
        backends.stream().pending(),
        0,
        "the batch in hand was acknowledged before exit"
    );

    // A new worker (another name: nothing of the old one is left to take back) drains the rest.
    let mut next = backends.spawn("worker", &[("WORKER_ID", "next")]);
    next.url("api").await;
    let stored = wait_for_rows(&backends, 3_000).await;
    assert_eq!((stored.rows, stored.distinct_values), (3_000, 3_000));
}
