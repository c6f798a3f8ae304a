//! The instance's feed of changes for live pages: one task reads the changes the store
//! announces (see `readyboard_store::Change`) and hands them to every open stream (the
//! streams themselves are in `crate::live`).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use readyboard_store::{Change, Store};
use tokio::sync::{broadcast, watch};

/// Changes read per query.
pub(crate) const BATCH: i64 = 500;
/// On PostgreSQL, transactions commit in another order than their entries were numbered:
/// changes are read again from this far below the newest one seen, and those already sent
/// skipped.
const REORDER_SLACK: i64 = 64;
/// How often the feed looks for changes when nothing told it of one (a safety net).
const POLL: Duration = Duration::from_secs(15);

/// The instance's feed of changes to open streams.
pub struct Feed {
    store: Store,
    /// Every change read, for the open streams to filter.
    pub(crate) changes: broadcast::Sender<Arc<Change>>,
    /// Set at shutdown: streams end.
    pub(crate) closed: watch::Sender<bool>,
    started: AtomicBool,
    /// Streams open now.
    pub(crate) streams: Arc<AtomicUsize>,
}

impl Feed {
    /// A feed of `store`'s changes; it starts reading them when the first stream opens.
    pub fn new(store: Store) -> Feed {
        Feed {
            store,
            changes: broadcast::channel(1024).0,
            closed: watch::channel(false).0,
            started: AtomicBool::new(false),
            streams: Arc::default(),
        }
    }

    /// Ends every stream (at shutdown: open streams would keep their connections forever).
    pub fn close(&self) {
        self.closed.send_replace(true);
    }

    /// Streams open now.
    pub fn streams(&self) -> usize {
        self.streams.load(Ordering::Relaxed)
    }

    /// Starts reading changes after `newest`, unless it has already started.
    pub(crate) fn start(&self, newest: i64) {
        if self.started.swap(true, Ordering::AcqRel) {
            return;
        }
        tokio::spawn(follow(self.store.clone(), newest, self.changes.clone(), self.closed.subscribe()));
    }
}

/// Reads new changes whenever the store says views changed, and hands them on.
async fn follow(
    store: Store,
    mut newest: i64,
    changes: broadcast::Sender<Arc<Change>>,
    mut closed: watch::Receiver<bool>,
) {
    let mut views = store.watch_views();
    let mut sent = BTreeSet::new();
    loop {
        tokio::select! {
            _ = views.changed() => {}
            _ = tokio::time::sleep(POLL) => {}
            _ = closed.changed() => return,
        }
        if *closed.borrow() {
            return;
        }
        loop {
            let batch = match store.changes_after(newest - REORDER_SLACK, BATCH).await {
                Ok(batch) => batch,
                Err(e) => {
                    tracing::warn!(error = %e, "live pages: cannot read changes");
                    break;
                }
            };
            let full = batch.len() as i64 == BATCH;
            for change in batch {
                if change.id <= newest - REORDER_SLACK || !sent.insert(change.id) {
                    continue;
                }
                newest = newest.max(change.id);
                // Nobody listening is not an error.
                let _ = changes.send(Arc::new(change));
            }
            sent = sent.split_off(&(newest - REORDER_SLACK + 1));
            if !full {
                break;
            }
        }
    }
}
