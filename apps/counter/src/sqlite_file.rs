//! Opening the embedded SQLite files (queue and database) the same way: WAL, so readers never
//! block the writer, and `synchronous=NORMAL`, so a commit survives the process being killed
//! (not a power cut: this is the laptop path).

use std::future::Future;
use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

/// How long a lock held by another process may delay an open or a schema change.
const LOCK_PATIENCE: Duration = Duration::from_secs(30);

/// Opens (creating if needed) a SQLite file tuned for many small concurrent writers.
pub async fn open_sqlite(path: &Path, max_connections: u32) -> anyhow::Result<SqlitePool> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create data directory {}", dir.display()))?;
    }
    let options = SqliteConnectOptions::from_str("sqlite:")?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(LOCK_PATIENCE);
    retry_while_locked(|| {
        SqlitePoolOptions::new()
            .max_connections(max_connections)
            .connect_with(options.clone())
    })
    .await
    .with_context(|| format!("cannot open {}", path.display()))
}

/// Runs `attempt` again while SQLite answers "database is locked" without having waited.
/// The busy timeout covers most contention, but SQLite skips it where waiting could
/// deadlock: two processes creating the same file at once both switch it to WAL, and a
/// transaction that read first cannot wait for a write lock. Giving up the attempt
/// releases this side's locks, so the other side finishes and the next attempt succeeds.
pub async fn retry_while_locked<T, F, Fut>(mut attempt: F) -> Result<T, sqlx::Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, sqlx::Error>>,
{
    let deadline = Instant::now() + LOCK_PATIENCE;
    let mut pause = Duration::from_millis(2);
    loop {
        match attempt().await {
            Err(error) if is_locked(&error) && Instant::now() < deadline => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(100));
            }
            outcome => return outcome,
        }
    }
}

/// SQLITE_BUSY or SQLITE_LOCKED, with any extended code (the low byte is the primary one).
fn is_locked(error: &sqlx::Error) -> bool {
    let code = match error {
        sqlx::Error::Database(e) => e.code().and_then(|c| c.parse::<i32>().ok()),
        _ => None,
    };
    matches!(code.map(|c| c & 0xff), Some(5 | 6))
}
