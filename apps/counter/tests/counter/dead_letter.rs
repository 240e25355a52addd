//! Messages a vanished consumer took are reclaimed and stored; poison messages and messages
//! that keep failing end in the dead-letter queue; the worker keeps going.

use std::sync::Arc;
use std::time::Duration;

use counter::config::WorkerConfig;
use counter::message::CountMessage;
use counter::metrics::Metrics;
use counter::queue::embedded::EmbeddedQueue;
use counter::queue::redis::GROUP;
use counter::queue::{ConsumerOptions, Queue};
use counter::shutdown::Shutdown;
use counter::worker::Worker;

use crate::common::{wait_for, wait_for_rows, Backends, Kind, PATIENCE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_reclaims_abandoned_and_dead_letters_poison_and_failing_messages() {
    let backends = Backends::new(Kind::Real).await;
    let stream = backends.stream();
    let xadd = |id: &str, count: &str| -> String {
        stream
            .cmd(
                redis::cmd("XADD")
                    .arg(&stream.name)
                    .arg("*")
                    .arg("id")
                    .arg(id)
                    .arg("count")
                    .arg(count),
            )
            .unwrap()
    };
    // Two valid messages a vanished consumer took without acknowledging: one once (it must
    // be reclaimed and stored), one four times (over the limit: dead-lettered).
    let failing = CountMessage::new(11);
    let failing_entry = xadd(&failing.id.simple().to_string(), "11");
    let abandoned = CountMessage::new(13);
    xadd(&abandoned.id.simple().to_string(), "13");
    let _: String = stream
        .cmd(
            redis::cmd("XGROUP")
                .arg("CREATE")
                .arg(&stream.name)
                .arg(GROUP)
                .arg("0"),
        )
        .unwrap();
    let _: redis::Value = stream
        .cmd(
            redis::cmd("XREADGROUP")
                .arg("GROUP")
                .arg(GROUP)
                .arg("ghost")
                .arg("STREAMS")
                .arg(&stream.name)
                .arg(">"),
        )
        .unwrap();
    for _ in 0..3 {
        let _: redis::Value = stream
            .cmd(
                redis::cmd("XCLAIM")
                    .arg(&stream.name)
                    .arg(GROUP)
                    .arg("ghost")
                    .arg(0)
                    .arg(&failing_entry),
            )
            .unwrap();
    }
    // An undecodable message, and a good one behind both.
    xadd("not-a-uuid", "5");
    let good = CountMessage::new(42);
    xadd(&good.id.simple().to_string(), "42");
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mut worker = backends.spawn(
        "worker",
        &[
            ("WORKER_MAX_DELIVERIES", "3"),
            ("WORKER_CLAIM_IDLE_MS", "200"),
        ],
    );
    worker.url("api").await;

    let stored = wait_for_rows(&backends, 2).await;
    assert_eq!(stored.values, [13, 42].into());
    wait_for("two dead letters", PATIENCE, || async {
        (stream.len(&stream.dead_letters()) == 2).then_some(())
    })
    .await;
    let letters: Vec<(String, Vec<(String, String)>)> = stream
        .cmd(
            redis::cmd("XRANGE")
                .arg(stream.dead_letters())
                .arg("-")
                .arg("+"),
        )
        .unwrap();
    let reasons: Vec<String> = letters
        .iter()
        .map(|(_, fields)| {
            fields
                .iter()
                .find(|(k, _)| k == "reason")
                .unwrap()
                .1
                .clone()
        })
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("deliveries")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("undecodable")),
        "{reasons:?}"
    );
    wait_for("nothing pending", PATIENCE, || async {
        (stream.pending() == 0).then_some(())
    })
    .await;
    assert_eq!(
        stream.len(&stream.name),
        0,
        "acknowledged entries are deleted"
    );
    assert_eq!(
        backends.stored().await.rows,
        2,
        "dead letters are not stored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_queue_reclaims_dead_letters_and_survives_reopen() {
    let backends = Backends::new(Kind::Embedded).await;
    let dir = backends.data_dir.path();
    let queue = Arc::new(EmbeddedQueue::open(&dir.join("queue.db")).await.unwrap());
    let failing = CountMessage::new(11);
    queue.enqueue(&failing).await.unwrap();

    // A consumer that takes the message and never acknowledges it, three times over.
    let ghost = ConsumerOptions {
        name: "ghost".into(),
        block: Duration::from_millis(10),
        claim_idle: Duration::from_millis(1),
    };
    let consumer = queue.consumer(ghost).await.unwrap();
    for attempt in 1..=3 {
        tokio::time::sleep(Duration::from_millis(5)).await;
        let batch = consumer.receive(10, true).await.unwrap();
        assert_eq!(batch.len(), 1);
        assert_eq!(batch[0].attempts, attempt);
    }
    // One more take: the failing message a fourth time, and a new one once (abandoned).
    let abandoned = CountMessage::new(13);
    queue.enqueue(&abandoned).await.unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let batch = consumer.receive(10, true).await.unwrap();
    let attempts: Vec<u32> = batch.iter().map(|d| d.attempts).collect();
    assert_eq!(attempts, [4, 1]);
    let good = CountMessage::new(42);
    queue.enqueue(&good).await.unwrap();
    drop(consumer);
    drop(queue);

    // A fresh process' view of the same files: the queue is durable.
    let queue: Arc<dyn Queue> = Arc::new(EmbeddedQueue::open(&dir.join("queue.db")).await.unwrap());
    assert_eq!(queue.depth().await.unwrap(), 3);
    let db = counter::db::open(&counter::config::DatabaseConfig::Sqlite {
        path: dir.join("counter.db"),
    })
    .await
    .unwrap();
    db.migrate().await.unwrap();
    let (trigger, shutdown) = Shutdown::new();
    let worker = Worker {
        queue: queue.clone(),
        db: db.clone(),
        metrics: Arc::new(Metrics::default()),
        config: WorkerConfig {
            consumer: "worker".into(),
            batch_size: 10,
            max_deliveries: 3,
            claim_idle: Duration::from_millis(100),
        },
    };
    let running = tokio::spawn(async move { worker.run(shutdown).await });
    wait_for("queue drained", PATIENCE, || async {
        (queue.depth().await.unwrap() == 0).then_some(())
    })
    .await;
    trigger.trigger();
    running.await.unwrap().unwrap();

    assert_eq!(
        db.summary().await.unwrap(),
        counter::db::Summary {
            count: 2,
            last: Some(42)
        }
    );
    let letters = EmbeddedQueue::open(&dir.join("queue.db"))
        .await
        .unwrap()
        .dead_letters()
        .await
        .unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].0, Some(11));
    assert_eq!(letters[0].1, 5);
    assert!(letters[0].2.contains("deliveries"), "{letters:?}");
}
