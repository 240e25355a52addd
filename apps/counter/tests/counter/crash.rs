//! The crash test: 10,000 counts posted concurrently while the worker is killed with SIGKILL
//! several times mid-drain and restarted. In the end: exactly 10,000 rows, each value once.

use crate::common::{metric, post_all, wait_for, wait_for_rows, Backends, Kind, PATIENCE};

const COUNTS: i64 = 10_000;
/// Kill the worker when the stored rows pass each of these.
const KILL_AT: [i64; 4] = [1_500, 3_500, 5_500, 7_500];

async fn survives_sigkill(kind: Kind) {
    let backends = Backends::new(kind).await;
    let mut api = backends.spawn("api", &[]);
    let api_url = api.url("api").await;
    // Small batches make the drain long enough for the kills to land in the middle of it; a
    // fixed consumer name lets each restart take back what the killed process had in flight.
    let worker_env = [
        ("WORKER_ID", "crash-test-worker"),
        ("WORKER_BATCH_SIZE", "25"),
    ];
    let mut worker = backends.spawn("worker", &worker_env);
    worker.url("api").await;

    let posting = {
        let api_url = api_url.clone();
        tokio::spawn(async move { post_all(&api_url, (1..=COUNTS).collect(), 32).await })
    };

    let mut kills_mid_drain = 0;
    for threshold in KILL_AT {
        let rows = wait_for(&format!("{threshold} rows"), PATIENCE, || async {
            let rows = backends.stored().await.rows;
            (rows >= threshold).then_some(rows)
        })
        .await;
        worker.kill(); // SIGKILL
        if rows < COUNTS {
            kills_mid_drain += 1;
        }
        worker = backends.spawn("worker", &worker_env);
        worker.url("api").await;
    }

    let results = posting.await.unwrap();
    let rejected: Vec<_> = results.iter().filter(|(_, s)| *s != 202).collect();
    assert!(
        rejected.is_empty(),
        "every post accepted; rejected: {:?}",
        &rejected[..rejected.len().min(10)]
    );
    assert_eq!(
        kills_mid_drain,
        KILL_AT.len(),
        "every kill landed while draining"
    );

    let stored = wait_for_rows(&backends, COUNTS).await;
    // Let the last worker finish whatever it holds; nothing more may appear.
    wait_for("empty queue", PATIENCE, || async {
        (metric(&reqwest::Client::new(), &api_url, "counter_queue_depth").await == Some(0.0))
            .then_some(())
    })
    .await;
    let stored_after = backends.stored().await;
    assert_eq!(stored_after, stored);
    assert_eq!(stored.rows, COUNTS, "no row lost, none doubled");
    assert_eq!(stored.distinct_values, COUNTS);
    assert_eq!(
        stored.values,
        (1..=COUNTS).collect(),
        "exactly the posted values"
    );
    if kind == Kind::Real {
        assert_eq!(
            backends.stream().pending(),
            0,
            "nothing left unacknowledged"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_test_embedded() {
    survives_sigkill(Kind::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_test_redis_mariadb() {
    survives_sigkill(Kind::Real).await;
}
