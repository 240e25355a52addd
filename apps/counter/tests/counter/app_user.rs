//! The application's MySQL user (APP_MYSQL_USER): `counter migrate`, run as the administrator,
//! creates it with exactly the privileges the API and the worker need; the services then work
//! as it, and it can do nothing else. Re-running migrate changes nothing but the password.

use std::collections::BTreeSet;
use std::time::Duration;

use sqlx::{Connection, Executor, MySqlConnection};

use crate::common::{
    clean_up_as_admin, client, get_count, mysql_address, mysql_admin_url, post_all, unique_name,
    wait_for, Backends, Kind, TestDatabase, PATIENCE,
};

/// The user, dropped when the test ends.
struct TestUser {
    name: String,
}

impl Drop for TestUser {
    fn drop(&mut self) {
        clean_up_as_admin(format!("DROP USER IF EXISTS '{}'@'%'", self.name));
    }
}

async fn admin() -> MySqlConnection {
    MySqlConnection::connect(&mysql_admin_url())
        .await
        .expect("admin connection")
}

/// Every privilege of `user`, as "level privilege" strings, from information_schema.
async fn privileges(user: &str) -> BTreeSet<String> {
    let grantee = format!("'{user}'@'%'");
    let mut admin = admin().await;
    let mut all = BTreeSet::new();
    for (level, query) in [
        ("global", "SELECT '', '', '', PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?"),
        ("schema", "SELECT TABLE_SCHEMA, '', '', PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ?"),
        ("table", "SELECT TABLE_SCHEMA, TABLE_NAME, '', PRIVILEGE_TYPE FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = ?"),
        ("column", "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, PRIVILEGE_TYPE FROM information_schema.COLUMN_PRIVILEGES WHERE GRANTEE = ?"),
    ] {
        let rows: Vec<(String, String, String, String)> = sqlx::query_as(query)
            .bind(&grantee)
            .fetch_all(&mut admin)
            .await
            .expect("privileges");
        for (schema, table, column, privilege) in rows {
            all.insert(format!("{level} {schema}.{table}.{column} {privilege}"));
        }
    }
    all
}

fn url_as(user: &str, password: &str, database: &str) -> String {
    let mut url = url::Url::parse(&format!("mysql://{}/{database}", mysql_address())).unwrap();
    url.set_username(user).unwrap();
    url.set_password(Some(password)).unwrap();
    url.to_string()
}

async fn run_migrate(backends: &Backends, env: &[(&str, &str)]) -> String {
    let mut migrate = backends.spawn("migrate", env);
    let status = migrate.wait_exit(Duration::from_secs(60)).await;
    assert!(status.success(), "migrate failed:\n{}", migrate.output());
    migrate.output()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_provisions_a_user_that_can_do_what_the_services_do_and_nothing_else() {
    let backends = Backends::new(Kind::Real).await;
    let database = backends.database.as_ref().unwrap().name.clone();
    let user = TestUser {
        name: unique_name("counter_app"),
    };
    // Quotes, a backslash and URL delimiters: the quoting of the SQL and of the URL is tested.
    let password = r"it's a \ p@ss:w/rd";
    let app_env = [
        ("APP_MYSQL_USER", user.name.as_str()),
        ("APP_MYSQL_PASSWORD", password),
    ];
    run_migrate(&backends, &app_env).await;

    let expected: BTreeSet<String> = [
        "global .. USAGE".to_owned(),
        format!("table {database}.counts. SELECT"),
        format!("table {database}.counts. INSERT"),
    ]
    .into_iter()
    .collect();
    assert_eq!(privileges(&user.name).await, expected);

    // The services, as the application user, do their whole job.
    let mut all = backends.spawn(
        "all",
        &[&app_env[..], &[("MIGRATE_ON_START", "false")]].concat(),
    );
    let api = all.url("api").await;
    assert!(
        all.output().contains(&format!("services as {}", user.name)),
        "{}",
        all.output()
    );
    let posted = post_all(&api, (1..=20).collect(), 4).await;
    assert!(
        posted.iter().all(|(_, status)| *status == 202),
        "{posted:?}"
    );
    let client = client();
    wait_for("20 stored counts", PATIENCE, || async {
        (get_count(&client, &api).await.0 == 20).then_some(())
    })
    .await;
    let connected: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = ?")
            .bind(&user.name)
            .fetch_one(&mut admin().await)
            .await
            .unwrap();
    assert!(connected > 0, "the services connect as {}", user.name);
    drop(all);

    // Anything beyond that is refused.
    let other = TestDatabase::create().await;
    admin()
        .await
        .execute(format!("CREATE TABLE `{}`.secrets (v INT)", other.name).as_str())
        .await
        .unwrap();
    let mut app = MySqlConnection::connect(&url_as(&user.name, password, &database))
        .await
        .expect("the application user logs in");
    for forbidden in [
        "DROP TABLE counts".to_owned(),
        "DELETE FROM counts".to_owned(),
        "UPDATE counts SET value = 0".to_owned(),
        "CREATE TABLE more (v INT)".to_owned(),
        "ALTER TABLE counts ADD COLUMN x INT".to_owned(),
        "SELECT * FROM schema_migrations".to_owned(),
        format!("SELECT * FROM `{}`.secrets", other.name),
        "SELECT * FROM mysql.user".to_owned(),
        format!("CREATE USER 'x{}'@'%'", user.name),
    ] {
        let result = app.execute(forbidden.as_str()).await;
        let error = result.expect_err(&forbidden).to_string();
        assert!(
            error.contains("denied"),
            "{forbidden}: expected access denied, got {error}"
        );
    }
    app.close().await.unwrap();

    // Again with the same password: nothing changes. With a new one: only the new one works.
    run_migrate(&backends, &app_env).await;
    assert_eq!(privileges(&user.name).await, expected);
    let rotated = "n3w-secret";
    run_migrate(
        &backends,
        &[
            ("APP_MYSQL_USER", user.name.as_str()),
            ("APP_MYSQL_PASSWORD", rotated),
        ],
    )
    .await;
    assert_eq!(privileges(&user.name).await, expected);
    let old = MySqlConnection::connect(&url_as(&user.name, password, &database)).await;
    assert!(old.is_err(), "the old password no longer works");
    let mut new = MySqlConnection::connect(&url_as(&user.name, rotated, &database))
        .await
        .expect("the rotated password works");
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM counts")
        .fetch_one(&mut new)
        .await
        .unwrap();
    assert_eq!(rows, 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_administrator_cannot_be_the_application_user() {
    let backends = Backends::new(Kind::Real).await;
    let mut migrate = backends.spawn(
        "migrate",
        &[("APP_MYSQL_USER", "root"), ("APP_MYSQL_PASSWORD", "x")],
    );
    let status = migrate.wait_exit(Duration::from_secs(60)).await;
    assert_eq!(status.code(), Some(1));
    assert!(
        migrate.output().contains("is the administrator"),
        "{}",
        migrate.output()
    );
}
