//! Retention: a project may keep the per-check rows and raw artifacts of its reports for a
//! number of days. Pruning removes only those; the report rows with their counts and
//! category aggregates, the phase history, blockers, decisions with their snapshots, and the
//! latest report of every suite are always kept. It runs in small batches, each its own
//! short transaction, and every batch is written to the audit log.

use serde::Serialize;
use serde_json::json;

use crate::audit::{Actor, AuditWrite, write_audit};
use crate::db::BeginWrite;
use crate::db::{Store, now_ms, on_pool, write_tx};
use crate::error::{StoreError, StoreResult};

/// Longest retention a project may set (ten years).
pub const MAX_RETENTION_DAYS: i64 = 3650;

const DAY_MS: i64 = 86_400_000;

/// What pruning would remove, or removed, in one project.
#[derive(Debug, Clone, Default, PartialEq, Serialize, sqlx::FromRow)]
pub struct PruneTally {
    /// Project slug.
    pub project: String,
    /// The project's retention in days.
    pub retention_days: i64,
    /// Reports whose details go.
    pub reports: i64,
    /// Check rows removed.
    pub checks: i64,
    /// Bytes of raw artifacts (uncompressed size as uploaded) removed.
    pub raw_bytes: i64,
}

/// Reports of projects with a retention that are past it, not yet pruned, and not the
/// latest of their suite. `$1` is the time pruning measures from (unix ms).
const DUE: &str = "FROM reports r JOIN phases ph ON ph.id = r.phase_id JOIN projects p ON p.id = ph.project_id \
     WHERE p.retention_days IS NOT NULL AND r.pruned_at IS NULL \
     AND r.received_at < $1 - p.retention_days * 86400000 \
     AND NOT EXISTS (SELECT 1 FROM suites s WHERE s.latest_report_id = r.id)";

impl Store {
    /// Sets how long a project keeps check rows and raw artifacts (`None`: forever); audited.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, project = project_id))]
    pub async fn set_retention(&self, actor: &Actor, project_id: i64, days: Option<i64>) -> StoreResult<()> {
        if days.is_some_and(|d| !(1..=MAX_RETENTION_DAYS).contains(&d)) {
            return Err(StoreError::Invalid(format!("retention: between 1 and {MAX_RETENTION_DAYS} days, or empty")));
        }
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let before: Option<i64> = sqlx::query_scalar("SELECT retention_days FROM projects WHERE id = $1")
                .bind(project_id).fetch_optional(&mut *tx).await?.ok_or(StoreError::NotFound)?;
            sqlx::query("UPDATE projects SET retention_days = $1 WHERE id = $2")
                .bind(days).bind(project_id).execute(&mut *tx).await?;
            write_audit!(&mut *tx, actor, AuditWrite {
                action: "project.retention", entity: "project", entity_id: Some(project_id.to_string()),
                project_id: Some(project_id), phase_id: None,
                before: Some(json!({"retention_days": before})), after: Some(json!({"retention_days": days})),
            })?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        })?;
        self.accounts_changed();
        Ok(())
    }

    /// What pruning at `now` would remove, per project (nothing is changed).
    pub async fn prune_plan(&self, now: i64) -> StoreResult<Vec<PruneTally>> {
        let sql = format!(
            "SELECT p.slug AS project, p.retention_days AS retention_days, COUNT(*) AS reports, \
             CAST(COALESCE(SUM((SELECT cs.checks FROM check_sets cs WHERE cs.report_id = r.id)), 0) AS BIGINT) AS checks, \
             CAST(COALESCE(SUM(r.raw_size), 0) AS BIGINT) AS raw_bytes {DUE} GROUP BY p.slug, p.retention_days ORDER BY p.slug"
        );
        Ok(on_pool!(self, pool => sqlx::query_as::<_, PruneTally>(&sql).bind(now).fetch_all(pool).await)?)
    }

    /// Prunes every report due at `now`, `batch` reports per transaction; returns what went,
    /// per project. Each batch takes the write lock briefly, so uploads and edits go on.
    #[tracing::instrument(skip_all, fields(actor = %actor.label))]
    pub async fn prune(&self, actor: &Actor, now: i64, batch: i64) -> StoreResult<Vec<PruneTally>> {
        let mut done: Vec<PruneTally> = Vec::new();
        loop {
            let Some(step) = self.prune_batch(actor, now, batch.max(1)).await? else { break };
            match done.iter_mut().find(|t| t.project == step.project) {
                Some(t) => {
                    t.reports += step.reports;
                    t.checks += step.checks;
                    t.raw_bytes += step.raw_bytes;
                }
                None => done.push(step),
            }
            tokio::task::yield_now().await;
        }
        if !done.is_empty() {
            self.changed();
        }
        Ok(done)
    }

    /// Prunes up to `batch` due reports of one project in one transaction; `None` when
    /// nothing is due.
    async fn prune_batch(&self, actor: &Actor, now: i64, batch: i64) -> StoreResult<Option<PruneTally>> {
        let first_due = format!("SELECT p.id, p.slug, p.retention_days {DUE} ORDER BY r.id LIMIT 1");
        let pick = format!("SELECT r.id, r.raw_size {DUE} AND p.id = $2 ORDER BY r.id LIMIT $3");
        let done = write_tx!(self, tx => {
            let project: Option<(i64, String, i64)> =
                sqlx::query_as(&first_due).bind(now).fetch_optional(&mut *tx).await?;
            let Some((project_id, slug, days)) = project else { return Ok(None) };
            let due: Vec<(i64, i64)> =
                sqlx::query_as(&pick).bind(now).bind(project_id).bind(batch).fetch_all(&mut *tx).await?;
            let mut tally = PruneTally { project: slug, retention_days: days, ..PruneTally::default() };
            for (id, raw_size) in &due {
                let removed: Option<i64> = sqlx::query_scalar("DELETE FROM check_sets WHERE report_id = $1 RETURNING checks")
                    .bind(id).fetch_optional(&mut *tx).await?;
                sqlx::query("UPDATE reports SET raw_gzip = $1, pruned_at = $2 WHERE id = $3")
                    .bind(Vec::<u8>::new()).bind(now_ms()).bind(id).execute(&mut *tx).await?;
                tally.reports += 1;
                tally.checks += removed.unwrap_or(0);
                tally.raw_bytes += raw_size;
            }
            let (first, last) = (due.first().map(|d| d.0), due.last().map(|d| d.0));
            write_audit!(&mut *tx, actor, AuditWrite {
                action: "retention.prune", entity: "project", entity_id: Some(project_id.to_string()),
                project_id: Some(project_id), phase_id: None, before: None,
                after: Some(json!({
                    "retention_days": days, "reports": tally.reports, "checks": tally.checks,
                    "raw_bytes": tally.raw_bytes, "first_report": first, "last_report": last,
                    "older_than": now - days * DAY_MS,
                })),
            })?;
            Some((tally, due.iter().map(|d| d.0).collect::<Vec<_>>()))
        });
        Ok(done.map(|(tally, pruned)| {
            self.forget_check_sets(&pruned);
            tally
        }))
    }
}
