//! The counts database behind a small trait: MySQL/MariaDB for real, SQLite embedded.
//! The SQL they share lives here once, in [`impl_sql_store!`] (generic code over sqlx drivers
//! trips the compiler on higher-ranked lifetimes, so the shared code is instantiated per driver);
//! the backend modules add only what differs: connecting, the migration lock and the clause that
//! skips duplicate ids.

pub mod app_user;
pub mod mysql;
pub mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;
use serde::Serialize;
use sqlx::{MySql, Pool, Sqlite};

use crate::config::DatabaseConfig;
use crate::message::CountMessage;

/// What `GET /count` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub count: i64,
    pub last: Option<i64>,
}

#[async_trait]
pub trait Database: Send + Sync {
    /// Applies pending migrations; returns how many were applied.
    async fn migrate(&self) -> anyhow::Result<usize>;
    /// Stores the batch in one transaction; messages already stored are skipped, so a
    /// redelivered batch changes nothing.Returns the number of new rows.
    async fn insert_batch(&self, messages: &[CountMessage]) -> anyhow::Result<()>;
    async fn summary(&self) -> anyhow::Result<Summary>;
    async fn ping(&self) -> anyhow::Result<()>;
}

/// Opens the configured database. MySQL connects lazily, so this succeeds while it is down.
pub async fn open(config: &DatabaseConfig) -> anyhow::Result<Arc<dyn Database>> {
    Ok(match config {
        DatabaseConfig::Sqlite { path } => Arc::new(SqlStore::<Sqlite>::open(path).await?),
        DatabaseConfig::MySql { url, .. } => Arc::new(SqlStore::<MySql>::connect(url)?),
    })
}

/// A connection pool of one driver; `mysql.rs` and `sqlite.rs` add connecting and locking.
pub struct SqlStore<DB: sqlx::Database> {
    pub pool: Pool<DB>,
}

/// Implements [`Database`] for `SqlStore<$driver>` with the shared SQL. `$insert` begins and
/// `$skip_duplicates` ends the multi-row INSERT so known ids are skipped, not errors; `$migrations` lists the
/// dialect's migrations; `$lock` / `$unlock` take and release the backend's migration lock
/// (`$unlock` is told whether the migrations succeeded).
macro_rules! impl_sql_store {
    (
        $driver:ty,
        insert: $insert:expr,
        skip_duplicates: $skip_duplicates:expr,
        migrations: $migrations:expr,
        lock: $lock:path,
        unlock: $unlock:path $(,)?
    ) => {
        impl $crate::db::SqlStore<$driver> {
            /// Applies pending migrations on a connection holding the migration lock.
            async fn apply_migrations(
                conn: &mut <$driver as sqlx::Database>::Connection,
            ) -> anyhow::Result<usize> {
                use sqlx::Executor as _;
                use $crate::migrations;
                // Plain `&str` queries go over the text protocol, which allows several
                // statements per migration file.
                conn.execute(migrations::CREATE_HISTORY_TABLE).await?;
                let applied: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT version, checksum FROM schema_migrations ORDER BY version",
                )
                .fetch_all(&mut *conn)
                .await?;
                let pending = migrations::pending($migrations, &applied)?;
                for migration in &pending {
                    tracing::info!(
                        version = migration.version,
                        name = migration.name,
                        "applying migration"
                    );
                    conn.execute(migration.sql).await.map_err(|e| {
                        anyhow::anyhow!(
                            "migration {} ({}) failed: {e}",
                            migration.version,
                            migration.name
                        )
                    })?;
                    sqlx::query(
                        "INSERT INTO schema_migrations (version, name, checksum, applied_at)
                         VALUES (?, ?, ?, CURRENT_TIMESTAMP)",
                    )
                    .bind(migration.version)
                    .bind(migration.name)
                    .bind(migration.checksum())
                    .execute(&mut *conn)
                    .await?;
                }
                Ok(pending.len())
            }
        }

        #[async_trait::async_trait]
        impl $crate::db::Database for $crate::db::SqlStore<$driver> {
            async fn migrate(&self) -> anyhow::Result<usize> {
                let mut conn = self.pool.acquire().await?;
                $lock(&mut conn).await?;
                let result = Self::apply_migrations(&mut conn).await;
                $unlock(&mut conn, result.is_ok()).await?;
                result
            }

            async fn insert_batch(
                &self,
                messages: &[$crate::message::CountMessage],
            ) -> anyhow::Result<()> {
                if messages.is_empty() {
                    return Ok(());
                }
                // One multi-row INSERT: a single statement is a single transaction.
                let mut query = sqlx::QueryBuilder::<$driver>::new(concat!(
                    $insert,
                    " counts (msg_id, value) "
                ));
                query.push_values(messages, |mut row, m| {
                    row.push_bind(m.id.as_bytes().as_slice()).push_bind(m.count);
                });
                query.push($skip_duplicates);
                query.build().execute(&self.pool).await?;
                Ok(())
            }

            async fn summary(&self) -> anyhow::Result<$crate::db::Summary> {
                let mut conn = self.pool.acquire().await?;
                let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM counts")
                    .fetch_one(&mut *conn)
                    .await?;
                // Ids are time-ordered, so the greatest id is the latest accepted count.
                let last: Option<i64> =
                    sqlx::query_scalar("SELECT value FROM counts ORDER BY msg_id DESC LIMIT 1")
                        .fetch_optional(&mut *conn)
                        .await?;
                Ok($crate::db::Summary { count, last })
            }

            async fn ping(&self) -> anyhow::Result<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }
        }
    };
}
use impl_sql_store;
