//! Blockers people manage: added by hand, assigned, waived, resolved, reopened; and the
//! filtered list across every phase.

use readyboard_domain::blockers::{BlockerSource, BlockerStatus};
use serde::Serialize;
use serde_json::json;

use crate::audit::{Actor, AuditWrite, write_audit};
use crate::db::{Store, now_ms, on_pool, write_tx};
use crate::error::{StoreError, StoreResult};

/// Severities a blocker may carry, most severe first.
pub const BLOCKER_SEVERITIES: &[&str] = &readyboard_domain::blockers::BLOCKER_SEVERITIES;
/// Statuses a blocker may be in.
pub const BLOCKER_STATUSES: &[&str] = &["open", "waived", "resolved"];

/// A blocker written by hand.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewBlocker {
    /// critical, high, medium or low.
    pub severity: String,
    /// One-line title.
    pub title: String,
    /// Longer description.
    pub details: String,
    /// Who owns it.
    pub owner: Option<String>,
    /// Due date, `YYYY-MM-DD`.
    pub due_date: Option<String>,
}

/// Owner and due date of a blocker.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BlockerAssignment {
    /// Who owns it; `None` clears it.
    pub owner: Option<String>,
    /// Due date `YYYY-MM-DD`; `None` clears it.
    pub due_date: Option<String>,
}

/// What the blocker list shows; every field optional.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BlockerFilter {
    /// Only this project.
    pub project_id: Option<i64>,
    /// Only this phase.
    pub phase_id: Option<i64>,
    /// Only this severity.
    pub severity: Option<String>,
    /// Only this owner; the empty string means "nobody".
    pub owner: Option<String>,
    /// Only this status.
    pub status: Option<String>,
}

/// One blocker with where it lives, as lists and the API show it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlockerItem {
    /// Project slug.
    pub project: String,
    /// Project name.
    pub project_name: String,
    /// Phase slug.
    pub phase: String,
    /// Phase name.
    pub phase_name: String,
    /// Phase row id.
    pub phase_id: i64,
    /// Details.
    pub details: String,
    /// First report showing it.
    pub first_report_id: Option<i64>,
    /// When it was resolved, unix ms.
    pub resolved_at: Option<i64>,
    /// Who waived it.
    pub waived_by: Option<String>,
    /// Why it was waived.
    pub waive_reason: Option<String>,
    /// What the phase's list shows of it.
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub row: crate::reads::BlockerRow,
}

/// Checks a `YYYY-MM-DD` date.
fn valid_date(s: &str) -> bool {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    s.len() == 10 && time::Date::parse(s, &fmt).is_ok()
}

/// Trims an optional text; empty becomes `None`.
fn clean(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

impl BlockerAssignment {
    /// Checks the owner's length and the date's shape; the message names the field.
    pub fn validate(&self) -> Result<(), String> {
        if clean(&self.owner).is_some_and(|o| o.chars().count() > 100) {
            return Err("owner: at most 100 characters".into());
        }
        if let Some(d) = clean(&self.due_date)
            && !valid_date(&d)
        {
            return Err("due_date: a date as YYYY-MM-DD".into());
        }
        Ok(())
    }
}

impl NewBlocker {
    /// Checks every field; the message names the field.
    pub fn validate(&self) -> Result<(), String> {
        if !BLOCKER_SEVERITIES.contains(&self.severity.as_str()) {
            return Err("severity: one of critical, high, medium, low".into());
        }
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err("title: between 1 and 200 characters".into());
        }
        if self.details.chars().count() > 10_000 {
            return Err("details: at most 10,000 characters".into());
        }
        BlockerAssignment { owner: self.owner.clone(), due_date: self.due_date.clone() }.validate()
    }
}

impl BlockerFilter {
    /// Checks the enumerated fields.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(s) = &self.severity
            && !BLOCKER_SEVERITIES.contains(&s.as_str())
        {
            return Err("severity: one of critical, high, medium, low".into());
        }
        if let Some(s) = &self.status
            && !BLOCKER_STATUSES.contains(&s.as_str())
        {
            return Err("status: one of open, waived, resolved".into());
        }
        Ok(())
    }
}

const ITEM_SELECT: &str = "SELECT b.id, p.slug AS project, p.name AS project_name, ph.slug AS phase, \
     ph.name AS phase_name, b.phase_id, s.name AS suite, b.source, b.severity, b.title, b.details, b.status, \
     b.owner, b.due_date, b.first_seen_at, b.last_seen_at, b.occurrences, b.first_report_id, b.last_report_id, \
     b.resolved_report_id, b.resolved_at, u.username AS waived_by, b.waive_reason \
     FROM blockers b JOIN phases ph ON ph.id = b.phase_id JOIN projects p ON p.id = ph.project_id \
     LEFT JOIN suites s ON s.id = b.suite_id LEFT JOIN users u ON u.id = b.waived_by";

const ITEM_ORDER: &str = " ORDER BY CASE b.status WHEN 'open' THEN 0 WHEN 'waived' THEN 1 ELSE 2 END, \
     CASE b.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, \
     b.last_seen_at DESC, b.id DESC";

/// The audit snapshot of a blocker.
fn snapshot(b: &BlockerItem) -> serde_json::Value {
    json!({"status": b.row.status, "severity": b.row.severity, "title": b.row.title, "owner": b.row.owner,
           "due_date": b.row.due_date, "waive_reason": b.waive_reason})
}

/// Reads one blocker inside `$exec`.
macro_rules! fetch_item {
    ($exec:expr, $id:expr) => {{
        let sql = format!("{ITEM_SELECT} WHERE b.id = $1");
        sqlx::query_as::<_, BlockerItem>(&sql).bind($id).fetch_optional($exec).await?.ok_or(StoreError::NotFound)?
    }};
}

/// Project id of a phase inside `$exec`.
macro_rules! project_of_phase {
    ($exec:expr, $phase_id:expr) => {{
        sqlx::query_scalar::<_, i64>("SELECT project_id FROM phases WHERE id = $1")
            .bind($phase_id)
            .fetch_optional($exec)
            .await?
            .ok_or(StoreError::NotFound)?
    }};
}

/// The phase of id `$phase_id`, read in a transaction.
macro_rules! phase_in_tx {
    ($exec:expr, $phase_id:expr) => {{
        let sql = format!("SELECT {} FROM phases WHERE id = $1", crate::projects::PHASE_COLUMNS);
        sqlx::query_as::<_, crate::projects::PhaseRow>(&sql)
            .bind($phase_id)
            .fetch_optional($exec)
            .await?
            .ok_or(StoreError::NotFound)?
    }};
}

impl Store {
    /// One blocker with its place.
    pub async fn blocker(&self, id: i64) -> StoreResult<BlockerItem> {
        on_pool!(self, pool => {
            let item = fetch_item!(pool, id);
            Ok::<_, StoreError>(item)
        })
    }

    /// Blockers across phases, filtered; open first, most severe first. At most `limit`.
    pub async fn list_blockers(&self, f: &BlockerFilter, limit: i64) -> StoreResult<Vec<BlockerItem>> {
        f.validate().map_err(StoreError::Invalid)?;
        let mut sql = format!("{ITEM_SELECT} WHERE 1 = 1");
        let mut n = 0;
        let mut next = || {
            n += 1;
            n
        };
        if f.project_id.is_some() {
            sql += &format!(" AND ph.project_id = ${}", next());
        }
        if f.phase_id.is_some() {
            sql += &format!(" AND b.phase_id = ${}", next());
        }
        if f.severity.is_some() {
            sql += &format!(" AND b.severity = ${}", next());
        }
        if f.status.is_some() {
            sql += &format!(" AND b.status = ${}", next());
        }
        match f.owner.as_deref() {
            Some("") => sql += " AND (b.owner IS NULL OR b.owner = '')",
            Some(_) => sql += &format!(" AND b.owner = ${}", next()),
            None => {}
        }
        sql += ITEM_ORDER;
        sql += &format!(" LIMIT ${}", next());
        on_pool!(self, pool => {
            let mut q = sqlx::query_as::<_, BlockerItem>(&sql);
            if let Some(p) = f.project_id { q = q.bind(p); }
            if let Some(p) = f.phase_id { q = q.bind(p); }
            if let Some(s) = &f.severity { q = q.bind(s.clone()); }
            if let Some(s) = &f.status { q = q.bind(s.clone()); }
            if let Some(o) = f.owner.as_deref().filter(|o| !o.is_empty()) { q = q.bind(o.to_string()); }
            Ok::<_, StoreError>(q.bind(limit).fetch_all(pool).await?)
        })
    }

    /// Distinct owners of blockers (for filter menus).
    pub async fn blocker_owners(&self) -> StoreResult<Vec<String>> {
        Ok(on_pool!(self, pool => sqlx::query_scalar::<_, String>(
            "SELECT DISTINCT owner FROM blockers WHERE owner IS NOT NULL AND owner <> '' ORDER BY owner"
        ).fetch_all(pool).await)?)
    }

    /// Refuses an owner who is not a user, unless it is the owner the blocker already has
    /// (owners were free text once, and those blockers keep theirs until someone changes it).
    async fn check_owner(&self, owner: &Option<String>, current: Option<&str>) -> StoreResult<()> {
        let Some(name) = clean(owner) else { return Ok(()) };
        if current == Some(name.as_str()) {
            return Ok(());
        }
        let known = on_pool!(self, pool => sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE username = $1")
            .bind(&name)
            .fetch_optional(pool)
            .await)?;
        match known {
            Some(_) => Ok(()),
            None => Err(StoreError::Invalid(format!(
                "owner: there is no user named \u{201c}{name}\u{201d}; choose someone from the list, or nobody"
            ))),
        }
    }

    /// Adds a blocker by hand to a phase; audited. The owner, if any, must be a user.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, phase = phase_id))]
    pub async fn add_blocker(&self, actor: &Actor, phase_id: i64, b: &NewBlocker) -> StoreResult<BlockerItem> {
        b.validate().map_err(StoreError::Invalid)?;
        self.check_owner(&b.owner, None).await?;
        let now = now_ms();
        // Manual blockers get a unique fingerprint: two people may well write the same title.
        let fingerprint = format!("manual:{now}:{}", uuid_like(now, &b.title));
        Ok(write_tx!(self, tx => {
            let project_id = project_of_phase!(&mut *tx, phase_id);
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO blockers (phase_id, fingerprint, source, severity, title, details, status, owner, \
                 due_date, first_seen_at, last_seen_at, occurrences, created_by) \
                 VALUES ($1, $2, 'manual', $3, $4, $5, 'open', $6, $7, $8, $8, 1, $9) RETURNING id",
            )
            .bind(phase_id).bind(&fingerprint).bind(&b.severity).bind(b.title.trim()).bind(b.details.trim())
            .bind(clean(&b.owner)).bind(clean(&b.due_date)).bind(now).bind(actor.user_id)
            .fetch_one(&mut *tx).await?;
            let item = fetch_item!(&mut *tx, id);
            write_audit!(&mut *tx, actor, AuditWrite {
                action: "blocker.create", entity: "blocker", entity_id: Some(id.to_string()),
                project_id: Some(project_id), phase_id: Some(phase_id), before: None, after: Some(snapshot(&item)),
            })?;
            let phase = phase_in_tx!(&mut *tx, phase_id);
            crate::evaluation::record_verdict!(tx, actor, &phase, now);
            item
        }))
    }

    /// Sets a blocker's owner and due date; audited. A new owner must be a user.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, blocker = id))]
    pub async fn assign_blocker(&self, actor: &Actor, id: i64, a: &BlockerAssignment) -> StoreResult<BlockerItem> {
        a.validate().map_err(StoreError::Invalid)?;
        let current = self.blocker(id).await?;
        self.check_owner(&a.owner, current.row.owner.as_deref()).await?;
        self.change_blocker(
            actor,
            id,
            "blocker.assign",
            |_| Ok(()),
            |b| {
                (
                    "UPDATE blockers SET owner = $1, due_date = $2 WHERE id = $3".to_string(),
                    vec![clean(&a.owner), clean(&a.due_date)],
                    b.row.id,
                )
            },
        )
        .await
    }

    /// Waives an open blocker with a rationale; audited. Waived blockers no longer hold
    /// the verdict back, and stay waived when later evidence shows the problem again.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, blocker = id))]
    pub async fn waive_blocker(&self, actor: &Actor, id: i64, reason: &str) -> StoreResult<BlockerItem> {
        let reason = reason.trim().to_string();
        if reason.chars().count() < 10 || reason.chars().count() > 2000 {
            return Err(StoreError::Invalid("rationale: between 10 and 2,000 characters".into()));
        }
        let by = actor.user_id;
        self.change_blocker(
            actor,
            id,
            "blocker.waive",
            |b| {
                if b.row.status == BlockerStatus::Open {
                    Ok(())
                } else {
                    Err(format!("only an open blocker can be waived (it is {})", b.row.status.as_str()))
                }
            },
            move |b| {
                (
                    format!(
                        "UPDATE blockers SET status = 'waived', waive_reason = $1, waived_by = {} WHERE id = $2",
                        by.map_or("NULL".to_string(), |u| u.to_string())
                    ),
                    vec![Some(reason.clone())],
                    b.row.id,
                )
            },
        )
        .await
    }

    /// Reopens a waived or resolved blocker; audited.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, blocker = id))]
    pub async fn reopen_blocker(&self, actor: &Actor, id: i64) -> StoreResult<BlockerItem> {
        self.change_blocker(
            actor,
            id,
            "blocker.reopen",
            |b| if b.row.status == BlockerStatus::Open { Err("the blocker is already open".into()) } else { Ok(()) },
            |b| {
                (
                    "UPDATE blockers SET status = 'open', waive_reason = NULL, waived_by = NULL, resolved_at = NULL, \
                     resolved_report_id = NULL WHERE id = $1"
                        .to_string(),
                    vec![],
                    b.row.id,
                )
            },
        )
        .await
    }

    /// Resolves a blocker written by hand (evidence-derived ones resolve with evidence); audited.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, blocker = id))]
    pub async fn resolve_blocker(&self, actor: &Actor, id: i64) -> StoreResult<BlockerItem> {
        let now = now_ms();
        self.change_blocker(
            actor,
            id,
            "blocker.resolve",
            |b| {
                if b.row.status != BlockerStatus::Open {
                    Err(format!("only an open blocker can be resolved (it is {})", b.row.status.as_str()))
                } else if b.row.source != BlockerSource::Manual {
                    Err("a blocker found in evidence resolves when a later report no longer shows it; waive it instead"
                        .into())
                } else {
                    Ok(())
                }
            },
            move |b| {
                (
                    format!("UPDATE blockers SET status = 'resolved', resolved_at = {now} WHERE id = $1"),
                    vec![],
                    b.row.id,
                )
            },
        )
        .await
    }

    /// Runs one guarded, audited update of a blocker in a transaction. `build` returns the
    /// SQL, its text parameters (bound first) and the id (bound last).
    async fn change_blocker<G, B>(
        &self,
        actor: &Actor,
        id: i64,
        action: &str,
        guard: G,
        build: B,
    ) -> StoreResult<BlockerItem>
    where
        G: Fn(&BlockerItem) -> Result<(), String>,
        B: Fn(&BlockerItem) -> (String, Vec<Option<String>>, i64),
    {
        Ok(write_tx!(self, tx => {
            let before = fetch_item!(&mut *tx, id);
            guard(&before).map_err(StoreError::Conflict)?;
            let (sql, params, id) = build(&before);
            let mut q = sqlx::query(&sql);
            for p in params {
                q = q.bind(p);
            }
            q.bind(id).execute(&mut *tx).await?;
            let after = fetch_item!(&mut *tx, id);
            let project_id = project_of_phase!(&mut *tx, before.phase_id);
            write_audit!(&mut *tx, actor, AuditWrite {
                action, entity: "blocker", entity_id: Some(id.to_string()),
                project_id: Some(project_id), phase_id: Some(before.phase_id),
                before: Some(snapshot(&before)), after: Some(snapshot(&after)),
            })?;
            // Owners and due dates do not move a verdict; the other steps may.
            if action != "blocker.assign" {
                let phase = phase_in_tx!(&mut *tx, before.phase_id);
                crate::evaluation::record_verdict!(tx, actor, &phase, now_ms());
            }
            after
        }))
    }
}

/// A short, collision-resistant suffix from the time and title (not a secret).
fn uuid_like(now: i64, title: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (now, title, std::process::id()).hash(&mut h);
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{:016x}{n:x}", h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(sev: &str, title: &str) -> NewBlocker {
        NewBlocker { severity: sev.into(), title: title.into(), ..Default::default() }
    }

    #[test]
    fn new_blockers_are_validated_field_by_field() {
        assert!(new("high", "Backups never restored").validate().is_ok());
        assert!(new("urgent", "x").validate().unwrap_err().starts_with("severity"));
        assert!(new("low", "   ").validate().unwrap_err().starts_with("title"));
        let mut b = new("low", "ok");
        b.due_date = Some("2026-13-01".into());
        assert!(b.validate().unwrap_err().starts_with("due_date"));
        b.due_date = Some("2026-12-01".into());
        assert!(b.validate().is_ok());
        b.due_date = Some(" ".into());
        assert!(b.validate().is_ok(), "blank dates mean none");
    }

    #[test]
    fn filters_reject_unknown_values() {
        assert!(BlockerFilter { status: Some("closed".into()), ..Default::default() }.validate().is_err());
        assert!(BlockerFilter { severity: Some("high".into()), ..Default::default() }.validate().is_ok());
    }
}
