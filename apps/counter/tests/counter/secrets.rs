//! Passwords never reach the logs: not from MYSQL_PASSWORD, not from inside REDIS_URL or
//! DATABASE_URL, not in errors, not in `--help`.

use std::process::Command;

use sqlx::{Connection, Executor};

use crate::common::{
    client, mysql_admin_url, post_count, unique_name, Backends, Kind, TestDatabase,
};

const PASSWORD: &str = "Pw-7f3c9d2e-never-log-me";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwords_are_never_logged() {
    let database = TestDatabase::create().await;
    let user = unique_name("cu");
    let mut admin = sqlx::MySqlConnection::connect(&mysql_admin_url())
        .await
        .unwrap();
    admin
        .execute(format!("CREATE USER '{user}'@'%' IDENTIFIED BY '{PASSWORD}'").as_str())
        .await
        .unwrap();
    admin
        .execute(format!("GRANT ALL ON `{}`.* TO '{user}'@'%'", database.name).as_str())
        .await
        .unwrap();

    let backends = Backends::new(Kind::Embedded).await;
    let debug = [("RUST_LOG", "debug"), ("LOG_FORMAT", "json")];

    // Correct password from MYSQL_* parts: works, and the password is not logged.
    let parts = [
        ("MYSQL_HOST", "127.0.0.1"),
        ("MYSQL_USER", user.as_str()),
        ("MYSQL_PASSWORD", PASSWORD),
        ("MYSQL_DATABASE", database.name.as_str()),
    ];
    let mut migrate = backends.spawn("migrate", &[&parts[..], &debug[..]].concat());
    assert!(
        migrate
            .wait_exit(std::time::Duration::from_secs(60))
            .await
            .success(),
        "{}",
        migrate.output()
    );

    // Wrong password inside DATABASE_URL: fails, and says so without the password.
    let wrong_url = format!(
        "mysql://{user}:{PASSWORD}-wrong@127.0.0.1:3306/{}",
        database.name
    );
    let mut wrong = backends.spawn(
        "migrate",
        &[&[("DATABASE_URL", wrong_url.as_str())][..], &debug[..]].concat(),
    );
    assert!(!wrong
        .wait_exit(std::time::Duration::from_secs(60))
        .await
        .success());
    assert!(
        wrong.output().contains("Access denied"),
        "{}",
        wrong.output()
    );

    // A password inside REDIS_URL (rejected by a Redis without auth): 503, not logged.
    let redis_url = format!("redis://:{PASSWORD}@127.0.0.1:6379");
    let mut api = backends.spawn(
        "api",
        &[&[("REDIS_URL", redis_url.as_str())][..], &debug[..]].concat(),
    );
    let base = api.url("api").await;
    assert_eq!(post_count(&client(), &base, 1).await, 503);

    for process in [&migrate, &wrong, &api] {
        let output = process.output();
        assert!(!output.is_empty());
        assert!(
            !output.contains(PASSWORD),
            "{} logged the password:\n{output}",
            process.role
        );
    }
    assert!(migrate.output().contains("***") || migrate.output().contains(&user));

    let help = Command::new(env!("CARGO_BIN_EXE_counter"))
        .arg("--help")
        .env("MYSQL_PASSWORD", PASSWORD)
        .env("REDIS_URL", &redis_url)
        .output()
        .unwrap();
    assert!(help.status.success());
    assert!(!String::from_utf8_lossy(&help.stdout).contains(PASSWORD));

    let _ = admin
        .execute(format!("DROP USER '{user}'@'%'").as_str())
        .await;
}
