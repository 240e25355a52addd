//! `counter health`, the container health check of an image without curl: exit 0 while the
//! role it probes answers `/health`, 1 when nothing answers there or the answer is not 2xx.

use std::time::Duration;

use crate::common::{free_port, Backends, Kind, Process};

async fn exit_code(mut probe: Process) -> (Option<i32>, String) {
    let status = probe.wait_exit(Duration::from_secs(30)).await;
    (status.code(), probe.output())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_probes_a_running_counter_all() {
    let backends = Backends::new(Kind::Embedded).await;
    let mut all = backends.spawn("all", &[]);
    let api = all.url("api").await;
    let port = api.rsplit(':').next().expect("a port").to_owned();

    // The task definition's form: no URL, the port from HTTP_PORT, loopback.
    let (code, log) = exit_code(backends.spawn("health", &[("HTTP_PORT", &port)])).await;
    assert_eq!(code, Some(0), "{log}");
    let (code, log) =
        exit_code(backends.spawn_args(&["health", "--url", &format!("{api}/health")], &[])).await;
    assert_eq!(code, Some(0), "{log}");

    // An answer that is not 2xx, and a port where nothing listens.
    let (code, log) =
        exit_code(backends.spawn_args(&["health", "--url", &format!("{api}/nope")], &[])).await;
    assert_eq!(code, Some(1), "{log}");
    assert!(log.contains("answered 404"), "{log}");
    let nothing = free_port().to_string();
    let (code, log) = exit_code(backends.spawn("health", &[("HTTP_PORT", &nothing)])).await;
    assert_eq!(code, Some(1), "{log}");
    assert!(log.contains("no HTTP answer"), "{log}");

    // Once the probed process is gone, the same probe fails.
    all.kill();
    let (code, _) = exit_code(backends.spawn("health", &[("HTTP_PORT", &port)])).await;
    assert_eq!(code, Some(1));
}
