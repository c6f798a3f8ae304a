//! The append-only audit log.

use serde::Serialize;

use crate::db::{Store, now_ms, on_pool};
use crate::error::StoreResult;

/// Who made a change: a person, a token, or the system itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user, when a person acted.
    pub user_id: Option<i64>,
    /// The API token, when CI acted.
    pub token_id: Option<i64>,
    /// A readable name ("alice", "token ci-main", "cli").
    pub label: String,
}

impl Actor {
    /// A person.
    pub fn user(id: i64, name: &str) -> Actor {
        Actor { user_id: Some(id), token_id: None, label: name.to_string() }
    }
    /// An API token.
    pub fn token(id: i64, name: &str) -> Actor {
        Actor { user_id: None, token_id: Some(id), label: format!("token {name}") }
    }
    /// The command line or the server itself.
    pub fn system(label: &str) -> Actor {
        Actor { user_id: None, token_id: None, label: label.to_string() }
    }
}

/// One audit entry as read back.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    /// Row id.
    pub id: i64,
    /// When, unix ms.
    pub at: i64,
    /// Who.
    pub actor_label: String,
    /// What was done (`user.create`, `token.revoke`…).
    pub action: String,
    /// What kind of thing.
    pub entity: String,
    /// Which one.
    pub entity_id: Option<String>,
    /// State before, JSON.
    pub before_json: Option<String>,
    /// State after, JSON.
    pub after_json: Option<String>,
}

/// Fields of an audit entry to write.
pub(crate) struct AuditWrite<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<String>,
    pub project_id: Option<i64>,
    pub phase_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Writes one audit entry on `$exec` (a pool or a transaction), in the caller's transaction.
macro_rules! write_audit {
    ($exec:expr, $actor:expr, $w:expr) => {{
        let w: $crate::audit::AuditWrite<'_> = $w;
        sqlx::query(
            "INSERT INTO audit_log (at, actor_user, actor_token, actor_label, action, entity, \
             entity_id, project_id, phase_id, before_json, after_json) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind($crate::db::now_ms())
        .bind($actor.user_id)
        .bind($actor.token_id)
        .bind(&$actor.label)
        .bind(w.action)
        .bind(w.entity)
        .bind(w.entity_id)
        .bind(w.project_id)
        .bind(w.phase_id)
        .bind(w.before.map(|v| v.to_string()))
        .bind(w.after.map(|v| v.to_string()))
        .execute($exec)
        .await
        .map(|_| ())
    }};
}
pub(crate) use write_audit;

impl Store {
    /// The newest audit entries first.
    pub async fn audit_recent(&self, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        let rows = on_pool!(self, pool => sqlx::query_as::<_, AuditEntry>(
            "SELECT id, at, actor_label, action, entity, entity_id, before_json, after_json \
             FROM audit_log ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await)?;
        Ok(rows)
    }

    /// Records an event that changes nothing else (login, logout, failed login).
    pub async fn audit_event(
        &self,
        actor: &Actor,
        action: &str,
        entity: &str,
        entity_id: Option<String>,
    ) -> StoreResult<()> {
        let _ = now_ms();
        on_pool!(self, pool => write_audit!(pool, actor, AuditWrite {
            action, entity, entity_id, project_id: None, phase_id: None, before: None, after: None,
        }))?;
        Ok(())
    }
}
