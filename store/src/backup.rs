//! Checking a SQLite backup before it replaces a live database.

use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};

use crate::error::{StoreError, StoreResult};

/// Checks that `path` is an intact readyboard SQLite database, without writing to it.
///
/// The file is opened read-only and nothing is set that would write (a journal-mode
/// switch on a read-only handle fails with "attempt to write a readonly database").
pub async fn verify_sqlite_backup(path: &str) -> StoreResult<()> {
    let mut conn: SqliteConnection = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(5))
        .connect()
        .await?;
    let check: String = sqlx::query_scalar("PRAGMA quick_check").fetch_one(&mut conn).await?;
    if check != "ok" {
        let _ = conn.close().await;
        return Err(StoreError::Invalid(format!("the backup is damaged: {check}")));
    }
    let readyboard: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('projects', 'reports')",
    )
    .fetch_one(&mut conn)
    .await?;
    let _ = conn.close().await;
    if readyboard != 2 {
        return Err(StoreError::Invalid("this file is not a readyboard database".into()));
    }
    Ok(())
}
