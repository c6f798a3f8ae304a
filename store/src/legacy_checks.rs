//! Checks stored by earlier releases, a row per check in `checks`, moved into check sets.

use readyboard_domain::model::{Check, Status};

use crate::db::{Backend, BeginWrite, Store, on_pool};
use crate::error::{StoreError, StoreResult};

/// Reports moved per transaction: each takes the write lock only briefly. (Nothing is cached
/// before the store has opened, so these writes outdate no view.)
const BATCH: i64 = 200;

/// One check as the old table held it.
#[derive(sqlx::FromRow)]
struct LegacyRow {
    check_key: String,
    name: String,
    suite_path: String,
    category: Option<String>,
    status: String,
    score: Option<f64>,
    max_score: Option<f64>,
    weight: f64,
    blocking: bool,
    duration_ms: Option<f64>,
    message: String,
    details: String,
    evidence_url: String,
    flaky: bool,
    retries: i64,
}

impl From<LegacyRow> for Check {
    fn from(r: LegacyRow) -> Check {
        Check {
            id: r.check_key,
            name: r.name,
            suite_path: r.suite_path,
            category: r.category,
            status: Status::parse(&r.status).unwrap_or_default(),
            score: r.score,
            max: r.max_score,
            weight: r.weight,
            blocking: r.blocking,
            duration_ms: r.duration_ms,
            message: r.message,
            details: r.details,
            evidence_url: r.evidence_url,
            flaky: r.flaky,
            retries: u32::try_from(r.retries.max(0)).unwrap_or(u32::MAX),
        }
    }
}

impl Store {
    /// Moves every report's rows of the old `checks` table into its check set, a batch of
    /// reports per transaction, then drops the table. Nothing to do on a database created
    /// by this release, or once done; an interrupted move picks up again at the next start.
    pub(crate) async fn move_legacy_checks(&self) -> StoreResult<()> {
        let exists = match self.backend() {
            Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'checks'",
            Backend::Postgres => {
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() \
                 AND table_name = 'checks'"
            }
        };
        let tables: i64 = on_pool!(self, pool => sqlx::query_scalar(exists).fetch_one(pool).await)?;
        if tables == 0 {
            return Ok(());
        }
        let (mut after, mut moved) = (i64::MIN, 0usize);
        loop {
            let _lock = self.write_lock.lock().await;
            let ids: Vec<i64> = on_pool!(self, pool => {
                let mut tx = BeginWrite::begin_write(pool).await?;
                let ids: Vec<i64> = sqlx::query_scalar(
                    "SELECT DISTINCT report_id FROM checks WHERE report_id > $1 ORDER BY report_id LIMIT $2",
                ).bind(after).bind(BATCH).fetch_all(&mut *tx).await?;
                for id in &ids {
                    let rows: Vec<LegacyRow> = sqlx::query_as(
                        "SELECT check_key, name, suite_path, category, status, score, max_score, weight, blocking, \
                         duration_ms, message, details, evidence_url, flaky, retries FROM checks \
                         WHERE report_id = $1 ORDER BY ordinal",
                    ).bind(id).fetch_all(&mut *tx).await?;
                    let checks: Vec<Check> = rows.into_iter().map(Check::from).collect();
                    sqlx::query(
                        "INSERT INTO check_sets (report_id, checks, body) VALUES ($1, $2, $3) \
                         ON CONFLICT (report_id) DO NOTHING",
                    )
                    .bind(id)
                    .bind(checks.len() as i64)
                    .bind(crate::check_sets::encode(&checks))
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok::<_, StoreError>(ids)
            })?;
            let Some(last) = ids.last() else { break };
            if moved == 0 {
                tracing::info!("moving checks stored by an earlier release into check sets");
            }
            after = *last;
            moved += ids.len();
            tracing::info!(reports = moved, "checks moved");
        }
        let _lock = self.write_lock.lock().await;
        on_pool!(self, pool => sqlx::query("DROP TABLE IF EXISTS checks").execute(pool).await.map(drop))?;
        if moved > 0 {
            tracing::info!(reports = moved, "checks of earlier releases moved into check sets; old table dropped");
        }
        Ok(())
    }
}
