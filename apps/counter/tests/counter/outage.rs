//! The outage test, on a Redis of its own (spawned here from `redis-server`, killed and
//! restarted; the shared one is left alone). While Redis is down POST /count answers 503, never
//! a false 202; once it is back the same processes answer 202 again, and every accepted count
//! is stored.

use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::common::{client, free_port, post_all, post_count, wait_for, Backends, Kind, PATIENCE};

/// A private redis-server with an fsync-always append-only file, so that what it acknowledged
/// survives SIGKILL, as a durable production Redis would.
struct OwnRedis {
    child: Child,
    port: u16,
}

impl OwnRedis {
    async fn start(port: u16, dir: &Path) -> Self {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
            ])
            .args(["--appendonly", "yes", "--appendfsync", "always"])
            .arg("--dir")
            .arg(dir)
            .stdout(Stdio::null())
            .spawn()
            .expect("cannot run redis-server (install redis-server)");
        let redis = Self { child, port };
        wait_for("own redis to answer", Duration::from_secs(30), || async {
            redis.ping().then_some(())
        })
        .await;
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn ping(&self) -> bool {
        redis::Client::open(self.url())
            .and_then(|c| c.get_connection_with_timeout(Duration::from_millis(500)))
            .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c))
            .is_ok()
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_outage_gives_503_then_recovers_without_restart() {
    let redis_dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut redis = OwnRedis::start(port, redis_dir.path()).await;
    let backends = Backends::with_redis(Kind::Real, &redis.url()).await;
    let mut all = backends.spawn("all", &[]);
    let api = all.url("api").await;
    let client = client();

    let mut accepted: HashSet<i64> = HashSet::new();
    let mut attempted: HashSet<i64> = HashSet::new();
    let before = post_all(&api, (1..=200).collect(), 8).await;
    assert!(before.iter().all(|(_, s)| *s == 202));
    accepted.extend(before.iter().map(|(v, _)| *v));
    attempted.extend(accepted.iter());

    redis.kill();
    // The first requests may still find the old connection; soon every answer is a 503.
    let mut value = 1_000;
    wait_for("503 while redis is down", PATIENCE, || {
        value += 1;
        attempted.insert(value);
        let (client, api) = (client.clone(), api.clone());
        async move {
            let status = post_count(&client, &api, value).await;
            assert_ne!(status, 202, "a 202 while redis is down would be a lie");
            assert!(status == 503, "expected 503, got {status}");
            Some(())
        }
    })
    .await;
    let during = post_all(&api, (2_000..2_050).collect(), 8).await;
    attempted.extend(during.iter().map(|(v, _)| *v));
    assert!(
        during.iter().all(|(_, s)| *s == 503),
        "503 while down: {during:?}"
    );
    let ready = client
        .get(format!("{api}/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 503);
    let ready: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(ready["queue"], "down");
    assert_eq!(ready["database"], "up");

    let _redis = OwnRedis::start(port, redis_dir.path()).await;
    let mut value = 3_000;
    wait_for("202 after redis is back", PATIENCE, || {
        value += 1;
        attempted.insert(value);
        let (client, api) = (client.clone(), api.clone());
        async move {
            let status = post_count(&client, &api, value).await;
            assert!(status == 202 || status == 503, "unexpected {status}");
            (status == 202).then_some(value)
        }
    })
    .await;
    accepted.insert(value);
    let after = post_all(&api, (4_000..4_200).collect(), 8).await;
    assert!(
        after.iter().all(|(_, s)| *s == 202),
        "all accepted after recovery"
    );
    accepted.extend(after.iter().map(|(v, _)| *v));
    attempted.extend(after.iter().map(|(v, _)| *v));

    let stored = wait_for("every accepted count stored", PATIENCE, || async {
        let stored = backends.stored().await;
        accepted.is_subset(&stored.values).then_some(stored)
    })
    .await;
    assert!(
        stored.values.is_subset(&attempted),
        "nothing stored that was never posted"
    );
    assert_eq!(stored.rows, stored.distinct_values, "nothing stored twice");
}
