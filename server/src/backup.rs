//! `readyboard backup` and `readyboard restore`, and the lock that keeps a restore off the
//! database of a running server.
//!
//! A server on a SQLite file holds a shared lock on `FILE.lock` for as long as it runs (the
//! operating system drops it when the process ends, even on `kill -9`); a restore needs the
//! lock exclusively and is refused while any server holds it. A server starting during a
//! restore is refused in the same way.

use std::fs::{File, OpenOptions, TryLockError};

use readyboard_store::{Store, StoreError};

use crate::context::ErrContext;

/// The SQLite file a database URL names; `None` for PostgreSQL and in-memory databases.
pub fn sqlite_path(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || path == ":memory:" || url.contains("mode=memory") {
        return None;
    }
    Some(path.to_string())
}

/// The lock file beside a database file.
fn lock_path(db_path: &str) -> String {
    format!("{db_path}.lock")
}

fn open_lock(db_path: &str) -> Result<File, String> {
    let path = lock_path(db_path);
    OpenOptions::new().create(true).truncate(false).write(true).open(&path).context(&format!("opening {path}"))
}

/// Held by a running server: the database is in use while this lives.
#[derive(Debug)]
pub struct InUse {
    _file: Option<File>,
}

impl InUse {
    /// Marks the database of `url` as in use; fails while a restore replaces it.
    pub fn acquire(url: &str) -> Result<InUse, String> {
        let Some(path) = sqlite_path(url) else { return Ok(InUse { _file: None }) };
        let file = open_lock(&path)?;
        match file.try_lock_shared() {
            Ok(()) => Ok(InUse { _file: Some(file) }),
            Err(TryLockError::WouldBlock) => Err(format!(
                "{path} is being restored (the lock on {} is held); start the server after it",
                lock_path(&path)
            )),
            Err(TryLockError::Error(e)) => Err(format!("locking {}: {e}", lock_path(&path))),
        }
    }
}

fn store_msg(e: StoreError) -> String {
    match e {
        StoreError::Invalid(msg) => msg,
        other => other.to_string(),
    }
}

/// `readyboard backup FILE`: a consistent copy (`VACUUM INTO`), safe while the server runs.
pub async fn backup(database_url: &str, file: &str) -> Result<(), String> {
    if std::path::Path::new(file).exists() {
        return Err(format!("{file} already exists; choose a new file name"));
    }
    let store = Store::open(database_url).await.context("opening the database")?;
    let result = store.backup_sqlite(file).await.map_err(store_msg);
    store.close().await;
    result
}

/// `readyboard restore FILE`: replaces the SQLite database with a checked backup; refused
/// while a server uses the database.
pub async fn restore(database_url: &str, file: &str) -> Result<String, String> {
    let target = sqlite_path(database_url)
        .ok_or("restore works on SQLite database files; restore PostgreSQL with pg_restore")?;
    if !std::path::Path::new(file).is_file() {
        return Err(format!("{file} does not exist"));
    }
    // Validate the backup before touching the live file.
    readyboard_store::verify_sqlite_backup(file).await.map_err(|e| format!("{file}: {}", store_msg(e)))?;
    let lock = open_lock(&target)?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            return Err(format!(
                "{target} is in use by a running readyboard server; stop it before restoring \
                 (a running server would keep writing to the replaced file and lose what it acknowledges)"
            ));
        }
        Err(TryLockError::Error(e)) => return Err(format!("locking {}: {e}", lock_path(&target))),
    }
    let tmp = format!("{target}.restore-tmp");
    std::fs::copy(file, &tmp).context("copying the backup")?;
    File::open(&tmp).and_then(|f| f.sync_all()).context("writing the copy to disk")?;
    // The old write-ahead log belongs to the old file: replayed onto the backup it would
    // corrupt it.
    for suffix in ["-wal", "-shm"] {
        match std::fs::remove_file(format!("{target}{suffix}")) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                if let Err(cleanup) = std::fs::remove_file(&tmp) {
                    tracing::warn!(error = %cleanup, "could not remove the unfinished copy {tmp}");
                }
                return Err(format!("removing the old {suffix} file next to the database (nothing was replaced): {e}"));
            }
            _ => {}
        }
    }
    std::fs::rename(&tmp, &target).context("replacing the database")?;
    drop(lock);
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use readyboard_domain::role::Role;
    use readyboard_store::Actor;
    use sqlx::Connection;

    fn temp_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("rb_backup_{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    /// Row count of every table of a SQLite file.
    async fn counts(path: &std::path::Path) -> Vec<(String, i64)> {
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.expect("open");
        let tables: Vec<String> =
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .fetch_all(&mut conn)
                .await
                .expect("tables");
        let mut out = Vec::new();
        for t in tables {
            let n: i64 =
                sqlx::query_scalar(&format!("SELECT count(*) FROM \"{t}\"")).fetch_one(&mut conn).await.expect("count");
            out.push((t, n));
        }
        out
    }

    async fn filled_database(dir: &std::path::Path) -> String {
        let url = format!("sqlite://{}", dir.join("live.db").display());
        let store = Store::open(&url).await.expect("open");
        let actor = Actor::system("test");
        store.create_user(&actor, "alice", "x", Role::Admin).await.expect("user");
        for slug in ["shop", "other"] {
            store.create_project(&actor, slug, slug, "").await.expect("project");
        }
        store.close().await;
        url
    }

    #[tokio::test]
    async fn a_backup_restores_into_a_fresh_path_with_identical_counts() {
        let dir = temp_dir();
        let url = filled_database(&dir).await;
        let file = dir.join("backup.db").display().to_string();
        backup(&url, &file).await.expect("backup");

        let fresh = dir.join("fresh.db");
        let restored = restore(&format!("sqlite://{}", fresh.display()), &file).await.expect("restore");
        assert_eq!(restored, fresh.display().to_string());
        let original = counts(&dir.join("live.db")).await;
        assert!(original.iter().any(|(t, n)| t == "projects" && *n == 2), "{original:?}");
        assert_eq!(counts(&fresh).await, original);
        // The restored database opens and serves.
        let store = Store::open(&format!("sqlite://{}", fresh.display())).await.expect("open restored");
        assert_eq!(store.list_projects().await.expect("projects").len(), 2);
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn restore_is_refused_while_a_server_uses_the_database() {
        let dir = temp_dir();
        let url = filled_database(&dir).await;
        let file = dir.join("backup.db").display().to_string();
        backup(&url, &file).await.expect("backup");

        let server = InUse::acquire(&url).expect("the server takes the database");
        let err = restore(&url, &file).await.expect_err("refused");
        assert!(err.contains("in use by a running readyboard server"), "{err}");
        // A second server on the same file is fine; a restore is not.
        let second = InUse::acquire(&url).expect("shared between servers");
        drop((server, second));
        restore(&url, &file).await.expect("allowed once the server stopped");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn restore_refuses_a_file_that_is_not_a_readyboard_database() {
        let dir = temp_dir();
        let junk = dir.join("junk.db");
        std::fs::write(&junk, b"not a database at all").expect("write");
        let target = format!("sqlite://{}", dir.join("t.db").display());
        assert!(restore(&target, &junk.display().to_string()).await.is_err());
        assert!(!dir.join("t.db").exists(), "nothing replaced");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn only_sqlite_files_have_a_path() {
        assert_eq!(sqlite_path("sqlite://a/b.db?mode=rwc").as_deref(), Some("a/b.db"));
        assert_eq!(sqlite_path("sqlite:x.db").as_deref(), Some("x.db"));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://u@h/db"), None);
    }
}
