//! Projects, their phases and the suites inside a phase.

use readyboard_domain::slug;
use serde_json::json;

use crate::audit::{Actor, AuditWrite, write_audit};
use crate::db::BeginWrite;
use crate::db::{Store, now_ms, on_pool};
use crate::error::{StoreError, StoreResult};

pub use crate::project_rows::*;

impl Store {
    /// Creates a project; `Conflict("slug")` when taken.
    #[tracing::instrument(skip_all, fields(actor = %actor.label))]
    pub async fn create_project(
        &self,
        actor: &Actor,
        slug_: &str,
        name: &str,
        description: &str,
    ) -> StoreResult<ProjectRow> {
        if !slug::is_valid(slug_) {
            return Err(StoreError::Invalid("slug: 1–64 characters of a-z, 0-9, '-', '_', '.'".into()));
        }
        if name.trim().is_empty() || name.len() > 200 {
            return Err(StoreError::Invalid("name: 1–200 characters".into()));
        }
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let row = sqlx::query_as::<_, ProjectRow>(
                "INSERT INTO projects (slug, name, description, public_status, created_at) \
                 VALUES ($1, $2, $3, FALSE, $4) \
                 RETURNING id, slug, name, description, public_status, created_at, retention_days",
            )
            .bind(slug_).bind(name.trim()).bind(description).bind(now_ms())
            .fetch_one(&mut *tx).await
            .map_err(|e| StoreError::unique(e, "slug"))?;
            write_audit!(&mut *tx, actor, AuditWrite {
                action: "project.create", entity: "project", entity_id: Some(row.id.to_string()),
                project_id: Some(row.id), phase_id: None, before: None,
                after: Some(json!({"slug": slug_, "name": name})),
            })?;
            tx.commit().await?;
            self.accounts_changed();
            Ok::<_, StoreError>(row)
        })
    }

    /// Every project by name.
    pub async fn list_projects(&self) -> StoreResult<Vec<ProjectRow>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, ProjectRow>(
            "SELECT id, slug, name, description, public_status, created_at, retention_days FROM projects ORDER BY name"
        ).fetch_all(pool).await)?)
    }

    /// A project by slug.
    pub async fn project(&self, slug_: &str) -> StoreResult<ProjectRow> {
        let (generation, now) = (self.caches.accounts.current(), crate::db::now_ms());
        if let Some(p) = self.caches.projects.get(&slug_.to_string(), generation, now) {
            return Ok(p);
        }
        let p = on_pool!(self, pool => sqlx::query_as::<_, ProjectRow>(
            "SELECT id, slug, name, description, public_status, created_at, retention_days FROM projects WHERE slug = $1"
        ).bind(slug_).fetch_optional(pool).await)?
        .ok_or(StoreError::NotFound)?;
        self.caches.projects.put(slug_.to_string(), generation, now, p.clone());
        Ok(p)
    }

    /// Phases of a project, in order.
    pub async fn phases(&self, project_id: i64) -> StoreResult<Vec<PhaseRow>> {
        let sql = format!("SELECT {PHASE_COLUMNS} FROM phases WHERE project_id = $1 ORDER BY position, id");
        Ok(on_pool!(self, pool => sqlx::query_as::<_, PhaseRow>(&sql).bind(project_id).fetch_all(pool).await)?)
    }

    /// A phase by project and phase slug.
    pub async fn phase(&self, project_id: i64, phase_slug: &str) -> StoreResult<PhaseRow> {
        // Stored reports do not change phase rows (a phase they create is a miss, read at
        // once): the settled generation keeps the status pollers off the database after each.
        let (generation, now) = (self.caches.generation.current(), crate::db::now_ms());
        let key = (project_id, phase_slug.to_string());
        if let Some(p) = self.caches.phases.get(&key, generation, now) {
            return Ok(p);
        }
        let sql = format!("SELECT {PHASE_COLUMNS} FROM phases WHERE project_id = $1 AND slug = $2");
        let p = on_pool!(self, pool => sqlx::query_as::<_, PhaseRow>(&sql).bind(project_id).bind(phase_slug)
            .fetch_optional(pool).await)?
        .ok_or(StoreError::NotFound)?;
        self.caches.phases.put(key, generation, now, p.clone());
        Ok(p)
    }

    /// A phase by id.
    pub async fn phase_by_id(&self, id: i64) -> StoreResult<PhaseRow> {
        let sql = format!("SELECT {PHASE_COLUMNS} FROM phases WHERE id = $1");
        on_pool!(self, pool => sqlx::query_as::<_, PhaseRow>(&sql).bind(id).fetch_optional(pool).await)?
            .ok_or(StoreError::NotFound)
    }

    /// Creates a phase in a project with the default settings; `Conflict("phase")` when taken.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, project = project_id))]
    pub async fn create_phase(&self, actor: &Actor, project_id: i64, slug_: &str, name: &str) -> StoreResult<PhaseRow> {
        self.create_phase_with(actor, project_id, slug_, name, None).await
    }

    /// Creates a phase in a project, with `settings` instead of the defaults when given;
    /// `Conflict("phase")` when the slug is taken.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, project = project_id))]
    pub async fn create_phase_with(
        &self,
        actor: &Actor,
        project_id: i64,
        slug_: &str,
        name: &str,
        settings: Option<&PhaseSettingsUpdate>,
    ) -> StoreResult<PhaseRow> {
        if !slug::is_valid(slug_) {
            return Err(StoreError::Invalid("phase: 1–64 characters of a-z, 0-9, '-', '_', '.'".into()));
        }
        if name.len() > 200 {
            return Err(StoreError::Invalid("name: at most 200 characters".into()));
        }
        if let Some(s) = settings {
            s.validate().map_err(StoreError::Invalid)?;
        }
        let defaults = readyboard_domain::scoring::PhaseSettings::default();
        let (ready, conditional, freshness, weights) = match settings {
            Some(s) => (
                s.ready_threshold,
                s.conditional_threshold,
                s.freshness_days,
                serde_json::to_string(&s.category_weights).unwrap_or_else(|_| "{}".into()),
            ),
            None => (
                defaults.ready_threshold,
                defaults.conditional_threshold,
                i64::from(defaults.freshness_days),
                "{}".into(),
            ),
        };
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let position = sqlx::query_scalar::<_, i64>(
                "SELECT COALESCE(MAX(position), 0) + 1 FROM phases WHERE project_id = $1",
            ).bind(project_id).fetch_one(&mut *tx).await?;
            let sql = format!(
                "INSERT INTO phases (project_id, slug, name, position, created_at, ready_threshold, \
                 conditional_threshold, freshness_days, category_weights) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {PHASE_COLUMNS}"
            );
            let row = sqlx::query_as::<_, PhaseRow>(&sql)
                .bind(project_id).bind(slug_).bind(if name.trim().is_empty() { slug_ } else { name.trim() })
                .bind(position).bind(now_ms()).bind(ready).bind(conditional).bind(freshness).bind(&weights)
                .fetch_one(&mut *tx).await
                .map_err(|e| StoreError::unique(e, "phase"))?;
            write_audit!(&mut *tx, actor, AuditWrite {
                action: "phase.create", entity: "phase", entity_id: Some(row.id.to_string()),
                project_id: Some(project_id), phase_id: Some(row.id), before: None,
                after: Some(json!({
                    "slug": slug_, "name": row.name, "ready_threshold": ready,
                    "conditional_threshold": conditional, "freshness_days": freshness,
                })),
            })?;
            tx.commit().await?;
            self.accounts_changed();
            Ok::<_, StoreError>(row)
        })
    }

    /// Suites of a phase by name.
    pub async fn suites(&self, phase_id: i64) -> StoreResult<Vec<SuiteRow>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, SuiteRow>(
            "SELECT id, phase_id, name, kind, latest_report_id FROM suites WHERE phase_id = $1 ORDER BY name"
        ).bind(phase_id).fetch_all(pool).await)?)
    }
}

/// New settings of a phase.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseSettingsUpdate {
    /// Score for READY.
    pub ready_threshold: f64,
    /// Score for CONDITIONAL.
    pub conditional_threshold: f64,
    /// Days after which evidence is stale.
    pub freshness_days: i64,
    /// Category weights.
    pub category_weights: std::collections::BTreeMap<String, f64>,
}

impl PhaseSettingsUpdate {
    /// Checks the rules a setting must meet; the message names the field.
    pub fn validate(&self) -> Result<(), String> {
        let in_range = |v: f64| v.is_finite() && (0.0..=100.0).contains(&v);
        if !in_range(self.ready_threshold) || !in_range(self.conditional_threshold) {
            return Err("thresholds: between 0 and 100".into());
        }
        if self.conditional_threshold > self.ready_threshold {
            return Err("thresholds: the conditional threshold cannot exceed the ready threshold".into());
        }
        if !(1..=365).contains(&self.freshness_days) {
            return Err("freshness: between 1 and 365 days".into());
        }
        if let Some((k, _)) = self.category_weights.iter().find(|(_, w)| !w.is_finite() || **w < 0.0 || **w > 1000.0) {
            return Err(format!("weights: {k} must be between 0 and 1000"));
        }
        Ok(())
    }
}

impl Store {
    /// Replaces a phase's settings and re-evaluates it; audited with before and after.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, phase = phase_id))]
    pub async fn update_phase_settings(
        &self,
        actor: &Actor,
        phase_id: i64,
        s: &PhaseSettingsUpdate,
    ) -> StoreResult<PhaseRow> {
        s.validate().map_err(StoreError::Invalid)?;
        let weights = serde_json::to_string(&s.category_weights).unwrap_or_else(|_| "{}".into());
        let _guard = self.write_lock.lock().await;
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let sql = format!("SELECT {PHASE_COLUMNS} FROM phases WHERE id = $1");
            let before = sqlx::query_as::<_, PhaseRow>(&sql).bind(phase_id).fetch_optional(&mut *tx).await?
                .ok_or(StoreError::NotFound)?;
            sqlx::query("UPDATE phases SET ready_threshold = $1, conditional_threshold = $2, freshness_days = $3, \
                         category_weights = $4 WHERE id = $5")
                .bind(s.ready_threshold).bind(s.conditional_threshold).bind(s.freshness_days).bind(&weights).bind(phase_id)
                .execute(&mut *tx).await?;
            let after = sqlx::query_as::<_, PhaseRow>(&sql).bind(phase_id).fetch_one(&mut *tx).await?;
            write_audit!(&mut *tx, actor, AuditWrite {
                action: "phase.settings", entity: "phase", entity_id: Some(phase_id.to_string()),
                project_id: Some(before.project_id), phase_id: Some(phase_id),
                before: Some(json!({"ready": before.ready_threshold, "conditional": before.conditional_threshold,
                    "freshness_days": before.freshness_days, "weights": before.category_weights})),
                after: Some(json!({"ready": s.ready_threshold, "conditional": s.conditional_threshold,
                    "freshness_days": s.freshness_days, "weights": weights})),
            })?;
            tx.commit().await?;
            self.accounts_changed();
            Ok::<_, StoreError>(after)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::PhaseSettingsUpdate;

    fn settings(ready: f64, conditional: f64, days: i64) -> PhaseSettingsUpdate {
        PhaseSettingsUpdate {
            ready_threshold: ready,
            conditional_threshold: conditional,
            freshness_days: days,
            category_weights: Default::default(),
        }
    }

    #[test]
    fn settings_must_be_coherent() {
        assert!(settings(90.0, 70.0, 14).validate().is_ok());
        assert!(settings(70.0, 90.0, 14).validate().unwrap_err().contains("cannot exceed"));
        assert!(settings(101.0, 70.0, 14).validate().is_err());
        assert!(settings(90.0, 70.0, 0).validate().unwrap_err().starts_with("freshness"));
        let mut s = settings(90.0, 70.0, 14);
        s.category_weights.insert("Security".into(), -1.0);
        assert!(s.validate().unwrap_err().contains("Security"));
    }
}
