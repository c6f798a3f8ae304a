//! The store's one error type.

/// What can go wrong in the store, as callers need to tell it apart.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A uniqueness or state rule was violated; the message names the field.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Input the store refuses (bad slug, bad role…).
    #[error("invalid: {0}")]
    Invalid(String),
    /// Stored data this release cannot read (damaged, or written by a newer release).
    #[error("unreadable stored data: {0}")]
    Corrupt(String),
    /// Anything else from the database.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// Migrations failed.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Result alias for the store.
pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// Whether the database could not be reached at all (down, unreachable, pool closed or
    /// exhausted, or shutting down under a running query), as opposed to refusing this
    /// request: worth a retry later.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Database(
                sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::WorkerCrashed,
            ) => true,
            StoreError::Database(sqlx::Error::Database(db)) => db.code().as_deref().is_some_and(server_going_away),
            _ => false,
        }
    }

    /// Whether the database refused a write for lack of space (SQLite `SQLITE_FULL`,
    /// PostgreSQL `disk_full`).
    pub fn is_storage_full(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Database(db)) => {
                let code = db.code();
                // SQLite reports the primary code 13, possibly extended (13 + n × 256).
                let sqlite_full = code.as_deref().and_then(|c| c.parse::<i64>().ok()).is_some_and(|c| c & 0xff == 13);
                sqlite_full || code.as_deref() == Some("53100") || db.message().contains("database or disk is full")
            }
            _ => false,
        }
    }

    /// The error a computation shared by several callers failed with, for one of them: the
    /// error itself when nobody else holds it, else an equal one (the database's own errors
    /// keep whether they mean "unavailable"; others keep their message).
    pub(crate) fn shared(err: std::sync::Arc<StoreError>) -> StoreError {
        let err = match std::sync::Arc::try_unwrap(err) {
            Ok(e) => return e,
            Err(shared) => shared,
        };
        match &*err {
            StoreError::NotFound => StoreError::NotFound,
            StoreError::Conflict(m) => StoreError::Conflict(m.clone()),
            StoreError::Invalid(m) => StoreError::Invalid(m.clone()),
            StoreError::Database(sqlx::Error::PoolTimedOut) => StoreError::Database(sqlx::Error::PoolTimedOut),
            StoreError::Database(sqlx::Error::PoolClosed) => StoreError::Database(sqlx::Error::PoolClosed),
            StoreError::Database(sqlx::Error::WorkerCrashed) => StoreError::Database(sqlx::Error::WorkerCrashed),
            StoreError::Database(sqlx::Error::Io(e)) => {
                StoreError::Database(sqlx::Error::Io(std::io::Error::new(e.kind(), e.to_string())))
            }
            other if other.is_unavailable() => StoreError::Database(sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                other.to_string(),
            ))),
            other => StoreError::Database(sqlx::Error::Protocol(other.to_string())),
        }
    }

    /// Maps a unique-constraint violation to `Conflict(what)`, leaves others as they are.
    pub(crate) fn unique(err: sqlx::Error, what: &str) -> StoreError {
        if let sqlx::Error::Database(db) = &err
            && db.is_unique_violation()
        {
            return StoreError::Conflict(what.to_string());
        }
        StoreError::Database(err)
    }
}

/// Whether a PostgreSQL SQLSTATE says the server went away rather than refused the query:
/// a lost connection (class 08), a shutdown or crash that ended the session (57P01, 57P02),
/// a server still starting or stopping (57P03), or no connection slot left (53300).
fn server_going_away(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Connection;
    use std::io::Write;

    /// A query running when PostgreSQL stops (here: its session ended by the administrator,
    /// as `pg_ctl stop` does to every session) is "unavailable" (503), not an internal error;
    /// so is the same error handed to every caller of a shared computation.
    #[tokio::test]
    async fn a_query_cut_off_by_a_stopping_postgres_is_unavailable() {
        let url = std::env::var("READYBOARD_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string());
        let connect = || tokio::time::timeout(std::time::Duration::from_secs(5), sqlx::PgConnection::connect(&url));
        let (Ok(Ok(mut victim)), Ok(Ok(mut admin))) = (connect().await, connect().await) else {
            let _ = writeln!(std::io::stderr(), "SKIPPED: PostgreSQL not reachable at {url}");
            return;
        };
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut victim).await.unwrap();
        let running = tokio::spawn(async move { sqlx::query("SELECT pg_sleep(30)").execute(&mut victim).await });
        tokio::time::timeout(std::time::Duration::from_secs(10), async {
            loop {
                let active: bool = sqlx::query_scalar(
                    "SELECT count(*) = 1 FROM pg_stat_activity WHERE pid = $1 AND query LIKE '%pg_sleep%'",
                )
                .bind(pid)
                .fetch_one(&mut admin)
                .await
                .unwrap();
                if active {
                    break;
                }
                tokio::task::yield_now().await;
            }
        })
        .await
        .expect("the query starts");
        sqlx::query("SELECT pg_terminate_backend($1)").bind(pid).execute(&mut admin).await.unwrap();
        let err = StoreError::from(running.await.unwrap().expect_err("the session was ended"));
        assert!(err.is_unavailable(), "{err:?}");
        let shared = std::sync::Arc::new(err);
        let _other_holder = shared.clone();
        assert!(StoreError::shared(shared).is_unavailable());
        let refused = StoreError::from(sqlx::query("SELEKT 1").execute(&mut admin).await.unwrap_err());
        assert!(!refused.is_unavailable(), "{refused}");
    }

    #[tokio::test]
    async fn a_full_database_is_told_apart_from_other_errors() {
        let pool = sqlx::SqlitePool::connect("sqlite::memory:").await.unwrap();
        sqlx::query("CREATE TABLE t (v TEXT)").execute(&pool).await.unwrap();
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count").fetch_one(&pool).await.unwrap();
        sqlx::query(&format!("PRAGMA max_page_count = {}", pages + 2)).execute(&pool).await.unwrap();
        let mut full = None;
        for _ in 0..100 {
            if let Err(e) = sqlx::query("INSERT INTO t VALUES (?)").bind("x".repeat(4096)).execute(&pool).await {
                full = Some(StoreError::from(e));
                break;
            }
        }
        let full = full.expect("the database fills up");
        assert!(full.is_storage_full(), "{full}");
        assert!(!full.is_unavailable());
        let other = StoreError::from(sqlx::query("SELEKT 1").execute(&pool).await.unwrap_err());
        assert!(!other.is_storage_full(), "{other}");
    }
}
