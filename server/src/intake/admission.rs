//! Admission of report work: a bounded number of reports are parsed and stored at once,
//! their parsing yields the CPU to pages while other reports wait, and a bounded number may
//! wait.
//!
//! On release day CI uploads big reports back to back while everyone reads the scorecard.
//! Parsing and storing are CPU-bound; unbounded, they take every core and pages starve.
//! With one report at a time (the default on a machine of two cores), its parsing niced
//! while others queue behind it, and — while pages are being read — a pause after each
//! report twice as long as the report took, uploads get at most a third of the time and
//! pages keep most of the CPU (the views a new report makes stale are computed again on the
//! pages' time); uploads queue instead, and a full queue answers 503 with `Retry-After`,
//! which the upload client retries. A report that comes alone is parsed above the pages'
//! priority ([`crate::priority`]): one big report (100,000 checks) is then stored in about the
//! time it takes on an idle machine, not in several times that while readers hold the cores.
//! With no page being read, reports follow each other without pause.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::priority::Role;

type Job = Box<dyn FnOnce() + Send>;

/// The gate and the threads reports are parsed on.
pub struct Intake {
    slots: Arc<Semaphore>,
    reads: Arc<AtomicUsize>,
    waiting: AtomicUsize,
    max_waiting: usize,
    /// Threads at normal priority, for a report that comes alone.
    alone: mpsc::Sender<Job>,
    /// Niced threads, for reports while others wait.
    queued: mpsc::Sender<Job>,
}

/// Too many reports are already waiting.
#[derive(Debug)]
pub struct Busy;

/// Holds a place among the reports being handled; dropping it lets the next one in, after
/// a pause twice as long as the turn took if pages are being read meanwhile.
pub struct Slot {
    permit: Option<OwnedSemaphorePermit>,
    reads: Arc<AtomicUsize>,
    started: std::time::Instant,
}

impl Slot {
    fn new(permit: OwnedSemaphorePermit, reads: &Arc<AtomicUsize>) -> Slot {
        Slot { permit: Some(permit), reads: reads.clone(), started: std::time::Instant::now() }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let Some(permit) = self.permit.take() else { return };
        if self.reads.load(Ordering::Acquire) == 0 {
            return;
        }
        let pause = (self.started.elapsed() * PAUSE_FACTOR).min(MAX_PAUSE);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                tokio::time::sleep(pause).await;
                drop(permit);
            });
        }
    }
}

/// The pause after a report while pages are read, in multiples of the time it took.
const PAUSE_FACTOR: u32 = 2;

/// Longest pause after a report, whatever it took.
const MAX_PAUSE: std::time::Duration = std::time::Duration::from_secs(2);

/// Counts the reads in flight, so that report work knows when pages are waiting for the CPU.
pub async fn count_reads(
    axum::extract::State(intake): axum::extract::State<Arc<Intake>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if !crate::read_turns::is_read(&req) {
        return next.run(req).await;
    }
    let reads = intake.reads.clone();
    reads.fetch_add(1, Ordering::AcqRel);
    // Decremented when the request ends, however it ends (a dropped connection included).
    struct Done(Arc<AtomicUsize>);
    impl Drop for Done {
        fn drop(&mut self) {
            self.0.fetch_sub(1, Ordering::AcqRel);
        }
    }
    let _done = Done(reads);
    next.run(req).await
}

impl Intake {
    /// `concurrency` reports handled at once (at least one), `max_waiting` waiting for a turn.
    pub fn new(concurrency: usize, max_waiting: usize) -> Intake {
        let concurrency = concurrency.max(1);
        Intake {
            slots: Arc::new(Semaphore::new(concurrency)),
            reads: Arc::default(),
            waiting: AtomicUsize::new(0),
            max_waiting,
            // Two threads per slot in each lane: a report is parsed while its raw copy is
            // compressed.
            alone: spawn_lane("intake", concurrency * 2, Role::Alone),
            queued: spawn_lane("intake-niced", concurrency * 2, Role::Queued),
        }
    }

    /// The default for this machine: half its cores, at least one.
    pub fn default_concurrency() -> usize {
        std::thread::available_parallelism().map(|n| n.get() / 2).unwrap_or(1).max(1)
    }

    /// Waits for a turn, or answers [`Busy`] at once when the queue is full.
    pub async fn admit(&self) -> Result<Slot, Busy> {
        if let Ok(permit) = self.slots.clone().try_acquire_owned() {
            return Ok(Slot::new(permit, &self.reads));
        }
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(Busy);
        }
        let permit = self.slots.clone().acquire_owned().await;
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        permit.map(|p| Slot::new(p, &self.reads)).map_err(|_| Busy)
    }

    /// Reports waiting for a turn.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Acquire)
    }

    /// Runs CPU-bound work on a parsing thread — a niced one while other reports wait for a
    /// turn; `None` if the threads are gone.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(work());
        });
        let lane = if self.waiting() > 0 { &self.queued } else { &self.alone };
        lane.send(job).ok()?;
        rx.await.ok()
    }
}

/// Starts `threads` threads named `name-{i}` at `role`'s priority, that run the jobs sent on
/// the returned channel.
fn spawn_lane(name: &str, threads: usize, role: Role) -> mpsc::Sender<Job> {
    let (tx, rx) = mpsc::channel::<Job>();
    let rx = Arc::new(std::sync::Mutex::new(rx));
    for i in 0..threads {
        let rx = rx.clone();
        let spawned = std::thread::Builder::new().name(format!("{name}-{i}")).spawn(move || {
            crate::priority::enter(role);
            loop {
                let job = match rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                match job {
                    Ok(job) => job(),
                    Err(_) => return,
                }
            }
        });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start an intake thread");
        }
    }
    tx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_at_a_time_and_a_bounded_queue() {
        let intake = Arc::new(Intake::new(1, 1));
        let first = intake.admit().await.expect("a free slot");
        let waiter = {
            let intake = intake.clone();
            tokio::spawn(async move { intake.admit().await.map(|_| ()) })
        };
        while intake.waiting() == 0 {
            tokio::task::yield_now().await;
        }
        assert!(intake.admit().await.is_err(), "the queue holds one");
        drop(first);
        waiter.await.unwrap().expect("the waiter gets the slot");
        assert_eq!(intake.run(|| 6 * 7).await, Some(42));
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_report_alone_is_parsed_at_normal_priority_and_yields_while_others_wait() {
        use crate::priority::current as niceness;
        let own = crate::priority::record_base();
        if own + Role::Queued.steps() > 19 {
            eprintln!("SKIPPED: the tests already run at niceness {own}; the intake cannot lower its threads below it");
            return;
        }
        let intake = Arc::new(Intake::new(1, 4));
        let turn = intake.admit().await.unwrap();
        assert_eq!(intake.run(niceness).await, Some(own), "nobody waits: the report keeps the server's priority");
        let waiter = {
            let intake = intake.clone();
            tokio::spawn(async move { intake.admit().await.map(|_| ()) })
        };
        while intake.waiting() == 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(intake.run(niceness).await, Some(own + Role::Queued.steps()), "another report waits: it yields");
        drop(turn);
        waiter.await.unwrap().expect("the waiter gets the slot");
    }

    #[tokio::test]
    async fn a_turn_is_followed_by_a_pause_only_while_pages_are_read() {
        let intake = Intake::new(1, 8);
        let idle = intake.admit().await.unwrap();
        drop(idle);
        assert!(intake.slots.try_acquire().is_ok(), "nobody reads: the next report goes at once");
        intake.reads.fetch_add(1, Ordering::AcqRel);
        let turn = intake.admit().await.unwrap();
        std::thread::sleep(std::time::Duration::from_millis(50));
        drop(turn);
        let released = std::time::Instant::now();
        assert!(intake.slots.try_acquire().is_err(), "a page is being read: the slot rests");
        let next = intake.admit().await.unwrap();
        assert!(released.elapsed() >= std::time::Duration::from_millis(95), "twice the turn: {:?}", released.elapsed());
        drop(next);
    }
}
