//! Migrations: several processes starting at once apply each version exactly once.

use sqlx::Connection;

use crate::common::{Backends, Kind};

async fn concurrent_migrations(kind: Kind) {
    let backends = Backends::new(kind).await;
    let mut runs: Vec<_> = (0..4).map(|_| backends.spawn("migrate", &[])).collect();
    for run in &mut runs {
        let status = run.wait_exit(std::time::Duration::from_secs(60)).await;
        assert!(status.success(), "migrate failed:\n{}", run.output());
    }
    let applied_logs = runs
        .iter()
        .filter(|r| r.output().contains("applying migration"))
        .count();
    assert_eq!(applied_logs, 1, "exactly one process applied the migration");

    const HISTORY: &str = "SELECT COUNT(*) FROM schema_migrations";
    let history: i64 = match &backends.database {
        Some(db) => {
            let mut conn = sqlx::MySqlConnection::connect(&db.url()).await.unwrap();
            sqlx::query_scalar(HISTORY)
                .fetch_one(&mut conn)
                .await
                .unwrap()
        }
        None => {
            let path = backends.data_dir.path().join("counter.db");
            let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
                .await
                .unwrap();
            sqlx::query_scalar(HISTORY)
                .fetch_one(&mut conn)
                .await
                .unwrap()
        }
    };
    assert_eq!(history, counter::migrations::MYSQL.len() as i64);
    assert_eq!(
        backends.stored().await.rows,
        0,
        "the counts table exists and is empty"
    );

    // Running again is a no-op.
    let mut again = backends.spawn("migrate", &[]);
    assert!(again
        .wait_exit(std::time::Duration::from_secs(60))
        .await
        .success());
    assert!(again.output().contains("applied=0"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_migrations_embedded() {
    concurrent_migrations(Kind::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_migrations_mariadb() {
    concurrent_migrations(Kind::Real).await;
}
