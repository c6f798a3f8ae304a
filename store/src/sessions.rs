//! Browser sessions stored in the same database as everything else.

use async_trait::async_trait;
use tower_sessions::ExpiredDeletion;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use crate::db::{Db, Store};
use crate::error::StoreResult;

/// A tower-sessions store over whichever backend the [`Store`] uses.
#[derive(Debug, Clone)]
pub enum SessionBackend {
    /// SQLite table `sessions`.
    Sqlite(SqliteStore),
    /// PostgreSQL table `tower_sessions.session`.
    Postgres(PostgresStore),
}

impl Store {
    /// The session store sharing this store's pool.
    pub fn session_backend(&self) -> SessionBackend {
        match &self.db {
            Db::Sqlite(pool) => SessionBackend::Sqlite(
                SqliteStore::new(pool.clone()).with_table_name("sessions").expect("valid table name"),
            ),
            Db::Postgres(pool) => SessionBackend::Postgres(PostgresStore::new(pool.clone())),
        }
    }
}

impl SessionBackend {
    /// Creates the session table when missing.
    pub async fn migrate(&self) -> StoreResult<()> {
        match self {
            SessionBackend::Sqlite(s) => s.migrate().await?,
            SessionBackend::Postgres(s) => s.migrate().await?,
        }
        Ok(())
    }
}

#[async_trait]
impl SessionStore for SessionBackend {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            SessionBackend::Sqlite(s) => s.create(record).await,
            SessionBackend::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            SessionBackend::Sqlite(s) => s.save(record).await,
            SessionBackend::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            SessionBackend::Sqlite(s) => s.load(id).await,
            SessionBackend::Postgres(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            SessionBackend::Sqlite(s) => s.delete(id).await,
            SessionBackend::Postgres(s) => s.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for SessionBackend {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            SessionBackend::Sqlite(s) => s.delete_expired().await,
            SessionBackend::Postgres(s) => s.delete_expired().await,
        }
    }
}
