//! Scheduling priorities of the server's threads: a report that comes alone is parsed ahead
//! of pages, pages ahead of reports that queue behind others.
//!
//! On Linux niceness is per thread and a new thread inherits its creator's; an unprivileged
//! process can lower its threads' priority but never raise it again. So the runtime's threads
//! (pages, API requests) run a few steps below the process, the parsing threads of a report
//! that comes alone keep the process's own priority, and those of reports that others wait
//! behind run well below the pages. The steps keep pages and queued reports as far apart as
//! before (ten), while a lone report now outweighs each page thread about three to one: one
//! big upload is stored in about the time it takes on an idle machine, even with readers.
//!
//! A SQLite connection's thread takes the priority of the thread that opened it: those the
//! store opens at start (on the main thread) run at the process's, any opened later at the
//! pages'. Database work is short and shared by pages and reports alike, so it is not sorted.

use std::sync::OnceLock;

/// Who a thread works for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Parsing a report nobody waits behind: the process's own priority.
    Alone,
    /// The runtime: pages and API requests.
    Pages,
    /// Parsing a report while others wait for a turn.
    Queued,
}

impl Role {
    /// Niceness steps below the process's own (higher is lower priority).
    pub const fn steps(self) -> i32 {
        match self {
            Role::Alone => 0,
            Role::Pages => 5,
            Role::Queued => 15,
        }
    }
}

/// The niceness the process started with, read once by the first caller.
static BASE: OnceLock<i32> = OnceLock::new();

/// Records the process's niceness; call on the main thread before any thread is lowered.
pub fn record_base() -> i32 {
    *BASE.get_or_init(current)
}

/// Sets the calling thread's priority for `role`; logs when the system refuses it.
pub fn enter(role: Role) {
    let wanted = (record_base() + role.steps()).min(19);
    if current() != wanted && !set(wanted) {
        tracing::warn!(?role, wanted, "cannot set the priority of a server thread");
    }
}

/// The multi-threaded runtime the binary runs on, its threads at [`Role::Pages`].
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    record_base();
    tokio::runtime::Builder::new_multi_thread().enable_all().on_thread_start(|| enter(Role::Pages)).build()
}

/// The calling thread's niceness (0 where threads have none).
pub fn current() -> i32 {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: gettid has no preconditions; getpriority only reads this thread's niceness.
        unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) }
    }
    #[cfg(not(target_os = "linux"))]
    0
}

/// Sets the calling thread's niceness; false when the system refuses.
fn set(niceness: i32) -> bool {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: gettid has no preconditions; setpriority only changes this thread's niceness.
        unsafe { libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, niceness) == 0 }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = niceness;
        true
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn runtime_threads_run_below_the_process_and_its_blocking_threads_do_not_sink_further() {
        let base = record_base();
        if base + Role::Pages.steps() > 19 {
            eprintln!("SKIPPED: the tests already run at niceness {base}; no room to lower threads");
            return;
        }
        let rt = runtime().unwrap();
        let worker = rt.block_on(async { tokio::spawn(async { current() }).await.unwrap() });
        assert_eq!(worker, base + Role::Pages.steps(), "a runtime worker");
        // A blocking thread is started by a worker (already lowered) and must not be lowered twice.
        let blocking = rt.block_on(async {
            tokio::spawn(async { tokio::task::spawn_blocking(current).await.unwrap() }).await.unwrap()
        });
        assert_eq!(blocking, base + Role::Pages.steps(), "a blocking thread started by a worker");
        assert_eq!(current(), base, "the main thread keeps the process's priority");
    }
}
