//! MySQL/MariaDB backend. Connects lazily (the API starts while the database is down and
//! reports it), and serialises migrations across processes with a named server lock.

use std::str::FromStr;
use std::time::Duration;

use anyhow::{bail, Context};
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection, MySqlPoolOptions};
use sqlx::MySql;

use super::{impl_sql_store, SqlStore};
use crate::config::SecretUrl;

impl SqlStore<MySql> {
    pub fn connect(url: &SecretUrl) -> anyhow::Result<Self> {
        // The parse error never contains the URL, so it cannot leak the password.
        let options = MySqlConnectOptions::from_str(url.expose())
            .with_context(|| format!("bad database url {url}"))?;
        let pool = MySqlPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(3))
            .connect_lazy_with(options);
        Ok(Self { pool })
    }
}

/// The lock is per server, so its name includes the database (64 characters at most).
const LOCK_NAME: &str = "LEFT(CONCAT('counter_migrations.', DATABASE()), 64)";

/// MySQL DDL is not transactional; a named lock is what makes concurrent starts safe.
async fn lock(conn: &mut MySqlConnection) -> anyhow::Result<()> {
    let locked: Option<i64> = sqlx::query_scalar(&format!("SELECT GET_LOCK({LOCK_NAME}, 120)"))
        .fetch_one(&mut *conn)
        .await?;
    if locked != Some(1) {
        bail!("timed out waiting for another process's migrations");
    }
    Ok(())
}

async fn unlock(conn: &mut MySqlConnection, _succeeded: bool) -> anyhow::Result<()> {
    sqlx::query(&format!("SELECT RELEASE_LOCK({LOCK_NAME})"))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl_sql_store!(
    MySql,
    // IGNORE, not `ON DUPLICATE KEY UPDATE msg_id = msg_id`: that needs UPDATE rights on every
    // inserted column (MariaDB), which would let the application user rewrite stored counts.
    // The other errors IGNORE turns into warnings are about values out of a column's range or
    // type, and every value bound here is typed to fit (a 16-byte id, an i64).
    insert: "INSERT IGNORE INTO",
    skip_duplicates: "",
    migrations: crate::migrations::MYSQL,
    lock: lock,
    unlock: unlock,
);
