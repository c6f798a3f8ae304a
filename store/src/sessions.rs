//! Browser sessions stored in the same database as everything else.

use std::sync::Arc;

use async_trait::async_trait;
use tower_sessions::ExpiredDeletion;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use crate::cache::GenCache;
use crate::db::{Db, Store, now_ms};
use crate::error::StoreResult;

/// The session table of whichever backend the [`Store`] uses.
#[derive(Debug, Clone)]
enum Table {
    /// SQLite table `sessions`.
    Sqlite(SqliteStore),
    /// PostgreSQL table `tower_sessions.session`.
    Postgres(PostgresStore),
}

/// How far a session's stored expiry may lag behind its last use before it is written again.
const EXPIRY_SLACK: tower_sessions::cookie::time::Duration = tower_sessions::cookie::time::Duration::minutes(5);

/// A tower-sessions store over the [`Store`]'s database. Every page request loads its
/// session, so loads are served from memory for a moment ([`crate::cache::TTL_MS`]); this instance's own
/// saves and deletes update the cache at once, other instances' within that moment.
#[derive(Debug, Clone)]
pub struct SessionBackend {
    table: Table,
    /// Loaded records; one generation, they age out by time alone.
    cache: Arc<GenCache<Id, Record>>,
    /// One load per session at a time: when a busy session's record ages out, the requests
    /// arriving meanwhile wait for that load instead of each querying the database (a
    /// thousand readers sharing a dashboard login otherwise jammed the pool every two seconds).
    loads: Arc<crate::cache::Flights>,
}

impl Store {
    /// The session store sharing this store's pool.
    pub fn session_backend(&self) -> SessionBackend {
        let table = match &self.db {
            Db::Sqlite(pool) => {
                Table::Sqlite(SqliteStore::new(pool.clone()).with_table_name("sessions").expect("valid table name"))
            }
            Db::Postgres(pool) => Table::Postgres(PostgresStore::new(pool.clone())),
        };
        SessionBackend { table, cache: Arc::default(), loads: Arc::default() }
    }
}

impl SessionBackend {
    /// Creates the session table when missing.
    pub async fn migrate(&self) -> StoreResult<()> {
        match &self.table {
            Table::Sqlite(s) => s.migrate().await?,
            Table::Postgres(s) => s.migrate().await?,
        }
        Ok(())
    }

    fn remember(&self, record: &Record) {
        self.cache.put(record.id, 0, now_ms(), record.clone());
    }

    fn cached(&self, id: &Id) -> Option<Record> {
        let record = self.cache.get(id, 0, now_ms())?;
        (record.expiry_date > tower_sessions::cookie::time::OffsetDateTime::now_utc()).then_some(record)
    }
}

#[async_trait]
impl SessionStore for SessionBackend {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match &self.table {
            Table::Sqlite(s) => s.create(record).await?,
            Table::Postgres(s) => s.create(record).await?,
        }
        self.remember(record);
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        // Sessions expire after a week without use, so every request asks to save the new
        // expiry: a database write per page view, which under a crowd of readers queued
        // every request behind session writes. Only the expiry moved, and by less than
        // `EXPIRY_SLACK`: the stored record stays, and the session lasts that much less.
        if let Some(stored) = self.cached(&record.id)
            && stored.data == record.data
            && record.expiry_date - stored.expiry_date < EXPIRY_SLACK
        {
            return Ok(());
        }
        // Forget first: a failed save must not leave the unsaved record served from memory.
        self.cache.remove(&record.id);
        match &self.table {
            Table::Sqlite(s) => s.save(record).await?,
            Table::Postgres(s) => s.save(record).await?,
        }
        self.remember(record);
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        if let Some(record) = self.cached(id) {
            return Ok(Some(record));
        }
        // Whoever loads first files the record; the others, let go together, find it filed.
        let _load = match self.loads.enter_unless(id, || None, || self.cached(id)).await {
            Ok(record) => return Ok(Some(record)),
            Err(load) => load,
        };
        if let Some(record) = self.cached(id) {
            return Ok(Some(record));
        }
        let record = match &self.table {
            Table::Sqlite(s) => s.load(id).await?,
            Table::Postgres(s) => s.load(id).await?,
        };
        if let Some(r) = &record {
            self.remember(r);
        }
        Ok(record)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.cache.remove(id);
        match &self.table {
            Table::Sqlite(s) => s.delete(id).await,
            Table::Postgres(s) => s.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for SessionBackend {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match &self.table {
            Table::Sqlite(s) => s.delete_expired().await,
            Table::Postgres(s) => s.delete_expired().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_sessions::cookie::time::{Duration, OffsetDateTime};

    #[tokio::test]
    async fn a_use_that_only_moves_the_expiry_a_little_writes_nothing() {
        let store = Store::open("sqlite::memory:").await.unwrap();
        let sessions = store.session_backend();
        sessions.migrate().await.unwrap();
        let start = OffsetDateTime::now_utc() + Duration::days(7);
        let mut record = Record { id: Id::default(), data: Default::default(), expiry_date: start };
        record.data.insert("user".into(), serde_json::json!(1));
        sessions.create(&mut record).await.unwrap();
        let stored = |sessions: &SessionBackend, id: Id| {
            let sessions = sessions.clone();
            async move {
                sessions.cache.remove(&id);
                sessions.load(&id).await.unwrap().unwrap()
            }
        };
        // A request a minute later: same data, expiry one minute on.
        let later = Record { expiry_date: start + Duration::minutes(1), ..record.clone() };
        sessions.save(&later).await.unwrap();
        assert_eq!(stored(&sessions, record.id).await.expiry_date, start, "not written");
        // Ten minutes on, it is.
        let much_later = Record { expiry_date: start + Duration::minutes(10), ..record.clone() };
        sessions.save(&much_later).await.unwrap();
        assert_eq!(stored(&sessions, record.id).await.expiry_date, much_later.expiry_date);
        // Changed data is always written.
        let mut changed = much_later.clone();
        changed.data.insert("flash".into(), serde_json::json!("saved"));
        sessions.save(&changed).await.unwrap();
        assert_eq!(stored(&sessions, record.id).await.data, changed.data);
    }
}
