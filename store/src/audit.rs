//! The append-only audit log.

use serde::Serialize;

pub use crate::audit_subjects::AuditSubject;
use crate::db::{Store, on_pool};
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

/// Which entries: changes to data, sign-ins (logins, logouts, failed logins), or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuditKind {
    /// Every entry.
    #[default]
    All,
    /// Everything but sign-ins.
    Changes,
    /// Logins, logouts and failed logins only.
    SignIns,
}

impl AuditKind {
    /// Reads `all`, `changes` or `signins`.
    pub fn parse(s: &str) -> Option<AuditKind> {
        match s {
            "all" => Some(AuditKind::All),
            "changes" => Some(AuditKind::Changes),
            "signins" => Some(AuditKind::SignIns),
            _ => None,
        }
    }

    /// The name `parse` reads.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::All => "all",
            AuditKind::Changes => "changes",
            AuditKind::SignIns => "signins",
        }
    }

    /// The SQL condition on `a.action` (sign-in actions are all `auth.*`).
    fn condition(self) -> &'static str {
        match self {
            AuditKind::All => "",
            AuditKind::Changes => " AND a.action NOT LIKE 'auth.%'",
            AuditKind::SignIns => " AND a.action LIKE 'auth.%'",
        }
    }
}

/// What the audit log page shows; every field optional.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AuditFilter {
    /// Changes, sign-ins or both.
    pub kind: AuditKind,
    /// Only this phase.
    pub phase_id: Option<i64>,
    /// Only this actor (user name, token or system label).
    pub actor: Option<String>,
    /// Only this action (`checklist.update`) or family (`checklist`).
    pub action: Option<String>,
    /// Only entries older than this id (paging).
    pub before_id: Option<i64>,
}

/// An audit entry with where it happened and what it is about, named.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditRow {
    /// The entry.
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub entry: AuditEntry,
    /// Project slug, when the change belongs to one.
    pub project: Option<String>,
    /// Project name, when the change belongs to one.
    pub project_name: Option<String>,
    /// Phase slug, when the change belongs to one.
    pub phase: Option<String>,
    /// Phase name, when the change belongs to one.
    pub phase_name: Option<String>,
    /// The thing the entry is about, by name (`None` when the entry names nothing).
    #[sqlx(skip)]
    pub subject: Option<AuditSubject>,
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

/// Writes one audit entry on `$exec` (a pool or a transaction), in the caller's transaction,
/// and queues its webhook deliveries there (see `crate::webhooks`).
macro_rules! write_audit {
    ($exec:expr, $actor:expr, $w:expr) => {{
        let w: $crate::audit::AuditWrite<'_> = $w;
        let now = $crate::db::now_ms();
        let project_id = w.project_id;
        let event = $crate::webhooks::event_of(w.action);
        async {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO audit_log (at, actor_user, actor_token, actor_label, action, entity, \
                 entity_id, project_id, phase_id, before_json, after_json) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            )
            .bind(now)
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
            .fetch_one(&mut *$exec)
            .await?;
            if let (Some(project_id), Some(event)) = (project_id, event) {
                sqlx::query($crate::webhooks::QUEUE_SQL)
                    .bind(id)
                    .bind(event)
                    .bind(now)
                    .bind(now + $crate::webhooks::RETRY_FOR_MS)
                    .bind(project_id)
                    .execute(&mut *$exec)
                    .await?;
            }
            Ok::<(), sqlx::Error>(())
        }
        .await
    }};
}
pub(crate) use write_audit;

/// The `AND …` conditions of `f` on `audit_log a` and how many parameters they take, in
/// the order [`bind_filter!`] binds them. `paged` includes the `before_id` condition.
fn audit_conditions(f: &AuditFilter, paged: bool) -> (String, usize) {
    let mut sql = String::from(f.kind.condition());
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
    if paged && f.before_id.is_some() {
        sql += &format!(" AND a.id < ${}", next());
    }
    (sql, n)
}

/// Binds the parameters of [`audit_conditions`] to a query, in order.
macro_rules! bind_filter {
    ($q:expr, $f:expr, $paged:expr) => {{
        let (mut q, f): (_, &AuditFilter) = ($q, $f);
        if let Some(v) = f.phase_id {
            q = q.bind(v);
        }
        if let Some(v) = &f.actor {
            q = q.bind(v.clone());
        }
        if let Some(v) = &f.action {
            q = q.bind(v.clone());
        }
        if let Some(v) = f.before_id.filter(|_| $paged) {
            q = q.bind(v);
        }
        q
    }};
}

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

    /// Audit entries matching `f`, newest first, at most `limit`, each with its subject named.
    pub async fn audit_search(&self, f: &AuditFilter, limit: i64) -> StoreResult<Vec<AuditRow>> {
        let (conditions, count) = audit_conditions(f, true);
        let sql = format!(
            "SELECT a.id, a.at, a.actor_label, a.action, a.entity, a.entity_id, a.before_json, a.after_json, \
             p.slug AS project, p.name AS project_name, ph.slug AS phase, ph.name AS phase_name \
             FROM audit_log a LEFT JOIN projects p ON p.id = a.project_id \
             LEFT JOIN phases ph ON ph.id = a.phase_id WHERE 1 = 1{conditions} ORDER BY a.id DESC LIMIT ${}",
            count + 1
        );
        let mut rows = on_pool!(self, pool => {
            let q = bind_filter!(sqlx::query_as::<_, AuditRow>(&sql), f, true);
            q.bind(limit).fetch_all(pool).await
        })?;
        self.name_subjects(&mut rows).await?;
        Ok(rows)
    }

    /// How many entries match `f`, paging aside.
    pub async fn audit_count(&self, f: &AuditFilter) -> StoreResult<i64> {
        let (conditions, _) = audit_conditions(f, false);
        let sql = format!("SELECT COUNT(*) FROM audit_log a WHERE 1 = 1{conditions}");
        Ok(on_pool!(self, pool => bind_filter!(sqlx::query_scalar::<_, i64>(&sql), f, false).fetch_one(pool).await)?)
    }

    /// Distinct actors and actions among entries of `kind` (for filter menus).
    pub async fn audit_facets(&self, kind: AuditKind) -> StoreResult<(Vec<String>, Vec<String>)> {
        let where_ = kind.condition();
        let actors_sql =
            format!("SELECT DISTINCT a.actor_label FROM audit_log a WHERE 1 = 1{where_} ORDER BY a.actor_label");
        let actions_sql = format!("SELECT DISTINCT a.action FROM audit_log a WHERE 1 = 1{where_} ORDER BY a.action");
        Ok(on_pool!(self, pool => {
            let actors = sqlx::query_scalar::<_, String>(&actors_sql).fetch_all(pool).await?;
            let actions = sqlx::query_scalar::<_, String>(&actions_sql).fetch_all(pool).await?;
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
        on_pool!(self, pool => {
            let mut conn = pool.acquire().await?;
            write_audit!(&mut *conn, actor, AuditWrite {
                action, entity, entity_id, project_id: None, phase_id: None, before: None, after: None,
            })
        })?;
        Ok(())
    }
}
