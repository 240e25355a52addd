//! A worker restarted under the same name (WORKER_ID) takes back its in-flight messages at
//! once: the claim-idle time is an hour here, so no reclaiming by time can be what brings them
//! back, and a worker of another name leaves them alone.

use std::time::Duration;

use sqlx::Connection;

use crate::common::{
    free_port, post_all, wait_for, wait_for_rows, Backends, Kind, Process, PATIENCE,
};

const COUNTS: i64 = 50;
const HOUR_MS: &str = "3600000";

/// Messages delivered to consumer `name` and not yet acknowledged.
async fn in_flight(backends: &Backends, name: &str) -> u64 {
    match backends.kind {
        Kind::Real => {
            let stream = backends.stream();
            let reply: redis::RedisResult<redis::Value> = stream.cmd(
                redis::cmd("XPENDING")
                    .arg(&stream.name)
                    .arg(counter::queue::redis::GROUP)
                    .arg("-")
                    .arg("+")
                    .arg(10_000)
                    .arg(name),
            );
            match reply {
                Ok(redis::Value::Array(entries)) => entries.len() as u64,
                // No worker has created the group yet.
                Err(e) if e.code() == Some("NOGROUP") => 0,
                other => panic!("XPENDING answered {other:?}"),
            }
        }
        Kind::Embedded => {
            let path = backends.data_dir.path().join("queue.db");
            let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
                .await
                .expect("queue.db");
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE leased_by = ?")
                .bind(name)
                .fetch_one(&mut conn)
                .await
                .expect("leases");
            n as u64
        }
    }
}

fn worker(backends: &Backends, name: &str, extra: &[(&str, &str)]) -> Process {
    let env = [
        ("WORKER_ID", name),
        ("WORKER_CLAIM_IDLE_MS", HOUR_MS),
        ("MIGRATE_ON_START", "false"),
    ];
    backends.spawn("worker", &[&env[..], extra].concat())
}

async fn restarted_worker_takes_back_its_messages(kind: Kind) {
    let backends = Backends::new(kind).await;
    let mut migrate = backends.spawn("migrate", &[]);
    assert!(
        migrate.wait_exit(PATIENCE).await.success(),
        "{}",
        migrate.output()
    );
    let mut api = backends.spawn("api", &[("MIGRATE_ON_START", "false")]);
    let api = api.url("api").await;
    let posted = post_all(&api, (1..=COUNTS).collect(), 4).await;
    assert!(posted.iter().all(|(_, status)| *status == 202));

    // A worker whose database is unreachable takes every message and cannot store them.
    let nowhere = format!("mysql://root@127.0.0.1:{}/counter", free_port());
    let mut stuck = worker(&backends, "w1", &[("DATABASE_URL", nowhere.as_str())]);
    wait_for("w1 to hold every message", PATIENCE, || async {
        (in_flight(&backends, "w1").await == COUNTS as u64).then_some(())
    })
    .await;
    stuck.kill(); // SIGKILL: nothing acknowledged

    // Another name: it stores new messages but leaves w1's alone (they are not idle an hour).
    let mut other = worker(&backends, "w2", &[]);
    other.url("api").await;
    let sentinel = post_all(&api, vec![1_000_000], 1).await;
    assert_eq!(sentinel[0].1, 202);
    let stored = wait_for_rows(&backends, 1).await;
    assert_eq!(stored.values, [1_000_000].into_iter().collect());
    assert_eq!(in_flight(&backends, "w1").await, COUNTS as u64);
    other.signal(libc::SIGTERM);
    assert!(other.wait_exit(Duration::from_secs(30)).await.success());

    // The same name again: it takes them back at once, not an hour later.
    let mut restarted = worker(&backends, "w1", &[]);
    restarted.url("api").await;
    let stored = wait_for_rows(&backends, COUNTS + 1).await;
    assert_eq!(stored.rows, COUNTS + 1);
    assert_eq!(
        stored.values,
        (1..=COUNTS).chain([1_000_000]).collect(),
        "every message stored once"
    );
    wait_for("w1 to acknowledge", PATIENCE, || async {
        (in_flight(&backends, "w1").await == 0).then_some(())
    })
    .await;
    restarted.signal(libc::SIGTERM);
    assert!(restarted.wait_exit(Duration::from_secs(30)).await.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarted_worker_takes_back_its_messages_embedded() {
    restarted_worker_takes_back_its_messages(Kind::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarted_worker_takes_back_its_messages_redis_mariadb() {
    restarted_worker_takes_back_its_messages(Kind::Real).await;
}
