//! Embedded SQLite backend in DATA_DIR. Migrations run inside `BEGIN IMMEDIATE`, which takes
//! the database's write lock, so concurrent starts apply each version once.

use std::path::Path;

use sqlx::sqlite::SqliteConnection;
use sqlx::Sqlite;

use super::{impl_sql_store, SqlStore};
use crate::sqlite_file::open_sqlite;

impl SqlStore<Sqlite> {
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        Ok(Self {
            pool: open_sqlite(path, 4).await?,
        })
    }
}

/// SQLite DDL is transactional, and `BEGIN IMMEDIATE` takes the write lock up front.
async fn lock(conn: &mut SqliteConnection) -> anyhow::Result<()> {
    sqlx::Executor::execute(&mut *conn, "BEGIN IMMEDIATE").await?;
    Ok(())
}

async fn unlock(conn: &mut SqliteConnection, succeeded: bool) -> anyhow::Result<()> {
    let end = if succeeded { "COMMIT" } else { "ROLLBACK" };
    sqlx::Executor::execute(&mut *conn, end).await?;
    Ok(())
}

impl_sql_store!(
    Sqlite,
    insert: "INSERT INTO",
    skip_duplicates: " ON CONFLICT (msg_id) DO NOTHING",
    migrations: crate::migrations::SQLITE,
    lock: lock,
    unlock: unlock,
);
