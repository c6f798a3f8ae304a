//! A small read cache for the hottest lookups (projects, phases, token scopes, phase
//! evaluations), so that status gates and scorecards do not hit the database on every
//! request.
//!
//! Every committed change through this store bumps a generation counter, which invalidates
//! everything at once: an entry is served only while the generation it was computed under is
//! still current. Entries also expire after [`TTL_MS`], which bounds how stale a reading can
//! be when another instance writes to the same PostgreSQL database, and how long a stale
//! freshness window (evidence ageing with time) can be shown.
//!
//! The values live in `moka` caches (bounded, least recently used out first), like every
//! other cache of the store and the server. What moka does not offer is kept here: [`Flights`] lets one caller compute a value while the others are
//! given the previous one (younger than [`STALE_MS`]) or wait for the new one and are let go
//! together, and a value filed by the one computing is taken by waiters even when a change
//! committed meanwhile (moka's `get_with` would make each of them compute again under a
//! steady stream of uploads, and cannot serve the previous value meanwhile).

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedRwLockWriteGuard, RwLock};

/// How long an entry may be served, in milliseconds.
pub const TTL_MS: i64 = 2_000;
/// How old a value may be to be served while somebody computes the current one. Longer
/// than [`TTL_MS`]: when a value expires under heavy load, its recomputation can take longer
/// than the lifetime, and readers would otherwise all wait for it.
pub const STALE_MS: i64 = 10_000;
/// Entries per map (least used out first).
const CAPACITY: u64 = 4_096;

/// The generation counter.
#[derive(Debug, Default)]
pub struct Generation(AtomicU64);

impl Generation {
    /// The current generation.
    pub fn current(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }

    /// Marks everything cached so far as outdated; returns the new generation.
    pub fn bump(&self) -> u64 {
        self.0.fetch_add(1, Ordering::AcqRel) + 1
    }
}

/// Locks that let one caller compute a missing value while others with the same key wait
/// for it, instead of all computing it at once (a cold start under load, or the moment an
/// entry expires). Each key (by its 64-bit hash) has a lock of its own while anybody holds
/// or waits for it; the lock goes when the last of them leaves. (Keys once shared a fixed
/// set of locks: a caller computing one value that needed another whose key fell on the same
/// lock waited for itself forever, and two callers could each hold what the other needed.)
///
/// The one computing holds the key's lock for writing; the others wait to read it, so all of
/// them are let go together when it finishes. (A plain mutex let them go one at a time, and
/// on a busy runtime each hand-over waited for a whole round of the other tasks: when a
/// session shared by a thousand readers aged out, the last reader waited over ten seconds.)
#[derive(Debug, Default)]
pub struct Flights(Mutex<HashMap<u64, Arc<RwLock<()>>>>);

/// Locks kept before idle ones are swept (a waiter cancelled mid-wait leaves its key's lock
/// behind until then).
const FLIGHT_SWEEP: usize = 4096;

/// The lock of one key, held: callers with the same key wait until it is dropped.
#[derive(Debug)]
pub struct Flight<'f> {
    guard: Option<OwnedRwLockWriteGuard<()>>,
    hash: u64,
    flights: &'f Flights,
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        drop(self.guard.take());
        self.flights.forget_idle(self.hash);
    }
}

impl Flights {
    /// Waits until nobody holds the lock of `key`, then takes it.
    pub async fn enter<L: Hash + ?Sized>(&self, key: &L) -> Flight<'_> {
        match self.enter_unless(key, || None::<std::convert::Infallible>, || None).await {
            Ok(never) => match never {},
            Err(flight) => flight,
        }
    }

    /// The lock of `key` (`Err`), unless a value is found first (`Ok`): `meanwhile` is asked
    /// each time somebody else holds the lock (a value to make do with instead of waiting),
    /// `filed` each time they let it go (the value they computed).
    pub async fn enter_unless<L: Hash + ?Sized, T>(
        &self,
        key: &L,
        mut meanwhile: impl FnMut() -> Option<T>,
        mut filed: impl FnMut() -> Option<T>,
    ) -> Result<T, Flight<'_>> {
        loop {
            if let Some(flight) = self.try_enter(key) {
                return Err(flight);
            }
            if let Some(v) = meanwhile() {
                return Ok(v);
            }
            self.wait(key).await;
            if let Some(v) = filed() {
                return Ok(v);
            }
            // Nothing filed, or the others let go at the same moment have not left yet:
            // give them a turn before trying again.
            tokio::task::yield_now().await;
        }
    }

    /// The lock of `key` if nobody holds it.
    pub fn try_enter<L: Hash + ?Sized>(&self, key: &L) -> Option<Flight<'_>> {
        let (hash, lock) = self.lock_of(key);
        let guard = lock.try_write_owned().ok()?;
        Some(Flight { guard: Some(guard), hash, flights: self })
    }

    /// Waits until whoever holds the lock of `key` lets it go (at once when nobody does).
    /// Everybody waiting for the same key is let go at the same moment.
    pub async fn wait<L: Hash + ?Sized>(&self, key: &L) {
        let (hash, lock) = self.lock_of(key);
        drop(lock.read().await);
        drop(lock);
        self.forget_idle(hash);
    }

    /// Locks currently kept (held, waited for, or left by a cancelled waiter).
    pub fn len(&self) -> usize {
        self.0.lock().map(|m| m.len()).unwrap_or_default()
    }

    /// Whether no lock is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock_of<L: Hash + ?Sized>(&self, key: &L) -> (u64, Arc<RwLock<()>>) {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(key);
        let mut map = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if map.len() >= FLIGHT_SWEEP {
            map.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        (hash, map.entry(hash).or_default().clone())
    }

    /// Drops the lock of `hash` when nobody holds or waits for it any more.
    fn forget_idle(&self, hash: u64) {
        if let Ok(mut map) = self.0.lock()
            && map.get(&hash).is_some_and(|lock| Arc::strong_count(lock) == 1)
        {
            map.remove(&hash);
        }
    }
}

/// What [`GenCache::lookup`] found.
pub enum Lookup<'f, V> {
    /// The value.
    Ready(V),
    /// Nothing usable: this caller computes the value and holds the key's lock, making
    /// callers with the same key wait, until it drops the guard (after storing the value).
    Compute(Flight<'f>),
}

/// One map of cached values, each with the generation and the time it was computed under.
pub struct GenCache<K, V> {
    map: moka::sync::Cache<K, (u64, i64, V)>,
}

impl<K, V> std::fmt::Debug for GenCache<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GenCache").field("entries", &self.map.entry_count()).finish()
    }
}

impl<K: Eq + Hash + Send + Sync + 'static, V: Clone + Send + Sync + 'static> Default for GenCache<K, V> {
    fn default() -> Self {
        GenCache::with_capacity(CAPACITY)
    }
}

impl<K: Eq + Hash + Send + Sync + 'static, V: Clone + Send + Sync + 'static> GenCache<K, V> {
    /// A map of at most `capacity` entries (fewer for large values), the least recently
    /// used out first. (Outdated entries stay until pushed out: they are what a reader is
    /// given while the current value is computed.)
    pub fn with_capacity(capacity: u64) -> Self {
        let map = moka::sync::Cache::builder()
            .max_capacity(capacity.max(1))
            .eviction_policy(moka::policy::EvictionPolicy::lru())
            .build();
        GenCache { map }
    }

    /// The value for `key` if it was stored under generation `generation` less than
    /// [`TTL_MS`] before `now`.
    pub fn get<Q: Eq + Hash + ?Sized>(&self, key: &Q, generation: u64, now: i64) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.get_within(key, generation, now, TTL_MS)
    }

    /// Like [`GenCache::get`] with a time-to-live of `ttl_ms` instead of [`TTL_MS`], for
    /// readings that are costly and change only with new evidence.
    pub fn get_within<Q: Eq + Hash + ?Sized>(&self, key: &Q, generation: u64, now: i64, ttl_ms: i64) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let (g, at, v) = self.map.get(key)?;
        (g == generation && now - at < ttl_ms && now >= at).then_some(v)
    }

    /// The value for `key` if it was stored under generation `min_generation` or a later
    /// one, less than [`TTL_MS`] before `now`.
    pub fn get_at_least<Q: Eq + Hash + ?Sized>(&self, key: &Q, min_generation: u64, now: i64) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let (g, at, v) = self.map.get(key)?;
        (g >= min_generation && now - at < TTL_MS && now >= at).then_some(v)
    }

    /// The value for `key` stored less than [`STALE_MS`] before `now`, under any generation:
    /// what a reader is given while somebody computes the current one.
    pub fn get_recent<Q: Eq + Hash + ?Sized>(&self, key: &Q, now: i64) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let (_, at, v) = self.map.get(key)?;
        (now - at < STALE_MS && now >= at).then_some(v)
    }

    /// The value for `key` as of `generation`, computed at most once at a time.
    ///
    /// Found current, it is returned. Otherwise, when somebody already computes it and
    /// `serve_previous` allows, the previous value (less than [`STALE_MS`] old) is returned
    /// meanwhile; else the caller waits for the lock of `lock` in `flights`, and
    /// takes the value filed while it waited if that value reflects the store at least as of
    /// `generation`, even if a change committed meanwhile (insisting on the newest one under a
    /// steady stream of uploads made every waiter compute again, one at a time). Failing
    /// that, the caller computes it, holding the lock.
    pub async fn lookup<'f, Q: Eq + Hash + ?Sized, L: Hash + ?Sized>(
        &self,
        key: &Q,
        generation: u64,
        now: fn() -> i64,
        (flights, lock): (&'f Flights, &L),
        serve_previous: bool,
    ) -> Lookup<'f, V>
    where
        K: Borrow<Q>,
    {
        if let Some(v) = self.get(key, generation, now()) {
            return Lookup::Ready(v);
        }
        let previous = || if serve_previous { self.get_recent(key, now()) } else { None };
        match flights.enter_unless(lock, previous, || self.get_at_least(key, generation, now())).await {
            Ok(v) => Lookup::Ready(v),
            Err(guard) => match self.get_at_least(key, generation, now()) {
                Some(v) => Lookup::Ready(v),
                None => Lookup::Compute(guard),
            },
        }
    }

    /// Drops the entry for `key`.
    pub fn remove<Q: Eq + Hash + ?Sized>(&self, key: &Q)
    where
        K: Borrow<Q>,
    {
        self.map.invalidate(key);
    }

    /// Stores `value` computed under `generation` at `now`.
    pub fn put(&self, key: K, generation: u64, now: i64, value: V) {
        self.map.insert(key, (generation, now, value));
    }
}

#[cfg(test)]
mod tests {

    #[tokio::test]
    async fn one_caller_holds_the_locks_of_many_keys_at_once_and_they_go_when_released() {
        let flights = Flights::default();
        // Nested computations take the locks of other keys while holding their own: with
        // shared locks, some of these would have been the same lock, waited for forever.
        let held = tokio::time::timeout(std::time::Duration::from_secs(5), async {
            let mut held = Vec::new();
            for i in 0..500 {
                held.push(flights.enter(&("view", i)).await);
            }
            held
        })
        .await
        .expect("no key waits for another key's lock");
        assert_eq!(flights.len(), 500);
        assert!(flights.try_enter(&("view", 7)).is_none(), "a held key is held");
        assert!(flights.try_enter(&("view", 500)).is_some(), "another key is free");
        drop(held);
        assert!(flights.is_empty(), "released locks are not kept");
    }

    use super::*;

    #[test]
    fn entries_expire_with_the_generation_and_with_time() {
        let g = Generation::default();
        let c: GenCache<&str, i32> = GenCache::default();
        c.put("a", g.current(), 1_000, 1);
        assert_eq!(c.get(&"a", g.current(), 1_500), Some(1));
        assert_eq!(c.get(&"a", g.current(), 1_000 + TTL_MS), None, "too old");
        assert_eq!(c.get(&"a", g.current(), 999), None, "clock went backwards");
        g.bump();
        assert_eq!(c.get(&"a", g.current(), 1_500), None, "a change invalidates it");
        assert_eq!(c.get(&"b", g.current(), 1_500), None);
    }

    #[test]
    fn a_full_map_pushes_out_old_entries_and_keeps_the_newest() {
        let c: GenCache<u32, u32> = GenCache::with_capacity(10);
        for i in 0..100 {
            c.put(i, 0, 1_000, i);
        }
        c.map.run_pending_tasks();
        assert!(c.map.entry_count() <= 10, "{} entries kept", c.map.entry_count());
        assert_eq!(c.get(&99, 0, 1_000), Some(99), "the newest entry is kept");
        assert_eq!(c.get(&50, 0, 1_000), None, "an old one went");
    }

    #[tokio::test]
    async fn readers_waiting_for_one_value_are_let_go_together() {
        fn at() -> i64 {
            1_000
        }
        const WAITERS: usize = 100;
        let flights = Arc::new(Flights::default());
        let cache: Arc<GenCache<&'static str, i32>> = Arc::default();
        let Lookup::Compute(computing) = cache.lookup("view", 0, at, (&*flights, "view"), false).await else {
            panic!("nothing is cached yet");
        };
        let started = Arc::new(AtomicU64::new(0));
        let done = Arc::new(AtomicU64::new(0));
        let mut waiters = Vec::new();
        for _ in 0..WAITERS {
            let (flights, cache, started, done) = (flights.clone(), cache.clone(), started.clone(), done.clone());
            waiters.push(tokio::spawn(async move {
                started.fetch_add(1, Ordering::SeqCst);
                let got = cache.lookup("view", 0, at, (&*flights, "view"), false).await;
                done.fetch_add(1, Ordering::SeqCst);
                matches!(got, Lookup::Ready(42))
            }));
        }
        // Every other request on a busy runtime: one task that goes to the back of the run
        // queue over and over (woken by itself: `yield_now` would wait for the queue to drain).
        let rounds = Arc::new(AtomicU64::new(0));
        let busy = {
            let (rounds, done) = (rounds.clone(), done.clone());
            tokio::spawn(async move {
                while done.load(Ordering::SeqCst) < WAITERS as u64 {
                    rounds.fetch_add(1, Ordering::SeqCst);
                    let mut queued = false;
                    std::future::poll_fn(|cx| {
                        if std::mem::replace(&mut queued, true) {
                            std::task::Poll::Ready(())
                        } else {
                            cx.waker().wake_by_ref();
                            std::task::Poll::Pending
                        }
                    })
                    .await;
                }
            })
        };
        while started.load(Ordering::SeqCst) < WAITERS as u64 {
            tokio::task::yield_now().await;
        }
        tokio::task::yield_now().await;
        assert_eq!(done.load(Ordering::SeqCst), 0, "they wait while the value is computed");
        cache.put("view", 0, at(), 42);
        let before = rounds.load(Ordering::SeqCst);
        drop(computing);
        for w in waiters {
            assert!(w.await.unwrap(), "each waiter is given the value computed");
        }
        busy.await.unwrap();
        // Let go one at a time, each hand-over would wait for the busy task's next turn
        // (about one round per waiter).
        let took = rounds.load(Ordering::SeqCst) - before;
        assert!(took <= 3, "the waiters took {took} rounds of the runtime to be let go");
    }

    #[tokio::test]
    async fn one_key_is_computed_by_one_caller_at_a_time() {
        let flights = std::sync::Arc::new(Flights::default());
        let computing = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let most = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (flights, computing, most) = (flights.clone(), computing.clone(), most.clone());
            tasks.push(tokio::spawn(async move {
                let _flight = flights.enter("phase-view/shop/release-1").await;
                let now = computing.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                tokio::task::yield_now().await;
                computing.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 1);
    }
}
