//! The database goes away (a proxy in front of the real MariaDB is cut: every connection
//! closed, new ones refused): `GET /count` and readiness answer 503, the API keeps queueing,
//! the worker retries; once the database is back everything accepted is stored, once.

use crate::common::{
    client, get_count, mysql_address, post_all, readiness, wait_for, wait_for_log, wait_for_rows,
    Backends, CuttableProxy, Kind, PATIENCE,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_outage_gives_503_and_the_worker_recovers_with_nothing_lost() {
    let backends = Backends::new(Kind::Real).await;
    let proxy = CuttableProxy::start(&mysql_address()).await;
    let database = backends.database.as_ref().unwrap();
    let through_proxy = format!("mysql://root@127.0.0.1:{}/{}", proxy.port, database.name);
    let mut all = backends.spawn("all", &[("DATABASE_URL", through_proxy.as_str())]);
    let api = all.url("api").await;
    let client = client();

    let before = post_all(&api, (1..=100).collect(), 8).await;
    assert!(before.iter().all(|(_, status)| *status == 202));
    wait_for_rows(&backends, 100).await;

    proxy.cut();
    wait_for("GET /count to answer 503", PATIENCE, || async {
        let status = client
            .get(format!("{api}/count"))
            .send()
            .await
            .expect("GET /count")
            .status();
        assert!(status == 200 || status == 503, "unexpected {status}");
        (status == 503).then_some(())
    })
    .await;
    let (status, ready) = readiness(&client, &api).await;
    assert_eq!(status, 503);
    assert_eq!(
        (ready["queue"].as_str(), ready["database"].as_str()),
        (Some("up"), Some("down"))
    );

    // The queue is up: posts are accepted and wait in it while the worker retries.
    let during = post_all(&api, (101..=300).collect(), 8).await;
    assert!(
        during.iter().all(|(_, status)| *status == 202),
        "{during:?}"
    );
    wait_for_log(&all, "database unavailable; retrying the batch").await;
    // Read past the proxy: nothing of the outage's counts could be stored.
    assert_eq!(backends.stored().await.rows, 100);

    proxy.restore();
    let stored = wait_for_rows(&backends, 300).await;
    assert_eq!(stored.rows, 300, "nothing stored twice");
    assert_eq!(stored.values, (1..=300).collect(), "nothing lost");
    wait_for("GET /count to answer again", PATIENCE, || async {
        let response = client.get(format!("{api}/count")).send().await.ok()?;
        (response.status() == 200).then_some(())
    })
    .await;
    assert_eq!(get_count(&client, &api).await.0, 300);
    wait_for("nothing left unacknowledged", PATIENCE, || async {
        (backends.stream().pending() == 0 && backends.stream().len(&backends.stream().name) == 0)
            .then_some(())
    })
    .await;
}
