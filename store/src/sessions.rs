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

/// A tower-sessions store over the [`Store`]'s database. Every page request loads its
/// session, so loads are served from memory for a moment ([`crate::cache::TTL_MS`]); this instance's own
/// saves and deletes update the cache at once, other instances' within that moment.
#[derive(Debug, Clone)]
pub struct SessionBackend {
    table: Table,
    /// Loaded records; one generation, they age out by time alone.
    cache: Arc<GenCache<Id, Record>>,
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
        SessionBackend { table, cache: Arc::default() }
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
