//! The feed of committed changes that live pages follow, and how instances sharing one
//! PostgreSQL database learn of each other's changes.
//!
//! The audit log is the feed: every change a person or CI makes writes an entry in the
//! transaction that makes it, so the entries of a project, in id order, say what changed
//! and when, and a reader who saw entry `n` can ask for everything after it. What is missing
//! is the moment to ask; [`Store::watch_views`] gives it within this process, and on
//! PostgreSQL a trigger announces every entry on the channel [`CHANNEL`] when its transaction
//! commits, which [`Store::follow_other_instances`] turns into the same moment in every other
//! instance (after outdating their caches, which would otherwise show the change only when
//! their entries expire).

use std::time::Duration;

use serde::Serialize;

use crate::db::{Db, Store, on_pool};
use crate::error::StoreResult;

/// The PostgreSQL channel the audit log's trigger announces entries on.
pub const CHANNEL: &str = "readyboard_changes";

/// A committed change to a project, as live pages are told of it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Change {
    /// The audit entry's id: changes are numbered in the order they were written.
    pub id: i64,
    /// When it was made (unix ms).
    pub at: i64,
    /// What was done (`report.create`, `blocker.resolve`, `decision.create`…).
    pub action: String,
    /// The project's id, for authorization.
    #[serde(skip)]
    pub project_id: i64,
    /// The project's slug.
    pub project: String,
    /// The phase's slug, when the change belongs to one.
    pub phase: Option<String>,
}

impl Store {
    /// Changes to projects after entry `after`, oldest first, at most `limit`.
    pub async fn changes_after(&self, after: i64, limit: i64) -> StoreResult<Vec<Change>> {
        let rows = on_pool!(self, pool => sqlx::query_as::<_, Change>(
            "SELECT a.id, a.at, a.action, a.project_id, p.slug AS project, ph.slug AS phase \
             FROM audit_log a JOIN projects p ON p.id = a.project_id \
             LEFT JOIN phases ph ON ph.id = a.phase_id \
             WHERE a.id > $1 ORDER BY a.id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(pool)
        .await)?;
        Ok(rows)
    }

    /// The id of the newest audit entry (0 when there is none).
    pub async fn last_change_id(&self) -> StoreResult<i64> {
        let id = on_pool!(self, pool => sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(id) FROM audit_log")
            .fetch_one(pool)
            .await)?;
        Ok(id.unwrap_or(0))
    }

    /// Changes whenever views and pages are outdated by a committed change: at once for
    /// changes people make, at the end of the settle window for stored reports (see
    /// [`Store::report_stored`]), so that a page fetched then shows the change.
    pub fn watch_views(&self) -> tokio::sync::watch::Receiver<u64> {
        self.caches.views.subscribe()
    }

    /// On PostgreSQL, follows the changes other instances commit to the same database for
    /// as long as the runtime runs: their stored reports and other changes outdate this
    /// instance's caches as its own do. Returns whether it listens now; if not (or once the
    /// connection is lost), it tries again every second, and outdates every cache when it
    /// listens again, since what was announced meanwhile is lost. Does nothing on SQLite.
    pub async fn follow_other_instances(&self) -> bool {
        let Db::Postgres(pool) = &self.db else { return true };
        let listen = |pool: sqlx::PgPool| async move {
            let mut listener = sqlx::postgres::PgListener::connect_with(&pool).await?;
            listener.listen(CHANNEL).await?;
            Ok::<_, sqlx::Error>(listener)
        };
        let mut listener = match listen(pool.clone()).await {
            Ok(l) => Some(l),
            Err(e) => {
                tracing::warn!(error = %e, "cannot follow other instances' changes; trying again");
                None
            }
        };
        let listening = listener.is_some();
        let (pool, store) = (pool.clone(), self.clone());
        tokio::spawn(async move {
            loop {
                if let Some(mut l) = listener.take() {
                    // `Ok(None)`: the connection was lost.
                    while let Ok(Some(note)) = l.try_recv().await {
                        store.announced(note.payload());
                    }
                    tracing::warn!("lost the feed of other instances' changes; reconnecting");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
                match listen(pool.clone()).await {
                    Ok(l) => {
                        // What was announced while not listening is lost: outdate everything.
                        store.accounts_changed();
                        listener = Some(l);
                    }
                    Err(e) => tracing::debug!(error = %e, "cannot follow other instances' changes yet"),
                }
            }
        });
        listening
    }

    /// Handles one announcement `"<application name> <action>"` of [`CHANNEL`].
    fn announced(&self, payload: &str) {
        let (from, action) = payload.split_once(' ').unwrap_or(("", payload));
        if from == &*self.instance {
            return; // This instance's own change: handled as it committed.
        }
        match action {
            "auth.login" | "auth.logout" | "auth.login_failed" => {}
            "report.create" => {
                self.report_stored();
            }
            _ => self.accounts_changed(),
        }
    }
}
