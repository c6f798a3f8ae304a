//! Connecting, migrating and the pool that backs a [`Store`].

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::error::StoreResult;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file (WAL).
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

#[derive(Clone, Debug)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Handle to the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) db: Db,
    /// SQLite allows one writer: taking this lock first turns would-be `SQLITE_BUSY`
    /// upgrades of read transactions into a queue.
    pub(crate) write_lock: Arc<tokio::sync::Mutex<()>>,
    /// Read caches of hot lookups, invalidated by every committed change.
    pub(crate) caches: Arc<Caches>,
    /// Checkpoints of the SQLite write-ahead log, run after commits rather than inside them.
    pub(crate) checkpoints: Arc<Checkpoints>,
    /// Whether the last reachability probe reached the database (see
    /// [`Store::watch_reachability`]); always true for SQLite, a local file.
    pub(crate) reachable: Arc<std::sync::atomic::AtomicBool>,
    /// The one SQLite connection that stores reports: a big report fills its page cache and
    /// its prepared insert, and that memory stays in one place instead of in every pooled
    /// connection in turn. `None` for PostgreSQL and in-memory databases.
    pub(crate) ingest_pool: Option<SqlitePool>,
    /// This instance's name on PostgreSQL connections (see `crate::changes`).
    pub(crate) instance: Arc<str>,
}

/// State of the background WAL checkpoint (SQLite only).
#[derive(Debug, Default)]
pub(crate) struct Checkpoints {
    /// A commit happened since the last checkpoint started.
    dirty: std::sync::atomic::AtomicBool,
    /// A checkpoint task is running.
    running: std::sync::atomic::AtomicBool,
}

/// The store's read caches (see [`crate::cache`]).
#[derive(Debug, Default)]
pub(crate) struct Caches {
    /// What views, trends and pages are cached under: bumped at once by changes people
    /// make, and after stored reports at most once per settle window (see
    /// [`Store::report_stored`]).
    pub generation: crate::cache::Generation,
    /// Bumped at once by every committed change, stored reports included: what evaluations
    /// (the status gate CI asks right after uploading) and phases are cached under.
    pub evidence: crate::cache::Generation,
    /// Told the new `generation` whenever it is bumped: what live pages wait for.
    pub views: tokio::sync::watch::Sender<u64>,
    /// Whether a bump of `generation` for stored reports is scheduled.
    pub settling: std::sync::atomic::AtomicBool,
    /// When `generation` was last bumped (unix ms).
    pub bumped_at: std::sync::atomic::AtomicI64,
    /// The settle window in milliseconds (see [`Store::set_settle_window`]).
    pub settle_ms: std::sync::atomic::AtomicI64,
    /// Bumped only by changes to users, tokens and projects, so that the stream of uploads
    /// on release day does not send every request's login check back to the database.
    pub accounts: crate::cache::Generation,
    pub projects: crate::cache::GenCache<String, crate::project_rows::ProjectRow>,
    pub phases: crate::cache::GenCache<(i64, String), crate::project_rows::PhaseRow>,
    pub tokens: crate::cache::GenCache<String, crate::token_rows::TokenScope>,
    pub evaluations: crate::cache::GenCache<i64, readyboard_domain::scoring::Scorecard>,
    pub trends: crate::cache::GenCache<(i64, String), std::sync::Arc<crate::trend_series::Trends>>,
    pub memo: crate::cache::GenCache<String, Arc<dyn std::any::Any + Send + Sync>>,
    pub users: crate::cache::GenCache<i64, crate::user_rows::UserRow>,
    pub flights: crate::cache::Flights,
    /// Locks for evaluations, apart from `flights`: a view being computed under one of those
    /// evaluates its phase, and sharing the locks could make it wait for itself.
    pub evaluation_flights: crate::cache::Flights,
    /// Locks for user and token lookups: when a busy login's or CI token's entry ages out,
    /// the requests arriving meanwhile wait for one lookup instead of each querying.
    pub account_flights: crate::cache::Flights,
    /// Reports compared with their previous run, kept under the pair compared.
    pub diffs: crate::diff_cache::DiffCache,
    /// Flaky-check rankings per suite, kept under the reports they were read from.
    pub flaky: crate::flaky_cache::FlakyCache,
    /// Reports' decoded checks, by report id.
    pub check_sets: crate::check_set_cache::CheckSetCache,
}

/// Runs `$body` with `$pool` bound to the concrete pool of `$store`.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Runs `$body` in one write transaction under the store's write lock: `$tx` is the open
/// transaction, committed when `$body` yields its value; then the store counts as changed.
/// An early `return`, or `?`, inside `$body` leaves with the transaction rolled back.
macro_rules! write_tx {
    ($store:expr, $tx:ident => $body:block) => {{
        let _guard = $store.write_lock.lock().await;
        let out = $crate::db::on_pool!($store, pool => {
            let mut $tx = $crate::db::BeginWrite::begin_write(pool).await?;
            let out = $body;
            $tx.commit().await?;
            Ok::<_, $crate::StoreError>(out)
        })?;
        $store.changed();
        out
    }};
}
pub(crate) use write_tx;

/// How long one reachability probe may take before it counts as slow.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// Slow probes in a row after which PostgreSQL counts as unreachable (about 7.5 s).
const SLOW_PROBES: u32 = 3;

/// What [`Store::memo_lookup`] found.
pub use crate::cache::Lookup as Memo;

/// Opens a transaction that will write.
///
/// On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), waiting for another
/// writer as long as the busy timeout allows. A plain `BEGIN` reads first and asks for the
/// write lock later, and SQLite refuses that upgrade without waiting ("database is locked")
/// whenever another connection holds the lock at that moment.
pub(crate) trait BeginWrite<'c> {
    /// The database of the transaction.
    type Db: sqlx::Database;
    /// Begins the write transaction.
    fn begin_write(
        self,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'c, Self::Db>, sqlx::Error>> + Send;
}

impl<'c> BeginWrite<'c> for &'c mut sqlx::SqliteConnection {
    type Db = sqlx::Sqlite;
    fn begin_write(
        self,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'c, sqlx::Sqlite>, sqlx::Error>> + Send {
        sqlx::Connection::begin_with(self, "BEGIN IMMEDIATE")
    }
}

impl BeginWrite<'static> for &SqlitePool {
    type Db = sqlx::Sqlite;
    fn begin_write(
        self,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error>> + Send {
        self.begin_with("BEGIN IMMEDIATE")
    }
}

impl BeginWrite<'static> for &PgPool {
    type Db = sqlx::Postgres;
    fn begin_write(
        self,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error>> + Send {
        self.begin()
    }
}

/// Current time as unix milliseconds.
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

impl Store {
    /// Connections in the pool, and how many of them are idle.
    pub fn pool_stats(&self) -> (u32, usize) {
        on_pool!(self, pool => (pool.size(), pool.num_idle()))
    }

    /// Connects to `url` (`sqlite://file.db`, `sqlite::memory:`, `postgres://…`), creating a
    /// SQLite file when missing. Does not migrate.
    pub async fn connect(url: &str) -> StoreResult<Store> {
        let mut ingest_pool = None;
        // Random per store (std's hasher keys are): a restarted process is another instance.
        let nonce = std::hash::BuildHasher::hash_one(&std::collections::hash_map::RandomState::new(), now_ms());
        let instance = format!("readyboard-{}-{nonce:016x}", std::process::id());
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // Named after this instance, so that it can tell its own announced changes from
            // other instances' (see `crate::changes`).
            let opts = PgConnectOptions::from_str(url)?.application_name(&instance);
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Db::Postgres(pool)
        } else {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // 8 MiB of page cache per connection: the hot data (aggregates, latest
                // reports) is small, and big ingests must not grow every connection's cache.
                .pragma("cache_size", "-8000")
                .pragma("temp_store", "memory");
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            if !in_memory {
                ingest_pool = Some(
                    SqlitePoolOptions::new()
                        .max_connections(1)
                        .min_connections(0)
                        .idle_timeout(Some(Duration::from_secs(600)))
                        .acquire_timeout(Duration::from_secs(60))
                        // A small page cache: a report's pages are written once, not re-read.
                        // Its commits leave the log to a background checkpoint
                        // (`Store::schedule_checkpoint`) instead of copying it themselves.
                        .connect_lazy_with(
                            opts.clone().pragma("cache_size", "-2000").pragma("wal_autocheckpoint", "0"),
                        ),
                );
            }
            let pool = SqlitePoolOptions::new()
                // An in-memory database exists once per connection: keep exactly one.
                .max_connections(if in_memory { 1 } else { 8 })
                .min_connections(if in_memory { 1 } else { 0 })
                .idle_timeout(if in_memory { None } else { Some(Duration::from_secs(600)) })
                .max_lifetime(if in_memory { None } else { Some(Duration::from_secs(3600)) })
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opts)
                .await?;
            Db::Sqlite(pool)
        };
        Ok(Store {
            db,
            write_lock: Arc::new(tokio::sync::Mutex::new(())),
            caches: Arc::new(Caches::default()),
            checkpoints: Arc::new(Checkpoints::default()),
            reachable: Arc::new(std::sync::atomic::AtomicBool::new(true)),
            ingest_pool,
            instance: instance.into(),
        })
    }

    /// Whether the database answered the last reachability probe: while it does not, callers
    /// answer "unavailable" at once instead of waiting out the pool's acquire timeout.
    pub fn reachable(&self) -> bool {
        self.reachable.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Records what a reachability probe found (the probe of
    /// [`Store::watch_reachability`]; tests use it to stand for an outage).
    pub fn set_reachable(&self, up: bool) {
        let was = self.reachable.swap(up, std::sync::atomic::Ordering::Relaxed);
        if was != up {
            if up {
                tracing::info!("database reachable again");
            } else {
                tracing::error!("database unreachable: answering 503 until it is back");
            }
        }
    }

    /// Probes PostgreSQL twice a second on a connection of its own — never one from the
    /// pool, which may be busy under load without the database being down — and records the
    /// result. SQLite is a local file: nothing to watch.
    ///
    /// A refused or broken connection (the server stopped or restarting) counts at once. A
    /// probe that merely takes long counts only after [`SLOW_PROBES`] in a row: with every
    /// core busy serving a release-day crowd, a `SELECT 1` can take over a second, and
    /// answering 503 to everyone then (as a one-second limit did) turned load into an outage.
    pub fn watch_reachability(&self) {
        let Db::Postgres(pool) = &self.db else { return };
        let options = pool.connect_options();
        let store = self.clone();
        tokio::spawn(async move {
            let mut conn: Option<sqlx::PgConnection> = None;
            let mut slow = 0;
            loop {
                let probe = async {
                    // A kept connection may have been closed by the server meanwhile: one
                    // retry on a fresh connection tells that apart from the server being gone.
                    for _ in 0..2 {
                        if conn.is_none() {
                            conn = Some(sqlx::ConnectOptions::connect(&*options).await?);
                        }
                        let Some(c) = conn.as_mut() else { continue };
                        match sqlx::query("SELECT 1").execute(c).await {
                            Ok(_) => return Ok(()),
                            Err(_) => conn = None,
                        }
                    }
                    Err(sqlx::Error::PoolClosed)
                };
                match tokio::time::timeout(PROBE_TIMEOUT, probe).await {
                    Ok(Ok(())) => {
                        slow = 0;
                        store.set_reachable(true);
                    }
                    Ok(Err(_)) => {
                        slow = 0;
                        store.set_reachable(false);
                    }
                    Err(_) => {
                        conn = None;
                        slow += 1;
                        if slow >= SLOW_PROBES {
                            store.set_reachable(false);
                        }
                    }
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        });
    }

    /// The change counter: take it before computing a value for [`Store::memo_put`].
    pub fn generation(&self) -> u64 {
        self.caches.generation.current()
    }

    /// A value stored with [`Store::memo_put`] while nothing has changed since (and for at
    /// most two seconds): lets callers cache views assembled from many reads.
    pub fn memo_get<T: Clone + 'static>(&self, key: &str) -> Option<T> {
        let v = self.caches.memo.get(key, self.caches.generation.current(), now_ms())?;
        v.downcast_ref::<T>().cloned()
    }

    /// Like [`Store::memo_get`], computed at most once at a time (see
    /// [`crate::cache::GenCache::lookup`]): while another caller computes it, the previous
    /// value is served if it is less than ten seconds old.
    pub async fn memo_lookup<T: Clone + 'static>(&self, key: &str) -> Memo<'_, T> {
        let flights = &self.caches.flights;
        match self.caches.memo.lookup(key, self.generation(), now_ms, (flights, key), true).await {
            Memo::Ready(v) => match v.downcast_ref::<T>() {
                Some(v) => Memo::Ready(v.clone()),
                // Another type under the same key: computed afresh.
                None => Memo::Compute(flights.enter(key).await),
            },
            Memo::Compute(guard) => Memo::Compute(guard),
        }
    }

    /// Remembers `value` under `key`, as of now.
    ///
    /// It is filed under the generation current when the computation ends, not when it began:
    /// a change committed meanwhile may be missing from it until the next change or the
    /// cache's two-second lifetime, whichever comes first. Filing it under the older
    /// generation instead made it stale on arrival under a steady stream of uploads, so every
    /// reader computed the view again, one after another.
    pub fn memo_put<T: Send + Sync + 'static>(&self, key: String, value: T) {
        self.caches.memo.put(key, self.caches.generation.current(), now_ms(), Arc::new(value));
    }

    /// Marks every cached reading as outdated; called after each committed change a person
    /// makes (decisions, checklist, blockers, settings), which must show at once.
    pub(crate) fn changed(&self) {
        self.caches.evidence.bump();
        self.bump_views();
    }

    /// Like [`Store::changed`], for a change to users, tokens or projects: it also outdates
    /// the cached logins, token scopes and projects.
    pub(crate) fn accounts_changed(&self) {
        self.caches.accounts.bump();
        self.changed();
    }

    /// Called after each stored report. Evaluations (the status gate) are outdated at once;
    /// views and pages at the end of the settle window that began with the first report
    /// since their last change: under a stream of CI uploads they are computed again at
    /// most once per window instead of after every report, which on release day starved
    /// every page. A page thus shows every report stored more than one window before it.
    ///
    /// Returns the evidence generation the stored report begins.
    pub(crate) fn report_stored(&self) -> u64 {
        use std::sync::atomic::Ordering::SeqCst;
        let evidence = self.caches.evidence.bump();
        let window = self.caches.settle_ms.load(SeqCst);
        let wait = self.caches.bumped_at.load(SeqCst) + window - now_ms();
        if window <= 0 || wait <= 0 || tokio::runtime::Handle::try_current().is_err() {
            self.bump_views();
            return evidence;
        }
        if self.caches.settling.swap(true, SeqCst) {
            return evidence;
        }
        let store = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(wait as u64)).await;
            // Cleared first: a report stored from here on schedules its own bump, and this
            // one covers whatever came before.
            store.caches.settling.store(false, SeqCst);
            store.bump_views();
        });
        evidence
    }

    /// Shows every stored report in views and pages at once: for a person who has just
    /// imported one in the browser and is about to look at it.
    pub fn show_reports_now(&self) {
        self.bump_views();
    }

    /// Sets the settle window of [`Store::report_stored`]; zero shows each report at once.
    pub fn set_settle_window(&self, window: Duration) {
        let ms = window.as_millis().min(i64::MAX as u128) as i64;
        self.caches.settle_ms.store(ms, std::sync::atomic::Ordering::SeqCst);
    }

    fn bump_views(&self) {
        self.caches.bumped_at.store(now_ms(), std::sync::atomic::Ordering::SeqCst);
        let generation = self.caches.generation.bump();
        self.caches.views.send_replace(generation);
    }

    /// Copies the SQLite write-ahead log into the database file in the background, once
    /// per burst of commits: what SQLite's auto-checkpoint would do inside a big commit.
    pub(crate) fn schedule_checkpoint(&self) {
        use std::sync::atomic::Ordering::SeqCst;
        let Db::Sqlite(pool) = &self.db else { return };
        let state = self.checkpoints.clone();
        state.dirty.store(true, SeqCst);
        if state.running.swap(true, SeqCst) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            state.running.store(false, SeqCst);
            return;
        };
        let pool = pool.clone();
        runtime.spawn(async move {
            loop {
                while state.dirty.swap(false, SeqCst) {
                    if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
                        tracing::warn!(error = %e, "WAL checkpoint failed");
                    }
                }
                state.running.store(false, SeqCst);
                // A commit that came in after the loop ended and saw `running` still set.
                if !state.dirty.load(SeqCst) || state.running.swap(true, SeqCst) {
                    break;
                }
            }
        });
    }

    /// Connects and applies every pending migration (schema and session table).
    pub async fn open(url: &str) -> StoreResult<Store> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Applies pending migrations for this backend.
    pub async fn migrate(&self) -> StoreResult<()> {
        match &self.db {
            Db::Sqlite(pool) => sqlx::migrate!("../migrations/sqlite").run(pool).await?,
            Db::Postgres(pool) => sqlx::migrate!("../migrations/postgres").run(pool).await?,
        }
        self.move_legacy_checks().await?;
        self.session_backend().migrate().await?;
        Ok(())
    }

    /// Which backend this store uses.
    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Round-trips a trivial query: the readiness probe.
    pub async fn ping(&self) -> StoreResult<()> {
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Closes every connection (on shutdown, and before a restore).
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }

    /// Copies a consistent snapshot of a SQLite database into `path` (`VACUUM INTO`).
    pub async fn backup_sqlite(&self, path: &str) -> StoreResult<()> {
        match &self.db {
            Db::Sqlite(pool) => {
                sqlx::query("VACUUM INTO $1").bind(path).execute(pool).await?;
                Ok(())
            }
            Db::Postgres(_) => {
                Err(crate::StoreError::Invalid("backup of PostgreSQL databases is done with pg_dump".into()))
            }
        }
    }
}

#[cfg(test)]
mod memo_tests {
    use super::*;

    #[tokio::test]
    async fn a_caller_that_waited_takes_the_value_computed_meanwhile_even_after_a_change() {
        let store = Store::open("sqlite::memory:").await.unwrap();
        let Memo::Compute(flight) = store.memo_lookup::<u32>("view").await else { panic!("nothing cached yet") };
        let waiter = {
            let store = store.clone();
            tokio::spawn(async move {
                match store.memo_lookup::<u32>("view").await {
                    Memo::Ready(v) => Some(v),
                    Memo::Compute(_) => None,
                }
            })
        };
        tokio::task::yield_now().await;
        // An upload commits while the view is being computed.
        store.changed();
        store.memo_put("view".to_string(), 7u32);
        drop(flight);
        assert_eq!(waiter.await.unwrap(), Some(7), "the waiter takes the fresh computation instead of redoing it");
        // Readers arriving afterwards reuse it until the next change.
        assert!(matches!(store.memo_lookup::<u32>("view").await, Memo::Ready(7)));
        store.changed();
        assert!(matches!(store.memo_lookup::<u32>("view").await, Memo::Compute(_)));
    }

    #[tokio::test]
    async fn stored_reports_outdate_views_at_most_once_per_settle_window() {
        let store = Store::open("sqlite::memory:").await.unwrap();
        store.set_settle_window(Duration::from_millis(300));
        let (views, evidence) = (store.generation(), store.caches.evidence.current());
        // The first report after a quiet spell shows at once.
        store.report_stored();
        assert_eq!(store.generation(), views + 1);
        let shown = std::time::Instant::now();
        // The next ones wait for the end of the window; the status gate sees each at once.
        store.report_stored();
        store.report_stored();
        assert_eq!(store.generation(), views + 1);
        assert_eq!(store.caches.evidence.current(), evidence + 3);
        let deadline = shown + Duration::from_secs(5);
        while store.generation() == views + 1 && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(store.generation(), views + 2, "one bump for both reports");
        assert!(shown.elapsed() >= Duration::from_millis(250), "shown after {:?}", shown.elapsed());
        // A change a person makes shows at once, window or not.
        store.report_stored();
        store.changed();
        assert_eq!(store.generation(), views + 3);
    }
}
