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

/// What the audit log page shows; every field optional.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AuditFilter {
    /// Only this phase.
    pub phase_id: Option<i64>,
    /// Only this actor (user name, token or system label).
    pub actor: Option<String>,
    /// Only this action (`checklist.update`) or family (`checklist`).
    pub action: Option<String>,
    /// Only entries older than this id (paging).
    pub before_id: Option<i64>,
}

/// An audit entry with where it happened.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditRow {
    /// The entry.
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub entry: AuditEntry,
    /// Project slug, when the change belongs to one.
    pub project: Option<String>,
    /// Phase slug, when the change belongs to one.
    pub phase: Option<String>,
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

    /// Audit entries matching `f`, newest first, at most `limit`.
    pub async fn audit_search(&self, f: &AuditFilter, limit: i64) -> StoreResult<Vec<AuditRow>> {
        let mut sql = String::from(
            "SELECT a.id, a.at, a.actor_label, a.action, a.entity, a.entity_id, a.before_json, a.after_json, \
             p.slug AS project, ph.slug AS phase FROM audit_log a LEFT JOIN projects p ON p.id = a.project_id \
             LEFT JOIN phases ph ON ph.id = a.phase_id WHERE 1 = 1",
        );
        let mut n = 0;
        let mut next = || {
            n += 1;
            n
        };
        if f.phase_id.is_some() {
            sql += &format!(" AND a.phase_id = ${}", next());
        }
        if f.actor.is_some() {
            sql += &format!(" AND a.actor_label = ${}", next());
        }
        if f.action.is_some() {
            let i = next();
            sql += &format!(" AND (a.action = ${i} OR a.action LIKE ${i} || '.%')");
        }
        if f.before_id.is_some() {
            sql += &format!(" AND a.id < ${}", next());
        }
        sql += &format!(" ORDER BY a.id DESC LIMIT ${}", next());
        Ok(on_pool!(self, pool => {
            let mut q = sqlx::query_as::<_, AuditRow>(&sql);
            if let Some(v) = f.phase_id { q = q.bind(v); }
            if let Some(v) = &f.actor { q = q.bind(v.clone()); }
            if let Some(v) = &f.action { q = q.bind(v.clone()); }
            if let Some(v) = f.before_id { q = q.bind(v); }
            q.bind(limit).fetch_all(pool).await
        })?)
    }

    /// Distinct actors and actions in the audit log (for filter menus).
    pub async fn audit_facets(&self) -> StoreResult<(Vec<String>, Vec<String>)> {
        Ok(on_pool!(self, pool => {
            let actors = sqlx::query_scalar::<_, String>("SELECT DISTINCT actor_label FROM audit_log ORDER BY actor_label").fetch_all(pool).await?;
            let actions = sqlx::query_scalar::<_, String>("SELECT DISTINCT action FROM audit_log ORDER BY action").fetch_all(pool).await?;
            Ok::<_, sqlx::Error>((actors, actions))
        })?)
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
