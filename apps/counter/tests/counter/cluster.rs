//! Redis cluster mode (as the seed's ElastiCache): a private three-node cluster of
//! `redis-server` processes on loopback, created here and removed afterwards.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::common::{
    client, free_port, get_count, post_all, wait_for, wait_for_rows, Backends, Kind,
};

struct Cluster {
    nodes: Vec<Child>,
    ports: Vec<u16>,
    _dir: tempfile::TempDir,
}

impl Cluster {
    async fn start(size: usize) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut ports: Vec<u16> = Vec::new();
        while ports.len() < size {
            // The cluster bus listens on port + 10000.
            let port = free_port();
            if port < 55_000
                && std::net::TcpListener::bind(("127.0.0.1", port + 10_000)).is_ok()
                && !ports.contains(&port)
            {
                ports.push(port);
            }
        }
        let nodes = ports
            .iter()
            .map(|port| {
                let node_dir = dir.path().join(port.to_string());
                std::fs::create_dir_all(&node_dir).unwrap();
                Command::new("redis-server")
                    .args([
                        "--port",
                        &port.to_string(),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                    ])
                    .args(["--appendonly", "no", "--cluster-enabled", "yes"])
                    .arg("--dir")
                    .arg(&node_dir)
                    .stdout(Stdio::null())
                    .spawn()
                    .expect("cannot run redis-server")
            })
            .collect();
        let cluster = Self {
            nodes,
            ports,
            _dir: dir,
        };
        for port in &cluster.ports {
            wait_for(
                "cluster node to answer",
                Duration::from_secs(30),
                || async { redis_cli(*port, &["PING"]).contains("PONG").then_some(()) },
            )
            .await;
        }
        let addresses: Vec<String> = cluster
            .ports
            .iter()
            .map(|p| format!("127.0.0.1:{p}"))
            .collect();
        let created = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&addresses)
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .output()
            .expect("cannot run redis-cli");
        assert!(
            created.status.success(),
            "{}",
            String::from_utf8_lossy(&created.stdout)
        );
        for port in &cluster.ports {
            wait_for("cluster state ok", Duration::from_secs(60), || async {
                redis_cli(*port, &["CLUSTER", "INFO"])
                    .contains("cluster_state:ok")
                    .then_some(())
            })
            .await;
        }
        cluster
    }
}

fn redis_cli(port: u16, args: &[&str]) -> String {
    let output = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .output()
        .expect("cannot run redis-cli");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            let _ = node.kill();
            let _ = node.wait();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_cluster_mode_round_trip() {
    let cluster = Cluster::start(3).await;
    let seeds: Vec<String> = cluster
        .ports
        .iter()
        .map(|p| format!("redis://127.0.0.1:{p}"))
        .collect();
    let backends = Backends::with_redis(Kind::Real, &seeds[0]).await;
    let seeds = seeds.join(",");
    let mut all = backends.spawn(
        "all",
        &[("REDIS_URL", seeds.as_str()), ("REDIS_CLUSTER", "true")],
    );
    let api = all.url("api").await;

    let results = post_all(&api, (1..=300).collect(), 8).await;
    assert!(results.iter().all(|(_, s)| *s == 202), "{results:?}");
    let stored = wait_for_rows(&backends, 300).await;
    assert_eq!(stored.values, (1..=300).collect());
    assert_eq!(get_count(&client(), &api).await.0, 300);
    let ready: serde_json::Value = client()
        .get(format!("{api}/health/ready"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["queue"], "up");
}
